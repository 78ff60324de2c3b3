# SPDX-License-Identifier: MIT
"""The e-commerce example's resources made one API call at a time, the way
examples/ecommerce/template.yaml describes them: the stand-in test_example.py
uses while this build's CloudFormation cannot deploy the template (its YAML parser or SAM
transform not built yet)."""
import json
import os
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HANDLERS = os.path.join(ROOT, "examples", "ecommerce", "handlers")
ROLE = "arn:aws:iam::000000000000:role/ecommerce-functions"


def create_function(endpoint, name, handler, env):
    body = json.dumps({"FunctionName": name, "Runtime": "python3.13", "Role": ROLE, "Handler": handler,
                       "Timeout": 30, "MemorySize": 256, "Environment": {"Variables": env},
                       "Code": {"RunnelCodeDirectory": HANDLERS}}).encode()
    req = urllib.request.Request(endpoint + "/2015-03-31/functions", data=body, method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())["FunctionArn"]


def deploy(server, accept_credits="false"):
    sqs, ev, ddb = server.client("sqs"), server.client("events"), server.client("dynamodb")
    lam, sns, cw = server.client("lambda"), server.client("sns"), server.client("cloudwatch")
    arn = "arn:aws:sqs:us-east-1:000000000000:"
    dlq = sqs.create_queue(QueueName="order-processing-dlq.fifo",
                           Attributes={"FifoQueue": "true", "MessageRetentionPeriod": "1209600"})["QueueUrl"]
    orders = sqs.create_queue(QueueName="order-processing.fifo", Attributes={
        "FifoQueue": "true", "ContentBasedDeduplication": "true", "VisibilityTimeout": "300",
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": arn + "order-processing-dlq.fifo",
                                     "maxReceiveCount": 3})})["QueueUrl"]
    inventory = sqs.create_queue(QueueName="inventory-updates", Attributes={"VisibilityTimeout": "180"})["QueueUrl"]
    notifications = sqs.create_queue(QueueName="notifications", Attributes={
        "VisibilityTimeout": "180", "ReceiveMessageWaitTimeSeconds": "20"})["QueueUrl"]
    bus_arn = ev.create_event_bus(Name="ecommerce-events")["EventBusArn"]
    ev.put_rule(Name="OrderCreatedRule", EventBusName="ecommerce-events",
                EventPattern=json.dumps({"source": ["ecommerce.orders"], "detail-type": ["Order Created"]}))
    ev.put_targets(Rule="OrderCreatedRule", EventBusName="ecommerce-events", Targets=[
        {"Id": "OrderTarget", "Arn": arn + "order-processing.fifo", "SqsParameters": {"MessageGroupId": "orders"}},
        {"Id": "InventoryTarget", "Arn": arn + "inventory-updates"}])
    ev.create_archive(ArchiveName="ecommerce-orders", EventSourceArn=bus_arn, RetentionDays=14,
                      EventPattern=json.dumps({"source": ["ecommerce.orders"]}))
    for table, key in (("Orders", "orderId"), ("ProcessingErrors", "eventId")):
        ddb.create_table(TableName=table, BillingMode="PAY_PER_REQUEST",
                         AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"}],
                         KeySchema=[{"AttributeName": key, "KeyType": "HASH"}])
    common = {"ORDERS_TABLE": "Orders", "ERRORS_TABLE": "ProcessingErrors", "MAIL_FROM": "noreply@ecommerce.com",
              "METRICS_NAMESPACE": "Ecommerce"}
    create_function(server.endpoint, "ecommerce-order-processor", "order_processor.handler", dict(
        common, NOTIFICATION_QUEUE_URL=notifications, PRIORITY_THRESHOLD="1000", ACCEPT_CREDITS=accept_credits))
    create_function(server.endpoint, "ecommerce-fulfilment", "fulfilment.handler", dict(
        common, OPS_MAIL="ops@ecommerce.com"))
    for fn, queue in (("ecommerce-order-processor", "order-processing.fifo"),
                      ("ecommerce-fulfilment", "inventory-updates"), ("ecommerce-fulfilment", "notifications")):
        lam.create_event_source_mapping(FunctionName=fn, EventSourceArn=arn + queue, BatchSize=10,
                                        FunctionResponseTypes=["ReportBatchItemFailures"])
    topic = sns.create_topic(Name="ecommerce-alerts")["TopicArn"]
    cw.put_metric_alarm(AlarmName="ecommerce-orders-dead-letters", Namespace="AWS/SQS",
                        MetricName="ApproximateNumberOfMessagesVisible",
                        Dimensions=[{"Name": "QueueName", "Value": "order-processing-dlq.fifo"}],
                        Statistic="Maximum", Period=60, EvaluationPeriods=1, Threshold=0,
                        ComparisonOperator="GreaterThanThreshold", TreatMissingData="notBreaching",
                        AlarmActions=[topic], OKActions=[topic])
    return {"EventBusName": "ecommerce-events", "EventBusArn": bus_arn, "ArchiveName": "ecommerce-orders",
            "OrderQueueUrl": orders, "DeadLetterQueueUrl": dlq, "InventoryQueueUrl": inventory,
            "NotificationQueueUrl": notifications, "OrdersTableName": "Orders",
            "ProcessingErrorsTableName": "ProcessingErrors", "OrderProcessorName": "ecommerce-order-processor",
            "AlertTopicArn": topic, "DeadLetterAlarmName": "ecommerce-orders-dead-letters"}
