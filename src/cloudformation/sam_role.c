/* SPDX-License-Identifier: MIT
 * The execution role SAM generates for a function that names no Role
 * (<Fn>Role): Lambda's trust policy, AWSLambdaBasicExecutionRole plus the
 * managed policies that Tracing, VpcConfig and Policies ask for, and inline
 * policies from Policies (statements as given, SAM policy templates expanded
 * to their statements). Runnel stores IAM but enforces nothing, so the point
 * is a faithful template, not security. */
#include <stdio.h>
#include <string.h>

#include "cloudformation/sam_int.h"

#define MANAGED "arn:aws:iam::aws:policy/"

/* AWS managed policies whose ARN has a path, by name; others are
 * arn:aws:iam::aws:policy/NAME. */
static const char *const service_role[] = {
    "AWSLambdaBasicExecutionRole", "AWSLambdaDynamoDBExecutionRole", "AWSLambdaENIManagementAccess",
    "AWSLambdaKinesisExecutionRole", "AWSLambdaMSKExecutionRole", "AWSLambdaRole", "AWSLambdaSQSQueueExecutionRole",
    "AWSLambdaVPCAccessExecutionRole", "AWSCodeDeployRoleForLambda", "AWSCodeDeployRoleForLambdaLimited",
    "AmazonSNSRole", "AmazonAPIGatewayPushToCloudWatchLogs", "AWSAppSyncPushToCloudWatchLogs", NULL};

/* The SAM policy templates Runnel expands: name, parameter names and the
 * statements, where {"Ref": "<Parameter>"} stands for the given value. */
#define ARN_SUB(rest, var, param) "{\"Fn::Sub\":[\"arn:${AWS::Partition}:" rest "\",{\"" var "\":{\"Ref\":\"" param "\"}}]}"
#define DDB_TABLE                                                                                                     \
    "[" ARN_SUB("dynamodb:${AWS::Region}:${AWS::AccountId}:table/${tableName}", "tableName", "TableName") "," ARN_SUB( \
        "dynamodb:${AWS::Region}:${AWS::AccountId}:table/${tableName}/index/*", "tableName", "TableName") "]"
