/* SPDX-License-Identifier: MIT
 * The many-rules matcher of an event bus, an automaton in the manner of
 * event-ruler and Quamina: a trie of states over the sorted field names of
 * every sub-rule, where a transition is one field condition (its whole value
 * list) and identical conditions are shared. Each (state, field) has a value
 * index (hashes for exact, number and ignore-case values, per-length hashes
 * for prefixes, suffixes and the literal start of wildcards, an interval
 * table for numeric ranges), so an event costs what its matching paths
 * cost, not what the rule count is.
 * Removing a rule unhooks it at once and the trie is rebuilt lazily. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/map.h"
#include "core/mem.h"
#include "pattern/pattern_int.h"

typedef struct mstate mstate_t;
typedef struct mtrans mtrans_t;

typedef struct post {
    mtrans_t *t; /* the transition; a pointer, so matching skips the field's array */
    const ev_val_t *v;
} post_t;

/* A value-index entry, one cache line for the common case: a key of up to
 * HKEY_INLINE bytes (tag byte first) kept in the entry and a single posting
 * kept in `one`; longer keys and longer lists live on the heap. */
#define HKEY_INLINE 16
typedef struct hent {
    uint64_t hash; /* 0 = empty */
    uint32_t klen, n;
    union {
        char in[HKEY_INLINE];
        char *heap;
    } key;
    post_t one;  /* the posting when n == 1 */
    post_t *p;   /* all postings when n > 1; capacity: n rounded up to a power of two */
} hent_t;

typedef struct lens {
    uint32_t *v;
    uint32_t n, cap;
} lens_t;

typedef struct rseg { /* numeric range index: regions between sorted endpoints */
    uint64_t *pts;
    size_t npts;
    uint32_t *start; /* CSR over 2*npts+1 regions */
    post_t *items;
    int built, linear;
} rseg_t;

enum { MF_IC = 1, MF_WC = 2 };

/* The members matching reads for every leaf come first, in one cache line. */
typedef struct mfield {
    uint32_t field, nscan;
    hent_t *h;
    uint32_t hcap, flags; /* MF_IC: ignore-case values; MF_WC: indexed wildcards (wlen) */
    lens_t plen, xlen;
    uint32_t nranges, nabsent;
    hent_t h1; /* the table while it has one entry (hcap == 1): no separate block to miss on */
    /* colder */
    post_t *scan, *ranges;
    uint32_t scancap, rangecap;
    uint32_t *absent;
    uint32_t abscap;
    lens_t qlen, ylen, wlen;
    mtrans_t **t;
    size_t nt, tcap, nh;
    rseg_t rs;
} mfield_t;

/* A state: the fields its transitions test, and the rules ending here. Most
 * states test one field and end at most four rules, so both are kept inline
 * (f1, rin): walking to a state then reads one block of memory. */
struct mstate {
    mfield_t *f;     /* &f1 or the heap */
    uint32_t nf, fcap;
    uint32_t *rules; /* rule slots ending here: rin or the heap */
    uint32_t nrules, rcap;
    uint32_t rin[4];
    mfield_t f1;
};

/* A transition holds its target state, so the cache lines a match brings in
 * for the dedupe stamps are the ones walking the state reads next. */
struct mtrans {
    uint64_t frame, lstamp; /* matching-time dedupe stamps; 64 bits never wrap */
    mstate_t next;
    ev_cond_t cond; /* values borrowed from a rule's pattern (kept until rebuild) */
    ev_str_t canon; /* owned */
};

typedef struct mrule {
    uint64_t id;
    ev_pattern_t *p;
    mstate_t **ends;
    size_t nends, ecap;
    int alive;
} mrule_t;

/* What reporting a match reads, per rule slot, dense apart from mrule_t. */
typedef struct mhot {
    uint64_t id;
    uint64_t stamp;
} mhot_t;

struct ev_matcher {
    mstate_t *root;
    ev_fields_t *dict;
    mrule_t *rules;
    mhot_t *hot; /* parallel to rules, same capacity */
    size_t nrules, rcap, live, dead;
    rn_imap_t byid;
    /* matching scratch */
    ev_flat_t fl;
    uint64_t frame, lstamp, gen;
    post_t *stk;
    size_t stkn, stkcap;
    rn_buf_t fold;
    uint32_t *mem;
    size_t memn, memcap;
    int oom;
};

/* ---- states ---- */

/* A field's value table: inline while it holds one entry, then on the heap. */
static inline hent_t *htab(const mfield_t *f)
{
    return f->hcap == 1 ? (hent_t *)&f->h1 : f->h;
}

