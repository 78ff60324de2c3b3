/* SPDX-License-Identifier: MIT
 * Resource policies set by their own CloudFormation resources:
 * AWS::SQS::QueuePolicy and AWS::SNS::TopicPolicy (one document on a list
 * of queues or topics; Ref is an id CloudFormation makes up) and
 * AWS::SQS::QueueInlinePolicy and AWS::SNS::TopicInlinePolicy (one queue or
 * topic). Each sets the queue's or topic's Policy attribute; deleting the
 * resource removes it (a topic then has its default policy again). A queue
 * or topic already gone is skipped on the way out. */
#include <stdio.h>
#include <string.h>

#include "cloudformation/prov_int.h"

/* How one kind of resource takes a policy. */
typedef struct policy_kind {
    const char *type;
    const char *list_prop; /* "Queues": the targets of a policy for many; NULL for an inline policy */
    const char *one_prop;  /* "Queue": the target of an inline policy */
    const char *service, *set_op;
    /* set_op's input that sets target's Policy to text ("" removes it) */
    json_t *(*set_input)(const char *target, json_t *text);
    /* a read of the target, which fails when it is gone */
    json_t *(*probe_input)(const char *target, const char **opname);
} policy_kind_t;

static json_t *queue_set(const char *url, json_t *text)
{
    return json_pack("{s:s,s:{s:o}}", "QueueUrl", url, "Attributes", "Policy", text);
}

static json_t *queue_probe(const char *url, const char **opname)
{
    const char *slash = strrchr(url, '/');
    *opname = "GetQueueUrl";
    return json_pack("{s:s}", "QueueName", slash ? slash + 1 : url);
}

static json_t *topic_set(const char *arn, json_t *text)
{
    return json_pack("{s:s,s:s,s:o}", "TopicArn", arn, "AttributeName", "Policy", "AttributeValue", text);
}

static json_t *topic_probe(const char *arn, const char **opname)
{
    *opname = "GetTopicAttributes";
    return json_pack("{s:s}", "TopicArn", arn);
}

static const policy_kind_t kinds[] = {
    {"AWS::SQS::QueuePolicy", "Queues", NULL, "sqs", "SetQueueAttributes", queue_set, queue_probe},
    {"AWS::SQS::QueueInlinePolicy", NULL, "Queue", "sqs", "SetQueueAttributes", queue_set, queue_probe},
    {"AWS::SNS::TopicPolicy", "Topics", NULL, "sns", "SetTopicAttributes", topic_set, topic_probe},
    {"AWS::SNS::TopicInlinePolicy", NULL, "TopicArn", "sns", "SetTopicAttributes", topic_set, topic_probe},
};

static const policy_kind_t *kind_of(const char *type)
{
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (!strcmp(kinds[i].type, type))
            return &kinds[i];
    return NULL;
}

/* The targets named in props: the list, or the one an inline policy has.
 * Returns a new array. */
static json_t *targets(const policy_kind_t *k, const json_t *props)
{
    if (k->list_prop)
        return json_deep_copy(json_object_get(props, k->list_prop) ?: json_array());
    const json_t *one = json_object_get(props, k->one_prop);
    return one ? json_pack("[O]", one) : json_array();
}

/* Sets doc (or, NULL, removes the policy) on every target. With
 * `lenient`, a target that is gone is skipped. */
static int apply(cfn_op_t *op, const policy_kind_t *k, const json_t *list, const json_t *doc, int lenient)
{
    size_t i;
    json_t *t;
    json_array_foreach(list, i, t) {
        const char *target = json_string_value(t);
        if (!target)
            continue;
        json_t *text = doc ? cfn_prop_as(op, doc, CFN_P_JSON_TEXT, "PolicyDocument") : json_string("");
        if (!text)
            return -1;
        if (cfn_call(op, k->service, k->set_op, k->set_input(target, text), NULL) == 0)
            continue;
        const char *opname;
        json_t *probe = k->probe_input(target, &opname);
        if (!lenient || cfn_probe(op, k->service, opname, probe))
            return -1;
    }
    return 0;
}

/* Ref: a made-up id for a policy of many, the target for an inline one. */
static void policy_out(cfn_op_t *op, const policy_kind_t *k)
{
    json_decref(op->attrs);
    op->attrs = NULL;
    if (!k->list_prop) {
        snprintf(op->physical, sizeof op->physical, "%s",
                 json_string_value(json_object_get(op->props, k->one_prop)) ?: "");
        return;
    }
    if (op->old_physical && *op->old_physical)
        snprintf(op->physical, sizeof op->physical, "%s", op->old_physical);
    else
        cfn_name(op, 128, NULL, op->physical, sizeof op->physical);
    op->attrs = json_pack("{s:s}", "Id", op->physical);
}

static int policy_put(cfn_op_t *op)
{
    const policy_kind_t *k = kind_of(op->type);
    json_t *now = targets(k, op->props);
    json_t *old = op->old_props ? targets(k, op->old_props) : json_array();
    json_t *dropped = cfn_list_minus(old, now);
    int rc = apply(op, k, dropped, NULL, 1);
    if (rc == 0)
        rc = apply(op, k, now, json_object_get(op->props, "PolicyDocument"), 0);
    json_decref(now);
    json_decref(old);
    json_decref(dropped);
    if (rc == 0)
        policy_out(op, k);
    return rc;
}

static int policy_delete(cfn_op_t *op)
{
    const policy_kind_t *k = kind_of(op->type);
    json_t *old = targets(k, op->old_props);
    int rc = apply(op, k, old, NULL, 1);
    json_decref(old);
    return rc;
}

static const char *const queue_props[] = {"PolicyDocument", "Queues", NULL};
static const char *const topic_props[] = {"PolicyDocument", "Topics", NULL};
static const char *const queue_inline_props[] = {"PolicyDocument", "Queue", NULL};
static const char *const topic_inline_props[] = {"PolicyDocument", "TopicArn", NULL};
static const char *const queue_inline_replace[] = {"Queue", NULL};
static const char *const topic_inline_replace[] = {"TopicArn", NULL};
static const char *const id_attr[] = {"Id", NULL};

const cfn_provider_t cfn_queue_policy = {
    "AWS::SQS::QueuePolicy", queue_props, queue_props, NULL, id_attr, policy_put, policy_put, policy_delete,
};
const cfn_provider_t cfn_queue_inline_policy = {
    "AWS::SQS::QueueInlinePolicy",
    queue_inline_props,
    queue_inline_props,
    queue_inline_replace,
    NULL,
    policy_put,
    policy_put,
    policy_delete,
};
const cfn_provider_t cfn_topic_policy = {
    "AWS::SNS::TopicPolicy", topic_props, topic_props, NULL, id_attr, policy_put, policy_put, policy_delete,
};
const cfn_provider_t cfn_topic_inline_policy = {
    "AWS::SNS::TopicInlinePolicy",
    topic_inline_props,
    topic_inline_props,
    topic_inline_replace,
    NULL,
    policy_put,
    policy_put,
    policy_delete,
};
