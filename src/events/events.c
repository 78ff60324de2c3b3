/* SPDX-License-Identifier: MIT
 * EventBridge service lifecycle, the operation table, the loader and the
 * helpers every file of src/events/ shares (names, ARNs, persistence of
 * buses and rules). The `default` bus always exists. */
#include "events/ev_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/json_out.h"
#include "core/log.h"
#include "core/mem.h"

int ev_bus_char(int ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '.' ||
           ch == '-' || ch == '_' || ch == '/';
}

int ev_rule_char(int ch)
{
    return ch != '/' && ev_bus_char(ch);
}

int ev_check_enum(rn_call_t *c, const char *field, const char *value, const char *listed)
{
    /* listed is the set as AWS prints it, "[A, B, C]"; a member matches
     * when it appears there between "[" or ", " and "," or "]" */
    size_t n = strlen(value);
    for (const char *p = strstr(listed, value); n && !strpbrk(value, "[], ") && p; p = strstr(p + 1, value))
        if ((p[-1] == '[' || p[-1] == ' ') && (p[n] == ',' || p[n] == ']'))
            return 0;
    return rn_call_fail(c, RN_ERR_VALIDATION,
                        "1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must "
                        "satisfy enum value set: %s",
                        value, field, listed);
}

int ev_check_name(rn_call_t *c, const char *field, const char *value, int maxlen, const char *pattern_desc,
                  int (*ok_char)(int ch))
{
    size_t n = strlen(value);
    int bad_chars = n == 0;
    for (size_t i = 0; i < n; i++)
        if (!ok_char((unsigned char)value[i]))
            bad_chars = 1;
    if (n > (size_t)maxlen && bad_chars)
        return rn_call_fail(c, RN_ERR_VALIDATION,
                            "2 validation errors detected: Value '%s' at '%s' failed to satisfy constraint: Member "
                            "must satisfy regular expression pattern: %s; Value '%s' at '%s' failed to satisfy "
                            "constraint: Member must have length less than or equal to %d",
                            value, field, pattern_desc, value, field, maxlen);
    if (n > (size_t)maxlen)
        return rn_call_fail(c, RN_ERR_VALIDATION,
                            "1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member "
                            "must have length less than or equal to %d",
                            value, field, maxlen);
    if (n == 0)
        return rn_call_fail(c, RN_ERR_VALIDATION,
                            "1 validation error detected: Value '' at '%s' failed to satisfy constraint: Member "
                            "must have length greater than or equal to 1",
                            field);
    if (bad_chars)
        return rn_call_fail(c, RN_ERR_VALIDATION,
                            "1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member "
                            "must satisfy regular expression pattern: %s",
                            value, field, pattern_desc);
    return 0;
}

void ev_arn(const ev_t *e, char *out, size_t n, const char *fmt, ...)
{
    int k = snprintf(out, n, "arn:aws:events:%s:%s:", e->cfg->region, e->cfg->account_id);
    if (k < 0 || (size_t)k >= n)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out + k, n - (size_t)k, fmt, ap);
    va_end(ap);
}

typedef struct page_ctx {
    const rn_smap_t *m;
    ev_page_keep_fn keep;
    ev_page_item_fn item;
    void *ud;
    json_t *arr;
} page_ctx_t;

static int page_keep(void *ud, const char *name)
{
    page_ctx_t *p = ud;
    return !p->keep || p->keep(p->ud, name, rn_smap_get(p->m, name));
}

static void page_take(void *ud, const char *name)
{
    page_ctx_t *p = ud;
    json_array_append_new(p->arr, p->item(p->ud, name, rn_smap_get(p->m, name)));
}

int ev_list_page(rn_call_t *c, const rn_smap_t *m, const char *list_key, ev_page_keep_fn keep, ev_page_item_fn item,
                 void *ud)
{
    int limit;
    const char *from;
    if (ev_page_params(c, &limit, &from) < 0)
        return c->err;
    size_t n;
    const char **names = rn_sorted_keys(m, &n);
    if (!names)
        return rn_call_fail(c, RN_ERR_NOMEM, "Out of memory");
    page_ctx_t ctx = {m, keep, item, ud, json_array()};
    /* the token is the first name of the next page */
    rn_page_t page = {from, 1, (size_t)limit, rn_param_str(c->in, "NamePrefix")};
    size_t next = rn_page_walk(&page, names, n, page_keep, page_take, &ctx);
    c->out = json_object();
    if (next < n)
        json_object_set_new(c->out, "NextToken", json_string(names[next]));
    json_object_set_new(c->out, list_key, ctx.arr);
    rn_free(names);
    return 0;
}

json_t *ev_time_json(int64_t ms)
{
    return json_real((double)ms / 1000.0);
}

