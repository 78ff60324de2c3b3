/* SPDX-License-Identifier: MIT
 * SNS's internals, shared by its files: the instance, topics, subscriptions
 * and pending deliveries. Everything here is owned by the instance and lives
 * on the loop.
 *
 * Records (store keyed records, JSON values):
 *   sns.topic/NAME   {"attrs": {...}, "tags": {...}}
 *   sns.sub/ID       {"topic", "protocol", "endpoint", "attrs", "confirmed", "token", "owner"}
 *   sns.dlv/ID       a delivery that failed and waits for its retry:
 *                    {"sub", "body", "group", "dedup", "attrs", "tries", "due", "first"}
 *   sns.key/signing  the signing key and certificate (PEM) */
#ifndef RN_SNS_INT_H
#define RN_SNS_INT_H
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/map.h"
#include "core/service.h"
#include "sns/sns.h"
#include "sns/sns_err.h"

#define SNS_NS_TOPIC "sns.topic"
#define SNS_NS_SUB "sns.sub"
#define SNS_NS_DLV "sns.dlv"
#define SNS_NS_KEY "sns.key"

#define SNS_MAX_MESSAGE 262144   /* bytes, attributes included */
#define SNS_MAX_TOPICS 100000    /* per account and region (AWS's default quota) */
#define SNS_PAGE 100             /* ListTopics and ListSubscriptions */
#define SNS_MAX_TAGS 50
#define SNS_DEDUP_MS (5 * 60 * 1000)

typedef struct sns_filter sns_filter_t;
typedef struct sns_sub sns_sub_t;

typedef struct sns_topic {
    char *name;
    char arn[320];
    json_t *attrs; /* the attributes set on it (DisplayName, Policy, FifoTopic, ...), strings */
    json_t *tags;  /* key -> value */
    int fifo, content_dedup;
    sns_sub_t **subs; /* in subscription order; borrowed from sns_t.subs */
    size_t nsubs, cap;
    rn_smap_t dedup;   /* FIFO: deduplication id -> (void *)(intptr_t) expiry second */
    uint64_t seq;      /* FIFO: the last sequence number handed out */
    unsigned deleted_subs;
    /* AWS/SNS figures since start (sns_metrics) */
    uint64_t n_published, n_delivered, n_failed, n_filtered, publish_bytes;
} sns_topic_t;

struct sns_sub {
    char id[37];
    char arn[400];
    sns_topic_t *topic;
    char *protocol, *endpoint;
    json_t *attrs;  /* RawMessageDelivery, FilterPolicy, FilterPolicyScope, RedrivePolicy, DeliveryPolicy, ... */
    char owner[16];
    char token[289]; /* the confirmation token (HTTP/S, email) */
    int confirmed;
    int raw;
    sns_filter_t *filter; /* NULL: every message */
};

/* A message as published, before any subscription shapes it. Borrowed. */
typedef struct sns_msg {
    const char *id;           /* MessageId */
    const char *message;      /* the body, or for MessageStructure json the
                               * object with a "default" and per-protocol texts */
    size_t len;
    const json_t *structure;  /* MessageStructure json: the parsed object, else NULL */
    const char *subject;      /* or NULL */
    const json_t *attrs;      /* MessageAttributes: name -> {DataType, StringValue|BinaryValue}, or NULL */
    const char *group_id, *dedup_id; /* FIFO */
    uint64_t seq;             /* FIFO sequence number, 0 otherwise */
    int64_t time_ms;
} sns_msg_t;

typedef struct sns {
    rn_store_t *store;
    const rn_config_t *cfg;
    rn_sinks_t *sinks;
    uv_loop_t *loop;
    const rn_runtime_host_t *runtime;
    rn_smap_t topics; /* name -> sns_topic_t */
    rn_smap_t subs;   /* ARN -> sns_sub_t */
    char endpoint[300]; /* the server's URL as clients last reached it, for URLs in envelopes */
    struct sns_signer *signer;
    /* One publish's messages are signed over the same fields for every
     * subscription: the last signature, by what it covers (envelope.c). */
    struct {
        char id[37];
        const char *text; /* the signed Message text (borrowed; compared by address) */
        int version;
        char *sig;        /* owned */
    } last_sig;
    struct sns_retry *retry; /* pending retries (deliver.c) */
    struct rn_hclient *http;
    json_t *pending_subs; /* while loading: id -> record text */
    uint64_t published, delivered, failed;
} sns_t;

/* ---- sns.c ---- */
int sns_new(const rn_service_env_t *env, sns_t **out);
void sns_free(sns_t *s);
void sns_reset(sns_t *s);
int sns_load_kv(sns_t *s, const char *ns, const char *key, const char *value);
int sns_call(sns_t *s, rn_call_t *c);
/* After loading: attaches the subscriptions to their topics, resumes retries. */
void sns_start(sns_t *s);
sns_topic_t *sns_topic_by_arn(sns_t *s, const char *arn);
/* "arn:aws:sns:REGION:ACCOUNT:" prefix of this partition's ARNs, in out */
void sns_arn_prefix(const sns_t *s, char *out, size_t n);
/* The URL base envelopes name (SigningCertURL, UnsubscribeURL). */
const char *sns_base_url(const sns_t *s);

