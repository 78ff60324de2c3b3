# SPDX-License-Identifier: MIT
"""CloudFormation crash test: clients create stacks (four queues each) and
update one long-lived stack (adding and removing a queue) while runnel is
killed with SIGKILL at random moments, repeatedly. A stack operation runs
whole in one loop turn, so after each restart: every acknowledged stack is
CREATE_COMPLETE with its queues; no stack is left in an *_IN_PROGRESS
status; no queue exists that no stack owns (nothing half made); and every
stack can still be updated and deleted."""
import json
import sys

from crashlib import load_then_kill, run, serve

QUEUES = 4


def body(n_queues, tag):
    res = {"Q%d" % i: {"Type": "AWS::SQS::Queue"} for i in range(n_queues)}
    return json.dumps({"Resources": res, "Outputs": {"Tag": {"Value": tag}}})


def creator(server, wid):
    cf = server.client("cloudformation", read_timeout=10)

    def create(n):
        name = "c%s-%d" % (wid, n)
        cf.create_stack(StackName=name, TemplateBody=body(QUEUES, name))
        return name
    return create


def updater(server, wid):
    cf = server.client("cloudformation", read_timeout=10)

    def update(n):
        cf.update_stack(StackName="long", TemplateBody=body(1 + n % 3, "u%s-%d" % (wid, n)))
        return None
    return update


def one_round(data, rnd_i, rnd):
    srv = serve(data)
    if rnd_i == 0:
        srv.client("cloudformation").create_stack(StackName="long", TemplateBody=body(1, "start"))
    writers = [creator(srv, "%dx%d" % (rnd_i, i)) for i in range(3)] + [updater(srv, "%d" % rnd_i)]
    acked, ok = load_then_kill(srv, writers, rnd)
    srv2 = serve(data)
    cf, sqs = srv2.client("cloudformation"), srv2.client()
    stacks = {s["StackName"]: s for page in cf.get_paginator("describe_stacks").paginate() for s in page["Stacks"]}
    owned = set()
    for name, s in stacks.items():
        if s["StackStatus"].endswith("_IN_PROGRESS"):
            ok = False
            print("round %d: stack %s left %s" % (rnd_i, name, s["StackStatus"]))
        for r in cf.describe_stack_resources(StackName=name)["StackResources"]:
            owned.add(r["PhysicalResourceId"].rsplit("/", 1)[1])
    for name in acked:
        s = stacks.get(name)
        if not s or s["StackStatus"] != "CREATE_COMPLETE":
            ok = False
            print("round %d: acknowledged stack %s is %s" % (rnd_i, name, s and s["StackStatus"]))
            continue
        n = len(cf.describe_stack_resources(StackName=name)["StackResources"])
        if n != QUEUES:
            ok = False
            print("round %d: acknowledged stack %s has %d resources" % (rnd_i, name, n))
    queues = {u.rsplit("/", 1)[1] for page in sqs.get_paginator("list_queues").paginate(MaxResults=1000)
              for u in page.get("QueueUrls", [])}
    if queues != owned:
        ok = False
        print("round %d: queues no stack owns: %s; owned queues missing: %s" % (
            rnd_i, sorted(queues - owned), sorted(owned - queues)))
    # every stack can still be changed: update the long one, delete the rest
    cf.update_stack(StackName="long", TemplateBody=body(2, "after-%d" % rnd_i))
    if cf.describe_stacks(StackName="long")["Stacks"][0]["StackStatus"] != "UPDATE_COMPLETE":
        ok = False
        print("round %d: the long-lived stack did not update after the restart" % rnd_i)
    for name in stacks:
        if name != "long":
            cf.delete_stack(StackName=name)
    left = [s["StackName"] for page in cf.get_paginator("describe_stacks").paginate() for s in page["Stacks"]]
    if left != ["long"]:
        ok = False
        print("round %d: stacks not deleted: %s" % (rnd_i, left))
    if len(sqs.list_queues().get("QueueUrls", [])) != 2:
        ok = False
        print("round %d: deleting the stacks left queues: %s" % (rnd_i, sqs.list_queues().get("QueueUrls")))
    srv2.stop()
    print("%s round %d: %d acknowledged stacks whole after kill -9" % ("ok  " if ok else "FAIL", rnd_i, len(acked)),
          flush=True)
    return ok


if __name__ == "__main__":
    sys.exit(run("runnel-cfncrash-", one_round))
