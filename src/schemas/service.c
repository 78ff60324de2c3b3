/* SPDX-License-Identifier: MIT
 * EventBridge Schemas' entry in the service table: REST-JSON over its API
 * description (schemas/api.c), signing name "schemas". Discovery listens on the "events.put" tap, so it sees every
 * event put on a bus without the two services knowing each other. */
#include "schemas/schemas_int.h"

static void observe(void *svc, const char *bus_arn, const char *envelope, size_t len)
{
    schemas_observe(svc, bus_arn, envelope, len);
}

static int create(const rn_service_env_t *env, void **out)
{
    schemas_t *s;
    int rc = schemas_new(env->loop, env->store, env->cfg, &s);
    if (rc == 0)
        *out = s;
    return rc;
}

static int load_kv(void *svc, const char *ns, const char *key, const char *value)
{
    return schemas_load_kv(svc, ns, key, value);
}

static int call(void *svc, rn_call_t *c)
{
    return schemas_call(svc, c);
}

static void reset(void *svc)
{
    schemas_reset(svc);
}

static void destroy(void *svc)
{
    schemas_free(svc);
}

static const rn_auth_rows_t auth_rows = {SC_ERR_INVALID_SIGNATURE, SC_ERR_INVALID_SIGNATURE,
                                         SC_ERR_UNRECOGNIZED_CLIENT, SC_ERR_INCOMPLETE_SIGNATURE, SC_ERR_MISSING_AUTH};

static const char *const store_ns[] = {"schemas.", NULL};

const rn_service_t schemas_service = {
    .name = "schemas",
    .signing_name = "schemas",
    .api = &schemas_api,
    .owns_path = schemas_owns_path,
    .rest_errors = RN_REST_ERRORS_CODE_MESSAGE,
    .rest_bad_request = SC_ERR_BAD_REQUEST,
    .errors = &sc_errors,
    .auth_rows = &auth_rows,
    .store_ns = store_ns,
    .tap_topic = "events.put",
    .tap = observe,
    .create = create,
    .load_kv = load_kv,
    .call = call,
    .reset = reset,
    .destroy = destroy,
};
