# SPDX-License-Identifier: MIT
"""SNS over the query protocol (what every SDK speaks for SNS) with boto3:
topics, subscriptions, Publish and PublishBatch, and delivery to SQS queues,
Lambda functions and HTTP endpoints, checked against AWS's recorded answers
(LocalStack's AWS-validated snapshots of test_sns.py): the attribute sets,
the exact error texts, the Notification envelope and its signature, raw
delivery, FIFO topics, the HTTP confirmation flow, retries by the delivery
policy and the dead-letter queue, and kill -9 durability."""
import base64
import http.server
import json
import os
import queue
import threading
import time
import unittest
import urllib.parse
import urllib.request

import harness

ACCOUNT = "000000000000"
PREFIX = "arn:aws:sns:us-east-1:%s:" % ACCOUNT


def verify_signature(envelope, cert_pem):
    """Checks an SNS message's Signature as AWS's docs say a subscriber must:
    the canonical "Name\\nvalue\\n" string of its fields, SHA1withRSA
    (SignatureVersion 1) or SHA256withRSA (2), with the certificate served at
    SigningCertURL. Uses openssl(1), so no Python crypto package is needed."""
    import subprocess
    import tempfile
    if envelope["Type"] == "Notification":
        names = ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"]
    else:
        names = ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"]
    text = "".join("%s\n%s\n" % (n, envelope[n]) for n in names if envelope.get(n) is not None)
    digest = "-sha256" if envelope["SignatureVersion"] == "2" else "-sha1"
    with tempfile.TemporaryDirectory() as d:
        paths = {k: os.path.join(d, k) for k in ("cert", "pub", "sig", "msg")}
        with open(paths["cert"], "w") as f:
            f.write(cert_pem)
        with open(paths["sig"], "wb") as f:
            f.write(base64.b64decode(envelope["Signature"]))
        with open(paths["msg"], "w") as f:
            f.write(text)
        subprocess.run(["openssl", "x509", "-in", paths["cert"], "-pubkey", "-noout", "-out", paths["pub"]],
                       check=True, capture_output=True)
        r = subprocess.run(["openssl", "dgst", digest, "-verify", paths["pub"], "-signature", paths["sig"],
                            paths["msg"]], capture_output=True, text=True)
        return r.returncode == 0


class SnsTest(harness.ServerTest):
    def setUp(self):
        super().setUp()
        self.sns = self.server.client("sns")
        self.sqs = self.server.client("sqs")

    def queue(self, name, **attrs):
        url = self.sqs.create_queue(QueueName=name, Attributes=attrs)["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        return url, arn

    def receive(self, url, n=1, wait=2, **kw):
        got = []
        deadline = time.time() + wait + 3
        while len(got) < n and time.time() < deadline:
            r = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1, **kw)
            for m in r.get("Messages", []):
                self.sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
                got.append(m)
        return got

    def topic_to_queue(self, topic="t", q="q", raw=False, **sub_attrs):
        arn = self.sns.create_topic(Name=topic)["TopicArn"]
        url, qarn = self.queue(q)
        attrs = dict(sub_attrs)
        if raw:
            attrs["RawMessageDelivery"] = "true"
        sub = self.sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=qarn, Attributes=attrs)["SubscriptionArn"]
        return arn, url, sub


