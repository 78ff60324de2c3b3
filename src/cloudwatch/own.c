/* SPDX-License-Identifier: MIT
 * Runnel's own metrics in CloudWatch, as AWS publishes its services'
 * (AWS/SQS, AWS/Events, AWS/Lambda, AWS/SNS): once a minute the instance
 * asks every service for its figures (rn_sinks_metrics), keeps those of its
 * own account and region, and adds a datapoint per figure for that minute:
 * a counter's increase since the last minute (SampleCount the observations
 * it covers, for amounts like Duration), a gauge's value. A figure is added
 * when it moved (a counter grew, a gauge changed), not every minute as AWS
 * does for active resources, so idle resources cost nothing. Owns the last
 * values seen (cw_t.own). */
#include <stdio.h>
#include <string.h>

#include "cloudwatch/cw_int.h"
#include "core/clock.h"
#include "core/mem.h"
#include "core/sink.h"

typedef struct last {
    double value, samples;
} last_t;

typedef struct {
    cw_t *cw;
    int64_t minute_ms;
} own_ctx_t;

static void add(cw_t *cw, const rn_metric_t *m, int64_t t_ms, cw_agg_t a)
{
    json_t *dims = json_array();
    if (dims && m->dim)
        json_array_append_new(dims, json_pack("{s:s,s:s}", "Name", m->dim, "Value", m->dim_value ? m->dim_value : ""));
    if (dims && m->dim2)
        json_array_append_new(dims,
                              json_pack("{s:s,s:s}", "Name", m->dim2, "Value", m->dim2_value ? m->dim2_value : ""));
    char *key = dims ? cw_metric_key(m->ns, m->name, dims) : NULL;
    cw_series_t *s = key ? cw_series_make(cw, key, m->ns, m->name, dims, m->unit ? m->unit : "None") : NULL;
    double v = a.n > 0 ? a.sum / a.n : 0;
    cw_datum_t d = {t_ms, 0, a, &v, &a.n, 1};
    if (s)
        cw_series_add(cw, s, &d);
    rn_free(key);
    json_decref(dims);
}

static void take(void *ud, const char *account, const char *region, const rn_metric_t *m)
{
    own_ctx_t *o = ud;
    cw_t *cw = o->cw;
    if (strcmp(account, cw->env.cfg->account_id) != 0 || strcmp(region, cw->env.cfg->region) != 0)
        return;
    char key[600];
    snprintf(key, sizeof key, "%s\x1d%s\x1d%s\x1d%s\x1d%s\x1d%s", m->ns, m->name, m->dim ? m->dim : "",
             m->dim_value ? m->dim_value : "", m->dim2 ? m->dim2 : "", m->dim2_value ? m->dim2_value : "");
    last_t *l = rn_smap_get(&cw->own, key);
    if (!l) {
        if (!(l = rn_calloc(1, sizeof *l)) || rn_smap_put(&cw->own, key, l) < 0) {
            rn_free(l);
            return;
        }
        /* (a level starts at 0: a first sample of 0 is no news, so an idle
         * resource adds nothing) */
    }
    if (m->kind == RN_METRIC_GAUGE) {
        if (m->value != l->value)
            add(cw, m, o->minute_ms, (cw_agg_t){1, m->value, m->value, m->value});
        l->value = m->value;
        return;
    }
    /* a counter that went down was reset (the resource re-made, /_runnel/reset): it counts from 0 */
    double dv = m->value >= l->value ? m->value - l->value : m->value;
    double ds = m->samples >= l->samples ? m->samples - l->samples : m->samples;
    l->value = m->value;
    l->samples = m->samples;
    if (dv <= 0 && ds <= 0)
        return;
    if (m->samples > 0 || ds > 0) { /* an amount over ds observations: their average as min and max */
        double avg = ds > 0 ? dv / ds : dv;
        add(cw, m, o->minute_ms, (cw_agg_t){ds > 0 ? ds : 1, dv, avg, avg});
    } else {
        add(cw, m, o->minute_ms, (cw_agg_t){1, dv, dv, dv});
    }
}

void cw_own_collect(cw_t *cw, int64_t now_ms)
{
    own_ctx_t o = {cw, now_ms / 60000 * 60000 - 60000}; /* the minute that just ended */
    rn_sinks_metrics(cw->env.sinks, take, &o);
    cw_series_flush(cw);
}

void cw_own_drop(cw_t *cw)
{
    size_t i = 0;
    const char *k;
    void *v;
    while (rn_smap_next(&cw->own, &i, &k, &v))
        rn_free(v);
    rn_smap_free(&cw->own);
    memset(&cw->own, 0, sizeof cw->own);
}
