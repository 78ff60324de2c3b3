/* SPDX-License-Identifier: MIT
 * CloudFormation's SNS resources: AWS::SNS::Topic (CreateTopic with its
 * attributes, tags and inline Subscription list; SetTopicAttributes, the
 * tag operations and Subscribe/Unsubscribe for an update in place),
 * AWS::SNS::Subscription (Subscribe, SetSubscriptionAttributes; in the
 * topic's region). A topic's Ref is its ARN. The topic policies are in
 * prov_policy.c. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cloudformation/cfn_int.h"
#include "cloudformation/prov_int.h"

/* ---- topics ---- */

/* Topic properties that are topic attributes of the same name. */
static const char *const topic_attr_props[] = {
    "DisplayName", "KmsMasterKeyId", "SignatureVersion", "TracingConfig", "ArchivePolicy", "FifoThroughputScope", NULL};

/* DeliveryStatusLogging's protocols and the prefix of their attributes. */
static const char *const feedback[][2] = {
    {"http/s", "HTTP"}, {"sqs", "SQS"}, {"lambda", "Lambda"}, {"firehose", "Firehose"}, {"application", "Application"},
};

/* The topic's attributes (as SetTopicAttributes names them) from its
 * properties. Returns a new object. */
static json_t *topic_attributes(cfn_op_t *op, const json_t *props)
{
    json_t *a = json_object();
    for (const char *const *p = topic_attr_props; *p; p++)
        cfn_set_text(op, a, *p, json_object_get(props, *p));
    if (cfn_is_true(json_object_get(props, "FifoTopic")))
        cfn_set_text(op, a, "ContentBasedDeduplication", json_object_get(props, "ContentBasedDeduplication"));
    size_t i;
    json_t *l;
    json_array_foreach(json_object_get(props, "DeliveryStatusLogging"), i, l) {
        const char *proto = json_string_value(json_object_get(l, "Protocol"));
        for (size_t k = 0; proto && k < sizeof feedback / sizeof feedback[0]; k++) {
            if (strcmp(proto, feedback[k][0]))
                continue;
            static const char *const parts[] = {"SuccessFeedbackRoleArn", "SuccessFeedbackSampleRate",
                                                "FailureFeedbackRoleArn"};
            for (size_t j = 0; j < 3; j++) {
                char name[64];
                snprintf(name, sizeof name, "%s%s", feedback[k][1], parts[j]);
                cfn_set_text(op, a, name, json_object_get(l, parts[j]));
            }
        }
    }
    return a;
}

static void topic_out(cfn_op_t *op, const char *arn)
{
    const char *colon = strrchr(arn, ':');
    snprintf(op->physical, sizeof op->physical, "%s", arn);
    json_decref(op->attrs);
    op->attrs = json_pack("{s:s,s:s}", "TopicArn", arn, "TopicName", colon ? colon + 1 : arn);
}

/* Subscribes each {Protocol, Endpoint} of `subs` to the topic. */
static int subscribe_all(cfn_op_t *op, const char *arn, const json_t *subs)
{
    size_t i;
    json_t *s;
    json_array_foreach(subs, i, s) {
        json_t *in = json_pack("{s:s,s:O?,s:O?,s:b}", "TopicArn", arn, "Protocol", json_object_get(s, "Protocol"),
                               "Endpoint", json_object_get(s, "Endpoint"), "ReturnSubscriptionArn", 1);
        if (cfn_call(op, "sns", "Subscribe", in, NULL) < 0)
            return -1;
    }
    return 0;
}

