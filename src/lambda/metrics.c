/* SPDX-License-Identifier: MIT
 * Lambda's own metrics, named and counted as AWS/Lambda publishes them per
 * function (dimension FunctionName, its versions and aliases included):
 * the running totals invocations keep on the function's $LATEST, and the
 * instances busy now (ConcurrentExecutions, also for the whole account,
 * without a dimension). */
#include "lambda/lambda_int.h"

#define NS "AWS/Lambda"

lambda_tally_t *lambda_tally_of(lambda_fn_t *fn)
{
    return &(fn->latest ? fn->latest : fn)->tally;
}

/* Instances of one $LATEST or version running an invocation now. */
static int busy_of(const lambda_fn_t *fn)
{
    int n = 0;
    for (const lambda_inst_t *in = fn->insts; in; in = in->next)
        n += in->state == INST_BUSY && in->inv;
    return n;
}

static int busy_with_versions(const lambda_fn_t *fn)
{
    int n = busy_of(fn);
    size_t i = 0;
    const char *k;
    void *v;
    while (rn_smap_next(&fn->versions, &i, &k, &v))
        n += busy_of(v);
    return n;
}

static void emit_one(rn_metric_fn emit, void *ud, const char *fname, const char *name, const char *unit, int kind,
                     double value, double samples, const char *help)
{
    rn_metric_t m = {NS, name, fname ? "FunctionName" : NULL, fname, unit, kind, value, samples, help};
    emit(ud, &m);
}

void lambda_metrics(lambda_t *L, rn_metric_fn emit, void *ud)
{
    int all_busy = 0;
    size_t i = 0;
    const char *name;
    void *v;
    while (rn_smap_next(&L->fns, &i, &name, &v)) {
        const lambda_fn_t *fn = v;
        const lambda_tally_t *t = &fn->tally;
        int busy = busy_with_versions(fn);
        all_busy += busy;
        emit_one(emit, ud, name, "Invocations", "Count", RN_METRIC_COUNTER, (double)t->invocations, 0,
                 "Runs of the function's code, function errors included (throttled requests not).");
        emit_one(emit, ud, name, "Errors", "Count", RN_METRIC_COUNTER, (double)t->errors, 0,
                 "Invocations that ended in a function error.");
        emit_one(emit, ud, name, "Throttles", "Count", RN_METRIC_COUNTER, (double)t->throttles, 0,
                 "Invoke requests refused for want of concurrency.");
        emit_one(emit, ud, name, "Duration", "Milliseconds", RN_METRIC_COUNTER, t->duration_ms, (double)t->timed,
                 "Time the function's code spent on its invocations.");
        emit_one(emit, ud, name, "ConcurrentExecutions", "Count", RN_METRIC_GAUGE, busy, 0,
                 "Instances of the function processing an event now.");
        emit_one(emit, ud, name, "AsyncEventsReceived", "Count", RN_METRIC_COUNTER, (double)t->async_received, 0,
                 "Asynchronous invocations accepted into the function's queue.");
        emit_one(emit, ud, name, "AsyncEventsDropped", "Count", RN_METRIC_COUNTER, (double)t->async_dropped, 0,
                 "Asynchronous invocations given up after their retries or their maximum age.");
    }
    emit_one(emit, ud, NULL, "ConcurrentExecutions", "Count", RN_METRIC_GAUGE, all_busy, 0,
             "Instances of every function processing an event now.");
}
