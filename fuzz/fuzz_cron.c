/* SPDX-License-Identifier: MIT
 * libFuzzer target for scheduled-rule expressions. The input (up to its
 * first NUL) is parsed as a ScheduleExpression as it is, and again wrapped as
 * "cron(...)" and "rate(...)" so the fuzzer reaches the field grammar without
 * having to find the wrapper first. Every expression that parses is asked for
 * a run of fire times from several starting points, which must be strictly
 * increasing, on whole minutes for cron, inside 1970-2199, on the anchor's
 * grid for rates, and with nothing skipped in between; a violation traps.
 * None of it may crash, leak or trip the sanitizers either. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "pattern/pattern.h"

#define MS_PER_MIN 60000LL
#define MS_1970 0LL
#define MS_2200 7258118400000LL /* 2200-01-01T00:00Z */
#define STEPS 8

static void check(int ok)
{
    if (!ok)
        __builtin_trap();
}

/* Walks STEPS fire times from `after` and checks each against the contract. */
static void walk(const ev_schedule_t *s, int64_t anchor, int64_t after)
{
    int cron = ev_schedule_kind(s) == EV_SCHEDULE_CRON;
    int64_t period = ev_schedule_period_ms(s);
    int64_t t = after;
    check(cron ? period == 0 : period > 0);
    for (int i = 0; i < STEPS; i++) {
        int64_t n = ev_schedule_next(s, anchor, t);
        check(n >= -1); /* -1 is "never"; nothing fires before 1970 */
        if (n == -1) {
            /* a schedule that has ended stays ended */
            if (t < INT64_MAX - 86400000LL)
                check(ev_schedule_next(s, anchor, t + 86400000LL) == -1);
            return;
        }
        check(n > t);
        if (cron) {
            check(n % MS_PER_MIN == 0);
            check(n >= MS_1970 && n < MS_2200);
        } else {
            check(n > anchor && (n - anchor) % period == 0 && (n - anchor) / period >= 1);
        }
        /* nothing fires between t and n */
        check(ev_schedule_next(s, anchor, n - 1) == n);
        check(ev_schedule_next(s, anchor, t + (n - t) / 2) == n);
        t = n;
    }
}

static void one(const char *expr)
{
    ev_schedule_t *s = NULL;
    char msg[1024];
    rn_buf_t b = {0};
    int appended = ev_schedule_constraints(expr, &b);
    rn_buf_free(&b);
    if (ev_schedule_parse(expr, &s, msg, sizeof msg) != 0) {
        check(s == NULL && msg[0] != '\0');
        return;
    }
    check(appended == 0);
    /* a fixed spread of starting points, and one taken from the input */
    uint64_t h = 1469598103934665603ULL;
    for (const char *p = expr; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    static const int64_t starts[] = {
        -86400000LL,   /* 1969-12-31 */
        0,             /* 1970-01-01 */
        1704067200000LL, /* 2024-01-01 */
        1709164800000LL, /* 2024-02-29 */
        7258114800000LL, /* 2199-12-31T23:00 */
    };
    for (size_t i = 0; i < sizeof starts / sizeof starts[0]; i++)
        walk(s, starts[i], starts[i]);
    int64_t t = (int64_t)(h % (uint64_t)MS_2200);
    walk(s, (int64_t)(h >> 20) % MS_2200, t);
    walk(s, t, t + 12345);
    ev_schedule_free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    char *expr = malloc(size + 1);
    char *wrapped = malloc(size + 8);
    if (!expr || !wrapped) {
        free(expr);
        free(wrapped);
        return 0;
    }
    memcpy(expr, data, size);
    expr[size] = '\0';
    one(expr);
    snprintf(wrapped, size + 8, "cron(%s)", expr);
    one(wrapped);
    snprintf(wrapped, size + 8, "rate(%s)", expr);
    one(wrapped);
    free(expr);
    free(wrapped);
    return 0;
}
