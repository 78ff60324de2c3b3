/* SPDX-License-Identifier: MIT
 * Fan-out and delivery. Each confirmed subscription whose filter policy
 * accepts a message gets it shaped for its protocol: SQS queues and Lambda
 * functions through the sink registry, in the publish's own loop turn (so the
 * publish is acknowledged once they are durable); HTTP endpoints by POST,
 * each kept in the store (sns.dlv/ID) from before the publish is acknowledged
 * until it succeeds or is given up. Failures follow AWS's rules: a
 * client-side failure (the endpoint is gone, a 4xx) is not retried; a
 * server-side one (5xx, 429, no answer) is retried by the delivery policy
 * (HTTP's default: 3 retries 20 s apart). What is given up goes to the
 * subscription's RedrivePolicy dead-letter queue, if it has one. Retries run
 * on the movable clock. Owns the pending deliveries. */
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/ids.h"
#include "core/json_alloc.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/params.h"
#include "http/client.h"
#include "sns/filter.h"
#include "sns/sns_int.h"

#define HTTP_TIMEOUT_MS 15000

typedef struct dlv {
    char id[37];
    char *sub_arn, *body, *msg_id;
    size_t len;
    int tries; /* attempts made */
    int64_t due, first;
    int inflight;
    sns_t *s;
    struct dlv *next; /* in the due-sorted list, when waiting */
} dlv_t;

struct sns_retry {
    uv_timer_t timer;
    sns_t *s;
    dlv_t *waiting; /* by due time */
    rn_smap_t all;  /* id -> dlv_t, waiting or in flight */
};

/* ---- the store's copy ---- */

static void keep(sns_t *s, const dlv_t *d)
{
    json_t *o = json_pack("{s:s,s:s,s:s%,s:i,s:I,s:I}", "sub", d->sub_arn, "msg", d->msg_id, "body", d->body, d->len,
                          "tries", d->tries, "due", (json_int_t)d->due, "first", (json_int_t)d->first);
    char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (text)
        rn_store_kv_put(s->store, SNS_NS_DLV, d->id, text);
    rn_json_free(text);
}

static void dlv_free(dlv_t *d)
{
    if (!d)
        return;
    rn_free(d->sub_arn);
    rn_free(d->body);
    rn_free(d->msg_id);
    rn_free(d);
}

static void closed(uv_handle_t *h)
{
    rn_free(h->data);
}

static void on_timer(uv_timer_t *t);

static struct sns_retry *retry_of(sns_t *s)
{
    if (!s->retry) {
        struct sns_retry *r = rn_calloc(1, sizeof *r);
        if (!r)
            return NULL;
        r->s = s;
        uv_timer_init(s->loop, &r->timer);
        r->timer.data = r;
        s->retry = r;
    }
    return s->retry;
}

void sns_retry_free(sns_t *s)
{
    struct sns_retry *r = s->retry;
    if (!r)
        return;
    size_t i = 0;
    const char *k;
    void *v;
    while (rn_smap_next(&r->all, &i, &k, &v))
        dlv_free(v);
    rn_smap_free(&r->all);
    uv_timer_stop(&r->timer);
    uv_close((uv_handle_t *)&r->timer, closed);
    s->retry = NULL;
    if (s->http) { /* abandons what is in flight: their callbacks are not called */
        rn_hclient_free(s->http);
        s->http = NULL;
    }
}

static void arm(struct sns_retry *r)
{
    if (!r->waiting) {
        uv_timer_stop(&r->timer);
        return;
    }
    int64_t wait = r->waiting->due - rn_now_ms();
    uv_timer_start(&r->timer, on_timer, wait > 0 ? (uint64_t)wait : 0, 0);
}

static void wait_for(struct sns_retry *r, dlv_t *d)
{
    dlv_t **pp = &r->waiting;
    while (*pp && (*pp)->due <= d->due)
        pp = &(*pp)->next;
    d->next = *pp;
    *pp = d;
    arm(r);
}

static void unwait(struct sns_retry *r, dlv_t *d)
{
    for (dlv_t **pp = &r->waiting; *pp; pp = &(*pp)->next)
        if (*pp == d) {
            *pp = d->next;
            d->next = NULL;
            return;
        }
}

