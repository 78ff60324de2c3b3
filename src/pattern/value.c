/* SPDX-License-Identifier: MIT
 * Value tests for event patterns, one per match type, shared by the
 * single-pattern matcher and the many-rules automaton: numbers compared by
 * value through an order-preserving 64-bit key (as AWS's ComparableNumber
 * does), IP addresses and CIDR ranges, wildcards without backtracking, case
 * folding, and the wildcard complexity measure AWS rejects rules by. */
#include <arpa/inet.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

#include "core/err.h"
#include "core/mem.h"
#include "core/unicode.h"
#include "pattern/pattern_int.h"

/* ---- numbers ---- */

/* A decimal as sign, significant digits and exponent: value = 0.DIG x 10^exp. */
typedef struct dec {
    int neg, zero;
    const char *dig; /* into the text; may contain the '.' of the text, skipped when compared */
    size_t nd;       /* significant digits */
    long exp;
    char buf[800];
} dec_t;

static int dec_parse(const char *s, size_t n, dec_t *d)
{
    size_t i = 0, m = 0;
    long intlen = 0, e = 0, lz = 0;
    int in_frac = 0, sig = 0;
    d->neg = d->zero = 0;
    if (i < n && (s[i] == '-' || s[i] == '+'))
        d->neg = s[i++] == '-';
    for (; i < n; i++) {
        char c = s[i];
        if (c == '.') {
            in_frac = 1;
            continue;
        }
        if (c < '0' || c > '9')
            break;
        if (!in_frac)
            intlen++;
        if (!sig && c == '0') {
            lz++;
            continue;
        }
        sig = 1;
        if (m >= sizeof d->buf) {
            if (c != '0') /* more digits than any double's decimal has */
                return -1;
            continue;
        }
        d->buf[m++] = c;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        int eneg = 0;
        i++;
        if (i < n && (s[i] == '-' || s[i] == '+'))
            eneg = s[i++] == '-';
        for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
            if (e < 100000000)
                e = e * 10 + (s[i] - '0');
        if (eneg)
            e = -e;
    }
    while (m && d->buf[m - 1] == '0')
        m--;
    d->dig = d->buf;
    d->nd = m;
    d->zero = m == 0;
    d->exp = intlen + e - lz;
    return 0;
}

static int dec_equal(const dec_t *a, const dec_t *b)
{
    if (a->zero || b->zero)
        return a->zero && b->zero;
    return a->neg == b->neg && a->nd == b->nd && a->exp == b->exp && memcmp(a->dig, b->dig, a->nd) == 0;
}

/* The exact double of [-]digits[.digits] with at most 15 digits in all:
 * the digits as an integer and the power of ten are both exact doubles, so
 * one correctly rounded division gives what strtod() gives. 0 when the text
 * has another form (exponent, more digits), left to the general path. */
static int num_simple(const char *s, size_t n, double *out)
{
    static const double pow10[16] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7,
                                     1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
    size_t i = 0, nd = 0, frac = 0;
    int neg = 0, dot = 0;
    uint64_t v = 0;
    if (i < n && s[i] == '-') {
        neg = 1;
        i++;
    }
    for (; i < n; i++) {
        char c = s[i];
        if (c >= '0' && c <= '9') {
            if (++nd > 15)
                return 0;
            v = v * 10 + (uint64_t)(c - '0');
            frac += (size_t)dot;
        } else if (c == '.' && !dot) {
            dot = 1;
        } else {
            return 0;
        }
    }
    if (!nd)
        return 0;
    double d = (double)v / pow10[frac];
    *out = neg ? -d : d;
    return 1;
}

