/* SPDX-License-Identifier: MIT
 * The legacy parameters as expression trees (legacy.h). */
#include <stdio.h>
#include <string.h>

#include "dynamodb/legacy.h"

#define INVALID "One or more parameter values were invalid: "

static ddb_node_t *value_node(ddb_expr_t *e, const json_t *v)
{
    ddb_node_t *x = ddb_expr_node(e, DN_VALUE, 0);
    if (x)
        x->value = v;
    return x;
}

static ddb_node_t *func(ddb_expr_t *e, const char *name, ddb_node_t *a, ddb_node_t *b)
{
    ddb_node_t *x = ddb_expr_node(e, DN_FUNC, b ? 2 : 1);
    if (!x)
        return NULL;
    x->fn = name;
    x->kid[0] = a;
    if (b)
        x->kid[1] = b;
    return x;
}

static ddb_node_t *binary(ddb_expr_t *e, int kind, ddb_node_t *a, ddb_node_t *b)
{
    ddb_node_t *x = ddb_expr_node(e, kind, 2);
    if (x) {
        x->kid[0] = a;
        x->kid[1] = b;
    }
    return x;
}

static const struct {
    const char *name;
    int args; /* -1: one or more */
} ops[] = {
    {"EQ", 1}, {"NE", 1}, {"LE", 1}, {"LT", 1}, {"GE", 1}, {"GT", 1}, {"NOT_NULL", 0}, {"NULL", 0},
    {"CONTAINS", 1}, {"NOT_CONTAINS", 1}, {"BEGINS_WITH", 1}, {"IN", -1}, {"BETWEEN", 2},
};

/* One attribute's condition: ComparisonOperator with AttributeValueList. */
static int comparison(rn_call_t *c, ddb_expr_t *e, const char *attr, const char *op, json_t *list, ddb_node_t **out)
{
    int k = -1;
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (!strcmp(op, ops[i].name))
            k = (int)i;
    if (k < 0)
        return rn_call_fail(c, DDB_ERR_VALIDATION,
                            "1 validation error detected: Value '%s' at 'comparisonOperator' failed to satisfy "
                            "constraint: Member must satisfy enum value set: [IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, "
                            "GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]",
                            op);
    size_t n = json_array_size(list);
    if ((ops[k].args >= 0 && n != (size_t)ops[k].args) || (ops[k].args < 0 && n < 1))
        return rn_call_fail(c, DDB_ERR_VALIDATION, INVALID "Invalid number of argument(s) for the %s ComparisonOperator",
                            op);
    char msg[600];
    for (size_t i = 0; i < n; i++)
        if (ddb_value_check(json_array_get(list, i), 1, msg, sizeof msg))
            return rn_call_fail(c, DDB_ERR_VALIDATION, "%s", msg);
    ddb_node_t *p = ddb_expr_path_node(e, attr);
    if (!p)
        return RN_ERR_NOMEM;
    ddb_node_t *x = NULL;
    static const int cmp[] = {CMP_EQ, CMP_NE, CMP_LE, CMP_LT, CMP_GE, CMP_GT};
    if (k < 6) {
        const char *t = ddb_type(json_array_get(list, 0));
        if (k >= 2 && t && strcmp(t, "S") && strcmp(t, "N") && strcmp(t, "B"))
            return rn_call_fail(c, DDB_ERR_VALIDATION, INVALID "ComparisonOperator %s is not valid for %s AttributeValue type",
                                op, t);
        x = binary(e, DN_CMP, p, value_node(e, json_array_get(list, 0)));
        if (x)
            x->op = cmp[k];
    } else if (k == 6 || k == 7) {
        x = func(e, k == 6 ? "attribute_exists" : "attribute_not_exists", p, NULL);
    } else if (k == 8 || k == 9) {
        x = func(e, "contains", p, value_node(e, json_array_get(list, 0)));
        if (x && k == 9) {
            ddb_node_t *no = ddb_expr_node(e, DN_NOT, 1);
            ddb_node_t *ex = func(e, "attribute_exists", ddb_expr_path_node(e, attr), NULL);
            if (!no || !ex)
                return RN_ERR_NOMEM;
            no->kid[0] = x;
            x = binary(e, DN_AND, ex, no);
        }
    } else if (k == 10) {
        x = func(e, "begins_with", p, value_node(e, json_array_get(list, 0)));
    } else if (k == 11) {
        x = ddb_expr_node(e, DN_IN, (int)n + 1);
        if (x) {
            x->kid[0] = p;
            for (size_t i = 0; i < n; i++)
                x->kid[i + 1] = value_node(e, json_array_get(list, i));
        }
    } else {
        x = ddb_expr_node(e, DN_BETWEEN, 3);
        if (x) {
            x->kid[0] = p;
            x->kid[1] = value_node(e, json_array_get(list, 0));
            x->kid[2] = value_node(e, json_array_get(list, 1));
        }
    }
    if (!x)
        return RN_ERR_NOMEM;
    *out = x;
    return 0;
}

