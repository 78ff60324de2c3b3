/* SPDX-License-Identifier: MIT
 * SNS subscriptions: subscribe (idempotent per topic, protocol and
 * endpoint), the confirmation flow for HTTP(S) and email endpoints,
 * unsubscribe, listings and attributes. A subscription is owned by sns_t.subs
 * (by ARN); its topic lists it too. */
#include <stdio.h>
#include <string.h>

#include "core/hex.h"
#include "core/ids.h"
#include "core/json_alloc.h"
#include "core/mem.h"
#include "core/params.h"
#include "sns/filter.h"
#include "sns/sns_int.h"

#define PENDING "pending confirmation"

/* ---- keeping ---- */

static void keep(sns_t *s, const sns_sub_t *sub)
{
    json_t *o = json_pack("{s:s,s:s,s:s,s:O,s:b,s:s,s:s}", "topic", sub->topic->arn, "protocol", sub->protocol,
                          "endpoint", sub->endpoint, "attrs", sub->attrs, "confirmed", sub->confirmed, "token",
                          sub->token, "owner", sub->owner);
    char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (text)
        rn_store_kv_put(s->store, SNS_NS_SUB, sub->id, text);
    rn_json_free(text);
}

void sns_sub_free(sns_sub_t *sub)
{
    if (!sub)
        return;
    sns_filter_free(sub->filter);
    json_decref(sub->attrs);
    rn_free(sub->protocol);
    rn_free(sub->endpoint);
    rn_free(sub);
}

static int topic_add(sns_topic_t *t, sns_sub_t *sub)
{
    if (t->nsubs == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 4;
        sns_sub_t **v = rn_realloc(t->subs, cap * sizeof *v);
        if (!v)
            return RN_ERR_NOMEM;
        t->subs = v;
        t->cap = cap;
    }
    t->subs[t->nsubs++] = sub;
    return 0;
}

void sns_sub_remove(sns_t *s, sns_sub_t *sub)
{
    sns_topic_t *t = sub->topic;
    for (size_t i = 0; i < t->nsubs; i++)
        if (t->subs[i] == sub) {
            memmove(t->subs + i, t->subs + i + 1, (t->nsubs - i - 1) * sizeof *t->subs);
            t->nsubs--;
            break;
        }
    t->deleted_subs++;
    sns_retry_drop_sub(s, sub->arn);
    rn_store_kv_delete(s->store, SNS_NS_SUB, sub->id);
    rn_smap_del(&s->subs, sub->arn);
    sns_sub_free(sub);
}

static int is_true(const json_t *attrs, const char *name)
{
    const char *v = json_string_value(json_object_get(attrs, name));
    return v && !strcasecmp(v, "true");
}

/* Stores attributes as AWS reports them: RawMessageDelivery lower-cased,
 * an empty FilterPolicy as none. */
static void normalise(json_t *a)
{
    const char *raw = json_string_value(json_object_get(a, "RawMessageDelivery"));
    if (raw)
        json_object_set_new(a, "RawMessageDelivery", json_string(strcasecmp(raw, "true") ? "false" : "true"));
    const char *fp = json_string_value(json_object_get(a, "FilterPolicy"));
    if (fp && !fp[0])
        json_object_del(a, "FilterPolicy");
}

/* Compiles the subscription's filter policy from its attributes; 0, or the
 * call failed with AWS's answer (sub unchanged). */
static int refilter(sns_sub_t *sub, const json_t *attrs, rn_call_t *c, int subscribing)
{
    const char *policy = json_string_value(json_object_get(attrs, "FilterPolicy"));
    const char *scope = json_string_value(json_object_get(attrs, "FilterPolicyScope"));
    sns_filter_t *f = NULL;
    if (policy && policy[0]) {
        char msg[1400];
        int rc = sns_filter_compile(policy, strlen(policy),
                                    scope && !strcmp(scope, "MessageBody") ? SNS_SCOPE_BODY : SNS_SCOPE_ATTRIBUTES,
                                    &f, msg, sizeof msg);
        if (rc < 0) {
            if (subscribing)
                sns_filter_subscribe_message(msg, sizeof msg);
            if (c)
                rn_call_fail(c, rc == RN_ERR_INVALID_PARAMETER ? SNS_ERR_INVALID_PARAMETER
                                : rc == RN_ERR_INTERNAL        ? SNS_ERR_INTERNAL
                                                               : rc,
                             "%s", msg);
            return rc;
        }
    }
    sns_filter_free(sub->filter);
    sub->filter = f;
    sub->raw = is_true(attrs, "RawMessageDelivery");
    return 0;
}