static const struct {
    const char *name;
    const char *params[2];
    const char *statements;
} templates[] = {
    {"DynamoDBCrudPolicy", {"TableName"},
     "[{\"Action\":[\"dynamodb:GetItem\",\"dynamodb:DeleteItem\",\"dynamodb:PutItem\",\"dynamodb:Scan\","
     "\"dynamodb:Query\",\"dynamodb:UpdateItem\",\"dynamodb:BatchWriteItem\",\"dynamodb:BatchGetItem\","
     "\"dynamodb:DescribeTable\",\"dynamodb:ConditionCheckItem\"],\"Effect\":\"Allow\",\"Resource\":" DDB_TABLE "}]"},
    {"DynamoDBReadPolicy", {"TableName"},
     "[{\"Action\":[\"dynamodb:GetItem\",\"dynamodb:Scan\",\"dynamodb:Query\",\"dynamodb:BatchGetItem\","
     "\"dynamodb:DescribeTable\"],\"Effect\":\"Allow\",\"Resource\":" DDB_TABLE "}]"},
    {"DynamoDBWritePolicy", {"TableName"},
     "[{\"Action\":[\"dynamodb:PutItem\",\"dynamodb:UpdateItem\",\"dynamodb:BatchWriteItem\"],\"Effect\":\"Allow\","
     "\"Resource\":" DDB_TABLE "}]"},
    {"SQSPollerPolicy", {"QueueName"},
     "[{\"Action\":[\"sqs:ChangeMessageVisibility\",\"sqs:ChangeMessageVisibilityBatch\",\"sqs:DeleteMessage\","
     "\"sqs:DeleteMessageBatch\",\"sqs:GetQueueAttributes\",\"sqs:ReceiveMessage\"],\"Effect\":\"Allow\","
     "\"Resource\":" ARN_SUB("sqs:${AWS::Region}:${AWS::AccountId}:${queueName}", "queueName", "QueueName") "}]"},
    {"SQSSendMessagePolicy", {"QueueName"},
     "[{\"Action\":[\"sqs:SendMessage*\"],\"Effect\":\"Allow\",\"Resource\":" ARN_SUB(
         "sqs:${AWS::Region}:${AWS::AccountId}:${queueName}", "queueName", "QueueName") "}]"},
    {"SESCrudPolicy", {"IdentityName"},
     "[{\"Action\":[\"ses:GetIdentityVerificationAttributes\",\"ses:SendEmail\",\"ses:SendRawEmail\","
     "\"ses:VerifyEmailIdentity\"],\"Effect\":\"Allow\",\"Resource\":" ARN_SUB(
         "ses:${AWS::Region}:${AWS::AccountId}:identity/${identityName}", "identityName", "IdentityName") "}]"},
    {"SESSendBouncePolicy", {"IdentityName"},
     "[{\"Action\":[\"ses:SendBounce\"],\"Effect\":\"Allow\",\"Resource\":" ARN_SUB(
         "ses:${AWS::Region}:${AWS::AccountId}:identity/${identityName}", "identityName", "IdentityName") "}]"},
    {"SNSPublishMessagePolicy", {"TopicName"},
     "[{\"Action\":[\"sns:Publish\"],\"Effect\":\"Allow\",\"Resource\":" ARN_SUB(
         "sns:${AWS::Region}:${AWS::AccountId}:${topicName}", "topicName", "TopicName") "}]"},
    {"SNSCrudPolicy", {"TopicName"},
     "[{\"Action\":[\"sns:ListSubscriptionsByTopic\",\"sns:CreateTopic\",\"sns:SetTopicAttributes\","
     "\"sns:Subscribe\",\"sns:Publish\"],\"Effect\":\"Allow\",\"Resource\":" ARN_SUB(
         "sns:${AWS::Region}:${AWS::AccountId}:${topicName}*", "topicName", "TopicName") "}]"},
    {"EventBridgePutEventsPolicy", {"EventBusName"},
     "[{\"Action\":\"events:PutEvents\",\"Effect\":\"Allow\",\"Resource\":" ARN_SUB(
         "events:${AWS::Region}:${AWS::AccountId}:event-bus/${eventBusName}", "eventBusName", "EventBusName") "}]"},
    {"CloudWatchPutMetricPolicy", {NULL},
     "[{\"Action\":[\"cloudwatch:PutMetricData\"],\"Effect\":\"Allow\",\"Resource\":\"*\"}]"},
    {"LambdaInvokePolicy", {"FunctionName"},
     "[{\"Action\":[\"lambda:InvokeFunction\"],\"Effect\":\"Allow\",\"Resource\":" ARN_SUB(
         "lambda:${AWS::Region}:${AWS::AccountId}:function:${functionName}*", "functionName", "FunctionName") "}]"},
};

void sam_role_add_managed(sam_ctx_t *c, json_t *role, const char *arn)
{
    json_t *list = json_object_get(role, "ManagedPolicyArns");
    if (!list) {
        list = json_array();
        sam_set(c, role, "ManagedPolicyArns", list);
    }
    size_t i;
    json_t *e;
    json_array_foreach(list, i, e) {
        if (json_is_string(e) && strcmp(json_string_value(e), arn) == 0)
            return;
    }
    if (json_array_append_new(list, json_string(arn)))
        c->oom = 1;
}

/* A managed policy name or ARN as SAM maps it. */
static void add_managed_name(sam_ctx_t *c, json_t *role, const char *name)
{
    if (strncmp(name, "arn:", 4) == 0) {
        sam_role_add_managed(c, role, name);
        return;
    }
    char arn[600];
    const char *path = "";
    for (size_t i = 0; service_role[i]; i++)
        if (strcmp(service_role[i], name) == 0)
            path = "service-role/";
    snprintf(arn, sizeof arn, MANAGED "%s%s", path, name);
    sam_role_add_managed(c, role, arn);
}

/* A copy of v with {"Ref": P} for each template parameter P replaced by
 * its value. */
