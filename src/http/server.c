/* SPDX-License-Identifier: MIT
 * HTTP/1.1 connections on libuv with http_parser. Bytes are parsed as they
 * arrive; each complete request is queued on its connection, and only the head
 * of that queue is handed to the handler, so pipelined requests are answered
 * in order while parsing carries on. A sweep timer enforces request and idle
 * timeouts without a timer per connection. */
#include "http/server.h"

#include <http_parser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/log.h"
#include "core/mem.h"

#define MAX_QUEUED 32

typedef struct hdr_off {
    size_t name_off, name_len, value_off, value_len;
} hdr_off_t;

typedef struct queued_req {
    struct queued_req *next;
    rn_http_req_t req;
    char *hstore;   /* owned header bytes */
    char *pathbuf;  /* owned copy of the path */
} queued_req_t;

struct rn_http_conn {
    uv_tcp_t tcp;
    rn_http_server_t *srv;
    http_parser parser;
    rn_http_conn_t *prev, *next;
    /* request being parsed */
    rn_buf_t url, hbuf, body;
    hdr_off_t *hoff;
    size_t nhoff, caphoff;
    int last_was_value;
    int in_message;
    uint64_t msg_start_ms;
    /* parsed requests, head is the one being handled */
    queued_req_t *qhead, *qtail;
    size_t qlen;
    int head_dispatched;
    void *req_ctx;
    int reading;
    int closing;
    int close_after_write;
    size_t writes_pending;
    uint64_t last_active_ms;
    char peer[64];
};

struct rn_http_server {
    uv_loop_t *loop;
    uv_tcp_t listener;
    uv_timer_t sweep;
    rn_http_limits_t lim;
    rn_http_handler_fn handler;
    rn_http_cancel_fn cancel;
    void *ud;
    rn_http_conn_t *conns;
    size_t nconns;
    int port;
    int shutting_down;
    int listener_closed, sweep_closed;
    void (*on_drained)(void *);
    void *drained_arg;
};

typedef struct write_req {
    uv_write_t w;
    rn_http_conn_t *conn;
    char *data;
} write_req_t;

static http_parser_settings settings;

static void conn_close(rn_http_conn_t *c);
static void conn_dispatch_next(rn_http_conn_t *c);
static void maybe_drained(rn_http_server_t *s);

static uint64_t now_ms(rn_http_server_t *s)
{
    return uv_now(s->loop);
}

static void reset_message(rn_http_conn_t *c)
{
    rn_buf_free(&c->url);
    rn_buf_free(&c->hbuf);
    rn_buf_free(&c->body);
    c->nhoff = 0;
    c->last_was_value = 0;
    c->in_message = 0;
}

static void free_queued(queued_req_t *q)
{
    rn_free(q->req.url);
    rn_free(q->req.headers);
    rn_free(q->req.body);
    rn_free(q->hstore);
    rn_free(q->pathbuf);
    rn_free(q);
}

static int on_message_begin(http_parser *p)
{
    rn_http_conn_t *c = p->data;
    reset_message(c);
    c->in_message = 1;
    c->msg_start_ms = now_ms(c->srv);
    return 0;
}

static int on_url(http_parser *p, const char *at, size_t n)
{
    rn_http_conn_t *c = p->data;
    if (c->url.len + n > 16384)
        return -1;
    rn_buf_add(&c->url, at, n);
    return c->url.oom ? -1 : 0;
}

static int on_header_field(http_parser *p, const char *at, size_t n)
{
    rn_http_conn_t *c = p->data;
    if (c->last_was_value || c->nhoff == 0) {
        if (c->last_was_value)
            rn_buf_add(&c->hbuf, "", 1); /* NUL after the previous value */
        if (c->nhoff == c->caphoff) {
            size_t cap = c->caphoff ? c->caphoff * 2 : 16;
            if (cap > 256)
                return -1;
            hdr_off_t *h = rn_realloc(c->hoff, cap * sizeof *h);
            if (!h)
                return -1;
            c->hoff = h;
            c->caphoff = cap;
        }
        c->hoff[c->nhoff++] = (hdr_off_t){c->hbuf.len, 0, 0, 0};
        c->last_was_value = 0;
    }
    size_t start = c->hbuf.len;
    rn_buf_add(&c->hbuf, at, n);
    if (!c->hbuf.oom)
        for (size_t i = start; i < c->hbuf.len; i++)
            if (c->hbuf.data[i] >= 'A' && c->hbuf.data[i] <= 'Z')
                c->hbuf.data[i] = (char)(c->hbuf.data[i] + 32);
    c->hoff[c->nhoff - 1].name_len += n;
    return c->hbuf.oom ? -1 : 0;
}

