/* SPDX-License-Identifier: MIT
 * GetMetricData: MetricStat queries read like GetMetricStatistics (all units
 * merged), expressions are basic metric math over them: numbers, query ids,
 * + - * / between series and scalars, SUM AVG MIN MAX (of one series: a
 * scalar; of [a, b] or METRICS(): a series across them) and RATE. Results
 * whose ReturnData is not false are returned, newest first unless ScanBy says
 * otherwise, MaxDatapoints at a time with a NextToken. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cloudwatch/cw_int.h"
#include "core/call.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/mem.h"
#include "core/params.h"

#define MAX_QUERIES 500
#define DEFAULT_MAX_POINTS 100800
#define MAX_DEPTH 32
#define TOKEN_PREFIX "cwmd-"

typedef struct series {
    int64_t *t;
    double *v;
    size_t n;
} series_t;

/* A value of an expression: a scalar, one series, or several. */
typedef struct val {
    int kind; /* 0 scalar, 1 series, 2 array */
    double x;
    series_t *s; /* owned: 1 for a series, n for an array */
    size_t n;
} val_t;

typedef struct query {
    const json_t *q;
    const char *id;
    int state; /* 0 not evaluated, 1 evaluating, 2 done */
    val_t val;
} query_t;

typedef struct ctx {
    cw_t *cw;
    rn_call_t *c;
    query_t *qs;
    size_t nq;
    int64_t start, end;
    int period; /* the first MetricStat's, for a scalar's timestamps */
    const char *expr, *p; /* the expression being parsed */
    const char *eid;
    int depth;
} ctx_t;

static void series_free(series_t *s)
{
    rn_free(s->t);
    rn_free(s->v);
    s->t = NULL;
    s->v = NULL;
    s->n = 0;
}

static void val_free(val_t *v)
{
    for (size_t i = 0; i < v->n; i++)
        series_free(&v->s[i]);
    rn_free(v->s);
    memset(v, 0, sizeof *v);
}

static int series_alloc(series_t *s, size_t n)
{
    s->n = 0;
    s->t = rn_malloc((n ? n : 1) * sizeof *s->t);
    s->v = rn_malloc((n ? n : 1) * sizeof *s->v);
    return s->t && s->v ? 0 : RN_ERR_NOMEM;
}

static int val_series(val_t *v, size_t n)
{
    memset(v, 0, sizeof *v);
    v->kind = n == 1 ? 1 : 2;
    v->s = rn_calloc(n ? n : 1, sizeof *v->s);
    v->n = n;
    return v->s ? 0 : RN_ERR_NOMEM;
}

static int copy_val(val_t *dst, const val_t *src)
{
    *dst = (val_t){src->kind, src->x, NULL, 0};
    if (src->kind == 0)
        return 0;
    if (val_series(dst, src->n) < 0)
        return RN_ERR_NOMEM;
    dst->kind = src->kind;
    for (size_t i = 0; i < src->n; i++) {
        if (series_alloc(&dst->s[i], src->s[i].n) < 0)
            return RN_ERR_NOMEM;
        memcpy(dst->s[i].t, src->s[i].t, src->s[i].n * sizeof *src->s[i].t);
        memcpy(dst->s[i].v, src->s[i].v, src->s[i].n * sizeof *src->s[i].v);
        dst->s[i].n = src->s[i].n;
    }
    return 0;
}

static int fail_expr(ctx_t *x, const char *what)
{
    return rn_call_fail(x->c, CW_ERR_VALIDATION, "Error in expression '%s': %s", x->eid, what);
}

/* ---- MetricStat ---- */