static json_t *fill(const json_t *v, const json_t *values)
{
    const json_t *ref = json_object_get(v, "Ref");
    if (json_is_string(ref) && json_object_size(v) == 1) {
        const json_t *val = json_object_get(values, json_string_value(ref));
        if (val)
            return json_deep_copy(val);
    }
    if (json_is_object(v)) {
        json_t *o = json_object();
        const char *k;
        json_t *e;
        json_object_foreach((json_t *)v, k, e) {
            json_object_set_new(o, k, fill(e, values));
        }
        return o;
    }
    if (json_is_array(v)) {
        json_t *a = json_array();
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e) {
            json_array_append_new(a, fill(e, values));
        }
        return a;
    }
    return json_deep_copy(v);
}

/* The policy document of policy template `name` with `values`, or NULL
 * with the error recorded. Templates Runnel does not carry are kept by
 * name (an empty statement list and the template under
 * RunnelPolicyTemplate), since nothing enforces them here. */
static json_t *template_document(sam_ctx_t *c, const char *id, const char *name, const json_t *values)
{
    if (!json_is_object(values)) {
        sam_error(c, id, "Must specify valid parameter values for policy template '%s'", name);
        return NULL;
    }
    for (size_t i = 0; i < sizeof templates / sizeof templates[0]; i++) {
        if (strcmp(templates[i].name, name) != 0)
            continue;
        const char *p = templates[i].params[0];
        if (p && !json_object_get(values, p)) {
            sam_error(c, id, "Following required parameters of template '%s' don't have values: ['%s']", name, p);
            return NULL;
        }
        json_t *st = json_loads(templates[i].statements, 0, NULL);
        json_t *doc = st ? json_pack("{s:o}", "Statement", fill(st, values)) : NULL;
        json_decref(st);
        if (!doc)
            c->oom = 1;
        return doc;
    }
    return json_pack("{s:[], s:{s:s, s:O}}", "Statement", "RunnelPolicyTemplate", "Name", name, "Parameters", values);
}

/* One entry of Policies at `index`: a managed policy, a statement, a
 * template, or Fn::If between them. */
static int add_policy(sam_ctx_t *c, const char *id, json_t *role, json_t *inline_list, size_t index, const json_t *p)
{
    char pname[600];
    snprintf(pname, sizeof pname, "%sRolePolicy%zu", id, index);
    if (json_is_string(p)) {
        add_managed_name(c, role, json_string_value(p));
        return 0;
    }
    const json_t *fif = json_object_get(p, "Fn::If");
    if (fif && json_object_size(p) == 1) {
        if (json_array_size(fif) != 3) {
            sam_error(c, id, "Fn::If requires 3 arguments");
            return -1;
        }
        json_t *branches[2] = {NULL, NULL};
        for (size_t b = 0; b < 2; b++) {
            const json_t *v = json_array_get(fif, b + 1);
            const json_t *nv = json_object_get(v, "Ref");
            if (json_is_string(nv) && strcmp(json_string_value(nv), "AWS::NoValue") == 0) {
                branches[b] = json_deep_copy(v);
            } else if (json_is_object(v) && json_object_get(v, "Statement")) {
                branches[b] = json_pack("{s:s, s:O}", "PolicyName", pname, "PolicyDocument", v);
            } else if (json_is_object(v) && json_object_size(v) == 1 && !sam_is_intrinsic(v)) {
                const char *tn = json_object_iter_key(json_object_iter((json_t *)v));
                json_t *doc = template_document(c, id, tn, json_object_get(v, tn));
                branches[b] = doc ? json_pack("{s:s, s:o}", "PolicyName", pname, "PolicyDocument", doc) : NULL;
            } else {
                /* managed policy under a condition: keep it as given */
                json_decref(branches[0]);
                if (json_array_append(json_object_get(role, "ManagedPolicyArns"), (json_t *)p))
                    c->oom = 1;
                return 0;
            }
            if (!branches[b]) {
                json_decref(branches[0]);
                return -1;
            }
        }
        json_t *e = json_pack("{s:[O,o,o]}", "Fn::If", json_array_get(fif, 0), branches[0], branches[1]);
        if (!e || json_array_append_new(inline_list, e))
            c->oom = 1;
        return 0;
    }
    if (sam_is_intrinsic(p)) {
        json_t *list = json_object_get(role, "ManagedPolicyArns");
        if (json_array_append(list, (json_t *)p))
            c->oom = 1;
        return 0;
    }
    if (json_is_object(p) && json_object_get(p, "Statement")) {
        json_t *e = json_pack("{s:s, s:O}", "PolicyName", pname, "PolicyDocument", p);
        if (!e || json_array_append_new(inline_list, e))
            c->oom = 1;
        return 0;
    }
    if (json_is_object(p) && json_object_size(p) == 1) {
        const char *tn = json_object_iter_key(json_object_iter((json_t *)p));
        json_t *doc = template_document(c, id, tn, json_object_get(p, tn));
        if (!doc)
            return -1;
        json_t *e = json_pack("{s:s, s:o}", "PolicyName", pname, "PolicyDocument", doc);
        if (!e || json_array_append_new(inline_list, e))
            c->oom = 1;
        return 0;
    }
    sam_error(c, id, "Policy at index %zu in the 'Policies' property is not valid", index);
    return -1;
}

