/* SPDX-License-Identifier: MIT
 * Metric alarms: PutMetricAlarm's checks, DescribeAlarms (names, prefix,
 * state, action prefix, pages), DescribeAlarmsForMetric, DeleteAlarms,
 * SetAlarmState and Enable/DisableAlarmActions. An alarm is kept as the
 * MetricAlarm object DescribeAlarms shows (its configuration and its state)
 * in one record, cw.alarm/<name>. Evaluation is evaluate.c's. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cloudwatch/cw_int.h"
#include "core/call.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/json_alloc.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/params.h"

#define NS_ALARM "cw.alarm"
#define MAX_ACTIONS 5
#define MAX_RECORDS 100
#define DEFAULT_RECORDS 50

static const char *const operators[] = {
    "GreaterThanOrEqualToThreshold", "GreaterThanThreshold", "LessThanThreshold", "LessThanOrEqualToThreshold",
    "LessThanLowerOrGreaterThanUpperThreshold", "LessThanLowerThreshold", "GreaterThanUpperThreshold", NULL,
};
static const char *const missing_modes[] = {"breaching", "notBreaching", "ignore", "missing", NULL};

static int one_of(const char *s, const char *const *set)
{
    for (size_t i = 0; s && set[i]; i++)
        if (strcmp(s, set[i]) == 0)
            return 1;
    return 0;
}

void cw_alarm_save(cw_t *cw, cw_alarm_t *a)
{
    char *text = json_dumps(a->def, JSON_COMPACT);
    if (text)
        rn_store_kv_put(cw->env.store, NS_ALARM, json_string_value(json_object_get(a->def, "AlarmName")), text);
    else
        RN_WARN("cloudwatch: out of memory saving an alarm");
    rn_json_free(text);
}

static void alarm_free(cw_alarm_t *a)
{
    if (a) {
        json_decref(a->def);
        rn_free(a);
    }
}

static int check_actions(rn_call_t *c, const json_t *list, const char *member)
{
    if (json_array_size(list) > MAX_ACTIONS)
        return rn_call_fail(c, CW_ERR_INVALID_PARAMETER, "The collection %s must not have a size greater than %d.",
                            member, MAX_ACTIONS);
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v)
    {
        const char *arn = json_string_value(v);
        if (!arn || strncmp(arn, "arn:", 4) != 0 || !strchr(arn + 4, ':'))
            return rn_call_fail(c, CW_ERR_VALIDATION, "Invalid arn syntax: %s", arn ? arn : "");
    }
    return 0;
}

/* The members of a single-metric alarm's definition. */
static int check_metric(rn_call_t *c, json_t *def)
{
    const json_t *in = c->in;
    const char *stat = rn_param_str(in, "Statistic"), *ext = rn_param_str(in, "ExtendedStatistic");
    if (json_object_get(in, "Metrics")) {
        if (rn_param_str(in, "MetricName") || stat || ext)
            return rn_call_fail(c, CW_ERR_INVALID_COMBINATION,
                                "The parameters MetricName and Metrics are mutually exclusive.");
        return json_object_set(def, "Metrics", json_object_get(in, "Metrics"));
    }
    const char *name = rn_param_str(in, "MetricName");
    if (!name)
        return rn_call_fail(c, CW_ERR_MISSING_PARAMETER, "The parameter MetricName is required.");
    if (!rn_param_str(in, "Namespace"))
        return rn_call_fail(c, CW_ERR_MISSING_PARAMETER, "The parameter Namespace is required.");
    if (!stat == !ext)
        return rn_call_fail(c, CW_ERR_INVALID_COMBINATION,
                            stat ? "The parameters Statistic and ExtendedStatistic are mutually exclusive."
                                 : "Exactly one of the parameters Statistic and ExtendedStatistic must be specified.");
    if (stat && (!cw_stat_valid(stat) || stat[0] == 'p'))
        return rn_call_fail(c, CW_ERR_VALIDATION,
                            "1 validation error detected: Value '%s' at 'statistic' failed to satisfy constraint: "
                            "Member must satisfy enum value set: [Maximum, SampleCount, Sum, Minimum, Average]", stat);
    if (ext && (ext[0] != 'p' || !cw_stat_valid(ext)))
        return rn_call_fail(c, CW_ERR_INVALID_PARAMETER, "The value %s for parameter ExtendedStatistic is not supported.",
                            ext);
    int period;
    if (cw_period_check(c, json_object_get(in, "Period"), "Period", 1, &period) < 0)
        return c->err;
    const char *unit = rn_param_str(in, "Unit");
    if (json_object_get(in, "Unit") && !cw_unit_valid(unit))
        return rn_call_fail(c, CW_ERR_INVALID_PARAMETER, "The value %s for parameter Unit is invalid.", unit ? unit : "");
    json_t *dims;
    if (cw_in_dims(c, json_object_get(in, "Dimensions"), "Dimensions", 1, &dims) < 0)
        return c->err;
    json_object_set_new(def, "MetricName", json_string(name));
    json_object_set_new(def, "Namespace", json_string(rn_param_str(in, "Namespace")));
    json_object_set_new(def, stat ? "Statistic" : "ExtendedStatistic", json_string(stat ? stat : ext));
    json_object_set_new(def, "Dimensions", dims);
    json_object_set_new(def, "Period", json_integer(period));
    if (unit)
        json_object_set_new(def, "Unit", json_string(unit));
    return 0;
}

