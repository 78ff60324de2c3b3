# SPDX-License-Identifier: MIT
"""Disk faults against the durable log engine, as SQLite tests them: through
the store's I/O layer (src/store/io.c) a running server is made to fail its
writes (ENOSPC), its syncs (EIO), the open of a new segment, its reads and
SQLite's writes (POST /_runnel/fault, allowed with --enable-reset). Each test checks that
the call in the fault gets SQS's 500 error, that nothing stored before is
lost or corrupted (after a kill -9 too), and that once the fault is cleared
every acknowledged message is received exactly once. Then `runnel check` on
data dirs: sound, with a torn tail (sound; the server cuts it), and with a
flipped byte (not sound, naming the file and offset).

These need the log engine (DATA/log/); on a build whose store has none they
are skipped, saying so."""
import glob
import json
import os
import struct
import unittest
import urllib.error
import urllib.request

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

import harness

SEG_HDR, FRAME_HDR, FRAME_MAGIC = 32, 24, 0x4D52464E  # src/store/logfmt.h


def fault(server, spec):
    """Sets the server's store I/O faults ("" clears them); the hit count."""
    req = urllib.request.Request(server.endpoint + "/_runnel/fault", data=spec.encode(), method="POST")
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())["hits"]


def fault_hits(server):
    with urllib.request.urlopen(server.endpoint + "/_runnel/fault", timeout=10) as r:
        return json.loads(r.read())["hits"]


def check(data_dir):
    """runnel check --data-dir: (exit status, output)."""
    out = harness.run_command(["check", "--data-dir", data_dir])
    return out.returncode, out.stdout + out.stderr


def segments(data_dir):
    return sorted(glob.glob(os.path.join(data_dir, "log", "*.seg")))


def frames(path):
    """(offset, length) of each frame of a segment file, walking the headers."""
    with open(path, "rb") as f:
        data = f.read()
    out, off = [], SEG_HDR
    while off + FRAME_HDR <= len(data):
        magic, plen = struct.unpack_from("<II", data, off)
        if magic != FRAME_MAGIC or off + FRAME_HDR + plen > len(data):
            break
        out.append((off, FRAME_HDR + plen))
        off += FRAME_HDR + plen
    return out


class FaultCase(unittest.TestCase):
    """A data dir per test, a server on it with --enable-reset."""

    SEGMENT_BYTES = None  # RUNNEL_LOG_SEGMENT_BYTES for the server, when set

    def setUp(self):
        self.dd = harness.DataDir("runnel-faults-")
        self.addCleanup(self.dd.__exit__, None, None, None)
        self.srv = self.start()
        if not os.path.isdir(os.path.join(self.dd.path, "log")):
            self.skipTest("the store of this build writes no log (DATA/log/): the log engine is not in it")

    def start(self):
        extra = {"RUNNEL_LOG_SEGMENT_BYTES": self.SEGMENT_BYTES} if self.SEGMENT_BYTES else {}
        with harness.environ(**extra):
            return self.dd.start(["--enable-reset"])

    def restart(self, kill=True):
        """kill -9 (or SIGTERM) and start again on the same dir."""
        if kill:
            self.srv.kill()
        else:
            self.srv.stop()
        self.srv = self.start()
        return self.srv

    def client(self, srv=None):
        """An SQS client that sends each call once: botocore's retries
        (max_attempts counts retries in its legacy mode) would resend a call
        the 500 answered, making two messages of one send."""
        cfg = Config(retries={"total_max_attempts": 1}, read_timeout=30, connect_timeout=5)
        return boto3.client("sqs", endpoint_url=(srv or self.srv).endpoint, region_name="us-east-1",
                            aws_access_key_id="test", aws_secret_access_key="test", config=cfg)

    def assert_internal_error(self, err):
        """SQS's 500: InternalFailure (AWS's common error for an unknown
        failure inside the service)."""
        self.assertEqual(err.response["ResponseMetadata"]["HTTPStatusCode"], 500, err.response)
        self.assertEqual(err.response["Error"]["Code"], "InternalFailure", err.response)

    def send(self, c, url, body):
        """True when acknowledged, False on the 500 (anything else raises)."""
        try:
            c.send_message(QueueUrl=url, MessageBody=body)
            return True
        except ClientError as e:
            self.assert_internal_error(e)
            return False

    def drain(self, c, url):
        seen, empty = [], 0
        while empty < 2:
            msgs = c.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=300,
                                     WaitTimeSeconds=0).get("Messages", [])
            if not msgs:
                empty += 1
                continue
            empty = 0
            for m in msgs:
                seen.append(m["Body"])
                c.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        return seen

    def assert_exactly_once(self, got, acked, failed):
        """Every acknowledged body once; a body whose send failed with the 500
        at most once (a 500 is an ambiguous outcome, as in AWS); nothing else."""
        self.assertEqual(len(got), len(set(got)), "duplicates received")
        missing = set(acked) - set(got)
        self.assertFalse(missing, "%d acknowledged messages lost, e.g. %s" % (len(missing), sorted(missing)[:3]))
        strangers = set(got) - set(acked) - set(failed)
        self.assertFalse(strangers, "received bodies never sent: %s" % sorted(strangers)[:3])

    def fault_round(self, spec, body_size=100):
        """Sends before, during and after the fault, kill -9, checks the dir,
        restarts and drains."""
        c = self.client()
        url = c.create_queue(QueueName="faults")["QueueUrl"]
        pad = "x" * body_size
        acked, failed = [], []
        for i in range(20):
            body = "before-%d-%s" % (i, pad)
            self.assertTrue(self.send(c, url, body), "a send before the fault failed")
            acked.append(body)
        hits0 = fault(self.srv, spec)
        for i in range(5):
            body = "during-%d-%s" % (i, pad)
            (acked if self.send(c, url, body) else failed).append(body)
        self.assertGreater(fault_hits(self.srv), hits0, "the fault never fired")
        self.assertEqual(len(failed), 5, "sends acknowledged while the disk failed every %s" % spec)
        fault(self.srv, "")
        for i in range(20):
            body = "after-%d-%s" % (i, pad)
            self.assertTrue(self.send(c, url, body), "a send after the fault was cleared failed")
            acked.append(body)
        self.srv.kill()
        status, out = check(self.dd.path)
        self.assertEqual(status, 0, out)
        c = self.client(self.restart(kill=False))
        self.assert_exactly_once(self.drain(c, url), acked, failed)


