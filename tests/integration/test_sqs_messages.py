# SPDX-License-Identifier: MIT
"""Send/receive/delete, attributes and their digests, visibility, delays,
long polling, batches and purge on standard queues."""
import hashlib
import threading
import time
import unittest

from harness import ServerTest
from sqs_helpers import aws_attributes_md5, md5_body, raw_client


class TestDigestAlgorithm(ServerTest):
    """Pins the test's own MD5 implementation to values published by AWS
    clients, so a wrong helper cannot agree with a wrong server."""

    def test_known_vectors(self):
        # a single String attribute: name "a", DataType "String", value "b"
        self.assertEqual(aws_attributes_md5({"a": {"DataType": "String", "StringValue": "b"}}),
                         hashlib.md5(b"\x00\x00\x00\x01a\x00\x00\x00\x06String\x01"
                                                   b"\x00\x00\x00\x01b").hexdigest())
        # order of attributes in the dict must not matter
        x = {"z": {"DataType": "String", "StringValue": "1"}, "a": {"DataType": "Number", "StringValue": "2"}}
        y = {"a": {"DataType": "Number", "StringValue": "2"}, "z": {"DataType": "String", "StringValue": "1"}}
        self.assertEqual(aws_attributes_md5(x), aws_attributes_md5(y))
        self.assertEqual(md5_body("hello"), "5d41402abc4b2a76b9719d911017c592")