static int metric_stat(ctx_t *x, const json_t *ms, const char *at, val_t *out)
{
    const json_t *m = json_object_get(ms, "Metric");
    const char *ns = rn_param_str(m, "Namespace"), *name = rn_param_str(m, "MetricName");
    const char *stat = rn_param_str(ms, "Stat"), *unit = rn_param_str(ms, "Unit");
    if (!ns || !name)
        return rn_call_fail(x->c, CW_ERR_MISSING_PARAMETER, "The parameter %s.MetricStat.Metric.%s is required.", at,
                            ns ? "MetricName" : "Namespace");
    if (!stat)
        return rn_call_fail(x->c, CW_ERR_MISSING_PARAMETER, "The parameter %s.MetricStat.Stat is required.", at);
    if (!cw_stat_valid(stat))
        return rn_call_fail(x->c, CW_ERR_INVALID_PARAMETER, "The value %s for parameter %s.MetricStat.Stat is invalid.",
                            stat, at);
    if (json_object_get(ms, "Unit") && !cw_unit_valid(unit))
        return rn_call_fail(x->c, CW_ERR_INVALID_PARAMETER, "The value %s for parameter %s.MetricStat.Unit is invalid.",
                            unit ? unit : "", at);
    char where[96];
    snprintf(where, sizeof where, "%s.MetricStat.Period", at);
    int period;
    if (cw_period_check(x->c, json_object_get(ms, "Period"), where, 1, &period) < 0)
        return x->c->err;
    snprintf(where, sizeof where, "%s.MetricStat.Metric.Dimensions", at);
    json_t *dims;
    if (cw_in_dims(x->c, json_object_get(m, "Dimensions"), where, 1, &dims) < 0)
        return x->c->err;
    char *metric = cw_metric_key(ns, name, dims);
    json_decref(dims);
    cw_series_t **series = NULL;
    size_t n = metric ? cw_series_of(x->cw, metric, unit, &series) : 0;
    rn_free(metric);
    int64_t start = x->start;
    int tier = cw_tier_for(period, &start, rn_now_ms() / 1000);
    cw_point_t *p = NULL;
    size_t np = 0;
    int rc = n ? cw_read(series, n, tier, start, x->end, period, stat[0] == 'p', &p, &np) : 0;
    rn_free(series);
    if (!x->period)
        x->period = period;
    if (rc == 0)
        rc = val_series(out, 1);
    if (rc == 0)
        rc = series_alloc(&out->s[0], np);
    for (size_t i = 0; rc == 0 && i < np; i++) {
        double v;
        if (cw_stat_value(&p[i], stat, &v) == 0) {
            out->s[0].t[out->s[0].n] = p[i].t;
            out->s[0].v[out->s[0].n++] = v;
        }
    }
    cw_points_free(p, np);
    return rc < 0 ? rn_call_fail(x->c, RN_ERR_NOMEM, "Out of memory.") : 0;
}

/* ---- expressions ---- */

static int eval_query(ctx_t *x, query_t *q, val_t *out);
static int parse_expr(ctx_t *x, val_t *out);

static void skip_ws(ctx_t *x)
{
    while (isspace((unsigned char)*x->p))
        x->p++;
}

static double apply(char op, double a, double b, int *ok)
{
    *ok = 1;
    switch (op) {
    case '+':
        return a + b;
    case '-':
        return a - b;
    case '*':
        return a * b;
    default:
        if (b == 0)
            *ok = 0;
        return b == 0 ? 0 : a / b;
    }
}

/* s op scalar (or scalar op s when flip). */
static int series_scalar(series_t *s, char op, double k, int flip)
{
    size_t m = 0;
    for (size_t i = 0; i < s->n; i++) {
        int ok;
        double v = flip ? apply(op, k, s->v[i], &ok) : apply(op, s->v[i], k, &ok);
        if (ok) {
            s->t[m] = s->t[i];
            s->v[m++] = v;
        }
    }
    s->n = m;
    return 0;
}

