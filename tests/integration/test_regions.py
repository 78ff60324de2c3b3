# SPDX-License-Identifier: MIT
"""Regions and accounts as AWS has them: every resource lives in the
(account, region) its request was signed for (the SigV4 scope's region; the
access key when it is 12 digits, else --account-id). The same names in two
regions or two accounts are separate resources, each unseen from the other;
ARNs and queue URLs say where they live; a target ARN in another region or
account delivers there; health counts per region; a restart restores every
partition."""
import http.client
import json
import os
import shutil
import tempfile
import time
import unittest
import urllib.request

import botocore
import harness
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

A1, A2 = "111111111111", "222222222222"


class Regions(harness.ServerTest):
    def client(self, service, region="us-east-1", key="test"):
        cfg = botocore.config.Config(retries={"max_attempts": 1})
        return harness.boto3.client(service, endpoint_url=self.server.endpoint, region_name=region,
                                    aws_access_key_id=key, aws_secret_access_key="test", config=cfg)

    def arn(self, sqs, url):
        return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]

    def receive(self, sqs, url, wait=5):
        return sqs.receive_message(QueueUrl=url, WaitTimeSeconds=wait, MaxNumberOfMessages=10).get("Messages", [])

    def health(self):
        with urllib.request.urlopen(self.server.endpoint + "/_runnel/health", timeout=5) as r:
            return json.loads(r.read())


class TestIsolation(Regions):
    def test_same_queue_name_in_two_regions_is_two_queues(self):
        east, west = self.client("sqs", "us-east-1"), self.client("sqs", "eu-west-1")
        ue = east.create_queue(QueueName="orders")["QueueUrl"]
        uw = west.create_queue(QueueName="orders", Attributes={"VisibilityTimeout": "7"})["QueueUrl"]
        self.assertEqual(self.arn(east, ue), "arn:aws:sqs:us-east-1:000000000000:orders")
        self.assertEqual(self.arn(west, uw), "arn:aws:sqs:eu-west-1:000000000000:orders")
        self.assertEqual(west.get_queue_attributes(QueueUrl=uw, AttributeNames=["VisibilityTimeout"])
                         ["Attributes"]["VisibilityTimeout"], "7")
        self.assertEqual(east.get_queue_attributes(QueueUrl=ue, AttributeNames=["VisibilityTimeout"])
                         ["Attributes"]["VisibilityTimeout"], "30")
        east.send_message(QueueUrl=ue, MessageBody="for the east")
        self.assertEqual(self.receive(west, uw, wait=0), [])
        self.assertEqual([m["Body"] for m in self.receive(east, ue)], ["for the east"])

    def test_a_queue_is_unseen_from_another_region(self):
        self.client("sqs", "eu-west-1").create_queue(QueueName="west-only")
        east = self.client("sqs", "us-east-1")
        self.assertError("AWS.SimpleQueueService.NonExistentQueue", east.get_queue_url, QueueName="west-only")
        self.assertNotIn("QueueUrls", east.list_queues(QueueNamePrefix="west-only"))
        west_list = self.client("sqs", "eu-west-1").list_queues(QueueNamePrefix="west-only")["QueueUrls"]
        self.assertEqual(len(west_list), 1)

    def test_twelve_digit_keys_are_separate_accounts(self):
        s1, s2 = self.client("sqs", key=A1), self.client("sqs", key=A2)
        u1 = s1.create_queue(QueueName="shared-name")["QueueUrl"]
        u2 = s2.create_queue(QueueName="shared-name")["QueueUrl"]
        self.assertTrue(u1.endswith("/%s/shared-name" % A1), u1)
        self.assertTrue(u2.endswith("/%s/shared-name" % A2), u2)
        self.assertEqual(self.arn(s1, u1), "arn:aws:sqs:us-east-1:%s:shared-name" % A1)
        s1.send_message(QueueUrl=u1, MessageBody="one")
        self.assertEqual(self.receive(s2, u2, wait=0), [])
        self.assertEqual([m["Body"] for m in self.receive(s1, u1)], ["one"])
        # the default account sees neither
        self.assertError("AWS.SimpleQueueService.NonExistentQueue", self.client("sqs").get_queue_url,
                         QueueName="shared-name")

    def test_event_buses_are_per_region(self):
        east, west = self.client("events", "us-east-1"), self.client("events", "eu-west-1")
        self.assertEqual(west.create_event_bus(Name="orders")["EventBusArn"],
                         "arn:aws:events:eu-west-1:000000000000:event-bus/orders")
        self.assertError("ResourceNotFoundException", east.describe_event_bus, Name="orders")
        self.assertEqual(east.create_event_bus(Name="orders")["EventBusArn"],
                         "arn:aws:events:us-east-1:000000000000:event-bus/orders")

    def test_health_counts_per_region_and_account(self):
        self.client("sqs", "eu-west-1").create_queue(QueueName="h1")
        self.client("sqs", "eu-west-1").create_queue(QueueName="h2")
        self.client("sqs", "ap-south-1", key=A1).create_queue(QueueName="h3")
        sqs = self.health()["services"]["sqs"]
        self.assertEqual(sqs["regions"]["eu-west-1"]["000000000000"]["queues"], 2)
        self.assertEqual(sqs["regions"]["ap-south-1"][A1]["queues"], 1)
        self.assertEqual(sqs["queues"], 3)


