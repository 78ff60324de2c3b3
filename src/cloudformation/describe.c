/* SPDX-License-Identifier: MIT
 * The read operations: stacks, their events and resources, templates and
 * their summaries, exports and imports. Pages carry the position of the next
 * item as their token. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cloudformation/cfn_state.h"
#include "core/json_alloc.h"

#define PAGE 100

static const char *str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static int deleted(const json_t *st)
{
    return strcmp(str(st, "Status"), "DELETE_COMPLETE") == 0;
}

/* A new reference to list, or a new empty array when there is none. */
static json_t *or_empty(const json_t *list)
{
    return list ? json_incref((json_t *)list) : json_array();
}

static void copy(json_t *to, const char *to_key, const json_t *from, const char *from_key)
{
    json_t *v = json_object_get(from, from_key);
    if (v)
        json_object_set(to, to_key, v);
}

/* The stack a call names (StackName: a name, or an id which also finds a
 * deleted one), or NULL with AWS's error. */
static json_t *named(cfn_t *c, rn_call_t *call)
{
    const char *name = str(call->in, "StackName");
    json_t *st = cfn_stack_find(c, name, name && strncmp(name, "arn:", 4) == 0);
    if (!st)
        rn_call_fail(call, CFN_ERR_VALIDATION, "Stack with id %s does not exist", name ? name : "");
    return st;
}

/* Items [from, from+PAGE) of list into out[key], with the next token. */
static void page(rn_call_t *call, json_t *list, const char *key)
{
    size_t from = 0;
    const char *tok = str(call->in, "NextToken");
    if (tok)
        from = strtoul(tok, NULL, 10);
    json_t *pg = json_array();
    for (size_t i = from; i < json_array_size(list) && i < from + PAGE; i++)
        json_array_append(pg, json_array_get(list, i));
    call->out = json_pack("{s:o}", key, pg);
    if (from + PAGE < json_array_size(list)) {
        char next[32];
        snprintf(next, sizeof next, "%zu", from + PAGE);
        json_object_set_new(call->out, "NextToken", json_string(next));
    }
    json_decref(list);
}

static json_t *describe(const json_t *st)
{
    json_t *o = json_object();
    copy(o, "StackId", st, "StackId");
    copy(o, "StackName", st, "StackName");
    copy(o, "Description", st, "Description");
    copy(o, "CreationTime", st, "Created");
    copy(o, "LastUpdatedTime", st, "Updated");
    copy(o, "DeletionTime", st, "Deleted");
    copy(o, "StackStatus", st, "Status");
    copy(o, "StackStatusReason", st, "StatusReason");
    copy(o, "TimeoutInMinutes", st, "TimeoutInMinutes");
    copy(o, "Capabilities", st, "Capabilities");
    copy(o, "RoleARN", st, "RoleARN");
    json_object_set_new(o, "Parameters", cfn_param_list(json_object_get(st, "Template"), json_object_get(st, "Parameters")));
    json_object_set_new(o, "DisableRollback", json_boolean(json_is_true(json_object_get(st, "DisableRollback"))));
    json_object_set_new(o, "EnableTerminationProtection",
                        json_boolean(json_is_true(json_object_get(st, "EnableTerminationProtection"))));
    json_object_set_new(o, "NotificationARNs", or_empty(json_object_get(st, "NotificationARNs")));
    json_object_set_new(o, "Tags", or_empty(json_object_get(st, "Tags")));
    if (json_array_size(json_object_get(st, "Outputs")))
        copy(o, "Outputs", st, "Outputs");
    json_object_set_new(o, "DriftInformation", json_pack("{s:s}", "StackDriftStatus", "NOT_CHECKED"));
    return o;
}

int cfn_op_describe_stacks(cfn_t *c, rn_call_t *call)
{
    json_t *list = json_array();
    if (str(call->in, "StackName")) {
        json_t *st = named(c, call);
        if (!st) {
            json_decref(list);
            return call->err;
        }
        json_array_append_new(list, describe(st));
    } else {
        const char *k;
        json_t *st;
        json_object_foreach(c->stacks, k, st) if (!deleted(st)) json_array_append_new(list, describe(st));
    }
    page(call, list, "Stacks");
    return 0;
}

