# SPDX-License-Identifier: MIT
"""The SAM transform through CloudFormation, as a client deploys a SAM
template: create_stack with Transform AWS::Serverless-2016-10-31 makes the
resources SAM generates (under SAM's logical ids), they are real (Lambda,
event source mapping, rule and targets, table), and the system works: a
message on the queue and an event on the bus each reach the function, which
writes to the table. Also the transform's errors as the stack call returns
them. Needs the Lambda, SQS, EventBridge, IAM and DynamoDB providers; a
branch without them skips, saying which is missing."""
import json
import os
import shutil
import tempfile
import time
import unittest

import harness

HANDLER = """
import json, os, boto3
table = boto3.resource("dynamodb").Table(os.environ["TABLE"])

def handler(event, context):
    if "Records" in event:
        for r in event["Records"]:
            table.put_item(Item={"id": "sqs-" + r["body"], "stage": os.environ["STAGE"]})
    else:
        table.put_item(Item={"id": "eb-" + event["detail"]["orderId"], "stage": os.environ["STAGE"]})
    return {"ok": True}
"""


def sam_template(code_dir):
    return json.dumps({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Transform": "AWS::Serverless-2016-10-31",
        "Globals": {"Function": {"Runtime": "python3.12", "Timeout": 30,
                                 "Environment": {"Variables": {"TABLE": {"Ref": "Orders"}, "STAGE": "dev"}}}},
        "Resources": {
            "Bus": {"Type": "AWS::Events::EventBus", "Properties": {"Name": "sam-shop-bus"}},
            "OrderQueue": {"Type": "AWS::SQS::Queue"},
            "Orders": {"Type": "AWS::Serverless::SimpleTable"},
            "Processor": {"Type": "AWS::Serverless::Function", "Properties": {
                "CodeUri": code_dir, "Handler": "app.handler",
                "Environment": {"Variables": {"STAGE": "test"}},
                "Policies": [{"DynamoDBCrudPolicy": {"TableName": {"Ref": "Orders"}}}],
                "Events": {
                    "FromQueue": {"Type": "SQS", "Properties": {
                        "Queue": {"Fn::GetAtt": ["OrderQueue", "Arn"]}, "BatchSize": 1}},
                    "OrderCreated": {"Type": "EventBridgeRule", "Properties": {
                        "EventBusName": {"Ref": "Bus"},
                        "Pattern": {"source": ["ecommerce.orders"], "detail-type": ["Order Created"]}}}}}}},
        "Outputs": {"FunctionName": {"Value": {"Ref": "Processor"}},
                    "QueueUrl": {"Value": {"Ref": "OrderQueue"}},
                    "TableName": {"Value": {"Ref": "Orders"}}},
    })


class SamTest(harness.ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cf = cls.server.client("cloudformation")
        cls.code = tempfile.mkdtemp(prefix="runnel-sam-")
        with open(os.path.join(cls.code, "app.py"), "w") as f:
            f.write(HANDLER)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.code, ignore_errors=True)
        super().tearDownClass()

    def wait(self, name):
        for _ in range(200):
            s = self.cf.describe_stacks(StackName=name)["Stacks"][0]
            if not s["StackStatus"].endswith("IN_PROGRESS"):
                return s
            time.sleep(0.05)
        self.fail("stack %s still in progress" % name)

    def create(self, name, body):
        self.cf.create_stack(StackName=name, TemplateBody=body,
                             Capabilities=["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"])
        return self.wait(name)


