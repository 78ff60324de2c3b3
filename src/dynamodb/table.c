/* SPDX-License-Identifier: MIT
 * DynamoDB tables: CreateTable, DescribeTable, ListTables, UpdateTable,
 * DeleteTable, time to live, tags, DescribeLimits and DescribeEndpoints.
 * A table's control record lives in RAM and in ddb.table/<name>; its items
 * in the store (store_items.c). A table reports CREATING in CreateTable's
 * answer and is ACTIVE from then on (waiters poll DescribeTable). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/ids.h"
#include "core/json_alloc.h"
#include "core/mem.h"
#include "dynamodb/ddb_int.h"

#define NOT_FOUND_TABLE "Requested resource not found: Table: %s not found"

ddb_table_t *ddb_table_get(ddb_t *d, const char *name)
{
    return name ? rn_smap_get(&d->tables, name) : NULL;
}

ddb_table_t *ddb_table_for(ddb_t *d, rn_call_t *c, const char *member)
{
    const char *name = json_string_value(json_object_get(c->in, member));
    ddb_table_t *t = ddb_table_get(d, name);
    if (!t)
        rn_call_fail(c, DDB_ERR_NOT_FOUND, "Requested resource not found");
    return t;
}

const ddb_index_t *ddb_index_get(const ddb_table_t *t, const char *name)
{
    for (size_t i = 0; name && i < t->nidx; i++)
        if (!strcmp(t->idx[i].name, name))
            return &t->idx[i];
    return NULL;
}

static void keys_free(ddb_keys_t *k)
{
    rn_free(k->hash);
    rn_free(k->range);
}

static void index_free(ddb_index_t *ix)
{
    rn_free(ix->name);
    keys_free(&ix->keys);
    json_decref(ix->nonkey);
}

void ddb_table_free(ddb_table_t *t)
{
    if (!t)
        return;
    rn_free(t->name);
    keys_free(&t->keys);
    json_decref(t->attr_defs);
    for (size_t i = 0; i < t->nidx; i++)
        index_free(&t->idx[i]);
    rn_free(t->idx);
    json_decref(t->tags);
    rn_free(t->ttl_attr);
    json_decref(t->stream);
    rn_free(t->table_class);
    rn_free(t);
}

void ddb_tables_clear(ddb_t *d)
{
    size_t i = 0;
    const char *k;
    void *v;
    while (rn_smap_next(&d->tables, &i, &k, &v))
        ddb_table_free(v);
    rn_smap_free(&d->tables);
    memset(&d->tables, 0, sizeof d->tables);
}

/* ---- the ARN and descriptions ---- */

static void table_arn(const ddb_t *d, const ddb_table_t *t, char *buf, size_t len)
{
    snprintf(buf, len, "arn:aws:dynamodb:%s:%s:table/%s", d->env.cfg->region, d->env.cfg->account_id, t->name);
}

static json_t *keys_json(const ddb_keys_t *k)
{
    json_t *a = json_pack("[{s:s,s:s}]", "AttributeName", k->hash, "KeyType", "HASH");
    if (k->range)
        json_array_append_new(a, json_pack("{s:s,s:s}", "AttributeName", k->range, "KeyType", "RANGE"));
    return a;
}

static json_t *projection_json(const ddb_index_t *ix)
{
    static const char *const names[] = {"ALL", "KEYS_ONLY", "INCLUDE"};
    json_t *p = json_pack("{s:s}", "ProjectionType", names[ix->proj]);
    if (ix->proj == DDB_PROJ_INCLUDE)
        json_object_set(p, "NonKeyAttributes", ix->nonkey);
    return p;
}

static double secs(int64_t ms)
{
    return (double)ms / 1000.0;
}

json_t *ddb_table_describe(ddb_t *d, const ddb_table_t *t)
{
    char arn[600];
    table_arn(d, t, arn, sizeof arn);
    int64_t now = rn_now_ms();
    json_t *o = json_pack("{s:O,s:s,s:o,s:s,s:f,s:{s:i,s:I,s:I},s:I,s:I,s:s,s:s,s:b}", "AttributeDefinitions",
                          t->attr_defs, "TableName", t->name, "KeySchema", keys_json(&t->keys), "TableStatus",
                          now < t->active_at_ms ? "CREATING" : "ACTIVE", "CreationDateTime", secs(t->created_ms),
                          "ProvisionedThroughput", "NumberOfDecreasesToday", 0, "ReadCapacityUnits",
                          (json_int_t)(t->pay_per_request ? 0 : t->rcu), "WriteCapacityUnits",
                          (json_int_t)(t->pay_per_request ? 0 : t->wcu), "TableSizeBytes", (json_int_t)t->bytes,
                          "ItemCount", (json_int_t)t->items, "TableArn", arn, "TableId", t->id,
                          "DeletionProtectionEnabled", t->deletion_protection);
    if (t->pay_per_request)
        json_object_set_new(o, "BillingModeSummary",
                            json_pack("{s:s,s:f}", "BillingMode", "PAY_PER_REQUEST",
                                      "LastUpdateToPayPerRequestDateTime", secs(t->ppr_since_ms)));
    json_t *lsi = json_array(), *gsi = json_array();
    for (size_t i = 0; i < t->nidx; i++) {
        const ddb_index_t *ix = &t->idx[i];
        char iarn[800];
        snprintf(iarn, sizeof iarn, "%s/index/%s", arn, ix->name);
        json_t *x = json_pack("{s:s,s:o,s:o,s:I,s:I,s:s}", "IndexName", ix->name, "KeySchema", keys_json(&ix->keys),
                              "Projection", projection_json(ix), "IndexSizeBytes", (json_int_t)0, "ItemCount",
                              (json_int_t)0, "IndexArn", iarn);
        if (ix->global) {
            json_object_set_new(x, "IndexStatus", json_string(ix->creating ? "CREATING" : "ACTIVE"));
            if (ix->creating)
                json_object_set_new(x, "Backfilling", json_true());
            json_object_set_new(x, "ProvisionedThroughput",
                                json_pack("{s:i,s:I,s:I}", "NumberOfDecreasesToday", 0, "ReadCapacityUnits",
                                          (json_int_t)(t->pay_per_request ? 0 : ix->rcu), "WriteCapacityUnits",
                                          (json_int_t)(t->pay_per_request ? 0 : ix->wcu)));
            json_array_append_new(gsi, x);
        } else {
            json_array_append_new(lsi, x);
        }
    }
    if (json_array_size(lsi))
        json_object_set(o, "LocalSecondaryIndexes", lsi);
    if (json_array_size(gsi))
        json_object_set(o, "GlobalSecondaryIndexes", gsi);
    json_decref(lsi);
    json_decref(gsi);
    if (t->stream && json_is_true(json_object_get(t->stream, "StreamEnabled"))) {
        json_object_set(o, "StreamSpecification", t->stream);
        json_object_set_new(o, "LatestStreamLabel", json_string(t->stream_label));
        char sarn[700];
        snprintf(sarn, sizeof sarn, "%s/stream/%s", arn, t->stream_label);
        json_object_set_new(o, "LatestStreamArn", json_string(sarn));
    }
    if (t->table_class)
        json_object_set_new(o, "TableClassSummary", json_pack("{s:s}", "TableClass", t->table_class));
    return o;
}

