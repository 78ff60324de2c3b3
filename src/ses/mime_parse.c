/* SPDX-License-Identifier: MIT
 * The MIME reader behind SendRawEmail's capture: headers unfolded and their
 * RFC 2047 encoded words decoded, multiparts walked (nested up to 8 deep, 256
 * parts in all), the first text/plain and text/html bodies that are not
 * attachments decoded from base64 or quoted-printable and from Latin-1 to
 * UTF-8, and the addresses of To, Cc and Bcc. Whatever the input, the
 * strings it returns are valid UTF-8 (a byte that is not becomes U+FFFD), so
 * the capture can always be shown as JSON. fuzz/fuzz_ses_mime.c drives it. */
#include "ses/mime.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/hex.h"
#include "core/mem.h"

#define MAX_DEPTH 8
#define MAX_PARTS 256
#define MAX_RCPT 1000

typedef struct span {
    const char *p;
    size_t n;
} span_t;

typedef struct walk {
    ses_mime_t *m;
    int parts;
    int oom;
} walk_t;

/* ---- text helpers ---- */

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static int is_ws(int c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The length of the valid UTF-8 sequence at p[0..n), or 0. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
    unsigned c = p[0];
    size_t k;
    unsigned min;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        k = 2, min = 0x80;
    else if (c >= 0xe0 && c <= 0xef)
        k = 3, min = 0x800;
    else if (c >= 0xf0 && c <= 0xf4)
        k = 4, min = 0x10000;
    else
        return 0;
    if (n < k)
        return 0;
    unsigned cp = c & (0xff >> (k + 1));
    for (size_t i = 1; i < k; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return k;
}

static void put_cp(rn_buf_t *b, unsigned cp)
{
    char u[4];
    if (cp < 0x80) {
        u[0] = (char)cp;
        rn_buf_add(b, u, 1);
    } else if (cp < 0x800) {
        u[0] = (char)(0xc0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3f));
        rn_buf_add(b, u, 2);
    } else {
        u[0] = (char)(0xe0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        u[2] = (char)(0x80 | (cp & 0x3f));
        rn_buf_add(b, u, 3);
    }
}

/* 1 for the charsets whose bytes are code points (Latin-1, and Windows-1252
 * read as Latin-1). */
static int is_latin1(const char *cs)
{
    return cs && (strcasecmp(cs, "iso-8859-1") == 0 || strcasecmp(cs, "latin1") == 0 ||
                  strcasecmp(cs, "iso_8859-1") == 0 || strcasecmp(cs, "windows-1252") == 0 ||
                  strcasecmp(cs, "cp1252") == 0);
}

/* Appends p[0..n) in charset cs as UTF-8: Latin-1 byte by byte, anything
 * else as UTF-8 with each invalid byte replaced by U+FFFD. NUL bytes are
 * dropped, so the result is a C string. */
static void put_text(rn_buf_t *b, const char *p, size_t n, const char *cs)
{
    const unsigned char *u = (const unsigned char *)p;
    int latin = is_latin1(cs);
    for (size_t i = 0; i < n;) {
        if (u[i] == 0) {
            i++;
            continue;
        }
        if (latin) {
            put_cp(b, u[i++]);
            continue;
        }
        size_t k = utf8_len(u + i, n - i);
        if (k) {
            rn_buf_add(b, p + i, k);
            i += k;
        } else {
            put_cp(b, 0xfffd);
            i++;
        }
    }
}

static int b64val(int c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/* Base64, leniently: characters outside the alphabet are skipped, '=' ends. */
static void decode_b64(rn_buf_t *b, const char *p, size_t n)
{
    unsigned acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n && p[i] != '='; i++) {
        int v = b64val((unsigned char)p[i]);
        if (v < 0)
            continue;
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            char c = (char)((acc >> bits) & 0xff);
            rn_buf_add(b, &c, 1);
        }
    }
}

/* Quoted-printable; q_words: RFC 2047's Q encoding, where '_' is a space. */
static void decode_qp(rn_buf_t *b, const char *p, size_t n, int q_words)
{
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (c == '=' && i + 2 < n && rn_hex_val((unsigned char)p[i + 1]) >= 0 && rn_hex_val((unsigned char)p[i + 2]) >= 0) {
            c = (char)(rn_hex_val((unsigned char)p[i + 1]) * 16 + rn_hex_val((unsigned char)p[i + 2]));
            i += 2;
        } else if (c == '=' && i + 1 < n && (p[i + 1] == '\n' || p[i + 1] == '\r')) {
            i += p[i + 1] == '\r' && i + 2 < n && p[i + 2] == '\n' ? 2 : 1; /* a soft line break */
            continue;
        } else if (c == '_' && q_words) {
            c = ' ';
        }
        rn_buf_add(b, &c, 1);
    }
}

