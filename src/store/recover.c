/* SPDX-License-Identifier: MIT
 * The log engine's start: recovery and the migration of a version 1 data
 * dir. Recovery scans the log (segment.c's rn_log_scan, which cuts a torn
 * tail), rebuilds the message index from put, state and delete records
 * without keeping bodies, keeps what rn_store_load replays of each message
 * (id, meta, state) until load, re-applies to SQLite the queue and keyed
 * records it has not applied (LSN > meta(applied_lsn)) and opens the tail
 * segment for the writer. Migration copies a version 1 store's messages
 * table into the log as put records, syncs, then drops the table. Owns
 * nothing after it returns. */
#include "store/engine_log.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "core/mem.h"
#include "store/io.h"
#include "store/logscan.h"

typedef struct rctx {
    lg_t *g;
    uint64_t applied; /* SQLite's applied_lsn */
    uint64_t replayed;
} rctx_t;

static int keep_for_load(lg_t *g, const rn_log_rec_t *r)
{
    if (g->nload == g->load_cap) {
        size_t cap = g->load_cap ? g->load_cap * 2 : 1024;
        loadrec_t *p = rn_realloc(g->load, cap * sizeof *p);
        if (!p)
            return -1;
        g->load = p;
        g->load_cap = cap;
    }
    size_t str = g->loadstr.len;
    if (rn_logbuf_reserve(&g->loadstr, (size_t)r->id_len + r->meta_len + 2) < 0)
        return -1;
    unsigned char *p = g->loadstr.p + str;
    memcpy(p, r->id, r->id_len);
    p[r->id_len] = '\0';
    memcpy(p + r->id_len + 1, r->meta, r->meta_len);
    p[r->id_len + 1 + r->meta_len] = '\0';
    g->loadstr.len += (size_t)r->id_len + r->meta_len + 2;
    g->load[g->nload] = (loadrec_t){r->seq, r->qid, r->sent_ms, r->visible_ms, r->first_receive_ms,
                                    r->receive_count, r->id_len, r->meta_len, str};
    rn_msgent_t e = {.seq = r->seq, .seg = 1, .off = (uint32_t)g->nload};
    if (rn_msgindex_put(&g->loadix, &e, NULL) < 0)
        return -1;
    g->nload++;
    return 0;
}

/* Queues a keyed record again for SQLite, under its own LSN. */
static int replay(rctx_t *c, const rn_log_rec_t *r)
{
    rn_store_t *in = c->g->inner;
    char *a = NULL, *b = NULL, *d = NULL;
    int rc = 0;
    switch (r->type) {
    case RN_REC_QUEUE_PUT:
        a = rn_strndup(r->name, r->name_len);
        b = rn_strndup(r->state, r->state_len);
        if (!a || !b)
            break;
        rn_sqlite_next_lsn(in, r->lsn);
        in->ops->queue_put(in, &(rn_store_queue_rec_t){r->qid, a, b});
        rc = 1;
        break;
    case RN_REC_QUEUE_DEL:
        rn_sqlite_next_lsn(in, r->lsn);
        in->ops->queue_delete(in, r->qid);
        rc = 1;
        break;
    case RN_REC_RESET:
        rn_sqlite_next_lsn(in, r->lsn);
        in->ops->reset(in);
        rc = 1;
        break;
    case RN_REC_KV_PUT:
    case RN_REC_KV_DEL:
    case RN_REC_KV_RANGE:
        a = rn_strndup(r->ns, r->ns_len);
        b = r->type == RN_REC_KV_RANGE ? rn_strndup(r->from, r->from_len) : rn_strndup(r->key, r->key_len);
        d = r->type == RN_REC_KV_PUT    ? rn_strndup(r->value, r->value_len)
            : r->type == RN_REC_KV_RANGE ? rn_strndup(r->to, r->to_len)
                                         : rn_strdup("");
        if (!a || !b || !d)
            break;
        rn_sqlite_next_lsn(in, r->lsn);
        if (r->type == RN_REC_KV_PUT)
            in->ops->kv_put(in, a, b, d);
        else if (r->type == RN_REC_KV_DEL)
            in->ops->kv_delete(in, a, b);
        else
            in->ops->kv_delete_range(in, a, b, d);
        rc = 1;
        break;
    }
    rn_free(a);
    rn_free(b);
    rn_free(d);
    return rc ? 0 : -1;
}

