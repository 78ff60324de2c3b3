/* SPDX-License-Identifier: MIT
 * Sending, for both faces: v1 SendEmail, SendTemplatedEmail and
 * SendRawEmail, v2 SendEmail with Simple, Template or Raw content, and the
 * sending quota and statistics. Each accepted mail is checked as SES checks
 * it (required members, addresses, 1 to 50 recipients, a verified sender,
 * 10 MB of MIME), written as the MIME SES would send (ses/mime_build.c) or
 * read from the raw MIME given (ses/mime_parse.c), and captured
 * (ses/capture.c); nothing leaves the machine. A template that cannot be
 * rendered (an attribute missing from the data) is accepted and not
 * delivered, as on AWS, and captured with its rendering failure. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/base64.h"
#include "core/clock.h"
#include "core/mem.h"
#include "core/params.h"
#include "ses/mime.h"
#include "ses/ses_int.h"

#define DAY_MS (24LL * 3600 * 1000)
#define BUCKET_MS (15LL * 60 * 1000)
#define STATS_MS (14 * DAY_MS)

/* A mail on its way: what the call gave, once checked. All borrowed. */
typedef struct outgoing {
    const char *op;
    const char *source;
    const json_t *to, *cc, *bcc, *reply_to; /* arrays of addresses, or NULL */
    const json_t *headers;                  /* v2: [{"Name", "Value"}], or NULL */
    const char *subject, *text, *html;
} outgoing_t;

/* InvalidParameterValue (v1) or BadRequestException (v2) with text. */
static int fail_param(rn_call_t *c, const char *text)
{
    return rn_call_fail(c, ses_is_v2(c) ? SES_ERR_V2_BAD_REQUEST : RN_ERR_INVALID_PARAMETER, "%s", text);
}

static int check_list(rn_call_t *c, const json_t *list, size_t *count)
{
    size_t i;
    json_t *a;
    json_array_foreach(list, i, a)
    {
        if (!json_is_string(a) || ses_check_address(c, json_string_value(a)) < 0)
            return c->err ? c->err : fail_param(c, "Missing final '@domain'");
        (*count)++;
    }
    return 0;
}

/* Checks the sender and the recipients; 0 or the call's error. */
static int check_addresses(ses_t *s, rn_call_t *c, const char *source, const json_t *to, const json_t *cc,
                           const json_t *bcc, const json_t *reply_to, size_t *count)
{
    size_t n = 0, ignored = 0;
    if (ses_check_address(c, source) < 0 || check_list(c, to, &n) < 0 || check_list(c, cc, &n) < 0 ||
        check_list(c, bcc, &n) < 0 || check_list(c, reply_to, &ignored) < 0)
        return c->err;
    if (n == 0)
        return fail_param(c, "Missing required header 'To'.");
    if (n > SES_MAX_RECIPIENTS)
        return fail_param(c, "Recipient count exceeds 50.");
    if (!ses_may_send(s, source))
        return ses_reject_unverified(s, c, source);
    if (count)
        *count = n;
    return 0;
}

/* The addresses of a list as a NULL-terminated array of borrowed strings
 * (caller frees the array), or NULL when there are none or out of memory. */
static const char **strings_of(const json_t *list)
{
    size_t n = json_array_size(list);
    const char **v = n ? rn_calloc(n + 1, sizeof *v) : NULL;
    for (size_t i = 0; v && i < n; i++)
        v[i] = json_string_value(json_array_get(list, i));
    return v;
}

/* The destinations of a mail: To, Cc, then Bcc. A new array, or NULL. */
static json_t *destinations_of(const json_t *to, const json_t *cc, const json_t *bcc)
{
    json_t *d = json_array();
    if (d && ((to && json_array_extend(d, (json_t *)to) < 0) || (cc && json_array_extend(d, (json_t *)cc) < 0) ||
              (bcc && json_array_extend(d, (json_t *)bcc) < 0))) {
        json_decref(d);
        return NULL;
    }
    return d;
}