/* Forgets d: out of the store and the maps. */
static void done(sns_t *s, dlv_t *d)
{
    struct sns_retry *r = s->retry;
    rn_store_kv_delete(s->store, SNS_NS_DLV, d->id);
    unwait(r, d);
    rn_smap_del(&r->all, d->id);
    dlv_free(d);
}

/* ---- the delivery policy ---- */

typedef struct {
    int num, no_delay, min_delay_n, max_delay_n, min, max;
    int exponential;
} policy_t;

static void read_policy(policy_t *p, const char *text)
{
    json_t *o = text ? json_loads(text, 0, NULL) : NULL;
    json_t *h = json_object_get(o, "healthyRetryPolicy");
    if (!h)
        h = json_object_get(json_object_get(o, "http"), "defaultHealthyRetryPolicy");
    if (h) {
        json_t *v;
        if ((v = json_object_get(h, "numRetries")))
            p->num = (int)json_integer_value(v);
        if ((v = json_object_get(h, "numNoDelayRetries")))
            p->no_delay = (int)json_integer_value(v);
        if ((v = json_object_get(h, "numMinDelayRetries")))
            p->min_delay_n = (int)json_integer_value(v);
        if ((v = json_object_get(h, "numMaxDelayRetries")))
            p->max_delay_n = (int)json_integer_value(v);
        if ((v = json_object_get(h, "minDelayTarget")))
            p->min = (int)json_integer_value(v);
        if ((v = json_object_get(h, "maxDelayTarget")))
            p->max = (int)json_integer_value(v);
        const char *f = rn_param_str(h, "backoffFunction");
        p->exponential = f && (!strcmp(f, "exponential") || !strcmp(f, "geometric"));
    }
    json_decref(o);
}

/* The policy for sub: its own DeliveryPolicy, else its topic's, else
 * HTTP's default (3 retries, 20 s apart). */
static policy_t policy_of(const sns_sub_t *sub)
{
    policy_t p = {3, 0, 0, 0, 20, 20, 0};
    read_policy(&p, json_string_value(json_object_get(sub->topic->attrs, "DeliveryPolicy")));
    read_policy(&p, json_string_value(json_object_get(sub->attrs, "DeliveryPolicy")));
    if (p.min < 1)
        p.min = 1;
    if (p.max < p.min)
        p.max = p.min;
    return p;
}

/* Seconds before retry number k (1-based), or -1 when the policy allows no
 * more. Phases as AWS runs them: no delay, minimum delay, back-off from the
 * minimum to the maximum, maximum delay. */
static int delay_before(const policy_t *p, int k)
{
    if (k > p->num)
        return -1;
    if (k <= p->no_delay)
        return 0;
    if (k <= p->no_delay + p->min_delay_n)
        return p->min;
    int backoff = p->num - p->no_delay - p->min_delay_n - p->max_delay_n;
    int i = k - p->no_delay - p->min_delay_n;
    if (i > backoff || backoff <= 1)
        return i > backoff ? p->max : p->min;
    if (p->exponential) {
        double d = p->min;
        for (int j = 1; j < i && d < p->max; j++)
            d *= 2;
        return d > p->max ? p->max : (int)d;
    }
    return p->min + (p->max - p->min) * (i - 1) / (backoff - 1);
}

/* ---- giving up ---- */

/* Sends what could not be delivered to sub's dead-letter queue, if any. */
static void dead_letter(sns_t *s, sns_sub_t *sub, const char *body, size_t len, const char *why)
{
    const char *policy = json_string_value(json_object_get(sub->attrs, "RedrivePolicy"));
    json_t *o = policy ? json_loads(policy, 0, NULL) : NULL;
    const char *dlq = rn_param_str(o, "deadLetterTargetArn");
    s->failed++;
    sub->topic->n_failed++;
    if (!dlq) {
        RN_INFO("sns: delivery to %s (%s) failed: %s; no dead-letter queue, dropped", sub->endpoint, sub->arn, why);
        json_decref(o);
        return;
    }
    json_t *attrs = json_pack("{s:{s:s,s:s},s:{s:s,s:s},s:{s:s,s:s}}", "RequestID", "DataType", "String",
                              "StringValue", "", "ErrorCode", "DataType", "String", "StringValue", "",
                              "ErrorMessage", "DataType", "String", "StringValue", why);
    char id[37];
    rn_uuid(id);
    json_object_set_new(json_object_get(attrs, "RequestID"), "StringValue", json_string(id));
    json_object_set_new(json_object_get(attrs, "ErrorCode"), "StringValue", json_string("200"));
    rn_message_t m = {.body = body, .len = len, .attrs = attrs};
    size_t n = strlen(dlq);
    if (n > 5 && !strcmp(dlq + n - 5, ".fifo")) {
        m.group_id = "dlq";
        m.dedup_id = id;
    }
    char msg[512];
    int rc = rn_sinks_deliver(s->sinks, dlq, &m, msg, sizeof msg);
    if (rc < 0)
        RN_WARN("sns: dead-letter queue %s of %s: %s", dlq, sub->arn, msg);
    json_decref(attrs);
    json_decref(o);
}

