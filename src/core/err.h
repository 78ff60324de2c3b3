/* SPDX-License-Identifier: MIT
 * The one error table. Every failing function returns one of these negative
 * codes; the protocol layer maps each to the AWS error code that query-protocol
 * clients and the x-amzn-query-error header carry, the JSON `__type` shape name,
 * the HTTP status and whether the fault is the sender's. */
#ifndef RN_ERR_H
#define RN_ERR_H

/*     name                     query/SDK code                                         JSON shape                          status sender */
#define RN_ERR_TABLE(X) \
    X(NOMEM,                    "InternalFailure",                                     "InternalFailure",                  500, 0) \
    X(INTERNAL,                 "InternalFailure",                                     "InternalFailure",                  500, 0) \
    X(UNAVAILABLE,              "ServiceUnavailable",                                  "ServiceUnavailable",               503, 0) \
    X(INVALID_ACTION,           "InvalidAction",                                       "com.amazon.coral.service#UnknownOperationException", 400, 1) \
    X(UNKNOWN_OPERATION,        "UnknownOperationException",                           "UnknownOperationException",        400, 1) \
    X(MISSING_PARAMETER,        "MissingParameter",                                    "com.amazon.coral.service#MissingRequiredParameterException", 400, 1) \
    X(INVALID_PARAMETER,        "InvalidParameterValue",                               "com.amazon.coral.service#InvalidParameterValueException", 400, 1) \
    X(INVALID_PARAMETER_COMBO,  "InvalidParameterCombination",                         "InvalidParameterCombination",      400, 1) \
    X(SERIALIZATION,            "MalformedInput",                                      "com.amazon.coral.service#SerializationException", 400, 1) \
    X(MALFORMED_QUERY,          "MalformedQueryString",                                "MalformedQueryString",             400, 1) \
    X(INVALID_ATTRIBUTE_NAME,   "InvalidAttributeName",                                "InvalidAttributeName",             400, 1) \
    X(INVALID_ATTRIBUTE_VALUE,  "InvalidAttributeValue",                               "InvalidAttributeValue",            400, 1) \
    X(QUEUE_NOT_FOUND,          "AWS.SimpleQueueService.NonExistentQueue",             "QueueDoesNotExist",                400, 1) \
    X(QUEUE_EXISTS,             "QueueAlreadyExists",                                  "QueueNameExists",                  400, 1) \
    X(QUEUE_DELETED_RECENTLY,   "AWS.SimpleQueueService.QueueDeletedRecently",         "QueueDeletedRecently",             400, 1) \
    X(PURGE_IN_PROGRESS,        "AWS.SimpleQueueService.PurgeQueueInProgress",         "PurgeQueueInProgress",             403, 1) \
    X(RECEIPT_INVALID,          "ReceiptHandleIsInvalid",                              "ReceiptHandleIsInvalid",           404, 1) \
    X(MESSAGE_NOT_INFLIGHT,     "AWS.SimpleQueueService.MessageNotInflight",           "MessageNotInflight",               400, 1) \
    X(INVALID_MESSAGE_CONTENTS, "InvalidMessageContents",                              "InvalidMessageContents",           400, 1) \
    X(BATCH_IDS_NOT_DISTINCT,   "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",     "BatchEntryIdsNotDistinct",         400, 1) \
    X(BATCH_TOO_LONG,           "AWS.SimpleQueueService.BatchRequestTooLong",          "BatchRequestTooLong",              400, 1) \
    X(EMPTY_BATCH,              "AWS.SimpleQueueService.EmptyBatchRequest",            "EmptyBatchRequest",                400, 1) \
    X(INVALID_BATCH_ID,         "AWS.SimpleQueueService.InvalidBatchEntryId",          "InvalidBatchEntryId",              400, 1) \
    X(TOO_MANY_ENTRIES,         "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", "TooManyEntriesInBatchRequest",     400, 1) \
    X(OVER_LIMIT,               "OverLimit",                                           "OverLimit",                        403, 1) \
    X(UNSUPPORTED_OPERATION,    "AWS.SimpleQueueService.UnsupportedOperation",         "UnsupportedOperation",             400, 1) \
    X(INVALID_ID_FORMAT,        "InvalidIdFormat",                                     "InvalidIdFormat",                  400, 1) \
    X(RESOURCE_NOT_FOUND,       "ResourceNotFoundException",                           "ResourceNotFoundException",        404, 1) \
    X(INVALID_SECURITY,         "InvalidSecurity",                                     "InvalidSecurity",                  403, 1) \
    X(REQUEST_THROTTLED,        "RequestThrottled",                                    "RequestThrottled",                 403, 1) \
    X(SIGNATURE_MISMATCH,       "SignatureDoesNotMatch",                               "com.amazon.coral.service#SignatureDoesNotMatchException", 403, 1) \
    X(INVALID_CLIENT_TOKEN,     "InvalidClientTokenId",                                "com.amazon.coral.service#InvalidClientTokenIdException", 403, 1) \
    X(INCOMPLETE_SIGNATURE,     "IncompleteSignature",                                 "com.amazon.coral.service#IncompleteSignatureException", 400, 1) \
    X(REQUEST_EXPIRED,          "RequestExpired",                                      "com.amazon.coral.service#RequestExpiredException", 400, 1) \
    X(MISSING_AUTH,             "MissingAuthenticationToken",                          "com.amazon.coral.service#MissingAuthenticationTokenException", 403, 1) \
    X(ACCESS_DENIED,            "AccessDenied",                                        "com.amazon.coral.service#AccessDeniedException", 403, 1) \
    X(NOT_FOUND,                "NotFound",                                            "NotFound",                         404, 1) \
    X(METHOD_NOT_ALLOWED,       "MethodNotAllowed",                                    "MethodNotAllowed",                 405, 1) \
    X(INVALID_ADDRESS,          "InvalidAddress",                                      "InvalidAddress",                   404, 1) \
    X(MISSING_ACTION,           "MissingAction",                                       "MissingAction",                    400, 1) \
    X(REQUEST_TOO_LARGE,        "RequestEntityTooLarge",                               "RequestEntityTooLarge",            413, 1) \
    /* EventBridge (AWS JSON 1.1; no query protocol, so code == shape) */ \
    X(EV_VALIDATION,            "ValidationException",                                 "ValidationException",              400, 1) \
    X(EV_INVALID_PATTERN,       "InvalidEventPatternException",                        "InvalidEventPatternException",     400, 1) \
    X(EV_NOT_FOUND,             "ResourceNotFoundException",                           "ResourceNotFoundException",        400, 1) \
    X(EV_EXISTS,                "ResourceAlreadyExistsException",                      "ResourceAlreadyExistsException",   400, 1) \
    X(EV_LIMIT_EXCEEDED,        "LimitExceededException",                              "LimitExceededException",           400, 1) \
    X(EV_ILLEGAL_STATUS,        "IllegalStatusException",                              "IllegalStatusException",           400, 1) \
    X(EV_CONCURRENT_MOD,        "ConcurrentModificationException",                     "ConcurrentModificationException",  400, 1) \
    X(EV_MANAGED_RULE,          "ManagedRuleException",                                "ManagedRuleException",             400, 1) \
    X(EV_INTERNAL,              "InternalException",                                   "InternalException",                500, 0) \
    /* ... and how its JSON 1.1 endpoint answers a bad signature or key */ \
    X(EV_INVALID_SIGNATURE,     "InvalidSignatureException",                           "InvalidSignatureException",        400, 1) \
    X(EV_UNRECOGNIZED_CLIENT,   "UnrecognizedClientException",                         "UnrecognizedClientException",      400, 1) \
    X(EV_INCOMPLETE_SIGNATURE,  "IncompleteSignatureException",                        "IncompleteSignatureException",     400, 1) \
    X(EV_MISSING_AUTH,          "MissingAuthenticationTokenException",                 "MissingAuthenticationTokenException", 400, 1) \
    /* EventBridge Schemas (REST-JSON; code == shape, sent in x-amzn-ErrorType) */ \
    X(SC_BAD_REQUEST,           "BadRequestException",                                 "BadRequestException",              400, 1) \
    X(SC_UNAUTHORIZED,          "UnauthorizedException",                               "UnauthorizedException",            401, 1) \
    X(SC_FORBIDDEN,             "ForbiddenException",                                  "ForbiddenException",               403, 1) \
    X(SC_NOT_FOUND,             "NotFoundException",                                   "NotFoundException",                404, 1) \
    X(SC_CONFLICT,              "ConflictException",                                   "ConflictException",                409, 1) \
    X(SC_GONE,                  "GoneException",                                       "GoneException",                    410, 1) \
    X(SC_PRECONDITION_FAILED,   "PreconditionFailedException",                         "PreconditionFailedException",      412, 1) \
    X(SC_TOO_MANY_REQUESTS,     "TooManyRequestsException",                            "TooManyRequestsException",         429, 1) \
    X(SC_INTERNAL,              "InternalServerErrorException",                        "InternalServerErrorException",     500, 0) \
    X(SC_UNAVAILABLE,           "ServiceUnavailableException",                         "ServiceUnavailableException",      503, 0) \
    /* ... and how its REST endpoint answers a bad signature or key */ \
    X(SC_INVALID_SIGNATURE,     "InvalidSignatureException",                           "InvalidSignatureException",        403, 1) \
    X(SC_UNRECOGNIZED_CLIENT,   "UnrecognizedClientException",                         "UnrecognizedClientException",      403, 1) \
    X(SC_INCOMPLETE_SIGNATURE,  "IncompleteSignatureException",                        "IncompleteSignatureException",     403, 1) \
    X(SC_MISSING_AUTH,          "MissingAuthenticationTokenException",                 "MissingAuthenticationTokenException", 403, 1)

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
    const char *code;   /* query-protocol code, also sent in x-amzn-query-error */
    const char *shape;  /* JSON protocol `__type` shape name */
    int status;         /* HTTP status */
    int sender;         /* 1 = Sender fault, 0 = Receiver */
} rn_err_info_t;

/* Looks up the table row for a negative error. Borrowed; static storage.
 * Unknown values map to InternalFailure. */
const rn_err_info_t *rn_err_info(int err);
#endif
