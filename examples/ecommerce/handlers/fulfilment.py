# SPDX-License-Identifier: MIT
"""The notification and inventory consumer: one Lambda function fed by two
standard queues.

- inventory-updates (the OrderCreatedRule's second target, the EventBridge
  envelope): reserves the order's stock. Here that is a log line and an
  ItemsReserved metric; a real shop would call its warehouse.
- notifications (requests the order processor sends for priority orders):
  mails the operations team through SES (the seed's NotificationManager).
Failures are reported per record (ReportBatchItemFailures)."""
import json
import os

import boto3

from envelope import read_event

MAIL_FROM = os.environ.get("MAIL_FROM", "noreply@ecommerce.com")
OPS_MAIL = os.environ.get("OPS_MAIL", "ops@ecommerce.com")
NAMESPACE = os.environ.get("METRICS_NAMESPACE", "Ecommerce")

ses = boto3.client("ses")
cloudwatch = boto3.client("cloudwatch")


class NotificationManager:
    def __init__(self):
        self.ses = ses

    def send_notification(self, kind, data):
        if kind == "priority_order":
            self.send_email(OPS_MAIL, "Priority order - %s" % data["orderId"],
                            "Order %s of customer %s: %s. Fast-track it." % (
                                data["orderId"], data["customerId"], data["amount"]))
        else:
            raise ValueError("unknown notification type %r" % kind)

    def send_email(self, to, subject, text):
        self.ses.send_email(Source=MAIL_FROM, Destination={"ToAddresses": [to]},
                            Message={"Subject": {"Data": subject}, "Body": {"Text": {"Data": text}}})


notifications = NotificationManager()


def reserve_stock(event):
    detail = event["detail"]
    items = detail.get("items") or [{"sku": "unknown", "quantity": 1}]
    count = sum(int(i.get("quantity", 1)) for i in items if isinstance(i, dict)) or len(items)
    print("reserving %d item(s) for order %s" % (count, detail.get("orderId")))
    return count


def handler(event, context):
    failures, reserved = [], 0
    for record in event.get("Records", []):
        try:
            body = json.loads(record["body"])
            if isinstance(body, dict) and "detail-type" in body:
                reserved += reserve_stock(read_event(record))
            else:
                notifications.send_notification(body.get("type"), body)
        except Exception as error:  # noqa: BLE001 -- every failure is reported per record
            print("record %s failed: %s" % (record["messageId"], error))
            failures.append({"itemIdentifier": record["messageId"]})
    if reserved:
        cloudwatch.put_metric_data(Namespace=NAMESPACE, MetricData=[
            {"MetricName": "ItemsReserved", "Value": reserved, "Unit": "Count"}])
    return {"batchItemFailures": failures}
