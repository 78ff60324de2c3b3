/* SPDX-License-Identifier: MIT
 * Metric series in RAM and in the store. A series is one metric (namespace,
 * name, dimensions) in one unit; it holds four tiers of aggregate buckets
 * (1 s, 1 min, 5 min, 1 h), each a time-ordered array. A datum goes into its
 * own resolution's bucket and is rolled up at once into every coarser tier,
 * so a read never aggregates more than one tier, and each tier is dropped at
 * AWS's retention for it. Records: cw.series/<id> (what the series is, its
 * newest put) and cw.b/<id>/<tier>/<t> (one bucket: counts, sum, min, max and
 * its value sketch), written once per changed bucket per call. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cloudwatch/cw_int.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/json_alloc.h"
#include "core/log.h"
#include "core/mem.h"

#define NS_SERIES "cw.series"
#define NS_BUCKET "cw.b"

const int cw_tier_res[CW_TIERS] = {1, 60, 300, 3600};
const int64_t cw_tier_keep_s[CW_TIERS] = {3 * 3600, 15 * 86400, 63 * 86400, 455 * 86400};

char *cw_metric_key(const char *ns, const char *name, json_t *dims)
{
    rn_buf_t b = {0};
    rn_buf_printf(&b, "%s\x1f%s", ns, name);
    size_t i;
    json_t *d;
    json_array_foreach(dims, i, d)
    {
        const char *v = json_string_value(json_object_get(d, "Value"));
        rn_buf_printf(&b, "\x1f%s\x1e%s", json_string_value(json_object_get(d, "Name")), v ? v : "");
    }
    return b.oom ? (rn_buf_free(&b), NULL) : rn_buf_take(&b, NULL);
}

static char *series_key(const char *metric, const char *unit)
{
    size_t a = strlen(metric), u = strlen(unit);
    char *k = rn_malloc(a + u + 2);
    if (k) {
        memcpy(k, metric, a);
        k[a] = '\x1d';
        memcpy(k + a + 1, unit, u + 1);
    }
    return k;
}

cw_series_t *cw_series_get(cw_t *cw, const char *metric, const char *unit)
{
    char *k = series_key(metric, unit);
    cw_series_t *s = k ? rn_smap_get(&cw->series, k) : NULL;
    rn_free(k);
    return s;
}

static void queue(cw_t *cw, cw_series_t *s)
{
    if (s->queued)
        return;
    if (cw->nflush == cw->flushcap) {
        size_t cap = cw->flushcap ? cw->flushcap * 2 : 64;
        cw_series_t **f = rn_realloc(cw->flush, cap * sizeof *f);
        if (!f)
            return; /* written at the next change instead */
        cw->flush = f;
        cw->flushcap = cap;
    }
    cw->flush[cw->nflush++] = s;
    s->queued = 1;
}

static void series_free(cw_series_t *s)
{
    if (!s)
        return;
    for (int t = 0; t < CW_TIERS; t++) {
        for (size_t i = 0; i < s->tier[t].n; i++)
            cw_sketch_free(&s->tier[t].b[i].s);
        rn_free(s->tier[t].b);
    }
    json_decref(s->dims);
    rn_free(s->metric);
    rn_free(s->ns);
    rn_free(s->name);
    rn_free(s->unit);
    rn_free(s);
}

static cw_series_t *series_new(cw_t *cw, uint32_t id, const char *metric, const char *ns, const char *name,
                               const json_t *dims, const char *unit)
{
    cw_series_t *s = rn_calloc(1, sizeof *s);
    char *k = series_key(metric, unit);
    if (!s || !k || !(s->metric = rn_strdup(metric)) || !(s->ns = rn_strdup(ns)) || !(s->name = rn_strdup(name)) ||
        !(s->unit = rn_strdup(unit)) || !(s->dims = json_deep_copy(dims)) || rn_smap_put(&cw->series, k, s) < 0) {
        rn_free(k);
        series_free(s);
        return NULL;
    }
    rn_free(k);
    s->id = id;
    if (id >= cw->next_id)
        cw->next_id = id + 1;
    for (int t = 0; t < CW_TIERS; t++)
        s->tier[t].dirty_t = INT64_MAX;
    return s;
}

cw_series_t *cw_series_make(cw_t *cw, const char *metric, const char *ns, const char *name, const json_t *dims,
                            const char *unit)
{
    cw_series_t *s = cw_series_get(cw, metric, unit);
    if (s)
        return s;
    s = series_new(cw, cw->next_id, metric, ns, name, dims, unit);
    if (s) {
        s->dirty = 1;
        queue(cw, s);
    }
    return s;
}

