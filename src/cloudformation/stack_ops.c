/* SPDX-License-Identifier: MIT
 * CreateStack, UpdateStack and DeleteStack: the checks AWS makes before a
 * stack operation begins (names, template, capabilities, parameters,
 * statuses), then the engine (stack.c). Also what change sets share: a
 * template made ready (parse, transform, checks) and the capabilities it
 * needs. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "cloudformation/cfn_state.h"
#include "core/ids.h"

#define BODY_MAX 51200

static const char *str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

int cfn_prepare(const char *body, json_t **tpl, int *transformed, char *msg, size_t msglen)
{
    json_t *raw = NULL, *t = NULL;
    if (cfn_template_parse(body, strlen(body), &raw, msg, msglen) != 0)
        return -1;
    if (transformed)
        *transformed = json_object_get(raw, "Transform") != NULL;
    const char *base = NULL;
    if (cfn_sam_transform(raw, base, &t, msg, msglen) != 0) {
        json_decref(raw);
        return -1;
    }
    json_decref(raw);
    if (cfn_template_check(t, msg, msglen) != 0) {
        json_decref(t);
        return -1;
    }
    *tpl = t;
    return 0;
}

int cfn_capabilities(const json_t *tpl, int transformed, const json_t *given, char *msg, size_t msglen)
{
    static const struct {
        const char *type, *name_prop;
    } iam[] = {
        {"AWS::IAM::Role", "RoleName"},        {"AWS::IAM::ManagedPolicy", "ManagedPolicyName"},
        {"AWS::IAM::User", "UserName"},        {"AWS::IAM::Group", "GroupName"},
        {"AWS::IAM::InstanceProfile", "InstanceProfileName"}, {"AWS::IAM::Policy", NULL},
        {"AWS::IAM::AccessKey", NULL},         {"AWS::IAM::UserToGroupAddition", NULL},
        {"AWS::IAM::RolePolicy", NULL},        {"AWS::IAM::GroupPolicy", NULL},
        {"AWS::IAM::UserPolicy", NULL},
    };
    int need_iam = 0, need_named = 0;
    const char *k;
    json_t *r;
    json_object_foreach(json_object_get(tpl, "Resources"), k, r) {
        const char *type = str(r, "Type");
        for (size_t i = 0; type && i < sizeof iam / sizeof iam[0]; i++) {
            if (strcmp(type, iam[i].type) != 0)
                continue;
            need_iam = 1;
            if (iam[i].name_prop && json_object_get(json_object_get(r, "Properties"), iam[i].name_prop))
                need_named = 1;
        }
    }
    const char *missing = NULL;
    if (transformed && !cfn_list_has(given, "CAPABILITY_AUTO_EXPAND"))
        missing = "CAPABILITY_AUTO_EXPAND";
    else if (need_named && !cfn_list_has(given, "CAPABILITY_NAMED_IAM"))
        missing = "CAPABILITY_NAMED_IAM";
    else if (need_iam && !cfn_list_has(given, "CAPABILITY_IAM") && !cfn_list_has(given, "CAPABILITY_NAMED_IAM"))
        missing = "CAPABILITY_IAM";
    if (!missing)
        return 0;
    snprintf(msg, msglen, "Requires capabilities : [%s]", missing);
    return -1;
}

/* A stack name as AWS allows it; 0, or the call's error. */
static int check_name(rn_call_t *call, const char *name)
{
    int ok = name && isalpha((unsigned char)name[0]) && strlen(name) <= 128;
    for (const char *p = name; ok && *p; p++)
        ok = isalnum((unsigned char)*p) || *p == '-';
    if (ok)
        return 0;
    if (name && strlen(name) > 128)
        return rn_call_fail(call, CFN_ERR_VALIDATION,
                            "1 validation error detected: Value '%s' at 'stackName' failed to satisfy constraint: "
                            "Member must have length less than or equal to 128",
                            name);
    return rn_call_fail(call, CFN_ERR_VALIDATION,
                        "1 validation error detected: Value '%s' at 'stackName' failed to satisfy constraint: Member "
                        "must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*|arn:[-a-zA-Z0-9:/._+]*",
                        name ? name : "");
}

