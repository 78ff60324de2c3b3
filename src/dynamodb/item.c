/* SPDX-License-Identifier: MIT
 * PutItem, GetItem, DeleteItem and UpdateItem: validated in AWS's order
 * (parameters, substitutions, expressions, unused names, the table, the
 * key), the condition evaluated on the item as stored, and the write queued
 * in the store (the reply waits for it to be durable). */
#include <stdio.h>
#include <string.h>

#include "core/json_out.h"
#include "core/mem.h"
#include "dynamodb/ddb_int.h"
#include "dynamodb/legacy.h"
#include "dynamodb/request.h"

typedef struct req {
    ddb_t *d;
    rn_call_t *c;
    ddb_expr_t *e;
    ddb_subst_t s;
    ddb_node_t *cond;
    ddb_path_t *proj;
    int nproj;
    ddb_table_t *t;
} req_t;

static void req_done(req_t *r)
{
    ddb_subst_free(&r->s);
    ddb_expr_free(r->e);
}

static int rv_check(rn_call_t *c, int update)
{
    const char *rv = json_string_value(json_object_get(c->in, "ReturnValues"));
    if (!rv || !strcmp(rv, "NONE") || !strcmp(rv, "ALL_OLD"))
        return 0;
    static const char *const more[] = {"UPDATED_OLD", "ALL_NEW", "UPDATED_NEW", NULL};
    int known = 0;
    for (int i = 0; more[i]; i++)
        known |= !strcmp(rv, more[i]);
    if (!known)
        return rn_call_fail(c, DDB_ERR_VALIDATION,
                            "1 validation error detected: Value '%s' at 'returnValues' failed to satisfy constraint: "
                            "Member must satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]",
                            rv);
    if (!update)
        return rn_call_fail(c, DDB_ERR_VALIDATION, "ReturnValues can only be ALL_OLD or NONE");
    return 0;
}

/* The shared front half: substitutions, the condition, the projection, the
 * unused check, then the table. */
static int front(req_t *r, ddb_t *d, rn_call_t *c, const char *cond_member, int projection)
{
    memset(r, 0, sizeof *r);
    r->d = d;
    r->c = c;
    r->e = ddb_expr_new();
    if (!r->e)
        return RN_ERR_NOMEM;
    int rc = ddb_subst_init(c, c->in, &r->s);
    if (!rc && cond_member)
        rc = ddb_parse_member(c, r->e, &r->s, c->in, cond_member, &r->cond);
    if (!rc && projection)
        rc = ddb_parse_projection_member(c, r->e, &r->s, c->in, &r->proj, &r->nproj);
    return rc;
}

static int back(req_t *r)
{
    int rc = ddb_check_unused(r->c, &r->s);
    if (!rc && !(r->t = ddb_table_for(r->d, r->c, "TableName")))
        rc = r->c->err;
    return rc;
}

/* The request's Key checked and turned into its store key. */
static int key_of(req_t *r, json_t *keyv, rn_buf_t *key)
{
    char msg[1024];
    if (!json_is_object(keyv))
        return rn_call_fail(r->c, DDB_ERR_VALIDATION, "The provided key element does not match the schema");
    if (ddb_item_check(keyv, msg, sizeof msg) || ddb_item_key(r->t, keyv, 1, key, msg, sizeof msg) < 0)
        return rn_call_fail(r->c, DDB_ERR_VALIDATION, "%s", msg);
    return 0;
}

/* The stored item at key into *old and its size into *size: 0, or the call's failure. */
static int read_old(req_t *r, const char *key, json_t **old, size_t *size)
{
    int err = 0;
    *size = 0;
    *old = ddb_item_read(r->d, key, size, &err);
    return err ? rn_call_fail(r->c, RN_ERR_INTERNAL, "The item could not be read") : 0;
}

/* The table, the request's Key as a store key, and the item stored there
 * (for DeleteItem and UpdateItem). */
static int target(req_t *r, rn_buf_t *key, json_t **old, size_t *osz)
{
    int rc = back(r);
    if (!rc)
        rc = key_of(r, json_object_get(r->c->in, "Key"), key);
    return rc ? rc : read_old(r, key->data, old, osz);
}

