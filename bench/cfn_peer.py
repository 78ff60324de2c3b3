#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Deploy time of the example's infrastructure without its functions (no SAM,
no Lambda: the part moto can make) on Runnel and on moto_server, side by
side: a bus, a rule with two SQS targets, a FIFO queue with its DLQ, two more
queues, two DynamoDB tables and a topic. RUNS creations on each (deleted in
between; queue names change each run, since SQS keeps a deleted name for
60 s), CreateStack sent -> CREATE_COMPLETE seen (polled every 5 ms).

  cfn_peer.py RUNNEL_PORT [RUNS=5]

Starts moto_server itself on 127.0.0.1 (a free port), stops it by its PID.
Prints runnel_ms=... (the whole template), runnel_norule_ms=... and
moto_norule_ms=... (without the rule, which moto 5.2 answers with a 500),
medians; moto=absent when moto_server is not installed."""
import json
import shutil
import socket
import statistics
import subprocess
import sys
import time

import boto3


def template(tag, rule=True):
    q = lambda name, **p: {"Type": "AWS::SQS::Queue", "Properties": dict(QueueName=name, **p)}  # noqa: E731
    table = lambda name: {"Type": "AWS::DynamoDB::Table", "Properties": {  # noqa: E731
        "TableName": name, "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}]}}
    t = {"Resources": {
        "Bus": {"Type": "AWS::Events::EventBus", "Properties": {"Name": "peer-bus-" + tag}},
        "Dlq": q("peer-dlq-%s.fifo" % tag, FifoQueue=True),
        "Orders": q("peer-orders-%s.fifo" % tag, FifoQueue=True, ContentBasedDeduplication=True,
                    VisibilityTimeout=300,
                    RedrivePolicy={"deadLetterTargetArn": {"Fn::GetAtt": ["Dlq", "Arn"]}, "maxReceiveCount": 3}),
        "Inventory": q("peer-inventory-" + tag),
        "Notifications": q("peer-notifications-" + tag, ReceiveMessageWaitTimeSeconds=20),
        "Rule": {"Type": "AWS::Events::Rule", "Properties": {
            "EventBusName": {"Ref": "Bus"},
            "EventPattern": {"source": ["ecommerce.orders"], "detail-type": ["Order Created"]},
            "Targets": [{"Id": "orders", "Arn": {"Fn::GetAtt": ["Orders", "Arn"]},
                         "SqsParameters": {"MessageGroupId": "orders"}},
                        {"Id": "inventory", "Arn": {"Fn::GetAtt": ["Inventory", "Arn"]}}]}},
        "OrdersTable": table("peer-orders-" + tag),
        "Errors": table("peer-errors-" + tag),
        "Alerts": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "peer-alerts-" + tag}}}}
    if not rule:
        del t["Resources"]["Rule"]
    return json.dumps(t)


def deploy_ms(port, runs, rule=True):
    cf = boto3.client("cloudformation", endpoint_url="http://127.0.0.1:%d" % port, region_name="us-east-1",
                      aws_access_key_id="test", aws_secret_access_key="test")
    times = []
    for i in range(runs):
        tag = "%d%d" % (int(time.time() * 1000) % 100000, i)
        t0 = time.perf_counter()
        cf.create_stack(StackName="peer-" + tag, TemplateBody=template(tag, rule))
        while True:
            s = cf.describe_stacks(StackName="peer-" + tag)["Stacks"][0]["StackStatus"]
            if not s.endswith("IN_PROGRESS"):
                break
            time.sleep(0.005)
        ms = (time.perf_counter() - t0) * 1000
        if s != "CREATE_COMPLETE":
            raise SystemExit("stack on port %d ended %s" % (port, s))
        times.append(ms)
        cf.delete_stack(StackName="peer-" + tag)
    return statistics.median(times)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    port, runs = int(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 5
    print("runnel_ms=%.1f" % deploy_ms(port, runs), flush=True)
    print("runnel_norule_ms=%.1f" % deploy_ms(port, runs, rule=False), flush=True)
    moto = shutil.which("moto_server")
    if not moto:
        print("moto=absent")
        return
    mport = free_port()
    proc = subprocess.Popen([moto, "-H", "127.0.0.1", "-p", str(mport)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", mport), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        # moto 5.2 answers the rule (an AWS::Events::Rule with SQS targets) with a 500: both are measured
        # without it as well, so the two figures compare the same template
        print("moto_norule_ms=%.1f" % deploy_ms(mport, runs, rule=False), flush=True)
    finally:
        proc.kill()
        proc.wait()


if __name__ == "__main__":
    main()