class TestWriteAndSyncFaults(FaultCase):
    def test_full_disk_fails_sends_with_500_and_recovers(self):
        self.fault_round("write:ENOSPC")

    def test_full_disk_mid_write_leaves_no_torn_frame_behind(self):
        self.fault_round("write:ENOSPC:partial")

    def test_fdatasync_eio_fails_sends_with_500_and_recovers(self):
        self.fault_round("fdatasync:EIO")

    def test_transient_full_disk_is_retried(self):
        """Two failed writes, then space returns: every send is answered,
        and every acknowledged one survives a kill -9."""
        c = self.client()
        url = c.create_queue(QueueName="transient")["QueueUrl"]
        fault(self.srv, "write:ENOSPC:count=2")
        acked, failed = [], []
        for i in range(10):
            body = "m-%d" % i
            (acked if self.send(c, url, body) else failed).append(body)
        self.assertGreater(len(acked), 0)
        self.assertEqual(fault_hits(self.srv), 2)
        c = self.client(self.restart())
        self.assert_exactly_once(self.drain(c, url), acked, failed)


BIG = 20000  # body bytes: a few sends fill a 64 KiB segment


class TestSegmentRollFault(FaultCase):
    SEGMENT_BYTES = 1 << 16

    def test_open_eio_at_segment_roll_fails_sends_and_recovers(self):
        c = self.client()
        url = c.create_queue(QueueName="roll")["QueueUrl"]
        pad = "r" * BIG
        acked, failed = [], []
        before = len(segments(self.dd.path))
        fault(self.srv, "open:EIO:path=.seg")
        for i in range(100):  # 2 MB: many rolls at 64 KiB
            body = "m-%d-%s" % (i, pad)
            (acked if self.send(c, url, body) else failed).append(body)
            if failed:
                break
        self.assertTrue(acked, "sends failed before any segment had to roll")
        self.assertTrue(failed, "no send failed though no new segment could be opened "
                                "(RUNNEL_LOG_SEGMENT_BYTES not honoured?)")
        self.assertEqual(len(segments(self.dd.path)), before, "a segment was created through the fault")
        fault(self.srv, "")
        for i in range(5):
            body = "after-%d" % i
            self.assertTrue(self.send(c, url, body), "a send after the fault was cleared failed")
            acked.append(body)
        self.assertGreater(len(segments(self.dd.path)), before)
        c = self.client(self.restart())
        self.assert_exactly_once(self.drain(c, url), acked, failed)