static void state_clear(mstate_t *s)
{
    for (size_t i = 0; i < s->nf; i++) {
        mfield_t *f = &s->f[i];
        for (size_t k = 0; k < f->nt; k++) {
            state_clear(&f->t[k]->next);
            rn_free((void *)f->t[k]->canon.p);
            rn_free(f->t[k]);
        }
        rn_free(f->t);
        hent_t *tab = htab(f);
        for (size_t k = 0; k < f->hcap; k++) {
            if (tab[k].klen > HKEY_INLINE)
                rn_free(tab[k].key.heap);
            rn_free(tab[k].p);
        }
        rn_free(f->h);
        rn_free(f->plen.v);
        rn_free(f->xlen.v);
        rn_free(f->qlen.v);
        rn_free(f->ylen.v);
        rn_free(f->wlen.v);
        rn_free(f->scan);
        rn_free(f->ranges);
        rn_free(f->absent);
        rn_free(f->rs.pts);
        rn_free(f->rs.start);
        rn_free(f->rs.items);
    }
    if (s->f != &s->f1)
        rn_free(s->f);
    if (s->rules != s->rin)
        rn_free(s->rules);
}

static void state_free(mstate_t *s)
{
    if (!s)
        return;
    state_clear(s);
    rn_free(s);
}

/* The hash of a tagged value key. */
static uint64_t hbytes(char tag, const char *s, size_t n)
{
    return ev_hash_words((0x9E3779B97F4A7C15ULL ^ n) * 0xC2B2AE3D27D4EB4FULL ^ (unsigned char)tag, s, n);
}

static inline const char *hkey(const hent_t *e)
{
    return e->klen <= HKEY_INLINE ? e->key.in : e->key.heap;
}

static inline const post_t *hposts(const hent_t *e)
{
    return e->n == 1 ? &e->one : e->p;
}

/* Finds a tagged key whose hash h is known; the table must not be empty. */
static hent_t *hfind_h(const mfield_t *f, uint64_t h, char tag, const char *s, size_t n)
{
    hent_t *tab = htab(f);
    size_t i = (size_t)h & (f->hcap - 1);
    for (size_t probes = 0; probes < f->hcap; probes++) { /* a one-entry table is full */
        hent_t *e = &tab[i];
        if (!e->hash)
            return NULL;
        if (e->hash == h && e->klen == n + 1) {
            const char *k = hkey(e);
            if (k[0] == tag && memcmp(k + 1, s, n) == 0)
                return e;
        }
        i = (i + 1) & (f->hcap - 1);
    }
    return NULL;
}

static hent_t *hfind(const mfield_t *f, char tag, const char *s, size_t n)
{
    return f->hcap ? hfind_h(f, hbytes(tag, s, n), tag, s, n) : NULL;
}

static int hadd(mfield_t *f, char tag, const char *s, size_t n, post_t p)
{
    hent_t *e = hfind(f, tag, s, n);
    if (!e) {
        if (!f->hcap) {
            f->hcap = 1; /* the first entry goes in h1 */
        } else if ((f->nh + 1) * 2 > f->hcap) {
            size_t cap = f->hcap == 1 ? 8 : (size_t)f->hcap * 2;
            hent_t *h = rn_calloc(cap, sizeof *h), *old = htab(f);
            if (!h)
                return RN_ERR_NOMEM;
            for (size_t i = 0; i < f->hcap; i++) {
                if (!old[i].hash)
                    continue;
                size_t j = (size_t)old[i].hash & (cap - 1);
                while (h[j].hash)
                    j = (j + 1) & (cap - 1);
                h[j] = old[i];
            }
            if (f->hcap == 1)
                memset(&f->h1, 0, sizeof f->h1);
            else
                rn_free(f->h);
            f->h = h;
            f->hcap = (uint32_t)cap;
        }
        hent_t *tab = htab(f);
        uint64_t hv = hbytes(tag, s, n);
        size_t i = (size_t)hv & (f->hcap - 1);
        while (tab[i].hash)
            i = (i + 1) & (f->hcap - 1);
        e = &tab[i];
        char *k = e->key.in;
        if (n + 1 > HKEY_INLINE) {
            k = rn_malloc(n + 1);
            if (!k)
                return RN_ERR_NOMEM;
            e->key.heap = k;
        }
        k[0] = tag;
        if (n)
            memcpy(k + 1, s, n);
        e->klen = (uint32_t)(n + 1);
        e->hash = hv;
        f->nh++;
    }
    if (e->n == 0) {
        e->one = p;
        e->n = 1;
        return 0;
    }
    if (e->n == 1 || (e->n & (e->n - 1)) == 0) { /* full: grow to twice n */
        post_t *p2 = rn_realloc(e->p, 2 * (size_t)e->n * sizeof *p2);
        if (!p2)
            return RN_ERR_NOMEM;
        if (e->n == 1)
            p2[0] = e->one;
        e->p = p2;
    }
    e->p[e->n++] = p;
    return 0;
}

