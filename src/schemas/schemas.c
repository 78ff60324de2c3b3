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

int schemas_body_str(sc_req_t *r, const char *name, const char **out)
{
    json_t *v = json_object_get(r->body, name);
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
    json_t *v = json_object_get(r->body, "tags");
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

const char *schemas_query_str(const sc_req_t *r, const char *name)
{
    json_t *v = json_object_get(r->query, name);
    if (json_is_array(v))
        v = json_array_get(v, 0);
    return json_string_value(v);
}

int schemas_page(sc_req_t *r, size_t total, size_t *start, size_t *end)
{
    const char *lim = schemas_query_str(r, "limit");
    const char *tok = schemas_query_str(r, "nextToken");
    long limit = 100;
    *start = 0;
    if (lim && *lim) {
        char *e;
        limit = strtol(lim, &e, 10);
        if (*e || limit < 1)
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

/* ---- request decoding ----------------------------------------------------- */

/* Percent-decodes n bytes; '+' becomes a space only in query strings.
 * Returns NULL on out-of-memory or when the result would hold a NUL. */
static char *pct_decode(const char *p, size_t n, int plus, int *bad)
{
    char *o = rn_malloc(n + 1);
    if (!o)
        return NULL;
    size_t j = (size_t)rn_pct_decode(p, n, plus ? RN_PCT_PLUS : 0, o, NULL);
    if (strlen(o) != j) {
        *bad = 1;
        rn_free(o);
        return NULL;
    }
    return o;
}

static int split_path(sc_req_t *r, const char *path)
{
    const char *p = path ? path : "";
    const char *q = strchr(p, '?');
    size_t total = q ? (size_t)(q - p) : strlen(p);
    size_t i = 0;
    while (i < total) {
        while (i < total && p[i] == '/')
            i++;
        if (i >= total)
            break;
        size_t st = i;
        while (i < total && p[i] != '/')
            i++;
        if (r->nseg == SC_MAX_SEGS)
            return RN_ERR_UNKNOWN_OPERATION;
        int bad = 0;
        r->seg[r->nseg] = pct_decode(p + st, i - st, 0, &bad);
        if (!r->seg[r->nseg])
            return bad ? schemas_fail(r, SC_ERR_BAD_REQUEST, "Invalid path parameter.") : RN_ERR_NOMEM;
        r->nseg++;
    }
    return 0;
}

static int parse_query(sc_req_t *r, const char *query)
{
    r->query = json_object();
    if (!r->query)
        return RN_ERR_NOMEM;
    const char *p = query ? query : "";
    while (*p) {
        size_t n = strcspn(p, "&");
        const char *eq = memchr(p, '=', n);
        size_t kn = eq ? (size_t)(eq - p) : n;
        int bad = 0;
        char *k = pct_decode(p, kn, 1, &bad);
        char *v = eq ? pct_decode(eq + 1, n - kn - 1, 1, &bad) : rn_strdup("");
        if (k && v && *k) {
            json_t *js = json_string(v);
            json_t *have = json_object_get(r->query, k);
            if (!js) {
                bad = 1;
            } else if (json_is_array(have)) {
                json_array_append_new(have, js);
            } else if (have) {
                json_t *arr = json_pack("[O,o]", have, js);
                json_object_set_new(r->query, k, arr);
            } else if (json_object_set_new(r->query, k, js) < 0) {
                bad = 1;
            }
        }
        int oom = !bad && (!k || !v);
        rn_free(k);
        rn_free(v);
        if (oom)
            return RN_ERR_NOMEM;
        if (bad)
            return schemas_fail(r, SC_ERR_BAD_REQUEST, "Invalid query string.");
        p += n;
        if (*p == '&')
            p++;
    }
    return 0;
}

static int parse_body(sc_req_t *r, const char *body, size_t len)
{
    size_t i = 0;
    while (body && i < len && (body[i] == ' ' || body[i] == '\t' || body[i] == '\r' || body[i] == '\n'))
        i++;
    if (!body || i == len) {
        r->body = json_object();
        return r->body ? 0 : RN_ERR_NOMEM;
    }
    json_error_t je;
    r->body = json_loadb(body, len, 0, &je);
    if (!json_is_object(r->body)) {
        json_decref(r->body);
        r->body = NULL;
        return schemas_fail(r, SC_ERR_BAD_REQUEST, "Invalid request body: it must be a JSON object.");
    }
    return 0;
}

/* ---- routing -------------------------------------------------------------- */

typedef int (*sc_op_fn)(schemas_t *s, sc_req_t *r);

static int seg_is(const sc_req_t *r, int i, const char *v)
{
    return i < r->nseg && strcmp(r->seg[i], v) == 0;
}

static int method_is(const sc_req_t *r, const char *m)
{
    return strcmp(r->method, m) == 0;
}

/* Maps the decoded path and method to an operation by the model's URI
 * templates; NULL when nothing matches. */
static sc_op_fn route(const sc_req_t *r)
{
    if (r->nseg == 2 && seg_is(r, 0, "tags")) {
        if (method_is(r, "GET") || method_is(r, "POST") || method_is(r, "DELETE"))
            return schemas_op_tags;
        return NULL;
    }
    if (!seg_is(r, 0, "v1"))
        return NULL;
    if (seg_is(r, 1, "registries")) {
        if (r->nseg == 2)
            return method_is(r, "GET") ? schemas_op_list_registries : NULL;
        if (!seg_is(r, 2, "name") || r->nseg < 4)
            return NULL;
        if (r->nseg == 4) {
            if (method_is(r, "POST"))
                return schemas_op_create_registry;
            if (method_is(r, "GET"))
                return schemas_op_describe_registry;
            if (method_is(r, "PUT"))
                return schemas_op_update_registry;
            if (method_is(r, "DELETE"))
                return schemas_op_delete_registry;
            return NULL;
        }
        if (!seg_is(r, 4, "schemas"))
            return NULL;
        if (r->nseg == 5)
            return method_is(r, "GET") ? schemas_op_list_schemas : NULL;
        if (r->nseg == 6 && seg_is(r, 5, "search"))
            return method_is(r, "GET") ? schemas_op_search_schemas : NULL;
        if (!seg_is(r, 5, "name") || r->nseg < 7)
            return NULL;
        if (r->nseg == 7) {
            if (method_is(r, "POST"))
                return schemas_op_create_schema;
            if (method_is(r, "GET"))
                return schemas_op_describe_schema;
            if (method_is(r, "PUT"))
                return schemas_op_update_schema;
            if (method_is(r, "DELETE"))
                return schemas_op_delete_schema;
            return NULL;
        }
        if (r->nseg == 8 && seg_is(r, 7, "versions"))
            return method_is(r, "GET") ? schemas_op_list_schema_versions : NULL;
        if (r->nseg == 8 && seg_is(r, 7, "export"))
            return method_is(r, "GET") ? schemas_op_export_schema : NULL;
        if (r->nseg == 9 && seg_is(r, 7, "version"))
            return method_is(r, "DELETE") ? schemas_op_delete_schema_version : NULL;
        return NULL;
    }
    if (seg_is(r, 1, "discoverers")) {
        if (r->nseg == 2) {
            if (method_is(r, "GET"))
                return schemas_op_list_discoverers;
            return method_is(r, "POST") ? schemas_op_create_discoverer : NULL;
        }
        if (!seg_is(r, 2, "id") || r->nseg < 4)
            return NULL;
        if (r->nseg == 4) {
            if (method_is(r, "GET"))
                return schemas_op_describe_discoverer;
            if (method_is(r, "PUT"))
                return schemas_op_update_discoverer;
            if (method_is(r, "DELETE"))
                return schemas_op_delete_discoverer;
            return NULL;
        }
        if (r->nseg == 5 && seg_is(r, 4, "start"))
            return method_is(r, "POST") ? schemas_op_start_discoverer : NULL;
        if (r->nseg == 5 && seg_is(r, 4, "stop"))
            return method_is(r, "POST") ? schemas_op_stop_discoverer : NULL;
        return NULL;
    }
    if (r->nseg == 2 && seg_is(r, 1, "discover"))
        return method_is(r, "POST") ? schemas_op_get_discovered_schema : NULL;
    return NULL;
}

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

int schemas_call(schemas_t *s, const char *method, const char *path, const char *query, const char *body, size_t len,
                 int *status, json_t **out, char *msg, size_t msglen)
{
    sc_req_t r = {0};
    r.method = method ? method : "";
    r.msg = msg;
    r.msglen = msglen;
    r.status = 200;
    if (msg && msglen)
        msg[0] = '\0';
    *out = NULL;
    *status = 0;
    int rc = split_path(&r, path);
    if (rc == 0)
        rc = parse_query(&r, query);
    sc_op_fn op = rc == 0 ? route(&r) : NULL;
    if (rc == 0 && !op)
        rc = schemas_fail(&r, RN_ERR_UNKNOWN_OPERATION, "No operation matches %s %s.", r.method,
                          path ? path : "");
    if (rc == 0)
        rc = parse_body(&r, body, len);
    if (rc == 0)
        rc = op(s, &r);
    if (rc == RN_ERR_NOMEM && msg && msglen && !msg[0])
        snprintf(msg, msglen, "Out of memory.");
    if (rc == 0) {
        *status = r.status;
        *out = r.out;
        r.out = NULL;
    } else {
        *status = rn_err_info(rc)->status;
    }
    for (int i = 0; i < r.nseg; i++)
        rn_free(r.seg[i]);
    json_decref(r.query);
    json_decref(r.body);
    json_decref(r.out);
    return rc;
}

/* ---- response bytes ------------------------------------------------------- */

void schemas_reply_error(int err, const char *msg, const char *request_id, rn_rest_reply_t *r)
{
    const rn_err_info_t *e = rn_err_info(err);
    memset(r, 0, sizeof *r);
    r->status = e->status;
    r->content_type = "application/json";
    snprintf(r->head, sizeof r->head, "x-amzn-RequestId: %s\r\nx-amzn-ErrorType: %s\r\n", request_id ? request_id : "",
             e->shape);
    json_t *body = json_pack("{s:s,s:s}", "Code", e->shape, "Message", msg ? msg : "");
    rn_buf_t b = {0};
    if (body)
        rn_json_dump(&b, body);
    json_decref(body);
    if (!body || b.oom) {
        rn_buf_free(&b);
        static const char fallback[] = "{\"Code\":\"InternalServerErrorException\",\"Message\":\"Out of memory.\"}";
        r->status = 500;
        r->body = rn_strdup(fallback);
        r->body_len = r->body ? sizeof fallback - 1 : 0;
        return;
    }
    r->body = rn_buf_take(&b, &r->body_len);
}

void schemas_handle(schemas_t *s, const char *method, const char *path, const char *query, const char *body,
                    size_t len, const char *request_id, rn_rest_reply_t *r)
{
    char msg[1024];
    int status;
    json_t *out = NULL;
    int rc = schemas_call(s, method, path, query, body, len, &status, &out, msg, sizeof msg);
    if (rc < 0) {
        schemas_reply_error(rc, msg, request_id, r);
        return;
    }
    memset(r, 0, sizeof *r);
    r->status = status;
    r->content_type = "application/json";
    snprintf(r->head, sizeof r->head, "x-amzn-RequestId: %s\r\n", request_id ? request_id : "");
    if (!out)
        return;
    rn_buf_t b = {0};
    rn_json_dump(&b, out);
    json_decref(out);
    if (b.oom) {
        rn_buf_free(&b);
        schemas_reply_error(SC_ERR_INTERNAL, "Out of memory.", request_id, r);
        return;
    }
    r->body = rn_buf_take(&b, &r->body_len);
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
