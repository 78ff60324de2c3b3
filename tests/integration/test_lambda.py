# SPDX-License-Identifier: MIT
"""Lambda: functions created from zips (or a local directory), run as child
processes over the Runtime API, invoked through boto3. The checks and error
texts are AWS's as LocalStack's AWS-validated snapshots record them
(tests/aws/services/lambda_/test_lambda_api.snapshot.json, test_lambda.snapshot.json):
the configuration a new function reports, validation messages, "Function not
found: ARN", handler errors with FunctionError Unhandled, the timeout error,
the START/END/REPORT log tail."""
import base64
import io
import json
import os
import stat
import tempfile
import time
import unittest
import zipfile

import botocore
import harness

ROLE = "arn:aws:iam::000000000000:role/lambda-role"
ARN = "arn:aws:lambda:us-east-1:000000000000:function:"

ECHO = """
import json, os, time
def handler(event, context):
    started = time.time()
    if event.get("mark"):
        open(event["mark"], "w").close()
    print("got", json.dumps(event))
    if event.get("fail"):
        raise ValueError("it failed: " + str(event["fail"]))
    if event.get("sleep"):
        time.sleep(event["sleep"])
    if event.get("write"):
        with open(event["write"], "a") as f:
            f.write(json.dumps({"started": started, "pid": os.getpid()}) + "\\n")
    return {"event": event, "name": context.function_name, "arn": context.invoked_function_arn,
            "request": context.aws_request_id, "memory": context.memory_limit_in_mb,
            "left": context.get_remaining_time_in_millis(), "group": context.log_group_name,
            "stream": context.log_stream_name, "client": context.client_context,
            "env": {k: os.environ.get(k) for k in ("AWS_REGION", "AWS_LAMBDA_FUNCTION_NAME", "_HANDLER",
                    "LAMBDA_TASK_ROOT", "AWS_LAMBDA_RUNTIME_API", "TZ", "GREETING", "AWS_EXECUTION_ENV",
                    "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "TMPDIR")},
            "cwd": os.getcwd()}
"""


def zip_of(files, modes=None):
    """A zip held in memory: {name: text}; modes gives unix modes by name."""
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in files.items():
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = ((modes or {}).get(name, 0o644) | stat.S_IFREG) << 16
            z.writestr(info, text)
    return b.getvalue()


def rows_of(path, n, timeout=20):
    """The JSON lines a function appended to path, once there are n (or the timeout passed)."""
    deadline = time.time() + timeout
    rows = []
    while time.time() < deadline:
        if os.path.exists(path):
            with open(path) as f:
                rows = [json.loads(x) for x in f]
            if len(rows) >= n:
                break
        time.sleep(0.05)
    return rows


class LambdaTest(harness.ServerTest):
    def setUp(self):
        super().setUp()
        self.lam = self.server.client("lambda", read_timeout=60)

    def create(self, name="echo", zipped=None, **kw):
        args = dict(FunctionName=name, Runtime="python3.12", Role=ROLE, Handler="app.handler",
                    Code={"ZipFile": zipped or zip_of({"app.py": ECHO})})
        args.update(kw)
        return self.lam.create_function(**args)

    def invoke(self, name="echo", event=None, **kw):
        r = self.lam.invoke(FunctionName=name, Payload=json.dumps(event or {}), **kw)
        body = r["Payload"].read()
        return r, (json.loads(body) if body else None)