static int lens_add(lens_t *l, size_t n)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->v[i] == n)
            return 0;
    if (l->n == l->cap) {
        uint32_t cap = l->cap ? l->cap * 2 : 4;
        uint32_t *v = rn_realloc(l->v, cap * sizeof *v);
        if (!v)
            return RN_ERR_NOMEM;
        l->v = v;
        l->cap = cap;
    }
    size_t i = l->n++;
    while (i > 0 && l->v[i - 1] > n) { /* keep sorted: lookups stop at the value's length */
        l->v[i] = l->v[i - 1];
        i--;
    }
    l->v[i] = (uint32_t)n;
    return 0;
}

static int push_post(post_t **a, uint32_t *n, uint32_t *cap, post_t p)
{
    if (*n == *cap) {
        uint32_t c = *cap ? *cap * 2 : 4;
        post_t *x = rn_realloc(*a, c * sizeof *x);
        if (!x)
            return RN_ERR_NOMEM;
        *a = x;
        *cap = c;
    }
    (*a)[(*n)++] = p;
    return 0;
}

/* Puts one value of transition t into the field's index. */
static int index_val(mfield_t *f, mtrans_t *t, const ev_val_t *v)
{
    post_t p = {t, v};
    rn_buf_t fold = {0};
    int r = 0;
    switch (v->kind) {
    case EV_VK_EXACT_STR:
        return hadd(f, 'S', v->s.p, v->s.n, p);
    case EV_VK_EXACT_NUM:
        return v->num_cmp ? hadd(f, 'N', (const char *)&v->key, 8, p) : hadd(f, 'T', v->s.p, v->s.n, p);
    case EV_VK_TRUE:
        return hadd(f, 'L', "t", 1, p);
    case EV_VK_FALSE:
        return hadd(f, 'L', "f", 1, p);
    case EV_VK_NULL:
        return hadd(f, 'L', "n", 1, p);
    case EV_VK_PREFIX:
        return lens_add(&f->plen, v->s.n) ? RN_ERR_NOMEM : hadd(f, 'P', v->s.p, v->s.n, p);
    case EV_VK_SUFFIX:
        return lens_add(&f->xlen, v->s.n) ? RN_ERR_NOMEM : hadd(f, 'X', v->s.p, v->s.n, p);
    case EV_VK_EQ_IC:
    case EV_VK_PREFIX_IC:
    case EV_VK_SUFFIX_IC: {
        ev_ic_fold(&fold, v->s.p, v->s.n);
        if (fold.oom) {
            r = RN_ERR_NOMEM;
        } else {
            const char *k = fold.data ? fold.data : "";
            char tag = v->kind == EV_VK_EQ_IC ? 'I' : v->kind == EV_VK_PREFIX_IC ? 'Q' : 'Y';
            lens_t *l = v->kind == EV_VK_PREFIX_IC ? &f->qlen : v->kind == EV_VK_SUFFIX_IC ? &f->ylen : NULL;
            r = (l && lens_add(l, fold.len)) ? RN_ERR_NOMEM : hadd(f, tag, k, fold.len, p);
            f->flags |= MF_IC;
        }
        rn_buf_free(&fold);
        return r;
    }
    case EV_VK_RANGE:
        f->rs.built = 0;
        return push_post(&f->ranges, &f->nranges, &f->rangecap, p);
    case EV_VK_ABSENT:
        return 0;
    case EV_VK_WILDCARD:
        /* a wildcard only matches strings that start with its first literal
         * segment, so that segment indexes it like a prefix; the match is
         * then verified. A leading star leaves it to the one-by-one list. */
        if (v->wc[0].seg[0].n) {
            f->flags |= MF_WC;
            return lens_add(&f->wlen, v->wc[0].seg[0].n) ? RN_ERR_NOMEM
                                                          : hadd(f, 'W', v->wc[0].seg[0].p, v->wc[0].seg[0].n, p);
        }
        return push_post(&f->scan, &f->nscan, &f->scancap, p);
    default: /* anything-but, IP, exists: tested one by one */
        return push_post(&f->scan, &f->nscan, &f->scancap, p);
    }
}

