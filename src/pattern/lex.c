/* SPDX-License-Identifier: MIT
 * A pull tokenizer for event-pattern JSON that fails the way Jackson does.
 * AWS compiles patterns with a streaming Jackson parser, so a malformed
 * pattern's message is Jackson's own ("Unrecognized token 'x': was expecting
 * ...", with "[Source: (String)...; line: L, column: C]"), and a semantic error
 * met before a later syntax error wins. Strings come out unescaped and numbers
 * as written, which jansson cannot give us. */
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "core/hex.h"
#include "core/mem.h"
#include "pattern/pattern_int.h"

#define VALUE_LIST "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')"

void ev_lex_init(ev_lex_t *lx, const char *s, size_t n)
{
    memset(lx, 0, sizeof *lx);
    lx->s = s;
    lx->n = n;
    lx->line = 1;
}

void ev_lex_free(ev_lex_t *lx)
{
    rn_free(lx->ctx);
    rn_buf_free(&lx->text);
    rn_buf_free(&lx->err);
    lx->ctx = NULL;
}

/* Column as Jackson counts it: UTF-16 units from the start of the line, 1-based. */
static size_t lex_col(const ev_lex_t *lx, size_t pos)
{
    size_t col = 1;
    for (size_t i = lx->line_start; i < pos && i < lx->n; i++) {
        unsigned char c = (unsigned char)lx->s[i];
        if ((c & 0xC0) != 0x80)
            col += (c >= 0xF0) ? 2 : 1;
    }
    return col;
}

void ev_json_source(rn_buf_t *b, const char *s, size_t n)
{
    size_t units = 0, i = 0;
    rn_buf_puts(b, "[Source: (String)\"");
    while (i < n && units < 500) {
        unsigned char c = (unsigned char)s[i];
        size_t len = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
        if (i + len > n)
            len = n - i;
        if (c >= 0xF0 && units + 2 > 500)
            break;
        rn_buf_add(b, s + i, len);
        units += c >= 0xF0 ? 2 : 1;
        i += len;
    }
    rn_buf_puts(b, "\"");
    if (i < n) {
        size_t rest = 0;
        for (size_t j = i; j < n; j++) {
            unsigned char c = (unsigned char)s[j];
            if ((c & 0xC0) != 0x80)
                rest += c >= 0xF0 ? 2 : 1;
        }
        rn_buf_printf(b, "[truncated %zu chars]", rest);
    }
}

static void lex_source(const ev_lex_t *lx, rn_buf_t *b, size_t line, size_t col)
{
    ev_json_source(b, lx->s, lx->n);
    rn_buf_printf(b, "; line: %zu, column: %zu]", line, col);
}

void ev_lex_location(const ev_lex_t *lx, size_t at, rn_buf_t *b)
{
    rn_buf_puts(b, "\n at ");
    lex_source(lx, b, lx->line, lex_col(lx, at));
}

/* Sets the error with Jackson's location suffix; at = offset the column is
 * computed from. */
static ev_tok_t lex_fail_at(ev_lex_t *lx, size_t at, const char *msg)
{
    if (lx->cur == EV_TOK_ERROR)
        return EV_TOK_ERROR;
    lx->err.len = 0;
    rn_buf_puts(&lx->err, msg);
    rn_buf_puts(&lx->err, "\n at ");
    lex_source(lx, &lx->err, lx->line, lex_col(lx, at));
    if (lx->err.oom)
        lx->oom = 1;
    lx->cur = EV_TOK_ERROR;
    return EV_TOK_ERROR;
}

/* Jackson's description of a character: 'x' (code 120), or (CTRL-CHAR, code 10). */
static void char_desc(char *out, size_t outlen, const char *s, size_t n, size_t pos)
{
    unsigned char c = (unsigned char)s[pos];
    unsigned cp = c;
    size_t len = 1;
    if (c >= 0xC0 && c < 0xF8) {
        len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
        if (pos + len > n)
            len = n - pos;
        cp = c & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07);
        for (size_t i = 1; i < len; i++)
            cp = (cp << 6) | ((unsigned char)s[pos + i] & 0x3F);
    }
    if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F))
        snprintf(out, outlen, "(CTRL-CHAR, code %u)", cp);
    else if (cp > 255)
        snprintf(out, outlen, "'%.*s' (code %u / 0x%x)", (int)len, s + pos, cp, cp);
    else
        snprintf(out, outlen, "'%.*s' (code %u)", (int)len, s + pos, cp);
}