class TestTopics(SnsTest):
    def test_create_is_idempotent_and_reports_aws_attributes(self):
        arn = self.sns.create_topic(Name="orders")["TopicArn"]
        self.assertEqual(arn, PREFIX + "orders")
        self.assertEqual(self.sns.create_topic(Name="orders")["TopicArn"], arn)
        a = self.sns.get_topic_attributes(TopicArn=arn)["Attributes"]
        self.assertEqual(set(a), {"DisplayName", "EffectiveDeliveryPolicy", "Owner", "Policy", "SubscriptionsConfirmed",
                                  "SubscriptionsDeleted", "SubscriptionsPending", "TopicArn"})
        self.assertEqual((a["DisplayName"], a["Owner"], a["SubscriptionsConfirmed"]), ("", ACCOUNT, "0"))
        policy = json.loads(a["Policy"])
        self.assertEqual(policy["Statement"][0]["Resource"], arn)
        self.assertEqual(policy["Statement"][0]["Condition"], {"StringEquals": {"AWS:SourceOwner": ACCOUNT}})
        retry = json.loads(a["EffectiveDeliveryPolicy"])["http"]["defaultHealthyRetryPolicy"]
        self.assertEqual((retry["numRetries"], retry["minDelayTarget"], retry["backoffFunction"]), (3, 20, "linear"))

    def test_recreate_with_other_attributes_or_tags_is_refused(self):
        self.sns.create_topic(Name="a", Attributes={"DisplayName": "one"}, Tags=[{"Key": "k", "Value": "v"}])
        self.sns.create_topic(Name="a", Attributes={"DisplayName": "one"})
        self.sns.create_topic(Name="a", Tags=[{"Key": "k", "Value": "v"}])
        msg = self.assertError("InvalidParameter", self.sns.create_topic, Name="a", Attributes={"DisplayName": "two"})
        self.assertEqual(msg, "Invalid parameter: Attributes Reason: Topic already exists with different attributes")
        msg = self.assertError("InvalidParameter", self.sns.create_topic, Name="a", Tags=[{"Key": "x", "Value": "y"}])
        self.assertEqual(msg, "Invalid parameter: Tags Reason: Topic already exists with different tags")

    def test_name_rules(self):
        for name, attrs in [("", {}), ("a" * 257, {}), ("bad:name", {}), ("bad name", {}), ("x.fifo", {}),
                            ("x", {"FifoTopic": "true"})]:
            msg = self.assertError("InvalidParameter", self.sns.create_topic, Name=name, Attributes=attrs)
            self.assertEqual(msg, "Invalid parameter: Topic Name", name)
        self.assertEqual(self.sns.create_topic(Name="a" * 256)["TopicArn"], PREFIX + "a" * 256)

    def test_fifo_topic_attributes(self):
        arn = self.sns.create_topic(Name="f.fifo", Attributes={"FifoTopic": "true",
                                                               "ContentBasedDeduplication": "true"})["TopicArn"]
        a = self.sns.get_topic_attributes(TopicArn=arn)["Attributes"]
        self.assertEqual((a["FifoTopic"], a["ContentBasedDeduplication"]), ("true", "true"))
        plain = self.sns.create_topic(Name="plain", Attributes={"FifoTopic": "false"})["TopicArn"]
        self.assertNotIn("FifoTopic", self.sns.get_topic_attributes(TopicArn=plain)["Attributes"])

    def test_missing_and_malformed_arns(self):
        msg = self.assertError("NotFound", self.sns.get_topic_attributes, TopicArn=PREFIX + "nope")
        self.assertEqual(msg, "Topic does not exist")
        msg = self.assertError("InvalidParameter", self.sns.get_topic_attributes, TopicArn="test-topic")
        self.assertEqual(msg, "Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 1")
        msg = self.assertError("InvalidParameter", self.sns.get_topic_attributes,
                               TopicArn="arn:aws:sns:eu-west-1:%s:x" % ACCOUNT)
        self.assertEqual(msg, "Invalid parameter: TopicArn")
        self.sns.delete_topic(TopicArn=PREFIX + "nope")  # deleting what is not there succeeds

    def test_set_attributes(self):
        arn = self.sns.create_topic(Name="s")["TopicArn"]
        self.sns.set_topic_attributes(TopicArn=arn, AttributeName="DisplayName", AttributeValue="Orders")
        self.assertEqual(self.sns.get_topic_attributes(TopicArn=arn)["Attributes"]["DisplayName"], "Orders")
        msg = self.assertError("InvalidParameter", self.sns.set_topic_attributes, TopicArn=arn,
                               AttributeName="FifoTopic", AttributeValue="false")
        self.assertEqual(msg, "Invalid parameter: AttributeName")
        policy = json.dumps({"http": {"defaultHealthyRetryPolicy": {"numRetries": 1}}})
        self.sns.set_topic_attributes(TopicArn=arn, AttributeName="DeliveryPolicy", AttributeValue=policy)
        self.assertEqual(json.loads(self.sns.get_topic_attributes(TopicArn=arn)["Attributes"]["DeliveryPolicy"]),
                         json.loads(policy))
        self.sns.set_topic_attributes(TopicArn=arn, AttributeName="DeliveryPolicy", AttributeValue="")
        self.assertNotIn("DeliveryPolicy", self.sns.get_topic_attributes(TopicArn=arn)["Attributes"])

    def test_list_pages_by_100(self):
        arns = sorted(self.sns.create_topic(Name="t%03d" % i)["TopicArn"] for i in range(150))
        first = self.sns.list_topics()
        self.assertEqual(len(first["Topics"]), 100)
        second = self.sns.list_topics(NextToken=first["NextToken"])
        self.assertNotIn("NextToken", second)
        self.assertEqual(sorted(t["TopicArn"] for t in first["Topics"] + second["Topics"]), arns)

    def test_tags(self):
        arn = self.sns.create_topic(Name="tagged")["TopicArn"]
        self.sns.tag_resource(ResourceArn=arn, Tags=[{"Key": "k1", "Value": "v1"}, {"Key": "k2", "Value": "v2"}])
        self.sns.tag_resource(ResourceArn=arn, Tags=[{"Key": "k2", "Value": "v2b"}])
        self.sns.untag_resource(ResourceArn=arn, TagKeys=["k1"])
        self.assertEqual(self.sns.list_tags_for_resource(ResourceArn=arn)["Tags"], [{"Key": "k2", "Value": "v2b"}])
        msg = self.assertError("InvalidParameter", self.sns.tag_resource, ResourceArn=arn,
                               Tags=[{"Key": "d", "Value": "1"}, {"Key": "d", "Value": "2"}])
        self.assertEqual(msg, "Invalid parameter: Duplicated keys are not allowed.")
        self.assertError("TagLimitExceeded", self.sns.tag_resource, ResourceArn=arn,
                         Tags=[{"Key": "n%d" % i, "Value": "v"} for i in range(50)])
        self.assertEqual(len(self.sns.list_tags_for_resource(ResourceArn=arn)["Tags"]), 1)
        self.assertError("ResourceNotFound", self.sns.list_tags_for_resource, ResourceArn=PREFIX + "gone")


