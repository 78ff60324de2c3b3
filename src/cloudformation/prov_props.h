/* SPDX-License-Identifier: MIT
 * Turning a resource's resolved Properties into another service's operation
 * input (prov_props.c). Templates type loosely: YAML and JSON give numbers
 * and booleans as JSON values or as text ("300", "true"), and AWS accepts
 * both, so every provider copies properties through one table that says
 * what type the operation's member has. The events and lambda providers
 * (prov_events*.c, prov_lambda*.c) use it. */
#ifndef RN_CFN_PROV_PROPS_H
#define RN_CFN_PROV_PROPS_H
#include <jansson.h>

#include "cloudformation/cfn_int.h"

enum {
    CFN_P_STR,       /* text; a number or boolean becomes its text */
    CFN_P_INT,       /* integer; "300" is 300 */
    CFN_P_BOOL,      /* boolean; "true"/"false" */
    CFN_P_JSON_TEXT, /* a JSON document the API takes as text (EventPattern): an object is serialised */
    CFN_P_ANY,       /* copied as it is (structures the service checks itself) */
    CFN_P_STR_LIST,  /* a list of text */
    CFN_P_TAG_MAP,   /* CloudFormation's [{Key, Value}] as the API's {key: value} */
};

/* One property and the operation member it fills. */
typedef struct cfn_prop_map {
    const char *prop;   /* the property's name in the template */
    const char *member; /* the member's name in the operation's input; NULL: the same */
    int type;           /* CFN_P_* */
} cfn_prop_map_t;

/* Copies each property of `map` (ends with a NULL prop) present in props
 * into in under its member name, converted to the member's type. Returns 0,
 * or -1 with op->msg naming the property whose value cannot be converted. */
int cfn_props_map(cfn_op_t *op, const json_t *props, const cfn_prop_map_t *map, json_t *in);

/* Maps the op's properties (map) into in (stolen) and runs `opname` of
 * `service` with it. Returns 0 with *out (a new reference; out may be
 * NULL), or -1 with op->msg. */
int cfn_props_call(cfn_op_t *op, const char *service, const char *opname, const cfn_prop_map_t *map, json_t *in,
                   json_t **out);

/* Converts v (borrowed) to type (CFN_P_*): a new value, or NULL when it
 * cannot be (with op->msg naming `path`, the property's place). */
json_t *cfn_prop_as(cfn_op_t *op, const json_t *v, int type, const char *path);

/* Turns, at any depth of v (changed in place), the text values of members
 * named in ints (NULL-terminated, or NULL) into integers and those named in
 * bools into booleans, as the service expects nested numbers
 * (RetryPolicy.MaximumRetryAttempts) and flags. Returns 0, or -1 with
 * op->msg for a text that is not one. */
int cfn_props_fix(cfn_op_t *op, json_t *v, const char *const *ints, const char *const *bools);

/* The text a property gives (a number or boolean as its text), or NULL.
 * Borrowed from props, or written into buf (len bytes) for a non-text. */
const char *cfn_prop_text(const json_t *props, const char *name, char *buf, size_t len);

/* 1 when the property differs between op->old_props and op->props. */
int cfn_prop_changed(const cfn_op_t *op, const char *name);

/* Tags from CloudFormation's [{Key, Value}] (or a {key: value} map) as the
 * API's map: a new object (empty when tags is NULL). */
json_t *cfn_tags_map(const json_t *tags);

/* Brings a resource's tags from old (the last ones) to new, both maps, by
 * running tag_op (input {res_member: res, tags_member: new ones}) and
 * untag_op ({res_member: res, keys_member: [removed keys]}) of service.
 * Returns 0, or -1 with op->msg. */
int cfn_tags_sync(cfn_op_t *op, const char *service, const char *res_member, const char *res, const json_t *old,
                  const json_t *new, const char *tag_op, const char *tags_member, const char *untag_op,
                  const char *keys_member, int tags_as_list);

/* Sets the op's physical id to the text member `member` of out (a call's
 * result) and its attributes to {attr: that id} (attr NULL: none). */
void cfn_physical_from(cfn_op_t *op, const json_t *out, const char *member, const char *attr);

/* Copies the op's physical id from the last create or update and keeps
 * its attributes: what an update that changes nothing the service holds
 * returns. */
void cfn_keep_physical(cfn_op_t *op);
#endif