class TestSamStack(SamTest):
    def test_sam_stack_makes_sams_resources_and_they_work(self):
        s = self.create("sam-shop", sam_template(self.code))
        self.assertEqual(s["StackStatus"], "CREATE_COMPLETE", s.get("StackStatusReason"))
        res = {r["LogicalResourceId"]: r for r in
               self.cf.describe_stack_resources(StackName="sam-shop")["StackResources"]}
        self.assertEqual({k: v["ResourceType"] for k, v in res.items()}, {
            "Bus": "AWS::Events::EventBus",
            "OrderQueue": "AWS::SQS::Queue",
            "Orders": "AWS::DynamoDB::Table",
            "Processor": "AWS::Lambda::Function",
            "ProcessorRole": "AWS::IAM::Role",
            "ProcessorFromQueue": "AWS::Lambda::EventSourceMapping",
            "ProcessorOrderCreated": "AWS::Events::Rule",
            "ProcessorOrderCreatedPermission": "AWS::Lambda::Permission",
        })
        out = {o["OutputKey"]: o["OutputValue"] for o in s["Outputs"]}

        # the real resources, as SAM shaped them
        lam = self.server.client("lambda")
        fn = lam.get_function(FunctionName=out["FunctionName"])["Configuration"]
        self.assertEqual(fn["Runtime"], "python3.12")  # from Globals
        self.assertEqual(fn["Timeout"], 30)
        self.assertEqual(fn["Environment"]["Variables"], {"TABLE": out["TableName"], "STAGE": "test"})
        maps = lam.list_event_source_mappings(FunctionName=out["FunctionName"])["EventSourceMappings"]
        self.assertEqual([m["BatchSize"] for m in maps], [1])
        ev = self.server.client("events")
        rules = ev.list_rules(EventBusName="sam-shop-bus")["Rules"]
        self.assertEqual(len(rules), 1)
        targets = ev.list_targets_by_rule(Rule=rules[0]["Name"], EventBusName="sam-shop-bus")["Targets"]
        self.assertEqual([(t["Id"], t["Arn"]) for t in targets],
                         [("ProcessorOrderCreatedLambdaTarget", fn["FunctionArn"])])
        ddb = self.server.client("dynamodb")
        table = ddb.describe_table(TableName=out["TableName"])["Table"]
        self.assertEqual(table["KeySchema"], [{"AttributeName": "id", "KeyType": "HASH"}])
        self.assertEqual(table["BillingModeSummary"]["BillingMode"], "PAY_PER_REQUEST")

        # and the system runs: the queue and the bus both reach the function
        self.server.client("sqs").send_message(QueueUrl=out["QueueUrl"], MessageBody="o1")
        ev.put_events(Entries=[{"Source": "ecommerce.orders", "DetailType": "Order Created",
                                "Detail": json.dumps({"orderId": "o2"}), "EventBusName": "sam-shop-bus"}])
        want = {"sqs-o1", "eb-o2"}
        items = set()
        for _ in range(300):
            items = {i["id"]["S"] for i in ddb.scan(TableName=out["TableName"])["Items"]}
            if want <= items:
                break
            time.sleep(0.1)
        self.assertEqual(items, want)

        self.cf.delete_stack(StackName="sam-shop")
        stack_id = s["StackId"]
        self.assertEqual(self.wait(stack_id)["StackStatus"], "DELETE_COMPLETE")
        self.assertEqual(lam.list_functions()["Functions"], [])


YAML_TEMPLATE = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.12
    Layers:
      - !Ref HelperLayer
    Environment:
      Variables:
        TABLE: !Ref Items
Resources:
  HelperLayer:
    Type: AWS::Serverless::LayerVersion
    Properties:
      ContentUri: {layer}
      CompatibleRuntimes: [python3.12]
      RetentionPolicy: Delete
  Items:
    Type: AWS::Serverless::SimpleTable
    Properties:
      PrimaryKey: {{Name: pk, Type: String}}
  Topic:
    Type: AWS::SNS::Topic
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: {code}
      Handler: worker.handler
      Policies:
        - DynamoDBCrudPolicy: {{TableName: !Ref Items}}
      Events:
        Direct:
          Type: SNS
          Properties:
            Topic: !Ref Topic
        Buffered:
          Type: SNS
          Properties:
            Topic: !Ref Topic
            SqsSubscription: true
        Tick:
          Type: Schedule
          Properties:
            Schedule: rate(1 minute)
            Enabled: false
Outputs:
  Topic: {{Value: !Ref Topic}}
  Table: {{Value: !Ref Items}}
"""

WORKER = """
import os, boto3, helper
table = boto3.resource("dynamodb").Table(os.environ["TABLE"])

def handler(event, context):
    for r in event["Records"]:
        via = "sns" if "Sns" in r else "sqs"
        table.put_item(Item={"pk": helper.tag(via)})
