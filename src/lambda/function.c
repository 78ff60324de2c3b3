/* SPDX-License-Identifier: MIT
 * Lambda's control plane for functions ($LATEST): create, get, list,
 * update configuration and code, delete, with AWS's checks, defaults and
 * FunctionConfiguration. A function is kept durably as the keyed record
 * lambda.fn/<name> (its configuration, tags and code directory); its package
 * is unpacked once under the service's root (code.c). State and
 * LastUpdateStatus are reported as AWS's first answer has them (Pending,
 * InProgress) and are Active/Successful from the next call on, so SDK
 * waiters see the transition. */
#include "lambda/lambda_int.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/json_alloc.h"
#include "core/clock.h"
#include "core/ids.h"
#include "core/json_out.h"
#include "core/mem.h"
#include "core/params.h"

/* The runtimes AWS accepts for new functions, in the order its error lists
 * them, and older ones it names as no longer supported. Which of them Runnel
 * runs: docs/lambda.md. */
static const char *const runtimes[] = {
    "nodejs20.x", "python3.14", "provided.al2023", "python3.12", "python3.13", "nodejs24.x", "nodejs22.x", "java25",
    "python3.10", "python3.11", "java21", "ruby3.3", "ruby3.4", "ruby3.2", "python3.8", "python3.9", "java17",
    "nodejs16.x", "dotnet10", "dotnet8", "java11", "dotnet6", "nodejs18.x", "provided.al2", "java8.al2", NULL};
static const char *const retired[] = {"nodejs", "nodejs4.3", "nodejs4.3-edge", "nodejs6.10", "nodejs8.10",
                                      "nodejs10.x", "nodejs12.x", "nodejs14.x", "java8", "python2.7", "python3.6",
                                      "python3.7", "dotnetcore1.0", "dotnetcore2.0", "dotnetcore2.1",
                                      "dotnetcore3.1", "go1.x", "ruby2.5", "ruby2.7", "provided", NULL};

static int listed(const char *const *list, const char *r)
{
    for (int i = 0; list[i]; i++)
        if (!strcmp(list[i], r))
            return 1;
    return 0;
}

static void runtime_list(char *buf, size_t len)
{
    size_t o = 0;
    o += (size_t)snprintf(buf + o, len - o, "[");
    for (int i = 0; runtimes[i] && o < len; i++)
        o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? ", " : "", runtimes[i]);
    if (o < len)
        snprintf(buf + o, len - o, "]");
}

#define NAME_PATTERN                                                                                              \
    "(arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?(\\d{12}:)?"          \
    "(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?"
#define FIND_PATTERN                                                                                              \
    "(arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?(\\d{12}:)?"          \
    "(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST(\\.PUBLISHED)?|[a-zA-Z0-9-_]+))?"

static int name_ok(const char *n)
{
    size_t l = strlen(n);
    if (l == 0 || l > 64)
        return 0;
    for (const char *p = n; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_')
            return 0;
    return 1;
}

void lambda_time_text(int64_t ms, const char *zone, char *buf, size_t len)
{
    time_t s = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&s, &tm);
    char t[24];
    strftime(t, sizeof t, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf, len, "%.19s.%03d%s", t, (int)(ms % 1000), zone);
}

/* A name, partial ARN (ACCOUNT:function:NAME) or full ARN, with an optional
 * ":QUALIFIER", into name and qualifier. 0, or -1 when it is none of those. */
static int parse_fname(const lambda_t *L, const char *in, char *name, size_t nlen, char *qual, size_t qlen)
{
    char buf[256];
    if (strlen(in) >= sizeof buf)
        return -1;
    snprintf(buf, sizeof buf, "%s", in);
    char *parts[8];
    int n = 0;
    for (char *p = buf, *s; n < 8; p = s + 1) {
        parts[n++] = p;
        if (!(s = strchr(p, ':')))
            break;
        *s = 0;
    }
    const char *nm = NULL, *q = NULL;
    if (n == 1 || n == 2) { /* NAME or NAME:QUALIFIER */
        nm = parts[0];
        q = n == 2 ? parts[1] : NULL;
    } else if ((n == 3 || n == 4) && !strcmp(parts[1], "function")) { /* ACCOUNT:function:NAME[:Q] */
        if (strcmp(parts[0], L->env.cfg->account_id))
            return -1;
        nm = parts[2];
        q = n == 4 ? parts[3] : NULL;
    } else if ((n == 7 || n == 8) && !strcmp(parts[0], "arn") && !strcmp(parts[2], "lambda") &&
               !strcmp(parts[5], "function")) {
        if (strcmp(parts[3], L->env.cfg->region) || strcmp(parts[4], L->env.cfg->account_id))
            return -1;
        nm = parts[6];
        q = n == 8 ? parts[7] : NULL;
    } else {
        return -1;
    }
    if (!name_ok(nm) || (q && !*q))
        return -1;
    snprintf(name, nlen, "%s", nm);
    snprintf(qual, qlen, "%s", q ? q : "");
    return 0;
}

