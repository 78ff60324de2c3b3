/* SPDX-License-Identifier: MIT
 * Code packages for the Lambda providers. A template gives a function's
 * code as inline source (Code.ZipFile, which AWS writes into a zip as
 * index.py or index.js by the runtime), or through Runnel's extensions that
 * the SAM transform makes from a local CodeUri: Code.RunnelCodeDirectory (a
 * directory Lambda runs in place) and Code.RunnelZipPath (a .zip file read
 * here). Layers take Content.RunnelZipPath or Content.RunnelCodeDirectory,
 * which is zipped here since a layer is always a package. S3 and image
 * sources are refused: Runnel has neither. Zips are built in memory with
 * libzip. */
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <zip.h>

#include "cloudformation/prov_lambda.h"
#include "cloudformation/prov_props.h"
#include "core/base64.h"
#include "core/mem.h"

/* A package larger than this is not read (Lambda's own limit is lower). */
#define MAX_PACKAGE (256L << 20)

/* The bytes of an in-memory zip being written: base64 text in *b64. */
static int zip_finish(cfn_op_t *op, zip_t *z, zip_source_t *src, char **b64)
{
    int rc = -1;
    unsigned char *data = NULL;
    if (zip_close(z) < 0) {
        snprintf(op->msg, sizeof op->msg, "Could not build the code package: %s", zip_strerror(z));
        zip_discard(z);
        goto out;
    }
    zip_stat_t st;
    if (zip_source_stat(src, &st) < 0 || zip_source_open(src) < 0) {
        snprintf(op->msg, sizeof op->msg, "Could not build the code package.");
        goto out;
    }
    data = rn_malloc(st.size ? st.size : 1);
    zip_int64_t n = data ? zip_source_read(src, data, st.size) : -1;
    zip_source_close(src);
    if (n < 0 || (zip_uint64_t)n != st.size) {
        snprintf(op->msg, sizeof op->msg, "Could not build the code package.");
        goto out;
    }
    *b64 = rn_b64_encode(data, (size_t)n);
    rc = *b64 ? 0 : -1;
    if (rc < 0)
        snprintf(op->msg, sizeof op->msg, "Out of memory.");
out:
    rn_free(data);
    zip_source_free(src);
    return rc;
}

/* Starts an empty in-memory zip; NULL with op->msg. */
static zip_t *zip_start(cfn_op_t *op, zip_source_t **src)
{
    zip_error_t ze;
    zip_error_init(&ze);
    *src = zip_source_buffer_create(NULL, 0, 0, &ze);
    zip_t *z = *src ? zip_open_from_source(*src, ZIP_TRUNCATE, &ze) : NULL;
    if (!z) {
        snprintf(op->msg, sizeof op->msg, "Could not build the code package: %s", zip_error_strerror(&ze));
        if (*src)
            zip_source_free(*src);
    } else {
        zip_source_keep(*src); /* still read after zip_close */
    }
    zip_error_fini(&ze);
    return z;
}

/* A zip holding one file, `name`, with the given text. */
static int zip_one(cfn_op_t *op, const char *name, const char *text, char **b64)
{
    zip_source_t *src;
    zip_t *z = zip_start(op, &src);
    if (!z)
        return -1;
    zip_source_t *fs = zip_source_buffer(z, text, strlen(text), 0);
    zip_int64_t i = fs ? zip_file_add(z, name, fs, ZIP_FL_ENC_UTF_8) : -1;
    if (i < 0) {
        if (fs)
            zip_source_free(fs);
        snprintf(op->msg, sizeof op->msg, "Could not build the code package: %s", zip_strerror(z));
        zip_discard(z);
        zip_source_free(src);
        return -1;
    }
    zip_file_set_external_attributes(z, (zip_uint64_t)i, 0, ZIP_OPSYS_UNIX, (zip_uint32_t)0100644 << 16);
    return zip_finish(op, z, src, b64);
}

