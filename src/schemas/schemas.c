/* SPDX-License-Identifier: MIT
 * The Schemas service object and its REST front: creation with AWS's managed
 * registries, restoring state from the store's keyed records, reset and
 * teardown, then turning one REST-JSON request (method, percent-encoded path,
 * query, body) into an operation by its URI template, and rendering the
 * result or error as the bytes AWS's endpoint sends. The operations live in
 * registry.c, schema.c and discoverer.c; inference in infer.c. */
#include "schemas/schemas.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/hex.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/json_out.h"
#include "core/log.h"
#include "core/mem.h"
#include "schemas/schemas_int.h"

/* ---- helpers shared by the operations ----------------------------------- */

int schemas_fail(sc_req_t *r, int err, const char *fmt, ...)
{
    if (r->msg && r->msglen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(r->msg, r->msglen, fmt, ap);
        va_end(ap);
    }
    return err;
}

const char *sc_arg(const sc_req_t *r, const char *name)
{
    return json_string_value(json_object_get(r->in, name));
}

int schemas_body_str(sc_req_t *r, const char *name, const char **out)
{
    json_t *v = json_object_get(r->in, name);
    *out = NULL;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v))
        return schemas_fail(r, SC_ERR_BAD_REQUEST, "%s must be a string.", name);
    *out = json_string_value(v);
    return 0;
}

int schemas_body_tags(sc_req_t *r, json_t **out)
{
    json_t *v = json_object_get(r->in, "Tags");
    const char *k;
    json_t *e;
    *out = NULL;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_object(v))
        return schemas_fail(r, SC_ERR_BAD_REQUEST, "tags must be a map of strings.");
    json_object_foreach(v, k, e) if (!json_is_string(e)) return schemas_fail(
        r, SC_ERR_BAD_REQUEST, "tags must be a map of strings.");
    *out = v;
    return 0;
}

int schemas_page(sc_req_t *r, size_t total, size_t *start, size_t *end)
{
    const json_t *lim = json_object_get(r->in, "Limit");
    const char *tok = sc_arg(r, "NextToken");
    long limit = 100;
    *start = 0;
    if (json_is_integer(lim)) {
        if (json_integer_value(lim) < 1)
            return schemas_fail(r, SC_ERR_BAD_REQUEST, "Limit must be a positive integer.");
        limit = json_integer_value(lim) > 100000 ? 100000 : (long)json_integer_value(lim);
    } else if (json_is_string(lim) && *json_string_value(lim)) { /* text that is no number */
        return schemas_fail(r, SC_ERR_BAD_REQUEST, "Limit must be a positive integer.");
    }
    if (tok && *tok) {
        char *e;
        long off = strncmp(tok, "sc1.", 4) == 0 ? strtol(tok + 4, &e, 10) : -1;
        if (off < 0 || (off >= 0 && *e))
            return schemas_fail(r, SC_ERR_BAD_REQUEST, "Invalid NextToken.");
        *start = (size_t)off;
    }
    if (*start > total)
        *start = total;
    *end = (size_t)limit > total - *start ? total : *start + (size_t)limit;
    return 0;
}

void schemas_page_token(sc_req_t *r, size_t end, size_t total)
{
    if (end >= total || !r->out)
        return;
    char tok[32];
    snprintf(tok, sizeof tok, "sc1.%zu", end);
    json_object_set_new(r->out, "NextToken", json_string(tok));
}

int schemas_list_reply(schemas_t *s, sc_req_t *r, const char *member, void *const *items, size_t n, sc_item_fn fn,
                       const void *ctx)
{
    size_t start, end;
    int rc = schemas_page(r, n, &start, &end);
    if (rc < 0)
        return rc;
    json_t *arr = json_array();
    if (!(r->out = json_pack("{s:o}", member, arr)))
        return RN_ERR_NOMEM;
    for (size_t i = start; i < end; i++)
        if (json_array_append_new(arr, fn(s, items[i], ctx)) < 0)
            return RN_ERR_NOMEM;
    schemas_page_token(r, end, n);
    return 0;
}

