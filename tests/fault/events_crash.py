# SPDX-License-Identifier: MIT
"""EventBridge crash test: clients PutEvents with acknowledgements onto a bus
whose rule fans out to two SQS queues (one FIFO), while runnel is killed with
SIGKILL at random moments, repeatedly. After each restart every acknowledged
event must be in both queues exactly once (FIFO in order), and the bus, rule
and targets must still be there."""
import json
import sys

from crashlib import drain, load_then_kill, run, serve

QUEUES = (("ev-std", {}), ("ev.fifo", {"FifoQueue": "true", "ContentBasedDeduplication": "true"}))


def putter(server, wid):
    """A writer for load_then_kill: the n-th event of writer wid; acknowledges its event id."""
    ev = server.client("events", read_timeout=5)

    def put(n):
        r = ev.put_events(Entries=[{"Source": "shop", "DetailType": "Order Created", "EventBusName": "orders",
                                    "Detail": json.dumps({"w": wid, "n": n})}])
        if r["FailedEntryCount"] != 0:
            raise AssertionError("PutEvents refused an event: %s" % r["Entries"])
        return r["Entries"][0]["EventId"]
    return put


def setup(srv):
    """The bus, rule and two queue targets, made in the first round only."""
    sqs, ev = srv.client(), srv.client("events")
    urls, arns = {}, {}
    for name, attrs in QUEUES:
        urls[name] = sqs.create_queue(QueueName=name, Attributes=attrs)["QueueUrl"]
        arns[name] = sqs.get_queue_attributes(QueueUrl=urls[name], AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    ev.create_event_bus(Name="orders")
    ev.put_rule(Name="fan-out", EventBusName="orders", EventPattern='{"source": ["shop"]}')
    ev.put_targets(Rule="fan-out", EventBusName="orders", Targets=[
        {"Id": "std", "Arn": arns["ev-std"]},
        {"Id": "fifo", "Arn": arns["ev.fifo"], "SqsParameters": {"MessageGroupId": "g"}}])


def one_round(data, rnd_i, rnd):
    srv = serve(data)
    if rnd_i == 0:
        setup(srv)
    sqs = srv.client()
    urls = {name: sqs.get_queue_url(QueueName=name)["QueueUrl"] for name, _ in QUEUES}
    acked, ok = load_then_kill(srv, [putter(srv, "%d_%d" % (rnd_i, i)) for i in range(6)], rnd)
    srv2 = serve(data)
    c2 = srv2.client()
    targets = srv2.client("events").list_targets_by_rule(Rule="fan-out", EventBusName="orders")["Targets"]
    if len(targets) != 2:
        ok = False
        print("round %d: targets lost: %s" % (rnd_i, targets))
    want = set(acked)
    for name, _ in QUEUES:
        got = drain(c2, urls[name], json.loads)
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
    return ok


if __name__ == "__main__":
    sys.exit(run("runnel-evcrash-", one_round))
