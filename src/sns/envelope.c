/* SPDX-License-Identifier: MIT
 * What subscribers receive: the Notification envelope (SQS, HTTP(S),
 * email-json), the Lambda event, and the SubscriptionConfirmation and
 * UnsubscribeConfirmation messages, each signed as AWS signs them
 * (SignatureVersion 1: SHA1withRSA, 2: SHA256withRSA, over the canonical
 * "Name\nvalue\n" string of the message's fields) with a key pair Runnel
 * owns. The key and its self-signed certificate are made on first use, kept
 * in the store (sns.key/signing), and the certificate is served at the
 * envelope's SigningCertURL. */
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/base64.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/hex.h"
#include "core/ids.h"
#include "core/json_alloc.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/params.h"
#include "sns/sns_int.h"

struct sns_signer {
    EVP_PKEY *key;
    char *cert_pem;
    char cert_name[200]; /* SimpleNotificationService-<md5 of the certificate>.pem */
};

void sns_signer_free(struct sns_signer *g)
{
    if (!g)
        return;
    EVP_PKEY_free(g->key);
    rn_free(g->cert_pem);
    rn_free(g);
}

static void name_cert(struct sns_signer *g)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    char hex[2 * EVP_MAX_MD_SIZE + 1];
    EVP_Digest(g->cert_pem, strlen(g->cert_pem), md, &n, EVP_md5(), NULL);
    rn_hex_encode(md, n, hex);
    snprintf(g->cert_name, sizeof g->cert_name, "SimpleNotificationService-%s.pem", hex);
}

static struct sns_signer *signer_from(const char *key_pem, const char *cert_pem)
{
    struct sns_signer *g = rn_calloc(1, sizeof *g);
    BIO *b = BIO_new_mem_buf(key_pem, -1);
    if (!g || !b || !(g->key = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL)) || !(g->cert_pem = rn_strdup(cert_pem))) {
        BIO_free(b);
        sns_signer_free(g);
        return NULL;
    }
    BIO_free(b);
    name_cert(g);
    return g;
}

int sns_signer_load(sns_t *s, const char *value)
{
    json_t *o = json_loads(value, 0, NULL);
    const char *key = rn_param_str(o, "key"), *cert = rn_param_str(o, "cert");
    if (key && cert && !s->signer)
        s->signer = signer_from(key, cert);
    json_decref(o);
    return 0;
}

static char *bio_text(BIO *b)
{
    char *p;
    long n = BIO_get_mem_data(b, &p);
    return n > 0 ? rn_strndup(p, (size_t)n) : NULL;
}

/* A new RSA key and a self-signed certificate for it, kept in the store. */
static struct sns_signer *signer_make(sns_t *s)
{
    /* 1024 bits (AWS's are 2048): a signature costs a quarter as much, and
     * every notification to a queue, function or endpoint carries one */
    EVP_PKEY *key = EVP_RSA_gen(1024);
    X509 *x = X509_new();
    BIO *kb = BIO_new(BIO_s_mem()), *cb = BIO_new(BIO_s_mem());
    struct sns_signer *g = NULL;
    char *key_pem = NULL, *cert_pem = NULL;
    if (!key || !x || !kb || !cb)
        goto out;
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), (long)time(NULL));
    X509_gmtime_adj(X509_getm_notBefore(x), -86400);
    X509_gmtime_adj(X509_getm_notAfter(x), 10L * 365 * 86400);
    X509_set_pubkey(x, key);
    X509_NAME *name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"sns.amazonaws.com", -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)"Runnel", -1, -1, 0);
    X509_set_issuer_name(x, name);
    if (!X509_sign(x, key, EVP_sha256()) || !PEM_write_bio_PrivateKey(kb, key, NULL, NULL, 0, NULL, NULL) ||
        !PEM_write_bio_X509(cb, x))
        goto out;
    key_pem = bio_text(kb);
    cert_pem = bio_text(cb);
    if (!key_pem || !cert_pem || !(g = signer_from(key_pem, cert_pem)))
        goto out;
    json_t *o = json_pack("{s:s,s:s}", "key", key_pem, "cert", cert_pem);
    char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (text)
        rn_store_kv_put(s->store, SNS_NS_KEY, "signing", text);
    rn_json_free(text);
out:
    rn_free(key_pem);
    rn_free(cert_pem);
    BIO_free(kb);
    BIO_free(cb);
    X509_free(x);
    EVP_PKEY_free(key);
    return g;
}

static struct sns_signer *signer(sns_t *s)
{
    if (!s->signer && !(s->signer = signer_make(s)))
        RN_WARN("sns: could not make a signing key; messages go unsigned");
    return s->signer;
}

