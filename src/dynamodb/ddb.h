/* SPDX-License-Identifier: MIT
 * Amazon DynamoDB (DynamoDB_20120810, AWS JSON 1.0): tables, items in the
 * store's read path, the expression language, queries and scans, batches
 * and transactions. See docs/dynamodb.md. */
#ifndef RN_DDB_H
#define RN_DDB_H
#include "core/service.h"

/* The service table's entry (dynamodb/service.c). */
extern const rn_service_t ddb_service;
#endif
