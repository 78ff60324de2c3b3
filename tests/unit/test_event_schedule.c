/* SPDX-License-Identifier: MIT
 * Scheduled-rule expressions (rate and cron). The valid expressions are the
 * user guide's examples and AWS-validated ones (LocalStack's recorded tests,
 * the AWS workshop, SDK issue threads); the invalid ones are those AWS was
 * seen to refuse, each checked for AWS's exact message. Then the fire times:
 * every field, L / W / #, leap years and short months, wrapping ranges, the
 * 1970-2199 year limits, expressions that never fire, and rate anchoring.
 * Expected times were cross-checked against an independent day-by-day
 * evaluator over a few thousand random expressions. */
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/mem.h"
#include "pattern/pattern.h"
#include "unit.h"

#define INVALID_MSG "Parameter ScheduleExpression is not valid."

/* "YYYY-MM-DDTHH:MM[:SS]" (UTC) as Unix ms. */
static int64_t at(const char *iso)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    const char *rest = strptime(iso, "%Y-%m-%dT%H:%M", &tm);
    if (rest && *rest == ':')
        strptime(rest + 1, "%S", &tm);
    return (int64_t)timegm(&tm) * 1000;
}

/* Unix ms as "YYYY-MM-DDTHH:MM" (":SS" when not on a minute), or "-1". */
static const char *iso(int64_t ms, char *buf, size_t n)
{
    if (ms < 0) {
        snprintf(buf, n, "-1");
        return buf;
    }
    time_t sec = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&sec, &tm);
    strftime(buf, n, sec % 60 ? "%Y-%m-%dT%H:%M:%S" : "%Y-%m-%dT%H:%M", &tm);
    return buf;
}

static int valid(const char *expr)
{
    ev_schedule_t *s = NULL;
    char msg[512] = "";
    int rc = ev_schedule_parse(expr, &s, msg, sizeof msg);
    ev_schedule_free(s);
    return rc == 0;
}

/* The message parsing expr fails with, or "ok". */
static const char *parse_error(const char *expr)
{
    static char msg[1024];
    ev_schedule_t *s = NULL;
    int rc = ev_schedule_parse(expr, &s, msg, sizeof msg);
    ev_schedule_free(s);
    if (rc == 0)
        return "ok";
    if (rc != RN_ERR_VALIDATION)
        return "wrong error code";
    return msg;
}

/* The next `count` fire times after `after`, space-separated ("... -1" when
 * the schedule ends). Rates count from `anchor`. */
static const char *fires_from(const char *expr, const char *anchor, const char *after, int count)
{
    static char out[1024];
    char one[32], msg[256];
    ev_schedule_t *s = NULL;
    out[0] = '\0';
    if (ev_schedule_parse(expr, &s, msg, sizeof msg) != 0)
        return "parse failed";
    int64_t a = anchor ? at(anchor) : 0, t = at(after);
    for (int i = 0; i < count; i++) {
        int64_t n = ev_schedule_next(s, a, t);
        if (i)
            strcat(out, " ");
        strcat(out, iso(n, one, sizeof one));
        if (n < 0)
            break;
        t = n;
    }
    ev_schedule_free(s);
    return out;
}

static const char *fires(const char *expr, const char *after, int count)
{
    return fires_from(expr, NULL, after, count);
}

/* ---- valid expressions ---- */

TEST(test_schedule_user_guide_cron_examples_are_valid)
{
    static const char *const ok[] = {
        "cron(0 10 * * ? *)",         "cron(15 12 * * ? *)",          "cron(0 18 ? * MON-FRI *)",
        "cron(0 8 1 * ? *)",          "cron(0/15 * * * ? *)",         "cron(0/10 * ? * MON-FRI *)",
        "cron(0/5 8-17 ? * MON-FRI *)", "cron(0/30 20-23 ? * MON-FRI *)", "cron(0/30 0-2 ? * MON-FRI *)",
        "cron(0 2 ? * SAT *)",        "cron(5,35 14 * * ? *)",        "cron(15 10 ? * 6L 2002-2005)",
        "cron(0 2 ? * SAT#3 *)",      "cron(* * ? * SAT#3 *)",        "cron(0/5 5 ? JAN 1-5 2022)",
        "cron(0 20 * * ? *)",         "cron(1/10 * * * ? *)",         "cron(0 9 3W * ? *)",
        "cron(0 9 ? * 3#2 *)",
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        if (!valid(ok[i]))
            fprintf(stderr, "  refused: %s\n", ok[i]);
        CHECK(valid(ok[i]));
    }
}

TEST(test_schedule_rate_examples_are_valid)
{
    CHECK(valid("rate(1 minute)"));
    CHECK(valid("rate(5 minutes)"));
    CHECK(valid("rate(1 hour)"));
    CHECK(valid("rate(2 hours)"));
    CHECK(valid("rate(1 day)"));
    CHECK(valid("rate(7 days)"));
    CHECK(valid("rate(2147483647 days)"));
}

TEST(test_schedule_kind_and_period)
{
    ev_schedule_t *s = NULL;
    char msg[256];
    CHECK_INT(ev_schedule_parse("rate(5 minutes)", &s, msg, sizeof msg), 0);
    CHECK_INT(ev_schedule_kind(s), EV_SCHEDULE_RATE);
    CHECK_INT(ev_schedule_period_ms(s), 300000);
    ev_schedule_free(s);
    CHECK_INT(ev_schedule_parse("rate(3 hours)", &s, msg, sizeof msg), 0);
    CHECK_INT(ev_schedule_period_ms(s), 3 * 3600000LL);
    ev_schedule_free(s);
    CHECK_INT(ev_schedule_parse("rate(2 days)", &s, msg, sizeof msg), 0);
    CHECK_INT(ev_schedule_period_ms(s), 2 * 86400000LL);
    ev_schedule_free(s);
    CHECK_INT(ev_schedule_parse("cron(0 10 * * ? *)", &s, msg, sizeof msg), 0);
    CHECK_INT(ev_schedule_kind(s), EV_SCHEDULE_CRON);
    CHECK_INT(ev_schedule_period_ms(s), 0);
    ev_schedule_free(s);
}

