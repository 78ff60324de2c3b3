# SPDX-License-Identifier: MIT
"""The runnel command itself: --version/--help, the health and reset
endpoints, the non-loopback guard, restart durability and graceful SIGTERM."""
import json
import os
import shutil
import signal
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request

import harness


class TestCommand(unittest.TestCase):
    def test_version_and_help(self):
        out = harness.run_command(["--version"])
        self.assertEqual(out.returncode, 0)
        self.assertRegex(out.stdout, r"^runnel \d+\.\d+\.\d+")
        out = harness.run_command(["serve", "--help"])
        self.assertEqual(out.returncode, 0)
        self.assertIn("--auth-file", out.stdout)

    def test_non_loopback_host_needs_auth_or_allow_anonymous(self):
        out = harness.run_command(["serve", "--in-memory", "--host", "0.0.0.0", "--port", "0"])
        self.assertEqual(out.returncode, 2)
        self.assertIn("--allow-anonymous", out.stderr)

    def test_unknown_option_is_an_error(self):
        out = harness.run_command(["serve", "--bogus"])
        self.assertEqual(out.returncode, 2)


class TestDurableServer(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="runnel-srv-")
        self.data = os.path.join(self.tmp, "data")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_health_and_reset_refused_with_data_dir(self):
        srv = harness.Server(self.data).start()
        try:
            with urllib.request.urlopen(srv.endpoint + "/_runnel/health") as r:
                h = json.loads(r.read())
            self.assertEqual(h["status"], "ok")
            self.assertEqual(h["store"]["kind"], "log")
            # the log's own figures: three sends are three live messages
            sqs = srv.client("sqs")
            url = sqs.create_queue(QueueName="health-log")["QueueUrl"]
            for i in range(3):
                sqs.send_message(QueueUrl=url, MessageBody="m%d" % i)
            with urllib.request.urlopen(srv.endpoint + "/_runnel/health") as r:
                log = json.loads(r.read())["store"]["log"]
            self.assertEqual(log["messages"], 3)
            self.assertEqual(log["segments"], 1)
            self.assertGreater(log["clientBytes"], 0)
            self.assertGreaterEqual(log["writtenBytes"], log["clientBytes"])
            self.assertEqual(log["writeErrors"], 0)
            req = urllib.request.Request(srv.endpoint + "/_runnel/reset", method="POST")
            with self.assertRaises(urllib.error.HTTPError) as cm:
                urllib.request.urlopen(req)
            self.assertEqual(cm.exception.code, 403)
        finally:
            srv.stop()

    def test_sigterm_answers_long_poll_and_exits_zero_then_state_survives(self):
        srv = harness.Server(self.data).start()
        c = srv.client()
        url = c.create_queue(QueueName="keep", Attributes={"DelaySeconds": "3"})["QueueUrl"]
        c.send_message(QueueUrl=url, MessageBody="survives", DelaySeconds=0)
        empty = c.create_queue(QueueName="empty")["QueueUrl"]
        result = {}

        def poll():
            t0 = time.time()
            result["r"] = srv.client().receive_message(QueueUrl=empty, WaitTimeSeconds=20)
            result["t"] = time.time() - t0
        t = threading.Thread(target=poll)
        t.start()
        time.sleep(0.3)
        rc = srv.stop(signal.SIGTERM)
        t.join()
        self.assertEqual(rc, 0)
        self.assertNotIn("Messages", result["r"])
        self.assertLess(result["t"], 20, "answered by the shutdown, not by the end of the wait")
        srv2 = harness.Server(self.data).start()
        try:
            c2 = srv2.client()
            url2 = c2.get_queue_url(QueueName="keep")["QueueUrl"]
            attrs = c2.get_queue_attributes(QueueUrl=url2, AttributeNames=["DelaySeconds"])["Attributes"]
            self.assertEqual(attrs["DelaySeconds"], "3")
            m = c2.receive_message(QueueUrl=url2, WaitTimeSeconds=1)["Messages"][0]
            self.assertEqual(m["Body"], "survives")
        finally:
            srv2.stop()
