# SPDX-License-Identifier: MIT
"""Reading what EventBridge puts in an SQS message.

A rule that targets a queue sends the whole event envelope as the message
body, as JSON:

    {"version": "0", "id": "...", "detail-type": "Order Created",
     "source": "ecommerce.orders", "account": "...", "time": "...",
     "region": "...", "resources": [], "detail": {"orderId": ...}}

The member is "detail-type" (not "DetailType") and "detail" is an object
(not a JSON string): "DetailType"/"Detail" are the names of PutEvents'
*request* members, which never reach a target. Numbers are read as Decimal,
which is what DynamoDB takes (the seed's float would be refused by boto3:
"Float types are not supported. Use Decimal types instead.")."""
import json
from decimal import Decimal


def read_event(record):
    """The EventBridge event carried by an SQS record of a Lambda event."""
    event = json.loads(record["body"], parse_float=Decimal)
    if not isinstance(event, dict) or "detail-type" not in event or not isinstance(event.get("detail"), dict):
        raise ValueError("not an EventBridge event: %.200s" % record["body"])
    return event
