/* SPDX-License-Identifier: MIT
 * Captured mail: Runnel delivers nothing, but keeps every mail SES accepted
 * (as a keyed record per MessageId, written in the same loop turn as the
 * send, so the reply that acknowledges it waits for it to be durable) and
 * shows it to people at GET /_runnel/ses (JSON, newest last, ?limit=N) and
 * GET /_runnel/ses/{MessageId}.eml (the MIME itself). The newest 10,000
 * mails and at most 100 MB of them are kept; older ones are dropped, from
 * the store too. The sending quota's counts come from what is kept. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/base64.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/ids.h"
#include "core/json_out.h"
#include "core/mem.h"
#include "ses/mime.h"
#include "ses/ses_int.h"

#define MAX_BYTES (100u * 1024 * 1024)

void ses_message_id(char id[64])
{
    char uuid[37];
    rn_uuid(uuid);
    snprintf(id, 64, "0100%012llx-%s-000000", (unsigned long long)rn_now_ms() & 0xffffffffffffull, uuid);
}

static size_t mail_bytes(const json_t *m)
{
    return json_string_length(json_object_get(m, "raw")) + json_string_length(json_object_get(m, "text")) +
           json_string_length(json_object_get(m, "html")) + 256;
}

/* Drops the oldest mails beyond the count and size kept. */
static void trim(ses_t *s)
{
    size_t total = 0, n = json_array_size(s->mails), drop = 0;
    for (size_t i = n; i-- > 0;) {
        total += mail_bytes(json_array_get(s->mails, i));
        if (n - i > SES_MAX_CAPTURED || (total > MAX_BYTES && i + 1 < n)) {
            drop = i + 1;
            break;
        }
    }
    for (size_t i = 0; i < drop; i++) {
        const char *id = json_string_value(json_object_get(json_array_get(s->mails, 0), "id"));
        if (id)
            rn_store_kv_delete(s->store, SES_NS_MAIL, id);
        json_array_remove(s->mails, 0);
    }
}

int ses_capture(ses_t *s, const char *id, int64_t now_ms, const ses_mail_t *m)
{
    /* raw bytes that are not UTF-8 text are kept exactly in base64, and
     * shown with U+FFFD for what is not */
    json_t *raw = json_stringn(m->raw ? m->raw : "", m->raw ? m->raw_len : 0), *raw64 = NULL;
    if (!raw) {
        char *b64 = rn_b64_encode(m->raw, m->raw_len), *text = ses_mime_utf8(m->raw, m->raw_len);
        raw64 = b64 ? json_string(b64) : NULL;
        raw = text ? json_string(text) : NULL;
        rn_free(b64);
        rn_free(text);
        if (!raw || !raw64) {
            json_decref(raw);
            json_decref(raw64);
            return RN_ERR_NOMEM;
        }
    }
    json_t *rec = json_pack("{s:s,s:I,s:I,s:s,s:s,s:O,s:s?,s:s?,s:s?,s:o}", "id", id, "time", (json_int_t)now_ms,
                            "seq", (json_int_t)s->seq++, "op", m->op, "source", m->source, "destinations",
                            m->destinations, "subject", m->subject, "text", m->text, "html", m->html, "raw", raw);
    if (rec && raw64)
        json_object_set(rec, "raw64", raw64);
    json_decref(raw64);
    if (rec && m->failure)
        json_object_set_new(rec, "renderingFailure", json_string(m->failure));
    if (!rec || json_array_append_new(s->mails, rec) < 0)
        return RN_ERR_NOMEM;
    ses_store_put(s, SES_NS_MAIL, id, rec);
    trim(s);
    return 0;
}

int ses_capture_load(ses_t *s, const char *key, const char *value)
{
    (void)key;
    json_t *v = json_loads(value, 0, NULL);
    if (!json_is_object(v) || !json_is_string(json_object_get(v, "id"))) {
        json_decref(v);
        return 0; /* unreadable: skipped */
    }
    json_int_t seq = json_integer_value(json_object_get(v, "seq"));
    if (seq >= s->seq)
        s->seq = seq + 1;
    return json_array_append_new(s->mails, v) < 0 ? RN_ERR_NOMEM : 0;
}

static int by_time(const void *a, const void *b)
{
    const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    json_int_t tx = json_integer_value(json_object_get(x, "time")), ty = json_integer_value(json_object_get(y, "time"));
    if (tx != ty)
        return tx < ty ? -1 : 1;
    json_int_t sx = json_integer_value(json_object_get(x, "seq")), sy = json_integer_value(json_object_get(y, "seq"));
    return sx < sy ? -1 : sx > sy;
}

void ses_capture_sort(ses_t *s)
{
    size_t n = json_array_size(s->mails);
    json_t **v = n ? rn_malloc(n * sizeof *v) : NULL;
    if (!v)
        return; /* out of memory: kept in the order loaded */
    for (size_t i = 0; i < n; i++)
        v[i] = json_incref(json_array_get(s->mails, i));
    qsort(v, n, sizeof *v, by_time);
    json_array_clear(s->mails);
    for (size_t i = 0; i < n; i++)
        json_array_append_new(s->mails, v[i]);
    rn_free(v);
    trim(s);
}

