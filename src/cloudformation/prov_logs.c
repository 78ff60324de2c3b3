/* SPDX-License-Identifier: MIT
 * CloudFormation's CloudWatch Logs resources: AWS::Logs::LogGroup
 * (CreateLogGroup, PutRetentionPolicy/DeleteRetentionPolicy and the tag
 * operations; a new LogGroupName replaces it) and AWS::Logs::LogStream.
 * MetricFilter and SubscriptionFilter are not here: Runnel's Logs has no
 * filters to put. A log group's Ref is its name; its Arn ends in ":*", as
 * CloudFormation gives it. */
#include <stdio.h>
#include <string.h>

#include "cloudformation/cfn_int.h"
#include "cloudformation/prov_int.h"

/* Sets the group's retention from RetentionInDays, or removes it when the
 * property is absent and `had` says one was set. */
static int retention(cfn_op_t *op, const char *name, int had)
{
    const json_t *v = json_object_get(op->props, "RetentionInDays");
    if (v && !json_is_null(v)) {
        json_t *days = cfn_prop_as(op, v, CFN_P_INT, "RetentionInDays");
        if (!days)
            return -1;
        return cfn_call(op, "logs", "PutRetentionPolicy",
                        json_pack("{s:s,s:o}", "logGroupName", name, "retentionInDays", days), NULL);
    }
    if (had)
        return cfn_call(op, "logs", "DeleteRetentionPolicy", json_pack("{s:s}", "logGroupName", name), NULL);
    return 0;
}

static int group_create(cfn_op_t *op)
{
    char name[600];
    cfn_given_name(op, "LogGroupName", 512, NULL, name, sizeof name);
    json_t *in = json_pack("{s:s,s:o}", "logGroupName", name, "tags", cfn_tags_map(json_object_get(op->props, "Tags")));
    cfn_set_text(op, in, "kmsKeyId", json_object_get(op->props, "KmsKeyId"));
    cfn_set_text(op, in, "logGroupClass", json_object_get(op->props, "LogGroupClass"));
    if (cfn_call(op, "logs", "CreateLogGroup", in, NULL) < 0)
        return -1;
    cfn_named(op, name, "logs", "log-group:", ":*");
    return retention(op, name, 0);
}

static int group_update(cfn_op_t *op)
{
    const char *name = op->old_physical;
    if (cfn_prop_changed(op, "RetentionInDays") &&
        retention(op, name, json_object_get(op->old_props, "RetentionInDays") != NULL) < 0)
        return -1;
    int rc = cfn_retag(op, "logs", "logGroupName", name, "TagLogGroup", "tags", "UntagLogGroup", "tags", 0);
    if (rc < 0)
        return -1;
    cfn_named(op, name, "logs", "log-group:", ":*");
    return 0;
}

static int group_delete(cfn_op_t *op)
{
    json_t *in = json_pack("{s:s}", "logGroupName", op->old_physical);
    if (cfn_call(op, "logs", "DeleteLogGroup", in, NULL) == 0)
        return 0;
    return cfn_probe(op, "logs", "ListTagsLogGroup", json_pack("{s:s}", "logGroupName", op->old_physical)) ? -1 : 0;
}

static int stream_create(cfn_op_t *op)
{
    char name[600];
    cfn_given_name(op, "LogStreamName", 512, NULL, name, sizeof name);
    json_t *in =
        json_pack("{s:O?,s:s}", "logGroupName", json_object_get(op->props, "LogGroupName"), "logStreamName", name);
    if (cfn_call(op, "logs", "CreateLogStream", in, NULL) < 0)
        return -1;
    snprintf(op->physical, sizeof op->physical, "%s", name);
    return 0;
}

static int stream_delete(cfn_op_t *op)
{
    const json_t *group = json_object_get(op->old_props, "LogGroupName");
    json_t *in = json_pack("{s:O?,s:s}", "logGroupName", group, "logStreamName", op->old_physical);
    if (cfn_call(op, "logs", "DeleteLogStream", in, NULL) == 0)
        return 0;
    json_t *probe = json_pack("{s:O?,s:s}", "logGroupName", group, "logStreamNamePrefix", op->old_physical);
    json_t *out = NULL;
    char keep[sizeof op->msg];
    memcpy(keep, op->msg, sizeof keep);
    int listed = cfn_call(op, "logs", "DescribeLogStreams", probe, &out) == 0;
    memcpy(op->msg, keep, sizeof keep);
    int there = 0;
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(out, "logStreams"), i, s)
        there |= !strcmp(json_string_value(json_object_get(s, "logStreamName")) ?: "", op->old_physical);
    json_decref(out);
    return listed && there ? -1 : 0;
}

static const char *const group_props[] = {"BearerTokenAuthenticationEnabled",
                                          "DataProtectionPolicy",
                                          "DeletionProtectionEnabled",
                                          "FieldIndexPolicies",
                                          "KmsKeyId",
                                          "LogGroupClass",
                                          "LogGroupName",
                                          "ResourcePolicyDocument",
                                          "RetentionInDays",
                                          "Tags",
                                          NULL};
static const char *const group_replace[] = {"LogGroupName", NULL};
static const char *const group_attrs[] = {"Arn", NULL};
static const cfn_provider_t log_group = {
    "AWS::Logs::LogGroup", group_props, NULL, group_replace, group_attrs, group_create, group_update, group_delete,
};

static const char *const stream_props[] = {"LogGroupName", "LogStreamName", NULL};
static const char *const stream_required[] = {"LogGroupName", NULL};
static const cfn_provider_t log_stream = {
    "AWS::Logs::LogStream", stream_props, stream_required, stream_props, NULL, stream_create, NULL, stream_delete,
};

const cfn_provider_t *const cfn_prov_logs[] = {&log_group, &log_stream, NULL};