class TestSubscriptions(SnsTest):
    def test_sqs_subscription_attributes_and_idempotency(self):
        arn, _, sub = self.topic_to_queue()
        self.assertTrue(sub.startswith(arn + ":"))
        a = self.sns.get_subscription_attributes(SubscriptionArn=sub)["Attributes"]
        self.assertEqual(set(a), {"ConfirmationWasAuthenticated", "Endpoint", "Owner", "PendingConfirmation",
                                  "Protocol", "RawMessageDelivery", "SubscriptionArn", "SubscriptionPrincipal",
                                  "TopicArn"})
        self.assertEqual((a["PendingConfirmation"], a["RawMessageDelivery"], a["Protocol"]), ("false", "false", "sqs"))
        again = self.sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=a["Endpoint"],
                                   Attributes={"RawMessageDelivery": "false"})["SubscriptionArn"]
        self.assertEqual(again, sub)
        msg = self.assertError("InvalidParameter", self.sns.subscribe, TopicArn=arn, Protocol="sqs",
                               Endpoint=a["Endpoint"], Attributes={"RawMessageDelivery": "true"})
        self.assertEqual(msg, "Invalid parameter: Attributes Reason: Subscription already exists with different "
                              "attributes")
        self.assertEqual(self.sns.get_topic_attributes(TopicArn=arn)["Attributes"]["SubscriptionsConfirmed"], "1")

    def test_subscribe_errors(self):
        arn = self.sns.create_topic(Name="e")["TopicArn"]
        msg = self.assertError("InvalidParameter", self.sns.subscribe, TopicArn=arn, Protocol="test-protocol",
                               Endpoint="a@b.c")
        self.assertEqual(msg, "Invalid parameter: Amazon SNS does not support this protocol string: test-protocol")
        msg = self.assertError("InvalidParameter", self.sns.subscribe, TopicArn=arn, Protocol="sqs",
                               Endpoint="http://queue.url/q")
        self.assertEqual(msg, "Invalid parameter: SQS endpoint ARN")
        _, fifo = self.queue("ff.fifo", FifoQueue="true")
        msg = self.assertError("InvalidParameter", self.sns.subscribe, TopicArn=arn, Protocol="sqs", Endpoint=fifo)
        self.assertEqual(msg, "Invalid parameter: Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be "
                              "subscribed to standard SNS topics")
        msg = self.assertError("NotFound", self.sns.subscribe, TopicArn=PREFIX + "x", Protocol="sqs", Endpoint=fifo)
        self.assertEqual(msg, "Topic does not exist")
        msg = self.assertError("InvalidParameter", self.sns.subscribe, TopicArn=arn, Protocol="sqs", Endpoint=fifo[:-5],
                               Attributes={"RawMessageDelivery": "wrongvalue"})
        self.assertEqual(msg, "Invalid parameter: Attributes Reason: RawMessageDelivery: Invalid value [wrongvalue]. "
                              "Must be true or false.")

    def test_set_attribute_errors_and_unsubscribe(self):
        _, _, sub = self.topic_to_queue()
        for name, value, text in [
                ("FakeAttribute", "x", "Invalid parameter: AttributeName"),
                ("RawMessageDelivery", "", "Invalid parameter: RawMessageDelivery: Invalid value []. Must be true or "
                                           "false."),
                ("RedrivePolicy", json.dumps({"deadLetterTargetArn": "fake-arn"}),
                 "Invalid parameter: RedrivePolicy: deadLetterTargetArn is an invalid arn"),
                ("FilterPolicyScope", "RandomValue", "Invalid parameter: FilterPolicyScope: Invalid value "
                                                     "[RandomValue]. Please use either MessageBody or "
                                                     "MessageAttributes")]:
            msg = self.assertError("InvalidParameter", self.sns.set_subscription_attributes, SubscriptionArn=sub,
                                   AttributeName=name, AttributeValue=value)
            self.assertEqual(msg, text)
        self.sns.set_subscription_attributes(SubscriptionArn=sub, AttributeName="RawMessageDelivery",
                                             AttributeValue="True")
        a = self.sns.get_subscription_attributes(SubscriptionArn=sub)["Attributes"]
        self.assertEqual(a["RawMessageDelivery"], "true")
        self.sns.unsubscribe(SubscriptionArn=sub)
        self.sns.unsubscribe(SubscriptionArn=sub)  # twice is fine
        msg = self.assertError("NotFound", self.sns.get_subscription_attributes, SubscriptionArn=sub)
        self.assertEqual(msg, "Subscription does not exist")
        msg = self.assertError("InvalidParameter", self.sns.unsubscribe, SubscriptionArn=PREFIX + "t")
        self.assertEqual(msg, "Invalid parameter: SubscriptionId")
        msg = self.assertError("InvalidParameter", self.sns.unsubscribe, SubscriptionArn="pending confirmation")
        self.assertEqual(msg, "Invalid parameter: SubscriptionArn Reason: An ARN must have at least 6 elements, not 1")

    def test_list_subscriptions_pages_and_delete_topic_removes_them(self):
        arn = self.sns.create_topic(Name="many")["TopicArn"]
        for i in range(101):
            self.sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint="arn:aws:sqs:us-east-1:%s:q%d" % (ACCOUNT, i))
        page = self.sns.list_subscriptions_by_topic(TopicArn=arn)
        self.assertEqual(len(page["Subscriptions"]), 100)
        rest = self.sns.list_subscriptions_by_topic(TopicArn=arn, NextToken=page["NextToken"])
        self.assertEqual((len(rest["Subscriptions"]), "NextToken" in rest), (1, False))
        self.assertEqual(set(rest["Subscriptions"][0]), {"Endpoint", "Owner", "Protocol", "SubscriptionArn",
                                                         "TopicArn"})
        self.sns.delete_topic(TopicArn=arn)
        self.assertEqual(self.sns.list_subscriptions()["Subscriptions"], [])


