/* SPDX-License-Identifier: MIT
 * The log engine behind the store's ops table (store_int.h): every mutation
 * becomes a record in the log (logfmt.h), the write-ahead of the whole store.
 * The loop encodes a turn's records into one frame, handed to the writer
 * thread (logwriter.c) once per turn by a uv_prepare hook; the writer's
 * durable LSN fires the barriers. Messages live only in the log: a RAM index
 * (msgindex.c) says where each live message's records sit, and msg_read
 * preads the body (or copies it from a frame not yet durable). Queue and
 * keyed records go to the inner SQLite engine too, which applies them once
 * the log made them durable, and answers the read path and load. Owns its
 * frames, the index, the read descriptors and the inner engine. */
#include "store/engine_log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/err.h"
#include "core/log.h"
#include "core/mem.h"
#include "store/format.h"
#include "store/io.h"

/* ---- segments and the index's accounting ---- */

seginfo_t *lg_seg(lg_t *g, uint32_t segno)
{
    if (segno >= g->nsegs) {
        uint32_t n = g->nsegs ? g->nsegs : 16;
        while (n <= segno)
            n *= 2;
        seginfo_t *p = rn_realloc(g->segs, n * sizeof *p);
        if (!p)
            return NULL;
        for (uint32_t i = g->nsegs; i < n; i++)
            p[i] = (seginfo_t){.tomb_min = UINT32_MAX, .rfd = -1};
        g->segs = p;
        g->nsegs = n;
    }
    return &g->segs[segno];
}

static uint64_t put_size(const rn_msgent_t *e)
{
    return (uint64_t)e->hdr_len + e->body_len + (e->cold_len == UINT32_MAX ? 0 : e->cold_len);
}

/* A message's records stop being live (deleted, or replaced by a newer put). */
static void unlive(lg_t *g, const rn_msgent_t *e)
{
    g->segs[e->seg].live -= put_size(e);
    if (e->state_seg)
        g->segs[e->state_seg].live -= RN_REC_HDR + RN_MSG_STATE_FIXED;
}

static void tombstone(lg_t *g, uint32_t seg, uint32_t target)
{
    seginfo_t *s = lg_seg(g, seg);
    if (s && target < s->tomb_min)
        s->tomb_min = target;
}

int lg_ix_put(lg_t *g, int64_t seq, int64_t qid, uint32_t seg, uint64_t off, uint32_t hdr_len, uint32_t body_len,
              uint32_t cold_len)
{
    long qidx = rn_msgindex_qidx(&g->ix, qid);
    if (qidx < 0 || !lg_seg(g, seg))
        return -1;
    rn_msgent_t e = {.seq = seq,
                     .qidx = (uint32_t)qidx,
                     .seg = seg,
                     .off = (uint32_t)off,
                     .hdr_len = hdr_len,
                     .body_len = body_len,
                     .cold_len = cold_len},
                old;
    int rc = rn_msgindex_put(&g->ix, &e, &old);
    if (rc < 0)
        return -1;
    if (rc == 1)
        unlive(g, &old);
    g->segs[seg].live += put_size(&e);
    return 0;
}

void lg_ix_state(lg_t *g, int64_t seq, uint32_t seg, uint64_t off)
{
    rn_msgent_t *e = rn_msgindex_get(&g->ix, seq);
    if (!e || !lg_seg(g, seg))
        return;
    if (e->state_seg)
        g->segs[e->state_seg].live -= RN_REC_HDR + RN_MSG_STATE_FIXED;
    e->state_seg = seg;
    e->state_off = (uint32_t)off;
    g->segs[seg].live += RN_REC_HDR + RN_MSG_STATE_FIXED;
}

void lg_ix_del(lg_t *g, int64_t seq, uint32_t seg)
{
    rn_msgent_t old;
    if (!rn_msgindex_del(&g->ix, seq, &old))
        return;
    unlive(g, &old);
    tombstone(g, seg, old.seg);
}

