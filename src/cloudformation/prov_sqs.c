/* SPDX-License-Identifier: MIT
 * CloudFormation's SQS resources: AWS::SQS::Queue (CreateQueue, then
 * SetQueueAttributes and the tag operations for an update in place; a new
 * QueueName or FifoQueue replaces it). Its Ref is the queue's URL, as on
 * AWS. The queue policies are in prov_policy.c. */
#include <stdio.h>
#include <string.h>

#include "cloudformation/cfn_int.h"
#include "cloudformation/prov_int.h"

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
static json_t *attributes(cfn_op_t *op, const json_t *props, const json_t *old, int fifo)
{
    json_t *a = json_object();
    for (size_t i = 0; i < NQUEUE_ATTRS; i++) {
        if (queue_attrs[i].fifo_only && !fifo) /* SQS knows them on FIFO queues only */
            continue;
        const json_t *v = json_object_get(props, queue_attrs[i].name);
        if (v && !json_is_null(v))
            cfn_set_text(op, a, queue_attrs[i].name, v);
        else if (old && json_object_get(old, queue_attrs[i].name))
            json_object_set_new(a, queue_attrs[i].name, json_string(queue_attrs[i].reset));
    }
    return a;
}

/* 1 when the queue at url (or of that name) is there. */
static int queue_exists(cfn_op_t *op, const char *url)
{
    return cfn_probe(op, "sqs", "GetQueueUrl", json_pack("{s:s}", "QueueName", url_name(url)));
}

static int queue_create(cfn_op_t *op)
{
    int fifo = is_fifo(op->props);
    char name[256];
    cfn_given_name(op, "QueueName", 80, fifo ? ".fifo" : NULL, name, sizeof name);
    if (json_object_get(op->props, "QueueName") && cfn_refuse_taken(op, name, queue_exists(op, name)) < 0)
        return -1;
    json_t *a = attributes(op, op->props, NULL, fifo);
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
    json_t *a = attributes(op, op->props, op->old_props, is_fifo(op->props));
    if (json_object_size(a)) {
        if (cfn_call(op, "sqs", "SetQueueAttributes", json_pack("{s:s,s:o}", "QueueUrl", url, "Attributes", a), NULL) <
            0)
            return -1;
    } else {
        json_decref(a);
    }
    int rc = cfn_retag(op, "sqs", "QueueUrl", url, "TagQueue", "Tags", "UntagQueue", "TagKeys", 0);
    if (rc < 0)
        return -1;
    queue_attrs_out(op, url);
    return 0;
}

static int queue_delete(cfn_op_t *op)
{
    if (cfn_call(op, "sqs", "DeleteQueue", json_pack("{s:s}", "QueueUrl", op->old_physical), NULL) == 0)
        return 0;
    return queue_exists(op, op->old_physical) ? -1 : 0;
}

static const char *const queue_props[] = {"ContentBasedDeduplication",
                                          "DeduplicationScope",
                                          "DelaySeconds",
                                          "FifoQueue",
                                          "FifoThroughputLimit",
                                          "KmsDataKeyReusePeriodSeconds",
                                          "KmsMasterKeyId",
                                          "MaximumMessageSize",
                                          "MessageRetentionPeriod",
                                          "QueueName",
                                          "ReceiveMessageWaitTimeSeconds",
                                          "RedriveAllowPolicy",
                                          "RedrivePolicy",
                                          "SqsManagedSseEnabled",
                                          "Tags",
                                          "VisibilityTimeout",
                                          NULL};
static const char *const queue_replace[] = {"FifoQueue", "QueueName", NULL};
static const char *const queue_attr_names[] = {"Arn", "QueueName", "QueueUrl", NULL};

static const cfn_provider_t queue = {
    "AWS::SQS::Queue", queue_props, NULL, queue_replace, queue_attr_names, queue_create, queue_update, queue_delete,
};

const cfn_provider_t *const cfn_prov_sqs[] = {&queue, &cfn_queue_policy, &cfn_queue_inline_policy, NULL};
