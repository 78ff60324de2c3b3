/* SPDX-License-Identifier: MIT
 * CloudFormation's SQS resources: AWS::SQS::Queue (CreateQueue, then
 * SetQueueAttributes and the tag operations for an update in place; a new
 * QueueName or FifoQueue replaces it), AWS::SQS::QueuePolicy and
 * AWS::SQS::QueueInlinePolicy (the queues' Policy attribute). A queue's Ref
 * is its URL, as on AWS. */
#include <stdio.h>
#include <string.h>

#include "cloudformation/cfn_int.h"
#include "cloudformation/prov_value.h"

/* The queue properties that are queue attributes of the same name, with the
 * value SetQueueAttributes restores when a property is taken out. */
static const struct {
    const char *name, *reset;
    int fifo_only;
} queue_attrs[] = {
    {"DelaySeconds", "0", 0},
    {"MaximumMessageSize", "1048576", 0},
    {"MessageRetentionPeriod", "345600", 0},
    {"ReceiveMessageWaitTimeSeconds", "0", 0},
    {"VisibilityTimeout", "30", 0},
    {"RedrivePolicy", "", 0},
    {"RedriveAllowPolicy", "", 0},
    {"KmsMasterKeyId", "", 0},
    {"KmsDataKeyReusePeriodSeconds", "300", 0},
    {"SqsManagedSseEnabled", "true", 0},
    {"ContentBasedDeduplication", "false", 1},
    {"DeduplicationScope", "queue", 1},
    {"FifoThroughputLimit", "perQueue", 1},
};
#define NQUEUE_ATTRS (sizeof queue_attrs / sizeof queue_attrs[0])

static int is_fifo(const json_t *props)
{
    return cfn_is_true(json_object_get(props, "FifoQueue"));
}

/* The name of the queue a URL addresses (its last path segment). */
static const char *url_name(const char *url)
{
    const char *slash = url ? strrchr(url, '/') : NULL;
    return slash ? slash + 1 : url ? url : "";
}

static void queue_attrs_out(cfn_op_t *op, const char *url)
{
    char arn[512];
    if (!url)
        url = "";
    cfn_arn(op, "sqs", url_name(url), arn, sizeof arn);
    snprintf(op->physical, sizeof op->physical, "%s", url);
    json_decref(op->attrs);
    op->attrs = json_pack("{s:s,s:s,s:s}", "Arn", arn, "QueueName", url_name(url), "QueueUrl", url);
}

/* The queue's attributes from its properties; with `old`, the attributes
 * `old` set that the properties no longer do go back to their defaults. */
static json_t *attributes(const json_t *props, const json_t *old, int fifo)
{
    json_t *a = json_object();
    for (size_t i = 0; i < NQUEUE_ATTRS; i++) {
        if (queue_attrs[i].fifo_only && !fifo) /* SQS knows them on FIFO queues only */
            continue;
        const json_t *v = json_object_get(props, queue_attrs[i].name);
        if (v && !json_is_null(v))
            cfn_set_text(a, queue_attrs[i].name, v);
        else if (old && json_object_get(old, queue_attrs[i].name))
            json_object_set_new(a, queue_attrs[i].name, json_string(queue_attrs[i].reset));
    }
    return a;
}

static int queue_create(cfn_op_t *op)
{
    int fifo = is_fifo(op->props);
    char name[256];
    const char *given = json_string_value(json_object_get(op->props, "QueueName"));
    if (given)
        snprintf(name, sizeof name, "%s", given);
    else
        cfn_name(op, 80, fifo ? ".fifo" : NULL, name, sizeof name);
    json_t *a = attributes(op->props, NULL, fifo);
    if (fifo)
        json_object_set_new(a, "FifoQueue", json_string("true"));
    json_t *in = json_pack("{s:s,s:o,s:o}", "QueueName", name, "Attributes", a, "tags",
                           cfn_tags_map(json_object_get(op->props, "Tags")));
    json_t *out;
    if (cfn_call(op, "sqs", "CreateQueue", in, &out) < 0)
        return -1;
    queue_attrs_out(op, json_string_value(json_object_get(out, "QueueUrl")));
    json_decref(out);
    return 0;
}

static int queue_update(cfn_op_t *op)
{
    const char *url = op->old_physical;
    json_t *a = attributes(op->props, op->old_props, is_fifo(op->props));
    if (json_object_size(a)) {
        if (cfn_call(op, "sqs", "SetQueueAttributes", json_pack("{s:s,s:o}", "QueueUrl", url, "Attributes", a),
                     NULL) < 0)
            return -1;
    } else {
        json_decref(a);
    }
    json_t *target = json_pack("{s:s}", "QueueUrl", url);
    int rc = cfn_retag(op, "sqs", target, "UntagQueue", "TagKeys", "TagQueue", "Tags", 1);
    json_decref(target);
    if (rc < 0)
        return -1;
    queue_attrs_out(op, url);
    return 0;
}

/* 1 when the queue at url is there. */
static int queue_exists(cfn_op_t *op, const char *url)
{
    return cfn_probe(op, "sqs", "GetQueueUrl", json_pack("{s:s}", "QueueName", url_name(url)));
}

