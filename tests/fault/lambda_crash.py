# SPDX-License-Identifier: MIT
"""Lambda crash test: clients send SQS messages that an event source mapping
hands to a function in batches, and make Event invokes of another, while
runnel is killed with SIGKILL at random moments, repeatedly (batches and
invocations in flight included). After each restart every acknowledged
message and Event invoke must reach its function (at least once, as on AWS:
what was running at the kill runs again), the queue must end empty, and the
functions and the mapping must still be there."""
import io
import json
import os
import sys
import tempfile
import time
import zipfile

from crashlib import load_then_kill, run, serve

ROLE = "arn:aws:iam::000000000000:role/crash"
CODE = """
import json, os, time
def handler(event, context):
    ids = [r["body"] for r in event["Records"]] if "Records" in event else [event["id"]]
    time.sleep(0.05)  # batches stay in flight long enough to be cut by the kill
    with open(os.environ["OUT"], "a") as f:
        for i in ids:
            f.write(i + "\\n")
    return len(ids)
"""
OUT = os.path.join(tempfile.mkdtemp(prefix="runnel-lcrash-out-"), "seen.log")


def package():
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w") as z:
        z.writestr("app.py", CODE)
    return b.getvalue()


def setup(srv):
    sqs, lam = srv.client(), srv.client("lambda")
    url = sqs.create_queue(QueueName="work", Attributes={"VisibilityTimeout": "2"})["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    for name in ("from-queue", "from-event"):
        # the queue's function times out within the queue's visibility, as AWS requires
        lam.create_function(FunctionName=name, Runtime="python3.12", Role=ROLE, Handler="app.handler",
                            Timeout=2 if name == "from-queue" else 30,
                            Code={"ZipFile": package()}, Environment={"Variables": {"OUT": OUT}})
    lam.create_event_source_mapping(FunctionName="from-queue", EventSourceArn=arn, BatchSize=5)


def sender(srv, wid):
    sqs = srv.client(read_timeout=5)
    url = sqs.get_queue_url(QueueName="work")["QueueUrl"]

    def send(n):
        body = "sqs-%s-%d" % (wid, n)
        sqs.send_message(QueueUrl=url, MessageBody=body)
        return body
    return send


def invoker(srv, wid):
    lam = srv.client("lambda", read_timeout=5)

    def invoke(n):
        i = "event-%s-%d" % (wid, n)
        r = lam.invoke(FunctionName="from-event", InvocationType="Event", Payload=json.dumps({"id": i}))
        return i if r["StatusCode"] == 202 else None
    return invoke


def seen():
    if not os.path.exists(OUT):
        return set()
    with open(OUT) as f:
        return set(line.strip() for line in f)


def one_round(data, rnd_i, rnd):
    srv = serve(data)
    if rnd_i == 0:
        setup(srv)
    writers = [sender(srv, "%d_%d" % (rnd_i, i)) for i in range(3)]
    writers += [invoker(srv, "%d_%d" % (rnd_i, i)) for i in range(3)]
    acked, ok = load_then_kill(srv, writers, rnd)
    srv2 = serve(data)
    lam = srv2.client("lambda")
    if len(lam.list_event_source_mappings(FunctionName="from-queue")["EventSourceMappings"]) != 1:
        ok = False
        print("round %d: the event source mapping was lost" % rnd_i)
    want = set(acked)
    deadline = time.time() + 60
    missing = want - seen()
    while missing and time.time() < deadline:
        time.sleep(0.2)
        missing = want - seen()
    sqs = srv2.client()
    url = sqs.get_queue_url(QueueName="work")["QueueUrl"]
    left = None
    while time.time() < deadline:
        a = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        left = int(a["ApproximateNumberOfMessages"]) + int(a["ApproximateNumberOfMessagesNotVisible"])
        if left == 0:
            break
        time.sleep(0.2)
    if missing or left:
        ok = False
        print("round %d: %d acknowledged, %d never reached a function (e.g. %s), %s left in the queue" % (
            rnd_i, len(want), len(missing), sorted(missing)[:3], left))
    srv2.stop()
    print("%s round %d: %d acknowledged messages and Event invokes reached their functions after kill -9" % (
        "ok  " if ok else "FAIL", rnd_i, len(want)), flush=True)
    return ok


if __name__ == "__main__":
    sys.exit(run("runnel-lcrash-", one_round))
