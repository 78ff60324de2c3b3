/* SPDX-License-Identifier: MIT
 * The runnel command: `runnel serve` starts the server (store, services,
 * HTTP listener on one libuv loop), `runnel deploy` deploys a template to a
 * running server (src/deploy/), `runnel --help`, `runnel --version`.
 * SIGINT/SIGTERM stop accepting, answer in-flight requests, flush the store
 * and exit 0. */
#include <signal.h>
#include <malloc.h>
#include <stdio.h>
#include <sys/resource.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "aws/authfile.h"
#include "aws/dispatch.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/json_alloc.h"
#include "core/log.h"
#include "deploy/deploy.h"
#include "http/server.h"
#include "services.h"
#include "store/io.h"

#define RN_VERSION "0.1.0"

static const char *usage =
    "Runnel: the AWS event-driven stack (SQS, EventBridge, schema discovery, Lambda, DynamoDB, SNS, SES, CloudWatch\n"
    "metrics and Logs, STS, and CloudFormation/SAM templates) in one small, durable\n"
    "server.\n"
    "\n"
    "Usage:\n"
    "  runnel serve [options]   start the server\n"
    "  runnel deploy TEMPLATE   deploy a CloudFormation/SAM template to a running server\n"
    "  runnel --help            this help\n"
    "  runnel --version         print the version\n"
    "\n"
    "Run `runnel serve --help` for the server options, `runnel deploy --help` for deploy's.\n";

static const char *serve_usage =
    "Usage: runnel serve [options]\n"
    "\n"
    "  --host ADDR          address to bind (default 127.0.0.1)\n"
    "  --port N             port (default 4566; 0 picks a free port)\n"
    "  --data-dir DIR       durable state directory (default ./runnel-data)\n"
    "  --in-memory          keep nothing on disk\n"
    "  --fsync on|off       on (default): an acknowledged write survives power loss;\n"
    "                       off: it survives a process crash only\n"
    "  --region NAME        region of a request with none in its signature (default us-east-1)\n"
    "  --account-id ID      account of a request whose access key is not a 12-digit account\n"
    "                       id (default 000000000000)\n"
    "  --auth-file FILE     verify SigV4 signatures; FILE has one `ACCESS_KEY SECRET` per line\n"
    "  --allow-anonymous    allow a non-loopback --host without --auth-file\n"
    "  --enable-reset       allow POST /_runnel/reset with a data dir\n"
    "  --max-connections N  open connections served at once (default 10000, lowered to fit\n"
    "                       the open-file limit); over it new connections are closed at once\n"
    "  --log-level LEVEL    debug, info (default), warn or error; debug logs every request\n"
    "  --config FILE        read `option = value` lines (same names as the flags)\n"
    "\n"
    "Endpoints: any AWS SDK or the AWS CLI with --endpoint-url http://HOST:PORT;\n"
    "GET /_runnel/health; POST /_runnel/reset (--in-memory or --enable-reset);\n"
    "GET /_runnel/clock, and POST /_runnel/clock {\"advanceSeconds\": N} to make N seconds pass for every\n"
    "timer at once (where reset is allowed).\n"
    "Each resource lives in the region a request is signed for and the account of its access key.\n"
    "With --auth-file every request, /_runnel/* included, needs a valid SigV4 signature\n"
    "(unsigned health answers only {\"status\":\"ok\"}); credentials are checked as soon as\n"
    "the headers arrive, and a refused request's body is never kept (up to 1 MiB is read\n"
    "and dropped).\n"
    "Limits: headers 64 KiB (431), body 8 MiB (413); a connection with more than 1 MiB of\n"
    "pipelined requests waiting is not read from until its replies catch up.\n";

typedef struct server {
    uv_loop_t *loop;
    rn_app_t app;
    uv_signal_t sigint, sigterm;
    int stopping;
} server_t;

static void on_drained(void *arg)
{
    server_t *s = arg;
    uv_close((uv_handle_t *)&s->sigint, NULL);
    uv_close((uv_handle_t *)&s->sigterm, NULL);
    uv_stop(s->loop);
}

static void on_signal(uv_signal_t *h, int signum)
{
    server_t *s = h->data;
    if (s->stopping) {
        RN_WARN("second signal %d: exiting now", signum);
        exit(1);
    }
    s->stopping = 1;
    RN_INFO("signal %d: shutting down", signum);
    rn_app_drain(&s->app);
    rn_http_server_shutdown(s->app.http, on_drained, s);
}

static int is_loopback(const char *host)
{
    return strncmp(host, "127.", 4) == 0 || strcmp(host, "::1") == 0 || strcmp(host, "localhost") == 0;
}

/* The connection limit: as asked, or the default lowered to fit the
 * open-file limit (each connection is one fd; the store and loop need some). */
static size_t max_connections(const rn_config_t *cfg)
{
    if (cfg->max_connections > 0)
        return (size_t)cfg->max_connections;
    size_t n = RN_DEFAULT_MAX_CONNECTIONS;
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < n + 64)
        n = rl.rlim_cur > 128 ? (size_t)rl.rlim_cur - 64 : 64;
    return n;
}

