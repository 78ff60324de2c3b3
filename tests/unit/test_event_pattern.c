/* SPDX-License-Identifier: MIT
 * Event patterns, one behaviour per test, in the order of the EventBridge
 * user guide: exact values, prefix/suffix/ignore-case, wildcard, anything-but,
 * numeric, IP, exists, arrays, $or; then AWS's error messages (including the
 * ones AWS recorded for malformed JSON) and TestEventPattern's event checks. */
#include <string.h>

#include "core/err.h"
#include "pattern/pattern.h"
#include "unit.h"

static int match(const char *pattern, const char *event)
{
    ev_pattern_t *p = NULL;
    char msg[512];
    if (ev_pattern_compile(pattern, strlen(pattern), &p, msg, sizeof msg) != 0) {
        fprintf(stderr, "  compile failed: %s\n", msg);
        return -1;
    }
    int r = ev_pattern_match(p, event, strlen(event));
    ev_pattern_free(p);
    return r;
}

static const char *compile_error(const char *pattern)
{
    static char msg[1024];
    ev_pattern_t *p = NULL;
    if (ev_pattern_compile(pattern, strlen(pattern), &p, msg, sizeof msg) == 0) {
        ev_pattern_free(p);
        return "(compiled)";
    }
    return msg;
}

TEST(test_exact_string_number_bool_null)
{
    CHECK_INT(match("{\"source\":[\"aws.ec2\"]}", "{\"source\":\"aws.ec2\"}"), 1);
    CHECK_INT(match("{\"source\":[\"aws.ec2\"]}", "{\"source\":\"aws.s3\"}"), 0);
    CHECK_INT(match("{\"a\":[true]}", "{\"a\":true}"), 1);
    CHECK_INT(match("{\"a\":[true]}", "{\"a\":\"true\"}"), 0);
    CHECK_INT(match("{\"a\":[null]}", "{\"a\":null}"), 1);
    CHECK_INT(match("{\"a\":[null]}", "{\"b\":1}"), 0);
    CHECK_INT(match("{\"a\":[\"\\u0041\"]}", "{\"a\":\"A\"}"), 1);
}

TEST(test_numbers_compare_by_value)
{
    CHECK_INT(match("{\"n\":[3]}", "{\"n\":3.0}"), 1);
    CHECK_INT(match("{\"n\":[3]}", "{\"n\":300e-2}"), 1);
    CHECK_INT(match("{\"n\":[3]}", "{\"n\":\"3\"}"), 0);
    CHECK_INT(match("{\"n\":[0.1]}", "{\"n\":1e-1}"), 1);
    /* not exactly a double: only the same text matches */
    CHECK_INT(match("{\"n\":[123456789012345678]}", "{\"n\":123456789012345678}"), 1);
    CHECK_INT(match("{\"n\":[123456789012345678]}", "{\"n\":123456789012345680}"), 0);
    CHECK_INT(match("{\"n\":[{\"numeric\":[\">\",1e300]}]}", "{\"n\":1.7976931348623157e308}"), 1);
    CHECK_INT(match("{\"n\":[{\"numeric\":[\"<\",-1e300]}]}", "{\"n\":-1.7976931348623157e308}"), 1);
}

TEST(test_numeric_ranges)
{
    const char *p = "{\"x\":[{\"numeric\":[\">\",0,\"<=\",5]}]}";
    CHECK_INT(match(p, "{\"x\":5}"), 1);
    CHECK_INT(match(p, "{\"x\":0}"), 0);
    CHECK_INT(match(p, "{\"x\":5.0000001}"), 0);
    CHECK_INT(match(p, "{\"x\":\"3\"}"), 0);
    CHECK_INT(match("{\"x\":[{\"numeric\":[\"=\",3.018e2]}]}", "{\"x\":301.8}"), 1);
    CHECK_STR(compile_error("{\"x\":[{\"numeric\":[\">\",5,\"<\",5]}]}"),
              "Event pattern is not valid. Reason: Bottom must be less than top");
    CHECK_STR(compile_error("{\"x\":[{\"numeric\":[\">\",1e400]}]}"),
              "Event pattern is not valid. Reason: Cannot compare number : 1e400");
    CHECK_STR(compile_error("{\"x\":[{\"numeric\":[\"!\",1]}]}"),
              "Event pattern is not valid. Reason: Unrecognized numeric range operator: !");
}