static int on_record(void *ud, const rn_log_rec_t *r)
{
    rctx_t *c = ud;
    lg_t *g = c->g;
    seginfo_t *s = lg_seg(g, r->segment);
    if (!s)
        return -1;
    s->exists = 1;
    s->bytes += r->len;
    switch (r->type) {
    case RN_REC_MSG_PUT:
        if (lg_ix_put(g, r->seq, r->qid, r->segment, r->offset, rn_msg_put_body_off(r->id_len, r->meta_len),
                      r->body_len, (r->flags & RN_RECF_COLD) ? r->cold_len : UINT32_MAX) < 0 ||
            keep_for_load(g, r) < 0)
            return -1;
        return 0;
    case RN_REC_MSG_STATE: {
        lg_ix_state(g, r->seq, r->segment, r->offset);
        rn_msgent_t *le = rn_msgindex_get(&g->loadix, r->seq);
        if (le) {
            loadrec_t *l = &g->load[le->off];
            l->visible = r->visible_ms;
            l->rc = r->receive_count;
            l->first = r->first_receive_ms;
        }
        return 0;
    }
    case RN_REC_MSG_DEL:
        lg_ix_del(g, r->seq, r->segment);
        return 0;
    case RN_REC_MSG_PURGE:
        lg_ix_purge(g, r->qid, r->segment, 0);
        return 0;
    case RN_REC_QUEUE_DEL:
        lg_ix_purge(g, r->qid, r->segment, 0);
        break;
    case RN_REC_RESET:
        lg_ix_purge(g, 0, r->segment, 1);
        break;
    }
    /* queue, keyed and reset records */
    s->keyed_lsn = r->lsn;
    if (r->lsn <= c->applied)
        return 0;
    c->replayed++;
    return replay(c, r);
}

static double mono_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

int lg_recover(lg_t *g, char *msg, size_t msglen)
{
    double t0 = mono_ms();
    rctx_t c = {g, rn_sqlite_applied_lsn(g->inner), 0};
    rn_log_scan_stats_t *st = rn_malloc(sizeof *st);
    if (!st)
        return snprintf(msg, msglen, "out of memory"), -1;
    int rc = rn_log_scan(g->logdir, RN_SCAN_CUT | RN_SCAN_INDEXES, on_record, &c, st);
    if (rc == RN_LOG_CORRUPT) {
        snprintf(msg, msglen, "the log is damaged: %s (runnel check --data-dir %s says more)", st->error, g->dir);
        rn_free(st);
        return -1;
    }
    if (rc) {
        snprintf(msg, msglen, "cannot recover the log: %s", rc < 0 && st->error[0] ? st->error : "out of memory");
        rn_free(st);
        return -1;
    }
    if (st->torn_bytes)
        RN_WARN("store: cut a torn tail of %llu bytes from log segment %u at offset %llu (never acknowledged)",
                (unsigned long long)st->torn_bytes, st->torn_segment, (unsigned long long)st->torn_offset);
    if (st->segments)
        RN_INFO("store: read the log in %.0f ms: %u segments (%u from their index files), %llu MB, %llu records,"
                " %zu live messages",
                mono_ms() - t0, st->segments, st->indexed, (unsigned long long)(st->bytes >> 20),
                (unsigned long long)st->records, g->ix.len);
    g->lsn = st->last_lsn > c.applied ? st->last_lsn : c.applied;
    g->durable_lsn = g->durable_seen = g->lsn; /* all of it is on disk: a barrier on it holds at once */
    rn_sqlite_gate(g->inner, g->lsn); /* what was replayed is durable in the log */
    if (c.replayed) /* load reads SQLite's tables: they must hold it first */
        rn_sqlite_apply_now(g->inner);
    if (st->segments) { /* the last segment is appended to again: an index of it would go stale */
        char ipath[4300];
        rn_sidecar_path(ipath, sizeof ipath, g->logdir, st->last_segment);
        rn_io_unlink(ipath);
    }
    if (st->segments == 0) {
        g->tail_seg = 1;
        g->wfd = rn_seg_create(g->logdir, 1, g->lsn + 1, 1);
    } else {
        g->tail_seg = st->last_segment;
        g->wfd = rn_seg_open_append(g->logdir, st->last_segment, st->tail_offset);
    }
    g->tail_off = st->segments ? st->tail_offset : RN_SEG_HDR;
    rn_free(st);
    if (g->wfd < 0)
        return snprintf(msg, msglen, "cannot open log segment %u in %s: %s", g->tail_seg, g->logdir,
                        strerror(errno)),
               -1;
    g->wseg = g->tail_seg;
    g->wpos = (int64_t)g->tail_off;
    uint32_t *nums;
    size_t n;
    if (rn_seg_list(g->logdir, &nums, &n) == 0) { /* segments without records exist too */
        for (size_t i = 0; i < n; i++)
            if (nums[i] <= g->tail_seg && lg_seg(g, nums[i]))
                g->segs[nums[i]].exists = 1;
        rn_free(nums);
    }
    if (!lg_seg(g, g->tail_seg))
        return snprintf(msg, msglen, "out of memory"), -1;
    g->segs[g->tail_seg].exists = 1;
    if (c.replayed)
        RN_INFO("store: re-applied %llu queue and keyed records from the log", (unsigned long long)c.replayed);
    return 0;
}

