/* SPDX-License-Identifier: MIT
 * Fuzz target for CloudWatch Logs filter patterns (logs/filter.c): the
 * input's first line is a pattern, the rest a log message it is matched
 * against (JSON patterns parse the message). */
#include <stdint.h>
#include <string.h>

#include "core/mem.h"
#include "logs/logs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *nl = memchr(data, '\n', size);
    size_t plen = nl ? (size_t)(nl - (const char *)data) : size;
    char *pattern = rn_strndup((const char *)data, plen);
    if (!pattern)
        return 0;
    char msg[128];
    logs_filter_t *f = logs_filter_compile(pattern, msg, sizeof msg);
    if (f) {
        const char *m = nl ? nl + 1 : "";
        logs_filter_match(f, m, nl ? size - plen - 1 : 0);
        logs_filter_free(f);
    }
    rn_free(pattern);
    return 0;
}
