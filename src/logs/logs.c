/* SPDX-License-Identifier: MIT
 * CloudWatch Logs: groups, streams and events in RAM, each change kept in
 * the store (logs.group/<group>, logs.stream/<group>\t<stream>,
 * logs.ev/<group>\t<stream>\t<seq>), read back at start in that order.
 * Events keep their arrival order in a stream; a sweep once a minute drops
 * what a group's retention no longer keeps. Owns everything it holds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/json_alloc.h"
#include "core/log.h"
#include "core/map.h"
#include "core/mem.h"
#include "core/params.h"
#include "logs/logs.h"
#include "logs/logs_err.h"

#define MAX_BATCH_EVENTS 10000
#define MAX_BATCH_BYTES 1048576
#define EVENT_OVERHEAD 26

typedef struct {
    int64_t t, ingest;
    uint64_t seq;
    char *msg;
} event_t;

typedef struct {
    char *name;
    int64_t created;
    event_t *ev;
    size_t n, cap;
} stream_t;

typedef struct {
    char *name;
    int64_t created;
    int retention; /* days, 0: forever */
    json_t *tags;
    rn_smap_t streams;
} group_t;

typedef struct logs {
    rn_service_env_t env;
    rn_smap_t groups;
    uint64_t seq;
    uv_timer_t sweep;
} logs_t;

static const rn_err_info_t logs_rows[] = {LOGS_ERR_TABLE(RN_ERR_ROW)};
const rn_err_table_t logs_errors = {LOGS_ERR_FIRST_ + 1, sizeof logs_rows / sizeof logs_rows[0], logs_rows};

/* ---- keeping ---- */

static void ev_key(const group_t *g, const stream_t *s, uint64_t seq, char *key, size_t len)
{
    snprintf(key, len, "%s\t%s\t%016llx", g->name, s->name, (unsigned long long)seq);
}

static void keep_group(logs_t *L, const group_t *g)
{
    json_t *o = json_pack("{s:I,s:i,s:O}", "created", (json_int_t)g->created, "retention", g->retention, "tags",
                          g->tags);
    char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (s)
        rn_store_kv_put(L->env.store, "logs.group", g->name, s);
    rn_json_free(s);
}

static void stream_free(stream_t *s)
{
    for (size_t i = 0; i < s->n; i++)
        rn_free(s->ev[i].msg);
    rn_free(s->ev);
    rn_free(s->name);
    rn_free(s);
}

static void group_free(group_t *g)
{
    size_t i = 0;
    const char *k;
    void *v;
    while (rn_smap_next(&g->streams, &i, &k, &v))
        stream_free(v);
    rn_smap_free(&g->streams);
    json_decref(g->tags);
    rn_free(g->name);
    rn_free(g);
}

static group_t *group_new(logs_t *L, const char *name, int64_t created)
{
    group_t *g = rn_calloc(1, sizeof *g);
    if (!g || !(g->name = rn_strdup(name))) {
        rn_free(g);
        return NULL;
    }
    g->created = created;
    g->tags = json_object();
    if (rn_smap_put(&L->groups, name, g) < 0) {
        group_free(g);
        return NULL;
    }
    return g;
}

static stream_t *stream_new(group_t *g, const char *name, int64_t created)
{
    stream_t *s = rn_calloc(1, sizeof *s);
    if (!s || !(s->name = rn_strdup(name))) {
        rn_free(s);
        return NULL;
    }
    s->created = created;
    if (rn_smap_put(&g->streams, name, s) < 0) {
        stream_free(s);
        return NULL;
    }
    return s;
}

static void keep_stream(logs_t *L, const group_t *g, const stream_t *s)
{
    char key[1200], val[64];
    snprintf(key, sizeof key, "%s\t%s", g->name, s->name);
    snprintf(val, sizeof val, "{\"created\":%lld}", (long long)s->created);
    rn_store_kv_put(L->env.store, "logs.stream", key, val);
}

/* Length of the valid UTF-8 sequence at p (of n bytes), or 0. */
static size_t utf8_seq(const unsigned char *p, size_t n)
{
    size_t need = p[0] < 0x80 ? 1 : (p[0] & 0xe0) == 0xc0 ? 2 : (p[0] & 0xf0) == 0xe0 ? 3 : (p[0] & 0xf8) == 0xf0 ? 4 : 0;
    if (!need || need > n || (need == 2 && p[0] < 0xc2))
        return 0;
    for (size_t i = 1; i < need; i++)
        if ((p[i] & 0xc0) != 0x80)
            return 0;
    if ((need == 3 && p[0] == 0xe0 && p[1] < 0xa0) || (need == 3 && p[0] == 0xed && p[1] >= 0xa0) ||
        (need == 4 && p[0] == 0xf0 && p[1] < 0x90) || (need == 4 && (p[0] > 0xf4 || (p[0] == 0xf4 && p[1] >= 0x90))))
        return 0;
    return need;
}

