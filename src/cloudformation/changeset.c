/* SPDX-License-Identifier: MIT
 * Change sets: what `aws cloudformation deploy` uses. A change set holds a
 * prepared template and parameters with the changes they would make
 * (cfn_diff); executing it runs the engine as CreateStack or UpdateStack
 * would. A CREATE change set makes the stack at once, in
 * REVIEW_IN_PROGRESS, as AWS does. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "cloudformation/cfn_state.h"
#include "core/ids.h"

static const char *str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* The resolved properties of def over the stack's live resources, or NULL
 * when they depend on something not made yet. */
static json_t *props_now(cfn_t *c, const json_t *st, const json_t *tpl, const json_t *params, const json_t *def)
{
    cfn_eval_t ev = {0};
    ev.tpl = tpl;
    ev.params = params;
    ev.resources = json_object_get(st, "Resources");
    json_t *exports = cfn_exports(c, str(st, "StackId"));
    ev.exports = exports;
    ev.account = c->cfg->account_id;
    ev.region = c->cfg->region;
    ev.stack_name = str(st, "StackName");
    ev.stack_id = str(st, "StackId");
    char msg[512];
    json_t *conds = NULL;
    if (cfn_conditions_eval(&ev, &conds, msg, sizeof msg) == 0)
        ev.conditions = conds;
    const json_t *p = json_object_get(def, "Properties");
    json_t *r = p ? cfn_resolve(&ev, p, msg, sizeof msg) : json_object();
    json_decref(conds);
    json_decref(exports);
    return r;
}

json_t *cfn_diff(cfn_t *c, const json_t *st, const json_t *tpl, const json_t *params)
{
    json_t *changes = json_array();
    const json_t *live = json_object_get(st, "Resources");
    const char *k;
    json_t *def;
    json_object_foreach(json_object_get(tpl, "Resources"), k, def) {
        const char *type = str(def, "Type");
        json_t *old = json_object_get(live, k);
        json_t *rc = json_pack("{s:s,s:s,s:[],s:[]}", "LogicalResourceId", k, "ResourceType", type ? type : "", "Scope",
                               "Details");
        if (!old || !str(old, "Ref")) {
            json_object_set_new(rc, "Action", json_string("Add"));
        } else {
            json_t *now = props_now(c, st, tpl, params, def);
            const json_t *was = json_object_get(old, "Props");
            if (now && strcmp(str(old, "Type"), type ? type : "") == 0 && json_equal(now, was)) {
                json_decref(now);
                json_decref(rc);
                continue;
            }
            const cfn_provider_t *p = cfn_provider(type);
            const char *replacement = "False";
            json_t *scope = json_object_get(rc, "Scope"), *details = json_object_get(rc, "Details");
            json_array_append_new(scope, json_string("Properties"));
            if (!now) {
                replacement = "Conditional";
            } else if (!p || !p->update || strcmp(str(old, "Type"), type ? type : "") != 0) {
                replacement = "True";
            }
            /* one detail per property that differs */
            json_t *names = json_object();
            const char *pk;
            json_t *pv;
            json_object_foreach(now, pk, pv) if (!json_equal(pv, json_object_get(was, pk)))
                json_object_set_new(names, pk, json_true());
            json_object_foreach((json_t *)was, pk, pv) if (!json_object_get(now, pk))
                json_object_set_new(names, pk, json_true());
            json_object_foreach(names, pk, pv) {
                int recreate = 0;
                for (const char *const *r = p ? p->replace : NULL; r && *r; r++)
                    recreate |= strcmp(*r, pk) == 0;
                if (recreate && strcmp(replacement, "False") == 0)
                    replacement = "True";
                json_array_append_new(details, json_pack("{s:{s:s,s:s,s:s},s:s,s:s}", "Target", "Attribute",
                                                         "Properties", "Name", pk, "RequiresRecreation",
                                                         recreate ? "Always" : "Never", "Evaluation", "Static",
                                                         "ChangeSource", "DirectModification"));
            }
            json_decref(names);
            json_decref(now);
            json_object_set_new(rc, "Action", json_string("Modify"));
            json_object_set_new(rc, "Replacement", json_string(replacement));
            json_object_set(rc, "PhysicalResourceId", json_object_get(old, "Ref"));
        }
        json_array_append_new(changes, json_pack("{s:s,s:o}", "Type", "Resource", "ResourceChange", rc));
    }
    json_t *old;
    json_object_foreach((json_t *)live, k, old) {
        if (json_object_get(json_object_get(tpl, "Resources"), k) || !str(old, "Ref"))
            continue;
        json_array_append_new(changes,
                              json_pack("{s:s,s:{s:s,s:s,s:s,s:O,s:s,s:[],s:[]}}", "Type", "Resource", "ResourceChange",
                                        "Action", "Remove", "PolicyAction", "Delete", "LogicalResourceId", k,
                                        "PhysicalResourceId", json_object_get(old, "Ref"), "ResourceType",
                                        str(old, "Type"), "Scope", "Details"));
    }
    return changes;
}

