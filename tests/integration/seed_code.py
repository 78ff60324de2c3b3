# SPDX-License-Identifier: MIT
"""The seed's own code (../shared/seed/event-driven-architecture.txt),
verbatim where it is correct about AWS, for the tests that run it
unmodified against the server: EventPublisher, SQSProcessor.process_order,
ErrorHandler, EventMetricsCollector and NotificationManager's send_email
call (a fragment in the seed; here inside the method its `data["order_id"]`
implies). The seed builds its clients with no endpoint, as code meant for
AWS does: `reaching(server)` points them at the server."""
import contextlib
import json
import os
from datetime import datetime

import boto3

import harness


@contextlib.contextmanager
def reaching(server):
    """For the with block, boto3 clients and resources built without an
    endpoint reach server: AWS_ENDPOINT_URL (read by boto3 1.28 and later),
    and the same default given by hand to older ones (Debian 12's 1.26), as
    Runnel's Lambda bootstrap gives it."""
    if tuple(int(x) for x in boto3.__version__.split(".")[:2]) < (1, 28) and not getattr(boto3.Session, "_seed", 0):
        def with_endpoint(make):
            def wrapped(self, *args, **kw):
                if len(args) < 5 and kw.get("endpoint_url") is None and os.environ.get("AWS_ENDPOINT_URL"):
                    kw["endpoint_url"] = os.environ["AWS_ENDPOINT_URL"]
                return make(self, *args, **kw)
            return wrapped
        boto3.Session.client = with_endpoint(boto3.Session.client)
        boto3.Session.resource = with_endpoint(boto3.Session.resource)
        boto3.Session._seed = 1
    with harness.endpoint_env(server):
        yield


# ---- the seed's code from here, verbatim ----

class EventPublisher:
    def __init__(self, event_bus_name="ecommerce-events"):
        self.event_bus_name = event_bus_name
        self.eventbridge = boto3.client('events')

    def publish_order_created(self, order_id, customer_id, amount):
        """Publish order created event"""
        event = {
            'Source': 'ecommerce.orders',
            'DetailType': 'Order Created',
            'Detail': json.dumps({
                'orderId': order_id,
                'customerId': customer_id,
                'amount': amount,
                'timestamp': datetime.utcnow().isoformat()
            }),
            'EventBusName': self.event_bus_name
        }

        response = self.eventbridge.put_events(Entries=[event])
        return response['FailedEntryCount'] == 0


class SQSProcessor:  # process_order only: process_messages reads DetailType/Detail, which AWS never sends
    def __init__(self):
        self.dynamodb = boto3.resource('dynamodb')

    def process_order(self, detail):
        """Process order event"""
        table = self.dynamodb.Table('Orders')
        table.put_item(Item=detail)


class ErrorHandler:
    def __init__(self):
        self.sqs = boto3.client('sqs')
        self.dynamodb = boto3.resource('dynamodb')

    def handle_error(self, event, error, retry_count=0):
        """Handle processing errors with retry logic"""
        # Log error
        error_table = self.dynamodb.Table('ProcessingErrors')
        error_table.put_item(Item={
            'eventId': event.get('id'),
            'error': str(error),
            'retryCount': retry_count
        })

        # Retry with exponential backoff
        if retry_count < 3:
            delay = 2 ** retry_count
            return {'action': 'retry', 'delay': delay}
        else:
            return {'action': 'dlq'}  # Send to dead letter queue


class EventMetricsCollector:
    def __init__(self):
        self.cloudwatch = boto3.client('cloudwatch')

    def track_event(self, event_source, event_type, processing_time, success):
        """Track event processing metrics"""
        self.cloudwatch.put_metric_data(
            Namespace='EventDriven',
            MetricData=[{
                'MetricName': 'ProcessingTime',
                'Value': processing_time,
                'Unit': 'Milliseconds',
                'Dimensions': [
                    {'Name': 'Source', 'Value': event_source},
                    {'Name': 'Type', 'Value': event_type}
                ]
            }]
        )


class NotificationManager:
    def __init__(self):
        self.ses = boto3.client('ses')

    def send_order_confirmation(self, customer_id, data):
        try:
            # In production, use SES templates
            self.ses.send_email(
                Source='noreply@ecommerce.com',
                Destination={'ToAddresses': [f'customer+{customer_id}@example.com']},
                Message={
                    'Subject': {'Data': f'Order Confirmation - {data["order_id"]}'},
                    'Body': {
                        'Text': {'Data': f'Your order {data["order_id"]} has been confirmed.'}
                    }
                }
            )
            print(f"Email sent to customer {customer_id}")
        except Exception as e:
            print(f"Failed to send email: {str(e)}")
