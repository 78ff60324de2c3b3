/* SPDX-License-Identifier: MIT
 * Request routing, authentication, durability barrier and response encoding.
 * A request becomes an rn_call_t whose input is always in the JSON
 * protocol's shape; the reply goes out only after every store mutation the
 * call made is durable, so an acknowledged write survives kill -9. With an
 * access-key file, credentials are checked twice: when the headers arrive
 * (rn_dispatch_head: key, scope, time, so a bad request is refused before its
 * body is read) and with the body (the signature covers the payload hash). */
#include "aws/dispatch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/call.h"
#include "aws/form.h"
#include "aws/gzip.h"
#include "aws/sigv4.h"
#include "aws/cbor.h"
#include "aws/prometheus.h"
#include "aws/query.h"
#include "aws/rest.h"
#include "core/json_alloc.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/hex.h"
#include "core/ids.h"
#include "core/json_out.h"
#include "core/log.h"
#include "core/mem.h"
#include "store/io.h"

#define RN_VERSION_STR "0.1.0"

enum { RN_PROTO_JSON = 1, RN_PROTO_QUERY = 2, RN_PROTO_CBOR = 3 };

typedef struct rctx {
    rn_call_t call;
    rn_http_conn_t *conn;
    rn_app_t *app;
    int waiting_store;
    int orphan;
    int64_t start_ms;
    int proto;              /* RN_PROTO_* the request came in on */
    const rn_service_t *svc; /* the service the request was routed to */
    int rest;               /* a REST request */
    const rn_op_t *rest_op; /* its operation, once routed (REST, CBOR) */
} rctx_t;

static const char *hdr(const rn_http_req_t *r, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < r->nheaders; i++)
        if (r->headers[i].name_len == n && memcmp(r->headers[i].name, name, n) == 0)
            return r->headers[i].value;
    return NULL;
}

/* Request contexts are a few KB each, too big for malloc's per-thread
 * caches, so finished ones are kept on a short free list for the next
 * request (the loop is the only thread that touches it). */
#define CTX_CACHE 64
static rctx_t *ctx_cache[CTX_CACHE];
static int ctx_cached;

static rctx_t *ctx_new(void)
{
    if (ctx_cached > 0) {
        rctx_t *x = ctx_cache[--ctx_cached];
        memset(x, 0, sizeof *x);
        return x;
    }
    return rn_calloc(1, sizeof(rctx_t));
}

static void ctx_free(rctx_t *x)
{
    json_decref(x->call.in);
    json_decref(x->call.out);
    rn_call_clear_msg(&x->call);
    if (ctx_cached < CTX_CACHE)
        ctx_cache[ctx_cached++] = x;
    else
        rn_free(x);
}

/* With Content-Encoding: gzip, swaps the inflated body into req (its own
 * is kept in *packed until restore_body), within the service's body limit
 * (ten times the server's default when it sets none). */
static int inflate_body(const rn_service_t *svc, rn_http_req_t *req, rn_call_t *c, char **packed, size_t *packed_len)
{
    const char *enc = hdr(req, "content-encoding");
    if (!enc || !strstr(enc, "gzip") || !req->body_len)
        return 0;
    size_t max = svc->body_limit ? svc->body_limit(NULL, NULL) : 0;
    char *body;
    size_t len;
    int rc = aws_gunzip(req->body, req->body_len, max ? max : 10u * 1024 * 1024, &body, &len);
    if (rc == RN_ERR_NOMEM)
        return rn_call_fail(c, rc, "Out of memory.");
    if (rc < 0)
        return rn_call_fail(c, RN_ERR_SERIALIZATION, "The gzip request body could not be inflated within %zu bytes.",
                            max ? max : 10u * 1024 * 1024);
    *packed = req->body;
    *packed_len = req->body_len;
    req->body = body;
    req->body_len = len;
    return 0;
}

/* Gives req its own body back after inflate_body. */
static void restore_body(rn_http_req_t *req, char *packed, size_t packed_len)
{
    if (!packed)
        return;
    rn_free(req->body);
    req->body = packed;
    req->body_len = packed_len;
}

void rn_dispatch_shutdown(void)
{
    while (ctx_cached > 0)
        rn_free(ctx_cache[--ctx_cached]);
}

/* Who a request is for, decided from its head alone (as AWS routes). The
 * family is how that endpoint words its errors. */
enum { FAM_INTERNAL, FAM_JSON, FAM_QUERY, FAM_REST, FAM_CBOR };
typedef struct route {
    const rn_service_t *svc; /* NULL for the internal endpoints */
    size_t idx;              /* svc's index in the table */
    int family;
    int target_known;        /* FAM_JSON: the target named one of svc's prefixes */
} route_t;

/* The table entry whose page (rn_service_t.page) serves path
 * /_runnel/<name>[/...], or SIZE_MAX. */
static size_t page_owner(const rn_app_t *app, const char *path)
{
    if (strncmp(path, "/_runnel/", 9) != 0)
        return SIZE_MAX;
    const char *p = path + 9;
    for (size_t k = 0; k < app->nservices; k++) {
        const rn_service_t *s = app->services[k];
        size_t n = strlen(s->name);
        if (s->page && strncmp(p, s->name, n) == 0 && (p[n] == '\0' || p[n] == '/'))
            return k;
    }
    return SIZE_MAX;
}

static int is_internal(const rn_app_t *app, const char *path)
{
    return strcmp(path, "/_runnel/health") == 0 || strcmp(path, "/_runnel/reset") == 0 ||
           strcmp(path, "/_runnel/fault") == 0 || strcmp(path, "/metrics") == 0 ||
           strcmp(path, "/_runnel/clock") == 0 || page_owner(app, path) != SIZE_MAX;
}

/* The service of the request's SigV4 credential scope (Authorization header,
 * or a presigned URL's X-Amz-Credential: KEY/DATE/REGION/SERVICE/...), into
 * out; "" when absent or too long. For routing only: what a call may do is
 * decided from the credential the signature check parsed (identify()). */
