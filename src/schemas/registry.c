/* SPDX-License-Identifier: MIT
 * Schema registries: AWS's two managed ones (aws.events, discovered-schemas,
 * always present and never stored) and the account's own, with their
 * create/describe/update/delete/list operations, their persistence as
 * "schemas.registry" records, and the tag operations, which address a
 * registry, schema or discoverer by ARN. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_alloc.h"
#include "core/err.h"
#include "core/mem.h"
#include "schemas/schemas_int.h"

#define SC_MAX_REGISTRY_NAME 64
#define SC_MAX_DESCRIPTION 256

sc_registry_t *schemas_registry_find(schemas_t *s, const char *name)
{
    return rn_smap_get(&s->registries, name);
}

sc_registry_t *schemas_registry_ensure(schemas_t *s, const char *name, int managed)
{
    sc_registry_t *g = schemas_registry_find(s, name);
    if (g)
        return g;
    g = rn_calloc(1, sizeof *g);
    if (!g)
        return NULL;
    g->name = rn_strdup(name);
    g->tags = json_object();
    g->managed = managed;
    if (!g->name || !g->tags || rn_smap_put(&s->registries, name, g) < 0) {
        schemas_registry_free(g);
        return NULL;
    }
    return g;
}

void schemas_registry_free(sc_registry_t *g)
{
    if (!g)
        return;
    size_t i = 0;
    const char *k;
    void *v;
    while (rn_smap_next(&g->schemas, &i, &k, &v))
        schemas_schema_free(v);
    rn_smap_free(&g->schemas);
    rn_free(g->name);
    rn_free(g->description);
    json_decref(g->tags);
    rn_free(g);
}

void schemas_registry_persist(schemas_t *s, const sc_registry_t *g)
{
    if (g->managed || !rn_store_durable(s->store))
        return;
    json_t *v = json_pack("{s:s?,s:O}", "d", g->description, "tags", g->tags);
    char *txt = v ? json_dumps(v, JSON_COMPACT) : NULL;
    json_decref(v);
    if (txt)
        rn_store_kv_put(s->store, SC_NS_REGISTRY, g->name, txt);
    rn_json_free(txt);
}

int schemas_registry_restore(schemas_t *s, const char *name, const char *value)
{
    json_t *v = json_loads(value, 0, NULL);
    if (!json_is_object(v)) {
        json_decref(v);
        return SC_ERR_BAD_REQUEST;
    }
    sc_registry_t *g = schemas_registry_ensure(s, name, 0);
    if (!g) {
        json_decref(v);
        return RN_ERR_NOMEM;
    }
    const char *d = json_string_value(json_object_get(v, "d"));
    rn_free(g->description);
    g->description = d ? rn_strdup(d) : NULL;
    json_t *tags = json_object_get(v, "tags");
    if (json_is_object(tags)) {
        json_decref(g->tags);
        g->tags = json_incref(tags);
    }
    json_decref(v);
    return 0;
}

static json_t *registry_json(schemas_t *s, const sc_registry_t *g, int with_description)
{
    char arn[512];
    schemas_arn(s, "registry", g->name, NULL, arn, sizeof arn);
    json_t *o = json_object();
    if (!o)
        return NULL;
    if (with_description && g->description)
        json_object_set_new(o, "Description", json_string(g->description));
    json_object_set_new(o, "RegistryArn", json_string(arn));
    json_object_set_new(o, "RegistryName", json_string(g->name));
    json_object_set_new(o, "tags", json_deep_copy(g->tags));
    return o;
}

static int need_registry(schemas_t *s, sc_req_t *r, sc_registry_t **out)
{
    *out = schemas_registry_find(s, sc_arg(r, "RegistryName"));
    if (!*out)
        return schemas_fail(r, SC_ERR_NOT_FOUND, "Registry with name %s does not exist.", sc_arg(r, "RegistryName"));
    return 0;
}

static int check_description(sc_req_t *r, const char **desc)
{
    int rc = schemas_body_str(r, "Description", desc);
    if (rc < 0)
        return rc;
    if (*desc && strlen(*desc) > SC_MAX_DESCRIPTION)
        return schemas_fail(r, SC_ERR_BAD_REQUEST, "Description must be at most %d characters long.",
                            SC_MAX_DESCRIPTION);
    return 0;
}

static int name_ok(const char *n)
{
    size_t len = strlen(n);
    if (len < 1 || len > SC_MAX_REGISTRY_NAME)
        return 0;
    for (const char *p = n; *p; p++) {
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
              c == '-' || c == '_' || c == '@'))
            return 0;
    }
    return 1;
}

int schemas_op_create_registry(schemas_t *s, sc_req_t *r)
{
    const char *name = sc_arg(r, "RegistryName"), *desc;
    json_t *tags;
    int rc;
    if ((rc = check_description(r, &desc)) < 0 || (rc = schemas_body_tags(r, &tags)) < 0)
        return rc;
    if (schemas_registry_find(s, name))
        return schemas_fail(r, SC_ERR_CONFLICT, "Registry with name %s already exists.", name);
    if (!name_ok(name))
        return schemas_fail(r, SC_ERR_BAD_REQUEST,
                            "Invalid RegistryName: it must be 1 to %d letters, digits, '.', '-', '_' or '@'.",
                            SC_MAX_REGISTRY_NAME);
    if (strncmp(name, "aws.", 4) == 0)
        return schemas_fail(r, SC_ERR_BAD_REQUEST, "RegistryName cannot start with the reserved prefix aws.");
    sc_registry_t *g = schemas_registry_ensure(s, name, 0);
    if (!g)
        return RN_ERR_NOMEM;
    if (desc && !(g->description = rn_strdup(desc)))
        return RN_ERR_NOMEM;
    if (tags) {
        json_decref(g->tags);
        g->tags = json_deep_copy(tags);
    }
    schemas_registry_persist(s, g);
    r->out = registry_json(s, g, 1);
    return r->out ? 0 : RN_ERR_NOMEM;
}

int schemas_op_describe_registry(schemas_t *s, sc_req_t *r)
{
    sc_registry_t *g;
    int rc = need_registry(s, r, &g);
    if (rc < 0)
        return rc;
    r->out = registry_json(s, g, 1);
    return r->out ? 0 : RN_ERR_NOMEM;
}

int schemas_op_update_registry(schemas_t *s, sc_req_t *r)
{
    sc_registry_t *g;
    const char *desc;
    int rc = need_registry(s, r, &g);
    if (rc < 0 || (rc = check_description(r, &desc)) < 0)
        return rc;
    if (g->managed)
        return schemas_fail(r, SC_ERR_FORBIDDEN, "Registry %s is managed by AWS and cannot be updated.",
                            g->name);
    if (desc) {
        char *d = rn_strdup(desc);
        if (!d)
            return RN_ERR_NOMEM;
        rn_free(g->description);
        g->description = d;
    }
    schemas_registry_persist(s, g);
    r->out = registry_json(s, g, 1);
    return r->out ? 0 : RN_ERR_NOMEM;
}

int schemas_op_delete_registry(schemas_t *s, sc_req_t *r)
{
    sc_registry_t *g;
    int rc = need_registry(s, r, &g);
    if (rc < 0)
        return rc;
    if (g->managed)
        return schemas_fail(r, SC_ERR_FORBIDDEN, "Registry %s is managed by AWS and cannot be deleted.",
                            g->name);
    size_t i = 0;
    const char *k;
    void *v;
    while (rn_smap_next(&g->schemas, &i, &k, &v)) {
        sc_schema_t *sc = v;
        i = 0; /* the map changes under us */
        schemas_schema_drop(s, g, sc);
    }
    rn_store_kv_delete(s->store, SC_NS_REGISTRY, g->name);
    rn_smap_del(&s->registries, g->name);
    schemas_registry_free(g);
    return 0;
}

