# SPDX-License-Identifier: MIT
"""Runnel's own metrics for SQS, EventBridge and Lambda, named, united and
counted as AWS documents them ("Available CloudWatch metrics for Amazon SQS",
"Monitoring Amazon EventBridge", "Lambda function metrics"): read at
GET /metrics through Prometheus' own parser, and in CloudWatch (AWS/SQS,
AWS/Events, AWS/Lambda) after the server's clock moves past a minute."""
import concurrent.futures
import datetime
import json
import os
import time
import unittest

import botocore
import botocore.config
import harness
from test_lambda import ECHO, ROLE, zip_of
from test_prometheus import parsed

ACCOUNT = "000000000000"
REGION = "us-east-1"


class OwnMetricsTest(harness.ServerTest):
    def figures(self):
        """Every sample of GET /metrics as {(sample name, frozenset of labels): value}, with the family types."""
        _, samples = parsed(self.server.endpoint)
        self.types = {s[2]: s[1] for s in samples}
        return {(s[2], frozenset(s[3].items())): s[4] for s in samples}

    def fig(self, figures, name, **labels):
        """One sample's value; None when the page has no such sample."""
        labels.update(account=ACCOUNT, region=REGION)
        return figures.get((name, frozenset(labels.items())))

    def cw_points(self, ns, name, dim, value, stat="Sum"):
        """The statistic of each minute's datapoint over the last ten minutes, oldest first (dim None: the
        figure without a dimension)."""
        now = datetime.datetime.fromisoformat(self.clock_now.replace("Z", "+00:00"))
        cw = self.server.client("cloudwatch")
        r = cw.get_metric_statistics(Namespace=ns, MetricName=name, Statistics=[stat], Period=60,
                                     Dimensions=[{"Name": dim, "Value": value}] if dim else [],
                                     StartTime=now - datetime.timedelta(minutes=10),
                                     EndTime=now + datetime.timedelta(minutes=1))
        return [p[stat] for p in sorted(r["Datapoints"], key=lambda p: p["Timestamp"])]

    def cw_total(self, ns, name, dim, value, stat="Sum"):
        """Sum or SampleCount over the last ten minutes (the minutes' datapoints added up)."""
        self.assertIn(stat, ("Sum", "SampleCount"))
        return sum(self.cw_points(ns, name, dim, value, stat))

    def next_minute(self):
        """Moves the clock past a minute, so CloudWatch takes in the minute's figures."""
        self.clock_now = self.advance(61)["now"]