int cw_put_metric_alarm(cw_t *cw, rn_call_t *c)
{
    const json_t *in = c->in;
    const char *name = rn_param_str(in, "AlarmName");
    if (!name)
        return rn_call_fail(c, CW_ERR_MISSING_PARAMETER, "The parameter AlarmName is required.");
    if (!*name || strlen(name) > 255)
        return rn_call_fail(c, CW_ERR_INVALID_PARAMETER, "The value %s for parameter AlarmName is invalid.", name);
    long long evals, to_alarm = 0;
    int r = cw_in_int(json_object_get(in, "EvaluationPeriods"), &evals);
    if (r > 0)
        return rn_call_fail(c, CW_ERR_MISSING_PARAMETER, "The parameter EvaluationPeriods is required.");
    if (r < 0 || evals < 1)
        return rn_call_fail(c, CW_ERR_INVALID_PARAMETER, "The parameter EvaluationPeriods must be greater than 0.");
    r = cw_in_int(json_object_get(in, "DatapointsToAlarm"), &to_alarm);
    if (r < 0 || (r == 0 && (to_alarm < 1 || to_alarm > evals)))
        return rn_call_fail(c, CW_ERR_VALIDATION,
                            "DatapointsToAlarm must be greater than 0 and less than or equal to EvaluationPeriods.");
    const char *op = rn_param_str(in, "ComparisonOperator");
    if (!op)
        return rn_call_fail(c, CW_ERR_MISSING_PARAMETER, "The parameter ComparisonOperator is required.");
    if (!one_of(op, operators))
        return rn_call_fail(c, CW_ERR_VALIDATION,
                            "1 validation error detected: Value '%s' at 'comparisonOperator' failed to satisfy "
                            "constraint: Member must satisfy enum value set: [LessThanLowerOrGreaterThanUpperThreshold, "
                            "LessThanOrEqualToThreshold, LessThanThreshold, LessThanLowerThreshold, "
                            "GreaterThanOrEqualToThreshold, GreaterThanUpperThreshold, GreaterThanThreshold]", op);
    double threshold = 0;
    r = cw_in_num(json_object_get(in, "Threshold"), &threshold);
    if (r < 0)
        return rn_call_fail(c, CW_ERR_INVALID_PARAMETER, "The parameter Threshold is invalid.");
    if (r > 0 && !rn_param_str(in, "ThresholdMetricId"))
        return rn_call_fail(c, CW_ERR_MISSING_PARAMETER, "The parameter Threshold is required.");
    const char *missing = rn_param_str(in, "TreatMissingData");
    if (missing && !one_of(missing, missing_modes))
        return rn_call_fail(c, CW_ERR_INVALID_PARAMETER, "The value %s for parameter TreatMissingData is invalid.",
                            missing);
    static const char *const lists[] = {"OKActions", "AlarmActions", "InsufficientDataActions"};
    for (int i = 0; i < 3; i++)
        if (check_actions(c, json_object_get(in, lists[i]), lists[i]) < 0)
            return c->err;
    json_t *def = json_object();
    if (!def)
        return rn_call_fail(c, RN_ERR_NOMEM, "Out of memory.");
    if (check_metric(c, def) != 0) {
        json_decref(def);
        return c->err ? c->err : rn_call_fail(c, RN_ERR_NOMEM, "Out of memory.");
    }
    char arn[400];
    snprintf(arn, sizeof arn, "arn:aws:cloudwatch:%s:%s:alarm:%s", cw->env.cfg->region, cw->env.cfg->account_id, name);
    double now = rn_now_ms() / 1000.0;
    json_object_set_new(def, "AlarmName", json_string(name));
    json_object_set_new(def, "AlarmArn", json_string(arn));
    if (rn_param_str(in, "AlarmDescription"))
        json_object_set_new(def, "AlarmDescription", json_string(rn_param_str(in, "AlarmDescription")));
    json_object_set_new(def, "AlarmConfigurationUpdatedTimestamp", json_real(now));
    const json_t *enabled = json_object_get(in, "ActionsEnabled");
    json_object_set_new(def, "ActionsEnabled", json_boolean(!json_is_false(enabled)));
    for (int i = 0; i < 3; i++) {
        const json_t *l = json_object_get(in, lists[i]);
        json_object_set_new(def, lists[i], l ? json_deep_copy(l) : json_array());
    }
    json_object_set_new(def, "EvaluationPeriods", json_integer(evals));
    if (to_alarm)
        json_object_set_new(def, "DatapointsToAlarm", json_integer(to_alarm));
    if (json_object_get(in, "Threshold"))
        json_object_set_new(def, "Threshold", json_real(threshold));
    if (rn_param_str(in, "ThresholdMetricId"))
        json_object_set_new(def, "ThresholdMetricId", json_string(rn_param_str(in, "ThresholdMetricId")));
    json_object_set_new(def, "ComparisonOperator", json_string(op));
    if (missing)
        json_object_set_new(def, "TreatMissingData", json_string(missing));
    if (rn_param_str(in, "EvaluateLowSampleCountPercentile"))
        json_object_set_new(def, "EvaluateLowSampleCountPercentile",
                            json_string(rn_param_str(in, "EvaluateLowSampleCountPercentile")));
    cw_alarm_t *a = rn_smap_get(&cw->alarms, name);
    if (a) { /* an update keeps the alarm's state */
        static const char *const kept[] = {"StateValue", "StateReason", "StateReasonData", "StateUpdatedTimestamp",
                                           "StateTransitionedTimestamp"};
        for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++)
            if (json_object_get(a->def, kept[i]))
                json_object_set(def, kept[i], json_object_get(a->def, kept[i]));
        json_decref(a->def);
        a->def = def;
    } else {
        json_object_set_new(def, "StateValue", json_string("INSUFFICIENT_DATA"));
        json_object_set_new(def, "StateReason", json_string("Unchecked: Initial alarm creation"));
        json_object_set_new(def, "StateUpdatedTimestamp", json_real(now));
        json_object_set_new(def, "StateTransitionedTimestamp", json_real(now));
        a = rn_calloc(1, sizeof *a);
        if (!a || rn_smap_put(&cw->alarms, name, a) < 0) {
            rn_free(a);
            json_decref(def);
            return rn_call_fail(c, RN_ERR_NOMEM, "Out of memory.");
        }
        a->def = def;
    }
    a->next_eval_ms = cw_alarm_next_eval(a, rn_now_ms());
    cw_alarm_save(cw, a);
    return cw_reply(c, json_object());
}

