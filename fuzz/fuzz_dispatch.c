/* SPDX-License-Identifier: MIT
 * libFuzzer target: the server as a whole. Raw HTTP bytes go through the
 * HTTP framing, the head check, the dispatcher and into SQS, EventBridge and
 * Schemas (in memory); the response bytes are read back. The first byte's
 * low bit turns on an access-key file, so SigV4 refusal before the body and
 * verification after it are both reached. Requests naming API destinations
 * are skipped: delivering to one would connect to whatever host they name;
 * so are those naming the clock endpoint: a moved clock would make every
 * later input depend on the earlier ones. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

#include "app.h"
#include "aws/authfile.h"
#include "aws/dispatch.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/config.h"
#include "http/server.h"
#include "services.h"

static uv_loop_t loop;
static rn_config_t cfg;
static rn_app_t app;
static aws_authfile_t *keys;

static void setup(void)
{
    if (app.nservices)
        return;
    uv_loop_init(&loop);
    rn_config_defaults(&cfg);
    cfg.in_memory = 1;
    char msg[256], path[] = "/tmp/runnel-fuzz-keys-XXXXXX";
    int fd = mkstemp(path);
    static const char line[] = "AKIDRUNNEL wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY\n";
    if (fd < 0 || write(fd, line, sizeof line - 1) != (ssize_t)(sizeof line - 1))
        abort();
    close(fd);
    int rc = aws_authfile_load(path, &keys, msg, sizeof msg);
    unlink(path);
    app.loop = &loop;
    app.cfg = &cfg;
    app.started_ms = rn_now_ms();
    if (rc < 0 || rn_app_open(&app, rn_services, msg, sizeof msg) < 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || memmem(data, size, "ApiDestination", 14) || memmem(data, size, "_runnel/clock", 13))
        return 0;
    setup();
    rn_app_reset(&app);
    app.auth = (data[0] & 1) ? keys : NULL;
    rn_http_limits_t lim = {.max_header_bytes = 8192,
                            .max_body_bytes = 65536,
                            .max_conn_buffer = 16384,
                            .header_timeout_ms = 30000,
                            .idle_timeout_ms = 300000};
    rn_buf_t out = {0};
    rn_http_serve_bytes_for_test(&loop, &lim, rn_dispatch_request, rn_dispatch_cancel, rn_dispatch_head, &app,
                                 (const char *)data + 1, size - 1, &out);
    /* every response starts with a status line */
    if (out.len && memcmp(out.data, "HTTP/1.1 ", 9) != 0)
        abort();
    if (getenv("RUNNEL_FUZZ_PRINT") && out.len) /* to read what a corpus gets back */
        fprintf(stderr, "%.*s\n----\n", (int)out.len, out.data);
    rn_buf_free(&out);
    return 0;
}
