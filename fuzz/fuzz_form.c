/* SPDX-License-Identifier: MIT
 * libFuzzer target for the query-protocol edge. The input is decoded as a
 * form, converted to the JSON input of every SQS action (and of the action it
 * names itself), and each result is encoded back as that action's XML
 * response; if the input is JSON it is also encoded as every action's output.
 * None of it may crash, leak or trip the sanitizers. */
#include <stdint.h>
#include <string.h>

#include <jansson.h>

#include "aws/form.h"
#include "core/buf.h"
#include "aws/query.h"
#include "sqs/sqs.h"

static const char *actions[] = {
    "AddPermission",        "CancelMessageMoveTask", "ChangeMessageVisibility", "ChangeMessageVisibilityBatch",
    "CreateQueue",          "DeleteMessage",         "DeleteMessageBatch",      "DeleteQueue",
    "GetQueueAttributes",   "GetQueueUrl",           "ListDeadLetterSourceQueues", "ListMessageMoveTasks",
    "ListQueueTags",        "ListQueues",            "PurgeQueue",              "ReceiveMessage",
    "RemovePermission",     "SendMessage",           "SendMessageBatch",        "SetQueueAttributes",
    "StartMessageMoveTask", "TagQueue",              "UntagQueue",
};
#define NACTIONS (sizeof actions / sizeof actions[0])

static void encode_all(const json_t *out)
{
    for (size_t i = 0; i < NACTIONS; i++) {
        rn_buf_t b = {0};
        aws_query_encode(&sqs_api, actions[i], out, "00000000-0000-0000-0000-000000000000", &b);
        rn_buf_free(&b);
    }
}

static void decode_one(const char *action, const json_t *flat)
{
    json_t *in = NULL;
    char msg[512];
    if (aws_query_decode(&sqs_api, action, flat, &in, msg, sizeof msg) == 0) {
        rn_buf_t b = {0};
        aws_query_encode(&sqs_api, action, in, "rid", &b);
        rn_buf_free(&b);
        json_decref(in);
    } else {
        rn_buf_t b = {0};
        aws_query_error(&b, sqs_api.xml_ns, 1, "InvalidParameterValue", msg, "rid");
        rn_buf_free(&b);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *flat = NULL;
    char msg[512];
    if (aws_form_parse((const char *)data, size, &flat, msg, sizeof msg) == 0) {
        for (size_t i = 0; i < NACTIONS; i++)
            decode_one(actions[i], flat);
        decode_one(json_string_value(json_object_get(flat, "Action")), flat);
        json_decref(flat);
    }
    json_t *j = json_loadb((const char *)data, size, JSON_ALLOW_NUL, NULL);
    if (j) {
        encode_all(j);
        json_decref(j);
    }
    return 0;
}
