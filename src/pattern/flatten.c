/* SPDX-License-Identifier: MIT
 * The event flattener on the pattern hot path. It scans an event's raw JSON
 * text once, validating it, and records only the scalar leaves whose dotted
 * path ("detail.state", keys joined with '.') some pattern uses, with the
 * arrays each leaf sits in; every other subtree is skipped without building
 * anything. Which paths and path prefixes matter comes from a field dictionary
 * the compiled pattern or the many-rules matcher owns. Most of an event is
 * text no pattern reads, so that part goes through a separate, flat
 * validator, and object keys are first checked against a small filter of
 * the keys the dictionary could hold before any path is built or hashed. */
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "core/hex.h"
#include "core/err.h"
#include "core/mem.h"
#include "pattern/pattern_int.h"

/* ---- the field dictionary ---- */

typedef struct fent {
    uint64_t hash; /* 0 = empty slot */
    uint32_t off, len;
    int32_t id;     /* field id, or -1 when only a prefix */
    uint8_t prefix; /* some field continues below this path */
} fent_t;

/* Bits of the key filter: one per (length, first byte, last byte) class of
 * every key that could end a dictionary path. */
#define KF_BITS 4096

struct ev_fields {
    fent_t *slot;
    size_t nslots, nent;
    rn_buf_t names;
    size_t count;
    uint64_t kfilter[KF_BITS / 64];
};

static inline size_t kf_index(const char *k, size_t n)
{
    uint64_t x = ((uint64_t)n << 16) | ((uint64_t)(unsigned char)k[0] << 8) | (unsigned char)k[n - 1];
    return (size_t)((x * 0x9E3779B97F4A7C15ULL) >> 52) & (KF_BITS - 1);
}

/* Can an event key (non-empty, unescaped) end a path in the dictionary? A
 * key ends a path as the text after the path's last '.' that joins it to
 * its parent, which is some suffix of a dictionary name starting at 0 or
 * right after a '.', so fields_put() enters every such suffix. */
static inline int kf_maybe(const ev_fields_t *f, const char *k, size_t n)
{
    size_t b = kf_index(k, n);
    return (int)((f->kfilter[b >> 6] >> (b & 63)) & 1);
}

/* The hash of a whole field path. */
static inline uint64_t path_hash(const char *s, size_t n)
{
    return ev_hash_words(0x9E3779B97F4A7C15ULL ^ n, s, n);
}

ev_fields_t *ev_fields_new(void)
{
    ev_fields_t *f = rn_calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->nslots = 16;
    f->slot = rn_calloc(f->nslots, sizeof *f->slot);
    if (!f->slot) {
        rn_free(f);
        return NULL;
    }
    return f;
}

void ev_fields_free(ev_fields_t *f)
{
    if (!f)
        return;
    rn_free(f->slot);
    rn_buf_free(&f->names);
    rn_free(f);
}

size_t ev_fields_count(const ev_fields_t *f)
{
    return f ? f->count : 0;
}

static const fent_t *fields_find(const ev_fields_t *f, uint64_t h, const char *s, size_t n)
{
    size_t i = (size_t)h & (f->nslots - 1);
    for (;;) {
        const fent_t *e = &f->slot[i];
        if (!e->hash)
            return NULL;
        if (e->hash == h && e->len == n && memcmp(f->names.data + e->off, s, n) == 0)
            return e;
        i = (i + 1) & (f->nslots - 1);
    }
}

static int fields_grow(ev_fields_t *f)
{
    size_t ns = f->nslots * 2;
    fent_t *slot = rn_calloc(ns, sizeof *slot);
    if (!slot)
        return RN_ERR_NOMEM;
    for (size_t i = 0; i < f->nslots; i++) {
        if (!f->slot[i].hash)
            continue;
        size_t j = (size_t)f->slot[i].hash & (ns - 1);
        while (slot[j].hash)
            j = (j + 1) & (ns - 1);
        slot[j] = f->slot[i];
    }
    rn_free(f->slot);
    f->slot = slot;
    f->nslots = ns;
    return 0;
}

