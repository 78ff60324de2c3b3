/* SPDX-License-Identifier: MIT
 * SQS messages: send (validation, digests, FIFO dedup), receive (visibility,
 * FIFO group locking, receive counts and dead-letter redrive), delete and
 * visibility changes through receipt handles, and the single service-wide
 * timer heap that turns delayed and in-flight messages visible again. */
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
#include "sqs/sqs_int.h"

/* ---- timer heap ---- */

static void heap_swap(sqs_t *s, size_t a, size_t b)
{
    sqs_msg_t *t = s->heap[a];
    s->heap[a] = s->heap[b];
    s->heap[b] = t;
    s->heap[a]->heap_idx = a;
    s->heap[b]->heap_idx = b;
}

static void heap_up(sqs_t *s, size_t i)
{
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (s->heap[p]->visible_ms <= s->heap[i]->visible_ms)
            break;
        heap_swap(s, p, i);
        i = p;
    }
}

static void heap_down(sqs_t *s, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < s->heap_len && s->heap[l]->visible_ms < s->heap[m]->visible_ms)
            m = l;
        if (r < s->heap_len && s->heap[r]->visible_ms < s->heap[m]->visible_ms)
            m = r;
        if (m == i)
            break;
        heap_swap(s, i, m);
        i = m;
    }
}

void sqs_heap_push(sqs_t *s, sqs_msg_t *m)
{
    if (m->heap_idx != SIZE_MAX) {
        heap_up(s, m->heap_idx);
        heap_down(s, m->heap_idx);
        return;
    }
    if (s->heap_len == s->heap_cap) {
        size_t cap = s->heap_cap ? s->heap_cap * 2 : 1024;
        sqs_msg_t **h = rn_realloc(s->heap, cap * sizeof *h);
        if (!h) {
            RN_ERROR("sqs: out of memory growing the timer heap");
            return;
        }
        s->heap = h;
        s->heap_cap = cap;
    }
    m->heap_idx = s->heap_len;
    s->heap[s->heap_len++] = m;
    heap_up(s, m->heap_idx);
}

void sqs_heap_remove(sqs_t *s, sqs_msg_t *m)
{
    size_t i = m->heap_idx;
    if (i == SIZE_MAX)
        return;
    m->heap_idx = SIZE_MAX;
    s->heap_len--;
    if (i == s->heap_len)
        return;
    s->heap[i] = s->heap[s->heap_len];
    s->heap[i]->heap_idx = i;
    heap_up(s, i);
    heap_down(s, s->heap[i]->heap_idx);
}

/* ---- placement ---- */

static void ready_append(sqs_queue_t *q, sqs_msg_t *m)
{
    m->next = NULL;
    m->prev = q->ready_tail;
    if (q->ready_tail)
        q->ready_tail->next = m;
    else
        q->ready_head = m;
    q->ready_tail = m;
}

static void ready_unlink(sqs_queue_t *q, sqs_msg_t *m)
{
    if (m->prev)
        m->prev->next = m->next;
    else
        q->ready_head = m->next;
    if (m->next)
        m->next->prev = m->prev;
    else
        q->ready_tail = m->prev;
    m->prev = m->next = NULL;
}

static void rg_unlink(sqs_queue_t *q, sqs_group_t *g)
{
    if (!g->ready)
        return;
    if (g->rprev)
        g->rprev->rnext = g->rnext;
    else
        q->rg_head = g->rnext;
    if (g->rnext)
        g->rnext->rprev = g->rprev;
    else
        q->rg_tail = g->rprev;
    g->rprev = g->rnext = NULL;
    g->ready = 0;
}

/* Puts a FIFO group on or off the ready-group list: it is ready when nothing
 * of it is in flight and its first message is visible. */
void sqs_group_update(sqs_queue_t *q, sqs_group_t *g)
{
    int ready = g->inflight == 0 && g->head && g->head->state == MSG_READY;
    if (ready && !g->ready) {
        g->rnext = NULL;
        g->rprev = q->rg_tail;
        if (q->rg_tail)
            q->rg_tail->rnext = g;
        else
            q->rg_head = g;
        q->rg_tail = g;
        g->ready = 1;
    } else if (!ready && g->ready) {
        rg_unlink(q, g);
    }
    if (!g->head && g->inflight == 0) {
        rn_smap_del(&q->groups, g->id);
        rn_free(g->id);
        rn_free(g);
    }
}

