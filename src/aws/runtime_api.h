/* SPDX-License-Identifier: MIT
 * The Lambda Runtime API over HTTP (aws/runtime_api.c): the host behind
 * core/runtime.h. */
#ifndef RN_AWS_RUNTIME_API_H
#define RN_AWS_RUNTIME_API_H
#include <uv.h>

#include "core/runtime.h"

/* Fills *out with the host whose endpoints listen on loop. */
void aws_runtime_host(uv_loop_t *loop, rn_runtime_host_t *out);

struct rn_buf;
/* Fuzzing hook: feeds bytes to one socketless endpoint connection whose
 * messages go to on_msg (answer with the host's reply/invoke); what the
 * endpoint writes is appended to *out. */
void aws_runtime_serve_bytes_for_test(uv_loop_t *loop, rn_runtime_msg_fn on_msg, rn_runtime_gone_fn on_gone, void *ud,
                                      const char *data, size_t n, struct rn_buf *out);
#endif
