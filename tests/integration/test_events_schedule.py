# SPDX-License-Identifier: MIT
"""Scheduled rules against the real server: a rate(1 minute) rule fires on
time with AWS's "Scheduled Event"; and a run that fell due while the server
was down (killed with SIGKILL) fires once after the restart, not twice. Both
servers run side by side so the whole test takes about one minute."""
import json
import os
import shutil
import tempfile
import time
import unittest

from harness import Server


def make_rule(srv, name):
    sqs, ev = srv.client(), srv.client("events")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    rule_arn = ev.put_rule(Name=name, ScheduleExpression="rate(1 minute)")["RuleArn"]
    ev.put_targets(Rule=name, Targets=[{"Id": "q", "Arn": arn}])
    return url, rule_arn


def wait_messages(srv, url, until):
    sqs = srv.client(read_timeout=30)
    got = []
    while time.time() < until:
        r = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                WaitTimeSeconds=max(1, min(20, int(until - time.time()))))
        for m in r.get("Messages", []):
            got.append(json.loads(m["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        if got:
            break
    return got


class TestScheduledRules(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="runnel-sched-")
        cls.up = Server(os.path.join(cls.tmp, "up")).start()
        cls.down = Server(os.path.join(cls.tmp, "down")).start()

    @classmethod
    def tearDownClass(cls):
        cls.up.stop()
        cls.down.stop()
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