int cfn_op_list_stacks(cfn_t *c, rn_call_t *call)
{
    const json_t *filter = json_object_get(call->in, "StackStatusFilter");
    json_t *list = json_array();
    const char *k;
    json_t *st;
    json_object_foreach(c->stacks, k, st) {
        if (json_array_size(filter) && !cfn_list_has(filter, str(st, "Status")))
            continue;
        json_t *o = json_object();
        copy(o, "StackId", st, "StackId");
        copy(o, "StackName", st, "StackName");
        copy(o, "TemplateDescription", st, "Description");
        copy(o, "CreationTime", st, "Created");
        copy(o, "LastUpdatedTime", st, "Updated");
        copy(o, "DeletionTime", st, "Deleted");
        copy(o, "StackStatus", st, "Status");
        copy(o, "StackStatusReason", st, "StatusReason");
        json_object_set_new(o, "DriftInformation", json_pack("{s:s}", "StackDriftStatus", "NOT_CHECKED"));
        json_array_append_new(list, o);
    }
    page(call, list, "StackSummaries");
    return 0;
}

int cfn_op_describe_stack_events(cfn_t *c, rn_call_t *call)
{
    json_t *st = named(c, call);
    if (!st)
        return call->err;
    json_t *ev = json_object_get(c->events, str(st, "StackId")), *list = json_array();
    for (size_t i = json_array_size(ev); i-- > 0;)
        json_array_append(list, json_array_get(ev, i));
    page(call, list, "StackEvents");
    return 0;
}

/* One resource of st as the API shows it; `detail` adds the detail fields. */
static json_t *resource(const json_t *st, const char *logical, const json_t *e, int detail, int summary)
{
    json_t *o = json_pack("{s:s,s:O,s:O}", "LogicalResourceId", logical, "ResourceType", json_object_get(e, "Type"),
                          "ResourceStatus", json_object_get(e, "Status"));
    if (!summary) {
        copy(o, "StackName", st, "StackName");
        copy(o, "StackId", st, "StackId");
    }
    copy(o, "PhysicalResourceId", e, "Ref");
    copy(o, "ResourceStatusReason", e, "Reason");
    copy(o, detail || summary ? "LastUpdatedTimestamp" : "Timestamp", e, "Time");
    if (detail && json_object_get(e, "Metadata")) {
        char *m = json_dumps(json_object_get(e, "Metadata"), JSON_COMPACT);
        json_object_set_new(o, "Metadata", json_string(m ? m : "{}"));
        rn_json_free(m);
    }
    json_object_set_new(o, "DriftInformation", json_pack("{s:s}", summary ? "StackResourceDriftStatus"
                                                                          : "StackResourceDriftStatus",
                                                         "NOT_CHECKED"));
    return o;
}

int cfn_op_describe_stack_resource(cfn_t *c, rn_call_t *call)
{
    json_t *st = named(c, call);
    if (!st)
        return call->err;
    const char *logical = str(call->in, "LogicalResourceId");
    json_t *e = logical ? json_object_get(json_object_get(st, "Resources"), logical) : NULL;
    if (!e)
        return rn_call_fail(call, CFN_ERR_VALIDATION, "Resource %s does not exist for stack %s", logical ? logical : "",
                            str(st, "StackName"));
    call->out = json_pack("{s:o}", "StackResourceDetail", resource(st, logical, e, 1, 0));
    return 0;
}

int cfn_op_describe_stack_resources(cfn_t *c, rn_call_t *call)
{
    const char *phys = str(call->in, "PhysicalResourceId");
    json_t *st = NULL;
    if (!str(call->in, "StackName") && phys) {
        const char *k;
        json_t *x;
        json_object_foreach(c->stacks, k, x) {
            const char *lk;
            json_t *e;
            json_object_foreach(json_object_get(x, "Resources"), lk, e) if (str(e, "Ref") &&
                                                                            strcmp(str(e, "Ref"), phys) == 0) st = x;
        }
        if (!st)
            return rn_call_fail(call, CFN_ERR_VALIDATION, "Stack for %s does not exist", phys);
    } else if (!str(call->in, "StackName")) {
        return rn_call_fail(call, CFN_ERR_VALIDATION, "Either StackName or PhysicalResourceId must be specified.");
    } else if (!(st = named(c, call))) {
        return call->err;
    }
    const char *only = str(call->in, "LogicalResourceId");
    json_t *list = json_array();
    const char *k;
    json_t *e;
    json_object_foreach(json_object_get(st, "Resources"), k, e) {
        if (only && strcmp(only, k) != 0)
            continue;
        json_array_append_new(list, resource(st, k, e, 0, 0));
    }
    call->out = json_pack("{s:o}", "StackResources", list);
    return 0;
}

int cfn_op_list_stack_resources(cfn_t *c, rn_call_t *call)
{
    json_t *st = named(c, call);
    if (!st)
        return call->err;
    json_t *list = json_array();
    const char *k;
    json_t *e;
    json_object_foreach(json_object_get(st, "Resources"), k, e) json_array_append_new(list, resource(st, k, e, 0, 1));
    page(call, list, "StackResourceSummaries");
    return 0;
}

