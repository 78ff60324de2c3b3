/* SPDX-License-Identifier: MIT
 * SNS subscription filter policies, one behaviour per test, in the order of
 * the SNS developer guide: attribute matching by operator (exact, prefix,
 * suffix, equals-ignore-case, anything-but, numeric, cidr, exists, $or), the
 * attribute data types (String.Array, Number, Binary), MessageBody policies
 * with nested and dotted keys, then the limits and AWS's error messages as
 * recorded from real SNS (LocalStack's test_sns_filter_policy snapshots). */
#include <string.h>

#include "core/err.h"
#include "sns/filter.h"
#include "unit.h"

#define LOC(l, c) "\n at [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: " #l ", column: " #c "]"

/* Matches a policy against attributes given as JSON text (name -> {DataType,
 * StringValue}); -1 if the policy does not compile. */
static int match_attrs(const char *policy, const char *attrs)
{
    sns_filter_t *f = NULL;
    char msg[2048];
    if (sns_filter_compile(policy, strlen(policy), SNS_SCOPE_ATTRIBUTES, &f, msg, sizeof msg) != 0) {
        fprintf(stderr, "  compile failed: %s\n", msg);
        return -1;
    }
    json_t *a = attrs ? json_loads(attrs, 0, NULL) : NULL;
    int r = sns_filter_match(f, a, "not json", 8);
    json_decref(a);
    sns_filter_free(f);
    return r;
}

static int match_body(const char *policy, const char *body)
{
    sns_filter_t *f = NULL;
    char msg[2048];
    if (sns_filter_compile(policy, strlen(policy), SNS_SCOPE_BODY, &f, msg, sizeof msg) != 0) {
        fprintf(stderr, "  compile failed: %s\n", msg);
        return -1;
    }
    json_t *a = json_loads("{\"x\":{\"DataType\":\"String\",\"StringValue\":\"y\"}}", 0, NULL);
    int r = sns_filter_match(f, a, body, strlen(body));
    json_decref(a);
    sns_filter_free(f);
    return r;
}

static const char *error_in(const char *policy, int scope)
{
    static char msg[4096];
    sns_filter_t *f = NULL;
    int r = sns_filter_compile(policy, strlen(policy), scope, &f, msg, sizeof msg);
    if (r == 0) {
        sns_filter_free(f);
        return "(compiled)";
    }
    if (r != RN_ERR_INVALID_PARAMETER)
        return "(other error)";
    return msg;
}

static const char *error(const char *policy)
{
    return error_in(policy, SNS_SCOPE_ATTRIBUTES);
}

#define S(v) "{\"DataType\":\"String\",\"StringValue\":\"" v "\"}"
#define N(v) "{\"DataType\":\"Number\",\"StringValue\":\"" v "\"}"
#define A(v) "{\"DataType\":\"String.Array\",\"StringValue\":\"" v "\"}"

/* ---- string matching ---- */

TEST(test_exact_string_match_is_case_sensitive)
{
    const char *p = "{\"customer_interests\":[\"rugby\",\"tennis\"]}";
    CHECK_INT(match_attrs(p, "{\"customer_interests\":" S("rugby") "}"), 1);
    CHECK_INT(match_attrs(p, "{\"customer_interests\":" S("tennis") "}"), 1);
    CHECK_INT(match_attrs(p, "{\"customer_interests\":" S("baseball") "}"), 0);
    CHECK_INT(match_attrs(p, "{\"customer_interests\":" S("Rugby") "}"), 0);
    CHECK_INT(match_attrs(p, "{}"), 0);
    CHECK_INT(match_attrs(p, NULL), 0);
}

TEST(test_every_policy_key_must_match)
{
    const char *p = "{\"store\":[\"example_corp\"],\"event\":[\"order_placed\"]}";
    CHECK_INT(match_attrs(p, "{\"store\":" S("example_corp") ",\"event\":" S("order_placed") "}"), 1);
    CHECK_INT(match_attrs(p, "{\"store\":" S("example_corp") "}"), 0);
    CHECK_INT(match_attrs(p, "{\"store\":" S("example_corp") ",\"event\":" S("x") ",\"other\":" S("y") "}"), 0);
}

TEST(test_prefix_and_suffix)
{
    CHECK_INT(match_attrs("{\"c\":[{\"prefix\":\"bas\"}]}", "{\"c\":" S("basketball") "}"), 1);
    CHECK_INT(match_attrs("{\"c\":[{\"prefix\":\"bas\"}]}", "{\"c\":" S("rugby") "}"), 0);
    CHECK_INT(match_attrs("{\"c\":[{\"suffix\":\"ball\"}]}", "{\"c\":" S("baseball") "}"), 1);
    CHECK_INT(match_attrs("{\"c\":[{\"suffix\":\"ball\"}]}", "{\"c\":" S("ballet") "}"), 0);
}

