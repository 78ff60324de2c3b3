# SPDX-License-Identifier: MIT
"""Scheduled rules against the real server. When runs fall due is unit-tested
(tests/unit/test_event_schedule.c); here the server's side of it is checked
without waiting for the clock: while the server is stopped, a rule's stored
creation time is moved into the past, so that at the restart runs are already
due (each fires once, with its own time, and not again), too old to deliver,
or due in a few seconds (the loop's timer fires it). A rate(1 minute) rule
runs on the moved clock (POST /_runnel/clock); the same with a real minute's
wait (~70 s) runs only with RUNNEL_SLOW_TESTS=1."""
import calendar
import json
import os
import shutil
import sqlite3
import tempfile
import time
import unittest
import urllib.request

from harness import Server

SLOW = os.environ.get("RUNNEL_SLOW_TESTS") == "1"


def make_rule(srv, name, expr="rate(1 minute)"):
    """A queue, and a scheduled rule on the default bus that targets it."""
    sqs, ev = srv.client(), srv.client("events")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    rule_arn = ev.put_rule(Name=name, ScheduleExpression=expr)["RuleArn"]
    ev.put_targets(Rule=name, Targets=[{"Id": "q", "Arn": arn}])
    return url, rule_arn


def wait_messages(srv, url, until, want=1):
    """The bodies (parsed) received until `want` arrived or `until` passed."""
    sqs = srv.client(read_timeout=30)
    got = []
    while len(got) < want and time.time() < until:
        r = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                WaitTimeSeconds=max(1, min(20, int(until - time.time()))))
        for m in r.get("Messages", []):
            got.append(json.loads(m["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    return got


def iso(ms):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ms // 1000))


class TestScheduledRunsAtRestart(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="runnel-sched-")
        self.data = os.path.join(self.tmp, "data")
        self.srv = Server(self.data).start()

    def tearDown(self):
        try:
            self.srv.stop()
        finally:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def stored_rule(self, name):
        with sqlite3.connect(os.path.join(self.data, "runnel.db")) as db:
            (value,) = db.execute("SELECT value FROM kv WHERE ns = 'events.rule' AND key = ?",
                                  ("default|" + name,)).fetchone()
        db.close()
        return json.loads(value)

    def restart_created_at(self, name, created_ms):
        """Stops the server, stores rule `name` as created at created_ms and
        never fired, and starts the server again."""
        self.srv.stop()
        rec = self.stored_rule(name)
        self.assertEqual(rec["LastFire"], 0)
        rec["Created"] = created_ms
        with sqlite3.connect(os.path.join(self.data, "runnel.db")) as db:
            db.execute("UPDATE kv SET value = ? WHERE ns = 'events.rule' AND key = ?",
                       (json.dumps(rec), "default|" + name))
        db.close()
        self.srv.start()

    def assertScheduledEvents(self, got, rule_arn, times_ms):
        self.assertEqual([(e["source"], e["detail-type"], e["resources"], e["detail"], e["version"]) for e in got],
                         [("aws.events", "Scheduled Event", [rule_arn], {}, "0")] * len(times_ms))
        self.assertEqual(sorted(e["time"] for e in got), [iso(t) for t in times_ms])

    def test_runs_missed_while_down_fire_once_each_with_their_own_time(self):
        url, rule_arn = make_rule(self.srv, "missed")
        created = (int(time.time()) - 210) * 1000  # 3.5 minutes ago: three runs are due
        self.restart_created_at("missed", created)
        got = wait_messages(self.srv, url, time.time() + 30, want=3)
        self.assertScheduledEvents(got, rule_arn, [created + 60000, created + 120000, created + 180000])
        self.assertEqual(wait_messages(self.srv, url, time.time() + 1), [])
        # the last run is stored: another restart fires nothing
        self.srv.stop()
        self.assertEqual(self.stored_rule("missed")["LastFire"], created + 180000)
        self.srv.start()
        self.assertEqual(wait_messages(self.srv, url, time.time() + 2), [])

    def test_runs_older_than_a_day_are_counted_not_delivered(self):
        url, rule_arn = make_rule(self.srv, "stale", "rate(12 hours)")
        hour = 3600 * 1000
        created = (int(time.time()) - 36 * 3600 - 1800) * 1000  # runs at +12 h (stale), +24 h and +36 h
        self.restart_created_at("stale", created)
        got = wait_messages(self.srv, url, time.time() + 30, want=2)
        self.assertScheduledEvents(got, rule_arn, [created + 24 * hour, created + 36 * hour])
        self.assertEqual(wait_messages(self.srv, url, time.time() + 1), [])
        self.assertIn("events: rule %s: 1 scheduled runs older than a day were not delivered" % rule_arn,
                      self.srv.output())

    def test_a_run_due_after_the_restart_is_fired_by_the_timer(self):
        url, rule_arn = make_rule(self.srv, "soon")
        created = (int(time.time()) - 57) * 1000  # the first run is due about 3 s from now
        self.restart_created_at("soon", created)
        got = wait_messages(self.srv, url, time.time() + 30)
        self.assertGreaterEqual(time.time() * 1000, created + 60000)  # not before it was due
        self.assertScheduledEvents(got, rule_arn, [created + 60000])


class TestScheduledRulesMovedClock(unittest.TestCase):
    """rate(1 minute) with the clock moved (POST /_runnel/clock) instead of a
    real minute's wait: nothing before the minute is up, then one run stamped
    with its own time, then one per minute."""

    @classmethod
    def setUpClass(cls):
        cls.srv = Server(None).start()

    @classmethod
    def tearDownClass(cls):
        cls.srv.stop()

    def advance(self, seconds):
        req = urllib.request.Request(self.srv.endpoint + "/_runnel/clock", method="POST",
                                     data=json.dumps({"advanceSeconds": seconds}).encode())
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.loads(r.read())

    def test_rate_fires_when_the_minute_is_up_and_every_minute_after(self):
        url, rule = make_rule(self.srv, "every-minute")
        created = self.srv.client("events").describe_rule(Name="every-minute")
        self.assertEqual(created["ScheduleExpression"], "rate(1 minute)")
        self.advance(58)
        self.assertEqual(wait_messages(self.srv, url, time.time() + 0.5), [])
        self.advance(3)
        got = wait_messages(self.srv, url, time.time() + 5, want=1)
        self.assertEqual(len(got), 1)
        ev = got[0]
        self.assertEqual((ev["source"], ev["detail-type"], ev["resources"], ev["detail"], ev["version"]),
                         ("aws.events", "Scheduled Event", [rule], {}, "0"))
        first = ev["time"]
        self.advance(120)
        later = wait_messages(self.srv, url, time.time() + 5, want=2)
        self.assertEqual(len(later), 2)
        stamps = sorted([first] + [e["time"] for e in later])
        secs = [calendar.timegm(time.strptime(t, "%Y-%m-%dT%H:%M:%SZ")) for t in stamps]
        self.assertEqual([b - a for a, b in zip(secs, secs[1:])], [60, 60])


@unittest.skipUnless(SLOW, "waits ~70 s for a real rate(1 minute) run (TestScheduledRulesMovedClock covers the same "
                           "with the clock); set RUNNEL_SLOW_TESTS=1 to run it")
class TestScheduledRulesRealClock(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="runnel-sched-")
        cls.up = Server(os.path.join(cls.tmp, "up")).start()
        cls.down = Server(os.path.join(cls.tmp, "down")).start()

    @classmethod
    def tearDownClass(cls):
        try:
            cls.up.stop()
            cls.down.stop()
        finally:
            shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_rate_fires_on_time_and_a_missed_run_fires_once_after_restart(self):
        t0 = time.time()
        up_url, up_rule = make_rule(self.up, "every-minute")
        down_url, down_rule = make_rule(self.down, "while-down")
        # the second server dies before its first run is due
        self.down.kill()

        got = wait_messages(self.up, up_url, t0 + 75)
        self.assertEqual(len(got), 1, "rate(1 minute) did not fire within 75 s")
        fired = time.time() - t0
        self.assertGreaterEqual(fired, 55)  # not before the minute is up
        ev = got[0]
        self.assertEqual((ev["source"], ev["detail-type"], ev["resources"], ev["detail"]),
                         ("aws.events", "Scheduled Event", [up_rule], {}))
        self.assertEqual(ev["version"], "0")
        self.assertRegex(ev["time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")

        # the missed run (due about 60 s after creation) fires once at start-up
        self.down.start()
        got = wait_messages(self.down, down_url, time.time() + 10)
        self.assertEqual(len(got), 1)
        self.assertEqual(got[0]["resources"], [down_rule])
        # ... and not again: the next run is a minute later
        self.assertEqual(wait_messages(self.down, down_url, time.time() + 3), [])