class TestSendReceiveDelete(ServerTest):
    def setUp(self):
        super().setUp()
        self.url = self.sqs.create_queue(QueueName="msgs")["QueueUrl"]

    def test_roundtrip_and_delete(self):
        body = "hello <world> & \"friends\" \u00e9\u4e2d\U0001F600"
        before_ms = int(time.time() * 1000)
        r = self.sqs.send_message(QueueUrl=self.url, MessageBody=body)
        self.assertEqual(r["MD5OfMessageBody"], md5_body(body))
        self.assertNotIn("MD5OfMessageAttributes", r)
        msgs = self.sqs.receive_message(QueueUrl=self.url, AttributeNames=["All"])["Messages"]
        self.assertEqual(len(msgs), 1)
        m = msgs[0]
        self.assertEqual(m["Body"], body)
        self.assertEqual(m["MessageId"], r["MessageId"])
        self.assertEqual(m["MD5OfBody"], md5_body(body))
        a = m["Attributes"]
        self.assertEqual(a["ApproximateReceiveCount"], "1")
        self.assertEqual(a["SenderId"], "test")  # the caller's access key
        sent, received = int(a["SentTimestamp"]), int(a["ApproximateFirstReceiveTimestamp"])
        self.assertLessEqual(before_ms, sent)
        self.assertLessEqual(sent, received)
        self.assertLessEqual(received, time.time() * 1000 + 1)
        self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=m["ReceiptHandle"])
        a = self.sqs.get_queue_attributes(QueueUrl=self.url, AttributeNames=["All"])["Attributes"]
        self.assertEqual(a["ApproximateNumberOfMessages"], "0")
        self.assertEqual(a["ApproximateNumberOfMessagesNotVisible"], "0")

    def test_receive_empty_and_max_number(self):
        self.assertNotIn("Messages", self.sqs.receive_message(QueueUrl=self.url))
        for i in range(5):
            self.sqs.send_message(QueueUrl=self.url, MessageBody="m%d" % i)
        got = self.sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=3)["Messages"]
        self.assertEqual(len(got), 3)
        rest = self.sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=10)["Messages"]
        self.assertEqual(len(rest), 2)
        self.assertEqual(sorted(m["Body"] for m in got + rest), ["m%d" % i for i in range(5)])
        self.assertEqual(len({m["MessageId"] for m in got + rest}), 5)

    def test_message_attributes_and_md5(self):
        attrs = {
            "str": {"DataType": "String", "StringValue": "caf\u00e9 \u4e2d"},
            "num": {"DataType": "Number", "StringValue": "-12.5e3"},
            "bin": {"DataType": "Binary", "BinaryValue": bytes(range(256))},
            "custom": {"DataType": "String.json", "StringValue": "{\"k\": 1}"},
            "Num2": {"DataType": "Number.int", "StringValue": "7"},
            "img": {"DataType": "Binary.png", "BinaryValue": b"\x89PNG\x00"},
        }
        r = self.sqs.send_message(QueueUrl=self.url, MessageBody="with attrs", MessageAttributes=attrs)
        expected = aws_attributes_md5(attrs)
        self.assertEqual(r["MD5OfMessageAttributes"], expected)
        self.assertEqual(r["MD5OfMessageBody"], md5_body("with attrs"))
        m = self.sqs.receive_message(QueueUrl=self.url, MessageAttributeNames=["All"])["Messages"][0]
        self.assertEqual(m["MD5OfMessageAttributes"], expected)
        got = m["MessageAttributes"]
        self.assertEqual(set(got), set(attrs))
        for name, a in attrs.items():
            self.assertEqual(got[name]["DataType"], a["DataType"], name)
            if "BinaryValue" in a:
                self.assertEqual(bytes(got[name]["BinaryValue"]), a["BinaryValue"], name)
            else:
                self.assertEqual(got[name]["StringValue"], a["StringValue"], name)
        # the received MD5 matches what we compute from what we received
        self.assertEqual(aws_attributes_md5(got), m["MD5OfMessageAttributes"])

    def test_message_attribute_name_filter(self):
        attrs = {"a.one": {"DataType": "String", "StringValue": "1"},
                 "a.two": {"DataType": "String", "StringValue": "2"},
                 "b": {"DataType": "String", "StringValue": "3"}}
        self.sqs.send_message(QueueUrl=self.url, MessageBody="x", MessageAttributes=attrs)
        m = self.sqs.receive_message(QueueUrl=self.url, MessageAttributeNames=["b"], VisibilityTimeout=0)
        self.assertEqual(set(m["Messages"][0]["MessageAttributes"]), {"b"})
        m = self.sqs.receive_message(QueueUrl=self.url, MessageAttributeNames=["a.*"], VisibilityTimeout=0)
        self.assertEqual(set(m["Messages"][0]["MessageAttributes"]), {"a.one", "a.two"})
        m = self.sqs.receive_message(QueueUrl=self.url)
        self.assertNotIn("MessageAttributes", m["Messages"][0])

    def test_message_attribute_names_wildcards(self):
        # Recorded AWS answers: localstack tests/aws/services/sqs/test_sqs.snapshot.json,
        # test_receive_message_message_attribute_names_filters: "All", "*" and ".*" return every attribute,
        # "Hel.*" returns Hello and Help.Me, an exact name only itself, and "Help" alone nothing.
        attrs = {"Help.Me": {"DataType": "String", "StringValue": "Me"},
                 "Hello": {"DataType": "String", "StringValue": "There"},
                 "General": {"DataType": "String", "StringValue": "Kenobi"}}
        self.sqs.send_message(QueueUrl=self.url, MessageBody="msg", MessageAttributes=attrs)

        def names(requested):
            m = self.sqs.receive_message(QueueUrl=self.url, MessageAttributeNames=requested,
                                         VisibilityTimeout=0)["Messages"][0]
            return set(m.get("MessageAttributes", {})), m.get("MD5OfMessageAttributes")

        everything = ({"Help.Me", "Hello", "General"}, "4c360f3fdafd970e05fae2f149d997f5")
        for requested in (["All"], ["*"], [".*"]):
            self.assertEqual(names(requested), everything, requested)
        self.assertEqual(names(["Hel.*"]), ({"Hello", "Help.Me"}, "83fee93c1bcd8b9a5a923ffacdc636c7"))
        self.assertEqual(names(["Hello", "General"]), ({"Hello", "General"}, "fca026605781cb4126a1e9044df24232"))
        self.assertEqual(names(["Foo", "Help"]), (set(), None))

    def test_system_attribute_aws_trace_header(self):
        trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
        sysattrs = {"AWSTraceHeader": {"DataType": "String", "StringValue": trace}}
        r = self.sqs.send_message(QueueUrl=self.url, MessageBody="traced", MessageSystemAttributes=sysattrs)
        self.assertEqual(r["MD5OfMessageSystemAttributes"], aws_attributes_md5(sysattrs))
        self.assertNotIn("MD5OfMessageAttributes", r)
        m = self.sqs.receive_message(QueueUrl=self.url, AttributeNames=["AWSTraceHeader"],
                                     VisibilityTimeout=0)["Messages"][0]
        self.assertEqual(m["Attributes"], {"AWSTraceHeader": trace})
        m = self.sqs.receive_message(QueueUrl=self.url, AttributeNames=["SentTimestamp"])["Messages"][0]
        self.assertNotIn("AWSTraceHeader", m["Attributes"])

    def test_max_message_size(self):
        self.sqs.set_queue_attributes(QueueUrl=self.url, Attributes={"MaximumMessageSize": "1024"})
        self.sqs.send_message(QueueUrl=self.url, MessageBody="x" * 1024)
        msg = self.assertError("InvalidParameterValue", self.sqs.send_message, QueueUrl=self.url,
                               MessageBody="x" * 1025)
        self.assertEqual(msg, "One or more parameters are invalid. Reason: Message must be shorter than 1024 bytes.")
        # attributes count toward the size: name + type + value
        attrs = {"ab": {"DataType": "String", "StringValue": "cd"}}  # 2 + 6 + 2 = 10 bytes
        self.sqs.send_message(QueueUrl=self.url, MessageBody="x" * 1014, MessageAttributes=attrs)
        self.assertError("InvalidParameterValue", self.sqs.send_message, QueueUrl=self.url,
                         MessageBody="x" * 1015, MessageAttributes=attrs)


