/* SPDX-License-Identifier: MIT
 * Amazon SQS's API (2012-11-05) as one protocol-neutral description: every
 * operation's input and output members with their JSON names and their query
 * wire names (the model's locationName: `Attribute` for Attributes,
 * `QueueUrl` for a QueueUrls element, ...). It follows botocore's last
 * query-protocol SQS model (2023-11) plus ReceiveMessage's
 * MessageSystemAttributeNames from the JSON model. Every list and map is
 * flattened on the query wire. */
#include "sqs/sqs.h"

#include <stddef.h>

#define MEMBER RN_MEMBER
#define RENAMED RN_RENAMED
#define END RN_END

static const rn_shape_t S_STR = {RN_T_STR}, S_INT = {RN_T_INT}, S_LONG = {RN_T_LONG}, S_BOOL = {RN_T_BOOL}, S_BLOB = {RN_T_BLOB};
static const rn_shape_t L_STR = {RN_T_LIST, .elem = &S_STR, .flat = 1}, L_BLOB = {RN_T_LIST, .elem = &S_BLOB, .flat = 1};
/* QueueAttributeMap and MessageSystemAttributeMap */
static const rn_shape_t M_ATTR = {RN_T_MAP, .elem = &S_STR, .key = "Name", .value = "Value", .flat = 1};
static const rn_shape_t M_TAG = {RN_T_MAP, .elem = &S_STR, .key = "Key", .value = "Value", .flat = 1};

/* MessageAttributeValue; MessageSystemAttributeValue has the same members */
static const rn_member_t attr_value_m[] = {
    MEMBER("StringValue", S_STR),
    MEMBER("BinaryValue", S_BLOB),
    RENAMED("StringListValues", "StringListValue", L_STR),
    RENAMED("BinaryListValues", "BinaryListValue", L_BLOB),
    MEMBER("DataType", S_STR),
    END,
};
static const rn_shape_t T_ATTR_VALUE = {RN_T_STRUCT, attr_value_m};
static const rn_shape_t M_MSGATTR = {RN_T_MAP, .elem = &T_ATTR_VALUE, .key = "Name", .value = "Value", .flat = 1};