static sns_sub_t *sub_new(sns_t *s, sns_topic_t *t, const char *id, const char *protocol, const char *endpoint,
                          json_t *attrs)
{
    sns_sub_t *sub = rn_calloc(1, sizeof *sub);
    if (!sub)
        return NULL;
    snprintf(sub->id, sizeof sub->id, "%s", id);
    snprintf(sub->arn, sizeof sub->arn, "%s:%s", t->arn, id);
    sub->topic = t;
    sub->attrs = attrs;
    sub->protocol = rn_strdup(protocol);
    sub->endpoint = rn_strdup(endpoint);
    snprintf(sub->owner, sizeof sub->owner, "%s", s->cfg->account_id);
    if (!sub->protocol || !sub->endpoint || rn_smap_put(&s->subs, sub->arn, sub) < 0) {
        sub->attrs = NULL;
        sns_sub_free(sub);
        return NULL;
    }
    if (topic_add(t, sub) < 0) {
        rn_smap_del(&s->subs, sub->arn);
        sub->attrs = NULL;
        sns_sub_free(sub);
        return NULL;
    }
    return sub;
}

int sns_sub_load(sns_t *s, const char *id, const char *value)
{
    json_t *o = json_loads(value, 0, NULL);
    sns_topic_t *t = sns_topic_by_arn(s, rn_param_str(o, "topic"));
    const char *protocol = rn_param_str(o, "protocol"), *endpoint = rn_param_str(o, "endpoint");
    json_t *attrs = json_object_get(o, "attrs");
    int rc = 0;
    if (t && protocol && endpoint && json_is_object(attrs)) {
        sns_sub_t *sub = sub_new(s, t, id, protocol, endpoint, json_incref(attrs));
        if (!sub) {
            json_decref(attrs);
            rc = RN_ERR_NOMEM;
        } else {
            sub->confirmed = json_is_true(json_object_get(o, "confirmed"));
            snprintf(sub->token, sizeof sub->token, "%s", rn_param_str(o, "token") ? rn_param_str(o, "token") : "");
            if (rn_param_str(o, "owner"))
                snprintf(sub->owner, sizeof sub->owner, "%s", rn_param_str(o, "owner"));
            refilter(sub, sub->attrs, NULL, 0);
        }
    }
    json_decref(o);
    return rc;
}

/* ---- checking ---- */

static const char *const protocols[] = {"http", "https", "email", "email-json", "sms", "sqs", "application",
                                        "lambda", "firehose", NULL};

