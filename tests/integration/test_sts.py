# SPDX-License-Identifier: MIT
"""STS: GetCallerIdentity, AssumeRole and GetSessionToken over the query
protocol (what every boto3 speaks for STS) and AWS JSON 1.0, with the
identities and validation errors AWS records (LocalStack's AWS-validated
snapshots of test_sts.py): root for a long-term key, the 12-digit key as the
account, assumed-role ARNs and ids, "N validation error(s) detected: ...".
The credentials issued are accepted, act in the role's account, survive a
restart, and with --auth-file are verified: right token passes, a wrong or
missing session token gets InvalidClientTokenId."""
import datetime
import http.client
import json
import re
import unittest

import botocore
import harness
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

ROLE = "arn:aws:iam::444455556666:role/app/OrderProcessor"


def sts(server, key="test", secret="test", token=None, region="us-east-1", validate=True):
    """An STS client; validate=False sends what botocore would refuse, to see the server's error."""
    cfg = botocore.config.Config(retries={"max_attempts": 1}, parameter_validation=validate)
    return harness.boto3.client("sts", endpoint_url=server.endpoint, region_name=region, aws_access_key_id=key,
                                aws_secret_access_key=secret, aws_session_token=token, config=cfg)


class TestCallerIdentity(harness.ServerTest):
    def test_long_term_key_is_the_default_accounts_root(self):
        r = sts(self.server).get_caller_identity()
        self.assertEqual((r["Account"], r["Arn"], r["UserId"]),
                         ("000000000000", "arn:aws:iam::000000000000:root", "000000000000"))

    def test_a_twelve_digit_access_key_is_the_account(self):
        r = sts(self.server, key="111122223333").get_caller_identity()
        self.assertEqual(r["Account"], "111122223333")
        self.assertEqual(r["Arn"], "arn:aws:iam::111122223333:root")

    def test_json_protocol_answers_too(self):
        body = b"{}"
        req = AWSRequest(method="POST", url=self.server.endpoint + "/", data=body,
                         headers={"Content-Type": "application/x-amz-json-1.0",
                                  "X-Amz-Target": "AWSSecurityTokenServiceV20110615.GetCallerIdentity"})
        SigV4Auth(Credentials("222233334444", "x"), "sts", "us-east-1").add_auth(req)
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=10)
        conn.request("POST", "/", body=body, headers=dict(req.headers.items()))
        r = conn.getresponse()
        out = json.loads(r.read())
        conn.close()
        self.assertEqual(r.status, 200)
        self.assertEqual(r.getheader("Content-Type"), "application/x-amz-json-1.0")
        self.assertEqual(out, {"UserId": "222233334444", "Account": "222233334444",
                               "Arn": "arn:aws:iam::222233334444:root"})

    def test_unknown_action_is_invalid_action(self):
        msg = self.assertError("InvalidAction", sts(self.server).get_access_key_info, AccessKeyId="AKIAEXAMPLE1234567")
        self.assertEqual(msg, "Could not find operation GetAccessKeyInfo for version 2011-06-15")


