# SPDX-License-Identifier: MIT
"""CloudFormation's resource providers for SQS, SNS, CloudWatch Logs,
CloudWatch alarms, IAM and DynamoDB, driven through boto3's CreateStack,
UpdateStack and DeleteStack with JSON templates. Each test checks the real
resources through the owning service's own API (not through the stack's
description), Ref and Fn::GetAtt values through the stack's Outputs, an
update in place (the physical id stays) against a replacement (a new one, the
old one gone), and that DeleteStack removes what the stack made."""
import io
import json
import time
import unittest
import urllib.request
import zipfile

import botocore
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

import harness

ACCOUNT = "000000000000"
REGION = "us-east-1"
CAPABILITIES = ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"]


def template(resources, outputs=None):
    t = {"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources}
    if outputs:
        t["Outputs"] = {k: {"Value": v} for k, v in outputs.items()}
    return json.dumps(t)


def ref(name):
    return {"Ref": name}


def att(name, attr):
    return {"Fn::GetAtt": [name, attr]}


class CfnTest(harness.ServerTest):
    def setUp(self):
        super().setUp()
        self.cfn = self.server.client("cloudformation")

    def stack(self, name):
        return self.cfn.describe_stacks(StackName=name)["Stacks"][0]

    def wait(self, name, deadline=15):
        end = time.time() + deadline
        while True:
            s = self.stack(name)
            if not s["StackStatus"].endswith("_IN_PROGRESS") or time.time() > end:
                return s
            time.sleep(0.05)

    def failures(self, name):
        events = self.cfn.describe_stack_events(StackName=name)["StackEvents"]
        return ["%s %s: %s" % (e["LogicalResourceId"], e["ResourceStatus"], e.get("ResourceStatusReason", ""))
                for e in events if e["ResourceStatus"].endswith("FAILED")]

    def deploy(self, name, body, update=False, expect=None):
        """Creates (or updates) the stack and returns its outputs {key: value}."""
        if update:
            self.cfn.update_stack(StackName=name, TemplateBody=body, Capabilities=CAPABILITIES)
        else:
            self.cfn.create_stack(StackName=name, TemplateBody=body, Capabilities=CAPABILITIES)
        s = self.wait(name)
        want = expect or ("UPDATE_COMPLETE" if update else "CREATE_COMPLETE")
        self.assertEqual(s["StackStatus"], want, self.failures(name))
        return {o["OutputKey"]: o["OutputValue"] for o in s.get("Outputs", [])}

    def delete(self, name):
        self.cfn.delete_stack(StackName=name)
        end = time.time() + 15
        while time.time() < end:
            try:
                s = self.stack(name)
            except botocore.exceptions.ClientError:
                return "DELETE_COMPLETE"  # a deleted stack is no longer found by name
            if not s["StackStatus"].endswith("_IN_PROGRESS"):
                return s["StackStatus"]
            time.sleep(0.05)
        return "TIMEOUT"

    def physical(self, stack, logical):
        r = self.cfn.describe_stack_resource(StackName=stack, LogicalResourceId=logical)
        return r["StackResourceDetail"]["PhysicalResourceId"]


class TestSqsQueue(CfnTest):
    def test_fifo_queue_with_dlq_loose_types_tags_and_outputs(self):
        sqs = self.server.client("sqs")
        body = template({
            "Dlq": {"Type": "AWS::SQS::Queue", "Properties": {"FifoQueue": "true", "MessageRetentionPeriod": 1209600}},
            "Orders": {"Type": "AWS::SQS::Queue", "Properties": {
                "FifoQueue": True, "ContentBasedDeduplication": "true", "VisibilityTimeout": "45",
                "RedrivePolicy": {"deadLetterTargetArn": att("Dlq", "Arn"), "maxReceiveCount": "3"},
                "Tags": [{"Key": "team", "Value": "shop"}, {"Key": "tier", "Value": 1}]}},
        }, {"Url": ref("Orders"), "Arn": att("Orders", "Arn"), "Name": att("Orders", "QueueName"),
            "QueueUrl": att("Orders", "QueueUrl"), "DlqArn": att("Dlq", "Arn")})
        out = self.deploy("shop", body)
        # a generated FIFO name: STACK-LOGICAL-RANDOM.fifo
        self.assertRegex(out["Name"], r"^shop-Orders-[A-Z0-9]{13}\.fifo$")
        self.assertEqual(out["Url"], out["QueueUrl"])
        # the URL the caller reaches the server at, as CreateQueue gives it
        self.assertEqual(out["Url"], "%s/%s/%s" % (self.server.endpoint, ACCOUNT, out["Name"]))
        self.assertEqual(out["Arn"], "arn:aws:sqs:%s:%s:%s" % (REGION, ACCOUNT, out["Name"]))
        self.assertEqual(sqs.get_queue_url(QueueName=out["Name"])["QueueUrl"].rsplit("/", 1)[1], out["Name"])
        a = sqs.get_queue_attributes(QueueUrl=out["Url"], AttributeNames=["All"])["Attributes"]
        self.assertEqual(a["FifoQueue"], "true")
        self.assertEqual(a["ContentBasedDeduplication"], "true")
        self.assertEqual(a["VisibilityTimeout"], "45")
        self.assertEqual(a["QueueArn"], out["Arn"])
        rp = json.loads(a["RedrivePolicy"])
        self.assertEqual(rp["deadLetterTargetArn"], out["DlqArn"])
        self.assertEqual(int(rp["maxReceiveCount"]), 3)
        self.assertEqual(sqs.list_queue_tags(QueueUrl=out["Url"])["Tags"], {"team": "shop", "tier": "1"})
        dlq = out["DlqArn"].rsplit(":", 1)[1]
        self.assertTrue(dlq.endswith(".fifo"), dlq)
        dlq_url = sqs.get_queue_url(QueueName=dlq)["QueueUrl"]
        self.assertEqual(sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["MessageRetentionPeriod"])
                         ["Attributes"]["MessageRetentionPeriod"], "1209600")
        self.assertEqual(self.physical("shop", "Orders"), out["Url"])
        self.assertEqual(self.delete("shop"), "DELETE_COMPLETE")
        for name in (out["Name"], dlq):
            self.assertError("AWS.SimpleQueueService.NonExistentQueue", sqs.get_queue_url, QueueName=name)

    def test_update_in_place_then_replacement_by_name(self):
        sqs = self.server.client("sqs")

        def body(name, props, tags):
            p = dict(props, QueueName=name, Tags=[{"Key": k, "Value": v} for k, v in tags.items()])
            return template({"Q": {"Type": "AWS::SQS::Queue", "Properties": p}}, {"Url": ref("Q")})

        out = self.deploy("upd", body("cfn-q1", {"VisibilityTimeout": 30, "DelaySeconds": 5}, {"a": "1", "b": "2"}))
        url = out["Url"]
        out = self.deploy("upd", body("cfn-q1", {"VisibilityTimeout": "60"}, {"a": "9"}), update=True)
        self.assertEqual(out["Url"], url)  # in place: the same queue
        a = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        self.assertEqual(a["VisibilityTimeout"], "60")
        self.assertEqual(a["DelaySeconds"], "0")  # the property taken out goes back to SQS's default
        self.assertEqual(sqs.list_queue_tags(QueueUrl=url)["Tags"], {"a": "9"})
        # a new QueueName replaces the queue: a new one, the old one deleted
        out = self.deploy("upd", body("cfn-q2", {"VisibilityTimeout": "60"}, {"a": "9"}), update=True)
        self.assertNotEqual(out["Url"], url)
        self.assertTrue(out["Url"].endswith("/cfn-q2"))
        self.assertEqual(sqs.get_queue_attributes(QueueUrl=out["Url"], AttributeNames=["VisibilityTimeout"])
                         ["Attributes"]["VisibilityTimeout"], "60")
        self.assertError("AWS.SimpleQueueService.NonExistentQueue", sqs.get_queue_url, QueueName="cfn-q1")
        self.assertEqual(self.delete("upd"), "DELETE_COMPLETE")
        self.assertError("AWS.SimpleQueueService.NonExistentQueue", sqs.get_queue_url, QueueName="cfn-q2")

    def test_redrive_policy_as_json_text(self):
        sqs = self.server.client("sqs")
        out = self.deploy("txt", template({
            "D": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "txt-dlq"}},
            "Q": {"Type": "AWS::SQS::Queue", "DependsOn": "D", "Properties": {
                "QueueName": "txt-q",
                "RedrivePolicy": json.dumps({"deadLetterTargetArn": "arn:aws:sqs:%s:%s:txt-dlq" % (REGION, ACCOUNT),
                                             "maxReceiveCount": 5})}},
        }, {"Url": ref("Q")}))
        rp = json.loads(sqs.get_queue_attributes(QueueUrl=out["Url"], AttributeNames=["RedrivePolicy"])
                        ["Attributes"]["RedrivePolicy"])
        self.assertEqual(rp["deadLetterTargetArn"], "arn:aws:sqs:%s:%s:txt-dlq" % (REGION, ACCOUNT))
        self.assertEqual(int(rp["maxReceiveCount"]), 5)

    def test_every_documented_property(self):
        sqs = self.server.client("sqs")
        out = self.deploy("all", template({
            "Src": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "all-src.fifo", "FifoQueue": True}},
            "Q": {"Type": "AWS::SQS::Queue", "DependsOn": "Src", "Properties": {
                "QueueName": "all-q.fifo", "FifoQueue": "true", "ContentBasedDeduplication": False,
                "DeduplicationScope": "messageGroup", "FifoThroughputLimit": "perMessageGroupId",
                "DelaySeconds": "2", "MaximumMessageSize": 2048, "MessageRetentionPeriod": "600",
                "ReceiveMessageWaitTimeSeconds": 20, "VisibilityTimeout": 0,
                "KmsMasterKeyId": "alias/aws/sqs", "KmsDataKeyReusePeriodSeconds": "120",
                "SqsManagedSseEnabled": "false",
                "RedriveAllowPolicy": {"redrivePermission": "byQueue",
                                       "sourceQueueArns": ["arn:aws:sqs:%s:%s:all-src.fifo" % (REGION, ACCOUNT)]},
                "Tags": []}},
        }, {"Url": ref("Q")}))
        a = sqs.get_queue_attributes(QueueUrl=out["Url"], AttributeNames=["All"])["Attributes"]
        want = {"ContentBasedDeduplication": "false", "DeduplicationScope": "messageGroup",
                "FifoThroughputLimit": "perMessageGroupId", "DelaySeconds": "2", "MaximumMessageSize": "2048",
                "MessageRetentionPeriod": "600", "ReceiveMessageWaitTimeSeconds": "20", "VisibilityTimeout": "0",
                "KmsMasterKeyId": "alias/aws/sqs", "KmsDataKeyReusePeriodSeconds": "120",
                "SqsManagedSseEnabled": "false"}
        self.assertEqual({k: a.get(k) for k in want}, want)
        self.assertEqual(json.loads(a["RedriveAllowPolicy"])["redrivePermission"], "byQueue")

    def test_a_name_taken_outside_the_stack_fails_and_stays(self):
        sqs, sns = self.server.client("sqs"), self.server.client("sns")
        url = sqs.create_queue(QueueName="taken", Attributes={"VisibilityTimeout": "77"})["QueueUrl"]
        topic = sns.create_topic(Name="taken-topic")["TopicArn"]
        for logical, res in (("Q", {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "taken"}}),
                             ("T", {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "taken-topic"}})):
            name = "taken-" + logical.lower()
            self.deploy(name, template({logical: res}), expect="ROLLBACK_COMPLETE")
            ident = res["Properties"].get("QueueName") or res["Properties"]["TopicName"]
            self.assertIn("Resource of type '%s' with identifier '%s' already exists." % (res["Type"], ident),
                          " ".join(self.failures(name)))
        # the rollbacks left them alone
        self.assertEqual(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout"])
                         ["Attributes"]["VisibilityTimeout"], "77")
        self.assertEqual(sns.get_topic_attributes(TopicArn=topic)["Attributes"]["TopicArn"], topic)

    def test_unknown_property_fails_the_resource(self):
        self.deploy("bad", template({"Q": {"Type": "AWS::SQS::Queue", "Properties": {"QueueNam": "x"}}}),
                    expect="ROLLBACK_COMPLETE")
        self.assertIn("QueueNam", " ".join(self.failures("bad")))
        self.assertEqual(self.server.client("sqs").list_queues().get("QueueUrls", []), [])

    def test_queue_policy_set_changed_and_removed(self):
        sqs = self.server.client("sqs")

        def doc(sid):
            return {"Version": "2012-10-17", "Statement": [{
                "Sid": sid, "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
                "Action": "sqs:SendMessage", "Resource": att("Q", "Arn")}]}

        def body(sid, with_policy=True):
            r = {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "pol-q"}}}
            if with_policy:
                r["P"] = {"Type": "AWS::SQS::QueuePolicy",
                          "Properties": {"Queues": [ref("Q")], "PolicyDocument": doc(sid)}}
            return template(r, {"Url": ref("Q")})

        url = self.deploy("pol", body("one"))["Url"]

        def policy():
            a = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"]).get("Attributes", {})
            return json.loads(a["Policy"]) if a.get("Policy") else None

        p = policy()
        self.assertEqual(p["Statement"][0]["Sid"], "one")
        self.assertEqual(p["Statement"][0]["Resource"], "arn:aws:sqs:%s:%s:pol-q" % (REGION, ACCOUNT))
        pid = self.physical("pol", "P")
        self.assertRegex(pid, r"^pol-P-[A-Z0-9]{13}$")
        self.deploy("pol", body("two"), update=True)
        self.assertEqual(policy()["Statement"][0]["Sid"], "two")
        self.assertEqual(self.physical("pol", "P"), pid)
        self.deploy("pol", body("two", with_policy=False), update=True)
        self.assertIsNone(policy())  # the policy resource's removal takes the policy off the queue