static const rn_member_t add_permission_in[] = {
    MEMBER("QueueUrl", S_STR),
    MEMBER("Label", S_STR),
    RENAMED("AWSAccountIds", "AWSAccountId", L_STR),
    RENAMED("Actions", "ActionName", L_STR),
    END,
};
static const rn_member_t cancel_move_in[] = {MEMBER("TaskHandle", S_STR), END};
static const rn_member_t cancel_move_out[] = {MEMBER("ApproximateNumberOfMessagesMoved", S_LONG), END};
static const rn_member_t change_vis_in[] = {
    MEMBER("QueueUrl", S_STR),
    MEMBER("ReceiptHandle", S_STR),
    MEMBER("VisibilityTimeout", S_INT),
    END,
};
static const rn_member_t change_vis_entry_m[] = {
    MEMBER("Id", S_STR),
    MEMBER("ReceiptHandle", S_STR),
    MEMBER("VisibilityTimeout", S_INT),
    END,
};
static const rn_shape_t T_CHANGE_VIS_ENTRY = {RN_T_STRUCT, change_vis_entry_m};
static const rn_shape_t L_CHANGE_VIS_ENTRY = {RN_T_LIST, .elem = &T_CHANGE_VIS_ENTRY, .flat = 1};
static const rn_member_t change_vis_batch_in[] = {
    MEMBER("QueueUrl", S_STR),
    RENAMED("Entries", "ChangeMessageVisibilityBatchRequestEntry", L_CHANGE_VIS_ENTRY),
    END,
};
/* ChangeMessageVisibilityBatchResultEntry and DeleteMessageBatchResultEntry */
static const rn_member_t id_only_m[] = {MEMBER("Id", S_STR), END};
static const rn_shape_t T_ID_ONLY = {RN_T_STRUCT, id_only_m};
static const rn_shape_t L_ID_ONLY = {RN_T_LIST, .elem = &T_ID_ONLY, .flat = 1};
static const rn_member_t batch_error_m[] = {
    MEMBER("Id", S_STR),
    MEMBER("SenderFault", S_BOOL),
    MEMBER("Code", S_STR),
    MEMBER("Message", S_STR),
    END,
};
static const rn_shape_t T_BATCH_ERROR = {RN_T_STRUCT, batch_error_m};
static const rn_shape_t L_BATCH_ERROR = {RN_T_LIST, .elem = &T_BATCH_ERROR, .flat = 1};
static const rn_member_t change_vis_batch_out[] = {
    RENAMED("Successful", "ChangeMessageVisibilityBatchResultEntry", L_ID_ONLY),
    RENAMED("Failed", "BatchResultErrorEntry", L_BATCH_ERROR),
    END,
};
static const rn_member_t create_queue_in[] = {
    MEMBER("QueueName", S_STR),
    RENAMED("Attributes", "Attribute", M_ATTR),
    RENAMED("tags", "Tag", M_TAG),
    END,
};
static const rn_member_t queue_url_only[] = {MEMBER("QueueUrl", S_STR), END};
static const rn_member_t delete_message_in[] = {MEMBER("QueueUrl", S_STR), MEMBER("ReceiptHandle", S_STR), END};
static const rn_member_t delete_entry_m[] = {MEMBER("Id", S_STR), MEMBER("ReceiptHandle", S_STR), END};
static const rn_shape_t T_DELETE_ENTRY = {RN_T_STRUCT, delete_entry_m};
static const rn_shape_t L_DELETE_ENTRY = {RN_T_LIST, .elem = &T_DELETE_ENTRY, .flat = 1};
static const rn_member_t delete_batch_in[] = {
    MEMBER("QueueUrl", S_STR),
    RENAMED("Entries", "DeleteMessageBatchRequestEntry", L_DELETE_ENTRY),
    END,
};
static const rn_member_t delete_batch_out[] = {
    RENAMED("Successful", "DeleteMessageBatchResultEntry", L_ID_ONLY),
    RENAMED("Failed", "BatchResultErrorEntry", L_BATCH_ERROR),
    END,
};
static const rn_member_t get_attrs_in[] = {
    MEMBER("QueueUrl", S_STR),
    RENAMED("AttributeNames", "AttributeName", L_STR),
    END,
};
static const rn_member_t attrs_out[] = {RENAMED("Attributes", "Attribute", M_ATTR), END};
static const rn_member_t get_url_in[] = {MEMBER("QueueName", S_STR), MEMBER("QueueOwnerAWSAccountId", S_STR), END};
static const rn_member_t list_dlq_in[] = {
    MEMBER("QueueUrl", S_STR),
    MEMBER("NextToken", S_STR),
    MEMBER("MaxResults", S_INT),
    END,
};
static const rn_member_t list_dlq_out[] = {
    RENAMED("queueUrls", "QueueUrl", L_STR),
    MEMBER("NextToken", S_STR),
    END,
};
static const rn_member_t list_moves_in[] = {MEMBER("SourceArn", S_STR), MEMBER("MaxResults", S_INT), END};
static const rn_member_t move_task_m[] = {
    MEMBER("TaskHandle", S_STR),
    MEMBER("Status", S_STR),
    MEMBER("SourceArn", S_STR),
    MEMBER("DestinationArn", S_STR),
    MEMBER("MaxNumberOfMessagesPerSecond", S_INT),
    MEMBER("ApproximateNumberOfMessagesMoved", S_LONG),
    MEMBER("ApproximateNumberOfMessagesToMove", S_LONG),
    MEMBER("FailureReason", S_STR),
    MEMBER("StartedTimestamp", S_LONG),
    END,
};
static const rn_shape_t T_MOVE_TASK = {RN_T_STRUCT, move_task_m};
static const rn_shape_t L_MOVE_TASK = {RN_T_LIST, .elem = &T_MOVE_TASK, .flat = 1};
static const rn_member_t list_moves_out[] = {RENAMED("Results", "ListMessageMoveTasksResultEntry", L_MOVE_TASK), END};
static const rn_member_t tags_out[] = {RENAMED("Tags", "Tag", M_TAG), END};
static const rn_member_t list_queues_in[] = {
    MEMBER("QueueNamePrefix", S_STR),
    MEMBER("NextToken", S_STR),
    MEMBER("MaxResults", S_INT),
    END,
};
static const rn_member_t list_queues_out[] = {
    RENAMED("QueueUrls", "QueueUrl", L_STR),
    MEMBER("NextToken", S_STR),
    END,
};
static const rn_member_t receive_in[] = {
    MEMBER("QueueUrl", S_STR),
    RENAMED("AttributeNames", "AttributeName", L_STR),
    RENAMED("MessageSystemAttributeNames", "MessageSystemAttributeName", L_STR),
    RENAMED("MessageAttributeNames", "MessageAttributeName", L_STR),
    MEMBER("MaxNumberOfMessages", S_INT),
    MEMBER("VisibilityTimeout", S_INT),
    MEMBER("WaitTimeSeconds", S_INT),
    MEMBER("ReceiveRequestAttemptId", S_STR),
    END,
};
static const rn_member_t message_m[] = {
    MEMBER("MessageId", S_STR),
    MEMBER("ReceiptHandle", S_STR),
    MEMBER("MD5OfBody", S_STR),
    MEMBER("Body", S_STR),
    RENAMED("Attributes", "Attribute", M_ATTR),
    MEMBER("MD5OfMessageAttributes", S_STR),
    RENAMED("MessageAttributes", "MessageAttribute", M_MSGATTR),
    END,
};
static const rn_shape_t T_MESSAGE = {RN_T_STRUCT, message_m};
static const rn_shape_t L_MESSAGE = {RN_T_LIST, .elem = &T_MESSAGE, .flat = 1};
static const rn_member_t receive_out[] = {RENAMED("Messages", "Message", L_MESSAGE), END};
static const rn_member_t label_in[] = {MEMBER("QueueUrl", S_STR), MEMBER("Label", S_STR), END};
static const rn_member_t send_in[] = {
    MEMBER("QueueUrl", S_STR),
    MEMBER("MessageBody", S_STR),
    MEMBER("DelaySeconds", S_INT),
    RENAMED("MessageAttributes", "MessageAttribute", M_MSGATTR),
    RENAMED("MessageSystemAttributes", "MessageSystemAttribute", M_MSGATTR),
    MEMBER("MessageDeduplicationId", S_STR),
    MEMBER("MessageGroupId", S_STR),
    END,
};
static const rn_member_t send_out[] = {
    MEMBER("MD5OfMessageBody", S_STR),
    MEMBER("MD5OfMessageAttributes", S_STR),
    MEMBER("MD5OfMessageSystemAttributes", S_STR),
    MEMBER("MessageId", S_STR),
    MEMBER("SequenceNumber", S_STR),
    END,
};
static const rn_member_t send_entry_m[] = {
    MEMBER("Id", S_STR),
    MEMBER("MessageBody", S_STR),
    MEMBER("DelaySeconds", S_INT),
    RENAMED("MessageAttributes", "MessageAttribute", M_MSGATTR),
    RENAMED("MessageSystemAttributes", "MessageSystemAttribute", M_MSGATTR),
    MEMBER("MessageDeduplicationId", S_STR),
    MEMBER("MessageGroupId", S_STR),
    END,
};
static const rn_shape_t T_SEND_ENTRY = {RN_T_STRUCT, send_entry_m};
static const rn_shape_t L_SEND_ENTRY = {RN_T_LIST, .elem = &T_SEND_ENTRY, .flat = 1};
static const rn_member_t send_batch_in[] = {
    MEMBER("QueueUrl", S_STR),
    RENAMED("Entries", "SendMessageBatchRequestEntry", L_SEND_ENTRY),
    END,
};
static const rn_member_t send_result_entry_m[] = {
    MEMBER("Id", S_STR),
    MEMBER("MessageId", S_STR),
    MEMBER("MD5OfMessageBody", S_STR),
    MEMBER("MD5OfMessageAttributes", S_STR),
    MEMBER("MD5OfMessageSystemAttributes", S_STR),
    MEMBER("SequenceNumber", S_STR),
    END,
};
static const rn_shape_t T_SEND_RESULT_ENTRY = {RN_T_STRUCT, send_result_entry_m};
static const rn_shape_t L_SEND_RESULT_ENTRY = {RN_T_LIST, .elem = &T_SEND_RESULT_ENTRY, .flat = 1};
static const rn_member_t send_batch_out[] = {
    RENAMED("Successful", "SendMessageBatchResultEntry", L_SEND_RESULT_ENTRY),
    RENAMED("Failed", "BatchResultErrorEntry", L_BATCH_ERROR),
    END,
};
static const rn_member_t set_attrs_in[] = {MEMBER("QueueUrl", S_STR), RENAMED("Attributes", "Attribute", M_ATTR), END};
static const rn_member_t start_move_in[] = {
    MEMBER("SourceArn", S_STR),
    MEMBER("DestinationArn", S_STR),
    MEMBER("MaxNumberOfMessagesPerSecond", S_INT),
    END,
};
static const rn_member_t task_handle_only[] = {MEMBER("TaskHandle", S_STR), END};
static const rn_member_t tag_in[] = {MEMBER("QueueUrl", S_STR), RENAMED("Tags", "Tag", M_TAG), END};
static const rn_member_t untag_in[] = {MEMBER("QueueUrl", S_STR), RENAMED("TagKeys", "TagKey", L_STR), END};