/* The change set a call names (ChangeSetName: a name with StackName, or an
 * ARN), or NULL with the call failed. */
static json_t *find(cfn_t *c, rn_call_t *call)
{
    const char *name = str(call->in, "ChangeSetName"), *stack = str(call->in, "StackName");
    json_t *cs = name ? json_object_get(c->changesets, name) : NULL;
    if (!cs && name) {
        json_t *st = cfn_stack_find(c, stack, 1);
        const char *k;
        json_t *x;
        json_object_foreach(c->changesets, k, x) {
            if (strcmp(str(x, "ChangeSetName"), name) == 0 && st &&
                strcmp(str(x, "StackId"), str(st, "StackId")) == 0) {
                cs = x;
                break;
            }
        }
        if (!cs && !stack && strncmp(name, "arn:", 4) != 0) {
            rn_call_fail(call, CFN_ERR_VALIDATION,
                         "StackName must be specified if ChangeSetName is not specified as an ARN.");
            return NULL;
        }
    }
    if (!cs)
        rn_call_fail(call, CFN_ERR_CHANGE_SET_NOT_FOUND, "ChangeSet [%s] does not exist", name ? name : "");
    return cs;
}

int cfn_op_create_change_set(cfn_t *c, rn_call_t *call)
{
    const char *name = str(call->in, "StackName"), *cs_name = str(call->in, "ChangeSetName");
    const char *type = str(call->in, "ChangeSetType");
    if (!type)
        type = "UPDATE";
    int ok = cs_name && isalpha((unsigned char)cs_name[0]) && strlen(cs_name) <= 128;
    for (const char *p = cs_name; ok && *p; p++)
        ok = isalnum((unsigned char)*p) || *p == '-';
    if (!ok)
        return rn_call_fail(call, CFN_ERR_VALIDATION,
                            "1 validation error detected: Value '%s' at 'changeSetName' failed to satisfy constraint: "
                            "Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*",
                            cs_name ? cs_name : "");
    if (strcmp(type, "IMPORT") == 0)
        return rn_call_fail(call, CFN_ERR_VALIDATION, "Runnel does not support IMPORT change sets.");
    json_t *st = cfn_stack_find(c, name, 0);
    if (strcmp(type, "CREATE") == 0) {
        if (st && strcmp(str(st, "Status"), "REVIEW_IN_PROGRESS") != 0)
            return rn_call_fail(call, CFN_ERR_ALREADY_EXISTS,
                                "Stack [%s] already exists and cannot be created again with the changeSet [%s].", name,
                                cs_name);
    } else if (!st) {
        return rn_call_fail(call, CFN_ERR_VALIDATION, "Stack [%s] does not exist", name ? name : "");
    } else if (strcmp(str(st, "Status"), "REVIEW_IN_PROGRESS") == 0) {
        return rn_call_fail(call, CFN_ERR_VALIDATION,
                            "Stack [%s] is in REVIEW_IN_PROGRESS state and can not be updated.", name);
    } else if (!cfn_updatable(c, call, name)) {
        return call->err;
    }
    const char *k;
    json_t *x;
    json_object_foreach(c->changesets, k, x) if (st && strcmp(str(x, "StackId"), str(st, "StackId")) == 0 &&
                                                 strcmp(str(x, "ChangeSetName"), cs_name) == 0) return
        rn_call_fail(call, CFN_ERR_ALREADY_EXISTS, "ChangeSet [%s] already exists", cs_name);

    const char *body = cfn_body_of(call, st ? str(st, "Body") : NULL);
    if (!body)
        return call->err;
    char msg[1024];
    json_t *raw = NULL;
    if (cfn_template_parse(body, strlen(body), &raw, msg, sizeof msg) != 0)
        return rn_call_fail(call, CFN_ERR_VALIDATION, "%s", msg);
    json_decref(raw);
    json_t *tpl = NULL, *params = NULL;
    char reason[1024] = "";
    int failed = cfn_prepare(body, &tpl, NULL, reason, sizeof reason) != 0;
    if (!failed && cfn_capabilities(tpl, 0, json_object_get(call->in, "Capabilities"), msg, sizeof msg) != 0) {
        json_decref(tpl);
        return rn_call_fail(call, CFN_ERR_CAPABILITIES, "%s", msg);
    }
    if (!failed && cfn_params_resolve(tpl, json_object_get(call->in, "Parameters"),
                                      st ? json_object_get(st, "Parameters") : NULL, &params, msg, sizeof msg) != 0) {
        json_decref(tpl);
        return rn_call_fail(call, CFN_ERR_VALIDATION, "%s", msg);
    }
    if (!failed && cfn_precheck(c, name, tpl, params, msg, sizeof msg) != 0) {
        json_decref(tpl);
        json_decref(params);
        return rn_call_fail(call, CFN_ERR_VALIDATION, "%s", msg);
    }
    if (!st) {
        char uuid[37], id[512];
        rn_uuid(uuid);
        snprintf(id, sizeof id, "arn:aws:cloudformation:%s:%s:stack/%s/%s", c->cfg->region, c->cfg->account_id, name,
                 uuid);
        st = json_pack("{s:s,s:s,s:f,s:{},s:[]}", "StackId", id, "StackName", name, "Created", cfn_now(),
                       "Resources", "Order");
        json_object_set_new(c->stacks, id, st);
        cfn_stack_status(c, st, "REVIEW_IN_PROGRESS", "User Initiated");
        cfn_save_stack(c, st);
    }
    char uuid[37], id[512];
    rn_uuid(uuid);
    snprintf(id, sizeof id, "arn:aws:cloudformation:%s:%s:changeSet/%s/%s", c->cfg->region, c->cfg->account_id,
             cs_name, uuid);
    json_t *cs = json_pack("{s:s,s:s,s:O,s:O,s:s,s:f,s:s}", "ChangeSetId", id, "ChangeSetName", cs_name, "StackId",
                           json_object_get(st, "StackId"), "StackName", json_object_get(st, "StackName"), "Type", type,
                           "Created", cfn_now(), "Body", body);
    static const char *const copy[] = {"Capabilities", "Tags", "NotificationARNs", "Description", "OnStackFailure",
                                       NULL};
    for (int i = 0; copy[i]; i++)
        if (json_object_get(call->in, copy[i]))
            json_object_set(cs, copy[i], json_object_get(call->in, copy[i]));
    if (failed) {
        json_object_set_new(cs, "Status", json_string("FAILED"));
        json_object_set_new(cs, "ExecutionStatus", json_string("UNAVAILABLE"));
        json_object_set_new(cs, "StatusReason", json_string(reason));
    } else {
        json_t *changes = cfn_diff(c, st, tpl, params);
        int same = json_object_get(st, "Template") && json_equal(tpl, json_object_get(st, "Template")) &&
                   json_equal(params, json_object_get(st, "Parameters"));
        json_object_set_new(cs, "Template", tpl);
        json_object_set_new(cs, "Parameters", params);
        json_object_set_new(cs, "Changes", changes);
        if (same) {
            json_object_set_new(cs, "Status", json_string("FAILED"));
            json_object_set_new(cs, "ExecutionStatus", json_string("UNAVAILABLE"));
            json_object_set_new(cs, "StatusReason",
                                json_string("The submitted information didn't contain changes. Submit different "
                                            "information to create a change set."));
        } else {
            json_object_set_new(cs, "Status", json_string("CREATE_COMPLETE"));
            json_object_set_new(cs, "ExecutionStatus", json_string("AVAILABLE"));
        }
    }
    json_object_set_new(c->changesets, id, cs);
    cfn_save_changeset(c, cs);
    call->out = json_pack("{s:s,s:O}", "Id", id, "StackId", json_object_get(st, "StackId"));
    return 0;
}

