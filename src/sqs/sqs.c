/* SPDX-License-Identifier: MIT
 * The SQS service object: creation, restoring state from the store at
 * start-up (queues, messages with their timers and receive counts, dedup
 * windows, move tasks), the once-a-second sweep, reset and teardown. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/ids.h"
#include "sqs/digest.h"
#include "sqs/msgattr.h"
#include "sqs/msgrec.h"
#include "sqs/sqs_int.h"

#define SQS_ERR_ROW(name, code, shape, status, sender, query_msg) {code, shape, status, sender, query_msg},
static const rn_err_info_t sqs_rows[] = {SQS_ERR_TABLE(SQS_ERR_ROW)};
const rn_err_table_t sqs_errors = {SQS_ERR_FIRST_ + 1, sizeof sqs_rows / sizeof sqs_rows[0], sqs_rows};

static void on_sweep(uv_timer_t *t)
{
    sqs_sweep(t->data);
}

static sqs_queue_t *queue_by_id(sqs_t *s, int64_t qid)
{
    size_t i = 0;
    const char *k;
    void *v;
    while (rn_smap_next(&s->queues, &i, &k, &v))
        if (((sqs_queue_t *)v)->qid == qid)
            return v;
    return NULL;
}

static int load_queue(void *ud, const rn_store_queue_rec_t *r)
{
    sqs_t *s = ud;
    if (!sqs_queue_restore(s, r->qid, r->name, r->state_json))
        RN_WARN("sqs: could not restore queue %s", r->name);
    return 0;
}

/* Reads a version 1 message meta text ({"s":"..","g":"..",...} of plain
 * strings, as sqs_msg_persist wrote it) without building JSON objects;
 * returns 0 when the text needs the full parser (attributes, escapes). */
static int meta_fast(const char *txt, char *buf, size_t n, const char **snd, const char **t, const char **g,
                     const char **d, const char **src)
{
    size_t len = strlen(txt);
    if (len >= n || strchr(txt, '\\') || txt[0] != '{')
        return 0;
    memcpy(buf, txt, len + 1);
    char *p = buf + 1;
    while (*p == '"') {
        char *k = p + 1, *ke = strchr(k, '"');
        if (!ke || ke[1] != ':' || ke[2] != '"')
            return 0;
        *ke = '\0';
        char *v = ke + 3, *ve = strchr(v, '"');
        if (!ve)
            return 0;
        *ve = '\0';
        if (strcmp(k, "s") == 0)
            *snd = v;
        else if (strcmp(k, "t") == 0)
            *t = v;
        else if (strcmp(k, "g") == 0)
            *g = v;
        else if (strcmp(k, "d") == 0)
            *d = v;
        else if (strcmp(k, "src") == 0)
            *src = v;
        else
            return 0;
        p = ve + 1;
        if (*p == ',')
            p++;
    }
    return p[0] == '}' && p[1] == '\0';
}

/* A message recorded before the cold part existed (its meta text holds the
 * sender, trace, group, dedup id, source and attributes): re-recorded in the
 * split form, same seq and state, its body read back. Returns 0 with *group
 * (the FIFO group, a copy) and *from_dlq set, or an error. */
