/* SPDX-License-Identifier: MIT
 * Value sketches for percentiles: a sorted list of distinct values with their
 * counts. While a bucket has seen few distinct values they are kept exactly;
 * past CW_SKETCH_MAX the list is compacted by merging values that fall in the
 * same log-spaced cell (relative width 2%, doubling until the list fits) into
 * their weighted mean, which bounds a bucket's memory and keeps a percentile
 * within about a cell of the truth. */
#include <math.h>
#include <string.h>

#include "cloudwatch/cw_int.h"
#include "core/err.h"
#include "core/mem.h"

void cw_agg_merge(cw_agg_t *a, const cw_agg_t *b)
{
    if (b->n <= 0)
        return;
    if (a->n <= 0) {
        *a = *b;
        return;
    }
    a->n += b->n;
    a->sum += b->sum;
    if (b->min < a->min)
        a->min = b->min;
    if (b->max > a->max)
        a->max = b->max;
}

static int grow(cw_sketch_t *s, uint32_t need)
{
    if (need <= s->cap)
        return 0;
    uint32_t cap = s->cap ? s->cap * 2 : 4;
    while (cap < need)
        cap *= 2;
    cw_vc_t *e = rn_realloc(s->e, cap * sizeof *e);
    if (!e)
        return RN_ERR_NOMEM;
    s->e = e;
    s->cap = cap;
    return 0;
}

/* The log cell of v at relative width w: values in one cell are merged. */
static double cell(double v, double lw)
{
    if (v == 0)
        return 0;
    double k = floor(log(fabs(v)) / lw);
    return v < 0 ? -(k + 1e6) : k + 1e6; /* keeps signs apart and 0 alone */
}

/* Merges neighbours in the same cell until the list fits in half its limit. */
static void compact(cw_sketch_t *s)
{
    double lw = log(1.02);
    while (s->n > CW_SKETCH_MAX / 2) {
        uint32_t out = 0;
        for (uint32_t i = 0; i < s->n; i++) {
            if (out && cell(s->e[out - 1].v, lw) == cell(s->e[i].v, lw)) {
                cw_vc_t *p = &s->e[out - 1];
                double n = p->n + s->e[i].n;
                if (n > 0)
                    p->v = (p->v * p->n + s->e[i].v * s->e[i].n) / n;
                p->n = n;
            } else {
                s->e[out++] = s->e[i];
            }
        }
        s->n = out;
        lw *= 2;
    }
}

int cw_sketch_add(cw_sketch_t *s, double v, double n)
{
    if (n <= 0)
        return 0;
    uint32_t lo = 0, hi = s->n;
    if (s->n && s->e[s->n - 1].v < v) {
        lo = s->n;
    } else {
        while (lo < hi) {
            uint32_t mid = (lo + hi) / 2;
            if (s->e[mid].v < v)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < s->n && s->e[lo].v == v) {
            s->e[lo].n += n;
            return 0;
        }
    }
    if (grow(s, s->n + 1) < 0)
        return RN_ERR_NOMEM;
    memmove(&s->e[lo + 1], &s->e[lo], (s->n - lo) * sizeof *s->e);
    s->e[lo] = (cw_vc_t){v, n};
    s->n++;
    if (s->n > CW_SKETCH_MAX)
        compact(s);
    return 0;
}

int cw_sketch_merge(cw_sketch_t *dst, const cw_sketch_t *src)
{
    if (!src->n)
        return 0;
    cw_vc_t *m = rn_malloc((size_t)(dst->n + src->n) * sizeof *m);
    if (!m)
        return RN_ERR_NOMEM;
    uint32_t i = 0, j = 0, k = 0;
    while (i < dst->n || j < src->n) {
        if (j >= src->n || (i < dst->n && dst->e[i].v < src->e[j].v))
            m[k++] = dst->e[i++];
        else if (i >= dst->n || src->e[j].v < dst->e[i].v)
            m[k++] = src->e[j++];
        else {
            m[k] = dst->e[i++];
            m[k++].n += src->e[j++].n;
        }
    }
    rn_free(dst->e);
    dst->e = m;
    dst->n = k;
    dst->cap = k;
    if (dst->n > CW_SKETCH_MAX)
        compact(dst);
    return 0;
}

int cw_sketch_pct(const cw_sketch_t *s, double p, double *out)
{
    double total = 0;
    for (uint32_t i = 0; i < s->n; i++)
        total += s->e[i].n;
    if (total <= 0)
        return -1;
    double rank = p / 100.0 * total, run = 0;
    for (uint32_t i = 0; i < s->n; i++) {
        run += s->e[i].n;
        if (run >= rank - 1e-9 * total) {
            *out = s->e[i].v;
            return 0;
        }
    }
    *out = s->e[s->n - 1].v;
    return 0;
}

void cw_sketch_free(cw_sketch_t *s)
{
    rn_free(s->e);
    memset(s, 0, sizeof *s);
}