const char *cfn_body_of(rn_call_t *call, const char *previous)
{
    const char *body = str(call->in, "TemplateBody"), *url = str(call->in, "TemplateURL");
    int use_prev = json_is_true(json_object_get(call->in, "UsePreviousTemplate"));
    if (use_prev && previous && !body && !url)
        return previous;
    if (body && url) {
        rn_call_fail(call, CFN_ERR_VALIDATION, "Specify exactly one of TemplateBody or TemplateUrl.");
        return NULL;
    }
    if (url) {
        rn_call_fail(call, CFN_ERR_VALIDATION,
                     "TemplateURL is not supported: Runnel has no S3. Send the template as TemplateBody.");
        return NULL;
    }
    if (!body) {
        rn_call_fail(call, CFN_ERR_VALIDATION, "Either Template URL or Template Body must be specified.");
        return NULL;
    }
    if (strlen(body) > BODY_MAX) {
        rn_call_fail(call, CFN_ERR_VALIDATION,
                     "1 validation error detected: Value at 'templateBody' failed to satisfy constraint: Member must "
                     "have length less than or equal to %d",
                     BODY_MAX);
        return NULL;
    }
    return body;
}

int cfn_precheck(cfn_t *c, const char *stack_name, const json_t *tpl, const json_t *params, char *msg, size_t msglen)
{
    cfn_eval_t ev = {0};
    json_t *none = json_object(), *conds = NULL, *order = NULL;
    ev.tpl = tpl;
    ev.params = params;
    ev.resources = none;
    ev.exports = none;
    ev.account = c->cfg->account_id;
    ev.region = c->cfg->region;
    ev.stack_name = stack_name;
    ev.stack_id = "";
    int rc = cfn_conditions_eval(&ev, &conds, msg, msglen);
    if (rc == 0)
        rc = cfn_order(tpl, conds, &order, msg, msglen);
    json_decref(conds);
    json_decref(order);
    json_decref(none);
    return rc;
}

/* The call's template made ready (prepared, capabilities checked, its
 * conditions and order sound) and its parameters resolved over `previous`:
 * 0 with *tpl and *params (new), or the call's error. */
static int ready(cfn_t *c, rn_call_t *call, const char *body, const json_t *previous, json_t **tpl, json_t **params)
{
    char msg[1024];
    int transformed = 0;
    if (cfn_prepare(body, tpl, &transformed, msg, sizeof msg) != 0)
        return rn_call_fail(call, CFN_ERR_VALIDATION, "%s", msg);
    if (cfn_capabilities(*tpl, transformed, json_object_get(call->in, "Capabilities"), msg, sizeof msg) != 0) {
        json_decref(*tpl);
        return rn_call_fail(call, CFN_ERR_CAPABILITIES, "%s", msg);
    }
    if (cfn_params_resolve(*tpl, json_object_get(call->in, "Parameters"), previous, params, msg, sizeof msg) != 0) {
        json_decref(*tpl);
        return rn_call_fail(call, CFN_ERR_VALIDATION, "%s", msg);
    }
    if (cfn_precheck(c, str(call->in, "StackName"), *tpl, *params, msg, sizeof msg) != 0) {
        json_decref(*tpl);
        json_decref(*params);
        return rn_call_fail(call, CFN_ERR_VALIDATION, "%s", msg);
    }
    return 0;
}

/* A new stack object (not yet in c->stacks). */
static json_t *new_stack(cfn_t *c, rn_call_t *call, const char *name, const char *body, json_t *tpl, json_t *params)
{
    char uuid[37], id[512];
    rn_uuid(uuid);
    snprintf(id, sizeof id, "arn:aws:cloudformation:%s:%s:stack/%s/%s", c->cfg->region, c->cfg->account_id, name, uuid);
    json_t *st = json_pack("{s:s,s:s,s:f,s:s,s:o,s:o,s:{},s:[]}", "StackId", id, "StackName", name, "Created",
                           cfn_now(), "Body", body, "Template", tpl, "Parameters", params, "Resources", "Order");
    static const char *const copy[] = {"Capabilities", "Tags", "NotificationARNs", "RoleARN", "DisableRollback",
                                       "TimeoutInMinutes", "EnableTerminationProtection", "StackPolicyBody", NULL};
    for (int i = 0; copy[i]; i++)
        if (json_object_get(call->in, copy[i]))
            json_object_set(st, copy[i], json_object_get(call->in, copy[i]));
    if (json_object_get(tpl, "Description"))
        json_object_set(st, "Description", json_object_get(tpl, "Description"));
    return st;
}

