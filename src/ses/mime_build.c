/* SPDX-License-Identifier: MIT
 * The message SES sends for SendEmail and templated mail, written as RFC
 * 5322 and MIME: From, To, Cc, Reply-To, Subject (RFC 2047 base64 encoded
 * words when not ASCII), Date, Message-ID and MIME-Version, then a text or
 * HTML body, or both as multipart/alternative, each in UTF-8 and
 * quoted-printable (lines of at most 76 characters, CRLF line breaks). */
#include "ses/mime.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/base64.h"
#include "core/buf.h"
#include "core/ids.h"
#include "core/mem.h"

static int is_ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80 || *s == '\r' || *s == '\n')
            return 0;
    return 1;
}

/* Appends s as RFC 2047 "=?UTF-8?B?...?=" words of at most 45 bytes of text
 * each (so a word stays within 76 characters), split only between UTF-8
 * characters and folded onto continuation lines. */
static void put_words(rn_buf_t *b, const char *s)
{
    size_t n = strlen(s), i = 0;
    int first = 1;
    while (i < n) {
        size_t k = n - i < 45 ? n - i : 45;
        while (k < n - i && k > 1 && ((unsigned char)s[i + k] & 0xc0) == 0x80)
            k--; /* do not cut a character */
        char *enc = rn_b64_encode(s + i, k);
        if (!enc) {
            b->oom = 1;
            return;
        }
        rn_buf_printf(b, "%s=?UTF-8?B?%s?=", first ? "" : "\r\n ", enc);
        rn_free(enc);
        i += k;
        first = 0;
    }
}

/* Appends a header value: as it is when ASCII; else in encoded words. */
static void put_value(rn_buf_t *b, const char *v)
{
    if (is_ascii(v))
        rn_buf_puts(b, v);
    else
        put_words(b, v);
}

/* Appends one address: a non-ASCII display name ("Zoë <z@x.y>") becomes an
 * encoded word, the address stays as it is. */
static void put_address(rn_buf_t *b, const char *a)
{
    const char *lt = strrchr(a, '<');
    if (is_ascii(a) || !lt) {
        put_value(b, a);
        return;
    }
    size_t n = (size_t)(lt - a);
    while (n && a[n - 1] == ' ')
        n--;
    char *name = rn_strndup(a, n);
    if (!name) {
        b->oom = 1;
        return;
    }
    if (n >= 2 && name[0] == '"' && name[n - 1] == '"') {
        memmove(name, name + 1, n - 2);
        name[n - 2] = '\0';
    }
    put_words(b, name);
    rn_free(name);
    rn_buf_puts(b, " ");
    rn_buf_puts(b, lt);
}

static void put_list(rn_buf_t *b, const char *name, const char *const *list)
{
    if (!list || !list[0])
        return;
    rn_buf_printf(b, "%s: ", name);
    for (size_t i = 0; list[i]; i++) {
        if (i)
            rn_buf_puts(b, ",\r\n ");
        put_address(b, list[i]);
    }
    rn_buf_puts(b, "\r\n");
}

/* Appends text as quoted-printable: any line break in it becomes CRLF, and
 * '=', bytes outside printable ASCII and a blank before a line's end are
 * escaped; soft breaks keep lines within 76 characters. */
static void put_qp(rn_buf_t *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t col = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '\r' && p[1] == '\n')
            continue;
        if (*p == '\n' || *p == '\r') {
            rn_buf_puts(b, "\r\n");
            col = 0;
            continue;
        }
        int at_end = p[1] == '\0' || p[1] == '\n' || p[1] == '\r';
        int plain = (*p >= 33 && *p <= 126 && *p != '=') || ((*p == ' ' || *p == '\t') && !at_end);
        size_t w = plain ? 1 : 3;
        if (col + w > 75) {
            rn_buf_puts(b, "=\r\n");
            col = 0;
        }
        if (plain) {
            rn_buf_add(b, p, 1);
        } else {
            char e[3] = {'=', hex[*p >> 4], hex[*p & 15]};
            rn_buf_add(b, e, 3);
        }
        col += w;
    }
}

static void put_part(rn_buf_t *b, const char *subtype, const char *body)
{
    rn_buf_printf(b, "Content-Type: text/%s; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n",
                  subtype);
    put_qp(b, body);
    rn_buf_puts(b, "\r\n");
}

char *ses_mime_build(const ses_mime_out_t *m, size_t *len)
{
    rn_buf_t b = {0};
    char date[64];
    time_t t = (time_t)(m->date_ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    if (m->from) {
        rn_buf_puts(&b, "From: ");
        put_address(&b, m->from);
        rn_buf_puts(&b, "\r\n");
    }
    put_list(&b, "To", m->to);
    put_list(&b, "Cc", m->cc);
    put_list(&b, "Reply-To", m->reply_to);
    if (m->subject) {
        rn_buf_puts(&b, "Subject: ");
        put_value(&b, m->subject);
        rn_buf_puts(&b, "\r\n");
    }
    rn_buf_printf(&b, "Date: %s\r\n", date);
    if (m->message_id)
        rn_buf_printf(&b, "Message-ID: <%s@email.amazonses.com>\r\n", m->message_id);
    for (size_t i = 0; m->extra && m->extra[i]; i++) {
        const char *colon = strchr(m->extra[i], ':');
        size_t n = colon ? (size_t)(colon - m->extra[i]) : 0;
        rn_buf_add(&b, m->extra[i], n);
        rn_buf_puts(&b, ": ");
        const char *v = colon ? colon + 1 : m->extra[i];
        while (*v == ' ')
            v++;
        put_value(&b, v);
        rn_buf_puts(&b, "\r\n");
    }
    rn_buf_puts(&b, "MIME-Version: 1.0\r\n");
    const char *text = m->text, *html = m->html;
    if (text && html) {
        char boundary[48];
        snprintf(boundary, sizeof boundary, "=_runnel_%016llx", (unsigned long long)rn_rand64());
        rn_buf_printf(&b, "Content-Type: multipart/alternative;\r\n boundary=\"%s\"\r\n\r\n", boundary);
        rn_buf_printf(&b, "--%s\r\n", boundary);
        put_part(&b, "plain", text);
        rn_buf_printf(&b, "--%s\r\n", boundary);
        put_part(&b, "html", html);
        rn_buf_printf(&b, "--%s--\r\n", boundary);
    } else {
        put_part(&b, html ? "html" : "plain", html ? html : text ? text : "");
    }
    if (b.oom) {
        rn_buf_free(&b);
        return NULL;
    }
    return rn_buf_take(&b, len);
}
