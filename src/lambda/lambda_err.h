/* SPDX-License-Identifier: MIT
 * AWS Lambda's own errors (codes -6000...; REST-JSON: the code goes in
 * x-amzn-ErrorType, the body is {"Type": "User"|"Service", "message"}), and
 * how its endpoint answers a bad signature or key. */
#ifndef RN_LAMBDA_ERR_H
#define RN_LAMBDA_ERR_H
#include "core/err.h"

/*     name                     code                                    JSON shape                              status sender */
#define LAMBDA_ERR_TABLE(X) \
    X(INVALID_PARAMETER,        "InvalidParameterValueException",       "InvalidParameterValueException",       400, 1) \
    X(VALIDATION,               "ValidationException",                  "ValidationException",                  400, 1) \
    X(NOT_FOUND,                "ResourceNotFoundException",            "ResourceNotFoundException",            404, 1) \
    X(CONFLICT,                 "ResourceConflictException",            "ResourceConflictException",            409, 1) \
    X(PRECONDITION,             "PreconditionFailedException",          "PreconditionFailedException",          412, 1) \
    X(TOO_LARGE,                "RequestEntityTooLargeException",       "RequestEntityTooLargeException",       413, 1) \
    X(BAD_CONTENT,              "InvalidRequestContentException",       "InvalidRequestContentException",       400, 1) \
    X(UNSUPPORTED_MEDIA,        "UnsupportedMediaTypeException",        "UnsupportedMediaTypeException",        415, 1) \
    X(TOO_MANY_REQUESTS,        "TooManyRequestsException",             "TooManyRequestsException",             429, 1) \
    X(CODE_STORAGE,             "CodeStorageExceededException",         "CodeStorageExceededException",         400, 1) \
    X(NOT_READY,                "ResourceNotReadyException",            "ResourceNotReadyException",            502, 0) \
    X(SERVICE,                  "ServiceException",                     "ServiceException",                     500, 0) \
    X(INVALID_SIGNATURE,        "InvalidSignatureException",            "InvalidSignatureException",            403, 1) \
    X(UNRECOGNIZED_CLIENT,      "UnrecognizedClientException",          "UnrecognizedClientException",          403, 1) \
    X(INCOMPLETE_SIGNATURE,     "IncompleteSignatureException",         "IncompleteSignatureException",         403, 1) \
    X(MISSING_AUTH,             "MissingAuthenticationTokenException",  "MissingAuthenticationTokenException",  403, 1)

enum {
#define LAMBDA_ERR_ENUM(name, code, shape, status, sender) LAMBDA_ERR_##name,
    LAMBDA_ERR_FIRST_ = -6000,
    LAMBDA_ERR_TABLE(LAMBDA_ERR_ENUM)
    LAMBDA_ERR_LAST_
#undef LAMBDA_ERR_ENUM
};

/* The rows, for rn_err_register() and the service table. */
extern const rn_err_table_t lambda_errors;
#endif
