/* SPDX-License-Identifier: MIT
 * What every item request shares: the substitution maps checked as AWS
 * checks them (in its order), expressions parsed against them with the
 * unused-name check, ConsumedCapacity, and the size arithmetic behind it. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "dynamodb/ddb_int.h"
#include "dynamodb/request.h"

static int key_ok(const char *k, char lead)
{
    if (k[0] != lead || !k[1])
        return 0;
    for (const char *p = k + 1; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_'))
            return 0;
    return 1;
}

int ddb_subst_init(rn_call_t *c, json_t *in, ddb_subst_t *s)
{
    memset(s, 0, sizeof *s);
    json_t *names = json_object_get(in, "ExpressionAttributeNames");
    json_t *values = json_object_get(in, "ExpressionAttributeValues");
    if (names && json_object_size(names) == 0)
        return rn_call_fail(c, DDB_ERR_VALIDATION, "ExpressionAttributeNames must not be empty");
    const char *k;
    json_t *v;
    json_object_foreach(names, k, v) {
        if (!key_ok(k, '#'))
            return rn_call_fail(c, DDB_ERR_VALIDATION,
                                "ExpressionAttributeNames contains invalid key: Syntax error; key: \"%s\"", k);
    }
    if (values && json_object_size(values) == 0)
        return rn_call_fail(c, DDB_ERR_VALIDATION, "ExpressionAttributeValues must not be empty");
    json_object_foreach(values, k, v) {
        if (!key_ok(k, ':'))
            return rn_call_fail(c, DDB_ERR_VALIDATION,
                                "ExpressionAttributeValues contains invalid key: Syntax error; key: \"%s\"", k);
        char msg[600];
        if (ddb_value_check(v, 1, msg, sizeof msg))
            return rn_call_fail(c, DDB_ERR_VALIDATION, "ExpressionAttributeValues contains invalid value: %s for key %s",
                                msg, k);
    }
    s->names = names;
    s->values = values;
    return 0;
}

int ddb_parse_member(rn_call_t *c, ddb_expr_t *e, ddb_subst_t *s, json_t *in, const char *member, ddb_node_t **out)
{
    json_t *x = json_object_get(in, member);
    *out = NULL;
    if (!x)
        return 0;
    char msg[1024];
    int rc = ddb_parse_condition(e, json_string_value(x) ? json_string_value(x) : "", member, s, out, msg, sizeof msg);
    return rc ? rn_call_fail(c, rc, "%s", msg) : 0;
}

int ddb_parse_projection_member(rn_call_t *c, ddb_expr_t *e, ddb_subst_t *s, json_t *in, ddb_path_t **out, int *n)
{
    json_t *x = json_object_get(in, "ProjectionExpression");
    *out = NULL;
    *n = 0;
    if (!x)
        return 0;
    char msg[1024];
    int rc = ddb_parse_projection(e, json_string_value(x) ? json_string_value(x) : "", s, out, n, msg, sizeof msg);
    return rc ? rn_call_fail(c, rc, "%s", msg) : 0;
}

int ddb_check_unused(rn_call_t *c, ddb_subst_t *s)
{
    char msg[1400];
    if (!s->used_names)
        s->used_names = json_object();
    if (!s->used_values)
        s->used_values = json_object();
    return ddb_subst_check_unused(s, msg, sizeof msg) ? rn_call_fail(c, DDB_ERR_VALIDATION, "%s", msg) : 0;
}

int ddb_mixed(rn_call_t *c, json_t *in, const char *const *legacy, const char *const *expr)
{
    char a[300] = "", b[300] = "";
    size_t na = 0, nb = 0;
    for (int i = 0; legacy[i]; i++)
        if (json_object_get(in, legacy[i]))
            na += (size_t)snprintf(a + na, sizeof a - na, "%s%s", na ? ", " : "", legacy[i]);
    for (int i = 0; expr[i]; i++)
        if (json_object_get(in, expr[i]))
            nb += (size_t)snprintf(b + nb, sizeof b - nb, "%s%s", nb ? ", " : "", expr[i]);
    if (na && nb)
        return rn_call_fail(c, DDB_ERR_VALIDATION,
                            "Can not use both expression and non-expression parameters in the same request: "
                            "Non-expression parameters: {%s} Expression parameters: {%s}",
                            a, b);
    return 0;
}

double ddb_read_units(size_t bytes, int consistent)
{
    double u = bytes ? ceil((double)bytes / 4096.0) : 1;
    return consistent ? u : u / 2;
}

double ddb_write_units(size_t bytes)
{
    return bytes ? ceil((double)bytes / 1024.0) : 1;
}

json_t *ddb_consumed(const rn_call_t *c, const char *table, double units, int read)
{
    (void)read;
    const char *rc = json_string_value(json_object_get(c->in, "ReturnConsumedCapacity"));
    if (!rc || !strcmp(rc, "NONE"))
        return NULL;
    json_t *o = json_pack("{s:s,s:f}", "TableName", table, "CapacityUnits", units);
    if (!strcmp(rc, "INDEXES"))
        json_object_set_new(o, "Table", json_pack("{s:f}", "CapacityUnits", units));
    return o;
}

void ddb_add_consumed(rn_call_t *c, const char *table, double units, int read)
{
    json_t *cc = ddb_consumed(c, table, units, read);
    if (cc)
        json_object_set_new(c->out, "ConsumedCapacity", cc);
}

int ddb_check_index_types(rn_call_t *c, const ddb_table_t *t, const json_t *item)
{
    for (size_t i = 0; i < t->nidx; i++) {
        const ddb_index_t *ix = &t->idx[i];
        const char *names[2] = {ix->keys.hash, ix->keys.range};
        char types[2] = {ix->keys.htype, ix->keys.rtype};
        for (int k = 0; k < 2; k++) {
            json_t *v = names[k] ? json_object_get(item, names[k]) : NULL;
            const char *ty = v ? ddb_type(v) : NULL;
            if (!v)
                continue;
            if (!ty || ty[1] || ty[0] != types[k])
                return rn_call_fail(c, DDB_ERR_VALIDATION,
                                    "One or more parameter values were invalid: Type mismatch for Index Key %s Expected: "
                                    "%c Actual: %s IndexName: %s",
                                    names[k], types[k], ty ? ty : "?", ix->name);
            if (types[k] != 'N' && json_string_length(ddb_inner(v)) == 0)
                return rn_call_fail(c, DDB_ERR_VALIDATION,
                                    "One or more parameter values are not valid. A value specified for a secondary "
                                    "index key is not supported. The AttributeValue for a key attribute cannot contain "
                                    "an empty string value. IndexName: %s, IndexKey: %s",
                                    ix->name, names[k]);
        }
    }
    return 0;
}

int ddb_projection_keys_check(rn_call_t *c, const ddb_table_t *t, const ddb_path_t *p, int n)
{
    for (int i = 0; i < n; i++) {
        const char *top = p[i].el[0].name;
        if (p[i].n > 1 && top && (!strcmp(top, t->keys.hash) || (t->keys.range && !strcmp(top, t->keys.range))))
            return rn_call_fail(c, DDB_ERR_VALIDATION,
                                "Key attributes must be scalars; list random access '[]' and map lookup '.' are not "
                                "allowed: Key: %s",
                                top);
    }
    return 0;
}

void ddb_add_collection_metrics(rn_call_t *c, const ddb_table_t *t, const json_t *item)
{
    const char *rm = json_string_value(json_object_get(c->in, "ReturnItemCollectionMetrics"));
    int lsi = 0;
    for (size_t i = 0; i < t->nidx; i++)
        lsi |= !t->idx[i].global;
    if (!rm || strcmp(rm, "SIZE") || !lsi || !item)
        return;
    json_object_set_new(c->out, "ItemCollectionMetrics",
                        json_pack("{s:{s:O},s:[f,f]}", "ItemCollectionKey", t->keys.hash,
                                  json_object_get(item, t->keys.hash), "SizeEstimateRangeGB", 0.0, 1.0));
}
