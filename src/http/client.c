/* SPDX-License-Identifier: MIT
 * Outbound HTTP/1.1 requests: resolve, connect, write the whole request,
 * parse the response with http_parser, call back once. Each request owns a
 * TCP handle and a timer; it is freed when both are closed. The client keeps
 * the list of live requests so that freeing it abandons them safely. */
#include "http/client.h"

#include <http_parser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/mem.h"

#define MAX_RESPONSE_BYTES (1024 * 1024)

typedef struct hreq hreq_t;

struct rn_hclient {
    uv_loop_t *loop;
    hreq_t *live;    /* doubly linked list of requests not yet finished */
    size_t inflight;
    int freeing;
};

struct hreq {
    hreq_t *prev, *next;
    rn_hclient_t *h;
    uv_getaddrinfo_t gai;
    uv_connect_t conn;
    uv_write_t wr;
    uv_tcp_t tcp;
    uv_timer_t timer;
    http_parser parser;
    rn_buf_t out;    /* the request bytes */
    rn_buf_t body;   /* response body */
    char host[256], port[8];
    int status, finished, abandoned, tcp_open, gai_pending;
    int closing;     /* handle closes and the resolver callback still to come */
    char err[128];
    rn_hclient_cb cb;
    void *ud;
};

static void unlink_req(hreq_t *r)
{
    if (r->prev)
        r->prev->next = r->next;
    else if (r->h->live == r)
        r->h->live = r->next;
    if (r->next)
        r->next->prev = r->prev;
    r->prev = r->next = NULL;
}

static void maybe_free_client(rn_hclient_t *h)
{
    if (h->freeing && h->inflight == 0)
        rn_free(h);
}

static void release(hreq_t *r)
{
    if (--r->closing > 0)
        return;
    rn_hclient_t *h = r->h;
    rn_buf_free(&r->out);
    rn_buf_free(&r->body);
    rn_free(r);
    h->inflight--;
    maybe_free_client(h);
}

static void on_closed(uv_handle_t *hd)
{
    release(hd->data);
}

/* Reports the outcome once, then closes the handles. */
static void finish(hreq_t *r, int status, const char *err)
{
    if (r->finished)
        return;
    r->finished = 1;
    unlink_req(r);
    uv_timer_stop(&r->timer);
    if (!r->abandoned)
        r->cb(r->ud, status, r->body.data ? r->body.data : "", r->body.len, err);
    r->closing = 1 + r->tcp_open + r->gai_pending;
    uv_close((uv_handle_t *)&r->timer, on_closed);
    if (r->tcp_open)
        uv_close((uv_handle_t *)&r->tcp, on_closed);
}

static int on_body(http_parser *p, const char *at, size_t n)
{
    hreq_t *r = p->data;
    if (r->body.len + n > MAX_RESPONSE_BYTES)
        return 0; /* keep what fits: only the status matters to callers */
    rn_buf_add(&r->body, at, n);
    return 0;
}

static int on_complete(http_parser *p)
{
    hreq_t *r = p->data;
    r->status = (int)p->status_code;
    finish(r, r->status, NULL);
    return 1; /* stop parsing */
}

static http_parser_settings settings = {.on_body = on_body, .on_message_complete = on_complete};

static void on_alloc(uv_handle_t *hd, size_t suggested, uv_buf_t *buf)
{
    (void)hd;
    buf->base = rn_malloc(suggested);
    buf->len = buf->base ? suggested : 0;
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    hreq_t *r = s->data;
    if (n > 0 && !r->finished) {
        size_t used = http_parser_execute(&r->parser, &settings, buf->base, (size_t)n);
        if (!r->finished && used != (size_t)n)
            finish(r, -1, "malformed HTTP response");
    } else if (n < 0 && !r->finished) {
        if (n == UV_EOF) /* a response without Content-Length ends at EOF */
            http_parser_execute(&r->parser, &settings, NULL, 0);
        if (!r->finished)
            finish(r, -1, n == UV_EOF ? "connection closed before a response" : uv_strerror((int)n));
    }
    rn_free(buf->base);
}

static void on_write(uv_write_t *w, int status)
{
    hreq_t *r = w->data;
    if (status < 0)
        finish(r, -1, uv_strerror(status));
}

static void on_connect(uv_connect_t *c, int status)
{
    hreq_t *r = c->data;
    if (r->finished)
        return;
    if (status < 0) {
        finish(r, -1, uv_strerror(status));
        return;
    }
    uv_buf_t b = uv_buf_init(r->out.data, (unsigned)r->out.len);
    r->wr.data = r;
    if (uv_write(&r->wr, (uv_stream_t *)&r->tcp, &b, 1, on_write) < 0 ||
        uv_read_start((uv_stream_t *)&r->tcp, on_alloc, on_read) < 0)
        finish(r, -1, "write failed");
}

