/* SPDX-License-Identifier: MIT
 * Amazon EventBridge (the classic rules-and-targets `events` API) on the event
 * loop: buses, rules, targets, PutEvents with durable delivery, schedules,
 * archives and replays. Calls arrive in the JSON 1.1 shape (core/call.h); the
 * service writes every change through the store and knows nothing of HTTP.
 * Targets in other services (SQS queues) are reached through the sink
 * registry, in the same loop turn; every live event put on a bus is published
 * on the "events.put" tap (schema discovery listens there). */
#ifndef RN_EVENTS_H
#define RN_EVENTS_H
#include <uv.h>

#include "core/call.h"
#include "core/config.h"
#include "core/service.h"
#include "events/ev_err.h"
#include "store/store.h"

typedef struct ev ev_t;

/* Creates the service with its `default` bus. Borrowed: env and all it
 * points to must outlive it. Caller owns the result; free with ev_free(). */
int ev_new(const rn_service_env_t *env, ev_t **out);
/* Restores one keyed record of namespace "events.*" (see rn_store_load). */
int ev_load_kv(ev_t *e, const char *ns, const char *key, const char *value);
/* Call after loading: arms schedules and resumes pending deliveries. */
void ev_start(ev_t *e);
/* Runs one call; returns 0 when finished (c->out or c->err set). */
int ev_call(ev_t *e, rn_call_t *c);
/* Drops every bus, rule, archive and pending delivery (the reset endpoint). */
void ev_reset(ev_t *e);
/* Number of event buses, for health output. */
size_t ev_bus_count(const ev_t *e);
/* Frees everything. */
void ev_free(ev_t *e);
/* The service table's entry (events/service.c). */
extern const rn_service_t ev_service;
#endif
