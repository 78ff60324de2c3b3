/* SPDX-License-Identifier: MIT
 * Rules: PutRule (create or replace), describe, list, enable/disable, delete,
 * ListRuleNamesByTarget and TestEventPattern. An enabled rule with an event
 * pattern sits in its bus's matcher under its numeric id; a rule with a
 * schedule is fired by scheduler.c instead. */
#include "events/ev_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "core/mem.h"

#define RULE_PATTERN "[\\.\\-_A-Za-z0-9]+"

static int rule_resolve(ev_t *e, rn_call_t *c, ev_bus_t **bus, ev_rule_t **out)
{
    const char *name = rn_param_str(c->in, "Name");
    if (!name)
        return rn_call_fail(c, RN_ERR_VALIDATION,
                            "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member "
                            "must not be null");
    if (ev_check_name(c, "name", name, 64, RULE_PATTERN, ev_rule_char) < 0 ||
        ev_bus_resolve(e, c, rn_param_str(c->in, "EventBusName"), bus) < 0)
        return c->err;
    *out = rn_smap_get(&(*bus)->rules, name);
    return 0;
}

static int not_found(rn_call_t *c, const ev_bus_t *b)
{
    return rn_call_fail(c, EV_ERR_NOT_FOUND, "Rule %s does not exist on EventBus %s.", rn_param_str(c->in, "Name"),
                        b->name);
}

/* Puts the rule in (or out of) its bus's matcher to reflect its state. */
static int matcher_sync(ev_rule_t *r, char *msg, size_t msglen)
{
    ev_matcher_remove(r->bus->matcher, r->id);
    if (!r->enabled || !r->pattern)
        return 0;
    return ev_matcher_add(r->bus->matcher, r->id, r->pattern, strlen(r->pattern), msg, msglen);
}

static char *dup_or_null(const char *s)
{
    return s ? rn_strdup(s) : NULL;
}

static void rule_arn(ev_t *e, const ev_bus_t *b, const char *name, char *out, size_t n)
{
    if (strcmp(b->name, "default") == 0)
        ev_arn(e, out, n, "rule/%s", name);
    else
        ev_arn(e, out, n, "rule/%s/%s", b->name, name);
}

static ev_rule_t *rule_new(ev_t *e, ev_bus_t *b, const char *name)
{
    ev_rule_t *r = rn_calloc(1, sizeof *r);
    char arn[2048];
    if (!r)
        return NULL;
    r->bus = b;
    r->id = e->next_rule_id++;
    r->name = rn_strdup(name);
    rule_arn(e, b, name, arn, sizeof arn);
    r->arn = rn_strdup(arn);
    r->tags = json_object();
    r->created_ms = rn_now_ms();
    r->next_fire_ms = -1;
    r->enabled = 1;
    if (!r->name || !r->arn || !r->tags || rn_smap_put(&b->rules, name, r) < 0 ||
        rn_imap_put(&e->rules, (int64_t)r->id, r) < 0) {
        rn_smap_del(&b->rules, name);
        rn_imap_del(&e->rules, (int64_t)r->id);
        ev_rule_free(r);
        return NULL;
    }
    return r;
}

int ev_rule_from_record(ev_t *e, ev_bus_t *b, const json_t *rec)
{
    const char *name = rn_param_str(rec, "Name");
    if (!name || rn_smap_get(&b->rules, name))
        return 0;
    ev_rule_t *r = rule_new(e, b, name);
    if (!r)
        return RN_ERR_NOMEM;
    r->pattern = dup_or_null(rn_param_str(rec, "EventPattern"));
    r->schedule = dup_or_null(rn_param_str(rec, "ScheduleExpression"));
    r->description = dup_or_null(rn_param_str(rec, "Description"));
    r->role_arn = dup_or_null(rn_param_str(rec, "RoleArn"));
    r->managed_by = dup_or_null(rn_param_str(rec, "ManagedBy"));
    r->enabled = json_is_true(json_object_get(rec, "Enabled"));
    r->created_ms = json_integer_value(json_object_get(rec, "Created"));
    r->last_fire_ms = json_integer_value(json_object_get(rec, "LastFire"));
    json_t *tags = json_object_get(rec, "Tags");
    if (json_is_object(tags)) {
        json_decref(r->tags);
        r->tags = json_incref(tags);
    }
    char msg[512];
    if (r->schedule && ev_schedule_parse(r->schedule, &r->sched, msg, sizeof msg) < 0)
        RN_WARN("events: rule %s: stored schedule no longer parses: %s", r->arn, msg);
    if (matcher_sync(r, msg, sizeof msg) < 0)
        RN_WARN("events: rule %s: stored pattern no longer compiles: %s", r->arn, msg);
    size_t i;
    json_t *spec;
    json_array_foreach(json_object_get(rec, "Targets"), i, spec) {
        ev_target_t *t;
        const char *code;
        if (r->ntargets < EV_MAX_TARGETS && ev_target_from_spec(e, spec, 1, &t, &code, msg, sizeof msg) == 0)
            r->targets[r->ntargets++] = t;
    }
    return 0;
}