lambda_fn_t *lambda_find(lambda_t *L, rn_call_t *c, const char *fname, const char *qualifier)
{
    return lambda_resolve(L, c, fname, qualifier, 0, NULL, 0);
}

lambda_fn_t *lambda_find_qualified(lambda_t *L, rn_call_t *c, const char *fname, const char *qualifier)
{
    lambda_fn_t *fn = lambda_resolve(L, c, fname, qualifier, 1, NULL, 0);
    return fn && fn->latest ? fn->latest : fn;
}

lambda_fn_t *lambda_resolve(lambda_t *L, rn_call_t *c, const char *fname, const char *qualifier, int versions,
                            char *invoked, size_t invoked_len)
{
    char name[65], q[130], arn[300];
    if (!fname || parse_fname(L, fname, name, sizeof name, q, sizeof q) < 0) {
        rn_call_fail(c, LAMBDA_ERR_VALIDATION,
                     "1 validation error detected: Value '%s' at 'functionName' failed to satisfy constraint: "
                     "Member must satisfy regular expression pattern: " FIND_PATTERN,
                     fname ? fname : "null");
        return NULL;
    }
    if (qualifier && *qualifier && *q && strcmp(qualifier, q)) {
        rn_call_fail(c, LAMBDA_ERR_INVALID_PARAMETER, "The derived qualifier from the function name does not match "
                                                      "the specified qualifier.");
        return NULL;
    }
    const char *qq = qualifier && *qualifier ? qualifier : q;
    lambda_fn_t *fn = rn_smap_get(&L->fns, name);
    lambda_fn_arn(L, name, arn, sizeof arn);
    if (!fn) { /* Invoke names the version it looked for; the others only a qualifier given */
        const char *shown = *qq ? qq : !strcmp(c->op, "Invoke") ? "$LATEST" : "";
        rn_call_fail(c, LAMBDA_ERR_NOT_FOUND, "Function not found: %s%s%s", arn, *shown ? ":" : "", shown);
        return NULL;
    }
    if (invoked)
        snprintf(invoked, invoked_len, "%s%s%s", arn, *qq ? ":" : "", qq);
    if (*qq && strcmp(qq, "$LATEST")) {
        lambda_fn_t *v = versions ? lambda_version_of(fn, qq) : NULL;
        if (!v)
            rn_call_fail(c, LAMBDA_ERR_NOT_FOUND, "Function not found: %s:%s", arn, qq);
        return v;
    }
    return fn;
}

/* ---- checks shared by create and update ---- */

/* An integer member within [lo, hi], worded as AWS's validation does. */
static int check_range(rn_call_t *c, const json_t *in, const char *member, const char *field, long long lo,
                       long long hi)
{
    json_t *v = json_object_get(in, member);
    if (!v || json_is_null(v))
        return 0;
    long long n = json_integer_value(v);
    if (json_is_integer(v) && n >= lo && n <= hi)
        return 0;
    int low = !json_is_integer(v) || n < lo;
    return rn_call_fail(c, LAMBDA_ERR_VALIDATION,
                        "1 validation error detected: Value '%lld' at '%s' failed to satisfy constraint: Member must "
                        "have value %s than or equal to %lld",
                        n, field, low ? "greater" : "less", low ? lo : hi);
}

