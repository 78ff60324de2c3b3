/* SPDX-License-Identifier: MIT
 * BatchGetItem, BatchWriteItem, TransactWriteItems and TransactGetItems.
 * A transaction is checked whole (every condition evaluated, every update
 * computed) before any write is queued, and its writes are queued in one
 * turn of the loop, so the store commits all of them or none. Tokens of
 * TransactWriteItems are remembered for 10 minutes (in RAM). */
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/json_alloc.h"
#include "core/mem.h"
#include "dynamodb/ddb_int.h"
#include "dynamodb/legacy.h"
#include "dynamodb/request.h"

#define MAX_BATCH_GET 100
#define MAX_BATCH_WRITE 25
#define MAX_TXN 100
#define MAX_RESPONSE (16 * 1024 * 1024)
#define TOKEN_MS (10 * 60 * 1000)

/* ---- tokens ---- */

typedef struct token {
    char *body; /* the request as it was (compact JSON) */
    int64_t expires;
} token_t;

void ddb_tokens_clear(ddb_t *d)
{
    size_t i = 0;
    const char *k;
    void *v;
    while (rn_smap_next(&d->tokens, &i, &k, &v)) {
        token_t *t = v;
        rn_json_free(t->body);
        rn_free(t);
    }
    rn_smap_free(&d->tokens);
    memset(&d->tokens, 0, sizeof d->tokens);
}

static void tokens_expire(ddb_t *d)
{
    int64_t now = rn_now_ms();
    size_t i = 0;
    const char *k;
    void *v;
    char *gone[64];
    int n = 0;
    while (n < 64 && rn_smap_next(&d->tokens, &i, &k, &v))
        if (((token_t *)v)->expires <= now)
            gone[n++] = rn_strdup(k);
    for (int j = 0; j < n; j++) {
        token_t *t = gone[j] ? rn_smap_del(&d->tokens, gone[j]) : NULL;
        if (t) {
            rn_json_free(t->body);
            rn_free(t);
        }
        rn_free(gone[j]);
    }
}

/* ---- one table's part of a batch ---- */

static int dup_keys(json_t *keys_seen, const char *key)
{
    if (json_object_get(keys_seen, key))
        return 1;
    json_object_set_new(keys_seen, key, json_true());
    return 0;
}

