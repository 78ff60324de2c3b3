/* SPDX-License-Identifier: MIT
 * CloudFormation's AWS::DynamoDB::Table: CreateTable (then
 * UpdateTimeToLive), and for an update in place UpdateTable (billing mode
 * and throughput, global secondary indexes added, changed or dropped one at
 * a time, streams, deletion protection, table class), UpdateTimeToLive and
 * the tag operations. A new TableName, KeySchema or LocalSecondaryIndexes
 * replaces the table; a table with DeletionProtectionEnabled refuses to be
 * deleted, as DynamoDB does. Its Ref is the table's name. */
#include <stdio.h>
#include <string.h>

#include "cloudformation/cfn_int.h"
#include "cloudformation/prov_int.h"

static const char *const ints[] = {"ReadCapacityUnits", "WriteCapacityUnits", "MaxReadRequestUnits",
                                   "MaxWriteRequestUnits", NULL};
static const char *const bools[] = {"Enabled", "SSEEnabled", "DeletionProtectionEnabled", "PointInTimeRecoveryEnabled",
                                    NULL};

/* A copy of member `name` of props (typed with cfn_typed), or NULL when
 * absent. */
static json_t *member(const json_t *props, const char *name)
{
    const json_t *v = json_object_get(props, name);
    return v && !json_is_null(v) ? json_deep_copy(v) : NULL;
}

/* A GlobalSecondaryIndexes entry as CreateTable and UpdateTable's Create
 * take it (CloudFormation's own members left out). Takes ownership of gsi. */
static json_t *gsi_input(json_t *gsi)
{
    json_object_del(gsi, "ContributorInsightsSpecification");
    json_object_del(gsi, "WarmThroughput");
    return gsi;
}

/* The table's StreamSpecification as the API takes it. */
static json_t *stream_input(const json_t *props)
{
    const char *view =
        json_string_value(json_object_get(json_object_get(props, "StreamSpecification"), "StreamViewType"));
    return view ? json_pack("{s:b,s:s}", "StreamEnabled", 1, "StreamViewType", view)
                : json_pack("{s:b}", "StreamEnabled", 0);
}

/* Fills physical and the attributes from a TableDescription. */
static void table_out(cfn_op_t *op, const char *name, const json_t *desc)
{
    cfn_named(op, name, "dynamodb", "table/", "");
    const char *stream = json_string_value(json_object_get(desc, "LatestStreamArn"));
    if (stream)
        json_object_set_new(op->attrs, "StreamArn", json_string(stream));
}

/* Turns time to live from `old` ({Enabled, AttributeName}, or NULL) to
 * `now` with UpdateTimeToLive. */
static int ttl(cfn_op_t *op, const char *table, const json_t *old, const json_t *now)
{
    int was = cfn_is_true(json_object_get(old, "Enabled")), on = cfn_is_true(json_object_get(now, "Enabled"));
    const char *old_attr = json_string_value(json_object_get(old, "AttributeName"));
    const char *attr = json_string_value(json_object_get(now, "AttributeName"));
    if (was && on && old_attr && attr && !strcmp(old_attr, attr))
        return 0;
    if (was && old_attr &&
        cfn_call(op, "dynamodb", "UpdateTimeToLive",
                 json_pack("{s:s,s:{s:b,s:s}}", "TableName", table, "TimeToLiveSpecification", "Enabled", 0,
                           "AttributeName", old_attr),
                 NULL) < 0)
        return -1;
    if (on)
        return cfn_call(op, "dynamodb", "UpdateTimeToLive",
                        json_pack("{s:s,s:{s:b,s:s?}}", "TableName", table, "TimeToLiveSpecification", "Enabled", 1,
                                  "AttributeName", attr),
                        NULL);
    return 0;
}

