/* SPDX-License-Identifier: MIT
 * Hex digits and percent-encoding, the one copy every part uses (SigV4,
 * form bodies, REST paths, JSONPath escapes, digests). */
#ifndef RN_HEX_H
#define RN_HEX_H
#include <stddef.h>

/* The value of one hex digit (either case), or -1. */
int rn_hex_val(int c);

/* Writes 2n lowercase hex digits of in[0..n) and a NUL to out (2n + 1 bytes). */
void rn_hex_encode(const void *in, size_t n, char *out);

enum {
    RN_PCT_PLUS = 1,   /* '+' decodes to a space (query strings, form bodies) */
    RN_PCT_STRICT = 2, /* a '%' without two hex digits is an error; otherwise it is kept as text */
};

/* Percent-decodes s[0..n) into out, which has room for n + 1 bytes, and ends
 * it with a NUL. Returns the decoded length; with RN_PCT_STRICT, -1 at a
 * broken escape, with its offset in *bad (which may be NULL otherwise). */
long rn_pct_decode(const char *s, size_t n, int flags, char *out, size_t *bad);
#endif
