/* SPDX-License-Identifier: MIT
 * A CloudFormation instance's state and the engine's entry points, shared by
 * cfn.c (the instance, its records and the call table), stack.c (creating,
 * updating and deleting a stack's resources), changeset.c and describe.c.
 *
 * State is JSON, owned by the instance, on the loop:
 * - stacks: stack id → {"StackId", "StackName", "Status", "StatusReason",
 *   "Created", "Updated", "Deleted" (epoch s), "Body" (the template text as
 *   sent), "Template" (after the transform), "Parameters" ({key: value}),
 *   "Capabilities", "Tags", "NotificationARNs", "Description",
 *   "DisableRollback", "TerminationProtection", "RoleARN", "Policy",
 *   "Resources" ({logical: {"Type", "Ref" (the physical id), "Attrs",
 *   "Props", "Status", "Reason", "Time", "Retain"}}), "Order" (creation
 *   order), "Outputs" ([{OutputKey, OutputValue, Description, ExportName}]),
 *   "Imports" ([export names it reads])}. Deleted stacks stay (by id).
 * - events: stack id → [event objects], oldest first.
 * - changesets: change set id → {"ChangeSetId", "ChangeSetName", "StackId",
 *   "StackName", "Type", "Status", "ExecutionStatus", "StatusReason",
 *   "Created", "Body", "Template", "Parameters", "Changes", "Capabilities",
 *   "Tags", "Description", "NotificationARNs"}.
 * Every change is written through the store (namespaces "cfn.stack",
 * "cfn.event", "cfn.cs") in the loop turn that made it: a stack operation
 * runs whole in one turn, so a crash leaves it done or not begun. */
#ifndef RN_CFN_STATE_H
#define RN_CFN_STATE_H
#include <stdint.h>

#include "cloudformation/cfn.h"
#include "cloudformation/cfn_err.h"
#include "cloudformation/cfn_int.h"

struct cfn {
    rn_store_t *store;
    const rn_config_t *cfg;
    rn_sinks_t *sinks;
    json_t *stacks;
    json_t *events;
    json_t *changesets;
    uint64_t event_seq;
    char endpoint[280]; /* the current call's, for the calls a stack operation makes */
};

/* Now, as the API's timestamps carry it (epoch seconds). */
double cfn_now(void);

/* The live (not deleted) stack named `name_or_id` (a name or a stack id; an
 * id also finds a deleted stack), or NULL. Borrowed. */
json_t *cfn_stack_find(cfn_t *c, const char *name_or_id, int deleted_too);

/* 1 when the array `list` holds the string s (NULL s: 0). */
int cfn_list_has(const json_t *list, const char *s);

/* Writes a stack (or a change set) to the store. */
void cfn_save_stack(cfn_t *c, const json_t *st);
void cfn_save_changeset(cfn_t *c, const json_t *cs);
void cfn_drop_changeset(cfn_t *c, const char *id);

/* Appends one stack event (and writes it). reason and props may be NULL. */
void cfn_event(cfn_t *c, json_t *st, const char *logical, const char *physical, const char *type,
               const char *status, const char *reason, const json_t *props);

/* Sets the stack's status (and reason) with its event. */
void cfn_stack_status(cfn_t *c, json_t *st, const char *status, const char *reason);

/* Every export of every live stack but `except` (a stack id or NULL):
 * {name: {"Value", "StackId"}}. New. */
json_t *cfn_exports(cfn_t *c, const char *except);

/* The call's template text (TemplateBody, at most 51,200 bytes; TemplateURL
 * refused: no S3), or NULL with the call failed; `previous` is the stack's
 * own, for UsePreviousTemplate (NULL: none). Borrowed. */
const char *cfn_body_of(rn_call_t *call, const char *previous);

/* Prepares a template for a stack: parses `body`, runs the SAM transform,
 * checks it. Returns 0 with *tpl (new) and *transformed (1 when it had a
 * Transform; may be NULL), or -1 with AWS's text. */
int cfn_prepare(const char *body, json_t **tpl, int *transformed, char *msg, size_t msglen);

/* The checks that need parameter values, made before a stack operation
 * begins: conditions evaluate and resources have an order. 0, or -1 with
 * AWS's text. */
int cfn_precheck(cfn_t *c, const char *stack_name, const json_t *tpl, const json_t *params, char *msg, size_t msglen);

/* The capabilities a template needs that `given` (an array, may be NULL)
 * lacks: 0 when none, else -1 with "Requires capabilities : [X]". `tpl` is
 * the transformed template; `transformed` says whether it had a transform
 * (which needs CAPABILITY_AUTO_EXPAND on CreateStack/UpdateStack). */
int cfn_capabilities(const json_t *tpl, int transformed, const json_t *given, char *msg, size_t msglen);

/* The live stack `name` if its status allows an update, else NULL with the
 * call failed (AWS's texts). */
json_t *cfn_updatable(cfn_t *c, rn_call_t *call, const char *name);

/* The engine. Each runs the whole operation now, leaving the stack in a
 * final status with its events; st is the stack (in c->stacks). */
void cfn_stack_create(cfn_t *c, json_t *st, const char *on_failure);
/* Updates st to template tpl (new, stolen) and params (stolen), body the
 * new template text. Returns 0, or -1 when nothing changes (st untouched). */
int cfn_stack_update(cfn_t *c, json_t *st, const char *body, json_t *tpl, json_t *params);
void cfn_stack_delete(cfn_t *c, json_t *st, const json_t *retain);

/* Changes from the stack's current template to tpl/params, as
 * DescribeChangeSet lists them ([{"Type": "Resource", "ResourceChange":
 * ...}]). New. */
json_t *cfn_diff(cfn_t *c, const json_t *st, const json_t *tpl, const json_t *params);

/* Parameters as the API lists them ({ParameterKey, ParameterValue}),
 * NoEcho ones masked. New. */
json_t *cfn_param_list(const json_t *tpl, const json_t *values);

/* Operations, by file. Each returns 0 or the call's error. */
int cfn_op_create_stack(cfn_t *c, rn_call_t *call);
int cfn_op_update_stack(cfn_t *c, rn_call_t *call);
int cfn_op_delete_stack(cfn_t *c, rn_call_t *call);
int cfn_op_create_change_set(cfn_t *c, rn_call_t *call);
int cfn_op_describe_change_set(cfn_t *c, rn_call_t *call);
int cfn_op_execute_change_set(cfn_t *c, rn_call_t *call);
int cfn_op_delete_change_set(cfn_t *c, rn_call_t *call);
int cfn_op_list_change_sets(cfn_t *c, rn_call_t *call);
int cfn_op_describe_stacks(cfn_t *c, rn_call_t *call);
int cfn_op_list_stacks(cfn_t *c, rn_call_t *call);
int cfn_op_describe_stack_events(cfn_t *c, rn_call_t *call);
int cfn_op_describe_stack_resource(cfn_t *c, rn_call_t *call);
int cfn_op_describe_stack_resources(cfn_t *c, rn_call_t *call);
int cfn_op_list_stack_resources(cfn_t *c, rn_call_t *call);
int cfn_op_get_template(cfn_t *c, rn_call_t *call);
int cfn_op_validate_template(cfn_t *c, rn_call_t *call);
int cfn_op_get_template_summary(cfn_t *c, rn_call_t *call);
int cfn_op_list_exports(cfn_t *c, rn_call_t *call);
int cfn_op_list_imports(cfn_t *c, rn_call_t *call);
#endif
