/* SPDX-License-Identifier: MIT
 * EventBridge scheduled-rule expressions: "rate(N unit)" and AWS's six-field
 * "cron(Minutes Hours Day-of-month Month Day-of-week Year)". PutRule parses a
 * ScheduleExpression once (and gets AWS's validation error from it); the
 * scheduler keeps the parsed form and asks it for the next fire time. All
 * times are Unix milliseconds in UTC, the only zone EventBridge rules use.
 * The rules, and where each comes from, are in schedule.c. */
#ifndef RN_EV_SCHEDULE_H
#define RN_EV_SCHEDULE_H
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

/* The botocore model's length limit for ScheduleExpression. */
#define EV_SCHEDULE_EXPR_MAX 256

typedef struct ev_schedule ev_schedule_t;

typedef enum { EV_SCHEDULE_RATE = 1, EV_SCHEDULE_CRON = 2 } ev_schedule_kind_t;

/* Parses a ScheduleExpression as PutRule does. Returns 0 with the parsed form
 * in *out, RN_ERR_NOMEM, or RN_ERR_EV_VALIDATION with AWS's message in msg:
 * "Parameter ScheduleExpression is not valid." for any malformed expression
 * (AWS gives that one message for every rate and cron mistake), or the
 * model-layer "1 validation error detected: Value '...' at
 * 'scheduleExpression' failed to satisfy constraint: Member must have length
 * less than or equal to 256" for an over-long one. NULL is not valid; whether
 * an empty string counts as "not specified" is PutRule's decision.
 * Caller owns *out; free with ev_schedule_free(). */
int ev_schedule_parse(const char *expr, ev_schedule_t **out, char *msg, size_t msglen);

/* Appends the request-model constraint violation of a ScheduleExpression to
 * errs ("Value '...' at 'scheduleExpression' failed to satisfy constraint:
 * ...", preceded by "; " if errs is not empty) and returns how many it
 * appended (0 or 1), so PutRule can gather every member's violations into one
 * "N validation errors detected: " message as AWS does. */
int ev_schedule_constraints(const char *expr, rn_buf_t *errs);

/* Frees a parsed schedule; NULL is fine. */
void ev_schedule_free(ev_schedule_t *s);

/* Whether s is a rate or a cron schedule. */
ev_schedule_kind_t ev_schedule_kind(const ev_schedule_t *s);

/* A rate schedule's period in milliseconds; 0 for cron. */
int64_t ev_schedule_period_ms(const ev_schedule_t *s);

/* The first fire time strictly after `after_ms` (Unix ms, UTC), or -1 if
 * there is none (a cron whose years are all past, or a day that never exists
 * such as 30 February). Fire times are never before 1970, so a result is
 * either >= 0 or -1.
 * - cron: the first whole UTC minute after `after_ms` that matches every field;
 *   `anchor_ms` is ignored. Looks at most once at each day up to 2199, so it
 *   is cheap and always terminates.
 * - rate: anchor_ms + k * period for the smallest k >= 1 that is after
 *   `after_ms`, where anchor_ms is when the rule was created or last enabled
 *   (AWS: "A rate expression starts when you create the scheduled event rule,
 *   and then it runs on a defined schedule"); -1 past the int64 range. */
int64_t ev_schedule_next(const ev_schedule_t *s, int64_t anchor_ms, int64_t after_ms);
#endif
