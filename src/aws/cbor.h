/* SPDX-License-Identifier: MIT
 * smithy-rpc-v2-cbor (CloudWatch for the Java SDK 2.40.6 and later):
 * POST /service/<ServiceShape>/operation/<Operation> with the header
 * "smithy-protocol: rpc-v2-cbor", CBOR bodies both ways (Debian's libcbor).
 * The codec turns a CBOR map into the operation's input object and the
 * output object back into CBOR, reading the API description for the types
 * JSON cannot tell apart: blobs travel as CBOR byte strings (base64 text to
 * the service, as on every other protocol) and timestamps as tag 1 (epoch
 * seconds). */
#ifndef RN_AWS_CBOR_H
#define RN_AWS_CBOR_H
#include <jansson.h>
#include <stddef.h>

#include "core/api.h"
#include "core/buf.h"

/* Splits "/service/<svc>/operation/<op>" into svc and op: 1, or 0 when the
 * path has another form or a part does not fit. */
int aws_cbor_path(const char *path, char *svc, size_t svc_len, char *op, size_t op_len);

/* Decodes body[0..len) (empty: {}) into *in (caller owns): a CBOR map with
 * text keys; byte strings become base64 text, tag 1 a number, other tags
 * their content; nesting deeper than 64 and trailing bytes are refused.
 * members (op->in, or NULL) is not needed to decode: CBOR carries its types.
 * Errors: RN_ERR_SERIALIZATION with a message; RN_ERR_NOMEM. */
int aws_cbor_decode(const char *body, size_t len, json_t **in, char *msg, size_t msglen);

/* Appends out as CBOR to b, shaped by members (an op's output description,
 * or NULL: every value by its JSON type): RN_T_BLOB members (base64 text) as
 * byte strings, RN_T_TIME members (epoch seconds) as tag 1. Returns 0 or
 * RN_ERR_NOMEM. */
int aws_cbor_encode(const rn_member_t *members, const json_t *out, rn_buf_t *b);

/* Appends the error body {"__type": type, "message": message} as CBOR. */
int aws_cbor_error(const char *type, const char *message, rn_buf_t *b);
#endif