static int topic_create(cfn_op_t *op)
{
    int fifo = cfn_is_true(json_object_get(op->props, "FifoTopic"));
    char name[300];
    cfn_given_name(op, "TopicName", 256, fifo ? ".fifo" : NULL, name, sizeof name);
    char arn[600];
    cfn_arn(op, "sns", name, arn, sizeof arn);
    if (json_object_get(op->props, "TopicName") &&
        cfn_refuse_taken(op, name, cfn_probe(op, "sns", "GetTopicAttributes", json_pack("{s:s}", "TopicArn", arn))) < 0)
        return -1;
    json_t *a = topic_attributes(op, op->props);
    if (fifo)
        json_object_set_new(a, "FifoTopic", json_string("true"));
    json_t *in = json_pack("{s:s,s:o,s:o}", "Name", name, "Attributes", a, "Tags",
                           cfn_tags_list(json_object_get(op->props, "Tags")));
    cfn_set_text(op, in, "DataProtectionPolicy", json_object_get(op->props, "DataProtectionPolicy"));
    json_t *out;
    if (cfn_call(op, "sns", "CreateTopic", in, &out) < 0)
        return -1;
    snprintf(arn, sizeof arn, "%s", json_string_value(json_object_get(out, "TopicArn")) ?: "");
    json_decref(out);
    topic_out(op, arn);
    return subscribe_all(op, arn, json_object_get(op->props, "Subscription"));
}

/* 1 when `subs` ({Protocol, Endpoint} list) has protocol and endpoint. */
static int has_sub(const json_t *subs, const char *protocol, const char *endpoint)
{
    size_t i;
    json_t *s;
    json_array_foreach(subs, i, s) {
        const char *p = json_string_value(json_object_get(s, "Protocol"));
        const char *e = json_string_value(json_object_get(s, "Endpoint"));
        if (p && e && !strcmp(p, protocol) && !strcmp(e, endpoint))
            return 1;
    }
    return 0;
}

/* The Subscription list's changes: the old entries no longer listed are
 * unsubscribed, the new ones subscribed. */
static int resubscribe(cfn_op_t *op, const char *arn)
{
    const json_t *old = json_object_get(op->old_props, "Subscription"),
                 *now = json_object_get(op->props, "Subscription");
    if (json_equal((json_t *)old, (json_t *)now))
        return 0;
    json_t *out;
    if (cfn_call(op, "sns", "ListSubscriptionsByTopic", json_pack("{s:s}", "TopicArn", arn), &out) < 0)
        return -1;
    size_t i;
    json_t *s;
    int rc = 0;
    json_array_foreach(json_object_get(out, "Subscriptions"), i, s) {
        const char *p = json_string_value(json_object_get(s, "Protocol"));
        const char *e = json_string_value(json_object_get(s, "Endpoint"));
        const char *sarn = json_string_value(json_object_get(s, "SubscriptionArn"));
        /* a subscription still pending confirmation has no ARN to unsubscribe
         * with ("PendingConfirmation"): it lapses by itself, as on AWS */
        if (!p || !e || !sarn || strncmp(sarn, "arn:", 4) != 0 || !has_sub(old, p, e) || has_sub(now, p, e))
            continue;
        if (cfn_call(op, "sns", "Unsubscribe", json_pack("{s:s}", "SubscriptionArn", sarn), NULL) < 0) {
            rc = -1;
            break;
        }
    }
    json_decref(out);
    if (rc < 0)
        return -1;
    json_t *fresh = json_array();
    json_array_foreach(now, i, s) {
        const char *p = json_string_value(json_object_get(s, "Protocol"));
        const char *e = json_string_value(json_object_get(s, "Endpoint"));
        if (!p || !e || !has_sub(old, p, e))
            json_array_append(fresh, s);
    }
    rc = subscribe_all(op, arn, fresh);
    json_decref(fresh);
    return rc;
}

/* Sets each attribute of `now` that differs from `old`; one `old` has and
 * `now` does not is set to "" (which removes it). `set_op` is
 * SetTopicAttributes or SetSubscriptionAttributes, `key` the member naming
 * the resource. `reset` gives, for some attributes, the value that stands
 * for "not set" ({name: value}; may be NULL). */