/* ---- headers ---- */

/* The next line of s from *i (without its CR LF); 0 at the end. */
static int next_line(span_t s, size_t *i, span_t *line)
{
    if (*i >= s.n)
        return 0;
    const char *start = s.p + *i;
    const char *nl = memchr(start, '\n', s.n - *i);
    size_t len = nl ? (size_t)(nl - start) : s.n - *i;
    *i += len + (nl ? 1 : 0);
    if (len && start[len - 1] == '\r')
        len--;
    *line = (span_t){start, len};
    return 1;
}

/* Splits a message or part into its header block and body. */
static void split_head(span_t all, span_t *head, span_t *body)
{
    size_t i = 0;
    span_t line;
    while (next_line(all, &i, &line))
        if (line.n == 0) {
            *head = (span_t){all.p, (size_t)(line.p - all.p)};
            *body = (span_t){all.p + i, all.n - i};
            return;
        }
    *head = all; /* no blank line: all headers, no body */
    *body = (span_t){all.p + all.n, 0};
}

/* The unfolded values of every header called name, joined by ", " (one
 * when only the first is wanted); NULL when there is none. Caller frees. */
static char *header(span_t head, const char *name, int all, walk_t *w)
{
    size_t nl = strlen(name), i = 0;
    span_t line;
    rn_buf_t b = {0};
    int found = 0, in = 0;
    while (next_line(head, &i, &line)) {
        if (line.n && (line.p[0] == ' ' || line.p[0] == '\t')) {
            if (in)
                rn_buf_add(&b, line.p, line.n);
            continue;
        }
        in = 0;
        if ((found && !all) || line.n <= nl || line.p[nl] != ':' || strncasecmp(line.p, name, nl) != 0)
            continue;
        if (found)
            rn_buf_puts(&b, ", ");
        found = in = 1;
        rn_buf_add(&b, line.p + nl + 1, line.n - nl - 1);
    }
    if (!found || b.oom) {
        w->oom |= b.oom;
        rn_buf_free(&b);
        return NULL;
    }
    char *v = rn_buf_take(&b, NULL);
    if (!v)
        return rn_strdup("");
    size_t s = 0, e = strlen(v);
    while (s < e && is_ws((unsigned char)v[s]))
        s++;
    while (e > s && is_ws((unsigned char)v[e - 1]))
        e--;
    memmove(v, v + s, e - s);
    v[e - s] = '\0';
    return v;
}

/* The lowercased media type of a Content-Type value ("text/plain") into out. */
static void media_type(const char *v, char *out, size_t n)
{
    size_t j = 0;
    for (; v && *v && *v != ';' && j + 1 < n; v++)
        if (!is_ws((unsigned char)*v))
            out[j++] = (char)lower((unsigned char)*v);
    out[j] = '\0';
}

/* The parameter `name` of a header value (charset, boundary), unquoted,
 * into out (at most n - 1 bytes); "" when absent. */
static void param(const char *v, const char *name, char *out, size_t n)
{
    size_t nl = strlen(name);
    out[0] = '\0';
    const char *p = v ? strchr(v, ';') : NULL;
    while (p && *p) {
        p++;
        while (is_ws((unsigned char)*p))
            p++;
        int match = strncasecmp(p, name, nl) == 0;
        p += strcspn(p, "=;");
        if (*p != '=')
            continue;
        p++;
        while (is_ws((unsigned char)*p))
            p++;
        size_t j = 0;
        if (*p == '"') {
            for (p++; *p && *p != '"'; p++) {
                if (*p == '\\' && p[1])
                    p++;
                if (match && j + 1 < n)
                    out[j++] = *p;
            }
            if (*p)
                p++;
        } else {
            for (; *p && *p != ';' && !is_ws((unsigned char)*p); p++)
                if (match && j + 1 < n)
                    out[j++] = *p;
        }
        if (match) {
            out[j] = '\0';
            return;
        }
        p = strchr(p, ';');
    }
}

/* A header value with its RFC 2047 encoded words decoded, as UTF-8; blanks
 * between two encoded words go, as the RFC says. Caller frees. */
