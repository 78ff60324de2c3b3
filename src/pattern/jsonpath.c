/* SPDX-License-Identifier: MIT
 * JSONPath subset and raw-JSON scanning for target input transformation.
 * Nothing here builds a jansson tree: values are located and copied as the
 * bytes the user sent (19.99 stays 19.99, 1e400 stays 1e400, "\u00e9" keeps
 * its escape), and nesting is walked iteratively so a deep event cannot
 * exhaust the stack. The path grammar is what EventBridge documents and
 * accepts: `$`, then `.name` (letters, digits, `_`, `-`, `/`), `[N]`, `.*` or
 * `[*]`; quoted bracket notation and deep scan are refused. */
#include "pattern/pattern.h"

#include <stdint.h>
#include <string.h>

#include "core/hex.h"
#include "core/err.h"
#include "core/mem.h"

enum { STEP_NAME, STEP_INDEX, STEP_ALL };

typedef struct step {
    int kind;
    const char *name; /* points into ev_jsonpath.text */
    size_t nlen;
    size_t index;
} step_t;

struct ev_jsonpath {
    size_t nsteps;
    int definite;
    char *text;
    step_t steps[];
};

static int is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static size_t skip_ws(const char *s, size_t n, size_t i)
{
    while (i < n && is_ws(s[i]))
        i++;
    return i;
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Characters Jackson reads as part of one unrecognised token (Java
 * identifier parts, roughly), so an error lands just past the token. */
static int is_token_char(unsigned char c)
{
    return is_digit((char)c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$' ||
           c >= 0x80;
}

/* ---- validation ---------------------------------------------------------- */

/* Scans the string token at s[i] == '"'. Returns 0 with *end past the closing
 * quote, or -1 with *err set. */
static int scan_string(const char *s, size_t n, size_t i, size_t *end, size_t *err)
{
    for (i++; i < n;) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"') {
            *end = i + 1;
            return 0;
        }
        if (c == '\\') {
            if (i + 1 >= n) {
                *err = n;
                return -1;
            }
            char e = s[i + 1];
            if (e == 'u') {
                for (size_t k = 0; k < 4; k++) {
                    if (i + 2 + k >= n) {
                        *err = n;
                        return -1;
                    }
                    if (rn_hex_val((unsigned char)s[i + 2 + k]) < 0) {
                        *err = i + 3 + k;
                        return -1;
                    }
                }
                i += 6;
                continue;
            }
            if (!strchr("\"\\/bfnrt", e) || e == '\0') {
                *err = i + 2;
                return -1;
            }
            i += 2;
            continue;
        }
        if (c < 0x20) {
            *err = i + 1;
            return -1;
        }
        i++;
    }
    *err = n;
    return -1;
}

static int scan_digits(const char *s, size_t n, size_t *i, size_t *err)
{
    if (*i >= n) {
        *err = n;
        return -1;
    }
    if (!is_digit(s[*i])) {
        *err = *i + 1;
        return -1;
    }
    while (*i < n && is_digit(s[*i]))
        (*i)++;
    return 0;
}

static int scan_number(const char *s, size_t n, size_t i, size_t *end, size_t *err)
{
    if (s[i] == '-')
        i++;
    if (i < n && s[i] == '0') {
        i++;
        if (i < n && is_digit(s[i])) {
            *err = i + 1; /* leading zeroes */
            return -1;
        }
    } else if (scan_digits(s, n, &i, err) < 0) {
        return -1;
    }
    if (i < n && s[i] == '.') {
        i++;
        if (scan_digits(s, n, &i, err) < 0)
            return -1;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        if (scan_digits(s, n, &i, err) < 0)
            return -1;
    }
    if (i < n && is_token_char((unsigned char)s[i])) {
        *err = i + 1;
        return -1;
    }
    *end = i;
    return 0;
}

static int scan_literal(const char *s, size_t n, size_t i, size_t *end, size_t *err)
{
    static const char *const words[] = {"true", "false", "null"};
    for (size_t w = 0; w < 3; w++) {
        size_t l = strlen(words[w]);
        if (n - i >= l && memcmp(s + i, words[w], l) == 0 &&
            (n - i == l || !is_token_char((unsigned char)s[i + l]))) {
            *end = i + l;
            return 0;
        }
    }
    size_t j = i;
    while (j < n && is_token_char((unsigned char)s[j]))
        j++;
    *err = j > i ? j : i + 1;
    return -1;
}

