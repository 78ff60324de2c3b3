/* SPDX-License-Identifier: MIT
 * SQS's entry in the service table: AWS JSON 1.0 (query-compatible) and the
 * query protocol, signing name "sqs", and delivery by ARN, through which
 * other services send to a queue. */
#include <stdio.h>
#include <string.h>

#include "sqs/sqs_int.h"

static int deliver(void *svc, const char *arn, const rn_message_t *m, char *msg, size_t msglen)
{
    int rc = sqs_send_to_arn(svc, arn, m->body, m->len, m->group_id, m->dedup_id, m->attrs, msg, msglen);
    return rc == SQS_ERR_QUEUE_NOT_FOUND ? RN_ERR_NOT_FOUND : rc;
}

static int create(const rn_service_env_t *env, void **out)
{
    sqs_t *s;
    int rc = sqs_new(env->loop, env->store, env->cfg, &s);
    if (rc == 0)
        *out = s;
    return rc;
}

static int load_queue(void *svc, const rn_store_queue_rec_t *q)
{
    const rn_store_loader_t *l = sqs_loader(svc);
    return l->queue(l->ud, q);
}

static int load_msg(void *svc, const rn_store_msg_rec_t *m)
{
    const rn_store_loader_t *l = sqs_loader(svc);
    return l->msg(l->ud, m);
}

static int load_kv(void *svc, const char *ns, const char *key, const char *value)
{
    const rn_store_loader_t *l = sqs_loader(svc);
    return l->kv(l->ud, ns, key, value);
}

/* After loading: restored messages that are in flight or delayed become
 * receivable when their time comes, even if nothing else touches the queue. */
static void start(void *svc)
{
    sqs_timer_arm(svc);
}

static int call(void *svc, rn_call_t *c)
{
    return sqs_call(svc, c);
}

static void reset(void *svc)
{
    sqs_reset(svc);
}

static void drain(void *svc)
{
    sqs_drain_waiters(svc);
}

static int64_t next_due(void *svc)
{
    return sqs_next_due(svc);
}

static void run_due(void *svc)
{
    sqs_timer_run(svc);
    sqs_sweep(svc);
}

static void metrics(void *svc, rn_metric_fn emit, void *ud)
{
    sqs_metrics(svc, emit, ud);
}

static json_t *stats(void *svc)
{
    return json_pack("{s:I}", "queues", (json_int_t)sqs_queue_count(svc));
}

static void destroy(void *svc)
{
    sqs_free(svc);
}

/* SQS words an expired or not-yet-valid signature as SignatureDoesNotMatch. */
static const rn_auth_rows_t auth_rows = {.expired = RN_ERR_SIGNATURE_MISMATCH};

static const char *const targets[] = {"AmazonSQS.", NULL};
static const char *const store_ns[] = {"dedup", "movetask", NULL};

const rn_service_t sqs_service = {
    .name = "sqs",
    .signing_name = "sqs",
    .targets = targets,
    .json_version = 10,
    .query_compatible = 1,
    .json_error_ns = "com.amazonaws.sqs",
    .api = &sqs_api,
    .errors = &sqs_errors,
    .auth_rows = &auth_rows,
    .store_ns = store_ns,
    .owns_queue_records = 1,
    .sink_service = "sqs",
    .deliver = deliver,
    .create = create,
    .load_queue = load_queue,
    .load_msg = load_msg,
    .load_kv = load_kv,
    .start = start,
    .call = call,
    .reset = reset,
    .drain = drain,
    .next_due = next_due,
    .run_due = run_due,
    .metrics = metrics,
    .stats = stats,
    .destroy = destroy,
};
