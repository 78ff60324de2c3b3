/* SPDX-License-Identifier: MIT
 * Archives and replays. An archive on a bus keeps every event of that bus
 * that its optional pattern matches, durably (one keyed record per event,
 * written in the same store batch as the PutEvents that produced it), for
 * RetentionDays (0 = forever). A replay re-sends the archived events of a
 * time window to the archive's bus, with "replay-name" added, to all rules
 * or only those in FilterArns; replayed events are not archived again. A
 * replay runs in slices on a loop timer so it never stalls other requests. */
#include "events/ev_int.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "core/mem.h"

#define ARCHIVE_PATTERN "[\\.\\-_A-Za-z0-9]+"
#define REPLAY_SLICE 500
#define DAY_MS (24LL * 3600 * 1000)

typedef struct {
    int64_t t;    /* ingestion time, ms */
    uint64_t seq;
    char *env;    /* owned envelope text */
    size_t len;
} arch_event_t;

typedef struct ev_archive {
    char *name, *arn, *bus_name, *description, *pattern;
    ev_pattern_t *pc;      /* NULL: archive everything */
    int retention_days;
    int64_t created_ms;
    arch_event_t *events;  /* in archive order */
    size_t n, cap;
    uint64_t next_seq, size_bytes;
} ev_archive_t;

typedef struct ev_replay {
    char *name, *arn, *description, *archive_name, *archive_arn, *dest_arn;
    json_t *filter;        /* owned: FilterArns or NULL */
    int64_t from_ms, to_ms, started_ms, ended_ms, last_replayed_ms;
    char state[16];
    size_t cursor;         /* next archived event to look at */
} ev_replay_t;

static void archive_free(ev_archive_t *a)
{
    if (!a)
        return;
    for (size_t i = 0; i < a->n; i++)
        rn_free(a->events[i].env);
    rn_free(a->events);
    ev_pattern_free(a->pc);
    rn_free(a->name);
    rn_free(a->arn);
    rn_free(a->bus_name);
    rn_free(a->description);
    rn_free(a->pattern);
    rn_free(a);
}

static void replay_free(ev_replay_t *r)
{
    if (!r)
        return;
    rn_free(r->name);
    rn_free(r->arn);
    rn_free(r->description);
    rn_free(r->archive_name);
    rn_free(r->archive_arn);
    rn_free(r->dest_arn);
    json_decref(r->filter);
    rn_free(r);
}

static char *dup_or_null(const char *s)
{
    return s ? rn_strdup(s) : NULL;
}

static void archive_persist(ev_t *e, const ev_archive_t *a)
{
    if (!rn_store_durable(e->store))
        return;
    json_t *o = json_pack("{s:s,s:s,s:i,s:I,s:I}", "Name", a->name, "Bus", a->bus_name, "RetentionDays",
                          a->retention_days, "Created", (json_int_t)a->created_ms, "NextSeq",
                          (json_int_t)a->next_seq);
    if (a->description)
        json_object_set_new(o, "Description", json_string(a->description));
    if (a->pattern)
        json_object_set_new(o, "EventPattern", json_string(a->pattern));
    char *txt = json_dumps(o, JSON_COMPACT);
    if (txt)
        rn_store_kv_put(e->store, EV_NS_ARCHIVE, a->name, txt);
    free(txt);
    json_decref(o);
}

static void replay_persist(ev_t *e, const ev_replay_t *r)
{
    if (!rn_store_durable(e->store))
        return;
    json_t *o = json_pack("{s:s,s:s,s:s,s:I,s:I,s:I,s:I,s:I,s:s,s:I}", "Name", r->name, "Archive", r->archive_name,
                          "Dest", r->dest_arn, "From", (json_int_t)r->from_ms, "To", (json_int_t)r->to_ms, "Started",
                          (json_int_t)r->started_ms, "Ended", (json_int_t)r->ended_ms, "Last",
                          (json_int_t)r->last_replayed_ms, "State", r->state, "Cursor", (json_int_t)r->cursor);
    if (r->description)
        json_object_set_new(o, "Description", json_string(r->description));
    if (r->filter)
        json_object_set(o, "FilterArns", r->filter);
    char *txt = json_dumps(o, JSON_COMPACT);
    if (txt)
        rn_store_kv_put(e->store, EV_NS_REPLAY, r->name, txt);
    free(txt);
    json_decref(o);
}

