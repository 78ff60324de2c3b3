/* SPDX-License-Identifier: MIT
 * The event-pattern compiler. It walks the pattern's tokens once, as AWS's
 * streaming compiler does, so checks happen in the same order and give the
 * same messages; "$or" forks the sub-rules built so far, and each sub-rule ends
 * as a list of field conditions sorted by field name, ready for either
 * matcher. Wildcards are then checked for the complexity AWS refuses. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/mem.h"
#include "pattern/pattern_int.h"

#define AWS_PREFIX "Event pattern is not valid. Reason: "
#define TOO_COMPLEX                                                                                                  \
    "Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a "    \
    "wildcard character"

/* ---- arena ---- */

struct ev_arena_chunk {
    ev_arena_chunk_t *next;
    size_t used, cap;
    _Alignas(16) unsigned char data[];
};

void *ev_arena_alloc(ev_arena_t *a, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    if (!n)
        n = 16;
    ev_arena_chunk_t *c = a->head;
    if (!c || c->cap - c->used < n) {
        size_t cap = n > 4000 ? n : 4000;
        c = rn_malloc(sizeof *c + cap);
        if (!c)
            return NULL;
        c->cap = cap;
        c->used = 0;
        c->next = a->head;
        a->head = c;
    }
    void *p = c->data + c->used;
    c->used += n;
    return p;
}

char *ev_arena_dup(ev_arena_t *a, const void *s, size_t n)
{
    char *d = ev_arena_alloc(a, n + 1);
    if (d) {
        if (n)
            memcpy(d, s, n);
        d[n] = 0;
    }
    return d;
}

void ev_arena_free(ev_arena_t *a)
{
    ev_arena_chunk_t *c = a->head;
    while (c) {
        ev_arena_chunk_t *n = c->next;
        rn_free(c);
        c = n;
    }
    a->head = NULL;
}

/* ---- the compile state: sub-rules as maps from path to value list ---- */

typedef struct rent {
    ev_str_t name;
    ev_val_t *vals;
    size_t nvals;
} rent_t;

typedef struct rmap {
    rent_t *e;
    size_t n, cap;
} rmap_t;

typedef struct rlist {
    rmap_t *m;
    size_t n, cap;
} rlist_t;

typedef struct pc {
    ev_lex_t lx;
    ev_pattern_t *p;
    rlist_t rules;
    rn_buf_t path;
    char *msg;
    size_t msglen;
    int err;
    int raw; /* keep Jackson's location on every message, as AWS sends it */
} pc_t;

static void rmap_free(rmap_t *m)
{
    rn_free(m->e);
    m->e = NULL;
    m->n = m->cap = 0;
}

static void rlist_free(rlist_t *l)
{
    for (size_t i = 0; i < l->n; i++)
        rmap_free(&l->m[i]);
    rn_free(l->m);
    l->m = NULL;
    l->n = l->cap = 0;
}

static int nomem(pc_t *c)
{
    if (!c->err) {
        c->err = RN_ERR_NOMEM;
        if (c->msglen)
            snprintf(c->msg, c->msglen, "out of memory");
    }
    return -1;
}

static void set_msg(pc_t *c, int err, const char *reason, const char *loc)
{
    if (c->err)
        return;
    c->err = err;
    if (c->msglen)
        snprintf(c->msg, c->msglen, AWS_PREFIX "%s%s", reason, loc ? loc : "");
}

/* Jackson's "\n at [Source: ...]" for the parser's current position. */
static void location(pc_t *c, rn_buf_t *b)
{
    ev_lex_location(&c->lx, c->lx.pos, b);
}

/* A compile error at the parser's position ("barf"); nested = raised inside a
 * block that catches and re-raises, which repeats the location. */