/* Adds the tree under dir (relative name rel, "" at the top) to z. */
static int zip_tree(cfn_op_t *op, zip_t *z, const char *dir, const char *rel, int depth)
{
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(op->msg, sizeof op->msg, "Cannot read directory %s.", dir);
        return -1;
    }
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char path[4096], name[4096], sub[4098];
        struct stat st;
        if (snprintf(path, sizeof path, "%s/%s", dir, e->d_name) >= (int)sizeof path ||
            snprintf(name, sizeof name, "%s%s", rel, e->d_name) >= (int)sizeof name) {
            snprintf(op->msg, sizeof op->msg, "A path under %.900s is too long to package.", dir);
            rc = -1;
            break;
        }
        if (stat(path, &st) < 0)
            continue; /* a dangling link */
        if (S_ISDIR(st.st_mode)) {
            snprintf(sub, sizeof sub, "%s/", name);
            if (depth > 32 || zip_dir_add(z, name, ZIP_FL_ENC_UTF_8) < 0) {
                snprintf(op->msg, sizeof op->msg, "Could not package %.900s.", path);
                rc = -1;
            } else {
                rc = zip_tree(op, z, path, sub, depth + 1);
            }
        } else if (S_ISREG(st.st_mode)) {
            zip_source_t *fs = zip_source_file(z, path, 0, -1);
            zip_int64_t i = fs ? zip_file_add(z, name, fs, ZIP_FL_ENC_UTF_8) : -1;
            if (i < 0) {
                if (fs)
                    zip_source_free(fs);
                snprintf(op->msg, sizeof op->msg, "Could not package %.900s.", path);
                rc = -1;
            } else {
                zip_file_set_external_attributes(z, (zip_uint64_t)i, 0, ZIP_OPSYS_UNIX,
                                                 (zip_uint32_t)(S_IFREG | (st.st_mode & 0777)) << 16);
            }
        }
    }
    closedir(d);
    return rc;
}

/* The directory's files as a zip. */
static int zip_dir(cfn_op_t *op, const char *dir, char **b64)
{
    zip_source_t *src;
    zip_t *z = zip_start(op, &src);
    if (!z)
        return -1;
    if (zip_tree(op, z, dir, "", 0) < 0) {
        zip_discard(z);
        zip_source_free(src);
        return -1;
    }
    return zip_finish(op, z, src, b64);
}

/* A .zip file's bytes as base64; any other file is zipped alone under its
 * own name (a SAM CodeUri naming one source file, which `sam package` and
 * `aws cloudformation package` zip so). */
static int read_zip(cfn_op_t *op, const char *path, char **b64)
{
    FILE *f = fopen(path, "rb");
    struct stat st;
    if (!f || fstat(fileno(f), &st) < 0 || !S_ISREG(st.st_mode)) {
        snprintf(op->msg, sizeof op->msg, "Cannot read the code package %s.", path);
        if (f)
            fclose(f);
        return -1;
    }
    if (st.st_size > MAX_PACKAGE) {
        fclose(f);
        snprintf(op->msg, sizeof op->msg, "The code package %s is larger than Lambda takes.", path);
        return -1;
    }
    unsigned char *data = rn_malloc((size_t)st.st_size + 1);
    size_t n = data ? fread(data, 1, (size_t)st.st_size, f) : 0;
    fclose(f);
    if (!data || n != (size_t)st.st_size) {
        rn_free(data);
        snprintf(op->msg, sizeof op->msg, "Cannot read the code package %s.", path);
        return -1;
    }
    if (n < 4 || memcmp(data, "PK\x03\x04", 4) != 0) {
        data[n] = 0;
        const char *base = strrchr(path, '/');
        int rc = zip_one(op, base ? base + 1 : path, (const char *)data, b64);
        rn_free(data);
        return rc;
    }
    *b64 = rn_b64_encode(data, n);
    rn_free(data);
    if (!*b64) {
        snprintf(op->msg, sizeof op->msg, "Out of memory.");
        return -1;
    }
    return 0;
}

