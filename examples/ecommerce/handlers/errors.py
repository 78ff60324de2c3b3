# SPDX-License-Identifier: MIT
"""The seed's ErrorHandler, with its table name from the environment: every
failed attempt is recorded in ProcessingErrors, and the retry waits 2^n
seconds (n = the attempts before this one) by shortening the message's
visibility timeout; after maxReceiveCount receives the queue's redrive
policy moves the message to the dead-letter queue."""
import os
import time

import boto3

ERRORS_TABLE = os.environ.get("ERRORS_TABLE", "ProcessingErrors")
MAX_RETRIES = 3


class ErrorHandler:
    def __init__(self):
        self.sqs = boto3.client("sqs")
        self.dynamodb = boto3.resource("dynamodb")

    def handle_error(self, event, error, retry_count=0):
        """Records the error; says what to do with the message: retry after
        `delay` seconds, or leave it for the dead-letter queue."""
        self.dynamodb.Table(ERRORS_TABLE).put_item(Item={
            "eventId": event.get("id") or "unknown",
            "orderId": str(event.get("detail", {}).get("orderId", "")) if isinstance(event.get("detail"), dict) else "",
            "error": str(error),
            "errorType": type(error).__name__,
            "retryCount": retry_count,
            "at": int(time.time()),
        })
        if retry_count < MAX_RETRIES:
            return {"action": "retry", "delay": 2 ** retry_count}
        return {"action": "dlq"}

    def back_off(self, queue_url, receipt_handles, delay):
        """Makes the messages visible again after `delay` seconds instead of
        the queue's whole visibility timeout."""
        entries = [{"Id": str(i), "ReceiptHandle": h, "VisibilityTimeout": delay}
                   for i, h in enumerate(receipt_handles)]
        for i in range(0, len(entries), 10):
            self.sqs.change_message_visibility_batch(QueueUrl=queue_url, Entries=entries[i:i + 10])
