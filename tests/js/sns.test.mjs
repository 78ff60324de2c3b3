// Runnel SNS compatibility tests driven by the AWS SDK for JavaScript v3
// (@aws-sdk/client-sns, query protocol): a topic fanning out to a queue with
// raw delivery and a filter policy, the enveloped form, a FIFO topic, a
// batch, and errors as the SDK parses them. Run through ./run.sh (sets
// RUNNEL_ENDPOINT).

import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  SNSClient, CreateTopicCommand, SubscribeCommand, PublishCommand, PublishBatchCommand,
  GetTopicAttributesCommand, ListSubscriptionsByTopicCommand, NotFoundException, InvalidParameterException,
} from '@aws-sdk/client-sns';
import {
  SQSClient, CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand,
} from '@aws-sdk/client-sqs';

const endpoint = process.env.RUNNEL_ENDPOINT;
if (!endpoint) throw new Error('RUNNEL_ENDPOINT is not set (run the tests through ./run.sh)');
const base = { endpoint, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
const sns = new SNSClient(base);
const sqs = new SQSClient(base);

async function queue(name, attrs = {}) {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attrs }));
  const a = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  return { url: QueueUrl, arn: a.Attributes.QueueArn };
}

async function receive(url, n) {
  const got = [];
  for (let i = 0; i < 5 && got.length < n; i++) {
    const r = await sqs.send(new ReceiveMessageCommand({
      QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageAttributeNames: ['All'],
      MessageSystemAttributeNames: ['All'],
    }));
    got.push(...(r.Messages ?? []));
  }
  return got;
}

test('raw delivery with a filter policy, and the envelope', async () => {
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'js-orders' }));
  const raw = await queue('js-sns-raw');
  const env = await queue('js-sns-env');
  await sns.send(new SubscribeCommand({
    TopicArn, Protocol: 'sqs', Endpoint: raw.arn,
    Attributes: { RawMessageDelivery: 'true', FilterPolicy: JSON.stringify({ priority: ['high'] }) },
  }));
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: env.arn }));
  const subs = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }));
  assert.equal(subs.Subscriptions.length, 2);
  await sns.send(new PublishCommand({
    TopicArn, Message: 'urgent', Subject: 'alert',
    MessageAttributes: { priority: { DataType: 'String', StringValue: 'high' } },
  }));
  await sns.send(new PublishCommand({
    TopicArn, Message: 'routine', MessageAttributes: { priority: { DataType: 'String', StringValue: 'low' } },
  }));
  const r = await receive(raw.url, 1);
  assert.deepEqual(r.map((m) => m.Body), ['urgent']);
  assert.equal(r[0].MessageAttributes.priority.StringValue, 'high');
  const e = (await receive(env.url, 2)).map((m) => JSON.parse(m.Body));
  assert.deepEqual(e.map((x) => x.Message).sort(), ['routine', 'urgent']);
  const urgent = e.find((x) => x.Message === 'urgent');
  assert.equal(urgent.Type, 'Notification');
  assert.equal(urgent.TopicArn, TopicArn);
  assert.equal(urgent.Subject, 'alert');
  assert.deepEqual(urgent.MessageAttributes, { priority: { Type: 'String', Value: 'high' } });
});

test('FIFO topic: batch, group order and sequence numbers', async () => {
  const { TopicArn } = await sns.send(new CreateTopicCommand({
    Name: 'js-orders.fifo', Attributes: { FifoTopic: 'true', ContentBasedDeduplication: 'true' },
  }));
  const a = await sns.send(new GetTopicAttributesCommand({ TopicArn }));
  assert.equal(a.Attributes.FifoTopic, 'true');
  const q = await queue('js-sns.fifo', { FifoQueue: 'true' });
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: q.arn, Attributes: { RawMessageDelivery: 'true' } }));
  const r = await sns.send(new PublishBatchCommand({
    TopicArn,
    PublishBatchRequestEntries: ['a', 'b', 'c'].map((m, i) => ({ Id: `e${i}`, Message: m, MessageGroupId: 'g' })),
  }));
  assert.equal(r.Successful.length, 3);
  assert.match(r.Successful[0].SequenceNumber, /^\d{20}$/);
  const got = await receive(q.url, 3);
  assert.deepEqual(got.map((m) => m.Body), ['a', 'b', 'c']);
  assert.equal(got[0].Attributes.MessageGroupId, 'g');
});

test('errors are modelled exceptions with AWS messages', async () => {
  await assert.rejects(
    sns.send(new PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:000000000000:js-missing', Message: 'x' })),
    (err) => err instanceof NotFoundException && err.message === 'Topic does not exist',
  );
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'js-errors' }));
  await assert.rejects(
    sns.send(new SubscribeCommand({ TopicArn, Protocol: 'carrier-pigeon', Endpoint: 'x' })),
    (err) => err instanceof InvalidParameterException &&
      err.message === 'Invalid parameter: Amazon SNS does not support this protocol string: carrier-pigeon',
  );
});
