/* SPDX-License-Identifier: MIT
 * Scheduled-rule expressions: parse "rate(...)" and "cron(...)" once at
 * PutRule, then answer "when does this rule fire next?" with a walk that
 * skips whole years, months and days instead of stepping minute by minute.
 *
 * The rules, from the EventBridge user guide ("Cron expressions reference",
 * "Rate expressions reference", "Creating a scheduled rule"), the botocore
 * model, responses recorded against AWS (LocalStack's validated tests: every
 * malformed rate and cron gets "Parameter ScheduleExpression is not valid."),
 * and, where the guide is silent, the Quartz cron grammar that AWS's parser
 * evidently follows (1 = Sunday, ?, L, W, #, case-insensitive names, "*\/60"
 * refused, empty list items as in "0/5," accepted):
 * - rate(V U): exactly "rate(", decimal digits, one space, a unit, ")"; no
 *   other blanks, no sign. V is 1..2147483647. U is minute/hour/day when V is 1
 *   and minutes/hours/days otherwise; units are lower case.
 * - cron(F F F F F F): exactly six fields separated by spaces (a run of them
 *   is one separator), none before the first or after the last.
 * - Minutes 0-59, Hours 0-23, Day-of-month 1-31, Month 1-12 or JAN-DEC,
 *   Day-of-week 1-7 or SUN-SAT (1 = SUN), Year 1970-2199. Leading zeros are
 *   fine; names are any case.
 * - A field is a comma list of items (empty items are skipped, at least one
 *   must remain): "*", "*\/S", "A", "A-B", "A/S", "A-B/S". A/S runs from A to
 *   the field's maximum. A range whose end is below its start wraps around
 *   (FRI-MON, 22-2, NOV-FEB), except in Year. S is 1 up to 59 for minutes,
 *   23 hours, 31 days of month, 12 months, 7 days of week; any for years.
 * - Day-of-month alone may instead be "?", "L" (last day), "L-N" (N days
 *   before the last, N <= 30), "NW" (the weekday nearest day N, never leaving
 *   the month: a Saturday 1st gives Monday 3rd, a Sunday last day gives the
 *   Friday before), "LW" or "L-NW".
 * - Day-of-week alone may instead be "?", "L" (= 7, Saturday), "DL" (the last
 *   D of the month) or "D#N" (the Nth D of the month, N 1-5); only one '#'
 *   item is allowed ("3#1,6#3" is invalid).
 * - Exactly one of Day-of-month and Day-of-week is "?".
 * - Everything is UTC. A day that does not exist in a month (30 February, 31
 *   April, the fifth Monday of a four-Monday month, 31W in April) simply does
 *   not fire that month. Nothing fires before 1970, so -1 can mean "never".
 * Corners AWS does not document, decided here: years outside 1970-2199,
 * increment 0 and "L-N" in Day-of-week are refused; '/' in Day-of-week,
 * wrapping ranges and names with steps are accepted; blanks only between
 * cron fields; a rate's first run is one period after its anchor. */
#include "pattern/pattern.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "core/mem.h"

#define MSG_INVALID "Parameter ScheduleExpression is not valid."
#define YEAR_MIN 1970
#define YEAR_MAX 2199
#define NYEARS (YEAR_MAX - YEAR_MIN + 1)
#define MS_PER_MIN 60000LL
#define MIN_PER_DAY 1440LL

enum { F_MIN, F_HOUR, F_DOM, F_MONTH, F_DOW, F_YEAR, NFIELDS };

/* How the day of a month is chosen. */
enum {
    DAY_ANY,          /* '?': the other day field decides */
    DAY_SET,          /* a set of days of month, or of weekdays */
    DOM_LAST,         /* L, L-N: dom_arg days before the last day */
    DOM_NEAREST,      /* NW: the weekday nearest day dom_arg */
    DOM_LAST_NEAREST, /* LW, L-NW: the weekday nearest the last day minus dom_arg */
    DOW_LAST,         /* DL: the last weekday dow_day of the month */
    DOW_NTH,          /* D#N: the dow_nth-th weekday dow_day of the month */
};

struct ev_schedule {
    ev_schedule_kind_t kind;
    int64_t period_ms; /* rate */
    uint64_t minutes;  /* bit m for minute m */
    uint32_t hours;    /* bit h for hour h */
    uint32_t dom;      /* bit d for day d (DAY_SET) */
    uint32_t months;   /* bit m for month m, 1-12 */
    uint32_t dow;      /* bit d for weekday d, 1 = Sunday (DAY_SET) */
    uint64_t years[(NYEARS + 63) / 64]; /* bit y - 1970 */
    int dom_mode, dow_mode;
    int dom_arg;
    int dow_day, dow_nth;
};

