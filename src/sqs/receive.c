/* SPDX-License-Identifier: MIT
 * SQS receive: visibility, FIFO group locking, receive counts and
 * dead-letter redrive, and deletes and visibility changes through receipt
 * handles. */
#include <openssl/evp.h>
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

/* ---- receipt handles ---- */

static char *put_u64(char *p, uint64_t v)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        *p++ = tmp[--n];
    return p;
}

/* A receipt handle is base64 of "rn1:<qid>:<seq>:<receive count>:<salt>".
 * The receive count makes every receive's handle new; it runs once per
 * received message, so it avoids printf. */
static void handle_make(const sqs_msg_t *m, char *out, size_t n)
{
    char raw[160], *p = raw;
    memcpy(p, "rn1:", 4);
    p = put_u64(p + 4, (uint64_t)m->q->qid);
    *p++ = ':';
    p = put_u64(p, (uint64_t)m->seq);
    *p++ = ':';
    p = put_u64(p, (uint64_t)m->receive_count);
    *p++ = ':';
    uint64_t r[2] = {rn_rand64(), rn_rand64()};
    rn_hex_encode(r, 12, p); /* 24 digits of salt */
    p += 24;
    int l = (int)(p - raw);
    if (n < 4 * ((size_t)l + 2) / 3 + 2) {
        out[0] = '\0';
        return;
    }
    EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)raw, l);
}

static int handle_parse(const char *h, long long *qid, long long *seq, int *rc)
{
    size_t n = strlen(h);
    if (n == 0 || n > 400 || n % 4)
        return -1;
    unsigned char raw[320];
    int l = EVP_DecodeBlock(raw, (const unsigned char *)h, (int)n);
    if (l < 0)
        return -1;
    raw[l] = '\0';
    int used = 0;
    if (sscanf((char *)raw, "rn1:%lld:%lld:%d:%n", qid, seq, rc, &used) != 3 || used == 0)
        return -1;
    return 0;
}

/* ---- receive ---- */

/* Whether a requested name list selects an attribute: "All", "*" and ".*"
 * select every one, "bar.*" every name that starts with "bar" (AWS answers
 * "Hel.*" with Hello and Help.Me), anything else only itself. */
static int name_wanted(const json_t *names, const char *name)
{
    size_t i;
    json_t *v;
    json_array_foreach((json_t *)names, i, v)
    {
        const char *w = json_string_value(v);
        if (!w)
            continue;
        if (strcmp(w, "All") == 0 || strcmp(w, "*") == 0 || strcmp(w, name) == 0)
            return 1;
        size_t wl = strlen(w);
        if (wl >= 2 && strcmp(w + wl - 2, ".*") == 0 && strncmp(name, w, wl - 2) == 0)
            return 1;
    }
    return 0;
}

static void put_attr_num(json_t *o, const char *k, long long v)
{
    char num[32];
    snprintf(num, sizeof num, "%lld", v);
    json_object_set_new(o, k, json_string(num));
}

/* The message as ReceiveMessage returns it, from its index and what the
 * store gave back (body and cold part c). */
static json_t *msg_render(sqs_msg_t *m, const char *body, size_t blen, const sqs_cold_t *c, const json_t *in)
{
    char handle[512], id[37];
    handle_make(m, handle, sizeof handle);
    sqs_id_format(m->id, id);
    json_t *r = json_object();
    json_object_set_new_nocheck(r, "MessageId", json_stringn_nocheck(id, 36));
    json_object_set_new_nocheck(r, "ReceiptHandle", json_string_nocheck(handle));
    json_object_set_new_nocheck(r, "MD5OfBody", json_stringn_nocheck(c->md5_body, 32));
    json_object_set_new_nocheck(r, "Body", json_stringn_nocheck(body, blen));
    const json_t *an = json_object_get(in, "AttributeNames");
    const json_t *sn = json_object_get(in, "MessageSystemAttributeNames");
    json_t *names = json_array();
    size_t i;
    json_t *v;
    json_array_foreach((json_t *)an, i, v) json_array_append(names, v);
    json_array_foreach((json_t *)sn, i, v) json_array_append(names, v);
    if (json_array_size(names)) {
        json_t *a = json_object();
        if (name_wanted(names, "SenderId"))
            json_object_set_new(a, "SenderId", json_string(c->sender));
        if (name_wanted(names, "SentTimestamp"))
            put_attr_num(a, "SentTimestamp", m->sent_ms);
        if (name_wanted(names, "ApproximateReceiveCount"))
            put_attr_num(a, "ApproximateReceiveCount", m->receive_count);
        if (name_wanted(names, "ApproximateFirstReceiveTimestamp"))
            put_attr_num(a, "ApproximateFirstReceiveTimestamp", m->first_receive_ms);
        if (m->q->fifo) {
            char seq[24];
            sqs_seqnum(m->seq, seq);
            if (name_wanted(names, "SequenceNumber"))
                json_object_set_new(a, "SequenceNumber", json_string(seq));
            if (name_wanted(names, "MessageDeduplicationId") && c->dedup)
                json_object_set_new(a, "MessageDeduplicationId", json_string(c->dedup));
        }
        if (name_wanted(names, "MessageGroupId") && c->group)
            json_object_set_new(a, "MessageGroupId", json_string(c->group));
        if (name_wanted(names, "AWSTraceHeader") && c->trace)
            json_object_set_new(a, "AWSTraceHeader", json_string(c->trace));
        if (name_wanted(names, "DeadLetterQueueSourceArn") && c->dlq_source)
            json_object_set_new(a, "DeadLetterQueueSourceArn", json_string(c->dlq_source));
        if (json_object_size(a))
            json_object_set_new(r, "Attributes", a);
        else
            json_decref(a);
    }
    json_decref(names);
    const json_t *man = json_object_get(in, "MessageAttributeNames");
    json_t *attrs = c->attr_count && json_array_size(man) ? sqs_cold_attrs(c) : NULL;
    if (attrs) {
        json_t *sel = json_object();
        const char *k;
        json_object_foreach(attrs, k, v)
        {
            if (name_wanted(man, k))
                json_object_set(sel, k, v);
        }
        if (json_object_size(sel)) {
            char md5[33];
            sqs_md5_message_attributes(sel, md5);
            json_object_set_new(r, "MD5OfMessageAttributes", json_string(md5));
            json_object_set_new(r, "MessageAttributes", sel);
        } else {
            json_decref(sel);
        }
        json_decref(attrs);
    }
    return r;
}

