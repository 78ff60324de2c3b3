#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Sends "Order Created" events to the ecommerce-events bus, as the shop's
front end would (the seed's EventPublisher, in PutEvents batches of 10).

    python3 producer.py [--endpoint-url URL] [-n 100] [--poison] [--bus ecommerce-events]

-n N sends N orders (every seventh one a priority order above 1000) in
PutEvents batches of 10, with a progress bar when stdout is a terminal.
--poison then sends one order the processor refuses (a negative amount: a
credit note, which it accepts only once AcceptCredits is true): it is retried
three times and lands in the dead-letter queue. The last line printed is
the run's id (the orders are ord-ID-00001...), and the poison order's id."""
import argparse
import json
import os
import sys
import time
import uuid
import zlib
from datetime import datetime

import boto3

DEFAULT_ENDPOINT = "http://127.0.0.1:4566"


def order_entry(bus, order_id, customer_id, amount, items=None):
    """One PutEvents entry: the seed's EventPublisher's event, with items to reserve."""
    detail = {"orderId": order_id, "customerId": customer_id, "amount": amount,
              "items": items or [{"sku": "sku-%d" % (zlib.crc32(order_id.encode()) % 50), "quantity": 1}],
              "timestamp": datetime.utcnow().isoformat()}
    return {"Source": "ecommerce.orders", "DetailType": "Order Created", "Detail": json.dumps(detail),
            "EventBusName": bus}


def amount_of(i):
    """Every seventh order is a priority order (above 1000)."""
    return round(1000 + 37.5 * (i % 11) + 0.99, 2) if i % 7 == 3 else round(9.99 + (i * 13.37) % 400, 2)


class Progress:
    """A progress bar on a terminal, nothing otherwise."""

    def __init__(self, total, stream=sys.stdout):
        self.total, self.stream, self.done, self.start = total, stream, 0, time.time()
        self.tty = stream.isatty()

    def add(self, n):
        self.done += n
        if self.tty:
            width = 30
            filled = int(width * self.done / max(self.total, 1))
            rate = self.done / max(time.time() - self.start, 1e-9)
            self.stream.write("\r  [%s%s] %d/%d orders  %.0f/s " % ("#" * filled, "." * (width - filled), self.done,
                                                                   self.total, rate))
            self.stream.flush()

    def finish(self):
        if self.tty:
            self.stream.write("\n")


def send_orders(events, bus, count, run_id, progress=None):
    """Sends count orders in PutEvents batches of 10; returns their ids."""
    ids = []
    for start in range(0, count, 10):
        entries = []
        for i in range(start, min(start + 10, count)):
            order_id = "ord-%s-%05d" % (run_id, i + 1)
            ids.append(order_id)
            entries.append(order_entry(bus, order_id, "cust-%d" % (i % 25), amount_of(i)))
        r = events.put_events(Entries=entries)
        if r["FailedEntryCount"]:
            raise RuntimeError("PutEvents failed: %s" % [e for e in r["Entries"] if "ErrorCode" in e])
        if progress:
            progress.add(len(entries))
    return ids


def send_poison(events, bus, run_id):
    order_id = "ord-%s-credit" % run_id
    r = events.put_events(Entries=[order_entry(bus, order_id, "cust-refund", -25.5)])
    if r["FailedEntryCount"]:
        raise RuntimeError("PutEvents failed: %s" % r["Entries"])
    return order_id


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--endpoint-url", default=os.environ.get("AWS_ENDPOINT_URL", DEFAULT_ENDPOINT))
    ap.add_argument("-n", "--count", type=int, default=20, help="orders to send (default 20)")
    ap.add_argument("--poison", action="store_true", help="then send one order the processor refuses")
    ap.add_argument("--bus", default="ecommerce-events")
    ap.add_argument("--run-id", default=uuid.uuid4().hex[:6], help="in the order ids (default: random)")
    a = ap.parse_args()
    events = boto3.client("events", endpoint_url=a.endpoint_url, region_name=os.environ.get("AWS_REGION", "us-east-1"),
                          aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID", "test"),
                          aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY", "test"))
    progress = Progress(a.count)
    started = time.time()
    send_orders(events, a.bus, a.count, a.run_id, progress)
    progress.finish()
    if a.count:
        print("sent %d orders in %.2f s (ord-%s-00001 ...)" % (a.count, time.time() - started, a.run_id))
    if a.poison:
        print("sent poison order %s (amount -25.5)" % send_poison(events, a.bus, a.run_id))
    print("run %s" % a.run_id)


if __name__ == "__main__":
    main()
