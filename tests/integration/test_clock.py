# SPDX-License-Identifier: MIT
"""The clock tests can move: POST /_runnel/clock {"advanceSeconds": N} makes
N seconds pass for every service timer at once, and what falls due on the way
runs in order, as if the time had passed. Each test here would take minutes
to days of real waiting; each runs in well under a second. GET reports the
clock; moving it is allowed where reset is and refused elsewhere."""
import datetime
import json
import os
import shutil
import tempfile
import unittest
import urllib.error
import urllib.request

import harness


def clock(server, advance=None, method=None):
    """(status, JSON answer) of GET, or of POST with {"advanceSeconds": advance}."""
    data = None if advance is None else json.dumps({"advanceSeconds": advance}).encode()
    req = urllib.request.Request(server.endpoint + "/_runnel/clock", data=data,
                                 method=method or ("GET" if data is None else "POST"))
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def iso_ms(text):
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc)


class TestClockEndpoint(harness.ServerTest):
    def test_get_and_advance_report_now_and_offset(self):
        st, before = clock(self.server)
        self.assertEqual(st, 200)
        st, after = clock(self.server, 3600)
        self.assertEqual(st, 200)
        # the clock moves to an hour after it stood when asked; real time that
        # passes while the advance runs what falls due counts toward the hour
        delta = after["offsetSeconds"] - before["offsetSeconds"]
        self.assertTrue(3599 < delta <= 3600, delta)
        gap = (iso_ms(after["now"]) - iso_ms(before["now"])).total_seconds()
        self.assertTrue(3600 <= gap < 3610, gap)

    def test_bad_advances_are_refused_and_move_nothing(self):
        _, before = clock(self.server)
        for body in (-1, "10", None):
            req = urllib.request.Request(self.server.endpoint + "/_runnel/clock", method="POST",
                                         data=json.dumps({"advanceSeconds": body}).encode())
            with self.assertRaises(urllib.error.HTTPError) as cm:
                urllib.request.urlopen(req, timeout=5)
            self.assertEqual(cm.exception.code, 400)
        _, after = clock(self.server)
        self.assertEqual(after["offsetSeconds"], before["offsetSeconds"])


class TestSqsTimers(harness.ServerTest):
    def test_message_reaches_the_dlq_after_three_receives_with_a_300_s_timeout(self):
        dlq = self.sqs.create_queue(QueueName="clock-dlq")["QueueUrl"]
        dlq_arn = self.sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        src = self.sqs.create_queue(QueueName="clock-src", Attributes={
            "VisibilityTimeout": "300",
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 3})})["QueueUrl"]
        self.sqs.send_message(QueueUrl=src, MessageBody="poison")
        for n in range(1, 4):
            got = self.sqs.receive_message(QueueUrl=src, AttributeNames=["ApproximateReceiveCount"])["Messages"]
            self.assertEqual(got[0]["Attributes"]["ApproximateReceiveCount"], str(n))
            self.assertNotIn("Messages", self.sqs.receive_message(QueueUrl=src))  # in flight
            clock(self.server, 300)
        self.assertNotIn("Messages", self.sqs.receive_message(QueueUrl=src))
        self.assertEqual([m["Body"] for m in self.sqs.receive_message(QueueUrl=dlq)["Messages"]], ["poison"])

    def test_delay_seconds_pass(self):
        url = self.sqs.create_queue(QueueName="clock-delay", Attributes={"DelaySeconds": "900"})["QueueUrl"]
        self.sqs.send_message(QueueUrl=url, MessageBody="later")
        clock(self.server, 899)
        self.assertNotIn("Messages", self.sqs.receive_message(QueueUrl=url))
        clock(self.server, 1)
        self.assertEqual([m["Body"] for m in self.sqs.receive_message(QueueUrl=url)["Messages"]], ["later"])

    def test_retention_period_ends(self):
        url = self.sqs.create_queue(QueueName="clock-retain",
                                    Attributes={"MessageRetentionPeriod": "60"})["QueueUrl"]
        self.sqs.send_message(QueueUrl=url, MessageBody="short-lived")
        clock(self.server, 59)
        attrs = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
        self.assertEqual(attrs["Attributes"]["ApproximateNumberOfMessages"], "1")
        clock(self.server, 2)
        self.assertNotIn("Messages", self.sqs.receive_message(QueueUrl=url))

    def test_fifo_deduplication_window_is_five_minutes(self):
        url = self.sqs.create_queue(QueueName="clock.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
        first = self.sqs.send_message(QueueUrl=url, MessageBody="a", MessageGroupId="g",
                                      MessageDeduplicationId="d1")["MessageId"]
        clock(self.server, 299)
        again = self.sqs.send_message(QueueUrl=url, MessageBody="a", MessageGroupId="g",
                                      MessageDeduplicationId="d1")["MessageId"]
        self.assertEqual(again, first)
        clock(self.server, 2)
        later = self.sqs.send_message(QueueUrl=url, MessageBody="a", MessageGroupId="g",
                                      MessageDeduplicationId="d1")["MessageId"]
        self.assertNotEqual(later, first)


class TestSchedules(harness.ServerTest):
    def test_nightly_cron_rule_fires_once_per_night_with_its_own_time(self):
        url = self.sqs.create_queue(QueueName="clock-nightly")["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        events = self.server.client("events")
        rule = events.put_rule(Name="nightly", ScheduleExpression="cron(0 2 * * ? *)")["RuleArn"]
        events.put_targets(Rule="nightly", Targets=[{"Id": "q", "Arn": arn}])
        clock(self.server, 3 * 86400)
        got = []
        while True:
            r = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
            if not r:
                break
            got += [json.loads(m["Body"]) for m in r]
        self.assertEqual(len(got), 3)
        self.assertEqual({(e["detail-type"], tuple(e["resources"])) for e in got}, {("Scheduled Event", (rule,))})
        times = sorted(e["time"] for e in got)
        self.assertTrue(all(t.endswith("T02:00:00Z") for t in times), times)
        days = [datetime.date.fromisoformat(t[:10]) for t in times]
        self.assertEqual([(b - a).days for a, b in zip(days, days[1:])], [1, 1])


class TestRefusedWithADataDir(unittest.TestCase):
    """Without --in-memory or --enable-reset the clock can be read, not moved."""

    def test_post_is_refused_get_answers(self):
        tmp = tempfile.mkdtemp(prefix="runnel-clock-")
        server = harness.Server(os.path.join(tmp, "data")).start()
        try:
            st, body = clock(server, 10)
            self.assertEqual(st, 403)
            self.assertIn("--enable-reset", body["message"])
            st, body = clock(server)
            self.assertEqual((st, body["offsetSeconds"]), (200, 0))
        finally:
            server.stop()
            shutil.rmtree(tmp, ignore_errors=True)


class TestBehindAuth(unittest.TestCase):
    """With --auth-file the clock, like every /_runnel/* path, needs a signature."""

    def test_unsigned_advance_is_refused_and_moves_nothing(self):
        tmp = tempfile.mkdtemp(prefix="runnel-clock-")
        keys = os.path.join(tmp, "keys")
        with open(keys, "w") as f:
            f.write("AKIDRUNNEL wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY\n")
        server = harness.Server(None, ["--auth-file", keys]).start()
        try:
            st, body = clock(server, 100)
            self.assertEqual((st, body["code"]), (403, "MissingAuthenticationToken"))
            self.assertEqual(clock(server)[0], 403)
        finally:
            server.stop()
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