class TestSnsTopic(CfnTest):
    def test_topic_with_subscriptions_filter_raw_delivery_and_policy(self):
        sns, sqs = self.server.client("sns"), self.server.client("sqs")
        body = template({
            "Inbox": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "sns-inbox"}},
            "Other": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "sns-other"}},
            "Topic": {"Type": "AWS::SNS::Topic", "Properties": {
                "DisplayName": "Orders", "Tags": [{"Key": "team", "Value": "shop"}],
                "Subscription": [{"Protocol": "sqs", "Endpoint": att("Other", "Arn")}]}},
            "Sub": {"Type": "AWS::SNS::Subscription", "Properties": {
                "TopicArn": ref("Topic"), "Protocol": "sqs", "Endpoint": att("Inbox", "Arn"),
                "RawMessageDelivery": "true", "FilterPolicy": {"kind": ["big"]}}},
            "Policy": {"Type": "AWS::SNS::TopicPolicy", "Properties": {
                "Topics": [ref("Topic")], "PolicyDocument": {"Version": "2012-10-17", "Statement": [{
                    "Sid": "pub", "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
                    "Action": "sns:Publish", "Resource": ref("Topic")}]}}},
        }, {"Topic": ref("Topic"), "TopicArn": att("Topic", "TopicArn"), "Name": att("Topic", "TopicName"),
            "Sub": ref("Sub"), "SubArn": att("Sub", "Arn"), "Inbox": ref("Inbox")})
        out = self.deploy("news", body)
        self.assertEqual(out["Topic"], out["TopicArn"])
        self.assertRegex(out["Name"], r"^news-Topic-[A-Z0-9]{13}$")
        self.assertEqual(out["Topic"], "arn:aws:sns:%s:%s:%s" % (REGION, ACCOUNT, out["Name"]))
        self.assertEqual(out["Sub"], out["SubArn"])
        self.assertTrue(out["Sub"].startswith(out["Topic"] + ":"), out["Sub"])
        a = sns.get_topic_attributes(TopicArn=out["Topic"])["Attributes"]
        self.assertEqual(a["DisplayName"], "Orders")
        self.assertEqual(json.loads(a["Policy"])["Statement"][0]["Sid"], "pub")
        self.assertEqual(sns.list_tags_for_resource(ResourceArn=out["Topic"])["Tags"],
                         [{"Key": "team", "Value": "shop"}])
        subs = sns.list_subscriptions_by_topic(TopicArn=out["Topic"])["Subscriptions"]
        self.assertEqual(sorted(s["Endpoint"].rsplit(":", 1)[1] for s in subs), ["sns-inbox", "sns-other"])
        sa = sns.get_subscription_attributes(SubscriptionArn=out["Sub"])["Attributes"]
        self.assertEqual(sa["RawMessageDelivery"], "true")
        self.assertEqual(json.loads(sa["FilterPolicy"]), {"kind": ["big"]})
        # the subscription works: a matching message arrives raw, a other one does not
        sns.publish(TopicArn=out["Topic"], Message="small one",
                    MessageAttributes={"kind": {"DataType": "String", "StringValue": "small"}})
        sns.publish(TopicArn=out["Topic"], Message="big one",
                    MessageAttributes={"kind": {"DataType": "String", "StringValue": "big"}})
        got = sqs.receive_message(QueueUrl=out["Inbox"], MaxNumberOfMessages=10, WaitTimeSeconds=2)
        self.assertEqual([m["Body"] for m in got.get("Messages", [])], ["big one"])
        # the update: the display name and the filter in place, the same subscription
        body2 = body.replace('"Orders"', '"Orders v2"').replace('["big"]', '["huge"]')
        out2 = self.deploy("news", body2, update=True)
        self.assertEqual(out2["Topic"], out["Topic"])
        self.assertEqual(out2["Sub"], out["Sub"])
        self.assertEqual(sns.get_topic_attributes(TopicArn=out["Topic"])["Attributes"]["DisplayName"], "Orders v2")
        self.assertEqual(json.loads(sns.get_subscription_attributes(SubscriptionArn=out["Sub"])["Attributes"]
                                    ["FilterPolicy"]), {"kind": ["huge"]})
        self.assertEqual(self.delete("news"), "DELETE_COMPLETE")
        self.assertError("NotFound", sns.get_topic_attributes, TopicArn=out["Topic"])

    def test_topic_attributes_delivery_logging_and_data_protection(self):
        sns = self.server.client("sns")
        role = "arn:aws:iam::%s:role/sns-feedback" % ACCOUNT
        dpp = {"Name": "p", "Description": "", "Version": "2021-06-01", "Statement": [{
            "Sid": "s", "DataDirection": "Inbound", "Principal": ["*"],
            "DataIdentifier": ["arn:aws:dataprotection::aws:data-identifier/EmailAddress"],
            "Operation": {"Audit": {"SampleRate": "99", "FindingsDestination": {}}}}]}
        out = self.deploy("attrs", template({"T": {"Type": "AWS::SNS::Topic", "Properties": {
            "TopicName": "attrs", "KmsMasterKeyId": "alias/aws/sns", "SignatureVersion": 2,
            "TracingConfig": "Active", "DataProtectionPolicy": dpp,
            "DeliveryStatusLogging": [{"Protocol": "sqs", "SuccessFeedbackRoleArn": role,
                                       "SuccessFeedbackSampleRate": "50", "FailureFeedbackRoleArn": role}]}}},
            {"Arn": ref("T")}))
        a = sns.get_topic_attributes(TopicArn=out["Arn"])["Attributes"]
        want = {"KmsMasterKeyId": "alias/aws/sns", "SignatureVersion": "2", "TracingConfig": "Active",
                "SQSSuccessFeedbackRoleArn": role, "SQSSuccessFeedbackSampleRate": "50",
                "SQSFailureFeedbackRoleArn": role}
        self.assertEqual({k: a.get(k) for k in want}, want)
        got = sns.get_data_protection_policy(ResourceArn=out["Arn"])["DataProtectionPolicy"]
        self.assertEqual(json.loads(got)["Statement"][0]["Sid"], "s")
        # taken out: back to SNS's own values
        self.deploy("attrs", template({"T": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "attrs"}}},
                                      {"Arn": ref("T")}), update=True)
        a = sns.get_topic_attributes(TopicArn=out["Arn"])["Attributes"]
        self.assertEqual(a.get("SignatureVersion", "1"), "1")
        self.assertNotIn("KmsMasterKeyId", a)
        self.assertNotIn("SQSSuccessFeedbackRoleArn", a)

    def test_subscription_to_a_topic_in_another_region(self):
        west = harness.boto3.client("sns", endpoint_url=self.server.endpoint, region_name="us-west-2",
                                    aws_access_key_id="test", aws_secret_access_key="test")
        topic = west.create_topic(Name="west-topic")["TopicArn"]
        self.assertIn(":us-west-2:", topic)
        out = self.deploy("xr", template({
            "Q": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "xr-inbox"}},
            "S": {"Type": "AWS::SNS::Subscription", "Properties": {
                "TopicArn": topic, "Region": "us-west-2", "Protocol": "sqs", "Endpoint": att("Q", "Arn"),
                "RawMessageDelivery": True}},
        }, {"Sub": ref("S"), "Url": ref("Q")}))
        self.assertTrue(out["Sub"].startswith(topic + ":"), out["Sub"])
        self.assertEqual(west.get_subscription_attributes(SubscriptionArn=out["Sub"])["Attributes"]
                         ["RawMessageDelivery"], "true")
        west.publish(TopicArn=topic, Message="from the west")
        got = self.server.client("sqs").receive_message(QueueUrl=out["Url"], WaitTimeSeconds=2)
        self.assertEqual([m["Body"] for m in got.get("Messages", [])], ["from the west"])
        self.assertEqual(self.delete("xr"), "DELETE_COMPLETE")
        self.assertEqual(west.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"], [])

    def test_fifo_topic_name_and_replacement(self):
        sns = self.server.client("sns")

        def body(name):
            p = {"FifoTopic": "true", "ContentBasedDeduplication": True}
            if name:
                p["TopicName"] = name
            return template({"T": {"Type": "AWS::SNS::Topic", "Properties": p}},
                            {"Arn": ref("T"), "Name": att("T", "TopicName")})

        out = self.deploy("ff", body(None))
        self.assertRegex(out["Name"], r"^ff-T-[A-Z0-9]{13}\.fifo$")
        a = sns.get_topic_attributes(TopicArn=out["Arn"])["Attributes"]
        self.assertEqual((a["FifoTopic"], a["ContentBasedDeduplication"]), ("true", "true"))
        out2 = self.deploy("ff", body("named.fifo"), update=True)
        self.assertEqual(out2["Arn"], "arn:aws:sns:%s:%s:named.fifo" % (REGION, ACCOUNT))
        self.assertError("NotFound", sns.get_topic_attributes, TopicArn=out["Arn"])
        self.assertEqual(self.delete("ff"), "DELETE_COMPLETE")
        self.assertError("NotFound", sns.get_topic_attributes, TopicArn=out2["Arn"])


class TestLogs(CfnTest):
    def test_log_group_retention_tags_update_and_stream(self):
        logs = self.server.client("logs")

        def body(props):
            return template({
                "G": {"Type": "AWS::Logs::LogGroup", "Properties": dict(props, LogGroupName="/cfn/app")},
                "S": {"Type": "AWS::Logs::LogStream", "Properties": {"LogGroupName": ref("G")}},
            }, {"Name": ref("G"), "Arn": att("G", "Arn"), "Stream": ref("S")})

        out = self.deploy("lg", body({"RetentionInDays": "7", "Tags": [{"Key": "a", "Value": "1"}]}))
        self.assertEqual(out["Name"], "/cfn/app")
        self.assertEqual(out["Arn"], "arn:aws:logs:%s:%s:log-group:/cfn/app:*" % (REGION, ACCOUNT))
        self.assertRegex(out["Stream"], r"^lg-S-[A-Z0-9]{13}$")
        g = logs.describe_log_groups(logGroupNamePrefix="/cfn/app")["logGroups"]
        self.assertEqual([(x["logGroupName"], x.get("retentionInDays")) for x in g], [("/cfn/app", 7)])
        streams = logs.describe_log_streams(logGroupName="/cfn/app")["logStreams"]
        self.assertEqual([s["logStreamName"] for s in streams], [out["Stream"]])
        out2 = self.deploy("lg", body({"RetentionInDays": 14, "Tags": [{"Key": "b", "Value": "2"}]}), update=True)
        self.assertEqual(out2["Arn"], out["Arn"])
        g = logs.describe_log_groups(logGroupNamePrefix="/cfn/app")["logGroups"]
        self.assertEqual(g[0].get("retentionInDays"), 14)
        self.assertEqual(logs.list_tags_log_group(logGroupName="/cfn/app")["tags"], {"b": "2"})
        self.deploy("lg", body({}), update=True)
        g = logs.describe_log_groups(logGroupNamePrefix="/cfn/app")["logGroups"]
        self.assertNotIn("retentionInDays", g[0])  # never expire again
        self.assertEqual(self.delete("lg"), "DELETE_COMPLETE")
        self.assertEqual(logs.describe_log_groups(logGroupNamePrefix="/cfn/app")["logGroups"], [])

    def test_generated_name_and_delete_of_a_group_already_gone(self):
        logs = self.server.client("logs")
        out = self.deploy("gone", template({"G": {"Type": "AWS::Logs::LogGroup"}}, {"Name": ref("G")}))
        self.assertRegex(out["Name"], r"^gone-G-[A-Z0-9]{13}$")
        logs.delete_log_group(logGroupName=out["Name"])
        self.assertEqual(self.delete("gone"), "DELETE_COMPLETE")


class TestAlarm(CfnTest):
    def test_alarm_create_update_in_place_and_metric_math(self):
        cw = self.server.client("cloudwatch")

        def body(threshold, desc):
            return template({
                "Topic": {"Type": "AWS::SNS::Topic"},
                "Errors": {"Type": "AWS::CloudWatch::Alarm", "Properties": {
                    "AlarmName": "cfn-errors", "AlarmDescription": desc, "Namespace": "Shop",
                    "MetricName": "Errors", "Dimensions": [{"Name": "Service", "Value": "orders"}],
                    "Statistic": "Sum", "Period": "60", "EvaluationPeriods": "2", "DatapointsToAlarm": 1,
                    "Threshold": threshold, "ComparisonOperator": "GreaterThanOrEqualToThreshold",
                    "TreatMissingData": "notBreaching", "ActionsEnabled": "true",
                    "AlarmActions": [ref("Topic")]}},
                "Ratio": {"Type": "AWS::CloudWatch::Alarm", "Properties": {
                    "EvaluationPeriods": 1, "Threshold": 0.5, "ComparisonOperator": "GreaterThanThreshold",
                    "Metrics": [
                        {"Id": "e", "ReturnData": "false", "MetricStat": {
                            "Metric": {"Namespace": "Shop", "MetricName": "Errors"}, "Period": "60",
                            "Stat": "Sum"}},
                        {"Id": "n", "ReturnData": False, "MetricStat": {
                            "Metric": {"Namespace": "Shop", "MetricName": "Orders"}, "Period": 60, "Stat": "Sum"}},
                        {"Id": "r", "Expression": "e / n", "Label": "error ratio", "ReturnData": True}]}},
            }, {"Name": ref("Errors"), "Arn": att("Errors", "Arn"), "Ratio": ref("Ratio"), "Topic": ref("Topic")})

        out = self.deploy("al", body("5", "first"))
        self.assertEqual(out["Name"], "cfn-errors")
        self.assertEqual(out["Arn"], "arn:aws:cloudwatch:%s:%s:alarm:cfn-errors" % (REGION, ACCOUNT))
        self.assertRegex(out["Ratio"], r"^al-Ratio-[A-Z0-9]{13}$")
        a = cw.describe_alarms(AlarmNames=["cfn-errors"])["MetricAlarms"][0]
        self.assertEqual((a["Threshold"], a["Period"], a["EvaluationPeriods"], a["DatapointsToAlarm"]),
                         (5.0, 60, 2, 1))
        self.assertEqual(a["AlarmActions"], [out["Topic"]])
        self.assertEqual(a["Dimensions"], [{"Name": "Service", "Value": "orders"}])
        self.assertEqual(a["AlarmArn"], out["Arn"])
        self.assertTrue(a["ActionsEnabled"])
        r = cw.describe_alarms(AlarmNames=[out["Ratio"]])["MetricAlarms"][0]
        self.assertEqual([m["Id"] for m in r["Metrics"]], ["e", "n", "r"])
        self.assertEqual([m["ReturnData"] for m in r["Metrics"]], [False, False, True])
        self.assertEqual(r["Metrics"][0]["MetricStat"]["Period"], 60)
        out2 = self.deploy("al", body(10, "second"), update=True)
        self.assertEqual(out2["Arn"], out["Arn"])
        a = cw.describe_alarms(AlarmNames=["cfn-errors"])["MetricAlarms"][0]
        self.assertEqual((a["Threshold"], a["AlarmDescription"]), (10.0, "second"))
        self.assertEqual(self.delete("al"), "DELETE_COMPLETE")
        self.assertEqual(cw.describe_alarms(AlarmNames=["cfn-errors", out["Ratio"]])["MetricAlarms"], [])


class TestIam(CfnTest):
    def test_role_policy_and_managed_policy_ids(self):
        trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                         "Principal": {"Service": "lambda.amazonaws.com"}}]}
        doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}]}
        out = self.deploy("iam", template({
            "Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": trust,
                                                              "Path": "/service/"}},
            "Named": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": trust,
                                                               "RoleName": "cfn-named"}},
            "Inline": {"Type": "AWS::IAM::Policy", "Properties": {"PolicyName": "p", "PolicyDocument": doc,
                                                                  "Roles": [ref("Role")]}},
            "Managed": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": doc}},
            "Profile": {"Type": "AWS::IAM::InstanceProfile", "Properties": {"Roles": [ref("Role")]}},
        }, {"Role": ref("Role"), "RoleArn": att("Role", "Arn"), "RoleId": att("Role", "RoleId"),
            "NamedArn": att("Named", "Arn"), "Inline": ref("Inline"), "Managed": ref("Managed"),
            "ManagedArn": att("Managed", "PolicyArn"), "ProfileArn": att("Profile", "Arn")}))
        self.assertRegex(out["Role"], r"^iam-Role-[A-Z0-9]{13}$")
        self.assertEqual(out["RoleArn"], "arn:aws:iam::%s:role/service/%s" % (ACCOUNT, out["Role"]))
        self.assertRegex(out["RoleId"], r"^AROA[A-Z0-9]{17}$")
        self.assertEqual(out["NamedArn"], "arn:aws:iam::%s:role/cfn-named" % ACCOUNT)
        self.assertRegex(out["Inline"], r"^iam-[A-Za-z]+-[A-Z0-9]{13}$")
        self.assertEqual(out["Managed"], out["ManagedArn"])
        self.assertRegex(out["Managed"], r"^arn:aws:iam::%s:policy/iam-Managed-[A-Z0-9]{13}$" % ACCOUNT)
        self.assertRegex(out["ProfileArn"], r"^arn:aws:iam::%s:instance-profile/iam-Profile-[A-Z0-9]{13}$" % ACCOUNT)
        # the role's ARN is one Lambda's CreateFunction takes
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("index.py", "def handler(e, c):\n    return 1\n")
        lam = self.server.client("lambda")
        fn = lam.create_function(FunctionName="cfn-role-user", Runtime="python3.12", Handler="index.handler",
                                 Role=out["RoleArn"], Code={"ZipFile": buf.getvalue()})
        self.assertEqual(fn["Role"], out["RoleArn"])
        lam.delete_function(FunctionName="cfn-role-user")
        self.assertEqual(self.delete("iam"), "DELETE_COMPLETE")

    def test_role_update_in_place_keeps_ids_new_name_replaces(self):
        trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                         "Principal": {"Service": "lambda.amazonaws.com"}}]}

        def body(name, desc):
            return template({"R": {"Type": "AWS::IAM::Role", "Properties": {
                "AssumeRolePolicyDocument": trust, "RoleName": name, "Description": desc}}},
                {"Name": ref("R"), "Arn": att("R", "Arn"), "Id": att("R", "RoleId")})

        one = self.deploy("roles", body("cfn-r1", "first"))
        two = self.deploy("roles", body("cfn-r1", "second"), update=True)
        self.assertEqual(two, one)  # in place: the same name, ARN and id
        three = self.deploy("roles", body("cfn-r2", "second"), update=True)
        self.assertEqual(three["Arn"], "arn:aws:iam::%s:role/cfn-r2" % ACCOUNT)
        self.assertNotEqual(three["Id"], one["Id"])  # a new role
        self.assertEqual(self.delete("roles"), "DELETE_COMPLETE")


