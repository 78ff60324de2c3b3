/* SPDX-License-Identifier: MIT
 * Discoverers: one per event bus, named "events-event-bus-<bus>" as AWS
 * names them, started on creation. While started, every event put on the
 * bus is folded into "<source>@<DetailType>" in the discovered-schemas
 * registry; a new schema version is written only when the merged shape
 * differs from the latest version's, so a steady stream of same-shaped events
 * costs one scan and one comparison each. Persisted as "schemas.discoverer". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_alloc.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/mem.h"
#include "schemas/infer.h"
#include "schemas/schemas_int.h"

#define SC_ID_PREFIX "events-event-bus-"

sc_discoverer_t *schemas_discoverer_find(schemas_t *s, const char *id)
{
    return rn_smap_get(&s->discoverers, id);
}

void schemas_discoverer_free(sc_discoverer_t *d)
{
    if (!d)
        return;
    rn_free(d->id);
    rn_free(d->source_arn);
    rn_free(d->description);
    json_decref(d->tags);
    rn_free(d);
}

void schemas_discoverer_persist(schemas_t *s, const sc_discoverer_t *d)
{
    if (!rn_store_durable(s->store))
        return;
    json_t *v = json_pack("{s:s,s:s?,s:b,s:b,s:O}", "src", d->source_arn, "d", d->description, "started",
                          d->started, "cross", d->cross_account, "tags", d->tags);
    char *txt = v ? json_dumps(v, JSON_COMPACT) : NULL;
    if (txt)
        rn_store_kv_put(s->store, SC_NS_DISCOVERER, d->id, txt);
    json_decref(v);
    rn_json_free(txt);
}

static sc_discoverer_t *discoverer_add(schemas_t *s, const char *id, const char *source_arn)
{
    sc_discoverer_t *d = rn_calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->id = rn_strdup(id);
    d->source_arn = rn_strdup(source_arn);
    d->tags = json_object();
    d->cross_account = 1;
    if (!d->id || !d->source_arn || !d->tags || rn_smap_put(&s->discoverers, id, d) < 0) {
        schemas_discoverer_free(d);
        return NULL;
    }
    return d;
}

static void set_started(schemas_t *s, sc_discoverer_t *d, int started)
{
    if (d->started == started)
        return;
    d->started = started;
    if (started)
        s->nstarted++;
    else
        s->nstarted--;
}

int schemas_discoverer_restore(schemas_t *s, const char *id, const char *value)
{
    json_t *v = json_loads(value, 0, NULL);
    const char *src = json_string_value(json_object_get(v, "src"));
    if (!src || schemas_discoverer_find(s, id)) {
        json_decref(v);
        return SC_ERR_BAD_REQUEST;
    }
    sc_discoverer_t *d = discoverer_add(s, id, src);
    const char *desc = json_string_value(json_object_get(v, "d"));
    if (d && desc && !(d->description = rn_strdup(desc)))
        d = NULL;
    if (d) {
        d->cross_account = json_is_false(json_object_get(v, "cross")) ? 0 : 1;
        json_t *tags = json_object_get(v, "tags");
        if (json_is_object(tags)) {
            json_decref(d->tags);
            d->tags = json_incref(tags);
        }
        set_started(s, d, json_is_true(json_object_get(v, "started")));
    }
    json_decref(v);
    return d ? 0 : RN_ERR_NOMEM;
}

static json_t *discoverer_json(schemas_t *s, const sc_discoverer_t *d, int with_description)
{
    char arn[512];
    schemas_arn(s, "discoverer", d->id, NULL, arn, sizeof arn);
    json_t *o = json_object();
    if (!o)
        return NULL;
    if (with_description && d->description)
        json_object_set_new(o, "Description", json_string(d->description));
    json_object_set_new(o, "DiscovererArn", json_string(arn));
    json_object_set_new(o, "DiscovererId", json_string(d->id));
    json_object_set_new(o, "SourceArn", json_string(d->source_arn));
    json_object_set_new(o, "State", json_string(d->started ? "STARTED" : "STOPPED"));
    json_object_set_new(o, "CrossAccount", json_boolean(d->cross_account));
    json_object_set_new(o, "tags", json_deep_copy(d->tags));
    return o;
}

static int need_discoverer(schemas_t *s, sc_req_t *r, sc_discoverer_t **out)
{
    *out = schemas_discoverer_find(s, sc_arg(r, "DiscovererId"));
    if (!*out)
        return schemas_fail(r, SC_ERR_NOT_FOUND, "Discoverer with id %s does not exist.", sc_arg(r, "DiscovererId"));
    return 0;
}

/* The bus name of arn:aws:events:<region>:<account>:event-bus/<name>, or NULL. */
static const char *bus_name(const char *arn)
{
    if (strncmp(arn, "arn:aws", 7) != 0)
        return NULL;
    const char *p = strchr(arn, ':'); /* after "arn" */
    const char *fields[5];
    for (int i = 0; i < 5; i++) {
        if (!p)
            return NULL;
        fields[i] = p + 1;
        p = strchr(p + 1, ':');
    }
    /* fields: partition, service, region, account, resource */
    if (strncmp(fields[1], "events:", 7) != 0 || strncmp(fields[4], "event-bus/", 10) != 0 || p)
        return NULL;
    const char *name = fields[4] + 10;
    return *name && !strchr(name, '/') ? name : NULL;
}