static int barf_n(pc_t *c, int nested, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int barf_n(pc_t *c, int nested, const char *fmt, ...)
{
    if (c->err)
        return -1;
    char reason[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    rn_buf_t loc = {0};
    if (c->raw) {
        location(c, &loc);
        if (nested)
            location(c, &loc);
    }
    set_msg(c, RN_ERR_INVALID_PATTERN, reason, loc.data);
    rn_buf_free(&loc);
    return -1;
}
#define barf(c, ...) barf_n(c, 0, __VA_ARGS__)

static ev_tok_t next(pc_t *c);

/* Jackson reads a string token lazily: when an error is raised on a string
 * value whose text nobody asked for, its location is just past the opening
 * quote, not past the whole string. */
static int barf_lazy_string(pc_t *c, const char *reason)
{
    if (c->err)
        return -1;
    rn_buf_t loc = {0};
    if (c->raw)
        ev_lex_location(&c->lx, c->lx.tok_start + 1, &loc);
    set_msg(c, RN_ERR_INVALID_PATTERN, reason, loc.data);
    rn_buf_free(&loc);
    return -1;
}

/* An error AWS raises after the parser has moved on to the value that
 * follows the current field name (so the location is past that value's
 * first token). */
static int barf_after_value(pc_t *c, const char *reason)
{
    if (c->err)
        return -1;
    ev_tok_t t = next(c);
    if (t == EV_TOK_ERROR)
        return -1;
    if (t == EV_TOK_STRING)
        return barf_lazy_string(c, reason);
    return barf(c, "%s", reason);
}

/* An error thrown without a parser location (IllegalArgumentException). */
static int fail_plain(pc_t *c, const char *reason)
{
    set_msg(c, RN_ERR_INVALID_PATTERN, reason, NULL);
    return -1;
}

static ev_tok_t next(pc_t *c)
{
    ev_tok_t t = ev_lex_next(&c->lx);
    if (t == EV_TOK_ERROR && !c->err) {
        if (c->lx.oom)
            return nomem(c), t;
        set_msg(c, RN_ERR_INVALID_PATTERN, c->lx.err.data ? c->lx.err.data : "", NULL);
    }
    return t;
}

static int is_num(ev_tok_t t)
{
    return t == EV_TOK_INT || t == EV_TOK_FLOAT;
}

/* What Jackson's getText() gives for the current token. */
static const char *tok_text(pc_t *c, ev_tok_t t)
{
    switch (t) {
    case EV_TOK_START_OBJECT: return "{";
    case EV_TOK_END_OBJECT: return "}";
    case EV_TOK_START_ARRAY: return "[";
    case EV_TOK_END_ARRAY: return "]";
    case EV_TOK_TRUE: return "true";
    case EV_TOK_FALSE: return "false";
    case EV_TOK_NULL: return "null";
    case EV_TOK_EOF: return "null";
    default: return c->lx.text.data ? c->lx.text.data : "";
    }
}

static int text_is(pc_t *c, const char *s)
{
    size_t n = strlen(s);
    return c->lx.text.len == n && memcmp(c->lx.text.data, s, n) == 0;
}

/* ---- canonical bytes of a value matcher ---- */

static int canon_set(pc_t *c, ev_val_t *v, const void *extra, size_t extran)
{
    rn_buf_t b = {0};
    unsigned char k = (unsigned char)v->kind;
    rn_buf_add(&b, &k, 1);
    if (extra)
        rn_buf_add(&b, extra, extran);
    if (b.oom) {
        rn_buf_free(&b);
        return nomem(c);
    }
    v->canon.p = ev_arena_dup(&c->p->arena, b.data, b.len);
    v->canon.n = b.len;
    rn_buf_free(&b);
    return v->canon.p ? 0 : nomem(c);
}

static int str_cmp(const void *a, const void *b)
{
    const ev_str_t *x = a, *y = b;
    size_t n = x->n < y->n ? x->n : y->n;
    int r = memcmp(x->p, y->p, n);
    return r ? r : (x->n < y->n ? -1 : x->n > y->n);
}

static int wc_cmp(const void *a, const void *b)
{
    return str_cmp(&((const ev_wc_t *)a)->src, &((const ev_wc_t *)b)->src);
}

static int key_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static int canon_val(pc_t *c, ev_val_t *v)
{
    rn_buf_t b = {0};
    switch (v->kind) {
    case EV_VK_EXACT_NUM:
        if (v->num_cmp) {
            rn_buf_add(&b, "k", 1);
            rn_buf_add(&b, &v->key, 8);
        } else {
            rn_buf_add(&b, "t", 1);
            rn_buf_add(&b, v->s.p, v->s.n);
        }
        break;
    case EV_VK_RANGE:
        rn_buf_add(&b, &v->has_lo, 4);
        rn_buf_add(&b, &v->lo, 8);
        rn_buf_add(&b, &v->hi, 8);
        break;
    case EV_VK_IP:
        rn_buf_add(&b, &v->v6, 1);
        rn_buf_add(&b, v->iplo, 16);
        rn_buf_add(&b, v->iphi, 16);
        break;
    case EV_VK_ABUT_NUM:
        rn_buf_add(&b, v->keys, v->nkeys * 8);
        break;
    case EV_VK_ABUT_STR:
    case EV_VK_ABUT_IC:
    case EV_VK_ABUT_PREFIX:
    case EV_VK_ABUT_SUFFIX:
        for (size_t i = 0; i < v->nset; i++) {
            uint32_t n = (uint32_t)v->set[i].n;
            rn_buf_add(&b, &n, 4);
            rn_buf_add(&b, v->set[i].p, n);
        }
        break;
    case EV_VK_ABUT_WILDCARD:
        for (size_t i = 0; i < v->nwc; i++) {
            uint32_t n = (uint32_t)v->wc[i].src.n;
            rn_buf_add(&b, &n, 4);
            rn_buf_add(&b, v->wc[i].src.p, n);
        }
        break;
    case EV_VK_WILDCARD:
        rn_buf_add(&b, v->wc[0].src.p, v->wc[0].src.n);
        break;
    default:
        rn_buf_add(&b, v->s.p ? v->s.p : "", v->s.n);
        break;
    }
    if (b.oom) {
        rn_buf_free(&b);
        return nomem(c);
    }
    int r = canon_set(c, v, b.data, b.len);
    rn_buf_free(&b);
    return r;
}

/* ---- value builders ---- */

static ev_val_t *val_new(pc_t *c, ev_vkind_t kind)
{
    ev_val_t *v = ev_arena_alloc(&c->p->arena, sizeof *v);
    if (!v) {
        nomem(c);
        return NULL;
    }
    memset(v, 0, sizeof *v);
    v->kind = kind;
    return v;
}

static int val_text(pc_t *c, ev_val_t *v)
{
    v->s.p = ev_arena_dup(&c->p->arena, c->lx.text.data ? c->lx.text.data : "", c->lx.text.len);
    v->s.n = c->lx.text.len;
    return v->s.p ? 0 : nomem(c);
}

/* ComparableNumber: finite and exactly the decimal written, else "Cannot
 * compare number : x". */
static int num_key(pc_t *c, const char *text, size_t n, uint64_t *key, int plain)
{
    if (ev_num_key(text, n, key))
        return 0;
    char m[600];
    snprintf(m, sizeof m, "Cannot compare number : %.*s", (int)(n > 500 ? 500 : n), text);
    return plain ? fail_plain(c, m) : barf(c, "%s", m);
}

/* Numeric range inside {"numeric": [...]}; the opening bracket is consumed.
 * Bounds become comparable keys where AWS's compiler converts them: after the
 * expression's shape has been checked. */
static ev_val_t *numeric(pc_t *c)
{
    ev_tok_t t = next(c);
    if (t == EV_TOK_ERROR)
        return NULL;
    if (t != EV_TOK_STRING)
        return barf(c, "Invalid member in numeric match: %s", tok_text(c, t)), NULL;
    char op[4] = "";
    if (c->lx.text.len < sizeof op)
        memcpy(op, c->lx.text.data, c->lx.text.len + 1);
    int eq = !strcmp(op, "="), ge = !strcmp(op, ">="), gt = !strcmp(op, ">"), le = !strcmp(op, "<="),
        lt = !strcmp(op, "<");
    rn_buf_t opname = {0}, lo = {0}, hi = {0};
    rn_buf_add(&opname, c->lx.text.data, c->lx.text.len);
    ev_val_t *v = NULL;
    t = next(c);
    if (t == EV_TOK_ERROR)
        goto out;
    if (!(eq || ge || gt || le || lt)) {
        barf(c, "Unrecognized numeric range operator: %s", opname.data ? opname.data : "");
        goto out;
    }
    if (!is_num(t)) {
        barf(c, "Value of %s must be numeric", eq ? "equals" : op);
        goto out;
    }
    if (!(v = val_new(c, EV_VK_RANGE)))
        goto out;
    if (eq || le || lt) {
        rn_buf_add(eq ? &lo : &hi, c->lx.text.data, c->lx.text.len);
        if ((t = next(c)) != EV_TOK_END_ARRAY) {
            if (t != EV_TOK_ERROR)
                barf(c, "Too many elements in numeric expression");
            v = NULL;
            goto out;
        }
        if (eq) {
            v->has_lo = v->has_hi = 1;
        } else {
            v->has_hi = 1;
            v->open_hi = lt;
        }
    } else {
        rn_buf_add(&lo, c->lx.text.data, c->lx.text.len);
        v->has_lo = 1;
        v->open_lo = gt;
        t = next(c);
        if (t == EV_TOK_ERROR) {
            v = NULL;
            goto out;
        }
        if (t != EV_TOK_END_ARRAY) {
            if (t != EV_TOK_STRING) {
                barf(c, "Bad value in numeric range: %s", tok_text(c, t));
                v = NULL;
                goto out;
            }
            char op2[4] = "";
            if (c->lx.text.len < sizeof op2)
                memcpy(op2, c->lx.text.data, c->lx.text.len + 1);
            if (strcmp(op2, "<") && strcmp(op2, "<=")) {
                barf(c, "Bad numeric range operator: %s", tok_text(c, t));
                v = NULL;
                goto out;
            }
            v->open_hi = op2[1] == 0;
            v->has_hi = 1;
            if (!is_num(t = next(c))) {
                if (t != EV_TOK_ERROR)
                    barf(c, "Value of %s must be numeric", op2);
                v = NULL;
                goto out;
            }
            rn_buf_add(&hi, c->lx.text.data, c->lx.text.len);
            if ((t = next(c)) != EV_TOK_END_ARRAY) {
                if (t != EV_TOK_ERROR)
                    barf(c, "Too many terms in numeric range expression");
                v = NULL;
                goto out;
            }
        }
    }
    if (lo.oom || hi.oom || opname.oom) {
        nomem(c);
        v = NULL;
        goto out;
    }
    if ((lo.len && num_key(c, lo.data, lo.len, &v->lo, 0) < 0) ||
        (hi.len && num_key(c, hi.data, hi.len, &v->hi, 0) < 0)) {
        v = NULL;
        goto out;
    }
    if (eq)
        v->hi = v->lo;
    if (v->has_lo && v->has_hi && !eq && v->lo >= v->hi) {
        barf(c, "Bottom must be less than top");
        v = NULL;
        goto out;
    }
    if (canon_val(c, v) < 0)
        v = NULL;
out:
    rn_buf_free(&opname);
    rn_buf_free(&lo);
    rn_buf_free(&hi);
    return v;
}

static int ip_hex_range(pc_t *c, ev_val_t *v, const char *s, size_t n)
{
    /* CIDR: "a.b.c.d/m" or IPv6 "x::/m" */
    size_t parts = 0, slash = n;
    size_t starts[3] = {0}, ends[3] = {0};
    size_t st = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || s[i] == '/') {
            if (parts < 3) {
                starts[parts] = st;
                ends[parts] = i;
            }
            parts++;
            if (i < n && slash == n)
                slash = i;
            st = i + 1;
        }
    }
    /* Java's split drops trailing empty strings */
    while (parts > 0 && parts <= 3 && starts[parts - 1] == ends[parts - 1])
        parts--;
    if (parts != 2)
        return fail_plain(c, "Malformed CIDR, one '/' required");
    const char *ms = s + starts[1];
    size_t mn = ends[1] - starts[1];
    size_t i = 0;
    int neg = 0;
    if (i < mn && (ms[i] == '-' || ms[i] == '+'))
        neg = ms[i++] == '-';
    long bits = 0;
    if (i == mn)
        return fail_plain(c, "Malformed CIDR, mask bits must be an integer");
    for (; i < mn; i++) {
        if (ms[i] < '0' || ms[i] > '9' || bits > 100000000)
            return fail_plain(c, "Malformed CIDR, mask bits must be an integer");
        bits = bits * 10 + (ms[i] - '0');
    }
    if (neg && bits)
        return fail_plain(c, "Malformed CIDR, mask bits must not be negative");
    uint8_t ip[16];
    int v6 = 0;
    int r = ev_ip_parse(s + starts[0], ends[0] - starts[0], ip, &v6);
    if (r < 0) {
        char m[600];
        snprintf(m, sizeof m, "%s IP address: %.*s", r == -1 ? "Nonstandard" : "Invalid",
                 (int)(ends[0] - starts[0] > 500 ? 500 : ends[0] - starts[0]), s + starts[0]);
        return fail_plain(c, m);
    }
    int width = v6 ? 128 : 32;
    if (bits > width - 1)
        return fail_plain(c, v6 ? "IPv6 mask bits must be < 128" : "IPv4 mask bits must be < 32");
    v->v6 = (uint8_t)v6;
    for (int b = 0; b < width / 8; b++) {
        int fixed = (int)bits - b * 8;
        uint8_t mask = fixed >= 8 ? 0xFF : fixed <= 0 ? 0 : (uint8_t)(0xFF << (8 - fixed));
        v->iplo[b] = ip[b] & mask;
        v->iphi[b] = ip[b] | (uint8_t)~mask;
    }
    return 0;
}

