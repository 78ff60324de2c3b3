/* SPDX-License-Identifier: MIT
 * Deployment packages. A ZipFile is decoded, checked against AWS's limits,
 * and unpacked once into <root>/code/<sha256 hex>/ (unpacked into a
 * temporary directory first and renamed, so a half-written package is never
 * used); functions with the same code share it. A local directory (the
 * Runnel extension) is run in place and stamped with the newest mtime under
 * it, so a change restarts the function's instances (hot reload). */
#include "lambda/lambda_int.h"

#include <errno.h>
#include <ftw.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base64.h"
#include "core/hex.h"
#include "core/ids.h"
#include "core/mem.h"
#include "lambda/unzip.h"

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void lambda_rm_tree(const char *path)
{
    nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int lambda_code_from_zip(lambda_t *L, rn_call_t *c, const char *b64, char *dir, size_t dirlen, char *sha_b64,
                         size_t shalen, int64_t *size)
{
    static const char not_zip[] = "Could not unzip uploaded file. Please check your file, then try to upload again.";
    unsigned char *zip;
    size_t len;
    if (rn_b64_decode(b64, strlen(b64), &zip, &len) < 0)
        return rn_call_fail(c, LAMBDA_ERR_INVALID_PARAMETER, "%s", not_zip);
    if (len > LAMBDA_MAX_ZIPPED) {
        rn_free(zip);
        return rn_call_fail(c, LAMBDA_ERR_TOO_LARGE, "Zipped size must be smaller than %d bytes", LAMBDA_MAX_ZIPPED);
    }
    unsigned char d[32];
    unsigned int dl = 0;
    EVP_Digest(zip, len, d, &dl, EVP_sha256(), NULL);
    char hex[65];
    rn_hex_encode(d, dl, hex);
    char *s = rn_b64_encode(d, dl);
    snprintf(sha_b64, shalen, "%s", s ? s : "");
    rn_free(s);
    *size = (int64_t)len;
    char codes[PATH_MAX + 8];
    snprintf(codes, sizeof codes, "%s/code", L->root);
    mkdir(codes, 0755);
    snprintf(dir, dirlen, "%s/%s", codes, hex);
    struct stat st;
    if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode)) { /* the same package, already unpacked */
        rn_free(zip);
        return 0;
    }
    char tmp[PATH_MAX + 64], id[37];
    rn_uuid(id);
    snprintf(tmp, sizeof tmp, "%s/.unpack-%s", codes, id);
    if (mkdir(tmp, 0755) < 0) {
        rn_free(zip);
        return rn_call_fail(c, LAMBDA_ERR_SERVICE, "Cannot store the package: %s", strerror(errno));
    }
    uint64_t unzipped = 0;
    char why[256];
    int rc = lambda_unzip(zip, len, tmp, LAMBDA_MAX_UNZIPPED, &unzipped, why, sizeof why);
    rn_free(zip);
    if (rc == 0 && rename(tmp, dir) < 0 && errno != EEXIST && errno != ENOTEMPTY)
        rc = LAMBDA_UNZIP_IO;
    if (rc < 0 || access(tmp, F_OK) == 0)
        lambda_rm_tree(tmp);
    if (rc == LAMBDA_UNZIP_TOO_BIG)
        return rn_call_fail(c, LAMBDA_ERR_INVALID_PARAMETER, "Unzipped size must be smaller than %d bytes",
                            LAMBDA_MAX_UNZIPPED);
    if (rc == LAMBDA_UNZIP_IO)
        return rn_call_fail(c, LAMBDA_ERR_SERVICE, "Cannot store the package.");
    if (rc < 0)
        return rn_call_fail(c, LAMBDA_ERR_INVALID_PARAMETER, "%s", not_zip);
    return 0;
}

static struct timespec newest;
static long files;

static int stamp_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)path;
    (void)flag;
    (void)ftw;
    files++;
    if (st->st_mtim.tv_sec > newest.tv_sec ||
        (st->st_mtim.tv_sec == newest.tv_sec && st->st_mtim.tv_nsec > newest.tv_nsec))
        newest = st->st_mtim;
    return 0;
}

void lambda_code_stamp(const char *dir, char *stamp, size_t len)
{
    newest.tv_sec = newest.tv_nsec = 0;
    files = 0;
    nftw(dir, stamp_one, 16, FTW_PHYS);
    snprintf(stamp, len, "%lld.%09ld/%ld", (long long)newest.tv_sec, newest.tv_nsec, files);
}
