/* SPDX-License-Identifier: MIT
 * Function instances: each is a child process (its own session, so its
 * whole process group can be killed), started in the function's code
 * directory with AWS's environment, its own TMPDIR, its output captured
 * through one pipe, memory capped with RLIMIT_DATA, and its own Runtime API
 * endpoint. This is isolation by convention, not a sandbox: the child runs
 * as Runnel's user (docs/lambda.md). An instance belongs to its function;
 * the last close callback of its handles frees it. */
#include "lambda/lambda_int.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/json_alloc.h"
#include "core/clock.h"
#include "core/ids.h"
#include "core/log.h"
#include "core/mem.h"

#define MAX_LOG (1 << 20) /* output kept per invocation */
#define INIT_LIMIT_MS 10000

extern char **environ;

/* a followed by b into out; -1 when it does not fit. */
static int join(char *out, size_t len, const char *a, const char *b)
{
    int n = snprintf(out, len, "%s%s", a, b);
    return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* Logs once per interpreter and runtime when the function asks for another
 * version than the machine's (python3.12 on Python 3.11): it runs anyway.
 * Asks the interpreter its version the first time (blocking, once). */
static void note_version(const char *interp, const char *runtime, const char *want)
{
    static char seen[16][96];
    static int nseen;
    char key[96];
    snprintf(key, sizeof key, "%s %s", interp, runtime);
    for (int i = 0; i < nseen; i++)
        if (!strcmp(seen[i], key))
            return;
    if (nseen < 16)
        snprintf(seen[nseen++], sizeof seen[0], "%s", key);
    char cmd[PATH_MAX + 32], have[64] = "";
    snprintf(cmd, sizeof cmd, "'%s' --version 2>&1", interp);
    FILE *f = popen(cmd, "r");
    if (f) {
        if (!fgets(have, sizeof have, f))
            have[0] = 0;
        pclose(f);
    }
    have[strcspn(have, "\r\n")] = 0;
    /* "Python 3.11.2" / "v18.19.0": the runtime's "3.12" / "20" must start the number */
    const char *num = have + strcspn(have, "0123456789");
    size_t wl = strlen(want);
    if (!*num || strncmp(num, want, wl) || (num[wl] != '.' && num[wl] != 0))
        RN_WARN("lambda: %s functions run on this machine's %s (%s), not %s", runtime, interp,
                *have ? have : "version unknown", runtime);
}

/* Which program runs a runtime: our bootstrap under the machine's
 * interpreter, or the package's own `bootstrap`. */
static int command(const lambda_fn_t *fn, const char *opt, char **argv, char *a0, char *a1, size_t len, char *msg,
                   size_t msglen)
{
    const char *rt = json_string_value(json_object_get(fn->cfg, "Runtime"));
    const char *dir = fn->L->runtimes;
    if (!rt)
        rt = "";
    if (!strncmp(rt, "python3", 7)) {
        const char *py = getenv("RUNNEL_PYTHON");
        snprintf(a0, len, "%s", py && *py ? py : access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : "python3");
        if (join(a1, len, dir, "/python/bootstrap.py") < 0)
            return snprintf(msg, msglen, "path too long"), -1;
        note_version(a0, rt, rt + 6); /* "python3.12" -> "3.12" */
    } else if (!strncmp(rt, "nodejs", 6)) {
        const char *node = getenv("RUNNEL_NODE");
        snprintf(a0, len, "%s", node && *node ? node : access("/usr/bin/node", X_OK) == 0 ? "/usr/bin/node" : "node");
        if (join(a1, len, dir, "/node/bootstrap.mjs") < 0)
            return snprintf(msg, msglen, "path too long"), -1;
        char major[8];
        snprintf(major, sizeof major, "%.*s", (int)strcspn(rt + 6, "."), rt + 6); /* "nodejs20.x" -> "20" */
        note_version(a0, rt, major);
    } else if (!strncmp(rt, "provided", 8)) {
        if (join(a0, len, fn->code_dir, "/bootstrap") < 0)
            return snprintf(msg, msglen, "path too long"), -1;
        if (opt && access(a0, F_OK) < 0 && join(a0, len, opt, "/bootstrap") < 0) /* a layer's bootstrap, as /opt/bootstrap */
            return snprintf(msg, msglen, "path too long"), -1;
        argv[0] = a0;
        argv[1] = NULL;
        return 0;
    } else {
        snprintf(msg, msglen, "Runnel cannot run %s functions (it runs python3.x, nodejs and provided runtimes).", rt);
        return -1;
    }
    argv[0] = a0;
    argv[1] = a1;
    argv[2] = NULL;
    return 0;
}

typedef struct {
    char **v;
    size_t n, cap;
} envv_t;

static void env_set(envv_t *e, const char *k, const char *v)
{
    size_t kl = strlen(k);
    for (size_t i = 0; i < e->n; i++)
        if (!strncmp(e->v[i], k, kl) && e->v[i][kl] == '=') {
            rn_free(e->v[i]);
            e->v[i] = NULL;
            memmove(&e->v[i], &e->v[i + 1], (e->n - i - 1) * sizeof *e->v);
            e->n--;
            break;
        }
    if (e->n + 2 > e->cap) {
        size_t cap = e->cap ? e->cap * 2 : 64;
        char **nv = rn_realloc(e->v, cap * sizeof *nv);
        if (!nv)
            return;
        e->v = nv;
        e->cap = cap;
    }
    size_t len = kl + strlen(v) + 2;
    char *s = rn_malloc(len);
    if (!s)
        return;
    snprintf(s, len, "%s=%s", k, v);
    e->v[e->n++] = s;
    e->v[e->n] = NULL;
}

static void env_free(envv_t *e)
{
    for (size_t i = 0; i < e->n; i++)
        rn_free(e->v[i]);
    rn_free(e->v);
}

/* Temporary credentials for the function's role, from STS (a call between
 * services), renewed when less than an hour is left; NULL when STS refused
 * (the function then gets its account id as its access key). */
static const json_t *role_credentials(lambda_fn_t *fn)
{
    int64_t now = rn_now_ms();
    if (fn->creds && fn->creds_until_ms - now > 3600 * 1000)
        return fn->creds;
    rn_call_t c = {0};
    c.service = "sts";
    snprintf(c.op, sizeof c.op, "AssumeRole");
    snprintf(c.account, sizeof c.account, "%s", fn->L->env.cfg->account_id);
    snprintf(c.region, sizeof c.region, "%s", fn->L->env.cfg->region);
    char session[80];
    snprintf(session, sizeof session, "%s%s", strlen(fn->name) < 2 ? "fn-" : "", fn->name);
    c.in = json_pack("{s:O,s:s,s:i}", "RoleArn", json_object_get(fn->cfg, "Role"), "RoleSessionName", session,
                     "DurationSeconds", 43200);
    int rc = rn_sinks_call(fn->L->env.sinks, &c);
    json_t *creds = rc == 0 && !c.err ? json_object_get(c.out, "Credentials") : NULL;
    if (creds) {
        json_decref(fn->creds);
        fn->creds = json_incref(creds);
        fn->creds_until_ms = now + 43200 * 1000LL;
    } else {
        RN_WARN("lambda %s: no role credentials from STS: %s", fn->name, rn_call_msg(&c));
    }
    json_decref(c.in);
    json_decref(c.out);
    rn_call_clear_msg(&c);
    return creds ? fn->creds : NULL;
}

static void build_env(lambda_inst_t *in, const char *opt, envv_t *e)
{
    const lambda_fn_t *fn = in->fn;
    const lambda_t *L = fn->L;
    const rn_config_t *cfg = L->env.cfg;
    const char *keep[] = {"PATH", "LANG", "HOME", "USER", "LOGNAME", "RUNNEL_PYTHON", NULL};
    for (int i = 0; keep[i]; i++) {
        const char *v = getenv(keep[i]);
        if (v)
            env_set(e, keep[i], v);
    }
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(json_object_get(fn->cfg, "Environment"), "Variables"), k, v)
        env_set(e, k, json_string_value(v));
    char buf[2 * PATH_MAX + 64];
    const char *rt = json_string_value(json_object_get(fn->cfg, "Runtime"));
    const char *handler = json_string_value(json_object_get(fn->cfg, "Handler"));
    env_set(e, "_HANDLER", handler ? handler : "");
    env_set(e, "AWS_REGION", cfg->region);
    env_set(e, "AWS_DEFAULT_REGION", cfg->region);
    snprintf(buf, sizeof buf, "AWS_Lambda_%s", rt ? rt : "");
    env_set(e, "AWS_EXECUTION_ENV", buf);
    env_set(e, "AWS_LAMBDA_FUNCTION_NAME", fn->name);
    snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(json_object_get(fn->cfg, "MemorySize")));
    env_set(e, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", buf);
    env_set(e, "AWS_LAMBDA_FUNCTION_VERSION", fn->version);
    env_set(e, "AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand");
    snprintf(buf, sizeof buf, "/aws/lambda/%s", fn->name);
    env_set(e, "AWS_LAMBDA_LOG_GROUP_NAME", buf);
    env_set(e, "AWS_LAMBDA_LOG_STREAM_NAME", in->stream);
    env_set(e, "AWS_LAMBDA_RUNTIME_API", in->addr);
    env_set(e, "LAMBDA_TASK_ROOT", fn->code_dir);
    env_set(e, "LAMBDA_RUNTIME_DIR", L->runtimes);
    if (opt) { /* the function's layers: what AWS puts under /opt */
        env_set(e, "RUNNEL_OPT", opt);
        const char *path = getenv("PATH");
        snprintf(buf, sizeof buf, "%s/bin:%s", opt, path ? path : "/usr/bin:/bin");
        env_set(e, "PATH", buf);
        snprintf(buf, sizeof buf, "%s/nodejs/node_modules", opt);
        env_set(e, "NODE_PATH", buf);
        snprintf(buf, sizeof buf, "%s/lib:%s/lib", fn->code_dir, opt);
    } else {
        snprintf(buf, sizeof buf, "%s/lib", fn->code_dir);
    }
    env_set(e, "LD_LIBRARY_PATH", buf);
    env_set(e, "TZ", ":UTC");
    env_set(e, "TMPDIR", in->tmp);
    env_set(e, "AWS_XRAY_CONTEXT_MISSING", "LOG_ERROR");
    /* SDK calls inside the function come back to Runnel, signed with the
     * role's temporary credentials (which act in the role's account) */
    if (L->env.runtime && L->env.runtime->endpoint[0])
        env_set(e, "AWS_ENDPOINT_URL", L->env.runtime->endpoint);
    const json_t *creds = role_credentials(in->fn);
    if (creds) {
        env_set(e, "AWS_ACCESS_KEY_ID", json_string_value(json_object_get(creds, "AccessKeyId")) ?: "");
        env_set(e, "AWS_SECRET_ACCESS_KEY", json_string_value(json_object_get(creds, "SecretAccessKey")) ?: "");
        env_set(e, "AWS_SESSION_TOKEN", json_string_value(json_object_get(creds, "SessionToken")) ?: "");
    } else {
        env_set(e, "AWS_ACCESS_KEY_ID", cfg->account_id);
        env_set(e, "AWS_SECRET_ACCESS_KEY", "runnel-function-secret");
    }
}