static json_t *registry_summary(schemas_t *s, const void *item, const void *ctx)
{
    (void)ctx;
    return registry_json(s, item, 0);
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp((*(sc_registry_t *const *)a)->name, (*(sc_registry_t *const *)b)->name);
}

int schemas_op_list_registries(schemas_t *s, sc_req_t *r)
{
    const char *prefix = sc_arg(r, "RegistryNamePrefix");
    const char *scope = sc_arg(r, "Scope");
    if (scope && *scope && strcmp(scope, "LOCAL") != 0 && strcmp(scope, "AWS") != 0)
        return schemas_fail(r, SC_ERR_BAD_REQUEST, "Scope must be LOCAL or AWS.");
    sc_registry_t **v = rn_calloc(s->registries.len + 1, sizeof *v);
    if (!v)
        return RN_ERR_NOMEM;
    size_t n = 0, i = 0;
    const char *k;
    void *val;
    while (rn_smap_next(&s->registries, &i, &k, &val)) {
        sc_registry_t *g = val;
        int aws = strcmp(g->name, SC_REG_AWS) == 0;
        if (prefix && strncmp(g->name, prefix, strlen(prefix)) != 0)
            continue;
        if (scope && strcmp(scope, "AWS") == 0 && !aws)
            continue;
        if (scope && strcmp(scope, "LOCAL") == 0 && aws)
            continue;
        v[n++] = g;
    }
    qsort(v, n, sizeof *v, name_cmp);
    int rc = schemas_list_reply(s, r, "Registries", (void *const *)v, n, registry_summary, NULL);
    rn_free(v);
    return rc;
}

