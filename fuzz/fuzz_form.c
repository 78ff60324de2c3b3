/* SPDX-License-Identifier: MIT
 * libFuzzer target: the query-protocol edge. Decodes the input as a form,
 * converts it to the JSON input shape for every SQS action, and encodes the
 * result back as XML; none of it may crash or leak. */
#include <stdint.h>
#include <string.h>

#include "aws/form.h"
#include "core/buf.h"
#include "sqs/query.h"

static const char *actions[] = {"CreateQueue", "SendMessage", "SendMessageBatch", "ReceiveMessage",
                                "SetQueueAttributes", "TagQueue", "AddPermission", "DeleteMessageBatch"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *flat = NULL;
    char msg[512];
    if (aws_form_parse((const char *)data, size, &flat, msg, sizeof msg) < 0)
        return 0;
    for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++) {
        json_t *in = NULL;
        if (sqs_query_decode(actions[i], flat, &in, msg, sizeof msg) == 0) {
            rn_buf_t b = {0};
            sqs_xml_encode(actions[i], in, "00000000-0000-0000-0000-000000000000", &b);
            rn_buf_free(&b);
            json_decref(in);
        }
    }
    json_decref(flat);
    return 0;
}
