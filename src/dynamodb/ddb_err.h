/* SPDX-License-Identifier: MIT
 * DynamoDB's own errors (codes -8000...). AWS JSON 1.0; `__type` carries the
 * full shape id, as DynamoDB sends it (ValidationException is coral's). */
#ifndef RN_DDB_ERR_H
#define RN_DDB_ERR_H
#include "core/err.h"

#define DDB_NS "com.amazonaws.dynamodb.v20120810#"
/*     name                  code                                      JSON shape                                              status sender */
#define DDB_ERR_TABLE(X) \
    X(VALIDATION,            "ValidationException",                    "com.amazon.coral.validate#ValidationException",        400, 1) \
    X(NOT_FOUND,             "ResourceNotFoundException",              DDB_NS "ResourceNotFoundException",                     400, 1) \
    X(IN_USE,                "ResourceInUseException",                 DDB_NS "ResourceInUseException",                        400, 1) \
    X(CONDITION_FAILED,      "ConditionalCheckFailedException",        DDB_NS "ConditionalCheckFailedException",               400, 1) \
    X(TXN_CANCELED,          "TransactionCanceledException",           DDB_NS "TransactionCanceledException",                  400, 1) \
    X(TXN_CONFLICT,          "TransactionConflictException",           DDB_NS "TransactionConflictException",                  400, 1) \
    X(IDEMPOTENT_MISMATCH,   "IdempotentParameterMismatchException",   DDB_NS "IdempotentParameterMismatchException",          400, 1) \
    X(LIMIT_EXCEEDED,        "LimitExceededException",                 DDB_NS "LimitExceededException",                        400, 1) \
    X(DUPLICATE_ITEM,        "DuplicateItemException",                 DDB_NS "DuplicateItemException",                        400, 1) \
    X(INTERNAL,              "InternalServerError",                    DDB_NS "InternalServerError",                           500, 0)

enum {
#define DDB_ERR_ENUM(name, code, shape, status, sender) DDB_ERR_##name,
    DDB_ERR_FIRST_ = -8000,
    DDB_ERR_TABLE(DDB_ERR_ENUM)
    DDB_ERR_LAST_
#undef DDB_ERR_ENUM
};

/* The rows, for the service table. */
extern const rn_err_table_t ddb_errors;
#endif
