/* SPDX-License-Identifier: MIT
 * A message's record in the store, as SQS writes it: what stays in RAM is
 * only its index (sqs_msg_t); the body and everything needed only when the
 * message is received (digest, sender, attributes, trace header, group and
 * deduplication ids, dead-letter source) go into the put record's cold part,
 * read back with rn_store_msg_read. The meta text holds only what loading
 * needs to place the message again. Layouts are described in msgrec.c. */
#ifndef RN_SQS_MSGREC_H
#define RN_SQS_MSGREC_H
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

/* A message's cold part, decoded: every pointer borrows the encoded bytes
 * (each string is NUL-terminated there); NULL when absent. */
typedef struct sqs_cold {
    char md5_body[33];     /* hex MD5 of the body */
    uint32_t attr_size;    /* bytes the attributes count against limits */
    const char *sender;    /* SenderId */
    const char *trace;     /* AWSTraceHeader */
    const char *group;     /* MessageGroupId */
    const char *dedup;     /* MessageDeduplicationId */
    const char *dlq_source; /* DeadLetterQueueSourceArn */
    /* MessageAttributes: either `attrs` (encoding) or the encoded block
     * `attr_block`/`attr_block_len` with `attr_count` entries (decoding, and
     * re-encoding a copy without going through JSON). */
    const json_t *attrs;
    const unsigned char *attr_block;
    size_t attr_block_len;
    uint32_t attr_count;
} sqs_cold_t;

/* Appends c's encoding to b (b->oom on failure). */
void sqs_cold_encode(rn_buf_t *b, const sqs_cold_t *c);
/* Decodes `len` bytes; 0, or -1 when they are not a cold part. */
int sqs_cold_decode(const void *data, size_t len, sqs_cold_t *out);
/* The decoded attributes in SendMessage's JSON shape (a new object), or
 * NULL when there are none or memory ran out. */
json_t *sqs_cold_attrs(const sqs_cold_t *c);

/* The meta text of a message (replayed at load): {"v":2} plus "g" (its FIFO
 * group) and "dl":1 (it has a dead-letter source) when so. */
void sqs_meta_encode(rn_buf_t *b, const char *fifo_group, int from_dlq);
/* Reads a meta text. Returns 1 for this version's text (*group: a copy the
 * caller frees, NULL when none), 0 for an older layout (sqs/sqs.c migrates
 * it), -1 when out of memory. */
int sqs_meta_decode(const char *txt, char **group, int *from_dlq);

/* MessageIds: a UUID's text (36 characters) and its 16 bytes. */
int sqs_id_parse(const char *text, unsigned char out[16]);
void sqs_id_format(const unsigned char id[16], char out[37]);
#endif
