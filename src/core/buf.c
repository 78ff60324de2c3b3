/* SPDX-License-Identifier: MIT
 * Growable byte buffer. */
#include "buf.h"
#include "mem.h"
#include <stdio.h>
#include <string.h>

static int grow(rn_buf_t *b, size_t need)
{
    if (b->oom)
        return -1;
    if (b->len + need + 1 <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + need + 1)
        cap *= 2;
    char *d = rn_realloc(b->data, cap);
    if (!d) {
        b->oom = 1;
        return -1;
    }
    b->data = d;
    b->cap = cap;
    return 0;
}

void rn_buf_add(rn_buf_t *b, const void *p, size_t n)
{
    if (grow(b, n) < 0)
        return;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void rn_buf_puts(rn_buf_t *b, const char *s)
{
    rn_buf_add(b, s, strlen(s));
}

void rn_buf_printf(rn_buf_t *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char tmp[256];
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0) {
        va_end(ap2);
        return;
    }
    if ((size_t)n < sizeof tmp) {
        rn_buf_add(b, tmp, (size_t)n);
    } else if (grow(b, (size_t)n) == 0) {
        vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap2);
        b->len += (size_t)n;
    }
    va_end(ap2);
}

void rn_buf_xml_escape(rn_buf_t *b, const char *s, size_t n)
{
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        const char *rep = NULL;
        switch (s[i]) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&apos;"; break;
        case '\r': rep = "&#xD;"; break;
        default: continue;
        }
        rn_buf_add(b, s + start, i - start);
        rn_buf_puts(b, rep);
        start = i + 1;
    }
    rn_buf_add(b, s + start, n - start);
}

void rn_buf_free(rn_buf_t *b)
{
    rn_free(b->data);
    memset(b, 0, sizeof *b);
}

char *rn_buf_take(rn_buf_t *b, size_t *len)
{
    char *d = b->data;
    if (len)
        *len = b->len;
    memset(b, 0, sizeof *b);
    return d;
}
