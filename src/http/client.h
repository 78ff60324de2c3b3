/* SPDX-License-Identifier: MIT
 * A small asynchronous HTTP/1.1 client on the loop, for outbound deliveries
 * (EventBridge API destinations and the OAuth token requests they need). One
 * request per connection (Connection: close), plain http:// only, a timeout
 * covering the whole exchange. Only http/ knows sockets. */
#ifndef RN_HTTP_CLIENT_H
#define RN_HTTP_CLIENT_H
#include <stddef.h>
#include <uv.h>

typedef struct rn_hclient rn_hclient_t;

/* Called once per request: status is the HTTP status, or -1 when no response
 * arrived (err says why: DNS, connect, timeout, unsupported scheme...). body
 * is borrowed for the call. */
typedef void (*rn_hclient_cb)(void *ud, int status, const char *body, size_t len, const char *err);

/* Caller owns the result; free with rn_hclient_free(). */
rn_hclient_t *rn_hclient_new(uv_loop_t *loop);
/* Starts one request. `headers` is "Name: value\r\n" lines (may be NULL);
 * Host, Content-Length and Connection are added. Copies everything it needs.
 * Returns 0 (cb will be called later) or a negative error (cb never called). */
int rn_hclient_request(rn_hclient_t *h, const char *method, const char *url, const char *headers, const char *body,
                       size_t len, int timeout_ms, rn_hclient_cb cb, void *ud);
/* Requests in flight, for stats and tests. */
size_t rn_hclient_inflight(const rn_hclient_t *h);
/* Abandons every request (their callbacks are not called) and frees the
 * client once the loop has closed their handles. */
void rn_hclient_free(rn_hclient_t *h);
#endif
