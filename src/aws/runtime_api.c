/* SPDX-License-Identifier: MIT
 * The Lambda Runtime API's HTTP side (core/runtime.h): one listener on
 * 127.0.0.1 per function instance, so a request's endpoint says which
 * instance made it, whatever client library the instance uses. It routes the
 * four documented paths to the service as messages and writes the service's
 * answers as the Runtime API does (the invocation's headers on "next").
 * Owns the endpoints and every request until it is answered. */
#include "aws/runtime_api.h"

#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/mem.h"
#include "http/server.h"

#define PREFIX "/2018-06-01/runtime/"

struct rn_runtime_req {
    rn_http_conn_t *conn;
    rn_runtime_ep_t *ep;
    rn_runtime_req_t *prev, *next; /* the endpoint's unanswered requests */
};

struct rn_runtime_ep {
    rn_http_server_t *http;
    rn_runtime_msg_fn on_msg;
    rn_runtime_gone_fn on_gone;
    void *ud;
    rn_runtime_req_t *reqs;
    int closed;
};

static void unlink_req(rn_runtime_req_t *r)
{
    if (r->prev)
        r->prev->next = r->next;
    else
        r->ep->reqs = r->next;
    if (r->next)
        r->next->prev = r->prev;
}

static void answer(rn_runtime_req_t *r, int status, const char *head, const char *body, size_t len)
{
    rn_http_set_ctx(r->conn, NULL);
    rn_http_respond(r->conn, status, "application/json", head, body, len);
    unlink_req(r);
    rn_free(r);
}

static void reply(rn_runtime_req_t *r, int status, const char *json)
{
    answer(r, status, NULL, json, strlen(json));
}

/* Header values come from the service (ids, ARNs, JSON it checked); a CR or
 * LF would split the header, so they are cut there. */
static void add_header(rn_buf_t *h, const char *name, const char *value)
{
    if (!value)
        return;
    rn_buf_printf(h, "%s: %.*s\r\n", name, (int)strcspn(value, "\r\n"), value);
}

static void invoke(rn_runtime_req_t *r, const rn_runtime_invocation_t *inv)
{
    rn_buf_t h = {0};
    add_header(&h, "Lambda-Runtime-Aws-Request-Id", inv->request_id);
    rn_buf_printf(&h, "Lambda-Runtime-Deadline-Ms: %lld\r\n", (long long)inv->deadline_ms);
    add_header(&h, "Lambda-Runtime-Invoked-Function-Arn", inv->function_arn);
    add_header(&h, "Lambda-Runtime-Trace-Id", inv->trace_id);
    add_header(&h, "Lambda-Runtime-Client-Context", inv->client_context);
    add_header(&h, "Lambda-Runtime-Cognito-Identity", inv->cognito_identity);
    answer(r, 200, h.data, inv->payload, inv->len);
    rn_buf_free(&h);
}

static void on_cancel(rn_http_conn_t *conn, void *ctx)
{
    (void)conn;
    rn_runtime_req_t *r = ctx;
    if (!r)
        return;
    rn_runtime_ep_t *ep = r->ep;
    unlink_req(r);
    if (!ep->closed)
        ep->on_gone(ep->ud, r);
    rn_free(r);
}

static const char *header(const rn_http_req_t *req, const char *name)
{
    for (size_t i = 0; i < req->nheaders; i++)
        if (req->headers[i].name_len == strlen(name) && !memcmp(req->headers[i].name, name, req->headers[i].name_len))
            return req->headers[i].value; /* NUL-terminated by the parser's copy */
    return NULL;
}

static void not_found(rn_http_conn_t *conn)
{
    static const char body[] = "{\"errorMessage\":\"Not found\",\"errorType\":\"InvalidRequest\"}";
    rn_http_respond(conn, 404, "application/json", NULL, body, sizeof body - 1);
}

