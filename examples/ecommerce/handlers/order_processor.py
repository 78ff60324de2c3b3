# SPDX-License-Identifier: MIT
"""The order processor: a Lambda function fed by the FIFO order queue
(order-processing.fifo) through an SQS event source mapping with
ReportBatchItemFailures.

For each "Order Created" event:
  1. checks the order (a negative amount is refused unless ACCEPT_CREDITS is
     "true": credit notes are the "fix" of the README's replay runbook);
  2. stores it in Orders with a conditional PutItem, so a message delivered
     twice (at-least-once delivery, a replay) is stored and mailed once;
  3. routes it by amount: above PRIORITY_THRESHOLD it is a priority order and
     the notifications queue gets a request to alert the operations team
     (the seed's routing handler, with the seed's "> 1000");
  4. mails the customer a confirmation through SES;
  5. counts it in CloudWatch (one PutMetricData per batch).
A failure is recorded by the ErrorHandler (ProcessingErrors) and reported in
batchItemFailures; the message comes back after a 2^n s back-off, and after
three receives the queue's redrive policy moves it to the DLQ. On a FIFO queue
the records after a failed one are not processed (they are failed too), so
the group's order holds."""
import json
import os
import time
from decimal import Decimal

import boto3
from botocore.exceptions import ClientError

from envelope import read_event
from errors import ErrorHandler

ORDERS_TABLE = os.environ.get("ORDERS_TABLE", "Orders")
NOTIFICATION_QUEUE_URL = os.environ.get("NOTIFICATION_QUEUE_URL", "")
MAIL_FROM = os.environ.get("MAIL_FROM", "noreply@ecommerce.com")
PRIORITY_THRESHOLD = Decimal(os.environ.get("PRIORITY_THRESHOLD", "1000"))
ACCEPT_CREDITS = os.environ.get("ACCEPT_CREDITS", "false").lower() == "true"
NAMESPACE = os.environ.get("METRICS_NAMESPACE", "Ecommerce")

# Clients are made once per instance and reused by its later invocations.
dynamodb = boto3.resource("dynamodb")
orders = dynamodb.Table(ORDERS_TABLE)
sqs = boto3.client("sqs")
ses = boto3.client("ses")
cloudwatch = boto3.client("cloudwatch")
errors = ErrorHandler()
queue_urls = {}


class InvalidOrder(Exception):
    pass


def check(detail):
    for name in ("orderId", "customerId"):
        if not isinstance(detail.get(name), str) or not detail[name]:
            raise InvalidOrder("order has no %s" % name)
    amount = detail.get("amount")
    if not isinstance(amount, (int, Decimal)) or isinstance(amount, bool):
        raise InvalidOrder("order %s: amount is not a number: %r" % (detail["orderId"], amount))
    if amount < 0 and not ACCEPT_CREDITS:
        raise InvalidOrder("order %s: negative amount %s (credit notes are not accepted)" % (detail["orderId"], amount))
    return Decimal(amount)


def store(event, detail, amount, priority):
    """True when the order is new; False when it was stored before."""
    item = dict(detail)
    item.update({"amount": amount, "priority": priority, "status": "CONFIRMED",
                 "kind": "credit" if amount < 0 else "order",
                 "eventId": event["id"], "eventTime": event.get("time", ""),
                 "processedAt": int(time.time())})
    try:
        orders.put_item(Item=item, ConditionExpression="attribute_not_exists(orderId)")
        return True
    except ClientError as e:
        if e.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return False
        raise


def confirm(detail):
    """The seed's confirmation mail (NotificationManager.send_email)."""
    ses.send_email(
        Source=MAIL_FROM,
        Destination={"ToAddresses": ["customer+%s@example.com" % detail["customerId"]]},
        Message={"Subject": {"Data": "Order Confirmation - %s" % detail["orderId"]},
                 "Body": {"Text": {"Data": "Your order %s has been confirmed." % detail["orderId"]}}})


def alert_priority(detail, amount):
    if NOTIFICATION_QUEUE_URL:
        sqs.send_message(QueueUrl=NOTIFICATION_QUEUE_URL, MessageBody=json.dumps({
            "type": "priority_order", "orderId": detail["orderId"], "customerId": detail["customerId"],
            "amount": str(amount)}))


def process(event, metrics):
    started = time.time()
    detail = event["detail"]
    if event["detail-type"] != "Order Created":
        print("skipping %s event %s" % (event["detail-type"], event.get("id")))
        return
    amount = check(detail)
    priority = "high" if amount > PRIORITY_THRESHOLD else "standard"
    if not store(event, detail, amount, priority):
        print("order %s was processed before (event %s): nothing to do" % (detail["orderId"], event["id"]))
        metrics.append(metric("DuplicateOrders", 1, "Count"))
        return
    if priority == "high":
        alert_priority(detail, amount)
    confirm(detail)
    print("order %s stored (%s priority, %s)" % (detail["orderId"], priority, amount))
    dims = [{"Name": "Priority", "Value": priority}]
    metrics.append(metric("OrdersProcessed", 1, "Count", dims))
    metrics.append(metric("OrderValue", float(amount), "None", dims))
    metrics.append(metric("ProcessingTime", (time.time() - started) * 1000, "Milliseconds",
                          [{"Name": "Source", "Value": event["source"]}, {"Name": "Type", "Value": event["detail-type"]}]))


def metric(name, value, unit, dims=()):
    return {"MetricName": name, "Value": value, "Unit": unit, "Dimensions": list(dims)}


def queue_url(arn):
    """The URL of the queue whose ARN is the record's eventSourceARN."""
    if arn not in queue_urls:
        _, _, _, _, account, name = arn.split(":", 5)
        queue_urls[arn] = sqs.get_queue_url(QueueName=name, QueueOwnerAWSAccountId=account)["QueueUrl"]
    return queue_urls[arn]


def handler(event, context):
    records = event.get("Records", [])
    failures, metrics = [], []
    for i, record in enumerate(records):
        try:
            process(read_event(record), metrics)
        except Exception as error:  # noqa: BLE001 -- every failure is reported per record
            retry_count = int(record["attributes"].get("ApproximateReceiveCount", "1")) - 1
            try:
                failed_event = read_event(record)
            except ValueError:
                failed_event = {"id": record["messageId"]}
            print("order event %s failed (attempt %d): %s" % (failed_event.get("id"), retry_count + 1, error))
            action = errors.handle_error(failed_event, error, retry_count)
            metrics.append(metric("FailedOrders", 1, "Count"))
            # FIFO: the records after a failed one wait with it, unprocessed
            fifo = record["eventSourceARN"].endswith(".fifo")
            rest = records[i:] if fifo else [record]
            failures += [{"itemIdentifier": r["messageId"]} for r in rest]
            if action["action"] == "retry":
                errors.back_off(queue_url(record["eventSourceARN"]), [r["receiptHandle"] for r in rest],
                                action["delay"])
            if fifo:
                break
    if metrics:
        for i in range(0, len(metrics), 1000):
            cloudwatch.put_metric_data(Namespace=NAMESPACE, MetricData=metrics[i:i + 1000])
    return {"batchItemFailures": failures}