static const struct {
    int lo, hi, step_max;
} field_spec[NFIELDS] = {
    [F_MIN] = {0, 59, 59},   [F_HOUR] = {0, 23, 23}, [F_DOM] = {1, 31, 31},
    [F_MONTH] = {1, 12, 12}, [F_DOW] = {1, 7, 7},    [F_YEAR] = {YEAR_MIN, YEAR_MAX, INT_MAX},
};

static const char month_names[12][4] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                        "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
static const char dow_names[7][4] = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

/* A field's values while parsing: bit v - lo, wide enough for the years. */
typedef struct {
    uint64_t w[(NYEARS + 63) / 64];
} valset_t;

static void set_add(valset_t *vs, int f, int v)
{
    int i = v - field_spec[f].lo;
    vs->w[i / 64] |= 1ULL << (i % 64);
}

static char upper(char c)
{
    return (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
}

/* Reads decimal digits at *pp: a value up to INT_MAX, as Java's parseInt
 * reads it (any number of leading zeros). */
static int parse_number(const char **pp, const char *end, int *out)
{
    const char *p = *pp;
    int64_t v = 0;
    while (p < end && *p >= '0' && *p <= '9') {
        v = v * 10 + (*p++ - '0');
        if (v > INT_MAX)
            return -1;
    }
    if (p == *pp)
        return -1;
    *pp = p;
    *out = (int)v;
    return 0;
}

/* Reads one value of field f: a number, or a month / weekday name, in range. */
static int parse_value(int f, const char **pp, const char *end, int *out)
{
    const char *p = *pp;
    int v;
    if (p < end && *p >= '0' && *p <= '9') {
        if (parse_number(&p, end, &v) < 0)
            return -1;
    } else {
        if ((f != F_MONTH && f != F_DOW) || end - p < 3)
            return -1;
        char name[4] = {upper(p[0]), upper(p[1]), upper(p[2]), '\0'};
        int n = f == F_MONTH ? 12 : 7;
        v = -1;
        for (int i = 0; i < n; i++) {
            if (strcmp(name, f == F_MONTH ? month_names[i] : dow_names[i]) == 0) {
                v = i + 1;
                break;
            }
        }
        if (v < 0)
            return -1;
        p += 3;
    }
    if (v < field_spec[f].lo || v > field_spec[f].hi)
        return -1;
    *pp = p;
    *out = v;
    return 0;
}

/* One list item of the common grammar: *, * /S, A, A-B, A/S, A-B/S. */
static int parse_item(int f, const char *p, const char *end, valset_t *vs)
{
    int lo = field_spec[f].lo, hi = field_spec[f].hi;
    int start, stop, step = 1, ranged = 0;
    if (p < end && *p == '*') {
        p++;
        start = lo;
        stop = hi;
        ranged = 1;
    } else {
        if (parse_value(f, &p, end, &start) < 0)
            return -1;
        stop = start;
        if (p < end && *p == '-') {
            p++;
            if (parse_value(f, &p, end, &stop) < 0)
                return -1;
            ranged = 1;
        }
    }
    if (p < end && *p == '/') {
        p++;
        if (parse_number(&p, end, &step) < 0 || step < 1 || step > field_spec[f].step_max)
            return -1;
        if (!ranged)
            stop = hi;
    }
    if (p != end)
        return -1;
    int span = hi - lo + 1;
    if (stop < start) {
        if (f == F_YEAR)
            return -1;
        stop += span; /* wraps: 22-2 is 22,23,0,1,2 */
    }
    for (int v = start; v <= stop; v += step)
        set_add(vs, f, lo + (v - lo) % span);
    return 0;
}

/* Day-of-month on its own: L, L-N, LW, L-NW, NW. */
static int parse_dom_special(const char *p, const char *end, ev_schedule_t *s)
{
    int n = 0;
    if (upper(*p) == 'L') {
        p++;
        if (p < end && *p == '-') {
            p++;
            if (parse_number(&p, end, &n) < 0 || n > 30)
                return -1;
        }
        s->dom_mode = DOM_LAST;
        if (p < end && upper(*p) == 'W') {
            p++;
            s->dom_mode = DOM_LAST_NEAREST;
        }
    } else {
        if (parse_number(&p, end, &n) < 0 || n < 1 || n > 31 || p >= end || upper(*p) != 'W')
            return -1;
        p++;
        s->dom_mode = DOM_NEAREST;
    }
    if (p != end)
        return -1;
    s->dom_arg = n;
    return 0;
}

/* Day-of-week on its own: L, DL, D#N. */
static int parse_dow_special(const char *p, const char *end, ev_schedule_t *s, valset_t *vs)
{
    int d, n;
    if (end - p == 1 && upper(*p) == 'L') {
        set_add(vs, F_DOW, 7); /* "last day of the week": Saturday */
        s->dow_mode = DAY_SET;
        return 0;
    }
    if (parse_value(F_DOW, &p, end, &d) < 0 || p >= end)
        return -1;
    if (upper(*p) == 'L' && p + 1 == end) {
        s->dow_mode = DOW_LAST;
        s->dow_day = d;
        return 0;
    }
    if (*p != '#')
        return -1;
    p++;
    if (parse_number(&p, end, &n) < 0 || p != end || n < 1 || n > 5)
        return -1;
    s->dow_mode = DOW_NTH;
    s->dow_day = d;
    s->dow_nth = n;
    return 0;
}

/* Whether an item uses the day fields' own syntax rather than the common one. */
static int is_special(int f, const char *p, const char *end)
{
    for (; p < end; p++) {
        char c = upper(*p);
        if (c == '?' || c == 'L' || (f == F_DOM && c == 'W') || (f == F_DOW && c == '#'))
            return 1;
    }
    return 0;
}

/* Parses one field [p, end) into s. */
static int parse_field(int f, const char *p, const char *end, ev_schedule_t *s)
{
    valset_t vs;
    memset(&vs, 0, sizeof vs);
    const char *item[NYEARS + 1];
    const char *item_end[NYEARS + 1];
    size_t n = 0;
    int special = 0;
    while (p < end) {
        const char *comma = memchr(p, ',', (size_t)(end - p));
        const char *e = comma ? comma : end;
        if (e > p) { /* "0/5,," is "0/5": empty items are skipped */
            if (n == sizeof item / sizeof item[0])
                return -1;
            if ((f == F_DOM || f == F_DOW) && is_special(f, p, e))
                special = 1;
            item[n] = p;
            item_end[n++] = e;
        }
        p = comma ? comma + 1 : end;
    }
    if (n == 0 || (special && n > 1))
        return -1;

    if (special && item_end[0] - item[0] == 1 && *item[0] == '?') {
        if (f == F_DOM)
            s->dom_mode = DAY_ANY;
        else
            s->dow_mode = DAY_ANY;
        return 0;
    }
    if (special && f == F_DOM)
        return parse_dom_special(item[0], item_end[0], s);
    if (special && f == F_DOW) {
        if (parse_dow_special(item[0], item_end[0], s, &vs) < 0)
            return -1;
    } else {
        for (size_t i = 0; i < n; i++)
            if (parse_item(f, item[i], item_end[i], &vs) < 0)
                return -1;
    }

    switch (f) {
    case F_MIN:
        s->minutes = vs.w[0];
        break;
    case F_HOUR:
        s->hours = (uint32_t)vs.w[0];
        break;
    case F_DOM:
        s->dom = (uint32_t)(vs.w[0] << 1);
        s->dom_mode = DAY_SET;
        break;
    case F_MONTH:
        s->months = (uint32_t)(vs.w[0] << 1);
        break;
    case F_DOW:
        s->dow = (uint32_t)(vs.w[0] << 1);
        if (s->dow_mode != DOW_LAST && s->dow_mode != DOW_NTH)
            s->dow_mode = DAY_SET;
        break;
    case F_YEAR:
        memcpy(s->years, vs.w, sizeof s->years);
        break;
    }
    return 0;
}

static int parse_cron(const char *p, const char *end, ev_schedule_t *s)
{
    if (p >= end || *p == ' ' || end[-1] == ' ')
        return -1;
    int f = 0;
    while (p < end) {
        const char *e = memchr(p, ' ', (size_t)(end - p));
        if (!e)
            e = end;
        if (f == NFIELDS || parse_field(f, p, e, s) < 0)
            return -1;
        f++;
        p = e;
        while (p < end && *p == ' ')
            p++;
    }
    if (f != NFIELDS)
        return -1;
    /* "You can't specify the Day-of-month and Day-of-week fields in the same
     * cron expression": exactly one of them is '?'. */
    if ((s->dom_mode == DAY_ANY) == (s->dow_mode == DAY_ANY))
        return -1;
    s->kind = EV_SCHEDULE_CRON;
    return 0;
}

static int parse_rate(const char *p, const char *end, ev_schedule_t *s)
{
    static const struct {
        const char *one, *many;
        int64_t ms;
    } units[] = {
        {"minute", "minutes", 60000LL},
        {"hour", "hours", 3600000LL},
        {"day", "days", 86400000LL},
    };
    int v;
    if (parse_number(&p, end, &v) < 0 || v < 1 || p >= end || *p != ' ')
        return -1;
    p++;
    size_t len = (size_t)(end - p);
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        const char *want = v == 1 ? units[i].one : units[i].many;
        if (strlen(want) == len && memcmp(p, want, len) == 0) {
            s->kind = EV_SCHEDULE_RATE;
            s->period_ms = (int64_t)v * units[i].ms;
            return 0;
        }
    }
    return -1;
}

