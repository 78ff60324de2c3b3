# SPDX-License-Identifier: MIT
"""The template corpus: public SAM/CloudFormation examples from AWS's own
repositories (tests/data/cfn/corpus/<name>/, unchanged, each with its
LICENSE and SOURCE), templates cfn-lint rejects (tests/data/cfn/bad/), and
the seed's template fragments (read from ../shared/seed at run time, never
copied in).

Every corpus template: cfn-lint finds no error in it (warnings allowed), it
deploys through boto3 to CREATE_COMPLETE, each of its resources is there in
its own service's API, one cheap behaviour check runs (a message, an event or
an invocation goes through), an update reaches UPDATE_COMPLETE and changes
the real resource, and a delete reaches DELETE_COMPLETE with every resource
gone. Every bad template: cfn-lint reports an error and Runnel refuses it,
saying what is wrong.

SAM's CodeUri/ContentUri are relative to the template's directory (where
`sam deploy` packages them from); `runnel deploy` makes them absolute before
it sends the template, and so does this test, on the template's text (the
YAML itself is parsed by Runnel)."""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

import botocore

import harness

DATA = os.path.join(harness.ROOT, "tests", "data", "cfn")
CORPUS = os.path.join(DATA, "corpus")
BAD = os.path.join(DATA, "bad")
SEED = os.path.join(os.path.dirname(harness.ROOT), "shared", "seed", "event-driven-architecture.txt")
CAPS = ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"]
TEMPLATE_NAMES = (".yaml", ".yml", ".json")


# ---- cfn-lint ----

def cfn_lint_command():
    """How to run cfn-lint from this interpreter, or None: it is a module
    of the pyenv python3, not of Debian's /usr/bin/python3."""
    try:
        import cfnlint.runner  # noqa: F401
    except ImportError:
        return None
    return [sys.executable, "-c", "import sys; from cfnlint.runner import main; sys.exit(main())"]


CFN_LINT = cfn_lint_command()
NO_LINT = "cfn-lint is not installed for %s" % sys.executable


def cfn_lint_many(paths):
    """cfn-lint's findings for each template: {path: [(rule, message)]}.
    One run for them all: cfn-lint takes seconds to start."""
    out = subprocess.run(CFN_LINT + ["--format", "parseable"] + list(paths), capture_output=True, text=True,
                         timeout=600)
    found = {p: [] for p in paths}
    for line in out.stdout.splitlines():
        for p in paths:
            # path:line:col:endline:endcol:RULE:message
            parts = line[len(p) + 1:].split(":", 5) if line.startswith(p + ":") else None
            if parts and len(parts) == 6:
                found[p].append((parts[4], parts[5]))
    if out.returncode & 1 or (out.returncode and not any(found.values())):
        raise AssertionError("cfn-lint failed to run (%d): %s" % (out.returncode, out.stderr[-2000:]))
    return found


LINTED = {}


def cfn_lint(path):
    """cfn-lint's findings for the template at path; the first call lints
    every corpus and bad template at once."""
    if path not in LINTED:
        every = [template_file(n) for n in sorted(os.listdir(CORPUS))] + \
                [os.path.join(BAD, n) for n in sorted(os.listdir(BAD))]
        LINTED.update(cfn_lint_many([path] + [p for p in every if p != path and p not in LINTED]))
    return LINTED[path]


def lint_errors(path):
    return [f for f in cfn_lint(path) if f[0].startswith("E")]


# ---- the corpus ----

def template_file(name):
    d = os.path.join(CORPUS, name)
    found = [f for f in sorted(os.listdir(d)) if f.endswith(TEMPLATE_NAMES)]
    assert len(found) == 1, (name, found)
    return os.path.join(d, found[0])


def absolute_code_paths(text, base):
    """The template's text with relative CodeUri/ContentUri values (the
    one-line scalar form, YAML or JSON) made absolute against base, as `sam
    deploy` does before it sends the template."""
    def absolute(v):
        return v if v.startswith("/") or "://" in v else os.path.normpath(os.path.join(base, v))

    text = re.sub(r"(?m)^([ \t]*(?:CodeUri|ContentUri):[ \t]*)(['\"]?)([^'\"\s#]+)\2",
                  lambda m: m.group(1) + absolute(m.group(3)), text)
    return re.sub(r'("(?:CodeUri|ContentUri)"\s*:\s*")([^"]+)"', lambda m: m.group(1) + absolute(m.group(2)) + '"',
                  text)


def add_sibling(text, anchor, line):
    """text with `line` added after the line holding `anchor`, at its
    indentation (a new property next to an existing one)."""
    m = re.search(r"(?m)^([ \t]*)" + re.escape(anchor) + r".*$", text)
    assert m, anchor
    return text[:m.end()] + "\n" + m.group(1) + line + text[m.end():]


def replace_once(text, old, new):
    assert text.count(old) >= 1, old
    return text.replace(old, new, 1)


class Ctx:
    """One deployed corpus stack as the checks see it."""

    def __init__(self, test, name, stack):
        self.t, self.name, self.stack = test, name, stack
        self.refresh()

    def refresh(self):
        cf = self.t.cf
        st = cf.describe_stacks(StackName=self.stack)["Stacks"][0]
        self.outputs = {o["OutputKey"]: o["OutputValue"] for o in st.get("Outputs", [])}
        self.resources = {r["LogicalResourceId"]: r for r in
                          cf.describe_stack_resources(StackName=self.stack)["StackResources"]}

    def phys(self, logical):
        return self.resources[logical]["PhysicalResourceId"]

    def of_type(self, rtype):
        return [r["PhysicalResourceId"] for r in self.resources.values() if r["ResourceType"] == rtype]


# ---- resources in their own services' APIs ----

GONE = ("QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue", "NotFound", "NotFoundException",
        "ResourceNotFoundException")


def rule_lookup(physical):
    bus, _, rule = physical.rpartition("|")  # "bus|rule" for a rule on a custom bus
    return {"Name": rule, "EventBusName": bus or "default"}


