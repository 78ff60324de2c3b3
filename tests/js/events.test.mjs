// Runnel EventBridge compatibility tests driven by the AWS SDK for JavaScript
// v3 (@aws-sdk/client-eventbridge, AWS JSON 1.1): the seed's bus, rule and
// two queues, a transformer target and AWS's error shapes as the SDK parses
// them. Run through ./run.sh (sets RUNNEL_ENDPOINT).

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';

import {
  EventBridgeClient,
  CreateEventBusCommand,
  DescribeEventBusCommand,
  PutRuleCommand,
  PutTargetsCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  TestEventPatternCommand,
  ResourceNotFoundException,
  InvalidEventPatternException,
} from '@aws-sdk/client-eventbridge';
import {
  SQSClient,
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
} from '@aws-sdk/client-sqs';

const endpoint = process.env.RUNNEL_ENDPOINT;
if (!endpoint) throw new Error('RUNNEL_ENDPOINT is not set (run the tests through ./run.sh)');
const cfg = { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 };
const eb = new EventBridgeClient(cfg);
const sqs = new SQSClient(cfg);

async function queue(name) {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  return { url: QueueUrl, arn: Attributes.QueueArn };
}

async function receive(url) {
  const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 20 }));
  return r.Messages ?? [];
}

const bus = `ecommerce-events-${randomUUID().slice(0, 8)}`;
let inventory, notifications;

before(async () => {
  await eb.send(new CreateEventBusCommand({ Name: bus }));
  inventory = await queue(`inventory-${randomUUID().slice(0, 8)}`);
  notifications = await queue(`notifications-${randomUUID().slice(0, 8)}`);
  await eb.send(new PutRuleCommand({
    Name: 'OrderCreatedRule', EventBusName: bus,
    EventPattern: JSON.stringify({ source: ['ecommerce.orders'], 'detail-type': ['Order Created'] }),
  }));
  await eb.send(new PutTargetsCommand({
    Rule: 'OrderCreatedRule', EventBusName: bus,
    Targets: [
      { Id: 'inventory', Arn: inventory.arn },
      { Id: 'notify', Arn: notifications.arn, InputTransformer: {
        InputPathsMap: { id: '$.detail.orderId' }, InputTemplate: '{"orderId": <id>, "kind": "created"}' } },
    ],
  }));
});

test('the seed rule fans an order out to both queues', async () => {
  const r = await eb.send(new PutEventsCommand({ Entries: [{
    Source: 'ecommerce.orders', DetailType: 'Order Created', EventBusName: bus,
    Detail: JSON.stringify({ orderId: 'o-42', amount: 19.99 }),
  }] }));
  assert.equal(r.FailedEntryCount, 0);
  const inv = await receive(inventory.url);
  assert.equal(inv.length, 1);
  const env = JSON.parse(inv[0].Body);
  assert.equal(env.id, r.Entries[0].EventId);
  assert.equal(env['detail-type'], 'Order Created');
  assert.match(inv[0].Body, /"amount":19\.99/);
  const note = await receive(notifications.url);
  assert.deepEqual(JSON.parse(note[0].Body), { orderId: 'o-42', kind: 'created' });
});

test('targets are listed back as sent', async () => {
  const r = await eb.send(new ListTargetsByRuleCommand({ Rule: 'OrderCreatedRule', EventBusName: bus }));
  assert.deepEqual(r.Targets.map((t) => t.Id), ['inventory', 'notify']);
  assert.equal(r.Targets[1].InputTransformer.InputPathsMap.id, '$.detail.orderId');
});

test('errors arrive as the SDK exception classes', async () => {
  await assert.rejects(eb.send(new DescribeEventBusCommand({ Name: 'no-such-bus' })), (e) => {
    assert.ok(e instanceof ResourceNotFoundException);
    assert.equal(e.message, 'Event bus no-such-bus does not exist.');
    return true;
  });
  const event = JSON.stringify({ id: '1', source: 's', 'detail-type': 't', account: '000000000000',
    time: '2024-01-01T00:00:00Z', region: 'us-east-1', resources: [], detail: {} });
  await assert.rejects(eb.send(new TestEventPatternCommand({ EventPattern: '{"source": "x"}', Event: event })),
    (e) => e instanceof InvalidEventPatternException);
});

test('per-entry PutEvents errors', async () => {
  const r = await eb.send(new PutEventsCommand({ Entries: [
    { Source: 'shop', DetailType: 't', Detail: '{}' },
    { Source: 'shop', DetailType: 't', Detail: 'not json' },
  ] }));
  assert.equal(r.FailedEntryCount, 1);
  assert.equal(r.Entries[1].ErrorCode, 'MalformedDetail');
});