TEST(test_equals_ignore_case)
{
    const char *p = "{\"c\":[{\"equals-ignore-case\":\"RuGbY\"}]}";
    CHECK_INT(match_attrs(p, "{\"c\":" S("rugby") "}"), 1);
    CHECK_INT(match_attrs(p, "{\"c\":" S("RUGBY") "}"), 1);
    CHECK_INT(match_attrs(p, "{\"c\":" S("rugbys") "}"), 0);
}

TEST(test_anything_but_value_and_list)
{
    const char *p = "{\"c\":[{\"anything-but\":[\"rugby\",\"tennis\"]}]}";
    CHECK_INT(match_attrs(p, "{\"c\":" S("baseball") "}"), 1);
    CHECK_INT(match_attrs(p, "{\"c\":" S("rugby") "}"), 0);
    CHECK_INT(match_attrs(p, "{}"), 0); /* anything-but needs the attribute */
    CHECK_INT(match_attrs("{\"c\":[{\"anything-but\":\"rugby\"}]}", "{\"c\":" S("golf") "}"), 1);
    CHECK_INT(match_attrs("{\"c\":[{\"anything-but\":\"rugby\"}]}", "{\"c\":" S("rugby") "}"), 0);
}

TEST(test_anything_but_prefix)
{
    const char *p = "{\"event\":[{\"anything-but\":{\"prefix\":\"order-\"}}]}";
    CHECK_INT(match_attrs(p, "{\"event\":" S("data-entry") "}"), 1);
    CHECK_INT(match_attrs(p, "{\"event\":" S("order_number") "}"), 1);
    CHECK_INT(match_attrs(p, "{\"event\":" S("order-cancelled") "}"), 0);
}

TEST(test_anything_but_numbers)
{
    const char *p = "{\"price\":[{\"anything-but\":[100,500]}]}";
    CHECK_INT(match_attrs(p, "{\"price\":" N("101") "}"), 1);
    CHECK_INT(match_attrs(p, "{\"price\":" N("100.1") "}"), 1);
    CHECK_INT(match_attrs(p, "{\"price\":" N("100") "}"), 0);
    CHECK_INT(match_attrs(p, "{\"price\":" N("1e2") "}"), 0);
}

TEST(test_anything_but_or_null_with_no_attribute_does_not_match)
{
    /* recorded: {"attr1": [null, {"anything-but": "whatever"}]} and no attributes: not delivered */
    CHECK_INT(match_attrs("{\"attr1\":[null,{\"anything-but\":\"whatever\"}]}", "{}"), 0);
    CHECK_INT(match_attrs("{\"attr1\":[null,{\"anything-but\":\"whatever\"}]}", "{\"attr1\":" S("x") "}"), 1);
}

/* ---- numeric matching ---- */

TEST(test_numeric_equals_by_value)
{
    const char *p = "{\"price_usd\":[{\"numeric\":[\"=\",301.5]}]}";
    CHECK_INT(match_attrs(p, "{\"price_usd\":" N("301.5") "}"), 1);
    CHECK_INT(match_attrs(p, "{\"price_usd\":" N("3.015e2") "}"), 1);
    CHECK_INT(match_attrs(p, "{\"price_usd\":" N("301.50001") "}"), 0);
    CHECK_INT(match_attrs("{\"n\":[5]}", "{\"n\":" N("5.0") "}"), 1);
}

TEST(test_numeric_ranges)
{
    const char *p = "{\"attr1\":[{\"numeric\":[\">\",0,\"<=\",100]}]}";
    CHECK_INT(match_attrs(p, "{\"attr1\":" N("99") "}"), 1);
    CHECK_INT(match_attrs(p, "{\"attr1\":" N("100") "}"), 1);
    CHECK_INT(match_attrs(p, "{\"attr1\":" N("111") "}"), 0);
    CHECK_INT(match_attrs(p, "{\"attr1\":" N("0") "}"), 0);
    CHECK_INT(match_attrs("{\"p\":[{\"numeric\":[\"<\",0]}]}", "{\"p\":" N("-0.5") "}"), 1);
    CHECK_INT(match_attrs("{\"p\":[{\"numeric\":[\">=\",1000000000]}]}", "{\"p\":" N("1000000000") "}"), 1);
}