int ev_num_key(const char *s, size_t n, uint64_t *key)
{
    double fast;
    if (num_simple(s, n, &fast)) {
        /* at most 15 significant digits, and never outside 1e-15..1e15 unless zero */
        uint64_t bits;
        memcpy(&bits, &fast, 8);
        uint64_t mask = (uint64_t)((int64_t)bits >> 63) | (1ULL << 63);
        *key = bits ^ mask;
        return 1;
    }
    char stack[128];
    char *buf = n < sizeof stack ? stack : rn_malloc(n + 1);
    if (!buf)
        return 0;
    memcpy(buf, s, n);
    buf[n] = 0;
    int ok = 0;
    double d = strtod(buf, NULL);
    if (!isfinite(d))
        goto out;
    /* fast path: up to 15 significant digits in the normal range round-trip */
    size_t sig = 0, i = 0, first = n, last = 0;
    for (i = 0; i < n; i++) {
        char c = s[i];
        if (c == 'e' || c == 'E')
            break;
        if (c >= '1' && c <= '9') {
            if (first == n)
                first = i;
            last = i;
        }
    }
    if (first != n) {
        for (size_t k = first; k <= last; k++)
            if (s[k] >= '0' && s[k] <= '9')
                sig++;
    }
    double ad = fabs(d);
    if (first == n) {
        ok = 1; /* zero, however written */
    } else if (sig <= 15 && ad >= 1e-300 && ad <= 1e300) {
        ok = 1; /* 15 significant digits always survive the round trip */
    } else {
        /* compare the decimal written with the shortest decimal of the double */
        char rep[40];
        for (int prec = 1; prec <= 17; prec++) {
            snprintf(rep, sizeof rep, "%.*e", prec - 1, d);
            if (strtod(rep, NULL) == d)
                break;
        }
        dec_t a, b;
        if (dec_parse(s, n, &a) == 0 && dec_parse(rep, strlen(rep), &b) == 0)
            ok = dec_equal(&a, &b);
    }
    if (ok) {
        uint64_t bits;
        memcpy(&bits, &d, 8);
        uint64_t mask = (uint64_t)((int64_t)bits >> 63) | (1ULL << 63);
        *key = bits ^ mask;
    }
out:
    if (buf != stack)
        rn_free(buf);
    return ok;
}

/* ---- IP addresses ---- */

int ev_ip_parse(const char *s, size_t n, uint8_t out[16], int *v6)
{
    memset(out, 0, 16);
    /* IPv4 shape: [0-9]+\.[0-9]+\.[0-9]+\.[0-9]+ */
    int parts = 0, digits = 0, v4shape = n > 0;
    unsigned val = 0, bad = 0;
    uint8_t v4[4];
    for (size_t i = 0; i <= n && v4shape; i++) {
        if (i == n || s[i] == '.') {
            if (!digits || parts >= 4) {
                v4shape = 0;
                break;
            }
            if (val > 255)
                bad = 1;
            v4[parts++] = (uint8_t)val;
            val = 0;
            digits = 0;
        } else if (s[i] >= '0' && s[i] <= '9') {
            digits++;
            if (val <= 255)
                val = val * 10 + (unsigned)(s[i] - '0');
        } else {
            v4shape = 0;
        }
    }
    if (v4shape && parts == 4) {
        if (bad)
            return -2;
        memcpy(out, v4, 4);
        *v6 = 0;
        return 0;
    }
    /* IPv6 shape: [0-9a-fA-F:]*:[0-9a-fA-F:]* */
    int colon = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == ':')
            colon = 1;
        else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
            return -1;
    }
    if (!colon)
        return -1;
    char buf[64];
    if (n >= sizeof buf)
        return -2;
    memcpy(buf, s, n);
    buf[n] = 0;
    uint8_t a[16];
    if (inet_pton(AF_INET6, buf, a) != 1)
        return -2;
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (memcmp(a, mapped, 12) == 0) { /* Java hands back the IPv4 address */
        memcpy(out, a + 12, 4);
        *v6 = 0;
        return 0;
    }
    memcpy(out, a, 16);
    *v6 = 1;
    return 0;
}

/* ---- wildcards ---- */

int ev_wc_compile(ev_arena_t *a, const char *s, size_t n, ev_wc_t *out, char *msg, size_t msglen)
{
    memset(out, 0, sizeof *out);
    /* positions count the opening quote, as AWS reports them */
    size_t nstars = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '*') {
            if (i + 1 < n && s[i + 1] == '*') {
                snprintf(msg, msglen, "Consecutive wildcard characters at pos %zu", i + 1);
                return -1;
            }
            nstars++;
        } else if (s[i] == '\\') {
            if (i + 1 < n && (s[i + 1] == '*' || s[i + 1] == '\\')) {
                i++;
                continue;
            }
            snprintf(msg, msglen, "Invalid escape character at pos %zu", i + 1);
            return -1;
        }
    }
    out->src.p = ev_arena_dup(a, s, n);
    out->src.n = n;
    out->seg = ev_arena_alloc(a, (nstars + 1) * sizeof *out->seg);
    char *lit = ev_arena_alloc(a, n + 1);
    if (!out->src.p || !out->seg || !lit)
        return RN_ERR_NOMEM;
    size_t L = 0, start = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '*') {
            out->seg[out->nseg++] = (ev_str_t){lit + start, L - start};
            start = L;
            continue;
        }
        if (s[i] == '\\')
            i++;
        lit[L++] = s[i];
    }
    out->seg[out->nseg++] = (ev_str_t){lit + start, L - start};
    return 0;
}

