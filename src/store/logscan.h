/* SPDX-License-Identifier: MIT
 * Reading the log (the segment files of DATA/log, format in logfmt.h) front to back: every
 * record of every good frame, in order, with where it sits. Recovery uses it
 * (cutting a torn tail) and so does `runnel check` (reporting only). Owns
 * nothing after it returns. */
#ifndef RN_STORE_LOGSCAN_H
#define RN_STORE_LOGSCAN_H
#include <stddef.h>
#include <stdint.h>

#include "store/logfmt.h"

typedef struct rn_log_scan_stats {
    uint32_t segments;      /* segment files read */
    uint32_t indexed;       /* of which replayed from their index files (RN_SCAN_INDEXES) */
    uint32_t first_segment; /* 0 when the log is empty */
    uint32_t last_segment;
    uint64_t tail_offset;   /* end of the last good frame in last_segment */
    uint64_t frames, records;
    uint64_t bytes;         /* of all segment files, as found */
    uint64_t last_lsn;      /* of the last good record (0: none) */
    uint64_t torn_bytes;    /* bytes past the last good frame of the last segment (cut when asked) */
    uint32_t torn_segment;  /* the segment holding them */
    uint64_t torn_offset;   /* where they start */
    char error[4608];        /* what went wrong, naming the file and offset */
} rn_log_scan_stats_t;

/* Called for every record (r's strings point into a buffer valid for the
 * call only). Non-zero stops the scan with that value. */
typedef int (*rn_log_scan_fn)(void *ud, const rn_log_rec_t *r);

/* Scans logdir (need not exist: an empty log). cut: 1 truncates a torn tail
 * (and removes a last segment whose header is torn), 0 only reports it.
 * Returns 0; RN_LOG_CORRUPT when a bad frame or record lies before the tail,
 * or LSNs go backwards (st->error says where); RN_LOG_IOERR when a file
 * cannot be read (st->error); or fn's non-zero value. */
#define RN_LOG_CORRUPT 1
/* A bad frame in the last segment is a torn tail (a write never
 * acknowledged) and is cut, unless a good frame continuing the log follows
 * it: then it is damage and the scan returns RN_LOG_CORRUPT. (After a power
 * loss a disk may keep a later part of the last unsynced write and lose an
 * earlier one; those frames were never acknowledged either, and `runnel
 * check` names them; see docs/store.md.) */
#define RN_LOG_IOERR (-1)
int rn_log_scan(const char *logdir, int cut, rn_log_scan_fn fn, void *ud, rn_log_scan_stats_t *st);
/* cut may also have RN_SCAN_INDEXES: a segment other than the last with a
 * good index file (sidecar.h) is replayed from it, its bodies never read
 * (recovery); without it every segment is read whole (runnel check). */
#define RN_SCAN_CUT 1
#define RN_SCAN_INDEXES 2
/* Whether a good frame continuing the log (first LSN past last_lsn) starts
 * anywhere in buf[from, len) of a segment's bytes; its offset into *at. */
int rn_log_good_frame_after(const unsigned char *buf, size_t len, size_t from, uint64_t last_lsn, size_t *at);
#endif
