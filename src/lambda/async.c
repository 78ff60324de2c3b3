/* SPDX-License-Identifier: MIT
 * Event (asynchronous) invokes: each is kept as lambda.async/<id> from the
 * moment it is acknowledged until it is done, so it survives kill -9. A
 * function error is retried as AWS does (MaximumRetryAttempts 0-2, default
 * 2; 1 minute before the first retry, 2 before the second) unless the event
 * is older than MaximumEventAgeInSeconds (default 6 hours). The outcome goes
 * to the function's destinations (OnSuccess, OnFailure) as AWS's invocation
 * record, and a failure also to its DeadLetterConfig target, both through
 * the sink registry (SQS queues, event buses, functions). Retries wait on the
 * one clock (core/clock.h), so a moved clock runs them.
 * Put/Get/Update/Delete/ListFunctionEventInvokeConfig(s) are here too. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/ids.h"
#include "core/json_alloc.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/params.h"
#include "lambda/lambda_int.h"

#define DEFAULT_RETRIES 2
#define DEFAULT_MAX_AGE_S 21600

static void persist(lambda_t *L, const lambda_inv_t *inv)
{
    json_t *rec = json_pack("{s:s,s:s,s:s%,s:i,s:I,s:I}", "fn", inv->fn->name, "arn", inv->arn, "payload",
                            inv->payload, inv->len, "attempts", inv->attempts, "first", (json_int_t)inv->first_ms,
                            "due", (json_int_t)inv->due_ms);
    if (rec && inv->client_context)
        json_object_set_new(rec, "cc", json_string(inv->client_context));
    char *s = rec ? json_dumps(rec, JSON_COMPACT) : NULL;
    json_decref(rec);
    if (s)
        rn_store_kv_put(L->env.store, "lambda.async", inv->id, s);
    rn_json_free(s);
}

int lambda_async_keep(lambda_t *L, lambda_fn_t *fn, lambda_inv_t *inv)
{
    inv->async = 1;
    inv->fn = fn;
    inv->first_ms = rn_now_ms();
    lambda_tally_of(fn)->async_received++;
    persist(L, inv);
    lambda_enqueue(fn, inv);
    lambda_dispatch(fn);
    return 0;
}

/* ---- retries ---- */

static void arm(lambda_t *L);

static void on_retry_timer(uv_timer_t *t)
{
    lambda_async_run_due(t->data);
}

static void arm(lambda_t *L)
{
    if (!L->delayed) {
        uv_timer_stop(&L->retry_timer);
        return;
    }
    int64_t wait = L->delayed->due_ms - rn_now_ms();
    uv_timer_start(&L->retry_timer, on_retry_timer, wait > 0 ? (uint64_t)wait : 0, 0);
}

static void delay(lambda_t *L, lambda_inv_t *inv)
{
    lambda_inv_t **pp = &L->delayed;
    while (*pp && (*pp)->due_ms <= inv->due_ms)
        pp = &(*pp)->next;
    inv->next = *pp;
    *pp = inv;
    arm(L);
}

int64_t lambda_async_next_due(lambda_t *L)
{
    return L->delayed ? L->delayed->due_ms : INT64_MAX;
}

void lambda_async_run_due(lambda_t *L)
{
    int64_t now = rn_now_ms();
    while (L->delayed && L->delayed->due_ms <= now) {
        lambda_inv_t *inv = L->delayed;
        L->delayed = inv->next;
        inv->next = NULL;
        lambda_enqueue(inv->fn, inv);
        lambda_dispatch(inv->fn);
    }
    arm(L);
}

void lambda_async_forget(lambda_fn_t *fn)
{
    lambda_t *L = fn->L;
    for (lambda_inv_t **pp = &L->delayed; *pp;) {
        lambda_inv_t *inv = *pp;
        if (inv->fn == fn || inv->fn->latest == fn) {
            *pp = inv->next;
            rn_store_kv_delete(L->env.store, "lambda.async", inv->id);
            lambda_inv_free(inv);
        } else {
            pp = &inv->next;
        }
    }
    arm(L);
}

void lambda_async_drop(lambda_t *L)
{
    while (L->delayed) {
        lambda_inv_t *inv = L->delayed;
        L->delayed = inv->next;
        lambda_inv_free(inv);
    }
    uv_timer_stop(&L->retry_timer);
}

/* ---- outcomes ---- */

/* The event invoke config of fn's qualifier ($LATEST's own, or a version's
 * kept on its $LATEST); NULL when none. */
