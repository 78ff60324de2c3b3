/* SPDX-License-Identifier: MIT
 * One AWS API call as the services see it: an operation name, its input as a
 * JSON object (whatever the wire protocol was; the query protocol is converted
 * to the JSON protocol's shape first), and either an output object or an error.
 * Services know nothing of HTTP; the protocol layer owns encoding. */
#ifndef RN_CALL_H
#define RN_CALL_H
#include <jansson.h>
#include <stdint.h>

enum { RN_PROTO_JSON = 1, RN_PROTO_QUERY = 2 };

typedef struct rn_call rn_call_t;
typedef void (*rn_call_fn)(rn_call_t *c);

struct rn_call {
    int proto;              /* RN_PROTO_* the request came in on */
    const char *service;    /* "sqs", static string */
    char op[64];            /* "SendMessage" */
    json_t *in;             /* owned: decoded input object */
    json_t *out;            /* owned: result object, set by the service */
    int err;                /* 0 or RN_ERR_* */
    char msg[1024];         /* error message when err != 0 */
    char *msg_long;         /* owned, or NULL: a message longer than msg holds
                             * (AWS echoes a whole request in some); read the
                             * message with rn_call_msg() */
    char request_id[37];
    char host[256];         /* Host header, used to build queue URLs */
    char path[512];         /* request path without the query string */
    char access_key[130];   /* from SigV4 credentials, "" when absent */
    /* Completion, set by the HTTP layer: called once when the call finishes
     * asynchronously (long polls, durability barriers). */
    rn_call_fn done;
    void *owner;
    /* Set by a service that parks the call (long poll); the HTTP layer calls
     * it if the client disconnects first, and the service must then forget the
     * call without calling done. */
    rn_call_fn cancel;
    void *svc_data;
};

/* Records an error on the call and returns err, so handlers can
 * `return rn_call_fail(c, RN_ERR_X, "...")`. */
int rn_call_fail(rn_call_t *c, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* As rn_call_fail, for a message of any length; takes ownership of text
 * (from rn_malloc). msg keeps its first 1023 bytes. The call's owner frees
 * msg_long with rn_call_clear_msg(). */
int rn_call_fail_long(rn_call_t *c, int err, char *text);

/* The error message: msg_long when set, else msg. Borrowed. */
static inline const char *rn_call_msg(const rn_call_t *c)
{
    return c->msg_long ? c->msg_long : c->msg;
}

/* Frees msg_long, if any. */
void rn_call_clear_msg(rn_call_t *c);
#endif
