/* SPDX-License-Identifier: MIT
 * Alarm evaluation and what a state change sets off. A single-metric alarm is
 * evaluated at each period boundary (every minute for periods of a minute or
 * more) over its last EvaluationPeriods complete periods, with
 * DatapointsToAlarm and TreatMissingData as AWS applies them. A change of
 * state is kept, sent to the account's default event bus as "CloudWatch
 * Alarm State Change" (through the sink registry) and, when actions are
 * enabled, runs the new state's actions: SNS topics get AWS's alarm
 * notification JSON, Lambda functions the alarm's invocation payload. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cloudwatch/cw_int.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/json_alloc.h"
#include "core/ids.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/sink.h"

#define MAX_EVALS 1440

static const char *region_name(const char *r)
{
    static const char *const names[][2] = {
        {"us-east-1", "US East (N. Virginia)"},  {"us-east-2", "US East (Ohio)"},
        {"us-west-1", "US West (N. California)"}, {"us-west-2", "US West (Oregon)"},
        {"eu-west-1", "EU (Ireland)"},            {"eu-west-2", "EU (London)"},
        {"eu-west-3", "EU (Paris)"},              {"eu-central-1", "EU (Frankfurt)"},
        {"eu-north-1", "EU (Stockholm)"},         {"ap-southeast-1", "Asia Pacific (Singapore)"},
        {"ap-southeast-2", "Asia Pacific (Sydney)"}, {"ap-northeast-1", "Asia Pacific (Tokyo)"},
        {"ap-south-1", "Asia Pacific (Mumbai)"},  {"sa-east-1", "South America (Sao Paulo)"},
        {"ca-central-1", "Canada (Central)"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(names[i][0], r) == 0)
            return names[i][1];
    return r;
}

static int period_of(const json_t *def)
{
    int p = (int)json_integer_value(json_object_get(def, "Period"));
    if (p <= 0) { /* a metric-math alarm: its queries' period */
        size_t i;
        json_t *q;
        json_array_foreach(json_object_get(def, "Metrics"), i, q)
        {
            int qp = (int)json_integer_value(json_object_get(json_object_get(q, "MetricStat"), "Period"));
            if (qp > 0)
                return qp;
        }
        p = 60;
    }
    return p;
}

int64_t cw_alarm_next_eval(const cw_alarm_t *a, int64_t now_ms)
{
    int p = period_of(a->def);
    int64_t step = (p < 60 ? p : 60) * 1000LL;
    return (now_ms / step + 1) * step;
}

/* A double as Java prints it (AWS's reasons say 2.0, 21.5). */
static void java_double(double v, char *out, size_t len)
{
    if (v == floor(v) && fabs(v) < 1e7)
        snprintf(out, len, "%.1f", v);
    else
        snprintf(out, len, "%.17g", v);
    if (strchr(out, 'e') == NULL && strchr(out, '.') && strlen(out) > 12) {
        snprintf(out, len, "%.15g", v);
        if (!strchr(out, '.') && !strchr(out, 'e'))
            strncat(out, ".0", len - strlen(out) - 1);
    }
}

static void state_obj(json_t *o, const json_t *def, const char *value_key, const char *reason_key,
                      const char *data_key, const char *ts_key)
{
    char ts[40];
    cw_iso((int64_t)llround(json_number_value(json_object_get(def, ts_key)) * 1000), 0, ts, sizeof ts);
    json_object_set_new(o, "value", json_string(json_string_value(json_object_get(def, value_key))));
    json_object_set_new(o, "reason", json_string(json_string_value(json_object_get(def, reason_key))));
    if (json_string_value(json_object_get(def, data_key)))
        json_object_set_new(o, "reasonData", json_string(json_string_value(json_object_get(def, data_key))));
    json_object_set_new(o, "timestamp", json_string(ts));
}

