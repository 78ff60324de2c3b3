# SPDX-License-Identifier: MIT
# Runnel's bootstrap for python3.x functions: a Lambda Runtime API client
# (2018-06-01) that imports the handler ("module.function", the module path
# may contain '/'), then loops: wait for an invocation, call the handler with
# AWS's event and context, post the result or the error as AWS's Python
# runtime shapes them. Standard library only; the machine's python3 runs it.
# Start-up is kept short: a raw socket client instead of http.client (which
# imports email and ssl), and logging and traceback only when needed.
import importlib
import json
import os
import socket
import sys
import time

# AWS's /var/task is read-only, so no .pyc lands beside the handler there; here
# the package may be the user's own directory (run in place), where written
# __pycache__ files would read as a code change and restart the instances.
sys.dont_write_bytecode = True

API = os.environ["AWS_LAMBDA_RUNTIME_API"]
BASE = "/2018-06-01/runtime"


class Conn:
    """One keep-alive connection to this instance's Runtime API endpoint
    (HTTP/1.1; the endpoint always sends Content-Length)."""

    def __init__(self):
        host, _, port = API.rpartition(":")
        self.addr = (host, int(port))
        self.sock = None
        self.buf = b""

    def request(self, method, path, body=b"", headers=None):
        if self.sock is None:
            self.sock = socket.create_connection(self.addr)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        head = "%s %s HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n" % (method, path, API, len(body))
        for k, v in (headers or {}).items():
            head += "%s: %s\r\n" % (k, v)
        try:
            self.sock.sendall(head.encode() + b"\r\n" + body)
            while b"\r\n\r\n" not in self.buf:
                self.recv()
            raw, _, self.buf = self.buf.partition(b"\r\n\r\n")
            lines = raw.decode("latin-1").split("\r\n")
            status = int(lines[0].split(" ", 2)[1])
            hdrs = {}
            for line in lines[1:]:
                k, _, v = line.partition(":")
                hdrs[k.strip().lower()] = v.strip()
            n = int(hdrs.get("content-length", "0"))
            while len(self.buf) < n:
                self.recv()
            data, self.buf = self.buf[:n], self.buf[n:]
            return status, hdrs, data
        except OSError:
            sys.exit(0)  # the endpoint is gone: this instance is being stopped

    def recv(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionResetError()
        self.buf += chunk


conn = Conn()


def post(path, payload, error_type=None):
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    headers = {"Content-Type": "application/json"}
    if error_type:
        headers["Lambda-Runtime-Function-Error-Type"] = error_type
    conn.request("POST", BASE + path, body, headers)


def error_of(e, request_id, error_type=None, skip=0):
    import traceback

    tb = traceback.extract_tb(e.__traceback__)
    return {
        "errorMessage": str(e),
        "errorType": error_type or type(e).__name__,
        "requestId": request_id,
        "stackTrace": traceback.format_list(tb[skip:]),
    }


def endpoint_hook():
    """boto3 before 1.28 (Debian's 1.26) ignores AWS_ENDPOINT_URL: give its
    clients that endpoint when they name none, once botocore is imported
    (so a handler that never imports it pays nothing)."""
    url = os.environ.get("AWS_ENDPOINT_URL")
    if not url:
        return

    class Finder:  # a meta path finder (no importlib.abc: importing it costs ~20 ms)
        def find_spec(self, name, path, target=None):
            if name != "botocore.session":
                return None
            sys.meta_path.remove(self)
            spec = None
            for finder in sys.meta_path:
                find = getattr(finder, "find_spec", None)
                spec = find(name, path, target) if find else None
                if spec is not None:
                    break
            if spec is None or spec.loader is None:
                return spec
            loader = spec.loader
            run = loader.exec_module

            def exec_module(module):
                run(module)
                try:
                    import botocore

                    major, minor = (int(x) for x in botocore.__version__.split(".")[:2])
                except Exception:
                    return
                if (major, minor) >= (1, 31):
                    return  # it reads AWS_ENDPOINT_URL itself
                create = module.Session.create_client

                def create_client(self, *args, **kw):
                    if len(args) < 5 and kw.get("endpoint_url") is None:
                        kw["endpoint_url"] = url
                    return create(self, *args, **kw)

                module.Session.create_client = create_client

            loader.exec_module = exec_module
            return spec

    sys.meta_path.insert(0, Finder())


class Context:
    def __init__(self, headers):  # headers: lowercased names
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.aws_request_id = headers.get("lambda-runtime-aws-request-id")
        self.invoked_function_arn = headers.get("lambda-runtime-invoked-function-arn")
        self._deadline = int(headers.get("lambda-runtime-deadline-ms") or 0)
        cc = headers.get("lambda-runtime-client-context")
        ci = headers.get("lambda-runtime-cognito-identity")
        self.client_context = json.loads(cc) if cc else None
        self.identity = json.loads(ci) if ci else None

    def get_remaining_time_in_millis(self):
        return max(self._deadline - int(time.time() * 1000), 0)


REQUEST_ID = [""]
logging_ready = False


def setup_logging():
    """AWS's log line format for the root logger, once the function has
    imported logging (so a function that never logs does not pay for it)."""
    global logging_ready
    if logging_ready or "logging" not in sys.modules:
        return
    import logging

    class RequestIdFilter(logging.Filter):
        def filter(self, record):
            record.aws_request_id = REQUEST_ID[0]
            return True

    h = logging.StreamHandler(sys.stdout)
    h.setFormatter(logging.Formatter("[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n",
                                     "%Y-%m-%dT%H:%M:%S"))
    logging.Formatter.converter = time.gmtime
    h.addFilter(RequestIdFilter())
    logging.getLogger().addHandler(h)
    logging_ready = True


def load_handler():
    spec = os.environ.get("_HANDLER", "")
    module, _, func = spec.rpartition(".")
    if not module or not func:
        raise InitError("Runtime.MalformedHandlerName", "Bad handler '%s': not enough values to unpack "
                        "(expected 2, got 1)" % spec)
    module = module.replace("/", ".")
    try:
        m = importlib.import_module(module)
    except ImportError as e:
        raise InitError("Runtime.ImportModuleError", "Unable to import module '%s': %s" % (module, e))
    except SyntaxError as e:
        raise InitError("Runtime.UserCodeSyntaxError", "Syntax error in module '%s': %s" % (module, e))
    f = getattr(m, func, None)
    if f is None:
        raise InitError("Runtime.HandlerNotFound", "Handler '%s' missing on module '%s'" % (func, module))
    return f


class InitError(Exception):
    def __init__(self, kind, message):
        super().__init__(message)
        self.kind = kind


def main():
    sys.stdout.reconfigure(line_buffering=True)
    task = os.environ.get("LAMBDA_TASK_ROOT", os.getcwd())
    opt = os.environ.get("RUNNEL_OPT", "/opt")  # the function's layers (Runnel cannot use /opt itself)
    ver = "python%d.%d" % sys.version_info[:2]
    sys.path[0:0] = [task, opt + "/python", "%s/python/lib/%s/site-packages" % (opt, ver)]
    endpoint_hook()
    try:
        handler = load_handler()
    except InitError as e:
        sys.stdout.write("[ERROR] %s: %s\n" % (e.kind, e))
        post("/init/error", {"errorMessage": str(e), "errorType": e.kind, "requestId": "", "stackTrace": []},
             e.kind)
        sys.exit(1)
    except Exception as e:
        sys.stdout.write("[ERROR] %s: %s\n" % (type(e).__name__, e))
        post("/init/error", error_of(e, ""), "Runtime.Unknown")
        sys.exit(1)
    while True:
        setup_logging()
        status, headers, body = conn.request("GET", BASE + "/invocation/next")
        if status != 200:
            sys.exit(0)  # the endpoint is closing: this instance is being stopped
        ctx = Context(headers)
        rid = ctx.aws_request_id
        REQUEST_ID[0] = rid
        os.environ["_X_AMZN_TRACE_ID"] = headers.get("lambda-runtime-trace-id", "")
        try:
            event = json.loads(body) if body else {}
            result = handler(event, ctx)
            out = json.dumps(result).encode()
        except Exception as e:
            sys.stdout.flush()
            err = error_of(e, rid, skip=1)  # not the bootstrap's own frame
            sys.stdout.write("[ERROR] %s: %s\n" % (err["errorType"], err["errorMessage"]))
            sys.stdout.flush()
            post("/invocation/%s/error" % rid, err, "Unhandled")
            continue
        sys.stdout.flush()
        sys.stderr.flush()
        post("/invocation/%s/response" % rid, out)


if __name__ == "__main__":
    main()