static int archive_add(ev_archive_t *a, int64_t t, uint64_t seq, const char *env, size_t len)
{
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 16;
        arch_event_t *ev = rn_realloc(a->events, cap * sizeof *ev);
        if (!ev)
            return RN_ERR_NOMEM;
        a->events = ev;
        a->cap = cap;
    }
    char *copy = rn_strndup(env, len);
    if (!copy)
        return RN_ERR_NOMEM;
    a->events[a->n++] = (arch_event_t){t, seq, copy, len};
    a->size_bytes += len;
    if (seq >= a->next_seq)
        a->next_seq = seq + 1;
    return 0;
}

static void event_key(const ev_archive_t *a, uint64_t seq, char *out, size_t n)
{
    snprintf(out, n, "%s|%020" PRIu64, a->name, seq);
}

static int expired(const ev_archive_t *a, int64_t t, int64_t now)
{
    return a->retention_days > 0 && t < now - (int64_t)a->retention_days * DAY_MS;
}

void ev_archive_event(ev_t *e, ev_bus_t *b, const char *envelope, size_t len, int64_t ingest_ms)
{
    const char *k;
    void *v;
    size_t i = 0;
    while (rn_smap_next(&e->archives, &i, &k, &v)) {
        ev_archive_t *a = v;
        if (strcmp(a->bus_name, b->name) != 0 || (a->pc && !ev_pattern_match(a->pc, envelope, len)))
            continue;
        uint64_t seq = a->next_seq;
        if (archive_add(a, ingest_ms, seq, envelope, len) < 0) {
            RN_ERROR("events: out of memory archiving on %s", a->name);
            continue;
        }
        if (rn_store_durable(e->store)) {
            char key[128];
            event_key(a, seq, key, sizeof key);
            char *val = rn_malloc(len + 24);
            if (val) {
                int h = snprintf(val, 24, "%lld\t", (long long)ingest_ms);
                memcpy(val + h, envelope, len);
                val[h + (int)len] = '\0';
                rn_store_kv_put(e->store, EV_NS_ARCHIVED, key, val);
                rn_free(val);
            }
        }
    }
}

static int name_check(rn_call_t *c, const char *field, const char *name, int max)
{
    if (!name)
        return rn_call_fail(c, RN_ERR_EV_VALIDATION,
                            "1 validation error detected: Value null at '%s' failed to satisfy constraint: Member "
                            "must not be null",
                            field);
    return ev_check_name(c, field, name, max, ARCHIVE_PATTERN, ev_rule_char);
}

static int archive_get(ev_t *e, rn_call_t *c, ev_archive_t **out)
{
    const char *name = ev_get_str(c->in, "ArchiveName");
    if (name_check(c, "archiveName", name, 48) < 0)
        return c->err;
    *out = rn_smap_get(&e->archives, name);
    if (!*out)
        return rn_call_fail(c, RN_ERR_EV_NOT_FOUND, "Archive %s does not exist.", name);
    return 0;
}

static int retention_arg(rn_call_t *c, int *out)
{
    json_t *r = json_object_get(c->in, "RetentionDays");
    if (!r)
        return 0;
    if (!json_is_integer(r) || json_integer_value(r) < 0 || json_integer_value(r) > INT32_MAX)
        return rn_call_fail(c, RN_ERR_EV_VALIDATION,
                            "1 validation error detected: Value '%lld' at 'retentionDays' failed to satisfy "
                            "constraint: Member must have value greater than or equal to 0",
                            (long long)json_integer_value(r));
    *out = (int)json_integer_value(r);
    return 1;
}

static int pattern_arg(rn_call_t *c, const char *pattern, ev_pattern_t **pc)
{
    *pc = NULL;
    if (!pattern || !*pattern)
        return 0;
    if (strlen(pattern) > 4096)
        return rn_call_fail(c, RN_ERR_EV_VALIDATION,
                            "1 validation error detected: Value at 'eventPattern' failed to satisfy constraint: "
                            "Member must have length less than or equal to 4096");
    int rc = ev_pattern_compile(pattern, strlen(pattern), pc, c->msg, sizeof c->msg);
    return rc < 0 ? (c->err = rc) : 0;
}