/* Star-only globs need no backtracking: the first segment anchors the start,
 * the last the end, and the ones between are taken leftmost-first. */
int ev_wc_match(const ev_wc_t *w, const char *s, size_t n)
{
    const ev_str_t *g = w->seg;
    size_t k = w->nseg - 1;
    if (k == 0)
        return n == g[0].n && memcmp(s, g[0].p, n) == 0;
    if (n < g[0].n + g[k].n || memcmp(s, g[0].p, g[0].n) != 0 || memcmp(s + n - g[k].n, g[k].p, g[k].n) != 0)
        return 0;
    size_t i = g[0].n, end = n - g[k].n;
    for (size_t m = 1; m < k; m++) {
        if (!g[m].n)
            continue;
        if (end - i < g[m].n)
            return 0;
        const char *f = memmem(s + i, end - i, g[m].p, g[m].n);
        if (!f)
            return 0;
        i = (size_t)(f - s) + g[m].n;
    }
    return 1;
}

/* Most positions of the wildcard automata (quotes included, as AWS builds
 * them) that one input can leave active at once: AWS's rule "complexity". A
 * subset construction over the positions, stopped as soon as it passes cap. */
typedef struct cx {
    int16_t *tok;    /* per global position: byte, -1 star, -2 end of pattern */
    uint32_t *base;  /* per position: global index of its pattern's position 0 */
    size_t G;
    uint32_t *pool;  /* visited sets: [n, g...] */
    size_t pool_n, pool_cap;
    size_t *slots;   /* hash slots: pool offset + 1 */
    size_t nslots, nsets;
    size_t *queue;
    size_t qn, qcap;
} cx_t;

static int u32_cmp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static uint64_t set_hash(const uint32_t *v, size_t n)
{
    uint64_t h = 1469598103934665603ULL ^ n;
    for (size_t i = 0; i < n; i++) {
        h ^= v[i];
        h *= 1099511628211ULL;
    }
    return h;
}

/* Adds a set if unseen; 1 = new, 0 = seen, <0 error. */
static int cx_visit(cx_t *c, const uint32_t *set, size_t n)
{
    if (c->nsets * 2 >= c->nslots) {
        size_t ns = c->nslots ? c->nslots * 2 : 1024;
        size_t *sl = rn_calloc(ns, sizeof *sl);
        if (!sl)
            return RN_ERR_NOMEM;
        for (size_t i = 0; i < c->nslots; i++) {
            if (!c->slots[i])
                continue;
            const uint32_t *s = c->pool + c->slots[i] - 1;
            size_t h = (size_t)set_hash(s + 1, s[0]) & (ns - 1);
            while (sl[h])
                h = (h + 1) & (ns - 1);
            sl[h] = c->slots[i];
        }
        rn_free(c->slots);
        c->slots = sl;
        c->nslots = ns;
    }
    size_t h = (size_t)set_hash(set, n) & (c->nslots - 1);
    while (c->slots[h]) {
        const uint32_t *s = c->pool + c->slots[h] - 1;
        if (s[0] == n && memcmp(s + 1, set, n * sizeof *set) == 0)
            return 0;
        h = (h + 1) & (c->nslots - 1);
    }
    if (c->pool_n + n + 1 > c->pool_cap) {
        size_t cap = c->pool_cap ? c->pool_cap * 2 : 4096;
        while (cap < c->pool_n + n + 1)
            cap *= 2;
        uint32_t *p = rn_realloc(c->pool, cap * sizeof *p);
        if (!p)
            return RN_ERR_NOMEM;
        c->pool = p;
        c->pool_cap = cap;
    }
    if (c->qn == c->qcap) {
        size_t cap = c->qcap ? c->qcap * 2 : 256;
        size_t *q = rn_realloc(c->queue, cap * sizeof *q);
        if (!q)
            return RN_ERR_NOMEM;
        c->queue = q;
        c->qcap = cap;
    }
    c->pool[c->pool_n] = (uint32_t)n;
    memcpy(c->pool + c->pool_n + 1, set, n * sizeof *set);
    c->slots[h] = c->pool_n + 1;
    c->queue[c->qn++] = c->pool_n;
    c->pool_n += n + 1;
    c->nsets++;
    return 1;
}

