/* SPDX-License-Identifier: MIT
 * Where a SAM function's or layer's code is: CodeUri/ContentUri turned
 * into the Code/Content object of the Lambda resource. On AWS these are S3
 * locations (`sam deploy` uploads local paths first); Runnel runs local code
 * in place, so a local directory becomes Runnel's RunnelCodeDirectory and a
 * .zip file RunnelZipPath, both absolute (relative paths join the template's
 * directory). S3 locations are kept as AWS would have them; the Lambda
 * provider says that Runnel has no S3. */
#include <dirent.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "cloudformation/sam_int.h"
#include "core/mem.h"

/* Joins `path` to `base` (unless absolute) and folds "." and ".."
 * segments, without touching the disk. Caller owns the result; free with
 * rn_free(). */
static char *abs_path(const char *base, const char *path)
{
    size_t n = strlen(base) + strlen(path) + 2;
    char *joined = rn_malloc(n), *out = rn_malloc(n + 1);
    if (!joined || !out) {
        rn_free(joined);
        rn_free(out);
        return NULL;
    }
    if (path[0] == '/')
        snprintf(joined, n, "%s", path);
    else
        snprintf(joined, n, "%s/%s", base, path);
    size_t len = 0;
    out[0] = 0;
    for (char *seg = joined; *seg;) {
        char *end = strchr(seg, '/');
        size_t sl = end ? (size_t)(end - seg) : strlen(seg);
        if (sl == 0 || (sl == 1 && seg[0] == '.')) {
            /* nothing */
        } else if (sl == 2 && seg[0] == '.' && seg[1] == '.') {
            while (len > 0 && out[len - 1] != '/')
                len--;
            if (len > 0)
                len--; /* the slash */
        } else {
            out[len++] = '/';
            memcpy(out + len, seg, sl);
            len += sl;
        }
        out[len] = 0;
        seg += sl;
        if (*seg == '/')
            seg++;
    }
    if (len == 0) {
        out[0] = '/';
        out[1] = 0;
    }
    rn_free(joined);
    return out;
}

/* {S3Bucket, S3Key[, S3ObjectVersion]} from s3://bucket/key[?versionId=v],
 * or NULL when the text is not such a URI. */
static json_t *s3_uri(const char *uri)
{
    const char *b = uri + 5, *slash = strchr(b, '/');
    if (!slash || slash == b || !slash[1])
        return NULL;
    const char *q = strchr(slash + 1, '?');
    json_t *o = json_object();
    json_object_set_new(o, "S3Bucket", json_stringn(b, (size_t)(slash - b)));
    json_object_set_new(o, "S3Key", q ? json_stringn(slash + 1, (size_t)(q - slash - 1)) : json_string(slash + 1));
    if (q && strncmp(q, "?versionId=", 11) == 0)
        json_object_set_new(o, "S3ObjectVersion", json_string(q + 11));
    return o;
}

