/* SPDX-License-Identifier: MIT
 * Reading series: which tier a query reads, aggregating a tier's buckets into
 * the query's periods, and a period's statistics (the five of
 * GetMetricStatistics and percentiles from the merged value sketches). Every
 * read touches only buckets in its range, found by binary search. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cloudwatch/cw_int.h"
#include "core/err.h"
#include "core/mem.h"

int cw_tier_for(int period, int64_t *start, int64_t now)
{
    int64_t age = now - *start;
    int64_t align = period < 60 ? 1 : age < cw_tier_keep_s[CW_MIN] ? 60 : age < cw_tier_keep_s[CW_MIN5] ? 300 : 3600;
    *start -= ((*start % align) + align) % align;
    int t = CW_TIERS - 1;
    while (t > 0 && (period % cw_tier_res[t] != 0 || *start % cw_tier_res[t] != 0))
        t--;
    return t;
}

void cw_points_free(cw_point_t *p, size_t n)
{
    for (size_t i = 0; p && i < n; i++)
        cw_sketch_free(&p[i].s);
    rn_free(p);
}

int cw_read(cw_series_t *const *series, size_t n, int tier, int64_t start, int64_t end, int period, int want_sketch,
            cw_point_t **out, size_t *nout)
{
    *out = NULL;
    *nout = 0;
    if (end <= start || period <= 0)
        return 0;
    size_t slots = (size_t)((end - start + period - 1) / period);
    if (slots > 200000)
        slots = 200000;
    cw_point_t *p = rn_calloc(slots, sizeof *p);
    if (!p)
        return RN_ERR_NOMEM;
    for (size_t k = 0; k < n; k++) {
        const cw_tier_t *tr = &series[k]->tier[tier];
        for (size_t i = cw_tier_first(tr, start); i < tr->n && tr->b[i].t < end; i++) {
            size_t slot = (size_t)((tr->b[i].t - start) / period);
            if (slot >= slots)
                break;
            cw_agg_merge(&p[slot].a, &tr->b[i].a);
            if (want_sketch && cw_sketch_merge(&p[slot].s, &tr->b[i].s) < 0) {
                cw_points_free(p, slots);
                return RN_ERR_NOMEM;
            }
        }
    }
    size_t m = 0;
    for (size_t i = 0; i < slots; i++) {
        if (p[i].a.n <= 0) {
            cw_sketch_free(&p[i].s);
            continue;
        }
        p[i].t = start + (int64_t)i * period;
        p[m++] = p[i];
    }
    if (!m) {
        rn_free(p);
        return 0;
    }
    *out = p;
    *nout = m;
    return 0;
}

/* "p" followed by a number in [0, 100]: the percentile, or -1. */
static double percentile_of(const char *stat)
{
    if (stat[0] != 'p' || !stat[1])
        return -1;
    char *end;
    double p = strtod(stat + 1, &end);
    if (*end || !(p >= 0 && p <= 100) || stat[1] == '-' || stat[1] == '+' || stat[1] == ' ')
        return -1;
    const char *dot = strchr(stat, '.');
    if (dot && strlen(dot + 1) > 2) /* AWS takes up to two decimals */
        return -1;
    return p;
}

int cw_stat_valid(const char *stat)
{
    static const char *const basic[] = {"Sum", "Average", "Minimum", "Maximum", "SampleCount", NULL};
    for (size_t i = 0; stat && basic[i]; i++)
        if (strcmp(stat, basic[i]) == 0)
            return 1;
    return stat && percentile_of(stat) >= 0;
}

int cw_stat_value(const cw_point_t *p, const char *stat, double *out)
{
    if (p->a.n <= 0)
        return -1;
    if (strcmp(stat, "Sum") == 0)
        *out = p->a.sum;
    else if (strcmp(stat, "Average") == 0)
        *out = p->a.sum / p->a.n;
    else if (strcmp(stat, "Minimum") == 0)
        *out = p->a.min;
    else if (strcmp(stat, "Maximum") == 0)
        *out = p->a.max;
    else if (strcmp(stat, "SampleCount") == 0)
        *out = p->a.n;
    else {
        double pct = percentile_of(stat);
        if (pct < 0 || cw_sketch_pct(&p->s, pct, out) < 0)
            return -1;
        if (*out < p->a.min) /* a merged cell's mean never leaves the true range */
            *out = p->a.min;
        if (*out > p->a.max)
            *out = p->a.max;
    }
    return 0;
}

size_t cw_series_of(cw_t *cw, const char *metric, const char *unit, cw_series_t ***out)
{
    size_t n = 0;
    cw_series_t **v = rn_malloc(28 * sizeof *v);
    *out = v;
    if (!v)
        return 0;
    for (size_t i = 0; cw_units[i]; i++) {
        if (unit && strcmp(unit, cw_units[i]) != 0)
            continue;
        cw_series_t *s = cw_series_get(cw, metric, cw_units[i]);
        if (s)
            v[n++] = s;
    }
    return n;
}