json_t *cfn_param_list(const json_t *tpl, const json_t *values)
{
    json_t *out = json_array();
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)values, k, v) {
        const json_t *decl = json_object_get(json_object_get(tpl, "Parameters"), k);
        const json_t *ne = json_object_get(decl, "NoEcho");
        int masked = json_is_true(ne) || (json_is_string(ne) && strcasecmp(json_string_value(ne), "true") == 0);
        json_array_append_new(out, json_pack("{s:s,s:o}", "ParameterKey", k, "ParameterValue",
                                             masked ? json_string("****") : json_incref(v)));
    }
    return out;
}

int cfn_op_describe_change_set(cfn_t *c, rn_call_t *call)
{
    json_t *cs = find(c, call);
    if (!cs)
        return call->err;
    json_t *o = json_object();
    static const char *const copy[] = {"ChangeSetId", "ChangeSetName", "StackId", "StackName", "Status",
                                       "ExecutionStatus", "StatusReason", "Capabilities", "Tags", "NotificationARNs",
                                       "Description", "OnStackFailure", NULL};
    for (int i = 0; copy[i]; i++)
        if (json_object_get(cs, copy[i]))
            json_object_set(o, copy[i], json_object_get(cs, copy[i]));
    json_object_set(o, "CreationTime", json_object_get(cs, "Created"));
    json_t *changes = json_object_get(cs, "Changes");
    json_object_set_new(o, "Changes", changes ? json_incref(changes) : json_array());
    json_object_set_new(o, "Parameters",
                        cfn_param_list(json_object_get(cs, "Template"), json_object_get(cs, "Parameters")));
    json_object_set_new(o, "IncludeNestedStacks", json_false());
    call->out = o;
    return 0;
}

