/* SPDX-License-Identifier: MIT
 * SNS topics: create (idempotent by name), delete, list, attributes, tags,
 * and the policy operations. A topic's record holds the attributes that were
 * set and its tags; what GetTopicAttributes reports besides (owner, counts,
 * the default policy and delivery policy) is derived. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/json_alloc.h"
#include "core/mem.h"
#include "core/params.h"
#include "sns/sns_int.h"

/* ---- keeping ---- */

static void keep(sns_t *s, const sns_topic_t *t)
{
    json_t *o = json_pack("{s:O,s:O}", "attrs", t->attrs, "tags", t->tags);
    char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (text)
        rn_store_kv_put(s->store, SNS_NS_TOPIC, t->name, text);
    rn_json_free(text);
}

void sns_topic_free(sns_topic_t *t)
{
    if (!t)
        return;
    sns_topic_dedup_free(t);
    rn_smap_free(&t->dedup);
    json_decref(t->attrs);
    json_decref(t->tags);
    rn_free(t->subs);
    rn_free(t->name);
    rn_free(t);
}

static int is_true(const json_t *attrs, const char *name)
{
    const char *v = json_string_value(json_object_get(attrs, name));
    return v && !strcasecmp(v, "true");
}

static sns_topic_t *topic_new(sns_t *s, const char *name, json_t *attrs, json_t *tags)
{
    sns_topic_t *t = rn_calloc(1, sizeof *t);
    if (!t || !(t->name = rn_strdup(name))) {
        rn_free(t);
        return NULL;
    }
    char prefix[128];
    sns_arn_prefix(s, prefix, sizeof prefix);
    snprintf(t->arn, sizeof t->arn, "%s%s", prefix, name);
    t->attrs = attrs;
    t->tags = tags;
    t->fifo = is_true(attrs, "FifoTopic");
    t->content_dedup = is_true(attrs, "ContentBasedDeduplication");
    if (rn_smap_put(&s->topics, name, t) < 0) {
        t->attrs = t->tags = NULL;
        sns_topic_free(t);
        return NULL;
    }
    return t;
}

int sns_topic_load(sns_t *s, const char *name, const char *value)
{
    json_t *o = json_loads(value, 0, NULL);
    json_t *attrs = json_object_get(o, "attrs"), *tags = json_object_get(o, "tags");
    int rc = 0;
    if (json_is_object(attrs) && json_is_object(tags) && !rn_smap_get(&s->topics, name))
        rc = topic_new(s, name, json_incref(attrs), json_incref(tags)) ? 0 : RN_ERR_NOMEM;
    json_decref(o);
    return rc;
}

/* ---- checking ---- */

static int valid_name(const char *name, int fifo)
{
    size_t n = strlen(name);
    if (n == 0 || n > 256)
        return 0;
    size_t body = n;
    if (n > 5 && !strcmp(name + n - 5, ".fifo"))
        body = n - 5;
    else if (fifo)
        return 0;
    for (size_t i = 0; i < body; i++)
        if (!isalnum((unsigned char)name[i]) && name[i] != '-' && name[i] != '_')
            return 0;
    return 1;
}

/* The attributes a topic may have set, and which only at creation. */
static const char *const settable[] = {
    "DeliveryPolicy", "DisplayName", "Policy", "TracingConfig", "KmsMasterKeyId", "SignatureVersion",
    "ContentBasedDeduplication", "ArchivePolicy", "DataProtectionPolicy", "FifoThroughputScope",
    "ApplicationSuccessFeedbackRoleArn", "ApplicationSuccessFeedbackSampleRate", "ApplicationFailureFeedbackRoleArn",
    "HTTPSuccessFeedbackRoleArn", "HTTPSuccessFeedbackSampleRate", "HTTPFailureFeedbackRoleArn",
    "LambdaSuccessFeedbackRoleArn", "LambdaSuccessFeedbackSampleRate", "LambdaFailureFeedbackRoleArn",
    "SQSSuccessFeedbackRoleArn", "SQSSuccessFeedbackSampleRate", "SQSFailureFeedbackRoleArn",
    "FirehoseSuccessFeedbackRoleArn", "FirehoseSuccessFeedbackSampleRate", "FirehoseFailureFeedbackRoleArn", NULL,
};