int ev_wc_complexity(const ev_wc_t *const *w, size_t nw, int cap)
{
    cx_t c = {0};
    int result = RN_ERR_NOMEM;
    size_t G = 0;
    for (size_t i = 0; i < nw; i++)
        G += w[i]->src.n + 3;
    c.tok = rn_malloc(G * sizeof *c.tok);
    c.base = rn_malloc(G * sizeof *c.base);
    uint32_t *set = rn_malloc(G * sizeof *set), *nx = rn_malloc(G * sizeof *nx);
    uint8_t *mark = rn_calloc(G, 1);
    unsigned char alpha[256] = {0};
    if (!c.tok || !c.base || !set || !nx || !mark)
        goto out;
    size_t g = 0, n = 0;
    for (size_t i = 0; i < nw; i++) {
        size_t b = g;
        const char *s = w[i]->src.p;
        c.tok[g++] = '"';
        for (size_t k = 0; k < w[i]->src.n; k++) {
            if (s[k] == '*')
                c.tok[g++] = -1;
            else
                c.tok[g++] = (unsigned char)s[s[k] == '\\' && k + 1 < w[i]->src.n ? ++k : k];
        }
        c.tok[g++] = '"';
        c.tok[g++] = -2;
        for (size_t k = b; k < g; k++)
            c.base[k] = (uint32_t)b;
        set[n++] = (uint32_t)b; /* start: position 0 of each pattern */
    }
    for (size_t k = 0; k < g; k++)
        if (c.tok[k] >= 0)
            alpha[c.tok[k]] = 1;
    c.G = g;
    /* close the start set over leading stars */
    for (size_t k = 0; k < n; k++)
        if (c.tok[set[k]] == -1)
            set[n++] = set[k] + 1;
    qsort(set, n, sizeof *set, u32_cmp);
    if (cx_visit(&c, set, n) < 0)
        goto out;
    int best = 0;
    for (size_t q = 0; q < c.qn; q++) {
        if (c.nsets > 20000) { /* far beyond anything AWS accepts */
            result = cap + 1;
            goto out;
        }
        size_t off = c.queue[q], sn = c.pool[off];
        memcpy(set, c.pool + off + 1, sn * sizeof *set);
        for (int ch = 0; ch <= 256; ch++) {
            if (ch < 256 && !alpha[ch])
                continue;
            size_t m = 0;
            for (size_t k = 0; k < sn; k++) {
                uint32_t p = set[k];
                if (c.tok[p] >= 0 && c.tok[p] == ch && !mark[p + 1]) {
                    mark[p + 1] = 1;
                    nx[m++] = p + 1;
                }
                if (p > c.base[p] && c.tok[p - 1] == -1 && !mark[p]) {
                    mark[p] = 1;
                    nx[m++] = p;
                }
            }
            for (size_t k = 0; k < m; k++)
                if (c.tok[nx[k]] == -1 && !mark[nx[k] + 1]) {
                    mark[nx[k] + 1] = 1;
                    nx[m++] = nx[k] + 1;
                }
            int count = 0;
            for (size_t k = 0; k < m; k++) {
                mark[nx[k]] = 0;
                count += nx[k] != c.base[nx[k]];
            }
            if (!m)
                continue;
            if (count > best)
                best = count;
            if (best > cap) {
                result = best;
                goto out;
            }
            qsort(nx, m, sizeof *nx, u32_cmp);
            if (cx_visit(&c, nx, m) < 0)
                goto out;
        }
    }
    result = best;
out:
    rn_free(c.tok);
    rn_free(c.base);
    rn_free(c.pool);
    rn_free(c.slots);
    rn_free(c.queue);
    rn_free(set);
    rn_free(nx);
    rn_free(mark);
    return result;
}

/* ---- case folding ---- */

static unsigned ic_lower(unsigned c)
{
    if (c < 0x80)
        return (c >= 'A' && c <= 'Z') ? c + 32 : c;
    locale_t loc = rn_unicode_locale();
    return loc && c < 0xD800 ? (unsigned)towlower_l((wint_t)c, loc) : c;
}

static unsigned ic_upper(unsigned c)
{
    if (c < 0x80)
        return (c >= 'a' && c <= 'z') ? c - 32 : c;
    locale_t loc = rn_unicode_locale();
    return loc && c < 0xD800 ? (unsigned)towupper_l((wint_t)c, loc) : c;
}

