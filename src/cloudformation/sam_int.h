/* SPDX-License-Identifier: MIT
 * The SAM transform's parts, as they see each other. sam.c walks the
 * template and hands each AWS::Serverless::* resource (its Globals already
 * merged by sam_globals.c) to the file for its type: sam_function.c (with
 * sam_role.c for the execution role and sam_events.c for its Events),
 * sam_table.c, sam_layer.c. Each adds plain CloudFormation resources to the
 * output through sam_add and reports what is wrong through sam_error, so one
 * run collects every error as SAM does. Nothing here resolves an intrinsic:
 * the engine does that after the transform. */
#ifndef RN_CFN_SAM_INT_H
#define RN_CFN_SAM_INT_H
#include <jansson.h>
#include <stddef.h>

/* One transform run. */
typedef struct sam_ctx {
    const json_t *tpl;  /* the input template; borrowed */
    json_t *resources;  /* the output Resources object; owned by the run */
    json_t *errors;     /* [{"id": logicalId, "text": "Resource with id [..] is invalid. .."}] */
    json_t *renamed;    /* {oldLogicalId: newLogicalId}: layers get hashed ids */
    char base[4096];    /* the directory relative CodeUri/ContentUri paths join */
    int oom;            /* an allocation failed somewhere */
} sam_ctx_t;

/* Records SAM's "Resource with id [id] is invalid. <text>" for the run. */
void sam_error(sam_ctx_t *c, const char *id, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Adds resource `id` of `type` with `props` (stolen; NULL: no Properties)
 * to the output, copying the passthrough attributes (Condition,
 * DeletionPolicy, UpdateReplacePolicy) of `src` (the SAM resource, may be
 * NULL). A clash with another resource of the template is SAM's
 * DuplicateLogicalId error against `owner`. Returns the added resource
 * (borrowed; valid for the run) or NULL. */
json_t *sam_add(sam_ctx_t *c, const char *owner, const char *id, const char *type, json_t *props, const json_t *src);

/* Sets obj[key] = v (stolen); a NULL v or a failed set marks the run OOM. */
void sam_set(sam_ctx_t *c, json_t *obj, const char *key, json_t *v);
/* Sets obj[key] to a copy of src[key] when src has it. */
void sam_copy(sam_ctx_t *c, json_t *obj, const char *key, const json_t *src, const char *src_key);

/* 1 when v is an intrinsic function ({"Ref": ..} or {"Fn::X": ..}, one key). */
int sam_is_intrinsic(const json_t *v);

/* Checks that every key of props is in `known` (NULL-terminated), and that
 * each of `required` is there; reports SAM's texts against `id`, naming
 * `type` ("AWS::Serverless::Function", "SQS"). Returns 0 when all is well. */
int sam_check_props(sam_ctx_t *c, const char *id, const json_t *props, const char *type, const char *const *known,
                    const char *const *required);

/* CloudFormation's tag list from SAM's {key: value} map, SAM's own
 * "lambda:createdBy": "SAM" first when `sam_tag`. Returns a new array. */
json_t *sam_tag_list(sam_ctx_t *c, const json_t *tags, int sam_tag);

/* The Code/Content object for a CodeUri/ContentUri value `uri` of resource
 * `id` (property name `prop`): a local directory becomes
 * {"RunnelCodeDirectory": abs}, a .zip path {"RunnelZipPath": abs}, an
 * s3:// URI or {Bucket, Key, Version} the S3 fields. Returns a new object,
 * or NULL with the error recorded. */
json_t *sam_code_location(sam_ctx_t *c, const char *id, const char *prop, const json_t *uri);

/* A fingerprint of the local code a Code/Content object names (every
 * file's path, size and modification time below RunnelCodeDirectory, or
 * RunnelZipPath's), or NULL for other code. It stands in the version and
 * layer hashes for what `sam deploy` would make of changed local code: a
 * new S3 key. Returns a new string. */
json_t *sam_code_digest(const json_t *code);

/* The first 10 hex digits of the SHA-1 of v's compact, key-sorted JSON
 * (a string hashes as its text), as SAM's logical id generator makes them. */
void sam_hash10(const json_t *v, char out[11]);

/* ---- Globals (sam_globals.c) ---- */

/* Checks the template's Globals section. Returns 0 with *globals (a new
 * object {"AWS::Serverless::Function": {...}, ...}, {} when absent), or -1
 * with SAM's document-level text in msg. */
int sam_globals_parse(const json_t *tpl, json_t **globals, char *msg, size_t msglen);

/* The properties of resource `res` (type `type`) with the Globals merged in
 * the way SAM merges them (the resource's scalars win, maps merge, lists
 * append), honouring its IgnoreGlobals attribute. Returns a new object, or
 * NULL with the error recorded. */
json_t *sam_globals_merge(sam_ctx_t *c, const char *id, const json_t *globals, const char *type, const json_t *res);

/* ---- resources ---- */

/* AWS::Serverless::Function: the function, its role, version/alias, events. */
void sam_function(sam_ctx_t *c, const char *id, const json_t *res, const json_t *props);
/* AWS::Serverless::SimpleTable → AWS::DynamoDB::Table. */
void sam_simple_table(sam_ctx_t *c, const char *id, const json_t *res, const json_t *props);
/* AWS::Serverless::LayerVersion → AWS::Lambda::LayerVersion under a hashed
 * logical id (recorded in c->renamed). */
void sam_layer(sam_ctx_t *c, const char *id, const json_t *res, const json_t *props);

/* ---- the function's parts ---- */

/* The execution role's Properties for function `id` from its (merged)
 * properties: trust policy, managed policy ARNs, inline policies and policy
 * templates, the DeadLetterQueue policy, tags. Returns a new object or NULL
 * with the error recorded. */
json_t *sam_role_props(sam_ctx_t *c, const char *id, const json_t *props);
/* Appends managed policy `arn` to role Properties `role` unless there. */
void sam_role_add_managed(sam_ctx_t *c, json_t *role, const char *arn);

/* How an event reaches the function: the FunctionName value (Ref of the
 * function or its alias) and the ARN value (GetAtt Arn, or Ref of the
 * alias). Borrowed. */
typedef struct sam_target {
    const json_t *name;
    const json_t *arn;
} sam_target_t;

/* The resources of function `fn`'s Events (an object): rules, permissions,
 * mappings, subscriptions, queues. `role` is the generated role's
 * Properties (NULL when the function names its own Role), to which pull
 * events add their managed policies. */
void sam_events(sam_ctx_t *c, const char *fn, const json_t *res, const json_t *events, const sam_target_t *t,
                json_t *role);
#endif
