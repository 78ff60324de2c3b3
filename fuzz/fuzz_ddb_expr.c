/* SPDX-License-Identifier: MIT
 * Fuzz target for DynamoDB's expression language and numbers
 * (dynamodb/expr.c, eval.c, number.c, value.c). The first byte picks what
 * the first line is: 'C' a condition, 'U' an update expression, 'P' a
 * projection, 'N' a number, 'Q' a PartiQL statement (planned against no
 * tables; the second line is then its Parameters). The second line is ExpressionAttributeValues
 * (JSON, optional) and the third an item (JSON, optional): a parsed
 * expression is evaluated or applied to it. */
#include <jansson.h>
#include <stdint.h>
#include <string.h>

#include "core/mem.h"
#include "dynamodb/ddb_int.h"
#include "dynamodb/expr.h"
#include "dynamodb/partiql.h"

static char *line(const char **p, const char *end)
{
    const char *nl = memchr(*p, '\n', (size_t)(end - *p));
    const char *stop = nl ? nl : end;
    char *s = rn_strndup(*p, (size_t)(stop - *p));
    *p = nl ? nl + 1 : end;
    return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const char *p = (const char *)data + 1, *end = (const char *)data + size;
    char mode = (char)data[0];
    char *text = line(&p, end), *vals = line(&p, end), *itm = line(&p, end);
    json_t *values = vals ? json_loads(vals, 0, NULL) : NULL;
    json_t *item = itm ? json_loads(itm, 0, NULL) : NULL;
    char msg[1024];
    if (values && (!json_is_object(values) || json_object_size(values) == 0)) {
        json_decref(values);
        values = NULL;
    }
    if (values) { /* as the request path does: every value checked first */
        const char *k;
        json_t *v;
        json_object_foreach(values, k, v) if (ddb_value_check(v, 1, msg, sizeof msg)) {
            json_decref(values);
            values = NULL;
            break;
        }
    }
    if (item && (!json_is_object(item) || ddb_item_check(item, msg, sizeof msg))) {
        json_decref(item);
        item = NULL;
    }
    ddb_expr_t *e = ddb_expr_new();
    ddb_subst_t s = {json_pack("{s:s,s:s}", "#a", "a", "#b", "b.c"), values, NULL, NULL};
    if (text && e) {
        if (mode == 'Q') {
            ddb_t none = {0};
            ddb_pq_plan_t plan;
            json_t *params = vals ? json_loads(vals, 0, NULL) : NULL;
            if (!json_is_array(params)) {
                json_decref(params);
                params = NULL;
            }
            if (ddb_pq_plan(&none, text, params, &plan, msg, sizeof msg) == 0) {
                json_decref(plan.in);
                json_decref(plan.key);
            }
            json_decref(params);
        } else if (mode == 'N') {
            ddb_num_t n, sum;
            if (ddb_num_parse(text, strlen(text), &n) == 0) {
                char buf[320], key[64];
                ddb_num_format(&n, buf, sizeof buf);
                ddb_num_key(&n, key);
                ddb_num_add(&n, &n, 0, &sum);
                ddb_num_add(&n, &sum, 1, &sum);
            }
        } else if (mode == 'U') {
            ddb_action_t *a;
            int n;
            if (ddb_parse_update(e, text, &s, &a, &n, msg, sizeof msg) == 0 && item) {
                json_t *out = NULL;
                if (ddb_apply_update(a, n, item, &out, msg, sizeof msg) == 0)
                    ddb_item_size(out);
                json_decref(out);
            }
        } else if (mode == 'P') {
            ddb_path_t *paths;
            int n;
            if (ddb_parse_projection(e, text, &s, &paths, &n, msg, sizeof msg) == 0)
                json_decref(ddb_project(item, paths, n));
        } else {
            ddb_node_t *x;
            if (ddb_parse_condition(e, text, "ConditionExpression", &s, &x, msg, sizeof msg) == 0)
                ddb_eval(x, item, "ConditionExpression", msg, sizeof msg);
        }
        ddb_subst_check_unused(&s, msg, sizeof msg);
    }
    ddb_subst_free(&s);
    json_decref(s.names);
    ddb_expr_free(e);
    json_decref(values);
    json_decref(item);
    rn_free(text);
    rn_free(vals);
    rn_free(itm);
    return 0;
}