TEST(test_schedule_names_are_case_insensitive)
{
    /* The AWS workshop's own rule is "* * ? * mon-sun *". */
    CHECK(valid("cron(* * ? * mon-sun *)"));
    CHECK(valid("cron(1/5 8-17 ? * Mon-Fri *)"));
    CHECK(valid("cron(10 10 15 jan,Jul,DEC ? *)"));
    CHECK(valid("cron(0 18 ? * friL *)"));
    CHECK(valid("cron(0 18 lw * ? *)"));
    CHECK_STR(fires("cron(0 12 ? * mon *)", "2024-01-01T12:00", 1), "2024-01-08T12:00");
}

TEST(test_schedule_empty_list_items_are_skipped)
{
    /* PutRule accepted "cron(0/5, 9-18, ?, *, MON-FRI, *)" (boto3 #2876):
     * the comma list drops empty items, as Quartz's tokenizer does. */
    CHECK(valid("cron(0/5, 9-18, ?, *, MON-FRI, *)"));
    CHECK_STR(fires("cron(0/5, 9-18, ?, *, MON-FRI, *)", "2024-01-05T18:54", 3),
              "2024-01-05T18:55 2024-01-08T09:00 2024-01-08T09:05");
    CHECK(valid("cron(,5,,10, * * * ? *)"));
    CHECK_STR(parse_error("cron(, * * * ? *)"), INVALID_MSG);
    CHECK_STR(parse_error("cron(0 9 ?,5 * ? *)"), INVALID_MSG); /* ? only on its own */
}

TEST(test_schedule_leading_zeros_and_runs_of_spaces)
{
    CHECK(valid("cron(0 07/12 ? * * *)"));
    CHECK(valid("cron(10 10 31 04,09,12 ? *)"));
    CHECK(valid("cron(0  10   * * ? *)"));
    CHECK(valid("rate(05 minutes)"));
    CHECK(valid("rate(01 minute)"));
    CHECK_STR(parse_error("rate(01 minutes)"), INVALID_MSG);
}

/* ---- invalid expressions: AWS's one message ---- */

TEST(test_schedule_invalid_rates_recorded_against_aws)
{
    static const char *const bad[] = {
        "rate(10 seconds)", "rate(10 years)",    "rate(1 minutes)",    "rate(1 hours)",      "rate(1 days)",
        "rate(10 minute)",  "rate(10 hour)",     "rate(10 day)",       "rate()",             "rate(10)",
        "rate(10 minutess)", "rate(foo minutes)", "rate(0 minutes)",   "rate(-10 minutes)",  "rate(10 MINUTES)",
        "rate( 10 minutes )", " rate(10 minutes)",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (strcmp(parse_error(bad[i]), INVALID_MSG) != 0)
            fprintf(stderr, "  accepted or wrong message: %s\n", bad[i]);
        CHECK_STR(parse_error(bad[i]), INVALID_MSG);
    }
}

TEST(test_schedule_rate_other_malformed)
{
    CHECK_STR(parse_error("rate(0 minute)"), INVALID_MSG);
    CHECK_STR(parse_error("rate(+5 minutes)"), INVALID_MSG);
    CHECK_STR(parse_error("rate(5.5 minutes)"), INVALID_MSG);
    CHECK_STR(parse_error("rate(5  minutes)"), INVALID_MSG);
    CHECK_STR(parse_error("rate(5\tminutes)"), INVALID_MSG);
    CHECK_STR(parse_error("rate(5 minutes) "), INVALID_MSG);
    CHECK_STR(parse_error("rate(5 minutes"), INVALID_MSG);
    CHECK_STR(parse_error("rate(2147483648 days)"), INVALID_MSG); /* past Java's int */
    CHECK_STR(parse_error("rate(99999999999 minutes)"), INVALID_MSG);
    CHECK_STR(parse_error("Rate(5 minutes)"), INVALID_MSG);
    CHECK_STR(parse_error("rate(1 Minute)"), INVALID_MSG);
}

TEST(test_schedule_invalid_crons_recorded_against_aws)
{
    CHECK_STR(parse_error("cron(0 1 * * * *)"), INVALID_MSG); /* both day fields */
    CHECK_STR(parse_error("cron(7 20 * * NOT *)"), INVALID_MSG);
    CHECK_STR(parse_error("cron(INVALID)"), INVALID_MSG);
    CHECK_STR(parse_error("cron(0 dummy ? * MON-FRI *)"), INVALID_MSG);
    CHECK_STR(parse_error("cron(71 8 1 * ? *)"), INVALID_MSG);
    CHECK_STR(parse_error("cron(*/60 * * * ? *)"), INVALID_MSG); /* aws-sdk-js #4212 */
    CHECK_STR(parse_error("cron(15 12 ? * -1 *)"), INVALID_MSG); /* winglang #7115 */
}

TEST(test_schedule_day_fields_exactly_one_question_mark)
{
    CHECK_STR(parse_error("cron(0 9 ? * ? *)"), INVALID_MSG);
    CHECK_STR(parse_error("cron(0 9 * * * *)"), INVALID_MSG);
    CHECK_STR(parse_error("cron(0 9 1 * MON *)"), INVALID_MSG);
    CHECK_STR(parse_error("cron(0 9 L * 6L *)"), INVALID_MSG);
    CHECK(valid("cron(0 9 ? * * *)"));
    CHECK(valid("cron(0 9 * * ? *)"));
}

