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
/* A value that is JSON text already (a stored document passed through without
 * being parsed and written again): rn_json_dump writes it as it is. It is a
 * string node whose first byte, 0xff, no valid UTF-8 string has; only
 * rn_json_dump knows it, so use it only in outputs of the JSON protocols.
 * text must be valid JSON. A new reference, or NULL when out of memory. */
#define RN_JSON_RAW_MARK 0xff
json_t *rn_json_raw(const char *text, size_t n);
#endif
