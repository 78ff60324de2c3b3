# SPDX-License-Identifier: MIT
"""Fills one CloudWatch metric with a day of 1-second data on a server at
127.0.0.1:PORT (bench.sh section 13): `python3 cw_setup.py PORT`. Namespace
BenchDay, metric PerSecond, dimension Host=h1: 86,400 datapoints, one per
second of the day that ended at the last whole minute, put 1,000 per request
with StorageResolution 1. Prints `setup_s=... end_s=...` (the day's end)."""
import datetime
import sys
import time

import boto3
from botocore.config import Config


def main():
    port = int(sys.argv[1])
    cw = boto3.client("cloudwatch", endpoint_url="http://127.0.0.1:%d" % port, region_name="us-east-1",
                      aws_access_key_id="bench", aws_secret_access_key="bench",
                      config=Config(retries={"max_attempts": 2}, read_timeout=120))
    t0 = time.time()
    end = int(time.time()) // 60 * 60
    start = end - 86400
    for base in range(start, end, 1000):
        data = [{"MetricName": "PerSecond", "Dimensions": [{"Name": "Host", "Value": "h1"}],
                 "Timestamp": datetime.datetime.fromtimestamp(s, datetime.timezone.utc),
                 "Value": float((s * 7919) % 1000), "Unit": "Milliseconds", "StorageResolution": 1}
                for s in range(base, min(base + 1000, end))]
        cw.put_metric_data(Namespace="BenchDay", MetricData=data)
    print("setup_s=%.2f end_s=%d" % (time.time() - t0, end))


if __name__ == "__main__":
    main()
