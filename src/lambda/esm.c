/* SPDX-License-Identifier: MIT
 * SQS event source mappings. Each enabled mapping runs pollers (up to its
 * ScalingConfig.MaximumConcurrency, 5 by default) that receive from the
 * queue through SQS's own ReceiveMessage, called as another service
 * (rn_sinks_call), long-polling 20 s so an idle queue costs nothing: the
 * queue wakes the poller when a message arrives. A batch (records in AWS's
 * "aws:sqs" shape) that the FilterCriteria drop is deleted; the rest invoke
 * the function synchronously. Success deletes the batch; a function error
 * deletes nothing, so the messages come back after the visibility timeout
 * and the queue's redrive policy moves them to its DLQ; with
 * ReportBatchItemFailures only the failed items stay (on a FIFO queue, the
 * first failed item and everything after it). Mappings are kept as
 * lambda.esm/<UUID>. */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/ids.h"
#include "core/json_alloc.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/params.h"
#include "lambda/lambda_int.h"
#include "pattern/pattern.h"

#define MAX_POLLERS 1000
#define RETRY_MS 5000

typedef struct poller poller_t;

struct lambda_esm {
    lambda_t *L;
    char uuid[37];
    json_t *cfg;             /* EventSourceMappingConfiguration as Get returns it */
    char fn_name[65];
    char queue_url[600];
    char queue_arn[300];
    char account[16], region[64];
    int fifo;
    int stream;              /* a DynamoDB stream (else an SQS queue) */
    char stream_arn[700];
    ev_pattern_t **filters;  /* FilterCriteria, compiled */
    size_t nfilters;
    poller_t *pollers;       /* the running ones */
    int alive;               /* pollers not yet freed (stopped ones finish their batch) */
    int deleted;             /* freed when the last poller is */
};

struct poller {
    lambda_esm_t *e;
    rn_call_t *recv;  /* a receive (or a stream read) in flight */
    char iterator[900]; /* streams: where the next GetRecords reads, "" when it must be asked for */
    int attempts;       /* streams: failed invokes of the batch at the checkpoint */
    json_t *records;  /* the batch being invoked */
    int invoking;
    uv_timer_t timer; /* the next poll (after an error, or at once) */
    int stopped;
    poller_t *next;
};

static void esm_free(lambda_esm_t *e);
static void poller_retire(poller_t *p);
static void persist(lambda_esm_t *e);

/* ---- calls to SQS ---- */

static rn_call_t *svc_call(const char *service, const lambda_esm_t *e, const char *op, json_t *in, rn_call_fn done,
                           void *ud)
{
    rn_call_t *c = rn_calloc(1, sizeof *c);
    if (!c) {
        json_decref(in);
        return NULL;
    }
    c->service = service;
    snprintf(c->op, sizeof c->op, "%s", op);
    c->in = in;
    snprintf(c->account, sizeof c->account, "%s", e->account);
    snprintf(c->region, sizeof c->region, "%s", e->region);
    const char *ep = e->L->env.runtime ? e->L->env.runtime->endpoint : "";
    snprintf(c->endpoint, sizeof c->endpoint, "%.279s", ep);
    rn_uuid(c->request_id);
    c->done = done;
    c->owner = ud;
    return c;
}

static rn_call_t *sqs_call(const lambda_esm_t *e, const char *op, json_t *in, rn_call_fn done, void *ud)
{
    return svc_call("sqs", e, op, in, done, ud);
}

static void call_free(rn_call_t *c)
{
    if (!c)
        return;
    json_decref(c->in);
    json_decref(c->out);
    rn_call_clear_msg(c);
    rn_free(c);
}

static void deleted_cb(rn_call_t *c)
{
    call_free(c);
}

/* Deletes records (an array of record objects) from the queue, ten at a time. */
static void delete_records(lambda_esm_t *e, json_t *records, size_t from, size_t to)
{
    for (size_t i = from; i < to;) {
        json_t *entries = json_array();
        for (size_t n = 0; n < 10 && i < to; n++, i++) {
            char id[16];
            snprintf(id, sizeof id, "m%zu", n);
            json_array_append_new(entries, json_pack("{s:s,s:O}", "Id", id, "ReceiptHandle",
                                                     json_object_get(json_array_get(records, i), "receiptHandle")));
        }
        rn_call_t *c = sqs_call(e, "DeleteMessageBatch",
                                json_pack("{s:s,s:o}", "QueueUrl", e->queue_url, "Entries", entries), deleted_cb, e);
        if (c && rn_sinks_call(e->L->env.sinks, c) != RN_PENDING)
            call_free(c);
    }
}

/* ---- records ---- */

static json_t *message_attributes(const json_t *attrs)
{
    json_t *o = json_object();
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)attrs, k, v)
    {
        json_t *a = json_pack("{s:[],s:[],s:O?}", "stringListValues", "binaryListValues", "dataType",
                              json_object_get(v, "DataType"));
        if (json_object_get(v, "StringValue"))
            json_object_set(a, "stringValue", json_object_get(v, "StringValue"));
        if (json_object_get(v, "BinaryValue"))
            json_object_set(a, "binaryValue", json_object_get(v, "BinaryValue"));
        json_object_set_new(o, k, a);
    }
    return o;
}

