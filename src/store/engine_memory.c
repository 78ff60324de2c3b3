/* SPDX-License-Identifier: MIT
 * The memory engine (--in-memory). Queue records and message state are
 * dropped at once: SQS holds its index in RAM anyway. Each live message's
 * body and cold part are kept (one allocation per message, in a hash by seq,
 * which is unique store-wide) for rn_store_msg_read, and freed by its delete,
 * its queue's purge or deletion, and reset. Keyed records are kept in one
 * array sorted by "ns\x1fkey" (binary search to find, a move to insert), so
 * a service reading through the store (the read path) gets back what it
 * wrote and a range read costs its range, not the whole store. Nothing
 * survives the process, so rn_store_durable() is 0; every barrier is already
 * passed, so a reply never waits. Loop only. */
#include "store/store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/map.h"
#include "core/mem.h"

typedef struct ent {
    char *key;   /* owned: "ns\x1fkey" */
    char *value; /* owned */
} ent_t;

/* A message's body and cold part: body_len bytes, a NUL, cold_len bytes, a
 * NUL, as rn_store_msg_read hands them out. */
typedef struct mrec {
    int64_t qid;
    uint32_t body_len, cold_len;
    unsigned char has_cold;
    char data[];
} mrec_t;

typedef struct mem {
    rn_store_t base; /* first: the store's ops */
    ent_t *e;        /* sorted by key */
    size_t n, cap;
    rn_imap_t msgs;  /* seq -> mrec_t (owned) */
} mem_t;

#define M(st) ((mem_t *)(st))
#define SEP '\x1f'

/* Frees the messages of queue qid (every message when qid < 0). */
static void drop_msgs(mem_t *m, int64_t qid)
{
    size_t i = 0;
    int64_t seq;
    void *v;
    while (rn_imap_next(&m->msgs, &i, &seq, &v)) {
        mrec_t *r = v;
        if (qid >= 0 && r->qid != qid)
            continue;
        if (qid >= 0)
            rn_imap_del(&m->msgs, seq);
        rn_free(r);
    }
    if (qid < 0)
        rn_imap_free(&m->msgs);
}

static void drop_all(mem_t *m)
{
    drop_msgs(m, -1);
    for (size_t i = 0; i < m->n; i++) {
        rn_free(m->e[i].key);
        rn_free(m->e[i].value);
    }
    rn_free(m->e);
    m->e = NULL;
    m->n = m->cap = 0;
}

