/* SPDX-License-Identifier: MIT
 * ListMetrics: the metrics (namespace, name, dimensions; every unit counts as
 * one metric) that had data in the last two weeks, or the last three hours
 * with RecentlyActive PT3H, filtered by namespace, name and dimensions (a
 * filter without a value matches any value), in a stable order, 500 a page.
 * The NextToken is the base64 of the last metric key returned. */
#include <stdlib.h>
#include <string.h>

#include "cloudwatch/cw_int.h"
#include "core/base64.h"
#include "core/call.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/mem.h"
#include "core/params.h"

#define PAGE 500
#define LISTED_MS (14LL * 86400 * 1000)
#define RECENT_MS (3LL * 3600 * 1000)

static int by_metric(const void *a, const void *b)
{
    return strcmp((*(cw_series_t *const *)a)->metric, (*(cw_series_t *const *)b)->metric);
}

static int dims_match(const cw_series_t *s, const json_t *filters)
{
    size_t i;
    json_t *f;
    json_array_foreach(filters, i, f)
    {
        const char *name = json_string_value(json_object_get(f, "Name"));
        const char *value = json_string_value(json_object_get(f, "Value"));
        int found = 0;
        size_t j;
        json_t *d;
        json_array_foreach(s->dims, j, d)
        {
            if (strcmp(json_string_value(json_object_get(d, "Name")), name) == 0 &&
                (!value || strcmp(json_string_value(json_object_get(d, "Value")), value) == 0))
                found = 1;
        }
        if (!found)
            return 0;
    }
    return 1;
}

int cw_list_metrics(cw_t *cw, rn_call_t *c)
{
    const json_t *in = c->in;
    const char *ns = rn_param_str(in, "Namespace"), *name = rn_param_str(in, "MetricName");
    const char *recent = rn_param_str(in, "RecentlyActive"), *token = rn_param_str(in, "NextToken");
    if (recent && strcmp(recent, "PT3H") != 0)
        return rn_call_fail(c, CW_ERR_INVALID_PARAMETER, "The value %s for parameter RecentlyActive is invalid.",
                            recent);
    json_t *filters;
    if (cw_in_dims(c, json_object_get(in, "Dimensions"), "Dimensions", 0, &filters) < 0)
        return c->err;
    if (json_array_size(filters) > 10) {
        json_decref(filters);
        return rn_call_fail(c, CW_ERR_INVALID_PARAMETER,
                            "The collection Dimensions must not have a size greater than 10.");
    }
    unsigned char *after = NULL;
    size_t after_len = 0;
    if (token && (rn_b64_decode(token, strlen(token), &after, &after_len) < 0 || !after_len)) {
        json_decref(filters);
        rn_free(after);
        return rn_call_fail(c, CW_ERR_INVALID_NEXT_TOKEN, "The service returned an invalid NextToken.");
    }
    int64_t since = rn_now_ms() - (recent ? RECENT_MS : LISTED_MS);
    cw_series_t **v = rn_malloc((cw->series.len + 1) * sizeof *v);
    size_t n = 0, i = 0;
    const char *k;
    void *val;
    while (v && rn_smap_next(&cw->series, &i, &k, &val)) {
        cw_series_t *s = val;
        if (s->last_ms < since || (ns && strcmp(ns, s->ns) != 0) || (name && strcmp(name, s->name) != 0) ||
            !dims_match(s, filters) || (after && strcmp(s->metric, (const char *)after) <= 0))
            continue;
        v[n++] = s;
    }
    json_decref(filters);
    rn_free(after);
    if (!v)
        return rn_call_fail(c, RN_ERR_NOMEM, "Out of memory.");
    qsort(v, n, sizeof *v, by_metric);
    json_t *metrics = json_array(), *out = json_pack("{s:o}", "Metrics", metrics);
    size_t listed = 0;
    const char *last = NULL;
    for (size_t j = 0; out && j < n; j++) {
        if (last && strcmp(last, v[j]->metric) == 0)
            continue; /* the same metric in another unit */
        if (listed == PAGE) {
            char *t = rn_b64_encode(last, strlen(last));
            if (t)
                json_object_set_new(out, "NextToken", json_string(t));
            rn_free(t);
            break;
        }
        json_array_append_new(metrics, json_pack("{s:s,s:s,s:O}", "Namespace", v[j]->ns, "MetricName", v[j]->name,
                                                 "Dimensions", v[j]->dims));
        last = v[j]->metric;
        listed++;
    }
    rn_free(v);
    return cw_reply(c, out);
}
