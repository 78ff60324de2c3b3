/* SPDX-License-Identifier: MIT
 * Schemas and their versions inside a registry: the read operations the SDK
 * uses to browse discovered schemas (ListSchemas, DescribeSchema,
 * ListSchemaVersions, ExportSchema, SearchSchemas), the write operations for
 * the account's own schemas, GetDiscoveredSchema, and the persistence of
 * schemas ("schemas.schema", key REGISTRY/NAME) and versions
 * ("schemas.version", key REGISTRY/NAME/NUMBER). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/json_alloc.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/mem.h"
#include "schemas/infer.h"
#include "schemas/schemas_int.h"

#define SC_MAX_CONTENT 100000

sc_schema_t *schemas_schema_find(sc_registry_t *g, const char *name)
{
    return rn_smap_get(&g->schemas, name);
}

sc_schema_t *schemas_schema_ensure(schemas_t *s, sc_registry_t *g, const char *name)
{
    (void)s;
    sc_schema_t *sc = schemas_schema_find(g, name);
    if (sc)
        return sc;
    sc = rn_calloc(1, sizeof *sc);
    if (!sc)
        return NULL;
    sc->registry = rn_strdup(g->name);
    sc->name = rn_strdup(name);
    sc->tags = json_object();
    if (!sc->registry || !sc->name || !sc->tags || rn_smap_put(&g->schemas, name, sc) < 0) {
        schemas_schema_free(sc);
        return NULL;
    }
    return sc;
}

static void version_free(sc_version_t *v)
{
    if (!v)
        return;
    rn_free(v->content);
    json_decref(v->shape);
    rn_free(v);
}

void schemas_schema_free(sc_schema_t *sc)
{
    if (!sc)
        return;
    for (size_t i = 0; i < sc->nversions; i++)
        version_free(sc->versions[i]);
    rn_free(sc->versions);
    rn_free(sc->registry);
    rn_free(sc->name);
    rn_free(sc->description);
    rn_free(sc->source);
    rn_free(sc->detail_type);
    json_decref(sc->tags);
    rn_free(sc);
}

static void schema_key(const sc_schema_t *sc, long number, rn_buf_t *b)
{
    rn_buf_printf(b, "%s/%s", sc->registry, sc->name);
    if (number > 0)
        rn_buf_printf(b, "/%ld", number);
}

void schemas_schema_persist(schemas_t *s, const sc_schema_t *sc)
{
    if (!rn_store_durable(s->store))
        return;
    json_t *v = json_pack("{s:s?,s:O,s:s?,s:s?,s:I}", "d", sc->description, "tags", sc->tags, "src", sc->source,
                          "dt", sc->detail_type, "last", (json_int_t)sc->last_number);
    char *txt = v ? json_dumps(v, JSON_COMPACT) : NULL;
    rn_buf_t key = {0};
    schema_key(sc, 0, &key);
    if (txt && !key.oom)
        rn_store_kv_put(s->store, SC_NS_SCHEMA, key.data, txt);
    rn_buf_free(&key);
    json_decref(v);
    rn_json_free(txt);
}

static void version_persist(schemas_t *s, const sc_schema_t *sc, const sc_version_t *ver)
{
    if (!rn_store_durable(s->store))
        return;
    json_t *v = json_pack("{s:s,s:O?,s:s,s:I}", "c", ver->content, "shape", ver->shape, "type", ver->type, "at",
                          (json_int_t)ver->created_ms);
    char *txt = v ? json_dumps(v, JSON_COMPACT) : NULL;
    rn_buf_t key = {0};
    schema_key(sc, ver->number, &key);
    if (txt && !key.oom)
        rn_store_kv_put(s->store, SC_NS_VERSION, key.data, txt);
    rn_buf_free(&key);
    json_decref(v);
    rn_json_free(txt);
}

/* Inserts a version keeping the list ascending by number. */
static int version_insert(sc_schema_t *sc, sc_version_t *v)
{
    if (sc->nversions == sc->cap) {
        size_t cap = sc->cap ? sc->cap * 2 : 4;
        sc_version_t **nv = rn_realloc(sc->versions, cap * sizeof *nv);
        if (!nv)
            return RN_ERR_NOMEM;
        sc->versions = nv;
        sc->cap = cap;
    }
    size_t i = sc->nversions;
    while (i > 0 && sc->versions[i - 1]->number > v->number) {
        sc->versions[i] = sc->versions[i - 1];
        i--;
    }
    sc->versions[i] = v;
    sc->nversions++;
    if (v->number > sc->last_number)
        sc->last_number = v->number;
    if (v->created_ms > sc->last_modified_ms)
        sc->last_modified_ms = v->created_ms;
    return 0;
}

