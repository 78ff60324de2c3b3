/* SPDX-License-Identifier: MIT
 * Errors. Every failing function returns a negative code; a code's row gives
 * the AWS error code that query-protocol clients and the x-amzn-query-error
 * header carry, the JSON `__type` shape name, the HTTP status and whether the
 * fault is the sender's. core/ holds the mechanism and the rows every service
 * shares (bad input, authentication, out of memory); each service owns its
 * own rows in its own range of codes and registers them at start
 * (rn_err_register), and the protocol layer renders whichever row a code
 * names. */
#ifndef RN_ERR_H
#define RN_ERR_H
#include <stddef.h>

/*     name                     query/SDK code                                         JSON shape                          status sender */
#define RN_ERR_TABLE(X) \
    X(NOMEM,                   "InternalFailure",                                     "InternalFailure",                   500, 0) \
    X(INTERNAL,                "InternalFailure",                                     "InternalFailure",                   500, 0) \
    X(UNAVAILABLE,             "ServiceUnavailable",                                  "ServiceUnavailable",                503, 0) \
    X(INVALID_ACTION,          "InvalidAction",                                       "com.amazon.coral.service#UnknownOperationException", 400, 1) \
    X(UNKNOWN_OPERATION,       "UnknownOperationException",                           "UnknownOperationException",         400, 1) \
    X(MISSING_PARAMETER,       "MissingParameter",                                    "com.amazon.coral.service#MissingRequiredParameterException", 400, 1) \
    X(INVALID_PARAMETER,       "InvalidParameterValue",                               "com.amazon.coral.service#InvalidParameterValueException", 400, 1) \
    X(INVALID_PARAMETER_COMBO, "InvalidParameterCombination",                         "InvalidParameterCombination",       400, 1) \
    X(SERIALIZATION,           "MalformedInput",                                      "com.amazon.coral.service#SerializationException", 400, 1) \
    X(MALFORMED_QUERY,         "MalformedQueryString",                                "MalformedQueryString",              400, 1) \
    X(INVALID_SECURITY,        "InvalidSecurity",                                     "InvalidSecurity",                   403, 1) \
    X(REQUEST_THROTTLED,       "RequestThrottled",                                    "RequestThrottled",                  403, 1) \
    X(SIGNATURE_MISMATCH,      "SignatureDoesNotMatch",                               "com.amazon.coral.service#SignatureDoesNotMatchException", 403, 1) \
    X(INVALID_CLIENT_TOKEN,    "InvalidClientTokenId",                                "com.amazon.coral.service#InvalidClientTokenIdException", 403, 1) \
    X(INCOMPLETE_SIGNATURE,    "IncompleteSignature",                                 "com.amazon.coral.service#IncompleteSignatureException", 400, 1) \
    X(REQUEST_EXPIRED,         "RequestExpired",                                      "com.amazon.coral.service#RequestExpiredException", 400, 1) \
    X(MISSING_AUTH,            "MissingAuthenticationToken",                          "com.amazon.coral.service#MissingAuthenticationTokenException", 403, 1) \
    X(EXPIRED_TOKEN,           "ExpiredToken",                                        "com.amazon.coral.service#ExpiredTokenException", 403, 1) \
    X(ACCESS_DENIED,           "AccessDenied",                                        "com.amazon.coral.service#AccessDeniedException", 403, 1) \
    X(NOT_FOUND,               "NotFound",                                            "NotFound",                          404, 1) \
    X(METHOD_NOT_ALLOWED,      "MethodNotAllowed",                                    "MethodNotAllowed",                  405, 1) \
    X(INVALID_ADDRESS,         "InvalidAddress",                                      "InvalidAddress",                    404, 1) \
    X(MISSING_ACTION,          "MissingAction",                                       "MissingAction",                     400, 1) \
    X(REQUEST_TOO_LARGE,       "RequestEntityTooLarge",                               "RequestEntityTooLarge",             413, 1) \
    X(VALIDATION,              "ValidationException",                                 "ValidationException",               400, 1) \
    X(INVALID_PATTERN,         "InvalidEventPatternException",                        "InvalidEventPatternException",      400, 1)

enum {
    RN_OK = 0,
    RN_PENDING = 1, /* not an error: the operation completes later */
#define RN_ERR_ENUM(name, code, shape, status, sender) RN_ERR_##name,
    RN_ERR_FIRST_ = -1000,
    RN_ERR_TABLE(RN_ERR_ENUM)
    RN_ERR_LAST_
#undef RN_ERR_ENUM
};

typedef struct rn_err_info {
    const char *code;      /* query-protocol code, also sent in x-amzn-query-error */
    const char *shape;     /* JSON protocol `__type` shape name */
    int status;            /* HTTP status */
    int sender;            /* 1 = Sender fault, 0 = Receiver */
    const char *query_msg; /* NULL, or the message the query protocol sends
                            * in place of the call's own */
} rn_err_info_t;

/* A service's rows: codes first+0 .. first+n-1 (negative, in a range of 1000
 * no other table uses; services take -2000, -3000, ...). */
typedef struct rn_err_table {
    int first;
    size_t n;
    const rn_err_info_t *rows;
} rn_err_table_t;

/* One row of a service's X-macro table, for building its rows array. */
#define RN_ERR_ROW(name, code, shape, status, sender) {code, shape, status, sender, NULL},

/* How an endpoint words a failed signature check: the row it answers each
 * shared one with (0: the shared row itself). */
typedef struct rn_auth_rows {
    int mismatch;    /* RN_ERR_SIGNATURE_MISMATCH */
    int expired;     /* RN_ERR_REQUEST_EXPIRED */
    int unknown_key; /* RN_ERR_INVALID_CLIENT_TOKEN */
    int incomplete;  /* RN_ERR_INCOMPLETE_SIGNATURE */
    int missing;     /* RN_ERR_MISSING_AUTH */
} rn_auth_rows_t;

/* err in the words of rows (NULL: unchanged). */
int rn_err_auth(const rn_auth_rows_t *rows, int err);

/* Adds a service's rows (borrowed; static storage). Registering the same table
 * again does nothing. Call from the loop before serving. Returns 0, or -1 when
 * the registry (32 tables) is full or the table's codes overlap another's. */
int rn_err_register(const rn_err_table_t *t);

/* Looks up the row for a negative error. Borrowed; static storage. Unknown
 * values map to InternalFailure. */
const rn_err_info_t *rn_err_info(int err);
#endif