/* msg with every byte that is not valid UTF-8 replaced by U+FFFD (a
 * function may print anything; events are text). Caller frees. */
static char *utf8_clean(const char *msg, size_t len, size_t *out)
{
    char *r = rn_malloc(len * 3 + 1), *w = r;
    if (!r)
        return NULL;
    const unsigned char *p = (const unsigned char *)msg, *end = p + len;
    while (p < end) {
        size_t n = *p ? utf8_seq(p, (size_t)(end - p)) : 0;
        if (n) {
            memcpy(w, p, n);
            w += n;
            p += n;
        } else {
            memcpy(w, "\xef\xbf\xbd", 3);
            w += 3;
            p++;
        }
    }
    *w = 0;
    *out = (size_t)(w - r);
    return r;
}

static int add_event(logs_t *L, group_t *g, stream_t *s, int64_t t, const char *msg, size_t len, int keep)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        event_t *ev = rn_realloc(s->ev, cap * sizeof *ev);
        if (!ev)
            return RN_ERR_NOMEM;
        s->ev = ev;
        s->cap = cap;
    }
    event_t *e = &s->ev[s->n];
    if (!(e->msg = utf8_clean(msg, len, &len)))
        return RN_ERR_NOMEM;
    msg = e->msg;
    e->t = t;
    e->ingest = rn_now_ms();
    e->seq = ++L->seq;
    s->n++;
    if (keep) {
        char key[1300];
        ev_key(g, s, e->seq, key, sizeof key);
        json_t *o = json_pack("{s:I,s:I,s:s%}", "t", (json_int_t)t, "i", (json_int_t)e->ingest, "m", msg, len);
        char *v = o ? json_dumps(o, JSON_COMPACT) : NULL;
        json_decref(o);
        if (v)
            rn_store_kv_put(L->env.store, "logs.ev", key, v);
        rn_json_free(v);
    }
    return 0;
}

static void forget_stream(logs_t *L, group_t *g, stream_t *s)
{
    char key[1300];
    for (size_t i = 0; i < s->n; i++) {
        ev_key(g, s, s->ev[i].seq, key, sizeof key);
        rn_store_kv_delete(L->env.store, "logs.ev", key);
    }
    snprintf(key, sizeof key, "%s\t%s", g->name, s->name);
    rn_store_kv_delete(L->env.store, "logs.stream", key);
}

/* ---- lookups with AWS's errors ---- */

static group_t *find_group(logs_t *L, rn_call_t *c, const char *name)
{
    const char *id = rn_param_str(c->in, "logGroupIdentifier");
    if (!name && id) /* an identifier may be the group's ARN */
        name = strstr(id, ":log-group:") ? strstr(id, ":log-group:") + 11 : id;
    char buf[600];
    if (name) {
        snprintf(buf, sizeof buf, "%s", name);
        size_t n = strlen(buf);
        if (n > 2 && !strcmp(buf + n - 2, ":*"))
            buf[n - 2] = 0;
    }
    group_t *g = name ? rn_smap_get(&L->groups, buf) : NULL;
    if (!g)
        rn_call_fail(c, LOGS_ERR_NOT_FOUND, "The specified log group does not exist.");
    return g;
}

static stream_t *find_stream(group_t *g, rn_call_t *c, const char *name)
{
    stream_t *s = name ? rn_smap_get(&g->streams, name) : NULL;
    if (!s)
        rn_call_fail(c, LOGS_ERR_NOT_FOUND, "The specified log stream does not exist.");
    return s;
}

static int name_ok(const char *n, size_t max, int group)
{
    size_t l = n ? strlen(n) : 0;
    if (l < 1 || l > max)
        return 0;
    for (const char *p = n; *p; p++)
        if (group ? !(strchr("._-/#", *p) || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                      (*p >= '0' && *p <= '9'))
                  : (*p == ':' || *p == '*'))
            return 0;
    return 1;
}

/* ---- operations ---- */

static void group_arn(const logs_t *L, const char *name, char *buf, size_t len)
{
    snprintf(buf, len, "arn:aws:logs:%s:%s:log-group:%s", L->env.cfg->region, L->env.cfg->account_id, name);
}

static json_t *group_view(const logs_t *L, const group_t *g)
{
    char arn[700], star[710];
    group_arn(L, g->name, arn, sizeof arn);
    snprintf(star, sizeof star, "%s:*", arn);
    uint64_t bytes = 0;
    size_t i = 0;
    const char *k;
    void *v;
    while (rn_smap_next(&g->streams, &i, &k, &v))
        for (size_t j = 0; j < ((stream_t *)v)->n; j++)
            bytes += strlen(((stream_t *)v)->ev[j].msg);
    json_t *o = json_pack("{s:s,s:I,s:i,s:s,s:I,s:s,s:s}", "logGroupName", g->name, "creationTime",
                          (json_int_t)g->created, "metricFilterCount", 0, "arn", star, "storedBytes",
                          (json_int_t)bytes, "logGroupClass", "STANDARD", "logGroupArn", arn);
    if (g->retention)
        json_object_set_new(o, "retentionInDays", json_integer(g->retention));
    return o;
}

