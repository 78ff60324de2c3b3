// Runnel SQS compatibility tests driven by the AWS SDK for JavaScript v3
// (@aws-sdk/client-sqs, AWS JSON protocol) and sqs-consumer.
//
// Run through ./run.sh, which starts a throwaway in-memory server and sets
// RUNNEL_ENDPOINT. The SDK (@aws-sdk/middleware-sdk-sqs) verifies the body
// digest (MD5OfMessageBody on SendMessage/SendMessageBatch, MD5OfBody on
// ReceiveMessage) and throws on a mismatch, so every successful send/receive
// checks the server's body MD5. It does NOT verify MD5OfMessageAttributes, so
// the tests compute that digest themselves (attributesMd5 below).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';

import {
  SQSClient,
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueUrlCommand,
  GetQueueAttributesCommand,
  SendMessageCommand,
  SendMessageBatchCommand,
  ReceiveMessageCommand,
  DeleteMessageCommand,
  DeleteMessageBatchCommand,
  QueueDoesNotExist,
} from '@aws-sdk/client-sqs';
import { Consumer } from 'sqs-consumer';

const endpoint = process.env.RUNNEL_ENDPOINT;
if (!endpoint) {
  throw new Error('RUNNEL_ENDPOINT is not set (run the tests through ./run.sh)');
}

const sqs = new SQSClient({
  endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  maxAttempts: 1, // surface server errors instead of retrying them away
});

const created = [];

// MD5OfMessageAttributes as SQS defines it: attributes sorted by name, each
// encoded as len(name) name len(type) type transport-byte len(value) value,
// lengths as 4-byte big-endian, transport 1 for String/Number, 2 for Binary.
function attributesMd5(attrs) {
  const parts = [];
  const lenPrefixed = (buf) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(buf.length);
    parts.push(len, buf);
  };
  for (const name of Object.keys(attrs).sort()) {
    const a = attrs[name];
    lenPrefixed(Buffer.from(name, 'utf8'));
    lenPrefixed(Buffer.from(a.DataType, 'utf8'));
    if (a.BinaryValue !== undefined) {
      parts.push(Buffer.from([2]));
      lenPrefixed(Buffer.from(a.BinaryValue));
    } else {
      parts.push(Buffer.from([1]));
      lenPrefixed(Buffer.from(a.StringValue, 'utf8'));
    }
  }
  return createHash('md5').update(Buffer.concat(parts)).digest('hex');
}

const md5 = (s) => createHash('md5').update(s, 'utf8').digest('hex');

function uniqueName(prefix, fifo = false) {
  const name = `${prefix}-${randomUUID().slice(0, 8)}`;
  return fifo ? `${name}.fifo` : name;
}

async function createQueue(name, attributes) {
  const out = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  assert.equal(out.QueueUrl, `${endpoint}/000000000000/${name}`);
  created.push(out.QueueUrl);
  return out.QueueUrl;
}

async function queueCounts(queueUrl) {
  const out = await sqs.send(new GetQueueAttributesCommand({
    QueueUrl: queueUrl,
    AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
  }));
  return {
    visible: Number(out.Attributes.ApproximateNumberOfMessages),
    notVisible: Number(out.Attributes.ApproximateNumberOfMessagesNotVisible),
  };
}

async function receiveAll(queueUrl, expected, opts = {}) {
  const got = [];
  for (let i = 0; i < 20 && got.length < expected; i++) {
    const out = await sqs.send(new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 1,
      ...opts,
    }));
    got.push(...(out.Messages ?? []));
  }
  return got;
}

before(async () => {
  const res = await fetch(new URL('/_runnel/health', endpoint));
  assert.equal(res.status, 200, 'server health check');
});

after(async () => {
  for (const url of created) {
    try {
      await sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
    } catch {
      // best effort
    }
  }
  sqs.destroy();
});

test('create queue and resolve it with GetQueueUrl', async () => {
  const name = uniqueName('js-create');
  const url = await createQueue(name);
  const out = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
  assert.equal(out.QueueUrl, url);
});