int ev_json_validate(const char *s, size_t n, size_t *err_at)
{
    enum { VAL, AFTER, KEY } state = VAL;
    char stack[EV_JSON_MAX_DEPTH];
    size_t depth = 0, i = skip_ws(s, n, 0), end = 0, err = 0;
    for (;;) {
        if (state == KEY) {
            if (i >= n) {
                err = n;
                goto bad;
            }
            if (s[i] != '"') {
                err = i + 1;
                goto bad;
            }
            if (scan_string(s, n, i, &end, &err) < 0)
                goto bad;
            i = skip_ws(s, n, end);
            if (i >= n) {
                err = n;
                goto bad;
            }
            if (s[i] != ':') {
                err = i + 1;
                goto bad;
            }
            i = skip_ws(s, n, i + 1);
            state = VAL;
            continue;
        }
        if (state == VAL) {
            if (i >= n) {
                err = n;
                goto bad;
            }
            char c = s[i];
            if (c == '{' || c == '[') {
                if (depth == EV_JSON_MAX_DEPTH) {
                    err = i + 1;
                    goto bad;
                }
                stack[depth++] = c;
                i = skip_ws(s, n, i + 1);
                if (i < n && s[i] == (c == '{' ? '}' : ']')) {
                    depth--;
                    i++;
                    state = AFTER;
                } else {
                    state = c == '{' ? KEY : VAL;
                }
                continue;
            }
            int rc;
            if (c == '"')
                rc = scan_string(s, n, i, &end, &err);
            else if (c == '-' || is_digit(c))
                rc = scan_number(s, n, i, &end, &err);
            else
                rc = scan_literal(s, n, i, &end, &err);
            if (rc < 0)
                goto bad;
            i = end;
            state = AFTER;
            continue;
        }
        /* AFTER a value */
        i = skip_ws(s, n, i);
        if (depth == 0) {
            if (i == n)
                return 0;
            err = i + 1;
            goto bad;
        }
        if (i >= n) {
            err = n;
            goto bad;
        }
        char top = stack[depth - 1];
        if (s[i] == ',') {
            i = skip_ws(s, n, i + 1);
            state = top == '{' ? KEY : VAL;
        } else if (s[i] == (top == '{' ? '}' : ']')) {
            depth--;
            i++;
        } else {
            err = i + 1;
            goto bad;
        }
    }
bad:
    if (err_at)
        *err_at = err > n ? n : err;
    return -1;
}

/* ---- walking a validated document ----------------------------------------- */

static size_t string_end(const char *s, size_t n, size_t i)
{
    for (i++; i < n && s[i] != '"'; i++)
        if (s[i] == '\\')
            i++;
    return i < n ? i + 1 : n;
}

size_t ev_json_value_len(const char *s, size_t n)
{
    if (n == 0)
        return 0;
    if (s[0] == '"')
        return string_end(s, n, 0);
    if (s[0] != '{' && s[0] != '[') {
        size_t i = 0;
        while (i < n && !is_ws(s[i]) && s[i] != ',' && s[i] != ']' && s[i] != '}' && s[i] != ':')
            i++;
        return i;
    }
    size_t depth = 0, i = 0;
    while (i < n) {
        char c = s[i];
        if (c == '"') {
            i = string_end(s, n, i);
            continue;
        }
        if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            if (--depth == 0)
                return i + 1;
        }
        i++;
    }
    return n;
}

/* Compares a key token's body (escapes allowed) with key[0..klen). */
static int key_equals(const char *t, size_t tn, const char *key, size_t klen)
{
    if (!memchr(t, '\\', tn))
        return tn == klen && memcmp(t, key, klen) == 0;
    rn_buf_t b = {0};
    ev_json_unescape(&b, t, tn);
    int eq = !b.oom && b.len == klen && memcmp(b.data ? b.data : "", key, klen) == 0;
    rn_buf_free(&b);
    return eq;
}