int ddb_batch_get(ddb_t *d, rn_call_t *c)
{
    json_t *req = json_object_get(c->in, "RequestItems");
    if (!json_is_object(req) || json_object_size(req) == 0)
        return rn_call_fail(c, DDB_ERR_VALIDATION, "The requestItems parameter is required for BatchGetItem");
    size_t total = 0;
    const char *tname;
    json_t *spec;
    json_object_foreach(req, tname, spec) {
        size_t n = json_array_size(json_object_get(spec, "Keys"));
        if (n == 0)
            return rn_call_fail(c, DDB_ERR_VALIDATION,
                                "1 validation error detected: Value '[]' at 'requestItems.%s.member.keys' failed to "
                                "satisfy constraint: Member must have length greater than or equal to 1",
                                tname);
        if (n > MAX_BATCH_GET)
            return rn_call_fail(c, DDB_ERR_VALIDATION,
                                "1 validation error detected: Value at 'requestItems.%s.member.keys' failed to satisfy "
                                "constraint: Member must have length less than or equal to 100",
                                tname);
        total += n;
    }
    if (total > MAX_BATCH_GET)
        return rn_call_fail(c, DDB_ERR_VALIDATION, "Too many items requested for the BatchGetItem call");
    /* duplicates first (AWS checks them before the tables) */
    json_object_foreach(req, tname, spec) {
        json_t *keys = json_object_get(spec, "Keys");
        for (size_t i = 0; i < json_array_size(keys); i++)
            for (size_t j = i + 1; j < json_array_size(keys); j++) {
                json_t *a = json_pack("{s:O}", "M", json_array_get(keys, i));
                json_t *b = json_pack("{s:O}", "M", json_array_get(keys, j));
                int same = ddb_value_eq(a, b);
                json_decref(a);
                json_decref(b);
                if (same)
                    return rn_call_fail(c, DDB_ERR_VALIDATION, "Provided list of item keys contains duplicates");
            }
    }
    json_t *responses = json_object(), *unprocessed = json_object(), *consumed = json_array();
    size_t bytes = 0;
    int rc = 0;
    json_object_foreach(req, tname, spec) {
        static const char *const legacy[] = {"AttributesToGet", NULL};
        static const char *const expr[] = {"ProjectionExpression", NULL};
        ddb_expr_t *e = ddb_expr_new();
        ddb_subst_t s = {0};
        ddb_path_t *proj = NULL;
        int nproj = 0;
        rc = e ? ddb_mixed(c, spec, legacy, expr) : RN_ERR_NOMEM;
        if (!rc)
            rc = ddb_subst_init(c, spec, &s);
        if (!rc)
            rc = ddb_parse_projection_member(c, e, &s, spec, &proj, &nproj);
        if (!rc && !proj)
            rc = ddb_legacy_attributes_to_get(c, e, spec, &proj, &nproj);
        if (!rc)
            rc = ddb_check_unused(c, &s);
        ddb_table_t *t = rc ? NULL : ddb_table_get(d, tname);
        if (!rc && !t)
            rc = rn_call_fail(c, DDB_ERR_NOT_FOUND, "Requested resource not found");
        json_t *items = json_array(), *left = json_array(), *keys = json_object_get(spec, "Keys");
        int consistent = json_is_true(json_object_get(spec, "ConsistentRead"));
        double units = 0;
        for (size_t i = 0; !rc && i < json_array_size(keys); i++) {
            json_t *kv = json_array_get(keys, i);
            if (bytes >= MAX_RESPONSE) {
                json_array_append(left, kv);
                continue;
            }
            rn_buf_t key = {0};
            char msg[1024];
            if (!json_is_object(kv) || ddb_item_check(kv, msg, sizeof msg) || ddb_item_key(t, kv, 1, &key, msg, sizeof msg) < 0)
                rc = rn_call_fail(c, DDB_ERR_VALIDATION, "%s", msg);
            int err = 0;
            size_t sz = 0;
            json_t *item = rc ? NULL : ddb_item_read(d, key.data, &sz, &err);
            if (err)
                rc = rn_call_fail(c, RN_ERR_INTERNAL, "The item could not be read");
            units += ddb_read_units(sz, consistent);
            bytes += sz;
            if (item)
                json_array_append_new(items, proj ? ddb_project(item, proj, nproj) : json_incref(item));
            json_decref(item);
            rn_buf_free(&key);
        }
        if (!rc) {
            json_object_set(responses, tname, items);
            if (json_array_size(left)) {
                json_t *u = json_deep_copy(spec);
                json_object_set(u, "Keys", left);
                json_object_set_new(unprocessed, tname, u);
            }
            const char *rcc = json_string_value(json_object_get(c->in, "ReturnConsumedCapacity"));
            if (rcc && strcmp(rcc, "NONE"))
                json_array_append_new(consumed, json_pack("{s:s,s:f}", "TableName", tname, "CapacityUnits", units));
        }
        json_decref(items);
        json_decref(left);
        ddb_subst_free(&s);
        ddb_expr_free(e);
        if (rc)
            break;
    }
    if (!rc) {
        c->out = json_pack("{s:O,s:O}", "Responses", responses, "UnprocessedKeys", unprocessed);
        if (json_array_size(consumed))
            json_object_set(c->out, "ConsumedCapacity", consumed);
    }
    json_decref(responses);
    json_decref(unprocessed);
    json_decref(consumed);
    return rc;
}

/* TransactionCanceledException with one reason per action, in order. */
static int cancel(rn_call_t *c, json_t *reasons)
{
    char codes[4096];
    size_t k = 0;
    for (size_t i = 0; i < json_array_size(reasons) && k < sizeof codes; i++)
        k += (size_t)snprintf(codes + k, sizeof codes - k, "%s%s", i ? ", " : "",
                              json_string_value(json_object_get(json_array_get(reasons, i), "Code")));
    char text[4300];
    snprintf(text, sizeof text, "Transaction cancelled, please refer cancellation reasons for specific reasons [%s]",
             codes);
    rn_call_fail(c, DDB_ERR_TXN_CANCELED, "%s", text);
    c->err_fields = json_pack("{s:O,s:s}", "CancellationReasons", reasons, "Message", text);
    return c->err;
}

/* ---- writes prepared, then applied ---- */

