/* SPDX-License-Identifier: MIT
 * CloudFormation's SQS resources. (Placeholder: a queue by name only.) */
#include <stdio.h>
#include <string.h>

#include "cloudformation/cfn_int.h"

static const char *const queue_props[] = {"QueueName", NULL};
static const char *const queue_attrs[] = {"Arn", "QueueName", "QueueUrl", NULL};

static int queue_create(cfn_op_t *op)
{
    char name[128];
    const char *given = json_string_value(json_object_get(op->props, "QueueName"));
    if (given)
        snprintf(name, sizeof name, "%s", given);
    else
        cfn_name(op, 80, NULL, name, sizeof name);
    json_t *out;
    if (cfn_call(op, "sqs", "CreateQueue", json_pack("{s:s}", "QueueName", name), &out) != 0)
        return -1;
    snprintf(op->physical, sizeof op->physical, "%s", json_string_value(json_object_get(out, "QueueUrl")));
    char arn[256];
    cfn_arn(op, "sqs", name, arn, sizeof arn);
    op->attrs = json_pack("{s:s,s:s,s:s}", "Arn", arn, "QueueName", name, "QueueUrl", op->physical);
    json_decref(out);
    return 0;
}

static int queue_delete(cfn_op_t *op)
{
    json_t *out;
    if (cfn_call(op, "sqs", "DeleteQueue", json_pack("{s:s}", "QueueUrl", op->old_physical), &out) != 0)
        return strstr(op->msg, "does not exist") ? 0 : -1;
    json_decref(out);
    return 0;
}

static const cfn_provider_t queue = {
    .type = "AWS::SQS::Queue",
    .props = queue_props,
    .attrs = queue_attrs,
    .create = queue_create,
    .delete = queue_delete,
};

const cfn_provider_t *const cfn_prov_sqs[] = {&queue, NULL};