static void inst_closed(uv_handle_t *h)
{
    lambda_inst_t *in = h->data;
    if (--in->handles > 0)
        return;
    lambda_fn_t *fn = in->fn;
    rn_buf_free(&in->log);
    rn_free(in);
    if (--fn->alive == 0 && fn->deleted)
        lambda_fn_release(fn);
}

/* Takes the instance out of its function and closes everything it holds;
 * the handles' close callbacks free it. */
static void inst_remove(lambda_inst_t *in)
{
    lambda_fn_t *fn = in->fn;
    for (lambda_inst_t **pp = &fn->insts; *pp; pp = &(*pp)->next)
        if (*pp == in) {
            *pp = in->next;
            break;
        }
    fn->ninst--;
    if (in->state == INST_STARTING)
        fn->nstarting--;
    fn->L->running--;
    if (in->all_prev)
        in->all_prev->all_next = in->all_next;
    else
        fn->L->insts = in->all_next;
    if (in->all_next)
        in->all_next->all_prev = in->all_prev;
    in->state = INST_DEAD;
    in->waiting = NULL;
    fn->L->env.runtime->close(in->ep);
    in->ep = NULL;
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", in->tmp);
    char *slash = strrchr(dir, '/'); /* .../instances/<id>/tmp: remove <id> */
    if (slash) {
        *slash = 0;
        lambda_rm_tree(dir);
    }
    uv_close((uv_handle_t *)&in->timer, inst_closed);
    uv_close((uv_handle_t *)&in->out, inst_closed);
    uv_close((uv_handle_t *)&in->proc, inst_closed);
}