int cfn_op_get_template(cfn_t *c, rn_call_t *call)
{
    const json_t *src = NULL;
    const char *cs_name = str(call->in, "ChangeSetName");
    if (cs_name) {
        json_t *st = cfn_stack_find(c, str(call->in, "StackName"), 1);
        const char *k;
        json_t *x;
        json_object_foreach(c->changesets, k, x) if (strcmp(k, cs_name) == 0 ||
                                                     (st && strcmp(str(x, "ChangeSetName"), cs_name) == 0 &&
                                                      strcmp(str(x, "StackId"), str(st, "StackId")) == 0)) src = x;
        if (!src)
            return rn_call_fail(call, CFN_ERR_CHANGE_SET_NOT_FOUND, "ChangeSet [%s] does not exist", cs_name);
    } else if (!(src = named(c, call))) {
        return call->err;
    }
    const char *stage = str(call->in, "TemplateStage");
    call->out = json_object();
    if (stage && strcmp(stage, "Processed") == 0 && json_object_get(src, "Template")) {
        char *t = json_dumps(json_object_get(src, "Template"), JSON_COMPACT | JSON_PRESERVE_ORDER);
        json_object_set_new(call->out, "TemplateBody", json_string(t ? t : "{}"));
        rn_json_free(t);
    } else {
        copy(call->out, "TemplateBody", src, "Body");
    }
    json_object_set_new(call->out, "StagesAvailable", json_pack("[s,s]", "Original", "Processed"));
    return 0;
}

/* The template a call sends (TemplateBody) or names (StackName), parsed, or
 * NULL with the call failed. */
static json_t *template_of(cfn_t *c, rn_call_t *call)
{
    const char *body;
    if (!str(call->in, "TemplateBody") && !str(call->in, "TemplateURL") && str(call->in, "StackName")) {
        json_t *st = named(c, call);
        if (!st)
            return NULL;
        body = str(st, "Body");
        if (!body) { /* a stack still in REVIEW_IN_PROGRESS has no template yet */
            rn_call_fail(call, CFN_ERR_VALIDATION, "Stack %s has no template yet.", str(st, "StackName"));
            return NULL;
        }
    } else if (!(body = cfn_body_of(call, NULL))) {
        return NULL;
    }
    char msg[1024];
    json_t *tpl;
    if (cfn_template_parse(body, strlen(body), &tpl, msg, sizeof msg) != 0) {
        rn_call_fail(call, CFN_ERR_VALIDATION, "%s", msg);
        return NULL;
    }
    return tpl;
}

/* Capabilities and their reason for tpl (raw: before any transform). */
static void capabilities(const json_t *tpl, json_t *out)
{
    json_t *caps = json_array(), *why = json_array();
    if (json_object_get(tpl, "Transform"))
        json_array_append_new(caps, json_string("CAPABILITY_AUTO_EXPAND"));
    char msg[256];
    const char *k;
    json_t *r;
    json_object_foreach(json_object_get(tpl, "Resources"), k, r) {
        json_t *one = json_pack("{s:{s:O}}", "Resources", k, r);
        if (cfn_capabilities(one, 0, NULL, msg, sizeof msg) != 0) {
            const char *cap = strchr(msg, '[');
            char name[64];
            snprintf(name, sizeof name, "%.*s", cap ? (int)strcspn(cap + 1, "]") : 0, cap ? cap + 1 : "");
            if (!cfn_list_has(caps, name))
                json_array_append_new(caps, json_string(name));
            json_array_append_new(why, json_string(k));
        }
        json_decref(one);
    }
    if (json_array_size(caps))
        json_object_set(out, "Capabilities", caps);
    if (json_array_size(why)) {
        char reason[2048] = "The following resource(s) require capabilities: [";
        size_t i;
        json_t *x;
        json_array_foreach(why, i, x) {
            const char *type = str(json_object_get(json_object_get(tpl, "Resources"), json_string_value(x)), "Type");
            if (i)
                strncat(reason, ", ", sizeof reason - strlen(reason) - 1);
            strncat(reason, type ? type : "", sizeof reason - strlen(reason) - 1);
        }
        strncat(reason, "]", sizeof reason - strlen(reason) - 1);
        json_object_set_new(out, "CapabilitiesReason", json_string(reason));
    }
    json_decref(caps);
    json_decref(why);
}

static json_t *transforms(const json_t *tpl)
{
    const json_t *t = json_object_get(tpl, "Transform");
    if (json_is_string(t))
        return json_pack("[O]", t);
    return or_empty(json_is_array(t) ? t : NULL);
}

