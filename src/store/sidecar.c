/* SPDX-License-Identifier: MIT
 * Segment index files (sidecar.h): built by the writer thread from the frames
 * it has made durable, written when it leaves a segment, and read by
 * recovery in place of the segment. Owns the writer's index buffer; all file
 * I/O through io.h. */
#include "store/sidecar.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "core/mem.h"
#include "store/io.h"

void rn_sidecar_path(char *out, size_t n, const char *logdir, uint32_t segno)
{
    snprintf(out, n, "%s/%010u.idx", logdir, segno);
}

static void reset(rn_sidecar_t *sc, uint32_t seg, uint64_t off)
{
    sc->seg = seg;
    sc->next_off = off;
    sc->complete = off == RN_SEG_HDR;
    sc->count = 0;
    sc->buf.len = 0;
    if (rn_logbuf_reserve(&sc->buf, RN_IDX_HDR) < 0)
        sc->complete = 0;
    else
        sc->buf.len = RN_IDX_HDR;
}

/* Writes the finished index of sc->seg; a failure only costs the next start
 * a scan of that segment, so it is logged and forgotten. */
static void write_index(rn_sidecar_t *sc, const char *logdir)
{
    unsigned char *h = sc->buf.p;
    memcpy(h, RN_IDX_MAGIC, 8);
    rn_put32(h + 8, 1);
    rn_put32(h + 12, sc->count);
    rn_put64(h + 16, sc->seg);
    rn_put64(h + 24, sc->next_off);
    rn_put32(h + 32, 0);
    rn_put32(h + 36, 0);
    rn_put32(h + 32, rn_crc32c(0, h, sc->buf.len));
    char path[4300], tmp[4310];
    rn_sidecar_path(path, sizeof path, logdir, sc->seg);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int fd = rn_io_open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    int ok = fd >= 0 && rn_io_write(fd, sc->buf.p, sc->buf.len) >= 0;
    if (fd >= 0)
        rn_io_close(fd);
    if (!ok || rn_io_rename(tmp, path) < 0) {
        RN_WARN("store: cannot write %s (the next start reads the segment instead): %s", path, strerror(errno));
        rn_io_unlink(tmp);
    }
}

void rn_sidecar_add(rn_sidecar_t *sc, const char *logdir, uint64_t seg_roll, uint32_t seg, uint64_t off,
                    const unsigned char *frame, size_t len)
{
    if (seg != sc->seg) {
        if (sc->seg && sc->complete)
            write_index(sc, logdir);
        reset(sc, seg, off);
    }
    if (off < sc->next_off) /* added already: a batch written again after a failure */
        return;
    if (off != sc->next_off)
        sc->complete = 0;
    sc->next_off = off + len;
    if (!sc->complete)
        return;
    /* small messages make an index nearly as big as its segment: then a
     * scan of the segment costs about as much, and the index is dropped */
    if (sc->buf.len > seg_roll / 2) {
        sc->complete = 0;
        return;
    }
    size_t p = RN_FRAME_HDR;
    while (p < len) {
        rn_log_rec_t r;
        if (rn_log_rec_decode(frame + p, len - p, &r) < 0) {
            sc->complete = 0;
            return;
        }
        uint32_t keep = r.type == RN_REC_MSG_PUT ? rn_msg_put_body_off(r.id_len, r.meta_len) : r.len;
        if (rn_logbuf_reserve(&sc->buf, 16 + keep) < 0) {
            sc->complete = 0;
            return;
        }
        unsigned char *e = sc->buf.p + sc->buf.len;
        rn_put64(e, off + p);
        rn_put32(e + 8, keep);
        rn_put32(e + 12, 0);
        memcpy(e + 16, frame + p, keep);
        sc->buf.len += 16 + keep;
        sc->count++;
        p += r.len;
    }
}

void rn_sidecar_free(rn_sidecar_t *sc)
{
    rn_logbuf_free(&sc->buf);
    memset(sc, 0, sizeof *sc);
}

/* A MSG_PUT's header, fixed fields, id and meta (n bytes), its body and cold
 * part left out: 0, or -1 when it does not add up. */
static int decode_put_head(const unsigned char *p, uint32_t n, rn_log_rec_t *r)
{
    if (n < RN_REC_HDR + RN_MSG_PUT_FIXED)
        return -1;
    memset(r, 0, sizeof *r);
    r->len = rn_le32(p);
    r->type = p[4];
    r->flags = p[5];
    r->lsn = rn_le64(p + 8);
    const unsigned char *f = p + RN_REC_HDR;
    rn_msg_put_fixed(f, r);
    uint64_t head = (uint64_t)RN_REC_HDR + RN_MSG_PUT_FIXED + r->id_len + r->meta_len;
    if (r->type != RN_REC_MSG_PUT || head != n || head + r->body_len + r->cold_len != r->len ||
        (!(r->flags & RN_RECF_COLD) && r->cold_len))
        return -1;
    r->id = (const char *)f + RN_MSG_PUT_FIXED;
    r->meta = r->id + r->id_len;
    return 0;
}

int rn_sidecar_replay(const char *logdir, uint32_t segno, uint64_t seg_len, rn_log_scan_fn fn, void *ud,
                      rn_log_scan_stats_t *st)
{
    char path[4300];
    rn_sidecar_path(path, sizeof path, logdir, segno);
    unsigned char *b;
    size_t n;
    if (rn_file_read(path, &b, &n) < 0)
        return 1;
    int usable = n >= RN_IDX_HDR && memcmp(b, RN_IDX_MAGIC, 8) == 0 && rn_le32(b + 8) == 1 &&
                 rn_le64(b + 16) == segno && rn_le64(b + 24) == seg_len;
    if (usable) {
        uint32_t crc = rn_le32(b + 32);
        rn_put32(b + 32, 0);
        usable = rn_crc32c(0, b, n) == crc;
    }
    /* check every entry before replaying any, so a bad index replays nothing */
    uint32_t count = usable ? rn_le32(b + 12) : 0, seen = 0;
    for (size_t p = RN_IDX_HDR; usable && p < n; seen++) {
        uint32_t k = n - p >= 16 ? rn_le32(b + p + 8) : UINT32_MAX;
        usable = k != UINT32_MAX && k <= n - p - 16 && k >= RN_REC_HDR;
        p += 16 + (size_t)k;
    }
    if (!usable || seen != count) {
        rn_free(b);
        return 1;
    }
    int rc = 0;
    for (size_t p = RN_IDX_HDR; p < n && rc == 0;) {
        uint64_t off = rn_le64(b + p);
        uint32_t k = rn_le32(b + p + 8);
        const unsigned char *rec = b + p + 16;
        rn_log_rec_t r;
        int bad = rec[4] == RN_REC_MSG_PUT ? decode_put_head(rec, k, &r) : rn_log_rec_decode(rec, k, &r);
        if (bad || r.lsn <= st->last_lsn) {
            snprintf(st->error, sizeof st->error, "%s: entry for offset %llu does not decode", path,
                     (unsigned long long)off);
            rc = RN_LOG_CORRUPT;
            break;
        }
        r.segment = segno;
        r.offset = off;
        st->records++;
        st->last_lsn = r.lsn;
        rc = fn ? fn(ud, &r) : 0;
        p += 16 + (size_t)k;
    }
    rn_free(b);
    return rc;
}
