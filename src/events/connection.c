/* SPDX-License-Identifier: MIT
 * Connections (how to authenticate to an HTTP endpoint: Basic, API key or
 * OAuth client credentials) and API destinations (an endpoint, a method, a
 * rate limit and a connection), as EventBridge's API manages them. Records
 * are JSON objects kept as given, secrets included (they stand in for the
 * Secrets Manager secret AWS creates), and never returned by Describe. The
 * HTTP delivery that uses them lives in apidest.c. */
#include "events/ev_int.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_alloc.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/ids.h"
#include "core/json_out.h"
#include "core/mem.h"

#define NAME_PATTERN "[\\.\\-_A-Za-z0-9]+"
#define CONN_ARN_PATTERN                                                                                         \
    "^arn:aws([a-z]|\\-)*:events:([a-z]|\\d|\\-)*:([0-9]{12})?:connection\\/[\\.\\-_A-Za-z0-9]+\\/[\\-A-Za-z0-9]+$"
#define MAX_RECORDS 3000

/* Collects "Value 'x' at 'y' failed to satisfy constraint: ..." items. */
typedef struct {
    int n;
    char buf[3000];
} verr_t;

static void verr_add(verr_t *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void verr_add(verr_t *v, const char *fmt, ...)
{
    size_t len = strlen(v->buf);
    if (v->n && len + 2 < sizeof v->buf) {
        strcat(v->buf, "; ");
        len += 2;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->buf + len, sizeof v->buf - len, fmt, ap);
    va_end(ap);
    v->n++;
}

static int verr_fail(rn_call_t *c, const verr_t *v)
{
    if (v->n == 0)
        return 0;
    return rn_call_fail(c, RN_ERR_VALIDATION, "%d validation error%s detected: %s", v->n, v->n > 1 ? "s" : "",
                        v->buf);
}

static void check_name(verr_t *v, const char *field, const char *name)
{
    size_t n = strlen(name);
    int bad = n == 0;
    for (size_t i = 0; i < n; i++)
        bad |= !ev_rule_char((unsigned char)name[i]);
    if (bad)
        verr_add(v, "Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression "
                    "pattern: " NAME_PATTERN,
                 name, field);
    if (n > 64)
        verr_add(v, "Value '%s' at '%s' failed to satisfy constraint: Member must have length less than or equal to 64",
                 name, field);
}

static void check_enum(verr_t *v, const char *field, const char *val, const char *const *allowed,
                       const char *listed)
{
    for (int i = 0; allowed[i]; i++)
        if (strcmp(allowed[i], val) == 0)
            return;
    verr_add(v, "Value '%s' at '%s' failed to satisfy constraint: Member must satisfy enum value set: [%s]", val,
             field, listed);
}

static const char *const auth_types[] = {"BASIC", "OAUTH_CLIENT_CREDENTIALS", "API_KEY", NULL};
static const char *const methods[] = {"POST", "GET", "HEAD", "OPTIONS", "PUT", "PATCH", "DELETE", NULL};

static void persist(ev_t *e, const char *ns, const char *name, const json_t *rec)
{
    if (!rn_store_durable(e->store))
        return;
    char *txt = json_dumps(rec, JSON_COMPACT);
    if (txt)
        rn_store_kv_put(e->store, ns, name, txt);
    rn_json_free(txt);
}

static void put_times(json_t *out, const json_t *rec, int authorized)
{
    json_object_set_new(out, "CreationTime", ev_time_json(json_integer_value(json_object_get(rec, "Created"))));
    json_object_set_new(out, "LastModifiedTime", ev_time_json(json_integer_value(json_object_get(rec, "Modified"))));
    if (authorized)
        json_object_set_new(out, "LastAuthorizedTime",
                            ev_time_json(json_integer_value(json_object_get(rec, "Authorized"))));
}

static void copy(json_t *dst, const json_t *src, const char *key)
{
    json_t *v = json_object_get(src, key);
    if (v)
        json_object_set(dst, key, v);
}

/* InvocationHttpParameters without the values marked secret. */
static json_t *public_http_params(const json_t *p)
{
    json_t *out = json_deep_copy(p);
    const char *lists[] = {"HeaderParameters", "QueryStringParameters", "BodyParameters"};
    for (int i = 0; out && i < 3; i++) {
        size_t k;
        json_t *item;
        json_array_foreach(json_object_get(out, lists[i]), k, item) if (json_is_true(
            json_object_get(item, "IsValueSecret"))) json_object_del(item, "Value");
    }
    return out;
}

static json_t *public_auth(const json_t *auth)
{
    json_t *out = json_object(), *x;
    if ((x = json_object_get(auth, "BasicAuthParameters")))
        json_object_set_new(out, "BasicAuthParameters", json_pack("{s:O?}", "Username", json_object_get(x, "Username")));
    if ((x = json_object_get(auth, "ApiKeyAuthParameters")))
        json_object_set_new(out, "ApiKeyAuthParameters",
                            json_pack("{s:O?}", "ApiKeyName", json_object_get(x, "ApiKeyName")));
    if ((x = json_object_get(auth, "OAuthParameters"))) {
        json_t *o = json_object();
        json_object_set_new(o, "ClientParameters",
                            json_pack("{s:O?}", "ClientID",
                                      json_object_get(json_object_get(x, "ClientParameters"), "ClientID")));
        copy(o, x, "AuthorizationEndpoint");
        copy(o, x, "HttpMethod");
        if (json_object_get(x, "OAuthHttpParameters"))
            json_object_set_new(o, "OAuthHttpParameters", public_http_params(json_object_get(x, "OAuthHttpParameters")));
        json_object_set_new(out, "OAuthParameters", o);
    }
    if ((x = json_object_get(auth, "InvocationHttpParameters")))
        json_object_set_new(out, "InvocationHttpParameters", public_http_params(x));
    return out;
}

/* Checks that AuthParameters carries what AuthorizationType needs. */
static int auth_check(rn_call_t *c, const char *type, const json_t *auth)
{
    const json_t *basic = json_object_get(auth, "BasicAuthParameters"), *key = json_object_get(auth, "ApiKeyAuthParameters"),
                 *oauth = json_object_get(auth, "OAuthParameters");
    if (strcmp(type, "BASIC") == 0 && (!rn_param_str(basic, "Username") || !rn_param_str(basic, "Password")))
        return rn_call_fail(c, RN_ERR_VALIDATION, "BasicAuthParameters must be specified for BASIC authorization.");
    if (strcmp(type, "API_KEY") == 0 && (!rn_param_str(key, "ApiKeyName") || !rn_param_str(key, "ApiKeyValue")))
        return rn_call_fail(c, RN_ERR_VALIDATION, "ApiKeyAuthParameters must be specified for API_KEY authorization.");
    if (strcmp(type, "OAUTH_CLIENT_CREDENTIALS") == 0 &&
        (!rn_param_str(oauth, "AuthorizationEndpoint") || !rn_param_str(oauth, "HttpMethod") ||
         !rn_param_str(json_object_get(oauth, "ClientParameters"), "ClientID") ||
         !rn_param_str(json_object_get(oauth, "ClientParameters"), "ClientSecret")))
        return rn_call_fail(c, RN_ERR_VALIDATION,
                            "OAuthParameters must be specified for OAUTH_CLIENT_CREDENTIALS authorization.");
    return 0;
}

/* Reads and checks the Name of a Describe/Update/Delete call and finds it in
 * m; fails the call (and returns NULL) when it is missing or invalid. */
static json_t *named_record(rn_call_t *c, const rn_smap_t *m)
{
    const char *name = rn_param_str(c->in, "Name");
    verr_t v = {0};
    if (!name) {
        rn_call_fail(c, RN_ERR_VALIDATION, "1 validation error detected: Value null at 'name' failed to satisfy "
                                              "constraint: Member must not be null");
        return NULL;
    }
    check_name(&v, "name", name);
    if (verr_fail(c, &v) < 0)
        return NULL;
    return rn_smap_get(m, name);
}

static json_t *conn_get(ev_t *e, rn_call_t *c, const char *verb)
{
    json_t *rec = named_record(c, &e->connections);
    if (!rec && !c->err)
        rn_call_fail(c, EV_ERR_NOT_FOUND, "Failed to %s the connection(s). Connection '%s' does not exist.", verb,
                     rn_param_str(c->in, "Name"));
    return rec;
}

static json_t *conn_summary(const json_t *rec)
{
    json_t *o = json_object();
    copy(o, rec, "ConnectionArn");
    copy(o, rec, "ConnectionState");
    put_times(o, rec, 1);
    return o;
}

int ev_op_create_connection(ev_t *e, rn_call_t *c)
{
    const char *name = rn_param_str(c->in, "Name"), *type = rn_param_str(c->in, "AuthorizationType");
    json_t *auth = json_object_get(c->in, "AuthParameters");
    verr_t v = {0};
    if (!name || !type || !json_is_object(auth))
        return rn_call_fail(c, RN_ERR_VALIDATION,
                            "1 validation error detected: Value null at '%s' failed to satisfy constraint: Member "
                            "must not be null",
                            !name ? "name" : !type ? "authorizationType" : "authParameters");
    check_name(&v, "name", name);
    check_enum(&v, "authorizationType", type, auth_types, "BASIC, OAUTH_CLIENT_CREDENTIALS, API_KEY");
    if (verr_fail(c, &v) < 0 || auth_check(c, type, auth) < 0)
        return c->err;
    if (rn_smap_get(&e->connections, name))
        return rn_call_fail(c, EV_ERR_EXISTS, "Connection %s already exists.", name);
    if (e->connections.len >= MAX_RECORDS)
        return rn_call_fail(c, EV_ERR_LIMIT_EXCEEDED, "The requested resource exceeds the maximum number allowed.");
    char uuid[37], arn[512];
    rn_uuid(uuid);
    ev_arn(e, arn, sizeof arn, "connection/%s/%s", name, uuid);
    int64_t now = rn_now_ms();
    json_t *rec = json_pack("{s:s,s:s,s:O,s:s,s:s,s:s,s:I,s:I,s:I}", "Name", name, "AuthorizationType", type,
                            "AuthParameters", auth, "ConnectionArn", arn, "ConnectionState", "AUTHORIZED", "Uuid",
                            uuid, "Created", (json_int_t)now, "Modified", (json_int_t)now, "Authorized",
                            (json_int_t)now);
    copy(rec, c->in, "Description");
    if (!rec || rn_smap_put(&e->connections, name, rec) < 0) {
        json_decref(rec);
        return rn_call_fail(c, RN_ERR_NOMEM, "Out of memory");
    }
    persist(e, EV_NS_CONNECTION, name, rec);
    c->out = json_object();
    copy(c->out, rec, "ConnectionArn");
    copy(c->out, rec, "ConnectionState");
    put_times(c->out, rec, 0);
    return 0;
}

int ev_op_describe_connection(ev_t *e, rn_call_t *c)
{
    json_t *rec = conn_get(e, c, "describe");
    if (!rec)
        return c->err;
    char secret[600];
    snprintf(secret, sizeof secret, "arn:aws:secretsmanager:%s:%s:secret:events!connection/%s/%s-%.6s",
             e->cfg->region, e->cfg->account_id, rn_param_str(rec, "Name"), rn_param_str(rec, "Uuid"),
             rn_param_str(rec, "Uuid"));
    json_t *o = json_object();
    copy(o, rec, "ConnectionArn");
    copy(o, rec, "Name");
    copy(o, rec, "Description");
    copy(o, rec, "ConnectionState");
    copy(o, rec, "AuthorizationType");
    json_object_set_new(o, "SecretArn", json_string(secret));
    json_object_set_new(o, "AuthParameters", public_auth(json_object_get(rec, "AuthParameters")));
    put_times(o, rec, 1);
    c->out = o;
    return 0;
}

static int conn_keep(void *ud, const char *name, void *val)
{
    (void)name;
    return !ud || strcmp(ud, rn_param_str(val, "ConnectionState")) == 0;
}

static json_t *conn_item(void *ud, const char *name, void *val)
{
    (void)ud;
    (void)name;
    json_t *o = conn_summary(val);
    copy(o, val, "Name");
    copy(o, val, "AuthorizationType");
    return o;
}

int ev_op_list_connections(ev_t *e, rn_call_t *c)
{
    return ev_list_page(c, &e->connections, "Connections", conn_keep, conn_item,
                        (void *)rn_param_str(c->in, "ConnectionState"));
}

int ev_op_update_connection(ev_t *e, rn_call_t *c)
{
    json_t *rec = conn_get(e, c, "update");
    if (!rec)
        return c->err;
    const char *type = rn_param_str(c->in, "AuthorizationType");
    verr_t v = {0};
    if (type)
        check_enum(&v, "authorizationType", type, auth_types, "BASIC, OAUTH_CLIENT_CREDENTIALS, API_KEY");
    if (verr_fail(c, &v) < 0)
        return c->err;
    json_t *auth = json_object_get(c->in, "AuthParameters");
    if (type)
        json_object_set_new(rec, "AuthorizationType", json_string(type));
    if (auth) { /* partial: merge each parameter group */
        json_t *cur = json_object_get(rec, "AuthParameters");
        const char *k;
        json_t *val;
        json_object_foreach(auth, k, val) {
            json_t *old = json_object_get(cur, k);
            if (json_is_object(old) && json_is_object(val))
                json_object_update_recursive(old, val);
            else
                json_object_set(cur, k, val);
        }
    }
    if (auth_check(c, rn_param_str(rec, "AuthorizationType"), json_object_get(rec, "AuthParameters")) < 0)
        return c->err;
    copy(rec, c->in, "Description");
    int64_t now = rn_now_ms();
    json_object_set_new(rec, "Modified", json_integer(now));
    json_object_set_new(rec, "Authorized", json_integer(now));
    persist(e, EV_NS_CONNECTION, rn_param_str(rec, "Name"), rec);
    c->out = conn_summary(rec);
    return 0;
}

int ev_op_delete_connection(ev_t *e, rn_call_t *c)
{
    json_t *rec = conn_get(e, c, "delete");
    if (!rec)
        return c->err;
    json_object_set_new(rec, "ConnectionState", json_string("DELETING"));
    c->out = conn_summary(rec);
    const char *name = rn_param_str(rec, "Name");
    rn_store_kv_delete(e->store, EV_NS_CONNECTION, name);
    rn_smap_del(&e->connections, name);
    json_decref(rec);
    return 0;
}

int ev_op_deauthorize_connection(ev_t *e, rn_call_t *c)
{
    json_t *rec = conn_get(e, c, "deauthorize");
    if (!rec)
        return c->err;
    json_object_set_new(rec, "ConnectionState", json_string("DEAUTHORIZED"));
    json_object_set_new(rec, "Modified", json_integer(rn_now_ms()));
    persist(e, EV_NS_CONNECTION, rn_param_str(rec, "Name"), rec);
    c->out = conn_summary(rec);
    return 0;
}

json_t *ev_connection_by_arn(ev_t *e, const char *arn)
{
    const char *k;
    void *v;
    size_t i = 0;
    while (arn && rn_smap_next(&e->connections, &i, &k, &v))
        if (strcmp(rn_param_str(v, "ConnectionArn"), arn) == 0)
            return v;
    return NULL;
}

/* ---- API destinations ---- */

static int conn_arn_ok(const char *arn)
{
    const char *p = strstr(arn, ":connection/");
    if (strncmp(arn, "arn:aws", 7) != 0 || !p)
        return 0;
    const char *slash = strchr(p + 12, '/');
    return slash && slash > p + 12 && slash[1] && !strchr(slash + 1, '/');
}

static json_t *dest_get(ev_t *e, rn_call_t *c, const char *verb)
{
    json_t *rec = named_record(c, &e->apidests);
    if (!rec && !c->err)
        rn_call_fail(c, EV_ERR_NOT_FOUND, "Failed to %s the api-destination(s). An api-destination '%s' does not "
                                             "exist.",
                     verb, rn_param_str(c->in, "Name"));
    return rec;
}

static json_t *dest_summary(const json_t *rec)
{
    json_t *o = json_object();
    copy(o, rec, "ApiDestinationArn");
    copy(o, rec, "ApiDestinationState");
    put_times(o, rec, 0);
    return o;
}

/* The model's HttpsEndpoint pattern, as AWS prints it (\x26 is '&'). */
#define ENDPOINT_PATTERN "^((%[0-9A-Fa-f]{2}|[-()_.!~*';/?:@&=+$,A-Za-z0-9])+)([).!';/?:,])?$"

/* 1 when s matches ENDPOINT_PATTERN: percent escapes and the listed
 * characters only (the optional last group is a subset of them). */
static int endpoint_ok(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '%') {
            if (!isxdigit((unsigned char)s[1]) || !isxdigit((unsigned char)s[2]))
                return 0;
            s += 2;
        } else if (!isalnum(ch) && !strchr("-()_.!~*';/?:@&=+$,", ch)) {
            return 0;
        }
    }
    return 1;
}

