/* SPDX-License-Identifier: MIT
 * The compact JSON writer: same text as jansson's compact dump for objects,
 * arrays, escapes, UTF-8 and integers, so SDKs parse responses alike. */
#include "core/json_out.h"
#include "unit.h"

static void same_as_jansson(int *unit_failed_, const char *src)
{
    json_t *v = json_loads(src, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
    CHECK(v != NULL);
    rn_buf_t b = {0};
    rn_json_dump(&b, v);
    char *ref = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    CHECK_STR(b.data, ref);
    free(ref);
    rn_buf_free(&b);
    json_decref(v);
}

TEST(test_json_dump_matches_jansson_compact)
{
    same_as_jansson(unit_failed_, "{\"a\":1,\"b\":[true,false,null],\"c\":{\"d\":\"x\"}}");
    same_as_jansson(unit_failed_, "{\"Body\":\"quote \\\" back \\\\ nl \\n tab \\t cr \\r bell \\u0007\"}");
    same_as_jansson(unit_failed_, "[\"h\\u00e9llo \\u20ac \\ud83d\\ude00\",-9223372036854775807,0]");
    same_as_jansson(unit_failed_, "{}");
    same_as_jansson(unit_failed_, "[]");
}

TEST(test_json_dump_keeps_member_order)
{
    json_t *o = json_object();
    json_object_set_new(o, "z", json_integer(1));
    json_object_set_new(o, "a", json_integer(2));
    rn_buf_t b = {0};
    rn_json_dump(&b, o);
    CHECK_STR(b.data, "{\"z\":1,\"a\":2}");
    rn_buf_free(&b);
    json_decref(o);
}

UNIT_MAIN()
