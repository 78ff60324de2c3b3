/* SPDX-License-Identifier: MIT
 * What EventBridge does to a matched event before handing it to a target: a
 * constant Input, an InputPath selecting part of the event, or an
 * InputTransformer filling an InputTemplate from InputPathsMap and the
 * aws.events.* variables. PutTargets compiles a target's settings once (and
 * gets AWS's validation errors from it); delivery applies the compiled form to
 * each event's text. The rules, and where each comes from, are in transform.c. */
#ifndef RN_EV_TRANSFORM_H
#define RN_EV_TRANSFORM_H
#include <stddef.h>

#include <jansson.h>

#include "core/buf.h"

typedef struct ev_transform ev_transform_t;

/* Validates and compiles a target's Input (constant JSON text), InputPath
 * (JSONPath) or InputTransformer ({InputPathsMap: {name: path}, InputTemplate:
 * "..."}) as PutTargets does, for the target with id `target_id` at 1-based
 * position `index` in the request (both appear in AWS's messages; NULL id is
 * written as ""). A non-NULL argument means the member was sent. Checks run in
 * AWS's order: the request-model constraints first (lengths, map size, key
 * pattern, required InputTemplate: "N validation error(s) detected: ..."),
 * then the service checks ("Only one of Input, InputPath, or InputTransformer
 * must be provided for target X.", "JSON syntax error in input for target X:
 * ...", "InputPath for target X is invalid.", "InputTemplate for target X
 * contains invalid placeholder Y.", "InputTemplate for target X contains
 * placeholder Y valid only for JSON template."). All are request-level
 * errors: RN_ERR_EV_VALIDATION (ValidationException, 400) with the message in
 * msg; a transformer of the wrong JSON types gives RN_ERR_SERIALIZATION.
 * Caller owns *out; free with ev_transform_free(). A NULL *out with return 0
 * means "deliver the event unchanged". */
int ev_transform_compile_target(const char *target_id, int index, const char *input, const char *input_path,
                                const json_t *input_transformer, ev_transform_t **out, char *msg, size_t msglen);
/* ev_transform_compile_target() for target 1 with an empty id, for callers
 * that have no target at hand (tests, fuzzing). Caller owns *out; free with
 * ev_transform_free(). */
int ev_transform_compile(const char *input, const char *input_path, const json_t *input_transformer,
                         ev_transform_t **out, char *msg, size_t msglen);
/* Appends the request-model constraint violations of one target to errs, each
 * as "Value '...' at 'targets.N.member.x' failed to satisfy constraint: ...",
 * separated by "; ", and returns how many it appended (so PutTargets can
 * gather all targets' violations into one "N validation errors detected: "
 * message, as AWS does). Returns RN_ERR_SERIALIZATION for wrong JSON types. */
int ev_transform_constraints(int index, const char *input, const char *input_path, const json_t *input_transformer,
                             rn_buf_t *errs);
/* Frees a compiled transform; NULL is fine. */
void ev_transform_free(ev_transform_t *t);

/* Per-delivery values for the predefined variables; NULL fields render as "". */
typedef struct {
    const char *rule_arn, *rule_name, *ingestion_time;
} ev_transform_ctx_t;

/* Renders the payload for one delivery. `event` is the full event envelope
 * JSON text as delivered (version, id, detail-type, source, account, time,
 * region, resources, detail); ctx may be NULL. Returns 0 with the payload in
 * *out (NUL-terminated, *outlen bytes), or an error meaning "nothing is
 * delivered to this target" (AWS counts a failed invocation): RN_ERR_NOT_FOUND
 * when an InputPath selects nothing, RN_ERR_EV_VALIDATION when a JSON template
 * does not render to valid JSON (e.g. an object value placed inside quotes),
 * RN_ERR_SERIALIZATION when `event` is not valid JSON, RN_ERR_NOMEM. Caller
 * owns *out; free with rn_free(). */
int ev_transform_apply(const ev_transform_t *t, const char *event, size_t len, const ev_transform_ctx_t *ctx,
                       char **out, size_t *outlen);
#endif
