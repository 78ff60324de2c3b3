/* SPDX-License-Identifier: MIT
 * Delivery of one event to one target, with EventBridge's retry policy and
 * dead-letter queue. SQS queues and event buses are delivered in the same
 * loop turn (so the PutEvents reply, sent after the store barrier, covers
 * them); a failure that AWS retries is persisted as a pending delivery and
 * retried with exponential backoff and jitter until MaximumRetryAttempts or
 * MaximumEventAgeInSeconds runs out; then, or at once for errors AWS does
 * not retry, the event goes to the target's DeadLetterConfig queue with the
 * RULE_ARN, TARGET_ARN, ERROR_CODE and ERROR_MESSAGE attributes. */
#include "events/ev_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_alloc.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/ids.h"
#include "core/log.h"
#include "core/mem.h"
#include "pattern/pattern.h"

#define MAX_BUS_HOPS 4
#define BACKOFF_BASE_MS 1000
#define BACKOFF_CAP_MS (5 * 60 * 1000)

struct ev_delivery {
    ev_delivery_t *next, *prev; /* prev: only in the in-flight list */
    uint64_t id;
    char *rule_arn, *target_id;
    char *payload;
    size_t len;
    char event_id[64];
    int64_t first_ms;  /* ingestion time: the event's age counts from here */
    int attempts;      /* retries made so far */
    int64_t due_ms;
};

typedef struct {
    int retry;         /* 1 = AWS retries this error */
    char code[64];
    char message[1200];
} failure_t;

static void retry_fire(uv_timer_t *h);

static int starts(const char *s, const char *p)
{
    return strncmp(s, p, strlen(p)) == 0;
}