/* Finds or adds a path; returns the entry. */
static fent_t *fields_put(ev_fields_t *f, const char *s, size_t n)
{
    uint64_t h = path_hash(s, n);
    fent_t *e = (fent_t *)fields_find(f, h, s, n);
    if (e)
        return e;
    if ((f->nent + 1) * 2 > f->nslots && fields_grow(f) < 0)
        return NULL;
    size_t off = f->names.len;
    rn_buf_add(&f->names, s, n);
    if (f->names.oom)
        return NULL;
    size_t i = (size_t)h & (f->nslots - 1);
    while (f->slot[i].hash)
        i = (i + 1) & (f->nslots - 1);
    e = &f->slot[i];
    *e = (fent_t){h, (uint32_t)off, (uint32_t)n, -1, 0};
    f->nent++;
    for (size_t st = 0; st < n; st++) {
        if (st == 0 || s[st - 1] == '.') {
            size_t b = kf_index(s + st, n - st);
            f->kfilter[b >> 6] |= 1ULL << (b & 63);
        }
    }
    return e;
}

int ev_fields_intern(ev_fields_t *f, const char *name, size_t n)
{
    fent_t *e = fields_put(f, name, n);
    if (!e)
        return RN_ERR_NOMEM;
    if (e->id < 0)
        e->id = (int32_t)f->count++;
    int id = e->id;
    for (size_t i = 1; i < n; i++) {
        if (name[i] != '.')
            continue;
        fent_t *p = fields_put(f, name, i);
        if (!p)
            return RN_ERR_NOMEM;
        p->prefix = 1;
    }
    return id;
}

/* ---- the flattened event ---- */

void ev_flat_init(ev_flat_t *fl)
{
    memset(fl, 0, sizeof *fl);
}

void ev_flat_free(ev_flat_t *fl)
{
    rn_free(fl->leaves);
    rn_free(fl->mem);
    rn_free(fl->head);
    rn_free(fl->tail);
    rn_free(fl->arrays);
    rn_buf_free(&fl->scratch);
    rn_buf_free(&fl->path);
    memset(fl, 0, sizeof *fl);
}

typedef struct scan {
    const char *s;
    size_t n, i;
    const ev_fields_t *d;
    ev_flat_t *fl;
    rn_buf_t path;
    int depth;
    int err;
    int trusted; /* the text is known well-formed: skipped values are not validated */
} scan_t;

/* bytes that end a run inside a string: quote, backslash, control chars */
static const unsigned char str_stop[256] = {
    [0] = 1, [1] = 1, [2] = 1, [3] = 1, [4] = 1, [5] = 1, [6] = 1, [7] = 1, [8] = 1, [9] = 1, [10] = 1,
    [11] = 1, [12] = 1, [13] = 1, [14] = 1, [15] = 1, [16] = 1, [17] = 1, [18] = 1, [19] = 1, [20] = 1,
    [21] = 1, [22] = 1, [23] = 1, [24] = 1, [25] = 1, [26] = 1, [27] = 1, [28] = 1, [29] = 1, [30] = 1,
    [31] = 1, ['"'] = 1, ['\\'] = 1,
};

static inline int ws(scan_t *sc)
{
    while (sc->i < sc->n) {
        char c = sc->s[sc->i];
        if (c != ' ' && c != '\n' && c != '\r' && c != '\t')
            return (unsigned char)c;
        sc->i++;
    }
    return -1;
}

static int bad(scan_t *sc)
{
    if (!sc->err)
        sc->err = RN_ERR_VALIDATION;
    return -1;
}

/* Index of the first quote, backslash or control byte at or after i, or n. */
static inline size_t str_run(const unsigned char *s, size_t i, size_t n)
{
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\'), ctl = _mm_set1_epi8(0x1f);
    while (i + 16 <= n) {
        __m128i w = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(w, quote), _mm_cmpeq_epi8(w, bslash)),
                                   _mm_cmpeq_epi8(_mm_min_epu8(w, ctl), w)); /* w <= 0x1f */
        unsigned mask = (unsigned)_mm_movemask_epi8(hit);
        if (mask)
            return i + (size_t)__builtin_ctz(mask);
        i += 16;
    }
