// Runnel CloudWatch Logs compatibility tests driven by the AWS SDK for
// JavaScript v3 (@aws-sdk/client-cloudwatch-logs, AWS JSON 1.1): a group and
// stream, events written and read back, a filter pattern, and an error as
// the SDK parses it. Run through ./run.sh (sets RUNNEL_ENDPOINT).

import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand, GetLogEventsCommand,
  FilterLogEventsCommand, DescribeLogGroupsCommand,
} from '@aws-sdk/client-cloudwatch-logs';

const endpoint = process.env.RUNNEL_ENDPOINT;
if (!endpoint) throw new Error('RUNNEL_ENDPOINT is not set (run the tests through ./run.sh)');
const logs = new CloudWatchLogsClient({
  endpoint, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
});

test('write, read back and filter log events', async () => {
  await logs.send(new CreateLogGroupCommand({ logGroupName: '/js/app' }));
  await logs.send(new CreateLogStreamCommand({ logGroupName: '/js/app', logStreamName: 'web' }));
  const t = Date.now();
  await logs.send(new PutLogEventsCommand({
    logGroupName: '/js/app', logStreamName: 'web',
    logEvents: [{ timestamp: t, message: 'INFO started' }, { timestamp: t + 1, message: '{"level":"ERROR","ms":42}' }],
  }));
  const got = await logs.send(new GetLogEventsCommand({ logGroupName: '/js/app', logStreamName: 'web', startFromHead: true }));
  assert.deepEqual(got.events.map((e) => e.message), ['INFO started', '{"level":"ERROR","ms":42}']);
  assert.equal(got.events[0].timestamp, t);
  const hits = await logs.send(new FilterLogEventsCommand({ logGroupName: '/js/app', filterPattern: '{ $.ms > 40 }' }));
  assert.deepEqual(hits.events.map((e) => e.logStreamName), ['web']);
  const groups = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/js/' }));
  assert.equal(groups.logGroups[0].logGroupName, '/js/app');
});

test('a missing group is ResourceNotFoundException', async () => {
  await assert.rejects(logs.send(new CreateLogStreamCommand({ logGroupName: '/js/none', logStreamName: 'x' })),
    (err) => {
      assert.equal(err.name, 'ResourceNotFoundException');
      assert.equal(err.message, 'The specified log group does not exist.');
      return true;
    });
});
