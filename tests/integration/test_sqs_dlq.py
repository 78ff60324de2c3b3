# SPDX-License-Identifier: MIT
"""Dead-letter queues: redrive after maxReceiveCount, source listing,
redrive policy validation and message move tasks."""
import json


from harness import ServerTest
from sqs_helpers import arn, drain, move_task_client, task_handle_parts, wait_until


class TestDeadLetter(ServerTest):
    def setUp(self):
        super().setUp()
        self.dlq = self.sqs.create_queue(QueueName="dead")["QueueUrl"]
        self.dlq_arn = self.sqs.get_queue_attributes(QueueUrl=self.dlq,
                                                     AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        self.assertEqual(self.dlq_arn, arn("dead"))

    def source(self, name="source", max_receives=2):
        policy = json.dumps({"deadLetterTargetArn": self.dlq_arn, "maxReceiveCount": max_receives})
        return self.sqs.create_queue(QueueName=name, Attributes={"RedrivePolicy": policy})["QueueUrl"]

    def count(self, url, name="ApproximateNumberOfMessages"):
        return int(self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=[name])["Attributes"][name])

    def test_redrive_policy_roundtrip(self):
        src = self.source(max_receives=3)
        rp = self.sqs.get_queue_attributes(QueueUrl=src, AttributeNames=["RedrivePolicy"])["Attributes"]
        self.assertEqual(json.loads(rp["RedrivePolicy"]), {"deadLetterTargetArn": self.dlq_arn,
                                                          "maxReceiveCount": 3})
        # an empty policy removes it
        self.sqs.set_queue_attributes(QueueUrl=src, Attributes={"RedrivePolicy": ""})
        a = self.sqs.get_queue_attributes(QueueUrl=src, AttributeNames=["All"])["Attributes"]
        self.assertNotIn("RedrivePolicy", a)
        self.assertEqual(self.sqs.list_dead_letter_source_queues(QueueUrl=self.dlq).get("queueUrls", []), [])

    def test_redrive_policy_max_receive_count_is_a_number(self):
        # AWS returns maxReceiveCount as a JSON number however it was set (recorded GetQueueAttributes answers:
        # localstack tests/aws/services/sqs/resource_providers/test_aws_sqs_queue.snapshot.json,
        # test_update_standard_queue_modify_properties_in_place: "maxReceiveCount": 3).
        as_string = json.dumps({"deadLetterTargetArn": self.dlq_arn, "maxReceiveCount": "3"})
        src = self.sqs.create_queue(QueueName="strcount", Attributes={"RedrivePolicy": as_string})["QueueUrl"]
        rp = self.sqs.get_queue_attributes(QueueUrl=src, AttributeNames=["RedrivePolicy"])["Attributes"]
        self.assertEqual(json.loads(rp["RedrivePolicy"]), {"deadLetterTargetArn": self.dlq_arn, "maxReceiveCount": 3})
        self.assertEqual(rp["RedrivePolicy"], '{"deadLetterTargetArn":"%s","maxReceiveCount":3}' % self.dlq_arn)
        # the same CreateQueue again is not a different value
        self.assertEqual(self.sqs.create_queue(QueueName="strcount", Attributes={"RedrivePolicy": as_string})
                         ["QueueUrl"], src)
        self.sqs.set_queue_attributes(QueueUrl=src, Attributes={"RedrivePolicy": json.dumps(
            {"maxReceiveCount": "7", "deadLetterTargetArn": self.dlq_arn})})
        rp = self.sqs.get_queue_attributes(QueueUrl=src, AttributeNames=["RedrivePolicy"])["Attributes"]
        self.assertEqual(json.loads(rp["RedrivePolicy"])["maxReceiveCount"], 7)

    def test_max_receive_count_moves_message(self):
        src = self.source(max_receives=2)
        sent = self.sqs.send_message(QueueUrl=src, MessageBody="poison", MessageAttributes={
            "k": {"DataType": "String", "StringValue": "v"}})
        for expected in ("1", "2"):
            m = self.sqs.receive_message(QueueUrl=src, VisibilityTimeout=0,
                                         AttributeNames=["ApproximateReceiveCount"])["Messages"][0]
            self.assertEqual(m["Attributes"]["ApproximateReceiveCount"], expected)
        # the third receive finds the message over its limit and moves it
        self.assertNotIn("Messages", self.sqs.receive_message(QueueUrl=src))
        self.assertEqual(self.count(src), 0)
        m = self.sqs.receive_message(QueueUrl=self.dlq, AttributeNames=["All"],
                                     MessageAttributeNames=["All"])["Messages"][0]
        self.assertEqual(m["Body"], "poison")
        self.assertEqual(m["MessageId"], sent["MessageId"])
        self.assertEqual(m["MD5OfMessageAttributes"], sent["MD5OfMessageAttributes"])
        self.assertEqual(m["MessageAttributes"]["k"]["StringValue"], "v")
        self.assertEqual(m["Attributes"]["DeadLetterQueueSourceArn"], arn("source"))

    def test_messages_under_the_limit_stay(self):
        src = self.source(max_receives=3)
        self.sqs.send_message(QueueUrl=src, MessageBody="ok")
        for _ in range(2):
            self.sqs.receive_message(QueueUrl=src, VisibilityTimeout=0)
        self.assertEqual(self.sqs.receive_message(QueueUrl=src)["Messages"][0]["Body"], "ok")
        self.assertEqual(self.count(self.dlq), 0)

    def test_list_dead_letter_source_queues(self):
        s1 = self.source("src-a")
        s2 = self.source("src-b")
        self.sqs.create_queue(QueueName="unrelated")
        urls = self.sqs.list_dead_letter_source_queues(QueueUrl=self.dlq)["queueUrls"]
        self.assertEqual(sorted(urls), sorted([s1, s2]))
        page = self.sqs.list_dead_letter_source_queues(QueueUrl=self.dlq, MaxResults=1)
        self.assertEqual(len(page["queueUrls"]), 1)
        rest = self.sqs.list_dead_letter_source_queues(QueueUrl=self.dlq, MaxResults=1,
                                                       NextToken=page["NextToken"])
        self.assertEqual(sorted(page["queueUrls"] + rest["queueUrls"]), sorted([s1, s2]))
        self.assertEqual(self.sqs.list_dead_letter_source_queues(QueueUrl=s1).get("queueUrls", []), [])

    def test_redrive_policy_errors(self):
        bad_count = json.dumps({"deadLetterTargetArn": self.dlq_arn, "maxReceiveCount": 0})
        msg = self.assertError("InvalidParameterValue", self.sqs.create_queue, QueueName="s",
                               Attributes={"RedrivePolicy": bad_count})
        self.assertEqual(msg, "Value %s for parameter RedrivePolicy is invalid. Reason: Invalid value for "
                              "maxReceiveCount: 0, valid values are from 1 to 1000 both inclusive." % bad_count)
        missing = json.dumps({"deadLetterTargetArn": arn("nope"), "maxReceiveCount": 1})
        msg = self.assertError("InvalidParameterValue", self.sqs.create_queue, QueueName="s",
                               Attributes={"RedrivePolicy": missing})
        self.assertEqual(msg, "Value %s for parameter RedrivePolicy is invalid. Reason: Dead letter target does "
                              "not exist." % missing)
        self.sqs.create_queue(QueueName="dead.fifo", Attributes={"FifoQueue": "true"})
        mismatch = json.dumps({"deadLetterTargetArn": arn("dead.fifo"), "maxReceiveCount": 1})
        msg = self.assertError("InvalidParameterValue", self.sqs.create_queue, QueueName="s",
                               Attributes={"RedrivePolicy": mismatch})
        self.assertEqual(msg, "Value %s for parameter RedrivePolicy is invalid. Reason: Dead-letter queue must be "
                              "same type of queue as the source.." % mismatch)
        # AWS's answer to a non-JSON policy is unrecorded; Runnel's is pinned so a change is deliberate
        msg = self.assertError("InvalidAttributeValue", self.sqs.create_queue, QueueName="s",
                               Attributes={"RedrivePolicy": "not json"})
        self.assertEqual(msg, "Invalid value for the parameter RedrivePolicy.")
        self.assertNotIn("QueueUrls", self.sqs.list_queues(QueueNamePrefix="s"))

    def test_redrive_allow_policy_deny_all(self):
        self.sqs.set_queue_attributes(QueueUrl=self.dlq, Attributes={
            "RedriveAllowPolicy": json.dumps({"redrivePermission": "denyAll"})})
        policy = json.dumps({"deadLetterTargetArn": self.dlq_arn, "maxReceiveCount": 1})
        self.assertError("InvalidParameterValue", self.sqs.create_queue, QueueName="denied",
                         Attributes={"RedrivePolicy": policy})
        self.sqs.set_queue_attributes(QueueUrl=self.dlq, Attributes={
            "RedriveAllowPolicy": json.dumps({"redrivePermission": "byQueue", "sourceQueueArns": [arn("allowed")]})})
        self.sqs.create_queue(QueueName="allowed", Attributes={"RedrivePolicy": policy})
        self.assertError("InvalidParameterValue", self.sqs.create_queue, QueueName="denied",
                         Attributes={"RedrivePolicy": policy})