static int check_endpoint(rn_call_t *c, const sns_topic_t *t, const char *protocol, const char *endpoint)
{
    size_t n = strlen(endpoint);
    if (!strcmp(protocol, "sqs")) {
        if (strncmp(endpoint, "arn:aws:sqs:", 12) != 0)
            return rn_call_fail(c, SNS_ERR_INVALID_PARAMETER, "Invalid parameter: SQS endpoint ARN");
        if (!t->fifo && n > 5 && !strcmp(endpoint + n - 5, ".fifo"))
            return rn_call_fail(c, SNS_ERR_INVALID_PARAMETER,
                                "Invalid parameter: Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be "
                                "subscribed to standard SNS topics");
    } else if (!strcmp(protocol, "lambda")) {
        if (strncmp(endpoint, "arn:aws:lambda:", 15) != 0)
            return rn_call_fail(c, SNS_ERR_INVALID_PARAMETER, "Invalid parameter: Lambda endpoint ARN");
    } else if (!strcmp(protocol, "http") || !strcmp(protocol, "https")) {
        const char *want = protocol[4] ? "https://" : "http://";
        if (strncasecmp(endpoint, want, strlen(want)) != 0)
            return rn_call_fail(c, SNS_ERR_INVALID_PARAMETER,
                                "Invalid parameter: Endpoint must match the specified protocol");
    } else if (!strcmp(protocol, "email") || !strcmp(protocol, "email-json")) {
        const char *at = strchr(endpoint, '@');
        if (!at || at == endpoint || !at[1] || strchr(at + 1, '@'))
            return rn_call_fail(c, SNS_ERR_INVALID_PARAMETER, "Invalid parameter: Endpoint");
    } else if (!strcmp(protocol, "sms")) {
        const char *p = endpoint + (endpoint[0] == '+');
        int digits = 0, ok = *p != '\0';
        for (; *p && ok; p++) {
            digits += *p >= '0' && *p <= '9';
            ok = (*p >= '0' && *p <= '9') || ((*p == '-' || *p == '.' || *p == '/') && p[1] >= '0' && p[1] <= '9');
        }
        if (!ok || digits < 4 || endpoint[0] == '/')
            return rn_call_fail(c, SNS_ERR_INVALID_PARAMETER, "Invalid SMS endpoint: %s", endpoint);
    }
    return 0;
}

static const char *const sub_attrs[] = {"DeliveryPolicy", "FilterPolicy", "FilterPolicyScope", "RawMessageDelivery",
                                        "RedrivePolicy", "SubscriptionRoleArn", "ReplayPolicy", NULL};

/* Checks one attribute; `where` is the message prefix AWS uses
 * ("Attributes Reason: " at Subscribe, "" at SetSubscriptionAttributes). */
static int check_attr(rn_call_t *c, const sns_topic_t *t, const char *protocol, const char *name, const char *value,
                      const char *where)
{
    int known = 0;
    for (const char *const *a = sub_attrs; *a && !known; a++)
        known = !strcmp(*a, name);
    if (!known)
        return rn_call_fail(c, SNS_ERR_INVALID_PARAMETER, "Invalid parameter: AttributeName");
    if (!strcmp(name, "RawMessageDelivery")) {
        if (strcasecmp(value, "true") && strcasecmp(value, "false"))
            return rn_call_fail(c, SNS_ERR_INVALID_PARAMETER,
                                "Invalid parameter: %sRawMessageDelivery: Invalid value [%s]. Must be true or false.",
                                where, value);
        if (!strcasecmp(value, "true") && strcmp(protocol, "sqs") && strcmp(protocol, "http") &&
            strcmp(protocol, "https") && strcmp(protocol, "firehose"))
            return rn_call_fail(c, SNS_ERR_INVALID_PARAMETER,
                                "Invalid parameter: %sDelivery protocol [%s] does not support raw message delivery.",
                                where, protocol);
    } else if (!strcmp(name, "FilterPolicyScope")) {
        if (strcmp(value, "MessageAttributes") && strcmp(value, "MessageBody"))
            return rn_call_fail(c, SNS_ERR_INVALID_PARAMETER,
                                "Invalid parameter: %sFilterPolicyScope: Invalid value [%s]. Please use either "
                                "MessageBody or MessageAttributes",
                                where, value);
    } else if (!strcmp(name, "RedrivePolicy") || (!strcmp(name, "DeliveryPolicy") && value[0])) {
        json_error_t e;
        json_t *j = json_loads(value, 0, &e);
        if (!json_is_object(j)) {
            json_decref(j);
            return rn_call_fail(c, SNS_ERR_INVALID_PARAMETER, "Invalid parameter: %s%s: failed to parse JSON. %s",
                                where, name, e.text);
        }
        const char *dlq = rn_param_str(j, "deadLetterTargetArn");
        size_t n = dlq ? strlen(dlq) : 0;
        int fifo_dlq = n > 5 && !strcmp(dlq + n - 5, ".fifo");
        int fifo_sub = t->fifo && !strcmp(protocol, "sqs");
        int sqs_arn = dlq && !strncmp(dlq, "arn:aws:sqs:", 12);
        json_decref(j);
        if (name[0] == 'R' && !sqs_arn)
            return rn_call_fail(c, SNS_ERR_INVALID_PARAMETER,
                                "Invalid parameter: %sRedrivePolicy: deadLetterTargetArn is an invalid arn", where);
        if (name[0] == 'R' && fifo_sub && !fifo_dlq)
            return rn_call_fail(c, SNS_ERR_INVALID_PARAMETER,
                                "Invalid parameter: %sRedrivePolicy: must use a FIFO queue as DLQ for a FIFO "
                                "Subscription to a FIFO Topic.",
                                where);
    }
    return 0;
}