int cfn_op_create_stack(cfn_t *c, rn_call_t *call)
{
    const char *name = str(call->in, "StackName");
    if (check_name(call, name))
        return call->err;
    const char *body = cfn_body_of(call, NULL);
    if (!body)
        return call->err;
    if (json_object_get(call->in, "OnFailure") && json_object_get(call->in, "DisableRollback"))
        return rn_call_fail(call, CFN_ERR_VALIDATION, "You cannot specify both DisableRollback and OnFailure.");
    if (cfn_stack_find(c, name, 0))
        return rn_call_fail(call, CFN_ERR_ALREADY_EXISTS, "Stack [%s] already exists", name);
    json_t *tpl, *params;
    if (ready(c, call, body, NULL, &tpl, &params) != 0)
        return call->err;
    json_t *st = new_stack(c, call, name, body, tpl, params);
    json_object_set_new(c->stacks, str(st, "StackId"), st);
    const char *on_failure = str(call->in, "OnFailure");
    if (json_is_true(json_object_get(call->in, "DisableRollback")))
        on_failure = "DO_NOTHING";
    cfn_stack_create(c, st, on_failure);
    call->out = json_pack("{s:O}", "StackId", json_object_get(st, "StackId"));
    return 0;
}

json_t *cfn_updatable(cfn_t *c, rn_call_t *call, const char *name)
{
    json_t *st = cfn_stack_find(c, name, 0);
    if (!st) {
        rn_call_fail(call, CFN_ERR_VALIDATION, "Stack [%s] does not exist", name ? name : "");
        return NULL;
    }
    static const char *const ok[] = {"CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE",
                                     "IMPORT_COMPLETE", "IMPORT_ROLLBACK_COMPLETE", NULL};
    const char *s = str(st, "Status");
    for (int i = 0; ok[i]; i++)
        if (strcmp(ok[i], s) == 0)
            return st;
    rn_call_fail(call, CFN_ERR_VALIDATION, "Stack:%s is in %s state and can not be updated.", str(st, "StackId"), s);
    return NULL;
}

int cfn_op_update_stack(cfn_t *c, rn_call_t *call)
{
    const char *name = str(call->in, "StackName");
    json_t *st = cfn_updatable(c, call, name);
    if (!st)
        return call->err;
    const char *body = cfn_body_of(call, str(st, "Body"));
    if (!body)
        return call->err;
    json_t *tpl, *params;
    if (ready(c, call, body, json_object_get(st, "Parameters"), &tpl, &params) != 0)
        return call->err;
    char *body_copy = strdup(body);
    int rc = cfn_stack_update(c, st, body_copy, tpl, params);
    free(body_copy);
    if (rc != 0)
        return rn_call_fail(call, CFN_ERR_VALIDATION, "No updates are to be performed.");
    call->out = json_pack("{s:O}", "StackId", json_object_get(st, "StackId"));
    return 0;
}

int cfn_op_delete_stack(cfn_t *c, rn_call_t *call)
{
    json_t *st = cfn_stack_find(c, str(call->in, "StackName"), 0);
    call->out = json_object();
    if (!st)
        return 0; /* AWS answers a missing stack's delete with success */
    if (json_is_true(json_object_get(st, "EnableTerminationProtection")))
        return rn_call_fail(call, CFN_ERR_VALIDATION,
                            "Stack [%s] cannot be deleted while TerminationProtection is enabled", str(st, "StackName"));
    const json_t *retain = json_object_get(call->in, "RetainResources");
    if (json_array_size(retain) && strcmp(str(st, "Status"), "DELETE_FAILED") != 0)
        return rn_call_fail(call, CFN_ERR_VALIDATION,
                            "Invalid operation on stack [%s]. RetainResources can only be specified when the stack "
                            "is in the DELETE_FAILED state",
                            str(st, "StackId"));
    /* An export another stack imports keeps the stack. */
    const char *k;
    json_t *other;
    json_object_foreach(c->stacks, k, other) {
        if (other == st || strcmp(str(other, "Status"), "DELETE_COMPLETE") == 0)
            continue;
        size_t i, j;
        json_t *imp, *o;
        json_array_foreach(json_object_get(other, "Imports"), i, imp) {
            json_array_foreach(json_object_get(st, "Outputs"), j, o) {
                const char *ex = str(o, "ExportName");
                if (ex && json_is_string(imp) && strcmp(ex, json_string_value(imp)) == 0) {
                    char why[1200];
                    snprintf(why, sizeof why, "Export %s cannot be deleted as it is in use by %s", ex,
                             str(other, "StackName"));
                    cfn_stack_status(c, st, "DELETE_IN_PROGRESS", "User Initiated");
                    cfn_stack_status(c, st, "DELETE_FAILED", why);
                    cfn_save_stack(c, st);
                    return 0;
                }
            }
        }
    }
    /* change sets of the stack go with it */
    json_t *cs;
    void *tmp;
    json_object_foreach_safe(c->changesets, tmp, k, cs) if (strcmp(str(cs, "StackId"), str(st, "StackId")) == 0)
        cfn_drop_changeset(c, k);
    cfn_stack_delete(c, st, retain);
    return 0;
}
