/* SPDX-License-Identifier: MIT
 * Hex digits and percent-decoding; see hex.h. */
#include "core/hex.h"

int rn_hex_val(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

void rn_hex_encode(const void *in, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    const unsigned char *p = in;
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * n] = '\0';
}

long rn_pct_decode(const char *s, size_t n, int flags, char *out, size_t *bad)
{
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%') {
            int h = n - i >= 3 ? rn_hex_val((unsigned char)s[i + 1]) : -1;
            int l = n - i >= 3 ? rn_hex_val((unsigned char)s[i + 2]) : -1;
            if (h >= 0 && l >= 0) {
                out[j++] = (char)(h * 16 + l);
                i += 2;
                continue;
            }
            if (flags & RN_PCT_STRICT) {
                if (bad)
                    *bad = i;
                return -1;
            }
            out[j++] = s[i];
        } else if (s[i] == '+' && (flags & RN_PCT_PLUS)) {
            out[j++] = ' ';
        } else {
            out[j++] = s[i];
        }
    }
    out[j] = '\0';
    return (long)j;
}