/* The subscription an ARN parameter names, or NULL with the call failed. */
/* Checks a subscription ARN parameter: 0, or the call failed. */
static int sub_arn_check(rn_call_t *c, const char *arn)
{
    if (!arn)
        return rn_call_fail(c, SNS_ERR_INVALID_PARAMETER,
                            "Invalid parameter: SubscriptionArn Reason: no value for required parameter");
    if (sns_arn_check(c, "SubscriptionArn", arn) < 0)
        return c->err;
    size_t parts = 1;
    for (const char *p = arn; *p; p++)
        parts += *p == ':';
    if (parts < 7)
        return rn_call_fail(c, SNS_ERR_INVALID_PARAMETER, "Invalid parameter: SubscriptionId");
    return 0;
}

/* The subscription an ARN parameter names, or NULL with the call failed. */
static sns_sub_t *sub_param(sns_t *s, rn_call_t *c)
{
    const char *arn = rn_param_str(c->in, "SubscriptionArn");
    if (sub_arn_check(c, arn) < 0)
        return NULL;
    sns_sub_t *sub = rn_smap_get(&s->subs, arn);
    if (!sub)
        rn_call_fail(c, SNS_ERR_NOT_FOUND, "Subscription does not exist");
    return sub;
}

/* ---- operations ---- */

int sns_subscribe(sns_t *s, rn_call_t *c)
{
    sns_topic_t *t = sns_topic_param(s, c, "TopicArn");
    if (!t)
        return c->err;
    const char *protocol = rn_param_str(c->in, "Protocol"), *endpoint = rn_param_str(c->in, "Endpoint");
    if (!protocol)
        return rn_call_fail(c, SNS_ERR_INVALID_PARAMETER,
                            "Invalid parameter: Protocol Reason: no value for required parameter");
    int known = 0;
    for (const char *const *p = protocols; *p && !known; p++)
        known = !strcmp(*p, protocol);
    if (!known)
        return rn_call_fail(c, SNS_ERR_INVALID_PARAMETER,
                            "Invalid parameter: Amazon SNS does not support this protocol string: %s", protocol);
    if (!endpoint)
        return rn_call_fail(c, SNS_ERR_INVALID_PARAMETER,
                            "Invalid parameter: Endpoint Reason: no value for required parameter");
    if (check_endpoint(c, t, protocol, endpoint) < 0)
        return c->err;
    json_t *attrs = json_object_get(c->in, "Attributes");
    const char *k;
    json_t *v;
    json_object_foreach(attrs, k, v)
        if (check_attr(c, t, protocol, k, json_string_value(v) ? json_string_value(v) : "", "Attributes Reason: ") < 0)
            return c->err;
    int want_arn = json_is_true(json_object_get(c->in, "ReturnSubscriptionArn"));
    for (size_t i = 0; i < t->nsubs; i++) {
        sns_sub_t *old = t->subs[i];
        if (strcmp(old->protocol, protocol) || strcmp(old->endpoint, endpoint))
            continue;
        json_object_foreach(attrs, k, v) {
            const char *have = json_string_value(json_object_get(old->attrs, k));
            if (!have && !strcmp(k, "RawMessageDelivery"))
                have = "false";
            if (!have && !strcmp(k, "FilterPolicyScope"))
                have = "MessageAttributes";
            if (!have || strcasecmp(have, json_string_value(v)))
                return rn_call_fail(c, SNS_ERR_INVALID_PARAMETER,
                                    "Invalid parameter: Attributes Reason: Subscription already exists with "
                                    "different attributes");
        }
        if (!old->confirmed)
            sns_send_confirmation(s, old); /* asked again: the endpoint is asked again */
        c->out = json_pack("{s:s}", "SubscriptionArn", old->confirmed || want_arn ? old->arn : PENDING);
        return 0;
    }
    char id[37];
    rn_uuid(id);
    json_t *a = attrs ? json_deep_copy(attrs) : json_object();
    normalise(a);
    sns_sub_t *sub = a ? sub_new(s, t, id, protocol, endpoint, a) : NULL;
    if (!sub) {
        json_decref(a);
        return RN_ERR_NOMEM;
    }
    if (refilter(sub, sub->attrs, c, 1) < 0) {
        sns_sub_remove(s, sub);
        t->deleted_subs--;
        return c->err;
    }
    int needs_confirming = !strncmp(protocol, "http", 4) || !strncmp(protocol, "email", 5);
    sub->confirmed = !needs_confirming;
    if (needs_confirming) {
        unsigned char r[144];
        rn_rand_bytes(r, sizeof r);
        rn_hex_encode(r, sizeof r, sub->token);
    }
    keep(s, sub);
    if (needs_confirming)
        sns_send_confirmation(s, sub);
    c->out = json_pack("{s:s}", "SubscriptionArn", sub->confirmed || want_arn ? sub->arn : PENDING);
    return 0;
}