enum { W_PUT, W_DELETE, W_UPDATE, W_CHECK };

typedef struct pw {
    int kind;
    json_t *spec;         /* borrowed: the action's object */
    ddb_table_t *t;
    rn_buf_t key;
    json_t *item;         /* Put: the item; Update: the key */
    json_t *old, *neu;    /* as read, and as it will be */
    size_t osz, nsz;      /* their sizes */
    ddb_expr_t *e;
    ddb_subst_t s;
    ddb_node_t *cond;
    ddb_action_t *acts;
    int nacts;
} pw_t;

static void pw_free(pw_t *w)
{
    rn_buf_free(&w->key);
    json_decref(w->old);
    json_decref(w->neu);
    ddb_subst_free(&w->s);
    ddb_expr_free(w->e);
}

/* Parses an action's expressions and finds its table (top-level failures). */
static int pw_parse(ddb_t *d, rn_call_t *c, pw_t *w)
{
    json_t *sp = w->spec;
    w->e = ddb_expr_new();
    if (!w->e)
        return RN_ERR_NOMEM;
    int rc = ddb_subst_init(c, sp, &w->s);
    char msg[1024];
    json_t *ue = json_object_get(sp, "UpdateExpression");
    if (!rc && w->kind == W_UPDATE) {
        if (!ue)
            return rn_call_fail(c, DDB_ERR_VALIDATION,
                                "1 validation error detected: Value null at 'transactItems.1.member.update.updateExpression' "
                                "failed to satisfy constraint: Member must not be null");
        rc = ddb_parse_update(w->e, json_string_value(ue) ? json_string_value(ue) : "", &w->s, &w->acts, &w->nacts, msg,
                              sizeof msg);
        if (rc)
            rc = rn_call_fail(c, rc, "%s", msg);
    }
    if (!rc)
        rc = ddb_parse_member(c, w->e, &w->s, sp, "ConditionExpression", &w->cond);
    if (!rc && w->kind == W_CHECK && !w->cond)
        rc = rn_call_fail(c, DDB_ERR_VALIDATION,
                          "1 validation error detected: Value null at 'transactItems.1.member.conditionCheck."
                          "conditionExpression' failed to satisfy constraint: Member must not be null");
    if (!rc)
        rc = ddb_check_unused(c, &w->s);
    const char *rv = json_string_value(json_object_get(sp, "ReturnValuesOnConditionCheckFailure"));
    if (!rc && rv && strcmp(rv, "ALL_OLD") && strcmp(rv, "NONE"))
        rc = rn_call_fail(c, DDB_ERR_VALIDATION,
                          "1 validation error detected: Value '%s' at "
                          "'transactItems.1.member.returnValuesOnConditionCheckFailure' failed to satisfy constraint: "
                          "Member must satisfy enum value set: [ALL_OLD, NONE]",
                          rv);
    if (!rc && !(w->t = ddb_table_get(d, json_string_value(json_object_get(sp, "TableName")))))
        rc = rn_call_fail(c, DDB_ERR_NOT_FOUND, "Requested resource not found");
    w->item = json_object_get(sp, w->kind == W_PUT ? "Item" : "Key");
    if (!rc && !json_is_object(w->item))
        rc = rn_call_fail(c, DDB_ERR_VALIDATION, "The provided key element does not match the schema");
    if (!rc && ddb_item_check(w->item, msg, sizeof msg))
        rc = rn_call_fail(c, DDB_ERR_VALIDATION, "%s", msg);
    if (!rc && w->kind == W_PUT && (w->nsz = ddb_item_size(w->item)) > DDB_MAX_ITEM)
        rc = rn_call_fail(c, DDB_ERR_VALIDATION, "Item size has exceeded the maximum allowed size");
    return rc;
}

/* Checks one action against the stored item: NULL (it would succeed) or a
 * cancellation reason (a new object). */
