/* SPDX-License-Identifier: MIT
 * Where a SAM function's or layer's code is: CodeUri/ContentUri turned
 * into the Code/Content object of the Lambda resource. On AWS these are S3
 * locations (`sam deploy` uploads local paths first); Runnel runs local code
 * in place, so a local directory becomes Runnel's RunnelCodeDirectory and a
 * .zip file RunnelZipPath, both absolute (relative paths join the template's
 * directory). S3 locations are kept as AWS would have them; the Lambda
 * provider says that Runnel has no S3. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

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
        int zip = n > 4 && strcasecmp(p + n - 4, ".zip") == 0;
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
