/* SPDX-License-Identifier: MIT
 * DynamoDB Streams: every write to a table whose stream is on appends a
 * stream record (INSERT, MODIFY or REMOVE, with the keys and the images its
 * StreamViewType asks for) to ddb.stream#/<kid>/<seq>, in the same commit as
 * the write; the DynamoDBStreams_20120810 API (ListStreams, DescribeStream,
 * GetShardIterator, GetRecords) reads them back. One shard per stream;
 * records are kept 24 hours (the expiry sweep drops older ones). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/ids.h"
#include "core/json_alloc.h"
#include "core/mem.h"
#include "dynamodb/ddb_int.h"

#define STREAM_NS "ddb.stream#"
#define RETENTION_MS (24LL * 3600 * 1000)
#define MAX_RECORDS 1000

const char *ddb_stream_view(const ddb_table_t *t)
{
    if (!t->stream || !json_is_true(json_object_get(t->stream, "StreamEnabled")))
        return NULL;
    return json_string_value(json_object_get(t->stream, "StreamViewType"));
}

static void record_key(const ddb_table_t *t, uint64_t seq, char *buf, size_t len)
{
    snprintf(buf, len, "%08x/%020" PRIu64, t->kid, seq);
}

static void seq_text(uint64_t seq, char *buf, size_t len)
{
    snprintf(buf, len, "%021" PRIu64, seq);
}

void ddb_stream_arn(const ddb_t *d, const ddb_table_t *t, char *buf, size_t len)
{
    snprintf(buf, len, "arn:aws:dynamodb:%s:%s:table/%s/stream/%s", d->env.cfg->region, d->env.cfg->account_id,
             t->name, t->stream_label);
}

static json_t *keys_of(const ddb_table_t *t, const json_t *item)
{
    json_t *k = json_object();
    json_object_set(k, t->keys.hash, json_object_get(item, t->keys.hash));
    if (t->keys.range)
        json_object_set(k, t->keys.range, json_object_get(item, t->keys.range));
    return k;
}

void ddb_stream_write(ddb_t *d, ddb_table_t *t, const json_t *old, size_t old_size, const json_t *item, size_t item_size)
{
    const char *view = ddb_stream_view(t);
    if (!view || (!old && !item))
        return;
    const json_t *any = item ? item : old;
    json_t *ddb = json_pack("{s:f,s:o}", "ApproximateCreationDateTime", (double)(rn_now_ms() / 1000),
                            "Keys", keys_of(t, any));
    size_t size = ddb_item_size(json_object_get(ddb, "Keys"));
    if (item && (!strcmp(view, "NEW_IMAGE") || !strcmp(view, "NEW_AND_OLD_IMAGES"))) {
        json_object_set(ddb, "NewImage", (json_t *)item);
        size += item_size;
    }
    if (old && (!strcmp(view, "OLD_IMAGE") || !strcmp(view, "NEW_AND_OLD_IMAGES"))) {
        json_object_set(ddb, "OldImage", (json_t *)old);
        size += old_size;
    }
    char seq[32], id[37], key[64];
    uint64_t n = ++t->stream_seq;
    seq_text(n, seq, sizeof seq);
    json_object_set_new(ddb, "SequenceNumber", json_string(seq));
    json_object_set_new(ddb, "SizeBytes", json_integer((json_int_t)size));
    json_object_set_new(ddb, "StreamViewType", json_string(view));
    rn_uuid(id);
    json_t *rec = json_pack("{s:s,s:s,s:s,s:s,s:s,s:o,s:I}", "eventID", id, "eventName",
                            !old ? "INSERT" : !item ? "REMOVE" : "MODIFY", "eventVersion", "1.1", "eventSource",
                            "aws:dynamodb", "awsRegion", d->env.cfg->region, "dynamodb", ddb, "t", (json_int_t)rn_now_ms());
    char *s = rec ? json_dumps(rec, JSON_COMPACT) : NULL;
    json_decref(rec);
    record_key(t, n, key, sizeof key);
    if (s)
        rn_store_kv_put(d->env.store, STREAM_NS, key, s);
    rn_json_free(s);
}

/* ---- after a restart: each table's last sequence number ---- */

static int last_seq(void *ud, const char *key, const char *value)
{
    (void)value;
    const char *slash = strchr(key, '/');
    *(uint64_t *)ud = slash ? strtoull(slash + 1, NULL, 10) : 0;
    return 1;
}

void ddb_stream_restore(ddb_t *d, ddb_table_t *t)
{
    char from[32], to[32];
    snprintf(from, sizeof from, "%08x/", t->kid);
    snprintf(to, sizeof to, "%08x0", t->kid); /* '0' follows '/' */
    uint64_t seq = 0;
    rn_store_kv_rscan(d->env.store, STREAM_NS, from, to, last_seq, &seq);
    if (seq > t->stream_seq)
        t->stream_seq = seq;
}

/* ---- retention ---- */

