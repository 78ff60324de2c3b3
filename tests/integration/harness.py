# SPDX-License-Identifier: MIT
"""Starts the real build/runnel on a loopback port it picks itself for integration tests.

Each test class gets its own server (in-memory unless it asks for a data dir);
clients are real boto3 clients. The machine's python3 (boto3 1.4x) speaks the
SQS JSON protocol; Debian's /usr/bin/python3 (boto3 1.26) speaks the query
protocol, so running the same tests under both covers both wire protocols.
"""
import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import unittest
import urllib.request

import boto3
import botocore
from botocore.config import Config

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.path.abspath(os.environ.get("RUNNEL_BIN", os.path.join(ROOT, "build", "runnel")))  # tests may change directory


# What ASan, LSan and UBSan print at the start of a report.
SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
READY = re.compile(r"\bready endpoint=(http://\S+)\s")  # with the blank after it, so never a half-written port


class ServerFailed(AssertionError):
    """The server printed a sanitizer report, died on its own, or did not
    exit 0 on SIGTERM. An AssertionError, so the test (or class) fails."""


def sanitizer_report(output):
    """The line of output where the first sanitizer report starts, or None."""
    for line in output.splitlines():
        if any(m in line for m in SANITIZER_MARKERS):
            return line
    return None


def run_command(args, **kw):
    """subprocess.run for the binary that exits by itself (--help, a bad
    option): output captured as text; ServerFailed on a sanitizer report."""
    out = subprocess.run([BINARY] + list(args), capture_output=True, text=True, timeout=30, **kw)
    report = sanitizer_report(out.stdout + out.stderr)
    if report:
        raise ServerFailed("sanitizer report from runnel %s: %s\n%s" % (" ".join(args), report, out.stderr))
    return out


def sqs_protocol():
    """'json' or 'query': what this interpreter's botocore speaks for SQS."""
    model = botocore.session.get_session().get_service_model("sqs")
    return model.protocol


class Server:
    """build/runnel serve on --port 0: the kernel picks the port and the
    server's "ready endpoint=..." log line says which, so no other process
    can take the port between choosing it and binding it. stdout and stderr
    go to one file that stop() and kill() search for sanitizer reports."""

    def __init__(self, data_dir=None, extra=()):
        self.data_dir = data_dir
        self.extra = list(extra)
        self.proc = None
        self.endpoint = None
        self.log = None

    def start(self, timeout=30):
        args = [BINARY, "serve", "--port", "0"]
        if self.data_dir:
            args += ["--data-dir", self.data_dir]
        else:
            args += ["--in-memory"]
        args += self.extra
        self.log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=self.log)
        deadline = time.time() + timeout
        while time.time() < deadline:
            m = READY.search(self.output())
            if m:
                self.endpoint = m.group(1)
                return self
            if self.proc.poll() is not None:
                raise ServerFailed("runnel exited %d before it was ready:\n%s" % (self.proc.returncode, self.output()))
            time.sleep(0.01)
        self.proc.kill()
        self.proc.wait()
        raise ServerFailed("runnel printed no ready line in %d s:\n%s" % (timeout, self.output()))

    @property
    def port(self):
        """The port the kernel gave, as the ready line names it."""
        return int(self.endpoint.rsplit(":", 1)[1])

    def output(self):
        """Everything the server wrote so far. Read with pread: the server's
        stdout and stderr share this file's offset with us, and a seek here
        would make its next write land at the start, over the ready line."""
        if not self.log:
            return ""
        fd = self.log.fileno()
        return os.pread(fd, os.fstat(fd).st_size, 0).decode(errors="replace")

    def stop(self, sig=signal.SIGTERM, timeout=30):
        """Sends sig, waits for the exit and returns the exit status. Raises
        ServerFailed when the output holds a sanitizer report (leaks are
        reported at exit), when the server had already died, or when it
        did not exit 0 on SIGTERM."""
        if not self.proc:
            return None
        problem = None
        if self.proc.poll() is not None:
            problem = "runnel had already exited (status %d)" % self.proc.returncode
        else:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                problem = "runnel did not exit within %d s of signal %d" % (timeout, sig)
        rc = self.proc.returncode
        self.proc = None
        if not problem and sig == signal.SIGTERM and rc != 0:
            problem = "runnel exited %d on SIGTERM" % rc
        report = sanitizer_report(self.output())
        if report:
            problem = "sanitizer report: %s" % report
        if problem:
            raise ServerFailed("%s\n--- server output ---\n%s" % (problem, self.output()[-20000:]))
        return rc

    def kill(self):
        return self.stop(signal.SIGKILL)

    def client(self, service="sqs", **kw):
        cfg = Config(retries={"max_attempts": 1}, read_timeout=kw.pop("read_timeout", 30),
                     connect_timeout=5, parameter_validation=kw.pop("validate", True))
        return boto3.client(service, endpoint_url=self.endpoint, region_name="us-east-1",
                            aws_access_key_id=kw.pop("key", "test"),
                            aws_secret_access_key=kw.pop("secret", "test"), config=cfg, **kw)