class TestFunctions(LambdaTest):
    def test_create_reports_pending_then_active(self):
        r = self.create(Environment={"Variables": {"A": "1"}}, Description="d", Tags={"team": "orders"})
        self.assertEqual(r["State"], "Pending")
        self.assertEqual(r["StateReason"], "The function is being created.")
        self.assertEqual(r["StateReasonCode"], "Creating")
        self.assertNotIn("LastUpdateStatus", r)
        self.assertEqual(r["FunctionArn"], ARN + "echo")
        self.assertEqual((r["Timeout"], r["MemorySize"], r["Version"], r["PackageType"]), (3, 128, "$LATEST", "Zip"))
        self.assertEqual(r["Architectures"], ["x86_64"])
        self.assertEqual(r["EphemeralStorage"], {"Size": 512})
        self.assertEqual(r["TracingConfig"], {"Mode": "PassThrough"})
        if "LoggingConfig" in self.lam.meta.service_model.shape_for("FunctionConfiguration").members:
            self.assertEqual(r["LoggingConfig"], {"LogFormat": "Text", "LogGroup": "/aws/lambda/echo"})
        # (boto3 1.26's model predates LoggingConfig and drops it)
        self.assertEqual(r["Environment"], {"Variables": {"A": "1"}})
        self.assertEqual(len(base64.b64decode(r["CodeSha256"])), 32)
        self.assertRegex(r["LastModified"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$")
        self.lam.get_waiter("function_active_v2").wait(FunctionName="echo", WaiterConfig={"Delay": 1})
        g = self.lam.get_function(FunctionName="echo")
        self.assertEqual(g["Configuration"]["State"], "Active")
        self.assertEqual(g["Configuration"]["LastUpdateStatus"], "Successful")
        self.assertNotIn("StateReason", g["Configuration"])
        self.assertEqual(g["Code"]["RepositoryType"], "S3")
        self.assertEqual(g["Tags"], {"team": "orders"})
        self.assertEqual(self.lam.get_function_configuration(FunctionName=ARN + "echo")["FunctionName"], "echo")

    def test_list_pages_in_name_order(self):
        for n in ("b", "a", "c"):
            self.create(n)
        r = self.lam.list_functions(MaxItems=2)
        self.assertEqual([f["FunctionName"] for f in r["Functions"]], ["a", "b"])
        r2 = self.lam.list_functions(Marker=r["NextMarker"])
        self.assertEqual([f["FunctionName"] for f in r2["Functions"]], ["c"])
        self.assertNotIn("NextMarker", r2)

    def test_delete_then_not_found(self):
        self.create()
        self.lam.delete_function(FunctionName="echo")
        msg = self.assertError("ResourceNotFoundException", self.lam.get_function, FunctionName="echo")
        self.assertEqual(msg, "Function not found: " + ARN + "echo")
        msg = self.assertError("ResourceNotFoundException", self.lam.invoke, FunctionName="echo")
        self.assertEqual(msg, "Function not found: " + ARN + "echo:$LATEST")
        msg = self.assertError("ResourceNotFoundException", self.lam.get_function, FunctionName="echo",
                               Qualifier="7")
        self.assertEqual(msg, "Function not found: " + ARN + "echo:7")

    def test_exists_is_a_conflict(self):
        self.create()
        msg = self.assertError("ResourceConflictException", self.create)
        self.assertEqual(msg, "Function already exist: echo")

    def test_update_configuration_applies_to_the_next_invocation(self):
        self.create()
        self.invoke()
        r = self.lam.update_function_configuration(FunctionName="echo", Timeout=10, MemorySize=256,
                                                   Environment={"Variables": {"GREETING": "hi"}})
        self.assertEqual(r["LastUpdateStatus"], "InProgress")
        self.lam.get_waiter("function_updated_v2").wait(FunctionName="echo", WaiterConfig={"Delay": 1})
        c = self.lam.get_function_configuration(FunctionName="echo")
        self.assertEqual((c["Timeout"], c["MemorySize"], c["LastUpdateStatus"]), (10, 256, "Successful"))
        _, out = self.invoke()
        self.assertEqual(out["env"]["GREETING"], "hi")
        self.assertEqual(out["memory"], "256")

    def test_update_code_runs_the_new_code(self):
        self.create()
        self.assertIn("event", self.invoke()[1])
        r = self.lam.update_function_code(FunctionName="echo",
                                          ZipFile=zip_of({"app.py": "def handler(e, c):\n    return 'v2'\n"}))
        self.assertEqual(r["LastUpdateStatus"], "InProgress")
        self.assertEqual(self.invoke()[1], "v2")

    def test_stale_revision_id_is_refused(self):
        self.create()
        msg = self.assertError("PreconditionFailedException", self.lam.update_function_configuration,
                               FunctionName="echo", RevisionId="00000000-0000-0000-0000-000000000000", Timeout=5)
        self.assertIn("does not match the latest Revision Id", msg)

    def test_account_settings(self):
        self.create()
        r = self.lam.get_account_settings()
        self.assertEqual(r["AccountLimit"]["ConcurrentExecutions"], 1000)
        self.assertEqual(r["AccountUsage"]["FunctionCount"], 1)


class TestValidation(LambdaTest):
    def test_timeout_and_memory_ranges(self):
        lam = self.server.client("lambda", validate=False)
        for kw, text in (({"Timeout": 0}, "Value '0' at 'timeout' failed to satisfy constraint: Member must have "
                                          "value greater than or equal to 1"),
                         ({"Timeout": 901}, "Value '901' at 'timeout' failed to satisfy constraint: Member must "
                                            "have value less than or equal to 900"),
                         ({"MemorySize": 127}, "Value '127' at 'memorySize' failed to satisfy constraint: Member "
                                               "must have value greater than or equal to 128")):
            with self.assertRaises(botocore.exceptions.ClientError) as cm:
                lam.create_function(FunctionName="f", Runtime="python3.12", Role=ROLE, Handler="app.handler",
                                    Code={"ZipFile": zip_of({"app.py": ECHO})}, **kw)
            e = cm.exception.response["Error"]
            self.assertEqual(e["Code"], "ValidationException")
            self.assertEqual(e["Message"], "1 validation error detected: " + text)
        self.assertError("ResourceNotFoundException", self.lam.get_function, FunctionName="f")

    def test_runtime_checks(self):
        msg = self.assertError("InvalidParameterValueException", self.create, Runtime="python9.9")
        self.assertTrue(msg.startswith("Value python9.9 at 'runtime' failed to satisfy constraint: Member must "
                                       "satisfy enum value set: [nodejs20.x, python3.14, provided.al2023,"), msg)
        self.assertTrue(msg.endswith("] or be a valid ARN"), msg)
        msg = self.assertError("InvalidParameterValueException", self.create, Runtime="python3.7")
        self.assertEqual(msg, "The runtime parameter of python3.7 is no longer supported for creating or updating "
                              "AWS Lambda functions. We recommend you use a supported runtime while creating or "
                              "updating functions.")

    def test_handler_is_required_for_zip(self):
        lam = self.lam
        msg = self.assertError("InvalidParameterValueException", lam.create_function, FunctionName="f",
                               Runtime="python3.12", Role=ROLE, Code={"ZipFile": zip_of({"app.py": ECHO})})
        self.assertEqual(msg, "Runtime and Handler are mandatory parameters for functions created with deployment "
                              "packages.")

    def test_bad_role_and_name(self):
        msg = self.assertError("ValidationException", self.create, Role="r1")
        self.assertEqual(msg, "1 validation error detected: Value 'r1' at 'role' failed to satisfy constraint: "
                              "Member must satisfy regular expression pattern: "
                              "arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+")
        msg = self.assertError("ValidationException", self.create, "my-function!")
        self.assertTrue(msg.startswith("1 validation error detected: Value 'my-function!' at 'functionName' "
                                       "failed to satisfy constraint: Member must satisfy regular expression "
                                       "pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?"), msg)

    def test_environment_over_4kb(self):
        ok = {"V": "x" * (4096 - len('{"V":""}'))}
        self.create("fits", Environment={"Variables": ok})
        big = {"V": "x" * (4097 - len('{"V":""}'))}
        msg = self.assertError("InvalidParameterValueException", self.create, Environment={"Variables": big})
        self.assertEqual(msg, "Lambda was unable to configure your environment variables because the environment "
                              "variables you have provided exceeded the 4KB limit. String measured: "
                              + json.dumps(big, separators=(",", ":")))

    def test_not_a_zip(self):
        msg = self.assertError("InvalidParameterValueException", self.create, zipped=b"not a zip at all")
        self.assertEqual(msg, "Could not unzip uploaded file. Please check your file, then try to upload again.")

    def test_path_traversal_is_refused_and_writes_nothing(self):
        outside = os.path.join(self.tmp, "escaped.txt")
        rel = os.path.relpath(outside, "/tmp")  # whatever the package root, enough ../ to leave it
        for name in ("../" * 12 + rel.lstrip("/"), "/" + outside.lstrip("/"), "a/../../b.py"):
            msg = self.assertError("InvalidParameterValueException", self.create,
                                   zipped=zip_of({"app.py": ECHO, name: "owned"}))
            self.assertEqual(msg, "Could not unzip uploaded file. Please check your file, then try to upload "
                                  "again.")
        self.assertFalse(os.path.exists(outside))
        self.assertError("ResourceNotFoundException", self.lam.get_function, FunctionName="echo")

    def test_symlink_out_of_the_package_is_refused(self):
        b = io.BytesIO()
        with zipfile.ZipFile(b, "w") as z:
            z.writestr("app.py", ECHO)
            info = zipfile.ZipInfo("link")
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            z.writestr(info, "../../../../etc")
        self.assertError("InvalidParameterValueException", self.create, zipped=b.getvalue())

    def test_zip_bomb_is_refused(self):
        # 262,144,001 bytes of zeros deflate to about 255 KB
        b = io.BytesIO()
        with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED) as z:
            with z.open("big.bin", "w", force_zip64=True) as f:
                chunk = b"\0" * (1 << 20)
                for _ in range(250):
                    f.write(chunk)
                f.write(b"\0" * (262144001 - 250 * (1 << 20)))
        msg = self.assertError("InvalidParameterValueException", self.create, zipped=b.getvalue())
        self.assertEqual(msg, "Unzipped size must be smaller than 262144000 bytes")


class TestInvoke(LambdaTest):
    def test_request_response_with_context_and_environment(self):
        self.create(Environment={"Variables": {"GREETING": "hello"}})
        r, out = self.invoke(event={"order": 7})
        self.assertEqual(r["StatusCode"], 200)
        self.assertEqual(r["ExecutedVersion"], "$LATEST")
        self.assertNotIn("FunctionError", r)
        self.assertEqual(out["event"], {"order": 7})
        self.assertEqual(out["name"], "echo")
        self.assertEqual(out["arn"], ARN + "echo")
        self.assertEqual(out["request"], r["ResponseMetadata"]["RequestId"])
        self.assertEqual(out["memory"], "128")
        self.assertTrue(0 < out["left"] <= 3000, out["left"])
        self.assertEqual(out["group"], "/aws/lambda/echo")
        self.assertRegex(out["stream"], r"^\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32}$")
        env = out["env"]
        self.assertEqual(env["AWS_REGION"], "us-east-1")
        self.assertEqual(env["AWS_LAMBDA_FUNCTION_NAME"], "echo")
        self.assertEqual(env["_HANDLER"], "app.handler")
        self.assertEqual(env["TZ"], ":UTC")
        self.assertEqual(env["GREETING"], "hello")
        self.assertEqual(env["AWS_EXECUTION_ENV"], "AWS_Lambda_python3.12")
        self.assertEqual(env["AWS_LAMBDA_FUNCTION_VERSION"], "$LATEST")
        self.assertRegex(env["AWS_LAMBDA_RUNTIME_API"], r"^127\.0\.0\.1:\d+$")
        self.assertEqual(out["cwd"], env["LAMBDA_TASK_ROOT"])
        self.assertTrue(os.path.isfile(os.path.join(env["LAMBDA_TASK_ROOT"], "app.py")))
        self.assertTrue(os.path.isdir(env["TMPDIR"]))

    def test_another_python_version_is_logged_once(self):
        import subprocess
        self.create()
        self.invoke()
        self.create("echo2")
        self.invoke("echo2")
        have = subprocess.run(["/usr/bin/python3", "--version"], capture_output=True, text=True).stdout.split()[1]
        count = self.server.output().count("lambda: python3.12 functions run on this machine's")
        self.assertEqual(count, 0 if have.startswith("3.12.") else 1)

    def test_warm_instance_is_reused(self):
        self.create()
        a = self.invoke()[1]["env"]["AWS_LAMBDA_RUNTIME_API"]
        b = self.invoke()[1]["env"]["AWS_LAMBDA_RUNTIME_API"]
        self.assertEqual(a, b)

    def test_log_tail(self):
        self.create()
        r, _ = self.invoke(event={"k": "v"}, LogType="Tail")
        log = base64.b64decode(r["LogResult"]).decode()
        rid = r["ResponseMetadata"]["RequestId"]
        lines = log.split("\n")
        self.assertEqual(lines[0], "START RequestId: %s Version: $LATEST" % rid)
        self.assertIn('got {"k": "v"}', lines)
        self.assertIn("END RequestId: %s" % rid, lines)
        report = [x for x in lines if x.startswith("REPORT")][0]
        self.assertRegex(report, r"^REPORT RequestId: %s\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\t"
                                 r"Memory Size: 128 MB\tMax Memory Used: \d+ MB\t" % rid)
        r, _ = self.invoke()
        self.assertNotIn("LogResult", r)

    def test_handler_error_is_unhandled(self):
        self.create()
        r, out = self.invoke(event={"fail": "no stock"})
        self.assertEqual(r["StatusCode"], 200)
        self.assertEqual(r["FunctionError"], "Unhandled")
        self.assertEqual(out["errorMessage"], "it failed: no stock")
        self.assertEqual(out["errorType"], "ValueError")
        self.assertEqual(out["requestId"], r["ResponseMetadata"]["RequestId"])
        self.assertIn("app.py", out["stackTrace"][0])
        self.assertIn("event", self.invoke()[1])  # the instance still serves

    def test_timeout_kills_the_instance(self):
        self.create(Timeout=1)
        r, out = self.invoke(event={"sleep": 5})
        self.assertEqual(r["FunctionError"], "Unhandled")
        rid = r["ResponseMetadata"]["RequestId"]
        self.assertEqual(out, {"errorType": "Sandbox.Timedout",
                               "errorMessage": "RequestId: %s Error: Task timed out after 1.00 seconds" % rid})
        self.assertIn("event", self.invoke()[1])  # a new instance serves the next one

    def test_import_error_is_reported_as_init_error(self):
        self.create(zipped=zip_of({"app.py": "import no_such_module_here\n"}))
        r, out = self.invoke()
        self.assertEqual(r["FunctionError"], "Unhandled")
        self.assertEqual(out["errorType"], "Runtime.ImportModuleError")
        self.assertEqual(out["errorMessage"], "Unable to import module 'app': No module named 'no_such_module_here'")

    def test_missing_handler_function(self):
        self.create(Handler="app.nope")
        r, out = self.invoke()
        self.assertEqual(out["errorType"], "Runtime.HandlerNotFound")
        self.assertEqual(out["errorMessage"], "Handler 'nope' missing on module 'app'")

    def test_exit_during_invocation(self):
        self.create(zipped=zip_of({"app.py": "import os\ndef handler(e, c):\n    os._exit(3)\n"}))
        r, out = self.invoke()
        rid = r["ResponseMetadata"]["RequestId"]
        self.assertEqual(r["FunctionError"], "Unhandled")
        self.assertEqual(out, {"errorType": "Runtime.ExitError",
                               "errorMessage": "RequestId: %s Error: Runtime exited with error: exit status 3" % rid})

    def test_memory_size_is_enforced(self):
        code = "def handler(e, c):\n    block = bytearray(e['mb'] * 1024 * 1024)\n    return len(block)\n"
        # zeroing 400 MB takes well under a second alone, longer on a busy machine: not a timing test
        self.create("hungry", zipped=zip_of({"app.py": code}), MemorySize=128, Timeout=30)
        r, out = self.invoke("hungry", event={"mb": 16})
        self.assertEqual(out, 16 * 1024 * 1024)
        r, out = self.invoke("hungry", event={"mb": 400})
        self.assertEqual(r["FunctionError"], "Unhandled")
        self.assertEqual(out["errorType"], "MemoryError")
        self.lam.update_function_configuration(FunctionName="hungry", MemorySize=1024)
        self.assertEqual(self.invoke("hungry", event={"mb": 400})[1], 400 * 1024 * 1024)

    def test_dry_run_and_invalid_invocation_type(self):
        self.create()
        r = self.lam.invoke(FunctionName="echo", InvocationType="DryRun")
        self.assertEqual(r["StatusCode"], 204)
        self.assertEqual(r["Payload"].read(), b"")

    def test_invalid_json_payload(self):
        self.create()
        msg = self.assertError("InvalidRequestContentException", self.lam.invoke, FunctionName="echo",
                               Payload=b"{not json")
        self.assertTrue(msg.startswith("Could not parse request body into json: Could not parse payload into "
                                       "json: "), msg)

    def test_payload_over_6mb(self):
        self.create()
        big = json.dumps({"x": "y" * (6 * 1024 * 1024)})
        msg = self.assertError("RequestEntityTooLargeException", self.lam.invoke, FunctionName="echo", Payload=big)
        self.assertEqual(msg, "Request must be smaller than 6291456 bytes for the InvokeFunction operation")
        msg = self.assertError("RequestEntityTooLargeException", self.lam.invoke, FunctionName="echo",
                               InvocationType="Event", Payload=big[:2 * 1024 * 1024] + '"}')
        self.assertIn("byte payload is too large for the Event invocation type (limit 1048576 bytes)", msg)

    def test_client_context_is_passed(self):
        self.create()
        cc = {"custom": {"k": "v"}, "env": {"platform": "test"}}
        _, out = self.invoke(ClientContext=base64.b64encode(json.dumps(cc).encode()).decode())
        self.assertEqual(out["client"], cc)

    def test_event_invoke_runs_later(self):
        self.create()
        path = os.path.join(self.tmp, "event-%d.log" % time.time_ns())
        r = self.lam.invoke(FunctionName="echo", InvocationType="Event", Payload=json.dumps({"write": path}))
        self.assertEqual(r["StatusCode"], 202)
        self.assertEqual(r["Payload"].read(), b"")
        deadline = time.time() + 20
        while time.time() < deadline and not os.path.exists(path):
            time.sleep(0.05)
        self.assertTrue(os.path.exists(path))

    def test_concurrent_invokes_start_more_instances(self):
        import concurrent.futures
        self.create(Timeout=10)
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            outs = list(pool.map(lambda i: self.invoke(event={"sleep": 2})[1], range(4)))
        apis = {o["env"]["AWS_LAMBDA_RUNTIME_API"] for o in outs}
        self.assertEqual(len(apis), 4)

    def test_provided_runtime_runs_the_packages_bootstrap(self):
        bootstrap = """#!/usr/bin/env python3
import json, os, urllib.request
api = "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"] + "/2018-06-01/runtime/invocation/"
while True:
    with urllib.request.urlopen(api + "next") as r:
        rid = r.headers["Lambda-Runtime-Aws-Request-Id"]
        deadline = int(r.headers["Lambda-Runtime-Deadline-Ms"])
        arn = r.headers["Lambda-Runtime-Invoked-Function-Arn"]
        trace = r.headers["Lambda-Runtime-Trace-Id"]
        event = json.loads(r.read())
    out = json.dumps({"echo": event, "arn": arn, "trace": trace, "deadline": deadline,
                      "handler": os.environ.get("_HANDLER")}).encode()
    urllib.request.urlopen(urllib.request.Request(api + rid + "/response", data=out, method="POST")).read()
"""
        self.create("custom", zipped=zip_of({"bootstrap": bootstrap}, {"bootstrap": 0o755}), Runtime="provided.al2023",
                    Handler="function.handler")
        t0 = time.time() * 1000
        r, out = self.invoke("custom", event={"n": 1})
        self.assertEqual(out["echo"], {"n": 1})
        self.assertEqual(out["arn"], ARN + "custom")
        self.assertEqual(out["handler"], "function.handler")
        self.assertRegex(out["trace"], r"^Root=1-[0-9a-f]{8}-[0-9a-f]{24};")
        self.assertTrue(t0 + 2000 < out["deadline"] <= time.time() * 1000 + 3000)

    def test_nodejs_handlers_async_and_callback(self):
        esm = "export const handler = async (event, context) => ({echo: event, name: context.functionName, " \
              "left: context.getRemainingTimeInMillis() > 0});\n"
        cjs = "exports.handler = (event, context, callback) => { if (event.fail) { callback(new TypeError('bad " \
              "input')); return; } callback(null, {cjs: true, id: context.awsRequestId}); };\n"
        self.create("node-esm", zipped=zip_of({"index.mjs": esm}), Runtime="nodejs20.x", Handler="index.handler")
        self.create("node-cjs", zipped=zip_of({"lib/app.js": cjs}), Runtime="nodejs22.x",
                    Handler="lib/app.handler")
        r, out = self.invoke("node-esm", event={"a": 1})
        self.assertEqual(out, {"echo": {"a": 1}, "name": "node-esm", "left": True})
        r, out = self.invoke("node-cjs")
        self.assertEqual(out, {"cjs": True, "id": r["ResponseMetadata"]["RequestId"]})
        r, out = self.invoke("node-cjs", event={"fail": 1})
        self.assertEqual(r["FunctionError"], "Unhandled")
        self.assertEqual((out["errorType"], out["errorMessage"]), ("TypeError", "bad input"))
        self.assertIsInstance(out["trace"], list)

    def test_sdk_call_inside_the_function_reaches_runnel(self):
        url = self.sqs.create_queue(QueueName="from-lambda")["QueueUrl"]
        code = """
import boto3
def handler(event, context):
    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName="from-lambda")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="sent by " + context.function_name)
    return boto3.client("sts").get_caller_identity()["Arn"]
"""
        self.create("sender", zipped=zip_of({"app.py": code}), Timeout=30)
        r, out = self.invoke("sender")
        self.assertNotIn("FunctionError", r, out)
        self.assertEqual(out, "arn:aws:sts::000000000000:assumed-role/lambda-role/sender")  # the role's credentials
        msgs = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=2).get("Messages", [])
        self.assertEqual([m["Body"] for m in msgs], ["sent by sender"])