static ev_val_t *match_string_or_ip(pc_t *c)
{
    uint8_t ip[16];
    int v6 = 0;
    if (c->lx.text.len && ev_ip_parse(c->lx.text.data, c->lx.text.len, ip, &v6) == 0) {
        ev_val_t *v = val_new(c, EV_VK_IP);
        if (!v)
            return NULL;
        v->v6 = (uint8_t)v6;
        memcpy(v->iplo, ip, 16);
        memcpy(v->iphi, ip, 16);
        return canon_val(c, v) < 0 ? NULL : v;
    }
    ev_val_t *v = val_new(c, EV_VK_EXACT_STR);
    if (!v || val_text(c, v) < 0 || canon_val(c, v) < 0)
        return NULL;
    return v;
}

/* {"prefix": {"equals-ignore-case": "x"}} and the suffix twin; the inner
 * object's opening brace is consumed. */
static ev_val_t *affix_ic(pc_t *c, int suffix)
{
    ev_tok_t t = next(c);
    if (t == EV_TOK_ERROR)
        return NULL;
    if (t != EV_TOK_FIELD_NAME)
        return barf(c, suffix ? "Suffix expression name not found" : "Prefix expression name not found"), NULL;
    if (!text_is(c, "equals-ignore-case"))
        return barf(c, "Unsupported %s pattern: %s", suffix ? "suffix" : "prefix", c->lx.text.data), NULL;
    if ((t = next(c)) != EV_TOK_STRING)
        return t == EV_TOK_ERROR ? NULL : (barf(c, "equals-ignore-case match pattern must be a string"), NULL);
    ev_val_t *v = val_new(c, suffix ? EV_VK_SUFFIX_IC : EV_VK_PREFIX_IC);
    if (!v || val_text(c, v) < 0 || canon_val(c, v) < 0)
        return NULL;
    for (int i = 0; i < 2; i++)
        if ((t = next(c)) != EV_TOK_END_OBJECT)
            return t == EV_TOK_ERROR ? NULL : (barf(c, "Only one key allowed in match expression"), NULL);
    return v;
}

