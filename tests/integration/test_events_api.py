# SPDX-License-Identifier: MIT
"""EventBridge control plane against the real server: buses, rules, targets,
tags, permissions and PutEvents validation, with AWS's error codes and
messages. Run under both boto3s (EventBridge is JSON 1.1 in both)."""
import json
import time

import botocore

from harness import UUID, ServerTest

NAME_RE = r"[\.\-_A-Za-z0-9]+"


class EventsApiTest(ServerTest):
    @classmethod
    def setUpClass(cls):
        cls.server_started = time.time()
        super().setUpClass()
        cls.ev = cls.server.client("events")

    def needs(self, op, member, output=False):
        """Skips the test when this botocore's model (Debian's boto3 1.26 is
        older) has no `member` in op's request (or response)."""
        m = self.ev.meta.service_model.operation_model(op)
        shape = m.output_shape if output else m.input_shape
        if member not in shape.members:
            self.skipTest("this botocore (%s) has no %s %s %s" % (
                botocore.__version__, op, "response member" if output else "parameter", member))


class TestBuses(EventsApiTest):
    def test_default_bus_always_exists(self):
        d = self.ev.describe_event_bus()
        self.assertEqual(d["Name"], "default")
        self.assertEqual(d["Arn"], "arn:aws:events:us-east-1:000000000000:event-bus/default")
        msg = self.assertError("ValidationException", self.ev.delete_event_bus, Name="default")
        self.assertEqual(msg, "Cannot delete event bus default.")
        msg = self.assertError("ResourceAlreadyExistsException", self.ev.create_event_bus, Name="default")
        self.assertEqual(msg, "Event bus default already exists.")

    def test_default_bus_creation_time(self):
        self.needs("DescribeEventBus", "CreationTime", output=True)
        created = self.ev.describe_event_bus()["CreationTime"]
        self.assertLessEqual(created.timestamp(), time.time())
        self.assertGreaterEqual(created.timestamp(), self.server_started - 1)

    def test_bus_description_on_create_and_update(self):
        self.needs("CreateEventBus", "Description")
        r = self.ev.create_event_bus(Name="described", Description="orders")
        self.assertEqual(r["Description"], "orders")
        self.ev.update_event_bus(Name="described", Description="changed")
        self.assertEqual(self.ev.describe_event_bus(Name="described")["Description"], "changed")

    def test_create_describe_list_update_delete(self):
        r = self.ev.create_event_bus(Name="ecommerce-events")
        self.assertEqual(r["EventBusArn"], "arn:aws:events:us-east-1:000000000000:event-bus/ecommerce-events")
        self.assertEqual(self.ev.describe_event_bus(Name=r["EventBusArn"])["Name"], "ecommerce-events")
        self.ev.create_event_bus(Name="ecommerce-audit")
        names = [b["Name"] for b in self.ev.list_event_buses(NamePrefix="ecommerce")["EventBuses"]]
        self.assertEqual(names, ["ecommerce-audit", "ecommerce-events"])
        page = self.ev.list_event_buses(Limit=1)
        self.assertEqual(len(page["EventBuses"]), 1)
        rest = self.ev.list_event_buses(Limit=5, NextToken=page["NextToken"])
        self.assertEqual(len(rest["EventBuses"]), 2)
        self.assertNotIn("NextToken", rest)
        self.ev.delete_event_bus(Name="ecommerce-events")
        self.ev.delete_event_bus(Name="ecommerce-events")  # deleting twice succeeds, as on AWS
        msg = self.assertError("ResourceNotFoundException", self.ev.describe_event_bus, Name="ecommerce-events")
        self.assertEqual(msg, "Event bus ecommerce-events does not exist.")

    def test_bad_names_and_duplicates(self):
        msg = self.assertError("ValidationException", self.ev.create_event_bus, Name="bad name!")
        self.assertEqual(msg, "1 validation error detected: Value 'bad name!' at 'name' failed to satisfy "
                              "constraint: Member must satisfy regular expression pattern: [/\\.\\-_A-Za-z0-9]+")
        self.ev.create_event_bus(Name="dup")
        msg = self.assertError("ResourceAlreadyExistsException", self.ev.create_event_bus, Name="dup")
        self.assertEqual(msg, "Event bus dup already exists.")

    def test_permissions_build_and_remove_policy(self):
        self.ev.put_permission(Action="events:PutEvents", Principal="111122223333", StatementId="acct")
        self.ev.put_permission(Action="events:PutEvents", Principal="*", StatementId="all")
        pol = json.loads(self.ev.describe_event_bus()["Policy"])
        self.assertEqual([s["Sid"] for s in pol["Statement"]], ["acct", "all"])
        self.assertEqual(pol["Statement"][0]["Principal"], {"AWS": "arn:aws:iam::111122223333:root"})
        self.ev.remove_permission(StatementId="acct")
        pol = json.loads(self.ev.describe_event_bus()["Policy"])
        self.assertEqual([s["Sid"] for s in pol["Statement"]], ["all"])
        msg = self.assertError("ResourceNotFoundException", self.ev.remove_permission, StatementId="nope")
        self.assertEqual(msg, "Statement with the provided id does not exist.")
        self.ev.remove_permission(RemoveAllPermissions=True)
        self.assertNotIn("Policy", self.ev.describe_event_bus())

    def test_tags_on_bus_and_rule(self):
        arn = self.ev.create_event_bus(Name="tagged", Tags=[{"Key": "team", "Value": "orders"}])["EventBusArn"]
        self.ev.tag_resource(ResourceARN=arn, Tags=[{"Key": "env", "Value": "dev"}])
        tags = {t["Key"]: t["Value"] for t in self.ev.list_tags_for_resource(ResourceARN=arn)["Tags"]}
        self.assertEqual(tags, {"team": "orders", "env": "dev"})
        self.ev.untag_resource(ResourceARN=arn, TagKeys=["team"])
        self.assertEqual(self.ev.list_tags_for_resource(ResourceARN=arn)["Tags"], [{"Key": "env", "Value": "dev"}])
        rarn = self.ev.put_rule(Name="r", EventBusName="tagged", EventPattern='{"source": ["a"]}',
                                Tags=[{"Key": "k", "Value": "v"}])["RuleArn"]
        self.assertEqual(rarn, "arn:aws:events:us-east-1:000000000000:rule/tagged/r")
        self.assertEqual(self.ev.list_tags_for_resource(ResourceARN=rarn)["Tags"], [{"Key": "k", "Value": "v"}])
        msg = self.assertError("ResourceNotFoundException", self.ev.list_tags_for_resource,
                               ResourceARN="arn:aws:events:us-east-1:000000000000:rule/missing")
        self.assertEqual(msg, "Rule missing does not exist on EventBus default.")