sc_version_t *schemas_version_add(schemas_t *s, sc_schema_t *sc, char *content, json_t *shape, const char *type)
{
    sc_version_t *v = rn_calloc(1, sizeof *v);
    if (!v) {
        rn_free(content);
        json_decref(shape);
        return NULL;
    }
    v->number = sc->last_number + 1;
    v->content = content;
    v->shape = shape;
    v->created_ms = rn_now_ms();
    snprintf(v->type, sizeof v->type, "%s", type);
    if (version_insert(sc, v) < 0) {
        version_free(v);
        return NULL;
    }
    version_persist(s, sc, v);
    schemas_schema_persist(s, sc);
    return v;
}

void schemas_schema_drop(schemas_t *s, sc_registry_t *g, sc_schema_t *sc)
{
    rn_buf_t key = {0};
    for (size_t i = 0; i < sc->nversions; i++) {
        key.len = 0;
        schema_key(sc, sc->versions[i]->number, &key);
        if (!key.oom)
            rn_store_kv_delete(s->store, SC_NS_VERSION, key.data);
    }
    key.len = 0;
    schema_key(sc, 0, &key);
    if (!key.oom)
        rn_store_kv_delete(s->store, SC_NS_SCHEMA, key.data);
    rn_buf_free(&key);
    rn_smap_del(&g->schemas, sc->name);
    schemas_schema_free(sc);
}

/* Splits "REGISTRY/NAME[/NUMBER]" (registry names hold no '/'). */
static int split_key(const char *key, int with_number, char **reg, char **name, long *number)
{
    const char *slash = strchr(key, '/');
    const char *last = with_number ? strrchr(key, '/') : NULL;
    *reg = *name = NULL;
    if (!slash || (with_number && last == slash))
        return SC_ERR_BAD_REQUEST;
    if (with_number) {
        char *e;
        *number = strtol(last + 1, &e, 10);
        if (*e || *number < 1)
            return SC_ERR_BAD_REQUEST;
    }
    *reg = rn_strndup(key, (size_t)(slash - key));
    *name = with_number ? rn_strndup(slash + 1, (size_t)(last - slash - 1)) : rn_strdup(slash + 1);
    if (!*reg || !*name) {
        rn_free(*reg);
        rn_free(*name);
        return RN_ERR_NOMEM;
    }
    return 0;
}

static sc_schema_t *restore_target(schemas_t *s, const char *reg, const char *name)
{
    int managed = strcmp(reg, SC_REG_AWS) == 0 || strcmp(reg, SC_REG_DISCOVERED) == 0;
    sc_registry_t *g = schemas_registry_ensure(s, reg, managed);
    return g ? schemas_schema_ensure(s, g, name) : NULL;
}

int schemas_schema_restore(schemas_t *s, const char *key, const char *value)
{
    char *reg, *name;
    long unused;
    int rc = split_key(key, 0, &reg, &name, &unused);
    if (rc < 0)
        return rc;
    json_t *v = json_loads(value, 0, NULL);
    sc_schema_t *sc = json_is_object(v) ? restore_target(s, reg, name) : NULL;
    rc = !json_is_object(v) ? SC_ERR_BAD_REQUEST : sc ? 0 : RN_ERR_NOMEM;
    if (sc) {
        const char *d = json_string_value(json_object_get(v, "d"));
        const char *src = json_string_value(json_object_get(v, "src"));
        const char *dt = json_string_value(json_object_get(v, "dt"));
        rn_free(sc->description);
        rn_free(sc->source);
        rn_free(sc->detail_type);
        sc->description = d ? rn_strdup(d) : NULL;
        sc->source = src ? rn_strdup(src) : NULL;
        sc->detail_type = dt ? rn_strdup(dt) : NULL;
        json_t *tags = json_object_get(v, "tags");
        if (json_is_object(tags)) {
            json_decref(sc->tags);
            sc->tags = json_incref(tags);
        }
        long last = (long)json_integer_value(json_object_get(v, "last"));
        if (last > sc->last_number)
            sc->last_number = last;
    }
    json_decref(v);
    rn_free(reg);
    rn_free(name);
    return rc;
}