static int check_description(sc_req_t *r, const char **desc)
{
    int rc = schemas_body_str(r, "Description", desc);
    if (rc < 0)
        return rc;
    if (*desc && strlen(*desc) > 256)
        return schemas_fail(r, SC_ERR_BAD_REQUEST, "Description must be at most 256 characters long.");
    return 0;
}

static int cross_arg(sc_req_t *r, int *out)
{
    json_t *v = json_object_get(r->in, "CrossAccount");
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_boolean(v))
        return schemas_fail(r, SC_ERR_BAD_REQUEST, "CrossAccount must be a boolean.");
    *out = json_is_true(v);
    return 0;
}

int schemas_op_create_discoverer(schemas_t *s, sc_req_t *r)
{
    const char *src, *desc;
    json_t *tags;
    int cross = 1, rc;
    if ((rc = schemas_body_str(r, "SourceArn", &src)) < 0 || (rc = check_description(r, &desc)) < 0 ||
        (rc = schemas_body_tags(r, &tags)) < 0 || (rc = cross_arg(r, &cross)) < 0)
        return rc;
    if (!src)
        return schemas_fail(r, SC_ERR_BAD_REQUEST, "SourceArn is required.");
    size_t n = strlen(src);
    const char *bus = bus_name(src);
    if (n < 20 || n > 1600 || !bus)
        return schemas_fail(r, SC_ERR_BAD_REQUEST, "SourceArn %s is not a valid event bus ARN.", src);
    char id[320];
    snprintf(id, sizeof id, SC_ID_PREFIX "%.256s", bus);
    if (schemas_discoverer_find(s, id))
        return schemas_fail(r, SC_ERR_CONFLICT, "Discoverer with id %s already exists.", id);
    sc_discoverer_t *d = discoverer_add(s, id, src);
    if (!d || (desc && !(d->description = rn_strdup(desc))))
        return RN_ERR_NOMEM;
    if (tags) {
        json_decref(d->tags);
        d->tags = json_deep_copy(tags);
    }
    d->cross_account = cross;
    set_started(s, d, 1);
    if (!schemas_registry_ensure(s, SC_REG_DISCOVERED, 1))
        return RN_ERR_NOMEM;
    schemas_discoverer_persist(s, d);
    r->out = discoverer_json(s, d, 1);
    return r->out ? 0 : RN_ERR_NOMEM;
}

int schemas_op_describe_discoverer(schemas_t *s, sc_req_t *r)
{
    sc_discoverer_t *d;
    int rc = need_discoverer(s, r, &d);
    if (rc < 0)
        return rc;
    r->out = discoverer_json(s, d, 1);
    return r->out ? 0 : RN_ERR_NOMEM;
}

int schemas_op_update_discoverer(schemas_t *s, sc_req_t *r)
{
    sc_discoverer_t *d;
    const char *desc;
    int rc = need_discoverer(s, r, &d);
    int cross = d ? d->cross_account : 1;
    if (rc < 0 || (rc = check_description(r, &desc)) < 0 || (rc = cross_arg(r, &cross)) < 0)
        return rc;
    if (desc) {
        char *c = rn_strdup(desc);
        if (!c)
            return RN_ERR_NOMEM;
        rn_free(d->description);
        d->description = c;
    }
    d->cross_account = cross;
    schemas_discoverer_persist(s, d);
    r->out = discoverer_json(s, d, 1);
    return r->out ? 0 : RN_ERR_NOMEM;
}

int schemas_op_delete_discoverer(schemas_t *s, sc_req_t *r)
{
    sc_discoverer_t *d;
    int rc = need_discoverer(s, r, &d);
    if (rc < 0)
        return rc;
    set_started(s, d, 0);
    rn_store_kv_delete(s->store, SC_NS_DISCOVERER, d->id);
    rn_smap_del(&s->discoverers, d->id);
    schemas_discoverer_free(d);
    return 0;
}

static json_t *discoverer_summary(schemas_t *s, const void *item, const void *ctx)
{
    (void)ctx;
    return discoverer_json(s, item, 0);
}

static int id_cmp(const void *a, const void *b)
{
    return strcmp((*(sc_discoverer_t *const *)a)->id, (*(sc_discoverer_t *const *)b)->id);
}