class TestRules(EventsApiTest):
    PATTERN = json.dumps({"source": ["ecommerce.orders"], "detail-type": ["Order Created"]})

    def test_put_describe_list_enable_disable_delete(self):
        arn = self.ev.put_rule(Name="OrderCreatedRule", EventPattern=self.PATTERN, Description="d")["RuleArn"]
        self.assertEqual(arn, "arn:aws:events:us-east-1:000000000000:rule/OrderCreatedRule")
        d = self.ev.describe_rule(Name="OrderCreatedRule")
        self.assertEqual((d["Name"], d["State"], d["EventBusName"], d["EventPattern"], d["CreatedBy"]),
                         ("OrderCreatedRule", "ENABLED", "default", self.PATTERN, "000000000000"))
        self.ev.disable_rule(Name="OrderCreatedRule")
        self.assertEqual(self.ev.describe_rule(Name="OrderCreatedRule")["State"], "DISABLED")
        self.ev.enable_rule(Name="OrderCreatedRule")
        self.assertEqual(self.ev.describe_rule(Name="OrderCreatedRule")["State"], "ENABLED")
        for i in range(3):
            self.ev.put_rule(Name="other-%d" % i, ScheduleExpression="rate(5 minutes)", State="DISABLED")
        rules = self.ev.list_rules(NamePrefix="other-", Limit=2)
        self.assertEqual([r["Name"] for r in rules["Rules"]], ["other-0", "other-1"])
        rest = self.ev.list_rules(NamePrefix="other-", NextToken=rules["NextToken"])
        self.assertEqual([r["Name"] for r in rest["Rules"]], ["other-2"])
        self.assertEqual(rest["Rules"][0]["ScheduleExpression"], "rate(5 minutes)")
        self.ev.delete_rule(Name="OrderCreatedRule")
        self.ev.delete_rule(Name="OrderCreatedRule")  # succeeds again, as on AWS
        msg = self.assertError("ResourceNotFoundException", self.ev.describe_rule, Name="OrderCreatedRule")
        self.assertEqual(msg, "Rule OrderCreatedRule does not exist on EventBus default.")

    def test_put_rule_replaces_but_keeps_targets(self):
        self.ev.put_rule(Name="r", EventPattern=self.PATTERN, Description="first")
        self.ev.put_targets(Rule="r", Targets=[{"Id": "t", "Arn": "arn:aws:sqs:us-east-1:000000000000:q"}])
        self.ev.put_rule(Name="r", EventPattern='{"source": ["x"]}')
        d = self.ev.describe_rule(Name="r")
        self.assertNotIn("Description", d)
        self.assertEqual(len(self.ev.list_targets_by_rule(Rule="r")["Targets"]), 1)

    def test_rule_validation_errors(self):
        msg = self.assertError("ValidationException", self.ev.put_rule, Name="r")
        self.assertEqual(msg, "Parameter(s) EventPattern or ScheduleExpression must be specified.")
        msg = self.assertError("ValidationException", self.ev.put_rule, Name="bad name", EventPattern=self.PATTERN)
        self.assertEqual(msg, "1 validation error detected: Value 'bad name' at 'name' failed to satisfy constraint: "
                              "Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+")
        self.ev.create_event_bus(Name="custom")
        msg = self.assertError("ValidationException", self.ev.put_rule, Name="s", EventBusName="custom",
                               ScheduleExpression="rate(5 minutes)")
        self.assertEqual(msg, "ScheduleExpression is supported only on the default event bus.")
        msg = self.assertError("ValidationException", self.ev.put_rule, Name="s", ScheduleExpression="rate(1 minutes)")
        self.assertEqual(msg, "Parameter ScheduleExpression is not valid.")
        self.assertError("InvalidEventPatternException", self.ev.put_rule, Name="p", EventPattern='{"source": "x"}')
        msg = self.assertError("ResourceNotFoundException", self.ev.put_rule, Name="r", EventBusName="nope",
                               EventPattern=self.PATTERN)
        self.assertEqual(msg, "Event bus nope does not exist.")
        msg = self.assertError("ResourceNotFoundException", self.ev.enable_rule, Name="missing")
        self.assertEqual(msg, "Rule missing does not exist on EventBus default.")

    def test_test_event_pattern(self):
        event = json.dumps({"id": "1", "source": "ecommerce.orders", "detail-type": "Order Created",
                            "account": "000000000000", "time": "2024-01-01T00:00:00Z", "region": "us-east-1",
                            "resources": [], "detail": {"amount": 10}})
        self.assertIs(self.ev.test_event_pattern(EventPattern=self.PATTERN, Event=event)["Result"], True)
        self.assertIs(self.ev.test_event_pattern(EventPattern='{"source": ["x"]}', Event=event)["Result"], False)
        self.assertError("InvalidEventPatternException", self.ev.test_event_pattern, EventPattern='{"a": 1}',
                         Event=event)


