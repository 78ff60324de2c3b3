/* SPDX-License-Identifier: MIT
 * The log engine's state, shared by its files: engine_log.c (the ops table,
 * frames, barriers, msg_read, load), logwriter.c (the writer thread),
 * recover.c (open: scan, index, replay) and compact.c. Loop-only fields are
 * marked; the rest are guarded by mu. Not for use outside src/store/. */
#ifndef RN_STORE_ENGINE_LOG_H
#define RN_STORE_ENGINE_LOG_H
#include <pthread.h>
#include <stdint.h>
#include <uv.h>

#include "store/log_int.h"
#include "store/sidecar.h"
#include "store/store_int.h"

/* One loop turn's records: a frame, placed at (seg, off) when it is begun.
 * The loop allocates and frees it; the writer only reads it. */
typedef struct lframe {
    struct lframe *next;
    uint32_t seg;
    uint64_t off;
    int new_seg;            /* the frame opens segment seg */
    uint64_t first_lsn, last_lsn;
    uint32_t count;
    rn_logbuf_t buf;        /* frame header, then the records */
} lframe_t;

typedef struct seginfo {
    uint64_t bytes;     /* record bytes in it */
    uint64_t live;      /* bytes of its live message records */
    uint64_t keyed_lsn; /* largest LSN of a queue, keyed or reset record in it */
    uint32_t tomb_min;  /* oldest segment its delete records refer to (UINT32_MAX: none) */
    int exists;         /* the file is there (not deleted) */
    int rfd;            /* the loop's read descriptor, or -1 */
} seginfo_t;

typedef struct lbarrier {
    struct lbarrier *next;
    uint64_t lsn;
    void (*fn)(void *, int);
    void *arg;
} lbarrier_t;

/* What rn_store_load replays of a message (kept from recovery until load). */
typedef struct loadrec {
    int64_t seq, qid, sent, visible, first;
    int rc;
    uint32_t id_len, meta_len;
    uint64_t str; /* offset in loadstr: id, NUL, meta, NUL */
} loadrec_t;

typedef struct lg {
    rn_store_t base; /* first: the store's ops */
    uv_loop_t *loop;
    char dir[4096], logdir[4200];
    int sync;         /* fdatasync before acknowledging (--fsync always) */
    uint64_t seg_roll; /* a segment rolls past this many bytes (RN_SEG_ROLL, or
                          RUNNEL_LOG_SEGMENT_BYTES for tests) */
    rn_store_t *inner; /* sqlite: queue and keyed records' home */
    int lockfd;        /* holds DATA/LOCK (rn_datadir_lock) until closed */

    /* loop only */
    uint64_t lsn;            /* last LSN given */
    lframe_t *cur;           /* this turn's frame, NULL when none yet */
    uint32_t tail_seg;       /* where the next frame goes */
    uint64_t tail_off;
    lframe_t *fhead, *ftail; /* frames handed to the writer and not yet durable, oldest first */
    rn_msgindex_t ix;
    seginfo_t *segs;         /* by segment number */
    uint32_t nsegs;          /* entries in segs */
    lbarrier_t *bhead, *btail;
    uint64_t durable_seen, failed_seen;
    uint64_t range_lsn;      /* LSN of the last range delete */
    uint64_t range_applied;  /* SQLite has applied range deletes up to here */
    uint64_t client_bytes;   /* record bytes the store's callers appended */
    uint64_t compact_bytes;  /* record bytes compaction appended */
    loadrec_t *load;         /* recovery's replay of messages, until load */
    size_t nload, load_cap;
    rn_msgindex_t loadix;    /* seq -> index in load (in .off) */
    rn_logbuf_t loadstr;
    uv_async_t async;
    uv_prepare_t prepare;
    uv_timer_t compact_timer;
    int open_handles;
    struct compactor *compact; /* compact.c's state, NULL when idle */

    /* shared with the writer, guarded by mu */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t writer;
    lframe_t *wnext;         /* first frame not yet durable (NULL: none pending) */
    lframe_t *wlast;         /* last frame handed over (valid while wnext is set) */
    uint64_t durable_lsn;
    uint64_t failed_upto;    /* barriers up to here fail */
    uint32_t *unlinks;       /* segments to delete */
    size_t nunlinks, unlink_cap;
    int stop;
    uint64_t committed, batches, written_bytes, syncs, write_errors;

    /* writer only */
    int wfd;
    uint32_t wseg;
    int64_t wpos;            /* where wfd's next write lands (-1: unknown, truncate first) */
    rn_logbuf_t scratch;
    rn_sidecar_t sc;         /* the index file of the segment being written */
} lg_t;

/* ---- engine_log.c: the index and its accounting (loop only) ---- */
seginfo_t *lg_seg(lg_t *g, uint32_t segno); /* grows segs; NULL out of memory */
int lg_ix_put(lg_t *g, int64_t seq, int64_t qid, uint32_t seg, uint64_t off, uint32_t hdr_len, uint32_t body_len,
              uint32_t cold_len);
void lg_ix_state(lg_t *g, int64_t seq, uint32_t seg, uint64_t off);
void lg_ix_del(lg_t *g, int64_t seq, uint32_t seg);
void lg_ix_purge(lg_t *g, int64_t qid, uint32_t seg, int all);
/* Appends one encoded record to this turn's frame (encode writes it into buf
 * with the LSN given): its offset in its segment file, or -1. */
typedef long (*lg_encode_fn)(rn_logbuf_t *b, uint64_t lsn, const void *arg);
int64_t lg_append(lg_t *g, lg_encode_fn enc, const void *arg, uint32_t *seg, uint64_t *lsn);
/* Reads n bytes at (seg, off) of the log, from a frame in RAM or the file:
 * 0, RN_ERR_NOMEM or RN_ERR_INTERNAL (logged). */
int lg_read_at(lg_t *g, uint32_t seg, uint64_t off, char *out, size_t n);
/* Hands this turn's frame to the writer. */
void lg_flush(lg_t *g);

/* ---- logwriter.c ---- */
void *lg_writer_main(void *arg);
/* Asks the writer to delete segment segno (after it syncs what it wrote). */
void lg_request_unlink(lg_t *g, uint32_t segno);

/* ---- recover.c ---- */
/* Scans the log, cuts a torn tail, rebuilds the index and the load table,
 * re-applies the keyed tail to g->inner. 0, or -1 with msg. */
int lg_recover(lg_t *g, char *msg, size_t msglen);
/* format.h's migration of a version 1 data dir into the log. */
int lg_migrate_v1(void *arg, const char *data_dir, char *err, size_t errlen);

/* ---- compact.c ---- */
/* One step of compaction, from the loop (a timer): bounded work. */
void lg_compact_step(lg_t *g);
void lg_compact_free(lg_t *g);
#endif
