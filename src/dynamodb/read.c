/* SPDX-License-Identifier: MIT
 * Query and Scan: a key range of a table or index read through the store in
 * key order (either direction), pages of at most Limit evaluated items and
 * 1 MB, FilterExpression applied after the count of evaluated items, Select,
 * projections, ExclusiveStartKey/LastEvaluatedKey, parallel scan segments. */
#include <stdio.h>
#include <string.h>

#include "core/json_out.h"
#include "core/mem.h"
#include "dynamodb/ddb_int.h"
#include "dynamodb/legacy.h"
#include "dynamodb/request.h"

typedef struct rd {
    ddb_t *d;
    rn_call_t *c;
    ddb_table_t *t;
    const ddb_index_t *ix;
    ddb_node_t *filter;
    ddb_path_t *proj;
    int nproj;
    int count_only, fetch_table; /* Select COUNT; ALL_ATTRIBUTES through an LSI */
    int64_t limit;
    int segment, segments;
    /* results */
    json_t *items;
    int64_t count, scanned;
    size_t bytes;
    json_t *last; /* the last evaluated item's keys */
    int raw;            /* items pass through as stored (no filter, projection or segments) */
    json_t *last_raw;   /* the fast path's last item, for LastEvaluatedKey */
    int stop_full;
    int err;
} rd_t;

/* The key attributes LastEvaluatedKey carries for item. */
static json_t *key_of(const rd_t *r, const json_t *item)
{
    json_t *k = json_object();
    const char *names[4] = {r->t->keys.hash, r->t->keys.range, r->ix ? r->ix->keys.hash : NULL,
                            r->ix ? r->ix->keys.range : NULL};
    for (int i = 0; i < 4; i++)
        if (names[i] && json_object_get(item, names[i]))
            json_object_set(k, names[i], json_object_get(item, names[i]));
    return k;
}