static json_t *metric_stat_lower(const json_t *ms)
{
    const json_t *m = json_object_get(ms, "Metric");
    json_t *dims = json_object();
    size_t i;
    json_t *d;
    json_array_foreach(json_object_get(m, "Dimensions"), i, d)
        json_object_set(dims, json_string_value(json_object_get(d, "Name")), json_object_get(d, "Value"));
    json_t *metric = json_pack("{s:o,s:O,s:O}", "dimensions", dims, "name", json_object_get(m, "MetricName"),
                               "namespace", json_object_get(m, "Namespace"));
    json_t *o = json_pack("{s:o,s:O,s:O}", "metric", metric, "period", json_object_get(ms, "Period"), "stat",
                          json_object_get(ms, "Stat"));
    if (o && json_object_get(ms, "Unit"))
        json_object_set(o, "unit", json_object_get(ms, "Unit"));
    return o;
}

/* The alarm's configuration as its events and Lambda payloads show it. */
static json_t *configuration(const json_t *def)
{
    json_t *metrics = json_array(), *c = json_object();
    if (json_object_get(def, "AlarmDescription"))
        json_object_set(c, "description", json_object_get(def, "AlarmDescription"));
    if (json_object_get(def, "MetricName")) {
        const char *stat = json_string_value(json_object_get(def, "Statistic"));
        json_t *ms = json_pack("{s:{s:O,s:O,s:O},s:O,s:s}", "Metric", "Namespace", json_object_get(def, "Namespace"),
                               "MetricName", json_object_get(def, "MetricName"), "Dimensions",
                               json_object_get(def, "Dimensions"), "Period", json_object_get(def, "Period"), "Stat",
                               stat ? stat : json_string_value(json_object_get(def, "ExtendedStatistic")));
        if (ms && json_object_get(def, "Unit"))
            json_object_set(ms, "Unit", json_object_get(def, "Unit"));
        char id[37];
        rn_uuid(id);
        json_array_append_new(metrics, json_pack("{s:s,s:o,s:b}", "id", id, "metricStat", metric_stat_lower(ms),
                                                 "returnData", 1));
        json_decref(ms);
    } else {
        size_t i;
        json_t *q;
        json_array_foreach(json_object_get(def, "Metrics"), i, q)
        {
            json_t *o = json_pack("{s:O,s:b}", "id", json_object_get(q, "Id"), "returnData",
                                  !json_is_false(json_object_get(q, "ReturnData")));
            if (json_object_get(q, "Expression"))
                json_object_set(o, "expression", json_object_get(q, "Expression"));
            if (json_object_get(q, "Label"))
                json_object_set(o, "label", json_object_get(q, "Label"));
            if (json_object_get(q, "MetricStat"))
                json_object_set_new(o, "metricStat", metric_stat_lower(json_object_get(q, "MetricStat")));
            json_array_append_new(metrics, o);
        }
    }
    json_object_set_new(c, "metrics", metrics);
    return c;
}

/* detail / alarmData: name, state, previous state, configuration. */
static json_t *alarm_data(const json_t *def, const json_t *prev)
{
    json_t *state = json_object(), *previous = json_object();
    state_obj(state, def, "StateValue", "StateReason", "StateReasonData", "StateUpdatedTimestamp");
    state_obj(previous, prev, "StateValue", "StateReason", "StateReasonData", "StateUpdatedTimestamp");
    return json_pack("{s:O,s:o,s:o,s:o}", "alarmName", json_object_get(def, "AlarmName"), "state", state,
                     "previousState", previous, "configuration", configuration(def));
}

static void deliver(cw_t *cw, const char *arn, json_t *body, const char *id, const char *subject)
{
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    if (!text)
        return;
    rn_message_t m = {.body = text, .len = strlen(text), .id = id, .subject = subject};
    char msg[512] = "";
    int rc = rn_sinks_deliver(cw->env.sinks, arn, &m, msg, sizeof msg);
    if (rc < 0)
        RN_INFO("cloudwatch: delivery to %s failed: %s", arn, msg[0] ? msg : "no receiver");
    rn_json_free(text);
}