/* Expected's entry for one attribute. */
static int expected_one(rn_call_t *c, ddb_expr_t *e, const char *attr, json_t *x, ddb_node_t **out)
{
    json_t *value = json_object_get(x, "Value"), *exists = json_object_get(x, "Exists");
    json_t *list = json_object_get(x, "AttributeValueList");
    const char *op = json_string_value(json_object_get(x, "ComparisonOperator"));
    if (op && exists)
        return rn_call_fail(c, DDB_ERR_VALIDATION, INVALID "Exists and ComparisonOperator cannot be used together for Attribute: %s", attr);
    if (value && list)
        return rn_call_fail(c, DDB_ERR_VALIDATION, INVALID "Value and AttributeValueList cannot be used together for Attribute: %s", attr);
    if (list && !op)
        return rn_call_fail(c, DDB_ERR_VALIDATION, INVALID "AttributeValueList can only be used with a ComparisonOperator for Attribute: %s", attr);
    if (op) {
        if (value) { /* Value with an operator: a list of one, kept in the call's input */
            json_object_set_new(x, "AttributeValueList", json_pack("[O]", value));
            list = json_object_get(x, "AttributeValueList");
        }
        if (!list && strcmp(op, "NULL") && strcmp(op, "NOT_NULL"))
            return rn_call_fail(c, DDB_ERR_VALIDATION, INVALID "Value or AttributeValueList must be used with ComparisonOperator: %s for Attribute: %s", op, attr);
        return comparison(c, e, attr, op, list, out);
    }
    int ex = exists ? json_is_true(exists) : 1;
    if (ex && !value)
        return rn_call_fail(c, DDB_ERR_VALIDATION, INVALID "Value must be provided when Exists is %s for Attribute: %s",
                            exists ? "true" : "null", attr);
    if (!ex && value)
        return rn_call_fail(c, DDB_ERR_VALIDATION, INVALID "Value cannot be used when Exists is false for Attribute: %s", attr);
    char msg[600];
    if (value && ddb_value_check(value, 1, msg, sizeof msg))
        return rn_call_fail(c, DDB_ERR_VALIDATION, "%s", msg);
    ddb_node_t *p = ddb_expr_path_node(e, attr);
    ddb_node_t *r = !ex ? func(e, "attribute_not_exists", p, NULL) : binary(e, DN_CMP, p, value_node(e, value));
    if (!p || !r)
        return RN_ERR_NOMEM;
    if (ex)
        r->op = CMP_EQ;
    *out = r;
    return 0;
}

