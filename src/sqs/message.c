/* SPDX-License-Identifier: MIT
 * SQS messages: where a message sits by state (ready list, FIFO group,
 * timer heap), its record in the store, and its removal; copies into
 * another queue (dead-letter moves, move tasks). Sending is in send.c,
 * receiving and receipt handles in receive.c, timers in timers.c. */
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

/* ---- placement ---- */

void sqs_ready_append(sqs_queue_t *q, sqs_msg_t *m)
{
    m->next = NULL;
    m->prev = q->ready_tail;
    if (q->ready_tail)
        q->ready_tail->next = m;
    else
        q->ready_head = m;
    q->ready_tail = m;
}

void sqs_ready_unlink(sqs_queue_t *q, sqs_msg_t *m)
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

void sqs_count(sqs_queue_t *q, int state, int delta)
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
    sqs_count(q, m->state, 1);
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
        sqs_ready_append(q, m);
    }
}

/* Moves a message whose timer fired (or whose visibility became 0) to READY. */
void sqs_msg_make_ready(sqs_msg_t *m)
{
    sqs_queue_t *q = m->q;
    sqs_heap_remove(q->svc, m);
    if (m->state == MSG_READY)
        return;
    int was = m->state;
    sqs_count(q, was, -1);
    m->state = MSG_READY;
    sqs_count(q, MSG_READY, 1);
    if (q->fifo) {
        if (was == MSG_INFLIGHT)
            m->group->inflight--;
        sqs_group_update(q, m->group);
    } else {
        sqs_ready_append(q, m);
    }
}

sqs_msg_t *sqs_msg_new(sqs_queue_t *q, const char *body, size_t n)
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
    rn_store_msg_rec_t rec = {m->q->qid, m->seq, m->id, m->body, m->body_len, b.data, NULL, 0,
                              m->sent_ms, m->visible_ms, m->receive_count, m->first_receive_ms};
    rn_store_msg_put(m->q->svc->store, &rec);
    rn_buf_free(&b);
}

void sqs_msg_persist_state(const sqs_msg_t *m)
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
    sqs_count(q, m->state, -1);
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
        sqs_ready_unlink(q, m);
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

/* Copies a message into another queue (dead-letter moves, move tasks). The
 * copy keeps the message id when keep_id is set, its body, attributes and
 * original send time. */
sqs_msg_t *sqs_msg_enqueue_copy(sqs_queue_t *dst, const sqs_msg_t *src, int keep_id)
{
    sqs_msg_t *m = sqs_msg_new(dst, src->body, src->body_len);
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
