/* SPDX-License-Identifier: MIT
 * Versions and aliases. PublishVersion snapshots $LATEST's configuration
 * and code into version N (a lambda_fn_t of its own, with its own instances;
 * the unpacked package is shared, as packages are content-addressed), unless
 * nothing changed since the last version, as AWS does. An alias names a
 * version, optionally with a second one weighted (RoutingConfig). Kept as
 * lambda.ver/<name>/<N> and lambda.alias/<name>/<alias>, read back at start. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/ids.h"
#include "core/json_alloc.h"
#include "core/mem.h"
#include "core/params.h"
#include "lambda/lambda_int.h"

static int is_number(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s))
            return 0;
    return 1;
}

static void key_of(const lambda_fn_t *fn, const char *sub, char *key, size_t len)
{
    snprintf(key, len, "%s/%s", fn->name, sub);
}

static void alias_arn(const lambda_fn_t *fn, const char *alias, char *buf, size_t len)
{
    char arn[300];
    lambda_fn_arn(fn->L, fn->name, arn, sizeof arn);
    snprintf(buf, len, "%s:%s", arn, alias);
}

lambda_fn_t *lambda_version_of(lambda_fn_t *fn, const char *q)
{
    if (is_number(q))
        return rn_smap_get(&fn->versions, q);
    json_t *a = rn_smap_get(&fn->aliases, q);
    if (!a)
        return NULL;
    const char *ver = json_string_value(json_object_get(a, "FunctionVersion"));
    /* weighted routing: AdditionalVersionWeights {"N": weight} */
    const char *k;
    json_t *w;
    double r = (double)(rn_rand64() % 1000000) / 1000000.0;
    json_object_foreach(json_object_get(json_object_get(a, "RoutingConfig"), "AdditionalVersionWeights"), k, w)
    {
        if (r < json_number_value(w)) {
            ver = k;
            break;
        }
        r -= json_number_value(w);
    }
    if (!ver || !strcmp(ver, "$LATEST"))
        return fn;
    return rn_smap_get(&fn->versions, ver);
}

/* ---- versions ---- */

static void persist_version(const lambda_fn_t *v)
{
    char key[100];
    key_of(v->latest, v->version, key, sizeof key);
    json_t *rec = json_pack("{s:O,s:s,s:b}", "cfg", v->cfg, "code_dir", v->code_dir, "local", v->local);
    char *s = rec ? json_dumps(rec, JSON_COMPACT) : NULL;
    json_decref(rec);
    if (s)
        rn_store_kv_put(v->L->env.store, "lambda.ver", key, s);
    rn_json_free(s);
}

static lambda_fn_t *version_new(lambda_fn_t *fn, const char *n, json_t *cfg)
{
    lambda_fn_t *v = lambda_fn_new(fn->L, fn->name);
    if (!v) {
        json_decref(cfg);
        return NULL;
    }
    snprintf(v->version, sizeof v->version, "%s", n);
    v->latest = fn;
    v->cfg = cfg;
    snprintf(v->code_dir, sizeof v->code_dir, "%s", fn->code_dir);
    v->local = fn->local;
    snprintf(v->hot_stamp, sizeof v->hot_stamp, "%s", fn->hot_stamp);
    v->reserved = -1;
    fn->alive++; /* released when v is freed (lambda_fn_release) */
    if (rn_smap_put(&fn->versions, v->version, v) < 0) {
        lambda_fn_release(v);
        return NULL;
    }
    if (atoi(n) > fn->last_version)
        fn->last_version = atoi(n);
    return v;
}

/* The configuration that decides whether a publish makes a new version. */
static json_t *comparable(const json_t *cfg)
{
    json_t *o = json_deep_copy(cfg);
    static const char *const drop[] = {"Version", "FunctionArn", "RevisionId", "LastModified", "State",
                                       "StateReason", "StateReasonCode", "LastUpdateStatus", "Description", NULL};
    for (int i = 0; drop[i]; i++)
        json_object_del(o, drop[i]);
    return o;
}

