/* SPDX-License-Identifier: MIT
 * STS operations and the credentials they issue. State: one JSON object,
 * access key → {"secret", "token", "account", "arn", "user", "exp"}, owned by
 * the loop and written through the store (namespace "sts.cred"). An expired
 * credential stays until the next start, so a request made with it is told
 * it expired (not that it is unknown); load drops it. */
#include "sts/sts.h"

#include <openssl/evp.h>
#include <openssl/sha.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/ids.h"
#include "core/json_alloc.h"
#include "core/mem.h"

#define NS_CRED "sts.cred"
#define ROLE_DEFAULT_S 3600
#define ROLE_MIN_S 900
#define ROLE_MAX_S 43200
#define SESSION_DEFAULT_S 43200
#define SESSION_MAX_S 129600

struct sts {
    rn_store_t *store;
    const rn_config_t *cfg;
    json_t *creds;
};

static const rn_err_info_t sts_rows[] = {STS_ERR_TABLE(RN_ERR_ROW)};
const rn_err_table_t sts_errors = {STS_ERR_FIRST_ + 1, sizeof sts_rows / sizeof sts_rows[0], sts_rows};

int sts_new(const rn_service_env_t *env, sts_t **out)
{
    sts_t *s = rn_calloc(1, sizeof *s);
    if (!s || !(s->creds = json_object())) {
        rn_free(s);
        return RN_ERR_NOMEM;
    }
    s->store = env->store;
    s->cfg = env->cfg;
    *out = s;
    return 0;
}

void sts_free(sts_t *s)
{
    if (!s)
        return;
    json_decref(s->creds);
    rn_free(s);
}

void sts_reset(sts_t *s)
{
    json_object_clear(s->creds);
}

size_t sts_credential_count(const sts_t *s)
{
    return json_object_size(s->creds);
}

int sts_load_kv(sts_t *s, const char *ns, const char *key, const char *value)
{
    if (strcmp(ns, NS_CRED) != 0)
        return 0;
    json_t *v = json_loads(value, 0, NULL);
    if (!json_is_object(v)) {
        json_decref(v);
        return 0; /* unreadable: the key is simply not valid any more */
    }
    if (json_integer_value(json_object_get(v, "exp")) <= rn_now_ms()) {
        json_decref(v);
        rn_store_kv_delete(s->store, NS_CRED, key);
        return 0;
    }
    return json_object_set_new(s->creds, key, v) < 0 ? RN_ERR_NOMEM : 0;
}

int sts_credential(sts_t *s, const char *akid, rn_credential_t *out)
{
    json_t *v = json_object_get(s->creds, akid);
    if (!v)
        return -1;
    *out = (rn_credential_t){json_string_value(json_object_get(v, "secret")),
                             json_string_value(json_object_get(v, "token")),
                             json_string_value(json_object_get(v, "account")),
                             json_integer_value(json_object_get(v, "exp"))};
    return 0;
}

/* ---- helpers ---- */

/* n characters of alphabet from the random source */
static void random_text(char *out, size_t n, const char *alphabet)
{
    size_t k = strlen(alphabet);
    for (size_t i = 0; i < n; i++)
        out[i] = alphabet[rn_rand64() % k];
    out[n] = '\0';
}

static const char B32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/* A role's stable unique id: AROA + 17 characters from a hash of its ARN. */
static void role_id(const char *role_arn, char out[22])
{
    unsigned char h[SHA256_DIGEST_LENGTH];
    SHA256((const unsigned char *)role_arn, strlen(role_arn), h);
    memcpy(out, "AROA", 4);
    for (int i = 0; i < 17; i++)
        out[4 + i] = B32[h[i] & 31];
    out[21] = '\0';
}

static int is_account(const char *s)
{
    return s && strlen(s) == 12 && strspn(s, "0123456789") == 12;
}

/* The credential the call was signed with, if this service issued it. */
static json_t *caller_cred(sts_t *s, const rn_call_t *c)
{
    json_t *v = c->principal[0] ? json_object_get(s->creds, c->principal) : NULL;
    return v && json_integer_value(json_object_get(v, "exp")) > rn_now_ms() ? v : NULL;
}

/* Collects AWS's "N validation error(s) detected: ...; ..." message. */
typedef struct violations {
    int n;
    char text[900];
} violations_t;

