/* SPDX-License-Identifier: MIT
 * libFuzzer target for the query-protocol codec. The input is decoded as a
 * form, converted to the input of every action of every API described here
 * (SQS: flattened lists and maps; STS: wrapped lists, timestamps; SNS: maps
 * of entry/key/value; SES; CloudWatch: doubles, nested structures) and of the
 * action it names itself, and each result is encoded back as that action's
 * XML response; if the input is JSON it is also encoded as every action's
 * output.
 * None of it may crash, leak or trip the sanitizers. */
#include <stdint.h>
#include <string.h>

#include <jansson.h>

#include "aws/form.h"
#include "core/buf.h"
#include "aws/query.h"
#include "cloudwatch/cw_int.h"
#include "ses/ses.h"
#include "sns/sns.h"
#include "sqs/sqs.h"
#include "sts/sts.h"

static const rn_api_t *const apis[] = {&sqs_api, &sts_api, &sns_api, &ses_api, &cw_api};
#define NAPIS (sizeof apis / sizeof apis[0])

static void encode_all(const json_t *out)
{
    for (size_t a = 0; a < NAPIS; a++)
        for (const rn_op_t *o = apis[a]->ops; o->name; o++) {
            rn_buf_t b = {0};
            aws_query_encode(apis[a], o->name, out, "00000000-0000-0000-0000-000000000000", &b);
            rn_buf_free(&b);
        }
}

static void decode_one(const rn_api_t *api, const char *action, const json_t *flat)
{
    json_t *in = NULL;
    char msg[512];
    if (aws_query_decode(api, action, flat, &in, msg, sizeof msg) == 0) {
        rn_buf_t b = {0};
        aws_query_encode(api, action, in, "rid", &b);
        rn_buf_free(&b);
        json_decref(in);
    } else {
        rn_buf_t b = {0};
        aws_query_error(&b, api->xml_ns, 1, "InvalidParameterValue", msg, "rid");
        rn_buf_free(&b);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *flat = NULL;
    char msg[512];
    if (aws_form_parse((const char *)data, size, &flat, msg, sizeof msg) == 0) {
        for (size_t a = 0; a < NAPIS; a++) {
            for (const rn_op_t *o = apis[a]->ops; o->name; o++)
                decode_one(apis[a], o->name, flat);
            decode_one(apis[a], json_string_value(json_object_get(flat, "Action")), flat);
        }
        json_decref(flat);
    }
    json_t *j = json_loadb((const char *)data, size, JSON_ALLOW_NUL, NULL);
    if (j) {
        encode_all(j);
        json_decref(j);
    }
    return 0;
}