/* Checks one attribute for a topic that is (or will be) fifo; 0, or the
 * call failed with AWS's answer. */
static int check_attr(rn_call_t *c, const char *name, const char *value, int fifo, int creating)
{
    int known = creating && !strcmp(name, "FifoTopic");
    for (const char *const *a = settable; *a && !known; a++)
        known = !strcmp(*a, name);
    if (!known)
        return rn_call_fail(c, SNS_ERR_INVALID_PARAMETER, "Invalid parameter: AttributeName");
    if (!strcmp(name, "FifoTopic") || !strcmp(name, "ContentBasedDeduplication")) {
        if (strcasecmp(value, "true") && strcasecmp(value, "false"))
            return rn_call_fail(c, SNS_ERR_INVALID_PARAMETER, "Invalid parameter: %s", name);
        if (!strcmp(name, "ContentBasedDeduplication") && !fifo)
            return rn_call_fail(c, SNS_ERR_INVALID_PARAMETER,
                                "Invalid parameter: ContentBasedDeduplication Reason: Content-based deduplication "
                                "can only be set for FIFO topics");
    }
    if (!strcmp(name, "SignatureVersion") && strcmp(value, "1") && strcmp(value, "2"))
        return rn_call_fail(c, SNS_ERR_INVALID_PARAMETER,
                            "Invalid parameter: SignatureVersion Reason: must be one of 1, 2");
    if (!strcmp(name, "TracingConfig") && strcmp(value, "PassThrough") && strcmp(value, "Active"))
        return rn_call_fail(c, SNS_ERR_INVALID_PARAMETER,
                            "Invalid parameter: Attribute Name: TracingConfig, Attribute Value: %s", value);
    if ((!strcmp(name, "Policy") || !strcmp(name, "DeliveryPolicy") || !strcmp(name, "DataProtectionPolicy") ||
         !strcmp(name, "ArchivePolicy")) &&
        value[0]) {
        json_t *j = json_loads(value, 0, NULL);
        int ok = json_is_object(j);
        json_decref(j);
        if (!ok)
            return rn_call_fail(c, SNS_ERR_INVALID_PARAMETER, "Invalid parameter: %s Reason: failed to parse JSON",
                                name);
    }
    if (!strcmp(name, "DisplayName") && strlen(value) > 100)
        return rn_call_fail(c, SNS_ERR_INVALID_PARAMETER, "Invalid parameter: DisplayName");
    return 0;
}

static int check_tags(rn_call_t *c, const json_t *tags, size_t have)
{
    size_t i;
    json_t *t;
    if (json_array_size(tags) + have > SNS_MAX_TAGS)
        return rn_call_fail(c, SNS_ERR_TAG_LIMIT, "Could not complete request: tag quota of per resource exceeded");
    json_array_foreach(tags, i, t) {
        const char *k = rn_param_str(t, "Key"), *v = rn_param_str(t, "Value");
        for (size_t j = 0; k && j < i; j++)
            if (!strcmp(k, rn_param_str(json_array_get(tags, j), "Key") ? rn_param_str(json_array_get(tags, j), "Key")
                                                                          : ""))
                return rn_call_fail(c, SNS_ERR_INVALID_PARAMETER,
                                    "Invalid parameter: Duplicated keys are not allowed.");
        if (!k || !*k || strlen(k) > 128)
            return rn_call_fail(c, SNS_ERR_INVALID_PARAMETER, "Invalid parameter: Tags Reason: Key");
        if (!v || strlen(v) > 256)
            return rn_call_fail(c, SNS_ERR_INVALID_PARAMETER, "Invalid parameter: Tags Reason: Value");
        if (!strncmp(k, "aws:", 4))
            return rn_call_fail(c, SNS_ERR_INVALID_PARAMETER,
                                "Invalid parameter: Tags Reason: Tag keys must not start with 'aws:'");
    }
    return 0;
}

