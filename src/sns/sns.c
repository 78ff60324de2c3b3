/* SPDX-License-Identifier: MIT
 * The SNS instance of one partition: its topics and subscriptions in RAM,
 * read back from the store at start, and the call table. Owns everything it
 * holds (see sns_int.h for the records). */
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "core/mem.h"
#include "http/client.h"
#include "sns/sns_int.h"

static const rn_err_info_t sns_rows[] = {SNS_ERR_TABLE(RN_ERR_ROW)};
const rn_err_table_t sns_errors = {SNS_ERR_FIRST_ + 1, sizeof sns_rows / sizeof sns_rows[0], sns_rows};

int sns_new(const rn_service_env_t *env, sns_t **out)
{
    sns_t *s = rn_calloc(1, sizeof *s);
    if (!s)
        return RN_ERR_NOMEM;
    s->store = env->store;
    s->cfg = env->cfg;
    s->sinks = env->sinks;
    s->loop = env->loop;
    s->runtime = env->runtime;
    *out = s;
    return 0;
}

static void clear(sns_t *s)
{
    sns_retry_free(s);
    size_t i = 0;
    const char *k;
    void *v;
    while (rn_smap_next(&s->subs, &i, &k, &v))
        sns_sub_free(v);
    rn_smap_free(&s->subs);
    i = 0;
    while (rn_smap_next(&s->topics, &i, &k, &v))
        sns_topic_free(v);
    rn_smap_free(&s->topics);
    memset(&s->subs, 0, sizeof s->subs);
    memset(&s->topics, 0, sizeof s->topics);
}

void sns_free(sns_t *s)
{
    if (!s)
        return;
    clear(s);
    json_decref(s->pending_subs);
    rn_free(s->last_sig.sig);
    sns_signer_free(s->signer);
    if (s->http)
        rn_hclient_free(s->http);
    rn_free(s);
}

void sns_reset(sns_t *s)
{
    clear(s);
    sns_signer_free(s->signer);
    s->signer = NULL;
    rn_free(s->last_sig.sig);
    memset(&s->last_sig, 0, sizeof s->last_sig);
}

int sns_load_kv(sns_t *s, const char *ns, const char *key, const char *value)
{
    if (!strcmp(ns, SNS_NS_TOPIC))
        return sns_topic_load(s, key, value);
    if (!strcmp(ns, SNS_NS_SUB)) { /* (they load before their topics: kept for sns_start) */
        if (!s->pending_subs && !(s->pending_subs = json_object()))
            return RN_ERR_NOMEM;
        return json_object_set_new(s->pending_subs, key, json_string(value)) < 0 ? RN_ERR_NOMEM : 0;
    }
    if (!strcmp(ns, SNS_NS_DLV))
        return sns_retry_load(s, key, value);
    if (!strcmp(ns, SNS_NS_KEY))
        return sns_signer_load(s, value);
    return 0;
}

void sns_start(sns_t *s)
{
    const char *id;
    json_t *v;
    json_object_foreach(s->pending_subs, id, v)
        if (sns_sub_load(s, id, json_string_value(v)) < 0)
            RN_WARN("sns: out of memory loading subscription %s", id);
    json_decref(s->pending_subs);
    s->pending_subs = NULL;
    sns_retry_run_due(s);
}

void sns_arn_prefix(const sns_t *s, char *out, size_t n)
{
    snprintf(out, n, "arn:aws:sns:%s:%s:", s->cfg->region, s->cfg->account_id);
}

sns_topic_t *sns_topic_by_arn(sns_t *s, const char *arn)
{
    char prefix[128];
    sns_arn_prefix(s, prefix, sizeof prefix);
    size_t n = strlen(prefix);
    if (!arn || strncmp(arn, prefix, n) != 0)
        return NULL;
    return rn_smap_get(&s->topics, arn + n);
}

const char *sns_base_url(const sns_t *s)
{
    if (s->endpoint[0])
        return s->endpoint;
    if (s->runtime && s->runtime->endpoint[0])
        return s->runtime->endpoint;
    return "http://127.0.0.1:4566";
}

typedef int (*op_fn)(sns_t *s, rn_call_t *c);
static const struct {
    const char *name;
    op_fn fn;
} ops[] = {
    {"Publish", sns_publish},
    {"PublishBatch", sns_publish_batch},
    {"CreateTopic", sns_create_topic},
    {"DeleteTopic", sns_delete_topic},
    {"ListTopics", sns_list_topics},
    {"GetTopicAttributes", sns_get_topic_attributes},
    {"SetTopicAttributes", sns_set_topic_attributes},
    {"Subscribe", sns_subscribe},
    {"Unsubscribe", sns_unsubscribe},
    {"ConfirmSubscription", sns_confirm_subscription},
    {"ListSubscriptions", sns_list_subscriptions},
    {"ListSubscriptionsByTopic", sns_list_subscriptions_by_topic},
    {"GetSubscriptionAttributes", sns_get_subscription_attributes},
    {"SetSubscriptionAttributes", sns_set_subscription_attributes},
    {"TagResource", sns_tag_resource},
    {"UntagResource", sns_untag_resource},
    {"ListTagsForResource", sns_list_tags},
    {"AddPermission", sns_permission},
    {"RemovePermission", sns_permission},
    {"GetDataProtectionPolicy", sns_data_protection},
    {"PutDataProtectionPolicy", sns_data_protection},
};

int sns_call(sns_t *s, rn_call_t *c)
{
    if (c->endpoint[0])
        snprintf(s->endpoint, sizeof s->endpoint, "%s", c->endpoint);
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (!strcmp(c->op, ops[i].name))
            return ops[i].fn(s, c);
    return rn_call_fail(c, RN_ERR_INVALID_ACTION, "Could not find operation %s for version 2010-03-31", c->op);
}
