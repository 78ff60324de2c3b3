/* SPDX-License-Identifier: MIT
 * The CloudFormation instance of one partition: its state (cfn_state.h), the
 * records it is kept in, stack events, and the table of operations. */
#include <stdio.h>
#include <string.h>

#include "cloudformation/cfn_state.h"
#include "core/json_alloc.h"
#include "core/clock.h"
#include "core/ids.h"
#include "core/mem.h"

#define NS_STACK "cfn.stack"
#define NS_EVENT "cfn.event"
#define NS_CS "cfn.cs"

static const rn_err_info_t cfn_rows[] = {CFN_ERR_TABLE(RN_ERR_ROW)};
const rn_err_table_t cfn_errors = {CFN_ERR_FIRST_ + 1, sizeof cfn_rows / sizeof cfn_rows[0], cfn_rows};

double cfn_now(void)
{
    return (double)rn_now_ms() / 1000.0;
}

int cfn_new(const rn_service_env_t *env, cfn_t **out)
{
    cfn_t *c = rn_calloc(1, sizeof *c);
    if (!c)
        return RN_ERR_NOMEM;
    c->store = env->store;
    c->cfg = env->cfg;
    c->sinks = env->sinks;
    c->stacks = json_object();
    c->events = json_object();
    c->changesets = json_object();
    if (!c->stacks || !c->events || !c->changesets) {
        cfn_free(c);
        return RN_ERR_NOMEM;
    }
    *out = c;
    return 0;
}

void cfn_free(cfn_t *c)
{
    if (!c)
        return;
    json_decref(c->stacks);
    json_decref(c->events);
    json_decref(c->changesets);
    rn_free(c);
}

void cfn_reset(cfn_t *c)
{
    json_object_clear(c->stacks);
    json_object_clear(c->events);
    json_object_clear(c->changesets);
}

json_t *cfn_stats(cfn_t *c)
{
    size_t live = 0;
    const char *k;
    json_t *st;
    json_object_foreach(c->stacks, k, st)
        live += strcmp(json_string_value(json_object_get(st, "Status")), "DELETE_COMPLETE") != 0;
    return json_pack("{s:I,s:I}", "stacks", (json_int_t)live, "changeSets", (json_int_t)json_object_size(c->changesets));
}

/* Records: a stack and a change set are one JSON record each, keyed by id;
 * an event is keyed "STACKID SEQ" (SEQ 16 digits, so they load in order). */
int cfn_load_kv(cfn_t *c, const char *ns, const char *key, const char *value)
{
    json_t *v = json_loads(value, 0, NULL);
    if (!v)
        return 0;
    if (strcmp(ns, NS_STACK) == 0) {
        json_object_set_new(c->stacks, key, v);
    } else if (strcmp(ns, NS_CS) == 0) {
        json_object_set_new(c->changesets, key, v);
    } else if (strcmp(ns, NS_EVENT) == 0) {
        const char *sp = strrchr(key, ' ');
        if (!sp) {
            json_decref(v);
            return 0;
        }
        char id[1024];
        snprintf(id, sizeof id, "%.*s", (int)(sp - key), key);
        json_t *list = json_object_get(c->events, id);
        if (!list) {
            list = json_array();
            json_object_set_new(c->events, id, list);
        }
        json_array_append_new(list, v);
        unsigned long long seq = strtoull(sp + 1, NULL, 10);
        if (seq >= c->event_seq)
            c->event_seq = seq + 1;
    } else {
        json_decref(v);
    }
    return 0;
}

static void put(cfn_t *c, const char *ns, const char *key, const json_t *v)
{
    char *txt = json_dumps(v, JSON_COMPACT);
    if (txt) {
        rn_store_kv_put(c->store, ns, key, txt);
        rn_json_free(txt);
    }
}

void cfn_save_stack(cfn_t *c, const json_t *st)
{
    put(c, NS_STACK, json_string_value(json_object_get(st, "StackId")), st);
}

void cfn_save_changeset(cfn_t *c, const json_t *cs)
{
    put(c, NS_CS, json_string_value(json_object_get(cs, "ChangeSetId")), cs);
}

void cfn_drop_changeset(cfn_t *c, const char *id)
{
    rn_store_kv_delete(c->store, NS_CS, id);
    json_object_del(c->changesets, id);
}