typedef struct purge {
    lg_t *g;
    uint32_t qidx, seg, oldest;
    int all;
} purge_t;

static int purge_one(void *ud, const rn_msgent_t *e)
{
    purge_t *p = ud;
    if (!p->all && e->qidx != p->qidx)
        return 0;
    unlive(p->g, e);
    if (e->seg < p->oldest)
        p->oldest = e->seg;
    return 1;
}

void lg_ix_purge(lg_t *g, int64_t qid, uint32_t seg, int all)
{
    purge_t p = {g, 0, seg, UINT32_MAX, all};
    if (!all) {
        long qidx = rn_msgindex_qidx(&g->ix, qid);
        if (qidx < 0)
            return;
        p.qidx = (uint32_t)qidx;
    }
    if (!g->ix.len)
        return;
    rn_msgindex_sweep(&g->ix, purge_one, &p);
    if (p.oldest != UINT32_MAX)
        tombstone(g, seg, p.oldest);
}

/* ---- frames ---- */

static lframe_t *frame_begin(lg_t *g)
{
    lframe_t *f = rn_calloc(1, sizeof *f);
    if (!f || rn_logbuf_reserve(&f->buf, 4096) < 0) {
        rn_free(f);
        return NULL;
    }
    f->buf.len = RN_FRAME_HDR;
    if (g->tail_off >= g->seg_roll) {
        g->tail_seg++;
        g->tail_off = RN_SEG_HDR;
        f->new_seg = 1;
        seginfo_t *s = lg_seg(g, g->tail_seg);
        if (!s) {
            rn_logbuf_free(&f->buf);
            rn_free(f);
            return NULL;
        }
        s->exists = 1;
    }
    f->seg = g->tail_seg;
    f->off = g->tail_off;
    f->first_lsn = g->lsn + 1;
    return f;
}

int64_t lg_append(lg_t *g, lg_encode_fn enc, const void *arg, uint32_t *seg, uint64_t *lsn)
{
    if (!g->cur && !(g->cur = frame_begin(g))) {
        RN_ERROR("store: out of memory for a log frame");
        return -1;
    }
    lframe_t *f = g->cur;
    long at = enc(&f->buf, g->lsn + 1, arg);
    if (at < 0) {
        RN_ERROR("store: cannot encode a log record (out of memory, or a field too long)");
        return -1;
    }
    g->lsn++;
    f->last_lsn = g->lsn;
    f->count++;
    uint32_t len = rn_le32(f->buf.p + at);
    g->segs[f->seg].bytes += len;
    *seg = f->seg;
    *lsn = g->lsn;
    return (int64_t)(f->off + (uint64_t)at);
}

void lg_flush(lg_t *g)
{
    lframe_t *f = g->cur;
    if (!f)
        return;
    g->cur = NULL;
    rn_frame_seal(f->buf.p, (uint32_t)(f->buf.len - RN_FRAME_HDR), f->count, f->first_lsn);
    g->tail_off = f->off + f->buf.len;
    pthread_mutex_lock(&g->mu); /* the writer follows the same links */
    if (g->ftail)
        g->ftail->next = f;
    else
        g->fhead = f;
    g->ftail = f;
    if (!g->wnext)
        g->wnext = f;
    g->wlast = f;
    pthread_cond_signal(&g->cv);
    pthread_mutex_unlock(&g->mu);
}

static void lg_flush_op(rn_store_t *st)
{
    lg_flush((lg_t *)st);
}

static void on_prepare(uv_prepare_t *h)
{
    lg_flush(h->data);
}

/* A range delete is not among the inner engine's pending reads: until
 * SQLite has applied it, reads still see its records. The contract says a
 * barrier past it sees them gone, so such a barrier also waits for SQLite. */