static json_t *archive_json(const ev_archive_t *a, int full, const char *bus_arn)
{
    json_t *o = json_object();
    if (full)
        json_object_set_new(o, "ArchiveArn", json_string(a->arn));
    json_object_set_new(o, "ArchiveName", json_string(a->name));
    json_object_set_new(o, "EventSourceArn", json_string(bus_arn));
    if (full && a->description)
        json_object_set_new(o, "Description", json_string(a->description));
    if (full && a->pattern)
        json_object_set_new(o, "EventPattern", json_string(a->pattern));
    json_object_set_new(o, "State", json_string("ENABLED"));
    json_object_set_new(o, "RetentionDays", json_integer(a->retention_days));
    json_object_set_new(o, "SizeBytes", json_integer((json_int_t)a->size_bytes));
    json_object_set_new(o, "EventCount", json_integer((json_int_t)a->n));
    json_object_set_new(o, "CreationTime", ev_time_json(a->created_ms));
    return o;
}

static const char *bus_arn_of(ev_t *e, const ev_archive_t *a, char *buf, size_t n)
{
    ev_arn(e, buf, n, "event-bus/%s", a->bus_name);
    return buf;
}

int ev_op_create_archive(ev_t *e, rn_call_t *c)
{
    const char *name = ev_get_str(c->in, "ArchiveName"), *src = ev_get_str(c->in, "EventSourceArn");
    const char *desc = ev_get_str(c->in, "Description"), *pattern = ev_get_str(c->in, "EventPattern");
    int days = 0;
    ev_bus_t *b;
    ev_pattern_t *pc;
    if (name_check(c, "archiveName", name, 48) < 0 || retention_arg(c, &days) < 0)
        return c->err;
    if (!src)
        return rn_call_fail(c, RN_ERR_EV_VALIDATION,
                            "1 validation error detected: Value null at 'eventSourceArn' failed to satisfy "
                            "constraint: Member must not be null");
    if (desc && strlen(desc) > 512)
        return rn_call_fail(c, RN_ERR_EV_VALIDATION,
                            "1 validation error detected: Value at 'description' failed to satisfy constraint: "
                            "Member must have length less than or equal to 512");
    if (strncmp(src, "arn:", 4) != 0)
        return rn_call_fail(c, RN_ERR_EV_VALIDATION, "Parameter %s is not valid. Reason: Provided Arn is not in "
                                                     "correct format.",
                            src);
    if (ev_bus_resolve(e, c, src, &b) < 0)
        return c->err;
    if (rn_smap_get(&e->archives, name))
        return rn_call_fail(c, RN_ERR_EV_EXISTS, "Archive %s already exists.", name);
    if (pattern_arg(c, pattern, &pc) < 0)
        return c->err;
    ev_archive_t *a = rn_calloc(1, sizeof *a);
    char arn[512];
    ev_arn(e, arn, sizeof arn, "archive/%s", name);
    if (!a || !(a->name = rn_strdup(name)) || !(a->arn = rn_strdup(arn)) || !(a->bus_name = rn_strdup(b->name)) ||
        rn_smap_put(&e->archives, name, a) < 0) {
        archive_free(a);
        ev_pattern_free(pc);
        return rn_call_fail(c, RN_ERR_NOMEM, "Out of memory");
    }
    a->description = dup_or_null(desc);
    a->pattern = pattern && *pattern ? rn_strdup(pattern) : NULL;
    a->pc = pc;
    a->retention_days = days;
    a->created_ms = rn_now_ms();
    archive_persist(e, a);
    c->out = json_pack("{s:s,s:s,s:o}", "ArchiveArn", a->arn, "State", "ENABLED", "CreationTime",
                       ev_time_json(a->created_ms));
    return 0;
}

int ev_op_describe_archive(ev_t *e, rn_call_t *c)
{
    ev_archive_t *a;
    char buf[512];
    if (archive_get(e, c, &a) < 0)
        return c->err;
    c->out = archive_json(a, 1, bus_arn_of(e, a, buf, sizeof buf));
    return 0;
}