json_t *cfn_stack_find(cfn_t *c, const char *name_or_id, int deleted_too)
{
    if (!name_or_id)
        return NULL;
    json_t *st = json_object_get(c->stacks, name_or_id);
    if (st)
        return deleted_too || strcmp(json_string_value(json_object_get(st, "Status")), "DELETE_COMPLETE") != 0 ? st
                                                                                                              : NULL;
    const char *k;
    json_object_foreach(c->stacks, k, st) {
        if (strcmp(json_string_value(json_object_get(st, "StackName")), name_or_id) == 0 &&
            strcmp(json_string_value(json_object_get(st, "Status")), "DELETE_COMPLETE") != 0)
            return st;
    }
    return NULL;
}

void cfn_event(cfn_t *c, json_t *st, const char *logical, const char *physical, const char *type,
               const char *status, const char *reason, const json_t *props)
{
    const char *id = json_string_value(json_object_get(st, "StackId"));
    char eid[37];
    rn_uuid(eid);
    json_t *e = json_pack("{s:s,s:s,s:s,s:s,s:s,s:f,s:s}", "StackId", id, "EventId", eid, "StackName",
                          json_string_value(json_object_get(st, "StackName")), "LogicalResourceId", logical,
                          "ResourceType", type, "Timestamp", cfn_now(), "ResourceStatus", status);
    if (!e)
        return;
    if (physical && *physical)
        json_object_set_new(e, "PhysicalResourceId", json_string(physical));
    if (reason)
        json_object_set_new(e, "ResourceStatusReason", json_string(reason));
    if (props) {
        char *txt = json_dumps(props, JSON_COMPACT);
        if (txt) {
            json_object_set_new(e, "ResourceProperties", json_string(txt));
            rn_json_free(txt);
        }
    }
    json_t *list = json_object_get(c->events, id);
    if (!list) {
        list = json_array();
        json_object_set_new(c->events, id, list);
    }
    json_array_append(list, e);
    char key[1100];
    snprintf(key, sizeof key, "%s %016llu", id, (unsigned long long)c->event_seq++);
    put(c, NS_EVENT, key, e);
    json_decref(e);
}

void cfn_stack_status(cfn_t *c, json_t *st, const char *status, const char *reason)
{
    json_object_set_new(st, "Status", json_string(status));
    if (reason)
        json_object_set_new(st, "StatusReason", json_string(reason));
    else
        json_object_del(st, "StatusReason");
    const char *id = json_string_value(json_object_get(st, "StackId"));
    cfn_event(c, st, json_string_value(json_object_get(st, "StackName")), id, "AWS::CloudFormation::Stack", status,
              reason, NULL);
}

json_t *cfn_exports(cfn_t *c, const char *except)
{
    json_t *out = json_object();
    const char *k;
    json_t *st;
    json_object_foreach(c->stacks, k, st) {
        if ((except && strcmp(k, except) == 0) ||
            strcmp(json_string_value(json_object_get(st, "Status")), "DELETE_COMPLETE") == 0)
            continue;
        size_t i;
        json_t *o;
        json_array_foreach(json_object_get(st, "Outputs"), i, o) {
            const char *name = json_string_value(json_object_get(o, "ExportName"));
            if (name)
                json_object_set_new(out, name, json_pack("{s:O,s:s}", "Value", json_object_get(o, "OutputValue"),
                                                         "StackId", k));
        }
    }
    return out;
}

int cfn_list_has(const json_t *list, const char *s)
{
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v) if (s && json_is_string(v) && strcmp(json_string_value(v), s) == 0) return 1;
    return 0;
}

/* ---- operations with no engine behind them ---- */

static json_t *stack_or_fail(cfn_t *c, rn_call_t *call)
{
    const char *name = json_string_value(json_object_get(call->in, "StackName"));
    json_t *st = cfn_stack_find(c, name, 1);
    if (!st)
        rn_call_fail(call, CFN_ERR_VALIDATION, "Stack with id %s does not exist", name ? name : "");
    return st;
}

static int op_termination(cfn_t *c, rn_call_t *call)
{
    json_t *st = stack_or_fail(c, call);
    if (!st)
        return call->err;
    json_object_set(st, "EnableTerminationProtection", json_object_get(call->in, "EnableTerminationProtection"));
    cfn_save_stack(c, st);
    call->out = json_pack("{s:O}", "StackId", json_object_get(st, "StackId"));
    return 0;
}