const char *sns_signer_cert_name(sns_t *s)
{
    return signer(s) ? s->signer->cert_name : NULL;
}

/* ---- the messages ---- */

static void iso_time(int64_t ms, char out[32])
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    size_t k = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + k, 32 - k, ".%03dZ", (int)(ms % 1000));
}

/* Appends "name\nvalue\n" to the string to sign. */
static void canon(rn_buf_t *b, const char *name, const char *value)
{
    if (!value)
        return;
    rn_buf_add(b, name, strlen(name));
    rn_buf_add(b, "\n", 1);
    rn_buf_add(b, value, strlen(value));
    rn_buf_add(b, "\n", 1);
}

/* The base64 signature of the message's fields (in the order AWS signs
 * them), or NULL. */
static char *sign(sns_t *s, const json_t *o, int version)
{
    static const char *const notification[] = {"Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type",
                                               NULL};
    static const char *const confirmation[] = {"Message",  "MessageId", "SubscribeURL", "Timestamp",
                                               "Token",    "TopicArn",  "Type",         NULL};
    struct sns_signer *g = signer(s);
    if (!g)
        return NULL;
    const char *type = rn_param_str(o, "Type");
    const char *const *names = !strcmp(type, "Notification") ? notification : confirmation;
    rn_buf_t b = {0};
    for (const char *const *n = names; *n; n++)
        canon(&b, *n, rn_param_str(o, *n));
    unsigned char sig[512];
    size_t siglen = sizeof sig;
    char *out = NULL;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!b.oom && ctx &&
        EVP_DigestSignInit(ctx, NULL, version == 2 ? EVP_sha256() : EVP_sha1(), NULL, g->key) == 1 &&
        EVP_DigestSign(ctx, sig, &siglen, (const unsigned char *)b.data, b.len) == 1)
        out = rn_b64_encode(sig, siglen);
    EVP_MD_CTX_free(ctx);
    rn_buf_free(&b);
    return out;
}

static int version_of(const sns_sub_t *sub)
{
    const char *v = json_string_value(json_object_get(sub->topic->attrs, "SignatureVersion"));
    return v && !strcmp(v, "2") ? 2 : 1;
}

static char *cert_url(sns_t *s)
{
    const char *name = sns_signer_cert_name(s);
    size_t n = strlen(sns_base_url(s)) + 64 + (name ? strlen(name) : 0);
    n += strlen(s->cfg->region) + 40;
    char *u = rn_malloc(n);
    if (u) /* (the partition's own key: the page is asked for in its region and account) */
        snprintf(u, n, "%s/_runnel/sns/%s?region=%s&account=%s", sns_base_url(s), name ? name : "", s->cfg->region,
                 s->cfg->account_id);
    return u;
}

static char *unsubscribe_url(sns_t *s, const sns_sub_t *sub)
{
    size_t n = strlen(sns_base_url(s)) + strlen(sub->arn) + 64;
    char *u = rn_malloc(n);
    if (u)
        snprintf(u, n, "%s/?Action=Unsubscribe&SubscriptionArn=%s", sns_base_url(s), sub->arn);
    return u;
}

/* {"name": {"Type": ..., "Value": ...}} as the envelope carries attributes. */
static json_t *envelope_attrs(const json_t *attrs)
{
    json_t *o = json_object(), *v;
    const char *name;
    json_object_foreach((json_t *)attrs, name, v) {
        const char *type = rn_param_str(v, "DataType");
        const char *value = rn_param_str(v, "StringValue");
        if (!value)
            value = rn_param_str(v, "BinaryValue");
        json_object_set_new(o, name, json_pack("{s:s,s:s}", "Type", type ? type : "String", "Value",
                                               value ? value : ""));
    }
    return o;
}

/* The signature of a Notification, made once per publish, message text and
 * version: every subscription of one publish signs the same fields (the
 * UnsubscribeURL is not signed), and a signature costs an RSA operation.
 * A copy the caller frees with rn_free, or NULL. */
static char *signed_once(sns_t *s, const json_t *o, const sns_msg_t *m, const char *text, int version)
{
    if (!s->last_sig.sig || s->last_sig.text != text || s->last_sig.version != version ||
        strcmp(s->last_sig.id, m->id) != 0) {
        char *sig = sign(s, o, version);
        if (!sig)
            return NULL;
        rn_free(s->last_sig.sig);
        s->last_sig.sig = sig;
        s->last_sig.text = text;
        s->last_sig.version = version;
        snprintf(s->last_sig.id, sizeof s->last_sig.id, "%s", m->id);
    }
    return rn_strdup(s->last_sig.sig);
}

/* The envelope as an object: lambda names the URL fields as Lambda's event
 * does (SigningCertUrl, UnsubscribeUrl, Subject null when absent). */