static void count(sqs_queue_t *q, int state, int delta)
{
    if (state == MSG_READY)
        q->n_ready += delta;
    else if (state == MSG_INFLIGHT)
        q->n_inflight += delta;
    else
        q->n_delayed += delta;
}

/* Links a new or restored message into its queue according to its state. */
void sqs_msg_place(sqs_msg_t *m)
{
    sqs_queue_t *q = m->q;
    m->all_next = NULL;
    m->all_prev = q->all_tail;
    if (q->all_tail)
        q->all_tail->all_next = m;
    else
        q->all_head = m;
    q->all_tail = m;
    count(q, m->state, 1);
    if (m->state != MSG_READY)
        sqs_heap_push(q->svc, m);
    if (q->fifo) {
        sqs_group_t *g = rn_smap_get(&q->groups, m->group_id ? m->group_id : "");
        if (!g) {
            g = rn_calloc(1, sizeof *g);
            g->id = rn_strdup(m->group_id ? m->group_id : "");
            rn_smap_put(&q->groups, g->id, g);
        }
        m->group = g;
        m->prev = g->tail;
        m->next = NULL;
        if (g->tail)
            g->tail->next = m;
        else
            g->head = m;
        g->tail = m;
        if (m->state == MSG_INFLIGHT)
            g->inflight++;
        sqs_group_update(q, g);
    } else if (m->state == MSG_READY) {
        ready_append(q, m);
    }
}

/* Moves a message whose timer fired (or whose visibility became 0) to READY. */
static void msg_make_ready(sqs_msg_t *m)
{
    sqs_queue_t *q = m->q;
    sqs_heap_remove(q->svc, m);
    if (m->state == MSG_READY)
        return;
    int was = m->state;
    count(q, was, -1);
    m->state = MSG_READY;
    count(q, MSG_READY, 1);
    if (q->fifo) {
        if (was == MSG_INFLIGHT)
            m->group->inflight--;
        sqs_group_update(q, m->group);
    } else {
        ready_append(q, m);
    }
}

static void on_timer(uv_timer_t *t)
{
    sqs_timer_run(t->data);
}

void sqs_timer_run(sqs_t *s)
{
    int64_t now = rn_now_ms();
    s->timer_due = 0;
    sqs_queue_t *woken[64];
    int nw = 0;
    while (s->heap_len && s->heap[0]->visible_ms <= now) {
        sqs_msg_t *m = s->heap[0];
        msg_make_ready(m);
        if (m->q->w_head) {
            int seen = 0;
            for (int i = 0; i < nw; i++)
                seen |= woken[i] == m->q;
            if (!seen && nw < 64)
                woken[nw++] = m->q;
        }
    }
    for (int i = 0; i < nw; i++)
        sqs_waiters_wake(woken[i]);
    sqs_timer_arm(s);
}

int64_t sqs_next_due(const sqs_t *s)
{
    int64_t due = s->heap_len ? s->heap[0]->visible_ms : INT64_MAX;
    size_t i = 0;
    const char *k;
    void *v;
    while (rn_smap_next(&s->queues, &i, &k, &v)) {
        const sqs_queue_t *q = v;
        const sqs_msg_t *m = q->all_head;
        if (m && m->state != MSG_INFLIGHT && m->sent_ms + (int64_t)q->retention_s * 1000 < due)
            due = m->sent_ms + (int64_t)q->retention_s * 1000;
        if (q->dd_head && q->dd_head->expires_ms < due)
            due = q->dd_head->expires_ms;
    }
    return due;
}

/* Arms the one uv timer for the earliest heap entry. */
void sqs_timer_arm(sqs_t *s)
{
    if (!s->heap_len) {
        uv_timer_stop(&s->timer);
        s->timer_due = 0;
        return;
    }
    int64_t due = s->heap[0]->visible_ms;
    if (s->timer_due && s->timer_due <= due && uv_is_active((uv_handle_t *)&s->timer))
        return;
    int64_t delay = due - rn_now_ms();
    if (delay < 0)
        delay = 0;
    s->timer_due = due;
    uv_timer_start(&s->timer, on_timer, (uint64_t)delay, 0);
}