static int queue_delete(cfn_op_t *op)
{
    if (cfn_call(op, "sqs", "DeleteQueue", json_pack("{s:s}", "QueueUrl", op->old_physical), NULL) == 0)
        return 0;
    return queue_exists(op, op->old_physical) ? -1 : 0;
}

/* Sets (or, with doc NULL, removes) the Policy attribute of every queue URL
 * in `queues`. With `lenient`, a queue that is gone is skipped. */
static int set_policies(cfn_op_t *op, const json_t *queues, const json_t *doc, int lenient)
{
    size_t i;
    json_t *q;
    json_array_foreach(queues, i, q)
    {
        const char *url = json_string_value(q);
        if (!url)
            continue;
        json_t *text = doc ? cfn_text(doc) : json_string("");
        json_t *in = json_pack("{s:s,s:{s:o}}", "QueueUrl", url, "Attributes", "Policy", text);
        if (cfn_call(op, "sqs", "SetQueueAttributes", in, NULL) < 0 && !(lenient && !queue_exists(op, url)))
            return -1;
    }
    return 0;
}

/* A QueuePolicy's physical id, made up as CloudFormation does. */
static void policy_id(cfn_op_t *op)
{
    cfn_name(op, 128, NULL, op->physical, sizeof op->physical);
    json_decref(op->attrs);
    op->attrs = json_pack("{s:s}", "Id", op->physical);
}

static int policy_create(cfn_op_t *op)
{
    if (set_policies(op, json_object_get(op->props, "Queues"), json_object_get(op->props, "PolicyDocument"), 0) < 0)
        return -1;
    policy_id(op);
    return 0;
}

/* The strings of list `a` that list `b` does not have. Returns a new array. */
static json_t *list_minus(const json_t *a, const json_t *b)
{
    json_t *out = json_array();
    size_t i, j;
    json_t *x, *y;
    json_array_foreach(a, i, x)
    {
        int found = 0;
        json_array_foreach(b, j, y) found |= json_equal(x, y);
        if (!found)
            json_array_append(out, x);
    }
    return out;
}

static int policy_update(cfn_op_t *op)
{
    json_t *dropped = list_minus(json_object_get(op->old_props, "Queues"), json_object_get(op->props, "Queues"));
    int rc = set_policies(op, dropped, NULL, 1);
    json_decref(dropped);
    if (rc < 0 ||
        set_policies(op, json_object_get(op->props, "Queues"), json_object_get(op->props, "PolicyDocument"), 0) < 0)
        return -1;
    snprintf(op->physical, sizeof op->physical, "%s", op->old_physical);
    json_decref(op->attrs);
    op->attrs = json_pack("{s:s}", "Id", op->physical);
    return 0;
}

static int policy_delete(cfn_op_t *op)
{
    return set_policies(op, json_object_get(op->old_props, "Queues"), NULL, 1);
}

/* AWS::SQS::QueueInlinePolicy: one queue's policy; its Ref is the queue. */
static int inline_apply(cfn_op_t *op)
{
    json_t *one = json_pack("[O]", json_object_get(op->props, "Queue"));
    int rc = set_policies(op, one, json_object_get(op->props, "PolicyDocument"), 0);
    json_decref(one);
    if (rc < 0)
        return -1;
    snprintf(op->physical, sizeof op->physical, "%s", json_string_value(json_object_get(op->props, "Queue")));
    return 0;
}

static int inline_delete(cfn_op_t *op)
{
    json_t *one = json_pack("[O]", json_object_get(op->old_props, "Queue"));
    int rc = set_policies(op, one, NULL, 1);
    json_decref(one);
    return rc;
}

static const char *const queue_props[] = {
    "ContentBasedDeduplication", "DeduplicationScope", "DelaySeconds", "FifoQueue", "FifoThroughputLimit",
    "KmsDataKeyReusePeriodSeconds", "KmsMasterKeyId", "MaximumMessageSize", "MessageRetentionPeriod", "QueueName",
    "ReceiveMessageWaitTimeSeconds", "RedriveAllowPolicy", "RedrivePolicy", "SqsManagedSseEnabled", "Tags",
    "VisibilityTimeout", NULL};
static const char *const queue_replace[] = {"FifoQueue", "QueueName", NULL};
static const char *const queue_attr_names[] = {"Arn", "QueueName", "QueueUrl", NULL};

static const cfn_provider_t queue = {
    "AWS::SQS::Queue", queue_props, NULL, queue_replace, queue_attr_names, queue_create, queue_update, queue_delete,
};

static const char *const policy_props[] = {"PolicyDocument", "Queues", NULL};
static const char *const policy_attrs[] = {"Id", NULL};
static const cfn_provider_t queue_policy = {
    "AWS::SQS::QueuePolicy", policy_props, policy_props, NULL, policy_attrs, policy_create, policy_update,
    policy_delete,
};

static const char *const inline_props[] = {"PolicyDocument", "Queue", NULL};
static const char *const inline_replace[] = {"Queue", NULL};
static const cfn_provider_t queue_inline_policy = {
    "AWS::SQS::QueueInlinePolicy", inline_props, inline_props, inline_replace, NULL, inline_apply, inline_apply,
    inline_delete,
};

const cfn_provider_t *const cfn_prov_sqs[] = {&queue, &queue_policy, &queue_inline_policy, NULL};
