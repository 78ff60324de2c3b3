/* SPDX-License-Identifier: MIT
 * Amazon SNS's API (2010-03-31), the operations Runnel serves, as one
 * protocol-neutral description taken from the service's model. SNS speaks
 * only the query protocol: lists are wrapped (Tags.member.1.Key) and maps are
 * entries (Attributes.entry.1.key). */
#include "sns/sns.h"

#include <stddef.h>

#define MEMBER RN_MEMBER
#define RENAMED RN_RENAMED
#define END RN_END

static const rn_shape_t S_STR = {RN_T_STR}, S_BOOL = {RN_T_BOOL}, S_BLOB = {RN_T_BLOB};
static const rn_shape_t M_TOPIC_ATTRIBUTES_MAP = {RN_T_MAP, .elem = &S_STR, .key = "key", .value = "value"};
static const rn_member_t tag_m[] = {
    MEMBER("Key", S_STR),
    MEMBER("Value", S_STR),
    END,
};
static const rn_shape_t T_TAG = {RN_T_STRUCT, tag_m};
static const rn_shape_t L_TAG_LIST = {RN_T_LIST, .elem = &T_TAG};
static const rn_member_t create_topic_in[] = {
    MEMBER("Name", S_STR),
    MEMBER("Attributes", M_TOPIC_ATTRIBUTES_MAP),
    MEMBER("Tags", L_TAG_LIST),
    MEMBER("DataProtectionPolicy", S_STR),
    END,
};
static const rn_member_t create_topic_out[] = {
    MEMBER("TopicArn", S_STR),
    END,
};
static const rn_member_t delete_topic_in[] = {
    MEMBER("TopicArn", S_STR),
    END,
};
static const rn_member_t list_topics_in[] = {
    MEMBER("NextToken", S_STR),
    END,
};
static const rn_member_t topic_m[] = {
    MEMBER("TopicArn", S_STR),
    END,
};
static const rn_shape_t T_TOPIC = {RN_T_STRUCT, topic_m};
static const rn_shape_t L_TOPICS_LIST = {RN_T_LIST, .elem = &T_TOPIC};
static const rn_member_t list_topics_out[] = {
    MEMBER("Topics", L_TOPICS_LIST),
    MEMBER("NextToken", S_STR),
    END,
};
static const rn_member_t get_topic_attributes_in[] = {
    MEMBER("TopicArn", S_STR),
    END,
};
static const rn_member_t get_topic_attributes_out[] = {
    MEMBER("Attributes", M_TOPIC_ATTRIBUTES_MAP),
    END,
};
static const rn_member_t set_topic_attributes_in[] = {
    MEMBER("TopicArn", S_STR),
    MEMBER("AttributeName", S_STR),
    MEMBER("AttributeValue", S_STR),
    END,
};
static const rn_shape_t M_SUBSCRIPTION_ATTRIBUTES_MAP = {RN_T_MAP, .elem = &S_STR, .key = "key", .value = "value"};
static const rn_member_t subscribe_in[] = {
    MEMBER("TopicArn", S_STR),
    MEMBER("Protocol", S_STR),
    MEMBER("Endpoint", S_STR),
    MEMBER("Attributes", M_SUBSCRIPTION_ATTRIBUTES_MAP),
    MEMBER("ReturnSubscriptionArn", S_BOOL),
    END,
};
static const rn_member_t subscribe_out[] = {
    MEMBER("SubscriptionArn", S_STR),
    END,
};
static const rn_member_t unsubscribe_in[] = {
    MEMBER("SubscriptionArn", S_STR),
    END,
};
static const rn_member_t confirm_subscription_in[] = {
    MEMBER("TopicArn", S_STR),
    MEMBER("Token", S_STR),
    MEMBER("AuthenticateOnUnsubscribe", S_STR),
    END,
};
static const rn_member_t confirm_subscription_out[] = {
    MEMBER("SubscriptionArn", S_STR),
    END,
};
static const rn_member_t list_subscriptions_in[] = {
    MEMBER("NextToken", S_STR),
    END,
};
static const rn_member_t subscription_m[] = {
    MEMBER("SubscriptionArn", S_STR),
    MEMBER("Owner", S_STR),
    MEMBER("Protocol", S_STR),
    MEMBER("Endpoint", S_STR),
    MEMBER("TopicArn", S_STR),
    END,
};
static const rn_shape_t T_SUBSCRIPTION = {RN_T_STRUCT, subscription_m};
static const rn_shape_t L_SUBSCRIPTIONS_LIST = {RN_T_LIST, .elem = &T_SUBSCRIPTION};
static const rn_member_t list_subscriptions_out[] = {
    MEMBER("Subscriptions", L_SUBSCRIPTIONS_LIST),
    MEMBER("NextToken", S_STR),
    END,
};
static const rn_member_t list_subscriptions_by_topic_in[] = {
    MEMBER("TopicArn", S_STR),
    MEMBER("NextToken", S_STR),
    END,
};
static const rn_member_t list_subscriptions_by_topic_out[] = {
    MEMBER("Subscriptions", L_SUBSCRIPTIONS_LIST),
    MEMBER("NextToken", S_STR),
    END,
};
static const rn_member_t get_subscription_attributes_in[] = {
    MEMBER("SubscriptionArn", S_STR),
    END,
};
static const rn_member_t get_subscription_attributes_out[] = {
    MEMBER("Attributes", M_SUBSCRIPTION_ATTRIBUTES_MAP),
    END,
};
static const rn_member_t set_subscription_attributes_in[] = {
    MEMBER("SubscriptionArn", S_STR),
    MEMBER("AttributeName", S_STR),
    MEMBER("AttributeValue", S_STR),
    END,
};
static const rn_member_t message_attribute_value_m[] = {
    MEMBER("DataType", S_STR),
    MEMBER("StringValue", S_STR),
    MEMBER("BinaryValue", S_BLOB),
    END,
};
static const rn_shape_t T_MESSAGE_ATTRIBUTE_VALUE = {RN_T_STRUCT, message_attribute_value_m};
static const rn_shape_t M_MESSAGE_ATTRIBUTE_MAP = {RN_T_MAP, .elem = &T_MESSAGE_ATTRIBUTE_VALUE, .key = "Name", .value = "Value"};
static const rn_member_t publish_in[] = {
    MEMBER("TopicArn", S_STR),
    MEMBER("TargetArn", S_STR),
    MEMBER("PhoneNumber", S_STR),
    MEMBER("Message", S_STR),
    MEMBER("Subject", S_STR),
    MEMBER("MessageStructure", S_STR),
    MEMBER("MessageAttributes", M_MESSAGE_ATTRIBUTE_MAP),
    MEMBER("MessageDeduplicationId", S_STR),
    MEMBER("MessageGroupId", S_STR),
    END,
};
static const rn_member_t publish_out[] = {
    MEMBER("MessageId", S_STR),
    MEMBER("SequenceNumber", S_STR),
    END,
};
static const rn_member_t publish_batch_request_entry_m[] = {
    MEMBER("Id", S_STR),
    MEMBER("Message", S_STR),
    MEMBER("Subject", S_STR),
    MEMBER("MessageStructure", S_STR),
    MEMBER("MessageAttributes", M_MESSAGE_ATTRIBUTE_MAP),
    MEMBER("MessageDeduplicationId", S_STR),
    MEMBER("MessageGroupId", S_STR),
    END,
};
static const rn_shape_t T_PUBLISH_BATCH_REQUEST_ENTRY = {RN_T_STRUCT, publish_batch_request_entry_m};
static const rn_shape_t L_PUBLISH_BATCH_REQUEST_ENTRY_LIST = {RN_T_LIST, .elem = &T_PUBLISH_BATCH_REQUEST_ENTRY};
static const rn_member_t publish_batch_in[] = {
    MEMBER("TopicArn", S_STR),
    MEMBER("PublishBatchRequestEntries", L_PUBLISH_BATCH_REQUEST_ENTRY_LIST),
    END,
};
static const rn_member_t publish_batch_result_entry_m[] = {
    MEMBER("Id", S_STR),
    MEMBER("MessageId", S_STR),
    MEMBER("SequenceNumber", S_STR),
    END,
};
static const rn_shape_t T_PUBLISH_BATCH_RESULT_ENTRY = {RN_T_STRUCT, publish_batch_result_entry_m};
static const rn_shape_t L_PUBLISH_BATCH_RESULT_ENTRY_LIST = {RN_T_LIST, .elem = &T_PUBLISH_BATCH_RESULT_ENTRY};
static const rn_member_t batch_result_error_entry_m[] = {
    MEMBER("Id", S_STR),
    MEMBER("Code", S_STR),
    MEMBER("Message", S_STR),
    MEMBER("SenderFault", S_BOOL),
    END,
};
static const rn_shape_t T_BATCH_RESULT_ERROR_ENTRY = {RN_T_STRUCT, batch_result_error_entry_m};
static const rn_shape_t L_BATCH_RESULT_ERROR_ENTRY_LIST = {RN_T_LIST, .elem = &T_BATCH_RESULT_ERROR_ENTRY};
static const rn_member_t publish_batch_out[] = {
    MEMBER("Successful", L_PUBLISH_BATCH_RESULT_ENTRY_LIST),
    MEMBER("Failed", L_BATCH_RESULT_ERROR_ENTRY_LIST),
    END,
};
static const rn_member_t tag_resource_in[] = {
    MEMBER("ResourceArn", S_STR),
    MEMBER("Tags", L_TAG_LIST),
    END,
};
static const rn_member_t tag_resource_out[] = {
    END,
};
static const rn_shape_t L_TAG_KEY_LIST = {RN_T_LIST, .elem = &S_STR};
static const rn_member_t untag_resource_in[] = {
    MEMBER("ResourceArn", S_STR),
    MEMBER("TagKeys", L_TAG_KEY_LIST),
    END,
};
static const rn_member_t untag_resource_out[] = {
    END,
};
static const rn_member_t list_tags_for_resource_in[] = {
    MEMBER("ResourceArn", S_STR),
    END,
};
static const rn_member_t list_tags_for_resource_out[] = {
    MEMBER("Tags", L_TAG_LIST),
    END,
};
static const rn_shape_t L_DELEGATES_LIST = {RN_T_LIST, .elem = &S_STR};
static const rn_shape_t L_ACTIONS_LIST = {RN_T_LIST, .elem = &S_STR};
static const rn_member_t add_permission_in[] = {
    MEMBER("TopicArn", S_STR),
    MEMBER("Label", S_STR),
    MEMBER("AWSAccountId", L_DELEGATES_LIST),
    MEMBER("ActionName", L_ACTIONS_LIST),
    END,
};
static const rn_member_t remove_permission_in[] = {
    MEMBER("TopicArn", S_STR),
    MEMBER("Label", S_STR),
    END,
};
static const rn_member_t get_data_protection_policy_in[] = {
    MEMBER("ResourceArn", S_STR),
    END,
};
static const rn_member_t get_data_protection_policy_out[] = {
    MEMBER("DataProtectionPolicy", S_STR),
    END,
};
static const rn_member_t put_data_protection_policy_in[] = {
    MEMBER("ResourceArn", S_STR),
    MEMBER("DataProtectionPolicy", S_STR),
    END,
};
static const rn_op_t ops[] = {
    {"CreateTopic", create_topic_in, create_topic_out},
    {"DeleteTopic", delete_topic_in, NULL},
    {"ListTopics", list_topics_in, list_topics_out},
    {"GetTopicAttributes", get_topic_attributes_in, get_topic_attributes_out},
    {"SetTopicAttributes", set_topic_attributes_in, NULL},
    {"Subscribe", subscribe_in, subscribe_out},
    {"Unsubscribe", unsubscribe_in, NULL},
    {"ConfirmSubscription", confirm_subscription_in, confirm_subscription_out},
    {"ListSubscriptions", list_subscriptions_in, list_subscriptions_out},
    {"ListSubscriptionsByTopic", list_subscriptions_by_topic_in, list_subscriptions_by_topic_out},
    {"GetSubscriptionAttributes", get_subscription_attributes_in, get_subscription_attributes_out},
    {"SetSubscriptionAttributes", set_subscription_attributes_in, NULL},
    {"Publish", publish_in, publish_out},
    {"PublishBatch", publish_batch_in, publish_batch_out},
    {"TagResource", tag_resource_in, tag_resource_out},
    {"UntagResource", untag_resource_in, untag_resource_out},
    {"ListTagsForResource", list_tags_for_resource_in, list_tags_for_resource_out},
    {"AddPermission", add_permission_in, NULL},
    {"RemovePermission", remove_permission_in, NULL},
    {"GetDataProtectionPolicy", get_data_protection_policy_in, get_data_protection_policy_out},
    {"PutDataProtectionPolicy", put_data_protection_policy_in, NULL},
    {NULL, NULL, NULL},
};

const rn_api_t sns_api = {ops, "http://sns.amazonaws.com/doc/2010-03-31/", NULL, NULL};