TEST(test_string_and_number_types_do_not_cross)
{
    /* a String attribute is a string to the engine, a Number one a number */
    CHECK_INT(match_attrs("{\"n\":[{\"numeric\":[\"=\",5]}]}", "{\"n\":" S("5") "}"), 0);
    CHECK_INT(match_attrs("{\"n\":[5]}", "{\"n\":" S("5") "}"), 0);
    CHECK_INT(match_attrs("{\"n\":[\"5\"]}", "{\"n\":" N("5") "}"), 0);
    CHECK_INT(match_attrs("{\"n\":[\"5\"]}", "{\"n\":" S("5") "}"), 1);
    /* a custom type label keeps the base type */
    CHECK_INT(match_attrs("{\"n\":[5]}", "{\"n\":{\"DataType\":\"Number.int\",\"StringValue\":\"5\"}}"), 1);
    CHECK_INT(match_attrs("{\"n\":[\"5\"]}", "{\"n\":{\"DataType\":\"String.id\",\"StringValue\":\"5\"}}"), 1);
}

/* ---- IP addresses ---- */

TEST(test_cidr)
{
    const char *p = "{\"source_ip\":[{\"cidr\":\"10.0.0.0/24\"}]}";
    CHECK_INT(match_attrs(p, "{\"source_ip\":" S("10.0.0.0") "}"), 1);
    CHECK_INT(match_attrs(p, "{\"source_ip\":" S("10.0.0.255") "}"), 1);
    CHECK_INT(match_attrs(p, "{\"source_ip\":" S("10.1.1.0") "}"), 0);
    CHECK_INT(match_attrs(p, "{\"source_ip\":" S("not an ip") "}"), 0);
    const char *v6 = "{\"ip\":[{\"cidr\":\"2001:db8:1234:1a00::/64\"}]}";
    CHECK_INT(match_attrs(v6, "{\"ip\":" S("2001:0db8:1234:1a00:0000:0000:0000:0000") "}"), 1);
    CHECK_INT(match_attrs(v6, "{\"ip\":" S("2001:0db8:123f:1a01:0000:0000:0000:0000") "}"), 0);
}

/* ---- key matching ---- */

TEST(test_exists_true_and_false)
{
    CHECK_INT(match_attrs("{\"store\":[{\"exists\":true}]}", "{\"store\":" N("99") ",\"def\":" N("99") "}"), 1);
    CHECK_INT(match_attrs("{\"store\":[{\"exists\":true}]}", "{\"attr1\":" N("111") "}"), 0);
    CHECK_INT(match_attrs("{\"store\":[{\"exists\":false}]}", "{\"def\":" N("99") "}"), 1);
    CHECK_INT(match_attrs("{\"store\":[{\"exists\":false}]}", "{\"store\":" N("99") "}"), 0);
    CHECK_INT(match_attrs("{\"store\":[{\"exists\":false}]}", NULL), 1);
}

/* ---- $or ---- */

TEST(test_or_operator)
{
    const char *p = "{\"source\":[\"aws.cloudwatch\"],\"$or\":[{\"metricName\":[\"CPUUtilization\"]},"
                    "{\"namespace\":[\"AWS/EC2\"]}]}";
    CHECK_INT(match_attrs(p, "{\"source\":" S("aws.cloudwatch") ",\"metricName\":" S("CPUUtilization") "}"), 1);
    CHECK_INT(match_attrs(p, "{\"source\":" S("aws.cloudwatch") ",\"namespace\":" S("AWS/EC2") "}"), 1);
    CHECK_INT(match_attrs(p, "{\"source\":" S("aws.cloudwatch") ",\"namespace\":" S("AWS/ES") "}"), 0);
    CHECK_INT(match_attrs(p, "{\"metricName\":" S("CPUUtilization") "}"), 0);
}

TEST(test_nested_or)
{
    const char *p = "{\"a\":[\"1\"],\"$or\":[{\"b\":[\"2\"]},{\"c\":[\"3\"],\"$or\":[{\"d\":[\"4\"]},{\"e\":[\"5\"]}]}]}";
    CHECK_INT(match_attrs(p, "{\"a\":" S("1") ",\"c\":" S("3") ",\"e\":" S("5") "}"), 1);
    CHECK_INT(match_attrs(p, "{\"a\":" S("1") ",\"c\":" S("3") "}"), 0);
    CHECK_INT(match_attrs(p, "{\"a\":" S("1") ",\"b\":" S("2") "}"), 1);
}

/* ---- attribute data types ---- */

