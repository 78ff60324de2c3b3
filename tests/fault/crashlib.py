# SPDX-License-Identifier: MIT
"""What the kill -9 crash tests share: the round loop over one data dir with
its "N passed, N failed" summary, load threads stopped by a SIGKILL at a
random moment, and draining a queue after the restart."""
import os
import random
import shutil
import signal
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
import harness  # noqa: E402,F401  (re-exported for the tests)

ROUNDS = int(os.environ.get("CRASH_ROUNDS", "5"))


def kill(srv):
    srv.proc.send_signal(signal.SIGKILL)
    srv.proc.wait()


def load_then_kill(srv, workers, rnd):
    """Starts one thread per (target, args) in workers, each given a stop
    event as its last argument, kills the server after 0.3-1.5 s and waits
    for the threads (their calls fail once the server is gone)."""
    stop = threading.Event()
    threads = [threading.Thread(target=fn, args=args + (stop,)) for fn, args in workers]
    for t in threads:
        t.start()
    time.sleep(rnd.uniform(0.3, 1.5))
    kill(srv)
    stop.set()
    for t in threads:
        t.join()


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


def run(prefix, round_fn):
    """Calls round_fn(data_dir, round_index, rnd) ROUNDS times on one data
    dir; it returns True when the round held. Prints the summary line and
    returns the exit status."""
    tmp = tempfile.mkdtemp(prefix=prefix)
    data = os.path.join(tmp, "data")
    passed = failed = 0
    rnd = random.Random(int(os.environ.get("CRASH_SEED", "0")) or None)
    try:
        for i in range(ROUNDS):
            if round_fn(data, i, rnd):
                passed += 1
            else:
                failed += 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0
