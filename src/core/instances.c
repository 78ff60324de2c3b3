/* SPDX-License-Identifier: MIT
 * Partitions and their service instances. A partition is found by a linear
 * search (there are a handful; the default one is first). Store records of
 * a partition carry "@ACCOUNT/REGION/" before their namespace or queue name
 * and ids offset by partition number × RN_STORE_ID_SPAN; the number of a
 * partition with queues is read back from its queue records, which load
 * first, and any other partition gets a fresh one. */
#include "core/instances.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/mem.h"

#define MAX_SERVICES 32
/* Partitions at most: a request signed for yet another region or account
 * beyond this is refused (InternalFailure) rather than growing without end. */
#define MAX_PARTITIONS 4096

typedef struct partition {
    char account[16];
    char region[64];
    rn_config_t cfg;    /* the server's, with this account and region */
    rn_store_t *store;  /* a view, or the base store for the default */
    int64_t pno;        /* 0 for the default */
    void *inst[MAX_SERVICES];
    int started;
} partition_t;

struct rn_instances {
    uv_loop_t *loop;
    const rn_config_t *cfg;
    /* The base partition: the one whose records carry no prefix. It is the
     * default (account, region) of the run that first wrote the store, kept
     * as the record runnel/base, so a restart with another --region or
     * --account-id still reads every record as the partition it was. */
    char base_account[16];
    char base_region[64];
    rn_store_t *store;
    rn_sinks_t *sinks;
    const rn_runtime_host_t *runtime;
    const rn_service_t *const *table;
    size_t nservices;
    partition_t **parts;
    size_t nparts, cap;
    int64_t next_pno;
    int loading;
};

static partition_t *part_find(rn_instances_t *x, const char *account, const char *region)
{
    for (size_t i = 0; i < x->nparts; i++)
        if (strcmp(x->parts[i]->account, account) == 0 && strcmp(x->parts[i]->region, region) == 0)
            return x->parts[i];
    return NULL;
}

/* Creates the partition (without instances); pno < 0 picks a fresh number. */
static partition_t *part_new(rn_instances_t *x, const char *account, const char *region, int64_t pno)
{
    if (x->nparts == MAX_PARTITIONS)
        return NULL;
    if (x->nparts == x->cap) {
        size_t cap = x->cap ? x->cap * 2 : 8;
        partition_t **p = rn_realloc(x->parts, cap * sizeof *p);
        if (!p)
            return NULL;
        x->parts = p;
        x->cap = cap;
    }
    partition_t *p = rn_calloc(1, sizeof *p);
    if (!p)
        return NULL;
    snprintf(p->account, sizeof p->account, "%s", account);
    snprintf(p->region, sizeof p->region, "%s", region);
    p->cfg = *x->cfg;
    snprintf(p->cfg.account_id, sizeof p->cfg.account_id, "%s", account);
    snprintf(p->cfg.region, sizeof p->cfg.region, "%s", region);
    int dflt = strcmp(account, x->base_account) == 0 && strcmp(region, x->base_region) == 0;
    if (dflt) {
        p->store = x->store;
    } else {
        p->pno = pno > 0 ? pno : x->next_pno;
        if (p->pno >= x->next_pno)
            x->next_pno = p->pno + 1;
        char prefix[96];
        snprintf(prefix, sizeof prefix, "@%s/%s/", account, region);
        if (rn_store_view(x->store, prefix, p->pno * RN_STORE_ID_SPAN, &p->store) < 0) {
            rn_free(p);
            return NULL;
        }
    }
    x->parts[x->nparts++] = p;
    return p;
}

static void *inst_get(rn_instances_t *x, partition_t *p, size_t idx)
{
    if (p->inst[idx])
        return p->inst[idx];
    const rn_service_t *s = x->table[idx];
    if (s->global && p != x->parts[0]) /* one instance, in the default partition */
        return inst_get(x, x->parts[0], idx);
    rn_service_env_t env = {x->loop, p->store, &p->cfg, x->sinks, x->runtime};
    if (s->create(&env, &p->inst[idx]) < 0) {
        p->inst[idx] = NULL;
        return NULL;
    }
    if (!x->loading && s->start)
        s->start(p->inst[idx]);
    return p->inst[idx];
}

void *rn_instances_get(rn_instances_t *x, size_t idx, const char *account, const char *region)
{
    if (idx >= x->nservices)
        return NULL;
    partition_t *p = x->parts[0];
    if (strcmp(p->account, account) != 0 || strcmp(p->region, region) != 0) {
        p = part_find(x, account, region);
        if (!p && !(p = part_new(x, account, region, -1)))
            return NULL;
    }
    return inst_get(x, p, idx);
}

/* ---- delivery and taps ---- */