static int on_header_value(http_parser *p, const char *at, size_t n)
{
    rn_http_conn_t *c = p->data;
    if (c->nhoff == 0)
        return -1;
    hdr_off_t *h = &c->hoff[c->nhoff - 1];
    if (!c->last_was_value) {
        rn_buf_add(&c->hbuf, "", 1); /* NUL after the name */
        h->value_off = c->hbuf.len;
        c->last_was_value = 1;
    }
    rn_buf_add(&c->hbuf, at, n);
    h->value_len += n;
    return c->hbuf.oom ? -1 : 0;
}

static int on_headers_complete(http_parser *p)
{
    rn_http_conn_t *c = p->data;
    if (c->last_was_value)
        rn_buf_add(&c->hbuf, "", 1);
    if (p->content_length != ULLONG_MAX && p->content_length > c->srv->lim.max_body_bytes)
        return -1;
    return c->hbuf.oom ? -1 : 0;
}

static int on_body(http_parser *p, const char *at, size_t n)
{
    rn_http_conn_t *c = p->data;
    if (c->body.len + n > c->srv->lim.max_body_bytes)
        return -1;
    rn_buf_add(&c->body, at, n);
    return c->body.oom ? -1 : 0;
}

static int on_message_complete(http_parser *p)
{
    rn_http_conn_t *c = p->data;
    queued_req_t *q = rn_calloc(1, sizeof *q);
    if (!q)
        return -1;
    rn_http_req_t *r = &q->req;
    r->method = http_method_str((enum http_method)p->method);
    r->keep_alive = http_should_keep_alive(p);
    if (!c->url.data)
        rn_buf_add(&c->url, "/", 1);
    r->url = rn_buf_take(&c->url, &r->url_len);
    size_t hlen;
    q->hstore = rn_buf_take(&c->hbuf, &hlen);
    r->nheaders = c->nhoff;
    r->headers = rn_calloc(c->nhoff ? c->nhoff : 1, sizeof *r->headers);
    if (!r->headers) {
        free_queued(q);
        return -1;
    }
    for (size_t i = 0; i < c->nhoff; i++) {
        r->headers[i] = (rn_http_hdr_t){q->hstore + c->hoff[i].name_off, c->hoff[i].name_len,
                                        c->hoff[i].value_len ? q->hstore + c->hoff[i].value_off : "",
                                        c->hoff[i].value_len};
    }
    if (!c->body.data)
        rn_buf_add(&c->body, "", 0);
    r->body = rn_buf_take(&c->body, &r->body_len);
    if (!r->body) {
        free_queued(q);
        return -1;
    }
    const char *qm = memchr(r->url, '?', r->url_len);
    size_t plen = qm ? (size_t)(qm - r->url) : r->url_len;
    q->pathbuf = rn_strndup(r->url, plen);
    if (!q->pathbuf) {
        free_queued(q);
        return -1;
    }
    r->path = q->pathbuf;
    r->path_len = plen;
    r->query = qm ? qm + 1 : "";
    r->query_len = qm ? r->url_len - plen - 1 : 0;
    reset_message(c);
    if (c->qtail)
        c->qtail->next = q;
    else
        c->qhead = q;
    c->qtail = q;
    c->qlen++;
    return 0;
}

static void alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)h;
    (void)suggested;
    static char slab[65536];
    buf->base = slab;
    buf->len = sizeof slab;
}

static void write_cb(uv_write_t *w, int status)
{
    write_req_t *wr = (write_req_t *)w;
    rn_http_conn_t *c = wr->conn;
    rn_free(wr->data);
    rn_free(wr);
    c->writes_pending--;
    if (status < 0 || (c->close_after_write && c->writes_pending == 0))
        conn_close(c);
}