static int check_config(lambda_t *L, rn_call_t *c, const json_t *in, int creating)
{
    if (check_range(c, in, "Timeout", "timeout", 1, 900) < 0 ||
        check_range(c, in, "MemorySize", "memorySize", 128, 10240) < 0)
        return c->err;
    const char *rt = rn_param_str(in, "Runtime");
    if (rt && listed(retired, rt))
        return rn_call_fail(c, LAMBDA_ERR_INVALID_PARAMETER,
                            "The runtime parameter of %s is no longer supported for creating or updating AWS Lambda "
                            "functions. We recommend you use a supported runtime while creating or updating "
                            "functions.",
                            rt);
    if (rt && !listed(runtimes, rt)) {
        char list[2048];
        runtime_list(list, sizeof list);
        return rn_call_fail(c, LAMBDA_ERR_INVALID_PARAMETER,
                            "Value %s at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: "
                            "%s or be a valid ARN",
                            rt, list);
    }
    const char *role = rn_param_str(in, "Role");
    if (creating && !role)
        return rn_call_fail(c, LAMBDA_ERR_VALIDATION,
                            "1 validation error detected: Value null at 'role' failed to satisfy constraint: Member "
                            "must not be null");
    if (role && (strncmp(role, "arn:aws", 7) || !strstr(role, ":iam::") || !strstr(role, ":role/")))
        return rn_call_fail(c, LAMBDA_ERR_VALIDATION,
                            "1 validation error detected: Value '%s' at 'role' failed to satisfy constraint: Member "
                            "must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?"
                            "[a-zA-Z_0-9+=,.@\\-_/]+",
                            role);
    size_t li;
    json_t *lv;
    json_array_foreach(json_object_get(in, "Layers"), li, lv)
    {
        if (!lambda_layer_dir(L, json_string_value(lv)))
            return rn_call_fail(c, LAMBDA_ERR_INVALID_PARAMETER, "Layer version %s does not exist.",
                                json_string_value(lv) ?: "null");
    }
    if (json_array_size(json_object_get(in, "Layers")) > 5)
        return rn_call_fail(c, LAMBDA_ERR_INVALID_PARAMETER, "Cannot reference more than 5 layers.");
    const char *h = rn_param_str(in, "Handler");
    if (h && (strlen(h) > 128 || strchr(h, ' ')))
        return rn_call_fail(c, LAMBDA_ERR_VALIDATION,
                            "1 validation error detected: Value '%s' at 'handler' failed to satisfy constraint: "
                            "Member must satisfy regular expression pattern: [^\\s]+",
                            h);
    json_t *env = json_object_get(in, "Environment");
    if (env && !json_is_null(env)) {
        json_t *vars = json_object_get(env, "Variables");
        const char *k;
        json_t *val;
        json_object_foreach(vars, k, val)
        {
            if (!json_is_string(val))
                return rn_call_fail(c, LAMBDA_ERR_INVALID_PARAMETER, "Environment variable values must be strings.");
        }
        rn_buf_t b = {0}; /* AWS measures the variables' compact JSON */
        rn_json_dump(&b, vars);
        if (b.len <= 4096) {
            rn_buf_free(&b);
        } else {
            char *s = rn_malloc(b.len + 400);
            if (s)
                snprintf(s, b.len + 400,
                         "Lambda was unable to configure your environment variables because the environment "
                         "variables you have provided exceeded the 4KB limit. String measured: %s",
                         b.data ? b.data : "{}");
            rn_buf_free(&b);
            return s ? rn_call_fail_long(c, LAMBDA_ERR_INVALID_PARAMETER, s) : RN_ERR_NOMEM;
        }
    }
    return 0;
}

