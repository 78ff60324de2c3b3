/* SPDX-License-Identifier: MIT
 * STS's entry in the service table: the query protocol (signing name "sts"),
 * AWS JSON 1.0 for SDKs that speak it, and the credentials it issued, which
 * the protocol layer asks for when it checks a request's signature. */
#include "sts/sts.h"

static int create(const rn_service_env_t *env, void **out)
{
    sts_t *s;
    int rc = sts_new(env, &s);
    if (rc == 0)
        *out = s;
    return rc;
}

static int load_kv(void *svc, const char *ns, const char *key, const char *value)
{
    return sts_load_kv(svc, ns, key, value);
}

static int call(void *svc, rn_call_t *c)
{
    return sts_call(svc, c);
}

static void reset(void *svc)
{
    sts_reset(svc);
}

static int credential(void *svc, const char *akid, rn_credential_t *out)
{
    return sts_credential(svc, akid, out);
}

static json_t *stats(void *svc)
{
    return json_pack("{s:I}", "credentials", (json_int_t)sts_credential_count(svc));
}

static void destroy(void *svc)
{
    sts_free(svc);
}

static const char *const targets[] = {"AWSSecurityTokenServiceV20110615.", NULL};
static const char *const store_ns[] = {"sts.", NULL};

const rn_service_t sts_service = {
    .name = "sts",
    .signing_name = "sts",
    .targets = targets,
    .json_version = 10,
    .query_compatible = 1,
    .json_error_ns = "com.amazonaws.sts",
    .api = &sts_api,
    .errors = &sts_errors,
    .store_ns = store_ns,
    .global = 1,
    .create = create,
    .load_kv = load_kv,
    .call = call,
    .reset = reset,
    .credential = credential,
    .stats = stats,
    .destroy = destroy,
};