int schemas_op_list_discoverers(schemas_t *s, sc_req_t *r)
{
    const char *idp = sc_arg(r, "DiscovererIdPrefix");
    const char *srcp = sc_arg(r, "SourceArnPrefix");
    sc_discoverer_t **v = rn_calloc(s->discoverers.len + 1, sizeof *v);
    if (!v)
        return RN_ERR_NOMEM;
    size_t n = 0, i = 0;
    const char *k;
    void *val;
    while (rn_smap_next(&s->discoverers, &i, &k, &val)) {
        sc_discoverer_t *d = val;
        if (idp && strncmp(d->id, idp, strlen(idp)) != 0)
            continue;
        if (srcp && strncmp(d->source_arn, srcp, strlen(srcp)) != 0)
            continue;
        v[n++] = d;
    }
    qsort(v, n, sizeof *v, id_cmp);
    int rc = schemas_list_reply(s, r, "Discoverers", (void *const *)v, n, discoverer_summary, NULL);
    rn_free(v);
    return rc;
}

static int start_stop(schemas_t *s, sc_req_t *r, int started)
{
    sc_discoverer_t *d;
    int rc = need_discoverer(s, r, &d);
    if (rc < 0)
        return rc;
    if (d->started != started) {
        set_started(s, d, started);
        schemas_discoverer_persist(s, d);
    }
    r->out = json_pack("{s:s,s:s}", "DiscovererId", d->id, "State", started ? "STARTED" : "STOPPED");
    return r->out ? 0 : RN_ERR_NOMEM;
}

int schemas_op_start_discoverer(schemas_t *s, sc_req_t *r)
{
    return start_stop(s, r, 1);
}

int schemas_op_stop_discoverer(schemas_t *s, sc_req_t *r)
{
    return start_stop(s, r, 0);
}

int schemas_discover_event(schemas_t *s, const char *envelope, size_t len, int cross_account)
{
    schemas_envelope_t env;
    json_t *shape = NULL, *merged = NULL;
    char *name = NULL, *content = NULL;
    int rc = schemas_infer_shape(envelope, len, &env, &shape);
    if (rc < 0)
        return rc == RN_ERR_NOMEM ? rc : 0;
    rc = 0;
    if (!env.source || !env.detail_type || !env.detail_is_object)
        goto out;
    if (!cross_account && env.account && strcmp(env.account, s->cfg->account_id) != 0)
        goto out;
    char pascal[256];
    schemas_name_pascal(env.detail_type, pascal, sizeof pascal);
    rn_buf_t b = {0};
    rn_buf_printf(&b, "%s@%s", env.source, pascal);
    if (b.oom) {
        rc = RN_ERR_NOMEM;
        goto out;
    }
    name = rn_buf_take(&b, NULL);
    sc_registry_t *g = schemas_registry_ensure(s, SC_REG_DISCOVERED, 1);
    sc_schema_t *sc = g ? schemas_schema_ensure(s, g, name) : NULL;
    if (!sc) {
        rc = RN_ERR_NOMEM;
        goto out;
    }
    const json_t *latest = sc->nversions ? sc->versions[sc->nversions - 1]->shape : NULL;
    merged = schemas_shape_merge(latest, shape);
    if (!merged) {
        rc = RN_ERR_NOMEM;
        goto out;
    }
    if (latest && json_equal((json_t *)latest, merged))
        goto out; /* same shape: no new version */
    content = schemas_openapi_event(merged, env.source, env.detail_type);
    if (!content) {
        rc = RN_ERR_NOMEM;
        goto out;
    }
    if (!sc->source || strcmp(sc->source, env.source) != 0 || !sc->detail_type ||
        strcmp(sc->detail_type, env.detail_type) != 0) {
        char *src = rn_strdup(env.source), *dt = rn_strdup(env.detail_type);
        if (!src || !dt) {
            rn_free(src);
            rn_free(dt);
            rc = RN_ERR_NOMEM;
            goto out;
        }
        rn_free(sc->source);
        rn_free(sc->detail_type);
        sc->source = src;
        sc->detail_type = dt;
    }
    rc = schemas_version_add(s, sc, content, merged, SC_TYPE_OPENAPI) ? 1 : RN_ERR_NOMEM;
    content = NULL;
    merged = NULL;
out:
    if (rc == RN_ERR_NOMEM && name) {
        /* a schema left without versions is invisible; drop it */
        sc_registry_t *g = schemas_registry_find(s, SC_REG_DISCOVERED);
        sc_schema_t *sc = g ? schemas_schema_find(g, name) : NULL;
        if (sc && !sc->nversions) {
            rn_smap_del(&g->schemas, name);
            schemas_schema_free(sc);
        }
    }
    rn_free(content);
    rn_free(name);
    json_decref(merged);
    json_decref(shape);
    schemas_envelope_clear(&env);
    return rc;
}
