# SPDX-License-Identifier: MIT
"""Shared helpers for the SQS integration tests: an independent implementation
of AWS's message-attribute MD5, a client without client-side validation (so bad
input reaches the server), and small polling utilities."""
import base64
import hashlib
import struct
import time

import boto3
from botocore.config import Config

from harness import sqs_protocol

ACCOUNT = "000000000000"
REGION = "us-east-1"


def arn(name):
    return "arn:aws:sqs:%s:%s:%s" % (REGION, ACCOUNT, name)


def task_handle_parts(handle):
    """A move task handle is base64 of "<task id>|<source ARN>"; returns both."""
    return base64.b64decode(handle).decode().split("|", 1)


def _lp(data):
    """4-byte big-endian length prefix followed by the bytes."""
    return struct.pack("!I", len(data)) + data


def aws_attributes_md5(attrs):
    """MD5 of message (or message system) attributes as SQS computes it:
    attributes sorted by name; for each one, length-prefixed name, length-
    prefixed DataType, a transport byte (1 = string, 2 = binary) and the
    length-prefixed value."""
    buf = bytearray()
    for name in sorted(attrs):
        attr = attrs[name]
        buf += _lp(name.encode("utf-8"))
        buf += _lp(attr["DataType"].encode("utf-8"))
        if attr["DataType"].split(".")[0] == "Binary":
            buf += b"\x02" + _lp(bytes(attr["BinaryValue"]))
        else:
            buf += b"\x01" + _lp(attr["StringValue"].encode("utf-8"))
    return hashlib.md5(bytes(buf)).hexdigest()


def md5_body(body):
    return hashlib.md5(body.encode("utf-8")).hexdigest()


def raw_client(server):
    """A boto3 SQS client with client-side parameter validation switched off."""
    cfg = Config(retries={"max_attempts": 1}, read_timeout=30, connect_timeout=5,
                 parameter_validation=False)
    return boto3.client("sqs", endpoint_url=server.endpoint, region_name=REGION,
                        aws_access_key_id="test", aws_secret_access_key="test", config=cfg)


def not_found_message():
    """AWS words the missing-queue error differently per protocol."""
    if sqs_protocol() == "json":
        return "The specified queue does not exist."
    return "The specified queue does not exist for this wsdl version."


def wait_until(pred, timeout=30.0, step=0.05):
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(step)
    return pred()


def drain(sqs, url, max_rounds=10, **kw):
    """Receives until a receive comes back empty; returns all messages."""
    out = []
    for _ in range(max_rounds):
        r = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, **kw)
        if not r.get("Messages"):
            break
        out.extend(r["Messages"])
    return out


class MoveTaskShim:
    """Message move task calls for botocore releases that predate them
    (Debian's boto3 1.26): signed query-protocol requests, answers parsed into
    the same dicts a newer boto3 returns, errors raised as ClientError."""

    INT_FIELDS = {"ApproximateNumberOfMessagesMoved", "ApproximateNumberOfMessagesToMove",
                  "MaxNumberOfMessagesPerSecond", "StartedTimestamp"}

    def __init__(self, server):
        self.server = server

    def _call(self, action, params):
        import urllib.error
        import urllib.parse
        import urllib.request
        import xml.etree.ElementTree as ET

        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials
        from botocore.exceptions import ClientError

        form = {"Action": action, "Version": "2012-11-05"}
        form.update({k: str(v) for k, v in params.items()})
        body = urllib.parse.urlencode(form)
        url = self.server.endpoint + "/"
        req = AWSRequest(method="POST", url=url, data=body,
                         headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
        SigV4Auth(Credentials("test", "test"), "sqs", REGION).add_auth(req)
        http = urllib.request.Request(url, data=body.encode(), method="POST", headers=dict(req.headers.items()))
        try:
            with urllib.request.urlopen(http, timeout=10) as r:
                root = ET.fromstring(r.read())
                status = r.status
        except urllib.error.HTTPError as e:
            root = ET.fromstring(e.read())
            status = e.code

        def local(tag):
            return tag.rsplit("}", 1)[-1]

        if local(root.tag) == "ErrorResponse":
            err = {local(c.tag): (c.text or "") for c in root.iter() if local(c.tag) in ("Code", "Message", "Type")}
            raise ClientError({"Error": err, "ResponseMetadata": {"HTTPStatusCode": status}}, action)
        result = next(c for c in root if local(c.tag) == action + "Result")
        out = {}
        entries = []
        for child in result:
            name = local(child.tag)
            if len(child):
                entries.append({local(g.tag): int(g.text) if local(g.tag) in self.INT_FIELDS else g.text
                                for g in child})
            else:
                out[name] = int(child.text) if name in self.INT_FIELDS else child.text
        if action == "ListMessageMoveTasks" and entries:
            out["Results"] = entries
        return out

    def start_message_move_task(self, **kw):
        return self._call("StartMessageMoveTask", kw)

    def list_message_move_tasks(self, **kw):
        return self._call("ListMessageMoveTasks", kw)

    def cancel_message_move_task(self, **kw):
        return self._call("CancelMessageMoveTask", kw)


def move_task_client(server, sqs):
    """sqs itself when its botocore knows the move task operations, else the shim."""
    return sqs if hasattr(sqs, "start_message_move_task") else MoveTaskShim(server)
