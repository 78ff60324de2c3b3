/* SPDX-License-Identifier: MIT
 * SQS send: validation, digests and FIFO deduplication for SendMessage,
 * each batch entry and other services' deliveries. */
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hex.h"
#include "core/json_alloc.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/ids.h"
#include "core/log.h"
#include "core/mem.h"
#include "sqs/digest.h"
#include "sqs/msgattr.h"
#include "sqs/msgrec.h"
#include "sqs/sqs_int.h"

/* ---- send ---- */

static int dedup_check(sqs_queue_t *q, const char *key, sqs_dedup_t **hit)
{
    sqs_dedup_t *d = rn_smap_get(&q->dedup, key);
    if (d && d->expires_ms > rn_now_ms()) {
        *hit = d;
        return 1;
    }
    return 0;
}

static void dedup_persist(const sqs_queue_t *q, const char *key, const char *id, int64_t seq, int64_t expires)
{
    char skey[1200], val[128];
    snprintf(skey, sizeof skey, "%lld/%s", (long long)q->qid, key);
    snprintf(val, sizeof val, "%s %lld %lld", id, (long long)seq, (long long)expires);
    rn_store_kv_put(q->svc->store, "dedup", skey, val);
}

static void dedup_add(sqs_queue_t *q, const char *key, const char *id, int64_t seq, int64_t expires)
{
    sqs_dedup_t *old = rn_smap_get(&q->dedup, key);
    if (old) { /* expired entry still in the map: refresh it in place, and on disk */
        snprintf(old->msg_id, sizeof old->msg_id, "%s", id);
        old->seq = seq;
        old->expires_ms = expires;
        dedup_persist(q, key, id, seq, expires);
        return;
    }
    sqs_dedup_t *d = rn_calloc(1, sizeof *d);
    if (!d)
        return;
    d->key = rn_strdup(key);
    snprintf(d->msg_id, sizeof d->msg_id, "%s", id);
    d->seq = seq;
    d->expires_ms = expires;
    if (!d->key || rn_smap_put(&q->dedup, key, d) < 0) {
        rn_free(d->key);
        rn_free(d);
        return;
    }
    if (q->dd_tail)
        q->dd_tail->next = d;
    else
        q->dd_head = d;
    q->dd_tail = d;
    dedup_persist(q, key, id, seq, expires);
}

void sqs_seqnum(int64_t seq, char out[24])
{
    snprintf(out, 24, "%020lld", (long long)(seq + 18000000000000000000ull / 2));
}

/* Fails a send with AWS's error row and message. */
static int send_fail(char *msg, size_t msglen, int err, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int send_fail(char *msg, size_t msglen, int err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, msglen, fmt, ap);
    va_end(ap);
    return err;
}