static void on_request(rn_http_conn_t *conn, rn_http_req_t *req, void *ud)
{
    rn_runtime_ep_t *ep = ud;
    char path[512];
    if (ep->closed || req->path_len >= sizeof path) {
        not_found(conn);
        return;
    }
    memcpy(path, req->path, req->path_len);
    path[req->path_len] = 0;
    rn_runtime_msg_t m = {.body = req->body, .len = req->body_len};
    char id[256] = "";
    int get = !strcmp(req->method, "GET"), post = !strcmp(req->method, "POST");
    if (get && !strcmp(path, PREFIX "invocation/next")) {
        m.kind = RN_RT_NEXT;
    } else if (post && !strcmp(path, PREFIX "init/error")) {
        m.kind = RN_RT_INIT_ERROR;
    } else if (post && !strncmp(path, PREFIX "invocation/", sizeof PREFIX "invocation/" - 1)) {
        const char *rest = path + sizeof PREFIX "invocation/" - 1;
        const char *slash = strchr(rest, '/');
        if (!slash || slash == rest || (size_t)(slash - rest) >= sizeof id) {
            not_found(conn);
            return;
        }
        memcpy(id, rest, (size_t)(slash - rest));
        id[slash - rest] = 0;
        if (!strcmp(slash, "/response"))
            m.kind = RN_RT_RESPONSE;
        else if (!strcmp(slash, "/error"))
            m.kind = RN_RT_ERROR;
        else {
            not_found(conn);
            return;
        }
        m.request_id = id;
    } else {
        not_found(conn);
        return;
    }
    if (m.kind == RN_RT_ERROR || m.kind == RN_RT_INIT_ERROR)
        m.error_type = header(req, "lambda-runtime-function-error-type");
    rn_runtime_req_t *r = rn_calloc(1, sizeof *r);
    if (!r) {
        rn_http_respond(conn, 500, "application/json", NULL, "{}", 2);
        return;
    }
    r->conn = conn;
    r->ep = ep;
    r->next = ep->reqs;
    if (ep->reqs)
        ep->reqs->prev = r;
    ep->reqs = r;
    rn_http_set_ctx(conn, r);
    ep->on_msg(ep->ud, r, &m);
}

/* A response may be up to 6 MB (the service words the error over it); one
 * instance makes one request at a time. */
static rn_http_limits_t limits(void)
{
    return (rn_http_limits_t){.max_header_bytes = 65536,
                              .max_body_bytes = 7 * 1024 * 1024,
                              .max_conn_buffer = 4,
                              .max_connections = 16,
                              .header_timeout_ms = 60000,
                              .idle_timeout_ms = 3600 * 1000};
}

static int ep_open(void *host, rn_runtime_msg_fn on_msg, rn_runtime_gone_fn on_gone, void *ud,
                   rn_runtime_ep_t **out, char *addr, size_t addrlen, char *msg, size_t msglen)
{
    uv_loop_t *loop = host;
    rn_runtime_ep_t *ep = rn_calloc(1, sizeof *ep);
    if (!ep) {
        snprintf(msg, msglen, "out of memory");
        return -1;
    }
    ep->on_msg = on_msg;
    ep->on_gone = on_gone;
    ep->ud = ud;
    rn_http_limits_t lim = limits();
    if (rn_http_server_start(loop, "127.0.0.1", 0, &lim, on_request, on_cancel, ep, &ep->http, msg, msglen) < 0) {
        rn_free(ep);
        return -1;
    }
    snprintf(addr, addrlen, "127.0.0.1:%d", rn_http_server_port(ep->http));
    *out = ep;
    return 0;
}

static void drained(void *arg)
{
    rn_runtime_ep_t *ep = arg;
    rn_http_server_close(ep->http);
    rn_free(ep);
}

static void ep_close(rn_runtime_ep_t *ep)
{
    if (!ep)
        return;
    ep->closed = 1;
    static const char gone[] = "{\"errorMessage\":\"The instance is stopping\",\"errorType\":\"Runtime.Stopping\"}";
    while (ep->reqs)
        answer(ep->reqs, 410, NULL, gone, sizeof gone - 1);
    rn_http_server_shutdown(ep->http, drained, ep);
}

void aws_runtime_host(uv_loop_t *loop, rn_runtime_host_t *out)
{
    out->host = loop;
    out->open = ep_open;
    out->close = ep_close;
    out->reply = reply;
    out->invoke = invoke;
}

void aws_runtime_serve_bytes_for_test(uv_loop_t *loop, rn_runtime_msg_fn on_msg, rn_runtime_gone_fn on_gone, void *ud,
                                      const char *data, size_t n, rn_buf_t *out)
{
    rn_runtime_ep_t ep = {.on_msg = on_msg, .on_gone = on_gone, .ud = ud};
    rn_http_limits_t lim = limits();
    rn_http_serve_bytes_for_test(loop, &lim, on_request, on_cancel, NULL, &ep, data, n, out);
    while (ep.reqs) /* nothing is left behind: a parked request was cancelled when the connection closed */
        answer(ep.reqs, 410, NULL, "{}", 2);
}