lambda_fn_t *lambda_publish(lambda_fn_t *fn, rn_call_t *c, const char *description)
{
    char n[16];
    snprintf(n, sizeof n, "%d", fn->last_version);
    lambda_fn_t *last = fn->last_version ? rn_smap_get(&fn->versions, n) : NULL;
    if (last) {
        json_t *a = comparable(fn->cfg), *b = comparable(last->cfg);
        int same = json_equal(a, b) && !strcmp(fn->code_dir, last->code_dir);
        json_decref(a);
        json_decref(b);
        if (same)
            return last;
    }
    snprintf(n, sizeof n, "%d", fn->last_version + 1);
    json_t *cfg = json_deep_copy(fn->cfg);
    char arn[300], rev[37];
    lambda_fn_arn(fn->L, fn->name, arn, sizeof arn);
    size_t al = strlen(arn);
    snprintf(arn + al, sizeof arn - al, ":%s", n);
    rn_uuid(rev);
    json_object_set_new(cfg, "Version", json_string(n));
    json_object_set_new(cfg, "FunctionArn", json_string(arn));
    json_object_set_new(cfg, "RevisionId", json_string(rev));
    json_object_set_new(cfg, "State", json_string("Active"));
    json_object_set_new(cfg, "LastUpdateStatus", json_string("Successful"));
    if (description)
        json_object_set_new(cfg, "Description", json_string(description));
    lambda_fn_t *v = version_new(fn, n, cfg);
    if (!v) {
        rn_call_fail(c, RN_ERR_NOMEM, "Out of memory.");
        return NULL;
    }
    persist_version(v);
    lambda_fn_persist(fn); /* its last_version */
    return v;
}

static void version_delete(lambda_fn_t *v, int forget)
{
    lambda_fn_t *fn = v->latest;
    char key[100];
    key_of(fn, v->version, key, sizeof key);
    if (forget)
        rn_store_kv_delete(v->L->env.store, "lambda.ver", key);
    rn_smap_del(&fn->versions, v->version);
    v->deleted = 1;
    lambda_fn_stop_all(v, 0);
    lambda_fn_release(v);
}

void lambda_versions_drop(lambda_fn_t *fn, int forget)
{
    size_t n;
    const char **names = rn_sorted_keys(&fn->versions, &n);
    for (size_t i = 0; names && i < n; i++)
        version_delete(rn_smap_get(&fn->versions, names[i]), forget);
    rn_free(names);
    rn_smap_free(&fn->versions);
    memset(&fn->versions, 0, sizeof fn->versions);
    names = rn_sorted_keys(&fn->aliases, &n);
    for (size_t i = 0; names && i < n; i++) {
        char key[200];
        key_of(fn, names[i], key, sizeof key);
        if (forget)
            rn_store_kv_delete(fn->L->env.store, "lambda.alias", key);
        json_decref(rn_smap_del(&fn->aliases, names[i]));
    }
    rn_free(names);
    rn_smap_free(&fn->aliases);
    memset(&fn->aliases, 0, sizeof fn->aliases);
}

static int cmp_num(const void *a, const void *b)
{
    return atoi(*(const char *const *)a) - atoi(*(const char *const *)b);
}

static int list_versions(lambda_fn_t *fn, rn_call_t *c)
{
    size_t n;
    const char **names = rn_sorted_keys(&fn->versions, &n);
    if (!names && n)
        return RN_ERR_NOMEM;
    qsort(names, n, sizeof *names, cmp_num);
    json_t *mi = json_object_get(c->in, "MaxItems");
    size_t max = mi && json_integer_value(mi) > 0 ? (size_t)json_integer_value(mi) : 50;
    const char *marker = rn_param_str(c->in, "Marker");
    size_t start = marker ? (size_t)atol(marker) : 0; /* the marker is a position: $LATEST is 0 */
    json_t *list = json_array();
    size_t i = start;
    for (; i < n + 1 && json_array_size(list) < max; i++)
        json_array_append(list, i == 0 ? fn->cfg : ((lambda_fn_t *)rn_smap_get(&fn->versions, names[i - 1]))->cfg);
    c->out = json_pack("{s:o}", "Versions", list);
    if (i < n + 1) {
        char next[24];
        snprintf(next, sizeof next, "%zu", i);
        json_object_set_new(c->out, "NextMarker", json_string(next));
    }
    rn_free(names);
    return 0;
}

/* ---- aliases ---- */

static void persist_alias(lambda_fn_t *fn, const char *name, const json_t *a)
{
    char key[200];
    key_of(fn, name, key, sizeof key);
    char *s = json_dumps(a, JSON_COMPACT);
    if (s)
        rn_store_kv_put(fn->L->env.store, "lambda.alias", key, s);
    rn_json_free(s);
}

