# SPDX-License-Identifier: MIT
"""CloudWatch Logs (AWS JSON 1.1, Logs_20140328) through boto3: groups,
streams, PutLogEvents/GetLogEvents, FilterLogEvents with term and JSON
filter patterns, retention on the moved clock, tags, AWS's errors, Lambda's
function output in /aws/lambda/NAME, an EventBridge log-group target, and
durability across kill -9."""
import io
import json
import time
import unittest
import zipfile

import harness

ROLE = "arn:aws:iam::000000000000:role/logs"


class LogsTest(harness.ServerTest):
    def setUp(self):
        super().setUp()
        self.logs = self.server.client("logs")

    def put(self, group, stream, *messages, t=None):
        t = t or int(time.time() * 1000)
        self.logs.put_log_events(logGroupName=group, logStreamName=stream,
                                 logEvents=[{"timestamp": t + i, "message": m} for i, m in enumerate(messages)])


class TestGroupsAndStreams(LogsTest):
    def test_lifecycle_and_errors(self):
        self.logs.create_log_group(logGroupName="/app/orders", tags={"team": "shop"})
        msg = self.assertError("ResourceAlreadyExistsException", self.logs.create_log_group,
                               logGroupName="/app/orders")
        self.assertEqual(msg, "The specified log group already exists")
        g = self.logs.describe_log_groups(logGroupNamePrefix="/app")["logGroups"]
        self.assertEqual([x["logGroupName"] for x in g], ["/app/orders"])
        self.assertEqual(g[0]["arn"], "arn:aws:logs:us-east-1:000000000000:log-group:/app/orders:*")
        self.logs.create_log_stream(logGroupName="/app/orders", logStreamName="web-1")
        msg = self.assertError("ResourceNotFoundException", self.logs.create_log_stream,
                               logGroupName="/nope", logStreamName="x")
        self.assertEqual(msg, "The specified log group does not exist.")
        msg = self.assertError("ResourceNotFoundException", self.logs.put_log_events, logGroupName="/app/orders",
                               logStreamName="missing", logEvents=[{"timestamp": 1, "message": "x"}])
        self.assertEqual(msg, "The specified log stream does not exist.")
        self.assertEqual(self.logs.list_tags_log_group(logGroupName="/app/orders")["tags"], {"team": "shop"})
        self.logs.delete_log_group(logGroupName="/app/orders")
        self.assertEqual(self.logs.describe_log_groups()["logGroups"], [])

    def test_events_in_order_with_tokens(self):
        self.logs.create_log_group(logGroupName="g")
        self.logs.create_log_stream(logGroupName="g", logStreamName="s")
        self.put("g", "s", "one", "two", "three")
        r = self.logs.get_log_events(logGroupName="g", logStreamName="s", startFromHead=True, limit=2)
        self.assertEqual([e["message"] for e in r["events"]], ["one", "two"])
        r2 = self.logs.get_log_events(logGroupName="g", logStreamName="s", nextToken=r["nextForwardToken"])
        self.assertEqual([e["message"] for e in r2["events"]], ["three"])
        last = self.logs.get_log_events(logGroupName="g", logStreamName="s", limit=1)  # newest by default
        self.assertEqual([e["message"] for e in last["events"]], ["three"])
        s = self.logs.describe_log_streams(logGroupName="g")["logStreams"][0]
        self.assertEqual(s["logStreamName"], "s")
        self.assertIn("lastEventTimestamp", s)

    def test_retention_drops_old_events_on_the_moved_clock(self):
        self.logs.create_log_group(logGroupName="short")
        self.logs.create_log_stream(logGroupName="short", logStreamName="s")
        self.put("short", "s", "old")
        self.logs.put_retention_policy(logGroupName="short", retentionInDays=1)
        self.assertEqual(self.logs.describe_log_groups()["logGroups"][0]["retentionInDays"], 1)
        msg = self.assertError("InvalidParameterException", self.logs.put_retention_policy, logGroupName="short",
                               retentionInDays=2)
        self.assertIn("Member must satisfy enum value set: [1, 3, 5, 7,", msg)
        self.advance(86400 + 5)
        self.put("short", "s", "new", t=int(time.time() * 1000) + 86400 * 1000 + 5000)
        got = self.logs.get_log_events(logGroupName="short", logStreamName="s", startFromHead=True)["events"]
        self.assertEqual([e["message"] for e in got], ["new"])