static void send_event(cw_t *cw, const json_t *def, const json_t *prev, int64_t now_ms)
{
    char id[37], time[32], bus[200];
    rn_uuid(id);
    time_t t = (time_t)(now_ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(time, sizeof time, "%Y-%m-%dT%H:%M:%SZ", &tm);
    const rn_config_t *cfg = cw->env.cfg;
    json_t *ev = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:[O],s:o}", "version", "0", "id", id, "detail-type",
                           "CloudWatch Alarm State Change", "source", "aws.cloudwatch", "account", cfg->account_id,
                           "time", time, "region", cfg->region, "resources", json_object_get(def, "AlarmArn"),
                           "detail", alarm_data(def, prev));
    snprintf(bus, sizeof bus, "arn:aws:events:%s:%s:event-bus/default", cfg->region, cfg->account_id);
    deliver(cw, bus, ev, id, NULL);
}

static char *upper(const char *s)
{
    char *u = rn_strdup(s ? s : "");
    for (char *p = u; p && *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');
    return u;
}

/* The JSON AWS publishes to an SNS topic action. */
static json_t *sns_notification(cw_t *cw, const json_t *def, const json_t *prev)
{
    char updated[40], changed[40];
    cw_iso((int64_t)llround(json_number_value(json_object_get(def, "AlarmConfigurationUpdatedTimestamp")) * 1000), 0,
           updated, sizeof updated);
    cw_iso((int64_t)llround(json_number_value(json_object_get(def, "StateUpdatedTimestamp")) * 1000), 0, changed,
           sizeof changed);
    json_t *trigger = json_object();
    if (json_object_get(def, "MetricName")) {
        json_t *dims = json_array();
        size_t i;
        json_t *d;
        json_array_foreach(json_object_get(def, "Dimensions"), i, d)
            json_array_append_new(dims, json_pack("{s:O,s:O}", "value", json_object_get(d, "Value"), "name",
                                                  json_object_get(d, "Name")));
        const char *stat = json_string_value(json_object_get(def, "Statistic"));
        char *up = upper(stat);
        json_object_set(trigger, "MetricName", json_object_get(def, "MetricName"));
        json_object_set(trigger, "Namespace", json_object_get(def, "Namespace"));
        json_object_set_new(trigger, "StatisticType", json_string(stat ? "Statistic" : "ExtendedStatistic"));
        if (stat)
            json_object_set_new(trigger, "Statistic", json_string(up));
        else
            json_object_set(trigger, "ExtendedStatistic", json_object_get(def, "ExtendedStatistic"));
        rn_free(up);
        json_object_set(trigger, "Unit", json_object_get(def, "Unit") ? json_object_get(def, "Unit") : json_null());
        json_object_set_new(trigger, "Dimensions", dims);
        json_object_set(trigger, "Period", json_object_get(def, "Period"));
    } else {
        json_object_set(trigger, "Metrics", json_object_get(def, "Metrics"));
        json_object_set_new(trigger, "Period", json_integer(period_of(def)));
    }
    json_object_set(trigger, "EvaluationPeriods", json_object_get(def, "EvaluationPeriods"));
    if (json_object_get(def, "DatapointsToAlarm"))
        json_object_set(trigger, "DatapointsToAlarm", json_object_get(def, "DatapointsToAlarm"));
    json_object_set(trigger, "ComparisonOperator", json_object_get(def, "ComparisonOperator"));
    json_object_set(trigger, "Threshold", json_object_get(def, "Threshold"));
    const json_t *tmd = json_object_get(def, "TreatMissingData");
    json_object_set_new(trigger, "TreatMissingData", json_string(tmd ? json_string_value(tmd) : "missing"));
    json_object_set_new(trigger, "EvaluateLowSampleCountPercentile", json_string(""));
    const json_t *desc = json_object_get(def, "AlarmDescription");
    return json_pack("{s:O,s:O,s:s,s:s,s:O,s:O,s:s,s:s,s:O,s:O,s:O,s:O,s:O,s:o}", "AlarmName",
                     json_object_get(def, "AlarmName"), "AlarmDescription", desc ? desc : json_null(), "AWSAccountId",
                     cw->env.cfg->account_id, "AlarmConfigurationUpdatedTimestamp", updated, "NewStateValue",
                     json_object_get(def, "StateValue"), "NewStateReason", json_object_get(def, "StateReason"),
                     "StateChangeTime", changed, "Region", region_name(cw->env.cfg->region), "AlarmArn",
                     json_object_get(def, "AlarmArn"), "OldStateValue", json_object_get(prev, "StateValue"),
                     "OKActions", json_object_get(def, "OKActions"), "AlarmActions",
                     json_object_get(def, "AlarmActions"), "InsufficientDataActions",
                     json_object_get(def, "InsufficientDataActions"), "Trigger", trigger);
}

static json_t *lambda_payload(cw_t *cw, const json_t *def, const json_t *prev, int64_t now_ms)
{
    char ts[40];
    cw_iso(now_ms, 0, ts, sizeof ts);
    return json_pack("{s:s,s:O,s:s,s:s,s:s,s:o}", "source", "aws.cloudwatch", "alarmArn",
                     json_object_get(def, "AlarmArn"), "accountId", cw->env.cfg->account_id, "time", ts, "region",
                     cw->env.cfg->region, "alarmData", alarm_data(def, prev));
}

static void run_actions(cw_t *cw, const json_t *def, const json_t *prev, int64_t now_ms)
{
    const char *state = json_string_value(json_object_get(def, "StateValue"));
    const char *list = strcmp(state, "ALARM") == 0 ? "AlarmActions"
                       : strcmp(state, "OK") == 0  ? "OKActions"
                                                   : "InsufficientDataActions";
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(def, list), i, v)
    {
        const char *arn = json_string_value(v);
        char id[37];
        rn_uuid(id);
        if (strncmp(arn, "arn:aws:sns:", 12) == 0) {
            /* AWS's subject: ALARM: "name" in US East (N. Virginia), cut to SNS's 100 characters */
            char subject[100];
            snprintf(subject, sizeof subject, "%s: \"%s\" in %s", state,
                     json_string_value(json_object_get(def, "AlarmName")), region_name(cw->env.cfg->region));
            deliver(cw, arn, sns_notification(cw, def, prev), id, subject);
        } else if (strncmp(arn, "arn:aws:lambda:", 15) == 0) {
            deliver(cw, arn, lambda_payload(cw, def, prev, now_ms), id, NULL);
        } else {
            RN_INFO("cloudwatch: alarm action %s is not one Runnel runs (SNS topics and Lambda functions only)", arn);
        }
    }
}