class TestReadFault(FaultCase):
    def test_pread_eio_on_receive_is_500_and_the_message_stays(self):
        c = self.client()
        url = c.create_queue(QueueName="reads", Attributes={"VisibilityTimeout": "1"})["QueueUrl"]
        bodies = ["body-%d" % i for i in range(3)]
        for b in bodies:
            c.send_message(QueueUrl=url, MessageBody=b)
        c = self.client(self.restart())  # bodies now come from the segment files only
        fault(self.srv, "pread:EIO")
        try:
            c.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
            if fault_hits(self.srv) == 0:
                self.skipTest("this build's SQS keeps bodies in RAM: a receive reads nothing from the log")
            self.fail("a receive whose body read failed was answered 200")
        except ClientError as e:
            self.assert_internal_error(e)
        self.assertGreater(fault_hits(self.srv), 0)
        fault(self.srv, "")
        got = []
        for _ in range(20):  # a message the failed receive hid comes back after 1 s
            for m in c.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                       VisibilityTimeout=300).get("Messages", []):
                got.append(m["Body"])
                c.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
            if len(got) >= len(bodies):
                break
        self.assertEqual(sorted(got), sorted(bodies))


class TestCheckCommand(FaultCase):
    def fill(self, n=12, delete=4):
        """n sends, each its own loop turn (frame), the first `delete` deleted."""
        c = self.client()
        url = c.create_queue(QueueName="checked")["QueueUrl"]
        bodies = ["c-%d" % i for i in range(n)]
        for b in bodies:
            c.send_message(QueueUrl=url, MessageBody=b)
        msgs = []
        while len(msgs) < delete:
            msgs += c.receive_message(QueueUrl=url, MaxNumberOfMessages=delete - len(msgs),
                                      VisibilityTimeout=300).get("Messages", [])
        for m in msgs:
            c.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        return url, [b for b in bodies if b not in {m["Body"] for m in msgs}]

    def test_check_on_a_sound_dir(self):
        _, live = self.fill()
        self.srv.stop()
        status, out = check(self.dd.path)
        self.assertEqual(status, 0, out)
        self.assertIn("result: sound", out)
        self.assertIn("messages: %d live" % len(live), out)
        self.assertIn("tail: clean", out)
        self.assertIn("format: 2", out)

    def test_check_on_a_torn_tail_then_the_server_cuts_it(self):
        url, live = self.fill()
        self.srv.kill()
        seg = segments(self.dd.path)[-1]
        last = frames(seg)[-1]
        os.truncate(seg, last[0] + last[1] - 3)  # the last frame cut short
        status, out = check(self.dd.path)
        self.assertEqual(status, 0, out)
        self.assertIn("tail: torn", out)
        self.assertIn(os.path.basename(seg), out)
        self.assertIn("offset %d" % last[0], out)
        c = self.client(self.start())
        self.srv = self.dd.servers[-1]
        got = self.drain(c, url)
        self.assertEqual(len(got), len(set(got)))
        self.assertTrue(set(got) <= set(live))
        self.srv.stop()
        status, out = check(self.dd.path)
        self.assertEqual(status, 0, out)
        self.assertIn("tail: clean", out)

    def test_check_on_a_flipped_byte_names_file_and_offset(self):
        self.fill()
        self.srv.stop()
        seg = segments(self.dd.path)[-1]
        fr = frames(seg)
        self.assertGreaterEqual(len(fr), 3, "too few frames to damage a middle one")
        off, length = fr[len(fr) // 2]
        with open(seg, "r+b") as f:
            f.seek(off + FRAME_HDR + 5)
            b = f.read(1)
            f.seek(off + FRAME_HDR + 5)
            f.write(bytes([b[0] ^ 0x01]))
        status, out = check(self.dd.path)
        self.assertEqual(status, 1, out)
        self.assertIn("result: NOT SOUND", out)
        self.assertIn("%s: bad frame" % os.path.basename(seg), out)
        self.assertIn("at offset %d" % off, out)
        # good frames follow the bad one: the server refuses the log rather
        # than cut them as a torn tail (they were acknowledged)
        with self.assertRaises(harness.ServerFailed) as cm:
            self.start()
        self.assertIn(os.path.basename(seg), str(cm.exception))
        self.assertIn("offset %d" % off, str(cm.exception))
        self.assertIn("not a torn tail", str(cm.exception))


class TestCheckSegments(FaultCase):
    SEGMENT_BYTES = 1 << 16

    def test_bad_frame_in_an_earlier_segment_stops_the_server(self):
        c = self.client()
        url = c.create_queue(QueueName="segs")["QueueUrl"]
        for i in range(100):
            c.send_message(QueueUrl=url, MessageBody="s-%d-%s" % (i, "y" * BIG))
            if len(segments(self.dd.path)) >= 3:
                break
        self.srv.stop()
        segs = segments(self.dd.path)
        self.assertGreaterEqual(len(segs), 3, "2 MB of sends did not make the log roll (RUNNEL_LOG_SEGMENT_BYTES?)")
        first = segs[0]
        off, _ = frames(first)[0]
        with open(first, "r+b") as f:
            f.seek(off + FRAME_HDR + 1)
            b = f.read(1)
            f.seek(off + FRAME_HDR + 1)
            f.write(bytes([b[0] ^ 0x10]))
        status, out = check(self.dd.path)
        self.assertEqual(status, 1, out)
        self.assertIn(os.path.basename(first), out)
        self.assertIn("offset %d" % off, out)
        # a sealed segment is read from its index file at start, so damage
        # inside it is runnel check's to find; without the index, the scan
        # finds it and the server refuses the log, naming file and offset
        idx = os.path.splitext(first)[0] + ".idx"
        self.assertTrue(os.path.exists(idx), "no index file for a sealed segment")
        os.unlink(idx)
        with self.assertRaises(harness.ServerFailed) as cm:
            self.start()
        self.assertIn(os.path.basename(first), str(cm.exception))
        self.assertIn(str(off), str(cm.exception))


class TestSegmentIndexes(FaultCase):
    """A sealed segment gets an index file (its records without bodies) that
    recovery reads instead of the segment; a bad or missing index only costs
    a scan of the segment, never a message."""
    SEGMENT_BYTES = 1 << 16

    def state(self, c, url):
        """Every message's body, receive count and attributes, without
        consuming it (receive, then make it visible again)."""
        out, empty, handles = {}, 0, []
        while empty < 2:
            msgs = c.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=600,
                                     AttributeNames=["ApproximateReceiveCount"],
                                     MessageAttributeNames=["All"]).get("Messages", [])
            if not msgs:
                empty += 1
                continue
            empty = 0
            for m in msgs:
                out[m["Body"][:20]] = (len(m["Body"]), m["MD5OfBody"],
                                       m["MessageAttributes"]["n"]["StringValue"])
                handles.append(m["ReceiptHandle"])
        for h in handles:  # visible again for the next reader (visibility survives restarts)
            c.change_message_visibility(QueueUrl=url, ReceiptHandle=h, VisibilityTimeout=0)
        return out

    def test_indexes_written_used_and_not_trusted_blindly(self):
        c = self.client()
        url = c.create_queue(QueueName="indexed")["QueueUrl"]
        sent = {}
        for i in range(40):
            body = "ix-%03d-%s" % (i, "z" * (3000 + 97 * i))
            c.send_message(QueueUrl=url, MessageBody=body,
                           MessageAttributes={"n": {"DataType": "Number", "StringValue": str(i)}})
            sent[body[:20]] = len(body)
        got = []
        while len(got) < 3:  # deleted: must stay deleted whichever way the log is read
            got += c.receive_message(QueueUrl=url, MaxNumberOfMessages=3 - len(got),
                                     VisibilityTimeout=600).get("Messages", [])
        for m in got:
            c.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
            del sent[m["Body"][:20]]
        self.srv.stop()
        segs = segments(self.dd.path)
        self.assertGreaterEqual(len(segs), 3, "the sends did not roll the log")
        idx = sorted(glob.glob(os.path.join(self.dd.path, "log", "*.idx")))
        # every segment but the last has its index, and only those
        self.assertEqual([os.path.basename(p)[:10] for p in idx], [os.path.basename(p)[:10] for p in segs[:-1]])
        for p, seg in zip(idx, segs):
            self.assertLess(os.path.getsize(p), os.path.getsize(seg) // 4, "an index holds no bodies")

        def reopen_and_read(indexed):
            srv = self.start()
            self.srv = self.dd.servers[-1]
            self.assertIn("segments (%d from their index files)" % indexed, srv.output())
            c2 = self.client(srv)
            st = self.state(c2, url)
            self.srv.stop()
            return st

        with_idx = reopen_and_read(len(idx))
        self.assertEqual(set(with_idx), set(sent))
        self.assertTrue(all(v[0] == sent[k] for k, v in with_idx.items()))
        # a damaged index: recovery must notice and read the segment instead
        with open(idx[0], "r+b") as f:
            f.seek(60)
            b = f.read(1)
            f.seek(60)
            f.write(bytes([b[0] ^ 0x40]))
        self.assertEqual(reopen_and_read(len(idx) - 1), with_idx)
        # an index of another length than its segment, and indexes gone
        with open(idx[1], "ab") as f:
            f.write(b"\0" * 16)
        self.assertEqual(reopen_and_read(len(idx) - 2), with_idx)
        for p in glob.glob(os.path.join(self.dd.path, "log", "*.idx")):
            os.unlink(p)
        self.assertEqual(reopen_and_read(0), with_idx)
        status, out = check(self.dd.path)
        self.assertEqual(status, 0, out)


class TestSqliteFault(FaultCase):
    def test_sqlite_write_failure_loses_no_acknowledged_queue_state(self):
        """Queue records reach SQLite after the log made them durable: a
        SQLite that cannot write must not lose what was acknowledged; the
        log re-applies it after a kill -9."""
        c = self.client()
        fault(self.srv, "write:EIO:path=runnel.db")
        urls, acked = {}, []
        for i in range(3):
            name = "sq-%d" % i
            try:
                urls[name] = c.create_queue(QueueName=name, Attributes={"VisibilityTimeout": str(40 + i)})["QueueUrl"]
            except ClientError as e:
                self.assert_internal_error(e)
                continue
            if self.send(c, urls[name], "in-" + name):
                acked.append((name, "in-" + name))
        self.assertEqual(len(urls), 3, "queues refused though the log took them")
        self.assertEqual(len(acked), 3)
        self.assertGreater(fault_hits(self.srv), 0, "no SQLite write was attempted under the fault")
        fault(self.srv, "")
        self.srv.kill()
        status, out = check(self.dd.path)
        self.assertEqual(status, 0, out)
        c = self.client(self.start())
        self.srv = self.dd.servers[-1]
        for name in sorted(urls):
            url = c.get_queue_url(QueueName=name)["QueueUrl"]
            attrs = c.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout"])["Attributes"]
            self.assertEqual(attrs["VisibilityTimeout"], str(40 + int(name[-1])))
        for name, body in acked:
            self.assertEqual(self.drain(c, c.get_queue_url(QueueName=name)["QueueUrl"]), [body])


class TestFaultEndpoint(unittest.TestCase):
    """The switch itself, on any store."""

    def test_fault_endpoint_needs_enable_reset_and_a_good_spec(self):
        with harness.DataDir("runnel-faultep-") as dd:
            srv = dd.start()
            with self.assertRaises(urllib.error.HTTPError) as cm:
                fault(srv, "write:EIO")
            self.assertEqual(cm.exception.code, 403)
            srv.stop()
            srv = dd.start(["--enable-reset"])
            with self.assertRaises(urllib.error.HTTPError) as cm:
                fault(srv, "write:EWHAT")
            self.assertEqual(cm.exception.code, 400)
            self.assertIn("EWHAT", cm.exception.read().decode())
            self.assertEqual(fault(srv, "write:EIO:path=no-such-file"), 0)
            self.assertEqual(fault(srv, ""), 0)
            srv.stop()

    def test_bad_runnel_fault_env_refuses_to_start(self):
        with harness.environ(RUNNEL_FAULT="write:EIO:after=x"):
            out = harness.run_command(["serve", "--port", "0", "--in-memory"])
        self.assertEqual(out.returncode, 2, out.stderr)
        self.assertIn("RUNNEL_FAULT", out.stderr)


class TestFaultFromEnvironment(FaultCase):
    def test_runnel_fault_at_start_fails_sends_until_restarted_without(self):
        c = self.client()
        url = c.create_queue(QueueName="envq")["QueueUrl"]
        c.send_message(QueueUrl=url, MessageBody="kept")
        self.srv.stop()
        with harness.environ(RUNNEL_FAULT="write:ENOSPC:path=.seg"):
            srv = self.dd.start(["--enable-reset"])
        self.assertFalse(self.send(self.client(srv), url, "lost"), "a send was acknowledged on a full disk")
        self.assertGreater(fault_hits(srv), 0)
        srv.kill()
        c = self.client(self.start())
        self.srv = self.dd.servers[-1]
        got = self.drain(c, url)
        self.assertIn("kept", got)
        self.assertEqual(len(got), len(set(got)))


if __name__ == "__main__":
    unittest.main()