TEST(test_schedule_question_mark_only_in_day_fields)
{
    CHECK_STR(parse_error("cron(? 9 * * ? *)"), INVALID_MSG);
    CHECK_STR(parse_error("cron(0 ? * * ? *)"), INVALID_MSG);
    CHECK_STR(parse_error("cron(0 9 * ? ? *)"), INVALID_MSG);
    CHECK_STR(parse_error("cron(0 9 * * ? ?)"), INVALID_MSG);
    CHECK_STR(parse_error("cron(0 9 ?5 * ? *)"), INVALID_MSG);
}

TEST(test_schedule_field_count_is_six)
{
    CHECK_STR(parse_error("cron(0 18 ? * MON-FRI)"), INVALID_MSG);
    CHECK_STR(parse_error("cron(0 0 18 ? * MON-FRI *)"), INVALID_MSG); /* Quartz's seconds field */
    CHECK_STR(parse_error("cron()"), INVALID_MSG);
    CHECK_STR(parse_error("cron( 0 10 * * ? *)"), INVALID_MSG);
    CHECK_STR(parse_error("cron(0 10 * * ? * )"), INVALID_MSG);
    CHECK_STR(parse_error("cron(0\t10 * * ? *)"), INVALID_MSG);
    CHECK_STR(parse_error("cron(0 10 * * ? *"), INVALID_MSG);
    CHECK_STR(parse_error("cron(0 10 * * ? *))"), INVALID_MSG);
    CHECK_STR(parse_error("CRON(0 10 * * ? *)"), INVALID_MSG);
    CHECK_STR(parse_error("cron (0 10 * * ? *)"), INVALID_MSG);
    CHECK_STR(parse_error("0 10 * * ? *"), INVALID_MSG);
    CHECK_STR(parse_error(""), INVALID_MSG);
    CHECK_STR(parse_error(NULL), INVALID_MSG);
}

TEST(test_schedule_value_ranges_per_field)
{
    CHECK(valid("cron(59 23 31 12 ? 2199)"));
    CHECK(valid("cron(0 0 1 1 ? 1970)"));
    CHECK(valid("cron(0 0 ? 1 7 *)"));
    CHECK_STR(parse_error("cron(60 0 * * ? *)"), INVALID_MSG);
    CHECK_STR(parse_error("cron(0 24 * * ? *)"), INVALID_MSG);
    CHECK_STR(parse_error("cron(0 0 0 * ? *)"), INVALID_MSG);
    CHECK_STR(parse_error("cron(0 0 32 * ? *)"), INVALID_MSG);
    CHECK_STR(parse_error("cron(0 0 * 0 ? *)"), INVALID_MSG);
    CHECK_STR(parse_error("cron(0 0 * 13 ? *)"), INVALID_MSG);
    CHECK_STR(parse_error("cron(0 0 ? * 0 *)"), INVALID_MSG);
    CHECK_STR(parse_error("cron(0 0 ? * 8 *)"), INVALID_MSG);
    CHECK_STR(parse_error("cron(0 0 * * ? 1969)"), INVALID_MSG);
    CHECK_STR(parse_error("cron(0 0 * * ? 2200)"), INVALID_MSG);
    CHECK_STR(parse_error("cron(0 0 * * ? 2000-2200)"), INVALID_MSG);
    CHECK_STR(parse_error("cron(0 0 * * ? 20)"), INVALID_MSG);
    CHECK(valid("cron(000000000059 0 * * ? *)"));
    CHECK_STR(parse_error("cron(4294967296 0 * * ? *)"), INVALID_MSG);
}

TEST(test_schedule_names_only_where_documented)
{
    CHECK(valid("cron(0 0 1 JAN-DEC ? *)"));
    CHECK(valid("cron(0 0 ? * SUN-SAT *)"));
    CHECK_STR(parse_error("cron(0 0 1 JANUARY ? *)"), INVALID_MSG);
    CHECK_STR(parse_error("cron(0 0 ? * MONDAY *)"), INVALID_MSG);
    CHECK_STR(parse_error("cron(0 0 ? * JAN *)"), INVALID_MSG);
    CHECK_STR(parse_error("cron(0 0 1 MON ? *)"), INVALID_MSG);
    CHECK_STR(parse_error("cron(0 MON * * ? *)"), INVALID_MSG);
    CHECK_STR(parse_error("cron(0 0 * * ? JAN)"), INVALID_MSG);
}

TEST(test_schedule_steps_positive_and_bounded)
{
    CHECK(valid("cron(*/59 */23 */31 */12 ? *)"));
    CHECK(valid("cron(0 0 ? * */7 *)"));
    CHECK(valid("cron(0 0 1 1 ? 1970/100)"));
    CHECK_STR(parse_error("cron(*/0 * * * ? *)"), INVALID_MSG);
    CHECK_STR(parse_error("cron(5/0 * * * ? *)"), INVALID_MSG);
    CHECK_STR(parse_error("cron(0 */24 * * ? *)"), INVALID_MSG);
    CHECK_STR(parse_error("cron(0 0 */32 * ? *)"), INVALID_MSG);
    CHECK_STR(parse_error("cron(0 0 1 */13 ? *)"), INVALID_MSG);
    CHECK_STR(parse_error("cron(0 0 ? * */8 *)"), INVALID_MSG);
    CHECK_STR(parse_error("cron(/5 * * * ? *)"), INVALID_MSG);
    CHECK_STR(parse_error("cron(5/ * * * ? *)"), INVALID_MSG);
    CHECK_STR(parse_error("cron(*-5 * * * ? *)"), INVALID_MSG);
    CHECK_STR(parse_error("cron(1-2-3 * * * ? *)"), INVALID_MSG);
    CHECK_STR(parse_error("cron(5/2/2 * * * ? *)"), INVALID_MSG);
}