static int check_len(rn_call_t *c, const char *field, const char *v, size_t max)
{
    if (v && strlen(v) > max)
        return rn_call_fail(c, RN_ERR_VALIDATION,
                            "1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member "
                            "must have length less than or equal to %zu",
                            v, field, max);
    return 0;
}

int ev_op_put_rule(ev_t *e, rn_call_t *c)
{
    ev_bus_t *b;
    ev_rule_t *r;
    if (rule_resolve(e, c, &b, &r) < 0)
        return c->err;
    const char *name = rn_param_str(c->in, "Name");
    const char *pattern = rn_param_str(c->in, "EventPattern"), *sched = rn_param_str(c->in, "ScheduleExpression");
    const char *desc = rn_param_str(c->in, "Description"), *role = rn_param_str(c->in, "RoleArn");
    const char *state = rn_param_str(c->in, "State");
    if (check_len(c, "scheduleExpression", sched, 256) < 0 || check_len(c, "eventPattern", pattern, 4096) < 0 ||
        check_len(c, "description", desc, 512) < 0 || check_len(c, "roleArn", role, 1600) < 0)
        return c->err;
    if (state && ev_check_enum(c, "state", state, "[ENABLED, DISABLED, ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS]") < 0)
        return c->err;
    if ((!pattern || !*pattern) && (!sched || !*sched))
        return rn_call_fail(c, RN_ERR_VALIDATION,
                            "Parameter(s) EventPattern or ScheduleExpression must be specified.");
    if (sched && *sched && strcmp(b->name, "default") != 0)
        return rn_call_fail(c, RN_ERR_VALIDATION, "ScheduleExpression is supported only on the default event bus.");
    ev_pattern_t *pc = NULL;
    ev_schedule_t *sc = NULL;
    if (pattern && *pattern) {
        /* AWS's answer keeps the JSON parser's location suffix */
        int rc = ev_pattern_compile_raw(pattern, strlen(pattern), &pc, c->msg, sizeof c->msg);
        if (rc < 0)
            return c->err = rc;
        ev_pattern_free(pc);
    }
    if (sched && *sched) {
        int rc = ev_schedule_parse(sched, &sc, c->msg, sizeof c->msg);
        if (rc < 0)
            return c->err = rc;
    }
    if (r && r->managed_by) {
        ev_schedule_free(sc);
        return rn_call_fail(c, EV_ERR_MANAGED_RULE,
                            "Cannot modify rule %s because it is managed by %s.", r->name, r->managed_by);
    }
    if (!r) {
        if (b->rules.len >= EV_MAX_RULES) {
            ev_schedule_free(sc);
            return rn_call_fail(c, EV_ERR_LIMIT_EXCEEDED,
                                "The requested resource exceeds the maximum number allowed.");
        }
        r = rule_new(e, b, name);
        if (!r) {
            ev_schedule_free(sc);
            return rn_call_fail(c, RN_ERR_NOMEM, "Out of memory");
        }
        json_t *tags = json_object_get(c->in, "Tags"), *t;
        size_t i;
        json_array_foreach(tags, i, t) {
            const char *k = rn_param_str(t, "Key"), *v = rn_param_str(t, "Value");
            if (k && v)
                json_object_set_new(r->tags, k, json_string(v));
        }
    }
    /* PutRule replaces: arguments left out are not kept */
    rn_free(r->pattern);
    rn_free(r->schedule);
    rn_free(r->description);
    rn_free(r->role_arn);
    ev_schedule_free(r->sched);
    r->pattern = pattern && *pattern ? rn_strdup(pattern) : NULL;
    r->schedule = sched && *sched ? rn_strdup(sched) : NULL;
    r->sched = sc;
    r->description = dup_or_null(desc);
    r->role_arn = dup_or_null(role);
    r->enabled = !state || strcmp(state, "DISABLED") != 0;
    r->created_ms = rn_now_ms(); /* a rate() counts from the latest PutRule */
    if (matcher_sync(r, c->msg, sizeof c->msg) < 0)
        return c->err = RN_ERR_INVALID_PATTERN;
    ev_rule_persist(e, r);
    ev_sched_update(e);
    c->out = json_pack("{s:s}", "RuleArn", r->arn);
    return 0;
}