static group_t *create_group(logs_t *L, const char *name)
{
    group_t *g = group_new(L, name, rn_now_ms());
    if (g)
        keep_group(L, g);
    return g;
}

static int op_create_group(logs_t *L, rn_call_t *c)
{
    const char *name = rn_param_str(c->in, "logGroupName");
    if (!name_ok(name, 512, 1))
        return rn_call_fail(c, LOGS_ERR_VALIDATION,
                            "1 validation error detected: Value '%s' at 'logGroupName' failed to satisfy constraint: "
                            "Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+",
                            name ? name : "null");
    if (rn_smap_get(&L->groups, name))
        return rn_call_fail(c, LOGS_ERR_ALREADY_EXISTS, "The specified log group already exists");
    group_t *g = group_new(L, name, rn_now_ms());
    if (!g)
        return RN_ERR_NOMEM;
    json_t *tags = json_object_get(c->in, "tags");
    if (json_is_object(tags))
        json_object_update(g->tags, tags);
    keep_group(L, g);
    c->out = json_object();
    return 0;
}

static void drop_group(logs_t *L, group_t *g)
{
    size_t i = 0;
    const char *k;
    void *v;
    while (rn_smap_next(&g->streams, &i, &k, &v))
        forget_stream(L, g, v);
    rn_store_kv_delete(L->env.store, "logs.group", g->name);
    rn_smap_del(&L->groups, g->name);
    group_free(g);
}

static int op_delete_group(logs_t *L, rn_call_t *c)
{
    group_t *g = find_group(L, c, rn_param_str(c->in, "logGroupName"));
    if (!g)
        return c->err;
    drop_group(L, g);
    c->out = json_object();
    return 0;
}

typedef struct {
    logs_t *L;
    group_t *g;
    const char *prefix;
    json_t *list;
} page_t;

static int limit_of(rn_call_t *c, int max, int dflt)
{
    json_t *l = json_object_get(c->in, "limit");
    if (!l)
        return dflt;
    json_int_t n = json_integer_value(l);
    if (n < 1 || n > max)
        return rn_call_fail(c, LOGS_ERR_VALIDATION,
                            "1 validation error detected: Value '%lld' at 'limit' failed to satisfy constraint: Member "
                            "must have value %s %d",
                            (long long)n, n < 1 ? "greater than or equal to" : "less than or equal to",
                            n < 1 ? 1 : max);
    return (int)n;
}

static void take_group(void *ud, const char *name)
{
    page_t *x = ud;
    json_array_append_new(x->list, group_view(x->L, rn_smap_get(&x->L->groups, name)));
}

/* One page over a map's names (prefix and nextToken as the next name). */
static int page(rn_call_t *c, const rn_smap_t *m, int limit, const char *prefix, const char *key,
                void (*take)(void *, const char *), page_t *x)
{
    size_t n;
    const char **names = rn_sorted_keys(m, &n);
    if (!names && n)
        return RN_ERR_NOMEM;
    x->list = json_array();
    rn_page_t pg = {.token = rn_param_str(c->in, "nextToken"), .token_is_next = 1, .limit = (size_t)limit,
                    .prefix = prefix};
    size_t next = rn_page_walk(&pg, names, n, NULL, take, x);
    c->out = json_pack("{s:o}", key, x->list);
    if (next < n)
        json_object_set_new(c->out, "nextToken", json_string(names[next]));
    rn_free(names);
    return 0;
}

static int op_describe_groups(logs_t *L, rn_call_t *c)
{
    int limit = limit_of(c, 50, 50);
    if (limit < 0)
        return limit;
    page_t x = {L, NULL, NULL, NULL};
    return page(c, &L->groups, limit, rn_param_str(c->in, "logGroupNamePrefix"), "logGroups", take_group, &x);
}

static int op_create_stream(logs_t *L, rn_call_t *c)
{
    group_t *g = find_group(L, c, rn_param_str(c->in, "logGroupName"));
    if (!g)
        return c->err;
    const char *name = rn_param_str(c->in, "logStreamName");
    if (!name_ok(name, 512, 0))
        return rn_call_fail(c, LOGS_ERR_VALIDATION,
                            "1 validation error detected: Value '%s' at 'logStreamName' failed to satisfy "
                            "constraint: Member must satisfy regular expression pattern: [^:*]*",
                            name ? name : "null");
    if (rn_smap_get(&g->streams, name))
        return rn_call_fail(c, LOGS_ERR_ALREADY_EXISTS, "The specified log stream already exists");
    stream_t *s = stream_new(g, name, rn_now_ms());
    if (!s)
        return RN_ERR_NOMEM;
    keep_stream(L, g, s);
    c->out = json_object();
    return 0;
}