/* {"errorType": type, "errorMessage": "RequestId: <id> Error: <detail>"}, as AWS reports a runtime's failure. */
static char *error_payload(const char *type, const char *id, const char *detail)
{
    char m[512];
    snprintf(m, sizeof m, "RequestId: %s Error: %s", id, detail);
    json_t *o = json_pack("{s:s,s:s}", "errorType", type, "errorMessage", m);
    char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    char *r = s ? rn_strdup(s) : NULL;
    rn_json_free(s);
    return r;
}

/* Reads what the instance wrote and the loop has not read yet: a runtime
 * flushes its output before it posts the response, but the two arrive on
 * different descriptors, so the response may be seen first. */
static void drain_output(lambda_inst_t *in)
{
    uv_os_fd_t fd;
    if (uv_fileno((uv_handle_t *)&in->out, &fd) < 0)
        return;
    char buf[65536];
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n <= 0)
            return; /* EAGAIN: nothing more for now; 0: closed */
        if (in->log.len + (size_t)n <= MAX_LOG)
            rn_buf_add(&in->log, buf, (size_t)n);
    }
}

static void on_exit_cb(uv_process_t *p, int64_t status, int sig)
{
    lambda_inst_t *in = p->data;
    lambda_fn_t *fn = in->fn;
    in->exited = 1;
    in->exit_status = status;
    in->term_signal = sig;
    char detail[64];
    if (sig)
        snprintf(detail, sizeof detail, "Runtime exited with error: signal: %s", sig == SIGKILL ? "killed" : strsignal(sig));
    else if (status)
        snprintf(detail, sizeof detail, "Runtime exited with error: exit status %lld", (long long)status);
    else
        snprintf(detail, sizeof detail, "Runtime exited without providing a reason");
    lambda_inv_t *inv = in->inv;
    int starting = in->state == INST_STARTING;
    in->inv = NULL;
    drain_output(in);
    inst_remove(in);
    if (inv) {
        inv->inst = in; /* for its log lines; the instance is freed only after this turn */
        char *pl = in->timed_out
                       ? NULL
                       : error_payload("Runtime.ExitError", inv->id, detail);
        if (in->timed_out) {
            char t[64];
            snprintf(t, sizeof t, "Task timed out after %.2f seconds",
                     (double)json_integer_value(json_object_get(fn->cfg, "Timeout")));
            pl = error_payload("Sandbox.Timedout", inv->id, t);
        }
        lambda_inv_finish(inv, pl, 0, "Unhandled");
    } else if (starting && (!in->stale || in->timed_out) && fn->qhead && fn->nstarting < fn->qlen) {
        /* it died before asking for work: the invocation it was started for fails */
        lambda_inv_t *head = fn->qhead;
        fn->qhead = head->next;
        if (!fn->qhead)
            fn->qtail = NULL;
        fn->qlen--;
        lambda_inv_finish(head, error_payload("Runtime.ExitError", head->id, detail), 0,
                          "Unhandled");
    }
    lambda_dispatch(fn);
}