TEST(test_prefix_suffix_ignore_case)
{
    CHECK_INT(match("{\"a\":[{\"prefix\":\"us-\"}]}", "{\"a\":\"us-east-1\"}"), 1);
    CHECK_INT(match("{\"a\":[{\"prefix\":\"\"}]}", "{\"a\":\"\"}"), 1);
    CHECK_INT(match("{\"a\":[{\"prefix\":\"\"}]}", "{\"a\":1}"), 0);
    CHECK_INT(match("{\"a\":[{\"suffix\":\".png\"}]}", "{\"a\":\"x.png\"}"), 1);
    CHECK_INT(match("{\"a\":[{\"prefix\":{\"equals-ignore-case\":\"US-\"}}]}", "{\"a\":\"us-west\"}"), 1);
    CHECK_INT(match("{\"a\":[{\"suffix\":{\"equals-ignore-case\":\".PNG\"}}]}", "{\"a\":\"a.png\"}"), 1);
    CHECK_INT(match("{\"a\":[{\"equals-ignore-case\":\"ÉTÉ\"}]}", "{\"a\":\"été\"}"), 1);
    CHECK_INT(match("{\"a\":[{\"equals-ignore-case\":\"abc\"}]}", "{\"a\":\"abcd\"}"), 0);
}

TEST(test_wildcard)
{
    const char *p = "{\"f\":[{\"wildcard\":\"/Users/*/dir/*.txt\"}]}";
    CHECK_INT(match(p, "{\"f\":\"/Users/me/dir/a.txt\"}"), 1);
    CHECK_INT(match(p, "{\"f\":\"/Users/me/dir/a.png\"}"), 0);
    CHECK_INT(match("{\"f\":[{\"wildcard\":\"a\\\\*b\"}]}", "{\"f\":\"a*b\"}"), 1);
    CHECK_INT(match("{\"f\":[{\"wildcard\":\"a\\\\*b\"}]}", "{\"f\":\"axb\"}"), 0);
    CHECK_INT(match("{\"f\":[{\"wildcard\":\"*\"}]}", "{\"f\":\"\"}"), 1);
    CHECK_STR(compile_error("{\"f\":[{\"wildcard\":\"a\\\\b\"}]}"),
              "Event pattern is not valid. Reason: Invalid escape character at pos 2");
    CHECK_STR(compile_error("{\"f\":[{\"wildcard\":\"*:*:*:*:*:event-bus/*\"}]}"),
              "Event pattern is not valid. Reason: Rule is too complex - try using fewer wildcard characters or "
              "fewer repeating character sequences after a wildcard character");
    CHECK_STR(compile_error("{\"f\":[{\"wildcard\":\"/Users/*/dir/dir/dir/dir/dir/doc.txt\"}]}"), "(compiled)");
}

TEST(test_anything_but_forms)
{
    CHECK_INT(match("{\"a\":[{\"anything-but\":[\"x\",\"y\"]}]}", "{\"a\":\"z\"}"), 1);
    CHECK_INT(match("{\"a\":[{\"anything-but\":[\"x\",\"y\"]}]}", "{\"a\":\"y\"}"), 0);
    CHECK_INT(match("{\"a\":[{\"anything-but\":\"x\"}]}", "{\"a\":null}"), 1);
    CHECK_INT(match("{\"a\":[{\"anything-but\":\"x\"}]}", "{\"b\":1}"), 0);
    CHECK_INT(match("{\"a\":[{\"anything-but\":[1,2]}]}", "{\"a\":2.0}"), 0);
    CHECK_INT(match("{\"a\":[{\"anything-but\":[1,2]}]}", "{\"a\":\"2\"}"), 1);
    CHECK_INT(match("{\"a\":[{\"anything-but\":{\"prefix\":\"in\"}}]}", "{\"a\":\"init\"}"), 0);
    CHECK_INT(match("{\"a\":[{\"anything-but\":{\"suffix\":[\".a\",\".b\"]}}]}", "{\"a\":\"x.c\"}"), 1);
    CHECK_INT(match("{\"a\":[{\"anything-but\":{\"equals-ignore-case\":\"X\"}}]}", "{\"a\":\"x\"}"), 0);
    CHECK_INT(match("{\"a\":[{\"anything-but\":{\"wildcard\":\"*/bin/*\"}}]}", "{\"a\":\"/usr/bin/x\"}"), 0);
    CHECK_INT(match("{\"a\":[{\"anything-but\":\"banned\"}]}", "{\"a\":[\"banned\",\"ok\"]}"), 1);
    CHECK_STR(compile_error("{\"a\":[{\"anything-but\":[\"x\",1]}]}"),
              "Event pattern is not valid. Reason: Inside anything but list, either all values are number or "
              "string, mixed type is not supported");
    ev_pattern_t *p = NULL;
    char msg[256];
    CHECK_INT(ev_pattern_compile("{\"a\":[{\"anything-but\":[]}]}", 28, &p, msg, sizeof msg), RN_ERR_INTERNAL);
}