int ev_op_list_archives(ev_t *e, rn_call_t *c)
{
    int limit;
    const char *from;
    if (ev_page_params(c, &limit, &from) < 0)
        return c->err;
    const char *prefix = ev_get_str(c->in, "NamePrefix"), *src = ev_get_str(c->in, "EventSourceArn");
    const char *state = ev_get_str(c->in, "State");
    ev_bus_t *b = NULL;
    if (!!prefix + !!src + !!state > 1)
        return rn_call_fail(c, RN_ERR_EV_VALIDATION, "At most one filter is allowed for ListArchives. Use either : "
                                                     "State, EventSourceArn, or NamePrefix.");
    if (src && ev_bus_resolve(e, c, src, &b) < 0)
        return c->err;
    size_t n;
    const char **names = ev_sorted_keys(&e->archives, &n);
    if (!names)
        return rn_call_fail(c, RN_ERR_NOMEM, "Out of memory");
    json_t *arr = json_array();
    c->out = json_object();
    int count = 0;
    for (size_t j = 0; j < n; j++) {
        ev_archive_t *a = rn_smap_get(&e->archives, names[j]);
        char buf[512];
        if ((from && strcmp(names[j], from) < 0) || (prefix && strncmp(names[j], prefix, strlen(prefix)) != 0) ||
            (b && strcmp(a->bus_name, b->name) != 0) || (state && strcmp(state, "ENABLED") != 0))
            continue;
        if (count == limit) {
            json_object_set_new(c->out, "NextToken", json_string(names[j]));
            break;
        }
        json_array_append_new(arr, archive_json(a, 0, bus_arn_of(e, a, buf, sizeof buf)));
        count++;
    }
    json_object_set_new(c->out, "Archives", arr);
    rn_free(names);
    return 0;
}

int ev_op_update_archive(ev_t *e, rn_call_t *c)
{
    ev_archive_t *a;
    int days = 0, has_days;
    ev_pattern_t *pc;
    const char *desc = ev_get_str(c->in, "Description"), *pattern = ev_get_str(c->in, "EventPattern");
    if (!desc && !pattern && !json_object_get(c->in, "RetentionDays"))
        return rn_call_fail(c, RN_ERR_EV_VALIDATION,
                            "At least one of EventPattern, RetentionDays or Description must be provided.");
    if (archive_get(e, c, &a) < 0 || (has_days = retention_arg(c, &days)) < 0)
        return c->err;
    if (pattern && pattern_arg(c, pattern, &pc) < 0)
        return c->err;
    if (pattern) {
        ev_pattern_free(a->pc);
        rn_free(a->pattern);
        a->pc = pc;
        a->pattern = *pattern ? rn_strdup(pattern) : NULL;
    }
    if (desc) {
        rn_free(a->description);
        a->description = rn_strdup(desc);
    }
    if (has_days)
        a->retention_days = days;
    archive_persist(e, a);
    c->out = json_pack("{s:s,s:s,s:o}", "ArchiveArn", a->arn, "State", "ENABLED", "CreationTime",
                       ev_time_json(a->created_ms));
    return 0;
}

int ev_op_delete_archive(ev_t *e, rn_call_t *c)
{
    ev_archive_t *a;
    if (archive_get(e, c, &a) < 0)
        return c->err;
    for (size_t i = 0; i < a->n; i++) {
        char key[128];
        event_key(a, a->events[i].seq, key, sizeof key);
        rn_store_kv_delete(e->store, EV_NS_ARCHIVED, key);
    }
    rn_store_kv_delete(e->store, EV_NS_ARCHIVE, a->name);
    rn_smap_del(&e->archives, a->name);
    archive_free(a);
    c->out = json_object();
    return 0;
}

/* ---- replays ---- */

static void on_replay_tick(uv_timer_t *h);

static void replay_kick(ev_t *e)
{
    if (!uv_is_active((uv_handle_t *)&e->replay_timer))
        uv_timer_start(&e->replay_timer, on_replay_tick, 0, 0);
}

/* Copies an archived envelope with "replay-name":"NAME", inserted where AWS
 * puts it: between region and resources. Inside JSON strings every quote is
 * escaped, so the first `,"resources":[` is the member itself. */
