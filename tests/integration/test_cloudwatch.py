# SPDX-License-Identifier: MIT
"""CloudWatch metrics: PutMetricData (Value, Values/Counts, StatisticValues,
units, high resolution) with AWS's limits and messages (LocalStack's
AWS-validated snapshots for the combination errors and the 1,440-datapoint
limit), GetMetricStatistics with percentiles, GetMetricData with metric
math, ListMetrics filters and pages, alarms (describe filters, state,
actions) evaluated on the movable clock with their state changes on the
default event bus, the seed's EventMetricsCollector, smithy-rpc-v2-cbor and
durability across kill -9. boto3 1.43 speaks AWS JSON 1.0 here, boto3 1.26
the query protocol."""
import datetime
import json
import time
import unittest
import urllib.request

import botocore
import harness

UTC = datetime.timezone.utc


def server_now(server):
    """The server's clock (moved by earlier tests of the class)."""
    with urllib.request.urlopen(server.endpoint + "/_runnel/clock", timeout=5) as r:
        text = json.loads(r.read())["now"]
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


class CwTest(harness.ServerTest):
    def setUp(self):
        super().setUp()
        self.cw = self.server.client("cloudwatch")
        self.now = server_now(self.server)

    def stats(self, name, minutes=10, period=60, **kw):
        kw.setdefault("Statistics", ["SampleCount", "Sum", "Average", "Minimum", "Maximum"])
        if not kw["Statistics"]:
            del kw["Statistics"]
        return self.cw.get_metric_statistics(
            Namespace=kw.pop("Namespace", "App"), MetricName=name, StartTime=self.now - datetime.timedelta(minutes=minutes),
            EndTime=self.now + datetime.timedelta(minutes=minutes), Period=period, **kw)["Datapoints"]