test('send with message attributes, receive with All attributes, delete', async () => {
  const url = await createQueue(uniqueName('js-attrs'));
  const body = 'hello from the JS SDK \u00e9\u4e2d\u{1F600}';
  const attrs = {
    Colour: { DataType: 'String', StringValue: 'blue' },
    Count: { DataType: 'Number', StringValue: '42' },
    Blob: { DataType: 'Binary', BinaryValue: new Uint8Array([0, 1, 2, 254, 255]) },
    'Custom.Label': { DataType: 'String.custom', StringValue: 'x' },
  };
  const sent = await sqs.send(new SendMessageCommand({
    QueueUrl: url,
    MessageBody: body,
    MessageAttributes: attrs,
  }));
  // The SDK already checked MD5OfMessageBody; check both digests explicitly.
  assert.match(sent.MessageId, /\S/);
  assert.equal(sent.MD5OfMessageBody, md5(body));
  assert.equal(sent.MD5OfMessageAttributes, attributesMd5(attrs));

  const out = await sqs.send(new ReceiveMessageCommand({
    QueueUrl: url,
    MaxNumberOfMessages: 1,
    WaitTimeSeconds: 2,
    MessageAttributeNames: ['All'],
    MessageSystemAttributeNames: ['All'],
  }));
  assert.equal(out.Messages?.length, 1);
  const [m] = out.Messages;
  assert.equal(m.MessageId, sent.MessageId);
  assert.equal(m.Body, body);
  assert.equal(m.MD5OfBody, sent.MD5OfMessageBody);
  assert.equal(m.MD5OfMessageAttributes, sent.MD5OfMessageAttributes);
  assert.equal(m.MD5OfMessageAttributes, attributesMd5(m.MessageAttributes));

  assert.deepEqual(m.MessageAttributes.Colour, { DataType: 'String', StringValue: 'blue' });
  assert.deepEqual(m.MessageAttributes.Count, { DataType: 'Number', StringValue: '42' });
  assert.deepEqual(m.MessageAttributes['Custom.Label'], { DataType: 'String.custom', StringValue: 'x' });
  assert.equal(m.MessageAttributes.Blob.DataType, 'Binary');
  assert.deepEqual(Buffer.from(m.MessageAttributes.Blob.BinaryValue), Buffer.from([0, 1, 2, 254, 255]));

  assert.equal(m.Attributes.ApproximateReceiveCount, '1');
  assert.match(m.Attributes.SentTimestamp, /^\d{13}$/);
  assert.match(m.Attributes.ApproximateFirstReceiveTimestamp, /^\d{13}$/);
  assert.equal(m.Attributes.SenderId, 'test'); // the caller's access key

  // the receipt handle works: the delete empties the queue
  await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));
  const counts = await queueCounts(url);
  assert.deepEqual(counts, { visible: 0, notVisible: 0 });
});

test('batch send of 10 and batch delete', async () => {
  const url = await createQueue(uniqueName('js-batch'));
  const entries = Array.from({ length: 10 }, (_, i) => ({
    Id: `e${i}`,
    MessageBody: `batch body ${i}`,
    MessageAttributes: { Index: { DataType: 'Number', StringValue: String(i) } },
  }));
  const sent = await sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: entries }));
  assert.equal(sent.Failed?.length ?? 0, 0, `failed entries: ${JSON.stringify(sent.Failed)}`);
  assert.equal(sent.Successful.length, 10);
  assert.deepEqual(sent.Successful.map((s) => s.Id).sort(), entries.map((e) => e.Id).sort());
  for (const s of sent.Successful) {
    const e = entries.find((x) => x.Id === s.Id);
    assert.equal(s.MD5OfMessageBody, md5(e.MessageBody));
    assert.equal(s.MD5OfMessageAttributes, attributesMd5(e.MessageAttributes));
  }

  const msgs = await receiveAll(url, 10, { MessageAttributeNames: ['All'] });
  assert.equal(msgs.length, 10);
  assert.deepEqual(
    msgs.map((m) => m.Body).sort(),
    entries.map((e) => e.MessageBody).sort(),
  );
  for (const m of msgs) {
    assert.equal(m.Body, `batch body ${m.MessageAttributes.Index.StringValue}`);
    assert.equal(m.MD5OfMessageAttributes, attributesMd5(m.MessageAttributes));
  }

  const del = await sqs.send(new DeleteMessageBatchCommand({
    QueueUrl: url,
    Entries: msgs.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })),
  }));
  assert.equal(del.Failed?.length ?? 0, 0, `failed deletes: ${JSON.stringify(del.Failed)}`);
  assert.equal(del.Successful.length, 10);
  assert.deepEqual(await queueCounts(url), { visible: 0, notVisible: 0 });
});

