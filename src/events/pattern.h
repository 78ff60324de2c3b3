/* SPDX-License-Identifier: MIT
 * EventBridge event patterns: the compiler (AWS's validation errors word for
 * word), single-pattern matching, TestEventPattern, and the many-rules matcher
 * that an event bus runs every PutEvents entry through. Events are read by a
 * flattening scanner over their raw text that only looks at the fields some
 * pattern uses, so the bus never builds a JSON tree for an event. */
#ifndef RN_EV_PATTERN_H
#define RN_EV_PATTERN_H
#include <stddef.h>
#include <stdint.h>

typedef struct ev_pattern ev_pattern_t; /* one compiled rule pattern */

/* Compiles an event pattern (JSON text). On error returns
 * RN_ERR_EV_INVALID_PATTERN and writes AWS's message ("Event pattern is not
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
 * 0, or returns RN_ERR_EV_INVALID_PATTERN / RN_ERR_EV_VALIDATION /
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
 * or negative on a malformed event (RN_ERR_EV_VALIDATION) or RN_ERR_NOMEM.
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
#endif