/* arn:PARTITION:SERVICE:REGION:ACCOUNT:... → region and account */
static int arn_place(const char *arn, char region[64], char account[16])
{
    const char *f = arn;
    for (int i = 0; i < 3; i++)
        if (!(f = strchr(f, ':')) || !*++f)
            return -1;
    const char *e = strchr(f, ':');
    const char *a = e ? e + 1 : NULL, *ae = a ? strchr(a, ':') : NULL;
    if (!ae || e - f >= 64 || ae - a >= 16)
        return -1;
    snprintf(region, 64, "%.*s", (int)(e - f), f);
    snprintf(account, 16, "%.*s", (int)(ae - a), a);
    return 0;
}

typedef struct sink_ud {
    rn_instances_t *x;
    size_t idx;
} sink_ud_t;

static sink_ud_t sink_uds[MAX_SERVICES];

static int deliver(void *ud, const char *arn, const rn_message_t *m, char *msg, size_t msglen)
{
    sink_ud_t *u = ud;
    char region[64], account[16];
    partition_t *p = arn_place(arn, region, account) == 0 ? part_find(u->x, account, region) : NULL;
    void *inst = p ? p->inst[u->idx] : NULL;
    if (!inst) { /* no such partition or service there: nothing exists at that ARN */
        snprintf(msg, msglen, "The specified resource %s does not exist.", arn);
        return RN_ERR_NOT_FOUND;
    }
    return u->x->table[u->idx]->deliver(inst, arn, m, msg, msglen);
}

/* An operation of another service, in the call's partition (rn_sinks_call). */
static int route_call(void *ud, rn_call_t *c)
{
    rn_instances_t *x = ud;
    for (size_t i = 0; x->table[i]; i++) {
        if (!c->service || strcmp(x->table[i]->name, c->service))
            continue;
        void *inst = rn_instances_get(x, i, c->account, c->region);
        if (!inst)
            return rn_call_fail(c, RN_ERR_INTERNAL, "Account %s in region %s could not be served.", c->account,
                                c->region);
        return x->table[i]->call(inst, c);
    }
    return rn_call_fail(c, RN_ERR_NOT_FOUND, "No service %s.", c->service ? c->service : "");
}

/* Runnel's own metrics: every started instance's, with its partition. */
typedef struct {
    rn_metric_part_fn fn;
    void *ud;
    const partition_t *p;
} metrics_ctx_t;

static void metric_of_part(void *ud, const rn_metric_t *m)
{
    metrics_ctx_t *mc = ud;
    mc->fn(mc->ud, mc->p->account, mc->p->region, m);
}

static void collect_metrics(void *ud, rn_metric_part_fn fn, void *fn_ud)
{
    rn_instances_t *x = ud;
    for (size_t k = 0; k < x->nparts; k++) {
        metrics_ctx_t mc = {fn, fn_ud, x->parts[k]};
        for (size_t i = 0; i < x->nservices; i++)
            if (x->parts[k]->inst[i] && x->table[i]->metrics)
                x->table[i]->metrics(x->parts[k]->inst[i], metric_of_part, &mc);
    }
}

/* A tapped item reaches the listener in the partition of its source ARN
 * only: one account never sees another's events. */
static void tap(void *ud, const char *source, const char *body, size_t len)
{
    sink_ud_t *u = ud;
    char region[64], account[16];
    partition_t *p = source && arn_place(source, region, account) == 0 ? part_find(u->x, account, region) : NULL;
    if (p && p->inst[u->idx])
        u->x->table[u->idx]->tap(p->inst[u->idx], source, body, len);
}

/* ---- loading ---- */

/* The partition a record belongs to, created on first sight; *rest is the
 * name without the partition's prefix. */
static partition_t *part_of(rn_instances_t *x, const char *name, int64_t pno, const char **rest)
{
    char account[16], region[64];
    if (!rn_store_view_split(name, account, region, rest)) {
        *rest = name;
        return x->parts[0];
    }
    partition_t *p = part_find(x, account, region);
    return p ? p : part_new(x, account, region, pno);
}

static partition_t *part_by_pno(rn_instances_t *x, int64_t pno)
{
    for (size_t i = 0; i < x->nparts; i++)
        if (x->parts[i]->pno == pno)
            return x->parts[i];
    return NULL;
}

static int load_queue(void *ud, const rn_store_queue_rec_t *q)
{
    rn_instances_t *x = ud;
    const char *name;
    if (q->qid / RN_STORE_ID_SPAN >= x->next_pno) /* never hand out a number in use */
        x->next_pno = q->qid / RN_STORE_ID_SPAN + 1;
    partition_t *p = part_of(x, q->name, q->qid / RN_STORE_ID_SPAN, &name);
    for (size_t i = 0; p && i < x->nservices; i++)
        if (x->table[i]->owns_queue_records) {
            void *inst = inst_get(x, p, i);
            rn_store_queue_rec_t r = {q->qid - p->pno * RN_STORE_ID_SPAN, name, q->state_json};
            return inst ? x->table[i]->load_queue(inst, &r) : RN_ERR_NOMEM;
        }
    return p ? 0 : RN_ERR_NOMEM;
}