void cw_alarm_set_state(cw_t *cw, cw_alarm_t *a, const char *value, const char *reason, const char *reason_data)
{
    json_t *def = a->def, *prev = json_deep_copy(def);
    if (!prev)
        return;
    int64_t now_ms = rn_now_ms();
    double now = now_ms / 1000.0;
    int changed = strcmp(json_string_value(json_object_get(def, "StateValue")), value) != 0;
    json_object_set_new(def, "StateValue", json_string(value));
    json_object_set_new(def, "StateReason", json_string(reason));
    if (reason_data)
        json_object_set_new(def, "StateReasonData", json_string(reason_data));
    else
        json_object_del(def, "StateReasonData");
    json_object_set_new(def, "StateUpdatedTimestamp", json_real(now));
    if (changed) {
        json_object_set_new(def, "StateTransitionedTimestamp", json_real(now));
        send_event(cw, def, prev, now_ms);
        if (json_is_true(json_object_get(def, "ActionsEnabled")))
            run_actions(cw, def, prev, now_ms);
    }
    cw_alarm_save(cw, a);
    json_decref(prev);
}

/* ---- evaluation ---- */

static int breaches(const char *op, double v, double threshold)
{
    if (strcmp(op, "GreaterThanOrEqualToThreshold") == 0)
        return v >= threshold;
    if (strcmp(op, "GreaterThanThreshold") == 0)
        return v > threshold;
    if (strcmp(op, "LessThanThreshold") == 0)
        return v < threshold;
    if (strcmp(op, "LessThanOrEqualToThreshold") == 0)
        return v <= threshold;
    return 0;
}