static void scope_service(const rn_http_req_t *req, char *out, size_t outlen)
{
    out[0] = '\0';
    const char *auth = hdr(req, "authorization"), *p = NULL, *end = NULL;
    int enc = 0;
    if (auth && (p = strstr(auth, "Credential="))) {
        p += 11;
        end = p + strcspn(p, ", ");
    } else if (req->query_len && (p = memmem(req->query, req->query_len, "X-Amz-Credential=", 17))) {
        p += 17;
        end = memchr(p, '&', (size_t)(req->query + req->query_len - p));
        if (!end)
            end = req->query + req->query_len;
        enc = 1;
    }
    for (int i = 0; p && p < end && i <= 3; i++) {
        const char *sep = p;
        while (sep < end && *sep != '/' && !(enc && end - sep >= 3 && sep[0] == '%' && sep[1] == '2' &&
                                              (sep[2] == 'F' || sep[2] == 'f')))
            sep++;
        if (i == 3 && (size_t)(sep - p) < outlen) {
            memcpy(out, p, (size_t)(sep - p));
            out[sep - p] = '\0';
        }
        p = sep < end ? sep + (*sep == '/' ? 1 : 3) : end;
    }
}

/* The Action of an unsigned query-protocol GET ("?Action=Unsubscribe&..."),
 * in out ("" when none). */
static void query_action(const rn_http_req_t *req, char *out, size_t outlen)
{
    out[0] = '\0';
    const char *q = req->query;
    while (q && *q) {
        if (!strncmp(q, "Action=", 7)) {
            size_t n = strcspn(q + 7, "&");
            if (n < outlen) {
                memcpy(out, q + 7, n);
                out[n] = '\0';
            }
            return;
        }
        q = strchr(q, '&');
        q = q ? q + 1 : NULL;
    }
}

/* The table entry signed for by the request's credential scope that speaks
 * the given kind of protocol (targets, api). An unsigned query request goes
 * to the first entry whose API has its Action (the links SNS puts in its
 * messages: SubscribeURL, UnsubscribeURL), else to the first entry that
 * speaks the kind. */
static size_t by_scope(const rn_app_t *app, const rn_http_req_t *req, int want_api)
{
    char scope[64], action[64] = "";
    scope_service(req, scope, sizeof scope);
    if (!scope[0] && want_api)
        query_action(req, action, sizeof action);
    size_t first = SIZE_MAX;
    for (size_t i = 0; i < app->nservices; i++) {
        const rn_service_t *s = app->services[i];
        if (want_api ? !s->api : !s->targets)
            continue;
        if (scope[0] && strcmp(s->signing_name, scope) == 0)
            return i;
        if (action[0] && rn_api_op(s->api, action))
            return i;
        if (first == SIZE_MAX)
            first = i;
    }
    return first;
}

static route_t route_of(const rn_app_t *app, const rn_http_req_t *req)
{
    route_t r = {NULL, 0, FAM_INTERNAL, 0};
    if (is_internal(app, req->path))
        return r;
    const char *target = hdr(req, "x-amz-target");
    const char *smithy = strncmp(req->path, "/service/", 9) == 0 ? hdr(req, "smithy-protocol") : NULL;
    size_t i = SIZE_MAX;
    char svc_name[128], op_name[64];
    if (smithy && strcmp(smithy, "rpc-v2-cbor") == 0 &&
        aws_cbor_path(req->path, svc_name, sizeof svc_name, op_name, sizeof op_name)) {
        r.family = FAM_CBOR;
        for (size_t k = 0; k < app->nservices && i == SIZE_MAX; k++)
            if (app->services[k]->cbor_service && strcmp(app->services[k]->cbor_service, svc_name) == 0)
                i = k;
    } else if (target) {
        r.family = FAM_JSON;
        for (size_t k = 0; k < app->nservices && i == SIZE_MAX; k++)
            for (const char *const *t = app->services[k]->targets; t && *t; t++)
                if (strncmp(target, *t, strlen(*t)) == 0) {
                    i = k;
                    r.target_known = 1;
                    break;
                }
        if (i == SIZE_MAX) /* an unknown target: its endpoint answers InvalidAction */
            i = by_scope(app, req, 0);
    } else {
        for (size_t k = 0; k < app->nservices && i == SIZE_MAX; k++)
            if (app->services[k]->owns_path && app->services[k]->owns_path(req->path)) {
                i = k;
                r.family = FAM_REST;
            }
        if (i == SIZE_MAX) {
            i = by_scope(app, req, 1);
            r.family = FAM_QUERY;
        }
    }
    if (i == SIZE_MAX)
        return (route_t){NULL, 0, FAM_INTERNAL, 0};
    r.svc = app->services[i];
    r.idx = i;
    return r;
}

/* The row the routed endpoint answers a failed signature check with. */
static int auth_err_for(const route_t *route, int err)
{
    return route->svc ? rn_err_auth(route->svc->auth_rows, err) : err;
}

/* rn_http_respond, or rn_http_refuse from the head callback. */
typedef void (*respond_fn)(rn_http_conn_t *conn, int status, const char *content_type, const char *head_extra,
                           const char *body, size_t body_len);

static const char *json_ctype(const rn_service_t *svc)
{
    return svc->json_version == 11 ? "application/x-amz-json-1.1" : "application/x-amz-json-1.0";
}

/* The `__type` of an error: ns#Shape for a query-compatible service or one
 * that names its namespace (DynamoDB; or the row's own "ns#Shape"), the bare
 * shape name for the others. */
static void error_type(const rn_service_t *svc, const rn_err_info_t *e, char *type, size_t n)
{
    const char *hash = strchr(e->shape, '#');
    if (!svc->query_compatible && !svc->json_error_ns)
        snprintf(type, n, "%s", hash ? hash + 1 : e->shape);
    else if (hash || !svc->json_error_ns)
        snprintf(type, n, "%s", e->shape);
    else
        snprintf(type, n, "%s#%s", svc->json_error_ns, e->shape);
}

