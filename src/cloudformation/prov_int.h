/* SPDX-License-Identifier: MIT
 * What the SQS, SNS, Logs, CloudWatch, IAM and DynamoDB providers share
 * (prov_value.c), on top of prov_props.h (loose typing, tag maps and their
 * sync, shared with the events and lambda providers); and the resource
 * policies' providers (prov_policy.c). Private to src/cloudformation/prov_*.c. */
#ifndef RN_CFN_PROV_INT_H
#define RN_CFN_PROV_INT_H
#include <jansson.h>
#include <stddef.h>

#include "cloudformation/cfn_int.h"
#include "cloudformation/prov_props.h"

/* 1 when v is true or "true" (any case); 0 otherwise (absent included). */
int cfn_is_true(const json_t *v);

/* Sets member `name` of obj to v as the text AWS APIs take (a number or
 * boolean as its text, an object or array, a policy document, as its
 * compact JSON); nothing when v is absent or null. Returns 0, or -1 with
 * op->msg. */
int cfn_set_text(cfn_op_t *op, json_t *obj, const char *name, const json_t *v);

/* A copy of v with the members named in ints and bools typed at any depth
 * (cfn_props_fix). Returns a new value, or NULL with op->msg for a text
 * that is not one. */
json_t *cfn_typed(cfn_op_t *op, const json_t *v, const char *const *ints, const char *const *bools);

/* 1 when `name` is in `names` (NULL-terminated, or NULL). */
int cfn_listed(const char *const *names, const char *name);

/* A tag list [{Key, Value}] (or map) as the list [{Key, Value}] with text
 * values that the SNS and DynamoDB APIs take. Returns a new array. */
json_t *cfn_tags_list(const json_t *tags);

/* Brings the resource `res` (named by input member res_member) from the
 * old properties' Tags to the new ones with cfn_tags_sync. Returns 0, or
 * -1 with op->msg. */
int cfn_retag(cfn_op_t *op, const char *service, const char *res_member, const char *res, const char *tag_op,
              const char *tags_member, const char *untag_op, const char *keys_member, int tags_as_list);

/* Runs an operation to learn whether something is there (a describe before
 * deciding a failed delete found nothing to delete): 1 when it succeeds,
 * else 0. op->msg is left as it was. Takes ownership of `in`. */
int cfn_probe(cfn_op_t *op, const char *service, const char *opname, json_t *in);

/* A name property given for a resource that already exists outside the
 * stack (`taken`, as a probe found it) fails the create with
 * CloudFormation's "Resource of type 'T' with identifier 'N' already
 * exists.": the services whose create is idempotent (CreateQueue,
 * CreateTopic) or overwrites (PutMetricAlarm) would otherwise hand the stack
 * someone else's resource. Returns 0 when not taken, else -1. */
int cfn_refuse_taken(cfn_op_t *op, const char *name, int taken);

/* The elements of list `a` that list `b` does not have (the queues a
 * policy no longer names). Returns a new array. */
json_t *cfn_list_minus(const json_t *a, const json_t *b);

/* The resource's name: its name property `prop` when given, else one
 * cfn_name makes (max characters, suffix appended). */
void cfn_given_name(const cfn_op_t *op, const char *prop, size_t max, const char *suffix, char *out, size_t outlen);

/* Sets a resource whose Ref is its name: physical = name, attrs =
 * {"Arn": arn:aws:SERVICE:REGION:ACCOUNT:<before>NAME<after>}. */
void cfn_named(cfn_op_t *op, const char *name, const char *service, const char *before, const char *after);

/* The resource policies' providers (prov_policy.c), listed in the SQS and
 * SNS tables. */
extern const cfn_provider_t cfn_queue_policy, cfn_queue_inline_policy, cfn_topic_policy, cfn_topic_inline_policy;
#endif