static json_t *pw_check(ddb_t *d, rn_call_t *c, pw_t *w)
{
    char msg[1024];
    if (w->key.oom)
        return json_pack("{s:s,s:s}", "Code", "ValidationError", "Message", "out of memory");
    int err = 0;
    w->old = ddb_item_read(d, w->key.data, &w->osz, &err);
    if (err)
        return json_pack("{s:s,s:s}", "Code", "InternalError", "Message", "The item could not be read");
    if (w->cond) {
        int ok = ddb_eval(w->cond, w->old, "ConditionExpression", msg, sizeof msg);
        if (ok < 0)
            return json_pack("{s:s,s:s}", "Code", "ValidationError", "Message", msg);
        if (!ok) {
            json_t *r = json_pack("{s:s,s:s}", "Code", "ConditionalCheckFailed", "Message", "The conditional request failed");
            const char *rv = json_string_value(json_object_get(w->spec, "ReturnValuesOnConditionCheckFailure"));
            if (rv && !strcmp(rv, "ALL_OLD") && w->old)
                json_object_set(r, "Item", w->old);
            return r;
        }
    }
    if (w->kind == W_PUT) {
        w->neu = json_incref(w->item);
    } else if (w->kind == W_UPDATE) {
        for (int i = 0; i < w->nacts; i++) {
            const char *top = w->acts[i].path.el[0].name;
            if (top && (!strcmp(top, w->t->keys.hash) || (w->t->keys.range && !strcmp(top, w->t->keys.range)))) {
                snprintf(msg, sizeof msg,
                         "One or more parameter values were invalid: Cannot update attribute %s. This attribute is "
                         "part of the key",
                         top);
                return json_pack("{s:s,s:s}", "Code", "ValidationError", "Message", msg);
            }
        }
        json_t *base = w->old ? json_incref(w->old) : json_deep_copy(w->item);
        int rc = ddb_apply_update(w->acts, w->nacts, base, &w->neu, msg, sizeof msg);
        json_decref(base);
        if (rc)
            return json_pack("{s:s,s:s}", "Code", "ValidationError", "Message", msg);
        if ((w->nsz = ddb_item_size(w->neu)) > DDB_MAX_ITEM)
            return json_pack("{s:s,s:s}", "Code", "ValidationError", "Message",
                             "Item size to update has exceeded the maximum allowed size");
    }
    if (w->neu) {
        rn_call_t probe = *c;
        probe.err = 0;
        probe.msg[0] = '\0';
        probe.msg_long = NULL;
        probe.err_fields = NULL;
        if (ddb_check_index_types(&probe, w->t, w->neu)) {
            json_t *r = json_pack("{s:s,s:s}", "Code", "ValidationError", "Message", probe.msg);
            rn_call_clear_msg(&probe);
            return r;
        }
    }
    return NULL;
}

static const char *kind_name(const json_t *ti, int *kind)
{
    static const char *const names[] = {"Put", "Delete", "Update", "ConditionCheck"};
    const char *found = NULL;
    int n = 0;
    for (int k = 0; k < 4; k++)
        if (json_object_get(ti, names[k])) {
            found = names[k];
            *kind = k;
            n++;
        }
    return n == 1 ? found : NULL;
}

static json_t *consumed_list(rn_call_t *c, json_t *per_table)
{
    const char *rcc = json_string_value(json_object_get(c->in, "ReturnConsumedCapacity"));
    if (!rcc || !strcmp(rcc, "NONE"))
        return NULL;
    json_t *arr = json_array();
    const char *k;
    json_t *v;
    json_object_foreach(per_table, k, v) {
        json_t *o = json_pack("{s:s,s:O}", "TableName", k, "CapacityUnits", v);
        if (!strcmp(rcc, "INDEXES"))
            json_object_set_new(o, "Table", json_pack("{s:O}", "CapacityUnits", v));
        json_array_append_new(arr, o);
    }
    return arr;
}

static void add_units(json_t *per_table, const char *table, double units)
{
    json_t *v = json_object_get(per_table, table);
    json_object_set_new(per_table, table, json_real((v ? json_real_value(v) : 0) + units));
}

/* 1 to 100 actions, or the call failed. */
static int txn_count(rn_call_t *c, size_t n)
{
    if (n < 1)
        return rn_call_fail(c, DDB_ERR_VALIDATION,
                            "1 validation error detected: Value '[]' at 'transactItems' failed to satisfy constraint: "
                            "Member must have length greater than or equal to 1");
    if (n > MAX_TXN)
        return rn_call_fail(c, DDB_ERR_VALIDATION,
                            "1 validation error detected: Value at 'transactItems' failed to satisfy constraint: "
                            "Member must have length less than or equal to 100");
    return 0;
}

