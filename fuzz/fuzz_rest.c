/* SPDX-License-Identifier: MIT
 * libFuzzer target for the REST-JSON codec: the input is "METHOD PATH?QUERY"
 * then a newline and a body; it is routed against Schemas' description and
 * a Lambda-like one (payload, headers, a greedy label, typed query), decoded,
 * and the decoded input is encoded back as the operation's output. None of it
 * may crash, leak or trip the sanitizers. */
#include <stdint.h>
#include <string.h>

#include <jansson.h>

#include "aws/rest.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/mem.h"
#include "schemas/schemas.h"

static const rn_shape_t S_STR = {RN_T_STR}, S_INT = {RN_T_INT}, S_BOOL = {RN_T_BOOL};
static const rn_shape_t L_STR = {RN_T_LIST, .elem = &S_STR};
static const rn_member_t invoke_in[] = {
    RN_AT(URI, "FunctionName", "FunctionName", S_STR), RN_AT(HEADER, "InvocationType", "X-Amz-Invocation-Type", S_STR),
    RN_AT(QUERY, "Qualifier", "Qualifier", S_STR),     RN_AT(PAYLOAD, "Payload", "Payload", S_STR),
    RN_END,
};
static const rn_member_t invoke_out[] = {
    RN_AT(STATUS, "StatusCode", "StatusCode", S_INT), RN_AT(HEADER, "InvocationType", "X-Amz-Invocation-Type", S_STR),
    RN_AT(PAYLOAD, "Payload", "Payload", S_STR),      RN_END,
};
static const rn_member_t list_in[] = {RN_AT(QUERY, "MaxItems", "MaxItems", S_INT), RN_AT(QUERY, "Tags", "tag", L_STR),
                                      RN_AT(QUERY, "All", "all", S_BOOL), RN_AT(URI, "Key", "Key", S_STR),
                                      RN_MEMBER("Note", S_STR), RN_END};
static const rn_op_t ops[] = {
    {"Invoke", invoke_in, invoke_out, "POST", "/2015-03-31/functions/{FunctionName}/invocations", 200},
    {"List", list_in, list_in, "GET", "/files/{Key+}", 200},
    {NULL, NULL, NULL, NULL, NULL, 0},
};
static const rn_api_t lambda_like = {ops, NULL, NULL, NULL};

static void one(const rn_api_t *api, const char *method, const char *path, size_t plen, const char *query,
                size_t qlen, const char *body, size_t blen)
{
    json_t *labels = NULL, *in = NULL;
    int bad = 0;
    char msg[512];
    const rn_op_t *op = aws_rest_route(api, method, path, plen, &labels, &bad);
    if (!op)
        return;
    aws_hdr_t hs[] = {{"x-amz-invocation-type", 21, "Event", 5}};
    if (aws_rest_decode(op, labels, query, qlen, hs, 1, body, blen, RN_ERR_SERIALIZATION, &in, msg, sizeof msg) ==
        0) {
        rn_buf_t head = {0}, out = {0};
        int status;
        aws_rest_encode(op, in, &status, &head, &out);
        rn_buf_free(&head);
        rn_buf_free(&out);
        json_decref(in);
    }
    json_decref(labels);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data, *nl = memchr(s, '\n', size);
    size_t line = nl ? (size_t)(nl - s) : size;
    const char *sp = memchr(s, ' ', line);
    if (!sp || (size_t)(sp - s) >= 16)
        return 0;
    char method[16];
    memcpy(method, s, (size_t)(sp - s));
    method[sp - s] = '\0';
    const char *path = sp + 1, *end = s + line;
    const char *qm = memchr(path, '?', (size_t)(end - path));
    size_t plen = qm ? (size_t)(qm - path) : (size_t)(end - path);
    const char *query = qm ? qm + 1 : NULL;
    size_t qlen = qm ? (size_t)(end - qm - 1) : 0;
    const char *body = nl ? nl + 1 : NULL;
    size_t blen = nl ? size - line - 1 : 0;
    char *p = rn_strndup(path, plen); /* the router reads up to plen; give it its own copy */
    if (!p)
        return 0;
    one(&schemas_api, method, p, plen, query, qlen, body, blen);
    one(&lambda_like, method, p, plen, query, qlen, body, blen);
    rn_free(p);
    return 0;
}
