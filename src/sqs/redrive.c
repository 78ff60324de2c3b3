/* SPDX-License-Identifier: MIT
 * Dead-letter queues: RedrivePolicy and RedriveAllowPolicy validation, the
 * move of a message whose receive count passed maxReceiveCount, the
 * ListDeadLetterSourceQueues view, and message move tasks (redrive back to
 * the sources or to a chosen queue at a bounded rate, cancellable, durable). */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_alloc.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/ids.h"
#include "core/log.h"
#include "core/mem.h"
#include "sqs/msgrec.h"
#include "sqs/sqs_int.h"

struct sqs_move_task {
    sqs_move_task_t *next;
    sqs_t *svc;
    char id[37];
    char source[256];
    char dest[256];          /* "" = back to each message's source */
    int rate;                /* messages per second; 0 = system optimised */
    char status[16];         /* RUNNING, COMPLETED, CANCELLED, FAILED */
    char failure[256];
    long long moved, to_move;
    int64_t started_ms;
    uv_timer_t timer;
    int timer_on;
};

int sqs_redrive_validate(sqs_t *s, rn_call_t *c, const char *qname, int fifo, const char *policy,
                         char **dlq_arn, int *max_receive)
{
    json_t *j = json_loads(policy, 0, NULL);
    if (!json_is_object(j)) {
        json_decref(j);
        return rn_call_fail(c, RN_ERR_INVALID_PARAMETER,
                            "Invalid value for the parameter RedrivePolicy. Reason: Redrive policy is not a valid "
                            "JSON map.");
    }
    int rc = 0;
    const char *k;
    json_t *v;
    json_object_foreach(j, k, v)
    {
        if (strcmp(k, "deadLetterTargetArn") && strcmp(k, "maxReceiveCount")) {
            rc = rn_call_fail(c, RN_ERR_INVALID_PARAMETER,
                              "Value %s for parameter RedrivePolicy is invalid. Reason: Only following attributes "
                              "are supported: [maxReceiveCount, deadLetterTargetArn].",
                              policy);
            goto out;
        }
    }
    json_t *arn = json_object_get(j, "deadLetterTargetArn");
    json_t *mr = json_object_get(j, "maxReceiveCount");
    if (!arn || !mr) {
        rc = rn_call_fail(c, RN_ERR_INVALID_PARAMETER,
                          "Value %s for parameter RedrivePolicy is invalid. Reason: Redrive policy does not contain "
                          "mandatory attribute: %s.",
                          policy, !mr ? "maxReceiveCount" : "deadLetterTargetArn");
        goto out;
    }
    long n = -1;
    if (json_is_integer(mr))
        n = (long)json_integer_value(mr);
    else if (json_is_string(mr)) {
        char *end;
        n = strtol(json_string_value(mr), &end, 10);
        if (*end || !*json_string_value(mr))
            n = -1;
    }
    if (n < 1 || n > 1000) {
        rc = rn_call_fail(c, RN_ERR_INVALID_PARAMETER,
                          "Value %s for parameter RedrivePolicy is invalid. Reason: Invalid value for "
                          "maxReceiveCount: %ld, valid values are from 1 to 1000 both inclusive.",
                          policy, n);
        goto out;
    }
    const char *a = json_string_value(arn);
    if (!a || strncmp(a, "arn:", 4) != 0) {
        rc = rn_call_fail(c, RN_ERR_INVALID_PARAMETER,
                          "Value %s for parameter RedrivePolicy is invalid. Reason: Dead-letter target ARN should be "
                          "fully qualified ARN.",
                          policy);
        goto out;
    }
    sqs_queue_t *dlq = sqs_queue_by_arn(s, a);
    if (!dlq) {
        rc = rn_call_fail(c, RN_ERR_INVALID_PARAMETER,
                          "Value %s for parameter RedrivePolicy is invalid. Reason: Dead letter target does not exist.",
                          policy);
        goto out;
    }
    if (dlq->fifo != fifo) {
        rc = rn_call_fail(c, RN_ERR_INVALID_PARAMETER,
                          "Value %s for parameter RedrivePolicy is invalid. Reason: Dead-letter queue must be same "
                          "type of queue as the source..",
                          policy);
        goto out;
    }
    char src_arn[256];
    snprintf(src_arn, sizeof src_arn, "arn:aws:sqs:%s:%s:%s", s->cfg->region, s->cfg->account_id, qname);
    const char *allow = json_string_value(json_object_get(dlq->attrs, "RedriveAllowPolicy"));
    if (allow && *allow) {
        json_t *ap = json_loads(allow, 0, NULL);
        const char *perm = json_string_value(json_object_get(ap, "redrivePermission"));
        int ok = 1;
        if (perm && strcmp(perm, "denyAll") == 0)
            ok = 0;
        else if (perm && strcmp(perm, "byQueue") == 0) {
            ok = 0;
            size_t i;
            json_t *x;
            json_array_foreach(json_object_get(ap, "sourceQueueArns"), i, x) if (
                json_string_value(x) && strcmp(json_string_value(x), src_arn) == 0) ok = 1;
        }
        json_decref(ap);
        if (!ok) {
            rc = rn_call_fail(c, RN_ERR_INVALID_PARAMETER,
                              "Value %s for parameter RedrivePolicy is invalid. Reason: Queue %s does not allow this "
                              "queue to use it as a dead-letter queue.",
                              policy, a);
            goto out;
        }
    }
    *dlq_arn = rn_strdup(a);
    *max_receive = (int)n;
out:
    json_decref(j);
    return rc;
}