class TestSqsMetrics(OwnMetricsTest):
    def q(self, name, **attrs):
        return self.sqs.create_queue(QueueName=name, Attributes=attrs)["QueueUrl"]

    def arn(self, url):
        return self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]

    def test_counts_sends_receives_deletes_and_empty_receives_as_aws_does(self):
        url = self.q("mq")
        self.sqs.send_message(QueueUrl=url, MessageBody="hello",
                              MessageAttributes={"k": {"DataType": "String", "StringValue": "vv"}})
        r = self.sqs.send_message_batch(QueueUrl=url, Entries=[
            {"Id": "a", "MessageBody": "one"}, {"Id": "b", "MessageBody": "three"},
            {"Id": "c", "MessageBody": "x", "DelaySeconds": 1000}])  # c fails: not sent, not counted
        self.assertEqual(len(r["Successful"]), 2)
        self.assertEqual(len(r["Failed"]), 1)
        self.sqs.send_message(QueueUrl=url, MessageBody="later", DelaySeconds=300)
        got = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=60)["Messages"]
        self.assertEqual(len(got), 3)
        self.sqs.delete_message(QueueUrl=url, ReceiptHandle=got[0]["ReceiptHandle"])
        self.sqs.delete_message(QueueUrl=url, ReceiptHandle=got[0]["ReceiptHandle"])  # AWS counts it again
        self.sqs.delete_message_batch(QueueUrl=url, Entries=[{"Id": "d", "ReceiptHandle": got[1]["ReceiptHandle"]}])
        self.assertNotIn("Messages", self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0))
        self.assertNotIn("Messages", self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0))
        f = self.figures()
        where = dict(queue_name="mq")
        self.assertEqual(self.fig(f, "runnel_aws_sqs_number_of_messages_sent_total", **where), 4)
        # the size AWS counts: body and attributes (name, type and value)
        self.assertEqual(self.fig(f, "runnel_aws_sqs_sent_message_size_sum", **where),
                         len("hello") + len("k") + len("String") + len("vv") + len("one") + len("three") +
                         len("later"))
        self.assertEqual(self.fig(f, "runnel_aws_sqs_sent_message_size_count", **where), 4)
        self.assertEqual(self.fig(f, "runnel_aws_sqs_number_of_messages_received_total", **where), 3)
        self.assertEqual(self.fig(f, "runnel_aws_sqs_number_of_messages_deleted_total", **where), 3)
        self.assertEqual(self.fig(f, "runnel_aws_sqs_number_of_empty_receives_total", **where), 2)
        self.assertEqual(self.fig(f, "runnel_aws_sqs_approximate_number_of_messages_visible", **where), 0)
        self.assertEqual(self.fig(f, "runnel_aws_sqs_approximate_number_of_messages_not_visible", **where), 1)
        self.assertEqual(self.fig(f, "runnel_aws_sqs_approximate_number_of_messages_delayed", **where), 1)
        self.assertEqual(self.types["runnel_aws_sqs_number_of_messages_sent_total"], "counter")
        self.assertEqual(self.types["runnel_aws_sqs_approximate_number_of_messages_visible"], "gauge")
        self.assertEqual(self.types["runnel_aws_sqs_sent_message_size_sum"], "summary")

    def test_sent_message_size_appears_once_a_message_is_sent(self):
        url = self.q("quiet")
        f = self.figures()
        self.assertEqual(self.fig(f, "runnel_aws_sqs_number_of_messages_sent_total", queue_name="quiet"), 0)
        self.assertIsNone(self.fig(f, "runnel_aws_sqs_sent_message_size_sum", queue_name="quiet"))
        self.sqs.send_message(QueueUrl=url, MessageBody="abc")
        f = self.figures()
        self.assertEqual(self.fig(f, "runnel_aws_sqs_sent_message_size_sum", queue_name="quiet"), 3)

    def test_a_long_poll_that_ends_empty_is_one_empty_receive(self):
        url = self.q("poll")
        self.assertNotIn("Messages", self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1))
        f = self.figures()
        self.assertEqual(self.fig(f, "runnel_aws_sqs_number_of_empty_receives_total", queue_name="poll"), 1)
        self.assertEqual(self.fig(f, "runnel_aws_sqs_number_of_messages_received_total", queue_name="poll"), 0)

    def test_a_dead_letter_move_is_not_a_send_and_the_age_counts_from_the_move(self):
        dlq = self.q("mdlq")
        src = self.q("msrc", RedrivePolicy=json.dumps({"deadLetterTargetArn": self.arn(dlq),
                                                       "maxReceiveCount": 1}))
        self.sqs.send_message(QueueUrl=src, MessageBody="poison")
        self.assertEqual(len(self.sqs.receive_message(QueueUrl=src, VisibilityTimeout=0)["Messages"]), 1)
        self.advance(100)
        self.assertNotIn("Messages", self.sqs.receive_message(QueueUrl=src))  # moves it to the DLQ
        f = self.figures()
        self.assertEqual(self.fig(f, "runnel_aws_sqs_number_of_messages_sent_total", queue_name="msrc"), 1)
        self.assertEqual(self.fig(f, "runnel_aws_sqs_number_of_messages_sent_total", queue_name="mdlq"), 0)
        self.assertEqual(self.fig(f, "runnel_aws_sqs_number_of_messages_received_total", queue_name="msrc"), 1)
        self.assertEqual(self.fig(f, "runnel_aws_sqs_number_of_empty_receives_total", queue_name="msrc"), 1)
        self.assertEqual(self.fig(f, "runnel_aws_sqs_approximate_number_of_messages_visible", queue_name="msrc"), 0)
        self.assertEqual(self.fig(f, "runnel_aws_sqs_approximate_number_of_messages_visible", queue_name="mdlq"), 1)
        self.assertLess(self.fig(f, "runnel_aws_sqs_approximate_age_of_oldest_message", queue_name="mdlq"), 50)
        self.advance(30)
        f = self.figures()
        self.assertGreaterEqual(self.fig(f, "runnel_aws_sqs_approximate_age_of_oldest_message", queue_name="mdlq"), 30)
        self.assertLess(self.fig(f, "runnel_aws_sqs_approximate_age_of_oldest_message", queue_name="mdlq"), 80)

    def receive_three_times(self, url, **kw):
        for _ in range(3):
            self.assertEqual(len(self.sqs.receive_message(QueueUrl=url, VisibilityTimeout=1, **kw)["Messages"]), 1)
            self.advance(2)

    def test_age_of_oldest_message_leaves_out_a_standard_queues_poison_pill(self):
        url = self.q("aged")
        self.sqs.send_message(QueueUrl=url, MessageBody="old")
        self.advance(40)
        age = self.fig(self.figures(), "runnel_aws_sqs_approximate_age_of_oldest_message", queue_name="aged")
        self.assertGreaterEqual(age, 40)
        self.assertLess(age, 40 + 20)
        self.receive_three_times(url)  # received three times, never deleted: a poison pill
        self.advance(40)
        self.sqs.send_message(QueueUrl=url, MessageBody="new")
        self.advance(5)
        age = self.fig(self.figures(), "runnel_aws_sqs_approximate_age_of_oldest_message", queue_name="aged")
        self.assertGreaterEqual(age, 5)
        self.assertLess(age, 40)

    def test_age_of_oldest_message_keeps_a_fifo_queues_blocking_message(self):
        url = self.q("aged.fifo", FifoQueue="true", ContentBasedDeduplication="true")
        self.sqs.send_message(QueueUrl=url, MessageBody="old", MessageGroupId="g")
        self.receive_three_times(url)
        self.advance(40)
        self.sqs.send_message(QueueUrl=url, MessageBody="new", MessageGroupId="h")
        age = self.fig(self.figures(), "runnel_aws_sqs_approximate_age_of_oldest_message", queue_name="aged.fifo")
        self.assertGreaterEqual(age, 46)

    def test_deliveries_from_sns_count_as_sends(self):
        url = self.q("fromsns")
        sns = self.server.client("sns")
        topic = sns.create_topic(Name="to-q")["TopicArn"]
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=self.arn(url),
                      Attributes={"RawMessageDelivery": "true"})
        sns.publish(TopicArn=topic, Message="m1")
        sns.publish(TopicArn=topic, Message="m2")
        f = self.figures()
        self.assertEqual(self.fig(f, "runnel_aws_sqs_number_of_messages_sent_total", queue_name="fromsns"), 2)

    def test_figures_reach_aws_sqs_in_cloudwatch_each_minute(self):
        url = self.q("cwq")
        for body in ("a", "bb", "cccc"):
            self.sqs.send_message(QueueUrl=url, MessageBody=body)
        self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1, VisibilityTimeout=300)
        self.next_minute()
        self.assertEqual(self.cw_total("AWS/SQS", "NumberOfMessagesSent", "QueueName", "cwq"), 3)
        self.assertEqual(self.cw_total("AWS/SQS", "NumberOfMessagesReceived", "QueueName", "cwq"), 1)
        self.assertEqual(self.cw_total("AWS/SQS", "SentMessageSize", "QueueName", "cwq", "Sum"), 7)
        self.assertEqual(self.cw_total("AWS/SQS", "SentMessageSize", "QueueName", "cwq", "SampleCount"), 3)
        # a level is its value at the minute's end
        self.assertEqual(self.cw_points("AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", "cwq",
                                        "Maximum")[-1], 2)
        self.assertEqual(self.cw_points("AWS/SQS", "ApproximateNumberOfMessagesNotVisible", "QueueName", "cwq",
                                        "Maximum")[-1], 1)
        # the next minute's send is that minute's sum, not the running total (a real minute's collection
        # may have split the first three)
        self.sqs.send_message(QueueUrl=url, MessageBody="d")
        self.next_minute()
        points = self.cw_points("AWS/SQS", "NumberOfMessagesSent", "QueueName", "cwq")
        self.assertEqual(sum(points), 4)
        self.assertEqual(points[-1], 1)
        names = {m["MetricName"] for m in self.server.client("cloudwatch").list_metrics(Namespace="AWS/SQS")["Metrics"]}
        self.assertIn("ApproximateAgeOfOldestMessage", names)