TEST(test_cidr_and_ip_literals)
{
    CHECK_INT(match("{\"ip\":[{\"cidr\":\"10.0.0.0/24\"}]}", "{\"ip\":\"10.0.0.255\"}"), 1);
    CHECK_INT(match("{\"ip\":[{\"cidr\":\"10.0.0.0/24\"}]}", "{\"ip\":\"10.0.1.0\"}"), 0);
    CHECK_INT(match("{\"ip\":[{\"cidr\":\"2001:db8::/32\"}]}", "{\"ip\":\"2001:db8:ffff::1\"}"), 1);
    CHECK_INT(match("{\"ip\":[\"10.0.0.1\"]}", "{\"ip\":\"10.0.0.1\"}"), 1);
    CHECK_STR(compile_error("{\"ip\":[{\"cidr\":\"10.0.0.0/32\"}]}"),
              "Event pattern is not valid. Reason: IPv4 mask bits must be < 32");
    CHECK_STR(compile_error("{\"ip\":[{\"cidr\":\"999.0.0.0/8\"}]}"),
              "Event pattern is not valid. Reason: Invalid IP address: 999.0.0.0");
}

TEST(test_exists_true_false)
{
    CHECK_INT(match("{\"d\":{\"k\":[{\"exists\":true}]}}", "{\"d\":{\"k\":null}}"), 1);
    CHECK_INT(match("{\"d\":{\"k\":[{\"exists\":true}]}}", "{\"d\":{\"k\":{}}}"), 0);
    CHECK_INT(match("{\"d\":{\"k\":[{\"exists\":true}]}}", "{\"d\":{\"k\":[]}}"), 0);
    CHECK_INT(match("{\"d\":{\"k\":[{\"exists\":false}]}}", "{\"d\":{\"j\":1}}"), 1);
    CHECK_INT(match("{\"d\":{\"k\":[{\"exists\":false}]}}", "{\"d\":{\"k\":1}}"), 0);
}

TEST(test_arrays_match_any_element_consistently)
{
    CHECK_INT(match("{\"tags\":[\"admin\"]}", "{\"tags\":[\"user\",\"admin\"]}"), 1);
    const char *p = "{\"d\":{\"a\":[\"1\"],\"b\":[\"2\"]}}";
    CHECK_INT(match(p, "{\"d\":[{\"a\":\"1\",\"b\":\"2\"}]}"), 1);
    CHECK_INT(match(p, "{\"d\":[{\"a\":\"1\"},{\"b\":\"2\"}]}"), 0);
    CHECK_INT(match(p, "{\"d\":[{\"a\":\"1\"},{\"b\":\"2\"},{\"a\":\"1\",\"b\":\"2\"}]}"), 1);
}

TEST(test_dotted_keys_and_nesting)
{
    CHECK_INT(match("{\"d\":{\"s.t\":[\"x\"]}}", "{\"d\":{\"s\":{\"t\":\"x\"}}}"), 1);
    CHECK_INT(match("{\"d\":{\"s\":{\"t\":[\"x\"]}}}", "{\"d\":{\"s.t\":\"x\"}}"), 1);
    CHECK_INT(match("{\"d\":{\"k\":[\"v\"]}}", "{\"d\":\"{\\\"k\\\":\\\"v\\\"}\"}"), 0);
}

TEST(test_or_nested)
{
    const char *p = "{\"source\":[\"s\"],\"$or\":[{\"a\":[1]},{\"b\":[2],\"$or\":[{\"c\":[3]},{\"d\":[4]}]}]}";
    CHECK_INT(match(p, "{\"source\":\"s\",\"a\":1}"), 1);
    CHECK_INT(match(p, "{\"source\":\"s\",\"b\":2,\"d\":4}"), 1);
    CHECK_INT(match(p, "{\"source\":\"s\",\"b\":2}"), 0);
    CHECK_INT(match(p, "{\"source\":\"t\",\"a\":1}"), 0);
    CHECK_STR(compile_error("{\"$or\":[{\"a\":[1]}]}"),
              "Event pattern is not valid. Reason: There must have at least 2 Objects in $or relationship.");
    CHECK_STR(compile_error("{\"$or\":[{\"numeric\":[1]},{\"b\":[1]}]}"),
              "Event pattern is not valid. Reason: numeric is Ruler reserved fieldName which cannot be used inside "
              "$or.");
}

