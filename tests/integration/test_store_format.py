# SPDX-License-Identifier: MIT
"""The data dir's format version (DATA/FORMAT): a new dir gets
"runnel-store 2"; a dir of the SQLite-only store (format 1: runnel.db and
no FORMAT) is migrated at its first start, its messages kept with their
ids, attributes, receive counts and FIFO order, once (a second start does
not copy them again); a newer or garbled FORMAT is refused with a message.

The format 1 dir is tests/data/store/v1_runnel_db.sql: the SQL dump of the
runnel.db a runnel from before the log engine (commit 2e66794) wrote after
it was sent 5 messages with a Number attribute to v1-std (std-0 then
deleted, std-1 received once) and 4 to the FIFO queue v1.fifo (group g)."""
import os
import sqlite3
import unittest

import harness

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
V1_DUMP = os.path.join(ROOT, "data", "store", "v1_runnel_db.sql")


def read_format(data_dir):
    with open(os.path.join(data_dir, "FORMAT")) as f:
        return f.read()


def drain(c, url):
    got = []
    while True:
        msgs = c.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=300,
                                 MessageAttributeNames=["All"], AttributeNames=["All"]).get("Messages", [])
        if not msgs:
            return got
        for m in msgs:
            got.append(m)
            c.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])


class TestFormatFile(unittest.TestCase):
    def test_new_data_dir_gets_format_2(self):
        with harness.DataDir("runnel-format-") as dd:
            srv = dd.start()
            if not os.path.isdir(os.path.join(dd.path, "log")):
                self.skipTest("the store of this build writes no log: the log engine is not in it")
            self.assertEqual(read_format(dd.path), "runnel-store 2\n")
            srv.stop()
            out = harness.run_command(["check", "--data-dir", dd.path])
            self.assertEqual(out.returncode, 0, out.stdout)
            self.assertIn("format: 2", out.stdout)

    def refused(self, dd, format_text):
        """The server's refusal of a dir whose FORMAT holds format_text."""
        os.makedirs(dd.path)
        with open(os.path.join(dd.path, "FORMAT"), "w") as f:
            f.write(format_text)
        with self.assertRaises(harness.ServerFailed) as cm:
            dd.start()
        return str(cm.exception)

    def test_newer_format_is_refused_naming_both_versions(self):
        with harness.DataDir("runnel-format-") as dd:
            msg = self.refused(dd, "runnel-store 3\n")
            self.assertIn("format 3", msg)
            self.assertIn("format 2", msg)
            out = harness.run_command(["check", "--data-dir", dd.path])
            self.assertEqual(out.returncode, 1)
            self.assertIn("newer", out.stdout)

    def test_garbled_format_file_is_refused(self):
        with harness.DataDir("runnel-format-") as dd:
            self.assertIn("not a runnel format file", self.refused(dd, "not a format\n"))


class TestDataDirLock(unittest.TestCase):
    def test_second_server_on_a_data_dir_is_refused_until_the_first_is_gone(self):
        """Two servers appending to one log would interleave their frames."""
        with harness.DataDir("runnel-lock-") as dd:
            first = dd.start()
            sqs = first.client()
            url = sqs.create_queue(QueueName="locked")["QueueUrl"]
            sqs.send_message(QueueUrl=url, MessageBody="kept")
            with self.assertRaises(harness.ServerFailed) as cm:
                dd.start()
            self.assertIn("is in use by another runnel (pid %d)" % first.proc.pid, str(cm.exception))
            out = harness.run_command(["check", "--data-dir", dd.path])
            self.assertIn("a running runnel (pid %d) has this data dir open" % first.proc.pid, out.stdout)
            first.kill()  # kill -9 releases the lock with the process
            second = dd.start()
            msgs = second.client().receive_message(QueueUrl=url).get("Messages", [])
            self.assertEqual([m["Body"] for m in msgs], ["kept"])
            second.stop()


class TestMigrationFromV1(unittest.TestCase):
    def test_v1_dir_is_migrated_once_with_its_messages(self):
        with harness.DataDir("runnel-v1-") as dd:
            os.makedirs(dd.path)
            db = sqlite3.connect(os.path.join(dd.path, "runnel.db"))
            with open(V1_DUMP) as f:
                db.executescript(f.read())
            db.close()
            srv = dd.start()
            if not os.path.isdir(os.path.join(dd.path, "log")):
                self.skipTest("the store of this build writes no log: the log engine is not in it")
            self.assertEqual(read_format(dd.path), "runnel-store 2\n")
            srv.stop()
            db = sqlite3.connect(os.path.join(dd.path, "runnel.db"))
            tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            db.close()
            self.assertNotIn("messages", tables, "the format 1 messages table outlived the migration")
            out = harness.run_command(["check", "--data-dir", dd.path])
            self.assertEqual(out.returncode, 0, out.stdout)
            self.assertIn("messages: 8 live", out.stdout)
            srv = dd.start()  # a second start migrates nothing again
            c = srv.client()
            std = c.get_queue_url(QueueName="v1-std")["QueueUrl"]
            fifo = c.get_queue_url(QueueName="v1.fifo")["QueueUrl"]
            got = drain(c, std)
            self.assertEqual(sorted(m["Body"] for m in got), ["std-1", "std-2", "std-3", "std-4"])
            by_body = {m["Body"]: m for m in got}
            self.assertEqual(by_body["std-1"]["MessageId"], "cdc88a36-3606-41eb-b1a0-adc57ad9c0b0")
            self.assertEqual(by_body["std-1"]["Attributes"]["ApproximateReceiveCount"], "2")
            self.assertEqual(by_body["std-3"]["Attributes"]["ApproximateReceiveCount"], "1")
            self.assertEqual(by_body["std-2"]["MessageAttributes"]["n"],
                             {"DataType": "Number", "StringValue": "2"})
            self.assertEqual([m["Body"] for m in drain(c, fifo)], ["fifo-%d" % i for i in range(4)])
            srv.stop()


if __name__ == "__main__":
    unittest.main()