/* The length the model layer measures: Java chars (UTF-16 units). */
static size_t java_length(const char *s)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p & 0xC0) != 0x80)
            n += *p >= 0xF0 ? 2 : 1;
    return n;
}

int ev_schedule_constraints(const char *expr, rn_buf_t *errs)
{
    if (!expr || java_length(expr) <= EV_SCHEDULE_EXPR_MAX)
        return 0;
    if (errs->len)
        rn_buf_puts(errs, "; ");
    rn_buf_printf(errs,
                  "Value '%s' at 'scheduleExpression' failed to satisfy constraint: Member must have length less "
                  "than or equal to %d",
                  expr, EV_SCHEDULE_EXPR_MAX);
    return 1;
}

int ev_schedule_parse(const char *expr, ev_schedule_t **out, char *msg, size_t msglen)
{
    *out = NULL;
    if (expr && java_length(expr) > EV_SCHEDULE_EXPR_MAX) {
        rn_buf_t b = {0};
        ev_schedule_constraints(expr, &b);
        if (b.oom) {
            rn_buf_free(&b);
            return RN_ERR_NOMEM;
        }
        snprintf(msg, msglen, "1 validation error detected: %s", b.data);
        rn_buf_free(&b);
        return RN_ERR_VALIDATION;
    }
    ev_schedule_t *s = rn_calloc(1, sizeof *s);
    if (!s)
        return RN_ERR_NOMEM;
    int rc = -1;
    size_t n = expr ? strlen(expr) : 0;
    if (n > 6 && expr[n - 1] == ')') {
        const char *end = expr + n - 1;
        if (memcmp(expr, "rate(", 5) == 0)
            rc = parse_rate(expr + 5, end, s);
        else if (memcmp(expr, "cron(", 5) == 0)
            rc = parse_cron(expr + 5, end, s);
    }
    if (rc < 0) {
        rn_free(s);
        snprintf(msg, msglen, "%s", MSG_INVALID);
        return RN_ERR_VALIDATION;
    }
    *out = s;
    return 0;
}

