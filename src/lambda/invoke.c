/* SPDX-License-Identifier: MIT
 * Invoke: RequestResponse (the caller waits for the function's result),
 * Event (async.c: kept durably, retried, sent to destinations) and DryRun. Invocations queue on their
 * function and go to idle instances; new instances start while invocations
 * wait, up to the function's reserved concurrency or the account's. The
 * result carries AWS's headers: the function error, the last 4 KB of the
 * log with LogType Tail (START, the output, END, REPORT), the version. */
#include "lambda/lambda_int.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/json_alloc.h"
#include "core/base64.h"
#include "core/clock.h"
#include "core/ids.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/params.h"

void lambda_inv_free(lambda_inv_t *inv)
{
    if (!inv)
        return;
    rn_free(inv->payload);
    rn_free(inv->client_context);
    rn_free(inv);
}

void lambda_enqueue(lambda_fn_t *fn, lambda_inv_t *inv)
{
    inv->fn = fn;
    inv->next = NULL;
    if (fn->qtail)
        fn->qtail->next = inv;
    else
        fn->qhead = inv;
    fn->qtail = inv;
    fn->qlen++;
}

/* Reserved concurrency is the function's, for its versions too. */
static int limit_of(const lambda_fn_t *fn)
{
    int reserved = fn->latest ? fn->latest->reserved : fn->reserved;
    return reserved >= 0 ? reserved : LAMBDA_ACCOUNT_CONCURRENCY;
}

static void fail_head(lambda_fn_t *fn, const char *why)
{
    lambda_inv_t *inv = fn->qhead;
    fn->qhead = inv->next;
    if (!fn->qhead)
        fn->qtail = NULL;
    fn->qlen--;
    json_t *o = json_pack("{s:s,s:s}", "errorType", "Runtime.Unavailable", "errorMessage", why);
    char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    char *p = s ? rn_strdup(s) : NULL;
    rn_json_free(s);
    lambda_inv_finish(inv, p, 0, "Unhandled");
}

/* A local code directory that changed since the instances started: they
 * are stopped, and the next invocation starts from the new files. Checked at
 * most once a second. */
static void hot_reload(lambda_fn_t *fn)
{
    int64_t now = rn_real_us() / 1000;
    if (!fn->local || now - fn->hot_checked_ms < 1000)
        return;
    fn->hot_checked_ms = now;
    char stamp[64];
    lambda_code_stamp(fn->code_dir, stamp, sizeof stamp);
    if (strcmp(stamp, fn->hot_stamp)) {
        snprintf(fn->hot_stamp, sizeof fn->hot_stamp, "%s", stamp);
        RN_INFO("lambda %s: %s changed; instances restart", fn->name, fn->code_dir);
        lambda_fn_stop_all(fn, 0);
    }
}

void lambda_dispatch(lambda_fn_t *fn)
{
    if (fn->qhead)
        hot_reload(fn);
    for (lambda_inst_t *in = fn->insts; in && fn->qhead; in = in->next) {
        if (in->state != INST_IDLE || !in->waiting || in->stale)
            continue;
        lambda_inv_t *inv = fn->qhead;
        fn->qhead = inv->next;
        if (!fn->qhead)
            fn->qtail = NULL;
        fn->qlen--;
        lambda_inst_give(in, inv);
    }
    while (fn->qhead && fn->nstarting < fn->qlen && fn->ninst < limit_of(fn) && !fn->deleted) {
        char msg[512];
        if (lambda_inst_spawn(fn, msg, sizeof msg) < 0) {
            RN_WARN("lambda %s: %s", fn->name, msg);
            fail_head(fn, msg);
        }
    }
}

/* "…\tMax Memory Used: N MB" needs the child's peak RSS, which Runnel does
 * not sample per invocation yet: it reports the instance's current RSS. */
