# SPDX-License-Identifier: MIT
"""EventBridge delivery against the real server: the seed's bus, rule and two
queues, numeric priority routing, FIFO targets, input transformation, the
dead-letter queue with AWS's attributes, archives and replays. Run under both
boto3s (EventBridge is JSON 1.1 in both)."""
import json
import time

from harness import ServerTest


def receive_all(sqs, url, want, timeout=30.0):
    """Receives until `want` messages arrived or the timeout passed (a long
    one: it only matters when they do not arrive)."""
    got = []
    deadline = time.time() + timeout
    while len(got) < want and time.time() < deadline:
        r = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                MessageAttributeNames=["All"])
        for m in r.get("Messages", []):
            got.append(m)
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    return got


class EventsTest(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ev = cls.server.client("events")

    def queue(self, name, **attrs):
        url = self.sqs.create_queue(QueueName=name, Attributes=attrs)["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        return url, arn


class TestSeedFanOut(EventsTest):
    def setUp(self):
        super().setUp()
        self.ev.create_event_bus(Name="ecommerce-events")
        self.inv_url, inv_arn = self.queue("inventory-updates")
        self.not_url, not_arn = self.queue("notifications")
        self.ev.put_rule(Name="OrderCreatedRule", EventBusName="ecommerce-events",
                         EventPattern=json.dumps({"source": ["ecommerce.orders"],
                                                  "detail-type": ["Order Created"]}))
        r = self.ev.put_targets(Rule="OrderCreatedRule", EventBusName="ecommerce-events",
                                Targets=[{"Id": "inventory", "Arn": inv_arn},
                                         {"Id": "notify", "Arn": not_arn}])
        self.assertEqual(r["FailedEntryCount"], 0)

    def put(self, source="ecommerce.orders", dtype="Order Created", detail='{"orderId": "o-1", "amount": 19.99}'):
        r = self.ev.put_events(Entries=[{"Source": source, "DetailType": dtype, "Detail": detail,
                                         "EventBusName": "ecommerce-events"}])
        self.assertEqual(r["FailedEntryCount"], 0, r)
        return r["Entries"][0]["EventId"]

    def test_matching_event_reaches_both_queues_with_aws_envelope(self):
        eid = self.put(detail='{"orderId": "o-1", "amount": 19.99, "big": 12345678901234567890}')
        for url in (self.inv_url, self.not_url):
            msgs = receive_all(self.sqs, url, 1)
            self.assertEqual(len(msgs), 1)
            body = msgs[0]["Body"]
            # the user's numbers come back exactly as sent, compact, in AWS's key order
            self.assertIn('"detail":{"orderId":"o-1","amount":19.99,"big":12345678901234567890}', body)
            self.assertTrue(body.startswith('{"version":"0","id":"%s","detail-type":"Order Created",'
                                            '"source":"ecommerce.orders","account":"000000000000","time":"' % eid),
                            body)
            env = json.loads(body)
            self.assertEqual(env["region"], "us-east-1")
            self.assertEqual(env["resources"], [])
            self.assertRegex(env["time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")

    def test_non_matching_events_are_not_delivered(self):
        self.put(dtype="Order Shipped")
        self.put(source="ecommerce.payments")
        self.assertEqual(receive_all(self.sqs, self.inv_url, 1, timeout=1.5), [])

    def test_disabled_rule_delivers_nothing_until_enabled(self):
        self.ev.disable_rule(Name="OrderCreatedRule", EventBusName="ecommerce-events")
        self.put()
        self.assertEqual(receive_all(self.sqs, self.inv_url, 1, timeout=1.5), [])
        self.ev.enable_rule(Name="OrderCreatedRule", EventBusName="ecommerce-events")
        self.put()
        self.assertEqual(len(receive_all(self.sqs, self.inv_url, 1)), 1)

    def test_event_to_default_bus_does_not_reach_custom_bus_rule(self):
        self.ev.put_events(Entries=[{"Source": "ecommerce.orders", "DetailType": "Order Created", "Detail": "{}"}])
        self.assertEqual(receive_all(self.sqs, self.inv_url, 1, timeout=1.5), [])

    def test_time_and_resources_are_carried(self):
        self.ev.put_events(Entries=[{"Source": "ecommerce.orders", "DetailType": "Order Created", "Detail": "{}",
                                     "EventBusName": "ecommerce-events", "Time": 1700000000,
                                     "Resources": ["arn:aws:x:::a", "arn:aws:x:::b"]}])
        env = json.loads(receive_all(self.sqs, self.inv_url, 1)[0]["Body"])
        self.assertEqual(env["time"], "2023-11-14T22:13:20Z")
        self.assertEqual(env["resources"], ["arn:aws:x:::a", "arn:aws:x:::b"])


class TestRouting(EventsTest):
    def test_numeric_priority_routing(self):
        hi_url, hi_arn = self.queue("high-priority")
        lo_url, lo_arn = self.queue("standard-priority")
        self.ev.put_rule(Name="HighValue", EventPattern=json.dumps(
            {"source": ["ecommerce.orders"], "detail": {"amount": [{"numeric": [">=", 1000]}]}}))
        self.ev.put_rule(Name="Normal", EventPattern=json.dumps(
            {"source": ["ecommerce.orders"], "detail": {"amount": [{"numeric": ["<", 1000]}]}}))
        self.ev.put_targets(Rule="HighValue", Targets=[{"Id": "q", "Arn": hi_arn}])
        self.ev.put_targets(Rule="Normal", Targets=[{"Id": "q", "Arn": lo_arn}])
        entries = [{"Source": "ecommerce.orders", "DetailType": "Order Created",
                    "Detail": json.dumps({"orderId": i, "amount": amt})}
                   for i, amt in enumerate([5, 999.99, 1000, 25000.5, 1e3])]
        r = self.ev.put_events(Entries=entries)
        self.assertEqual(r["FailedEntryCount"], 0)
        hi = sorted(json.loads(m["Body"])["detail"]["orderId"] for m in receive_all(self.sqs, hi_url, 3))
        lo = sorted(json.loads(m["Body"])["detail"]["orderId"] for m in receive_all(self.sqs, lo_url, 2))
        self.assertEqual(hi, [2, 3, 4])
        self.assertEqual(lo, [0, 1])

    def test_fifo_target_uses_message_group_id(self):
        url, arn = self.queue("orders.fifo", FifoQueue="true", ContentBasedDeduplication="true")
        self.ev.put_rule(Name="ToFifo", EventPattern='{"source": ["shop"]}')
        self.ev.put_targets(Rule="ToFifo", Targets=[{"Id": "f", "Arn": arn,
                                                      "SqsParameters": {"MessageGroupId": "orders"}}])
        for i in range(3):
            self.ev.put_events(Entries=[{"Source": "shop", "DetailType": "t", "Detail": json.dumps({"n": i})}])
        r = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"])
        msgs = r["Messages"]
        self.assertEqual([json.loads(m["Body"])["detail"]["n"] for m in msgs], [0, 1, 2])
        self.assertEqual({m["Attributes"]["MessageGroupId"] for m in msgs}, {"orders"})

    def test_event_bus_target_forwards_to_other_bus(self):
        self.ev.create_event_bus(Name="downstream")
        url, arn = self.queue("downstream-q")
        self.ev.put_rule(Name="All", EventBusName="downstream", EventPattern='{"source": ["shop"]}')
        self.ev.put_targets(Rule="All", EventBusName="downstream", Targets=[{"Id": "q", "Arn": arn}])
        bus_arn = self.ev.describe_event_bus(Name="downstream")["Arn"]
        self.ev.put_rule(Name="Forward", EventPattern='{"source": ["shop"]}')
        self.ev.put_targets(Rule="Forward", Targets=[{"Id": "bus", "Arn": bus_arn}])
        eid = self.ev.put_events(Entries=[{"Source": "shop", "DetailType": "t", "Detail": "{}"}])["Entries"][0]["EventId"]
        msgs = receive_all(self.sqs, url, 1)
        self.assertEqual(json.loads(msgs[0]["Body"])["id"], eid)

    def test_input_and_input_path(self):
        url, arn = self.queue("shaped")
        self.ev.put_rule(Name="Shape", EventPattern='{"source": ["shop"]}')
        self.ev.put_targets(Rule="Shape", Targets=[
            {"Id": "const", "Arn": arn, "Input": '{"fixed": true}'},
            {"Id": "path", "Arn": arn, "InputPath": "$.detail"}])
        self.ev.put_events(Entries=[{"Source": "shop", "DetailType": "t", "Detail": '{"price": 19.99}'}])
        bodies = sorted(m["Body"] for m in receive_all(self.sqs, url, 2))
        self.assertEqual(bodies, ['{"fixed": true}', '{"price":19.99}'])

    def test_input_transformer_renders_string_and_json_templates(self):
        url, arn = self.queue("transformed")
        self.ev.put_rule(Name="Xf", EventPattern='{"source": ["shop"]}')
        paths = {"id": "$.detail.orderId", "amount": "$.detail.amount"}
        self.ev.put_targets(Rule="Xf", Targets=[
            {"Id": "text", "Arn": arn, "InputTransformer": {
                "InputPathsMap": paths, "InputTemplate": '"Order <id> for <amount>"'}},
            {"Id": "json", "Arn": arn, "InputTransformer": {
                "InputPathsMap": paths,
                "InputTemplate": '{"order": <id>, "total": <amount>, "rule": <aws.events.rule-name>}'}}])
        self.ev.put_events(Entries=[{"Source": "shop", "DetailType": "t",
                                     "Detail": '{"orderId": "o-7", "amount": 19.99}'}])
        bodies = sorted(m["Body"] for m in receive_all(self.sqs, url, 2))
        self.assertEqual(bodies[0], '"Order o-7 for 19.99"')
        self.assertEqual(json.loads(bodies[1]), {"order": "o-7", "total": 19.99, "rule": "Xf"})


class TestDeadLetters(EventsTest):
    def test_unreachable_target_goes_to_dlq_with_aws_attributes(self):
        dlq_url, dlq_arn = self.queue("events-dlq")
        lam = "arn:aws:lambda:us-east-1:000000000000:function:process-order"
        self.ev.put_rule(Name="ToLambda", EventPattern='{"source": ["shop"]}')
        self.ev.put_targets(Rule="ToLambda", Targets=[{"Id": "fn", "Arn": lam,
                                                        "DeadLetterConfig": {"Arn": dlq_arn},
                                                        "RetryPolicy": {"MaximumRetryAttempts": 2}}])
        eid = self.ev.put_events(Entries=[{"Source": "shop", "DetailType": "t", "Detail": '{"a": 1}'}])["Entries"][0]["EventId"]
        msgs = receive_all(self.sqs, dlq_url, 1)
        self.assertEqual(len(msgs), 1)
        self.assertEqual(json.loads(msgs[0]["Body"])["id"], eid)
        attrs = {k: v["StringValue"] for k, v in msgs[0]["MessageAttributes"].items()}
        rule_arn = self.ev.describe_rule(Name="ToLambda")["Arn"]
        self.assertEqual(attrs["RULE_ARN"], rule_arn)
        self.assertEqual(attrs["TARGET_ARN"], lam)
        self.assertEqual(attrs["ERROR_CODE"], "NO_RESOURCE")
        self.assertEqual(attrs["ERROR_MESSAGE"], "Target %s does not exist." % lam)
        self.assertEqual(attrs["RETRY_ATTEMPTS"], "0")

    def test_missing_bus_target_goes_to_dlq(self):
        dlq_url, dlq_arn = self.queue("dlq-bus")
        bus_arn = "arn:aws:events:us-east-1:000000000000:event-bus/never-made"
        self.ev.put_rule(Name="ToNoBus", EventPattern='{"source": ["shop"]}')
        self.ev.put_targets(Rule="ToNoBus", Targets=[{"Id": "b", "Arn": bus_arn,
                                                       "DeadLetterConfig": {"Arn": dlq_arn}}])
        self.ev.put_events(Entries=[{"Source": "shop", "DetailType": "t", "Detail": "{}"}])
        msgs = receive_all(self.sqs, dlq_url, 1)
        attrs = {k: v["StringValue"] for k, v in msgs[0]["MessageAttributes"].items()}
        self.assertEqual(attrs["TARGET_ARN"], bus_arn)
        self.assertEqual(attrs["ERROR_CODE"], "NO_RESOURCE")
        self.assertEqual(attrs["ERROR_MESSAGE"], "Event bus %s does not exist." % bus_arn)

    def test_deleted_queue_target_goes_to_dlq(self):
        dlq_url, dlq_arn = self.queue("dlq2")
        gone_url, gone_arn = self.queue("gone")
        self.sqs.delete_queue(QueueUrl=gone_url)
        self.ev.put_rule(Name="ToGone", EventPattern='{"source": ["shop"]}')
        self.ev.put_targets(Rule="ToGone", Targets=[{"Id": "q", "Arn": gone_arn,
                                                      "DeadLetterConfig": {"Arn": dlq_arn}}])
        self.ev.put_events(Entries=[{"Source": "shop", "DetailType": "t", "Detail": "{}"}])
        msgs = receive_all(self.sqs, dlq_url, 1)
        self.assertEqual(msgs[0]["MessageAttributes"]["TARGET_ARN"]["StringValue"], gone_arn)


class TestArchiveReplay(EventsTest):
    def test_archive_then_replay_adds_replay_name_and_is_not_rearchived(self):
        url, arn = self.queue("replayed")
        bus_arn = self.ev.describe_event_bus()["Arn"]
        a = self.ev.create_archive(ArchiveName="orders-archive", EventSourceArn=bus_arn,
                                   EventPattern='{"source": ["shop"]}', RetentionDays=0)
        self.assertEqual(a["State"], "ENABLED")
        t0 = time.time() - 1
        for i in range(3):
            self.ev.put_events(Entries=[{"Source": "shop", "DetailType": "t", "Detail": json.dumps({"n": i})}])
        self.ev.put_events(Entries=[{"Source": "other", "DetailType": "t", "Detail": "{}"}])
        d = self.ev.describe_archive(ArchiveName="orders-archive")
        self.assertEqual(d["EventCount"], 3)
        self.ev.put_rule(Name="Shop", EventPattern='{"source": ["shop"]}')
        self.ev.put_targets(Rule="Shop", Targets=[{"Id": "q", "Arn": arn}])
        time.sleep(1.1)
        r = self.ev.start_replay(ReplayName="r1", EventSourceArn=a["ArchiveArn"], EventStartTime=t0,
                                 EventEndTime=time.time(), Destination={"Arn": bus_arn})
        self.assertEqual(r["State"], "STARTING")
        deadline = time.time() + 5
        while self.ev.describe_replay(ReplayName="r1")["State"] != "COMPLETED" and time.time() < deadline:
            time.sleep(0.05)
        self.assertEqual(self.ev.describe_replay(ReplayName="r1")["State"], "COMPLETED")
        msgs = receive_all(self.sqs, url, 3)
        envs = [json.loads(m["Body"]) for m in msgs]
        self.assertEqual(sorted(e["detail"]["n"] for e in envs), [0, 1, 2])
        self.assertEqual({e["replay-name"] for e in envs}, {"r1"})
        self.assertIn('"region":"us-east-1","replay-name":"r1","resources":[]', msgs[0]["Body"])
        self.assertEqual(self.ev.describe_archive(ArchiveName="orders-archive")["EventCount"], 3)

    def test_replay_filter_arns_limit_rules(self):
        u1, a1 = self.queue("f1")
        u2, a2 = self.queue("f2")
        bus_arn = self.ev.describe_event_bus()["Arn"]
        arch = self.ev.create_archive(ArchiveName="all", EventSourceArn=bus_arn)["ArchiveArn"]
        t0 = time.time() - 1
        self.ev.put_events(Entries=[{"Source": "shop", "DetailType": "t", "Detail": "{}"}])
        r1 = self.ev.put_rule(Name="R1", EventPattern='{"source": ["shop"]}')["RuleArn"]
        self.ev.put_rule(Name="R2", EventPattern='{"source": ["shop"]}')
        self.ev.put_targets(Rule="R1", Targets=[{"Id": "q", "Arn": a1}])
        self.ev.put_targets(Rule="R2", Targets=[{"Id": "q", "Arn": a2}])
        time.sleep(1.1)
        self.ev.start_replay(ReplayName="only-r1", EventSourceArn=arch, EventStartTime=t0, EventEndTime=time.time(),
                             Destination={"Arn": bus_arn, "FilterArns": [r1]})
        self.assertEqual(len(receive_all(self.sqs, u1, 1)), 1)
        self.assertEqual(receive_all(self.sqs, u2, 1, timeout=1.5), [])


class TestStateSurvivesRestart(EventsTest):
    data_dir = True

    def test_buses_rules_targets_and_archive_survive_a_restart(self):
        url, arn = self.queue("after-restart")
        self.ev.create_event_bus(Name="durable-bus", Tags=[{"Key": "k", "Value": "v"}])
        self.ev.put_rule(Name="r", EventBusName="durable-bus", EventPattern='{"source": ["shop"]}',
                         State="DISABLED")
        self.ev.put_targets(Rule="r", EventBusName="durable-bus", Targets=[{"Id": "q", "Arn": arn,
                                                                               "InputPath": "$.detail"}])
        bus_arn = self.ev.describe_event_bus(Name="durable-bus")["Arn"]
        self.ev.create_archive(ArchiveName="keep", EventSourceArn=bus_arn)
        t0 = time.time() - 1
        self.ev.put_events(Entries=[{"Source": "shop", "DetailType": "t", "Detail": '{"n": 1}',
                                     "EventBusName": "durable-bus"}])
        self.server.kill()
        self.server.start()
        self.sqs = self.server.client()
        ev = self.server.client("events")
        self.assertEqual(ev.describe_rule(Name="r", EventBusName="durable-bus")["State"], "DISABLED")
        self.assertEqual(ev.list_tags_for_resource(ResourceARN=bus_arn)["Tags"], [{"Key": "k", "Value": "v"}])
        self.assertEqual(ev.describe_archive(ArchiveName="keep")["EventCount"], 1)
        ev.enable_rule(Name="r", EventBusName="durable-bus")
        time.sleep(1.1)
        ev.start_replay(ReplayName="after", EventSourceArn=ev.describe_archive(ArchiveName="keep")["ArchiveArn"],
                        EventStartTime=t0, EventEndTime=time.time(), Destination={"Arn": bus_arn})
        msgs = receive_all(self.sqs, url, 1)
        self.assertEqual([m["Body"] for m in msgs], ['{"n":1}'])