static void on_alloc(uv_handle_t *h, size_t want, uv_buf_t *b)
{
    (void)h;
    (void)want;
    static char buf[65536];
    *b = uv_buf_init(buf, sizeof buf);
}

static void on_output(uv_stream_t *s, ssize_t n, const uv_buf_t *b)
{
    lambda_inst_t *in = s->data;
    if (n <= 0)
        return; /* EOF or error: the exit callback does the rest */
    if (in->log.len + (size_t)n <= MAX_LOG)
        rn_buf_add(&in->log, b->base, (size_t)n);
    RN_DEBUG("lambda %s: %.*s", in->fn->name, (int)n, b->base);
}

static void on_timer(uv_timer_t *t)
{
    lambda_inst_t *in = t->data;
    if (in->state == INST_BUSY || in->state == INST_STARTING) /* the invocation's limit, or init's */
        in->timed_out = 1;
    lambda_inst_kill(in);
}

void lambda_inst_kill(lambda_inst_t *in)
{
    in->stale = 1; /* dying: no more work for it */
    if (!in->exited && in->proc.pid > 0)
        kill(-in->proc.pid, SIGKILL);
}

void lambda_insts_close_all(lambda_t *L)
{
    while (L->insts) {
        lambda_inst_t *in = L->insts;
        lambda_inst_kill(in);
        in->exited = 1;
        lambda_inv_t *inv = in->inv;
        in->inv = NULL;
        inst_remove(in); /* closing the process handle: its exit callback never runs */
        lambda_inv_free(inv);
    }
}