#endif
    /* eight bytes at a time while none is a quote, backslash or control */
    while (i + 8 <= n) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
        uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');
        uint64_t hit = ((q - ones) & ~q) | ((b - ones) & ~b) | ((w - ones * 0x20) & ~w);
        if (hit & high) /* the lowest flagged byte is a true stop byte */
            return i + ((size_t)__builtin_ctzll(hit & high) >> 3);
        i += 8;
    }
    while (i < n && !str_stop[s[i]])
        i++;
    return i;
}

/* Checks the escape whose backslash is at s[i]; returns the index after it,
 * or 0 when it is not a valid JSON escape. */
static inline size_t str_escape(const unsigned char *s, size_t i, size_t n)
{
    i++;
    if (i >= n)
        return 0;
    switch (s[i]) {
    case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
        return i + 1;
    case 'u':
        if (i + 4 >= n || rn_hex_val((char)s[i + 1]) < 0 || rn_hex_val((char)s[i + 2]) < 0 ||
            rn_hex_val((char)s[i + 3]) < 0 || rn_hex_val((char)s[i + 4]) < 0)
            return 0;
        return i + 5;
    default:
        return 0;
    }
}

/* Scans a string after its opening quote. *esc says whether it had escapes;
 * body is s[start, end). */
static int scan_string(scan_t *sc, size_t *start, size_t *end, int *esc)
{
    const unsigned char *s = (const unsigned char *)sc->s;
    size_t i = sc->i;
    *start = i;
    *esc = 0;
    for (;;) {
        i = str_run(s, i, sc->n);
        if (i >= sc->n)
            return bad(sc);
        if (s[i] == '"')
            break;
        if (s[i] < 0x20)
            return bad(sc);
        *esc = 1;
        if (!(i = str_escape(s, i, sc->n)))
            return bad(sc);
    }
    *end = i;
    sc->i = i + 1;
    return 0;
}

/* Unescapes a validated string body into o (never longer than the body);
 * returns the length. Lone surrogates become U+FFFD, as in the compiler. */
static size_t unescape(const char *s, size_t n, char *o)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '\\') {
            o[k++] = s[i];
            continue;
        }
        char e = s[++i];
        switch (e) {
        case 'b': o[k++] = '\b'; break;
        case 'f': o[k++] = '\f'; break;
        case 'n': o[k++] = '\n'; break;
        case 'r': o[k++] = '\r'; break;
        case 't': o[k++] = '\t'; break;
        case 'u': {
            unsigned cp = 0;
            for (int j = 1; j <= 4; j++)
                cp = cp * 16 + (unsigned)rn_hex_val(s[i + j]);
            i += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF && i + 6 < n && s[i + 1] == '\\' &&
                s[i + 2] == 'u') {
                unsigned lo = 0;
                int ok = 1;
                for (int j = 3; j <= 6; j++) {
                    int h = rn_hex_val(s[i + j]);
                    ok &= h >= 0;
                    lo = lo * 16 + (unsigned)(h < 0 ? 0 : h);
                }
                if (ok && lo >= 0xDC00 && lo <= 0xDFFF) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    i += 6;
                }
            }
            if (cp >= 0xD800 && cp <= 0xDFFF)
                cp = 0xFFFD;
            k += ev_utf8_put(o + k, cp);
            break;
        }
        default: o[k++] = e; break;
        }
    }
    return k;
}

/* The index after the JSON number starting at s[i], or 0 when there is
 * none there. */
static inline size_t num_skip(const unsigned char *s, size_t i, size_t n)
{
    if (i < n && s[i] == '-')
        i++;
    if (i >= n || s[i] < '0' || s[i] > '9')
        return 0;
    if (s[i] == '0') {
        i++;
    } else {
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
    }
    if (i < n && s[i] == '.') {
        i++;
        if (i >= n || s[i] < '0' || s[i] > '9')
            return 0;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        if (i >= n || s[i] < '0' || s[i] > '9')
            return 0;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
    }
    return i;
}