/* An AWS JSON error: a query-compatible service (SQS) sends `__type` as
 * ns#Shape and the query code in x-amzn-query-error; the others send the bare
 * shape name. */
static void send_json_error(respond_fn out, rn_http_conn_t *conn, const rn_service_t *svc, int err, const char *msg,
                            const json_t *fields, const char *rid)
{
    const rn_err_info_t *e = rn_err_info(err);
    char type[160], head[256];
    error_type(svc, e, type, sizeof type);
    json_t *body = json_pack("{s:s,s:s}", "__type", type, "message", msg);
    if (body && fields) { /* members besides the message; "Message" replaces "message" */
        if (json_object_get(fields, "Message"))
            json_object_del(body, "message");
        json_object_update(body, (json_t *)fields);
    }
    char *txt = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    if (svc->query_compatible)
        snprintf(head, sizeof head, "x-amzn-RequestId: %s\r\nx-amzn-query-error: %s;%s\r\n", rid, e->code,
                 e->sender ? "Sender" : "Receiver");
    else
        snprintf(head, sizeof head, "x-amzn-RequestId: %s\r\n", rid);
    out(conn, e->status, json_ctype(svc), head, txt ? txt : "{}", txt ? strlen(txt) : 2);
    rn_json_free(txt);
}

/* An rpc-v2-cbor error: the CBOR map {"__type", "message"}, with the same
 * type naming and query-compatible header as AWS JSON. */
static void send_cbor_error(respond_fn out, rn_http_conn_t *conn, const rn_service_t *svc, int err, const char *msg,
                            const char *rid)
{
    const rn_err_info_t *e = rn_err_info(err);
    char type[160], head[320];
    error_type(svc, e, type, sizeof type);
    rn_buf_t b = {0};
    aws_cbor_error(type, msg, &b);
    int n = snprintf(head, sizeof head, "x-amzn-RequestId: %s\r\nsmithy-protocol: rpc-v2-cbor\r\n", rid);
    if (svc->query_compatible && n > 0)
        snprintf(head + n, sizeof head - (size_t)n, "x-amzn-query-error: %s;%s\r\n", e->code,
                 e->sender ? "Sender" : "Receiver");
    out(conn, e->status, "application/cbor", head, b.data ? b.data : "", b.len);
    rn_buf_free(&b);
}

static void send_xml_error(respond_fn out, rn_http_conn_t *conn, const rn_service_t *svc, int err, const char *msg,
                           const char *rid)
{
    const rn_err_info_t *e = rn_err_info(err);
    rn_buf_t b = {0};
    aws_query_error(&b, svc->api ? svc->api->xml_ns : "", e->sender, e->code, msg, rid);
    char head[128];
    snprintf(head, sizeof head, "x-amzn-RequestId: %s\r\n", rid);
    out(conn, e->status, "text/xml", head, b.data ? b.data : "", b.len);
    rn_buf_free(&b);
}

static void send_result(rctx_t *x)
{
    rn_call_t *c = &x->call;
    rn_http_conn_t *conn = x->conn;
    const rn_service_t *svc = x->svc;
    if (x->rest) {
        rn_rest_reply_t r;
        if (c->err || !x->rest_op)
            aws_rest_error(svc, c->err ? c->err : RN_ERR_INTERNAL, rn_call_msg(c), c->err_fields, c->request_id, &r);
        else
            aws_rest_reply(svc, x->rest_op, c->out, c->request_id, &r);
        rn_http_respond(conn, r.status, r.content_type ? r.content_type : "application/json", r.head,
                        r.body ? r.body : "", r.body_len);
        rn_rest_reply_free(&r);
        return;
    }
    if (rn_log_level <= RN_LOG_DEBUG)
        rn_log(RN_LOG_DEBUG, "request id=%s op=%s.%s proto=%s status=%d err=%s ms=%lld", c->request_id, c->service,
               c->op, x->proto == RN_PROTO_JSON ? "json" : x->proto == RN_PROTO_CBOR ? "cbor" : "query", c->err ? rn_err_info(c->err)->status : 200,
               c->err ? rn_err_info(c->err)->code : "-", (long long)(rn_now_ms() - x->start_ms));
    if (c->err) {
        const char *msg = rn_call_msg(c);
        if (x->proto == RN_PROTO_QUERY && rn_err_info(c->err)->query_msg)
            msg = rn_err_info(c->err)->query_msg;
        if (x->proto == RN_PROTO_CBOR)
            send_cbor_error(rn_http_respond, conn, svc, c->err, msg, c->request_id);
        else if (x->proto == RN_PROTO_JSON)
            send_json_error(rn_http_respond, conn, svc, c->err, msg, c->err_fields, c->request_id);
        else
            send_xml_error(rn_http_respond, conn, svc, c->err, msg, c->request_id);
        return;
    }
    if (!c->out)
        c->out = json_object();
    char head[128];
    snprintf(head, sizeof head, "x-amzn-RequestId: %s\r\n", c->request_id);
    if (x->proto == RN_PROTO_CBOR) {
        rn_buf_t b = {0};
        char h[192];
        snprintf(h, sizeof h, "x-amzn-RequestId: %s\r\nsmithy-protocol: rpc-v2-cbor\r\n", c->request_id);
        if (aws_cbor_encode(x->rest_op ? x->rest_op->out : NULL, c->out, &b) < 0) {
            rn_buf_free(&b);
            send_cbor_error(rn_http_respond, conn, svc, RN_ERR_NOMEM, "Out of memory", c->request_id);
            return;
        }
        rn_http_respond(conn, 200, "application/cbor", h, b.data ? b.data : "", b.len);
        rn_buf_free(&b);
    } else if (x->proto == RN_PROTO_JSON) {
        rn_buf_t b = {0};
        rn_json_dump(&b, c->out);
        if (b.oom) {
            rn_buf_free(&b);
            send_json_error(rn_http_respond, conn, svc, RN_ERR_NOMEM, "Out of memory", NULL, c->request_id);
            return;
        }
        rn_http_respond(conn, 200, json_ctype(svc), head, b.data, b.len);
        rn_buf_free(&b);
    } else {
        rn_buf_t b = {0};
        if (aws_query_encode(svc->api, c->op, c->out, c->request_id, &b) < 0 || b.oom) {
            rn_buf_free(&b);
            send_xml_error(rn_http_respond, conn, svc, RN_ERR_INTERNAL, "Could not encode the response",
                           c->request_id);
            return;
        }
        rn_http_respond(conn, 200, "text/xml", head, b.data, b.len);
        rn_buf_free(&b);
    }
}

