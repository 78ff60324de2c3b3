/* SPDX-License-Identifier: MIT
 * libFuzzer target for gzip request bodies (aws/gzip.c): any input is
 * inflated under a small limit, and a body that inflates is gzipped again
 * by zlib and must come back unchanged. None of it may crash, leak or trip
 * the sanitizers. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "aws/gzip.h"
#include "core/mem.h"

#define LIMIT (64 * 1024)

static void roundtrip(const char *plain, size_t n)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return;
    size_t cap = deflateBound(&z, n);
    unsigned char *gz = malloc(cap);
    if (gz) {
        z.next_in = (unsigned char *)plain;
        z.avail_in = (uInt)n;
        z.next_out = gz;
        z.avail_out = (uInt)cap;
        if (deflate(&z, Z_FINISH) == Z_STREAM_END) {
            char *back = NULL;
            size_t len = 0;
            if (aws_gunzip((const char *)gz, z.total_out, LIMIT, &back, &len) != 0 || len != n ||
                memcmp(back, plain, n) != 0)
                abort();
            rn_free(back);
        }
        free(gz);
    }
    deflateEnd(&z);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *out = NULL;
    size_t len = 0;
    if (aws_gunzip((const char *)data, size, LIMIT, &out, &len) == 0) {
        roundtrip(out, len);
        rn_free(out);
    }
    if (size <= LIMIT) /* the input itself, gzipped, inflates back to it */
        roundtrip((const char *)data, size);
    return 0;
}