TEST(test_string_array_matches_if_any_element_matches)
{
    const char *p = "{\"store\":[\"value1\"]}";
    CHECK_INT(match_attrs(p, "{\"store\":" A("[\\\"value1\\\", \\\"value2\\\"]") "}"), 1);
    CHECK_INT(match_attrs(p, "{\"store\":" A("[\\\"value2\\\", \\\"value3\\\"]") "}"), 0);
    CHECK_INT(match_attrs("{\"n\":[{\"numeric\":[\">\",10]}]}", "{\"n\":" A("[1, 20]") "}"), 1);
    CHECK_INT(match_attrs("{\"n\":[{\"prefix\":\"ab\"}]}", "{\"n\":" A("[\\\"x\\\", \\\"abc\\\"]") "}"), 1);
    /* not an array: nothing to match, but the attribute exists */
    CHECK_INT(match_attrs(p, "{\"store\":" A("value1") "}"), 0);
    CHECK_INT(match_attrs("{\"store\":[{\"exists\":true}]}", "{\"store\":" A("[]") "}"), 1);
}

TEST(test_string_array_anything_but_needs_no_element_excluded)
{
    const char *p = "{\"c\":[{\"anything-but\":[\"rugby\",\"tennis\"]}]}";
    CHECK_INT(match_attrs(p, "{\"c\":" A("[\\\"baseball\\\", \\\"golf\\\"]") "}"), 1);
    CHECK_INT(match_attrs(p, "{\"c\":" A("[\\\"rugby\\\", \\\"baseball\\\"]") "}"), 0);
    CHECK_INT(match_attrs(p, "{\"c\":" A("[]") "}"), 0);
    const char *pre = "{\"c\":[{\"anything-but\":{\"prefix\":\"x-\"}}]}";
    CHECK_INT(match_attrs(pre, "{\"c\":" A("[\\\"a\\\", \\\"x-b\\\"]") "}"), 0);
    CHECK_INT(match_attrs(pre, "{\"c\":" A("[\\\"a\\\", \\\"b\\\"]") "}"), 1);
}

TEST(test_binary_attributes_are_ignored)
{
    const char *bin = "{\"b\":{\"DataType\":\"Binary\",\"BinaryValue\":\"AQID\"}}";
    CHECK_INT(match_attrs("{\"b\":[{\"exists\":true}]}", bin), 0);
    CHECK_INT(match_attrs("{\"b\":[{\"exists\":false}]}", bin), 1);
    CHECK_INT(match_attrs("{\"b\":[\"AQID\"]}", bin), 0);
}

TEST(test_attribute_names_are_literal)
{
    /* a dot in an attribute name is part of the name */
    CHECK_INT(match_attrs("{\"a.b\":[\"x\"]}", "{\"a.b\":" S("x") "}"), 1);
    CHECK_INT(match_attrs("{\"a.b\":[\"x\"]}", "{\"a\":" S("x") "}"), 0);
}

/* ---- message body scope ---- */

TEST(test_body_nested_policy)
{
    const char *p = "{\"object\":{\"key\":[{\"prefix\":\"auto-\"},\"hardcodedvalue\"],\"nested_key\":[{\"exists\":false}]},"
                    "\"test\":[{\"exists\":false}]}";
    CHECK_INT(match_body(p, "{\"object\":{\"key\":\"auto-test\"}}"), 1);
    CHECK_INT(match_body(p, "{\"object\":{\"key\":\"hardcodedvalue\"}}"), 1);
    CHECK_INT(match_body(p, "{\"object\":{\"key\":\"test-auto\"}}"), 0);
    CHECK_INT(match_body(p, "{\"object\":{\"key\":\"auto-test\"},\"test\":\"just-exists\"}"), 0);
    CHECK_INT(match_body(p, "{\"object\":{\"key\":\"auto-test\",\"nested_key\":\"just-exists\"}}"), 0);
    CHECK_INT(match_body(p, "{\"test\":\"auto-test\"}"), 0);
}

TEST(test_body_must_be_a_json_object)
{
    const char *p = "{\"a\":[{\"exists\":false}]}";
    CHECK_INT(match_body(p, "{}"), 1);
    CHECK_INT(match_body(p, "Regular string message"), 0);
    CHECK_INT(match_body(p, "\"Regular string message\""), 0);
    CHECK_INT(match_body(p, "[1]"), 0);
}

TEST(test_body_dotted_keys_match_both_ways)
{
    const char *p = "{\"object.nested\":[\"string.value\"]}";
    CHECK_INT(match_body(p, "{\"object\":{\"nested\":\"string.value\"}}"), 1);
    CHECK_INT(match_body(p, "{\"object.nested\":\"string.value\"}"), 1);
    CHECK_INT(match_body(p, "{\"object\":{\"nested\":\"test-auto\"}}"), 0);
}