static void on_durable(void *arg, int err)
{
    rctx_t *x = arg;
    x->waiting_store = 0;
    if (x->orphan) {
        ctx_free(x);
        return;
    }
    if (err < 0 && !x->call.err)
        rn_call_fail(&x->call, RN_ERR_INTERNAL, "The write could not be made durable.");
    send_result(x);
    ctx_free(x);
}

/* Completion for every call: waits for durability, then answers. */
static void call_done(rn_call_t *c)
{
    rctx_t *x = (rctx_t *)c;
    rn_app_t *app = x->app;
    rn_http_set_ctx(x->conn, x);
    uint64_t seq = rn_store_last_seq(app->store);
    if (!rn_store_barrier(app->store, seq, on_durable, x)) {
        x->waiting_store = 1;
        return;
    }
    send_result(x);
    ctx_free(x);
}

size_t rn_dispatch_body_limit(const rn_http_req_t *head, void *ud)
{
    route_t route = route_of(ud, head);
    if (!route.svc || !route.svc->body_limit)
        return 0;
    return route.family == FAM_REST ? route.svc->body_limit(head->method, head->path)
                                    : route.svc->body_limit(NULL, NULL);
}

void rn_dispatch_cancel(rn_http_conn_t *conn, void *req_ctx)
{
    (void)conn;
    rctx_t *x = req_ctx;
    if (!x)
        return;
    if (x->waiting_store) {
        x->orphan = 1;
        return;
    }
    if (x->call.cancel)
        x->call.cancel(&x->call);
    ctx_free(x);
}

static void respond_plain_json(respond_fn out, rn_http_conn_t *conn, int status, json_t *j)
{
    char *txt = json_dumps(j, JSON_COMPACT | JSON_INDENT(0));
    json_decref(j);
    out(conn, status, "application/json", NULL, txt ? txt : "{}", txt ? strlen(txt) : 2);
    rn_json_free(txt);
}

/* Temporary credentials some service issued for access key akid: 0 with
 * *out, or -1. */
static int issued_credential(const rn_app_t *app, const char *akid, rn_credential_t *out)
{
    return rn_instances_credential(app->instances, akid, out);
}

/* 1 when the request carries session token `token` (X-Amz-Security-Token
 * header, or query parameter of a presigned URL). */
static int session_token_is(const rn_http_req_t *req, const char *token)
{
    const char *h = hdr(req, "x-amz-security-token");
    if (h)
        return token && strcmp(h, token) == 0;
    const char *q = req->query_len ? memmem(req->query, req->query_len, "X-Amz-Security-Token=", 21) : NULL;
    if (!q || !token)
        return 0;
    q += 21;
    const char *end = memchr(q, '&', (size_t)(req->query + req->query_len - q));
    size_t n = end ? (size_t)(end - q) : (size_t)(req->query + req->query_len - q);
    char *dec = rn_malloc(n + 1);
    int same = dec && rn_pct_decode(q, n, RN_PCT_PLUS, dec, NULL) >= 0 && strcmp(dec, token) == 0;
    rn_free(dec);
    return same;
}

/* Checks the request's SigV4 credential for the service it is routed to:
 * parsed, then (with an access-key file) present, scoped to a region and to
 * route->service, from a known key, in time, and, when with_body, signed
 * over this body. Returns 0 or the generic RN_ERR_* with AWS's message in
 * msg; the access key and region of the credential the signature was checked
 * against (even unchecked, without an access-key file) go to access_key and
 * region (NULL: not wanted). All borrowed. */
static int auth_check(const rn_app_t *app, const rn_http_req_t *req, const route_t *route, int with_body,
                      char access_key[130], char region[64], char *msg, size_t msglen)
{
    aws_hdr_t hs[64];
    size_t n = req->nheaders < 64 ? req->nheaders : 64;
    for (size_t i = 0; i < n; i++)
        hs[i] = (aws_hdr_t){req->headers[i].name, req->headers[i].name_len, req->headers[i].value,
                            req->headers[i].value_len};
    aws_sigv4_req_t sr = {req->method, req->path, req->path_len, req->query, req->query_len, hs, n,
                          req->body, req->body_len};
    aws_sigv4_cred_t cred;
    int rc = aws_sigv4_parse(&sr, &cred, msg, msglen);
    if (rc < 0)
        return rc;
    if (cred.present) {
        snprintf(access_key, 130, "%s", cred.access_key);
        if (region)
            snprintf(region, 64, "%.63s", cred.region);
    }
    if (!app->auth)
        return 0;
    if (!cred.present) {
        snprintf(msg, msglen, "Request is missing Authentication Token");
        return RN_ERR_MISSING_AUTH;
    }
    if ((rc = aws_sigv4_check_scope(&cred, route->svc ? route->svc->signing_name : NULL, msg, msglen)) < 0)
        return rc;
    const char *secret = aws_authfile_secret(app->auth, cred.access_key);
    rn_credential_t tc;
    if (!secret && strncmp(cred.access_key, "ASIA", 4) == 0 && issued_credential(app, cred.access_key, &tc) == 0) {
        if (tc.expires_ms <= rn_now_ms()) {
            snprintf(msg, msglen, "The security token included in the request is expired");
            return RN_ERR_EXPIRED_TOKEN;
        }
        if (!session_token_is(req, tc.token)) {
            snprintf(msg, msglen, "The security token included in the request is invalid.");
            return RN_ERR_INVALID_CLIENT_TOKEN;
        }
        secret = tc.secret;
    }
    /* a signature's age is judged on real time: clients sign with their own
     * clocks, whatever the moved clock says */
    int64_t real_ms = rn_now_ms() - rn_clock_offset_ms();
    if (with_body)
        return aws_sigv4_verify(&sr, &cred, secret, real_ms, msg, msglen);
    return aws_sigv4_precheck(&sr, &cred, secret, real_ms, msg, msglen);
}

