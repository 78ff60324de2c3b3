# SPDX-License-Identifier: MIT
"""Error codes, messages and HTTP statuses for bad input, on both protocols,
plus a few raw requests that boto3 would never send."""
import json
import urllib.error
import urllib.parse
import urllib.request

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from harness import ServerTest
from sqs_helpers import REGION, aws_attributes_md5, not_found_message, raw_client


class TestErrors(ServerTest):
    def setUp(self):
        super().setUp()
        self.url = self.sqs.create_queue(QueueName="errs")["QueueUrl"]
        self.raw = raw_client(self.server)

    def status_of(self, fn, **kw):
        from botocore.exceptions import ClientError
        with self.assertRaises(ClientError) as cm:
            fn(**kw)
        return cm.exception.response["ResponseMetadata"]["HTTPStatusCode"]

    def test_nonexistent_queue_everywhere(self):
        gone = self.url.replace("/errs", "/missing")
        calls = [
            (self.sqs.send_message, {"MessageBody": "x"}),
            (self.sqs.receive_message, {}),
            (self.sqs.delete_message, {"ReceiptHandle": "h"}),
            (self.sqs.get_queue_attributes, {"AttributeNames": ["All"]}),
            (self.sqs.set_queue_attributes, {"Attributes": {"DelaySeconds": "1"}}),
            (self.sqs.purge_queue, {}),
            (self.sqs.delete_queue, {}),
            (self.sqs.list_queue_tags, {}),
        ]
        for fn, kw in calls:
            msg = self.assertError("AWS.SimpleQueueService.NonExistentQueue", fn, QueueUrl=gone, **kw)
            self.assertEqual(msg, not_found_message(), fn.__name__)
        self.assertEqual(self.status_of(self.sqs.send_message, QueueUrl=gone, MessageBody="x"), 400)

    def test_missing_queue_name(self):
        msg = self.assertError("InvalidParameterValue", self.raw.create_queue, QueueName="")
        self.assertEqual(msg, "Value for parameter QueueName is invalid. Reason: Must specify a queue name.")

    def test_message_body_errors(self):
        msg = self.assertError("MissingParameter", self.raw.send_message, QueueUrl=self.url, MessageBody="")
        self.assertEqual(msg, "The request must contain the parameter MessageBody.")
        for bad in ("nul\u0000", "bs\u0008", "ffff\uffff"):
            self.assertError("InvalidMessageContents", self.sqs.send_message, QueueUrl=self.url, MessageBody=bad)
        # tab, newline, carriage return and astral characters are fine
        self.sqs.send_message(QueueUrl=self.url, MessageBody="\t\n\r\U0001F600\ue000")
        self.assertEqual(len(self.sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=10)["Messages"]), 1)

    def test_message_attribute_errors(self):
        msg = self.assertError("InvalidParameterValue", self.sqs.send_message, QueueUrl=self.url, MessageBody="x",
                               MessageAttributes={"ErrorDetails": {"DataType": "String", "StringValue": ""}})
        self.assertEqual(msg, "Message (user) attribute 'ErrorDetails' must contain a non-empty value of type "
                              "'String'.")
        msg = self.assertError("InvalidParameterValue", self.sqs.send_message, QueueUrl=self.url, MessageBody="x",
                               MessageAttributes={"invalidAttribute": {"DataType": "Float", "StringValue": "1"}})
        self.assertEqual(msg, "The type of message (user) attribute 'invalidAttribute' is invalid. You must use "
                              "only the following supported type prefixes: Binary, Number, String.")
        eleven = {"a%d" % i: {"DataType": "String", "StringValue": "v"} for i in range(11)}
        msg = self.assertError("InvalidParameterValue", self.sqs.send_message, QueueUrl=self.url, MessageBody="x",
                               MessageAttributes=eleven)
        self.assertEqual(msg, "Number of message attributes [11] exceeds the allowed maximum [10].")
        for name in ("AWS.reserved", "Amazon.x", ".lead", "trail.", "sp ace"):
            self.assertError("InvalidParameterValue", self.sqs.send_message, QueueUrl=self.url, MessageBody="x",
                             MessageAttributes={name: {"DataType": "String", "StringValue": "v"}})
        self.assertError("InvalidParameterValue", self.sqs.send_message, QueueUrl=self.url, MessageBody="x",
                         MessageAttributes={"n": {"DataType": "Number", "StringValue": "not-a-number"}})
        ten = {"a%d" % i: {"DataType": "String", "StringValue": "v"} for i in range(10)}
        self.sqs.send_message(QueueUrl=self.url, MessageBody="x", MessageAttributes=ten)
        # only the last, valid send stored a message
        got = self.sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=10, MessageAttributeNames=["All"])
        self.assertEqual(len(got["Messages"]), 1)
        self.assertEqual(len(got["Messages"][0]["MessageAttributes"]), 10)

    def test_message_attribute_names_beyond_ascii(self):
        # AWS stores a name with non-ASCII letters and rejects symbols, a reserved prefix in any casing, a leading
        # or trailing period and names over 256 characters (localstack tests/aws/services/sqs/test_sqs.py,
        # test_send_message_with_invalid_string_attributes, AWS-validated); ".." per the SQS API reference
        # (MessageAttributeValue: "it should not have periods in succession").
        ok = {"attr.1\u00f8\u00df\u00e4": {"DataType": "String", "StringValue": "Valida"}}
        self.sqs.send_message(QueueUrl=self.url, MessageBody="x", MessageAttributes=ok)
        got = self.sqs.receive_message(QueueUrl=self.url, MessageAttributeNames=["All"])["Messages"][0]
        self.assertEqual(got["MessageAttributes"], ok)
        self.assertEqual(got["MD5OfMessageAttributes"], aws_attributes_md5(ok))
        bad = ["aWs.-Invalid-attr", "AMAZON.-Invalid-attr", ".-Invalid-attr", "Invalid.", "Invalid..Name",
               "L" * 257] + ["Invalid-%s-attr" % ch for ch in ("!", '"', "\u00a7", "(", "?")]
        for name in bad:
            msg = self.assertError("InvalidParameterValue", self.sqs.send_message, QueueUrl=self.url,
                                   MessageBody="x", MessageAttributes={name: {"DataType": "String",
                                                                              "StringValue": "v"}})
            self.assertIn("attribute name '%s' is invalid" % name, msg)
        self.sqs.send_message(QueueUrl=self.url, MessageBody="x",
                              MessageAttributes={"L" * 256: {"DataType": "String", "StringValue": "v"}})

    def test_deduplication_id_on_standard_queue(self):
        # AWS's answer as quoted in cdklabs/construct-hub issue 905 (the grammar is AWS's own; the same
        # "The request include parameter" wording is recorded for DelaySeconds on a FIFO queue in localstack
        # test_sqs.snapshot.json, test_fifo_queue_send_message_with_delay_seconds_fails).
        msg = self.assertError("InvalidParameterValue", self.sqs.send_message, QueueUrl=self.url, MessageBody="x",
                               MessageDeduplicationId="eIxLAC5m5bdjLE8rNzX7tMb74ST9YUGvC8RcnsL0D3M=")
        self.assertEqual(msg, "Value eIxLAC5m5bdjLE8rNzX7tMb74ST9YUGvC8RcnsL0D3M= for parameter "
                              "MessageDeduplicationId is invalid. Reason: The request include parameter that is not "
                              "valid for this queue type.")

    def test_receive_parameter_ranges(self):
        for n in (0, 11):
            msg = self.assertError("InvalidParameterValue", self.sqs.receive_message, QueueUrl=self.url,
                                   MaxNumberOfMessages=n)
            self.assertEqual(msg, "Value %d for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 "
                                  "and 10, if provided." % n)
        msg = self.assertError("InvalidParameterValue", self.sqs.receive_message, QueueUrl=self.url,
                               WaitTimeSeconds=-1)
        self.assertEqual(msg, "Value -1 for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, "
                              "if provided.")
        self.assertError("InvalidParameterValue", self.sqs.receive_message, QueueUrl=self.url,
                         VisibilityTimeout=43201)

    def test_receipt_handle_errors_and_status(self):
        self.assertEqual(self.status_of(self.sqs.delete_message, QueueUrl=self.url, ReceiptHandle="garbage"), 404)
        msg = self.assertError("MissingParameter", self.raw.delete_message, QueueUrl=self.url)
        self.assertEqual(msg, "The request must contain the parameter ReceiptHandle.")
        msg = self.assertError("MissingParameter", self.raw.change_message_visibility, QueueUrl=self.url,
                               VisibilityTimeout=0)
        self.assertEqual(msg, "The request must contain the parameter ReceiptHandle.")
        self.sqs.send_message(QueueUrl=self.url, MessageBody="x")
        h = self.sqs.receive_message(QueueUrl=self.url)["Messages"][0]["ReceiptHandle"]
        msg = self.assertError("MissingParameter", self.raw.change_message_visibility, QueueUrl=self.url,
                               ReceiptHandle=h)
        self.assertEqual(msg, "The request must contain the parameter VisibilityTimeout.")
        self.assertError("InvalidParameterValue", self.sqs.change_message_visibility, QueueUrl=self.url,
                         ReceiptHandle=h, VisibilityTimeout=43201)

    def test_receipt_handle_malformed_versus_unknown(self):
        # A handle that is not one: ReceiptHandleIsInvalid, 'The input receipt handle "garbage" is not a valid
        # receipt handle.' (localstack tests/aws/services/sqs/test_sqs.py, AWS-validated
        # test_delete_message_with_illegal_receipt_handle and test_invalid_receipt_handle_should_return_error_message).
        for fn, kw in ((self.sqs.delete_message, {}), (self.sqs.change_message_visibility, {"VisibilityTimeout": 5})):
            msg = self.assertError("ReceiptHandleIsInvalid", fn, QueueUrl=self.url, ReceiptHandle="garbage", **kw)
            self.assertEqual(msg, 'The input receipt handle "garbage" is not a valid receipt handle.', fn.__name__)
        # A well-formed handle whose message is gone: DeleteMessage succeeds (AWS-validated
        # test_delete_message_with_deleted_receipt_handle), ChangeMessageVisibility answers InvalidParameterValue
        # (AWS-validated test_change_visibility_on_deleted_message_raises_invalid_parameter_value).
        self.sqs.send_message(QueueUrl=self.url, MessageBody="foo")
        h = self.sqs.receive_message(QueueUrl=self.url)["Messages"][0]["ReceiptHandle"]
        self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=h)
        self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=h)
        msg = self.assertError("InvalidParameterValue", self.sqs.change_message_visibility, QueueUrl=self.url,
                               ReceiptHandle=h, VisibilityTimeout=42)
        self.assertEqual(msg, "Value %s for parameter ReceiptHandle is invalid. Reason: Message does not exist or is "
                              "not available for visibility timeout change." % h)

    def test_purge_in_progress_is_403(self):
        self.sqs.purge_queue(QueueUrl=self.url)
        self.assertEqual(self.status_of(self.sqs.purge_queue, QueueUrl=self.url), 403)

    def test_fifo_only_attributes_on_standard(self):
        msg = self.assertError("InvalidAttributeName", self.sqs.create_queue, QueueName="std2",
                               Attributes={"DeduplicationScope": "queue"})
        self.assertEqual(msg, "You can specify the DeduplicationScope only when FifoQueue is set to true.")
        msg = self.assertError("InvalidAttributeName", self.sqs.create_queue, QueueName="std2",
                               Attributes={"FifoThroughputLimit": "perQueue"})
        self.assertEqual(msg, "You can specify the FifoThroughputLimit only when FifoQueue is set to true.")


