/* SPDX-License-Identifier: MIT
 * EventBridge's own metrics, named and counted as AWS/Events publishes them:
 * per rule (dimension RuleName alone for the default bus's rules, EventBusName
 * and RuleName for a custom bus's, as AWS publishes them), per bus
 * (EventBusName) and for the whole service (no dimension), from the running
 * totals routing and delivery keep. */
#include <string.h>

#include "events/ev_int.h"

#define NS "AWS/Events"

void ev_tally_triggered(ev_t *e, ev_rule_t *r, int matched)
{
    r->tally.triggered++;
    r->bus->tally.triggered++;
    e->tally.triggered++;
    if (matched)
        r->tally.matched++;
}

void ev_tally_outcome(ev_t *e, ev_rule_t *r, int ok, int dlq)
{
    ev_tally_t *t[2] = {&e->tally, r ? &r->tally : NULL};
    for (int i = 0; i < 2 && t[i]; i++) {
        t[i]->invocations++;
        if (ok)
            continue;
        t[i]->failed++;
        if (dlq > 0)
            t[i]->to_dlq++;
        else if (dlq < 0)
            t[i]->dlq_failed++;
    }
}

typedef struct {
    rn_metric_fn emit;
    void *ud;
    const char *dim, *dim_value, *dim2, *dim2_value;
} out_t;

static void count(const out_t *o, const char *name, uint64_t v, const char *help)
{
    rn_metric_t m = {NS, name, o->dim, o->dim_value, "Count", RN_METRIC_COUNTER, (double)v, 0, help, o->dim2,
                     o->dim2_value};
    o->emit(o->ud, &m);
}

static void rule_metrics(const out_t *o, const ev_rule_t *r)
{
    const ev_tally_t *t = &r->tally;
    count(o, "TriggeredRules", t->triggered, "Runs of the rule: events it matched and schedule firings.");
    count(o, "MatchedEvents", t->matched, "Events that matched the rule.");
    count(o, "Invocations", t->invocations,
          "Target invocations by the rule that ended, succeeded or failed for good (retries not counted).");
    count(o, "FailedInvocations", t->failed, "Target invocations by the rule that failed for good.");
    count(o, "InvocationsSentToDlq", t->to_dlq, "Failed invocations moved to the target's dead-letter queue.");
    count(o, "InvocationsFailedToBeSentToDlq", t->dlq_failed,
          "Failed invocations that could not be moved to the dead-letter queue.");
}

void ev_metrics(ev_t *e, rn_metric_fn emit, void *ud)
{
    size_t i = 0;
    const char *name;
    void *v;
    while (rn_smap_next(&e->buses, &i, &name, &v)) {
        const ev_bus_t *b = v;
        out_t o = {emit, ud, "EventBusName", b->name, NULL, NULL};
        count(&o, "MatchedEvents", b->tally.matched, "Events on the bus that matched any rule.");
        count(&o, "TriggeredRules", b->tally.triggered, "Runs of the bus's rules.");
        int custom = strcmp(b->name, "default") != 0;
        size_t j = 0;
        const char *rname;
        void *rv;
        while (rn_smap_next(&b->rules, &j, &rname, &rv)) {
            out_t ro = custom ? (out_t){emit, ud, "EventBusName", b->name, "RuleName", rname}
                              : (out_t){emit, ud, "RuleName", rname, NULL, NULL};
            rule_metrics(&ro, rv);
        }
    }
    out_t all = {emit, ud, NULL, NULL, NULL, NULL};
    count(&all, "Invocations", e->tally.invocations, "Target invocations by every rule that ended.");
    count(&all, "TriggeredRules", e->tally.triggered, "Runs of every rule.");
    count(&all, "PutEventsApproximateCallCount", e->put.calls, "PutEvents requests received.");
    count(&all, "PutEventsApproximateSuccessCount", e->put.ok, "PutEvents requests answered.");
    count(&all, "PutEventsApproximateFailedCount", e->put.failed, "PutEvents requests refused.");
    count(&all, "PutEventsEntriesCount", e->put.entries, "Entries in the PutEvents requests answered.");
    count(&all, "PutEventsFailedEntriesCount", e->put.failed_entries,
          "Entries of PutEvents requests that failed to be ingested.");
}
