/* SPDX-License-Identifier: MIT
 * Unit tests for the query-protocol edge: form decoding (aws/form.c), the
 * flat-parameter → JSON input conversion and the JSON output → XML response
 * for every SQS operation family (sqs/query.c), and the XML error document
 * (aws/xml.c). Expected strings are written the way the SQS API reference and
 * botocore's query serializer and parser spell them. */
#include <stdlib.h>
#include <string.h>

#include "aws/form.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/mem.h"
#include "aws/query.h"
#include "sqs/sqs.h"
#include "unit.h"

#define NS "http://queue.amazonaws.com/doc/2012-11-05/"
#define HEAD(op) "<?xml version=\"1.0\"?><" op "Response xmlns=\"" NS "\">"
#define META(op) "<ResponseMetadata><RequestId>rid</RequestId></ResponseMetadata></" op "Response>"

static char last_msg[512];
static int last_rc;

/* Parses form and decodes it for action; returns compact JSON text (caller
 * frees with free()) or NULL with last_rc/last_msg set. */
static char *decode(const char *action, const char *form)
{
    json_t *flat = NULL, *in = NULL;
    last_msg[0] = '\0';
    last_rc = aws_form_parse(form, strlen(form), &flat, last_msg, sizeof last_msg);
    if (last_rc < 0)
        return NULL;
    last_rc = aws_query_decode(&sqs_api, action, flat, &in, last_msg, sizeof last_msg);
    json_decref(flat);
    if (last_rc < 0)
        return NULL;
    char *s = json_dumps(in, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(in);
    return s;
}

#define CHECK_DECODE(action, form, expect)                                                                            \
    do {                                                                                                              \
        char *got_ = decode(action, form);                                                                            \
        CHECK_STR(got_, expect);                                                                                      \
        if (!got_)                                                                                                    \
            fprintf(stderr, "  rc=%d msg=%s\n", last_rc, last_msg);                                                   \
        free(got_);                                                                                                   \
    } while (0)

/* Encodes the JSON text out for action; returns the XML (caller frees with
 * rn_free()) or NULL. */
static char *encode(const char *action, const char *out)
{
    json_t *o = json_loads(out, 0, NULL);
    if (!o)
        return NULL;
    rn_buf_t b = {0};
    int rc = aws_query_encode(&sqs_api, action, o, "rid", &b);
    json_decref(o);
    if (rc < 0) {
        rn_buf_free(&b);
        return NULL;
    }
    return rn_buf_take(&b, NULL);
}

#define CHECK_ENCODE(action, out, expect)                                                                             \
    do {                                                                                                              \
        char *got_ = encode(action, out);                                                                             \
        CHECK_STR(got_, expect);                                                                                      \
        rn_free(got_);                                                                                                \
    } while (0)

static json_t *form(const char *s)
{
    json_t *o = NULL;
    last_rc = aws_form_parse(s, strlen(s), &o, last_msg, sizeof last_msg);
    return o;
}

/* ---- form decoding ---- */

TEST(test_form_plus_is_space_and_percent_escapes_decode)
{
    json_t *o = form("MessageBody=a+b%20c%2Bd%26e%3Df&Q=%e2%82%ac");
    CHECK(o != NULL);
    CHECK_STR(json_string_value(json_object_get(o, "MessageBody")), "a b c+d&e=f");
    CHECK_STR(json_string_value(json_object_get(o, "Q")), "\xe2\x82\xac");
    json_decref(o);
}

TEST(test_form_percent_escapes_in_names_decode)
{
    json_t *o = form("Attribute%2E1%2EName=x");
    CHECK_STR(json_string_value(json_object_get(o, "Attribute.1.Name")), "x");
    json_decref(o);
}

TEST(test_form_last_of_repeated_names_wins)
{
    json_t *o = form("A=1&B=2&A=3");
    CHECK_STR(json_string_value(json_object_get(o, "A")), "3");
    CHECK_INT(json_object_size(o), 2);
    json_decref(o);
}

TEST(test_form_name_without_equals_has_empty_value)
{
    json_t *o = form("AUTHPARAMS&x=");
    CHECK_STR(json_string_value(json_object_get(o, "AUTHPARAMS")), "");
    CHECK_STR(json_string_value(json_object_get(o, "x")), "");
    json_decref(o);
}

TEST(test_form_empty_pairs_and_empty_names_are_skipped)
{
    json_t *o = form("&&=v&a=b&&");
    CHECK(o != NULL);
    CHECK_INT(json_object_size(o), 1);
    CHECK_STR(json_string_value(json_object_get(o, "a")), "b");
    json_decref(o);
}

TEST(test_form_value_keeps_equals_signs)
{
    json_t *o = form("Policy=a=b=c");
    CHECK_STR(json_string_value(json_object_get(o, "Policy")), "a=b=c");
    json_decref(o);
}

TEST(test_form_empty_input_is_empty_object)
{
    json_t *o = NULL;
    CHECK_INT(aws_form_parse(NULL, 0, &o, last_msg, sizeof last_msg), 0);
    CHECK(json_is_object(o) && json_object_size(o) == 0);
    json_decref(o);
}

TEST(test_form_truncated_escape_is_malformed)
{
    CHECK(form("a=%4") == NULL);
    CHECK_INT(last_rc, RN_ERR_MALFORMED_QUERY);
    CHECK_STR(last_msg, "The request is malformed: '%' at offset 2 is not followed by two hexadecimal digits.");
    CHECK(form("a=b&c=%") == NULL);
    CHECK_INT(last_rc, RN_ERR_MALFORMED_QUERY);
}

TEST(test_form_non_hex_escape_is_malformed_in_name_or_value)
{
    CHECK(form("ok=1&a%zz=1") == NULL);
    CHECK_INT(last_rc, RN_ERR_MALFORMED_QUERY);
    CHECK(strstr(last_msg, "offset 6") != NULL);
    CHECK(form("a=%g0") == NULL);
    CHECK_INT(last_rc, RN_ERR_MALFORMED_QUERY);
}

TEST(test_form_invalid_utf8_is_malformed)
{
    static const char *bad[] = {"a=%C3", "a=%C0%AF", "a=%ED%A0%80", "a=%F4%90%80%80", "a=%80", "%FF=1", "a=\xff",
                                NULL};
    for (int i = 0; bad[i]; i++) {
        CHECK(form(bad[i]) == NULL);
        CHECK_INT(last_rc, RN_ERR_MALFORMED_QUERY);
    }
    CHECK_STR(last_msg, "The request is malformed: the parameter at offset 0 is not valid UTF-8.");
}

TEST(test_form_four_byte_utf8_is_accepted)
{
    json_t *o = form("a=%F0%9F%98%80&b=\xc3\xa9");
    CHECK_STR(json_string_value(json_object_get(o, "a")), "\xf0\x9f\x98\x80");
    CHECK_STR(json_string_value(json_object_get(o, "b")), "\xc3\xa9");
    json_decref(o);
}

TEST(test_form_nul_in_value_is_kept_and_nul_in_name_skipped)
{
    json_t *o = form("a=x%00y&b%00c=1");
    CHECK(o != NULL);
    CHECK_INT(json_string_length(json_object_get(o, "a")), 3);
    CHECK_INT(json_object_size(o), 1);
    json_decref(o);
}

TEST(test_form_utf8_validator_edges)
{
    CHECK(aws_form_utf8_valid("", 0));
    CHECK(aws_form_utf8_valid("\xef\xbf\xbf", 3));
    CHECK(aws_form_utf8_valid("\xf4\x8f\xbf\xbf", 4));
    CHECK(!aws_form_utf8_valid("\xe0\x9f\xbf", 3)); /* overlong */
    CHECK(!aws_form_utf8_valid("\xf0\x8f\xbf\xbf", 4));
    CHECK(!aws_form_utf8_valid("\xed\xbf\xbf", 3)); /* surrogate */
    CHECK(!aws_form_utf8_valid("\xe2\x82", 2));     /* truncated */
}

TEST(test_form_out_of_memory_is_reported)
{
    json_t *o = NULL;
    rn_mem_fail_after(1);
    int rc = aws_form_parse("a=b", 3, &o, last_msg, sizeof last_msg);
    rn_mem_fail_after(0);
    CHECK_INT(rc, RN_ERR_NOMEM);
    CHECK(o == NULL);
}

/* ---- query → JSON input ---- */

TEST(test_decode_create_queue_attributes_and_tags)
{
    CHECK_DECODE("CreateQueue",
                 "Action=CreateQueue&Version=2012-11-05&QueueName=q1&Attribute.1.Name=VisibilityTimeout"
                 "&Attribute.1.Value=40&Attribute.2.Name=DelaySeconds&Attribute.2.Value=5&Tag.1.Key=team"
                 "&Tag.1.Value=core",
                 "{\"QueueName\":\"q1\",\"Attributes\":{\"VisibilityTimeout\":\"40\",\"DelaySeconds\":\"5\"},"
                 "\"tags\":{\"team\":\"core\"}}");
}

TEST(test_decode_map_entries_order_by_index_not_arrival)
{
    CHECK_DECODE("SetQueueAttributes",
                 "Attribute.10.Value=c&Attribute.10.Name=Policy&Attribute.2.Name=DelaySeconds&Attribute.2.Value=b"
                 "&Attribute.1.Value=a&Attribute.1.Name=VisibilityTimeout&QueueUrl=u",
                 "{\"QueueUrl\":\"u\",\"Attributes\":{\"VisibilityTimeout\":\"a\",\"DelaySeconds\":\"b\","
                 "\"Policy\":\"c\"}}");
}

TEST(test_decode_map_entry_without_name_or_value_is_dropped)
{
    CHECK_DECODE("SetQueueAttributes", "Attribute.1.Name=A&Attribute.2.Value=x&Attribute.3.Name=C&Attribute.3.Value=",
                 "{\"Attributes\":{\"C\":\"\"}}");
}

TEST(test_decode_get_queue_attributes_names_list)
{
    CHECK_DECODE("GetQueueAttributes", "QueueUrl=u&AttributeName.1=All",
                 "{\"QueueUrl\":\"u\",\"AttributeNames\":[\"All\"]}");
}

TEST(test_decode_list_orders_numerically_with_gaps)
{
    CHECK_DECODE("GetQueueAttributes", "AttributeName.10=c&AttributeName.2=b&AttributeName.1=a&AttributeName.7=x",
                 "{\"AttributeNames\":[\"a\",\"b\",\"x\",\"c\"]}");
}

TEST(test_decode_leading_zero_index_is_the_same_entry)
{
    CHECK_DECODE("GetQueueAttributes", "AttributeName.01=a", "{\"AttributeNames\":[\"a\"]}");
}

TEST(test_decode_get_queue_url_and_owner)
{
    CHECK_DECODE("GetQueueUrl", "QueueName=q&QueueOwnerAWSAccountId=123456789012",
                 "{\"QueueName\":\"q\",\"QueueOwnerAWSAccountId\":\"123456789012\"}");
}

TEST(test_decode_list_queues_max_results_is_integer)
{
    CHECK_DECODE("ListQueues", "QueueNamePrefix=p&MaxResults=50&NextToken=t",
                 "{\"QueueNamePrefix\":\"p\",\"NextToken\":\"t\",\"MaxResults\":50}");
    CHECK_DECODE("ListDeadLetterSourceQueues", "QueueUrl=u&MaxResults=2",
                 "{\"QueueUrl\":\"u\",\"MaxResults\":2}");
}

TEST(test_decode_send_message_with_attributes)
{
    CHECK_DECODE("SendMessage",
                 "QueueUrl=u&MessageBody=hello+world&DelaySeconds=3&MessageAttribute.1.Name=a"
                 "&MessageAttribute.1.Value.DataType=String&MessageAttribute.1.Value.StringValue=x"
                 "&MessageAttribute.2.Name=b&MessageAttribute.2.Value.DataType=Binary"
                 "&MessageAttribute.2.Value.BinaryValue=AAEC%2F%2B%3D%3D"
                 "&MessageSystemAttribute.1.Name=AWSTraceHeader&MessageSystemAttribute.1.Value.DataType=String"
                 "&MessageSystemAttribute.1.Value.StringValue=Root%3D1-2-3"
                 "&MessageGroupId=g&MessageDeduplicationId=d",
                 "{\"QueueUrl\":\"u\",\"MessageBody\":\"hello world\",\"DelaySeconds\":3,"
                 "\"MessageAttributes\":{\"a\":{\"StringValue\":\"x\",\"DataType\":\"String\"},"
                 "\"b\":{\"BinaryValue\":\"AAEC/+==\",\"DataType\":\"Binary\"}},"
                 "\"MessageSystemAttributes\":{\"AWSTraceHeader\":{\"StringValue\":\"Root=1-2-3\",\"DataType\":"
                 "\"String\"}},\"MessageDeduplicationId\":\"d\",\"MessageGroupId\":\"g\"}");
}

TEST(test_decode_message_attribute_list_values)
{
    CHECK_DECODE("SendMessage",
                 "MessageAttribute.1.Name=l&MessageAttribute.1.Value.DataType=String"
                 "&MessageAttribute.1.Value.StringListValue.2=y&MessageAttribute.1.Value.StringListValue.1=x"
                 "&MessageAttribute.1.Value.BinaryListValue.1=AA%3D%3D",
                 "{\"MessageAttributes\":{\"l\":{\"StringListValues\":[\"x\",\"y\"],\"BinaryListValues\":[\"AA==\"],"
                 "\"DataType\":\"String\"}}}");
}

TEST(test_decode_send_message_batch_entries_by_index_with_nested_attributes)
{
    CHECK_DECODE("SendMessageBatch",
                 "QueueUrl=u&SendMessageBatchRequestEntry.10.Id=c&SendMessageBatchRequestEntry.10.MessageBody=z"
                 "&SendMessageBatchRequestEntry.2.Id=b&SendMessageBatchRequestEntry.2.MessageBody=y"
                 "&SendMessageBatchRequestEntry.2.DelaySeconds=5"
                 "&SendMessageBatchRequestEntry.2.MessageAttribute.1.Name=n"
                 "&SendMessageBatchRequestEntry.2.MessageAttribute.1.Value.DataType=Number"
                 "&SendMessageBatchRequestEntry.2.MessageAttribute.1.Value.StringValue=1"
                 "&SendMessageBatchRequestEntry.1.Id=a&SendMessageBatchRequestEntry.1.MessageBody=x"
                 "&SendMessageBatchRequestEntry.1.MessageGroupId=g",
                 "{\"QueueUrl\":\"u\",\"Entries\":[{\"Id\":\"a\",\"MessageBody\":\"x\",\"MessageGroupId\":\"g\"},"
                 "{\"Id\":\"b\",\"MessageBody\":\"y\",\"DelaySeconds\":5,\"MessageAttributes\":{\"n\":"
                 "{\"StringValue\":\"1\",\"DataType\":\"Number\"}}},{\"Id\":\"c\",\"MessageBody\":\"z\"}]}");
}

TEST(test_decode_delete_and_change_visibility_batches)
{
    CHECK_DECODE("DeleteMessageBatch",
                 "QueueUrl=u&DeleteMessageBatchRequestEntry.2.Id=b&DeleteMessageBatchRequestEntry.2.ReceiptHandle=r2"
                 "&DeleteMessageBatchRequestEntry.1.Id=a&DeleteMessageBatchRequestEntry.1.ReceiptHandle=r1",
                 "{\"QueueUrl\":\"u\",\"Entries\":[{\"Id\":\"a\",\"ReceiptHandle\":\"r1\"},"
                 "{\"Id\":\"b\",\"ReceiptHandle\":\"r2\"}]}");
    CHECK_DECODE("ChangeMessageVisibilityBatch",
                 "QueueUrl=u&ChangeMessageVisibilityBatchRequestEntry.1.Id=a"
                 "&ChangeMessageVisibilityBatchRequestEntry.1.ReceiptHandle=r"
                 "&ChangeMessageVisibilityBatchRequestEntry.1.VisibilityTimeout=60",
                 "{\"QueueUrl\":\"u\",\"Entries\":[{\"Id\":\"a\",\"ReceiptHandle\":\"r\",\"VisibilityTimeout\":60}]}");
}

TEST(test_decode_batch_entry_names_do_not_cross_actions)
{
    CHECK_DECODE("DeleteMessageBatch", "QueueUrl=u&SendMessageBatchRequestEntry.1.Id=a", "{\"QueueUrl\":\"u\"}");
}

TEST(test_decode_receive_message_lists_and_integers)
{
    CHECK_DECODE("ReceiveMessage",
                 "QueueUrl=u&AttributeName.1=All&MessageSystemAttributeName.1=SentTimestamp"
                 "&MessageAttributeName.2=b.*&MessageAttributeName.1=a&MaxNumberOfMessages=10&VisibilityTimeout=0"
                 "&WaitTimeSeconds=20&ReceiveRequestAttemptId=r",
                 "{\"QueueUrl\":\"u\",\"AttributeNames\":[\"All\"],\"MessageSystemAttributeNames\":"
                 "[\"SentTimestamp\"],\"MessageAttributeNames\":[\"a\",\"b.*\"],\"MaxNumberOfMessages\":10,"
                 "\"VisibilityTimeout\":0,\"WaitTimeSeconds\":20,\"ReceiveRequestAttemptId\":\"r\"}");
}

TEST(test_decode_single_message_ops)
{
    CHECK_DECODE("DeleteMessage", "QueueUrl=u&ReceiptHandle=r%2B1", "{\"QueueUrl\":\"u\",\"ReceiptHandle\":\"r+1\"}");
    CHECK_DECODE("ChangeMessageVisibility", "QueueUrl=u&ReceiptHandle=r&VisibilityTimeout=-1",
                 "{\"QueueUrl\":\"u\",\"ReceiptHandle\":\"r\",\"VisibilityTimeout\":-1}");
    CHECK_DECODE("PurgeQueue", "QueueUrl=u", "{\"QueueUrl\":\"u\"}");
    CHECK_DECODE("DeleteQueue", "QueueUrl=u", "{\"QueueUrl\":\"u\"}");
}

TEST(test_decode_tag_and_untag_queue)
{
    CHECK_DECODE("TagQueue", "QueueUrl=u&Tag.2.Key=b&Tag.2.Value=2&Tag.1.Key=a&Tag.1.Value=1",
                 "{\"QueueUrl\":\"u\",\"Tags\":{\"a\":\"1\",\"b\":\"2\"}}");
    CHECK_DECODE("UntagQueue", "QueueUrl=u&TagKey.1=a&TagKey.2=b", "{\"QueueUrl\":\"u\",\"TagKeys\":[\"a\",\"b\"]}");
    CHECK_DECODE("ListQueueTags", "QueueUrl=u", "{\"QueueUrl\":\"u\"}");
}

TEST(test_decode_add_and_remove_permission)
{
    CHECK_DECODE("AddPermission",
                 "QueueUrl=u&Label=l&AWSAccountId.1=111122223333&AWSAccountId.2=444455556666"
                 "&ActionName.1=SendMessage&ActionName.2=ReceiveMessage",
                 "{\"QueueUrl\":\"u\",\"Label\":\"l\",\"AWSAccountIds\":[\"111122223333\",\"444455556666\"],"
                 "\"Actions\":[\"SendMessage\",\"ReceiveMessage\"]}");
    CHECK_DECODE("RemovePermission", "QueueUrl=u&Label=l", "{\"QueueUrl\":\"u\",\"Label\":\"l\"}");
}

TEST(test_decode_message_move_tasks)
{
    CHECK_DECODE("StartMessageMoveTask", "SourceArn=s&DestinationArn=d&MaxNumberOfMessagesPerSecond=100",
                 "{\"SourceArn\":\"s\",\"DestinationArn\":\"d\",\"MaxNumberOfMessagesPerSecond\":100}");
    CHECK_DECODE("CancelMessageMoveTask", "TaskHandle=t", "{\"TaskHandle\":\"t\"}");
    CHECK_DECODE("ListMessageMoveTasks", "SourceArn=s&MaxResults=10", "{\"SourceArn\":\"s\",\"MaxResults\":10}");
}

TEST(test_decode_ignores_protocol_and_unknown_parameters)
{
    CHECK_DECODE("GetQueueAttributes",
                 "Action=GetQueueAttributes&Version=2012-11-05&AUTHPARAMS&X-Amz-Signature=s&X-Amz-Date=d"
                 "&Foo=bar&QueueUrl.1=x&AttributeName=All&AttributeName.x=y&AttributeName.1.Extra=z"
                 "&Attribute.1.Name=n&MaxNumberOfMessages=abc&AttributeName.1234567890=big&AttributeName.-1=neg"
                 "&AttributeName.+1=plus&AttributeName.1=ok",
                 "{\"AttributeNames\":[\"ok\"]}");
}

TEST(test_decode_ignores_unknown_nested_names)
{
    CHECK_DECODE("SendMessage",
                 "MessageAttribute.1.Name=a&MessageAttribute.1.Value.DataType=String&MessageAttribute.1.Value.Bogus=1"
                 "&MessageAttribute.1.Other=2&MessageAttribute.1.Value=3&MessageAttribute.1=4&MessageBody.x=5",
                 "{\"MessageAttributes\":{\"a\":{\"DataType\":\"String\"}}}");
}

TEST(test_decode_empty_request_is_empty_object)
{
    CHECK_DECODE("ListQueues", "", "{}");
    CHECK_DECODE("ListQueues", "Action=ListQueues&Version=2012-11-05", "{}");
}

TEST(test_decode_signed_integers_are_accepted)
{
    CHECK_DECODE("SendMessage", "DelaySeconds=%2B5", "{\"DelaySeconds\":5}");
    CHECK_DECODE("SendMessage", "DelaySeconds=-5", "{\"DelaySeconds\":-5}");
    CHECK_DECODE("SendMessage", "DelaySeconds=2147483647", "{\"DelaySeconds\":2147483647}");
}

TEST(test_decode_bad_integer_is_invalid_parameter_value)
{
    static const char *bad[] = {"abc", "", "1.5", "1e3", " 5", "5 ", "0x10", "2147483648", "-2147483649",
                                "99999999999999999999", "+", NULL};
    for (int i = 0; bad[i]; i++) {
        char q[96];
        snprintf(q, sizeof q, "QueueUrl=u&MaxNumberOfMessages=%s", bad[i]);
        for (char *p = q; *p; p++)
            if (*p == ' ')
                *p = '+';
        CHECK(decode("ReceiveMessage", q) == NULL);
        CHECK_INT(last_rc, RN_ERR_INVALID_PARAMETER);
    }
    CHECK(decode("ReceiveMessage", "MaxNumberOfMessages=ten") == NULL);
    CHECK_STR(last_msg, "Value ten for parameter MaxNumberOfMessages is invalid. Reason: Must be an integer.");
}

TEST(test_decode_bad_integer_inside_batch_entry)
{
    CHECK(decode("SendMessageBatch", "SendMessageBatchRequestEntry.1.Id=a&SendMessageBatchRequestEntry.1.DelaySeconds=x")
          == NULL);
    CHECK_INT(last_rc, RN_ERR_INVALID_PARAMETER);
    CHECK_STR(last_msg, "Value x for parameter DelaySeconds is invalid. Reason: Must be an integer.");
}

TEST(test_decode_every_integer_member_is_checked)
{
    static const char *cases[][2] = {
        {"ReceiveMessage", "VisibilityTimeout"},         {"ReceiveMessage", "WaitTimeSeconds"},
        {"ChangeMessageVisibility", "VisibilityTimeout"}, {"SendMessage", "DelaySeconds"},
        {"ListQueues", "MaxResults"},                    {"ListDeadLetterSourceQueues", "MaxResults"},
        {"ListMessageMoveTasks", "MaxResults"},          {"StartMessageMoveTask", "MaxNumberOfMessagesPerSecond"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char q[96];
        snprintf(q, sizeof q, "%s=x", cases[i][1]);
        CHECK(decode(cases[i][0], q) == NULL);
        CHECK_INT(last_rc, RN_ERR_INVALID_PARAMETER);
    }
}

TEST(test_decode_unknown_action_is_invalid_action)
{
    CHECK(decode("FlyToTheMoon", "QueueUrl=u") == NULL);
    CHECK_INT(last_rc, RN_ERR_INVALID_ACTION);
    CHECK_STR(last_msg, "The action FlyToTheMoon is not valid for this endpoint.");
}

TEST(test_decode_out_of_memory_is_reported)
{
    json_t *flat = form("AttributeName.2=b&AttributeName.1=a&Attribute.1.Name=x&Attribute.1.Value=y");
    int nomem = 0, ok = 0;
    for (long n = 1; n <= 4; n++) {
        json_t *in = NULL;
        rn_mem_fail_after(n);
        int rc = aws_query_decode(&sqs_api, "CreateQueue", flat, &in, last_msg, sizeof last_msg);
        rn_mem_fail_after(0);
        CHECK(rc == 0 || rc == RN_ERR_NOMEM);
        CHECK((rc == 0) == (in != NULL));
        nomem += rc == RN_ERR_NOMEM;
        ok += rc == 0;
        json_decref(in);
    }
    CHECK(nomem >= 1);
    CHECK(ok >= 1);
    json_decref(flat);
}

/* ---- JSON output → XML ---- */

TEST(test_xml_create_queue_and_get_queue_url)
{
    CHECK_ENCODE("CreateQueue", "{\"QueueUrl\":\"http://h/1/q\"}",
                 HEAD("CreateQueue") "<CreateQueueResult><QueueUrl>http://h/1/q</QueueUrl></CreateQueueResult>" META(
                     "CreateQueue"));
    CHECK_ENCODE("GetQueueUrl", "{\"QueueUrl\":\"u\"}",
                 HEAD("GetQueueUrl") "<GetQueueUrlResult><QueueUrl>u</QueueUrl></GetQueueUrlResult>" META(
                     "GetQueueUrl"));
}

TEST(test_xml_get_queue_attributes_flattens_map)
{
    CHECK_ENCODE("GetQueueAttributes", "{\"Attributes\":{\"VisibilityTimeout\":\"30\",\"DelaySeconds\":\"0\"}}",
                 HEAD("GetQueueAttributes") "<GetQueueAttributesResult>"
                                            "<Attribute><Name>VisibilityTimeout</Name><Value>30</Value></Attribute>"
                                            "<Attribute><Name>DelaySeconds</Name><Value>0</Value></Attribute>"
                                            "</GetQueueAttributesResult>" META("GetQueueAttributes"));
}

TEST(test_xml_list_queues_repeats_queue_url)
{
    CHECK_ENCODE("ListQueues", "{\"NextToken\":\"t\",\"QueueUrls\":[\"a\",\"b\"]}",
                 HEAD("ListQueues") "<ListQueuesResult><QueueUrl>a</QueueUrl><QueueUrl>b</QueueUrl>"
                                    "<NextToken>t</NextToken></ListQueuesResult>" META("ListQueues"));
    CHECK_ENCODE("ListQueues", "{\"QueueUrls\":[]}", HEAD("ListQueues") "<ListQueuesResult/>" META("ListQueues"));
}

TEST(test_xml_list_dead_letter_source_queues_lowercase_member)
{
    CHECK_ENCODE("ListDeadLetterSourceQueues", "{\"queueUrls\":[\"a\"]}",
                 HEAD("ListDeadLetterSourceQueues") "<ListDeadLetterSourceQueuesResult><QueueUrl>a</QueueUrl>"
                                                    "</ListDeadLetterSourceQueuesResult>" META(
                                                        "ListDeadLetterSourceQueues"));
}

TEST(test_xml_list_queue_tags)
{
    CHECK_ENCODE("ListQueueTags", "{\"Tags\":{\"team\":\"core\"}}",
                 HEAD("ListQueueTags") "<ListQueueTagsResult><Tag><Key>team</Key><Value>core</Value></Tag>"
                                       "</ListQueueTagsResult>" META("ListQueueTags"));
}

TEST(test_xml_receive_message_full_message)
{
    CHECK_ENCODE("ReceiveMessage",
                 "{\"Messages\":[{\"Body\":\"hi\",\"MessageId\":\"m1\",\"ReceiptHandle\":\"r1\",\"MD5OfBody\":\"5\","
                 "\"Attributes\":{\"SentTimestamp\":\"1\"},\"MD5OfMessageAttributes\":\"6\",\"MessageAttributes\":"
                 "{\"a\":{\"DataType\":\"String\",\"StringValue\":\"x\"},\"b\":{\"DataType\":\"Binary\","
                 "\"BinaryValue\":\"AA==\"}}},{\"MessageId\":\"m2\",\"Body\":\"\"}]}",
                 HEAD("ReceiveMessage") "<ReceiveMessageResult><Message><MessageId>m1</MessageId>"
                                        "<ReceiptHandle>r1</ReceiptHandle><MD5OfBody>5</MD5OfBody><Body>hi</Body>"
                                        "<Attribute><Name>SentTimestamp</Name><Value>1</Value></Attribute>"
                                        "<MD5OfMessageAttributes>6</MD5OfMessageAttributes>"
                                        "<MessageAttribute><Name>a</Name><Value><StringValue>x</StringValue>"
                                        "<DataType>String</DataType></Value></MessageAttribute>"
                                        "<MessageAttribute><Name>b</Name><Value><BinaryValue>AA==</BinaryValue>"
                                        "<DataType>Binary</DataType></Value></MessageAttribute></Message>"
                                        "<Message><MessageId>m2</MessageId><Body></Body></Message>"
                                        "</ReceiveMessageResult>" META("ReceiveMessage"));
}

TEST(test_xml_receive_message_empty_is_self_closed_result)
{
    CHECK_ENCODE("ReceiveMessage", "{}", HEAD("ReceiveMessage") "<ReceiveMessageResult/>" META("ReceiveMessage"));
    CHECK_ENCODE("ReceiveMessage", "{\"Messages\":[]}",
                 HEAD("ReceiveMessage") "<ReceiveMessageResult/>" META("ReceiveMessage"));
}

TEST(test_xml_message_attribute_list_values_repeat)
{
    CHECK_ENCODE("ReceiveMessage",
                 "{\"Messages\":[{\"MessageAttributes\":{\"l\":{\"DataType\":\"String\",\"StringListValues\":"
                 "[\"x\",\"y\"]}}}]}",
                 HEAD("ReceiveMessage") "<ReceiveMessageResult><Message><MessageAttribute><Name>l</Name><Value>"
                                        "<StringListValue>x</StringListValue><StringListValue>y</StringListValue>"
                                        "<DataType>String</DataType></Value></MessageAttribute></Message>"
                                        "</ReceiveMessageResult>" META("ReceiveMessage"));
}

TEST(test_xml_send_message_members_in_model_order)
{
    CHECK_ENCODE("SendMessage",
                 "{\"MessageId\":\"m\",\"MD5OfMessageBody\":\"b\",\"SequenceNumber\":\"1\","
                 "\"MD5OfMessageAttributes\":\"a\"}",
                 HEAD("SendMessage") "<SendMessageResult><MD5OfMessageBody>b</MD5OfMessageBody>"
                                     "<MD5OfMessageAttributes>a</MD5OfMessageAttributes><MessageId>m</MessageId>"
                                     "<SequenceNumber>1</SequenceNumber></SendMessageResult>" META("SendMessage"));
}

TEST(test_xml_send_message_batch_success_and_failure)
{
    CHECK_ENCODE("SendMessageBatch",
                 "{\"Successful\":[{\"Id\":\"a\",\"MessageId\":\"m\",\"MD5OfMessageBody\":\"5\"}],"
                 "\"Failed\":[{\"Id\":\"b\",\"SenderFault\":true,\"Code\":\"InvalidParameterValue\","
                 "\"Message\":\"bad\"},{\"Id\":\"c\",\"SenderFault\":false,\"Code\":\"InternalError\"}]}",
                 HEAD("SendMessageBatch") "<SendMessageBatchResult><SendMessageBatchResultEntry><Id>a</Id>"
                                          "<MessageId>m</MessageId><MD5OfMessageBody>5</MD5OfMessageBody>"
                                          "</SendMessageBatchResultEntry><BatchResultErrorEntry><Id>b</Id>"
                                          "<SenderFault>true</SenderFault><Code>InvalidParameterValue</Code>"
                                          "<Message>bad</Message></BatchResultErrorEntry><BatchResultErrorEntry>"
                                          "<Id>c</Id><SenderFault>false</SenderFault><Code>InternalError</Code>"
                                          "</BatchResultErrorEntry></SendMessageBatchResult>" META(
                                              "SendMessageBatch"));
}

TEST(test_xml_delete_and_change_visibility_batch_entry_names)
{
    CHECK_ENCODE("DeleteMessageBatch", "{\"Successful\":[{\"Id\":\"a\"}],\"Failed\":[]}",
                 HEAD("DeleteMessageBatch") "<DeleteMessageBatchResult><DeleteMessageBatchResultEntry><Id>a</Id>"
                                            "</DeleteMessageBatchResultEntry></DeleteMessageBatchResult>" META(
                                                "DeleteMessageBatch"));
    CHECK_ENCODE("ChangeMessageVisibilityBatch", "{\"Successful\":[{\"Id\":\"a\"}]}",
                 HEAD("ChangeMessageVisibilityBatch") "<ChangeMessageVisibilityBatchResult>"
                                                      "<ChangeMessageVisibilityBatchResultEntry><Id>a</Id>"
                                                      "</ChangeMessageVisibilityBatchResultEntry>"
                                                      "</ChangeMessageVisibilityBatchResult>" META(
                                                          "ChangeMessageVisibilityBatch"));
}

TEST(test_xml_message_move_tasks)
{
    CHECK_ENCODE("StartMessageMoveTask", "{\"TaskHandle\":\"t\"}",
                 HEAD("StartMessageMoveTask") "<StartMessageMoveTaskResult><TaskHandle>t</TaskHandle>"
                                              "</StartMessageMoveTaskResult>" META("StartMessageMoveTask"));
    CHECK_ENCODE("CancelMessageMoveTask", "{\"ApproximateNumberOfMessagesMoved\":1099511627776}",
                 HEAD("CancelMessageMoveTask") "<CancelMessageMoveTaskResult><ApproximateNumberOfMessagesMoved>"
                                               "1099511627776</ApproximateNumberOfMessagesMoved>"
                                               "</CancelMessageMoveTaskResult>" META("CancelMessageMoveTask"));
    CHECK_ENCODE("ListMessageMoveTasks",
                 "{\"Results\":[{\"Status\":\"RUNNING\",\"TaskHandle\":\"t\",\"SourceArn\":\"s\","
                 "\"ApproximateNumberOfMessagesMoved\":0,\"StartedTimestamp\":1700000000000}]}",
                 HEAD("ListMessageMoveTasks") "<ListMessageMoveTasksResult><ListMessageMoveTasksResultEntry>"
                                              "<TaskHandle>t</TaskHandle><Status>RUNNING</Status>"
                                              "<SourceArn>s</SourceArn><ApproximateNumberOfMessagesMoved>0"
                                              "</ApproximateNumberOfMessagesMoved><StartedTimestamp>1700000000000"
                                              "</StartedTimestamp></ListMessageMoveTasksResultEntry>"
                                              "</ListMessageMoveTasksResult>" META("ListMessageMoveTasks"));
}

TEST(test_xml_ops_without_output_have_only_response_metadata)
{
    static const char *ops[] = {"DeleteMessage", "DeleteQueue",      "SetQueueAttributes", "ChangeMessageVisibility",
                                "PurgeQueue",    "TagQueue",         "UntagQueue",         "AddPermission",
                                "RemovePermission", NULL};
    for (int i = 0; ops[i]; i++) {
        char want[512];
        snprintf(want, sizeof want,
                 "<?xml version=\"1.0\"?><%sResponse xmlns=\"" NS "\"><ResponseMetadata><RequestId>rid</RequestId>"
                 "</ResponseMetadata></%sResponse>",
                 ops[i], ops[i]);
        CHECK_ENCODE(ops[i], "{\"Ignored\":\"x\"}", want);
    }
}

TEST(test_xml_escapes_text_map_keys_and_request_id)
{
    CHECK_ENCODE("ListQueueTags", "{\"Tags\":{\"a<&>\":\"\\\"q'\\r\\n\"}}",
                 HEAD("ListQueueTags") "<ListQueueTagsResult><Tag><Key>a&lt;&amp;&gt;</Key>"
                                       "<Value>&quot;q&apos;&#xD;\n</Value></Tag></ListQueueTagsResult>" META(
                                           "ListQueueTags"));
    json_t *o = json_object();
    rn_buf_t b = {0};
    CHECK_INT(aws_query_encode(&sqs_api, "PurgeQueue", o, "<id>", &b), 0);
    CHECK(strstr(b.data, "<RequestId>&lt;id&gt;</RequestId>") != NULL);
    rn_buf_free(&b);
    json_decref(o);
}

TEST(test_xml_unknown_members_and_nulls_are_left_out)
{
    CHECK_ENCODE("GetQueueUrl", "{\"QueueUrl\":null,\"Extra\":\"x\",\"Nested\":{\"a\":1}}",
                 HEAD("GetQueueUrl") "<GetQueueUrlResult/>" META("GetQueueUrl"));
}

TEST(test_xml_unknown_action_is_an_error)
{
    json_t *o = json_object();
    rn_buf_t b = {0};
    CHECK_INT(aws_query_encode(&sqs_api, "Nope", o, "rid", &b), RN_ERR_INVALID_ACTION);
    rn_buf_free(&b);
    json_decref(o);
}

/* ---- error document ---- */

TEST(test_xml_error_sender)
{
    rn_buf_t b = {0};
    aws_query_error(&b, sqs_api.xml_ns, 1, "AWS.SimpleQueueService.NonExistentQueue",
                  "The specified queue does not exist for this wsdl version.", "rid");
    CHECK_STR(b.data, "<?xml version=\"1.0\"?><ErrorResponse xmlns=\"" NS "\"><Error><Type>Sender</Type>"
                      "<Code>AWS.SimpleQueueService.NonExistentQueue</Code>"
                      "<Message>The specified queue does not exist for this wsdl version.</Message><Detail/></Error>"
                      "<RequestId>rid</RequestId></ErrorResponse>");
    rn_buf_free(&b);
}

TEST(test_xml_error_receiver_escapes_message)
{
    rn_buf_t b = {0};
    aws_query_error(&b, sqs_api.xml_ns, 0, "InternalFailure", "a<b & 'c'", NULL);
    CHECK_STR(b.data, "<?xml version=\"1.0\"?><ErrorResponse xmlns=\"" NS "\"><Error><Type>Receiver</Type>"
                      "<Code>InternalFailure</Code><Message>a&lt;b &amp; &apos;c&apos;</Message><Detail/></Error>"
                      "<RequestId></RequestId></ErrorResponse>");
    rn_buf_free(&b);
}

/* ---- both directions ---- */

TEST(test_round_trip_queue_attributes_through_json)
{
    /* what SetQueueAttributes takes in, GetQueueAttributes gives back */
    char *in = decode("SetQueueAttributes", "Attribute.2.Name=B&Attribute.2.Value=2&Attribute.1.Name=A"
                                            "&Attribute.1.Value=1%261");
    CHECK(in != NULL);
    CHECK_ENCODE("GetQueueAttributes", in,
                 HEAD("GetQueueAttributes") "<GetQueueAttributesResult><Attribute><Name>A</Name><Value>1&amp;1</Value>"
                                            "</Attribute><Attribute><Name>B</Name><Value>2</Value></Attribute>"
                                            "</GetQueueAttributesResult>" META("GetQueueAttributes"));
    free(in);
}

UNIT_MAIN()
