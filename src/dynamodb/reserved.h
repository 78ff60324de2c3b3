/* SPDX-License-Identifier: MIT
 * DynamoDB's reserved words (reserved.c). */
#ifndef RN_DDB_RESERVED_H
#define RN_DDB_RESERVED_H
/* 1 when name (any case) is a reserved word. */
int ddb_reserved(const char *name);
#endif
