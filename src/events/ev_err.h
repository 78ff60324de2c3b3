/* SPDX-License-Identifier: MIT
 * EventBridge's own errors (codes -3000...), and how its JSON 1.1 endpoint
 * answers a bad signature or key (AWS JSON 1.1 has no query protocol, so each
 * code is its shape name). */
#ifndef RN_EV_ERR_H
#define RN_EV_ERR_H
#include "core/err.h"

/*     name                     query/SDK code                                         JSON shape                          status sender */
#define EV_ERR_TABLE(X) \
    X(NOT_FOUND,               "ResourceNotFoundException",                           "ResourceNotFoundException",         400, 1) \
    X(EXISTS,                  "ResourceAlreadyExistsException",                      "ResourceAlreadyExistsException",    400, 1) \
    X(LIMIT_EXCEEDED,          "LimitExceededException",                              "LimitExceededException",            400, 1) \
    X(ILLEGAL_STATUS,          "IllegalStatusException",                              "IllegalStatusException",            400, 1) \
    X(CONCURRENT_MOD,          "ConcurrentModificationException",                     "ConcurrentModificationException",   400, 1) \
    X(MANAGED_RULE,            "ManagedRuleException",                                "ManagedRuleException",              400, 1) \
    X(INTERNAL,                "InternalException",                                   "InternalException",                 500, 0) \
    X(INVALID_SIGNATURE,       "InvalidSignatureException",                           "InvalidSignatureException",         400, 1) \
    X(UNRECOGNIZED_CLIENT,     "UnrecognizedClientException",                         "UnrecognizedClientException",       400, 1) \
    X(INCOMPLETE_SIGNATURE,    "IncompleteSignatureException",                        "IncompleteSignatureException",      400, 1) \
    X(MISSING_AUTH,            "MissingAuthenticationTokenException",                 "MissingAuthenticationTokenException", 400, 1)

enum {
#define EV_ERR_ENUM(name, code, shape, status, sender) EV_ERR_##name,
    EV_ERR_FIRST_ = -3000,
    EV_ERR_TABLE(EV_ERR_ENUM)
    EV_ERR_LAST_
#undef EV_ERR_ENUM
};

/* The rows, for rn_err_register() and the service table. */
extern const rn_err_table_t ev_errors;
#endif
