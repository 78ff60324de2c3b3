# SPDX-License-Identifier: MIT
"""What the kill -9 crash tests share: the round loop over one data dir with
its "N passed, N failed" summary, writer threads stopped by a SIGKILL at a
random moment, and draining a queue after the restart."""
import os
import random
import shutil
import sys
import tempfile
import threading
import time
import traceback

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
import harness  # noqa: E402  (re-exported for the tests)

ROUNDS = int(os.environ.get("CRASH_ROUNDS", "5"))
# What a client sees when the server it is talking to is killed.
GONE = (harness.botocore.exceptions.ConnectionError, harness.botocore.exceptions.HTTPClientError)
_servers = []


def serve(data, extra=()):
    """Starts a server on data (with extra arguments); run() kills it if a
    round raises before stopping it."""
    srv = harness.Server(data, extra).start()
    _servers.append(srv)
    return srv


def load_then_kill(srv, writers, rnd):
    """Calls each writer in its own thread with n = 0, 1, 2 ... (it makes
    the n-th write and returns what the server acknowledged, or None when it
    refused it), kills the server after 0.3-1.5 s and waits for the threads.
    Returns (acknowledgements of all writers, held): held is False, after
    printing why, when no write was acknowledged or a writer raised anything
    but the lost connection that ends it after the kill."""
    killed = threading.Event()
    acked, problems = [], []
    lock = threading.Lock()

    def loop(write):
        n = 0
        try:
            while not killed.is_set():
                ack = write(n)
                n += 1
                if ack is not None:
                    with lock:
                        acked.append(ack)
        except GONE:
            if not killed.is_set():
                problems.append("writer lost its connection before the kill:\n" + traceback.format_exc())
        except Exception:
            problems.append("writer raised:\n" + traceback.format_exc())

    threads = [threading.Thread(target=loop, args=(w,)) for w in writers]
    for t in threads:
        t.start()
    time.sleep(rnd.uniform(0.3, 1.5))
    killed.set()
    srv.kill()
    for t in threads:
        t.join()
    if not acked:
        problems.append("no write was acknowledged before the kill")
    for p in problems:
        print(p)
    return acked, not problems


def drain(client, url, parse=lambda body: body):
    """Receives and deletes until two empty receives; returns the parsed bodies in order."""
    seen = []
    empty = 0
    while empty < 2:
        r = client.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=300, WaitTimeSeconds=0)
        msgs = r.get("Messages", [])
        if not msgs:
            empty += 1
            continue
        empty = 0
        for m in msgs:
            seen.append(parse(m["Body"]))
            client.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    return seen


def received_as_acked(rnd_i, checks):
    """checks: (name, acknowledged bodies, received bodies) per queue. Every
    acknowledged body must be received exactly once; prints what is not.
    Returns True when all held."""
    ok = True
    for name, acks, got in checks:
        missing = set(acks) - set(got)
        dups = len(got) - len(set(got))
        if missing or dups:
            ok = False
            print("round %d %s: %d acked, %d received, %d missing, %d duplicated" % (
                rnd_i, name, len(acks), len(got), len(missing), dups))
    return ok


def fifo_in_order(rnd_i, bodies):
    """bodies "GROUP-N" as received: N must rise within each group; prints
    a group out of order. Returns True when all were in order."""
    per = {}
    for b in bodies:
        g, n = b.rsplit("-", 1)
        per.setdefault(g, []).append(int(n))
    ok = True
    for g, ns in per.items():
        if ns != sorted(ns):
            ok = False
            print("round %d: group %s out of order" % (rnd_i, g))
    return ok


def run(prefix, round_fn):
    """Calls round_fn(data_dir, round_index, rnd) ROUNDS times on one data
    dir; it returns True when the round held. A round that raises counts as
    failed and ends the run with its traceback; the summary line is printed
    either way. Returns the exit status."""
    tmp = tempfile.mkdtemp(prefix=prefix)
    data = os.path.join(tmp, "data")
    passed = failed = 0
    rnd = random.Random(int(os.environ.get("CRASH_SEED", "0")) or None)
    try:
        for i in range(ROUNDS):
            ok = False
            try:
                ok = round_fn(data, i, rnd)
            finally:
                if ok:
                    passed += 1
                else:
                    failed += 1
    finally:
        for srv in _servers:
            if srv.proc:
                srv.proc.kill()
                srv.proc.wait()
        shutil.rmtree(tmp, ignore_errors=True)
        print("%d passed, %d failed" % (passed, failed), flush=True)
    return 1 if failed else 0
