/* SPDX-License-Identifier: MIT
 * Archives. An archive on a bus keeps every event of that bus that its
 * optional pattern matches, durably (one keyed record per event, written in
 * the same store batch as the PutEvents that produced it), for RetentionDays
 * (0 = forever). As on AWS, events reach it through a rule on the bus,
 * Events-Archive-<name>, managed by the service: its pattern is the
 * archive's plus "replay-name" absent, so replayed events are not archived
 * again. Replays of an archive are in replay.c. */
#include "events/archive_int.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_alloc.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/ids.h"
#include "core/log.h"
#include "core/mem.h"

#define ARCHIVE_PATTERN "[\\.\\-_A-Za-z0-9]+"
#define DAY_MS (24LL * 3600 * 1000)

static void archive_free(ev_archive_t *a)
{
    if (!a)
        return;
    for (size_t i = 0; i < a->n; i++)
        rn_free(a->events[i].env);
    rn_free(a->events);
    rn_free(a->name);
    rn_free(a->arn);
    rn_free(a->bus_name);
    rn_free(a->description);
    rn_free(a->pattern);
    rn_free(a);
}

char *ev_dup_or_null(const char *s)
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
    json_object_set_new(o, "Uuid", json_string(a->uuid));
    json_object_set_new(o, "HasRule", json_boolean(a->has_rule));
    char *txt = json_dumps(o, JSON_COMPACT);
    if (txt)
        rn_store_kv_put(e->store, EV_NS_ARCHIVE, a->name, txt);
    rn_json_free(txt);
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

int ev_archive_expired(const ev_archive_t *a, int64_t t, int64_t now)
{
    return a->retention_days > 0 && t < now - (int64_t)a->retention_days * DAY_MS;
}

#define RULE_PREFIX "Events-Archive-"