static int wc_add(pc_t *c, ev_val_t *v, const char *s, size_t n, int nested)
{
    char m[256];
    ev_wc_t *w = &v->wc[v->nwc];
    int r = ev_wc_compile(&c->p->arena, s, n, w, m, sizeof m);
    if (r == RN_ERR_NOMEM)
        return nomem(c);
    if (r < 0)
        return barf_n(c, nested, "%s", m);
    v->nwc++;
    return 0;
}

/* anything-but and its forms; "anything-but" has been read. */
static ev_val_t *anything_but(pc_t *c)
{
    ev_vkind_t kind = EV_VK_ABUT_STR;
    int set = 0; /* the {equals-ignore-case|prefix|suffix|wildcard: ...} forms */
    ev_tok_t t = next(c);
    if (t == EV_TOK_ERROR)
        return NULL;
    if (t == EV_TOK_START_OBJECT) {
        if ((t = next(c)) != EV_TOK_FIELD_NAME)
            return t == EV_TOK_ERROR ? NULL : (barf(c, "Anything-But expression name not found"), NULL);
        if (text_is(c, "equals-ignore-case"))
            kind = EV_VK_ABUT_IC;
        else if (text_is(c, "prefix"))
            kind = EV_VK_ABUT_PREFIX;
        else if (text_is(c, "suffix"))
            kind = EV_VK_ABUT_SUFFIX;
        else if (text_is(c, "wildcard"))
            kind = EV_VK_ABUT_WILDCARD;
        else
            return barf(c, "Unsupported anything-but pattern: %s", c->lx.text.data), NULL;
        set = 1;
        if ((t = next(c)) == EV_TOK_ERROR)
            return NULL;
    }
    if (t != EV_TOK_START_ARRAY && t != EV_TOK_STRING && !is_num(t))
        return barf(c, "Value of anything-but must be an array or single string/number value."), NULL;
    const char *type_err = kind == EV_VK_ABUT_IC
                               ? "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not "
                                 "supported."
                           : kind == EV_VK_ABUT_WILDCARD ? "wildcard match pattern must be a string"
                                                         : "prefix/suffix match pattern must be a string";
    /* gather the values (strings or number keys) */
    rn_buf_t strs = {0}; /* ev_str_t entries */
    rn_buf_t keys = {0};
    int has_str = 0, has_num = 0, ok = 1;
    int list = t == EV_TOK_START_ARRAY;
    for (;;) {
        if (list) {
            t = next(c);
            if (t == EV_TOK_ERROR) {
                ok = 0;
                break;
            }
            if (t == EV_TOK_END_ARRAY)
                break;
        }
        if (t == EV_TOK_STRING) {
            if ((kind == EV_VK_ABUT_PREFIX || kind == EV_VK_ABUT_SUFFIX) && c->lx.text.len == 0) {
                ok = 0;
                barf_n(c, list, "Null prefix/suffix not allowed");
                break;
            }
            ev_str_t s = {ev_arena_dup(&c->p->arena, c->lx.text.data, c->lx.text.len), c->lx.text.len};
            if (!s.p) {
                ok = 0;
                nomem(c);
                break;
            }
            rn_buf_add(&strs, &s, sizeof s);
            has_str = 1;
        } else if (!set && is_num(t)) {
            uint64_t k;
            if (num_key(c, c->lx.text.data, c->lx.text.len, &k, !list) < 0) {
                ok = 0;
                break;
            }
            rn_buf_add(&keys, &k, 8);
            has_num = 1;
        } else {
            ok = 0;
            barf_n(c, list, "%s", set ? type_err : "Inside anything but list, start|null|boolean is not supported.");
            break;
        }
        if (!list)
            break;
    }
    if (ok && (strs.oom || keys.oom)) {
        ok = 0;
        nomem(c);
    }
    ev_val_t *v = NULL;
    if (ok && !set && list && !has_str && !has_num) {
        /* AWS answers an empty anything-but list with a 500 */
        if (!c->err) {
            c->err = RN_ERR_INTERNAL;
            if (c->msglen)
                c->msg[0] = 0;
        }
        ok = 0;
    }
    if (ok && !set && has_str && has_num) {
        ok = 0;
        barf(c, "Inside anything but list, either all values are number or string, mixed type is not supported");
    }
    if (ok && (v = val_new(c, has_num ? EV_VK_ABUT_NUM : kind))) {
        size_t ns = strs.len / sizeof(ev_str_t), nk = keys.len / 8;
        if (v->kind == EV_VK_ABUT_NUM) {
            v->keys = ev_arena_alloc(&c->p->arena, nk * 8 + 8);
            if (!v->keys) {
                ok = 0;
                nomem(c);
            } else {
                memcpy(v->keys, keys.data, nk * 8);
                qsort(v->keys, nk, 8, key_cmp);
                v->nkeys = nk;
            }
        } else if (v->kind == EV_VK_ABUT_WILDCARD) {
            v->wc = ev_arena_alloc(&c->p->arena, (ns + 1) * sizeof *v->wc);
            if (!v->wc) {
                ok = 0;
                nomem(c);
            }
            const ev_str_t *sv = (const ev_str_t *)strs.data;
            for (size_t i = 0; ok && i < ns; i++)
                if (wc_add(c, v, sv[i].p, sv[i].n, 0) < 0)
                    ok = 0;
            if (ok)
                qsort(v->wc, v->nwc, sizeof *v->wc, wc_cmp);
        } else {
            v->set = ev_arena_alloc(&c->p->arena, (ns + 1) * sizeof *v->set);
            if (!v->set) {
                ok = 0;
                nomem(c);
            } else {
                if (ns)
                    memcpy(v->set, strs.data, ns * sizeof *v->set);
                qsort(v->set, ns, sizeof *v->set, str_cmp);
                v->nset = ns;
            }
        }
        if (ok && canon_val(c, v) < 0)
            ok = 0;
    }
    rn_buf_free(&strs);
    rn_buf_free(&keys);
    if (!ok)
        return NULL;
    if ((t = next(c)) != EV_TOK_END_OBJECT)
        return t == EV_TOK_ERROR ? NULL : (barf(c, "Too many elements in numeric expression"), NULL);
    if (set && (t = next(c)) != EV_TOK_END_OBJECT)
        return t == EV_TOK_ERROR ? NULL : (barf(c, "Too many elements in numeric expression"), NULL);
    return v;
}

