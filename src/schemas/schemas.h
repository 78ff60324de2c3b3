/* SPDX-License-Identifier: MIT
 * Amazon EventBridge Schemas (service "schemas", REST-JSON): registries,
 * schemas with their versions, and discoverers that infer OpenAPI 3 schemas
 * from the events put on an event bus into the "discovered-schemas"
 * registry. The service takes calls decoded by the REST-JSON codec from its
 * API description (schemas/api.c); it knows nothing of HTTP. State lives on
 * the loop and is written through the store's keyed records, namespaces
 * "schemas.*". */
#ifndef RN_SCHEMAS_H
#define RN_SCHEMAS_H
#include <jansson.h>
#include <stddef.h>
#include <uv.h>

#include "core/config.h"
#include "core/service.h"
#include "schemas/sc_err.h"
#include "store/store.h"

typedef struct schemas schemas_t;

/* Creates the service with AWS's two managed registries ("aws.events",
 * "discovered-schemas"). Borrowed: loop, store and cfg must outlive it.
 * Caller owns the result; free with schemas_free(). */
int schemas_new(uv_loop_t *loop, rn_store_t *store, const rn_config_t *cfg, schemas_t **out);
/* Frees the service and everything in it. NULL is fine. */
void schemas_free(schemas_t *s);
/* Restores one keyed record from rn_store_load()'s kv callback. Records of
 * other namespaces (not "schemas.*") are ignored, so this can be called for
 * every record; records may arrive in any order. Returns 0 or RN_ERR_NOMEM. */
int schemas_load_kv(schemas_t *s, const char *ns, const char *key, const char *value);
/* Drops every registry, schema and discoverer and restores the managed
 * registries (the reset endpoint; the store is reset by its owner). */
void schemas_reset(schemas_t *s);

/* 1 when the request is for this service: /v1/registries..., /v1/discoverers...,
 * /v1/discover, and /tags/<schemas ARN> (raw or percent-encoded). */
int schemas_owns_path(const char *path);

/* The API description (schemas/api.c): routes and bindings for the REST-JSON
 * codec. */
extern const rn_api_t schemas_api;

/* Runs one call (c->op one of schemas_api's operations, c->in keyed by member
 * names, as aws/rest.c decodes it). Returns 0 with c->out (the reply body's
 * JSON; NULL for none), or an error (RN_ERR_*, SC_ERR_*) with AWS's message
 * in c->msg. */
int schemas_call(schemas_t *s, rn_call_t *c);

/* Called by the events service for every event put on a bus: bus_arn is the
 * bus's ARN, envelope the event as delivered to targets (JSON text, len
 * bytes). Started discoverers on that bus fold the event's shape into
 * "<source>@<DetailType>" in "discovered-schemas", adding a version when the
 * shape changes. Returns at once when no discoverer is started. Borrowed:
 * both strings, for the call only. */
void schemas_observe(schemas_t *s, const char *bus_arn, const char *envelope, size_t len);
/* Number of started discoverers (for health output and the fast path). */
size_t schemas_discoverers_started(const schemas_t *s);
/* The service table's entry (schemas/service.c). */
extern const rn_service_t schemas_service;
#endif