static int range_unapplied(lg_t *g)
{
    if (g->range_lsn <= g->range_applied)
        return 0;
    g->range_applied = rn_sqlite_durable_lsn(g->inner);
    if (g->range_applied > g->range_lsn)
        g->range_applied = g->range_lsn;
    return g->range_lsn > g->range_applied;
}

static void fire_after_ranges(lg_t *g, lbarrier_t *b)
{
    uint64_t upto = b->lsn < g->range_lsn ? b->lsn : g->range_lsn;
    if (rn_store_barrier(g->inner, upto, b->fn, b->arg))
        b->fn(b->arg, 0);
}

static void on_async(uv_async_t *a)
{
    lg_t *g = a->data;
    pthread_mutex_lock(&g->mu);
    uint64_t durable = g->durable_lsn, failed = g->failed_upto;
    pthread_mutex_unlock(&g->mu);
    /* frames now durable are read back from their files */
    while (g->fhead && g->fhead->last_lsn <= durable) {
        lframe_t *f = g->fhead;
        g->fhead = f->next;
        if (!g->fhead)
            g->ftail = NULL;
        rn_logbuf_free(&f->buf);
        rn_free(f);
    }
    g->durable_seen = durable;
    g->failed_seen = failed;
    while (g->bhead && (g->bhead->lsn <= durable || g->bhead->lsn <= failed)) {
        lbarrier_t *b = g->bhead;
        g->bhead = b->next;
        if (!g->bhead)
            g->btail = NULL;
        if (b->lsn <= durable && range_unapplied(g))
            fire_after_ranges(g, b);
        else
            b->fn(b->arg, b->lsn <= durable ? 0 : -1);
        rn_free(b);
    }
}

/* ---- mutations ---- */

static long enc_queue_put(rn_logbuf_t *b, uint64_t lsn, const void *arg)
{
    const rn_store_queue_rec_t *q = arg;
    return rn_rec_queue_put(b, lsn, q->qid, q->name, q->state_json);
}

typedef struct ids {
    int type;
    int64_t qid, seq;
} ids_t;

static long enc_ids(rn_logbuf_t *b, uint64_t lsn, const void *arg)
{
    const ids_t *i = arg;
    return i->type == RN_REC_RESET ? rn_rec_reset(b, lsn) : rn_rec_ids(b, i->type, lsn, i->qid, i->seq);
}

static long enc_msg_put(rn_logbuf_t *b, uint64_t lsn, const void *arg)
{
    return rn_rec_msg_put(b, lsn, arg);
}

typedef struct state_args {
    int64_t qid, seq, visible, first;
    int rc;
} state_args_t;

static long enc_state(rn_logbuf_t *b, uint64_t lsn, const void *arg)
{
    const state_args_t *a = arg;
    return rn_rec_msg_state(b, lsn, a->qid, a->seq, a->visible, a->rc, a->first);
}

typedef struct kv_args {
    int type;
    const char *a, *b, *c;
} kv_args_t;

static long enc_kv(rn_logbuf_t *b, uint64_t lsn, const void *arg)
{
    const kv_args_t *k = arg;
    return rn_rec_kv(b, k->type, lsn, k->a, k->b, k->c);
}

static void count_client(lg_t *g, int64_t off)
{
    g->client_bytes += rn_le32(g->cur->buf.p + (off - (int64_t)g->cur->off));
}

/* Appends a message record the store's caller asked for: its offset in
 * segment *seg, or -1. */
static int64_t append_msg(lg_t *g, lg_encode_fn enc, const void *arg, uint32_t *seg)
{
    uint64_t lsn;
    int64_t off = lg_append(g, enc, arg, seg, &lsn);
    if (off >= 0)
        count_client(g, off);
    return off;
}

/* Appends a queue, keyed or reset record; 0 with the LSN the inner engine
 * must give its copy, or -1. */
static int append_keyed(lg_t *g, lg_encode_fn enc, const void *arg, uint64_t *lsn)
{
    uint32_t seg;
    int64_t off = lg_append(g, enc, arg, &seg, lsn);
    if (off < 0)
        return -1;
    g->segs[seg].keyed_lsn = *lsn;
    count_client(g, off);
    rn_sqlite_next_lsn(g->inner, *lsn);
    return 0;
}