static json_t *eic_of(const lambda_fn_t *fn)
{
    return fn->latest ? json_object_get(fn->latest->veic, fn->version) : fn->eic;
}

static void eic_set(lambda_fn_t *fn, json_t *eic)
{
    if (fn->latest) {
        if (!fn->latest->veic)
            fn->latest->veic = json_object();
        if (eic)
            json_object_set_new(fn->latest->veic, fn->version, eic);
        else
            json_object_del(fn->latest->veic, fn->version);
    } else {
        json_decref(fn->eic);
        fn->eic = eic;
    }
    lambda_fn_persist(fn->latest ? fn->latest : fn);
}

static int eic_int(const lambda_fn_t *fn, const char *member, int dflt)
{
    json_t *v = json_object_get(eic_of(fn), member);
    return json_is_integer(v) ? (int)json_integer_value(v) : dflt;
}

static const char *destination(const lambda_fn_t *fn, const char *which)
{
    return json_string_value(
        json_object_get(json_object_get(json_object_get(eic_of(fn), "DestinationConfig"), which), "Destination"));
}

static void send_to(lambda_t *L, const char *arn, const char *body, size_t len, const json_t *attrs)
{
    rn_message_t m = {body, len, NULL, NULL, attrs, NULL, 0};
    char msg[512];
    if (rn_sinks_deliver(L->env.sinks, arn, &m, msg, sizeof msg) < 0)
        RN_WARN("lambda: delivery to %s failed: %s", arn, msg);
}

/* AWS's invocation record for a destination. */
static void to_destination(lambda_inv_t *inv, const char *arn, const char *condition, const char *payload,
                           size_t len, const char *function_error)
{
    lambda_t *L = inv->fn->L;
    char ts[40];
    lambda_time_text(rn_now_ms(), "Z", ts, sizeof ts);
    char fn_arn[340]; /* the invoked ARN, with the version when it named none */
    snprintf(fn_arn, sizeof fn_arn, "%s", inv->arn);
    int colons = 0;
    for (const char *p = fn_arn; *p; p++)
        colons += *p == ':';
    if (colons == 6)
        snprintf(fn_arn + strlen(fn_arn), sizeof fn_arn - strlen(fn_arn), ":%s", inv->fn->version);
    json_t *req = json_loadb(inv->payload, inv->len, JSON_DECODE_ANY, NULL);
    json_t *resp = len ? json_loadb(payload, len, JSON_DECODE_ANY, NULL) : NULL;
    json_t *rec = json_pack("{s:s,s:s,s:{s:s,s:s,s:s,s:i},s:o,s:{s:i,s:s}}", "version", "1.0", "timestamp", ts,
                            "requestContext", "requestId", inv->id, "functionArn", fn_arn, "condition", condition,
                            "approximateInvokeCount", inv->attempts, "requestPayload", req ? req : json_null(),
                            "responseContext", "statusCode", 200, "executedVersion", inv->fn->version);
    if (function_error)
        json_object_set_new(json_object_get(rec, "responseContext"), "functionError", json_string(function_error));
    if (resp)
        json_object_set_new(rec, "responsePayload", resp);
    char *s = rec ? json_dumps(rec, JSON_COMPACT) : NULL;
    json_decref(rec);
    if (s)
        send_to(L, arn, s, strlen(s), NULL);
    rn_json_free(s);
}

