# SPDX-License-Identifier: MIT
"""EventBridge answers that must match AWS's recorded ones to the letter:
each test cites where the AWS response was recorded. "LocalStack snapshot"
means the AWS-validated snapshot files under tests/aws/services/events/ in
localstack/localstack; "moto" means moto's tests/test_events/test_events.py,
whose messages were taken from AWS. Run under both boto3s."""
import json

from test_events_delivery import EventsTest


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