/* The first index whose key is >= k. */
static size_t lower(const mem_t *m, const char *k)
{
    size_t lo = 0, hi = m->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(m->e[mid].key, k) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* "ns\x1f" + key (key NULL: the namespace's end, "ns\x20"). Caller frees. */
static char *bound(const char *ns, const char *key)
{
    if (key)
        return rn_store_full_key(ns, key);
    size_t n = strlen(ns);
    char *k = rn_malloc(n + 2);
    if (k) {
        memcpy(k, ns, n);
        k[n] = SEP + 1;
        k[n + 1] = '\0';
    }
    return k;
}

/* The index range [*a, *b) of ns's records with keys in [from, to). */
static int range(const mem_t *m, const char *ns, const char *from, const char *to, size_t *a, size_t *b)
{
    char *lo = bound(ns, from ? from : ""), *hi = bound(ns, to);
    if (!lo || !hi) {
        rn_free(lo);
        rn_free(hi);
        return RN_ERR_NOMEM;
    }
    *a = lower(m, lo);
    *b = lower(m, hi);
    if (*b < *a)
        *b = *a;
    rn_free(lo);
    rn_free(hi);
    return 0;
}

static int load(rn_store_t *s, const rn_store_loader_t *l)
{
    mem_t *m = M(s);
    int rc = 0;
    char ns[256];
    for (size_t i = 0; i < m->n && rc == 0; i++) {
        const char *sep = strchr(m->e[i].key, SEP);
        if (!sep)
            continue;
        snprintf(ns, sizeof ns, "%.*s", (int)(sep - m->e[i].key), m->e[i].key);
        if (!rn_store_ns_lazy(ns))
            rc = l->kv(l->ud, ns, sep + 1, m->e[i].value);
    }
    return rc;
}

static void close_(rn_store_t *s)
{
    drop_all(M(s));
    rn_free(s);
}

static void reset(rn_store_t *s)
{
    drop_all(M(s));
}

static void queue_put(rn_store_t *s, const rn_store_queue_rec_t *q)
{
    (void)s, (void)q;
}

static void by_qid(rn_store_t *s, int64_t qid)
{
    drop_msgs(M(s), qid);
}

static void msg_put(rn_store_t *s, const rn_store_msg_rec_t *m)
{
    if (m->body_len > UINT32_MAX || m->cold_len > UINT32_MAX)
        return;
    mrec_t *r = rn_malloc(sizeof *r + m->body_len + m->cold_len + 2);
    if (!r)
        return;
    r->qid = m->qid;
    r->body_len = (uint32_t)m->body_len;
    r->cold_len = (uint32_t)m->cold_len;
    r->has_cold = m->cold != NULL;
    if (m->body_len)
        memcpy(r->data, m->body, m->body_len);
    r->data[m->body_len] = '\0';
    if (m->cold_len)
        memcpy(r->data + m->body_len + 1, m->cold, m->cold_len);
    r->data[m->body_len + 1 + m->cold_len] = '\0';
    mrec_t *old = rn_imap_get(&M(s)->msgs, m->seq);
    if (rn_imap_put(&M(s)->msgs, m->seq, r) < 0) {
        rn_free(r);
        return;
    }
    rn_free(old);
}

static int msg_read(rn_store_t *s, int64_t qid, int64_t seq, char **body, size_t *body_len, char **cold,
                    size_t *cold_len)
{
    const mrec_t *r = rn_imap_get(&M(s)->msgs, seq);
    if (!r || r->qid != qid)
        return 1;
    size_t n = (size_t)r->body_len + r->cold_len + 2;
    char *copy = rn_malloc(n);
    if (!copy)
        return RN_ERR_NOMEM;
    memcpy(copy, r->data, n);
    *body = copy;
    *body_len = r->body_len;
    *cold = r->has_cold ? copy + r->body_len + 1 : NULL;
    *cold_len = r->cold_len;
    return 0;
}

static void msg_state(rn_store_t *s, int64_t qid, int64_t seq, int64_t visible_ms, int receive_count,
                      int64_t first_receive_ms)
{
    (void)s, (void)qid, (void)seq, (void)visible_ms, (void)receive_count, (void)first_receive_ms;
}

static void msg_delete(rn_store_t *s, int64_t qid, int64_t seq)
{
    mrec_t *r = rn_imap_get(&M(s)->msgs, seq);
    if (r && r->qid == qid)
        rn_free(rn_imap_del(&M(s)->msgs, seq));
}

static void kv_put(rn_store_t *s, const char *ns, const char *key, const char *value)
{
    mem_t *m = M(s);
    char *k = rn_store_full_key(ns, key), *v = rn_strdup(value);
    if (!k || !v) {
        rn_free(k);
        rn_free(v);
        return;
    }
    size_t i = lower(m, k);
    if (i < m->n && !strcmp(m->e[i].key, k)) {
        rn_free(m->e[i].value);
        m->e[i].value = v;
        rn_free(k);
        return;
    }
    if (m->n == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 64;
        ent_t *e = rn_realloc(m->e, cap * sizeof *e);
        if (!e) {
            rn_free(k);
            rn_free(v);
            return;
        }
        m->e = e;
        m->cap = cap;
    }
    memmove(&m->e[i + 1], &m->e[i], (m->n - i) * sizeof *m->e);
    m->e[i] = (ent_t){k, v};
    m->n++;
}

/* Removes entries [a, b). */
static void remove_span(mem_t *m, size_t a, size_t b)
{
    for (size_t i = a; i < b; i++) {
        rn_free(m->e[i].key);
        rn_free(m->e[i].value);
    }
    memmove(&m->e[a], &m->e[b], (m->n - b) * sizeof *m->e);
    m->n -= b - a;
}

static void kv_delete(rn_store_t *s, const char *ns, const char *key)
{
    mem_t *m = M(s);
    char *k = rn_store_full_key(ns, key);
    if (!k)
        return;
    size_t i = lower(m, k);
    if (i < m->n && !strcmp(m->e[i].key, k))
        remove_span(m, i, i + 1);
    rn_free(k);
}

static void kv_delete_range(rn_store_t *s, const char *ns, const char *from, const char *to)
{
    size_t a, b;
    if (range(M(s), ns, from, to, &a, &b) == 0)
        remove_span(M(s), a, b);
}

static int kv_get(rn_store_t *s, const char *ns, const char *key, char **value)
{
    mem_t *m = M(s);
    char *k = rn_store_full_key(ns, key);
    if (!k)
        return RN_ERR_NOMEM;
    size_t i = lower(m, k);
    int found = i < m->n && !strcmp(m->e[i].key, k);
    rn_free(k);
    if (!found)
        return 1;
    return (*value = rn_strdup(m->e[i].value)) ? 0 : RN_ERR_NOMEM;
}

static int kv_scan(rn_store_t *s, const char *ns, const char *from, const char *to, rn_store_kv_fn fn, void *ud)
{
    mem_t *m = M(s);
    size_t a, b, nl = strlen(ns) + 1;
    int rc = range(m, ns, from, to, &a, &b);
    for (size_t i = a; i < b && rc == 0; i++)
        rc = fn(ud, m->e[i].key + nl, m->e[i].value);
    return rc;
}

static int kv_rscan(rn_store_t *s, const char *ns, const char *from, const char *to, rn_store_kv_fn fn, void *ud)
{
    mem_t *m = M(s);
    size_t a, b, nl = strlen(ns) + 1;
    int rc = range(m, ns, from, to, &a, &b);
    for (size_t i = b; i-- > a && rc == 0;)
        rc = fn(ud, m->e[i].key + nl, m->e[i].value);
    return rc;
}

static uint64_t last_seq(const rn_store_t *s)
{
    (void)s;
    return 0;
}

static int barrier(rn_store_t *s, uint64_t seq, void (*fn)(void *arg, int err), void *arg)
{
    (void)s, (void)seq, (void)fn, (void)arg;
    return 1;
}

static void stats(const rn_store_t *s, uint64_t *committed, uint64_t *batches)
{
    (void)s;
    *committed = *batches = 0;
}

static const rn_store_ops_t ops = {
    .kind = "memory",
    .load = load,
    .close = close_,
    .reset = reset,
    .queue_put = queue_put,
    .queue_delete = by_qid,
    .msg_put = msg_put,
    .msg_state = msg_state,
    .msg_delete = msg_delete,
    .msg_purge = by_qid,
    .msg_read = msg_read,
    .kv_put = kv_put,
    .kv_delete = kv_delete,
    .kv_delete_range = kv_delete_range,
    .kv_get = kv_get,
    .kv_scan = kv_scan,
    .kv_rscan = kv_rscan,
    .last_seq = last_seq,
    .barrier = barrier,
    .stats = stats,
    .durable = 0,
};

int rn_store_open_memory(rn_store_t **out)
{
    mem_t *m = rn_calloc(1, sizeof *m);
    if (!m)
        return -1;
    m->base.ops = &ops;
    *out = &m->base;
    return 0;
}
