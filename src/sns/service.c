/* SPDX-License-Identifier: MIT
 * SNS's entry in the service table: the query protocol (signing name "sns"),
 * its error rows, its records (sns.*), the sink for topic ARNs (EventBridge
 * targets, Lambda destinations and alarm actions publish through it) and the
 * retry timer on the movable clock. */
#include "sns/sns_int.h"

static int create(const rn_service_env_t *env, void **out)
{
    sns_t *s;
    int rc = sns_new(env, &s);
    if (rc == 0)
        *out = s;
    return rc;
}

static int load_kv(void *svc, const char *ns, const char *key, const char *value)
{
    return sns_load_kv(svc, ns, key, value);
}

static void start(void *svc)
{
    sns_start(svc);
}

static int call(void *svc, rn_call_t *c)
{
    return sns_call(svc, c);
}

static int deliver(void *svc, const char *arn, const rn_message_t *m, char *msg, size_t msglen)
{
    return sns_deliver_in(svc, arn, m, msg, msglen);
}

static void reset(void *svc)
{
    sns_reset(svc);
}

static int64_t next_due(void *svc)
{
    return sns_retry_next_due(svc);
}

static void run_due(void *svc)
{
    sns_retry_run_due(svc);
}

static int page(void *svc, const char *rest, const char *query, char **body, size_t *len, const char **ctype,
                char *msg, size_t msglen)
{
    (void)query;
    return sns_page(svc, rest, body, len, ctype, msg, msglen);
}

static void metrics(void *svc, rn_metric_fn emit, void *ud)
{
    sns_metrics(svc, emit, ud);
}

static json_t *stats(void *svc)
{
    sns_t *s = svc;
    return json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "topics", (json_int_t)s->topics.len, "subscriptions",
                     (json_int_t)s->subs.len, "published", (json_int_t)s->published, "delivered",
                     (json_int_t)s->delivered, "failed", (json_int_t)s->failed, "retriesWaiting",
                     (json_int_t)sns_retry_waiting(s), "deliveriesInFlight", (json_int_t)sns_retry_inflight(s));
}

static void destroy(void *svc)
{
    sns_free(svc);
}

static const char *const store_ns[] = {"sns.", NULL};

const rn_service_t sns_service = {
    .name = "sns",
    .signing_name = "sns",
    .api = &sns_api,
    .errors = &sns_errors,
    .sink_service = "sns",
    .deliver = deliver,
    .store_ns = store_ns,
    .create = create,
    .load_kv = load_kv,
    .start = start,
    .call = call,
    .reset = reset,
    .next_due = next_due,
    .run_due = run_due,
    .page = page,
    .metrics = metrics,
    .stats = stats,
    .destroy = destroy,
};