static int scan_number(scan_t *sc)
{
    size_t e = num_skip((const unsigned char *)sc->s, sc->i, sc->n);
    if (!e)
        return bad(sc);
    sc->i = e;
    return 0;
}

static int add_leaf(scan_t *sc, int32_t field, uint8_t type, const char *p, size_t n)
{
    ev_flat_t *fl = sc->fl;
    if (fl->nleaves == fl->cap) {
        size_t cap = fl->cap ? fl->cap * 2 : 32;
        ev_leaf_t *l = rn_realloc(fl->leaves, cap * sizeof *l);
        if (!l)
            return sc->err = RN_ERR_NOMEM, -1;
        fl->leaves = l;
        fl->cap = cap;
    }
    if (fl->nmem + fl->narrays * 2 > fl->memcap) {
        size_t cap = fl->memcap ? fl->memcap * 2 : 64;
        while (cap < fl->nmem + fl->narrays * 2)
            cap *= 2;
        uint32_t *m = rn_realloc(fl->mem, cap * sizeof *m);
        if (!m)
            return sc->err = RN_ERR_NOMEM, -1;
        fl->mem = m;
        fl->memcap = cap;
    }
    int32_t idx = (int32_t)fl->nleaves++;
    ev_leaf_t *l = &fl->leaves[idx];
    l->type = type;
    l->num_state = l->ip_state = 0;
    l->field = (uint32_t)field;
    l->next = -1;
    l->p = p;
    l->n = n;
    l->mem_off = (uint32_t)(fl->nmem / 2);
    l->mem_len = (uint32_t)fl->narrays;
    if (fl->narrays) {
        memcpy(fl->mem + fl->nmem, fl->arrays, fl->narrays * 2 * sizeof *fl->mem);
        fl->nmem += fl->narrays * 2;
    }
    if (fl->head[field] < 0)
        fl->head[field] = idx;
    else
        fl->leaves[fl->tail[field]].next = idx;
    fl->tail[field] = idx;
    return 0;
}

/* The index after the string whose body starts at s[i] (its closing quote
 * included), validating it; 0 when it is not a valid JSON string. */
static inline size_t str_skip(const unsigned char *s, size_t i, size_t n)
{
    for (;;) {
        i = str_run(s, i, n);
        if (i >= n)
            return 0;
        if (s[i] == '"')
            return i + 1;
        if (s[i] < 0x20 || !(i = str_escape(s, i, n)))
            return 0;
    }
}

/* The first byte at or after *i that is not JSON whitespace (-1 at the end),
 * with *i moved to it; the common no-whitespace case costs one compare. */
static inline int tok(const unsigned char *s, size_t n, size_t *i)
{
    size_t k = *i;
    while (k < n) {
        unsigned char c = s[k];
        if (c > ' ' || (c != ' ' && c != '\n' && c != '\r' && c != '\t')) {
            *i = k;
            return c;
        }
        k++;
    }
    *i = k;
    return -1;
}

/* Validates one value no pattern reads (after any whitespace), recording
 * nothing. It accepts exactly what scan_value() accepts, depth limit
 * included, but runs as one loop over a bit stack of the open containers
 * (1 = object), with no path, leaves or recursion. */