static json_t *record_of(const lambda_esm_t *e, const json_t *m)
{
    json_t *r = json_pack("{s:O,s:O,s:O,s:O,s:o,s:O,s:s,s:s,s:s}", "messageId", json_object_get(m, "MessageId"),
                          "receiptHandle", json_object_get(m, "ReceiptHandle"), "body", json_object_get(m, "Body"),
                          "attributes", json_object_get(m, "Attributes") ? json_object_get(m, "Attributes")
                                                                          : json_object(),
                          "messageAttributes", message_attributes(json_object_get(m, "MessageAttributes")),
                          "md5OfBody", json_object_get(m, "MD5OfBody"), "eventSource", "aws:sqs", "eventSourceARN",
                          e->queue_arn, "awsRegion", e->region);
    if (r && json_object_get(m, "MD5OfMessageAttributes"))
        json_object_set(r, "md5OfMessageAttributes", json_object_get(m, "MD5OfMessageAttributes"));
    return r;
}

/* Whether a record passes the mapping's filters: each pattern sees the
 * record with its body as JSON when the body is JSON. */
static int passes(const lambda_esm_t *e, const json_t *rec)
{
    if (!e->nfilters)
        return 1;
    json_t *doc = json_deep_copy(rec);
    const char *body = json_string_value(json_object_get(rec, "body"));
    json_t *parsed = body ? json_loads(body, JSON_DECODE_ANY, NULL) : NULL;
    if (json_is_object(parsed))
        json_object_set(doc, "body", parsed);
    json_decref(parsed);
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    int ok = 0;
    for (size_t i = 0; text && i < e->nfilters && !ok; i++)
        ok = ev_pattern_match(e->filters[i], text, strlen(text));
    rn_json_free(text);
    return ok;
}

/* ---- polling ---- */

static void poll_now(poller_t *p);

static void on_timer(uv_timer_t *t)
{
    poll_now(t->data);
}

static void poll_later(poller_t *p, uint64_t ms)
{
    if (!p->stopped)
        uv_timer_start(&p->timer, on_timer, ms, 0);
}

static void on_invoked(void *ud, const char *payload, size_t len, const char *function_error)
{
    poller_t *p = ud;
    lambda_esm_t *e = p->e;
    json_t *records = p->records;
    p->records = NULL;
    p->invoking = 0;
    size_t n = json_array_size(records);
    RN_DEBUG("lambda esm %s: batch of %zu %s%s", e->uuid, n, function_error ? "failed: " : "done",
             function_error ? payload : "");
    if (!function_error) { /* a success is deleted even when the poller has stopped meanwhile */
        json_t *failures = NULL;
        json_t *types = json_object_get(e->cfg, "FunctionResponseTypes");
        int report = 0;
        size_t i;
        json_t *v;
        json_array_foreach(types, i, v) report |= !strcmp(json_string_value(v) ? json_string_value(v) : "",
                                                          "ReportBatchItemFailures");
        json_t *resp = report && len ? json_loadb(payload, len, JSON_DECODE_ANY, NULL) : NULL;
        if (json_is_object(resp))
            failures = json_object_get(resp, "batchItemFailures");
        int unknown = 0; /* an itemIdentifier naming no record fails the whole batch, as on AWS */
        json_array_foreach(failures, i, v)
        {
            const char *fid = json_string_value(json_object_get(v, "itemIdentifier"));
            int found = 0;
            for (size_t r = 0; fid && *fid && r < n; r++)
                found |= !strcmp(fid, json_string_value(json_object_get(json_array_get(records, r), "messageId")) ?: "");
            unknown |= !found;
        }
        if (unknown) {
            /* nothing deleted: the batch comes back */
        } else if (json_array_size(failures)) {
            /* delete what did not fail; on FIFO stop at the first failure */
            json_t *keep = json_array();
            size_t first_failed = n;
            for (i = 0; i < n; i++) {
                const char *id = json_string_value(json_object_get(json_array_get(records, i), "messageId"));
                int failed = 0;
                size_t j;
                json_t *f;
                json_array_foreach(failures, j, f)
                {
                    const char *fid = json_string_value(json_object_get(f, "itemIdentifier"));
                    failed |= fid && id && !strcmp(fid, id);
                }
                if (failed && first_failed == n)
                    first_failed = i;
                if (!failed && !(e->fifo && first_failed < n))
                    json_array_append(keep, json_array_get(records, i));
            }
            delete_records(e, keep, 0, json_array_size(keep));
            json_decref(keep);
        } else {
            delete_records(e, records, 0, n);
        }
        json_decref(resp);
    }
    json_decref(records);
    if (p->stopped)
        poller_retire(p);
    else
        poll_later(p, 0);
}

static void on_received(rn_call_t *c)
{
    poller_t *p = c->owner;
    lambda_esm_t *e = p->e;
    p->recv = NULL;
    if (p->stopped) {
        call_free(c);
        return;
    }
    if (c->err) {
        RN_DEBUG("lambda esm %s: ReceiveMessage: %s", e->uuid, rn_call_msg(c));
        call_free(c);
        poll_later(p, RETRY_MS);
        return;
    }
    json_t *msgs = json_object_get(c->out, "Messages");
    lambda_fn_t *fn = rn_smap_get(&e->L->fns, e->fn_name);
    if (!json_array_size(msgs) || !fn) {
        call_free(c);
        poll_later(p, fn ? 0 : RETRY_MS);
        return;
    }
    json_t *records = json_array(), *dropped = json_array();
    size_t i;
    json_t *m;
    json_array_foreach(msgs, i, m)
    {
        json_t *r = record_of(e, m);
        json_array_append_new(passes(e, r) ? records : dropped, r);
    }
    call_free(c);
    delete_records(e, dropped, 0, json_array_size(dropped)); /* filtered out: deleted, as AWS does */
    json_decref(dropped);
    if (!json_array_size(records)) {
        json_decref(records);
        poll_later(p, 0);
        return;
    }
    RN_DEBUG("lambda esm %s: %zu records to %s", e->uuid, json_array_size(records), e->fn_name);
    json_t *event = json_pack("{s:O}", "Records", records);
    char *text = json_dumps(event, JSON_COMPACT);
    json_decref(event);
    char *payload = text ? rn_strdup(text) : NULL;
    rn_json_free(text);
    if (!payload) {
        json_decref(records);
        poll_later(p, RETRY_MS);
        return;
    }
    p->records = records;
    p->invoking = 1;
    lambda_invoke_internal(fn, payload, strlen(payload), on_invoked, p);
}