class TestEventBridgeTarget(LambdaTest):
    def test_rule_target_invokes_the_function_asynchronously(self):
        self.create()
        path = os.path.join(self.tmp, "eb-%d.log" % time.time_ns())
        ev = self.server.client("events")
        ev.put_rule(Name="to-fn", EventPattern='{"source": ["shop"]}')
        ev.put_targets(Rule="to-fn", Targets=[{"Id": "f", "Arn": ARN + "echo",
                                                 "Input": json.dumps({"write": path})}])
        ev.put_events(Entries=[{"Source": "shop", "DetailType": "order", "Detail": "{}"}])
        deadline = time.time() + 20
        while time.time() < deadline and not os.path.exists(path):
            time.sleep(0.05)
        self.assertTrue(os.path.exists(path))


class TestLocalDirectory(LambdaTest):
    def test_local_directory_reloads_on_change(self):
        d = tempfile.mkdtemp(dir=self.tmp)
        with open(os.path.join(d, "app.py"), "w") as f:
            f.write("def handler(e, c):\n    return 'one'\n")
        # CreateFunction's Code has no member for a directory in the SDK's model: send it as the REST call it is
        import urllib.request
        body = json.dumps({"FunctionName": "hot", "Runtime": "python3.12", "Role": ROLE, "Handler": "app.handler",
                           "Code": {"RunnelCodeDirectory": d}}).encode()
        req = urllib.request.Request(self.server.endpoint + "/2015-03-31/functions", data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as r:
            self.assertEqual(r.status, 201)
            self.assertEqual(json.loads(r.read())["CodeSha256"], "local")
        self.assertEqual(self.invoke("hot")[1], "one")
        time.sleep(1.1)  # the reload check runs at most once a second, and mtimes must differ
        with open(os.path.join(d, "app.py"), "w") as f:
            f.write("def handler(e, c):\n    return 'two'\n")
        self.assertEqual(self.invoke("hot")[1], "two")


class TestDurability(unittest.TestCase):
    def test_functions_and_event_invokes_survive_kill_9(self):
        with harness.DataDir("runnel-lambda-") as d:
            server = d.start()
            lam = server.client("lambda", read_timeout=60)
            lam.create_function(FunctionName="keep", Runtime="python3.12", Role=ROLE, Handler="app.handler",
                                Code={"ZipFile": zip_of({"app.py": ECHO})}, Timeout=30)
            path = os.path.join(d.tmp, "runs.log")
            # the first run sleeps long enough to be in flight at kill -9
            r = lam.invoke(FunctionName="keep", InvocationType="Event",
                           Payload=json.dumps({"sleep": 3, "write": path}))
            self.assertEqual(r["StatusCode"], 202)
            time.sleep(0.5)
            server.kill()
            restarted = time.time()
            server = d.start()
            lam = server.client("lambda", read_timeout=60)
            self.assertEqual(lam.get_function(FunctionName="keep")["Configuration"]["Timeout"], 30)
            deadline = time.time() + 30
            later = []
            while time.time() < deadline and not later:
                time.sleep(0.1)
                if os.path.exists(path):
                    with open(path) as f:
                        later = [json.loads(x) for x in f if json.loads(x)["started"] > restarted]
            self.assertTrue(later, "the acknowledged Event invoke did not run again after the restart")
            self.assertIn("event", json.loads(lam.invoke(FunctionName="keep")["Payload"].read()))
            server.stop()


if __name__ == "__main__":
    unittest.main()


class TestSqsEventSource(LambdaTest):
    RECORDER = """
import json, os
def handler(event, context):
    out = os.environ["OUT"]
    fail = []
    for r in event["Records"]:
        body = json.loads(r["body"]) if r["body"].startswith("{") else r["body"]
        with open(out, "a") as f:
            f.write(json.dumps({"record": r, "size": len(event["Records"])}) + "\\n")
        if isinstance(body, dict) and body.get("fail"):
            fail.append({"itemIdentifier": r["messageId"]})
    if os.environ.get("RAISE") and fail:
        raise RuntimeError("batch failed")
    return {"batchItemFailures": fail}
"""

    def setUp(self):
        super().setUp()
        self.out = os.path.join(self.tmp, "records-%d.log" % time.time_ns())

    def recorder(self, name="rec", raise_=False, **kw):
        env = {"OUT": self.out}
        if raise_:
            env["RAISE"] = "1"
        self.create(name, zipped=zip_of({"app.py": self.RECORDER}), Environment={"Variables": env}, **kw)

    def seen(self, n, timeout=20):
        return rows_of(self.out, n, timeout)

    def queue(self, name, **attrs):
        url = self.sqs.create_queue(QueueName=name, Attributes=attrs)["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        return url, arn

    def test_messages_reach_the_function_in_aws_record_shape_and_are_deleted(self):
        self.recorder()
        url, arn = self.queue("orders")
        m = self.lam.create_event_source_mapping(FunctionName="rec", EventSourceArn=arn, BatchSize=5)
        self.assertEqual(m["State"], "Creating")
        self.assertEqual((m["BatchSize"], m["EventSourceArn"], m["FunctionArn"]), (5, arn, ARN + "rec"))
        self.assertEqual(self.lam.get_event_source_mapping(UUID=m["UUID"])["State"], "Enabled")
        sent = self.sqs.send_message(QueueUrl=url, MessageBody='{"orderId": "o-1", "amount": 1500}',
                                     MessageAttributes={"kind": {"DataType": "String", "StringValue": "order"}})
        rows = self.seen(1)
        self.assertEqual(len(rows), 1)
        r = rows[0]["record"]
        self.assertEqual(r["messageId"], sent["MessageId"])
        self.assertEqual(r["body"], '{"orderId": "o-1", "amount": 1500}')
        self.assertEqual(r["eventSource"], "aws:sqs")
        self.assertEqual(r["eventSourceARN"], arn)
        self.assertEqual(r["awsRegion"], "us-east-1")
        self.assertEqual(r["md5OfBody"], sent["MD5OfMessageBody"])
        self.assertEqual(r["md5OfMessageAttributes"], sent["MD5OfMessageAttributes"])
        self.assertEqual(r["messageAttributes"], {"kind": {"stringValue": "order", "stringListValues": [],
                                                           "binaryListValues": [], "dataType": "String"}})
        self.assertEqual(r["attributes"]["ApproximateReceiveCount"], "1")
        self.assertIn("SentTimestamp", r["attributes"])
        self.assertTrue(r["receiptHandle"])
        deadline = time.time() + 10  # the batch is deleted once the function succeeded
        while time.time() < deadline:
            a = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
            if a["ApproximateNumberOfMessages"] == "0" and a["ApproximateNumberOfMessagesNotVisible"] == "0":
                break
            time.sleep(0.05)
        self.assertEqual((a["ApproximateNumberOfMessages"], a["ApproximateNumberOfMessagesNotVisible"]), ("0", "0"))

    def test_failed_batch_returns_and_goes_to_the_dlq(self):
        self.recorder(raise_=True, Timeout=1)  # AWS wants the queue's visibility (1 s) >= the function's timeout
        dlq_url, dlq_arn = self.queue("dead")
        url, arn = self.queue("work", VisibilityTimeout="1", RedrivePolicy=json.dumps(
            {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "2"}))
        self.lam.create_event_source_mapping(FunctionName="rec", EventSourceArn=arn, BatchSize=1)
        self.sqs.send_message(QueueUrl=url, MessageBody='{"fail": true}')
        moved = []
        deadline = time.time() + 20
        while time.time() < deadline and not moved:
            moved = self.sqs.receive_message(QueueUrl=dlq_url, WaitTimeSeconds=1).get("Messages", [])
        self.assertEqual([m["Body"] for m in moved], ['{"fail": true}'])
        self.assertEqual(len(self.seen(2)), 2)  # tried twice (maxReceiveCount), then moved

    def test_a_visibility_timeout_shorter_than_the_functions_is_refused(self):
        self.recorder(Timeout=60)
        _, arn = self.queue("short", VisibilityTimeout="30")
        msg = self.assertError("InvalidParameterValueException", self.lam.create_event_source_mapping,
                               FunctionName="rec", EventSourceArn=arn)
        self.assertEqual(msg, "Queue visibility timeout: 30 seconds is less than Function timeout: 60 seconds")

    def test_report_batch_item_failures_keeps_only_the_failed(self):
        self.recorder()
        url, arn = self.queue("partial", VisibilityTimeout="30")
        self.sqs.send_message_batch(QueueUrl=url, Entries=[
            {"Id": "a", "MessageBody": '{"n": 1}'}, {"Id": "b", "MessageBody": '{"n": 2, "fail": true}'},
            {"Id": "c", "MessageBody": '{"n": 3}'}])
        extra = {}
        if "ScalingConfig" in self.lam.meta.service_model.operation_model(
                "CreateEventSourceMapping").input_shape.members:  # boto3 1.26's model predates it
            extra["ScalingConfig"] = {"MaximumConcurrency": 2}
        self.lam.create_event_source_mapping(FunctionName="rec", EventSourceArn=arn, BatchSize=10,
                                             FunctionResponseTypes=["ReportBatchItemFailures"], **extra)
        self.assertEqual(len(self.seen(3)), 3)
        deadline = time.time() + 10
        while time.time() < deadline:
            a = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
            if a["ApproximateNumberOfMessagesNotVisible"] == "1":
                break
            time.sleep(0.05)
        self.assertEqual((a["ApproximateNumberOfMessages"], a["ApproximateNumberOfMessagesNotVisible"]), ("0", "1"))

    def test_fifo_partial_failure_keeps_the_rest_of_the_group(self):
        self.recorder()
        url, arn = self.queue("ordered.fifo", FifoQueue="true", ContentBasedDeduplication="true",
                              VisibilityTimeout="30")
        for n in range(1, 5):
            body = {"n": n, "fail": n == 2}
            self.sqs.send_message(QueueUrl=url, MessageBody=json.dumps(body), MessageGroupId="g")
        self.lam.create_event_source_mapping(FunctionName="rec", EventSourceArn=arn, BatchSize=10,
                                             FunctionResponseTypes=["ReportBatchItemFailures"])
        rows = self.seen(4)
        self.assertEqual([json.loads(r["record"]["body"])["n"] for r in rows], [1, 2, 3, 4])
        deadline = time.time() + 10
        while time.time() < deadline:
            a = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
            if a["ApproximateNumberOfMessagesNotVisible"] == "3":
                break
            time.sleep(0.05)
        self.assertEqual(a["ApproximateNumberOfMessagesNotVisible"], "3")  # 2, 3 and 4 stay

    def test_filter_criteria_deletes_what_does_not_match(self):
        self.recorder()
        url, arn = self.queue("filtered")
        self.lam.create_event_source_mapping(
            FunctionName="rec", EventSourceArn=arn,
            FilterCriteria={"Filters": [{"Pattern": json.dumps({"body": {"amount": [{"numeric": [">", 1000]}]}})}]})
        self.sqs.send_message(QueueUrl=url, MessageBody='{"amount": 5}')
        self.sqs.send_message(QueueUrl=url, MessageBody='{"amount": 5000}')
        rows = self.seen(1)
        time.sleep(0.5)
        rows = self.seen(1)
        self.assertEqual([json.loads(r["record"]["body"]) for r in rows], [{"amount": 5000}])
        a = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        self.assertEqual((a["ApproximateNumberOfMessages"], a["ApproximateNumberOfMessagesNotVisible"]), ("0", "0"))

    def test_disable_stops_and_enable_resumes(self):
        self.recorder()
        url, arn = self.queue("toggle")
        m = self.lam.create_event_source_mapping(FunctionName="rec", EventSourceArn=arn, Enabled=False)
        self.assertEqual(self.lam.get_event_source_mapping(UUID=m["UUID"])["State"], "Disabled")
        self.sqs.send_message(QueueUrl=url, MessageBody="x")
        time.sleep(0.5)
        self.assertFalse(os.path.exists(self.out))
        r = self.lam.update_event_source_mapping(UUID=m["UUID"], Enabled=True)
        self.assertEqual(r["State"], "Updating")
        self.assertEqual(len(self.seen(1)), 1)
        listed = self.lam.list_event_source_mappings(FunctionName="rec")["EventSourceMappings"]
        self.assertEqual([x["UUID"] for x in listed], [m["UUID"]])
        self.assertEqual(self.lam.delete_event_source_mapping(UUID=m["UUID"])["State"], "Deleting")
        msg = self.assertError("ResourceNotFoundException", self.lam.get_event_source_mapping, UUID=m["UUID"])
        self.assertEqual(msg, "The resource you requested does not exist.")

    def test_mapping_checks(self):
        self.recorder()
        _, arn = self.queue("checks")
        _, farn = self.queue("checks.fifo", FifoQueue="true")
        msg = self.assertError("InvalidParameterValueException", self.lam.create_event_source_mapping,
                               FunctionName="rec", EventSourceArn=arn, BatchSize=100)
        self.assertEqual(msg, "Maximum batch window in seconds must be greater than 0 if maximum batch size is "
                              "greater than 10")
        self.assertError("InvalidParameterValueException", self.lam.create_event_source_mapping,
                         FunctionName="rec", EventSourceArn=farn, BatchSize=11, MaximumBatchingWindowInSeconds=1)
        m = self.lam.create_event_source_mapping(FunctionName="rec", EventSourceArn=arn)
        msg = self.assertError("ResourceConflictException", self.lam.create_event_source_mapping,
                               FunctionName="rec", EventSourceArn=arn)
        self.assertIn(m["UUID"], msg)
        self.assertError("ResourceNotFoundException", self.lam.create_event_source_mapping,
                         FunctionName="nope", EventSourceArn=arn)


class TestConcurrencyAndTags(LambdaTest):
    def test_reserved_concurrency_and_throttling(self):
        self.create(Timeout=10)
        self.assertEqual(self.lam.get_function_concurrency(FunctionName="echo").get("ReservedConcurrentExecutions"),
                         None)
        r = self.lam.put_function_concurrency(FunctionName="echo", ReservedConcurrentExecutions=0)
        self.assertEqual(r["ReservedConcurrentExecutions"], 0)
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.lam.invoke(FunctionName="echo", Payload=b"{}")
        e = cm.exception.response
        self.assertEqual(e["Error"]["Code"], "TooManyRequestsException")
        self.assertEqual(e["Error"]["Message"], "Rate Exceeded.")
        self.assertEqual(e["ResponseMetadata"]["HTTPStatusCode"], 429)
        self.assertEqual(e.get("Reason"), "ReservedFunctionConcurrentInvocationLimitExceeded")
        self.lam.put_function_concurrency(FunctionName="echo", ReservedConcurrentExecutions=1)
        import concurrent.futures
        mark = os.path.join(self.tmp, "running-%d" % time.time_ns())
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            slow = pool.submit(self.invoke, event={"sleep": 3, "mark": mark})
            deadline = time.time() + 20
            while not os.path.exists(mark) and time.time() < deadline:  # the one instance allowed is busy
                time.sleep(0.02)
            with self.assertRaises(botocore.exceptions.ClientError) as cm:
                self.lam.invoke(FunctionName="echo", Payload=b"{}")
            self.assertEqual(cm.exception.response["Error"]["Code"], "TooManyRequestsException")
            self.assertIn("event", slow.result()[1])
        self.assertEqual(self.lam.get_function(FunctionName="echo")["Concurrency"],
                         {"ReservedConcurrentExecutions": 1})
        self.lam.delete_function_concurrency(FunctionName="echo")
        self.assertIn("event", self.invoke()[1])
        msg = self.assertError("InvalidParameterValueException", self.lam.put_function_concurrency,
                               FunctionName="echo", ReservedConcurrentExecutions=901)
        self.assertEqual(msg, "Specified ReservedConcurrentExecutions for function decreases account's "
                              "UnreservedConcurrentExecution below its minimum value of [100].")
        msg = self.assertError("InvalidParameterValueException", self.lam.put_function_concurrency,
                               FunctionName="echo:1", ReservedConcurrentExecutions=1)
        self.assertTrue(msg.startswith("This operation is permitted on Lambda functions only."), msg)

    def test_tags(self):
        self.create(Tags={"a": "1"})
        self.lam.tag_resource(Resource=ARN + "echo", Tags={"b": "2"})
        self.assertEqual(self.lam.list_tags(Resource=ARN + "echo")["Tags"], {"a": "1", "b": "2"})
        self.lam.untag_resource(Resource=ARN + "echo", TagKeys=["a"])
        self.assertEqual(self.lam.list_tags(Resource=ARN + "echo")["Tags"], {"b": "2"})
        self.assertError("ResourceNotFoundException", self.lam.list_tags, Resource=ARN + "nope")


class TestVersionsAndAliases(LambdaTest):
    V1 = "def handler(e, c):\n    return {'v': 1, 'version': c.function_version, 'arn': c.invoked_function_arn}\n"
    V2 = "def handler(e, c):\n    return {'v': 2, 'version': c.function_version, 'arn': c.invoked_function_arn}\n"

    def test_publish_invoke_and_list_versions(self):
        self.create(zipped=zip_of({"app.py": self.V1}))
        v1 = self.lam.publish_version(FunctionName="echo", Description="first")
        self.assertEqual((v1["Version"], v1["FunctionArn"], v1["Description"]), ("1", ARN + "echo:1", "first"))
        again = self.lam.publish_version(FunctionName="echo")
        self.assertEqual(again["Version"], "1")  # nothing changed: no new version
        self.lam.update_function_code(FunctionName="echo", ZipFile=zip_of({"app.py": self.V2}))
        v2 = self.lam.publish_version(FunctionName="echo")
        self.assertEqual(v2["Version"], "2")
        r, out = self.invoke("echo", Qualifier="1")
        self.assertEqual((out["v"], out["version"], out["arn"], r["ExecutedVersion"]), (1, "1", ARN + "echo:1", "1"))
        r, out = self.invoke("echo:2")
        self.assertEqual((out["v"], r["ExecutedVersion"]), (2, "2"))
        r, out = self.invoke("echo")
        self.assertEqual((out["v"], out["version"], r["ExecutedVersion"]), (2, "$LATEST", "$LATEST"))
        vs = self.lam.list_versions_by_function(FunctionName="echo")["Versions"]
        self.assertEqual([v["Version"] for v in vs], ["$LATEST", "1", "2"])
        self.assertEqual(self.lam.get_function(FunctionName="echo", Qualifier="1")["Configuration"]["Version"], "1")
        msg = self.assertError("InvalidParameterValueException", self.lam.publish_version, FunctionName="echo",
                               CodeSha256="abc")
        self.assertTrue(msg.startswith("CodeSHA256 (abc) is different from current CodeSHA256 in $LATEST ("), msg)
        self.lam.delete_function(FunctionName="echo", Qualifier="1")
        msg = self.assertError("ResourceNotFoundException", self.lam.invoke, FunctionName="echo", Qualifier="1")
        self.assertEqual(msg, "Function not found: " + ARN + "echo:1")

    def test_aliases(self):
        self.create(zipped=zip_of({"app.py": self.V1}), Publish=True)
        self.lam.update_function_code(FunctionName="echo", ZipFile=zip_of({"app.py": self.V2}), Publish=True)
        a = self.lam.create_alias(FunctionName="echo", Name="live", FunctionVersion="1", Description="prod")
        self.assertEqual((a["AliasArn"], a["Name"], a["FunctionVersion"]), (ARN + "echo:live", "live", "1"))
        r, out = self.invoke("echo", Qualifier="live")
        self.assertEqual((out["v"], out["arn"], r["ExecutedVersion"]), (1, ARN + "echo:live", "1"))
        msg = self.assertError("ResourceConflictException", self.lam.create_alias, FunctionName="echo", Name="live",
                               FunctionVersion="1")
        self.assertEqual(msg, "Alias already exists: " + ARN + "echo:live")
        msg = self.assertError("ValidationException", self.lam.create_alias, FunctionName="echo", Name="2024",
                               FunctionVersion="1")
        self.assertEqual(msg, "1 validation error detected: Value '2024' at 'name' failed to satisfy constraint: "
                              "Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)")
        msg = self.assertError("ResourceNotFoundException", self.lam.create_alias, FunctionName="echo", Name="x",
                               FunctionVersion="10")
        self.assertEqual(msg, "Function not found: " + ARN + "echo:10")
        self.lam.update_alias(FunctionName="echo", Name="live", FunctionVersion="2")
        self.assertEqual(self.invoke("echo:live")[1]["v"], 2)
        # all traffic weighted to version 1
        self.lam.update_alias(FunctionName="echo", Name="live", RoutingConfig={"AdditionalVersionWeights": {"1": 1.0}})
        self.assertEqual(self.invoke("echo:live")[1]["v"], 1)
        self.assertEqual([x["Name"] for x in self.lam.list_aliases(FunctionName="echo")["Aliases"]], ["live"])
        msg = self.assertError("ResourceConflictException", self.lam.delete_function, FunctionName="echo",
                               Qualifier="2")
        msg = self.assertError("ResourceNotFoundException", self.lam.get_alias, FunctionName="echo", Name="nope")
        self.assertEqual(msg, "Cannot find alias arn: " + ARN + "echo:nope")
        msg = self.assertError("ResourceNotFoundException", self.lam.update_alias, FunctionName="echo", Name="nope",
                               FunctionVersion="1")
        self.assertEqual(msg, "Alias not found: " + ARN + "echo:nope")
        self.lam.delete_alias(FunctionName="echo", Name="live")
        self.lam.delete_alias(FunctionName="echo", Name="live")  # AWS answers 204 again
        self.assertError("ResourceNotFoundException", self.lam.get_alias, FunctionName="echo", Name="live")


class TestVersionDurability(unittest.TestCase):
    def test_versions_and_aliases_survive_restart(self):
        with harness.DataDir("runnel-lambda-") as d:
            server = d.start()
            lam = server.client("lambda")
            lam.create_function(FunctionName="v", Runtime="python3.12", Role=ROLE, Handler="app.handler",
                                Code={"ZipFile": zip_of({"app.py": TestVersionsAndAliases.V1})}, Publish=True)
            lam.create_alias(FunctionName="v", Name="live", FunctionVersion="1")
            server.kill()
            server = d.start()
            lam = server.client("lambda")
            self.assertEqual(lam.get_alias(FunctionName="v", Name="live")["FunctionVersion"], "1")
            r = lam.invoke(FunctionName="v", Qualifier="live")
            self.assertEqual(json.loads(r["Payload"].read())["version"], "1")
            lam.update_function_code(FunctionName="v", ZipFile=zip_of({"app.py": TestVersionsAndAliases.V2}))
            self.assertEqual(lam.publish_version(FunctionName="v")["Version"], "2")
            server.stop()


class TestWithAuthFile(harness.AuthFileServer):
    def test_function_sdk_calls_are_signed_with_role_credentials(self):
        lam = self.server.client("lambda", key=harness.KEY, secret=harness.SECRET)
        sqs = self.server.client("sqs", key=harness.KEY, secret=harness.SECRET)
        url = sqs.create_queue(QueueName="signed")["QueueUrl"]
        code = ("import boto3\ndef handler(e, c):\n    s = boto3.client('sqs')\n"
                "    s.send_message(QueueUrl=s.get_queue_url(QueueName='signed')['QueueUrl'], MessageBody='ok')\n"
                "    return 'sent'\n")
        lam.create_function(FunctionName="signed", Runtime="python3.12", Role=ROLE, Handler="app.handler",
                            Code={"ZipFile": zip_of({"app.py": code})}, Timeout=30)
        r = lam.invoke(FunctionName="signed")
        self.assertEqual(json.loads(r["Payload"].read()), "sent")
        self.assertEqual([m["Body"] for m in sqs.receive_message(QueueUrl=url).get("Messages", [])], ["ok"])


class TestAsyncOutcomes(LambdaTest):
    def invocations(self):
        """Invocations the server has finished (its health endpoint)."""
        import urllib.request
        with urllib.request.urlopen(self.server.endpoint + "/_runnel/health", timeout=5) as r:
            return json.loads(r.read())["services"]["lambda"].get("invocations", 0)

    FAILS = "def handler(e, c):\n    if e.get('fail'):\n        raise ValueError('no: ' + str(e['fail']))\n    return {'ok': e}\n"

    def queue(self, name):
        url = self.sqs.create_queue(QueueName=name)["QueueUrl"]
        return url, self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]

    def wait_messages(self, url, n=1, timeout=15):
        got = []
        deadline = time.time() + timeout
        while time.time() < deadline and len(got) < n:
            got += self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1, MessageAttributeNames=["All"]).get(
                "Messages", [])
        return got

    def test_retries_then_on_failure_destination_and_dlq(self):
        ok_url, ok_arn = self.queue("on-success")
        fail_url, fail_arn = self.queue("on-failure")
        dlq_url, dlq_arn = self.queue("fn-dlq")
        self.create(zipped=zip_of({"app.py": self.FAILS}), DeadLetterConfig={"TargetArn": dlq_arn})
        r = self.lam.put_function_event_invoke_config(
            FunctionName="echo", MaximumRetryAttempts=1,
            DestinationConfig={"OnSuccess": {"Destination": ok_arn}, "OnFailure": {"Destination": fail_arn}})
        self.assertEqual((r["MaximumRetryAttempts"], r["FunctionArn"]), (1, ARN + "echo:$LATEST"))
        before = self.invocations()
        rid = self.lam.invoke(FunctionName="echo", InvocationType="Event",
                              Payload=b'{"fail": 1}')["ResponseMetadata"]["RequestId"]
        deadline = time.time() + 20  # the first attempt fails; the retry waits a minute
        while self.invocations() <= before and time.time() < deadline:
            time.sleep(0.05)
        self.assertEqual(self.sqs.receive_message(QueueUrl=fail_url).get("Messages", []), [])
        self.advance(61)
        msgs = self.wait_messages(fail_url)
        self.assertEqual(len(msgs), 1)
        rec = json.loads(msgs[0]["Body"])
        self.assertEqual(rec["version"], "1.0")
        self.assertEqual(rec["requestContext"], {"requestId": rid, "functionArn": ARN + "echo:$LATEST",
                                                 "condition": "RetriesExhausted", "approximateInvokeCount": 2})
        self.assertEqual(rec["requestPayload"], {"fail": 1})
        self.assertEqual(rec["responseContext"], {"statusCode": 200, "executedVersion": "$LATEST",
                                                  "functionError": "Unhandled"})
        self.assertEqual(rec["responsePayload"]["errorMessage"], "no: 1")
        dead = self.wait_messages(dlq_url)
        self.assertEqual(json.loads(dead[0]["Body"]), {"fail": 1})
        attrs = {k: v["StringValue"] for k, v in dead[0]["MessageAttributes"].items()}
        self.assertEqual((attrs["RequestID"], attrs["ErrorCode"], attrs["ErrorMessage"]), (rid, "200", "no: 1"))
        # success goes to OnSuccess with the response
        self.lam.invoke(FunctionName="echo", InvocationType="Event", Payload=b'{"n": 5}')
        msgs = self.wait_messages(ok_url)
        rec = json.loads(msgs[0]["Body"])
        self.assertEqual(rec["requestContext"]["condition"], "Success")
        self.assertEqual(rec["responsePayload"], {"ok": {"n": 5}})
        self.assertNotIn("functionError", rec["responseContext"])

    def test_event_invoke_config_api(self):
        self.create()
        msg = self.assertError("ResourceNotFoundException", self.lam.get_function_event_invoke_config,
                               FunctionName="echo")
        self.assertEqual(msg, "The function " + ARN + "echo:$LATEST doesn't have an EventInvokeConfig")
        lam = self.server.client("lambda", validate=False)
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            lam.put_function_event_invoke_config(FunctionName="echo", MaximumRetryAttempts=3)
        self.assertEqual(cm.exception.response["Error"]["Code"], "ValidationException")
        self.lam.put_function_event_invoke_config(FunctionName="echo", MaximumEventAgeInSeconds=120)
        r = self.lam.update_function_event_invoke_config(FunctionName="echo", MaximumRetryAttempts=0)
        self.assertEqual((r["MaximumRetryAttempts"], r["MaximumEventAgeInSeconds"]), (0, 120))
        listed = self.lam.list_function_event_invoke_configs(FunctionName="echo")["FunctionEventInvokeConfigs"]
        self.assertEqual(len(listed), 1)
        self.lam.delete_function_event_invoke_config(FunctionName="echo")
        self.assertError("ResourceNotFoundException", self.lam.get_function_event_invoke_config, FunctionName="echo")