int sqs_redrive_allow_validate(rn_call_t *c, const char *policy)
{
    json_t *j = json_loads(policy, 0, NULL);
    int rc = 0;
    const char *perm = json_string_value(json_object_get(j, "redrivePermission"));
    json_t *arns = json_object_get(j, "sourceQueueArns");
    const char *why = NULL;
    if (!json_is_object(j) || !perm ||
        (strcmp(perm, "allowAll") && strcmp(perm, "denyAll") && strcmp(perm, "byQueue")))
        why = "Amazon SQS can't create the redrive allow policy, as it's in an unsupported format.";
    else if (strcmp(perm, "byQueue") == 0 && json_array_size(arns) == 0)
        why = "Amazon SQS can't create the redrive allow policy. When you specify the byQueue permission type, you "
              "must also specify one or more sourceQueueArns values.";
    else if (strcmp(perm, "byQueue") != 0 && arns)
        why = "Amazon SQS can't create the redrive allow policy. To specify one or more source queue ARNs, you must "
              "set redrivePermission to byQueue.";
    else if (json_array_size(arns) > 10)
        why = "Amazon SQS can't create the redrive allow policy. The maximum number of source queue ARNs you can "
              "specify is 10.";
    if (why)
        rc = rn_call_fail(c, RN_ERR_INVALID_PARAMETER,
                          "Value %s for parameter RedriveAllowPolicy is invalid. Reason: %s", policy, why);
    json_decref(j);
    return rc;
}

/* Moves a message that exceeded maxReceiveCount to its dead-letter queue. */
void sqs_redrive_to_dlq(sqs_msg_t *m)
{
    sqs_queue_t *src = m->q;
    sqs_queue_t *dlq = sqs_queue_by_arn(src->svc, src->dlq_arn);
    if (!dlq || dlq == src)
        return;
    size_t size;
    if (!sqs_msg_enqueue_copy(dlq, m, SQS_COPY_REDRIVE, &size))
        return;
    sqs_msg_remove(m, 1);
    if (dlq->w_head)
        sqs_waiters_wake(dlq);
}

int sqs_op_list_dlq_sources(sqs_t *s, rn_call_t *c)
{
    sqs_queue_t *dlq;
    if (sqs_queue_from_url(s, c, c->in, &dlq) < 0)
        return c->err;
    return sqs_list_urls(s, c, NULL, dlq->arn, "queueUrls", 1);
}

/* ---- message move tasks ---- */

