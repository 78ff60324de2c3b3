/* SPDX-License-Identifier: MIT
 * Reserved concurrency (Put/Get/DeleteFunctionConcurrency) and throttling:
 * a synchronous invoke that finds every instance its function may run busy
 * gets AWS's 429 TooManyRequestsException with its Reason. The account's
 * limit is 1,000 concurrent instances, of which 100 stay unreserved, as on
 * AWS. */
#include <string.h>

#include "core/params.h"
#include "lambda/lambda_int.h"

#define MIN_UNRESERVED 100

static lambda_fn_t *unqualified(lambda_t *L, rn_call_t *c)
{
    const char *name = rn_param_str(c->in, "FunctionName");
    /* "name:qualifier" or a qualified ARN names a version or an alias */
    size_t colons = 0;
    for (const char *p = name ? name : ""; *p; p++)
        colons += *p == ':';
    if (colons == 1 || colons == 3 || colons == 7) {
        rn_call_fail(c, LAMBDA_ERR_INVALID_PARAMETER,
                     "This operation is permitted on Lambda functions only. Aliases and versions do not support this "
                     "operation. Please specify either a function name or an unqualified function ARN.");
        return NULL;
    }
    return lambda_find(L, c, name, NULL);
}

static int reserved_elsewhere(const lambda_t *L, const lambda_fn_t *except)
{
    int sum = 0;
    size_t i = 0;
    const char *k;
    void *v;
    while (rn_smap_next(&L->fns, &i, &k, &v)) {
        const lambda_fn_t *fn = v;
        if (fn != except && fn->reserved > 0)
            sum += fn->reserved;
    }
    return sum;
}

int lambda_concurrency_call(lambda_t *L, rn_call_t *c)
{
    lambda_fn_t *fn = unqualified(L, c);
    if (!fn)
        return c->err;
    if (!strcmp(c->op, "GetFunctionConcurrency")) {
        c->out = fn->reserved >= 0 ? json_pack("{s:i}", "ReservedConcurrentExecutions", fn->reserved) : json_object();
        return 0;
    }
    if (!strcmp(c->op, "DeleteFunctionConcurrency")) {
        fn->reserved = -1;
        lambda_fn_persist(fn);
        c->out = json_object();
        return 0;
    }
    json_t *v = json_object_get(c->in, "ReservedConcurrentExecutions");
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return rn_call_fail(c, LAMBDA_ERR_VALIDATION,
                            "1 validation error detected: Value '%lld' at 'reservedConcurrentExecutions' failed to "
                            "satisfy constraint: Member must have value greater than or equal to 0",
                            (long long)json_integer_value(v));
    json_int_t n = json_integer_value(v);
    if (n + reserved_elsewhere(L, fn) > LAMBDA_ACCOUNT_CONCURRENCY - MIN_UNRESERVED)
        return rn_call_fail(c, LAMBDA_ERR_INVALID_PARAMETER,
                            "Specified ReservedConcurrentExecutions for function decreases account's "
                            "UnreservedConcurrentExecution below its minimum value of [%d].",
                            MIN_UNRESERVED);
    fn->reserved = (int)n;
    lambda_fn_persist(fn);
    c->out = json_pack("{s:I}", "ReservedConcurrentExecutions", n);
    return 0;
}

/* Concurrency is what runs: invocations held by instances (busy) plus those
 * waiting for one (queued). Idle warm instances do not count. */
int lambda_throttled(lambda_t *L, lambda_fn_t *fn, rn_call_t *c)
{
    int busy = 0, idle = 0;
    for (lambda_inst_t *in = fn->insts; in; in = in->next) {
        if (in->state == INST_IDLE && in->waiting && !in->stale)
            idle++;
        else if (in->state == INST_BUSY && in->inv)
            busy++;
    }
    int reserved = fn->latest ? fn->latest->reserved : fn->reserved; /* a version shares its function's */
    int limit = reserved >= 0 ? reserved : LAMBDA_ACCOUNT_CONCURRENCY;
    const char *reason = NULL;
    if (reserved == 0 || (!idle && busy + fn->qlen >= limit))
        reason = reserved >= 0 ? "ReservedFunctionConcurrentInvocationLimitExceeded"
                               : "ConcurrentInvocationLimitExceeded";
    else if (!idle && L->running + fn->qlen >= LAMBDA_ACCOUNT_CONCURRENCY) {
        int all = 0; /* the account's: count what runs everywhere (only near the limit) */
        for (lambda_inst_t *in = L->insts; in; in = in->all_next)
            all += in->state == INST_BUSY && in->inv;
        if (all + fn->qlen >= LAMBDA_ACCOUNT_CONCURRENCY)
            reason = "ConcurrentInvocationLimitExceeded";
    }
    if (!reason)
        return 0;
    lambda_tally_of(fn)->throttles++;
    rn_call_fail(c, LAMBDA_ERR_TOO_MANY_REQUESTS, "Rate Exceeded."); /* (clears err_fields) */
    c->err_fields = json_pack("{s:s}", "Reason", reason);
    return c->err;
}
