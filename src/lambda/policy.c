/* SPDX-License-Identifier: MIT
 * Resource policies: AddPermission, RemovePermission, GetPolicy. Statements
 * are stored with the function ($LATEST's record) and reported as AWS
 * renders them; they are not enforced (Runnel has no IAM). */
#include <stdio.h>
#include <string.h>

#include "core/ids.h"
#include "core/json_alloc.h"
#include "core/mem.h"
#include "core/params.h"
#include "lambda/lambda_int.h"

static json_t *statement(const lambda_t *L, const lambda_fn_t *fn, const json_t *in)
{
    char arn[320];
    lambda_fn_arn(L, fn->name, arn, sizeof arn);
    const char *principal = rn_param_str(in, "Principal");
    json_t *p;
    if (strchr(principal, '.')) /* a service: events.amazonaws.com */
        p = json_pack("{s:s}", "Service", principal);
    else if (!strncmp(principal, "arn:", 4) || !strcmp(principal, "*"))
        p = strcmp(principal, "*") ? json_pack("{s:s}", "AWS", principal) : json_string("*");
    else { /* an account id */
        char root[64];
        snprintf(root, sizeof root, "arn:aws:iam::%s:root", principal);
        p = json_pack("{s:s}", "AWS", root);
    }
    json_t *st = json_pack("{s:s,s:s,s:o,s:s,s:s}", "Sid", rn_param_str(in, "StatementId"), "Effect", "Allow",
                           "Principal", p, "Action", rn_param_str(in, "Action"), "Resource", arn);
    json_t *cond = json_object();
    const char *src = rn_param_str(in, "SourceArn"), *acct = rn_param_str(in, "SourceAccount");
    if (src)
        json_object_set_new(cond, "ArnLike", json_pack("{s:s}", "AWS:SourceArn", src));
    if (acct)
        json_object_set_new(cond, "StringEquals", json_pack("{s:s}", "AWS:SourceAccount", acct));
    if (json_object_size(cond))
        json_object_set_new(st, "Condition", cond);
    else
        json_decref(cond);
    return st;
}

static char *dump(const json_t *v)
{
    char *s = json_dumps(v, JSON_COMPACT);
    char *r = s ? rn_strdup(s) : NULL;
    rn_json_free(s);
    return r;
}

int lambda_policy_call(lambda_t *L, rn_call_t *c)
{
    lambda_fn_t *fn = lambda_find_qualified(L, c, rn_param_str(c->in, "FunctionName"),
                                            rn_param_str(c->in, "Qualifier"));
    if (!fn)
        return c->err;
    if (!fn->policy)
        fn->policy = json_array();
    const char *sid = rn_param_str(c->in, "StatementId");
    size_t at = (size_t)-1, i;
    json_t *st;
    json_array_foreach(fn->policy, i, st) if (sid && !strcmp(json_string_value(json_object_get(st, "Sid")) ?: "", sid))
        at = i;
    if (!strcmp(c->op, "GetPolicy")) {
        if (!json_array_size(fn->policy))
            return rn_call_fail(c, LAMBDA_ERR_NOT_FOUND, "The resource you requested does not exist.");
        json_t *doc = json_pack("{s:s,s:s,s:O}", "Version", "2012-10-17", "Id", "default", "Statement", fn->policy);
        char *text = dump(doc);
        json_decref(doc);
        c->out = json_pack("{s:s,s:O}", "Policy", text ? text : "{}", "RevisionId",
                           json_object_get(fn->cfg, "RevisionId"));
        rn_free(text);
        return 0;
    }
    if (!strcmp(c->op, "RemovePermission")) {
        if (at == (size_t)-1)
            return rn_call_fail(c, LAMBDA_ERR_NOT_FOUND, "Statement %s is not found in resource policy.",
                                sid ? sid : "");
        json_array_remove(fn->policy, at);
        lambda_fn_persist(fn);
        c->out = json_object();
        return 0;
    }
    if (!sid || !rn_param_str(c->in, "Action") || !rn_param_str(c->in, "Principal"))
        return rn_call_fail(c, LAMBDA_ERR_VALIDATION,
                            "1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must "
                            "not be null",
                            !sid ? "statementId" : !rn_param_str(c->in, "Action") ? "action" : "principal");
    if (at != (size_t)-1)
        return rn_call_fail(c, LAMBDA_ERR_CONFLICT,
                            "The statement id (%s) provided already exists. Please provide a new statement id, or "
                            "remove the existing statement.",
                            sid);
    st = statement(L, fn, c->in);
    char *text = dump(st);
    json_array_append_new(fn->policy, st);
    lambda_fn_persist(fn);
    c->out = json_pack("{s:s}", "Statement", text ? text : "{}");
    rn_free(text);
    return 0;
}
