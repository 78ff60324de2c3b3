/* SPDX-License-Identifier: MIT
 * The digests SQS returns and SDKs verify: MD5 of the body, MD5 of message
 * (and system) attributes in AWS's length-prefixed encoding, and SHA-256 of
 * the body for content-based deduplication. */
#ifndef RN_SQS_DIGEST_H
#define RN_SQS_DIGEST_H
#include <jansson.h>
#include <stddef.h>

/* Hex MD5 of data (MD5OfMessageBody). */
void sqs_md5_hex(const void *data, size_t n, char out[33]);
/* Hex MD5 of an attribute map as AWS computes MD5OfMessageAttributes (and
 * MD5OfMessageSystemAttributes). Returns 0 or RN_ERR_INVALID_PARAMETER. */
int sqs_md5_message_attributes(const json_t *attrs, char out[33]);
/* Hex SHA-256 of data (content-based MessageDeduplicationId). */
void sqs_sha256_hex(const void *data, size_t n, char out[65]);
#endif