static int by_name(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* The alarm names in order. Caller frees the array (names borrowed). */
static const char **sorted_names(cw_t *cw, size_t *n)
{
    const char **v = rn_malloc((cw->alarms.len + 1) * sizeof *v);
    size_t i = 0, k = 0;
    const char *key;
    void *val;
    while (v && rn_smap_next(&cw->alarms, &i, &key, &val))
        v[k++] = key;
    if (v)
        qsort(v, k, sizeof *v, by_name);
    *n = k;
    return v;
}

static int actions_have_prefix(const json_t *def, const char *prefix)
{
    static const char *const lists[] = {"OKActions", "AlarmActions", "InsufficientDataActions"};
    for (int l = 0; l < 3; l++) {
        size_t i;
        json_t *v;
        json_array_foreach(json_object_get(def, lists[l]), i, v)
        {
            if (strncmp(json_string_value(v), prefix, strlen(prefix)) == 0)
                return 1;
        }
    }
    return 0;
}

int cw_describe_alarms(cw_t *cw, rn_call_t *c)
{
    const json_t *in = c->in, *names = json_object_get(in, "AlarmNames"), *types = json_object_get(in, "AlarmTypes");
    const char *prefix = rn_param_str(in, "AlarmNamePrefix"), *state = rn_param_str(in, "StateValue");
    const char *action = rn_param_str(in, "ActionPrefix"), *token = rn_param_str(in, "NextToken");
    if (json_array_size(names) && prefix)
        return rn_call_fail(c, CW_ERR_INVALID_COMBINATION,
                            "AlarmNamePrefix and AlarmNames cannot be specified at the same time.");
    if (json_array_size(names) > 100)
        return rn_call_fail(c, CW_ERR_INVALID_PARAMETER,
                            "The collection AlarmNames must not have a size greater than 100.");
    if (state && strcmp(state, "OK") && strcmp(state, "ALARM") && strcmp(state, "INSUFFICIENT_DATA"))
        return rn_call_fail(c, CW_ERR_VALIDATION,
                            "1 validation error detected: Value '%s' at 'stateValue' failed to satisfy constraint: "
                            "Member must satisfy enum value set: [INSUFFICIENT_DATA, ALARM, OK]", state);
    long long max = DEFAULT_RECORDS;
    int r = cw_in_int(json_object_get(in, "MaxRecords"), &max);
    if (r < 0 || max < 1 || max > MAX_RECORDS)
        return rn_call_fail(c, CW_ERR_INVALID_PARAMETER, "The parameter MaxRecords must be between 1 and 100.");
    int metric_alarms = !json_array_size(types);
    size_t i;
    json_t *t;
    json_array_foreach(types, i, t) metric_alarms |= json_is_string(t) && strcmp(json_string_value(t), "MetricAlarm") == 0;
    size_t n;
    const char **v = sorted_names(cw, &n);
    if (!v)
        return rn_call_fail(c, RN_ERR_NOMEM, "Out of memory.");
    json_t *alarms = json_array();
    json_t *out = json_pack("{s:[],s:o}", "CompositeAlarms", "MetricAlarms", alarms);
    long long listed = 0;
    for (size_t k = 0; out && metric_alarms && k < n; k++) {
        const char *name = v[k];
        if (token && strcmp(name, token) < 0)
            continue;
        if (prefix && strncmp(name, prefix, strlen(prefix)) != 0)
            continue;
        if (json_array_size(names)) {
            int want = 0;
            json_array_foreach(names, i, t) want |= json_is_string(t) && strcmp(json_string_value(t), name) == 0;
            if (!want)
                continue;
        }
        cw_alarm_t *a = rn_smap_get(&cw->alarms, name);
        if (state && strcmp(state, json_string_value(json_object_get(a->def, "StateValue"))) != 0)
            continue;
        if (action && !actions_have_prefix(a->def, action))
            continue;
        if (listed == max) {
            json_object_set_new(out, "NextToken", json_string(name));
            break;
        }
        json_array_append(alarms, a->def);
        listed++;
    }
    rn_free(v);
    return cw_reply(c, out);
}

int cw_describe_alarms_for_metric(cw_t *cw, rn_call_t *c)
{
    const json_t *in = c->in;
    const char *ns = rn_param_str(in, "Namespace"), *name = rn_param_str(in, "MetricName");
    if (!name)
        return rn_call_fail(c, CW_ERR_MISSING_PARAMETER, "The parameter MetricName is required.");
    if (!ns)
        return rn_call_fail(c, CW_ERR_MISSING_PARAMETER, "The parameter Namespace is required.");
    json_t *dims;
    if (cw_in_dims(c, json_object_get(in, "Dimensions"), "Dimensions", 1, &dims) < 0)
        return c->err;
    const char *stat = rn_param_str(in, "Statistic"), *ext = rn_param_str(in, "ExtendedStatistic");
    const char *unit = rn_param_str(in, "Unit");
    long long period = 0;
    cw_in_int(json_object_get(in, "Period"), &period);
    size_t n;
    const char **v = sorted_names(cw, &n);
    json_t *alarms = json_array();
    for (size_t k = 0; v && alarms && k < n; k++) {
        const json_t *d = ((cw_alarm_t *)rn_smap_get(&cw->alarms, v[k]))->def;
        const char *s = json_string_value(json_object_get(d, "Statistic"));
        const char *e = json_string_value(json_object_get(d, "ExtendedStatistic"));
        const char *u = json_string_value(json_object_get(d, "Unit"));
        if (!json_string_value(json_object_get(d, "MetricName")) ||
            strcmp(json_string_value(json_object_get(d, "MetricName")), name) ||
            strcmp(json_string_value(json_object_get(d, "Namespace")), ns) ||
            !json_equal(json_object_get(d, "Dimensions"), dims) || (stat && (!s || strcmp(s, stat))) ||
            (ext && (!e || strcmp(e, ext))) || (unit && (!u || strcmp(u, unit))) ||
            (period && json_integer_value(json_object_get(d, "Period")) != period))
            continue;
        json_array_append(alarms, (json_t *)d);
    }
    rn_free(v);
    json_decref(dims);
    return cw_reply(c, alarms ? json_pack("{s:o}", "MetricAlarms", alarms) : NULL);
}

int cw_delete_alarms(cw_t *cw, rn_call_t *c)
{
    const json_t *names = json_object_get(c->in, "AlarmNames");
    if (json_array_size(names) > 100)
        return rn_call_fail(c, CW_ERR_INVALID_PARAMETER,
                            "The collection AlarmNames must not have a size greater than 100.");
    size_t i;
    json_t *t;
    json_array_foreach(names, i, t)
    {
        if (!json_is_string(t))
            continue;
        cw_alarm_t *a = rn_smap_del(&cw->alarms, json_string_value(t));
        if (a) {
            rn_store_kv_delete(cw->env.store, NS_ALARM, json_string_value(t));
            alarm_free(a);
        }
    }
    return cw_reply(c, json_object());
}

int cw_set_alarm_state(cw_t *cw, rn_call_t *c)
{
    const json_t *in = c->in;
    const char *name = rn_param_str(in, "AlarmName"), *state = rn_param_str(in, "StateValue");
    const char *reason = rn_param_str(in, "StateReason"), *data = rn_param_str(in, "StateReasonData");
    if (!name)
        return rn_call_fail(c, CW_ERR_MISSING_PARAMETER, "The parameter AlarmName is required.");
    if (!state)
        return rn_call_fail(c, CW_ERR_MISSING_PARAMETER, "The parameter StateValue is required.");
    if (strcmp(state, "OK") && strcmp(state, "ALARM") && strcmp(state, "INSUFFICIENT_DATA"))
        return rn_call_fail(c, CW_ERR_VALIDATION,
                            "1 validation error detected: Value '%s' at 'stateValue' failed to satisfy constraint: "
                            "Member must satisfy enum value set: [INSUFFICIENT_DATA, ALARM, OK]", state);
    if (!reason)
        return rn_call_fail(c, CW_ERR_MISSING_PARAMETER, "The parameter StateReason is required.");
    cw_alarm_t *a = rn_smap_get(&cw->alarms, name);
    if (!a)
        return rn_call_fail(c, CW_ERR_NOT_FOUND, "%s", "");
    if (data) {
        json_t *j = json_loads(data, 0, NULL);
        int ok = json_is_object(j);
        json_decref(j);
        if (!ok)
            return rn_call_fail(c, CW_ERR_INVALID_FORMAT, "StateReasonData is not valid JSON.");
    }
    cw_alarm_set_state(cw, a, state, reason, data);
    return cw_reply(c, json_object());
}

int cw_alarm_actions_enable(cw_t *cw, rn_call_t *c, int enable)
{
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(c->in, "AlarmNames"), i, t)
    {
        cw_alarm_t *a = json_is_string(t) ? rn_smap_get(&cw->alarms, json_string_value(t)) : NULL;
        if (a) {
            json_object_set_new(a->def, "ActionsEnabled", json_boolean(enable));
            cw_alarm_save(cw, a);
        }
    }
    return cw_reply(c, json_object());
}

static int load_alarm(void *ud, const char *key, const char *value)
{
    cw_t *cw = ud;
    json_t *def = json_loads(value, 0, NULL);
    cw_alarm_t *a = json_is_object(def) ? rn_calloc(1, sizeof *a) : NULL;
    if (!a || rn_smap_put(&cw->alarms, key, a) < 0) {
        RN_WARN("cloudwatch: alarm record %s unreadable, skipped", key);
        rn_free(a);
        json_decref(def);
        return 0;
    }
    a->def = def;
    a->next_eval_ms = cw_alarm_next_eval(a, rn_now_ms());
    return 0;
}

void cw_alarms_load(cw_t *cw)
{
    rn_store_kv_scan(cw->env.store, NS_ALARM, NULL, NULL, load_alarm, cw);
}

void cw_alarms_drop_all(cw_t *cw)
{
    size_t i = 0;
    const char *k;
    void *v;
    while (rn_smap_next(&cw->alarms, &i, &k, &v))
        alarm_free(v);
    rn_smap_free(&cw->alarms);
    memset(&cw->alarms, 0, sizeof cw->alarms);
}