int lambda_async_done(lambda_inv_t *inv, const char *payload, size_t len, const char *function_error)
{
    lambda_fn_t *fn = inv->fn;
    lambda_t *L = fn->L;
    inv->attempts++;
    inv->inst = NULL;
    int64_t now = rn_now_ms();
    int max_retries = eic_int(fn, "MaximumRetryAttempts", DEFAULT_RETRIES);
    int64_t max_age_ms = (int64_t)eic_int(fn, "MaximumEventAgeInSeconds", DEFAULT_MAX_AGE_S) * 1000;
    if (function_error && !fn->deleted && inv->attempts <= max_retries) {
        int64_t due = now + (inv->attempts == 1 ? 60000 : 120000);
        if (due - inv->first_ms <= max_age_ms) {
            inv->due_ms = due;
            persist(L, inv);
            delay(L, inv);
            return 1;
        }
    }
    rn_store_kv_delete(L->env.store, "lambda.async", inv->id);
    if (!function_error) {
        const char *ok = destination(fn, "OnSuccess");
        if (ok)
            to_destination(inv, ok, "Success", payload, len, NULL);
        return 0;
    }
    lambda_tally_of(fn)->async_dropped++; /* AWS counts it dropped even when a destination or DLQ takes it */
    const char *condition = inv->attempts <= max_retries ? "EventAgeExceeded" : "RetriesExhausted";
    const char *fail = destination(fn, "OnFailure");
    if (fail)
        to_destination(inv, fail, condition, payload, len, function_error);
    const char *dlq = json_string_value(json_object_get(json_object_get(fn->cfg, "DeadLetterConfig"), "TargetArn"));
    if (dlq) {
        /* the event itself, with AWS's attributes saying why */
        json_t *err = len ? json_loadb(payload, len, 0, NULL) : NULL;
        const char *emsg = json_string_value(json_object_get(err, "errorMessage"));
        json_t *attrs = json_pack("{s:{s:s,s:s},s:{s:s,s:s},s:{s:s,s:s}}", "RequestID", "DataType", "String",
                                  "StringValue", inv->id, "ErrorCode", "DataType", "Number", "StringValue", "200",
                                  "ErrorMessage", "DataType", "String", "StringValue", emsg ? emsg : function_error);
        send_to(L, dlq, inv->payload, inv->len, attrs);
        json_decref(attrs);
        json_decref(err);
    }
    return 0;
}

/* ---- restart ---- */

static int load_async(void *ud, const char *key, const char *value)
{
    lambda_t *L = ud;
    json_t *rec = json_loads(value, 0, NULL);
    const char *arn = json_string_value(json_object_get(rec, "arn"));
    rn_call_t scratch = {0};
    lambda_fn_t *fn = NULL;
    if (arn && *arn)
        fn = lambda_resolve(L, &scratch, arn, NULL, 1, NULL, 0);
    else if (rec)
        fn = rn_smap_get(&L->fns, json_string_value(json_object_get(rec, "fn")) ?: "");
    rn_call_clear_msg(&scratch);
    json_t *pv = json_object_get(rec, "payload");
    lambda_inv_t *inv = fn ? rn_calloc(1, sizeof *inv) : NULL;
    if (!inv || !(inv->payload = rn_strndup(json_string_value(pv) ?: "", json_string_length(pv)))) {
        rn_free(inv);
        json_decref(rec);
        rn_store_kv_delete(L->env.store, "lambda.async", key);
        return 0;
    }
    inv->len = json_string_length(pv);
    const char *cc = json_string_value(json_object_get(rec, "cc"));
    inv->client_context = cc ? rn_strdup(cc) : NULL;
    snprintf(inv->id, sizeof inv->id, "%s", key);
    snprintf(inv->arn, sizeof inv->arn, "%s", arn ? arn : "");
    inv->async = 1;
    inv->fn = fn;
    inv->attempts = (int)json_integer_value(json_object_get(rec, "attempts"));
    inv->first_ms = json_integer_value(json_object_get(rec, "first"));
    inv->due_ms = json_integer_value(json_object_get(rec, "due"));
    if (!inv->first_ms)
        inv->first_ms = rn_now_ms();
    json_decref(rec);
    if (inv->attempts && inv->due_ms > rn_now_ms())
        delay(L, inv);
    else
        lambda_enqueue(fn, inv);
    return 0;
}

static void dispatch_all(lambda_fn_t *fn)
{
    lambda_dispatch(fn);
    size_t i = 0;
    const char *k;
    void *v;
    while (rn_smap_next(&fn->versions, &i, &k, &v))
        lambda_dispatch(v);
}

void lambda_resume_async(lambda_t *L)
{
    rn_store_kv_scan(L->env.store, "lambda.async", NULL, NULL, load_async, L);
    size_t i = 0;
    const char *k;
    void *v;
    while (rn_smap_next(&L->fns, &i, &k, &v))
        dispatch_all(v);
}

/* ---- event invoke configuration ---- */

