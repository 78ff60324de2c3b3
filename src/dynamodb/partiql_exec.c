/* SPDX-License-Identifier: MIT
 * ExecuteStatement, BatchExecuteStatement and ExecuteTransaction: each
 * statement planned (partiql.c) and run by the item operation it stands
 * for, on a call of its own; the answers reshaped as PartiQL's
 * (Items, NextToken; per-statement Responses with their errors). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/base64.h"
#include "core/json_alloc.h"
#include "core/mem.h"
#include "dynamodb/ddb_int.h"
#include "dynamodb/partiql.h"

#define MAX_BATCH 25
#define MAX_TXN 100

/* A call for one operation of plan, made as c was (who, where). */
static void sub_call(const rn_call_t *c, rn_call_t *sub, const char *op, json_t *in)
{
    memset(sub, 0, sizeof *sub);
    sub->service = c->service;
    snprintf(sub->op, sizeof sub->op, "%s", op);
    sub->in = in;
    memcpy(sub->request_id, c->request_id, sizeof sub->request_id);
    memcpy(sub->endpoint, c->endpoint, sizeof sub->endpoint);
    memcpy(sub->principal, c->principal, sizeof sub->principal);
    memcpy(sub->account, c->account, sizeof sub->account);
    memcpy(sub->region, c->region, sizeof sub->region);
}

static void sub_free(rn_call_t *sub)
{
    json_decref(sub->in);
    json_decref(sub->out);
    rn_call_clear_msg(sub);
}

static int run(ddb_t *d, rn_call_t *sub, const char *op)
{
    if (!strcmp(op, "Query"))
        return ddb_query(d, sub);
    if (!strcmp(op, "Scan"))
        return ddb_scan(d, sub);
    if (!strcmp(op, "GetItem"))
        return ddb_get_item(d, sub);
    if (!strcmp(op, "PutItem"))
        return ddb_put_item(d, sub);
    if (!strcmp(op, "UpdateItem"))
        return ddb_update_item(d, sub);
    return ddb_delete_item(d, sub);
}

/* The Parameters checked as AttributeValues. */
static int params_ok(rn_call_t *c, json_t *params)
{
    char msg[600];
    for (size_t i = 0; i < json_array_size(params); i++)
        if (ddb_value_check(json_array_get(params, i), 1, msg, sizeof msg))
            return rn_call_fail(c, DDB_ERR_VALIDATION, "%s", msg);
    return 0;
}

/* Runs one planned statement on sub; the PartiQL result in *out (Items...). */
static int execute(ddb_t *d, rn_call_t *c, rn_call_t *sub, ddb_pq_plan_t *plan, json_t **out)
{
    if (plan->kind == DDB_PQ_SELECT) {
        json_t *lim = json_object_get(c->in, "Limit");
        if (lim)
            json_object_set(plan->in, "Limit", lim);
        if (json_is_true(json_object_get(c->in, "ConsistentRead")))
            json_object_set_new(plan->in, "ConsistentRead", json_true());
        const char *tok = json_string_value(json_object_get(c->in, "NextToken"));
        if (tok) {
            unsigned char *raw = NULL;
            size_t n = 0;
            json_t *esk = rn_b64_decode(tok, strlen(tok), &raw, &n) == 0 ? json_loadb((char *)raw, n, 0, NULL) : NULL;
            rn_free(raw);
            if (!json_is_object(esk)) {
                json_decref(esk);
                return rn_call_fail(c, DDB_ERR_VALIDATION, "Invalid NextToken");
            }
            json_object_set_new(plan->in, "ExclusiveStartKey", esk);
        }
    } else {
        const char *rv = json_string_value(json_object_get(c->in, "ReturnValuesOnConditionCheckFailure"));
        if (rv)
            json_object_set_new(plan->in, "ReturnValuesOnConditionCheckFailure", json_string(rv));
    }
    const char *rcc = json_string_value(json_object_get(c->in, "ReturnConsumedCapacity"));
    if (rcc)
        json_object_set_new(plan->in, "ReturnConsumedCapacity", json_string(rcc));
    sub_call(c, sub, plan->op, plan->in);
    plan->in = NULL;
    int rc = run(d, sub, sub->op);
    if (rc) {
        if (rc == DDB_ERR_CONDITION_FAILED && plan->kind == DDB_PQ_INSERT)
            return rn_call_fail(c, DDB_ERR_DUPLICATE_ITEM, "Duplicate primary key exists in table");
        rn_call_fail(c, rc, "%s", rn_call_msg(sub));
        c->err_fields = json_incref(sub->err_fields);
        return rc;
    }
    json_t *o = json_object();
    if (plan->kind == DDB_PQ_SELECT) {
        json_object_set(o, "Items", json_object_get(sub->out, "Items"));
        json_t *lek = json_object_get(sub->out, "LastEvaluatedKey");
        if (lek) {
            char *text = json_dumps(lek, JSON_COMPACT);
            char *b64 = text ? rn_b64_encode(text, strlen(text)) : NULL;
            if (b64)
                json_object_set_new(o, "NextToken", json_string(b64));
            json_object_set(o, "LastEvaluatedKey", lek);
            rn_free(b64);
            rn_json_free(text);
        }
    } else {
        json_t *attrs = json_object_get(sub->out, "Attributes");
        json_object_set_new(o, "Items", attrs ? json_pack("[O]", attrs) : json_array());
    }
    if (json_object_get(sub->out, "ConsumedCapacity"))
        json_object_set(o, "ConsumedCapacity", json_object_get(sub->out, "ConsumedCapacity"));
    *out = o;
    return 0;
}

