/* SPDX-License-Identifier: MIT
 * AWS::Events::Rule: PutRule, then PutTargets for the Targets property; an
 * update runs PutRule again (which replaces every setting), PutTargets for
 * the targets the template lists and RemoveTargets for those it no longer
 * does; a delete removes the targets, then the rule. A rule on the default
 * bus is known by its name, one on another bus by "BUS|NAME" (what
 * CloudFormation's Ref returns for those); Fn::GetAtt Arn is the rule's ARN. */
#include <stdio.h>
#include <string.h>

#include "cloudformation/prov_events.h"
#include "cloudformation/prov_props.h"

/* The rule's bus and name, from its physical id. */
static void split_physical(const char *physical, char *bus, size_t blen, char *name, size_t nlen)
{
    const char *bar = strchr(physical, '|');
    if (bar) {
        snprintf(bus, blen, "%.*s", (int)(bar - physical), physical);
        snprintf(name, nlen, "%s", bar + 1);
    } else {
        snprintf(bus, blen, "default");
        snprintf(name, nlen, "%s", physical);
    }
}

/* The bus's name from the EventBusName property, a name or an ARN
 * (arn:aws:events:R:A:event-bus/NAME). */
static void bus_name(const json_t *props, char *out, size_t len)
{
    char buf[300];
    const char *b = cfn_prop_text(props, "EventBusName", buf, sizeof buf);
    const char *slash = b && !strncmp(b, "arn:", 4) ? strstr(b, ":event-bus/") : NULL;
    snprintf(out, len, "%s", !b ? "default" : slash ? slash + 11 : b);
}

/* The rule's target ids as the service has them (a new array), or NULL
 * when the rule cannot be read. */
static json_t *target_ids(cfn_op_t *op, const char *bus, const char *name)
{
    json_t *ids = json_array();
    const char *token = NULL;
    json_t *out = NULL;
    do {
        json_t *in = json_pack("{s:s,s:s,s:i}", "Rule", name, "EventBusName", bus, "Limit", 100);
        if (token)
            json_object_set_new(in, "NextToken", json_string(token));
        json_decref(out);
        out = NULL;
        if (cfn_call(op, "events", "ListTargetsByRule", in, &out) < 0) {
            json_decref(ids);
            return NULL;
        }
        size_t i;
        json_t *t;
        json_array_foreach(json_object_get(out, "Targets"), i, t)
            json_array_append(ids, json_object_get(t, "Id"));
        token = json_string_value(json_object_get(out, "NextToken"));
    } while (token);
    json_decref(out);
    return ids;
}

/* Removes the rule's targets but those in keep (a set of ids, or NULL). */
static int remove_targets(cfn_op_t *op, const char *bus, const char *name, const json_t *keep)
{
    json_t *ids = target_ids(op, bus, name);
    if (!ids)
        return -1;
    for (size_t i = json_array_size(ids); i-- > 0;)
        if (json_object_get(keep, json_string_value(json_array_get(ids, i))))
            json_array_remove(ids, i);
    int rc = 0;
    if (json_array_size(ids))
        rc = cfn_call(op, "events", "RemoveTargets",
                      json_pack("{s:s,s:s,s:O}", "Rule", name, "EventBusName", bus, "Ids", ids), NULL);
    json_decref(ids);
    return rc;
}

/* Members whose values the service wants as numbers, at any depth of a target. */
static const char *const target_ints[] = {"MaximumRetryAttempts", "MaximumEventAgeInSeconds", "TaskCount", NULL};

/* The Targets property as PutTargets takes it (a new array), with the
 * ids put in *ids ({id: true}); NULL with op->msg. */
static json_t *targets_input(cfn_op_t *op, json_t *ids)
{
    json_t *list = json_object_get(op->props, "Targets");
    if (list && !json_is_array(list)) {
        cfn_prop_as(op, list, CFN_P_STR_LIST, "Targets"); /* for its message */
        return NULL;
    }
    json_t *out = json_array(), *t;
    size_t i;
    json_array_foreach(list, i, t) {
        json_t *one = json_deep_copy(t);
        json_array_append_new(out, one);
        if (!json_is_object(one))
            continue; /* the service words what is wrong with it */
        static const char *const texts[] = {"Id", "Arn", "RoleArn", "InputPath", NULL};
        for (int k = 0; texts[k]; k++) {
            json_t *v = json_object_get(one, texts[k]);
            json_t *s = v ? cfn_prop_as(op, v, CFN_P_STR, texts[k]) : NULL;
            if (v && !s)
                goto fail;
            if (s)
                json_object_set_new(one, texts[k], s);
        }
        json_t *input = json_object_get(one, "Input");
        if (input && !json_is_string(input)) /* a JSON document written as an object */
            json_object_set_new(one, "Input", cfn_prop_as(op, input, CFN_P_JSON_TEXT, "Input"));
        if (cfn_props_fix(op, one, target_ints, NULL) < 0)
            goto fail;
        const char *id = json_string_value(json_object_get(one, "Id"));
        if (id)
            json_object_set_new(ids, id, json_true());
    }
    return out;
fail:
    json_decref(out);
    return NULL;
}