static void violate(violations_t *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void violate(violations_t *v, const char *fmt, ...)
{
    size_t len = strlen(v->text);
    if (v->n++ && len + 2 < sizeof v->text) {
        memcpy(v->text + len, "; ", 3);
        len += 2;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->text + len, sizeof v->text - len, fmt, ap);
    va_end(ap);
}

static int violations_fail(rn_call_t *c, const violations_t *v)
{
    return rn_call_fail(c, STS_ERR_VALIDATION, "%d validation error%s detected: %s", v->n, v->n == 1 ? "" : "s",
                        v->text);
}

/* Checks a string member against its length bounds and, when pattern_ok is
 * given, its pattern; field is the member's name as AWS quotes it. */
static void check_str(violations_t *v, const char *field, const char *val, size_t lo, size_t hi, int required,
                      int (*pattern_ok)(const char *), const char *pattern)
{
    if (!val) {
        if (required)
            violate(v, "Value null at '%s' failed to satisfy constraint: Member must not be null", field);
        return;
    }
    size_t n = strlen(val);
    if (n < lo)
        violate(v, "Value '%s' at '%s' failed to satisfy constraint: Member must have length greater than or equal "
                   "to %zu", val, field, lo);
    else if (n > hi)
        violate(v, "Value '%s' at '%s' failed to satisfy constraint: Member must have length less than or equal to "
                   "%zu", val, field, hi);
    else if (pattern_ok && !pattern_ok(val))
        violate(v, "Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression "
                   "pattern: %s", val, field, pattern);
}

static void check_range(violations_t *v, const char *field, const json_t *val, long lo, long hi)
{
    if (!val)
        return;
    json_int_t x = json_integer_value(val);
    if (x < lo)
        violate(v, "Value '%lld' at '%s' failed to satisfy constraint: Member must have value greater than or equal "
                   "to %ld", (long long)x, field, lo);
    else if (x > hi)
        violate(v, "Value '%lld' at '%s' failed to satisfy constraint: Member must have value less than or equal to "
                   "%ld", (long long)x, field, hi);
}

/* [\w+=,.@-]* */
static int session_name_ok(const char *s)
{
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || strchr("_+=,.@-", *s)))
            return 0;
    return 1;
}

/* arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE with partition, service and
 * resource present */
static int arn_ok(const char *arn, char account[16])
{
    const char *f[6];
    int n = 0;
    const char *p = arn;
    f[n++] = p;
    while (n < 6 && (p = strchr(p, ':'))) {
        p++;
        f[n++] = p;
    }
    if (n < 6 || strncmp(arn, "arn:", 4) != 0 || f[1][0] == ':' || f[2][0] == ':' || !f[5][0])
        return 0;
    size_t al = (size_t)(f[5] - f[4] - 1);
    snprintf(account, 16, "%.*s", al < 16 ? (int)al : 0, f[4]);
    return 1;
}

/* Issues a credential for account, identity arn and user id, valid for
 * seconds; fills the Credentials output member. */
