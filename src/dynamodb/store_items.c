/* SPDX-License-Identifier: MIT
 * A table's items and index entries in the store (ddb_int.h gives the key
 * layout). Every write keeps the table's indexes and its item count and size
 * in step; a table's counts are kept in its record at most once a second. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_alloc.h"
#include "core/json_out.h"
#include "core/mem.h"
#include "dynamodb/ddb_int.h"

void ddb_table_prefix(const ddb_table_t *t, rn_buf_t *b)
{
    rn_buf_printf(b, "%08x/", t->kid);
}

void ddb_index_prefix(const ddb_table_t *t, const ddb_index_t *ix, rn_buf_t *b)
{
    rn_buf_printf(b, "%08x.%04x/", t->kid, ix->iid);
}

static const char *type_name(char t)
{
    return t == 'S' ? "S" : t == 'N' ? "N" : "B";
}

/* Appends the encoding of attribute `name` of item, checked to be of type
 * want: 0, or -1 with AWS's message. */
static int key_part(const json_t *item, const char *name, char want, int is_key, int range, rn_buf_t *b, char *msg,
                    size_t len)
{
    json_t *v = json_object_get(item, name);
    if (!v) {
        if (is_key)
            snprintf(msg, len, "The provided key element does not match the schema");
        else
            snprintf(msg, len, "One or more parameter values were invalid: Missing the key %s in the item", name);
        return -1;
    }
    const char *t = ddb_type(v);
    if (!t || t[1] || t[0] != want) {
        if (is_key)
            snprintf(msg, len, "The provided key element does not match the schema");
        else
            snprintf(msg, len, "One or more parameter values were invalid: Type mismatch for key %s expected: %s actual: %s",
                     name, type_name(want), t ? t : "?");
        return -1;
    }
    json_t *in = ddb_inner(v);
    if ((want == 'S' || want == 'B') && json_string_length(in) == 0) {
        snprintf(msg, len,
                 "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an "
                 "empty %s value. Key: %s",
                 want == 'S' ? "string" : "binary", name);
        return -1;
    }
    size_t sz = ddb_value_size(v);
    if (sz > (size_t)(range ? DDB_MAX_RANGE_KEY : DDB_MAX_HASH_KEY)) {
        snprintf(msg, len,
                 range ? "One or more parameter values were invalid: Aggregated size of all range keys has exceeded the "
                         "size limit of 1024 bytes"
                       : "One or more parameter values were invalid: Size of hashkey has exceeded the maximum size "
                         "limit of2048 bytes");
        return -1;
    }
    ddb_key_encode(b, v);
    return 0;
}

int ddb_item_key(const ddb_table_t *t, const json_t *item, int is_key, rn_buf_t *key, char *msg, size_t len)
{
    if (is_key && json_object_size(item) != (t->keys.range ? 2u : 1u)) {
        snprintf(msg, len, "The provided key element does not match the schema");
        return -1;
    }
    ddb_table_prefix(t, key);
    if (key_part(item, t->keys.hash, t->keys.htype, is_key, 0, key, msg, len) < 0)
        return -1;
    if (t->keys.range && key_part(item, t->keys.range, t->keys.rtype, is_key, 1, key, msg, len) < 0)
        return -1;
    return key->oom ? (snprintf(msg, len, "out of memory"), -1) : 0;
}

json_t *ddb_item_read(ddb_t *d, const char *key, size_t *size, int *err)
{
    char *v = NULL;
    *err = 0;
    int rc = rn_store_kv_get(d->env.store, "ddb.item#", key, &v);
    if (rc != 0) {
        if (rc < 0)
            *err = rc;
        return NULL;
    }
    json_t *o = ddb_record_item(v, size);
    rn_free(v);
    return o;
}

const char *ddb_record_split(const char *value, size_t *size)
{
    char *end;
    unsigned long long n = strtoull(value, &end, 10);
    if (*end != ' ') { /* not a record of ours: no size */
        if (size)
            *size = 0;
        return value;
    }
    if (size)
        *size = (size_t)n;
    return end + 1;
}

