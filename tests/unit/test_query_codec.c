/* SPDX-License-Identifier: MIT
 * The query codec over a description it has never seen (not SQS's): wrapped
 * lists (Name.member.N, <Name><member/></Name>), wrapped maps with default
 * entry names (Name.entry.N.key, <entry><key/><value/></entry>), booleans,
 * lists of structures, and the namespace the description names. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "aws/form.h"
#include "aws/query.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/mem.h"
#include "unit.h"

static const rn_shape_t S_STR = {RN_T_STR}, S_BOOL = {RN_T_BOOL}, S_INT = {RN_T_INT};
static const rn_shape_t L_STR = {RN_T_LIST, .elem = &S_STR};
static const rn_member_t tag_m[] = {RN_MEMBER("Key", S_STR), RN_MEMBER("Value", S_STR), RN_END};
static const rn_shape_t T_TAG = {RN_T_STRUCT, tag_m};
static const rn_shape_t L_TAG = {RN_T_LIST, .elem = &T_TAG};
static const rn_shape_t M_STR = {RN_T_MAP, .elem = &S_STR};
static const rn_member_t thing_in[] = {
    RN_MEMBER("Name", S_STR),  RN_MEMBER("Arns", L_STR),   RN_MEMBER("Tags", L_TAG),
    RN_MEMBER("Attrs", M_STR), RN_MEMBER("Quiet", S_BOOL), RN_MEMBER("Count", S_INT),
    RN_END,
};
static const rn_op_t ops[] = {{"PutThing", thing_in, thing_in}, {NULL, NULL, NULL}};
static const rn_api_t api = {ops, "https://example.test/doc/2020-01-01/", NULL, "No {} here"};

static char *decode(const char *form, int *rc)
{
    json_t *flat = NULL, *in = NULL;
    char msg[256];
    *rc = aws_form_parse(form, strlen(form), &flat, msg, sizeof msg);
    if (*rc < 0)
        return NULL;
    *rc = aws_query_decode(&api, "PutThing", flat, &in, msg, sizeof msg);
    json_decref(flat);
    if (*rc < 0)
        return NULL;
    char *s = json_dumps(in, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(in);
    return s;
}

TEST(test_wrapped_lists_maps_and_booleans_decode)
{
    int rc;
    char *got = decode("Action=PutThing&Name=n&Arns.member.2=b&Arns.member.1=a&Tags.member.1.Key=k"
                       "&Tags.member.1.Value=v&Attrs.entry.1.key=x&Attrs.entry.1.value=1&Quiet=true&Count=-3"
                       "&Arns.1=flat-ignored",
                       &rc);
    CHECK_STR(got, "{\"Name\":\"n\",\"Arns\":[\"a\",\"b\"],\"Tags\":[{\"Key\":\"k\",\"Value\":\"v\"}],"
                   "\"Attrs\":{\"x\":\"1\"},\"Quiet\":true,\"Count\":-3}");
    free(got);
}

TEST(test_unknown_action_in_the_descriptions_words)
{
    json_t *flat = json_object(), *in = NULL;
    char msg[256];
    CHECK_INT(aws_query_decode(&api, "Nope", flat, &in, msg, sizeof msg), RN_ERR_INVALID_ACTION);
    CHECK_STR(msg, "No Nope here");
    json_decref(flat);
}

TEST(test_bad_boolean_is_invalid_parameter)
{
    int rc;
    char *got = decode("Quiet=yes", &rc);
    CHECK(got == NULL);
    CHECK_INT(rc, RN_ERR_INVALID_PARAMETER);
}

TEST(test_wrapped_encode_in_the_description_namespace)
{
    json_t *o = json_loads("{\"Arns\":[\"a\",\"b\"],\"Attrs\":{\"x\":\"1\"},\"Quiet\":false,\"Other\":1}", 0, NULL);
    rn_buf_t b = {0};
    CHECK_INT(aws_query_encode(&api, "PutThing", o, "rid", &b), 0);
    char *xml = rn_buf_take(&b, NULL);
    CHECK_STR(xml, "<?xml version=\"1.0\"?><PutThingResponse xmlns=\"https://example.test/doc/2020-01-01/\">"
                      "<PutThingResult><Arns><member>a</member><member>b</member></Arns><Attrs><entry><key>x</key>"
                      "<value>1</value></entry></Attrs><Quiet>false</Quiet></PutThingResult>"
                      "<ResponseMetadata><RequestId>rid</RequestId></ResponseMetadata></PutThingResponse>");
    rn_free(xml);
    json_decref(o);
}

UNIT_MAIN()
