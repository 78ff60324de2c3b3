/* SPDX-License-Identifier: MIT
 * A template names its code by paths relative to itself (`CodeUri: src/`),
 * but the server reads them from its own working directory. Before the
 * template is sent, these paths are made absolute against the template's
 * directory, which is what `aws cloudformation package` does by uploading
 * them; a local server can read them where they are. */
#include <string.h>

#include "deploy/deploy_int.h"

/* Appends the segment s[0..n) to out (length *o), folding "." and "..". */
static int push_segment(char *out, size_t *o, size_t outlen, const char *s, size_t n)
{
    if (n == 0 || (n == 1 && s[0] == '.'))
        return 0;
    if (n == 2 && s[0] == '.' && s[1] == '.') {
        while (*o > 0 && out[*o - 1] != '/')
            (*o)--;
        if (*o > 0) /* drop the slash too, except the root's */
            (*o)--;
        return 0;
    }
    if (*o + 1 + n >= outlen)
        return -1;
    out[(*o)++] = '/';
    memcpy(out + *o, s, n);
    *o += n;
    return 0;
}

/* Appends every segment of path to out. */
static int push_path(char *out, size_t *o, size_t outlen, const char *path)
{
    const char *p = path;
    while (*p) {
        const char *s = p;
        while (*p && *p != '/')
            p++;
        if (push_segment(out, o, outlen, s, (size_t)(p - s)) < 0)
            return -1;
        while (*p == '/')
            p++;
    }
    return 0;
}

/* Joins and normalises dir and rel. */
int deploy_path_join(const char *dir, const char *rel, char *out, size_t outlen)
{
    if (outlen < 2)
        return -1;
    size_t o = 0;
    if (rel[0] != '/' && push_path(out, &o, outlen, dir) < 0)
        return -1;
    if (push_path(out, &o, outlen, rel) < 0)
        return -1;
    if (o == 0)
        out[o++] = '/';
    out[o] = '\0';
    return 0;
}

/* A string that names a local relative path: not empty, not absolute, not
 * a URL (s3://bucket/key). */
static int is_relative_local(const char *s)
{
    return s[0] && s[0] != '/' && !strstr(s, "://");
}

/* Rewrites obj[key] when it is a relative local path. Returns 1 when it
 * changed, 0 when not, -1 when the result is too long. */
static int absolutize(json_t *obj, const char *key, const char *dir)
{
    const char *v = json_string_value(json_object_get(obj, key));
    if (!json_is_object(obj) || !v || !is_relative_local(v))
        return 0;
    char path[4096];
    if (deploy_path_join(dir, v, path, sizeof path) < 0)
        return -1;
    json_object_set_new(obj, key, json_string(path));
    return 1;
}

static int add(int *count, int rc)
{
    if (rc < 0)
        return -1;
    *count += rc;
    return 0;
}

/* Rewrites the code paths of every resource (and the Globals). */
int deploy_paths_absolute(json_t *tpl, const char *dir)
{
    int count = 0;
    json_t *globals = json_object_get(json_object_get(tpl, "Globals"), "Function");
    if (add(&count, absolutize(globals, "CodeUri", dir)) < 0)
        return -1;
    const char *id;
    json_t *res;
    json_object_foreach(json_object_get(tpl, "Resources"), id, res) {
        const char *type = json_string_value(json_object_get(res, "Type"));
        json_t *props = json_object_get(res, "Properties");
        if (!type || !json_is_object(props))
            continue;
        int rc = 0;
        if (!strcmp(type, "AWS::Serverless::Function")) {
            rc = absolutize(props, "CodeUri", dir);
        } else if (!strcmp(type, "AWS::Serverless::LayerVersion")) {
            rc = absolutize(props, "ContentUri", dir);
        } else if (!strcmp(type, "AWS::Lambda::Function") || !strcmp(type, "AWS::Lambda::LayerVersion")) {
            json_t *code = json_object_get(props, !strcmp(type, "AWS::Lambda::Function") ? "Code" : "Content");
            rc = absolutize(code, "RunnelCodeDirectory", dir);
            if (rc >= 0 && add(&count, rc) == 0)
                rc = absolutize(code, "RunnelZipPath", dir);
        }
        if (add(&count, rc) < 0)
            return -1;
    }
    return count;
}