static void task_persist(sqs_move_task_t *t)
{
    json_t *j = json_pack("{s:s,s:s,s:s,s:i,s:s,s:s,s:I,s:I,s:I}", "id", t->id, "source", t->source, "dest", t->dest,
                          "rate", t->rate, "status", t->status, "failure", t->failure, "moved", (json_int_t)t->moved,
                          "to_move", (json_int_t)t->to_move, "started", (json_int_t)t->started_ms);
    char *txt = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    if (txt)
        rn_store_kv_put(t->svc->store, "movetask", t->id, txt);
    rn_json_free(txt);
}

static void task_handle(const sqs_move_task_t *t, char *out, size_t n)
{
    char raw[400];
    int l = snprintf(raw, sizeof raw, "%s|%s", t->id, t->source);
    if (n < 4 * ((size_t)l + 2) / 3 + 1) {
        out[0] = '\0';
        return;
    }
    EVP_EncodeBlock((unsigned char *)out, (unsigned char *)raw, l);
}

static void task_stop(sqs_move_task_t *t, const char *status)
{
    snprintf(t->status, sizeof t->status, "%s", status);
    if (t->timer_on) {
        uv_timer_stop(&t->timer);
    }
    task_persist(t);
}

/* The DeadLetterQueueSourceArn a message brought (a copy the caller frees),
 * read back from its cold part; NULL when it has none or the read failed. */
static char *dlq_source_of(const sqs_msg_t *m)
{
    char *body = NULL, *cold = NULL, *arn = NULL;
    size_t blen, clen;
    sqs_cold_t c;
    if (rn_store_msg_read(m->q->svc->store, m->q->qid, m->seq, &body, &blen, &cold, &clen) == 0 && cold &&
        sqs_cold_decode(cold, clen, &c) == 0 && c.dlq_source)
        arn = rn_strdup(c.dlq_source);
    rn_free(body);
    return arn;
}

static void on_task_tick(uv_timer_t *h)
{
    sqs_move_task_t *t = h->data;
    sqs_t *s = t->svc;
    sqs_queue_t *src = sqs_queue_by_arn(s, t->source);
    if (!src) {
        snprintf(t->failure, sizeof t->failure, "AWS.SimpleQueueService.NonExistentQueue");
        task_stop(t, "FAILED");
        return;
    }
    int budget = t->rate > 0 ? (t->rate + 9) / 10 : 50; /* per 100 ms */
    sqs_msg_t *m = src->all_head;
    while (m && budget > 0) {
        sqs_msg_t *next = m->all_next;
        if (m->state == MSG_READY && m->sent_ms <= t->started_ms) {
            char *darn = t->dest[0] ? rn_strdup(t->dest) : m->from_dlq ? dlq_source_of(m) : NULL;
            sqs_queue_t *dst = darn ? sqs_queue_by_arn(s, darn) : NULL;
            rn_free(darn);
            size_t size;
            if (dst && dst != src) {
                if (sqs_msg_enqueue_copy(dst, m, SQS_COPY_MOVE, &size)) {
                    dst->tally.sent++; /* a move task sends anew, as SendMessage would */
                    dst->tally.sent_bytes += size;
                    sqs_msg_remove(m, 1);
                    t->moved++;
                    budget--;
                    if (dst->w_head)
                        sqs_waiters_wake(dst);
                }
            }
        }
        m = next;
    }
    int left = 0;
    for (m = src->all_head; m; m = m->all_next)
        if (m->sent_ms <= t->started_ms && (t->dest[0] || m->from_dlq)) {
            left = 1;
            break;
        }
    if (!left)
        task_stop(t, "COMPLETED");
    else
        task_persist(t);
}

static void task_start_timer(sqs_move_task_t *t)
{
    if (!t->timer_on) {
        uv_timer_init(t->svc->loop, &t->timer);
        t->timer.data = t;
        t->timer_on = 1;
    }
    uv_timer_start(&t->timer, on_task_tick, 100, 100);
}

static int is_dlq(sqs_t *s, const char *arn)
{
    size_t i = 0;
    const char *k;
    void *v;
    while (rn_smap_next(&s->queues, &i, &k, &v)) {
        sqs_queue_t *q = v;
        if (q->dlq_arn && strcmp(q->dlq_arn, arn) == 0)
            return 1;
    }
    return 0;
}