static char *decode_words(const char *v, walk_t *w)
{
    rn_buf_t b = {0};
    const char *p = v;
    int last_word = 0;
    while (*p) {
        const char *q = p;
        while (is_ws((unsigned char)*q))
            q++;
        /* =?charset?B|Q?text?= */
        const char *cs_end, *enc, *end;
        if (q[0] == '=' && q[1] == '?' && (cs_end = strchr(q + 2, '?')) && (cs_end[1] == 'B' || cs_end[1] == 'b' ||
                                                                            cs_end[1] == 'Q' || cs_end[1] == 'q') &&
            cs_end[2] == '?' && (end = strstr(cs_end + 3, "?=")) && cs_end - q < 64) {
            enc = cs_end + 1;
            if (!last_word || q == p)
                put_text(&b, p, (size_t)(q - p), NULL);
            char cs[64];
            snprintf(cs, sizeof cs, "%.*s", (int)(cs_end - q - 2), q + 2);
            char *star = strchr(cs, '*'); /* RFC 2231 language */
            if (star)
                *star = '\0';
            rn_buf_t raw = {0};
            if (*enc == 'B' || *enc == 'b')
                decode_b64(&raw, enc + 2, (size_t)(end - enc - 2));
            else
                decode_qp(&raw, enc + 2, (size_t)(end - enc - 2), 1);
            put_text(&b, raw.data ? raw.data : "", raw.len, cs);
            w->oom |= raw.oom;
            rn_buf_free(&raw);
            p = end + 2;
            last_word = 1;
            continue;
        }
        /* plain text up to the next blank (kept) */
        const char *r = q;
        while (*r && !is_ws((unsigned char)*r))
            r++;
        if (r == q) { /* only blanks remain */
            put_text(&b, p, strlen(p), NULL);
            break;
        }
        put_text(&b, p, (size_t)(r - p), NULL);
        p = r;
        last_word = 0;
    }
    w->oom |= b.oom;
    char *out = rn_buf_take(&b, NULL);
    return out ? out : rn_strdup("");
}

/* ---- addresses ---- */

static void add_rcpt(walk_t *w, const char *p, size_t n)
{
    while (n && is_ws((unsigned char)*p))
        p++, n--;
    while (n && is_ws((unsigned char)p[n - 1]))
        n--;
    if (!n || w->m->nrcpt >= MAX_RCPT)
        return;
    rn_buf_t b = {0};
    put_text(&b, p, n, NULL);
    char *a = rn_buf_take(&b, NULL);
    char **grown = a ? rn_realloc(w->m->rcpt, (w->m->nrcpt + 1) * sizeof *grown) : NULL;
    if (!grown) {
        rn_free(a);
        w->oom = 1;
        return;
    }
    w->m->rcpt = grown;
    w->m->rcpt[w->m->nrcpt++] = a;
}

/* Adds the addresses of an address-list header value: each item's
 * <angle-addr>, else the item without its comments; group names go. */
static void add_addresses(walk_t *w, const char *v)
{
    rn_buf_t plain = {0};
    const char *angle = NULL, *angle_end = NULL;
    int quote = 0, paren = 0;
    for (const char *p = v;; p++) {
        char c = *p;
        if (c == ':' && !quote && !paren && !angle) { /* a group's name */
            plain.len = 0;
            continue;
        }
        if (c == '\0' || (!quote && !paren && (c == ',' || c == ';'))) {
            if (angle && angle_end)
                add_rcpt(w, angle, (size_t)(angle_end - angle));
            else if (plain.len)
                add_rcpt(w, plain.data, plain.len);
            plain.len = 0;
            angle = angle_end = NULL;
            if (c == '\0')
                break;
            continue;
        }
        if (quote) {
            if (c == '\\' && p[1])
                p++;
            else if (c == '"')
                quote = 0;
            continue;
        }
        if (paren) {
            if (c == '\\' && p[1])
                p++;
            else
                paren += c == '(' ? 1 : c == ')' ? -1 : 0;
            continue;
        }
        if (c == '"')
            quote = 1;
        else if (c == '(')
            paren = 1;
        else if (c == '<' && !angle)
            angle = p + 1;
        else if (c == '>' && angle && !angle_end)
            angle_end = p;
        else if (!angle)
            rn_buf_add(&plain, &c, 1);
    }
    w->oom |= plain.oom;
    rn_buf_free(&plain);
}

/* ---- bodies ---- */

static char *decode_body(span_t body, const char *cte, const char *charset, walk_t *w)
{
    rn_buf_t raw = {0}, out = {0};
    char enc[32];
    media_type(cte, enc, sizeof enc);
    if (strcmp(enc, "base64") == 0)
        decode_b64(&raw, body.p, body.n);
    else if (strcmp(enc, "quoted-printable") == 0)
        decode_qp(&raw, body.p, body.n, 0);
    else
        rn_buf_add(&raw, body.p, body.n);
    put_text(&out, raw.data ? raw.data : "", raw.len, charset);
    w->oom |= raw.oom | out.oom;
    rn_buf_free(&raw);
    char *s = rn_buf_take(&out, NULL);
    return s ? s : rn_strdup("");
}