/* ---- migration of a version 1 data dir ---- */

typedef struct mig {
    const char *logdir;
    int sync;
    int fd;
    uint32_t seg;
    uint64_t off, lsn;
    rn_logbuf_t frame;
    uint32_t count;
    uint64_t first;
} mig_t;

static int mig_flush(mig_t *m)
{
    if (!m->count)
        return 0;
    rn_frame_seal(m->frame.p, (uint32_t)(m->frame.len - RN_FRAME_HDR), m->count, m->first);
    if (m->off >= RN_SEG_ROLL) {
        if ((m->sync && rn_io_fdatasync(m->fd) < 0))
            return -1;
        rn_io_close(m->fd);
        m->seg++;
        m->off = RN_SEG_HDR;
        if ((m->fd = rn_seg_create(m->logdir, m->seg, m->first, m->sync)) < 0)
            return -1;
    }
    if (rn_io_write(m->fd, m->frame.p, m->frame.len) < 0)
        return -1;
    m->off += m->frame.len;
    m->frame.len = RN_FRAME_HDR;
    m->count = 0;
    return 0;
}

int lg_migrate_v1(void *arg, const char *data_dir, char *err, size_t errlen)
{
    int sync = *(const rn_fsync_t *)arg == RN_FSYNC_ALWAYS;
    char path[4200], logdir[4200];
    snprintf(path, sizeof path, "%s/runnel.db", data_dir);
    snprintf(logdir, sizeof logdir, "%s/log", data_dir);
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "cannot open %s to migrate it: %s", path, db ? sqlite3_errmsg(db) : "?");
        sqlite3_close(db);
        return -1;
    }
    sqlite3_busy_timeout(db, 10000);
    sqlite3_stmt *p = NULL;
    if (sqlite3_prepare_v2(db, rn_sqlite_msg_select, -1, &p, NULL) != SQLITE_OK) {
        sqlite3_close(db); /* no messages table: nothing to copy (or copied and dropped before a crash) */
        return 0;
    }
    if (mkdir(logdir, 0755) < 0 && errno != EEXIST) {
        snprintf(err, errlen, "cannot create %s: %s", logdir, strerror(errno));
        sqlite3_finalize(p);
        sqlite3_close(db);
        return -1;
    }
    /* a migration a crash interrupted starts over */
    uint32_t *nums;
    size_t n;
    if (rn_seg_list(logdir, &nums, &n) == 0) {
        for (size_t i = 0; i < n; i++) {
            char sp[4300];
            rn_seg_path(sp, sizeof sp, logdir, nums[i]);
            rn_io_unlink(sp);
        }
        rn_free(nums);
    }
    mig_t m = {logdir, sync, -1, 1, RN_SEG_HDR, 0, {0}, 0, 0};
    int ok = (m.fd = rn_seg_create(logdir, 1, 1, sync)) >= 0 && rn_logbuf_reserve(&m.frame, 1 << 20) == 0;
    m.frame.len = RN_FRAME_HDR;
    uint64_t copied = 0;
    int step;
    while (ok && (step = sqlite3_step(p)) == SQLITE_ROW) {
        rn_store_msg_rec_t r;
        rn_sqlite_msg_row(p, &r);
        if (!m.count)
            m.first = m.lsn + 1;
        ok = rn_rec_msg_put(&m.frame, ++m.lsn, &r) >= 0;
        m.count++;
        copied++;
        if (ok && m.frame.len >= (1u << 20))
            ok = mig_flush(&m) == 0;
    }
    sqlite3_finalize(p);
    if (ok)
        ok = mig_flush(&m) == 0 && (!sync || rn_io_fdatasync(m.fd) == 0) && rn_io_fsync_dir(logdir) == 0;
    if (m.fd >= 0)
        rn_io_close(m.fd);
    rn_logbuf_free(&m.frame);
    if (!ok) {
        snprintf(err, errlen, "cannot copy the messages of %s into %s: %s", path, logdir, strerror(errno));
        sqlite3_close(db);
        return -1;
    }
    char *e = NULL;
    if (sqlite3_exec(db, "DROP TABLE messages", NULL, NULL, &e) != SQLITE_OK) {
        snprintf(err, errlen, "cannot drop the messages table of %s: %s", path, e ? e : "?");
        sqlite3_free(e);
        sqlite3_close(db);
        return -1;
    }
    sqlite3_close(db);
    RN_INFO("store: migrated %llu messages into %s", (unsigned long long)copied, logdir);
    return 0;
}
