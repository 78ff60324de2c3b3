/* SPDX-License-Identifier: MIT
 * The deciding functions (Fn::Equals, Fn::And, Fn::Or, Fn::Not, Condition)
 * and Fn::If, plus the Conditions section itself. Conditions may name one
 * another in any order, so each is evaluated on first use and remembered;
 * the ones under evaluation are tracked so a cycle is an error, not a
 * stack overflow. Inside the Conditions section Ref reaches parameters only. */
#include <stdio.h>
#include <string.h>

#include "cloudformation/eval_int.h"

/* A condition's definition evaluated with the Conditions-section rules. */
static int evaluate_definition(cfn_rctx_t *c, const char *name, const json_t *def)
{
    if (json_object_get(c->visiting, name))
        return cfn_eval_fail(c, "Template format error: Circular dependency between conditions: [%s]", name), -1;
    json_object_set_new(c->visiting, name, json_true());
    int b = cfn_eval_bool(c, def,
                          "Template format error: Conditions can only be boolean operations on parameters "
                          "and other conditions");
    json_object_del(c->visiting, name);
    if (b >= 0)
        json_object_set_new(c->conds, name, json_boolean(b));
    return b;
}

int cfn_condition_value(cfn_rctx_t *c, const char *name, const char *fn)
{
    const json_t *def = json_object_get(json_object_get(c->ev->tpl, "Conditions"), name);
    json_t *known = json_object_get(c->conds ? c->conds : c->ev->conditions, name);
    if (known)
        return json_is_true(known);
    if (!def) {
        cfn_eval_fail(c, "Template error: unresolved condition dependency %s in %s", name, fn);
        return -1;
    }
    if (c->conds)
        return evaluate_definition(c, name, def);
    if (c->ev->conditions) { /* evaluated, yet not there: only a caller's mistake gets here */
        cfn_eval_fail(c, "Template error: unresolved condition dependency %s in %s", name, fn);
        return -1;
    }
    /* the caller gave no conditions: work this one out on the spot */
    cfn_rctx_t sub = {c->ev, json_object(), json_object(), c->msg, c->msglen, c->depth};
    int b = evaluate_definition(&sub, name, def);
    json_decref(sub.conds);
    json_decref(sub.visiting);
    return b;
}

int cfn_eval_bool(cfn_rctx_t *c, const json_t *v, const char *what)
{
    const json_t *cond = json_object_size(v) == 1 ? json_object_get(v, "Condition") : NULL;
    if (json_is_string(cond))
        return cfn_condition_value(c, json_string_value(cond), "Condition");
    json_t *r = cfn_eval_value(c, v);
    if (!r)
        return -1;
    int b = -1;
    if (r == CFN_NOVALUE)
        b = -1;
    else if (json_is_boolean(r))
        b = json_is_true(r);
    else if (json_is_string(r) && strcmp(json_string_value(r), "true") == 0)
        b = 1;
    else if (json_is_string(r) && strcmp(json_string_value(r), "false") == 0)
        b = 0;
    if (r != CFN_NOVALUE)
        json_decref(r);
    if (b < 0)
        cfn_eval_fail(c, "%s", what);
    return b;
}

json_t *cfn_fn_condition(cfn_rctx_t *c, const json_t *arg)
{
    if (!json_is_string(arg))
        return cfn_eval_fail(c, "Template error: All Conditions must be of type string");
    int b = cfn_condition_value(c, json_string_value(arg), "Condition");
    return b < 0 ? NULL : json_boolean(b);
}

json_t *cfn_fn_if(cfn_rctx_t *c, const json_t *arg)
{
    const char *name = json_string_value(json_array_get(arg, 0));
    if (!name)
        return cfn_eval_fail(c, "%s", cfn_msg_if_first);
    if (json_array_size(arg) != 3)
        return cfn_eval_fail(c, "%s", cfn_msg_if_three);
    int b = cfn_condition_value(c, name, "Fn::If");
    if (b < 0)
        return NULL;
    return cfn_eval_value(c, json_array_get(arg, b ? 1 : 2)); /* the other branch is never evaluated */
}

/* Scalars compare as the text they stand for ("true" equals true, "5"
 * equals 5), as CloudFormation compares parameter values with literals. */
static int same(const json_t *a, const json_t *b)
{
    json_t *sa = cfn_scalar_string(a), *sb = cfn_scalar_string(b);
    int eq = sa && sb ? json_equal(sa, sb) : json_equal(a, b);
    json_decref(sa);
    json_decref(sb);
    return eq;
}

json_t *cfn_fn_equals(cfn_rctx_t *c, const json_t *arg)
{
    if (!json_is_array(arg) || json_array_size(arg) != 2)
        return cfn_eval_fail(c, "%s", cfn_msg_equals_shape);
    json_t *a = cfn_eval_value(c, json_array_get(arg, 0));
    json_t *b = a ? cfn_eval_value(c, json_array_get(arg, 1)) : NULL;
    json_t *out = NULL;
    if (a && b) {
        if (a == CFN_NOVALUE || b == CFN_NOVALUE)
            out = json_boolean(a == b);
        else
            out = json_boolean(same(a, b));
    }
    if (a && a != CFN_NOVALUE)
        json_decref(a);
    if (b && b != CFN_NOVALUE)
        json_decref(b);
    return out;
}

static json_t *and_or(cfn_rctx_t *c, const json_t *arg, int is_and)
{
    char shape[160];
    snprintf(shape, sizeof shape,
             "Template error: every %s object requires a list of at least 2 and at most 10 boolean parameters.",
             is_and ? "Fn::And" : "Fn::Or");
    size_t n = json_array_size(arg), i;
    if (!json_is_array(arg) || n < 2 || n > 10)
        return cfn_eval_fail(c, "%s", shape);
    int acc = is_and;
    json_t *m;
    json_array_foreach(arg, i, m) {
        int b = cfn_eval_bool(c, m, shape);
        if (b < 0)
            return NULL;
        acc = is_and ? acc && b : acc || b;
    }
    return json_boolean(acc);
}

json_t *cfn_fn_and(cfn_rctx_t *c, const json_t *arg)
{
    return and_or(c, arg, 1);
}

json_t *cfn_fn_or(cfn_rctx_t *c, const json_t *arg)
{
    return and_or(c, arg, 0);
}

json_t *cfn_fn_not(cfn_rctx_t *c, const json_t *arg)
{
    if (!json_is_array(arg) || json_array_size(arg) != 1)
        return cfn_eval_fail(c, "%s", cfn_msg_not_shape);
    int b = cfn_eval_bool(c, json_array_get(arg, 0),
                          "Template error: Fn::Not requires a list argument with one "
                          "function token");
    return b < 0 ? NULL : json_boolean(!b);
}

int cfn_conditions_eval(const cfn_eval_t *ev, json_t **out, char *msg, size_t msglen)
{
    cfn_rctx_t c = {ev, json_object(), json_object(), msg, msglen, 0};
    const char *k;
    json_t *def;
    *out = NULL;
    json_object_foreach(json_object_get(ev->tpl, "Conditions"), k, def) {
        if (cfn_condition_value(&c, k, "Condition") < 0) {
            json_decref(c.conds);
            json_decref(c.visiting);
            return -1;
        }
    }
    json_decref(c.visiting);
    *out = c.conds;
    return 0;
}