class TestTargets(EventsApiTest):
    Q = "arn:aws:sqs:us-east-1:000000000000:q%d"

    def setUp(self):
        super().setUp()
        self.ev.put_rule(Name="r", EventPattern='{"source": ["shop"]}')

    def test_put_list_remove_and_names_by_target(self):
        r = self.ev.put_targets(Rule="r", Targets=[{"Id": "a", "Arn": self.Q % 1}, {"Id": "b", "Arn": self.Q % 2}])
        self.assertEqual((r["FailedEntryCount"], r["FailedEntries"]), (0, []))
        self.ev.put_targets(Rule="r", Targets=[{"Id": "a", "Arn": self.Q % 3, "Input": '{"x": 1}'}])
        ts = self.ev.list_targets_by_rule(Rule="r")["Targets"]
        self.assertEqual(ts, [{"Id": "a", "Arn": self.Q % 3, "Input": '{"x": 1}'}, {"Id": "b", "Arn": self.Q % 2}])
        self.ev.put_rule(Name="r2", EventPattern='{"source": ["shop"]}')
        self.ev.put_targets(Rule="r2", Targets=[{"Id": "x", "Arn": self.Q % 2}])
        self.assertEqual(self.ev.list_rule_names_by_target(TargetArn=self.Q % 2)["RuleNames"], ["r", "r2"])
        msg = self.assertError("ValidationException", self.ev.delete_rule, Name="r")
        self.assertEqual(msg, "Rule can't be deleted since it has targets.")
        r = self.ev.remove_targets(Rule="r", Ids=["a", "b"])
        self.assertEqual(r["FailedEntryCount"], 0)
        self.assertEqual(self.ev.list_targets_by_rule(Rule="r")["Targets"], [])
        self.ev.delete_rule(Name="r")

    def test_target_limits_and_validation(self):
        msg = self.assertError("LimitExceededException", self.ev.put_targets, Rule="r",
                               Targets=[{"Id": str(i), "Arn": self.Q % i} for i in range(6)])
        self.assertEqual(msg, "The requested resource exceeds the maximum number allowed.")
        self.assertEqual(self.ev.list_targets_by_rule(Rule="r")["Targets"], [])
        msg = self.assertError("ValidationException", self.ev.put_targets, Rule="r",
                               Targets=[{"Id": "f", "Arn": "arn:aws:sqs:us-east-1:000000000000:o.fifo"}])
        self.assertEqual(msg, "Parameter(s) SqsParameters must be specified for target: f.")
        msg = self.assertError("ValidationException", self.ev.put_targets, Rule="r",
                               Targets=[{"Id": "bad id", "Arn": self.Q % 1}])
        self.assertEqual(msg, "1 validation error detected: Value 'bad id' at 'targets.1.member.id' failed to "
                              "satisfy constraint: Member must satisfy regular expression pattern: "
                              "[\\.\\-_A-Za-z0-9]+")
        msg = self.assertError("ValidationException", self.ev.put_targets, Rule="r",
                               Targets=[{"Id": "two", "Arn": self.Q % 1, "Input": "{}", "InputPath": "$.detail"}])
        self.assertEqual(msg, "Only one of Input, InputPath, or InputTransformer must be provided for target two.")
        msg = self.assertError("ResourceNotFoundException", self.ev.put_targets, Rule="nope",
                               Targets=[{"Id": "a", "Arn": self.Q % 1}])
        self.assertEqual(msg, "Rule nope does not exist on EventBus default.")


