/* SPDX-License-Identifier: MIT
 * Amazon SNS's own errors (codes -12000...), as its query protocol names
 * them (the model's error codes). */
#ifndef RN_SNS_ERR_H
#define RN_SNS_ERR_H
#include "core/err.h"

/*     name                     query/SDK code                  JSON shape                              status sender */
#define SNS_ERR_TABLE(X) \
    X(INVALID_PARAMETER,       "InvalidParameter",             "InvalidParameterException",            400, 1) \
    X(PARAMETER_VALUE_INVALID, "ParameterValueInvalid",        "InvalidParameterValueException",       400, 1) \
    X(NOT_FOUND,               "NotFound",                     "NotFoundException",                    404, 1) \
    X(RESOURCE_NOT_FOUND,      "ResourceNotFound",             "ResourceNotFoundException",            404, 1) \
    X(AUTHORIZATION,           "AuthorizationError",           "AuthorizationErrorException",          403, 1) \
    X(INTERNAL,                "InternalError",                "InternalErrorException",               500, 0) \
    X(TOPIC_LIMIT,             "TopicLimitExceeded",           "TopicLimitExceededException",          403, 1) \
    X(SUBSCRIPTION_LIMIT,      "SubscriptionLimitExceeded",    "SubscriptionLimitExceededException",   403, 1) \
    X(FILTER_POLICY_LIMIT,     "FilterPolicyLimitExceeded",    "FilterPolicyLimitExceededException",   403, 1) \
    X(TAG_LIMIT,               "TagLimitExceeded",             "TagLimitExceededException",            400, 1) \
    X(BATCH_IDS_NOT_DISTINCT,  "BatchEntryIdsNotDistinct",     "BatchEntryIdsNotDistinctException",    400, 1) \
    X(BATCH_TOO_LONG,          "BatchRequestTooLong",          "BatchRequestTooLongException",         400, 1) \
    X(EMPTY_BATCH,             "EmptyBatchRequest",            "EmptyBatchRequestException",           400, 1) \
    X(INVALID_BATCH_ID,        "InvalidBatchEntryId",          "InvalidBatchEntryIdException",         400, 1) \
    X(TOO_MANY_ENTRIES,        "TooManyEntriesInBatchRequest", "TooManyEntriesInBatchRequestException", 400, 1) \
    X(VALIDATION,              "ValidationException",          "ValidationException",                  400, 1) \
    X(VALIDATION_ERROR,        "ValidationError",              "ValidationException",                  400, 1)

enum {
#define SNS_ERR_ENUM(name, code, shape, status, sender) SNS_ERR_##name,
    SNS_ERR_FIRST_ = -12000,
    SNS_ERR_TABLE(SNS_ERR_ENUM)
    SNS_ERR_LAST_
#undef SNS_ERR_ENUM
};

/* The rows, for the service table. */
extern const rn_err_table_t sns_errors;
#endif