typedef struct trim {
    int64_t cutoff;
    char last_old[64];
    int n;
} trim_t;

static int trim_one(void *ud, const char *key, const char *value)
{
    trim_t *tr = ud;
    const char *t = strstr(value, "\"t\":");
    int64_t ms = t ? strtoll(t + 4, NULL, 10) : 0;
    if (ms >= tr->cutoff || tr->n >= 100000)
        return 1;
    snprintf(tr->last_old, sizeof tr->last_old, "%s", key);
    tr->n++;
    return 0;
}

void ddb_stream_trim(ddb_t *d, ddb_table_t *t)
{
    char from[32], to[32];
    snprintf(from, sizeof from, "%08x/", t->kid);
    snprintf(to, sizeof to, "%08x0", t->kid);
    trim_t tr = {rn_now_ms() - RETENTION_MS, "", 0};
    rn_store_kv_scan(d->env.store, STREAM_NS, from, to, trim_one, &tr);
    if (tr.n) {
        size_t n = strlen(tr.last_old);
        tr.last_old[n] = '\x01'; /* just past the last old record */
        tr.last_old[n + 1] = '\0';
        rn_store_kv_delete_range(d->env.store, STREAM_NS, from, tr.last_old);
    }
}

void ddb_stream_drop(ddb_t *d, const ddb_table_t *t)
{
    char from[32], to[32];
    snprintf(from, sizeof from, "%08x/", t->kid);
    snprintf(to, sizeof to, "%08x0", t->kid);
    rn_store_kv_delete_range(d->env.store, STREAM_NS, from, to);
}

/* ---- the Streams API ---- */

/* The table whose current stream arn names; NULL with the call failed. */
static ddb_table_t *by_arn(ddb_t *d, rn_call_t *c, const char *arn)
{
    size_t i = 0;
    const char *k;
    void *v;
    char mine[700];
    while (arn && rn_smap_next(&d->tables, &i, &k, &v)) {
        ddb_table_t *t = v;
        if (!ddb_stream_view(t) && !t->stream_label[0])
            continue;
        ddb_stream_arn(d, t, mine, sizeof mine);
        if (!strcmp(mine, arn))
            return t;
    }
    rn_call_fail(c, DDB_ERR_NOT_FOUND, "Requested resource not found: Stream: %s not found", arn ? arn : "null");
    return NULL;
}

static void shard_id(const ddb_table_t *t, char *buf, size_t len)
{
    snprintf(buf, len, "shardId-%020" PRId64 "-%08x", t->created_ms, t->kid);
}

static int list_streams(ddb_t *d, rn_call_t *c)
{
    const char *only = json_string_value(json_object_get(c->in, "TableName"));
    json_t *arr = json_array();
    size_t i = 0;
    const char *k;
    void *v;
    while (rn_smap_next(&d->tables, &i, &k, &v)) {
        ddb_table_t *t = v;
        if (!t->stream_label[0] || (only && strcmp(only, t->name)))
            continue;
        char arn[700];
        ddb_stream_arn(d, t, arn, sizeof arn);
        json_array_append_new(arr, json_pack("{s:s,s:s,s:s}", "StreamArn", arn, "TableName", t->name, "StreamLabel",
                                             t->stream_label));
    }
    c->out = json_pack("{s:o}", "Streams", arr);
    return 0;
}

static int describe_stream(ddb_t *d, rn_call_t *c)
{
    const char *arn = json_string_value(json_object_get(c->in, "StreamArn"));
    ddb_table_t *t = by_arn(d, c, arn);
    if (!t)
        return c->err;
    char shard[64], first[32];
    shard_id(t, shard, sizeof shard);
    seq_text(1, first, sizeof first);
    const char *view = ddb_stream_view(t);
    json_t *keys = json_pack("[{s:s,s:s}]", "AttributeName", t->keys.hash, "KeyType", "HASH");
    if (t->keys.range)
        json_array_append_new(keys, json_pack("{s:s,s:s}", "AttributeName", t->keys.range, "KeyType", "RANGE"));
    c->out = json_pack("{s:{s:s,s:s,s:s,s:s,s:f,s:s,s:o,s:[{s:s,s:{s:s}}]}}", "StreamDescription", "StreamArn", arn,
                       "StreamLabel", t->stream_label, "StreamStatus", view ? "ENABLED" : "DISABLED", "StreamViewType",
                       view ? view : json_string_value(json_object_get(t->stream, "StreamViewType")) ?: "KEYS_ONLY",
                       "CreationRequestDateTime", (double)t->created_ms / 1000.0, "TableName", t->name, "KeySchema",
                       keys, "Shards", "ShardId", shard, "SequenceNumberRange", "StartingSequenceNumber", first);
    return 0;
}