TEST(test_body_arrays_and_or)
{
    CHECK_INT(match_body("{\"headers\":{\"route-to\":[\"queue1\"]}}", "{\"headers\":{\"route-to\":[\"queue1\",\"queue2\"]}}"),
              1);
    CHECK_INT(match_body("{\"headers\":{\"route-to\":[\"queue1\"]}}", "{\"headers\":{\"route-to\":[\"queue3\"]}}"), 0);
    const char *p = "{\"Records\":{\"s3\":{\"object\":{\"key\":[{\"prefix\":\"auto-\"}]}},"
                    "\"eventName\":[{\"prefix\":\"ObjectCreated:\"}]}}";
    CHECK_INT(match_body(p, "{\"Records\":[{\"eventName\":\"ObjectCreated:Put\",\"s3\":{\"object\":{\"key\":\"auto-1\"}}}]}"),
              1);
    CHECK_INT(
        match_body(p, "{\"Records\":[{\"eventName\":\"ObjectRemoved:Delete\",\"s3\":{\"object\":{\"key\":\"auto-1\"}}}]}"),
        0);
    const char *ip = "{\"detail\":{\"$or\":[{\"sourceIPAddress\":[{\"cidr\":\"10.0.0.0/24\"}]},"
                     "{\"sourceIPAddressV6\":[{\"cidr\":\"2001:db8:1234:1a00::/64\"}]}]}}";
    CHECK_INT(match_body(ip, "{\"detail\":{\"sourceIPAddress\":\"10.0.0.255\"}}"), 1);
    CHECK_INT(match_body(ip, "{\"detail\":{\"sourceIPAddress\":\"10.0.0.256\"}}"), 0);
    CHECK_INT(match_body("{\"detail\":{\"eventVersion\":[\"\"]}}",
                         "{\"resources\":[],\"detail\":{\"eventVersion\":\"\",\"responseElements\":null}}"),
              1);
}

/* ---- limits ---- */

TEST(test_five_keys)
{
    CHECK_STR(error("{\"key1\":[\"value1\"],\"key2\":[\"value2\"],\"key3\":[\"value3\"],\"key4\":[\"value4\"],"
                    "\"key5\":[\"value5\"],\"key6\":[\"value6\"]}"),
              "Invalid parameter: FilterPolicy: Filter policy can not have more than 5 keys");
    CHECK_STR(error("{\"key1\":[\"value1\"],\"key2\":[\"value2\"],\"key3\":[\"value3\"],\"key4\":[\"value4\"],"
                    "\"key5\":[\"value5\"]}"),
              "(compiled)");
    /* nested: the keys that hold values count, their parents do not */
    CHECK_STR(error_in("{\"a\":{\"b\":[\"1\"],\"c\":[\"1\"],\"d\":[\"1\"]},\"e\":{\"f\":[\"1\"],\"g\":[\"1\"]}}", SNS_SCOPE_BODY),
              "(compiled)");
    CHECK_STR(error_in("{\"a\":{\"b\":[\"1\"],\"c\":[\"1\"],\"d\":[\"1\"]},\"e\":{\"f\":[\"1\"],\"g\":[\"1\"],\"h\":[\"1\"]}}",
                       SNS_SCOPE_BODY),
              "Invalid parameter: FilterPolicy: Filter policy can not have more than 5 keys");
}

static const char *values_policy(char *buf, size_t cap, const char *key, int n, const char *rest)
{
    size_t at = (size_t)snprintf(buf, cap, "{\"%s\":[", key);
    for (int i = 0; i < n; i++)
        at += (size_t)snprintf(buf + at, cap - at, "%s\"value%d\"", i ? "," : "", i);
    snprintf(buf + at, cap - at, "]%s}", rest);
    return buf;
}

TEST(test_150_combinations)
{
    char p[8192];
    CHECK_STR(error(values_policy(p, sizeof p, "key", 150, "")), "(compiled)");
    CHECK_STR(error(values_policy(p, sizeof p, "key", 151, "")),
              "Invalid parameter: FilterPolicy: Filter policy is too complex");
    /* 100 x 51 */
    char rest[2048];
    size_t at = (size_t)snprintf(rest, sizeof rest, ",\"key2\":[");
    for (int i = 0; i < 51; i++)
        at += (size_t)snprintf(rest + at, sizeof rest - at, "%s%d", i ? "," : "", i);
    snprintf(rest + at, sizeof rest - at, "]");
    CHECK_STR(error(values_policy(p, sizeof p, "key1", 100, rest)),
              "Invalid parameter: FilterPolicy: Filter policy is too complex");
}