class TestAssumeRole(harness.ServerTest):
    def test_assume_role_issues_credentials_for_the_roles_account(self):
        client = sts(self.server)
        before = datetime.datetime.now(datetime.timezone.utc)
        r = client.assume_role(RoleArn=ROLE, RoleSessionName="orders-1", DurationSeconds=1800)
        c, user = r["Credentials"], r["AssumedRoleUser"]
        self.assertRegex(c["AccessKeyId"], r"^ASIA[A-Z2-7]{16}$")
        self.assertEqual(len(c["SecretAccessKey"]), 40)
        self.assertGreater(len(c["SessionToken"]), 100)
        left = (c["Expiration"] - before).total_seconds()
        self.assertTrue(1790 <= left <= 1810, left)
        self.assertEqual(user["Arn"], "arn:aws:sts::444455556666:assumed-role/OrderProcessor/orders-1")
        self.assertRegex(user["AssumedRoleId"], r"^AROA[A-Z2-7]{17}:orders-1$")
        again = client.assume_role(RoleArn=ROLE, RoleSessionName="orders-2")
        # the role's id is stable; each call issues new keys; default 1 hour
        self.assertEqual(again["AssumedRoleUser"]["AssumedRoleId"].split(":")[0], user["AssumedRoleId"].split(":")[0])
        self.assertNotEqual(again["Credentials"]["AccessKeyId"], c["AccessKeyId"])
        left = (again["Credentials"]["Expiration"] - before).total_seconds()
        self.assertTrue(3590 <= left <= 3610, left)
        me = sts(self.server, c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"]).get_caller_identity()
        self.assertEqual((me["Account"], me["Arn"], me["UserId"]), ("444455556666", user["Arn"], user["AssumedRoleId"]))

    def test_validation_errors_are_awss(self):
        client = sts(self.server, validate=False)
        msg = self.assertError("ValidationError", client.assume_role, RoleArn="nothing-valid-in-here",
                               RoleSessionName="ok-name")
        self.assertEqual(msg, "nothing-valid-in-here is invalid")
        msg = self.assertError("ValidationError", client.assume_role, RoleArn=ROLE, RoleSessionName="Session1:2")
        self.assertEqual(msg, "1 validation error detected: Value 'Session1:2' at 'roleSessionName' failed to "
                              "satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*")
        msg = self.assertError("ValidationError", client.assume_role, RoleArn=ROLE, RoleSessionName="s" * 65)
        self.assertEqual(msg, "1 validation error detected: Value '%s' at 'roleSessionName' failed to satisfy "
                              "constraint: Member must have length less than or equal to 64" % ("s" * 65))
        msg = self.assertError("ValidationError", client.assume_role, RoleArn=ROLE, RoleSessionName="ok-name",
                               DurationSeconds=43201)
        self.assertEqual(msg, "1 validation error detected: Value '43201' at 'durationSeconds' failed to satisfy "
                              "constraint: Member must have value less than or equal to 43200")
        msg = self.assertError("ValidationError", client.assume_role, RoleArn="arn:a:::something/test-role",
                               RoleSessionName="ok-name")
        self.assertEqual(msg, "arn:a:::something/test-role is invalid")

    def test_session_token_from_a_session_is_refused(self):
        c = sts(self.server).assume_role(RoleArn=ROLE, RoleSessionName="s1")["Credentials"]
        client = sts(self.server, c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"])
        msg = self.assertError("AccessDenied", client.get_session_token)
        self.assertEqual(msg, "Cannot call GetSessionToken with session credentials")

    def test_get_session_token_lasts_twelve_hours_by_default(self):
        before = datetime.datetime.now(datetime.timezone.utc)
        c = sts(self.server, key="555566667777").get_session_token()["Credentials"]
        self.assertRegex(c["AccessKeyId"], r"^ASIA")
        left = (c["Expiration"] - before).total_seconds()
        self.assertTrue(43190 <= left <= 43210, left)
        me = sts(self.server, c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"]).get_caller_identity()
        self.assertEqual(me["Account"], "555566667777")
        msg = self.assertError("ValidationError", sts(self.server, validate=False).get_session_token,
                               DurationSeconds=899)
        self.assertEqual(msg, "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy "
                              "constraint: Member must have value greater than or equal to 900")


class TestCredentialsSurviveRestart(harness.ServerTest):
    data_dir = True

    def test_issued_credentials_survive_restart(self):
        c = sts(self.server).assume_role(RoleArn=ROLE, RoleSessionName="keep")["Credentials"]
        self.server.stop()
        self.server.start()
        me = sts(self.server, c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"]).get_caller_identity()
        self.assertEqual(me["Account"], "444455556666")


class TestVerifiedWithAuthFile(harness.AuthFileServer):
    """With --auth-file, requests signed with issued credentials are verified."""

    def creds(self):
        return sts(self.server, "AKIDRUNNEL", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY").assume_role(
            RoleArn=ROLE, RoleSessionName="verified")["Credentials"]

    def code(self, fn):
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            fn()
        return cm.exception.response["Error"]["Code"], cm.exception.response["Error"]["Message"]

    def test_issued_credentials_sign_requests_for_other_services(self):
        c = self.creds()
        sqs = self.server.client("sqs", key=c["AccessKeyId"], secret=c["SecretAccessKey"],
                                 aws_session_token=c["SessionToken"])
        self.assertIn("QueueUrl", sqs.create_queue(QueueName="from-a-role"))

    def test_wrong_secret_or_token_is_refused(self):
        c = self.creds()
        bad_secret = sts(self.server, c["AccessKeyId"], "x" * 40, c["SessionToken"])
        self.assertEqual(self.code(bad_secret.get_caller_identity)[0], "SignatureDoesNotMatch")
        bad_token = sts(self.server, c["AccessKeyId"], c["SecretAccessKey"], "not-the-token")
        self.assertEqual(self.code(bad_token.get_caller_identity),
                         ("InvalidClientTokenId", "The security token included in the request is invalid."))
        no_token = sts(self.server, c["AccessKeyId"], c["SecretAccessKey"])
        self.assertEqual(self.code(no_token.get_caller_identity)[0], "InvalidClientTokenId")


class TestExpiryWithTheMovedClock(harness.AuthFileServer):
    """With --auth-file and the clock moved past a credential's expiry, a request
    signed with it gets ExpiredToken (403); a long-term key still works."""

    def advance_signed(self, seconds):
        body = json.dumps({"advanceSeconds": seconds}).encode()
        req = AWSRequest(method="POST", url=self.server.endpoint + "/_runnel/clock", data=body)
        SigV4Auth(Credentials("AKIDRUNNEL", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"), "sqs",
                  "us-east-1").add_auth(req)
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=10)
        conn.request("POST", "/_runnel/clock", body=body, headers=dict(req.headers.items()))
        r = conn.getresponse()
        r.read()
        conn.close()
        return r.status

    def test_expired_credentials_get_expired_token(self):
        owner = sts(self.server, "AKIDRUNNEL", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
        c = owner.assume_role(RoleArn=ROLE, RoleSessionName="short", DurationSeconds=900)["Credentials"]
        temp = sts(self.server, c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"])
        self.assertEqual(temp.get_caller_identity()["Account"], "444455556666")
        self.assertEqual(self.advance_signed(901), 200)
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            temp.get_caller_identity()
        err = cm.exception.response["Error"]
        self.assertEqual((err["Code"], err["Message"]),
                         ("ExpiredToken", "The security token included in the request is expired"))
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 403)
        # signatures are judged on real time: the moved clock does not expire them
        self.assertEqual(owner.get_caller_identity()["Arn"], "arn:aws:iam::000000000000:root")


if __name__ == "__main__":
    unittest.main()
