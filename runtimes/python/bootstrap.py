# SPDX-License-Identifier: MIT
# Runnel's bootstrap for python3.x functions: a Lambda Runtime API client
# (2018-06-01) that imports the handler ("module.function", the module path
# may contain '/'), then loops: wait for an invocation, call the handler with
# AWS's event and context, post the result or the error as AWS's Python
# runtime shapes them. Standard library only; the machine's python3 runs it.
import http.client
import importlib
import json
import logging
import os
import sys
import time
import traceback

API = os.environ["AWS_LAMBDA_RUNTIME_API"]
BASE = "/2018-06-01/runtime"


class Conn:
    """One keep-alive connection to this instance's Runtime API endpoint."""

    def __init__(self):
        host, _, port = API.rpartition(":")
        self.host, self.port = host, int(port)
        self.c = None

    def request(self, method, path, body=None, headers=None):
        for attempt in (0, 1):
            if self.c is None:
                self.c = http.client.HTTPConnection(self.host, self.port)
            try:
                self.c.request(method, path, body=body, headers=headers or {})
                r = self.c.getresponse()
                return r, r.read()
            except (ConnectionError, http.client.HTTPException):
                self.c.close()
                self.c = None
                if attempt:
                    raise


conn = Conn()


def post(path, payload, error_type=None):
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    headers = {"Content-Type": "application/json"}
    if error_type:
        headers["Lambda-Runtime-Function-Error-Type"] = error_type
    conn.request("POST", BASE + path, body, headers)


def error_of(e, request_id, error_type=None, skip=0):
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
    import importlib.abc
    import importlib.util

    class Finder(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path, target=None):
            if name != "botocore.session":
                return None
            sys.meta_path.remove(self)
            spec = importlib.util.find_spec(name)
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
    def __init__(self, headers):
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.aws_request_id = headers.get("Lambda-Runtime-Aws-Request-Id")
        self.invoked_function_arn = headers.get("Lambda-Runtime-Invoked-Function-Arn")
        self._deadline = int(headers.get("Lambda-Runtime-Deadline-Ms") or 0)
        cc = headers.get("Lambda-Runtime-Client-Context")
        ci = headers.get("Lambda-Runtime-Cognito-Identity")
        self.client_context = json.loads(cc) if cc else None
        self.identity = json.loads(ci) if ci else None

    def get_remaining_time_in_millis(self):
        return max(self._deadline - int(time.time() * 1000), 0)


class RequestIdFilter(logging.Filter):
    request_id = ""

    def filter(self, record):
        record.aws_request_id = RequestIdFilter.request_id
        return True


def setup_logging():
    h = logging.StreamHandler(sys.stdout)
    h.setFormatter(logging.Formatter("[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n",
                                     "%Y-%m-%dT%H:%M:%S"))
    logging.Formatter.converter = time.gmtime
    h.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.addHandler(h)


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
    sys.path[0:0] = [task, "/opt/python"]
    endpoint_hook()
    setup_logging()
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
        r, body = conn.request("GET", BASE + "/invocation/next")
        if r.status != 200:
            sys.exit(0)  # the endpoint is closing: this instance is being stopped
        headers = {k: v for k, v in r.getheaders()}
        ctx = Context(headers)
        rid = ctx.aws_request_id
        RequestIdFilter.request_id = rid
        os.environ["_X_AMZN_TRACE_ID"] = headers.get("Lambda-Runtime-Trace-Id", "")
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
