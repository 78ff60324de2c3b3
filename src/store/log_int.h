/* SPDX-License-Identifier: MIT
 * Inside the log engine: the pieces engine_log.c, recover.c and compact.c
 * share (record encoding, segment files, the message index). Not for use
 * outside src/store/. */
#ifndef RN_STORE_LOG_INT_H
#define RN_STORE_LOG_INT_H
#include <stddef.h>
#include <stdint.h>

#include "store/logfmt.h"
#include "store/store.h"

/* ---- record.c: a growing byte buffer and the encoders ---- */
typedef struct rn_logbuf {
    unsigned char *p;
    size_t len, cap;
} rn_logbuf_t;
int rn_logbuf_reserve(rn_logbuf_t *b, size_t more); /* 0, or -1 out of memory */
void rn_logbuf_free(rn_logbuf_t *b);
/* Each appends one record to b and returns its offset in b, or -1 (out of
 * memory, or a field too long for the format). */
long rn_rec_queue_put(rn_logbuf_t *b, uint64_t lsn, int64_t qid, const char *name, const char *state);
long rn_rec_ids(rn_logbuf_t *b, int type, uint64_t lsn, int64_t qid, int64_t seq);
long rn_rec_reset(rn_logbuf_t *b, uint64_t lsn);
long rn_rec_msg_put(rn_logbuf_t *b, uint64_t lsn, const rn_store_msg_rec_t *m);
long rn_rec_msg_state(rn_logbuf_t *b, uint64_t lsn, int64_t qid, int64_t seq, int64_t visible_ms, int receive_count,
                      int64_t first_receive_ms);
long rn_rec_kv(rn_logbuf_t *b, int type, uint64_t lsn, const char *a, const char *bk, const char *c);
/* Fills the RN_FRAME_HDR bytes at hdr for the plen payload bytes that
 * follow it (count records, the first numbered first_lsn). */
void rn_frame_seal(unsigned char *hdr, uint32_t plen, uint32_t count, uint64_t first_lsn);

/* ---- segment.c: segment files ---- */
/* "logdir/0000000042.seg" into out. */
void rn_seg_path(char *out, size_t n, const char *logdir, uint32_t segno);
/* Creates (truncating) segment segno with its header, syncs the directory;
 * an fd open read-write at the end of the header, or -1 (errno set). */
int rn_seg_create(const char *logdir, uint32_t segno, uint64_t first_lsn, int sync);
/* Opens segment segno for reading: an fd or -1. */
int rn_seg_open_read(const char *logdir, uint32_t segno);
/* Opens an existing segment for appending at `tail` (truncating anything
 * after it): an fd or -1. */
int rn_seg_open_append(const char *logdir, uint32_t segno, uint64_t tail);
/* Segment numbers in logdir, ascending (caller frees *nums with rn_free):
 * 0, or -1 when the directory cannot be read (a missing one is empty). */
int rn_seg_list(const char *logdir, uint32_t **nums, size_t *n);
/* Reads the whole file at path (rn_free): 0, or -1 with errno set. */
int rn_file_read(const char *path, unsigned char **buf, size_t *len);

/* ---- msgindex.c: the RAM index of live messages, by seq ---- */
typedef struct rn_msgent {
    int64_t seq;
    uint32_t qidx;      /* the queue, as rn_msgindex_qid() gives it back */
    uint32_t seg;       /* segment of the put record; 0 marks an empty slot */
    uint32_t off;       /* offset of the put record in it */
    uint32_t hdr_len;   /* bytes from the record's start to the body */
    uint32_t body_len, cold_len; /* cold_len UINT32_MAX: the put had no cold part */
    uint32_t state_seg; /* segment of its latest MSG_STATE record (0: none) */
    uint32_t state_off;
} rn_msgent_t; /* 40 bytes */

typedef struct rn_msgindex {
    rn_msgent_t *ents; /* open addressing, linear probing, backward-shift deletion */
    size_t cap, len;   /* cap is a power of two (or 0) */
    int64_t *qids;     /* qidx -> qid */
    uint32_t nqids, qcap;
    uint32_t *qslots;  /* hash of qid -> qidx + 1 (0 empty) */
    uint32_t qslot_cap;
} rn_msgindex_t;

/* The entry of seq, or NULL. The pointer is valid until the next insert. */
rn_msgent_t *rn_msgindex_get(const rn_msgindex_t *ix, int64_t seq);
/* Inserts e (replacing an entry of the same seq, copied to *old with 1
 * returned): 0, 1, or -1 out of memory. */
int rn_msgindex_put(rn_msgindex_t *ix, const rn_msgent_t *e, rn_msgent_t *old);
/* Removes seq, copying its entry to *old: 1, or 0 when absent. */
int rn_msgindex_del(rn_msgindex_t *ix, int64_t seq, rn_msgent_t *old);
/* The small number a qid is kept as (added on first use): >= 0, or -1 out
 * of memory. */
long rn_msgindex_qidx(rn_msgindex_t *ix, int64_t qid);
int64_t rn_msgindex_qid(const rn_msgindex_t *ix, uint32_t qidx);
/* Visits every entry: fn returning 1 removes it. Entries may move while
 * removing, so each is visited at most once but fn must not insert. */
void rn_msgindex_sweep(rn_msgindex_t *ix, int (*fn)(void *ud, const rn_msgent_t *e), void *ud);
void rn_msgindex_clear(rn_msgindex_t *ix); /* empties it, keeping qids */
void rn_msgindex_free(rn_msgindex_t *ix);
#endif