static int op_delete_stream(logs_t *L, rn_call_t *c)
{
    group_t *g = find_group(L, c, rn_param_str(c->in, "logGroupName"));
    stream_t *s = g ? find_stream(g, c, rn_param_str(c->in, "logStreamName")) : NULL;
    if (!s)
        return c->err;
    forget_stream(L, g, s);
    rn_smap_del(&g->streams, s->name);
    stream_free(s);
    c->out = json_object();
    return 0;
}

static void take_stream(void *ud, const char *name)
{
    page_t *x = ud;
    stream_t *s = rn_smap_get(&x->g->streams, name);
    char arn[1300];
    group_arn(x->L, x->g->name, arn, sizeof arn);
    size_t n = strlen(arn);
    snprintf(arn + n, sizeof arn - n, ":log-stream:%s", s->name);
    json_t *o = json_pack("{s:s,s:I,s:s,s:i}", "logStreamName", s->name, "creationTime", (json_int_t)s->created,
                          "arn", arn, "storedBytes", 0);
    if (s->n) {
        json_object_set_new(o, "firstEventTimestamp", json_integer(s->ev[0].t));
        json_object_set_new(o, "lastEventTimestamp", json_integer(s->ev[s->n - 1].t));
        json_object_set_new(o, "lastIngestionTime", json_integer(s->ev[s->n - 1].ingest));
    }
    json_array_append_new(x->list, o);
}

static int op_describe_streams(logs_t *L, rn_call_t *c)
{
    group_t *g = find_group(L, c, rn_param_str(c->in, "logGroupName"));
    if (!g)
        return c->err;
    int limit = limit_of(c, 50, 50);
    if (limit < 0)
        return limit;
    page_t x = {L, g, NULL, NULL};
    int rc = page(c, &g->streams, limit, rn_param_str(c->in, "logStreamNamePrefix"), "logStreams", take_stream, &x);
    const char *order = rn_param_str(c->in, "orderBy");
    if (rc == 0 && order && !strcmp(order, "LastEventTime")) {
        /* newest last; descending: newest first (what `aws logs tail` asks for) */
        json_t *l = json_object_get(c->out, "logStreams");
        size_t n = json_array_size(l);
        for (size_t i = 1; i < n; i++)
            for (size_t j = i; j > 0; j--) {
                json_int_t a = json_integer_value(json_object_get(json_array_get(l, j - 1), "lastEventTimestamp"));
                json_int_t b = json_integer_value(json_object_get(json_array_get(l, j), "lastEventTimestamp"));
                if (a <= b)
                    break;
                json_t *t = json_incref(json_array_get(l, j));
                json_array_set(l, j, json_array_get(l, j - 1));
                json_array_set_new(l, j - 1, t);
            }
        if (json_is_true(json_object_get(c->in, "descending")))
            for (size_t i = 0; i < n / 2; i++) {
                json_t *t = json_incref(json_array_get(l, i));
                json_array_set(l, i, json_array_get(l, n - 1 - i));
                json_array_set_new(l, n - 1 - i, t);
            }
    }
    return rc;
}

static int op_put_events(logs_t *L, rn_call_t *c)
{
    group_t *g = find_group(L, c, rn_param_str(c->in, "logGroupName"));
    stream_t *s = g ? find_stream(g, c, rn_param_str(c->in, "logStreamName")) : NULL;
    if (!s)
        return c->err;
    json_t *evs = json_object_get(c->in, "logEvents");
    size_t n = json_array_size(evs), bytes = 0;
    if (n < 1 || n > MAX_BATCH_EVENTS)
        return rn_call_fail(c, LOGS_ERR_VALIDATION,
                            "1 validation error detected: Value at 'logEvents' failed to satisfy constraint: Member "
                            "must have length %s",
                            n < 1 ? "greater than or equal to 1" : "less than or equal to 10000");
    size_t i;
    json_t *e;
    int64_t prev = 0;
    json_array_foreach(evs, i, e)
    {
        const char *m = json_string_value(json_object_get(e, "message"));
        json_t *t = json_object_get(e, "timestamp");
        if (!m || !json_is_integer(t))
            return rn_call_fail(c, LOGS_ERR_INVALID_PARAMETER, "Each log event needs a timestamp and a message.");
        if (json_integer_value(t) < prev)
            return rn_call_fail(c, LOGS_ERR_INVALID_PARAMETER,
                                "Log events in a single PutLogEvents request must be in chronological order.");
        prev = json_integer_value(t);
        bytes += json_string_length(json_object_get(e, "message")) + EVENT_OVERHEAD;
    }
    if (bytes > MAX_BATCH_BYTES)
        return rn_call_fail(c, LOGS_ERR_INVALID_PARAMETER, "Upload too large: %zu bytes exceeds limit of %d", bytes,
                            MAX_BATCH_BYTES);
    json_array_foreach(evs, i, e)
    {
        json_t *m = json_object_get(e, "message");
        int rc = add_event(L, g, s, json_integer_value(json_object_get(e, "timestamp")), json_string_value(m),
                           json_string_length(m), 1);
        if (rc < 0)
            return rc;
    }
    char token[32];
    snprintf(token, sizeof token, "%020llu", (unsigned long long)L->seq);
    c->out = json_pack("{s:s}", "nextSequenceToken", token);
    return 0;
}