int sqs_op_start_move(sqs_t *s, rn_call_t *c)
{
    const char *source = rn_param_str(c->in, "SourceArn");
    const char *dest = rn_param_str(c->in, "DestinationArn");
    if (!source)
        return rn_call_fail(c, RN_ERR_MISSING_PARAMETER, "The request must contain the parameter SourceArn.");
    if (strncmp(source, "arn:", 4) != 0)
        return rn_call_fail(c, RN_ERR_INVALID_PARAMETER,
                            "You must use this format to specify the SourceArn: "
                            "arn:<partition>:<service>:<region>:<account-id>:<resource-id>");
    sqs_queue_t *src = sqs_queue_by_arn(s, source);
    if (!src)
        return rn_call_fail(c, SQS_ERR_RESOURCE_NOT_FOUND,
                            "The resource that you specified for the SourceArn parameter doesn't exist.");
    if (dest && !sqs_queue_by_arn(s, dest))
        return rn_call_fail(c, SQS_ERR_RESOURCE_NOT_FOUND,
                            "The resource that you specified for the DestinationArn parameter doesn't exist.");
    if (!is_dlq(s, source))
        return rn_call_fail(c, RN_ERR_INVALID_PARAMETER, "Source queue must be configured as a Dead Letter Queue.");
    int rate = 0, has_rate = 0;
    if (sqs_get_int(c, c->in, "MaxNumberOfMessagesPerSecond", 1, 500, &rate, &has_rate) < 0)
        return c->err;
    for (sqs_move_task_t *t = s->tasks; t; t = t->next)
        if (strcmp(t->source, source) == 0 && strcmp(t->status, "RUNNING") == 0)
            return rn_call_fail(c, RN_ERR_INVALID_PARAMETER,
                                "There is already a task running. Only one active task is allowed for a source queue "
                                "arn at a given time.");
    sqs_move_task_t *t = rn_calloc(1, sizeof *t);
    if (!t)
        return rn_call_fail(c, RN_ERR_NOMEM, "Out of memory");
    t->svc = s;
    rn_uuid(t->id);
    snprintf(t->source, sizeof t->source, "%s", source);
    snprintf(t->dest, sizeof t->dest, "%s", dest ? dest : "");
    t->rate = rate;
    snprintf(t->status, sizeof t->status, "RUNNING");
    t->started_ms = rn_now_ms();
    t->to_move = src->n_ready + src->n_inflight + src->n_delayed;
    t->next = s->tasks;
    s->tasks = t;
    task_persist(t);
    task_start_timer(t);
    char h[600];
    task_handle(t, h, sizeof h);
    c->out = json_pack("{s:s}", "TaskHandle", h);
    return 0;
}

int sqs_op_cancel_move(sqs_t *s, rn_call_t *c)
{
    const char *h = rn_param_str(c->in, "TaskHandle");
    if (!h)
        return rn_call_fail(c, RN_ERR_MISSING_PARAMETER, "The request must contain the parameter TaskHandle.");
    unsigned char raw[600];
    size_t n = strlen(h);
    int l = n && n % 4 == 0 && n < 780 ? EVP_DecodeBlock(raw, (const unsigned char *)h, (int)n) : -1;
    char *bar = l > 0 ? memchr(raw, '|', (size_t)l) : NULL;
    if (!bar)
        return rn_call_fail(c, RN_ERR_INVALID_PARAMETER, "Value for parameter TaskHandle is invalid.");
    raw[l] = '\0';
    while (l > 0 && raw[l - 1] == '\0')
        l--;
    *bar = '\0';
    const char *id = (const char *)raw, *source = bar + 1;
    if (!sqs_queue_by_arn(s, source))
        return rn_call_fail(c, SQS_ERR_RESOURCE_NOT_FOUND,
                            "The resource that you specified for the SourceArn parameter doesn't exist.");
    for (sqs_move_task_t *t = s->tasks; t; t = t->next) {
        if (strcmp(t->id, id) == 0) {
            if (strcmp(t->status, "RUNNING") != 0)
                return rn_call_fail(c, SQS_ERR_RESOURCE_NOT_FOUND, "Task does not exist.");
            task_stop(t, "CANCELLED");
            c->out = json_pack("{s:I}", "ApproximateNumberOfMessagesMoved", (json_int_t)t->moved);
            return 0;
        }
    }
    return rn_call_fail(c, SQS_ERR_RESOURCE_NOT_FOUND, "Task does not exist.");
}