static int migrate_msg(sqs_t *s, sqs_queue_t *q, const rn_store_msg_rec_t *r, char **group, int *from_dlq)
{
    const char *t = NULL, *g = NULL, *d = NULL, *src = NULL, *snd = NULL;
    char fast[1024];
    json_t *meta = NULL, *attrs = NULL;
    if (!meta_fast(r->meta_json, fast, sizeof fast, &snd, &t, &g, &d, &src)) {
        meta = json_loads(r->meta_json, 0, NULL);
        attrs = json_object_get(meta, "a");
        t = json_string_value(json_object_get(meta, "t"));
        g = json_string_value(json_object_get(meta, "g"));
        d = json_string_value(json_object_get(meta, "d"));
        src = json_string_value(json_object_get(meta, "src"));
        snd = json_string_value(json_object_get(meta, "s"));
    }
    char *body = NULL, *cold = NULL;
    size_t blen = r->body_len, clen = 0;
    int rc = 0;
    if (!r->body && (rc = rn_store_msg_read(s->store, r->qid, r->seq, &body, &blen, &cold, &clen)) != 0) {
        RN_ERROR("sqs: cannot read message %lld of queue %s back to migrate it (%d)", (long long)r->seq, q->name, rc);
        json_decref(meta);
        return rc < 0 ? rc : RN_ERR_INTERNAL;
    }
    const char *b = r->body ? r->body : body;
    size_t asize = 0;
    char why[256];
    if (attrs)
        sqs_msgattrs_validate(attrs, 0, &asize, why, sizeof why);
    sqs_cold_t c = {.attr_size = (uint32_t)asize, .sender = snd ? snd : "", .trace = t, .group = g, .dedup = d,
                    .dlq_source = src, .attrs = json_object_size(attrs) ? attrs : NULL};
    sqs_md5_hex(b, blen, c.md5_body);
    s->scratch.len = 0;
    sqs_cold_encode(&s->scratch, &c);
    rn_buf_t mt = {0};
    sqs_meta_encode(&mt, q->fifo ? (g ? g : "") : NULL, src != NULL);
    *group = q->fifo ? rn_strdup(g ? g : "") : NULL;
    *from_dlq = src != NULL;
    if (s->scratch.oom || mt.oom || (q->fifo && !*group)) {
        rc = RN_ERR_NOMEM;
    } else {
        rn_store_msg_rec_t rec = *r;
        rec.body = b;
        rec.body_len = blen;
        rec.meta_json = mt.data;
        rec.cold = s->scratch.data;
        rec.cold_len = s->scratch.len;
        rn_store_msg_put(s->store, &rec);
    }
    rn_buf_free(&mt);
    rn_free(body);
    json_decref(meta);
    return rc;
}

static int load_msg(void *ud, const rn_store_msg_rec_t *r)
{
    sqs_t *s = ud;
    static sqs_queue_t *last;
    if (!last || last->qid != r->qid || rn_smap_get(&s->queues, last->name) != last)
        last = queue_by_id(s, r->qid);
    sqs_queue_t *q = last;
    if (!q)
        return 0;
    char *group = NULL;
    int from_dlq = 0;
    int rc = sqs_meta_decode(r->meta_json ? r->meta_json : "", &group, &from_dlq);
    if (rc == 0)
        rc = migrate_msg(s, q, r, &group, &from_dlq) < 0 ? -1 : 1;
    if (rc < 0) {
        rn_free(group);
        return RN_ERR_NOMEM;
    }
    sqs_msg_t *m = rn_calloc(1, sizeof *m);
    if (!m) {
        rn_free(group);
        return RN_ERR_NOMEM;
    }
    m->q = q;
    m->seq = r->seq;
    m->heap_idx = SQS_NOT_IN_HEAP;
    if (sqs_id_parse(r->id, m->id) < 0) {
        RN_WARN("sqs: message %lld of queue %s has a malformed id; it gets a new one", (long long)r->seq, q->name);
        char id[37];
        rn_uuid(id);
        sqs_id_parse(id, m->id);
    }
    m->from_dlq = (uint8_t)from_dlq;
    m->sent_ms = r->sent_ms;
    m->visible_ms = r->visible_ms;
    m->receive_count = r->receive_count;
    m->first_receive_ms = r->first_receive_ms;
    int64_t now = rn_now_ms();
    m->state = m->visible_ms > now ? (m->receive_count > 0 ? MSG_INFLIGHT : MSG_DELAYED) : MSG_READY;
    if (m->seq > s->next_seq)
        s->next_seq = m->seq;
    rn_imap_put(&s->msgs, m->seq, m);
    sqs_msg_place(m, q->fifo ? (group ? group : "") : NULL);
    rn_free(group);
    return 0;
}