static char *with_replay_name(const char *env, size_t len, const char *name, size_t *outlen)
{
    const char *at = strstr(env, ",\"resources\":[");
    size_t nl = strlen(name);
    char *out = at ? rn_malloc(len + nl + 20) : NULL;
    if (!out)
        return NULL;
    size_t head = (size_t)(at - env) + 1;
    memcpy(out, env, head);
    int k = sprintf(out + head, "\"replay-name\":\"%s\",", name); /* names are [.-_A-Za-z0-9] */
    memcpy(out + head + (size_t)k, env + head, len - head);
    *outlen = len + (size_t)k;
    out[*outlen] = '\0';
    return out;
}

static void replay_step(ev_t *e, ev_replay_t *r)
{
    ev_archive_t *a = rn_smap_get(&e->archives, r->archive_name);
    rn_call_t *probe = rn_calloc(1, sizeof *probe);
    ev_bus_t *b = NULL;
    if (!a || !probe || ev_bus_resolve(e, probe, r->dest_arn, &b) < 0) {
        rn_free(probe);
        snprintf(r->state, sizeof r->state, "FAILED");
        r->ended_ms = rn_now_ms();
        replay_persist(e, r);
        return;
    }
    rn_free(probe);
    if (strcmp(r->state, "STARTING") == 0)
        snprintf(r->state, sizeof r->state, "RUNNING");
    int64_t now = rn_now_ms();
    for (int done = 0; r->cursor < a->n && done < REPLAY_SLICE; r->cursor++) {
        arch_event_t *ev = &a->events[r->cursor];
        if (ev->t < r->from_ms || ev->t >= r->to_ms || expired(a, ev->t, now))
            continue;
        size_t len;
        char *env = with_replay_name(ev->env, ev->len, r->name, &len);
        if (env) {
            ev_route(e, b, env, len, now, r->filter, 0);
            rn_free(env);
        }
        r->last_replayed_ms = ev->t;
        done++;
    }
    if (r->cursor >= a->n) {
        snprintf(r->state, sizeof r->state, "COMPLETED");
        r->ended_ms = rn_now_ms();
    }
    replay_persist(e, r);
}

static void on_replay_tick(uv_timer_t *h)
{
    ev_t *e = h->data;
    int more = 0;
    const char *k;
    void *v;
    size_t i = 0;
    while (rn_smap_next(&e->replays, &i, &k, &v)) {
        ev_replay_t *r = v;
        if (strcmp(r->state, "CANCELLING") == 0) {
            snprintf(r->state, sizeof r->state, "CANCELLED");
            r->ended_ms = rn_now_ms();
            replay_persist(e, r);
        } else if (strcmp(r->state, "STARTING") == 0 || strcmp(r->state, "RUNNING") == 0) {
            replay_step(e, r);
            more |= strcmp(r->state, "RUNNING") == 0;
        }
    }
    if (more)
        uv_timer_start(&e->replay_timer, on_replay_tick, 0, 0);
}

static int time_arg(rn_call_t *c, const char *name, int64_t *out)
{
    json_t *t = json_object_get(c->in, name);
    if (!json_is_number(t) || !isfinite(json_number_value(t)))
        return rn_call_fail(c, RN_ERR_EV_VALIDATION,
                            "1 validation error detected: Value null at '%c%s' failed to satisfy constraint: Member "
                            "must not be null",
                            name[0] + 32, name + 1);
    *out = (int64_t)(json_number_value(t) * 1000.0);
    return 0;
}

static json_t *replay_json(const ev_replay_t *r, int full)
{
    json_t *o = json_object();
    json_object_set_new(o, "ReplayName", json_string(r->name));
    if (full) {
        json_object_set_new(o, "ReplayArn", json_string(r->arn));
        if (r->description)
            json_object_set_new(o, "Description", json_string(r->description));
    }
    json_object_set_new(o, "State", json_string(r->state));
    json_object_set_new(o, "EventSourceArn", json_string(r->archive_arn));
    if (full) {
        json_t *d = json_pack("{s:s}", "Arn", r->dest_arn);
        if (r->filter)
            json_object_set(d, "FilterArns", r->filter);
        json_object_set_new(o, "Destination", d);
    }
    json_object_set_new(o, "EventStartTime", ev_time_json(r->from_ms));
    json_object_set_new(o, "EventEndTime", ev_time_json(r->to_ms));
    if (r->last_replayed_ms)
        json_object_set_new(o, "EventLastReplayedTime", ev_time_json(r->last_replayed_ms));
    json_object_set_new(o, "ReplayStartTime", ev_time_json(r->started_ms));
    if (r->ended_ms)
        json_object_set_new(o, "ReplayEndTime", ev_time_json(r->ended_ms));
    return o;
}