static const char *op_words(const char *op, int breaching)
{
    const char *w = strcmp(op, "GreaterThanOrEqualToThreshold") == 0 ? "greater than or equal to"
                    : strcmp(op, "GreaterThanThreshold") == 0        ? "greater than"
                    : strcmp(op, "LessThanThreshold") == 0           ? "less than"
                                                                     : "less than or equal to";
    static char buf[64];
    snprintf(buf, sizeof buf, "%s%s", breaching ? "" : "not ", w);
    return buf;
}

static void dp_time(int64_t t, char *out, size_t len)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    snprintf(out, len, "%02d/%02d/%02d %02d:%02d:%02d", tm.tm_mday, tm.tm_mon + 1, tm.tm_year % 100, tm.tm_hour,
             tm.tm_min, tm.tm_sec);
}

static void evaluate(cw_t *cw, cw_alarm_t *a, int64_t now_ms)
{
    const json_t *def = a->def;
    const char *ns = json_string_value(json_object_get(def, "Namespace"));
    const char *name = json_string_value(json_object_get(def, "MetricName"));
    if (!ns || !name)
        return; /* metric-math alarms are kept, not evaluated (docs/cloudwatch.md) */
    int p = period_of(def);
    long long n = json_integer_value(json_object_get(def, "EvaluationPeriods"));
    long long m = json_integer_value(json_object_get(def, "DatapointsToAlarm"));
    if (n < 1 || n > MAX_EVALS)
        return;
    if (m < 1)
        m = n;
    const char *stat = json_string_value(json_object_get(def, "Statistic"));
    if (!stat)
        stat = json_string_value(json_object_get(def, "ExtendedStatistic"));
    const char *op = json_string_value(json_object_get(def, "ComparisonOperator"));
    const char *treat = json_string_value(json_object_get(def, "TreatMissingData"));
    if (!treat)
        treat = "missing";
    double threshold = json_number_value(json_object_get(def, "Threshold"));
    int64_t now = now_ms / 1000, end = now / p * p, start = end - n * p;
    char *metric = cw_metric_key(ns, name, json_object_get(def, "Dimensions"));
    cw_series_t **series = NULL;
    size_t ns_n = metric ? cw_series_of(cw, metric, json_string_value(json_object_get(def, "Unit")), &series) : 0;
    rn_free(metric);
    cw_point_t *pts = NULL;
    size_t np = 0;
    int64_t from = start;
    int tier = cw_tier_for(p, &from, now);
    if (ns_n && cw_read(series, ns_n, tier, start, end, p, stat[0] == 'p', &pts, &np) < 0) {
        rn_free(series);
        return;
    }
    rn_free(series);
    /* newest first, as AWS lists them */
    long long present = 0, breaching = 0;
    rn_buf_t list = {0};
    json_t *recent = json_array(), *evaluated = json_array();
    for (size_t i = np; i-- > 0;) {
        double v;
        if (cw_stat_value(&pts[i], stat, &v) < 0)
            continue;
        present++;
        int b = breaches(op, v, threshold);
        breaching += b;
        char num[40], when[32];
        java_double(v, num, sizeof num);
        dp_time(pts[i].t, when, sizeof when);
        rn_buf_printf(&list, "%s%s (%s)", list.len ? ", " : "", num, when);
        json_array_append_new(recent, json_real(v));
        char ts[40];
        cw_iso(pts[i].t * 1000, 0, ts, sizeof ts);
        json_array_append_new(evaluated, json_pack("{s:s,s:f,s:f}", "timestamp", ts, "sampleCount", pts[i].a.n,
                                                   "value", v));
    }
    cw_points_free(pts, np);
    long long missing = n - present;
    int to_breach = strcmp(treat, "breaching") == 0, to_ok = strcmp(treat, "notBreaching") == 0;
    char reason[2048], th[40];
    java_double(threshold, th, sizeof th);
    const char *state;
    if (!present && !to_breach && !to_ok) {
        if (strcmp(treat, "ignore") == 0) {
            rn_buf_free(&list);
            json_decref(recent);
            json_decref(evaluated);
            return; /* the alarm keeps its state */
        }
        state = "INSUFFICIENT_DATA";
        snprintf(reason, sizeof reason, "Insufficient Data: %lld datapoint%s unknown.", n,
                 n == 1 ? " was" : "s were");
    } else {
        long long bad = breaching + (to_breach ? missing : 0);
        state = bad >= m ? "ALARM" : "OK";
        if (!present)
            snprintf(reason, sizeof reason,
                     "Threshold Crossed: no datapoints were received for %lld period%s and %lld missing datapoint%s "
                     "treated as [%s].", n, n == 1 ? "" : "s", missing, missing == 1 ? " was" : "s were",
                     to_breach ? "Breaching" : "NonBreaching");
        else if (n == 1)
            snprintf(reason, sizeof reason, "Threshold Crossed: 1 datapoint [%s] was %s the threshold (%s).",
                     list.data, op_words(op, bad >= m), th);
        else
            snprintf(reason, sizeof reason,
                     "Threshold Crossed: %lld out of the last %lld datapoints [%s] %s %s the threshold (%s) "
                     "(minimum %lld datapoint%s for %s transition).",
                     bad >= m ? breaching : present - breaching, n, list.data ? list.data : "",
                     (bad >= m ? breaching : present - breaching) == 1 ? "was" : "were", op_words(op, bad >= m),
                     th, bad >= m ? m : 1, (bad >= m ? m : 1) == 1 ? "" : "s",
                     bad >= m ? "OK -> ALARM" : "ALARM -> OK");
    }
    rn_buf_free(&list);
    char qd[40], sd[40];
    cw_iso(now_ms, 0, qd, sizeof qd);
    cw_iso(start * 1000, 0, sd, sizeof sd);
    json_t *data = json_pack("{s:s,s:s,s:s,s:s,s:i,s:o,s:f,s:o}", "version", "1.0", "queryDate", qd, "startDate", sd,
                             "statistic", stat, "period", p, "recentDatapoints", recent, "threshold", threshold,
                             "evaluatedDatapoints", evaluated);
    if (data && json_object_get(def, "Unit"))
        json_object_set(data, "unit", json_object_get(def, "Unit"));
    char *text = data ? json_dumps(data, JSON_COMPACT) : NULL;
    json_decref(data);
    const char *was = json_string_value(json_object_get(def, "StateValue"));
    if (strcmp(was, state) != 0)
        cw_alarm_set_state(cw, a, state, reason, text);
    rn_json_free(text);
}

void cw_alarms_run_due(cw_t *cw)
{
    int64_t now = rn_now_ms();
    size_t i = 0;
    const char *k;
    void *v;
    while (rn_smap_next(&cw->alarms, &i, &k, &v)) {
        cw_alarm_t *a = v;
        if (a->next_eval_ms > now)
            continue;
        evaluate(cw, a, now);
        a->next_eval_ms = cw_alarm_next_eval(a, now);
    }
}

int64_t cw_alarms_next_due(cw_t *cw)
{
    int64_t due = INT64_MAX;
    size_t i = 0;
    const char *k;
    void *v;
    while (rn_smap_next(&cw->alarms, &i, &k, &v))
        if (((cw_alarm_t *)v)->next_eval_ms < due)
            due = ((cw_alarm_t *)v)->next_eval_ms;
    return due;
}
