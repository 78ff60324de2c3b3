# SPDX-License-Identifier: MIT
"""EventBridge answers that must match AWS's recorded ones to the letter:
each test cites where the AWS response was recorded. "LocalStack snapshot"
means the AWS-validated snapshot files under tests/aws/services/events/ in
localstack/localstack; "moto" means moto's tests/test_events/test_events.py,
whose messages were taken from AWS. Run under both boto3s."""
import json
import time

from test_events_delivery import EventsTest, receive_all


class TestListStateFilters(EventsTest):
    def test_list_archives_state_outside_its_enum(self):
        # moto test_list_archives_error_invalid_state: the model's order
        msg = self.assertError("ValidationException", self.ev.list_archives, State="invalid")
        self.assertEqual(msg, "1 validation error detected: Value 'invalid' at 'state' failed to satisfy constraint: "
                              "Member must satisfy enum value set: "
                              "[ENABLED, DISABLED, CREATING, UPDATING, CREATE_FAILED, UPDATE_FAILED]")
        self.assertEqual(self.ev.list_archives(State="DISABLED")["Archives"], [])

    def test_list_replays_state_outside_its_enum(self):
        # moto test_list_replays_error_invalid_state: AWS prints this set sorted
        msg = self.assertError("ValidationException", self.ev.list_replays, State="invalid")
        self.assertEqual(msg, "1 validation error detected: Value 'invalid' at 'state' failed to satisfy constraint: "
                              "Member must satisfy enum value set: "
                              "[CANCELLED, CANCELLING, COMPLETED, FAILED, RUNNING, STARTING]")
        self.assertEqual(self.ev.list_replays(State="RUNNING")["Replays"], [])


class TestBusNames(EventsTest):
    def test_aws_prefix_is_refused_without_an_event_source(self):
        # recorded AWS answer quoted in hashicorp/terraform-provider-aws#35065
        for name in ("aws.orders", "aws.partner/example.com/123/orders"):
            msg = self.assertError("ValidationException", self.ev.create_event_bus, Name=name)
            self.assertEqual(msg, "EventBus name starting with 'aws.' is not valid.")

    def test_unknown_partner_event_source(self):
        # no partner event sources exist here; moto answers an unknown one so
        name = "aws.partner/example.com/123/orders"
        msg = self.assertError("ResourceNotFoundException", self.ev.create_event_bus, Name=name,
                               EventSourceName=name)
        self.assertEqual(msg, "Event source aws.partner/example.com/123/orders does not exist.")


class TestPutEventsLimits(EventsTest):
    def test_more_than_ten_entries_echoes_each_entry(self):
        # LocalStack snapshot test_events.snapshot.json,
        # test_put_events_exceed_limit_ten_entries: AWS prints each entry's Java object
        detail = json.dumps({"command": "update-account", "payload": {"acc_id": "0a787ecb-4015", "sf_id": "baz"}})
        entry = {"Source": "core.update-account-command", "DetailType": "core.update-account-command",
                 "Detail": detail, "EventBusName": "default"}
        msg = self.assertError("ValidationException", self.ev.put_events, Entries=[entry] * 11)
        one = ("PutEventsRequestEntry(time=null, source=core.update-account-command, resources=null, "
               "detailType=core.update-account-command, detail=" + detail + ", eventBusName=default, "
               "traceHeader=null, kmsKeyIdentifier=null, internalMetadata=null)")
        self.assertEqual(msg, "1 validation error detected: Value '[" + ", ".join([one] * 11) + "]' at 'entries' "
                              "failed to satisfy constraint: Member must have length less than or equal to 10")


class TestFifoTargets(EventsTest):
    def test_fifo_target_needs_sqs_parameters(self):
        # AWS's answer recorded in hashicorp/terraform#20263 and awslabs/aws-ddk#183
        _, arn = self.queue("needs-group.fifo", FifoQueue="true", ContentBasedDeduplication="true")
        self.ev.put_rule(Name="ToFifo", EventPattern='{"source": ["shop"]}')
        msg = self.assertError("ValidationException", self.ev.put_targets, Rule="ToFifo",
                               Targets=[{"Id": "fifo-target", "Arn": arn}])
        self.assertEqual(msg, "Parameter(s) SqsParameters must be specified for target: fifo-target.")

    def test_fifo_dead_letter_queue_is_refused(self):
        # AWS's answer as CloudTrail recorded it (dev.classmethod.jp, "EventBridge ルールのデッドレターキューに
        # FIFO キューを指定することはできますか?")
        _, arn = self.queue("plain")
        _, dlq = self.queue("dead.fifo", FifoQueue="true")
        self.ev.put_rule(Name="WithDlq", EventPattern='{"source": ["shop"]}')
        msg = self.assertError("ValidationException", self.ev.put_targets, Rule="WithDlq",
                               Targets=[{"Id": "q", "Arn": arn, "DeadLetterConfig": {"Arn": dlq}}])
        self.assertEqual(msg, "SQS FIFO is not supported by Dead Letter Queues.")

    def test_fifo_target_without_content_based_deduplication_fails_delivery(self):
        # the model documents Target.SqsParameters: "If you specify an SQS FIFO queue as a target, the queue
        # must have content-based deduplication enabled". EventBridge sends no deduplication id, so SQS
        # refuses the message and the event goes to the dead-letter queue, not retried.
        url, arn = self.queue("no-dedup.fifo", FifoQueue="true")
        dlq_url, dlq_arn = self.queue("fifo-dlq")
        self.ev.put_rule(Name="NoDedup", EventPattern='{"source": ["shop"]}')
        self.ev.put_targets(Rule="NoDedup", Targets=[{"Id": "f", "Arn": arn, "SqsParameters": {"MessageGroupId": "g"},
                                                      "DeadLetterConfig": {"Arn": dlq_arn}}])
        self.ev.put_events(Entries=[{"Source": "shop", "DetailType": "t", "Detail": "{}"}])
        dead = receive_all(self.sqs, dlq_url, 1)
        self.assertEqual(len(dead), 1)
        attrs = dead[0]["MessageAttributes"]
        self.assertEqual(attrs["RETRY_ATTEMPTS"]["StringValue"], "0")
        self.assertIn("ContentBasedDeduplication", attrs["ERROR_MESSAGE"]["StringValue"])
        self.assertNotIn("Messages", self.sqs.receive_message(QueueUrl=url))