TEST(test_or_combinations_add_up)
{
    /* 4*6 + 4*4*4 + 4*4*4 = 152 */
    CHECK_STR(error("{\"source\":[\"a\",\"b\",\"c\",\"d\"],\"$or\":[{\"metricName\":[\"1\",\"2\",\"3\",\"4\",\"5\",\"6\"]},"
                    "{\"metricType\":[\"1\",\"2\",\"3\",\"4\"],\"$or\":[{\"metricId\":[1,2,3,4]},{\"spaceId\":[1,2,3,4]}]}]}"),
              "Invalid parameter: FilterPolicy: Filter policy is too complex");
    /* 3*6 + 3*4*4 + 3*4*7 = 150 */
    CHECK_STR(error("{\"source\":[\"a\",\"b\",\"c\"],\"$or\":[{\"metricName\":[\"1\",\"2\",\"3\",\"4\",\"5\",\"6\"]},"
                    "{\"metricType\":[\"1\",\"2\",\"3\",\"4\"],\"$or\":[{\"metricId\":[1,2,3,4]},{\"spaceId\":[1,2,3,4,5,6,7]}]}]}"),
              "(compiled)");
}

TEST(test_nested_combinations_count_depth)
{
    /* (3*1) x (2*2) x (2*1 + 2*3) ... summed over $or: 160 > 150 */
    CHECK_STR(error_in("{\"$or\":[{\"metricName\":[\"a\",\"b\",\"c\"]},{\"namespace\":[\"d\",\"e\"]}],"
                       "\"detail\":{\"scope\":[\"Service\",\"Test\"],\"$or\":[{\"source\":[\"aws.cloudwatch\"]},"
                       "{\"type\":[\"x\",\"y\",\"z\"]}]}}",
                       SNS_SCOPE_BODY),
              "Invalid parameter: FilterPolicy: Filter policy is too complex");
    /* 3*4 x 2*3 x 1*3 = 216 */
    CHECK_STR(error_in("{\"key_a\":{\"key_b\":{\"key_c\":[\"1\",\"2\",\"3\",\"4\"]}},\"key_d\":{\"key_e\":[\"1\",\"2\",\"3\"]},"
                       "\"key_f\":[\"1\",\"2\",\"3\"]}",
                       SNS_SCOPE_BODY),
              "Invalid parameter: FilterPolicy: Filter policy is too complex");
    /* the guide's example: 3*4 x 2*3 = 72 */
    CHECK_STR(error_in("{\"key_a\":{\"key_b\":{\"key_c\":[\"1\",\"2\",\"3\",\"4\"]}},\"key_d\":{\"key_e\":[\"1\",\"2\",\"3\"]}}",
                       SNS_SCOPE_BODY),
              "(compiled)");
}

TEST(test_attribute_scope_refuses_nesting)
{
    CHECK_STR(error("{\"object\":{\"key\":[{\"prefix\":\"auto-\"}]}}"),
              "Invalid parameter: Filter policy scope MessageAttributes does not support nested filter policy");
    CHECK_STR(error_in("{\"object\":{\"key\":[{\"prefix\":\"auto-\"}]}}", SNS_SCOPE_BODY), "(compiled)");
}

TEST(test_policy_size_limit)
{
    static char big[SNS_FILTER_MAX_BYTES + 16];
    memset(big, ' ', sizeof big - 1);
    memcpy(big, "{\"a\":[\"b\"]}", 11);
    big[SNS_FILTER_MAX_BYTES] = 0;
    CHECK_STR(error(big), "(compiled)");
    big[SNS_FILTER_MAX_BYTES] = ' ';
    big[SNS_FILTER_MAX_BYTES + 1] = 0;
    CHECK_STR(error(big), "Invalid parameter: FilterPolicy: Filter policy is too large");
}

/* ---- AWS's messages for invalid policies ---- */

TEST(test_error_malformed_json)
{
    CHECK_STR(error("{invalidjson}"), "Invalid parameter: FilterPolicy: failed to parse JSON. Unexpected character ('i' "
                                      "(code 105)): was expecting double-quote to start field name" LOC(1, 2));
    CHECK_STR(error("invalid-json"), "Invalid parameter: FilterPolicy: failed to parse JSON. Unrecognized token "
                                     "'invalid': was expecting (JSON String, Number, Array, Object or token 'null', "
                                     "'true' or 'false')" LOC(1, 8));
}