/* Next code point; a byte that does not start valid UTF-8 stands for itself
 * (mapped above the Unicode range so it only equals itself). */
static unsigned u8_next(const char *s, size_t n, size_t *i)
{
    unsigned char c = (unsigned char)s[*i];
    size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    if (len == 1 || len == 0 || *i + len > n) {
        (*i)++;
        return len == 1 ? c : 0x110000u + c;
    }
    unsigned cp = c & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07);
    for (size_t k = 1; k < len; k++) {
        unsigned char d = (unsigned char)s[*i + k];
        if ((d & 0xC0) != 0x80) {
            (*i)++;
            return 0x110000u + c;
        }
        cp = (cp << 6) | (d & 0x3F);
    }
    *i += len;
    return cp;
}

/* The code point ending at s[*i - 1], moving *i back over it. */
static unsigned u8_prev(const char *s, size_t *i)
{
    size_t e = *i, b = e - 1;
    while (b > 0 && e - b < 4 && ((unsigned char)s[b] & 0xC0) == 0x80)
        b--;
    size_t k = b;
    unsigned cp = u8_next(s, e, &k);
    if (k != e) { /* not one well-formed sequence ending here: take the last byte alone */
        b = e - 1;
        k = b;
        cp = u8_next(s, e, &k);
        if (k != e)
            cp = 0x110000u + (unsigned char)s[b];
    }
    *i = b;
    return cp;
}

static int ic_char(unsigned p, unsigned e)
{
    return e == p || e == ic_lower(p) || e == ic_upper(p);
}

int ev_ic_equal(const char *p, size_t pn, const char *s, size_t n)
{
    size_t i = 0, j = 0;
    while (i < pn && j < n)
        if (!ic_char(u8_next(p, pn, &i), u8_next(s, n, &j)))
            return 0;
    return i == pn && j == n;
}

int ev_ic_prefix(const char *p, size_t pn, const char *s, size_t n)
{
    size_t i = 0, j = 0;
    while (i < pn) {
        if (j >= n || !ic_char(u8_next(p, pn, &i), u8_next(s, n, &j)))
            return 0;
    }
    return 1;
}

int ev_ic_suffix(const char *p, size_t pn, const char *s, size_t n)
{
    size_t i = pn, j = n;
    while (i > 0) {
        if (j == 0)
            return 0;
        unsigned a = u8_prev(p, &i), b = u8_prev(s, &j);
        if (!ic_char(a, b))
            return 0;
    }
    return 1;
}