void schemas_time_iso(int64_t ms, char out[32])
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void schemas_arn(const schemas_t *s, const char *kind, const char *a, const char *b, char *out, size_t n)
{
    if (b)
        snprintf(out, n, "arn:aws:schemas:%s:%s:%s/%s/%s", s->cfg->region, s->cfg->account_id, kind, a, b);
    else
        snprintf(out, n, "arn:aws:schemas:%s:%s:%s/%s", s->cfg->region, s->cfg->account_id, kind, a);
}

/* ---- lifecycle ----------------------------------------------------------- */

static int add_managed(schemas_t *s)
{
    if (!schemas_registry_ensure(s, SC_REG_AWS, 1) || !schemas_registry_ensure(s, SC_REG_DISCOVERED, 1))
        return RN_ERR_NOMEM;
    return 0;
}

static const rn_err_info_t sc_rows[] = {SC_ERR_TABLE(RN_ERR_ROW)};
const rn_err_table_t sc_errors = {SC_ERR_FIRST_ + 1, sizeof sc_rows / sizeof sc_rows[0], sc_rows};

int schemas_new(uv_loop_t *loop, rn_store_t *store, const rn_config_t *cfg, schemas_t **out)
{
    rn_err_register(&sc_errors);
    schemas_t *s = rn_calloc(1, sizeof *s);
    *out = NULL;
    if (!s)
        return RN_ERR_NOMEM;
    s->loop = loop;
    s->store = store;
    s->cfg = cfg;
    if (add_managed(s) < 0) {
        schemas_free(s);
        return RN_ERR_NOMEM;
    }
    *out = s;
    return 0;
}

static void drop_all(schemas_t *s)
{
    size_t i = 0;
    const char *k;
    void *v;
    while (rn_smap_next(&s->registries, &i, &k, &v))
        schemas_registry_free(v);
    rn_smap_free(&s->registries);
    i = 0;
    while (rn_smap_next(&s->discoverers, &i, &k, &v))
        schemas_discoverer_free(v);
    rn_smap_free(&s->discoverers);
    s->nstarted = 0;
}

void schemas_free(schemas_t *s)
{
    if (!s)
        return;
    drop_all(s);
    rn_free(s);
}

void schemas_reset(schemas_t *s)
{
    drop_all(s);
    if (add_managed(s) < 0)
        RN_ERROR("schemas: out of memory restoring the managed registries");
}

size_t schemas_discoverers_started(const schemas_t *s)
{
    return s->nstarted;
}

int schemas_load_kv(schemas_t *s, const char *ns, const char *key, const char *value)
{
    int rc = 0;
    if (strncmp(ns, "schemas.", 8) != 0)
        return 0;
    if (strcmp(ns, SC_NS_REGISTRY) == 0)
        rc = schemas_registry_restore(s, key, value);
    else if (strcmp(ns, SC_NS_SCHEMA) == 0)
        rc = schemas_schema_restore(s, key, value);
    else if (strcmp(ns, SC_NS_VERSION) == 0)
        rc = schemas_version_restore(s, key, value);
    else if (strcmp(ns, SC_NS_DISCOVERER) == 0)
        rc = schemas_discoverer_restore(s, key, value);
    if (rc == RN_ERR_NOMEM)
        return rc;
    if (rc < 0)
        RN_WARN("schemas: skipped unreadable record %s/%s", ns, key);
    return 0;
}

/* ---- operations ----------------------------------------------------------- */

typedef int (*sc_op_fn)(schemas_t *s, sc_req_t *r);

