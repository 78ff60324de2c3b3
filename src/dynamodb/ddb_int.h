/* SPDX-License-Identifier: MIT
 * Inside DynamoDB. One ddb_t per account and region owns its tables' control
 * records in RAM (small); items live only in the store, in read-path-only
 * namespaces (store.h), under keys whose byte order is DynamoDB's key order:
 *   ddb.item#  "<kid>/" enc(hash) enc(range)              -> the item (JSON)
 *   ddb.idx#   "<kid>.<iid>/" enc(ih) enc(ir) enc(h) enc(r) -> projected item
 * where kid is the table's key id (never reused, so a deleted table's items
 * can be dropped in the background) and enc is ddb_key_encode. Tables are
 * kept in ddb.table/<name>. Values are AttributeValues in DynamoDB JSON
 * ({"S": "x"}) throughout, jansson trees. Loop only. */
#ifndef RN_DDB_INT_H
#define RN_DDB_INT_H
#include <jansson.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/map.h"
#include "core/service.h"
#include "dynamodb/ddb_err.h"
#include "dynamodb/number.h"

#define DDB_MAX_ITEM 409600        /* 400 KB */
#define DDB_MAX_HASH_KEY 2048
#define DDB_MAX_RANGE_KEY 1024
#define DDB_MAX_DEPTH 32
#define DDB_PAGE_BYTES (1024 * 1024)
#define DDB_TTL_SWEEP_MS 10000

typedef struct ddb_keys {
    char *hash, *range;   /* attribute names; range NULL when none */
    char htype, rtype;    /* 'S', 'N', 'B' */
} ddb_keys_t;

enum { DDB_PROJ_ALL, DDB_PROJ_KEYS, DDB_PROJ_INCLUDE };

typedef struct ddb_index {
    char *name;
    int global;
    uint32_t iid;
    ddb_keys_t keys;
    int proj;
    json_t *nonkey;       /* INCLUDE: array of attribute names */
    int64_t rcu, wcu;     /* GSI, provisioned */
    int creating;         /* GSI being backfilled (UpdateTable) */
} ddb_index_t;

typedef struct ddb_table {
    char *name;
    uint32_t kid;
    char id[37];
    int64_t created_ms;
    ddb_keys_t keys;
    json_t *attr_defs;    /* AttributeDefinitions as given */
    int pay_per_request;
    int64_t rcu, wcu, ppr_since_ms;
    ddb_index_t *idx;
    size_t nidx;
    uint32_t next_iid;
    int deletion_protection;
    json_t *tags;         /* object name -> value */
    char *ttl_attr;       /* TTL attribute, NULL when disabled */
    json_t *stream;       /* StreamSpecification, or NULL */
    char stream_label[40];
    char *table_class;
    int64_t active_at_ms; /* CREATING until then */
    int64_t items, bytes; /* ItemCount, TableSizeBytes */
    uint64_t stream_seq;  /* the last stream record's sequence number */
    int dirty;            /* counts changed since last kept */
} ddb_table_t;

typedef struct ddb {
    rn_service_env_t env;
    rn_smap_t tables;      /* name -> ddb_table_t */
    uint32_t next_kid;
    uv_timer_t keep_timer; /* keeps changed counts once a second */
    uv_timer_t ttl_timer;  /* deletes expired items */
    rn_smap_t tokens;      /* TransactWriteItems ClientRequestToken -> txn_token_t */
    int open_handles;      /* counts down the timers' close callbacks */
    int64_t ttl_due;       /* when expiry next runs (epoch ms, the movable clock) */
} ddb_t;

/* Drops the remembered transaction tokens (batch.c). */
void ddb_tokens_clear(ddb_t *d);

/* ---- values (value.c) ---- */
/* Checks an AttributeValue from a request and puts its numbers in canonical
 * form, in place. 0, or DDB_ERR_VALIDATION with AWS's message. */
int ddb_value_check(json_t *v, int depth, char *msg, size_t len);
/* Checks every attribute of an item (an object name -> AttributeValue). */
int ddb_item_check(json_t *item, char *msg, size_t len);
/* The type letter(s) of a value ("S", "NS", "M"...), or NULL. */
const char *ddb_type(const json_t *v);
/* The value under the single type key. */
json_t *ddb_inner(const json_t *v);
/* Sizes as DynamoDB counts them (attribute names included for items). */
size_t ddb_value_size(const json_t *v);
size_t ddb_item_size(const json_t *item);
/* 1 when a and b are the same value (sets in any order). */
int ddb_value_eq(const json_t *a, const json_t *b);
/* Orders two scalars of one type (S, N, B): <0, 0, >0; 2 when they cannot be
 * ordered (other types, or types differ). */
int ddb_value_cmp(const json_t *a, const json_t *b);
/* 1 when two set members or scalars' texts of kind 'S', 'N' or 'B' are equal. */
int ddb_scalar_eq(char kind, const json_t *a, const json_t *b);
/* Parses an N value's text (canonical already). */
int ddb_value_num(const json_t *v, ddb_num_t *out);
/* Appends the order-preserving encoding of a key value (S, N or B). */
void ddb_key_encode(rn_buf_t *b, const json_t *v);

