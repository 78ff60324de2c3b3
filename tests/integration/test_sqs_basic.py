# SPDX-License-Identifier: MIT
"""Core SQS behaviour against the real server, run under both boto3s (JSON and
query protocols)."""
import hashlib
import struct
import threading
import time

import boto3

from harness import UUID, ServerTest
from sqs_helpers import task_handle_parts, wait_until


def md5_attrs(attrs):
    h = hashlib.md5()
    for name in sorted(attrs):
        a = attrs[name]
        enc = lambda b: struct.pack(">I", len(b)) + b  # noqa: E731
        h.update(enc(name.encode()) + enc(a["DataType"].encode()))
        if "BinaryValue" in a:
            h.update(b"\x02" + enc(a["BinaryValue"]))
        else:
            h.update(b"\x01" + enc(a["StringValue"].encode()))
    return h.hexdigest()


class TestQueues(ServerTest):
    def test_create_get_url_list_delete(self):
        url = self.sqs.create_queue(QueueName="orders")["QueueUrl"]
        self.assertEqual(url, self.server.endpoint + "/000000000000/orders")
        self.assertEqual(self.sqs.get_queue_url(QueueName="orders")["QueueUrl"], url)
        self.sqs.create_queue(QueueName="other")
        self.assertEqual(self.sqs.list_queues(QueueNamePrefix="ord")["QueueUrls"], [url])
        self.sqs.delete_queue(QueueUrl=url)
        self.assertError("AWS.SimpleQueueService.NonExistentQueue", self.sqs.get_queue_url, QueueName="orders")

    def test_create_is_idempotent_but_conflicting_attributes_fail(self):
        self.sqs.create_queue(QueueName="q", Attributes={"VisibilityTimeout": "40"})
        self.sqs.create_queue(QueueName="q", Attributes={"VisibilityTimeout": "40"})
        self.assertError("QueueAlreadyExists", self.sqs.create_queue, QueueName="q",
                         Attributes={"VisibilityTimeout": "41"})

    def test_list_queues_paginates(self):
        for i in range(5):
            self.sqs.create_queue(QueueName="p%d" % i)
        r = self.sqs.list_queues(MaxResults=2)
        self.assertEqual(len(r["QueueUrls"]), 2)
        r2 = self.sqs.list_queues(MaxResults=10, NextToken=r["NextToken"])
        self.assertEqual(len(r2["QueueUrls"]), 3)

    def test_attributes_roundtrip_and_range_errors(self):
        url = self.sqs.create_queue(QueueName="attrs")["QueueUrl"]
        self.sqs.set_queue_attributes(QueueUrl=url, Attributes={"DelaySeconds": "5"})
        a = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        self.assertEqual(a["DelaySeconds"], "5")
        self.assertEqual(a["MaximumMessageSize"], "1048576")
        self.assertEqual(a["QueueArn"], "arn:aws:sqs:us-east-1:000000000000:attrs")
        msg = self.assertError("InvalidAttributeValue", self.sqs.set_queue_attributes, QueueUrl=url,
                               Attributes={"VisibilityTimeout": "43201"})
        self.assertEqual(msg, "Invalid value for the parameter VisibilityTimeout.")
        self.assertError("InvalidAttributeName", self.sqs.set_queue_attributes, QueueUrl=url,
                         Attributes={"Bogus": "1"})

    def test_tags(self):
        url = self.sqs.create_queue(QueueName="tagged", tags={"team": "a"})["QueueUrl"]
        self.sqs.tag_queue(QueueUrl=url, Tags={"env": "test"})
        self.assertEqual(self.sqs.list_queue_tags(QueueUrl=url)["Tags"], {"team": "a", "env": "test"})
        self.sqs.untag_queue(QueueUrl=url, TagKeys=["team"])
        self.assertEqual(self.sqs.list_queue_tags(QueueUrl=url)["Tags"], {"env": "test"})

    def test_invalid_queue_name(self):
        self.assertError("InvalidParameterValue", self.sqs.create_queue, QueueName="bad name")