/* Calls fn for each member (object) or element (array) of the container at
 * s[0]; stops early when fn returns nonzero. */
typedef int (*each_fn)(void *ud, const char *k, size_t kn, const char *v, size_t vn);

static void each_child(const char *s, size_t n, each_fn fn, void *ud)
{
    int obj = s[0] == '{';
    size_t i = skip_ws(s, n, 1);
    if (i >= n || s[i] == '}' || s[i] == ']')
        return;
    for (;;) {
        const char *k = NULL;
        size_t kn = 0;
        if (obj) {
            size_t ke = string_end(s, n, i);
            k = s + i + 1;
            kn = ke - i >= 2 ? ke - i - 2 : 0;
            i = skip_ws(s, n, ke);
            if (i >= n)
                return;
            i = skip_ws(s, n, i + 1); /* ':' */
        }
        if (i >= n)
            return;
        size_t vn = ev_json_value_len(s + i, n - i);
        if (fn(ud, k, kn, s + i, vn))
            return;
        i = skip_ws(s, n, i + vn);
        if (i >= n || s[i] != ',')
            return;
        i = skip_ws(s, n, i + 1);
    }
}

struct member_find {
    const char *key;
    size_t klen;
    const char *vp;
    size_t vn;
    int found;
};

static int member_cb(void *ud, const char *k, size_t kn, const char *v, size_t vn)
{
    struct member_find *f = ud;
    if (key_equals(k, kn, f->key, f->klen)) {
        f->vp = v; /* the last duplicate wins, as in Jackson's tree */
        f->vn = vn;
        f->found = 1;
    }
    return 0;
}

int ev_json_member(const char *obj, size_t n, const char *key, size_t klen, const char **vp, size_t *vn)
{
    if (n == 0 || obj[0] != '{')
        return 0;
    struct member_find f = {key, klen, NULL, 0, 0};
    each_child(obj, n, member_cb, &f);
    if (f.found) {
        *vp = f.vp;
        *vn = f.vn;
    }
    return f.found;
}

struct index_find {
    size_t want, at;
    const char *vp;
    size_t vn;
    int found;
};

static int index_cb(void *ud, const char *k, size_t kn, const char *v, size_t vn)
{
    (void)k;
    (void)kn;
    struct index_find *f = ud;
    if (f->at++ == f->want) {
        f->vp = v;
        f->vn = vn;
        f->found = 1;
        return 1;
    }
    return 0;
}

/* ---- rendering ------------------------------------------------------------ */

void ev_json_minify(rn_buf_t *b, const char *s, size_t n)
{
    size_t run = 0, i = 0;
    while (i < n) {
        if (s[i] == '"') {
            i = string_end(s, n, i);
            continue;
        }
        if (is_ws(s[i])) {
            rn_buf_add(b, s + run, i - run);
            i = skip_ws(s, n, i);
            run = i;
            continue;
        }
        i++;
    }
    rn_buf_add(b, s + run, n - run);
}

static void put_utf8(rn_buf_t *b, uint32_t cp)
{
    char u[4];
    size_t l;
    if (cp < 0x80) {
        u[0] = (char)cp;
        l = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3F));
        l = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        l = 3;
    } else {
        u[0] = (char)(0xF0 | (cp >> 18));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (char)(0x80 | (cp & 0x3F));
        l = 4;
    }
    rn_buf_add(b, u, l);
}

static int read_u4(const char *s, size_t n, size_t i, uint32_t *cp)
{
    if (n - i < 6 || s[i] != '\\' || s[i + 1] != 'u')
        return 0;
    uint32_t v = 0;
    for (size_t k = 2; k < 6; k++) {
        int d = rn_hex_val((unsigned char)s[i + k]);
        if (d < 0)
            return 0;
        v = v << 4 | (uint32_t)d;
    }
    *cp = v;
    return 1;
}

