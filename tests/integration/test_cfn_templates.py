# SPDX-License-Identifier: MIT
"""CloudFormation's template language end to end through boto3: YAML
templates with the short-form tags, parameters, mappings, conditions,
pseudo parameters and every intrinsic function deploy, and what they
evaluate to is read back from the real queues and the stack's outputs;
template and parameter errors come back as ValidationError with AWS's
texts."""
import json
import unittest

import botocore

import harness

FULL = """
AWSTemplateFormatVersion: '2010-09-09'
Description: every intrinsic, read back through outputs
Parameters:
  Env:
    Type: String
    Default: prod
    AllowedValues: [dev, prod]
  Names:
    Type: CommaDelimitedList
    Default: alpha,beta,gamma
  Secret:
    Type: String
    NoEcho: true
    Default: hunter2
Mappings:
  Tier:
    prod: {Suffix: live, Retries: 5}
    dev: {Suffix: test, Retries: 1}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsDev: !Not [!Condition IsProd]
  ProdAndThree: !And [!Condition IsProd, !Equals [3, !Length [a, b, c]]]
Resources:
  Dlq:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Sub '${AWS::StackName}-${Env}-dlq'
  Main:
    Type: AWS::SQS::Queue
    DependsOn: Dlq
    Properties:
      QueueName: !Join
        - '-'
        - - !Select [1, !Ref Names]
          - !FindInMap [Tier, !Ref Env, Suffix]
          - !If [IsProd, main, !Ref AWS::NoValue]
  DevOnly:
    Type: AWS::SQS::Queue
    Condition: IsDev
    Properties:
      QueueName: !Sub '${AWS::StackName}-dev-only'
Outputs:
  DlqArn:
    Value: !GetAtt Dlq.Arn
  MainUrl:
    Value: !Ref Main
  Sub:
    Value: !Sub
      - '${AWS::Region}/${AWS::AccountId}/${AWS::Partition}/${AWS::URLSuffix}/${Main.QueueName}/${X}/${!Literal}'
      - X: !FindInMap [Tier, !Ref Env, Retries]
  Azs:
    Value: !Join [',', !GetAZs '']
  Cidr:
    Value: !Select [2, !Cidr ['10.1.0.0/16', 4, 8]]
  Split:
    Value: !Select [1, !Split ['/', 'a/b/c']]
  B64:
    Value: !Base64 hello
  Json:
    Value: !ToJsonString {env: !Ref Env, on: !If [ProdAndThree, 'yes', 'no']}
  Secret:
    Value: !Ref Secret
  DevOutput:
    Condition: IsDev
    Value: !Ref DevOnly
"""

# The seed's kind of system in one YAML template: a bus and rule into a FIFO
# queue with a DLQ, a topic with an SQS subscription, a table, a log group,
# a role and an inline function, wired together by Ref, GetAtt, Sub and Join.
SHOP = r"""
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Stage: {Type: String, Default: dev}
Resources:
  Bus:
    Type: AWS::Events::EventBus
    Properties: {Name: !Sub "orders-${Stage}"}
  Dlq:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Sub "${AWS::StackName}-dlq.fifo"
      FifoQueue: true
  Orders:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Sub "${AWS::StackName}-orders.fifo"
      FifoQueue: true
      ContentBasedDeduplication: true
      VisibilityTimeout: 60
      RedrivePolicy:
        deadLetterTargetArn: !GetAtt Dlq.Arn
        maxReceiveCount: 3
  Rule:
    Type: AWS::Events::Rule
    Properties:
      EventBusName: !Ref Bus
      EventPattern:
        source: [shop]
        detail-type: [OrderCreated]
      Targets:
        - Id: orders
          Arn: !GetAtt Orders.Arn
          SqsParameters: {MessageGroupId: orders}
  Topic:
    Type: AWS::SNS::Topic
  Notes:
    Type: AWS::SQS::Queue
  Sub:
    Type: AWS::SNS::Subscription
    Properties:
      TopicArn: !Ref Topic
      Protocol: sqs
      Endpoint: !GetAtt Notes.Arn
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: !Join ["-", [!Ref AWS::StackName, orders]]
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      KeySchema: [{AttributeName: id, KeyType: HASH}]
  Logs:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: !Sub /aws/lambda/${AWS::StackName}-fn
      RetentionInDays: 7
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}]
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      FunctionName: !Sub ${AWS::StackName}-fn
      Runtime: python3.12
      Handler: index.handler
      Role: !GetAtt Role.Arn
      Environment:
        Variables:
          TABLE: !Ref Table
          TOPIC: !Ref Topic
      Code:
        ZipFile: |
          def handler(event, context):
              return {"ok": True}
Outputs:
  BusArn: {Value: !GetAtt Bus.Arn}
  OrdersUrl: {Value: !Ref Orders}
  TableArn: {Value: !GetAtt Table.Arn}
  FnArn: {Value: !GetAtt Fn.Arn}
  TopicName: {Value: !GetAtt Topic.TopicName}
"""