/* One {"match-type": ...} object inside a value list; '{' is consumed. */
static ev_val_t *match_expression(pc_t *c)
{
    ev_tok_t t = next(c);
    if (t == EV_TOK_ERROR)
        return NULL;
    if (t != EV_TOK_FIELD_NAME)
        return barf(c, "Match expression name not found"), NULL;
    ev_val_t *v = NULL;
    ev_vkind_t kind;
    const char *type_err;
    if (text_is(c, "anything-but"))
        return anything_but(c);
    if (text_is(c, "numeric")) {
        if ((t = next(c)) != EV_TOK_START_ARRAY)
            return t == EV_TOK_ERROR ? NULL : (barf(c, "Value of numeric must be an array."), NULL);
        if (!(v = numeric(c)))
            return NULL;
        if ((t = next(c)) != EV_TOK_END_OBJECT)
            return t == EV_TOK_ERROR ? NULL : (barf(c, "Too many elements in numeric expression"), NULL);
        return v;
    }
    if (text_is(c, "exists")) {
        t = next(c);
        if (t == EV_TOK_ERROR)
            return NULL;
        if (t != EV_TOK_TRUE && t != EV_TOK_FALSE)
            return barf(c, "exists match pattern must be either true or false."), NULL;
        if (!(v = val_new(c, t == EV_TOK_TRUE ? EV_VK_EXISTS : EV_VK_ABSENT)) || canon_val(c, v) < 0)
            return NULL;
        goto end_object;
    }
    if (text_is(c, "exactly")) {
        kind = EV_VK_EXACT_STR;
        type_err = "exact match pattern must be a string";
    } else if (text_is(c, "prefix")) {
        kind = EV_VK_PREFIX;
        type_err = "prefix match pattern must be a string";
    } else if (text_is(c, "suffix")) {
        kind = EV_VK_SUFFIX;
        type_err = "suffix match pattern must be a string";
    } else if (text_is(c, "cidr")) {
        kind = EV_VK_IP;
        type_err = "prefix match pattern must be a string";
    } else if (text_is(c, "equals-ignore-case")) {
        kind = EV_VK_EQ_IC;
        type_err = "equals-ignore-case match pattern must be a string";
    } else if (text_is(c, "wildcard")) {
        kind = EV_VK_WILDCARD;
        type_err = "wildcard match pattern must be a string";
    } else {
    {
        char reason[600];
        snprintf(reason, sizeof reason, "Unrecognized match type %s", c->lx.text.data);
        return barf_after_value(c, reason), NULL;
    }
    }
    t = next(c);
    if (t == EV_TOK_ERROR)
        return NULL;
    if (t == EV_TOK_START_OBJECT && (kind == EV_VK_PREFIX || kind == EV_VK_SUFFIX))
        return affix_ic(c, kind == EV_VK_SUFFIX);
    if (t != EV_TOK_STRING)
        return barf(c, "%s", type_err), NULL;
    if (!(v = val_new(c, kind)))
        return NULL;
    if (kind == EV_VK_IP) {
        if (ip_hex_range(c, v, c->lx.text.data, c->lx.text.len) < 0)
            return NULL;
    } else if (kind == EV_VK_WILDCARD) {
        v->wc = ev_arena_alloc(&c->p->arena, sizeof *v->wc);
        if (!v->wc)
            return nomem(c), NULL;
        if (wc_add(c, v, c->lx.text.data, c->lx.text.len, 0) < 0)
            return NULL;
    } else if (val_text(c, v) < 0) {
        return NULL;
    }
    if (canon_val(c, v) < 0)
        return NULL;
end_object:
    if ((t = next(c)) != EV_TOK_END_OBJECT)
        return t == EV_TOK_ERROR ? NULL : (barf(c, "Only one key allowed in match expression"), NULL);
    return v;
}

