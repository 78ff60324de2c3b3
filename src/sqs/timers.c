/* SPDX-License-Identifier: MIT
 * SQS timers: the single service-wide heap that turns delayed and
 * in-flight messages visible again, its one uv timer, the once-a-second
 * sweep of expired messages, dedup ids and receive attempts, and what the
 * moving clock asks for (sqs_next_due). */
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
    s->heap[a]->heap_idx = (uint32_t)a;
    s->heap[b]->heap_idx = (uint32_t)b;
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
    if (m->heap_idx != SQS_NOT_IN_HEAP) {
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
    m->heap_idx = (uint32_t)s->heap_len;
    s->heap[s->heap_len++] = m;
    heap_up(s, m->heap_idx);
}

void sqs_heap_remove(sqs_t *s, sqs_msg_t *m)
{
    size_t i = m->heap_idx;
    if (i == SQS_NOT_IN_HEAP)
        return;
    m->heap_idx = SQS_NOT_IN_HEAP;
    s->heap_len--;
    if (i == s->heap_len)
        return;
    s->heap[i] = s->heap[s->heap_len];
    s->heap[i]->heap_idx = (uint32_t)i;
    heap_up(s, i);
    heap_down(s, s->heap[i]->heap_idx);
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
        sqs_msg_make_ready(m);
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
