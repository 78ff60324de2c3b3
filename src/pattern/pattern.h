/* SPDX-License-Identifier: MIT
 * The pattern engine's one public header: event patterns and the many-rules
 * matcher, JSONPath, input transformers, and rate/cron schedule expressions.
 * EventBridge uses all four; SNS filter policies and Lambda filter criteria
 * will reuse the patterns. The engine knows no service: it reads JSON text
 * and answers with AWS's validation messages. */
#ifndef RN_PATTERN_H
#define RN_PATTERN_H
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

/* ---- event patterns ----
 * EventBridge event patterns: the compiler (AWS's validation errors word for
 * word), single-pattern matching, TestEventPattern, and the many-rules matcher
 * that an event bus runs every PutEvents entry through. Events are read by a
 * flattening scanner over their raw text that only looks at the fields some
 * pattern uses, so the bus never builds a JSON tree for an event. */
typedef struct ev_pattern ev_pattern_t; /* one compiled rule pattern */

/* Compiles an event pattern (JSON text). On error returns
 * RN_ERR_INVALID_PATTERN and writes AWS's message ("Event pattern is not
 * valid. Reason: ...") into msg; RN_ERR_NOMEM when memory runs out. An empty
 * anything-but list gets RN_ERR_INTERNAL with an empty message, as AWS answers
 * it with a 500. Caller owns *out; free with ev_pattern_free(). */
int ev_pattern_compile(const char *json, size_t len, ev_pattern_t **out, char *msg, size_t msglen);
/* Same, but every message keeps the "\n at [Source: ...; line: L, column: C]"
 * suffix of the Jackson parser AWS compiles with, as AWS's wire response does. */
int ev_pattern_compile_raw(const char *json, size_t len, ev_pattern_t **out, char *msg, size_t msglen);
/* Frees a compiled pattern; NULL is fine. */
void ev_pattern_free(ev_pattern_t *p);
/* 1 if the event (JSON object text) matches, 0 if not (also when the event is
 * not well-formed JSON or memory runs out). */
int ev_pattern_match(const ev_pattern_t *p, const char *event, size_t len);
/* TestEventPattern: compiles the pattern (its errors first), then checks the
 * event as AWS does: a JSON object with id, account, source, time, region and
 * detail-type, and time an RFC 3339 timestamp. Sets *result to 1/0 and returns
 * 0, or returns RN_ERR_INVALID_PATTERN / RN_ERR_VALIDATION /
 * RN_ERR_INTERNAL / RN_ERR_NOMEM with msg set. */
int ev_pattern_test(const char *pattern, size_t plen, const char *event, size_t elen, int *result, char *msg,
                    size_t msglen);

/* The many-rules matcher, one per event bus: every rule's pattern lives in
 * one automaton (a trie of field conditions over sorted field names, each
 * state with indexed value matchers), so adding rules does not slow matching
 * of exact, prefix, suffix, numeric and exists conditions. */
typedef struct ev_matcher ev_matcher_t;
/* Creates an empty matcher, or NULL when memory runs out. Caller owns the
 * result; free with ev_matcher_free(). */
ev_matcher_t *ev_matcher_new(void);
/* Frees a matcher and every pattern in it; NULL is fine. */
void ev_matcher_free(ev_matcher_t *m);
/* Adds a pattern for rule `id` (replacing any earlier pattern of that id).
 * Same errors as ev_pattern_compile; on error the matcher is unchanged. */
int ev_matcher_add(ev_matcher_t *m, uint64_t id, const char *json, size_t len, char *msg, size_t msglen);
/* Removes rule `id`; unknown ids are ignored. */
void ev_matcher_remove(ev_matcher_t *m, uint64_t id);
/* Number of rules in the matcher. */
size_t ev_matcher_count(const ev_matcher_t *m);
/* Calls fn(ud, id) once per matching rule id. Returns the number of matches,
 * or negative on a malformed event (RN_ERR_VALIDATION) or RN_ERR_NOMEM.
 * The matcher keeps scratch space between calls, so one matcher must not be
 * used by two threads at once. */
int ev_matcher_match(const ev_matcher_t *m, const char *event, size_t len, void (*fn)(void *ud, uint64_t id),
                     void *ud);
/* Same for an event known to be well-formed JSON: one the bus built itself
 * from a validated detail. The parts of it no pattern reads are skipped
 * without being validated; other text gives some result (never a read
 * outside event), so untrusted text must go through ev_matcher_match. */
int ev_matcher_match_trusted(const ev_matcher_t *m, const char *event, size_t len,
                             void (*fn)(void *ud, uint64_t id), void *ud);

