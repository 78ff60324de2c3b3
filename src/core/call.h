/* SPDX-License-Identifier: MIT
 * One AWS API call as the services see it: an operation name, its input as a
 * JSON object in the shape of the service's API description (whatever the wire
 * protocol was), who made it and where (account, region, the endpoint the
 * client reached), and either an output object or an error. Nothing here is
 * HTTP or a wire format: the protocol layer (aws/) decodes into a call and
 * encodes its result. */
#ifndef RN_CALL_H
#define RN_CALL_H
#include <jansson.h>
#include <stdint.h>

typedef struct rn_call rn_call_t;
typedef void (*rn_call_fn)(rn_call_t *c);

struct rn_call {
    const char *service;    /* the service's name ("sqs"), static string */
    char op[64];            /* "SendMessage" */
    json_t *in;             /* owned: decoded input object */
    json_t *out;            /* owned: result object, set by the service */
    int err;                /* 0 or RN_ERR_* */
    char msg[1024];         /* error message when err != 0 */
    char *msg_long;         /* owned, or NULL: a message longer than msg holds
                             * (AWS echoes a whole request in some); read the
                             * message with rn_call_msg() */
    json_t *err_fields;     /* owned, or NULL: members the error's body carries
                             * besides the message (Lambda's throttling Reason) */
    char request_id[37];
    char endpoint[280];     /* "http://host:port" as the client addressed the
                             * server, for URLs a service hands back (queue
                             * URLs); "" when unknown */
    char principal[130];    /* the caller's access key id, "" when unsigned */
    char account[16];       /* 12-digit account the call acts in */
    char region[64];        /* region the call acts in ("us-east-1") */
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

/* Frees msg_long and err_fields, if any. */
void rn_call_clear_msg(rn_call_t *c);
#endif