static ev_tok_t lex_unexpected(ev_lex_t *lx, size_t pos, const char *comment)
{
    char d[64], m[512];
    char_desc(d, sizeof d, lx->s, lx->n, pos);
    snprintf(m, sizeof m, "Unexpected character (%s): %s", d, comment);
    return lex_fail_at(lx, pos, m);
}

static int ident_part(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '$' ||
           c >= 0x80;
}

/* "Unrecognized token 'xyz': was expecting ...": the token runs on over
 * identifier characters from `from`. */
static ev_tok_t lex_bad_token(ev_lex_t *lx, size_t start, size_t from)
{
    size_t e = from;
    while (e < lx->n && ident_part((unsigned char)lx->s[e]) && e - start < 256)
        e++;
    rn_buf_t m = {0};
    rn_buf_puts(&m, "Unrecognized token '");
    rn_buf_add(&m, lx->s + start, e - start);
    if (e - start >= 256 && e < lx->n && ident_part((unsigned char)lx->s[e]))
        rn_buf_puts(&m, "...");
    rn_buf_puts(&m, "': was expecting " VALUE_LIST);
    lx->pos = e;
    ev_tok_t t = lex_fail_at(lx, e, m.oom ? "" : m.data);
    if (m.oom)
        lx->oom = 1;
    rn_buf_free(&m);
    return t;
}

static ev_tok_t lex_eof(ev_lex_t *lx, const char *what)
{
    char m[256];
    snprintf(m, sizeof m, "Unexpected end-of-input%s", what);
    return lex_fail_at(lx, lx->n, m);
}

static ev_tok_t lex_eof_close(ev_lex_t *lx)
{
    const ev_lex_ctx_t *c = &lx->ctx[lx->depth - 1];
    rn_buf_t m = {0};
    rn_buf_printf(&m, "Unexpected end-of-input: expected close marker for %s (start marker at ",
                  c->in_object ? "Object" : "Array");
    lex_source(lx, &m, c->line, c->col);
    rn_buf_puts(&m, ")");
    ev_tok_t t = lex_fail_at(lx, lx->n, m.oom ? "" : m.data);
    if (m.oom)
        lx->oom = 1;
    rn_buf_free(&m);
    return t;
}

/* Skips JSON whitespace, counting lines as Jackson does (\r\n is one). */
static int lex_ws(ev_lex_t *lx)
{
    while (lx->pos < lx->n) {
        char c = lx->s[lx->pos];
        if (c == ' ' || c == '\t') {
            lx->pos++;
        } else if (c == '\n' || c == '\r') {
            lx->pos++;
            if (c == '\r' && lx->pos < lx->n && lx->s[lx->pos] == '\n')
                lx->pos++;
            lx->line++;
            lx->line_start = lx->pos;
        } else {
            return (unsigned char)c;
        }
    }
    return -1;
}

