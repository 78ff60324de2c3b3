/* SPDX-License-Identifier: MIT
 * SQS's message records (sqs/msgrec.c): the cold part round-trips every
 * field (attributes in SendMessage's JSON shape, strings with NULs around
 * them), re-encodes a copy from its encoded attribute block unchanged, and
 * refuses every truncation and a trailing byte; the meta text reads back its
 * FIFO group (escaped or not) and dead-letter flag and tells the first
 * layout apart; MessageIds go to 16 bytes and back. */
#include <string.h>

#include "core/buf.h"
#include "core/mem.h"
#include "sqs/msgrec.h"
#include "unit.h"

static void encode_full(rn_buf_t *b, json_t **attrs_out)
{
    json_t *attrs = json_pack("{s:{s:s,s:s},s:{s:s,s:s}}", "color", "DataType", "String", "StringValue", "blue",
                              "bin", "DataType", "Binary.custom", "BinaryValue", "AAEC");
    sqs_cold_t c = {.attr_size = 42, .sender = "AIDASENDER", .trace = "Root=1-abc", .group = "g\"1",
                    .dedup = "d-1", .dlq_source = "arn:aws:sqs:us-east-1:000000000000:src", .attrs = attrs};
    memcpy(c.md5_body, "0123456789abcdef0123456789abcdef", 33);
    sqs_cold_encode(b, &c);
    *attrs_out = attrs;
}

TEST(test_cold_round_trip)
{
    rn_buf_t b = {0};
    json_t *attrs;
    encode_full(&b, &attrs);
    CHECK(!b.oom);
    sqs_cold_t d;
    CHECK_INT(sqs_cold_decode(b.data, b.len, &d), 0);
    CHECK_STR(d.md5_body, "0123456789abcdef0123456789abcdef");
    CHECK_INT(d.attr_size, 42);
    CHECK_STR(d.sender, "AIDASENDER");
    CHECK_STR(d.trace, "Root=1-abc");
    CHECK_STR(d.group, "g\"1");
    CHECK_STR(d.dedup, "d-1");
    CHECK_STR(d.dlq_source, "arn:aws:sqs:us-east-1:000000000000:src");
    CHECK_INT(d.attr_count, 2);
    json_t *back = sqs_cold_attrs(&d);
    CHECK(json_equal(back, attrs));
    json_decref(back);
    /* a copy re-encoded from the attribute block, without JSON, is the same bytes */
    rn_buf_t b2 = {0};
    sqs_cold_t copy = d;
    sqs_cold_encode(&b2, &copy);
    CHECK_INT(b2.len, b.len);
    CHECK(b2.data && memcmp(b2.data, b.data, b.len) == 0);
    /* every truncation, and a trailing byte, is refused */
    for (size_t n = 0; n < b.len; n++)
        CHECK_INT(sqs_cold_decode(b.data, n, &d), -1);
    rn_buf_add(&b, "x", 1);
    CHECK_INT(sqs_cold_decode(b.data, b.len, &d), -1);
    rn_buf_free(&b);
    rn_buf_free(&b2);
    json_decref(attrs);
}

TEST(test_cold_minimal_has_no_optional_fields)
{
    rn_buf_t b = {0};
    sqs_cold_t c = {.sender = "000000000000"};
    memcpy(c.md5_body, "ffffffffffffffffffffffffffffffff", 33);
    sqs_cold_encode(&b, &c);
    sqs_cold_t d;
    CHECK_INT(sqs_cold_decode(b.data, b.len, &d), 0);
    CHECK_STR(d.sender, "000000000000");
    CHECK(!d.trace && !d.group && !d.dedup && !d.dlq_source && d.attr_count == 0);
    CHECK(sqs_cold_attrs(&d) == NULL);
    b.data[0] = 9; /* an unknown version */
    CHECK_INT(sqs_cold_decode(b.data, b.len, &d), -1);
    rn_buf_free(&b);
}

TEST(test_meta_round_trip_and_first_layout)
{
    const char *groups[] = {NULL, "plain", "with\"quote\\and,\"dl\":1"};
    for (int i = 0; i < 3; i++)
        for (int dl = 0; dl < 2; dl++) {
            rn_buf_t b = {0};
            sqs_meta_encode(&b, groups[i], dl);
            char *g = (char *)"unset";
            int from_dlq = -1;
            CHECK_INT(sqs_meta_decode(b.data, &g, &from_dlq), 1);
            CHECK_STR(g ? g : "(none)", groups[i] ? groups[i] : "(none)");
            CHECK_INT(from_dlq, dl);
            rn_free(g);
            rn_buf_free(&b);
        }
    char *g;
    int dl;
    CHECK_INT(sqs_meta_decode("{\"s\":\"000000000000\",\"g\":\"x\"}", &g, &dl), 0);
}

TEST(test_message_id_bytes)
{
    unsigned char id[16];
    char text[37];
    CHECK_INT(sqs_id_parse("0b1c2d3e-4f50-4617-8899-aabbccddeeff", id), 0);
    sqs_id_format(id, text);
    CHECK_STR(text, "0b1c2d3e-4f50-4617-8899-aabbccddeeff");
    CHECK_INT(sqs_id_parse("0b1c2d3e-4f50-4617-8899-aabbccddeef", id), -1);
    CHECK_INT(sqs_id_parse("0b1c2d3e-4f50-4617-8899-aabbccddeeff0", id), -1);
    CHECK_INT(sqs_id_parse("0b1c2d3e4f50-4617-8899-aabbccddeeff0", id), -1);
    CHECK_INT(sqs_id_parse("not an id", id), -1);
}

UNIT_MAIN()