int ev_op_start_replay(ev_t *e, rn_call_t *c)
{
    const char *name = ev_get_str(c->in, "ReplayName"), *src = ev_get_str(c->in, "EventSourceArn");
    const char *desc = ev_get_str(c->in, "Description");
    json_t *dest = json_object_get(c->in, "Destination");
    int64_t from, to;
    if (name_check(c, "replayName", name, 64) < 0)
        return c->err;
    if (!src)
        return rn_call_fail(c, RN_ERR_EV_VALIDATION,
                            "1 validation error detected: Value null at 'eventSourceArn' failed to satisfy "
                            "constraint: Member must not be null");
    if (time_arg(c, "EventStartTime", &from) < 0 || time_arg(c, "EventEndTime", &to) < 0)
        return c->err;
    const char *dest_arn = ev_get_str(dest, "Arn");
    if (!dest_arn)
        return rn_call_fail(c, RN_ERR_EV_VALIDATION,
                            "1 validation error detected: Value null at 'destination' failed to satisfy constraint: "
                            "Member must not be null");
    if (rn_smap_get(&e->replays, name))
        return rn_call_fail(c, RN_ERR_EV_EXISTS, "Replay %s already exists.", name);
    if (from >= to)
        return rn_call_fail(c, RN_ERR_EV_VALIDATION,
                            "Parameter EventEndTime is not valid. Reason: EventStartTime must be before "
                            "EventEndTime.");
    const char *slash = strrchr(src, '/');
    const char *aname = strstr(src, ":archive/") && slash ? slash + 1 : src;
    ev_archive_t *a = rn_smap_get(&e->archives, aname);
    if (!a)
        return rn_call_fail(c, RN_ERR_EV_VALIDATION,
                            "Parameter EventSourceArn is not valid. Reason: Archive %s does not exist.", aname);
    if (!strstr(dest_arn, ":event-bus/"))
        return rn_call_fail(c, RN_ERR_EV_VALIDATION,
                            "Parameter Destination.Arn is not valid. Reason: Must contain an event bus ARN.");
    int active = 0;
    const char *rk;
    void *rv;
    size_t ri = 0;
    while (rn_smap_next(&e->replays, &ri, &rk, &rv))
        active += strcmp(((ev_replay_t *)rv)->state, "STARTING") == 0 ||
                  strcmp(((ev_replay_t *)rv)->state, "RUNNING") == 0;
    if (active >= 10)
        return rn_call_fail(c, RN_ERR_EV_LIMIT_EXCEEDED, "The requested resource exceeds the maximum number allowed.");
    if (to > rn_now_ms())
        return rn_call_fail(c, RN_ERR_EV_VALIDATION,
                            "Parameter EventEndTime is not valid. Reason: EventEndTime cannot be in the future.");
    ev_bus_t *b;
    if (ev_bus_resolve(e, c, dest_arn, &b) < 0)
        return c->err;
    if (strcmp(b->name, a->bus_name) != 0)
        return rn_call_fail(c, RN_ERR_EV_VALIDATION,
                            "Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not "
                            "permitted.");
    json_t *filter = json_object_get(dest, "FilterArns");
    size_t i;
    json_t *f;
    json_array_foreach(filter, i, f) {
        const char *farn = json_string_value(f);
        char rprefix[200];
        ev_arn(e, rprefix, sizeof rprefix, "rule/");
        if (!farn || strncmp(farn, rprefix, strlen(rprefix)) != 0)
            return rn_call_fail(c, RN_ERR_EV_VALIDATION,
                                "Parameter FilterArns is not valid. Reason: Provided Arn is not in correct format.");
    }
    ev_replay_t *r = rn_calloc(1, sizeof *r);
    char arn[512];
    ev_arn(e, arn, sizeof arn, "replay/%s", name);
    if (!r || !(r->name = rn_strdup(name)) || !(r->arn = rn_strdup(arn)) || !(r->archive_name = rn_strdup(a->name)) ||
        !(r->archive_arn = rn_strdup(a->arn)) || !(r->dest_arn = rn_strdup(b->arn)) ||
        rn_smap_put(&e->replays, name, r) < 0) {
        replay_free(r);
        return rn_call_fail(c, RN_ERR_NOMEM, "Out of memory");
    }
    r->description = dup_or_null(desc);
    r->filter = filter ? json_incref(filter) : NULL;
    r->from_ms = from;
    r->to_ms = to;
    r->started_ms = rn_now_ms();
    snprintf(r->state, sizeof r->state, "STARTING");
    replay_persist(e, r);
    replay_kick(e);
    c->out = json_pack("{s:s,s:s,s:o}", "ReplayArn", r->arn, "State", "STARTING", "ReplayStartTime",
                       ev_time_json(r->started_ms));
    return 0;
}