/* Validates the fields Create and Update share; *rate is 0 when absent. */
static int dest_fields(ev_t *e, rn_call_t *c, int creating, json_int_t *rate)
{
    const char *conn = rn_param_str(c->in, "ConnectionArn"), *method = rn_param_str(c->in, "HttpMethod");
    const char *endpoint = rn_param_str(c->in, "InvocationEndpoint");
    verr_t v = {0};
    if (creating && (!conn || !method || !endpoint))
        return rn_call_fail(c, RN_ERR_VALIDATION,
                            "1 validation error detected: Value null at '%s' failed to satisfy constraint: Member "
                            "must not be null",
                            !conn ? "connectionArn" : !endpoint ? "invocationEndpoint" : "httpMethod");
    if (creating)
        check_name(&v, "name", rn_param_str(c->in, "Name"));
    if (conn && !conn_arn_ok(conn))
        verr_add(&v, "Value '%s' at 'connectionArn' failed to satisfy constraint: Member must satisfy regular "
                     "expression pattern: " CONN_ARN_PATTERN,
                 conn);
    if (endpoint && !endpoint_ok(endpoint))
        verr_add(&v, "Value '%s' at 'invocationEndpoint' failed to satisfy constraint: Member must satisfy regular "
                     "expression pattern: %s",
                 endpoint, ENDPOINT_PATTERN);
    if (endpoint && strlen(endpoint) > 2048)
        verr_add(&v, "Value '%s' at 'invocationEndpoint' failed to satisfy constraint: Member must have length less "
                     "than or equal to 2048",
                 endpoint);
    if (method)
        check_enum(&v, "httpMethod", method, methods, "HEAD, POST, PATCH, DELETE, PUT, GET, OPTIONS");
    json_t *jr = json_object_get(c->in, "InvocationRateLimitPerSecond");
    *rate = 0;
    if (jr) {
        *rate = json_integer_value(jr);
        if (!json_is_integer(jr) || *rate < 1)
            verr_add(&v, "Value '%lld' at 'invocationRateLimitPerSecond' failed to satisfy constraint: Member must "
                         "have value greater than or equal to 1",
                     (long long)*rate);
    }
    if (verr_fail(c, &v) < 0)
        return c->err;
    if (endpoint && strncmp(endpoint, "https://", 8) != 0 && strncmp(endpoint, "http://", 7) != 0)
        return rn_call_fail(c, RN_ERR_VALIDATION, "Parameter InvocationEndpoint is not valid.");
    if (conn && !ev_connection_by_arn(e, conn)) {
        const char *p = strstr(conn, ":connection/") + 12, *slash = strchr(p, '/');
        return rn_call_fail(c, EV_ERR_NOT_FOUND, "Connection '%.*s' does not exist.", (int)(slash - p), p);
    }
    return 0;
}