static int load_msg(void *ud, const rn_store_msg_rec_t *m)
{
    rn_instances_t *x = ud;
    partition_t *p = part_by_pno(x, m->qid / RN_STORE_ID_SPAN);
    for (size_t i = 0; p && i < x->nservices; i++)
        if (x->table[i]->owns_queue_records && p->inst[i]) {
            rn_store_msg_rec_t r = *m;
            r.qid -= p->pno * RN_STORE_ID_SPAN;
            r.seq -= p->pno * RN_STORE_ID_SPAN;
            return x->table[i]->load_msg(p->inst[i], &r);
        }
    return 0; /* a message whose queue is gone */
}

static int load_kv(void *ud, const char *pns, const char *key, const char *value)
{
    rn_instances_t *x = ud;
    const char *ns;
    partition_t *p = part_of(x, pns, -1, &ns);
    if (!p)
        return RN_ERR_NOMEM;
    for (size_t i = 0; i < x->nservices; i++) {
        const rn_service_t *s = x->table[i];
        for (const char *const *n = s->store_ns; n && *n; n++)
            if (strncmp(ns, *n, strlen(*n)) == 0) {
                void *inst = inst_get(x, p, i);
                return !inst ? RN_ERR_NOMEM : s->load_kv ? s->load_kv(inst, ns, key, value) : 0;
            }
    }
    return 0; /* a record no service keeps any more */
}

/* Records which partition the unprefixed records are (see base_account). */
static void put_base(rn_instances_t *x)
{
    char v[96];
    snprintf(v, sizeof v, "%s/%s", x->base_account, x->base_region);
    if (rn_store_durable(x->store))
        rn_store_kv_put(x->store, "runnel", "base", v);
}

int rn_instances_open(uv_loop_t *loop, const rn_config_t *cfg, rn_store_t *store, rn_sinks_t *sinks,
                      const rn_runtime_host_t *runtime, const rn_service_t *const *table, rn_instances_t **out,
                      char *msg, size_t msglen)
{
    rn_instances_t *x = rn_calloc(1, sizeof *x);
    if (!x)
        return snprintf(msg, msglen, "out of memory"), -1;
    *out = x;
    x->loop = loop;
    x->cfg = cfg;
    x->store = store;
    x->sinks = sinks;
    x->runtime = runtime;
    rn_sinks_set_router(sinks, route_call, x);
    rn_sinks_set_metrics(sinks, collect_metrics, x);
    x->table = table;
    x->next_pno = 1;
    x->loading = 1;
    char *base = NULL;
    const char *slash;
    if (rn_store_kv_get(store, "runnel", "base", &base) == 0 && (slash = strchr(base, '/')) &&
        (size_t)(slash - base) < sizeof x->base_account && strlen(slash + 1) < sizeof x->base_region) {
        snprintf(x->base_account, sizeof x->base_account, "%.*s", (int)(slash - base), base);
        snprintf(x->base_region, sizeof x->base_region, "%s", slash + 1);
    } else {
        snprintf(x->base_account, sizeof x->base_account, "%s", cfg->account_id);
        snprintf(x->base_region, sizeof x->base_region, "%s", cfg->region);
        put_base(x);
    }
    rn_free(base);
    if (!part_new(x, x->base_account, x->base_region, 0))
        return snprintf(msg, msglen, "out of memory"), -1;
    for (size_t i = 0; table[i]; i++) {
        const rn_service_t *s = table[i];
        if (i == MAX_SERVICES)
            return snprintf(msg, msglen, "too many services"), -1;
        if (s->errors && rn_err_register(s->errors) < 0)
            return snprintf(msg, msglen, "%s's error codes overlap another service's (or too many tables)", s->name),
                   -1;
        x->nservices = i + 1;
        sink_uds[i] = (sink_ud_t){x, i};
        if ((s->sink_service && rn_sinks_add(sinks, s->sink_service, deliver, &sink_uds[i]) < 0) ||
            (s->tap_topic && rn_sinks_tap(sinks, s->tap_topic, tap, &sink_uds[i]) < 0))
            return snprintf(msg, msglen, "out of memory"), -1;
        if (!inst_get(x, x->parts[0], i))
            return snprintf(msg, msglen, "out of memory starting %s", s->name), -1;
    }
    rn_store_loader_t all = {load_queue, load_msg, load_kv, x};
    if (rn_store_load(store, &all) < 0)
        return snprintf(msg, msglen, "could not restore state from %s", cfg->data_dir), -1;
    x->loading = 0;
    for (size_t k = 0; k < x->nparts; k++)
        for (size_t i = 0; i < x->nservices; i++)
            if (x->parts[k]->inst[i] && table[i]->start)
                table[i]->start(x->parts[k]->inst[i]);
    return 0;
}