/* One attempt; 0 on success, -1 with f filled. */
static int attempt(ev_t *e, const ev_target_t *t, const char *payload, size_t len, const char *event_id,
                   int64_t ingest_ms, failure_t *f)
{
    const char *arn = t->arn;
    f->retry = 0;
    if (starts(arn, "arn:aws:sqs:")) {
        char msg[1024];
        /* no deduplication id: a FIFO target queue needs content-based
         * deduplication (the model's documentation of Target.SqsParameters),
         * and without it the send fails */
        rn_message_t m = {payload, len, t->group_id, NULL, NULL, event_id, 0};
        int rc = rn_sinks_deliver(e->sinks, arn, &m, msg, sizeof msg);
        if (rc == 0)
            return 0;
        if (rc == RN_ERR_NOT_FOUND) {
            snprintf(f->code, sizeof f->code, "NO_RESOURCE");
            snprintf(f->message, sizeof f->message, "Queue %s does not exist.", arn);
        } else {
            f->retry = rn_err_info(rc)->status >= 500;
            snprintf(f->code, sizeof f->code, f->retry ? "INTERNAL_ERROR" : "INVALID_PARAMETER");
            snprintf(f->message, sizeof f->message, "%s: %s", rn_err_info(rc)->code, msg);
        }
        return -1;
    }
    if (starts(arn, "arn:aws:events:") && strstr(arn, ":event-bus/") && !ev_arn_here(e, arn)) {
        /* a bus in another region or account: through its partition's sink */
        char msg[1024];
        if (t->xf && ev_json_validate(payload, len, NULL) < 0)
            return 0;
        rn_message_t m = {payload, len, NULL, NULL, NULL, event_id, e->bus_hops + 1};
        int rc = rn_sinks_deliver(e->sinks, arn, &m, msg, sizeof msg);
        if (rc == 0)
            return 0;
        if (rc == EV_ERR_LIMIT_EXCEEDED) {
            snprintf(f->code, sizeof f->code, "THIRD_REGION_HOP_DETECTED");
            snprintf(f->message, sizeof f->message, "Event exceeded the maximum number of event bus hops.");
        } else {
            snprintf(f->code, sizeof f->code, "NO_RESOURCE");
            snprintf(f->message, sizeof f->message, "Event bus %s does not exist.", arn);
        }
        return -1;
    }
    if (starts(arn, "arn:aws:events:") && strstr(arn, ":event-bus/")) {
        ev_bus_t *b = ev_bus_find(e, arn);
        if (!b) {
            snprintf(f->code, sizeof f->code, "NO_RESOURCE");
            snprintf(f->message, sizeof f->message, "Event bus %s does not exist.", arn);
            return -1;
        }
        if (e->bus_hops >= MAX_BUS_HOPS) {
            snprintf(f->code, sizeof f->code, "THIRD_REGION_HOP_DETECTED");
            snprintf(f->message, sizeof f->message, "Event exceeded the maximum number of event bus hops.");
            return -1;
        }
        /* the bus matches the envelopes it built without validating them
         * again; transformed input is checked here, and text that is not
         * JSON is routed nowhere */
        if (t->xf && ev_json_validate(payload, len, NULL) < 0)
            return 0;
        e->bus_hops++;
        ev_route(e, b, payload, len, event_id, ingest_ms, NULL, 1);
        e->bus_hops--;
        return 0;
    }
    if (starts(arn, "arn:aws:lambda:") || starts(arn, "arn:aws:sns:")) {
        /* an asynchronous invoke, acknowledged once Lambda has kept it; or a
         * publish to a topic, whose deliveries are made in this loop turn */
        char msg[1024];
        rn_message_t m = {payload, len, NULL, NULL, NULL, event_id, 0};
        int rc = rn_sinks_deliver(e->sinks, arn, &m, msg, sizeof msg);
        if (rc == 0)
            return 0;
        f->retry = rc != RN_ERR_NOT_FOUND && rn_err_info(rc)->status >= 500;
        snprintf(f->code, sizeof f->code, rc == RN_ERR_NOT_FOUND ? "NO_RESOURCE"
                                          : f->retry                ? "INTERNAL_ERROR"
                                                                    : "INVALID_PARAMETER");
        if (rc == RN_ERR_NOT_FOUND)
            snprintf(f->message, sizeof f->message, "Target %s does not exist.", arn);
        else
            snprintf(f->message, sizeof f->message, "%s", msg);
        return -1;
    }
    if (starts(arn, "arn:aws:logs:")) {
        /* a log group: the event is one log event in a stream named after it */
        char msg[1024];
        rn_message_t m = {payload, len, NULL, NULL, NULL, event_id, 0, event_id, 0};
        int rc = rn_sinks_deliver(e->sinks, arn, &m, msg, sizeof msg);
        if (rc == 0)
            return 0;
        snprintf(f->code, sizeof f->code, rc == RN_ERR_NOT_FOUND ? "NO_RESOURCE" : "INTERNAL_ERROR");
        snprintf(f->message, sizeof f->message, "%s", msg);
        f->retry = rc != RN_ERR_NOT_FOUND;
        return -1;
    }
    /* the other target services do not exist in this server (yet):
     * like a deleted resource on AWS, that is not retried. */
    snprintf(f->code, sizeof f->code, "NO_RESOURCE");
    snprintf(f->message, sizeof f->message, "Target %s does not exist.", arn);
    return -1;
}

int ev_deliver_to_bus(ev_t *e, const char *arn, const rn_message_t *m, char *msg, size_t msglen)
{
    ev_bus_t *b = ev_arn_here(e, arn) ? ev_bus_find(e, arn) : NULL;
    if (!b) {
        snprintf(msg, msglen, "Event bus %s does not exist.", arn);
        return RN_ERR_NOT_FOUND;
    }
    if (m->hops > MAX_BUS_HOPS) {
        snprintf(msg, msglen, "Event exceeded the maximum number of event bus hops.");
        return EV_ERR_LIMIT_EXCEEDED;
    }
    int saved = e->bus_hops;
    e->bus_hops = m->hops;
    ev_route(e, b, m->body, m->len, m->id ? m->id : "", rn_now_ms(), NULL, 1);
    e->bus_hops = saved;
    return 0;
}

static void attr(json_t *o, const char *k, const char *v)
{
    json_object_set_new(o, k, json_pack("{s:s,s:s}", "DataType", "String", "StringValue", v));
}

/* Gives a failed event to the target's dead-letter queue: 1 when it took
 * it, -1 when that failed too, 0 when the target has none. */