static int too_long(rn_call_t *c, size_t len)
{
    char text[96];
    snprintf(text, sizeof text, "Message length is more than %d bytes long: '%zu'.", SES_MAX_MESSAGE, len);
    return fail_param(c, text);
}

/* Builds, captures and answers a checked simple or templated mail. */
static int deliver(ses_t *s, rn_call_t *c, const outgoing_t *o)
{
    char id[64];
    ses_message_id(id);
    int64_t now = rn_now_ms();
    const char **to = strings_of(o->to), **cc = strings_of(o->cc), **reply = strings_of(o->reply_to);
    size_t nh = json_array_size(o->headers);
    char **extra = nh ? rn_calloc(nh + 1, sizeof *extra) : NULL;
    for (size_t i = 0; extra && i < nh; i++) {
        const json_t *h = json_array_get(o->headers, i);
        const char *name = rn_param_str(h, "Name"), *value = rn_param_str(h, "Value");
        size_t k = strlen(name ? name : "") + strlen(value ? value : "") + 3;
        if ((extra[i] = rn_malloc(k)))
            snprintf(extra[i], k, "%s: %s", name ? name : "", value ? value : "");
    }
    ses_mime_out_t mo = {o->source, to, cc, reply, o->subject, o->text, o->html, (const char *const *)extra, id, now};
    size_t len = 0;
    char *raw = ses_mime_build(&mo, &len);
    json_t *dest = destinations_of(o->to, o->cc, o->bcc);
    int rc = raw && dest ? 0 : ses_nomem(c);
    if (rc == 0 && len > SES_MAX_MESSAGE)
        rc = too_long(c, len);
    if (rc == 0) {
        ses_mail_t m = {o->op, o->source, dest, o->subject, o->text, o->html, raw, len, NULL};
        if (ses_capture(s, id, now, &m) < 0 || !(c->out = json_pack("{s:s}", "MessageId", id)))
            rc = ses_nomem(c);
    }
    for (size_t i = 0; extra && i < nh; i++)
        rn_free(extra[i]);
    rn_free(extra);
    rn_free(to);
    rn_free(cc);
    rn_free(reply);
    rn_free(raw);
    json_decref(dest);
    return rc;
}

/* Renders a template's parts with data and delivers the result; a missing
 * attribute is captured as a rendering failure and still answered with a
 * MessageId. */
static int deliver_template(ses_t *s, rn_call_t *c, outgoing_t *o, const char *subject, const char *text,
                            const char *html, const json_t *data)
{
    char missing[256] = "";
    char *rs = subject ? ses_render(subject, data, 0, missing, sizeof missing) : NULL;
    char *rt = !missing[0] && text ? ses_render(text, data, 0, missing, sizeof missing) : NULL;
    char *rh = !missing[0] && html ? ses_render(html, data, 1, missing, sizeof missing) : NULL;
    int rc;
    if (missing[0]) {
        char id[64], why[400];
        ses_message_id(id);
        snprintf(why, sizeof why, "Attribute '%s' is not present in the rendering data.", missing);
        json_t *dest = destinations_of(o->to, o->cc, o->bcc);
        ses_mail_t m = {o->op, o->source, dest, NULL, NULL, NULL, NULL, 0, why};
        rc = dest && ses_capture(s, id, rn_now_ms(), &m) == 0 && (c->out = json_pack("{s:s}", "MessageId", id))
                 ? 0
                 : ses_nomem(c);
        json_decref(dest);
    } else if ((subject && !rs) || (text && !rt) || (html && !rh)) {
        rc = ses_nomem(c);
    } else {
        o->subject = rs;
        o->text = rt;
        o->html = rh;
        rc = deliver(s, c, o);
    }
    rn_free(rs);
    rn_free(rt);
    rn_free(rh);
    return rc;
}

