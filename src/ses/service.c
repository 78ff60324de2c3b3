/* SPDX-License-Identifier: MIT
 * SES's two entries in the service table. "ses" is v1 (the query protocol)
 * and owns the state of its partition. "sesv2" is v2 (REST-JSON, the paths
 * under /v2/email): its instance holds nothing but the sink registry, and
 * hands each call to the "ses" instance of the same account and region
 * through rn_sinks_call, naming the operation "v2.<Op>". Both sign as
 * "ses"; "ses" must come first in the table so query requests reach it.
 * "ses" is also the sink for mail other services send (SNS's email
 * subscriptions), captured like the rest. */
#include <stdio.h>
#include <string.h>

#include "core/mem.h"
#include "ses/ses_int.h"

int sesv2_owns_path(const char *path);

static int create(const rn_service_env_t *env, void **out)
{
    ses_t *s;
    int rc = ses_new(env, &s);
    if (rc == 0)
        *out = s;
    return rc;
}

static int load_kv(void *svc, const char *ns, const char *key, const char *value)
{
    return ses_load_kv(svc, ns, key, value);
}

static void start(void *svc)
{
    ses_capture_sort(svc);
}

static int call(void *svc, rn_call_t *c)
{
    return ses_call(svc, c);
}

static void reset(void *svc)
{
    ses_reset(svc);
}

static int deliver(void *svc, const char *arn, const rn_message_t *m, char *msg, size_t msglen)
{
    return ses_deliver(svc, arn, m, msg, msglen);
}

static json_t *stats(void *svc)
{
    return ses_stats(svc);
}

static int page(void *svc, const char *rest, const char *query, char **body, size_t *len, const char **ctype,
                char *msg, size_t msglen)
{
    return ses_page(svc, rest, query, body, len, ctype, msg, msglen);
}

static void destroy(void *svc)
{
    ses_free(svc);
}

static const char *const store_ns[] = {"ses.", NULL};

const rn_service_t ses_service = {
    .name = "ses",
    .signing_name = "ses",
    .api = &ses_api,
    .errors = &ses_errors,
    .store_ns = store_ns,
    .sink_service = "ses",
    .deliver = deliver,
    .create = create,
    .load_kv = load_kv,
    .start = start,
    .call = call,
    .reset = reset,
    .page = page,
    .stats = stats,
    .destroy = destroy,
};

/* ---- the v2 face ---- */

typedef struct sesv2 {
    rn_sinks_t *sinks;
} sesv2_t;

static int v2_create(const rn_service_env_t *env, void **out)
{
    sesv2_t *v = rn_calloc(1, sizeof *v);
    if (!v)
        return RN_ERR_NOMEM;
    v->sinks = env->sinks;
    *out = v;
    return 0;
}

/* Runs the call in the v1 entry's instance of the call's partition. */
static int v2_call(void *svc, rn_call_t *c)
{
    sesv2_t *v = svc;
    char op[sizeof c->op];
    memcpy(op, c->op, sizeof op);
    if (snprintf(c->op, sizeof c->op, "v2.%s", op) >= (int)sizeof c->op)
        return rn_call_fail(c, RN_ERR_UNKNOWN_OPERATION, "Unknown operation %s.", op);
    const char *face = c->service;
    c->service = ses_service.name;
    int rc = rn_sinks_call(v->sinks, c);
    c->service = face;
    memcpy(c->op, op, sizeof op);
    return rc;
}

static void v2_reset(void *svc)
{
    (void)svc; /* the state is the "ses" instance's */
}

static void v2_destroy(void *svc)
{
    rn_free(svc);
}

const rn_service_t sesv2_service = {
    .name = "sesv2",
    .signing_name = "ses",
    .api = &sesv2_api,
    .owns_path = sesv2_owns_path,
    .rest_errors = RN_REST_ERRORS_MESSAGE,
    .rest_bad_request = SES_ERR_V2_BAD_REQUEST,
    .errors = &ses_errors,
    .create = v2_create,
    .call = v2_call,
    .reset = v2_reset,
    .destroy = v2_destroy,
};
