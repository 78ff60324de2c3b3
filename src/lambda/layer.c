/* SPDX-License-Identifier: MIT
 * Layers: PublishLayerVersion (a ZipFile, unpacked like a function's
 * package), GetLayerVersion, ListLayerVersions, ListLayers,
 * DeleteLayerVersion; kept as lambda.layer/<name>/<N>. On AWS a function's
 * layers are extracted, in order, into /opt; Runnel cannot write /opt, so it
 * merges them (hard links, later layers over earlier ones) into
 * <root>/opt/<hash of the ARNs>/ and names that directory in the instance's
 * RUNNEL_OPT; our bootstraps put its python/, nodejs/node_modules, bin/ and
 * lib/ where AWS's /opt ones would be on the paths, and a provided function
 * without its own bootstrap runs RUNNEL_OPT/bootstrap. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/hex.h"
#include "core/json_alloc.h"
#include "core/mem.h"
#include "core/params.h"
#include "lambda/lambda_int.h"

static void layer_arn(const lambda_t *L, const char *name, char *buf, size_t len)
{
    snprintf(buf, len, "arn:aws:lambda:%s:%s:layer:%s", L->env.cfg->region, L->env.cfg->account_id, name);
}

static int name_ok(const char *n)
{
    size_t l = n ? strlen(n) : 0;
    if (l < 1 || l > 64)
        return 0;
    for (const char *p = n; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-' ||
              *p == '_'))
            return 0;
    return 1;
}

static json_t *versions_of(lambda_t *L, const char *name, int make)
{
    if (!L->layers)
        L->layers = json_object();
    json_t *v = json_object_get(L->layers, name);
    if (!v && make) {
        v = json_object();
        json_object_set_new(L->layers, name, v);
    }
    return v;
}

static void keep(lambda_t *L, const char *name, const char *ver, const json_t *rec)
{
    char key[100];
    snprintf(key, sizeof key, "%s/%s", name, ver);
    char *s = json_dumps(rec, JSON_COMPACT);
    if (s)
        rn_store_kv_put(L->env.store, "lambda.layer", key, s);
    rn_json_free(s);
}

/* The view AWS returns: everything but our code directory. */
static json_t *view(const json_t *rec)
{
    json_t *o = json_deep_copy(rec);
    json_object_del(o, "_dir");
    return o;
}

const char *lambda_layer_dir(lambda_t *L, const char *arn)
{
    /* arn:aws:lambda:REGION:ACCOUNT:layer:NAME:N */
    const char *p = strstr(arn ? arn : "", ":layer:");
    if (!p)
        return NULL;
    char name[80];
    const char *colon = strrchr(p + 7, ':');
    if (!colon || (size_t)(colon - p - 7) >= sizeof name)
        return NULL;
    snprintf(name, sizeof name, "%.*s", (int)(colon - p - 7), p + 7);
    json_t *v = json_object_get(json_object_get(L->layers, name), colon + 1);
    return json_string_value(json_object_get(v, "_dir"));
}

int64_t lambda_layer_size(lambda_t *L, const char *arn)
{
    const char *p = strstr(arn ? arn : "", ":layer:");
    const char *colon = p ? strrchr(p + 7, ':') : NULL;
    if (!colon || colon - p - 7 >= 80)
        return 0;
    char name[80];
    snprintf(name, sizeof name, "%.*s", (int)(colon - p - 7), p + 7);
    json_t *v = json_object_get(json_object_get(L->layers, name), colon + 1);
    return json_integer_value(json_object_get(json_object_get(v, "Content"), "CodeSize"));
}