TEST(test_schedule_special_characters_only_in_their_fields)
{
    CHECK_STR(parse_error("cron(0 0 1#2 * ? *)"), INVALID_MSG);   /* # is day-of-week only */
    CHECK_STR(parse_error("cron(0 0 ? * 2W *)"), INVALID_MSG);    /* W is day-of-month only */
    CHECK_STR(parse_error("cron(L 0 * * ? *)"), INVALID_MSG);
    CHECK_STR(parse_error("cron(0 L * * ? *)"), INVALID_MSG);
    CHECK_STR(parse_error("cron(0 0 1 L ? *)"), INVALID_MSG);
    CHECK_STR(parse_error("cron(0 0 * * ? L)"), INVALID_MSG);
    CHECK_STR(parse_error("cron(0 0 3L * ? *)"), INVALID_MSG);    /* NL is day-of-week only */
    CHECK_STR(parse_error("cron(0 0 ? * L-2 *)"), INVALID_MSG);
}

TEST(test_schedule_l_w_hash_stand_alone)
{
    /* "If you use the '#' character, you can define only one expression in
     * the day-of-week field. For example, "3#1,6#3" is not valid." */
    CHECK_STR(parse_error("cron(0 9 ? * 3#1,6#3 *)"), INVALID_MSG);
    CHECK_STR(parse_error("cron(0 9 ? * 3#1,5 *)"), INVALID_MSG);
    CHECK_STR(parse_error("cron(0 9 L,15 * ? *)"), INVALID_MSG);
    CHECK_STR(parse_error("cron(0 9 15W,20 * ? *)"), INVALID_MSG);
    CHECK_STR(parse_error("cron(0 9 ? * 6L,2 *)"), INVALID_MSG);
    CHECK_STR(parse_error("cron(0 9 1-5W * ? *)"), INVALID_MSG);
    CHECK_STR(parse_error("cron(0 9 ? * 1-5L *)"), INVALID_MSG);
    CHECK_STR(parse_error("cron(0 9 ? * 6L#2 *)"), INVALID_MSG);
}

TEST(test_schedule_l_w_hash_forms)
{
    CHECK(valid("cron(0 9 L * ? *)"));
    CHECK(valid("cron(0 9 LW * ? *)"));
    CHECK(valid("cron(0 9 L-3 * ? *)"));
    CHECK(valid("cron(0 9 L-30 * ? *)"));
    CHECK(valid("cron(0 9 L-2W * ? *)"));
    CHECK(valid("cron(0 9 1W * ? *)"));
    CHECK(valid("cron(0 9 31W * ? *)"));
    CHECK(valid("cron(0 9 ? * L *)"));
    CHECK(valid("cron(0 9 ? * 7L *)"));
    CHECK(valid("cron(0 9 ? * SUN#5 *)"));
    CHECK_STR(parse_error("cron(0 9 L-31 * ? *)"), INVALID_MSG);
    CHECK_STR(parse_error("cron(0 9 L- * ? *)"), INVALID_MSG);
    CHECK_STR(parse_error("cron(0 9 W * ? *)"), INVALID_MSG);
    CHECK_STR(parse_error("cron(0 9 0W * ? *)"), INVALID_MSG);
    CHECK_STR(parse_error("cron(0 9 32W * ? *)"), INVALID_MSG);
    CHECK_STR(parse_error("cron(0 9 WL * ? *)"), INVALID_MSG);
    CHECK_STR(parse_error("cron(0 9 LL * ? *)"), INVALID_MSG);
    CHECK_STR(parse_error("cron(0 9 ? * 8L *)"), INVALID_MSG);
    CHECK_STR(parse_error("cron(0 9 ? * LL *)"), INVALID_MSG);
    CHECK_STR(parse_error("cron(0 9 ? * 2#0 *)"), INVALID_MSG);
    CHECK_STR(parse_error("cron(0 9 ? * 2#6 *)"), INVALID_MSG);
    CHECK_STR(parse_error("cron(0 9 ? * 2# *)"), INVALID_MSG);
    CHECK_STR(parse_error("cron(0 9 ? * #2 *)"), INVALID_MSG);
    CHECK_STR(parse_error("cron(0 9 ? * 0#2 *)"), INVALID_MSG);
}

TEST(test_schedule_year_range_cannot_wrap)
{
    CHECK_STR(parse_error("cron(0 0 1 1 ? 2025-2020)"), INVALID_MSG);
    CHECK(valid("cron(0 0 1 1 ? 2020-2020)"));
}

TEST(test_schedule_length_limit_256)
{
    char expr[300];
    /* 256 characters exactly is fine as far as the model goes */
    memset(expr, 0, sizeof expr);
    strcpy(expr, "cron(0 10 * * ? ");
    size_t n = strlen(expr);
    while (n < 254)
        expr[n++] = ',';
    strcpy(expr + n, "*)");
    CHECK_INT(strlen(expr), 256);
    CHECK(valid(expr));
    /* 257 is refused by the model layer, value and all */
    memmove(expr + 17, expr + 16, strlen(expr + 16) + 1);
    expr[16] = ',';
    CHECK_INT(strlen(expr), 257);
    char want[1024];
    snprintf(want, sizeof want,
             "1 validation error detected: Value '%s' at 'scheduleExpression' failed to satisfy constraint: "
             "Member must have length less than or equal to 256",
             expr);
    CHECK_STR(parse_error(expr), want);

    rn_buf_t b = {0};
    CHECK_INT(ev_schedule_constraints("rate(5 minutes)", &b), 0);
    CHECK_INT(b.len, 0);
    CHECK_INT(ev_schedule_constraints(expr, &b), 1);
    CHECK_STR(b.data, want + strlen("1 validation error detected: "));
    rn_buf_free(&b);
}

TEST(test_schedule_length_counts_java_chars)
{
    /* 128 two-byte characters are 128 Java chars: within the limit (and then
     * simply not a valid expression). */
    char expr[600];
    size_t n = 0;
    for (int i = 0; i < 128; i++) {
        expr[n++] = (char)0xC3;
        expr[n++] = (char)0xA9;
    }
    expr[n] = '\0';
    CHECK_STR(parse_error(expr), INVALID_MSG);
}