@contextlib.contextmanager
def environ(**kw):
    """Sets environment variables for the with block (a server started
    inside inherits them); the environment is put back afterwards."""
    old = {k: os.environ.get(k) for k in kw}
    os.environ.update({k: str(v) for k, v in kw.items()})
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@contextlib.contextmanager
def endpoint_env(server):
    """Points code that builds its own clients (the seed's, unmodified) at
    server through AWS_ENDPOINT_URL and the usual variables, for the with
    block."""
    with environ(AWS_ENDPOINT_URL=server.endpoint, AWS_DEFAULT_REGION="us-east-1",
                 AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="y"):
        yield


class DataDir:
    """A data dir in a temporary directory for tests that restart a server
    on it (kill -9 durability): `with harness.DataDir("x-") as d:` then
    `d.start()` as often as needed; on leaving, a server still running (a
    failed assertion) is killed and the directory removed."""

    def __init__(self, prefix):
        self.tmp = tempfile.mkdtemp(prefix=prefix)
        self.path = os.path.join(self.tmp, "data")
        self.servers = []

    def start(self, extra=()):
        server = Server(self.path, extra).start()
        self.servers.append(server)
        return server

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        for server in self.servers:
            if server.proc:
                server.proc.kill()
                server.proc.wait()
        shutil.rmtree(self.tmp, ignore_errors=True)
        return False


KEY, SECRET = "AKIDRUNNEL", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"


class AuthFileServer(unittest.TestCase):
    """One in-memory server per class with --auth-file holding one long-term
    key (KEY, SECRET)."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="runnel-auth-")
        path = os.path.join(cls.tmp, "keys")
        with open(path, "w") as f:
            f.write("%s %s\n" % (KEY, SECRET))
        cls.server = Server(None, ["--auth-file", path]).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)


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
        try:
            cls.server.stop()
        finally:
            shutil.rmtree(cls.tmp, ignore_errors=True)

    def setUp(self):
        if not self.data_dir:
            req = urllib.request.Request(self.server.endpoint + "/_runnel/reset", method="POST")
            urllib.request.urlopen(req, timeout=5).read()

    def advance(self, seconds):
        """Moves the server's clock forward (POST /_runnel/clock) in place of a
        real wait; returns its answer ({"now", "offsetSeconds"})."""
        req = urllib.request.Request(self.server.endpoint + "/_runnel/clock", method="POST",
                                     data=json.dumps({"advanceSeconds": seconds}).encode())
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.loads(r.read())

    def assertError(self, code, fn, *args, **kw):
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            fn(*args, **kw)
        self.assertEqual(cm.exception.response["Error"]["Code"], code,
                         cm.exception.response["Error"])
        return cm.exception.response["Error"].get("Message", "")