void ev_archive_capture(ev_t *e, const ev_rule_t *r, const char *envelope, size_t len, int64_t ingest_ms)
{
    ev_archive_t *a = strncmp(r->name, RULE_PREFIX, strlen(RULE_PREFIX)) == 0
                          ? rn_smap_get(&e->archives, r->name + strlen(RULE_PREFIX))
                          : NULL;
    if (!a || strcmp(a->bus_name, r->bus->name) != 0)
        return;
    uint64_t seq = a->next_seq;
    if (archive_add(a, ingest_ms, seq, envelope, len) < 0) {
        RN_ERROR("events: out of memory archiving on %s", a->name);
        return;
    }
    if (!rn_store_durable(e->store))
        return;
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

/* The archive rule's pattern: the archive's, or {}, with "replay-name"
 * required absent (moto's emulation of AWS, test_create_archive, records
 * {"replay-name": [{"exists": false}]} for an archive without a pattern).
 * The user's text is kept; the condition goes before its closing brace.
 * Caller owns the result; free with rn_free(). */
static char *rule_pattern(const char *pattern)
{
    static const char cond[] = "\"replay-name\":[{\"exists\":false}]";
    const char *p = pattern ? pattern : "{}";
    const char *close = strrchr(p, '}'), *open = strchr(p, '{');
    if (!close || !open || close < open)
        return NULL;
    const char *q = open + 1;
    while (q < close && strchr(" \t\r\n", *q))
        q++;
    size_t head = (size_t)(close - p);
    char *out = rn_malloc(strlen(p) + sizeof cond + 2);
    if (out)
        sprintf(out, "%.*s%s%s%s", (int)head, p, q < close ? "," : "", cond, close);
    return out;
}

/* Creates or updates the archive's rule on its bus (as CreateArchive and
 * UpdateArchive do on AWS); 0, or an error with the call's message. */
static int rule_sync(ev_t *e, rn_call_t *c, ev_archive_t *a)
{
    ev_bus_t *b = rn_smap_get(&e->buses, a->bus_name);
    char name[80], target_arn[128], tmpl[640];
    char *pattern = rule_pattern(a->pattern);
    if (!b || !pattern) {
        rn_free(pattern);
        return rn_call_fail(c, b ? RN_ERR_NOMEM : EV_ERR_NOT_FOUND, b ? "Out of memory" :
                            "Event bus %s does not exist.", a->bus_name);
    }
    snprintf(name, sizeof name, RULE_PREFIX "%s", a->name);
    snprintf(target_arn, sizeof target_arn, "arn:aws:events:%s:::", e->cfg->region);
    snprintf(tmpl, sizeof tmpl,
             "{\"archive-arn\": \"%s:%s\", \"event\": <aws.events.event.json>, \"ingestion-time\": "
             "<aws.events.event.ingestion-time>}",
             a->arn, a->uuid);
    json_t *target = json_pack("{s:s,s:s,s:{s:{},s:s}}", "Id", name, "Arn", target_arn, "InputTransformer",
                               "InputPathsMap", "InputTemplate", tmpl);
    int rc = target ? ev_rule_put_managed(e, b, name, pattern, EV_ARCHIVE_MANAGER, target, c->msg, sizeof c->msg)
                    : rn_call_fail(c, RN_ERR_NOMEM, "Out of memory");
    json_decref(target);
    rn_free(pattern);
    if (rc < 0)
        return c->err = rc;
    a->has_rule = 1;
    return 0;
}

/* Deletes the archive's rule, if the user has not force-deleted it already. */
static void rule_drop(ev_t *e, const ev_archive_t *a)
{
    ev_bus_t *b = rn_smap_get(&e->buses, a->bus_name);
    char name[80];
    snprintf(name, sizeof name, RULE_PREFIX "%s", a->name);
    ev_rule_t *r = b ? rn_smap_get(&b->rules, name) : NULL;
    if (r && r->managed_by && strcmp(r->managed_by, EV_ARCHIVE_MANAGER) == 0)
        ev_rule_remove(e, r);
}

void ev_archive_start(ev_t *e)
{
    const char *k;
    void *v;
    size_t i = 0;
    while (rn_smap_next(&e->archives, &i, &k, &v)) {
        ev_archive_t *a = v;
        rn_call_t c = {0};
        if (!a->has_rule && rule_sync(e, &c, a) == 0)
            archive_persist(e, a);
        else if (!a->has_rule)
            RN_WARN("events: archive %s: its rule could not be made: %s", a->name, c.msg);
    }
}

int ev_archive_name_check(rn_call_t *c, const char *field, const char *name, int max)
{
    if (!name)
        return rn_call_fail(c, RN_ERR_VALIDATION,
                            "1 validation error detected: Value null at '%s' failed to satisfy constraint: Member "
                            "must not be null",
                            field);
    return ev_check_name(c, field, name, max, ARCHIVE_PATTERN, ev_rule_char);
}

static int archive_get(ev_t *e, rn_call_t *c, ev_archive_t **out)
{
    const char *name = rn_param_str(c->in, "ArchiveName");
    if (ev_archive_name_check(c, "archiveName", name, 48) < 0)
        return c->err;
    *out = rn_smap_get(&e->archives, name);
    if (!*out)
        return rn_call_fail(c, EV_ERR_NOT_FOUND, "Archive %s does not exist.", name);
    return 0;
}

static int retention_arg(rn_call_t *c, int *out)
{
    json_t *r = json_object_get(c->in, "RetentionDays");
    if (!r)
        return 0;
    if (!json_is_integer(r) || json_integer_value(r) < 0 || json_integer_value(r) > INT32_MAX)
        return rn_call_fail(c, RN_ERR_VALIDATION,
                            "1 validation error detected: Value '%lld' at 'retentionDays' failed to satisfy "
                            "constraint: Member must have value greater than or equal to 0",
                            (long long)json_integer_value(r));
    *out = (int)json_integer_value(r);
    return 1;
}

/* Checks an archive's EventPattern as PutRule would (AWS's answers keep the
 * JSON parser's location suffix). */
static int pattern_check(rn_call_t *c, const char *pattern)
{
    if (!pattern || !*pattern)
        return 0;
    if (strlen(pattern) > 4096)
        return rn_call_fail(c, RN_ERR_VALIDATION,
                            "1 validation error detected: Value at 'eventPattern' failed to satisfy constraint: "
                            "Member must have length less than or equal to 4096");
    ev_pattern_t *pc = NULL;
    int rc = ev_pattern_compile_raw(pattern, strlen(pattern), &pc, c->msg, sizeof c->msg);
    ev_pattern_free(pc);
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
    const char *name = rn_param_str(c->in, "ArchiveName"), *src = rn_param_str(c->in, "EventSourceArn");
    const char *desc = rn_param_str(c->in, "Description"), *pattern = rn_param_str(c->in, "EventPattern");
    int days = 0;
    ev_bus_t *b;
    if (ev_archive_name_check(c, "archiveName", name, 48) < 0 || retention_arg(c, &days) < 0)
        return c->err;
    if (!src)
        return rn_call_fail(c, RN_ERR_VALIDATION,
                            "1 validation error detected: Value null at 'eventSourceArn' failed to satisfy "
                            "constraint: Member must not be null");
    if (desc && strlen(desc) > 512)
        return rn_call_fail(c, RN_ERR_VALIDATION,
                            "1 validation error detected: Value at 'description' failed to satisfy constraint: "
                            "Member must have length less than or equal to 512");
    if (strncmp(src, "arn:", 4) != 0)
        return rn_call_fail(c, RN_ERR_VALIDATION, "Parameter %s is not valid. Reason: Provided Arn is not in "
                                                     "correct format.",
                            src);
    if (ev_bus_resolve(e, c, src, &b) < 0)
        return c->err;
    if (rn_smap_get(&e->archives, name))
        return rn_call_fail(c, EV_ERR_EXISTS, "Archive %s already exists.", name);
    if (pattern_check(c, pattern) < 0)
        return c->err;
    ev_archive_t *a = rn_calloc(1, sizeof *a);
    char arn[512];
    ev_arn(e, arn, sizeof arn, "archive/%s", name);
    if (!a || !(a->name = rn_strdup(name)) || !(a->arn = rn_strdup(arn)) || !(a->bus_name = rn_strdup(b->name)) ||
        rn_smap_put(&e->archives, name, a) < 0) {
        archive_free(a);
        return rn_call_fail(c, RN_ERR_NOMEM, "Out of memory");
    }
    a->description = ev_dup_or_null(desc);
    a->pattern = pattern && *pattern ? rn_strdup(pattern) : NULL;
    a->retention_days = days;
    a->created_ms = rn_now_ms();
    rn_uuid(a->uuid);
    if (rule_sync(e, c, a) < 0) {
        rn_smap_del(&e->archives, a->name);
        archive_free(a);
        return c->err;
    }
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

typedef struct {
    ev_t *e;
    const ev_bus_t *bus;   /* EventSourceArn filter, or NULL */
    const char *state;     /* State filter, or NULL */
} archive_filter_t;

static int archive_keep(void *ud, const char *name, void *val)
{
    (void)name;
    const archive_filter_t *f = ud;
    const ev_archive_t *a = val;
    return (!f->bus || strcmp(a->bus_name, f->bus->name) == 0) && (!f->state || strcmp(f->state, "ENABLED") == 0);
}

static json_t *archive_item(void *ud, const char *name, void *val)
{
    (void)name;
    const archive_filter_t *f = ud;
    char buf[512];
    return archive_json(val, 0, bus_arn_of(f->e, val, buf, sizeof buf));
}

int ev_op_list_archives(ev_t *e, rn_call_t *c)
{
    const char *prefix = rn_param_str(c->in, "NamePrefix"), *src = rn_param_str(c->in, "EventSourceArn");
    archive_filter_t f = {e, NULL, rn_param_str(c->in, "State")};
    ev_bus_t *b = NULL;
    /* AWS's order, from moto's test_list_archives_error_invalid_state */
    if (f.state && ev_check_enum(c, "state", f.state,
                                 "[ENABLED, DISABLED, CREATING, UPDATING, CREATE_FAILED, UPDATE_FAILED]") < 0)
        return c->err;
    if (!!prefix + !!src + !!f.state > 1)
        return rn_call_fail(c, RN_ERR_VALIDATION, "At most one filter is allowed for ListArchives. Use either : "
                                                     "State, EventSourceArn, or NamePrefix.");
    if (src && ev_bus_resolve(e, c, src, &b) < 0)
        return c->err;
    f.bus = b;
    return ev_list_page(c, &e->archives, "Archives", archive_keep, archive_item, &f);
}

int ev_op_update_archive(ev_t *e, rn_call_t *c)
{
    ev_archive_t *a;
    int days = 0, has_days;
    const char *desc = rn_param_str(c->in, "Description"), *pattern = rn_param_str(c->in, "EventPattern");
    if (!desc && !pattern && !json_object_get(c->in, "RetentionDays"))
        return rn_call_fail(c, RN_ERR_VALIDATION,
                            "At least one of EventPattern, RetentionDays or Description must be provided.");
    if (archive_get(e, c, &a) < 0 || (has_days = retention_arg(c, &days)) < 0)
        return c->err;
    if (pattern && pattern_check(c, pattern) < 0)
        return c->err;
    if (pattern) {
        char *old = a->pattern;
        a->pattern = *pattern ? rn_strdup(pattern) : NULL;
        if (rule_sync(e, c, a) < 0) {
            rn_free(a->pattern);
            a->pattern = old;
            return c->err;
        }
        rn_free(old);
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
    rule_drop(e, a);
    rn_store_kv_delete(e->store, EV_NS_ARCHIVE, a->name);
    rn_smap_del(&e->archives, a->name);
    archive_free(a);
    c->out = json_object();
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
        if (ev_archive_expired(a, t, rn_now_ms())) {
            rn_store_kv_delete(e->store, EV_NS_ARCHIVED, key);
            return 0;
        }
        return archive_add(a, t, seq, tab + 1, strlen(tab + 1));
    }
    json_t *o = json_loads(value, 0, &jerr);
    if (!o)
        return 0;
    if (strcmp(ns, EV_NS_REPLAY) == 0) {
        ev_replay_load(e, o);
    } else if (strcmp(ns, EV_NS_ARCHIVE) == 0 && rn_param_str(o, "Name") && rn_param_str(o, "Bus")) {
        ev_archive_t *a = rn_calloc(1, sizeof *a);
        char arn[512];
        const char *name = rn_param_str(o, "Name");
        ev_arn(e, arn, sizeof arn, "archive/%s", name);
        if (a && (a->name = rn_strdup(name)) && (a->arn = rn_strdup(arn)) &&
            (a->bus_name = rn_strdup(rn_param_str(o, "Bus"))) && rn_smap_put(&e->archives, name, a) == 0) {
            a->description = ev_dup_or_null(rn_param_str(o, "Description"));
            a->pattern = ev_dup_or_null(rn_param_str(o, "EventPattern"));
            snprintf(a->uuid, sizeof a->uuid, "%s", rn_param_str(o, "Uuid") ? rn_param_str(o, "Uuid") : "");
            if (!a->uuid[0])
                rn_uuid(a->uuid);
            a->has_rule = json_is_true(json_object_get(o, "HasRule"));
            a->retention_days = (int)json_integer_value(json_object_get(o, "RetentionDays"));
            a->created_ms = json_integer_value(json_object_get(o, "Created"));
            a->next_seq = (uint64_t)json_integer_value(json_object_get(o, "NextSeq"));
        } else {
            archive_free(a);
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
    ev_replay_close(e);
}
