/* SPDX-License-Identifier: MIT
 * libFuzzer target: the JSON-protocol request path into the SQS service. The
 * first byte picks an operation, the rest is the request body; it runs
 * against an in-memory service with a queue of each kind, so validation,
 * batches and FIFO logic all see hostile input. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "core/call.h"
#include "core/err.h"
#include "core/config.h"
#include "sqs/sqs.h"
#include "store/store.h"

static const char *ops[] = {"SendMessage", "SendMessageBatch", "ReceiveMessage", "DeleteMessage",
                            "DeleteMessageBatch", "ChangeMessageVisibility", "ChangeMessageVisibilityBatch",
                            "SetQueueAttributes", "GetQueueAttributes", "CreateQueue", "TagQueue", "UntagQueue",
                            "ListQueues", "PurgeQueue", "StartMessageMoveTask", "CancelMessageMoveTask",
                            "ListMessageMoveTasks", "AddPermission", "RemovePermission",
                            "ListDeadLetterSourceQueues", "GetQueueUrl", "DeleteQueue"};

static uv_loop_t loop;
static rn_store_t *store;
static sqs_t *svc;
static rn_config_t cfg;

static void done(rn_call_t *c)
{
    (void)c;
}

static void setup(void)
{
    if (svc)
        return;
    uv_loop_init(&loop);
    rn_config_defaults(&cfg);
    char msg[256];
    rn_store_open(&loop, NULL, RN_FSYNC_OFF, &store, msg, sizeof msg);
    sqs_new(&loop, store, &cfg, &svc);
}

static void run(const char *op, const char *body)
{
    rn_call_t c;
    memset(&c, 0, sizeof c);
    c.service = "sqs";
    c.done = done;
    snprintf(c.op, sizeof c.op, "%s", op);
    snprintf(c.endpoint, sizeof c.endpoint, "http://localhost:4566");
    c.in = json_loads(body, JSON_DECODE_ANY, NULL);
    if (c.in && json_is_object(c.in)) {
        int rc = sqs_call(svc, &c);
        if (rc == RN_PENDING && c.cancel)
            c.cancel(&c);
    }
    json_decref(c.in);
    json_decref(c.out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    setup();
    sqs_reset(svc);
    run("CreateQueue", "{\"QueueName\":\"q\"}");
    run("CreateQueue", "{\"QueueName\":\"f.fifo\",\"Attributes\":{\"FifoQueue\":\"true\"}}");
    run("SendMessage", "{\"QueueUrl\":\"http://localhost:4566/000000000000/q\",\"MessageBody\":\"x\"}");
    const char *op = ops[data[0] % (sizeof ops / sizeof ops[0])];
    char *body = malloc(size);
    if (!body)
        return 0;
    memcpy(body, data + 1, size - 1);
    body[size - 1] = '\0';
    run(op, body);
    free(body);
    uv_run(&loop, UV_RUN_NOWAIT);
    return 0;
}