/* ---- HTTP ---- */

static void http_send(sns_t *s, dlv_t *d);

/* After a failed attempt: the next retry, or giving up. */
static void failed(sns_t *s, dlv_t *d, int server_side, const char *why)
{
    sns_sub_t *sub = rn_smap_get(&s->subs, d->sub_arn);
    if (!sub) {
        done(s, d);
        return;
    }
    policy_t p = policy_of(sub);
    int wait = server_side ? delay_before(&p, d->tries) : -1;
    if (wait < 0) {
        dead_letter(s, sub, d->body, d->len, why);
        done(s, d);
        return;
    }
    d->due = rn_now_ms() + (int64_t)wait * 1000;
    keep(s, d);
    wait_for(s->retry, d);
}

static void on_answer(void *ud, int status, const char *body, size_t len, const char *err)
{
    (void)body;
    (void)len;
    dlv_t *d = ud;
    sns_t *s = d->s;
    d->inflight = 0;
    if (status >= 200 && status < 300) {
        sns_sub_t *sub = rn_smap_get(&s->subs, d->sub_arn);
        if (sub)
            sub->topic->n_delivered++;
        s->delivered++;
        done(s, d);
        return;
    }
    char why[300];
    if (status < 0)
        snprintf(why, sizeof why, "%s", err ? err : "no response");
    else
        snprintf(why, sizeof why, "HTTP status %d", status);
    failed(s, d, status < 0 || status >= 500 || status == 429, why);
}

static int http_post(sns_t *s, const sns_sub_t *sub, const char *type, const char *msg_id, const char *body,
                     size_t len, rn_hclient_cb cb, void *ud)
{
    if (!s->http && !(s->http = rn_hclient_new(s->loop)))
        return RN_ERR_NOMEM;
    char headers[2048];
    snprintf(headers, sizeof headers,
             "Content-Type: text/plain; charset=UTF-8\r\n"
             "User-Agent: Amazon Simple Notification Service Agent\r\n"
             "x-amz-sns-message-type: %s\r\n"
             "x-amz-sns-message-id: %s\r\n"
             "x-amz-sns-topic-arn: %s\r\n"
             "%s%s%s%s",
             type, msg_id, sub->topic->arn, strcmp(type, "Notification") ? "" : "x-amz-sns-subscription-arn: ",
             strcmp(type, "Notification") ? "" : sub->arn, strcmp(type, "Notification") ? "" : "\r\n",
             sub->raw ? "x-amz-sns-rawdelivery: true\r\n" : "");
    return rn_hclient_request(s->http, "POST", sub->endpoint, headers, body, len, HTTP_TIMEOUT_MS, cb, ud);
}

static void http_send(sns_t *s, dlv_t *d)
{
    sns_sub_t *sub = rn_smap_get(&s->subs, d->sub_arn);
    if (!sub) {
        done(s, d);
        return;
    }
    d->tries++;
    d->inflight = 1;
    if (http_post(s, sub, "Notification", d->msg_id, d->body, d->len, on_answer, d) < 0) {
        d->inflight = 0;
        failed(s, d, 1, "the request could not be started");
    }
}

static void on_timer(uv_timer_t *t)
{
    sns_retry_run_due(((struct sns_retry *)t->data)->s);
}

size_t sns_retry_waiting(const sns_t *s)
{
    size_t n = 0;
    for (const dlv_t *d = s->retry ? s->retry->waiting : NULL; d; d = d->next)
        n++;
    return n;
}