/* ---- tables (table.c) ---- */
ddb_table_t *ddb_table_get(ddb_t *d, const char *name);
/* The table named by c->in's member `member`, or fails the call with AWS's
 * not-found error (NULL). */
ddb_table_t *ddb_table_for(ddb_t *d, rn_call_t *c, const char *member);
const ddb_index_t *ddb_index_get(const ddb_table_t *t, const char *name);
void ddb_table_keep(ddb_t *d, ddb_table_t *t);
int ddb_table_op(ddb_t *d, rn_call_t *c);
int ddb_table_load(void *ud, const char *key, const char *value);
void ddb_table_free(ddb_table_t *t);
void ddb_tables_clear(ddb_t *d);
json_t *ddb_table_describe(ddb_t *d, const ddb_table_t *t);
/* A stream label (the time as AWS writes it in stream ARNs). */
void ddb_stream_label(char *buf, size_t len, int64_t ms);
/* Fills a new index from the table's items. */
int ddb_index_backfill(ddb_t *d, ddb_table_t *t, const ddb_index_t *ix);
void ddb_ttl_sweep(ddb_t *d);

/* ---- streams (stream.c) ---- */
/* The table's StreamViewType when its stream is on, else NULL. */
const char *ddb_stream_view(const ddb_table_t *t);
void ddb_stream_arn(const ddb_t *d, const ddb_table_t *t, char *buf, size_t len);
/* Appends the stream record of a write (old/item NULL: none) when the stream is on. */
void ddb_stream_write(ddb_t *d, ddb_table_t *t, const json_t *old, size_t old_size, const json_t *item, size_t size);
void ddb_stream_restore(ddb_t *d, ddb_table_t *t);
void ddb_stream_trim(ddb_t *d, ddb_table_t *t);
void ddb_stream_drop(ddb_t *d, const ddb_table_t *t);
/* ListStreams, DescribeStream, GetShardIterator, GetRecords; 1 when op is none of them. */
int ddb_stream_op(ddb_t *d, rn_call_t *c);

/* ---- items in the store (store_items.c) ---- */
/* The primary key of item as a store key (kid/enc...), or -1 with AWS's
 * message when item lacks a key attribute or has the wrong type.
 * what: "item" or "key" (the message differs). */
int ddb_item_key(const ddb_table_t *t, const json_t *item, int is_key, rn_buf_t *key, char *msg, size_t len);
/* A stored record is "<size> <json>": the item's size as DynamoDB counts it,
 * then its JSON. The JSON text (and *size, when not NULL); the item parsed. */
const char *ddb_record_split(const char *value, size_t *size);
json_t *ddb_record_item(const char *value, size_t *size);
/* The stored item at key (a new object) and its size (when size is not
 * NULL), NULL when absent; err set on a store failure. */
json_t *ddb_item_read(ddb_t *d, const char *key, size_t *size, int *err);
/* Writes item of size bytes (NULL: deletes) at key, keeping indexes, the
 * stream and counts. old (of old_size bytes) is the item there before (NULL:
 * none). Sizes are ddb_item_size's, computed once by the caller. */
int ddb_item_write(ddb_t *d, ddb_table_t *t, const char *key, const json_t *old, size_t old_size, const json_t *item,
                   size_t size);
/* The projected copy of item an index keeps, or NULL when the index does not
 * hold it (a key attribute missing). */
json_t *ddb_index_item(const ddb_table_t *t, const ddb_index_t *ix, const json_t *item);
/* The store key of item in index ix (kid.iid/enc...), 0; -1 when absent. */
int ddb_index_key(const ddb_table_t *t, const ddb_index_t *ix, const json_t *item, rn_buf_t *key);
void ddb_index_prefix(const ddb_table_t *t, const ddb_index_t *ix, rn_buf_t *b);
void ddb_table_prefix(const ddb_table_t *t, rn_buf_t *b);
/* Visits the records of ns in [from, to) like rn_store_kv_scan, but in
 * chunks copied out first, so fn may write to the store. */
int ddb_scan_collect(ddb_t *d, const char *ns, const char *from, const char *to, rn_store_kv_fn fn, void *ud);
/* The timer that keeps changed item counts in the tables' records. */
void ddb_keep_counts(uv_timer_t *h);

/* ---- item operations (item.c), reads (read.c), batches (batch.c) ---- */
int ddb_put_item(ddb_t *d, rn_call_t *c);
int ddb_get_item(ddb_t *d, rn_call_t *c);
int ddb_delete_item(ddb_t *d, rn_call_t *c);
int ddb_update_item(ddb_t *d, rn_call_t *c);
int ddb_query(ddb_t *d, rn_call_t *c);
int ddb_scan(ddb_t *d, rn_call_t *c);
int ddb_batch_get(ddb_t *d, rn_call_t *c);
int ddb_batch_write(ddb_t *d, rn_call_t *c);
int ddb_transact_write(ddb_t *d, rn_call_t *c);
int ddb_transact_get(ddb_t *d, rn_call_t *c);

/* ConsumedCapacity for one table (units already computed), or NULL when not asked. */
json_t *ddb_consumed(const rn_call_t *c, const char *table, double units, int read);
#endif