/* Writes the configuration members of in over cfg (create and update). */
static void apply_config(lambda_fn_t *fn, const json_t *in)
{
    static const char *const plain[] = {"Runtime", "Role", "Handler", "Description", "Timeout", "MemorySize",
                                        "KMSKeyArn", NULL};
    json_t *cfg = fn->cfg;
    for (int i = 0; plain[i]; i++) {
        json_t *v = json_object_get(in, plain[i]);
        if (v && !json_is_null(v))
            json_object_set(cfg, plain[i], v);
    }
    json_t *v;
    if ((v = json_object_get(in, "Environment")) && json_is_object(v)) {
        json_t *vars = json_object_get(v, "Variables");
        if (json_object_size(vars))
            json_object_set_new(cfg, "Environment", json_pack("{s:O}", "Variables", vars));
        else
            json_object_del(cfg, "Environment");
    }
    if ((v = json_object_get(in, "TracingConfig")) && json_is_object(v) && json_object_get(v, "Mode"))
        json_object_set_new(cfg, "TracingConfig", json_pack("{s:O}", "Mode", json_object_get(v, "Mode")));
    if ((v = json_object_get(in, "DeadLetterConfig")) && json_is_object(v)) {
        if (json_object_get(v, "TargetArn") && json_string_length(json_object_get(v, "TargetArn")))
            json_object_set(cfg, "DeadLetterConfig", v);
        else
            json_object_del(cfg, "DeadLetterConfig");
    }
    if ((v = json_object_get(in, "EphemeralStorage")) && json_is_object(v))
        json_object_set(cfg, "EphemeralStorage", v);
    if ((v = json_object_get(in, "LoggingConfig")) && json_is_object(v))
        json_object_update(json_object_get(cfg, "LoggingConfig"), v);
    if ((v = json_object_get(in, "Layers")) && json_is_array(v)) {
        json_t *ls = json_array();
        size_t i;
        json_t *l;
        json_array_foreach(v, i, l)
        {
            const char *dir = lambda_layer_dir(fn->L, json_string_value(l));
            (void)dir; /* (checked by check_config) */
            json_array_append_new(ls, json_pack("{s:O,s:I}", "Arn", l, "CodeSize",
                                                (json_int_t)lambda_layer_size(fn->L, json_string_value(l))));
        }
        if (json_array_size(ls))
            json_object_set_new(cfg, "Layers", ls);
        else {
            json_decref(ls);
            json_object_del(cfg, "Layers");
        }
    }
}

void lambda_fn_persist(lambda_fn_t *fn)
{
    json_t *rec = json_pack("{s:O,s:O,s:s,s:b,s:i,s:i}", "cfg", fn->cfg, "tags", fn->tags, "code_dir", fn->code_dir,
                            "local", fn->local, "reserved", fn->reserved, "last_version", fn->last_version);
    if (rec && fn->eic)
        json_object_set(rec, "eic", fn->eic);
    if (rec && json_object_size(fn->veic))
        json_object_set(rec, "veic", fn->veic);
    if (rec && json_array_size(fn->policy))
        json_object_set(rec, "policy", fn->policy);
    char *s = rec ? json_dumps(rec, JSON_COMPACT) : NULL;
    if (s)
        rn_store_kv_put(fn->L->env.store, "lambda.fn", fn->name, s);
    rn_json_free(s);
    json_decref(rec);
}

static void touch(lambda_fn_t *fn)
{
    char now[40], rev[37];
    lambda_time_text(rn_now_ms(), "+0000", now, sizeof now);
    rn_uuid(rev);
    json_object_set_new(fn->cfg, "LastModified", json_string(now));
    json_object_set_new(fn->cfg, "RevisionId", json_string(rev));
}

/* The reply's copy of cfg with the state AWS reports first. */
static json_t *as_first_seen(const lambda_fn_t *fn, int creating)
{
    json_t *o = json_deep_copy(fn->cfg);
    if (creating) {
        json_object_del(o, "LastUpdateStatus");
        json_object_set_new(o, "State", json_string("Pending"));
        json_object_set_new(o, "StateReason", json_string("The function is being created."));
        json_object_set_new(o, "StateReasonCode", json_string("Creating"));
    } else {
        json_object_set_new(o, "LastUpdateStatus", json_string("InProgress"));
        json_object_set_new(o, "LastUpdateStatusReason", json_string("The function is being created."));
        json_object_set_new(o, "LastUpdateStatusReasonCode", json_string("Creating"));
    }
    return o;
}

lambda_fn_t *lambda_fn_new(lambda_t *L, const char *name)
{
    lambda_fn_t *fn = rn_calloc(1, sizeof *fn);
    if (!fn)
        return NULL;
    fn->L = L;
    snprintf(fn->name, sizeof fn->name, "%s", name);
    snprintf(fn->version, sizeof fn->version, "$LATEST");
    fn->reserved = -1;
    fn->tags = json_object();
    return fn;
}