/* Takes one READY message for a receive: returns 1 when it was handed out,
 * 0 when it was dropped (expired or moved to the dead-letter queue), an
 * error when the store could not give its body back (it stays as it was). */
static int msg_take(sqs_msg_t *m, int vt, int64_t now, const json_t *in, json_t *out)
{
    sqs_queue_t *q = m->q;
    if (m->sent_ms + (int64_t)q->retention_s * 1000 <= now) {
        sqs_msg_remove(m, 1);
        return 0;
    }
    if (q->dlq_arn && q->max_receive > 0 && m->receive_count >= q->max_receive &&
        sqs_queue_by_arn(q->svc, q->dlq_arn)) {
        sqs_redrive_to_dlq(m);
        return 0;
    }
    char *body = NULL, *cold = NULL;
    size_t blen = 0, clen = 0;
    sqs_cold_t c;
    int rc = rn_store_msg_read(q->svc->store, q->qid, m->seq, &body, &blen, &cold, &clen);
    if (rc != 0 || !cold || sqs_cold_decode(cold, clen, &c) < 0) {
        RN_ERROR("sqs: cannot read message %lld of queue %s back (%d)", (long long)m->seq, q->name, rc);
        rn_free(body);
        return rc < 0 ? rc : RN_ERR_INTERNAL;
    }
    m->receive_count++;
    q->tally.received++;
    if (!m->first_receive_ms)
        m->first_receive_ms = now;
    json_array_append_new(out, msg_render(m, body, blen, &c, in));
    rn_free(body);
    if (q->fifo) {
        if (vt > 0) {
            sqs_count(q, MSG_READY, -1);
            m->state = MSG_INFLIGHT;
            sqs_count(q, MSG_INFLIGHT, 1);
            m->group->inflight++;
        }
    } else {
        sqs_ready_unlink(q, m);
        if (vt > 0) {
            sqs_count(q, MSG_READY, -1);
            m->state = MSG_INFLIGHT;
            sqs_count(q, MSG_INFLIGHT, 1);
        } else {
            sqs_ready_append(q, m);
        }
    }
    m->visible_ms = now + (int64_t)vt * 1000;
    if (vt > 0)
        sqs_heap_push(q->svc, m);
    sqs_msg_persist_state(m);
    return 1;
}

