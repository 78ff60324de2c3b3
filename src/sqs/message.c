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
#include "sqs/msgrec.h"
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
void sqs_msg_place(sqs_msg_t *m, const char *group_id)
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
        sqs_group_t *g = rn_smap_get(&q->groups, group_id ? group_id : "");
        if (!g) {
            g = rn_calloc(1, sizeof *g);
            g->id = rn_strdup(group_id ? group_id : "");
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

sqs_msg_t *sqs_msg_new(sqs_queue_t *q)
{
    sqs_msg_t *m = rn_calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->q = q;
    m->heap_idx = SQS_NOT_IN_HEAP;
    m->seq = ++q->svc->next_seq;
    return m;
}

/* ---- persistence ---- */

void sqs_msg_persist(const sqs_msg_t *m, const char *body, size_t body_len, const char *cold, size_t cold_len)
{
    sqs_t *s = m->q->svc;
    char id[37];
    sqs_id_format(m->id, id);
    rn_buf_t meta = {0};
    if (rn_store_durable(s->store)) /* the memory engine keeps no meta */
        sqs_meta_encode(&meta, m->group ? m->group->id : NULL, m->from_dlq);
    if (meta.oom) {
        rn_buf_free(&meta);
        RN_ERROR("sqs: out of memory persisting a message");
        return;
    }
    rn_store_msg_rec_t rec = {m->q->qid, m->seq, id, body, body_len, meta.data ? meta.data : "{\"v\":2}", cold,
                              cold_len, m->sent_ms, m->visible_ms, m->receive_count, m->first_receive_ms};
    rn_store_msg_put(s->store, &rec);
    rn_buf_free(&meta);
}

void sqs_msg_persist_state(const sqs_msg_t *m)
{
    if (!rn_store_durable(m->q->svc->store))
        return;
    rn_store_msg_state(m->q->svc->store, m->q->qid, m->seq, m->visible_ms, m->receive_count, m->first_receive_ms);
}

void sqs_msg_free(sqs_msg_t *m)
{
    if (m->from_dlq)
        rn_free(rn_imap_del(&m->q->svc->arrivals, m->seq));
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

sqs_msg_t *sqs_msg_enqueue_copy(sqs_queue_t *dst, const sqs_msg_t *src, int how, size_t *size)
{
    sqs_t *s = dst->svc;
    char *body = NULL, *cold = NULL;
    size_t blen = 0, clen = 0;
    sqs_cold_t c;
    int rc = rn_store_msg_read(s->store, src->q->qid, src->seq, &body, &blen, &cold, &clen);
    if (rc != 0 || !cold || sqs_cold_decode(cold, clen, &c) < 0) {
        RN_ERROR("sqs: cannot read message %lld of queue %s back (%d)", (long long)src->seq, src->q->name, rc);
        rn_free(body);
        return NULL;
    }
    sqs_msg_t *m = sqs_msg_new(dst);
    if (!m) {
        rn_free(body);
        return NULL;
    }
    int64_t now = rn_now_ms();
    if (how == SQS_COPY_REDRIVE) {
        memcpy(m->id, src->id, sizeof m->id);
        m->sent_ms = src->sent_ms;
        m->receive_count = src->receive_count;
        m->first_receive_ms = src->first_receive_ms;
        c.dlq_source = src->q->arn;
    } else {
        char id[37];
        rn_uuid(id);
        sqs_id_parse(id, m->id);
        m->sent_ms = now;
        c.dlq_source = NULL; /* a move sends anew */
    }
    m->from_dlq = c.dlq_source != NULL;
    sqs_arrival_t *arr = how == SQS_COPY_REDRIVE ? rn_malloc(sizeof *arr) : NULL;
    if (arr) {
        arr->ms = now;
        arr->receives = src->receive_count;
        if (rn_imap_put(&s->arrivals, m->seq, arr) < 0)
            rn_free(arr); /* its metrics count from its send instead */
    }
    if (dst->fifo && !c.group)
        c.group = "default";
    m->visible_ms = now;
    m->state = MSG_READY;
    if (rn_imap_put(&s->msgs, m->seq, m) < 0) {
        sqs_msg_free(m);
        rn_free(body);
        return NULL;
    }
    sqs_msg_place(m, c.group);
    s->scratch.len = 0;
    sqs_cold_encode(&s->scratch, &c);
    if (!s->scratch.oom)
        sqs_msg_persist(m, body, blen, s->scratch.data, s->scratch.len);
    else
        RN_ERROR("sqs: out of memory copying a message");
    *size = blen + c.attr_size;
    rn_free(body);
    return m;
}