#define LG(st) ((lg_t *)(st))

static void lg_reset(rn_store_t *st)
{
    lg_t *g = LG(st);
    ids_t i = {RN_REC_RESET, 0, 0};
    uint64_t lsn;
    if (append_keyed(g, enc_ids, &i, &lsn) < 0)
        return;
    lg_ix_purge(g, 0, g->cur->seg, 1);
    g->inner->ops->reset(g->inner);
}

static void lg_queue_put(rn_store_t *st, const rn_store_queue_rec_t *q)
{
    lg_t *g = LG(st);
    uint64_t lsn;
    if (append_keyed(g, enc_queue_put, q, &lsn) == 0)
        g->inner->ops->queue_put(g->inner, q);
}

static void lg_queue_delete(rn_store_t *st, int64_t qid)
{
    lg_t *g = LG(st);
    ids_t i = {RN_REC_QUEUE_DEL, qid, 0};
    uint64_t lsn;
    if (append_keyed(g, enc_ids, &i, &lsn) < 0)
        return;
    lg_ix_purge(g, qid, g->cur->seg, 0);
    g->inner->ops->queue_delete(g->inner, qid);
}

static void lg_msg_put(rn_store_t *st, const rn_store_msg_rec_t *m)
{
    lg_t *g = LG(st);
    uint32_t seg;
    int64_t off = append_msg(g, enc_msg_put, m, &seg);
    if (off < 0)
        return;
    uint32_t il = (uint32_t)strlen(m->id), ml = m->meta_json ? (uint32_t)strlen(m->meta_json) : 0;
    if (lg_ix_put(g, m->seq, m->qid, seg, (uint64_t)off, rn_msg_put_body_off(il, ml), (uint32_t)m->body_len,
                  m->cold ? (uint32_t)m->cold_len : UINT32_MAX) < 0)
        RN_ERROR("store: out of memory indexing a message");
}

static void lg_msg_state(rn_store_t *st, int64_t qid, int64_t seq, int64_t visible_ms, int receive_count,
                         int64_t first_receive_ms)
{
    lg_t *g = LG(st);
    if (!rn_msgindex_get(&g->ix, seq))
        return; /* no such message: nothing to record */
    state_args_t a = {qid, seq, visible_ms, first_receive_ms, receive_count};
    uint32_t seg;
    int64_t off = append_msg(g, enc_state, &a, &seg);
    if (off < 0)
        return;
    lg_ix_state(g, seq, seg, (uint64_t)off);
}

static void lg_msg_delete(rn_store_t *st, int64_t qid, int64_t seq)
{
    lg_t *g = LG(st);
    if (!rn_msgindex_get(&g->ix, seq))
        return;
    ids_t i = {RN_REC_MSG_DEL, qid, seq};
    uint32_t seg;
    int64_t off = append_msg(g, enc_ids, &i, &seg);
    if (off < 0)
        return;
    lg_ix_del(g, seq, seg);
}

static void lg_msg_purge(rn_store_t *st, int64_t qid)
{
    lg_t *g = LG(st);
    ids_t i = {RN_REC_MSG_PURGE, qid, 0};
    uint32_t seg;
    int64_t off = append_msg(g, enc_ids, &i, &seg);
    if (off < 0)
        return;
    lg_ix_purge(g, qid, seg, 0);
}

static void lg_kv_put(rn_store_t *st, const char *ns, const char *key, const char *value)
{
    lg_t *g = LG(st);
    kv_args_t k = {RN_REC_KV_PUT, ns, key, value};
    uint64_t lsn;
    if (append_keyed(g, enc_kv, &k, &lsn) == 0)
        g->inner->ops->kv_put(g->inner, ns, key, value);
}