/* ---- persistence ---- */

/* Appends s as a JSON string (UTF-8 passed through, controls escaped). */
static void json_str(rn_buf_t *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    rn_buf_add(b, "\"", 1);
    size_t start = 0, i = 0;
    for (; s[i]; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch >= 0x20 && ch != '"' && ch != '\\')
            continue;
        rn_buf_add(b, s + start, i - start);
        char esc[6] = {'\\', 'u', '0', '0', hex[ch >> 4], hex[ch & 15]};
        if (ch == '"' || ch == '\\') {
            esc[1] = (char)ch;
            rn_buf_add(b, esc, 2);
        } else {
            rn_buf_add(b, esc, 6);
        }
        start = i + 1;
    }
    rn_buf_add(b, s + start, i - start);
    rn_buf_add(b, "\"", 1);
}

/* Records a whole message in the store. The meta text is built by hand: it
 * runs once per send, and jansson objects cost more than the rest of it. */
void sqs_msg_persist(const sqs_msg_t *m)
{
    if (!rn_store_durable(m->q->svc->store))
        return;
    rn_buf_t b = {0};
    rn_buf_puts(&b, "{\"s\":");
    json_str(&b, m->sender);
    const char *keys[4] = {"t", "g", "d", "src"};
    const char *vals[4] = {m->trace, m->group_id, m->dedup_id, m->dlq_source};
    for (int k = 0; k < 4; k++) {
        if (!vals[k])
            continue;
        rn_buf_printf(&b, ",\"%s\":", keys[k]);
        json_str(&b, vals[k]);
    }
    if (m->attrs) {
        char *a = json_dumps(m->attrs, JSON_COMPACT);
        if (a) {
            rn_buf_puts(&b, ",\"a\":");
            rn_buf_puts(&b, a);
            rn_json_free(a);
        } else {
            b.oom = 1;
        }
    }
    rn_buf_puts(&b, "}");
    if (b.oom) {
        rn_buf_free(&b);
        RN_ERROR("sqs: out of memory persisting a message");
        return;
    }
    rn_store_msg_rec_t rec = {m->q->qid, m->seq, m->id, m->body, m->body_len, b.data,
                              m->sent_ms, m->visible_ms, m->receive_count, m->first_receive_ms};
    rn_store_msg_put(m->q->svc->store, &rec);
    rn_buf_free(&b);
}

static void persist_state(const sqs_msg_t *m)
{
    if (!rn_store_durable(m->q->svc->store))
        return;
    rn_store_msg_state(m->q->svc->store, m->q->qid, m->seq, m->visible_ms, m->receive_count, m->first_receive_ms);
}

void sqs_msg_free(sqs_msg_t *m)
{
    rn_free(m->body);
    json_decref(m->attrs);
    rn_free(m->trace);
    rn_free(m->group_id);
    rn_free(m->dedup_id);
    rn_free(m->dlq_source);
    rn_free(m);
}

/* Unlinks a message from everything and frees it; `persist` records the
 * deletion in the store. */
void sqs_msg_remove(sqs_msg_t *m, int persist)
{
    sqs_queue_t *q = m->q;
    sqs_t *s = q->svc;
    sqs_heap_remove(s, m);
    count(q, m->state, -1);
    if (m->all_prev)
        m->all_prev->all_next = m->all_next;
    else
        q->all_head = m->all_next;
    if (m->all_next)
        m->all_next->all_prev = m->all_prev;
    else
        q->all_tail = m->all_prev;
    if (q->fifo) {
        sqs_group_t *g = m->group;
        if (m->prev)
            m->prev->next = m->next;
        else
            g->head = m->next;
        if (m->next)
            m->next->prev = m->prev;
        else
            g->tail = m->prev;
        if (m->state == MSG_INFLIGHT)
            g->inflight--;
        sqs_group_update(q, g);
    } else if (m->state == MSG_READY) {
        ready_unlink(q, m);
    }
    rn_imap_del(&s->msgs, m->seq);
    if (persist)
        rn_store_msg_delete(s->store, q->qid, m->seq);
    sqs_msg_free(m);
}

