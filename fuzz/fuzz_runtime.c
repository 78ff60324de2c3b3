/* SPDX-License-Identifier: MIT
 * Fuzz target for the Lambda Runtime API endpoint (aws/runtime_api.c): the
 * input is the bytes an instance sends on one connection (any number of
 * pipelined requests). A stand-in for the service answers every "next" with
 * an invocation whose request id is "req-1", a response or error for
 * "req-1" with 202, any other id with 400, and init errors with 202, through
 * the host's own reply functions, so routing, header parsing, bodies and
 * parked-request cleanup all run. */
#include <stdint.h>
#include <string.h>
#include <uv.h>

#include "aws/runtime_api.h"
#include "core/buf.h"

static rn_runtime_host_t host;

static void on_msg(void *ud, rn_runtime_req_t *r, const rn_runtime_msg_t *m)
{
    (void)ud;
    if (m->kind == RN_RT_NEXT) {
        rn_runtime_invocation_t inv = {.request_id = "req-1",
                                       .deadline_ms = 1,
                                       .function_arn = "arn:aws:lambda:us-east-1:000000000000:function:f",
                                       .trace_id = "Root=1-00000000-000000000000000000000000",
                                       .client_context = m->body,
                                       .payload = "{}",
                                       .len = 2};
        host.invoke(r, &inv);
        return;
    }
    int known = m->kind == RN_RT_INIT_ERROR || (m->request_id && !strcmp(m->request_id, "req-1"));
    host.reply(r, known ? 202 : 400, known ? "{\"status\":\"OK\"}" : "{\"errorType\":\"InvalidRequestID\"}");
}

static void on_gone(void *ud, rn_runtime_req_t *r)
{
    (void)ud;
    (void)r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uv_loop_t *loop;
    if (!loop) {
        loop = uv_default_loop();
        aws_runtime_host(loop, &host);
    }
    rn_buf_t out = {0};
    aws_runtime_serve_bytes_for_test(loop, on_msg, on_gone, NULL, (const char *)data, size, &out);
    rn_buf_free(&out);
    return 0;
}