static json_t *tag_object(const json_t *list)
{
    json_t *o = json_object(), *t;
    size_t i;
    json_array_foreach(list, i, t)
        json_object_set_new(o, rn_param_str(t, "Key"), json_string(rn_param_str(t, "Value")));
    return o;
}

int sns_arn_check(rn_call_t *c, const char *member, const char *arn)
{
    size_t parts = 1;
    for (const char *p = arn; *p; p++)
        parts += *p == ':';
    if (parts < 6)
        return rn_call_fail(c, SNS_ERR_INVALID_PARAMETER,
                            "Invalid parameter: %s Reason: An ARN must have at least 6 elements, not %zu", member, parts);
    return 0;
}

sns_topic_t *sns_topic_param(sns_t *s, rn_call_t *c, const char *member)
{
    const char *arn = rn_param_str(c->in, member);
    if (!arn) {
        rn_call_fail(c, SNS_ERR_INVALID_PARAMETER, "Invalid parameter: %s Reason: no value for required parameter",
                     member);
        return NULL;
    }
    if (sns_arn_check(c, member, arn) < 0)
        return NULL;
    sns_topic_t *t = sns_topic_by_arn(s, arn);
    if (!t) {
        /* the ARN's fourth part is its region: another region's topic is not
         * this endpoint's to name */
        const char *region = arn;
        for (int i = 0; i < 3 && region; i++)
            region = strchr(region, ':') ? strchr(region, ':') + 1 : NULL;
        size_t n = strlen(s->cfg->region);
        if (region && (strncmp(region, s->cfg->region, n) != 0 || region[n] != ':'))
            rn_call_fail(c, SNS_ERR_INVALID_PARAMETER, "Invalid parameter: %s", member);
        else
            rn_call_fail(c, SNS_ERR_NOT_FOUND, "Topic does not exist");
    }
    return t;
}

/* ---- operations ---- */

int sns_create_topic(sns_t *s, rn_call_t *c)
{
    const char *name = rn_param_str(c->in, "Name");
    json_t *attrs = json_object_get(c->in, "Attributes"), *tags = json_object_get(c->in, "Tags");
    int fifo = is_true(attrs, "FifoTopic");
    size_t n = name ? strlen(name) : 0;
    int named_fifo = n > 5 && !strcmp(name + n - 5, ".fifo");
    if (!name || !valid_name(name, fifo))
        return rn_call_fail(c, SNS_ERR_INVALID_PARAMETER, "Invalid parameter: Topic Name");
    if (named_fifo && !fifo)
        return rn_call_fail(c, SNS_ERR_INVALID_PARAMETER, "Invalid parameter: Topic Name");
    const char *k;
    json_t *v;
    json_object_foreach(attrs, k, v)
        if (check_attr(c, k, json_string_value(v) ? json_string_value(v) : "", fifo, 1) < 0)
            return c->err;
    if (check_tags(c, tags, 0) < 0)
        return c->err;
    const char *dpp = rn_param_str(c->in, "DataProtectionPolicy");
    sns_topic_t *t = rn_smap_get(&s->topics, name);
    if (t) {
        json_object_foreach(attrs, k, v) {
            const char *have = json_string_value(json_object_get(t->attrs, k));
            if (!strcmp(k, "FifoTopic") && !fifo && !t->fifo)
                continue; /* FifoTopic=false is what a standard topic has */
            if (!have || strcmp(have, json_string_value(v)))
                return rn_call_fail(c, SNS_ERR_INVALID_PARAMETER,
                                    "Invalid parameter: Attributes Reason: Topic already exists with different "
                                    "attributes");
        }
        int same = 1; /* the tags given must be among the topic's */
        size_t i;
        json_t *tag;
        json_array_foreach(tags, i, tag) {
            const char *have = json_string_value(json_object_get(t->tags, rn_param_str(tag, "Key")));
            same = same && have && !strcmp(have, rn_param_str(tag, "Value"));
        }
        if (!same)
            return rn_call_fail(c, SNS_ERR_INVALID_PARAMETER,
                                "Invalid parameter: Tags Reason: Topic already exists with different tags");
    } else {
        if (s->topics.len >= SNS_MAX_TOPICS)
            return rn_call_fail(c, SNS_ERR_TOPIC_LIMIT, "Topic limit exceeded");
        json_t *a = attrs ? json_deep_copy(attrs) : json_object();
        if (a && !fifo)
            json_object_del(a, "FifoTopic");
        if (a && dpp)
            json_object_set_new(a, "DataProtectionPolicy", json_string(dpp));
        if (!a || !(t = topic_new(s, name, a, tag_object(tags))))
            return RN_ERR_NOMEM;
        keep(s, t);
    }
    c->out = json_pack("{s:s}", "TopicArn", t->arn);
    return 0;
}