TEST(test_error_match_values)
{
    CHECK_STR(error("{\"key\":[[\"value\"]]}"),
              "Invalid parameter: FilterPolicy: Match value must be String, number, true, false, or null" LOC(1, 10));
    CHECK_STR(error("{\"key\":[{\"wrong-operator\":true}]}"),
              "Invalid parameter: FilterPolicy: Unrecognized match type wrong-operator" LOC(1, 31));
    CHECK_STR(error("{\"key\":[{\"suffix\":\"value\",\"prefix\":\"value2\"}]}"),
              "Invalid parameter: FilterPolicy: Only one key allowed in match expression" LOC(1, 37));
    CHECK_STR(error("{\"key\":[]}"), "Invalid parameter: FilterPolicy: Empty arrays are not allowed" LOC(1, 10));
    CHECK_STR(error("{\"key_a\":\"value_one\"}"),
              "Invalid parameter: FilterPolicy: \"key_a\" must be an object or an array" LOC(1, 11));
}

TEST(test_error_string_operators)
{
    CHECK_STR(error("{\"key\":[{\"suffix\":100}]}"),
              "Invalid parameter: FilterPolicy: suffix match pattern must be a string" LOC(1, 22));
    CHECK_STR(error("{\"key\":[{\"suffix\":null}]}"),
              "Invalid parameter: FilterPolicy: suffix match pattern must be a string" LOC(1, 23));
    CHECK_STR(error("{\"key\":{\"suffix\":\"value\"}}"),
              "Invalid parameter: FilterPolicy: \"suffix\" must be an object or an array" LOC(1, 19));
    CHECK_STR(error("{\"key\":[{\"suffix\":[]}]}"),
              "Invalid parameter: FilterPolicy: suffix match pattern must be a string" LOC(1, 20));
    CHECK_STR(error("{\"key\":{\"not-an-operator\":\"value\"}}"),
              "Invalid parameter: FilterPolicy: \"not-an-operator\" must be an object or an array" LOC(1, 28));
    CHECK_STR(error("{\"key\":[{\"cidr\":[\"bad-filter\"]}]}"),
              "Invalid parameter: FilterPolicy: prefix match pattern must be a string" LOC(1, 18));
}

TEST(test_error_cidr)
{
    CHECK_STR(error("{\"key\":[{\"cidr\":\"bad-filter\"}]}"),
              "Invalid parameter: FilterPolicy: Malformed CIDR, one '/' required");
    CHECK_STR(error("{\"key\":[{\"cidr\":\"bad-filter/64\"}]}"),
              "Invalid parameter: FilterPolicy: Nonstandard IP address: bad-filter");
    CHECK_STR(error("{\"key\":[{\"cidr\":\"bad-/64filter\"}]}"),
              "Invalid parameter: FilterPolicy: Malformed CIDR, mask bits must be an integer");
    CHECK_STR(error("{\"key\":[{\"cidr\":\"xx.11.xx/8\"}]}"),
              "Invalid parameter: FilterPolicy: Nonstandard IP address: xx.11.xx");
    CHECK_STR(error("{\"key\":[{\"cidr\":\"xxxx:db8:1234:1a00::/64\"}]}"),
              "Invalid parameter: FilterPolicy: Nonstandard IP address: xxxx:db8:1234:1a00::");
}

TEST(test_error_numeric)
{
    CHECK_STR(error("{\"key\":[{\"numeric\":[]}]}"),
              "Invalid parameter: FilterPolicy: Invalid member in numeric match: ]" LOC(1, 22));
    CHECK_STR(error("{\"key\":[{\"numeric\":[\"operator\"]}]}"),
              "Invalid parameter: FilterPolicy: Unrecognized numeric range operator: operator" LOC(1, 32));
    CHECK_STR(error("{\"key\":[{\"numeric\":[1,\"<=\"]}]}"),
              "Invalid parameter: FilterPolicy: Invalid member in numeric match: 1" LOC(1, 22));
    CHECK_STR(error("{\"key\":[{\"numeric\":[\"=\",\"000\"]}]}"),
              "Invalid parameter: FilterPolicy: Value of equals must be numeric" LOC(1, 26));
    CHECK_STR(error("{\"key\":[{\"numeric\":[\">=\"]}]}"),
              "Invalid parameter: FilterPolicy: Value of >= must be numeric" LOC(1, 26));
    CHECK_STR(error("{\"key\":[{\"numeric\":[\"<\",100,\">\",10]}]}"),
              "Invalid parameter: FilterPolicy: Too many elements in numeric expression" LOC(1, 30));
    CHECK_STR(error("{\"key\":[{\"numeric\":[\">=\",1,\">\",2]}]}"),
              "Invalid parameter: FilterPolicy: Bad numeric range operator: >" LOC(1, 31));
    CHECK_STR(error("{\"key\":[{\"numeric\":[\">\",3,\"<\",1]}]}"),
              "Invalid parameter: FilterPolicy: Bottom must be less than top" LOC(1, 33));
    CHECK_STR(error("{\"key\":[{\"numeric\":[\">\",20,\"<=\"]}]}"),
              "Invalid parameter: FilterPolicy: Value of <= must be numeric" LOC(1, 33));
    CHECK_STR(error("{\"key\":[{\"numeric\":[\">\",20,30]}]}"),
              "Invalid parameter: FilterPolicy: Bad value in numeric range: 30" LOC(1, 30));
    CHECK_STR(error("{\"key\":[{\"numeric\":[\">\",20,\"test\"]}]}"),
              "Invalid parameter: FilterPolicy: Bad numeric range operator: test" LOC(1, 34));
    CHECK_STR(error("{\"key\":[{\"numeric\":[\">\",\"20\",\"<\",\"30\"]}]}"),
              "Invalid parameter: FilterPolicy: Value of > must be numeric" LOC(1, 26));
    CHECK_STR(error("{\"key\":[{\"numeric\":[\">\",20,\"<\",\"30\"]}]}"),
              "Invalid parameter: FilterPolicy: Value of < must be numeric" LOC(1, 33));
    CHECK_STR(error("{\"key\":[{\"numeric\":[\">\",20,\"<\",30,\"<\",50]}]}"),
              "Invalid parameter: FilterPolicy: Too many terms in numeric range expression" LOC(1, 36));
}

