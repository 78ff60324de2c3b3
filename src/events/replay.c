/* SPDX-License-Identifier: MIT
 * Replays. StartReplay re-sends the archived events of a time window to the
 * archive's bus, with "replay-name" added, to every rule or only those in
 * FilterArns; replayed events are not archived again. A replay runs in
 * slices on a loop timer so it never stalls other requests, persists its
 * progress, and resumes after a restart. */
#include "events/archive_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_alloc.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "core/mem.h"
#include "pattern/pattern.h"

#define REPLAY_SLICE 500
/* AWS shows a replay RUNNING, and a cancelled one CANCELLING, for a while
 * even when it has little to send (test_archive_and_replay.snapshot.json,
 * test_start_list_describe_canceled_replay: StartReplay answers STARTING,
 * CancelReplay then answers CANCELLING and DescribeReplay still shows it). */
#define REPLAY_MIN_RUN_MS 1000
#define REPLAY_CANCEL_MS 500

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
    rn_json_free(txt);
    json_decref(o);
}

static void on_replay_tick(uv_timer_t *h);

/* Runs the replay step now; it re-arms the timer for the soonest replay. */
static void replay_kick(ev_t *e)
{
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

/* Sends the next slice of a STARTING or RUNNING replay; returns ms until it
 * needs the next step, or -1 when it has ended. */
static int64_t replay_step(ev_t *e, ev_replay_t *r, int64_t now)
{
    ev_archive_t *a = rn_smap_get(&e->archives, r->archive_name);
    ev_bus_t *b = a ? ev_bus_find(e, r->dest_arn) : NULL;
    if (!b) {
        snprintf(r->state, sizeof r->state, "FAILED");
        r->ended_ms = now;
        replay_persist(e, r);
        return -1;
    }
    if (strcmp(r->state, "STARTING") == 0)
        snprintf(r->state, sizeof r->state, "RUNNING");
    for (int done = 0; r->cursor < a->n && done < REPLAY_SLICE; r->cursor++) {
        arch_event_t *ev = &a->events[r->cursor];
        if (ev->t < r->from_ms || ev->t >= r->to_ms || ev_archive_expired(a, ev->t, now))
            continue;
        size_t len, idn = 0;
        const char *idp = NULL;
        char id[64] = "";
        if (ev_json_member(ev->env, ev->len, "id", 2, &idp, &idn) && idn >= 2 && idn - 2 < sizeof id)
            memcpy(id, idp + 1, idn - 2), id[idn - 2] = '\0'; /* the id is a plain UUID string */
        char *env = with_replay_name(ev->env, ev->len, r->name, &len);
        if (env) {
            ev_route(e, b, env, len, id, now, r->filter, 0);
            rn_free(env);
        }
        r->last_replayed_ms = ev->t;
        done++;
    }
    int64_t wait = r->cursor < a->n ? 0 : r->started_ms + REPLAY_MIN_RUN_MS - now;
    if (wait <= 0 && r->cursor >= a->n) {
        snprintf(r->state, sizeof r->state, "COMPLETED");
        r->ended_ms = now;
        wait = -1;
    }
    replay_persist(e, r);
    return wait < 0 ? -1 : wait;
}

static void on_replay_tick(uv_timer_t *h)
{
    ev_t *e = h->data;
    int64_t now = rn_now_ms(), next = -1;
    const char *k;
    void *v;
    size_t i = 0;
    while (rn_smap_next(&e->replays, &i, &k, &v)) {
        ev_replay_t *r = v;
        int64_t wait = -1;
        if (strcmp(r->state, "CANCELLING") == 0) {
            wait = r->cancel_ms + REPLAY_CANCEL_MS - now;
            if (wait <= 0) {
                snprintf(r->state, sizeof r->state, "CANCELLED");
                r->ended_ms = now;
                replay_persist(e, r);
                wait = -1;
            }
        } else if (strcmp(r->state, "STARTING") == 0 || strcmp(r->state, "RUNNING") == 0) {
            wait = replay_step(e, r, now);
        }
        if (wait >= 0 && (next < 0 || wait < next))
            next = wait;
    }
    if (next >= 0)
        uv_timer_start(&e->replay_timer, on_replay_tick, (uint64_t)next, 0);
}

static int time_arg(rn_call_t *c, const char *name, int64_t *out)
{
    json_t *t = json_object_get(c->in, name);
    if (!json_is_number(t) || !isfinite(json_number_value(t)))
        return rn_call_fail(c, RN_ERR_VALIDATION,
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
    const char *name = rn_param_str(c->in, "ReplayName"), *src = rn_param_str(c->in, "EventSourceArn");
    const char *desc = rn_param_str(c->in, "Description");
    json_t *dest = json_object_get(c->in, "Destination");
    int64_t from, to;
    if (ev_archive_name_check(c, "replayName", name, 64) < 0)
        return c->err;
    if (!src)
        return rn_call_fail(c, RN_ERR_VALIDATION,
                            "1 validation error detected: Value null at 'eventSourceArn' failed to satisfy "
                            "constraint: Member must not be null");
    if (time_arg(c, "EventStartTime", &from) < 0 || time_arg(c, "EventEndTime", &to) < 0)
        return c->err;
    const char *dest_arn = rn_param_str(dest, "Arn");
    if (!dest_arn)
        return rn_call_fail(c, RN_ERR_VALIDATION,
                            "1 validation error detected: Value null at 'destination' failed to satisfy constraint: "
                            "Member must not be null");
    if (rn_smap_get(&e->replays, name))
        return rn_call_fail(c, EV_ERR_EXISTS, "Replay %s already exists.", name);
    if (from >= to)
        return rn_call_fail(c, RN_ERR_VALIDATION,
                            "Parameter EventEndTime is not valid. Reason: EventStartTime must be before "
                            "EventEndTime.");
    const char *slash = strrchr(src, '/');
    const char *aname = strstr(src, ":archive/") && slash ? slash + 1 : src;
    ev_archive_t *a = rn_smap_get(&e->archives, aname);
    if (!a)
        return rn_call_fail(c, RN_ERR_VALIDATION,
                            "Parameter EventSourceArn is not valid. Reason: Archive %s does not exist.", aname);
    if (!strstr(dest_arn, ":event-bus/"))
        return rn_call_fail(c, RN_ERR_VALIDATION,
                            "Parameter Destination.Arn is not valid. Reason: Must contain an event bus ARN.");
    int active = 0;
    const char *rk;
    void *rv;
    size_t ri = 0;
    while (rn_smap_next(&e->replays, &ri, &rk, &rv))
        active += strcmp(((ev_replay_t *)rv)->state, "STARTING") == 0 ||
                  strcmp(((ev_replay_t *)rv)->state, "RUNNING") == 0;
    if (active >= 10)
        return rn_call_fail(c, EV_ERR_LIMIT_EXCEEDED, "The requested resource exceeds the maximum number allowed.");
    if (to > rn_now_ms())
        return rn_call_fail(c, RN_ERR_VALIDATION,
                            "Parameter EventEndTime is not valid. Reason: EventEndTime cannot be in the future.");
    ev_bus_t *b;
    if (ev_bus_resolve(e, c, dest_arn, &b) < 0)
        return c->err;
    if (strcmp(b->name, a->bus_name) != 0)
        return rn_call_fail(c, RN_ERR_VALIDATION,
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
            return rn_call_fail(c, RN_ERR_VALIDATION,
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
    r->description = ev_dup_or_null(desc);
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
    const char *name = rn_param_str(c->in, "ReplayName");
    if (ev_archive_name_check(c, "replayName", name, 64) < 0)
        return c->err;
    *out = rn_smap_get(&e->replays, name);
    if (!*out)
        return rn_call_fail(c, EV_ERR_NOT_FOUND, "Replay %s does not exist.", name);
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

typedef struct {
    const char *state, *src;
} replay_filter_t;

static int replay_keep(void *ud, const char *name, void *val)
{
    (void)name;
    const replay_filter_t *f = ud;
    const ev_replay_t *r = val;
    return (!f->state || strcmp(f->state, r->state) == 0) && (!f->src || strcmp(f->src, r->archive_arn) == 0);
}

static json_t *replay_item(void *ud, const char *name, void *val)
{
    (void)ud;
    (void)name;
    return replay_json(val, 0);
}

int ev_op_list_replays(ev_t *e, rn_call_t *c)
{
    replay_filter_t f = {rn_param_str(c->in, "State"), rn_param_str(c->in, "EventSourceArn")};
    /* AWS lists this set sorted, unlike the model (moto's test_list_replays_error_invalid_state) */
    if (f.state && ev_check_enum(c, "state", f.state, "[CANCELLED, CANCELLING, COMPLETED, FAILED, RUNNING, STARTING]") < 0)
        return c->err;
    if (!!rn_param_str(c->in, "NamePrefix") + !!f.state + !!f.src > 1)
        return rn_call_fail(c, RN_ERR_VALIDATION, "At most one filter is allowed for ListReplays. Use either : "
                                                     "State, EventSourceArn, or NamePrefix.");
    return ev_list_page(c, &e->replays, "Replays", replay_keep, replay_item, &f);
}

int ev_op_cancel_replay(ev_t *e, rn_call_t *c)
{
    ev_replay_t *r;
    if (replay_get(e, c, &r) < 0)
        return c->err;
    if (strcmp(r->state, "STARTING") != 0 && strcmp(r->state, "RUNNING") != 0)
        return rn_call_fail(c, EV_ERR_ILLEGAL_STATUS, "Replay %s is not in a valid state for this operation.",
                            r->name);
    snprintf(r->state, sizeof r->state, "CANCELLING");
    r->cancel_ms = rn_now_ms();
    replay_persist(e, r);
    replay_kick(e);
    c->out = json_pack("{s:s,s:s}", "ReplayArn", r->arn, "State", "CANCELLING");
    return 0;
}

int ev_replay_load(ev_t *e, const json_t *o)
{
    if (!rn_param_str(o, "Name"))
        return 0;
    ev_replay_t *r = rn_calloc(1, sizeof *r);
    char arn[512], aarn[512];
    const char *name = rn_param_str(o, "Name"), *an = rn_param_str(o, "Archive");
    ev_arn(e, arn, sizeof arn, "replay/%s", name);
    ev_arn(e, aarn, sizeof aarn, "archive/%s", an ? an : "");
    if (r && an && (r->name = rn_strdup(name)) && (r->arn = rn_strdup(arn)) && (r->archive_name = rn_strdup(an)) &&
        (r->archive_arn = rn_strdup(aarn)) && (r->dest_arn = ev_dup_or_null(rn_param_str(o, "Dest"))) &&
        rn_smap_put(&e->replays, name, r) == 0) {
        r->description = ev_dup_or_null(rn_param_str(o, "Description"));
        json_t *f = json_object_get(o, "FilterArns");
        r->filter = f ? json_incref(f) : NULL;
        r->from_ms = json_integer_value(json_object_get(o, "From"));
        r->to_ms = json_integer_value(json_object_get(o, "To"));
        r->started_ms = json_integer_value(json_object_get(o, "Started"));
        r->ended_ms = json_integer_value(json_object_get(o, "Ended"));
        r->last_replayed_ms = json_integer_value(json_object_get(o, "Last"));
        r->cursor = (size_t)json_integer_value(json_object_get(o, "Cursor"));
        snprintf(r->state, sizeof r->state, "%s", rn_param_str(o, "State") ? rn_param_str(o, "State") : "FAILED");
        if (strcmp(r->state, "COMPLETED") != 0 && strcmp(r->state, "CANCELLED") != 0 &&
            strcmp(r->state, "FAILED") != 0)
            replay_kick(e); /* an interrupted replay resumes where it stopped */
    } else {
        replay_free(r);
    }
    return 0;
}

void ev_replay_close(ev_t *e)
{
    const char *k;
    void *v;
    size_t i = 0;
    while (rn_smap_next(&e->replays, &i, &k, &v))
        replay_free(v);
    rn_smap_free(&e->replays);
    memset(&e->replays, 0, sizeof e->replays);
    uv_timer_stop(&e->replay_timer);
}
