/* SPDX-License-Identifier: MIT
 * CloudWatch's private interface: the instance, metric series with their
 * resolution tiers of aggregate buckets, value sketches for percentiles,
 * alarms, and the input helpers every operation shares. One instance per
 * partition, owned by the loop; nothing here is shared between instances. */
#ifndef RN_CW_INT_H
#define RN_CW_INT_H
#include <jansson.h>
#include <stdint.h>
#include <uv.h>

#include "cloudwatch/cw.h"
#include "cloudwatch/cw_err.h"
#include "core/buf.h"
#include "core/map.h"

/* ---- sketch.c: the values a bucket has seen, for percentiles ---- */

/* Distinct values with their counts, sorted by value. Past CW_SKETCH_MAX
 * entries neighbouring values are merged into log-spaced cells (keeping their
 * weighted mean), so a bucket's memory is bounded while a percentile stays
 * exact for a few distinct values and within about 1% otherwise. */
#define CW_SKETCH_MAX 128
typedef struct cw_vc {
    double v, n;
} cw_vc_t;
typedef struct cw_sketch {
    cw_vc_t *e; /* owned */
    uint32_t n, cap;
} cw_sketch_t;

/* Counts value v n times. Returns 0 or RN_ERR_NOMEM. */
int cw_sketch_add(cw_sketch_t *s, double v, double n);
/* Adds every entry of src to dst. Returns 0 or RN_ERR_NOMEM. */
int cw_sketch_merge(cw_sketch_t *dst, const cw_sketch_t *src);
/* The p-th percentile (0..100) by nearest rank: 0, or -1 when s is empty. */
int cw_sketch_pct(const cw_sketch_t *s, double p, double *out);
void cw_sketch_free(cw_sketch_t *s);

/* SampleCount, Sum, Minimum, Maximum of a bucket or period; n == 0: empty. */
typedef struct cw_agg {
    double n, sum, min, max;
} cw_agg_t;
/* Adds b into a. */
void cw_agg_merge(cw_agg_t *a, const cw_agg_t *b);

/* ---- series.c: metric series and their tiers ---- */

/* The resolutions kept, each for AWS's retention: 1-second data 3 hours,
 * 1-minute 15 days, 5-minute 63 days, 1-hour 455 days. */
enum { CW_SEC, CW_MIN, CW_MIN5, CW_HOUR, CW_TIERS };
extern const int cw_tier_res[CW_TIERS];
extern const int64_t cw_tier_keep_s[CW_TIERS];

typedef struct cw_bucket {
    int64_t t; /* start, epoch seconds, a multiple of the tier's resolution */
    cw_agg_t a;
    cw_sketch_t s;
    int dirty; /* changed since last written */
} cw_bucket_t;

typedef struct cw_tier {
    cw_bucket_t *b; /* owned, sorted by t */
    size_t n, cap;
    int64_t dirty_t; /* the earliest dirty bucket's t; INT64_MAX: none */
} cw_tier_t;

/* One metric (namespace, name, dimensions) in one unit. */
typedef struct cw_series {
    uint32_t id;   /* names its records */
    char *metric;  /* the metric key (cw_metric_key); owned */
    char *ns, *name, *unit; /* owned */
    json_t *dims;  /* [{"Name","Value"}] sorted by Name; owned */
    int64_t last_ms; /* the newest put, for ListMetrics' RecentlyActive */
    cw_tier_t tier[CW_TIERS];
    int dirty, queued; /* the series record needs writing; on the flush list */
} cw_series_t;

typedef struct cw {
    rn_service_env_t env;
    rn_smap_t series;    /* metric key + "\x1d" + unit -> cw_series_t (owned) */
    uint32_t next_id;
    cw_series_t **flush; /* series with unwritten changes (borrowed) */
    size_t nflush, flushcap;
    rn_smap_t alarms;    /* name -> cw_alarm_t (owned) */
    int64_t next_sweep_ms;
    rn_smap_t own;       /* Runnel's own metrics: figure key -> its last value (own.c) */
    uv_timer_t *timer;   /* owned; freed when closed */
} cw_t;

/* One incoming datum: its aggregate and, unless it came as StatisticValues,
 * the values with their counts. Borrowed arrays. */
typedef struct cw_datum {
    int64_t t_ms;
    int high_res;
    cw_agg_t a;
    const double *v, *c; /* c NULL: each value once */
    size_t nv;
} cw_datum_t;

/* The index of the first bucket of tr at or after t. */
size_t cw_tier_first(const cw_tier_t *tr, int64_t t);
/* The metric key of (ns, name, dims): dims sorted by name (in place).
 * Caller owns the result; free with rn_free(). */
char *cw_metric_key(const char *ns, const char *name, json_t *dims);
/* The series of (metric key, unit), or NULL. */
cw_series_t *cw_series_get(cw_t *cw, const char *metric, const char *unit);
/* The series, made (and queued for writing) when new. Takes nothing: copies
 * ns, name and dims. NULL when out of memory. */
cw_series_t *cw_series_make(cw_t *cw, const char *metric, const char *ns, const char *name, const json_t *dims,
                            const char *unit);
/* Adds d into every tier it belongs to. Returns 0 or RN_ERR_NOMEM. */
int cw_series_add(cw_t *cw, cw_series_t *s, const cw_datum_t *d);
/* Writes every queued change to the store (one record per changed bucket). */
void cw_series_flush(cw_t *cw);
/* Drops what retention no longer keeps, and series left empty. */
void cw_series_sweep(cw_t *cw);
/* Reads the series and bucket records back (start). */
void cw_series_load(cw_t *cw);
/* Frees every series. */
void cw_series_drop_all(cw_t *cw);

/* ---- own.c: Runnel's own metrics ---- */
/* Adds the minute that just ended of every service's figures (AWS/SQS...)
 * of this partition. */