int sns_delete_topic(sns_t *s, rn_call_t *c)
{
    const char *arn = rn_param_str(c->in, "TopicArn");
    if (!arn)
        return rn_call_fail(c, SNS_ERR_INVALID_PARAMETER,
                            "Invalid parameter: TopicArn Reason: no value for required parameter");
    if (sns_arn_check(c, "TopicArn", arn) < 0)
        return c->err;
    sns_topic_t *t = sns_topic_by_arn(s, arn); /* deleting a missing topic succeeds */
    if (t) {
        while (t->nsubs)
            sns_sub_remove(s, t->subs[t->nsubs - 1]);
        rn_store_kv_delete(s->store, SNS_NS_TOPIC, t->name);
        rn_smap_del(&s->topics, t->name);
        sns_topic_free(t);
    }
    c->out = json_object();
    return 0;
}

typedef struct {
    json_t *list;
    const sns_t *s;
} topic_page_t;

static void take_topic(void *ud, const char *name)
{
    topic_page_t *p = ud;
    const sns_topic_t *t = rn_smap_get(&p->s->topics, name);
    json_array_append_new(p->list, json_pack("{s:s}", "TopicArn", t->arn));
}

int sns_list_topics(sns_t *s, rn_call_t *c)
{
    size_t n;
    const char **names = rn_sorted_keys(&s->topics, &n);
    if (!names && n)
        return RN_ERR_NOMEM;
    topic_page_t p = {json_array(), s};
    rn_page_t page = {rn_param_str(c->in, "NextToken"), 1, SNS_PAGE, NULL};
    size_t next = rn_page_walk(&page, names, n, NULL, take_topic, &p);
    c->out = json_pack("{s:o}", "Topics", p.list);
    if (next < n)
        json_object_set_new(c->out, "NextToken", json_string(names[next]));
    rn_free(names);
    return 0;
}

static char *default_policy(const sns_t *s, const sns_topic_t *t)
{
    json_t *p = json_pack(
        "{s:s,s:s,s:[{s:s,s:s,s:{s:s},s:[s,s,s,s,s,s,s,s],s:s,s:{s:{s:s}}}]}", "Version", "2008-10-17", "Id",
        "__default_policy_ID", "Statement", "Sid", "__default_statement_ID", "Effect", "Allow", "Principal", "AWS", "*",
        "Action", "SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission", "SNS:RemovePermission",
        "SNS:DeleteTopic", "SNS:Subscribe", "SNS:ListSubscriptionsByTopic", "SNS:Publish", "Resource", t->arn,
        "Condition", "StringEquals", "AWS:SourceOwner", s->cfg->account_id);
    char *text = p ? json_dumps(p, JSON_COMPACT) : NULL;
    json_decref(p);
    return text;
}

static const char EFFECTIVE_DELIVERY[] =
    "{\"http\":{\"defaultHealthyRetryPolicy\":{\"minDelayTarget\":20,\"maxDelayTarget\":20,\"numRetries\":3,"
    "\"numMaxDelayRetries\":0,\"numNoDelayRetries\":0,\"numMinDelayRetries\":0,\"backoffFunction\":\"linear\"},"
    "\"disableSubscriptionOverrides\":false,\"defaultRequestPolicy\":{\"headerContentType\":\"text/plain; "
    "charset=UTF-8\"}}}";