/* Applies FunctionVersion, Description and RoutingConfig from in; 0 or an error. */
static int alias_apply(lambda_fn_t *fn, rn_call_t *c, json_t *a)
{
    const char *ver = rn_param_str(c->in, "FunctionVersion");
    char arn[300];
    lambda_fn_arn(fn->L, fn->name, arn, sizeof arn);
    if (ver && strcmp(ver, "$LATEST") && !rn_smap_get(&fn->versions, ver))
        return rn_call_fail(c, LAMBDA_ERR_NOT_FOUND, "Function not found: %s:%s", arn, ver);
    if (ver)
        json_object_set_new(a, "FunctionVersion", json_string(ver));
    const char *d = rn_param_str(c->in, "Description");
    if (d)
        json_object_set_new(a, "Description", json_string(d));
    json_t *rc = json_object_get(c->in, "RoutingConfig");
    if (json_is_object(rc)) {
        const char *k;
        json_t *w;
        double sum = 0;
        json_object_foreach(json_object_get(rc, "AdditionalVersionWeights"), k, w)
        {
            if (!strcmp(json_string_value(json_object_get(a, "FunctionVersion")) ?: "", "$LATEST"))
                return rn_call_fail(c, LAMBDA_ERR_INVALID_PARAMETER,
                                    "$LATEST is not supported for an alias pointing to more than 1 version");
            if (!rn_smap_get(&fn->versions, k))
                return rn_call_fail(c, LAMBDA_ERR_NOT_FOUND, "Function not found: %s:%s", arn, k);
            sum += json_number_value(w);
        }
        if (sum < 0 || sum > 1)
            return rn_call_fail(c, LAMBDA_ERR_INVALID_PARAMETER, "Sum of the weights must be between 0.0 and 1.0.");
        if (json_object_size(json_object_get(rc, "AdditionalVersionWeights")))
            json_object_set(a, "RoutingConfig", rc);
        else
            json_object_del(a, "RoutingConfig");
    }
    char rev[37];
    rn_uuid(rev);
    json_object_set_new(a, "RevisionId", json_string(rev));
    return 0;
}

