// Runnel DynamoDB compatibility tests driven by the AWS SDK for JavaScript v3:
// @aws-sdk/client-dynamodb (AWS JSON 1.0) and the DocumentClient of
// @aws-sdk/lib-dynamodb (marshalling, conditions, queries), and
// @aws-lambda-powertools/idempotency's DynamoDB persistence layer, whose
// conditional writes must behave as on AWS. Run through ./run.sh.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  DynamoDBClient, CreateTableCommand, DescribeTableCommand, PutItemCommand, GetItemCommand, waitUntilTableExists,
  ConditionalCheckFailedException, TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient, PutCommand, GetCommand, UpdateCommand, QueryCommand, BatchWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';

const endpoint = process.env.RUNNEL_ENDPOINT;
if (!endpoint) throw new Error('RUNNEL_ENDPOINT is not set (run the tests through ./run.sh)');
const client = new DynamoDBClient({
  endpoint, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
});
const doc = DynamoDBDocumentClient.from(client);

async function table(name, keys) {
  await client.send(new CreateTableCommand({
    TableName: name, BillingMode: 'PAY_PER_REQUEST',
    KeySchema: keys.map(([n], i) => ({ AttributeName: n, KeyType: i ? 'RANGE' : 'HASH' })),
    AttributeDefinitions: keys.map(([n, t]) => ({ AttributeName: n, AttributeType: t })),
  }));
  await waitUntilTableExists({ client, maxWaitTime: 10, minDelay: 1 }, { TableName: name });
}

test('client: a table, an item, a condition that fails as AWS says', async () => {
  await table('js-orders', [['id', 'S']]);
  const d = await client.send(new DescribeTableCommand({ TableName: 'js-orders' }));
  assert.equal(d.Table.TableStatus, 'ACTIVE');
  await client.send(new PutItemCommand({ TableName: 'js-orders', Item: { id: { S: 'o1' }, n: { N: '007.50' } } }));
  const got = await client.send(new GetItemCommand({ TableName: 'js-orders', Key: { id: { S: 'o1' } } }));
  assert.deepEqual(got.Item, { id: { S: 'o1' }, n: { N: '7.5' } });
  await assert.rejects(client.send(new PutItemCommand({
    TableName: 'js-orders', Item: { id: { S: 'o1' } }, ConditionExpression: 'attribute_not_exists(id)',
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  })), (err) => {
    assert.ok(err instanceof ConditionalCheckFailedException);
    assert.equal(err.message, 'The conditional request failed');
    assert.deepEqual(err.Item, { id: { S: 'o1' }, n: { N: '7.5' } });
    return true;
  });
  await assert.rejects(client.send(new TransactWriteItemsCommand({
    TransactItems: [{ ConditionCheck: { TableName: 'js-orders', Key: { id: { S: 'none' } },
      ConditionExpression: 'attribute_exists(id)' } }],
  })), (err) => {
    assert.equal(err.name, 'TransactionCanceledException');
    assert.deepEqual(err.CancellationReasons.map((r) => r.Code), ['ConditionalCheckFailed']);
    return true;
  });
});

test('DocumentClient: native values in and out, updates and queries', async () => {
  await table('js-events', [['user', 'S'], ['at', 'N']]);
  await doc.send(new BatchWriteCommand({ RequestItems: { 'js-events': [1, 2, 3, 4].map((at) => ({
    PutRequest: { Item: { user: 'u1', at, kind: at % 2 ? 'odd' : 'even', tags: new Set(['a']), meta: { deep: [at] } } },
  })) } }));
  const r = await doc.send(new UpdateCommand({
    TableName: 'js-events', Key: { user: 'u1', at: 2 }, ReturnValues: 'ALL_NEW',
    UpdateExpression: 'SET hits = if_not_exists(hits, :z) + :one ADD tags :t',
    ExpressionAttributeValues: { ':z': 0, ':one': 1, ':t': new Set(['b']) },
  }));
  assert.equal(r.Attributes.hits, 1);
  assert.deepEqual([...r.Attributes.tags].sort(), ['a', 'b']);
  const q = await doc.send(new QueryCommand({
    TableName: 'js-events', KeyConditionExpression: '#u = :u AND #a > :a', FilterExpression: 'kind = :k',
    ExpressionAttributeNames: { '#u': 'user', '#a': 'at' }, ExpressionAttributeValues: { ':u': 'u1', ':a': 1, ':k': 'odd' },
    ScanIndexForward: false,
  }));
  assert.deepEqual(q.Items.map((i) => i.at), [3]);
  assert.equal(q.ScannedCount, 3);
  await doc.send(new PutCommand({ TableName: 'js-events', Item: { user: 'u2', at: 1, nothing: null, ok: true } }));
  const g = await doc.send(new GetCommand({ TableName: 'js-events', Key: { user: 'u2', at: 1 } }));
  assert.deepEqual(g.Item, { user: 'u2', at: 1, nothing: null, ok: true });
});

test('powertools idempotency: the second call with the same payload returns the first result', async () => {
  await table('js-idem', [['id', 'S']]);
  let runs = 0;
  const persistenceStore = new DynamoDBPersistenceLayer({ tableName: 'js-idem', awsSdkV3Client: client });
  const handler = makeIdempotent(async (event) => {
    runs += 1;
    return { charged: event.amount, run: runs };
  }, { persistenceStore });
  const first = await handler({ orderId: 'o-9', amount: 42 });
  const second = await handler({ orderId: 'o-9', amount: 42 });
  const other = await handler({ orderId: 'o-10', amount: 5 });
  assert.deepEqual(first, { charged: 42, run: 1 });
  assert.deepEqual(second, first);
  assert.deepEqual(other, { charged: 5, run: 2 });
  assert.equal(runs, 2);
});
