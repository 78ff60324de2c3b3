/* SPDX-License-Identifier: MIT
 * Base64 (RFC 4648, with padding), as AWS carries blobs in JSON and headers. */
#ifndef RN_BASE64_H
#define RN_BASE64_H
#include <stddef.h>

/* Decodes n bytes of base64 (length a multiple of 4). 0 with *out (caller
 * frees with rn_free; NUL-terminated for convenience) and *outlen, or
 * RN_ERR_INVALID_PARAMETER / RN_ERR_NOMEM. */
int rn_b64_decode(const char *in, size_t n, unsigned char **out, size_t *outlen);
/* Encodes n bytes: a NUL-terminated string the caller frees with rn_free,
 * or NULL when out of memory. */
char *rn_b64_encode(const void *in, size_t n);
#endif