int lambda_inst_spawn(lambda_fn_t *fn, char *msg, size_t msglen)
{
    lambda_t *L = fn->L;
    lambda_inst_t *in = rn_calloc(1, sizeof *in);
    if (!in) {
        snprintf(msg, msglen, "out of memory");
        return -1;
    }
    in->fn = fn;
    char id[37], hex[33];
    rn_uuid(id);
    size_t h = 0;
    for (const char *p = id; *p && h < 32; p++)
        if (*p != '-')
            hex[h++] = *p;
    hex[h] = 0;
    time_t now = (time_t)(rn_real_us() / 1000000);
    struct tm tm;
    gmtime_r(&now, &tm);
    snprintf(in->stream, sizeof in->stream, "%04d/%02d/%02d/[%s]%s", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
             fn->version, hex);
    char dir[PATH_MAX], sub[64];
    snprintf(sub, sizeof sub, "/instances/%.36s", id);
    if (join(dir, sizeof dir, L->root, sub) < 0 || join(in->tmp, sizeof in->tmp, dir, "/tmp") < 0) {
        snprintf(msg, msglen, "path too long");
        rn_free(in);
        return -1;
    }
    char opt[PATH_MAX];
    int has_opt = lambda_layers_dir(fn, opt, sizeof opt);
    if (has_opt < 0) {
        snprintf(msg, msglen, "cannot prepare the function's layers");
        rn_free(in);
        return -1;
    }
    char *argv[3], a0[PATH_MAX], a1[PATH_MAX];
    if (command(fn, has_opt == 0 ? opt : NULL, argv, a0, a1, sizeof a0, msg, msglen) < 0) {
        rn_free(in);
        return -1;
    }
    if (mkdir(dir, 0700) < 0 || mkdir(in->tmp, 0700) < 0) {
        snprintf(msg, msglen, "cannot make %s: %s", in->tmp, strerror(errno));
        rn_free(in);
        return -1;
    }
    const rn_runtime_host_t *rt = L->env.runtime;
    if (rt->open(rt->host, lambda_runtime_msg, lambda_runtime_gone, in, &in->ep, in->addr, sizeof in->addr, msg,
                 msglen) < 0) {
        rmdir(in->tmp);
        rmdir(dir);
        rn_free(in);
        return -1;
    }
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) < 0) {
        snprintf(msg, msglen, "pipe: %s", strerror(errno));
        rt->close(in->ep);
        rn_free(in);
        return -1;
    }
    envv_t env = {0};
    build_env(in, has_opt == 0 ? opt : NULL, &env);
    uv_stdio_container_t stdio[3] = {
        {.flags = UV_IGNORE}, {.flags = UV_INHERIT_FD, .data.fd = fds[1]}, {.flags = UV_INHERIT_FD, .data.fd = fds[1]}};
    uv_process_options_t o = {.exit_cb = on_exit_cb,
                              .file = argv[0],
                              .args = argv,
                              .env = env.v,
                              .cwd = fn->code_dir,
                              .flags = UV_PROCESS_DETACHED,
                              .stdio_count = 3,
                              .stdio = stdio};
    in->proc.data = in;
    int rc = uv_spawn(L->env.loop, &in->proc, &o);
    env_free(&env);
    close(fds[1]);
    uv_pipe_init(L->env.loop, &in->out, 0);
    uv_pipe_open(&in->out, fds[0]);
    in->out.data = in;
    uv_timer_init(L->env.loop, &in->timer);
    in->timer.data = in;
    in->handles = 3;
    in->spawned_us = rn_real_us();
    in->state = INST_STARTING;
    in->next = fn->insts;
    fn->insts = in;
    in->all_next = L->insts;
    if (L->insts)
        L->insts->all_prev = in;
    L->insts = in;
    fn->ninst++;
    fn->alive++;
    fn->nstarting++;
    L->running++;
    if (rc < 0) {
        snprintf(msg, msglen, "cannot start %s: %s", argv[0], uv_strerror(rc));
        in->exited = 1;
        inst_remove(in);
        return -1;
    }
    uv_read_start((uv_stream_t *)&in->out, on_alloc, on_output);
    /* Memory: RLIMIT_DATA (heap and private writable mappings) at MemorySize. */
    rlim_t mem = (rlim_t)json_integer_value(json_object_get(fn->cfg, "MemorySize")) * 1024 * 1024;
    struct rlimit rl = {mem, mem};
    if (prlimit(in->proc.pid, RLIMIT_DATA, &rl, NULL) < 0)
        RN_DEBUG("lambda %s: prlimit: %s", fn->name, strerror(errno));
    /* Init may take 10 s; past that AWS retries it within the function's
     * timeout, so an instance gets the longer of the two */
    int64_t limit = json_integer_value(json_object_get(fn->cfg, "Timeout")) * 1000;
    uv_timer_start(&in->timer, on_timer, (uint64_t)(limit > INIT_LIMIT_MS ? limit : INIT_LIMIT_MS), 0);
    return 0;
}