# type -> (service, operation that fails with a GONE code when the resource is not there, its input)
LOOKUPS = {
    "AWS::SQS::Queue": ("sqs", "get_queue_attributes", lambda p: {"QueueUrl": p, "AttributeNames": ["QueueArn"]}),
    "AWS::SNS::Topic": ("sns", "get_topic_attributes", lambda p: {"TopicArn": p}),
    "AWS::SNS::Subscription": ("sns", "get_subscription_attributes", lambda p: {"SubscriptionArn": p}),
    "AWS::DynamoDB::Table": ("dynamodb", "describe_table", lambda p: {"TableName": p}),
    "AWS::Lambda::Function": ("lambda", "get_function", lambda p: {"FunctionName": p}),
    "AWS::Lambda::Version": ("lambda", "get_function", lambda p: {"FunctionName": p}),
    "AWS::Lambda::Alias": ("lambda", "get_function", lambda p: {"FunctionName": p}),
    "AWS::Lambda::EventSourceMapping": ("lambda", "get_event_source_mapping", lambda p: {"UUID": p}),
    "AWS::Lambda::LayerVersion": ("lambda", "get_layer_version_by_arn", lambda p: {"Arn": p}),
    "AWS::Events::Rule": ("events", "describe_rule", rule_lookup),
    "AWS::Events::EventBus": ("events", "describe_event_bus", lambda p: {"Name": p}),
    "AWS::Events::Connection": ("events", "describe_connection", lambda p: {"Name": p}),
    "AWS::Events::ApiDestination": ("events", "describe_api_destination", lambda p: {"Name": p}),
}


def exists(t, rtype, physical):
    """True when the service knows the resource, False when it answers
    that it does not, None for types with no API of their own here
    (policies, permissions, IAM)."""
    s = t.server
    if rtype == "AWS::Logs::LogGroup":
        groups = s.client("logs").describe_log_groups(logGroupNamePrefix=physical)["logGroups"]
        return any(g["logGroupName"] == physical for g in groups)
    if rtype == "AWS::CloudWatch::Alarm":
        return bool(s.client("cloudwatch").describe_alarms(AlarmNames=[physical])["MetricAlarms"])
    if rtype not in LOOKUPS:
        return None
    service, op, args = LOOKUPS[rtype]
    try:
        getattr(s.client(service), op)(**args(physical))
    except botocore.exceptions.ClientError as e:
        if e.response["Error"]["Code"] in GONE:
            return False
        raise
    return True


# ---- behaviour helpers ----

def wait_for(fn, timeout=15, step=0.1):
    """fn's first truthy result within timeout seconds, else the last one."""
    deadline = time.time() + timeout
    while True:
        got = fn()
        if got or time.time() > deadline:
            return got
        time.sleep(step)


def log_lines(t, function):
    """Every line function wrote to its log group so far."""
    logs = t.server.client("logs")
    try:
        return [e["message"] for e in logs.filter_log_events(logGroupName="/aws/lambda/" + function)["events"]]
    except botocore.exceptions.ClientError as e:
        if e.response["Error"]["Code"] == "ResourceNotFoundException":
            return []
        raise


def wait_log(t, function, text, timeout=20):
    lines = wait_for(lambda: [l for l in log_lines(t, function) if text in l], timeout)
    t.assertTrue(lines, "%r never in %s's log: %r" % (text, function, log_lines(t, function)))
    return lines


def receive_all(t, url, want=1, timeout=10):
    sqs = t.server.client("sqs")
    got = []
    deadline = time.time() + timeout
    while len(got) < want and time.time() < deadline:
        got += sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
    return got


def queue_attr(t, url, name):
    return t.server.client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=[name])["Attributes"].get(name)


def function_config(t, name):
    return t.server.client("lambda").get_function_configuration(FunctionName=name)


def put_event(t, **entry):
    out = t.server.client("events").put_events(Entries=[entry])
    t.assertEqual(out["FailedEntryCount"], 0, out)


def extra_queue(t, name):
    sqs = t.server.client("sqs")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    return url, queue_attr(t, url, "QueueArn")


def invoke(t, function, payload=None):
    r = t.server.client("lambda").invoke(FunctionName=function, Payload=json.dumps(payload or {}).encode())
    return r.get("FunctionError"), json.loads(r["Payload"].read() or b"null")


# ---- what each corpus template gets: parameters, behaviour, update ----
# behave(ctx); update(ctx, text) -> (text, parameters); updated(ctx) checks the change.

def queue_to_function(body):
    """behave: a message sent to ProcessingQueue shows in the function's log."""
    def behave(c):
        c.t.server.client("sqs").send_message(QueueUrl=c.outputs["ProcessingQueueURL"], MessageBody=body)
        wait_log(c.t, c.outputs["ProcessorFunctionName"], "Processed message: " + body)
    return behave


def text_update(old, new):
    """update: the template's first `old` becomes `new`."""
    def update(c, text):
        return replace_once(text, old, new), None
    return update


def queue_attr_updated(output, attr, value):
    def check(c):
        c.t.assertEqual(queue_attr(c.t, c.outputs[output], attr), value)
    return check


RULE_DESCRIPTION = text_update('Description: "EventRule"', 'Description: "EventRule, updated"')


def rule_description_updated(c):
    bus, _, rule = c.phys("EventRule").rpartition("|")
    got = c.t.server.client("events").describe_rule(Name=rule, EventBusName=bus or "default")
    c.t.assertEqual(got["Description"], "EventRule, updated")


def eventbridge_sqs_behave(c):
    put_event(c.t, Source="demo.sqs", DetailType="corpus", Detail='{"n": 1}')
    got = receive_all(c.t, c.outputs["SQSqueueURL"])
    c.t.assertEqual(len(got), 1, got)
    ev = json.loads(got[0]["Body"])
    c.t.assertEqual((ev["source"], ev["detail"]), ("demo.sqs", {"n": 1}))


def subscribe_extra_queue(c, topic, name):
    url, arn = extra_queue(c.t, name)
    c.t.server.client("sns").subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    return url


