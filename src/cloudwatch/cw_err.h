/* SPDX-License-Identifier: MIT
 * CloudWatch's own errors (codes -10000...). CloudWatch is query-compatible:
 * the query code travels in x-amzn-query-error on JSON and CBOR, the shape
 * (under com.amazonaws.cloudwatch#) in __type. */
#ifndef RN_CW_ERR_H
#define RN_CW_ERR_H
#include "core/err.h"

/*     name                     query/SDK code                   JSON shape                              status sender */
#define CW_ERR_TABLE(X) \
    X(INVALID_PARAMETER,        "InvalidParameterValue",         "InvalidParameterValueException",       400, 1) \
    X(INVALID_COMBINATION,      "InvalidParameterCombination",   "InvalidParameterCombinationException", 400, 1) \
    X(MISSING_PARAMETER,        "MissingParameter",              "MissingRequiredParameterException",    400, 1) \
    X(VALIDATION,               "ValidationError",               "ValidationException",                  400, 1) \
    X(NOT_FOUND,                "ResourceNotFound",              "ResourceNotFound",                     404, 1) \
    X(INVALID_NEXT_TOKEN,       "InvalidNextToken",              "InvalidNextToken",                     400, 1) \
    X(LIMIT_EXCEEDED,           "LimitExceeded",                 "LimitExceededFault",                   400, 1) \
    X(INVALID_FORMAT,           "InvalidFormat",                 "InvalidFormatFault",                   400, 1) \
    X(INTERNAL,                 "InternalServiceError",          "InternalServiceFault",                 500, 0)

enum {
#define CW_ERR_ENUM(name, code, shape, status, sender) CW_ERR_##name,
    CW_ERR_FIRST_ = -10000,
    CW_ERR_TABLE(CW_ERR_ENUM)
    CW_ERR_LAST_
#undef CW_ERR_ENUM
};

/* The rows, for rn_err_register() and the service table. */
extern const rn_err_table_t cw_errors;
#endif
