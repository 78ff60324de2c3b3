/* SPDX-License-Identifier: MIT
 * DynamoDB's legacy parameters (Expected, AttributeUpdates, AttributesToGet,
 * KeyConditions, QueryFilter, ScanFilter, ConditionalOperator) turned into
 * the same trees the expressions parse to, so one evaluator serves both.
 * Each returns 0 (with NULL out when the parameter is absent) or the call's
 * failure with AWS's message. */
#ifndef RN_DDB_LEGACY_H
#define RN_DDB_LEGACY_H
#include "core/call.h"
#include "dynamodb/ddb_int.h"
#include "dynamodb/expr.h"

int ddb_legacy_expected(rn_call_t *c, ddb_expr_t *e, json_t *in, ddb_node_t **out);
int ddb_legacy_filter(rn_call_t *c, ddb_expr_t *e, json_t *in, const char *member, ddb_node_t **out);
int ddb_legacy_key_conditions(rn_call_t *c, ddb_expr_t *e, json_t *in, const ddb_keys_t *keys, ddb_node_t **out);
int ddb_legacy_attribute_updates(rn_call_t *c, ddb_expr_t *e, json_t *in, ddb_action_t **out, int *n);
int ddb_legacy_attributes_to_get(rn_call_t *c, ddb_expr_t *e, json_t *in, ddb_path_t **out, int *n);
#endif