static const struct {
    const char *name;
    sc_op_fn fn;
} op_table[] = {
    {"CreateDiscoverer", schemas_op_create_discoverer},
    {"CreateRegistry", schemas_op_create_registry},
    {"CreateSchema", schemas_op_create_schema},
    {"DeleteDiscoverer", schemas_op_delete_discoverer},
    {"DeleteRegistry", schemas_op_delete_registry},
    {"DeleteSchema", schemas_op_delete_schema},
    {"DeleteSchemaVersion", schemas_op_delete_schema_version},
    {"DescribeDiscoverer", schemas_op_describe_discoverer},
    {"DescribeRegistry", schemas_op_describe_registry},
    {"DescribeSchema", schemas_op_describe_schema},
    {"ExportSchema", schemas_op_export_schema},
    {"GetDiscoveredSchema", schemas_op_get_discovered_schema},
    {"ListDiscoverers", schemas_op_list_discoverers},
    {"ListRegistries", schemas_op_list_registries},
    {"ListSchemaVersions", schemas_op_list_schema_versions},
    {"ListSchemas", schemas_op_list_schemas},
    {"ListTagsForResource", schemas_op_tags},
    {"SearchSchemas", schemas_op_search_schemas},
    {"StartDiscoverer", schemas_op_start_discoverer},
    {"StopDiscoverer", schemas_op_stop_discoverer},
    {"TagResource", schemas_op_tags},
    {"UntagResource", schemas_op_tags},
    {"UpdateDiscoverer", schemas_op_update_discoverer},
    {"UpdateRegistry", schemas_op_update_registry},
    {"UpdateSchema", schemas_op_update_schema},
};

int schemas_owns_path(const char *path)
{
    static const char *prefixes[] = {"/v1/registries", "/v1/discoverers", "/v1/discover",
                                     "/tags/arn:aws:schemas:", "/tags/arn%3Aaws%3Aschemas%3A",
                                     "/tags/arn%3aaws%3aschemas%3a", NULL};
    if (!path)
        return 0;
    for (int i = 0; prefixes[i]; i++) {
        size_t n = strlen(prefixes[i]);
        if (strncmp(path, prefixes[i], n) != 0)
            continue;
        char next = path[n];
        if (prefixes[i][n - 1] == ':' || prefixes[i][n - 1] == 'A' || prefixes[i][n - 1] == 'a')
            return 1;
        if (next == '\0' || next == '/' || next == '?')
            return 1;
    }
    return 0;
}

int schemas_call(schemas_t *s, rn_call_t *c)
{
    sc_op_fn fn = NULL;
    for (size_t i = 0; i < sizeof op_table / sizeof op_table[0] && !fn; i++)
        if (strcmp(op_table[i].name, c->op) == 0)
            fn = op_table[i].fn;
    if (!fn)
        return rn_call_fail(c, RN_ERR_UNKNOWN_OPERATION, "No operation matches %s.", c->op);
    rn_call_clear_msg(c);
    c->msg[0] = '\0';
    sc_req_t r = {c->op, c->in, NULL, c->msg, sizeof c->msg};
    int rc = fn(s, &r);
    if (rc == RN_ERR_NOMEM && !c->msg[0])
        snprintf(c->msg, sizeof c->msg, "Out of memory.");
    if (rc < 0) {
        json_decref(r.out);
        return c->err = rc;
    }
    c->out = r.out;
    return 0;
}

void schemas_observe(schemas_t *s, const char *bus_arn, const char *envelope, size_t len)
{
    if (!s || !s->nstarted || !bus_arn || !envelope)
        return;
    size_t i = 0;
    const char *k;
    void *v;
    while (rn_smap_next(&s->discoverers, &i, &k, &v)) {
        sc_discoverer_t *d = v;
        if (d->started && strcmp(d->source_arn, bus_arn) == 0) {
            if (schemas_discover_event(s, envelope, len, d->cross_account) == RN_ERR_NOMEM)
                RN_WARN("schemas: out of memory discovering an event on %s", bus_arn);
            return; /* one discoverer per bus */
        }
    }
}
