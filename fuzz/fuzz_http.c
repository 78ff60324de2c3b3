/* SPDX-License-Identifier: MIT
 * libFuzzer target: the HTTP request framing (http_parser driven by Runnel's
 * callbacks: URL and header accumulation, limits, pipelined requests). A
 * header name that is not NUL-terminated where the handler expects it is a
 * bug, so the target traps on that. */
#include <stdint.h>
#include <stdlib.h>

#include "http/server.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (rn_http_parse_for_test((const char *)data, size, 4096) == -2)
        abort();
    return 0;
}
