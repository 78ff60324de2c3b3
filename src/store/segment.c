/* SPDX-License-Identifier: MIT
 * The log's segment files (format in logfmt.h): creating them, opening them,
 * listing them, and scanning them front to back with every frame's CRC
 * checked and a torn tail found (and cut, for recovery). All file I/O goes
 * through store/io.h. Owns the descriptors it opens until it returns them. */
#include "store/log_int.h"
#include "store/logscan.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/mem.h"
#include "store/io.h"
#include "store/sidecar.h"

void rn_seg_path(char *out, size_t n, const char *logdir, uint32_t segno)
{
    snprintf(out, n, "%s/%010u.seg", logdir, segno);
}

int rn_seg_create(const char *logdir, uint32_t segno, uint64_t first_lsn, int sync)
{
    char path[4096];
    rn_seg_path(path, sizeof path, logdir, segno);
    int fd = rn_io_open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    unsigned char h[RN_SEG_HDR] = {0};
    memcpy(h, RN_SEG_MAGIC, 8);
    rn_put32(h + 8, RN_LOG_VERSION);
    rn_put32(h + 12, RN_SEG_HDR);
    rn_put64(h + 16, segno);
    rn_put64(h + 24, first_lsn);
    if (rn_io_write(fd, h, sizeof h) < 0 || (sync && rn_io_fsync_dir(logdir) < 0)) {
        int e = errno;
        rn_io_close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

int rn_seg_open_read(const char *logdir, uint32_t segno)
{
    char path[4096];
    rn_seg_path(path, sizeof path, logdir, segno);
    return rn_io_open(path, O_RDONLY | O_CLOEXEC, 0);
}

int rn_seg_open_append(const char *logdir, uint32_t segno, uint64_t tail)
{
    char path[4096];
    rn_seg_path(path, sizeof path, logdir, segno);
    int fd = rn_io_open(path, O_RDWR | O_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    if (rn_io_ftruncate(fd, (off_t)tail) < 0 || lseek(fd, (off_t)tail, SEEK_SET) < 0) {
        int e = errno;
        rn_io_close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

int rn_seg_list(const char *logdir, uint32_t **nums, size_t *n)
{
    *nums = NULL;
    *n = 0;
    DIR *d = opendir(logdir);
    if (!d)
        return errno == ENOENT ? 0 : -1;
    size_t cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (l != 14 || strcmp(e->d_name + 10, ".seg") != 0 || strspn(e->d_name, "0123456789") != 10)
            continue;
        unsigned long v = strtoul(e->d_name, NULL, 10);
        if (v == 0 || v > UINT32_MAX)
            continue;
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            uint32_t *p = rn_realloc(*nums, cap * sizeof *p);
            if (!p) {
                closedir(d);
                rn_free(*nums);
                *nums = NULL;
                errno = ENOMEM;
                return -1;
            }
            *nums = p;
        }
        (*nums)[(*n)++] = (uint32_t)v;
    }
    closedir(d);
    if (*n)
        qsort(*nums, *n, sizeof **nums, cmp_u32);
    return 0;
}

int rn_file_read(const char *path, unsigned char **buf, size_t *len)
{
    *buf = NULL;
    *len = 0;
    int fd = rn_io_open(path, O_RDONLY | O_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct stat st;
    if (fstat(fd, &st) < 0) {
        rn_io_close(fd);
        return -1;
    }
    size_t n = (size_t)st.st_size;
    unsigned char *p = rn_malloc(n ? n : 1);
    if (!p) {
        rn_io_close(fd);
        errno = ENOMEM;
        return -1;
    }
    size_t done = 0;
    while (done < n) {
        ssize_t r = rn_io_pread(fd, p + done, n - done, (off_t)done);
        if (r < 0) {
            int e = errno;
            rn_free(p);
            rn_io_close(fd);
            errno = e;
            return -1;
        }
        if (r == 0)
            break;
        done += (size_t)r;
    }
    rn_io_close(fd);
    *buf = p;
    *len = done;
    return 0;
}

static int cut_tail(const char *path, uint64_t at, rn_log_scan_stats_t *st)
{
    int fd = rn_io_open(path, O_RDWR | O_CLOEXEC, 0);
    if (fd < 0 || rn_io_ftruncate(fd, (off_t)at) < 0 || rn_io_fsync(fd) < 0) {
        snprintf(st->error, sizeof st->error, "cannot cut the torn tail of %s at offset %llu: %s", path,
                 (unsigned long long)at, strerror(errno));
        if (fd >= 0)
            rn_io_close(fd);
        return RN_LOG_IOERR;
    }
    rn_io_close(fd);
    return 0;
}

/* Decodes the records of the good frame at h (end: the segment offset past
 * it), at segment offset off. Returns 0, a scan error, or fn's value. */
static int scan_frame(const unsigned char *h, size_t off, size_t end, uint32_t segno, const char *path,
                      rn_log_scan_fn fn, void *ud, rn_log_scan_stats_t *st)
{
    uint32_t count = rn_le32(h + 12);
    uint64_t first = rn_le64(h + 16);
    if (first <= st->last_lsn) {
        snprintf(st->error, sizeof st->error, "%s: frame at offset %zu starts at LSN %llu, not after %llu", path, off,
                 (unsigned long long)first, (unsigned long long)st->last_lsn);
        return RN_LOG_CORRUPT;
    }
    size_t p = RN_FRAME_HDR, flen = end - off;
    for (uint32_t i = 0; i < count; i++) {
        rn_log_rec_t r;
        if (rn_log_rec_decode(h + p, flen - p, &r) < 0 || r.lsn != first + i) {
            snprintf(st->error, sizeof st->error,
                     "%s: malformed record %u of the frame at offset %zu (its checksum is good)", path, i, off);
            return RN_LOG_CORRUPT;
        }
        r.segment = segno;
        r.offset = off + p;
        st->records++;
        st->last_lsn = r.lsn;
        int rc = fn ? fn(ud, &r) : 0;
        if (rc)
            return rc;
        p += r.len;
    }
    if (p != flen) {
        snprintf(st->error, sizeof st->error, "%s: the frame at offset %zu holds bytes past its %u records", path,
                 off, count);
        return RN_LOG_CORRUPT;
    }
    st->frames++;
    st->tail_offset = end;
    return 0;
}

/* The scan's read window: a segment is read through it a piece at a time,
 * so each piece is checked while it is in the CPU's cache and no buffer the
 * size of a segment is ever made. Grows to hold the largest frame. */
typedef struct window {
    unsigned char *p;
    size_t cap;
    size_t start; /* segment offset of p[0] */
    size_t len;   /* bytes held */
} window_t;

#define WINDOW_MIN ((size_t)1 << 20)

/* Makes the window hold [off, off + need) of the file (len bytes long), or
 * as much of it as the file has. -1 on a read error or out of memory. */
static int window_fill(window_t *w, int fd, size_t len, size_t off, size_t need)
{
    if (off >= w->start && off + need <= w->start + w->len)
        return 0;
    size_t keep = off >= w->start && off < w->start + w->len ? w->start + w->len - off : 0;
    if (keep)
        memmove(w->p, w->p + (off - w->start), keep);
    w->start = off;
    w->len = keep;
    size_t want = need > WINDOW_MIN ? need : WINDOW_MIN;
    if (want > w->cap) {
        unsigned char *np = rn_realloc(w->p, want);
        if (!np) {
            errno = ENOMEM;
            return -1;
        }
        w->p = np;
        w->cap = want;
    }
    size_t upto = off + w->cap < len ? off + w->cap : len;
    while (w->start + w->len < upto) {
        ssize_t r = rn_io_pread(fd, w->p + w->len, upto - (w->start + w->len), (off_t)(w->start + w->len));
        if (r < 0)
            return -1;
        if (r == 0)
            break;
        w->len += (size_t)r;
    }
    return 0;
}

/* Scans one segment's frames (len bytes, its header already checked)
 * through the window. Returns 0, a scan error, or fn's value; a bad frame
 * sets *bad to its offset (else (size_t)-1). */
static int scan_segment(window_t *w, int fd, size_t len, uint32_t segno, const char *path, rn_log_scan_fn fn,
                        void *ud, rn_log_scan_stats_t *st, size_t *bad)
{
    size_t off = RN_SEG_HDR;
    w->start = w->len = 0;
    *bad = (size_t)-1;
    while (off < len) {
        if (window_fill(w, fd, len, off, RN_FRAME_HDR) < 0)
            goto ioerr;
        const unsigned char *h = w->p + (off - w->start);
        uint32_t plen = len - off >= RN_FRAME_HDR ? rn_le32(h + 4) : 0;
        if (len - off < RN_FRAME_HDR || rn_le32(h) != RN_FRAME_MAGIC || plen == 0 ||
            plen > len - off - RN_FRAME_HDR) {
            *bad = off;
            return 0;
        }
        size_t end = off + RN_FRAME_HDR + plen;
        if (window_fill(w, fd, len, off, RN_FRAME_HDR + plen) < 0)
            goto ioerr;
        h = w->p + (off - w->start);
        if (rn_frame_crc(h, h + RN_FRAME_HDR, plen) != rn_le32(h + 8)) {
            *bad = off;
            return 0;
        }
        int rc = scan_frame(h, off, end, segno, path, fn, ud, st);
        if (rc)
            return rc;
        off = end;
    }
    return 0;
ioerr:
    snprintf(st->error, sizeof st->error, "cannot read %s: %s", path, strerror(errno));
    return RN_LOG_IOERR;
}

int rn_log_good_frame_after(const unsigned char *buf, size_t len, size_t from, uint64_t last_lsn, size_t *at)
{
    for (size_t off = from; off + RN_FRAME_HDR <= len; off++) {
        const unsigned char *h = buf + off;
        if (rn_le32(h) != RN_FRAME_MAGIC)
            continue;
        uint32_t plen = rn_le32(h + 4);
        if (plen == 0 || plen > len - off - RN_FRAME_HDR || rn_le64(h + 16) <= last_lsn)
            continue;
        if (rn_frame_crc(h, h + RN_FRAME_HDR, plen) == rn_le32(h + 8)) {
            *at = off;
            return 1;
        }
    }
    return 0;
}

int rn_log_scan(const char *logdir, int cut, rn_log_scan_fn fn, void *ud, rn_log_scan_stats_t *st)
{
    memset(st, 0, sizeof *st);
    uint32_t *nums;
    size_t n;
    if (rn_seg_list(logdir, &nums, &n) < 0) {
        snprintf(st->error, sizeof st->error, "cannot list %s: %s", logdir, strerror(errno));
        return RN_LOG_IOERR;
    }
    window_t w = {0};
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        char path[4096];
        rn_seg_path(path, sizeof path, logdir, nums[i]);
        int fd = rn_io_open(path, O_RDONLY | O_CLOEXEC, 0);
        struct stat sb;
        unsigned char hb[RN_SEG_HDR];
        ssize_t got = 0;
        if (fd < 0 || fstat(fd, &sb) < 0 || (got = rn_io_pread(fd, hb, sizeof hb, 0)) < 0) {
            snprintf(st->error, sizeof st->error, "cannot read %s: %s", path, strerror(errno));
            if (fd >= 0)
                rn_io_close(fd);
            rc = RN_LOG_IOERR;
            break;
        }
        size_t len = (size_t)sb.st_size;
        st->bytes += len;
        int last = i + 1 == n;
        int hdr_ok = got == RN_SEG_HDR && memcmp(hb, RN_SEG_MAGIC, 8) == 0 && rn_le32(hb + 12) == RN_SEG_HDR &&
                     rn_le64(hb + 16) == nums[i];
        if (hdr_ok && rn_le32(hb + 8) != RN_LOG_VERSION) {
            snprintf(st->error, sizeof st->error, "%s: log format version %u, this runnel reads version %d", path,
                     rn_le32(hb + 8), RN_LOG_VERSION);
            rn_io_close(fd);
            rc = RN_LOG_CORRUPT;
            break;
        }
        if (!hdr_ok) {
            rn_io_close(fd);
            if (!last) {
                snprintf(st->error, sizeof st->error, "%s: bad segment header at offset 0", path);
                rc = RN_LOG_CORRUPT;
            } else { /* created, then the crash: its header never reached the disk */
                st->torn_bytes = len;
                st->torn_segment = nums[i];
                st->torn_offset = 0;
                if ((cut & RN_SCAN_CUT) && (rn_io_unlink(path) < 0 || rn_io_fsync_dir(logdir) < 0)) {
                    snprintf(st->error, sizeof st->error, "cannot remove the torn segment %s: %s", path,
                             strerror(errno));
                    rc = RN_LOG_IOERR;
                }
            }
            break;
        }
        st->segments++;
        if (!st->first_segment)
            st->first_segment = nums[i];
        st->last_segment = nums[i];
        st->tail_offset = RN_SEG_HDR;
        if ((cut & RN_SCAN_INDEXES) && !last &&
            (rc = rn_sidecar_replay(logdir, nums[i], len, fn, ud, st)) != 1) {
            rn_io_close(fd);
            st->tail_offset = len;
            st->indexed += rc == 0;
            continue;
        }
        rc = 0;
        size_t bad;
        rc = scan_segment(&w, fd, len, nums[i], path, fn, ud, st, &bad);
        rn_io_close(fd);
        if (rc || bad == (size_t)-1)
            continue;
        if (!last) {
            snprintf(st->error, sizeof st->error, "%s: bad frame (checksum, magic or length) at offset %zu", path,
                     bad);
            rc = RN_LOG_CORRUPT;
            break;
        }
        st->torn_bytes = len - bad;
        st->torn_segment = nums[i];
        st->torn_offset = bad;
        if (!(cut & RN_SCAN_CUT))
            continue;
        /* a torn write ends the log: a good frame after the bad one says
         * the bad one was most likely acknowledged, so refuse rather than
         * cut what may be acknowledged writes (a rare path: the whole
         * segment is read) */
        unsigned char *buf;
        size_t blen, at;
        if (rn_file_read(path, &buf, &blen) < 0) {
            snprintf(st->error, sizeof st->error, "cannot read %s: %s", path, strerror(errno));
            rc = RN_LOG_IOERR;
            break;
        }
        int damaged = rn_log_good_frame_after(buf, blen, bad + 1, st->last_lsn, &at);
        rn_free(buf);
        if (damaged) {
            snprintf(st->error, sizeof st->error,
                     "%s: bad frame (checksum, magic or length) at offset %zu, followed by a good frame at offset %zu:"
                     " damage inside the log, not a torn tail",
                     path, bad, at);
            rc = RN_LOG_CORRUPT;
        } else {
            rc = cut_tail(path, bad, st);
        }
    }
    rn_free(w.p);
    rn_free(nums);
    return rc;
}