/* TemplateData as an object: a new reference, or NULL with the call failed. */
static json_t *template_data(rn_call_t *c, const char *text)
{
    json_t *data = json_loads(text ? text : "{}", JSON_REJECT_DUPLICATES, NULL);
    if (json_is_object(data))
        return data;
    json_decref(data);
    if (ses_is_v2(c))
        rn_call_fail(c, SES_ERR_V2_BAD_REQUEST, "Unable to parse template data (invalid JSON).");
    else
        rn_call_fail(c, RN_ERR_INVALID_PARAMETER, "The template data is invalid");
    return NULL;
}

/* Notes that member at.part must be present. */
static void require_at(ses_violations_t *v, const char *at, const char *part, const json_t *val)
{
    char path[96];
    snprintf(path, sizeof path, "%s.%s", at, part);
    ses_require(v, path, val);
}

/* Reads a message's Subject and Body (v1's Message, v2's Simple content) at
 * AWS's path `at` into o, noting what is missing. */
static void read_message(ses_violations_t *v, const char *at, const json_t *msg, outgoing_t *o)
{
    const json_t *subject = json_object_get(msg, "Subject"), *body = json_object_get(msg, "Body");
    const json_t *text = json_object_get(body, "Text"), *html = json_object_get(body, "Html");
    require_at(v, at, "subject", subject);
    require_at(v, at, "body", body);
    if (subject)
        require_at(v, at, "subject.data", ses_str(subject, "Data"));
    if (text)
        require_at(v, at, "body.text.data", ses_str(text, "Data"));
    if (html)
        require_at(v, at, "body.html.data", ses_str(html, "Data"));
    o->subject = rn_param_str(subject, "Data");
    o->text = rn_param_str(text, "Data");
    o->html = rn_param_str(html, "Data");
}

/* ---- v1 ---- */

int ses_op_send_email(ses_t *s, rn_call_t *c)
{
    const json_t *dest = json_object_get(c->in, "Destination"), *msg = json_object_get(c->in, "Message");
    ses_violations_t v = {0};
    ses_require(&v, "source", ses_str(c->in, "Source"));
    ses_require(&v, "destination", dest);
    ses_require(&v, "message", msg);
    outgoing_t o = {"SendEmail", rn_param_str(c->in, "Source"), json_object_get(dest, "ToAddresses"),
                    json_object_get(dest, "CcAddresses"), json_object_get(dest, "BccAddresses"),
                    json_object_get(c->in, "ReplyToAddresses"), NULL, NULL, NULL, NULL};
    if (msg)
        read_message(&v, "message", msg, &o);
    if (ses_violations_fail(c, &v) < 0 || check_addresses(s, c, o.source, o.to, o.cc, o.bcc, o.reply_to, NULL) < 0)
        return c->err;
    return deliver(s, c, &o);
}

int ses_op_send_templated(ses_t *s, rn_call_t *c)
{
    const json_t *dest = json_object_get(c->in, "Destination");
    ses_violations_t v = {0};
    ses_require(&v, "source", ses_str(c->in, "Source"));
    ses_require(&v, "destination", dest);
    ses_require(&v, "template", ses_str(c->in, "Template"));
    ses_require(&v, "templateData", ses_str(c->in, "TemplateData"));
    if (ses_violations_fail(c, &v) < 0)
        return c->err;
    outgoing_t o = {"SendTemplatedEmail", rn_param_str(c->in, "Source"), json_object_get(dest, "ToAddresses"),
                    json_object_get(dest, "CcAddresses"), json_object_get(dest, "BccAddresses"),
                    json_object_get(c->in, "ReplyToAddresses"), NULL, NULL, NULL, NULL};
    if (check_addresses(s, c, o.source, o.to, o.cc, o.bcc, o.reply_to, NULL) < 0)
        return c->err;
    const char *name = rn_param_str(c->in, "Template");
    const json_t *tpl = json_object_get(s->tpls, name);
    if (!tpl)
        return rn_call_fail(c, SES_ERR_TEMPLATE_MISSING, "Template %s does not exist.", name);
    json_t *data = template_data(c, rn_param_str(c->in, "TemplateData"));
    if (!data)
        return c->err;
    int rc = deliver_template(s, c, &o, rn_param_str(tpl, "subject"), rn_param_str(tpl, "text"),
                              rn_param_str(tpl, "html"), data);
    json_decref(data);
    return rc;
}