size_t sns_retry_inflight(const sns_t *s)
{
    return s->retry ? s->retry->all.len - sns_retry_waiting(s) : 0;
}

int64_t sns_retry_next_due(sns_t *s)
{
    return s->retry && s->retry->waiting ? s->retry->waiting->due : INT64_MAX;
}

void sns_retry_run_due(sns_t *s)
{
    struct sns_retry *r = s->retry;
    if (!r)
        return;
    int64_t now = rn_now_ms();
    while (r->waiting && r->waiting->due <= now) {
        dlv_t *d = r->waiting;
        r->waiting = d->next;
        d->next = NULL;
        http_send(s, d);
    }
    if (s->retry)
        arm(s->retry);
}

int sns_retry_load(sns_t *s, const char *id, const char *value)
{
    struct sns_retry *r = retry_of(s);
    json_t *o = json_loads(value, 0, NULL);
    const char *sub = rn_param_str(o, "sub"), *body = rn_param_str(o, "body"), *msg = rn_param_str(o, "msg");
    int rc = 0;
    if (r && sub && body && msg) {
        dlv_t *d = rn_calloc(1, sizeof *d);
        if (!d || !(d->sub_arn = rn_strdup(sub)) || !(d->body = rn_strdup(body)) || !(d->msg_id = rn_strdup(msg)) ||
            rn_smap_put(&r->all, id, d) < 0) {
            dlv_free(d);
            rc = RN_ERR_NOMEM;
        } else {
            snprintf(d->id, sizeof d->id, "%s", id);
            d->s = s;
            d->len = json_string_length(json_object_get(o, "body"));
            d->tries = (int)json_integer_value(json_object_get(o, "tries"));
            d->due = json_integer_value(json_object_get(o, "due"));
            d->first = json_integer_value(json_object_get(o, "first"));
            wait_for(r, d); /* (armed once the loop runs; in flight at the crash: due already) */
        }
    } else if (!r) {
        rc = RN_ERR_NOMEM;
    }
    json_decref(o);
    return rc;
}

void sns_retry_drop_sub(sns_t *s, const char *sub_arn)
{
    struct sns_retry *r = s->retry;
    if (!r)
        return;
    size_t i = 0;
    const char *k;
    void *v;
    while (rn_smap_next(&r->all, &i, &k, &v)) {
        dlv_t *d = v;
        if (!d->inflight && !strcmp(d->sub_arn, sub_arn))
            done(s, d); /* (a delete leaves a tombstone: the walk goes on) */
    }
}

/* Starts an HTTP(S) delivery, kept in the store until it ends. */
static void http_deliver(sns_t *s, sns_sub_t *sub, const sns_msg_t *m, char *body, size_t len)
{
    struct sns_retry *r = retry_of(s);
    dlv_t *d = r ? rn_calloc(1, sizeof *d) : NULL;
    if (!d || !(d->sub_arn = rn_strdup(sub->arn)) || !(d->msg_id = rn_strdup(m->id))) {
        dlv_free(d);
        rn_free(body);
        return;
    }
    rn_uuid(d->id);
    d->s = s;
    d->body = body;
    d->len = len;
    d->first = m->time_ms;
    if (rn_smap_put(&r->all, d->id, d) < 0) {
        dlv_free(d);
        return;
    }
    keep(s, d);
    http_send(s, d);
}

/* ---- confirmations ---- */

static void on_confirmation(void *ud, int status, const char *body, size_t len, const char *err)
{
    (void)ud;
    (void)body;
    (void)len;
    if (status < 200 || status >= 300)
        RN_INFO("sns: subscription confirmation request failed: %s", status < 0 ? err : "HTTP error status");
}

/* Hands a mail to SES's sink, which captures it (GET /_runnel/ses). */
static void send_mail(sns_t *s, sns_sub_t *sub, char *mime, size_t len)
{
    char arn[200], why[300];
    snprintf(arn, sizeof arn, "arn:aws:ses:%s:%s:identity/no-reply@sns.amazonaws.com", s->cfg->region,
             s->cfg->account_id);
    rn_message_t m = {.body = mime, .len = len, .id = "SNS"};
    if (!mime || rn_sinks_deliver(s->sinks, arn, &m, why, sizeof why) < 0)
        RN_INFO("sns: mail to %s (%s) was not captured", sub->endpoint, sub->arn);
    else if (sub->confirmed) {
        s->delivered++;
        sub->topic->n_delivered++;
    }
    rn_free(mime);
}

