/* SPDX-License-Identifier: MIT
 * CloudWatch Logs' own errors (codes -7000...; AWS JSON 1.1, the bare shape
 * in __type). */
#ifndef RN_LOGS_ERR_H
#define RN_LOGS_ERR_H
#include "core/err.h"

/*     name                     code                                JSON shape                          status sender */
#define LOGS_ERR_TABLE(X) \
    X(INVALID_PARAMETER,        "InvalidParameterException",        "InvalidParameterException",        400, 1) \
    X(NOT_FOUND,                "ResourceNotFoundException",        "ResourceNotFoundException",        400, 1) \
    X(ALREADY_EXISTS,           "ResourceAlreadyExistsException",   "ResourceAlreadyExistsException",   400, 1) \
    X(LIMIT_EXCEEDED,           "LimitExceededException",           "LimitExceededException",           400, 1) \
    X(VALIDATION,               "ValidationException",              "ValidationException",              400, 1) \
    X(UNAVAILABLE,              "ServiceUnavailableException",      "ServiceUnavailableException",      500, 0)

enum {
#define LOGS_ERR_ENUM(name, code, shape, status, sender) LOGS_ERR_##name,
    LOGS_ERR_FIRST_ = -7000,
    LOGS_ERR_TABLE(LOGS_ERR_ENUM)
    LOGS_ERR_LAST_
#undef LOGS_ERR_ENUM
};

/* The rows, for rn_err_register() and the service table. */
extern const rn_err_table_t logs_errors;
#endif