def eventbridge_sns_behave(c):
    url = subscribe_extra_queue(c, c.outputs["MySnsTopicArn"], "corpus-watch")
    put_event(c.t, Source="demo.cli", DetailType="corpus", Detail='{"n": 2}')
    got = receive_all(c.t, url)
    c.t.assertEqual(len(got), 1, got)
    ev = json.loads(json.loads(got[0]["Body"])["Message"])
    c.t.assertEqual((ev["source"], ev["detail"]), ("demo.cli", {"n": 2}))


def sns_sqs_behave(c):
    c.t.server.client("sns").publish(TopicArn=c.outputs["MySnsTopicArn"], Message="corpus-note")
    got = receive_all(c.t, c.outputs["MySqsQueueURL"])
    c.t.assertEqual([json.loads(m["Body"])["Message"] for m in got], ["corpus-note"])


def queue_policy_updated(c):
    policy = json.loads(queue_attr(c.t, c.outputs["MySqsQueueURL"], "Policy"))
    c.t.assertEqual([s.get("Sid") for s in policy["Statement"]], ["AllowSnsPublishUpdated"])


def fanout_behave(c):
    sns = c.t.server.client("sns")
    sns.publish(TopicArn=c.outputs["SNStopicARN"], Message='{"t": 21}',
                MessageAttributes={"MetricType": {"DataType": "String", "StringValue": "Temperature"}})
    c.t.assertEqual([m["Body"] for m in receive_all(c.t, c.outputs["AllMetricsSqsQueueURL"])], ['{"t": 21}'])
    c.t.assertEqual([m["Body"] for m in receive_all(c.t, c.outputs["TemperatureSqsQueueURL"])], ['{"t": 21}'])
    c.t.assertEqual(receive_all(c.t, c.outputs["HumiditySqsQueueURL"], timeout=1), [])


def display_name_updated(output_or_logical, new):
    def check(c):
        arn = c.outputs.get(output_or_logical) or c.phys(output_or_logical)
        attrs = c.t.server.client("sns").get_topic_attributes(TopicArn=arn)["Attributes"]
        c.t.assertEqual(attrs["DisplayName"], new)
    return check


def timeout_update(anchor, seconds=7, old=None):
    """Sets a function's Timeout: the first `old` line after anchor
    becomes the new value, or (no old) a Timeout line is added next to
    anchor."""
    def update(c, text):
        if old is None:
            return add_sibling(text, anchor, "Timeout: %d" % seconds), None
        at = text.index(anchor)
        return text[:at] + replace_once(text[at:], old, "Timeout: %d" % seconds), None
    return update


def timeout_updated(logical, seconds=7):
    def check(c):
        c.t.assertEqual(function_config(c.t, c.phys(logical))["Timeout"], seconds)
    return check


def sns_lambda_behave(c):
    c.t.server.client("sns").publish(TopicArn=c.outputs["ProcessingTopicArn"], Message="corpus-sns")
    wait_log(c.t, c.outputs["ProcessorFunctionName"], "Processed message corpus-sns")


def scheduled_behave(c):
    fn = c.phys("ScheduledFunction")
    c.t.assertEqual(log_lines(c.t, fn), [])
    c.t.advance(61)
    wait_log(c.t, fn, "Hello World")


def schedule_updated(c):
    [rule] = c.of_type("AWS::Events::Rule")
    bus, _, name = rule.rpartition("|")
    got = c.t.server.client("events").describe_rule(Name=name, EventBusName=bus or "default")
    c.t.assertEqual(got["ScheduleExpression"], "rate(5 minutes)")


def eventbridge_sns_lambda_behave(c):
    c.t.server.client("sns").publish(TopicArn=c.phys("SNSTopic"), Message="corpus-ec2")
    wait_log(c.t, "LambdaFunction", "Recieved the SNS event")


def fifo_redrive_behave(c):
    sqs = c.t.server.client("sqs")
    sqs.send_message(QueueUrl=c.outputs["MyOriginalQueueUrl"], MessageBody='{"order": 1}', MessageGroupId="g")
    wait_log(c.t, "MyOriginalQueueFunction", "Failed to process message")
    c.t.advance(31)  # the visibility timeout: maxReceiveCount 1 sends it to the DLQ on the next receive
    dlq = sqs.get_queue_url(QueueName="MyDeadLetterQueue.fifo")["QueueUrl"]
    got = wait_for(lambda: queue_attr(c.t, dlq, "ApproximateNumberOfMessages") == "1", 20)
    c.t.assertTrue(got, "the failed message never reached MyDeadLetterQueue.fifo")


def layer_behave(c):
    err, out = invoke(c.t, c.outputs["PyMySQLLayerLambdaFunctionName"])
    c.t.assertEqual((err, out), (None, True))
    err, out = invoke(c.t, c.outputs["PyMySQLNoLayerLambdaFunctionName"])
    c.t.assertEqual(err, "Unhandled")
    c.t.assertIn("pymysql", json.dumps(out))


def eventbridge_lambda_behave(c):
    put_event(c.t, Source="custom.myApp", DetailType="transaction", Detail='{"location": "EUR-corpus"}')
    put_event(c.t, Source="custom.myApp", DetailType="transaction", Detail='{"location": "USD-corpus"}')
    fn = c.outputs["ConsumerFunction"]
    wait_log(c.t, fn, "EUR-corpus")
    c.t.assertFalse([l for l in log_lines(c.t, fn) if "USD-corpus" in l])


def alias_behave(c):
    fn = c.phys("lambdaFunctionAlias")
    err, out = invoke(c.t, fn + ":dev")
    c.t.assertEqual(err, None)
    c.t.assertEqual(json.loads(out["body"]), {"message": "Hello from Lambda! version 1"})


def alias_update(c, text):
    text = replace_once(text, "version 1", "version 2")
    return replace_once(text, 'VersionDescription: "1"', 'VersionDescription: "2"'), None


def alias_updated(c):
    fn = c.phys("lambdaFunctionAlias")
    err, out = invoke(c.t, fn + ":dev")
    c.t.assertEqual(json.loads(out["body"]), {"message": "Hello from Lambda! version 2"})
    alias = c.t.server.client("lambda").get_alias(FunctionName=fn, Name="dev")
    version = c.t.server.client("lambda").get_function_configuration(FunctionName=fn,
                                                                     Qualifier=alias["FunctionVersion"])
    c.t.assertEqual(version["Description"], "2")


