/* SPDX-License-Identifier: MIT
 * PutEvents: validates each entry as AWS does (answering per entry, in
 * order), builds the event envelope with the user's detail text kept
 * token for token, routes it through the bus's matcher and hands each
 * matching rule's targets to delivery. SQS targets are written in the same
 * loop turn, so the reply, sent after the store barrier, covers them. */
#include "events/ev_int.h"

#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/ids.h"
#include "core/json_out.h"
#include "core/log.h"
#include "core/mem.h"
#include "pattern/pattern.h"

#define MAX_ENTRY_BYTES (1024 * 1024)

/* 1 when text is exactly one JSON object (surrounding whitespace allowed).
 * The validator keeps any number as written (jansson refuses integers beyond
 * int64 and reals beyond double; AWS accepts and keeps them). */
static int is_json_object(const char *text, size_t n)
{
    size_t i = 0, err;
    while (i < n && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r'))
        i++;
    return i < n && text[i] == '{' && ev_json_validate(text, n, &err) == 0;
}

static void add_json_str(rn_buf_t *b, const char *s)
{
    rn_json_dump_string(b, s, strlen(s));
}

/* Formats ms since the epoch as AWS's event time, "2024-01-02T03:04:05Z". */
static void fmt_time(int64_t ms, char out[32])
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

typedef struct {
    uint64_t ids[EV_MAX_RULES]; /* a bus holds at most EV_MAX_RULES rules */
    int n;
} match_acc_t;

static void on_match(void *ud, uint64_t id)
{
    match_acc_t *a = ud;
    if (a->n < (int)(sizeof a->ids / sizeof a->ids[0]))
        a->ids[a->n++] = id;
}

/* Routes one event on bus b. `replay_filter` (array of rule ARNs) limits the
 * rules of a replay. Archives take their events through their managed rule,
 * whose pattern refuses replayed events, as on AWS. */
void ev_route(ev_t *e, ev_bus_t *b, const char *envelope, size_t len, const char *id, int64_t ingest_ms,
              const json_t *replay_filter, int live)
{
    if (live) /* schema discovery sees live events, not replays */
        rn_sinks_publish(e->sinks, "events.put", b->arn, envelope, len);
    match_acc_t acc, *a = &acc;
    a->n = 0;
    /* the bus wrote the envelope around a validated detail (live events,
     * schedules, bus targets, replays of archived envelopes) */
    if (ev_matcher_match_trusted(b->matcher, envelope, len, on_match, a) < 0)
        return;
    int hits = 0;
    for (int i = 0; i < a->n; i++) {
        ev_rule_t *r = rn_imap_get(&e->rules, (int64_t)a->ids[i]);
        if (!r || r->bus != b || !r->enabled)
            continue;
        if (replay_filter && json_array_size(replay_filter) > 0) {
            int allowed = 0;
            size_t k;
            json_t *arn;
            json_array_foreach(replay_filter, k, arn) allowed |= strcmp(json_string_value(arn), r->arn) == 0;
            if (!allowed)
                continue;
        }
        hits++;
        ev_tally_triggered(e, r, 1);
        if (r->managed_by && strcmp(r->managed_by, EV_ARCHIVE_MANAGER) == 0)
            ev_archive_capture(e, r, envelope, len, ingest_ms);
        else
            ev_rule_deliver(e, r, envelope, len, id, ingest_ms);
    }
    if (hits)
        b->tally.matched++;
}

void ev_rule_deliver(ev_t *e, ev_rule_t *r, const char *envelope, size_t len, const char *id, int64_t ingest_ms)
{
    char ingest[32] = ""; /* formatted for the first transformed target only */
    for (int i = 0; i < r->ntargets; i++) {
        ev_target_t *t = r->targets[i];
        if (!t->xf) {
            ev_deliver(e, r, t, envelope, len, id, ingest_ms);
            continue;
        }
        if (!ingest[0])
            fmt_time(ingest_ms, ingest);
        ev_transform_ctx_t ctx = {r->arn, r->name, ingest};
        char *out = NULL;
        size_t outlen = 0;
        if (ev_transform_apply(t->xf, envelope, len, &ctx, &out, &outlen) < 0) {
            RN_WARN("events: rule %s target %s: input transformation failed", r->arn, t->id);
            ev_tally_outcome(e, r, 0, 0);
            continue;
        }
        ev_deliver(e, r, t, out, outlen, id, ingest_ms);
        rn_free(out);
    }
}

/* Builds the envelope AWS delivers. Caller owns *out (rn_free). */
int ev_envelope_build(const ev_t *e, const char *id, const char *source, const char *detail_type, const char *detail,
                      size_t detail_len, const json_t *resources, int64_t time_ms, const char *replay_name,
                      char **out, size_t *outlen)
{
    rn_buf_t b = {0};
    char tbuf[32];
    fmt_time(time_ms, tbuf);
    rn_buf_puts(&b, "{\"version\":\"0\",\"id\":\"");
    rn_buf_puts(&b, id);
    rn_buf_puts(&b, "\",\"detail-type\":");
    add_json_str(&b, detail_type);
    rn_buf_puts(&b, ",\"source\":");
    add_json_str(&b, source);
    rn_buf_printf(&b, ",\"account\":\"%s\",\"time\":\"%s\",\"region\":\"%s\",", e->cfg->account_id, tbuf,
                  e->cfg->region);
    if (replay_name) { /* AWS puts it between region and resources */
        rn_buf_puts(&b, "\"replay-name\":");
        add_json_str(&b, replay_name);
        rn_buf_puts(&b, ",");
    }
    rn_buf_puts(&b, "\"resources\":[");
    size_t i;
    json_t *res;
    json_array_foreach(resources, i, res) {
        if (i)
            rn_buf_puts(&b, ",");
        add_json_str(&b, json_string_value(res));
    }
    rn_buf_puts(&b, "],\"detail\":");
    ev_json_minify(&b, detail, detail_len);
    rn_buf_puts(&b, "}");
    if (b.oom) {
        rn_buf_free(&b);
        return RN_ERR_NOMEM;
    }
    *out = rn_buf_take(&b, outlen);
    return 0;
}

static void entry_fail(json_t *results, const char *code, const char *msg)
{
    json_array_append_new(results, json_pack("{s:s,s:s}", "ErrorCode", code, "ErrorMessage", msg));
}

/* Size of an entry as AWS counts it: Time 14 bytes if present, Source,
 * DetailType, Detail and each Resource as UTF-8 bytes. */
static size_t entry_size(const json_t *en)
{
    size_t n = json_object_get(en, "Time") ? 14 : 0;
    const char *f[] = {"Source", "DetailType", "Detail"};
    for (int i = 0; i < 3; i++)
        n += json_string_length(json_object_get(en, f[i]));
    size_t k;
    json_t *r;
    json_array_foreach(json_object_get(en, "Resources"), k, r) n += json_string_length(r);
    return n;
}

static int put_one(ev_t *e, rn_call_t *c, const json_t *en, json_t *results, size_t *failed)
{
    const char *source = rn_param_str(en, "Source"), *dtype = rn_param_str(en, "DetailType");
    json_t *jdetail = json_object_get(en, "Detail");
    const char *detail = json_string_value(jdetail);
    (*failed)++;
    if (!source || !*source) {
        entry_fail(results, "InvalidArgument", "Parameter Source is not valid. Reason: Source is a required argument.");
        return 0;
    }
    if (!dtype || !*dtype) {
        entry_fail(results, "InvalidArgument", "Parameter DetailType is not valid. Reason: DetailType is a required argument.");
        return 0;
    }
    if (!detail || !*detail) {
        entry_fail(results, "InvalidArgument", "Parameter Detail is not valid. Reason: Detail is a required argument.");
        return 0;
    }
    if (entry_size(en) > MAX_ENTRY_BYTES) {
        entry_fail(results, "InvalidArgument", "Total size of the entries in the request is over the limit.");
        return 0;
    }
    if (!is_json_object(detail, json_string_length(jdetail))) {
        entry_fail(results, "MalformedDetail", "Detail is malformed.");
        return 0;
    }
    if (strncmp(source, "aws.", 4) == 0) {
        entry_fail(results, "NotAuthorizedForSourceException", "Not authorized for the source.");
        return 0;
    }
    json_t *res = json_object_get(en, "Resources"), *r;
    size_t k;
    json_array_foreach(res, k, r) if (!json_is_string(r)) {
        entry_fail(results, "InvalidArgument", "Parameter Resources is not valid.");
        return 0;
    }
    /* AWS accepts an event for a bus that does not exist and drops it */
    ev_bus_t *b = ev_bus_find(e, rn_param_str(en, "EventBusName"));
    int64_t now = rn_now_ms(), t = now;
    json_t *jt = json_object_get(en, "Time");
    if (json_is_number(jt)) {
        double v = json_number_value(jt);
        if (isfinite(v) && v > -62135596800.0 && v < 253402300800.0)
            t = (int64_t)(v * 1000.0);
    }
    char id[37];
    rn_uuid(id);
    char *env;
    size_t len;
    if (ev_envelope_build(e, id, source, dtype, detail, json_string_length(jdetail), res, t, NULL, &env, &len) < 0)
        return rn_call_fail(c, RN_ERR_NOMEM, "Out of memory");
    if (b)
        ev_route(e, b, env, len, id, now, NULL, 1);
    rn_free(env);
    (*failed)--;
    json_array_append_new(results, json_pack("{s:s}", "EventId", id));
    return 0;
}

/* A member of AWS's Java rendering of an entry: its text, or null. */
static void java_field(rn_buf_t *b, const char *name, const json_t *v, int last)
{
    rn_buf_printf(b, "%s=", name);
    if (json_is_string(v)) {
        rn_buf_puts(b, json_string_value(v));
    } else if (json_is_number(v)) { /* Time: the instant, as java.time prints it */
        char t[32];
        fmt_time((int64_t)(json_number_value(v) * 1000.0), t);
        rn_buf_puts(b, t);
    } else if (json_is_array(v)) {  /* Resources: a java.util.List */
        size_t i;
        json_t *r;
        rn_buf_puts(b, "[");
        json_array_foreach(v, i, r) rn_buf_printf(b, "%s%s", i ? ", " : "", json_is_string(r) ? json_string_value(r) : "null");
        rn_buf_puts(b, "]");
    } else {
        rn_buf_puts(b, "null");
    }
    rn_buf_puts(b, last ? ")" : ", ");
}

/* More than 10 entries: AWS's message echoes every entry as its Java
 * object prints (test_events.snapshot.json,
 * test_put_events_exceed_limit_ten_entries). */
static int too_many_entries(rn_call_t *c, const json_t *entries)
{
    rn_buf_t b = {0};
    size_t i;
    json_t *en;
    rn_buf_puts(&b, "1 validation error detected: Value '[");
    json_array_foreach(entries, i, en) {
        rn_buf_puts(&b, i ? ", PutEventsRequestEntry(" : "PutEventsRequestEntry(");
        java_field(&b, "time", json_object_get(en, "Time"), 0);
        java_field(&b, "source", json_object_get(en, "Source"), 0);
        java_field(&b, "resources", json_object_get(en, "Resources"), 0);
        java_field(&b, "detailType", json_object_get(en, "DetailType"), 0);
        java_field(&b, "detail", json_object_get(en, "Detail"), 0);
        java_field(&b, "eventBusName", json_object_get(en, "EventBusName"), 0);
        java_field(&b, "traceHeader", json_object_get(en, "TraceHeader"), 0);
        java_field(&b, "kmsKeyIdentifier", NULL, 0);
        java_field(&b, "internalMetadata", NULL, 1);
    }
    rn_buf_puts(&b, "]' at 'entries' failed to satisfy constraint: Member must have length less than or equal to 10");
    if (b.oom) {
        rn_buf_free(&b);
        return rn_call_fail(c, RN_ERR_NOMEM, "Out of memory");
    }
    return rn_call_fail_long(c, RN_ERR_VALIDATION, rn_buf_take(&b, NULL));
}

static int put_events(ev_t *e, rn_call_t *c)
{
    json_t *entries = json_object_get(c->in, "Entries");
    if (!json_is_array(entries))
        return rn_call_fail(c, RN_ERR_VALIDATION,
                            "1 validation error detected: Value null at 'entries' failed to satisfy constraint: "
                            "Member must not be null");
    size_t n = json_array_size(entries);
    if (n < 1)
        return rn_call_fail(c, RN_ERR_VALIDATION,
                            "1 validation error detected: Value '[]' at 'entries' failed to satisfy constraint: "
                            "Member must have length greater than or equal to 1");
    if (n > 10)
        return too_many_entries(c, entries);
    size_t total = 0, i;
    json_t *en;
    json_array_foreach(entries, i, en) total += entry_size(en);
    if (total > MAX_ENTRY_BYTES)
        return rn_call_fail(c, RN_ERR_VALIDATION, "Total size of the entries in the request is over the limit.");
    json_t *results = json_array();
    size_t failed = 0;
    json_array_foreach(entries, i, en) {
        if (put_one(e, c, en, results, &failed) < 0) {
            json_decref(results);
            return c->err;
        }
    }
    c->out = json_pack("{s:I,s:o}", "FailedEntryCount", (json_int_t)failed, "Entries", results);
    e->put.entries += n;
    e->put.failed_entries += failed;
    return 0;
}

int ev_op_put_events(ev_t *e, rn_call_t *c)
{
    e->put.calls++;
    int rc = put_events(e, c);
    if (rc < 0)
        e->put.failed++;
    else
        e->put.ok++;
    return rc;
}