/* The condition (expression or legacy Expected) on the stored item: 0 when it
 * holds, else the call's failure (ConditionalCheckFailed with the item when
 * asked). */
static int check_condition(req_t *r, const json_t *old)
{
    if (!r->cond)
        return 0;
    char msg[1024];
    int ok = ddb_eval(r->cond, old, "ConditionExpression", msg, sizeof msg);
    if (ok < 0)
        return rn_call_fail(r->c, ok, "%s", msg);
    if (ok)
        return 0;
    const char *rv = json_string_value(json_object_get(r->c->in, "ReturnValuesOnConditionCheckFailure"));
    rn_call_fail(r->c, DDB_ERR_CONDITION_FAILED, "The conditional request failed");
    if (rv && !strcmp(rv, "ALL_OLD") && old)
        r->c->err_fields = json_pack("{s:O}", "Item", old);
    return r->c->err;
}

/* Expression-only parameters given without their expression. */
static int orphans(rn_call_t *c, const char *values_msg, int any_expr)
{
    if (json_object_get(c->in, "ExpressionAttributeNames") && !any_expr)
        return rn_call_fail(c, DDB_ERR_VALIDATION, "ExpressionAttributeNames can only be specified when using expressions");
    if (json_object_get(c->in, "ExpressionAttributeValues") && values_msg)
        return rn_call_fail(c, DDB_ERR_VALIDATION, "ExpressionAttributeValues can only be specified when using expressions: %s",
                            values_msg);
    return 0;
}

/* The checks of a write's parameters before its expressions: legacy and
 * expression parameters not mixed, no orphan substitutions, ReturnValues. */
static int prologue(rn_call_t *c, int update)
{
    static const char *const legacy[] = {"Expected", "ConditionalOperator", NULL};
    static const char *const expr[] = {"ConditionExpression", NULL};
    static const char *const ulegacy[] = {"AttributeUpdates", "Expected", "ConditionalOperator", NULL};
    static const char *const uexpr[] = {"UpdateExpression", "ConditionExpression", NULL};
    int any = json_object_get(c->in, "ConditionExpression") || (update && json_object_get(c->in, "UpdateExpression"));
    int rc = ddb_mixed(c, c->in, update ? ulegacy : legacy, update ? uexpr : expr);
    if (!rc)
        rc = orphans(c, any ? NULL : update ? "UpdateExpression and ConditionExpression are null" : "ConditionExpression is null",
                     any);
    return rc ? rc : rv_check(c, update);
}

int ddb_put_item(ddb_t *d, rn_call_t *c)
{
    int rc = prologue(c, 0);
    if (rc)
        return rc;
    json_t *item = json_object_get(c->in, "Item");
    if (!json_is_object(item))
        return rn_call_fail(c, DDB_ERR_VALIDATION,
                            "1 validation error detected: Value null at 'item' failed to satisfy constraint: Member "
                            "must not be null");
    char msg[1024];
    if (ddb_item_check(item, msg, sizeof msg))
        return rn_call_fail(c, DDB_ERR_VALIDATION, "%s", msg);
    req_t r;
    rc = front(&r, d, c, "ConditionExpression", 0);
    if (!rc && !r.cond)
        rc = ddb_legacy_expected(c, r.e, c->in, &r.cond);
    if (!rc)
        rc = back(&r);
    rn_buf_t key = {0};
    if (!rc && ddb_item_key(r.t, item, 0, &key, msg, sizeof msg) < 0)
        rc = rn_call_fail(c, DDB_ERR_VALIDATION, "%s", msg);
    size_t size = rc ? 0 : ddb_item_size(item);
    if (!rc && size > DDB_MAX_ITEM)
        rc = rn_call_fail(c, DDB_ERR_VALIDATION, "Item size has exceeded the maximum allowed size");
    if (!rc)
        rc = ddb_check_index_types(c, r.t, item);
    json_t *old = NULL;
    size_t osz = 0;
    if (!rc)
        rc = read_old(&r, key.data, &old, &osz);
    if (!rc)
        rc = check_condition(&r, old);
    if (!rc)
        rc = ddb_item_write(d, r.t, key.data, old, osz, item, size);
    if (!rc) {
        const char *rv = json_string_value(json_object_get(c->in, "ReturnValues"));
        c->out = json_object();
        if (rv && !strcmp(rv, "ALL_OLD") && old)
            json_object_set_new(c->out, "Attributes", json_incref(old));
        ddb_add_consumed(c, r.t->name, ddb_write_units(size > osz ? size : osz), 0);
        ddb_add_collection_metrics(c, r.t, item);
    }
    json_decref(old);
    rn_buf_free(&key);
    req_done(&r);
    return rc;
}