void lambda_fn_release(lambda_fn_t *fn)
{
    if (!fn || fn->alive)
        return; /* the last instance (or version) to go frees it */
    while (fn->qhead) {
        lambda_inv_t *inv = fn->qhead;
        fn->qhead = inv->next;
        if (fn->L->resetting)
            inv->detached = 1;
        if (fn->L->closing)
            lambda_inv_free(inv);
        else
            lambda_inv_finish(inv, rn_strdup("{\"errorMessage\":\"The function was deleted.\","
                                             "\"errorType\":\"ResourceNotFoundException\"}"),
                              0, "Unhandled");
    }
    lambda_fn_t *base = fn->latest; /* a version keeps its $LATEST alive */
    json_decref(fn->cfg);
    json_decref(fn->tags);
    json_decref(fn->creds);
    json_decref(fn->eic);
    json_decref(fn->veic);
    json_decref(fn->policy);
    rn_free(fn);
    if (base && --base->alive == 0 && base->deleted)
        lambda_fn_release(base);
}

static int set_code(lambda_t *L, rn_call_t *c, lambda_fn_t *fn, const char *zip_b64, const char *dir)
{
    char sha[64];
    int64_t size = 0;
    if (dir) {
        if (dir[0] != '/')
            return rn_call_fail(c, LAMBDA_ERR_INVALID_PARAMETER, "%s must be an absolute path.", LAMBDA_LOCAL_DIR);
        struct stat st;
        if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
            return rn_call_fail(c, LAMBDA_ERR_INVALID_PARAMETER, "%s %s is not a directory.", LAMBDA_LOCAL_DIR, dir);
        snprintf(fn->code_dir, sizeof fn->code_dir, "%s", dir);
        fn->local = 1;
        lambda_code_stamp(dir, fn->hot_stamp, sizeof fn->hot_stamp);
        snprintf(sha, sizeof sha, "local");
    } else {
        char d[PATH_MAX];
        if (lambda_code_from_zip(L, c, zip_b64, d, sizeof d, sha, sizeof sha, &size) < 0)
            return c->err;
        snprintf(fn->code_dir, sizeof fn->code_dir, "%s", d);
        fn->local = 0;
    }
    json_object_set_new(fn->cfg, "CodeSha256", json_string(sha));
    json_object_set_new(fn->cfg, "CodeSize", json_integer(size));
    return 0;
}