test('FIFO queue with content-based deduplication', async () => {
  const url = await createQueue(uniqueName('js-fifo', true), {
    FifoQueue: 'true',
    ContentBasedDeduplication: 'true',
  });
  const first = await sqs.send(new SendMessageCommand({
    QueueUrl: url, MessageBody: 'same body', MessageGroupId: 'g1',
  }));
  const dup = await sqs.send(new SendMessageCommand({
    QueueUrl: url, MessageBody: 'same body', MessageGroupId: 'g1',
  }));
  assert.equal(dup.MessageId, first.MessageId, 'duplicate send returns the original MessageId');
  assert.match(first.SequenceNumber, /^\d{20}$/);

  const other = await sqs.send(new SendMessageCommand({
    QueueUrl: url, MessageBody: 'different body', MessageGroupId: 'g1',
  }));
  assert.notEqual(other.MessageId, first.MessageId);
  assert.ok(BigInt(other.SequenceNumber) > BigInt(first.SequenceNumber), 'sequence numbers increase');

  const msgs = await receiveAll(url, 2, { MessageSystemAttributeNames: ['All'] });
  // Only two distinct messages exist, delivered in send order.
  assert.deepEqual(msgs.map((m) => m.Body), ['same body', 'different body']);
  assert.equal(msgs[0].Attributes.MessageGroupId, 'g1');
  assert.match(msgs[0].Attributes.MessageDeduplicationId, /^[0-9a-f]{64}$/i,
    'content-based dedup id is the SHA-256 of the body');
});

test('GetQueueUrl on a missing queue reports QueueDoesNotExist', async () => {
  const name = uniqueName('js-missing');
  await assert.rejects(
    sqs.send(new GetQueueUrlCommand({ QueueName: name })),
    (err) => {
      assert.ok(err instanceof QueueDoesNotExist, `expected QueueDoesNotExist, got ${err.name}: ${err.message}`);
      assert.equal(err.name, 'QueueDoesNotExist');
      // The legacy query-protocol code, carried in the x-amzn-query-error header.
      assert.equal(err.Code, 'AWS.SimpleQueueService.NonExistentQueue');
      assert.equal(err.Type, 'Sender');
      assert.equal(err.$metadata.httpStatusCode, 400);
      assert.equal(err.$fault, 'client');
      return true;
    },
  );
});

test('long polling receive returns promptly after a send', async () => {
  const url = await createQueue(uniqueName('js-longpoll'));
  const started = Date.now();
  const pending = sqs.send(new ReceiveMessageCommand({
    QueueUrl: url, MaxNumberOfMessages: 1, WaitTimeSeconds: 20,
  }));
  await new Promise((r) => setTimeout(r, 500));
  await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'wake up' }));
  const out = await pending;
  const elapsed = Date.now() - started;
  assert.equal(out.Messages?.length, 1);
  assert.equal(out.Messages[0].Body, 'wake up');
  assert.ok(elapsed >= 400, `receive waited for the send (${elapsed} ms)`);
  assert.ok(elapsed < 20000, `woken by the send, not by the end of the wait (${elapsed} ms)`);
});

test('long polling receive on an empty queue waits for WaitTimeSeconds', async () => {
  const url = await createQueue(uniqueName('js-emptypoll'));
  const started = Date.now();
  const out = await sqs.send(new ReceiveMessageCommand({
    QueueUrl: url, MaxNumberOfMessages: 1, WaitTimeSeconds: 1,
  }));
  const elapsed = Date.now() - started;
  assert.equal(out.Messages?.length ?? 0, 0);
  assert.ok(elapsed >= 900, `empty long poll returned after ${elapsed} ms, expected ~1000`);
});

test('sqs-consumer processes 5 messages and leaves the queue empty', async () => {
  const url = await createQueue(uniqueName('js-consumer'));
  const bodies = Array.from({ length: 5 }, (_, i) => `consumer message ${i}`);
  await sqs.send(new SendMessageBatchCommand({
    QueueUrl: url,
    Entries: bodies.map((b, i) => ({ Id: `m${i}`, MessageBody: b })),
  }));

  const handled = new Set();
  const errors = [];
  let resolveDone;
  const done = new Promise((r) => { resolveDone = r; });

  const consumer = Consumer.create({
    queueUrl: url,
    sqs,
    waitTimeSeconds: 1,
    batchSize: 10,
    handleMessage: async (message) => {
      handled.add(message.Body);
      if (handled.size === bodies.length) resolveDone();
      return message;
    },
  });
  consumer.on('error', (err) => errors.push(err));
  consumer.on('processing_error', (err) => errors.push(err));
  consumer.on('timeout_error', (err) => errors.push(err));

  const stopped = new Promise((r) => consumer.on('stopped', r));
  consumer.start();
  const timer = setTimeout(() => resolveDone(), 15000);
  await done;
  clearTimeout(timer);
  // Give the consumer a moment to issue its DeleteMessage(Batch) calls, then
  // stop it and wait until it reports stopped.
  await new Promise((r) => setTimeout(r, 500));
  consumer.stop({ abort: false });
  await stopped;

  assert.deepEqual(errors, []);
  assert.deepEqual([...handled].sort(), [...bodies].sort());

  let counts;
  for (let i = 0; i < 10; i++) {
    counts = await queueCounts(url);
    if (counts.visible + counts.notVisible === 0) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.equal(counts.visible + counts.notVisible, 0, `queue not empty: ${JSON.stringify(counts)}`);
});