static uint32_t hash_of(const json_t *v)
{
    const char *s = json_string_value(ddb_inner(v));
    uint32_t h = 2166136261u;
    for (; s && *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

/* The fast path: every item as stored, passed through without being parsed. */
static int visit_raw(rd_t *r, const char *text, size_t sz)
{
    r->scanned++;
    r->count++;
    r->bytes += sz;
    json_t *node = rn_json_raw(text, strlen(text));
    if (!node) {
        r->err = rn_call_fail(r->c, RN_ERR_NOMEM, "Out of memory");
        return 1;
    }
    json_decref(r->last_raw);
    r->last_raw = json_incref(node);
    if (!r->count_only)
        json_array_append(r->items, node);
    json_decref(node);
    if ((r->limit && r->scanned >= r->limit) || r->bytes >= DDB_PAGE_BYTES) {
        r->stop_full = 1;
        return 1;
    }
    return 0;
}

static int visit(void *ud, const char *key, const char *value)
{
    (void)key;
    rd_t *r = ud;
    size_t sz;
    const char *text = ddb_record_split(value, &sz);
    if (r->raw)
        return visit_raw(r, text, sz);
    json_t *item = json_loads(text, 0, NULL);
    if (!item)
        return 0;
    if (r->segments > 1 && hash_of(json_object_get(item, r->t->keys.hash)) % (uint32_t)r->segments != (uint32_t)r->segment) {
        json_decref(item);
        return 0;
    }
    if (r->fetch_table) { /* an LSI entry without every attribute: the table's item */
        rn_buf_t k = {0};
        char msg[256];
        if (ddb_item_key(r->t, item, 0, &k, msg, sizeof msg) == 0) {
            int err;
            size_t fsz;
            json_t *full = ddb_item_read(r->d, k.data, &fsz, &err);
            if (full) {
                json_decref(item);
                item = full;
                sz = fsz;
            }
        }
        rn_buf_free(&k);
    }
    r->scanned++;
    r->bytes += sz;
    json_decref(r->last);
    r->last = key_of(r, item);
    int keep = 1;
    if (r->filter) {
        char msg[1024];
        keep = ddb_eval(r->filter, item, "FilterExpression", msg, sizeof msg);
        if (keep < 0) {
            r->err = rn_call_fail(r->c, keep, "%s", msg);
            json_decref(item);
            return 1;
        }
    }
    if (keep) {
        r->count++;
        if (!r->count_only)
            json_array_append_new(r->items, r->proj ? ddb_project(item, r->proj, r->nproj) : json_incref(item));
    }
    json_decref(item);
    if ((r->limit && r->scanned >= r->limit) || r->bytes >= DDB_PAGE_BYTES) {
        r->stop_full = 1;
        return 1;
    }
    return 0;
}

static void bump(rn_buf_t *b)
{
    if (b->len && !b->oom && (unsigned char)b->data[b->len - 1] < 0xff)
        b->data[b->len - 1]++;
}

/* ---- the shared parameters ---- */

static int select_check(rn_call_t *c, rd_t *r, int query)
{
    const char *sel = json_string_value(json_object_get(c->in, "Select"));
    int has_proj = json_object_get(c->in, "ProjectionExpression") || json_object_get(c->in, "AttributesToGet");
    const char *pre = query ? "1 validation error detected: " : "";
    const char *which = json_object_get(c->in, "AttributesToGet") ? "AttributesToGet" : "ProjectionExpression";
    if (!sel)
        return 0;
    if (strcmp(sel, "ALL_ATTRIBUTES") && strcmp(sel, "ALL_PROJECTED_ATTRIBUTES") && strcmp(sel, "COUNT") &&
        strcmp(sel, "SPECIFIC_ATTRIBUTES"))
        return rn_call_fail(c, DDB_ERR_VALIDATION,
                            "1 validation error detected: Value '%s' at 'select' failed to satisfy constraint: Member "
                            "must satisfy enum value set: [SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, "
                            "ALL_PROJECTED_ATTRIBUTES]",
                            sel);
    if (!strcmp(sel, "SPECIFIC_ATTRIBUTES")) {
        if (!has_proj)
            return rn_call_fail(c, DDB_ERR_VALIDATION,
                                "%sMust specify the AttributesToGet or ProjectionExpression when choosing to get "
                                "SPECIFIC_ATTRIBUTES",
                                pre);
        return 0;
    }
    if (has_proj)
        return rn_call_fail(c, DDB_ERR_VALIDATION, "%sCannot specify the %s when choosing to get %s", pre, which,
                            !strcmp(sel, "COUNT") ? "only the Count" : sel);
    if (!strcmp(sel, "ALL_PROJECTED_ATTRIBUTES") && !json_object_get(c->in, "IndexName"))
        return rn_call_fail(c, DDB_ERR_VALIDATION,
                            "%sALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName", pre);
    r->count_only = !strcmp(sel, "COUNT");
    return 0;
}

static int common(ddb_t *d, rn_call_t *c, rd_t *r, ddb_expr_t *e, ddb_subst_t *s, int query)
{
    memset(r, 0, sizeof *r);
    r->d = d;
    r->c = c;
    json_t *lim = json_object_get(c->in, "Limit");
    if (lim && json_integer_value(lim) < 1)
        return rn_call_fail(c, DDB_ERR_VALIDATION,
                            query ? "1 validation error detected: Value at 'Limit' failed to satisfy constraint: Member "
                                    "must have value greater than or equal to 1"
                                  : "1 validation error detected: Value '%lld' at 'limit' failed to satisfy constraint: "
                                    "Member must have value greater than or equal to 1",
                            (long long)json_integer_value(lim));
    r->limit = lim ? json_integer_value(lim) : 0;
    int rc = select_check(c, r, query);
    if (rc)
        return rc;
    rc = ddb_subst_init(c, c->in, s);
    (void)e;
    return rc;
}

static int finish(rd_t *r)
{
    rn_call_t *c = r->c;
    if (r->err)
        return r->err;
    if (r->raw && r->stop_full && r->last_raw) {
        json_t *item = json_loads(json_string_value(r->last_raw) + 1, 0, NULL);
        if (item)
            r->last = key_of(r, item);
        json_decref(item);
    }
    c->out = json_pack("{s:I,s:I}", "Count", (json_int_t)r->count, "ScannedCount", (json_int_t)r->scanned);
    if (!r->count_only)
        json_object_set(c->out, "Items", r->items);
    if (r->stop_full && r->last)
        json_object_set(c->out, "LastEvaluatedKey", r->last);
    int consistent = json_is_true(json_object_get(c->in, "ConsistentRead"));
    ddb_add_consumed(c, r->t->name, ddb_read_units(r->bytes, consistent), 1);
    return 0;
}

static void rd_free(rd_t *r)
{
    json_decref(r->items);
    json_decref(r->last);
    json_decref(r->last_raw);
}

/* Index lookup and the checks that come with it. */
static int pick_index(rd_t *r)
{
    rn_call_t *c = r->c;
    const char *iname = json_string_value(json_object_get(c->in, "IndexName"));
    if (!iname)
        return 0;
    r->ix = ddb_index_get(r->t, iname);
    if (!r->ix)
        return rn_call_fail(c, DDB_ERR_VALIDATION, "The table does not have the specified index: %s", iname);
    if (r->ix->global && json_is_true(json_object_get(c->in, "ConsistentRead")))
        return rn_call_fail(c, DDB_ERR_VALIDATION, "Consistent reads are not supported on global secondary indexes");
    const char *sel = json_string_value(json_object_get(c->in, "Select"));
    if (sel && !strcmp(sel, "ALL_ATTRIBUTES") && r->ix->proj != DDB_PROJ_ALL) {
        if (r->ix->global)
            return rn_call_fail(c, DDB_ERR_VALIDATION,
                                "One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported "
                                "for global secondary index %s because its projection type is not ALL",
                                iname);
        r->fetch_table = 1;
    }
    return 0;
}

/* After the filter: the projection, the unused-substitution check, the
 * table and the index, in AWS's order. */
static int resolve(rd_t *r, ddb_expr_t *e, ddb_subst_t *s)
{
    rn_call_t *c = r->c;
    int rc = ddb_parse_projection_member(c, e, s, c->in, &r->proj, &r->nproj);
    if (!rc)
        rc = ddb_check_unused(c, s);
    if (!rc && !(r->t = ddb_table_for(r->d, c, "TableName")))
        rc = c->err;
    return rc ? rc : pick_index(r);
}

/* The legacy filter (QueryFilter, ScanFilter) and AttributesToGet, when no
 * expression took their place. */
static int legacy_params(rd_t *r, ddb_expr_t *e, const char *filter)
{
    int rc = r->filter ? 0 : ddb_legacy_filter(r->c, e, r->c->in, filter, &r->filter);
    if (!rc && !r->proj)
        rc = ddb_legacy_attributes_to_get(r->c, e, r->c->in, &r->proj, &r->nproj);
    return rc;
}

/* The store key ExclusiveStartKey names, or -1 with the call failed. */
static int start_key(rd_t *r, rn_buf_t *out)
{
    json_t *esk = json_object_get(r->c->in, "ExclusiveStartKey");
    if (!esk)
        return 0;
    char msg[1024];
    if (ddb_item_check(esk, msg, sizeof msg)) {
        rn_call_fail(r->c, DDB_ERR_VALIDATION, "The provided starting key is invalid: %s", msg);
        return -1;
    }
    rn_buf_t k = {0};
    int bad = ddb_item_key(r->t, esk, 0, &k, msg, sizeof msg) < 0;
    rn_buf_free(&k);
    if (!bad && r->ix)
        bad = ddb_index_key(r->t, r->ix, esk, out) < 0;
    else if (!bad)
        bad = ddb_item_key(r->t, esk, 0, out, msg, sizeof msg) < 0;
    size_t want = 1 + (r->t->keys.range != NULL);
    if (r->ix)
        want += (strcmp(r->ix->keys.hash, r->t->keys.hash) && (!r->t->keys.range || strcmp(r->ix->keys.hash, r->t->keys.range))) +
                (r->ix->keys.range && strcmp(r->ix->keys.range, r->t->keys.hash) &&
                 (!r->t->keys.range || strcmp(r->ix->keys.range, r->t->keys.range)));
    if (bad || json_object_size(esk) != want) {
        rn_call_fail(r->c, DDB_ERR_VALIDATION, "The provided starting key is invalid: The provided key element does not match the schema");
        return -1;
    }
    return 1;
}

/* Reads [from, to) forward or backward, resuming after esk when it is set. */
static int run_from(rd_t *r, rn_buf_t *from, rn_buf_t *to, int forward, rn_buf_t *esk)
{
    const char *ns = r->ix ? "ddb.idx#" : "ddb.item#";
    r->items = json_array();
    r->raw = !r->filter && !r->proj && !r->fetch_table && r->segments <= 1;
    if (esk && esk->len) {
        if (forward) {
            rn_buf_add(esk, "\x01", 1);
            if (strcmp(esk->data, from->data) > 0) {
                rn_buf_free(from);
                *from = *esk;
                memset(esk, 0, sizeof *esk);
            }
        } else if (strcmp(esk->data, to->data) < 0) {
            rn_buf_free(to);
            *to = *esk;
            memset(esk, 0, sizeof *esk);
        }
    }
    if (from->oom || to->oom)
        return rn_call_fail(r->c, RN_ERR_NOMEM, "out of memory");
    if (strcmp(from->data, to->data) >= 0)
        return 0;
    int rc = forward ? rn_store_kv_scan(r->d->env.store, ns, from->data, to->data, visit, r)
                     : rn_store_kv_rscan(r->d->env.store, ns, from->data, to->data, visit, r);
    if (rc < 0)
        return rn_call_fail(r->c, RN_ERR_INTERNAL, "The table could not be read");
    return r->err;
}

/* Reads [from, to) forward or backward, after ExclusiveStartKey when given,
 * and makes the answer. */
static int run(rd_t *r, rn_buf_t *from, rn_buf_t *to, int forward)
{
    rn_buf_t esk = {0};
    int rc = start_key(r, &esk) < 0 ? r->c->err : run_from(r, from, to, forward, &esk);
    rn_buf_free(&esk);
    return rc ? rc : finish(r);
}

/* ---- Query ---- */

typedef struct keycond {
    const json_t *hash;          /* the hash key's value */
    int op;                      /* the range condition: CMP_*, or -1 none, 10 between, 11 begins_with */
    const json_t *v1, *v2;
} keycond_t;

static int key_name(const ddb_node_t *x, const char **name)
{
    if (x->kind != DN_PATH)
        return 0;
    if (x->path.n != 1 || !x->path.el[0].name)
        return -1;
    *name = x->path.el[0].name;
    return 1;
}

#define KCE "Invalid KeyConditionExpression: "

static int one_cond(rd_t *r, const ddb_node_t *x, const char *hk, const char *rk, keycond_t *kc, int *seen_h,
                    int *seen_r)
{
    rn_call_t *c = r->c;
    const char *name = NULL;
    const json_t *v1 = NULL, *v2 = NULL;
    int op;
    if (x->kind == DN_CMP) {
        static const char *const ops[] = {"=", "<>", "<", "<=", ">", ">="};
        if (x->op == CMP_NE)
            return rn_call_fail(c, DDB_ERR_VALIDATION, KCE "Invalid operator used in KeyConditionExpression: %s", ops[x->op]);
        int a = key_name(x->kid[0], &name), b = 0;
        const ddb_node_t *val = x->kid[1];
        op = x->op;
        if (a == 0) { /* :v op key: flip */
            b = key_name(x->kid[1], &name);
            val = x->kid[0];
            static const int flip[] = {CMP_EQ, CMP_NE, CMP_GT, CMP_GE, CMP_LT, CMP_LE};
            op = flip[x->op];
        }
        if (a < 0 || b < 0)
            return rn_call_fail(c, DDB_ERR_VALIDATION, "KeyConditionExpressions cannot have conditions on nested attributes");
        if (x->kid[0]->kind == DN_FUNC || x->kid[1]->kind == DN_FUNC)
            return rn_call_fail(c, DDB_ERR_VALIDATION, "KeyConditionExpressions cannot contain nested operations");
        if (!name)
            return rn_call_fail(c, DDB_ERR_VALIDATION, KCE "Invalid condition in KeyConditionExpression: No key attribute specified");
        if (val->kind != DN_VALUE)
            return rn_call_fail(c, DDB_ERR_VALIDATION,
                                KCE "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition");
        v1 = val->value;
    } else if (x->kind == DN_BETWEEN) {
        int a = key_name(x->kid[0], &name);
        if (a <= 0)
            return rn_call_fail(c, DDB_ERR_VALIDATION,
                                KCE "Invalid condition in KeyConditionExpression: BETWEEN operator must have the key attribute as its first operand");
        if (x->kid[1]->kind != DN_VALUE || x->kid[2]->kind != DN_VALUE)
            return rn_call_fail(c, DDB_ERR_VALIDATION,
                                KCE "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition");
        op = 10;
        v1 = x->kid[1]->value;
        v2 = x->kid[2]->value;
    } else if (x->kind == DN_FUNC && !strcmp(x->fn, "begins_with")) {
        int a = key_name(x->kid[0], &name);
        if (a <= 0)
            return rn_call_fail(c, DDB_ERR_VALIDATION,
                                KCE "Invalid condition in KeyConditionExpression: begins_with operator must have the key attribute as its first operand");
        if (x->kid[1]->kind != DN_VALUE)
            return rn_call_fail(c, DDB_ERR_VALIDATION,
                                KCE "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition");
        op = 11;
        v1 = x->kid[1]->value;
    } else {
        const char *what = x->kind == DN_OR ? "OR" : x->kind == DN_NOT ? "NOT" : x->kind == DN_IN ? "IN" : x->kind == DN_FUNC ? x->fn : "?";
        return rn_call_fail(c, DDB_ERR_VALIDATION, KCE "Invalid operator used in KeyConditionExpression: %s", what);
    }
    if (!strcmp(name, hk)) {
        if (op != CMP_EQ)
            return rn_call_fail(c, DDB_ERR_VALIDATION, "Query key condition not supported");
        if ((*seen_h)++)
            return rn_call_fail(c, DDB_ERR_VALIDATION, "KeyConditionExpressions must only contain one condition per key");
        kc->hash = v1;
        return 0;
    }
    if (rk && !strcmp(name, rk)) {
        if ((*seen_r)++)
            return rn_call_fail(c, DDB_ERR_VALIDATION, "KeyConditionExpressions must only contain one condition per key");
        kc->op = op;
        kc->v1 = v1;
        kc->v2 = v2;
        return 0;
    }
    return rn_call_fail(c, DDB_ERR_VALIDATION, "Query condition missed key schema element: %s", rk && *seen_h ? rk : hk);
}

static int key_conditions(rd_t *r, const ddb_node_t *x, keycond_t *kc)
{
    const ddb_keys_t *k = r->ix ? &r->ix->keys : &r->t->keys;
    int seen_h = 0, seen_r = 0, rc;
    kc->op = -1;
    if (x->kind == DN_AND) {
        const ddb_node_t *a = x->kid[0], *b = x->kid[1];
        if (a->kind == DN_AND || b->kind == DN_AND)
            return rn_call_fail(r->c, DDB_ERR_VALIDATION, "Conditions can be of length 1 or 2 only");
        if ((rc = one_cond(r, a, k->hash, k->range, kc, &seen_h, &seen_r)) ||
            (rc = one_cond(r, b, k->hash, k->range, kc, &seen_h, &seen_r)))
            return rc;
    } else if ((rc = one_cond(r, x, k->hash, k->range, kc, &seen_h, &seen_r))) {
        return rc;
    }
    if (!seen_h)
        return rn_call_fail(r->c, DDB_ERR_VALIDATION, "Query condition missed key schema element: %s", k->hash);
    /* the values' types against the schema */
    const json_t *vals[3] = {kc->hash, kc->v1, kc->v2};
    char types[3] = {k->htype, k->rtype, k->rtype};
    for (int i = 0; i < 3; i++) {
        const char *t = vals[i] ? ddb_type(vals[i]) : NULL;
        if (vals[i] && (!t || t[1] || t[0] != types[i]))
            return rn_call_fail(r->c, DDB_ERR_VALIDATION,
                                "One or more parameter values were invalid: Condition parameter type does not match "
                                "schema type");
    }
    if (kc->op == 10 && ddb_value_cmp(kc->v1, kc->v2) > 0)
        return rn_call_fail(r->c, DDB_ERR_VALIDATION,
                            KCE "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; "
                                "lower bound operand: AttributeValue: {%s:%s}, upper bound operand: AttributeValue: "
                                "{%s:%s}",
                            ddb_type(kc->v1), json_string_value(ddb_inner(kc->v1)), ddb_type(kc->v2),
                            json_string_value(ddb_inner(kc->v2)));
    return 0;
}

/* The escaped bytes of a begins_with prefix: the key encoding without its terminator. */
static void prefix_bytes(rn_buf_t *b, const json_t *v)
{
    size_t before = b->len;
    ddb_key_encode(b, v);
    if (!b->oom && b->len >= before + 2) {
        b->len -= 2;
        b->data[b->len] = '\0';
    }
}

int ddb_query(ddb_t *d, rn_call_t *c)
{
    static const char *const legacy[] = {"AttributesToGet", "QueryFilter", "ConditionalOperator", "KeyConditions", NULL};
    static const char *const expr[] = {"ProjectionExpression", "FilterExpression", "KeyConditionExpression", NULL};
    rd_t r = {0};
    ddb_subst_t s = {0};
    ddb_expr_t *e = ddb_expr_new();
    int rc = e ? ddb_mixed(c, c->in, legacy, expr) : RN_ERR_NOMEM;
    if (!rc && !json_object_get(c->in, "KeyConditionExpression") && !json_object_get(c->in, "KeyConditions"))
        rc = rn_call_fail(c, DDB_ERR_VALIDATION,
                          "Either the KeyConditions or KeyConditionExpression parameter must be specified in the "
                          "request.");
    if (!rc)
        rc = common(d, c, &r, e, &s, 1);
    ddb_node_t *kce = NULL;
    if (!rc)
        rc = ddb_parse_member(c, e, &s, c->in, "KeyConditionExpression", &kce);
    if (!rc)
        rc = ddb_parse_member(c, e, &s, c->in, "FilterExpression", &r.filter);
    if (!rc)
        rc = resolve(&r, e, &s);
    if (!rc && !kce)
        rc = ddb_legacy_key_conditions(c, e, c->in, r.ix ? &r.ix->keys : &r.t->keys, &kce);
    if (!rc)
        rc = legacy_params(&r, e, "QueryFilter");
    keycond_t kc = {0};
    if (!rc)
        rc = key_conditions(&r, kce, &kc);
    if (!rc) {
        rn_buf_t p = {0}, from = {0}, to = {0};
        if (r.ix)
            ddb_index_prefix(r.t, r.ix, &p);
        else
            ddb_table_prefix(r.t, &p);
        ddb_key_encode(&p, kc.hash);
        rn_buf_add(&from, p.data, p.len);
        rn_buf_add(&to, p.data, p.len);
        switch (kc.op) {
        case CMP_EQ:
            ddb_key_encode(&from, kc.v1);
            ddb_key_encode(&to, kc.v1);
            bump(&to);
            break;
        case CMP_LT:
            ddb_key_encode(&to, kc.v1);
            break;
        case CMP_LE:
            ddb_key_encode(&to, kc.v1);
            bump(&to);
            break;
        case CMP_GT:
            ddb_key_encode(&from, kc.v1);
            bump(&from);
            bump(&to);
            break;
        case CMP_GE:
            ddb_key_encode(&from, kc.v1);
            bump(&to);
            break;
        case 10:
            ddb_key_encode(&from, kc.v1);
            ddb_key_encode(&to, kc.v2);
            bump(&to);
            break;
        case 11:
            prefix_bytes(&from, kc.v1);
            prefix_bytes(&to, kc.v1);
            bump(&to);
            break;
        default:
            bump(&to);
        }
        json_t *fwd = json_object_get(c->in, "ScanIndexForward");
        rc = run(&r, &from, &to, !fwd || json_is_true(fwd));
        rn_buf_free(&p);
        rn_buf_free(&from);
        rn_buf_free(&to);
    }
    if (r.d)
        rd_free(&r);
    ddb_subst_free(&s);
    ddb_expr_free(e);
    return rc;
}

/* ---- Scan ---- */

int ddb_scan(ddb_t *d, rn_call_t *c)
{
    static const char *const legacy[] = {"AttributesToGet", "ScanFilter", "ConditionalOperator", NULL};
    static const char *const expr[] = {"ProjectionExpression", "FilterExpression", NULL};
    rd_t r = {0};
    ddb_subst_t s = {0};
    ddb_expr_t *e = ddb_expr_new();
    int rc = e ? ddb_mixed(c, c->in, legacy, expr) : RN_ERR_NOMEM;
    json_t *seg = json_object_get(c->in, "Segment"), *tot = json_object_get(c->in, "TotalSegments");
    if (!rc && seg && !tot)
        rc = rn_call_fail(c, DDB_ERR_VALIDATION,
                          "The TotalSegments parameter is required but was not present in the request when Segment "
                          "parameter is present");
    if (!rc && tot && !seg)
        rc = rn_call_fail(c, DDB_ERR_VALIDATION,
                          "The Segment parameter is required but was not present in the request when parameter "
                          "TotalSegments is present");
    if (!rc && tot && (json_integer_value(tot) < 1 || json_integer_value(tot) > 1000000))
        rc = rn_call_fail(c, DDB_ERR_VALIDATION,
                          "1 validation error detected: Value '%lld' at 'totalSegments' failed to satisfy constraint: "
                          "Member must have value %s",
                          (long long)json_integer_value(tot),
                          json_integer_value(tot) < 1 ? "greater than or equal to 1" : "less than or equal to 1000000");
    if (!rc && seg && json_integer_value(seg) < 0)
        rc = rn_call_fail(c, DDB_ERR_VALIDATION,
                          "1 validation error detected: Value '%lld' at 'segment' failed to satisfy constraint: Member "
                          "must have value greater than or equal to 0",
                          (long long)json_integer_value(seg));
    if (!rc && seg && json_integer_value(seg) >= json_integer_value(tot))
        rc = rn_call_fail(c, DDB_ERR_VALIDATION,
                          "The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: "
                          "%lld is not less than TotalSegments: %lld",
                          (long long)json_integer_value(seg), (long long)json_integer_value(tot));
    if (!rc)
        rc = common(d, c, &r, e, &s, 0);
    if (!rc) {
        r.segment = (int)json_integer_value(seg);
        r.segments = tot ? (int)json_integer_value(tot) : 1;
        rc = ddb_parse_member(c, e, &s, c->in, "FilterExpression", &r.filter);
    }
    if (!rc)
        rc = resolve(&r, e, &s);
    if (!rc)
        rc = legacy_params(&r, e, "ScanFilter");
    if (!rc) {
        rn_buf_t from = {0}, to = {0};
        if (r.ix) {
            ddb_index_prefix(r.t, r.ix, &from);
            ddb_index_prefix(r.t, r.ix, &to);
        } else {
            ddb_table_prefix(r.t, &from);
            ddb_table_prefix(r.t, &to);
        }
        bump(&to);
        rc = run(&r, &from, &to, 1);
        rn_buf_free(&from);
        rn_buf_free(&to);
    }
    if (r.d)
        rd_free(&r);
    ddb_subst_free(&s);
    ddb_expr_free(e);
    return rc;
}