/* ---- keeping ---- */

static json_t *keys_keep(const ddb_keys_t *k)
{
    json_t *o = json_pack("{s:s,s:s%}", "h", k->hash, "ht", &k->htype, (size_t)1);
    if (k->range) {
        json_object_set_new(o, "r", json_string(k->range));
        json_object_set_new(o, "rt", json_stringn(&k->rtype, 1));
    }
    return o;
}

void ddb_table_keep(ddb_t *d, ddb_table_t *t)
{
    json_t *idx = json_array();
    for (size_t i = 0; i < t->nidx; i++) {
        const ddb_index_t *ix = &t->idx[i];
        json_t *x = json_pack("{s:s,s:b,s:I,s:o,s:i,s:I,s:I}", "name", ix->name, "global", ix->global, "iid",
                              (json_int_t)ix->iid, "keys", keys_keep(&ix->keys), "proj", ix->proj, "rcu",
                              (json_int_t)ix->rcu, "wcu", (json_int_t)ix->wcu);
        if (ix->nonkey)
            json_object_set(x, "nonkey", ix->nonkey);
        json_array_append_new(idx, x);
    }
    json_t *o = json_pack("{s:I,s:s,s:I,s:o,s:O,s:b,s:I,s:I,s:I,s:o,s:I,s:b,s:O,s:I,s:I}", "kid",
                          (json_int_t)t->kid, "id", t->id, "created", (json_int_t)t->created_ms, "keys",
                          keys_keep(&t->keys), "attrs", t->attr_defs, "ppr", t->pay_per_request, "rcu",
                          (json_int_t)t->rcu, "wcu", (json_int_t)t->wcu, "ppr_since", (json_int_t)t->ppr_since_ms,
                          "idx", idx, "next_iid", (json_int_t)t->next_iid, "dp", t->deletion_protection, "tags",
                          t->tags, "items", (json_int_t)t->items, "bytes", (json_int_t)t->bytes);
    if (t->ttl_attr)
        json_object_set_new(o, "ttl", json_string(t->ttl_attr));
    if (t->stream) {
        json_object_set(o, "stream", t->stream);
        json_object_set_new(o, "label", json_string(t->stream_label));
    }
    if (t->table_class)
        json_object_set_new(o, "class", json_string(t->table_class));
    char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (s)
        rn_store_kv_put(d->env.store, "ddb.table", t->name, s);
    rn_json_free(s);
    t->dirty = 0;
}

static int keys_load(const json_t *o, ddb_keys_t *k)
{
    const char *h = json_string_value(json_object_get(o, "h")), *ht = json_string_value(json_object_get(o, "ht"));
    const char *r = json_string_value(json_object_get(o, "r")), *rt = json_string_value(json_object_get(o, "rt"));
    if (!h || !ht)
        return -1;
    k->hash = rn_strdup(h);
    k->htype = ht[0];
    if (r && rt) {
        k->range = rn_strdup(r);
        k->rtype = rt[0];
    }
    return k->hash ? 0 : -1;
}