TEST(test_malformed_json_gets_jacksons_message)
{
    /* recorded against AWS */
    CHECK_STR(compile_error("this is valid json but not a dict"),
              "Event pattern is not valid. Reason: Unrecognized token 'this': was expecting (JSON String, Number, "
              "Array, Object or token 'null', 'true' or 'false')\n at [Source: (String)\"this is valid json but not "
              "a dict\"; line: 1, column: 5]");
    CHECK_STR(compile_error("{'bad': 'quotation'}"),
              "Event pattern is not valid. Reason: Unexpected character (''' (code 39)): was expecting double-quote "
              "to start field name\n at [Source: (String)\"{'bad': 'quotation'}\"; line: 1, column: 2]");
    CHECK_STR(compile_error("{\"not\": closed mark\""),
              "Event pattern is not valid. Reason: Unrecognized token 'closed': was expecting (JSON String, Number, "
              "Array, Object or token 'null', 'true' or 'false')\n at [Source: (String)\"{\"not\": closed mark\"\"; "
              "line: 1, column: 15]");
    CHECK_STR(compile_error("[\"not\", \"a\", \"dict\", \"but valid json\"]"),
              "Event pattern is not valid. Reason: Filter is not an object\n at [Source: (String)\"[\"not\", \"a\", "
              "\"dict\", \"but valid json\"]\"; line: 1, column: 2]");
}

TEST(test_raw_messages_keep_the_location)
{
    ev_pattern_t *p = NULL;
    char msg[512];
    const char *pat = "{\"int\": 42}";
    CHECK_INT(ev_pattern_compile_raw(pat, strlen(pat), &p, msg, sizeof msg), RN_ERR_INVALID_PATTERN);
    CHECK_STR(msg, "Event pattern is not valid. Reason: \"int\" must be an object or an array\n at [Source: "
                   "(String)\"{\"int\": 42}\"; line: 1, column: 11]");
}

TEST(test_duplicate_keys_last_wins)
{
    CHECK_INT(match("{\"a\":[\"x\"],\"a\":[\"y\"]}", "{\"a\":\"y\"}"), 1);
    CHECK_INT(match("{\"a\":[\"x\"],\"a\":[\"y\"]}", "{\"a\":\"x\"}"), 0);
}

TEST(test_empty_pattern_object_matches_everything)
{
    CHECK_INT(match("{\"detail\":{}}", "{\"x\":1}"), 1);
}

TEST(test_test_event_pattern_requires_envelope_fields)
{
    const char *pat = "{\"source\":[\"s\"]}";
    const char *good = "{\"id\":\"1\",\"account\":\"1\",\"source\":\"s\",\"time\":\"2022-07-13T13:48:01Z\","
                       "\"region\":\"r\",\"detail-type\":\"t\"}";
    int result = -1;
    char msg[256];
    CHECK_INT(ev_pattern_test(pat, strlen(pat), good, strlen(good), &result, msg, sizeof msg), 0);
    CHECK_INT(result, 1);
    const char *missing = "{\"id\":\"1\",\"source\":\"s\"}";
    CHECK_INT(ev_pattern_test(pat, strlen(pat), missing, strlen(missing), &result, msg, sizeof msg),
              RN_ERR_VALIDATION);
    CHECK_STR(msg, "Parameter Event is not valid.");
    CHECK_INT(ev_pattern_test(pat, strlen(pat), "\"plain\"", 7, &result, msg, sizeof msg), RN_ERR_VALIDATION);
    CHECK_INT(ev_pattern_test(pat, strlen(pat), "[1]", 3, &result, msg, sizeof msg), RN_ERR_VALIDATION);
    const char *badtime = "{\"id\":\"1\",\"account\":\"1\",\"source\":\"s\",\"time\":\"now\",\"region\":\"r\","
                          "\"detail-type\":\"t\"}";
    CHECK_INT(ev_pattern_test(pat, strlen(pat), badtime, strlen(badtime), &result, msg, sizeof msg),
              RN_ERR_VALIDATION);
    CHECK_STR(msg, "Parameter Event is not valid. Reason: Invalid time.");
}

TEST(test_malformed_event_never_matches)
{
    CHECK_INT(match("{\"a\":[{\"exists\":false}]}", "{\"b\":1"), 0);
    CHECK_INT(match("{\"a\":[{\"exists\":false}]}", "{\"b\":01}"), 0);
    CHECK_INT(match("{\"a\":[{\"exists\":false}]}", "{\"b\":1} x"), 0);
}

UNIT_MAIN()