static int replay_get(ev_t *e, rn_call_t *c, ev_replay_t **out)
{
    const char *name = ev_get_str(c->in, "ReplayName");
    if (name_check(c, "replayName", name, 64) < 0)
        return c->err;
    *out = rn_smap_get(&e->replays, name);
    if (!*out)
        return rn_call_fail(c, RN_ERR_EV_NOT_FOUND, "Replay %s does not exist.", name);
    return 0;
}

int ev_op_describe_replay(ev_t *e, rn_call_t *c)
{
    ev_replay_t *r;
    if (replay_get(e, c, &r) < 0)
        return c->err;
    c->out = replay_json(r, 1);
    return 0;
}

int ev_op_list_replays(ev_t *e, rn_call_t *c)
{
    int limit;
    const char *from;
    if (ev_page_params(c, &limit, &from) < 0)
        return c->err;
    const char *prefix = ev_get_str(c->in, "NamePrefix"), *state = ev_get_str(c->in, "State"),
               *src = ev_get_str(c->in, "EventSourceArn");
    if (!!prefix + !!src + !!state > 1)
        return rn_call_fail(c, RN_ERR_EV_VALIDATION, "At most one filter is allowed for ListReplays. Use either : "
                                                     "State, EventSourceArn, or NamePrefix.");
    size_t n;
    const char **names = ev_sorted_keys(&e->replays, &n);
    if (!names)
        return rn_call_fail(c, RN_ERR_NOMEM, "Out of memory");
    json_t *arr = json_array();
    c->out = json_object();
    int count = 0;
    for (size_t j = 0; j < n; j++) {
        ev_replay_t *r = rn_smap_get(&e->replays, names[j]);
        if ((from && strcmp(names[j], from) < 0) || (prefix && strncmp(names[j], prefix, strlen(prefix)) != 0) ||
            (state && strcmp(state, r->state) != 0) || (src && strcmp(src, r->archive_arn) != 0))
            continue;
        if (count == limit) {
            json_object_set_new(c->out, "NextToken", json_string(names[j]));
            break;
        }
        json_array_append_new(arr, replay_json(r, 0));
        count++;
    }
    json_object_set_new(c->out, "Replays", arr);
    rn_free(names);
    return 0;
}

int ev_op_cancel_replay(ev_t *e, rn_call_t *c)
{
    ev_replay_t *r;
    if (replay_get(e, c, &r) < 0)
        return c->err;
    if (strcmp(r->state, "STARTING") != 0 && strcmp(r->state, "RUNNING") != 0)
        return rn_call_fail(c, RN_ERR_EV_ILLEGAL_STATUS, "Replay %s is not in a valid state for this operation.",
                            r->name);
    snprintf(r->state, sizeof r->state, "CANCELLING");
    replay_persist(e, r);
    replay_kick(e);
    c->out = json_pack("{s:s,s:s}", "ReplayArn", r->arn, "State", "CANCELLING");
    return 0;
}

/* ---- loading ---- */

