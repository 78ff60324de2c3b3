/* SPDX-License-Identifier: MIT
 * application/x-www-form-urlencoded (and URL query string) decoding into a
 * flat JSON object of name → string. */
#ifndef RN_FORM_H
#define RN_FORM_H
#include <jansson.h>
#include <stddef.h>

/* Decodes s[0..n). Caller owns *out; free with json_decref(). Invalid escapes
 * or invalid UTF-8 give RN_ERR_MALFORMED_QUERY with a message. */
int aws_form_parse(const char *s, size_t n, json_t **out, char *msg, size_t msglen);
#endif
