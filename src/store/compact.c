/* SPDX-License-Identifier: MIT
 * Log compaction, run from the loop in small steps (a timer calls
 * lg_compact_step; each step copies at most a bounded number of bytes, so
 * the loop is never held long). A segment's live bytes are its live
 * messages' put records and latest state records (the index keeps the
 * count, engine_log.c); its queue and keyed records are live until SQLite
 * has durably applied them. Oldest first, a segment other than the current
 * one
 *   - with nothing live is deleted (by the writer thread, directory synced);
 *   - with less than a quarter live is copied forward: each live message is
 *     appended at the tail again as one put record carrying its current
 *     state, and the segment is deleted once those copies are durable.
 * A segment whose delete records may still hide puts in an older segment is
 * kept until that older segment is gone (else a deleted message would come
 * back at recovery). A crash between copy and delete leaves a message twice
 * in the log; recovery keeps the later put (same seq). Owns its victim's
 * list of messages to move. */
#include "store/engine_log.h"

#include <errno.h>
#include <string.h>

#include "core/log.h"
#include "core/mem.h"
#include "store/io.h"

#define STEP_BYTES (4u << 20) /* copied per step at most */

typedef struct compactor {
    uint32_t victim;      /* segment being copied forward (0: none) */
    int64_t *seqs;        /* its live messages still to move */
    size_t n, next;
    uint64_t copy_lsn;    /* LSN of the last copy made: deletions wait until it is durable */
} compactor_t;

static int find_victim_msgs(void *ud, const rn_msgent_t *e)
{
    void **a = ud;
    compactor_t *c = a[0];
    size_t *cap = a[1];
    if (e->seg != c->victim && e->state_seg != c->victim)
        return 0;
    if (c->n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 256;
        int64_t *p = rn_realloc(c->seqs, ncap * sizeof *p);
        if (!p)
            return 0; /* the rest waits for a later pass */
        c->seqs = p;
        *cap = ncap;
    }
    c->seqs[c->n++] = e->seq;
    return 0;
}

/* Is every segment older than s that s's delete records may refer to gone? */
static int tombs_clear(lg_t *g, uint32_t s)
{
    for (uint32_t k = g->segs[s].tomb_min; k < s && k < g->nsegs; k++)
        if (g->segs[k].exists)
            return 0;
    return 1;
}

/* Can segment s go or be copied now: not the current one, nothing of it still
 * waiting for the writer, its keyed records applied by SQLite. */
static int settled(lg_t *g, uint32_t s, uint64_t sqlite_durable)
{
    if (s >= g->tail_seg || (g->fhead && g->fhead->seg <= s) || (g->cur && g->cur->seg <= s))
        return 0;
    return g->segs[s].keyed_lsn <= sqlite_durable;
}

static void drop_segment(lg_t *g, uint32_t s)
{
    seginfo_t *si = &g->segs[s];
    si->exists = 0;
    if (si->rfd >= 0) {
        rn_io_close(si->rfd);
        si->rfd = -1;
    }
    si->bytes = si->live = 0;
    lg_request_unlink(g, s);
}

typedef struct copy_arg {
    const unsigned char *rec; /* the put record as read, with the current state patched in */
    uint32_t len;
} copy_arg_t;

static long enc_copy(rn_logbuf_t *b, uint64_t lsn, const void *arg)
{
    const copy_arg_t *c = arg;
    if (rn_logbuf_reserve(b, c->len) < 0)
        return -1;
    size_t off = b->len;
    memcpy(b->p + off, c->rec, c->len);
    rn_put64(b->p + off + 8, lsn);
    b->len += c->len;
    return (long)off;
}

/* Appends message seq again at the tail with its current state: bytes
 * copied, 0 when it is gone, -1 on failure (logged). */
