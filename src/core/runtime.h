/* SPDX-License-Identifier: MIT
 * The Lambda Runtime API (2018-06-01) as a service sees it, with no HTTP: a
 * service asks the host for an endpoint per function instance (its own
 * address, which the instance finds in AWS_LAMBDA_RUNTIME_API), and the host
 * turns each request the instance makes there into a message: "next" (the
 * instance waits for work), a response or an error for one invocation, or an
 * init error. The service answers each message through the host, at once or
 * later (a "next" is parked until an invocation comes). The host
 * (aws/runtime_api.c) owns the endpoints and the parked requests; the
 * service owns what it passes in. */
#ifndef RN_RUNTIME_H
#define RN_RUNTIME_H
#include <stddef.h>
#include <stdint.h>

typedef struct rn_runtime_ep rn_runtime_ep_t;   /* one instance's endpoint */
typedef struct rn_runtime_req rn_runtime_req_t; /* one request, until answered */

enum {
    RN_RT_NEXT,       /* GET  /2018-06-01/runtime/invocation/next */
    RN_RT_RESPONSE,   /* POST /2018-06-01/runtime/invocation/{id}/response */
    RN_RT_ERROR,      /* POST /2018-06-01/runtime/invocation/{id}/error */
    RN_RT_INIT_ERROR, /* POST /2018-06-01/runtime/init/error */
};

typedef struct rn_runtime_msg {
    int kind;               /* RN_RT_* */
    const char *request_id; /* RESPONSE, ERROR: the id in the path */
    const char *body;       /* RESPONSE, ERROR, INIT_ERROR: the body (NUL-terminated) */
    size_t len;
    const char *error_type; /* ERROR, INIT_ERROR: Lambda-Runtime-Function-Error-Type, or NULL */
} rn_runtime_msg_t;

/* One invocation handed to a waiting "next". All borrowed for the call. */
typedef struct rn_runtime_invocation {
    const char *request_id;
    int64_t deadline_ms;          /* epoch ms */
    const char *function_arn;     /* the ARN the caller invoked (with its qualifier) */
    const char *trace_id;
    const char *client_context;   /* JSON text, or NULL */
    const char *cognito_identity; /* JSON text, or NULL */
    const char *payload;
    size_t len;
} rn_runtime_invocation_t;

/* Called for each request; the service must answer r once, with reply() or
 * (a NEXT) invoke(), now or later. */
typedef void (*rn_runtime_msg_fn)(void *ud, rn_runtime_req_t *r, const rn_runtime_msg_t *m);
/* The connection of an unanswered request went away: forget r. */
typedef void (*rn_runtime_gone_fn)(void *ud, rn_runtime_req_t *r);

typedef struct rn_runtime_host {
    void *host;
    /* The server's own address ("http://127.0.0.1:4566"), for the SDKs
     * inside a function; set once the server listens. */
    char endpoint[300];
    /* Opens an endpoint; addr gets "127.0.0.1:PORT". 0, or -1 with msg. */
    int (*open)(void *host, rn_runtime_msg_fn on_msg, rn_runtime_gone_fn on_gone, void *ud,
                rn_runtime_ep_t **out, char *addr, size_t addrlen, char *msg, size_t msglen);
    /* Closes it: parked requests are dropped without another callback. */
    void (*close)(rn_runtime_ep_t *ep);
    /* Answers a request with a status and a JSON body (202 {"status":"OK"};
     * 400/403/413/500 {"errorMessage", "errorType"}). */
    void (*reply)(rn_runtime_req_t *r, int status, const char *json);
    /* Answers a NEXT with an invocation. */
    void (*invoke)(rn_runtime_req_t *r, const rn_runtime_invocation_t *inv);
} rn_runtime_host_t;
#endif