static int rmap_put(pc_t *c, rmap_t *m, ev_str_t name, ev_val_t *vals, size_t nvals)
{
    for (size_t i = 0; i < m->n; i++) {
        if (m->e[i].name.n == name.n && memcmp(m->e[i].name.p, name.p, name.n) == 0) {
            m->e[i].vals = vals;
            m->e[i].nvals = nvals;
            return 0;
        }
    }
    if (m->n == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 8;
        rent_t *e = rn_realloc(m->e, cap * sizeof *e);
        if (!e)
            return nomem(c);
        m->e = e;
        m->cap = cap;
    }
    m->e[m->n++] = (rent_t){name, vals, nvals};
    return 0;
}

static int rlist_add(pc_t *c, rlist_t *l, const rmap_t *src)
{
    if (l->n >= EV_MAX_SUBRULES)
        return fail_plain(c, TOO_COMPLEX);
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 4;
        rmap_t *m = rn_realloc(l->m, cap * sizeof *m);
        if (!m)
            return nomem(c);
        l->m = m;
        l->cap = cap;
    }
    rmap_t *d = &l->m[l->n];
    *d = (rmap_t){0};
    if (src && src->n) {
        d->e = rn_malloc(src->n * sizeof *d->e);
        if (!d->e)
            return nomem(c);
        memcpy(d->e, src->e, src->n * sizeof *d->e);
        d->n = d->cap = src->n;
    }
    l->n++;
    return 0;
}

/* The value list of one field: "name": [ ... ]; '[' is consumed. */
static int write_rules(pc_t *c, const char *key, size_t keylen)
{
    rn_buf_t vals = {0};
    int r = -1;
    for (;;) {
        ev_tok_t t = next(c);
        ev_val_t *v = NULL;
        if (t == EV_TOK_ERROR)
            goto out;
        if (t == EV_TOK_END_ARRAY)
            break;
        switch (t) {
        case EV_TOK_START_OBJECT:
            v = match_expression(c);
            break;
        case EV_TOK_STRING:
            v = match_string_or_ip(c);
            break;
        case EV_TOK_INT:
        case EV_TOK_FLOAT:
            if ((v = val_new(c, EV_VK_EXACT_NUM))) {
                v->num_cmp = ev_num_key(c->lx.text.data, c->lx.text.len, &v->key);
                if (val_text(c, v) < 0 || canon_val(c, v) < 0)
                    v = NULL;
            }
            break;
        case EV_TOK_TRUE:
        case EV_TOK_FALSE:
        case EV_TOK_NULL:
            if ((v = val_new(c, t == EV_TOK_TRUE ? EV_VK_TRUE : t == EV_TOK_FALSE ? EV_VK_FALSE : EV_VK_NULL)) &&
                canon_val(c, v) < 0)
                v = NULL;
            break;
        default:
            barf(c, "Match value must be String, number, true, false, or null");
            break;
        }
        if (!v)
            goto out;
        rn_buf_add(&vals, v, sizeof *v);
        if (vals.oom) {
            nomem(c);
            goto out;
        }
    }
    if (vals.len == 0) {
        barf(c, "Empty arrays are not allowed");
        goto out;
    }
    size_t nv = vals.len / sizeof(ev_val_t);
    ev_val_t *arr = ev_arena_alloc(&c->p->arena, vals.len);
    char *name = ev_arena_dup(&c->p->arena, key, keylen);
    if (!arr || !name) {
        nomem(c);
        goto out;
    }
    memcpy(arr, vals.data, vals.len);
    if (c->rules.n == 0 && rlist_add(c, &c->rules, NULL) < 0)
        goto out;
    for (size_t i = 0; i < c->rules.n; i++)
        if (rmap_put(c, &c->rules.m[i], (ev_str_t){name, keylen}, arr, nv) < 0)
            goto out;
    r = 0;
out:
    rn_buf_free(&vals);
    return r;
}