TEST(test_schedule_parse_out_of_memory)
{
    ev_schedule_t *s = (ev_schedule_t *)1;
    char msg[64];
    rn_mem_fail_after(1);
    CHECK_INT(ev_schedule_parse("rate(5 minutes)", &s, msg, sizeof msg), RN_ERR_NOMEM);
    CHECK(s == NULL);
    rn_mem_fail_after(0);
}

/* ---- cron fire times ---- */

TEST(test_schedule_cron_daily_fixed_time)
{
    CHECK_STR(fires("cron(0 10 * * ? *)", "2024-03-09T09:59", 3), "2024-03-09T10:00 2024-03-10T10:00 2024-03-11T10:00");
    CHECK_STR(fires("cron(15 12 * * ? *)", "2024-12-31T12:15", 2), "2025-01-01T12:15 2025-01-02T12:15");
}

TEST(test_schedule_cron_next_is_strictly_after)
{
    /* exactly on a fire time, a second or a millisecond past it */
    CHECK_STR(fires("cron(0 10 * * ? *)", "2024-03-09T10:00", 1), "2024-03-10T10:00");
    ev_schedule_t *s = NULL;
    char msg[64], buf[32];
    CHECK_INT(ev_schedule_parse("cron(* * * * ? *)", &s, msg, sizeof msg), 0);
    CHECK_STR(iso(ev_schedule_next(s, 0, at("2024-03-09T10:00") - 1), buf, sizeof buf), "2024-03-09T10:00");
    CHECK_STR(iso(ev_schedule_next(s, 0, at("2024-03-09T10:00")), buf, sizeof buf), "2024-03-09T10:01");
    CHECK_STR(iso(ev_schedule_next(s, 0, at("2024-03-09T10:00:59")), buf, sizeof buf), "2024-03-09T10:01");
    CHECK_INT(ev_schedule_next(s, 0, at("2024-03-09T10:00") + 1), at("2024-03-09T10:01"));
    ev_schedule_free(s);
}

TEST(test_schedule_cron_minutes_lists_ranges_steps)
{
    CHECK_STR(fires("cron(5,35 14 * * ? *)", "2024-01-01T14:05", 3),
              "2024-01-01T14:35 2024-01-02T14:05 2024-01-02T14:35");
    CHECK_STR(fires("cron(1/10 * * * ? *)", "2024-01-01T00:00", 7),
              "2024-01-01T00:01 2024-01-01T00:11 2024-01-01T00:21 2024-01-01T00:31 2024-01-01T00:41 "
              "2024-01-01T00:51 2024-01-01T01:01");
    CHECK_STR(fires("cron(0/15 * * * ? *)", "2024-01-01T23:50", 3),
              "2024-01-02T00:00 2024-01-02T00:15 2024-01-02T00:30");
    CHECK_STR(fires("cron(10-12 3 * * ? *)", "2024-01-01T03:11", 3),
              "2024-01-01T03:12 2024-01-02T03:10 2024-01-02T03:11");
    CHECK_STR(fires("cron(10-40/15 3 * * ? *)", "2024-01-01T00:00", 4),
              "2024-01-01T03:10 2024-01-01T03:25 2024-01-01T03:40 2024-01-02T03:10");
    CHECK_STR(fires("cron(*/59 0 * * ? *)", "2024-01-01T00:00", 2), "2024-01-01T00:59 2024-01-02T00:00");
}

TEST(test_schedule_cron_hours)
{
    CHECK_STR(fires("cron(0/30 0-2 ? * MON-FRI *)", "2024-01-05T02:30", 3),
              "2024-01-08T00:00 2024-01-08T00:30 2024-01-08T01:00");
    CHECK_STR(fires("cron(0 11-23/4 ? * 2-6 *)", "2024-01-01T00:00", 4),
              "2024-01-01T11:00 2024-01-01T15:00 2024-01-01T19:00 2024-01-01T23:00");
    CHECK_STR(fires("cron(0 */6 * * ? *)", "2024-01-01T18:00", 2), "2024-01-02T00:00 2024-01-02T06:00");
}

TEST(test_schedule_cron_ranges_wrap)
{
    CHECK_STR(fires("cron(0 22-2 * * ? *)", "2024-01-01T02:00", 6),
              "2024-01-01T22:00 2024-01-01T23:00 2024-01-02T00:00 2024-01-02T01:00 2024-01-02T02:00 2024-01-02T22:00");
    CHECK_STR(fires("cron(0 12 ? * FRI-MON *)", "2024-01-04T00:00", 5),
              "2024-01-05T12:00 2024-01-06T12:00 2024-01-07T12:00 2024-01-08T12:00 2024-01-12T12:00");
    CHECK_STR(fires("cron(0 0 1 NOV-FEB ? *)", "2024-03-01T00:00", 4),
              "2024-11-01T00:00 2024-12-01T00:00 2025-01-01T00:00 2025-02-01T00:00");
    CHECK_STR(fires("cron(58-2/2 0 * * ? *)", "2024-01-01T00:00", 4),
              "2024-01-01T00:02 2024-01-01T00:58 2024-01-02T00:00 2024-01-02T00:02");
    CHECK_STR(fires("cron(0 0 30-2 * ? *)", "2024-02-01T00:00", 5),
              "2024-02-02T00:00 2024-03-01T00:00 2024-03-02T00:00 2024-03-30T00:00 2024-03-31T00:00");
}