static int issue(sts_t *s, rn_call_t *c, const char *account, const char *arn, const char *user, long seconds,
                 json_t **creds_out)
{
    char akid[21], secret[41], token[257];
    memcpy(akid, "ASIA", 4);
    random_text(akid + 4, 16, B32 + 0);
    random_text(secret, 40, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");
    unsigned char raw[192];
    rn_rand_bytes(raw, sizeof raw);
    EVP_EncodeBlock((unsigned char *)token, raw, sizeof raw);
    int64_t exp = rn_now_ms() + (int64_t)seconds * 1000;
    json_t *rec = json_pack("{s:s,s:s,s:s,s:s,s:s,s:I}", "secret", secret, "token", token, "account", account, "arn",
                            arn, "user", user, "exp", (json_int_t)exp);
    if (!rec || json_object_set_new(s->creds, akid, rec) < 0)
        return rn_call_fail(c, RN_ERR_NOMEM, "Out of memory");
    if (rn_store_durable(s->store)) {
        char *txt = json_dumps(rec, JSON_COMPACT);
        if (txt)
            rn_store_kv_put(s->store, NS_CRED, akid, txt);
        rn_json_free(txt);
    }
    *creds_out = json_pack("{s:s,s:s,s:s,s:I}", "AccessKeyId", akid, "SecretAccessKey", secret, "SessionToken", token,
                           "Expiration", (json_int_t)(exp / 1000));
    return *creds_out ? 0 : rn_call_fail(c, RN_ERR_NOMEM, "Out of memory");
}

/* ---- operations ---- */

static int op_get_caller_identity(sts_t *s, rn_call_t *c)
{
    json_t *cred = caller_cred(s, c);
    if (cred)
        c->out = json_pack("{s:O,s:O,s:O}", "UserId", json_object_get(cred, "user"), "Account",
                           json_object_get(cred, "account"), "Arn", json_object_get(cred, "arn"));
    else {
        char arn[64];
        snprintf(arn, sizeof arn, "arn:aws:iam::%s:root", c->account);
        c->out = json_pack("{s:s,s:s,s:s}", "UserId", c->account, "Account", c->account, "Arn", arn);
    }
    return c->out ? 0 : rn_call_fail(c, RN_ERR_NOMEM, "Out of memory");
}

static int op_assume_role(sts_t *s, rn_call_t *c)
{
    const char *role = json_string_value(json_object_get(c->in, "RoleArn"));
    const char *session = json_string_value(json_object_get(c->in, "RoleSessionName"));
    const json_t *duration = json_object_get(c->in, "DurationSeconds");
    violations_t v = {0};
    check_str(&v, "roleArn", role, 20, 2048, 1, NULL, NULL);
    check_str(&v, "roleSessionName", session, 2, 64, 1, session_name_ok, "[\\w+=,.@-]*");
    check_range(&v, "durationSeconds", duration, ROLE_MIN_S, ROLE_MAX_S);
    check_str(&v, "sourceIdentity", json_string_value(json_object_get(c->in, "SourceIdentity")), 2, 64, 0,
              session_name_ok, "[\\w+=,.@-]*");
    if (v.n)
        return violations_fail(c, &v);
    char account[16];
    if (!arn_ok(role, account))
        return rn_call_fail(c, STS_ERR_VALIDATION, "%s is invalid", role);
    if (!is_account(account))
        snprintf(account, sizeof account, "%s", c->account);
    const char *policy = json_string_value(json_object_get(c->in, "Policy"));
    if (policy) {
        json_t *doc = json_loads(policy, 0, NULL);
        int ok = json_is_object(doc);
        json_decref(doc);
        if (!ok)
            return rn_call_fail(c, STS_ERR_MALFORMED_POLICY, "Syntax errors in policy.");
    }
    /* the role's name is the resource after "role/" (any path before it) */
    const char *res = strchr(strchr(strchr(strchr(strchr(role, ':') + 1, ':') + 1, ':') + 1, ':') + 1, ':') + 1;
    const char *name = strrchr(res, '/') ? strrchr(res, '/') + 1 : res;
    char rid[22], arn[2200], user[128];
    role_id(role, rid);
    snprintf(arn, sizeof arn, "arn:aws:sts::%s:assumed-role/%s/%s", account, name, session);
    snprintf(user, sizeof user, "%s:%s", rid, session);
    json_t *creds;
    if (issue(s, c, account, arn, user, duration ? (long)json_integer_value(duration) : ROLE_DEFAULT_S, &creds) < 0)
        return c->err;
    c->out = json_pack("{s:o,s:{s:s,s:s}}", "Credentials", creds, "AssumedRoleUser", "AssumedRoleId", user, "Arn",
                       arn);
    const char *src = json_string_value(json_object_get(c->in, "SourceIdentity"));
    if (c->out && src)
        json_object_set_new(c->out, "SourceIdentity", json_string(src));
    return c->out ? 0 : rn_call_fail(c, RN_ERR_NOMEM, "Out of memory");
}

static int op_get_session_token(sts_t *s, rn_call_t *c)
{
    const json_t *duration = json_object_get(c->in, "DurationSeconds");
    violations_t v = {0};
    check_range(&v, "durationSeconds", duration, ROLE_MIN_S, SESSION_MAX_S);
    if (v.n)
        return violations_fail(c, &v);
    if (caller_cred(s, c))
        return rn_call_fail(c, RN_ERR_ACCESS_DENIED, "Cannot call GetSessionToken with session credentials");
    char arn[64];
    snprintf(arn, sizeof arn, "arn:aws:iam::%s:root", c->account);
    json_t *creds;
    if (issue(s, c, c->account, arn, c->account, duration ? (long)json_integer_value(duration) : SESSION_DEFAULT_S,
              &creds) < 0)
        return c->err;
    c->out = json_pack("{s:o}", "Credentials", creds);
    return c->out ? 0 : rn_call_fail(c, RN_ERR_NOMEM, "Out of memory");
}

int sts_call(sts_t *s, rn_call_t *c)
{
    static const struct {
        const char *name;
        int (*fn)(sts_t *, rn_call_t *);
    } ops[] = {
        {"AssumeRole", op_assume_role},
        {"GetCallerIdentity", op_get_caller_identity},
        {"GetSessionToken", op_get_session_token},
    };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (strcmp(ops[i].name, c->op) == 0)
            return ops[i].fn(s, c) < 0 ? c->err : 0;
    return rn_call_fail(c, RN_ERR_INVALID_ACTION, "Could not find operation %s for version 2011-06-15", c->op);
}