static void stream_poll(poller_t *p);

static void poll_now(poller_t *p)
{
    lambda_esm_t *e = p->e;
    if (p->stopped || p->recv || p->invoking)
        return;
    if (e->stream) {
        stream_poll(p);
        return;
    }
    if (!rn_smap_get(&e->L->fns, e->fn_name)) { /* no function: leave the messages alone */
        poll_later(p, RETRY_MS);
        return;
    }
    json_t *bs = json_object_get(e->cfg, "BatchSize");
    int max = bs ? (int)json_integer_value(bs) : 10;
    json_t *in = json_pack("{s:s,s:i,s:i,s:[s],s:[s],s:[s]}", "QueueUrl", e->queue_url, "MaxNumberOfMessages",
                           max > 10 ? 10 : max, "WaitTimeSeconds", 20, "AttributeNames", "All",
                           "MessageSystemAttributeNames", "All", "MessageAttributeNames", "All");
    rn_call_t *c = sqs_call(e, "ReceiveMessage", in, on_received, p);
    if (!c) {
        poll_later(p, RETRY_MS);
        return;
    }
    p->recv = c;
    int rc = rn_sinks_call(e->L->env.sinks, c);
    RN_DEBUG("lambda esm %s: receive %s", e->uuid, rc == RN_PENDING ? "parked" : "answered");
    if (rc != RN_PENDING)
        on_received(c);
}

/* ---- DynamoDB streams ----
 * One poller reads the stream's one shard with GetRecords (DynamoDB Streams'
 * own API, called as another service) from the mapping's checkpoint: the
 * sequence number of the last record processed, kept with the mapping. A
 * batch that fails is retried from the checkpoint (halved each time with
 * BisectBatchOnFunctionError) until MaximumRetryAttempts; then its
 * description goes to the OnFailure destination and the checkpoint moves
 * past it. An idle stream is read 10 times a second. */

#define STREAM_IDLE_MS 100

static const char *checkpoint(const lambda_esm_t *e)
{
    return json_string_value(json_object_get(e->cfg, "_checkpoint"));
}

static void stream_reset(poller_t *p)
{
    p->iterator[0] = '\0';
}

/* A stream call is over: a stopped poller is retired, else it polls again after ms. */
static void next_poll(poller_t *p, uint64_t ms)
{
    if (p->stopped)
        poller_retire(p);
    else
        poll_later(p, ms);
}

static void on_stream_iterator(rn_call_t *c)
{
    poller_t *p = c->owner;
    p->recv = NULL;
    const char *it = c->err ? NULL : json_string_value(json_object_get(c->out, "ShardIterator"));
    if (it && !p->stopped)
        snprintf(p->iterator, sizeof p->iterator, "%s", it);
    if (!it && !p->stopped)
        RN_DEBUG("lambda esm %s: GetShardIterator: %s", p->e->uuid, c->err ? rn_call_msg(c) : "no iterator");
    call_free(c);
    next_poll(p, it ? 0 : RETRY_MS);
}

static void on_stream_description(rn_call_t *c)
{
    poller_t *p = c->owner;
    lambda_esm_t *e = p->e;
    p->recv = NULL;
    json_t *shards = json_object_get(json_object_get(c->out, "StreamDescription"), "Shards");
    const char *shard = c->err ? NULL : json_string_value(json_object_get(json_array_get(shards, 0), "ShardId"));
    if (!shard || p->stopped) {
        call_free(c);
        next_poll(p, RETRY_MS);
        return;
    }
    const char *cp = checkpoint(e);
    const char *start = json_string_value(json_object_get(e->cfg, "StartingPosition"));
    json_t *in = json_pack("{s:s,s:s,s:s}", "StreamArn", e->stream_arn, "ShardId", shard, "ShardIteratorType",
                           cp ? "AFTER_SEQUENCE_NUMBER" : start && !strcmp(start, "LATEST") ? "LATEST" : "TRIM_HORIZON");
    if (cp)
        json_object_set_new(in, "SequenceNumber", json_string(cp));
    call_free(c);
    rn_call_t *n = svc_call("dynamodb", e, "GetShardIterator", in, on_stream_iterator, p);
    if (!n) {
        poll_later(p, RETRY_MS);
        return;
    }
    p->recv = n;
    if (rn_sinks_call(e->L->env.sinks, n) != RN_PENDING)
        on_stream_iterator(n);
}