int sqs_queue_send(sqs_queue_t *q, const sqs_send_t *in, sqs_sent_t *out, char *msg, size_t msglen)
{
    const char *body = in->body;
    size_t blen = in->len;
    memset(out, 0, sizeof *out);
    if (!body || blen == 0)
        return send_fail(msg, msglen, RN_ERR_MISSING_PARAMETER, "The request must contain the parameter MessageBody.");
    int rc = sqs_body_validate(body, blen, msg, msglen);
    if (rc < 0)
        return rc;
    const json_t *attrs = in->attrs, *sys = in->sys;
    if (attrs && json_object_size(attrs) == 0)
        attrs = NULL;
    if (sys && json_object_size(sys) == 0)
        sys = NULL;
    size_t asize = 0, ssize = 0;
    if (attrs && (rc = sqs_msgattrs_validate(attrs, 0, &asize, msg, msglen)) < 0)
        return rc;
    if (sys && (rc = sqs_msgattrs_validate(sys, 1, &ssize, msg, msglen)) < 0)
        return rc;
    if (blen + asize > (size_t)q->max_size)
        return send_fail(msg, msglen, RN_ERR_INVALID_PARAMETER,
                         "One or more parameters are invalid. Reason: Message must be shorter than %d bytes.",
                         q->max_size);
    int delay = q->delay_s, has_delay = 0;
    if (in->delay == SQS_DELAY_NOT_INT)
        return send_fail(msg, msglen, RN_ERR_INVALID_PARAMETER,
                         "Value for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.");
    if (in->delay != SQS_DELAY_QUEUE) {
        if (in->delay < 0 || in->delay > 900)
            return send_fail(msg, msglen, RN_ERR_INVALID_PARAMETER,
                             "Value %lld for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 "
                             "and <= 900.",
                             in->delay);
        delay = (int)in->delay;
        has_delay = in->delay != 0;
    }
    const char *group = in->group, *dedup = in->dedup;
    char dedup_buf[65];
    if (q->fifo) {
        if (has_delay)
            return send_fail(msg, msglen, RN_ERR_INVALID_PARAMETER,
                             "Value %d for parameter DelaySeconds is invalid. Reason: The request include "
                             "parameter that is not valid for this queue type.",
                             delay);
        delay = q->delay_s;
        if (!group || !*group)
            return send_fail(msg, msglen, RN_ERR_MISSING_PARAMETER,
                             "The request must contain the parameter MessageGroupId.");
        if (!dedup) {
            if (!q->content_dedup)
                return send_fail(msg, msglen, RN_ERR_INVALID_PARAMETER,
                                 "The queue should either have ContentBasedDeduplication enabled or "
                                 "MessageDeduplicationId provided explicitly");
            sqs_sha256_hex(body, blen, dedup_buf);
            dedup = dedup_buf;
        }
    } else if (dedup) {
        return send_fail(msg, msglen, RN_ERR_INVALID_PARAMETER,
                         "Value %s for parameter MessageDeduplicationId is invalid. Reason: The request "
                         "include parameter that is not valid for this queue type.",
                         dedup);
    }
    const char *ids[2] = {group, dedup};
    for (int k = 0; k < 2; k++) {
        const char *v = ids[k];
        if (!v)
            continue;
        size_t l = strlen(v);
        int bad = l == 0 || l > 128;
        for (size_t i = 0; i < l && !bad; i++)
            bad = v[i] < 33 || v[i] > 126;
        if (bad) {
            const char *pn = v == group ? "MessageGroupId" : "MessageDeduplicationId";
            return send_fail(msg, msglen, RN_ERR_INVALID_PARAMETER,
                             "Value %s for parameter %s is invalid. Reason: %s can only include alphanumeric and "
                             "punctuation characters. 1 to 128 in length.",
                             v, pn, pn);
        }
    }
    char dkey[300];
    if (q->fifo) {
        snprintf(dkey, sizeof dkey, "%s%s%s", q->dedup_per_group ? group : "", q->dedup_per_group ? "\x1f" : "",
                 dedup);
        sqs_dedup_t *hit;
        if (dedup_check(q, dkey, &hit)) {
            out->duplicate = 1;
            snprintf(out->id, sizeof out->id, "%s", hit->msg_id);
            sqs_md5_hex(body, blen, out->md5_body);
            sqs_seqnum(hit->seq, out->seqnum);
            if (attrs)
                sqs_md5_message_attributes(attrs, out->md5_attrs);
            return 0;
        }
    }
    sqs_msg_t *m = sqs_msg_new(q);
    if (!m)
        return send_fail(msg, msglen, RN_ERR_NOMEM, "Out of memory");
    rn_uuid(out->id);
    sqs_id_parse(out->id, m->id);
    sqs_cold_t cold = {.attr_size = (uint32_t)asize, .attrs = attrs, .group = group, .dedup = q->fifo ? dedup : NULL};
    sqs_md5_hex(body, blen, cold.md5_body);
    if (attrs)
        sqs_md5_message_attributes(attrs, out->md5_attrs);
    if (sys) {
        cold.trace = json_string_value(json_object_get(json_object_get(sys, "AWSTraceHeader"), "StringValue"));
        sqs_md5_message_attributes(sys, out->md5_sys);
    }
    cold.sender = in->sender && in->sender[0] ? in->sender : q->svc->cfg->account_id;
    m->sent_ms = rn_now_ms();
    m->visible_ms = m->sent_ms + (int64_t)delay * 1000;
    m->state = delay > 0 ? MSG_DELAYED : MSG_READY;
    rn_buf_t *enc = &q->svc->scratch;
    enc->len = 0;
    sqs_cold_encode(enc, &cold);
    if (enc->oom || rn_imap_put(&q->svc->msgs, m->seq, m) < 0) {
        enc->oom = 0;
        sqs_msg_free(m);
        return send_fail(msg, msglen, RN_ERR_NOMEM, "Out of memory");
    }
    sqs_msg_place(m, q->fifo ? group : NULL);
    sqs_msg_persist(m, body, blen, enc->data, enc->len);
    q->tally.sent++;
    q->tally.sent_bytes += blen + asize;
    if (q->fifo)
        dedup_add(q, dkey, out->id, m->seq, m->sent_ms + SQS_DEDUP_WINDOW_MS);
    if (m->state != MSG_READY)
        sqs_timer_arm(q->svc);
    memcpy(out->md5_body, cold.md5_body, sizeof out->md5_body);
    if (q->fifo)
        sqs_seqnum(m->seq, out->seqnum);
    if (m->state == MSG_READY && q->w_head)
        sqs_waiters_wake(q);
    return 0;
}

