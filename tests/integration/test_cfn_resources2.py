# SPDX-License-Identifier: MIT
"""CloudFormation stacks with EventBridge and Lambda resources, driven through
boto3's CloudFormation client and checked through each service's own API:
AWS::Events::EventBus/Rule/Archive/Connection/ApiDestination/EventBusPolicy
and AWS::Lambda::Function/Version/Alias/EventSourceMapping/Permission/
LayerVersion/EventInvokeConfig. Ref and Fn::GetAtt values are the ones AWS
documents (a rule on a custom bus is "BUS|NAME"; a version's Ref is its ARN);
an event flows bus -> rule -> SQS and -> Lambda inside one stack; functions
made from inline ZipFile source and from a RunnelCodeDirectory run when
invoked; updates happen in place or replace, as the property says; deletes
take everything away. IAM roles are literal ARNs here, so the test needs no
IAM provider."""
import json
import os
import shutil
import tempfile
import time
import unittest
import zipfile

import botocore
import harness

ROLE = "arn:aws:iam::000000000000:role/x"
ACCOUNT_REGION = "us-east-1:000000000000"

HANDLER_WRITES = """
import json, os
def handler(event, context):
    with open(os.environ["OUT"], "a") as f:
        f.write(json.dumps(event) + "\\n")
    return {"seen": event, "name": context.function_name}
"""