class TestFifoDeadLetter(ServerTest):
    def test_a_moved_head_lets_the_next_message_of_its_group_be_received(self):
        # visibility 0: each message is received once, then the next receive
        # moves it to the DLQ and hands out the one behind it in the group
        self.sqs.create_queue(QueueName="fdlq.fifo", Attributes={"FifoQueue": "true"})
        policy = json.dumps({"deadLetterTargetArn": arn("fdlq.fifo"), "maxReceiveCount": 1})
        q = self.sqs.create_queue(QueueName="fsrc.fifo", Attributes={"FifoQueue": "true", "VisibilityTimeout": "0",
                                                                     "RedrivePolicy": policy})["QueueUrl"]
        for i in range(3):
            self.sqs.send_message(QueueUrl=q, MessageBody="m%d" % i, MessageGroupId="g",
                                  MessageDeduplicationId=str(i))
        got = [[m["Body"] for m in self.sqs.receive_message(QueueUrl=q).get("Messages", [])] for _ in range(3)]
        self.assertEqual(got, [["m0"], ["m1"], ["m2"]])


class TestMoveTasks(ServerTest):
    def setUp(self):
        super().setUp()
        self.mt = move_task_client(self.server, self.sqs)
        self.dlq = self.sqs.create_queue(QueueName="mdlq")["QueueUrl"]
        policy = json.dumps({"deadLetterTargetArn": arn("mdlq"), "maxReceiveCount": 1})
        self.src = self.sqs.create_queue(QueueName="msrc", Attributes={"RedrivePolicy": policy})["QueueUrl"]

    def dead_letter(self, n):
        for i in range(n):
            self.sqs.send_message(QueueUrl=self.src, MessageBody="m%d" % i)
        drain(self.sqs, self.src, VisibilityTimeout=0)  # first receive of each
        self.assertEqual(drain(self.sqs, self.src), [])  # second receive moves them all
        a = self.sqs.get_queue_attributes(QueueUrl=self.dlq, AttributeNames=["ApproximateNumberOfMessages"])
        self.assertEqual(a["Attributes"]["ApproximateNumberOfMessages"], str(n))

    def wait_task(self, source_arn):
        def done():
            r = self.mt.list_message_move_tasks(SourceArn=source_arn, MaxResults=10)["Results"]
            return r if r and r[0]["Status"] != "RUNNING" else None
        r = wait_until(done)
        self.assertIsNotNone(r, "move task did not finish")
        return r

    def test_move_back_to_source(self):
        self.dead_letter(3)
        h = self.mt.start_message_move_task(SourceArn=arn("mdlq"))["TaskHandle"]
        self.assertEqual(task_handle_parts(h)[1], arn("mdlq"))
        tasks = self.wait_task(arn("mdlq"))
        t = tasks[0]
        self.assertEqual(t["Status"], "COMPLETED")
        self.assertEqual(t["SourceArn"], arn("mdlq"))
        self.assertEqual(t["ApproximateNumberOfMessagesMoved"], 3)
        self.assertEqual(t["ApproximateNumberOfMessagesToMove"], 3)
        self.assertNotIn("TaskHandle", t)
        msgs = drain(self.sqs, self.src, AttributeNames=["ApproximateReceiveCount"])
        self.assertEqual(sorted(m["Body"] for m in msgs), ["m0", "m1", "m2"])
        # the receive count starts again after a move
        self.assertEqual({m["Attributes"]["ApproximateReceiveCount"] for m in msgs}, {"1"})
        self.assertEqual(drain(self.sqs, self.dlq), [])

    def test_move_to_explicit_destination(self):
        other = self.sqs.create_queue(QueueName="elsewhere")["QueueUrl"]
        self.dead_letter(2)
        self.mt.start_message_move_task(SourceArn=arn("mdlq"), DestinationArn=arn("elsewhere"),
                                         MaxNumberOfMessagesPerSecond=100)
        t = self.wait_task(arn("mdlq"))[0]
        self.assertEqual(t["Status"], "COMPLETED")
        self.assertEqual(t["DestinationArn"], arn("elsewhere"))
        self.assertEqual(t["MaxNumberOfMessagesPerSecond"], 100)
        self.assertEqual(sorted(m["Body"] for m in drain(self.sqs, other)), ["m0", "m1"])
        self.assertEqual(drain(self.sqs, self.src), [])

    def test_move_task_errors(self):
        msg = self.assertError("InvalidParameterValue", self.mt.start_message_move_task, SourceArn=arn("msrc"))
        self.assertEqual(msg, "Source queue must be configured as a Dead Letter Queue.")
        msg = self.assertError("ResourceNotFoundException", self.mt.start_message_move_task,
                               SourceArn=arn("missing"))
        self.assertEqual(msg, "The resource that you specified for the SourceArn parameter doesn't exist.")
        msg = self.assertError("ResourceNotFoundException", self.mt.start_message_move_task,
                               SourceArn=arn("mdlq"), DestinationArn=arn("missing"))
        self.assertEqual(msg, "The resource that you specified for the DestinationArn parameter doesn't exist.")
        self.assertError("InvalidParameterValue", self.mt.start_message_move_task, SourceArn="not-an-arn")
        msg = self.assertError("InvalidParameterValue", self.mt.cancel_message_move_task, TaskHandle="garbage")
        self.assertEqual(msg, "Value for parameter TaskHandle is invalid.")
        self.assertEqual(self.mt.list_message_move_tasks(SourceArn=arn("mdlq")).get("Results", []), [])

    def test_one_running_task_and_cancel(self):
        # an in-flight message keeps the task running, so a second start is refused
        self.dead_letter(1)
        self.sqs.receive_message(QueueUrl=self.dlq, VisibilityTimeout=30)
        h = self.mt.start_message_move_task(SourceArn=arn("mdlq"))["TaskHandle"]
        msg = self.assertError("InvalidParameterValue", self.mt.start_message_move_task, SourceArn=arn("mdlq"))
        self.assertEqual(msg, "There is already a task running. Only one active task is allowed for a source "
                              "queue arn at a given time.")
        r = self.mt.list_message_move_tasks(SourceArn=arn("mdlq"))["Results"]
        self.assertEqual((r[0]["Status"], r[0]["TaskHandle"]), ("RUNNING", h))
        c = self.mt.cancel_message_move_task(TaskHandle=h)
        self.assertEqual(c["ApproximateNumberOfMessagesMoved"], 0)
        r = self.mt.list_message_move_tasks(SourceArn=arn("mdlq"))["Results"]
        self.assertEqual(r[0]["Status"], "CANCELLED")
        self.assertError("ResourceNotFoundException", self.mt.cancel_message_move_task, TaskHandle=h)