static void lg_kv_delete(rn_store_t *st, const char *ns, const char *key)
{
    lg_t *g = LG(st);
    kv_args_t k = {RN_REC_KV_DEL, ns, key, NULL};
    uint64_t lsn;
    if (append_keyed(g, enc_kv, &k, &lsn) == 0)
        g->inner->ops->kv_delete(g->inner, ns, key);
}

static void lg_kv_delete_range(rn_store_t *st, const char *ns, const char *from, const char *to)
{
    lg_t *g = LG(st);
    kv_args_t k = {RN_REC_KV_RANGE, ns, from, to};
    uint64_t lsn;
    if (append_keyed(g, enc_kv, &k, &lsn) < 0)
        return;
    g->inner->ops->kv_delete_range(g->inner, ns, from, to);
    g->range_lsn = lsn;
}

static int lg_kv_get(rn_store_t *st, const char *ns, const char *key, char **value)
{
    return LG(st)->inner->ops->kv_get(LG(st)->inner, ns, key, value);
}

static int lg_kv_scan(rn_store_t *st, const char *ns, const char *from, const char *to, rn_store_kv_fn fn, void *ud)
{
    return LG(st)->inner->ops->kv_scan(LG(st)->inner, ns, from, to, fn, ud);
}

static int lg_kv_rscan(rn_store_t *st, const char *ns, const char *from, const char *to, rn_store_kv_fn fn,
                       void *ud)
{
    return LG(st)->inner->ops->kv_rscan(LG(st)->inner, ns, from, to, fn, ud);
}

/* ---- reading a message back ---- */

/* Copies n bytes at (seg, off) from a frame not yet durable: 1, or 0 when no
 * frame in RAM holds them. */
static int read_from_frames(lg_t *g, uint32_t seg, uint64_t off, char *out, size_t n)
{
    for (lframe_t *f = g->fhead; f; f = f->next) /* the loop alone frees them: no lock needed */
        if (f->seg == seg && off >= f->off && off + n <= f->off + f->buf.len) {
            memcpy(out, f->buf.p + (off - f->off), n);
            return 1;
        }
    lframe_t *f = g->cur;
    if (f && f->seg == seg && off >= f->off && off + n <= f->off + f->buf.len) {
        memcpy(out, f->buf.p + (off - f->off), n);
        return 1;
    }
    return 0;
}

int lg_read_at(lg_t *g, uint32_t seg, uint64_t off, char *out, size_t n)
{
    if (read_from_frames(g, seg, off, out, n))
        return 0;
    seginfo_t *s = lg_seg(g, seg);
    if (!s)
        return RN_ERR_NOMEM;
    if (s->rfd < 0 && (s->rfd = rn_seg_open_read(g->logdir, seg)) < 0) {
        RN_ERROR("store: cannot open log segment %u for reading: %s", seg, strerror(errno));
        return RN_ERR_INTERNAL;
    }
    size_t done = 0;
    while (done < n) {
        ssize_t r = rn_io_pread(s->rfd, out + done, n - done, (off_t)(off + done));
        if (r <= 0) {
            RN_ERROR("store: cannot read log segment %u at %llu: %s", seg, (unsigned long long)(off + done),
                     r < 0 ? strerror(errno) : "short file");
            return RN_ERR_INTERNAL;
        }
        done += (size_t)r;
    }
    return 0;
}

static int lg_msg_read(rn_store_t *st, int64_t qid, int64_t seq, char **body, size_t *body_len, char **cold,
                       size_t *cold_len)
{
    lg_t *g = LG(st);
    rn_msgent_t *e = rn_msgindex_get(&g->ix, seq);
    if (!e || rn_msgindex_qid(&g->ix, e->qidx) != qid)
        return 1;
    int has_cold = e->cold_len != UINT32_MAX;
    size_t bl = e->body_len, cl = has_cold ? e->cold_len : 0;
    char *p = rn_malloc(bl + cl + 2);
    if (!p)
        return RN_ERR_NOMEM;
    int rc = lg_read_at(g, e->seg, (uint64_t)e->off + e->hdr_len, p, bl + cl);
    if (rc) {
        rn_free(p);
        return rc;
    }
    memmove(p + bl + 1, p + bl, cl);
    p[bl] = '\0';
    p[bl + 1 + cl] = '\0';
    *body = p;
    *body_len = bl;
    *cold = has_cold ? p + bl + 1 : NULL;
    *cold_len = cl;
    return 0;
}