/* A map attr -> entry combined with ConditionalOperator. */
static int combine(rn_call_t *c, ddb_expr_t *e, json_t *in, json_t *map, int expected, ddb_node_t **out)
{
    const char *cop = json_string_value(json_object_get(in, "ConditionalOperator"));
    if (cop && strcmp(cop, "AND") && strcmp(cop, "OR"))
        return rn_call_fail(c, DDB_ERR_VALIDATION,
                            "1 validation error detected: Value '%s' at 'conditionalOperator' failed to satisfy "
                            "constraint: Member must satisfy enum value set: [OR, AND]",
                            cop);
    int kind = cop && !strcmp(cop, "OR") ? DN_OR : DN_AND;
    ddb_node_t *acc = NULL;
    const char *attr;
    json_t *x;
    json_object_foreach(map, attr, x) {
        ddb_node_t *one = NULL;
        int rc;
        if (expected)
            rc = expected_one(c, e, ddb_expr_str(e, attr), x, &one);
        else
            rc = comparison(c, e, ddb_expr_str(e, attr),
                            json_string_value(json_object_get(x, "ComparisonOperator")) ?: "",
                            json_object_get(x, "AttributeValueList"), &one);
        if (rc)
            return rc;
        acc = acc ? binary(e, kind, acc, one) : one;
        if (!acc)
            return RN_ERR_NOMEM;
    }
    *out = acc;
    return 0;
}

int ddb_legacy_expected(rn_call_t *c, ddb_expr_t *e, json_t *in, ddb_node_t **out)
{
    json_t *map = json_object_get(in, "Expected");
    *out = NULL;
    if (!map || !json_object_size(map)) {
        if (json_object_get(in, "ConditionalOperator") && !map)
            return rn_call_fail(c, DDB_ERR_VALIDATION,
                                "ConditionalOperator can only be used when Filter or Expected has two or more elements");
        return 0;
    }
    if (json_object_get(in, "ConditionalOperator") && json_object_size(map) < 2)
        return rn_call_fail(c, DDB_ERR_VALIDATION,
                            "ConditionalOperator can only be used when Filter or Expected has two or more elements");
    return combine(c, e, in, map, 1, out);
}

int ddb_legacy_filter(rn_call_t *c, ddb_expr_t *e, json_t *in, const char *member, ddb_node_t **out)
{
    json_t *map = json_object_get(in, member);
    *out = NULL;
    if (!map || !json_object_size(map))
        return 0;
    return combine(c, e, in, map, 0, out);
}

int ddb_legacy_key_conditions(rn_call_t *c, ddb_expr_t *e, json_t *in, const ddb_keys_t *keys, ddb_node_t **out)
{
    json_t *map = json_object_get(in, "KeyConditions");
    *out = NULL;
    size_t n = json_object_size(map);
    if (n == 0 || n > 2)
        return rn_call_fail(c, DDB_ERR_VALIDATION, "Conditions can be of length 1 or 2 only");
    const char *attr;
    json_t *x;
    json_object_foreach(map, attr, x) {
        const char *op = json_string_value(json_object_get(x, "ComparisonOperator")) ?: "";
        int ok = !strcmp(op, "EQ") || (keys->range && !strcmp(attr, keys->range) &&
                                       (!strcmp(op, "LE") || !strcmp(op, "LT") || !strcmp(op, "GE") ||
                                        !strcmp(op, "GT") || !strcmp(op, "BEGINS_WITH") || !strcmp(op, "BETWEEN")));
        if (!ok && strcmp(op, "EQ") && (!strcmp(op, "NE") || !strcmp(op, "IN") || !strcmp(op, "NULL") ||
                                       !strcmp(op, "NOT_NULL") || !strcmp(op, "CONTAINS") ||
                                       !strcmp(op, "NOT_CONTAINS")))
            return rn_call_fail(c, DDB_ERR_VALIDATION, "Attempted conditional constraint is not an indexable operation");
        if (!ok)
            return rn_call_fail(c, DDB_ERR_VALIDATION, "Query key condition not supported");
    }
    return combine(c, e, in, map, 0, out);
}