int rn_instances_credential(rn_instances_t *x, const char *akid, rn_credential_t *out)
{
    for (size_t k = 0; k < x->nparts; k++)
        for (size_t i = 0; i < x->nservices; i++)
            if (x->parts[k]->inst[i] && x->table[i]->credential &&
                x->table[i]->credential(x->parts[k]->inst[i], akid, out) == 0)
                return 0;
    return -1;
}

/* Adds the integer members of src into dst. */
static void sum_into(json_t *dst, const json_t *src)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)src, k, v)
    {
        if (json_is_integer(v))
            json_object_set_new(dst, k, json_integer(json_integer_value(json_object_get(dst, k)) +
                                                     json_integer_value(v)));
    }
}

json_t *rn_instances_stats(rn_instances_t *x)
{
    json_t *totals = json_object();
    for (size_t i = 0; i < x->nservices; i++)
        json_object_set_new(totals, x->table[i]->name, json_object());
    for (size_t k = 0; k < x->nparts; k++) {
        partition_t *p = x->parts[k];
        for (size_t i = 0; i < x->nservices; i++) {
            const rn_service_t *s = x->table[i];
            if (!p->inst[i] || !s->stats)
                continue;
            json_t *st = s->stats(p->inst[i]);
            if (!st)
                continue;
            json_t *total = json_object_get(totals, s->name);
            sum_into(total, st);
            if (s->global) {
                json_decref(st);
                continue;
            }
            json_t *regions = json_object_get(total, "regions");
            if (!regions)
                json_object_set_new(total, "regions", regions = json_object());
            json_t *r = json_object_get(regions, p->region);
            if (!r)
                json_object_set_new(regions, p->region, r = json_object());
            json_object_set_new(r, p->account, st);
        }
    }
    return totals;
}

/* The earliest due time of any instance, INT64_MAX when none. */
static int64_t next_due(rn_instances_t *x)
{
    int64_t due = INT64_MAX;
    for (size_t k = 0; k < x->nparts; k++)
        for (size_t i = 0; i < x->nservices; i++)
            if (x->parts[k]->inst[i] && x->table[i]->next_due) {
                int64_t d = x->table[i]->next_due(x->parts[k]->inst[i]);
                if (d < due)
                    due = d;
            }
    return due;
}

static void run_due(rn_instances_t *x)
{
    for (size_t k = 0; k < x->nparts; k++)
        for (size_t i = 0; i < x->nservices; i++)
            if (x->parts[k]->inst[i] && x->table[i]->run_due)
                x->table[i]->run_due(x->parts[k]->inst[i]);
}

/* More steps than this (a schedule every minute for two years) and the rest
 * of the way is one jump: what is due then runs at the end. */
#define MAX_STEPS 1000000

void rn_instances_advance(rn_instances_t *x, int64_t ms)
{
    int64_t target = rn_now_ms() + (ms > 0 ? ms : 0);
    for (long steps = 0; steps < MAX_STEPS; steps++) {
        int64_t due = next_due(x), now = rn_now_ms();
        if (due > target)
            break;
        if (due > now)
            rn_clock_shift(due - now);
        run_due(x);
    }
    int64_t now = rn_now_ms();
    if (target > now)
        rn_clock_shift(target - now);
    run_due(x);
}

void rn_instances_reset(rn_instances_t *x)
{
    for (size_t k = 0; k < x->nparts; k++)
        for (size_t i = 0; i < x->nservices; i++)
            if (x->parts[k]->inst[i] && x->table[i]->reset)
                x->table[i]->reset(x->parts[k]->inst[i]);
    rn_store_reset(x->store);
    put_base(x);
}

void rn_instances_drain(rn_instances_t *x)
{
    for (size_t k = 0; k < x->nparts; k++)
        for (size_t i = 0; i < x->nservices; i++)
            if (x->parts[k]->inst[i] && x->table[i]->drain)
                x->table[i]->drain(x->parts[k]->inst[i]);
}

void rn_instances_close(rn_instances_t *x)
{
    if (!x)
        return;
    for (size_t k = x->nparts; k-- > 0;) {
        partition_t *p = x->parts[k];
        /* a service that delivers to another is freed before it */
        for (size_t i = x->nservices; i-- > 0;)
            if (p->inst[i])
                x->table[i]->destroy(p->inst[i]);
        if (p->store != x->store)
            rn_store_close(p->store);
        rn_free(p);
    }
    rn_free(x->parts);
    rn_free(x);
}
