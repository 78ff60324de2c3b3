/* SPDX-License-Identifier: MIT
 * HTTP/1.1 server on libuv + http_parser. It owns sockets and framing only:
 * each complete request goes to one handler, which answers now or later with
 * rn_http_respond(). Requests on a connection are answered in order
 * (pipelined requests wait), and a connection that closes while its request is
 * parked tells the handler through the cancel callback. An optional head
 * callback sees each request as soon as its headers are complete, so a
 * request can be refused (bad credentials) before its body is buffered. */
#ifndef RN_HTTP_SERVER_H
#define RN_HTTP_SERVER_H
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

struct rn_buf;

typedef struct rn_http_hdr {
    const char *name;   /* lowercased */
    size_t name_len;
    const char *value;
    size_t value_len;
} rn_http_hdr_t;

typedef struct rn_http_req {
    const char *method;  /* static string, "GET" */
    char *url;           /* NUL-terminated */
    size_t url_len;
    const char *path;    /* points into a NUL-terminated copy of the path */
    size_t path_len;
    const char *query;   /* after '?', NUL-terminated, "" when none */
    size_t query_len;
    rn_http_hdr_t *headers;
    size_t nheaders;
    char *body;          /* NUL-terminated */
    size_t body_len;
    int keep_alive;
} rn_http_req_t;

typedef struct rn_http_conn rn_http_conn_t;
typedef struct rn_http_server rn_http_server_t;

/* Called once per complete request. The request is borrowed until
 * rn_http_respond() is called for it. */
typedef void (*rn_http_handler_fn)(rn_http_conn_t *conn, rn_http_req_t *req, void *ud);
/* Called when the connection of a not-yet-answered request goes away; after it
 * returns the handler must not call rn_http_respond() for that request. */
typedef void (*rn_http_cancel_fn)(rn_http_conn_t *conn, void *req_ctx);

/* Called when a request's headers are complete, before its body is read;
 * `head` has no body yet and is borrowed for the call. Return 0 to read the
 * body and hand the request to the handler, or call rn_http_refuse() and
 * return nonzero: the body is not kept (up to 1 MiB of it is read and
 * dropped), the refusal is sent in its turn and the connection closes. */
typedef int (*rn_http_head_fn)(rn_http_conn_t *conn, const rn_http_req_t *head, void *ud);

typedef struct rn_http_limits {
    size_t max_header_bytes;     /* request line + headers; over it: 431, close */
    size_t max_body_bytes;       /* over it: 413, close */
    /* A request's own body limit, decided from its headers (0: max_body_bytes);
     * NULL: max_body_bytes for all. */
    size_t (*body_limit)(const struct rn_http_req *head, void *ud); /* ud: the server's */
    size_t max_conn_buffer;      /* parsed requests queued on one connection
                                    (pipelined behind a parked long poll): over
                                    it the server stops reading that socket
                                    until replies drain the queue below half */
    size_t max_connections;      /* over it a new connection is accepted and
                                    closed at once; 0: no limit */
    unsigned header_timeout_ms;  /* time to receive a complete request */
    unsigned idle_timeout_ms;    /* keep-alive idle */
} rn_http_limits_t;

/* Starts listening. Caller owns *out; free with rn_http_server_close(). */
int rn_http_server_start(uv_loop_t *loop, const char *host, int port, const rn_http_limits_t *lim,
                         rn_http_handler_fn handler, rn_http_cancel_fn cancel, void *ud,
                         rn_http_server_t **out, char *msg, size_t msglen);
/* Sets the head callback (NULL to remove); it gets the server's ud. */
void rn_http_server_set_head_fn(rn_http_server_t *s, rn_http_head_fn fn);
/* Port actually bound (useful with port 0). */
int rn_http_server_port(const rn_http_server_t *s);
/* Stops accepting; idle connections close now, busy ones after their reply.
 * `on_drained` runs once no connection is left. */
void rn_http_server_shutdown(rn_http_server_t *s, void (*on_drained)(void *), void *arg);
/* Frees the server after shutdown drained. */
void rn_http_server_close(rn_http_server_t *s);
/* Number of open connections. */
size_t rn_http_server_nconns(const rn_http_server_t *s);
/* Number of connections closed at accept because max_connections was reached. */
uint64_t rn_http_server_refused(const rn_http_server_t *s);

/* Attaches an opaque context to the pending request, handed to the cancel callback. */
void rn_http_set_ctx(rn_http_conn_t *conn, void *req_ctx);
/* From a head callback only: the response that refuses the request whose
 * headers were just parsed, sent with "Connection: close" once the requests
 * before it are answered. Copies everything; takes ownership of nothing. */
void rn_http_refuse(rn_http_conn_t *conn, int status, const char *content_type, const char *head_extra,
                    const char *body, size_t body_len);
/* Sends the response for the current request. `head_extra` is zero or more
 * "Name: value\r\n" lines. Copies everything it needs; takes ownership of nothing. */
void rn_http_respond(rn_http_conn_t *conn, int status, const char *content_type, const char *head_extra,
                     const char *body, size_t body_len);
/* Peer address as text ("127.0.0.1"). Borrowed; valid while the connection lives. */
const char *rn_http_peer(const rn_http_conn_t *conn);
/* Fuzzing hook: parses bytes as a connection would, without a socket. */
int rn_http_parse_for_test(const char *data, size_t n, size_t max_body);
/* Fuzzing hook: feeds bytes to a socketless connection of a socketless
 * server that runs handler (and head, cancel) as a real one would; every
 * byte the server would write is appended to *out. Runs the loop (NOWAIT)
 * after the bytes so work the handler started can finish, then closes the
 * connection (cancelling a parked request). All arguments are borrowed. */
void rn_http_serve_bytes_for_test(uv_loop_t *loop, const rn_http_limits_t *lim, rn_http_handler_fn handler,
                                  rn_http_cancel_fn cancel, rn_http_head_fn head, void *ud, const char *data,
                                  size_t n, struct rn_buf *out);
#endif
