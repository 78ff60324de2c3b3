/* SPDX-License-Identifier: MIT
 * libFuzzer target: EventBridge Schemas REST-JSON input. The input is
 * "METHOD PATH[?QUERY]\n" followed by the body; it runs against an
 * in-memory service holding a registry, a schema and a discoverer, so path
 * decoding, routing, schema content parsing and pagination see hostile
 * input. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "core/config.h"
#include "core/mem.h"
#include "aws/rest.h"
#include "schemas/schemas.h"
#include "store/store.h"

static uv_loop_t loop;
static rn_store_t *store;
static schemas_t *sc;
static rn_config_t cfg;

static void setup(void)
{
    if (sc)
        return;
    uv_loop_init(&loop);
    rn_config_defaults(&cfg);
    cfg.in_memory = 1;
    char msg[256];
    if (rn_store_open(&loop, NULL, RN_FSYNC_OFF, &store, msg, sizeof msg) < 0 ||
        schemas_new(&loop, store, &cfg, &sc) < 0)
        abort();
}

static void call(const char *method, const char *path, const char *query, const char *body, size_t len)
{
    rn_rest_reply_t r;
    aws_rest_handle(&schemas_service, sc, method, path, query, body, len, "00000000-0000-0000-0000-000000000000", &r);
    rn_rest_reply_free(&r);
}

#define SEED(method, path, body) call(method, path, NULL, body, strlen(body))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *nl = memchr(data, '\n', size);
    const char *sp = nl ? memchr(data, ' ', (size_t)(nl - (const char *)data)) : NULL;
    if (!sp)
        return 0;
    setup();
    schemas_reset(sc);
    rn_store_reset(store);
    SEED("POST", "/v1/registries/name/reg", "{\"Description\":\"d\"}");
    SEED("POST", "/v1/registries/name/reg/schemas/name/s",
         "{\"Type\":\"OpenApi3\",\"Content\":\"{\\\"openapi\\\":\\\"3.0.0\\\",\\\"info\\\":{\\\"version\\\":"
         "\\\"1.0.0\\\",\\\"title\\\":\\\"s\\\"},\\\"paths\\\":{},\\\"components\\\":{\\\"schemas\\\":{}}}\"}");
    SEED("POST", "/v1/discoverers",
         "{\"SourceArn\":\"arn:aws:events:us-east-1:000000000000:event-bus/default\"}");
    char *method = rn_strndup((const char *)data, (size_t)(sp - (const char *)data));
    char *target = rn_strndup(sp + 1, (size_t)(nl - sp - 1));
    if (method && target) {
        char *q = strchr(target, '?');
        if (q)
            *q++ = '\0';
        size_t off = (size_t)(nl + 1 - (const char *)data);
        call(method, target, q, (const char *)data + off, size - off);
    }
    rn_free(method);
    rn_free(target);
    uv_run(&loop, UV_RUN_NOWAIT);
    return 0;
}