int ev_op_create_api_destination(ev_t *e, rn_call_t *c)
{
    const char *name = rn_param_str(c->in, "Name");
    json_int_t rate;
    if (!name)
        return rn_call_fail(c, RN_ERR_VALIDATION,
                            "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member "
                            "must not be null");
    if (dest_fields(e, c, 1, &rate) < 0)
        return c->err;
    if (rn_smap_get(&e->apidests, name))
        return rn_call_fail(c, EV_ERR_EXISTS, "An api-destination '%s' already exists.", name);
    if (e->apidests.len >= MAX_RECORDS)
        return rn_call_fail(c, EV_ERR_LIMIT_EXCEEDED, "The requested resource exceeds the maximum number allowed.");
    char uuid[37], arn[512];
    rn_uuid(uuid);
    ev_arn(e, arn, sizeof arn, "api-destination/%s/%s", name, uuid);
    int64_t now = rn_now_ms();
    json_t *rec = json_pack("{s:s,s:s,s:s,s:s,s:s,s:I,s:s,s:I,s:I}", "Name", name, "ApiDestinationArn", arn,
                            "ConnectionArn", rn_param_str(c->in, "ConnectionArn"), "InvocationEndpoint",
                            rn_param_str(c->in, "InvocationEndpoint"), "HttpMethod", rn_param_str(c->in, "HttpMethod"),
                            "InvocationRateLimitPerSecond", rate ? rate : (json_int_t)300, "ApiDestinationState",
                            "ACTIVE", "Created", (json_int_t)now, "Modified", (json_int_t)now);
    copy(rec, c->in, "Description");
    if (!rec || rn_smap_put(&e->apidests, name, rec) < 0) {
        json_decref(rec);
        return rn_call_fail(c, RN_ERR_NOMEM, "Out of memory");
    }
    persist(e, EV_NS_APIDEST, name, rec);
    c->out = dest_summary(rec);
    return 0;
}