static const char *const reserved[] = {
    "exactly", "equals-ignore-case", "prefix", "suffix", "anything-but", "exists", "wildcard", "numeric", "cidr",
    "=", "<", "<=", ">", ">=", "regex", "not-wildcard", "not-equals-ignore-case", "date-after",
    "date-on-or-after", "date-before", "date-on-or-before", "in-date-range", "ip-address-in-range",
    "ip-address-not-in-range",
};

static int parse_object(pc_t *c, int in_or, int depth);

static int parse_or(pc_t *c, int depth)
{
    rlist_t current = c->rules, out = {0};
    c->rules = (rlist_t){0};
    int r = -1, count = 0;
    ev_tok_t t = next(c);
    if (t == EV_TOK_ERROR)
        goto done;
    if (t != EV_TOK_START_ARRAY) {
        barf(c, "It must be an Array followed with $or.");
        goto done;
    }
    while ((t = next(c)) != EV_TOK_END_ARRAY) {
        if (t == EV_TOK_ERROR)
            goto done;
        count++;
        if (t != EV_TOK_START_OBJECT) {
            barf(c, "Only JSON object is allowed in array of $or relationship.");
            goto done;
        }
        for (size_t i = 0; i < current.n; i++)
            if (rlist_add(c, &c->rules, &current.m[i]) < 0)
                goto done;
        if (c->rules.n == 0 && rlist_add(c, &c->rules, NULL) < 0)
            goto done;
        if (parse_object(c, 1, depth + 1) < 0)
            goto done;
        for (size_t i = 0; i < c->rules.n; i++) {
            if (out.n >= EV_MAX_SUBRULES) {
                fail_plain(c, TOO_COMPLEX);
                goto done;
            }
            if (out.n == out.cap) {
                size_t cap = out.cap ? out.cap * 2 : 4;
                rmap_t *m = rn_realloc(out.m, cap * sizeof *m);
                if (!m) {
                    nomem(c);
                    goto done;
                }
                out.m = m;
                out.cap = cap;
            }
            out.m[out.n++] = c->rules.m[i];
        }
        c->rules.n = 0;
    }
    if (count < 2) {
        barf(c, "There must have at least 2 Objects in $or relationship.");
        goto done;
    }
    r = 0;
done:
    rlist_free(&c->rules);
    rlist_free(&current);
    c->rules = out;
    return r;
}

static int parse_object(pc_t *c, int in_or, int depth)
{
    if (depth > EV_MAX_DEPTH)
        return barf(c, "Document nesting depth exceeds the maximum allowed");
    for (;;) {
        ev_tok_t t = next(c);
        if (t == EV_TOK_ERROR)
            return -1;
        if (t == EV_TOK_END_OBJECT)
            return 0;
        /* the tokenizer only yields field names here */
        size_t mark = c->path.len;
        const char *name = c->lx.text.data ? c->lx.text.data : "";
        size_t nlen = c->lx.text.len;
        if (nlen == 3 && memcmp(name, "$or", 3) == 0) {
            if (parse_or(c, depth) < 0)
                return -1;
            continue;
        }
        if (in_or) {
            for (size_t i = 0; i < sizeof reserved / sizeof *reserved; i++)
                if (strlen(reserved[i]) == nlen && memcmp(reserved[i], name, nlen) == 0)
                    return barf(c, "%s is Ruler reserved fieldName which cannot be used inside $or.", reserved[i]);
        }
        if (mark)
            rn_buf_add(&c->path, ".", 1);
        rn_buf_add(&c->path, name, nlen);
        if (c->path.oom)
            return nomem(c);
        t = next(c);
        int r = 0;
        if (t == EV_TOK_ERROR) {
            r = -1;
        } else if (t == EV_TOK_START_OBJECT) {
            r = parse_object(c, in_or, depth + 1);
        } else if (t == EV_TOK_START_ARRAY) {
            r = write_rules(c, c->path.data, c->path.len);
        } else {
            rn_buf_t m = {0};
            rn_buf_add(&m, c->path.data + (mark ? mark + 1 : 0), c->path.len - (mark ? mark + 1 : 0));
            char reason[1200];
            snprintf(reason, sizeof reason, "\"%s\" must be an object or an array", m.data ? m.data : "");
            r = t == EV_TOK_STRING ? barf_lazy_string(c, reason) : barf(c, "%s", reason);
            rn_buf_free(&m);
        }
        c->path.len = mark;
        if (c->path.data)
            c->path.data[mark] = 0;
        if (r < 0)
            return -1;
    }
}

static int rent_cmp(const void *a, const void *b)
{
    const rent_t *x = a, *y = b;
    return str_cmp(&x->name, &y->name);
}