static int serve(int argc, char **argv)
{
    rn_config_t cfg;
    rn_config_defaults(&cfg);
    char msg[1024];
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(serve_usage, stdout);
            return 0;
        }
        if (strncmp(a, "--", 2) != 0) {
            fprintf(stderr, "runnel serve: unexpected argument '%s'\n%s", a, serve_usage);
            return 2;
        }
        char name[64];
        const char *val = NULL;
        const char *eq = strchr(a + 2, '=');
        snprintf(name, sizeof name, "%.*s", eq ? (int)(eq - a - 2) : (int)strlen(a + 2), a + 2);
        int takes = rn_config_takes_value(name);
        if (takes < 0) {
            fprintf(stderr, "runnel serve: unknown option --%s\n%s", name, serve_usage);
            return 2;
        }
        if (takes) {
            if (eq)
                val = eq + 1;
            else if (i + 1 < argc)
                val = argv[++i];
        }
        if (rn_config_set(&cfg, name, val, msg, sizeof msg) < 0) {
            fprintf(stderr, "runnel serve: %s\n", msg);
            return 2;
        }
    }
    rn_log_level = cfg.log_level;
    if (strcmp(cfg.host, "localhost") == 0)
        snprintf(cfg.host, sizeof cfg.host, "127.0.0.1");
    if (!is_loopback(cfg.host) && !cfg.auth_file[0] && !cfg.allow_anonymous) {
        fprintf(stderr, "runnel serve: binding %s without --auth-file accepts unsigned requests from the network;\n"
                        "pass --auth-file FILE, or --allow-anonymous to do it anyway\n",
                cfg.host);
        return 2;
    }
    if (rn_io_fault_init(msg, sizeof msg) < 0) { /* a test's fault spec with a typo would test nothing */
        fprintf(stderr, "runnel serve: %s\n", msg);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    int64_t t0 = rn_now_ms();
    server_t s = {0};
    s.loop = uv_default_loop();
    rn_app_t *app = &s.app;
    app->loop = s.loop;
    app->cfg = &cfg;
    app->started_ms = t0;
    if (cfg.auth_file[0] && aws_authfile_load(cfg.auth_file, &app->auth, msg, sizeof msg) < 0) {
        fprintf(stderr, "runnel serve: %s\n", msg);
        return 1;
    }
    if (rn_app_open(app, rn_services, msg, sizeof msg) < 0) {
        fprintf(stderr, "runnel serve: %s\n", msg);
        return 1;
    }
    rn_http_limits_t lim = {.max_header_bytes = 65536,
                            .max_body_bytes = 8 * 1024 * 1024,
                            .body_limit = rn_dispatch_body_limit,
                            .max_conn_buffer = 1024 * 1024,
                            .max_connections = max_connections(&cfg),
                            .header_timeout_ms = 30000,
                            .idle_timeout_ms = 300000};
    if (rn_http_server_start(s.loop, cfg.host, cfg.port, &lim, rn_dispatch_request, rn_dispatch_cancel, app,
                             &app->http, msg, sizeof msg) < 0) {
        fprintf(stderr, "runnel serve: %s\n", msg);
        return 1;
    }
    if (app->auth) /* without an auth file no request is refused at its headers */
        rn_http_server_set_head_fn(app->http, rn_dispatch_head);
    uv_signal_init(s.loop, &s.sigint);
    uv_signal_init(s.loop, &s.sigterm);
    s.sigint.data = s.sigterm.data = &s;
    uv_signal_start(&s.sigint, on_signal, SIGINT);
    uv_signal_start(&s.sigterm, on_signal, SIGTERM);
    const char *h = cfg.host;
    int v6 = strchr(h, ':') != NULL;
    /* The address functions' SDKs reach this server at (a wildcard host is
     * reached over loopback). */
    int wild = !strcmp(h, "0.0.0.0") || !strcmp(h, "::");
    snprintf(app->runtime.endpoint, sizeof app->runtime.endpoint, "http://%s%s%s:%d", v6 && !wild ? "[" : "",
             wild ? "127.0.0.1" : h, v6 && !wild ? "]" : "", rn_http_server_port(app->http));
    RN_INFO("runnel %s ready endpoint=http://%s%s%s:%d data=%s store=%s startup_ms=%lld", RN_VERSION, v6 ? "[" : "",
            h, v6 ? "]" : "", rn_http_server_port(app->http), cfg.in_memory ? "(in-memory)" : cfg.data_dir,
            rn_store_kind(app->store), (long long)(rn_now_ms() - t0));
    fflush(stderr);
    uv_run(s.loop, UV_RUN_DEFAULT);
    rn_http_server_close(app->http);
    rn_app_close(app);
    aws_authfile_free(app->auth);
    uv_run(s.loop, UV_RUN_NOWAIT);
    rn_dispatch_shutdown();
    RN_INFO("runnel stopped");
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
        printf("runnel %s\n", RN_VERSION);
        return 0;
    }
    if (strcmp(argv[1], "serve") == 0) {
        /* Large replies (a 1 MB Scan page, a 6 MB Invoke) come and go in
         * buffers of megabytes: keep them in the heap and keep freed memory
         * up to 64 MB instead of mapping fresh pages (and faulting them in)
         * for every one. */
        mallopt(M_MMAP_THRESHOLD, 32 << 20);
        mallopt(M_TRIM_THRESHOLD, 64 << 20);
        rn_json_alloc_install();
        int rc = serve(argc - 2, argv + 2);
        rn_json_alloc_drain();
        return rc;
    }
    if (strcmp(argv[1], "deploy") == 0)
        return deploy_main(argc - 2, argv + 2);
    fprintf(stderr, "runnel: unknown command '%s'\n%s", argv[1], usage);
    return 2;
}