/* The bus name in a name or ARN (NULL or "" = default), or NULL when an
 * ARN has no ":event-bus/" part. Borrowed from name_or_arn. */
static const char *bus_name(const char *name_or_arn)
{
    const char *name = name_or_arn && *name_or_arn ? name_or_arn : "default";
    if (strncmp(name, "arn:", 4) != 0)
        return name;
    const char *slash = strstr(name, ":event-bus/"); /* bus names hold no ':' */
    return slash ? slash + 11 : NULL;
}

int ev_arn_here(const ev_t *e, const char *arn)
{
    size_t rl = strlen(e->cfg->region), al = strlen(e->cfg->account_id);
    return strncmp(arn, "arn:aws:events:", 15) == 0 && strncmp(arn + 15, e->cfg->region, rl) == 0 &&
           arn[15 + rl] == ':' && strncmp(arn + 16 + rl, e->cfg->account_id, al) == 0 && arn[16 + rl + al] == ':';
}

ev_bus_t *ev_bus_find(ev_t *e, const char *name_or_arn)
{
    const char *name = bus_name(name_or_arn);
    return name ? rn_smap_get(&e->buses, name) : NULL;
}

int ev_bus_resolve(ev_t *e, rn_call_t *c, const char *name_or_arn, ev_bus_t **out)
{
    const char *name = bus_name(name_or_arn);
    if (!name)
        return rn_call_fail(c, RN_ERR_VALIDATION, "Parameter %s is not valid. Reason: Provided Arn is not "
                                                     "in correct format.",
                            name_or_arn);
    ev_bus_t *b = rn_smap_get(&e->buses, name);
    if (!b)
        return rn_call_fail(c, EV_ERR_NOT_FOUND, "Event bus %s does not exist.", name);
    *out = b;
    return 0;
}

static void kv_put_json(ev_t *e, const char *ns, const char *key, const json_t *v)
{
    if (!rn_store_durable(e->store))
        return;
    rn_buf_t b = {0};
    rn_json_dump(&b, v);
    if (b.oom) {
        RN_ERROR("events: out of memory persisting %s/%s", ns, key);
    } else {
        rn_buf_add(&b, "", 1);
        rn_store_kv_put(e->store, ns, key, b.data);
    }
    rn_buf_free(&b);
}

void ev_bus_persist(ev_t *e, ev_bus_t *b)
{
    json_t *o = json_object();
    json_object_set_new(o, "Name", json_string(b->name));
    if (b->description)
        json_object_set_new(o, "Description", json_string(b->description));
    if (b->policy)
        json_object_set_new(o, "Policy", json_string(b->policy));
    if (b->extra)
        json_object_set(o, "Extra", b->extra);
    json_object_set_new(o, "Created", json_integer(b->created_ms));
    json_object_set_new(o, "Modified", json_integer(b->modified_ms));
    json_object_set(o, "Tags", b->tags);
    kv_put_json(e, EV_NS_BUS, b->name, o);
    json_decref(o);
}

static void rule_key(const ev_rule_t *r, char *out, size_t n)
{
    snprintf(out, n, "%s|%s", r->bus->name, r->name);
}

void ev_rule_persist(ev_t *e, ev_rule_t *r)
{
    json_t *o = json_object();
    json_object_set_new(o, "Bus", json_string(r->bus->name));
    json_object_set_new(o, "Name", json_string(r->name));
    if (r->pattern)
        json_object_set_new(o, "EventPattern", json_string(r->pattern));
    if (r->schedule)
        json_object_set_new(o, "ScheduleExpression", json_string(r->schedule));
    if (r->description)
        json_object_set_new(o, "Description", json_string(r->description));
    if (r->role_arn)
        json_object_set_new(o, "RoleArn", json_string(r->role_arn));
    if (r->managed_by)
        json_object_set_new(o, "ManagedBy", json_string(r->managed_by));
    json_object_set_new(o, "Enabled", json_boolean(r->enabled));
    json_object_set_new(o, "Created", json_integer(r->created_ms));
    json_object_set_new(o, "LastFire", json_integer(r->last_fire_ms));
    json_t *ts = json_array();
    for (int i = 0; i < r->ntargets; i++)
        json_array_append(ts, r->targets[i]->spec);
    json_object_set_new(o, "Targets", ts);
    json_object_set(o, "Tags", r->tags);
    char key[600];
    rule_key(r, key, sizeof key);
    kv_put_json(e, EV_NS_RULE, key, o);
    json_decref(o);
}

void ev_rule_unpersist(ev_t *e, ev_rule_t *r)
{
    char key[600];
    rule_key(r, key, sizeof key);
    rn_store_kv_delete(e->store, EV_NS_RULE, key);
}