static json_t *notification(sns_t *s, const sns_sub_t *sub, const sns_msg_t *m, const char *text, int lambda)
{
    char ts[32], seq[24];
    iso_time(m->time_ms, ts);
    json_t *o = json_pack("{s:s,s:s}", "Type", "Notification", "MessageId", m->id);
    if (m->seq) {
        snprintf(seq, sizeof seq, "1%019llu", (unsigned long long)m->seq);
        json_object_set_new(o, "SequenceNumber", json_string(seq));
    }
    json_object_set_new(o, "TopicArn", json_string(sub->topic->arn));
    if (m->subject)
        json_object_set_new(o, "Subject", json_string(m->subject));
    else if (lambda)
        json_object_set_new(o, "Subject", json_null());
    json_object_set_new(o, "Message", json_string(text));
    json_object_set_new(o, "Timestamp", json_string(ts));
    int version = version_of(sub);
    char *unsub = unsubscribe_url(s, sub), *sig = NULL, *cert = NULL;
    if (!sub->topic->fifo) { /* FIFO topics' messages go unsigned, as AWS sends them */
        sig = signed_once(s, o, m, text, version);
        cert = cert_url(s);
        /* Lambda's event always says "1", whatever the signature is made with */
        json_object_set_new(o, "SignatureVersion", json_string(version == 2 && !lambda ? "2" : "1"));
        json_object_set_new(o, "Signature", json_string(sig ? sig : ""));
        json_object_set_new(o, lambda ? "SigningCertUrl" : "SigningCertURL", json_string(cert ? cert : ""));
    }
    json_object_set_new(o, lambda ? "UnsubscribeUrl" : "UnsubscribeURL", json_string(unsub ? unsub : ""));
    if (m->attrs && json_object_size(m->attrs))
        json_object_set_new(o, "MessageAttributes", envelope_attrs(m->attrs));
    else if (lambda)
        json_object_set_new(o, "MessageAttributes", json_object());
    rn_free(sig);
    rn_free(cert);
    rn_free(unsub);
    return o;
}

static char *dump(json_t *o, size_t *len, size_t flags)
{
    char *j = o ? json_dumps(o, flags) : NULL;
    json_decref(o);
    char *out = j ? rn_strdup(j) : NULL;
    rn_json_free(j);
    *len = out ? strlen(out) : 0;
    return out;
}

char *sns_envelope(sns_t *s, const sns_sub_t *sub, const sns_msg_t *m, const char *text, size_t *len)
{
    if (sub->raw) {
        char *out = rn_strdup(text);
        *len = out ? strlen(out) : 0;
        return out;
    }
    return dump(notification(s, sub, m, text, 0), len, JSON_INDENT(2));
}

char *sns_lambda_event(sns_t *s, const sns_sub_t *sub, const sns_msg_t *m, const char *text, size_t *len)
{
    json_t *record = json_pack("{s:s,s:s,s:s,s:o}", "EventSource", "aws:sns", "EventVersion", "1.0",
                               "EventSubscriptionArn", sub->arn, "Sns", notification(s, sub, m, text, 1));
    return dump(json_pack("{s:[o]}", "Records", record), len, JSON_COMPACT);
}

char *sns_confirmation(sns_t *s, const sns_sub_t *sub, const char *type, size_t *len)
{
    char ts[32], id[37];
    rn_uuid(id);
    iso_time(rn_now_ms(), ts);
    size_t n = strlen(sns_base_url(s)) + strlen(sub->topic->arn) + strlen(sub->token) + 80;
    char *url = rn_malloc(n), *message = rn_malloc(n + 200);
    if (!url || !message) {
        rn_free(url);
        rn_free(message);
        return NULL;
    }
    snprintf(url, n, "%s/?Action=ConfirmSubscription&TopicArn=%s&Token=%s", sns_base_url(s), sub->topic->arn,
             sub->token);
    if (!strcmp(type, "SubscriptionConfirmation"))
        snprintf(message, n + 200,
                 "You have chosen to subscribe to the topic %s.\nTo confirm the subscription, visit the SubscribeURL "
                 "included in this message.",
                 sub->topic->arn);
    else
        snprintf(message, n + 200,
                 "You have chosen to deactivate subscription %s.\nTo cancel this operation and restore the "
                 "subscription, visit the SubscribeURL included in this message.",
                 sub->arn);
    json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "Type", type, "MessageId", id, "Token", sub->token,
                          "TopicArn", sub->topic->arn, "Message", message, "SubscribeURL", url, "Timestamp", ts);
    int version = version_of(sub);
    char *sig = sign(s, o, version), *cert = cert_url(s);
    json_object_set_new(o, "SignatureVersion", json_string(version == 2 ? "2" : "1"));
    json_object_set_new(o, "Signature", json_string(sig ? sig : ""));
    json_object_set_new(o, "SigningCertURL", json_string(cert ? cert : ""));
    rn_free(sig);
    rn_free(cert);
    rn_free(url);
    rn_free(message);
    return dump(o, len, JSON_INDENT(2));
}