/* ---- load ---- */

typedef struct lload {
    lg_t *g;
    const rn_store_loader_t *l;
    int msgs_done;
} lload_t;

static int cmp_load(const void *a, const void *b)
{
    const loadrec_t *x = a, *y = b;
    if (x->qid != y->qid)
        return x->qid < y->qid ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Replays the live messages recovery saw, in (qid, seq) order. */
static int load_msgs(lload_t *ld)
{
    lg_t *g = ld->g;
    ld->msgs_done = 1;
    size_t n = 0;
    for (size_t i = 0; i < g->nload; i++) { /* keep the last put of each live seq */
        loadrec_t *r = &g->load[i];
        rn_msgent_t *le = rn_msgindex_get(&g->loadix, r->seq);
        if (le && le->off == i && rn_msgindex_get(&g->ix, r->seq))
            g->load[n++] = *r;
    }
    if (n)
        qsort(g->load, n, sizeof *g->load, cmp_load);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        loadrec_t *r = &g->load[i];
        rn_msgent_t *e = rn_msgindex_get(&g->ix, r->seq);
        const char *str = (const char *)g->loadstr.p + r->str;
        rn_store_msg_rec_t m = {
            .qid = r->qid,
            .seq = r->seq,
            .id = str,
            .body = NULL,
            .body_len = e->body_len,
            .meta_json = str + r->id_len + 1,
            .cold = NULL,
            .cold_len = e->cold_len == UINT32_MAX ? 0 : e->cold_len,
            .sent_ms = r->sent,
            .visible_ms = r->visible,
            .receive_count = r->rc,
            .first_receive_ms = r->first,
        };
        rc = ld->l->msg(ld->l->ud, &m);
    }
    rn_free(g->load);
    g->load = NULL;
    g->nload = g->load_cap = 0;
    rn_msgindex_free(&g->loadix);
    rn_logbuf_free(&g->loadstr);
    return rc;
}

static int load_queue(void *ud, const rn_store_queue_rec_t *q)
{
    lload_t *ld = ud;
    return ld->l->queue(ld->l->ud, q);
}

static int load_kv(void *ud, const char *ns, const char *key, const char *value)
{
    lload_t *ld = ud;
    int rc = ld->msgs_done ? 0 : load_msgs(ld);
    return rc ? rc : ld->l->kv(ld->l->ud, ns, key, value);
}

static int lg_load(rn_store_t *st, const rn_store_loader_t *l)
{
    lg_t *g = LG(st);
    lload_t ld = {g, l, 0};
    rn_store_loader_t wrap = {load_queue, NULL, load_kv, &ld};
    int rc = g->inner->ops->load(g->inner, &wrap);
    if (rc == 0 && !ld.msgs_done)
        rc = load_msgs(&ld);
    return rc;
}

/* ---- barriers, stats ---- */

static uint64_t lg_last_seq(const rn_store_t *st)
{
    return ((const lg_t *)st)->lsn;
}

static int lg_barrier(rn_store_t *st, uint64_t seq, void (*fn)(void *arg, int err), void *arg)
{
    lg_t *g = LG(st);
    if (seq == 0 || seq <= g->durable_seen)
        return 1;
    lbarrier_t *b = rn_malloc(sizeof *b);
    if (!b) {
        RN_ERROR("store: out of memory for a barrier");
        return 1;
    }
    *b = (lbarrier_t){NULL, seq, fn, arg};
    if (g->btail)
        g->btail->next = b;
    else
        g->bhead = b;
    g->btail = b;
    return 0;
}