int ddb_execute_statement(ddb_t *d, rn_call_t *c)
{
    json_t *params = json_object_get(c->in, "Parameters");
    int rc = params_ok(c, params);
    if (rc)
        return rc;
    ddb_pq_plan_t plan;
    char msg[1024];
    rc = ddb_pq_plan(d, json_string_value(json_object_get(c->in, "Statement")), params, &plan, msg, sizeof msg);
    if (rc)
        return rn_call_fail(c, rc, "%s", msg);
    rn_call_t sub;
    memset(&sub, 0, sizeof sub);
    rc = execute(d, c, &sub, &plan, &c->out);
    json_decref(plan.in);
    json_decref(plan.key);
    sub_free(&sub);
    return rc;
}

/* The code an error row gives (ConditionalCheckFailedException -> ConditionalCheckFailed). */
static void error_code(int err, char *buf, size_t len)
{
    const char *code = rn_err_info(err)->code;
    snprintf(buf, len, "%s", code);
    size_t n = strlen(buf);
    if (n > 9 && !strcmp(buf + n - 9, "Exception"))
        buf[n - 9] = '\0';
    if (!strcmp(buf, "Validation"))
        snprintf(buf, len, "ValidationError");
}

int ddb_batch_execute_statement(ddb_t *d, rn_call_t *c)
{
    json_t *stmts = json_object_get(c->in, "Statements");
    size_t n = json_array_size(stmts);
    if (n < 1 || n > MAX_BATCH)
        return rn_call_fail(c, DDB_ERR_VALIDATION,
                            "1 validation error detected: Value at 'statements' failed to satisfy constraint: Member "
                            "must have length %s",
                            n < 1 ? "greater than or equal to 1" : "less than or equal to 25");
    int reads = 0, writes = 0;
    for (size_t i = 0; i < n; i++) {
        const char *st = json_string_value(json_object_get(json_array_get(stmts, i), "Statement")) ?: "";
        while (*st == ' ' || *st == '\t' || *st == '\n' || *st == '(')
            st++;
        if (!strncasecmp(st, "SELECT", 6))
            reads++;
        else
            writes++;
    }
    if (reads && writes)
        return rn_call_fail(c, DDB_ERR_VALIDATION, "Read and write requests together in the same batch is not supported.");
    json_t *responses = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *s = json_array_get(stmts, i);
        rn_call_t one;
        sub_call(c, &one, "ExecuteStatement", json_deep_copy(s));
        json_object_del(one.in, "ReturnConsumedCapacity");
        ddb_pq_plan_t plan;
        char msg[1024];
        json_t *params = json_object_get(s, "Parameters");
        int rc = params_ok(&one, params);
        if (!rc)
            rc = ddb_pq_plan(d, json_string_value(json_object_get(s, "Statement")), params, &plan, msg, sizeof msg);
        else
            snprintf(msg, sizeof msg, "%s", rn_call_msg(&one)), memset(&plan, 0, sizeof plan);
        if (!rc && plan.kind == DDB_PQ_SELECT && (!plan.key || plan.extra))
            rc = DDB_ERR_VALIDATION, snprintf(msg, sizeof msg, "Select statements within BatchExecuteStatement must "
                                                                "specify the primary key in the where clause.");
        json_t *table = json_object_get(plan.in, "TableName");
        json_t *entry = json_pack("{s:O?}", "TableName", table);
        json_t *out = NULL;
        rn_call_t sub;
        memset(&sub, 0, sizeof sub);
        if (!rc)
            rc = execute(d, &one, &sub, &plan, &out);
        if (rc) {
            char code[64];
            error_code(rc, code, sizeof code);
            json_object_set_new(entry, "Error", json_pack("{s:s,s:s}", "Code", code, "Message",
                                                          one.err ? rn_call_msg(&one) : msg));
            if (one.err_fields && json_object_get(one.err_fields, "Item"))
                json_object_set(json_object_get(entry, "Error"), "Item", json_object_get(one.err_fields, "Item"));
        } else if (plan.kind == DDB_PQ_SELECT) {
            json_t *item = json_array_get(json_object_get(out, "Items"), 0);
            if (item)
                json_object_set(entry, "Item", item);
        }
        json_array_append_new(responses, entry);
        json_decref(out);
        json_decref(plan.in);
        json_decref(plan.key);
        sub_free(&sub);
        sub_free(&one);
    }
    c->out = json_pack("{s:o}", "Responses", responses);
    return 0;
}

