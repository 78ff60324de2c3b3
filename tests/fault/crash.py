# SPDX-License-Identifier: MIT
"""Crash test: clients send (and delete) with acknowledgements while runnel is
killed with SIGKILL at random moments, repeatedly. After each restart every
acknowledged message must be there exactly once, no acknowledged delete may
come back, and FIFO order per group must hold."""
import os
import random
import shutil
import signal
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
import harness  # noqa: E402

ROUNDS = int(os.environ.get("CRASH_ROUNDS", "5"))


def worker(server, url, fifo, group, acked, deleted, stop):
    c = server.client(read_timeout=5)
    n = 0
    while not stop.is_set():
        body = "%s-%d" % (group, n)
        try:
            kw = {"MessageGroupId": group, "MessageDeduplicationId": body} if fifo else {}
            c.send_message(QueueUrl=url, MessageBody=body, **kw)
            acked.append(body)
            n += 1
        except Exception:
            return


def drain(client, url, fifo):
    seen = []
    empty = 0
    while empty < 2:
        r = client.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=300,
                                   WaitTimeSeconds=0)
        msgs = r.get("Messages", [])
        if not msgs:
            empty += 1
            continue
        empty = 0
        for m in msgs:
            seen.append(m["Body"])
            client.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    return seen


def main():
    tmp = tempfile.mkdtemp(prefix="runnel-crash-")
    data = os.path.join(tmp, "data")
    passed = failed = 0
    rnd = random.Random(int(os.environ.get("CRASH_SEED", "0")) or None)
    try:
        for rnd_i in range(ROUNDS):
            srv = harness.Server(data).start()
            c = srv.client()
            std = c.create_queue(QueueName="crash-std")["QueueUrl"]
            fifo = c.create_queue(QueueName="crash.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
            # previous rounds were drained; start from empty queues
            acked = {"std": [], "fifo": []}
            stop = threading.Event()
            threads = []
            for i in range(4):
                threads.append(threading.Thread(target=worker, args=(srv, std, False, "s%d_%d" % (rnd_i, i),
                                                                     acked["std"], None, stop)))
            for i in range(3):
                threads.append(threading.Thread(target=worker, args=(srv, fifo, True, "g%d_%d" % (rnd_i, i),
                                                                     acked["fifo"], None, stop)))
            for t in threads:
                t.start()
            time.sleep(rnd.uniform(0.3, 1.5))
            srv.proc.send_signal(signal.SIGKILL)
            srv.proc.wait()
            stop.set()
            for t in threads:
                t.join()
            srv2 = harness.Server(data).start()
            c2 = srv2.client()
            got_std = drain(c2, std, False)
            got_fifo = drain(c2, fifo, True)
            ok = True
            for name, acks, got in (("standard", acked["std"], got_std), ("fifo", acked["fifo"], got_fifo)):
                missing = set(acks) - set(got)
                dups = len(got) - len(set(got))
                if missing or dups:
                    ok = False
                    print("round %d %s: %d acked, %d received, %d missing, %d duplicated" % (
                        rnd_i, name, len(acks), len(got), len(missing), dups))
            # FIFO order per group
            per = {}
            for b in got_fifo:
                g, n = b.rsplit("-", 1)
                per.setdefault(g, []).append(int(n))
            for g, ns in per.items():
                if ns != sorted(ns):
                    ok = False
                    print("round %d: group %s out of order" % (rnd_i, g))
            # deleted messages stay deleted across another crash
            srv2.proc.send_signal(signal.SIGKILL)
            srv2.proc.wait()
            srv3 = harness.Server(data).start()
            c3 = srv3.client()
            again = drain(c3, std, False) + drain(c3, fifo, True)
            if again:
                ok = False
                print("round %d: %d deleted messages came back" % (rnd_i, len(again)))
            srv3.stop()
            print("%s round %d: %d standard + %d fifo acknowledged sends survived kill -9" % (
                "ok  " if ok else "FAIL", rnd_i, len(acked["std"]), len(acked["fifo"])), flush=True)
            if ok:
                passed += 1
            else:
                failed += 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
