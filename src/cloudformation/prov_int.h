/* SPDX-License-Identifier: MIT
 * What the resource providers share to read template property values the
 * way CloudFormation does: loosely typed (YAML and JSON templates give
 * numbers and booleans as JSON numbers/booleans or as strings), policies as
 * objects or as JSON text, tags as [{Key, Value}] lists; and what every
 * provider's update needs: the tag keys that went away, whether a property
 * changed (prov_value.c); the resource policies' providers (prov_policy.c).
 * Private to src/cloudformation/prov_*.c. */
#ifndef RN_CFN_PROV_INT_H
#define RN_CFN_PROV_INT_H
#include <jansson.h>
#include <stddef.h>

#include "cloudformation/cfn_int.h"

/* The text of a scalar: a string as it is, a number in decimal, a boolean
 * as "true"/"false". NULL for objects, arrays, null and absent values.
 * Borrowed from v, or written into buf (len bytes). */
const char *cfn_str(const json_t *v, char *buf, size_t len);

/* A number, or a string holding one, as an integer. Returns 0 with *out, or
 * -1 when v is something else (or has a fraction). */
int cfn_int(const json_t *v, long long *out);

/* A boolean, or "true"/"false" in any case. Returns 0 with *out (0 or 1),
 * or -1 when v is something else. */
int cfn_bool(const json_t *v, int *out);

/* 1 when v is true or "true" (any case); 0 otherwise. */
int cfn_is_true(const json_t *v);

/* A property as the string AWS APIs take: a scalar as cfn_str gives it, an
 * object or array (a policy document) as its compact JSON text. Returns a
 * new JSON string, or NULL when v is absent or null. */
json_t *cfn_text(const json_t *v);

/* Sets member `name` of obj to cfn_text(v); nothing when v is absent or null.
 * Returns 0, or -1 when out of memory. */
int cfn_set_text(json_t *obj, const char *name, const json_t *v);

/* A copy of v in which every member named in `ints` holding a number text
 * is a JSON integer and every member named in `bools` holding "true"/"false"
 * is a JSON boolean, at any depth; other values are copied as they are.
 * Either list may be NULL (NULL-terminated). Returns a new value (NULL for
 * NULL). */
json_t *cfn_typed(const json_t *v, const char *const *ints, const char *const *bools);

/* A CloudFormation tag list [{Key, Value}] as a map {Key: Value} (values as
 * text). Returns a new object ({} for NULL). */
json_t *cfn_tags_map(const json_t *tags);

/* The same list with every Value as text ([{Key, Value}]). Returns a new
 * array ([] for NULL). */
json_t *cfn_tags_list(const json_t *tags);

/* The keys tagged in `old` (a tag list) that `now` (a tag list) no longer
 * has. Returns a new array of strings. */
json_t *cfn_tags_removed(const json_t *old, const json_t *now);

/* 1 when property `name` differs between the two property objects (either
 * may be NULL), compared as JSON. */
int cfn_changed(const json_t *old_props, const json_t *props, const char *name);

/* 1 when `name` is in `names` (NULL-terminated, or NULL). */
int cfn_listed(const char *const *names, const char *name);

/* The resource's name: its name property `prop` when given, else one
 * cfn_name makes (max characters, suffix appended). */
void cfn_given_name(const cfn_op_t *op, const char *prop, size_t max, const char *suffix, char *out, size_t outlen);

/* Sets a resource whose Ref is its name: physical = name, attrs =
 * {"Arn": arn:aws:SERVICE:REGION:ACCOUNT:<before>NAME<after>}. */
void cfn_named(cfn_op_t *op, const char *name, const char *service, const char *before, const char *after);

/* The elements of list `a` that list `b` does not have (the queues a
 * policy no longer names). Returns a new array. */
json_t *cfn_list_minus(const json_t *a, const json_t *b);

/* Brings a resource's tags from the old properties' Tags to the new ones
 * with a service's untag and tag operations, whose inputs are a copy of
 * `target` (borrowed) plus the removed keys as `untag_key`, or the new tags
 * as `tag_key`, a map {Key: Value} with as_map, else a [{Key, Value}] list.
 * Returns 0, or -1 with op->msg. */
int cfn_retag(cfn_op_t *op, const char *service, const json_t *target, const char *untag_op, const char *untag_key,
              const char *tag_op, const char *tag_key, int as_map);

/* Runs an operation to learn whether something is there (a describe before
 * deciding a failed delete found nothing to delete): 1 when it succeeds,
 * else 0. op->msg is left as it was. Takes ownership of `in`. */
int cfn_probe(cfn_op_t *op, const char *service, const char *opname, json_t *in);

/* The resource policies' providers (prov_policy.c), listed in the SQS and
 * SNS tables. */
extern const cfn_provider_t cfn_queue_policy, cfn_queue_inline_policy, cfn_topic_policy, cfn_topic_inline_policy;
#endif