static void send_raw(rn_http_conn_t *c, char *data, size_t len)
{
    uv_buf_t b = uv_buf_init(data, (unsigned)len);
    if (c->writes_pending == 0) {
        int n = uv_try_write((uv_stream_t *)&c->tcp, &b, 1);
        if (n == (int)len) {
            rn_free(data);
            if (c->close_after_write)
                conn_close(c);
            return;
        }
        if (n > 0) {
            b.base += n;
            b.len -= (unsigned)n;
        }
    }
    write_req_t *wr = rn_malloc(sizeof *wr);
    if (!wr) {
        rn_free(data);
        conn_close(c);
        return;
    }
    wr->conn = c;
    wr->data = data;
    c->writes_pending++;
    if (uv_write(&wr->w, (uv_stream_t *)&c->tcp, &b, 1, write_cb) < 0) {
        c->writes_pending--;
        rn_free(data);
        rn_free(wr);
        conn_close(c);
    }
}

static const char *reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 413: return "Payload Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Status";
    }
}

static void send_response(rn_http_conn_t *c, int status, const char *ctype, const char *extra,
                          const char *body, size_t len, int keep_alive)
{
    rn_buf_t b = {0};
    rn_buf_printf(&b, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%s%s\r\n", status,
                  reason(status), ctype, len, keep_alive ? "" : "Connection: close\r\n", extra ? extra : "");
    rn_buf_add(&b, body, len);
    if (b.oom) {
        rn_buf_free(&b);
        conn_close(c);
        return;
    }
    if (!keep_alive)
        c->close_after_write = 1;
    size_t n;
    char *data = rn_buf_take(&b, &n);
    send_raw(c, data, n);
}

static void on_read(uv_stream_t *st, ssize_t nread, const uv_buf_t *buf)
{
    rn_http_conn_t *c = st->data;
    if (nread < 0) {
        conn_close(c);
        return;
    }
    if (nread == 0 || c->closing)
        return;
    c->last_active_ms = now_ms(c->srv);
    size_t had = c->qlen;
    size_t n = http_parser_execute(&c->parser, &settings, buf->base, (size_t)nread);
    if (c->parser.http_errno != HPE_OK || n != (size_t)nread) {
        int too_big = c->body.len > 0 || c->parser.http_errno == HPE_CB_headers_complete ||
                      c->parser.http_errno == HPE_CB_body;
        if (c->qlen == 0) {
            const char *msg = too_big ? "{\"message\":\"Request entity too large\"}"
                                      : "{\"message\":\"Malformed HTTP request\"}";
            uv_read_stop(st);
            c->reading = 0;
            send_response(c, too_big ? 413 : 400, "application/json", NULL, msg, strlen(msg), 0);
        } else {
            /* answer what was parsed, then close */
            uv_read_stop(st);
            c->reading = 0;
            queued_req_t *t = c->qtail;
            t->req.keep_alive = 0;
        }
        if (c->qlen > had && !c->head_dispatched)
            conn_dispatch_next(c);
        return;
    }
    if (c->qlen >= MAX_QUEUED && c->reading) {
        uv_read_stop(st);
        c->reading = 0;
    }
    if (c->qlen > had && !c->head_dispatched)
        conn_dispatch_next(c);
}

static void conn_dispatch_next(rn_http_conn_t *c)
{
    if (c->closing || c->head_dispatched || !c->qhead)
        return;
    c->head_dispatched = 1;
    c->req_ctx = NULL;
    c->srv->handler(c, &c->qhead->req, c->srv->ud);
}

void rn_http_set_ctx(rn_http_conn_t *conn, void *req_ctx)
{
    conn->req_ctx = req_ctx;
}

const char *rn_http_peer(const rn_http_conn_t *conn)
{
    return conn->peer;
}

void rn_http_respond(rn_http_conn_t *c, int status, const char *ctype, const char *extra, const char *body,
                     size_t len)
{
    queued_req_t *q = c->qhead;
    if (!q || !c->head_dispatched || c->closing)
        return;
    int keep = q->req.keep_alive && !c->srv->shutting_down;
    c->qhead = q->next;
    if (!c->qhead)
        c->qtail = NULL;
    c->qlen--;
    c->head_dispatched = 0;
    c->req_ctx = NULL;
    send_response(c, status, ctype, extra, body, len, keep);
    free_queued(q);
    if (c->closing)
        return;
    if (!keep) {
        if (c->reading) {
            uv_read_stop((uv_stream_t *)&c->tcp);
            c->reading = 0;
        }
        return;
    }
    if (!c->reading && c->qlen < MAX_QUEUED / 2 && c->parser.http_errno == HPE_OK) {
        c->reading = 1;
        uv_read_start((uv_stream_t *)&c->tcp, alloc_cb, on_read);
    }
    conn_dispatch_next(c);
}