/* The batch's description for an OnFailure destination, as AWS writes it. */
static void stream_failed(lambda_esm_t *e, json_t *records, int attempts, const char *function_error)
{
    const char *dest = json_string_value(json_object_get(
        json_object_get(json_object_get(e->cfg, "DestinationConfig"), "OnFailure"), "Destination"));
    if (!dest || !*dest)
        return;
    size_t n = json_array_size(records);
    json_t *first = json_object_get(json_array_get(records, 0), "dynamodb");
    json_t *last = json_object_get(json_array_get(records, n - 1), "dynamodb");
    char ts[40], rid[37];
    lambda_time_text(rn_now_ms(), "Z", ts, sizeof ts);
    rn_uuid(rid);
    json_t *body = json_pack("{s:{s:s,s:O,s:s,s:i},s:{s:i,s:s,s:s},s:s,s:s,s:{s:s,s:O,s:O,s:i,s:s}}", "requestContext",
                             "requestId", rid, "functionArn", json_object_get(e->cfg, "FunctionArn"), "condition",
                             "RetryAttemptsExhausted", "approximateInvokeCount", attempts, "responseContext",
                             "statusCode", 200, "executedVersion", "$LATEST", "functionError",
                             function_error ? function_error : "Unhandled", "version", "1.0", "timestamp", ts,
                             "DDBStreamBatchInfo", "shardId", "shardId-0", "startSequenceNumber",
                             json_object_get(first, "SequenceNumber"), "endSequenceNumber",
                             json_object_get(last, "SequenceNumber"), "batchSize", (int)n, "streamArn", e->stream_arn);
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    if (text) {
        rn_message_t m = {text, strlen(text), NULL, NULL, NULL, NULL, 0, NULL, 0};
        char msg[512];
        if (rn_sinks_deliver(e->L->env.sinks, dest, &m, msg, sizeof msg) < 0)
            RN_WARN("lambda esm %s: OnFailure delivery to %s failed: %s", e->uuid, dest, msg);
    }
    rn_json_free(text);
}

static void stream_advance(lambda_esm_t *e, json_t *records)
{
    json_t *last = json_object_get(json_array_get(records, json_array_size(records) - 1), "dynamodb");
    json_object_set(e->cfg, "_checkpoint", json_object_get(last, "SequenceNumber"));
    persist(e);
}

static void on_stream_invoked(void *ud, const char *payload, size_t len, const char *function_error)
{
    (void)len;
    poller_t *p = ud;
    lambda_esm_t *e = p->e;
    json_t *records = p->records;
    p->records = NULL;
    p->invoking = 0;
    if (!function_error) {
        stream_advance(e, records);
        p->attempts = 0;
    } else {
        p->attempts++;
        json_t *mra = json_object_get(e->cfg, "MaximumRetryAttempts");
        int max = mra ? (int)json_integer_value(mra) : -1;
        RN_DEBUG("lambda esm %s: stream batch of %zu failed (attempt %d): %.200s", e->uuid, json_array_size(records),
                 p->attempts, payload ? payload : "");
        if (max >= 0 && p->attempts > max) {
            stream_failed(e, records, p->attempts, function_error);
            stream_advance(e, records);
            p->attempts = 0;
        }
        stream_reset(p); /* read again from the checkpoint */
    }
    json_decref(records);
    next_poll(p, function_error ? 1000 : 0);
}

static void on_stream_records(rn_call_t *c)
{
    poller_t *p = c->owner;
    lambda_esm_t *e = p->e;
    p->recv = NULL;
    if (p->stopped || c->err) {
        if (c->err)
            stream_reset(p);
        call_free(c);
        next_poll(p, RETRY_MS);
        return;
    }
    const char *next = json_string_value(json_object_get(c->out, "NextShardIterator"));
    json_t *recs = json_object_get(c->out, "Records");
    lambda_fn_t *fn = rn_smap_get(&e->L->fns, e->fn_name);
    size_t n = json_array_size(recs);
    if (!n || !fn) {
        if (next)
            snprintf(p->iterator, sizeof p->iterator, "%s", next);
        call_free(c);
        poll_later(p, fn ? STREAM_IDLE_MS : RETRY_MS);
        return;
    }
    /* bisecting: a failed batch is retried in halves */
    size_t take = n;
    if (p->attempts && json_is_true(json_object_get(e->cfg, "BisectBatchOnFunctionError")))
        for (int a = 0; a < p->attempts && take > 1; a++)
            take = (take + 1) / 2;
    json_t *records = json_array(), *all = json_array();
    for (size_t i = 0; i < take; i++) {
        json_t *r = json_deep_copy(json_array_get(recs, i));
        json_object_set_new(r, "eventSourceARN", json_string(e->stream_arn));
        json_array_append(all, r);
        if (passes(e, r))
            json_array_append(records, r);
        json_decref(r);
    }
    if (take == n && next)
        snprintf(p->iterator, sizeof p->iterator, "%s", next);
    else
        stream_reset(p); /* the rest is read again after the checkpoint moves */
    call_free(c);
    if (!json_array_size(records)) { /* all filtered out: processed */
        stream_advance(e, all);
        json_decref(all);
        json_decref(records);
        poll_later(p, 0);
        return;
    }
    json_t *event = json_pack("{s:O}", "Records", records);
    char *text = json_dumps(event, JSON_COMPACT);
    json_decref(event);
    char *payload = text ? rn_strdup(text) : NULL;
    rn_json_free(text);
    json_decref(records);
    if (!payload) {
        json_decref(all);
        stream_reset(p);
        poll_later(p, RETRY_MS);
        return;
    }
    p->records = all; /* the checkpoint moves past every record taken, filtered or not */
    p->invoking = 1;
    lambda_invoke_internal(fn, payload, strlen(payload), on_stream_invoked, p);
}