int sns_get_topic_attributes(sns_t *s, rn_call_t *c)
{
    sns_topic_t *t = sns_topic_param(s, c, "TopicArn");
    if (!t)
        return c->err;
    size_t confirmed = 0, pending = 0;
    for (size_t i = 0; i < t->nsubs; i++)
        t->subs[i]->confirmed ? confirmed++ : pending++;
    json_t *a = json_deep_copy(t->attrs);
    char num[32];
    json_object_set_new(a, "TopicArn", json_string(t->arn));
    json_object_set_new(a, "Owner", json_string(s->cfg->account_id));
    if (!json_object_get(a, "Policy")) {
        char *p = default_policy(s, t);
        json_object_set_new(a, "Policy", json_string(p ? p : "{}"));
        rn_json_free(p);
    }
    if (!json_object_get(a, "DisplayName"))
        json_object_set_new(a, "DisplayName", json_string(""));
    snprintf(num, sizeof num, "%zu", confirmed);
    json_object_set_new(a, "SubscriptionsConfirmed", json_string(num));
    snprintf(num, sizeof num, "%zu", pending);
    json_object_set_new(a, "SubscriptionsPending", json_string(num));
    snprintf(num, sizeof num, "%u", t->deleted_subs);
    json_object_set_new(a, "SubscriptionsDeleted", json_string(num));
    json_object_set_new(a, "EffectiveDeliveryPolicy",
                        json_string(json_string_value(json_object_get(t->attrs, "DeliveryPolicy"))
                                        ? json_string_value(json_object_get(t->attrs, "DeliveryPolicy"))
                                        : EFFECTIVE_DELIVERY));
    if (t->fifo) {
        json_object_set_new(a, "FifoTopic", json_string("true"));
        json_object_set_new(a, "ContentBasedDeduplication", json_string(t->content_dedup ? "true" : "false"));
    }
    c->out = json_pack("{s:o}", "Attributes", a);
    return 0;
}

int sns_set_topic_attributes(sns_t *s, rn_call_t *c)
{
    const char *name = rn_param_str(c->in, "AttributeName");
    const char *value = rn_param_str(c->in, "AttributeValue");
    if (!name)
        return rn_call_fail(c, SNS_ERR_INVALID_PARAMETER, "Invalid parameter: AttributeName");
    sns_topic_t *t = sns_topic_param(s, c, "TopicArn");
    if (!t)
        return c->err;
    if (!strcmp(name, "FifoTopic"))
        return rn_call_fail(c, SNS_ERR_INVALID_PARAMETER, "Invalid parameter: AttributeName");
    if (check_attr(c, name, value ? value : "", t->fifo, 0) < 0)
        return c->err;
    if ((!value || !value[0]) && strcmp(name, "DisplayName"))
        json_object_del(t->attrs, name); /* an empty value removes a policy */
    else
        json_object_set_new(t->attrs, name, json_string(value ? value : ""));
    if (!strcmp(name, "ContentBasedDeduplication"))
        t->content_dedup = is_true(t->attrs, name);
    keep(s, t);
    c->out = json_object();
    return 0;
}

/* TagResource and friends name the topic as ResourceArn and answer a
 * missing one with ResourceNotFound. */
static sns_topic_t *tagged(sns_t *s, rn_call_t *c)
{
    const char *arn = rn_param_str(c->in, "ResourceArn");
    sns_topic_t *t = sns_topic_by_arn(s, arn);
    if (!t)
        rn_call_fail(c, SNS_ERR_RESOURCE_NOT_FOUND, "Resource does not exist");
    return t;
}

