# SPDX-License-Identifier: MIT
"""HTTP limits on the real server: headers over max_header_bytes get 431
and the connection closes; past --max-connections a new connection is closed
at once while the open ones keep working; a connection with many pipelined
requests queued behind a parked long poll is paused, not dropped, and every
request is answered in order."""
import json
import socket
import time
import unittest

import harness


def http_get(path="/_runnel/health", extra=b""):
    return b"GET " + path.encode() + b" HTTP/1.1\r\nHost: x\r\n" + extra + b"\r\n"


def read_all(s, timeout=5):
    s.settimeout(timeout)
    data = b""
    while True:
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            break
        except ConnectionResetError:  # closed with our request unread
            break
        if not chunk:
            break
        data += chunk
    return data


class TestHeaderLimit(harness.ServerTest):
    def test_headers_over_64k_get_431_and_close(self):
        s = socket.create_connection(("127.0.0.1", self.server.port))
        s.sendall(http_get(extra=b"X-Big: " + b"a" * 70000 + b"\r\n"))
        data = read_all(s)
        s.close()
        self.assertTrue(data.startswith(b"HTTP/1.1 431 Request Header Fields Too Large\r\n"), data[:80])
        self.assertIn(b"Connection: close\r\n", data)
        self.assertTrue(data.endswith(b'{"message":"Request header fields too large"}'))

    def test_body_over_8mib_gets_413_from_the_headers(self):
        # Content-Length alone decides: the body is never sent, so an answer proves it.
        s = socket.create_connection(("127.0.0.1", self.server.port), timeout=10)
        s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.0\r\n"
                  b"X-Amz-Target: AmazonSQS.CreateQueue\r\nContent-Length: 8388609\r\n\r\n")
        data = read_all(s)
        s.close()
        self.assertTrue(data.startswith(b"HTTP/1.1 413 Payload Too Large\r\n"), data[:80])
        self.assertTrue(data.endswith(b'{"message":"Request entity too large"}'), data)
        self.assertEqual(self.sqs.list_queues().get("QueueUrls", []), [])

    def test_headers_under_the_limit_are_served(self):
        s = socket.create_connection(("127.0.0.1", self.server.port))
        s.sendall(http_get(extra=b"X-Big: " + b"a" * 60000 + b"\r\nConnection: close\r\n"))
        self.assertTrue(read_all(s).startswith(b"HTTP/1.1 200 OK\r\n"))
        s.close()


class TestMaxConnections(harness.ServerTest):
    extra = ("--max-connections", "3")

    def test_connection_over_the_limit_is_closed_and_open_ones_keep_working(self):
        time.sleep(0.2)  # let the harness's readiness connection close
        held = [socket.create_connection(("127.0.0.1", self.server.port)) for _ in range(3)]
        try:
            for s in held:  # each is served
                s.sendall(http_get())
                self.assertTrue(s.recv(65536).startswith(b"HTTP/1.1 200 OK"))
            extra = socket.create_connection(("127.0.0.1", self.server.port))
            extra.sendall(http_get())
            self.assertEqual(read_all(extra, 3), b"")  # closed without an answer
            extra.close()
            held[0].sendall(http_get())
            self.assertTrue(held[0].recv(65536).startswith(b"HTTP/1.1 200 OK"))
        finally:
            for s in held:
                s.close()
        deadline = time.time() + 5
        while time.time() < deadline:  # room again once they are gone
            s = socket.create_connection(("127.0.0.1", self.server.port))
            s.sendall(http_get(extra=b"Connection: close\r\n"))
            if read_all(s, 2).startswith(b"HTTP/1.1 200 OK"):
                s.close()
                return
            s.close()
            time.sleep(0.1)
        self.fail("no connection accepted after the held ones closed")


class TestPipelinedBehindLongPoll(harness.ServerTest):
    def test_many_pipelined_requests_wait_and_are_answered_in_order(self):
        sqs = self.sqs
        url = sqs.create_queue(QueueName="slow")["QueueUrl"]
        body = json.dumps({"QueueUrl": url, "WaitTimeSeconds": 1}).encode()
        poll = (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.0\r\n"
                b"X-Amz-Target: AmazonSQS.ReceiveMessage\r\nContent-Length: %d\r\n\r\n" % len(body)) + body
        big = http_get(extra=b"X-Pad: " + b"p" * 60000 + b"\r\n")  # ~60 KB each, 40 of them > 1 MiB
        s = socket.create_connection(("127.0.0.1", self.server.port))
        s.sendall(poll + big * 40 + http_get(extra=b"Connection: close\r\n"))
        data = read_all(s, 15)
        s.close()
        self.assertEqual(data.count(b"HTTP/1.1 200 OK"), 42)
        self.assertTrue(data.startswith(b"HTTP/1.1 200 OK"))


if __name__ == "__main__":
    unittest.main()