TEST(test_schedule_cron_day_of_month)
{
    CHECK_STR(fires("cron(0 8 1 * ? *)", "2024-01-01T08:00", 3), "2024-02-01T08:00 2024-03-01T08:00 2024-04-01T08:00");
    CHECK_STR(fires("cron(0 0 31 * ? *)", "2024-01-31T00:00", 4),
              "2024-03-31T00:00 2024-05-31T00:00 2024-07-31T00:00 2024-08-31T00:00");
    CHECK_STR(fires("cron(0 0 1-3,15 * ? *)", "2024-01-02T00:00", 4),
              "2024-01-03T00:00 2024-01-15T00:00 2024-02-01T00:00 2024-02-02T00:00");
    CHECK_STR(fires("cron(0 0 10/10 * ? *)", "2024-02-01T00:00", 5),
              "2024-02-10T00:00 2024-02-20T00:00 2024-03-10T00:00 2024-03-20T00:00 2024-03-30T00:00");
}

TEST(test_schedule_cron_month_field)
{
    CHECK_STR(fires("cron(30 0 1 JAN,APR,JUL,OCT ? *)", "2024-02-01T00:00", 3),
              "2024-04-01T00:30 2024-07-01T00:30 2024-10-01T00:30");
    CHECK_STR(fires("cron(0 0 1 1-12/3 ? *)", "2024-01-01T00:00", 3),
              "2024-04-01T00:00 2024-07-01T00:00 2024-10-01T00:00");
    CHECK_STR(fires("cron(0 0 1 FEB/5 ? *)", "2024-01-01T00:00", 3),
              "2024-02-01T00:00 2024-07-01T00:00 2024-12-01T00:00");
}

TEST(test_schedule_cron_day_of_week)
{
    /* 1 = SUNDAY ... 7 = SATURDAY; 2024-01-01 was a Monday */
    CHECK_STR(fires("cron(0 9 ? * 1 *)", "2024-01-01T00:00", 2), "2024-01-07T09:00 2024-01-14T09:00");
    CHECK_STR(fires("cron(0 9 ? * SUN *)", "2024-01-01T00:00", 1), "2024-01-07T09:00");
    CHECK_STR(fires("cron(0 9 ? * 7 *)", "2024-01-01T00:00", 1), "2024-01-06T09:00");
    CHECK_STR(fires("cron(0 18 ? * MON-FRI *)", "2024-01-05T18:00", 2), "2024-01-08T18:00 2024-01-09T18:00");
    CHECK_STR(fires("cron(0 2 ? * SAT *)", "2024-01-01T00:00", 2), "2024-01-06T02:00 2024-01-13T02:00");
    /* 2/3 runs from Monday to the end of the week: Monday and Thursday */
    CHECK_STR(fires("cron(0 9 ? * 2/3 *)", "2024-01-01T09:00", 3),
              "2024-01-04T09:00 2024-01-08T09:00 2024-01-11T09:00");
}

TEST(test_schedule_cron_year_field)
{
    CHECK_STR(fires("cron(0/5 5 ? JAN 1-5 2022)", "2021-06-01T00:00", 2), "2022-01-02T05:00 2022-01-02T05:05");
    CHECK_STR(fires("cron(0 0 1 1 ? 2030,2025)", "2024-06-01T00:00", 3), "2025-01-01T00:00 2030-01-01T00:00 -1");
    CHECK_STR(fires("cron(0 0 1 1 ? 2020/50)", "2021-01-01T00:00", 4),
              "2070-01-01T00:00 2120-01-01T00:00 2170-01-01T00:00 -1");
}

TEST(test_schedule_cron_last_day_of_month)
{
    CHECK_STR(fires("cron(0 0 L * ? *)", "2023-01-31T00:00", 4),
              "2023-02-28T00:00 2023-03-31T00:00 2023-04-30T00:00 2023-05-31T00:00");
    CHECK_STR(fires("cron(0 0 L * ? *)", "2024-01-31T00:00", 1), "2024-02-29T00:00");
    CHECK_STR(fires("cron(0 0 L-2 * ? *)", "2024-01-01T00:00", 4),
              "2024-01-29T00:00 2024-02-27T00:00 2024-03-29T00:00 2024-04-28T00:00");
    /* L-30 exists only in 31-day months */
    CHECK_STR(fires("cron(0 0 L-30 * ? *)", "2023-12-31T00:00", 3),
              "2024-01-01T00:00 2024-03-01T00:00 2024-05-01T00:00");
}

TEST(test_schedule_cron_nearest_weekday)
{
    /* 15W: June 2024's 15th is a Saturday, so Friday 14th; September 2024's
     * 15th is a Sunday, so Monday 16th */
    CHECK_STR(fires("cron(0 0 15W * ? *)", "2024-06-01T00:00", 1), "2024-06-14T00:00");
    CHECK_STR(fires("cron(0 0 15W * ? *)", "2024-09-01T00:00", 1), "2024-09-16T00:00");
    CHECK_STR(fires("cron(0 0 15W * ? *)", "2024-07-01T00:00", 1), "2024-07-15T00:00");
    /* 1W never leaves the month: 1 June 2024 is a Saturday, so Monday 3rd */
    CHECK_STR(fires("cron(0 9 1W * ? *)", "2024-05-02T00:00", 1), "2024-06-03T09:00");
    /* a Sunday 1st gives Monday 2nd (September 2024) */
    CHECK_STR(fires("cron(0 9 1W * ? *)", "2024-08-02T00:00", 1), "2024-09-02T09:00");
    /* 30W when the 30th is the last day and a Sunday: Friday 28th (June 2024) */
    CHECK_STR(fires("cron(0 9 30W * ? *)", "2024-06-01T00:00", 1), "2024-06-28T09:00");
    /* 31W skips months without a 31st */
    CHECK_STR(fires("cron(0 9 31W * ? *)", "2024-04-01T00:00", 2), "2024-05-31T09:00 2024-07-31T09:00");
}