int sns_tag_resource(sns_t *s, rn_call_t *c)
{
    sns_topic_t *t = tagged(s, c);
    if (!t)
        return c->err;
    json_t *tags = json_object_get(c->in, "Tags");
    size_t fresh = 0, i;
    json_t *tag;
    json_array_foreach(tags, i, tag)
        fresh += json_object_get(t->tags, rn_param_str(tag, "Key") ? rn_param_str(tag, "Key") : "") == NULL;
    if (check_tags(c, tags, json_object_size(t->tags) + fresh - json_array_size(tags)) < 0)
        return c->err;
    json_array_foreach(tags, i, tag)
        json_object_set_new(t->tags, rn_param_str(tag, "Key"), json_string(rn_param_str(tag, "Value")));
    keep(s, t);
    c->out = json_object();
    return 0;
}

int sns_untag_resource(sns_t *s, rn_call_t *c)
{
    sns_topic_t *t = tagged(s, c);
    if (!t)
        return c->err;
    size_t i;
    json_t *k;
    json_array_foreach(json_object_get(c->in, "TagKeys"), i, k)
        if (json_string_value(k))
            json_object_del(t->tags, json_string_value(k));
    keep(s, t);
    c->out = json_object();
    return 0;
}

int sns_list_tags(sns_t *s, rn_call_t *c)
{
    sns_topic_t *t = tagged(s, c);
    if (!t)
        return c->err;
    json_t *list = json_array(), *v;
    const char *k;
    json_object_foreach(t->tags, k, v)
        json_array_append_new(list, json_pack("{s:s,s:O}", "Key", k, "Value", v));
    c->out = json_pack("{s:o}", "Tags", list);
    return 0;
}

/* AddPermission and RemovePermission are accepted on an existing topic
 * (Runnel does not enforce resource policies); the data protection policy
 * is kept as an attribute. */
int sns_permission(sns_t *s, rn_call_t *c)
{
    if (!sns_topic_param(s, c, "TopicArn"))
        return c->err;
    c->out = json_object();
    return 0;
}

int sns_data_protection(sns_t *s, rn_call_t *c)
{
    const char *arn = rn_param_str(c->in, "ResourceArn");
    sns_topic_t *t = sns_topic_by_arn(s, arn);
    if (!t)
        return rn_call_fail(c, SNS_ERR_RESOURCE_NOT_FOUND, "Resource does not exist");
    if (c->op[0] == 'P') {
        const char *p = rn_param_str(c->in, "DataProtectionPolicy");
        if (check_attr(c, "DataProtectionPolicy", p ? p : "", t->fifo, 0) < 0)
            return c->err;
        json_object_set_new(t->attrs, "DataProtectionPolicy", json_string(p ? p : ""));
        keep(s, t);
        c->out = json_object();
    } else {
        const char *p = json_string_value(json_object_get(t->attrs, "DataProtectionPolicy"));
        c->out = json_pack("{s:s}", "DataProtectionPolicy", p ? p : "");
    }
    return 0;
}

void sns_metrics(sns_t *s, rn_metric_fn emit, void *ud)
{
    size_t i = 0;
    const char *name;
    void *v;
    while (rn_smap_next(&s->topics, &i, &name, &v)) {
        const sns_topic_t *t = v;
        rn_metric_t m = {"AWS/SNS", NULL, "TopicName", name, "Count", RN_METRIC_COUNTER, 0, 0, NULL};
        m.name = "NumberOfMessagesPublished";
        m.value = (double)t->n_published;
        m.help = "Messages published to the topic.";
        emit(ud, &m);
        m.name = "NumberOfNotificationsDelivered";
        m.value = (double)t->n_delivered;
        m.help = "Messages delivered to the topic's subscriptions.";
        emit(ud, &m);
        m.name = "NumberOfNotificationsFailed";
        m.value = (double)t->n_failed;
        m.help = "Deliveries the topic's subscriptions did not get (given up after the retries).";
        emit(ud, &m);
        m.name = "NumberOfNotificationsFilteredOut";
        m.value = (double)t->n_filtered;
        m.help = "Messages a subscription's filter policy turned away.";
        emit(ud, &m);
        m.name = "PublishSize";
        m.unit = "Bytes";
        m.value = (double)t->publish_bytes;
        m.samples = (double)t->n_published;
        m.help = "Size of the messages published, in bytes.";
        emit(ud, &m);
    }
}