class TestPutAndStatistics(CwTest):
    def test_values_counts_and_statistic_sets_aggregate_into_one_period(self):
        dims = [{"Name": "Svc", "Value": "orders"}]
        self.cw.put_metric_data(Namespace="App", MetricData=[
            {"MetricName": "Latency", "Dimensions": dims, "Value": 10, "Unit": "Milliseconds", "Timestamp": self.now},
            {"MetricName": "Latency", "Dimensions": dims, "Values": [20, 30], "Counts": [2, 1], "Unit": "Milliseconds",
             "Timestamp": self.now},
            {"MetricName": "Latency", "Dimensions": dims, "Unit": "Milliseconds", "Timestamp": self.now,
             "StatisticValues": {"SampleCount": 4, "Sum": 8, "Minimum": 1, "Maximum": 3}},
        ])
        dps = self.stats("Latency", Dimensions=dims)
        self.assertEqual(len(dps), 1, dps)
        dp = dps[0]
        self.assertEqual(dp["SampleCount"], 8)
        self.assertEqual(dp["Sum"], 10 + 40 + 30 + 8)
        self.assertAlmostEqual(dp["Average"], 88 / 8)
        self.assertEqual((dp["Minimum"], dp["Maximum"]), (1, 30))
        self.assertEqual(dp["Unit"], "Milliseconds")
        self.assertEqual(dp["Timestamp"].replace(second=0, microsecond=0), dp["Timestamp"])
        # other dimensions are another metric
        self.assertEqual(self.stats("Latency", Dimensions=[{"Name": "Svc", "Value": "other"}]), [])
        self.assertEqual(self.stats("Latency"), [])

    def test_percentiles_from_values(self):
        self.cw.put_metric_data(Namespace="App", MetricData=[
            {"MetricName": "P", "Values": [float(v) for v in range(1, 101)], "Timestamp": self.now}])
        dp = self.stats("P", Statistics=[], ExtendedStatistics=["p50", "p90", "p99", "p100"])[0]
        self.assertEqual(dp["ExtendedStatistics"], {"p50": 50, "p90": 90, "p99": 99, "p100": 100})
        self.assertNotIn("Sum", dp)

    def test_units_are_separate_datapoints_and_unit_filters(self):
        self.cw.put_metric_data(Namespace="App", MetricData=[
            {"MetricName": "U", "Value": 1, "Unit": "Seconds", "Timestamp": self.now},
            {"MetricName": "U", "Value": 5, "Unit": "Count", "Timestamp": self.now}])
        dps = self.stats("U", Statistics=["Sum"])
        self.assertEqual(sorted((d["Unit"], d["Sum"]) for d in dps), [("Count", 5), ("Seconds", 1)])
        dps = self.stats("U", Statistics=["Sum"], Unit="Count")
        self.assertEqual([(d["Unit"], d["Sum"]) for d in dps], [("Count", 5)])

    def test_periods_split_datapoints(self):
        base = self.now.replace(second=0, microsecond=0) - datetime.timedelta(minutes=5)
        self.cw.put_metric_data(Namespace="App", MetricData=[
            {"MetricName": "S", "Value": i, "Timestamp": base + datetime.timedelta(minutes=i)} for i in range(1, 5)])
        dps = sorted(self.stats("S", Statistics=["Sum"]), key=lambda d: d["Timestamp"])
        self.assertEqual([d["Sum"] for d in dps], [1, 2, 3, 4])
        dps = self.cw.get_metric_statistics(Namespace="App", MetricName="S", StartTime=base, EndTime=base +
                                            datetime.timedelta(minutes=10), Period=300, Statistics=["Sum"])["Datapoints"]
        self.assertEqual([d["Sum"] for d in dps], [10])

    def test_high_resolution_keeps_seconds(self):
        base = self.now.replace(microsecond=0) - datetime.timedelta(seconds=30)
        self.cw.put_metric_data(Namespace="App", MetricData=[
            {"MetricName": "H", "Value": i, "StorageResolution": 1, "Timestamp": base + datetime.timedelta(seconds=i)}
            for i in range(10)])
        dps = self.cw.get_metric_statistics(Namespace="App", MetricName="H", StartTime=base,
                                            EndTime=base + datetime.timedelta(seconds=10), Period=1,
                                            Statistics=["Maximum"])["Datapoints"]
        self.assertEqual(sorted(d["Maximum"] for d in dps), list(range(10)))
        dps = self.cw.get_metric_statistics(Namespace="App", MetricName="H", StartTime=base,
                                            EndTime=base + datetime.timedelta(seconds=10), Period=5,
                                            Statistics=["Sum"])["Datapoints"]
        self.assertEqual(sorted(d["Sum"] for d in dps), [0 + 1 + 2 + 3 + 4, 5 + 6 + 7 + 8 + 9])

    def test_seed_event_metrics_collector_unmodified(self):
        from seed_code import EventMetricsCollector, reaching
        with reaching(self.server):  # the seed's usage, verbatim
            metrics = EventMetricsCollector()
            start = time.time()
            metrics.track_event('ecommerce.orders', 'Order Created', time.time() - start, True)
            metrics.track_event('ecommerce.orders', 'Order Created', 12.5, True)
        dims = [{"Name": "Type", "Value": "Order Created"}, {"Name": "Source", "Value": "ecommerce.orders"}]
        dps = self.stats("ProcessingTime", Namespace="EventDriven", Dimensions=dims)
        self.assertEqual(sum(d["SampleCount"] for d in dps), 2)
        self.assertEqual(max(d["Maximum"] for d in dps), 12.5)
        listed = self.cw.list_metrics(Namespace="EventDriven")["Metrics"]
        self.assertEqual(listed, [{"Namespace": "EventDriven", "MetricName": "ProcessingTime",
                                   "Dimensions": [{"Name": "Source", "Value": "ecommerce.orders"},
                                                  {"Name": "Type", "Value": "Order Created"}]}])