int cfn_op_execute_change_set(cfn_t *c, rn_call_t *call)
{
    json_t *cs = find(c, call);
    if (!cs)
        return call->err;
    if (strcmp(str(cs, "ExecutionStatus"), "AVAILABLE") != 0)
        return rn_call_fail(call, CFN_ERR_CHANGE_SET_STATUS,
                            "ChangeSet [%s] cannot be executed in its current execution status of [%s]",
                            str(cs, "ChangeSetId"), str(cs, "ExecutionStatus"));
    json_t *st = json_object_get(c->stacks, str(cs, "StackId"));
    if (!st || strcmp(str(st, "Status"), "DELETE_COMPLETE") == 0)
        return rn_call_fail(call, CFN_ERR_VALIDATION, "Stack [%s] does not exist", str(cs, "StackName"));
    json_incref(cs);
    json_object_set_new(cs, "ExecutionStatus", json_string("EXECUTE_IN_PROGRESS"));
    if (strcmp(str(cs, "Type"), "CREATE") == 0) {
        json_object_set(st, "Template", json_object_get(cs, "Template"));
        json_object_set(st, "Parameters", json_object_get(cs, "Parameters"));
        json_object_set(st, "Body", json_object_get(cs, "Body"));
        static const char *const copy[] = {"Capabilities", "Tags", "NotificationARNs", NULL};
        for (int i = 0; copy[i]; i++)
            if (json_object_get(cs, copy[i]))
                json_object_set(st, copy[i], json_object_get(cs, copy[i]));
        if (json_object_get(json_object_get(cs, "Template"), "Description"))
            json_object_set(st, "Description", json_object_get(json_object_get(cs, "Template"), "Description"));
        const char *on_failure = str(cs, "OnStackFailure");
        if (json_is_true(json_object_get(call->in, "DisableRollback")))
            on_failure = "DO_NOTHING";
        cfn_stack_create(c, st, on_failure ? on_failure : "ROLLBACK");
    } else {
        json_t *tpl = json_deep_copy(json_object_get(cs, "Template"));
        json_t *params = json_deep_copy(json_object_get(cs, "Parameters"));
        cfn_stack_update(c, st, str(cs, "Body"), tpl, params);
    }
    const char *s = str(st, "Status");
    int good = strcmp(s, "CREATE_COMPLETE") == 0 || strcmp(s, "UPDATE_COMPLETE") == 0;
    json_object_set_new(cs, "ExecutionStatus", json_string(good ? "EXECUTE_COMPLETE" : "EXECUTE_FAILED"));
    /* executing one change set removes the stack's others */
    const char *k;
    json_t *x;
    void *tmp;
    json_object_foreach_safe(c->changesets, tmp, k, x) if (x != cs &&
                                                          strcmp(str(x, "StackId"), str(st, "StackId")) == 0)
        cfn_drop_changeset(c, k);
    cfn_save_changeset(c, cs);
    json_decref(cs);
    call->out = json_object();
    return 0;
}