class TestRawProtocolErrors(ServerTest):
    """Requests boto3 would not send, signed by hand."""

    def post(self, body, headers):
        url = self.server.endpoint + "/"
        req = AWSRequest(method="POST", url=url, data=body, headers=headers)
        SigV4Auth(Credentials("test", "test"), "sqs", REGION).add_auth(req)
        http = urllib.request.Request(url, data=body.encode(), method="POST", headers=dict(req.headers.items()))
        try:
            with urllib.request.urlopen(http, timeout=10) as r:
                return r.status, dict(r.headers), r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read().decode()

    def json_call(self, target, body):
        headers = {"Content-Type": "application/x-amz-json-1.0"}
        if target:
            headers["X-Amz-Target"] = target
        return self.post(body, headers)

    def test_query_unknown_action(self):
        status, _, body = self.post(urllib.parse.urlencode({"Action": "FooBar", "Version": "2012-11-05"}),
                                    {"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(status, 400)
        self.assertIn("<Code>InvalidAction</Code>", body)
        self.assertIn("<Message>The action FooBar is not valid for this endpoint.</Message>", body)
        self.assertIn("<Type>Sender</Type>", body)

    def test_json_unknown_target(self):
        status, headers, body = self.json_call("AmazonSQS.Bogus", "{}")
        self.assertEqual(status, 400)
        lower = {k.lower(): v for k, v in headers.items()}
        self.assertEqual(lower.get("x-amzn-query-error"), "InvalidAction;Sender")
        self.assertEqual(json.loads(body)["__type"], "com.amazon.coral.service#UnknownOperationException")

    def test_json_malformed_body(self):
        for bad in ("{", "[1,2]", "\"str\""):
            status, headers, body = self.json_call("AmazonSQS.ListQueues", bad)
            self.assertEqual(status, 400, bad)
            lower = {k.lower(): v for k, v in headers.items()}
            self.assertEqual(lower.get("x-amzn-query-error"), "MalformedInput;Sender", bad)
            self.assertEqual(json.loads(body)["__type"], "com.amazon.coral.service#SerializationException", bad)

    def test_json_receipt_handle_errors_carry_the_query_code(self):
        # The JSON protocol names the shape in __type and the query code in x-amzn-query-error, as AWS does for
        # every SQS error (botocore's sqs service-2.json: awsQueryCompatible).
        url = self.sqs.create_queue(QueueName="rh")["QueueUrl"]
        status, headers, body = self.json_call("AmazonSQS.DeleteMessage",
                                               json.dumps({"QueueUrl": url, "ReceiptHandle": "garbage"}))
        lower = {k.lower(): v for k, v in headers.items()}
        self.assertEqual(lower.get("x-amzn-query-error"), "ReceiptHandleIsInvalid;Sender")
        self.assertEqual(json.loads(body), {"__type": "com.amazonaws.sqs#ReceiptHandleIsInvalid",
                                            "message": 'The input receipt handle "garbage" is not a valid receipt '
                                                       'handle.'})
        self.sqs.send_message(QueueUrl=url, MessageBody="foo")
        h = self.sqs.receive_message(QueueUrl=url)["Messages"][0]["ReceiptHandle"]
        self.sqs.delete_message(QueueUrl=url, ReceiptHandle=h)
        status, headers, body = self.json_call("AmazonSQS.ChangeMessageVisibility", json.dumps(
            {"QueueUrl": url, "ReceiptHandle": h, "VisibilityTimeout": 1}))
        lower = {k.lower(): v for k, v in headers.items()}
        self.assertEqual(status, 400)
        self.assertEqual(lower.get("x-amzn-query-error"), "InvalidParameterValue;Sender")
        self.assertEqual(json.loads(body)["__type"], "com.amazon.coral.service#InvalidParameterValueException")

    def test_json_error_envelope(self):
        status, headers, body = self.json_call("AmazonSQS.GetQueueUrl", json.dumps({"QueueName": "nope"}))
        self.assertEqual(status, 400)
        lower = {k.lower(): v for k, v in headers.items()}
        self.assertEqual(lower.get("x-amzn-query-error"), "AWS.SimpleQueueService.NonExistentQueue;Sender")
        self.assertEqual(json.loads(body), {"__type": "com.amazonaws.sqs#QueueDoesNotExist",
                                            "message": "The specified queue does not exist."})