/* Reads a string after its opening quote into lx->text. */
static int lex_string(ev_lex_t *lx, int is_name)
{
    lx->text.len = 0;
    if (lx->text.data)
        lx->text.data[0] = 0;
    size_t run = lx->pos;
    for (;;) {
        if (lx->pos >= lx->n) {
            lex_eof(lx, is_name ? " in field name" : ": was expecting closing quote for a string value");
            return -1;
        }
        unsigned char c = (unsigned char)lx->s[lx->pos];
        if (c == '"') {
            rn_buf_add(&lx->text, lx->s + run, lx->pos - run);
            lx->pos++;
            break;
        }
        if (c < 0x20) {
            char d[64], m[256];
            char_desc(d, sizeof d, lx->s, lx->n, lx->pos);
            snprintf(m, sizeof m,
                     "Illegal unquoted character (%s): has to be escaped using backslash to be included in %s", d,
                     is_name ? "name" : "string value");
            lex_fail_at(lx, lx->pos, m);
            return -1;
        }
        if (c != '\\') {
            lx->pos++;
            continue;
        }
        rn_buf_add(&lx->text, lx->s + run, lx->pos - run);
        lx->pos++;
        if (lx->pos >= lx->n) {
            lex_eof(lx, " in character escape sequence");
            return -1;
        }
        char e = lx->s[lx->pos++];
        unsigned cp;
        switch (e) {
        case '"': case '\\': case '/': rn_buf_add(&lx->text, &e, 1); break;
        case 'b': rn_buf_add(&lx->text, "\b", 1); break;
        case 'f': rn_buf_add(&lx->text, "\f", 1); break;
        case 'n': rn_buf_add(&lx->text, "\n", 1); break;
        case 'r': rn_buf_add(&lx->text, "\r", 1); break;
        case 't': rn_buf_add(&lx->text, "\t", 1); break;
        case 'u':
            cp = 0;
            for (int i = 0; i < 4; i++) {
                if (lx->pos >= lx->n) {
                    lex_eof(lx, " in character escape sequence");
                    return -1;
                }
                int h = rn_hex_val(lx->s[lx->pos]);
                if (h < 0) {
                    lex_unexpected(lx, lx->pos, "expected a hex-digit for character escape sequence");
                    return -1;
                }
                cp = cp * 16 + (unsigned)h;
                lx->pos++;
            }
            if (cp >= 0xD800 && cp <= 0xDBFF && lx->pos + 6 <= lx->n && lx->s[lx->pos] == '\\' &&
                lx->s[lx->pos + 1] == 'u') {
                unsigned lo = 0;
                int ok = 1;
                for (int i = 0; i < 4; i++) {
                    int h = rn_hex_val(lx->s[lx->pos + 2 + i]);
                    if (h < 0)
                        ok = 0;
                    lo = lo * 16 + (unsigned)(h < 0 ? 0 : h);
                }
                if (ok && lo >= 0xDC00 && lo <= 0xDFFF) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    lx->pos += 6;
                }
            }
            if (cp >= 0xD800 && cp <= 0xDFFF)
                cp = 0xFFFD;
            char u[4];
            rn_buf_add(&lx->text, u, ev_utf8_put(u, cp));
            break;
        default: {
            char d[64], m[256];
            char_desc(d, sizeof d, lx->s, lx->n, lx->pos - 1);
            snprintf(m, sizeof m, "Unrecognized character escape %s", d);
            lex_fail_at(lx, lx->pos, m);
            return -1;
        }
        }
        run = lx->pos;
    }
    if (lx->text.oom) {
        lx->oom = 1;
        lex_fail_at(lx, lx->pos, "out of memory");
        return -1;
    }
    if (!lx->text.data)
        rn_buf_add(&lx->text, "", 0);
    return 0;
}

static ev_tok_t lex_number(ev_lex_t *lx)
{
    size_t start = lx->pos, p = lx->pos;
    int is_float = 0;
    if (lx->s[p] == '-') {
        p++;
        if (p >= lx->n)
            return lex_eof(lx, " in a Number value");
        if (lx->s[p] < '0' || lx->s[p] > '9')
            return lex_unexpected(lx, p,
                                  "expected digit (0-9) to follow minus sign, for valid numeric value");
    }
    if (lx->s[p] == '0' && p + 1 < lx->n && lx->s[p + 1] >= '0' && lx->s[p + 1] <= '9') {
        lx->pos = p + 1;
        return lex_fail_at(lx, p + 1, "Invalid numeric value: Leading zeroes not allowed");
    }
    while (p < lx->n && lx->s[p] >= '0' && lx->s[p] <= '9')
        p++;
    if (p < lx->n && lx->s[p] == '.') {
        is_float = 1;
        p++;
        if (p >= lx->n)
            return lex_eof(lx, " in a Number value");
        if (lx->s[p] < '0' || lx->s[p] > '9') {
            char d[64], m[256];
            char_desc(d, sizeof d, lx->s, lx->n, p);
            snprintf(m, sizeof m, "Unexpected character (%s) in numeric value: Decimal point not followed by a digit",
                     d);
            return lex_fail_at(lx, p, m);
        }
        while (p < lx->n && lx->s[p] >= '0' && lx->s[p] <= '9')
            p++;
    }
    if (p < lx->n && (lx->s[p] == 'e' || lx->s[p] == 'E')) {
        is_float = 1;
        p++;
        if (p < lx->n && (lx->s[p] == '+' || lx->s[p] == '-'))
            p++;
        if (p >= lx->n)
            return lex_eof(lx, " in a Number value");
        if (lx->s[p] < '0' || lx->s[p] > '9') {
            char d[64], m[256];
            char_desc(d, sizeof d, lx->s, lx->n, p);
            snprintf(m, sizeof m,
                     "Unexpected character (%s) in numeric value: Exponent indicator not followed by a digit", d);
            return lex_fail_at(lx, p, m);
        }
        while (p < lx->n && lx->s[p] >= '0' && lx->s[p] <= '9')
            p++;
    }
    lx->pos = p;
    lx->text.len = 0;
    rn_buf_add(&lx->text, lx->s + start, p - start);
    if (lx->text.oom) {
        lx->oom = 1;
        return lex_fail_at(lx, p, "out of memory");
    }
    return is_float ? EV_TOK_FLOAT : EV_TOK_INT;
}

