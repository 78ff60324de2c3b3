/* SPDX-License-Identifier: MIT
 * CloudFormation's parts, as they see each other. A template is held as one
 * JSON tree (YAML's short tags turned into their long forms: `!Ref X` is
 * {"Ref": "X"}, `!GetAtt A.B` is {"Fn::GetAtt": ["A", "B"]}); the template
 * functions (template.c, yaml.c, params.c, intrinsic.c, order.c) read it and
 * never change it; the SAM transform (sam.c) makes a new tree; the stack engine
 * (stack.c, changeset.c) walks the resources in order and hands each one to its
 * provider (prov_*.c), which creates, updates or deletes the real resource by
 * running other services' operations through the sink registry (cfn_call), as
 * a client would. Nothing here knows HTTP or a wire format.
 *
 * Messages: every function that can fail writes AWS's text into msg (up to
 * msglen bytes) and returns -1; 0 is success. */
#ifndef RN_CFN_INT_H
#define RN_CFN_INT_H
#include <jansson.h>
#include <stddef.h>

#include "core/sink.h"

/* ---- templates (template.c, yaml.c) ---- */

/* Parses a template body: JSON when its first non-blank character is '{',
 * else YAML (libyaml) with the short-form tags. Returns 0 with *out (a new
 * object), or -1 with AWS's "Template format error: ..." text. */
int cfn_template_parse(const char *text, size_t len, json_t **out, char *msg, size_t msglen);

/* Checks a parsed template (after any transform) the way CreateStack and
 * ValidateTemplate do before anything is created: its sections, each
 * resource's Type, DependsOn targets, the intrinsic functions' shapes and
 * where they may appear, Ref/GetAtt/Sub targets, conditions, circular
 * dependencies. Returns 0, or -1 with AWS's text. */
int cfn_template_check(const json_t *tpl, char *msg, size_t msglen);

/* ---- parameters (params.c) ---- */

/* The stack's parameter values: `given` is the call's Parameters list
 * ([{"ParameterKey","ParameterValue","UsePreviousValue"}], may be NULL),
 * `previous` the values the stack had ({key: value}, NULL on create).
 * Defaults, types (String, Number, List<Number>, CommaDelimitedList,
 * AWS::* and SSM types accepted as strings), AllowedValues, AllowedPattern,
 * Min/MaxLength, Min/MaxValue are applied as AWS does. Returns 0 with
 * *values ({key: string}; list types as their comma-separated text), or -1
 * with AWS's text ("Parameters: [X] must have values"). */
int cfn_params_resolve(const json_t *tpl, const json_t *given, const json_t *previous, json_t **values, char *msg,
                       size_t msglen);

/* ---- evaluation (intrinsic.c) ---- */

/* What the intrinsic functions read. All borrowed. */
typedef struct cfn_eval {
    const json_t *tpl;        /* the (transformed) template */
    const json_t *params;     /* cfn_params_resolve's values */
    const json_t *conditions; /* {name: true|false}, from cfn_conditions_eval; NULL while evaluating them */
    /* The resources made so far: {logicalId: {"Ref": "...", "Attrs": {"Arn": ...}}}.
     * A Ref or GetAtt of one not in it is an error (order.c puts dependencies first). */
    const json_t *resources;
    const json_t *exports;    /* {exportName: value}, for Fn::ImportValue */
    const char *account, *region, *stack_name, *stack_id;
    const char *const *notification_arns; /* NULL-terminated, or NULL */
} cfn_eval_t;

/* Evaluates the template's Conditions section. Returns 0 with *out ({name:
 * true|false}), or -1 with AWS's text. */
int cfn_conditions_eval(const cfn_eval_t *ev, json_t **out, char *msg, size_t msglen);

/* A copy of v with every intrinsic function (Ref, Fn::GetAtt, Fn::Sub,
 * Fn::Join, Fn::Select, Fn::Split, Fn::If, Fn::Equals, Fn::And, Fn::Or,
 * Fn::Not, Fn::FindInMap, Fn::GetAZs, Fn::Base64, Fn::ImportValue, Fn::Cidr,
 * Fn::Length, Fn::ToJsonString, Condition) and pseudo parameter resolved; a
 * member or element whose value is Ref AWS::NoValue is left out. Returns a new
 * value, or NULL with AWS's text. */
json_t *cfn_resolve(const cfn_eval_t *ev, const json_t *v, char *msg, size_t msglen);

/* ---- order (order.c) ---- */

/* Adds to deps (an object used as a set: {logicalId: true}) every resource
 * that v refers to: Ref, Fn::GetAtt, Fn::Sub's ${X} and ${X.Attr}. */