static void on_conn_closed(uv_handle_t *h)
{
    rn_http_conn_t *c = h->data;
    rn_http_server_t *s = c->srv;
    rn_free(c->hoff);
    rn_free(c);
    maybe_drained(s);
}

static void conn_close(rn_http_conn_t *c)
{
    if (c->closing)
        return;
    c->closing = 1;
    rn_http_server_t *s = c->srv;
    if (c->head_dispatched && s->cancel)
        s->cancel(c, c->req_ctx);
    c->head_dispatched = 0;
    while (c->qhead) {
        queued_req_t *q = c->qhead;
        c->qhead = q->next;
        free_queued(q);
    }
    c->qtail = NULL;
    c->qlen = 0;
    reset_message(c);
    if (c->prev)
        c->prev->next = c->next;
    else
        s->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    s->nconns--;
    uv_close((uv_handle_t *)&c->tcp, on_conn_closed);
}

static void on_connection(uv_stream_t *server, int status)
{
    rn_http_server_t *s = server->data;
    if (status < 0 || s->shutting_down)
        return;
    rn_http_conn_t *c = rn_calloc(1, sizeof *c);
    if (!c)
        return;
    c->srv = s;
    uv_tcp_init(s->loop, &c->tcp);
    c->tcp.data = c;
    if (uv_accept(server, (uv_stream_t *)&c->tcp) < 0) {
        c->closing = 1;
        s->nconns++; /* balanced in on_conn_closed via maybe_drained accounting */
        s->nconns--;
        uv_close((uv_handle_t *)&c->tcp, on_conn_closed);
        return;
    }
    uv_tcp_nodelay(&c->tcp, 1);
    struct sockaddr_storage ss;
    int sl = sizeof ss;
    if (uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&ss, &sl) == 0) {
        if (ss.ss_family == AF_INET)
            uv_ip4_name((struct sockaddr_in *)&ss, c->peer, sizeof c->peer);
        else
            uv_ip6_name((struct sockaddr_in6 *)&ss, c->peer, sizeof c->peer);
    }
    http_parser_init(&c->parser, HTTP_REQUEST);
    c->parser.data = c;
    c->last_active_ms = now_ms(s);
    c->next = s->conns;
    if (s->conns)
        s->conns->prev = c;
    s->conns = c;
    s->nconns++;
    c->reading = 1;
    uv_read_start((uv_stream_t *)&c->tcp, alloc_cb, on_read);
}

static void on_sweep(uv_timer_t *t)
{
    rn_http_server_t *s = t->data;
    uint64_t now = now_ms(s);
    rn_http_conn_t *c = s->conns;
    while (c) {
        rn_http_conn_t *next = c->next;
        if (c->qlen == 0 && c->writes_pending == 0) {
            if (c->in_message && now - c->msg_start_ms > s->lim.header_timeout_ms)
                conn_close(c);
            else if (!c->in_message && now - c->last_active_ms > s->lim.idle_timeout_ms)
                conn_close(c);
        }
        c = next;
    }
}

static void settings_init(void)
{
    settings.on_message_begin = on_message_begin;
    settings.on_url = on_url;
    settings.on_header_field = on_header_field;
    settings.on_header_value = on_header_value;
    settings.on_headers_complete = on_headers_complete;
    settings.on_body = on_body;
    settings.on_message_complete = on_message_complete;
}

