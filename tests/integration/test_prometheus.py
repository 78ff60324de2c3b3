# SPDX-License-Identifier: MIT
"""GET /metrics: Runnel's own figures in Prometheus' text format, read back
by the Prometheus project's own parser (Debian's python3-prometheus-client,
run with /usr/bin/python3 whichever python runs this file): the process's
figures, and the AWS/SNS ones for a topic, moving as messages are published."""
import json
import subprocess
import unittest
import urllib.request

import harness

PARSE = """
import json, sys
from prometheus_client.parser import text_string_to_metric_families
out = []
for fam in text_string_to_metric_families(sys.stdin.read()):
    for s in fam.samples:
        out.append([fam.name, fam.type, s.name, s.labels, s.value])
print(json.dumps(out))
"""


def parsed(endpoint):
    """Every sample of the page as [family, type, sample name, labels, value], by Prometheus' parser."""
    with urllib.request.urlopen(endpoint + "/metrics", timeout=10) as r:
        ctype = r.headers["Content-Type"]
        text = r.read().decode()
    try:
        p = subprocess.run(["/usr/bin/python3", "-c", PARSE], input=text, capture_output=True, text=True, timeout=60)
    except FileNotFoundError:
        raise unittest.SkipTest("/usr/bin/python3 is missing, so is Debian's python3-prometheus-client")
    if "No module named 'prometheus_client'" in p.stderr:
        raise unittest.SkipTest("Debian's python3-prometheus-client is not installed (make test installs it)")
    if p.returncode != 0:
        raise AssertionError("Prometheus' parser refused the page: %s\n%s" % (p.stderr[-2000:], text[:3000]))
    return ctype, json.loads(p.stdout)


class TestPrometheus(harness.ServerTest):
    def value(self, samples, name, **labels):
        got = [s[4] for s in samples if s[2] == name and all(s[3].get(k) == v for k, v in labels.items())]
        self.assertEqual(len(got), 1, "%s %s in %s" % (name, labels, [s[2] for s in samples]))
        return got[0]

    def test_page_parses_and_has_the_process_figures(self):
        ctype, samples = parsed(self.server.endpoint)
        self.assertTrue(ctype.startswith("text/plain; version=0.0.4"), ctype)
        self.assertGreater(self.value(samples, "runnel_process_resident_memory_bytes"), 1e6)
        self.assertGreater(self.value(samples, "runnel_http_requests_total"), 0)
        self.assertGreaterEqual(self.value(samples, "runnel_process_open_fds"), 3)

    def test_sns_figures_follow_what_happens(self):
        sns, sqs = self.server.client("sns"), self.server.client("sqs")
        arn = sns.create_topic(Name="prom-topic")["TopicArn"]
        url = sqs.create_queue(QueueName="prom-q")["QueueUrl"]
        qarn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=qarn,
                      Attributes={"FilterPolicy": json.dumps({"keep": ["yes"]})})
        for keep in ("yes", "yes", "no"):
            sns.publish(TopicArn=arn, Message="m-" + keep,
                        MessageAttributes={"keep": {"DataType": "String", "StringValue": keep}})
        _, samples = parsed(self.server.endpoint)
        where = dict(account="000000000000", region="us-east-1", topic_name="prom-topic")
        self.assertEqual(self.value(samples, "runnel_aws_sns_number_of_messages_published_total", **where), 3)
        self.assertEqual(self.value(samples, "runnel_aws_sns_number_of_notifications_delivered_total", **where), 2)
        self.assertEqual(self.value(samples, "runnel_aws_sns_number_of_notifications_filtered_out_total", **where), 1)
        self.assertEqual(self.value(samples, "runnel_aws_sns_publish_size_sum", **where), len("m-yes") * 2 + len("m-no"))
        self.assertEqual(self.value(samples, "runnel_aws_sns_publish_size_count", **where), 3)
        fam = [s[1] for s in samples if s[2] == "runnel_aws_sns_number_of_messages_published_total"]
        self.assertEqual(fam, ["counter"])


if __name__ == "__main__":
    unittest.main()
