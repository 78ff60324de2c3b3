/* SPDX-License-Identifier: MIT
 * PutMetricData: every datum is checked first (AWS refuses the whole request
 * for one bad datum), then each is added to its series, and the changed
 * buckets are written once for the call; the dispatcher's barrier makes the
 * reply wait for them to be durable. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cloudwatch/cw_int.h"
#include "core/call.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/json_alloc.h"
#include "core/mem.h"
#include "core/params.h"

#define MAX_DATA 1000
#define MAX_VALUES 150
#define PAST_MS (14LL * 86400 * 1000)
#define FUTURE_MS (2LL * 3600 * 1000)
#define VALUE_LIMIT 1.7e108 /* about 2^360, AWS's bound on a value's magnitude */

typedef struct parsed {
    char *metric;
    json_t *dims;
    const char *name, *unit;
    cw_datum_t d;
    double *vals; /* owned: values, then counts */
} parsed_t;

static void parsed_free(parsed_t *p, size_t n)
{
    for (size_t i = 0; p && i < n; i++) {
        rn_free(p[i].metric);
        json_decref(p[i].dims);
        rn_free(p[i].vals);
    }
    rn_free(p);
}

int cw_namespace_check(rn_call_t *c, const char *ns)
{
    if (!ns)
        return rn_call_fail(c, CW_ERR_MISSING_PARAMETER, "The parameter Namespace is required.");
    size_t n = strlen(ns);
    if (!n || n > 255 || ns[0] == ':' || strncmp(ns, "AWS/", 4) == 0)
        return rn_call_fail(c, CW_ERR_INVALID_PARAMETER, "The value %s for parameter Namespace is invalid.", ns);
    for (const unsigned char *p = (const unsigned char *)ns; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return rn_call_fail(c, CW_ERR_INVALID_PARAMETER, "The value %s for parameter Namespace is invalid.", ns);
    return 0;
}

static int bad_value(rn_call_t *c, const char *where, const json_t *v)
{
    char *text = json_is_string(v) ? NULL : json_dumps(v, JSON_ENCODE_ANY);
    rn_call_fail(c, CW_ERR_INVALID_PARAMETER, "The value %s for parameter %s is invalid.",
                 json_is_string(v) ? json_string_value(v) : text ? text : "?", where);
    rn_json_free(text);
    return c->err;
}

static int in_range(double x)
{
    return fabs(x) <= VALUE_LIMIT && (x == 0 || fabs(x) >= 1.0 / VALUE_LIMIT);
}

/* A double member at where: 0, 1 when absent, or an error on c. */
static int num_at(rn_call_t *c, const json_t *v, const char *where, double *out)
{
    int r = cw_in_num(v, out);
    if (r < 0 || (r == 0 && !in_range(*out)))
        return bad_value(c, where, v);
    return r;
}

static int parse_statistic_set(rn_call_t *c, const json_t *sv, const char *at, cw_agg_t *a)
{
    static const char *const names[] = {"SampleCount", "Sum", "Minimum", "Maximum"};
    double x[4];
    char where[96];
    for (int k = 0; k < 4; k++) {
        snprintf(where, sizeof where, "%s.StatisticValues.%s", at, names[k]);
        int r = num_at(c, json_object_get(sv, names[k]), where, &x[k]);
        if (r < 0)
            return r;
        if (r > 0)
            return rn_call_fail(c, CW_ERR_MISSING_PARAMETER, "The parameter %s is required.", where);
    }
    if (x[0] <= 0)
        return rn_call_fail(c, CW_ERR_INVALID_PARAMETER,
                            "The value %g for parameter %s.StatisticValues.SampleCount is invalid.", x[0], at);
    if (x[2] > x[3])
        return rn_call_fail(c, CW_ERR_INVALID_PARAMETER,
                            "The parameter %s.StatisticValues.Maximum must be greater than %s.StatisticValues.Minimum.",
                            at, at);
    *a = (cw_agg_t){x[0], x[1], x[2], x[3]};
    return 0;
}

static int parse_values(rn_call_t *c, const json_t *values, const json_t *counts, const char *at, parsed_t *p)
{
    size_t n = json_array_size(values);
    if (n > MAX_VALUES)
        return rn_call_fail(c, CW_ERR_INVALID_PARAMETER,
                            "The collection %s.Values must not have a size greater than %d.", at, MAX_VALUES);
    if (counts && json_array_size(counts) != n)
        return rn_call_fail(c, CW_ERR_INVALID_PARAMETER,
                            "The parameters %s.Values and %s.Counts must be of the same size.", at, at);
    if (!n)
        return rn_call_fail(c, CW_ERR_MISSING_PARAMETER, "The parameter %s.Values is required.", at);
    if (!(p->vals = rn_malloc(2 * n * sizeof *p->vals)))
        return rn_call_fail(c, RN_ERR_NOMEM, "Out of memory.");
    double *v = p->vals, *cnt = p->vals + n;
    char where[96];
    p->d.a = (cw_agg_t){0, 0, INFINITY, -INFINITY};
    for (size_t i = 0; i < n; i++) {
        snprintf(where, sizeof where, "%s.Values.member.%zu", at, i + 1);
        if (num_at(c, json_array_get(values, i), where, &v[i]) != 0)
            return c->err ? c->err : bad_value(c, where, json_array_get(values, i));
        cnt[i] = 1;
        if (counts) {
            snprintf(where, sizeof where, "%s.Counts.member.%zu", at, i + 1);
            if (num_at(c, json_array_get(counts, i), where, &cnt[i]) != 0 || cnt[i] < 0)
                return c->err ? c->err : bad_value(c, where, json_array_get(counts, i));
        }
        if (cnt[i] <= 0)
            continue;
        p->d.a.n += cnt[i];
        p->d.a.sum += v[i] * cnt[i];
        if (v[i] < p->d.a.min)
            p->d.a.min = v[i];
        if (v[i] > p->d.a.max)
            p->d.a.max = v[i];
    }
    p->d.v = v;
    p->d.c = cnt;
    p->d.nv = n;
    return 0;
}

static int parse_datum(rn_call_t *c, const char *ns, const json_t *m, size_t idx, int64_t now, parsed_t *p)
{
    char at[48], where[96];
    snprintf(at, sizeof at, "MetricData.member.%zu", idx + 1);
    p->name = rn_param_str(m, "MetricName");
    if (!p->name)
        return rn_call_fail(c, CW_ERR_MISSING_PARAMETER, "The parameter %s.MetricName is required.", at);
    if (!*p->name || strlen(p->name) > 255)
        return rn_call_fail(c, CW_ERR_INVALID_PARAMETER, "The value %s for parameter %s.MetricName is invalid.",
                            p->name, at);
    snprintf(where, sizeof where, "%s.Dimensions", at);
    if (cw_in_dims(c, json_object_get(m, "Dimensions"), where, 1, &p->dims) < 0)
        return c->err;
    const json_t *value = json_object_get(m, "Value"), *values = json_object_get(m, "Values");
    const json_t *counts = json_object_get(m, "Counts"), *sv = json_object_get(m, "StatisticValues");
    if (json_is_null(value))
        value = NULL;
    if (values && !json_array_size(values) && !counts)
        values = NULL;
    if (value && sv)
        return rn_call_fail(c, CW_ERR_INVALID_COMBINATION,
                            "The parameters %s.Value and %s.StatisticValues are mutually exclusive and you have "
                            "specified both.", at, at);
    if (value && values)
        return rn_call_fail(c, CW_ERR_INVALID_COMBINATION,
                            "The parameters %s.Value and %s.Values are mutually exclusive and you have specified both.",
                            at, at);
    if (values && sv)
        return rn_call_fail(c, CW_ERR_INVALID_COMBINATION,
                            "The parameters %s.Values and %s.StatisticValues are mutually exclusive and you have "
                            "specified both.", at, at);
    p->unit = rn_param_str(m, "Unit");
    if (json_object_get(m, "Unit") && !cw_unit_valid(p->unit)) {
        snprintf(where, sizeof where, "%s.Unit", at);
        return bad_value(c, where, json_object_get(m, "Unit"));
    }
    if (!p->unit)
        p->unit = "None";
    long long res = 60;
    int r = cw_in_int(json_object_get(m, "StorageResolution"), &res);
    if (r < 0 || (r == 0 && res != 1 && res != 60)) {
        snprintf(where, sizeof where, "%s.StorageResolution", at);
        return bad_value(c, where, json_object_get(m, "StorageResolution"));
    }
    p->d.high_res = res == 1;
    p->d.t_ms = now;
    r = cw_in_time(json_object_get(m, "Timestamp"), &p->d.t_ms);
    if (r < 0) {
        snprintf(where, sizeof where, "%s.Timestamp", at);
        return bad_value(c, where, json_object_get(m, "Timestamp"));
    }
    if (p->d.t_ms < now - PAST_MS)
        return rn_call_fail(c, CW_ERR_INVALID_PARAMETER,
                            "The parameter %s.Timestamp must specify a time no more than two weeks in the past.", at);
    if (p->d.t_ms > now + FUTURE_MS)
        return rn_call_fail(c, CW_ERR_INVALID_PARAMETER,
                            "The parameter %s.Timestamp must specify a time no more than two hours in the future.", at);
    if (sv)
        return parse_statistic_set(c, sv, at, &p->d.a);
    if (values || counts)
        return parse_values(c, values, counts, at, p);
    snprintf(where, sizeof where, "%s.Value", at);
    double x;
    r = num_at(c, value, where, &x);
    if (r < 0)
        return r;
    if (r > 0)
        return rn_call_fail(c, CW_ERR_MISSING_PARAMETER, "The parameter %s.Value is required.", at);
    if (!(p->vals = rn_malloc(sizeof *p->vals)))
        return rn_call_fail(c, RN_ERR_NOMEM, "Out of memory.");
    p->vals[0] = x;
    p->d.a = (cw_agg_t){1, x, x, x};
    p->d.v = p->vals;
    p->d.nv = 1;
    (void)ns;
    return 0;
}

int cw_put_metric_data(cw_t *cw, rn_call_t *c)
{
    const char *ns = rn_param_str(c->in, "Namespace");
    if (cw_namespace_check(c, ns) < 0)
        return c->err;
    const json_t *data = json_object_get(c->in, "MetricData");
    size_t n = json_array_size(data);
    if (!n)
        return rn_call_fail(c, CW_ERR_MISSING_PARAMETER, "The parameter MetricData is required.");
    if (n > MAX_DATA)
        return rn_call_fail(c, CW_ERR_INVALID_PARAMETER,
                            "The collection MetricData must not have a size greater than %d.", MAX_DATA);
    parsed_t *p = rn_calloc(n, sizeof *p);
    if (!p)
        return rn_call_fail(c, RN_ERR_NOMEM, "Out of memory.");
    int64_t now = rn_now_ms();
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        rc = parse_datum(c, ns, json_array_get(data, i), i, now, &p[i]);
        if (rc == 0 && !(p[i].metric = cw_metric_key(ns, p[i].name, p[i].dims)))
            rc = rn_call_fail(c, RN_ERR_NOMEM, "Out of memory.");
    }
    for (size_t i = 0; i < n && rc == 0; i++) {
        cw_series_t *s = cw_series_make(cw, p[i].metric, ns, p[i].name, p[i].dims, p[i].unit);
        if (!s || cw_series_add(cw, s, &p[i].d) < 0)
            rc = rn_call_fail(c, RN_ERR_NOMEM, "Out of memory.");
    }
    cw_series_flush(cw);
    parsed_free(p, n);
    if (rc == 0 && !(c->out = json_object()))
        rc = rn_call_fail(c, RN_ERR_NOMEM, "Out of memory.");
    return rc;
}