static void stream_poll(poller_t *p)
{
    lambda_esm_t *e = p->e;
    if (!rn_smap_get(&e->L->fns, e->fn_name)) {
        poll_later(p, RETRY_MS);
        return;
    }
    rn_call_t *c;
    if (!p->iterator[0])
        c = svc_call("dynamodb", e, "DescribeStream", json_pack("{s:s}", "StreamArn", e->stream_arn),
                     on_stream_description, p);
    else {
        json_t *bs = json_object_get(e->cfg, "BatchSize");
        int max = bs ? (int)json_integer_value(bs) : 100;
        c = svc_call("dynamodb", e, "GetRecords",
                     json_pack("{s:s,s:i}", "ShardIterator", p->iterator, "Limit", max > 1000 ? 1000 : max),
                     on_stream_records, p);
    }
    if (!c) {
        poll_later(p, RETRY_MS);
        return;
    }
    p->recv = c;
    if (rn_sinks_call(e->L->env.sinks, c) != RN_PENDING)
        c->done(c);
}

static void poller_closed(uv_handle_t *h)
{
    poller_t *p = h->data;
    lambda_esm_t *e = p->e;
    rn_free(p);
    if (--e->alive == 0 && e->deleted)
        esm_free(e);
}

/* Frees a stopped poller once nothing of it is in flight. */
static void poller_retire(poller_t *p)
{
    if (p->invoking)
        return; /* on_invoked retires it */
    uv_timer_stop(&p->timer);
    uv_close((uv_handle_t *)&p->timer, poller_closed);
}

static void stop_pollers(lambda_esm_t *e)
{
    poller_t *p = e->pollers;
    e->pollers = NULL;
    while (p) {
        poller_t *next = p->next;
        p->stopped = 1;
        if (p->recv) {
            rn_call_t *c = p->recv;
            p->recv = NULL;
            if (c->cancel)
                c->cancel(c);
            call_free(c);
        }
        poller_retire(p);
        p = next;
    }
}

static int enabled(const lambda_esm_t *e)
{
    return !strcmp(json_string_value(json_object_get(e->cfg, "State")) ?: "", "Enabled");
}

static void start_pollers(lambda_esm_t *e)
{
    stop_pollers(e);
    if (!enabled(e) || e->deleted)
        return;
    json_t *sc = json_object_get(json_object_get(e->cfg, "ScalingConfig"), "MaximumConcurrency");
    int n = sc ? (int)json_integer_value(sc) : 5;
    if (n < 1 || n > MAX_POLLERS)
        n = 5;
    if (e->stream)
        n = 1; /* one shard, read in order */
    for (int i = 0; i < n; i++) {
        poller_t *p = rn_calloc(1, sizeof *p);
        if (!p)
            break;
        p->e = e;
        uv_timer_init(e->L->env.loop, &p->timer);
        p->timer.data = p;
        p->next = e->pollers;
        e->pollers = p;
        e->alive++;
        poll_later(p, 0);
    }
}

/* ---- the mappings ---- */

static void free_filters(lambda_esm_t *e)
{
    for (size_t i = 0; i < e->nfilters; i++)
        ev_pattern_free(e->filters[i]);
    rn_free(e->filters);
    e->filters = NULL;
    e->nfilters = 0;
}

static void esm_free(lambda_esm_t *e)
{
    free_filters(e);
    json_decref(e->cfg);
    rn_free(e);
}

/* Compiles FilterCriteria.Filters[].Pattern; 0, or an error on the call. */
static int set_filters(lambda_esm_t *e, rn_call_t *c, const json_t *fc)
{
    json_t *filters = json_object_get(fc, "Filters");
    size_t n = json_array_size(filters);
    ev_pattern_t **ps = n ? rn_calloc(n, sizeof *ps) : NULL;
    if (n && !ps)
        return RN_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        const char *pat = json_string_value(json_object_get(json_array_get(filters, i), "Pattern"));
        char msg[512];
        if (!pat || ev_pattern_compile(pat, strlen(pat), &ps[i], msg, sizeof msg) < 0) {
            for (size_t j = 0; j < i; j++)
                ev_pattern_free(ps[j]);
            rn_free(ps);
            return rn_call_fail(c, LAMBDA_ERR_INVALID_PARAMETER, "Invalid filter pattern definition.");
        }
    }
    free_filters(e);
    e->filters = ps;
    e->nfilters = n;
    return 0;
}

/* "arn:aws:sqs:REGION:ACCOUNT:NAME" into the mapping's queue fields, or
 * "arn:aws:dynamodb:REGION:ACCOUNT:table/NAME/stream/LABEL" into its stream's. */
static int set_queue(lambda_esm_t *e, const char *arn)
{
    char region[64], account[16], name[81], table[300];
    if (arn && sscanf(arn, "arn:aws:dynamodb:%63[^:]:%15[^:]:table/%255[^/]/stream/%80s", region, account, table,
                      name) == 4) {
        e->stream = 1;
        snprintf(e->stream_arn, sizeof e->stream_arn, "%s", arn);
        snprintf(e->queue_arn, sizeof e->queue_arn, "%.299s", arn);
        snprintf(e->region, sizeof e->region, "%s", region);
        snprintf(e->account, sizeof e->account, "%s", account);
        return 0;
    }
    if (!arn || sscanf(arn, "arn:aws:sqs:%63[^:]:%15[^:]:%80s", region, account, name) != 3)
        return -1;
    snprintf(e->queue_arn, sizeof e->queue_arn, "%s", arn);
    snprintf(e->region, sizeof e->region, "%s", region);
    snprintf(e->account, sizeof e->account, "%s", account);
    const char *ep = e->L->env.runtime && e->L->env.runtime->endpoint[0] ? e->L->env.runtime->endpoint
                                                                          : "http://localhost";
    snprintf(e->queue_url, sizeof e->queue_url, "%s/%s/%s", ep, account, name);
    size_t nl = strlen(name);
    e->fifo = nl > 5 && !strcmp(name + nl - 5, ".fifo");
    return 0;
}

