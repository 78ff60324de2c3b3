# SPDX-License-Identifier: MIT
"""Crash test: clients send (and delete) with acknowledgements while runnel is
killed with SIGKILL at random moments, repeatedly. After each restart every
acknowledged message must be there exactly once, no acknowledged delete may
come back, and FIFO order per group must hold."""
import sys

from crashlib import drain, fifo_in_order, load_then_kill, received_as_acked, run, serve


def sender(server, url, fifo, group):
    """A writer for load_then_kill: the n-th send of group; acknowledges its body."""
    c = server.client(read_timeout=5)

    def send(n):
        body = "%s-%d" % (group, n)
        kw = {"MessageGroupId": group, "MessageDeduplicationId": body} if fifo else {}
        c.send_message(QueueUrl=url, MessageBody=body, **kw)
        return (fifo, body)
    return send


def one_round(data, rnd_i, rnd):
    srv = serve(data)
    c = srv.client()
    std = c.create_queue(QueueName="crash-std")["QueueUrl"]
    fifo = c.create_queue(QueueName="crash.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    # previous rounds were drained; start from empty queues
    writers = [sender(srv, std, False, "s%d_%d" % (rnd_i, i)) for i in range(4)]
    writers += [sender(srv, fifo, True, "g%d_%d" % (rnd_i, i)) for i in range(3)]
    sent, ok = load_then_kill(srv, writers, rnd)
    acked = {"std": [b for f, b in sent if not f], "fifo": [b for f, b in sent if f]}
    srv2 = serve(data)
    c2 = srv2.client()
    got_std = drain(c2, std)
    got_fifo = drain(c2, fifo)
    ok = received_as_acked(rnd_i, (("standard", acked["std"], got_std), ("fifo", acked["fifo"], got_fifo))) and ok
    ok = fifo_in_order(rnd_i, got_fifo) and ok
    # deleted messages stay deleted across another crash
    srv2.kill()
    srv3 = serve(data)
    c3 = srv3.client()
    again = drain(c3, std) + drain(c3, fifo)
    if again:
        ok = False
        print("round %d: %d deleted messages came back" % (rnd_i, len(again)))
    srv3.stop()
    print("%s round %d: %d standard + %d fifo acknowledged sends survived kill -9" % (
        "ok  " if ok else "FAIL", rnd_i, len(acked["std"]), len(acked["fifo"])), flush=True)
    return ok


if __name__ == "__main__":
    sys.exit(run("runnel-crash-", one_round))