int lambda_create_function(lambda_t *L, rn_call_t *c)
{
    const json_t *in = c->in;
    const char *name = rn_param_str(in, "FunctionName");
    if (!name)
        return rn_call_fail(c, LAMBDA_ERR_VALIDATION,
                            "1 validation error detected: Value null at 'functionName' failed to satisfy constraint: "
                            "Member must not be null");
    char nm[65], q[130];
    if (parse_fname(L, name, nm, sizeof nm, q, sizeof q) < 0 || *q)
        return rn_call_fail(c, LAMBDA_ERR_VALIDATION,
                            "1 validation error detected: Value '%s' at 'functionName' failed to satisfy constraint: "
                            "Member must satisfy regular expression pattern: " NAME_PATTERN,
                            name);
    int rc = check_config(L, c, in, 1);
    if (rc < 0)
        return rc;
    const char *pkg = rn_param_str(in, "PackageType");
    if (pkg && !strcmp(pkg, "Image"))
        return rn_call_fail(c, LAMBDA_ERR_INVALID_PARAMETER,
                            "Runnel runs zip packages only: container images (PackageType Image) are not supported.");
    const char *rt = rn_param_str(in, "Runtime");
    if (!rt || (!rn_param_str(in, "Handler") && strncmp(rt, "provided", 8)))
        return rn_call_fail(c, LAMBDA_ERR_INVALID_PARAMETER,
                            "Runtime and Handler are mandatory parameters for functions created with deployment "
                            "packages.");
    json_t *code = json_object_get(in, "Code");
    const char *zip = rn_param_str(code, "ZipFile");
    const char *dir = rn_param_str(code, LAMBDA_LOCAL_DIR);
    if (!zip && !dir) {
        if (rn_param_str(code, "S3Bucket") || rn_param_str(code, "ImageUri"))
            return rn_call_fail(c, LAMBDA_ERR_INVALID_PARAMETER,
                                "Runnel takes code as Code.ZipFile or Code.%s (a local directory); it has no S3 "
                                "bucket or image registry to read it from.",
                                LAMBDA_LOCAL_DIR);
        return rn_call_fail(c, LAMBDA_ERR_INVALID_PARAMETER, "Please provide a source for function code.");
    }
    if (rn_smap_get(&L->fns, nm)) {
        char arn[300];
        lambda_fn_arn(L, nm, arn, sizeof arn);
        return rn_call_fail(c, LAMBDA_ERR_CONFLICT, "Function already exist: %s", nm);
    }
    lambda_fn_t *fn = lambda_fn_new(L, nm);
    if (!fn)
        return RN_ERR_NOMEM;
    char arn[300];
    lambda_fn_arn(L, nm, arn, sizeof arn);
    char group[100];
    snprintf(group, sizeof group, "/aws/lambda/%s", nm);
    fn->cfg = json_pack("{s:s,s:s,s:s,s:i,s:i,s:s,s:s,s:{s:s},s:s,s:s,s:[s],s:{s:i},s:{s:s,s:s},s:{s:s,s:s}}",
                        "FunctionName", nm, "FunctionArn", arn, "Description", "", "Timeout", 3, "MemorySize", 128,
                        "Version", "$LATEST", "PackageType", "Zip", "TracingConfig", "Mode", "PassThrough", "State",
                        "Active", "LastUpdateStatus", "Successful", "Architectures", "x86_64", "EphemeralStorage",
                        "Size", 512, "SnapStart", "ApplyOn", "None", "OptimizationStatus", "Off", "LoggingConfig",
                        "LogFormat", "Text", "LogGroup", group);
    if (!fn->cfg) {
        lambda_fn_release(fn);
        return RN_ERR_NOMEM;
    }
    json_t *arch = json_object_get(in, "Architectures");
    if (json_is_array(arch) && json_array_size(arch) == 1)
        json_object_set(fn->cfg, "Architectures", arch);
    apply_config(fn, in);
    char rv[200];
    snprintf(rv, sizeof rv, "arn:aws:lambda:%s::runtime:runnel-%s", L->env.cfg->region,
             json_string_value(json_object_get(fn->cfg, "Runtime")));
    json_object_set_new(fn->cfg, "RuntimeVersionConfig", json_pack("{s:s}", "RuntimeVersionArn", rv));
    json_t *tags = json_object_get(in, "Tags");
    if (json_is_object(tags))
        json_object_update(fn->tags, tags);
    if (set_code(L, c, fn, zip, dir) < 0) {
        lambda_fn_release(fn);
        return c->err;
    }
    touch(fn);
    if (rn_smap_put(&L->fns, nm, fn) < 0) {
        lambda_fn_release(fn);
        return RN_ERR_NOMEM;
    }
    lambda_fn_persist(fn);
    if (json_is_true(json_object_get(in, "Publish"))) {
        lambda_fn_t *v = lambda_publish(fn, c, NULL);
        if (!v)
            return c->err;
        c->out = as_first_seen(v, 1);
        return 0;
    }
    c->out = as_first_seen(fn, 1);
    return 0;
}

int lambda_get_function(lambda_t *L, rn_call_t *c, int config_only)
{
    lambda_fn_t *fn =
        lambda_resolve(L, c, rn_param_str(c->in, "FunctionName"), rn_param_str(c->in, "Qualifier"), 1, NULL, 0);
    if (!fn)
        return c->err;
    if (config_only) {
        c->out = json_deep_copy(fn->cfg);
        return 0;
    }
    c->out = json_pack("{s:O,s:{s:s}}", "Configuration", fn->cfg, "Code", "RepositoryType", "S3");
    const lambda_fn_t *base = fn->latest ? fn->latest : fn;
    if (json_object_size(base->tags))
        json_object_set(c->out, "Tags", base->tags);
    if (fn->reserved >= 0)
        json_object_set_new(c->out, "Concurrency", json_pack("{s:i}", "ReservedConcurrentExecutions", fn->reserved));
    return c->out ? 0 : RN_ERR_NOMEM;
}

typedef struct {
    lambda_t *L;
    json_t *list;
} list_ctx_t;