class TestPublishToSqs(SnsTest):
    def test_envelope_fields_and_signature(self):
        arn, url, sub = self.topic_to_queue()
        r = self.sns.publish(TopicArn=arn, Message="hello", Subject="greeting",
                             MessageAttributes={"n": {"DataType": "Number", "StringValue": "5"},
                                                "b": {"DataType": "Binary", "BinaryValue": b"\x02\x03\x04"}})
        [m] = self.receive(url, MessageAttributeNames=["All"])
        self.assertNotIn("MessageAttributes", m)  # not raw: the attributes travel in the envelope only
        env = json.loads(m["Body"])
        self.assertEqual(list(env)[:5], ["Type", "MessageId", "TopicArn", "Subject", "Message"])
        self.assertEqual((env["Type"], env["MessageId"], env["TopicArn"], env["Subject"], env["Message"]),
                         ("Notification", r["MessageId"], arn, "greeting", "hello"))
        self.assertRegex(env["Timestamp"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
        self.assertEqual(env["MessageAttributes"], {"n": {"Type": "Number", "Value": "5"},
                                                    "b": {"Type": "Binary", "Value": "AgME"}})
        self.assertEqual(env["SignatureVersion"], "1")
        self.assertEqual(env["UnsubscribeURL"], self.server.endpoint + "/?Action=Unsubscribe&SubscriptionArn=" + sub)
        self.assertRegex(env["SigningCertURL"], r"/SimpleNotificationService-[0-9a-f]{32}\.pem")
        cert = urllib.request.urlopen(env["SigningCertURL"], timeout=5).read().decode()
        self.assertIn("BEGIN CERTIFICATE", cert)
        self.assertTrue(verify_signature(env, cert))
        env["Message"] = "tampered"
        self.assertFalse(verify_signature(env, cert))

    def test_signature_version_2_and_no_subject(self):
        arn, url, _ = self.topic_to_queue()
        self.sns.set_topic_attributes(TopicArn=arn, AttributeName="SignatureVersion", AttributeValue="2")
        self.sns.publish(TopicArn=arn, Message="v2")
        env = json.loads(self.receive(url)[0]["Body"])
        self.assertNotIn("Subject", env)
        self.assertEqual(env["SignatureVersion"], "2")
        cert = urllib.request.urlopen(env["SigningCertURL"], timeout=5).read().decode()
        self.assertTrue(verify_signature(env, cert))

    def test_unsubscribe_url_unsubscribes(self):
        arn, url, sub = self.topic_to_queue()
        self.sns.publish(TopicArn=arn, Message="one")
        env = json.loads(self.receive(url)[0]["Body"])
        body = urllib.request.urlopen(env["UnsubscribeURL"], timeout=5).read().decode()
        self.assertIn("UnsubscribeResponse", body)
        self.assertError("NotFound", self.sns.get_subscription_attributes, SubscriptionArn=sub)

    def test_raw_delivery_carries_attributes_as_sqs_attributes(self):
        arn, url, _ = self.topic_to_queue(raw=True)
        self.sns.publish(TopicArn=arn, Message="raw body",
                         MessageAttributes={"attr1": {"DataType": "Number", "StringValue": "99.12"},
                                            "bin": {"DataType": "Binary", "BinaryValue": b"\x00\x01"}})
        [m] = self.receive(url, MessageAttributeNames=["All"])
        self.assertEqual(m["Body"], "raw body")
        self.assertEqual(m["MessageAttributes"]["attr1"], {"DataType": "Number", "StringValue": "99.12"})
        self.assertEqual(m["MessageAttributes"]["bin"]["BinaryValue"], b"\x00\x01")

    def test_message_structure_json_picks_the_protocols_text(self):
        arn, url, _ = self.topic_to_queue()
        self.sns.publish(TopicArn=arn, MessageStructure="json",
                         Message=json.dumps({"default": "for all", "sqs": "for queues", "email": "for mail"}))
        self.sns.publish(TopicArn=arn, MessageStructure="json", Message=json.dumps({"default": "only default"}))
        got = [json.loads(m["Body"])["Message"] for m in self.receive(url, 2)]
        self.assertEqual(sorted(got), ["for queues", "only default"])
        msg = self.assertError("InvalidParameter", self.sns.publish, TopicArn=arn, MessageStructure="json",
                               Message=json.dumps({"sqs": "x"}))
        self.assertEqual(msg, "Invalid parameter: Message Structure - No default entry in JSON message body")
        msg = self.assertError("InvalidParameter", self.sns.publish, TopicArn=arn, MessageStructure="json",
                               Message='{"default": "x"} }')
        self.assertEqual(msg, "Invalid parameter: Message Structure - JSON message body failed to parse")

    def test_publish_errors(self):
        arn, url, _ = self.topic_to_queue()
        cases = [
            (dict(TopicArn=arn, Message=""), "InvalidParameter", "Invalid parameter: Empty message"),
            (dict(TopicArn=arn, Message="x", Subject=""), "InvalidParameter", "Invalid parameter: Subject"),
            (dict(TopicArn=PREFIX + "none", Message="x"), "NotFound", "Topic does not exist"),
            (dict(TopicArn="randomstring:1", Message="x"), "InvalidParameter",
             "Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 2"),
            (dict(TopicArn=arn, Message="x", MessageDeduplicationId="d"), "InvalidParameter",
             "Invalid parameter: MessageDeduplicationId Reason: The request includes MessageDeduplicationId "
             "parameter that is not valid for this topic type"),
            (dict(TopicArn=arn, Message="x", MessageAttributes={"attr1": {"DataType": "String", "StringValue": ""}}),
             "ParameterValueInvalid", "The message attribute 'attr1' must contain non-empty message attribute value "
                                      "for message attribute type 'String'."),
            (dict(TopicArn=arn, Message="x", MessageAttributes={"attr1": {"DataType": "Binary",
                                                                          "StringValue": "1"}}),
             "ParameterValueInvalid", "The message attribute 'attr1' with type 'Binary' must use field 'Binary'."),
            (dict(TopicArn=arn, Message="x", MessageAttributes={"attr1": {"DataType": "Stringprefixed",
                                                                          "StringValue": "1"}}),
             "ParameterValueInvalid", "The message attribute 'attr1' has an invalid message attribute type, the set "
                                      "of supported type prefixes is Binary, Number, and String."),
            (dict(TopicArn=arn, Message="x", MessageAttributes={"a^*?": {"DataType": "String", "StringValue": "1"}}),
             "ParameterValueInvalid", "Invalid non-alphanumeric character '#x5E' was found in the message attribute "
                                      "name. Can only include alphanumeric characters, hyphens, underscores, or "
                                      "dots."),
            (dict(TopicArn=arn, Message="x", MessageAttributes={"a..b": {"DataType": "String", "StringValue": "1"}}),
             "ParameterValueInvalid", "Message attribute name can not have successive '.' character."),
        ]
        for kw, code, text in cases:
            self.assertEqual(self.assertError(code, self.sns.publish, **kw), text, kw)
        self.assertEqual(self.receive(url, 1, wait=0), [])  # nothing refused was delivered
        # a custom type suffix is fine
        self.sns.publish(TopicArn=arn, Message="x", MessageAttributes={"a": {"DataType": "String.custom",
                                                                             "StringValue": "1"}})

    def test_size_limit_counts_attributes(self):
        arn, url, _ = self.topic_to_queue(raw=True)
        attrs = {"attr1": {"DataType": "Number", "StringValue": "1"}}
        body = "x" * (262144 - len("attr1") - len("Number") - 1)
        self.sns.publish(TopicArn=arn, Message=body, MessageAttributes=attrs)
        msg = self.assertError("InvalidParameter", self.sns.publish, TopicArn=arn, Message=body + "x",
                               MessageAttributes=attrs)
        self.assertEqual(msg, "Invalid parameter: Message too long")
        self.assertEqual(len(self.receive(url)[0]["Body"]), len(body))

    def test_publish_batch(self):
        arn, url, _ = self.topic_to_queue(raw=True)
        r = self.sns.publish_batch(TopicArn=arn, PublishBatchRequestEntries=[
            {"Id": "a", "Message": "one"}, {"Id": "b", "Message": "two", "Subject": "s"}])
        self.assertEqual([e["Id"] for e in r["Successful"]], ["a", "b"])
        self.assertEqual(r["Failed"], [])
        self.assertEqual(sorted(m["Body"] for m in self.receive(url, 2)), ["one", "two"])
        entries = lambda n: [{"Id": str(i), "Message": "m"} for i in range(n)]  # noqa: E731
        for kw, code, text in [
                (dict(PublishBatchRequestEntries=entries(11)), "TooManyEntriesInBatchRequest",
                 "The batch request contains more entries than permissible."),
                (dict(PublishBatchRequestEntries=[{"Id": "1", "Message": "a"}, {"Id": "1", "Message": "b"}]),
                 "BatchEntryIdsNotDistinct", "Two or more batch entries in the request have the same Id."),
                (dict(PublishBatchRequestEntries=[{"Id": "message.id", "Message": "a"}]), "InvalidBatchEntryId",
                 "The Id of a batch entry in the batch request contains an impermissible character: message.id"),
                (dict(PublishBatchRequestEntries=[{"Id": "a" * 81, "Message": "a"}]), "InvalidBatchEntryId",
                 "The Id of a batch entry in the batch request is too long: " + "a" * 81),
                (dict(PublishBatchRequestEntries=[{"Id": "1", "Message": "a" * 131072},
                                                  {"Id": "2", "Message": "b" * 131073}]), "BatchRequestTooLong",
                 "The length of all the messages put together is more than the limit."),
                (dict(PublishBatchRequestEntries=[{"Id": "1", "Message": "ok"}, {"Id": "2", "Message": ""}]),
                 "InvalidParameter", "Invalid parameter: Empty message")]:
            self.assertEqual(self.assertError(code, self.sns.publish_batch, TopicArn=arn, **kw), text)
        self.assertEqual(self.receive(url, 1, wait=0), [])  # a refused batch published nothing

    def test_fifo_topic_to_fifo_queue_keeps_group_order_and_deduplicates(self):
        arn = self.sns.create_topic(Name="f.fifo", Attributes={"FifoTopic": "true"})["TopicArn"]
        url, qarn = self.queue("fq.fifo", FifoQueue="true")
        self.sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=qarn)
        msg = self.assertError("InvalidParameter", self.sns.publish, TopicArn=arn, Message="x")
        self.assertEqual(msg, "Invalid parameter: The MessageGroupId parameter is required for FIFO topics")
        msg = self.assertError("InvalidParameter", self.sns.publish, TopicArn=arn, Message="x", MessageGroupId="g")
        self.assertEqual(msg, "Invalid parameter: The topic should either have ContentBasedDeduplication enabled or "
                              "MessageDeduplicationId provided explicitly")
        ids = []
        for i in range(3):
            r = self.sns.publish(TopicArn=arn, Message="m%d" % i, MessageGroupId="g", MessageDeduplicationId="d%d" % i)
            self.assertRegex(r["SequenceNumber"], r"^\d{20}$")
            ids.append(r)
        dup = self.sns.publish(TopicArn=arn, Message="again", MessageGroupId="g", MessageDeduplicationId="d1")
        self.assertEqual(dup["MessageId"], ids[1]["MessageId"])
        got = self.receive(url, 3, AttributeNames=["All"])
        envs = [json.loads(m["Body"]) for m in got]
        self.assertEqual([e["Message"] for e in envs], ["m0", "m1", "m2"])
        self.assertEqual(list(envs[0])[:3], ["Type", "MessageId", "SequenceNumber"])
        self.assertNotIn("Signature", envs[0])  # FIFO topics' messages go unsigned
        self.assertEqual(got[0]["Attributes"]["MessageGroupId"], "g")
        self.assertEqual(got[0]["Attributes"]["MessageDeduplicationId"], "d0")
        self.assertEqual(self.receive(url, 1, wait=0), [])

    def test_content_based_deduplication(self):
        arn = self.sns.create_topic(Name="c.fifo", Attributes={"FifoTopic": "true",
                                                               "ContentBasedDeduplication": "true"})["TopicArn"]
        url, qarn = self.queue("cq.fifo", FifoQueue="true")
        self.sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=qarn, Attributes={"RawMessageDelivery": "true"})
        a = self.sns.publish(TopicArn=arn, Message="same", MessageGroupId="g")
        b = self.sns.publish(TopicArn=arn, Message="same", MessageGroupId="g")
        self.assertEqual(a["MessageId"], b["MessageId"])
        self.assertEqual([m["Body"] for m in self.receive(url, 2, wait=1)], ["same"])

    def test_message_group_id_is_accepted_on_a_standard_topic(self):
        arn, url, _ = self.topic_to_queue(raw=True)
        self.sns.publish(TopicArn=arn, Message="grouped", MessageGroupId="tenant-1")
        self.assertEqual([m["Body"] for m in self.receive(url)], ["grouped"])

    def test_failed_delivery_goes_to_the_redrive_dlq(self):
        arn = self.sns.create_topic(Name="d")["TopicArn"]
        dlq_url, dlq = self.queue("dead")
        gone = "arn:aws:sqs:us-east-1:%s:never-made" % ACCOUNT
        self.sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=gone,
                           Attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq})})
        r = self.sns.publish(TopicArn=arn, Message="lost")
        [m] = self.receive(dlq_url, MessageAttributeNames=["All"])
        env = json.loads(m["Body"])
        self.assertEqual((env["MessageId"], env["Message"]), (r["MessageId"], "lost"))
        self.assertIn("ErrorMessage", m["MessageAttributes"])


