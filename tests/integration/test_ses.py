# SPDX-License-Identifier: MIT
"""Amazon SES through boto3: v1 (`ses`, the query protocol) and v2 (`sesv2`,
REST-JSON) against one shared state: identities verified at once, a domain
verifying its addresses, AWS's errors, templates and their rendering,
SendEmail / SendRawEmail / SendTemplatedEmail and v2 SendEmail with Simple,
Raw and Template content, the sending quota and statistics, the captured
mail at /_runnel/ses (JSON and .eml), the seed's NotificationManager code
unmodified, and durability of a captured mail across kill -9."""
import base64
import email
import email.policy
import json
import os
import re
import unittest
import urllib.error
import urllib.request

import botocore

import harness

MESSAGE_ID = re.compile(r"^0100[0-9a-f]{12}-" + harness.UUID + r"-000000$")


def captured(server, query=""):
    with urllib.request.urlopen(server.endpoint + "/_runnel/ses" + query, timeout=10) as r:
        return json.loads(r.read())["messages"]


def eml(server, message_id):
    with urllib.request.urlopen(server.endpoint + "/_runnel/ses/%s.eml" % message_id, timeout=10) as r:
        return r.headers.get("Content-Type"), r.read()


class SesTest(harness.ServerTest):
    def setUp(self):
        super().setUp()
        self.ses = self.server.client("ses")
        self.v2 = self.server.client("sesv2")

    def send(self, source="me@shop.test", to=("you@example.com",), subject="Hello", text="Hi there", html=None,
             **kw):
        body = {"Text": {"Data": text}}
        if html is not None:
            body["Html"] = {"Data": html}
        return self.ses.send_email(Source=source, Destination={"ToAddresses": list(to), **kw},
                                   Message={"Subject": {"Data": subject}, "Body": body})["MessageId"]


