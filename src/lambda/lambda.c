/* SPDX-License-Identifier: MIT
 * The Lambda service instance: its registry of functions, where it keeps
 * code (<data-dir>/lambda/ACCOUNT-REGION/, or a temporary directory with
 * --in-memory), the operations' dispatch, and restoring functions and
 * pending Event invokes from the store. */
#include "lambda/lambda_int.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/params.h"

#ifndef RN_RUNTIMES_DIR
#define RN_RUNTIMES_DIR "runtimes"
#endif

#define IDLE_STOP_MS (300 * 1000) /* an instance idle this long is stopped */

static const rn_err_info_t lambda_rows[] = {LAMBDA_ERR_TABLE(RN_ERR_ROW)};
const rn_err_table_t lambda_errors = {LAMBDA_ERR_FIRST_ + 1, sizeof lambda_rows / sizeof lambda_rows[0], lambda_rows};

void lambda_fn_arn(const lambda_t *L, const char *name, char *buf, size_t len)
{
    snprintf(buf, len, "arn:aws:lambda:%s:%s:function:%s", L->env.cfg->region, L->env.cfg->account_id, name);
}

static int mkdirs(const char *path)
{
    char p[PATH_MAX];
    snprintf(p, sizeof p, "%s", path);
    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = 0;
        if (mkdir(p, 0755) < 0 && errno != EEXIST)
            return -1;
        *s = '/';
    }
    return mkdir(p, 0755) < 0 && errno != EEXIST ? -1 : 0;
}

static void on_reap(uv_timer_t *t)
{
    lambda_reap_idle(t->data, IDLE_STOP_MS);
}

int lambda_new(const rn_service_env_t *env, lambda_t **out)
{
    rn_err_register(&lambda_errors);
    lambda_t *L = rn_calloc(1, sizeof *L);
    if (!L)
        return RN_ERR_NOMEM;
    L->env = *env;
    const char *rt = getenv("RUNNEL_RUNTIMES_DIR");
    snprintf(L->runtimes, sizeof L->runtimes, "%s", rt && *rt ? rt : RN_RUNTIMES_DIR);
    if (env->cfg->in_memory || !env->cfg->data_dir[0]) {
        const char *tmp = getenv("TMPDIR");
        snprintf(L->root, sizeof L->root, "%s/runnel-lambda-XXXXXX", tmp && *tmp ? tmp : "/tmp");
        if (!mkdtemp(L->root)) {
            RN_ERROR("lambda: cannot make a temporary directory: %s", strerror(errno));
            rn_free(L);
            return RN_ERR_INTERNAL;
        }
        L->root_is_tmp = 1;
    } else {
        snprintf(L->root, sizeof L->root, "%s/lambda/%s-%s", env->cfg->data_dir, env->cfg->account_id,
                 env->cfg->region);
        if (mkdirs(L->root) < 0) {
            RN_ERROR("lambda: cannot make %s: %s", L->root, strerror(errno));
            rn_free(L);
            return RN_ERR_INTERNAL;
        }
    }
    char inst[PATH_MAX + 16];
    snprintf(inst, sizeof inst, "%s/instances", L->root);
    lambda_rm_tree(inst); /* what instances of an earlier run left */
    mkdirs(inst);
    uv_timer_init(env->loop, &L->reaper);
    L->reaper.data = L;
    uv_unref((uv_handle_t *)&L->reaper);
    uv_timer_init(env->loop, &L->retry_timer);
    L->retry_timer.data = L;
    uv_unref((uv_handle_t *)&L->retry_timer);
    *out = L;
    return 0;
}

/* Event invokes and event source mappings resume on the loop's first turn,
 * once the server listens: instances started then know its address
 * (AWS_ENDPOINT_URL). */
static void on_boot(uv_timer_t *t)
{
    lambda_t *L = t->data;
    lambda_resume_async(L);
    lambda_esm_start_all(L);
}

void lambda_start(lambda_t *L)
{
    uv_timer_start(&L->reaper, on_reap, 30000, 30000);
    L->reaper_on = 1;
    lambda_layers_resume(L);
    lambda_versions_resume(L);
    uv_timer_start(&L->retry_timer, on_boot, 0, 0);
}

