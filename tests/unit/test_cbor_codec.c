/* SPDX-License-Identifier: MIT
 * The rpc-v2-cbor codec: the path form, CBOR bodies into input objects (maps,
 * arrays, integers of both signs, floats, booleans, null, chunked strings,
 * byte strings as base64 text, tag-1 timestamps as numbers) and refusals
 * (not a map, trailing bytes, a non-text key, invalid UTF-8, too deep), and
 * output objects back into CBOR with blobs and timestamps typed by the
 * description, read back by libcbor itself. */
#include <cbor.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "aws/cbor.h"
#include "core/err.h"
#include "core/mem.h"
#include "unit.h"

static char *decode_hex(const char *hex, int *rc)
{
    unsigned char buf[512];
    size_t n = strlen(hex) / 2;
    for (size_t i = 0; i < n; i++) {
        unsigned int x;
        sscanf(hex + 2 * i, "%2x", &x);
        buf[i] = (unsigned char)x;
    }
    json_t *in = NULL;
    char msg[256];
    *rc = aws_cbor_decode((const char *)buf, n, &in, msg, sizeof msg);
    if (*rc < 0)
        return NULL;
    char *s = json_dumps(in, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(in);
    return s;
}

TEST(test_path_form)
{
    char svc[64], op[64];
    CHECK(aws_cbor_path("/service/GraniteServiceVersion20100801/operation/PutMetricData", svc, sizeof svc, op,
                        sizeof op));
    CHECK_STR(svc, "GraniteServiceVersion20100801");
    CHECK_STR(op, "PutMetricData");
    CHECK(!aws_cbor_path("/service//operation/X", svc, sizeof svc, op, sizeof op));
    CHECK(!aws_cbor_path("/service/S/operation/", svc, sizeof svc, op, sizeof op));
    CHECK(!aws_cbor_path("/service/S/operation/X/more", svc, sizeof svc, op, sizeof op));
    CHECK(!aws_cbor_path("/", svc, sizeof svc, op, sizeof op));
}

TEST(test_decode_every_type)
{
    int rc;
    /* {"a": 1, "b": -2, "c": 1.5, "d": true, "e": null, "f": [h'0102'], "g": 1(1700000000), "h": "x"} */
    char *s = decode_hex("a8616101616221616" "3f93e00" "6164f56165f66166814201026167c11a6553f1006168617" "8",
                         &rc);
    CHECK_INT(rc, 0);
    CHECK_STR(s, "{\"a\":1,\"b\":-2,\"c\":1.5,\"d\":true,\"e\":null,\"f\":[\"AQI=\"],\"g\":1700000000,\"h\":\"x\"}");
    free(s);
    /* a chunked text string: {"k": (_ "ab", "c")} */
    s = decode_hex("a1616b7f6261626163ff", &rc);
    CHECK_INT(rc, 0);
    CHECK_STR(s, "{\"k\":\"abc\"}");
    free(s);
    s = decode_hex("", &rc);
    CHECK_STR(s, "{}");
    free(s);
}

TEST(test_decode_refusals)
{
    int rc;
    CHECK(decode_hex("8101", &rc) == NULL); /* [1]: not a map */
    CHECK_INT(rc, RN_ERR_SERIALIZATION);
    CHECK(decode_hex("a0a0", &rc) == NULL); /* trailing bytes */
    CHECK_INT(rc, RN_ERR_SERIALIZATION);
    CHECK(decode_hex("a10101", &rc) == NULL); /* an integer key */
    CHECK_INT(rc, RN_ERR_SERIALIZATION);
    CHECK(decode_hex("a1616b61ff", &rc) == NULL); /* "\xff" is not UTF-8 */
    CHECK_INT(rc, RN_ERR_SERIALIZATION);
    CHECK(decode_hex("a16174c16161", &rc) == NULL); /* tag 1 around text */
    CHECK_INT(rc, RN_ERR_SERIALIZATION);
    char deep[300] = "a16178";
    for (int i = 0; i < 70; i++)
        strcat(deep, "81");
    strcat(deep, "01");
    CHECK(decode_hex(deep, &rc) == NULL);
    CHECK_INT(rc, RN_ERR_SERIALIZATION);
    CHECK(decode_hex("a1", &rc) == NULL); /* cut short */
    /* an array declaring 2^64-1 items in 12 bytes: refused before anything is allocated */
    CHECK(decode_hex("a161789bffffffffffffffff", &rc) == NULL);
    CHECK_INT(rc, RN_ERR_SERIALIZATION);
    CHECK(decode_hex("a16178bbffffffff01", &rc) == NULL); /* a map too */
    CHECK_INT(rc, RN_ERR_SERIALIZATION);
    /* nested arrays each declaring what is left, together far more than the body */
    char nest[200] = "a16178";
    for (int k = 0; k < 40; k++)
        strcat(nest, "9820"); /* array of 32 */
    CHECK(decode_hex(nest, &rc) == NULL);
    CHECK_INT(rc, RN_ERR_SERIALIZATION);
    CHECK(decode_hex("a16178f97e00", &rc) == NULL); /* NaN (half float): no JSON number */
    CHECK_INT(rc, RN_ERR_SERIALIZATION);
}

static const rn_shape_t S_STR = {RN_T_STR}, S_BLOB = {RN_T_BLOB}, S_TIME = {RN_T_TIME};
static const rn_member_t out_m[] = {RN_MEMBER("Data", S_BLOB), RN_MEMBER("At", S_TIME), RN_MEMBER("Name", S_STR),
                                    RN_END};

TEST(test_encode_typed_by_the_description)
{
    json_t *out = json_pack("{s:s,s:I,s:s,s:[i,f],s:b}", "Data", "AQID", "At", (json_int_t)1700000000, "Name", "n",
                            "List", -3, 2.5, "Flag", 1);
    rn_buf_t b = {0};
    CHECK_INT(aws_cbor_encode(out_m, out, &b), 0);
    struct cbor_load_result res;
    cbor_item_t *it = cbor_load((cbor_data)b.data, b.len, &res);
    CHECK(it && res.error.code == CBOR_ERR_NONE && cbor_isa_map(it) && cbor_map_size(it) == 5);
    struct cbor_pair *p = it ? cbor_map_handle(it) : NULL;
    int seen = 0;
    for (size_t i = 0; p && i < cbor_map_size(it); i++) {
        const char *k = (const char *)cbor_string_handle(p[i].key);
        size_t kl = cbor_string_length(p[i].key);
        if (kl == 4 && memcmp(k, "Data", 4) == 0) {
            CHECK(cbor_isa_bytestring(p[i].value) && cbor_bytestring_length(p[i].value) == 3);
            seen++;
        } else if (kl == 2 && memcmp(k, "At", 2) == 0) {
            CHECK(cbor_isa_tag(p[i].value) && cbor_tag_value(p[i].value) == 1);
            seen++;
        } else if (kl == 4 && memcmp(k, "Name", 4) == 0) {
            CHECK(cbor_isa_string(p[i].value));
            seen++;
        }
    }
    CHECK_INT(seen, 3);
    if (it)
        cbor_decref(&it);
    /* and back through the decoder: the blob is base64 again */
    json_t *in = NULL;
    char msg[128];
    CHECK_INT(aws_cbor_decode(b.data, b.len, &in, msg, sizeof msg), 0);
    CHECK_STR(json_string_value(json_object_get(in, "Data")), "AQID");
    CHECK_INT(json_integer_value(json_object_get(in, "At")), 1700000000);
    CHECK_INT(json_integer_value(json_array_get(json_object_get(in, "List"), 0)), -3);
    json_decref(in);
    json_decref(out);
    rn_buf_free(&b);
    rn_buf_t e = {0};
    CHECK_INT(aws_cbor_error("com.amazonaws.cloudwatch#InvalidParameterValueException", "bad", &e), 0);
    CHECK_INT(aws_cbor_decode(e.data, e.len, &in, msg, sizeof msg), 0);
    CHECK_STR(json_string_value(json_object_get(in, "message")), "bad");
    json_decref(in);
    rn_buf_free(&e);
}

UNIT_MAIN()
