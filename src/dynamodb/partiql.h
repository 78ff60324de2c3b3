/* SPDX-License-Identifier: MIT
 * PartiQL for DynamoDB: a statement translated into the item operation it
 * stands for (partiql.c), and the three operations that run statements
 * (partiql_exec.c). */
#ifndef RN_DDB_PARTIQL_H
#define RN_DDB_PARTIQL_H
#include <jansson.h>

#include "core/call.h"

typedef struct ddb ddb_t;

enum { DDB_PQ_SELECT, DDB_PQ_INSERT, DDB_PQ_UPDATE, DDB_PQ_DELETE };

typedef struct ddb_pq_plan {
    const char *op; /* "Query", "Scan", "PutItem", "UpdateItem", "DeleteItem" (static) */
    int kind;       /* DDB_PQ_* */
    json_t *in;     /* owned: that operation's request */
    json_t *key;    /* owned, SELECT: the whole primary key when the WHERE gives it with = (on the table), else NULL */
    int extra;      /* SELECT: the WHERE says more than the key */
} ddb_pq_plan_t;

/* Translates stmt with its Parameters (an array, may be NULL): 0 with
 * *plan, or DDB_ERR_VALIDATION with AWS's message in msg. */
int ddb_pq_plan(ddb_t *d, const char *stmt, json_t *params, ddb_pq_plan_t *plan, char *msg, size_t len);

int ddb_execute_statement(ddb_t *d, rn_call_t *c);
int ddb_batch_execute_statement(ddb_t *d, rn_call_t *c);
int ddb_execute_transaction(ddb_t *d, rn_call_t *c);
#endif