static int load_kv(void *ud, const char *ns, const char *key, const char *value)
{
    sqs_t *s = ud;
    if (strcmp(ns, "dedup") == 0) {
        long long qid = 0, seq = 0, exp = 0;
        char id[64] = {0};
        const char *slash = strchr(key, '/');
        if (!slash || sscanf(key, "%lld/", &qid) != 1 || sscanf(value, "%63s %lld %lld", id, &seq, &exp) != 3)
            return 0;
        sqs_queue_t *q = queue_by_id(s, qid);
        if (!q || exp <= rn_now_ms())
            return 0;
        sqs_dedup_t *d = rn_calloc(1, sizeof *d);
        if (!d)
            return RN_ERR_NOMEM;
        d->key = rn_strdup(slash + 1);
        memcpy(d->msg_id, id, sizeof d->msg_id - 1);
        d->seq = seq;
        d->expires_ms = exp;
        rn_smap_put(&q->dedup, d->key, d);
        /* keep the expiry list ordered */
        sqs_dedup_t **pp = &q->dd_head;
        while (*pp && (*pp)->expires_ms <= exp)
            pp = &(*pp)->next;
        d->next = *pp;
        *pp = d;
        if (!d->next)
            q->dd_tail = d;
    } else if (strcmp(ns, "movetask") == 0) {
        sqs_moves_restore(s, key, value);
    } else if (strcmp(ns, "sqs.next_seq") == 0) {
        long long v = atoll(value);
        if (v > s->next_seq)
            s->next_seq = v;
    }
    return 0;
}

int sqs_new(uv_loop_t *loop, rn_store_t *store, const rn_config_t *cfg, sqs_t **out)
{
    rn_err_register(&sqs_errors);
    sqs_t *s = rn_calloc(1, sizeof *s);
    if (!s)
        return RN_ERR_NOMEM;
    s->loop = loop;
    s->store = store;
    s->cfg = cfg;
    s->deleted = json_object();
    s->next_qid = 1;
    uv_timer_init(loop, &s->timer);
    s->timer.data = s;
    uv_timer_init(loop, &s->sweep);
    s->sweep.data = s;
    uv_timer_start(&s->sweep, on_sweep, 1000, 1000);
    uv_unref((uv_handle_t *)&s->sweep);
    s->loader = (rn_store_loader_t){load_queue, load_msg, load_kv, s};
    *out = s;
    return 0;
}

const rn_store_loader_t *sqs_loader(sqs_t *s)
{
    return &s->loader;
}

void sqs_drain_waiters(sqs_t *s)
{
    size_t i = 0;
    const char *k;
    void *v;
    while (rn_smap_next(&s->queues, &i, &k, &v))
        sqs_waiters_flush(v);
}

static void drop_all(sqs_t *s)
{
    sqs_drain_waiters(s);
    sqs_moves_free(s);
    size_t i = 0;
    const char *k;
    void *v;
    while (rn_smap_next(&s->queues, &i, &k, &v))
        sqs_queue_free(v);
    rn_smap_free(&s->queues);
    rn_imap_free(&s->msgs);
    rn_imap_free(&s->arrivals); /* emptied as the messages went */
    s->heap_len = 0;
    uv_timer_stop(&s->timer);
    json_object_clear(s->deleted);
}

void sqs_reset(sqs_t *s)
{
    drop_all(s);
}

size_t sqs_queue_count(const sqs_t *s)
{
    return s->queues.len;
}

static void on_closed(uv_handle_t *h)
{
    sqs_t *s = h->data;
    if (h == (uv_handle_t *)&s->sweep)
        rn_free(s);
}

void sqs_free(sqs_t *s)
{
    drop_all(s);
    rn_free(s->heap);
    rn_buf_free(&s->scratch);
    json_decref(s->deleted);
    uv_close((uv_handle_t *)&s->timer, NULL);
    uv_close((uv_handle_t *)&s->sweep, on_closed);
}