int ddb_get_item(ddb_t *d, rn_call_t *c)
{
    static const char *const legacy[] = {"AttributesToGet", NULL};
    static const char *const expr[] = {"ProjectionExpression", NULL};
    int has_proj = json_object_get(c->in, "ProjectionExpression") != NULL;
    int rc = ddb_mixed(c, c->in, legacy, expr);
    if (!rc)
        rc = orphans(c, NULL, has_proj);
    if (!rc && json_object_get(c->in, "ExpressionAttributeValues"))
        rc = rn_call_fail(c, DDB_ERR_VALIDATION,
                          "ExpressionAttributeValues can only be specified when using expressions");
    if (rc)
        return rc;
    req_t r;
    rc = front(&r, d, c, NULL, 1);
    if (!rc && !r.proj)
        rc = ddb_legacy_attributes_to_get(c, r.e, c->in, &r.proj, &r.nproj);
    if (!rc)
        rc = back(&r);
    json_t *keyv = json_object_get(c->in, "Key");
    rn_buf_t key = {0};
    if (!rc)
        rc = key_of(&r, keyv, &key);
    if (!rc)
        rc = ddb_projection_keys_check(c, r.t, r.proj, r.nproj);
    if (!rc) {
        char *rec = NULL;
        int got = rn_store_kv_get(d->env.store, "ddb.item#", key.data, &rec);
        if (got < 0)
            rc = rn_call_fail(c, RN_ERR_INTERNAL, "The item could not be read");
        else {
            int consistent = json_is_true(json_object_get(c->in, "ConsistentRead"));
            size_t size = 0;
            c->out = json_object();
            if (got == 0) { /* without a projection the stored JSON goes out as it is */
                const char *text = ddb_record_split(rec, &size);
                json_t *item = r.proj ? json_loads(text, 0, NULL) : NULL;
                json_object_set_new(c->out, "Item", r.proj ? ddb_project(item, r.proj, r.nproj)
                                                           : rn_json_raw(text, strlen(text)));
                json_decref(item);
            }
            ddb_add_consumed(c, r.t->name, ddb_read_units(size, consistent), 1);
        }
        rn_free(rec);
    }
    rn_buf_free(&key);
    req_done(&r);
    return rc;
}

int ddb_delete_item(ddb_t *d, rn_call_t *c)
{
    int rc = prologue(c, 0);
    if (rc)
        return rc;
    req_t r;
    rc = front(&r, d, c, "ConditionExpression", 0);
    if (!rc && !r.cond)
        rc = ddb_legacy_expected(c, r.e, c->in, &r.cond);
    rn_buf_t key = {0};
    json_t *old = NULL;
    size_t osz = 0;
    if (!rc)
        rc = target(&r, &key, &old, &osz);
    if (!rc)
        rc = check_condition(&r, old);
    if (!rc && old)
        rc = ddb_item_write(d, r.t, key.data, old, osz, NULL, 0);
    if (!rc) {
        const char *rv = json_string_value(json_object_get(c->in, "ReturnValues"));
        c->out = json_object();
        if (rv && !strcmp(rv, "ALL_OLD") && old)
            json_object_set_new(c->out, "Attributes", json_incref(old));
        ddb_add_consumed(c, r.t->name, ddb_write_units(osz), 0);
        if (old)
            ddb_add_collection_metrics(c, r.t, old);
    }
    json_decref(old);
    rn_buf_free(&key);
    req_done(&r);
    return rc;
}