static json_t *event_view(const event_t *e, const char *stream)
{
    json_t *o = json_pack("{s:I,s:s,s:I}", "timestamp", (json_int_t)e->t, "message", e->msg, "ingestionTime",
                          (json_int_t)e->ingest);
    if (stream) {
        char id[40];
        snprintf(id, sizeof id, "%020llu", (unsigned long long)e->seq);
        json_object_set_new(o, "logStreamName", json_string(stream));
        json_object_set_new(o, "eventId", json_string(id));
    }
    return o;
}

static int in_range(const rn_call_t *c, const event_t *e)
{
    json_t *st = json_object_get(c->in, "startTime"), *en = json_object_get(c->in, "endTime");
    return (!st || e->t >= json_integer_value(st)) && (!en || e->t < json_integer_value(en));
}

static int op_get_events(logs_t *L, rn_call_t *c)
{
    group_t *g = find_group(L, c, rn_param_str(c->in, "logGroupName"));
    stream_t *s = g ? find_stream(g, c, rn_param_str(c->in, "logStreamName")) : NULL;
    if (!s)
        return c->err;
    int limit = limit_of(c, 10000, 10000);
    if (limit < 0)
        return limit;
    /* tokens: "f/SEQ" (after SEQ) and "b/SEQ" (before SEQ) */
    const char *tok = rn_param_str(c->in, "nextToken");
    json_t *sfh = json_object_get(c->in, "startFromHead");
    int forward = tok ? tok[0] == 'f' : json_is_true(sfh);
    uint64_t mark = tok && strlen(tok) > 2 ? strtoull(tok + 2, NULL, 10) : 0;
    json_t *list = json_array();
    size_t from = 0, to = s->n; /* the window of matching events, [from, to) */
    size_t *idx = rn_malloc((s->n + 1) * sizeof *idx);
    size_t m = 0;
    for (size_t i = 0; idx && i < s->n; i++)
        if (in_range(c, &s->ev[i]) && (!tok || (forward ? s->ev[i].seq > mark : s->ev[i].seq < mark)))
            idx[m++] = i;
    if (forward) {
        from = 0;
        to = m < (size_t)limit ? m : (size_t)limit;
    } else {
        to = m;
        from = m > (size_t)limit ? m - (size_t)limit : 0;
    }
    for (size_t i = from; i < to; i++)
        json_array_append_new(list, event_view(&s->ev[idx[i]], NULL));
    uint64_t first = to > from ? s->ev[idx[from]].seq : mark, last = to > from ? s->ev[idx[to - 1]].seq : mark;
    if (!tok && to == from) /* nothing: tokens that still move along the stream */
        first = last = forward ? 0 : L->seq + 1;
    rn_free(idx);
    char f[40], b[40];
    snprintf(f, sizeof f, "f/%020llu", (unsigned long long)last);
    snprintf(b, sizeof b, "b/%020llu", (unsigned long long)first);
    c->out = json_pack("{s:o,s:s,s:s}", "events", list, "nextForwardToken", f, "nextBackwardToken", b);
    return 0;
}

typedef struct {
    const event_t *e;
    const char *stream;
} hit_t;

static int hit_cmp(const void *a, const void *b)
{
    const hit_t *x = a, *y = b;
    if (x->e->t != y->e->t)
        return x->e->t < y->e->t ? -1 : 1;
    return x->e->seq < y->e->seq ? -1 : x->e->seq > y->e->seq;
}

