/* SPDX-License-Identifier: MIT
 * The evaluator's inside, shared by intrinsic.c (the walk, Ref, Fn::GetAtt,
 * Fn::Sub), fn_value.c (the functions that compute values) and condition.c
 * (the functions that decide: Fn::If, Fn::Equals, Fn::And, Fn::Or, Fn::Not,
 * Condition, and the Conditions section). */
#ifndef RN_CFN_EVAL_INT_H
#define RN_CFN_EVAL_INT_H
#include "cloudformation/tmpl_int.h"

/* What Ref AWS::NoValue evaluates to inside the walk: never a real JSON
 * value (never incref'd or decref'd); arrays and objects drop it. */
extern char cfn_novalue_tag;
#define CFN_NOVALUE ((json_t *)&cfn_novalue_tag)

typedef struct cfn_rctx {
    const cfn_eval_t *ev;
    json_t *conds;    /* while the Conditions section is evaluated: the results so far; else NULL */
    json_t *visiting; /* the conditions being evaluated (to catch a cycle), or NULL */
    char *msg;
    size_t msglen;
    int depth;
} cfn_rctx_t;

/* Evaluates v (borrowed): the value, CFN_NOVALUE, or NULL with c->msg set.
 * Caller owns the value (not CFN_NOVALUE); free with json_decref(). */
json_t *cfn_eval_value(cfn_rctx_t *c, const json_t *v);
/* Evaluates v and insists on a scalar, returned as a string (numbers and
 * booleans as text); NULL with c->msg set to `what` when it is not one.
 * Caller owns the result; free with json_decref(). */
json_t *cfn_eval_string(cfn_rctx_t *c, const json_t *v, const char *what);
/* Evaluates a condition expression (a boolean function, {"Condition": X},
 * or a value that is "true"/"false"). Returns 1, 0, or -1 with c->msg. */
int cfn_eval_bool(cfn_rctx_t *c, const json_t *v, const char *what);
/* The value of condition `name`: 1, 0, or -1 with c->msg (`fn` names the
 * function asking, for AWS's "unresolved condition dependency X in Fn::If"). */
int cfn_condition_value(cfn_rctx_t *c, const char *name, const char *fn);
/* Writes msg and returns NULL (for one-line error returns). */
json_t *cfn_eval_fail(cfn_rctx_t *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* One function per long-form name: arg is the member's value (borrowed).
 * Each returns what cfn_eval_value returns, with the same ownership. */
typedef json_t *(*cfn_fn_t)(cfn_rctx_t *c, const json_t *arg);
json_t *cfn_fn_join(cfn_rctx_t *c, const json_t *arg);
json_t *cfn_fn_select(cfn_rctx_t *c, const json_t *arg);
json_t *cfn_fn_split(cfn_rctx_t *c, const json_t *arg);
json_t *cfn_fn_find_in_map(cfn_rctx_t *c, const json_t *arg);
json_t *cfn_fn_get_azs(cfn_rctx_t *c, const json_t *arg);
json_t *cfn_fn_base64(cfn_rctx_t *c, const json_t *arg);
json_t *cfn_fn_import_value(cfn_rctx_t *c, const json_t *arg);
json_t *cfn_fn_cidr(cfn_rctx_t *c, const json_t *arg);
json_t *cfn_fn_length(cfn_rctx_t *c, const json_t *arg);
json_t *cfn_fn_to_json_string(cfn_rctx_t *c, const json_t *arg);
json_t *cfn_fn_if(cfn_rctx_t *c, const json_t *arg);
json_t *cfn_fn_equals(cfn_rctx_t *c, const json_t *arg);
json_t *cfn_fn_and(cfn_rctx_t *c, const json_t *arg);
json_t *cfn_fn_or(cfn_rctx_t *c, const json_t *arg);
json_t *cfn_fn_not(cfn_rctx_t *c, const json_t *arg);
json_t *cfn_fn_condition(cfn_rctx_t *c, const json_t *arg);

#endif
