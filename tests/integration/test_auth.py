# SPDX-License-Identifier: MIT
"""SigV4 enforcement with --auth-file: signed requests from known keys pass,
a wrong secret or an unknown key get AWS's errors, and nothing changes."""
import os
import shutil
import tempfile
import unittest

import harness


class TestAuthFile(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="runnel-auth-")
        path = os.path.join(cls.tmp, "keys")
        with open(path, "w") as f:
            f.write("# access key, secret\nAKIDRUNNEL wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY\n")
        cls.server = harness.Server(None, ["--auth-file", path]).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def client(self, key, secret):
        return self.server.client(key=key, secret=secret)

    def code(self, fn, **kw):
        try:
            fn(**kw)
        except harness.botocore.exceptions.ClientError as e:
            return e.response["Error"]["Code"]
        return None

    def test_known_key_with_right_secret_is_accepted(self):
        c = self.client("AKIDRUNNEL", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
        url = c.create_queue(QueueName="signed")["QueueUrl"]
        c.send_message(QueueUrl=url, MessageBody="x")
        self.assertEqual(c.receive_message(QueueUrl=url)["Messages"][0]["Body"], "x")

    def test_wrong_secret_is_rejected_and_changes_nothing(self):
        bad = self.client("AKIDRUNNEL", "not-the-secret")
        self.assertEqual(self.code(bad.create_queue, QueueName="nope"), "SignatureDoesNotMatch")
        good = self.client("AKIDRUNNEL", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
        self.assertEqual(self.code(good.get_queue_url, QueueName="nope"),
                         "AWS.SimpleQueueService.NonExistentQueue")

    def test_unknown_access_key_is_rejected(self):
        c = self.client("AKIDUNKNOWN", "whatever")
        self.assertEqual(self.code(c.list_queues), "InvalidClientTokenId")