json_t *ddb_record_item(const char *value, size_t *size)
{
    return json_loads(ddb_record_split(value, size), 0, NULL);
}

/* The value of an index key attribute of the right type, or NULL. */
static json_t *index_attr(const json_t *item, const char *name, char type)
{
    json_t *v = name ? json_object_get(item, name) : NULL;
    const char *t = v ? ddb_type(v) : NULL;
    return t && !t[1] && t[0] == type ? v : NULL;
}

int ddb_index_key(const ddb_table_t *t, const ddb_index_t *ix, const json_t *item, rn_buf_t *key)
{
    json_t *h = index_attr(item, ix->keys.hash, ix->keys.htype);
    json_t *r = ix->keys.range ? index_attr(item, ix->keys.range, ix->keys.rtype) : NULL;
    if (!h || (ix->keys.range && !r))
        return -1;
    ddb_index_prefix(t, ix, key);
    ddb_key_encode(key, h);
    if (r)
        ddb_key_encode(key, r);
    ddb_key_encode(key, json_object_get(item, t->keys.hash));
    if (t->keys.range)
        ddb_key_encode(key, json_object_get(item, t->keys.range));
    return key->oom ? -1 : 0;
}

json_t *ddb_index_item(const ddb_table_t *t, const ddb_index_t *ix, const json_t *item)
{
    if (ix->proj == DDB_PROJ_ALL)
        return json_incref((json_t *)item);
    json_t *o = json_object();
    const char *keys[4] = {t->keys.hash, t->keys.range, ix->keys.hash, ix->keys.range};
    for (int i = 0; i < 4; i++)
        if (keys[i] && json_object_get(item, keys[i]))
            json_object_set(o, keys[i], json_object_get(item, keys[i]));
    for (size_t i = 0; ix->proj == DDB_PROJ_INCLUDE && i < json_array_size(ix->nonkey); i++) {
        const char *n = json_string_value(json_array_get(ix->nonkey, i));
        if (n && json_object_get(item, n))
            json_object_set(o, n, json_object_get(item, n));
    }
    return o;
}

/* The record of an item of size bytes: its size, a blank, its JSON. */
static char *dump(const json_t *v, size_t size)
{
    rn_buf_t b = {0};
    rn_buf_printf(&b, "%zu ", size);
    rn_json_dump(&b, v);
    if (b.oom) {
        rn_buf_free(&b);
        return NULL;
    }
    return rn_buf_take(&b, NULL);
}

/* item's entry in ix (NULL: none), replacing old's; size: item's. */
static void index_write(ddb_t *d, const ddb_table_t *t, const ddb_index_t *ix, const json_t *old, const json_t *item,
                        size_t size)
{
    rn_buf_t ok = {0}, nk = {0};
    int has_old = old && ddb_index_key(t, ix, old, &ok) == 0;
    int has_new = item && ddb_index_key(t, ix, item, &nk) == 0;
    if (has_old && (!has_new || strcmp(ok.data, nk.data) != 0))
        rn_store_kv_delete(d->env.store, "ddb.idx#", ok.data);
    if (has_new) {
        json_t *p = ddb_index_item(t, ix, item);
        char *s = dump(p, ix->proj == DDB_PROJ_ALL ? size : ddb_item_size(p));
        json_decref(p);
        if (s)
            rn_store_kv_put(d->env.store, "ddb.idx#", nk.data, s);
        rn_free(s);
    }
    rn_buf_free(&ok);
    rn_buf_free(&nk);
}

int ddb_item_write(ddb_t *d, ddb_table_t *t, const char *key, const json_t *old, size_t old_size, const json_t *item,
                   size_t size)
{
    if (item) {
        char *s = dump(item, size);
        if (!s)
            return RN_ERR_NOMEM;
        rn_store_kv_put(d->env.store, "ddb.item#", key, s);
        rn_free(s);
    } else {
        rn_store_kv_delete(d->env.store, "ddb.item#", key);
    }
    for (size_t i = 0; i < t->nidx; i++)
        index_write(d, t, &t->idx[i], old, item, size);
    ddb_stream_write(d, t, old, old_size, item, size);
    t->items += (item ? 1 : 0) - (old ? 1 : 0);
    t->bytes += (int64_t)(item ? size : 0) - (int64_t)(old ? old_size : 0);
    if (!t->dirty) {
        t->dirty = 1;
        if (!uv_is_active((uv_handle_t *)&d->keep_timer))
            uv_timer_start(&d->keep_timer, ddb_keep_counts, 1000, 0);
    }
    return 0;
}