void ev_target_free(ev_target_t *t)
{
    if (!t)
        return;
    rn_free(t->id);
    rn_free(t->arn);
    json_decref(t->spec);
    ev_transform_free(t->xf);
    rn_free(t);
}

void ev_rule_free(ev_rule_t *r)
{
    if (!r)
        return;
    for (int i = 0; i < r->ntargets; i++)
        ev_target_free(r->targets[i]);
    ev_schedule_free(r->sched);
    rn_free(r->name);
    rn_free(r->arn);
    rn_free(r->pattern);
    rn_free(r->schedule);
    rn_free(r->description);
    rn_free(r->role_arn);
    rn_free(r->managed_by);
    json_decref(r->tags);
    rn_free(r);
}

typedef int (*ev_op_fn)(ev_t *e, rn_call_t *c);
typedef struct {
    const char *name;
    ev_op_fn fn;
} op_entry_t;

static const op_entry_t ops[] = {
    {"CreateEventBus", ev_op_create_event_bus},
    {"DeleteEventBus", ev_op_delete_event_bus},
    {"DescribeEventBus", ev_op_describe_event_bus},
    {"ListEventBuses", ev_op_list_event_buses},
    {"UpdateEventBus", ev_op_update_event_bus},
    {"PutPermission", ev_op_put_permission},
    {"RemovePermission", ev_op_remove_permission},
    {"PutRule", ev_op_put_rule},
    {"DeleteRule", ev_op_delete_rule},
    {"DescribeRule", ev_op_describe_rule},
    {"ListRules", ev_op_list_rules},
    {"EnableRule", ev_op_enable_rule},
    {"DisableRule", ev_op_disable_rule},
    {"ListRuleNamesByTarget", ev_op_list_rule_names_by_target},
    {"TestEventPattern", ev_op_test_event_pattern},
    {"PutTargets", ev_op_put_targets},
    {"RemoveTargets", ev_op_remove_targets},
    {"ListTargetsByRule", ev_op_list_targets_by_rule},
    {"PutEvents", ev_op_put_events},
    {"CreateArchive", ev_op_create_archive},
    {"DescribeArchive", ev_op_describe_archive},
    {"ListArchives", ev_op_list_archives},
    {"UpdateArchive", ev_op_update_archive},
    {"DeleteArchive", ev_op_delete_archive},
    {"StartReplay", ev_op_start_replay},
    {"DescribeReplay", ev_op_describe_replay},
    {"ListReplays", ev_op_list_replays},
    {"CancelReplay", ev_op_cancel_replay},
    {"CreateConnection", ev_op_create_connection},
    {"DescribeConnection", ev_op_describe_connection},
    {"ListConnections", ev_op_list_connections},
    {"UpdateConnection", ev_op_update_connection},
    {"DeleteConnection", ev_op_delete_connection},
    {"DeauthorizeConnection", ev_op_deauthorize_connection},
    {"CreateApiDestination", ev_op_create_api_destination},
    {"DescribeApiDestination", ev_op_describe_api_destination},
    {"ListApiDestinations", ev_op_list_api_destinations},
    {"UpdateApiDestination", ev_op_update_api_destination},
    {"DeleteApiDestination", ev_op_delete_api_destination},
    {"TagResource", ev_op_tag_resource},
    {"UntagResource", ev_op_untag_resource},
    {"ListTagsForResource", ev_op_list_tags_for_resource},
};

int ev_call(ev_t *e, rn_call_t *c)
{
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (strcmp(ops[i].name, c->op) == 0) {
            int rc = ops[i].fn(e, c);
            return rc < 0 ? c->err : 0;
        }
    return rn_call_fail(c, RN_ERR_UNKNOWN_OPERATION, "%s", "");
}

static const rn_err_info_t ev_rows[] = {EV_ERR_TABLE(RN_ERR_ROW)};
const rn_err_table_t ev_errors = {EV_ERR_FIRST_ + 1, sizeof ev_rows / sizeof ev_rows[0], ev_rows};

int ev_new(const rn_service_env_t *env, ev_t **out)
{
    rn_err_register(&ev_errors);
    ev_t *e = rn_calloc(1, sizeof *e);
    if (!e)
        return RN_ERR_NOMEM;
    e->loop = env->loop;
    e->store = env->store;
    e->cfg = env->cfg;
    e->sinks = env->sinks;
    e->next_rule_id = 1;
    uv_timer_init(env->loop, &e->sched_timer);
    uv_timer_init(env->loop, &e->retry_timer);
    uv_timer_init(env->loop, &e->replay_timer);
    e->sched_timer.data = e->retry_timer.data = e->replay_timer.data = e;
    uv_unref((uv_handle_t *)&e->sched_timer);
    uv_unref((uv_handle_t *)&e->retry_timer);
    uv_unref((uv_handle_t *)&e->replay_timer);
    ev_bus_t *b;
    if (ev_bus_create(e, "default", &b) < 0) {
        ev_free(e);
        return RN_ERR_NOMEM;
    }
    ev_deliver_init(e);
    *out = e;
    return 0;
}