int ev_op_delete_rule(ev_t *e, rn_call_t *c)
{
    ev_bus_t *b;
    ev_rule_t *r;
    if (rule_resolve(e, c, &b, &r) < 0)
        return c->err;
    c->out = json_object();
    if (!r)
        return 0; /* AWS answers success for a rule that does not exist */
    if (r->managed_by && !json_is_true(json_object_get(c->in, "Force"))) {
        json_decref(c->out);
        c->out = NULL;
        return rn_call_fail(c, EV_ERR_MANAGED_RULE,
                            "Cannot delete rule %s because it is managed by %s. Use Force to delete it.", r->name,
                            r->managed_by);
    }
    if (r->ntargets > 0) {
        json_decref(c->out);
        c->out = NULL;
        return rn_call_fail(c, RN_ERR_VALIDATION, "Rule can't be deleted since it has targets.");
    }
    ev_rule_remove(e, r);
    return 0;
}

void ev_rule_remove(ev_t *e, ev_rule_t *r)
{
    ev_matcher_remove(r->bus->matcher, r->id);
    rn_smap_del(&r->bus->rules, r->name);
    rn_imap_del(&e->rules, (int64_t)r->id);
    ev_rule_unpersist(e, r);
    ev_rule_free(r);
    ev_sched_update(e);
}

int ev_rule_put_managed(ev_t *e, ev_bus_t *b, const char *name, const char *pattern, const char *managed_by,
                        const json_t *target, char *msg, size_t msglen)
{
    ev_rule_t *r = rn_smap_get(&b->rules, name);
    ev_target_t *t = NULL;
    const char *code;
    int rc = ev_target_from_spec(e, target, 1, &t, &code, msg, msglen);
    if (rc < 0)
        return rc;
    char *pat = rn_strdup(pattern), *by = rn_strdup(managed_by);
    int fresh = !r; /* made here: a failure below takes it away again */
    if (!r)
        r = rule_new(e, b, name);
    if (!r || !pat || !by) {
        rn_free(pat);
        rn_free(by);
        ev_target_free(t);
        if (fresh && r)
            ev_rule_remove(e, r);
        snprintf(msg, msglen, "Out of memory");
        return RN_ERR_NOMEM;
    }
    rn_free(r->pattern);
    rn_free(r->managed_by);
    r->pattern = pat;
    r->managed_by = by;
    r->enabled = 1;
    for (int i = 0; i < r->ntargets; i++)
        ev_target_free(r->targets[i]);
    r->targets[0] = t;
    r->ntargets = 1;
    if ((rc = matcher_sync(r, msg, msglen)) < 0) {
        if (fresh)
            ev_rule_remove(e, r);
        return rc;
    }
    ev_rule_persist(e, r);
    return 0;
}

static json_t *rule_json(const ev_t *e, const ev_rule_t *r, int describe)
{
    json_t *o = json_object();
    json_object_set_new(o, "Name", json_string(r->name));
    json_object_set_new(o, "Arn", json_string(r->arn));
    if (r->pattern)
        json_object_set_new(o, "EventPattern", json_string(r->pattern));
    if (r->schedule)
        json_object_set_new(o, "ScheduleExpression", json_string(r->schedule));
    json_object_set_new(o, "State", json_string(r->enabled ? "ENABLED" : "DISABLED"));
    if (r->description)
        json_object_set_new(o, "Description", json_string(r->description));
    if (r->role_arn)
        json_object_set_new(o, "RoleArn", json_string(r->role_arn));
    if (r->managed_by)
        json_object_set_new(o, "ManagedBy", json_string(r->managed_by));
    json_object_set_new(o, "EventBusName", json_string(r->bus->name));
    if (describe)
        json_object_set_new(o, "CreatedBy", json_string(e->cfg->account_id));
    return o;
}

