/* SPDX-License-Identifier: MIT
 * Schema inference for EventBridge schema discovery: a scanner that turns one
 * event's JSON text into a "shape" (types only, no values), a merge that
 * folds the shapes of many events into one, and the renderers that turn a
 * shape into the OpenAPI 3 document AWS's discovered schemas carry, or a
 * stored OpenAPI document into JSONSchema Draft 4 for ExportSchema. Shapes are
 * small jansson trees so they can be compared with json_equal and persisted
 * as they are; nothing here knows about registries or the store. */
#ifndef RN_SCHEMAS_INFER_H
#define RN_SCHEMAS_INFER_H
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* Deepest object/array nesting the scanner follows; deeper events are not inferred. */
#define SCHEMAS_INFER_MAX_DEPTH 64

/* Top-level string members of an event, captured while scanning it. Each is
 * NULL when absent or not a string; owned, free with schemas_envelope_clear(). */
typedef struct schemas_envelope {
    char *source;
    char *detail_type;
    char *account;
    int detail_is_object;
} schemas_envelope_t;

/* Infers the shape of one JSON text (any JSON value; numbers of any size).
 * When env is not NULL the top-level object's "source", "detail-type" and
 * "account" strings are captured into it. Returns 0 with *out set (caller
 * owns; json_decref), SC_ERR_BAD_REQUEST for text that is not JSON, too
 * deep or has keys that are not UTF-8, RN_ERR_NOMEM. */
int schemas_infer_shape(const char *text, size_t len, schemas_envelope_t *env, json_t **out);
/* Frees the captured strings; the struct may be reused. */
void schemas_envelope_clear(schemas_envelope_t *env);

/* Folds shape b into shape a: properties are the union, "required" keeps the
 * keys every event had, integers widen (int32 -> int64 -> integer -> number),
 * null and empty-array elements give way to any real type, and other type
 * clashes become "any". The merge is monotone, so events that alternate
 * between two shapes settle instead of flip-flopping. a may be NULL.
 * Caller owns the result; json_decref. NULL on out-of-memory. */
json_t *schemas_shape_merge(const json_t *a, const json_t *b);

/* Renders a discovered event schema as AWS writes it: compact OpenAPI 3.0.0
 * with the AWSEvent envelope (x-amazon-events-source/-detail-type, detail as a
 * $ref) and one component per nested object. `shape` is the merged shape of
 * whole events. Caller owns the result; free with rn_free(). NULL on OOM or
 * when the shape has no object "detail". */
char *schemas_openapi_event(const json_t *shape, const char *source, const char *detail_type);
/* Renders a shape that is not an event envelope as components.schemas.<title>
 * (GetDiscoveredSchema on plain JSON). Caller owns the result; rn_free(). */
char *schemas_openapi_plain(const json_t *shape, const char *title);
/* Converts an OpenAPI 3 document (as text) into JSONSchema Draft 4 the way
 * ExportSchema does: AWSEvent becomes the root, the other components become
 * definitions, $refs are rewritten and keys sorted. Returns 0 with *out
 * (caller owns; rn_free()), SC_ERR_BAD_REQUEST when the text is not an
 * OpenAPI document, RN_ERR_NOMEM. */
int schemas_draft4_export(const char *openapi, char **out);

/* Writes the component/schema name AWS derives from a detail type or key:
 * ASCII letters and digits kept, every other character a word break, each
 * word's first letter upper-cased ("Order Created" -> "OrderCreated",
 * "State-change" -> "StateChange"). "Event" when nothing is left. */
void schemas_name_pascal(const char *in, char *out, size_t n);
/* Java's String.hashCode over the UTF-16 form of a UTF-8 string: AWS's
 * generator keeps "required" in a java.util.HashSet, and its iteration order
 * follows this hash. */
int32_t schemas_java_hash(const char *utf8);
/* Sorts keys (borrowed strings) into java.util.HashSet iteration order for a
 * set built by adding them in the given order. Returns 0 or RN_ERR_NOMEM. */
int schemas_java_set_order(const char **keys, size_t n);
#endif
