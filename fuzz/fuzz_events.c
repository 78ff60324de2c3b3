/* SPDX-License-Identifier: MIT
 * libFuzzer target: EventBridge API input. The first byte picks an
 * operation, the rest is its JSON 1.1 request body; it runs against an
 * in-memory service holding a custom bus, a rule with an SQS target and an
 * archive, so validation, pattern compilation, transforms and delivery all
 * see hostile input. API destinations are left out: delivering to one would
 * resolve and connect to whatever host the input names. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "core/call.h"
#include "core/config.h"
#include "core/err.h"
#include "events/events.h"
#include "sqs/sqs.h"
#include "store/store.h"

static const char *ops[] = {
    "CreateEventBus", "DeleteEventBus", "DescribeEventBus", "ListEventBuses", "UpdateEventBus", "PutPermission",
    "RemovePermission", "PutRule", "DeleteRule", "DescribeRule", "ListRules", "EnableRule", "DisableRule",
    "ListRuleNamesByTarget", "TestEventPattern", "PutTargets", "RemoveTargets", "ListTargetsByRule", "PutEvents",
    "CreateArchive", "DescribeArchive", "ListArchives", "UpdateArchive", "DeleteArchive", "StartReplay",
    "DescribeReplay", "ListReplays", "CancelReplay", "CreateConnection", "DescribeConnection", "ListConnections",
    "UpdateConnection", "DeleteConnection", "DeauthorizeConnection", "TagResource", "UntagResource",
    "ListTagsForResource", "NoSuchOperation"};

static uv_loop_t loop;
static rn_store_t *store;
static sqs_t *sqs;
static ev_t *ev;
static rn_config_t cfg;

static void done(rn_call_t *c)
{
    (void)c;
}

static void setup(void)
{
    if (ev)
        return;
    uv_loop_init(&loop);
    rn_config_defaults(&cfg);
    cfg.in_memory = 1;
    char msg[256];
    static rn_service_env_t env;
    void *q = NULL;
    if (rn_store_open(&loop, NULL, RN_FSYNC_OFF, &store, msg, sizeof msg) < 0 || !(env.sinks = rn_sinks_new()))
        abort();
    env.loop = &loop;
    env.store = store;
    env.cfg = &cfg;
    /* SQS through its table entry, so EventBridge reaches it by its sink */
    if (sqs_service.create(&env, &q) < 0 || ev_new(&env, &ev) < 0)
        abort();
    sqs = q;
    ev_start(ev);
}

static void call(const char *svc, const char *op, const char *body, size_t len)
{
    rn_call_t c;
    memset(&c, 0, sizeof c);
    c.service = svc;
    c.done = done;
    snprintf(c.op, sizeof c.op, "%s", op);
    snprintf(c.endpoint, sizeof c.endpoint, "http://localhost:4566");
    c.in = json_loadb(body, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
    if (json_is_object(c.in)) {
        if (svc[0] == 'e')
            ev_call(ev, &c);
        else if (sqs_call(sqs, &c) == RN_PENDING && c.cancel)
            c.cancel(&c);
    }
    json_decref(c.in);
    json_decref(c.out);
    rn_call_clear_msg(&c);
}

#define SEED(svc, op, body) call(svc, op, body, strlen(body))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    setup();
    ev_reset(ev);
    sqs_reset(sqs);
    rn_store_reset(store);
    SEED("sqs", "CreateQueue", "{\"QueueName\":\"orders\"}");
    SEED("events", "CreateEventBus", "{\"Name\":\"shop\"}");
    SEED("events", "PutRule",
         "{\"Name\":\"r\",\"EventBusName\":\"shop\",\"EventPattern\":"
         "\"{\\\"source\\\":[\\\"shop\\\"],\\\"detail\\\":{\\\"total\\\":[{\\\"numeric\\\":[\\\">\\\",10]}]}}\"}");
    SEED("events", "PutTargets",
         "{\"Rule\":\"r\",\"EventBusName\":\"shop\",\"Targets\":[{\"Id\":\"q\",\"Arn\":"
         "\"arn:aws:sqs:us-east-1:000000000000:orders\",\"InputTransformer\":{\"InputPathsMap\":"
         "{\"t\":\"$.detail.total\"},\"InputTemplate\":\"{\\\"total\\\": <t>}\"}}]}");
    SEED("events", "CreateArchive",
         "{\"ArchiveName\":\"a\",\"EventSourceArn\":\"arn:aws:events:us-east-1:000000000000:event-bus/shop\"}");
    const char *op = ops[data[0] % (sizeof ops / sizeof ops[0])];
    call("events", op, (const char *)data + 1, size - 1);
    uv_run(&loop, UV_RUN_NOWAIT);
    return 0;
}
