/* SPDX-License-Identifier: MIT
 * The log's on-disk format (format version 1), all of it: enough to write a
 * reader or a checker from this file alone. Owned by the log engine
 * (engine_log.c writes it; segment.c and record.c read and write it).
 *
 * Every integer is little-endian and fixed-width; nothing is aligned. The log
 * is the directory DATA/log/ holding segment files named by their number in
 * ten decimal digits: 0000000001.seg, 0000000002.seg, ... Numbers increase;
 * gaps are normal (compaction deletes whole segments).
 *
 * SEGMENT FILE = segment header, then frames back to back up to the end of
 * the file.
 *
 *   segment header (RN_SEG_HDR = 32 bytes)
 *     0  8  magic "RNLOGSEG"
 *     8  u32 format version (RN_LOG_VERSION)
 *    12  u32 header size (32)
 *    16  u64 segment number (the one in the file name)
 *    24  u64 LSN of the segment's first record (0 when it was created
 *            empty; informative)
 *
 *   frame header (RN_FRAME_HDR = 24 bytes): one frame = the mutations of one
 *   loop turn (all there or none)
 *     0  u32 magic 0x4D52464E ("NFRM" as bytes)
 *     4  u32 payload length in bytes (the records; > 0)
 *     8  u32 CRC32C (Castagnoli, reflected, init and final xor 0xFFFFFFFF, as
 *            iSCSI/ext4) over header bytes 12..24 followed by the payload
 *    12  u32 record count
 *    16  u64 LSN of the first record (records are numbered consecutively:
 *            record i has LSN first + i)
 *
 *   A frame whose header does not fit in the file, whose magic or CRC is
 *   wrong, or whose payload runs past the end of the file is BAD. A bad frame
 *   in the last segment is a torn tail (a crash during a write that was never
 *   acknowledged): recovery cuts the file at the frame's start. A bad frame in
 *   an earlier segment is corruption: the store refuses to start and names the
 *   file and offset.
 *
 * RECORD = record header then the type's fields (payload of a frame).
 *   record header (RN_REC_HDR = 16 bytes)
 *     0  u32 record length in bytes, header included
 *     4  u8  type (RN_REC_*)
 *     5  u8  flags (RN_RECF_*)
 *     6  u16 zero
 *     8  u64 LSN (the store's mutation sequence number, rn_store_last_seq)
 *
 *   Strings are bytes without a NUL, their lengths given before them.
 *   QUEUE_PUT   i64 qid, u32 name_len, u32 state_len, name, state
 *   QUEUE_DEL   i64 qid (the queue and all its messages)
 *   MSG_PUT     i64 qid, i64 seq, i64 sent_ms, i64 visible_ms,
 *               i64 first_receive_ms, i32 receive_count, u32 id_len,
 *               u32 meta_len, u32 body_len, u32 cold_len (64 bytes), then
 *               id, meta_json, body, cold. Flag RN_RECF_COLD: the put had a
 *               cold part (else cold_len is 0 and cold is NULL). A put of a
 *               seq already live replaces it (compaction copies a live
 *               message forward as a new put carrying its current state).
 *   MSG_STATE   i64 qid, i64 seq, i64 visible_ms, i64 first_receive_ms,
 *               i32 receive_count, u32 zero (40 bytes)
 *   MSG_DEL     i64 qid, i64 seq
 *   MSG_PURGE   i64 qid (every message of the queue)
 *   KV_PUT      u32 ns_len, u32 key_len, u32 value_len, ns, key, value
 *   KV_DEL      u32 ns_len, u32 key_len, ns, key
 *   KV_RANGE    u32 ns_len, u32 from_len, u32 to_len, ns, from, to
 *               (deletes keys in [from, to))
 *   RESET       nothing (drops every queue, message and keyed record)
 *
 * Messages are keyed by seq, unique store-wide. Queue and keyed records are
 * also applied to SQLite (runnel.db), whose table meta holds applied_lsn:
 * records with a larger LSN are re-applied at start. */
#ifndef RN_STORE_LOGFMT_H
#define RN_STORE_LOGFMT_H
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define RN_LOG_VERSION 1
#define RN_SEG_MAGIC "RNLOGSEG"
#define RN_SEG_HDR 32
#define RN_FRAME_MAGIC 0x4D52464Eu
#define RN_FRAME_HDR 24
#define RN_REC_HDR 16
#define RN_MSG_PUT_FIXED 64   /* MSG_PUT's fields before id */
#define RN_MSG_STATE_FIXED 40
#define RN_SEG_ROLL (64u << 20) /* a segment rolls once it holds this many bytes */

enum {
    RN_REC_QUEUE_PUT = 1,
    RN_REC_QUEUE_DEL = 2,
    RN_REC_MSG_PUT = 3,
    RN_REC_MSG_STATE = 4,
    RN_REC_MSG_DEL = 5,
    RN_REC_MSG_PURGE = 6,
    RN_REC_KV_PUT = 7,
    RN_REC_KV_DEL = 8,
    RN_REC_KV_RANGE = 9,
    RN_REC_RESET = 10,
    RN_REC_MAX_ = 10
};
#define RN_RECF_COLD 1u

/* Little-endian field access (the machines we run on are little-endian; the
 * memcpy keeps unaligned reads defined). */
static inline uint32_t rn_le32(const void *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}
static inline uint64_t rn_le64(const void *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}
static inline void rn_put32(void *p, uint32_t v)
{
    memcpy(p, &v, 4);
}
static inline void rn_put64(void *p, uint64_t v)
{
    memcpy(p, &v, 8);
}

/* CRC32C of n bytes continuing from crc (start with 0). record.c. */
uint32_t rn_crc32c(uint32_t crc, const void *buf, size_t n);
/* The frame CRC: over header bytes 12..24, then the payload. */
uint32_t rn_frame_crc(const unsigned char *hdr, const unsigned char *payload, size_t len);

/* A decoded record; strings point into the buffer decoded (valid while it
 * is), not NUL-terminated: use the lengths. Which fields are set depends on
 * type (see above); the others are 0/NULL. */
typedef struct rn_log_rec {
    uint32_t segment;   /* set by the scanner */
    uint64_t offset;    /* of the record header in its segment file; set by the scanner */
    uint32_t len;       /* record length, header included */
    int type;
    unsigned flags;
    uint64_t lsn;
    int64_t qid, seq, sent_ms, visible_ms, first_receive_ms;
    int receive_count;
    const char *id, *meta, *body, *cold; /* MSG_PUT (cold NULL without RN_RECF_COLD) */
    uint32_t id_len, meta_len, body_len, cold_len;
    const char *name, *state;                 /* QUEUE_PUT */
    uint32_t name_len, state_len;
    const char *ns, *key, *value, *from, *to; /* KV_* (value NULL for KV_DEL) */
    uint32_t ns_len, key_len, value_len, from_len, to_len;
} rn_log_rec_t;

/* Decodes the record at p (at most avail bytes): 0, or -1 when it is
 * malformed (length out of range, unknown type, fields past its end). */
int rn_log_rec_decode(const unsigned char *p, size_t avail, rn_log_rec_t *r);
/* Reads MSG_PUT's RN_MSG_PUT_FIXED bytes of fields at q into r. */
void rn_msg_put_fixed(const unsigned char *q, rn_log_rec_t *r);
/* Bytes from a MSG_PUT record's start to its body. */
static inline uint32_t rn_msg_put_body_off(uint32_t id_len, uint32_t meta_len)
{
    return RN_REC_HDR + RN_MSG_PUT_FIXED + id_len + meta_len;
}
#endif