size_t cw_tier_first(const cw_tier_t *tr, int64_t t)
{
    size_t lo = 0, hi = tr->n;
    if (tr->n && tr->b[tr->n - 1].t < t)
        return tr->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (tr->b[mid].t < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The bucket of tier at time t (a multiple of its resolution), made when new. */
static cw_bucket_t *bucket_at(cw_tier_t *tr, int64_t t)
{
    size_t lo = cw_tier_first(tr, t);
    if (lo < tr->n && tr->b[lo].t == t)
        return &tr->b[lo];
    if (tr->n == tr->cap) {
        size_t cap = tr->cap ? tr->cap * 2 : 8;
        cw_bucket_t *b = rn_realloc(tr->b, cap * sizeof *b);
        if (!b)
            return NULL;
        tr->b = b;
        tr->cap = cap;
    }
    memmove(&tr->b[lo + 1], &tr->b[lo], (tr->n - lo) * sizeof *tr->b);
    memset(&tr->b[lo], 0, sizeof tr->b[lo]);
    tr->b[lo].t = t;
    tr->n++;
    return &tr->b[lo];
}

static int64_t floor_to(int64_t t, int64_t res)
{
    int64_t q = t / res;
    if (t % res < 0)
        q--;
    return q * res;
}

int cw_series_add(cw_t *cw, cw_series_t *s, const cw_datum_t *d)
{
    int64_t secs = floor_to(d->t_ms, 1000) / 1000;
    for (int t = d->high_res ? CW_SEC : CW_MIN; t < CW_TIERS; t++) {
        cw_tier_t *tr = &s->tier[t];
        int64_t bt = floor_to(secs, cw_tier_res[t]);
        cw_bucket_t *b = bucket_at(tr, bt);
        if (!b)
            return RN_ERR_NOMEM;
        cw_agg_merge(&b->a, &d->a);
        for (size_t i = 0; i < d->nv; i++)
            if (cw_sketch_add(&b->s, d->v[i], d->c ? d->c[i] : 1) < 0)
                return RN_ERR_NOMEM;
        b->dirty = 1;
        if (bt < tr->dirty_t)
            tr->dirty_t = bt;
    }
    s->last_ms = rn_now_ms(); /* RecentlyActive counts when data arrived */
    s->dirty = 1;
    queue(cw, s);
    return 0;
}

/* ---- records ---- */

static void bucket_key(const cw_series_t *s, int tier, int64_t t, char *key, size_t len)
{
    snprintf(key, len, "%08" PRIx32 "/%d/%012" PRId64, s->id, tier, t);
}

static void series_write(cw_t *cw, cw_series_t *s)
{
    char key[16];
    snprintf(key, sizeof key, "%08" PRIx32, s->id);
    json_t *o = json_pack("{s:s,s:s,s:s,s:O,s:I}", "ns", s->ns, "name", s->name, "unit", s->unit, "dims", s->dims,
                          "last", (json_int_t)s->last_ms);
    char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
    if (text)
        rn_store_kv_put(cw->env.store, NS_SERIES, key, text);
    else
        RN_WARN("cloudwatch: out of memory writing series %s", key);
    rn_json_free(text);
    json_decref(o);
}

/* "n sum min max v:n v:n ..." with every double exact. */
static void bucket_write(cw_t *cw, const cw_series_t *s, int tier, const cw_bucket_t *b, rn_buf_t *text)
{
    char key[48];
    bucket_key(s, tier, b->t, key, sizeof key);
    text->len = 0;
    rn_buf_printf(text, "%.17g %.17g %.17g %.17g", b->a.n, b->a.sum, b->a.min, b->a.max);
    for (uint32_t i = 0; i < b->s.n; i++)
        rn_buf_printf(text, " %.17g:%.17g", b->s.e[i].v, b->s.e[i].n);
    if (!text->oom)
        rn_store_kv_put(cw->env.store, NS_BUCKET, key, text->data);
}

void cw_series_flush(cw_t *cw)
{
    rn_buf_t text = {0};
    for (size_t k = 0; k < cw->nflush; k++) {
        cw_series_t *s = cw->flush[k];
        s->queued = 0;
        if (s->dirty)
            series_write(cw, s);
        s->dirty = 0;
        for (int t = 0; t < CW_TIERS; t++) {
            cw_tier_t *tr = &s->tier[t];
            if (tr->dirty_t == INT64_MAX)
                continue;
            for (size_t i = cw_tier_first(tr, tr->dirty_t); i < tr->n; i++)
                if (tr->b[i].dirty) {
                    bucket_write(cw, s, t, &tr->b[i], &text);
                    tr->b[i].dirty = 0;
                }
            tr->dirty_t = INT64_MAX;
        }
    }
    cw->nflush = 0;
    rn_buf_free(&text);
}

void cw_series_sweep(cw_t *cw)
{
    int64_t now = rn_now_ms() / 1000;
    size_t i = 0;
    const char *k;
    void *v;
    char **gone = NULL;
    size_t ngone = 0;
    while (rn_smap_next(&cw->series, &i, &k, &v)) {
        cw_series_t *s = v;
        size_t left = 0;
        for (int t = 0; t < CW_TIERS; t++) {
            cw_tier_t *tr = &s->tier[t];
            int64_t cut = now - cw_tier_keep_s[t];
            size_t drop = 0;
            while (drop < tr->n && tr->b[drop].t + cw_tier_res[t] <= cut)
                cw_sketch_free(&tr->b[drop++].s);
            if (drop) {
                char from[48], to[48];
                bucket_key(s, t, 0, from, sizeof from);
                bucket_key(s, t, tr->b[drop - 1].t + 1, to, sizeof to);
                rn_store_kv_delete_range(cw->env.store, NS_BUCKET, from, to);
                memmove(tr->b, tr->b + drop, (tr->n - drop) * sizeof *tr->b);
                tr->n -= drop;
            }
            left += tr->n;
        }
        if (!left && !s->queued) {
            char **g = rn_realloc(gone, (ngone + 1) * sizeof *g);
            if (g && (g[ngone] = rn_strdup(k))) {
                gone = g;
                ngone++;
            } else if (g) {
                gone = g;
            }
        }
    }
    for (size_t g = 0; g < ngone; g++) {
        cw_series_t *s = rn_smap_del(&cw->series, gone[g]);
        if (s) {
            char key[16];
            snprintf(key, sizeof key, "%08" PRIx32, s->id);
            rn_store_kv_delete(cw->env.store, NS_SERIES, key);
            series_free(s);
        }
        rn_free(gone[g]);
    }
    rn_free(gone);
}

/* ---- loading ---- */

typedef struct load {
    cw_t *cw;
    rn_imap_t by_id; /* id -> series, while loading */
} load_t;

static int load_series(void *ud, const char *key, const char *value)
{
    load_t *L = ud;
    json_t *o = json_loads(value, 0, NULL);
    const char *ns = json_string_value(json_object_get(o, "ns")), *name = json_string_value(json_object_get(o, "name"));
    const char *unit = json_string_value(json_object_get(o, "unit"));
    json_t *dims = json_object_get(o, "dims");
    char *metric = ns && name && unit && json_is_array(dims) ? cw_metric_key(ns, name, dims) : NULL;
    cw_series_t *s = metric ? series_new(L->cw, (uint32_t)strtoul(key, NULL, 16), metric, ns, name, dims, unit) : NULL;
    if (s) {
        s->last_ms = json_integer_value(json_object_get(o, "last"));
        rn_imap_put(&L->by_id, s->id, s);
    } else {
        RN_WARN("cloudwatch: series record %s unreadable, skipped", key);
    }
    rn_free(metric);
    json_decref(o);
    return 0;
}

static int load_bucket(void *ud, const char *key, const char *value)
{
    load_t *L = ud;
    unsigned id;
    int tier;
    long long t;
    if (sscanf(key, "%8x/%d/%lld", &id, &tier, &t) != 3 || tier < 0 || tier >= CW_TIERS)
        return 0;
    cw_series_t *s = rn_imap_get(&L->by_id, id);
    if (!s)
        return 0;
    cw_bucket_t *b = bucket_at(&s->tier[tier], t);
    if (!b)
        return 0;
    char *end;
    const char *p = value;
    b->a.n = strtod(p, &end);
    b->a.sum = strtod(end, &end);
    b->a.min = strtod(end, &end);
    b->a.max = strtod(end, &end);
    while (*end == ' ') {
        double v = strtod(end + 1, &end);
        if (*end != ':')
            break;
        double n = strtod(end + 1, &end);
        cw_sketch_add(&b->s, v, n);
    }
    return 0;
}

void cw_series_load(cw_t *cw)
{
    load_t L = {cw, {0}};
    rn_store_kv_scan(cw->env.store, NS_SERIES, NULL, NULL, load_series, &L);
    rn_store_kv_scan(cw->env.store, NS_BUCKET, NULL, NULL, load_bucket, &L);
    rn_imap_free(&L.by_id);
}

void cw_series_drop_all(cw_t *cw)
{
    size_t i = 0;
    const char *k;
    void *v;
    while (rn_smap_next(&cw->series, &i, &k, &v))
        series_free(v);
    rn_smap_free(&cw->series);
    memset(&cw->series, 0, sizeof cw->series);
    cw->nflush = 0;
    cw->next_id = 0;
}
