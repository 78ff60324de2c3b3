// Runnel SES compatibility tests driven by the AWS SDK for JavaScript v3:
// @aws-sdk/client-ses (v1, the query protocol) and @aws-sdk/client-sesv2
// (REST-JSON) over one shared state: an identity verified at once, sending
// with each SDK, templates, the mail captured at /_runnel/ses, and errors as
// the SDKs parse them. Run through ./run.sh (sets RUNNEL_ENDPOINT).

import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  SESClient, VerifyEmailIdentityCommand, SendEmailCommand, SendRawEmailCommand, CreateTemplateCommand,
  SendTemplatedEmailCommand, GetSendQuotaCommand,
} from '@aws-sdk/client-ses';
import {
  SESv2Client, CreateEmailIdentityCommand, GetEmailIdentityCommand, SendEmailCommand as SendEmailV2Command,
  GetEmailTemplateCommand, GetAccountCommand,
} from '@aws-sdk/client-sesv2';

const endpoint = process.env.RUNNEL_ENDPOINT;
if (!endpoint) throw new Error('RUNNEL_ENDPOINT is not set (run the tests through ./run.sh)');
const config = {
  endpoint, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
};
const ses = new SESClient(config);
const v2 = new SESv2Client(config);
const MESSAGE_ID = /^0100[0-9a-f]{12}-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-000000$/;

async function captured(id) {
  const r = await fetch(`${endpoint}/_runnel/ses`);
  assert.equal(r.status, 200);
  const { messages } = await r.json();
  return messages.find((m) => m.id === id);
}

test('v1: an unverified sender is MessageRejected, a verified one sends', async () => {
  const send = () => ses.send(new SendEmailCommand({
    Source: 'js@v1.test', Destination: { ToAddresses: ['a@x.test'] },
    Message: { Subject: { Data: 'JS v1' }, Body: { Text: { Data: 'hello' }, Html: { Data: '<i>hello</i>' } } },
  }));
  await assert.rejects(send(), (err) => {
    assert.equal(err.name, 'MessageRejected');
    assert.equal(err.message, 'Email address is not verified. The following identities failed the check in '
      + 'region US-EAST-1: js@v1.test');
    return true;
  });
  await ses.send(new VerifyEmailIdentityCommand({ EmailAddress: 'js@v1.test' }));
  const { MessageId } = await send();
  assert.match(MessageId, MESSAGE_ID);
  const m = await captured(MessageId);
  assert.deepEqual([m.source, m.destinations, m.subject, m.text, m.html],
    ['js@v1.test', ['a@x.test'], 'JS v1', 'hello', '<i>hello</i>']);
  const eml = await fetch(`${endpoint}/_runnel/ses/${MessageId}.eml`);
  assert.equal(eml.headers.get('content-type'), 'message/rfc822');
  assert.match(await eml.text(), /^Subject: JS v1\r$/m);
});

test('v1: raw and templated mail, and the quota counts them', async () => {
  const before = (await ses.send(new GetSendQuotaCommand({}))).SentLast24Hours;
  const raw = 'From: js@v1.test\r\nTo: r1@x.test, r2@x.test\r\nSubject: raw js\r\n\r\nbody';
  const r = await ses.send(new SendRawEmailCommand({ RawMessage: { Data: new TextEncoder().encode(raw) } }));
  assert.deepEqual((await captured(r.MessageId)).destinations, ['r1@x.test', 'r2@x.test']);
  await ses.send(new CreateTemplateCommand({ Template: { TemplateName: 'js-t', SubjectPart: 'Hi {{who}}' } }));
  const t = await ses.send(new SendTemplatedEmailCommand({
    Source: 'js@v1.test', Destination: { ToAddresses: ['a@x.test'] }, Template: 'js-t', TemplateData: '{"who":"JS"}',
  }));
  assert.equal((await captured(t.MessageId)).subject, 'Hi JS');
  const q = await ses.send(new GetSendQuotaCommand({}));
  assert.equal(q.SentLast24Hours, before + 3);
  assert.equal(q.Max24HourSend, 200);
});

test('v2: identities and sending share v1\'s state', async () => {
  const created = await v2.send(new CreateEmailIdentityCommand({ EmailIdentity: 'v2js.test' }));
  assert.equal(created.IdentityType, 'DOMAIN');
  const got = await v2.send(new GetEmailIdentityCommand({ EmailIdentity: 'js@v1.test' }));
  assert.equal(got.VerificationStatus, 'SUCCESS');
  const sent = await v2.send(new SendEmailV2Command({
    FromEmailAddress: 'anyone@v2js.test', Destination: { ToAddresses: ['b@x.test'] },
    Content: { Template: { TemplateName: 'js-t', TemplateData: '{"who":"v2"}' } },
  }));
  assert.match(sent.MessageId, MESSAGE_ID);
  assert.equal((await captured(sent.MessageId)).subject, 'Hi v2');
  const account = await v2.send(new GetAccountCommand({}));
  assert.equal(account.SendQuota.Max24HourSend, 200);
  assert.equal(account.SendQuota.MaxSendRate, 1);
  assert.ok(account.SendQuota.SentLast24Hours >= 4);
});

test('v2: a missing template is NotFoundException', async () => {
  await assert.rejects(v2.send(new GetEmailTemplateCommand({ TemplateName: 'nope' })), (err) => {
    assert.equal(err.name, 'NotFoundException');
    assert.equal(err.message, 'Template nope does not exist.');
    assert.equal(err.$metadata.httpStatusCode, 404);
    return true;
  });
});
