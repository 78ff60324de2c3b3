/* SPDX-License-Identifier: MIT
 * The REST-JSON codec over a description shaped like Lambda's Invoke and
 * ListFunctions: URI labels (and a greedy one), typed query parameters, a
 * repeated parameter as a list, headers matched in any case, the payload
 * member taking the whole body, and on the way out the status and headers
 * bound to members. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "aws/rest.h"
#include "core/err.h"
#include "core/mem.h"
#include "unit.h"

static const rn_shape_t S_STR = {RN_T_STR}, S_INT = {RN_T_INT}, S_BOOL = {RN_T_BOOL};
static const rn_shape_t L_STR = {RN_T_LIST, .elem = &S_STR};
static const rn_member_t invoke_in[] = {
    RN_AT(URI, "FunctionName", "FunctionName", S_STR),
    RN_AT(HEADER, "InvocationType", "X-Amz-Invocation-Type", S_STR),
    RN_AT(QUERY, "Qualifier", "Qualifier", S_STR),
    RN_AT(PAYLOAD, "Payload", "Payload", S_STR),
    RN_END,
};
static const rn_member_t invoke_out[] = {
    RN_AT(STATUS, "StatusCode", "StatusCode", S_INT),
    RN_AT(HEADER, "FunctionError", "X-Amz-Function-Error", S_STR),
    RN_AT(PAYLOAD, "Payload", "Payload", S_STR),
    RN_END,
};
static const rn_member_t list_in[] = {
    RN_AT(QUERY, "MaxItems", "MaxItems", S_INT),
    RN_AT(QUERY, "Marker", "Marker", S_STR),
    RN_AT(QUERY, "Tags", "tag", L_STR),
    RN_AT(QUERY, "All", "all", S_BOOL),
    RN_END,
};
static const rn_member_t list_out[] = {RN_MEMBER("Functions", L_STR), RN_MEMBER("NextMarker", S_STR), RN_END};
static const rn_member_t file_in[] = {RN_AT(URI, "Bucket", "Bucket", S_STR), RN_AT(URI, "Key", "Key", S_STR),
                                      RN_MEMBER("Note", S_STR), RN_END};
static const rn_op_t ops[] = {
    {"Invoke", invoke_in, invoke_out, "POST", "/2015-03-31/functions/{FunctionName}/invocations", 200},
    {"ListFunctions", list_in, list_out, "GET", "/2015-03-31/functions", 200},
    {"PutFile", file_in, NULL, "PUT", "/files/{Bucket}/{Key+}", 201},
    {NULL, NULL, NULL, NULL, NULL, 0},
};
static const rn_api_t api = {ops, NULL, NULL, NULL};

static char *decode(const char *method, const char *path, const char *query, const aws_hdr_t *hs, size_t nh,
                    const char *body, const char **op_name, int *rc)
{
    json_t *labels = NULL, *in = NULL;
    int bad = 0;
    char msg[256];
    const rn_op_t *op = aws_rest_route(&api, method, path, strlen(path), &labels, &bad);
    *op_name = op ? op->name : NULL;
    if (!op) {
        *rc = bad ? -1 : 0;
        return NULL;
    }
    *rc = aws_rest_decode(op, labels, query, query ? strlen(query) : 0, hs, nh, body, body ? strlen(body) : 0,
                          RN_ERR_SERIALIZATION, &in, msg, sizeof msg);
    json_decref(labels);
    if (*rc < 0)
        return NULL;
    char *s = json_dumps(in, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(in);
    return s;
}

TEST(test_labels_headers_query_and_payload_decode)
{
    aws_hdr_t hs[] = {{"x-amz-invocation-type", 21, "Event", 5}, {"Content-Type", 12, "application/json", 16}};
    const char *op;
    int rc;
    char *in = decode("POST", "/2015-03-31/functions/my%2Dfn/invocations", "Qualifier=%24LATEST", hs, 2,
                      "{\"order\": 1}", &op, &rc);
    CHECK_STR(op, "Invoke");
    CHECK_STR(in, "{\"FunctionName\":\"my-fn\",\"InvocationType\":\"Event\",\"Payload\":\"{\\\"order\\\": 1}\","
                  "\"Qualifier\":\"$LATEST\"}");
    free(in);
}

TEST(test_query_types_and_repeats)
{
    const char *op;
    int rc;
    char *in = decode("GET", "/2015-03-31/functions", "MaxItems=5&tag=a&tag=b+c&all=true&Marker=x&unknown=1", NULL, 0,
                      NULL, &op, &rc);
    CHECK_STR(op, "ListFunctions");
    CHECK_STR(in, "{\"All\":true,\"Marker\":\"x\",\"MaxItems\":5,\"Tags\":[\"a\",\"b c\"]}");
    free(in);
    in = decode("GET", "/2015-03-31/functions", "MaxItems=many", NULL, 0, NULL, &op, &rc);
    CHECK_STR(in, "{\"MaxItems\":\"many\"}"); /* left as text for the service to refuse */
    free(in);
}