static long copy_forward(lg_t *g, int64_t seq, rn_logbuf_t *tmp)
{
    rn_msgent_t *e = rn_msgindex_get(&g->ix, seq);
    if (!e)
        return 0;
    rn_msgent_t cur = *e;
    uint32_t cold = cur.cold_len == UINT32_MAX ? 0 : cur.cold_len;
    uint32_t len = cur.hdr_len + cur.body_len + cold;
    tmp->len = 0;
    if (rn_logbuf_reserve(tmp, len + RN_REC_HDR + RN_MSG_STATE_FIXED) < 0)
        return -1;
    unsigned char *rec = tmp->p;
    if (lg_read_at(g, cur.seg, cur.off, (char *)rec, len) != 0)
        return -1;
    if (cur.state_seg) { /* the latest state goes into the copy */
        unsigned char *st = rec + len;
        if (lg_read_at(g, cur.state_seg, cur.state_off, (char *)st, RN_REC_HDR + RN_MSG_STATE_FIXED) != 0)
            return -1;
        const unsigned char *f = st + RN_REC_HDR, *q = rec + RN_REC_HDR;
        memcpy((unsigned char *)q + 24, f + 16, 8); /* visible_ms */
        memcpy((unsigned char *)q + 32, f + 24, 8); /* first_receive_ms */
        memcpy((unsigned char *)q + 40, f + 32, 4); /* receive_count */
    }
    copy_arg_t a = {rec, len};
    uint32_t seg;
    uint64_t lsn;
    int64_t off = lg_append(g, enc_copy, &a, &seg, &lsn);
    if (off < 0)
        return -1;
    int64_t qid = rn_msgindex_qid(&g->ix, cur.qidx);
    if (lg_ix_put(g, seq, qid, seg, (uint64_t)off, cur.hdr_len, cur.body_len, cur.cold_len) < 0)
        return -1;
    g->compact_bytes += len;
    g->compact->copy_lsn = lsn;
    return len;
}

void lg_compact_step(lg_t *g)
{
    if (!g->compact && !(g->compact = rn_calloc(1, sizeof *g->compact)))
        return;
    compactor_t *c = g->compact;
    uint64_t sqlite_durable = rn_sqlite_durable_lsn(g->inner);
    /* 1. delete what holds nothing live, once the copies that emptied it are durable */
    if (g->durable_seen >= c->copy_lsn)
        for (uint32_t s = 1; s < g->tail_seg && s < g->nsegs; s++) {
            seginfo_t *si = &g->segs[s];
            if (!si->exists || si->live || !settled(g, s, sqlite_durable) || !tombs_clear(g, s))
                continue;
            if (c->victim == s) {
                c->victim = 0;
                c->n = c->next = 0;
            }
            drop_segment(g, s);
        }
    /* 2. copy forward the oldest sparse segment, a bounded amount per step */
    if (!c->victim) {
        for (uint32_t s = 1; s < g->tail_seg && s < g->nsegs; s++) {
            seginfo_t *si = &g->segs[s];
            if (si->exists && si->live && si->live * 4 < si->bytes && settled(g, s, sqlite_durable)) {
                c->victim = s;
                break;
            }
        }
        if (!c->victim)
            return;
        size_t cap = 0;
        c->n = c->next = 0;
        rn_free(c->seqs);
        c->seqs = NULL;
        void *a[2] = {c, &cap};
        rn_msgindex_sweep(&g->ix, find_victim_msgs, a);
    }
    rn_logbuf_t tmp = {0};
    uint64_t copied = 0;
    while (c->next < c->n && copied < STEP_BYTES) {
        long n = copy_forward(g, c->seqs[c->next], &tmp);
        if (n < 0) {
            RN_ERROR("store: compaction of log segment %u stopped (it stays)", c->victim);
            c->next = c->n;
            break;
        }
        copied += (uint64_t)n;
        c->next++;
    }
    rn_logbuf_free(&tmp);
    if (c->next == c->n) /* done: step 1 deletes it once the copies are durable */
        c->victim = 0;
}

void lg_compact_free(lg_t *g)
{
    if (g->compact)
        rn_free(g->compact->seqs);
    rn_free(g->compact);
    g->compact = NULL;
}
