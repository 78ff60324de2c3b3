/* SPDX-License-Identifier: MIT
 * AWS CloudFormation's own errors (codes -13000...), as its model names them. */
#ifndef RN_CFN_ERR_H
#define RN_CFN_ERR_H
#include "core/err.h"

/*     name                    query/SDK code                       JSON shape                           status sender */
#define CFN_ERR_TABLE(X) \
    X(VALIDATION,              "ValidationError",                   "ValidationError",                   400, 1) \
    X(ALREADY_EXISTS,          "AlreadyExistsException",            "AlreadyExistsException",            400, 1) \
    X(CAPABILITIES,            "InsufficientCapabilitiesException", "InsufficientCapabilitiesException", 400, 1) \
    X(CHANGE_SET_NOT_FOUND,    "ChangeSetNotFound",                 "ChangeSetNotFoundException",        404, 1) \
    X(CHANGE_SET_STATUS,       "InvalidChangeSetStatus",            "InvalidChangeSetStatusException",   400, 1) \
    X(LIMIT_EXCEEDED,          "LimitExceededException",            "LimitExceededException",            400, 1) \
    X(TOKEN_EXISTS,            "TokenAlreadyExistsException",       "TokenAlreadyExistsException",       400, 1)

enum {
#define CFN_ERR_ENUM(name, code, shape, status, sender) CFN_ERR_##name,
    CFN_ERR_FIRST_ = -13000,
    CFN_ERR_TABLE(CFN_ERR_ENUM)
    CFN_ERR_LAST_
#undef CFN_ERR_ENUM
};
#endif