static int dead_letter(ev_t *e, const char *rule_arn, const ev_target_t *t, const char *payload, size_t len,
                       const char *event_id, const failure_t *f, int attempts, const char *exhausted)
{
    if (!t->dlq_arn) {
        RN_WARN("events: event %s to %s dropped after %s: %s", event_id, t->arn, f->code, f->message);
        return 0;
    }
    json_t *a = json_object();
    attr(a, "RULE_ARN", rule_arn);
    attr(a, "TARGET_ARN", t->arn);
    attr(a, "ERROR_CODE", f->code);
    attr(a, "ERROR_MESSAGE", f->message);
    char n[16];
    snprintf(n, sizeof n, "%d", attempts);
    attr(a, "RETRY_ATTEMPTS", n);
    if (exhausted)
        attr(a, "EXHAUSTED_RETRY_CONDITION", exhausted);
    char msg[1024];
    rn_message_t m = {payload, len, event_id, event_id, a, event_id, 0};
    int rc = rn_sinks_deliver(e->sinks, t->dlq_arn, &m, msg, sizeof msg);
    if (rc < 0)
        RN_WARN("events: event %s could not reach dead-letter queue %s: %s", event_id, t->dlq_arn, msg);
    json_decref(a);
    return rc < 0 ? -1 : 1;
}

static void delivery_persist(ev_t *e, const ev_delivery_t *d)
{
    if (!rn_store_durable(e->store))
        return;
    json_t *o = json_pack("{s:s,s:s,s:s%,s:s,s:I,s:i,s:I}", "Rule", d->rule_arn, "Target", d->target_id, "Payload",
                          d->payload, d->len, "Event", d->event_id, "First", (json_int_t)d->first_ms, "Attempts",
                          d->attempts, "Due", (json_int_t)d->due_ms);
    char *txt = o ? json_dumps(o, JSON_COMPACT) : NULL;
    char key[32];
    snprintf(key, sizeof key, "%020llu", (unsigned long long)d->id);
    if (txt)
        rn_store_kv_put(e->store, EV_NS_DELIVERY, key, txt);
    else
        RN_ERROR("events: out of memory persisting delivery %s", key);
    rn_json_free(txt);
    json_decref(o);
}

static void delivery_unpersist(ev_t *e, const ev_delivery_t *d)
{
    char key[32];
    snprintf(key, sizeof key, "%020llu", (unsigned long long)d->id);
    rn_store_kv_delete(e->store, EV_NS_DELIVERY, key);
}

static void delivery_free(ev_delivery_t *d)
{
    if (!d)
        return;
    rn_free(d->rule_arn);
    rn_free(d->target_id);
    rn_free(d->payload);
    rn_free(d);
}

static void retry_arm(ev_t *e)
{
    if (!e->retries) {
        uv_timer_stop(&e->retry_timer);
        return;
    }
    int64_t wait = e->retries->due_ms - rn_now_ms();
    uv_timer_start(&e->retry_timer, retry_fire, wait > 0 ? (uint64_t)wait : 0, 0);
}

static void retry_insert(ev_t *e, ev_delivery_t *d)
{
    ev_delivery_t **pp = &e->retries;
    while (*pp && (*pp)->due_ms <= d->due_ms)
        pp = &(*pp)->next;
    d->next = *pp;
    *pp = d;
}

static int64_t backoff_ms(int attempts)
{
    int64_t d = BACKOFF_BASE_MS;
    for (int i = 0; i < attempts && d < BACKOFF_CAP_MS; i++)
        d *= 2;
    if (d > BACKOFF_CAP_MS)
        d = BACKOFF_CAP_MS;
    return d / 2 + (int64_t)(rn_rand64() % (uint64_t)(d / 2 + 1)); /* jitter: [d/2, d] */
}

/* Finds a rule by ARN (for retries, which outlive the call that made them). */
static ev_rule_t *rule_by_arn(ev_t *e, const char *arn)
{
    const char *k;
    void *v;
    size_t i = 0;
    while (rn_smap_next(&e->buses, &i, &k, &v)) {
        ev_bus_t *b = v;
        const char *rk;
        void *rv;
        size_t j = 0;
        while (rn_smap_next(&b->rules, &j, &rk, &rv))
            if (strcmp(((ev_rule_t *)rv)->arn, arn) == 0)
                return rv;
    }
    return NULL;
}

static const ev_target_t *target_by_id(const ev_rule_t *r, const char *id)
{
    for (int i = 0; r && i < r->ntargets; i++)
        if (strcmp(r->targets[i]->id, id) == 0)
            return r->targets[i];
    return NULL;
}