void lambda_inst_give(lambda_inst_t *in, lambda_inv_t *inv)
{
    lambda_fn_t *fn = in->fn;
    rn_runtime_req_t *r = in->waiting;
    in->waiting = NULL;
    in->state = INST_BUSY;
    in->inv = inv;
    inv->inst = in;
    inv->start_us = rn_real_us();
    in->log.len = 0;
    if (in->log.data)
        in->log.data[0] = 0;
    rn_buf_printf(&in->log, "START RequestId: %s Version: %s\n", inv->id, fn->version);
    int64_t timeout_ms = json_integer_value(json_object_get(fn->cfg, "Timeout")) * 1000;
    uv_timer_start(&in->timer, on_timer, (uint64_t)timeout_ms, 0);
    char arn[320];
    if (inv->arn[0])
        snprintf(arn, sizeof arn, "%s", inv->arn);
    else
        lambda_fn_arn(fn->L, fn->name, arn, sizeof arn);
    char trace[128], hex[25];
    uint64_t a = rn_rand64(), b = rn_rand64();
    snprintf(hex, sizeof hex, "%08llx%016llx", (unsigned long long)(a & 0xffffffffu), (unsigned long long)b);
    snprintf(trace, sizeof trace, "Root=1-%08llx-%s;Parent=%016llx;Sampled=0;Lineage=1:0:0",
             (unsigned long long)(inv->start_us / 1000000), hex, (unsigned long long)rn_rand64());
    rn_runtime_invocation_t ri = {.request_id = inv->id,
                                  .deadline_ms = inv->start_us / 1000 + timeout_ms,
                                  .function_arn = arn,
                                  .trace_id = trace,
                                  .client_context = inv->client_context,
                                  .payload = inv->payload,
                                  .len = inv->len};
    fn->L->env.runtime->invoke(r, &ri);
}

void lambda_fn_stop_all(lambda_fn_t *fn, int now)
{
    for (lambda_inst_t *in = fn->insts; in; in = in->next) {
        in->stale = 1;
        if (now || in->state != INST_BUSY)
            lambda_inst_kill(in);
    }
}

void lambda_reap_idle(lambda_t *L, int64_t idle_ms)
{
    int64_t now = rn_real_us() / 1000;
    size_t i = 0;
    const char *k;
    void *v;
    while (rn_smap_next(&L->fns, &i, &k, &v)) {
        lambda_fn_t *fn = v;
        size_t j = 0;
        const char *n;
        void *ver = fn;
        do { /* $LATEST, then each version */
            for (lambda_inst_t *in = ((lambda_fn_t *)ver)->insts; in; in = in->next)
                if (in->state == INST_IDLE && now - in->idle_since_ms > idle_ms)
                    lambda_inst_kill(in);
        } while (rn_smap_next(&fn->versions, &j, &n, &ver));
    }
}

/* ---- the Runtime API's messages ---- */

static const char OK[] = "{\"status\":\"OK\"}";

void lambda_runtime_gone(void *ud, rn_runtime_req_t *r)
{
    lambda_inst_t *in = ud;
    if (in->waiting == r) {
        in->waiting = NULL;
        if (in->state == INST_IDLE)
            lambda_inst_kill(in); /* it stopped waiting for work: it is of no more use */
    }
}

static char *copy_body(const rn_runtime_msg_t *m)
{
    char *s = rn_malloc(m->len + 1);
    if (s) {
        memcpy(s, m->body, m->len);
        s[m->len] = 0;
    }
    return s;
}