static int skip_value(scan_t *sc)
{
    const unsigned char *s = (const unsigned char *)sc->s;
    const size_t n = sc->n;
    size_t i = sc->i;
    uint64_t objs[EV_MAX_DEPTH / 64 + 1];
    int d = 0, room = EV_MAX_DEPTH - sc->depth, c;
#define OBJ_AT(k) ((objs[(k) >> 6] >> ((k) & 63)) & 1)
    for (;;) {
        c = tok(s, n, &i);
        if (c == '"') {
            if (!(i = str_skip(s, i + 1, n)))
                goto fail;
        } else if (c == '{' || c == '[') {
            if (d >= room)
                goto fail;
            if (c == '{')
                objs[d >> 6] |= 1ULL << (d & 63);
            else
                objs[d >> 6] &= ~(1ULL << (d & 63));
            d++;
            i++;
            if (tok(s, n, &i) == (c == '{' ? '}' : ']')) {
                i++;
                d--; /* an empty container is a whole value */
            } else if (c == '{') {
                goto key;
            } else {
                continue; /* the first element */
            }
        } else if (c == 't' || c == 'f' || c == 'n') {
            const char *w = c == 't' ? "true" : c == 'f' ? "false" : "null";
            size_t wl = c == 'f' ? 5 : 4;
            if (n - i < wl || memcmp(s + i, w, wl) != 0)
                goto fail;
            i += wl;
        } else {
            if (!(i = num_skip(s, i, n)))
                goto fail;
        }
        /* after a value: close containers until one goes on */
        for (;;) {
            if (d == 0) {
                sc->i = i;
                return 0;
            }
            c = tok(s, n, &i);
            if (c == ',') {
                i++;
                break;
            }
            if (c != (OBJ_AT(d - 1) ? '}' : ']'))
                goto fail;
            i++;
            d--;
        }
        if (!OBJ_AT(d - 1))
            continue; /* the next array element */
    key:
        if (tok(s, n, &i) != '"' || !(i = str_skip(s, i + 1, n)) || tok(s, n, &i) != ':')
            goto fail;
        i++;
    }
#undef OBJ_AT
fail:
    sc->i = i;
    return bad(sc);
}

/* ---- skipping text known to be well-formed ---- */

/* Masks of one 64-byte block, bit k for byte k: quotes, backslashes, openers
 * ('{' or '[') and closers ('}' or ']'). */
typedef struct blk {
    uint64_t quote, bslash, open, close;
} blk_t;

static inline void blk_masks(const unsigned char *p, blk_t *b)
{
#if defined(__SSE2__)
    const __m128i q = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\'), op = _mm_set1_epi8('{'),
                  cl = _mm_set1_epi8('}'), up = _mm_set1_epi8(0x20);
    b->quote = b->bslash = b->open = b->close = 0;
    for (int k = 0; k < 4; k++) {
        __m128i w = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * k));
        __m128i f = _mm_or_si128(w, up); /* '[' | 0x20 == '{', ']' | 0x20 == '}' */
        unsigned sh = 16u * (unsigned)k;
        b->quote |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(w, q)) << sh;
        b->bslash |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(w, bs)) << sh;
        b->open |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(f, op)) << sh;
        b->close |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(f, cl)) << sh;
    }
#else
    b->quote = b->bslash = b->open = b->close = 0;
    for (int k = 0; k < 64; k++) {
        unsigned char c = p[k];
        uint64_t bit = 1ULL << k;
        b->quote |= c == '"' ? bit : 0;
        b->bslash |= c == '\\' ? bit : 0;
        b->open |= (c == '{' || c == '[') ? bit : 0;
        b->close |= (c == '}' || c == ']') ? bit : 0;
    }
#endif
}

/* Bit k = XOR of bits 0..k: from a quote mask, the bytes inside strings
 * (opening quote included, closing quote not). */
static inline uint64_t prefix_xor(uint64_t x)
{
    x ^= x << 1;
    x ^= x << 2;
    x ^= x << 4;
    x ^= x << 8;
    x ^= x << 16;
    x ^= x << 32;
    return x;
}

static inline int popcount64(uint64_t x)
{
    x = x - ((x >> 1) & 0x5555555555555555ULL);
    x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
    x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0FULL;
    return (int)((x * 0x0101010101010101ULL) >> 56);
}

/* The index after the object or array opening at s[i], read 64 bytes at a
 * time: string interiors are masked out and brackets counted, so only a
 * block where the depth can fall to zero is looked at bit by bit. Assumes
 * well-formed JSON; on other text it still stays inside s and returns 0
 * when no closing bracket is found. Nesting deeper than room containers
 * also returns 0, as skip_value() refuses it. */
