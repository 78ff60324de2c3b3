/* SPDX-License-Identifier: MIT
 * SQS's own metrics, named and counted as AWS/SQS publishes them per queue
 * (dimension QueueName): the running totals the send, receive and delete
 * paths keep in each queue's tally, and the message counts and oldest age
 * read from the queue as it is now. Whoever collects them (CloudWatch,
 * GET /metrics) turns the totals into per-period sums. */
#include "core/clock.h"
#include "sqs/sqs_int.h"

#define NS "AWS/SQS"

/* AWS leaves a standard queue's message that was received this often
 * without being deleted out of ApproximateAgeOfOldestMessage (a poison pill
 * would pin it); FIFO queues keep it, since it blocks its group. */
#define SQS_POISON_RECEIVES 3

/* The age of the oldest message that counts, in seconds (0 when none). A
 * message moved to a dead-letter queue counts from its move. The send-order
 * list is close enough to age order for the "approximate" AWS promises, so
 * the scan stops at the first message that counts. */
static double oldest_age_s(const sqs_queue_t *q, int64_t now)
{
    for (const sqs_msg_t *m = q->all_head; m; m = m->all_next) {
        const sqs_arrival_t *arr = m->from_dlq ? rn_imap_get(&q->svc->arrivals, m->seq) : NULL;
        if (!q->fifo && (int)m->receive_count - (arr ? arr->receives : 0) >= SQS_POISON_RECEIVES)
            continue;
        int64_t since = arr ? arr->ms : m->sent_ms;
        return now > since ? (double)(now - since) / 1000.0 : 0.0;
    }
    return 0.0;
}

static void emit_one(rn_metric_fn emit, void *ud, const sqs_queue_t *q, const char *name, const char *unit, int kind,
                     double value, double samples, const char *help)
{
    rn_metric_t m = {NS, name, "QueueName", q->name, unit, kind, value, samples, help};
    emit(ud, &m);
}

static void queue_metrics(const sqs_queue_t *q, int64_t now, rn_metric_fn emit, void *ud)
{
    const sqs_tally_t *t = &q->tally;
    emit_one(emit, ud, q, "NumberOfMessagesSent", "Count", RN_METRIC_COUNTER, (double)t->sent, 0,
             "Messages added to the queue by a send.");
    if (t->sent) /* as on AWS, the size appears once a message was sent */
        emit_one(emit, ud, q, "SentMessageSize", "Bytes", RN_METRIC_COUNTER, (double)t->sent_bytes,
                 (double)t->sent, "Size of the messages added to the queue (body and attributes).");
    emit_one(emit, ud, q, "NumberOfMessagesReceived", "Count", RN_METRIC_COUNTER, (double)t->received, 0,
             "Messages returned by ReceiveMessage calls.");
    emit_one(emit, ud, q, "NumberOfMessagesDeleted", "Count", RN_METRIC_COUNTER, (double)t->deleted, 0,
             "Successful deletions with a valid receipt handle, repeated ones included.");
    emit_one(emit, ud, q, "NumberOfEmptyReceives", "Count", RN_METRIC_COUNTER, (double)t->empty_receives, 0,
             "ReceiveMessage calls that returned no message.");
    emit_one(emit, ud, q, "ApproximateNumberOfMessagesVisible", "Count", RN_METRIC_GAUGE, (double)q->n_ready, 0,
             "Messages available for retrieval now.");
    emit_one(emit, ud, q, "ApproximateNumberOfMessagesNotVisible", "Count", RN_METRIC_GAUGE, (double)q->n_inflight,
             0, "Messages in flight: received, not yet deleted, visibility timeout not yet over.");
    emit_one(emit, ud, q, "ApproximateNumberOfMessagesDelayed", "Count", RN_METRIC_GAUGE, (double)q->n_delayed, 0,
             "Messages delayed and not yet available.");
    emit_one(emit, ud, q, "ApproximateAgeOfOldestMessage", "Seconds", RN_METRIC_GAUGE, oldest_age_s(q, now), 0,
             "Age of the oldest message not deleted (poison pills left out on standard queues).");
}

/* Hands every queue's figures to emit, now. Reads only. */
void sqs_metrics(sqs_t *s, rn_metric_fn emit, void *ud)
{
    int64_t now = rn_now_ms();
    size_t i = 0;
    const char *k;
    void *v;
    while (rn_smap_next(&s->queues, &i, &k, &v))
        queue_metrics(v, now, emit, ud);
}