/* Renders an authentication failure as the routed endpoint words it. */
static void send_auth_error(respond_fn out, rn_http_conn_t *conn, const route_t *route, int err, const char *msg,
                            const char *rid)
{
    err = auth_err_for(route, err);
    if (route->family == FAM_INTERNAL) {
        const rn_err_info_t *e = rn_err_info(err);
        respond_plain_json(out, conn, e->status, json_pack("{s:s,s:s}", "code", e->code, "message", msg));
    } else if (route->family == FAM_REST) {
        rn_rest_reply_t r;
        aws_rest_error(route->svc, err, msg, NULL, rid, &r);
        out(conn, r.status, r.content_type ? r.content_type : "application/json", r.head, r.body ? r.body : "",
            r.body_len);
        rn_rest_reply_free(&r);
    } else if (route->family == FAM_CBOR) {
        send_cbor_error(out, conn, route->svc, err, msg, rid);
    } else if (route->family == FAM_JSON) {
        send_json_error(out, conn, route->svc, err, msg, NULL, rid);
    } else {
        send_xml_error(out, conn, route->svc, err, msg, rid);
    }
}

/* GET / with no query string (a query-protocol GET always carries its
 * Action in the query): the service that answers it, or NULL. */
static const rn_service_t *root_health(const rn_app_t *app, const rn_http_req_t *req)
{
    if (strcmp(req->method, "GET") || strcmp(req->path, "/") || req->query_len)
        return NULL;
    for (size_t k = 0; k < app->nservices; k++)
        if (app->services[k]->root_health)
            return app->services[k];
    return NULL;
}

int rn_dispatch_head(rn_http_conn_t *conn, const rn_http_req_t *head, void *ud)
{
    rn_app_t *app = ud;
    /* health answers an unsigned request too, with less; so does GET / */
    if (!app->auth || strcmp(head->path, "/_runnel/health") == 0 || root_health(app, head))
        return 0;
    route_t route = route_of(app, head);
    char msg[1024], key[130];
    int rc = auth_check(app, head, &route, 0, key, NULL, msg, sizeof msg);
    if (rc == 0)
        return 0;
    char rid[37];
    rn_uuid(rid);
    send_auth_error(rn_http_refuse, conn, &route, rc, msg, rid);
    return 1;
}

/* The common gate of the test hooks answering GET and POST (clock, fault):
 * *post says which; a POST needs --in-memory or --enable-reset. Returns 0
 * when the request was refused (the reply is sent), 1 to go on. */
static int test_hook_gate(const rn_app_t *app, rn_http_conn_t *conn, const rn_http_req_t *req, const char *what,
                          int *post)
{
    *post = strcmp(req->method, "POST") == 0;
    if (!*post && strcmp(req->method, "GET") != 0) {
        respond_plain_json(rn_http_respond, conn, 405, json_pack("{s:s}", "message", "Use GET or POST"));
        return 0;
    }
    if (*post && !app->cfg->in_memory && !app->cfg->enable_reset) {
        char m[160];
        snprintf(m, sizeof m, "%s is refused: start runnel with --in-memory or --enable-reset", what);
        respond_plain_json(rn_http_respond, conn, 403, json_pack("{s:s}", "message", m));
        return 0;
    }
    return 1;
}

/* GET or POST /_runnel/clock: where the clock stands, and (POST, where reset
 * is allowed) {"advanceSeconds": N} moves it forward, running what falls due
 * on the way. */
static void clock_endpoint(rn_app_t *app, rn_http_conn_t *conn, rn_http_req_t *req)
{
    int post;
    if (!test_hook_gate(app, conn, req, "Moving the clock", &post))
        return;
    if (post) {
        json_t *in = json_loadb(req->body ? req->body : "", req->body_len, 0, NULL);
        json_t *n = json_object_get(in, "advanceSeconds");
        double secs = json_is_number(n) ? json_number_value(n) : -1;
        json_decref(in);
        if (secs < 0 || secs > 10.0 * 365 * 86400) {
            respond_plain_json(rn_http_respond, conn, 400,
                               json_pack("{s:s}", "message",
                                         "Send {\"advanceSeconds\": N} with N a number of seconds from 0 to "
                                         "315360000 (the clock only moves forward)"));
            return;
        }
        rn_instances_advance(app->instances, (int64_t)(secs * 1000 + 0.5));
    }
    int64_t now = rn_now_ms();
    time_t t = (time_t)(now / 1000);
    struct tm tm;
    char iso[40];
    gmtime_r(&t, &tm);
    size_t k = strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(iso + k, sizeof iso - k, ".%03dZ", (int)(now % 1000));
    respond_plain_json(rn_http_respond, conn, 200,
                       json_pack("{s:s,s:f}", "now", iso, "offsetSeconds", (double)rn_clock_offset_ms() / 1000.0));
}

/* GET or POST /_runnel/fault: how many store I/O calls failed by injection,
 * and (POST, where reset is allowed) the body, a fault spec (store/io.h),
 * replaces the faults in force; an empty body clears them. */
static void fault_endpoint(rn_app_t *app, rn_http_conn_t *conn, rn_http_req_t *req)
{
    int post;
    if (!test_hook_gate(app, conn, req, "Fault injection", &post))
        return;
    if (post) {
        char spec[1024], why[256];
        size_t n = req->body_len;
        while (n > 0 && (req->body[n - 1] == '\n' || req->body[n - 1] == '\r' || req->body[n - 1] == ' '))
            n--;
        if (n >= sizeof spec) {
            respond_plain_json(rn_http_respond, conn, 400, json_pack("{s:s}", "message", "Fault spec too long"));
            return;
        }
        memcpy(spec, req->body ? req->body : "", n);
        spec[n] = '\0';
        if (rn_io_fault_check(spec, why, sizeof why) < 0 || rn_io_fault_set(spec) < 0) {
            respond_plain_json(rn_http_respond, conn, 400, json_pack("{s:s}", "message", why));
            return;
        }
        RN_WARN("fault injection set: '%s'", spec);
    }
    respond_plain_json(rn_http_respond, conn, 200, json_pack("{s:I}", "hits", (json_int_t)rn_io_fault_hits()));
}