static int op_filter_events(logs_t *L, rn_call_t *c)
{
    group_t *g = find_group(L, c, rn_param_str(c->in, "logGroupName"));
    if (!g)
        return c->err;
    int limit = limit_of(c, 10000, 10000);
    if (limit < 0)
        return limit;
    char why[128];
    const char *pat = rn_param_str(c->in, "filterPattern");
    logs_filter_t *f = pat && *pat ? logs_filter_compile(pat, why, sizeof why) : NULL;
    if (pat && *pat && !f)
        return rn_call_fail(c, LOGS_ERR_INVALID_PARAMETER, "%s", why);
    const char *prefix = rn_param_str(c->in, "logStreamNamePrefix");
    json_t *names = json_object_get(c->in, "logStreamNames");
    size_t cap = 0, n = 0;
    hit_t *hits = NULL;
    size_t i = 0;
    const char *k;
    void *v;
    while (rn_smap_next(&g->streams, &i, &k, &v)) {
        stream_t *s = v;
        if (prefix && strncmp(s->name, prefix, strlen(prefix)))
            continue;
        if (json_array_size(names)) {
            int listed = 0;
            size_t j;
            json_t *nm;
            json_array_foreach(names, j, nm) listed |= !strcmp(json_string_value(nm) ?: "", s->name);
            if (!listed)
                continue;
        }
        for (size_t j = 0; j < s->n; j++) {
            if (!in_range(c, &s->ev[j]) || !logs_filter_match(f, s->ev[j].msg, strlen(s->ev[j].msg)))
                continue;
            if (n == cap) {
                cap = cap ? cap * 2 : 64;
                hit_t *nh = rn_realloc(hits, cap * sizeof *nh);
                if (!nh) {
                    rn_free(hits);
                    logs_filter_free(f);
                    return RN_ERR_NOMEM;
                }
                hits = nh;
            }
            hits[n++] = (hit_t){&s->ev[j], s->name};
        }
    }
    logs_filter_free(f);
    if (n)
        qsort(hits, n, sizeof *hits, hit_cmp);
    /* nextToken: the eventId of the last event returned */
    const char *tok = rn_param_str(c->in, "nextToken");
    uint64_t after = tok ? strtoull(tok, NULL, 10) : 0;
    size_t start = 0;
    if (tok)
        while (start < n && hits[start].e->seq != after)
            start++;
    if (tok && start < n)
        start++;
    json_t *list = json_array();
    size_t end = start;
    for (; end < n && json_array_size(list) < (size_t)limit; end++)
        json_array_append_new(list, event_view(hits[end].e, hits[end].stream));
    c->out = json_pack("{s:o,s:[]}", "events", list, "searchedLogStreams");
    if (end < n) {
        char t[40];
        snprintf(t, sizeof t, "%020llu", (unsigned long long)hits[end - 1].e->seq);
        json_object_set_new(c->out, "nextToken", json_string(t));
    }
    rn_free(hits);
    return 0;
}

static int op_retention(logs_t *L, rn_call_t *c, int put)
{
    group_t *g = find_group(L, c, rn_param_str(c->in, "logGroupName"));
    if (!g)
        return c->err;
    int days = 0;
    if (put) {
        static const int allowed[] = {1,   3,   5,   7,    14,   30,   60,   90,   120,  150,  180, 365,
                                      400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653, 0};
        json_int_t d = json_integer_value(json_object_get(c->in, "retentionInDays"));
        for (int i = 0; allowed[i]; i++)
            if (allowed[i] == d)
                days = (int)d;
        if (!days)
            return rn_call_fail(c, LOGS_ERR_INVALID_PARAMETER,
                                "1 validation error detected: Value '%lld' at 'retentionInDays' failed to satisfy "
                                "constraint: Member must satisfy enum value set: [1, 3, 5, 7, 14, 30, 60, 90, 120, "
                                "150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653]",
                                (long long)d);
    }
    g->retention = days;
    keep_group(L, g);
    c->out = json_object();
    return 0;
}

static group_t *group_of_arn(logs_t *L, rn_call_t *c)
{
    const char *arn = rn_param_str(c->in, "resourceArn");
    const char *p = arn ? strstr(arn, ":log-group:") : NULL;
    return find_group(L, c, p ? p + 11 : NULL);
}

static int op_tags(logs_t *L, rn_call_t *c)
{
    int by_arn = !strcmp(c->op, "TagResource") || !strcmp(c->op, "UntagResource") ||
                 !strcmp(c->op, "ListTagsForResource");
    group_t *g = by_arn ? group_of_arn(L, c) : find_group(L, c, rn_param_str(c->in, "logGroupName"));
    if (!g)
        return c->err;
    if (strstr(c->op, "List")) {
        c->out = json_pack("{s:O}", "tags", g->tags);
        return 0;
    }
    if (!strncmp(c->op, "Tag", 3)) {
        json_t *tags = json_object_get(c->in, "tags");
        if (json_is_object(tags))
            json_object_update(g->tags, tags);
    } else {
        size_t i;
        json_t *k;
        json_array_foreach(json_object_get(c->in, by_arn ? "tagKeys" : "tags"), i, k)
            json_object_del(g->tags, json_string_value(k));
    }
    keep_group(L, g);
    c->out = json_object();
    return 0;
}

