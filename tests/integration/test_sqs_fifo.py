# SPDX-License-Identifier: MIT
"""FIFO queues: ordering per group, group locking, deduplication, sequence
numbers and the FIFO-specific parameter rules."""
import time

from harness import ServerTest
from sqs_helpers import raw_client


class TestFifo(ServerTest):
    def make(self, name="f.fifo", cbd=False, **extra):
        attrs = {"FifoQueue": "true"}
        if cbd:
            attrs["ContentBasedDeduplication"] = "true"
        attrs.update(extra)
        return self.sqs.create_queue(QueueName=name, Attributes=attrs)["QueueUrl"]

    def send(self, url, body, group, dedup=None):
        kw = {"QueueUrl": url, "MessageBody": body, "MessageGroupId": group}
        if dedup:
            kw["MessageDeduplicationId"] = dedup
        return self.sqs.send_message(**kw)

    def test_attributes(self):
        url = self.make(cbd=True)
        a = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        self.assertEqual(a["FifoQueue"], "true")
        self.assertEqual(a["ContentBasedDeduplication"], "true")
        self.assertEqual(a["DeduplicationScope"], "queue")
        self.assertEqual(a["FifoThroughputLimit"], "perQueue")

    def test_order_within_group(self):
        url = self.make(cbd=True)
        for i in range(6):
            self.send(url, "m%d" % i, "g")
        got = []
        for _ in range(6):
            r = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=2)
            if "Messages" not in r:
                break
            got.extend(m["Body"] for m in r["Messages"])
            for m in r["Messages"]:
                self.sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        self.assertEqual(got, ["m%d" % i for i in range(6)])

    def test_group_locked_while_in_flight_other_groups_proceed(self):
        url = self.make(cbd=True, VisibilityTimeout="30")
        self.send(url, "a1", "A")
        self.send(url, "a2", "A")
        self.send(url, "b1", "B")
        first = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1)["Messages"]
        self.assertEqual([m["Body"] for m in first], ["a1"])
        # a2 must not be delivered while a1 is in flight; B proceeds
        second = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
        self.assertEqual([m["Body"] for m in second], ["b1"])
        self.assertNotIn("Messages", self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10))
        # releasing a1 (visibility 0) redelivers a1 before a2
        self.sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=first[0]["ReceiptHandle"],
                                           VisibilityTimeout=0)
        again = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"])["Messages"]
        self.assertEqual([m["Body"] for m in again], ["a1", "a2"])
        self.assertEqual(again[0]["Attributes"]["ApproximateReceiveCount"], "2")

    def test_group_unlocks_after_visibility_timeout(self):
        url = self.make(cbd=True, VisibilityTimeout="1")
        self.send(url, "x1", "G")
        self.send(url, "x2", "G")
        self.assertEqual(self.sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"], "x1")
        self.assertNotIn("Messages", self.sqs.receive_message(QueueUrl=url))
        time.sleep(1.2)
        self.assertEqual(self.sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"], "x1")

    def test_dedup_by_id(self):
        url = self.make()
        r1 = self.send(url, "one", "g", dedup="d1")
        r2 = self.send(url, "different body", "g", dedup="d1")
        r3 = self.send(url, "one", "g", dedup="d2")
        self.assertEqual(r1["MessageId"], r2["MessageId"])
        self.assertEqual(r1["SequenceNumber"], r2["SequenceNumber"])
        self.assertNotEqual(r1["MessageId"], r3["MessageId"])
        msgs = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
        self.assertEqual([m["Body"] for m in msgs], ["one", "one"])
        # still deduplicated after the original is deleted (5 minute window)
        for m in msgs:
            self.sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        r4 = self.send(url, "one", "g", dedup="d1")
        self.assertEqual(r4["MessageId"], r1["MessageId"])
        self.assertNotIn("Messages", self.sqs.receive_message(QueueUrl=url))

    def test_content_based_dedup(self):
        url = self.make(cbd=True)
        r1 = self.send(url, "same", "g")
        r2 = self.send(url, "same", "g")
        r3 = self.send(url, "other", "g")
        r4 = self.send(url, "same", "g", dedup="explicit")  # explicit id overrides content hash
        self.assertEqual(r1["MessageId"], r2["MessageId"])
        self.assertEqual(len({r1["MessageId"], r3["MessageId"], r4["MessageId"]}), 3)
        msgs = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
        self.assertEqual([m["Body"] for m in msgs], ["same", "other", "same"])

    def test_dedup_scope_message_group(self):
        url = self.make(DeduplicationScope="messageGroup", FifoThroughputLimit="perMessageGroupId")
        r1 = self.send(url, "a", "g1", dedup="same")
        r2 = self.send(url, "b", "g2", dedup="same")
        r3 = self.send(url, "c", "g1", dedup="same")
        self.assertNotEqual(r1["MessageId"], r2["MessageId"])
        self.assertEqual(r1["MessageId"], r3["MessageId"])

    def test_sequence_numbers_and_system_attributes(self):
        url = self.make()
        seqs = [self.send(url, "s%d" % i, "grp", dedup="d%d" % i)["SequenceNumber"] for i in range(3)]
        for s in seqs:
            self.assertRegex(s, r"^\d{20}$")
        self.assertEqual([int(s) for s in seqs], sorted(int(s) for s in seqs))
        self.assertEqual(len(set(seqs)), 3)
        m = self.sqs.receive_message(QueueUrl=url, AttributeNames=["All"])["Messages"][0]
        a = m["Attributes"]
        self.assertEqual(a["MessageGroupId"], "grp")
        self.assertEqual(a["MessageDeduplicationId"], "d0")
        self.assertEqual(a["SequenceNumber"], seqs[0])

    def test_missing_group_id(self):
        url = self.make(cbd=True)
        msg = self.assertError("MissingParameter", self.sqs.send_message, QueueUrl=url, MessageBody="x")
        self.assertEqual(msg, "The request must contain the parameter MessageGroupId.")
        # in a batch the same omission fails the whole request with InvalidParameterValue
        msg = self.assertError("InvalidParameterValue", self.sqs.send_message_batch, QueueUrl=url,
                               Entries=[{"Id": "a", "MessageBody": "x", "MessageGroupId": "g"},
                                        {"Id": "b", "MessageBody": "y"}])
        self.assertEqual(msg, "The request must contain the parameter MessageGroupId.")
        self.assertNotIn("Messages", self.sqs.receive_message(QueueUrl=url))

    def test_missing_dedup_id_without_cbd(self):
        url = self.make()
        msg = self.assertError("InvalidParameterValue", self.sqs.send_message, QueueUrl=url, MessageBody="x",
                               MessageGroupId="g")
        self.assertEqual(msg, "The queue should either have ContentBasedDeduplication enabled or "
                              "MessageDeduplicationId provided explicitly")

    def test_per_message_delay_rejected(self):
        url = self.make(cbd=True)
        msg = self.assertError("InvalidParameterValue", self.sqs.send_message, QueueUrl=url, MessageBody="x",
                               MessageGroupId="g", DelaySeconds=2)
        self.assertEqual(msg, "Value 2 for parameter DelaySeconds is invalid. Reason: The request include "
                              "parameter that is not valid for this queue type.")
        # zero is allowed
        self.sqs.send_message(QueueUrl=url, MessageBody="x", MessageGroupId="g", DelaySeconds=0)

    def test_queue_delay_applies(self):
        url = self.make(cbd=True, DelaySeconds="1")
        self.send(url, "late", "g")
        self.assertNotIn("Messages", self.sqs.receive_message(QueueUrl=url))
        self.advance(1.2)
        self.assertEqual(self.sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"], "late")

    def test_invalid_group_and_dedup_ids(self):
        url = self.make(cbd=True)
        raw = raw_client(self.server)
        msg = self.assertError("InvalidParameterValue", raw.send_message, QueueUrl=url, MessageBody="x",
                               MessageGroupId="has space")
        self.assertEqual(msg, "Value has space for parameter MessageGroupId is invalid. Reason: MessageGroupId can "
                              "only include alphanumeric and punctuation characters. 1 to 128 in length.")
        self.assertError("InvalidParameterValue", raw.send_message, QueueUrl=url, MessageBody="x",
                         MessageGroupId="g" * 129)
        self.assertError("InvalidParameterValue", raw.send_message, QueueUrl=url, MessageBody="x",
                         MessageGroupId="g", MessageDeduplicationId="d" * 129)

    def test_dedup_id_on_standard_queue(self):
        url = self.sqs.create_queue(QueueName="std")["QueueUrl"]
        self.assertError("InvalidParameterValue", self.sqs.send_message, QueueUrl=url, MessageBody="x",
                         MessageDeduplicationId="d")

    def test_batch_send_keeps_order_and_dedups(self):
        url = self.make(cbd=True)
        r = self.sqs.send_message_batch(QueueUrl=url, Entries=[
            {"Id": "a", "MessageBody": "b1", "MessageGroupId": "g"},
            {"Id": "b", "MessageBody": "b2", "MessageGroupId": "g"},
            {"Id": "c", "MessageBody": "b1", "MessageGroupId": "g"}])
        ok = {e["Id"]: e for e in r["Successful"]}
        self.assertEqual(set(ok), {"a", "b", "c"})
        self.assertEqual(ok["a"]["MessageId"], ok["c"]["MessageId"])
        for e in r["Successful"]:
            self.assertRegex(e["SequenceNumber"], r"^\d{20}$")
        msgs = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
        self.assertEqual([m["Body"] for m in msgs], ["b1", "b2"])

    def test_expired_handle_delete_fails_on_fifo(self):
        url = self.make(cbd=True, VisibilityTimeout="1")
        self.send(url, "x", "g")
        m1 = self.sqs.receive_message(QueueUrl=url)["Messages"][0]
        self.advance(1.2)
        m2 = self.sqs.receive_message(QueueUrl=url, VisibilityTimeout=30)["Messages"][0]
        msg = self.assertError("InvalidParameterValue", self.sqs.delete_message, QueueUrl=url,
                               ReceiptHandle=m1["ReceiptHandle"])
        self.assertEqual(msg, "Value %s for parameter ReceiptHandle is invalid. Reason: The receipt handle has "
                              "expired." % m1["ReceiptHandle"])
        self.sqs.delete_message(QueueUrl=url, ReceiptHandle=m2["ReceiptHandle"])