TEST(test_schedule_cron_last_weekday_of_month)
{
    CHECK_STR(fires("cron(0 9 LW * ? *)", "2024-01-01T00:00", 6),
              "2024-01-31T09:00 2024-02-29T09:00 2024-03-29T09:00 2024-04-30T09:00 2024-05-31T09:00 2024-06-28T09:00");
    /* August 2025 ends on a Sunday, May 2025 on a Saturday: both Friday */
    CHECK_STR(fires("cron(0 9 LW * ? *)", "2025-08-01T00:00", 1), "2025-08-29T09:00");
    CHECK_STR(fires("cron(0 9 LW * ? *)", "2025-05-01T00:00", 1), "2025-05-30T09:00");
    /* February 2026: 28th is a Saturday */
    CHECK_STR(fires("cron(0 9 LW * ? *)", "2026-02-01T00:00", 1), "2026-02-27T09:00");
}

TEST(test_schedule_cron_last_weekday_of_week)
{
    /* 6L: the last Friday; the guide's "cron(15 10 ? * 6L 2002-2005)" */
    CHECK_STR(fires("cron(15 10 ? * 6L 2024-2025)", "2024-01-01T00:00", 6),
              "2024-01-26T10:15 2024-02-23T10:15 2024-03-29T10:15 2024-04-26T10:15 2024-05-31T10:15 2024-06-28T10:15");
    CHECK_STR(fires("cron(15 10 ? * 6L 2002-2005)", "2005-12-01T00:00", 2), "2005-12-30T10:15 -1");
    CHECK_STR(fires("cron(0 0 ? * SUNL *)", "2024-03-01T00:00", 1), "2024-03-31T00:00");
    /* L alone is the last day of the week: Saturday, every week */
    CHECK_STR(fires("cron(30 7 ? * L *)", "2024-01-01T00:00", 3), "2024-01-06T07:30 2024-01-13T07:30 2024-01-20T07:30");
}

TEST(test_schedule_cron_nth_weekday)
{
    /* 3#2 is the second Tuesday */
    CHECK_STR(fires("cron(0 9 ? * 3#2 *)", "2024-01-01T00:00", 2), "2024-01-09T09:00 2024-02-13T09:00");
    CHECK_STR(fires("cron(0 2 ? * SAT#3 *)", "2024-01-01T00:00", 2), "2024-01-20T02:00 2024-02-17T02:00");
    /* a fifth Friday exists only in some months */
    CHECK_STR(fires("cron(0 2 ? * 6#5 *)", "2024-01-01T00:00", 5),
              "2024-03-29T02:00 2024-05-31T02:00 2024-08-30T02:00 2024-11-29T02:00 2025-01-31T02:00");
    /* every minute of the third Saturday, then the next month's */
    CHECK_STR(fires("cron(* * ? * SAT#3 *)", "2024-01-20T23:58", 3),
              "2024-01-20T23:59 2024-02-17T00:00 2024-02-17T00:01");
}

TEST(test_schedule_cron_leap_years)
{
    CHECK_STR(fires("cron(0 0 29 2 ? *)", "2021-01-01T00:00", 3), "2024-02-29T00:00 2028-02-29T00:00 2032-02-29T00:00");
    /* 2100 is not a leap year; 2000 was */
    CHECK_STR(fires("cron(0 0 29 2 ? *)", "2096-03-01T00:00", 1), "2104-02-29T00:00");
    CHECK_STR(fires("cron(0 0 29 2 ? *)", "1999-01-01T00:00", 1), "2000-02-29T00:00");
    CHECK_STR(fires("cron(0 0 L 2 ? *)", "2099-03-01T00:00", 2), "2100-02-28T00:00 2101-02-28T00:00");
    CHECK_STR(fires("cron(0 0 29 2 ? 2100)", "2000-01-01T00:00", 1), "-1");
}

TEST(test_schedule_cron_never_fires)
{
    CHECK_STR(fires("cron(0 0 30 2 ? *)", "2024-01-01T00:00", 1), "-1");
    CHECK_STR(fires("cron(0 0 31 2,4,6,9,11 ? *)", "1970-01-01T00:00", 1), "-1");
    CHECK_STR(fires("cron(0 0 L-29 2 ? *)", "1970-01-01T00:00", 1), "-1");
    CHECK_STR(fires("cron(0 0 1 1 ? 1999)", "2024-01-01T00:00", 1), "-1");
    CHECK_STR(fires("cron(0 0 ? 2 1#5 2026)", "2024-01-01T00:00", 1), "-1"); /* Feb 2026 has four Sundays */
}

TEST(test_schedule_cron_year_limits)
{
    CHECK_STR(fires("cron(59 23 31 12 ? 2199)", "2199-12-31T23:58", 2), "2199-12-31T23:59 -1");
    CHECK_STR(fires("cron(* * * * ? *)", "2199-12-31T23:59", 1), "-1");
    CHECK_STR(fires("cron(* * * * ? *)", "2300-01-01T00:00", 1), "-1");
    CHECK_STR(fires("cron(0 0 1 1 ? 1970)", "1960-01-01T00:00", 2), "1970-01-01T00:00 -1");
    ev_schedule_t *s = NULL;
    char msg[64];
    CHECK_INT(ev_schedule_parse("cron(* * * * ? *)", &s, msg, sizeof msg), 0);
    CHECK_INT(ev_schedule_next(s, 0, INT64_MIN), 0);
    CHECK_INT(ev_schedule_next(s, 0, -1), 0);
    CHECK_INT(ev_schedule_next(s, 0, -60001), 0);
    CHECK_INT(ev_schedule_next(s, 0, INT64_MAX), -1);
    ev_schedule_free(s);
}

TEST(test_schedule_cron_ignores_anchor)
{
    CHECK_STR(fires_from("cron(0 10 * * ? *)", "2030-01-01T00:00", "2024-03-09T09:00", 1), "2024-03-09T10:00");
}

TEST(test_schedule_cron_utc_has_no_dst)
{
    /* the US and EU clock changes do not move a UTC schedule */
    CHECK_STR(fires("cron(30 2 * * ? *)", "2024-03-09T03:00", 3), "2024-03-10T02:30 2024-03-11T02:30 2024-03-12T02:30");
    CHECK_STR(fires("cron(30 1 * * ? *)", "2024-10-26T02:00", 2), "2024-10-27T01:30 2024-10-28T01:30");
}