int ev_op_describe_rule(ev_t *e, rn_call_t *c)
{
    ev_bus_t *b;
    ev_rule_t *r;
    if (rule_resolve(e, c, &b, &r) < 0)
        return c->err;
    if (!r)
        return not_found(c, b);
    c->out = rule_json(e, r, 1);
    return 0;
}

static json_t *rule_item(void *ud, const char *name, void *val)
{
    (void)name;
    return rule_json(ud, val, 0);
}

int ev_op_list_rules(ev_t *e, rn_call_t *c)
{
    ev_bus_t *b;
    if (ev_bus_resolve(e, c, rn_param_str(c->in, "EventBusName"), &b) < 0)
        return c->err;
    return ev_list_page(c, &b->rules, "Rules", NULL, rule_item, e);
}

static int set_state(ev_t *e, rn_call_t *c, int enabled)
{
    ev_bus_t *b;
    ev_rule_t *r;
    if (rule_resolve(e, c, &b, &r) < 0)
        return c->err;
    if (!r)
        return not_found(c, b);
    if (r->managed_by)
        return rn_call_fail(c, EV_ERR_MANAGED_RULE, "Cannot modify rule %s because it is managed by %s.", r->name,
                            r->managed_by);
    if (r->enabled != enabled) {
        r->enabled = enabled;
        if (enabled)
            r->created_ms = rn_now_ms();
        if (matcher_sync(r, c->msg, sizeof c->msg) < 0)
            return c->err = RN_ERR_INVALID_PATTERN;
        ev_rule_persist(e, r);
        ev_sched_update(e);
    }
    c->out = json_object();
    return 0;
}

int ev_op_enable_rule(ev_t *e, rn_call_t *c)
{
    return set_state(e, c, 1);
}

int ev_op_disable_rule(ev_t *e, rn_call_t *c)
{
    return set_state(e, c, 0);
}

static int has_target(void *ud, const char *name, void *val)
{
    (void)name;
    const ev_rule_t *r = val;
    for (int t = 0; t < r->ntargets; t++)
        if (strcmp(r->targets[t]->arn, ud) == 0)
            return 1;
    return 0;
}

static json_t *name_item(void *ud, const char *name, void *val)
{
    (void)ud;
    (void)val;
    return json_string(name);
}

int ev_op_list_rule_names_by_target(ev_t *e, rn_call_t *c)
{
    ev_bus_t *b;
    const char *arn = rn_param_str(c->in, "TargetArn");
    if (!arn)
        return rn_call_fail(c, RN_ERR_VALIDATION,
                            "1 validation error detected: Value null at 'targetArn' failed to satisfy constraint: "
                            "Member must not be null");
    if (ev_bus_resolve(e, c, rn_param_str(c->in, "EventBusName"), &b) < 0)
        return c->err;
    return ev_list_page(c, &b->rules, "RuleNames", has_target, name_item, (void *)arn);
}

int ev_op_test_event_pattern(ev_t *e, rn_call_t *c)
{
    (void)e;
    const char *pattern = rn_param_str(c->in, "EventPattern"), *event = rn_param_str(c->in, "Event");
    if (!pattern)
        return rn_call_fail(c, RN_ERR_VALIDATION,
                            "1 validation error detected: Value null at 'eventPattern' failed to satisfy constraint: "
                            "Member must not be null");
    if (!event)
        return rn_call_fail(c, RN_ERR_VALIDATION,
                            "1 validation error detected: Value null at 'event' failed to satisfy constraint: Member "
                            "must not be null");
    int result = 0;
    ev_pattern_t *pc = NULL; /* the pattern's errors come first, with AWS's parser-location suffix */
    int rc = ev_pattern_compile_raw(pattern, strlen(pattern), &pc, c->msg, sizeof c->msg);
    ev_pattern_free(pc);
    if (rc < 0)
        return c->err = rc;
    rc = ev_pattern_test(pattern, strlen(pattern), event, strlen(event), &result, c->msg, sizeof c->msg);
    if (rc < 0)
        return c->err = rc;
    c->out = json_pack("{s:b}", "Result", result);
    return 0;
}