class TestEventsMetrics(OwnMetricsTest):
    def setUp(self):
        super().setUp()
        self.ev = self.server.client("events")

    def queue_arn(self, name):
        url = self.sqs.create_queue(QueueName=name)["QueueUrl"]
        return self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]

    def setup_rules(self):
        ok, dlq = self.queue_arn("ev-ok"), self.queue_arn("ev-dlq")
        missing = ok.replace("ev-ok", "ev-missing")
        self.ev.put_rule(Name="r1", EventPattern=json.dumps({"source": ["app"]}))
        self.ev.put_targets(Rule="r1", Targets=[
            {"Id": "ok", "Arn": ok},
            {"Id": "to-dlq", "Arn": missing, "DeadLetterConfig": {"Arn": dlq}},
            {"Id": "lost", "Arn": missing, "DeadLetterConfig": {"Arn": missing.replace("ev-missing", "no-dlq")}}])
        self.ev.put_rule(Name="r2", EventPattern=json.dumps({"source": ["other"]}))

    def put(self, *sources):
        entries = [{"Source": s, "DetailType": "t", "Detail": "{}"} for s in sources]
        entries.append({"Source": "app", "DetailType": "t"})  # no Detail: a failed entry
        r = self.ev.put_events(Entries=entries)
        self.assertEqual(r["FailedEntryCount"], 1)

    def test_rule_bus_and_service_figures_count_as_aws_does(self):
        self.setup_rules()
        self.put("app", "app", "other", "nobody")
        self.assertError("ValidationException", self.ev.put_events,
                         Entries=[{"Source": "app", "DetailType": "t", "Detail": "{}"}] * 11)
        f = self.figures()
        r1, r2 = dict(rule_name="r1"), dict(rule_name="r2")
        self.assertEqual(self.fig(f, "runnel_aws_events_triggered_rules_total", **r1), 2)
        self.assertEqual(self.fig(f, "runnel_aws_events_matched_events_total", **r1), 2)
        # two events, three targets each: every invocation ends (no retries for a missing queue)
        self.assertEqual(self.fig(f, "runnel_aws_events_invocations_total", **r1), 6)
        self.assertEqual(self.fig(f, "runnel_aws_events_failed_invocations_total", **r1), 4)
        self.assertEqual(self.fig(f, "runnel_aws_events_invocations_sent_to_dlq_total", **r1), 2)
        self.assertEqual(self.fig(f, "runnel_aws_events_invocations_failed_to_be_sent_to_dlq_total", **r1), 2)
        self.assertEqual(self.fig(f, "runnel_aws_events_triggered_rules_total", **r2), 1)
        self.assertEqual(self.fig(f, "runnel_aws_events_invocations_total", **r2), 0)
        bus = dict(event_bus_name="default")
        self.assertEqual(self.fig(f, "runnel_aws_events_matched_events_total", **bus), 3)
        self.assertEqual(self.fig(f, "runnel_aws_events_triggered_rules_total", **bus), 3)
        self.assertEqual(self.fig(f, "runnel_aws_events_invocations_total"), 6)
        self.assertEqual(self.fig(f, "runnel_aws_events_triggered_rules_total"), 3)
        self.assertEqual(self.fig(f, "runnel_aws_events_put_events_approximate_call_count_total"), 2)
        self.assertEqual(self.fig(f, "runnel_aws_events_put_events_approximate_success_count_total"), 1)
        self.assertEqual(self.fig(f, "runnel_aws_events_put_events_approximate_failed_count_total"), 1)
        self.assertEqual(self.fig(f, "runnel_aws_events_put_events_entries_count_total"), 5)
        self.assertEqual(self.fig(f, "runnel_aws_events_put_events_failed_entries_count_total"), 1)

    def test_a_custom_bus_rule_counts_under_its_bus_and_name(self):
        self.ev.create_event_bus(Name="shop")
        self.ev.put_rule(Name="orders", EventBusName="shop", EventPattern=json.dumps({"source": ["app"]}))
        self.ev.put_targets(Rule="orders", EventBusName="shop", Targets=[{"Id": "q", "Arn": self.queue_arn("shop-q")}])
        self.ev.put_events(Entries=[{"Source": "app", "DetailType": "t", "Detail": "{}", "EventBusName": "shop"}])
        f = self.figures()
        shop = dict(event_bus_name="shop")
        self.assertEqual(self.fig(f, "runnel_aws_events_matched_events_total", **shop), 1)
        self.assertEqual(self.fig(f, "runnel_aws_events_triggered_rules_total", **shop), 1)
        self.assertEqual(self.fig(f, "runnel_aws_events_matched_events_total", event_bus_name="default"), 0)
        self.assertEqual(self.fig(f, "runnel_aws_events_invocations_total"), 1)
        # AWS names a custom bus's rule by EventBusName and RuleName: RuleName alone means the default bus
        self.assertIsNone(self.fig(f, "runnel_aws_events_triggered_rules_total", rule_name="orders"))
        rule = dict(event_bus_name="shop", rule_name="orders")
        self.assertEqual(self.fig(f, "runnel_aws_events_triggered_rules_total", **rule), 1)
        self.assertEqual(self.fig(f, "runnel_aws_events_invocations_total", **rule), 1)
        self.next_minute()
        cw = self.server.client("cloudwatch")
        now = datetime.datetime.fromisoformat(self.clock_now.replace("Z", "+00:00"))
        r = cw.get_metric_statistics(Namespace="AWS/Events", MetricName="Invocations", Statistics=["Sum"], Period=60,
                                     Dimensions=[{"Name": "EventBusName", "Value": "shop"},
                                                 {"Name": "RuleName", "Value": "orders"}],
                                     StartTime=now - datetime.timedelta(minutes=10),
                                     EndTime=now + datetime.timedelta(minutes=1))
        self.assertEqual(sum(p["Sum"] for p in r["Datapoints"]), 1)

    def test_a_schedule_triggers_its_rule_without_matching_an_event(self):
        self.ev.put_rule(Name="tick", ScheduleExpression="rate(1 minute)")
        self.ev.put_targets(Rule="tick", Targets=[{"Id": "q", "Arn": self.queue_arn("tick-q")}])
        self.advance(61)
        f = self.figures()
        self.assertGreaterEqual(self.fig(f, "runnel_aws_events_triggered_rules_total", rule_name="tick"), 1)
        self.assertEqual(self.fig(f, "runnel_aws_events_matched_events_total", rule_name="tick"), 0)
        self.assertEqual(self.fig(f, "runnel_aws_events_invocations_total", rule_name="tick"),
                         self.fig(f, "runnel_aws_events_triggered_rules_total", rule_name="tick"))

    def test_figures_reach_aws_events_in_cloudwatch_each_minute(self):
        self.setup_rules()
        self.put("app", "other")
        self.next_minute()
        self.assertEqual(self.cw_total("AWS/Events", "Invocations", "RuleName", "r1"), 3)
        self.assertEqual(self.cw_total("AWS/Events", "FailedInvocations", "RuleName", "r1"), 2)
        self.assertEqual(self.cw_total("AWS/Events", "TriggeredRules", "RuleName", "r2"), 1)
        self.assertEqual(self.cw_total("AWS/Events", "MatchedEvents", "EventBusName", "default"), 2)
        self.assertEqual(self.cw_total("AWS/Events", "Invocations", None, None), 3)  # no dimension: every rule's


