/* SPDX-License-Identifier: MIT
 * gzip request bodies through zlib's inflate (windowBits 16+15: gzip
 * framing only), growing the output as it goes and stopping at the limit, so
 * a small body cannot inflate into gigabytes. */
#include "aws/gzip.h"

#include <string.h>
#include <zlib.h>

#include "core/err.h"
#include "core/mem.h"

int aws_gunzip(const char *in, size_t n, size_t max, char **out, size_t *outlen)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
        return RN_ERR_NOMEM;
    size_t cap = n * 4 + 64, len = 0;
    char *buf = rn_malloc(cap + 1);
    int rc = buf ? 0 : RN_ERR_NOMEM, zr = Z_OK;
    z.next_in = (unsigned char *)in;
    z.avail_in = (uInt)n;
    while (rc == 0 && zr != Z_STREAM_END) {
        if (len == cap) {
            if (cap >= max) {
                rc = RN_ERR_SERIALIZATION;
                break;
            }
            size_t ncap = cap * 2 > max ? max : cap * 2;
            char *nb = rn_realloc(buf, ncap + 1);
            if (!nb) {
                rc = RN_ERR_NOMEM;
                break;
            }
            buf = nb;
            cap = ncap;
        }
        z.next_out = (unsigned char *)buf + len;
        z.avail_out = (uInt)(cap - len);
        zr = inflate(&z, Z_NO_FLUSH);
        len = cap - z.avail_out;
        if (zr != Z_OK && zr != Z_STREAM_END && !(zr == Z_BUF_ERROR && len == cap))
            rc = RN_ERR_SERIALIZATION;
    }
    inflateEnd(&z);
    if (rc < 0) {
        rn_free(buf);
        return rc;
    }
    buf[len] = '\0';
    *out = buf;
    *outlen = len;
    return 0;
}
