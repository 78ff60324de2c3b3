#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The steps of `make example` (run.sh) that need an SDK:

    python3 demo.py verify              # SES: verify the shop's domain (the sender of its mail)
    python3 demo.py wait RUN N [--poison]
    python3 demo.py show RUN
    python3 demo.py replay RUN SINCE   # after the fix: the archive's events since SINCE (epoch s) replayed

`wait` waits until the N orders of run RUN (producer.py's ids) are in Orders
and, with --poison, until its poison order is in the dead-letter queue
(three attempts 1, 2 and 4 s apart: about 8 s). `show` prints what happened:
the orders in DynamoDB, the mail SES captured, the metrics in CloudWatch,
the dead-letter queue, ProcessingErrors and the alarm. `replay` is the
README's runbook once the fix is deployed: it empties the dead-letter queue,
replays the archive's window onto the bus and waits for the poison order."""
import argparse
import collections
import datetime
import json
import os
import sys
import time
import urllib.request

import boto3

ENDPOINT = os.environ.get("AWS_ENDPOINT_URL", "http://127.0.0.1:4566")


def client(service):
    return boto3.client(service, endpoint_url=ENDPOINT, region_name=os.environ.get("AWS_REGION", "us-east-1"),
                        aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID", "test"),
                        aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY", "test"))


def scan(table):
    ddb, items, kw = client("dynamodb"), [], {}
    while True:
        page = ddb.scan(TableName=table, **kw)
        items += page["Items"]
        if "LastEvaluatedKey" not in page:
            return items
        kw["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def mails():
    with urllib.request.urlopen(ENDPOINT + "/_runnel/ses", timeout=10) as r:
        return json.loads(r.read())["messages"]


def queue_url(name):
    return client("sqs").get_queue_url(QueueName=name)["QueueUrl"]


def dead_letters():
    """The DLQ's first 10 messages, left in it: hidden for a second only (a FIFO
    queue gives one message of a group to a receive with visibility 0); the
    look counts as a receive."""
    return client("sqs").receive_message(QueueUrl=queue_url("order-processing-dlq.fifo"), MaxNumberOfMessages=10,
                                         VisibilityTimeout=1, AttributeNames=["All"]).get("Messages", [])


def verify(_):
    client("ses").verify_domain_identity(Domain="ecommerce.com")
    print("SES: domain ecommerce.com verified (noreply@ecommerce.com may send)")


def depth(sqs, url):
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=[
        "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
    return int(attrs["ApproximateNumberOfMessages"]) + int(attrs["ApproximateNumberOfMessagesNotVisible"])


def wait(a):
    """Waits without receiving from the DLQ (a receive counts as one)."""
    prefix = "ord-%s-" % a.run
    sqs = client("sqs")
    orders_url, dlq_url = queue_url("order-processing.fifo"), queue_url("order-processing-dlq.fifo")
    deadline = time.time() + a.timeout
    while True:
        n = len([i for i in scan("Orders") if i["orderId"]["S"].startswith(prefix) and not
                 i["orderId"]["S"].endswith("-credit")])
        tries = [int(e["retryCount"]["N"]) + 1 for e in scan("ProcessingErrors")
                 if e.get("orderId", {}).get("S") == prefix + "credit"]
        # three failed attempts recorded and the order queue empty: the redrive has moved it
        poisoned = not a.poison or (tries == [3] and depth(sqs, orders_url) == 0 and depth(sqs, dlq_url) > 0)
        if sys.stdout.isatty():
            sys.stdout.write("\r  %d/%d orders stored%s " % (n, a.count, "" if not a.poison else
                                                           ", poison order in the DLQ" if poisoned else
                                                           ", poison order: %d failed attempt(s)" % sum(tries)))
            sys.stdout.flush()
        if n >= a.count and poisoned:
            break
        if time.time() > deadline:
            print("\nwait: gave up after %d s (%d/%d orders, poison in DLQ: %s)" % (a.timeout, n, a.count, poisoned))
            return 1
        time.sleep(0.25)
    if sys.stdout.isatty():
        sys.stdout.write("\n")
    print("all %d orders stored%s" % (a.count, "; the poison order failed 3 times and is in the dead-letter queue"
                                      if a.poison else ""))
    return 0


def metric_sum(cw, name, dims=(), namespace="Ecommerce"):
    now = datetime.datetime.now(datetime.timezone.utc)
    dps = cw.get_metric_statistics(Namespace=namespace, MetricName=name, Dimensions=list(dims),
                                   StartTime=now - datetime.timedelta(days=1),
                                   EndTime=now + datetime.timedelta(hours=1), Period=86400 + 3600,
                                   Statistics=["Sum", "Average", "Maximum"])["Datapoints"]
    return sum(d["Sum"] for d in dps), max([d["Maximum"] for d in dps] or [0])


def show(a):
    prefix = "ord-%s-" % a.run
    rows = [i for i in scan("Orders") if i["orderId"]["S"].startswith(prefix)]
    by = collections.Counter(i["priority"]["S"] for i in rows)
    print("\n== Orders (DynamoDB table Orders): %d of this run (%s)" % (
        len(rows), ", ".join("%d %s priority" % (n, p) for p, n in sorted(by.items()))))
    for i in sorted(rows, key=lambda i: i["orderId"]["S"])[:5]:
        print("   %-22s %-10s %10s  %-8s %s" % (i["orderId"]["S"], i["customerId"]["S"], i["amount"]["N"],
                                              i["priority"]["S"], i["status"]["S"]))
    if len(rows) > 5:
        print("   ... (aws dynamodb scan --table-name Orders)")

    mine = [m for m in mails() if prefix in m["subject"]]
    kinds = collections.Counter(m["subject"].split(" - ")[0] for m in mine)
    print("\n== Mail SES captured (GET /_runnel/ses): %d for this run (%s)" % (
        len(mine), ", ".join("%d %s" % (n, k) for k, n in sorted(kinds.items()))))
    for m in mine[:3]:
        print("   %s -> %s: %s" % (m["source"], ", ".join(m["destinations"]), m["subject"]))
    if mine:
        print("   the whole message: curl %s/_runnel/ses/%s.eml" % (ENDPOINT, mine[0]["id"]))

    cw = client("cloudwatch")
    print("\n== Metrics (CloudWatch, namespace Ecommerce, last 24 h, every run)")
    for name, dims in (("OrdersProcessed", [{"Name": "Priority", "Value": "standard"}]),
                       ("OrdersProcessed", [{"Name": "Priority", "Value": "high"}]),
                       ("OrderValue", [{"Name": "Priority", "Value": "high"}]),
                       ("ItemsReserved", []), ("FailedOrders", []), ("DuplicateOrders", [])):
        total, _ = metric_sum(cw, name, dims)
        print("   %-16s %-18s %12.2f" % (name, ",".join(d["Value"] for d in dims), total))
    _, slowest = metric_sum(cw, "ProcessingTime", [{"Name": "Source", "Value": "ecommerce.orders"},
                                                  {"Name": "Type", "Value": "Order Created"}])
    print("   %-16s %-18s %9.2f ms (slowest order)" % ("ProcessingTime", "max", slowest))

    dlq = dead_letters()
    sqs = client("sqs")
    print("\n== Dead-letter queue order-processing-dlq.fifo: %d message(s) (the first 10 below; this look counts as"
          " a receive)" % depth(sqs, queue_url("order-processing-dlq.fifo")))
    for m in dlq:
        body = json.loads(m["Body"])
        print("   %s  amount %s  received %s times  event %s" % (
            body["detail"]["orderId"], body["detail"]["amount"], m["Attributes"]["ApproximateReceiveCount"],
            body["id"]))
    errors = [e for e in scan("ProcessingErrors") if e.get("orderId", {}).get("S", "").startswith(prefix)]
    print("\n== ProcessingErrors: %d for this run" % len(errors))
    for e in errors:
        print("   %s  retryCount %s  %s" % (e["orderId"]["S"], e["retryCount"]["N"], e["error"]["S"]))
    [alarm] = cw.describe_alarms(AlarmNames=["ecommerce-orders-dead-letters"])["MetricAlarms"] or [None]
    if alarm:
        print("\n== Alarm %s: %s (evaluated each minute; notifies topic ecommerce-alerts)" % (
            alarm["AlarmName"], alarm["StateValue"]))
    return 0


def replay(a):
    events, sqs = client("events"), client("sqs")
    poison = "ord-%s-credit" % a.run
    sqs.purge_queue(QueueUrl=queue_url("order-processing-dlq.fifo"))
    print("dead-letter queue purged (its events are in the archive)")
    archive = events.describe_archive(ArchiveName="ecommerce-orders")
    bus = events.describe_event_bus(Name="ecommerce-events")["Arn"]
    name = "replay-%s-%d" % (a.run, time.time())
    start = datetime.datetime.fromtimestamp(a.since - 1, datetime.timezone.utc)
    end = datetime.datetime.now(datetime.timezone.utc)
    events.start_replay(ReplayName=name, EventSourceArn=archive["ArchiveArn"], EventStartTime=start,
                        EventEndTime=end, Destination={"Arn": bus})
    print("replay %s: the archive's events from %s to %s onto %s" % (name, start.strftime("%H:%M:%S"),
                                                                    end.strftime("%H:%M:%S"), bus))
    ddb, deadline = client("dynamodb"), time.time() + a.timeout
    while True:
        state = events.describe_replay(ReplayName=name)["State"]
        row = ddb.get_item(TableName="Orders", Key={"orderId": {"S": poison}}).get("Item")
        if state == "COMPLETED" and row:
            break
        if time.time() > deadline:
            print("replay: gave up after %d s (replay %s, order stored: %s)" % (a.timeout, state, bool(row)))
            return 1
        time.sleep(0.25)
    time.sleep(1)  # the replayed duplicates finish their batches
    print("replay COMPLETED; %s stored as a %s of %s" % (poison, row["kind"]["S"], row["amount"]["N"]))
    mine = [m for m in mails() if ("ord-%s-" % a.run) in m["subject"]]
    confirmations = collections.Counter(m["subject"] for m in mine if m["subject"].startswith("Order Confirmation"))
    print("confirmations for this run: %d mails for %d orders (the replayed orders were not mailed twice)" % (
        sum(confirmations.values()), len(confirmations)))
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("verify").set_defaults(fn=verify)
    w = sub.add_parser("wait")
    w.add_argument("run")
    w.add_argument("count", type=int)
    w.add_argument("--poison", action="store_true")
    w.add_argument("--timeout", type=int, default=120)
    w.set_defaults(fn=wait)
    s = sub.add_parser("show")
    s.add_argument("run")
    s.set_defaults(fn=show)
    r = sub.add_parser("replay")
    r.add_argument("run")
    r.add_argument("since", type=float)
    r.add_argument("--timeout", type=int, default=120)
    r.set_defaults(fn=replay)
    a = ap.parse_args()
    return a.fn(a) or 0


if __name__ == "__main__":
    sys.exit(main())