class TestVisibility(ServerTest):
    def setUp(self):
        super().setUp()
        self.url = self.sqs.create_queue(QueueName="vis", Attributes={"VisibilityTimeout": "1"})["QueueUrl"]

    def test_message_reappears_with_receive_count_two(self):
        self.sqs.send_message(QueueUrl=self.url, MessageBody="v")
        m1 = self.sqs.receive_message(QueueUrl=self.url, AttributeNames=["All"])["Messages"][0]
        self.assertEqual(m1["Attributes"]["ApproximateReceiveCount"], "1")
        self.assertNotIn("Messages", self.sqs.receive_message(QueueUrl=self.url))
        time.sleep(1.2)
        m2 = self.sqs.receive_message(QueueUrl=self.url, AttributeNames=["All"])["Messages"][0]
        self.assertEqual(m2["MessageId"], m1["MessageId"])
        self.assertEqual(m2["Attributes"]["ApproximateReceiveCount"], "2")
        self.assertEqual(m2["Attributes"]["ApproximateFirstReceiveTimestamp"],
                         m1["Attributes"]["ApproximateFirstReceiveTimestamp"])
        self.assertNotEqual(m2["ReceiptHandle"], m1["ReceiptHandle"])

    def test_receive_visibility_override(self):
        self.sqs.send_message(QueueUrl=self.url, MessageBody="v")
        self.sqs.receive_message(QueueUrl=self.url, VisibilityTimeout=3)
        self.advance(1.2)  # past the queue's 1 s, not past the 3 s override
        self.assertNotIn("Messages", self.sqs.receive_message(QueueUrl=self.url))

    def test_change_visibility_zero_and_extend(self):
        self.sqs.send_message(QueueUrl=self.url, MessageBody="v")
        m = self.sqs.receive_message(QueueUrl=self.url, VisibilityTimeout=30)["Messages"][0]
        self.assertNotIn("Messages", self.sqs.receive_message(QueueUrl=self.url))
        self.sqs.change_message_visibility(QueueUrl=self.url, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=0)
        m2 = self.sqs.receive_message(QueueUrl=self.url)["Messages"][0]
        self.assertEqual(m2["MessageId"], m["MessageId"])
        # extend the visibility of the new receive beyond the queue default
        self.sqs.change_message_visibility(QueueUrl=self.url, ReceiptHandle=m2["ReceiptHandle"],
                                           VisibilityTimeout=5)
        self.advance(1.2)
        self.assertNotIn("Messages", self.sqs.receive_message(QueueUrl=self.url))

    def test_stale_receipt_handle_delete_succeeds(self):
        self.sqs.send_message(QueueUrl=self.url, MessageBody="v")
        m1 = self.sqs.receive_message(QueueUrl=self.url)["Messages"][0]
        self.advance(1.2)
        m2 = self.sqs.receive_message(QueueUrl=self.url, VisibilityTimeout=30)["Messages"][0]
        self.assertNotEqual(m1["ReceiptHandle"], m2["ReceiptHandle"])
        self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=m1["ReceiptHandle"])  # stale: no error
        self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=m2["ReceiptHandle"])
        self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=m2["ReceiptHandle"])  # deleted twice: no error
        a = self.sqs.get_queue_attributes(QueueUrl=self.url, AttributeNames=["All"])["Attributes"]
        self.assertEqual((a["ApproximateNumberOfMessages"], a["ApproximateNumberOfMessagesNotVisible"]), ("0", "0"))

    def test_invalid_receipt_handle(self):
        msg = self.assertError("ReceiptHandleIsInvalid", self.sqs.delete_message, QueueUrl=self.url,
                               ReceiptHandle="garbage")
        self.assertEqual(msg, 'The input receipt handle "garbage" is not a valid receipt handle.')
        self.assertError("ReceiptHandleIsInvalid", self.sqs.change_message_visibility, QueueUrl=self.url,
                         ReceiptHandle="garbage", VisibilityTimeout=0)

    def test_change_visibility_on_deleted_message(self):
        self.sqs.send_message(QueueUrl=self.url, MessageBody="v")
        m = self.sqs.receive_message(QueueUrl=self.url, VisibilityTimeout=30)["Messages"][0]
        self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=m["ReceiptHandle"])
        msg = self.assertError("InvalidParameterValue", self.sqs.change_message_visibility, QueueUrl=self.url,
                               ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=10)
        self.assertEqual(msg, "Value %s for parameter ReceiptHandle is invalid. Reason: Message does not exist or "
                              "is not available for visibility timeout change." % m["ReceiptHandle"])