static void persist(lambda_esm_t *e)
{
    char *s = json_dumps(e->cfg, JSON_COMPACT);
    if (s)
        rn_store_kv_put(e->L->env.store, "lambda.esm", e->uuid, s);
    rn_json_free(s);
}

static json_t *reply_as(const lambda_esm_t *e, const char *state)
{
    json_t *o = json_deep_copy(e->cfg);
    json_object_del(o, "_checkpoint"); /* ours: where the stream was read up to */
    if (state)
        json_object_set_new(o, "State", json_string(state));
    return o;
}

/* The checks Create and Update share, on the merged configuration. */
static int check(lambda_esm_t *e, rn_call_t *c, const json_t *cfg)
{
    json_int_t bs = json_integer_value(json_object_get(cfg, "BatchSize"));
    json_int_t win = json_integer_value(json_object_get(cfg, "MaximumBatchingWindowInSeconds"));
    json_t *mra = json_object_get(cfg, "MaximumRetryAttempts");
    if (mra && (json_integer_value(mra) < -1 || json_integer_value(mra) > 10000))
        return rn_call_fail(c, LAMBDA_ERR_VALIDATION,
                            "1 validation error detected: Value '%lld' at 'maximumRetryAttempts' failed to satisfy "
                            "constraint: Member must have value %s",
                            (long long)json_integer_value(mra), json_integer_value(mra) < -1
                                                                    ? "greater than or equal to -1"
                                                                    : "less than or equal to 10000");
    if (bs < 1 || bs > (e->fifo ? 10 : 10000))
        return rn_call_fail(c, LAMBDA_ERR_INVALID_PARAMETER, e->fifo ? "Batch size must be between 1 and 10 for "
                                                                       "FIFO queues."
                                                                     : "Batch size must be between 1 and 10000.");
    if (!e->stream && bs > 10 && win < 1)
        return rn_call_fail(c, LAMBDA_ERR_INVALID_PARAMETER, "Maximum batch window in seconds must be greater "
                                                             "than 0 if maximum batch size is greater than 10");
    if (win < 0 || win > 300)
        return rn_call_fail(c, LAMBDA_ERR_INVALID_PARAMETER, "MaximumBatchingWindowInSeconds must be between 0 "
                                                             "and 300.");
    json_t *mc = json_object_get(json_object_get(cfg, "ScalingConfig"), "MaximumConcurrency");
    if (mc && (json_integer_value(mc) < 2 || json_integer_value(mc) > 1000))
        return rn_call_fail(c, LAMBDA_ERR_VALIDATION,
                            "1 validation error detected: Value '%lld' at 'scalingConfig.maximumConcurrency' failed "
                            "to satisfy constraint: Member must have value %s",
                            (long long)json_integer_value(mc), json_integer_value(mc) < 2
                                                                   ? "greater than or equal to 2"
                                                                   : "less than or equal to 1000");
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(cfg, "FunctionResponseTypes"), i, v)
    {
        if (strcmp(json_string_value(v) ?: "", "ReportBatchItemFailures"))
            return rn_call_fail(c, LAMBDA_ERR_VALIDATION,
                                "1 validation error detected: Value '[%s]' at 'functionResponseTypes' failed to "
                                "satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value "
                                "set: [ReportBatchItemFailures]]",
                                json_string_value(v) ?: "");
    }
    return 0;
}

/* Copies the members a request may set into cfg. */
static void apply(json_t *cfg, const json_t *in)
{
    static const char *const members[] = {"BatchSize", "MaximumBatchingWindowInSeconds", "FilterCriteria",
                                          "FunctionResponseTypes", "ScalingConfig", "MaximumRetryAttempts",
                                          "BisectBatchOnFunctionError", "DestinationConfig",
                                          "MaximumRecordAgeInSeconds", NULL};
    for (int i = 0; members[i]; i++) {
        json_t *v = json_object_get(in, members[i]);
        if (v && !json_is_null(v))
            json_object_set(cfg, members[i], v);
    }
    json_t *en = json_object_get(in, "Enabled");
    if (json_is_boolean(en))
        json_object_set_new(cfg, "State", json_string(json_is_true(en) ? "Enabled" : "Disabled"));
    json_object_set_new(cfg, "LastModified", json_real((double)rn_now_ms() / 1000.0));
}

static lambda_esm_t *esm_new(lambda_t *L)
{
    lambda_esm_t *e = rn_calloc(1, sizeof *e);
    if (e)
        e->L = L;
    return e;
}

/* AWS refuses a queue whose visibility timeout is shorter than the
 * function's timeout (a message would come back while still being worked
 * on). A queue that cannot be read is left to the pollers. 0, or the call's
 * error. */