static int logs_call(void *svc, rn_call_t *c)
{
    logs_t *L = svc;
    const char *op = c->op;
    if (!strcmp(op, "CreateLogGroup"))
        return op_create_group(L, c);
    if (!strcmp(op, "DeleteLogGroup"))
        return op_delete_group(L, c);
    if (!strcmp(op, "DescribeLogGroups"))
        return op_describe_groups(L, c);
    if (!strcmp(op, "CreateLogStream"))
        return op_create_stream(L, c);
    if (!strcmp(op, "DeleteLogStream"))
        return op_delete_stream(L, c);
    if (!strcmp(op, "DescribeLogStreams"))
        return op_describe_streams(L, c);
    if (!strcmp(op, "PutLogEvents"))
        return op_put_events(L, c);
    if (!strcmp(op, "GetLogEvents"))
        return op_get_events(L, c);
    if (!strcmp(op, "FilterLogEvents"))
        return op_filter_events(L, c);
    if (!strcmp(op, "PutRetentionPolicy") || !strcmp(op, "DeleteRetentionPolicy"))
        return op_retention(L, c, op[0] == 'P');
    if (!strcmp(op, "TagLogGroup") || !strcmp(op, "UntagLogGroup") || !strcmp(op, "ListTagsLogGroup") ||
        !strcmp(op, "TagResource") || !strcmp(op, "UntagResource") || !strcmp(op, "ListTagsForResource"))
        return op_tags(L, c);
    return rn_call_fail(c, RN_ERR_UNKNOWN_OPERATION, "%s", ""); /* AWS sends no message */
}

/* ---- from other services ---- */

static int logs_deliver(void *svc, const char *arn, const rn_message_t *m, char *msg, size_t msglen)
{
    logs_t *L = svc;
    const char *p = strstr(arn, ":log-group:");
    char name[600];
    if (!p) {
        snprintf(msg, msglen, "Log group %s does not exist.", arn);
        return RN_ERR_NOT_FOUND;
    }
    snprintf(name, sizeof name, "%s", p + 11);
    size_t nl = strlen(name);
    if (nl > 2 && !strcmp(name + nl - 2, ":*"))
        name[nl - 2] = 0;
    group_t *g = rn_smap_get(&L->groups, name);
    if (!g && !m->lines) { /* an EventBridge target must exist */
        snprintf(msg, msglen, "Log group %s does not exist.", name);
        return RN_ERR_NOT_FOUND;
    }
    if (!g && !(g = create_group(L, name))) /* Lambda makes its function's group, as AWS does */
        return RN_ERR_NOMEM;
    const char *sname = m->stream ? m->stream : m->id ? m->id : "runnel";
    stream_t *s = rn_smap_get(&g->streams, sname);
    if (!s) {
        if (!(s = stream_new(g, sname, rn_now_ms())))
            return RN_ERR_NOMEM;
        keep_stream(L, g, s);
    }
    int64_t now = rn_now_ms();
    if (!m->lines)
        return add_event(L, g, s, now, m->body, m->len, 1);
    for (const char *q = m->body, *end = m->body + m->len; q < end;) {
        const char *nlp = memchr(q, '\n', (size_t)(end - q));
        size_t n = nlp ? (size_t)(nlp - q) : (size_t)(end - q);
        if (n && add_event(L, g, s, now, q, n, 1) < 0)
            return RN_ERR_NOMEM;
        q += n + 1;
    }
    return 0;
}

/* ---- lifecycle ---- */

static void sweep(logs_t *L)
{
    int64_t now = rn_now_ms();
    size_t i = 0;
    const char *k;
    void *v;
    while (rn_smap_next(&L->groups, &i, &k, &v)) {
        group_t *g = v;
        if (!g->retention)
            continue;
        int64_t oldest = now - (int64_t)g->retention * 86400000LL + 1; /* an event exactly that old is dropped */
        size_t j = 0;
        const char *sk;
        void *sv;
        while (rn_smap_next(&g->streams, &j, &sk, &sv)) {
            stream_t *s = sv;
            size_t keep = 0;
            for (size_t e = 0; e < s->n; e++) {
                if (s->ev[e].t < oldest) { /* (t + retention <= now) */
                    char key[1300];
                    ev_key(g, s, s->ev[e].seq, key, sizeof key);
                    rn_store_kv_delete(L->env.store, "logs.ev", key);
                    rn_free(s->ev[e].msg);
                } else {
                    s->ev[keep++] = s->ev[e];
                }
            }
            s->n = keep;
        }
    }
}

/* The moving clock: when the oldest event a retention drops falls due. */
static int64_t logs_next_due(void *svc)
{
    logs_t *L = svc;
    int64_t due = INT64_MAX;
    size_t i = 0;
    const char *k;
    void *v;
    while (rn_smap_next(&L->groups, &i, &k, &v)) {
        group_t *g = v;
        size_t j = 0;
        const char *sk;
        void *sv;
        while (g->retention && rn_smap_next(&g->streams, &j, &sk, &sv))
            for (size_t e = 0; e < ((stream_t *)sv)->n; e++) {
                int64_t t = ((stream_t *)sv)->ev[e].t + (int64_t)g->retention * 86400000LL;
                if (t < due)
                    due = t;
            }
    }
    return due;
}

static void logs_run_due(void *svc)
{
    sweep(svc);
}

static void on_sweep(uv_timer_t *t)
{
    sweep(t->data);
}

