// Runnel CloudWatch metrics tests driven by the AWS SDK for JavaScript v3
// (@aws-sdk/client-cloudwatch): AWS JSON 1.0 (its default), and the same
// client switched to smithy-rpc-v2-cbor (the protocol the Java SDK uses),
// putting data, reading statistics and metric math back, an alarm, and
// errors as the SDK parses them. Run through ./run.sh (sets RUNNEL_ENDPOINT).

import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  CloudWatchClient, PutMetricDataCommand, GetMetricStatisticsCommand, GetMetricDataCommand, ListMetricsCommand,
  PutMetricAlarmCommand, DescribeAlarmsCommand, SetAlarmStateCommand,
} from '@aws-sdk/client-cloudwatch';
import { AwsSmithyRpcV2CborProtocol } from '@aws-sdk/core/protocols';

const endpoint = process.env.RUNNEL_ENDPOINT;
if (!endpoint) throw new Error('RUNNEL_ENDPOINT is not set (run the tests through ./run.sh)');
const base = { endpoint, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
const json = new CloudWatchClient(base);
const cbor = new CloudWatchClient({ ...base, protocol: AwsSmithyRpcV2CborProtocol });

for (const [name, cw] of [['json', json], ['cbor', cbor]]) {
  test(`${name}: put, statistics with percentiles, metric math, list`, async () => {
    const ns = `Js/${name}`;
    const now = new Date();
    const dims = [{ Name: 'Svc', Value: 'cart' }];
    await cw.send(new PutMetricDataCommand({
      Namespace: ns,
      MetricData: [
        { MetricName: 'Lat', Dimensions: dims, Values: [1, 2, 3, 4], Counts: [1, 1, 1, 1], Unit: 'Milliseconds', Timestamp: now },
        { MetricName: 'Lat', Dimensions: dims, Value: 10, Unit: 'Milliseconds', Timestamp: now },
      ],
    }));
    const from = new Date(now.getTime() - 600000), to = new Date(now.getTime() + 600000);
    const st = await cw.send(new GetMetricStatisticsCommand({
      Namespace: ns, MetricName: 'Lat', Dimensions: dims, StartTime: from, EndTime: to, Period: 3600,
      Statistics: ['Sum', 'SampleCount', 'Maximum'], ExtendedStatistics: ['p50'],
    }));
    assert.equal(st.Datapoints.length, 1);
    const dp = st.Datapoints[0];
    assert.deepEqual([dp.Sum, dp.SampleCount, dp.Maximum, dp.Unit, dp.ExtendedStatistics.p50], [20, 5, 10, 'Milliseconds', 3]);
    assert.ok(dp.Timestamp instanceof Date);
    const md = await cw.send(new GetMetricDataCommand({
      StartTime: from, EndTime: to,
      MetricDataQueries: [
        { Id: 'm', MetricStat: { Metric: { Namespace: ns, MetricName: 'Lat', Dimensions: dims }, Period: 3600, Stat: 'Sum' }, ReturnData: false },
        { Id: 'twice', Expression: 'm * 2' },
      ],
    }));
    assert.deepEqual(md.MetricDataResults.map((r) => [r.Id, r.Values]), [['twice', [40]]]);
    const listed = await cw.send(new ListMetricsCommand({ Namespace: ns }));
    assert.deepEqual(listed.Metrics, [{ Namespace: ns, MetricName: 'Lat', Dimensions: dims }]);
  });

  test(`${name}: alarms and errors`, async () => {
    await cw.send(new PutMetricAlarmCommand({
      AlarmName: `js-${name}`, Namespace: 'Js', MetricName: 'Lat', Statistic: 'Average', Period: 60,
      EvaluationPeriods: 1, Threshold: 7.5, ComparisonOperator: 'GreaterThanThreshold',
    }));
    await cw.send(new SetAlarmStateCommand({ AlarmName: `js-${name}`, StateValue: 'ALARM', StateReason: 'js' }));
    const got = await cw.send(new DescribeAlarmsCommand({ AlarmNames: [`js-${name}`] }));
    const a = got.MetricAlarms[0];
    assert.deepEqual([a.StateValue, a.StateReason, a.Threshold], ['ALARM', 'js', 7.5]);
    await assert.rejects(cw.send(new PutMetricDataCommand({ Namespace: 'AWS/Js', MetricData: [{ MetricName: 'x', Value: 1 }] })),
      (err) => {
        assert.equal(err.name, 'InvalidParameterValueException');
        assert.equal(err.$metadata.httpStatusCode, 400);
        assert.equal(err.message, 'The value AWS/Js for parameter Namespace is invalid.');
        return true;
      });
    await assert.rejects(cw.send(new SetAlarmStateCommand({ AlarmName: 'none', StateValue: 'OK', StateReason: 'x' })),
      (err) => {
        assert.equal(err.$metadata.httpStatusCode, 404);
        return true;
      });
  });
}