class TestDynamoDB(CfnTest):
    def ddb_raw(self, op, params):
        """A DynamoDB call signed by hand: boto3 1.26's model has no
        DeletionProtectionEnabled (its parser would drop the member)."""
        body = json.dumps(params)
        headers = {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "DynamoDB_20120810." + op}
        req = AWSRequest(method="POST", url=self.server.endpoint + "/", data=body, headers=headers)
        SigV4Auth(Credentials("test", "test"), "dynamodb", REGION).add_auth(req)
        http = urllib.request.Request(self.server.endpoint + "/", data=body.encode(), method="POST",
                                      headers=dict(req.headers.items()))
        with urllib.request.urlopen(http, timeout=10) as r:
            return json.loads(r.read())

    def body(self, **over):
        p = {
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                     {"AttributeName": "sk", "AttributeType": "N"},
                                     {"AttributeName": "email", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            "BillingMode": "PAY_PER_REQUEST",
            "GlobalSecondaryIndexes": [{"IndexName": "by-email",
                                        "KeySchema": [{"AttributeName": "email", "KeyType": "HASH"}],
                                        "Projection": {"ProjectionType": "ALL"}}],
            "StreamSpecification": {"StreamViewType": "NEW_AND_OLD_IMAGES"},
            "TimeToLiveSpecification": {"AttributeName": "expires", "Enabled": "true"},
            "Tags": [{"Key": "team", "Value": "shop"}],
        }
        p.update(over)
        for k in [k for k, v in p.items() if v is None]:
            del p[k]
        return template({"T": {"Type": "AWS::DynamoDB::Table", "Properties": p}},
                        {"Name": ref("T"), "Arn": att("T", "Arn"), "Stream": att("T", "StreamArn")})

    def test_table_create_update_in_place_and_replacement(self):
        ddb = self.server.client("dynamodb")
        out = self.deploy("db", self.body())
        name = out["Name"]
        self.assertRegex(name, r"^db-T-[A-Z0-9]{13}$")
        self.assertEqual(out["Arn"], "arn:aws:dynamodb:%s:%s:table/%s" % (REGION, ACCOUNT, name))
        t = ddb.describe_table(TableName=name)["Table"]
        self.assertEqual(t["TableArn"], out["Arn"])
        self.assertEqual(t["LatestStreamArn"], out["Stream"])
        self.assertEqual(t["StreamSpecification"]["StreamViewType"], "NEW_AND_OLD_IMAGES")
        self.assertEqual(t["BillingModeSummary"]["BillingMode"], "PAY_PER_REQUEST")
        self.assertEqual([g["IndexName"] for g in t["GlobalSecondaryIndexes"]], ["by-email"])
        ttl = ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
        self.assertEqual((ttl["TimeToLiveStatus"], ttl["AttributeName"]), ("ENABLED", "expires"))
        self.assertEqual(ddb.list_tags_of_resource(ResourceArn=out["Arn"])["Tags"], [{"Key": "team", "Value": "shop"}])
        ddb.put_item(TableName=name, Item={"pk": {"S": "a"}, "sk": {"N": "1"}, "email": {"S": "x@y"}})
        # in place: provisioned throughput (as text), a second index, TTL off, other tags
        gsis = [{"IndexName": "by-email", "KeySchema": [{"AttributeName": "email", "KeyType": "HASH"}],
                 "Projection": {"ProjectionType": "ALL"},
                 "ProvisionedThroughput": {"ReadCapacityUnits": "1", "WriteCapacityUnits": "1"}},
                {"IndexName": "by-sk", "KeySchema": [{"AttributeName": "sk", "KeyType": "HASH"}],
                 "Projection": {"ProjectionType": "KEYS_ONLY"},
                 "ProvisionedThroughput": {"ReadCapacityUnits": 2, "WriteCapacityUnits": 2}}]
        out2 = self.deploy("db", self.body(
            BillingMode="PROVISIONED", ProvisionedThroughput={"ReadCapacityUnits": "5", "WriteCapacityUnits": 3},
            GlobalSecondaryIndexes=gsis, TimeToLiveSpecification=None,
            Tags=[{"Key": "team", "Value": "ops"}]), update=True)
        self.assertEqual(out2["Name"], name)
        t = ddb.describe_table(TableName=name)["Table"]
        self.assertEqual((t["ProvisionedThroughput"]["ReadCapacityUnits"],
                          t["ProvisionedThroughput"]["WriteCapacityUnits"]), (5, 3))
        self.assertEqual(sorted(g["IndexName"] for g in t["GlobalSecondaryIndexes"]), ["by-email", "by-sk"])
        self.assertEqual(ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]["TimeToLiveStatus"],
                         "DISABLED")
        self.assertEqual(ddb.list_tags_of_resource(ResourceArn=out["Arn"])["Tags"], [{"Key": "team", "Value": "ops"}])
        self.assertEqual(len(ddb.scan(TableName=name)["Items"]), 1)  # the data stayed
        # a new key schema replaces the table
        out3 = self.deploy("db", self.body(
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}], GlobalSecondaryIndexes=None), update=True)
        self.assertNotEqual(out3["Name"], name)
        self.assertError("ResourceNotFoundException", ddb.describe_table, TableName=name)
        self.assertEqual(ddb.describe_table(TableName=out3["Name"])["Table"]["KeySchema"],
                         [{"AttributeName": "id", "KeyType": "HASH"}])
        self.assertEqual(self.delete("db"), "DELETE_COMPLETE")
        self.assertError("ResourceNotFoundException", ddb.describe_table, TableName=out3["Name"])

    def test_deletion_protection_refuses_delete_until_turned_off(self):
        ddb = self.server.client("dynamodb")

        def protected():
            return self.ddb_raw("DescribeTable", {"TableName": "cfn-protected"})["Table"]["DeletionProtectionEnabled"]

        self.deploy("dp", self.body(TableName="cfn-protected", DeletionProtectionEnabled="true"))
        self.assertTrue(protected())
        self.deploy("dp", self.body(TableName="cfn-protected", DeletionProtectionEnabled=False), update=True)
        self.assertFalse(protected())
        self.deploy("dp", self.body(TableName="cfn-protected", DeletionProtectionEnabled=True), update=True)
        self.assertTrue(protected())
        self.assertEqual(self.delete("dp"), "DELETE_FAILED")
        self.assertIn("protected against deletion", " ".join(self.failures("dp")))
        self.assertTrue(protected())  # still there
        # a stack in DELETE_FAILED can only be deleted again: after the protection is off, it goes
        self.ddb_raw("UpdateTable", {"TableName": "cfn-protected", "DeletionProtectionEnabled": False})
        self.assertEqual(self.delete("dp"), "DELETE_COMPLETE")
        self.assertError("ResourceNotFoundException", ddb.describe_table, TableName="cfn-protected")

if __name__ == "__main__":
    unittest.main()