class TestPutEventsValidation(EventsApiTest):
    def test_per_entry_errors_in_order(self):
        r = self.ev.put_events(Entries=[
            {"Source": "s", "DetailType": "t", "Detail": "{}"},
            {"DetailType": "t", "Detail": "{}"},
            {"Source": "s", "Detail": "{}"},
            {"Source": "s", "DetailType": "t"},
            {"Source": "s", "DetailType": "t", "Detail": "[1, 2]"},
            {"Source": "aws.ec2", "DetailType": "t", "Detail": "{}"},
            {"Source": "s", "DetailType": "t", "Detail": "{}", "EventBusName": "no-such-bus"},
        ])
        self.assertEqual(r["FailedEntryCount"], 5)
        e = r["Entries"]
        self.assertEqual(set(e[0]), {"EventId"})
        self.assertRegex(e[0]["EventId"], "^%s$" % UUID)
        self.assertEqual((e[1]["ErrorCode"], e[1]["ErrorMessage"]),
                         ("InvalidArgument", "Parameter Source is not valid. Reason: Source is a required argument."))
        self.assertEqual(e[2]["ErrorMessage"],
                         "Parameter DetailType is not valid. Reason: DetailType is a required argument.")
        self.assertEqual(e[3]["ErrorMessage"], "Parameter Detail is not valid. Reason: Detail is a required argument.")
        self.assertEqual((e[4]["ErrorCode"], e[4]["ErrorMessage"]), ("MalformedDetail", "Detail is malformed."))
        self.assertEqual((e[5]["ErrorCode"], e[5]["ErrorMessage"]),
                         ("NotAuthorizedForSourceException", "Not authorized for the source."))
        # AWS accepts (and drops) events for a bus that does not exist
        self.assertEqual(set(e[6]), {"EventId"})
        self.assertRegex(e[6]["EventId"], "^%s$" % UUID)

    def test_request_level_limits(self):
        msg = self.assertError("ValidationException", self.ev.put_events,
                               Entries=[{"Source": "s", "DetailType": "t", "Detail": "{}"}] * 11)
        self.assertIn("failed to satisfy constraint: Member must have length less than or equal to 10", msg)
        big = json.dumps({"x": "a" * (1024 * 1024)})
        msg = self.assertError("ValidationException", self.ev.put_events,
                               Entries=[{"Source": "s", "DetailType": "t", "Detail": big}])
        self.assertEqual(msg, "Total size of the entries in the request is over the limit.")
