# SPDX-License-Identifier: MIT
"""SNS crash test: clients Publish with acknowledgements to a topic (and
PublishBatch to a FIFO topic) whose subscriptions fan out to SQS queues (raw
and enveloped, standard and FIFO), while runnel is killed with SIGKILL at
random moments, repeatedly. After each restart every acknowledged message
must be in every subscribed queue exactly once (FIFO in order), and the
topics and subscriptions must still be there."""
import json
import sys

from crashlib import drain, load_then_kill, run, serve

QUEUES = (("sns-raw", {}), ("sns-env", {}), ("sns.fifo", {"FifoQueue": "true"}))


def publisher(server, wid, fifo):
    """A writer for load_then_kill: the n-th message of writer wid; acknowledges its MessageId."""
    sns = server.client("sns", read_timeout=5)
    topic = "arn:aws:sns:us-east-1:000000000000:" + ("orders.fifo" if fifo else "orders")

    def publish(n):
        body = json.dumps({"w": wid, "n": n})
        if fifo:
            r = sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[
                {"Id": "e", "Message": body, "MessageGroupId": wid, "MessageDeduplicationId": "%s-%d" % (wid, n)}])
            if r["Failed"]:
                raise AssertionError("PublishBatch refused a message: %s" % r["Failed"])
            return body
        sns.publish(TopicArn=topic, Message=body)
        return body
    return publish


def setup(srv):
    sqs, sns = srv.client(), srv.client("sns")
    arns = {}
    for name, attrs in QUEUES:
        url = sqs.create_queue(QueueName=name, Attributes=attrs)["QueueUrl"]
        arns[name] = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    std = sns.create_topic(Name="orders")["TopicArn"]
    fifo = sns.create_topic(Name="orders.fifo", Attributes={"FifoTopic": "true"})["TopicArn"]
    sns.subscribe(TopicArn=std, Protocol="sqs", Endpoint=arns["sns-raw"], Attributes={"RawMessageDelivery": "true"})
    sns.subscribe(TopicArn=std, Protocol="sqs", Endpoint=arns["sns-env"])
    sns.subscribe(TopicArn=fifo, Protocol="sqs", Endpoint=arns["sns.fifo"], Attributes={"RawMessageDelivery": "true"})


def body_of(name):
    if name == "sns-env":
        return lambda b: json.loads(json.loads(b)["Message"])
    return json.loads


def one_round(data, rnd_i, rnd):
    srv = serve(data)
    if rnd_i == 0:
        setup(srv)
    sqs = srv.client()
    urls = {name: sqs.get_queue_url(QueueName=name)["QueueUrl"] for name, _ in QUEUES}
    writers = [publisher(srv, "%d_%d" % (rnd_i, i), i % 3 == 0) for i in range(6)]
    acked, ok = load_then_kill(srv, writers, rnd)
    srv2 = serve(data)
    c2, sns2 = srv2.client(), srv2.client("sns")
    subs = sns2.list_subscriptions()["Subscriptions"]
    if len(subs) != 3:
        ok = False
        print("round %d: subscriptions lost: %s" % (rnd_i, subs))
    acked_fifo = {a for a in acked if json.loads(a)["w"].endswith("_0") or json.loads(a)["w"].endswith("_3")}
    want = {"sns-raw": set(acked) - acked_fifo, "sns-env": set(acked) - acked_fifo, "sns.fifo": acked_fifo}
    for name, _ in QUEUES:
        got = drain(c2, urls[name], body_of(name))
        keys = [json.dumps({"w": g["w"], "n": g["n"]}) for g in got]
        missing = want[name] - set(keys)
        dups = len(keys) - len(set(keys))
        if missing or dups:
            ok = False
            print("round %d %s: %d acked, %d received, %d missing, %d duplicated" % (
                rnd_i, name, len(want[name]), len(keys), len(missing), dups))
        if name == "sns.fifo":
            per = {}
            for g in got:
                per.setdefault(g["w"], []).append(g["n"])
            if any(ns != sorted(ns) for ns in per.values()):
                ok = False
                print("round %d: FIFO order broken" % rnd_i)
    srv2.stop()
    print("%s round %d: %d acknowledged messages reached their queues after kill -9" % (
        "ok  " if ok else "FAIL", rnd_i, len(acked)), flush=True)
    return ok


if __name__ == "__main__":
    sys.exit(run("runnel-snscrash-", one_round))