class TestApiDestinationEndpoint(EventsTest):
    def test_endpoint_outside_the_model_pattern_joins_the_violation_list(self):
        # LocalStack snapshot test_api_destinations_and_connection.snapshot.json,
        # test_create_api_destination_invalid_parameters: model violations in one message, in member order;
        # "invalid-endpoint" itself satisfies the pattern, one with a space does not
        pattern = "^((%[0-9A-Fa-f]{2}|[-()_.!~*';/?:@&=+$,A-Za-z0-9])+)([).!';/?:,])?$"
        msg = self.assertError("ValidationException", self.ev.create_api_destination, Name="dest",
                               ConnectionArn="invalid-connection-arn", HttpMethod="INVALID_METHOD",
                               InvocationEndpoint="https://example.com/a b")
        self.assertEqual(
            msg, "3 validation errors detected: Value 'invalid-connection-arn' at 'connectionArn' failed to satisfy "
                 "constraint: Member must satisfy regular expression pattern: "
                 "^arn:aws([a-z]|\\-)*:events:([a-z]|\\d|\\-)*:([0-9]{12})?:connection\\/[\\.\\-_A-Za-z0-9]+\\/"
                 "[\\-A-Za-z0-9]+$; Value 'https://example.com/a b' at 'invocationEndpoint' failed to satisfy "
                 "constraint: Member must satisfy regular expression pattern: " + pattern + "; Value "
                 "'INVALID_METHOD' at 'httpMethod' failed to satisfy constraint: Member must satisfy enum value set: "
                 "[HEAD, POST, PATCH, DELETE, PUT, GET, OPTIONS]")
        msg = self.assertError("ValidationException", self.ev.create_api_destination, Name="dest",
                               ConnectionArn="invalid-connection-arn", HttpMethod="INVALID_METHOD",
                               InvocationEndpoint="invalid-endpoint")
        self.assertTrue(msg.startswith("2 validation errors detected: "), msg)