void sqs_msg_purge(sqs_queue_t *q)
{
    while (q->all_head)
        sqs_msg_remove(q->all_head, 0);
    rn_store_msg_purge(q->svc->store, q->qid);
}

/* ---- send ---- */

static sqs_msg_t *msg_new(sqs_queue_t *q, const char *body, size_t n)
{
    sqs_msg_t *m = rn_calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->body = rn_strndup(body, n);
    if (!m->body) {
        rn_free(m);
        return NULL;
    }
    m->body_len = n;
    m->q = q;
    m->heap_idx = SIZE_MAX;
    m->seq = ++q->svc->next_seq;
    return m;
}

static int dedup_check(sqs_queue_t *q, const char *key, sqs_dedup_t **hit)
{
    sqs_dedup_t *d = rn_smap_get(&q->dedup, key);
    if (d && d->expires_ms > rn_now_ms()) {
        *hit = d;
        return 1;
    }
    return 0;
}

static void dedup_add(sqs_queue_t *q, const char *key, const sqs_msg_t *m, int64_t expires)
{
    sqs_dedup_t *old = rn_smap_get(&q->dedup, key);
    if (old) { /* expired entry still in the map: refresh it in place */
        snprintf(old->msg_id, sizeof old->msg_id, "%s", m->id);
        old->seq = m->seq;
        old->expires_ms = expires;
        return;
    }
    sqs_dedup_t *d = rn_calloc(1, sizeof *d);
    if (!d)
        return;
    d->key = rn_strdup(key);
    snprintf(d->msg_id, sizeof d->msg_id, "%s", m->id);
    d->seq = m->seq;
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
    char skey[1200], val[128];
    snprintf(skey, sizeof skey, "%lld/%s", (long long)q->qid, key);
    snprintf(val, sizeof val, "%s %lld %lld", m->id, (long long)m->seq, (long long)expires);
    rn_store_kv_put(q->svc->store, "dedup", skey, val);
}

static void seqnum(int64_t seq, char out[24])
{
    snprintf(out, 24, "%020lld", (long long)(seq + 18000000000000000000ull / 2));
}

/* Sends one message (a SendMessage call or one batch entry). On success
 * *result holds {MessageId, MD5OfMessageBody, ...}; on failure c->err/c->msg. */
