/* SPDX-License-Identifier: MIT
 * Routes an HTTP request to a service call the way AWS does (X-Amz-Target for
 * the JSON protocols, the REST path, the SigV4 scope's service for the query
 * protocol), checks SigV4, runs the call, waits for its writes to be durable,
 * and encodes the result or error for the protocol the request came in on.
 * It knows services only through their table entries (core/service.h). */
#ifndef RN_DISPATCH_H
#define RN_DISPATCH_H
#include <stdint.h>
#include <uv.h>

#include "aws/authfile.h"
#include "core/config.h"
#include "core/instances.h"
#include "core/service.h"
#include "core/sink.h"
#include "http/server.h"
#include "store/store.h"

/* The server's parts, as the dispatcher sees them: the services (a table and
 * one instance per entry, in the same order) and what they share. */
typedef struct rn_app {
    uv_loop_t *loop;
    const rn_config_t *cfg;
    rn_store_t *store;
    rn_sinks_t *sinks;
    rn_runtime_host_t runtime;           /* the Lambda Runtime API's endpoints */
    const rn_service_t *const *services; /* NULL-terminated table */
    size_t nservices;
    rn_instances_t *instances;           /* each service's instance per partition */
    aws_authfile_t *auth;   /* NULL: any well-formed credentials accepted */
    rn_http_server_t *http;
    int64_t started_ms;
    uint64_t requests;
} rn_app_t;

/* The rn_http_handler_fn for the server; ud is the rn_app_t. */
void rn_dispatch_request(rn_http_conn_t *conn, rn_http_req_t *req, void *ud);
/* The rn_http_head_fn for the server; ud is the rn_app_t. With an access-key
 * file it refuses, before the body is buffered, a request whose credentials are
 * missing, malformed, wrongly scoped, expired or of an unknown key. */
int rn_dispatch_head(rn_http_conn_t *conn, const rn_http_req_t *head, void *ud);
/* Frees the cached request contexts (at exit, after the server is closed). */
void rn_dispatch_shutdown(void);
/* The body limit of a request by its route (rn_http_limits_t.body_limit; ud
 * is the app): what its service says (rn_service_t.body_limit), 0 (the
 * server's) for the rest. */
size_t rn_dispatch_body_limit(const rn_http_req_t *head, void *ud);
/* The rn_http_cancel_fn for the server. */
void rn_dispatch_cancel(rn_http_conn_t *conn, void *req_ctx);
#endif