static size_t skip_container(const unsigned char *s, size_t n, size_t i, long room)
{
    unsigned char tail[64];
    uint64_t in_str = 0; /* all ones while a string runs on into the next block */
    int esc_next = 0;    /* the block's first byte is escaped */
    long depth = 0;
    for (size_t p = i; p < n; p += 64) {
        const unsigned char *src = s + p;
        if (n - p < 64) {
            memset(tail, ' ', sizeof tail);
            memcpy(tail, s + p, n - p);
            src = tail;
        }
        blk_t b;
        blk_masks(src, &b);
        uint64_t escaped = 0;
        if (b.bslash || esc_next) { /* rare: walk the backslashes in order */
            uint64_t m = b.bslash;
            if (esc_next) {
                escaped = 1;
                m &= ~1ULL;
            }
            esc_next = 0;
            while (m) {
                int k = __builtin_ctzll(m);
                m &= m - 1;
                if ((escaped >> k) & 1)
                    continue;
                if (k == 63)
                    esc_next = 1;
                else
                    escaped |= 1ULL << (k + 1);
            }
        }
        uint64_t quote = b.quote & ~escaped;
        uint64_t str = (quote ? prefix_xor(quote) : 0) ^ in_str;
        in_str = (uint64_t)((int64_t)str >> 63);
        uint64_t open = b.open & ~str, close = b.close & ~str;
        int nc = popcount64(close), no = popcount64(open);
        if (nc < depth && depth + no <= room) { /* can neither close nor nest too deep here */
            depth += no - nc;
            continue;
        }
        for (uint64_t all = open | close; all; all &= all - 1) {
            int k = __builtin_ctzll(all);
            if ((open >> k) & 1) {
                if (++depth > room)
                    return 0;
            } else if (--depth == 0)
                return p + (size_t)k + 1;
        }
    }
    return 0;
}

/* Skips one value of well-formed text (after any whitespace). */
static int skip_trusted(scan_t *sc)
{
    const unsigned char *s = (const unsigned char *)sc->s;
    size_t i = sc->i, e;
    int c = tok(s, sc->n, &i);
    if (c == '"') {
        e = str_skip(s, i + 1, sc->n);
    } else if (c == '{' || c == '[') {
        e = skip_container(s, sc->n, i, (long)EV_MAX_DEPTH - sc->depth);
    } else { /* number, true, false or null: up to the next delimiter */
        for (e = i; e < sc->n; e++) {
            unsigned char d = s[e];
            if (d == ',' || d == '}' || d == ']' || d == ' ' || d == '\n' || d == '\r' || d == '\t')
                break;
        }
        if (e == i)
            e = 0;
    }
    if (!e) {
        sc->i = i;
        return bad(sc);
    }
    sc->i = e;
    return 0;
}

static int scan_value(scan_t *sc, int32_t field, int prefix);

/* Scans an object on a path some pattern reads below (prefix) or not. */
static int scan_object(scan_t *sc, int prefix)
{
    const unsigned char *s = (const unsigned char *)sc->s;
    const size_t n = sc->n;
    size_t mark = sc->path.len;
    sc->i++; /* '{' */
    int c = tok(s, n, &sc->i);
    if (c == '}') {
        sc->i++;
        return 0;
    }
    for (;;) {
        if (c != '"')
            return bad(sc);
        size_t ks = sc->i + 1, ke = str_run(s, ks, n);
        int esc = 0;
        if (ke < n && s[ke] == '"') { /* a plain key, the usual case */
            sc->i = ke + 1;
        } else {
            sc->i = ks;
            if (scan_string(sc, &ks, &ke, &esc) < 0)
                return -1;
        }
        if (tok(s, n, &sc->i) != ':')
            return bad(sc);
        sc->i++;
        int32_t cf = -1;
        int cp = 0;
        if (prefix && (esc || ke == ks || kf_maybe(sc->d, sc->s + ks, ke - ks))) {
            const char *key = sc->s + ks;
            size_t klen = ke - ks, at = mark + (mark ? 1 : 0);
            if (at + klen + 1 > sc->path.cap) {
                sc->path.len = mark;
                rn_buf_add(&sc->path, key, klen + 1);
                if (sc->path.oom)
                    return sc->err = RN_ERR_NOMEM, -1;
            }
            if (mark)
                sc->path.data[mark] = '.';
            if (esc) {
                sc->path.len = at + unescape(key, klen, sc->path.data + at);
            } else {
                memcpy(sc->path.data + at, key, klen);
                sc->path.len = at + klen;
            }
            const fent_t *e = fields_find(sc->d, path_hash(sc->path.data, sc->path.len), sc->path.data,
                                          sc->path.len);
            if (e) {
                cf = e->id;
                cp = e->prefix;
            }
        }
        if (cf >= 0 || cp) {
            if (scan_value(sc, cf, cp) < 0)
                return -1;
        } else if (tok(s, n, &sc->i) == '"') { /* an unread string: skipped in place */
            size_t e = str_skip(s, sc->i + 1, n);
            if (!e)
                return bad(sc);
            sc->i = e;
        } else if ((sc->trusted ? skip_trusted(sc) : skip_value(sc)) < 0) {
            return -1;
        }
        sc->path.len = mark;
        c = tok(s, n, &sc->i);
        if (c == ',') {
            sc->i++;
            c = tok(s, n, &sc->i);
            continue;
        }
        if (c == '}') {
            sc->i++;
            return 0;
        }
        return bad(sc);
    }
}