void cw_own_collect(cw_t *cw, int64_t now_ms);
void cw_own_drop(cw_t *cw);

/* ---- read.c: periods over series ---- */

typedef struct cw_point {
    int64_t t; /* period start, epoch seconds */
    cw_agg_t a;
    cw_sketch_t s;
} cw_point_t;

/* Rounds a query's start (epoch seconds) down as AWS does (to the second for
 * periods under a minute; else to the minute, 5 minutes or hour by its age)
 * and returns the tier it reads: the coarsest whose resolution divides both
 * the period and the start (every datum is rolled up into every coarser
 * tier, so it holds the same figures in the fewest buckets). */
int cw_tier_for(int period, int64_t *start, int64_t now);
/* Aggregates the buckets of series[0..n) in [start, end) (epoch seconds,
 * start aligned to the tier) into periods of `period` seconds, oldest first,
 * only periods with data. want_sketch: merge values too (percentiles).
 * Caller owns *out; free with cw_points_free(). Returns 0 or RN_ERR_NOMEM. */
int cw_read(cw_series_t *const *series, size_t n, int tier, int64_t start, int64_t end, int period, int want_sketch,
            cw_point_t **out, size_t *nout);
void cw_points_free(cw_point_t *p, size_t n);
/* The statistic `stat` ("Sum", "Average", "Minimum", "Maximum",
 * "SampleCount", "pNN[.N]") of a point: 0, or -1 when it has none. */
int cw_stat_value(const cw_point_t *p, const char *stat, double *out);
/* 1 when stat is one cw_stat_value knows. */
int cw_stat_valid(const char *stat);
/* Every series of (metric key) in unit (NULL: all units). Caller owns
 * *out (borrowed series); free with rn_free(). Returns the count. */
size_t cw_series_of(cw_t *cw, const char *metric, const char *unit, cw_series_t ***out);

/* ---- input.c: reading inputs the same way on every protocol ---- */

/* A double member: a number (JSON, CBOR) or its text (query). 0, 1 when
 * absent, -1 when it is not a finite number. */
int cw_in_num(const json_t *v, double *out);
/* A timestamp: epoch seconds (JSON, CBOR) or ISO 8601 text (query). 0, 1
 * when absent, -1 when unreadable. */
int cw_in_time(const json_t *v, int64_t *ms);
/* An integer member: 0, 1 when absent, -1 when not an integer. */
int cw_in_int(const json_t *v, long long *out);
/* StartTime and EndTime of c's input, required, the first before the
 * second: 0, or an error on c. */
int cw_in_range(rn_call_t *c, int64_t *start_ms, int64_t *end_ms);
/* Answers c with out (taking it): 0, or RN_ERR_NOMEM on c when out is NULL. */
int cw_reply(rn_call_t *c, json_t *out);
/* 1 when unit is one of AWS's StandardUnit values. */
int cw_unit_valid(const char *unit);
extern const char *const cw_units[];
/* Checks a Dimensions list (at `where`, e.g. "MetricData.member.1.Dimensions")
 * and copies it into *out ([{"Name","Value"}]); 0, or an error on c. */
int cw_in_dims(rn_call_t *c, const json_t *dims, const char *where, int need_value, json_t **out);
/* Epoch milliseconds as ISO 8601 with milliseconds and "+0000" (AWS's alarm
 * notification form) or "Z" (zulu != 0). */
void cw_iso(int64_t ms, int zulu, char *out, size_t len);

/* Checks a Namespace (required, not "AWS/..."): 0, or an error on c. */
int cw_namespace_check(rn_call_t *c, const char *ns);
/* Checks a Period: 1, 5, 10, 30 or a multiple of 60. 0, or an error on c
 * naming `where`. */
int cw_period_check(rn_call_t *c, const json_t *v, const char *where, int required, int *out);

/* The API description (api.c). */
extern const rn_api_t cw_api;

/* ---- the operations ---- */
int cw_put_metric_data(cw_t *cw, rn_call_t *c);
int cw_get_metric_statistics(cw_t *cw, rn_call_t *c);
int cw_get_metric_data(cw_t *cw, rn_call_t *c);
int cw_list_metrics(cw_t *cw, rn_call_t *c);

/* ---- alarm.c ---- */
typedef struct cw_alarm {
    json_t *def;         /* the MetricAlarm as DescribeAlarms shows it; owned */
    int64_t next_eval_ms;
} cw_alarm_t;

int cw_put_metric_alarm(cw_t *cw, rn_call_t *c);
int cw_describe_alarms(cw_t *cw, rn_call_t *c);
int cw_describe_alarms_for_metric(cw_t *cw, rn_call_t *c);
int cw_delete_alarms(cw_t *cw, rn_call_t *c);
int cw_set_alarm_state(cw_t *cw, rn_call_t *c);
int cw_alarm_actions_enable(cw_t *cw, rn_call_t *c, int enable);
void cw_alarm_save(cw_t *cw, cw_alarm_t *a);
void cw_alarms_load(cw_t *cw);
void cw_alarms_drop_all(cw_t *cw);

/* ---- evaluate.c ---- */
/* Sets an alarm's state; when it changes, tells EventBridge and runs its
 * actions. reason_data: JSON text or NULL. */
void cw_alarm_set_state(cw_t *cw, cw_alarm_t *a, const char *value, const char *reason, const char *reason_data);
/* Evaluates every alarm whose time has come. */
void cw_alarms_run_due(cw_t *cw);
/* The earliest evaluation due (INT64_MAX: none). */
int64_t cw_alarms_next_due(cw_t *cw);
/* When alarm a is next evaluated, from now. */
int64_t cw_alarm_next_eval(const cw_alarm_t *a, int64_t now_ms);
#endif