static long rss_mb(const lambda_inst_t *in)
{
    if (!in || in->exited || in->proc.pid <= 0)
        return 0;
    char path[64], buf[256];
    snprintf(path, sizeof path, "/proc/%d/statm", in->proc.pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    long size = 0, res = 0;
    if (!fgets(buf, sizeof buf, f) || sscanf(buf, "%ld %ld", &size, &res) != 2)
        res = 0;
    fclose(f);
    return res * 4096 / (1024 * 1024);
}

void lambda_log_lines(lambda_fn_t *fn, const char *stream, const char *text, size_t len)
{
    lambda_t *L = fn->L;
    const char *group = json_string_value(json_object_get(json_object_get(fn->cfg, "LoggingConfig"), "LogGroup"));
    if (!group || !len)
        return;
    char arn[700], why[256];
    snprintf(arn, sizeof arn, "arn:aws:logs:%s:%s:log-group:%s", L->env.cfg->region, L->env.cfg->account_id, group);
    rn_message_t m = {.body = text, .len = len, .stream = stream, .lines = 1};
    if (rn_sinks_deliver(L->env.sinks, arn, &m, why, sizeof why) < 0)
        RN_DEBUG("lambda %s: log: %s", fn->name, why);
}

void lambda_inv_finish(lambda_inv_t *inv, char *payload, size_t len, const char *function_error)
{
    lambda_fn_t *fn = inv->fn;
    lambda_t *L = fn->L;
    lambda_inst_t *in = inv->inst;
    if (payload && !len)
        len = strlen(payload);
    L->invocations++;
    lambda_tally_t *tally = lambda_tally_of(fn);
    tally->invocations++;
    if (function_error)
        tally->errors++;
    char *tail = NULL;
    if (in) {
        double ms = (double)(rn_real_us() - inv->start_us) / 1000.0;
        tally->timed++;
        tally->duration_ms += ms;
        rn_buf_printf(&in->log, "END RequestId: %s\n", inv->id);
        rn_buf_printf(&in->log, "REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %lld ms\tMemory Size: %lld "
                                "MB\tMax Memory Used: %ld MB\t",
                      inv->id, ms, (long long)(ms < 1 ? 1 : (long long)(ms + 0.999)),
                      (long long)json_integer_value(json_object_get(fn->cfg, "MemorySize")), rss_mb(in));
        if (in->init_us && !in->inv_count++)
            rn_buf_printf(&in->log, "Init Duration: %.2f ms\t", (double)in->init_us / 1000.0);
        rn_buf_puts(&in->log, "\n");
        if (inv->tail && in->log.data) {
            size_t n = in->log.len, off = n > LAMBDA_LOG_TAIL ? n - LAMBDA_LOG_TAIL : 0;
            tail = rn_b64_encode(in->log.data + off, n - off);
        }
        if (!inv->detached)
            lambda_log_lines(fn, in->stream, in->log.data ? in->log.data : "", in->log.len);
    }
    if (inv->call) {
        rn_call_t *c = inv->call;
        c->cancel = NULL;
        c->svc_data = NULL;
        json_t *out = json_pack("{s:i,s:s}", "StatusCode", 200, "ExecutedVersion", fn->version);
        if (function_error)
            json_object_set_new(out, "FunctionError", json_string(function_error));
        if (tail)
            json_object_set_new(out, "LogResult", json_string(tail));
        json_t *p = payload ? json_stringn(payload, len) : json_string("");
        json_object_set_new(out, "Payload", p ? p : json_string(""));
        c->out = out;
        if (c != L->calling)
            c->done(c);
    }
    if (inv->on_done)
        inv->on_done(inv->ud, payload ? payload : "", payload ? len : 0, function_error);
    rn_free(tail);
    if (inv->async && !inv->detached && lambda_async_done(inv, payload, len, function_error)) {
        rn_free(payload);
        return; /* kept for a retry */
    }
    rn_free(payload);
    lambda_inv_free(inv);
}

static void on_cancel(rn_call_t *c)
{
    lambda_inv_t *inv = c->svc_data;
    if (inv)
        inv->call = NULL; /* the client went away; the invocation still runs */
}

int lambda_deliver(lambda_t *L, const char *arn, const rn_message_t *m, char *msg, size_t msglen)
{
    rn_call_t scratch = {0};
    snprintf(scratch.op, sizeof scratch.op, "Invoke");
    char invoked[320];
    lambda_fn_t *fn = lambda_resolve(L, &scratch, arn, NULL, 1, invoked, sizeof invoked);
    if (!fn) {
        snprintf(msg, msglen, "%s", rn_call_msg(&scratch));
        rn_call_clear_msg(&scratch);
        return RN_ERR_NOT_FOUND;
    }
    if (m->len > LAMBDA_MAX_ASYNC_PAYLOAD) {
        snprintf(msg, msglen, "%zu byte payload is too large for the Event invocation type (limit %d bytes)", m->len,
                 LAMBDA_MAX_ASYNC_PAYLOAD);
        return LAMBDA_ERR_TOO_LARGE;
    }
    lambda_inv_t *inv = rn_calloc(1, sizeof *inv);
    if (!inv || !(inv->payload = rn_strndup(m->body, m->len))) {
        rn_free(inv);
        return RN_ERR_NOMEM;
    }
    inv->len = m->len;
    snprintf(inv->arn, sizeof inv->arn, "%s", invoked);
    rn_uuid(inv->id);
    return lambda_async_keep(L, fn, inv) < 0 ? RN_ERR_NOMEM : 0;
}

static int check_payload(rn_call_t *c, const char *p, size_t len)
{
    json_error_t e;
    json_t *j = json_loadb(p, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);
    if (j) {
        json_decref(j);
        return 0;
    }
    return rn_call_fail(c, LAMBDA_ERR_BAD_CONTENT,
                        "Could not parse request body into json: Could not parse payload into json: %s\n at [line: "
                        "%d, column: %d]",
                        e.text, e.line, e.column);
}

int lambda_invoke(lambda_t *L, rn_call_t *c)
{
    char arn[320];
    lambda_fn_t *fn = lambda_resolve(L, c, rn_param_str(c->in, "FunctionName"), rn_param_str(c->in, "Qualifier"), 1,
                                     arn, sizeof arn);
    if (!fn)
        return c->err;
    const char *type = rn_param_str(c->in, "InvocationType");
    if (!type)
        type = "RequestResponse";
    int event = !strcmp(type, "Event"), dry = !strcmp(type, "DryRun");
    if (!event && !dry && strcmp(type, "RequestResponse"))
        return rn_call_fail(c, LAMBDA_ERR_VALIDATION,
                            "1 validation error detected: Value '%s' at 'invocationType' failed to satisfy "
                            "constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]",
                            type);
    json_t *pv = json_object_get(c->in, "Payload");
    const char *payload = json_string_value(pv);
    size_t len = json_string_length(pv);
    if (!payload || !len) {
        payload = "{}";
        len = 2;
    }
    if (len > LAMBDA_MAX_SYNC_PAYLOAD)
        return rn_call_fail(c, LAMBDA_ERR_TOO_LARGE,
                            "Request must be smaller than %d bytes for the InvokeFunction operation",
                            LAMBDA_MAX_SYNC_PAYLOAD);
    if (event && len > LAMBDA_MAX_ASYNC_PAYLOAD)
        return rn_call_fail(c, LAMBDA_ERR_TOO_LARGE,
                            "%zu byte payload is too large for the Event invocation type (limit %d bytes)", len,
                            LAMBDA_MAX_ASYNC_PAYLOAD);
    if (check_payload(c, payload, len) < 0)
        return c->err;
    char *cc = NULL;
    const char *cc64 = rn_param_str(c->in, "ClientContext");
    if (cc64 && *cc64) {
        unsigned char *d;
        size_t dl;
        json_t *j = NULL;
        if (strlen(cc64) > 3583 || rn_b64_decode(cc64, strlen(cc64), &d, &dl) < 0 ||
            !(j = json_loadb((char *)d, dl, 0, NULL)) || !json_is_object(j)) {
            json_decref(j);
            return rn_call_fail(c, LAMBDA_ERR_BAD_CONTENT, "Client context must be a valid Base64-encoded JSON "
                                                           "object.");
        }
        rn_free(d);
        char *compact = json_dumps(j, JSON_COMPACT); /* one line: it travels in a header */
        json_decref(j);
        cc = compact ? rn_strdup(compact) : NULL;
        rn_json_free(compact);
    }
    if (dry) {
        rn_free(cc);
        c->out = json_pack("{s:i,s:s}", "StatusCode", 204, "Payload", "");
        return 0;
    }
    if (!event && lambda_throttled(L, fn, c) < 0) {
        rn_free(cc);
        return c->err;
    }
    lambda_inv_t *inv = rn_calloc(1, sizeof *inv);
    if (!inv || !(inv->payload = rn_strndup(payload, len))) {
        rn_free(inv);
        rn_free(cc);
        return RN_ERR_NOMEM;
    }
    inv->len = len;
    inv->client_context = cc;
    snprintf(inv->arn, sizeof inv->arn, "%s", arn);
    rn_uuid(inv->id);
    snprintf(c->request_id, sizeof c->request_id, "%s", inv->id);
    const char *lt = rn_param_str(c->in, "LogType");
    inv->tail = lt && !strcmp(lt, "Tail") && !event;
    if (event) {
        if (lambda_async_keep(L, fn, inv) < 0)
            return RN_ERR_NOMEM;
        c->out = json_pack("{s:i,s:s}", "StatusCode", 202, "Payload", "");
        return 0;
    }
    inv->call = c;
    c->svc_data = inv;
    c->cancel = on_cancel;
    lambda_enqueue(fn, inv);
    L->calling = c;
    lambda_dispatch(fn);
    L->calling = NULL;
    return c->out ? 0 : RN_PENDING; /* it may have failed at once (the runtime cannot start) */
}

void lambda_invoke_internal(lambda_fn_t *fn, char *payload, size_t len,
                            void (*on_done)(void *ud, const char *payload, size_t len, const char *function_error),
                            void *ud)
{
    lambda_inv_t *inv = rn_calloc(1, sizeof *inv);
    if (!inv) {
        rn_free(payload);
        on_done(ud, "{\"errorMessage\":\"Out of memory\",\"errorType\":\"Runtime.OutOfMemory\"}", 0, "Unhandled");
        return;
    }
    inv->payload = payload;
    inv->len = len;
    inv->on_done = on_done;
    inv->ud = ud;
    rn_uuid(inv->id);
    lambda_enqueue(fn, inv);
    lambda_dispatch(fn);
}