int sqs_op_list_moves(sqs_t *s, rn_call_t *c)
{
    const char *source = rn_param_str(c->in, "SourceArn");
    if (!source)
        return rn_call_fail(c, RN_ERR_MISSING_PARAMETER, "The request must contain the parameter SourceArn.");
    if (!sqs_queue_by_arn(s, source))
        return rn_call_fail(c, SQS_ERR_RESOURCE_NOT_FOUND,
                            "The resource that you specified for the SourceArn parameter doesn't exist.");
    int max = 1, has = 0;
    if (sqs_get_int(c, c->in, "MaxResults", 1, 10, &max, &has) < 0)
        return c->err;
    json_t *res = json_array();
    for (sqs_move_task_t *t = s->tasks; t && (int)json_array_size(res) < max; t = t->next) {
        if (strcmp(t->source, source) != 0)
            continue;
        json_t *e = json_pack("{s:s,s:s,s:I,s:I,s:I}", "Status", t->status, "SourceArn", t->source,
                              "ApproximateNumberOfMessagesMoved", (json_int_t)t->moved,
                              "ApproximateNumberOfMessagesToMove", (json_int_t)t->to_move, "StartedTimestamp",
                              (json_int_t)t->started_ms);
        if (t->dest[0])
            json_object_set_new(e, "DestinationArn", json_string(t->dest));
        if (t->rate)
            json_object_set_new(e, "MaxNumberOfMessagesPerSecond", json_integer(t->rate));
        if (t->failure[0])
            json_object_set_new(e, "FailureReason", json_string(t->failure));
        if (strcmp(t->status, "RUNNING") == 0) {
            char h[600];
            task_handle(t, h, sizeof h);
            json_object_set_new(e, "TaskHandle", json_string(h));
        }
        json_array_append_new(res, e);
    }
    c->out = json_pack("{s:o}", "Results", res);
    return 0;
}

void sqs_moves_restore(sqs_t *s, const char *key, const char *value)
{
    (void)key;
    json_t *j = json_loads(value, 0, NULL);
    if (!j)
        return;
    sqs_move_task_t *t = rn_calloc(1, sizeof *t);
    if (!t) {
        json_decref(j);
        return;
    }
    t->svc = s;
    snprintf(t->id, sizeof t->id, "%s", json_string_value(json_object_get(j, "id")));
    snprintf(t->source, sizeof t->source, "%s", json_string_value(json_object_get(j, "source")));
    snprintf(t->dest, sizeof t->dest, "%s", json_string_value(json_object_get(j, "dest")));
    snprintf(t->status, sizeof t->status, "%s", json_string_value(json_object_get(j, "status")));
    snprintf(t->failure, sizeof t->failure, "%s", json_string_value(json_object_get(j, "failure")));
    t->rate = (int)json_integer_value(json_object_get(j, "rate"));
    t->moved = json_integer_value(json_object_get(j, "moved"));
    t->to_move = json_integer_value(json_object_get(j, "to_move"));
    t->started_ms = json_integer_value(json_object_get(j, "started"));
    json_decref(j);
    t->next = s->tasks;
    s->tasks = t;
    if (strcmp(t->status, "RUNNING") == 0)
        task_start_timer(t);
}

static void on_task_closed(uv_handle_t *h)
{
    rn_free(h->data);
}

void sqs_moves_free(sqs_t *s)
{
    while (s->tasks) {
        sqs_move_task_t *t = s->tasks;
        s->tasks = t->next;
        if (t->timer_on) {
            uv_timer_stop(&t->timer);
            uv_close((uv_handle_t *)&t->timer, on_task_closed);
        } else {
            rn_free(t);
        }
    }
}
