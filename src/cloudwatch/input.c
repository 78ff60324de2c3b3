/* SPDX-License-Identifier: MIT
 * Reading CloudWatch inputs the same way whatever the protocol: the query
 * protocol hands doubles and timestamps over as their text, JSON and CBOR as
 * numbers (timestamps in epoch seconds). Also the Dimensions checks that
 * PutMetricData, GetMetricStatistics, GetMetricData and alarms share, and
 * the ISO 8601 forms CloudWatch writes. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cloudwatch/cw_int.h"
#include "core/call.h"
#include "core/err.h"

#define MAX_DIMS 30
#define MAX_DIM_LEN 1024

const char *const cw_units[] = {
    "Seconds",          "Microseconds",      "Milliseconds",      "Bytes",           "Kilobytes",
    "Megabytes",        "Gigabytes",         "Terabytes",         "Bits",            "Kilobits",
    "Megabits",         "Gigabits",          "Terabits",          "Percent",         "Count",
    "Bytes/Second",     "Kilobytes/Second",  "Megabytes/Second",  "Gigabytes/Second", "Terabytes/Second",
    "Bits/Second",      "Kilobits/Second",   "Megabits/Second",   "Gigabits/Second", "Terabits/Second",
    "Count/Second",     "None",              NULL,
};

int cw_unit_valid(const char *unit)
{
    for (size_t i = 0; unit && cw_units[i]; i++)
        if (strcmp(cw_units[i], unit) == 0)
            return 1;
    return 0;
}

int cw_in_num(const json_t *v, double *out)
{
    if (!v || json_is_null(v))
        return 1;
    double x;
    if (json_is_number(v)) {
        x = json_number_value(v);
    } else if (json_is_string(v)) {
        const char *s = json_string_value(v);
        char *end;
        if (!*s || isspace((unsigned char)*s))
            return -1;
        x = strtod(s, &end);
        if (*end)
            return -1;
    } else {
        return -1;
    }
    if (!isfinite(x))
        return -1;
    *out = x;
    return 0;
}

int cw_in_int(const json_t *v, long long *out)
{
    if (!v || json_is_null(v))
        return 1;
    if (json_is_integer(v)) {
        *out = json_integer_value(v);
        return 0;
    }
    double x;
    if (cw_in_num(v, &x) != 0 || x != floor(x) || fabs(x) > 9e15)
        return -1;
    *out = (long long)x;
    return 0;
}

/* ISO 8601: YYYY-MM-DDThh:mm:ss[.fff][Z|±hh:mm]; also a bare number of seconds. */
static int parse_iso(const char *s, int64_t *ms)
{
    struct tm tm = {0};
    int n = 0;
    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
               &tm.tm_sec, &n) != 6 || n < 19)
        return -1;
    const char *p = s + n;
    double frac = 0;
    if (*p == '.') {
        char *end;
        frac = strtod(p, &end);
        p = end;
    }
    long off = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int hh = 0, mm = 0, k = 0;
        if (sscanf(p + 1, "%2d:%2d%n", &hh, &mm, &k) == 2 || sscanf(p + 1, "%2d%2d%n", &hh, &mm, &k) == 2) {
            off = (hh * 3600L + mm * 60L) * (*p == '-' ? -1 : 1);
            p += 1 + k;
        } else {
            return -1;
        }
    }
    if (*p)
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    time_t t = timegm(&tm);
    *ms = ((int64_t)t - off) * 1000 + (int64_t)llround(frac * 1000);
    return 0;
}

int cw_in_time(const json_t *v, int64_t *ms)
{
    if (json_is_string(v) && parse_iso(json_string_value(v), ms) == 0)
        return 0;
    double x;
    int r = cw_in_num(v, &x);
    if (r != 0)
        return r;
    if (fabs(x) > 1e13)
        return -1;
    *ms = (int64_t)llround(x * 1000);
    return 0;
}