static void lg_stats(const rn_store_t *st, uint64_t *committed, uint64_t *batches)
{
    lg_t *g = (lg_t *)st;
    pthread_mutex_lock(&g->mu);
    *committed = g->committed;
    *batches = g->batches;
    pthread_mutex_unlock(&g->mu);
}

static int lg_disk_stats(const rn_store_t *st, rn_store_disk_stats_t *d)
{
    lg_t *g = (lg_t *)st;
    memset(d, 0, sizeof *d);
    for (uint32_t i = 0; i < g->nsegs; i++) {
        if (!g->segs[i].exists)
            continue;
        d->segments++;
        d->record_bytes += g->segs[i].bytes;
        d->live_bytes += g->segs[i].live;
    }
    d->messages = g->ix.len;
    d->client_bytes = g->client_bytes;
    d->compacted_bytes = g->compact_bytes;
    pthread_mutex_lock(&g->mu);
    d->written_bytes = g->written_bytes;
    d->syncs = g->syncs;
    d->write_errors = g->write_errors;
    pthread_mutex_unlock(&g->mu);
    return 0;
}

/* ---- open, close ---- */

static void on_closed(uv_handle_t *h)
{
    lg_t *g = h->data;
    if (--g->open_handles == 0)
        rn_free(g);
}

static void on_compact_timer(uv_timer_t *t)
{
    lg_compact_step(t->data);
}

static void lg_close(rn_store_t *st)
{
    lg_t *g = LG(st);
    lg_flush(g);
    pthread_mutex_lock(&g->mu);
    g->stop = 1;
    pthread_cond_signal(&g->cv);
    pthread_mutex_unlock(&g->mu);
    pthread_join(g->writer, NULL);
    on_async(&g->async); /* fires what became durable (and frees those frames) */
    while (g->fhead) { /* never written (the disk failed to the end) */
        lframe_t *f = g->fhead;
        g->fhead = f->next;
        rn_logbuf_free(&f->buf);
        rn_free(f);
    }
    while (g->bhead) {
        lbarrier_t *b = g->bhead;
        g->bhead = b->next;
        b->fn(b->arg, -1);
        rn_free(b);
    }
    rn_store_close(g->inner);
    lg_compact_free(g);
    for (uint32_t i = 0; i < g->nsegs; i++)
        if (g->segs[i].rfd >= 0)
            rn_io_close(g->segs[i].rfd);
    rn_free(g->segs);
    rn_free(g->unlinks);
    rn_msgindex_free(&g->ix);
    rn_free(g->load);
    rn_msgindex_free(&g->loadix);
    rn_logbuf_free(&g->loadstr);
    rn_logbuf_free(&g->scratch);
    rn_sidecar_free(&g->sc);
    if (g->wfd >= 0)
        rn_io_close(g->wfd);
    rn_io_close(g->lockfd); /* last: the data dir is another process's to take now */
    pthread_mutex_destroy(&g->mu);
    pthread_cond_destroy(&g->cv);
    g->open_handles = 3;
    uv_close((uv_handle_t *)&g->prepare, on_closed);
    uv_close((uv_handle_t *)&g->async, on_closed);
    uv_close((uv_handle_t *)&g->compact_timer, on_closed);
}

static const rn_store_ops_t ops = {
    .kind = "log",
    .load = lg_load,
    .close = lg_close,
    .reset = lg_reset,
    .queue_put = lg_queue_put,
    .queue_delete = lg_queue_delete,
    .msg_put = lg_msg_put,
    .msg_state = lg_msg_state,
    .msg_delete = lg_msg_delete,
    .msg_purge = lg_msg_purge,
    .msg_read = lg_msg_read,
    .kv_put = lg_kv_put,
    .kv_delete = lg_kv_delete,
    .kv_delete_range = lg_kv_delete_range,
    .kv_get = lg_kv_get,
    .kv_scan = lg_kv_scan,
    .kv_rscan = lg_kv_rscan,
    .last_seq = lg_last_seq,
    .barrier = lg_barrier,
    .stats = lg_stats,
    .disk_stats = lg_disk_stats,
    .flush = lg_flush_op,
    .durable = 1,
};