"""


class TestSamYaml(SamTest):
    def test_yaml_sam_with_layer_sns_queue_subscription_and_schedule(self):
        layer = os.path.join(self.code, "layer")
        os.makedirs(os.path.join(layer, "python"))
        with open(os.path.join(layer, "python", "helper.py"), "w") as f:
            f.write("def tag(s):\n    return 'layer-' + s\n")
        code = os.path.join(self.code, "worker")
        os.makedirs(code)
        with open(os.path.join(code, "worker.py"), "w") as f:
            f.write(WORKER)
        try:
            self.cf.validate_template(TemplateBody="Resources:\n  Q:\n    Type: AWS::SQS::Queue\n")
        except self.cf.exceptions.ClientError as e:
            self.skipTest("YAML templates are not read on this branch: " + e.response["Error"]["Message"])
        s = self.create("sam-yaml", YAML_TEMPLATE.format(layer=layer, code=code))
        self.assertEqual(s["StackStatus"], "CREATE_COMPLETE", s.get("StackStatusReason"))
        res = {r["LogicalResourceId"]: r["ResourceType"] for r in
               self.cf.describe_stack_resources(StackName="sam-yaml")["StackResources"]}
        layer_ids = [k for k in res if k.startswith("HelperLayer")]
        self.assertEqual(len(layer_ids), 1)
        self.assertRegex(layer_ids[0], r"^HelperLayer[0-9a-f]{10}$")
        del res[layer_ids[0]]
        self.assertEqual(res, {
            "Items": "AWS::DynamoDB::Table", "Topic": "AWS::SNS::Topic",
            "Worker": "AWS::Lambda::Function", "WorkerRole": "AWS::IAM::Role",
            "WorkerDirect": "AWS::SNS::Subscription", "WorkerDirectPermission": "AWS::Lambda::Permission",
            "WorkerBuffered": "AWS::SNS::Subscription", "WorkerBufferedQueue": "AWS::SQS::Queue",
            "WorkerBufferedQueuePolicy": "AWS::SQS::QueuePolicy",
            "WorkerBufferedEventSourceMapping": "AWS::Lambda::EventSourceMapping",
            "WorkerTick": "AWS::Events::Rule", "WorkerTickPermission": "AWS::Lambda::Permission",
        })
        out = {o["OutputKey"]: o["OutputValue"] for o in s["Outputs"]}
        rules = self.server.client("events").list_rules()["Rules"]
        self.assertEqual([(r["ScheduleExpression"], r["State"]) for r in rules], [("rate(1 minute)", "DISABLED")])
        # one publish reaches the function twice: straight from SNS, and through the queue
        self.server.client("sns").publish(TopicArn=out["Topic"], Message="hi")
        ddb = self.server.client("dynamodb")
        items = set()
        for _ in range(300):
            items = {i["pk"]["S"] for i in ddb.scan(TableName=out["Table"])["Items"]}
            if len(items) == 2:
                break
            time.sleep(0.1)
        self.assertEqual(items, {"layer-sns", "layer-sqs"})


class TestSamUpdate(SamTest):
    def test_changed_layer_code_is_a_new_layer_version_on_update(self):
        layer = os.path.join(self.code, "upd-layer")
        os.makedirs(os.path.join(layer, "python"))
        helper = os.path.join(layer, "python", "helper.py")
        with open(helper, "w") as f:
            f.write("WORD = 'old'\n")
        body = json.dumps({"Transform": "AWS::Serverless-2016-10-31", "Resources": {
            "Lib": {"Type": "AWS::Serverless::LayerVersion",
                    "Properties": {"ContentUri": layer, "RetentionPolicy": "Delete"}},
            "Fn": {"Type": "AWS::Serverless::Function", "Properties": {
                "Runtime": "python3.12", "Handler": "index.handler", "Layers": [{"Ref": "Lib"}],
                "InlineCode": "import helper\ndef handler(e, c):\n    return helper.WORD\n"}}},
            "Outputs": {"Fn": {"Value": {"Ref": "Fn"}}}})
        s = self.create("sam-upd", body)
        self.assertEqual(s["StackStatus"], "CREATE_COMPLETE", s.get("StackStatusReason"))
        fn = s["Outputs"][0]["OutputValue"]
        lam = self.server.client("lambda")
        self.assertEqual(json.load(lam.invoke(FunctionName=fn)["Payload"]), "old")
        with open(helper, "w") as f:
            f.write("WORD = 'new one'\n")
        self.cf.update_stack(StackName="sam-upd", TemplateBody=body,
                             Capabilities=["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"])
        self.assertEqual(self.wait("sam-upd")["StackStatus"], "UPDATE_COMPLETE")
        layers = lam.get_function(FunctionName=fn)["Configuration"]["Layers"]
        self.assertTrue(layers[0]["Arn"].endswith(":layer:Lib:2"), layers)
        self.assertEqual(json.load(lam.invoke(FunctionName=fn)["Payload"]), "new one")


class TestSamAlias(SamTest):
    def test_auto_publish_alias_with_a_queue_event(self):
        body = json.dumps({"Transform": "AWS::Serverless-2016-10-31", "Resources": {
            "Q": {"Type": "AWS::SQS::Queue"},
            "Seen": {"Type": "AWS::Serverless::SimpleTable"},
            "Fn": {"Type": "AWS::Serverless::Function", "Properties": {
                "Runtime": "python3.12", "Handler": "app.handler", "CodeUri": self.code, "AutoPublishAlias": "live",
                "Environment": {"Variables": {"TABLE": {"Ref": "Seen"}, "STAGE": "alias"}},
                "Events": {"Jobs": {"Type": "SQS", "Properties": {"Queue": {"Fn::GetAtt": ["Q", "Arn"]}}}}}}},
            "Outputs": {"Url": {"Value": {"Ref": "Q"}}, "Table": {"Value": {"Ref": "Seen"}},
                        "Fn": {"Value": {"Ref": "Fn"}}}})
        s = self.create("sam-alias", body)
        self.assertEqual(s["StackStatus"], "CREATE_COMPLETE", s.get("StackStatusReason"))
        out = {o["OutputKey"]: o["OutputValue"] for o in s["Outputs"]}
        lam = self.server.client("lambda")
        self.assertEqual(lam.get_alias(FunctionName=out["Fn"], Name="live")["FunctionVersion"], "1")
        maps = lam.list_event_source_mappings(FunctionName=out["Fn"])["EventSourceMappings"]
        self.assertEqual(len(maps), 1)
        self.server.client().send_message(QueueUrl=out["Url"], MessageBody="via-alias")
        ddb = self.server.client("dynamodb")
        for _ in range(200):
            if ddb.get_item(TableName=out["Table"], Key={"id": {"S": "sqs-via-alias"}}).get("Item"):
                break
            time.sleep(0.05)
        self.assertEqual(ddb.get_item(TableName=out["Table"], Key={"id": {"S": "sqs-via-alias"}})["Item"]["stage"],
                         {"S": "alias"})


class TestSamErrors(SamTest):
    def test_transform_error_is_the_calls_error(self):
        body = json.dumps({"Transform": "AWS::Serverless-2016-10-31", "Resources": {
            "Fn": {"Type": "AWS::Serverless::Function", "Properties": {
                "InlineCode": "x", "Handler": "h", "Runtime": "python3.12",
                "Events": {"Get": {"Type": "Api", "Properties": {"Path": "/", "Method": "get"}}}}}}})
        with self.assertRaises(self.cf.exceptions.ClientError) as e:
            self.cf.create_stack(StackName="sam-bad", TemplateBody=body, Capabilities=["CAPABILITY_AUTO_EXPAND"])
        self.assertEqual(e.exception.response["Error"]["Code"], "ValidationError")
        self.assertEqual(
            e.exception.response["Error"]["Message"],
            "Transform AWS::Serverless-2016-10-31 failed with: Invalid Serverless Application Specification "
            "document. Number of errors found: 1. Resource with id [Fn] is invalid. Event with id [Get] is invalid. "
            "Event type Api is not supported by Runnel: Runnel has no API Gateway.")


if __name__ == "__main__":
    unittest.main()