/* Turns the rule maps into sorted sub-rules and interns their field names. */
static int finish(pc_t *c)
{
    ev_pattern_t *p = c->p;
    p->subs = ev_arena_alloc(&p->arena, (c->rules.n + 1) * sizeof *p->subs);
    if (!p->subs)
        return nomem(c);
    for (size_t i = 0; i < c->rules.n; i++) {
        rmap_t *m = &c->rules.m[i];
        qsort(m->e, m->n, sizeof *m->e, rent_cmp);
        ev_subrule_t *s = &p->subs[p->nsubs++];
        s->n = m->n;
        s->conds = ev_arena_alloc(&p->arena, (m->n + 1) * sizeof *s->conds);
        if (!s->conds)
            return nomem(c);
        for (size_t j = 0; j < m->n; j++) {
            ev_cond_t *d = &s->conds[j];
            d->name = m->e[j].name;
            d->vals = m->e[j].vals;
            d->nvals = m->e[j].nvals;
            d->has_absent = 0;
            for (size_t k = 0; k < d->nvals; k++)
                if (d->vals[k].kind == EV_VK_ABSENT)
                    d->has_absent = 1;
            int id = ev_fields_intern(p->fields, d->name.p, d->name.n);
            if (id < 0)
                return nomem(c);
            d->field = (uint32_t)id;
        }
    }
    return 0;
}

/* Per field, the wildcards of every sub-rule go into one machine, as they do
 * in AWS's; that machine's complexity must stay at or under the limit. */
static int check_complexity(pc_t *c)
{
    ev_pattern_t *p = c->p;
    size_t nf = ev_fields_count(p->fields);
    int r = 0;
    for (uint32_t f = 0; f < nf && r == 0; f++) {
        const ev_wc_t **ws = NULL;
        size_t n = 0, cap = 0;
        for (size_t i = 0; i < p->nsubs; i++) {
            const ev_subrule_t *s = &p->subs[i];
            for (size_t j = 0; j < s->n; j++) {
                if (s->conds[j].field != f)
                    continue;
                for (size_t k = 0; k < s->conds[j].nvals; k++) {
                    const ev_val_t *v = &s->conds[j].vals[k];
                    if (v->kind != EV_VK_WILDCARD && v->kind != EV_VK_ABUT_WILDCARD)
                        continue;
                    for (size_t w = 0; w < v->nwc; w++) {
                        int dup = 0;
                        for (size_t x = 0; x < n && !dup; x++)
                            dup = ws[x]->src.n == v->wc[w].src.n &&
                                  memcmp(ws[x]->src.p, v->wc[w].src.p, v->wc[w].src.n) == 0;
                        if (dup)
                            continue;
                        if (n == cap) {
                            cap = cap ? cap * 2 : 8;
                            const ev_wc_t **nw = rn_realloc(ws, cap * sizeof *nw);
                            if (!nw) {
                                rn_free(ws);
                                return nomem(c);
                            }
                            ws = nw;
                        }
                        ws[n++] = &v->wc[w];
                    }
                }
            }
        }
        if (n) {
            int cx = ev_wc_complexity(ws, n, EV_MAX_COMPLEXITY);
            if (cx == RN_ERR_NOMEM)
                r = nomem(c);
            else if (cx > EV_MAX_COMPLEXITY)
                r = fail_plain(c, TOO_COMPLEX);
        }
        rn_free(ws);
    }
    return r;
}

static int build(ev_pattern_t *p, const char *json, size_t len, char *msg, size_t msglen, int raw)
{
    pc_t c = {0};
    c.p = p;
    c.msg = msg;
    c.msglen = msglen;
    c.raw = raw;
    if (msglen)
        msg[0] = 0;
    ev_lex_init(&c.lx, json, len);
    if (!(p->fields = ev_fields_new())) {
        nomem(&c);
        goto out;
    }
    ev_tok_t t = next(&c);
    if (t == EV_TOK_ERROR)
        goto out;
    if (t != EV_TOK_START_OBJECT) {
        /* recorded by AWS with its location even in the short form */
        rn_buf_t loc = {0};
        location(&c, &loc);
        set_msg(&c, RN_ERR_INVALID_PATTERN, "Filter is not an object", loc.data);
        rn_buf_free(&loc);
        goto out;
    }
    if (parse_object(&c, 0, 1) < 0)
        goto out;
    if (finish(&c) < 0 || check_complexity(&c) < 0)
        goto out;
out:
    rlist_free(&c.rules);
    rn_buf_free(&c.path);
    ev_lex_free(&c.lx);
    return c.err;
}

int ev_pattern_build(ev_pattern_t *p, const char *json, size_t len, char *msg, size_t msglen)
{
    return build(p, json, len, msg, msglen, 0);
}

void ev_pattern_release(ev_pattern_t *p)
{
    ev_fields_free(p->fields);
    ev_arena_free(&p->arena);
    memset(p, 0, sizeof *p);
}

int ev_pattern_compile(const char *json, size_t len, ev_pattern_t **out, char *msg, size_t msglen)
{
    *out = NULL;
    ev_pattern_t *p = rn_calloc(1, sizeof *p);
    if (!p) {
        if (msglen)
            snprintf(msg, msglen, "out of memory");
        return RN_ERR_NOMEM;
    }
    int r = build(p, json, len, msg, msglen, 0);
    if (r) {
        ev_pattern_release(p);
        rn_free(p);
        return r;
    }
    *out = p;
    return 0;
}

/* Like ev_pattern_compile but every message keeps Jackson's location suffix
 * ("\n at [Source: ...]"), which is what AWS's wire response carries. */
int ev_pattern_compile_raw(const char *json, size_t len, ev_pattern_t **out, char *msg, size_t msglen)
{
    *out = NULL;
    ev_pattern_t *p = rn_calloc(1, sizeof *p);
    if (!p)
        return RN_ERR_NOMEM;
    int r = build(p, json, len, msg, msglen, 1);
    if (r) {
        ev_pattern_release(p);
        rn_free(p);
        return r;
    }
    *out = p;
    return 0;
}

void ev_pattern_free(ev_pattern_t *p)
{
    if (!p)
        return;
    ev_pattern_release(p);
    rn_free(p);
}