int ev_load_kv(ev_t *e, const char *ns, const char *key, const char *value)
{
    json_error_t jerr;
    if (strcmp(ns, EV_NS_DELIVERY) == 0)
        return ev_delivery_load(e, key, value);
    if (strcmp(ns, EV_NS_CONNECTION) == 0 || strcmp(ns, EV_NS_APIDEST) == 0)
        return ev_connection_load(e, ns, key, value);
    if (strcmp(ns, EV_NS_ARCHIVED) == 0) /* "<time>\t<envelope>", not JSON */
        return ev_archive_load(e, ns, key, value);
    json_t *o = json_loads(value, 0, &jerr);
    if (!o) {
        RN_WARN("events: unreadable record %s/%s: %s", ns, key, jerr.text);
        return 0;
    }
    if (strcmp(ns, EV_NS_BUS) == 0) {
        const char *name = rn_param_str(o, "Name");
        ev_bus_t *b = name ? rn_smap_get(&e->buses, name) : NULL;
        if (name && !b && ev_bus_create(e, name, &b) < 0)
            b = NULL;
        if (b) {
            const char *d = rn_param_str(o, "Description"), *p = rn_param_str(o, "Policy");
            b->description = d ? rn_strdup(d) : NULL;
            b->policy = p ? rn_strdup(p) : NULL;
            json_t *x = json_object_get(o, "Extra");
            b->extra = x ? json_incref(x) : NULL;
            b->created_ms = json_integer_value(json_object_get(o, "Created"));
            b->modified_ms = json_integer_value(json_object_get(o, "Modified"));
            json_t *t = json_object_get(o, "Tags");
            if (json_is_object(t)) {
                json_decref(b->tags);
                b->tags = json_incref(t);
            }
        }
    } else if (strcmp(ns, EV_NS_RULE) == 0) {
        /* records load in (namespace, key) order, so buses come before rules;
         * a rule whose bus record is missing recreates the bus empty */
        const char *bus = rn_param_str(o, "Bus");
        ev_bus_t *b = bus ? rn_smap_get(&e->buses, bus) : NULL;
        if (bus && !b && ev_bus_create(e, bus, &b) < 0)
            b = NULL;
        if (b)
            ev_rule_from_record(e, b, o);
    } else if (strncmp(ns, "events.", 7) == 0) {
        ev_archive_load(e, ns, key, value);
    }
    json_decref(o);
    return 0;
}

void ev_start(ev_t *e)
{
    ev_archive_start(e);
    ev_sched_init(e);
    ev_deliver_start(e);
}

void ev_reset(ev_t *e)
{
    ev_deliver_reset(e);
    memset(&e->tally, 0, sizeof e->tally);
    memset(&e->put, 0, sizeof e->put);
    const char *k;
    void *v;
    size_t i = 0;
    while (rn_smap_next(&e->buses, &i, &k, &v))
        ev_bus_free(v);
    rn_smap_free(&e->buses);
    rn_imap_free(&e->rules);
    memset(&e->buses, 0, sizeof e->buses);
    memset(&e->rules, 0, sizeof e->rules);
    ev_archive_close(e);
    ev_connection_close(e);
    ev_bus_t *b;
    ev_bus_create(e, "default", &b);
    ev_sched_update(e);
}

size_t ev_bus_count(const ev_t *e)
{
    return e->buses.len;
}

static void on_timer_closed(uv_handle_t *h)
{
    ev_t *e = h->data;
    if (--e->closing == 0)
        rn_free(e);
}

void ev_free(ev_t *e)
{
    if (!e)
        return;
    ev_sched_close(e);
    ev_deliver_close(e);
    const char *k;
    void *v;
    size_t i = 0;
    while (rn_smap_next(&e->buses, &i, &k, &v))
        ev_bus_free(v);
    rn_smap_free(&e->buses);
    rn_imap_free(&e->rules);
    ev_archive_close(e);
    ev_connection_close(e);
    e->closing = 3; /* the timers live inside e: freed by the last close callback */
    uv_close((uv_handle_t *)&e->sched_timer, on_timer_closed);
    uv_close((uv_handle_t *)&e->retry_timer, on_timer_closed);
    uv_close((uv_handle_t *)&e->replay_timer, on_timer_closed);
}