int sqs_msg_send(sqs_queue_t *q, rn_call_t *c, const json_t *e, int batch, json_t **result)
{
    (void)batch;
    json_t *jbody = json_object_get(e, "MessageBody");
    if (!json_is_string(jbody) || json_string_length(jbody) == 0)
        return rn_call_fail(c, RN_ERR_MISSING_PARAMETER, "The request must contain the parameter MessageBody.");
    const char *body = json_string_value(jbody);
    size_t blen = json_string_length(jbody);
    int rc = sqs_body_validate(body, blen, c->msg, sizeof c->msg);
    if (rc < 0)
        return c->err = rc;
    const json_t *attrs = json_object_get(e, "MessageAttributes");
    const json_t *sys = json_object_get(e, "MessageSystemAttributes");
    if (attrs && json_object_size(attrs) == 0)
        attrs = NULL;
    if (sys && json_object_size(sys) == 0)
        sys = NULL;
    size_t asize = 0, ssize = 0;
    if (attrs && (rc = sqs_msgattrs_validate(attrs, 0, &asize, c->msg, sizeof c->msg)) < 0)
        return c->err = rc;
    if (sys && (rc = sqs_msgattrs_validate(sys, 1, &ssize, c->msg, sizeof c->msg)) < 0)
        return c->err = rc;
    if (blen + asize > (size_t)q->max_size)
        return rn_call_fail(c, RN_ERR_INVALID_PARAMETER,
                            "One or more parameters are invalid. Reason: Message must be shorter than %d bytes.",
                            q->max_size);
    int delay = q->delay_s, has_delay = 0;
    json_t *jd = json_object_get(e, "DelaySeconds");
    if (jd && !json_is_null(jd)) {
        if (!json_is_integer(jd))
            return rn_call_fail(c, RN_ERR_INVALID_PARAMETER,
                                "Value for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and "
                                "<= 900.");
        json_int_t d = json_integer_value(jd);
        if (d < 0 || d > 900)
            return rn_call_fail(c, RN_ERR_INVALID_PARAMETER,
                                "Value %lld for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 "
                                "and <= 900.",
                                (long long)d);
        delay = (int)d;
        has_delay = d != 0;
    }
    const char *group = sqs_get_str(e, "MessageGroupId");
    const char *dedup = sqs_get_str(e, "MessageDeduplicationId");
    char dedup_buf[65];
    if (q->fifo) {
        if (has_delay)
            return rn_call_fail(c, RN_ERR_INVALID_PARAMETER,
                                "Value %d for parameter DelaySeconds is invalid. Reason: The request include "
                                "parameter that is not valid for this queue type.",
                                delay);
        delay = q->delay_s;
        if (!group || !*group)
            return rn_call_fail(c, RN_ERR_MISSING_PARAMETER, "The request must contain the parameter MessageGroupId.");
        if (!dedup) {
            if (!q->content_dedup)
                return rn_call_fail(c, RN_ERR_INVALID_PARAMETER,
                                    "The queue should either have ContentBasedDeduplication enabled or "
                                    "MessageDeduplicationId provided explicitly");
            sqs_sha256_hex(body, blen, dedup_buf);
            dedup = dedup_buf;
        }
    } else if (dedup) {
        return rn_call_fail(c, RN_ERR_INVALID_PARAMETER,
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
            return rn_call_fail(c, RN_ERR_INVALID_PARAMETER,
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
            char md5[33], sn[24];
            sqs_md5_hex(body, blen, md5);
            seqnum(hit->seq, sn);
            *result = json_pack("{s:s,s:s,s:s}", "MessageId", hit->msg_id, "MD5OfMessageBody", md5,
                                "SequenceNumber", sn);
            if (attrs) {
                char am[33];
                sqs_md5_message_attributes(attrs, am);
                json_object_set_new(*result, "MD5OfMessageAttributes", json_string(am));
            }
            return 0;
        }
    }
    sqs_msg_t *m = msg_new(q, body, blen);
    if (!m)
        return rn_call_fail(c, RN_ERR_NOMEM, "Out of memory");
    rn_uuid(m->id);
    sqs_md5_hex(body, blen, m->md5_body);
    if (attrs) {
        m->attrs = json_deep_copy(attrs);
        sqs_md5_message_attributes(attrs, m->md5_attrs);
    }
    if (sys) {
        const char *th = json_string_value(json_object_get(json_object_get(sys, "AWSTraceHeader"), "StringValue"));
        if (th)
            m->trace = rn_strdup(th);
        sqs_md5_message_attributes(sys, m->md5_sys);
    }
    if (group)
        m->group_id = rn_strdup(group);
    if (q->fifo)
        m->dedup_id = rn_strdup(dedup);
    m->sender = sqs_intern_sender(q->svc, c->principal[0] ? c->principal : q->svc->cfg->account_id);
    m->size = blen + asize;
    m->sent_ms = rn_now_ms();
    m->visible_ms = m->sent_ms + (int64_t)delay * 1000;
    m->state = delay > 0 ? MSG_DELAYED : MSG_READY;
    if (rn_imap_put(&q->svc->msgs, m->seq, m) < 0) {
        sqs_msg_free(m);
        return rn_call_fail(c, RN_ERR_NOMEM, "Out of memory");
    }
    sqs_msg_place(m);
    sqs_msg_persist(m);
    if (q->fifo)
        dedup_add(q, dkey, m, m->sent_ms + SQS_DEDUP_WINDOW_MS);
    if (m->state != MSG_READY)
        sqs_timer_arm(q->svc);
    json_t *r = json_object();
    json_object_set_new_nocheck(r, "MessageId", json_stringn_nocheck(m->id, 36));
    json_object_set_new_nocheck(r, "MD5OfMessageBody", json_stringn_nocheck(m->md5_body, 32));
    if (m->attrs)
        json_object_set_new(r, "MD5OfMessageAttributes", json_string(m->md5_attrs));
    if (m->md5_sys[0])
        json_object_set_new(r, "MD5OfMessageSystemAttributes", json_string(m->md5_sys));
    if (q->fifo) {
        char sn[24];
        seqnum(m->seq, sn);
        json_object_set_new(r, "SequenceNumber", json_string(sn));
    }
    *result = r;
    if (m->state == MSG_READY && q->w_head)
        sqs_waiters_wake(q);
    return 0;
}

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

static json_t *msg_render(sqs_msg_t *m, const json_t *in)
{
    if (!m->md5_body[0]) /* restored messages compute it on first receive */
        sqs_md5_hex(m->body, m->body_len, m->md5_body);
    char handle[512];
    handle_make(m, handle, sizeof handle);
    json_t *r = json_object();
    json_object_set_new_nocheck(r, "MessageId", json_stringn_nocheck(m->id, 36));
    json_object_set_new_nocheck(r, "ReceiptHandle", json_string_nocheck(handle));
    json_object_set_new_nocheck(r, "MD5OfBody", json_stringn_nocheck(m->md5_body, 32));
    json_object_set_new_nocheck(r, "Body", json_stringn_nocheck(m->body, m->body_len));
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
            json_object_set_new(a, "SenderId", json_string(m->sender));
        if (name_wanted(names, "SentTimestamp"))
            put_attr_num(a, "SentTimestamp", m->sent_ms);
        if (name_wanted(names, "ApproximateReceiveCount"))
            put_attr_num(a, "ApproximateReceiveCount", m->receive_count);
        if (name_wanted(names, "ApproximateFirstReceiveTimestamp"))
            put_attr_num(a, "ApproximateFirstReceiveTimestamp", m->first_receive_ms);
        if (m->q->fifo) {
            char seq[24];
            seqnum(m->seq, seq);
            if (name_wanted(names, "SequenceNumber"))
                json_object_set_new(a, "SequenceNumber", json_string(seq));
            if (name_wanted(names, "MessageDeduplicationId") && m->dedup_id)
                json_object_set_new(a, "MessageDeduplicationId", json_string(m->dedup_id));
        }
        if (name_wanted(names, "MessageGroupId") && m->group_id)
            json_object_set_new(a, "MessageGroupId", json_string(m->group_id));
        if (name_wanted(names, "AWSTraceHeader") && m->trace)
            json_object_set_new(a, "AWSTraceHeader", json_string(m->trace));
        if (name_wanted(names, "DeadLetterQueueSourceArn") && m->dlq_source)
            json_object_set_new(a, "DeadLetterQueueSourceArn", json_string(m->dlq_source));
        if (json_object_size(a))
            json_object_set_new(r, "Attributes", a);
        else
            json_decref(a);
    }
    json_decref(names);
    const json_t *man = json_object_get(in, "MessageAttributeNames");
    if (m->attrs && json_array_size(man)) {
        json_t *sel = json_object();
        const char *k;
        json_object_foreach(m->attrs, k, v)
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
    }
    return r;
}

