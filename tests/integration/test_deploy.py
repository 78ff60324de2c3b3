# SPDX-License-Identifier: MIT
"""`runnel deploy TEMPLATE`, run as a subprocess against the real server, as a
user runs it: a new stack is created and its outputs printed (exit 0); the
same template again has nothing to change ("No changes to deploy", exit 0);
a --param change updates the stack, and a parameter not given keeps its
previous value; a failing resource rolls the stack back and exits 1 with the
reason; a relative CodeUri is read from the template's directory, not the
caller's; on a terminal one live line is rewritten, elsewhere one line per
event; with --auth-file the requests are signed from the environment's
credentials. What deploy says is checked against what boto3 sees through the
CloudFormation query API, so neither side can agree with itself."""
import json
import os
import pty
import re
import shutil
import socket
import subprocess
import tempfile
import unittest

import harness

ROOT = harness.ROOT

QUEUE_TEMPLATE = {
    "Parameters": {"QueueName": {"Type": "String", "Default": "orders-first"}},
    "Resources": {"Orders": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Ref": "QueueName"}}}},
    "Outputs": {
        "QueueUrl": {"Value": {"Ref": "Orders"}, "Export": {"Name": "orders-QueueUrl"}},
        "QueueArn": {"Value": {"Fn::GetAtt": ["Orders", "Arn"]}},
    },
}

QUEUE_YAML = """\
Parameters:
  QueueName:
    Type: String
    Default: from-yaml
Resources:
  Orders:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Ref QueueName
Outputs:
  QueueUrl:
    Value: !Ref Orders
"""

FAILING_TEMPLATE = {
    "Resources": {
        "Good": {"Type": "AWS::SQS::Queue"},
        "Bad": {"Type": "AWS::Runnel::Nothing", "DependsOn": "Good"},
    },
}

HANDLER = "def handler(event, context):\n    return {'from': 'relative-code', 'echo': event.get('x')}\n"


def placeholder(path):
    """True when a CloudFormation part is still the contract's placeholder on
    this branch (its owner's work not merged yet)."""
    with open(os.path.join(ROOT, "src", "cloudformation", path)) as f:
        head = f.read(400)
    return "Placeholder" in head or "(none yet)" in head


def clean_env(**extra):
    """This process's environment without any AWS_ variable, plus extra."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(extra)
    return env


def temp_dir(test):
    """A temporary directory removed when the test ends."""
    path = tempfile.mkdtemp(prefix="runnel-deploy-")
    test.addCleanup(shutil.rmtree, path, True)
    return path


def write_file(directory, name, content):
    """Writes content (text, or a template as JSON) to directory/name; returns the path."""
    path = os.path.join(directory, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(content if isinstance(content, str) else json.dumps(content))
    return path


class DeployTest(harness.ServerTest):
    def setUp(self):
        super().setUp()
        self.dir = temp_dir(self)
        self.cfn = self.server.client("cloudformation")

    def write(self, name, content):
        return write_file(self.dir, name, content)

    def env(self, **extra):
        return clean_env(**extra)

    def deploy(self, *args, env=None, cwd=None):
        """Runs `runnel deploy ARGS --endpoint-url SERVER`; returns (status, stdout + stderr)."""
        out = harness.run_command(["deploy"] + list(args) + ["--endpoint-url", self.server.endpoint],
                                  env=env or self.env(), cwd=cwd or self.dir)
        return out.returncode, out.stdout + out.stderr

    def stack(self, name):
        return self.cfn.describe_stacks(StackName=name)["Stacks"][0]

    def outputs(self, name):
        return {o["OutputKey"]: o["OutputValue"] for o in self.stack(name).get("Outputs", [])}

    def test_create_prints_resources_and_outputs(self):
        path = self.write("orders.json", QUEUE_TEMPLATE)
        rc, out = self.deploy(path)
        self.assertEqual(rc, 0, out)
        stack = self.stack("orders")  # the default name: the file's base name
        self.assertEqual(stack["StackStatus"], "CREATE_COMPLETE")
        url = self.outputs("orders")["QueueUrl"]
        self.assertIn("Stack orders: CREATE_COMPLETE", out)
        # the summary table: the resource with its type, status and physical id
        self.assertRegex(out, r"\n  Orders +AWS::SQS::Queue +CREATE_COMPLETE +%s\n" % re.escape(url))
        # the outputs with their export name
        self.assertRegex(out, r"\n  QueueUrl +%s +orders-QueueUrl\n" % re.escape(url))
        self.assertIn(self.outputs("orders")["QueueArn"], out)
        self.assertTrue(url.endswith("/orders-first"), url)  # the parameter's default
        self.assertEqual(self.sqs.list_queues()["QueueUrls"], [url])

    def test_without_a_tty_one_line_per_event(self):
        path = self.write("orders.json", QUEUE_TEMPLATE)
        rc, out = self.deploy(path, "--stack-name", "plain")
        self.assertEqual(rc, 0, out)
        self.assertNotIn("\r", out)
        events = self.cfn.describe_stack_events(StackName="plain")["StackEvents"]
        resource_events = [e for e in events if e["LogicalResourceId"] == "Orders"]
        self.assertTrue(resource_events)
        for e in resource_events:  # every event of the resource has its line
            self.assertRegex(out, r"(?m)^%s +AWS::SQS::Queue +Orders$" % e["ResourceStatus"])
        self.assertRegex(out, r"(?m)^CREATE_COMPLETE +AWS::CloudFormation::Stack +plain$")
        # an event is shown once
        self.assertEqual(len(re.findall(r"(?m)^CREATE_COMPLETE +AWS::SQS::Queue +Orders$", out)), 1)

    def test_on_a_tty_one_live_line(self):
        path = self.write("orders.json", QUEUE_TEMPLATE)
        argv = [harness.BINARY, "deploy", path, "--stack-name", "live", "--endpoint-url", self.server.endpoint]
        pid, fd = pty.fork()
        if pid == 0:  # the child: stdout is the terminal
            os.execve(argv[0], argv, self.env())
        chunks = []
        while True:
            try:
                data = os.read(fd, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        _, status = os.waitpid(pid, 0)
        os.close(fd)
        out = b"".join(chunks).decode()
        report = harness.sanitizer_report(out)
        if report:
            raise harness.ServerFailed("sanitizer report from runnel deploy: %s" % report)
        self.assertEqual(os.waitstatus_to_exitcode(status) if hasattr(os, "waitstatus_to_exitcode")
                         else status >> 8, 0, out)
        # the line is rewritten in place ("\r", erase line) and ends with all resources done
        self.assertIn("\r\x1b[K[1/1] ", out)
        self.assertIn("\r\x1b[K[0/1] Orders CREATE_IN_PROGRESS", out)
        # no line per event on a terminal
        self.assertNotRegex(out, r"(?m)^CREATE_COMPLETE +AWS::SQS::Queue +Orders")
        self.assertIn("Stack live: CREATE_COMPLETE", out)
        self.assertEqual(self.stack("live")["StackStatus"], "CREATE_COMPLETE")

    def test_yaml_template_with_short_tags(self):
        if placeholder("template.c"):
            self.skipTest("YAML templates need the template parser (template.c), still a placeholder here")
        path = self.write("yamlstack.yaml", QUEUE_YAML)
        rc, out = self.deploy(path, "--param", "QueueName=given")
        self.assertEqual(rc, 0, out)
        url = self.outputs("yamlstack")["QueueUrl"]
        self.assertTrue(url.endswith("/given"), url)
        self.assertEqual(self.sqs.list_queues()["QueueUrls"], [url])

    def test_second_deploy_without_change_has_nothing_to_do(self):
        path = self.write("orders.json", QUEUE_TEMPLATE)
        self.assertEqual(self.deploy(path)[0], 0)
        before = self.stack("orders")
        rc, out = self.deploy(path)
        self.assertEqual(rc, 0, out)
        self.assertIn("No changes to deploy. Stack orders is up to date", out)
        after = self.stack("orders")
        self.assertEqual(after["StackStatus"], "CREATE_COMPLETE")
        self.assertEqual(after.get("LastUpdatedTime"), before.get("LastUpdatedTime"))

    def test_update_with_a_param_change(self):
        path = self.write("orders.json", QUEUE_TEMPLATE)
        self.assertEqual(self.deploy(path, "--param", "QueueName=orders-a")[0], 0)
        rc, out = self.deploy(path, "--param", "QueueName=orders-b")
        self.assertEqual(rc, 0, out)
        self.assertIn("Deploying stack orders (update)", out)
        self.assertIn("Stack orders: UPDATE_COMPLETE", out)
        self.assertEqual(self.stack("orders")["StackStatus"], "UPDATE_COMPLETE")
        url = self.outputs("orders")["QueueUrl"]
        self.assertTrue(url.endswith("/orders-b"), url)
        self.assertIn(url, out)
        self.assertEqual(self.sqs.list_queues()["QueueUrls"], [url])  # a new name replaces the queue
        params = {p["ParameterKey"]: p["ParameterValue"] for p in self.stack("orders")["Parameters"]}
        self.assertEqual(params, {"QueueName": "orders-b"})
        # only this update's events are shown: not the create's
        self.assertNotRegex(out, r"(?m)^CREATE_COMPLETE +AWS::CloudFormation::Stack")
        self.assertRegex(out, r"(?m)^UPDATE_COMPLETE +AWS::CloudFormation::Stack +orders$")

    def test_parameter_not_given_keeps_its_previous_value(self):
        if placeholder("params.c"):
            self.skipTest("UsePreviousValue needs the parameter resolver (params.c), still a placeholder here")
        path = self.write("orders.json", QUEUE_TEMPLATE)
        self.assertEqual(self.deploy(path, "--param", "QueueName=kept")[0], 0)
        rc, out = self.deploy(path)  # the default would be a change; the previous value is not
        self.assertEqual(rc, 0, out)
        self.assertIn("No changes to deploy", out)
        params = {p["ParameterKey"]: p["ParameterValue"] for p in self.stack("orders")["Parameters"]}
        self.assertEqual(params, {"QueueName": "kept"})

    def test_failing_resource_exits_1_with_the_reason(self):
        path = self.write("broken.json", FAILING_TEMPLATE)
        rc, out = self.deploy(path)
        self.assertEqual(rc, 1, out)
        stack = self.stack("broken")
        self.assertEqual(stack["StackStatus"], "ROLLBACK_COMPLETE")
        failed = [e for e in self.cfn.describe_stack_events(StackName="broken")["StackEvents"]
                  if e["LogicalResourceId"] == "Bad" and e["ResourceStatus"] == "CREATE_FAILED"]
        self.assertEqual(len(failed), 1)
        reason = failed[0]["ResourceStatusReason"]
        self.assertIn("AWS::Runnel::Nothing", reason)
        self.assertIn("Stack broken: ROLLBACK_COMPLETE", out)
        self.assertIn("Failed resources\n  Bad (AWS::Runnel::Nothing) CREATE_FAILED: %s\n" % reason, out)
        if stack.get("StackStatusReason"):
            self.assertIn("Stack status reason: %s" % stack["StackStatusReason"], out)
        # a stack whose creation rolled back cannot be updated: deploy says what to do
        rc, out = self.deploy(path)
        self.assertEqual(rc, 1, out)
        self.assertIn("ROLLBACK_COMPLETE state and can not be updated", out)
        self.assertIn("aws cloudformation delete-stack --stack-name broken", out)

    def test_template_format_error_exits_1(self):
        path = self.write("bad.json", '{"Resources": {"Q": {"Type": "AWS::SQS::Queue"}')
        rc, out = self.deploy(path)
        self.assertEqual(rc, 1, out)
        self.assertIn("Template format error", out)
        self.assertEqual(self.cfn.list_stacks()["StackSummaries"], [])

    def test_change_set_refused_by_the_server_exits_1(self):
        template = json.loads(json.dumps(QUEUE_TEMPLATE))
        del template["Parameters"]["QueueName"]["Default"]
        path = self.write("orders.json", template)
        rc, out = self.deploy(path)
        self.assertEqual(rc, 1, out)
        self.assertIn("CreateChangeSet: ValidationError: Parameters: [QueueName] must have values", out)
        self.assertEqual(self.sqs.list_queues().get("QueueUrls", []), [])

    def test_no_execute_shows_the_changes_and_creates_nothing(self):
        path = self.write("orders.json", QUEUE_TEMPLATE)
        rc, out = self.deploy(path, "--no-execute")
        self.assertEqual(rc, 0, out)
        self.assertIn("not executed (--no-execute)", out)
        self.assertRegex(out, r"\n  Add +Orders +AWS::SQS::Queue")
        self.assertEqual(self.stack("orders")["StackStatus"], "REVIEW_IN_PROGRESS")
        self.assertEqual(self.sqs.list_queues().get("QueueUrls", []), [])
        rc, out = self.deploy(path)  # a stack only in review is created, not updated
        self.assertEqual(rc, 0, out)
        self.assertIn("Deploying stack orders (create)", out)
        self.assertEqual(self.stack("orders")["StackStatus"], "CREATE_COMPLETE")

    def test_relative_code_uri_is_read_from_the_template_directory(self):
        if placeholder("sam.c"):
            self.skipTest("the SAM transform (sam.c) is still a placeholder on this branch")
        if placeholder("prov_lambda.c"):
            self.skipTest("the Lambda provider (prov_lambda.c) is still a placeholder on this branch")
        self.write("app/src/app.py", HANDLER)
        path = self.write("app/template.json", {
            "Transform": "AWS::Serverless-2016-10-31",
            "Resources": {"Fn": {"Type": "AWS::Serverless::Function",
                                 "Properties": {"CodeUri": "src/", "Handler": "app.handler",
                                                "Runtime": "python3.12"}}},
            "Outputs": {"Name": {"Value": {"Ref": "Fn"}}}})
        rc, out = self.deploy(path, "--stack-name", "code", cwd=temp_dir(self))
        self.assertEqual(rc, 0, out)
        lam = self.server.client("lambda")
        r = lam.invoke(FunctionName=self.outputs("code")["Name"], Payload=json.dumps({"x": 7}))
        self.assertNotIn("FunctionError", r)
        self.assertEqual(json.loads(r["Payload"].read()), {"from": "relative-code", "echo": 7})

    def test_relative_runnel_code_directory_of_a_plain_function(self):
        if placeholder("prov_lambda.c"):
            self.skipTest("the Lambda provider (prov_lambda.c) is still a placeholder on this branch")
        self.write("plain/handlers/app.py", HANDLER)
        path = self.write("plain/template.json", {
            "Resources": {
                "Fn": {"Type": "AWS::Lambda::Function",
                       "Properties": {"Code": {"RunnelCodeDirectory": "./handlers"}, "Handler": "app.handler",
                                      "Runtime": "python3.12",
                                      "Role": "arn:aws:iam::000000000000:role/deploy-test"}}},
            "Outputs": {"Name": {"Value": {"Ref": "Fn"}}}})
        rc, out = self.deploy(path, "--stack-name", "plaincode", cwd="/")
        self.assertEqual(rc, 0, out)
        r = self.server.client("lambda").invoke(FunctionName=self.outputs("plaincode")["Name"],
                                                Payload=json.dumps({"x": "y"}))
        self.assertNotIn("FunctionError", r)
        self.assertEqual(json.loads(r["Payload"].read()), {"from": "relative-code", "echo": "y"})

    def test_region_flag_places_the_stack_in_that_region(self):
        # no credentials in the environment: the region still reaches the server
        path = self.write("orders.json", QUEUE_TEMPLATE)
        rc, out = self.deploy(path, "--region", "eu-west-1")
        self.assertEqual(rc, 0, out)
        west = harness.boto3.client("cloudformation", endpoint_url=self.server.endpoint, region_name="eu-west-1",
                                    aws_access_key_id="test", aws_secret_access_key="test")
        stack = west.describe_stacks(StackName="orders")["Stacks"][0]
        self.assertEqual(stack["StackStatus"], "CREATE_COMPLETE")
        self.assertIn(":eu-west-1:", stack["StackId"])
        self.assertEqual(self.cfn.list_stacks()["StackSummaries"], [])  # nothing in us-east-1


class DeployUsageTest(unittest.TestCase):
    def test_help_names_deploy(self):
        out = harness.run_command(["--help"])
        self.assertEqual(out.returncode, 0)
        self.assertRegex(out.stdout, r"(?m)^  runnel deploy TEMPLATE ")
        out = harness.run_command(["deploy", "--help"])
        self.assertEqual(out.returncode, 0)
        for flag in ("--stack-name", "--param KEY=VALUE", "--endpoint-url", "--region", "--no-execute"):
            self.assertIn(flag, out.stdout)

    def test_usage_errors_exit_2(self):
        for args, text in ((["deploy"], "missing TEMPLATE"),
                           (["deploy", "t.json", "--colour"], "unknown option --colour"),
                           (["deploy", "t.json", "--param", "novalue"], "--param wants KEY=VALUE"),
                           (["deploy", "/nonexistent/t.json"], "cannot read /nonexistent/t.json"),
                           (["deploy", "t.json", "--endpoint-url", "https://x"], "https endpoints")):
            out = harness.run_command(args)
            self.assertEqual(out.returncode, 2, (args, out.stderr))
            self.assertIn(text, out.stderr)

    def test_no_server_exits_1_saying_so(self):
        path = write_file(temp_dir(self), "t.json", QUEUE_TEMPLATE)
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()  # nothing listens there now
        out = harness.run_command(["deploy", path, "--endpoint-url", "http://127.0.0.1:%d" % port])
        self.assertEqual(out.returncode, 1, out.stderr)
        self.assertIn("Connection refused", out.stderr)


class DeploySignedTest(harness.AuthFileServer):
    def test_signed_with_the_environment_credentials(self):
        path = write_file(temp_dir(self), "signed.json", QUEUE_TEMPLATE)
        base = clean_env()
        args = ["deploy", path, "--endpoint-url", self.server.endpoint]
        out = harness.run_command(args, env=base)
        self.assertEqual(out.returncode, 1, out.stdout + out.stderr)
        self.assertIn("MissingAuthenticationToken", out.stderr)
        out = harness.run_command(args, env=dict(base, AWS_ACCESS_KEY_ID=harness.KEY,
                                                 AWS_SECRET_ACCESS_KEY=harness.SECRET + "x"))
        self.assertEqual(out.returncode, 1, out.stdout + out.stderr)
        self.assertIn("SignatureDoesNotMatch", out.stderr)
        out = harness.run_command(args, env=dict(base, AWS_ACCESS_KEY_ID=harness.KEY,
                                                 AWS_SECRET_ACCESS_KEY=harness.SECRET))
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        cfn = self.server.client("cloudformation", key=harness.KEY, secret=harness.SECRET)
        self.assertEqual(cfn.describe_stacks(StackName="signed")["Stacks"][0]["StackStatus"], "CREATE_COMPLETE")


if __name__ == "__main__":
    unittest.main()
