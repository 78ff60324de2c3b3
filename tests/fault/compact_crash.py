# SPDX-License-Identifier: MIT
"""Crash test for log compaction: with 64 KiB segments, writers send one
message to a "keep" queue for every four to a "churn" queue, and a deleter
deletes everything it receives from churn, so old segments fall below a
quarter live and are copied forward (or deleted) all the time while
runnel is killed with SIGKILL at random moments. After each restart:
every acknowledged keep message is there exactly once, no churn message
whose delete was acknowledged comes back, FIFO order per group holds, and
`runnel check` finds the dir sound. Each round also says whether a segment
was compacted away during it (the first segment number moved), and the
run fails when none was in any round: then it tested nothing."""
import os
import subprocess
import sys
import threading

from crashlib import GONE, drain, fifo_in_order, harness, load_then_kill, received_as_acked, run, serve

SEGMENT = 65536
PAD = "p" * 1500
seen_compaction = []


def first_segment(data):
    segs = sorted(f for f in os.listdir(os.path.join(data, "log")) if f.endswith(".seg"))
    return int(segs[0][:10]) if segs else 0


def writer(server, keep, churn, fifo, name):
    """The n-th write: four churn sends then one keep send (FIFO, one group
    per writer); acknowledges the keep body."""
    c = server.client(read_timeout=5)

    def write(n):
        c.send_message_batch(QueueUrl=churn, Entries=[
            {"Id": str(k), "MessageBody": "churn-%s-%d-%d-%s" % (name, n, k, PAD)} for k in range(4)])
        body = "%s-%d" % (name, n)
        c.send_message(QueueUrl=fifo, MessageBody=body, MessageGroupId=name, MessageDeduplicationId=body)
        c.send_message(QueueUrl=keep, MessageBody=body + "-" + PAD)
        return body
    return write


def deleter(server, churn, deleted, stop):
    """Deletes what it receives from churn until stop; records each
    acknowledged delete's body."""
    c = server.client(read_timeout=5)
    try:
        while not stop.is_set():
            msgs = c.receive_message(QueueUrl=churn, MaxNumberOfMessages=10, VisibilityTimeout=300,
                                     WaitTimeSeconds=0).get("Messages", [])
            if not msgs:
                continue
            r = c.delete_message_batch(QueueUrl=churn, Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(msgs)])
            for ok in r.get("Successful", []):
                deleted.add(msgs[int(ok["Id"])]["Body"])
    except GONE:
        pass


def one_round(data, rnd_i, rnd):
    with harness.environ(RUNNEL_LOG_SEGMENT_BYTES=SEGMENT):
        srv = serve(data, ["--enable-reset"])
    c = srv.client()
    keep = c.create_queue(QueueName="keep")["QueueUrl"]
    churn = c.create_queue(QueueName="churn")["QueueUrl"]
    fifo = c.create_queue(QueueName="keep.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    seg0 = first_segment(data)
    deleted, stop = set(), threading.Event()
    d = threading.Thread(target=deleter, args=(srv, churn, deleted, stop))
    d.start()
    writers = [writer(srv, keep, churn, fifo, "w%d_%d" % (rnd_i, i)) for i in range(3)]
    acked, ok = load_then_kill(srv, writers, rnd)
    stop.set()
    d.join()
    compacted = first_segment(data) > seg0
    seen_compaction.append(compacted)
    out = harness.run_command(["check", "--data-dir", data])
    if out.returncode != 0:
        ok = False
        print("round %d: runnel check after the kill:\n%s" % (rnd_i, out.stdout))
    with harness.environ(RUNNEL_LOG_SEGMENT_BYTES=SEGMENT):
        srv2 = serve(data, ["--enable-reset"])
    c2 = srv2.client()
    got_keep = [b.rsplit("-", 1)[0] for b in drain(c2, keep)]
    got_fifo = drain(c2, fifo)
    ok = received_as_acked(rnd_i, (("keep", acked, got_keep), ("fifo", acked, got_fifo))) and ok
    ok = fifo_in_order(rnd_i, got_fifo) and ok
    # churn messages received but not deleted are hidden for 300 s: move the
    # clock past that, then none whose delete was acknowledged may be there
    req = harness.urllib.request.Request(srv2.endpoint + "/_runnel/clock", data=b'{"advanceSeconds": 400}',
                                         method="POST")
    harness.urllib.request.urlopen(req, timeout=10).read()
    back = set(drain(c2, churn)) & deleted
    if back:
        ok = False
        print("round %d: %d deleted churn messages came back" % (rnd_i, len(back)))
    srv2.stop()
    print("%s round %d: %d keep sends acknowledged, %d churn deletes, %s" % (
        "ok  " if ok else "FAIL", rnd_i, len(acked), len(deleted),
        "segments compacted away" if compacted else "no segment compacted away yet"), flush=True)
    return ok


def main():
    rc = run("runnel-compact-crash-", one_round)
    if not any(seen_compaction):
        print("no round saw a segment compacted away: compaction was not exercised")
        print("0 passed, 1 failed")
        return 1
    return rc


if __name__ == "__main__":
    sys.exit(main())
