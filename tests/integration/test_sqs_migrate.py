# SPDX-License-Identifier: MIT
"""SQS messages written by the first store layout (a data dir with only
runnel.db, every message a row whose meta text holds its sender, trace
header, group and dedup ids, dead-letter source and attributes) are read
back whole after an upgrade, and again after a further restart (SQS records
them in the split form: the index in RAM, the rest in the store)."""
import hashlib
import os
import shutil
import sqlite3
import tempfile
import time
import unittest

import harness

V1_MESSAGES = """CREATE TABLE IF NOT EXISTS messages(seq INTEGER PRIMARY KEY, qid INTEGER NOT NULL, id TEXT NOT NULL,
 body BLOB NOT NULL, meta TEXT NOT NULL, sent INTEGER NOT NULL, visible INTEGER NOT NULL,
 rc INTEGER NOT NULL, first INTEGER NOT NULL)"""

STD_ID = "0b1c2d3e-4f50-4617-8899-aabbccddeeff"
FIFO_ID = "1b1c2d3e-4f50-4617-8899-aabbccddeeff"
ESC_ID = "2b1c2d3e-4f50-4617-8899-aabbccddeeff"


class TestV1Messages(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="runnel-v1-")
        self.data = os.path.join(self.tmp, "data")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def make_v1(self):
        """Queues made by the server, then the data dir turned into the first
        layout: no FORMAT file, no log, messages as rows of runnel.db."""
        srv = harness.Server(self.data).start()
        c = srv.client()
        c.create_queue(QueueName="old")
        c.create_queue(QueueName="old.fifo", Attributes={"FifoQueue": "true"})
        c.create_queue(QueueName="src")
        srv.stop()
        os.remove(os.path.join(self.data, "FORMAT"))
        shutil.rmtree(os.path.join(self.data, "log"), ignore_errors=True)
        db = sqlite3.connect(os.path.join(self.data, "runnel.db"))
        qid = dict((name, q) for q, name in db.execute("SELECT qid, name FROM queues"))
        db.execute(V1_MESSAGES)
        t0 = int(time.time() * 1000) - 60000  # within the queues' retention
        self.t0 = t0
        rows = [
            (101, qid["old"], STD_ID, b"standard body",
             '{"s":"AIDAOLDSENDER","t":"Root=1-5759e988-bd862e3fe1be46a994272793","src":"arn:aws:sqs:us-east-1:'
             '000000000000:src","a":{"color":{"DataType":"String","StringValue":"blue"},'
             '"blob":{"DataType":"Binary","BinaryValue":"AAEC"}}}', t0, 0, 2, t0 + 1000),
            (102, qid["old.fifo"], FIFO_ID, b"fifo body", '{"s":"000000000000","g":"grp-1","d":"dedup-1"}',
             t0 + 500, 0, 0, 0),
            (103, qid["old"], ESC_ID, b"escaped meta", '{"s":"a\\"quoted\\" sender"}', t0 + 2000, 0, 0, 0),
        ]
        db.executemany("INSERT INTO messages VALUES(?,?,?,?,?,?,?,?,?)", rows)
        db.commit()
        db.close()

    def receive_all(self, c, name, n):
        url = c.get_queue_url(QueueName=name)["QueueUrl"]
        # AttributeNames "All" covers the system attributes (older botocore has no MessageSystemAttributeNames)
        got = c.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0,
                                AttributeNames=["All"], MessageAttributeNames=["All"]).get("Messages", [])
        self.assertEqual(len(got), n, got)
        return dict((m["MessageId"], m) for m in got)

    def check(self, c, receives):
        std = self.receive_all(c, "old", 2)
        m = std[STD_ID]
        self.assertEqual(m["Body"], "standard body")
        self.assertEqual(m["MD5OfBody"], hashlib.md5(b"standard body").hexdigest())
        a = m["Attributes"]
        self.assertEqual(a["SenderId"], "AIDAOLDSENDER")
        self.assertEqual(a["SentTimestamp"], str(self.t0))
        self.assertEqual(a["ApproximateFirstReceiveTimestamp"], str(self.t0 + 1000))
        self.assertEqual(a["ApproximateReceiveCount"], str(2 + receives))
        self.assertEqual(a["AWSTraceHeader"], "Root=1-5759e988-bd862e3fe1be46a994272793")
        self.assertEqual(a["DeadLetterQueueSourceArn"], "arn:aws:sqs:us-east-1:000000000000:src")
        self.assertEqual(m["MessageAttributes"]["color"], {"DataType": "String", "StringValue": "blue"})
        self.assertEqual(m["MessageAttributes"]["blob"]["BinaryValue"], b"\x00\x01\x02")
        self.assertEqual(len(m["MD5OfMessageAttributes"]), 32)
        self.assertEqual(std[ESC_ID]["Attributes"]["SenderId"], 'a"quoted" sender')
        self.assertNotIn("MessageAttributes", std[ESC_ID])
        fifo = self.receive_all(c, "old.fifo", 1)[FIFO_ID]
        self.assertEqual(fifo["Body"], "fifo body")
        self.assertEqual(fifo["Attributes"]["MessageGroupId"], "grp-1")
        self.assertEqual(fifo["Attributes"]["MessageDeduplicationId"], "dedup-1")
        return m["MD5OfMessageAttributes"]

    def test_v1_messages_read_back_after_upgrade_and_restart(self):
        self.make_v1()
        srv = harness.Server(self.data).start()
        try:
            md5_attrs = self.check(srv.client(), 1)
        finally:
            srv.stop()
        self.assertTrue(os.path.exists(os.path.join(self.data, "FORMAT")))
        srv = harness.Server(self.data).start()  # now from the split records
        try:
            self.assertEqual(self.check(srv.client(), 2), md5_attrs)
        finally:
            srv.stop()


if __name__ == "__main__":
    unittest.main()