class TestDelays(ServerTest):
    def test_queue_delay(self):
        url = self.sqs.create_queue(QueueName="qdelay", Attributes={"DelaySeconds": "1"})["QueueUrl"]
        self.sqs.send_message(QueueUrl=url, MessageBody="d")
        self.assertNotIn("Messages", self.sqs.receive_message(QueueUrl=url))
        a = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessagesDelayed"])
        self.assertEqual(a["Attributes"]["ApproximateNumberOfMessagesDelayed"], "1")
        time.sleep(1.2)
        self.assertEqual(self.sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"], "d")

    def test_per_message_delay_overrides_queue(self):
        url = self.sqs.create_queue(QueueName="mdelay", Attributes={"DelaySeconds": "5"})["QueueUrl"]
        self.sqs.send_message(QueueUrl=url, MessageBody="now", DelaySeconds=0)
        self.sqs.send_message(QueueUrl=url, MessageBody="soon", DelaySeconds=1)
        self.sqs.send_message(QueueUrl=url, MessageBody="later")
        self.assertEqual([m["Body"] for m in self.sqs.receive_message(QueueUrl=url)["Messages"]], ["now"])
        self.advance(1.2)
        got = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
        self.assertEqual([m["Body"] for m in got], ["soon"])

    def test_delay_range(self):
        url = self.sqs.create_queue(QueueName="rdelay")["QueueUrl"]
        msg = self.assertError("InvalidParameterValue", self.sqs.send_message, QueueUrl=url, MessageBody="x",
                               DelaySeconds=1000)
        self.assertEqual(msg, "Value 1000 for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 "
                              "and <= 900.")
        self.assertError("InvalidParameterValue", self.sqs.send_message, QueueUrl=url, MessageBody="x",
                         DelaySeconds=-1)


class TestLongPolling(ServerTest):
    def setUp(self):
        super().setUp()
        self.url = self.sqs.create_queue(QueueName="lp")["QueueUrl"]

    def test_wait_returns_soon_after_send(self):
        sender = self.server.client()

        def send_later():
            time.sleep(0.4)
            sender.send_message(QueueUrl=self.url, MessageBody="arrived")

        t = threading.Thread(target=send_later)
        t0 = time.time()
        t.start()
        r = self.sqs.receive_message(QueueUrl=self.url, WaitTimeSeconds=20)
        elapsed = time.time() - t0
        t.join()
        self.assertEqual([m["Body"] for m in r["Messages"]], ["arrived"])
        self.assertGreaterEqual(elapsed, 0.35)
        self.assertLess(elapsed, 20, "woken by the send, not by the end of the wait")

    def test_wait_times_out_empty(self):
        t0 = time.time()
        r = self.sqs.receive_message(QueueUrl=self.url, WaitTimeSeconds=1)
        elapsed = time.time() - t0
        self.assertNotIn("Messages", r)
        self.assertGreaterEqual(elapsed, 0.9)

    def test_queue_default_wait(self):
        self.sqs.set_queue_attributes(QueueUrl=self.url, Attributes={"ReceiveMessageWaitTimeSeconds": "1"})
        t0 = time.time()
        self.assertNotIn("Messages", self.sqs.receive_message(QueueUrl=self.url))
        self.assertGreaterEqual(time.time() - t0, 0.9)
        # an explicit 0 overrides the queue's default: no 20 s wait
        self.sqs.set_queue_attributes(QueueUrl=self.url, Attributes={"ReceiveMessageWaitTimeSeconds": "20"})
        t0 = time.time()
        self.assertNotIn("Messages", self.sqs.receive_message(QueueUrl=self.url, WaitTimeSeconds=0))
        self.assertLess(time.time() - t0, 20, "waited for the queue's default")

    def test_wait_ends_when_delayed_message_becomes_visible(self):
        self.sqs.send_message(QueueUrl=self.url, MessageBody="delayed", DelaySeconds=1)
        t0 = time.time()
        r = self.sqs.receive_message(QueueUrl=self.url, WaitTimeSeconds=20)
        elapsed = time.time() - t0
        self.assertEqual(r["Messages"][0]["Body"], "delayed")
        self.assertGreaterEqual(elapsed, 0.8)
        self.assertLess(elapsed, 20, "woken when the delay ended, not by the end of the wait")

    def test_wait_time_range(self):
        msg = self.assertError("InvalidParameterValue", self.sqs.receive_message, QueueUrl=self.url,
                               WaitTimeSeconds=21)
        self.assertEqual(msg, "Value 21 for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, "
                              "if provided.")


class TestBatches(ServerTest):
    def setUp(self):
        super().setUp()
        self.url = self.sqs.create_queue(QueueName="batch")["QueueUrl"]
        self.raw = raw_client(self.server)

    def test_send_batch_digests_and_entry_failure(self):
        attrs = {"k": {"DataType": "Number", "StringValue": "1"}}
        r = self.sqs.send_message_batch(QueueUrl=self.url, Entries=[
            {"Id": "a", "MessageBody": "first", "MessageAttributes": attrs},
            {"Id": "b_2", "MessageBody": "second"},
            {"Id": "bad-delay", "MessageBody": "third", "DelaySeconds": 1000},
            {"Id": "empty", "MessageBody": ""}])
        ok = {e["Id"]: e for e in r["Successful"]}
        self.assertEqual(set(ok), {"a", "b_2"})
        self.assertEqual(ok["a"]["MD5OfMessageBody"], md5_body("first"))
        self.assertEqual(ok["a"]["MD5OfMessageAttributes"], aws_attributes_md5(attrs))
        self.assertEqual(ok["b_2"]["MD5OfMessageBody"], md5_body("second"))
        failed = {e["Id"]: e for e in r["Failed"]}
        self.assertEqual(set(failed), {"bad-delay", "empty"})
        self.assertEqual(failed["bad-delay"]["Code"], "InvalidParameterValue")
        self.assertIs(failed["bad-delay"]["SenderFault"], True)
        self.assertEqual(failed["empty"]["Code"], "MissingParameter")
        msgs = self.sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=10)["Messages"]
        self.assertEqual(sorted(m["Body"] for m in msgs), ["first", "second"])
        self.assertEqual({m["MessageId"] for m in msgs}, {e["MessageId"] for e in r["Successful"]})

    def test_delete_batch_with_invalid_handle(self):
        self.sqs.send_message_batch(QueueUrl=self.url, Entries=[{"Id": str(i), "MessageBody": str(i)}
                                                                for i in range(3)])
        msgs = self.sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=10, VisibilityTimeout=0)["Messages"]
        self.assertEqual(len(msgs), 3)
        entries = [{"Id": "d%d" % i, "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(msgs[:2])]
        entries.append({"Id": "junk", "ReceiptHandle": "not-a-handle"})
        r = self.sqs.delete_message_batch(QueueUrl=self.url, Entries=entries)
        self.assertEqual(sorted(e["Id"] for e in r["Successful"]), ["d0", "d1"])
        self.assertEqual(len(r["Failed"]), 1)
        self.assertEqual(r["Failed"][0]["Id"], "junk")
        self.assertEqual(r["Failed"][0]["Code"], "ReceiptHandleIsInvalid")
        self.assertIs(r["Failed"][0]["SenderFault"], True)
        left = self.sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=10)["Messages"]
        self.assertEqual([m["MessageId"] for m in left], [msgs[2]["MessageId"]])

    def test_change_visibility_batch(self):
        self.sqs.send_message_batch(QueueUrl=self.url, Entries=[{"Id": "a", "MessageBody": "a"},
                                                                {"Id": "b", "MessageBody": "b"}])
        msgs = self.sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=10, VisibilityTimeout=60)["Messages"]
        self.assertEqual(len(msgs), 2)
        by_body = {m["Body"]: m for m in msgs}
        r = self.sqs.change_message_visibility_batch(QueueUrl=self.url, Entries=[
            {"Id": "a", "ReceiptHandle": by_body["a"]["ReceiptHandle"], "VisibilityTimeout": 0},
            {"Id": "b", "ReceiptHandle": by_body["b"]["ReceiptHandle"], "VisibilityTimeout": 60},
            {"Id": "bad", "ReceiptHandle": "garbage", "VisibilityTimeout": 0},
            {"Id": "range", "ReceiptHandle": by_body["b"]["ReceiptHandle"], "VisibilityTimeout": 43201}])
        self.assertEqual(sorted(e["Id"] for e in r["Successful"]), ["a", "b"])
        failed = {e["Id"]: e["Code"] for e in r["Failed"]}
        self.assertEqual(failed, {"bad": "ReceiptHandleIsInvalid", "range": "InvalidParameterValue"})
        again = self.sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=10)["Messages"]
        self.assertEqual([m["Body"] for m in again], ["a"])

    def test_whole_request_errors(self):
        ops = [
            (self.raw.send_message_batch, "SendMessageBatchRequestEntry", lambda i: {"Id": i, "MessageBody": "x"}),
            (self.raw.delete_message_batch, "DeleteMessageBatchRequestEntry",
             lambda i: {"Id": i, "ReceiptHandle": "h"}),
            (self.raw.change_message_visibility_batch, "ChangeMessageVisibilityBatchRequestEntry",
             lambda i: {"Id": i, "ReceiptHandle": "h", "VisibilityTimeout": 0}),
        ]
        for fn, entry_name, mk in ops:
            msg = self.assertError("AWS.SimpleQueueService.EmptyBatchRequest", fn, QueueUrl=self.url, Entries=[])
            self.assertEqual(msg, "There should be at least one %s in the request." % entry_name)
            msg = self.assertError("AWS.SimpleQueueService.TooManyEntriesInBatchRequest", fn, QueueUrl=self.url,
                                   Entries=[mk("e%d" % i) for i in range(11)])
            self.assertEqual(msg, "Maximum number of entries per request are 10. You have sent 11.")
            msg = self.assertError("AWS.SimpleQueueService.BatchEntryIdsNotDistinct", fn, QueueUrl=self.url,
                                   Entries=[mk("idA"), mk("idA")])
            self.assertEqual(msg, "Id idA repeated.")
            for bad in ("invalid:id", "", "x" * 81, "has space"):
                msg = self.assertError("AWS.SimpleQueueService.InvalidBatchEntryId", fn, QueueUrl=self.url,
                                       Entries=[mk(bad)])
                self.assertEqual(msg, "A batch entry id can only contain alphanumeric characters, hyphens and "
                                      "underscores. It can be at most 80 letters long.")
        # nothing was sent by any of the failed requests
        self.assertNotIn("Messages", self.sqs.receive_message(QueueUrl=self.url))

    def test_ten_entries_is_allowed(self):
        r = self.sqs.send_message_batch(QueueUrl=self.url, Entries=[{"Id": "e%d" % i, "MessageBody": str(i)}
                                                                    for i in range(10)])
        self.assertEqual(len(r["Successful"]), 10)
        self.assertEqual(r.get("Failed", []), [])

    def test_batch_too_long(self):
        big = "x" * (1048576 // 2)
        msg = self.assertError("AWS.SimpleQueueService.BatchRequestTooLong", self.sqs.send_message_batch,
                               QueueUrl=self.url, Entries=[{"Id": "a", "MessageBody": big},
                                                           {"Id": "b", "MessageBody": big + "y"}])
        self.assertEqual(msg, "Batch requests cannot be longer than 1048576 bytes. You have sent 1048577 bytes.")


class TestPurge(ServerTest):
    def test_purge_and_in_progress(self):
        url = self.sqs.create_queue(QueueName="purgeme")["QueueUrl"]
        for i in range(3):
            self.sqs.send_message(QueueUrl=url, MessageBody=str(i))
        self.sqs.receive_message(QueueUrl=url, VisibilityTimeout=30)
        self.sqs.purge_queue(QueueUrl=url)
        a = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        self.assertEqual((a["ApproximateNumberOfMessages"], a["ApproximateNumberOfMessagesNotVisible"]), ("0", "0"))
        self.assertNotIn("Messages", self.sqs.receive_message(QueueUrl=url))
        msg = self.assertError("AWS.SimpleQueueService.PurgeQueueInProgress", self.sqs.purge_queue, QueueUrl=url)
        self.assertEqual(msg, "Only one PurgeQueue operation on purgeme is allowed every 60 seconds.")
        # messages sent after the purge are kept
        self.sqs.send_message(QueueUrl=url, MessageBody="after")
        self.assertEqual(self.sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"], "after")
        # another queue can still be purged
        other = self.sqs.create_queue(QueueName="purge2")["QueueUrl"]
        self.sqs.purge_queue(QueueUrl=other)


class TestRestoredTimers(unittest.TestCase):
    def test_in_flight_message_returns_to_a_waiting_long_poll_after_restart(self):
        """A message in flight at kill -9 becomes receivable when its visibility
        timeout ends, for a long poll already waiting, with nothing else sent."""
        import harness
        with harness.DataDir("runnel-timers-") as d:
            server = d.start()
            sqs = server.client()
            url = sqs.create_queue(QueueName="restored")["QueueUrl"]
            sqs.send_message(QueueUrl=url, MessageBody="in flight")
            self.assertEqual(len(sqs.receive_message(QueueUrl=url, VisibilityTimeout=2)["Messages"]), 1)
            server.kill()
            server = d.start()
            sqs = server.client(read_timeout=30)
            t = time.time()
            msgs = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=10,
                                       AttributeNames=["ApproximateReceiveCount"]).get("Messages", [])
            self.assertEqual([m["Body"] for m in msgs], ["in flight"])
            self.assertLess(time.time() - t, 9)  # woken by the visibility timeout, not the poll's end
            # the receive before the kill counted: its receive count survived too
            self.assertEqual(msgs[0]["Attributes"]["ApproximateReceiveCount"], "2")
            server.stop()