int rn_store_open_log(uv_loop_t *loop, const char *dir, rn_fsync_t fsync_mode, rn_store_t **out, char *msg,
                      size_t msglen)
{
    if (mkdir(dir, 0755) < 0 && errno != EEXIST)
        return snprintf(msg, msglen, "cannot create data dir %s: %s", dir, strerror(errno)), -1;
    lg_t *g = rn_calloc(1, sizeof *g);
    if (!g)
        return snprintf(msg, msglen, "out of memory"), -1;
    g->base.ops = &ops;
    g->loop = loop;
    g->sync = fsync_mode == RN_FSYNC_ALWAYS;
    g->wfd = -1;
    snprintf(g->dir, sizeof g->dir, "%s", dir);
    /* tests make segments small to see them roll and compact */
    const char *roll = getenv("RUNNEL_LOG_SEGMENT_BYTES");
    g->seg_roll = roll && atol(roll) >= 4096 ? (uint64_t)atol(roll) : RN_SEG_ROLL;
    snprintf(g->logdir, sizeof g->logdir, "%s/log", dir);
    if ((g->lockfd = rn_datadir_lock(dir, msg, msglen)) < 0) {
        rn_free(g);
        return -1;
    }
    if (rn_format_prepare(dir, lg_migrate_v1, &fsync_mode, msg, msglen) < 0) {
        rn_io_close(g->lockfd);
        rn_free(g);
        return -1;
    }
    if (mkdir(g->logdir, 0755) < 0 && errno != EEXIST) {
        snprintf(msg, msglen, "cannot create %s: %s", g->logdir, strerror(errno));
        rn_io_close(g->lockfd);
        rn_free(g);
        return -1;
    }
    if (rn_store_open_sqlite_inner(loop, dir, fsync_mode, &g->inner, msg, msglen) < 0) {
        rn_io_close(g->lockfd);
        rn_free(g);
        return -1;
    }
    pthread_mutex_init(&g->mu, NULL);
    pthread_cond_init(&g->cv, NULL);
    if (lg_recover(g, msg, msglen) < 0) {
        rn_store_close(g->inner);
        uv_run(loop, UV_RUN_NOWAIT); /* the inner engine frees itself in close callbacks */
        rn_msgindex_free(&g->ix);
        rn_free(g->load);
        rn_msgindex_free(&g->loadix);
        rn_logbuf_free(&g->loadstr);
        for (uint32_t i = 0; i < g->nsegs; i++)
            if (g->segs[i].rfd >= 0)
                rn_io_close(g->segs[i].rfd);
        rn_free(g->segs);
        if (g->wfd >= 0)
            rn_io_close(g->wfd);
        pthread_mutex_destroy(&g->mu);
        pthread_cond_destroy(&g->cv);
        rn_io_close(g->lockfd);
        rn_free(g);
        return -1;
    }
    uv_async_init(loop, &g->async, on_async);
    g->async.data = g;
    uv_unref((uv_handle_t *)&g->async);
    uv_prepare_init(loop, &g->prepare);
    g->prepare.data = g;
    uv_prepare_start(&g->prepare, on_prepare);
    uv_unref((uv_handle_t *)&g->prepare);
    uv_timer_init(loop, &g->compact_timer);
    g->compact_timer.data = g;
    uv_timer_start(&g->compact_timer, on_compact_timer, 200, 200);
    uv_unref((uv_handle_t *)&g->compact_timer);
    pthread_create(&g->writer, NULL, lg_writer_main, g);
    *out = &g->base;
    return 0;
}