int ddb_table_load(void *ud, const char *key, const char *value)
{
    ddb_t *d = ud;
    json_t *o = json_loads(value, 0, NULL);
    ddb_table_t *t = o ? rn_calloc(1, sizeof *t) : NULL;
    if (!t || !(t->name = rn_strdup(key)) || keys_load(json_object_get(o, "keys"), &t->keys) < 0) {
        ddb_table_free(t);
        json_decref(o);
        return 0;
    }
    t->kid = (uint32_t)json_integer_value(json_object_get(o, "kid"));
    snprintf(t->id, sizeof t->id, "%s", json_string_value(json_object_get(o, "id")));
    t->created_ms = json_integer_value(json_object_get(o, "created"));
    t->attr_defs = json_incref(json_object_get(o, "attrs"));
    t->pay_per_request = json_is_true(json_object_get(o, "ppr"));
    t->rcu = json_integer_value(json_object_get(o, "rcu"));
    t->wcu = json_integer_value(json_object_get(o, "wcu"));
    t->ppr_since_ms = json_integer_value(json_object_get(o, "ppr_since"));
    t->next_iid = (uint32_t)json_integer_value(json_object_get(o, "next_iid"));
    t->deletion_protection = json_is_true(json_object_get(o, "dp"));
    t->tags = json_incref(json_object_get(o, "tags"));
    if (!t->tags)
        t->tags = json_object();
    t->items = json_integer_value(json_object_get(o, "items"));
    t->bytes = json_integer_value(json_object_get(o, "bytes"));
    const char *ttl = json_string_value(json_object_get(o, "ttl"));
    t->ttl_attr = ttl ? rn_strdup(ttl) : NULL;
    t->stream = json_incref(json_object_get(o, "stream"));
    snprintf(t->stream_label, sizeof t->stream_label, "%s",
             json_string_value(json_object_get(o, "label")) ? json_string_value(json_object_get(o, "label")) : "");
    const char *cls = json_string_value(json_object_get(o, "class"));
    t->table_class = cls ? rn_strdup(cls) : NULL;
    json_t *idx = json_object_get(o, "idx");
    t->idx = rn_calloc(json_array_size(idx) + 1, sizeof *t->idx);
    for (size_t i = 0; t->idx && i < json_array_size(idx); i++) {
        json_t *x = json_array_get(idx, i);
        ddb_index_t *ix = &t->idx[t->nidx];
        if (keys_load(json_object_get(x, "keys"), &ix->keys) < 0)
            continue;
        ix->name = rn_strdup(json_string_value(json_object_get(x, "name")));
        ix->global = json_is_true(json_object_get(x, "global"));
        ix->iid = (uint32_t)json_integer_value(json_object_get(x, "iid"));
        ix->proj = (int)json_integer_value(json_object_get(x, "proj"));
        ix->rcu = json_integer_value(json_object_get(x, "rcu"));
        ix->wcu = json_integer_value(json_object_get(x, "wcu"));
        ix->nonkey = json_incref(json_object_get(x, "nonkey"));
        t->nidx++;
    }
    json_decref(o);
    if (t->kid >= d->next_kid)
        d->next_kid = t->kid + 1;
    if (rn_smap_put(&d->tables, t->name, t) < 0)
        ddb_table_free(t);
    return 0;
}

/* ---- CreateTable ---- */

static const char *attr_type(const json_t *defs, const char *name)
{
    for (size_t i = 0; i < json_array_size(defs); i++) {
        json_t *a = json_array_get(defs, i);
        if (!strcmp(json_string_value(json_object_get(a, "AttributeName")) ?: "", name))
            return json_string_value(json_object_get(a, "AttributeType"));
    }
    return NULL;
}

/* "[a, b]" of the names in an array of objects' member `field`. */
static void names_list(const json_t *arr, const char *field, char *buf, size_t len)
{
    size_t w = (size_t)snprintf(buf, len, "[");
    for (size_t i = 0; i < json_array_size(arr) && w < len; i++)
        w += (size_t)snprintf(buf + w, len - w, "%s%s", i ? ", " : "",
                              json_string_value(json_object_get(json_array_get(arr, i), field)) ?: "");
    if (w < len)
        snprintf(buf + w, len - w, "]");
}

/* A KeySchema checked against the definitions into *k. used collects the
 * attribute names keys use (for the count check). */
static int parse_keys(rn_call_t *c, const json_t *ks, const json_t *defs, ddb_keys_t *k, json_t *used,
                      const char *index)
{
    (void)index;
    size_t n = json_array_size(ks);
    if (n < 1 || n > 2) {
        char l[300];
        names_list(ks, "AttributeName", l, sizeof l);
        return rn_call_fail(c, DDB_ERR_VALIDATION,
                            n ? "1 validation error detected: Value '%s' at 'keySchema' failed to satisfy constraint: "
                                "Member must have length less than or equal to 2"
                              : "1 validation error detected: Value '%s' at 'keySchema' failed to satisfy constraint: "
                                "Member must have length greater than or equal to 1",
                            l);
    }
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_array_get(ks, i);
        const char *name = json_string_value(json_object_get(e, "AttributeName"));
        const char *type = json_string_value(json_object_get(e, "KeyType"));
        if (!name || !type || (strcmp(type, "HASH") && strcmp(type, "RANGE")))
            return rn_call_fail(c, DDB_ERR_VALIDATION, "Invalid KeySchema: Some index key attribute have no definition");
        if ((i == 0) != !strcmp(type, "HASH"))
            return rn_call_fail(c, DDB_ERR_VALIDATION,
                                i == 0 ? "Invalid KeySchema: The first KeySchemaElement is not a HASH key type"
                                       : "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type");
        if (i == 1 && !strcmp(name, k->hash))
            return rn_call_fail(c, DDB_ERR_VALIDATION,
                                "Both the Hash Key and the Range Key element in the KeySchema have the same name");
        const char *at = attr_type(defs, name);
        if (!at) {
            char kl[300], dl[600];
            names_list(ks, "AttributeName", kl, sizeof kl);
            names_list(defs, "AttributeName", dl, sizeof dl);
            return rn_call_fail(c, DDB_ERR_VALIDATION,
                                "One or more parameter values were invalid: Some index key attributes are not defined "
                                "in AttributeDefinitions. Keys: %s, AttributeDefinitions: %s",
                                kl, dl);
        }
        json_object_set_new(used, name, json_true());
        if (i == 0) {
            k->hash = rn_strdup(name);
            k->htype = at[0];
        } else {
            k->range = rn_strdup(name);
            k->rtype = at[0];
        }
    }
    return 0;
}