static int publish(lambda_t *L, rn_call_t *c, const char *name)
{
    if (!name_ok(name))
        return rn_call_fail(c, LAMBDA_ERR_VALIDATION,
                            "1 validation error detected: Value '%s' at 'layerName' failed to satisfy constraint: "
                            "Member must satisfy regular expression pattern: "
                            "(arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+)|[a-zA-Z0-9-_]+",
                            name ? name : "null");
    const char *zip = rn_param_str(json_object_get(c->in, "Content"), "ZipFile");
    if (!zip)
        return rn_call_fail(c, LAMBDA_ERR_INVALID_PARAMETER,
                            "Runnel takes layer content as Content.ZipFile; it has no S3 bucket to read it from.");
    char dir[PATH_MAX], sha[64];
    int64_t size = 0;
    if (lambda_code_from_zip(L, c, zip, dir, sizeof dir, sha, sizeof sha, &size) < 0)
        return c->err;
    json_t *vers = versions_of(L, name, 1);
    int n = 1;
    const char *k;
    json_t *v;
    json_object_foreach(vers, k, v) if (atoi(k) >= n) n = atoi(k) + 1;
    int64_t last = (int64_t)json_integer_value(json_object_get(L->layer_counts, name));
    if (last >= n) /* numbers are never reused, even after a delete */
        n = (int)last + 1;
    if (!L->layer_counts)
        L->layer_counts = json_object();
    json_object_set_new(L->layer_counts, name, json_integer(n));
    char arn[200], varn[220], num[16], created[40];
    layer_arn(L, name, arn, sizeof arn);
    snprintf(varn, sizeof varn, "%s:%d", arn, n);
    snprintf(num, sizeof num, "%d", n);
    lambda_time_text(rn_now_ms() / 1000 * 1000, "+0000", created, sizeof created);
    json_t *rec = json_pack("{s:{s:s,s:I},s:s,s:s,s:s,s:s,s:i,s:s}", "Content", "CodeSha256", sha, "CodeSize",
                            (json_int_t)size, "LayerArn", arn, "LayerVersionArn", varn, "Description",
                            rn_param_str(c->in, "Description") ?: "", "CreatedDate", created, "Version", n, "_dir",
                            dir);
    static const char *const opt[] = {"CompatibleRuntimes", "CompatibleArchitectures", "LicenseInfo", NULL};
    for (int i = 0; opt[i]; i++)
        if (json_object_get(c->in, opt[i]))
            json_object_set(rec, opt[i], json_object_get(c->in, opt[i]));
    json_object_set_new(vers, num, rec);
    keep(L, name, num, rec);
    char key[100];
    snprintf(key, sizeof key, "%s", name);
    rn_store_kv_put(L->env.store, "lambda.layern", key, num);
    c->out = view(rec);
    return 0;
}

int lambda_layer_call(lambda_t *L, rn_call_t *c)
{
    const char *name = rn_param_str(c->in, "LayerName");
    if (!strcmp(c->op, "PublishLayerVersion"))
        return publish(L, c, name);
    if (!strcmp(c->op, "ListLayers")) {
        json_t *list = json_array();
        const char *k;
        json_t *vers;
        json_object_foreach(L->layers, k, vers)
        {
            json_t *latest = NULL;
            int best = 0;
            const char *vk;
            json_t *v;
            json_object_foreach(vers, vk, v) if (atoi(vk) > best)
            {
                best = atoi(vk);
                latest = v;
            }
            if (!latest)
                continue;
            char arn[200];
            layer_arn(L, k, arn, sizeof arn);
            json_t *lm = view(latest);
            json_object_del(lm, "Content");
            json_object_del(lm, "LayerArn");
            json_array_append_new(list, json_pack("{s:s,s:s,s:o}", "LayerName", k, "LayerArn", arn,
                                                  "LatestMatchingVersion", lm));
        }
        c->out = json_pack("{s:o}", "Layers", list);
        return 0;
    }
    json_t *vers = name ? json_object_get(L->layers, name) : NULL;
    if (!strcmp(c->op, "ListLayerVersions")) {
        json_t *list = json_array();
        const char *vk;
        json_t *v;
        json_object_foreach(vers, vk, v)
        {
            json_t *o = view(v);
            json_object_del(o, "Content");
            json_array_append_new(list, o);
        }
        c->out = json_pack("{s:o}", "LayerVersions", list);
        return 0;
    }
    json_t *ver = json_object_get(c->in, "VersionNumber");
    char num[24];
    snprintf(num, sizeof num, "%lld", (long long)json_integer_value(ver));
    json_t *rec = json_object_get(vers, num);
    if (!strcmp(c->op, "DeleteLayerVersion")) {
        if (rec) {
            char key[100];
            snprintf(key, sizeof key, "%s/%s", name, num);
            rn_store_kv_delete(L->env.store, "lambda.layer", key);
            json_object_del(vers, num);
        }
        c->out = json_object();
        return 0;
    }
    if (!rec)
        return rn_call_fail(c, LAMBDA_ERR_NOT_FOUND, "The resource you requested does not exist.");
    c->out = view(rec);
    return 0;
}

