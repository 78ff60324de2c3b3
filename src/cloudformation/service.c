/* SPDX-License-Identifier: MIT
 * CloudFormation's entry in the service table: the query protocol (signing
 * name "cloudformation"), and AWS JSON 1.0 under the target prefix
 * "CloudFormation." for `runnel deploy` (Runnel's own; SDKs use the query
 * protocol). */
#include "cloudformation/cfn.h"

static int create(const rn_service_env_t *env, void **out)
{
    cfn_t *c;
    int rc = cfn_new(env, &c);
    if (rc == 0)
        *out = c;
    return rc;
}

static int load_kv(void *svc, const char *ns, const char *key, const char *value)
{
    return cfn_load_kv(svc, ns, key, value);
}

static int call(void *svc, rn_call_t *c)
{
    return cfn_handle(svc, c);
}

static void reset(void *svc)
{
    cfn_reset(svc);
}

static json_t *stats(void *svc)
{
    return cfn_stats(svc);
}

static void destroy(void *svc)
{
    cfn_free(svc);
}

static const char *const targets[] = {"CloudFormation.", NULL};
static const char *const store_ns[] = {"cfn.", NULL};

const rn_service_t cfn_service = {
    .name = "cloudformation",
    .signing_name = "cloudformation",
    .targets = targets,
    .json_version = 10,
    .query_compatible = 1,
    .json_error_ns = "com.amazonaws.cloudformation",
    .api = &cfn_api,
    .errors = &cfn_errors,
    .store_ns = store_ns,
    .create = create,
    .load_kv = load_kv,
    .call = call,
    .reset = reset,
    .stats = stats,
    .destroy = destroy,
};