/* a op b over the timestamps both have; the result replaces a. */
static int series_series(series_t *a, char op, const series_t *b)
{
    size_t i = 0, j = 0, m = 0;
    while (i < a->n && j < b->n) {
        if (a->t[i] < b->t[j]) {
            i++;
        } else if (b->t[j] < a->t[i]) {
            j++;
        } else {
            int ok;
            double v = apply(op, a->v[i], b->v[j], &ok);
            if (ok) {
                a->t[m] = a->t[i];
                a->v[m++] = v;
            }
            i++;
            j++;
        }
    }
    a->n = m;
    return 0;
}

static int binary(ctx_t *x, val_t *a, char op, val_t *b)
{
    if (a->kind == 0 && b->kind == 0) {
        int ok;
        a->x = apply(op, a->x, b->x, &ok);
        if (!ok)
            return fail_expr(x, "Division by zero.");
        return 0;
    }
    if (a->kind == 0) { /* scalar op series: the series side keeps its shape */
        double k = a->x;
        val_t t = *b;
        *b = *a;
        *a = t;
        for (size_t i = 0; i < a->n; i++)
            series_scalar(&a->s[i], op, k, 1);
        return 0;
    }
    if (b->kind == 0) {
        for (size_t i = 0; i < a->n; i++)
            series_scalar(&a->s[i], op, b->x, 0);
        return 0;
    }
    if (b->kind == 1) {
        for (size_t i = 0; i < a->n; i++)
            series_series(&a->s[i], op, &b->s[0]);
        return 0;
    }
    if (a->kind == 1 && b->kind == 2) {
        val_t t = *b;
        *b = *a;
        *a = t;
        for (size_t i = 0; i < a->n; i++) { /* keep the left operand on the left */
            series_t tmp;
            if (series_alloc(&tmp, b->s[0].n) < 0)
                return rn_call_fail(x->c, RN_ERR_NOMEM, "Out of memory.");
            memcpy(tmp.t, b->s[0].t, b->s[0].n * sizeof *tmp.t);
            memcpy(tmp.v, b->s[0].v, b->s[0].n * sizeof *tmp.v);
            tmp.n = b->s[0].n;
            series_series(&tmp, op, &a->s[i]);
            series_free(&a->s[i]);
            a->s[i] = tmp;
        }
        return 0;
    }
    return fail_expr(x, "Arithmetic between two arrays of time series is not supported.");
}

