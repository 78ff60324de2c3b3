/* SPDX-License-Identifier: MIT
 * HTTP/1.1 connections on libuv with http_parser. Bytes are parsed as they
 * arrive; each complete request is queued on its connection, and only the head
 * of that queue is handed to the handler, so pipelined requests are answered
 * in order while parsing carries on. A sweep timer enforces request and idle
 * timeouts without a timer per connection. Limits: header bytes (431), body
 * bytes (413), bytes queued per connection (reading pauses) and open
 * connections (new ones are closed at accept). */
#include "http/server.h"

#include <http_parser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/log.h"
#include "core/mem.h"

#define MAX_QUEUED 32
/* A refused request's body up to this size is read and dropped (not kept)
 * before the refusal goes out: closing with unread bytes makes the kernel
 * send a reset, and the client would lose the error (botocore's clock-skew
 * retry needs to read "Signature expired"). A larger body is not read. */
#define REFUSED_BODY_DRAIN (1024 * 1024)

typedef struct hdr_off {
    size_t name_off, name_len, value_off, value_len;
} hdr_off_t;

typedef struct queued_req {
    struct queued_req *next;
    rn_http_req_t req;
    char *hstore;   /* owned header bytes */
    char *pathbuf;  /* owned copy of the path */
    char *canned;   /* owned: a refusal to send instead of calling the handler */
    size_t canned_len;
    size_t bytes;   /* counted in the connection's queued_bytes */
    size_t max_body; /* this request's body limit */
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
    size_t head_bytes;       /* request line + headers so far */
    int head_too_big;        /* over max_header_bytes: answer 431 */
    queued_req_t *cur;       /* built at headers-complete, queued at message end */
    /* parsed requests, head is the one being handled */
    queued_req_t *qhead, *qtail;
    size_t qlen;
    size_t queued_bytes;
    int head_dispatched;
    void *req_ctx;
    int reading;
    int closing;
    int close_after_write;
    size_t writes_pending;
    uint64_t last_active_ms;
    struct rn_buf *sink;     /* socketless test connection: writes go here */
    char peer[64];
};