int cfn_op_validate_template(cfn_t *c, rn_call_t *call)
{
    json_t *tpl = template_of(c, call);
    if (!tpl)
        return call->err;
    char msg[1024];
    if (!json_object_get(tpl, "Transform") && cfn_template_check(tpl, msg, sizeof msg) != 0) {
        json_decref(tpl);
        return rn_call_fail(call, CFN_ERR_VALIDATION, "%s", msg);
    }
    json_t *params = json_array();
    const char *k;
    json_t *p;
    json_object_foreach(json_object_get(tpl, "Parameters"), k, p) {
        json_t *e = json_pack("{s:s,s:b}", "ParameterKey", k, "NoEcho",
                              json_is_true(json_object_get(p, "NoEcho")) ||
                                  (str(p, "NoEcho") && strcasecmp(str(p, "NoEcho"), "true") == 0));
        copy(e, "DefaultValue", p, "Default");
        copy(e, "Description", p, "Description");
        if (json_is_number(json_object_get(e, "DefaultValue"))) {
            char num[64];
            snprintf(num, sizeof num, "%g", json_number_value(json_object_get(e, "DefaultValue")));
            json_object_set_new(e, "DefaultValue", json_string(num));
        }
        json_array_append_new(params, e);
    }
    call->out = json_pack("{s:o,s:o}", "Parameters", params, "DeclaredTransforms", transforms(tpl));
    copy(call->out, "Description", tpl, "Description");
    capabilities(tpl, call->out);
    json_decref(tpl);
    return 0;
}

int cfn_op_get_template_summary(cfn_t *c, rn_call_t *call)
{
    json_t *tpl = template_of(c, call);
    if (!tpl)
        return call->err;
    json_t *params = json_array(), *types = json_array();
    const char *k;
    json_t *p;
    json_object_foreach(json_object_get(tpl, "Parameters"), k, p) {
        json_t *e = json_pack("{s:s,s:b}", "ParameterKey", k, "NoEcho",
                              json_is_true(json_object_get(p, "NoEcho")) ||
                                  (str(p, "NoEcho") && strcasecmp(str(p, "NoEcho"), "true") == 0));
        copy(e, "DefaultValue", p, "Default");
        copy(e, "ParameterType", p, "Type");
        copy(e, "Description", p, "Description");
        if (json_object_get(p, "AllowedValues"))
            json_object_set_new(e, "ParameterConstraints",
                                json_pack("{s:O}", "AllowedValues", json_object_get(p, "AllowedValues")));
        json_array_append_new(params, e);
    }
    json_object_foreach(json_object_get(tpl, "Resources"), k, p) {
        const char *t = str(p, "Type");
        if (t && !cfn_list_has(types, t))
            json_array_append_new(types, json_string(t));
    }
    call->out = json_pack("{s:o,s:o,s:o}", "Parameters", params, "ResourceTypes", types, "DeclaredTransforms",
                          transforms(tpl));
    copy(call->out, "Description", tpl, "Description");
    copy(call->out, "Version", tpl, "AWSTemplateFormatVersion");
    if (json_object_get(tpl, "Metadata")) {
        char *m = json_dumps(json_object_get(tpl, "Metadata"), JSON_COMPACT);
        json_object_set_new(call->out, "Metadata", json_string(m ? m : "{}"));
        rn_json_free(m);
    }
    capabilities(tpl, call->out);
    json_decref(tpl);
    return 0;
}

int cfn_op_list_exports(cfn_t *c, rn_call_t *call)
{
    json_t *all = cfn_exports(c, NULL), *list = json_array();
    const char *k;
    json_t *e;
    json_object_foreach(all, k, e) json_array_append_new(list, json_pack("{s:O,s:s,s:O}", "ExportingStackId",
                                                                         json_object_get(e, "StackId"), "Name", k,
                                                                         "Value", json_object_get(e, "Value")));
    json_decref(all);
    page(call, list, "Exports");
    return 0;
}

int cfn_op_list_imports(cfn_t *c, rn_call_t *call)
{
    const char *name = str(call->in, "ExportName");
    json_t *list = json_array();
    const char *k;
    json_t *st;
    json_object_foreach(c->stacks, k, st) {
        if (!deleted(st) && cfn_list_has(json_object_get(st, "Imports"), name))
            json_array_append(list, json_object_get(st, "StackName"));
    }
    if (!json_array_size(list)) {
        json_decref(list);
        return rn_call_fail(call, CFN_ERR_VALIDATION, "Export '%s' is not imported by any stack.", name ? name : "");
    }
    page(call, list, "Imports");
    return 0;
}