WEBHOOK = "https://webhook.site/00000000-0000-0000-0000-00000000000%d"


def webhook_behave(c):
    ev = c.t.server.client("events")
    dest = ev.describe_api_destination(Name="MyWebhookTest")
    c.t.assertEqual((dest["InvocationEndpoint"], dest["HttpMethod"], dest["ConnectionArn"]),
                    (WEBHOOK % 1, "POST", c.outputs["MyConnectionArn"]))
    targets = ev.list_targets_by_rule(Rule=c.phys("EventRule").rpartition("|")[2], EventBusName="MyEventBus")
    c.t.assertEqual([x["Arn"] for x in targets["Targets"]], [c.outputs["MyApiDestinationArn"]])


def webhook_update(c, text):
    return text, {"MyWebhookURL": WEBHOOK % 2}


def webhook_updated(c):
    dest = c.t.server.client("events").describe_api_destination(Name="MyWebhookTest")
    c.t.assertEqual(dest["InvocationEndpoint"], WEBHOOK % 2)


def books_behave(c):
    ddb = c.t.server.client("dynamodb")
    table = c.outputs["TableName"]
    desc = ddb.describe_table(TableName=table)["Table"]
    c.t.assertEqual([i["IndexName"] for i in desc["GlobalSecondaryIndexes"]], ["TitleIndex"])
    c.t.assertEqual([i["IndexName"] for i in desc["LocalSecondaryIndexes"]], ["LanguageIndex"])
    ddb.put_item(TableName=table, Item={"Category": {"S": "fiction"}, "Title": {"S": "Runnel"},
                                        "Language": {"S": "en"}})
    got = ddb.query(TableName=table, IndexName="TitleIndex", KeyConditionExpression="Title = :t",
                    ExpressionAttributeValues={":t": {"S": "Runnel"}})["Items"]
    c.t.assertEqual([i["Category"]["S"] for i in got], ["fiction"])


def books_update(c, text):
    return text, {"ReadCapacityUnits": "6"}


def books_updated(c):
    desc = c.t.server.client("dynamodb").describe_table(TableName=c.outputs["TableName"])["Table"]
    c.t.assertEqual(desc["ProvisionedThroughput"]["ReadCapacityUnits"], 6)


def lambda_sample_behave(c):
    err, out = invoke(c.t, "lambda-function-dev", {"hello": "corpus"})
    c.t.assertEqual((err, out), (None, {"statusCode": 200, "body": '"Hello from Lambda!"'}))
    c.t.assertEqual(function_config(c.t, "lambda-function-dev")["Environment"]["Variables"],
                    {"ENV": "dev", "TZ": "UTC"})
    exports = {e["Name"]: e["Value"] for e in c.t.cf.list_exports()["Exports"]}
    c.t.assertEqual(exports["LambdaARN-dev"], c.outputs["LambdaFunctionARN"])
    c.t.assertEqual(exports["LambdaRole"], c.outputs["LambdaRoleARN"])


def lambda_sample_update(c, text):
    return text, {"EnvName": "staging", "LambdaHandlerPath": "index.lambda_handler"}


def lambda_sample_updated(c):
    # a new FunctionName replaces the function
    c.t.assertEqual(c.outputs["LambdaFunctionName"], "lambda-function-staging")
    c.t.assertEqual(function_config(c.t, "lambda-function-staging")["Environment"]["Variables"]["ENV"], "staging")
    c.t.assertIs(exists(c.t, "AWS::Lambda::Function", "lambda-function-dev"), False)


def sns_topic_params(t):
    return {"SubscriptionEndPoint": extra_queue(t, "corpus-endpoint-1")[1]}


def sns_topic_behave(c):
    c.t.server.client("sns").publish(TopicArn=c.outputs["TopicARN"], Message="corpus-topic")
    url = c.t.server.client("sqs").get_queue_url(QueueName="corpus-endpoint-1")["QueueUrl"]
    got = receive_all(c.t, url)
    c.t.assertEqual([json.loads(m["Body"])["Message"] for m in got], ["corpus-topic"])


def sns_topic_update(c, text):
    return text, {"SubscriptionEndPoint": extra_queue(c.t, "corpus-endpoint-2")[1]}


def sns_topic_updated(c):
    subs = c.t.server.client("sns").list_subscriptions_by_topic(TopicArn=c.outputs["TopicARN"])["Subscriptions"]
    c.t.assertEqual([s["Endpoint"].rsplit(":", 1)[1] for s in subs], ["corpus-endpoint-2"])


def fifo_queue_behave(c):
    sqs = c.t.server.client("sqs")
    url = c.outputs["QueueURL"]
    c.t.assertEqual(c.outputs["QueueName"], "corpus.fifo")
    c.t.assertEqual(queue_attr(c.t, url, "ContentBasedDeduplication"), "true")
    for _ in range(2):
        sqs.send_message(QueueUrl=url, MessageBody="same", MessageGroupId="g")
    c.t.assertEqual(len(receive_all(c.t, url, want=2, timeout=2)), 1)
    c.t.assertNotIn("MyDeadLetterQueue", c.resources)


def dead_letter_update(c, text):
    return text, {"UsedeadletterQueue": "true"}


def dead_letter_updated(c):
    dlq = c.phys("MyDeadLetterQueue")
    redrive = json.loads(queue_attr(c.t, c.outputs["QueueURL"], "RedrivePolicy"))
    c.t.assertEqual(redrive, {"deadLetterTargetArn": queue_attr(c.t, dlq, "QueueArn"), "maxReceiveCount": 5})


def standard_queue_behave(c):
    sqs = c.t.server.client("sqs")
    url = c.outputs["QueueURL"]
    c.t.assertEqual(queue_attr(c.t, url, "DelaySeconds"), "5")
    sqs.send_message(QueueUrl=url, MessageBody="delayed")
    c.t.assertEqual(sqs.receive_message(QueueUrl=url).get("Messages", []), [])
    c.t.advance(6)
    c.t.assertEqual([m["Body"] for m in receive_all(c.t, url)], ["delayed"])


