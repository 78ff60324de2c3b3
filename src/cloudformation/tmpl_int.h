/* SPDX-License-Identifier: MIT
 * What the template-language files (yaml.c, template.c, check.c, params.c,
 * intrinsic.c, fn_value.c, condition.c, sub.c, cidr.c, fn_messages.c,
 * order.c) share among themselves and nobody else needs: the YAML reader,
 * the Fn::Sub scanner, the Cidr arithmetic, the pseudo parameters' names and
 * AWS's shape texts. The rest of CloudFormation sees only cfn_int.h. */
#ifndef RN_CFN_TMPL_INT_H
#define RN_CFN_TMPL_INT_H
#include <jansson.h>
#include <stddef.h>

#include "cloudformation/cfn_int.h"

/* Nesting deeper than this is refused by both readers and every walker, so
 * no recursion here can run out of stack. */
#define CFN_MAX_DEPTH 100

/* Reads a YAML template into JSON, the short-form tags turned into their
 * long forms. Returns 0 with *out, or -1 with AWS's "Template format
 * error: ..." text. Caller owns *out; free with json_decref(). */
int cfn_yaml_parse(const char *text, size_t len, json_t **out, char *msg, size_t msglen);

/* 1 when name is one of the AWS::* pseudo parameters Ref knows. Borrowed. */
int cfn_is_pseudo(const char *name);

/* Calls fn for each variable of an Fn::Sub string: the text between "${" and
 * "}" (never a "${!Literal}"). Stops and returns what fn returns when that is
 * not 0; returns 0 after the last, -2 for a name Fn::Sub does not allow.
 * The name is borrowed for the call only. */
typedef int (*cfn_sub_var_fn)(void *ctx, const char *name);
int cfn_sub_scan(const char *s, cfn_sub_var_fn fn, void *ctx);

/* Fn::Sub's arguments (a string, or [string, {var: value}]) evaluated:
 * `vars` holds the map's values already resolved (NULL when none); `lookup`
 * gives the value of any other variable (a parameter, a pseudo parameter,
 * a resource's Ref or "Res.Attr") as a new reference, or NULL with msg
 * set. Returns the text, or NULL with AWS's text. Caller owns the result;
 * free with json_decref(). */
typedef json_t *(*cfn_sub_lookup_fn)(void *ctx, const char *name, char *msg, size_t msglen);
json_t *cfn_sub_expand(const char *s, const json_t *vars, cfn_sub_lookup_fn lookup, void *ctx, char *msg,
                       size_t msglen);

/* Fn::Cidr: `count` blocks of 2^bits addresses each, carved in order from
 * the start of `block` (IPv4 or IPv6 CIDR). Returns an array of strings,
 * or NULL with AWS's text. Caller owns the result; free with json_decref(). */
json_t *cfn_cidr(const char *block, long long count, long long bits, char *msg, size_t msglen);

/* The string a scalar stands for where CloudFormation wants text (numbers
 * and booleans as they print), or NULL when v is not a string, number or
 * boolean (or out of memory). Caller owns the result; free with
 * json_decref(). */
json_t *cfn_scalar_string(const json_t *v);

/* AWS's texts for the functions' shape errors (fn_messages.c), and the
 * "Supported functions are: [...]" list. */
extern const char cfn_supported_functions[], cfn_msg_getatt_shape[], cfn_msg_sub_shape[], cfn_msg_sub_name[],
    cfn_msg_join_shape[], cfn_msg_select_shape[], cfn_msg_split_shape[], cfn_msg_equals_shape[], cfn_msg_not_shape[],
    cfn_msg_if_first[], cfn_msg_if_three[], cfn_msg_map_shape[], cfn_msg_cidr_shape[], cfn_msg_transform[];
#endif