class TestMessages(ServerTest):
    def setUp(self):
        super().setUp()
        self.url = self.sqs.create_queue(QueueName="m", Attributes={"VisibilityTimeout": "1"})["QueueUrl"]

    def test_send_receive_delete_with_attributes_and_digests(self):
        attrs = {"s": {"DataType": "String", "StringValue": "héllo"},
                 "n": {"DataType": "Number.int", "StringValue": "42"},
                 "b": {"DataType": "Binary", "BinaryValue": b"\x00\xff"}}
        r = self.sqs.send_message(QueueUrl=self.url, MessageBody="body & <xml>", MessageAttributes=attrs)
        self.assertEqual(r["MD5OfMessageBody"], hashlib.md5("body & <xml>".encode()).hexdigest())
        self.assertEqual(r["MD5OfMessageAttributes"], md5_attrs(attrs))
        m = self.sqs.receive_message(QueueUrl=self.url, MessageAttributeNames=["All"],
                                     AttributeNames=["All"])["Messages"][0]
        self.assertEqual(m["Body"], "body & <xml>")
        self.assertEqual(m["MessageId"], r["MessageId"])
        self.assertEqual(m["MessageAttributes"]["b"]["BinaryValue"], b"\x00\xff")
        self.assertEqual(m["MD5OfMessageAttributes"], md5_attrs(attrs))
        self.assertEqual(m["Attributes"]["ApproximateReceiveCount"], "1")
        self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=m["ReceiptHandle"])
        self.assertNotIn("Messages", self.sqs.receive_message(QueueUrl=self.url))

    def test_visibility_timeout_returns_message_with_higher_count(self):
        self.sqs.send_message(QueueUrl=self.url, MessageBody="x")
        m1 = self.sqs.receive_message(QueueUrl=self.url)["Messages"][0]
        self.assertNotIn("Messages", self.sqs.receive_message(QueueUrl=self.url))
        self.advance(1.2)
        m2 = self.sqs.receive_message(QueueUrl=self.url, AttributeNames=["ApproximateReceiveCount"])["Messages"][0]
        self.assertEqual(m2["Attributes"]["ApproximateReceiveCount"], "2")
        self.assertNotEqual(m1["ReceiptHandle"], m2["ReceiptHandle"])

    def test_change_visibility_to_zero_makes_message_visible(self):
        self.sqs.send_message(QueueUrl=self.url, MessageBody="x")
        m = self.sqs.receive_message(QueueUrl=self.url, VisibilityTimeout=60)["Messages"][0]
        self.sqs.change_message_visibility(QueueUrl=self.url, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=0)
        again = self.sqs.receive_message(QueueUrl=self.url)["Messages"]
        self.assertEqual([(a["MessageId"], a["Body"]) for a in again], [(m["MessageId"], "x")])

    def test_invalid_receipt_handle(self):
        self.assertError("ReceiptHandleIsInvalid", self.sqs.delete_message, QueueUrl=self.url,
                         ReceiptHandle="garbage")

    def test_long_poll_returns_when_message_arrives(self):
        def later():
            time.sleep(0.5)
            self.server.client().send_message(QueueUrl=self.url, MessageBody="late")
        t = threading.Thread(target=later)
        t0 = time.time()
        t.start()
        r = self.sqs.receive_message(QueueUrl=self.url, WaitTimeSeconds=20)
        t.join()
        self.assertEqual(r["Messages"][0]["Body"], "late")
        self.assertLess(time.time() - t0, 20, "woken by the send, not by the end of the wait")

    def test_long_poll_times_out_empty(self):
        t0 = time.time()
        r = self.sqs.receive_message(QueueUrl=self.url, WaitTimeSeconds=1)
        self.assertNotIn("Messages", r)
        self.assertGreaterEqual(time.time() - t0, 0.9)

    def test_delay_seconds(self):
        self.sqs.send_message(QueueUrl=self.url, MessageBody="d", DelaySeconds=1)
        self.assertNotIn("Messages", self.sqs.receive_message(QueueUrl=self.url))
        self.advance(1.2)
        self.assertEqual([m["Body"] for m in self.sqs.receive_message(QueueUrl=self.url)["Messages"]], ["d"])

    def test_batch_send_and_delete_with_entry_errors(self):
        r = self.sqs.send_message_batch(QueueUrl=self.url, Entries=[
            {"Id": "a", "MessageBody": "1"}, {"Id": "b", "MessageBody": "2"},
            {"Id": "c", "MessageBody": "3", "DelaySeconds": 1000}])
        self.assertEqual(sorted(e["Id"] for e in r["Successful"]), ["a", "b"])
        self.assertEqual(r["Failed"][0]["Id"], "c")
        self.assertEqual(r["Failed"][0]["Code"], "InvalidParameterValue")
        msgs = self.sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=10, VisibilityTimeout=30)["Messages"]
        self.assertEqual(len(msgs), 2)
        d = self.sqs.delete_message_batch(QueueUrl=self.url, Entries=[
            {"Id": "x%d" % i, "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(msgs)])
        self.assertEqual(len(d["Successful"]), 2)

    def test_batch_request_errors(self):
        self.assertError("AWS.SimpleQueueService.TooManyEntriesInBatchRequest", self.sqs.send_message_batch,
                         QueueUrl=self.url, Entries=[{"Id": str(i), "MessageBody": "x"} for i in range(11)])
        self.assertError("AWS.SimpleQueueService.BatchEntryIdsNotDistinct", self.sqs.send_message_batch,
                         QueueUrl=self.url, Entries=[{"Id": "a", "MessageBody": "x"}, {"Id": "a", "MessageBody": "y"}])
        self.assertError("AWS.SimpleQueueService.InvalidBatchEntryId", self.sqs.send_message_batch,
                         QueueUrl=self.url, Entries=[{"Id": "bad:id", "MessageBody": "x"}])

    def test_receive_parameter_ranges(self):
        msg = self.assertError("InvalidParameterValue", self.sqs.receive_message, QueueUrl=self.url,
                               MaxNumberOfMessages=11)
        self.assertEqual(msg, "Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 "
                              "and 10, if provided.")

    def test_purge_and_purge_in_progress(self):
        self.sqs.send_message(QueueUrl=self.url, MessageBody="x")
        self.sqs.purge_queue(QueueUrl=self.url)
        self.assertNotIn("Messages", self.sqs.receive_message(QueueUrl=self.url))
        self.assertError("AWS.SimpleQueueService.PurgeQueueInProgress", self.sqs.purge_queue, QueueUrl=self.url)


class TestFifoAndDlq(ServerTest):
    def test_fifo_group_order_locking_and_dedup(self):
        url = self.sqs.create_queue(QueueName="o.fifo", Attributes={
            "FifoQueue": "true", "ContentBasedDeduplication": "true"})["QueueUrl"]
        ids = [self.sqs.send_message(QueueUrl=url, MessageBody="a%d" % i, MessageGroupId="A")["MessageId"]
               for i in range(3)]
        self.sqs.send_message(QueueUrl=url, MessageBody="b0", MessageGroupId="B")
        dup = self.sqs.send_message(QueueUrl=url, MessageBody="a0", MessageGroupId="A")
        self.assertEqual(dup["MessageId"], ids[0])
        first = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=2)["Messages"]
        self.assertEqual([m["Body"] for m in first], ["a0", "a1"])
        nxt = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
        self.assertEqual([m["Body"] for m in nxt], ["b0"])  # group A is locked while in flight
        for m in first:
            self.sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        last = self.sqs.receive_message(QueueUrl=url)["Messages"]
        self.assertEqual(last[0]["Body"], "a2")

    def test_fifo_requires_group_and_rejects_delay(self):
        url = self.sqs.create_queue(QueueName="r.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
        self.assertError("MissingParameter", self.sqs.send_message, QueueUrl=url, MessageBody="x",
                         MessageDeduplicationId="d")
        self.assertError("InvalidParameterValue", self.sqs.send_message, QueueUrl=url, MessageBody="x",
                         MessageGroupId="g")

    def test_dead_letter_queue_after_max_receives(self):
        dlq = self.sqs.create_queue(QueueName="dlq")["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        src = self.sqs.create_queue(QueueName="src", Attributes={
            "RedrivePolicy": '{"deadLetterTargetArn":"%s","maxReceiveCount":"1"}' % arn})["QueueUrl"]
        self.sqs.send_message(QueueUrl=src, MessageBody="poison")
        self.sqs.receive_message(QueueUrl=src, VisibilityTimeout=0)
        self.assertNotIn("Messages", self.sqs.receive_message(QueueUrl=src))
        m = self.sqs.receive_message(QueueUrl=dlq, AttributeNames=["All"])["Messages"][0]
        self.assertEqual(m["Body"], "poison")
        self.assertEqual(m["Attributes"]["DeadLetterQueueSourceArn"],
                         "arn:aws:sqs:us-east-1:000000000000:src")
        self.assertEqual(self.sqs.list_dead_letter_source_queues(QueueUrl=dlq)["queueUrls"], [src])


class TestMoveTasks(ServerTest):
    def test_move_task_redrives_dlq_messages_back_to_source(self):
        if not hasattr(self.sqs, "start_message_move_task"):
            self.skipTest("this boto3 (%s) predates the message move task API" % boto3.__version__)
        dlq = self.sqs.create_queue(QueueName="mt-dlq")["QueueUrl"]
        dlq_arn = "arn:aws:sqs:us-east-1:000000000000:mt-dlq"
        src = self.sqs.create_queue(QueueName="mt-src", Attributes={
            "RedrivePolicy": '{"deadLetterTargetArn":"%s","maxReceiveCount":1}' % dlq_arn})["QueueUrl"]
        for i in range(3):
            self.sqs.send_message(QueueUrl=src, MessageBody="m%d" % i)
        self.sqs.receive_message(QueueUrl=src, MaxNumberOfMessages=10, VisibilityTimeout=0)
        self.assertNotIn("Messages", self.sqs.receive_message(QueueUrl=src, MaxNumberOfMessages=10))
        self.assertError("InvalidParameterValue", self.sqs.start_message_move_task,
                         SourceArn="arn:aws:sqs:us-east-1:000000000000:mt-src")
        handle = self.sqs.start_message_move_task(SourceArn=dlq_arn)["TaskHandle"]
        task_id, source = task_handle_parts(handle)
        self.assertRegex(task_id, "^%s$" % UUID)
        self.assertEqual(source, dlq_arn)

        def completed():
            tasks = self.sqs.list_message_move_tasks(SourceArn=dlq_arn)["Results"]
            return tasks if tasks[0]["Status"] == "COMPLETED" else None
        tasks = wait_until(completed)
        self.assertEqual(tasks[0]["Status"], "COMPLETED")
        self.assertEqual(tasks[0]["ApproximateNumberOfMessagesMoved"], 3)
        got = self.sqs.receive_message(QueueUrl=src, MaxNumberOfMessages=10, VisibilityTimeout=30)["Messages"]
        self.assertEqual(sorted(m["Body"] for m in got), ["m0", "m1", "m2"])
        self.assertError("ResourceNotFoundException", self.sqs.cancel_message_move_task, TaskHandle=handle)
