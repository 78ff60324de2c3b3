/* SPDX-License-Identifier: MIT
 * Form decoding: '&'-separated pairs, '+' is a space, %XX escapes. The last
 * of repeated names wins. */
#include "aws/form.h"

#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "core/mem.h"

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int decode(const char *s, size_t n, char *out, size_t *outlen)
{
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '+') {
            out[j++] = ' ';
        } else if (s[i] == '%') {
            if (i + 2 >= n)
                return -1;
            int h = hexval(s[i + 1]), l = hexval(s[i + 2]);
            if (h < 0 || l < 0)
                return -1;
            out[j++] = (char)(h * 16 + l);
            i += 2;
        } else {
            out[j++] = s[i];
        }
    }
    out[j] = '\0';
    *outlen = j;
    return 0;
}

int aws_form_parse(const char *s, size_t n, json_t **out, char *msg, size_t msglen)
{
    json_t *o = json_object();
    char *buf = rn_malloc(n + 1);
    if (!o || !buf) {
        json_decref(o);
        rn_free(buf);
        snprintf(msg, msglen, "Out of memory");
        return RN_ERR_NOMEM;
    }
    size_t i = 0;
    while (i < n) {
        size_t end = i;
        while (end < n && s[end] != '&')
            end++;
        if (end > i) {
            const char *eq = memchr(s + i, '=', end - i);
            size_t klen = eq ? (size_t)(eq - (s + i)) : end - i;
            size_t kl, vl;
            char *key = buf;
            if (decode(s + i, klen, key, &kl) < 0)
                goto bad;
            char *val = rn_malloc(eq ? (size_t)(s + end - eq) : 1);
            if (!val)
                goto bad;
            if (eq) {
                if (decode(eq + 1, (size_t)(s + end - eq - 1), val, &vl) < 0) {
                    rn_free(val);
                    goto bad;
                }
            } else {
                val[0] = '\0';
                vl = 0;
            }
            json_t *jv = json_stringn(val, vl);
            rn_free(val);
            if (jv && memchr(key, '\0', kl)) {
                json_decref(jv);
                jv = NULL;
            }
            if (!jv || json_object_set_new(o, key, jv) < 0)
                goto bad;
        }
        i = end + 1;
    }
    rn_free(buf);
    *out = o;
    return 0;
bad:
    rn_free(buf);
    json_decref(o);
    snprintf(msg, msglen, "The request is not a valid form: bad percent-encoding or invalid UTF-8.");
    return RN_ERR_MALFORMED_QUERY;
}
