/* SPDX-License-Identifier: MIT
 * application/x-www-form-urlencoded decoding, shared by query-protocol bodies
 * and URL query strings. The result is a flat JSON object of name → string
 * that aws/query.c then shapes into a service's input by its API description. */
#ifndef RN_FORM_H
#define RN_FORM_H
#include <jansson.h>
#include <stddef.h>

/* Decodes the form s[0..n) ('&'-separated pairs, '+' is a space, %XX escapes,
 * a name without '=' has the empty value, the last of repeated names wins).
 * s may be NULL when n is 0. On success caller owns *out; free with
 * json_decref(). A bad escape or invalid UTF-8 gives RN_ERR_MALFORMED_QUERY and
 * out of memory RN_ERR_NOMEM, each with a message in msg; *out is untouched. */
int aws_form_parse(const char *s, size_t n, json_t **out, char *msg, size_t msglen);

/* Returns 1 if s[0..n) is well-formed UTF-8 (no overlongs, surrogates or
 * code points above U+10FFFF), else 0. */
int aws_form_utf8_valid(const char *s, size_t n);
#endif
