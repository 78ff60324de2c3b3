/* SPDX-License-Identifier: MIT
 * Fuzz target for reading a log from disk: `runnel check` (store/check.c)
 * over the segment scanner and record decoder (segment.c, record.c) on a
 * data dir whose one segment the input makes. First byte bit 0 set: the
 * rest is the segment file as is. Clear: a valid segment header, then the
 * rest as frames the harness seals (so their CRCs hold and the records
 * inside get decoded): each is a record count byte, a 2-byte length and
 * that many payload bytes; bit 1 set appends a torn frame. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/mem.h"
#include "store/check.h"
#include "store/log_int.h"

static char dir[64], logdir[96], seg[160];

static void cleanup(void)
{
    unlink(seg);
    rmdir(logdir);
    rmdir(dir);
}

static void setup(void)
{
    if (dir[0])
        return;
    atexit(cleanup);
    snprintf(dir, sizeof dir, "/tmp/rn-fuzz-check-XXXXXX");
    if (!mkdtemp(dir))
        abort();
    snprintf(logdir, sizeof logdir, "%s/log", dir);
    mkdir(logdir, 0755);
    rn_seg_path(seg, sizeof seg, logdir, 1);
}

static void emit(int fd, const void *p, size_t n)
{
    if (write(fd, p, n) != (ssize_t)n)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    setup();
    int fd = open(seg, O_CREAT | O_TRUNC | O_WRONLY, 0644);
    if (fd < 0)
        abort();
    if (data[0] & 1) {
        emit(fd, data + 1, size - 1);
    } else {
        unsigned char h[RN_SEG_HDR] = {0};
        memcpy(h, RN_SEG_MAGIC, 8);
        rn_put32(h + 8, RN_LOG_VERSION);
        rn_put32(h + 12, RN_SEG_HDR);
        rn_put64(h + 16, 1);
        emit(fd, h, sizeof h);
        uint64_t lsn = 1;
        size_t p = 1;
        unsigned char *frame = rn_malloc(RN_FRAME_HDR + 65536);
        if (!frame)
            abort();
        while (p + 3 <= size) {
            uint32_t count = data[p];
            size_t len = (size_t)data[p + 1] | (size_t)data[p + 2] << 8;
            p += 3;
            if (len > size - p)
                len = size - p;
            if (len == 0)
                break;
            memcpy(frame + RN_FRAME_HDR, data + p, len);
            rn_frame_seal(frame, (uint32_t)len, count, lsn);
            emit(fd, frame, RN_FRAME_HDR + len);
            lsn += count ? count : 1;
            p += len;
        }
        if (data[0] & 2)
            emit(fd, "NFRM\x10\0\0\0", 8);
        rn_free(frame);
    }
    close(fd);
    fflush(stdout);
    int saved = dup(1), null = open("/dev/null", O_WRONLY);
    dup2(null, 1);
    const char *argv[] = {"--data-dir", dir};
    rn_store_check_main(2, (char **)argv);
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    close(null);
    return 0;
}
