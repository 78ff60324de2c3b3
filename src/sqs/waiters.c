/* SPDX-License-Identifier: MIT
 * Long polling. A ReceiveMessage that finds nothing and may wait is parked on
 * its queue with one uv timer for its deadline; sends, visibility expiries and
 * FIFO unlocks call sqs_waiters_wake(), which serves parked calls in arrival
 * order the moment a message is receivable. Idle waiters cost no CPU. */
#include <stdlib.h>

#include "core/err.h"
#include "core/log.h"
#include "core/mem.h"
#include "sqs/sqs_int.h"

static void unlink_waiter(sqs_waiter_t *w)
{
    sqs_queue_t *q = w->q;
    if (!q)
        return;
    if (w->prev)
        w->prev->next = w->next;
    else
        q->w_head = w->next;
    if (w->next)
        w->next->prev = w->prev;
    else
        q->w_tail = w->prev;
    w->prev = w->next = NULL;
    w->q = NULL;
}

static void on_closed(uv_handle_t *h)
{
    rn_free(h->data);
}

static void waiter_close(sqs_waiter_t *w)
{
    unlink_waiter(w);
    w->closed = 1;
    uv_timer_stop(&w->timer);
    uv_close((uv_handle_t *)&w->timer, on_closed);
}

/* Finishes a parked call with whatever messages it holds (maybe none). */
static void waiter_finish(sqs_waiter_t *w)
{
    rn_call_t *c = w->call;
    c->cancel = NULL;
    c->svc_data = NULL;
    if (w->q && json_array_size(json_object_get(c->out, "Messages")) == 0)
        w->q->tally.empty_receives++;
    waiter_close(w);
    sqs_receive_tidy(c->out);
    c->done(c);
}

static void on_deadline(uv_timer_t *t)
{
    sqs_waiter_t *w = t->data;
    waiter_finish(w);
}

static void on_cancel(rn_call_t *c)
{
    sqs_waiter_t *w = c->svc_data;
    c->cancel = NULL;
    c->svc_data = NULL;
    if (w)
        waiter_close(w);
}

int sqs_waiter_park(sqs_queue_t *q, rn_call_t *c, int max, int vt, int wait_s)
{
    sqs_waiter_t *w = rn_calloc(1, sizeof *w);
    if (!w)
        return rn_call_fail(c, RN_ERR_NOMEM, "Out of memory");
    w->q = q;
    w->call = c;
    w->max = max;
    w->vt = vt;
    uv_timer_init(q->svc->loop, &w->timer);
    w->timer.data = w;
    uv_timer_start(&w->timer, on_deadline, (uint64_t)wait_s * 1000, 0);
    w->prev = q->w_tail;
    if (q->w_tail)
        q->w_tail->next = w;
    else
        q->w_head = w;
    q->w_tail = w;
    c->cancel = on_cancel;
    c->svc_data = w;
    return RN_PENDING;
}

void sqs_waiters_wake(sqs_queue_t *q)
{
    sqs_waiter_t *w = q->w_head;
    while (w) {
        sqs_waiter_t *next = w->next;
        json_t *msgs = json_object_get(w->call->out, "Messages");
        int got = sqs_msg_receive(q, w->call, w->max, w->vt, w->call->in, msgs);
        if (got > 0) { /* a store failure (got < 0) leaves it waiting */
            waiter_finish(w);
        } else {
            /* nothing receivable for this one: later waiters won't fare better
             * on a standard queue; FIFO group locks are per queue too */
            break;
        }
        w = next;
        if (!q->ready_head && !q->rg_head)
            break;
    }
}

/* Answers every waiter on the queue (deletion, purge, shutdown). */
void sqs_waiters_flush(sqs_queue_t *q)
{
    while (q->w_head)
        waiter_finish(q->w_head);
}