void ev_json_unescape(rn_buf_t *b, const char *s, size_t n)
{
    size_t run = 0, i = 0;
    while (i < n) {
        if (s[i] != '\\') {
            i++;
            continue;
        }
        rn_buf_add(b, s + run, i - run);
        if (i + 1 >= n) {
            run = i = n;
            break;
        }
        char e = s[i + 1];
        uint32_t cp;
        if (e == 'u' && read_u4(s, n, i, &cp)) {
            i += 6;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                uint32_t lo;
                if (read_u4(s, n, i, &lo) && lo >= 0xDC00 && lo <= 0xDFFF) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    i += 6;
                } else {
                    cp = 0xFFFD;
                }
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                cp = 0xFFFD;
            }
            put_utf8(b, cp);
        } else {
            char c;
            switch (e) {
            case 'b': c = '\b'; break;
            case 'f': c = '\f'; break;
            case 'n': c = '\n'; break;
            case 'r': c = '\r'; break;
            case 't': c = '\t'; break;
            default: c = e; break; /* " \ / */
            }
            rn_buf_add(b, &c, 1);
            i += 2;
        }
        run = i;
    }
    rn_buf_add(b, s + run, n - run);
}

void ev_json_quote(rn_buf_t *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    rn_buf_add(b, "\"", 1);
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c != '"' && c != '\\' && c >= 0x20)
            continue;
        rn_buf_add(b, s + run, i - run);
        char esc[6] = {'\\', 0, 0, 0, 0, 0};
        size_t l = 2;
        switch (c) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        default:
            esc[1] = 'u';
            esc[2] = '0';
            esc[3] = '0';
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            l = 6;
        }
        rn_buf_add(b, esc, l);
        run = i + 1;
    }
    rn_buf_add(b, s + run, n - run);
    rn_buf_add(b, "\"", 1);
}

void ev_json_text(rn_buf_t *b, const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        if (s[i] == '"') {
            size_t e = string_end(s, n, i);
            ev_json_unescape(b, s + i + 1, e - i >= 2 ? e - i - 2 : 0);
            i = e;
            continue;
        }
        size_t j = i;
        while (j < n && s[j] != '"' && !is_ws(s[j]))
            j++;
        rn_buf_add(b, s + i, j - i);
        i = skip_ws(s, n, j);
    }
}

/* ---- paths ---------------------------------------------------------------- */

static int is_name_char(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '-' || c == '/';
}

int ev_jsonpath_compile(const char *path, ev_jsonpath_t **out)
{
    *out = NULL;
    size_t len = strlen(path);
    if (len == 0 || path[0] != '$')
        return RN_ERR_VALIDATION;
    /* every step needs at least two characters, so len/2 bounds the count */
    ev_jsonpath_t *p = rn_calloc(1, sizeof *p + (len / 2 + 1) * sizeof(step_t));
    if (!p)
        return RN_ERR_NOMEM;
    p->text = rn_strdup(path);
    if (!p->text) {
        rn_free(p);
        return RN_ERR_NOMEM;
    }
    p->definite = 1;
    const char *t = p->text;
    size_t i = 1;
    while (i < len) {
        step_t *st = &p->steps[p->nsteps];
        if (t[i] == '.') {
            i++;
            if (t[i] == '*') {
                st->kind = STEP_ALL;
                i++;
            } else {
                size_t j = i;
                while (j < len && is_name_char(t[j]))
                    j++;
                if (j == i)
                    goto bad;
                st->kind = STEP_NAME;
                st->name = t + i;
                st->nlen = j - i;
                i = j;
            }
        } else if (t[i] == '[') {
            i++;
            if (t[i] == '*' && t[i + 1] == ']') {
                st->kind = STEP_ALL;
                i += 2;
            } else {
                size_t j = i, v = 0;
                while (j < len && is_digit(t[j])) {
                    size_t d = (size_t)(t[j] - '0');
                    v = v > (SIZE_MAX - d) / 10 ? SIZE_MAX : v * 10 + d;
                    j++;
                }
                if (j == i || t[j] != ']')
                    goto bad;
                st->kind = STEP_INDEX;
                st->index = v;
                i = j + 1;
            }
        } else {
            goto bad;
        }
        if (st->kind == STEP_ALL)
            p->definite = 0;
        p->nsteps++;
    }
    *out = p;
    return 0;
bad:
    ev_jsonpath_free(p);
    return RN_ERR_VALIDATION;
}