static int check_visibility(lambda_esm_t *e, rn_call_t *c, const lambda_fn_t *fn)
{
    rn_call_t q = {0};
    q.service = "sqs";
    snprintf(q.op, sizeof q.op, "GetQueueAttributes");
    snprintf(q.account, sizeof q.account, "%s", e->account);
    snprintf(q.region, sizeof q.region, "%s", e->region);
    q.in = json_pack("{s:s,s:[s]}", "QueueUrl", e->queue_url, "AttributeNames", "VisibilityTimeout");
    int rc = rn_sinks_call(e->L->env.sinks, &q);
    const char *vt = rc == 0 && !q.err ? json_string_value(json_object_get(json_object_get(q.out, "Attributes"),
                                                                          "VisibilityTimeout"))
                                       : NULL;
    long visibility = vt ? strtol(vt, NULL, 10) : -1;
    json_t *t = json_object_get(fn->cfg, "Timeout");
    long timeout = json_is_integer(t) ? (long)json_integer_value(t) : 3;
    json_decref(q.in);
    json_decref(q.out);
    rn_call_clear_msg(&q);
    if (visibility < 0 || visibility >= timeout)
        return 0;
    return rn_call_fail(c, LAMBDA_ERR_INVALID_PARAMETER,
                        "Queue visibility timeout: %ld seconds is less than Function timeout: %ld seconds", visibility,
                        timeout);
}

static int create(lambda_t *L, rn_call_t *c)
{
    lambda_fn_t *fn = lambda_find_qualified(L, c, rn_param_str(c->in, "FunctionName"), NULL);
    if (!fn)
        return c->err;
    const char *arn = rn_param_str(c->in, "EventSourceArn");
    lambda_esm_t *e = esm_new(L);
    if (!e)
        return RN_ERR_NOMEM;
    if (set_queue(e, arn) < 0) {
        esm_free(e);
        return rn_call_fail(c, LAMBDA_ERR_INVALID_PARAMETER,
                            "Unrecognized event source, must be an SQS queue ARN (arn:aws:sqs:REGION:ACCOUNT:NAME) "
                            "or a DynamoDB stream ARN.");
    }
    const char *start = rn_param_str(c->in, "StartingPosition");
    if (e->stream && (!start || (strcmp(start, "TRIM_HORIZON") && strcmp(start, "LATEST")))) {
        esm_free(e);
        return rn_call_fail(c, LAMBDA_ERR_INVALID_PARAMETER,
                            start ? "Unsupported starting position for DynamoDB streams: %s (TRIM_HORIZON or LATEST)"
                                  : "StartingPosition is required for DynamoDB stream event sources.",
                            start ? start : "");
    }
    size_t i = 0;
    const char *k;
    void *v;
    while (rn_smap_next(&L->esms, &i, &k, &v)) {
        lambda_esm_t *o = v;
        if (!strcmp(o->queue_arn, e->queue_arn) && !strcmp(o->fn_name, fn->name)) {
            esm_free(e);
            return rn_call_fail(c, LAMBDA_ERR_CONFLICT,
                                "An event source mapping with SQS arn (\" %s \") and function (\" %s \") already "
                                "exists. Please update or delete the existing mapping with UUID %s",
                                arn, fn->name, o->uuid);
        }
    }
    if (!e->stream && check_visibility(e, c, fn) < 0) {
        esm_free(e);
        return c->err;
    }
    rn_uuid(e->uuid);
    snprintf(e->fn_name, sizeof e->fn_name, "%s", fn->name);
    char fn_arn[300], esm_arn[300];
    lambda_fn_arn(L, fn->name, fn_arn, sizeof fn_arn);
    snprintf(esm_arn, sizeof esm_arn, "arn:aws:lambda:%s:%s:event-source-mapping:%s", L->env.cfg->region,
             L->env.cfg->account_id, e->uuid);
    e->cfg = json_pack("{s:s,s:i,s:i,s:s,s:s,s:s,s:s,s:[],s:s}", "UUID", e->uuid, "BatchSize", 10,
                       "MaximumBatchingWindowInSeconds", 0, "EventSourceArn", arn, "FunctionArn", fn_arn, "State",
                       "Enabled", "StateTransitionReason", "USER_INITIATED", "FunctionResponseTypes",
                       "EventSourceMappingArn", esm_arn);
    if (e->stream) { /* a stream's defaults, as AWS reports them */
        json_object_set_new(e->cfg, "BatchSize", json_integer(100));
        json_object_set_new(e->cfg, "StartingPosition", json_string(start));
        json_object_set_new(e->cfg, "MaximumRetryAttempts", json_integer(-1));
        json_object_set_new(e->cfg, "MaximumRecordAgeInSeconds", json_integer(-1));
        json_object_set_new(e->cfg, "BisectBatchOnFunctionError", json_false());
        json_object_set_new(e->cfg, "ParallelizationFactor", json_integer(1));
        json_object_set_new(e->cfg, "DestinationConfig", json_pack("{s:{}}", "OnFailure"));
    }
    apply(e->cfg, c->in);
    if (check(e, c, e->cfg) < 0 || set_filters(e, c, json_object_get(e->cfg, "FilterCriteria")) < 0) {
        esm_free(e);
        return c->err ? c->err : RN_ERR_NOMEM;
    }
    if (rn_smap_put(&L->esms, e->uuid, e) < 0) {
        esm_free(e);
        return RN_ERR_NOMEM;
    }
    persist(e);
    start_pollers(e);
    c->out = reply_as(e, "Creating");
    return 0;
}

static lambda_esm_t *find(lambda_t *L, rn_call_t *c)
{
    const char *uuid = rn_param_str(c->in, "UUID");
    lambda_esm_t *e = uuid ? rn_smap_get(&L->esms, uuid) : NULL;
    if (!e)
        rn_call_fail(c, LAMBDA_ERR_NOT_FOUND, "The resource you requested does not exist.");
    return e;
}