TEST(test_greedy_label_and_body_members)
{
    const char *op;
    int rc;
    char *in = decode("PUT", "/files/b1/dir/sub%2Fx/file.txt", NULL, NULL, 0, "{\"Note\":\"n\",\"Other\":2}", &op, &rc);
    CHECK_STR(op, "PutFile");
    CHECK_STR(in, "{\"Bucket\":\"b1\",\"Key\":\"dir/sub/x/file.txt\",\"Note\":\"n\"}");
    free(in);
}

TEST(test_no_route_bad_segment_and_bad_body)
{
    const char *op;
    int rc;
    CHECK(decode("GET", "/2015-03-31/functions/x/invocations", NULL, NULL, 0, NULL, &op, &rc) == NULL);
    CHECK(op == NULL); /* the method does not match */
    CHECK(decode("GET", "/nothing", NULL, NULL, 0, NULL, &op, &rc) == NULL);
    CHECK(decode("PUT", "/files/a%00b/k", NULL, NULL, 0, NULL, &op, &rc) == NULL);
    CHECK_INT(rc, -1); /* a NUL in a segment */
    CHECK(decode("PUT", "/files/a/k", NULL, NULL, 0, "[1]", &op, &rc) == NULL);
    CHECK_INT(rc, RN_ERR_SERIALIZATION);
    CHECK(decode("GET", "/2015-03-31/functions", "Marker=%FF", NULL, 0, NULL, &op, &rc) == NULL);
    CHECK_INT(rc, RN_ERR_SERIALIZATION); /* not UTF-8 */
}

TEST(test_encode_status_headers_and_payload)
{
    json_t *out = json_pack("{s:i,s:s,s:s}", "StatusCode", 202, "FunctionError", "Unhandled", "Payload", "{\"e\":1}");
    rn_buf_t head = {0}, body = {0};
    int status = 0;
    CHECK_INT(aws_rest_encode(&ops[0], out, &status, &head, &body), 0);
    CHECK_INT(status, 202);
    char *h = rn_buf_take(&head, NULL), *b = rn_buf_take(&body, NULL);
    CHECK_STR(h, "X-Amz-Function-Error: Unhandled\r\n");
    CHECK_STR(b, "{\"e\":1}");
    rn_free(h);
    rn_free(b);
    json_decref(out);
    out = json_pack("{s:[s],s:s}", "Functions", "f1", "NextMarker", "m");
    CHECK_INT(aws_rest_encode(&ops[1], out, &status, &head, &body), 0);
    CHECK_INT(status, 200);
    b = rn_buf_take(&body, NULL);
    CHECK_STR(b, "{\"Functions\":[\"f1\"],\"NextMarker\":\"m\"}");
    rn_free(b);
    rn_buf_free(&head);
    json_decref(out);
}

UNIT_MAIN()