static const rn_op_t ops[] = {
    {"AddPermission", add_permission_in, NULL},
    {"CancelMessageMoveTask", cancel_move_in, cancel_move_out},
    {"ChangeMessageVisibility", change_vis_in, NULL},
    {"ChangeMessageVisibilityBatch", change_vis_batch_in, change_vis_batch_out},
    {"CreateQueue", create_queue_in, queue_url_only},
    {"DeleteMessage", delete_message_in, NULL},
    {"DeleteMessageBatch", delete_batch_in, delete_batch_out},
    {"DeleteQueue", queue_url_only, NULL},
    {"GetQueueAttributes", get_attrs_in, attrs_out},
    {"GetQueueUrl", get_url_in, queue_url_only},
    {"ListDeadLetterSourceQueues", list_dlq_in, list_dlq_out},
    {"ListMessageMoveTasks", list_moves_in, list_moves_out},
    {"ListQueueTags", queue_url_only, tags_out},
    {"ListQueues", list_queues_in, list_queues_out},
    {"PurgeQueue", queue_url_only, NULL},
    {"ReceiveMessage", receive_in, receive_out},
    {"RemovePermission", label_in, NULL},
    {"SendMessage", send_in, send_out},
    {"SendMessageBatch", send_batch_in, send_batch_out},
    {"SetQueueAttributes", set_attrs_in, NULL},
    {"StartMessageMoveTask", start_move_in, task_handle_only},
    {"TagQueue", tag_in, NULL},
    {"UntagQueue", untag_in, NULL},
    {NULL, NULL, NULL},
};

const rn_api_t sqs_api = {ops, "http://queue.amazonaws.com/doc/2012-11-05/", "QueueUrl", NULL};