class TestFilterPolicies(SnsTest):
    def test_attribute_policy_selects_messages(self):
        policy = {"store": ["example_corp"], "price_usd": [{"numeric": [">=", 100]}],
                  "event": [{"anything-but": "order_cancelled"}]}
        arn, url, sub = self.topic_to_queue(raw=True, FilterPolicy=json.dumps(policy))
        a = self.sns.get_subscription_attributes(SubscriptionArn=sub)["Attributes"]
        self.assertEqual((json.loads(a["FilterPolicy"]), a["FilterPolicyScope"]), (policy, "MessageAttributes"))

        def pub(body, **attrs):
            self.sns.publish(TopicArn=arn, Message=body, MessageAttributes={
                k: ({"DataType": "Number", "StringValue": str(v)} if isinstance(v, (int, float))
                    else {"DataType": "String", "StringValue": v}) for k, v in attrs.items()})
        pub("match", store="example_corp", price_usd=150, event="order_placed")
        pub("cheap", store="example_corp", price_usd=5, event="order_placed")
        pub("cancelled", store="example_corp", price_usd=500, event="order_cancelled")
        pub("string price", store="example_corp", price_usd="150", event="order_placed")
        pub("no attributes")
        self.assertEqual([m["Body"] for m in self.receive(url, 2, wait=1)], ["match"])

    def test_body_policy_and_scope_change(self):
        arn, url, sub = self.topic_to_queue(raw=True, FilterPolicyScope="MessageBody",
                                            FilterPolicy=json.dumps({"order": {"amount": [{"numeric": [">", 10]}]}}))
        for body in [{"order": {"amount": 50}}, {"order": {"amount": 5}}, "not json", {"other": 1}]:
            self.sns.publish(TopicArn=arn, Message=json.dumps(body) if isinstance(body, dict) else body)
        self.assertEqual([json.loads(m["Body"]) for m in self.receive(url, 2, wait=1)], [{"order": {"amount": 50}}])
        # a nested policy is only valid for the body
        msg = self.assertError("InvalidParameter", self.sns.set_subscription_attributes, SubscriptionArn=sub,
                               AttributeName="FilterPolicyScope", AttributeValue="MessageAttributes")
        self.assertEqual(msg, "Invalid parameter: Filter policy scope MessageAttributes does not support nested "
                              "filter policy")
        # removing the policy lets everything through
        self.sns.set_subscription_attributes(SubscriptionArn=sub, AttributeName="FilterPolicy", AttributeValue="")
        self.sns.publish(TopicArn=arn, Message="anything")
        self.assertEqual([m["Body"] for m in self.receive(url)], ["anything"])

    def test_invalid_policies_are_refused_with_aws_texts(self):
        arn = self.sns.create_topic(Name="fp")["TopicArn"]
        _, qarn = self.queue("fpq")
        too_many = {"k%d" % i: ["v"] for i in range(6)}
        msg = self.assertError("InvalidParameter", self.sns.subscribe, TopicArn=arn, Protocol="sqs", Endpoint=qarn,
                               Attributes={"FilterPolicy": json.dumps(too_many)})
        self.assertTrue(msg.startswith("Invalid parameter: Attributes Reason: FilterPolicy: Filter policy can not "
                                       "have more than 5 keys"), msg)
        sub = self.sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=qarn)["SubscriptionArn"]
        msg = self.assertError("InvalidParameter", self.sns.set_subscription_attributes, SubscriptionArn=sub,
                               AttributeName="FilterPolicy", AttributeValue=json.dumps({"key": [["value"]]}))
        self.assertTrue(msg.startswith("Invalid parameter: FilterPolicy: Match value must be String, number, true, "
                                       "false, or null"), msg)
        many = {"a": list(range(10)), "b": list(range(10)), "c": list(range(2))}
        msg = self.assertError("InvalidParameter", self.sns.set_subscription_attributes, SubscriptionArn=sub,
                               AttributeName="FilterPolicy", AttributeValue=json.dumps(many))
        self.assertEqual(msg, "Invalid parameter: FilterPolicy: Filter policy is too complex")
        self.assertNotIn("FilterPolicy", self.sns.get_subscription_attributes(SubscriptionArn=sub)["Attributes"])