/* ---- JSONPath ----
 * The subset of JSONPath that EventBridge accepts in a target's InputPath and
 * InputTransformer.InputPathsMap ($, $.a.b, $.a[0], $.a[*], $.a.*), evaluated
 * straight over the raw text of an event so that a user's numbers and strings
 * come back exactly as sent. Also the small raw-JSON scanner the transformer
 * needs: validating with a Jackson-like error position, minifying, unescaping
 * and the quote-less text rendering AWS uses inside text templates. */
typedef struct ev_jsonpath ev_jsonpath_t;

/* Compiles `path` (NUL-terminated). Returns 0, RN_ERR_VALIDATION when the
 * path is outside the accepted subset, or RN_ERR_NOMEM. Caller owns *out; free
 * with ev_jsonpath_free(). */
int ev_jsonpath_compile(const char *path, ev_jsonpath_t **out);
/* Frees a compiled path; NULL is fine. */
void ev_jsonpath_free(ev_jsonpath_t *p);
/* 1 when the path selects at most one value (no wildcard step). */
int ev_jsonpath_definite(const ev_jsonpath_t *p);

/* One selected value: its raw text inside the document (not minified), or an
 * owned array built from the matches of a wildcard path. */
typedef struct ev_json_value {
    const char *p; /* borrowed from the document, or == owned */
    size_t n;
    int found;   /* 0: the path selects nothing */
    char *owned; /* wildcard results; release with ev_json_value_release() */
} ev_json_value_t;

/* Evaluates a compiled path over doc[0..n), which must be one valid JSON
 * value (see ev_json_validate). A wildcard path always finds a (maybe empty)
 * array of its matches, minified. Returns 0 or RN_ERR_NOMEM. */
int ev_jsonpath_eval(const ev_jsonpath_t *p, const char *doc, size_t n, ev_json_value_t *out);
/* Frees what ev_jsonpath_eval() allocated; the value is then empty. */
void ev_json_value_release(ev_json_value_t *v);

/* Checks that s[0..n) is exactly one JSON value with optional whitespace
 * around it, nested at most EV_JSON_MAX_DEPTH deep. Returns 0, or -1 with
 * *err_at set to where a Jackson-style parser would stand when it gives up
 * (just past the offending character or token; n at end of input). */
#define EV_JSON_MAX_DEPTH 1000
int ev_json_validate(const char *s, size_t n, size_t *err_at);
/* Reads s[0..n) as one JSON value the way Jackson's tree reader does (the
 * same tokenizer the pattern compiler uses, text after the value ignored).
 * Returns 0, or -1 with Jackson's message, "\n at [Source: ...]" location
 * included, in msg ("No content to map due to end-of-input" for blank
 * text), or RN_ERR_NOMEM. For services that parse a JSON parameter before compiling it, as
 * SNS does with a FilterPolicy. */
int ev_json_check(const char *s, size_t n, char *msg, size_t msglen);
/* Appends the "[Source: (String)\"...\"" part (with any "[truncated N
 * chars]") that Jackson's locations quote for the document s[0..n), so a
 * caller can find it in a message and print it another way (newer Jackson
 * versions print "REDACTED" instead of the document). */
void ev_json_source(rn_buf_t *b, const char *s, size_t n);
/* Length of the JSON value starting at s[0] (no leading whitespace) in a
 * validated document. */
size_t ev_json_value_len(const char *s, size_t n);
/* Appends valid JSON s[0..n) without the whitespace between tokens. */
void ev_json_minify(rn_buf_t *b, const char *s, size_t n);
/* Appends the decoded UTF-8 of a JSON string token's body (the bytes between
 * its quotes); a lone surrogate escape becomes U+FFFD. */
void ev_json_unescape(rn_buf_t *b, const char *s, size_t n);
/* Appends s[0..n) as a JSON string with quotes and the escapes JSON needs. */
void ev_json_quote(rn_buf_t *b, const char *s, size_t n);
/* Appends the text form of a valid JSON value as AWS renders it into a text
 * template: a string without quotes or escapes, other scalars as written, and
 * objects/arrays minified with every string's quotes dropped. */
void ev_json_text(rn_buf_t *b, const char *s, size_t n);
/* Finds the last member named key[0..klen) (compared after unescaping) of the
 * object starting at obj[0] in a validated document. Returns 1 and the
 * member's value span, or 0. */
int ev_json_member(const char *obj, size_t n, const char *key, size_t klen, const char **vp, size_t *vn);

