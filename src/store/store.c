/* SPDX-License-Identifier: MIT
 * The store's public functions, forwarded to the engine behind them. */
#include "store/store_int.h"

#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "core/mem.h"

int rn_store_open(uv_loop_t *loop, const char *dir, rn_fsync_t fsync_mode, rn_store_t **out, char *msg,
                  size_t msglen)
{
    if (!dir)
        return rn_store_open_memory(out) < 0 ? (snprintf(msg, msglen, "out of memory"), -1) : 0;
    return rn_store_open_log(loop, dir, fsync_mode, out, msg, msglen);
}

char *rn_store_full_key(const char *ns, const char *key)
{
    size_t a = strlen(ns), b = strlen(key);
    char *k = rn_malloc(a + b + 2);
    if (!k)
        return NULL;
    memcpy(k, ns, a);
    k[a] = '\x1f';
    memcpy(k + a + 1, key, b + 1);
    return k;
}

int rn_store_load(rn_store_t *s, const rn_store_loader_t *l)
{
    return s->ops->load(s, l);
}

void rn_store_close(rn_store_t *s)
{
    if (s)
        s->ops->close(s);
}

void rn_store_reset(rn_store_t *s)
{
    s->ops->reset(s);
}

void rn_store_queue_put(rn_store_t *s, const rn_store_queue_rec_t *q)
{
    s->ops->queue_put(s, q);
}

void rn_store_queue_delete(rn_store_t *s, int64_t qid)
{
    s->ops->queue_delete(s, qid);
}

void rn_store_msg_put(rn_store_t *s, const rn_store_msg_rec_t *m)
{
    s->ops->msg_put(s, m);
}

void rn_store_msg_state(rn_store_t *s, int64_t qid, int64_t seq, int64_t visible_ms, int receive_count,
                        int64_t first_receive_ms)
{
    s->ops->msg_state(s, qid, seq, visible_ms, receive_count, first_receive_ms);
}

void rn_store_msg_delete(rn_store_t *s, int64_t qid, int64_t seq)
{
    s->ops->msg_delete(s, qid, seq);
}

void rn_store_msg_purge(rn_store_t *s, int64_t qid)
{
    s->ops->msg_purge(s, qid);
}

int rn_store_msg_read(rn_store_t *s, int64_t qid, int64_t seq, char **body, size_t *body_len, char **cold,
                      size_t *cold_len)
{
    if (!s->ops->msg_read)
        return RN_ERR_INTERNAL;
    return s->ops->msg_read(s, qid, seq, body, body_len, cold, cold_len);
}

void rn_store_kv_put(rn_store_t *s, const char *ns, const char *key, const char *value)
{
    s->ops->kv_put(s, ns, key, value);
}

void rn_store_kv_delete(rn_store_t *s, const char *ns, const char *key)
{
    s->ops->kv_delete(s, ns, key);
}

void rn_store_kv_delete_range(rn_store_t *s, const char *ns, const char *from, const char *to)
{
    s->ops->kv_delete_range(s, ns, from, to);
}

int rn_store_kv_get(rn_store_t *s, const char *ns, const char *key, char **value)
{
    return s->ops->kv_get(s, ns, key, value);
}

int rn_store_kv_scan(rn_store_t *s, const char *ns, const char *from, const char *to, rn_store_kv_fn fn, void *ud)
{
    return s->ops->kv_scan(s, ns, from, to, fn, ud);
}

int rn_store_kv_rscan(rn_store_t *s, const char *ns, const char *from, const char *to, rn_store_kv_fn fn, void *ud)
{
    return s->ops->kv_rscan(s, ns, from, to, fn, ud);
}

uint64_t rn_store_last_seq(const rn_store_t *s)
{
    return s->ops->last_seq(s);
}

int rn_store_barrier(rn_store_t *s, uint64_t seq, void (*fn)(void *arg, int err), void *arg)
{
    return s->ops->barrier(s, seq, fn, arg);
}

void rn_store_stats(const rn_store_t *s, uint64_t *committed, uint64_t *batches)
{
    s->ops->stats(s, committed, batches);
}

void rn_store_flush(rn_store_t *s)
{
    if (s->ops->flush)
        s->ops->flush(s);
}

int rn_store_disk_stats(const rn_store_t *s, rn_store_disk_stats_t *d)
{
    if (!s->ops->disk_stats)
        return 1;
    return s->ops->disk_stats(s, d);
}

int rn_store_durable(const rn_store_t *s)
{
    return s->ops->durable;
}

const char *rn_store_kind(const rn_store_t *s)
{
    return s->ops->kind;
}