static int table_create(cfn_op_t *op)
{
    char name[300];
    cfn_given_name(op, "TableName", 255, NULL, name, sizeof name);
    if (json_object_get(op->props, "ImportSourceSpecification")) {
        snprintf(op->msg, sizeof op->msg,
                 "Runnel cannot import a table from S3 (ImportSourceSpecification): it has no S3");
        return -1;
    }
    json_t *typed = cfn_typed(op, op->props, ints, bools);
    if (!typed)
        return -1;
    json_t *in = json_pack("{s:s}", "TableName", name);
    static const char *const same[] = {"AttributeDefinitions",
                                       "KeySchema",
                                       "BillingMode",
                                       "ProvisionedThroughput",
                                       "LocalSecondaryIndexes",
                                       "DeletionProtectionEnabled",
                                       "TableClass",
                                       "OnDemandThroughput",
                                       NULL};
    for (const char *const *p = same; *p; p++) {
        json_t *v = member(typed, *p);
        if (v)
            json_object_set_new(in, *p, v);
    }
    json_t *gsis = member(typed, "GlobalSecondaryIndexes");
    if (gsis) {
        size_t i;
        json_t *g;
        json_array_foreach(gsis, i, g)
            gsi_input(g);
        json_object_set_new(in, "GlobalSecondaryIndexes", gsis);
    }
    if (json_object_get(op->props, "StreamSpecification"))
        json_object_set_new(in, "StreamSpecification", stream_input(op->props));
    json_t *sse = member(typed, "SSESpecification");
    if (sse) {
        json_t *api = json_pack("{s:b}", "Enabled", json_is_true(json_object_get(sse, "SSEEnabled")));
        cfn_set_text(op, api, "SSEType", json_object_get(sse, "SSEType"));
        cfn_set_text(op, api, "KMSMasterKeyId", json_object_get(sse, "KMSMasterKeyId"));
        json_object_set_new(in, "SSESpecification", api);
        json_decref(sse);
    }
    if (json_object_get(op->props, "Tags"))
        json_object_set_new(in, "Tags", cfn_tags_list(json_object_get(op->props, "Tags")));
    json_decref(typed);
    json_t *out;
    if (cfn_call(op, "dynamodb", "CreateTable", in, &out) < 0)
        return -1;
    table_out(op, name, json_object_get(out, "TableDescription"));
    json_decref(out);
    return ttl(op, name, NULL, json_object_get(op->props, "TimeToLiveSpecification"));
}

/* Runs UpdateTable on the table with the members of `in` (stolen). */
static int update_table(cfn_op_t *op, const char *table, json_t *in)
{
    json_object_set_new(in, "TableName", json_string(table));
    return cfn_call(op, "dynamodb", "UpdateTable", in, NULL);
}

/* The GSI named `name` in a GlobalSecondaryIndexes list, or NULL. */
static const json_t *gsi_named(const json_t *list, const char *name)
{
    size_t i;
    json_t *g;
    json_array_foreach(list, i, g)
        if (!strcmp(json_string_value(json_object_get(g, "IndexName")) ?: "", name))
            return g;
    return NULL;
}

/* The GSIs' changes, one UpdateTable each as DynamoDB wants them: dropped
 * ones deleted, ones with another key schema or projection deleted and made
 * again, new ones created, throughput changes updated. */
static int regsi(cfn_op_t *op, const char *table, const json_t *o, const json_t *p)
{
    json_t *old = member(o, "GlobalSecondaryIndexes"), *now = member(p, "GlobalSecondaryIndexes");
    json_t *defs = member(p, "AttributeDefinitions");
    int rc = 0;
    size_t i;
    json_t *g;
    json_array_foreach(old, i, g) {
        const char *name = json_string_value(json_object_get(g, "IndexName")) ?: "";
        const json_t *n = gsi_named(now, name);
        if (n && json_equal(json_object_get(g, "KeySchema"), json_object_get(n, "KeySchema")) &&
            json_equal(json_object_get(g, "Projection"), json_object_get(n, "Projection")))
            continue;
        rc = update_table(op, table,
                          json_pack("{s:[{s:{s:s}}]}", "GlobalSecondaryIndexUpdates", "Delete", "IndexName", name));
        if (rc < 0)
            goto out;
    }
    json_array_foreach(now, i, g) {
        const char *name = json_string_value(json_object_get(g, "IndexName")) ?: "";
        const json_t *o = gsi_named(old, name);
        int same_shape = o && json_equal(json_object_get(g, "KeySchema"), json_object_get(o, "KeySchema")) &&
                         json_equal(json_object_get(g, "Projection"), json_object_get(o, "Projection"));
        if (!same_shape) {
            json_t *create = gsi_input(json_deep_copy(g));
            rc = update_table(op, table,
                              json_pack("{s:O?,s:[{s:o}]}", "AttributeDefinitions", defs, "GlobalSecondaryIndexUpdates",
                                        "Create", create));
        } else if (!json_equal(json_object_get(g, "ProvisionedThroughput"),
                               json_object_get(o, "ProvisionedThroughput")) &&
                   json_object_get(g, "ProvisionedThroughput")) {
            rc = update_table(op, table,
                              json_pack("{s:[{s:{s:s,s:O}}]}", "GlobalSecondaryIndexUpdates", "Update", "IndexName",
                                        name, "ProvisionedThroughput", json_object_get(g, "ProvisionedThroughput")));
        }
        if (rc < 0)
            goto out;
    }
out:
    json_decref(old);
    json_decref(now);
    json_decref(defs);
    return rc;
}