class TestPolicy(LambdaTest):
    def test_add_get_remove_permission(self):
        self.create()
        msg = self.assertError("ResourceNotFoundException", self.lam.get_policy, FunctionName="echo")
        self.assertEqual(msg, "The resource you requested does not exist.")
        r = self.lam.add_permission(FunctionName="echo", StatementId="from-rule", Action="lambda:InvokeFunction",
                                    Principal="events.amazonaws.com",
                                    SourceArn="arn:aws:events:us-east-1:000000000000:rule/orders")
        st = json.loads(r["Statement"])
        self.assertEqual(st, {"Sid": "from-rule", "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
                              "Action": "lambda:InvokeFunction", "Resource": ARN + "echo",
                              "Condition": {"ArnLike": {"AWS:SourceArn":
                                                        "arn:aws:events:us-east-1:000000000000:rule/orders"}}})
        msg = self.assertError("ResourceConflictException", self.lam.add_permission, FunctionName="echo",
                               StatementId="from-rule", Action="lambda:InvokeFunction", Principal="s3.amazonaws.com")
        self.assertEqual(msg, "The statement id (from-rule) provided already exists. Please provide a new statement "
                              "id, or remove the existing statement.")
        policy = json.loads(self.lam.get_policy(FunctionName="echo")["Policy"])
        self.assertEqual([s["Sid"] for s in policy["Statement"]], ["from-rule"])
        self.lam.remove_permission(FunctionName="echo", StatementId="from-rule")
        msg = self.assertError("ResourceNotFoundException", self.lam.remove_permission, FunctionName="echo",
                               StatementId="from-rule")
        self.assertEqual(msg, "Statement from-rule is not found in resource policy.")