/* ---- input transformers ----
 * What EventBridge does to a matched event before handing it to a target: a
 * constant Input, an InputPath selecting part of the event, or an
 * InputTransformer filling an InputTemplate from InputPathsMap and the
 * aws.events.* variables. PutTargets compiles a target's settings once (and
 * gets AWS's validation errors from it); delivery applies the compiled form to
 * each event's text. The rules, and where each comes from, are in transform.c. */
typedef struct ev_transform ev_transform_t;

/* Validates and compiles a target's Input (constant JSON text), InputPath
 * (JSONPath) or InputTransformer ({InputPathsMap: {name: path}, InputTemplate:
 * "..."}) as PutTargets does, for the target with id `target_id` at 1-based
 * position `index` in the request (both appear in AWS's messages; NULL id is
 * written as ""). A non-NULL argument means the member was sent. Checks run in
 * AWS's order: the request-model constraints first (lengths, map size, key
 * pattern, required InputTemplate: "N validation error(s) detected: ..."),
 * then the service checks ("Only one of Input, InputPath, or InputTransformer
 * must be provided for target X.", "JSON syntax error in input for target X:
 * ...", "InputPath for target X is invalid.", "InputTemplate for target X
 * contains invalid placeholder Y.", "InputTemplate for target X contains
 * placeholder Y valid only for JSON template."). All are request-level
 * errors: RN_ERR_VALIDATION (ValidationException, 400) with the message in
 * msg; a transformer of the wrong JSON types gives RN_ERR_SERIALIZATION.
 * Caller owns *out; free with ev_transform_free(). A NULL *out with return 0
 * means "deliver the event unchanged". */
int ev_transform_compile_target(const char *target_id, int index, const char *input, const char *input_path,
                                const json_t *input_transformer, ev_transform_t **out, char *msg, size_t msglen);
/* ev_transform_compile_target() for target 1 with an empty id, for callers
 * that have no target at hand (tests, fuzzing). Caller owns *out; free with
 * ev_transform_free(). */
int ev_transform_compile(const char *input, const char *input_path, const json_t *input_transformer,
                         ev_transform_t **out, char *msg, size_t msglen);
/* Appends the request-model constraint violations of one target to errs, each
 * as "Value '...' at 'targets.N.member.x' failed to satisfy constraint: ...",
 * separated by "; ", and returns how many it appended (so PutTargets can
 * gather all targets' violations into one "N validation errors detected: "
 * message, as AWS does). Returns RN_ERR_SERIALIZATION for wrong JSON types. */
int ev_transform_constraints(int index, const char *input, const char *input_path, const json_t *input_transformer,
                             rn_buf_t *errs);
/* Frees a compiled transform; NULL is fine. */
void ev_transform_free(ev_transform_t *t);

/* Per-delivery values for the predefined variables; NULL fields render as "". */
typedef struct {
    const char *rule_arn, *rule_name, *ingestion_time;
} ev_transform_ctx_t;

/* Renders the payload for one delivery. `event` is the full event envelope
 * JSON text as delivered (version, id, detail-type, source, account, time,
 * region, resources, detail); ctx may be NULL. Returns 0 with the payload in
 * *out (NUL-terminated, *outlen bytes), or an error meaning "nothing is
 * delivered to this target" (AWS counts a failed invocation): RN_ERR_NOT_FOUND
 * when an InputPath selects nothing, RN_ERR_VALIDATION when a JSON template
 * does not render to valid JSON (e.g. an object value placed inside quotes),
 * RN_ERR_SERIALIZATION when `event` is not valid JSON, RN_ERR_NOMEM. Caller
 * owns *out; free with rn_free(). */
int ev_transform_apply(const ev_transform_t *t, const char *event, size_t len, const ev_transform_ctx_t *ctx,
                       char **out, size_t *outlen);

/* ---- schedule expressions ----
 * EventBridge scheduled-rule expressions: "rate(N unit)" and AWS's six-field
 * "cron(Minutes Hours Day-of-month Month Day-of-week Year)". PutRule parses a
 * ScheduleExpression once (and gets AWS's validation error from it); the
 * scheduler keeps the parsed form and asks it for the next fire time. All
 * times are Unix milliseconds in UTC, the only zone EventBridge rules use.
 * The rules, and where each comes from, are in cron.c. */
/* The botocore model's length limit for ScheduleExpression. */
#define EV_SCHEDULE_EXPR_MAX 256

typedef struct ev_schedule ev_schedule_t;

typedef enum { EV_SCHEDULE_RATE = 1, EV_SCHEDULE_CRON = 2 } ev_schedule_kind_t;

/* Parses a ScheduleExpression as PutRule does. Returns 0 with the parsed form
 * in *out, RN_ERR_NOMEM, or RN_ERR_VALIDATION with AWS's message in msg:
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
