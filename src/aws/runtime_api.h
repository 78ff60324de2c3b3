/* SPDX-License-Identifier: MIT
 * The Lambda Runtime API over HTTP (aws/runtime_api.c): the host behind
 * core/runtime.h. */
#ifndef RN_AWS_RUNTIME_API_H
#define RN_AWS_RUNTIME_API_H
#include <uv.h>

#include "core/runtime.h"

/* Fills *out with the host whose endpoints listen on loop. */
void aws_runtime_host(uv_loop_t *loop, rn_runtime_host_t *out);
#endif
