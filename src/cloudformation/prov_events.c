/* SPDX-License-Identifier: MIT
 * CloudFormation's EventBridge resources but rules (prov_events_rule.c):
 * AWS::Events::EventBus, Archive, Connection, ApiDestination and
 * EventBusPolicy, each created, updated and deleted through the events
 * service's own operations (CreateEventBus, UpdateArchive, ...), as a
 * client would. Ref is the name (a policy: its statement id); Fn::GetAtt
 * gives the ARNs AWS documents. */
#include <stdio.h>
#include <string.h>

#include "cloudformation/prov_events.h"
#include "cloudformation/prov_props.h"
#include "core/json_alloc.h"

/* Sets op->physical to the name property, or to a made-up one. */
static void pick_name(cfn_op_t *op, const char *prop, size_t max)
{
    char buf[64];
    const char *n = cfn_prop_text(op->props, prop, buf, sizeof buf);
    if (n)
        snprintf(op->physical, sizeof op->physical, "%s", n);
    else
        cfn_name(op, max, NULL, op->physical, sizeof op->physical);
}

/* A delete's first step: 1 when `describe` finds the resource. A resource
 * the service no longer knows counts as deleted. */
static int exists(cfn_op_t *op, const char *describe, json_t *in)
{
    if (cfn_call(op, "events", describe, in, NULL) == 0)
        return 1;
    op->msg[0] = 0;
    return 0;
}

/* ---- AWS::Events::EventBus ---- */

static const cfn_prop_map_t bus_map[] = {
    {"EventSourceName", NULL, CFN_P_STR},  {"Description", NULL, CFN_P_STR}, {"KmsKeyIdentifier", NULL, CFN_P_STR},
    {"DeadLetterConfig", NULL, CFN_P_ANY}, {"LogConfig", NULL, CFN_P_ANY},   {NULL, NULL, 0},
};

static int bus_set_attrs(cfn_op_t *op, const char *arn)
{
    json_decref(op->attrs);
    op->attrs = json_pack("{s:s,s:s}", "Arn", arn, "Name", op->physical);
    return 0;
}

/* The bus's policy as the Policy property gives it (an object or its text). */
static int bus_policy(cfn_op_t *op)
{
    json_t *p = json_object_get(op->props, "Policy");
    if (!p)
        return 0;
    json_t *text = cfn_prop_as(op, p, CFN_P_JSON_TEXT, "Policy");
    if (!text)
        return -1;
    return cfn_call(op, "events", "PutPermission", json_pack("{s:s,s:o}", "EventBusName", op->physical, "Policy", text),
                    NULL);
}

static int bus_create(cfn_op_t *op)
{
    pick_name(op, "Name", 256);
    json_t *in = json_pack("{s:s}", "Name", op->physical), *out = NULL;
    json_t *tags = json_object_get(op->props, "Tags");
    if (json_is_array(tags))
        json_object_set(in, "Tags", tags);
    if (cfn_props_call(op, "events", "CreateEventBus", bus_map, in, &out) < 0)
        return -1;
    bus_set_attrs(op, json_string_value(json_object_get(out, "EventBusArn")));
    json_decref(out);
    return bus_policy(op);
}

static int bus_update(cfn_op_t *op)
{
    cfn_keep_physical(op);
    json_t *in = json_pack("{s:s,s:s}", "Name", op->physical, "Description", ""), *out = NULL;
    /* bus_map + 1: all but EventSourceName, which replaces the bus */
    if (cfn_props_call(op, "events", "UpdateEventBus", bus_map + 1, in, &out) < 0)
        return -1;
    const char *arn = json_string_value(json_object_get(out, "Arn"));
    bus_set_attrs(op, arn ? arn : "");
    json_t *old = cfn_tags_map(json_object_get(op->old_props, "Tags")),
           *new = cfn_tags_map(json_object_get(op->props, "Tags"));
    int rc = cfn_tags_sync(op, "events", "ResourceARN", arn ? arn : "", old, new, "TagResource", "Tags",
                           "UntagResource", "TagKeys", 1);
    json_decref(old);
    json_decref(new);
    json_decref(out);
    if (rc == 0 && cfn_prop_changed(op, "Policy")) {
        if (json_object_get(op->props, "Policy"))
            rc = bus_policy(op);
        else
            rc = cfn_call(op, "events", "RemovePermission",
                          json_pack("{s:s,s:b}", "EventBusName", op->physical, "RemoveAllPermissions", 1), NULL);
    }
    return rc;
}

