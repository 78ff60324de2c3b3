/* SPDX-License-Identifier: MIT
 * GetMetricStatistics: one metric (exact dimensions), a time range cut into
 * periods, the statistics asked for; each unit the metric was put in gives
 * its own datapoints (or only the Unit asked for). AWS's checks: required
 * members, the period's form, StartTime before EndTime, at most 1,440
 * datapoints. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cloudwatch/cw_int.h"
#include "core/call.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/mem.h"
#include "core/params.h"

#define MAX_DATAPOINTS 1440

int cw_period_check(rn_call_t *c, const json_t *v, const char *where, int required, int *out)
{
    long long p;
    int r = cw_in_int(v, &p);
    if (r > 0) {
        if (required)
            return rn_call_fail(c, CW_ERR_MISSING_PARAMETER, "The parameter %s is required.", where);
        *out = 0;
        return 0;
    }
    if (r < 0 || p < 1 || p > 86400 * 455)
        return rn_call_fail(c, CW_ERR_INVALID_PARAMETER, "The parameter %s must be greater than 0.", where);
    if (p < 60 ? (p != 1 && p != 5 && p != 10 && p != 30) : p % 60 != 0)
        return rn_call_fail(c, CW_ERR_INVALID_PARAMETER, "The parameter %s must be 1, 5, 10, 30, or a multiple of 60.",
                            where);
    *out = (int)p;
    return 0;
}

static int check_stats(rn_call_t *c, const json_t *stats, const json_t *ext)
{
    static const char *const basic[] = {"Average", "Sum", "SampleCount", "Maximum", "Minimum", NULL};
    if (!json_array_size(stats) && !json_array_size(ext))
        return rn_call_fail(c, CW_ERR_MISSING_PARAMETER, "Must specify either Statistics or ExtendedStatistics.");
    if (json_array_size(stats) > 5)
        return rn_call_fail(c, CW_ERR_INVALID_PARAMETER,
                            "The collection Statistics must not have a size greater than 5.");
    if (json_array_size(ext) > 10)
        return rn_call_fail(c, CW_ERR_INVALID_PARAMETER,
                            "The collection ExtendedStatistics must not have a size greater than 10.");
    size_t i;
    json_t *s;
    json_array_foreach(stats, i, s)
    {
        int ok = 0;
        for (size_t k = 0; basic[k] && json_is_string(s); k++)
            ok |= strcmp(basic[k], json_string_value(s)) == 0;
        if (!ok)
            return rn_call_fail(c, CW_ERR_INVALID_PARAMETER,
                                "The parameter Statistics.member.%zu must be a value in the set [ Average, Sum, "
                                "SampleCount, Maximum, Minimum ].", i + 1);
    }
    json_array_foreach(ext, i, s)
    {
        const char *x = json_string_value(s);
        if (!x || x[0] != 'p' || !cw_stat_valid(x))
            return rn_call_fail(c, CW_ERR_INVALID_PARAMETER,
                                "The value %s for parameter ExtendedStatistics.member.%zu is not supported.",
                                x ? x : "", i + 1);
    }
    return 0;
}

int cw_get_metric_statistics(cw_t *cw, rn_call_t *c)
{
    const json_t *in = c->in;
    const char *ns = rn_param_str(in, "Namespace"), *name = rn_param_str(in, "MetricName");
    if (!ns)
        return rn_call_fail(c, CW_ERR_MISSING_PARAMETER, "The parameter Namespace is required.");
    if (!name)
        return rn_call_fail(c, CW_ERR_MISSING_PARAMETER, "The parameter MetricName is required.");
    int64_t start_ms, end_ms;
    if (cw_in_range(c, &start_ms, &end_ms) < 0)
        return c->err;
    int period;
    if (cw_period_check(c, json_object_get(in, "Period"), "Period", 1, &period) < 0)
        return c->err;
    const json_t *stats = json_object_get(in, "Statistics"), *ext = json_object_get(in, "ExtendedStatistics");
    if (check_stats(c, stats, ext) < 0)
        return c->err;
    const char *unit = rn_param_str(in, "Unit");
    if (json_object_get(in, "Unit") && !cw_unit_valid(unit))
        return rn_call_fail(c, CW_ERR_INVALID_PARAMETER, "The value %s for parameter Unit is invalid.",
                            unit ? unit : "");
    int64_t start = (int64_t)floor(start_ms / 1000.0), end = (int64_t)ceil(end_ms / 1000.0);
    long long want = (end_ms - start_ms + period * 1000LL - 1) / (period * 1000LL);
    if (want > MAX_DATAPOINTS)
        return rn_call_fail(c, CW_ERR_INVALID_COMBINATION,
                            "You have requested up to %lld datapoints, which exceeds the limit of %d. You may reduce "
                            "the datapoints requested by increasing Period, or decreasing the time range.",
                            want, MAX_DATAPOINTS);
    json_t *dims;
    if (cw_in_dims(c, json_object_get(in, "Dimensions"), "Dimensions", 1, &dims) < 0)
        return c->err;
    char *metric = cw_metric_key(ns, name, dims);
    json_decref(dims);
    cw_series_t **series = NULL;
    size_t ns_n = metric ? cw_series_of(cw, metric, unit, &series) : 0;
    rn_free(metric);
    int tier = cw_tier_for(period, &start, rn_now_ms() / 1000);
    json_t *points = json_array();
    json_t *out = json_pack("{s:s,s:o}", "Label", name, "Datapoints", points);
    int rc = out ? 0 : RN_ERR_NOMEM;
    for (size_t k = 0; k < ns_n && rc == 0; k++) {
        cw_point_t *p;
        size_t np;
        rc = cw_read(&series[k], 1, tier, start, end, period, json_array_size(ext) > 0, &p, &np);
        for (size_t i = 0; i < np && rc == 0; i++) {
            json_t *dp = json_pack("{s:I,s:s}", "Timestamp", (json_int_t)p[i].t, "Unit", series[k]->unit);
            size_t j;
            json_t *s;
            double v;
            json_array_foreach(stats, j, s) if (cw_stat_value(&p[i], json_string_value(s), &v) == 0)
                json_object_set_new(dp, json_string_value(s), json_real(v));
            json_t *e = json_array_size(ext) ? json_object() : NULL;
            json_array_foreach(ext, j, s) if (cw_stat_value(&p[i], json_string_value(s), &v) == 0)
                json_object_set_new(e, json_string_value(s), json_real(v));
            if (e)
                json_object_set_new(dp, "ExtendedStatistics", e);
            if (!dp || json_array_append_new(points, dp) < 0)
                rc = RN_ERR_NOMEM;
        }
        cw_points_free(p, np);
    }
    rn_free(series);
    if (rc < 0) {
        json_decref(out);
        return rn_call_fail(c, RN_ERR_NOMEM, "Out of memory.");
    }
    c->out = out;
    return 0;
}