static void walk_part(walk_t *w, span_t all, int depth);

/* Walks the parts of a multipart body between its boundary lines. */
static void walk_multipart(walk_t *w, span_t body, const char *boundary, int depth)
{
    size_t bl = strlen(boundary), i = 0;
    span_t line;
    const char *start = NULL;
    while (next_line(body, &i, &line)) {
        if (line.n < bl + 2 || line.p[0] != '-' || line.p[1] != '-' || memcmp(line.p + 2, boundary, bl) != 0)
            continue;
        if (start) {
            /* the part ends before the line break that precedes the delimiter */
            const char *end = line.p;
            if (end > start && end[-1] == '\n')
                end--;
            if (end > start && end[-1] == '\r')
                end--;
            walk_part(w, (span_t){start, end > start ? (size_t)(end - start) : 0}, depth + 1);
        }
        if (line.n >= bl + 4 && line.p[bl + 2] == '-' && line.p[bl + 3] == '-')
            return; /* the close delimiter */
        start = body.p + i;
    }
}

static void walk_part(walk_t *w, span_t all, int depth)
{
    if (w->oom || ++w->parts > MAX_PARTS)
        return;
    span_t head, body;
    split_head(all, &head, &body);
    char *ctype = header(head, "Content-Type", 0, w);
    char *disp = header(head, "Content-Disposition", 0, w);
    char type[128], boundary[256], charset[64];
    media_type(ctype ? ctype : "text/plain", type, sizeof type);
    param(ctype, "boundary", boundary, sizeof boundary);
    param(ctype, "charset", charset, sizeof charset);
    int attachment = disp && strncasecmp(disp, "attachment", 10) == 0;
    if (strncmp(type, "multipart/", 10) == 0) {
        if (boundary[0] && depth < MAX_DEPTH)
            walk_multipart(w, body, boundary, depth);
    } else if (!attachment && (strcmp(type, "text/plain") == 0 || type[0] == '\0') && !w->m->text) {
        char *cte = header(head, "Content-Transfer-Encoding", 0, w);
        w->m->text = decode_body(body, cte, charset, w);
        rn_free(cte);
    } else if (!attachment && strcmp(type, "text/html") == 0 && !w->m->html) {
        char *cte = header(head, "Content-Transfer-Encoding", 0, w);
        w->m->html = decode_body(body, cte, charset, w);
        rn_free(cte);
    }
    rn_free(ctype);
    rn_free(disp);
}

int ses_mime_parse(const char *raw, size_t len, ses_mime_t *m)
{
    memset(m, 0, sizeof *m);
    walk_t w = {m, 0, 0};
    span_t all = {raw ? raw : "", raw ? len : 0}, head, body;
    split_head(all, &head, &body);
    char *v;
    if ((v = header(head, "From", 0, &w))) {
        m->from = decode_words(v, &w);
        rn_free(v);
    }
    if ((v = header(head, "Subject", 0, &w))) {
        m->subject = decode_words(v, &w);
        rn_free(v);
    }
    static const char *const lists[] = {"To", "Cc", "Bcc"};
    for (size_t i = 0; i < 3; i++)
        if ((v = header(head, lists[i], 1, &w))) {
            add_addresses(&w, v);
            rn_free(v);
        }
    if ((v = header(head, "Date", 0, &w)))
        m->has_date = 1;
    rn_free(v);
    if ((v = header(head, "Message-ID", 0, &w)))
        m->has_message_id = 1;
    rn_free(v);
    walk_part(&w, all, 0);
    if (w.oom) {
        ses_mime_free(m);
        return RN_ERR_NOMEM;
    }
    return 0;
}

char *ses_mime_utf8(const char *s, size_t n)
{
    rn_buf_t b = {0};
    put_text(&b, s ? s : "", s ? n : 0, NULL);
    if (b.oom) {
        rn_buf_free(&b);
        return NULL;
    }
    char *out = rn_buf_take(&b, NULL);
    return out ? out : rn_strdup("");
}

void ses_mime_free(ses_mime_t *m)
{
    rn_free(m->from);
    rn_free(m->subject);
    rn_free(m->text);
    rn_free(m->html);
    for (size_t i = 0; i < m->nrcpt; i++)
        rn_free(m->rcpt[i]);
    rn_free(m->rcpt);
    memset(m, 0, sizeof *m);
}
