# SPDX-License-Identifier: MIT
"""Sets up the DynamoDB benchmark tables on a server at 127.0.0.1:PORT
(bench.sh section 11): `python3 ddb_setup.py PORT [KEYS]`.
  bget   KEYS small items k0..k(KEYS-1)     (GetItem)
  bput   empty                              (PutItem, TransactWriteItems)
  bquery 10 partitions q0..q9 of 100 items  (Query of 100 items)
  bscan  10,000 items of about 1 KB          (a full Scan)
Prints `setup_s=...`."""
import sys
import time

import boto3
from botocore.config import Config


def main():
    port = int(sys.argv[1])
    keys = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
    ddb = boto3.client("dynamodb", endpoint_url="http://127.0.0.1:%d" % port, region_name="us-east-1",
                       aws_access_key_id="bench", aws_secret_access_key="bench",
                       config=Config(retries={"max_attempts": 2}, read_timeout=60))
    t0 = time.time()
    for name, rng in [("bget", None), ("bput", None), ("bquery", "N"), ("bscan", None)]:
        ks = [{"AttributeName": "pk", "KeyType": "HASH"}]
        ad = [{"AttributeName": "pk", "AttributeType": "S"}]
        if rng:
            ks.append({"AttributeName": "sk", "KeyType": "RANGE"})
            ad.append({"AttributeName": "sk", "AttributeType": rng})
        ddb.create_table(TableName=name, KeySchema=ks, AttributeDefinitions=ad, BillingMode="PAY_PER_REQUEST")

    def put_all(table, items):
        for i in range(0, len(items), 25):
            r = ddb.batch_write_item(RequestItems={table: [{"PutRequest": {"Item": it}} for it in items[i:i + 25]]})
            if r.get("UnprocessedItems"):
                raise SystemExit("unprocessed items")
    put_all("bget", [{"pk": {"S": "k%d" % i}, "v": {"N": str(i)}} for i in range(keys)])
    put_all("bquery", [{"pk": {"S": "q%d" % p}, "sk": {"N": str(i)}, "v": {"S": "x" * 20}}
                       for p in range(10) for i in range(100)])
    put_all("bscan", [{"pk": {"S": "s%05d" % i}, "v": {"S": "y" * 1000}} for i in range(10000)])
    print("setup_s=%.2f" % (time.time() - t0))


if __name__ == "__main__":
    main()