static int parse_projection(rn_call_t *c, const json_t *p, ddb_index_t *ix)
{
    const char *type = json_string_value(json_object_get(p, "ProjectionType"));
    json_t *nk = json_object_get(p, "NonKeyAttributes");
    if (!type || !strcmp(type, "ALL") || !strcmp(type, "KEYS_ONLY")) {
        if (nk)
            return rn_call_fail(c, DDB_ERR_VALIDATION,
                                "One or more parameter values were invalid: ProjectionType is %s, but "
                                "NonKeyAttributes is specified",
                                type ? type : "ALL");
        ix->proj = type && !strcmp(type, "KEYS_ONLY") ? DDB_PROJ_KEYS : DDB_PROJ_ALL;
        return 0;
    }
    if (strcmp(type, "INCLUDE"))
        return rn_call_fail(c, DDB_ERR_VALIDATION,
                            "1 validation error detected: Value '%s' at 'projection.projectionType' failed to satisfy "
                            "constraint: Member must satisfy enum value set: [INCLUDE, ALL, KEYS_ONLY]",
                            type);
    ix->proj = DDB_PROJ_INCLUDE;
    ix->nonkey = nk ? json_incref(nk) : json_array();
    return 0;
}

static int throughput(rn_call_t *c, const json_t *pt, int ppr, int64_t *rcu, int64_t *wcu)
{
    if (ppr) {
        if (pt)
            return rn_call_fail(c, DDB_ERR_VALIDATION,
                                "One or more parameter values were invalid: Neither ReadCapacityUnits nor "
                                "WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST");
        *rcu = *wcu = 0;
        return 0;
    }
    json_t *r = json_object_get(pt, "ReadCapacityUnits"), *w = json_object_get(pt, "WriteCapacityUnits");
    if (!r || !w)
        return rn_call_fail(c, DDB_ERR_VALIDATION,
                            "One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must "
                            "both be specified when BillingMode is PROVISIONED");
    *rcu = json_integer_value(r);
    *wcu = json_integer_value(w);
    if (*rcu < 1 || *wcu < 1)
        return rn_call_fail(c, DDB_ERR_VALIDATION,
                            "One or more parameter values were invalid: Given value %lld for %s is out of bounds",
                            (long long)(*rcu < 1 ? *rcu : *wcu), *rcu < 1 ? "ReadCapacityUnits" : "WriteCapacityUnits");
    return 0;
}

static int name_ok(rn_call_t *c, const char *name)
{
    if (!name)
        return rn_call_fail(c, DDB_ERR_VALIDATION,
                            "1 validation error detected: Value null at 'tableName' failed to satisfy constraint: "
                            "Member must not be null");
    size_t n = strlen(name);
    if (n < 3 || n > 255)
        return rn_call_fail(c, DDB_ERR_VALIDATION,
                            "1 validation error detected: Value '%s' at 'tableName' failed to satisfy constraint: "
                            "Member must have length %s",
                            name, n < 3 ? "greater than or equal to 3" : "less than or equal to 255");
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_' ||
              *p == '-' || *p == '.'))
            return rn_call_fail(c, DDB_ERR_VALIDATION,
                                "1 validation error detected: Value '%s' at 'tableName' failed to satisfy constraint: "
                                "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
                                name);
    return 0;
}

static int parse_index(ddb_t *d, rn_call_t *c, ddb_table_t *t, const json_t *x, int global, json_t *used,
                       ddb_index_t *ix)
{
    (void)d;
    const char *name = json_string_value(json_object_get(x, "IndexName"));
    if (!name)
        return rn_call_fail(c, DDB_ERR_VALIDATION, "One or more parameter values were invalid: IndexName is required");
    if (ddb_index_get(t, name))
        return rn_call_fail(c, DDB_ERR_VALIDATION, "One or more parameter values were invalid: Duplicate index name: %s",
                            name);
    ix->name = rn_strdup(name);
    ix->global = global;
    ix->iid = ++t->next_iid;
    int rc = parse_keys(c, json_object_get(x, "KeySchema"), t->attr_defs, &ix->keys, used, name);
    if (rc)
        return rc;
    if (!global) {
        if (strcmp(ix->keys.hash, t->keys.hash) || !ix->keys.range)
            return rn_call_fail(c, DDB_ERR_VALIDATION,
                                "One or more parameter values were invalid: Index KeySchema does not have a range key "
                                "for index: %s",
                                name);
    }
    rc = parse_projection(c, json_object_get(x, "Projection"), ix);
    if (rc)
        return rc;
    if (global && !t->pay_per_request)
        return throughput(c, json_object_get(x, "ProvisionedThroughput"), 0, &ix->rcu, &ix->wcu);
    if (global && json_object_get(x, "ProvisionedThroughput") && t->pay_per_request)
        return rn_call_fail(c, DDB_ERR_VALIDATION,
                            "One or more parameter values were invalid: ProvisionedThroughput should not be specified "
                            "for index: %s when BillingMode is PAY_PER_REQUEST",
                            name);
    return 0;
}

/* Tags given as [{Key, Value}] onto the table's. */
static void add_tags(ddb_table_t *t, const json_t *tags)
{
    for (size_t i = 0; i < json_array_size(tags); i++) {
        json_t *tg = json_array_get(tags, i);
        json_object_set(t->tags, json_string_value(json_object_get(tg, "Key")) ?: "", json_object_get(tg, "Value"));
    }
}