class TestEmailSubscription(SnsTest):
    def mails(self):
        with urllib.request.urlopen(self.server.endpoint + "/_runnel/ses", timeout=5) as r:
            return json.loads(r.read())["messages"]

    def test_confirmation_and_notification_mails_are_captured(self):
        arn = self.sns.create_topic(Name="mail", Attributes={"DisplayName": "Shop"})["TopicArn"]
        self.assertEqual(self.sns.subscribe(TopicArn=arn, Protocol="email",
                                            Endpoint="ops@example.com")["SubscriptionArn"], "pending confirmation")
        self.sns.subscribe(TopicArn=arn, Protocol="email-json", Endpoint="bot@example.com")
        confirm = [m for m in self.mails() if m["destinations"] == ["ops@example.com"]]
        self.assertEqual(len(confirm), 1)
        self.assertEqual((confirm[0]["source"], confirm[0]["subject"]),
                         ("no-reply@sns.amazonaws.com", "AWS Notification - Subscription Confirmation"))
        link = [w for w in confirm[0]["text"].split() if "Action=ConfirmSubscription" in w][0]
        urllib.request.urlopen(link, timeout=5).read()
        conf_json = [m for m in self.mails() if m["destinations"] == ["bot@example.com"]][0]
        token = json.loads(conf_json["text"])["Token"]
        self.sns.confirm_subscription(TopicArn=arn, Token=token)
        subs = self.sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"]
        self.assertNotIn("PendingConfirmation", [s["SubscriptionArn"] for s in subs])
        r = self.sns.publish(TopicArn=arn, Message="Your order shipped", Subject="Order 42")
        got = {m["destinations"][0]: m for m in self.mails()[-2:]}
        self.assertEqual(got["ops@example.com"]["subject"], "Order 42")
        self.assertTrue(got["ops@example.com"]["text"].startswith("Your order shipped\n"))
        self.assertIn('From: "Shop" <no-reply@sns.amazonaws.com>', got["ops@example.com"]["raw"])
        env = json.loads(got["bot@example.com"]["text"])
        self.assertEqual((env["Type"], env["MessageId"], env["Message"]), ("Notification", r["MessageId"],
                                                                             "Your order shipped"))


class TestMetricsInCloudWatch(SnsTest):
    def test_topic_figures_reach_aws_sns_each_minute(self):
        arn, url, _ = self.topic_to_queue(raw=True, FilterPolicy=json.dumps({"k": ["v"]}))
        for k in ("v", "v", "x"):
            self.sns.publish(TopicArn=arn, Message="hello",
                             MessageAttributes={"k": {"DataType": "String", "StringValue": k}})
        now = self.advance(61)["now"]
        cw = self.server.client("cloudwatch")
        import datetime
        end = datetime.datetime.fromisoformat(now.replace("Z", "+00:00")) + datetime.timedelta(minutes=1)

        def total(name, stat="Sum"):
            r = cw.get_metric_statistics(Namespace="AWS/SNS", MetricName=name, Statistics=[stat], Period=60,
                                         Dimensions=[{"Name": "TopicName", "Value": "t"}],
                                         StartTime=end - datetime.timedelta(minutes=10), EndTime=end)
            return sum(p[stat] for p in r["Datapoints"])
        self.assertEqual(total("NumberOfMessagesPublished"), 3)
        self.assertEqual(total("NumberOfNotificationsDelivered"), 2)
        self.assertEqual(total("NumberOfNotificationsFilteredOut"), 1)
        self.assertEqual(total("PublishSize", "Average"), 5)
        names = {m["MetricName"] for m in cw.list_metrics(Namespace="AWS/SNS")["Metrics"]}
        self.assertIn("NumberOfMessagesPublished", names)
        # nothing new in the next minute: no new datapoints, the sums stay
        self.advance(60)
        self.assertEqual(total("NumberOfMessagesPublished"), 3)