def template(resources, outputs=None, parameters=None):
    t = {"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources}
    if outputs:
        t["Outputs"] = {k: {"Value": v} for k, v in outputs.items()}
    if parameters:
        t["Parameters"] = {k: {"Type": "String"} for k in parameters}
    return json.dumps(t)


def lines_of(path, n, timeout=20):
    """The JSON lines a function appended to path, once there are n (or the timeout passed)."""
    deadline = time.time() + timeout
    rows = []
    while time.time() < deadline:
        if os.path.exists(path):
            with open(path) as f:
                rows = [json.loads(x) for x in f if x.strip()]
            if len(rows) >= n:
                break
        time.sleep(0.05)
    return rows


class CfnResources2Test(harness.ServerTest):
    def setUp(self):
        super().setUp()
        self.cfn = self.server.client("cloudformation")
        self.ev = self.server.client("events")
        self.lam = self.server.client("lambda", read_timeout=60)
        self.tmp = tempfile.mkdtemp(prefix="runnel-cfn2-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    # ---- helpers ----

    def wait(self, name, timeout=30):
        """The stack once no operation is in progress."""
        deadline = time.time() + timeout
        while True:
            s = self.cfn.describe_stacks(StackName=name)["Stacks"][0]
            if not s["StackStatus"].endswith("_IN_PROGRESS") or time.time() > deadline:
                return s
            time.sleep(0.05)

    def create(self, name, body, params=None, want="CREATE_COMPLETE"):
        kw = {"StackName": name, "TemplateBody": body}
        if params:
            kw["Parameters"] = [{"ParameterKey": k, "ParameterValue": v} for k, v in params.items()]
        self.cfn.create_stack(**kw)
        s = self.wait(name)
        self.assertEqual(s["StackStatus"], want, self.reasons(name))
        return s

    def update(self, name, body, params=None):
        kw = {"StackName": name, "TemplateBody": body}
        if params:
            kw["Parameters"] = [{"ParameterKey": k, "ParameterValue": v} for k, v in params.items()]
        self.cfn.update_stack(**kw)
        s = self.wait(name)
        self.assertEqual(s["StackStatus"], "UPDATE_COMPLETE", self.reasons(name))
        return s

    def delete(self, name):
        self.cfn.delete_stack(StackName=name)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                s = self.cfn.describe_stacks(StackName=name)["Stacks"][0]
            except botocore.exceptions.ClientError:
                return  # gone from the list
            if s["StackStatus"] == "DELETE_COMPLETE":
                return
            if s["StackStatus"] == "DELETE_FAILED":
                self.fail(self.reasons(name))
            time.sleep(0.05)
        self.fail("stack %s not deleted" % name)

    def reasons(self, name):
        ev = self.cfn.describe_stack_events(StackName=name)["StackEvents"]
        return [(e["LogicalResourceId"], e["ResourceStatus"], e.get("ResourceStatusReason")) for e in ev
                if e.get("ResourceStatusReason")]

    def physical(self, name):
        rs = self.cfn.describe_stack_resources(StackName=name)["StackResources"]
        return {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in rs}

    @staticmethod
    def outputs(stack):
        return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}

    def queue(self, name):
        url = self.sqs.create_queue(QueueName=name)["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        return url, arn

    def receive(self, url, n=1, timeout=10):
        got = []
        deadline = time.time() + timeout
        while len(got) < n and time.time() < deadline:
            r = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
            got += r.get("Messages", [])
        return got

    def fn_props(self, code, **extra):
        p = {"Runtime": "python3.12", "Handler": "index.handler", "Role": ROLE, "Code": code,
             "Environment": {"Variables": {"OUT": os.path.join(self.tmp, "out.jsonl")}}}
        p.update(extra)
        return p

    # ---- EventBridge ----

    def test_bus_and_rule_route_an_event_to_sqs(self):
        url, qarn = self.queue("cfn-orders")
        body = template({
            "Bus": {"Type": "AWS::Events::EventBus", "Properties": {"Name": "shop-bus", "Description": "orders"}},
            "Rule": {"Type": "AWS::Events::Rule", "Properties": {
                "EventBusName": {"Ref": "Bus"},
                "EventPattern": {"source": ["shop"], "detail-type": ["OrderCreated"]},
                "Targets": [{"Id": "q", "Arn": {"Ref": "QueueArn"},
                             "RetryPolicy": {"MaximumRetryAttempts": "3", "MaximumEventAgeInSeconds": 600}}]}},
        }, outputs={"BusName": {"Ref": "Bus"}, "BusArn": {"Fn::GetAtt": ["Bus", "Arn"]},
                    "RuleRef": {"Ref": "Rule"}, "RuleArn": {"Fn::GetAtt": ["Rule", "Arn"]}},
            parameters=["QueueArn"])
        s = self.create("ev1", body, {"QueueArn": qarn})
        out = self.outputs(s)
        self.assertEqual(out["BusName"], "shop-bus")
        self.assertEqual(out["BusArn"], "arn:aws:events:%s:event-bus/shop-bus" % ACCOUNT_REGION)
        # a rule on a custom bus: Ref is BUS|NAME, the name made from stack and logical id
        bus, rule = out["RuleRef"].split("|")
        self.assertEqual(bus, "shop-bus")
        self.assertRegex(rule, r"^ev1-Rule-[A-Z0-9]{13}$")
        self.assertEqual(out["RuleArn"], "arn:aws:events:%s:rule/shop-bus/%s" % (ACCOUNT_REGION, rule))
        self.assertEqual(self.physical("ev1")["Rule"], out["RuleRef"])
        d = self.ev.describe_rule(Name=rule, EventBusName="shop-bus")
        self.assertEqual(json.loads(d["EventPattern"]), {"source": ["shop"], "detail-type": ["OrderCreated"]})
        self.assertEqual(d["State"], "ENABLED")
        t = self.ev.list_targets_by_rule(Rule=rule, EventBusName="shop-bus")["Targets"]
        self.assertEqual([x["Id"] for x in t], ["q"])
        self.assertEqual(t[0]["RetryPolicy"], {"MaximumRetryAttempts": 3, "MaximumEventAgeInSeconds": 600})
        self.ev.put_events(Entries=[{"EventBusName": "shop-bus", "Source": "shop", "DetailType": "OrderCreated",
                                     "Detail": json.dumps({"id": 7})},
                                    {"EventBusName": "shop-bus", "Source": "other", "DetailType": "OrderCreated",
                                     "Detail": "{}"}])
        msgs = self.receive(url)
        self.assertEqual(len(msgs), 1)
        env = json.loads(msgs[0]["Body"])
        self.assertEqual((env["source"], env["detail"]), ("shop", {"id": 7}))
        self.delete("ev1")
        self.assertError("ResourceNotFoundException", self.ev.describe_event_bus, Name="shop-bus")
        self.assertError("ResourceNotFoundException", self.ev.describe_rule, Name=rule, EventBusName="shop-bus")

    def test_rule_update_in_place_then_replaced_by_a_new_name(self):
        _, qarn = self.queue("cfn-upd")

        def body(extra, targets):
            props = {"ScheduleExpression": "rate(1 hour)", "Targets": targets}
            props.update(extra)
            return template({"Rule": {"Type": "AWS::Events::Rule", "Properties": props}},
                            outputs={"Ref": {"Ref": "Rule"}}, parameters=["QueueArn"])
        a = {"Id": "a", "Arn": {"Ref": "QueueArn"}}
        b = {"Id": "b", "Arn": {"Ref": "QueueArn"}, "Input": "{\"k\":1}"}
        s = self.create("ev2", body({"Name": "nightly", "Description": "one"}, [a, b]), {"QueueArn": qarn})
        self.assertEqual(self.outputs(s)["Ref"], "nightly")  # the default bus: the name alone
        # in place: description, state and targets change; the rule stays
        self.update("ev2", body({"Name": "nightly", "Description": "two", "State": "DISABLED"}, [a]),
                    {"QueueArn": qarn})
        self.assertEqual(self.physical("ev2")["Rule"], "nightly")
        d = self.ev.describe_rule(Name="nightly")
        self.assertEqual((d["Description"], d["State"]), ("two", "DISABLED"))
        self.assertEqual([t["Id"] for t in self.ev.list_targets_by_rule(Rule="nightly")["Targets"]], ["a"])
        # a new Name replaces the rule: the new one exists, the old one is gone
        s = self.update("ev2", body({"Name": "nightly2"}, [a]), {"QueueArn": qarn})
        self.assertEqual(self.outputs(s)["Ref"], "nightly2")
        self.assertEqual(self.ev.describe_rule(Name="nightly2")["State"], "ENABLED")
        self.assertError("ResourceNotFoundException", self.ev.describe_rule, Name="nightly")
        self.delete("ev2")
        self.assertError("ResourceNotFoundException", self.ev.describe_rule, Name="nightly2")

    def test_archive_connection_api_destination_and_bus_policy(self):
        body = template({
            "Bus": {"Type": "AWS::Events::EventBus", "Properties": {"Name": "arch-bus"}},
            "Archive": {"Type": "AWS::Events::Archive", "Properties": {
                "SourceArn": {"Fn::GetAtt": ["Bus", "Arn"]}, "RetentionDays": "5",
                "EventPattern": {"source": ["shop"]}}},
            "Conn": {"Type": "AWS::Events::Connection", "Properties": {
                "AuthorizationType": "API_KEY",
                "AuthParameters": {"ApiKeyAuthParameters": {"ApiKeyName": "x-api-key", "ApiKeyValue": "s"}}}},
            "Dest": {"Type": "AWS::Events::ApiDestination", "Properties": {
                "ConnectionArn": {"Fn::GetAtt": ["Conn", "Arn"]}, "HttpMethod": "POST",
                "InvocationEndpoint": "http://127.0.0.1:9/hook", "InvocationRateLimitPerSecond": 10}},
            "Policy": {"Type": "AWS::Events::EventBusPolicy", "Properties": {
                "EventBusName": {"Ref": "Bus"}, "StatementId": "allow-acct", "Action": "events:PutEvents",
                "Principal": "111122223333"}},
        }, outputs={"Archive": {"Ref": "Archive"}, "ArchiveArn": {"Fn::GetAtt": ["Archive", "Arn"]},
                    "Conn": {"Ref": "Conn"}, "ConnArn": {"Fn::GetAtt": ["Conn", "Arn"]},
                    "Secret": {"Fn::GetAtt": ["Conn", "SecretArn"]}, "Dest": {"Ref": "Dest"},
                    "DestArn": {"Fn::GetAtt": ["Dest", "Arn"]}})
        out = self.outputs(self.create("ev3", body))
        a = self.ev.describe_archive(ArchiveName=out["Archive"])
        self.assertEqual((a["ArchiveArn"], a["RetentionDays"]), (out["ArchiveArn"], 5))
        self.assertEqual(a["EventSourceArn"], "arn:aws:events:%s:event-bus/arch-bus" % ACCOUNT_REGION)
        c = self.ev.describe_connection(Name=out["Conn"])
        self.assertEqual((c["ConnectionArn"], c["SecretArn"]), (out["ConnArn"], out["Secret"]))
        self.assertEqual(c["AuthorizationType"], "API_KEY")
        d = self.ev.describe_api_destination(Name=out["Dest"])
        self.assertEqual((d["ApiDestinationArn"], d["InvocationRateLimitPerSecond"]), (out["DestArn"], 10))
        pol = json.loads(self.ev.describe_event_bus(Name="arch-bus")["Policy"])
        self.assertEqual([st["Sid"] for st in pol["Statement"]], ["allow-acct"])
        self.assertEqual(self.physical("ev3")["Policy"], "allow-acct")
        self.delete("ev3")
        self.assertError("ResourceNotFoundException", self.ev.describe_archive, ArchiveName=out["Archive"])
        self.assertError("ResourceNotFoundException", self.ev.describe_connection, Name=out["Conn"])
        self.assertError("ResourceNotFoundException", self.ev.describe_api_destination, Name=out["Dest"])

    # ---- Lambda ----

    def test_inline_zipfile_function_runs_and_updates_in_place(self):
        body = template({"Fn": {"Type": "AWS::Lambda::Function", "Properties": self.fn_props(
            {"ZipFile": "def handler(event, context):\n    return {'v': 1, 'in': event}\n"}, Timeout="7")}},
            outputs={"Name": {"Ref": "Fn"}, "Arn": {"Fn::GetAtt": ["Fn", "Arn"]}})
        out = self.outputs(self.create("fn1", body))
        self.assertRegex(out["Name"], r"^fn1-Fn-[A-Z0-9]{13}$")
        self.assertEqual(out["Arn"], "arn:aws:lambda:%s:function:%s" % (ACCOUNT_REGION, out["Name"]))
        cfg = self.lam.get_function_configuration(FunctionName=out["Name"])
        self.assertEqual((cfg["Timeout"], cfg["Runtime"], cfg["Handler"]), (7, "python3.12", "index.handler"))
        r = self.lam.invoke(FunctionName=out["Name"], Payload=b'{"a": 1}')
        self.assertEqual(json.loads(r["Payload"].read()), {"v": 1, "in": {"a": 1}})
        # new code and a new timeout: the same function, updated
        body2 = template({"Fn": {"Type": "AWS::Lambda::Function", "Properties": self.fn_props(
            {"ZipFile": "def handler(event, context):\n    return {'v': 2}\n"}, Timeout=9)}},
            outputs={"Name": {"Ref": "Fn"}})
        self.assertEqual(self.outputs(self.update("fn1", body2))["Name"], out["Name"])
        self.assertEqual(self.lam.get_function_configuration(FunctionName=out["Name"])["Timeout"], 9)
        r = self.lam.invoke(FunctionName=out["Name"], Payload=b"{}")
        self.assertEqual(json.loads(r["Payload"].read()), {"v": 2})
        # a new FunctionName replaces it
        body3 = template({"Fn": {"Type": "AWS::Lambda::Function", "Properties": self.fn_props(
            {"ZipFile": "def handler(event, context):\n    return 3\n"}, FunctionName="fn1-renamed")}},
            outputs={"Name": {"Ref": "Fn"}})
        self.assertEqual(self.outputs(self.update("fn1", body3))["Name"], "fn1-renamed")
        self.assertError("ResourceNotFoundException", self.lam.get_function, FunctionName=out["Name"])
        self.delete("fn1")
        self.assertError("ResourceNotFoundException", self.lam.get_function, FunctionName="fn1-renamed")

    def test_inline_zipfile_for_nodejs_is_index_js(self):
        body = template({"Fn": {"Type": "AWS::Lambda::Function", "Properties": {
            "Runtime": "nodejs20.x", "Handler": "index.handler", "Role": ROLE,
            "Code": {"ZipFile": "exports.handler = async (event) => ({node: true, got: event.n});"}}}},
            outputs={"Name": {"Ref": "Fn"}})
        name = self.outputs(self.create("node1", body))["Name"]
        r = self.lam.invoke(FunctionName=name, Payload=b'{"n": 3}')
        self.assertNotIn("FunctionError", r)
        self.assertEqual(json.loads(r["Payload"].read()), {"node": True, "got": 3})
        # a runtime inline code cannot be written for fails the resource, with AWS's reason
        bad = template({"Fn": {"Type": "AWS::Lambda::Function", "Properties": {
            "Runtime": "provided.al2023", "Handler": "x", "Role": ROLE, "Code": {"ZipFile": "echo"}}}})
        self.create("node2", bad, want="ROLLBACK_COMPLETE")
        self.assertIn("ZipFile can only be used when Runtime is set to", " ".join(
            r[2] for r in self.reasons("node2") if r[0] == "Fn"))
        self.delete("node1")

    def test_code_directory_function_with_layer_version_alias(self):
        code = os.path.join(self.tmp, "code")
        os.makedirs(code)
        with open(os.path.join(code, "app.py"), "w") as f:
            f.write("import helper\ndef handler(event, context):\n    return {'x': helper.X, 'ev': event}\n")
        layer = os.path.join(self.tmp, "layer", "python")
        os.makedirs(layer)
        with open(os.path.join(layer, "helper.py"), "w") as f:
            f.write("X = 42\n")
        body = template({
            "Layer": {"Type": "AWS::Lambda::LayerVersion", "Properties": {
                "Content": {"RunnelCodeDirectory": os.path.dirname(layer)}, "CompatibleRuntimes": ["python3.12"]}},
            "Fn": {"Type": "AWS::Lambda::Function", "Properties": self.fn_props(
                {"RunnelCodeDirectory": code}, Handler="app.handler", FunctionName="dir-fn",
                Layers=[{"Ref": "Layer"}])},
            "Ver": {"Type": "AWS::Lambda::Version", "Properties": {"FunctionName": {"Ref": "Fn"}}},
            "Live": {"Type": "AWS::Lambda::Alias", "Properties": {
                "FunctionName": {"Ref": "Fn"}, "Name": "live", "FunctionVersion": {"Fn::GetAtt": ["Ver", "Version"]}}},
        }, outputs={"Layer": {"Ref": "Layer"}, "Ver": {"Ref": "Ver"}, "VerNo": {"Fn::GetAtt": ["Ver", "Version"]},
                    "Alias": {"Ref": "Live"}})
        out = self.outputs(self.create("fn2", body))
        self.assertRegex(out["Layer"], r"^arn:aws:lambda:%s:layer:fn2-Layer-[A-Z0-9]{13}:1$" % ACCOUNT_REGION)
        self.assertEqual(out["Ver"], "arn:aws:lambda:%s:function:dir-fn:1" % ACCOUNT_REGION)
        self.assertEqual(out["VerNo"], "1")
        self.assertEqual(out["Alias"], "arn:aws:lambda:%s:function:dir-fn:live" % ACCOUNT_REGION)
        r = self.lam.invoke(FunctionName="dir-fn", Qualifier="live", Payload=b'{"k": "v"}')
        self.assertNotIn("FunctionError", r)
        self.assertEqual(json.loads(r["Payload"].read()), {"x": 42, "ev": {"k": "v"}})
        self.assertEqual(self.lam.get_alias(FunctionName="dir-fn", Name="live")["FunctionVersion"], "1")
        self.delete("fn2")
        self.assertError("ResourceNotFoundException", self.lam.get_function, FunctionName="dir-fn")
        name = out["Layer"].split(":")[6]
        self.assertEqual(self.lam.list_layer_versions(LayerName=name)["LayerVersions"], [])

    def test_zip_path_function_and_layer_run(self):
        fn_zip, layer_zip = os.path.join(self.tmp, "fn.zip"), os.path.join(self.tmp, "layer.zip")
        with zipfile.ZipFile(fn_zip, "w") as z:
            z.writestr("main.py", "import shared\ndef handler(event, context):\n    return shared.WORD\n")
        with zipfile.ZipFile(layer_zip, "w") as z:
            z.writestr("python/shared.py", "WORD = 'from-layer'\n")
        body = template({
            "Layer": {"Type": "AWS::Lambda::LayerVersion", "Properties": {
                "LayerName": "zip-layer", "Content": {"RunnelZipPath": layer_zip}}},
            "Fn": {"Type": "AWS::Lambda::Function", "Properties": self.fn_props(
                {"RunnelZipPath": fn_zip}, Handler="main.handler", FunctionName="zip-fn", Layers=[{"Ref": "Layer"}],
                MemorySize="256")},
        }, outputs={"Layer": {"Fn::GetAtt": ["Layer", "LayerVersionArn"]}})
        out = self.outputs(self.create("zipfn", body))
        self.assertEqual(out["Layer"], "arn:aws:lambda:%s:layer:zip-layer:1" % ACCOUNT_REGION)
        cfg = self.lam.get_function_configuration(FunctionName="zip-fn")
        self.assertEqual(cfg["MemorySize"], 256)
        self.assertEqual(cfg["CodeSize"], os.path.getsize(fn_zip))
        r = self.lam.invoke(FunctionName="zip-fn", Payload=b"{}")
        self.assertEqual(json.loads(r["Payload"].read()), "from-layer")
        self.delete("zipfn")
        self.assertEqual(self.lam.list_layer_versions(LayerName="zip-layer")["LayerVersions"], [])

    def test_event_flows_bus_rule_lambda_and_sqs_mapping_in_one_stack(self):
        url, qarn = self.queue("cfn-esm")
        out_path = os.path.join(self.tmp, "out.jsonl")
        body = template({
            "Bus": {"Type": "AWS::Events::EventBus", "Properties": {"Name": "flow-bus"}},
            "Fn": {"Type": "AWS::Lambda::Function", "Properties": self.fn_props({"ZipFile": HANDLER_WRITES})},
            "Perm": {"Type": "AWS::Lambda::Permission", "Properties": {
                "FunctionName": {"Ref": "Fn"}, "Action": "lambda:InvokeFunction", "Principal": "events.amazonaws.com",
                "SourceArn": {"Fn::GetAtt": ["Rule", "Arn"]}}},
            "Rule": {"Type": "AWS::Events::Rule", "Properties": {
                "EventBusName": {"Ref": "Bus"}, "EventPattern": "{\"source\": [\"flow\"]}",
                "Targets": [{"Id": "fn", "Arn": {"Fn::GetAtt": ["Fn", "Arn"]}}]}},
            "Map": {"Type": "AWS::Lambda::EventSourceMapping", "Properties": {
                "FunctionName": {"Ref": "Fn"}, "EventSourceArn": {"Ref": "QueueArn"}, "BatchSize": "1"}},
        }, outputs={"Map": {"Ref": "Map"}, "Perm": {"Ref": "Perm"}, "Fn": {"Ref": "Fn"}}, parameters=["QueueArn"])
        out = self.outputs(self.create("flow", body, {"QueueArn": qarn}))
        m = self.lam.get_event_source_mapping(UUID=out["Map"])
        self.assertEqual((m["EventSourceArn"], m["BatchSize"]), (qarn, 1))
        self.assertTrue(m["FunctionArn"].endswith(":function:" + out["Fn"]))
        pol = json.loads(self.lam.get_policy(FunctionName=out["Fn"])["Policy"])
        self.assertEqual(len(pol["Statement"]), 1)
        # Ref: the statement id, made like a resource name (stacks on AWS show STACK-LOGICAL-RANDOM)
        self.assertEqual(out["Perm"], pol["Statement"][0]["Sid"])
        self.assertRegex(out["Perm"], r"^flow-Perm-[A-Z0-9]{13}$")
        self.ev.put_events(Entries=[{"EventBusName": "flow-bus", "Source": "flow", "DetailType": "t",
                                     "Detail": json.dumps({"n": 1})}])
        self.sqs.send_message(QueueUrl=url, MessageBody="from-sqs")
        rows = lines_of(out_path, 2)
        self.assertEqual(len(rows), 2, rows)
        via_bus = [r for r in rows if r.get("source") == "flow"]
        via_sqs = [r for r in rows if "Records" in r]
        self.assertEqual(via_bus[0]["detail"], {"n": 1})
        self.assertEqual(via_sqs[0]["Records"][0]["body"], "from-sqs")
        # the mapping updates in place: same UUID, new batch size
        body2 = json.loads(body)
        body2["Resources"]["Map"]["Properties"]["BatchSize"] = 4
        self.update("flow", json.dumps(body2), {"QueueArn": qarn})
        self.assertEqual(self.physical("flow")["Map"], out["Map"])
        self.assertEqual(self.lam.get_event_source_mapping(UUID=out["Map"])["BatchSize"], 4)
        self.delete("flow")
        self.assertError("ResourceNotFoundException", self.lam.get_event_source_mapping, UUID=out["Map"])
        self.assertError("ResourceNotFoundException", self.ev.describe_event_bus, Name="flow-bus")

    def test_event_invoke_config(self):
        _, qarn = self.queue("cfn-dest")
        body = template({
            "Fn": {"Type": "AWS::Lambda::Function", "Properties": self.fn_props({"ZipFile": HANDLER_WRITES})},
            "Eic": {"Type": "AWS::Lambda::EventInvokeConfig", "Properties": {
                "FunctionName": {"Ref": "Fn"}, "Qualifier": "$LATEST", "MaximumRetryAttempts": "1",
                "DestinationConfig": {"OnFailure": {"Destination": {"Ref": "QueueArn"}}}}},
        }, outputs={"Fn": {"Ref": "Fn"}}, parameters=["QueueArn"])
        fn = self.outputs(self.create("eic", body, {"QueueArn": qarn}))["Fn"]
        c = self.lam.get_function_event_invoke_config(FunctionName=fn)
        self.assertEqual(c["MaximumRetryAttempts"], 1)
        self.assertEqual(c["DestinationConfig"]["OnFailure"]["Destination"], qarn)
        self.delete("eic")
        self.assertError("ResourceNotFoundException", self.lam.get_function, FunctionName=fn)

    def test_s3_code_fails_the_stack_with_the_reason(self):
        body = template({"Fn": {"Type": "AWS::Lambda::Function", "Properties": self.fn_props(
            {"S3Bucket": "b", "S3Key": "k.zip"})}})
        self.create("s3fn", body, want="ROLLBACK_COMPLETE")
        reasons = " ".join(r[2] for r in self.reasons("s3fn") if r[0] == "Fn")
        self.assertIn("S3Bucket/S3Key", reasons)
        self.assertIn("CodeUri", reasons)
        self.assertEqual(self.lam.list_functions()["Functions"], [])


if __name__ == "__main__":
    unittest.main()
