/* SPDX-License-Identifier: MIT
 * SQS digests and message validation: MD5 of bodies (RFC 1321 vectors),
 * MD5OfMessageAttributes in AWS's length-prefixed encoding (vectors from an
 * independent implementation), SHA-256 for content-based dedup, and the body
 * and attribute rules with AWS's error codes. */
#include "core/err.h"
#include "sqs/digest.h"
#include "sqs/sqs_err.h"
#include "sqs/msgattr.h"
#include "unit.h"

TEST(test_md5_body_rfc1321_vectors)
{
    char out[33];
    sqs_md5_hex("", 0, out);
    CHECK_STR(out, "d41d8cd98f00b204e9800998ecf8427e");
    sqs_md5_hex("abc", 3, out);
    CHECK_STR(out, "900150983cd24fb0d6963f7d28e17f72");
    sqs_md5_hex("hello", 5, out);
    CHECK_STR(out, "5d41402abc4b2a76b9719d911017c592");
}

TEST(test_sha256_content_dedup_vector)
{
    char out[65];
    sqs_sha256_hex("abc", 3, out);
    CHECK_STR(out, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(test_md5_message_attributes_single_string)
{
    json_t *a = json_pack("{s:{s:s,s:s}}", "a", "DataType", "String", "StringValue", "x");
    char out[33];
    CHECK_INT(sqs_md5_message_attributes(a, out), 0);
    CHECK_STR(out, "a512aac9938034acb0b3c3d965944bf1");
    json_decref(a);
}

TEST(test_md5_message_attributes_sorted_mixed_types)
{
    json_t *a = json_pack("{s:{s:s,s:s},s:{s:s,s:s},s:{s:s,s:s}}", "zeta", "DataType", "Number", "StringValue",
                          "12.5", "alpha", "DataType", "String.custom", "StringValue", "h\xc3\xa9llo", "bin",
                          "DataType", "Binary", "BinaryValue", "AAH/");
    char out[33];
    CHECK_INT(sqs_md5_message_attributes(a, out), 0);
    CHECK_STR(out, "d9a133104d9d633c503147811530ecbd");
    json_decref(a);
}

TEST(test_body_rejects_disallowed_characters)
{
    char msg[512];
    CHECK_INT(sqs_body_validate("ok \t\n", 5, msg, sizeof msg), 0);
    CHECK_INT(sqs_body_validate("a\x01", 2, msg, sizeof msg), SQS_ERR_INVALID_MESSAGE_CONTENTS);
    CHECK_INT(sqs_body_validate("\xef\xbf\xbf", 3, msg, sizeof msg), SQS_ERR_INVALID_MESSAGE_CONTENTS);
    CHECK_INT(sqs_body_validate("\xc3", 1, msg, sizeof msg), SQS_ERR_INVALID_MESSAGE_CONTENTS);
    CHECK_INT(sqs_body_validate("\xf0\x9f\x98\x80", 4, msg, sizeof msg), 0);
    CHECK_INT(sqs_body_validate("", 0, msg, sizeof msg), RN_ERR_MISSING_PARAMETER);
}

TEST(test_attributes_limits_and_names)
{
    char msg[512];
    size_t size;
    json_t *a = json_pack("{s:{s:s,s:s}}", "AWS.x", "DataType", "String", "StringValue", "v");
    CHECK_INT(sqs_msgattrs_validate(a, 0, &size, msg, sizeof msg), RN_ERR_INVALID_PARAMETER);
    json_decref(a);
    a = json_pack("{s:{s:s,s:s}}", "ok.name", "DataType", "Number", "StringValue", "abc");
    CHECK_INT(sqs_msgattrs_validate(a, 0, &size, msg, sizeof msg), RN_ERR_INVALID_PARAMETER);
    json_decref(a);
    a = json_pack("{s:{s:s,s:s}}", "n", "DataType", "Strin", "StringValue", "x");
    CHECK_INT(sqs_msgattrs_validate(a, 0, &size, msg, sizeof msg), RN_ERR_INVALID_PARAMETER);
    CHECK_STR(msg, "The type of message (user) attribute 'n' is invalid. You must use only the following supported "
                   "type prefixes: Binary, Number, String.");
    json_decref(a);
    a = json_pack("{s:{s:s,s:s}}", "ErrorDetails", "DataType", "String", "StringValue", "");
    CHECK_INT(sqs_msgattrs_validate(a, 0, &size, msg, sizeof msg), RN_ERR_INVALID_PARAMETER);
    CHECK_STR(msg, "Message (user) attribute 'ErrorDetails' must contain a non-empty value of type 'String'.");
    json_decref(a);
    a = json_object();
    for (int i = 0; i < 11; i++) {
        char k[8];
        snprintf(k, sizeof k, "k%d", i);
        json_object_set_new(a, k, json_pack("{s:s,s:s}", "DataType", "String", "StringValue", "v"));
    }
    CHECK_INT(sqs_msgattrs_validate(a, 0, &size, msg, sizeof msg), RN_ERR_INVALID_PARAMETER);
    CHECK_STR(msg, "Number of message attributes [11] exceeds the allowed maximum [10].");
    json_decref(a);
    a = json_pack("{s:{s:s,s:s}}", "name", "DataType", "String", "StringValue", "value");
    CHECK_INT(sqs_msgattrs_validate(a, 0, &size, msg, sizeof msg), 0);
    CHECK_INT(size, 4 + 6 + 5);
    json_decref(a);
}

UNIT_MAIN()