int sqs_msg_receive(sqs_queue_t *q, rn_call_t *c, int max, int vt, const json_t *in, json_t *out)
{
    (void)c;
    int64_t now = rn_now_ms();
    int got = 0, failed = 0;
    if (!q->fifo) {
        sqs_msg_t *m = q->ready_head;
        sqs_msg_t *stop = NULL; /* with vt 0 messages go back to the tail: don't loop */
        while (m && got < max && m != stop) {
            sqs_msg_t *next = m->next;
            sqs_msg_t *tail = q->ready_tail;
            int took = msg_take(m, vt, now, in, out);
            if (took < 0) {
                failed = took;
                break;
            }
            got += took;
            if (took && vt == 0 && !stop)
                stop = tail == m ? m : m;
            m = next;
        }
    } else {
        sqs_group_t *g = q->rg_head;
        while (g && got < max) {
            sqs_group_t *gnext = g->rnext;
            sqs_msg_t *m = g->head;
            while (m && got < max && m->state == MSG_READY) {
                sqs_msg_t *next = m->next;
                int took = msg_take(m, vt, now, in, out);
                if (took < 0) {
                    failed = took;
                    break;
                }
                got += took;
                if (took && vt == 0)
                    break; /* a message visible again at once must not repeat in this response; one moved to
                            * the dead-letter queue lets the next one be taken */
                m = next;
            }
            /* g may have been freed if it emptied */
            sqs_group_t *still = NULL;
            for (sqs_group_t *x = q->rg_head; x; x = x->rnext)
                if (x == g) {
                    still = x;
                    break;
                }
            if (still)
                sqs_group_update(q, still);
            else if (gnext == NULL || 1) {
                /* group left the ready list or was freed */
            }
            g = gnext;
            if (failed)
                break;
        }
    }
    if (got)
        sqs_timer_arm(q->svc);
    return got ? got : failed;
}

/* ---- delete / visibility ---- */

static int find_by_handle(sqs_queue_t *q, rn_call_t *c, const char *handle, sqs_msg_t **out, int *stale)
{
    long long qid, seq;
    int rc;
    *out = NULL;
    *stale = 0;
    if (!handle || handle_parse(handle, &qid, &seq, &rc) < 0 || qid != q->qid)
        return rn_call_fail(c, SQS_ERR_RECEIPT_INVALID, "The input receipt handle \"%s\" is not a valid receipt handle.",
                            handle ? handle : "");
    sqs_msg_t *m = rn_imap_get(&q->svc->msgs, seq);
    if (m && m->q != q)
        m = NULL;
    if (m && m->receive_count != rc)
        *stale = 1;
    *out = m;
    return 0;
}

int sqs_msg_delete_handle(sqs_queue_t *q, rn_call_t *c, const char *handle)
{
    sqs_msg_t *m;
    int stale;
    if (find_by_handle(q, c, handle, &m, &stale) < 0)
        return c->err;
    if (m && q->fifo && (stale || m->state != MSG_INFLIGHT))
        return rn_call_fail(c, RN_ERR_INVALID_PARAMETER,
                            "Value %s for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired.",
                            handle);
    q->tally.deleted++; /* AWS counts a repeated delete with a valid handle too */
    if (!m || stale)
        return 0; /* AWS answers success for an already-deleted or superseded handle */
    int wake = q->fifo && m->state == MSG_INFLIGHT;
    sqs_msg_remove(m, 1);
    if (wake && q->w_head)
        sqs_waiters_wake(q);
    return 0;
}

int sqs_msg_change_visibility(sqs_queue_t *q, rn_call_t *c, const char *handle, const json_t *jvt)
{
    sqs_msg_t *m;
    int stale;
    if (find_by_handle(q, c, handle, &m, &stale) < 0)
        return c->err;
    if (!json_is_integer(jvt))
        return rn_call_fail(c, RN_ERR_MISSING_PARAMETER, "The request must contain the parameter VisibilityTimeout.");
    json_int_t vt = json_integer_value(jvt);
    if (vt < 0 || vt > 43200)
        return rn_call_fail(c, RN_ERR_INVALID_PARAMETER,
                            "Value %lld for parameter VisibilityTimeout is invalid. Reason: VisibilityTimeout must be "
                            "an integer between 0 and 43200.",
                            (long long)vt);
    if (!m || stale)
        return rn_call_fail(c, RN_ERR_INVALID_PARAMETER,
                            "Value %s for parameter ReceiptHandle is invalid. Reason: Message does not exist or is "
                            "not available for visibility timeout change.",
                            handle);
    if (m->state == MSG_DELAYED)
        return rn_call_fail(c, SQS_ERR_MESSAGE_NOT_INFLIGHT,
                            "Message does not exist or is not available for visibility timeout change.");
    if (m->state == MSG_READY && vt > 0) {
        /* AWS hides a visible message again when given its latest handle */
        sqs_count(q, MSG_READY, -1);
        m->state = MSG_INFLIGHT;
        sqs_count(q, MSG_INFLIGHT, 1);
        if (q->fifo) {
            m->group->inflight++;
            sqs_group_update(q, m->group);
        } else {
            sqs_ready_unlink(q, m);
        }
    }
    m->visible_ms = rn_now_ms() + (int64_t)vt * 1000;
    if (vt == 0) {
        sqs_msg_make_ready(m);
        if (q->w_head)
            sqs_waiters_wake(q);
    } else {
        sqs_heap_push(q->svc, m);
    }
    sqs_timer_arm(q->svc);
    sqs_msg_persist_state(m);
    return 0;
}