static int name_ok(const char *n)
{
    size_t l = strlen(n);
    if (l == 0 || l > 128 || is_number(n))
        return 0;
    for (const char *p = n; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_')
            return 0;
    return 1;
}

static int alias_call(lambda_fn_t *fn, rn_call_t *c)
{
    const char *name = rn_param_str(c->in, "Name");
    char arn[400];
    if (!strcmp(c->op, "ListAliases")) {
        const char *ver = rn_param_str(c->in, "FunctionVersion");
        size_t n;
        const char **names = rn_sorted_keys(&fn->aliases, &n);
        json_t *list = json_array();
        for (size_t i = 0; names && i < n; i++) {
            json_t *a = rn_smap_get(&fn->aliases, names[i]);
            if (!ver || !strcmp(ver, json_string_value(json_object_get(a, "FunctionVersion")) ?: ""))
                json_array_append(list, a);
        }
        rn_free(names);
        c->out = json_pack("{s:o}", "Aliases", list);
        return 0;
    }
    alias_arn(fn, name ? name : "", arn, sizeof arn);
    json_t *a = name ? rn_smap_get(&fn->aliases, name) : NULL;
    if (!strcmp(c->op, "CreateAlias")) {
        if (!name || !name_ok(name))
            return rn_call_fail(c, LAMBDA_ERR_VALIDATION,
                                "1 validation error detected: Value '%s' at 'name' failed to satisfy constraint: "
                                "Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)",
                                name ? name : "null");
        if (a)
            return rn_call_fail(c, LAMBDA_ERR_CONFLICT, "Alias already exists: %s", arn);
        if (!rn_param_str(c->in, "FunctionVersion"))
            return rn_call_fail(c, LAMBDA_ERR_VALIDATION,
                                "1 validation error detected: Value null at 'functionVersion' failed to satisfy "
                                "constraint: Member must not be null");
        a = json_pack("{s:s,s:s,s:s}", "AliasArn", arn, "Name", name, "Description", "");
        if (alias_apply(fn, c, a) < 0 || rn_smap_put(&fn->aliases, name, a) < 0) {
            json_decref(a);
            return c->err ? c->err : RN_ERR_NOMEM;
        }
        persist_alias(fn, name, a);
        c->out = json_deep_copy(a);
        return 0;
    }
    if (!strcmp(c->op, "DeleteAlias")) {
        if (a) {
            char key[200];
            key_of(fn, name, key, sizeof key);
            rn_store_kv_delete(fn->L->env.store, "lambda.alias", key);
            json_decref(rn_smap_del(&fn->aliases, name));
        }
        c->out = json_object();
        return 0;
    }
    if (!a)
        return rn_call_fail(c, LAMBDA_ERR_NOT_FOUND, strcmp(c->op, "GetAlias") ? "Alias not found: %s"
                                                                             : "Cannot find alias arn: %s",
                            arn);
    if (!strcmp(c->op, "UpdateAlias")) {
        const char *rev = rn_param_str(c->in, "RevisionId");
        if (rev && strcmp(rev, json_string_value(json_object_get(a, "RevisionId")) ?: ""))
            return rn_call_fail(c, LAMBDA_ERR_PRECONDITION,
                                "The Revision Id provided does not match the latest Revision Id. Call the "
                                "GetFunction/GetAlias API to retrieve the latest Revision Id");
        json_t *copy = json_deep_copy(a);
        if (alias_apply(fn, c, copy) < 0) {
            json_decref(copy);
            return c->err;
        }
        json_object_update(a, copy);
        if (!json_object_get(copy, "RoutingConfig"))
            json_object_del(a, "RoutingConfig");
        json_decref(copy);
        persist_alias(fn, name, a);
    }
    c->out = json_deep_copy(a);
    return 0;
}

int lambda_version_call(lambda_t *L, rn_call_t *c)
{
    lambda_fn_t *fn = lambda_find(L, c, rn_param_str(c->in, "FunctionName"), NULL);
    if (!fn)
        return c->err;
    if (!strcmp(c->op, "ListVersionsByFunction"))
        return list_versions(fn, c);
    if (strcmp(c->op, "PublishVersion"))
        return alias_call(fn, c);
    const char *sha = rn_param_str(c->in, "CodeSha256");
    const char *cur = json_string_value(json_object_get(fn->cfg, "CodeSha256")) ?: "";
    if (sha && strcmp(sha, cur))
        return rn_call_fail(c, LAMBDA_ERR_INVALID_PARAMETER,
                            "CodeSHA256 (%s) is different from current CodeSHA256 in $LATEST (%s). Please try again "
                            "with the CodeSHA256 in $LATEST.",
                            sha, cur);
    const char *rev = rn_param_str(c->in, "RevisionId");
    if (rev && strcmp(rev, json_string_value(json_object_get(fn->cfg, "RevisionId")) ?: ""))
        return rn_call_fail(c, LAMBDA_ERR_PRECONDITION,
                            "The Revision Id provided does not match the latest Revision Id. Call the "
                            "GetFunction/GetAlias API to retrieve the latest Revision Id");
    lambda_fn_t *v = lambda_publish(fn, c, rn_param_str(c->in, "Description"));
    if (!v)
        return c->err;
    c->out = json_deep_copy(v->cfg);
    return 0;
}

int lambda_version_delete_call(lambda_t *L, rn_call_t *c, const char *qualifier)
{
    lambda_fn_t *fn = lambda_find(L, c, rn_param_str(c->in, "FunctionName"), NULL);
    if (!fn)
        return c->err;
    lambda_fn_t *v = is_number(qualifier) ? rn_smap_get(&fn->versions, qualifier) : NULL;
    if (!v) {
        char arn[300];
        lambda_fn_arn(L, fn->name, arn, sizeof arn);
        return rn_call_fail(c, LAMBDA_ERR_NOT_FOUND, "Function not found: %s:%s", arn, qualifier);
    }
    size_t i = 0;
    const char *k;
    void *a;
    while (rn_smap_next(&fn->aliases, &i, &k, &a))
        if (!strcmp(json_string_value(json_object_get(a, "FunctionVersion")) ?: "", v->version))
            return rn_call_fail(c, LAMBDA_ERR_CONFLICT, "Unable to delete version because the following aliases "
                                                        "reference it: [%s]",
                                k);
    lambda_async_forget(v);
    version_delete(v, 1);
    c->out = json_object();
    return 0;
}

/* ---- start: versions and aliases come back after their functions ---- */

static int load_one(void *ud, const char *key, const char *value, int alias)
{
    lambda_t *L = ud;
    char name[65];
    const char *slash = strchr(key, '/');
    if (!slash || (size_t)(slash - key) >= sizeof name)
        return 0;
    snprintf(name, sizeof name, "%.*s", (int)(slash - key), key);
    lambda_fn_t *fn = rn_smap_get(&L->fns, name);
    json_t *rec = json_loads(value, 0, NULL);
    if (!fn || !rec) {
        json_decref(rec);
        return 0;
    }
    if (alias) {
        if (rn_smap_put(&fn->aliases, slash + 1, rec) < 0)
            json_decref(rec);
        return 0;
    }
    lambda_fn_t *v = version_new(fn, slash + 1, json_incref(json_object_get(rec, "cfg")));
    if (v) {
        snprintf(v->code_dir, sizeof v->code_dir, "%s", json_string_value(json_object_get(rec, "code_dir")) ?: "");
        v->local = json_is_true(json_object_get(rec, "local"));
    }
    json_decref(rec);
    return 0;
}

static int load_version(void *ud, const char *key, const char *value)
{
    return load_one(ud, key, value, 0);
}

static int load_alias(void *ud, const char *key, const char *value)
{
    return load_one(ud, key, value, 1);
}

void lambda_versions_resume(lambda_t *L)
{
    rn_store_kv_scan(L->env.store, "lambda.ver", NULL, NULL, load_version, L);
    rn_store_kv_scan(L->env.store, "lambda.alias", NULL, NULL, load_alias, L);
}