static void identify(const rn_app_t *app, rn_call_t *c);

/* GET /_runnel/<name>[/...]: the page of service entry k, for the partition
 * of the request's credential (as a call's: identify()), or of the query's
 * `region` and `account` when given. */
static void page_endpoint(rn_app_t *app, rn_http_conn_t *conn, rn_http_req_t *req, size_t k)
{
    route_t route = {NULL, 0, FAM_INTERNAL, 0};
    rn_call_t c = {0};
    char msg[1024];
    int rc = auth_check(app, req, &route, 1, c.principal, c.region, msg, sizeof msg);
    if (rc < 0) {
        char rid[37];
        rn_uuid(rid);
        send_auth_error(rn_http_respond, conn, &route, rc, msg, rid);
        return;
    }
    if (strcmp(req->method, "GET") != 0) {
        respond_plain_json(rn_http_respond, conn, 405, json_pack("{s:s}", "message", "Use GET"));
        return;
    }
    json_t *q = NULL;
    if (aws_form_parse(req->query, req->query_len, &q, msg, sizeof msg) < 0) {
        respond_plain_json(rn_http_respond, conn, 400, json_pack("{s:s}", "message", msg));
        return;
    }
    const char *region = json_string_value(json_object_get(q, "region"));
    if (region)
        snprintf(c.region, sizeof c.region, "%s", region);
    identify(app, &c);
    const char *account = json_string_value(json_object_get(q, "account"));
    if (account && strlen(account) == 12 && strspn(account, "0123456789") == 12)
        snprintf(c.account, sizeof c.account, "%s", account);
    json_decref(q);
    const rn_service_t *svc = app->services[k];
    void *inst = rn_instances_get(app->instances, k, c.account, c.region);
    char *body = NULL, *query = rn_malloc(req->query_len + 1);
    size_t len = 0;
    const char *ctype = "application/json";
    msg[0] = '\0';
    rc = inst && query ? 0 : RN_ERR_NOMEM;
    if (rc == 0) {
        memcpy(query, req->query ? req->query : "", req->query_len);
        query[req->query_len] = '\0';
        rc = svc->page(inst, req->path + 9 + strlen(svc->name), query, &body, &len, &ctype, msg, sizeof msg);
    }
    if (rc == 0)
        rn_http_respond(conn, 200, ctype, NULL, body ? body : "", body ? len : 0);
    else
        respond_plain_json(rn_http_respond, conn, rc == RN_ERR_NOT_FOUND ? 404 : 500,
                           json_pack("{s:s}", "message", msg[0] ? msg : "Out of memory"));
    rn_free(body);
    rn_free(query);
}

static int internal_endpoint(rn_app_t *app, rn_http_conn_t *conn, rn_http_req_t *req)
{
    size_t page = page_owner(app, req->path);
    if (page != SIZE_MAX) {
        page_endpoint(app, conn, req, page);
        return 1;
    }
    route_t route = {NULL, 0, FAM_INTERNAL, 0};
    char msg[1024], key[130];
    int rc = app->auth ? auth_check(app, req, &route, 1, key, NULL, msg, sizeof msg) : 0;
    if (strcmp(req->path, "/_runnel/health") == 0) {
        if (rc < 0) { /* unsigned or badly signed: alive, nothing more */
            respond_plain_json(rn_http_respond, conn, 200, json_pack("{s:s}", "status", "ok"));
            return 1;
        }
        uint64_t committed, batches;
        rn_store_stats(app->store, &committed, &batches);
        json_t *h = json_pack("{s:s,s:s,s:I,s:o,s:{s:s,s:I,s:I}}", "status", "ok", "version", RN_VERSION_STR,
                              "uptime_s", (json_int_t)((rn_now_ms() - rn_clock_offset_ms() - app->started_ms) / 1000),
                              "services", rn_instances_stats(app->instances), "store", "kind",
                              rn_store_kind(app->store), "committed", (json_int_t)committed, "batches",
                              (json_int_t)batches);
        rn_store_disk_stats_t d;
        if (h && rn_store_disk_stats(app->store, &d) == 0) /* the log's figures: size, liveness, amplification */
            json_object_set_new(json_object_get(h, "store"), "log",
                                json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "segments", (json_int_t)d.segments,
                                          "recordBytes", (json_int_t)d.record_bytes, "liveBytes",
                                          (json_int_t)d.live_bytes, "messages", (json_int_t)d.messages,
                                          "clientBytes", (json_int_t)d.client_bytes, "compactedBytes",
                                          (json_int_t)d.compacted_bytes, "writtenBytes",
                                          (json_int_t)d.written_bytes, "syncs", (json_int_t)d.syncs,
                                          "writeErrors", (json_int_t)d.write_errors));
        respond_plain_json(rn_http_respond, conn, 200, h);
        return 1;
    }
    if (strcmp(req->path, "/metrics") == 0) {
        if (rc < 0) {
            char rid[37];
            rn_uuid(rid);
            send_auth_error(rn_http_respond, conn, &route, rc, msg, rid);
            return 1;
        }
        size_t len = 0;
        char *page = aws_prometheus(app, &len);
        if (page)
            rn_http_respond(conn, 200, "text/plain; version=0.0.4; charset=utf-8", NULL, page, len);
        else
            respond_plain_json(rn_http_respond, conn, 500, json_pack("{s:s}", "message", "Out of memory"));
        rn_free(page);
        return 1;
    }
    if (strcmp(req->path, "/_runnel/clock") == 0) {
        if (rc < 0) {
            char rid[37];
            rn_uuid(rid);
            send_auth_error(rn_http_respond, conn, &route, rc, msg, rid);
        } else {
            clock_endpoint(app, conn, req);
        }
        return 1;
    }
    if (strcmp(req->path, "/_runnel/fault") == 0) {
        if (rc < 0) {
            char rid[37];
            rn_uuid(rid);
            send_auth_error(rn_http_respond, conn, &route, rc, msg, rid);
        } else {
            fault_endpoint(app, conn, req);
        }
        return 1;
    }
    if (strcmp(req->path, "/_runnel/reset") == 0) {
        if (rc < 0) {
            char rid[37];
            rn_uuid(rid);
            send_auth_error(rn_http_respond, conn, &route, rc, msg, rid);
        } else if (strcmp(req->method, "POST") != 0) {
            respond_plain_json(rn_http_respond, conn, 405, json_pack("{s:s}", "message", "Use POST"));
        } else if (!app->cfg->in_memory && !app->cfg->enable_reset) {
            respond_plain_json(rn_http_respond, conn, 403,
                               json_pack("{s:s}", "message",
                                         "Reset is refused: start runnel with --in-memory or --enable-reset"));
        } else {
            rn_instances_reset(app->instances);
            respond_plain_json(rn_http_respond, conn, 200, json_pack("{s:s}", "status", "reset"));
        }
        return 1;
    }
    return 0;
}