json_t *sam_code_location(sam_ctx_t *c, const char *id, const char *prop, const json_t *uri)
{
    if (json_is_string(uri)) {
        const char *s = json_string_value(uri);
        if (strncmp(s, "s3://", 5) == 0) {
            json_t *o = s3_uri(s);
            if (!o)
                sam_error(c, id, "'%s' is not a valid S3 Uri of the form 's3://bucket/key' with optional versionId "
                          "query parameter.", prop);
            return o;
        }
        if (!*s) {
            sam_error(c, id, "'%s' is not a valid S3 Uri of the form 's3://bucket/key' with optional versionId "
                      "query parameter.", prop);
            return NULL;
        }
        char *p = abs_path(c->base, strncmp(s, "file://", 7) == 0 ? s + 7 : s);
        if (!p) {
            c->oom = 1;
            return NULL;
        }
        size_t n = strlen(p);
        struct stat st;
        /* a .zip, or one source file (zipped alone, as `sam package` does) */
        int zip = (n > 4 && strcasecmp(p + n - 4, ".zip") == 0) || (stat(p, &st) == 0 && S_ISREG(st.st_mode));
        json_t *o = json_pack("{s:s}", zip ? "RunnelZipPath" : "RunnelCodeDirectory", p);
        rn_free(p);
        if (!o)
            c->oom = 1;
        return o;
    }
    if (sam_is_intrinsic(uri)) {
        sam_error(c, id, "'%s' given as an intrinsic function is not supported by Runnel: give a local path (a "
                  "directory or a .zip file), which Runnel reads when it creates the resource.", prop);
        return NULL;
    }
    if (json_is_object(uri)) {
        const json_t *b = json_object_get(uri, "Bucket"), *k = json_object_get(uri, "Key");
        if (!b || !k) {
            sam_error(c, id, "'%s' requires Bucket and Key properties to be specified.", prop);
            return NULL;
        }
        json_t *o = json_object();
        sam_set(c, o, "S3Bucket", json_deep_copy(b));
        sam_set(c, o, "S3Key", json_deep_copy(k));
        sam_copy(c, o, "S3ObjectVersion", uri, "Version");
        return o;
    }
    sam_error(c, id, "Type of property '%s' is invalid.", prop);
    return NULL;
}

/* Feeds the digest with every file below `dir` (sorted, recursive): its
 * path relative to the top, size and modification time. `budget` bounds
 * the entries looked at, so a CodeUri of "/" costs a moment, not a walk of
 * the disk; past it the fingerprint covers what was seen. */
static void digest_tree(EVP_MD_CTX *md, const char *dir, const char *rel, int depth, long *budget)
{
    struct dirent **names = NULL;
    int n = depth > 32 || *budget <= 0 ? -1 : scandir(dir, &names, NULL, alphasort);
    *budget -= n > 0 ? n : 0;
    for (int i = 0; i < n; i++) {
        const char *nm = names[i]->d_name;
        char path[4096], sub[4096];
        struct stat st;
        if (strcmp(nm, ".") != 0 && strcmp(nm, "..") != 0 &&
            (size_t)snprintf(path, sizeof path, "%s/%s", dir, nm) < sizeof path &&
            (size_t)snprintf(sub, sizeof sub, "%s/%s", rel, nm) < sizeof sub && lstat(path, &st) == 0) {
            char line[4200];
            int len = snprintf(line, sizeof line, "%s %lld %lld.%09ld\n", sub, (long long)st.st_size,
                               (long long)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec);
            EVP_DigestUpdate(md, line, (size_t)len);
            if (S_ISDIR(st.st_mode))
                digest_tree(md, path, sub, depth + 1, budget);
        }
        free(names[i]);
    }
    free(names);
}

json_t *sam_code_digest(const json_t *code)
{
    const char *dir = json_string_value(json_object_get(code, "RunnelCodeDirectory"));
    const char *zip = json_string_value(json_object_get(code, "RunnelZipPath"));
    if (!dir && !zip)
        return NULL;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (!md || !EVP_DigestInit_ex(md, EVP_sha1(), NULL)) {
        EVP_MD_CTX_free(md);
        return NULL;
    }
    if (dir) {
        long budget = 20000;
        digest_tree(md, dir, "", 0, &budget);
    } else {
        struct stat st;
        char line[200];
        int n = stat(zip, &st) == 0 ? snprintf(line, sizeof line, "%lld %lld.%09ld", (long long)st.st_size,
                                               (long long)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec)
                                    : snprintf(line, sizeof line, "absent");
        EVP_DigestUpdate(md, line, (size_t)n);
    }
    EVP_DigestFinal_ex(md, out, &len);
    EVP_MD_CTX_free(md);
    char hex[2 * EVP_MAX_MD_SIZE + 1];
    for (unsigned i = 0; i < len; i++)
        snprintf(hex + 2 * i, 3, "%02x", out[i]);
    hex[2 * len] = 0;
    return json_string(hex);
}