static ev_tok_t lex_literal(ev_lex_t *lx, const char *word, ev_tok_t tok)
{
    size_t start = lx->pos, len = strlen(word);
    for (size_t i = 1; i < len; i++) {
        if (start + i >= lx->n || lx->s[start + i] != word[i])
            return lex_bad_token(lx, start, start + i);
    }
    if (start + len < lx->n && ident_part((unsigned char)lx->s[start + len]))
        return lex_bad_token(lx, start, start + len);
    lx->pos = start + len;
    return tok;
}

static ev_tok_t lex_push(ev_lex_t *lx, int in_object)
{
    if (lx->depth >= EV_MAX_DEPTH)
        return lex_fail_at(lx, lx->pos,
                           "Document nesting depth (1001) exceeds the maximum allowed (1000, from "
                           "`StreamReadConstraints.getMaxNestingDepth()`)");
    if (lx->depth == lx->cap) {
        size_t cap = lx->cap ? lx->cap * 2 : 16;
        ev_lex_ctx_t *c = rn_realloc(lx->ctx, cap * sizeof *c);
        if (!c) {
            lx->oom = 1;
            return lex_fail_at(lx, lx->pos, "out of memory");
        }
        lx->ctx = c;
        lx->cap = cap;
    }
    ev_lex_ctx_t *c = &lx->ctx[lx->depth++];
    c->in_object = (uint8_t)in_object;
    c->state = 0;
    c->line = lx->line;
    c->col = lex_col(lx, lx->pos); /* position of the opening bracket, 1-based */
    lx->pos++;
    return in_object ? EV_TOK_START_OBJECT : EV_TOK_START_ARRAY;
}

static ev_tok_t lex_value(ev_lex_t *lx, int c)
{
    lx->tok_start = lx->pos;
    switch (c) {
    case '{': return lex_push(lx, 1);
    case '[': return lex_push(lx, 0);
    case '"':
        lx->pos++;
        return lex_string(lx, 0) < 0 ? EV_TOK_ERROR : EV_TOK_STRING;
    case 't': return lex_literal(lx, "true", EV_TOK_TRUE);
    case 'f': return lex_literal(lx, "false", EV_TOK_FALSE);
    case 'n': return lex_literal(lx, "null", EV_TOK_NULL);
    case 'N':
        if (lx->pos + 3 <= lx->n && memcmp(lx->s + lx->pos, "NaN", 3) == 0) {
            lx->pos += 3;
            return lex_fail_at(lx, lx->pos,
                               "Non-standard token 'NaN': enable `JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS` to "
                               "allow");
        }
        break;
    case 'I':
        if (lx->pos + 8 <= lx->n && memcmp(lx->s + lx->pos, "Infinity", 8) == 0) {
            lx->pos += 8;
            return lex_fail_at(lx, lx->pos,
                               "Non-standard token 'Infinity': enable `JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS` "
                               "to allow");
        }
        break;
    default:
        if (c == '-' || (c >= '0' && c <= '9'))
            return lex_number(lx);
    }
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$' || c >= 0x80)
        return lex_bad_token(lx, lx->pos, lx->pos + 1);
    return lex_unexpected(lx, lx->pos, "expected a valid value " VALUE_LIST);
}