int ddb_transact_write(ddb_t *d, rn_call_t *c)
{
    json_t *items = json_object_get(c->in, "TransactItems");
    size_t n = json_array_size(items);
    if (txn_count(c, n))
        return c->err;
    const char *token = json_string_value(json_object_get(c->in, "ClientRequestToken"));
    if (token && (strlen(token) < 1 || strlen(token) > 36))
        return rn_call_fail(c, DDB_ERR_VALIDATION,
                            "1 validation error detected: Value '%s' at 'clientRequestToken' failed to satisfy "
                            "constraint: Member must have length less than or equal to 36",
                            token);
    pw_t *w = rn_calloc(n, sizeof *w);
    if (!w)
        return RN_ERR_NOMEM;
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        json_t *ti = json_array_get(items, i);
        const char *kn = kind_name(ti, &w[i].kind);
        if (!kn) {
            rc = rn_call_fail(c, DDB_ERR_VALIDATION, "TransactItems can only contain one of Check, Put, Update or Delete");
            break;
        }
        w[i].spec = json_object_get(ti, kn);
        rc = pw_parse(d, c, &w[i]);
    }
    /* keys: schema problems are cancellation reasons; two actions on one item are not allowed */
    json_t *reasons = json_array(), *seen = json_object();
    int cancelled = 0, invalid = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        char msg[1024];
        if (ddb_item_key(w[i].t, w[i].item, w[i].kind != W_PUT, &w[i].key, msg, sizeof msg) < 0) {
            if (strstr(msg, "cannot contain an empty")) {
                rc = rn_call_fail(c, DDB_ERR_VALIDATION, "%s", msg);
                break;
            }
            json_array_append_new(reasons, json_pack("{s:s,s:s}", "Code", "ValidationError", "Message", msg));
            cancelled = invalid = 1;
            continue;
        }
        char full[2100];
        snprintf(full, sizeof full, "%s\t%s", w[i].t->name, w[i].key.data);
        if (dup_keys(seen, full))
            rc = rn_call_fail(c, DDB_ERR_VALIDATION, "Transaction request cannot include multiple operations on one item");
        json_array_append_new(reasons, json_pack("{s:s}", "Code", "None"));
    }
    json_decref(seen);
    /* the idempotency token */
    char *body = NULL;
    if (!rc && token) {
        tokens_expire(d);
        body = json_dumps(items, JSON_COMPACT | JSON_SORT_KEYS);
        token_t *tk = rn_smap_get(&d->tokens, token);
        if (tk && tk->expires > rn_now_ms()) {
            if (strcmp(tk->body, body ? body : ""))
                rc = rn_call_fail(c, DDB_ERR_IDEMPOTENT_MISMATCH,
                                  "DynamoDB rejected the request because you retried a request with a different payload "
                                  "but with an idempotent token that was already used.");
            else
                c->out = json_object(); /* done before: nothing is applied again */
            rn_json_free(body);
            body = NULL;
            if (!rc)
                goto out;
        }
    }
    /* every condition, every update */
    for (size_t i = 0; i < n && !rc && !invalid; i++) {
        json_t *r = pw_check(d, c, &w[i]);
        if (r) {
            json_array_set_new(reasons, i, r);
            cancelled = 1;
            if (!strcmp(json_string_value(json_object_get(r, "Code")), "ValidationError"))
                invalid = 1; /* only the first validation error is reported */
        }
    }
    if (!rc && cancelled) {
        while (json_array_size(reasons) < n)
            json_array_append_new(reasons, json_pack("{s:s}", "Code", "None"));
        rc = cancel(c, reasons);
    }
    if (!rc) { /* all writes in this turn of the loop: one commit */
        json_t *units = json_object();
        for (size_t i = 0; i < n && !rc; i++) {
            size_t osz = w[i].old ? w[i].osz : 0, nsz = w[i].neu ? w[i].nsz : 0;
            if (w[i].kind == W_PUT || w[i].kind == W_UPDATE)
                rc = ddb_item_write(d, w[i].t, w[i].key.data, w[i].old, osz, w[i].neu, nsz);
            else if (w[i].kind == W_DELETE && w[i].old)
                rc = ddb_item_write(d, w[i].t, w[i].key.data, w[i].old, osz, NULL, 0);
            add_units(units, w[i].t->name, 2 * (w[i].kind == W_CHECK ? ddb_read_units(osz, 1)
                                                                      : ddb_write_units(osz > nsz ? osz : nsz)));
        }
        c->out = json_object();
        json_t *cl = consumed_list(c, units);
        if (cl)
            json_object_set_new(c->out, "ConsumedCapacity", cl);
        json_decref(units);
        if (!rc && token && body) {
            token_t *tk = rn_calloc(1, sizeof *tk);
            if (tk) {
                tk->body = body;
                body = NULL;
                tk->expires = rn_now_ms() + TOKEN_MS;
                token_t *old = rn_smap_get(&d->tokens, token);
                if (rn_smap_put(&d->tokens, token, tk) < 0) {
                    rn_json_free(tk->body);
                    rn_free(tk);
                } else if (old) {
                    rn_json_free(old->body);
                    rn_free(old);
                }
            }
        }
    }
