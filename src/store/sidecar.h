/* SPDX-License-Identifier: MIT
 * A sealed segment's index file, DATA/log/NNNNNNNNNN.idx: every record of the
 * segment with message bodies and cold parts left out, so recovery rebuilds
 * the index from a few bytes per message instead of reading every body.
 * Purely a cache: a segment without one, or with one that does not check
 * out, is scanned whole, and `runnel check` always scans segments whole.
 *
 *   header (RN_IDX_HDR = 40 bytes)
 *     0  "RNLOGIDX"
 *     8  u32 version (1)
 *    12  u32 entry count
 *    16  u64 segment number
 *    24  u64 segment length covered (the segment file's size when sealed)
 *    32  u32 CRC32C over the header (this field as 0) and the entries
 *    36  u32 zero
 *   entries, one per record in segment order
 *     0  u64 offset of the record in the segment
 *     8  u32 n, bytes that follow: a MSG_PUT's bytes up to its body (header,
 *            fixed fields, id, meta_json); any other record whole
 *    12  u32 zero
 *    16  n bytes
 *
 * The writer thread builds it while it writes a segment it created, and
 * writes it (temporary name, then rename; no sync: the CRC catches a torn
 * one) when it moves on to the next segment. */
#ifndef RN_STORE_SIDECAR_H
#define RN_STORE_SIDECAR_H
#include <stddef.h>
#include <stdint.h>

#include "store/log_int.h"
#include "store/logscan.h"

#define RN_IDX_MAGIC "RNLOGIDX"
#define RN_IDX_HDR 40

/* The writer's index of the segment it is writing (writer thread only). */
typedef struct rn_sidecar {
    uint32_t seg;      /* 0: none */
    uint64_t next_off; /* segment offset up to which records were added */
    int complete;      /* added from the segment's first frame on, no gap */
    uint32_t count;
    rn_logbuf_t buf;   /* room for the header, then entries */
} rn_sidecar_t;

/* Adds the records of the frame at (seg, off) (frame header first; len
 * bytes) once it is durable. A frame of another segment first writes the
 * index of the one before (when complete) into logdir, then starts anew. A
 * frame already added (a retried batch) is skipped. */
void rn_sidecar_add(rn_sidecar_t *sc, const char *logdir, uint64_t seg_roll, uint32_t seg, uint64_t off,
                    const unsigned char *frame, size_t len);
void rn_sidecar_free(rn_sidecar_t *sc);
/* The index file's path. */
void rn_sidecar_path(char *out, size_t n, const char *logdir, uint32_t segno);
/* Replays segment segno (seg_len bytes on disk) from its index file through
 * fn as rn_log_scan would, MSG_PUT records with body and cold NULL (their
 * lengths and flags kept). 0 done; 1 no usable index (scan the segment
 * instead; nothing was replayed); else fn's value or RN_LOG_CORRUPT. */
int rn_sidecar_replay(const char *logdir, uint32_t segno, uint64_t seg_len, rn_log_scan_fn fn, void *ud,
                      rn_log_scan_stats_t *st);
#endif