class TestLayers(LambdaTest):
    def test_publish_use_and_delete_layer_versions(self):
        helper = "def shout(s):\n    return s.upper() + '!'\n"
        v1 = self.lam.publish_layer_version(LayerName="helpers", Description="first",
                                            Content={"ZipFile": zip_of({"python/helpers.py": helper})},
                                            CompatibleRuntimes=["python3.12"])
        self.assertEqual((v1["Version"], v1["LayerVersionArn"]),
                         (1, "arn:aws:lambda:us-east-1:000000000000:layer:helpers:1"))
        self.assertEqual(len(base64.b64decode(v1["Content"]["CodeSha256"])), 32)
        tool = "#!/bin/sh\necho from-layer-bin\n"
        v2 = self.lam.publish_layer_version(LayerName="helpers", Content={"ZipFile": zip_of(
            {"python/helpers.py": helper.replace("'!'", "'!!'"), "bin/layer-tool": tool}, {"bin/layer-tool": 0o755})})
        self.assertEqual(v2["Version"], 2)
        code = ("import helpers, os, subprocess\ndef handler(e, c):\n    return [helpers.shout('hi'), "
                "subprocess.run(['layer-tool'], capture_output=True, text=True).stdout.strip()]\n")
        r = self.create("uses-layer", zipped=zip_of({"app.py": code}), Layers=[v2["LayerVersionArn"]])
        self.assertEqual(r["Layers"], [{"Arn": v2["LayerVersionArn"], "CodeSize": v2["Content"]["CodeSize"]}])
        self.assertEqual(self.invoke("uses-layer")[1], ["HI!!", "from-layer-bin"])
        layers = self.lam.list_layers()["Layers"]
        self.assertEqual([(x["LayerName"], x["LatestMatchingVersion"]["Version"]) for x in layers], [("helpers", 2)])
        self.assertEqual([x["Version"] for x in self.lam.list_layer_versions(LayerName="helpers")["LayerVersions"]],
                         [1, 2])
        self.lam.delete_layer_version(LayerName="helpers", VersionNumber=1)
        self.assertError("ResourceNotFoundException", self.lam.get_layer_version, LayerName="helpers",
                         VersionNumber=1)
        msg = self.assertError("InvalidParameterValueException", self.create, "bad-layer",
                               Layers=["arn:aws:lambda:us-east-1:000000000000:layer:helpers:9"])
        self.assertEqual(msg, "Layer version arn:aws:lambda:us-east-1:000000000000:layer:helpers:9 does not exist.")
        v3 = self.lam.publish_layer_version(LayerName="helpers", Content={"ZipFile": zip_of({"x": "y"})})
        self.assertEqual(v3["Version"], 3)  # numbers are not reused