class TestDiscoveryStaysInItsAccount(Regions):
    def test_a_discoverer_on_another_accounts_bus_learns_nothing(self):
        bus_a = self.client("events", key=A1).describe_event_bus()["Arn"]
        spy = self.client("schemas", key=A2)
        spy.create_discoverer(SourceArn=bus_a)
        own = self.client("schemas", key=A1)
        own.create_discoverer(SourceArn=bus_a)
        self.client("events", key=A1).put_events(
            Entries=[{"Source": "private.orders", "DetailType": "Secret", "Detail": "{\"card\": \"x\"}"}])
        mine = [s["SchemaName"] for s in own.list_schemas(RegistryName="discovered-schemas")["Schemas"]]
        self.assertEqual(mine, ["private.orders@Secret"])
        self.assertEqual(spy.list_schemas(RegistryName="discovered-schemas")["Schemas"], [])


class TestCrossRegionDelivery(Regions):
    def test_rule_target_in_another_region_delivers_there(self):
        west_sqs = self.client("sqs", "eu-west-1")
        url = west_sqs.create_queue(QueueName="far-target")["QueueUrl"]
        arn = self.arn(west_sqs, url)
        east = self.client("events", "us-east-1")
        east.put_rule(Name="to-west", EventPattern=json.dumps({"source": ["shop"]}))
        east.put_targets(Rule="to-west", Targets=[{"Id": "q", "Arn": arn}])
        east.put_events(Entries=[{"Source": "shop", "DetailType": "Order", "Detail": "{\"n\":1}"}])
        got = self.receive(west_sqs, url)
        self.assertEqual([json.loads(m["Body"])["region"] for m in got], ["us-east-1"])

    def test_target_bus_in_another_account_and_region_routes_there(self):
        other = self.client("events", "eu-central-1", key=A2)
        bus_arn = other.create_event_bus(Name="central")["EventBusArn"]
        sqs = self.client("sqs", "eu-central-1", key=A2)
        url = sqs.create_queue(QueueName="central-q")["QueueUrl"]
        other.put_rule(Name="all", EventBusName="central", EventPattern=json.dumps({"source": ["shop"]}))
        other.put_targets(Rule="all", EventBusName="central", Targets=[{"Id": "q", "Arn": self.arn(sqs, url)}])
        east = self.client("events", "us-east-1")
        east.put_rule(Name="fwd", EventPattern=json.dumps({"source": ["shop"]}))
        east.put_targets(Rule="fwd", Targets=[{"Id": "bus", "Arn": bus_arn}])
        east.put_events(Entries=[{"Source": "shop", "DetailType": "Order", "Detail": "{\"n\":2}"}])
        got = self.receive(sqs, url)
        self.assertEqual([json.loads(m["Body"])["detail"] for m in got], [{"n": 2}])

    def test_a_target_in_a_region_with_nothing_is_not_delivered(self):
        east = self.client("events", "us-east-1")
        sqs = self.client("sqs", "us-east-1")
        url = sqs.create_queue(QueueName="near")["QueueUrl"]
        east.put_rule(Name="both", EventPattern=json.dumps({"source": ["shop"]}))
        east.put_targets(Rule="both", Targets=[{"Id": "gone", "Arn": "arn:aws:sqs:sa-east-1:000000000000:nothing"},
                                               {"Id": "near", "Arn": self.arn(sqs, url)}])
        east.put_events(Entries=[{"Source": "shop", "DetailType": "Order", "Detail": "{}"}])
        self.assertEqual(len(self.receive(sqs, url)), 1)
        self.assertNotIn("sa-east-1", self.health()["services"]["sqs"].get("regions", {}))


