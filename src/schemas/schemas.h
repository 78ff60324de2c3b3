/* SPDX-License-Identifier: MIT
 * Amazon EventBridge Schemas (service "schemas", REST-JSON): registries,
 * schemas with their versions, and discoverers that infer OpenAPI 3 schemas
 * from the events put on an event bus into the "discovered-schemas"
 * registry. The service takes one REST request at a time as method, raw path,
 * raw query and body, and answers either as JSON (schemas_call) or as the
 * exact HTTP status, headers and bytes AWS sends (schemas_handle); it knows
 * nothing of sockets. State lives on the loop and is written through the
 * store's keyed records, namespaces "schemas.*". */
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

/* Runs one REST-JSON request. `path` is the path as sent, still
 * percent-encoded (each segment is decoded here, so names holding "/" or "@"
 * survive); `query` is the raw query string without '?' (NULL or "" when
 * none); body/len the request body (may be NULL/0). Returns 0 with *status
 * (200, 201, 204) and *out (caller owns; json_decref; NULL for 204), or a
 * negative SC_ERR_* (or RN_ERR_NOMEM / RN_ERR_UNKNOWN_OPERATION) with the
 * AWS message in msg. Borrowed: every argument, for the call only. */
int schemas_call(schemas_t *s, const char *method, const char *path, const char *query, const char *body, size_t len,
                 int *status, json_t **out, char *msg, size_t msglen);

/* Runs one request like schemas_call() and renders the response bytes as
 * AWS's schemas endpoint does: JSON bodies as application/json, 204 without a
 * body, errors as {"Code":...,"Message":...} with x-amzn-ErrorType. Every
 * reply carries x-amzn-RequestId: request_id. Caller owns r's contents; free
 * with rn_rest_reply_free(). */
void schemas_handle(schemas_t *s, const char *method, const char *path, const char *query, const char *body,
                    size_t len, const char *request_id, rn_rest_reply_t *r);
/* Renders an error reply for err (any RN_ERR_*; non-schemas errors keep
 * their table status and shape name) the same way, e.g. for a failed
 * signature check. Caller owns r's contents; free with rn_rest_reply_free(). */
void schemas_reply_error(int err, const char *msg, const char *request_id, rn_rest_reply_t *r);

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