int ev_archive_load(ev_t *e, const char *ns, const char *key, const char *value)
{
    json_error_t jerr;
    if (strcmp(ns, EV_NS_ARCHIVED) == 0) {
        const char *bar = strrchr(key, '|');
        char name[64];
        if (!bar || (size_t)(bar - key) >= sizeof name)
            return 0;
        snprintf(name, sizeof name, "%.*s", (int)(bar - key), key);
        ev_archive_t *a = rn_smap_get(&e->archives, name);
        char *tab = strchr(value, '\t');
        if (!a || !tab)
            return 0;
        int64_t t = strtoll(value, NULL, 10);
        uint64_t seq = strtoull(bar + 1, NULL, 10);
        if (expired(a, t, rn_now_ms())) {
            rn_store_kv_delete(e->store, EV_NS_ARCHIVED, key);
            return 0;
        }
        return archive_add(a, t, seq, tab + 1, strlen(tab + 1));
    }
    json_t *o = json_loads(value, 0, &jerr);
    if (!o)
        return 0;
    if (strcmp(ns, EV_NS_ARCHIVE) == 0 && ev_get_str(o, "Name") && ev_get_str(o, "Bus")) {
        ev_archive_t *a = rn_calloc(1, sizeof *a);
        char arn[512];
        const char *name = ev_get_str(o, "Name");
        ev_arn(e, arn, sizeof arn, "archive/%s", name);
        if (a && (a->name = rn_strdup(name)) && (a->arn = rn_strdup(arn)) &&
            (a->bus_name = rn_strdup(ev_get_str(o, "Bus"))) && rn_smap_put(&e->archives, name, a) == 0) {
            a->description = dup_or_null(ev_get_str(o, "Description"));
            a->pattern = dup_or_null(ev_get_str(o, "EventPattern"));
            char msg[256];
            if (a->pattern && ev_pattern_compile(a->pattern, strlen(a->pattern), &a->pc, msg, sizeof msg) < 0)
                a->pc = NULL;
            a->retention_days = (int)json_integer_value(json_object_get(o, "RetentionDays"));
            a->created_ms = json_integer_value(json_object_get(o, "Created"));
            a->next_seq = (uint64_t)json_integer_value(json_object_get(o, "NextSeq"));
        } else {
            archive_free(a);
        }
    } else if (strcmp(ns, EV_NS_REPLAY) == 0 && ev_get_str(o, "Name")) {
        ev_replay_t *r = rn_calloc(1, sizeof *r);
        char arn[512], aarn[512];
        const char *name = ev_get_str(o, "Name"), *an = ev_get_str(o, "Archive");
        ev_arn(e, arn, sizeof arn, "replay/%s", name);
        ev_arn(e, aarn, sizeof aarn, "archive/%s", an ? an : "");
        if (r && an && (r->name = rn_strdup(name)) && (r->arn = rn_strdup(arn)) && (r->archive_name = rn_strdup(an)) &&
            (r->archive_arn = rn_strdup(aarn)) && (r->dest_arn = dup_or_null(ev_get_str(o, "Dest"))) &&
            rn_smap_put(&e->replays, name, r) == 0) {
            r->description = dup_or_null(ev_get_str(o, "Description"));
            json_t *f = json_object_get(o, "FilterArns");
            r->filter = f ? json_incref(f) : NULL;
            r->from_ms = json_integer_value(json_object_get(o, "From"));
            r->to_ms = json_integer_value(json_object_get(o, "To"));
            r->started_ms = json_integer_value(json_object_get(o, "Started"));
            r->ended_ms = json_integer_value(json_object_get(o, "Ended"));
            r->last_replayed_ms = json_integer_value(json_object_get(o, "Last"));
            r->cursor = (size_t)json_integer_value(json_object_get(o, "Cursor"));
            snprintf(r->state, sizeof r->state, "%s", ev_get_str(o, "State") ? ev_get_str(o, "State") : "FAILED");
            if (strcmp(r->state, "COMPLETED") != 0 && strcmp(r->state, "CANCELLED") != 0 &&
                strcmp(r->state, "FAILED") != 0)
                replay_kick(e); /* an interrupted replay resumes where it stopped */
        } else {
            replay_free(r);
        }
    }
    json_decref(o);
    return 0;
}

void ev_archive_close(ev_t *e)
{
    const char *k;
    void *v;
    size_t i = 0;
    while (rn_smap_next(&e->archives, &i, &k, &v))
        archive_free(v);
    rn_smap_free(&e->archives);
    memset(&e->archives, 0, sizeof e->archives);
    i = 0;
    while (rn_smap_next(&e->replays, &i, &k, &v))
        replay_free(v);
    rn_smap_free(&e->replays);
    memset(&e->replays, 0, sizeof e->replays);
    uv_timer_stop(&e->replay_timer);
}