class TestLambdaMetrics(OwnMetricsTest):
    def setUp(self):
        super().setUp()
        self.lam = self.server.client("lambda", read_timeout=60)
        self.lam.create_function(FunctionName="fx", Runtime="python3.12", Role=ROLE, Handler="app.handler",
                                 Code={"ZipFile": zip_of({"app.py": ECHO})}, Timeout=10)

    def invoke(self, event, **kw):
        r = self.lam.invoke(FunctionName="fx", Payload=json.dumps(event), **kw)
        r["Payload"].read()
        return r

    def figures_when(self, name, want, timeout=20, **labels):
        """The page once the sample reaches want (asynchronous invocations finish later)."""
        deadline = time.time() + timeout
        while True:
            f = self.figures()
            if self.fig(f, name, **labels) == want or time.time() > deadline:
                return f
            time.sleep(0.1)

    def test_invocations_errors_throttles_and_duration(self):
        self.invoke({})
        self.invoke({"sleep": 0.3})
        self.assertEqual(self.invoke({"fail": 1})["FunctionError"], "Unhandled")
        self.lam.invoke(FunctionName="fx", InvocationType="Event", Payload=b"{}")
        self.lam.put_function_concurrency(FunctionName="fx", ReservedConcurrentExecutions=0)
        once = harness.boto3.client("lambda", endpoint_url=self.server.endpoint, region_name="us-east-1",
                                    aws_access_key_id="test", aws_secret_access_key="test",
                                    config=botocore.config.Config(retries={"total_max_attempts": 1}))
        with self.assertRaises(botocore.exceptions.ClientError) as cm:  # one request: no retry by the SDK
            once.invoke(FunctionName="fx", Payload=b"{}")
        self.assertEqual(cm.exception.response["Error"]["Code"], "TooManyRequestsException")
        fx = dict(function_name="fx")
        f = self.figures_when("runnel_aws_lambda_invocations_total", 4, **fx)
        self.assertEqual(self.fig(f, "runnel_aws_lambda_invocations_total", **fx), 4)  # the throttled one is not
        self.assertEqual(self.fig(f, "runnel_aws_lambda_errors_total", **fx), 1)
        self.assertEqual(self.fig(f, "runnel_aws_lambda_throttles_total", **fx), 1)
        self.assertEqual(self.fig(f, "runnel_aws_lambda_async_events_received_total", **fx), 1)
        self.assertEqual(self.fig(f, "runnel_aws_lambda_duration_count", **fx), 4)
        self.assertGreaterEqual(self.fig(f, "runnel_aws_lambda_duration_sum", **fx), 300)
        self.assertLess(self.fig(f, "runnel_aws_lambda_duration_sum", **fx), 10000)
        self.assertEqual(self.types["runnel_aws_lambda_duration_sum"], "summary")
        self.assertEqual(self.fig(f, "runnel_aws_lambda_concurrent_executions", **fx), 0)

    def test_concurrent_executions_are_the_instances_busy_now(self):
        mark = os.path.join(self.tmp, "busy-%d" % time.time_ns())
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            slow = pool.submit(self.invoke, {"sleep": 2, "mark": mark})
            deadline = time.time() + 20
            while not os.path.exists(mark) and time.time() < deadline:
                time.sleep(0.02)
            f = self.figures()
            self.assertEqual(self.fig(f, "runnel_aws_lambda_concurrent_executions", function_name="fx"), 1)
            self.assertEqual(self.fig(f, "runnel_aws_lambda_concurrent_executions"), 1)  # the account's
            slow.result()
        f = self.figures()
        self.assertEqual(self.fig(f, "runnel_aws_lambda_concurrent_executions", function_name="fx"), 0)

    def test_a_versions_invocations_count_under_its_function_name(self):
        version = self.lam.publish_version(FunctionName="fx")["Version"]
        self.invoke({}, Qualifier=version)
        self.invoke({})
        f = self.figures()
        self.assertEqual(self.fig(f, "runnel_aws_lambda_invocations_total", function_name="fx"), 2)

    def test_an_event_given_up_is_dropped(self):
        self.lam.put_function_event_invoke_config(FunctionName="fx", MaximumRetryAttempts=0)
        self.lam.invoke(FunctionName="fx", InvocationType="Event", Payload=json.dumps({"fail": 1}))
        fx = dict(function_name="fx")
        f = self.figures_when("runnel_aws_lambda_async_events_dropped_total", 1, **fx)
        self.assertEqual(self.fig(f, "runnel_aws_lambda_async_events_dropped_total", **fx), 1)
        self.assertEqual(self.fig(f, "runnel_aws_lambda_errors_total", **fx), 1)

    def test_figures_reach_aws_lambda_in_cloudwatch_each_minute(self):
        self.invoke({"sleep": 0.2})
        self.invoke({"fail": 1})
        self.next_minute()
        self.assertEqual(self.cw_total("AWS/Lambda", "Invocations", "FunctionName", "fx"), 2)
        self.assertEqual(self.cw_total("AWS/Lambda", "Errors", "FunctionName", "fx"), 1)
        self.assertEqual(self.cw_total("AWS/Lambda", "Duration", "FunctionName", "fx", "SampleCount"), 2)
        # each minute's datapoint holds the minute's total and its invocations
        avg = self.cw_total("AWS/Lambda", "Duration", "FunctionName", "fx") / 2
        self.assertGreaterEqual(avg, 100)
        self.assertLess(avg, 5000)


if __name__ == "__main__":
    unittest.main()