static int bus_delete(cfn_op_t *op)
{
    /* DeleteEventBus answers success for a bus that is not there */
    return cfn_call(op, "events", "DeleteEventBus", json_pack("{s:s}", "Name", op->old_physical), NULL);
}

static const char *const bus_props[] = {"Name",        "EventSourceName",  "Tags",
                                        "Description", "DeadLetterConfig", "KmsKeyIdentifier",
                                        "LogConfig",   "Policy",           NULL};
static const char *const bus_required[] = {"Name", NULL};
static const char *const bus_replace[] = {"Name", "EventSourceName", NULL};
static const char *const bus_attrs[] = {"Arn", "Name", NULL};

static const cfn_provider_t event_bus = {
    "AWS::Events::EventBus", bus_props, bus_required, bus_replace, bus_attrs, bus_create, bus_update, bus_delete,
};

/* ---- AWS::Events::Archive ---- */

static const cfn_prop_map_t archive_map[] = {
    {"SourceArn", "EventSourceArn", CFN_P_STR},
    {"Description", NULL, CFN_P_STR},
    {"EventPattern", NULL, CFN_P_JSON_TEXT},
    {"RetentionDays", NULL, CFN_P_INT},
    {NULL, NULL, 0},
};

static int archive_create(cfn_op_t *op)
{
    pick_name(op, "ArchiveName", 48);
    json_t *in = json_pack("{s:s}", "ArchiveName", op->physical), *out = NULL;
    if (cfn_props_call(op, "events", "CreateArchive", archive_map, in, &out) < 0)
        return -1;
    json_decref(op->attrs);
    op->attrs = json_pack("{s:O?}", "Arn", json_object_get(out, "ArchiveArn"));
    json_decref(out);
    return 0;
}

static int archive_update(cfn_op_t *op)
{
    cfn_keep_physical(op);
    /* what the template no longer gives goes back to the defaults */
    json_t *in = json_pack("{s:s,s:s,s:i}", "ArchiveName", op->physical, "Description", "", "RetentionDays", 0);
    /* archive_map + 1: all but SourceArn, which replaces the archive */
    return cfn_props_call(op, "events", "UpdateArchive", archive_map + 1, in, NULL);
}

static int archive_delete(cfn_op_t *op)
{
    if (!exists(op, "DescribeArchive", json_pack("{s:s}", "ArchiveName", op->old_physical)))
        return 0;
    return cfn_call(op, "events", "DeleteArchive", json_pack("{s:s}", "ArchiveName", op->old_physical), NULL);
}

static const char *const archive_props[] = {"ArchiveName",   "SourceArn",   "EventPattern",
                                            "RetentionDays", "Description", NULL};
static const char *const archive_required[] = {"SourceArn", NULL};
static const char *const archive_replace[] = {"ArchiveName", "SourceArn", NULL};
static const char *const archive_attrs[] = {"Arn", NULL};

static const cfn_provider_t archive = {
    "AWS::Events::Archive", archive_props,  archive_required, archive_replace,
    archive_attrs,          archive_create, archive_update,   archive_delete,
};

/* ---- AWS::Events::Connection ---- */

static const cfn_prop_map_t connection_map[] = {
    {"Description", NULL, CFN_P_STR},
    {"AuthorizationType", NULL, CFN_P_STR},
    {"AuthParameters", NULL, CFN_P_ANY},
    {NULL, NULL, 0},
};

static const char *const connection_bools[] = {"IsValueSecret", NULL};

static int connection_input(cfn_op_t *op, json_t *in)
{
    if (cfn_props_map(op, op->props, connection_map, in) < 0)
        return -1;
    json_t *auth = json_object_get(in, "AuthParameters");
    if (auth) { /* nested flags may be text too; the copy is ours to change */
        json_t *copy = json_deep_copy(auth);
        json_object_set_new(in, "AuthParameters", copy);
        if (cfn_props_fix(op, copy, NULL, connection_bools) < 0)
            return -1;
    }
    return 0;
}

/* Arn and SecretArn, from DescribeConnection. */
static int connection_attrs_set(cfn_op_t *op)
{
    json_t *out = NULL;
    if (cfn_call(op, "events", "DescribeConnection", json_pack("{s:s}", "Name", op->physical), &out) < 0)
        return -1;
    json_decref(op->attrs);
    op->attrs = json_pack("{s:O?,s:O?}", "Arn", json_object_get(out, "ConnectionArn"), "SecretArn",
                          json_object_get(out, "SecretArn"));
    json_decref(out);
    return 0;
}

