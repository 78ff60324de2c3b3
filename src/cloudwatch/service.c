/* SPDX-License-Identifier: MIT
 * CloudWatch's entry in the service table: the query protocol (signing name
 * "monitoring"), AWS JSON 1.0 (query-compatible) and smithy-rpc-v2-cbor over
 * one API description; the instance's lifecycle; the operations by name; and
 * the one timer that evaluates alarms and drops expired data, on the movable
 * clock (next_due / run_due). */
#include <stdint.h>
#include <string.h>

#include "cloudwatch/cw_int.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/mem.h"

#define SWEEP_MS 60000
#define BODY_LIMIT (1024 * 1024) /* PutMetricData's 1 MB */

static const rn_err_info_t cw_rows[] = {CW_ERR_TABLE(RN_ERR_ROW)};
const rn_err_table_t cw_errors = {CW_ERR_FIRST_ + 1, sizeof cw_rows / sizeof cw_rows[0], cw_rows};

static int64_t next_due(void *svc)
{
    cw_t *cw = svc;
    int64_t due = cw_alarms_next_due(cw);
    return cw->next_sweep_ms < due ? cw->next_sweep_ms : due;
}

static void on_timer(uv_timer_t *t);

static void rearm(cw_t *cw)
{
    int64_t due = next_due(cw), now = rn_now_ms();
    uv_timer_stop(cw->timer);
    if (due != INT64_MAX)
        uv_timer_start(cw->timer, on_timer, due > now ? (uint64_t)(due - now) : 0, 0);
}

static void run_due(void *svc)
{
    cw_t *cw = svc;
    int64_t now = rn_now_ms();
    if (cw->next_sweep_ms <= now) {
        cw_own_collect(cw, now);
        cw_series_sweep(cw);
        cw->next_sweep_ms = (now / SWEEP_MS + 1) * SWEEP_MS;
    }
    cw_alarms_run_due(cw);
    rearm(cw);
}

static void on_timer(uv_timer_t *t)
{
    run_due(t->data);
}

static int create(const rn_service_env_t *env, void **out)
{
    rn_err_register(&cw_errors);
    cw_t *cw = rn_calloc(1, sizeof *cw);
    uv_timer_t *t = rn_calloc(1, sizeof *t);
    if (!cw || !t) {
        rn_free(cw);
        rn_free(t);
        return RN_ERR_NOMEM;
    }
    cw->env = *env;
    cw->timer = t;
    uv_timer_init(env->loop, t);
    t->data = cw;
    uv_unref((uv_handle_t *)t);
    cw->next_sweep_ms = (rn_now_ms() / SWEEP_MS + 1) * SWEEP_MS;
    *out = cw;
    return 0;
}

static int load_kv(void *svc, const char *ns, const char *key, const char *value)
{
    (void)svc;
    (void)ns;
    (void)key;
    (void)value;
    return 0; /* read in order at start: series, buckets, alarms */
}

static void start(void *svc)
{
    cw_t *cw = svc;
    cw_series_load(cw);
    cw_alarms_load(cw);
    cw_series_sweep(cw);
    rearm(cw);
}

static int call(void *svc, rn_call_t *c)
{
    cw_t *cw = svc;
    int rc;
    const char *op = c->op;
    if (strcmp(op, "PutMetricData") == 0)
        rc = cw_put_metric_data(cw, c);
    else if (strcmp(op, "GetMetricStatistics") == 0)
        rc = cw_get_metric_statistics(cw, c);
    else if (strcmp(op, "GetMetricData") == 0)
        rc = cw_get_metric_data(cw, c);
    else if (strcmp(op, "ListMetrics") == 0)
        rc = cw_list_metrics(cw, c);
    else if (strcmp(op, "PutMetricAlarm") == 0)
        rc = cw_put_metric_alarm(cw, c);
    else if (strcmp(op, "DescribeAlarms") == 0)
        rc = cw_describe_alarms(cw, c);
    else if (strcmp(op, "DescribeAlarmsForMetric") == 0)
        rc = cw_describe_alarms_for_metric(cw, c);
    else if (strcmp(op, "DeleteAlarms") == 0)
        rc = cw_delete_alarms(cw, c);
    else if (strcmp(op, "SetAlarmState") == 0)
        rc = cw_set_alarm_state(cw, c);
    else if (strcmp(op, "EnableAlarmActions") == 0)
        rc = cw_alarm_actions_enable(cw, c, 1);
    else if (strcmp(op, "DisableAlarmActions") == 0)
        rc = cw_alarm_actions_enable(cw, c, 0);
    else
        rc = rn_call_fail(c, RN_ERR_UNKNOWN_OPERATION, "Operation %s is not supported.", op);
    if (rc == 0 && strcmp(op, "PutMetricAlarm") == 0)
        rearm(cw);
    return rc;
}

static void reset(void *svc)
{
    cw_t *cw = svc;
    cw_series_drop_all(cw);
    cw_alarms_drop_all(cw);
    cw_own_drop(cw);
    rearm(cw);
}

static void closed(uv_handle_t *h)
{
    rn_free(h);
}

static void destroy(void *svc)
{
    cw_t *cw = svc;
    if (!cw)
        return;
    cw_series_drop_all(cw);
    cw_alarms_drop_all(cw);
    cw_own_drop(cw);
    rn_free(cw->flush);
    uv_timer_stop(cw->timer);
    uv_close((uv_handle_t *)cw->timer, closed);
    rn_free(cw);
}

static json_t *stats(void *svc)
{
    cw_t *cw = svc;
    return json_pack("{s:I,s:I}", "series", (json_int_t)cw->series.len, "alarms", (json_int_t)cw->alarms.len);
}

static size_t body_limit(const char *method, const char *path)
{
    (void)method;
    (void)path;
    return BODY_LIMIT;
}

static const char *const targets[] = {"GraniteServiceVersion20100801.", NULL};
static const char *const store_ns[] = {"cw.", NULL};

const rn_service_t cw_service = {
    .name = "cloudwatch",
    .signing_name = "monitoring",
    .targets = targets,
    .json_version = 10,
    .query_compatible = 1,
    .json_error_ns = "com.amazonaws.cloudwatch.v2010_08_01",
    .api = &cw_api,
    .cbor_service = "GraniteServiceVersion20100801",
    .body_limit = body_limit,
    .errors = &cw_errors,
    .store_ns = store_ns,
    .create = create,
    .load_kv = load_kv,
    .start = start,
    .call = call,
    .reset = reset,
    .next_due = next_due,
    .run_due = run_due,
    .stats = stats,
    .destroy = destroy,
};