class TestPutErrors(CwTest):
    def put(self, *data, ns="App"):
        return lambda: self.cw.put_metric_data(Namespace=ns, MetricData=list(data))

    def test_combinations_as_aws_words_them(self):
        m = self.assertError("InvalidParameterCombination", self.put({"MetricName": "m", "Value": 1, "Values": [1.0]}))
        self.assertEqual(m, "The parameters MetricData.member.1.Value and MetricData.member.1.Values are mutually "
                            "exclusive and you have specified both.")
        m = self.assertError("InvalidParameterCombination", self.put(
            {"MetricName": "m", "Value": 1},
            {"MetricName": "m", "Value": 1, "StatisticValues": {"SampleCount": 1, "Sum": 1, "Minimum": 1, "Maximum": 1}}))
        self.assertEqual(m, "The parameters MetricData.member.2.Value and MetricData.member.2.StatisticValues are "
                            "mutually exclusive and you have specified both.")
        m = self.assertError("InvalidParameterValue", self.put({"MetricName": "m", "Values": [1.0, 2.0], "Counts": [1.0]}))
        self.assertEqual(m, "The parameters MetricData.member.1.Values and MetricData.member.1.Counts must be of the "
                            "same size.")

    def test_limits(self):
        self.assertError("InvalidParameterValue", self.put({"MetricName": "m", "Value": 1}, ns="AWS/EC2"))
        self.assertError("InvalidParameterValue", self.put(*[{"MetricName": "m", "Value": 1}] * 1001))
        self.assertError("InvalidParameterValue", self.put(
            {"MetricName": "m", "Value": 1, "Dimensions": [{"Name": "d%d" % i, "Value": "v"} for i in range(31)]}))
        self.assertError("InvalidParameterValue", self.put({"MetricName": "m", "Values": [1.0] * 151}))
        self.assertError("InvalidParameterValue", self.put({"MetricName": "m", "Value": 1, "StorageResolution": 5}))
        self.assertError("InvalidParameterValue", self.put(
            {"MetricName": "m", "Value": 1, "Timestamp": self.now - datetime.timedelta(days=15)}))
        # nothing of a refused request was kept
        self.assertEqual(self.cw.list_metrics()["Metrics"], [])
        self.cw.put_metric_data(Namespace="App", MetricData=[{"MetricName": "m", "Value": 1}] * 1000)
        self.assertEqual(self.stats("m", Statistics=["SampleCount"])[0]["SampleCount"], 1000)

    def test_statistics_errors(self):
        kw = dict(Namespace="App", MetricName="m", Statistics=["Sum"])
        m = self.assertError("InvalidParameterValue", self.cw.get_metric_statistics, StartTime=self.now,
                             EndTime=self.now - datetime.timedelta(hours=1), Period=60, **kw)
        self.assertEqual(m, "The parameter StartTime must be less than the parameter EndTime.")
        m = self.assertError("InvalidParameterCombination", self.cw.get_metric_statistics,
                             StartTime=self.now - datetime.timedelta(days=1), EndTime=self.now, Period=1, **kw)
        self.assertEqual(m, "You have requested up to 86400 datapoints, which exceeds the limit of 1440. You may "
                            "reduce the datapoints requested by increasing Period, or decreasing the time range.")
        self.assertError("InvalidParameterValue", self.cw.get_metric_statistics,
                         StartTime=self.now - datetime.timedelta(hours=1), EndTime=self.now, Period=7, **kw)


class TestMetricData(CwTest):
    def put_series(self):
        base = self.now.replace(second=0, microsecond=0) - datetime.timedelta(minutes=5)
        data = []
        for i in range(4):
            t = base + datetime.timedelta(minutes=i)
            data.append({"MetricName": "A", "Value": 10 * (i + 1), "Timestamp": t})
            data.append({"MetricName": "B", "Value": i + 1, "Timestamp": t})
        self.cw.put_metric_data(Namespace="App", MetricData=data)
        return base

    def query(self, base, *exprs, **kw):
        qs = [{"Id": "a", "MetricStat": {"Metric": {"Namespace": "App", "MetricName": "A"}, "Period": 60, "Stat": "Sum"},
               "ReturnData": False},
              {"Id": "b", "MetricStat": {"Metric": {"Namespace": "App", "MetricName": "B"}, "Period": 60, "Stat": "Sum"},
               "ReturnData": False}]
        qs += [{"Id": "e%d" % i, "Expression": e} for i, e in enumerate(exprs)]
        r = self.cw.get_metric_data(MetricDataQueries=qs, StartTime=base, EndTime=base + datetime.timedelta(minutes=10),
                                    **kw)
        return {x["Id"]: x for x in r["MetricDataResults"]}, r

    def test_metric_stat_and_arithmetic(self):
        base = self.put_series()
        res, _ = self.query(base, "a+b", "a/b", "a*2-1", "b-a")
        self.assertEqual(set(res), {"e0", "e1", "e2", "e3"})  # ReturnData false hides a and b
        self.assertEqual(res["e0"]["Values"], [44, 33, 22, 11])  # newest first
        self.assertEqual(res["e1"]["Values"], [10, 10, 10, 10])
        self.assertEqual(res["e2"]["Values"], [79, 59, 39, 19])
        self.assertEqual(res["e3"]["Values"], [-36, -27, -18, -9])
        self.assertEqual(res["e0"]["Timestamps"][0] - res["e0"]["Timestamps"][1], datetime.timedelta(minutes=1))
        self.assertEqual(res["e0"]["Label"], "e0")
        self.assertEqual(res["e0"]["StatusCode"], "Complete")

    def test_functions(self):
        base = self.put_series()
        res, _ = self.query(base, "SUM([a, b])", "MAX(a)", "RATE(a)", "AVG([a,b])", "MIN(b) + 1",
                            ScanBy="TimestampAscending")
        self.assertEqual(res["e0"]["Values"], [11, 22, 33, 44])
        self.assertTrue(res["e1"]["Values"] and set(res["e1"]["Values"]) == {40})  # a scalar at every period
        self.assertEqual(res["e2"]["Values"], [10 / 60] * 3)
        self.assertEqual(res["e3"]["Values"], [5.5, 11, 16.5, 22])
        self.assertEqual(set(res["e4"]["Values"]), {2})

    def test_labels_paging_and_bad_expressions(self):
        base = self.put_series()
        q = [{"Id": "a", "Label": "the A", "MetricStat": {"Metric": {"Namespace": "App", "MetricName": "A"},
                                                          "Period": 60, "Stat": "Average"}}]
        r = self.cw.get_metric_data(MetricDataQueries=q, StartTime=base, EndTime=base + datetime.timedelta(minutes=10),
                                    MaxDatapoints=3)
        first = r["MetricDataResults"][0]
        self.assertEqual((first["Label"], first["Values"], first["StatusCode"]), ("the A", [40, 30, 20], "PartialData"))
        r = self.cw.get_metric_data(MetricDataQueries=q, StartTime=base, EndTime=base + datetime.timedelta(minutes=10),
                                    MaxDatapoints=3, NextToken=r["NextToken"])
        self.assertEqual(r["MetricDataResults"][0]["Values"], [10])
        self.assertNotIn("NextToken", r)
        self.assertError("ValidationError", self.query, base, "a + nope")
        self.assertError("ValidationError", self.query, base, "a +")