/* Runnel's own metrics: AWS/SNS per topic (rn_service_t.metrics). */
void sns_metrics(sns_t *s, rn_metric_fn emit, void *ud);

/* ---- topic.c ---- */
int sns_create_topic(sns_t *s, rn_call_t *c);
int sns_delete_topic(sns_t *s, rn_call_t *c);
int sns_list_topics(sns_t *s, rn_call_t *c);
int sns_get_topic_attributes(sns_t *s, rn_call_t *c);
int sns_set_topic_attributes(sns_t *s, rn_call_t *c);
int sns_tag_resource(sns_t *s, rn_call_t *c);
int sns_untag_resource(sns_t *s, rn_call_t *c);
int sns_list_tags(sns_t *s, rn_call_t *c);
int sns_permission(sns_t *s, rn_call_t *c);
int sns_data_protection(sns_t *s, rn_call_t *c);
int sns_topic_load(sns_t *s, const char *name, const char *value);
void sns_topic_free(sns_topic_t *t);
void sns_topic_dedup_free(sns_topic_t *t);
/* The topic's ARN from a call's parameter, checked: the topic, or NULL
 * with the call failed as AWS answers (InvalidParameter / NotFound). */
sns_topic_t *sns_topic_param(sns_t *s, rn_call_t *c, const char *member);
/* 0, or the call failed as AWS answers an ARN of fewer than 6 parts. */
int sns_arn_check(rn_call_t *c, const char *member, const char *arn);

/* ---- subscription.c ---- */
int sns_subscribe(sns_t *s, rn_call_t *c);
int sns_unsubscribe(sns_t *s, rn_call_t *c);
int sns_confirm_subscription(sns_t *s, rn_call_t *c);
int sns_list_subscriptions(sns_t *s, rn_call_t *c);
int sns_list_subscriptions_by_topic(sns_t *s, rn_call_t *c);
int sns_get_subscription_attributes(sns_t *s, rn_call_t *c);
int sns_set_subscription_attributes(sns_t *s, rn_call_t *c);
int sns_sub_load(sns_t *s, const char *id, const char *value);
void sns_sub_remove(sns_t *s, sns_sub_t *sub);
void sns_sub_free(sns_sub_t *sub);

/* ---- publish.c ---- */
int sns_publish(sns_t *s, rn_call_t *c);
int sns_publish_batch(sns_t *s, rn_call_t *c);
/* A message that arrives through the sink (an EventBridge target, a Lambda
 * destination, an alarm action): published to the topic at arn. */
int sns_deliver_in(sns_t *s, const char *arn, const rn_message_t *m, char *msg, size_t msglen);

/* ---- envelope.c ---- */
/* The JSON text a subscriber gets for m (the Notification envelope, or m's
 * own text when raw), newly allocated (rn_malloc), its length in *len. */
char *sns_envelope(sns_t *s, const sns_sub_t *sub, const sns_msg_t *m, const char *text, size_t *len);
/* The event a Lambda subscriber is invoked with. */
char *sns_lambda_event(sns_t *s, const sns_sub_t *sub, const sns_msg_t *m, const char *text, size_t *len);
/* The SubscriptionConfirmation / UnsubscribeConfirmation message. */
char *sns_confirmation(sns_t *s, const sns_sub_t *sub, const char *type, size_t *len);
/* The mail an email or email-json subscriber gets (a whole MIME message
 * from no-reply@sns.amazonaws.com), and the confirmation request mail. */
char *sns_email(sns_t *s, const sns_sub_t *sub, const sns_msg_t *m, const char *text, size_t *len);
char *sns_email_confirmation(sns_t *s, const sns_sub_t *sub, size_t *len);
/* The signing key: made on first use and kept in the store. */
int sns_signer_load(sns_t *s, const char *value);
void sns_signer_free(struct sns_signer *g);
const char *sns_signer_cert_name(sns_t *s);
/* GET /_runnel/sns/<certificate name>: the signing certificate (PEM). */
int sns_page(sns_t *s, const char *rest, char **body, size_t *len, const char **ctype, char *msg, size_t msglen);

/* ---- deliver.c ---- */
/* Hands m to every subscription of t whose filter accepts it. */
void sns_fanout(sns_t *s, sns_topic_t *t, const sns_msg_t *m);
/* Sends a confirmation request to a new HTTP(S) subscription. */
void sns_send_confirmation(sns_t *s, sns_sub_t *sub);
/* Tells an HTTP(S) endpoint its subscription was removed. */
void sns_send_unsubscribe_confirmation(sns_t *s, sns_sub_t *sub);
int sns_retry_load(sns_t *s, const char *id, const char *value);
int64_t sns_retry_next_due(sns_t *s);
/* Deliveries waiting for their retry, and posted and not yet answered. */
size_t sns_retry_waiting(const sns_t *s);
size_t sns_retry_inflight(const sns_t *s);
void sns_retry_run_due(sns_t *s);
void sns_retry_free(sns_t *s);
void sns_retry_drop_sub(sns_t *s, const char *sub_arn);
#endif
