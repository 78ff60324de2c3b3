# SPDX-License-Identifier: MIT
"""EventBridge crash test: clients PutEvents with acknowledgements onto a bus
whose rule fans out to two SQS queues (one FIFO), while runnel is killed with
SIGKILL at random moments, repeatedly. After each restart every acknowledged
event must be in both queues exactly once (FIFO in order), the bus, rule and
targets must still be there, and a pending retry survives the crash too."""
import json
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


def worker(server, wid, acked, stop):
    ev = server.client("events", read_timeout=5)
    n = 0
    while not stop.is_set():
        try:
            r = ev.put_events(Entries=[{"Source": "shop", "DetailType": "Order Created", "EventBusName": "orders",
                                        "Detail": json.dumps({"w": wid, "n": n})}])
            if r["FailedEntryCount"] == 0:
                acked.append((wid, n, r["Entries"][0]["EventId"]))
            n += 1
        except Exception:
            return


def drain(client, url):
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
            seen.append(json.loads(m["Body"]))
            client.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    return seen


def setup(srv):
    sqs, ev = srv.client(), srv.client("events")
    urls = {}
    arns = {}
    for name, attrs in (("ev-std", {}), ("ev.fifo", {"FifoQueue": "true", "ContentBasedDeduplication": "true"})):
        urls[name] = sqs.create_queue(QueueName=name, Attributes=attrs)["QueueUrl"]
        arns[name] = sqs.get_queue_attributes(QueueUrl=urls[name], AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    ev.create_event_bus(Name="orders")
    ev.put_rule(Name="fan-out", EventBusName="orders", EventPattern='{"source": ["shop"]}')
    ev.put_targets(Rule="fan-out", EventBusName="orders", Targets=[
        {"Id": "std", "Arn": arns["ev-std"]},
        {"Id": "fifo", "Arn": arns["ev.fifo"], "SqsParameters": {"MessageGroupId": "g"}}])
    return urls


def main():
    tmp = tempfile.mkdtemp(prefix="runnel-evcrash-")
    data = os.path.join(tmp, "data")
    passed = failed = 0
    rnd = random.Random(int(os.environ.get("CRASH_SEED", "0")) or None)
    urls = None
    try:
        for rnd_i in range(ROUNDS):
            srv = harness.Server(data).start()
            if urls is None:
                urls = setup(srv)
            acked = []
            stop = threading.Event()
            threads = [threading.Thread(target=worker, args=(srv, "%d_%d" % (rnd_i, i), acked, stop))
                       for i in range(6)]
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
            ok = True
            rules = srv2.client("events").list_targets_by_rule(Rule="fan-out", EventBusName="orders")["Targets"]
            if len(rules) != 2:
                ok = False
                print("round %d: targets lost: %s" % (rnd_i, rules))
            want = {a[2] for a in acked}
            for name in ("ev-std", "ev.fifo"):
                got = drain(c2, urls[name])
                ids = [g["id"] for g in got]
                missing = want - set(ids)
                dups = len(ids) - len(set(ids))
                if missing or dups:
                    ok = False
                    print("round %d %s: %d acked, %d received, %d missing, %d duplicated" % (
                        rnd_i, name, len(want), len(ids), len(missing), dups))
                if name == "ev.fifo":
                    per = {}
                    for g in got:
                        per.setdefault(g["detail"]["w"], []).append(g["detail"]["n"])
                    if any(ns != sorted(ns) for ns in per.values()):
                        ok = False
                        print("round %d: FIFO order broken" % rnd_i)
            srv2.stop()
            print("%s round %d: %d acknowledged events reached both queues after kill -9" % (
                "ok  " if ok else "FAIL", rnd_i, len(want)), flush=True)
            passed += ok
            failed += not ok
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
