# SPDX-License-Identifier: MIT
"""EventBridge connections, API destinations and HTTP delivery against the
real server: a small HTTP endpoint on loopback (started by the test, stopped
by it) records what Runnel sends: auth headers, parameters and body; failures
are retried or sent to the dead-letter queue as AWS does."""
import base64
import http.server
import json
import threading
import time

from harness import ServerTest


class Endpoint:
    """Records requests; answers with the statuses queued in `plan` (then 200)."""

    def __init__(self):
        self.requests = []
        self.plan = []
        self.lock = threading.Lock()
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_any(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n).decode() if n else ""
                with owner.lock:
                    owner.requests.append({"method": self.command, "path": self.path,
                                           "headers": dict(self.headers), "body": body})
                    status = owner.plan.pop(0) if owner.plan else 200
                if self.path.startswith("/oauth"):
                    out = json.dumps({"access_token": "tok-123", "expires_in": 3600}).encode()
                else:
                    out = b"{}"
                self.send_response(status)
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            do_POST = do_GET = do_PUT = do_any

            def log_message(self, *a):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def wait(self, n, timeout=30.0):
        deadline = time.time() + timeout
        while time.time() < deadline:
            with self.lock:
                if len(self.requests) >= n:
                    return list(self.requests)
            time.sleep(0.02)
        with self.lock:
            return list(self.requests)

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class HttpTest(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ev = cls.server.client("events")

    def setUp(self):
        super().setUp()
        self.ep = Endpoint()

    def tearDown(self):
        self.ep.stop()

    def destination(self, auth_type, auth, path="/hook/*", name="dest", rate=None, method="POST"):
        conn = self.ev.create_connection(Name="conn-" + name, AuthorizationType=auth_type, AuthParameters=auth)
        kw = {"InvocationRateLimitPerSecond": rate} if rate else {}
        return self.ev.create_api_destination(Name=name, ConnectionArn=conn["ConnectionArn"],
                                              InvocationEndpoint=self.ep.url(path), HttpMethod=method,
                                              **kw)["ApiDestinationArn"]

    def rule_to(self, arn, **target):
        self.ev.put_rule(Name="to-http", EventPattern='{"source": ["shop"]}')
        self.ev.put_targets(Rule="to-http", Targets=[dict({"Id": "http", "Arn": arn}, **target)])

    def put(self, detail='{"orderId": "o-1"}'):
        return self.ev.put_events(Entries=[{"Source": "shop", "DetailType": "t", "Detail": detail}])["Entries"][0]


class TestConnectionsApi(HttpTest):
    def test_create_describe_list_update_delete_connection(self):
        r = self.ev.create_connection(Name="c1", AuthorizationType="API_KEY",
                                      AuthParameters={"ApiKeyAuthParameters": {"ApiKeyName": "x-api-key",
                                                                               "ApiKeyValue": "secret"}})
        self.assertRegex(r["ConnectionArn"], r"^arn:aws:events:us-east-1:000000000000:connection/c1/[-0-9a-f]{36}$")
        self.assertEqual(r["ConnectionState"], "AUTHORIZED")
        d = self.ev.describe_connection(Name="c1")
        self.assertEqual(d["AuthParameters"], {"ApiKeyAuthParameters": {"ApiKeyName": "x-api-key"}})
        conn_id = r["ConnectionArn"].rsplit("/", 1)[1]
        self.assertEqual(d["SecretArn"], "arn:aws:secretsmanager:us-east-1:000000000000:secret:events!connection/c1/"
                         "%s-%s" % (conn_id, conn_id[:6]))
        self.assertEqual([c["Name"] for c in self.ev.list_connections()["Connections"]], ["c1"])
        self.ev.update_connection(Name="c1", Description="new")
        self.assertEqual(self.ev.describe_connection(Name="c1")["Description"], "new")
        self.assertEqual(self.ev.delete_connection(Name="c1")["ConnectionState"], "DELETING")
        msg = self.assertError("ResourceNotFoundException", self.ev.describe_connection, Name="c1")
        self.assertEqual(msg, "Failed to describe the connection(s). Connection 'c1' does not exist.")

    def test_validation_lists_every_violation(self):
        msg = self.assertError("ValidationException", self.ev.create_connection, Name="bad name",
                               AuthorizationType="INVALID",
                               AuthParameters={"BasicAuthParameters": {"Username": "u", "Password": "p"}})
        self.assertEqual(msg, "2 validation errors detected: Value 'bad name' at 'name' failed to satisfy "
                              "constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+; "
                              "Value 'INVALID' at 'authorizationType' failed to satisfy constraint: Member must "
                              "satisfy enum value set: [BASIC, OAUTH_CLIENT_CREDENTIALS, API_KEY]")

    def test_api_destination_crud(self):
        arn = self.destination("BASIC", {"BasicAuthParameters": {"Username": "u", "Password": "p"}}, rate=5)
        d = self.ev.describe_api_destination(Name="dest")
        self.assertEqual((d["ApiDestinationArn"], d["HttpMethod"], d["InvocationRateLimitPerSecond"],
                          d["ApiDestinationState"]), (arn, "POST", 5, "ACTIVE"))
        self.ev.update_api_destination(Name="dest", HttpMethod="PUT")
        self.assertEqual(self.ev.describe_api_destination(Name="dest")["HttpMethod"], "PUT")
        self.assertEqual(len(self.ev.list_api_destinations()["ApiDestinations"]), 1)
        self.ev.delete_api_destination(Name="dest")
        msg = self.assertError("ResourceNotFoundException", self.ev.describe_api_destination, Name="dest")
        self.assertEqual(msg, "Failed to describe the api-destination(s). An api-destination 'dest' does not exist.")


class TestHttpDelivery(HttpTest):
    def test_basic_auth_path_query_and_headers(self):
        arn = self.destination("BASIC", {"BasicAuthParameters": {"Username": "user", "Password": "pw"},
                                         "InvocationHttpParameters": {
                                             "HeaderParameters": [{"Key": "x-conn", "Value": "c"}],
                                             "QueryStringParameters": [{"Key": "q", "Value": "a b"}]}})
        self.rule_to(arn, HttpParameters={"PathParameterValues": ["orders"],
                                          "HeaderParameters": {"x-target": "t"},
                                          "QueryStringParameters": {"src": "eb"}})
        eid = self.put()["EventId"]
        req = self.ep.wait(1)[0]
        self.assertEqual(req["method"], "POST")
        self.assertEqual(req["path"], "/hook/orders?q=a%20b&src=eb")
        self.assertEqual(req["headers"]["Authorization"], "Basic " + base64.b64encode(b"user:pw").decode())
        self.assertEqual(req["headers"]["x-conn"], "c")
        self.assertEqual(req["headers"]["x-target"], "t")
        self.assertEqual(json.loads(req["body"])["id"], eid)

    def test_api_key_and_input_path(self):
        arn = self.destination("API_KEY", {"ApiKeyAuthParameters": {"ApiKeyName": "x-api-key",
                                                                     "ApiKeyValue": "k-1"}}, path="/hook")
        self.rule_to(arn, InputPath="$.detail")
        self.put()
        req = self.ep.wait(1)[0]
        self.assertEqual(req["headers"]["x-api-key"], "k-1")
        self.assertEqual(req["body"], '{"orderId":"o-1"}')

    def test_oauth_client_credentials_token_is_fetched_and_cached(self):
        arn = self.destination("OAUTH_CLIENT_CREDENTIALS", {"OAuthParameters": {
            "ClientParameters": {"ClientID": "id", "ClientSecret": "sec"},
            "AuthorizationEndpoint": self.ep.url("/oauth/token"), "HttpMethod": "POST"}}, path="/hook")
        self.rule_to(arn)
        self.put()
        self.put()
        reqs = self.ep.wait(3)
        paths = [r["path"] for r in reqs]
        self.assertEqual(paths.count("/oauth/token"), 1, paths)
        self.assertEqual(paths.count("/hook"), 2, paths)
        tok = [r for r in reqs if r["path"] == "/oauth/token"][0]
        self.assertEqual(tok["body"], "grant_type=client_credentials")
        self.assertEqual(tok["headers"]["Authorization"], "Basic " + base64.b64encode(b"id:sec").decode())
        for r in reqs:
            if r["path"] == "/hook":
                self.assertEqual(r["headers"]["Authorization"], "Bearer tok-123")

    def test_5xx_is_retried_until_success(self):
        arn = self.destination("API_KEY", {"ApiKeyAuthParameters": {"ApiKeyName": "k", "ApiKeyValue": "v"}},
                               path="/hook")
        self.rule_to(arn)
        self.ep.plan = [503, 500]
        self.put()
        reqs = self.ep.wait(3)
        self.assertEqual(len(reqs), 3)
        self.assertEqual(len({r["body"] for r in reqs}), 1)

    def test_4xx_goes_to_dlq_without_retry(self):
        dlq = self.sqs.create_queue(QueueName="http-dlq")["QueueUrl"]
        dlq_arn = self.sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        arn = self.destination("API_KEY", {"ApiKeyAuthParameters": {"ApiKeyName": "k", "ApiKeyValue": "v"}},
                               path="/hook")
        self.rule_to(arn, DeadLetterConfig={"Arn": dlq_arn})
        self.ep.plan = [400]
        self.put()
        r = self.sqs.receive_message(QueueUrl=dlq, WaitTimeSeconds=20, MessageAttributeNames=["All"])
        attrs = {k: v["StringValue"] for k, v in r["Messages"][0]["MessageAttributes"].items()}
        self.assertEqual(attrs["ERROR_CODE"], "ERROR_FROM_TARGET")
        self.assertEqual(attrs["TARGET_ARN"], arn)
        self.assertEqual(attrs["ERROR_MESSAGE"], "Target %s responded with HTTP 400" % self.ep.url("/hook"))
        time.sleep(0.5)
        self.assertEqual(len(self.ep.requests), 1)

    def test_rate_limit_spaces_deliveries(self):
        arn = self.destination("API_KEY", {"ApiKeyAuthParameters": {"ApiKeyName": "k", "ApiKeyValue": "v"}},
                               path="/hook", rate=2)
        self.rule_to(arn)
        t0 = time.time()
        for i in range(4):
            self.put('{"n": %d}' % i)
        reqs = self.ep.wait(4)
        self.assertEqual(len(reqs), 4)
        # a bucket of 2 per second: the 4th request can't go before ~1 s
        self.assertGreaterEqual(time.time() - t0, 0.9)