/* The attributes an update touched (their top-level names), projected from item. */
static json_t *updated_attrs(const ddb_action_t *a, int n, const json_t *item)
{
    ddb_path_t *p = rn_calloc((size_t)(n ? n : 1), sizeof *p);
    json_t *out = NULL;
    if (p) {
        for (int i = 0; i < n; i++)
            p[i] = a[i].path;
        out = ddb_project(item, p, n);
    }
    rn_free(p);
    return out ? out : json_object();
}

static int key_touched(rn_call_t *c, const ddb_table_t *t, const ddb_action_t *a, int n)
{
    for (int i = 0; i < n; i++) {
        const char *top = a[i].path.el[0].name;
        if (top && (!strcmp(top, t->keys.hash) || (t->keys.range && !strcmp(top, t->keys.range))))
            return rn_call_fail(c, DDB_ERR_VALIDATION,
                                "One or more parameter values were invalid: Cannot update attribute %s. This attribute "
                                "is part of the key",
                                top);
    }
    return 0;
}

int ddb_update_item(ddb_t *d, rn_call_t *c)
{
    int rc = prologue(c, 1);
    if (rc)
        return rc;
    req_t r;
    ddb_action_t *acts = NULL;
    int nacts = 0;
    rc = front(&r, d, c, NULL, 0);
    json_t *ue = json_object_get(c->in, "UpdateExpression");
    char msg[1024];
    if (!rc && ue) {
        rc = ddb_parse_update(r.e, json_string_value(ue) ? json_string_value(ue) : "", &r.s, &acts, &nacts, msg,
                              sizeof msg);
        if (rc)
            rc = rn_call_fail(c, rc, "%s", msg);
    }
    if (!rc)
        rc = ddb_parse_member(c, r.e, &r.s, c->in, "ConditionExpression", &r.cond);
    if (!rc && !ue)
        rc = ddb_legacy_attribute_updates(c, r.e, c->in, &acts, &nacts);
    if (!rc && !r.cond)
        rc = ddb_legacy_expected(c, r.e, c->in, &r.cond);
    rn_buf_t key = {0};
    json_t *old = NULL, *neu = NULL;
    size_t osz = 0;
    if (!rc)
        rc = target(&r, &key, &old, &osz);
    if (!rc)
        rc = key_touched(c, r.t, acts, nacts);
    if (!rc)
        rc = check_condition(&r, old);
    if (!rc) {
        json_t *base = old ? json_incref(old) : json_deep_copy(json_object_get(c->in, "Key"));
        rc = ddb_apply_update(acts, nacts, base, &neu, msg, sizeof msg);
        json_decref(base);
        if (rc)
            rc = rn_call_fail(c, rc, "%s", msg);
    }
    size_t size = 0;
    if (!rc && (size = ddb_item_size(neu)) > DDB_MAX_ITEM)
        rc = rn_call_fail(c, DDB_ERR_VALIDATION, "Item size to update has exceeded the maximum allowed size");
    if (!rc)
        rc = ddb_check_index_types(c, r.t, neu);
    if (!rc)
        rc = ddb_item_write(d, r.t, key.data, old, osz, neu, size);
    if (!rc) {
        const char *rv = json_string_value(json_object_get(c->in, "ReturnValues"));
        c->out = json_object();
        json_t *attrs = NULL;
        if (!rv || !strcmp(rv, "NONE"))
            attrs = NULL;
        else if (!strcmp(rv, "ALL_OLD"))
            attrs = old ? json_incref(old) : NULL;
        else if (!strcmp(rv, "ALL_NEW"))
            attrs = json_incref(neu);
        else if (!strcmp(rv, "UPDATED_OLD"))
            attrs = old ? updated_attrs(acts, nacts, old) : NULL;
        else
            attrs = updated_attrs(acts, nacts, neu);
        if (attrs && json_object_size(attrs))
            json_object_set(c->out, "Attributes", attrs);
        json_decref(attrs);
        ddb_add_consumed(c, r.t->name, ddb_write_units(size > osz ? size : osz), 0);
        ddb_add_collection_metrics(c, r.t, neu);
    }
    json_decref(old);
    json_decref(neu);
    rn_buf_free(&key);
    req_done(&r);
    return rc;
}