size_t ev_utf8_put(char u[4], unsigned cp)
{
    if (cp >= 0x110000u) {
        u[0] = (char)(cp - 0x110000u);
        return 1;
    }
    if (cp < 0x80) {
        u[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        u[0] = (char)(0xE0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    u[0] = (char)(0xF0 | (cp >> 18));
    u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    u[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

void ev_ic_fold(rn_buf_t *b, const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = u8_next(s, n, &i);
        char u[4];
        rn_buf_add(b, u, ev_utf8_put(u, c >= 0x110000u ? c : ic_lower(ic_upper(c))));
    }
}

/* ---- leaves ---- */

int ev_leaf_num(ev_leaf_t *leaf)
{
    if (leaf->type != EV_T_NUM)
        return 0;
    if (!leaf->num_state)
        leaf->num_state = ev_num_key(leaf->p, leaf->n, &leaf->key) ? 1 : 2;
    return leaf->num_state == 1;
}

int ev_leaf_ip(ev_leaf_t *leaf)
{
    if (leaf->type != EV_T_STR)
        return 0;
    if (!leaf->ip_state) {
        int v6 = 0;
        leaf->ip_state = ev_ip_parse(leaf->p, leaf->n, leaf->ip, &v6) == 0 ? (v6 ? 2 : 1) : 3;
    }
    return leaf->ip_state == 3 ? 0 : leaf->ip_state;
}

int ev_member_merge(const uint32_t *cur, size_t curn, const uint32_t *add, size_t addn, uint32_t *out)
{
    size_t i = 0, j = 0, o = 0;
    while (i < curn || j < addn) {
        if (j == addn || (i < curn && cur[2 * i] < add[2 * j])) {
            out[2 * o] = cur[2 * i];
            out[2 * o + 1] = cur[2 * i + 1];
            i++;
        } else if (i == curn || add[2 * j] < cur[2 * i]) {
            out[2 * o] = add[2 * j];
            out[2 * o + 1] = add[2 * j + 1];
            j++;
        } else {
            if (cur[2 * i + 1] != add[2 * j + 1])
                return -1;
            out[2 * o] = cur[2 * i];
            out[2 * o + 1] = cur[2 * i + 1];
            i++;
            j++;
        }
        o++;
    }
    return (int)o;
}

/* ---- the value test ---- */

static int in_set(const ev_str_t *set, size_t n, const char *s, size_t len)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        size_t m = set[mid].n < len ? set[mid].n : len;
        int r = memcmp(set[mid].p, s, m);
        if (!r)
            r = set[mid].n < len ? -1 : set[mid].n > len;
        if (!r)
            return 1;
        if (r < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

static int in_keys(const uint64_t *k, size_t n, uint64_t key)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (k[mid] == key)
            return 1;
        if (k[mid] < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

int ev_val_test(const ev_val_t *v, ev_leaf_t *l)
{
    int str = l->type == EV_T_STR;
    switch (v->kind) {
    case EV_VK_EXACT_STR:
        return str && l->n == v->s.n && memcmp(l->p, v->s.p, l->n) == 0;
    case EV_VK_EXACT_NUM:
        if (l->type != EV_T_NUM)
            return 0;
        if (v->num_cmp && ev_leaf_num(l) && l->key == v->key)
            return 1;
        return l->n == v->s.n && memcmp(l->p, v->s.p, l->n) == 0;
    case EV_VK_TRUE:
        return l->type == EV_T_TRUE;
    case EV_VK_FALSE:
        return l->type == EV_T_FALSE;
    case EV_VK_NULL:
        return l->type == EV_T_NULL;
    case EV_VK_PREFIX:
        return str && l->n >= v->s.n && memcmp(l->p, v->s.p, v->s.n) == 0;
    case EV_VK_SUFFIX:
        return str && l->n >= v->s.n && memcmp(l->p + l->n - v->s.n, v->s.p, v->s.n) == 0;
    case EV_VK_PREFIX_IC:
        return str && ev_ic_prefix(v->s.p, v->s.n, l->p, l->n);
    case EV_VK_SUFFIX_IC:
        return str && ev_ic_suffix(v->s.p, v->s.n, l->p, l->n);
    case EV_VK_EQ_IC:
        return str && ev_ic_equal(v->s.p, v->s.n, l->p, l->n);
    case EV_VK_WILDCARD:
        return str && ev_wc_match(&v->wc[0], l->p, l->n);
    case EV_VK_RANGE:
        if (!ev_leaf_num(l))
            return 0;
        if (v->has_lo && (v->open_lo ? l->key <= v->lo : l->key < v->lo))
            return 0;
        if (v->has_hi && (v->open_hi ? l->key >= v->hi : l->key > v->hi))
            return 0;
        return 1;
    case EV_VK_IP: {
        int fam = ev_leaf_ip(l);
        if (!fam || (fam == 2) != (v->v6 != 0))
            return 0;
        size_t w = v->v6 ? 16 : 4;
        return memcmp(l->ip, v->iplo, w) >= 0 && memcmp(l->ip, v->iphi, w) <= 0;
    }
    case EV_VK_EXISTS:
        return 1;
    case EV_VK_ABSENT:
        return 0;
    case EV_VK_ABUT_STR:
        return !str || !in_set(v->set, v->nset, l->p, l->n);
    case EV_VK_ABUT_NUM:
        return !ev_leaf_num(l) || !in_keys(v->keys, v->nkeys, l->key);
    case EV_VK_ABUT_IC:
        if (str)
            for (size_t i = 0; i < v->nset; i++)
                if (ev_ic_equal(v->set[i].p, v->set[i].n, l->p, l->n))
                    return 0;
        return 1;
    case EV_VK_ABUT_PREFIX:
        if (str)
            for (size_t i = 0; i < v->nset; i++)
                if (l->n >= v->set[i].n && memcmp(l->p, v->set[i].p, v->set[i].n) == 0)
                    return 0;
        return 1;
    case EV_VK_ABUT_SUFFIX:
        if (str)
            for (size_t i = 0; i < v->nset; i++)
                if (l->n >= v->set[i].n && memcmp(l->p + l->n - v->set[i].n, v->set[i].p, v->set[i].n) == 0)
                    return 0;
        return 1;
    case EV_VK_ABUT_WILDCARD:
        if (str)
            for (size_t i = 0; i < v->nwc; i++)
                if (ev_wc_match(&v->wc[i], l->p, l->n))
                    return 0;
        return 1;
    }
    return 0;
}