static void on_resolved(uv_getaddrinfo_t *g, int status, struct addrinfo *res)
{
    hreq_t *r = g->data;
    r->gai_pending = 0;
    if (r->finished) {
        uv_freeaddrinfo(res);
        release(r);
        return;
    }
    if (status < 0 || !res) {
        uv_freeaddrinfo(res);
        finish(r, -1, status == UV_ECANCELED ? "cancelled" : "address not found");
        return;
    }
    uv_tcp_init(r->h->loop, &r->tcp);
    r->tcp.data = r;
    r->tcp_open = 1;
    r->conn.data = r;
    int rc = uv_tcp_connect(&r->conn, &r->tcp, res->ai_addr, on_connect);
    uv_freeaddrinfo(res);
    if (rc < 0)
        finish(r, -1, uv_strerror(rc));
}

static void on_timeout(uv_timer_t *t)
{
    hreq_t *r = t->data;
    if (r->gai_pending)
        uv_cancel((uv_req_t *)&r->gai);
    finish(r, -1, "timeout");
}

rn_hclient_t *rn_hclient_new(uv_loop_t *loop)
{
    rn_hclient_t *h = rn_calloc(1, sizeof *h);
    if (h)
        h->loop = loop;
    return h;
}

/* Splits http://host[:port]/path into its parts; path keeps the query. */
static int parse_url(const char *url, char *host, size_t hn, char *port, size_t pn, const char **path)
{
    if (strncasecmp(url, "http://", 7) != 0)
        return -1;
    const char *p = url + 7, *end = p + strcspn(p, "/?#");
    const char *colon = memchr(p, ':', (size_t)(end - p));
    const char *hend = colon ? colon : end;
    if (hend == p || (size_t)(hend - p) >= hn)
        return -1;
    memcpy(host, p, (size_t)(hend - p));
    host[hend - p] = '\0';
    if (colon) {
        if ((size_t)(end - colon - 1) >= pn || end == colon + 1)
            return -1;
        memcpy(port, colon + 1, (size_t)(end - colon - 1));
        port[end - colon - 1] = '\0';
    } else {
        snprintf(port, pn, "80");
    }
    *path = *end ? end : "/";
    return 0;
}

int rn_hclient_request(rn_hclient_t *h, const char *method, const char *url, const char *headers, const char *body,
                       size_t len, int timeout_ms, rn_hclient_cb cb, void *ud)
{
    hreq_t *r = rn_calloc(1, sizeof *r);
    const char *path;
    if (!r)
        return RN_ERR_NOMEM;
    if (parse_url(url, r->host, sizeof r->host, r->port, sizeof r->port, &path) < 0) {
        rn_free(r);
        return RN_ERR_INVALID_PARAMETER;
    }
    r->h = h;
    r->cb = cb;
    r->ud = ud;
    rn_buf_printf(&r->out, "%s %s%s HTTP/1.1\r\nHost: %s%s%s\r\nConnection: close\r\nContent-Length: %zu\r\n",
                  method, *path == '/' ? "" : "/", path, r->host, strcmp(r->port, "80") ? ":" : "",
                  strcmp(r->port, "80") ? r->port : "", len);
    if (headers)
        rn_buf_puts(&r->out, headers);
    rn_buf_puts(&r->out, "\r\n");
    if (len)
        rn_buf_add(&r->out, body, len);
    if (r->out.oom) {
        rn_buf_free(&r->out);
        rn_free(r);
        return RN_ERR_NOMEM;
    }
    http_parser_init(&r->parser, HTTP_RESPONSE);
    r->parser.data = r;
    uv_timer_init(h->loop, &r->timer);
    r->timer.data = r;
    r->gai.data = r;
    r->next = h->live;
    if (h->live)
        h->live->prev = r;
    h->live = r;
    h->inflight++;
    uv_timer_start(&r->timer, on_timeout, (uint64_t)(timeout_ms > 0 ? timeout_ms : 5000), 0);
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    int rc = uv_getaddrinfo(h->loop, &r->gai, on_resolved, r->host, r->port, &hints);
    r->gai_pending = rc == 0;
    if (rc < 0)
        finish(r, -1, uv_strerror(rc)); /* reported through cb like any failure */
    return 0;
}

size_t rn_hclient_inflight(const rn_hclient_t *h)
{
    return h->inflight;
}

void rn_hclient_free(rn_hclient_t *h)
{
    if (!h)
        return;
    h->freeing = 1;
    while (h->live) {
        hreq_t *r = h->live;
        r->abandoned = 1;
        if (r->gai_pending)
            uv_cancel((uv_req_t *)&r->gai);
        finish(r, -1, "shutdown");
    }
    maybe_free_client(h);
}