/* A new delivery record (persisted before the PutEvents reply). */
static ev_delivery_t *delivery_new(ev_t *e, const char *rule_arn, const ev_target_t *t, const char *payload,
                                   size_t len, const char *event_id, int64_t first_ms)
{
    ev_delivery_t *d = rn_calloc(1, sizeof *d);
    if (!d || !(d->rule_arn = rn_strdup(rule_arn)) || !(d->target_id = rn_strdup(t->id)) ||
        !(d->payload = rn_strndup(payload, len))) {
        RN_ERROR("events: out of memory delivering %s", event_id);
        delivery_free(d);
        return NULL;
    }
    d->id = ++e->next_delivery_id;
    d->len = len;
    snprintf(d->event_id, sizeof d->event_id, "%s", event_id);
    d->first_ms = first_ms;
    return d;
}

/* Either schedules another attempt of rule r's target t or gives up into
 * the dead-letter queue. */
static void after_failure(ev_t *e, ev_rule_t *r, const ev_target_t *t, ev_delivery_t *d, const char *payload,
                          size_t len, const char *event_id, int64_t first_ms, int attempts, const failure_t *f)
{
    const char *rule_arn = r->arn;
    int64_t now = rn_now_ms();
    int64_t due = now + backoff_ms(attempts);
    const char *exhausted = !f->retry                                          ? NULL
                            : attempts >= t->max_attempts                          ? "MaximumRetryAttempts"
                            : due - first_ms > (int64_t)t->max_age_s * 1000 ? "MaximumEventAgeInSeconds"
                                                                                   : NULL;
    if (!f->retry || exhausted) {
        ev_tally_outcome(e, r, 0, dead_letter(e, rule_arn, t, payload, len, event_id, f, attempts, exhausted));
        if (d) {
            delivery_unpersist(e, d);
            delivery_free(d);
        }
        return;
    }
    if (!d && !(d = delivery_new(e, rule_arn, t, payload, len, event_id, first_ms)))
        return;
    d->attempts = attempts + 1;
    d->due_ms = due;
    delivery_persist(e, d);
    retry_insert(e, d);
    retry_arm(e);
}

static int is_http(const ev_target_t *t)
{
    return strstr(t->arn, ":api-destination/") != NULL;
}

static void sending_unlink(ev_t *e, ev_delivery_t *d)
{
    if (d->prev)
        d->prev->next = d->next;
    else
        e->sending = d->next;
    if (d->next)
        d->next->prev = d->prev;
    d->next = d->prev = NULL;
}

static void http_done(ev_t *e, void *ud, int ok, int retry, const char *code, const char *msg)
{
    ev_delivery_t *d = ud;
    sending_unlink(e, d);
    ev_rule_t *r = rule_by_arn(e, d->rule_arn);
    if (ok) {
        ev_tally_outcome(e, r, 1, 0);
        delivery_unpersist(e, d);
        delivery_free(d);
        return;
    }
    failure_t f = {.retry = retry};
    snprintf(f.code, sizeof f.code, "%s", code);
    snprintf(f.message, sizeof f.message, "%s", msg);
    const ev_target_t *t = target_by_id(r, d->target_id);
    if (!t) {
        delivery_unpersist(e, d);
        delivery_free(d);
        return;
    }
    after_failure(e, r, t, d, d->payload, d->len, d->event_id, d->first_ms, d->attempts, &f);
}

/* Starts one HTTP attempt of d (rule r's target t); d is owned by the
 * in-flight list, the retry list or freed by the time this returns. */
static void start_http(ev_t *e, ev_delivery_t *d, ev_rule_t *r, const ev_target_t *t)
{
    int64_t wait;
    failure_t f = {0};
    d->next = e->sending;
    d->prev = NULL;
    if (e->sending)
        e->sending->prev = d;
    e->sending = d;
    int rc = ev_apidest_send(e, t, d->payload, d->len, &wait, http_done, d, f.code, sizeof f.code, f.message,
                             sizeof f.message);
    if (rc == 0)
        return;
    sending_unlink(e, d);
    if (rc == 1) { /* rate limited: not an attempt, just later */
        d->due_ms = rn_now_ms() + wait;
        retry_insert(e, d);
        retry_arm(e);
        return;
    }
    after_failure(e, r, t, d, d->payload, d->len, d->event_id, d->first_ms, d->attempts, &f);
}