class TestFromOtherServices(SnsTest):
    def test_eventbridge_rule_target_publishes_to_the_topic(self):
        arn, url, _ = self.topic_to_queue(raw=True)
        ev = self.server.client("events")
        ev.put_rule(Name="to-sns", EventPattern=json.dumps({"source": ["shop"]}))
        ev.put_targets(Rule="to-sns", Targets=[{"Id": "t", "Arn": arn}])
        ev.put_events(Entries=[{"Source": "shop", "DetailType": "OrderCreated", "Detail": json.dumps({"id": 7})}])
        [m] = self.receive(url)
        event = json.loads(m["Body"])
        self.assertEqual((event["source"], event["detail"]), ("shop", {"id": 7}))


class TestAlarmAction(SnsTest):
    def test_alarm_state_change_is_published_to_the_topic(self):
        arn, url, _ = self.topic_to_queue()
        cw = self.server.client("cloudwatch")
        cw.put_metric_alarm(AlarmName="orders-errors", Namespace="Shop", MetricName="Errors", Statistic="Sum",
                            Period=60, EvaluationPeriods=1, Threshold=1, ComparisonOperator="GreaterThanThreshold",
                            AlarmActions=[arn])
        cw.set_alarm_state(AlarmName="orders-errors", StateValue="ALARM", StateReason="testing the action")
        [m] = self.receive(url)
        env = json.loads(m["Body"])
        self.assertEqual(env["Subject"], 'ALARM: "orders-errors" in US East (N. Virginia)')
        alarm = json.loads(env["Message"])
        self.assertEqual((alarm["AlarmName"], alarm["NewStateValue"], alarm["NewStateReason"]),
                         ("orders-errors", "ALARM", "testing the action"))
        self.assertEqual(alarm["Trigger"]["MetricName"], "Errors")


import test_lambda  # noqa: E402  (its LambdaTest base and zip helper; a module reference, so its tests run once)


class TestLambdaSubscription(test_lambda.LambdaTest):
    RECORDER = """
import json, os
def handler(event, context):
    with open(os.environ["OUT"], "a") as f:
        f.write(json.dumps(event) + "\\n")
"""

    def test_function_gets_the_sns_event(self):
        sns = self.server.client("sns")
        out = os.path.join(self.tmp, "sns-%d.log" % time.time_ns())
        fn = self.create("snsrec", zipped=test_lambda.zip_of({"app.py": self.RECORDER}),
                         Environment={"Variables": {"OUT": out}})["FunctionArn"]
        arn = sns.create_topic(Name="to-lambda")["TopicArn"]
        sub = sns.subscribe(TopicArn=arn, Protocol="lambda", Endpoint=fn)["SubscriptionArn"]
        r = sns.publish(TopicArn=arn, Message="to the function",
                        MessageAttributes={"k": {"DataType": "String", "StringValue": "v"}})
        [event] = test_lambda.rows_of(out, 1)
        [rec] = event["Records"]
        self.assertEqual((rec["EventSource"], rec["EventVersion"], rec["EventSubscriptionArn"]),
                         ("aws:sns", "1.0", sub))
        s = rec["Sns"]
        self.assertEqual((s["Type"], s["MessageId"], s["TopicArn"], s["Message"], s["Subject"]),
                         ("Notification", r["MessageId"], arn, "to the function", None))
        self.assertEqual(s["MessageAttributes"], {"k": {"Type": "String", "Value": "v"}})
        self.assertIn("SigningCertUrl", s)
        self.assertIn("UnsubscribeUrl", s)


class TestLambdaDestination(test_lambda.LambdaTest):
    def test_on_success_destination_publishes_to_a_topic(self):
        sns, sqs = self.server.client("sns"), self.server.client("sqs")
        arn = sns.create_topic(Name="fn-results")["TopicArn"]
        url = sqs.create_queue(QueueName="fn-results-q")["QueueUrl"]
        qarn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=qarn, Attributes={"RawMessageDelivery": "true"})
        self.create("dest")
        self.lam.put_function_event_invoke_config(FunctionName="dest",
                                                  DestinationConfig={"OnSuccess": {"Destination": arn}})
        self.lam.invoke(FunctionName="dest", InvocationType="Event", Payload=json.dumps({"hello": "sns"}))
        r = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=10)
        record = json.loads(r["Messages"][0]["Body"])
        self.assertEqual(record["requestPayload"], {"hello": "sns"})
        self.assertEqual(record["requestContext"]["condition"], "Success")