static int connection_create(cfn_op_t *op)
{
    pick_name(op, "Name", 64);
    json_t *in = json_pack("{s:s}", "Name", op->physical);
    if (connection_input(op, in) < 0) {
        json_decref(in);
        return -1;
    }
    if (cfn_call(op, "events", "CreateConnection", in, NULL) < 0)
        return -1;
    return connection_attrs_set(op);
}

static int connection_update(cfn_op_t *op)
{
    cfn_keep_physical(op);
    json_t *in = json_pack("{s:s,s:s}", "Name", op->physical, "Description", "");
    if (connection_input(op, in) < 0) {
        json_decref(in);
        return -1;
    }
    if (cfn_call(op, "events", "UpdateConnection", in, NULL) < 0)
        return -1;
    return connection_attrs_set(op);
}

static int connection_delete(cfn_op_t *op)
{
    if (!exists(op, "DescribeConnection", json_pack("{s:s}", "Name", op->old_physical)))
        return 0;
    return cfn_call(op, "events", "DeleteConnection", json_pack("{s:s}", "Name", op->old_physical), NULL);
}

static const char *const connection_props[] = {"Name", "AuthorizationType", "AuthParameters", "Description", NULL};
static const char *const connection_required[] = {"AuthorizationType", "AuthParameters", NULL};
static const char *const connection_replace[] = {"Name", NULL};
static const char *const connection_attrs[] = {"Arn", "SecretArn", NULL};

static const cfn_provider_t connection = {
    "AWS::Events::Connection", connection_props,  connection_required, connection_replace,
    connection_attrs,          connection_create, connection_update,   connection_delete,
};

/* ---- AWS::Events::ApiDestination ---- */

static const cfn_prop_map_t apidest_map[] = {
    {"ConnectionArn", NULL, CFN_P_STR}, {"InvocationEndpoint", NULL, CFN_P_STR},
    {"HttpMethod", NULL, CFN_P_STR},    {"InvocationRateLimitPerSecond", NULL, CFN_P_INT},
    {"Description", NULL, CFN_P_STR},   {NULL, NULL, 0},
};

static int apidest_call(cfn_op_t *op, const char *opname)
{
    json_t *in = json_pack("{s:s}", "Name", op->physical), *out = NULL;
    if (cfn_props_call(op, "events", opname, apidest_map, in, &out) < 0)
        return -1;
    json_decref(op->attrs);
    op->attrs = json_pack("{s:O?}", "Arn", json_object_get(out, "ApiDestinationArn"));
    json_decref(out);
    return 0;
}

static int apidest_create(cfn_op_t *op)
{
    pick_name(op, "Name", 64);
    return apidest_call(op, "CreateApiDestination");
}

static int apidest_update(cfn_op_t *op)
{
    cfn_keep_physical(op);
    return apidest_call(op, "UpdateApiDestination");
}

static int apidest_delete(cfn_op_t *op)
{
    if (!exists(op, "DescribeApiDestination", json_pack("{s:s}", "Name", op->old_physical)))
        return 0;
    return cfn_call(op, "events", "DeleteApiDestination", json_pack("{s:s}", "Name", op->old_physical), NULL);
}

static const char *const apidest_props[] = {
    "Name", "ConnectionArn", "InvocationEndpoint", "HttpMethod", "InvocationRateLimitPerSecond", "Description", NULL};
static const char *const apidest_required[] = {"ConnectionArn", "InvocationEndpoint", "HttpMethod", NULL};
static const char *const apidest_replace[] = {"Name", NULL};
static const char *const apidest_attrs[] = {"Arn", NULL};

static const cfn_provider_t api_destination = {
    "AWS::Events::ApiDestination",
    apidest_props,
    apidest_required,
    apidest_replace,
    apidest_attrs,
    apidest_create,
    apidest_update,
    apidest_delete,
};

/* ---- AWS::Events::EventBusPolicy ---- */

/* The bus's policy with the statement `sid` taken out, as text, or NULL
 * when the bus has none. */