json_t *sam_role_props(sam_ctx_t *c, const char *id, const json_t *props)
{
    json_t *role = json_object();
    const json_t *trust = json_object_get(props, "AssumeRolePolicyDocument");
    sam_set(c, role, "AssumeRolePolicyDocument",
            trust ? json_deep_copy(trust)
                  : json_pack("{s:[{s:[s], s:s, s:{s:[s]}}], s:s}", "Statement", "Action", "sts:AssumeRole", "Effect",
                              "Allow", "Principal", "Service", "lambda.amazonaws.com", "Version", "2012-10-17"));
    sam_set(c, role, "ManagedPolicyArns", json_array());
    sam_role_add_managed(c, role, MANAGED "service-role/AWSLambdaBasicExecutionRole");
    const json_t *tracing = json_object_get(props, "Tracing");
    if (tracing && !(json_is_string(tracing) && strcmp(json_string_value(tracing), "Disabled") == 0))
        sam_role_add_managed(c, role, MANAGED "AWSXrayWriteOnlyAccess");
    if (json_object_get(props, "VpcConfig"))
        sam_role_add_managed(c, role, MANAGED "service-role/AWSLambdaVPCAccessExecutionRole");

    json_t *inline_list = json_array();
    const json_t *pol = json_object_get(props, "Policies");
    if (json_is_array(pol)) {
        size_t i;
        json_t *p;
        json_array_foreach(pol, i, p) {
            if (add_policy(c, id, role, inline_list, i, p))
                goto fail;
        }
    } else if (pol && add_policy(c, id, role, inline_list, 0, pol)) {
        goto fail;
    }
    const json_t *dlq = json_object_get(props, "DeadLetterQueue");
    if (dlq) {
        const char *type = json_string_value(json_object_get(dlq, "Type"));
        json_t *e = json_pack("{s:s, s:{s:s, s:[{s:s, s:O, s:s}]}}", "PolicyName", "DeadLetterQueuePolicy",
                              "PolicyDocument", "Version", "2012-10-17", "Statement", "Action",
                              type && strcmp(type, "SNS") == 0 ? "sns:Publish" : "sqs:SendMessage", "Resource",
                              json_object_get(dlq, "TargetArn"), "Effect", "Allow");
        if (!e || json_array_append_new(inline_list, e))
            c->oom = 1;
    }
    if (json_array_size(inline_list))
        sam_set(c, role, "Policies", inline_list);
    else
        json_decref(inline_list);
    sam_copy(c, role, "Path", props, "RolePath");
    sam_copy(c, role, "PermissionsBoundary", props, "PermissionsBoundary");
    sam_set(c, role, "Tags", sam_tag_list(c, json_object_get(props, "Tags"), 1));
    return role;
fail:
    json_decref(inline_list);
    json_decref(role);
    return NULL;
}