/* Closes the innermost container with c (']' or '}'). */
static ev_tok_t lex_close(ev_lex_t *lx, int c)
{
    ev_lex_ctx_t *x = &lx->ctx[lx->depth - 1];
    if ((c == '}') != (x->in_object != 0)) {
        rn_buf_t m = {0};
        rn_buf_printf(&m, "Unexpected close marker '%c': expected '%c' (for %s starting at ", c,
                      x->in_object ? '}' : ']', x->in_object ? "Object" : "Array");
        lex_source(lx, &m, x->line, x->col);
        rn_buf_puts(&m, ")");
        ev_tok_t t = lex_fail_at(lx, lx->pos + 1, m.oom ? "" : m.data);
        rn_buf_free(&m);
        return t;
    }
    lx->pos++;
    lx->depth--;
    if (lx->depth)
        lx->ctx[lx->depth - 1].state = 2;
    else
        lx->root_done = 1;
    return c == '}' ? EV_TOK_END_OBJECT : EV_TOK_END_ARRAY;
}

/* The field name after '{' or ',': the name, then the colon. */
static ev_tok_t lex_name(ev_lex_t *lx, int c)
{
    if (c != '"')
        return lex_unexpected(lx, lx->pos, "was expecting double-quote to start field name");
    lx->pos++;
    if (lex_string(lx, 1) < 0)
        return EV_TOK_ERROR;
    int d = lex_ws(lx);
    if (d < 0)
        return lex_eof(lx, " within/between Object entries");
    if (d != ':')
        return lex_unexpected(lx, lx->pos, "was expecting a colon to separate field name and value");
    lx->pos++;
    lx->ctx[lx->depth - 1].state = 1;
    return EV_TOK_FIELD_NAME;
}

static ev_tok_t lex_after_value(ev_lex_t *lx, ev_tok_t t)
{
    if (t == EV_TOK_ERROR || t == EV_TOK_START_OBJECT || t == EV_TOK_START_ARRAY)
        return t;
    if (lx->depth)
        lx->ctx[lx->depth - 1].state = 2;
    else
        lx->root_done = 1;
    return t;
}

ev_tok_t ev_lex_next(ev_lex_t *lx)
{
    if (lx->cur == EV_TOK_ERROR)
        return EV_TOK_ERROR;
    ev_tok_t t;
    int c = lex_ws(lx);
    if (lx->depth == 0) {
        if (lx->root_done || c < 0)
            t = EV_TOK_EOF;
        else
            t = lex_after_value(lx, lex_value(lx, c));
        return lx->cur = (lx->cur == EV_TOK_ERROR ? EV_TOK_ERROR : t);
    }
    ev_lex_ctx_t *x = &lx->ctx[lx->depth - 1];
    if (c < 0) {
        t = lex_eof_close(lx);
    } else if (x->state == 0) {
        if (c == '}' || c == ']')
            t = lex_close(lx, c);
        else if (x->in_object)
            t = lex_name(lx, c);
        else
            t = lex_after_value(lx, lex_value(lx, c));
    } else if (x->state == 1) {
        t = lex_after_value(lx, lex_value(lx, c));
    } else if (c == ',') {
        lx->pos++;
        int d = lex_ws(lx);
        if (d < 0) {
            char m[128];
            snprintf(m, sizeof m, " within/between %s entries", x->in_object ? "Object" : "Array");
            t = lex_eof(lx, m);
        } else if (x->in_object) {
            t = lex_name(lx, d);
        } else {
            t = lex_after_value(lx, lex_value(lx, d));
        }
    } else if (c == '}' || c == ']') {
        t = lex_close(lx, c);
    } else {
        t = lex_unexpected(lx, lx->pos, x->in_object ? "was expecting comma to separate Object entries"
                                                     : "was expecting comma to separate Array entries");
    }
    return lx->cur = (lx->cur == EV_TOK_ERROR ? EV_TOK_ERROR : t);
}

int ev_json_check(const char *s, size_t n, char *msg, size_t msglen)
{
    ev_lex_t lx;
    ev_lex_init(&lx, s, n);
    ev_tok_t t = ev_lex_next(&lx);
    int r = 0;
    if (t == EV_TOK_EOF) {
        /* Jackson's tree reader on blank input */
        if (msglen)
            snprintf(msg, msglen, "No content to map due to end-of-input");
        r = -1;
    }
    while (t != EV_TOK_EOF && t != EV_TOK_ERROR)
        t = ev_lex_next(&lx);
    if (t == EV_TOK_ERROR) {
        if (msglen)
            snprintf(msg, msglen, "%s", lx.oom ? "out of memory" : lx.err.data ? lx.err.data : "");
        r = lx.oom ? RN_ERR_NOMEM : -1;
    }
    ev_lex_free(&lx);
    return r;
}