TEST(test_error_exists)
{
    CHECK_STR(error("{\"key\":[{\"exists\":null}]}"),
              "Invalid parameter: FilterPolicy: exists match pattern must be either true or false." LOC(1, 23));
    CHECK_STR(error("{\"key\":[{\"exists\":\"no\"}]}"),
              "Invalid parameter: FilterPolicy: exists match pattern must be either true or false." LOC(1, 20));
}

TEST(test_error_anything_but_forms_sns_lacks)
{
    CHECK_STR(error("{\"key\":[{\"anything-but\":{\"wrong-operator\":null}}]}"),
              "Invalid parameter: FilterPolicy: Unsupported anything-but pattern: wrong-operator" LOC(1, 47));
    CHECK_STR(error("{\"key\":[{\"anything-but\":{\"suffix\":\"test\"}}]}"),
              "Invalid parameter: FilterPolicy: Unsupported anything-but pattern: suffix" LOC(1, 36));
    CHECK_STR(error("{\"key\":[{\"anything-but\":{\"exists\":false}}]}"),
              "Invalid parameter: FilterPolicy: Unsupported anything-but pattern: exists" LOC(1, 40));
    CHECK_STR(error("{\"key\":[{\"anything-but\":{\"prefix\":false}}]}"),
              "Invalid parameter: FilterPolicy: prefix match pattern must be a string" LOC(1, 40));
    CHECK_STR(error("{\"key\":[{\"anything-but\":{\"prefix\":\"test-\"}}]}"), "(compiled)");
    CHECK_STR(error("{\"key\":[{\"anything-but\":[\"test\",\"test2\"]}]}"), "(compiled)");
    CHECK_STR(error("{\"key\":[{\"wildcard\":\"a*\"}]}"),
              "Invalid parameter: FilterPolicy: Unrecognized match type wildcard" LOC(1, 22));
}

TEST(test_subscribe_form_of_messages)
{
    char msg[256] = "Invalid parameter: FilterPolicy: Filter policy is too complex";
    sns_filter_subscribe_message(msg, sizeof msg);
    CHECK_STR(msg, "Invalid parameter: Attributes Reason: FilterPolicy: Filter policy is too complex");
    char small[40] = "Invalid parameter: FilterPolicy: x";
    sns_filter_subscribe_message(small, sizeof small);
    CHECK_INT(strlen(small) < sizeof small, 1);
    CHECK_INT(strncmp(small, "Invalid parameter: Attributes Reason: ", 38), 0);
}

TEST(test_empty_anything_but_list_is_internal)
{
    sns_filter_t *f = NULL;
    char msg[256];
    CHECK_INT(sns_filter_compile("{\"a\":[{\"anything-but\":[]}]}", 27, SNS_SCOPE_ATTRIBUTES, &f, msg, sizeof msg),
              RN_ERR_INTERNAL);
    CHECK(f == NULL);
}

TEST(test_empty_policy_matches_everything)
{
    CHECK_INT(match_attrs("{}", NULL), 1);
    CHECK_INT(match_attrs("{}", "{\"a\":" S("b") "}"), 1);
}

UNIT_MAIN()