static int by_time(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* SUM, AVG, MIN, MAX of one series (a scalar) or across several (a series). */
static int aggregate(ctx_t *x, const char *fn, val_t *v)
{
    int sum = !strcmp(fn, "SUM"), avg = !strcmp(fn, "AVG"), min = !strcmp(fn, "MIN");
    if (v->kind == 0)
        return 0;
    if (v->kind == 1) {
        series_t *s = &v->s[0];
        double acc = 0;
        for (size_t i = 0; i < s->n; i++)
            acc = i == 0 || sum || avg ? (i == 0 ? s->v[0] : acc + s->v[i])
                  : min              ? fmin(acc, s->v[i])
                                     : fmax(acc, s->v[i]);
        if (avg && s->n)
            acc /= (double)s->n;
        if (!s->n)
            acc = NAN;
        val_free(v);
        v->kind = 0;
        v->x = acc;
        if (isnan(acc))
            return fail_expr(x, "The time series has no datapoints.");
        return 0;
    }
    size_t total = 0;
    for (size_t i = 0; i < v->n; i++)
        total += v->s[i].n;
    int64_t *ts = rn_malloc((total ? total : 1) * sizeof *ts);
    if (!ts)
        return rn_call_fail(x->c, RN_ERR_NOMEM, "Out of memory.");
    size_t k = 0;
    for (size_t i = 0; i < v->n; i++)
        for (size_t j = 0; j < v->s[i].n; j++)
            ts[k++] = v->s[i].t[j];
    qsort(ts, total, sizeof *ts, by_time);
    series_t out;
    if (series_alloc(&out, total) < 0) {
        rn_free(ts);
        return rn_call_fail(x->c, RN_ERR_NOMEM, "Out of memory.");
    }
    for (size_t i = 0; i < total; i++) {
        if (i && ts[i] == ts[i - 1])
            continue;
        double acc = 0;
        size_t cnt = 0;
        for (size_t s = 0; s < v->n; s++)
            for (size_t j = 0; j < v->s[s].n; j++)
                if (v->s[s].t[j] == ts[i]) {
                    double y = v->s[s].v[j];
                    acc = !cnt ? y : (sum || avg) ? acc + y : min ? fmin(acc, y) : fmax(acc, y);
                    cnt++;
                }
        out.t[out.n] = ts[i];
        out.v[out.n++] = avg ? acc / (double)cnt : acc;
    }
    rn_free(ts);
    val_free(v);
    if (val_series(v, 1) < 0) {
        series_free(&out);
        return rn_call_fail(x->c, RN_ERR_NOMEM, "Out of memory.");
    }
    v->s[0] = out;
    return 0;
}

static int rate(ctx_t *x, val_t *v)
{
    if (v->kind == 0)
        return fail_expr(x, "RATE takes a time series.");
    for (size_t i = 0; i < v->n; i++) {
        series_t *s = &v->s[i];
        size_t m = 0;
        for (size_t j = 1; j < s->n; j++) {
            s->v[m] = (s->v[j] - s->v[j - 1]) / (double)(s->t[j] - s->t[j - 1]);
            s->t[m++] = s->t[j];
        }
        s->n = m;
    }
    return 0;
}

/* Appends every series of add to into (an array). */
static int concat(ctx_t *x, val_t *into, val_t *add)
{
    if (add->kind == 0)
        return fail_expr(x, "An array holds time series only.");
    series_t *s = rn_realloc(into->s, (into->n + add->n + 1) * sizeof *s);
    if (!s)
        return rn_call_fail(x->c, RN_ERR_NOMEM, "Out of memory.");
    into->s = s;
    memcpy(into->s + into->n, add->s, add->n * sizeof *s);
    into->n += add->n;
    into->kind = 2;
    rn_free(add->s);
    memset(add, 0, sizeof *add);
    return 0;
}

static int parse_list(ctx_t *x, char close, val_t *out)
{
    memset(out, 0, sizeof *out);
    out->kind = 2;
    skip_ws(x);
    if (*x->p == close) {
        x->p++;
        return 0;
    }
    for (;;) {
        val_t e;
        if (parse_expr(x, &e) < 0 || concat(x, out, &e) < 0) {
            val_free(&e);
            return x->c->err;
        }
        skip_ws(x);
        if (*x->p == ',') {
            x->p++;
            continue;
        }
        if (*x->p == close) {
            x->p++;
            return 0;
        }
        return fail_expr(x, "Expected ',' or a closing bracket.");
    }
}

static int parse_primary(ctx_t *x, val_t *out)
{
    memset(out, 0, sizeof *out);
    skip_ws(x);
    const char *p = x->p;
    if (*p == '(') {
        x->p++;
        if (parse_expr(x, out) < 0)
            return x->c->err;
        skip_ws(x);
        if (*x->p != ')')
            return fail_expr(x, "Expected ')'.");
        x->p++;
        return 0;
    }
    if (*p == '[') {
        x->p++;
        return parse_list(x, ']', out);
    }
    if (isdigit((unsigned char)*p) || *p == '.') {
        char *end;
        out->x = strtod(p, &end);
        out->kind = 0;
        x->p = end;
        return 0;
    }
    if (!isalpha((unsigned char)*p))
        return fail_expr(x, "Unexpected character.");
    size_t n = 0;
    while (isalnum((unsigned char)p[n]) || p[n] == '_')
        n++;
    char word[256];
    if (n >= sizeof word)
        return fail_expr(x, "Name too long.");
    memcpy(word, p, n);
    word[n] = '\0';
    x->p += n;
    skip_ws(x);
    if (*x->p == '(') {
        x->p++;
        if (!strcmp(word, "METRICS")) {
            skip_ws(x);
            if (*x->p != ')')
                return fail_expr(x, "METRICS() takes no argument here.");
            x->p++;
            out->kind = 2;
            for (size_t i = 0; i < x->nq; i++) {
                if (!json_object_get(x->qs[i].q, "MetricStat"))
                    continue;
                val_t v;
                if (eval_query(x, &x->qs[i], &v) < 0 || concat(x, out, &v) < 0)
                    return x->c->err;
            }
            return 0;
        }
        val_t args;
        if (parse_list(x, ')', &args) < 0) {
            val_free(&args);
            return x->c->err;
        }
        if (args.n == 1 && strcmp(word, "SUM") && strcmp(word, "AVG") && strcmp(word, "MIN") &&
            strcmp(word, "MAX") && strcmp(word, "RATE")) {
            val_free(&args);
            return fail_expr(x, "Unknown function.");
        }
        if (args.n == 1)
            args.kind = 1; /* one argument stays a single series */
        if (!args.n)
            args.kind = 2;
        int rc = !strcmp(word, "RATE") ? rate(x, &args) : aggregate(x, word, &args);
        if (rc < 0) {
            val_free(&args);
            return rc;
        }
        *out = args;
        return 0;
    }
    for (size_t i = 0; i < x->nq; i++)
        if (!strcmp(x->qs[i].id, word))
            return eval_query(x, &x->qs[i], out);
    char what[400];
    snprintf(what, sizeof what, "Unrecognized metric id or function: %s.", word);
    return fail_expr(x, what);
}

static int parse_unary(ctx_t *x, val_t *out)
{
    skip_ws(x);
    if (*x->p == '-') {
        x->p++;
        if (parse_unary(x, out) < 0)
            return x->c->err;
        val_t minus1 = {0, -1, NULL, 0};
        return binary(x, out, '*', &minus1);
    }
    return parse_primary(x, out);
}

static int parse_term(ctx_t *x, val_t *out)
{
    if (parse_unary(x, out) < 0)
        return x->c->err;
    for (;;) {
        skip_ws(x);
        char op = *x->p;
        if (op != '*' && op != '/')
            return 0;
        x->p++;
        val_t r;
        int rc = parse_unary(x, &r);
        if (rc == 0)
            rc = binary(x, out, op, &r);
        val_free(&r);
        if (rc < 0)
            return rc;
    }
}

static int parse_expr(ctx_t *x, val_t *out)
{
    if (++x->depth > MAX_DEPTH)
        return fail_expr(x, "The expression nests too deeply.");
    int rc = parse_term(x, out);
    for (; rc == 0;) {
        skip_ws(x);
        char op = *x->p;
        if (op != '+' && op != '-')
            break;
        x->p++;
        val_t r;
        rc = parse_term(x, &r);
        if (rc == 0)
            rc = binary(x, out, op, &r);
        val_free(&r);
    }
    x->depth--;
    return rc;
}

/* The value of query q (evaluated once), copied into out. */
static int eval_query(ctx_t *x, query_t *q, val_t *out)
{
    memset(out, 0, sizeof *out);
    if (q->state == 1)
        return fail_expr(x, "Circular dependency between queries.");
    if (q->state == 0) {
        q->state = 1;
        const json_t *ms = json_object_get(q->q, "MetricStat");
        int rc;
        if (ms) {
            char at[48];
            snprintf(at, sizeof at, "MetricDataQueries.member.%zu", (size_t)(q - x->qs) + 1);
            rc = metric_stat(x, ms, at, &q->val);
        } else {
            ctx_t sub = *x;
            sub.expr = sub.p = rn_param_str(q->q, "Expression");
            sub.eid = q->id;
            rc = parse_expr(&sub, &q->val);
            skip_ws(&sub);
            if (rc == 0 && *sub.p)
                rc = fail_expr(&sub, "Unexpected text after the expression.");
            x->period = sub.period;
        }
        if (rc < 0)
            return rc;
        q->state = 2;
    }
    return copy_val(out, &q->val) < 0 ? rn_call_fail(x->c, RN_ERR_NOMEM, "Out of memory.") : 0;
}

/* ---- the operation ---- */

static int check_queries(rn_call_t *c, const json_t *qs)
{
    size_t n = json_array_size(qs);
    if (!n)
        return rn_call_fail(c, CW_ERR_MISSING_PARAMETER, "The parameter MetricDataQueries is required.");
    if (n > MAX_QUERIES)
        return rn_call_fail(c, CW_ERR_INVALID_PARAMETER,
                            "The collection MetricDataQueries must not have a size greater than %d.", MAX_QUERIES);
    for (size_t i = 0; i < n; i++) {
        const json_t *q = json_array_get(qs, i);
        const char *id = rn_param_str(q, "Id");
        if (!id)
            return rn_call_fail(c, CW_ERR_MISSING_PARAMETER, "The parameter MetricDataQueries.member.%zu.Id is required.",
                                i + 1);
        int ok = islower((unsigned char)id[0]) && strlen(id) <= 255;
        for (const char *p = id; ok && *p; p++)
            ok = isalnum((unsigned char)*p) || *p == '_';
        if (!ok)
            return rn_call_fail(c, CW_ERR_VALIDATION,
                                "The value %s for parameter MetricDataQueries.member.%zu.Id is invalid: it must start "
                                "with a lowercase letter and hold only letters, numbers and underscores.", id, i + 1);
        for (size_t k = 0; k < i; k++)
            if (!strcmp(id, rn_param_str(json_array_get(qs, k), "Id")))
                return rn_call_fail(c, CW_ERR_VALIDATION, "The values of MetricDataQueries.member.N.Id must be unique: "
                                    "%s appears more than once.", id);
        int has_stat = json_object_get(q, "MetricStat") != NULL, has_expr = rn_param_str(q, "Expression") != NULL;
        if (has_stat == has_expr)
            return rn_call_fail(c, CW_ERR_VALIDATION,
                                "Exactly one of MetricDataQueries.member.%zu.MetricStat and "
                                "MetricDataQueries.member.%zu.Expression must be specified.", i + 1, i + 1);
    }
    return 0;
}

typedef struct page {
    long long skip, budget;
    int descending;
} page_t;

static json_t *result_of(const char *id, const char *label, const series_t *s, page_t *pg)
{
    json_t *ts = json_array(), *vs = json_array();
    const char *status = "Complete";
    for (size_t k = 0; k < s->n; k++) {
        if (pg->skip > 0) {
            pg->skip--;
            continue;
        }
        if (pg->budget <= 0) {
            status = "PartialData";
            break;
        }
        size_t i = pg->descending ? s->n - 1 - k : k;
        json_array_append_new(ts, json_integer(s->t[i]));
        json_array_append_new(vs, json_real(s->v[i]));
        pg->budget--;
    }
    return json_pack("{s:s,s:s,s:o,s:o,s:s,s:[]}", "Id", id, "Label", label, "Timestamps", ts, "Values", vs,
                     "StatusCode", status, "Messages");
}

/* A scalar shown as a series: its value at each period of the window. */
static int scalar_series(const ctx_t *x, double v, series_t *s)
{
    int p = x->period ? x->period : 60;
    size_t n = (size_t)((x->end - x->start + p - 1) / p);
    if (n > DEFAULT_MAX_POINTS)
        n = DEFAULT_MAX_POINTS;
    if (series_alloc(s, n) < 0)
        return RN_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        s->t[i] = x->start - x->start % p + (int64_t)i * p;
        s->v[i] = v;
    }
    s->n = n;
    return 0;
}