static void confirmation(sns_t *s, sns_sub_t *sub, const char *type)
{
    if (!strncmp(sub->protocol, "email", 5)) {
        size_t len = 0;
        if (!strcmp(type, "SubscriptionConfirmation")) {
            char *mime = sns_email_confirmation(s, sub, &len);
            send_mail(s, sub, mime, len);
        }
        return;
    }
    if (strncmp(sub->protocol, "http", 4) != 0)
        return;
    size_t len;
    char *body = sns_confirmation(s, sub, type, &len);
    char id[37];
    rn_uuid(id);
    if (body && http_post(s, sub, type, id, body, len, on_confirmation, NULL) < 0)
        RN_INFO("sns: could not send the %s to %s", type, sub->endpoint);
    rn_free(body);
}

void sns_send_confirmation(sns_t *s, sns_sub_t *sub)
{
    confirmation(s, sub, "SubscriptionConfirmation");
}

void sns_send_unsubscribe_confirmation(sns_t *s, sns_sub_t *sub)
{
    confirmation(s, sub, "UnsubscribeConfirmation");
}

/* ---- fan-out ---- */

/* The text sub gets: MessageStructure json's entry for its protocol, else
 * its default; else the message. */
static const char *text_for(const sns_sub_t *sub, const sns_msg_t *m)
{
    if (!m->structure)
        return m->message;
    const char *t = json_string_value(json_object_get(m->structure, sub->protocol));
    return t ? t : json_string_value(json_object_get(m->structure, "default"));
}

/* Through the sink registry: client-side failures are not retried. */
static void sink_deliver(sns_t *s, sns_sub_t *sub, const sns_msg_t *m, char *body, size_t len)
{
    rn_message_t msg = {.body = body, .len = len, .id = m->id};
    if (!strcmp(sub->protocol, "sqs")) {
        size_t n = strlen(sub->endpoint);
        int fifo_queue = n > 5 && !strcmp(sub->endpoint + n - 5, ".fifo");
        if (fifo_queue || !sub->topic->fifo)
            msg.group_id = m->group_id; /* (a standard queue takes it as its fair-queue group) */
        if (fifo_queue)
            msg.dedup_id = m->dedup_id;
        if (sub->raw)
            msg.attrs = m->attrs;
    }
    char why[512];
    int rc = rn_sinks_deliver(s->sinks, sub->endpoint, &msg, why, sizeof why);
    if (rc == 0) {
        s->delivered++;
        sub->topic->n_delivered++;
    } else
        dead_letter(s, sub, body, len, why);
    rn_free(body);
}

void sns_fanout(sns_t *s, sns_topic_t *t, const sns_msg_t *m)
{
    for (size_t i = 0; i < t->nsubs; i++) {
        sns_sub_t *sub = t->subs[i];
        if (!sub->confirmed)
            continue;
        const char *text = text_for(sub, m);
        if (sub->filter && !sns_filter_match(sub->filter, m->attrs, text, strlen(text))) {
            t->n_filtered++;
            continue;
        }
        size_t len = 0;
        char *body;
        if (!strcmp(sub->protocol, "sqs")) {
            if ((body = sns_envelope(s, sub, m, text, &len)))
                sink_deliver(s, sub, m, body, len);
        } else if (!strcmp(sub->protocol, "lambda")) {
            if ((body = sns_lambda_event(s, sub, m, text, &len)))
                sink_deliver(s, sub, m, body, len);
        } else if (!strncmp(sub->protocol, "http", 4)) {
            if ((body = sns_envelope(s, sub, m, text, &len)))
                http_deliver(s, sub, m, body, len);
        } else if (!strncmp(sub->protocol, "email", 5)) {
            body = sns_email(s, sub, m, text, &len);
            send_mail(s, sub, body, len);
        } else {
            RN_DEBUG("sns: %s deliveries are not made by Runnel (%s)", sub->protocol, sub->arn);
        }
    }
}
