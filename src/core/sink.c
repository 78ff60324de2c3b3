/* SPDX-License-Identifier: MIT
 * The sink registry: two short arrays searched in order (a handful of
 * services and topics; the loop is the only user). */
#include "core/sink.h"

#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "core/mem.h"

#define MAX_ENTRIES 32

typedef struct sink {
    char service[32];
    rn_sink_fn fn;
    void *ud;
} sink_t;

typedef struct tap {
    char topic[64];
    rn_tap_fn fn;
    void *ud;
} tap_t;

struct rn_sinks {
    sink_t sinks[MAX_ENTRIES];
    size_t nsinks;
    tap_t taps[MAX_ENTRIES];
    size_t ntaps;
    rn_call_router_fn router;
    void *router_ud;
    rn_metrics_collector_fn collector;
    void *collector_ud;
};

rn_sinks_t *rn_sinks_new(void)
{
    return rn_calloc(1, sizeof(rn_sinks_t));
}

void rn_sinks_free(rn_sinks_t *s)
{
    rn_free(s);
}

int rn_sinks_add(rn_sinks_t *s, const char *service, rn_sink_fn fn, void *ud)
{
    if (s->nsinks == MAX_ENTRIES || strlen(service) >= sizeof s->sinks[0].service)
        return RN_ERR_NOMEM;
    sink_t *k = &s->sinks[s->nsinks++];
    snprintf(k->service, sizeof k->service, "%s", service);
    k->fn = fn;
    k->ud = ud;
    return 0;
}

int rn_sinks_deliver(rn_sinks_t *s, const char *arn, const rn_message_t *m, char *msg, size_t msglen)
{
    /* arn:PARTITION:SERVICE:... */
    const char *p = arn && strncmp(arn, "arn:", 4) == 0 ? strchr(arn + 4, ':') : NULL;
    const char *end = p ? strchr(p + 1, ':') : NULL;
    if (end) {
        size_t n = (size_t)(end - p - 1);
        for (size_t i = 0; i < s->nsinks; i++)
            if (strlen(s->sinks[i].service) == n && memcmp(s->sinks[i].service, p + 1, n) == 0)
                return s->sinks[i].fn(s->sinks[i].ud, arn, m, msg, msglen);
    }
    snprintf(msg, msglen, "No resource can receive messages at %s.", arn ? arn : "(null)");
    return RN_ERR_NOT_FOUND;
}

int rn_sinks_tap(rn_sinks_t *s, const char *topic, rn_tap_fn fn, void *ud)
{
    if (s->ntaps == MAX_ENTRIES || strlen(topic) >= sizeof s->taps[0].topic)
        return RN_ERR_NOMEM;
    tap_t *t = &s->taps[s->ntaps++];
    snprintf(t->topic, sizeof t->topic, "%s", topic);
    t->fn = fn;
    t->ud = ud;
    return 0;
}

void rn_sinks_publish(rn_sinks_t *s, const char *topic, const char *source, const char *body, size_t len)
{
    for (size_t i = 0; i < s->ntaps; i++)
        if (strcmp(s->taps[i].topic, topic) == 0)
            s->taps[i].fn(s->taps[i].ud, source, body, len);
}

int rn_sinks_tapped(const rn_sinks_t *s, const char *topic)
{
    for (size_t i = 0; i < s->ntaps; i++)
        if (strcmp(s->taps[i].topic, topic) == 0)
            return 1;
    return 0;
}

void rn_sinks_set_router(rn_sinks_t *s, rn_call_router_fn fn, void *ud)
{
    s->router = fn;
    s->router_ud = ud;
}

int rn_sinks_call(rn_sinks_t *s, rn_call_t *c)
{
    if (!s->router)
        return rn_call_fail(c, RN_ERR_NOT_FOUND, "No service %s.", c->service ? c->service : "");
    return s->router(s->router_ud, c);
}

void rn_sinks_set_metrics(rn_sinks_t *s, rn_metrics_collector_fn fn, void *ud)
{
    s->collector = fn;
    s->collector_ud = ud;
}

void rn_sinks_metrics(rn_sinks_t *s, rn_metric_part_fn fn, void *ud)
{
    if (s->collector)
        s->collector(s->collector_ud, fn, ud);
}