int schemas_version_restore(schemas_t *s, const char *key, const char *value)
{
    char *reg, *name;
    long number = 0;
    int rc = split_key(key, 1, &reg, &name, &number);
    if (rc < 0)
        return rc;
    json_t *v = json_loads(value, 0, NULL);
    const char *content = json_string_value(json_object_get(v, "c"));
    const char *type = json_string_value(json_object_get(v, "type"));
    sc_schema_t *sc = content && type ? restore_target(s, reg, name) : NULL;
    rc = !(content && type) ? SC_ERR_BAD_REQUEST : sc ? 0 : RN_ERR_NOMEM;
    for (size_t i = 0; sc && i < sc->nversions; i++)
        if (sc->versions[i]->number == number)
            sc = NULL; /* already there */
    if (sc) {
        sc_version_t *ver = rn_calloc(1, sizeof *ver);
        if (ver && (ver->content = rn_strdup(content))) {
            ver->number = number;
            json_t *shape = json_object_get(v, "shape");
            ver->shape = json_is_object(shape) ? json_incref(shape) : NULL;
            ver->created_ms = (int64_t)json_integer_value(json_object_get(v, "at"));
            snprintf(ver->type, sizeof ver->type, "%s", type);
            if (version_insert(sc, ver) < 0) {
                version_free(ver);
                rc = RN_ERR_NOMEM;
            }
        } else {
            version_free(ver);
            rc = RN_ERR_NOMEM;
        }
    }
    json_decref(v);
    rn_free(reg);
    rn_free(name);
    return rc;
}

/* ---- operations ------------------------------------------------------------- */

static int need_schema(schemas_t *s, sc_req_t *r, sc_registry_t **g, sc_schema_t **sc)
{
    *g = schemas_registry_find(s, sc_arg(r, "RegistryName"));
    if (!*g)
        return schemas_fail(r, SC_ERR_NOT_FOUND, "Registry with name %s does not exist.", sc_arg(r, "RegistryName"));
    *sc = schemas_schema_find(*g, sc_arg(r, "SchemaName"));
    if (!*sc || !(*sc)->nversions)
        return schemas_fail(r, SC_ERR_NOT_FOUND, "Schema with name %s does not exist.", sc_arg(r, "SchemaName"));
    return 0;
}

/* The version a request names in ?schemaVersion=, or the latest. */
static int pick_version(sc_req_t *r, sc_schema_t *sc, sc_version_t **out)
{
    const char *want = sc_arg(r, "SchemaVersion");
    *out = sc->versions[sc->nversions - 1];
    if (!want || !*want)
        return 0;
    char *e;
    long n = strtol(want, &e, 10);
    for (size_t i = 0; !*e && i < sc->nversions; i++)
        if (sc->versions[i]->number == n) {
            *out = sc->versions[i];
            return 0;
        }
    return schemas_fail(r, SC_ERR_NOT_FOUND, "Schema version %s of schema %s does not exist.", want, sc->name);
}

static void schema_arn(schemas_t *s, const sc_schema_t *sc, char *out, size_t n)
{
    schemas_arn(s, "schema", sc->registry, sc->name, out, n);
}

/* The body CreateSchema, UpdateSchema and DescribeSchema share. */
static json_t *schema_json(schemas_t *s, const sc_schema_t *sc, const sc_version_t *v, int with_content)
{
    char arn[1024], created[32], modified[32];
    schema_arn(s, sc, arn, sizeof arn);
    schemas_time_iso(v->created_ms, created);
    schemas_time_iso(sc->last_modified_ms, modified);
    json_t *o = json_object();
    if (!o)
        return NULL;
    if (with_content)
        json_object_set_new(o, "Content", json_string(v->content));
    if (sc->description)
        json_object_set_new(o, "Description", json_string(sc->description));
    json_object_set_new(o, "LastModified", json_string(modified));
    json_object_set_new(o, "SchemaArn", json_string(arn));
    json_object_set_new(o, "SchemaName", json_string(sc->name));
    char num[24];
    snprintf(num, sizeof num, "%ld", v->number);
    json_object_set_new(o, "SchemaVersion", json_string(num));
    json_object_set_new(o, "tags", json_deep_copy(sc->tags));
    json_object_set_new(o, "Type", json_string(v->type));
    json_object_set_new(o, "VersionCreatedDate", json_string(created));
    return o;
}