int sns_page(sns_t *s, const char *rest, char **body, size_t *len, const char **ctype, char *msg, size_t msglen)
{
    const char *name = sns_signer_cert_name(s);
    if (!name || rest[0] != '/' || strcmp(rest + 1, name) != 0) {
        snprintf(msg, msglen, "No such certificate: %s", rest);
        return RN_ERR_NOT_FOUND;
    }
    *body = rn_strdup(s->signer->cert_pem);
    if (!*body)
        return RN_ERR_NOMEM;
    *len = strlen(*body);
    *ctype = "application/x-pem-file";
    return 0;
}

/* ---- email ---- */

/* Appends a header value: as it is when ASCII, else as one RFC 2047 word. */
static void header_text(rn_buf_t *b, const char *v)
{
    int ascii = 1;
    for (const char *p = v; *p && ascii; p++)
        ascii = (unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f;
    if (ascii) {
        rn_buf_puts(b, v);
        return;
    }
    char *e = rn_b64_encode(v, strlen(v));
    rn_buf_printf(b, "=?UTF-8?B?%s?=", e ? e : "");
    rn_free(e);
}

/* A text/plain mail from SNS to the subscription's address. */
static char *mail(sns_t *s, const sns_sub_t *sub, const char *subject, const char *body, size_t *len)
{
    const char *display = json_string_value(json_object_get(sub->topic->attrs, "DisplayName"));
    rn_buf_t b = {0};
    char date[64], id[37];
    time_t now = (time_t)(rn_now_ms() / 1000);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    rn_uuid(id);
    rn_buf_puts(&b, "From: \"");
    header_text(&b, display && display[0] ? display : "AWS Notifications");
    rn_buf_printf(&b, "\" <no-reply@sns.amazonaws.com>\r\nTo: %s\r\nSubject: ", sub->endpoint);
    header_text(&b, subject);
    rn_buf_printf(&b,
                  "\r\nDate: %s\r\nMessage-ID: <%s@email.amazonses.com>\r\nMIME-Version: 1.0\r\n"
                  "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n%s",
                  date, id, body);
    (void)s;
    if (b.oom) {
        rn_buf_free(&b);
        return NULL;
    }
    return rn_buf_take(&b, len);
}

static const char NO_REPLY[] = "Please do not reply directly to this email. If you have any questions or comments "
                               "regarding this email, please contact us at https://aws.amazon.com/support";

char *sns_email(sns_t *s, const sns_sub_t *sub, const sns_msg_t *m, const char *text, size_t *len)
{
    char *body = NULL;
    if (!strcmp(sub->protocol, "email-json")) {
        size_t n;
        body = dump(notification(s, sub, m, text, 0), &n, JSON_INDENT(2));
    } else {
        char *unsub = unsubscribe_url(s, sub);
        rn_buf_t b = {0};
        rn_buf_printf(&b,
                      "%s\n\n--\nIf you wish to stop receiving notifications from this topic, please click or "
                      "visit the link below to unsubscribe:\n%s\n\n%s\n",
                      text, unsub ? unsub : "", NO_REPLY);
        rn_free(unsub);
        body = b.oom ? NULL : rn_buf_take(&b, NULL);
        rn_buf_free(&b);
    }
    char *out = body ? mail(s, sub, m->subject ? m->subject : "AWS Notification Message", body, len) : NULL;
    rn_free(body);
    return out;
}

char *sns_email_confirmation(sns_t *s, const sns_sub_t *sub, size_t *len)
{
    char *body = NULL;
    size_t n;
    if (!strcmp(sub->protocol, "email-json")) {
        body = sns_confirmation(s, sub, "SubscriptionConfirmation", &n);
    } else {
        rn_buf_t b = {0};
        rn_buf_printf(&b,
                      "You have chosen to subscribe to the topic: \n%s\n\nTo confirm this subscription, click or "
                      "visit the link below (If this was in error no action is necessary): \nConfirm subscription "
                      "%s/?Action=ConfirmSubscription&TopicArn=%s&Token=%s\n\n%s\n",
                      sub->topic->arn, sns_base_url(s), sub->topic->arn, sub->token, NO_REPLY);
        body = b.oom ? NULL : rn_buf_take(&b, NULL);
        rn_buf_free(&b);
    }
    char *out = body ? mail(s, sub, "AWS Notification - Subscription Confirmation", body, len) : NULL;
    rn_free(body);
    return out;
}
