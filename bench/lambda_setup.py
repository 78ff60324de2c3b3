# SPDX-License-Identifier: MIT
"""Lambda benchmarks for `make bench` that measure single invocations (the
closed-loop throughput runs in build/bench/loadgen's invoke mode):

  setup PORT ECHO_BINARY     creates the functions: "echo-provided" (the C
                             runtime bench/lambda_echo.c) and "echo-python"
  cold PORT NAME RUNS        cold start to first response: each run changes
                             the function's configuration (which stops its
                             instances) and times one invoke; prints the median
  sqs PORT RUNS              SQS SendMessage issued -> handler started, through
                             an event source mapping; prints the median
  fanout PORT NAME N         N concurrent invokes of a function that holds each
                             one 1.5 s, so N instances run at once; prints errors
                             and the server's RSS

Standard library only (http.client on loopback), one key=value line each."""
import base64
import concurrent.futures
import http.client
import io
import json
import os
import statistics
import sys
import time
import zipfile

ROLE = "arn:aws:iam::000000000000:role/bench"


def call(port, method, path, body=None, headers=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    c.request(method, path, body=body, headers=headers or {})
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, data


def zipped(files):
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED) as z:
        for name, (data, mode) in files.items():
            info = zipfile.ZipInfo(name)
            info.external_attr = mode << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    return base64.b64encode(b.getvalue()).decode()


def create(port, name, runtime, handler, code, timeout=30):
    body = json.dumps({"FunctionName": name, "Runtime": runtime, "Role": ROLE, "Handler": handler,
                       "Timeout": timeout, "Code": {"ZipFile": code}})
    s, d = call(port, "POST", "/2015-03-31/functions", body)
    if s != 201:
        sys.exit("create %s: %d %s" % (name, s, d[:300]))


def invoke(port, name, payload=b"{}"):
    t = time.perf_counter()
    s, d = call(port, "POST", "/2015-03-31/functions/%s/invocations" % name, payload)
    if s != 200 or b"errorType" in d:
        raise RuntimeError("invoke %s: %d %s" % (name, s, d[:300]))
    return time.perf_counter() - t


PY_ECHO = "def handler(event, context):\n    return event\n"
PY_HOLD = "import time\ndef handler(event, context):\n    time.sleep(1.5)\n    return event\n"


def setup(port, echo):
    with open(echo, "rb") as f:
        binary = f.read()
    create(port, "echo-provided", "provided.al2023", "bootstrap", zipped({"bootstrap": (binary, 0o100755)}))
    create(port, "echo-python", "python3.12", "app.handler", zipped({"app.py": (PY_ECHO, 0o100644)}))
    create(port, "hold-python", "python3.12", "app.handler", zipped({"app.py": (PY_HOLD, 0o100644)}))
    # the cold-start measurements use functions of their own, so no other instance's exit is in the way
    create(port, "cold-provided", "provided.al2023", "bootstrap", zipped({"bootstrap": (binary, 0o100755)}))
    create(port, "cold-python", "python3.12", "app.handler", zipped({"app.py": (PY_ECHO, 0o100644)}))
    print("setup=ok")


def cold(port, name, runs):
    times = []
    for i in range(runs):
        body = json.dumps({"Description": "cold %d" % i})
        call(port, "PUT", "/2015-03-31/functions/%s/configuration" % name, body)
        time.sleep(0.05)  # the stopped instances exit
        times.append(invoke(port, name) * 1000)
    print("cold_ms=%.2f runs=%d" % (statistics.median(times), runs))


def sqs_latency(port, runs):
    """Each message's body is its send time; the handler appends (start - sent) to a file."""
    path = "/tmp/runnel-bench-sqs-%d.log" % os.getpid()
    code = ("import time\ndef handler(event, context):\n    started = time.time()\n"
            "    with open(%r, 'a') as f:\n        for r in event['Records']:\n"
            "            f.write('%%f\\n' %% (started - float(r['body'])))\n" % path)
    create(port, "stamp", "python3.12", "app.handler", zipped({"app.py": (code, 0o100644)}))
    sqs = lambda op: {"X-Amz-Target": "AmazonSQS." + op, "Content-Type": "application/x-amz-json-1.0"}
    s, d = call(port, "POST", "/", json.dumps({"QueueName": "stamp"}), sqs("CreateQueue"))
    url = json.loads(d)["QueueUrl"]
    call(port, "POST", "/2015-03-31/event-source-mappings",
         json.dumps({"FunctionName": "stamp", "EventSourceArn": "arn:aws:sqs:us-east-1:000000000000:stamp",
                     "BatchSize": 1}))
    time.sleep(0.3)
    for i in range(runs + 3):
        call(port, "POST", "/", json.dumps({"QueueUrl": url, "MessageBody": "%f" % time.time()}), sqs("SendMessage"))
        time.sleep(0.05)
    lat = []
    deadline = time.time() + 20
    while time.time() < deadline and len(lat) < runs + 3:
        if os.path.exists(path):
            with open(path) as f:
                lat = [float(x) * 1000 for x in f]
        time.sleep(0.05)
    if os.path.exists(path):
        os.unlink(path)
    lat = lat[3:]  # the first ones include the cold start
    print("sqs_to_handler_ms=%.2f runs=%d" % (statistics.median(lat) if lat else float("nan"), len(lat)))


def fanout(port, name, n, pid):
    """Each invoke holds its instance 1.5 s (the provided echo sleeps on hold_ms; hold-python sleeps)."""
    errors = 0
    with concurrent.futures.ThreadPoolExecutor(n) as pool:
        futs = [pool.submit(invoke, port, name, b'{"hold_ms": 1500}') for _ in range(n)]
        time.sleep(1.0)
        with open("/proc/%d/status" % pid) as f:
            rss = [int(x.split()[1]) // 1024 for x in f if x.startswith("VmRSS")][0]
        for f in futs:
            try:
                f.result()
            except Exception as e:  # counted, not raised: the figure is how many failed
                errors += 1
                last = str(e)[:200]
    print("fanout=%d errors=%d server_rss_mb=%d%s" % (n, errors, rss, (" last_error=%r" % last) if errors else ""))


if __name__ == "__main__":
    mode, port = sys.argv[1], int(sys.argv[2])
    if mode == "setup":
        setup(port, sys.argv[3])
    elif mode == "cold":
        cold(port, sys.argv[3], int(sys.argv[4]))
    elif mode == "sqs":
        sqs_latency(port, int(sys.argv[3]))
    elif mode == "fanout":
        fanout(port, sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
