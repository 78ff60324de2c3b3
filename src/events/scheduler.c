/* SPDX-License-Identifier: MIT
 * Scheduled rules. One loop timer waits for the soonest run of any enabled
 * rule with a ScheduleExpression; a run delivers AWS's "Scheduled Event"
 * (source aws.events, the rule ARN in resources) to that rule's targets and
 * persists the run's time in the rule in the same store batch as the
 * deliveries. After a restart the runs are computed from the last one
 * delivered: each run that fell due while the server was down fires once,
 * at start-up, stamped with its scheduled time, and nothing fires twice.
 * Runs older than a day (EventBridge's default maximum event age) are not
 * delivered late; they are counted in a warning instead. */
#include "events/ev_int.h"

#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/ids.h"
#include "core/log.h"
#include "core/mem.h"

#define MAX_LATE_MS (24LL * 3600 * 1000)

static void on_sched(uv_timer_t *h);

/* The next run of r strictly after its last one (or its creation). */
static int64_t next_run(const ev_rule_t *r)
{
    if (!r->sched || !r->enabled)
        return -1;
    int64_t after = r->last_fire_ms > r->created_ms ? r->last_fire_ms : r->created_ms;
    return ev_schedule_next(r->sched, r->created_ms, after);
}

void ev_sched_update(ev_t *e)
{
    int64_t soonest = -1;
    const char *k;
    void *v;
    size_t i = 0;
    ev_bus_t *b = rn_smap_get(&e->buses, "default"); /* schedules exist on the default bus only */
    while (b && rn_smap_next(&b->rules, &i, &k, &v)) {
        ev_rule_t *r = v;
        r->next_fire_ms = next_run(r);
        if (r->next_fire_ms >= 0 && (soonest < 0 || r->next_fire_ms < soonest))
            soonest = r->next_fire_ms;
    }
    uv_timer_stop(&e->sched_timer);
    if (soonest < 0)
        return;
    int64_t wait = soonest - rn_now_ms();
    uv_timer_start(&e->sched_timer, on_sched, wait > 0 ? (uint64_t)wait : 0, 0);
}

static void fire(ev_t *e, ev_rule_t *r, int64_t at)
{
    char id[37];
    rn_uuid(id);
    json_t *res = json_pack("[s]", r->arn);
    char *env = NULL;
    size_t len = 0;
    if (!res || ev_envelope_build(e, id, "aws.events", "Scheduled Event", "{}", 2, res, at, NULL, &env, &len) < 0) {
        RN_ERROR("events: out of memory firing %s", r->arn);
    } else {
        ev_tally_triggered(e, r, 0);
        ev_rule_deliver(e, r, env, len, id, rn_now_ms());
    }
    rn_free(env);
    json_decref(res);
}

static void on_sched(uv_timer_t *h)
{
    ev_sched_run(h->data);
}

int64_t ev_sched_next_due(ev_t *e)
{
    int64_t due = INT64_MAX;
    ev_bus_t *b = rn_smap_get(&e->buses, "default");
    const char *k;
    void *v;
    size_t i = 0;
    while (b && rn_smap_next(&b->rules, &i, &k, &v)) {
        const ev_rule_t *r = v;
        if (r->next_fire_ms >= 0 && r->next_fire_ms < due)
            due = r->next_fire_ms;
    }
    return due;
}

void ev_sched_run(ev_t *e)
{
    int64_t now = rn_now_ms();
    ev_bus_t *b = rn_smap_get(&e->buses, "default");
    const char *k;
    void *v;
    size_t i = 0;
    while (b && rn_smap_next(&b->rules, &i, &k, &v)) {
        ev_rule_t *r = v;
        if (r->next_fire_ms < 0 || r->next_fire_ms > now)
            continue;
        /* every due run fires once, in order, with its own time */
        int64_t at = r->next_fire_ms, stale = 0;
        while (at >= 0 && at <= now) {
            if (now - at > MAX_LATE_MS)
                stale++;
            else
                fire(e, r, at);
            r->last_fire_ms = at;
            at = ev_schedule_next(r->sched, r->created_ms, at);
        }
        if (stale)
            RN_WARN("events: rule %s: %lld scheduled runs older than a day were not delivered", r->arn,
                    (long long)stale);
        ev_rule_persist(e, r);
    }
    ev_sched_update(e);
}

void ev_sched_init(ev_t *e)
{
    ev_sched_update(e);
}

void ev_sched_close(ev_t *e)
{
    uv_timer_stop(&e->sched_timer);
}