static int set_changed(cfn_op_t *op, const char *set_op, const char *key, const char *arn, const json_t *old,
                       const json_t *now, const json_t *reset)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)now, k, v) {
        if (json_equal(v, json_object_get(old, k)))
            continue;
        json_t *in = json_pack("{s:s,s:s,s:O}", key, arn, "AttributeName", k, "AttributeValue", v);
        if (cfn_call(op, "sns", set_op, in, NULL) < 0)
            return -1;
    }
    json_object_foreach((json_t *)old, k, v) {
        if (json_object_get(now, k))
            continue;
        const char *to = json_string_value(json_object_get(reset, k));
        json_t *in = json_pack("{s:s,s:s,s:s}", key, arn, "AttributeName", k, "AttributeValue", to ? to : "");
        if (cfn_call(op, "sns", set_op, in, NULL) < 0)
            return -1;
    }
    return 0;
}

static int topic_update(cfn_op_t *op)
{
    char arn[512];
    snprintf(arn, sizeof arn, "%s", op->old_physical);
    json_t *old = topic_attributes(op, op->old_props), *now = topic_attributes(op, op->props);
    /* what a topic has when these are not set ("" removes the others) */
    json_t *reset = json_pack("{s:s,s:s,s:s}", "SignatureVersion", "1", "TracingConfig", "PassThrough",
                              "ContentBasedDeduplication", "false");
    int rc = set_changed(op, "SetTopicAttributes", "TopicArn", arn, old, now, reset);
    json_decref(old);
    json_decref(now);
    json_decref(reset);
    if (rc < 0)
        return -1;
    if (cfn_prop_changed(op, "DataProtectionPolicy")) {
        json_t *in = json_pack("{s:s,s:s}", "ResourceArn", arn, "DataProtectionPolicy", "");
        cfn_set_text(op, in, "DataProtectionPolicy", json_object_get(op->props, "DataProtectionPolicy"));
        if (cfn_call(op, "sns", "PutDataProtectionPolicy", in, NULL) < 0)
            return -1;
    }
    rc = cfn_retag(op, "sns", "ResourceArn", arn, "TagResource", "Tags", "UntagResource", "TagKeys", 1);
    if (rc < 0 || resubscribe(op, arn) < 0)
        return -1;
    topic_out(op, arn);
    return 0;
}

static int topic_delete(cfn_op_t *op)
{
    if (cfn_call(op, "sns", "DeleteTopic", json_pack("{s:s}", "TopicArn", op->old_physical), NULL) == 0)
        return 0;
    return cfn_probe(op, "sns", "GetTopicAttributes", json_pack("{s:s}", "TopicArn", op->old_physical)) ? -1 : 0;
}

/* ---- subscriptions ---- */

/* Subscription properties that are subscription attributes of the same name. */
static const char *const sub_attr_props[] = {
    "DeliveryPolicy", "FilterPolicy", "FilterPolicyScope",   "RawMessageDelivery",
    "RedrivePolicy",  "ReplayPolicy", "SubscriptionRoleArn", NULL};

static json_t *sub_attributes(cfn_op_t *op, const json_t *props)
{
    json_t *a = json_object();
    for (const char *const *p = sub_attr_props; *p; p++)
        cfn_set_text(op, a, *p, json_object_get(props, *p));
    return a;
}

/* The region the subscription's topic is in: the Region property, else the
 * region in the topic's ARN, else the stack's. Borrowed, or written in buf. */
static const char *sub_region(const cfn_op_t *op, const json_t *props, char *buf, size_t len)
{
    const char *r = json_string_value(json_object_get(props, "Region"));
    const char *arn = json_string_value(json_object_get(props, "TopicArn"));
    if (r && *r)
        return r;
    if (arn && !strncmp(arn, "arn:", 4)) { /* arn:PARTITION:sns:REGION:... */
        const char *p = strchr(arn + 4, ':');
        p = p ? strchr(p + 1, ':') : NULL;
        const char *end = p ? strchr(p + 1, ':') : NULL;
        if (end && end > p + 1 && (size_t)(end - p - 1) < len) {
            snprintf(buf, len, "%.*s", (int)(end - p - 1), p + 1);
            return buf;
        }
    }
    return op->region;
}

/* Runs an SNS operation in the subscription's region (sub_region). */
static int sub_call(cfn_op_t *op, const json_t *props, const char *opname, json_t *in, json_t **out)
{
    char buf[64];
    cfn_op_t there = *op;
    there.region = sub_region(op, props, buf, sizeof buf);
    int rc = cfn_call(&there, "sns", opname, in, out);
    memcpy(op->msg, there.msg, sizeof op->msg);
    return rc;
}