out:
    rn_json_free(body);
    json_decref(reasons);
    for (size_t i = 0; i < n; i++)
        pw_free(&w[i]);
    rn_free(w);
    return rc;
}

int ddb_transact_get(ddb_t *d, rn_call_t *c)
{
    json_t *items = json_object_get(c->in, "TransactItems");
    size_t n = json_array_size(items);
    if (txn_count(c, n))
        return c->err;
    json_t *out = json_array(), *units = json_object(), *reasons = json_array();
    int rc = 0, cancelled = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        json_t *g = json_object_get(json_array_get(items, i), "Get");
        ddb_expr_t *e = ddb_expr_new();
        ddb_subst_t s = {0};
        ddb_path_t *proj = NULL;
        int nproj = 0;
        rc = e ? ddb_subst_init(c, g, &s) : RN_ERR_NOMEM;
        if (!rc)
            rc = ddb_parse_projection_member(c, e, &s, g, &proj, &nproj);
        if (!rc)
            rc = ddb_check_unused(c, &s);
        ddb_table_t *t = rc ? NULL : ddb_table_get(d, json_string_value(json_object_get(g, "TableName")));
        if (!rc && !t)
            rc = rn_call_fail(c, DDB_ERR_NOT_FOUND, "Requested resource not found");
        rn_buf_t key = {0};
        char msg[1024];
        json_t *kv = json_object_get(g, "Key");
        if (!rc) {
            if (!json_is_object(kv) || ddb_item_check(kv, msg, sizeof msg) || ddb_item_key(t, kv, 1, &key, msg, sizeof msg) < 0) {
                json_array_append_new(reasons, json_pack("{s:s,s:s}", "Code", "ValidationError", "Message",
                                                         json_is_object(kv) ? msg : "The provided key element does not match the schema"));
                cancelled = 1;
            } else {
                int err = 0;
                size_t sz = 0;
                json_t *item = ddb_item_read(d, key.data, &sz, &err);
                json_array_append_new(reasons, json_pack("{s:s}", "Code", "None"));
                add_units(units, t->name, 2 * ddb_read_units(sz, 1));
                json_array_append_new(out, item ? json_pack("{s:o}", "Item", proj ? ddb_project(item, proj, nproj) : json_incref(item))
                                                : json_object());
                json_decref(item);
            }
        }
        rn_buf_free(&key);
        ddb_subst_free(&s);
        ddb_expr_free(e);
    }
    if (!rc && cancelled)
        rc = cancel(c, reasons);
    if (!rc) {
        c->out = json_pack("{s:O}", "Responses", out);
        json_t *cl = consumed_list(c, units);
        if (cl)
            json_object_set_new(c->out, "ConsumedCapacity", cl);
    }
    json_decref(out);
    json_decref(units);
    json_decref(reasons);
    return rc;
}

/* ---- BatchWriteItem ---- */