int ddb_legacy_attribute_updates(rn_call_t *c, ddb_expr_t *e, json_t *in, ddb_action_t **out, int *n)
{
    json_t *map = json_object_get(in, "AttributeUpdates");
    *out = NULL;
    *n = 0;
    if (!map)
        return 0;
    ddb_action_t *a = ddb_expr_alloc(e, (json_object_size(map) + 1) * sizeof *a);
    if (!a)
        return RN_ERR_NOMEM;
    const char *attr;
    json_t *x;
    int k = 0;
    json_object_foreach(map, attr, x) {
        const char *act = json_string_value(json_object_get(x, "Action")) ?: "PUT";
        json_t *v = json_object_get(x, "Value");
        char msg[600];
        if (v && ddb_value_check(v, 1, msg, sizeof msg))
            return rn_call_fail(c, DDB_ERR_VALIDATION, "%s", msg);
        const char *t = v ? ddb_type(v) : NULL;
        ddb_node_t *p = ddb_expr_path_node(e, attr);
        if (!p)
            return RN_ERR_NOMEM;
        a[k].path = p->path;
        if (!v && strcmp(act, "DELETE"))
            return rn_call_fail(c, DDB_ERR_VALIDATION, INVALID "Only DELETE action is allowed when no attribute value is specified");
        if (!strcmp(act, "PUT")) {
            a[k].kind = UP_SET;
        } else if (!strcmp(act, "ADD")) {
            if (strcmp(t, "N") && strcmp(t, "SS") && strcmp(t, "NS") && strcmp(t, "BS") && strcmp(t, "L"))
                return rn_call_fail(c, DDB_ERR_VALIDATION, INVALID "ADD action is not supported for the type %s", t);
            a[k].kind = UP_ADD;
        } else if (!strcmp(act, "DELETE")) {
            if (v && strcmp(t, "SS") && strcmp(t, "NS") && strcmp(t, "BS"))
                return rn_call_fail(c, DDB_ERR_VALIDATION, INVALID "DELETE action with value is not supported for the type %s", t);
            a[k].kind = v ? UP_DELETE : UP_REMOVE;
        } else {
            return rn_call_fail(c, DDB_ERR_VALIDATION,
                                "1 validation error detected: Value '%s' at 'attributeUpdates.%s.member.action' failed "
                                "to satisfy constraint: Member must satisfy enum value set: [ADD, PUT, DELETE]",
                                act, attr);
        }
        if (v && !(a[k].value = value_node(e, v)))
            return RN_ERR_NOMEM;
        k++;
    }
    *out = a;
    *n = k;
    return 0;
}

int ddb_legacy_attributes_to_get(rn_call_t *c, ddb_expr_t *e, json_t *in, ddb_path_t **out, int *n)
{
    json_t *list = json_object_get(in, "AttributesToGet");
    *out = NULL;
    *n = 0;
    if (!list)
        return 0;
    size_t k = json_array_size(list);
    if (k == 0)
        return rn_call_fail(c, DDB_ERR_VALIDATION,
                            "1 validation error detected: Value '[]' at 'attributesToGet' failed to satisfy "
                            "constraint: Member must have length greater than or equal to 1");
    ddb_path_t *p = ddb_expr_alloc(e, k * sizeof *p);
    if (!p)
        return RN_ERR_NOMEM;
    for (size_t i = 0; i < k; i++) {
        const char *name = json_string_value(json_array_get(list, i)) ?: "";
        for (size_t j = 0; j < i; j++)
            if (!strcmp(name, json_string_value(json_array_get(list, j)) ?: ""))
                return rn_call_fail(c, DDB_ERR_VALIDATION, INVALID "Duplicate value in attribute name: %s", name);
        ddb_node_t *x = ddb_expr_path_node(e, name);
        if (!x)
            return RN_ERR_NOMEM;
        p[i] = x->path;
    }
    *out = p;
    *n = (int)k;
    return 0;
}