static void take(void *ud, const char *name)
{
    list_ctx_t *x = ud;
    lambda_fn_t *fn = rn_smap_get(&x->L->fns, name);
    json_array_append(x->list, fn->cfg);
}

int lambda_list_functions(lambda_t *L, rn_call_t *c)
{
    json_t *mi = json_object_get(c->in, "MaxItems");
    json_int_t max = mi ? json_integer_value(mi) : 50;
    if (mi && (max < 1 || max > 10000))
        return rn_call_fail(c, LAMBDA_ERR_VALIDATION,
                            "1 validation error detected: Value '%lld' at 'maxItems' failed to satisfy constraint: "
                            "Member must have value %s",
                            (long long)max, max < 1 ? "greater than or equal to 1" : "less than or equal to 10000");
    list_ctx_t x = {L, json_array()};
    return lambda_page(c, &L->fns, (size_t)max, "Functions", x.list, NULL, take, &x);
}

int lambda_delete_function(lambda_t *L, rn_call_t *c)
{
    const char *q = rn_param_str(c->in, "Qualifier");
    if (q && !strcmp(q, "$LATEST"))
        return rn_call_fail(c, LAMBDA_ERR_INVALID_PARAMETER, "$LATEST version cannot be deleted without deleting "
                                                             "the function.");
    if (q && *q)
        return lambda_version_delete_call(L, c, q);
    lambda_fn_t *fn = lambda_find(L, c, rn_param_str(c->in, "FunctionName"), NULL);
    if (!fn)
        return c->err;
    rn_smap_del(&L->fns, fn->name);
    rn_store_kv_delete(L->env.store, "lambda.fn", fn->name);
    lambda_async_forget(fn);
    lambda_versions_drop(fn, 1);
    fn->deleted = 1;
    lambda_fn_stop_all(fn, 0);
    lambda_fn_release(fn);
    c->out = json_object();
    return 0;
}

/* The function an update names, if its RevisionId (when given) is the
 * current one; NULL with the call's error set. */
static lambda_fn_t *to_update(lambda_t *L, rn_call_t *c)
{
    lambda_fn_t *fn = lambda_find(L, c, rn_param_str(c->in, "FunctionName"), NULL);
    const char *rev = rn_param_str(c->in, "RevisionId");
    if (fn && rev && strcmp(rev, json_string_value(json_object_get(fn->cfg, "RevisionId")))) {
        rn_call_fail(c, LAMBDA_ERR_PRECONDITION,
                     "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias "
                     "API to retrieve the latest Revision Id");
        return NULL;
    }
    return fn;
}

int lambda_update_config(lambda_t *L, rn_call_t *c)
{
    lambda_fn_t *fn = to_update(L, c);
    if (!fn)
        return c->err;
    int rc = check_config(L, c, c->in, 0);
    if (rc < 0)
        return rc;
    apply_config(fn, c->in);
    touch(fn);
    lambda_fn_persist(fn);
    lambda_fn_stop_all(fn, 0); /* new instances see the new configuration */
    c->out = as_first_seen(fn, 0);
    return 0;
}

int lambda_update_code(lambda_t *L, rn_call_t *c)
{
    lambda_fn_t *fn = to_update(L, c);
    if (!fn)
        return c->err;
    const char *zip = rn_param_str(c->in, "ZipFile"), *dir = rn_param_str(c->in, LAMBDA_LOCAL_DIR);
    if (!zip && !dir)
        return rn_call_fail(c, LAMBDA_ERR_INVALID_PARAMETER, "Please provide a source for function code.");
    json_t *dry = json_object_get(c->in, "DryRun");
    if (json_is_true(dry)) {
        c->out = json_deep_copy(fn->cfg);
        return 0;
    }
    if (set_code(L, c, fn, zip, dir) < 0)
        return c->err;
    touch(fn);
    lambda_fn_persist(fn);
    lambda_fn_stop_all(fn, 0);
    lambda_fn_t *shown = fn;
    if (json_is_true(json_object_get(c->in, "Publish")) && !(shown = lambda_publish(fn, c, NULL)))
        return c->err;
    c->out = as_first_seen(shown, 0);
    return 0;
}