static int sub_create(cfn_op_t *op)
{
    json_t *in = json_pack("{s:O?,s:O?,s:O?,s:o,s:b}", "TopicArn", json_object_get(op->props, "TopicArn"), "Protocol",
                           json_object_get(op->props, "Protocol"), "Endpoint", json_object_get(op->props, "Endpoint"),
                           "Attributes", sub_attributes(op, op->props), "ReturnSubscriptionArn", 1);
    json_t *out;
    if (sub_call(op, op->props, "Subscribe", in, &out) < 0)
        return -1;
    snprintf(op->physical, sizeof op->physical, "%s", json_string_value(json_object_get(out, "SubscriptionArn")) ?: "");
    json_decref(out);
    json_decref(op->attrs);
    op->attrs = json_pack("{s:s}", "Arn", op->physical);
    return 0;
}

static int sub_update(cfn_op_t *op)
{
    json_t *old = sub_attributes(op, op->old_props), *now = sub_attributes(op, op->props);
    json_t *reset = json_pack("{s:s,s:s}", "RawMessageDelivery", "false", "FilterPolicyScope", "MessageAttributes");
    char buf[64];
    cfn_op_t there = *op; /* in the topic's region (Region and TopicArn replace, so old and new agree) */
    there.region = sub_region(op, op->props, buf, sizeof buf);
    int rc = set_changed(&there, "SetSubscriptionAttributes", "SubscriptionArn", op->old_physical, old, now, reset);
    memcpy(op->msg, there.msg, sizeof op->msg);
    json_decref(old);
    json_decref(now);
    json_decref(reset);
    if (rc < 0)
        return -1;
    snprintf(op->physical, sizeof op->physical, "%s", op->old_physical);
    json_decref(op->attrs);
    op->attrs = json_pack("{s:s}", "Arn", op->physical);
    return 0;
}

static int sub_delete(cfn_op_t *op)
{
    if (strncmp(op->old_physical, "arn:", 4)) /* never made (a pending confirmation has no ARN) */
        return 0;
    return sub_call(op, op->old_props, "Unsubscribe", json_pack("{s:s}", "SubscriptionArn", op->old_physical), NULL);
}

static const char *const topic_props[] = {"ArchivePolicy",
                                          "ContentBasedDeduplication",
                                          "DataProtectionPolicy",
                                          "DeliveryStatusLogging",
                                          "DisplayName",
                                          "FifoThroughputScope",
                                          "FifoTopic",
                                          "KmsMasterKeyId",
                                          "SignatureVersion",
                                          "Subscription",
                                          "Tags",
                                          "TopicName",
                                          "TracingConfig",
                                          NULL};
static const char *const topic_replace[] = {"FifoTopic", "TopicName", NULL};
static const char *const topic_attr_names[] = {"TopicArn", "TopicName", NULL};
static const cfn_provider_t topic = {
    "AWS::SNS::Topic", topic_props, NULL, topic_replace, topic_attr_names, topic_create, topic_update, topic_delete,
};

static const char *const sub_props[] = {
    "DeliveryPolicy", "Endpoint", "FilterPolicy", "FilterPolicyScope",   "Protocol", "RawMessageDelivery",
    "RedrivePolicy",  "Region",   "ReplayPolicy", "SubscriptionRoleArn", "TopicArn", NULL};
static const char *const sub_required[] = {"Protocol", "TopicArn", NULL};
static const char *const sub_replace[] = {"Endpoint", "Protocol", "TopicArn", "Region", NULL};
static const char *const sub_attr_names[] = {"Arn", NULL};
static const cfn_provider_t subscription = {
    "AWS::SNS::Subscription", sub_props, sub_required, sub_replace, sub_attr_names, sub_create, sub_update, sub_delete,
};

const cfn_provider_t *const cfn_prov_sns[] = {&topic, &subscription, &cfn_topic_policy, &cfn_topic_inline_policy, NULL};