class TestPartitionsSurviveRestart(Regions):
    data_dir = True

    def test_every_partition_is_restored(self):
        west = self.client("sqs", "eu-west-1")
        acct = self.client("sqs", "us-east-1", key=A1)
        east = self.client("sqs", "us-east-1")
        uw = west.create_queue(QueueName="kept")["QueueUrl"]
        ua = acct.create_queue(QueueName="kept")["QueueUrl"]
        ue = east.create_queue(QueueName="kept")["QueueUrl"]
        west.send_message(QueueUrl=uw, MessageBody="west")
        acct.send_message(QueueUrl=ua, MessageBody="account")
        east.send_message(QueueUrl=ue, MessageBody="east")
        self.client("events", "eu-west-1").create_event_bus(Name="kept-bus")
        self.server.kill()
        self.server.start()
        west = self.client("sqs", "eu-west-1")
        acct = self.client("sqs", "us-east-1", key=A1)
        east = self.client("sqs", "us-east-1")
        self.assertEqual([m["Body"] for m in self.receive(west, uw)], ["west"])
        self.assertEqual([m["Body"] for m in self.receive(acct, ua)], ["account"])
        self.assertEqual([m["Body"] for m in self.receive(east, ue)], ["east"])
        self.assertEqual(self.client("events", "eu-west-1").describe_event_bus(Name="kept-bus")["Arn"],
                         "arn:aws:events:eu-west-1:000000000000:event-bus/kept-bus")
        self.assertError("ResourceNotFoundException", self.client("events", "us-east-1").describe_event_bus,
                         Name="kept-bus")
        # new queues after the restart do not collide with restored ones
        u2 = west.create_queue(QueueName="after")["QueueUrl"]
        west.send_message(QueueUrl=u2, MessageBody="new")
        self.assertEqual([m["Body"] for m in self.receive(west, u2)], ["new"])
        self.assertEqual(self.receive(west, uw, wait=0), [])


class TestRestartWithAnotherDefaultRegion(unittest.TestCase):
    """A data dir written with --region us-east-1 and read back with --region
    eu-west-1 (and back again) keeps every partition where it was: no message
    is lost and no new queue takes a restored queue's place."""

    def test_every_partition_stays_where_it_was(self):
        tmp = tempfile.mkdtemp(prefix="runnel-base-")
        data = os.path.join(tmp, "data")
        srv = harness.Server(data, ["--region", "us-east-1"]).start()
        try:
            def sqs(region):
                return harness.boto3.client("sqs", endpoint_url=srv.endpoint, region_name=region,
                                            aws_access_key_id="test", aws_secret_access_key="test")
            ue = sqs("us-east-1").create_queue(QueueName="east-q")["QueueUrl"]
            uw = sqs("eu-west-1").create_queue(QueueName="west-q")["QueueUrl"]
            sqs("us-east-1").send_message(QueueUrl=ue, MessageBody="east")
            sqs("eu-west-1").send_message(QueueUrl=uw, MessageBody="west")
            srv.stop()
            srv = harness.Server(data, ["--region", "eu-west-1"]).start()
            sqs("us-west-2").create_queue(QueueName="new-q")
            n = sqs("eu-west-1").get_queue_attributes(QueueUrl=uw, AttributeNames=["ApproximateNumberOfMessages"])
            self.assertEqual(n["Attributes"]["ApproximateNumberOfMessages"], "1")
            srv.stop()
            srv = harness.Server(data, ["--region", "us-east-1"]).start()
            got = {r: [m["Body"] for m in sqs(r).receive_message(QueueUrl=u, WaitTimeSeconds=2).get("Messages", [])]
                   for r, u in (("us-east-1", ue), ("eu-west-1", uw))}
            self.assertEqual(got, {"us-east-1": ["east"], "eu-west-1": ["west"]})
            self.assertEqual(sorted(u.rsplit("/", 1)[1] for u in sqs("us-west-2").list_queues()["QueueUrls"]),
                             ["new-q"])
            self.assertEqual(sorted(u.rsplit("/", 1)[1] for u in sqs("eu-west-1").list_queues()["QueueUrls"]),
                             ["west-q"])
        finally:
            srv.stop()
            shutil.rmtree(tmp, ignore_errors=True)


class TestIdentityIsTheSignedCredential(harness.AuthFileServer):
    """With --auth-file, the account and region come from the credential the
    signature was checked against: a second Credential= slipped into the
    (unsigned) Authorization header after signing changes nothing."""

    def test_a_spliced_credential_does_not_choose_the_account(self):
        body = json.dumps({"QueueName": "victim"}).encode()
        req = AWSRequest(method="POST", url=self.server.endpoint + "/", data=body,
                         headers={"Content-Type": "application/x-amz-json-1.0",
                                  "X-Amz-Target": "AmazonSQS.CreateQueue"})
        SigV4Auth(Credentials("AKIDRUNNEL", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"), "sqs",
                  "us-east-1").add_auth(req)
        headers = dict(req.headers.items())
        headers["Authorization"] = headers["Authorization"].replace(
            "AWS4-HMAC-SHA256 ", "AWS4-HMAC-SHA256 Credential=222222222222/20200101/eu-west-1/sqs/aws4_request, ", 1)
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=10)
        conn.request("POST", "/", body=body, headers=headers)
        r = conn.getresponse()
        out = r.read()
        conn.close()
        if r.status == 200:  # accepted: it acts as the key that signed it
            self.assertIn("/000000000000/victim", json.loads(out)["QueueUrl"])
        else:
            self.assertIn(r.status, (400, 403))
        other = harness.boto3.client("sqs", endpoint_url=self.server.endpoint, region_name="eu-west-1",
                                     aws_access_key_id="AKIDRUNNEL",
                                     aws_secret_access_key="wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
        self.assertNotIn("QueueUrls", other.list_queues())


if __name__ == "__main__":
    unittest.main()
