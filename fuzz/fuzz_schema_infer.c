/* SPDX-License-Identifier: MIT
 * libFuzzer target for schema discovery. The input is split at the first NUL
 * into two event texts. Each is scanned into a shape (capturing source and
 * detail-type), the two shapes are merged both ways and must agree, merging
 * a shape with itself must change nothing, and whatever renders as an
 * OpenAPI document must be JSON that ExportSchema's Draft 4 conversion
 * accepts. The whole input also goes through a discovery service's
 * schemas_observe twice, where the second pass may add no version. None of it
 * may crash, leak or trip the sanitizers. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/config.h"
#include "core/mem.h"
#include "schemas/infer.h"
#include "aws/rest.h"
#include "schemas/schemas.h"
#include "store/store.h"

static void check_doc(char *doc)
{
    if (!doc)
        return;
    json_t *parsed = json_loads(doc, 0, NULL);
    if (!json_is_object(parsed))
        abort(); /* a rendered document is always JSON */
    json_decref(parsed);
    char *d4 = NULL;
    if (schemas_draft4_export(doc, &d4) != 0)
        abort();
    rn_free(d4);
    rn_free(doc);
}

static json_t *infer(const char *p, size_t n, schemas_envelope_t *env)
{
    json_t *shape = NULL;
    if (schemas_infer_shape(p, n, env, &shape) != 0)
        return NULL;
    json_t *self = schemas_shape_merge(shape, shape);
    if (!self || !json_equal(self, shape))
        abort(); /* merging is idempotent */
    json_decref(self);
    if (env->source && env->detail_type && env->detail_is_object)
        check_doc(schemas_openapi_event(shape, env->source, env->detail_type));
    check_doc(schemas_openapi_plain(shape, "Event"));
    return shape;
}

/* A service over a store that keeps nothing, made once. */
static schemas_t *service(void)
{
    static schemas_t *s;
    static uv_loop_t loop;
    static rn_config_t cfg;
    static rn_store_t *store;
    if (!s) {
        char msg[128];
        uv_loop_init(&loop);
        rn_config_defaults(&cfg);
        if (rn_store_open(&loop, NULL, RN_FSYNC_OFF, &store, msg, sizeof msg) != 0 ||
            schemas_new(&loop, store, &cfg, &s) != 0)
            abort();
    }
    return s;
}

/* One request through the REST-JSON codec; returns the call's result (caller
 * frees it with json_decref), NULL on an error. */
static json_t *rest(schemas_t *s, const char *method, const char *path, const char *query, const char *body,
                    size_t len)
{
    static rn_call_t c;
    const rn_op_t *op;
    memset(&c, 0, sizeof c);
    int rc = aws_rest_run(&schemas_service, s, method, path, query, body, len, &c, &op);
    json_decref(c.in);
    rn_call_clear_msg(&c);
    if (rc < 0) {
        json_decref(c.out);
        return NULL;
    }
    return c.out;
}

static size_t version_total(schemas_t *s)
{
    size_t total = 0;
    json_t *out = rest(s, "GET", "/v1/registries/name/discovered-schemas/schemas", "limit=1000", NULL, 0);
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(out, "Schemas"), i, e) total +=
        (size_t)json_integer_value(json_object_get(e, "VersionCount"));
    json_decref(out);
    return total;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data;
    const char *nul = memchr(p, '\0', size);
    size_t n1 = nul ? (size_t)(nul - p) : size;
    const char *p2 = nul ? nul + 1 : "";
    size_t n2 = nul ? size - n1 - 1 : 0;

    schemas_envelope_t e1, e2;
    json_t *a = infer(p, n1, &e1), *b = infer(p2, n2, &e2);
    if (a && b) {
        json_t *ab = schemas_shape_merge(a, b), *ba = schemas_shape_merge(b, a);
        if (!ab || !ba || !json_equal(ab, ba))
            abort(); /* the merge is commutative */
        json_t *again = schemas_shape_merge(ab, b);
        if (!again || !json_equal(again, ab))
            abort(); /* and absorbs what it already holds */
        check_doc(schemas_openapi_plain(ab, "Event"));
        json_decref(again);
        json_decref(ab);
        json_decref(ba);
    }
    json_decref(a);
    json_decref(b);
    schemas_envelope_clear(&e1);
    schemas_envelope_clear(&e2);

    /* the discovery path: observing the same event twice adds at most one version */
    schemas_t *s = service();
    static const char bus[] = "arn:aws:events:us-east-1:000000000000:event-bus/default";
    static const char body[] = "{\"SourceArn\":\"arn:aws:events:us-east-1:000000000000:event-bus/default\"}";
    json_decref(rest(s, "POST", "/v1/discoverers", NULL, body, sizeof body - 1));
    schemas_observe(s, bus, p, n1);
    size_t before = version_total(s);
    schemas_observe(s, bus, p, n1);
    if (version_total(s) != before)
        abort();
    schemas_reset(s);
    return 0;
}