int schemas_op_describe_schema(schemas_t *s, sc_req_t *r)
{
    sc_registry_t *g;
    sc_schema_t *sc;
    sc_version_t *v;
    int rc = need_schema(s, r, &g, &sc);
    if (rc < 0 || (rc = pick_version(r, sc, &v)) < 0)
        return rc;
    r->out = schema_json(s, sc, v, 1);
    return r->out ? 0 : RN_ERR_NOMEM;
}

static int content_args(sc_req_t *r, int required, const char **content, const char **type)
{
    int rc;
    if ((rc = schemas_body_str(r, "Content", content)) < 0 || (rc = schemas_body_str(r, "Type", type)) < 0)
        return rc;
    if (required && !*content)
        return schemas_fail(r, SC_ERR_BAD_REQUEST, "Content is required.");
    if (required && !*type)
        return schemas_fail(r, SC_ERR_BAD_REQUEST, "Type is required.");
    if (*type && strcmp(*type, SC_TYPE_OPENAPI) != 0 && strcmp(*type, SC_TYPE_DRAFT4) != 0)
        return schemas_fail(r, SC_ERR_BAD_REQUEST, "Type must be one of OpenApi3, JSONSchemaDraft4.");
    if (*content) {
        size_t n = strlen(*content);
        if (n < 1 || n > SC_MAX_CONTENT)
            return schemas_fail(r, SC_ERR_BAD_REQUEST, "Content must be 1 to %d characters long.",
                                SC_MAX_CONTENT);
        json_t *doc = json_loads(*content, 0, NULL);
        int ok = json_is_object(doc);
        json_decref(doc);
        if (!ok)
            return schemas_fail(r, SC_ERR_BAD_REQUEST, "Content is not a valid JSON document.");
    }
    const char *desc;
    if ((rc = schemas_body_str(r, "Description", &desc)) < 0)
        return rc;
    if (desc && strlen(desc) > 256)
        return schemas_fail(r, SC_ERR_BAD_REQUEST, "Description must be at most 256 characters long.");
    return 0;
}

static int set_description(sc_req_t *r, sc_schema_t *sc)
{
    const char *desc = json_string_value(json_object_get(r->in, "Description"));
    if (!desc)
        return 0;
    char *d = rn_strdup(desc);
    if (!d)
        return RN_ERR_NOMEM;
    rn_free(sc->description);
    sc->description = d;
    return 0;
}

int schemas_op_create_schema(schemas_t *s, sc_req_t *r)
{
    const char *content, *type;
    json_t *tags;
    int rc;
    if ((rc = content_args(r, 1, &content, &type)) < 0 || (rc = schemas_body_tags(r, &tags)) < 0)
        return rc;
    sc_registry_t *g = schemas_registry_find(s, sc_arg(r, "RegistryName"));
    if (!g)
        return schemas_fail(r, SC_ERR_NOT_FOUND, "Registry with name %s does not exist.", sc_arg(r, "RegistryName"));
    if (strcmp(g->name, SC_REG_AWS) == 0)
        return schemas_fail(r, SC_ERR_FORBIDDEN, "Registry %s is managed by AWS.", g->name);
    sc_schema_t *sc = schemas_schema_find(g, sc_arg(r, "SchemaName"));
    if (sc && sc->nversions)
        return schemas_fail(r, SC_ERR_CONFLICT, "Schema with name %s already exists.", sc_arg(r, "SchemaName"));
    if (!*sc_arg(r, "SchemaName") || strlen(sc_arg(r, "SchemaName")) > 385)
        return schemas_fail(r, SC_ERR_BAD_REQUEST, "SchemaName must be 1 to 385 characters long.");
    sc = schemas_schema_ensure(s, g, sc_arg(r, "SchemaName"));
    char *c = sc ? rn_strdup(content) : NULL;
    if (!c || set_description(r, sc) < 0) {
        rn_free(c);
        return RN_ERR_NOMEM;
    }
    if (tags) {
        json_decref(sc->tags);
        sc->tags = json_deep_copy(tags);
    }
    sc_version_t *v = schemas_version_add(s, sc, c, NULL, type);
    if (!v)
        return RN_ERR_NOMEM;
    r->out = schema_json(s, sc, v, 0);
    return r->out ? 0 : RN_ERR_NOMEM;
}

