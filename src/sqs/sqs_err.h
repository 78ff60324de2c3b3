/* SPDX-License-Identifier: MIT
 * Amazon SQS's own errors (codes -2000...). QUEUE_NOT_FOUND_BY_NAME is
 * GetQueueUrl's: the query protocol words the others differently. */
#ifndef RN_SQS_ERR_H
#define RN_SQS_ERR_H
#include "core/err.h"

/*     name                     query/SDK code                                         JSON shape                          status sender, query-protocol message */
#define SQS_ERR_TABLE(X) \
    X(INVALID_ATTRIBUTE_NAME,  "InvalidAttributeName",                                "InvalidAttributeName",              400, 1, NULL) \
    X(INVALID_ATTRIBUTE_VALUE, "InvalidAttributeValue",                               "InvalidAttributeValue",             400, 1, NULL) \
    X(QUEUE_NOT_FOUND,         "AWS.SimpleQueueService.NonExistentQueue",             "QueueDoesNotExist",                 400, 1, "The specified queue does not exist for this wsdl version.") \
    X(QUEUE_EXISTS,            "QueueAlreadyExists",                                  "QueueNameExists",                   400, 1, NULL) \
    X(QUEUE_DELETED_RECENTLY,  "AWS.SimpleQueueService.QueueDeletedRecently",         "QueueDeletedRecently",              400, 1, NULL) \
    X(PURGE_IN_PROGRESS,       "AWS.SimpleQueueService.PurgeQueueInProgress",         "PurgeQueueInProgress",              403, 1, NULL) \
    X(RECEIPT_INVALID,         "ReceiptHandleIsInvalid",                              "ReceiptHandleIsInvalid",            404, 1, NULL) \
    X(MESSAGE_NOT_INFLIGHT,    "AWS.SimpleQueueService.MessageNotInflight",           "MessageNotInflight",                400, 1, NULL) \
    X(INVALID_MESSAGE_CONTENTS, "InvalidMessageContents",                              "InvalidMessageContents",            400, 1, NULL) \
    X(BATCH_IDS_NOT_DISTINCT,  "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",     "BatchEntryIdsNotDistinct",          400, 1, NULL) \
    X(BATCH_TOO_LONG,          "AWS.SimpleQueueService.BatchRequestTooLong",          "BatchRequestTooLong",               400, 1, NULL) \
    X(EMPTY_BATCH,             "AWS.SimpleQueueService.EmptyBatchRequest",            "EmptyBatchRequest",                 400, 1, NULL) \
    X(INVALID_BATCH_ID,        "AWS.SimpleQueueService.InvalidBatchEntryId",          "InvalidBatchEntryId",               400, 1, NULL) \
    X(TOO_MANY_ENTRIES,        "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", "TooManyEntriesInBatchRequest",      400, 1, NULL) \
    X(OVER_LIMIT,              "OverLimit",                                           "OverLimit",                         403, 1, NULL) \
    X(UNSUPPORTED_OPERATION,   "AWS.SimpleQueueService.UnsupportedOperation",         "UnsupportedOperation",              400, 1, NULL) \
    X(INVALID_ID_FORMAT,       "InvalidIdFormat",                                     "InvalidIdFormat",                   400, 1, NULL) \
    X(RESOURCE_NOT_FOUND,      "ResourceNotFoundException",                           "ResourceNotFoundException",         404, 1, NULL) \
    X(QUEUE_NOT_FOUND_BY_NAME,  "AWS.SimpleQueueService.NonExistentQueue",             "QueueDoesNotExist",                400, 1, NULL)

enum {
#define SQS_ERR_ENUM(name, code, shape, status, sender, query_msg) SQS_ERR_##name,
    SQS_ERR_FIRST_ = -2000,
    SQS_ERR_TABLE(SQS_ERR_ENUM)
    SQS_ERR_LAST_
#undef SQS_ERR_ENUM
};

/* The rows, for rn_err_register() and the service table. */
extern const rn_err_table_t sqs_errors;
#endif