class TestReviewRegressions(LambdaTest):
    """Cases a review found: each failed (or crashed the server under ASan) before its fix."""

    SLEEPY = "import time\ndef handler(e, c):\n    time.sleep(e.get('sleep', 0))\n    return 'done'\n"

    def test_deleting_a_function_while_its_version_runs_an_event_invoke(self):
        self.create(zipped=zip_of({"app.py": self.SLEEPY}), Publish=True, Timeout=10)
        self.lam.invoke(FunctionName="echo", Qualifier="1", InvocationType="Event", Payload=b'{"sleep": 1}')
        time.sleep(0.3)
        self.lam.delete_function(FunctionName="echo")
        time.sleep(1.5)  # the version's invocation ends after its function is gone
        self.assertEqual(self.lam.list_functions()["Functions"], [])

    def test_a_symlink_chain_cannot_climb_out(self):
        b = io.BytesIO()
        with zipfile.ZipFile(b, "w") as z:
            z.writestr("app.py", ECHO)
            for name, target in (("a/b/s", "../.."), ("u", "a/b/s/../../etc")):
                info = zipfile.ZipInfo(name)
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
                z.writestr(info, target)
        self.assertError("InvalidParameterValueException", self.create, zipped=b.getvalue())

    def test_an_update_during_a_slow_start_does_not_fail_the_waiting_invoke(self):
        import threading
        code = "import time\ntime.sleep(1.0)\ndef handler(e, c):\n    return 'ok'\n"
        self.create(zipped=zip_of({"app.py": code}), Timeout=10)
        result = {}
        t = threading.Thread(target=lambda: result.update(out=self.invoke()))
        t.start()
        time.sleep(0.3)
        self.lam.update_function_configuration(FunctionName="echo", Description="changed while starting")
        t.join()
        r, out = result["out"]
        self.assertNotIn("FunctionError", r, out)
        self.assertEqual(out, "ok")

    def test_the_runtime_api_serves_nothing_but_invocations(self):
        code = """
import os, urllib.request, urllib.error
def handler(e, c):
    api = "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"]
    out = {}
    for path in ("/etc/passwd", "/2018-06-01/../../etc/passwd", "/2018-06-01/runtime/../../../etc/passwd",
                 "/2018-06-01/runtime/invocation/next/../../../../../etc/passwd", "/_runnel/health",
                 "/2015-03-31/functions", "/2018-06-01/runtime/invocation/%2e%2e%2f%2e%2e%2fetc%2fpasswd/response"):
        try:
            with urllib.request.urlopen(urllib.request.Request(api + path, method="GET"), timeout=5) as r:
                out[path] = (r.status, r.read()[:40].decode(errors="replace"))
        except urllib.error.HTTPError as err:
            out[path] = (err.code, "")
    return out
"""
        self.create(zipped=zip_of({"app.py": code}))
        _, out = self.invoke()
        self.assertEqual(len(out), 7)
        for path, (status, body) in out.items():
            self.assertIn(status, (400, 404), (path, status, body))
            self.assertNotIn("root:", body)

    def test_multi_line_client_context(self):
        self.create()
        cc = json.dumps({"custom": {"a": 1}}, indent=2)
        _, out = self.invoke(ClientContext=base64.b64encode(cc.encode()).decode())
        self.assertEqual(out["client"], {"custom": {"a": 1}})

    def test_init_output_reaches_the_log_group(self):
        code = "print('warming up')\ndef handler(e, c):\n    print('handling')\n    return 1\n"
        self.create(zipped=zip_of({"app.py": code}))
        self.invoke()
        logs = self.server.client("logs")
        stream = logs.describe_log_streams(logGroupName="/aws/lambda/echo")["logStreams"][0]["logStreamName"]
        msgs = [e["message"] for e in logs.get_log_events(logGroupName="/aws/lambda/echo", logStreamName=stream,
                                                          startFromHead=True)["events"]]
        self.assertEqual(msgs[0], "warming up")
        self.assertTrue(msgs[1].startswith("START RequestId: "), msgs)
        self.assertEqual(msgs[2], "handling")

    def test_invalid_utf8_output_is_kept_as_replacement_characters(self):
        code = "import sys\ndef handler(e, c):\n    sys.stdout.buffer.write(b'bad \\xff byte\\n')\n    return 1\n"
        self.create(zipped=zip_of({"app.py": code}))
        self.invoke()
        logs = self.server.client("logs")
        hits = logs.filter_log_events(logGroupName="/aws/lambda/echo", filterPattern="byte")["events"]
        self.assertEqual([e["message"] for e in hits], ["bad \ufffd byte"])

    def test_a_filter_pattern_with_too_many_comparisons_is_refused(self):
        logs = self.server.client("logs")
        logs.create_log_group(logGroupName="many")
        pattern = "{ " + " && ".join(["$.a = 1"] * 40) + " }"
        self.assertError("InvalidParameterException", logs.filter_log_events, logGroupName="many",
                         filterPattern=pattern)


