/* SPDX-License-Identifier: MIT
 * The memory engine (--in-memory): keeps nothing. Services hold their state
 * in RAM anyway; every mutation is dropped at once and every barrier is
 * already passed, so a reply never waits. */
#include "store/store_int.h"

#include "core/mem.h"

static int load(rn_store_t *s, const rn_store_loader_t *l)
{
    (void)s, (void)l;
    return 0;
}

static void close_(rn_store_t *s)
{
    rn_free(s);
}

static void reset(rn_store_t *s)
{
    (void)s;
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
    (void)s, (void)ns, (void)key, (void)value;
}

static void kv_delete(rn_store_t *s, const char *ns, const char *key)
{
    (void)s, (void)ns, (void)key;
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
    "memory", load,     close_,    reset,      queue_put, by_qid, msg_put, msg_state, msg_delete,
    by_qid,   kv_put,   kv_delete, last_seq,   barrier,   stats,  0,
};

int rn_store_open_memory(rn_store_t **out)
{
    rn_store_t *s = rn_calloc(1, sizeof *s);
    if (!s)
        return -1;
    s->ops = &ops;
    *out = s;
    return 0;
}