class TestIdentities(SesTest):
    def test_unverified_source_is_rejected_with_aws_message(self):
        msg = self.assertError("MessageRejected", self.send)
        self.assertEqual(msg, "Email address is not verified. The following identities failed the check in region "
                              "US-EAST-1: me@shop.test")
        self.assertEqual(captured(self.server), [])

    def test_verified_at_once(self):
        self.ses.verify_email_identity(EmailAddress="me@shop.test")
        self.ses.verify_email_address(EmailAddress="old@shop.test")
        token = self.ses.verify_domain_identity(Domain="brand.test")["VerificationToken"]
        self.assertEqual(len(base64.b64decode(token)), 32)
        attrs = self.ses.get_identity_verification_attributes(
            Identities=["me@shop.test", "old@shop.test", "brand.test", "unknown@x.test"])["VerificationAttributes"]
        self.assertEqual(attrs, {"me@shop.test": {"VerificationStatus": "Success"},
                                 "old@shop.test": {"VerificationStatus": "Success"},
                                 "brand.test": {"VerificationStatus": "Success", "VerificationToken": token}})

    def test_domain_verifies_every_address_at_it(self):
        self.ses.verify_domain_identity(Domain="Shop.test")
        self.assertTrue(MESSAGE_ID.match(self.send(source="Sales <sales@shop.test>")))
        self.assertError("MessageRejected", self.send, source="sales@other.test")

    def test_list_identities_by_type_and_pages(self):
        for a in ("a@x.test", "b@x.test", "c@x.test"):
            self.ses.verify_email_identity(EmailAddress=a)
        self.ses.verify_domain_identity(Domain="x.test")
        self.assertEqual(self.ses.list_identities(IdentityType="Domain")["Identities"], ["x.test"])
        self.assertEqual(sorted(self.ses.list_identities(IdentityType="EmailAddress")["Identities"]),
                         ["a@x.test", "b@x.test", "c@x.test"])
        seen, token = [], None
        while True:
            kw = {"NextToken": token} if token else {}
            page = self.ses.list_identities(MaxItems=2, **kw)
            self.assertLessEqual(len(page["Identities"]), 2)
            seen += page["Identities"]
            token = page.get("NextToken")
            if not token:
                break
        self.assertEqual(sorted(seen), ["a@x.test", "b@x.test", "c@x.test", "x.test"])

    def test_delete_identity_stops_sending(self):
        self.ses.verify_email_identity(EmailAddress="me@shop.test")
        self.send()
        self.ses.delete_identity(Identity="me@shop.test")
        self.ses.delete_identity(Identity="me@shop.test")  # AWS: no error for what is gone
        self.assertEqual(self.ses.list_identities()["Identities"], [])
        self.assertError("MessageRejected", self.send)

    def test_invalid_address(self):
        msg = self.assertError("InvalidParameterValue", self.ses.verify_email_identity, EmailAddress="nobody")
        self.assertEqual(msg, "Missing final '@domain'")

    def test_missing_member_is_a_validation_error(self):
        ses = self.server.client("ses", validate=False)
        msg = self.assertError("ValidationError", ses.send_email, Destination={"ToAddresses": ["a@b.test"]},
                               Message={"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "t"}}})
        self.assertEqual(msg, "1 validation error detected: Value null at 'source' failed to satisfy constraint: "
                              "Member must not be null")


class TestSending(SesTest):
    def setUp(self):
        super().setUp()
        self.ses.verify_email_identity(EmailAddress="me@shop.test")

    def test_send_email_is_captured_with_its_mime(self):
        mid = self.send(source="Zoë Shop <me@shop.test>", to=["you@example.com"], CcAddresses=["cc@example.com"],
                        BccAddresses=["bcc@example.com"], subject="Your order — №42", text="Thanks ü\nLine 2",
                        html="<p>Thanks</p>")
        self.assertTrue(MESSAGE_ID.match(mid), mid)
        [m] = captured(self.server)
        self.assertEqual(m["id"], mid)
        self.assertEqual(m["source"], "Zoë Shop <me@shop.test>")
        self.assertEqual(m["destinations"], ["you@example.com", "cc@example.com", "bcc@example.com"])
        self.assertEqual((m["subject"], m["text"], m["html"]), ("Your order — №42", "Thanks ü\nLine 2",
                                                                "<p>Thanks</p>"))
        self.assertRegex(m["time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
        ctype, raw = eml(self.server, mid)
        self.assertEqual(ctype, "message/rfc822")
        self.assertEqual(raw.decode(), m["raw"])
        self.assertTrue(all(b < 128 for b in raw), "a MIME message is 7-bit here")
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        self.assertEqual(str(msg["Subject"]), "Your order — №42")
        self.assertEqual(msg["From"].addresses[0].display_name, "Zoë Shop")
        self.assertEqual(msg["To"].addresses[0].addr_spec, "you@example.com")
        self.assertEqual(msg["Cc"].addresses[0].addr_spec, "cc@example.com")
        self.assertIsNone(msg["Bcc"])
        self.assertEqual(msg["Message-ID"], "<%s@email.amazonses.com>" % mid)
        self.assertIsNotNone(msg["Date"])
        self.assertEqual(msg.get_content_type(), "multipart/alternative")
        self.assertEqual(msg.get_body(("plain",)).get_content().replace("\r\n", "\n").rstrip("\n"), "Thanks ü\nLine 2")
        self.assertEqual(msg.get_body(("html",)).get_content().strip(), "<p>Thanks</p>")

    def test_long_text_is_quoted_printable_within_76_columns(self):
        mid = self.send(text="x" * 300 + " é " + "=" * 40)
        _, raw = eml(self.server, mid)
        body = raw.split(b"\r\n\r\n", 1)[1]
        self.assertTrue(all(len(line) <= 76 for line in body.split(b"\r\n")), body)
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        self.assertEqual(msg["Content-Transfer-Encoding"], "quoted-printable")
        self.assertEqual(msg.get_content().rstrip("\r\n"), "x" * 300 + " é " + "=" * 40)

    def test_recipient_limits(self):
        msg = self.assertError("InvalidParameterValue", self.send, to=["r%d@x.test" % i for i in range(51)])
        self.assertEqual(msg, "Recipient count exceeds 50.")
        msg = self.assertError("InvalidParameterValue", self.send, to=[])
        self.assertEqual(msg, "Missing required header 'To'.")
        self.send(to=["r%d@x.test" % i for i in range(50)])

    def test_send_raw_email_defaults_to_its_headers(self):
        raw = ("From: Me <me@shop.test>\r\nTo: a@x.test, \"B, Person\" <b@x.test>\r\nCc: c@x.test\r\n"
               "Bcc: d@x.test\r\nSubject: =?UTF-8?B?w6l0w6k=?= report\r\nMIME-Version: 1.0\r\n"
               "Content-Type: multipart/mixed; boundary=\"OUT\"\r\n\r\n--OUT\r\n"
               "Content-Type: multipart/alternative; boundary=\"IN\"\r\n\r\n--IN\r\n"
               "Content-Type: text/plain; charset=ISO-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
               "caf=E9\r\n--IN\r\nContent-Type: text/html; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
               + base64.b64encode("<b>café</b>".encode()).decode() + "\r\n--IN--\r\n--OUT\r\n"
               "Content-Type: text/plain\r\nContent-Disposition: attachment; filename=a.txt\r\n\r\nnot the body\r\n"
               "--OUT--\r\n")
        mid = self.ses.send_raw_email(RawMessage={"Data": raw.encode()})["MessageId"]
        [m] = captured(self.server)
        self.assertEqual(m["id"], mid)
        self.assertEqual(m["source"], "Me <me@shop.test>")
        self.assertEqual(m["destinations"], ["a@x.test", "b@x.test", "c@x.test", "d@x.test"])
        self.assertEqual((m["subject"], m["text"], m["html"]), ("été report", "café", "<b>café</b>"))
        _, got = eml(self.server, mid)
        self.assertTrue(got.endswith(raw.encode()))
        self.assertIn(b"Message-ID: <%s@email.amazonses.com>" % mid.encode(), got)
        mid2 = self.ses.send_raw_email(Source="me@shop.test", Destinations=["only@x.test"],
                                       RawMessage={"Data": raw.encode()})["MessageId"]
        self.assertEqual(captured(self.server)[-1]["destinations"], ["only@x.test"])
        self.assertNotEqual(mid, mid2)
        msg = self.assertError("MessageRejected", self.ses.send_raw_email,
                               RawMessage={"Data": raw.replace("me@shop.test", "x@evil.test").encode()})
        self.assertTrue(msg.endswith(": x@evil.test"), msg)

    def test_send_quota_and_statistics_count_recipients(self):
        q = self.ses.get_send_quota()
        self.assertEqual((q["Max24HourSend"], q["MaxSendRate"], q["SentLast24Hours"]), (200.0, 1.0, 0.0))
        self.send(to=["a@x.test", "b@x.test"])
        self.send()
        self.assertEqual(self.ses.get_send_quota()["SentLast24Hours"], 3.0)
        points = self.ses.get_send_statistics()["SendDataPoints"]
        self.assertEqual(sum(p["DeliveryAttempts"] for p in points), 3)
        self.assertTrue(all(p["Bounces"] == p["Complaints"] == p["Rejects"] == 0 for p in points))
        self.advance(25 * 3600)
        self.assertEqual(self.ses.get_send_quota()["SentLast24Hours"], 0.0)
        self.assertEqual(self.v2.get_account()["SendQuota"],
                         {"Max24HourSend": 200.0, "MaxSendRate": 1.0, "SentLast24Hours": 0.0})

    def test_capture_page_limit_and_unknown_id(self):
        ids = [self.send(subject="s%d" % i) for i in range(3)]
        self.assertEqual([m["id"] for m in captured(self.server)], ids)
        self.assertEqual([m["subject"] for m in captured(self.server, "?limit=2")], ["s1", "s2"])
        with self.assertRaises(urllib.error.HTTPError) as cm:
            eml(self.server, "0100000000000000-nope-000000")
        self.assertEqual(cm.exception.code, 404)

    def test_seed_notification_manager_send_email_unmodified(self):
        """The seed's send_email call (NotificationManager), verbatim, with the
        endpoint from AWS_ENDPOINT_URL as the seed's code expects."""
        from seed_code import NotificationManager, reaching
        self.ses.verify_domain_identity(Domain="ecommerce.com")
        with reaching(self.server):
            NotificationManager().send_order_confirmation("c-9", {"order_id": "o-1"})
        [m] = captured(self.server)
        self.assertEqual(m["source"], "noreply@ecommerce.com")
        self.assertEqual(m["destinations"], ["customer+c-9@example.com"])
        self.assertEqual(m["subject"], "Order Confirmation - o-1")
        self.assertEqual(m["text"], "Your order o-1 has been confirmed.")


class TestTemplates(SesTest):
    def setUp(self):
        super().setUp()
        self.ses.verify_email_identity(EmailAddress="me@shop.test")
        self.ses.create_template(Template={"TemplateName": "order", "SubjectPart": "Order {{order.id}}",
                                           "TextPart": "Dear {{name}}, total {{total}}",
                                           "HtmlPart": "<p>{{name}}</p>{{{raw}}}"})

    def test_crud_and_errors(self):
        msg = self.assertError("AlreadyExists", self.ses.create_template,
                               Template={"TemplateName": "order", "SubjectPart": "x"})
        self.assertEqual(msg, "Template order already exists.")
        self.assertEqual(self.ses.get_template(TemplateName="order")["Template"]["SubjectPart"], "Order {{order.id}}")
        self.ses.update_template(Template={"TemplateName": "order", "SubjectPart": "New {{name}}"})
        t = self.ses.get_template(TemplateName="order")["Template"]
        self.assertEqual((t["SubjectPart"], t.get("TextPart")), ("New {{name}}", None))
        msg = self.assertError("TemplateDoesNotExist", self.ses.get_template, TemplateName="nope")
        self.assertEqual(msg, "Template nope does not exist.")
        self.assertError("TemplateDoesNotExist", self.ses.update_template,
                         Template={"TemplateName": "nope", "SubjectPart": "x"})
        for i in range(3):
            self.ses.create_template(Template={"TemplateName": "t%d" % i, "SubjectPart": "s"})
        page = self.ses.list_templates(MaxItems=2)
        self.assertEqual([t["Name"] for t in page["TemplatesMetadata"]], ["order", "t0"])
        rest = self.ses.list_templates(NextToken=page["NextToken"])["TemplatesMetadata"]
        self.assertEqual([t["Name"] for t in rest], ["t1", "t2"])
        self.ses.delete_template(TemplateName="t0")
        self.ses.delete_template(TemplateName="t0")
        self.assertEqual(len(self.ses.list_templates()["TemplatesMetadata"]), 3)

    def test_send_templated_renders_with_html_escaping(self):
        mid = self.ses.send_templated_email(Source="me@shop.test", Destination={"ToAddresses": ["a@x.test"]},
                                            Template="order", TemplateData=json.dumps(
                                                {"order": {"id": 42}, "name": "A & <B>", "total": 9.5,
                                                 "raw": "<i>kept</i>"}))["MessageId"]
        [m] = captured(self.server)
        self.assertEqual(m["id"], mid)
        self.assertEqual(m["subject"], "Order 42")
        self.assertEqual(m["text"], "Dear A & <B>, total 9.5")
        self.assertEqual(m["html"], "<p>A &amp; &lt;B&gt;</p><i>kept</i>")

    def test_template_errors(self):
        msg = self.assertError("TemplateDoesNotExist", self.ses.send_templated_email, Source="me@shop.test",
                               Destination={"ToAddresses": ["a@x.test"]}, Template="nope", TemplateData="{}")
        self.assertEqual(msg, "Template nope does not exist.")
        self.assertError("InvalidParameterValue", self.ses.send_templated_email, Source="me@shop.test",
                         Destination={"ToAddresses": ["a@x.test"]}, Template="order", TemplateData="{not json")

    def test_missing_attribute_is_accepted_but_not_delivered(self):
        mid = self.ses.send_templated_email(Source="me@shop.test", Destination={"ToAddresses": ["a@x.test"]},
                                            Template="order", TemplateData='{"name": "A"}')["MessageId"]
        [m] = captured(self.server)
        self.assertEqual(m["id"], mid)
        self.assertEqual(m["renderingFailure"], "Attribute 'order.id' is not present in the rendering data.")
        self.assertEqual(m["raw"], "")
        self.assertEqual(self.ses.get_send_quota()["SentLast24Hours"], 0.0)


class TestV2(SesTest):
    def test_identities(self):
        out = self.v2.create_email_identity(EmailIdentity="v2@shop.test")
        self.assertEqual((out["IdentityType"], out["VerifiedForSendingStatus"]), ("EMAIL_ADDRESS", True))
        out = self.v2.create_email_identity(EmailIdentity="brand.test")
        self.assertEqual(out["IdentityType"], "DOMAIN")
        self.assertEqual(len(out["DkimAttributes"]["Tokens"]), 3)
        msg = self.assertError("AlreadyExistsException", self.v2.create_email_identity, EmailIdentity="brand.test")
        self.assertIn("brand.test", msg)
        got = self.v2.get_email_identity(EmailIdentity="v2@shop.test")
        self.assertEqual((got["VerificationStatus"], got["VerifiedForSendingStatus"]), ("SUCCESS", True))
        names = {i["IdentityName"]: i for i in self.v2.list_email_identities()["EmailIdentities"]}
        self.assertEqual(set(names), {"v2@shop.test", "brand.test"})
        self.assertEqual(names["brand.test"]["IdentityType"], "DOMAIN")
        # one state: v1 sees v2's identities
        self.assertEqual(sorted(self.ses.list_identities()["Identities"]), ["brand.test", "v2@shop.test"])
        self.v2.delete_email_identity(EmailIdentity="v2@shop.test")
        self.assertError("NotFoundException", self.v2.delete_email_identity, EmailIdentity="v2@shop.test")
        self.assertError("NotFoundException", self.v2.get_email_identity, EmailIdentity="v2@shop.test")

    def test_send_simple_raw_and_template(self):
        self.ses.verify_email_identity(EmailAddress="me@shop.test")  # v1 verifies, v2 sends
        dest = {"ToAddresses": ["a@x.test"]}
        simple = {"Subject": {"Data": "simple"}, "Body": {"Html": {"Data": "<b>hi</b>"}}}
        headers = "Headers" in self.v2.meta.service_model.shape_for("Message").members  # newer models only
        if headers:
            simple["Headers"] = [{"Name": "X-Order", "Value": "42"}]
        m1 = self.v2.send_email(FromEmailAddress="me@shop.test", Destination=dest,
                                Content={"Simple": simple})["MessageId"]
        raw = b"From: me@shop.test\r\nTo: r@x.test\r\nSubject: raw one\r\n\r\nraw body"
        m2 = self.v2.send_email(Content={"Raw": {"Data": raw}})["MessageId"]
        self.v2.create_email_template(TemplateName="greet", TemplateContent={"Subject": "Hi {{n}}", "Text": "T {{n}}"})
        m3 = self.v2.send_email(FromEmailAddress="me@shop.test", Destination=dest,
                                Content={"Template": {"TemplateName": "greet", "TemplateData": '{"n": "Ann"}'}})["MessageId"]
        m4 = self.ses.send_templated_email(Source="me@shop.test", Destination=dest, Template="greet",
                                           TemplateData='{"n": "Bo"}')["MessageId"]
        for mid in (m1, m2, m3, m4):
            self.assertTrue(MESSAGE_ID.match(mid), mid)
        got = {m["id"]: m for m in captured(self.server)}
        self.assertEqual((got[m1]["subject"], got[m1]["html"], got[m1]["text"]), ("simple", "<b>hi</b>", None))
        if headers:
            self.assertIn("X-Order: 42\r\n", got[m1]["raw"])
        self.assertEqual((got[m2]["subject"], got[m2]["destinations"], got[m2]["source"]),
                         ("raw one", ["r@x.test"], "me@shop.test"))
        self.assertEqual((got[m3]["subject"], got[m3]["text"]), ("Hi Ann", "T Ann"))
        self.assertEqual(got[m4]["subject"], "Hi Bo")
        msg = self.assertError("MessageRejected", self.v2.send_email, FromEmailAddress="no@evil.test",
                               Destination=dest, Content={"Simple": {"Subject": {"Data": "s"},
                                                                     "Body": {"Text": {"Data": "t"}}}})
        self.assertIn("no@evil.test", msg)
        msg = self.assertError("BadRequestException", self.v2.send_email, FromEmailAddress="me@shop.test",
                               Destination=dest,
                               Content={"Template": {"TemplateName": "greet", "TemplateData": "{bad"}})
        self.assertEqual(msg, "Unable to parse template data (invalid JSON).")
        self.assertError("NotFoundException", self.v2.send_email, FromEmailAddress="me@shop.test", Destination=dest,
                         Content={"Template": {"TemplateName": "nope", "TemplateData": "{}"}})

    def test_templates(self):
        self.v2.create_email_template(TemplateName="a", TemplateContent={"Subject": "s", "Html": "<p/>"})
        self.assertError("AlreadyExistsException", self.v2.create_email_template, TemplateName="a",
                         TemplateContent={"Subject": "s"})
        got = self.v2.get_email_template(TemplateName="a")
        self.assertEqual(got["TemplateContent"], {"Subject": "s", "Html": "<p/>"})
        self.v2.update_email_template(TemplateName="a", TemplateContent={"Subject": "s2", "Text": "t"})
        self.assertEqual(self.ses.get_template(TemplateName="a")["Template"],
                         {"TemplateName": "a", "SubjectPart": "s2", "TextPart": "t"})
        self.assertEqual([t["TemplateName"] for t in self.v2.list_email_templates()["TemplatesMetadata"]], ["a"])
        self.v2.delete_email_template(TemplateName="a")
        self.assertError("NotFoundException", self.v2.get_email_template, TemplateName="a")
        self.assertError("NotFoundException", self.v2.delete_email_template, TemplateName="a")
        self.assertError("NotFoundException", self.v2.update_email_template, TemplateName="a",
                         TemplateContent={"Subject": "x"})


class TestDurability(unittest.TestCase):
    def test_captured_mail_survives_kill_9(self):
        with harness.DataDir("runnel-ses-") as d:
            server = d.start()
            ses = server.client("ses")
            ses.verify_domain_identity(Domain="shop.test")
            ses.create_template(Template={"TemplateName": "t", "SubjectPart": "S {{x}}"})
            ids = [ses.send_email(Source="me@shop.test", Destination={"ToAddresses": ["a@x.test"]},
                                  Message={"Subject": {"Data": "m%d" % i}, "Body": {"Text": {"Data": "b"}}})["MessageId"]
                   for i in range(5)]
            _, raw = eml(server, ids[-1])
            server.kill()
            server = d.start()
            ses = server.client("ses")
            self.assertEqual([m["id"] for m in captured(server)], ids)
            self.assertEqual(eml(server, ids[-1])[1], raw)
            self.assertEqual(ses.list_identities()["Identities"], ["shop.test"])
            self.assertEqual(ses.get_template(TemplateName="t")["Template"]["SubjectPart"], "S {{x}}")
            self.assertEqual(ses.get_send_quota()["SentLast24Hours"], 5.0)
            server.stop()


if __name__ == "__main__":
    unittest.main()
