/* SPDX-License-Identifier: MIT
 * The view engine: one partition (account, region) of another store. Every
 * mutation is rewritten (namespace and queue name prefixed, ids offset) and
 * forwarded to the base store, so partitions share the base's group commit
 * and barriers. */
#include "store/store_int.h"

#include <stdio.h>
#include <string.h>

#include "core/mem.h"

typedef struct view {
    rn_store_t base_ops; /* first: the store's ops */
    rn_store_t *base;
    char prefix[96];
    int64_t id_base;
} view_t;

#define V(st) ((view_t *)(st))

static int load(rn_store_t *s, const rn_store_loader_t *l)
{
    (void)s, (void)l; /* the base's owner routes this partition's records */
    return 0;
}

static void close_(rn_store_t *s)
{
    rn_free(s);
}

static void reset(rn_store_t *s)
{
    (void)s; /* reset with the base */
}

static void queue_put(rn_store_t *s, const rn_store_queue_rec_t *q)
{
    char name[512];
    snprintf(name, sizeof name, "%s%s", V(s)->prefix, q->name);
    rn_store_queue_rec_t r = {q->qid + V(s)->id_base, name, q->state_json};
    rn_store_queue_put(V(s)->base, &r);
}

static void queue_delete(rn_store_t *s, int64_t qid)
{
    rn_store_queue_delete(V(s)->base, qid + V(s)->id_base);
}

static void msg_put(rn_store_t *s, const rn_store_msg_rec_t *m)
{
    rn_store_msg_rec_t r = *m;
    r.qid += V(s)->id_base;
    r.seq += V(s)->id_base;
    rn_store_msg_put(V(s)->base, &r);
}

static void msg_state(rn_store_t *s, int64_t qid, int64_t seq, int64_t visible_ms, int receive_count,
                      int64_t first_receive_ms)
{
    rn_store_msg_state(V(s)->base, qid + V(s)->id_base, seq + V(s)->id_base, visible_ms, receive_count,
                       first_receive_ms);
}

static void msg_delete(rn_store_t *s, int64_t qid, int64_t seq)
{
    rn_store_msg_delete(V(s)->base, qid + V(s)->id_base, seq + V(s)->id_base);
}

static void msg_purge(rn_store_t *s, int64_t qid)
{
    rn_store_msg_purge(V(s)->base, qid + V(s)->id_base);
}

static void kv_put(rn_store_t *s, const char *ns, const char *key, const char *value)
{
    char pns[256];
    snprintf(pns, sizeof pns, "%s%s", V(s)->prefix, ns);
    rn_store_kv_put(V(s)->base, pns, key, value);
}

static void kv_delete(rn_store_t *s, const char *ns, const char *key)
{
    char pns[256];
    snprintf(pns, sizeof pns, "%s%s", V(s)->prefix, ns);
    rn_store_kv_delete(V(s)->base, pns, key);
}

static void kv_delete_range(rn_store_t *s, const char *ns, const char *from, const char *to)
{
    char pns[256];
    snprintf(pns, sizeof pns, "%s%s", V(s)->prefix, ns);
    rn_store_kv_delete_range(V(s)->base, pns, from, to);
}

static int kv_get(rn_store_t *s, const char *ns, const char *key, char **value)
{
    char pns[256];
    snprintf(pns, sizeof pns, "%s%s", V(s)->prefix, ns);
    return rn_store_kv_get(V(s)->base, pns, key, value);
}

static int kv_scan(rn_store_t *s, const char *ns, const char *from, const char *to, rn_store_kv_fn fn, void *ud)
{
    char pns[256];
    snprintf(pns, sizeof pns, "%s%s", V(s)->prefix, ns);
    return rn_store_kv_scan(V(s)->base, pns, from, to, fn, ud);
}

static int kv_rscan(rn_store_t *s, const char *ns, const char *from, const char *to, rn_store_kv_fn fn, void *ud)
{
    char pns[256];
    snprintf(pns, sizeof pns, "%s%s", V(s)->prefix, ns);
    return rn_store_kv_rscan(V(s)->base, pns, from, to, fn, ud);
}

static int msg_read(rn_store_t *s, int64_t qid, int64_t seq, char **body, size_t *body_len, char **cold,
                    size_t *cold_len)
{
    return rn_store_msg_read(V(s)->base, qid + V(s)->id_base, seq + V(s)->id_base, body, body_len, cold, cold_len);
}

static uint64_t last_seq(const rn_store_t *s)
{
    return rn_store_last_seq(((const view_t *)s)->base);
}

static int barrier(rn_store_t *s, uint64_t seq, void (*fn)(void *arg, int err), void *arg)
{
    return rn_store_barrier(V(s)->base, seq, fn, arg);
}

static void stats(const rn_store_t *s, uint64_t *committed, uint64_t *batches)
{
    rn_store_stats(((const view_t *)s)->base, committed, batches);
}

#define VIEW_OPS(durable_)                                                                                           \
    {                                                                                                                \
        .kind = "view", .load = load, .close = close_, .reset = reset, .queue_put = queue_put,                      \
        .queue_delete = queue_delete, .msg_put = msg_put, .msg_state = msg_state, .msg_delete = msg_delete,         \
        .msg_purge = msg_purge, .msg_read = msg_read, .kv_put = kv_put, .kv_delete = kv_delete,                     \
        .kv_delete_range = kv_delete_range, .kv_get = kv_get, .kv_scan = kv_scan,                         \
        .kv_rscan = kv_rscan,                                                                                        \
        .last_seq = last_seq, .barrier = barrier, .stats = stats, .durable = durable_,                               \
    }
static const rn_store_ops_t ops_durable = VIEW_OPS(1), ops_memory = VIEW_OPS(0);

int rn_store_view(rn_store_t *base, const char *prefix, int64_t id_base, rn_store_t **out)
{
    view_t *v = rn_calloc(1, sizeof *v);
    if (!v)
        return -1;
    v->base_ops.ops = rn_store_durable(base) ? &ops_durable : &ops_memory;
    v->base = base;
    snprintf(v->prefix, sizeof v->prefix, "%s", prefix);
    v->id_base = id_base;
    *out = &v->base_ops;
    return 0;
}

int rn_store_view_split(const char *s, char account[16], char region[64], const char **rest)
{
    if (!s || s[0] != '@')
        return 0;
    const char *a = s + 1, *slash = strchr(a, '/');
    const char *r = slash ? slash + 1 : NULL, *slash2 = r ? strchr(r, '/') : NULL;
    if (!slash2 || slash - a >= 16 || slash2 - r >= 64)
        return 0;
    snprintf(account, 16, "%.*s", (int)(slash - a), a);
    snprintf(region, 64, "%.*s", (int)(slash2 - r), r);
    *rest = slash2 + 1;
    return 1;
}