void cfn_refs(const json_t *tpl, const json_t *v, json_t *deps);

/* The logical ids of the resources whose Condition holds, dependencies
 * (references and DependsOn) first, else in template order. Returns 0 with
 * *order (a new array of strings), or -1 with AWS's text for a circular
 * dependency ("Circular dependency between resources: [A, B]"). */
int cfn_order(const json_t *tpl, const json_t *conditions, json_t **order, char *msg, size_t msglen);

/* ---- SAM (sam.c) ---- */

/* The template with Transform AWS::Serverless-2016-10-31 expanded into plain
 * CloudFormation (Globals merged; AWS::Serverless::Function,
 * SimpleTable, LayerVersion and their events turned into their resources).
 * `base_dir` is the directory relative CodeUri/ContentUri paths are read
 * from (NULL: the server's working directory). A template without the
 * transform comes back as a new reference to itself. Returns 0 with *out, or
 * -1 with AWS's text ("Transform AWS::Serverless-2016-10-31 failed with:
 * ..."). */
int cfn_sam_transform(const json_t *tpl, const char *base_dir, json_t **out, char *msg, size_t msglen);

/* ---- providers (provider.c, prov_*.c) ---- */

/* One resource operation handed to a provider. Inputs borrowed; outputs
 * owned by the op (the engine frees attrs). */
typedef struct cfn_op {
    rn_sinks_t *sinks;
    const char *account, *region;
    const char *stack_name, *stack_id;
    const char *logical_id, *type;
    const char *endpoint;      /* "http://host:port" as the stack's caller reached the server
                                * (for queue URLs); may be NULL */
    const json_t *props;       /* the resolved Properties ({} when none) */
    /* update and delete: what create (or the last update) left */
    const json_t *old_props;
    const char *old_physical;
    const json_t *old_attrs;
    /* out: create and update set these (update: physical may stay the old one) */
    char physical[1024];       /* the physical id, which Ref returns */
    json_t *attrs;             /* the Fn::GetAtt values, {"Arn": ..., ...}; NULL: none */
    char msg[1024];            /* why it failed */
} cfn_op_t;

typedef struct cfn_provider {
    const char *type;                 /* "AWS::SQS::Queue" */
    const char *const *props;         /* every property it takes (others fail the resource:
                                       * "Encountered unsupported property X"); NULL-terminated */
    const char *const *required;      /* properties that must be there; NULL-terminated or NULL */
    const char *const *replace;       /* properties whose change replaces the resource; NULL-terminated
                                       * or NULL */
    const char *const *attrs;         /* the Fn::GetAtt names it gives; NULL-terminated or NULL */
    /* Each returns 0, or -1 with op->msg. create and update fill physical
     * and attrs. update: NULL when every change replaces. delete: a resource
     * already gone counts as deleted. */
    int (*create)(cfn_op_t *op);
    int (*update)(cfn_op_t *op);
    int (*delete)(cfn_op_t *op);
} cfn_provider_t;

/* The provider of `type`, or NULL when Runnel has none. */
const cfn_provider_t *cfn_provider(const char *type);

/* Runs operation `opname` of service `service` ("sqs") in the op's
 * partition with input `in` (stolen; the API description's member names and
 * types, as a client's request would decode). Returns 0 with *out (a new
 * reference, or nothing when out is NULL), or -1 with op->msg set to
 * `Resource handler returned message: "<the service's message>"`. */
int cfn_call(cfn_op_t *op, const char *service, const char *opname, json_t *in, json_t **out);

/* A physical name for a resource whose name property is absent, as
 * CloudFormation makes them: STACK-LOGICALID-RANDOM (13 upper-case letters
 * and digits), stack name and logical id shortened so the whole fits in
 * `max` characters with `suffix` (".fifo", or NULL) appended. */
void cfn_name(const cfn_op_t *op, size_t max, const char *suffix, char *out, size_t outlen);

/* The ARN arn:aws:SERVICE:REGION:ACCOUNT:REST in the op's partition. */
void cfn_arn(const cfn_op_t *op, const char *service, const char *rest, char *out, size_t outlen);

/* The providers, one table per file (NULL-terminated); provider.c joins them. */
extern const cfn_provider_t *const cfn_prov_sqs[], *const cfn_prov_sns[], *const cfn_prov_logs[],
    *const cfn_prov_cloudwatch[], *const cfn_prov_iam[], *const cfn_prov_dynamodb[], *const cfn_prov_events[],
    *const cfn_prov_lambda[];
#endif