static int update(lambda_t *L, rn_call_t *c)
{
    lambda_esm_t *e = find(L, c);
    if (!e)
        return c->err;
    json_t *cfg = json_deep_copy(e->cfg);
    apply(cfg, c->in);
    lambda_fn_t *fn = NULL;
    if (rn_param_str(c->in, "FunctionName") &&
        !(fn = lambda_find_qualified(L, c, rn_param_str(c->in, "FunctionName"), NULL))) {
        json_decref(cfg);
        return c->err;
    }
    if (check(e, c, cfg) < 0 || set_filters(e, c, json_object_get(cfg, "FilterCriteria")) < 0) {
        json_decref(cfg);
        return c->err ? c->err : RN_ERR_NOMEM;
    }
    if (fn) {
        char fn_arn[300];
        lambda_fn_arn(L, fn->name, fn_arn, sizeof fn_arn);
        json_object_set_new(cfg, "FunctionArn", json_string(fn_arn));
        snprintf(e->fn_name, sizeof e->fn_name, "%s", fn->name);
    }
    json_decref(e->cfg);
    e->cfg = cfg;
    persist(e);
    start_pollers(e);
    c->out = reply_as(e, "Updating");
    return 0;
}

static void esm_delete(lambda_esm_t *e)
{
    rn_smap_del(&e->L->esms, e->uuid);
    e->deleted = 1;
    stop_pollers(e);
    if (e->alive == 0)
        esm_free(e);
}

static int del(lambda_t *L, rn_call_t *c)
{
    lambda_esm_t *e = find(L, c);
    if (!e)
        return c->err;
    rn_store_kv_delete(L->env.store, "lambda.esm", e->uuid);
    c->out = reply_as(e, "Deleting");
    esm_delete(e);
    return 0;
}

typedef struct {
    lambda_t *L;
    const char *source;
    char fn_arn[300];
    json_t *list;
} list_ctx_t;

static int keep(void *ud, const char *uuid)
{
    list_ctx_t *x = ud;
    lambda_esm_t *e = rn_smap_get(&x->L->esms, uuid);
    if (x->source && strcmp(x->source, e->queue_arn))
        return 0;
    return !x->fn_arn[0] || !strcmp(x->fn_arn, json_string_value(json_object_get(e->cfg, "FunctionArn")) ?: "");
}

static void take(void *ud, const char *uuid)
{
    list_ctx_t *x = ud;
    lambda_esm_t *e = rn_smap_get(&x->L->esms, uuid);
    json_array_append(x->list, e->cfg);
}

static int list(lambda_t *L, rn_call_t *c)
{
    list_ctx_t x = {L, rn_param_str(c->in, "EventSourceArn"), "", NULL};
    const char *fname = rn_param_str(c->in, "FunctionName");
    if (fname) {
        lambda_fn_t *fn = lambda_find(L, c, fname, NULL);
        if (!fn)
            return c->err;
        lambda_fn_arn(L, fn->name, x.fn_arn, sizeof x.fn_arn);
    }
    json_t *mi = json_object_get(c->in, "MaxItems");
    json_int_t max = mi ? json_integer_value(mi) : 100;
    if (max < 1 || max > 10000)
        max = 100;
    x.list = json_array();
    return lambda_page(c, &L->esms, (size_t)max, "EventSourceMappings", x.list, keep, take, &x);
}

int lambda_esm_call(lambda_t *L, rn_call_t *c)
{
    if (!strcmp(c->op, "CreateEventSourceMapping"))
        return create(L, c);
    if (!strcmp(c->op, "UpdateEventSourceMapping"))
        return update(L, c);
    if (!strcmp(c->op, "DeleteEventSourceMapping"))
        return del(L, c);
    if (!strcmp(c->op, "ListEventSourceMappings"))
        return list(L, c);
    lambda_esm_t *e = find(L, c);
    if (!e)
        return c->err;
    c->out = reply_as(e, NULL);
    return 0;
}

int lambda_esm_load(lambda_t *L, const char *key, const char *value)
{
    lambda_esm_t *e = esm_new(L);
    json_t *cfg = json_loads(value, 0, NULL);
    if (!e || !cfg || set_queue(e, json_string_value(json_object_get(cfg, "EventSourceArn"))) < 0) {
        json_decref(cfg);
        rn_free(e);
        return 0;
    }
    e->cfg = cfg;
    snprintf(e->uuid, sizeof e->uuid, "%s", key);
    const char *fa = json_string_value(json_object_get(cfg, "FunctionArn"));
    const char *colon = fa ? strrchr(fa, ':') : NULL;
    snprintf(e->fn_name, sizeof e->fn_name, "%s", colon ? colon + 1 : "");
    rn_call_t scratch = {0};
    if (set_filters(e, &scratch, json_object_get(cfg, "FilterCriteria")) < 0 || rn_smap_put(&L->esms, key, e) < 0) {
        esm_free(e);
        return 0;
    }
    return 0;
}

void lambda_esm_start_all(lambda_t *L)
{
    size_t i = 0;
    const char *k;
    void *v;
    while (rn_smap_next(&L->esms, &i, &k, &v))
        start_pollers(v);
}

void lambda_esm_drop_all(lambda_t *L)
{
    size_t n;
    const char **names = rn_sorted_keys(&L->esms, &n);
    for (size_t i = 0; names && i < n; i++)
        esm_delete(rn_smap_get(&L->esms, names[i]));
    rn_free(names);
    rn_smap_free(&L->esms);
    memset(&L->esms, 0, sizeof L->esms);
}

size_t lambda_esm_count(const lambda_t *L)
{
    return L->esms.len;
}