/* ---- a function's /opt ---- */

static const char *merge_into;
static size_t merge_src_len;

static int link_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)ftw;
    char dst[PATH_MAX];
    if (snprintf(dst, sizeof dst, "%s%s", merge_into, path + merge_src_len) >= (int)sizeof dst)
        return 0;
    if (flag == FTW_D) {
        mkdir(dst, 0755);
    } else if (flag == FTW_SL) {
        char target[PATH_MAX];
        ssize_t n = readlink(path, target, sizeof target - 1);
        if (n > 0) {
            target[n] = 0;
            unlink(dst);
            if (symlink(target, dst) < 0)
                return 0;
        }
    } else if (S_ISREG(st->st_mode)) {
        unlink(dst); /* a later layer's file replaces an earlier one's */
        if (link(path, dst) < 0)
            return 0;
    }
    return 0;
}

int lambda_layers_dir(lambda_fn_t *fn, char *out, size_t outlen)
{
    json_t *layers = json_object_get(fn->cfg, "Layers");
    if (!json_array_size(layers))
        return 1;
    lambda_t *L = fn->L;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
    size_t i;
    json_t *l;
    json_array_foreach(layers, i, l)
    {
        const char *arn = json_string_value(json_object_get(l, "Arn"));
        EVP_DigestUpdate(ctx, arn ? arn : "", arn ? strlen(arn) + 1 : 1);
    }
    unsigned char d[32];
    unsigned int dl = 0;
    EVP_DigestFinal_ex(ctx, d, &dl);
    EVP_MD_CTX_free(ctx);
    char hex[65];
    rn_hex_encode(d, 16, hex);
    char base[PATH_MAX + 8];
    snprintf(base, sizeof base, "%s/opt", L->root);
    mkdir(base, 0755);
    if (snprintf(out, outlen, "%s/%s", base, hex) >= (int)outlen)
        return -1;
    struct stat st;
    if (stat(out, &st) == 0)
        return 0; /* merged before */
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s.part", out);
    lambda_rm_tree(tmp);
    if (mkdir(tmp, 0755) < 0)
        return -1;
    json_array_foreach(layers, i, l)
    {
        const char *dir = lambda_layer_dir(L, json_string_value(json_object_get(l, "Arn")));
        if (!dir)
            continue;
        merge_into = tmp;
        merge_src_len = strlen(dir);
        nftw(dir, link_one, 16, FTW_PHYS);
    }
    return rename(tmp, out) < 0 ? -1 : 0;
}

static int load_layer(void *ud, const char *key, const char *value)
{
    lambda_t *L = ud;
    const char *slash = strchr(key, '/');
    json_t *rec = json_loads(value, 0, NULL);
    if (!slash || !rec) {
        json_decref(rec);
        return 0;
    }
    char name[80];
    snprintf(name, sizeof name, "%.*s", (int)(slash - key), key);
    json_object_set_new(versions_of(L, name, 1), slash + 1, rec);
    if (!L->layer_counts)
        L->layer_counts = json_object();
    if (atoi(slash + 1) > json_integer_value(json_object_get(L->layer_counts, name)))
        json_object_set_new(L->layer_counts, name, json_integer(atoi(slash + 1)));
    return 0;
}

static int load_count(void *ud, const char *key, const char *value)
{
    lambda_t *L = ud;
    if (!L->layer_counts)
        L->layer_counts = json_object();
    if (atoi(value) > json_integer_value(json_object_get(L->layer_counts, key)))
        json_object_set_new(L->layer_counts, key, json_integer(atoi(value)));
    return 0;
}

void lambda_layers_resume(lambda_t *L)
{
    rn_store_kv_scan(L->env.store, "lambda.layer", NULL, NULL, load_layer, L);
    rn_store_kv_scan(L->env.store, "lambda.layern", NULL, NULL, load_count, L);
}
