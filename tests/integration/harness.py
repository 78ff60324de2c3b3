# SPDX-License-Identifier: MIT
"""Starts the real build/runnel on a free loopback port for integration tests.

Each test class gets its own server (in-memory unless it asks for a data dir);
clients are real boto3 clients. The machine's python3 (boto3 1.4x) speaks the
SQS JSON protocol; Debian's /usr/bin/python3 (boto3 1.26) speaks the query
protocol, so running the same tests under both covers both wire protocols.
"""
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.request

import boto3
import botocore
from botocore.config import Config

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.environ.get("RUNNEL_BIN", os.path.join(ROOT, "build", "runnel"))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def sqs_protocol():
    """'json' or 'query': what this interpreter's botocore speaks for SQS."""
    model = botocore.session.get_session().get_service_model("sqs")
    return model.protocol


class Server:
    def __init__(self, data_dir=None, extra=()):
        self.data_dir = data_dir
        self.extra = list(extra)
        self.proc = None
        self.port = None
        self.log = None

    def start(self):
        self.port = free_port()
        args = [BINARY, "serve", "--port", str(self.port)]
        if self.data_dir:
            args += ["--data-dir", self.data_dir]
        else:
            args += ["--in-memory"]
        args += self.extra
        self.log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=self.log)
        deadline = time.time() + 10
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("runnel exited: %s" % self.output())
            try:
                with urllib.request.urlopen(self.endpoint + "/_runnel/health", timeout=1) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.02)
        raise RuntimeError("runnel did not become ready: %s" % self.output())

    def output(self):
        if not self.log:
            return ""
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    @property
    def endpoint(self):
        return "http://127.0.0.1:%d" % self.port

    def stop(self, sig=signal.SIGTERM, timeout=10):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        rc = self.proc.returncode if self.proc else None
        self.proc = None
        return rc

    def kill(self):
        return self.stop(signal.SIGKILL)

    def client(self, service="sqs", **kw):
        cfg = Config(retries={"max_attempts": 1}, read_timeout=kw.pop("read_timeout", 30),
                     connect_timeout=5)
        return boto3.client(service, endpoint_url=self.endpoint, region_name="us-east-1",
                            aws_access_key_id=kw.pop("key", "test"),
                            aws_secret_access_key=kw.pop("secret", "test"), config=cfg, **kw)


class ServerTest(unittest.TestCase):
    """Base class: one in-memory server per test class, a fresh state per test."""
    data_dir = False
    extra = ()

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="runnel-test-")
        cls.server = Server(os.path.join(cls.tmp, "data") if cls.data_dir else None,
                            cls.extra).start()
        cls.sqs = cls.server.client()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def setUp(self):
        if not self.data_dir:
            req = urllib.request.Request(self.server.endpoint + "/_runnel/reset", method="POST")
            urllib.request.urlopen(req, timeout=5).read()

    def assertError(self, code, fn, *args, **kw):
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            fn(*args, **kw)
        self.assertEqual(cm.exception.response["Error"]["Code"], code,
                         cm.exception.response["Error"])
        return cm.exception.response["Error"].get("Message", "")
