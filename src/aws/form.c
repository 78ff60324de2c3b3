/* SPDX-License-Identifier: MIT
 * Form decoding for the query protocol: '&'-separated name=value pairs, '+'
 * is a space, %XX escapes. Decoding is strict where AWS is strict (a '%' not
 * followed by two hex digits, or bytes that are not UTF-8, reject the whole
 * request as MalformedQueryString) and lenient elsewhere: empty pairs and
 * empty names are skipped and the last of repeated names wins. */
#include "aws/form.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/hex.h"
#include "core/err.h"
#include "core/mem.h"

int aws_form_utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        unsigned char c = p[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t len;
        uint32_t cp;
        if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            cp = c & 0x07;
        } else {
            return 0; /* continuation byte, 0xC0/0xC1 overlong lead, or > U+10FFFF */
        }
        if (n - i < len)
            return 0;
        for (size_t k = 1; k < len; k++) {
            if ((p[i + k] & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (p[i + k] & 0x3F);
        }
        if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += len;
    }
    return 1;
}

/* Percent-decodes s[0..n) into out (room for n + 1 bytes). Returns the
 * decoded length, or -1 with *bad set to the offset of a malformed escape. */
static long pct_decode(const char *s, size_t n, char *out, size_t *bad)
{
    return rn_pct_decode(s, n, RN_PCT_PLUS | RN_PCT_STRICT, out, bad);
}

/* Decodes one non-empty name[=value] pair that starts at offset pos and adds
 * it to o. buf has room for plen + 1 bytes. */
static int add_pair(json_t *o, const char *pair, size_t plen, size_t pos, char *buf, char *msg, size_t msglen)
{
    const char *eq = memchr(pair, '=', plen);
    size_t klen = eq ? (size_t)(eq - pair) : plen;
    size_t bad = 0;
    /* name then value in buf: decoded text is never longer than encoded */
    long kl = pct_decode(pair, klen, buf, &bad);
    if (kl < 0)
        goto bad_escape;
    char *val = buf + kl;
    long vl = 0;
    if (eq && (vl = pct_decode(eq + 1, plen - klen - 1, val, &bad)) < 0) {
        bad += klen + 1;
        goto bad_escape;
    }
    if (!aws_form_utf8_valid(buf, (size_t)kl) || !aws_form_utf8_valid(val, (size_t)vl)) {
        snprintf(msg, msglen, "The request is malformed: the parameter at offset %zu is not valid UTF-8.", pos);
        return RN_ERR_MALFORMED_QUERY;
    }
    /* an empty name, or one holding a NUL, can never name a parameter */
    if (kl == 0 || memchr(buf, '\0', (size_t)kl))
        return 0;
    json_t *jv = json_stringn_nocheck(val, (size_t)vl);
    buf[kl] = '\0'; /* terminates the name, after the value was copied out */
    if (!jv || json_object_set_new(o, buf, jv) < 0) {
        snprintf(msg, msglen, "Out of memory while decoding the request.");
        return RN_ERR_NOMEM;
    }
    return 0;
bad_escape:
    snprintf(msg, msglen, "The request is malformed: '%%' at offset %zu is not followed by two hexadecimal digits.",
             pos + bad);
    return RN_ERR_MALFORMED_QUERY;
}

int aws_form_parse(const char *s, size_t n, json_t **out, char *msg, size_t msglen)
{
    int rc = 0;
    json_t *o = json_object();
    char *buf = rn_malloc(n + 1);
    if (!o || !buf) {
        rc = RN_ERR_NOMEM;
        snprintf(msg, msglen, "Out of memory while decoding the request.");
        goto out;
    }
    for (size_t i = 0; i < n && rc == 0;) {
        const char *amp = memchr(s + i, '&', n - i);
        size_t end = amp ? (size_t)(amp - s) : n;
        if (end > i)
            rc = add_pair(o, s + i, end - i, i, buf, msg, msglen);
        i = end + 1;
    }
out:
    rn_free(buf);
    if (rc < 0) {
        json_decref(o);
        return rc;
    }
    *out = o;
    return 0;
}
