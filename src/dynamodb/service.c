/* SPDX-License-Identifier: MIT
 * DynamoDB's entry in the service table: AWS JSON 1.0 (DynamoDB_20120810.),
 * signing name "dynamodb"; one instance per account and region, which
 * reads its tables back at start (their items stay in the store). */
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/mem.h"
#include "dynamodb/ddb.h"
#include "dynamodb/ddb_int.h"
#include "dynamodb/partiql.h"

static const rn_err_info_t ddb_rows[] = {DDB_ERR_TABLE(RN_ERR_ROW)};
const rn_err_table_t ddb_errors = {DDB_ERR_FIRST_ + 1, sizeof ddb_rows / sizeof ddb_rows[0], ddb_rows};

static int create(const rn_service_env_t *env, void **out)
{
    ddb_t *d = rn_calloc(1, sizeof *d);
    if (!d)
        return RN_ERR_NOMEM;
    d->env = *env;
    d->next_kid = 1;
    uv_timer_init(env->loop, &d->keep_timer);
    d->keep_timer.data = d;
    uv_unref((uv_handle_t *)&d->keep_timer);
    uv_timer_init(env->loop, &d->ttl_timer);
    d->ttl_timer.data = d;
    uv_unref((uv_handle_t *)&d->ttl_timer);
    *out = d;
    return 0;
}

static void on_ttl(uv_timer_t *h);

static int load_kv(void *svc, const char *ns, const char *key, const char *value)
{
    (void)svc, (void)ns, (void)key, (void)value;
    return 0; /* tables are read in start(); items are never loaded */
}

/* Expiry runs on the movable clock (core/clock.h): every 10 s. */
static int64_t next_due(void *svc)
{
    ddb_t *d = svc;
    return d->ttl_due ? d->ttl_due : INT64_MAX;
}

static void run_due(void *svc)
{
    ddb_t *d = svc;
    int64_t now = rn_now_ms();
    if (!d->ttl_due || now < d->ttl_due)
        return;
    ddb_ttl_sweep(d);
    d->ttl_due = now + DDB_TTL_SWEEP_MS;
    uv_timer_start(&d->ttl_timer, on_ttl, DDB_TTL_SWEEP_MS, 0);
}

static void on_ttl(uv_timer_t *h)
{
    run_due(h->data);
}

static void start(void *svc)
{
    ddb_t *d = svc;
    rn_store_kv_scan(d->env.store, "ddb.table", NULL, NULL, ddb_table_load, d);
    size_t i = 0;
    const char *k;
    void *v;
    while (rn_smap_next(&d->tables, &i, &k, &v))
        ddb_stream_restore(d, v);
    d->ttl_due = rn_now_ms() + DDB_TTL_SWEEP_MS;
    uv_timer_start(&d->ttl_timer, on_ttl, DDB_TTL_SWEEP_MS, 0);
}

typedef int (*op_fn)(ddb_t *d, rn_call_t *c);
static const struct {
    const char *name;
    op_fn fn;
} ops[] = {
    {"PutItem", ddb_put_item},
    {"GetItem", ddb_get_item},
    {"DeleteItem", ddb_delete_item},
    {"UpdateItem", ddb_update_item},
    {"Query", ddb_query},
    {"Scan", ddb_scan},
    {"BatchGetItem", ddb_batch_get},
    {"BatchWriteItem", ddb_batch_write},
    {"TransactWriteItems", ddb_transact_write},
    {"TransactGetItems", ddb_transact_get},
    {"ExecuteStatement", ddb_execute_statement},
    {"BatchExecuteStatement", ddb_batch_execute_statement},
    {"ExecuteTransaction", ddb_execute_transaction},
};

static int call(void *svc, rn_call_t *c)
{
    ddb_t *d = svc;
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (!strcmp(c->op, ops[i].name)) {
            int rc = ops[i].fn(d, c);
            return rc < 0 && !c->err ? rn_call_fail(c, rc, "%s", rc == RN_ERR_NOMEM ? "Out of memory" : "Internal error")
                                      : rc;
        }
    int rc = ddb_table_op(d, c);
    if (rc <= 0)
        return rc;
    rc = ddb_stream_op(d, c);
    if (rc <= 0)
        return rc;
    return rn_call_fail(c, RN_ERR_UNKNOWN_OPERATION, "The action %s is not valid for this endpoint.", c->op);
}

static void reset(void *svc)
{
    ddb_t *d = svc;
    ddb_tables_clear(d);
    ddb_tokens_clear(d);
    d->next_kid = 1;
}

static json_t *stats(void *svc)
{
    ddb_t *d = svc;
    json_int_t items = 0;
    size_t i = 0;
    const char *k;
    void *v;
    while (rn_smap_next(&d->tables, &i, &k, &v))
        items += ((ddb_table_t *)v)->items;
    return json_pack("{s:I,s:I}", "tables", (json_int_t)d->tables.len, "items", items);
}

static void closed(uv_handle_t *h)
{
    ddb_t *d = h->data;
    if (--d->open_handles == 0)
        rn_free(d);
}

/* At shutdown, before the store closes: the last counts. */
static void drain(void *svc)
{
    ddb_t *d = svc;
    ddb_keep_counts(&d->keep_timer);
}

static void destroy(void *svc)
{
    ddb_t *d = svc; /* the store is closed by now */
    ddb_tables_clear(d);
    ddb_tokens_clear(d);
    d->open_handles = 2;
    uv_close((uv_handle_t *)&d->keep_timer, closed);
    uv_close((uv_handle_t *)&d->ttl_timer, closed);
}

/* Requests of up to 16 MB (25 items of 400 KB in a batch), as AWS takes. */
static size_t body_limit(const char *method, const char *path)
{
    (void)method, (void)path;
    return 16 * 1024 * 1024;
}

static const char *const targets[] = {"DynamoDB_20120810.", "DynamoDBStreams_20120810.", NULL};
static const char *const store_ns[] = {"ddb.", NULL};

const rn_service_t ddb_service = {
    .name = "dynamodb",
    .signing_name = "dynamodb",
    .targets = targets,
    .json_version = 10,
    .json_error_ns = "com.amazonaws.dynamodb.v20120810",
    .body_limit = body_limit,
    .root_health = 1,
    .errors = &ddb_errors,
    .store_ns = store_ns,
    .create = create,
    .load_kv = load_kv,
    .start = start,
    .call = call,
    .reset = reset,
    .drain = drain,
    .next_due = next_due,
    .run_due = run_due,
    .stats = stats,
    .destroy = destroy,
};