int cw_in_range(rn_call_t *c, int64_t *start_ms, int64_t *end_ms)
{
    static const char *const names[] = {"StartTime", "EndTime"};
    int64_t *at[] = {start_ms, end_ms};
    for (int i = 0; i < 2; i++) {
        int r = cw_in_time(json_object_get(c->in, names[i]), at[i]);
        if (r > 0)
            return rn_call_fail(c, CW_ERR_MISSING_PARAMETER, "The parameter %s is required.", names[i]);
        if (r < 0)
            return rn_call_fail(c, CW_ERR_INVALID_PARAMETER, "The parameter %s is invalid.", names[i]);
    }
    if (*start_ms >= *end_ms)
        return rn_call_fail(c, CW_ERR_INVALID_PARAMETER,
                            "The parameter StartTime must be less than the parameter EndTime.");
    return 0;
}

int cw_reply(rn_call_t *c, json_t *out)
{
    if (!out)
        return rn_call_fail(c, RN_ERR_NOMEM, "Out of memory.");
    c->out = out;
    return 0;
}

static int by_name(const void *a, const void *b)
{
    const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    return strcmp(json_string_value(json_object_get(x, "Name")), json_string_value(json_object_get(y, "Name")));
}

int cw_in_dims(rn_call_t *c, const json_t *dims, const char *where, int need_value, json_t **out)
{
    *out = NULL;
    if (dims && !json_is_array(dims))
        return rn_call_fail(c, CW_ERR_INVALID_PARAMETER, "The parameter %s must be a list.", where);
    size_t n = json_array_size(dims);
    if (n > MAX_DIMS)
        return rn_call_fail(c, CW_ERR_INVALID_PARAMETER,
                            "The collection %s must not have a size greater than %d.", where, MAX_DIMS);
    json_t *arr = json_array(), *sorted[MAX_DIMS];
    if (!arr)
        return rn_call_fail(c, RN_ERR_NOMEM, "Out of memory.");
    for (size_t i = 0; i < n; i++) {
        const json_t *d = json_array_get(dims, i);
        const char *name = json_string_value(json_object_get(d, "Name"));
        const char *value = json_string_value(json_object_get(d, "Value"));
        if (!name) {
            json_decref(arr);
            return rn_call_fail(c, CW_ERR_MISSING_PARAMETER, "The parameter %s.member.%zu.Name is required.", where,
                                i + 1);
        }
        if (!value && need_value) {
            json_decref(arr);
            return rn_call_fail(c, CW_ERR_MISSING_PARAMETER, "The parameter %s.member.%zu.Value is required.",
                                where, i + 1);
        }
        if (!*name || strlen(name) > 255 || (value && (!*value || strlen(value) > MAX_DIM_LEN))) {
            json_decref(arr);
            return rn_call_fail(c, CW_ERR_INVALID_PARAMETER, "The value %s for parameter %s.member.%zu.%s is invalid.",
                                !*name || strlen(name) > 255 ? name : value, where, i + 1,
                                !*name || strlen(name) > 255 ? "Name" : "Value");
        }
        sorted[i] = value ? json_pack("{s:s,s:s}", "Name", name, "Value", value) : json_pack("{s:s}", "Name", name);
        if (!sorted[i]) {
            for (size_t k = 0; k < i; k++)
                json_decref(sorted[k]);
            json_decref(arr);
            return rn_call_fail(c, RN_ERR_NOMEM, "Out of memory.");
        }
    }
    qsort(sorted, n, sizeof sorted[0], by_name);
    for (size_t i = 0; i < n; i++) {
        if (i && by_name(&sorted[i - 1], &sorted[i]) == 0) {
            for (size_t k = i; k < n; k++)
                json_decref(sorted[k]);
            json_decref(arr);
            return rn_call_fail(c, CW_ERR_INVALID_PARAMETER,
                                "No metric may have duplicate dimension names: the dimension %s appears twice in %s.",
                                json_string_value(json_object_get(sorted[i], "Name")), where);
        }
        json_array_append_new(arr, sorted[i]);
    }
    *out = arr;
    return 0;
}

void cw_iso(int64_t ms, int zulu, char *out, size_t len)
{
    time_t t = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    char base[32];
    strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, len, "%s.%03d%s", base, (int)(ms - (int64_t)t * 1000), zulu ? "Z" : "+0000");
}