/* Iterators: "<stream arn>|<next sequence number>". */
static int get_shard_iterator(ddb_t *d, rn_call_t *c)
{
    const char *arn = json_string_value(json_object_get(c->in, "StreamArn"));
    ddb_table_t *t = by_arn(d, c, arn);
    if (!t)
        return c->err;
    char shard[64];
    shard_id(t, shard, sizeof shard);
    const char *want = json_string_value(json_object_get(c->in, "ShardId"));
    if (!want || strcmp(want, shard))
        return rn_call_fail(c, DDB_ERR_NOT_FOUND, "Requested resource not found: Shard does not exist");
    const char *type = json_string_value(json_object_get(c->in, "ShardIteratorType"));
    const char *seq = json_string_value(json_object_get(c->in, "SequenceNumber"));
    uint64_t next;
    if (!type)
        return rn_call_fail(c, DDB_ERR_VALIDATION,
                            "1 validation error detected: Value null at 'shardIteratorType' failed to satisfy "
                            "constraint: Member must not be null");
    if (!strcmp(type, "TRIM_HORIZON"))
        next = 0;
    else if (!strcmp(type, "LATEST"))
        next = t->stream_seq + 1;
    else if (!strcmp(type, "AT_SEQUENCE_NUMBER") || !strcmp(type, "AFTER_SEQUENCE_NUMBER")) {
        if (!seq)
            return rn_call_fail(c, DDB_ERR_VALIDATION,
                                "Invalid Request: SequenceNumber must be specified for AT_SEQUENCE_NUMBER or "
                                "AFTER_SEQUENCE_NUMBER shard iterator types");
        next = strtoull(seq, NULL, 10) + (type[0] == 'A' && type[1] == 'F');
    } else {
        return rn_call_fail(c, DDB_ERR_VALIDATION,
                            "1 validation error detected: Value '%s' at 'shardIteratorType' failed to satisfy "
                            "constraint: Member must satisfy enum value set: [AFTER_SEQUENCE_NUMBER, LATEST, "
                            "AT_SEQUENCE_NUMBER, TRIM_HORIZON]",
                            type);
    }
    char it[800];
    snprintf(it, sizeof it, "%s|%" PRIu64, arn, next);
    c->out = json_pack("{s:s}", "ShardIterator", it);
    return 0;
}

typedef struct collect {
    json_t *recs;
    uint64_t last;
    int limit;
} collect_t;

static int take(void *ud, const char *key, const char *value)
{
    collect_t *cl = ud;
    json_t *r = json_loads(value, 0, NULL);
    if (r) {
        json_object_del(r, "t");
        json_array_append_new(cl->recs, r);
    }
    const char *slash = strchr(key, '/');
    cl->last = slash ? strtoull(slash + 1, NULL, 10) : cl->last;
    return (int)json_array_size(cl->recs) >= cl->limit;
}

static int get_records(ddb_t *d, rn_call_t *c)
{
    const char *it = json_string_value(json_object_get(c->in, "ShardIterator"));
    const char *bar = it ? strrchr(it, '|') : NULL;
    if (!bar)
        return rn_call_fail(c, DDB_ERR_VALIDATION, "Invalid ShardIterator");
    char arn[700];
    snprintf(arn, sizeof arn, "%.*s", (int)(bar - it), it);
    ddb_table_t *t = by_arn(d, c, arn);
    if (!t)
        return c->err;
    json_t *lim = json_object_get(c->in, "Limit");
    int limit = lim ? (int)json_integer_value(lim) : MAX_RECORDS;
    if (limit < 1 || limit > MAX_RECORDS)
        return rn_call_fail(c, DDB_ERR_VALIDATION,
                            "1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member "
                            "must have value %s",
                            limit, limit < 1 ? "greater than or equal to 1" : "less than or equal to 1000");
    uint64_t next = strtoull(bar + 1, NULL, 10);
    char from[64], to[32];
    record_key(t, next, from, sizeof from);
    snprintf(to, sizeof to, "%08x0", t->kid);
    collect_t cl = {json_array(), next ? next - 1 : 0, limit};
    int rc = rn_store_kv_scan(d->env.store, STREAM_NS, from, to, take, &cl);
    if (rc < 0) {
        json_decref(cl.recs);
        return rn_call_fail(c, RN_ERR_INTERNAL, "The stream could not be read");
    }
    uint64_t after = json_array_size(cl.recs) ? cl.last + 1 : (next > t->stream_seq + 1 ? next : next);
    char nit[800];
    snprintf(nit, sizeof nit, "%s|%" PRIu64, arn, after ? after : 1);
    c->out = json_pack("{s:o,s:s}", "Records", cl.recs, "NextShardIterator", nit);
    return 0;
}

int ddb_stream_op(ddb_t *d, rn_call_t *c)
{
    if (!strcmp(c->op, "ListStreams"))
        return list_streams(d, c);
    if (!strcmp(c->op, "DescribeStream"))
        return describe_stream(d, c);
    if (!strcmp(c->op, "GetShardIterator"))
        return get_shard_iterator(d, c);
    if (!strcmp(c->op, "GetRecords"))
        return get_records(d, c);
    return 1;
}