/* The update in place, from the old properties o to the new ones p (both
 * typed). */
static int update_typed(cfn_op_t *op, const char *table, const json_t *o, const json_t *p)
{
    if (cfn_prop_changed(op, "BillingMode") || cfn_prop_changed(op, "ProvisionedThroughput")) {
        const char *bm = json_string_value(json_object_get(p, "BillingMode"));
        json_t *in = json_pack("{s:s}", "BillingMode", bm ? bm : "PROVISIONED");
        json_t *pt = member(p, "ProvisionedThroughput");
        if (pt && !(bm && !strcmp(bm, "PAY_PER_REQUEST")))
            json_object_set_new(in, "ProvisionedThroughput", pt);
        else
            json_decref(pt);
        if (update_table(op, table, in) < 0)
            return -1;
    }
    if (regsi(op, table, o, p) < 0)
        return -1;
    if (cfn_prop_changed(op, "StreamSpecification")) {
        if (json_object_get(o, "StreamSpecification") && json_object_get(p, "StreamSpecification") &&
            update_table(op, table, json_pack("{s:{s:b}}", "StreamSpecification", "StreamEnabled", 0)) < 0)
            return -1; /* DynamoDB turns a stream off before another goes on */
        if (update_table(op, table, json_pack("{s:o}", "StreamSpecification", stream_input(p))) < 0)
            return -1;
    }
    if (cfn_prop_changed(op, "DeletionProtectionEnabled") &&
        update_table(op, table,
                     json_pack("{s:b}", "DeletionProtectionEnabled",
                               cfn_is_true(json_object_get(p, "DeletionProtectionEnabled")))) < 0)
        return -1;
    if (cfn_prop_changed(op, "TableClass")) {
        const char *cls = json_string_value(json_object_get(p, "TableClass"));
        if (update_table(op, table, json_pack("{s:s}", "TableClass", cls ? cls : "STANDARD")) < 0)
            return -1;
    }
    if (cfn_prop_changed(op, "TimeToLiveSpecification") && ttl(op, table, json_object_get(o, "TimeToLiveSpecification"),
                                                               json_object_get(p, "TimeToLiveSpecification")) < 0)
        return -1;
    json_t *out;
    if (cfn_call(op, "dynamodb", "DescribeTable", json_pack("{s:s}", "TableName", table), &out) < 0)
        return -1;
    table_out(op, table, json_object_get(out, "Table"));
    json_decref(out);
    return cfn_retag(op, "dynamodb", "ResourceArn", json_string_value(json_object_get(op->attrs, "Arn")), "TagResource",
                     "Tags", "UntagResource", "TagKeys", 1);
}

static int table_update(cfn_op_t *op)
{
    json_t *o = cfn_typed(op, op->old_props, ints, bools), *p = o ? cfn_typed(op, op->props, ints, bools) : NULL;
    int rc = p ? update_typed(op, op->old_physical, o, p) : -1;
    json_decref(o);
    json_decref(p);
    return rc;
}

static int table_delete(cfn_op_t *op)
{
    json_t *in = json_pack("{s:s}", "TableName", op->old_physical);
    if (cfn_call(op, "dynamodb", "DeleteTable", in, NULL) == 0)
        return 0;
    return cfn_probe(op, "dynamodb", "DescribeTable", json_pack("{s:s}", "TableName", op->old_physical)) ? -1 : 0;
}

static const char *const table_props[] = {"AttributeDefinitions",
                                          "BillingMode",
                                          "ContributorInsightsSpecification",
                                          "DeletionProtectionEnabled",
                                          "GlobalSecondaryIndexes",
                                          "ImportSourceSpecification",
                                          "KeySchema",
                                          "KinesisStreamSpecification",
                                          "LocalSecondaryIndexes",
                                          "OnDemandThroughput",
                                          "PointInTimeRecoverySpecification",
                                          "ProvisionedThroughput",
                                          "ResourcePolicy",
                                          "SSESpecification",
                                          "StreamSpecification",
                                          "TableClass",
                                          "TableName",
                                          "Tags",
                                          "TimeToLiveSpecification",
                                          "WarmThroughput",
                                          NULL};
static const char *const table_required[] = {"KeySchema", NULL};
static const char *const table_replace[] = {"ImportSourceSpecification", "KeySchema", "LocalSecondaryIndexes",
                                            "TableName", NULL};
static const char *const table_attrs[] = {"Arn", "StreamArn", NULL};
static const cfn_provider_t table = {
    "AWS::DynamoDB::Table", table_props,  table_required, table_replace, table_attrs,
    table_create,           table_update, table_delete,
};

const cfn_provider_t *const cfn_prov_dynamodb[] = {&table, NULL};