static int logs_create(const rn_service_env_t *env, void **out)
{
    rn_err_register(&logs_errors);
    logs_t *L = rn_calloc(1, sizeof *L);
    if (!L)
        return RN_ERR_NOMEM;
    L->env = *env;
    uv_timer_init(env->loop, &L->sweep);
    L->sweep.data = L;
    uv_unref((uv_handle_t *)&L->sweep);
    *out = L;
    return 0;
}

static int load_group(void *ud, const char *key, const char *value)
{
    logs_t *L = ud;
    json_t *o = json_loads(value, 0, NULL);
    group_t *g = group_new(L, key, json_integer_value(json_object_get(o, "created")));
    if (g) {
        g->retention = (int)json_integer_value(json_object_get(o, "retention"));
        json_object_update(g->tags, json_object_get(o, "tags"));
    }
    json_decref(o);
    return 0;
}

static int load_stream(void *ud, const char *key, const char *value)
{
    logs_t *L = ud;
    const char *tab = strchr(key, '\t');
    char gname[600];
    if (!tab || (size_t)(tab - key) >= sizeof gname)
        return 0;
    snprintf(gname, sizeof gname, "%.*s", (int)(tab - key), key);
    group_t *g = rn_smap_get(&L->groups, gname);
    json_t *o = json_loads(value, 0, NULL);
    if (g)
        stream_new(g, tab + 1, json_integer_value(json_object_get(o, "created")));
    json_decref(o);
    return 0;
}

static int load_event(void *ud, const char *key, const char *value)
{
    logs_t *L = ud;
    const char *t1 = strchr(key, '\t'), *t2 = t1 ? strrchr(key, '\t') : NULL;
    if (!t1 || t2 == t1)
        return 0;
    char gname[600], sname[600];
    snprintf(gname, sizeof gname, "%.*s", (int)(t1 - key), key);
    snprintf(sname, sizeof sname, "%.*s", (int)(t2 - t1 - 1), t1 + 1);
    group_t *g = rn_smap_get(&L->groups, gname);
    stream_t *s = g ? rn_smap_get(&g->streams, sname) : NULL;
    json_t *o = json_loads(value, 0, NULL);
    json_t *m = json_object_get(o, "m");
    if (s && m) {
        uint64_t seq = strtoull(t2 + 1, NULL, 16);
        if (add_event(L, g, s, json_integer_value(json_object_get(o, "t")), json_string_value(m),
                      json_string_length(m), 0) == 0) {
            event_t *e = &s->ev[s->n - 1];
            e->seq = seq;
            e->ingest = json_integer_value(json_object_get(o, "i"));
            if (seq > L->seq)
                L->seq = seq;
        }
    }
    json_decref(o);
    return 0;
}

static void logs_start(void *svc)
{
    logs_t *L = svc;
    rn_store_kv_scan(L->env.store, "logs.group", NULL, NULL, load_group, L);
    rn_store_kv_scan(L->env.store, "logs.stream", NULL, NULL, load_stream, L);
    rn_store_kv_scan(L->env.store, "logs.ev", NULL, NULL, load_event, L);
    sweep(L);
    uv_timer_start(&L->sweep, on_sweep, 60000, 60000);
}

static void drop_all(logs_t *L)
{
    size_t i = 0;
    const char *k;
    void *v;
    while (rn_smap_next(&L->groups, &i, &k, &v))
        group_free(v);
    rn_smap_free(&L->groups);
    memset(&L->groups, 0, sizeof L->groups);
}

static void logs_reset(void *svc)
{
    drop_all(svc);
}

static void closed(uv_handle_t *h)
{
    rn_free(h->data);
}

static void logs_destroy(void *svc)
{
    logs_t *L = svc;
    drop_all(L);
    uv_timer_stop(&L->sweep);
    uv_close((uv_handle_t *)&L->sweep, closed);
}

static int load_kv(void *svc, const char *ns, const char *key, const char *value)
{
    (void)svc;
    (void)ns;
    (void)key;
    (void)value;
    return 0; /* read in order at start (groups, streams, events) */
}

static json_t *logs_stats(void *svc)
{
    logs_t *L = svc;
    return json_pack("{s:I}", "logGroups", (json_int_t)L->groups.len);
}

static const char *const targets[] = {"Logs_20140328.", NULL};
static const char *const store_ns[] = {"logs.", NULL};

const rn_service_t logs_service = {
    .name = "logs",
    .signing_name = "logs",
    .targets = targets,
    .json_version = 11,
    .errors = &logs_errors,
    .store_ns = store_ns,
    .sink_service = "logs",
    .deliver = logs_deliver,
    .create = logs_create,
    .load_kv = load_kv,
    .start = logs_start,
    .call = logs_call,
    .reset = logs_reset,
    .next_due = logs_next_due,
    .run_due = logs_run_due,
    .stats = logs_stats,
    .destroy = logs_destroy,
};