/* Takes one READY message for a receive: returns 1 when it was handed out,
 * 0 when it was dropped (expired or moved to the dead-letter queue). */
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
    m->receive_count++;
    if (!m->first_receive_ms)
        m->first_receive_ms = now;
    json_array_append_new(out, msg_render(m, in));
    if (q->fifo) {
        if (vt > 0) {
            count(q, MSG_READY, -1);
            m->state = MSG_INFLIGHT;
            count(q, MSG_INFLIGHT, 1);
            m->group->inflight++;
        }
    } else {
        ready_unlink(q, m);
        if (vt > 0) {
            count(q, MSG_READY, -1);
            m->state = MSG_INFLIGHT;
            count(q, MSG_INFLIGHT, 1);
        } else {
            ready_append(q, m);
        }
    }
    m->visible_ms = now + (int64_t)vt * 1000;
    if (vt > 0)
        sqs_heap_push(q->svc, m);
    persist_state(m);
    return 1;
}

int sqs_msg_receive(sqs_queue_t *q, rn_call_t *c, int max, int vt, const json_t *in, json_t *out)
{
    (void)c;
    int64_t now = rn_now_ms();
    int got = 0;
    if (!q->fifo) {
        sqs_msg_t *m = q->ready_head;
        sqs_msg_t *stop = NULL; /* with vt 0 messages go back to the tail: don't loop */
        while (m && got < max && m != stop) {
            sqs_msg_t *next = m->next;
            sqs_msg_t *tail = q->ready_tail;
            int took = msg_take(m, vt, now, in, out);
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
                got += msg_take(m, vt, now, in, out);
                if (vt == 0)
                    break; /* a message visible again at once must not repeat in this response */
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
            if (vt == 0 && still)
                continue;
        }
    }
    if (got)
        sqs_timer_arm(q->svc);
    return got;
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
        count(q, MSG_READY, -1);
        m->state = MSG_INFLIGHT;
        count(q, MSG_INFLIGHT, 1);
        if (q->fifo) {
            m->group->inflight++;
            sqs_group_update(q, m->group);
        } else {
            ready_unlink(q, m);
        }
    }
    m->visible_ms = rn_now_ms() + (int64_t)vt * 1000;
    if (vt == 0) {
        msg_make_ready(m);
        if (q->w_head)
            sqs_waiters_wake(q);
    } else {
        sqs_heap_push(q->svc, m);
    }
    sqs_timer_arm(q->svc);
    persist_state(m);
    return 0;
}