typedef struct backfill {
    ddb_t *d;
    ddb_table_t *t;
    const ddb_index_t *ix;
    int rc;
} backfill_t;

static int backfill_one(void *ud, const char *key, const char *value)
{
    (void)key;
    backfill_t *b = ud;
    size_t size;
    json_t *item = ddb_record_item(value, &size);
    if (item)
        index_write(b->d, b->t, b->ix, NULL, item, size);
    json_decref(item);
    return 0;
}

int ddb_index_backfill(ddb_t *d, ddb_table_t *t, const ddb_index_t *ix)
{
    rn_buf_t from = {0}, to = {0};
    ddb_table_prefix(t, &from);
    ddb_table_prefix(t, &to);
    if (from.oom || to.oom) {
        rn_buf_free(&from);
        rn_buf_free(&to);
        return RN_ERR_NOMEM;
    }
    to.data[to.len - 1]++;
    backfill_t b = {d, t, ix, 0};
    int rc = ddb_scan_collect(d, "ddb.item#", from.data, to.data, backfill_one, &b);
    rn_buf_free(&from);
    rn_buf_free(&to);
    return rc;
}

typedef struct chunk {
    char **k, **v;
    size_t n, cap;
} chunk_t;

static int gather(void *ud, const char *key, const char *value)
{
    chunk_t *c = ud;
    if (c->n == c->cap)
        return 1;
    c->k[c->n] = rn_strdup(key);
    c->v[c->n] = rn_strdup(value);
    if (!c->k[c->n] || !c->v[c->n]) {
        rn_free(c->k[c->n]);
        rn_free(c->v[c->n]);
        return RN_ERR_NOMEM;
    }
    c->n++;
    return 0;
}

int ddb_scan_collect(ddb_t *d, const char *ns, const char *from, const char *to, rn_store_kv_fn fn, void *ud)
{
    chunk_t c = {rn_malloc(1000 * sizeof(char *)), rn_malloc(1000 * sizeof(char *)), 0, 1000};
    char *start = rn_strdup(from);
    int rc = c.k && c.v && start ? 0 : RN_ERR_NOMEM;
    while (!rc) {
        c.n = 0;
        int src = rn_store_kv_scan(d->env.store, ns, start, to, gather, &c);
        if (src < 0)
            rc = src;
        for (size_t i = 0; i < c.n; i++) {
            if (!rc)
                rc = fn(ud, c.k[i], c.v[i]);
            rn_free(c.v[i]);
        }
        if (rc || c.n < c.cap) {
            for (size_t i = 0; i < c.n; i++)
                rn_free(c.k[i]);
            break;
        }
        /* the next chunk starts just after the last key */
        size_t n = strlen(c.k[c.n - 1]);
        char *next = rn_malloc(n + 2);
        if (next) {
            memcpy(next, c.k[c.n - 1], n);
            next[n] = '\x01';
            next[n + 1] = '\0';
        }
        for (size_t i = 0; i < c.n; i++)
            rn_free(c.k[i]);
        rn_free(start);
        start = next;
        if (!start)
            rc = RN_ERR_NOMEM;
    }
    rn_free(start);
    rn_free(c.k);
    rn_free(c.v);
    return rc > 0 ? 0 : rc;
}

void ddb_keep_counts(uv_timer_t *h)
{
    ddb_t *d = h->data;
    size_t i = 0;
    const char *k;
    void *v;
    while (rn_smap_next(&d->tables, &i, &k, &v))
        if (((ddb_table_t *)v)->dirty)
            ddb_table_keep(d, v);
}
