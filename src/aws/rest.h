/* SPDX-License-Identifier: MIT
 * REST-JSON (Lambda, SES v2, Schemas) over a service's API description
 * (core/api.h): a URI-template router, and the bindings of each member to
 * the path, the query string, a header, the JSON body or the whole payload,
 * both ways, with the status of success. Services see one input object keyed
 * by member names and give back one output object. */
#ifndef RN_AWS_REST_H
#define RN_AWS_REST_H
#include <jansson.h>
#include <stddef.h>

#include "aws/sigv4.h"
#include "core/api.h"
#include "core/buf.h"
#include "core/service.h"

/* One REST reply as the protocol layer renders it. */
typedef struct rn_rest_reply {
    int status;
    const char *content_type; /* static string; NULL when there is no body */
    char *head;               /* owned: extra header lines, each ending in "\r\n" */
    char *body;               /* owned (rn_malloc); NULL when there is no body */
    size_t body_len;
} rn_rest_reply_t;

/* Frees a REST reply's head and body; the struct may be reused. */
void rn_rest_reply_free(rn_rest_reply_t *r);

/* The operation of `api` whose method and URI template match; raw_path is the
 * path as sent (percent-encoded, without the query). Each segment is
 * percent-decoded before it is compared or captured. On a match *labels gets
 * an object (caller owns) of label wire name -> decoded text. NULL when
 * nothing matches (*bad set when a segment does not decode: a NUL byte). */
const rn_op_t *aws_rest_route(const rn_api_t *api, const char *method, const char *raw_path, size_t path_len,
                              json_t **labels, int *bad);

/* Builds op's input from the captured labels, the raw query string, the
 * headers and the body: members bound to each place, under their member
 * names; numbers and booleans from text when they parse (else left as text
 * for the service to refuse). Errors (a query that does not decode, a body
 * that is not a JSON object) return bad_request with a message. Caller owns
 * *in. */
int aws_rest_decode(const rn_op_t *op, const json_t *labels, const char *query, size_t qlen, const aws_hdr_t *hs,
                    size_t nh, const char *body, size_t len, int bad_request, json_t **in, char *msg,
                    size_t msglen);

/* Renders op's output: *status (the op's, or a status member), header lines
 * into head ("Name: value\r\n"), and the body (JSON of the body members, the
 * payload member as it is, or nothing). An op without an output description
 * sends out itself as the body. Returns 0 or RN_ERR_NOMEM. */
int aws_rest_encode(const rn_op_t *op, const json_t *out, int *status, rn_buf_t *head, rn_buf_t *body);
/* Renders an error reply in the service's style: status from the row,
 * x-amzn-RequestId and x-amzn-ErrorType headers, the JSON body (with the
 * members of fields, when not NULL, added). Caller owns
 * r's contents (rn_rest_reply_free). */
void aws_rest_error(const rn_service_t *svc, int err, const char *msg, const json_t *fields, const char *request_id,
                    rn_rest_reply_t *r);
/* Renders op's result (aws_rest_encode) as a reply. */
void aws_rest_reply(const rn_service_t *svc, const rn_op_t *op, const json_t *out, const char *request_id,
                    rn_rest_reply_t *r);

/* One whole request, synchronously (tests and fuzz targets): route, decode
 * into c, svc->call on inst (a call that parks is cancelled). Returns 0 with
 * c->out, or c->err with its message; *op is the route (NULL when none). The
 * caller owns c->in and c->out. */
int aws_rest_run(const rn_service_t *svc, void *inst, const char *method, const char *path, const char *query,
                 const char *body, size_t len, rn_call_t *c, const rn_op_t **op);
/* aws_rest_run on a scratch call, rendered as the reply. */
void aws_rest_handle(const rn_service_t *svc, void *inst, const char *method, const char *path, const char *query,
                     const char *body, size_t len, const char *request_id, rn_rest_reply_t *r);
#endif