int sns_unsubscribe(sns_t *s, rn_call_t *c)
{
    const char *arn = rn_param_str(c->in, "SubscriptionArn");
    if (sub_arn_check(c, arn) < 0)
        return c->err;
    sns_sub_t *sub = rn_smap_get(&s->subs, arn);
    if (sub) { /* (unsubscribing twice succeeds) */
        if (!strncmp(sub->protocol, "http", 4))
            sns_send_unsubscribe_confirmation(s, sub);
        sns_sub_remove(s, sub);
    }
    c->out = json_object();
    return 0;
}

int sns_confirm_subscription(sns_t *s, rn_call_t *c)
{
    sns_topic_t *t = sns_topic_param(s, c, "TopicArn");
    if (!t)
        return c->err;
    const char *token = rn_param_str(c->in, "Token");
    if (!token)
        return rn_call_fail(c, SNS_ERR_INVALID_PARAMETER,
                            "Invalid parameter: Token Reason: no value for required parameter");
    for (size_t i = 0; i < t->nsubs; i++) {
        sns_sub_t *sub = t->subs[i];
        if (sub->token[0] && !strcmp(sub->token, token)) {
            if (!sub->confirmed) {
                sub->confirmed = 1;
                keep(s, sub);
            }
            c->out = json_pack("{s:s}", "SubscriptionArn", sub->arn);
            return 0;
        }
    }
    size_t n = strlen(token);
    int hex = n >= 64;
    for (size_t i = 0; i < n && hex; i++)
        hex = (token[i] >= '0' && token[i] <= '9') || (token[i] >= 'a' && token[i] <= 'f');
    return rn_call_fail(c, SNS_ERR_INVALID_PARAMETER, hex ? "Invalid parameter: Token" : "Invalid token");
}

static json_t *listing(const sns_sub_t *sub)
{
    return json_pack("{s:s,s:s,s:s,s:s,s:s}", "SubscriptionArn", sub->confirmed ? sub->arn : "PendingConfirmation",
                     "Owner", sub->owner, "Protocol", sub->protocol, "Endpoint", sub->endpoint, "TopicArn",
                     sub->topic->arn);
}

/* Pages over subscriptions in their order: the token is the ARN of the
 * first one of the next page. */
static int list_subs(rn_call_t *c, sns_sub_t **subs, size_t n)
{
    const char *token = rn_param_str(c->in, "NextToken");
    size_t from = 0;
    if (token) {
        while (from < n && strcmp(subs[from]->arn, token))
            from++;
        if (from == n)
            return rn_call_fail(c, SNS_ERR_INVALID_PARAMETER, "Invalid parameter: NextToken");
    }
    json_t *list = json_array();
    size_t i;
    for (i = from; i < n && i < from + SNS_PAGE; i++)
        json_array_append_new(list, listing(subs[i]));
    c->out = json_pack("{s:o}", "Subscriptions", list);
    if (i < n)
        json_object_set_new(c->out, "NextToken", json_string(subs[i]->arn));
    return 0;
}