static int check_eic(rn_call_t *c)
{
    json_t *r = json_object_get(c->in, "MaximumRetryAttempts");
    if (r && (!json_is_integer(r) || json_integer_value(r) < 0 || json_integer_value(r) > 2))
        return rn_call_fail(c, LAMBDA_ERR_VALIDATION,
                            "1 validation error detected: Value '%lld' at 'maximumRetryAttempts' failed to satisfy "
                            "constraint: Member must have value %s",
                            (long long)json_integer_value(r),
                            json_integer_value(r) < 0 ? "greater than or equal to 0" : "less than or equal to 2");
    json_t *a = json_object_get(c->in, "MaximumEventAgeInSeconds");
    if (a && (!json_is_integer(a) || json_integer_value(a) < 60 || json_integer_value(a) > 21600))
        return rn_call_fail(c, LAMBDA_ERR_VALIDATION,
                            "1 validation error detected: Value '%lld' at 'maximumEventAgeInSeconds' failed to "
                            "satisfy constraint: Member must have value %s",
                            (long long)json_integer_value(a), json_integer_value(a) < 60
                                                                  ? "greater than or equal to 60"
                                                                  : "less than or equal to 21600");
    const char *which[] = {"OnSuccess", "OnFailure"};
    for (int i = 0; i < 2; i++) {
        const char *d = json_string_value(json_object_get(
            json_object_get(json_object_get(c->in, "DestinationConfig"), which[i]), "Destination"));
        if (d && strncmp(d, "arn:aws:sqs:", 12) && strncmp(d, "arn:aws:sns:", 12) &&
            strncmp(d, "arn:aws:lambda:", 15) && strncmp(d, "arn:aws:events:", 15))
            return rn_call_fail(c, LAMBDA_ERR_INVALID_PARAMETER,
                                "The provided destination config DestinationConfig(onSuccess=%s, onFailure=%s) is "
                                "invalid.",
                                i == 0 ? d : "null", i == 1 ? d : "null");
    }
    return 0;
}

static json_t *eic_view(const lambda_fn_t *fn, const json_t *eic)
{
    char arn[320];
    lambda_fn_arn(fn->L, fn->name, arn, sizeof arn);
    size_t n = strlen(arn);
    snprintf(arn + n, sizeof arn - n, ":%s", fn->version);
    json_t *o = json_deep_copy(eic);
    json_object_set_new(o, "FunctionArn", json_string(arn));
    if (!json_object_get(o, "DestinationConfig"))
        json_object_set_new(o, "DestinationConfig", json_pack("{s:{},s:{}}", "OnSuccess", "OnFailure"));
    return o;
}

int lambda_eic_call(lambda_t *L, rn_call_t *c)
{
    char invoked[320];
    lambda_fn_t *fn = lambda_resolve(L, c, rn_param_str(c->in, "FunctionName"), rn_param_str(c->in, "Qualifier"), 1,
                                     invoked, sizeof invoked);
    if (!fn)
        return c->err;
    if (!strcmp(c->op, "ListFunctionEventInvokeConfigs")) {
        lambda_fn_t *base = fn->latest ? fn->latest : fn;
        json_t *list = json_array();
        if (base->eic)
            json_array_append_new(list, eic_view(base, base->eic));
        size_t i = 0;
        const char *k;
        void *v;
        while (rn_smap_next(&base->versions, &i, &k, &v))
            if (eic_of(v))
                json_array_append_new(list, eic_view(v, eic_of(v)));
        c->out = json_pack("{s:o}", "FunctionEventInvokeConfigs", list);
        return 0;
    }
    char arn[320];
    lambda_fn_arn(L, fn->name, arn, sizeof arn);
    json_t *cur = eic_of(fn);
    if (!strcmp(c->op, "GetFunctionEventInvokeConfig") || !strcmp(c->op, "DeleteFunctionEventInvokeConfig") ||
        (!strcmp(c->op, "UpdateFunctionEventInvokeConfig") && !cur)) {
        if (!cur)
            return rn_call_fail(c, LAMBDA_ERR_NOT_FOUND, "The function %s:%s doesn't have an EventInvokeConfig", arn,
                                fn->version);
        if (!strcmp(c->op, "GetFunctionEventInvokeConfig")) {
            c->out = eic_view(fn, cur);
            return 0;
        }
        eic_set(fn, NULL);
        c->out = json_object();
        return 0;
    }
    if (check_eic(c) < 0)
        return c->err;
    /* Put replaces the whole configuration; Update changes what it names */
    json_t *eic = !strcmp(c->op, "PutFunctionEventInvokeConfig") || !cur ? json_object() : json_deep_copy(cur);
    static const char *const members[] = {"MaximumRetryAttempts", "MaximumEventAgeInSeconds", "DestinationConfig",
                                          NULL};
    for (int i = 0; members[i]; i++) {
        json_t *v = json_object_get(c->in, members[i]);
        if (v && !json_is_null(v))
            json_object_set(eic, members[i], v);
    }
    json_object_set_new(eic, "LastModified", json_real((double)rn_now_ms() / 1000.0));
    eic_set(fn, eic);
    c->out = eic_view(fn, eic);
    return 0;
}