class TestListMetrics(CwTest):
    def test_filters_and_pages(self):
        self.cw.put_metric_data(Namespace="App", MetricData=[
            {"MetricName": "Hits", "Value": 1, "Dimensions": [{"Name": "Host", "Value": "h1"}]},
            {"MetricName": "Hits", "Value": 1, "Dimensions": [{"Name": "Host", "Value": "h2"},
                                                                {"Name": "Zone", "Value": "z"}]},
            {"MetricName": "Misses", "Value": 1}])
        self.cw.put_metric_data(Namespace="Other", MetricData=[{"MetricName": "Hits", "Value": 1}])
        self.assertEqual(len(self.cw.list_metrics()["Metrics"]), 4)
        self.assertEqual(len(self.cw.list_metrics(Namespace="App")["Metrics"]), 3)
        self.assertEqual(len(self.cw.list_metrics(MetricName="Hits")["Metrics"]), 3)
        got = self.cw.list_metrics(Dimensions=[{"Name": "Host"}])["Metrics"]
        self.assertEqual(len(got), 2)
        got = self.cw.list_metrics(Dimensions=[{"Name": "Host", "Value": "h2"}])["Metrics"]
        self.assertEqual(got[0]["Dimensions"], [{"Name": "Host", "Value": "h2"}, {"Name": "Zone", "Value": "z"}])
        self.assertEqual(len(self.cw.list_metrics(RecentlyActive="PT3H")["Metrics"]), 4)
        self.advance(4 * 3600)
        self.assertEqual(self.cw.list_metrics(RecentlyActive="PT3H")["Metrics"], [])
        self.assertEqual(len(self.cw.list_metrics()["Metrics"]), 4)

    def test_pages_of_500(self):
        self.cw.put_metric_data(Namespace="Many", MetricData=[{"MetricName": "m%04d" % i, "Value": 1} for i in range(620)])
        r = self.cw.list_metrics(Namespace="Many")
        self.assertEqual(len(r["Metrics"]), 500)
        r2 = self.cw.list_metrics(Namespace="Many", NextToken=r["NextToken"])
        self.assertEqual(len(r2["Metrics"]), 120)
        self.assertNotIn("NextToken", r2)
        names = [m["MetricName"] for m in r["Metrics"] + r2["Metrics"]]
        self.assertEqual(sorted(names), ["m%04d" % i for i in range(620)])


