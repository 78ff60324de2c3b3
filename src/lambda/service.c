/* SPDX-License-Identifier: MIT
 * Lambda's entry in the service table: REST-JSON over its API description
 * (lambda/api.c), signing name "lambda", and its keyed records (lambda.fn,
 * lambda.async). */
#include "lambda/lambda_int.h"

static int create(const rn_service_env_t *env, void **out)
{
    lambda_t *L;
    int rc = lambda_new(env, &L);
    if (rc == 0)
        *out = L;
    return rc;
}

static int load_kv(void *svc, const char *ns, const char *key, const char *value)
{
    return lambda_load_kv(svc, ns, key, value);
}

static int deliver(void *svc, const char *arn, const rn_message_t *m, char *msg, size_t msglen)
{
    return lambda_deliver(svc, arn, m, msg, msglen);
}

static void start(void *svc)
{
    lambda_start(svc);
}

static int call(void *svc, rn_call_t *c)
{
    return lambda_call(svc, c);
}

static void reset(void *svc)
{
    lambda_reset(svc);
}

static void drain(void *svc)
{
    lambda_drain(svc);
}

static int64_t next_due(void *svc)
{
    return lambda_async_next_due(svc);
}

static void run_due(void *svc)
{
    lambda_async_run_due(svc);
}

static void metrics(void *svc, rn_metric_fn emit, void *ud)
{
    lambda_metrics(svc, emit, ud);
}

static json_t *stats(void *svc)
{
    return lambda_stats(svc);
}

static void destroy(void *svc)
{
    lambda_free(svc);
}

static const rn_auth_rows_t auth_rows = {LAMBDA_ERR_INVALID_SIGNATURE, LAMBDA_ERR_INVALID_SIGNATURE,
                                         LAMBDA_ERR_UNRECOGNIZED_CLIENT, LAMBDA_ERR_INCOMPLETE_SIGNATURE,
                                         LAMBDA_ERR_MISSING_AUTH};

static const char *const store_ns[] = {"lambda.", NULL};

const rn_service_t lambda_service = {
    .name = "lambda",
    .signing_name = "lambda",
    .api = &lambda_api,
    .owns_path = lambda_owns_path,
    .body_limit = lambda_body_limit,
    .rest_errors = RN_REST_ERRORS_TYPE_MESSAGE,
    .rest_bad_request = LAMBDA_ERR_BAD_CONTENT,
    .errors = &lambda_errors,
    .auth_rows = &auth_rows,
    .store_ns = store_ns,
    .sink_service = "lambda",
    .deliver = deliver,
    .create = create,
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