/* Sends one message (a SendMessage call or one batch entry): reads the
 * entry's JSON members into a send. On success *result holds {MessageId,
 * MD5OfMessageBody, ...}; on failure c->err/c->msg. */
int sqs_msg_send(sqs_queue_t *q, rn_call_t *c, const json_t *e, int batch, json_t **result)
{
    (void)batch;
    json_t *jbody = json_object_get(e, "MessageBody");
    if (!json_is_string(jbody) || json_string_length(jbody) == 0)
        return rn_call_fail(c, RN_ERR_MISSING_PARAMETER, "The request must contain the parameter MessageBody.");
    sqs_send_t in = {json_string_value(jbody), json_string_length(jbody), json_object_get(e, "MessageAttributes"),
                     json_object_get(e, "MessageSystemAttributes"), SQS_DELAY_QUEUE,
                     rn_param_str(e, "MessageGroupId"), rn_param_str(e, "MessageDeduplicationId"), c->principal};
    json_t *jd = json_object_get(e, "DelaySeconds");
    if (jd && !json_is_null(jd)) /* checked in its turn by sqs_queue_send */
        in.delay = json_is_integer(jd) && json_integer_value(jd) > SQS_DELAY_NOT_INT ? json_integer_value(jd)
                                                                                       : SQS_DELAY_NOT_INT;
    sqs_sent_t out;
    rn_call_clear_msg(c);
    int rc = sqs_queue_send(q, &in, &out, c->msg, sizeof c->msg);
    if (rc < 0)
        return c->err = rc;
    json_t *r = json_object();
    json_object_set_new_nocheck(r, "MessageId", json_stringn_nocheck(out.id, 36));
    json_object_set_new_nocheck(r, "MD5OfMessageBody", json_stringn_nocheck(out.md5_body, 32));
    if (out.md5_attrs[0])
        json_object_set_new(r, "MD5OfMessageAttributes", json_string(out.md5_attrs));
    if (out.md5_sys[0] && !out.duplicate)
        json_object_set_new(r, "MD5OfMessageSystemAttributes", json_string(out.md5_sys));
    if (out.seqnum[0])
        json_object_set_new(r, "SequenceNumber", json_string(out.seqnum));
    *result = r;
    return 0;
}