def alarm_kw(name, **kw):
    base = dict(AlarmName=name, MetricName="Errors", Namespace="App", Statistic="Sum", Period=60,
                EvaluationPeriods=1, Threshold=5, ComparisonOperator="GreaterThanThreshold")
    base.update(kw)
    return base


class TestAlarms(CwTest):
    def test_describe_filters_and_pages(self):
        for n in ("web-1", "web-2", "db-1"):
            self.cw.put_metric_alarm(**alarm_kw(n, AlarmDescription="d " + n, TreatMissingData="ignore"))
        r = self.cw.describe_alarms()
        self.assertEqual([a["AlarmName"] for a in r["MetricAlarms"]], ["db-1", "web-1", "web-2"])
        self.assertEqual(r["CompositeAlarms"], [])
        a = r["MetricAlarms"][0]
        self.assertEqual((a["StateValue"], a["StateReason"]), ("INSUFFICIENT_DATA", "Unchecked: Initial alarm creation"))
        self.assertEqual(a["AlarmArn"], "arn:aws:cloudwatch:us-east-1:000000000000:alarm:db-1")
        self.assertEqual((a["Threshold"], a["TreatMissingData"], a["ActionsEnabled"]), (5.0, "ignore", True))
        self.assertEqual([x["AlarmName"] for x in self.cw.describe_alarms(AlarmNamePrefix="web")["MetricAlarms"]],
                         ["web-1", "web-2"])
        self.assertEqual([x["AlarmName"] for x in self.cw.describe_alarms(AlarmNames=["db-1", "zz"])["MetricAlarms"]],
                         ["db-1"])
        p1 = self.cw.describe_alarms(MaxRecords=2)
        self.assertEqual(len(p1["MetricAlarms"]), 2)
        p2 = self.cw.describe_alarms(MaxRecords=2, NextToken=p1["NextToken"])
        self.assertEqual([x["AlarmName"] for x in p2["MetricAlarms"]], ["web-2"])
        self.cw.set_alarm_state(AlarmName="web-2", StateValue="ALARM", StateReason="testing")
        got = self.cw.describe_alarms(StateValue="ALARM")["MetricAlarms"]
        self.assertEqual([(x["AlarmName"], x["StateReason"]) for x in got], [("web-2", "testing")])
        for_metric = self.cw.describe_alarms_for_metric(MetricName="Errors", Namespace="App")["MetricAlarms"]
        self.assertEqual(len(for_metric), 3)
        self.cw.disable_alarm_actions(AlarmNames=["web-1"])
        self.assertFalse(self.cw.describe_alarms(AlarmNames=["web-1"])["MetricAlarms"][0]["ActionsEnabled"])
        self.cw.delete_alarms(AlarmNames=["web-1", "db-1"])
        self.assertEqual([x["AlarmName"] for x in self.cw.describe_alarms()["MetricAlarms"]], ["web-2"])

    def test_set_alarm_state_errors_as_aws_words_them(self):
        self.cw.put_metric_alarm(**alarm_kw("s"))
        cw = self.server.client("cloudwatch", validate=False)
        m = self.assertError("ValidationError", cw.set_alarm_state, AlarmName="s", StateValue="INVALID",
                             StateReason="r")
        self.assertEqual(m, "1 validation error detected: Value 'INVALID' at 'stateValue' failed to satisfy constraint: "
                            "Member must satisfy enum value set: [INSUFFICIENT_DATA, ALARM, OK]")
        self.assertError("ResourceNotFound", cw.set_alarm_state, AlarmName="none", StateValue="OK", StateReason="r")
        self.assertError("MissingParameter", cw.put_metric_alarm, AlarmName="x", EvaluationPeriods=1, Threshold=1,
                         ComparisonOperator="GreaterThanThreshold", Namespace="App", Statistic="Sum", Period=60)