/* PutTargets with every target of the template (none: nothing to do). */
static int put_targets(cfn_op_t *op, const char *bus, const char *name, json_t *ids)
{
    json_t *targets = targets_input(op, ids), *out = NULL;
    if (!targets)
        return -1;
    if (!json_array_size(targets)) {
        json_decref(targets);
        return 0;
    }
    if (cfn_call(op, "events", "PutTargets",
                 json_pack("{s:s,s:s,s:o}", "Rule", name, "EventBusName", bus, "Targets", targets), &out) < 0)
        return -1;
    int rc = 0;
    if (json_integer_value(json_object_get(out, "FailedEntryCount")) > 0) {
        json_t *f = json_array_get(json_object_get(out, "FailedEntries"), 0);
        snprintf(op->msg, sizeof op->msg, "Resource handler returned message: \"Target %s: %s (%s)\"",
                 json_string_value(json_object_get(f, "TargetId")) ?: "",
                 json_string_value(json_object_get(f, "ErrorMessage")) ?: "",
                 json_string_value(json_object_get(f, "ErrorCode")) ?: "");
        rc = -1;
    }
    json_decref(out);
    return rc;
}

/* PutRule with the template's settings; fills Arn. */
static int put_rule(cfn_op_t *op, const char *bus, const char *name)
{
    static const cfn_prop_map_t map[] = {
        {"EventPattern", NULL, CFN_P_JSON_TEXT},
        {"ScheduleExpression", NULL, CFN_P_STR},
        {"State", NULL, CFN_P_STR},
        {"Description", NULL, CFN_P_STR},
        {"RoleArn", NULL, CFN_P_STR},
        {NULL, NULL, 0},
    };
    json_t *in = json_pack("{s:s,s:s}", "Name", name, "EventBusName", bus), *out = NULL;
    if (cfn_props_call(op, "events", "PutRule", map, in, &out) < 0)
        return -1;
    json_decref(op->attrs);
    op->attrs = json_pack("{s:O?}", "Arn", json_object_get(out, "RuleArn"));
    json_decref(out);
    return 0;
}

/* Takes the rule away with its targets; a rule already gone is fine. */
static int rule_remove(cfn_op_t *op, const char *bus, const char *name)
{
    if (cfn_call(op, "events", "DescribeRule", json_pack("{s:s,s:s}", "Name", name, "EventBusName", bus), NULL) < 0) {
        op->msg[0] = 0; /* no such rule (or bus) any more */
        return 0;
    }
    if (remove_targets(op, bus, name, NULL) < 0)
        return -1;
    return cfn_call(op, "events", "DeleteRule", json_pack("{s:s,s:s}", "Name", name, "EventBusName", bus), NULL);
}

static int rule_create(cfn_op_t *op)
{
    char bus[300], name[128], buf[128];
    bus_name(op->props, bus, sizeof bus);
    const char *n = cfn_prop_text(op->props, "Name", buf, sizeof buf);
    if (n)
        snprintf(name, sizeof name, "%s", n);
    else
        cfn_name(op, 64, NULL, name, sizeof name);
    if (!strcmp(bus, "default"))
        snprintf(op->physical, sizeof op->physical, "%s", name);
    else
        snprintf(op->physical, sizeof op->physical, "%s|%s", bus, name);
    if (put_rule(op, bus, name) < 0)
        return -1;
    json_t *ids = json_object();
    int rc = put_targets(op, bus, name, ids);
    json_decref(ids);
    if (rc < 0) { /* a rule whose targets failed is not left behind */
        char why[sizeof op->msg];
        snprintf(why, sizeof why, "%s", op->msg);
        rule_remove(op, bus, name);
        snprintf(op->msg, sizeof op->msg, "%s", why);
    }
    return rc;
}

static int rule_update(cfn_op_t *op)
{
    char bus[300], name[128];
    cfn_keep_physical(op);
    split_physical(op->physical, bus, sizeof bus, name, sizeof name);
    if (put_rule(op, bus, name) < 0)
        return -1;
    json_t *ids = json_object();
    int rc = put_targets(op, bus, name, ids);
    if (rc == 0)
        rc = remove_targets(op, bus, name, ids);
    json_decref(ids);
    return rc;
}

static int rule_delete(cfn_op_t *op)
{
    char bus[300], name[128];
    split_physical(op->old_physical ? op->old_physical : "", bus, sizeof bus, name, sizeof name);
    return rule_remove(op, bus, name);
}

static const char *const rule_props[] = {
    "Name", "EventBusName", "EventPattern", "ScheduleExpression", "State", "Description", "RoleArn", "Targets", NULL};
static const char *const rule_replace[] = {"Name", "EventBusName", NULL};
static const char *const rule_attrs[] = {"Arn", NULL};

const cfn_provider_t cfn_events_rule = {
    "AWS::Events::Rule", rule_props, NULL, rule_replace, rule_attrs, rule_create, rule_update, rule_delete,
};
