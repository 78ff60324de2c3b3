/* SPDX-License-Identifier: MIT
 * Compact JSON encoding of a jansson value into an rn_buf. jansson's own
 * dumper writes through a callback a few bytes at a time; responses are on the
 * hot path, so this one copies unescaped runs in one go. */
#ifndef RN_JSON_OUT_H
#define RN_JSON_OUT_H
#include <jansson.h>

#include "core/buf.h"

/* Appends v as compact JSON (object members in insertion order, strings as
 * UTF-8 with only the escapes JSON requires). */
void rn_json_dump(rn_buf_t *b, const json_t *v);
/* Appends s (n bytes of UTF-8) as a quoted JSON string. */
void rn_json_dump_string(rn_buf_t *b, const char *s, size_t n);
#endif