int cw_get_metric_data(cw_t *cw, rn_call_t *c)
{
    const json_t *in = c->in, *qs = json_object_get(in, "MetricDataQueries");
    if (check_queries(c, qs) < 0)
        return c->err;
    int64_t start_ms, end_ms;
    if (cw_in_range(c, &start_ms, &end_ms) < 0)
        return c->err;
    int r;
    const char *scan = rn_param_str(in, "ScanBy"), *token = rn_param_str(in, "NextToken");
    if (scan && strcmp(scan, "TimestampDescending") && strcmp(scan, "TimestampAscending"))
        return rn_call_fail(c, CW_ERR_VALIDATION,
                            "1 validation error detected: Value '%s' at 'scanBy' failed to satisfy constraint: Member "
                            "must satisfy enum value set: [TimestampDescending, TimestampAscending]", scan);
    long long max = DEFAULT_MAX_POINTS, skip = 0;
    r = cw_in_int(json_object_get(in, "MaxDatapoints"), &max);
    if (r < 0 || max < 1)
        return rn_call_fail(c, CW_ERR_INVALID_PARAMETER, "The parameter MaxDatapoints must be greater than 0.");
    if (token) {
        char *end;
        if (strncmp(token, TOKEN_PREFIX, strlen(TOKEN_PREFIX)) != 0 ||
            (skip = strtoll(token + strlen(TOKEN_PREFIX), &end, 10)) < 0 || *end || end == token + strlen(TOKEN_PREFIX))
            return rn_call_fail(c, CW_ERR_INVALID_NEXT_TOKEN, "The service returned an invalid NextToken.");
    }
    size_t n = json_array_size(qs);
    query_t *q = rn_calloc(n, sizeof *q);
    if (!q)
        return rn_call_fail(c, RN_ERR_NOMEM, "Out of memory.");
    ctx_t x = {cw, c, q, n, (int64_t)floor(start_ms / 1000.0), (int64_t)ceil(end_ms / 1000.0), 0, NULL, NULL, NULL, 0};
    for (size_t i = 0; i < n; i++) {
        q[i].q = json_array_get(qs, i);
        q[i].id = rn_param_str(q[i].q, "Id");
    }
    json_t *results = json_array(), *out = json_pack("{s:o,s:[]}", "MetricDataResults", results, "Messages");
    page_t pg = {skip, max, !scan || !strcmp(scan, "TimestampDescending")};
    int rc = out ? 0 : rn_call_fail(c, RN_ERR_NOMEM, "Out of memory.");
    long long sent_before = skip;
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (json_is_false(json_object_get(q[i].q, "ReturnData")))
            continue;
        val_t v;
        rc = eval_query(&x, &q[i], &v);
        if (rc < 0)
            break;
        const char *label = rn_param_str(q[i].q, "Label");
        if (!label)
            label = json_object_get(q[i].q, "MetricStat")
                        ? rn_param_str(json_object_get(json_object_get(q[i].q, "MetricStat"), "Metric"), "MetricName")
                        : q[i].id;
        if (v.kind == 0) {
            series_t s;
            if (scalar_series(&x, v.x, &s) < 0) {
                rc = rn_call_fail(c, RN_ERR_NOMEM, "Out of memory.");
                break;
            }
            json_array_append_new(results, result_of(q[i].id, label, &s, &pg));
            series_free(&s);
        }
        for (size_t k = 0; k < v.n; k++)
            json_array_append_new(results, result_of(q[i].id, label ? label : "", &v.s[k], &pg));
        val_free(&v);
    }
    for (size_t i = 0; i < n; i++)
        val_free(&q[i].val);
    rn_free(q);
    if (rc < 0) {
        json_decref(out);
        return rc;
    }
    if (pg.budget <= 0) {
        size_t i;
        json_t *res;
        int more = 0;
        json_array_foreach(results, i, res) more |= !strcmp(rn_param_str(res, "StatusCode"), "PartialData");
        if (more) {
            char t[64];
            snprintf(t, sizeof t, TOKEN_PREFIX "%lld", sent_before + max);
            json_object_set_new(out, "NextToken", json_string(t));
        }
    }
    return cw_reply(c, out);
}