static int absolute(cfn_op_t *op, const char *what, const char *path)
{
    if (path[0] == '/')
        return 0;
    snprintf(op->msg, sizeof op->msg, "%s must be an absolute path; %s is not.", what, path);
    return -1;
}

/* Refuses the sources Runnel cannot read; 0 when there are none. */
static int refuse_remote(cfn_op_t *op, const json_t *code, const char *prop)
{
    const char *which = json_object_get(code, "S3Bucket") || json_object_get(code, "S3Key") ? "S3Bucket/S3Key"
                        : json_object_get(code, "ImageUri")                                 ? "ImageUri"
                                                                                            : NULL;
    if (!which)
        return 0;
    snprintf(op->msg, sizeof op->msg,
             "%s.%s is not supported: Runnel has no S3 or ECR to read the package from. Give the code as a local "
             "CodeUri (SAM) or as %s.RunnelCodeDirectory / %s.RunnelZipPath (an absolute path)%s.",
             prop, which, prop, prop, strcmp(prop, "Code") ? "" : ", or inline as Code.ZipFile");
    return -1;
}

/* A function's Code (layer 0) or a layer's Content (layer 1) as the API
 * takes it; see cfn_lambda_code. */
static int package(cfn_op_t *op, const json_t *src, const char *prop, const char *runtime, int layer, json_t **out)
{
    char *b64 = NULL, what[64];
    *out = NULL;
    if (!json_is_object(src)) {
        snprintf(op->msg, sizeof op->msg,
                 "Properties validation failed for resource %s with message: #/%s: expected type: JSONObject",
                 op->logical_id, prop);
        return -1;
    }
    const char *zip = layer ? NULL : json_string_value(json_object_get(src, "ZipFile"));
    const char *dir = json_string_value(json_object_get(src, "RunnelCodeDirectory"));
    const char *path = json_string_value(json_object_get(src, "RunnelZipPath"));
    snprintf(what, sizeof what, "%s.%s", prop, dir ? "RunnelCodeDirectory" : "RunnelZipPath");
    if ((dir || path) && absolute(op, what, dir ? dir : path) < 0)
        return -1;
    if (dir && !layer) { /* run in place by Lambda */
        *out = json_pack("{s:s}", "RunnelCodeDirectory", dir);
        return 0;
    }
    if (dir) {
        if (zip_dir(op, dir, &b64) < 0)
            return -1;
    } else if (path) {
        if (read_zip(op, path, &b64) < 0)
            return -1;
    } else if (zip) {
        const char *file = runtime && !strncmp(runtime, "python", 6)   ? "index.py"
                           : runtime && !strncmp(runtime, "nodejs", 6) ? "index.js"
                                                                       : NULL;
        if (!file) {
            snprintf(op->msg, sizeof op->msg,
                     "Properties validation failed for resource %s with message: ZipFile can only be used when "
                     "Runtime is set to a python or nodejs runtime.",
                     op->logical_id);
            return -1;
        }
        if (zip_one(op, file, zip, &b64) < 0)
            return -1;
    } else {
        if (refuse_remote(op, src, prop) < 0)
            return -1;
        snprintf(op->msg, sizeof op->msg,
                 "Properties validation failed for resource %s with message: #/%s: %s needs %sRunnelCodeDirectory "
                 "or RunnelZipPath.",
                 op->logical_id, prop, prop, layer ? "" : "ZipFile, ");
        return -1;
    }
    *out = json_pack("{s:s}", "ZipFile", b64);
    rn_free(b64);
    return *out ? 0 : -1;
}

int cfn_lambda_code(cfn_op_t *op, const json_t *code, const char *runtime, json_t **out)
{
    return package(op, code, "Code", runtime, 0, out);
}

int cfn_lambda_layer_content(cfn_op_t *op, const json_t *content, json_t **out)
{
    return package(op, content, "Content", NULL, 1, out);
}
