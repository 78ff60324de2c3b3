#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The e-commerce example's benchmarks (issue 13, item 6), against a durable
server:

  deploy PORT [RUNS=5]            examples/ecommerce/template.yaml deployed as a
                                  stack RUNS times (deleted in between): CreateStack
                                  sent -> CREATE_COMPLETE seen (polled every 5 ms);
                                  prints the median and every run
  orders PORT [COUNT=1000] [LIMIT=90]
                                  the whole pipeline: COUNT orders put on the bus
                                  (PutEvents, 10 a request) -> rule -> FIFO queue ->
                                  order processor -> Orders + SES + CloudWatch;
                                  orders/s from the first PutEvents to the last
                                  order stored, waiting at most LIMIT seconds;
                                  then checks the mails and the metric counted them
  all [RUNS] [COUNT] [LIMIT]      both, on a server it starts itself (build/runnel,
                                  a fresh data dir: durable, fsync'd) and stops
                                  by its PID

One key=value line per figure. The orders run deploys the stack when it is
not there. Its ceiling is the design's, as on AWS: EventBridge gives a FIFO
target one fixed MessageGroupId, so the orders are one group, taken one batch
of 10 at a time by one function instance, each order a conditional PutItem
and a SendEmail from boto3 inside the function (plus one PutMetricData a
batch). moto_server, the peer available on this machine, runs no function
code, so it has no comparable figure."""
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

import boto3

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "examples", "ecommerce"))
import deploy  # noqa: E402  (examples/ecommerce/deploy.py)
import producer  # noqa: E402

STACK = "ecommerce-bench"


def client(port, service):
    return boto3.client(service, endpoint_url="http://127.0.0.1:%d" % port, region_name="us-east-1",
                        aws_access_key_id="test", aws_secret_access_key="test")


def settle(cfn, want, timeout=60):
    """Polls the stack every 5 ms until it leaves *_IN_PROGRESS; returns
    the time it was first seen settled."""
    deadline = time.time() + timeout
    while True:
        try:
            status = cfn.describe_stacks(StackName=STACK)["Stacks"][0]["StackStatus"]
        except cfn.exceptions.ClientError as e:
            if want == "DELETE_COMPLETE" and "does not exist" in str(e):
                return time.perf_counter()
            raise
        if not status.endswith("_IN_PROGRESS"):
            if status != want:
                reasons = ["%s: %s" % (e["LogicalResourceId"], e.get("ResourceStatusReason"))
                           for e in cfn.describe_stack_events(StackName=STACK)["StackEvents"]
                           if e["ResourceStatus"].endswith("_FAILED")]
                raise RuntimeError("stack %s is %s, not %s: %s" % (STACK, status, want, "; ".join(reasons)))
            return time.perf_counter()
        if time.time() > deadline:
            raise RuntimeError("stack %s still %s after %d s" % (STACK, status, timeout))
        time.sleep(0.005)


def renamed_queues(body, n):
    """The template with its queues named apart for run n: SQS (as AWS) refuses
    a queue name deleted less than 60 s ago."""
    return re.sub(r"(QueueName: [\w-]+?)(\.fifo)?(\s)", lambda m: "%s-r%d%s%s" % (
        m.group(1), n, m.group(2) or "", m.group(3)), body)


def bench_deploy(port, runs=5):
    cfn = client(port, "cloudformation")
    times = []
    for n in range(runs):
        body = renamed_queues(deploy.template_body(), n)
        start = time.perf_counter()
        cfn.create_stack(StackName=STACK, TemplateBody=body, Capabilities=deploy.CAPABILITIES)
        times.append((settle(cfn, "CREATE_COMPLETE") - start) * 1000)
        cfn.delete_stack(StackName=STACK)
        settle(cfn, "DELETE_COMPLETE")
    print("deploy_ms_median=%.0f runs=%d all_ms=%s" % (statistics.median(times), runs,
                                                        ",".join("%.0f" % t for t in times)), flush=True)


def count_orders(ddb):
    n, kw = 0, {}
    while True:
        page = ddb.scan(TableName="Orders", Select="COUNT", **kw)
        n += page["Count"]
        if "LastEvaluatedKey" not in page:
            return n
        kw["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def wait_orders(ddb, want, deadline):
    while True:
        n = count_orders(ddb)
        if n >= want or time.time() > deadline:
            return n, time.perf_counter()
        time.sleep(0.05)


def bench_orders(port, count=1000, limit=90):
    cfn, ddb, events = client(port, "cloudformation"), client(port, "dynamodb"), client(port, "events")
    try:
        cfn.describe_stacks(StackName=STACK)
    except cfn.exceptions.ClientError:
        deploy.deploy(cfn, STACK)
    client(port, "ses").verify_domain_identity(Domain="ecommerce.com")
    # warm-up: the function's first instance starts (python and boto3 imports)
    before = count_orders(ddb)
    producer.send_orders(events, "ecommerce-events", 10, "warm%d" % time.time())
    n, _ = wait_orders(ddb, before + 10, time.time() + 60)
    if n < before + 10:
        raise RuntimeError("warm-up: %d of 10 orders stored in 60 s" % (n - before))
    before = n
    run = "b%d" % time.time()
    start = time.perf_counter()
    producer.send_orders(events, "ecommerce-events", count, run)
    sent = time.perf_counter() - start
    n, end = wait_orders(ddb, before + count, time.time() + limit)
    stored = n - before
    elapsed = end - start
    got_mails = 0
    deadline = time.time() + 10
    while time.time() < deadline:  # the last batch's mails follow its rows by a few ms
        got_mails = len([m for m in mails(port) if ("ord-%s-" % run) in m["subject"]
                         and m["subject"].startswith("Order Confirmation")])
        if got_mails >= stored:
            break
        time.sleep(0.05)
    print("orders_per_s=%.0f orders=%d stored=%d seconds=%.2f put_events_s=%.2f mails=%d complete=%s" % (
        stored / elapsed, count, stored, elapsed, sent, got_mails, "yes" if stored == count else "no"), flush=True)


def mails(port):
    with urllib.request.urlopen("http://127.0.0.1:%d/_runnel/ses?limit=10000" % port, timeout=30) as r:
        return json.loads(r.read())["messages"]


def run_all(runs=5, count=1000, limit=90):
    tmp = tempfile.mkdtemp(prefix="runnel-example-bench-")
    log = open(os.path.join(tmp, "server.log"), "w+")
    proc = subprocess.Popen([os.path.join(ROOT, "build", "runnel"), "serve", "--port", "0", "--data-dir",
                             os.path.join(tmp, "data")], stdout=log, stderr=log)
    try:
        deadline = time.time() + 30
        while True:
            log.seek(0)
            m = re.search(r"ready endpoint=http://127\.0\.0\.1:(\d+)\s", log.read())
            if m:
                break
            if proc.poll() is not None or time.time() > deadline:
                raise RuntimeError("runnel did not start")
            time.sleep(0.01)
        port = int(m.group(1))
        bench_deploy(port, runs)
        bench_orders(port, count, limit)
    finally:
        proc.terminate()
        proc.wait(30)
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    a = sys.argv[1:]
    if not a or a[0] not in ("deploy", "orders", "all"):
        print(__doc__)
        return 2
    nums = [int(x) for x in a[1:]]
    if a[0] == "deploy":
        bench_deploy(*nums)
    elif a[0] == "orders":
        bench_orders(*nums)
    else:
        run_all(*nums)
    return 0


if __name__ == "__main__":
    sys.exit(main())
