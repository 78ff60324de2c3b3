/* SPDX-License-Identifier: MIT
 * Amazon EventBridge (the classic rules-and-targets `events` API) on the event
 * loop: buses, rules, targets, PutEvents with durable delivery, schedules,
 * archives and replays. Calls arrive in the JSON 1.1 shape (aws/call.h); the
 * service writes every change through the store and knows nothing of HTTP.
 * SQS targets are delivered through the sqs service in the same loop turn. */
#ifndef RN_EVENTS_H
#define RN_EVENTS_H
#include <uv.h>

#include "core/call.h"
#include "core/config.h"
#include "events/ev_err.h"
#include "sqs/sqs.h"
#include "store/store.h"

typedef struct ev ev_t;

/* Creates the service with its `default` bus. Borrowed: loop, store, cfg and
 * sqs must outlive it. Caller owns the result; free with ev_free(). */
int ev_new(uv_loop_t *loop, rn_store_t *store, const rn_config_t *cfg, sqs_t *sqs, ev_t **out);
/* Restores one keyed record of namespace "events.*" (see rn_store_load). */
int ev_load_kv(ev_t *e, const char *ns, const char *key, const char *value);
/* Call after loading: arms schedules and resumes pending deliveries. */
void ev_start(ev_t *e);
/* Observer of every event put on a bus (not replays): schema discovery. */
typedef void (*ev_event_hook_fn)(void *ud, const char *bus_arn, const char *envelope, size_t len);
/* Sets the observer (NULL to remove). Borrowed: ud must outlive the service. */
void ev_set_event_hook(ev_t *e, ev_event_hook_fn fn, void *ud);
/* Runs one call; returns 0 when finished (c->out or c->err set). */
int ev_call(ev_t *e, rn_call_t *c);
/* Drops every bus, rule, archive and pending delivery (the reset endpoint). */
void ev_reset(ev_t *e);
/* Number of event buses, for health output. */
size_t ev_bus_count(const ev_t *e);
/* Frees everything. */
void ev_free(ev_t *e);
#endif