int64_t ses_sent_since(const ses_t *s, int64_t since_ms)
{
    int64_t n = 0;
    for (size_t i = json_array_size(s->mails); i-- > 0;) {
        const json_t *m = json_array_get(s->mails, i);
        if (json_integer_value(json_object_get(m, "time")) < since_ms)
            break;
        if (!json_object_get(m, "renderingFailure"))
            n += (int64_t)json_array_size(json_object_get(m, "destinations"));
    }
    return n;
}

/* ---- the page ---- */

static void iso_time(int64_t ms, char out[40])
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    size_t k = strftime(out, 40, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + k, 40 - k, ".%03dZ", (int)(ms % 1000));
}

/* A captured mail as the page shows it: a new object, or NULL. */
static json_t *shown(const json_t *m)
{
    char when[40];
    iso_time(json_integer_value(json_object_get(m, "time")), when);
    json_t *o = json_pack("{s:O,s:s,s:O,s:O,s:O,s:O,s:O,s:O,s:O}", "id", json_object_get(m, "id"), "time", when,
                          "operation", json_object_get(m, "op"), "source", json_object_get(m, "source"),
                          "destinations", json_object_get(m, "destinations"), "subject",
                          json_object_get(m, "subject") ? json_object_get(m, "subject") : json_null(), "text",
                          json_object_get(m, "text") ? json_object_get(m, "text") : json_null(), "html",
                          json_object_get(m, "html") ? json_object_get(m, "html") : json_null(), "raw",
                          json_object_get(m, "raw"));
    if (o && json_object_get(m, "renderingFailure"))
        json_object_set(o, "renderingFailure", json_object_get(m, "renderingFailure"));
    return o;
}

static const json_t *find(const ses_t *s, const char *id, size_t n)
{
    for (size_t i = json_array_size(s->mails); i-- > 0;) {
        const json_t *m = json_array_get(s->mails, i);
        const char *mid = json_string_value(json_object_get(m, "id"));
        if (mid && strlen(mid) == n && memcmp(mid, id, n) == 0)
            return m;
    }
    return NULL;
}

/* The value of ?limit=N, or -1. */
static long limit_of(const char *query)
{
    for (const char *p = query; p && *p; p = strchr(p, '&') ? strchr(p, '&') + 1 : NULL)
        if (strncmp(p, "limit=", 6) == 0 && p[6] >= '0' && p[6] <= '9')
            return strtol(p + 6, NULL, 10);
    return -1;
}

int ses_page(ses_t *s, const char *rest, const char *query, char **body, size_t *len, const char **ctype, char *msg,
             size_t msglen)
{
    rn_buf_t b = {0};
    if (rest[0] == '\0' || strcmp(rest, "/") == 0) {
        long limit = limit_of(query);
        size_t n = json_array_size(s->mails), from = limit >= 0 && (size_t)limit < n ? n - (size_t)limit : 0;
        json_t *list = json_array();
        for (size_t i = from; i < n && list; i++)
            if (json_array_append_new(list, shown(json_array_get(s->mails, i))) < 0) {
                json_decref(list);
                list = NULL;
            }
        json_t *page = list ? json_pack("{s:o}", "messages", list) : NULL;
        if (page)
            rn_json_dump(&b, page);
        json_decref(page);
        if (!page || b.oom) {
            rn_buf_free(&b);
            return RN_ERR_NOMEM;
        }
        *ctype = "application/json";
        *body = rn_buf_take(&b, len);
        return 0;
    }
    const char *id = rest + 1;
    size_t n = strlen(id);
    int eml = n > 4 && strcmp(id + n - 4, ".eml") == 0;
    const json_t *m = find(s, id, eml ? n - 4 : n);
    if (!m) {
        snprintf(msg, msglen, "No captured message %.*s.", (int)(eml ? n - 4 : n), id);
        return RN_ERR_NOT_FOUND;
    }
    if (eml) {
        const json_t *raw = json_object_get(m, "raw"), *raw64 = json_object_get(m, "raw64");
        unsigned char *bytes = NULL;
        size_t bl = 0;
        if (raw64 && rn_b64_decode(json_string_value(raw64), json_string_length(raw64), &bytes, &bl) == 0)
            rn_buf_add(&b, bytes, bl);
        else
            rn_buf_add(&b, json_string_value(raw), json_string_length(raw));
        rn_free(bytes);
        *ctype = "message/rfc822";
    } else {
        json_t *o = shown(m);
        if (o)
            rn_json_dump(&b, o);
        b.oom |= !o;
        json_decref(o);
        *ctype = "application/json";
    }
    if (b.oom) {
        rn_buf_free(&b);
        return RN_ERR_NOMEM;
    }
    *body = rn_buf_take(&b, len);
    return 0;
}