int schemas_op_update_schema(schemas_t *s, sc_req_t *r)
{
    const char *content, *type;
    sc_registry_t *g;
    sc_schema_t *sc;
    int rc = need_schema(s, r, &g, &sc);
    if (rc < 0 || (rc = content_args(r, 0, &content, &type)) < 0)
        return rc;
    if (strcmp(g->name, SC_REG_AWS) == 0)
        return schemas_fail(r, SC_ERR_FORBIDDEN, "Registry %s is managed by AWS.", g->name);
    if ((rc = set_description(r, sc)) < 0)
        return rc;
    sc_version_t *v = sc->versions[sc->nversions - 1];
    const char *new_type = type ? type : v->type;
    if ((content && strcmp(content, v->content) != 0) || strcmp(new_type, v->type) != 0) {
        char *c = rn_strdup(content ? content : v->content);
        if (!c || !(v = schemas_version_add(s, sc, c, NULL, new_type)))
            return RN_ERR_NOMEM;
    } else {
        schemas_schema_persist(s, sc);
    }
    r->out = schema_json(s, sc, v, 0);
    return r->out ? 0 : RN_ERR_NOMEM;
}

int schemas_op_delete_schema(schemas_t *s, sc_req_t *r)
{
    sc_registry_t *g;
    sc_schema_t *sc;
    int rc = need_schema(s, r, &g, &sc);
    if (rc < 0)
        return rc;
    schemas_schema_drop(s, g, sc);
    return 0;
}

int schemas_op_delete_schema_version(schemas_t *s, sc_req_t *r)
{
    sc_registry_t *g;
    sc_schema_t *sc;
    int rc = need_schema(s, r, &g, &sc);
    if (rc < 0)
        return rc;
    char *e;
    long n = strtol(sc_arg(r, "SchemaVersion"), &e, 10);
    size_t i = 0;
    while (!*e && i < sc->nversions && sc->versions[i]->number != n)
        i++;
    if (*e || i == sc->nversions)
        return schemas_fail(r, SC_ERR_NOT_FOUND, "Schema version %s of schema %s does not exist.", sc_arg(r, "SchemaVersion"),
                            sc->name);
    if (sc->nversions == 1) {
        schemas_schema_drop(s, g, sc);
    } else {
        rn_buf_t key = {0};
        schema_key(sc, n, &key);
        if (!key.oom)
            rn_store_kv_delete(s->store, SC_NS_VERSION, key.data);
        rn_buf_free(&key);
        version_free(sc->versions[i]);
        memmove(&sc->versions[i], &sc->versions[i + 1], (sc->nversions - i - 1) * sizeof *sc->versions);
        sc->nversions--;
    }
    return 0;
}

static int schema_cmp(const void *a, const void *b)
{
    return strcmp((*(sc_schema_t *const *)a)->name, (*(sc_schema_t *const *)b)->name);
}

/* The registry's schemas that have a version and match prefix/keyword, sorted by name. */
static sc_schema_t **collect(sc_registry_t *g, const char *prefix, const char *keyword, size_t *n)
{
    sc_schema_t **v = rn_calloc(g->schemas.len + 1, sizeof *v);
    size_t i = 0;
    const char *k;
    void *val;
    *n = 0;
    if (!v)
        return NULL;
    while (rn_smap_next(&g->schemas, &i, &k, &val)) {
        sc_schema_t *sc = val;
        if (!sc->nversions)
            continue;
        if (prefix && strncmp(sc->name, prefix, strlen(prefix)) != 0)
            continue;
        if (keyword && !strcasestr(sc->name, keyword))
            continue;
        v[(*n)++] = sc;
    }
    qsort(v, *n, sizeof *v, schema_cmp);
    return v;
}