int ddb_batch_write(ddb_t *d, rn_call_t *c)
{
    json_t *req = json_object_get(c->in, "RequestItems");
    if (!json_is_object(req) || json_object_size(req) == 0)
        return rn_call_fail(c, DDB_ERR_VALIDATION, "The requestItems parameter is required for BatchWriteItem");
    size_t total = 0;
    const char *tname;
    json_t *list;
    json_object_foreach(req, tname, list) {
        size_t n = json_array_size(list);
        if (n < 1 || n > MAX_BATCH_WRITE)
            return rn_call_fail(c, DDB_ERR_VALIDATION,
                                "1 validation error detected: Value at 'requestItems' failed to satisfy constraint: Map "
                                "value must satisfy constraint: [Member must have length less than or equal to 25, "
                                "Member must have length greater than or equal to 1]");
        total += n;
    }
    if (total > MAX_BATCH_WRITE)
        return rn_call_fail(c, DDB_ERR_VALIDATION,
                            "Too many items requested for the BatchWriteItem call");
    /* check everything, then write everything */
    size_t k = 0;
    pw_t *w = rn_calloc(total, sizeof *w);
    if (!w)
        return RN_ERR_NOMEM;
    int rc = 0;
    json_t *seen = json_object();
    json_object_foreach(req, tname, list) {
        ddb_table_t *t = ddb_table_get(d, tname);
        if (!t) {
            rc = rn_call_fail(c, DDB_ERR_NOT_FOUND, "Requested resource not found");
            break;
        }
        for (size_t i = 0; i < json_array_size(list) && !rc; i++, k++) {
            json_t *wr = json_array_get(list, i);
            json_t *put = json_object_get(wr, "PutRequest"), *del = json_object_get(wr, "DeleteRequest");
            if ((put != NULL) == (del != NULL)) {
                rc = rn_call_fail(c, DDB_ERR_VALIDATION,
                                  "Supplied AttributeValue has more than one datatypes set, must contain exactly one of "
                                  "the supported datatypes");
                break;
            }
            pw_t *p = &w[k];
            p->kind = put ? W_PUT : W_DELETE;
            p->t = t;
            p->item = json_object_get(put ? put : del, put ? "Item" : "Key");
            char msg[1024];
            if (!json_is_object(p->item)) {
                rc = rn_call_fail(c, DDB_ERR_VALIDATION, "The provided key element does not match the schema");
                break;
            }
            if (ddb_item_check(p->item, msg, sizeof msg)) {
                rc = rn_call_fail(c, DDB_ERR_VALIDATION, "%s", msg);
                break;
            }
            if (ddb_item_key(t, p->item, !put, &p->key, msg, sizeof msg) < 0) {
                rc = rn_call_fail(c, DDB_ERR_VALIDATION, "%s",
                                  strstr(msg, "cannot contain an empty") || strstr(msg, "of2048") || strstr(msg, "1024 bytes")
                                      ? msg
                                      : "The provided key element does not match the schema");
                break;
            }
            if (put && (p->nsz = ddb_item_size(p->item)) > DDB_MAX_ITEM) {
                rc = rn_call_fail(c, DDB_ERR_VALIDATION, "Item size has exceeded the maximum allowed size");
                break;
            }
            if (put && (rc = ddb_check_index_types(c, t, p->item)))
                break;
            char full[2100];
            snprintf(full, sizeof full, "%s\t%s", tname, p->key.data);
            if (dup_keys(seen, full)) {
                rc = rn_call_fail(c, DDB_ERR_VALIDATION, "Provided list of item keys contains duplicates");
                break;
            }
        }
        if (rc)
            break;
    }
    json_decref(seen);
    json_t *units = json_object();
    for (size_t i = 0; i < k && !rc; i++) {
        int err = 0;
        w[i].old = ddb_item_read(d, w[i].key.data, &w[i].osz, &err);
        if (err) {
            rc = rn_call_fail(c, RN_ERR_INTERNAL, "The item could not be read");
            break;
        }
        size_t osz = w[i].old ? w[i].osz : 0, nsz = w[i].kind == W_PUT ? w[i].nsz : 0;
        if (w[i].kind == W_PUT)
            rc = ddb_item_write(d, w[i].t, w[i].key.data, w[i].old, osz, w[i].item, nsz);
        else if (w[i].old)
            rc = ddb_item_write(d, w[i].t, w[i].key.data, w[i].old, osz, NULL, 0);
        add_units(units, w[i].t->name, ddb_write_units(osz > nsz ? osz : nsz));
    }
    if (!rc) {
        c->out = json_pack("{s:{}}", "UnprocessedItems");
        json_t *cl = consumed_list(c, units);
        if (cl)
            json_object_set_new(c->out, "ConsumedCapacity", cl);
    }
    json_decref(units);
    for (size_t i = 0; i < total; i++)
        pw_free(&w[i]);
    rn_free(w);
    return rc;
}