/* Copies a message into another queue (dead-letter moves, move tasks). The
 * copy keeps the message id when keep_id is set, its body, attributes and
 * original send time. */
sqs_msg_t *sqs_msg_enqueue_copy(sqs_queue_t *dst, const sqs_msg_t *src, int keep_id)
{
    sqs_msg_t *m = msg_new(dst, src->body, src->body_len);
    if (!m)
        return NULL;
    if (keep_id)
        memcpy(m->id, src->id, sizeof m->id);
    else
        rn_uuid(m->id);
    memcpy(m->md5_body, src->md5_body, sizeof m->md5_body);
    memcpy(m->md5_attrs, src->md5_attrs, sizeof m->md5_attrs);
    memcpy(m->md5_sys, src->md5_sys, sizeof m->md5_sys);
    m->sender = src->sender;
    m->attrs = src->attrs ? json_deep_copy(src->attrs) : NULL;
    m->trace = src->trace ? rn_strdup(src->trace) : NULL;
    m->group_id = src->group_id ? rn_strdup(src->group_id) : NULL;
    m->dedup_id = src->dedup_id ? rn_strdup(src->dedup_id) : NULL;
    m->sent_ms = src->sent_ms;
    m->receive_count = src->receive_count;
    m->first_receive_ms = src->first_receive_ms;
    m->size = src->size;
    m->visible_ms = rn_now_ms();
    m->state = MSG_READY;
    if (dst->fifo && !m->group_id)
        m->group_id = rn_strdup("default");
    if (rn_imap_put(&dst->svc->msgs, m->seq, m) < 0) {
        sqs_msg_free(m);
        return NULL;
    }
    sqs_msg_place(m);
    return m;
}

/* Drops expired messages, dedup entries and receive attempts. Runs once a
 * second; it only looks at the heads of time-ordered lists. */
void sqs_sweep(sqs_t *s)
{
    int64_t now = rn_now_ms();
    size_t i = 0;
    const char *k;
    void *v;
    while (rn_smap_next(&s->queues, &i, &k, &v)) {
        sqs_queue_t *q = v;
        int64_t limit = (int64_t)q->retention_s * 1000;
        while (q->all_head && q->all_head->sent_ms + limit <= now && q->all_head->state != MSG_INFLIGHT)
            sqs_msg_remove(q->all_head, 1);
        while (q->dd_head && q->dd_head->expires_ms <= now) {
            sqs_dedup_t *d = q->dd_head;
            q->dd_head = d->next;
            if (!q->dd_head)
                q->dd_tail = NULL;
            if (rn_smap_get(&q->dedup, d->key) == d) {
                rn_smap_del(&q->dedup, d->key);
                char skey[1200];
                snprintf(skey, sizeof skey, "%lld/%s", (long long)q->qid, d->key);
                rn_store_kv_delete(s->store, "dedup", skey);
            }
            rn_free(d->key);
            rn_free(d);
        }
        const char *ak;
        json_t *av, *tmp;
        json_object_foreach_safe(q->attempts, tmp, ak, av)
        {
            if (json_integer_value(json_object_get(av, "exp")) <= now)
                json_object_del(q->attempts, ak);
        }
    }
}