/* ---- tags ------------------------------------------------------------------ */

/* Resolves a schemas ARN to the tags object it owns and the record to
 * rewrite after a change. */
static int tags_target(schemas_t *s, sc_req_t *r, json_t ***tags, sc_registry_t **g, sc_schema_t **sc,
                       sc_discoverer_t **d)
{
    const char *arn = sc_arg(r, "ResourceArn");
    char prefix[160];
    int n = snprintf(prefix, sizeof prefix, "arn:aws:schemas:%s:%s:", s->cfg->region, s->cfg->account_id);
    *g = NULL;
    *sc = NULL;
    *d = NULL;
    if (strncmp(arn, prefix, (size_t)n) == 0) {
        const char *rest = arn + n;
        if (strncmp(rest, "registry/", 9) == 0 && (*g = schemas_registry_find(s, rest + 9))) {
            *tags = &(*g)->tags;
            return 0;
        }
        if (strncmp(rest, "discoverer/", 11) == 0 && (*d = schemas_discoverer_find(s, rest + 11))) {
            *tags = &(*d)->tags;
            return 0;
        }
        if (strncmp(rest, "schema/", 7) == 0) {
            const char *slash = strchr(rest + 7, '/');
            char reg[256];
            if (slash && (size_t)(slash - rest - 7) < sizeof reg) {
                memcpy(reg, rest + 7, (size_t)(slash - rest - 7));
                reg[slash - rest - 7] = '\0';
                sc_registry_t *sg = schemas_registry_find(s, reg);
                if (sg && (*sc = schemas_schema_find(sg, slash + 1))) {
                    *tags = &(*sc)->tags;
                    return 0;
                }
            }
        }
    }
    return schemas_fail(r, SC_ERR_NOT_FOUND, "Resource %s does not exist.", arn);
}

int schemas_op_tags(schemas_t *s, sc_req_t *r)
{
    json_t **tags;
    sc_registry_t *g;
    sc_schema_t *sc;
    sc_discoverer_t *d;
    int rc = tags_target(s, r, &tags, &g, &sc, &d);
    if (rc < 0)
        return rc;
    if (strcmp(r->op, "ListTagsForResource") == 0) {
        r->out = json_pack("{s:O}", "tags", *tags);
        return r->out ? 0 : RN_ERR_NOMEM;
    }
    if (strcmp(r->op, "TagResource") == 0) {
        json_t *add;
        if ((rc = schemas_body_tags(r, &add)) < 0)
            return rc;
        if (!add)
            return schemas_fail(r, SC_ERR_BAD_REQUEST, "Tags is required.");
        if (json_object_update(*tags, add) < 0)
            return RN_ERR_NOMEM;
    } else {
        json_t *keys = json_object_get(r->in, "TagKeys");
        if (!keys)
            return schemas_fail(r, SC_ERR_BAD_REQUEST, "TagKeys is required.");
        if (json_is_string(keys)) {
            json_object_del(*tags, json_string_value(keys));
        } else {
            size_t i;
            json_t *k;
            json_array_foreach(keys, i, k) json_object_del(*tags, json_string_value(k));
        }
    }
    if (g)
        schemas_registry_persist(s, g);
    else if (sc)
        schemas_schema_persist(s, sc);
    else if (d)
        schemas_discoverer_persist(s, d);
    return 0;
}
