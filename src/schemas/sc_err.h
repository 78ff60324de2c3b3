/* SPDX-License-Identifier: MIT
 * EventBridge Schemas' own errors (codes -4000...; REST-JSON, code ==
 * shape, sent in x-amzn-ErrorType), and how its endpoint answers a bad
 * signature or key. */
#ifndef RN_SC_ERR_H
#define RN_SC_ERR_H
#include "core/err.h"

/*     name                     query/SDK code                                         JSON shape                          status sender */
#define SC_ERR_TABLE(X) \
    X(BAD_REQUEST,             "BadRequestException",                                 "BadRequestException",               400, 1) \
    X(UNAUTHORIZED,            "UnauthorizedException",                               "UnauthorizedException",             401, 1) \
    X(FORBIDDEN,               "ForbiddenException",                                  "ForbiddenException",                403, 1) \
    X(NOT_FOUND,               "NotFoundException",                                   "NotFoundException",                 404, 1) \
    X(CONFLICT,                "ConflictException",                                   "ConflictException",                 409, 1) \
    X(GONE,                    "GoneException",                                       "GoneException",                     410, 1) \
    X(PRECONDITION_FAILED,     "PreconditionFailedException",                         "PreconditionFailedException",       412, 1) \
    X(TOO_MANY_REQUESTS,       "TooManyRequestsException",                            "TooManyRequestsException",          429, 1) \
    X(INTERNAL,                "InternalServerErrorException",                        "InternalServerErrorException",      500, 0) \
    X(UNAVAILABLE,             "ServiceUnavailableException",                         "ServiceUnavailableException",       503, 0) \
    X(INVALID_SIGNATURE,       "InvalidSignatureException",                           "InvalidSignatureException",         403, 1) \
    X(UNRECOGNIZED_CLIENT,     "UnrecognizedClientException",                         "UnrecognizedClientException",       403, 1) \
    X(INCOMPLETE_SIGNATURE,    "IncompleteSignatureException",                        "IncompleteSignatureException",      403, 1) \
    X(MISSING_AUTH,            "MissingAuthenticationTokenException",                 "MissingAuthenticationTokenException", 403, 1)

enum {
#define SC_ERR_ENUM(name, code, shape, status, sender) SC_ERR_##name,
    SC_ERR_FIRST_ = -4000,
    SC_ERR_TABLE(SC_ERR_ENUM)
    SC_ERR_LAST_
#undef SC_ERR_ENUM
};

/* The rows, for rn_err_register() and the service table. */
extern const rn_err_table_t sc_errors;
#endif