/* The payload of an error the runtime posted: its body when it is JSON, else
 * AWS's shape with the error type header. */
static char *error_body(const rn_runtime_msg_t *m)
{
    json_t *j = m->len ? json_loadb(m->body, m->len, 0, NULL) : NULL;
    if (json_is_object(j)) {
        json_decref(j);
        return copy_body(m);
    }
    json_decref(j);
    json_t *o = json_pack("{s:s,s:s}", "errorType", m->error_type ? m->error_type : "Runtime.Unknown",
                          "errorMessage", m->len ? "" : "Unknown error");
    if (o && m->len)
        json_object_set_new(o, "errorMessage", json_stringn(m->body, m->len));
    char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    char *r = s ? rn_strdup(s) : NULL;
    rn_json_free(s);
    return r;
}

void lambda_runtime_msg(void *ud, rn_runtime_req_t *r, const rn_runtime_msg_t *m)
{
    lambda_inst_t *in = ud;
    lambda_fn_t *fn = in->fn;
    const rn_runtime_host_t *rt = fn->L->env.runtime;
    switch (m->kind) {
    case RN_RT_NEXT:
        if (in->waiting || in->inv) { /* one request at a time */
            rt->reply(r, 400, "{\"errorMessage\":\"The runtime already waits for or runs an invocation\","
                              "\"errorType\":\"InvalidStateTransition\"}");
            return;
        }
        if (in->state == INST_STARTING) {
            fn->nstarting--;
            in->init_us = rn_real_us() - in->spawned_us;
            uv_timer_stop(&in->timer);
            drain_output(in); /* what init printed goes before the first START, as on AWS */
            lambda_log_lines(fn, in->stream, in->log.data ? in->log.data : "", in->log.len);
            in->log.len = 0;
        }
        in->state = INST_IDLE;
        in->waiting = r;
        in->idle_since_ms = rn_real_us() / 1000;
        if (in->stale) {
            lambda_inst_kill(in);
            return;
        }
        lambda_dispatch(fn);
        return;
    case RN_RT_RESPONSE:
    case RN_RT_ERROR: {
        lambda_inv_t *inv = in->inv;
        if (!inv || strcmp(inv->id, m->request_id)) {
            rt->reply(r, 400, "{\"errorMessage\":\"Invalid request ID\",\"errorType\":\"InvalidRequestID\"}");
            return;
        }
        uv_timer_stop(&in->timer);
        in->inv = NULL;
        in->state = INST_BUSY; /* until it asks for the next one */
        if (m->kind == RN_RT_RESPONSE && m->len > LAMBDA_MAX_SYNC_PAYLOAD) {
            rt->reply(r, 413, "{\"errorMessage\":\"Exceeded maximum allowed payload size (6291556 bytes).\","
                              "\"errorType\":\"RequestEntityTooLarge\"}");
            lambda_inv_finish(inv,
                              rn_strdup("{\"errorMessage\":\"Response payload size exceeded maximum allowed payload "
                                        "size (6291556 bytes).\",\"errorType\":\"Function.ResponseSizeTooLarge\"}"),
                              0, "Unhandled");
            return;
        }
        drain_output(in);
        /* the message is the request's: take what is needed before answering it */
        size_t len = m->kind == RN_RT_RESPONSE ? m->len : 0;
        char *payload = m->kind == RN_RT_RESPONSE ? copy_body(m) : error_body(m);
        rt->reply(r, 202, OK);
        lambda_inv_finish(inv, payload, len, m->kind == RN_RT_RESPONSE ? NULL : "Unhandled");
        if (in->stale)
            lambda_inst_kill(in);
        return;
    }
    case RN_RT_INIT_ERROR: {
        drain_output(in);
        char *payload = error_body(m);
        rt->reply(r, 202, OK);
        if (in->state == INST_STARTING && fn->qhead) {
            lambda_inv_t *head = fn->qhead;
            fn->qhead = head->next;
            if (!fn->qhead)
                fn->qtail = NULL;
            fn->qlen--;
            head->inst = in;
            lambda_inv_finish(head, payload, 0, "Unhandled");
            payload = NULL;
        }
        rn_free(payload);
        lambda_inst_kill(in);
        return;
    }
    default:
        rt->reply(r, 404, "{\"errorMessage\":\"Not found\",\"errorType\":\"InvalidRequest\"}");
    }
}