class CfnTemplateTest(harness.ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cf = cls.server.client("cloudformation")

    def outputs(self, name):
        st = self.cf.describe_stacks(StackName=name)["Stacks"][0]
        return {o["OutputKey"]: o["OutputValue"] for o in st.get("Outputs", [])}

    def queue_names(self):
        return sorted(u.rsplit("/", 1)[1] for u in self.sqs.list_queues().get("QueueUrls", []))

    def create(self, name, body, **kw):
        self.cf.create_stack(StackName=name, TemplateBody=body, **kw)
        st = self.cf.describe_stacks(StackName=name)["Stacks"][0]
        self.assertEqual(st["StackStatus"], "CREATE_COMPLETE", st.get("StackStatusReason"))
        return st

    def validation_error(self, body, params=None):
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.cf.create_stack(StackName="bad", TemplateBody=body, Parameters=params or [])
        self.assertEqual(cm.exception.response["Error"]["Code"], "ValidationError")
        return cm.exception.response["Error"]["Message"]


class TestYamlTemplates(CfnTemplateTest):
    def test_every_intrinsic_deploys_and_reads_back(self):
        self.create("tags", FULL)
        names = self.queue_names()
        self.assertIn("tags-prod-dlq", names)
        self.assertIn("beta-live-main", names)
        self.assertNotIn("tags-dev-only", names)  # its Condition is false
        res = {r["LogicalResourceId"] for r in
               self.cf.describe_stack_resources(StackName="tags")["StackResources"]}
        self.assertEqual(res, {"Dlq", "Main"})
        out = self.outputs("tags")
        self.assertTrue(out["DlqArn"].endswith(":tags-prod-dlq"), out["DlqArn"])
        self.assertTrue(out["DlqArn"].startswith("arn:aws:sqs:us-east-1:"), out["DlqArn"])
        self.assertTrue(out["MainUrl"].endswith("/beta-live-main"), out["MainUrl"])
        region, account, partition, suffix, qname, retries, literal = out["Sub"].split("/")
        self.assertEqual((region, partition, suffix, qname, retries, literal),
                         ("us-east-1", "aws", "amazonaws.com", "beta-live-main", "5", "${Literal}"))
        self.assertRegex(account, r"^\d{12}$")
        self.assertEqual(out["Azs"], "us-east-1a,us-east-1b,us-east-1c")
        self.assertEqual(out["Cidr"], "10.1.2.0/24")
        self.assertEqual(out["Split"], "b")
        self.assertEqual(out["B64"], "aGVsbG8=")
        self.assertEqual(out["Json"], '{"env":"prod","on":"yes"}')
        self.assertNotIn("DevOutput", out)

    def test_parameters_and_conditions_switch_the_other_way(self):
        self.create("devstack", FULL, Parameters=[{"ParameterKey": "Env", "ParameterValue": "dev"}])
        names = self.queue_names()
        self.assertIn("devstack-dev-dlq", names)
        self.assertIn("beta-test", names)  # Fn::If gave AWS::NoValue: the element is left out of the join
        self.assertIn("devstack-dev-only", names)
        out = self.outputs("devstack")
        self.assertTrue(out["DevOutput"].endswith("/devstack-dev-only"))
        self.assertEqual(out["Json"], '{"env":"dev","on":"no"}')
        self.assertEqual(out["Sub"].split("/")[5], "1")

    def test_a_whole_system_in_yaml_wires_its_services(self):
        self.create("shop", SHOP, Capabilities=["CAPABILITY_IAM"])
        out = self.outputs("shop")
        self.assertEqual(out["BusArn"], "arn:aws:events:us-east-1:000000000000:event-bus/orders-dev")
        self.assertTrue(out["OrdersUrl"].endswith("/shop-orders.fifo"))
        self.assertEqual(out["TableArn"], "arn:aws:dynamodb:us-east-1:000000000000:table/shop-orders")
        self.assertEqual(out["FnArn"], "arn:aws:lambda:us-east-1:000000000000:function:shop-fn")
        attrs = self.sqs.get_queue_attributes(QueueUrl=out["OrdersUrl"], AttributeNames=["All"])["Attributes"]
        redrive = json.loads(attrs["RedrivePolicy"])
        self.assertTrue(redrive["deadLetterTargetArn"].endswith(":shop-dlq.fifo"))
        self.assertEqual(str(redrive["maxReceiveCount"]), "3")
        self.assertEqual(attrs["VisibilityTimeout"], "60")
        events = self.server.client("events")
        targets = events.list_targets_by_rule(Rule=self.physical("shop", "Rule").split("|")[-1],
                                              EventBusName="orders-dev")["Targets"]
        self.assertEqual([t["Arn"] for t in targets], [attrs["QueueArn"]])
        fn = self.server.client("lambda").get_function_configuration(FunctionName="shop-fn")
        self.assertEqual(fn["Environment"]["Variables"]["TABLE"], "shop-orders")
        self.assertTrue(fn["Environment"]["Variables"]["TOPIC"].startswith("arn:aws:sns:us-east-1:"))

    def physical(self, stack, logical):
        return self.cf.describe_stack_resource(StackName=stack, LogicalResourceId=logical)[
            "StackResourceDetail"]["PhysicalResourceId"]


class TestTemplateErrors(CfnTemplateTest):
    def test_yaml_syntax_error_has_line_and_column(self):
        msg = self.validation_error("Resources:\n  A: {Type: AWS::SQS::Queue\n  B: x\n")
        self.assertRegex(msg, r"^Template format error: YAML not well-formed\. \(line \d+, column \d+\)$")

    def test_json_syntax_error(self):
        msg = self.validation_error('{"Resources": {"A": }')
        self.assertEqual(msg, "Template format error: JSON not well-formed. (line 1, column 21)")

    def test_unrecognized_resource_type(self):
        msg = self.validation_error("Resources:\n  A: {Type: AWS::TypoHere::VPC::X}\n")
        self.assertEqual(msg, "Template format error: Unrecognized resource types: [AWS::TypoHere::VPC::X]")

    def test_unresolved_reference(self):
        msg = self.validation_error("Resources:\n  A:\n    Type: AWS::SQS::Queue\n"
                                    "    Properties: {QueueName: !Ref Nope}\n")
        self.assertEqual(msg, "Template format error: Unresolved resource dependencies [Nope] in the Resources "
                              "block of the template")

    def test_circular_dependency(self):
        msg = self.validation_error("Resources:\n"
                                    "  A: {Type: AWS::SQS::Queue, Properties: {QueueName: !GetAtt B.QueueName}}\n"
                                    "  B: {Type: AWS::SQS::Queue, Properties: {QueueName: !GetAtt A.QueueName}}\n")
        self.assertEqual(msg, "Circular dependency between resources: [A, B]")

    def test_missing_and_unknown_parameters(self):
        body = "Parameters:\n  P: {Type: String}\nResources:\n  A: {Type: AWS::SQS::Queue}\n"
        self.assertEqual(self.validation_error(body), "Parameters: [P] must have values")
        self.assertEqual(self.validation_error(body, [{"ParameterKey": "Q", "ParameterValue": "x"}]),
                         "Parameters: [Q] do not exist in the template")

    def test_allowed_values(self):
        msg = self.validation_error(FULL, [{"ParameterKey": "Env", "ParameterValue": "qa"}])
        self.assertEqual(msg, "Parameter 'Env' must be one of AllowedValues")
        self.assertNotIn("bad", [s["StackName"] for s in self.cf.list_stacks()["StackSummaries"]])


if __name__ == "__main__":
    unittest.main()