static int create_table(ddb_t *d, rn_call_t *c)
{
    const char *name = json_string_value(json_object_get(c->in, "TableName"));
    int rc = name_ok(c, name);
    if (rc)
        return rc;
    json_t *defs = json_object_get(c->in, "AttributeDefinitions");
    for (size_t i = 0; i < json_array_size(defs); i++) {
        const char *at = json_string_value(json_object_get(json_array_get(defs, i), "AttributeType"));
        if (!at || (strcmp(at, "S") && strcmp(at, "N") && strcmp(at, "B")))
            return rn_call_fail(c, DDB_ERR_VALIDATION,
                                "1 validation error detected: Value '%s' at 'attributeDefinitions.%zu.member."
                                "attributeType' failed to satisfy constraint: Member must satisfy enum value set: "
                                "[B, N, S]",
                                at ? at : "null", i + 1);
    }
    const char *bm = json_string_value(json_object_get(c->in, "BillingMode"));
    if (bm && strcmp(bm, "PROVISIONED") && strcmp(bm, "PAY_PER_REQUEST"))
        return rn_call_fail(c, DDB_ERR_VALIDATION,
                            "1 validation error detected: Value '%s' at 'billingMode' failed to satisfy constraint: "
                            "Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]",
                            bm);
    ddb_table_t *t = rn_calloc(1, sizeof *t);
    if (!t)
        return RN_ERR_NOMEM;
    json_t *used = json_object();
    t->name = rn_strdup(name);
    t->attr_defs = defs ? json_incref(defs) : json_array();
    t->pay_per_request = bm && !strcmp(bm, "PAY_PER_REQUEST");
    t->tags = json_object();
    rc = parse_keys(c, json_object_get(c->in, "KeySchema"), t->attr_defs, &t->keys, used, NULL);
    if (!rc)
        rc = throughput(c, json_object_get(c->in, "ProvisionedThroughput"), t->pay_per_request, &t->rcu, &t->wcu);
    json_t *lsis = json_object_get(c->in, "LocalSecondaryIndexes"), *gsis = json_object_get(c->in, "GlobalSecondaryIndexes");
    size_t nidx = json_array_size(lsis) + json_array_size(gsis);
    if (!rc && lsis && !t->keys.range)
        rc = rn_call_fail(c, DDB_ERR_VALIDATION,
                          "One or more parameter values were invalid: Table KeySchema does not have a range key, which "
                          "is required when specifying a LocalSecondaryIndex");
    if (!rc && json_array_size(lsis) > 5)
        rc = rn_call_fail(c, DDB_ERR_VALIDATION,
                          "One or more parameter values were invalid: Number of LocalSecondaryIndexes exceeds per-table "
                          "limit of 5");
    if (!rc && json_array_size(gsis) > 20)
        rc = rn_call_fail(c, DDB_ERR_LIMIT_EXCEEDED,
                          "One or more parameter values were invalid: Number of GlobalSecondaryIndexes exceeds "
                          "per-table limit of 20");
    t->idx = rn_calloc(nidx + 1, sizeof *t->idx);
    for (size_t i = 0; !rc && i < nidx; i++) {
        int global = i >= json_array_size(lsis);
        json_t *x = global ? json_array_get(gsis, i - json_array_size(lsis)) : json_array_get(lsis, i);
        rc = parse_index(d, c, t, x, global, used, &t->idx[t->nidx]);
        t->nidx++;
    }
    if (!rc && json_object_size(used) != json_array_size(t->attr_defs))
        rc = rn_call_fail(c, DDB_ERR_VALIDATION,
                          "One or more parameter values were invalid: Number of attributes in KeySchema does not "
                          "exactly match number of attributes defined in AttributeDefinitions");
    json_decref(used);
    if (!rc && ddb_table_get(d, name))
        rc = rn_call_fail(c, DDB_ERR_IN_USE, "Table already exists: %s", name);
    json_t *ss = json_object_get(c->in, "StreamSpecification");
    if (!rc && ss && json_is_true(json_object_get(ss, "StreamEnabled")) &&
        !json_string_value(json_object_get(ss, "StreamViewType")))
        rc = rn_call_fail(c, DDB_ERR_VALIDATION,
                          "One or more parameter values were invalid: StreamViewType is required when StreamEnabled "
                          "is true");
    if (rc) {
        ddb_table_free(t);
        return rc;
    }
    t->kid = d->next_kid++;
    rn_uuid(t->id);
    t->created_ms = rn_now_ms();
    t->ppr_since_ms = t->pay_per_request ? t->created_ms : 0;
    t->active_at_ms = t->created_ms; /* ACTIVE for every call after this one */
    t->deletion_protection = json_is_true(json_object_get(c->in, "DeletionProtectionEnabled"));
    const char *cls = json_string_value(json_object_get(c->in, "TableClass"));
    t->table_class = cls ? rn_strdup(cls) : NULL;
    if (ss && json_is_true(json_object_get(ss, "StreamEnabled"))) {
        t->stream = json_incref(ss);
        ddb_stream_label(t->stream_label, sizeof t->stream_label, t->created_ms);
    }
    add_tags(t, json_object_get(c->in, "Tags"));
    if (rn_smap_put(&d->tables, t->name, t) < 0) {
        ddb_table_free(t);
        return RN_ERR_NOMEM;
    }
    ddb_table_keep(d, t);
    json_t *desc = ddb_table_describe(d, t);
    json_object_set_new(desc, "TableStatus", json_string("CREATING"));
    for (size_t i = 0; i < json_array_size(json_object_get(desc, "GlobalSecondaryIndexes")); i++)
        json_object_set_new(json_array_get(json_object_get(desc, "GlobalSecondaryIndexes"), i), "IndexStatus",
                            json_string("CREATING"));
    c->out = json_pack("{s:o}", "TableDescription", desc);
    return 0;
}

void ddb_stream_label(char *buf, size_t len, int64_t ms)
{
    time_t s = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&s, &tm);
    size_t k = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + k, len - k, ".%03d", (int)(ms % 1000));
}

/* ---- the other table operations ---- */

/* Deletes every record of ns under the key prefix in p (then freed). */
static void drop_prefix(ddb_t *d, const char *ns, rn_buf_t *p)
{
    rn_buf_t end = {0};
    rn_buf_add(&end, p->data, p->len);
    if (!p->oom && !end.oom && end.len) {
        end.data[end.len - 1]++;
        rn_store_kv_delete_range(d->env.store, ns, p->data, end.data);
    }
    rn_buf_free(p);
    rn_buf_free(&end);
}