static int scan_array(scan_t *sc, int32_t field, int prefix)
{
    ev_flat_t *fl = sc->fl;
    int track = field >= 0 || prefix;
    size_t slot = 0;
    if (track) {
        if (fl->narrays * 2 + 2 > fl->arrcap) {
            size_t cap = fl->arrcap ? fl->arrcap * 2 : 16;
            uint32_t *a = rn_realloc(fl->arrays, cap * sizeof *a);
            if (!a)
                return sc->err = RN_ERR_NOMEM, -1;
            fl->arrays = a;
            fl->arrcap = cap;
        }
        slot = fl->narrays++;
        fl->arrays[2 * slot] = fl->next_array++;
        fl->arrays[2 * slot + 1] = 0;
    }
    sc->i++; /* '[' */
    int c = ws(sc);
    int r = 0;
    if (c == ']') {
        sc->i++;
        goto out;
    }
    for (uint32_t idx = 0;; idx++) {
        if (track)
            fl->arrays[2 * slot + 1] = idx;
        if (scan_value(sc, field, prefix) < 0) {
            r = -1;
            goto out;
        }
        c = ws(sc);
        if (c == ',') {
            sc->i++;
            ws(sc);
            continue;
        }
        if (c == ']') {
            sc->i++;
            break;
        }
        r = bad(sc);
        goto out;
    }
out:
    if (track)
        fl->narrays--;
    return r;
}

static int scan_value(scan_t *sc, int32_t field, int prefix)
{
    int c = ws(sc);
    if (c < 0)
        return bad(sc);
    if (!prefix && (field < 0 || c == '{'))
        return sc->trusted ? skip_trusted(sc) : skip_value(sc); /* nothing below is read */
    switch (c) {
    case '{':
    case '[': {
        if (++sc->depth > EV_MAX_DEPTH)
            return bad(sc);
        int r = c == '{' ? scan_object(sc, prefix) : scan_array(sc, field, prefix);
        sc->depth--;
        return r;
    }
    case '"': {
        sc->i++;
        size_t st, en;
        int esc;
        if (scan_string(sc, &st, &en, &esc) < 0)
            return -1;
        if (field < 0)
            return 0;
        if (!esc)
            return add_leaf(sc, field, EV_T_STR, sc->s + st, en - st);
        rn_buf_t *b = &sc->fl->scratch;
        char *o = b->data + b->len; /* capacity reserved for the whole event */
        size_t k = unescape(sc->s + st, en - st, o);
        b->len += k;
        return add_leaf(sc, field, EV_T_STR, o, k);
    }
    case 't':
    case 'f':
    case 'n': {
        const char *w = c == 't' ? "true" : c == 'f' ? "false" : "null";
        size_t wl = strlen(w);
        if (sc->n - sc->i < wl || memcmp(sc->s + sc->i, w, wl) != 0)
            return bad(sc);
        sc->i += wl;
        if (field < 0)
            return 0;
        return add_leaf(sc, field, c == 't' ? EV_T_TRUE : c == 'f' ? EV_T_FALSE : EV_T_NULL, sc->s + sc->i - wl, wl);
    }
    default: {
        size_t st = sc->i;
        if (scan_number(sc) < 0)
            return -1;
        return field < 0 ? 0 : add_leaf(sc, field, EV_T_NUM, sc->s + st, sc->i - st);
    }
    }
}