struct rn_http_server {
    uv_loop_t *loop;
    uv_tcp_t listener;
    uv_timer_t sweep;
    rn_http_limits_t lim;
    rn_http_handler_fn handler;
    rn_http_cancel_fn cancel;
    rn_http_head_fn head;
    void *ud;
    uint64_t refused;
    int refusing;            /* warned about max_connections, not yet below it */
    rn_http_conn_t *conns;
    size_t nconns;
    size_t nclosing; /* connection handles whose close has not completed */
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

static void free_queued(queued_req_t *q)
{
    if (!q)
        return;
    rn_free(q->req.url);
    rn_free(q->req.headers);
    rn_free(q->req.body);
    rn_free(q->hstore);
    rn_free(q->pathbuf);
    rn_free(q->canned);
    rn_free(q);
}

static void reset_message(rn_http_conn_t *c)
{
    rn_buf_free(&c->url);
    rn_buf_free(&c->hbuf);
    rn_buf_free(&c->body);
    free_queued(c->cur);
    c->cur = NULL;
    c->nhoff = 0;
    c->last_was_value = 0;
    c->in_message = 0;
    c->head_bytes = 0;
}

/* Counts request-line and header bytes against max_header_bytes; the
 * parser's own cap (HTTP_MAX_HEADER_SIZE) only applies past 80 KB. */
static int head_add(rn_http_conn_t *c, size_t n)
{
    c->head_bytes += n;
    if (c->srv->lim.max_header_bytes && c->head_bytes > c->srv->lim.max_header_bytes) {
        c->head_too_big = 1;
        return -1;
    }
    return 0;
}

static void conn_read_stop(rn_http_conn_t *c)
{
    if (c->reading && !c->sink)
        uv_read_stop((uv_stream_t *)&c->tcp);
    c->reading = 0;
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
    if (head_add(c, n) < 0 || c->url.len + n > 16384)
        return -1;
    rn_buf_add(&c->url, at, n);
    return c->url.oom ? -1 : 0;
}

static int on_header_field(http_parser *p, const char *at, size_t n)
{
    rn_http_conn_t *c = p->data;
    if (head_add(c, n) < 0)
        return -1;
    if (c->last_was_value || c->nhoff == 0) {
        if (c->last_was_value)
            rn_buf_add(&c->hbuf, "", 1); /* NUL after the previous value */
        if (c->nhoff == c->caphoff) {
            size_t cap = c->caphoff ? c->caphoff * 2 : 16;
            if (cap > 256) {
                c->head_too_big = 1;
                return -1;
            }
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
    if (c->nhoff == 0 || head_add(c, n) < 0)
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

/* Builds the queued request from the parsed head (everything but the body),
 * so the head callback can see it before the body arrives. */
static queued_req_t *head_build(rn_http_conn_t *c, http_parser *p)
{
    queued_req_t *q = rn_calloc(1, sizeof *q);
    if (!q)
        return NULL;
    rn_http_req_t *r = &q->req;
    r->method = http_method_str((enum http_method)p->method);
    if (!c->url.data)
        rn_buf_add(&c->url, "/", 1);
    r->url = rn_buf_take(&c->url, &r->url_len);
    size_t hlen = 0;
    q->hstore = rn_buf_take(&c->hbuf, &hlen);
    r->nheaders = c->nhoff;
    r->headers = rn_calloc(c->nhoff ? c->nhoff : 1, sizeof *r->headers);
    if (!r->url || !r->headers || (c->nhoff && !q->hstore)) {
        free_queued(q);
        return NULL;
    }
    for (size_t i = 0; i < c->nhoff; i++) {
        r->headers[i] = (rn_http_hdr_t){q->hstore + c->hoff[i].name_off, c->hoff[i].name_len,
                                        c->hoff[i].value_len ? q->hstore + c->hoff[i].value_off : "",
                                        c->hoff[i].value_len};
    }
    const char *qm = memchr(r->url, '?', r->url_len);
    size_t plen = qm ? (size_t)(qm - r->url) : r->url_len;
    q->pathbuf = rn_strndup(r->url, plen);
    if (!q->pathbuf) {
        free_queued(q);
        return NULL;
    }
    r->path = q->pathbuf;
    r->path_len = plen;
    r->query = qm ? qm + 1 : "";
    r->query_len = qm ? r->url_len - plen - 1 : 0;
    q->bytes = r->url_len + hlen;
    return q;
}

static void queue_push(rn_http_conn_t *c, queued_req_t *q)
{
    if (c->qtail)
        c->qtail->next = q;
    else
        c->qhead = q;
    c->qtail = q;
    c->qlen++;
    c->queued_bytes += q->bytes;
}

static int on_headers_complete(http_parser *p)
{
    rn_http_conn_t *c = p->data;
    if (c->last_was_value)
        rn_buf_add(&c->hbuf, "", 1);
    if (c->hbuf.oom)
        return -1;
    c->cur = head_build(c, p);
    if (!c->cur)
        return -1;
    c->cur->req.keep_alive = http_should_keep_alive(p);
    if (c->srv->head && c->srv->head(c, &c->cur->req, c->srv->ud) != 0 && c->cur->canned) {
        /* Refused: the refusal takes the request's place; its body is never
         * kept, and past REFUSED_BODY_DRAIN never read. */
        c->cur->req.keep_alive = 0;
        if (p->content_length != ULLONG_MAX && p->content_length <= REFUSED_BODY_DRAIN)
            return 0; /* drained by on_body, queued by on_message_complete */
        queued_req_t *q = c->cur;
        c->cur = NULL;
        queue_push(c, q);
        return -1;
    }
    /* after the credentials: an unsigned oversized request gets the 403 */
    size_t limit = c->srv->lim.body_limit ? c->srv->lim.body_limit(&c->cur->req, c->srv->ud) : 0;
    c->cur->max_body = limit ? limit : c->srv->lim.max_body_bytes;
    if (p->content_length != ULLONG_MAX && p->content_length > c->cur->max_body)
        return -1;
    return 0;
}

static int on_body(http_parser *p, const char *at, size_t n)
{
    rn_http_conn_t *c = p->data;
    if (c->cur && c->cur->canned)
        return 0;
    if (c->body.len + n > (c->cur && c->cur->max_body ? c->cur->max_body : c->srv->lim.max_body_bytes))
        return -1;
    rn_buf_add(&c->body, at, n);
    return c->body.oom ? -1 : 0;
}

static int on_message_complete(http_parser *p)
{
    rn_http_conn_t *c = p->data;
    queued_req_t *q = c->cur;
    if (!q)
        return -1;
    if (q->canned) { /* a refused request's body is drained: answer, read no more */
        c->cur = NULL;
        queue_push(c, q);
        return -1;
    }
    rn_http_req_t *r = &q->req;
    if (!c->body.data)
        rn_buf_add(&c->body, "", 0);
    r->body = rn_buf_take(&c->body, &r->body_len);
    if (!r->body)
        return -1;
    q->bytes += r->body_len;
    c->cur = NULL;
    reset_message(c);
    queue_push(c, q);
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
    if (c->sink) {
        rn_buf_add(c->sink, data, len);
        rn_free(data);
        if (c->close_after_write)
            conn_close(c);
        return;
    }
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
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 412: return "Precondition Failed";
    case 413: return "Payload Too Large";
    case 429: return "Too Many Requests";
    case 415: return "Unsupported Media Type";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    default: return "Status";
    }
}

/* The response bytes. Caller owns the result; free with rn_free(). NULL
 * when out of memory. */
static char *response_render(int status, const char *ctype, const char *extra, const char *body, size_t len,
                             int keep_alive, size_t *n)
{
    rn_buf_t b = {0};
    rn_buf_printf(&b, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%s%s\r\n", status,
                  reason(status), ctype, len, keep_alive ? "" : "Connection: close\r\n", extra ? extra : "");
    rn_buf_add(&b, body, len);
    if (b.oom) {
        rn_buf_free(&b);
        return NULL;
    }
    return rn_buf_take(&b, n);
}

static void send_response(rn_http_conn_t *c, int status, const char *ctype, const char *extra,
                          const char *body, size_t len, int keep_alive)
{
    size_t n;
    char *data = response_render(status, ctype, extra, body, len, keep_alive, &n);
    if (!data) {
        conn_close(c);
        return;
    }
    if (!keep_alive)
        c->close_after_write = 1;
    send_raw(c, data, n);
}

void rn_http_refuse(rn_http_conn_t *c, int status, const char *ctype, const char *extra, const char *body,
                    size_t len)
{
    if (!c->cur || c->cur->canned)
        return;
    c->cur->canned = response_render(status, ctype, extra, body, len, 0, &c->cur->canned_len);
}

/* Parses bytes that arrived on the connection and starts the next request.
 * A malformed or oversized request is answered (400, 413, 431) after the
 * requests before it, then the connection closes. */
static void conn_feed(rn_http_conn_t *c, const char *data, size_t len)
{
    c->last_active_ms = now_ms(c->srv);
    size_t had = c->qlen;
    size_t n = http_parser_execute(&c->parser, &settings, data, len);
    enum http_errno e = HTTP_PARSER_ERRNO(&c->parser);
    if (e != HPE_OK || n != len) {
        conn_read_stop(c);
        int refused = c->qlen > had && c->qtail->canned;
        if (refused) {
            /* the refusal is queued; nothing else to say */
        } else if (c->head_too_big || e == HPE_HEADER_OVERFLOW) {
            static const char msg[] = "{\"message\":\"Request header fields too large\"}";
            if (c->qlen == 0)
                send_response(c, 431, "application/json", NULL, msg, sizeof msg - 1, 0);
            else
                c->qtail->req.keep_alive = 0;
        } else if (c->qlen == 0) {
            int too_big = c->body.len > 0 || e == HPE_CB_headers_complete || e == HPE_CB_body;
            const char *msg = too_big ? "{\"message\":\"Request entity too large\"}"
                                      : "{\"message\":\"Malformed HTTP request\"}";
            send_response(c, too_big ? 413 : 400, "application/json", NULL, msg, strlen(msg), 0);
        } else {
            /* answer what was parsed, then close */
            c->qtail->req.keep_alive = 0;
        }
        if (c->qlen > had && !c->head_dispatched)
            conn_dispatch_next(c);
        return;
    }
    /* Pipelined requests queue behind the one being handled (a parked long
     * poll can hold the head for 20 s): past the count or byte bound, stop
     * reading and let TCP push back on the client. */
    if (c->qlen >= MAX_QUEUED || c->queued_bytes > c->srv->lim.max_conn_buffer)
        conn_read_stop(c);
    if (c->qlen > had && !c->head_dispatched)
        conn_dispatch_next(c);
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
    conn_feed(c, buf->base, (size_t)nread);
}

/* Takes the head request off the queue. Caller owns the result; free with
 * free_queued(). */
static queued_req_t *queue_pop(rn_http_conn_t *c)
{
    queued_req_t *q = c->qhead;
    c->qhead = q->next;
    if (!c->qhead)
        c->qtail = NULL;
    c->qlen--;
    c->queued_bytes -= q->bytes;
    return q;
}

static void conn_dispatch_next(rn_http_conn_t *c)
{
    /* refusals go out without the handler, in their turn */
    while (!c->closing && !c->head_dispatched && c->qhead && c->qhead->canned) {
        queued_req_t *q = queue_pop(c);
        char *data = q->canned;
        q->canned = NULL;
        c->close_after_write = 1;
        send_raw(c, data, q->canned_len);
        free_queued(q);
    }
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
    queue_pop(c);
    c->head_dispatched = 0;
    c->req_ctx = NULL;
    send_response(c, status, ctype, extra, body, len, keep);
    free_queued(q);
    if (c->closing)
        return;
    if (!keep) {
        conn_read_stop(c);
        return;
    }
    if (!c->reading && !c->sink && c->qlen < MAX_QUEUED / 2 && c->queued_bytes <= c->srv->lim.max_conn_buffer / 2 &&
        c->parser.http_errno == HPE_OK) {
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
    s->nclosing--;
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
    c->queued_bytes = 0;
    reset_message(c);
    if (c->sink) /* socketless test connection: its owner frees it */
        return;
    if (c->prev)
        c->prev->next = c->next;
    else
        s->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    s->nconns--;
    s->nclosing++;
    uv_close((uv_handle_t *)&c->tcp, on_conn_closed);
}

static void on_refused_closed(uv_handle_t *h)
{
    rn_free(h);
}

/* Over max_connections: accept (so the backlog does not fill and stall the
 * listener) and close at once; the connections already open are untouched. */
static void refuse_connection(rn_http_server_t *s, uv_stream_t *server)
{
    uv_tcp_t *t = rn_malloc(sizeof *t);
    if (!t)
        return;
    uv_tcp_init(s->loop, t);
    if (uv_accept(server, (uv_stream_t *)t) == 0) {
        s->refused++;
        if (!s->refusing)
            RN_WARN("http: %zu connections open (--max-connections): closing new ones until some close",
                    s->nconns);
        s->refusing = 1;
    }
    uv_close((uv_handle_t *)t, on_refused_closed);
}

static void on_connection(uv_stream_t *server, int status)
{
    rn_http_server_t *s = server->data;
    if (status < 0 || s->shutting_down)
        return;
    if (s->lim.max_connections && s->nconns >= s->lim.max_connections) {
        refuse_connection(s, server);
        return;
    }
    if (s->refusing && s->nconns < s->lim.max_connections * 9 / 10)
        s->refusing = 0;
    rn_http_conn_t *c = rn_calloc(1, sizeof *c);
    if (!c)
        return;
    c->srv = s;
    uv_tcp_init(s->loop, &c->tcp);
    c->tcp.data = c;
    if (uv_accept(server, (uv_stream_t *)&c->tcp) < 0) {
        c->closing = 1;
        s->nclosing++;
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

uint64_t rn_http_server_refused(const rn_http_server_t *s)
{
    return s->refused;
}

void rn_http_server_set_head_fn(rn_http_server_t *s, rn_http_head_fn fn)
{
    s->head = fn;
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
    if (s->shutting_down && s->nconns == 0 && s->nclosing == 0 && s->listener_closed && s->sweep_closed && s->on_drained) {
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

/* Test hook for the dispatcher fuzzer: one socketless connection on a
 * socketless server; see server.h. */
void rn_http_serve_bytes_for_test(uv_loop_t *loop, const rn_http_limits_t *lim, rn_http_handler_fn handler,
                                  rn_http_cancel_fn cancel, rn_http_head_fn head, void *ud, const char *data,
                                  size_t n, rn_buf_t *out)
{
    rn_http_server_t srv = {0};
    srv.loop = loop;
    srv.lim = *lim;
    srv.handler = handler;
    srv.cancel = cancel;
    srv.head = head;
    srv.ud = ud;
    settings_init();
    rn_http_conn_t *c = rn_calloc(1, sizeof *c);
    if (!c)
        return;
    c->srv = &srv;
    c->sink = out;
    snprintf(c->peer, sizeof c->peer, "127.0.0.1");
    http_parser_init(&c->parser, HTTP_REQUEST);
    c->parser.data = c;
    c->reading = 1;
    conn_feed(c, data, n);
    uv_run(loop, UV_RUN_NOWAIT);
    conn_close(c);
    rn_free(c->hoff);
    rn_free(c);
}