TEST(test_schedule_cron_sequence_is_increasing_and_consistent)
{
    static const char *const exprs[] = {
        "cron(*/7 */5 ? * MON-FRI *)", "cron(0 9 LW * ? *)", "cron(13 3 ? * 6#5 *)", "cron(0 0 29 2 ? *)",
        "cron(0/15 22-2 * NOV-FEB ? 2024-2030)", "cron(59 23 L * ? *)", "cron(1 1 1W * ? *)",
    };
    for (size_t i = 0; i < sizeof exprs / sizeof exprs[0]; i++) {
        ev_schedule_t *s = NULL;
        char msg[64];
        CHECK_INT(ev_schedule_parse(exprs[i], &s, msg, sizeof msg), 0);
        int64_t t = at("2023-12-30T00:00");
        for (int k = 0; k < 500; k++) {
            int64_t n = ev_schedule_next(s, 0, t);
            if (n < 0)
                break;
            CHECK(n > t);
            CHECK(n % 60000 == 0);
            CHECK_INT(ev_schedule_next(s, 0, n - 1), n); /* nothing skipped between t and n */
            CHECK_INT(ev_schedule_next(s, 0, (t + n) / 2), n);
            t = n;
        }
        ev_schedule_free(s);
    }
}

TEST(test_schedule_cron_next_is_cheap)
{
    /* a schedule that never fires walks every year to 2199 and still
     * answers quickly; so does one that fires once a century */
    ev_schedule_t *never = NULL, *rare = NULL;
    char msg[64];
    CHECK_INT(ev_schedule_parse("cron(0 0 30 2 ? *)", &never, msg, sizeof msg), 0);
    CHECK_INT(ev_schedule_parse("cron(59 23 31 12 ? 2199)", &rare, msg, sizeof msg), 0);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < 200; i++) {
        CHECK_INT(ev_schedule_next(never, 0, at("1970-01-01T00:00") + i * 60000LL), -1);
        CHECK_INT(ev_schedule_next(rare, 0, at("1970-01-01T00:00") + i * 60000LL), at("2199-12-31T23:59"));
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    CHECK(secs < 2.0);
    ev_schedule_free(never);
    ev_schedule_free(rare);
}

/* ---- rate fire times ---- */

TEST(test_schedule_rate_counts_from_anchor)
{
    /* created at 14:23:17: every 5 minutes from then, not on the clock */
    CHECK_STR(fires_from("rate(5 minutes)", "2024-01-01T14:23:17", "2024-01-01T14:23:17", 3),
              "2024-01-01T14:28:17 2024-01-01T14:33:17 2024-01-01T14:38:17");
    CHECK_STR(fires_from("rate(1 day)", "2024-02-28T14:23", "2024-02-28T14:23", 3),
              "2024-02-29T14:23 2024-03-01T14:23 2024-03-02T14:23");
    CHECK_STR(fires_from("rate(1 hour)", "2024-01-01T00:30", "2024-01-01T05:00", 2),
              "2024-01-01T05:30 2024-01-01T06:30");
}

TEST(test_schedule_rate_first_fire_is_one_period_after_anchor)
{
    CHECK_STR(fires_from("rate(1 minute)", "2024-01-01T00:00", "2023-06-01T00:00", 1), "2024-01-01T00:01");
    CHECK_STR(fires_from("rate(1 minute)", "2024-01-01T00:00", "2024-01-01T00:00", 1), "2024-01-01T00:01");
}

TEST(test_schedule_rate_next_is_strictly_after)
{
    ev_schedule_t *s = NULL;
    char msg[64];
    CHECK_INT(ev_schedule_parse("rate(2 minutes)", &s, msg, sizeof msg), 0);
    int64_t a = at("2024-01-01T00:00:30");
    CHECK_INT(ev_schedule_next(s, a, a + 120000 - 1), a + 120000);
    CHECK_INT(ev_schedule_next(s, a, a + 120000), a + 240000);
    CHECK_INT(ev_schedule_next(s, a, a + 120001), a + 240000);
    /* after a long outage the next fire is still on the anchor's grid */
    CHECK_INT(ev_schedule_next(s, a, a + 7LL * 86400000 + 1), a + 7LL * 86400000 + 120000);
    ev_schedule_free(s);
}

TEST(test_schedule_rate_never_fires_before_1970)
{
    /* -1 means "never", so an anchor before the epoch still yields times >= 0 */
    ev_schedule_t *s = NULL;
    char msg[64];
    CHECK_INT(ev_schedule_parse("rate(1 hour)", &s, msg, sizeof msg), 0);
    CHECK_INT(ev_schedule_next(s, -86400000, -86400000), 0);
    CHECK_INT(ev_schedule_next(s, -86400000 - 1, -86400000), 3600000 - 1);
    CHECK_INT(ev_schedule_next(s, -3600000, INT64_MIN), 0);
    CHECK_INT(ev_schedule_next(s, 0, -1), 3600000);
    ev_schedule_free(s);
}

TEST(test_schedule_rate_overflow_gives_minus_one)
{
    ev_schedule_t *s = NULL;
    char msg[64];
    CHECK_INT(ev_schedule_parse("rate(2147483647 days)", &s, msg, sizeof msg), 0);
    CHECK_INT(ev_schedule_next(s, INT64_MAX - 1000, INT64_MAX - 1000), -1);
    CHECK_INT(ev_schedule_next(s, 0, 0), 2147483647LL * 86400000LL);
    CHECK_INT(ev_schedule_next(s, INT64_MIN, INT64_MAX), -1);
    CHECK_INT(ev_schedule_next(s, 0, INT64_MIN), 2147483647LL * 86400000LL);
    ev_schedule_free(s);
}

UNIT_MAIN()