class Endpoint:
    """A loopback HTTP endpoint that records what SNS posts and answers with
    the statuses it is told (200 when none are left)."""

    def __init__(self, statuses=()):
        self.got = queue.Queue()
        self.statuses = list(statuses)
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                status = outer.statuses.pop(0) if outer.statuses else 200
                outer.got.put((dict((k.lower(), v) for k, v in self.headers.items()), body, status))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *a):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d/hook" % self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def next(self, timeout=10):
        return self.got.get(timeout=timeout)

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class TestHttpSubscription(SnsTest):
    def retry_after(self, seconds):
        """Waits until the failed delivery's retry is scheduled (the server has
        read the endpoint's answer), then moves the clock past it."""
        deadline = time.time() + 10
        while time.time() < deadline:
            with urllib.request.urlopen(self.server.endpoint + "/_runnel/health", timeout=5) as r:
                if json.loads(r.read())["services"]["sns"]["retriesWaiting"] == 1:
                    break
            time.sleep(0.02)
        self.advance(seconds)

    def subscribe_confirmed(self, endpoint, arn, **attrs):
        r = self.sns.subscribe(TopicArn=arn, Protocol="http", Endpoint=endpoint.url, Attributes=attrs)
        self.assertEqual(r["SubscriptionArn"], "pending confirmation")
        headers, body, _ = endpoint.next()
        conf = json.loads(body)
        self.assertEqual(headers["x-amz-sns-message-type"], "SubscriptionConfirmation")
        self.assertNotIn("x-amz-sns-subscription-arn", headers)
        self.assertEqual(conf["Type"], "SubscriptionConfirmation")
        self.assertRegex(conf["Token"], r"^[0-9a-f]{288}$")
        self.assertEqual(conf["SubscribeURL"], "%s/?Action=ConfirmSubscription&TopicArn=%s&Token=%s" %
                         (self.server.endpoint, arn, conf["Token"]))
        cert = urllib.request.urlopen(conf["SigningCertURL"], timeout=5).read().decode()
        self.assertTrue(verify_signature(conf, cert))
        [pending] = self.sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"]
        self.assertEqual(pending["SubscriptionArn"], "PendingConfirmation")
        xml = urllib.request.urlopen(conf["SubscribeURL"], timeout=5).read().decode()
        self.assertIn("<SubscriptionArn>%s:" % arn, xml)
        [sub] = self.sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"]
        return sub["SubscriptionArn"]

    def test_confirmation_flow_then_notification_with_headers(self):
        ep = Endpoint()
        try:
            arn = self.sns.create_topic(Name="web")["TopicArn"]
            sub = self.subscribe_confirmed(ep, arn)
            msg = self.assertError("InvalidParameter", self.sns.confirm_subscription, TopicArn=arn,
                                   Token="randomtoken")
            self.assertEqual(msg, "Invalid token")
            r = self.sns.publish(TopicArn=arn, Message="over http", Subject="s")
            headers, body, _ = ep.next()
            env = json.loads(body)
            self.assertEqual((headers["x-amz-sns-message-type"], headers["x-amz-sns-message-id"],
                              headers["x-amz-sns-topic-arn"], headers["x-amz-sns-subscription-arn"]),
                             ("Notification", r["MessageId"], arn, sub))
            self.assertEqual(headers["content-type"], "text/plain; charset=UTF-8")
            self.assertEqual((env["Message"], env["Subject"]), ("over http", "s"))
            self.sns.unsubscribe(SubscriptionArn=sub)
            headers, body, _ = ep.next()
            self.assertEqual(headers["x-amz-sns-message-type"], "UnsubscribeConfirmation")
            self.assertTrue(json.loads(body)["Message"].startswith("You have chosen to deactivate subscription " + sub))
        finally:
            ep.close()

    def test_server_errors_are_retried_by_the_policy_then_dead_lettered(self):
        ep = Endpoint()
        try:
            arn = self.sns.create_topic(Name="flaky")["TopicArn"]
            dlq_url, dlq = self.queue("http-dlq")
            sub = self.subscribe_confirmed(ep, arn)
            self.sns.set_subscription_attributes(SubscriptionArn=sub, AttributeName="RedrivePolicy",
                                                 AttributeValue=json.dumps({"deadLetterTargetArn": dlq}))
            ep.statuses = [500, 503]
            self.sns.publish(TopicArn=arn, Message="eventually")
            self.assertEqual(ep.next()[2], 500)
            self.retry_after(19)
            self.assertTrue(ep.got.empty())  # not before its time
            self.retry_after(1)  # the default policy: retries 20 s apart
            self.assertEqual(ep.next()[2], 503)
            self.retry_after(20)
            headers, body, status = ep.next()
            self.assertEqual((status, json.loads(body)["Message"]), (200, "eventually"))
            self.assertEqual(self.receive(dlq_url, 1, wait=0), [])
            # four failures in a row (the first try and 3 retries): the DLQ gets it
            ep.statuses = [500] * 4
            self.sns.publish(TopicArn=arn, Message="given up")
            for _ in range(3):
                ep.next()
                self.retry_after(20)
            ep.next()
            [m] = self.receive(dlq_url)
            self.assertEqual(json.loads(m["Body"])["Message"], "given up")
            # a client error (4xx) is not retried
            ep.statuses = [400]
            self.sns.publish(TopicArn=arn, Message="bad request")
            self.assertEqual(ep.next()[2], 400)
            self.assertEqual(json.loads(self.receive(dlq_url)[0]["Body"])["Message"], "bad request")
        finally:
            ep.close()


class TestDurability(unittest.TestCase):
    def test_topics_subscriptions_and_pending_http_deliveries_survive_kill_9(self):
        with harness.DataDir("runnel-sns-") as d:
            server = d.start(["--enable-reset"])  # (so the clock may be moved)
            sns, sqs = server.client("sns"), server.client("sqs")
            arn = sns.create_topic(Name="kept", Attributes={"DisplayName": "Kept"})["TopicArn"]
            url = sqs.create_queue(QueueName="kq")["QueueUrl"]
            qarn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
            sub = sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=qarn,
                                Attributes={"RawMessageDelivery": "true"})["SubscriptionArn"]
            ep = Endpoint()
            try:
                sns.subscribe(TopicArn=arn, Protocol="http", Endpoint=ep.url)
                token = json.loads(ep.next()[1])["Token"]
                sns.confirm_subscription(TopicArn=arn, Token=token)
                ep.statuses = [500]
                sns.publish(TopicArn=arn, Message="before the crash")
                self.assertEqual(ep.next()[2], 500)  # failed once: a retry is due in 20 s
                server.kill()
                server = d.start(["--enable-reset"])
                sns, sqs = server.client("sns"), server.client("sqs")
                self.assertEqual(sns.get_topic_attributes(TopicArn=arn)["Attributes"]["DisplayName"], "Kept")
                self.assertEqual(sns.get_subscription_attributes(SubscriptionArn=sub)["Attributes"]
                                 ["RawMessageDelivery"], "true")
                r = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=2)
                self.assertEqual(r["Messages"][0]["Body"], "before the crash")
                req = urllib.request.Request(server.endpoint + "/_runnel/clock", method="POST",
                                             data=json.dumps({"advanceSeconds": 21}).encode())
                urllib.request.urlopen(req, timeout=30).read()
                headers, body, status = ep.next()
                self.assertEqual((status, json.loads(body)["Message"]), (200, "before the crash"))
            finally:
                ep.close()
            server.stop()


if __name__ == "__main__":
    unittest.main()
