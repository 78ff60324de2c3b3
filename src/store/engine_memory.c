/* SPDX-License-Identifier: MIT
 * The memory engine (--in-memory). Queue and message records are dropped at
 * once: SQS holds its state in RAM anyway. Keyed records are kept, in one
 * hash map keyed "ns\x1fkey", so a service reading through the store (the
 * read path) gets back what it wrote; a range scan sorts the namespace's keys
 * each time. Nothing survives the process, so rn_store_durable() is 0; every
 * barrier is already passed, so a reply never waits. Loop only. */
#include "store/store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/map.h"
#include "core/mem.h"

typedef struct mem {
    rn_store_t base; /* first: the store's ops */
    rn_smap_t kv;    /* "ns\x1fkey" -> owned value */
} mem_t;

#define M(st) ((mem_t *)(st))
#define SEP '\x1f'

static void drop_all(mem_t *m)
{
    size_t i = 0;
    const char *k;
    void *v;
    while (rn_smap_next(&m->kv, &i, &k, &v))
        rn_free(v);
    rn_smap_free(&m->kv);
    memset(&m->kv, 0, sizeof m->kv);
}

typedef struct ent {
    const char *key; /* points past the namespace in the map's key */
    const char *value;
    const char *ns_key; /* the whole map key, for ordering across namespaces */
} ent_t;

static int ent_cmp(const void *a, const void *b)
{
    return strcmp(((const ent_t *)a)->ns_key, ((const ent_t *)b)->ns_key);
}

/* The records of ns (every namespace when ns is NULL) in key order. Caller
 * frees the array; NULL with *n 0 when there are none or on out of memory
 * (*oom set). */
static ent_t *sorted(const mem_t *m, const char *ns, size_t *n, int *oom)
{
    size_t cap = m->kv.len, i = 0, nl = ns ? strlen(ns) : 0;
    *n = 0;
    *oom = 0;
    if (!cap)
        return NULL;
    ent_t *e = rn_malloc(cap * sizeof *e);
    if (!e) {
        *oom = 1;
        return NULL;
    }
    const char *k;
    void *v;
    while (rn_smap_next(&m->kv, &i, &k, &v)) {
        const char *sep = strchr(k, SEP);
        if (!sep || (ns && ((size_t)(sep - k) != nl || memcmp(k, ns, nl) != 0)))
            continue;
        e[(*n)++] = (ent_t){sep + 1, v, k};
    }
    if (*n)
        qsort(e, *n, sizeof *e, ent_cmp);
    return e;
}

static int load(rn_store_t *s, const rn_store_loader_t *l)
{
    size_t n;
    int oom, rc = 0;
    ent_t *e = sorted(M(s), NULL, &n, &oom);
    if (oom)
        return RN_ERR_NOMEM;
    char ns[256];
    for (size_t i = 0; i < n && rc == 0; i++) {
        size_t nl = (size_t)(e[i].key - 1 - e[i].ns_key);
        snprintf(ns, sizeof ns, "%.*s", (int)nl, e[i].ns_key);
        if (!rn_store_ns_lazy(ns))
            rc = l->kv(l->ud, ns, e[i].key, e[i].value);
    }
    rn_free(e);
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
    (void)s, (void)qid;
}

static void msg_put(rn_store_t *s, const rn_store_msg_rec_t *m)
{
    (void)s, (void)m;
}

static void msg_state(rn_store_t *s, int64_t qid, int64_t seq, int64_t visible_ms, int receive_count,
                      int64_t first_receive_ms)
{
    (void)s, (void)qid, (void)seq, (void)visible_ms, (void)receive_count, (void)first_receive_ms;
}

static void msg_delete(rn_store_t *s, int64_t qid, int64_t seq)
{
    (void)s, (void)qid, (void)seq;
}

static void kv_put(rn_store_t *s, const char *ns, const char *key, const char *value)
{
    char *k = rn_store_full_key(ns, key), *v = rn_strdup(value);
    if (!k || !v) {
        rn_free(k);
        rn_free(v);
        return;
    }
    char *old = rn_smap_get(&M(s)->kv, k);
    if (rn_smap_put(&M(s)->kv, k, v) < 0)
        rn_free(v);
    else
        rn_free(old);
    rn_free(k);
}

static void kv_delete(rn_store_t *s, const char *ns, const char *key)
{
    char *k = rn_store_full_key(ns, key);
    if (k)
        rn_free(rn_smap_del(&M(s)->kv, k));
    rn_free(k);
}

static void kv_delete_range(rn_store_t *s, const char *ns, const char *from, const char *to)
{
    size_t n;
    int oom;
    ent_t *e = sorted(M(s), ns, &n, &oom);
    for (size_t i = 0; i < n; i++)
        if (strcmp(e[i].key, from) >= 0 && strcmp(e[i].key, to) < 0) {
            char *k = rn_strdup(e[i].ns_key); /* the entry's key is freed with it */
            if (k)
                rn_free(rn_smap_del(&M(s)->kv, k));
            rn_free(k);
        }
    rn_free(e);
}

static int kv_get(rn_store_t *s, const char *ns, const char *key, char **value)
{
    char *k = rn_store_full_key(ns, key);
    if (!k)
        return RN_ERR_NOMEM;
    const char *v = rn_smap_get(&M(s)->kv, k);
    rn_free(k);
    if (!v)
        return 1;
    return (*value = rn_strdup(v)) ? 0 : RN_ERR_NOMEM;
}

static int kv_scan(rn_store_t *s, const char *ns, const char *from, const char *to, rn_store_kv_fn fn, void *ud)
{
    size_t n;
    int oom, rc = 0;
    ent_t *e = sorted(M(s), ns, &n, &oom);
    if (oom)
        return RN_ERR_NOMEM;
    for (size_t i = 0; i < n && rc == 0; i++)
        if ((!from || strcmp(e[i].key, from) >= 0) && (!to || strcmp(e[i].key, to) < 0))
            rc = fn(ud, e[i].key, e[i].value);
    rn_free(e);
    return rc;
}

static int kv_rscan(rn_store_t *s, const char *ns, const char *from, const char *to, rn_store_kv_fn fn, void *ud)
{
    size_t n;
    int oom, rc = 0;
    ent_t *e = sorted(M(s), ns, &n, &oom);
    if (oom)
        return RN_ERR_NOMEM;
    for (size_t i = n; i-- > 0 && rc == 0;)
        if (strcmp(e[i].key, from) >= 0 && strcmp(e[i].key, to) < 0)
            rc = fn(ud, e[i].key, e[i].value);
    rn_free(e);
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
