# SPDX-License-Identifier: MIT
"""Shared helpers for the SQS integration tests: an independent implementation
of AWS's message-attribute MD5, a client without client-side validation (so bad
input reaches the server), and small polling utilities."""
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


def wait_until(pred, timeout=5.0, step=0.05):
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