void ev_schedule_free(ev_schedule_t *s)
{
    rn_free(s);
}

ev_schedule_kind_t ev_schedule_kind(const ev_schedule_t *s)
{
    return s->kind;
}

int64_t ev_schedule_period_ms(const ev_schedule_t *s)
{
    return s->kind == EV_SCHEDULE_RATE ? s->period_ms : 0;
}

/* ---- calendar (proleptic Gregorian, UTC) ---- */

static int is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

/* Days from 1970-01-01 to y-m-d, counted in 400-year eras from 0000-03-01. */
static int64_t days_from_civil(int y, int m, int d)
{
    int64_t yy = m <= 2 ? y - 1 : y;
    int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
    int64_t yoe = yy - era * 400;
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* The inverse of days_from_civil(). */
static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

/* Weekday of a day number, 1 = Sunday ... 7 = Saturday (1970-01-01 was a Thursday). */
static int weekday(int64_t days)
{
    return (int)(((days % 7) + 7 + 4) % 7) + 1;
}

/* The weekday (Mon-Fri) nearest day d of a month of dim days starting on
 * weekday wd1, without leaving the month. */
static int nearest_weekday(int d, int dim, int wd1)
{
    int wd = (wd1 - 1 + d - 1) % 7 + 1;
    if (wd == 7)
        return d == 1 ? d + 2 : d - 1;
    if (wd == 1)
        return d == dim ? d - 2 : d + 1;
    return d;
}

/* The days of month y-m on which s fires, as bits 1..31. */
static uint32_t month_days(const ev_schedule_t *s, int y, int m)
{
    int dim = days_in_month(y, m);
    int wd1 = weekday(days_from_civil(y, m, 1));
    uint32_t all = (uint32_t)(((1ULL << (dim + 1)) - 1) & ~1ULL);
    int mode = s->dom_mode != DAY_ANY ? s->dom_mode : s->dow_mode;
    int d;
    switch (mode) {
    case DAY_SET:
        if (s->dom_mode == DAY_SET)
            return s->dom & all;
        {
            uint32_t days = 0;
            for (d = 1; d <= dim; d++)
                if (s->dow >> ((wd1 - 1 + d - 1) % 7 + 1) & 1)
                    days |= 1u << d;
            return days;
        }
    case DOM_LAST:
        d = dim - s->dom_arg;
        return d >= 1 ? 1u << d : 0;
    case DOM_NEAREST:
        return s->dom_arg <= dim ? 1u << nearest_weekday(s->dom_arg, dim, wd1) : 0;
    case DOM_LAST_NEAREST:
        d = dim - s->dom_arg;
        return d >= 1 ? 1u << nearest_weekday(d, dim, wd1) : 0;
    case DOW_LAST: {
        int wd_last = (wd1 - 1 + dim - 1) % 7 + 1;
        return 1u << (dim - (wd_last - s->dow_day + 7) % 7);
    }
    case DOW_NTH:
        d = 1 + (s->dow_day - wd1 + 7) % 7 + 7 * (s->dow_nth - 1);
        return d <= dim ? 1u << d : 0;
    }
    return 0;
}

/* The first minute of a firing day at or after h:mi, as minutes since
 * midnight, or -1. */
static int day_first_minute(const ev_schedule_t *s, int h, int mi)
{
    for (; h < 24; h++, mi = 0) {
        if (!(s->hours >> h & 1))
            continue;
        uint64_t m = s->minutes & (~0ULL << mi);
        if (m)
            return h * 60 + __builtin_ctzll(m);
    }
    return -1;
}

static int64_t cron_next(const ev_schedule_t *s, int64_t after_ms)
{
    /* fire times are whole minutes: start at the first one after after_ms */
    int64_t t = after_ms / MS_PER_MIN - (after_ms % MS_PER_MIN < 0) + 1;
    if (t < 0)
        t = 0;
    if (t >= days_from_civil(YEAR_MAX + 1, 1, 1) * MIN_PER_DAY)
        return -1;
    int y, mo, d;
    civil_from_days(t / MIN_PER_DAY, &y, &mo, &d);
    int h = (int)(t % MIN_PER_DAY / 60), mi = (int)(t % 60);

    for (; y <= YEAR_MAX; y++, mo = 1, d = 1, h = 0, mi = 0) {
        int yi = y - YEAR_MIN;
        if (!(s->years[yi / 64] >> (yi % 64) & 1))
            continue;
        for (; mo <= 12; mo++, d = 1, h = 0, mi = 0) {
            if (!(s->months >> mo & 1))
                continue;
            uint32_t days = month_days(s, y, mo) & (~0u << d);
            for (; days; days &= days - 1) {
                int dd = __builtin_ctz(days);
                int tm = dd == d ? day_first_minute(s, h, mi) : day_first_minute(s, 0, 0);
                if (tm >= 0)
                    return (days_from_civil(y, mo, dd) * MIN_PER_DAY + tm) * MS_PER_MIN;
            }
        }
    }
    return -1;
}

static int64_t rate_next(const ev_schedule_t *s, int64_t anchor_ms, int64_t after_ms)
{
    int64_t k = 1, diff, step, next;
    if (after_ms >= anchor_ms) {
        if (__builtin_sub_overflow(after_ms, anchor_ms, &diff))
            return -1;
        k = diff / s->period_ms + 1;
    }
    if (__builtin_mul_overflow(k, s->period_ms, &step) || __builtin_add_overflow(anchor_ms, step, &next))
        return -1;
    return next;
}

int64_t ev_schedule_next(const ev_schedule_t *s, int64_t anchor_ms, int64_t after_ms)
{
    /* nothing fires before 1970, so -1 can only mean "never" */
    if (after_ms < -1)
        after_ms = -1;
    if (s->kind == EV_SCHEDULE_RATE)
        return rate_next(s, anchor_ms, after_ms);
    return cron_next(s, after_ms);
}