/* A planned write as one action of TransactWriteItems. */
static json_t *txn_action(const ddb_pq_plan_t *plan)
{
    const char *kind = plan->kind == DDB_PQ_INSERT ? "Put" : plan->kind == DDB_PQ_UPDATE ? "Update" : "Delete";
    json_t *a = json_deep_copy(plan->in);
    json_object_del(a, "ReturnValues");
    return json_pack("{s:o}", kind, a);
}

int ddb_execute_transaction(ddb_t *d, rn_call_t *c)
{
    json_t *stmts = json_object_get(c->in, "TransactStatements");
    size_t n = json_array_size(stmts);
    if (n < 1 || n > MAX_TXN)
        return rn_call_fail(c, DDB_ERR_VALIDATION,
                            "1 validation error detected: Value at 'transactStatements' failed to satisfy constraint: "
                            "Member must have length %s",
                            n < 1 ? "greater than or equal to 1" : "less than or equal to 100");
    json_t *writes = json_array(), *reads = json_array();
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        json_t *s = json_array_get(stmts, i);
        json_t *params = json_object_get(s, "Parameters");
        ddb_pq_plan_t plan;
        char msg[1024];
        rc = params_ok(c, params);
        if (!rc && (rc = ddb_pq_plan(d, json_string_value(json_object_get(s, "Statement")), params, &plan, msg,
                                     sizeof msg)))
            rn_call_fail(c, rc, "Validation failed in TransactStatements[%zu]: %s", i, msg);
        if (rc)
            break;
        if (plan.kind == DDB_PQ_SELECT) { /* a read: exactly a key lookup */
            if (!plan.key || plan.extra || json_object_get(plan.in, "IndexName"))
                rc = rn_call_fail(c, DDB_ERR_VALIDATION,
                                  "Validation failed in TransactStatements[%zu]: Select statements within "
                                  "ExecuteTransaction must specify the primary key in the where clause.",
                                  i);
            else
                json_array_append_new(reads, json_pack("{s:{s:O,s:O}}", "Get", "TableName",
                                                       json_object_get(plan.in, "TableName"), "Key", plan.key));
        } else {
            json_array_append_new(writes, txn_action(&plan));
        }
        json_decref(plan.in);
        json_decref(plan.key);
    }
    if (!rc && json_array_size(reads) && json_array_size(writes))
        rc = rn_call_fail(c, DDB_ERR_VALIDATION,
                          "ExecuteTransaction API does not support both read and write operations in the same request.");
    if (!rc) {
        rn_call_t sub;
        int is_read = json_array_size(reads) > 0;
        json_t *in = json_pack("{s:O}", "TransactItems", is_read ? reads : writes);
        const char *tok = json_string_value(json_object_get(c->in, "ClientRequestToken"));
        if (tok && !is_read)
            json_object_set_new(in, "ClientRequestToken", json_string(tok));
        sub_call(c, &sub, is_read ? "TransactGetItems" : "TransactWriteItems", in);
        rc = is_read ? ddb_transact_get(d, &sub) : ddb_transact_write(d, &sub);
        if (rc) {
            rn_call_fail(c, rc, "%s", rn_call_msg(&sub));
            c->err_fields = json_incref(sub.err_fields);
        } else {
            c->out = is_read ? json_pack("{s:O}", "Responses", json_object_get(sub.out, "Responses")) : json_object();
        }
        sub_free(&sub);
    }
    json_decref(writes);
    json_decref(reads);
    return rc;
}