class TestFilter(LogsTest):
    def setUp(self):
        super().setUp()
        self.logs.create_log_group(logGroupName="f")
        for s in ("a", "b"):
            self.logs.create_log_stream(logGroupName="f", logStreamName=s)
        self.put("f", "a", "ERROR disk full", "INFO all good", '{"level": "ERROR", "ms": 250, "user": {"id": 7}}')
        self.put("f", "b", "WARN slow", "ERROR timeout talking to db", '{"level": "INFO", "ms": 20}')

    def messages(self, pattern, **kw):
        return sorted(e["message"] for e in self.logs.filter_log_events(logGroupName="f", filterPattern=pattern,
                                                                         **kw)["events"])

    def test_terms(self):
        self.assertEqual(self.messages("ERROR"), ["ERROR disk full", "ERROR timeout talking to db",
                                                  '{"level": "ERROR", "ms": 250, "user": {"id": 7}}'])
        self.assertEqual(self.messages("ERROR timeout"), ["ERROR timeout talking to db"])
        self.assertEqual(self.messages("ERROR -disk"), ["ERROR timeout talking to db",
                                                        '{"level": "ERROR", "ms": 250, "user": {"id": 7}}'])
        self.assertEqual(self.messages("?WARN ?INFO"), ["INFO all good", "WARN slow", '{"level": "INFO", "ms": 20}'])
        self.assertEqual(self.messages('"all good"'), ["INFO all good"])
        self.assertEqual(len(self.messages("")), 6)
        self.assertEqual(self.messages("ERROR", logStreamNames=["b"]), ["ERROR timeout talking to db"])

    def test_json(self):
        self.assertEqual(self.messages('{ $.level = "ERROR" }'), ['{"level": "ERROR", "ms": 250, "user": {"id": 7}}'])
        self.assertEqual(len(self.messages("{ $.ms > 10 }")), 2)
        self.assertEqual(len(self.messages("{ $.ms > 100 && $.user.id = 7 }")), 1)
        self.assertEqual(len(self.messages('{ $.level = "ERR*" || $.ms < 50 }')), 2)
        self.assertEqual(len(self.messages("{ $.user NOT EXISTS }")), 1)

    def test_invalid_pattern_and_paging(self):
        msg = self.assertError("InvalidParameterException", self.logs.filter_log_events, logGroupName="f",
                               filterPattern="{ $.x = ")
        self.assertEqual(msg, "Invalid filter pattern")
        r = self.logs.filter_log_events(logGroupName="f", limit=4)
        self.assertEqual(len(r["events"]), 4)
        r2 = self.logs.filter_log_events(logGroupName="f", nextToken=r["nextToken"])
        self.assertEqual(len(r2["events"]), 2)
        self.assertNotIn("nextToken", r2)


class TestFromOtherServices(LogsTest):
    def test_lambda_output_goes_to_its_log_group(self):
        b = io.BytesIO()
        with zipfile.ZipFile(b, "w") as z:
            z.writestr("app.py", "def handler(e, c):\n    print('processing', e['order'])\n    return 1\n")
        lam = self.server.client("lambda")
        lam.create_function(FunctionName="proc", Runtime="python3.12", Role=ROLE, Handler="app.handler",
                            Code={"ZipFile": b.getvalue()})
        rid = lam.invoke(FunctionName="proc", Payload=b'{"order": "o-9"}')["ResponseMetadata"]["RequestId"]
        streams = self.logs.describe_log_streams(logGroupName="/aws/lambda/proc")["logStreams"]
        self.assertEqual(len(streams), 1)
        self.assertRegex(streams[0]["logStreamName"], r"^\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32}$")
        got = [e["message"] for e in self.logs.get_log_events(
            logGroupName="/aws/lambda/proc", logStreamName=streams[0]["logStreamName"], startFromHead=True)["events"]]
        self.assertEqual(got[0], "START RequestId: %s Version: $LATEST" % rid)
        self.assertEqual(got[1], "processing o-9")
        self.assertEqual(got[2], "END RequestId: %s" % rid)
        self.assertTrue(got[3].startswith("REPORT RequestId: %s\tDuration: " % rid))
        hits = self.logs.filter_log_events(logGroupName="/aws/lambda/proc", filterPattern="processing")["events"]
        self.assertEqual([e["message"] for e in hits], ["processing o-9"])

    def test_eventbridge_log_group_target(self):
        self.logs.create_log_group(logGroupName="/aws/events/orders")
        ev = self.server.client("events")
        ev.put_rule(Name="to-logs", EventPattern='{"source": ["shop"]}')
        ev.put_targets(Rule="to-logs", Targets=[{"Id": "l", "Arn": "arn:aws:logs:us-east-1:000000000000:log-group:"
                                                                      "/aws/events/orders"}])
        eid = ev.put_events(Entries=[{"Source": "shop", "DetailType": "t", "Detail": '{"n": 1}'}])["Entries"][0][
            "EventId"]
        events = self.logs.filter_log_events(logGroupName="/aws/events/orders")["events"]
        self.assertEqual(len(events), 1)
        self.assertEqual(json.loads(events[0]["message"])["id"], eid)


class TestDurability(unittest.TestCase):
    def test_groups_streams_and_events_survive_kill_9(self):
        with harness.DataDir("runnel-logs-") as d:
            server = d.start()
            logs = server.client("logs")
            logs.create_log_group(logGroupName="keep")
            logs.put_retention_policy(logGroupName="keep", retentionInDays=7)
            logs.create_log_stream(logGroupName="keep", logStreamName="s")
            t = int(time.time() * 1000)
            logs.put_log_events(logGroupName="keep", logStreamName="s",
                                logEvents=[{"timestamp": t + i, "message": "m%d" % i} for i in range(50)])
            server.kill()
            server = d.start()
            logs = server.client("logs")
            self.assertEqual(logs.describe_log_groups()["logGroups"][0]["retentionInDays"], 7)
            got = logs.get_log_events(logGroupName="keep", logStreamName="s", startFromHead=True)["events"]
            self.assertEqual([e["message"] for e in got], ["m%d" % i for i in range(50)])
            logs.put_log_events(logGroupName="keep", logStreamName="s", logEvents=[{"timestamp": t + 99,
                                                                                    "message": "after"}])
            got = logs.get_log_events(logGroupName="keep", logStreamName="s", limit=1)["events"]
            self.assertEqual(got[0]["message"], "after")
            server.stop()


if __name__ == "__main__":
    unittest.main()