class TestArchiveRule(EventsTest):
    """CreateArchive makes the rule Events-Archive-<name> on the archive's bus (moto's emulation of AWS,
    test_create_archive: ManagedBy prod.vhs.events.aws.internal, the pattern with "replay-name" absent)."""

    def rule(self, name, bus="default"):
        return self.ev.describe_rule(Name=name, EventBusName=bus)

    def test_archive_without_pattern_gets_a_managed_rule(self):
        bus_arn = self.ev.describe_event_bus()["Arn"]
        self.ev.create_archive(ArchiveName="everything", EventSourceArn=bus_arn)
        r = self.rule("Events-Archive-everything")
        self.assertEqual(r["ManagedBy"], "prod.vhs.events.aws.internal")
        self.assertEqual(r["State"], "ENABLED")
        self.assertEqual(r["EventBusName"], "default")
        self.assertEqual(json.loads(r["EventPattern"]), {"replay-name": [{"exists": False}]})
        self.assertNotIn("Description", r)
        names = [x["Name"] for x in self.ev.list_rules()["Rules"]]
        self.assertIn("Events-Archive-everything", names)
        t = self.ev.list_targets_by_rule(Rule="Events-Archive-everything")["Targets"]
        self.assertEqual([(x["Id"], x["Arn"]) for x in t], [("Events-Archive-everything", "arn:aws:events:us-east-1:::")])

    def test_rule_follows_the_archive_pattern_bus_update_and_delete(self):
        bus_arn = self.ev.create_event_bus(Name="orders")["EventBusArn"]
        self.ev.create_archive(ArchiveName="shop", EventSourceArn=bus_arn, EventPattern='{"source": ["shop"]}')
        r = self.rule("Events-Archive-shop", "orders")
        self.assertEqual(json.loads(r["EventPattern"]), {"source": ["shop"], "replay-name": [{"exists": False}]})
        self.ev.update_archive(ArchiveName="shop", EventPattern='{"source": ["store"]}')
        r = self.rule("Events-Archive-shop", "orders")
        self.assertEqual(json.loads(r["EventPattern"]), {"source": ["store"], "replay-name": [{"exists": False}]})
        self.ev.put_events(Entries=[{"Source": "store", "DetailType": "t", "Detail": "{}", "EventBusName": "orders"},
                                    {"Source": "shop", "DetailType": "t", "Detail": "{}", "EventBusName": "orders"}])
        self.assertEqual(self.ev.describe_archive(ArchiveName="shop")["EventCount"], 1)
        self.ev.delete_archive(ArchiveName="shop")
        self.assertError("ResourceNotFoundException", self.rule, "Events-Archive-shop", "orders")

    def test_user_cannot_change_the_managed_rule(self):
        bus_arn = self.ev.describe_event_bus()["Arn"]
        self.ev.create_archive(ArchiveName="kept", EventSourceArn=bus_arn)
        name = "Events-Archive-kept"
        by = "prod.vhs.events.aws.internal"
        msg = self.assertError("ManagedRuleException", self.ev.delete_rule, Name=name)
        self.assertEqual(msg, "Cannot delete rule %s because it is managed by %s. Use Force to delete it." % (name, by))
        for call, kw in ((self.ev.put_rule, {"EventPattern": '{"source": ["x"]}'}), (self.ev.disable_rule, {}),
                         (self.ev.put_targets, {"Targets": [{"Id": "x", "Arn": bus_arn}]}),
                         (self.ev.remove_targets, {"Ids": [name]})):
            arg = "Rule" if call in (self.ev.put_targets, self.ev.remove_targets) else "Name"
            msg = self.assertError("ManagedRuleException", call, **{arg: name}, **kw)
            self.assertEqual(msg, "Cannot modify rule %s because it is managed by %s." % (name, by))
        # with Force the user can remove it; the archive then receives nothing
        self.ev.remove_targets(Rule=name, Ids=[name], Force=True)
        self.ev.delete_rule(Name=name, Force=True)
        self.ev.put_events(Entries=[{"Source": "shop", "DetailType": "t", "Detail": "{}"}])
        self.assertEqual(self.ev.describe_archive(ArchiveName="kept")["EventCount"], 0)
        self.ev.delete_archive(ArchiveName="kept")


class TestReplayStates(EventsTest):
    """LocalStack snapshot test_archive_and_replay.snapshot.json, test_start_list_describe_canceled_replay:
    StartReplay answers STARTING; CancelReplay right after answers CANCELLING, and DescribeReplay still
    shows CANCELLING at first. The ReplayState enum has RUNNING between them."""

    def archive_with_one_event(self):
        bus_arn = self.ev.describe_event_bus()["Arn"]
        arch = self.ev.create_archive(ArchiveName="a", EventSourceArn=bus_arn)["ArchiveArn"]
        t0 = time.time() - 1
        self.ev.put_events(Entries=[{"Source": "shop", "DetailType": "t", "Detail": "{}"}])
        time.sleep(1.1)
        return bus_arn, arch, t0

    def wait_state(self, name, want, timeout=5.0):
        deadline = time.time() + timeout
        while self.ev.describe_replay(ReplayName=name)["State"] != want and time.time() < deadline:
            time.sleep(0.05)
        return self.ev.describe_replay(ReplayName=name)["State"]

    def test_start_running_completed(self):
        bus_arn, arch, t0 = self.archive_with_one_event()
        r = self.ev.start_replay(ReplayName="r", EventSourceArn=arch, EventStartTime=t0, EventEndTime=time.time(),
                                 Destination={"Arn": bus_arn})
        self.assertEqual(r["State"], "STARTING")
        self.assertIn(self.ev.describe_replay(ReplayName="r")["State"], ("STARTING", "RUNNING"))
        self.assertEqual(self.wait_state("r", "RUNNING"), "RUNNING")
        self.assertEqual(self.wait_state("r", "COMPLETED"), "COMPLETED")
        self.assertIn("ReplayEndTime", self.ev.describe_replay(ReplayName="r"))

    def test_cancel_right_after_start(self):
        bus_arn, arch, t0 = self.archive_with_one_event()
        self.ev.start_replay(ReplayName="c", EventSourceArn=arch, EventStartTime=t0, EventEndTime=time.time(),
                             Destination={"Arn": bus_arn})
        r = self.ev.cancel_replay(ReplayName="c")
        self.assertEqual(r["State"], "CANCELLING")
        self.assertEqual(self.ev.describe_replay(ReplayName="c")["State"], "CANCELLING")
        self.assertEqual(self.wait_state("c", "CANCELLED"), "CANCELLED")
        # a replay that has ended cannot be cancelled (moto test_cancel_replay_error_illegal_state)
        msg = self.assertError("IllegalStatusException", self.ev.cancel_replay, ReplayName="c")
        self.assertEqual(msg, "Replay c is not in a valid state for this operation.")