static json_t *dest_public(const json_t *rec, int with_description)
{
    json_t *o = json_object();
    const char *keys[] = {"ApiDestinationArn", "Name", "Description", "ApiDestinationState", "ConnectionArn",
                          "InvocationEndpoint", "HttpMethod", "InvocationRateLimitPerSecond"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (with_description || strcmp(keys[i], "Description") != 0)
            copy(o, rec, keys[i]);
    put_times(o, rec, 0);
    return o;
}

int ev_op_describe_api_destination(ev_t *e, rn_call_t *c)
{
    json_t *rec = dest_get(e, c, "describe");
    if (!rec)
        return c->err;
    c->out = dest_public(rec, 1);
    return 0;
}

static int dest_keep(void *ud, const char *name, void *val)
{
    (void)name;
    return !ud || strcmp(ud, rn_param_str(val, "ConnectionArn")) == 0;
}

static json_t *dest_item(void *ud, const char *name, void *val)
{
    (void)ud;
    (void)name;
    return dest_public(val, 0);
}

int ev_op_list_api_destinations(ev_t *e, rn_call_t *c)
{
    return ev_list_page(c, &e->apidests, "ApiDestinations", dest_keep, dest_item,
                        (void *)rn_param_str(c->in, "ConnectionArn"));
}

int ev_op_update_api_destination(ev_t *e, rn_call_t *c)
{
    json_t *rec = dest_get(e, c, "update");
    json_int_t rate;
    if (!rec || dest_fields(e, c, 0, &rate) < 0)
        return c->err;
    copy(rec, c->in, "Description");
    copy(rec, c->in, "ConnectionArn");
    copy(rec, c->in, "InvocationEndpoint");
    copy(rec, c->in, "HttpMethod");
    if (rate)
        json_object_set_new(rec, "InvocationRateLimitPerSecond", json_integer(rate));
    json_object_set_new(rec, "Modified", json_integer(rn_now_ms()));
    persist(e, EV_NS_APIDEST, rn_param_str(rec, "Name"), rec);
    c->out = dest_summary(rec);
    return 0;
}

int ev_op_delete_api_destination(ev_t *e, rn_call_t *c)
{
    json_t *rec = dest_get(e, c, "delete");
    if (!rec)
        return c->err;
    const char *name = rn_param_str(rec, "Name");
    rn_store_kv_delete(e->store, EV_NS_APIDEST, name);
    rn_smap_del(&e->apidests, name);
    json_decref(rec);
    c->out = json_object();
    return 0;
}

json_t *ev_apidest_by_arn(ev_t *e, const char *arn)
{
    const char *k;
    void *v;
    size_t i = 0;
    while (arn && rn_smap_next(&e->apidests, &i, &k, &v))
        if (strcmp(rn_param_str(v, "ApiDestinationArn"), arn) == 0)
            return v;
    return NULL;
}

int ev_connection_load(ev_t *e, const char *ns, const char *key, const char *value)
{
    json_error_t jerr;
    json_t *rec = json_loads(value, 0, &jerr);
    if (!json_is_object(rec)) {
        json_decref(rec);
        return 0;
    }
    rn_smap_t *m = strcmp(ns, EV_NS_CONNECTION) == 0 ? &e->connections : &e->apidests;
    json_decref(rn_smap_get(m, key));
    if (rn_smap_put(m, key, rec) < 0) {
        json_decref(rec);
        return RN_ERR_NOMEM;
    }
    return 0;
}

void ev_connection_close(ev_t *e)
{
    rn_smap_t *maps[] = {&e->connections, &e->apidests};
    for (int m = 0; m < 2; m++) {
        const char *k;
        void *v;
        size_t i = 0;
        while (rn_smap_next(maps[m], &i, &k, &v))
            json_decref(v);
        rn_smap_free(maps[m]);
        memset(maps[m], 0, sizeof *maps[m]);
    }
}
