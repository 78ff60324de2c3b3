/* SPDX-License-Identifier: MIT
 * Shared request handling for DynamoDB's item operations (request.c). */
#ifndef RN_DDB_REQUEST_H
#define RN_DDB_REQUEST_H
#include "core/call.h"
#include "dynamodb/ddb_int.h"
#include "dynamodb/expr.h"

/* Checks ExpressionAttributeNames/Values of `in` (empty maps, bad keys, bad
 * values) and points s at them. 0 or the call's failure. */
int ddb_subst_init(rn_call_t *c, json_t *in, ddb_subst_t *s);
/* Parses the condition-like member of `in` (NULL *out when absent). */
int ddb_parse_member(rn_call_t *c, ddb_expr_t *e, ddb_subst_t *s, json_t *in, const char *member, ddb_node_t **out);
int ddb_parse_projection_member(rn_call_t *c, ddb_expr_t *e, ddb_subst_t *s, json_t *in, ddb_path_t **out, int *n);
/* The unused-names and unused-values check. */
int ddb_check_unused(rn_call_t *c, ddb_subst_t *s);
/* Fails the call when `in` mixes legacy and expression parameters (both
 * lists NULL-terminated, in AWS's order). */
int ddb_mixed(rn_call_t *c, json_t *in, const char *const *legacy, const char *const *expr);
/* Capacity units as DynamoDB charges them. */
double ddb_read_units(size_t bytes, int consistent);
double ddb_write_units(size_t bytes);
/* Sets c->out's ConsumedCapacity when the request asked for it. */
void ddb_add_consumed(rn_call_t *c, const char *table, double units, int read);
/* Index key attributes of item of the right type and not empty. */
int ddb_check_index_types(rn_call_t *c, const ddb_table_t *t, const json_t *item);
/* A projection may not reach into a key attribute. */
int ddb_projection_keys_check(rn_call_t *c, const ddb_table_t *t, const ddb_path_t *p, int n);
/* ItemCollectionMetrics when asked and the table has a local index. */
void ddb_add_collection_metrics(rn_call_t *c, const ddb_table_t *t, const json_t *item);
#endif