/* The table TableName names, checked as the table operations check it;
 * NULL with the call failed. */
static ddb_table_t *named_table(ddb_t *d, rn_call_t *c)
{
    const char *name = json_string_value(json_object_get(c->in, "TableName"));
    if (name_ok(c, name))
        return NULL;
    ddb_table_t *t = ddb_table_get(d, name);
    if (!t)
        rn_call_fail(c, DDB_ERR_NOT_FOUND, NOT_FOUND_TABLE, name);
    return t;
}

static int describe_table(ddb_t *d, rn_call_t *c)
{
    ddb_table_t *t = named_table(d, c);
    if (!t)
        return c->err;
    c->out = json_pack("{s:o}", "Table", ddb_table_describe(d, t));
    return 0;
}

static int delete_table(ddb_t *d, rn_call_t *c)
{
    ddb_table_t *t = named_table(d, c);
    if (!t)
        return c->err;
    if (t->deletion_protection)
        return rn_call_fail(c, DDB_ERR_VALIDATION,
                            "Resource cannot be deleted as it is currently protected against deletion. Disable "
                            "deletion protection first.");
    json_t *desc = ddb_table_describe(d, t);
    json_object_set_new(desc, "TableStatus", json_string("DELETING"));
    /* the items go in the background: the key id is never reused */
    rn_buf_t p = {0};
    ddb_table_prefix(t, &p);
    drop_prefix(d, "ddb.item#", &p);
    for (size_t i = 0; i < t->nidx; i++) {
        ddb_index_prefix(t, &t->idx[i], &p);
        drop_prefix(d, "ddb.idx#", &p);
    }
    ddb_stream_drop(d, t);
    rn_store_kv_delete(d->env.store, "ddb.table", t->name);
    rn_smap_del(&d->tables, t->name);
    ddb_table_free(t);
    c->out = json_pack("{s:o}", "TableDescription", desc);
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int list_tables(ddb_t *d, rn_call_t *c)
{
    json_t *lim = json_object_get(c->in, "Limit");
    int64_t limit = lim ? json_integer_value(lim) : 100;
    if (lim && (limit < 1 || limit > 100))
        return rn_call_fail(c, DDB_ERR_VALIDATION,
                            "1 validation error detected: Value '%lld' at 'limit' failed to satisfy constraint: Member "
                            "must have value %s",
                            (long long)limit, limit < 1 ? "greater than or equal to 1" : "less than or equal to 100");
    const char *start = json_string_value(json_object_get(c->in, "ExclusiveStartTableName"));
    size_t n = d->tables.len, k = 0, i = 0;
    const char **names = rn_malloc((n + 1) * sizeof *names);
    if (!names)
        return RN_ERR_NOMEM;
    const char *key;
    void *v;
    while (rn_smap_next(&d->tables, &i, &key, &v))
        names[k++] = ((ddb_table_t *)v)->name;
    qsort(names, k, sizeof *names, cmp_str);
    json_t *out = json_array();
    const char *last = NULL;
    size_t j = 0;
    while (j < k && start && strcmp(names[j], start) <= 0)
        j++;
    for (; j < k && (int64_t)json_array_size(out) < limit; j++)
        json_array_append_new(out, json_string(last = names[j]));
    c->out = json_pack("{s:o}", "TableNames", out);
    if (j < k && last)
        json_object_set_new(c->out, "LastEvaluatedTableName", json_string(last));
    rn_free(names);
    return 0;
}

static int update_table(ddb_t *d, rn_call_t *c)
{
    int rc = 0;
    ddb_table_t *t = named_table(d, c);
    if (!t)
        return c->err;
    const char *bm = json_string_value(json_object_get(c->in, "BillingMode"));
    json_t *pt = json_object_get(c->in, "ProvisionedThroughput");
    int ppr = bm ? !strcmp(bm, "PAY_PER_REQUEST") : t->pay_per_request;
    int64_t rcu = t->rcu, wcu = t->wcu;
    if (bm || pt) {
        if (!ppr && !pt && t->pay_per_request)
            return rn_call_fail(c, DDB_ERR_VALIDATION,
                                "One or more parameter values were invalid: ProvisionedThroughput must be specified "
                                "when BillingMode is PROVISIONED");
        if (pt && (rc = throughput(c, pt, ppr, &rcu, &wcu)))
            return rc;
    }
    json_t *dp = json_object_get(c->in, "DeletionProtectionEnabled");
    json_t *ss = json_object_get(c->in, "StreamSpecification");
    json_t *gu = json_object_get(c->in, "GlobalSecondaryIndexUpdates");
    json_t *defs = json_object_get(c->in, "AttributeDefinitions");
    /* GSI changes, checked before anything changes */
    for (size_t i = 0; i < json_array_size(gu); i++) {
        json_t *u = json_array_get(gu, i);
        json_t *cr = json_object_get(u, "Create"), *del = json_object_get(u, "Delete"), *up = json_object_get(u, "Update");
        const char *iname = json_string_value(json_object_get(cr ? cr : del ? del : up, "IndexName"));
        if ((del || up) && !ddb_index_get(t, iname))
            return rn_call_fail(c, DDB_ERR_NOT_FOUND, "Requested resource not found: Requested resource not found");
        if (cr && ddb_index_get(t, iname))
            return rn_call_fail(c, DDB_ERR_VALIDATION,
                                "One or more parameter values were invalid: Index with name: %s already exists", iname);
    }
    for (size_t i = 0; i < json_array_size(gu); i++) {
        json_t *u = json_array_get(gu, i);
        json_t *cr = json_object_get(u, "Create"), *del = json_object_get(u, "Delete");
        if (del) {
            const char *iname = json_string_value(json_object_get(del, "IndexName"));
            for (size_t k = 0; k < t->nidx; k++)
                if (!strcmp(t->idx[k].name, iname)) {
                    rn_buf_t p = {0};
                    ddb_index_prefix(t, &t->idx[k], &p);
                    drop_prefix(d, "ddb.idx#", &p);
                    index_free(&t->idx[k]);
                    memmove(&t->idx[k], &t->idx[k + 1], (t->nidx - k - 1) * sizeof *t->idx);
                    t->nidx--;
                    break;
                }
        }
        if (cr) {
            json_t *merged = json_deep_copy(t->attr_defs);
            for (size_t k = 0; k < json_array_size(defs); k++) {
                json_t *a = json_array_get(defs, k);
                if (!attr_type(merged, json_string_value(json_object_get(a, "AttributeName")) ?: ""))
                    json_array_append(merged, a);
            }
            json_t *old = t->attr_defs;
            t->attr_defs = merged;
            ddb_index_t *grown = rn_realloc(t->idx, (t->nidx + 2) * sizeof *t->idx);
            if (!grown) {
                t->attr_defs = old;
                json_decref(merged);
                return RN_ERR_NOMEM;
            }
            t->idx = grown;
            memset(&t->idx[t->nidx], 0, sizeof *t->idx);
            json_t *used = json_object();
            rc = parse_index(d, c, t, cr, 1, used, &t->idx[t->nidx]);
            json_decref(used);
            if (rc) {
                index_free(&t->idx[t->nidx]);
                t->attr_defs = old;
                json_decref(merged);
                return rc;
            }
            json_decref(old);
            t->nidx++;
            rc = ddb_index_backfill(d, t, &t->idx[t->nidx - 1]);
            if (rc)
                return rn_call_fail(c, DDB_ERR_INTERNAL, "The index could not be built");
        }
    }
    if (bm && ppr && !t->pay_per_request)
        t->ppr_since_ms = rn_now_ms();
    t->pay_per_request = ppr;
    t->rcu = rcu;
    t->wcu = wcu;
    if (dp)
        t->deletion_protection = json_is_true(dp);
    if (ss) {
        json_decref(t->stream);
        t->stream = NULL;
        if (json_is_true(json_object_get(ss, "StreamEnabled"))) {
            t->stream = json_incref(ss);
            ddb_stream_label(t->stream_label, sizeof t->stream_label, rn_now_ms());
        }
    }
    const char *cls = json_string_value(json_object_get(c->in, "TableClass"));
    if (cls) {
        rn_free(t->table_class);
        t->table_class = rn_strdup(cls);
    }
    ddb_table_keep(d, t);
    json_t *desc = ddb_table_describe(d, t);
    json_object_set_new(desc, "TableStatus", json_string("UPDATING"));
    c->out = json_pack("{s:o}", "TableDescription", desc);
    return 0;
}

/* ---- time to live ---- */

static int update_ttl(ddb_t *d, rn_call_t *c)
{
    ddb_table_t *t = ddb_table_get(d, json_string_value(json_object_get(c->in, "TableName")));
    if (!t)
        return rn_call_fail(c, DDB_ERR_NOT_FOUND, "Requested resource not found");
    json_t *spec = json_object_get(c->in, "TimeToLiveSpecification");
    int on = json_is_true(json_object_get(spec, "Enabled"));
    const char *attr = json_string_value(json_object_get(spec, "AttributeName"));
    if (!attr || !*attr)
        return rn_call_fail(c, DDB_ERR_VALIDATION,
                            "1 validation error detected: Value null at 'timeToLiveSpecification.attributeName' failed "
                            "to satisfy constraint: Member must not be null");
    if (on && t->ttl_attr)
        return rn_call_fail(c, DDB_ERR_VALIDATION, "TimeToLive is already enabled");
    if (!on && !t->ttl_attr)
        return rn_call_fail(c, DDB_ERR_VALIDATION, "TimeToLive is already disabled");
    if (!on && strcmp(t->ttl_attr, attr))
        return rn_call_fail(c, DDB_ERR_VALIDATION,
                            "TimeToLive is active on a different AttributeName: current AttributeName is %s",
                            t->ttl_attr);
    rn_free(t->ttl_attr);
    t->ttl_attr = on ? rn_strdup(attr) : NULL;
    ddb_table_keep(d, t);
    c->out = json_pack("{s:{s:b,s:s}}", "TimeToLiveSpecification", "Enabled", on, "AttributeName", attr);
    return 0;
}

static int describe_ttl(ddb_t *d, rn_call_t *c)
{
    ddb_table_t *t = ddb_table_get(d, json_string_value(json_object_get(c->in, "TableName")));
    if (!t)
        return rn_call_fail(c, DDB_ERR_NOT_FOUND, "Requested resource not found");
    if (t->ttl_attr)
        c->out = json_pack("{s:{s:s,s:s}}", "TimeToLiveDescription", "TimeToLiveStatus", "ENABLED", "AttributeName",
                           t->ttl_attr);
    else
        c->out = json_pack("{s:{s:s}}", "TimeToLiveDescription", "TimeToLiveStatus", "DISABLED");
    return 0;
}

/* ---- tags ---- */

static ddb_table_t *table_by_arn(ddb_t *d, rn_call_t *c)
{
    const char *arn = json_string_value(json_object_get(c->in, "ResourceArn"));
    const char *slash = arn ? strstr(arn, ":table/") : NULL;
    char name[300] = "";
    if (slash) {
        snprintf(name, sizeof name, "%s", slash + 7);
        char *sub = strchr(name, '/');
        if (sub)
            *sub = '\0';
    }
    ddb_table_t *t = slash ? ddb_table_get(d, name) : NULL;
    if (!slash)
        rn_call_fail(c, DDB_ERR_VALIDATION, "Invalid TableArn: Invalid ResourceArn provided as input %s", arn ? arn : "");
    else if (!t)
        rn_call_fail(c, DDB_ERR_NOT_FOUND, "Requested resource not found: ResourcArn: %s not found", arn);
    return t;
}

static int tag_resource(ddb_t *d, rn_call_t *c)
{
    ddb_table_t *t = table_by_arn(d, c);
    if (!t)
        return c->err;
    add_tags(t, json_object_get(c->in, "Tags"));
    if (json_object_size(t->tags) > 50)
        return rn_call_fail(c, DDB_ERR_VALIDATION, "One or more parameter values were invalid: Too many tags");
    ddb_table_keep(d, t);
    c->out = json_object();
    return 0;
}

static int untag_resource(ddb_t *d, rn_call_t *c)
{
    ddb_table_t *t = table_by_arn(d, c);
    if (!t)
        return c->err;
    json_t *keys = json_object_get(c->in, "TagKeys");
    for (size_t i = 0; i < json_array_size(keys); i++)
        json_object_del(t->tags, json_string_value(json_array_get(keys, i)) ?: "");
    ddb_table_keep(d, t);
    c->out = json_object();
    return 0;
}

static int list_tags(ddb_t *d, rn_call_t *c)
{
    ddb_table_t *t = table_by_arn(d, c);
    if (!t)
        return c->err;
    json_t *arr = json_array();
    const char *k;
    json_t *v;
    json_object_foreach(t->tags, k, v) json_array_append_new(arr, json_pack("{s:s,s:O}", "Key", k, "Value", v));
    c->out = json_pack("{s:o}", "Tags", arr);
    return 0;
}

static int describe_endpoints(ddb_t *d, rn_call_t *c)
{
    (void)d;
    char host[300];
    const char *e = strstr(c->endpoint, "://");
    snprintf(host, sizeof host, "%s", e ? e + 3 : c->endpoint[0] ? c->endpoint : "localhost");
    c->out = json_pack("{s:[{s:s,s:i}]}", "Endpoints", "Address", host, "CachePeriodInMinutes", 1440);
    return 0;
}

int ddb_table_op(ddb_t *d, rn_call_t *c)
{
    const char *op = c->op;
    if (!strcmp(op, "CreateTable"))
        return create_table(d, c);
    if (!strcmp(op, "DescribeTable"))
        return describe_table(d, c);
    if (!strcmp(op, "DeleteTable"))
        return delete_table(d, c);
    if (!strcmp(op, "ListTables"))
        return list_tables(d, c);
    if (!strcmp(op, "UpdateTable"))
        return update_table(d, c);
    if (!strcmp(op, "UpdateTimeToLive"))
        return update_ttl(d, c);
    if (!strcmp(op, "DescribeTimeToLive"))
        return describe_ttl(d, c);
    if (!strcmp(op, "TagResource"))
        return tag_resource(d, c);
    if (!strcmp(op, "UntagResource"))
        return untag_resource(d, c);
    if (!strcmp(op, "ListTagsOfResource"))
        return list_tags(d, c);
    if (!strcmp(op, "DescribeEndpoints"))
        return describe_endpoints(d, c);
    if (!strcmp(op, "DescribeLimits")) {
        c->out = json_pack("{s:i,s:i,s:i,s:i}", "AccountMaxReadCapacityUnits", 80000, "AccountMaxWriteCapacityUnits",
                           80000, "TableMaxReadCapacityUnits", 40000, "TableMaxWriteCapacityUnits", 40000);
        return 0;
    }
    return 1; /* not a table operation */
}

/* ---- expiry ---- */

typedef struct sweep {
    ddb_t *d;
    ddb_table_t *t;
    int64_t now_s;
    int budget;
} sweep_t;

static int expire_one(void *ud, const char *key, const char *value)
{
    sweep_t *s = ud;
    if (s->budget-- <= 0)
        return 1;
    size_t size;
    json_t *item = ddb_record_item(value, &size);
    json_t *v = item ? json_object_get(item, s->t->ttl_attr) : NULL;
    const char *ty = v ? ddb_type(v) : NULL;
    if (ty && !strcmp(ty, "N")) {
        ddb_num_t n, now;
        char buf[32];
        snprintf(buf, sizeof buf, "%lld", (long long)s->now_s);
        ddb_num_parse(buf, strlen(buf), &now);
        /* AWS ignores values more than five years in the past */
        ddb_num_t floor;
        snprintf(buf, sizeof buf, "%lld", (long long)(s->now_s - 5LL * 365 * 86400));
        ddb_num_parse(buf, strlen(buf), &floor);
        if (ddb_value_num(v, &n) == 0 && ddb_num_cmp(&n, &now) < 0 && ddb_num_cmp(&n, &floor) > 0)
            ddb_item_write(s->d, s->t, key, item, size, NULL, 0);
    }
    json_decref(item);
    return 0;
}

void ddb_ttl_sweep(ddb_t *d)
{
    size_t i = 0;
    const char *k;
    void *v;
    while (rn_smap_next(&d->tables, &i, &k, &v)) {
        ddb_table_t *t = v;
        if (t->stream_label[0])
            ddb_stream_trim(d, t);
        if (!t->ttl_attr)
            continue;
        rn_buf_t from = {0}, to = {0};
        ddb_table_prefix(t, &from);
        ddb_table_prefix(t, &to);
        if (!from.oom && !to.oom) {
            to.data[to.len - 1]++;
            sweep_t s = {d, t, rn_now_ms() / 1000, 100000};
            ddb_scan_collect(d, "ddb.item#", from.data, to.data, expire_one, &s);
        }
        rn_buf_free(&from);
        rn_buf_free(&to);
    }
}
