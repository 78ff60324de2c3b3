/* SPDX-License-Identifier: MIT
 * Fuzz target for a segment's index file (store/sidecar.c), which recovery
 * trusts in place of the segment when it checks out. The input is the index
 * file; the harness sets its segment number, the length it covers and its
 * CRC when the first byte's bit 0 is clear (so the entries get replayed),
 * and leaves the input as is when set. Every record replayed is checked for
 * the bounds recovery relies on. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/mem.h"
#include "store/sidecar.h"

static char dir[64], idx[160];

static void cleanup(void)
{
    unlink(idx);
    rmdir(dir);
}

static void setup(void)
{
    if (dir[0])
        return;
    atexit(cleanup);
    snprintf(dir, sizeof dir, "/tmp/rn-fuzz-index-XXXXXX");
    if (!mkdtemp(dir))
        abort();
    rn_sidecar_path(idx, sizeof idx, dir, 1);
}

static int on_record(void *ud, const rn_log_rec_t *r)
{
    (void)ud;
    if (r->type < 1 || r->type > RN_REC_MAX_ || r->segment != 1)
        abort();
    if (r->type == RN_REC_MSG_PUT && (r->body || r->cold || (r->id_len && !r->id)))
        abort(); /* an index never carries bodies */
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    setup();
    size_t n = size - 1;
    unsigned char *b = rn_malloc(n > RN_IDX_HDR ? n : RN_IDX_HDR);
    if (!b)
        abort();
    memset(b, 0, RN_IDX_HDR);
    memcpy(b, data + 1, n);
    const uint64_t covered = 1 << 20;
    if (!(data[0] & 1)) {
        if (n < RN_IDX_HDR)
            n = RN_IDX_HDR;
        memcpy(b, RN_IDX_MAGIC, 8);
        rn_put32(b + 8, 1);
        rn_put64(b + 16, 1);
        rn_put64(b + 24, covered);
        rn_put32(b + 32, 0);
        rn_put32(b + 32, rn_crc32c(0, b, n));
    }
    int fd = open(idx, O_CREAT | O_TRUNC | O_WRONLY, 0644);
    if (fd < 0 || write(fd, b, n) != (ssize_t)n)
        abort();
    close(fd);
    rn_free(b);
    rn_log_scan_stats_t *st = rn_calloc(1, sizeof *st);
    if (!st)
        abort();
    rn_sidecar_replay(dir, 1, covered, on_record, NULL, st);
    rn_free(st);
    return 0;
}