static void drop_all(lambda_t *L)
{
    /* what still runs finishes unseen: no logs, retries or destinations
     * reach what the next user of the server makes */
    L->resetting = 1;
    for (lambda_inst_t *in = L->insts; in; in = in->all_next)
        if (in->inv)
            in->inv->detached = 1;
    lambda_esm_drop_all(L);
    lambda_async_drop(L);
    size_t i = 0;
    const char *name;
    void *v;
    while (rn_smap_next(&L->fns, &i, &name, &v)) {
        lambda_fn_t *fn = v;
        lambda_versions_drop(fn, 0);
        fn->deleted = 1;
        lambda_fn_stop_all(fn, 1);
        lambda_fn_release(fn);
    }
    rn_smap_free(&L->fns);
    memset(&L->fns, 0, sizeof L->fns);
    json_decref(L->layers);
    json_decref(L->layer_counts);
    L->layers = L->layer_counts = NULL;
    L->resetting = 0;
}

void lambda_reset(lambda_t *L)
{
    drop_all(L);
}

void lambda_drain(lambda_t *L)
{
    drop_all(L);
}

static void retry_closed(uv_handle_t *h)
{
    lambda_t *L = h->data;
    if (L->root_is_tmp)
        lambda_rm_tree(L->root);
    rn_free(L);
}

static void reaper_closed(uv_handle_t *h)
{
    lambda_t *L = h->data;
    uv_close((uv_handle_t *)&L->retry_timer, retry_closed);
}

void lambda_free(lambda_t *L)
{
    if (!L)
        return;
    L->closing = 1;
    lambda_insts_close_all(L);
    drop_all(L);
    uv_timer_stop(&L->reaper);
    uv_close((uv_handle_t *)&L->reaper, reaper_closed);
}

json_t *lambda_stats(lambda_t *L)
{
    return json_pack("{s:I,s:I,s:i,s:I}", "functions", (json_int_t)L->fns.len, "eventSourceMappings",
                     (json_int_t)lambda_esm_count(L), "instances", L->running, "invocations",
                     (json_int_t)L->invocations);
}

int lambda_page(rn_call_t *c, const rn_smap_t *m, size_t max, const char *key, json_t *list,
                int (*keep)(void *ud, const char *name), void (*take)(void *ud, const char *name), void *ud)
{
    size_t n;
    const char **names = rn_sorted_keys(m, &n);
    if (!names && n) {
        json_decref(list);
        return RN_ERR_NOMEM;
    }
    rn_page_t pg = {.token = rn_param_str(c->in, "Marker"), .token_is_next = 1, .limit = max};
    size_t next = rn_page_walk(&pg, names, n, keep, take, ud);
    c->out = json_pack("{s:o}", key, list);
    if (next < n)
        json_object_set_new(c->out, "NextMarker", json_string(names[next]));
    rn_free(names);
    return c->out ? 0 : RN_ERR_NOMEM;
}

int lambda_call(lambda_t *L, rn_call_t *c)
{
    const char *op = c->op;
    if (!strcmp(op, "Invoke"))
        return lambda_invoke(L, c);
    if (!strcmp(op, "CreateFunction"))
        return lambda_create_function(L, c);
    if (!strcmp(op, "GetFunction"))
        return lambda_get_function(L, c, 0);
    if (!strcmp(op, "GetFunctionConfiguration"))
        return lambda_get_function(L, c, 1);
    if (!strcmp(op, "ListFunctions"))
        return lambda_list_functions(L, c);
    if (!strcmp(op, "DeleteFunction"))
        return lambda_delete_function(L, c);
    if (!strcmp(op, "UpdateFunctionConfiguration"))
        return lambda_update_config(L, c);
    if (!strcmp(op, "UpdateFunctionCode"))
        return lambda_update_code(L, c);
    if (!strcmp(op, "GetAccountSettings"))
        return lambda_account_settings(L, c);
    if (strstr(op, "EventSourceMapping"))
        return lambda_esm_call(L, c);
    if (!strcmp(op, "PublishVersion") || !strcmp(op, "ListVersionsByFunction") || strstr(op, "Alias"))
        return lambda_version_call(L, c);
    if (strstr(op, "Layer"))
        return lambda_layer_call(L, c);
    if (!strcmp(op, "AddPermission") || !strcmp(op, "RemovePermission") || !strcmp(op, "GetPolicy"))
        return lambda_policy_call(L, c);
    if (strstr(op, "EventInvokeConfig"))
        return lambda_eic_call(L, c);
    if (strstr(op, "FunctionConcurrency"))
        return lambda_concurrency_call(L, c);
    if (!strcmp(op, "TagResource") || !strcmp(op, "UntagResource") || !strcmp(op, "ListTags"))
        return lambda_tags_call(L, c);
    return rn_call_fail(c, RN_ERR_INVALID_ACTION, "The action %s is not valid for this endpoint.", op);
}