static int flat_scan(ev_flat_t *fl, const ev_fields_t *dict, const char *json, size_t len, int trusted)
{
    size_t nf = ev_fields_count(dict);
    fl->nleaves = fl->nmem = fl->narrays = 0;
    fl->next_array = 0;
    fl->scratch.len = 0;
    if (nf > fl->nheads) {
        int32_t *h = rn_realloc(fl->head, nf * sizeof *h);
        if (!h)
            return RN_ERR_NOMEM;
        fl->head = h;
        int32_t *t = rn_realloc(fl->tail, nf * sizeof *t);
        if (!t)
            return RN_ERR_NOMEM;
        fl->tail = t;
        fl->nheads = nf;
    }
    if (nf)
        memset(fl->head, 0xff, nf * sizeof *fl->head);
    /* unescaped strings never outgrow their source, so this never moves */
    if (fl->scratch.cap < len + 1) {
        fl->scratch.len = 0;
        rn_buf_add(&fl->scratch, "", 0);
        size_t need = len + 1;
        if (fl->scratch.cap < need) {
            char *d = rn_realloc(fl->scratch.data, need);
            if (!d)
                return RN_ERR_NOMEM;
            fl->scratch.data = d;
            fl->scratch.cap = need;
        }
        if (fl->scratch.oom)
            return RN_ERR_NOMEM;
    }
    scan_t sc = {.s = json, .n = len, .d = dict, .fl = fl, .path = fl->path, .trusted = trusted};
    sc.path.len = 0;
    int c = ws(&sc);
    if (c != '{')
        return RN_ERR_VALIDATION;
    sc.depth = 1;
    int r = scan_object(&sc, 1);
    if (r == 0 && ws(&sc) >= 0)
        sc.err = RN_ERR_VALIDATION;
    fl->path = sc.path; /* kept for the next event */
    return r < 0 || sc.err ? (sc.err ? sc.err : RN_ERR_VALIDATION) : 0;
}

int ev_flat_scan(ev_flat_t *fl, const ev_fields_t *dict, const char *json, size_t len)
{
    return flat_scan(fl, dict, json, len, 0);
}

int ev_flat_scan_trusted(ev_flat_t *fl, const ev_fields_t *dict, const char *json, size_t len)
{
    return flat_scan(fl, dict, json, len, 1);
}

int ev_event_member(const char *json, size_t len, const char *key, const char **val, size_t *vlen)
{
    ev_flat_t fl;
    ev_flat_init(&fl);
    scan_t sc = {.s = json, .n = len, .fl = &fl};
    size_t klen = strlen(key);
    int found = 0;
    if (ws(&sc) != '{')
        return 0;
    sc.i++;
    sc.depth = 1;
    int c = ws(&sc);
    if (c == '}')
        return 0;
    while (c == '"') {
        sc.i++;
        size_t ks, ke;
        int esc;
        if (scan_string(&sc, &ks, &ke, &esc) < 0 || ws(&sc) != ':')
            break;
        sc.i++;
        ws(&sc);
        size_t vs = sc.i;
        if (scan_value(&sc, -1, 0) < 0)
            break;
        int same = 0;
        if (!esc) {
            same = ke - ks == klen && memcmp(json + ks, key, klen) == 0;
        } else if (ke - ks < 256) {
            char tmp[256];
            size_t k = unescape(json + ks, ke - ks, tmp);
            same = k == klen && memcmp(tmp, key, klen) == 0;
        }
        if (same && !found) {
            found = 1;
            *val = json + vs;
            *vlen = sc.i - vs;
        }
        c = ws(&sc);
        if (c != ',')
            break;
        sc.i++;
        c = ws(&sc);
    }
    ev_flat_free(&fl);
    rn_buf_free(&sc.path);
    return found;
}