def email_update(c, text):
    return text, {"NotificationEmail": "security@example.com"}


def email_updated(c):
    subs = c.t.server.client("sns").list_subscriptions_by_topic(TopicArn=c.phys("SNSTopic"))["Subscriptions"]
    got = {(s["Protocol"], s["Endpoint"]): s["SubscriptionArn"] for s in subs}
    c.t.assertIn(("email", "security@example.com"), got)
    # the old address was never confirmed: a pending subscription has no ARN to
    # unsubscribe with, so it can only lapse (as on AWS); a confirmed one would go
    old = got.get(("email", "ops@example.com"))
    c.t.assertIn(old, (None, "PendingConfirmation"))


def cloudtrail_behave(c):
    desc = c.t.server.client("dynamodb").describe_table(TableName=c.phys("DynamoDBTable"))["Table"]
    c.t.assertEqual(desc["KeySchema"], [{"AttributeName": "id", "KeyType": "HASH"}])
    env = function_config(c.t, c.phys("SubmitFunction"))["Environment"]["Variables"]
    c.t.assertEqual(env, {"DynamoDBTable": c.phys("DynamoDBTable"), "SNSTopic": c.phys("SNSTopic")})


def inspector_behave(c):
    t = c.t
    policy = json.loads(t.server.client("lambda").get_policy(FunctionName=c.outputs["WriteToDynamoDBFunctionName"])
                        ["Policy"])
    rule_arn = t.server.client("events").describe_rule(Name=c.phys("CriticalOrHighFindingsRule"))["Arn"]
    t.assertEqual([s["Condition"]["ArnLike"]["AWS:SourceArn"] for s in policy["Statement"]], [rule_arn])
    # what the rule would hand the function (AWS alone may put aws.* events)
    finding = {"id": "corpus-finding-1", "source": "aws.inspector2", "detail-type": "Inspector2 Finding",
               "detail": {"severity": "CRITICAL", "status": "ACTIVE", "inspectorScore": 9.1}}
    err, out = invoke(t, c.outputs["WriteToDynamoDBFunctionName"], finding)
    t.assertEqual((err, out["statusCode"]), (None, 200), out)
    item = t.server.client("dynamodb").get_item(TableName="MyDynamoDBTable",
                                                Key={"UUID": {"S": "corpus-finding-1"}})["Item"]
    t.assertEqual((item["Severity"]["S"], item["Score"]["N"], item["Status"]["S"]), ("CRITICAL", "9.1", "ACTIVE"))


def inspector_updated(c):
    desc = c.t.server.client("dynamodb").describe_table(TableName="MyDynamoDBTable")["Table"]
    c.t.assertEqual(desc["ProvisionedThroughput"]["ReadCapacityUnits"], 6)


SPECS = {
    "inspector-eventbridge-multi-destinations": dict(behave=inspector_behave,
                                                     update=text_update("ReadCapacityUnits: 5", "ReadCapacityUnits: 6"),
                                                     updated=inspector_updated),
    "sqs-lambda-python-sam": dict(behave=queue_to_function("corpus-hello"),
                                  update=text_update("VisibilityTimeout: 30", "VisibilityTimeout: 45"),
                                  updated=queue_attr_updated("ProcessingQueueURL", "VisibilityTimeout", "45")),
    "eventbridge-sqs": dict(behave=eventbridge_sqs_behave, update=RULE_DESCRIPTION, updated=rule_description_updated),
    "eventbridge-sns": dict(behave=eventbridge_sns_behave, update=RULE_DESCRIPTION, updated=rule_description_updated),
    "sns-sqs": dict(behave=sns_sqs_behave,
                    update=text_update('Sid: "Allow SNS publish to SQS"', 'Sid: "AllowSnsPublishUpdated"'),
                    updated=queue_policy_updated),
    "sns-sqs-fanout": dict(behave=fanout_behave,
                           update=text_update("DisplayName: MetricsSnsTopic", "DisplayName: Metrics"),
                           updated=display_name_updated("SNStopicARN", "Metrics")),
    "sns-lambda-python-sam": dict(behave=sns_lambda_behave, update=timeout_update("Handler: app.lambda_handler"),
                                  updated=timeout_updated("ProcessorFunction")),
    "eventbridge-scheduled-lambda": dict(behave=scheduled_behave, update=text_update("rate(1 minute)", "rate(5 minutes)"),
                                         updated=schedule_updated),
    "eventbridge-sns-lambda": dict(behave=eventbridge_sns_lambda_behave,
                                   update=text_update("DisplayName: SNS-Lambda-Topic",
                                                      "DisplayName: SNS-Lambda-Topic-2"),
                                   updated=display_name_updated("SNSTopic", "SNS-Lambda-Topic-2")),
    "cloudtrail-eventbridge-lambda-dynamodb-sam": dict(params={"NotificationEmail": "ops@example.com"},
                                                       behave=cloudtrail_behave, update=email_update,
                                                       updated=email_updated),
    "fifo-sqs-redrive": dict(behave=fifo_redrive_behave, update=timeout_update("FunctionName: MyOriginalQueueFunction"),
                             updated=timeout_updated("MyOriginalQueueFunction")),
    "lambda-layer": dict(behave=layer_behave, update=timeout_update("PyMySQLLayerLambdaFunction:", 9, "Timeout: 3"),
                         updated=timeout_updated("PyMySQLLayerLambdaFunction", 9)),
    "eventbridge-lambda": dict(behave=eventbridge_lambda_behave, update=timeout_update("ConsumerFunction:", 5, "Timeout: 3"),
                               updated=timeout_updated("ConsumerFunction", 5)),
    "sqs-lambda-nodejs-sam": dict(behave=queue_to_function("corpus-node"),
                                  update=text_update("MessageRetentionPeriod: 1800", "MessageRetentionPeriod: 3600"),
                                  updated=queue_attr_updated("ProcessingQueueURL", "MessageRetentionPeriod", "3600")),
    "lambda-version-alias": dict(behave=alias_behave, update=alias_update, updated=alias_updated),
    "eventbridge-api-destinations-webhook-site": dict(params={"MyWebhookURL": WEBHOOK % 1}, behave=webhook_behave,
                                                      update=webhook_update, updated=webhook_updated),
    "cft-dynamodb-secondary-indexes": dict(behave=books_behave, update=books_update, updated=books_updated),
    "cft-lambda-sample": dict(params={"EnvName": "dev", "LambdaHandlerPath": "index.lambda_handler"},
                              behave=lambda_sample_behave, update=lambda_sample_update, updated=lambda_sample_updated),
    "cft-sns-topic": dict(params=sns_topic_params, behave=sns_topic_behave, update=sns_topic_update,
                          updated=sns_topic_updated),
    "cft-sqs-fifo-queue": dict(params={"QueueName": "corpus"}, behave=fifo_queue_behave, update=dead_letter_update,
                               updated=dead_letter_updated),
    "cft-sqs-standard-queue": dict(behave=standard_queue_behave, update=dead_letter_update,
                                   updated=dead_letter_updated),
}