void ev_deliver(ev_t *e, ev_rule_t *r, const ev_target_t *t, const char *payload, size_t len,
                const char *event_id, int64_t ingest_ms)
{
    if (is_http(t)) {
        ev_delivery_t *d = delivery_new(e, r->arn, t, payload, len, event_id, ingest_ms);
        if (d) {
            d->due_ms = rn_now_ms();
            delivery_persist(e, d);
            start_http(e, d, r, t);
        }
        return;
    }
    failure_t f;
    if (attempt(e, t, payload, len, event_id, ingest_ms, &f) == 0) {
        ev_tally_outcome(e, r, 1, 0);
        return;
    }
    after_failure(e, r, t, NULL, payload, len, event_id, ingest_ms, 0, &f);
}

static void retry_fire(uv_timer_t *h)
{
    ev_retry_run(h->data);
}

int64_t ev_retry_next_due(const ev_t *e)
{
    return e->retries ? e->retries->due_ms : INT64_MAX;
}

void ev_retry_run(ev_t *e)
{
    int64_t now = rn_now_ms();
    while (e->retries && e->retries->due_ms <= now) {
        ev_delivery_t *d = e->retries;
        e->retries = d->next;
        d->next = NULL;
        ev_rule_t *r = rule_by_arn(e, d->rule_arn);
        const ev_target_t *t = target_by_id(r, d->target_id);
        if (!t) { /* rule or target removed meanwhile: nothing to deliver to */
            delivery_unpersist(e, d);
            delivery_free(d);
            continue;
        }
        if (is_http(t)) {
            start_http(e, d, r, t);
            continue;
        }
        failure_t f;
        if (attempt(e, t, d->payload, d->len, d->event_id, d->first_ms, &f) == 0) {
            ev_tally_outcome(e, r, 1, 0);
            delivery_unpersist(e, d);
            delivery_free(d);
            continue;
        }
        after_failure(e, r, t, d, d->payload, d->len, d->event_id, d->first_ms, d->attempts, &f);
    }
    retry_arm(e);
}

int ev_delivery_load(ev_t *e, const char *key, const char *value)
{
    json_error_t jerr;
    json_t *o = json_loads(value, 0, &jerr);
    const char *rule = rn_param_str(o, "Rule"), *target = rn_param_str(o, "Target"), *event = rn_param_str(o, "Event");
    json_t *payload = json_object_get(o, "Payload");
    ev_delivery_t *d = rule && target && event && json_is_string(payload) ? rn_calloc(1, sizeof *d) : NULL;
    if (!d) {
        json_decref(o);
        return 0;
    }
    d->id = strtoull(key, NULL, 10);
    if (d->id > e->next_delivery_id)
        e->next_delivery_id = d->id;
    d->rule_arn = rn_strdup(rule);
    d->target_id = rn_strdup(target);
    d->len = json_string_length(payload);
    d->payload = rn_strndup(json_string_value(payload), d->len);
    snprintf(d->event_id, sizeof d->event_id, "%s", event);
    d->first_ms = json_integer_value(json_object_get(o, "First"));
    d->attempts = (int)json_integer_value(json_object_get(o, "Attempts"));
    d->due_ms = json_integer_value(json_object_get(o, "Due"));
    json_decref(o);
    if (!d->rule_arn || !d->target_id || !d->payload) {
        delivery_free(d);
        return RN_ERR_NOMEM;
    }
    retry_insert(e, d);
    return 0;
}

void ev_deliver_init(ev_t *e)
{
    ev_apidest_init(e);
}

static void drop_all(ev_t *e)
{
    while (e->retries) {
        ev_delivery_t *d = e->retries;
        e->retries = d->next;
        delivery_free(d);
    }
    while (e->sending) { /* their requests are abandoned by ev_apidest_close */
        ev_delivery_t *d = e->sending;
        e->sending = d->next;
        delivery_free(d);
    }
    uv_timer_stop(&e->retry_timer);
}

void ev_deliver_reset(ev_t *e)
{
    ev_apidest_close(e); /* abandons requests in flight */
    drop_all(e);
    ev_apidest_init(e);
}

void ev_deliver_close(ev_t *e)
{
    ev_apidest_close(e);
    drop_all(e);
}

/* Called by ev_start(): resumes retries restored from the store. */
void ev_deliver_start(ev_t *e)
{
    retry_arm(e);
}
