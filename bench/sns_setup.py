# SPDX-License-Identifier: MIT
"""Sets up one SNS benchmark topic on a server at 127.0.0.1:PORT (bench.sh
section 12): `python3 sns_setup.py PORT TOPIC SUBS [FILTERED]`.
  SUBS queues TOPIC-q0..q(SUBS-1), each subscribed with raw delivery; or, with
  FILTERED, SUBS subscriptions whose filter policies each accept one customer
  ({"customer": ["c<i>"]}), only c7's queue existing (a publish with customer
  c7 matches exactly one of them).
Prints `setup_s=... topic=ARN`."""
import json
import sys
import time

import boto3
from botocore.config import Config


def main():
    port, topic, subs = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    filtered = len(sys.argv) > 4 and sys.argv[4] == "filtered"
    signed = len(sys.argv) > 4 and sys.argv[4] == "signed"
    kw = dict(endpoint_url="http://127.0.0.1:%d" % port, region_name="us-east-1", aws_access_key_id="bench",
              aws_secret_access_key="bench", config=Config(retries={"max_attempts": 2}, read_timeout=60))
    sns, sqs = boto3.client("sns", **kw), boto3.client("sqs", **kw)
    t0 = time.time()
    arn = sns.create_topic(Name=topic)["TopicArn"]
    for i in range(subs):
        name = "%s-q%d" % (topic, i)
        if not filtered or i == 7:
            sqs.create_queue(QueueName=name)
        attrs = {} if signed else {"RawMessageDelivery": "true"}
        if filtered:
            attrs["FilterPolicy"] = json.dumps({"customer": ["c%d" % i]})
        sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint="arn:aws:sqs:us-east-1:000000000000:" + name,
                      Attributes=attrs)
    print("setup_s=%.2f topic=%s" % (time.time() - t0, arn))


if __name__ == "__main__":
    main()
