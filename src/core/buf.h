/* SPDX-License-Identifier: MIT
 * Growable byte buffer used to build responses (XML, JSON, HTTP heads).
 * A failed growth sets `oom` and later appends become no-ops, so callers check
 * once at the end instead of after every append. */
#ifndef RN_BUF_H
#define RN_BUF_H
#include <stddef.h>
#include <stdarg.h>

typedef struct rn_buf {
    char *data;   /* owned; always NUL-terminated when non-NULL */
    size_t len;
    size_t cap;
    int oom;
} rn_buf_t;

/* Appends n bytes. */
void rn_buf_add(rn_buf_t *b, const void *p, size_t n);
/* Appends a NUL-terminated string. */
void rn_buf_puts(rn_buf_t *b, const char *s);
/* Appends printf-formatted text. */
void rn_buf_printf(rn_buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s with XML escaping as AWS applies it (& < > " ' and CR). */
void rn_buf_xml_escape(rn_buf_t *b, const char *s, size_t n);
/* Releases the storage; the buffer may be reused afterwards. */
void rn_buf_free(rn_buf_t *b);
/* Transfers the data out. Caller owns the result; free with rn_free(). */
char *rn_buf_take(rn_buf_t *b, size_t *len);
#endif
