# SPDX-License-Identifier: MIT
"""Queue lifecycle, listing, attributes, tags and permissions."""
import json
import time

from harness import ServerTest
from sqs_helpers import ACCOUNT, arn, not_found_message, raw_client


class TestQueueLifecycle(ServerTest):
    def test_create_get_url_and_delete(self):
        url = self.sqs.create_queue(QueueName="life-1")["QueueUrl"]
        self.assertEqual(url, "%s/%s/life-1" % (self.server.endpoint, ACCOUNT))
        self.assertEqual(self.sqs.get_queue_url(QueueName="life-1")["QueueUrl"], url)
        self.assertEqual(self.sqs.get_queue_url(QueueName="life-1", QueueOwnerAWSAccountId=ACCOUNT)["QueueUrl"],
                         url)
        self.assertEqual(self.sqs.list_queues()["QueueUrls"], [url])
        self.sqs.delete_queue(QueueUrl=url)
        self.assertNotIn(url, self.sqs.list_queues().get("QueueUrls", []))
        self.assertError("AWS.SimpleQueueService.NonExistentQueue", self.sqs.get_queue_url, QueueName="life-1")
        msg = self.assertError("AWS.SimpleQueueService.NonExistentQueue", self.sqs.get_queue_attributes,
                               QueueUrl=url, AttributeNames=["All"])
        self.assertEqual(msg, not_found_message())

    def test_create_same_attributes_is_idempotent(self):
        a = self.sqs.create_queue(QueueName="idem", Attributes={"DelaySeconds": "3"})["QueueUrl"]
        b = self.sqs.create_queue(QueueName="idem", Attributes={"DelaySeconds": "3"})["QueueUrl"]
        self.assertEqual(a, b)
        self.assertEqual(len(self.sqs.list_queues(QueueNamePrefix="idem")["QueueUrls"]), 1)

    def test_queue_already_exists_names_the_attribute(self):
        self.sqs.create_queue(QueueName="dup", Attributes={"DelaySeconds": "3"})
        msg = self.assertError("QueueAlreadyExists", self.sqs.create_queue, QueueName="dup",
                               Attributes={"DelaySeconds": "4"})
        self.assertEqual(msg, "A queue already exists with the same name and a different value for attribute "
                              "DelaySeconds")
        # the original queue is unchanged
        url = self.sqs.get_queue_url(QueueName="dup")["QueueUrl"]
        a = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["DelaySeconds"])["Attributes"]
        self.assertEqual(a["DelaySeconds"], "3")

    def test_queue_deleted_recently(self):
        url = self.sqs.create_queue(QueueName="gone")["QueueUrl"]
        self.sqs.delete_queue(QueueUrl=url)
        msg = self.assertError("AWS.SimpleQueueService.QueueDeletedRecently", self.sqs.create_queue,
                               QueueName="gone")
        self.assertEqual(msg, "You must wait 60 seconds after deleting a queue before you can create another "
                              "with the same name.")
        # other names are unaffected
        self.sqs.create_queue(QueueName="gone2")

    def test_invalid_queue_names(self):
        text = "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length"
        for bad in ("has space", "slash/name", "x" * 81, "dot.name"):
            msg = self.assertError("InvalidParameterValue", self.sqs.create_queue, QueueName=bad)
            self.assertEqual(msg, text, bad)
        # exactly 80 characters is allowed
        self.sqs.create_queue(QueueName="y" * 80)
        self.sqs.create_queue(QueueName="Ok_name-1")

    def test_fifo_name_and_attribute_must_agree(self):
        msg = self.assertError("InvalidParameterValue", self.sqs.create_queue, QueueName="nofifo.fifo")
        self.assertEqual(msg, "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length")
        msg = self.assertError("InvalidParameterValue", self.sqs.create_queue, QueueName="plain",
                               Attributes={"FifoQueue": "true"})
        self.assertEqual(msg, "The name of a FIFO queue can only include alphanumeric characters, hyphens, or "
                              "underscores, must end with .fifo suffix and be 1 to 80 in length.")
        msg = self.assertError("InvalidAttributeName", self.sqs.create_queue, QueueName="plain",
                               Attributes={"FifoQueue": "false"})
        self.assertEqual(msg, "Unknown Attribute FifoQueue.")


    def test_fifo_queue_attribute_on_set(self):
        # AWS: a standard queue knows no FifoQueue; a FIFO queue accepts "true" again and refuses "false"
        # (localstack tests/aws/services/sqs/test_sqs.snapshot.json, test_set_unsupported_attribute_fifo).
        plain = self.sqs.create_queue(QueueName="plainset")["QueueUrl"]
        msg = self.assertError("InvalidAttributeName", self.sqs.set_queue_attributes, QueueUrl=plain,
                               Attributes={"FifoQueue": "true"})
        self.assertEqual(msg, "Unknown Attribute FifoQueue.")
        fifo = self.sqs.create_queue(QueueName="set.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
        self.sqs.set_queue_attributes(QueueUrl=fifo, Attributes={"FifoQueue": "true"})
        msg = self.assertError("InvalidAttributeValue", self.sqs.set_queue_attributes, QueueUrl=fifo,
                               Attributes={"FifoQueue": "false"})
        self.assertEqual(msg, "Invalid value for the parameter FifoQueue. Reason: Modifying queue type is not "
                              "supported.")


class TestListQueues(ServerTest):
    def test_prefix(self):
        urls = {n: self.sqs.create_queue(QueueName=n)["QueueUrl"] for n in ("alpha1", "alpha2", "beta1")}
        got = self.sqs.list_queues(QueueNamePrefix="alpha")["QueueUrls"]
        self.assertEqual(sorted(got), sorted([urls["alpha1"], urls["alpha2"]]))
        self.assertEqual(self.sqs.list_queues(QueueNamePrefix="beta")["QueueUrls"], [urls["beta1"]])
        self.assertNotIn("QueueUrls", self.sqs.list_queues(QueueNamePrefix="zzz"))

    def test_pagination_visits_every_queue_once(self):
        names = ["page%02d" % i for i in range(7)]
        expected = sorted(self.sqs.create_queue(QueueName=n)["QueueUrl"] for n in names)
        seen, token, pages = [], None, 0
        while True:
            kw = {"MaxResults": 3}
            if token:
                kw["NextToken"] = token
            r = self.sqs.list_queues(**kw)
            pages += 1
            self.assertLessEqual(len(r["QueueUrls"]), 3)
            seen.extend(r["QueueUrls"])
            token = r.get("NextToken")
            if not token:
                break
            self.assertLess(pages, 10, "pagination does not terminate")
        self.assertEqual(sorted(seen), expected)
        self.assertEqual(pages, 3)

    def test_pagination_with_prefix(self):
        for n in ("pa", "pb", "pc", "qa"):
            self.sqs.create_queue(QueueName=n)
        r = self.sqs.list_queues(QueueNamePrefix="p", MaxResults=2)
        self.assertEqual(len(r["QueueUrls"]), 2)
        r2 = self.sqs.list_queues(QueueNamePrefix="p", MaxResults=2, NextToken=r["NextToken"])
        self.assertEqual(len(r2["QueueUrls"]), 1)
        self.assertNotIn("NextToken", r2)
        self.assertEqual(sorted(u.rsplit("/", 1)[1] for u in r["QueueUrls"] + r2["QueueUrls"]), ["pa", "pb", "pc"])

    def test_max_results_range(self):
        self.assertError("InvalidParameterValue", self.sqs.list_queues, MaxResults=0)
        self.assertError("InvalidParameterValue", self.sqs.list_queues, MaxResults=1001)


class TestQueueAttributes(ServerTest):
    def setUp(self):
        super().setUp()
        self.before = int(time.time())
        self.url = self.sqs.create_queue(QueueName="attrq")["QueueUrl"]

    def attrs(self, *names):
        return self.sqs.get_queue_attributes(QueueUrl=self.url, AttributeNames=list(names) or ["All"])["Attributes"]

    def test_all_has_defaults(self):
        a = self.attrs("All")
        expected = {"VisibilityTimeout": "30", "DelaySeconds": "0", "MessageRetentionPeriod": "345600",
                    "MaximumMessageSize": "1048576", "ReceiveMessageWaitTimeSeconds": "0",
                    "ApproximateNumberOfMessages": "0", "ApproximateNumberOfMessagesNotVisible": "0",
                    "ApproximateNumberOfMessagesDelayed": "0", "QueueArn": arn("attrq")}
        for k, v in expected.items():
            self.assertEqual(a.get(k), v, k)
        self.assertLessEqual(self.before, int(a["CreatedTimestamp"]))
        self.assertLessEqual(int(a["CreatedTimestamp"]), time.time())
        self.assertEqual(a["LastModifiedTimestamp"], a["CreatedTimestamp"])
        self.assertNotIn("FifoQueue", a)

    def test_select_specific_names(self):
        a = self.attrs("VisibilityTimeout", "QueueArn")
        self.assertEqual(set(a), {"VisibilityTimeout", "QueueArn"})

    def test_set_and_get_roundtrip(self):
        new = {"VisibilityTimeout": "45", "DelaySeconds": "7", "MessageRetentionPeriod": "120",
               "MaximumMessageSize": "2048", "ReceiveMessageWaitTimeSeconds": "3"}
        self.sqs.set_queue_attributes(QueueUrl=self.url, Attributes=new)
        a = self.attrs("All")
        for k, v in new.items():
            self.assertEqual(a[k], v, k)

    def test_counts_follow_messages(self):
        self.sqs.send_message(QueueUrl=self.url, MessageBody="1")
        self.sqs.send_message(QueueUrl=self.url, MessageBody="2")
        self.sqs.send_message(QueueUrl=self.url, MessageBody="3", DelaySeconds=60)
        self.sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=1)
        a = self.attrs("ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
                       "ApproximateNumberOfMessagesDelayed")
        self.assertEqual(a, {"ApproximateNumberOfMessages": "1", "ApproximateNumberOfMessagesNotVisible": "1",
                             "ApproximateNumberOfMessagesDelayed": "1"})

    def test_range_errors(self):
        cases = [("DelaySeconds", "901"), ("DelaySeconds", "-1"), ("VisibilityTimeout", "43201"),
                 ("MessageRetentionPeriod", "59"), ("MessageRetentionPeriod", "1209601"),
                 ("MaximumMessageSize", "1023"), ("MaximumMessageSize", "1048577"),
                 ("ReceiveMessageWaitTimeSeconds", "21"), ("VisibilityTimeout", "abc"),
                 ("DelaySeconds", "1.5")]
        for name, value in cases:
            msg = self.assertError("InvalidAttributeValue", self.sqs.set_queue_attributes, QueueUrl=self.url,
                                   Attributes={name: value})
            self.assertEqual(msg, "Invalid value for the parameter %s." % name, (name, value))
            msg = self.assertError("InvalidAttributeValue", self.sqs.create_queue, QueueName="r-" + name,
                                   Attributes={name: value})
            self.assertEqual(msg, "Invalid value for the parameter %s." % name, (name, value))
        # boundaries are accepted
        self.sqs.set_queue_attributes(QueueUrl=self.url, Attributes={
            "DelaySeconds": "900", "VisibilityTimeout": "43200", "MessageRetentionPeriod": "60",
            "MaximumMessageSize": "1024", "ReceiveMessageWaitTimeSeconds": "20"})
        self.assertEqual(self.attrs("DelaySeconds")["DelaySeconds"], "900")
        # a rejected set leaves the queue unchanged
        self.assertEqual(self.attrs("VisibilityTimeout")["VisibilityTimeout"], "43200")

    def test_unknown_attribute_names(self):
        msg = self.assertError("InvalidAttributeName", self.sqs.set_queue_attributes, QueueUrl=self.url,
                               Attributes={"Bogus": "1"})
        self.assertEqual(msg, "Unknown Attribute Bogus.")
        msg = self.assertError("InvalidAttributeName", self.sqs.set_queue_attributes, QueueUrl=self.url,
                               Attributes={"visibilityTimeout": "1"})
        self.assertEqual(msg, "Unknown Attribute visibilityTimeout.")
        msg = self.assertError("InvalidAttributeName", self.sqs.get_queue_attributes, QueueUrl=self.url,
                               AttributeNames=["Bogus"])
        self.assertEqual(msg, "Unknown Attribute Bogus.")
        msg = self.assertError("InvalidAttributeName", self.sqs.set_queue_attributes, QueueUrl=self.url,
                               Attributes={"ContentBasedDeduplication": "true"})
        self.assertEqual(msg, "Unknown Attribute ContentBasedDeduplication.")
        msg = self.assertError("InvalidAttributeName", self.sqs.set_queue_attributes, QueueUrl=self.url,
                               Attributes={"FifoQueue": "true"})
        self.assertEqual(msg, "Unknown Attribute FifoQueue.")

    def test_fifo_queue_type_cannot_change(self):
        url = self.sqs.create_queue(QueueName="t.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
        msg = self.assertError("InvalidAttributeValue", self.sqs.set_queue_attributes, QueueUrl=url,
                               Attributes={"FifoQueue": "false"})
        self.assertEqual(msg, "Invalid value for the parameter FifoQueue. Reason: Modifying queue type is not "
                              "supported.")
        self.sqs.set_queue_attributes(QueueUrl=url, Attributes={"FifoQueue": "true"})

    def test_set_without_attributes(self):
        raw = raw_client(self.server)
        self.assertError("MissingParameter", raw.set_queue_attributes, QueueUrl=self.url, Attributes={})

    def test_policy_attribute_roundtrip(self):
        policy = json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage", "Resource": arn("attrq")}]})
        self.sqs.set_queue_attributes(QueueUrl=self.url, Attributes={"Policy": policy})
        self.assertEqual(json.loads(self.attrs("Policy")["Policy"]), json.loads(policy))


class TestTags(ServerTest):
    def test_tag_list_untag(self):
        url = self.sqs.create_queue(QueueName="tags", tags={"team": "core", "cost": "1"})["QueueUrl"]
        self.assertEqual(self.sqs.list_queue_tags(QueueUrl=url)["Tags"], {"team": "core", "cost": "1"})
        self.sqs.tag_queue(QueueUrl=url, Tags={"env": "test", "team": "edge"})
        self.assertEqual(self.sqs.list_queue_tags(QueueUrl=url)["Tags"],
                         {"team": "edge", "cost": "1", "env": "test"})
        self.sqs.untag_queue(QueueUrl=url, TagKeys=["team", "cost", "absent"])
        self.assertEqual(self.sqs.list_queue_tags(QueueUrl=url)["Tags"], {"env": "test"})
        self.sqs.untag_queue(QueueUrl=url, TagKeys=["env"])
        self.assertNotIn("Tags", self.sqs.list_queue_tags(QueueUrl=url))

    def test_tag_errors(self):
        url = self.sqs.create_queue(QueueName="tagerr")["QueueUrl"]
        raw = raw_client(self.server)
        msg = self.assertError("InvalidParameterValue", raw.tag_queue, QueueUrl=url, Tags={"": "v"})
        self.assertEqual(msg, "Tag keys must be between 1 and 128 characters in length.")
        self.assertError("InvalidParameterValue", raw.tag_queue, QueueUrl=url, Tags={"k" * 129: "v"})
        self.sqs.tag_queue(QueueUrl=url, Tags={"k%d" % i: "v" for i in range(50)})
        msg = self.assertError("InvalidParameterValue", self.sqs.tag_queue, QueueUrl=url, Tags={"one-more": "v"})
        self.assertEqual(msg, "Too many tags added for queue tagerr.")
        self.assertError("AWS.SimpleQueueService.NonExistentQueue", self.sqs.list_queue_tags,
                         QueueUrl=url.replace("tagerr", "nosuch"))


class TestPermissions(ServerTest):
    def setUp(self):
        super().setUp()
        self.url = self.sqs.create_queue(QueueName="perm")["QueueUrl"]

    def policy(self):
        a = self.sqs.get_queue_attributes(QueueUrl=self.url, AttributeNames=["Policy"]).get("Attributes", {})
        return json.loads(a["Policy"]) if a.get("Policy") else None

    def test_add_and_remove_permission(self):
        self.sqs.add_permission(QueueUrl=self.url, Label="share", AWSAccountIds=["111122223333"],
                                Actions=["SendMessage", "ReceiveMessage"])
        self.assertEqual(self.policy(), {
            "Version": "2008-10-17", "Id": arn("perm") + "/SQSDefaultPolicy",
            "Statement": [{"Sid": "share", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                           "Action": ["SQS:SendMessage", "SQS:ReceiveMessage"], "Resource": arn("perm")}]})

        self.sqs.add_permission(QueueUrl=self.url, Label="second", AWSAccountIds=["444455556666"],
                                Actions=["*"])
        self.assertEqual(sorted(s["Sid"] for s in self.policy()["Statement"]), ["second", "share"])
        self.sqs.remove_permission(QueueUrl=self.url, Label="share")
        self.assertEqual([s["Sid"] for s in self.policy()["Statement"]], ["second"])

    def test_permission_policy_shape(self):
        # The Policy AWS builds from AddPermission, as recorded in localstack
        # tests/aws/services/sqs/test_sqs.snapshot.json, test_sqs_permission_lifecycle: Version 2008-10-17,
        # Id "<queue arn>/SQSDefaultPolicy", Sid = label, a single principal or action as a plain string, a list
        # when several; after the last RemovePermission the attribute is gone.
        def statement(sid, principal, action):
            return {"Sid": sid, "Effect": "Allow", "Principal": {"AWS": principal}, "Action": action,
                    "Resource": arn("perm")}

        def policy(*statements):
            return {"Version": "2008-10-17", "Id": arn("perm") + "/SQSDefaultPolicy", "Statement": list(statements)}

        self.sqs.add_permission(QueueUrl=self.url, Label="crossaccountpermission",
                                AWSAccountIds=["111111111111", "668614515564"], Actions=["ReceiveMessage"])
        p = self.policy()
        p["Statement"][0]["Principal"]["AWS"].sort()
        self.assertEqual(p, policy(statement("crossaccountpermission", ["arn:aws:iam::111111111111:root",
                                                                        "arn:aws:iam::668614515564:root"],
                                             "SQS:ReceiveMessage")))
        self.sqs.remove_permission(QueueUrl=self.url, Label="crossaccountpermission")
        self.assertIsNone(self.policy())

        self.sqs.add_permission(QueueUrl=self.url, Label="crossaccountpermission", AWSAccountIds=["111111111111"],
                                Actions=["ReceiveMessage"])
        self.sqs.add_permission(QueueUrl=self.url, Label="crossaccountpermission2", AWSAccountIds=["111111111111"],
                                Actions=["SendMessage", "DeleteMessage"])
        self.assertEqual(self.policy(), policy(
            statement("crossaccountpermission", "arn:aws:iam::111111111111:root", "SQS:ReceiveMessage"),
            statement("crossaccountpermission2", "arn:aws:iam::111111111111:root",
                      ["SQS:SendMessage", "SQS:DeleteMessage"])))
        self.sqs.remove_permission(QueueUrl=self.url, Label="crossaccountpermission")
        self.assertEqual([s["Sid"] for s in self.policy()["Statement"]], ["crossaccountpermission2"])
        self.sqs.remove_permission(QueueUrl=self.url, Label="crossaccountpermission2")
        self.assertIsNone(self.policy())

    def test_duplicate_and_unknown_labels(self):
        self.sqs.add_permission(QueueUrl=self.url, Label="crossaccountpermission", AWSAccountIds=["111122223333"],
                                Actions=["SendMessage"])
        msg = self.assertError("InvalidParameterValue", self.sqs.add_permission, QueueUrl=self.url,
                               Label="crossaccountpermission", AWSAccountIds=["111122223333"],
                               Actions=["SendMessage"])
        self.assertEqual(msg, "Value crossaccountpermission for parameter Label is invalid. Reason: Already exists.")
        msg = self.assertError("InvalidParameterValue", self.sqs.remove_permission, QueueUrl=self.url,
                               Label="crossaccountpermission2")
        self.assertEqual(msg, "Value crossaccountpermission2 for parameter Label is invalid. Reason: can't find "
                              "label.")

    def test_unknown_action(self):
        self.assertError("InvalidParameterValue", self.sqs.add_permission, QueueUrl=self.url, Label="bad",
                         AWSAccountIds=["111122223333"], Actions=["FlyToTheMoon"])
        self.assertIsNone(self.policy())