int lambda_account_settings(lambda_t *L, rn_call_t *c)
{
    int64_t used = 0;
    size_t i = 0;
    const char *k;
    void *v;
    int reserved = 0;
    while (rn_smap_next(&L->fns, &i, &k, &v)) {
        lambda_fn_t *fn = v;
        used += json_integer_value(json_object_get(fn->cfg, "CodeSize"));
        if (fn->reserved > 0)
            reserved += fn->reserved;
    }
    c->out = json_pack("{s:{s:I,s:I,s:I,s:i,s:i},s:{s:I,s:I}}", "AccountLimit", "TotalCodeSize",
                       (json_int_t)80530636800LL, "CodeSizeUnzipped", (json_int_t)LAMBDA_MAX_UNZIPPED,
                       "CodeSizeZipped", (json_int_t)LAMBDA_MAX_ZIPPED, "ConcurrentExecutions",
                       LAMBDA_ACCOUNT_CONCURRENCY, "UnreservedConcurrentExecutions",
                       LAMBDA_ACCOUNT_CONCURRENCY - reserved, "AccountUsage", "TotalCodeSize", (json_int_t)used,
                       "FunctionCount", (json_int_t)L->fns.len);
    return c->out ? 0 : RN_ERR_NOMEM;
}

int lambda_load_kv(lambda_t *L, const char *ns, const char *key, const char *value)
{
    if (!strcmp(ns, "lambda.esm"))
        return lambda_esm_load(L, key, value);
    if (strcmp(ns, "lambda.fn"))
        return 0; /* lambda.async is read in invoke.c's start */
    json_t *rec = json_loads(value, 0, NULL);
    if (!rec)
        return 0;
    lambda_fn_t *fn = lambda_fn_new(L, key);
    if (!fn) {
        json_decref(rec);
        return RN_ERR_NOMEM;
    }
    fn->cfg = json_incref(json_object_get(rec, "cfg"));
    json_object_update(fn->tags, json_object_get(rec, "tags"));
    snprintf(fn->code_dir, sizeof fn->code_dir, "%s", json_string_value(json_object_get(rec, "code_dir")));
    fn->local = json_is_true(json_object_get(rec, "local"));
    json_t *r = json_object_get(rec, "reserved");
    fn->reserved = r ? (int)json_integer_value(r) : -1;
    fn->last_version = (int)json_integer_value(json_object_get(rec, "last_version"));
    json_t *eic = json_object_get(rec, "eic"), *veic = json_object_get(rec, "veic");
    fn->eic = json_is_object(eic) ? json_incref(eic) : NULL;
    fn->veic = json_is_object(veic) ? json_incref(veic) : NULL;
    json_t *pol = json_object_get(rec, "policy");
    fn->policy = json_is_array(pol) ? json_incref(pol) : NULL;
    if (fn->local)
        lambda_code_stamp(fn->code_dir, fn->hot_stamp, sizeof fn->hot_stamp);
    json_decref(rec);
    if (!fn->cfg || rn_smap_put(&L->fns, key, fn) < 0) {
        lambda_fn_release(fn);
        return RN_ERR_NOMEM;
    }
    return 0;
}

/* TagResource, UntagResource, ListTags on a function's ARN. */
int lambda_tags_call(lambda_t *L, rn_call_t *c)
{
    const char *arn = rn_param_str(c->in, "Resource");
    lambda_fn_t *fn = lambda_find(L, c, arn, NULL);
    if (!fn)
        return c->err;
    if (!strcmp(c->op, "TagResource")) {
        json_t *tags = json_object_get(c->in, "Tags");
        if (!json_is_object(tags))
            return rn_call_fail(c, LAMBDA_ERR_INVALID_PARAMETER, "Tags must be a map.");
        if (json_object_size(fn->tags) + json_object_size(tags) > 50)
            return rn_call_fail(c, LAMBDA_ERR_INVALID_PARAMETER, "Number of tags exceeds resource tag limit.");
        json_object_update(fn->tags, tags);
    } else if (!strcmp(c->op, "UntagResource")) {
        size_t i;
        json_t *k;
        json_array_foreach(json_object_get(c->in, "TagKeys"), i, k) json_object_del(fn->tags, json_string_value(k));
    } else {
        c->out = json_pack("{s:O}", "Tags", fn->tags);
        return 0;
    }
    lambda_fn_persist(fn);
    c->out = json_object();
    return 0;
}
