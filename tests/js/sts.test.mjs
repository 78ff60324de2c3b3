// Runnel STS compatibility tests driven by the AWS SDK for JavaScript v3
// (@aws-sdk/client-sts, query protocol): who the caller is, AssumeRole's
// temporary credentials used by another client, and a validation error as
// the SDK parses it. Run through ./run.sh (sets RUNNEL_ENDPOINT).

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { STSClient, GetCallerIdentityCommand, AssumeRoleCommand } from '@aws-sdk/client-sts';
import { SQSClient, CreateQueueCommand } from '@aws-sdk/client-sqs';

const endpoint = process.env.RUNNEL_ENDPOINT;
if (!endpoint) throw new Error('RUNNEL_ENDPOINT is not set (run the tests through ./run.sh)');
const base = { endpoint, region: 'us-east-1', maxAttempts: 1 };
const sts = new STSClient({ ...base, credentials: { accessKeyId: '123456789012', secretAccessKey: 'test' } });

test('GetCallerIdentity: a 12-digit access key is the account', async () => {
  const r = await sts.send(new GetCallerIdentityCommand({}));
  assert.equal(r.Account, '123456789012');
  assert.equal(r.Arn, 'arn:aws:iam::123456789012:root');
});

test('AssumeRole credentials act in the role account', async () => {
  const r = await sts.send(new AssumeRoleCommand({
    RoleArn: 'arn:aws:iam::210987654321:role/notifier', RoleSessionName: 'js-session',
  }));
  assert.match(r.Credentials.AccessKeyId, /^ASIA[A-Z2-7]{16}$/);
  assert.ok(r.Credentials.Expiration instanceof Date);
  assert.equal(r.AssumedRoleUser.Arn, 'arn:aws:sts::210987654321:assumed-role/notifier/js-session');
  const credentials = {
    accessKeyId: r.Credentials.AccessKeyId,
    secretAccessKey: r.Credentials.SecretAccessKey,
    sessionToken: r.Credentials.SessionToken,
  };
  const me = await new STSClient({ ...base, credentials }).send(new GetCallerIdentityCommand({}));
  assert.equal(me.Account, '210987654321');
  assert.equal(me.Arn, r.AssumedRoleUser.Arn);
  const q = await new SQSClient({ ...base, credentials }).send(new CreateQueueCommand({ QueueName: 'js-role-queue' }));
  assert.match(q.QueueUrl, /js-role-queue$/);
});

test('AssumeRole with a malformed role ARN: ValidationError', async () => {
  await assert.rejects(
    sts.send(new AssumeRoleCommand({ RoleArn: 'nothing-valid-in-here', RoleSessionName: 'js-session' })),
    (e) => e.name === 'ValidationError' && e.message === 'nothing-valid-in-here is invalid' &&
      e.$metadata.httpStatusCode === 400,
  );
});