class TestAlarmEvaluation(CwTest):
    def setUp(self):
        super().setUp()
        sqs = self.server.client("sqs")
        ev = self.server.client("events")
        self.sqs = sqs
        self.url = sqs.create_queue(QueueName="alarms")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=self.url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        ev.put_rule(Name="cw", EventPattern=json.dumps({"source": ["aws.cloudwatch"],
                                                          "detail-type": ["CloudWatch Alarm State Change"]}))
        ev.put_targets(Rule="cw", Targets=[{"Id": "q", "Arn": arn}])

    def events(self):
        out = []
        while True:
            r = self.sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
            if not r.get("Messages"):
                return out
            for m in r["Messages"]:
                out.append(json.loads(m["Body"]))
                self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=m["ReceiptHandle"])

    def test_threshold_alarm_goes_to_alarm_then_insufficient_data(self):
        dims = [{"Name": "Svc", "Value": "pay"}]
        self.cw.put_metric_alarm(**alarm_kw("errs", Dimensions=dims, AlarmDescription="too many errors",
                                            AlarmActions=["arn:aws:sns:us-east-1:000000000000:ops"]))
        self.cw.put_metric_data(Namespace="App", MetricData=[{"MetricName": "Errors", "Value": 4, "Dimensions": dims},
                                                             {"MetricName": "Errors", "Value": 3, "Dimensions": dims}])
        self.advance(61)
        a = self.cw.describe_alarms(AlarmNames=["errs"])["MetricAlarms"][0]
        self.assertEqual(a["StateValue"], "ALARM", a)
        self.assertTrue(a["StateReason"].startswith("Threshold Crossed: 1 datapoint [7.0 ("), a["StateReason"])
        self.assertTrue(a["StateReason"].endswith(")] was greater than the threshold (5.0)."), a["StateReason"])
        data = json.loads(a["StateReasonData"])
        self.assertEqual((data["statistic"], data["period"], data["recentDatapoints"]), ("Sum", 60, [7.0]))
        evs = self.events()
        self.assertEqual(len(evs), 1, evs)
        e = evs[0]
        self.assertEqual((e["source"], e["detail-type"], e["resources"]),
                         ("aws.cloudwatch", "CloudWatch Alarm State Change", [a["AlarmArn"]]))
        d = e["detail"]
        self.assertEqual((d["alarmName"], d["state"]["value"], d["previousState"]["value"]),
                         ("errs", "ALARM", "INSUFFICIENT_DATA"))
        self.assertEqual(d["configuration"]["description"], "too many errors")
        ms = d["configuration"]["metrics"][0]["metricStat"]
        self.assertEqual(ms, {"metric": {"namespace": "App", "name": "Errors", "dimensions": {"Svc": "pay"}},
                              "period": 60, "stat": "Sum"})
        # no data in the next period: missing data makes it INSUFFICIENT_DATA
        self.advance(60)
        a = self.cw.describe_alarms(AlarmNames=["errs"])["MetricAlarms"][0]
        self.assertEqual(a["StateValue"], "INSUFFICIENT_DATA")
        self.assertEqual([e["detail"]["state"]["value"] for e in self.events()], ["INSUFFICIENT_DATA"])

    def test_datapoints_to_alarm_and_treat_missing_as_breaching(self):
        self.cw.put_metric_alarm(**alarm_kw("m-of-n", EvaluationPeriods=3, DatapointsToAlarm=2,
                                            TreatMissingData="breaching"))
        self.cw.put_metric_data(Namespace="App", MetricData=[{"MetricName": "Errors", "Value": 1}])
        self.advance(61)  # 1 good datapoint and 2 missing (breaching) of 3
        a = self.cw.describe_alarms(AlarmNames=["m-of-n"])["MetricAlarms"][0]
        self.assertEqual(a["StateValue"], "ALARM")
        self.cw.set_alarm_state(AlarmName="m-of-n", StateValue="OK", StateReason="by hand")
        self.assertEqual([e["detail"]["state"]["value"] for e in self.events()], ["ALARM", "OK"])

    def test_not_breaching_and_ok(self):
        self.cw.put_metric_alarm(**alarm_kw("quiet", TreatMissingData="notBreaching", ComparisonOperator="LessThanThreshold"))
        self.advance(61)
        a = self.cw.describe_alarms(AlarmNames=["quiet"])["MetricAlarms"][0]
        self.assertEqual(a["StateValue"], "OK")
        self.assertTrue(a["StateReason"].startswith("Threshold Crossed: no datapoints were received"), a["StateReason"])


@unittest.skipIf(not hasattr(botocore.serialize, "RpcV2CBORSerializer"),
                 "this botocore (%s) has no smithy-rpc-v2-cbor serializer to build the request with"
                 % botocore.__version__)