void ev_jsonpath_free(ev_jsonpath_t *p)
{
    if (!p)
        return;
    rn_free(p->text);
    rn_free(p);
}

int ev_jsonpath_definite(const ev_jsonpath_t *p)
{
    return p->definite;
}

/* Applies a name or index step to the value v[0..vn). Returns 1 with the
 * selected child's span in rp and rn, or 0. */
static int step_one(const step_t *st, const char *v, size_t vn, const char **rp, size_t *rn)
{
    if (vn == 0)
        return 0;
    if (st->kind == STEP_NAME)
        return ev_json_member(v, vn, st->name, st->nlen, rp, rn);
    if (v[0] != '[')
        return 0;
    struct index_find f = {st->index, 0, NULL, 0, 0};
    each_child(v, vn, index_cb, &f);
    if (f.found) {
        *rp = f.vp;
        *rn = f.vn;
    }
    return f.found;
}

typedef struct span_list {
    const char **p;
    size_t *n;
    size_t len, cap;
    int oom;
} span_list_t;

static void spans_push(span_list_t *l, const char *p, size_t n)
{
    if (l->oom)
        return;
    if (l->len == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        const char **np = rn_realloc(l->p, cap * sizeof *np);
        if (np)
            l->p = np;
        size_t *nn = np ? rn_realloc(l->n, cap * sizeof *nn) : NULL;
        if (!np || !nn) {
            l->oom = 1;
            return;
        }
        l->n = nn;
        l->cap = cap;
    }
    l->p[l->len] = p;
    l->n[l->len++] = n;
}

static void spans_free(span_list_t *l)
{
    rn_free(l->p);
    rn_free(l->n);
    memset(l, 0, sizeof *l);
}

static int all_cb(void *ud, const char *k, size_t kn, const char *v, size_t vn)
{
    (void)k;
    (void)kn;
    spans_push(ud, v, vn);
    return 0;
}

int ev_jsonpath_eval(const ev_jsonpath_t *p, const char *doc, size_t n, ev_json_value_t *out)
{
    memset(out, 0, sizeof *out);
    size_t i = skip_ws(doc, n, 0);
    const char *v = doc + i;
    size_t vn = ev_json_value_len(v, n - i);
    if (p->definite) {
        for (size_t s = 0; s < p->nsteps; s++)
            if (!step_one(&p->steps[s], v, vn, &v, &vn))
                return 0;
        out->p = v;
        out->n = vn;
        out->found = 1;
        return 0;
    }
    span_list_t cur = {0}, next = {0};
    spans_push(&cur, v, vn);
    for (size_t s = 0; s < p->nsteps && !cur.oom; s++) {
        const step_t *st = &p->steps[s];
        for (size_t k = 0; k < cur.len; k++) {
            if (st->kind == STEP_ALL) {
                if (cur.n[k] && (cur.p[k][0] == '{' || cur.p[k][0] == '['))
                    each_child(cur.p[k], cur.n[k], all_cb, &next);
            } else {
                const char *rp;
                size_t rn;
                if (step_one(st, cur.p[k], cur.n[k], &rp, &rn))
                    spans_push(&next, rp, rn);
            }
        }
        int oom = next.oom;
        spans_free(&cur);
        cur = next;
        cur.oom |= oom;
        memset(&next, 0, sizeof next);
    }
    if (cur.oom) {
        spans_free(&cur);
        return RN_ERR_NOMEM;
    }
    rn_buf_t b = {0};
    rn_buf_add(&b, "[", 1);
    for (size_t k = 0; k < cur.len; k++) {
        if (k)
            rn_buf_add(&b, ",", 1);
        ev_json_minify(&b, cur.p[k], cur.n[k]);
    }
    rn_buf_add(&b, "]", 1);
    spans_free(&cur);
    if (b.oom) {
        rn_buf_free(&b);
        return RN_ERR_NOMEM;
    }
    out->owned = rn_buf_take(&b, &out->n);
    out->p = out->owned;
    out->found = 1;
    return 0;
}

void ev_json_value_release(ev_json_value_t *v)
{
    rn_free(v->owned);
    memset(v, 0, sizeof *v);
}