static json_t *schema_summary(schemas_t *s, const void *item, const void *ctx)
{
    (void)ctx;
    const sc_schema_t *sc = item;
    char arn[1024], modified[32];
    schema_arn(s, sc, arn, sizeof arn);
    schemas_time_iso(sc->last_modified_ms, modified);
    return json_pack("{s:s,s:s,s:s,s:O,s:I}", "LastModified", modified, "SchemaArn", arn, "SchemaName", sc->name,
                     "tags", sc->tags, "VersionCount", (json_int_t)sc->nversions);
}

/* Lists a registry's schemas that have a version, name prefix or keyword. */
static int list_matching(schemas_t *s, sc_req_t *r, const char *prefix, const char *keyword, sc_item_fn fn)
{
    sc_registry_t *g = schemas_registry_find(s, sc_arg(r, "RegistryName"));
    if (!g)
        return schemas_fail(r, SC_ERR_NOT_FOUND, "Registry with name %s does not exist.", sc_arg(r, "RegistryName"));
    size_t n;
    sc_schema_t **v = collect(g, prefix, keyword, &n);
    if (!v)
        return RN_ERR_NOMEM;
    int rc = schemas_list_reply(s, r, "Schemas", (void *const *)v, n, fn, NULL);
    rn_free(v);
    return rc;
}

int schemas_op_list_schemas(schemas_t *s, sc_req_t *r)
{
    return list_matching(s, r, sc_arg(r, "SchemaNamePrefix"), NULL, schema_summary);
}

static json_t *search_hit(schemas_t *s, const void *item, const void *ctx)
{
    (void)ctx;
    const sc_schema_t *sc = item;
    char arn[1024];
    schema_arn(s, sc, arn, sizeof arn);
    json_t *vers = json_array();
    for (size_t j = 0; vers && j < sc->nversions; j++) {
        char created[32], num[24];
        schemas_time_iso(sc->versions[j]->created_ms, created);
        snprintf(num, sizeof num, "%ld", sc->versions[j]->number);
        json_array_append_new(vers, json_pack("{s:s,s:s,s:s}", "CreatedDate", created, "SchemaVersion", num, "Type",
                                              sc->versions[j]->type));
    }
    return json_pack("{s:s,s:s,s:s,s:o}", "RegistryName", sc->registry, "SchemaArn", arn, "SchemaName", sc->name,
                     "SchemaVersions", vers);
}

int schemas_op_search_schemas(schemas_t *s, sc_req_t *r)
{
    const char *kw = sc_arg(r, "Keywords");
    if (!kw || !*kw)
        return schemas_fail(r, SC_ERR_BAD_REQUEST, "Keywords is required.");
    return list_matching(s, r, NULL, kw, search_hit);
}

static json_t *version_summary(schemas_t *s, const void *item, const void *ctx)
{
    const sc_version_t *v = item;
    const sc_schema_t *sc = ctx;
    char arn[1024], num[24];
    schema_arn(s, sc, arn, sizeof arn);
    snprintf(num, sizeof num, "%ld", v->number);
    return json_pack("{s:s,s:s,s:s,s:s}", "SchemaArn", arn, "SchemaName", sc->name, "SchemaVersion", num, "Type",
                     v->type);
}

int schemas_op_list_schema_versions(schemas_t *s, sc_req_t *r)
{
    sc_registry_t *g;
    sc_schema_t *sc;
    int rc = need_schema(s, r, &g, &sc);
    if (rc < 0)
        return rc;
    return schemas_list_reply(s, r, "SchemaVersions", (void *const *)sc->versions, sc->nversions, version_summary,
                              sc);
}