class TestCbor(CwTest):
    """smithy-rpc-v2-cbor as the Java SDK speaks it; the request is built and
    the answer read by botocore's own rpc-v2-cbor serializer and parser."""

    def call(self, op, params):
        import http.client
        from botocore import parsers, serialize
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials
        model = self.cw.meta.service_model.operation_model(op)
        req = serialize.RpcV2CBORSerializer().serialize_to_request(params, model)
        path = req["url_path"]
        self.assertEqual(path, "/service/GraniteServiceVersion20100801/operation/" + op)
        aws = AWSRequest(method="POST", url=self.server.endpoint + path, data=req["body"], headers=req["headers"])
        SigV4Auth(Credentials("test", "test"), "monitoring", "us-east-1").add_auth(aws)
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=10)
        conn.request("POST", path, body=req["body"], headers=dict(aws.headers.items()))
        r = conn.getresponse()
        body = r.read()
        headers = {k.lower(): v for k, v in r.getheaders()}
        conn.close()
        out = parsers.RpcV2CBORParser().parse({"status_code": r.status, "headers": headers, "body": body},
                                              model.output_shape)
        return r.status, headers, out

    def test_put_and_read_over_cbor(self):
        st, h, _ = self.call("PutMetricData", {"Namespace": "Cbor", "MetricData": [
            {"MetricName": "c", "Value": 2.5, "Timestamp": self.now, "Unit": "Count"},
            {"MetricName": "c", "Values": [1.0, 3.0], "Timestamp": self.now, "Unit": "Count"}]})
        self.assertEqual(st, 200)
        self.assertEqual(h.get("smithy-protocol"), "rpc-v2-cbor")
        st, _, out = self.call("GetMetricStatistics", {
            "Namespace": "Cbor", "MetricName": "c", "StartTime": self.now - datetime.timedelta(minutes=5),
            "EndTime": self.now + datetime.timedelta(minutes=5), "Period": 60, "Statistics": ["Sum", "SampleCount"]})
        self.assertEqual(st, 200)
        dp = out["Datapoints"][0]
        self.assertEqual((dp["Sum"], dp["SampleCount"], dp["Unit"]), (6.5, 3, "Count"))
        self.assertIsInstance(dp["Timestamp"], datetime.datetime)
        # and what boto3 reads over its own protocol agrees
        self.assertEqual(self.stats("c", Namespace="Cbor", Statistics=["Sum"])[0]["Sum"], 6.5)

    def test_errors_over_cbor(self):
        st, h, out = self.call("PutMetricData", {"Namespace": "AWS/X", "MetricData": [{"MetricName": "c", "Value": 1}]})
        self.assertEqual(st, 400)
        self.assertEqual(h.get("x-amzn-query-error"), "InvalidParameterValue;Sender")
        self.assertEqual(out["Error"]["Code"], "InvalidParameterValue")


class TestDurability(unittest.TestCase):
    def test_datapoints_and_alarms_survive_kill_9(self):
        with harness.DataDir("runnel-cw-") as d:
            server = d.start()
            cw = server.client("cloudwatch")
            now = server_now(server)
            cw.put_metric_data(Namespace="D", MetricData=[
                {"MetricName": "x", "Values": [float(i) for i in range(1, 11)], "Timestamp": now},
                {"MetricName": "hr", "Value": 7, "StorageResolution": 1, "Timestamp": now}])
            cw.put_metric_alarm(**alarm_kw("keep", Namespace="D", MetricName="x"))
            cw.set_alarm_state(AlarmName="keep", StateValue="ALARM", StateReason="kept")
            server.kill()
            server = d.start()
            cw = server.client("cloudwatch")
            q = dict(Namespace="D", StartTime=now - datetime.timedelta(minutes=5),
                     EndTime=now + datetime.timedelta(minutes=5))
            dp = cw.get_metric_statistics(MetricName="x", Period=60, Statistics=["Sum", "SampleCount"],
                                          ExtendedStatistics=["p50"], **q)["Datapoints"][0]
            self.assertEqual((dp["Sum"], dp["SampleCount"], dp["ExtendedStatistics"]["p50"]), (55, 10, 5))
            dps = cw.get_metric_statistics(MetricName="hr", Period=1, Statistics=["Maximum"], **q)["Datapoints"]
            self.assertEqual([x["Maximum"] for x in dps], [7])
            a = cw.describe_alarms()["MetricAlarms"]
            self.assertEqual([(x["AlarmName"], x["StateValue"], x["StateReason"]) for x in a],
                             [("keep", "ALARM", "kept")])
            self.assertEqual(len(cw.list_metrics(Namespace="D")["Metrics"]), 2)


if __name__ == "__main__":
    unittest.main()