int cfn_op_delete_change_set(cfn_t *c, rn_call_t *call)
{
    json_t *cs = find(c, call);
    if (!cs)
        return call->err;
    if (strcmp(str(cs, "ExecutionStatus"), "EXECUTE_IN_PROGRESS") == 0)
        return rn_call_fail(call, CFN_ERR_CHANGE_SET_STATUS,
                            "ChangeSet [%s] cannot be deleted in its current status of [EXECUTE_IN_PROGRESS]",
                            str(cs, "ChangeSetId"));
    cfn_drop_changeset(c, str(cs, "ChangeSetId"));
    call->out = json_object();
    return 0;
}

int cfn_op_list_change_sets(cfn_t *c, rn_call_t *call)
{
    json_t *st = cfn_stack_find(c, str(call->in, "StackName"), 1);
    if (!st)
        return rn_call_fail(call, CFN_ERR_VALIDATION, "Stack [%s] does not exist",
                            str(call->in, "StackName") ? str(call->in, "StackName") : "");
    json_t *list = json_array();
    const char *k;
    json_t *x;
    json_object_foreach(c->changesets, k, x) {
        if (strcmp(str(x, "StackId"), str(st, "StackId")) != 0)
            continue;
        json_t *e = json_object();
        static const char *const copy[] = {"StackId", "StackName", "ChangeSetId", "ChangeSetName", "ExecutionStatus",
                                           "Status", "StatusReason", "Description", NULL};
        for (int i = 0; copy[i]; i++)
            if (json_object_get(x, copy[i]))
                json_object_set(e, copy[i], json_object_get(x, copy[i]));
        json_object_set(e, "CreationTime", json_object_get(x, "Created"));
        json_object_set_new(e, "IncludeNestedStacks", json_false());
        json_array_append_new(list, e);
    }
    call->out = json_pack("{s:o}", "Summaries", list);
    return 0;
}
