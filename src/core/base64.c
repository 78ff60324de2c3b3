/* SPDX-License-Identifier: MIT
 * Base64 over OpenSSL's block coder (core/base64.h). */
#include "core/base64.h"

#include <openssl/evp.h>

#include "core/err.h"
#include "core/mem.h"

int rn_b64_decode(const char *in, size_t n, unsigned char **out, size_t *outlen)
{
    if (n % 4 || n > (size_t)1 << 30)
        return RN_ERR_INVALID_PARAMETER;
    unsigned char *b = rn_malloc(n / 4 * 3 + 1);
    if (!b)
        return RN_ERR_NOMEM;
    int l = n ? EVP_DecodeBlock(b, (const unsigned char *)in, (int)n) : 0;
    if (l < 0) {
        rn_free(b);
        return RN_ERR_INVALID_PARAMETER;
    }
    /* EVP_DecodeBlock counts the '=' padding as zero bytes */
    if (n >= 1 && in[n - 1] == '=')
        l--;
    if (n >= 2 && in[n - 2] == '=')
        l--;
    b[l] = 0;
    *out = b;
    *outlen = (size_t)l;
    return 0;
}

char *rn_b64_encode(const void *in, size_t n)
{
    char *b = rn_malloc(4 * ((n + 2) / 3) + 1);
    if (!b)
        return NULL;
    int l = EVP_EncodeBlock((unsigned char *)b, in, (int)n);
    b[l] = 0;
    return b;
}
