/* SPDX-License-Identifier: MIT
 * The subset of JSONPath that EventBridge accepts in a target's InputPath and
 * InputTransformer.InputPathsMap ($, $.a.b, $.a[0], $.a[*], $.a.*), evaluated
 * straight over the raw text of an event so that a user's numbers and strings
 * come back exactly as sent. Also the small raw-JSON scanner the transformer
 * needs: validating with a Jackson-like error position, minifying, unescaping
 * and the quote-less text rendering AWS uses inside text templates. */
#ifndef RN_EV_JSONPATH_H
#define RN_EV_JSONPATH_H
#include <stddef.h>

#include "core/buf.h"

typedef struct ev_jsonpath ev_jsonpath_t;

/* Compiles `path` (NUL-terminated). Returns 0, RN_ERR_EV_VALIDATION when the
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
#endif
