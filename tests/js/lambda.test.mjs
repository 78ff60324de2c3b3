// Runnel Lambda compatibility tests driven by the AWS SDK for JavaScript v3
// (@aws-sdk/client-lambda, REST-JSON): a node function created from a zip
// made here, invoked with the log tail, its error shape, versions, and a
// not-found error as the SDK parses it. Run through ./run.sh (sets RUNNEL_ENDPOINT).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deflateRawSync } from 'node:zlib';

import {
  LambdaClient, CreateFunctionCommand, InvokeCommand, GetFunctionCommand, PublishVersionCommand,
  waitUntilFunctionActiveV2,
} from '@aws-sdk/client-lambda';

const endpoint = process.env.RUNNEL_ENDPOINT;
if (!endpoint) throw new Error('RUNNEL_ENDPOINT is not set (run the tests through ./run.sh)');
const lambda = new LambdaClient({
  endpoint, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
});

// A zip of {name: text}: local headers, deflated data, central directory (no library).
function crc32(buf) {
  let c, crc = 0xffffffff;
  for (const b of buf) {
    c = (crc ^ b) & 0xff;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
    crc = (crc >>> 8) ^ c;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function zip(files) {
  const locals = [], centrals = [];
  let offset = 0;
  for (const [name, text] of Object.entries(files)) {
    const data = Buffer.from(text), packed = deflateRawSync(data), fname = Buffer.from(name);
    const head = Buffer.alloc(30);
    head.writeUInt32LE(0x04034b50, 0); head.writeUInt16LE(20, 4); head.writeUInt16LE(8, 8);
    head.writeUInt32LE(crc32(data), 14); head.writeUInt32LE(packed.length, 18); head.writeUInt32LE(data.length, 22);
    head.writeUInt16LE(fname.length, 26);
    const cen = Buffer.alloc(46);
    cen.writeUInt32LE(0x02014b50, 0); cen.writeUInt16LE(0x0314, 4); cen.writeUInt16LE(20, 6); cen.writeUInt16LE(8, 10);
    cen.writeUInt32LE(crc32(data), 16); cen.writeUInt32LE(packed.length, 20); cen.writeUInt32LE(data.length, 24);
    cen.writeUInt16LE(fname.length, 28); cen.writeUInt32LE((0o100644 << 16) >>> 0, 38); cen.writeUInt32LE(offset, 42);
    locals.push(head, fname, packed);
    centrals.push(cen, fname);
    offset += head.length + fname.length + packed.length;
  }
  const cd = Buffer.concat(centrals), end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(Object.keys(files).length, 8);
  end.writeUInt16LE(Object.keys(files).length, 10); end.writeUInt32LE(cd.length, 12); end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

const role = 'arn:aws:iam::000000000000:role/js';
const code = `exports.handler = async (event, context) => {
  if (event.fail) throw new RangeError('too big: ' + event.fail);
  console.log('js got', JSON.stringify(event));
  return { sum: event.a + event.b, fn: context.functionName, version: context.functionVersion };
};
`;

test('create, wait, invoke with the log tail, publish and invoke a version', async () => {
  const c = await lambda.send(new CreateFunctionCommand({
    FunctionName: 'js-fn', Runtime: 'nodejs20.x', Role: role, Handler: 'index.handler',
    Code: { ZipFile: zip({ 'index.js': code }) },
  }));
  assert.equal(c.State, 'Pending');
  await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 30, minDelay: 1 }, { FunctionName: 'js-fn' });
  const r = await lambda.send(new InvokeCommand({
    FunctionName: 'js-fn', Payload: Buffer.from(JSON.stringify({ a: 2, b: 3 })), LogType: 'Tail',
  }));
  assert.equal(r.StatusCode, 200);
  assert.equal(r.ExecutedVersion, '$LATEST');
  assert.deepEqual(JSON.parse(Buffer.from(r.Payload).toString()), { sum: 5, fn: 'js-fn', version: '$LATEST' });
  const log = Buffer.from(r.LogResult, 'base64').toString();
  assert.match(log, /^START RequestId: \S+ Version: \$LATEST\n/);
  assert.match(log, /js got \{"a":2,"b":3\}/);
  assert.match(log, /REPORT RequestId: \S+\tDuration: [\d.]+ ms/);
  const v = await lambda.send(new PublishVersionCommand({ FunctionName: 'js-fn' }));
  assert.equal(v.Version, '1');
  const r1 = await lambda.send(new InvokeCommand({ FunctionName: 'js-fn', Qualifier: '1',
    Payload: Buffer.from('{"a":1,"b":1}') }));
  assert.equal(r1.ExecutedVersion, '1');
  assert.equal(JSON.parse(Buffer.from(r1.Payload).toString()).version, '1');
});

test('a thrown error is FunctionError Unhandled with the Node error shape', async () => {
  const r = await lambda.send(new InvokeCommand({ FunctionName: 'js-fn', Payload: Buffer.from('{"fail": 7}') }));
  assert.equal(r.FunctionError, 'Unhandled');
  const e = JSON.parse(Buffer.from(r.Payload).toString());
  assert.equal(e.errorType, 'RangeError');
  assert.equal(e.errorMessage, 'too big: 7');
  assert.ok(Array.isArray(e.trace));
});

test('a missing function is ResourceNotFoundException with AWS message', async () => {
  await assert.rejects(lambda.send(new GetFunctionCommand({ FunctionName: 'js-missing' })), (err) => {
    assert.equal(err.name, 'ResourceNotFoundException');
    assert.equal(err.message, 'Function not found: arn:aws:lambda:us-east-1:000000000000:function:js-missing');
    assert.equal(err.$metadata.httpStatusCode, 404);
    return true;
  });
});
