/* SPDX-License-Identifier: MIT
 * EventBridge's entry in the service table: AWS JSON 1.1, signing name
 * "events", and how its endpoint words a failed signature check. */
#include "events/ev_int.h"

static int create(const rn_service_env_t *env, void **out)
{
    ev_t *e;
    int rc = ev_new(env, &e);
    if (rc < 0)
        return rc;
    *out = e;
    return 0;
}

static int deliver(void *svc, const char *arn, const rn_message_t *m, char *msg, size_t msglen)
{
    return ev_deliver_to_bus(svc, arn, m, msg, msglen);
}

static int load_kv(void *svc, const char *ns, const char *key, const char *value)
{
    return ev_load_kv(svc, ns, key, value);
}

static void start(void *svc)
{
    ev_start(svc);
}

static int call(void *svc, rn_call_t *c)
{
    return ev_call(svc, c);
}

static void reset(void *svc)
{
    ev_reset(svc);
}

static int64_t next_due(void *svc)
{
    int64_t a = ev_sched_next_due(svc), b = ev_retry_next_due(svc);
    return a < b ? a : b;
}

static void run_due(void *svc)
{
    ev_sched_run(svc);
    ev_retry_run(svc);
}

static void metrics(void *svc, rn_metric_fn emit, void *ud)
{
    ev_metrics(svc, emit, ud);
}

static json_t *stats(void *svc)
{
    return json_pack("{s:I}", "buses", (json_int_t)ev_bus_count(svc));
}

static void destroy(void *svc)
{
    ev_free(svc);
}

static const rn_auth_rows_t auth_rows = {EV_ERR_INVALID_SIGNATURE, EV_ERR_INVALID_SIGNATURE,
                                         EV_ERR_UNRECOGNIZED_CLIENT, EV_ERR_INCOMPLETE_SIGNATURE, EV_ERR_MISSING_AUTH};

static const char *const targets[] = {"AWSEvents.", NULL};
static const char *const store_ns[] = {"events.", NULL};

const rn_service_t ev_service = {
    .name = "events",
    .signing_name = "events",
    .targets = targets,
    .json_version = 11,
    .errors = &ev_errors,
    .auth_rows = &auth_rows,
    .store_ns = store_ns,
    .sink_service = "events",
    .deliver = deliver,
    .create = create,
    .load_kv = load_kv,
    .start = start,
    .call = call,
    .reset = reset,
    .next_due = next_due,
    .run_due = run_due,
    .metrics = metrics,
    .stats = stats,
    .destroy = destroy,
};