static int op_set_policy(cfn_t *c, rn_call_t *call)
{
    json_t *st = stack_or_fail(c, call);
    if (!st)
        return call->err;
    json_t *body = json_object_get(call->in, "StackPolicyBody");
    if (body)
        json_object_set(st, "Policy", body);
    cfn_save_stack(c, st);
    call->out = json_object();
    return 0;
}

static int op_get_policy(cfn_t *c, rn_call_t *call)
{
    json_t *st = stack_or_fail(c, call);
    if (!st)
        return call->err;
    call->out = json_object();
    if (json_object_get(st, "Policy"))
        json_object_set(call->out, "StackPolicyBody", json_object_get(st, "Policy"));
    return 0;
}

static int op_account_limits(cfn_t *c, rn_call_t *call)
{
    (void)c;
    call->out = json_pack("{s:[{s:s,s:i},{s:s,s:i},{s:s,s:i}]}", "AccountLimits", "Name", "StackLimit", "Value", 2000,
                          "Name", "StackOutputsLimit", "Value", 200, "Name", "ConcurrentResourcesLimit", "Value",
                          2500);
    return 0;
}

/* Runnel finishes every stack operation in the call that starts it, so an
 * update is never in progress when these arrive: AWS's answers for that. */
static int op_cancel_update(cfn_t *c, rn_call_t *call)
{
    json_t *st = stack_or_fail(c, call);
    if (!st)
        return call->err;
    return rn_call_fail(call, CFN_ERR_VALIDATION, "CancelUpdateStack cannot be called from current stack status %s.",
                        json_string_value(json_object_get(st, "Status")));
}

static int op_continue_rollback(cfn_t *c, rn_call_t *call)
{
    json_t *st = stack_or_fail(c, call);
    if (!st)
        return call->err;
    const char *s = json_string_value(json_object_get(st, "Status"));
    if (strcmp(s, "UPDATE_ROLLBACK_FAILED") != 0)
        return rn_call_fail(call, CFN_ERR_VALIDATION,
                            "Stack %s is in %s state and can not continue the update rollback.",
                            json_string_value(json_object_get(st, "StackId")), s);
    cfn_stack_status(c, st, "UPDATE_ROLLBACK_COMPLETE", NULL);
    cfn_save_stack(c, st);
    call->out = json_object();
    return 0;
}

int cfn_handle(cfn_t *c, rn_call_t *call)
{
    static const struct {
        const char *name;
        int (*fn)(cfn_t *, rn_call_t *);
    } ops[] = {
        {"CreateStack", cfn_op_create_stack},
        {"UpdateStack", cfn_op_update_stack},
        {"DeleteStack", cfn_op_delete_stack},
        {"DescribeStacks", cfn_op_describe_stacks},
        {"DescribeStackEvents", cfn_op_describe_stack_events},
        {"DescribeStackResource", cfn_op_describe_stack_resource},
        {"DescribeStackResources", cfn_op_describe_stack_resources},
        {"ListStacks", cfn_op_list_stacks},
        {"ListStackResources", cfn_op_list_stack_resources},
        {"GetTemplate", cfn_op_get_template},
        {"ValidateTemplate", cfn_op_validate_template},
        {"GetTemplateSummary", cfn_op_get_template_summary},
        {"CreateChangeSet", cfn_op_create_change_set},
        {"DescribeChangeSet", cfn_op_describe_change_set},
        {"ExecuteChangeSet", cfn_op_execute_change_set},
        {"DeleteChangeSet", cfn_op_delete_change_set},
        {"ListChangeSets", cfn_op_list_change_sets},
        {"ListExports", cfn_op_list_exports},
        {"ListImports", cfn_op_list_imports},
        {"CancelUpdateStack", op_cancel_update},
        {"ContinueUpdateRollback", op_continue_rollback},
        {"UpdateTerminationProtection", op_termination},
        {"SetStackPolicy", op_set_policy},
        {"GetStackPolicy", op_get_policy},
        {"DescribeAccountLimits", op_account_limits},
    };
    snprintf(c->endpoint, sizeof c->endpoint, "%s", call->endpoint);
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (strcmp(ops[i].name, call->op) == 0)
            return ops[i].fn(c, call) ? call->err : 0;
    return rn_call_fail(call, RN_ERR_INVALID_ACTION, "The action %s is not valid for this endpoint.", call->op);
}