static json_t *policy_without(cfn_op_t *op, const char *bus, const char *sid)
{
    json_t *out = NULL;
    if (cfn_call(op, "events", "DescribeEventBus", json_pack("{s:s}", "Name", bus), &out) < 0)
        return NULL;
    json_t *doc = json_loads(json_string_value(json_object_get(out, "Policy")) ?: "", 0, NULL);
    json_decref(out);
    if (!json_is_object(doc)) {
        json_decref(doc);
        doc = json_pack("{s:s,s:[]}", "Version", "2012-10-17", "Statement");
    }
    json_t *list = json_object_get(doc, "Statement");
    for (size_t i = json_array_size(list); i-- > 0;)
        if (!strcmp(json_string_value(json_object_get(json_array_get(list, i), "Sid")) ?: "", sid))
            json_array_remove(list, i);
    return doc;
}

static int policy_put(cfn_op_t *op)
{
    char bb[64], sb[64];
    const char *bus = cfn_prop_text(op->props, "EventBusName", bb, sizeof bb);
    const char *sid = cfn_prop_text(op->props, "StatementId", sb, sizeof sb);
    bus = bus ? bus : "default";
    snprintf(op->physical, sizeof op->physical, "%s", sid ? sid : "");
    json_t *st = json_object_get(op->props, "Statement");
    if (st) { /* a whole statement: merged into the bus's policy under its id */
        if (!json_is_object(st)) {
            snprintf(op->msg, sizeof op->msg,
                     "Properties validation failed for resource %s with message: #/Statement: expected type: "
                     "JSONObject",
                     op->logical_id);
            return -1;
        }
        json_t *doc = policy_without(op, bus, op->physical);
        if (!doc)
            return -1;
        json_t *one = json_deep_copy(st);
        json_object_set_new(one, "Sid", json_string(op->physical));
        json_array_append_new(json_object_get(doc, "Statement"), one);
        char *text = json_dumps(doc, JSON_COMPACT);
        json_decref(doc);
        int rc = cfn_call(op, "events", "PutPermission",
                          json_pack("{s:s,s:s}", "EventBusName", bus, "Policy", text ? text : ""), NULL);
        rn_json_free(text);
        return rc;
    }
    static const cfn_prop_map_t map[] = {
        {"Action", NULL, CFN_P_STR},
        {"Principal", NULL, CFN_P_STR},
        {"Condition", NULL, CFN_P_ANY},
        {NULL, NULL, 0},
    };
    json_t *in = json_pack("{s:s,s:s}", "EventBusName", bus, "StatementId", op->physical);
    return cfn_props_call(op, "events", "PutPermission", map, in, NULL);
}

static int policy_create(cfn_op_t *op)
{
    return policy_put(op);
}

static int policy_update(cfn_op_t *op)
{
    /* the old statement goes first */
    char bb[64];
    const char *bus = cfn_prop_text(op->old_props, "EventBusName", bb, sizeof bb);
    json_t *doc = policy_without(op, bus ? bus : "default", op->old_physical);
    if (!doc)
        return -1;
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    int rc = cfn_call(op, "events", "PutPermission",
                      json_pack("{s:s,s:s}", "EventBusName", bus ? bus : "default", "Policy", text ? text : ""), NULL);
    rn_json_free(text);
    return rc < 0 ? -1 : policy_put(op);
}

static int policy_delete(cfn_op_t *op)
{
    char bb[64];
    const char *bus = cfn_prop_text(op->old_props, "EventBusName", bb, sizeof bb);
    /* a bus or statement already gone leaves nothing to remove */
    if (cfn_call(op, "events", "RemovePermission",
                 json_pack("{s:s,s:s}", "EventBusName", bus ? bus : "default", "StatementId", op->old_physical),
                 NULL) < 0)
        op->msg[0] = 0;
    return 0;
}

static const char *const policy_props[] = {"EventBusName", "StatementId", "Action", "Principal",
                                           "Condition",    "Statement",   NULL};
static const char *const policy_required[] = {"StatementId", NULL};
static const char *const policy_replace[] = {"EventBusName", "StatementId", NULL};

static const cfn_provider_t bus_policy_provider = {
    "AWS::Events::EventBusPolicy",
    policy_props,
    policy_required,
    policy_replace,
    NULL,
    policy_create,
    policy_update,
    policy_delete,
};

const cfn_provider_t *const cfn_prov_events[] = {
    &event_bus, &cfn_events_rule, &archive, &connection, &api_destination, &bus_policy_provider, NULL,
};