int rn_http_server_start(uv_loop_t *loop, const char *host, int port, const rn_http_limits_t *lim,
                         rn_http_handler_fn handler, rn_http_cancel_fn cancel, void *ud,
                         rn_http_server_t **out, char *msg, size_t msglen)
{
    settings_init();

    rn_http_server_t *s = rn_calloc(1, sizeof *s);
    if (!s)
        return snprintf(msg, msglen, "out of memory"), -1;
    s->loop = loop;
    s->lim = *lim;
    s->handler = handler;
    s->cancel = cancel;
    s->ud = ud;
    struct sockaddr_storage ss;
    int rc;
    if (strchr(host, ':'))
        rc = uv_ip6_addr(host, port, (struct sockaddr_in6 *)&ss);
    else
        rc = uv_ip4_addr(host, port, (struct sockaddr_in *)&ss);
    if (rc < 0) {
        snprintf(msg, msglen, "invalid host %s: %s", host, uv_strerror(rc));
        rn_free(s);
        return -1;
    }
    uv_tcp_init(loop, &s->listener);
    s->listener.data = s;
    rc = uv_tcp_bind(&s->listener, (struct sockaddr *)&ss, 0);
    if (rc == 0)
        rc = uv_listen((uv_stream_t *)&s->listener, 1024, on_connection);
    if (rc < 0) {
        snprintf(msg, msglen, "cannot listen on %s:%d: %s", host, port, uv_strerror(rc));
        uv_close((uv_handle_t *)&s->listener, NULL);
        uv_run(loop, UV_RUN_NOWAIT);
        rn_free(s);
        return -1;
    }
    int sl = sizeof ss;
    uv_tcp_getsockname(&s->listener, (struct sockaddr *)&ss, &sl);
    s->port = ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
                                            : ((struct sockaddr_in6 *)&ss)->sin6_port);
    uv_timer_init(loop, &s->sweep);
    s->sweep.data = s;
    /* The sweep walks every connection, so it runs only as often as the
     * timeouts need: a sixth of the header timeout, at most every 5 s (with
     * 10,000 parked long polls a 1 s sweep was most of the idle CPU). */
    uint64_t period = lim->header_timeout_ms / 6;
    period = period < 250 ? 250 : period > 5000 ? 5000 : period;
    uv_timer_start(&s->sweep, on_sweep, period, period);
    uv_unref((uv_handle_t *)&s->sweep);
    *out = s;
    return 0;
}

int rn_http_server_port(const rn_http_server_t *s)
{
    return s->port;
}

size_t rn_http_server_nconns(const rn_http_server_t *s)
{
    return s->nconns;
}

static void on_handle_closed(uv_handle_t *h)
{
    rn_http_server_t *s = h->data;
    if (h == (uv_handle_t *)&s->listener)
        s->listener_closed = 1;
    else
        s->sweep_closed = 1;
    maybe_drained(s);
}

static void maybe_drained(rn_http_server_t *s)
{
    if (s->shutting_down && s->nconns == 0 && s->listener_closed && s->sweep_closed && s->on_drained) {
        void (*fn)(void *) = s->on_drained;
        s->on_drained = NULL;
        fn(s->drained_arg);
    }
}

void rn_http_server_shutdown(rn_http_server_t *s, void (*on_drained)(void *), void *arg)
{
    if (s->shutting_down)
        return;
    s->shutting_down = 1;
    s->on_drained = on_drained;
    s->drained_arg = arg;
    uv_close((uv_handle_t *)&s->listener, on_handle_closed);
    uv_timer_stop(&s->sweep);
    uv_close((uv_handle_t *)&s->sweep, on_handle_closed);
    rn_http_conn_t *c = s->conns;
    while (c) {
        rn_http_conn_t *next = c->next;
        if (c->qlen == 0 && c->writes_pending == 0)
            conn_close(c);
        else
            c->close_after_write = c->qlen == 0;
        c = next;
    }
}

void rn_http_server_close(rn_http_server_t *s)
{
    rn_free(s);
}

/* Test hook for the fuzzer: runs bytes through the same parser callbacks a
 * connection uses (without a socket) and frees what they produced. Returns the
 * number of complete requests parsed, or -1 when the input was rejected. */
int rn_http_parse_for_test(const char *data, size_t n, size_t max_body)
{
    static rn_http_server_t srv;
    rn_http_conn_t *c = rn_calloc(1, sizeof *c);
    if (!c)
        return -1;
    srv.lim.max_body_bytes = max_body;
    srv.loop = uv_default_loop();
    settings_init();
    c->srv = &srv;
    http_parser_init(&c->parser, HTTP_REQUEST);
    c->parser.data = c;
    size_t done = http_parser_execute(&c->parser, &settings, data, n);
    int rc = (c->parser.http_errno != HPE_OK || done != n) ? -1 : (int)c->qlen;
    for (queued_req_t *q = c->qhead; q; q = c->qhead) {
        /* touch what a handler would read */
        for (size_t i = 0; i < q->req.nheaders; i++)
            if (strlen(q->req.headers[i].name) != q->req.headers[i].name_len)
                rc = -2;
        c->qhead = q->next;
        free_queued(q);
    }
    reset_message(c);
    rn_free(c->hoff);
    rn_free(c);
    return rc;
}