static int cond_canon(const ev_cond_t *c, ev_str_t *out)
{
    const ev_val_t **v = rn_malloc((c->nvals + 1) * sizeof *v);
    if (!v)
        return RN_ERR_NOMEM;
    for (size_t i = 0; i < c->nvals; i++)
        v[i] = &c->vals[i];
    /* order-insensitive: sort by canonical bytes */
    for (size_t i = 1; i < c->nvals; i++) {
        const ev_val_t *x = v[i];
        size_t j = i;
        while (j > 0) {
            const ev_str_t *a = &v[j - 1]->canon, *b = &x->canon;
            size_t m = a->n < b->n ? a->n : b->n;
            int r = memcmp(a->p, b->p, m);
            if (r < 0 || (r == 0 && a->n <= b->n))
                break;
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
    rn_buf_t b = {0};
    for (size_t i = 0; i < c->nvals; i++) {
        uint32_t n = (uint32_t)v[i]->canon.n;
        rn_buf_add(&b, &n, 4);
        rn_buf_add(&b, v[i]->canon.p, n);
    }
    rn_free(v);
    if (b.oom || !b.data) {
        rn_buf_free(&b);
        return RN_ERR_NOMEM;
    }
    out->p = b.data;
    out->n = b.len;
    return 0;
}

static mfield_t *state_field(mstate_t *s, uint32_t field)
{
    for (size_t i = 0; i < s->nf; i++)
        if (s->f[i].field == field)
            return &s->f[i];
    if (!s->fcap) {
        s->f = &s->f1;
        s->fcap = 1;
    } else if (s->nf == s->fcap) {
        uint32_t cap = s->fcap * 2;
        mfield_t *f = rn_realloc(s->f == &s->f1 ? NULL : s->f, cap * sizeof *f);
        if (!f)
            return NULL;
        if (s->f == &s->f1)
            f[0] = s->f1;
        s->f = f;
        s->fcap = cap;
    }
    mfield_t *f = &s->f[s->nf++];
    memset(f, 0, sizeof *f);
    f->field = field;
    return f;
}

/* The transition for condition c out of s, created if new. */
static mtrans_t *state_trans(ev_matcher_t *m, mstate_t *s, const ev_cond_t *c)
{
    int id = ev_fields_intern(m->dict, c->name.p, c->name.n);
    if (id < 0)
        return NULL;
    mfield_t *f = state_field(s, (uint32_t)id);
    if (!f)
        return NULL;
    ev_str_t canon;
    if (cond_canon(c, &canon) < 0)
        return NULL;
    for (size_t i = 0; i < f->nt; i++) {
        if (f->t[i]->canon.n == canon.n && memcmp(f->t[i]->canon.p, canon.p, canon.n) == 0) {
            rn_free((void *)canon.p);
            return f->t[i];
        }
    }
    mtrans_t *t = rn_calloc(1, sizeof *t);
    if (f->nt == f->tcap) {
        size_t cap = f->tcap ? f->tcap * 2 : 2;
        mtrans_t **a = rn_realloc(f->t, cap * sizeof *a);
        if (a) {
            f->t = a;
            f->tcap = cap;
        }
    }
    if (!t || f->nt == f->tcap) {
        rn_free(t);
        rn_free((void *)canon.p);
        return NULL;
    }
    t->cond = *c;
    t->cond.field = (uint32_t)id;
    t->canon = canon;
    uint32_t ti = (uint32_t)f->nt;
    f->t[f->nt++] = t;
    for (size_t i = 0; i < c->nvals; i++)
        if (index_val(f, t, &c->vals[i]) < 0)
            return NULL; /* the matcher is marked broken by the caller */
    if (c->has_absent) {
        if (f->nabsent == f->abscap) {
            uint32_t cap = f->abscap ? f->abscap * 2 : 2;
            uint32_t *a = rn_realloc(f->absent, cap * sizeof *a);
            if (!a)
                return NULL;
            f->absent = a;
            f->abscap = cap;
        }
        f->absent[f->nabsent++] = ti;
    }
    return t;
}

static int rule_insert(ev_matcher_t *m, uint32_t slot)
{
    mrule_t *r = &m->rules[slot];
    const ev_pattern_t *p = r->p;
    size_t nsubs = p->nsubs ? p->nsubs : 1;
    for (size_t i = 0; i < nsubs; i++) {
        mstate_t *s = m->root;
        if (p->nsubs) {
            const ev_subrule_t *sub = &p->subs[i];
            for (size_t k = 0; k < sub->n; k++) {
                mtrans_t *t = state_trans(m, s, &sub->conds[k]);
                if (!t)
                    return RN_ERR_NOMEM;
                s = &t->next;
            }
        }
        int seen = 0;
        for (size_t k = 0; k < s->nrules; k++)
            seen |= s->rules[k] == slot;
        if (seen)
            continue;
        if (!s->rcap) {
            s->rules = s->rin;
            s->rcap = sizeof s->rin / sizeof *s->rin;
        } else if (s->nrules == s->rcap) {
            uint32_t cap = s->rcap * 2;
            uint32_t *a = rn_realloc(s->rules == s->rin ? NULL : s->rules, cap * sizeof *a);
            if (!a)
                return RN_ERR_NOMEM;
            if (s->rules == s->rin)
                memcpy(a, s->rin, sizeof s->rin);
            s->rules = a;
            s->rcap = cap;
        }
        if (r->nends == r->ecap) {
            size_t cap = r->ecap ? r->ecap * 2 : 2;
            mstate_t **a = rn_realloc(r->ends, cap * sizeof *a);
            if (!a)
                return RN_ERR_NOMEM;
            r->ends = a;
            r->ecap = cap;
        }
        s->rules[s->nrules++] = slot;
        r->ends[r->nends++] = s;
    }
    return 0;
}

ev_matcher_t *ev_matcher_new(void)
{
    ev_matcher_t *m = rn_calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->root = rn_calloc(1, sizeof *m->root);
    m->dict = ev_fields_new();
    if (!m->root || !m->dict) {
        ev_matcher_free(m);
        return NULL;
    }
    ev_flat_init(&m->fl);
    return m;
}

void ev_matcher_free(ev_matcher_t *m)
{
    if (!m)
        return;
    state_free(m->root);
    ev_fields_free(m->dict);
    for (size_t i = 0; i < m->nrules; i++) {
        ev_pattern_free(m->rules[i].p);
        rn_free(m->rules[i].ends);
    }
    rn_free(m->rules);
    rn_free(m->hot);
    rn_imap_free(&m->byid);
    ev_flat_free(&m->fl);
    rn_free(m->stk);
    rn_buf_free(&m->fold);
    rn_free(m->mem);
    rn_free(m);
}

size_t ev_matcher_count(const ev_matcher_t *m)
{
    return m ? m->live : 0;
}

/* Rebuilds the trie from the live rules, dropping dead rules' transitions
 * and patterns. Rule slots are compacted. */
static int rebuild(ev_matcher_t *m)
{
    mstate_t *root = rn_calloc(1, sizeof *root);
    ev_fields_t *dict = ev_fields_new();
    if (!root || !dict) {
        rn_free(root);
        ev_fields_free(dict);
        return RN_ERR_NOMEM;
    }
    state_free(m->root);
    ev_fields_free(m->dict);
    m->root = root;
    m->dict = dict;
    size_t o = 0;
    for (size_t i = 0; i < m->nrules; i++) {
        if (!m->rules[i].alive) {
            ev_pattern_free(m->rules[i].p);
            rn_free(m->rules[i].ends);
            continue;
        }
        mstate_t **ends = m->rules[i].ends;
        m->rules[o] = m->rules[i];
        m->hot[o] = m->hot[i];
        m->rules[o].ends = NULL;
        m->rules[o].nends = m->rules[o].ecap = 0;
        rn_free(ends);
        o++;
    }
    m->nrules = o;
    m->dead = 0;
    rn_imap_free(&m->byid);
    m->byid = (rn_imap_t){0};
    int r = 0;
    for (size_t i = 0; i < m->nrules && r == 0; i++) {
        if (rn_imap_put(&m->byid, (int64_t)m->rules[i].id, (void *)(uintptr_t)(i + 1)) < 0)
            r = RN_ERR_NOMEM;
        else
            r = rule_insert(m, (uint32_t)i);
    }
    if (r)
        m->oom = 1;
    return r;
}

void ev_matcher_remove(ev_matcher_t *m, uint64_t id)
{
    void *v = rn_imap_del(&m->byid, (int64_t)id);
    if (!v)
        return;
    uint32_t slot = (uint32_t)((uintptr_t)v - 1);
    mrule_t *r = &m->rules[slot];
    for (size_t i = 0; i < r->nends; i++) {
        mstate_t *s = r->ends[i];
        for (size_t k = 0; k < s->nrules; k++) {
            if (s->rules[k] == slot) {
                s->rules[k] = s->rules[--s->nrules];
                break;
            }
        }
    }
    r->alive = 0;
    m->live--;
    m->dead++;
    if (m->dead >= 64 && m->dead >= m->live)
        rebuild(m);
}

int ev_matcher_add(ev_matcher_t *m, uint64_t id, const char *json, size_t len, char *msg, size_t msglen)
{
    ev_pattern_t *p = NULL;
    int r = ev_pattern_compile(json, len, &p, msg, msglen);
    if (r)
        return r;
    if (m->nrules == m->rcap) {
        size_t cap = m->rcap ? m->rcap * 2 : 16;
        mrule_t *a = rn_realloc(m->rules, cap * sizeof *a);
        if (a)
            m->rules = a;
        mhot_t *h = a ? rn_realloc(m->hot, cap * sizeof *h) : NULL;
        if (h)
            m->hot = h;
        if (!a || !h) {
            ev_pattern_free(p);
            return RN_ERR_NOMEM;
        }
        m->rcap = cap;
    }
    ev_matcher_remove(m, id);
    uint32_t slot = (uint32_t)m->nrules++;
    m->rules[slot] = (mrule_t){.id = id, .p = p, .alive = 1};
    m->hot[slot] = (mhot_t){.id = id, .stamp = m->gen};
    m->live++;
    if (rn_imap_put(&m->byid, (int64_t)id, (void *)(uintptr_t)(slot + 1)) < 0 || rule_insert(m, slot) < 0) {
        /* undo: drop the rule, then rebuild to shed half-built transitions */
        rn_imap_del(&m->byid, (int64_t)id);
        m->rules[slot].alive = 0;
        m->live--;
        m->dead++;
        for (size_t i = 0; i < m->rules[slot].nends; i++) {
            mstate_t *s = m->rules[slot].ends[i];
            for (size_t k = 0; k < s->nrules; k++)
                if (s->rules[k] == slot)
                    s->rules[k] = s->rules[--s->nrules];
        }
        rebuild(m);
        if (msglen)
            snprintf(msg, msglen, "out of memory");
        return RN_ERR_NOMEM;
    }
    return 0;
}

/* ---- matching ---- */

static int range_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Region of key among sorted points: 2i+1 is pts[i] itself, 2i the gap below it. */
static size_t region(const rseg_t *rs, uint64_t key)
{
    /* lower bound without branches on the data: an event's number lands
     * anywhere, so a branchy search mispredicts about every other step */
    size_t lo = 0;
    if (rs->npts) {
        const uint64_t *b = rs->pts;
        size_t len = rs->npts;
        while (len > 1) {
            size_t half = len >> 1;
            b = b[half] < key ? b + half : b;
            len -= half;
        }
        lo = (size_t)(b - rs->pts) + (*b < key);
    }
    if (lo < rs->npts && rs->pts[lo] == key)
        return 2 * lo + 1;
    return 2 * lo;
}

static void range_span(const rseg_t *rs, const ev_val_t *v, size_t *a, size_t *b)
{
    *a = 0;
    *b = 2 * rs->npts;
    if (v->has_lo) {
        size_t r = region(rs, v->lo);
        *a = v->open_lo ? r + 1 : r;
    }
    if (v->has_hi) {
        size_t r = region(rs, v->hi);
        *b = v->open_hi ? r - 1 : r;
    }
}

static void range_build(mfield_t *f)
{
    rseg_t *rs = &f->rs;
    rn_free(rs->pts);
    rn_free(rs->start);
    rn_free(rs->items);
    memset(rs, 0, sizeof *rs);
    rs->built = 1;
    rs->linear = 1;
    rs->pts = rn_malloc((2 * f->nranges + 1) * sizeof *rs->pts);
    if (!rs->pts)
        return;
    for (size_t i = 0; i < f->nranges; i++) {
        const ev_val_t *v = f->ranges[i].v;
        if (v->has_lo)
            rs->pts[rs->npts++] = v->lo;
        if (v->has_hi)
            rs->pts[rs->npts++] = v->hi;
    }
    qsort(rs->pts, rs->npts, sizeof *rs->pts, range_cmp);
    size_t u = 0;
    for (size_t i = 0; i < rs->npts; i++)
        if (!u || rs->pts[u - 1] != rs->pts[i])
            rs->pts[u++] = rs->pts[i];
    rs->npts = u;
    size_t nreg = 2 * u + 1, total = 0;
    rs->start = rn_calloc(nreg + 1, sizeof *rs->start);
    if (!rs->start)
        return;
    for (size_t i = 0; i < f->nranges; i++) {
        size_t a, b;
        range_span(rs, f->ranges[i].v, &a, &b);
        if (a <= b)
            total += b - a + 1;
    }
    if (total > (1u << 22))
        return; /* heavy overlap: scan the list instead */
    rs->items = rn_malloc((total + 1) * sizeof *rs->items);
    if (!rs->items)
        return;
    for (size_t i = 0; i < f->nranges; i++) {
        size_t a, b;
        range_span(rs, f->ranges[i].v, &a, &b);
        for (size_t k = a; k <= b && a <= b; k++)
            rs->start[k + 1]++;
    }
    for (size_t k = 0; k < nreg; k++)
        rs->start[k + 1] += rs->start[k];
    uint32_t *fill = rn_malloc(nreg * sizeof *fill);
    if (!fill)
        return;
    memcpy(fill, rs->start, nreg * sizeof *fill);
    for (size_t i = 0; i < f->nranges; i++) {
        size_t a, b;
        range_span(rs, f->ranges[i].v, &a, &b);
        for (size_t k = a; k <= b && a <= b; k++)
            rs->items[fill[k]++] = f->ranges[i];
    }
    rn_free(fill);
    rs->linear = 0;
}

static void out_post(ev_matcher_t *m, const post_t *p, ev_leaf_t *l, int verify)
{
    mtrans_t *t = p->t;
    if (t->lstamp == m->lstamp)
        return;
    if (verify && !ev_val_test(p->v, l))
        return;
    t->lstamp = m->lstamp;
    if (m->stkn == m->stkcap) {
        size_t cap = m->stkcap ? m->stkcap * 2 : 256;
        post_t *s = rn_realloc(m->stk, cap * sizeof *s);
        if (!s) {
            m->oom = 1;
            return;
        }
        m->stk = s;
        m->stkcap = cap;
    }
    m->stk[m->stkn++] = *p;
}

static void out_entry(ev_matcher_t *m, const hent_t *e, ev_leaf_t *l, int verify)
{
    if (e) {
        const post_t *ps = hposts(e);
        for (size_t i = 0; i < e->n; i++)
            out_post(m, &ps[i], l, verify);
    }
}

static void out_hash(ev_matcher_t *m, mfield_t *f, char tag, const char *s, size_t n, ev_leaf_t *l, int verify)
{
    out_entry(m, hfind(f, tag, s, n), l, verify);
}

/* Exact and prefix lookups of a string leaf. The slots are all hashed and
 * prefetched before any is probed, so their cache misses overlap. */
static void out_exact_prefix(ev_matcher_t *m, mfield_t *f, ev_leaf_t *l)
{
    enum { BATCH = 8 };
    uint64_t hs[BATCH + 1];
    size_t np = 0;
    hs[0] = hbytes('S', l->p, l->n);
    const hent_t *tab = htab(f);
    __builtin_prefetch(&tab[hs[0] & (f->hcap - 1)]);
    for (; np < BATCH && np < f->plen.n && f->plen.v[np] <= l->n; np++) {
        hs[np + 1] = hbytes('P', l->p, f->plen.v[np]);
        __builtin_prefetch(&tab[hs[np + 1] & (f->hcap - 1)]);
    }
    out_entry(m, hfind_h(f, hs[0], 'S', l->p, l->n), l, 0);
    for (size_t i = 0; i < np; i++)
        out_entry(m, hfind_h(f, hs[i + 1], 'P', l->p, f->plen.v[i]), l, 0);
    for (size_t i = np; i < f->plen.n && f->plen.v[i] <= l->n; i++)
        out_hash(m, f, 'P', l->p, f->plen.v[i], l, 0);
}

/* Pushes onto m->stk every transition of f one of whose values leaf l satisfies. */
static void collect(ev_matcher_t *m, mfield_t *f, ev_leaf_t *l)
{
    m->lstamp++;
    if (l->type == EV_T_STR) {
        if (f->hcap)
            out_exact_prefix(m, f, l);
        if (f->flags & MF_WC)
            for (size_t i = 0; i < f->wlen.n && f->wlen.v[i] <= l->n; i++)
                out_hash(m, f, 'W', l->p, f->wlen.v[i], l, 1);
        for (size_t i = 0; i < f->xlen.n && f->xlen.v[i] <= l->n; i++)
            out_hash(m, f, 'X', l->p + l->n - f->xlen.v[i], f->xlen.v[i], l, 0);
        if (f->flags & MF_IC) {
            m->fold.len = 0;
            ev_ic_fold(&m->fold, l->p, l->n);
            if (m->fold.oom) {
                m->oom = 1;
                return;
            }
            const char *fs = m->fold.data ? m->fold.data : "";
            size_t fn = m->fold.len;
            out_hash(m, f, 'I', fs, fn, l, 1);
            for (size_t i = 0; i < f->qlen.n && f->qlen.v[i] <= fn; i++)
                out_hash(m, f, 'Q', fs, f->qlen.v[i], l, 1);
            for (size_t i = 0; i < f->ylen.n && f->ylen.v[i] <= fn; i++)
                out_hash(m, f, 'Y', fs + fn - f->ylen.v[i], f->ylen.v[i], l, 1);
        }
    } else if (l->type == EV_T_NUM) {
        if (ev_leaf_num(l)) {
            out_hash(m, f, 'N', (const char *)&l->key, 8, l, 0);
            if (f->nranges) {
                if (!f->rs.built)
                    range_build(f);
                if (f->rs.linear) {
                    for (size_t i = 0; i < f->nranges; i++)
                        out_post(m, &f->ranges[i], l, 1);
                } else {
                    size_t r = region(&f->rs, l->key);
                    uint32_t a = f->rs.start[r], b = f->rs.start[r + 1];
                    for (uint32_t i = a; i < b; i++)
                        __builtin_prefetch(f->rs.items[i].t);
                    for (uint32_t i = a; i < b; i++)
                        out_post(m, &f->rs.items[i], l, 0);
                }
            }
        } else {
            out_hash(m, f, 'T', l->p, l->n, l, 0);
        }
    } else {
        out_hash(m, f, 'L', l->type == EV_T_TRUE ? "t" : l->type == EV_T_FALSE ? "f" : "n", 1, l, 0);
    }
    for (size_t i = 0; i < f->nscan; i++)
        out_post(m, &f->scan[i], l, 1);
}

typedef struct walkctx {
    ev_matcher_t *m;
    void (*fn)(void *ud, uint64_t id);
    void *ud;
    int count;
} walkctx_t;

/* Reports the rules ending at s, each once per event. */
static inline void report(walkctx_t *x, const mstate_t *s)
{
    ev_matcher_t *m = x->m;
    for (size_t i = 0; i < s->nrules; i++) {
        mhot_t *r = &m->hot[s->rules[i]];
        if (r->stamp != m->gen) {
            r->stamp = m->gen;
            x->count++;
            x->fn(x->ud, r->id);
        }
    }
}

/* Memberships live on m->mem as a stack; cur is an offset into it. */
static void walk(walkctx_t *x, mstate_t *s, size_t cur, size_t curn)
{
    ev_matcher_t *m = x->m;
    report(x, s);
    ev_flat_t *fl = &m->fl;
    for (size_t fi = 0; fi < s->nf && !m->oom; fi++) {
        mfield_t *f = &s->f[fi];
        uint64_t frame = ++m->frame;
        int any = 0;
        for (int32_t li = ev_flat_first(fl, f->field); li >= 0 && !m->oom; li = fl->leaves[li].next) {
            ev_leaf_t *l = &fl->leaves[li];
            size_t need = (curn + l->mem_len) * 2;
            if (m->memn + need > m->memcap) {
                size_t cap = m->memcap ? m->memcap * 2 : 256;
                while (cap < m->memn + need)
                    cap *= 2;
                uint32_t *a = rn_realloc(m->mem, cap * sizeof *a);
                if (!a) {
                    m->oom = 1;
                    return;
                }
                m->mem = a;
                m->memcap = cap;
            }
            size_t out = m->memn;
            int mn = !curn && !l->mem_len ? 0 /* no arrays on either side: nothing to merge */
                     : ev_member_merge(m->mem + cur, curn, fl->mem + 2 * l->mem_off, l->mem_len, m->mem + out);
            if (mn < 0)
                continue;
            any = 1;
            int same = (size_t)mn == curn;
            size_t base = m->stkn;
            collect(m, f, l);
            size_t top = m->stkn;
            for (size_t k = base; k < top; k++) {
                __builtin_prefetch(&m->stk[k].t->next.f1);
                __builtin_prefetch(&m->stk[k].t->next.f1.h1);
            }
            m->memn = out + 2 * (size_t)mn;
            for (size_t k = base; k < top && !m->oom; k++) {
                mtrans_t *t = m->stk[k].t;
                if (same) {
                    if (t->frame == frame)
                        continue;
                    t->frame = frame;
                }
                if (t->next.nf)
                    walk(x, &t->next, out, (size_t)mn);
                else
                    report(x, &t->next); /* a final state: no call, no field loop */
            }
            m->memn = out;
            m->stkn = base;
        }
        if (!any)
            for (size_t k = 0; k < f->nabsent; k++)
                walk(x, &f->t[f->absent[k]]->next, cur, curn);
    }
}

static int matcher_run(ev_matcher_t *m, const char *event, size_t len, void (*fn)(void *ud, uint64_t id), void *ud,
                       int trusted)
{
    if (m->oom && rebuild(m) < 0)
        return RN_ERR_NOMEM;
    m->oom = 0;
    int r = trusted ? ev_flat_scan_trusted(&m->fl, m->dict, event, len) : ev_flat_scan(&m->fl, m->dict, event, len);
    if (r)
        return r;
    m->gen++;
    m->stkn = m->memn = 0;
    walkctx_t x = {m, fn, ud, 0};
    walk(&x, m->root, 0, 0);
    if (m->oom)
        return RN_ERR_NOMEM;
    return x.count;
}

int ev_matcher_match(const ev_matcher_t *cm, const char *event, size_t len, void (*fn)(void *ud, uint64_t id),
                     void *ud)
{
    return matcher_run((ev_matcher_t *)cm, event, len, fn, ud, 0); /* scratch only; rules are not changed */
}

int ev_matcher_match_trusted(const ev_matcher_t *cm, const char *event, size_t len,
                             void (*fn)(void *ud, uint64_t id), void *ud)
{
    return matcher_run((ev_matcher_t *)cm, event, len, fn, ud, 1);
}