int schemas_op_export_schema(schemas_t *s, sc_req_t *r)
{
    sc_registry_t *g;
    sc_schema_t *sc;
    sc_version_t *v;
    const char *type = sc_arg(r, "Type");
    if (!type || !*type)
        return schemas_fail(r, SC_ERR_BAD_REQUEST, "Type is required.");
    if (strcmp(type, SC_TYPE_DRAFT4) != 0)
        return schemas_fail(r, SC_ERR_BAD_REQUEST, "Type %s is not supported for export; use JSONSchemaDraft4.",
                            type);
    int rc = need_schema(s, r, &g, &sc);
    if (rc < 0 || (rc = pick_version(r, sc, &v)) < 0)
        return rc;
    char *content = NULL;
    if (strcmp(v->type, SC_TYPE_DRAFT4) == 0) {
        content = rn_strdup(v->content);
        rc = content ? 0 : RN_ERR_NOMEM;
    } else {
        rc = schemas_draft4_export(v->content, &content);
    }
    if (rc == SC_ERR_BAD_REQUEST)
        return schemas_fail(r, rc, "Schema %s version %ld cannot be exported: it is not an OpenAPI 3 document.",
                            sc->name, v->number);
    if (rc < 0)
        return rc;
    char arn[1024], num[24];
    schema_arn(s, sc, arn, sizeof arn);
    snprintf(num, sizeof num, "%ld", v->number);
    r->out = json_pack("{s:s,s:s,s:s,s:s,s:s}", "Content", content, "SchemaArn", arn, "SchemaName", sc->name,
                       "SchemaVersion", num, "Type", SC_TYPE_DRAFT4);
    rn_free(content);
    return r->out ? 0 : RN_ERR_NOMEM;
}

int schemas_op_get_discovered_schema(schemas_t *s, sc_req_t *r)
{
    (void)s;
    const char *type;
    int rc = schemas_body_str(r, "Type", &type);
    if (rc < 0)
        return rc;
    json_t *events = json_object_get(r->in, "Events");
    if (!type)
        return schemas_fail(r, SC_ERR_BAD_REQUEST, "Type is required.");
    if (strcmp(type, SC_TYPE_OPENAPI) != 0 && strcmp(type, SC_TYPE_DRAFT4) != 0)
        return schemas_fail(r, SC_ERR_BAD_REQUEST, "Type must be one of OpenApi3, JSONSchemaDraft4.");
    if (!json_is_array(events) || json_array_size(events) < 1 || json_array_size(events) > 10)
        return schemas_fail(r, SC_ERR_BAD_REQUEST, "Events must be a list of 1 to 10 JSON strings.");
    json_t *merged = NULL;
    schemas_envelope_t first = {0};
    size_t i;
    json_t *e;
    json_array_foreach(events, i, e)
    {
        const char *txt = json_string_value(e);
        schemas_envelope_t env;
        json_t *shape = NULL;
        rc = txt ? schemas_infer_shape(txt, json_string_length(e), i == 0 ? &first : &env, &shape)
                 : SC_ERR_BAD_REQUEST;
        if (i > 0 && rc == 0)
            schemas_envelope_clear(&env);
        if (rc == 0 && strcmp(json_string_value(json_object_get(shape, "t")), "o") != 0)
            rc = SC_ERR_BAD_REQUEST;
        if (rc < 0) {
            json_decref(shape);
            json_decref(merged);
            schemas_envelope_clear(&first);
            return rc == RN_ERR_NOMEM ? rc
                                      : schemas_fail(r, rc, "Event %zu is not a valid JSON object.", i + 1);
        }
        json_t *m = schemas_shape_merge(merged, shape);
        json_decref(shape);
        json_decref(merged);
        merged = m;
        if (!merged) {
            schemas_envelope_clear(&first);
            return RN_ERR_NOMEM;
        }
    }
    char *content = NULL;
    if (first.source && first.detail_type && first.detail_is_object)
        content = schemas_openapi_event(merged, first.source, first.detail_type);
    if (!content)
        content = schemas_openapi_plain(merged, "Event");
    json_decref(merged);
    schemas_envelope_clear(&first);
    if (!content)
        return RN_ERR_NOMEM;
    if (strcmp(type, SC_TYPE_DRAFT4) == 0) {
        char *d4 = NULL;
        rc = schemas_draft4_export(content, &d4);
        rn_free(content);
        if (rc < 0)
            return rc == RN_ERR_NOMEM ? rc : schemas_fail(r, rc, "The events cannot be described.");
        content = d4;
    }
    r->out = json_pack("{s:s}", "Content", content);
    rn_free(content);
    return r->out ? 0 : RN_ERR_NOMEM;
}
