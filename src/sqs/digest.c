/* SPDX-License-Identifier: MIT
 * SQS digests. The attribute digest sorts names bytewise and hashes, per
 * attribute: 4-byte big-endian length + name, length + DataType, one
 * transport byte (1 String/Number, 2 Binary), length + value bytes. */
#include "sqs/digest.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "core/hex.h"
#include "core/base64.h"
#include "core/err.h"
#include "core/mem.h"

/* EVP_Digest() sets up a context per call, which costs more than hashing a
 * short body; the loop thread keeps one context and one fetched MD5. */
void sqs_md5_hex(const void *data, size_t n, char out[33])
{
    static __thread EVP_MD_CTX *ctx;
    static __thread EVP_MD *md5;
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    if (!ctx) {
        ctx = EVP_MD_CTX_new();
        md5 = EVP_MD_fetch(NULL, "MD5", NULL);
    }
    if (!ctx || !md5 || !EVP_DigestInit_ex(ctx, md5, NULL)) {
        EVP_Digest(data, n, d, &len, EVP_md5(), NULL);
    } else {
        EVP_DigestUpdate(ctx, data, n);
        EVP_DigestFinal_ex(ctx, d, &len);
    }
    rn_hex_encode(d, len, out);
}

void sqs_sha256_hex(const void *data, size_t n, char out[65])
{
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    EVP_Digest(data, n, d, &len, EVP_sha256(), NULL);
    rn_hex_encode(d, len, out);
}

static void put_len(EVP_MD_CTX *ctx, const void *p, size_t n)
{
    unsigned char be[4] = {(unsigned char)(n >> 24), (unsigned char)(n >> 16), (unsigned char)(n >> 8),
                           (unsigned char)n};
    EVP_DigestUpdate(ctx, be, 4);
    EVP_DigestUpdate(ctx, p, n);
}

static int cmp_key(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int sqs_md5_message_attributes(const json_t *attrs, char out[33])
{
    size_t n = json_object_size(attrs), k = 0;
    const char **names = rn_calloc(n ? n : 1, sizeof *names);
    if (!names)
        return RN_ERR_NOMEM;
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)attrs, key, v) names[k++] = key;
    qsort(names, k, sizeof *names, cmp_key);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    EVP_DigestInit_ex(ctx, EVP_md5(), NULL);
    int rc = 0;
    for (size_t i = 0; i < k && rc == 0; i++) {
        json_t *a = json_object_get(attrs, names[i]);
        const char *type = json_string_value(json_object_get(a, "DataType"));
        if (!type)
            type = "";
        put_len(ctx, names[i], strlen(names[i]));
        put_len(ctx, type, strlen(type));
        json_t *sv = json_object_get(a, "StringValue");
        json_t *bv = json_object_get(a, "BinaryValue");
        if (strncmp(type, "Binary", 6) == 0 && json_is_string(bv)) {
            unsigned char t = 2, *bin;
            size_t bl;
            EVP_DigestUpdate(ctx, &t, 1);
            rc = rn_b64_decode(json_string_value(bv), json_string_length(bv), &bin, &bl);
            if (rc == 0) {
                put_len(ctx, bin, bl);
                rn_free(bin);
            }
        } else {
            unsigned char t = 1;
            EVP_DigestUpdate(ctx, &t, 1);
            put_len(ctx, json_string_value(sv) ? json_string_value(sv) : "", json_string_length(sv));
        }
    }
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    EVP_DigestFinal_ex(ctx, d, &len);
    EVP_MD_CTX_free(ctx);
    rn_free(names);
    rn_hex_encode(d, len, out);
    return rc;
}