# Templates AWS deploys that Runnel does not yet: name -> (the text of the
# failed resource's reason, why). The test fails when the gap closes, so the
# entry goes.
# Templates Runnel cannot deploy yet: name -> (the reason it gives, why), each
# skipped while that reason still appears (none at present).
KNOWN_GAPS = {}


class CorpusBase(harness.ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cf = cls.server.client("cloudformation")

    def status(self, stack):
        return self.cf.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"]

    def failures(self, stack):
        """(logical id, status, reason) of every failed resource and of the
        stack's own rollback events."""
        evs = self.cf.describe_stack_events(StackName=stack)["StackEvents"]
        return [(e["LogicalResourceId"], e["ResourceStatus"], e.get("ResourceStatusReason")) for e in evs
                if "FAILED" in e["ResourceStatus"] or "ROLLBACK" in e["ResourceStatus"]]

    def assertStatus(self, stack, want):
        got = self.status(stack)
        self.assertEqual(got, want, self.failures(stack))


class TestCorpus(CorpusBase):
    def test_the_corpus_is_there_with_licences_and_sources(self):
        names = sorted(os.listdir(CORPUS))
        self.assertGreaterEqual(len(names), 12)
        self.assertEqual(names, sorted(SPECS))
        for name in names:
            d = os.path.join(CORPUS, name)
            with open(os.path.join(d, "SOURCE")) as f:
                source = f.read()
            self.assertRegex(source, r"repository: https://github.com/(aws-samples|aws-cloudformation)/")
            self.assertRegex(source, r"commit: [0-9a-f]{40}\n")
            self.assertGreater(os.path.getsize(os.path.join(d, "LICENSE")), 500, name)
            template_file(name)

    def run_corpus(self, name):
        spec = SPECS[name]
        path = template_file(name)
        with open(path) as f:
            text = absolute_code_paths(f.read(), os.path.dirname(path))
        params = spec.get("params") or {}
        if callable(params):
            params = params(self)
        stack = "corpus-" + name

        def parameters(values):
            return [{"ParameterKey": k, "ParameterValue": v} for k, v in sorted(values.items())]

        self.cf.create_stack(StackName=stack, TemplateBody=text, Parameters=parameters(params), Capabilities=CAPS)
        gap = KNOWN_GAPS.get(name)
        if gap:
            reasons = [r or "" for (_, _, r) in self.failures(stack)]
            self.assertEqual(self.status(stack), "ROLLBACK_COMPLETE",
                             "known gap closed for %s: remove it from KNOWN_GAPS" % name)
            self.assertTrue([r for r in reasons if gap[0] in r], reasons)
            self.skipTest(gap[1])
        self.assertStatus(stack, "CREATE_COMPLETE")
        c = Ctx(self, name, stack)
        statuses = {r["ResourceStatus"] for r in c.resources.values()}
        self.assertEqual(statuses, {"CREATE_COMPLETE"})
        for logical, r in c.resources.items():
            self.assertIn(exists(self, r["ResourceType"], r["PhysicalResourceId"]), (True, None), logical)
        spec["behave"](c)

        new_text, new_params = spec["update"](c, text)
        if new_params is not None:
            params = dict(params, **new_params)
        self.cf.update_stack(StackName=stack, TemplateBody=new_text, Parameters=parameters(params),
                             Capabilities=CAPS)
        self.assertStatus(stack, "UPDATE_COMPLETE")
        c.refresh()
        spec["updated"](c)
        before = list(c.resources.values())
        processed = self.cf.get_template(StackName=stack, TemplateStage="Processed")["TemplateBody"]
        if not isinstance(processed, dict):
            processed = json.loads(processed)
        # DeletionPolicy Retain (SAM's LayerVersion's default) keeps the resource
        kept = {k for k, v in processed["Resources"].items() if v.get("DeletionPolicy") == "Retain"}

        self.cf.delete_stack(StackName=stack)
        self.assertError("ValidationError", self.cf.describe_stacks, StackName=stack)
        deleted = [s for s in self.cf.list_stacks(StackStatusFilter=["DELETE_COMPLETE"])["StackSummaries"]
                   if s["StackName"] == stack]
        self.assertEqual(len(deleted), 1)
        for r in before:
            there = exists(self, r["ResourceType"], r["PhysicalResourceId"])
            if r["LogicalResourceId"] in kept and r["ResourceType"] != "AWS::Lambda::Version":
                self.assertIn(there, (True, None), "%s was retained" % r["LogicalResourceId"])
            elif r["LogicalResourceId"] in kept:
                # retained, but deleting its function takes the version with it
                self.assertIn(there, (False, None), "%s outlived its function" % r["LogicalResourceId"])
            else:
                self.assertIn(there, (False, None),
                              "%s (%s) is still there" % (r["LogicalResourceId"], r["PhysicalResourceId"]))

    def lint_corpus(self, name):
        path = template_file(name)
        self.assertEqual(lint_errors(path), [], "cfn-lint finds errors in " + path)


def per_template(cls, names, prefix, run, lint):
    """Adds to cls, for each template name, test_<prefix><name> running
    cls.<run>(name) and test_lint_<prefix><name> running cls.<lint>(name)
    (skipped where this interpreter has no cfn-lint)."""
    def make(method, name, needs_lint):
        def test(self):
            if needs_lint and not CFN_LINT:
                self.skipTest(NO_LINT)
            getattr(self, method)(name)
        test.__doc__ = "%s %s" % (method, name)
        return test

    for name in names:
        ident = re.sub(r"\W", "_", re.sub(r"\.yaml$", "", name))
        setattr(cls, "test_" + prefix + ident, make(run, name, False))
        setattr(cls, "test_lint_" + prefix + ident, make(lint, name, True))


per_template(TestCorpus, SPECS, "corpus_", "run_corpus", "lint_corpus")


def has_code_paths(name):
    with open(template_file(name)) as f:
        return bool(re.search(r"(?m)^\s*(CodeUri|ContentUri):", f.read()))


class TestRunnelDeploy(CorpusBase):
    """`runnel deploy` of the unchanged templates that name local code: it
    reads CodeUri/ContentUri from the template's directory itself."""

    def deploy(self, path, stack, params):
        args = ["deploy", path, "--stack-name", stack, "--endpoint-url", self.server.endpoint]
        for k, v in sorted(params.items()):
            args += ["--param", "%s=%s" % (k, v)]
        env = dict(os.environ, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test", AWS_REGION="us-east-1")
        return harness.run_command(args, env=env)

    def run_deploy(self, name):
        if harness.run_command(["deploy", "--help"]).returncode != 0:
            self.skipTest("this build has no `runnel deploy`")
        spec = SPECS[name]
        params = spec.get("params") or {}
        if callable(params):
            params = params(self)
        stack = "deployed-" + name
        out = self.deploy(template_file(name), stack, params)
        gap = KNOWN_GAPS.get(name)
        if gap:
            self.assertEqual(out.returncode, 1, "known gap closed for %s: remove it from KNOWN_GAPS" % name)
            self.assertIn(gap[0], out.stdout + out.stderr)
            self.skipTest(gap[1])
        self.assertEqual(out.returncode, 0, out.stdout[-3000:] + out.stderr[-3000:])
        self.assertIn("Stack %s: CREATE_COMPLETE" % stack, out.stdout)
        self.assertStatus(stack, "CREATE_COMPLETE")
        c = Ctx(self, name, stack)
        for logical, r in c.resources.items():
            self.assertIn(exists(self, r["ResourceType"], r["PhysicalResourceId"]), (True, None), logical)
        spec["behave"](c)
        again = self.deploy(template_file(name), stack, {})
        self.assertEqual(again.returncode, 0, again.stdout[-3000:] + again.stderr[-3000:])
        self.assertStatus(stack, "CREATE_COMPLETE")  # nothing changed, so no update ran
        self.cf.delete_stack(StackName=stack)
        self.assertError("ValidationError", self.cf.describe_stacks, StackName=stack)


for _name in SPECS:
    if has_code_paths(_name):
        setattr(TestRunnelDeploy, "test_deploy_" + _name.replace("-", "_"),
                (lambda n: lambda self: self.run_deploy(n))(_name))


# ---- templates cfn-lint rejects; Runnel must refuse them too ----

# file: (cfn-lint rules any of which must be reported, words Runnel's message must hold)
BAD_TEMPLATES = {
    "unresolved-ref.yaml": (("E1012", "E1020", "E3005"), ("Unresolved resource dependencies", "OrderQueue")),
    "bad-getatt.yaml": (("E1010", "E6101"), ("QueueArn", "Fn::GetAtt")),
    "missing-required.yaml": (("E3003",), ("Protocol", "required")),
    "unknown-property.yaml": (("E3002",), ("VisibilityTimeOut",)),
    "circular-dependson.yaml": (("E3004",), ("Circular dependency", "First", "Second")),
    "invalid-yaml.yaml": (("E0000",), ("Template format error", "YAML not well-formed", "line 6")),
    "unknown-type.yaml": (("E3006",), ("AWS::SQS::Queues",)),
    "bad-allowed-values-default.yaml": (("E2015",), ("Parameter 'Stage' must be one of AllowedValues",)),
}


class TestBadTemplates(CorpusBase):
    def refused(self, name, body):
        """Runnel's refusal of the template: CreateStack's ValidationError
        message, or the reasons of a stack that rolled back."""
        stack = "bad-" + re.sub(r"[^a-zA-Z0-9]", "-", name)
        try:
            self.cf.create_stack(StackName=stack, TemplateBody=body, Capabilities=CAPS)
        except botocore.exceptions.ClientError as e:
            self.assertEqual(e.response["Error"]["Code"], "ValidationError", e.response["Error"])
            return e.response["Error"]["Message"]
        self.assertStatus(stack, "ROLLBACK_COMPLETE")
        reasons = " | ".join(r or "" for (_, _, r) in self.failures(stack))
        self.cf.delete_stack(StackName=stack)
        return reasons

    def test_the_set_is_whole(self):
        self.assertEqual(sorted(os.listdir(BAD)), sorted(BAD_TEMPLATES))

    def lint(self, name):
        rules = BAD_TEMPLATES[name][0]
        errors = lint_errors(os.path.join(BAD, name))
        self.assertTrue([e for e in errors if e[0] in rules], "cfn-lint should report %s: %r" % (rules, errors))

    def check(self, name):
        words = BAD_TEMPLATES[name][1]
        path = os.path.join(BAD, name)
        with open(path) as f:
            msg = self.refused(name, f.read())
        for w in words:
            self.assertIn(w, msg)
        self.assertEqual(self.server.client("sqs").list_queues().get("QueueUrls", []), [])


per_template(TestBadTemplates, BAD_TEMPLATES, "bad_", "check", "lint")


# ---- the seed's fragments ----

def seed_fragments(text):
    """The seed's YAML template fragments: runs of lines that are blank,
    indented, comments or `Key:` lines, holding a `Type: AWS::` line."""
    frags, cur = [], []
    for line in text.splitlines() + ["end of text"]:
        if not line.strip() or line[0] in " \t#" or re.match(r"^[A-Za-z][A-Za-z0-9]*:( |$)", line):
            cur.append(line)
            continue
        if any(re.match(r"^\s*Type: AWS::", l) for l in cur):
            frags.append("\n".join(cur).strip("\n") + "\n")
        cur = []
    return frags


# The resources the seed names (OrderCreatedRule's targets, the FIFO
# queue's DLQ) but never defines; a FIFO queue's DLQ must be FIFO too.
SEED_MISSING = """
  OrderQueue:
    Type: AWS::SQS::Queue
  InventoryQueue:
    Type: AWS::SQS::Queue
  OrderDLQ:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: order-processing-dlq.fifo
      FifoQueue: true
"""


@unittest.skipUnless(os.path.exists(SEED), "the seed is not at %s" % SEED)
class TestSeedFragments(CorpusBase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with open(SEED) as f:
            cls.frags = seed_fragments(f.read())
        cls.tmp_lint = tempfile.mkdtemp(prefix="runnel-cfn-seed-")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp_lint, ignore_errors=True)
        super().tearDownClass()

    def lint_texts(self, *texts):
        paths = []
        for i, text in enumerate(texts):
            paths.append(os.path.join(self.tmp_lint, "t%d.yaml" % i))
            with open(paths[-1], "w") as f:
                f.write(text)
        found = cfn_lint_many(paths)
        return [[e for e in found[p] if e[0].startswith("E")] for p in paths]

    def test_two_fragments(self):
        self.assertEqual(len(self.frags), 2, self.frags)
        self.assertIn("EcommerceEventBus:", self.frags[0])
        self.assertIn("OrderProcessingQueue:", self.frags[1])

    def test_the_bus_and_rule_alone_refer_to_queues_they_do_not_define(self):
        bus_rule = self.frags[0]
        msg = self.assertError("ValidationError", self.cf.create_stack, StackName="seed-bus-rule",
                               TemplateBody=bus_rule, Capabilities=CAPS)
        # AWS's texts: Ref's "Unresolved resource dependencies [X] in the
        # Resources block of the template"; GetAtt's "Template error:
        # instance of Fn::GetAtt references undefined resource X"
        self.assertRegex(msg, r"Unresolved resource dependencies \[.*OrderQueue|"
                              r"Fn::GetAtt references undefined resource OrderQueue")
        self.assertError("ValidationError", self.cf.describe_stacks, StackName="seed-bus-rule")

    @unittest.skipUnless(CFN_LINT, NO_LINT)
    def test_lint_the_fragments(self):
        alone, joined, corrected = self.lint_texts(self.frags[0], self.joined(), self.corrected())
        self.assertTrue([e for e in alone if "OrderQueue" in e[1]], alone)
        self.assertEqual(sorted({e[0] for e in joined}), ["E3002"], joined)
        self.assertTrue(all("VisibilityTimeoutSeconds" in e[1] for e in joined), joined)
        self.assertEqual(corrected, [])

    def corrected(self):
        return self.joined().replace("VisibilityTimeoutSeconds:", "VisibilityTimeout:")

    def joined(self):
        queues = "".join("  " + l if l.strip() else l for l in self.frags[1].splitlines(True))
        return self.frags[0] + queues + SEED_MISSING

    def test_the_fragments_joined_as_written_fail_on_a_property_sqs_does_not_have(self):
        # the seed writes VisibilityTimeoutSeconds; AWS::SQS::Queue's property is VisibilityTimeout
        body = self.joined()
        self.assertEqual(body.count("VisibilityTimeoutSeconds:"), 2)
        self.cf.create_stack(StackName="seed-as-written", TemplateBody=body, Capabilities=CAPS)
        self.assertStatus("seed-as-written", "ROLLBACK_COMPLETE")
        reasons = [r for (_, s, r) in self.failures("seed-as-written") if s == "CREATE_FAILED"]
        self.assertTrue(reasons and all("VisibilityTimeoutSeconds" in r for r in reasons), reasons)
        self.assertEqual(self.server.client("sqs").list_queues().get("QueueUrls", []), [])

    def test_the_fragments_joined_and_corrected_deploy_and_route_orders(self):
        body = self.corrected()
        self.cf.create_stack(StackName="seed", TemplateBody=body, Capabilities=CAPS)
        self.assertStatus("seed", "CREATE_COMPLETE")
        c = Ctx(self, "seed", "seed")
        fifo = c.phys("OrderProcessingQueue")
        self.assertTrue(fifo.endswith("/order-processing.fifo"), fifo)
        attrs = self.server.client("sqs").get_queue_attributes(QueueUrl=fifo, AttributeNames=["All"])["Attributes"]
        self.assertEqual((attrs["FifoQueue"], attrs["ContentBasedDeduplication"], attrs["VisibilityTimeout"]),
                         ("true", "true", "300"))
        self.assertEqual(json.loads(attrs["RedrivePolicy"]),
                         {"deadLetterTargetArn": queue_attr(self, c.phys("OrderDLQ"), "QueueArn"),
                          "maxReceiveCount": 3})
        note = c.phys("NotificationQueue")
        self.assertEqual((queue_attr(self, note, "VisibilityTimeout"),
                          queue_attr(self, note, "ReceiveMessageWaitTimeSeconds")), ("60", "20"))
        put_event(self, Source="ecommerce.orders", DetailType="Order Created", EventBusName="ecommerce-events",
                  Detail=json.dumps({"orderId": "order-123", "customerId": "customer-456", "amount": 99.99}))
        for logical in ("OrderQueue", "InventoryQueue"):
            got = receive_all(self, c.phys(logical))
            self.assertEqual([json.loads(m["Body"])["detail"]["orderId"] for m in got], ["order-123"], logical)
        self.cf.delete_stack(StackName="seed")
        self.assertEqual(self.server.client("sqs").list_queues().get("QueueUrls", []), [])


if __name__ == "__main__":
    unittest.main()