/* Sends raw MIME (base64 in b64): the sender is `source` or the From
 * header, the recipients `explicit` (when not empty) or To, Cc and Bcc. */
static int send_raw(ses_t *s, rn_call_t *c, const char *op, const char *b64, const char *source,
                    const json_t *explicit_dest)
{
    unsigned char *raw = NULL;
    size_t len = 0;
    if (rn_b64_decode(b64, strlen(b64), &raw, &len) < 0)
        return fail_param(c, "Could not decode the raw message: it must be base64.");
    ses_mime_t mime;
    json_t *dest = NULL;
    int rc = 0;
    if (len > SES_MAX_MESSAGE) {
        rn_free(raw);
        return too_long(c, len);
    }
    if (ses_mime_parse((const char *)raw, len, &mime) < 0) {
        rn_free(raw);
        return ses_nomem(c);
    }
    if (!source)
        source = mime.from;
    if (!source) {
        rc = fail_param(c, "Missing required header 'From'.");
        goto out;
    }
    if (json_array_size(explicit_dest)) {
        dest = json_incref((json_t *)explicit_dest);
    } else {
        dest = json_array();
        for (size_t i = 0; dest && i < mime.nrcpt; i++)
            json_array_append_new(dest, json_string(mime.rcpt[i]));
    }
    if (!dest) {
        rc = ses_nomem(c);
        goto out;
    }
    if (check_addresses(s, c, source, dest, NULL, NULL, NULL, NULL) < 0) {
        rc = c->err;
        goto out;
    }
    char id[64], head[400], date[64];
    ses_message_id(id);
    int64_t now = rn_now_ms();
    /* SES adds the Message-ID and Date a message lacks */
    time_t t = (time_t)(now / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    int hl = snprintf(head, sizeof head, "%s%s%s%s%s%s", mime.has_message_id ? "" : "Message-ID: <",
                      mime.has_message_id ? "" : id, mime.has_message_id ? "" : "@email.amazonses.com>\r\n",
                      mime.has_date ? "" : "Date: ", mime.has_date ? "" : date, mime.has_date ? "" : "\r\n");
    char *full = rn_malloc((size_t)hl + len + 1);
    if (!full) {
        rc = ses_nomem(c);
        goto out;
    }
    memcpy(full, head, (size_t)hl);
    memcpy(full + hl, raw, len);
    full[(size_t)hl + len] = '\0';
    ses_mail_t m = {op, source, dest, mime.subject, mime.text, mime.html, full, (size_t)hl + len, NULL};
    if (ses_capture(s, id, now, &m) < 0 || !(c->out = json_pack("{s:s}", "MessageId", id)))
        rc = ses_nomem(c);
    rn_free(full);
out:
    json_decref(dest);
    ses_mime_free(&mime);
    rn_free(raw);
    return rc;
}

int ses_op_send_raw(ses_t *s, rn_call_t *c)
{
    const json_t *msg = json_object_get(c->in, "RawMessage");
    ses_violations_t v = {0};
    ses_require(&v, "rawMessage", msg);
    if (msg)
        ses_require(&v, "rawMessage.data", ses_str(msg, "Data"));
    if (ses_violations_fail(c, &v) < 0)
        return c->err;
    return send_raw(s, c, "SendRawEmail", rn_param_str(msg, "Data"), rn_param_str(c->in, "Source"),
                    json_object_get(c->in, "Destinations"));
}

/* ---- v2 ---- */

/* The template a v2 Template content names (by name, or by ARN ending in
 * "template/NAME"), or NULL with the call failed. */
static const json_t *v2_template(ses_t *s, rn_call_t *c, const json_t *t)
{
    const char *name = rn_param_str(t, "TemplateName");
    const char *arn = rn_param_str(t, "TemplateArn");
    if (!name && arn && strstr(arn, ":template/"))
        name = strstr(arn, ":template/") + 10;
    if (!name) {
        rn_call_fail(c, SES_ERR_V2_BAD_REQUEST, "Either TemplateName, TemplateArn or TemplateContent must be given.");
        return NULL;
    }
    const json_t *tpl = json_object_get(s->tpls, name);
    if (!tpl)
        rn_call_fail(c, SES_ERR_V2_NOT_FOUND, "Template %s does not exist.", name);
    return tpl;
}

int ses_op_v2_send(ses_t *s, rn_call_t *c)
{
    const json_t *content = json_object_get(c->in, "Content"), *dest = json_object_get(c->in, "Destination");
    const json_t *simple = json_object_get(content, "Simple"), *raw = json_object_get(content, "Raw"),
                 *tmpl = json_object_get(content, "Template");
    const char *from = rn_param_str(c->in, "FromEmailAddress");
    ses_violations_t v = {0};
    ses_require(&v, "content", content);
    if (ses_violations_fail(c, &v) < 0)
        return c->err;
    if (!!simple + !!raw + !!tmpl != 1)
        return rn_call_fail(c, SES_ERR_V2_BAD_REQUEST, "Exactly one of Simple, Raw or Template content must be given.");
    if (raw) {
        ses_require(&v, "content.raw.data", ses_str(raw, "Data"));
        if (ses_violations_fail(c, &v) < 0)
            return c->err;
        json_t *d = destinations_of(json_object_get(dest, "ToAddresses"), json_object_get(dest, "CcAddresses"),
                                    json_object_get(dest, "BccAddresses"));
        int rc = d ? send_raw(s, c, "SendEmail", rn_param_str(raw, "Data"), from, d) : ses_nomem(c);
        json_decref(d);
        return rc;
    }
    if (!from)
        return rn_call_fail(c, SES_ERR_V2_BAD_REQUEST, "Missing required field FromEmailAddress.");
    const json_t *box = simple ? simple : tmpl;
    if (json_array_size(json_object_get(box, "Attachments")))
        return rn_call_fail(c, SES_ERR_V2_BAD_REQUEST, "Attachments are not supported by Runnel.");
    outgoing_t o = {"SendEmail", from, json_object_get(dest, "ToAddresses"), json_object_get(dest, "CcAddresses"),
                    json_object_get(dest, "BccAddresses"), json_object_get(c->in, "ReplyToAddresses"),
                    json_object_get(box, "Headers"), NULL, NULL, NULL};
    if (simple) {
        read_message(&v, "content.simple", simple, &o);
        if (ses_violations_fail(c, &v) < 0 || check_addresses(s, c, from, o.to, o.cc, o.bcc, o.reply_to, NULL) < 0)
            return c->err;
        return deliver(s, c, &o);
    }
    if (check_addresses(s, c, from, o.to, o.cc, o.bcc, o.reply_to, NULL) < 0)
        return c->err;
    const json_t *inline_tpl = json_object_get(tmpl, "TemplateContent");
    const json_t *tpl = NULL;
    if (!inline_tpl && !(tpl = v2_template(s, c, tmpl)))
        return c->err;
    json_t *data = template_data(c, rn_param_str(tmpl, "TemplateData"));
    if (!data)
        return c->err;
    int rc = inline_tpl ? deliver_template(s, c, &o, rn_param_str(inline_tpl, "Subject"),
                                           rn_param_str(inline_tpl, "Text"), rn_param_str(inline_tpl, "Html"), data)
                        : deliver_template(s, c, &o, rn_param_str(tpl, "subject"), rn_param_str(tpl, "text"),
                                           rn_param_str(tpl, "html"), data);
    json_decref(data);
    return rc;
}

/* ---- quota and statistics ---- */

static json_t *quota(const ses_t *s)
{
    return json_pack("{s:f,s:f,s:f}", "Max24HourSend", SES_QUOTA_24H, "MaxSendRate", SES_QUOTA_RATE,
                     "SentLast24Hours", (double)ses_sent_since(s, rn_now_ms() - DAY_MS));
}

int ses_op_send_quota(ses_t *s, rn_call_t *c)
{
    c->out = quota(s);
    return c->out ? 0 : ses_nomem(c);
}

int ses_op_send_statistics(ses_t *s, rn_call_t *c)
{
    /* one data point per 15 minutes with mail in the last two weeks, oldest first */
    int64_t since = rn_now_ms() - STATS_MS, bucket = -1, attempts = 0;
    json_t *points = json_array();
    size_t n = json_array_size(s->mails);
    for (size_t i = 0; points && i <= n; i++) {
        const json_t *m = i < n ? json_array_get(s->mails, i) : NULL;
        int64_t t = m ? json_integer_value(json_object_get(m, "time")) : 0;
        if (m && (t < since || json_object_get(m, "renderingFailure")))
            continue;
        int64_t b = m ? t - t % BUCKET_MS : -2;
        if (b != bucket && bucket >= 0)
            json_array_append_new(points, json_pack("{s:I,s:I,s:i,s:i,s:i}", "Timestamp", (json_int_t)(bucket / 1000),
                                                    "DeliveryAttempts", (json_int_t)attempts, "Bounces", 0,
                                                    "Complaints", 0, "Rejects", 0));
        if (b != bucket)
            attempts = 0;
        bucket = b;
        attempts += m ? (int64_t)json_array_size(json_object_get(m, "destinations")) : 0;
    }
    c->out = points ? json_pack("{s:o}", "SendDataPoints", points) : NULL;
    return c->out ? 0 : ses_nomem(c);
}

int ses_op_v2_get_account(ses_t *s, rn_call_t *c)
{
    c->out = json_pack("{s:b,s:s,s:b,s:o,s:b,s:{s:[]}}", "DedicatedIpAutoWarmupEnabled", 0, "EnforcementStatus",
                       "HEALTHY", "ProductionAccessEnabled", 0, "SendQuota", quota(s), "SendingEnabled", 1,
                       "SuppressionAttributes", "SuppressedReasons");
    return c->out ? 0 : ses_nomem(c);
}

/* ---- mail other services send (the "ses" sink) ---- */

int ses_deliver(ses_t *s, const char *arn, const rn_message_t *m, char *msg, size_t msglen)
{
    const char *from = strstr(arn, ":identity/");
    if (!from || !from[10]) {
        snprintf(msg, msglen, "Not an SES identity ARN: %s", arn);
        return RN_ERR_NOT_FOUND;
    }
    from += 10;
    ses_mime_t mime;
    if (ses_mime_parse(m->body, m->len, &mime) < 0)
        return RN_ERR_NOMEM;
    json_t *dest = json_array();
    for (size_t i = 0; dest && i < mime.nrcpt; i++)
        json_array_append_new(dest, json_string(mime.rcpt[i]));
    char id[64];
    ses_message_id(id);
    int rc = dest ? 0 : RN_ERR_NOMEM;
    if (rc == 0) { /* AWS's own mail (SNS notifications): no identity of the account sends it */
        ses_mail_t mail = {m->id ? m->id : "Notification", from, dest, mime.subject, mime.text, mime.html,
                           m->body, m->len, NULL};
        rc = ses_capture(s, id, rn_now_ms(), &mail);
    }
    json_decref(dest);
    ses_mime_free(&mime);
    return rc;
}