/* Authenticates a service call; a failure is recorded on the call in the
 * words of the endpoint it was routed to. */
static int authenticate(rn_app_t *app, rn_http_req_t *req, const route_t *route, rn_call_t *c)
{
    int rc = auth_check(app, req, route, 1, c->principal, c->region, c->msg, sizeof c->msg);
    return rc < 0 ? (c->err = auth_err_for(route, rc)) : 0;
}

/* Where the call acts, as AWS decides it: the region its signature is scoped
 * to (else --region), and the account of its access key: the key itself when
 * that is 12 digits, the issuing account for temporary credentials, else
 * --account-id. Both come from the credential authenticate() checked (the
 * same parse the signature was verified with, never a second reading of the
 * headers), so a request cannot sign as one key and act as another. Call it
 * after authenticate(). */
static void identify(const rn_app_t *app, rn_call_t *c)
{
    const char *key = c->principal;
    if (!c->region[0] || strspn(c->region, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(c->region))
        snprintf(c->region, sizeof c->region, "%s", app->cfg->region);
    rn_credential_t tc;
    if (strlen(key) == 12 && strspn(key, "0123456789") == 12)
        snprintf(c->account, sizeof c->account, "%s", key);
    else if (strncmp(key, "ASIA", 4) == 0 && issued_credential(app, key, &tc) == 0 && tc.account)
        snprintf(c->account, sizeof c->account, "%s", tc.account);
    else
        snprintf(c->account, sizeof c->account, "%s", app->cfg->account_id);
}

/* 1 when operation `op` of api has an input member `name`. */
static int takes_member(const rn_api_t *api, const char *op, const char *name)
{
    const rn_op_t *o = rn_api_op(api, op);
    for (const rn_member_t *m = o ? o->in : NULL; m && m->name; m++)
        if (strcmp(m->name, name) == 0)
            return 1;
    return 0;
}

/* Builds the call's input for REST-JSON: the route by method and path, then
 * the bindings (aws/rest.c). Failures are recorded on the call. */
static int rest_input(const rn_service_t *svc, const rn_http_req_t *req, rn_call_t *c, const rn_op_t **op)
{
    json_t *labels = NULL;
    int bad = 0;
    *op = aws_rest_route(svc->api, req->method, req->path, req->path_len, &labels, &bad);
    if (!*op) {
        if (bad)
            return rn_call_fail(c, svc->rest_bad_request, "Invalid path parameter.");
        return rn_call_fail(c, RN_ERR_UNKNOWN_OPERATION, "No operation matches %s %s.", req->method, req->path);
    }
    aws_hdr_t hs[64];
    size_t n = req->nheaders < 64 ? req->nheaders : 64;
    for (size_t i = 0; i < n; i++)
        hs[i] = (aws_hdr_t){req->headers[i].name, req->headers[i].name_len, req->headers[i].value,
                            req->headers[i].value_len};
    snprintf(c->op, sizeof c->op, "%s", (*op)->name);
    int rc = aws_rest_decode(*op, labels, req->query, req->query_len, hs, n, req->body, req->body_len,
                             svc->rest_bad_request, &c->in, c->msg, sizeof c->msg);
    json_decref(labels);
    return rc < 0 ? (c->err = rc) : 0;
}

/* Builds the call's input for the query protocol: URL query plus form body. */
static int query_input(const rn_api_t *api, rn_http_req_t *req, rn_call_t *c, const char **action)
{
    json_t *flat = NULL, *body = NULL;
    if (aws_form_parse(req->query, req->query_len, &flat, c->msg, sizeof c->msg) < 0)
        return c->err = RN_ERR_MALFORMED_QUERY;
    const char *ct = hdr(req, "content-type");
    if (req->body_len && (!ct || strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0)) {
        if (aws_form_parse(req->body, req->body_len, &body, c->msg, sizeof c->msg) < 0) {
            json_decref(flat);
            return c->err = RN_ERR_MALFORMED_QUERY;
        }
        json_object_update(flat, body);
        json_decref(body);
    }
    const char *a = json_string_value(json_object_get(flat, "Action"));
    if (!a || !*a) {
        json_decref(flat);
        return c->err = RN_ERR_MISSING_ACTION;
    }
    snprintf(c->op, sizeof c->op, "%s", a);
    *action = c->op;
    int rc = aws_query_decode(api, c->op, flat, &c->in, c->msg, sizeof c->msg);
    json_decref(flat);
    if (rc < 0)
        return c->err = rc;
    /* a request posted to a resource's URL (an older SDK's queue URL) names
     * the resource by its path */
    const char *pm = api->path_member;
    if (pm && !json_object_get(c->in, pm) && strchr(req->path + 1, '/') && takes_member(api, c->op, pm)) {
        char url[1024];
        snprintf(url, sizeof url, "%s%s", c->endpoint, req->path);
        json_object_set_new(c->in, pm, json_string(url));
    }
    return 0;
}

static void dispatch_request(rn_http_conn_t *conn, rn_http_req_t *req, rn_app_t *app)
{
    app->requests++;
    if (is_internal(app, req->path) && internal_endpoint(app, conn, req))
        return;
    const rn_service_t *health = root_health(app, req);
    if (health) { /* health checks use it */
        char body[200];
        int n = snprintf(body, sizeof body, "healthy: %s.%s.amazonaws.com ", health->signing_name, app->cfg->region);
        rn_http_respond(conn, 200, "text/plain", NULL, body, (size_t)n);
        return;
    }
    rctx_t *x = ctx_new();
    if (!x) {
        rn_http_respond(conn, 500, "application/json", NULL, "{\"message\":\"Out of memory\"}", 27);
        return;
    }
    x->conn = conn;
    x->app = app;
    x->start_ms = rn_now_ms();
    rn_call_t *c = &x->call;
    c->done = call_done;
    rn_uuid(c->request_id);
    const char *host = hdr(req, "host");
    if (host && *host)
        snprintf(c->endpoint, sizeof c->endpoint, "http://%s", host);
    else
        snprintf(c->endpoint, sizeof c->endpoint, "http://%s:%d", app->cfg->host, app->cfg->port);
    route_t route = route_of(app, req);
    if (!route.svc) { /* a table with no service for this protocol */
        ctx_free(x);
        rn_http_respond(conn, 404, "application/json", NULL, "{\"message\":\"No service\"}", 24);
        return;
    }
    x->svc = route.svc;
    c->service = route.svc->name;
    x->proto = route.family == FAM_JSON ? RN_PROTO_JSON : route.family == FAM_CBOR ? RN_PROTO_CBOR : RN_PROTO_QUERY;
    int rc = 0;
    void *inst = NULL;
    if (route.family == FAM_REST) {
        x->rest = 1;
        snprintf(c->op, sizeof c->op, "%s", req->method);
        int ok = authenticate(app, req, &route, c) == 0;
        identify(app, c);
        if (ok && rest_input(route.svc, req, c, &x->rest_op) == 0) {
            if (!(inst = rn_instances_get(app->instances, route.idx, c->account, c->region)))
                rn_call_fail(c, RN_ERR_INTERNAL, "Account %s in region %s could not be served.", c->account,
                             c->region);
            else if (route.svc->call(inst, c) == RN_PENDING) {
                rn_http_set_ctx(conn, x);
                return;
            }
        }
        call_done(c);
        return;
    }
    /* Nothing of the body is decoded before the signature over it checks out. */
    rc = authenticate(app, req, &route, c);
    identify(app, c);
    /* a gzip body (request compression) is decoded inflated; the request
     * gets its own body back once decoded */
    char *packed = NULL;
    size_t packed_len = 0;
    if (rc == 0)
        rc = inflate_body(route.svc, req, c, &packed, &packed_len);
    if (rc == 0 && route.family == FAM_CBOR) {
        char svc_name[128];
        aws_cbor_path(req->path, svc_name, sizeof svc_name, c->op, sizeof c->op);
        x->rest_op = route.svc->api ? rn_api_op(route.svc->api, c->op) : NULL;
        if (!x->rest_op)
            rc = rn_call_fail(c, RN_ERR_UNKNOWN_OPERATION, "%s", "");
        else
            rc = c->err = aws_cbor_decode(req->body, req->body_len, &c->in, c->msg, sizeof c->msg);
    } else if (rc == 0 && route.family == FAM_JSON) {
        const char *target = hdr(req, "x-amz-target");
        const char *dot = strchr(target, '.');
        snprintf(c->op, sizeof c->op, "%s", dot ? dot + 1 : target);
        if (!route.target_known) {
            rc = rn_call_fail(c, RN_ERR_INVALID_ACTION, "The action %s is not valid for this endpoint.", c->op);
        } else if (req->body_len == 0) {
            c->in = json_object();
        } else {
            json_error_t jerr;
            c->in = json_loadb(req->body, req->body_len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
            if (!json_is_object(c->in))
                rc = rn_call_fail(c, RN_ERR_SERIALIZATION, "Start of structure or map found where not expected.");
        }
    } else if (rc == 0) {
        const char *action = NULL;
        rc = query_input(route.svc->api, req, c, &action);
        if (rc == RN_ERR_MISSING_ACTION) {
            if (strcmp(req->method, "GET") == 0 && strcmp(req->path, "/") != 0) {
                restore_body(req, packed, packed_len);
                rn_http_respond(conn, 404, "text/xml", NULL, "<UnknownOperationException/>", 28);
                ctx_free(x);
                return;
            }
            snprintf(c->msg, sizeof c->msg, "The request is missing an action or a required parameter.");
        }
    }
    restore_body(req, packed, packed_len);
    if (rc == 0 && !(inst = rn_instances_get(app->instances, route.idx, c->account, c->region)))
        rc = rn_call_fail(c, RN_ERR_INTERNAL, "Account %s in region %s could not be served (out of memory, or over "
                                              "4096 accounts and regions).",
                          c->account, c->region);
    if (rc == 0 && route.svc->call(inst, c) == RN_PENDING) {
        rn_http_set_ctx(conn, x);
        return;
    }
    call_done(c);
}

/* A request's call has returned: what it queued is one whole unit, handed to
 * the store's writer now. The disk then syncs it while the loop serves the
 * requests read in the same turn, instead of all of them waiting for one
 * sync at the turn's end (clients would move in lockstep with the disk). */
void rn_dispatch_request(rn_http_conn_t *conn, rn_http_req_t *req, void *ud)
{
    rn_app_t *app = ud;
    dispatch_request(conn, req, app);
    rn_store_flush(app->store);
}