class TestShutdownWithWorkInFlight(unittest.TestCase):
    def test_sigterm_with_event_invokes_running_exits_cleanly(self):
        server = harness.Server(None).start()
        try:
            lam = server.client("lambda")
            lam.create_function(FunctionName="slow", Runtime="python3.12", Role=ROLE, Handler="app.handler",
                                Code={"ZipFile": zip_of({"app.py": TestReviewRegressions.SLEEPY})}, Timeout=30)
            for _ in range(3):
                lam.invoke(FunctionName="slow", InvocationType="Event", Payload=b'{"sleep": 5}')
            time.sleep(0.5)
        finally:
            self.assertEqual(server.stop(), 0)  # no sanitizer report, exit 0


class TestLargePackages(LambdaTest):
    def test_a_20_mb_zip_is_taken_and_over_50_mb_is_refused(self):
        big = os.urandom(20 * 1024 * 1024)  # incompressible: the zip is ~20 MB, the request ~27 MB
        b = io.BytesIO()
        with zipfile.ZipFile(b, "w", zipfile.ZIP_STORED) as z:
            z.writestr("app.py", ECHO)
            z.writestr("blob.bin", big)
        r = self.create("big", zipped=b.getvalue())
        self.assertGreater(r["CodeSize"], 20 * 1024 * 1024)
        self.assertIn("event", self.invoke("big")[1])
        b = io.BytesIO()  # just over 50 MB zipped, still under AWS's 70167211-byte request limit once base64
        with zipfile.ZipFile(b, "w", zipfile.ZIP_STORED) as z:
            z.writestr("blob.bin", os.urandom(52428800 + 20000))
        msg = self.assertError("RequestEntityTooLargeException", self.create, "huge", zipped=b.getvalue())
        self.assertEqual(msg, "Zipped size must be smaller than 52428800 bytes")