int sns_list_subscriptions(sns_t *s, rn_call_t *c)
{
    size_t n, total = 0;
    const char **names = rn_sorted_keys(&s->topics, &n);
    if (!names && n)
        return RN_ERR_NOMEM;
    for (size_t i = 0; i < n; i++)
        total += ((sns_topic_t *)rn_smap_get(&s->topics, names[i]))->nsubs;
    sns_sub_t **all = rn_malloc((total + 1) * sizeof *all);
    if (!all) {
        rn_free(names);
        return RN_ERR_NOMEM;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        sns_topic_t *t = rn_smap_get(&s->topics, names[i]);
        memcpy(all + k, t->subs, t->nsubs * sizeof *all);
        k += t->nsubs;
    }
    int rc = list_subs(c, all, total);
    rn_free(all);
    rn_free(names);
    return rc;
}

int sns_list_subscriptions_by_topic(sns_t *s, rn_call_t *c)
{
    sns_topic_t *t = sns_topic_param(s, c, "TopicArn");
    if (!t)
        return c->err;
    return list_subs(c, t->subs, t->nsubs);
}

int sns_get_subscription_attributes(sns_t *s, rn_call_t *c)
{
    sns_sub_t *sub = sub_param(s, c);
    if (!sub)
        return c->err;
    json_t *a = json_deep_copy(sub->attrs);
    json_object_set_new(a, "SubscriptionArn", json_string(sub->arn));
    json_object_set_new(a, "TopicArn", json_string(sub->topic->arn));
    json_object_set_new(a, "Owner", json_string(sub->owner));
    json_object_set_new(a, "Protocol", json_string(sub->protocol));
    json_object_set_new(a, "Endpoint", json_string(sub->endpoint));
    json_object_set_new(a, "PendingConfirmation", json_string(sub->confirmed ? "false" : "true"));
    json_object_set_new(a, "ConfirmationWasAuthenticated", json_string(sub->confirmed ? "true" : "false"));
    if (!json_object_get(a, "RawMessageDelivery"))
        json_object_set_new(a, "RawMessageDelivery", json_string("false"));
    if (!json_object_get(a, "FilterPolicy"))
        json_object_del(a, "FilterPolicyScope"); /* shown only with a policy */
    else if (!json_object_get(a, "FilterPolicyScope"))
        json_object_set_new(a, "FilterPolicyScope", json_string("MessageAttributes"));
    char principal[64];
    snprintf(principal, sizeof principal, "arn:aws:iam::%s:root", sub->owner);
    json_object_set_new(a, "SubscriptionPrincipal", json_string(principal));
    c->out = json_pack("{s:o}", "Attributes", a);
    return 0;
}

int sns_set_subscription_attributes(sns_t *s, rn_call_t *c)
{
    const char *name = rn_param_str(c->in, "AttributeName"), *value = rn_param_str(c->in, "AttributeValue");
    if (!name)
        return rn_call_fail(c, SNS_ERR_INVALID_PARAMETER,
                            "Invalid parameter: AttributeName Reason: no value for required parameter");
    sns_sub_t *sub = sub_param(s, c);
    if (!sub)
        return c->err;
    if (check_attr(c, sub->topic, sub->protocol, name, value ? value : "", "") < 0)
        return c->err;
    json_t *a = json_deep_copy(sub->attrs);
    if (!a)
        return RN_ERR_NOMEM;
    if (value && value[0])
        json_object_set_new(a, name, json_string(value));
    else
        json_object_del(a, name); /* an empty value removes a policy */
    normalise(a);
    if (refilter(sub, a, c, 0) < 0) {
        json_decref(a);
        return c->err;
    }
    json_decref(sub->attrs);
    sub->attrs = a;
    keep(s, sub);
    c->out = json_object();
    return 0;
}
