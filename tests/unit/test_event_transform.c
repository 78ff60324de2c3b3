/* SPDX-License-Identifier: MIT
 * Target input transformation (Input, InputPath, InputTransformer). The test
 * vectors are AWS's own: the user guide's input/output table for the EC2
 * event, the API reference's InputTemplate examples, and outputs and error
 * messages recorded against AWS (LocalStack's validated snapshots, AWS CLI
 * issue reports). Then exact numbers and strings, missing paths, the
 * predefined variables, and every validation error PutTargets gives. */
#include <string.h>

#include <jansson.h>

#include "core/err.h"
#include "core/mem.h"
#include "pattern/pattern.h"
#include "unit.h"

/* The example EC2 event of "Amazon EventBridge input transformation". */
static const char ec2_event[] =
    "{\"version\":\"0\",\"id\":\"7bf73129-1428-4cd3-a780-95db273d1602\",\"detail-type\":\"EC2 Instance State-change "
    "Notification\",\"source\":\"aws.ec2\",\"account\":\"123456789012\",\"time\":\"2015-11-11T21:29:54Z\",\"region\":"
    "\"us-east-1\",\"resources\":[\"arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111\"],\"detail\":{"
    "\"instance-id\":\"i-0123456789\",\"state\":\"RUNNING\"}}";
static const char ec2_paths[] = "{\"timestamp\":\"$.time\",\"instance\":\"$.detail.instance-id\","
                                "\"state\":\"$.detail.state\",\"resource\":\"$.resources[0]\"}";

/* The event LocalStack's AWS-validated transformer tests publish. */
static const char special_event[] =
    "{\"version\":\"0\",\"id\":\"e1\",\"detail-type\":\"core.update-account-command\",\"source\":"
    "\"core.update-account-command\",\"account\":\"111111111111\",\"time\":\"date\",\"region\":\"us-east-1\","
    "\"resources\":[],\"detail\":{\"command\":\"update-account\",\"payload\":{\"acc_id\":\"0a787ecb-4015\","
    "\"sf_id\":\"baz\"},\"listsingle\":[\"HIGH\"],\"listmulti\":[\"ACTIVE\",\"INACTIVE\"],\"valid\":true}}";
static const char special_paths[] =
    "{\"userId\":\"$.detail.payload.acc_id\",\"payload\":\"$.detail.payload\",\"systemstring\":"
    "\"$.detail.awsAccountId\",\"listsingle\":\"$.detail.listsingle\",\"listmulti\":\"$.detail.listmulti\","
    "\"valid\":\"$.detail.valid\"}";

/* An order event with values that must survive byte for byte. */
static const char order_event[] =
    "{\"version\":\"0\",\"id\":\"o1\",\"detail-type\":\"Order Created\",\"source\":\"com.shop\",\"account\":"
    "\"123456789012\",\"time\":\"2024-01-02T03:04:05Z\",\"region\":\"eu-west-1\",\"resources\":[],\"detail\":{"
    "\"orderId\":\"A-1\",\"total\":19.99,\"huge\":1e400,\"exp\":1E+2,\"negzero\":-0.0,"
    "\"bigint\":123456789012345678901234567890,\"note\":\"caf\\u00e9 \\\"q\\\" \\\\ \\n end\","
    "\"utf8\":\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\",\"none\":null,\"flag\":false,"
    "\"items\":[{\"sku\":\"a\",\"qty\":2},{\"sku\":\"b\",\"qty\":1}]}}";

static const ev_transform_ctx_t docs_ctx = {"arn:aws:events:us-east-2:123456789012:rule/example", "example",
                                            "2015-11-11T21:29:55Z"};

static json_t *transformer(const char *paths_json, const char *tmpl)
{
    json_t *it = json_object();
    if (paths_json)
        json_object_set_new(it, "InputPathsMap", json_loads(paths_json, 0, NULL));
    if (tmpl)
        json_object_set_new(it, "InputTemplate", json_string(tmpl));
    return it;
}

/* Compiles a transformer (which must succeed) and applies it; returns the
 * payload (caller frees) and the apply result in *rc. */
static char *render_rc(int *unit_failed_, const char *paths, const char *tmpl, const char *event, int *rc)
{
    json_t *it = transformer(paths, tmpl);
    ev_transform_t *t = NULL;
    char msg[512];
    int crc = ev_transform_compile_target("t1", 1, NULL, NULL, it, &t, msg, sizeof msg);
    json_decref(it);
    if (crc != 0) {
        fprintf(stderr, "  compile failed: %s\n", msg);
        CHECK_INT(crc, 0);
        *rc = crc;
        return NULL;
    }
    char *out = NULL;
    size_t outlen = 0;
    *rc = ev_transform_apply(t, event, strlen(event), &docs_ctx, &out, &outlen);
    if (out)
        CHECK_INT(outlen, strlen(out));
    ev_transform_free(t);
    return out;
}

#define RENDER(paths, tmpl, event, want)                                                                           \
    do {                                                                                                           \
        int rc_;                                                                                                   \
        char *o_ = render_rc(unit_failed_, paths, tmpl, event, &rc_);                                              \
        CHECK_INT(rc_, 0);                                                                                         \
        CHECK_STR(o_, want);                                                                                       \
        rn_free(o_);                                                                                               \
    } while (0)

#define NOT_DELIVERED(paths, tmpl, event, err)                                                                     \
    do {                                                                                                           \
        int rc_;                                                                                                   \
        char *o_ = render_rc(unit_failed_, paths, tmpl, event, &rc_);                                              \
        CHECK_INT(rc_, err);                                                                                       \
        CHECK(o_ == NULL);                                                                                         \
        rn_free(o_);                                                                                               \
    } while (0)

/* Runs PutTargets' checks for target t1 and expects the given error. */
static void expect_error(int *unit_failed_, const char *input, const char *path, json_t *it, int want_rc,
                         const char *want_msg)
{
    ev_transform_t *t = NULL;
    char msg[1024];
    int rc = ev_transform_compile_target("t1", 1, input, path, it, &t, msg, sizeof msg);
    CHECK_INT(rc, want_rc);
    CHECK(t == NULL);
    if (want_msg)
        CHECK_STR(msg, want_msg);
    ev_transform_free(t);
    json_decref(it);
}

static char *path_apply(int *unit_failed_, const char *path, const char *event, int *rc)
{
    ev_transform_t *t = NULL;
    char msg[256];
    CHECK_INT(ev_transform_compile_target("t1", 1, NULL, path, NULL, &t, msg, sizeof msg), 0);
    char *out = NULL;
    *rc = t ? ev_transform_apply(t, event, strlen(event), NULL, &out, NULL) : -1;
    ev_transform_free(t);
    return out;
}

#define INPUT_PATH(path, event, want)                                                                              \
    do {                                                                                                           \
        int rc_;                                                                                                   \
        char *o_ = path_apply(unit_failed_, path, event, &rc_);                                                    \
        CHECK_INT(rc_, 0);                                                                                         \
        CHECK_STR(o_, want);                                                                                       \
        rn_free(o_);                                                                                               \
    } while (0)

/* ---- the user guide's table (EC2 event) ---------------------------------- */

TEST(test_docs_simple_string)
{
    RENDER(ec2_paths, "\"instance <instance> is in <state>\"", ec2_event, "\"instance i-0123456789 is in RUNNING\"");
}

TEST(test_docs_string_with_escaped_quotes)
{
    RENDER(ec2_paths, "\"instance \\\"<instance>\\\" is in <state>\"", ec2_event,
           "\"instance \\\"i-0123456789\\\" is in RUNNING\"");
}

TEST(test_docs_simple_json)
{
    RENDER(ec2_paths, "{\n  \"instance\" : <instance>,\n  \"state\": <state>\n}", ec2_event,
           "{\n  \"instance\" : \"i-0123456789\",\n  \"state\": \"RUNNING\"\n}");
}

TEST(test_docs_json_with_strings_and_variables)
{
    RENDER(ec2_paths,
           "{\n \"instance\" : <instance>,\n \"state\": \"<state>\",\n \"instanceStatus\": \"instance \\\"<instance>\\\" "
           "is in <state>\"\n}",
           ec2_event,
           "{\n \"instance\" : \"i-0123456789\",\n \"state\": \"RUNNING\",\n \"instanceStatus\": \"instance "
           "\\\"i-0123456789\\\" is in RUNNING\"\n}");
}

TEST(test_docs_json_with_mix_of_variables_and_static_information)
{
    RENDER(ec2_paths, "{\n  \"instance\" : <instance>,\n  \"state\": [ 9, <state>, true ],\n  \"Transformed\" : \"Yes\"\n}",
           ec2_event,
           "{\n  \"instance\" : \"i-0123456789\",\n  \"state\": [ 9, \"RUNNING\", true ],\n  \"Transformed\" : "
           "\"Yes\"\n}");
}

TEST(test_docs_reserved_variables_in_json)
{
    RENDER(ec2_paths,
           "{\"instance\" : <instance>, \"state\": <state>, \"ruleArn\" : <aws.events.rule-arn>, \"ruleName\" : "
           "<aws.events.rule-name>, \"originalEvent\" : <aws.events.event>}",
           ec2_event,
           "{\"instance\" : \"i-0123456789\", \"state\": \"RUNNING\", \"ruleArn\" : "
           "\"arn:aws:events:us-east-2:123456789012:rule/example\", \"ruleName\" : \"example\", \"originalEvent\" : "
           "{\"id\":\"7bf73129-1428-4cd3-a780-95db273d1602\",\"account\":\"123456789012\",\"detailType\":\"EC2 "
           "Instance State-change Notification\",\"time\":\"2015-11-11T21:29:54Z\",\"source\":\"aws.ec2\",\"region\":"
           "\"us-east-1\",\"resources\":[\"arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111\"],\"version\":"
           "\"0\"}}");
}

TEST(test_docs_reserved_variable_in_string)
{
    RENDER(NULL, "\"<aws.events.rule-name> triggered\"", ec2_event, "\"example triggered\"");
}

TEST(test_docs_log_group_template_quotes_the_timestamp)
{
    /* The guide's old output (timestamp unquoted, inner quotes unescaped) is
     * invalid JSON; AWS now quotes strings placed outside quotes. */
    RENDER(ec2_paths, "{\"timestamp\" : <timestamp>, \"message\": \"instance \\\"<instance>\\\" is in <state>\"}",
           ec2_event,
           "{\"timestamp\" : \"2015-11-11T21:29:54Z\", \"message\": \"instance \\\"i-0123456789\\\" is in RUNNING\"}");
}

TEST(test_docs_resource_array_index)
{
    RENDER(ec2_paths, "{\"r\": <resource>}", ec2_event,
           "{\"r\": \"arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111\"}");
}

/* ---- the API reference's InputTemplate examples -------------------------- */

static const char api_event[] = "{\"version\":\"0\",\"id\":\"1\",\"detail-type\":\"x\",\"source\":\"s\",\"account\":"
                                "\"1\",\"time\":\"t\",\"region\":\"r\",\"resources\":[],\"detail\":{\"instance\":"
                                "\"i-1\",\"status\":\"running\"}}";
static const char api_paths[] = "{\"instance\":\"$.detail.instance\",\"status\":\"$.detail.status\"}";

TEST(test_api_plain_text_template)
{
    RENDER(api_paths, "<instance> is in state <status>", api_event, "i-1 is in state running");
}

TEST(test_api_plain_text_template_with_quote_marks)
{
    RENDER(api_paths, "<instance> is in state \"<status>\"", api_event, "i-1 is in state \"running\"");
}

TEST(test_api_json_template_variables_in_and_out_of_quotes)
{
    RENDER(api_paths, "{\"myInstance\": <instance>,\"myStatus\": \"<instance> is in state \\\"<status>\\\"\"}",
           api_event, "{\"myInstance\": \"i-1\",\"myStatus\": \"i-1 is in state \\\"running\\\"\"}");
}

/* ---- outputs recorded against AWS (LocalStack validated snapshots) ------- */

TEST(test_recorded_text_template_renders_objects_and_lists_without_quotes)
{
    RENDER(special_paths,
           "\"<listsingle> single list item <listmulti> multiple list items <systemstring> system account id "
           "<payload> payload <userId> user id\"",
           special_event,
           "\"[HIGH] single list item [ACTIVE,INACTIVE] multiple list items  system account id "
           "{acc_id:0a787ecb-4015,sf_id:baz} payload 0a787ecb-4015 user id\"");
}

TEST(test_recorded_text_template_over_several_lines)
{
    RENDER(special_paths, "\"<listsingle> single list item\"\n\"<payload> payload\"", special_event,
           "\"[HIGH] single list item\"\n\"{acc_id:0a787ecb-4015,sf_id:baz} payload\"");
}

TEST(test_recorded_json_template_object_value_unquoted)
{
    RENDER(special_paths, "{\"method\": \"PUT\", \"path\": \"users-service/users/<userId>\", \"bod\": <payload>}",
           special_event,
           "{\"method\": \"PUT\", \"path\": \"users-service/users/0a787ecb-4015\", \"bod\": "
           "{\"acc_id\":\"0a787ecb-4015\",\"sf_id\":\"baz\"}}");
}

TEST(test_recorded_json_template_list_value_unquoted)
{
    RENDER(special_paths, "{\"singlelistitem\": <listsingle>}", special_event, "{\"singlelistitem\": [\"HIGH\"]}");
    RENDER(special_paths, "{\"method\": \"PUT\", \"bod\": [<userId>, \"hardcoded\"]}", special_event,
           "{\"method\": \"PUT\", \"bod\": [\"0a787ecb-4015\", \"hardcoded\"]}");
}

TEST(test_recorded_string_value_quoted_or_not_gives_same_json)
{
    RENDER(special_paths, "{\"id\" : <userId>}", special_event, "{\"id\" : \"0a787ecb-4015\"}");
    RENDER(special_paths, "{\"id\" : \"<userId>\"}", special_event, "{\"id\" : \"0a787ecb-4015\"}");
}

TEST(test_recorded_nested_string_and_repeated_placeholder)
{
    RENDER(special_paths,
           "{\"nested\": {\"level1\": {\"level3\": \"users-service/users/<userId>\"} }, \"bod\": \"<userId>\"}",
           special_event,
           "{\"nested\": {\"level1\": {\"level3\": \"users-service/users/0a787ecb-4015\"} }, \"bod\": "
           "\"0a787ecb-4015\"}");
    RENDER(special_paths, "{\"multi_replacement\": \"users/<userId>/second/<userId>\"}", special_event,
           "{\"multi_replacement\": \"users/0a787ecb-4015/second/0a787ecb-4015\"}");
}

TEST(test_recorded_boolean_in_text_template)
{
    RENDER(special_paths, "\"Command is <valid>!\"", special_event, "\"Command is true!\"");
}

TEST(test_recorded_special_starting_characters_are_text)
{
    RENDER("{\"detail-type\":\"$.detail-type\"}", "\"{[/Check with special starting characters for event of "
           "<detail-type> type\"", special_event,
           "\"{[/Check with special starting characters for event of core.update-account-command type\"");
}

TEST(test_recorded_object_or_list_inside_quotes_is_not_delivered)
{
    NOT_DELIVERED(special_paths, "{\"not_valid\": \"users-service/users/<payload>\", \"bod\": <payload>}",
                  special_event, RN_ERR_VALIDATION);
    NOT_DELIVERED(special_paths, "{\"payload\": \"<payload>\"}", special_event, RN_ERR_VALIDATION);
    NOT_DELIVERED(special_paths, "{\"singlelistitem\": \"<listsingle>\"}", special_event, RN_ERR_VALIDATION);
}

TEST(test_recorded_predefined_variables_in_text)
{
    RENDER(NULL,
           "\"Message containing all pre defined variables <aws.events.rule-arn> <aws.events.rule-name> "
           "<aws.events.event.ingestion-time>\"",
           special_event,
           "\"Message containing all pre defined variables arn:aws:events:us-east-2:123456789012:rule/example "
           "example 2015-11-11T21:29:55Z\"");
}

TEST(test_recorded_event_and_event_json_placeholders)
{
    RENDER(NULL, "{\"originalEvent\": <aws.events.event>, \"originalEventJson\": <aws.events.event.json>}",
           special_event,
           "{\"originalEvent\": {\"id\":\"e1\",\"account\":\"111111111111\",\"detailType\":"
           "\"core.update-account-command\",\"time\":\"date\",\"source\":\"core.update-account-command\",\"region\":"
           "\"us-east-1\",\"resources\":[],\"version\":\"0\"}, \"originalEventJson\": {\"version\":\"0\",\"id\":\"e1\","
           "\"detail-type\":\"core.update-account-command\",\"source\":\"core.update-account-command\",\"account\":"
           "\"111111111111\",\"time\":\"date\",\"region\":\"us-east-1\",\"resources\":[],\"detail\":{\"command\":"
           "\"update-account\",\"payload\":{\"acc_id\":\"0a787ecb-4015\",\"sf_id\":\"baz\"},\"listsingle\":[\"HIGH\"],"
           "\"listmulti\":[\"ACTIVE\",\"INACTIVE\"],\"valid\":true}}}");
}

/* ---- missing paths and null ---------------------------------------------- */

TEST(test_missing_path_in_text_template_renders_nothing)
{
    RENDER("{\"c\":\"$.detail.notinmessage\"}", "\"info extracted from detail <c>\"", special_event,
           "\"info extracted from detail \"");
}

TEST(test_missing_path_unquoted_in_json_renders_empty_string)
{
    RENDER("{\"c\":\"$.detail.notinmessage\"}", "{\"command\": <c>}", special_event, "{\"command\": \"\"}");
}

TEST(test_missing_path_quoted_in_json_renders_nothing)
{
    RENDER("{\"c\":\"$.detail.notinmessage\"}", "{\"command\": \"x<c>y\"}", special_event, "{\"command\": \"xy\"}");
}

TEST(test_index_past_end_or_on_non_array_is_missing)
{
    RENDER("{\"a\":\"$.detail.listsingle[1]\",\"b\":\"$.detail.command[0]\",\"c\":\"$.detail.valid.x\"}",
           "{\"a\": <a>, \"b\": <b>, \"c\": <c>}", special_event, "{\"a\": \"\", \"b\": \"\", \"c\": \"\"}");
}

TEST(test_null_value_renders_null)
{
    RENDER("{\"n\":\"$.detail.none\"}", "{\"a\": <n>, \"b\": \"<n>\"}", order_event, "{\"a\": null, \"b\": \"null\"}");
    RENDER("{\"n\":\"$.detail.none\"}", "value <n>", order_event, "value null");
}

/* ---- exact numbers and strings ------------------------------------------- */

TEST(test_numbers_come_back_as_sent)
{
    RENDER("{\"t\":\"$.detail.total\",\"h\":\"$.detail.huge\",\"e\":\"$.detail.exp\",\"z\":\"$.detail.negzero\","
           "\"b\":\"$.detail.bigint\"}",
           "{\"t\": <t>, \"h\": <h>, \"e\": <e>, \"z\": <z>, \"b\": <b>, \"s\": \"<t> and <h>\"}", order_event,
           "{\"t\": 19.99, \"h\": 1e400, \"e\": 1E+2, \"z\": -0.0, \"b\": 123456789012345678901234567890, \"s\": "
           "\"19.99 and 1e400\"}");
    RENDER("{\"t\":\"$.detail.total\"}", "Total: <t>", order_event, "Total: 19.99");
}

TEST(test_input_path_numbers_come_back_as_sent)
{
    INPUT_PATH("$.detail.total", order_event, "19.99");
    INPUT_PATH("$.detail.huge", order_event, "1e400");
}

TEST(test_json_template_keeps_string_escapes_as_sent)
{
    RENDER("{\"n\":\"$.detail.note\"}", "{\"a\": <n>, \"b\": \"note: <n>\"}", order_event,
           "{\"a\": \"caf\\u00e9 \\\"q\\\" \\\\ \\n end\", \"b\": \"note: caf\\u00e9 \\\"q\\\" \\\\ \\n end\"}");
}

TEST(test_text_template_unescapes_strings)
{
    RENDER("{\"n\":\"$.detail.note\"}", "note: <n>", order_event, "note: caf\xc3\xa9 \"q\" \\ \n end");
}

TEST(test_utf8_passes_through)
{
    RENDER("{\"u\":\"$.detail.utf8\"}", "{\"u\": <u>, \"v\": \"<u>!\"}", order_event,
           "{\"u\": \"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\", \"v\": \"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80!\"}");
    RENDER("{\"u\":\"$.detail.utf8\"}", "<u>", order_event, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
}

TEST(test_surrogate_pair_escape_decodes_in_text_template)
{
    RENDER("{\"s\":\"$.detail.s\"}", "<s>", "{\"detail\":{\"s\":\"\\ud83d\\ude00 \\ud800x\"}}",
           "\xf0\x9f\x98\x80 \xef\xbf\xbdx");
}

TEST(test_predefined_strings_are_escaped_in_json)
{
    ev_transform_ctx_t ctx = {"arn:\"q\"", "r\\n", NULL};
    json_t *it = transformer(NULL, "{\"a\": <aws.events.rule-arn>, \"b\": \"<aws.events.rule-name>\", \"c\": "
                                   "<aws.events.event.ingestion-time>}");
    ev_transform_t *t = NULL;
    char msg[256];
    CHECK_INT(ev_transform_compile(NULL, NULL, it, &t, msg, sizeof msg), 0);
    char *out = NULL;
    CHECK_INT(ev_transform_apply(t, ec2_event, strlen(ec2_event), &ctx, &out, NULL), 0);
    CHECK_STR(out, "{\"a\": \"arn:\\\"q\\\"\", \"b\": \"r\\\\n\", \"c\": \"\"}");
    rn_free(out);
    ev_transform_free(t);
    json_decref(it);
}

TEST(test_values_are_minified)
{
    RENDER("{\"d\":\"$.detail\"}", "{\"d\": <d>}", "{\"detail\" : { \"a\" : [ 1 , 2 ] ,\n \"b\" : \"x y\" } }",
           "{\"d\": {\"a\":[1,2],\"b\":\"x y\"}}");
}

/* ---- placeholders ---------------------------------------------------------- */

TEST(test_angle_brackets_that_are_not_placeholders_stay_text)
{
    RENDER("{\"a\":\"$.detail.a\"}", "1 < 2 and <> and <a b> and <$.x> then <a>", "{\"detail\":{\"a\":\"A\"}}",
           "1 < 2 and <> and <a b> and <$.x> then A");
}

TEST(test_template_without_inputpathsmap)
{
    RENDER(NULL, "{\"static\": true}", ec2_event, "{\"static\": true}");
    RENDER("{}", "hello", ec2_event, "hello");
}

TEST(test_json_template_after_leading_whitespace)
{
    RENDER(ec2_paths, " \n {\"s\": <state>}", ec2_event, " \n {\"s\": \"RUNNING\"}");
}

TEST(test_array_template_is_a_text_template)
{
    RENDER(ec2_paths, "[<state>]", ec2_event, "[RUNNING]");
}

TEST(test_unused_paths_map_entries_are_fine)
{
    RENDER(ec2_paths, "{\"s\": <state>}", ec2_event, "{\"s\": \"RUNNING\"}");
}

TEST(test_event_json_inside_quotes_is_not_delivered)
{
    NOT_DELIVERED(NULL, "{\"e\": \"<aws.events.event.json>\"}", ec2_event, RN_ERR_VALIDATION);
}

TEST(test_malformed_json_template_is_not_delivered)
{
    NOT_DELIVERED(ec2_paths, "{\"s\": <state>", ec2_event, RN_ERR_VALIDATION);
}

TEST(test_event_placeholder_keeps_extra_members_and_drops_detail)
{
    RENDER(NULL, "{\"e\": <aws.events.event>}",
           "{\"version\":\"0\",\"detail\":{\"x\":1},\"replay-name\":\"r1\",\"detail-type\":\"T\"}",
           "{\"e\": {\"detailType\":\"T\",\"version\":\"0\",\"replay-name\":\"r1\"}}");
}

TEST(test_wildcards_collect_an_array)
{
    RENDER("{\"q\":\"$.detail.items[*].qty\",\"s\":\"$.detail.items.*.sku\"}", "{\"q\": <q>, \"s\": <s>}",
           order_event, "{\"q\": [2,1], \"s\": [\"a\",\"b\"]}");
    RENDER("{\"q\":\"$.detail.nothing[*]\"}", "{\"q\": <q>}", order_event, "{\"q\": []}");
}

/* ---- InputPath and Input ------------------------------------------------- */

TEST(test_input_path_detail)
{
    INPUT_PATH("$.detail", special_event,
               "{\"command\":\"update-account\",\"payload\":{\"acc_id\":\"0a787ecb-4015\",\"sf_id\":\"baz\"},"
               "\"listsingle\":[\"HIGH\"],\"listmulti\":[\"ACTIVE\",\"INACTIVE\"],\"valid\":true}");
}

TEST(test_input_path_nested_object)
{
    INPUT_PATH("$.detail.payload", special_event, "{\"acc_id\":\"0a787ecb-4015\",\"sf_id\":\"baz\"}");
}

TEST(test_input_path_string_keeps_its_quotes)
{
    INPUT_PATH("$.detail.payload.sf_id", special_event, "\"baz\"");
}

TEST(test_input_path_root_is_the_whole_event_minified)
{
    INPUT_PATH("$", " { \"a\" : [ 1 , { \"b\" : \"c d\" } ] } ", "{\"a\":[1,{\"b\":\"c d\"}]}");
}

TEST(test_input_path_array_indices)
{
    INPUT_PATH("$.resources[0]", ec2_event, "\"arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111\"");
    INPUT_PATH("$.detail.items[1].sku", order_event, "\"b\"");
    INPUT_PATH("$.a[1][0]", "{\"a\":[[1],[2,3]]}", "2");
}

TEST(test_input_path_names_with_dashes_underscores_slashes)
{
    INPUT_PATH("$.detail-type", ec2_event, "\"EC2 Instance State-change Notification\"");
    INPUT_PATH("$.detail.a_b/c-d", "{\"detail\":{\"a_b/c-d\":7}}", "7");
}

TEST(test_input_path_escaped_key_matches)
{
    INPUT_PATH("$.detail-type", "{\"detail\\u002dtype\":\"x\"}", "\"x\"");
}

TEST(test_input_path_duplicate_key_last_wins)
{
    INPUT_PATH("$.a", "{\"a\":1,\"a\":2}", "2");
}

TEST(test_input_path_wildcard)
{
    INPUT_PATH("$.detail.*", "{\"detail\":{\"a\":1,\"b\":[true]}}", "[1,[true]]");
    INPUT_PATH("$.a[*].b", "{\"a\":[{\"b\":1},{\"c\":2},{\"b\":{\"x\":null}}]}", "[1,{\"x\":null}]");
}

TEST(test_input_path_missing_is_not_delivered)
{
    int rc;
    char *o = path_apply(unit_failed_, "$.detail.missing", special_event, &rc);
    CHECK_INT(rc, RN_ERR_NOT_FOUND);
    CHECK(o == NULL);
    rn_free(o);
}

TEST(test_input_constant_is_delivered_as_sent)
{
    const char *in = "{\"constant\" : [1, 19.99, 1e400, \"caf\\u00e9\"]}";
    ev_transform_t *t = NULL;
    char msg[256];
    CHECK_INT(ev_transform_compile_target("t1", 1, in, NULL, NULL, &t, msg, sizeof msg), 0);
    char *out = NULL;
    size_t n = 0;
    CHECK_INT(ev_transform_apply(t, ec2_event, strlen(ec2_event), NULL, &out, &n), 0);
    CHECK_STR(out, in);
    CHECK_INT(n, strlen(in));
    rn_free(out);
    ev_transform_free(t);
}

TEST(test_input_scalar_json_is_valid)
{
    ev_transform_t *t = NULL;
    char msg[256];
    CHECK_INT(ev_transform_compile("\"just a string\"", NULL, NULL, &t, msg, sizeof msg), 0);
    ev_transform_free(t);
    CHECK_INT(ev_transform_compile(" 42 ", NULL, NULL, &t, msg, sizeof msg), 0);
    ev_transform_free(t);
}

TEST(test_nothing_set_delivers_event_unchanged)
{
    ev_transform_t *t = (ev_transform_t *)1;
    char msg[64];
    CHECK_INT(ev_transform_compile(NULL, NULL, NULL, &t, msg, sizeof msg), 0);
    CHECK(t == NULL);
    json_t *null = json_null();
    CHECK_INT(ev_transform_compile(NULL, NULL, null, &t, msg, sizeof msg), 0);
    CHECK(t == NULL);
    json_decref(null);
}

TEST(test_apply_rejects_invalid_event_text)
{
    int rc;
    char *o = path_apply(unit_failed_, "$", "{\"a\":", &rc);
    CHECK_INT(rc, RN_ERR_SERIALIZATION);
    CHECK(o == NULL);
}

TEST(test_deeply_nested_event_is_refused_not_crashed)
{
    size_t depth = EV_JSON_MAX_DEPTH + 5;
    char *ev = rn_malloc(depth * 2 + 1);
    memset(ev, '[', depth);
    memset(ev + depth, ']', depth);
    ev[depth * 2] = '\0';
    int rc;
    char *o = path_apply(unit_failed_, "$[0]", ev, &rc);
    CHECK_INT(rc, RN_ERR_SERIALIZATION);
    rn_free(o);
    /* at the limit it still works */
    memset(ev, '[', EV_JSON_MAX_DEPTH);
    memset(ev + EV_JSON_MAX_DEPTH, ']', EV_JSON_MAX_DEPTH);
    ev[EV_JSON_MAX_DEPTH * 2] = '\0';
    o = path_apply(unit_failed_, "$[0][0]", ev, &rc);
    CHECK_INT(rc, 0);
    CHECK(o && strlen(o) == (EV_JSON_MAX_DEPTH - 2) * 2);
    rn_free(o);
    rn_free(ev);
}

/* ---- PutTargets validation: service checks ------------------------------- */

TEST(test_err_only_one_of_input_inputpath_inputtransformer)
{
    const char *m = "Only one of Input, InputPath, or InputTransformer must be provided for target t1.";
    expect_error(unit_failed_, "{}", "$.detail", NULL, RN_ERR_VALIDATION, m);
    expect_error(unit_failed_, NULL, "$.detail", transformer("{}", "x"), RN_ERR_VALIDATION, m);
    expect_error(unit_failed_, "{}", NULL, transformer(NULL, "x"), RN_ERR_VALIDATION, m);
    expect_error(unit_failed_, "{}", "$", transformer(NULL, "x"), RN_ERR_VALIDATION, m);
}

TEST(test_err_input_not_json_quotes_jackson_location)
{
    /* Recorded from AWS (aws-cli issue 6711), target id "1". */
    ev_transform_t *t = NULL;
    char msg[512];
    CHECK_INT(ev_transform_compile_target("1", 1, "env:dev", NULL, NULL, &t, msg, sizeof msg), RN_ERR_VALIDATION);
    CHECK_STR(msg, "JSON syntax error in input for target 1: [Source: (String)\"env:dev\"; line: 1, column: 4]");
    /* Recorded from AWS (ansible community.aws issue 201). */
    CHECK_INT(ev_transform_compile_target("clone_lambda", 1, "{'db_name':'x'}", NULL, NULL, &t, msg, sizeof msg),
              RN_ERR_VALIDATION);
    CHECK_STR(msg, "JSON syntax error in input for target clone_lambda: [Source: (String)\"{'db_name':'x'}\"; line: "
                   "1, column: 3]");
}

TEST(test_err_input_location_counts_lines_and_end_of_input)
{
    expect_error(unit_failed_, "{\n  \"a\": 1,\n  \"b\": x}", NULL, NULL, RN_ERR_VALIDATION,
                 "JSON syntax error in input for target t1: [Source: (String)\"{\n  \"a\": 1,\n  \"b\": x}\"; line: 3, "
                 "column: 9]");
    expect_error(unit_failed_, "{\"a\":1", NULL, NULL, RN_ERR_VALIDATION,
                 "JSON syntax error in input for target t1: [Source: (String)\"{\"a\":1\"; line: 1, column: 7]");
    expect_error(unit_failed_, "", NULL, NULL, RN_ERR_VALIDATION,
                 "JSON syntax error in input for target t1: [Source: (String)\"\"; line: 1, column: 1]");
}

TEST(test_err_input_long_source_is_truncated_at_500_chars)
{
    char in[601];
    memset(in, 'x', 600);
    in[600] = '\0';
    char want[700];
    snprintf(want, sizeof want,
             "JSON syntax error in input for target t1: [Source: (String)\"%.500s\"[truncated 100 chars]; line: 1, "
             "column: 601]",
             in);
    expect_error(unit_failed_, in, NULL, NULL, RN_ERR_VALIDATION, want);
}

TEST(test_err_input_trailing_content_and_bad_tokens)
{
    ev_transform_t *t = NULL;
    char msg[256];
    const char *bad[] = {"{} x", "[1,]", "{\"a\":1,}", "01", "tru", "\"a\tb\"", "\"\\x\"", "[\"\\u12g4\"]", "nulls"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK_INT(ev_transform_compile(bad[i], NULL, NULL, &t, msg, sizeof msg), RN_ERR_VALIDATION);
        CHECK(strncmp(msg, "JSON syntax error in input for target : [Source: (String)\"", 58) == 0);
    }
}

TEST(test_err_input_path_invalid)
{
    const char *bad[] = {"detail",  "$.detail['x']", "$['detail']", "$..x", "$.", "$.a b", "$[-1]", "$[x]",
                         "$[0",     "$.a.",          "",            " $",   "$*", "$.a[*", "$.\xc3\xa9"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        expect_error(unit_failed_, NULL, bad[i], NULL, RN_ERR_VALIDATION, "InputPath for target t1 is invalid.");
}

TEST(test_input_path_accepted_forms)
{
    const char *ok[] = {"$", "$.detail", "$.detail.a-b_c/d", "$.a[0]", "$.a[*]", "$.a.*", "$[0]", "$.a[10].b[2]",
                        "$.0"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        ev_transform_t *t = NULL;
        char msg[256];
        CHECK_INT(ev_transform_compile(NULL, ok[i], NULL, &t, msg, sizeof msg), 0);
        CHECK(t != NULL);
        ev_transform_free(t);
    }
}

TEST(test_err_input_paths_map_value_invalid)
{
    expect_error(unit_failed_, NULL, NULL, transformer("{\"a\":\"$.detail.a\",\"b\":\"detail.b\"}", "<a> <b>"),
                 RN_ERR_VALIDATION, "InputPath for target t1 is invalid.");
    expect_error(unit_failed_, NULL, NULL, transformer("{\"unused\":\"$.detail['x']\"}", "static"),
                 RN_ERR_VALIDATION, "InputPath for target t1 is invalid.");
}

TEST(test_err_invalid_placeholder)
{
    /* Recorded from AWS (LocalStack snapshot). */
    expect_error(unit_failed_, NULL, NULL,
                 transformer("{\"detail-type\":\"$.detail-type\",\"timestamp\":\"$.time\",\"command\":"
                             "\"$.detail.command\"}",
                             "\"Event of <detail-type> type, with not defined key <notdefinedkey>\""),
                 RN_ERR_VALIDATION, "InputTemplate for target t1 contains invalid placeholder notdefinedkey.");
    expect_error(unit_failed_, NULL, NULL, transformer(NULL, "{\"a\": <aws.events.rule>}"), RN_ERR_VALIDATION,
                 "InputTemplate for target t1 contains invalid placeholder aws.events.rule.");
}

TEST(test_err_event_json_placeholder_in_text_template)
{
    const char *m = "InputTemplate for target t1 contains placeholder aws.events.event.json valid only for JSON "
                    "template.";
    expect_error(unit_failed_, NULL, NULL, transformer(NULL, "[<aws.events.event.json>]"), RN_ERR_VALIDATION, m);
    expect_error(unit_failed_, NULL, NULL, transformer(NULL, "\"event: <aws.events.event.json>\""),
                 RN_ERR_VALIDATION, m);
    expect_error(unit_failed_, NULL, NULL, transformer(NULL, "<aws.events.event>"), RN_ERR_VALIDATION,
                 "InputTemplate for target t1 contains placeholder aws.events.event valid only for JSON template.");
}

TEST(test_err_wrong_json_types_are_serialization_errors)
{
    expect_error(unit_failed_, NULL, NULL, json_string("x"), RN_ERR_SERIALIZATION, NULL);
    expect_error(unit_failed_, NULL, NULL, json_pack("{s:i}", "InputTemplate", 1), RN_ERR_SERIALIZATION, NULL);
    expect_error(unit_failed_, NULL, NULL, json_pack("{s:s,s:{s:i}}", "InputTemplate", "x", "InputPathsMap", "a", 1),
                 RN_ERR_SERIALIZATION, NULL);
    expect_error(unit_failed_, NULL, NULL, json_pack("{s:s,s:[]}", "InputTemplate", "x", "InputPathsMap"),
                 RN_ERR_SERIALIZATION, NULL);
}

/* ---- PutTargets validation: request-model constraints --------------------- */

TEST(test_err_input_longer_than_8192)
{
    char *in = rn_malloc(8195);
    in[0] = '"';
    memset(in + 1, 'a', 8192);
    in[8193] = '"';
    in[8194] = '\0';
    static char want[8400], msg[8400];
    snprintf(want, sizeof want,
             "1 validation error detected: Value '%s' at 'targets.1.member.input' failed to satisfy constraint: "
             "Member must have length less than or equal to 8192",
             in);
    ev_transform_t *t = NULL;
    CHECK_INT(ev_transform_compile(in, NULL, NULL, &t, msg, sizeof msg), RN_ERR_VALIDATION);
    CHECK(strcmp(msg, want) == 0);
    in[8192] = '"'; /* 8193 chars */
    in[8193] = '\0';
    CHECK_INT(ev_transform_compile(in, NULL, NULL, &t, msg, sizeof msg), RN_ERR_VALIDATION);
    in[8191] = '"'; /* exactly 8192: fine */
    in[8192] = '\0';
    CHECK_INT(ev_transform_compile(in, NULL, NULL, &t, msg, sizeof msg), 0);
    ev_transform_free(t);
    rn_free(in);
}

TEST(test_err_input_path_longer_than_256)
{
    char p[260];
    p[0] = '$';
    for (int i = 1; i < 257; i++)
        p[i] = i % 2 ? '.' : 'a';
    p[257] = '\0';
    char want[600];
    snprintf(want, sizeof want,
             "1 validation error detected: Value '%s' at 'targets.1.member.inputPath' failed to satisfy constraint: "
             "Member must have length less than or equal to 256",
             p);
    expect_error(unit_failed_, NULL, p, NULL, RN_ERR_VALIDATION, want);
}

TEST(test_err_input_template_missing_empty_or_too_long)
{
    expect_error(unit_failed_, NULL, NULL, transformer("{\"a\":\"$.a\"}", NULL), RN_ERR_VALIDATION,
                 "1 validation error detected: Value null at 'targets.1.member.inputTransformer.inputTemplate' failed "
                 "to satisfy constraint: Member must not be null");
    expect_error(unit_failed_, NULL, NULL, transformer(NULL, ""), RN_ERR_VALIDATION,
                 "1 validation error detected: Value '' at 'targets.1.member.inputTransformer.inputTemplate' failed "
                 "to satisfy constraint: Member must have length greater than or equal to 1");
    char *tm = rn_malloc(8194);
    memset(tm, 'x', 8193);
    tm[8193] = '\0';
    ev_transform_t *t = NULL;
    char msg[9000];
    json_t *it = transformer(NULL, tm);
    CHECK_INT(ev_transform_compile(NULL, NULL, it, &t, msg, sizeof msg), RN_ERR_VALIDATION);
    CHECK(strstr(msg, "at 'targets.1.member.inputTransformer.inputTemplate' failed to satisfy constraint: Member "
                      "must have length less than or equal to 8192") != NULL);
    json_decref(it);
    tm[8192] = '\0';
    it = transformer(NULL, tm);
    CHECK_INT(ev_transform_compile(NULL, NULL, it, &t, msg, sizeof msg), 0);
    ev_transform_free(t);
    json_decref(it);
    rn_free(tm);
}

TEST(test_err_input_template_length_counts_utf16_units)
{
    /* 4097 emoji are 8194 UTF-16 units (AWS counts like Java) */
    rn_buf_t b = {0};
    for (int i = 0; i < 4097; i++)
        rn_buf_puts(&b, "\xf0\x9f\x98\x80");
    json_t *it = transformer(NULL, b.data);
    ev_transform_t *t = NULL;
    char msg[64];
    CHECK_INT(ev_transform_compile(NULL, NULL, it, &t, msg, sizeof msg), RN_ERR_VALIDATION);
    json_decref(it);
    rn_buf_free(&b);
}

TEST(test_err_paths_map_more_than_100)
{
    json_t *paths = json_object();
    char k[16];
    for (int i = 0; i < 101; i++) {
        snprintf(k, sizeof k, "k%d", i);
        json_object_set_new(paths, k, json_string("$.a"));
    }
    json_t *it = json_pack("{s:o,s:s}", "InputPathsMap", paths, "InputTemplate", "x");
    ev_transform_t *t = NULL;
    char msg[4096];
    CHECK_INT(ev_transform_compile(NULL, NULL, it, &t, msg, sizeof msg), RN_ERR_VALIDATION);
    CHECK(strncmp(msg, "1 validation error detected: Value '{k0=$.a, k1=$.a, ", 52) == 0);
    CHECK(strstr(msg, "k100=$.a}' at 'targets.1.member.inputTransformer.inputPathsMap' failed to satisfy "
                      "constraint: Member must have length less than or equal to 100") != NULL);
    json_object_del(paths, "k100");
    CHECK_INT(ev_transform_compile(NULL, NULL, it, &t, msg, sizeof msg), 0);
    ev_transform_free(t);
    json_decref(it);
}

TEST(test_err_paths_map_reserved_name_fails_key_pattern)
{
    expect_error(unit_failed_, NULL, NULL, transformer("{\"aws.events.rule-name\":\"$.a\"}", "x"),
                 RN_ERR_VALIDATION,
                 "1 validation error detected: Value '{aws.events.rule-name=$.a}' at "
                 "'targets.1.member.inputTransformer.inputPathsMap' failed to satisfy constraint: Map keys must "
                 "satisfy constraint: [Member must satisfy regular expression pattern: [A-Za-z0-9\\_\\-]+]");
}

TEST(test_err_paths_map_empty_and_long_keys)
{
    expect_error(unit_failed_, NULL, NULL, transformer("{\"\":\"$.a\"}", "x"), RN_ERR_VALIDATION,
                 "1 validation error detected: Value '{=$.a}' at 'targets.1.member.inputTransformer.inputPathsMap' "
                 "failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length greater "
                 "than or equal to 1, Member must satisfy regular expression pattern: [A-Za-z0-9\\_\\-]+]");
    char key[258];
    memset(key, 'k', 257);
    key[257] = '\0';
    json_t *it = json_pack("{s:{s:s},s:s}", "InputPathsMap", key, "$.a", "InputTemplate", "x");
    ev_transform_t *t = NULL;
    char msg[1024];
    CHECK_INT(ev_transform_compile(NULL, NULL, it, &t, msg, sizeof msg), RN_ERR_VALIDATION);
    CHECK(strstr(msg, "Map keys must satisfy constraint: [Member must have length less than or equal to 256]") != NULL);
    json_decref(it);
    key[256] = '\0';
    it = json_pack("{s:{s:s},s:s}", "InputPathsMap", key, "$.a", "InputTemplate", "x");
    CHECK_INT(ev_transform_compile(NULL, NULL, it, &t, msg, sizeof msg), 0);
    ev_transform_free(t);
    json_decref(it);
}

TEST(test_err_paths_map_value_longer_than_256)
{
    char v[300];
    v[0] = '$';
    for (int i = 1; i < 257; i++)
        v[i] = i % 2 ? '.' : 'a';
    v[257] = '\0';
    json_t *it = json_pack("{s:{s:s},s:s}", "InputPathsMap", "k", v, "InputTemplate", "x");
    ev_transform_t *t = NULL;
    char msg[1024];
    CHECK_INT(ev_transform_compile(NULL, NULL, it, &t, msg, sizeof msg), RN_ERR_VALIDATION);
    CHECK(strstr(msg, "failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less "
                      "than or equal to 256]") != NULL);
    json_decref(it);
}

TEST(test_err_several_violations_are_counted_and_joined)
{
    json_t *it = transformer("{\"a.b\":\"$.a\"}", NULL);
    ev_transform_t *t = NULL;
    char msg[1024];
    CHECK_INT(ev_transform_compile_target("t9", 3, NULL, NULL, it, &t, msg, sizeof msg), RN_ERR_VALIDATION);
    CHECK_STR(msg, "2 validation errors detected: Value '{a.b=$.a}' at 'targets.3.member.inputTransformer."
                   "inputPathsMap' failed to satisfy constraint: Map keys must satisfy constraint: [Member must satisfy "
                   "regular expression pattern: [A-Za-z0-9\\_\\-]+]; Value null at "
                   "'targets.3.member.inputTransformer.inputTemplate' failed to satisfy constraint: Member must not be "
                   "null");
    json_decref(it);
}

TEST(test_constraints_run_before_only_one_of)
{
    char p[300];
    p[0] = '$';
    for (int i = 1; i < 257; i++)
        p[i] = i % 2 ? '.' : 'a';
    p[257] = '\0';
    ev_transform_t *t = NULL;
    char msg[1024];
    CHECK_INT(ev_transform_compile("{}", p, NULL, &t, msg, sizeof msg), RN_ERR_VALIDATION);
    CHECK(strncmp(msg, "1 validation error detected:", 28) == 0);
}

TEST(test_constraints_gather_for_many_targets)
{
    rn_buf_t errs = {0};
    json_t *it = transformer(NULL, "");
    CHECK_INT(ev_transform_constraints(1, NULL, NULL, it, &errs), 1);
    CHECK_INT(ev_transform_constraints(2, NULL, NULL, NULL, &errs), 0);
    rn_buf_puts(&errs, "; ");
    CHECK_INT(ev_transform_constraints(3, NULL, NULL, it, &errs), 1);
    CHECK(strstr(errs.data, "targets.1.member") && strstr(errs.data, "targets.3.member"));
    json_decref(it);
    rn_buf_free(&errs);
}

/* ---- allocation failures ---------------------------------------------------- */

TEST(test_allocation_failures_give_nomem_and_no_leak)
{
    json_t *it = transformer(special_paths, "{\"a\": <payload>, \"b\": \"<userId>\", \"c\": <aws.events.event>, "
                                            "\"d\": <aws.events.event.json>, \"e\": <listmulti>, \"f\": "
                                            "<aws.events.rule-arn>}");
    int done = 0;
    for (long n = 1; n < 400 && !done; n++) {
        ev_transform_t *t = NULL;
        char msg[256];
        rn_mem_fail_after(n);
        int rc = ev_transform_compile(NULL, NULL, it, &t, msg, sizeof msg);
        if (rc == 0) {
            char *out = NULL;
            rc = ev_transform_apply(t, special_event, strlen(special_event), &docs_ctx, &out, NULL);
            rn_mem_fail_after(0);
            if (rc == 0) {
                CHECK(strncmp(out, "{\"a\": {\"acc_id\"", 15) == 0);
                done = 1;
            } else {
                CHECK_INT(rc, RN_ERR_NOMEM);
            }
            rn_free(out);
        } else {
            rn_mem_fail_after(0);
            CHECK_INT(rc, RN_ERR_NOMEM);
        }
        ev_transform_free(t);
    }
    rn_mem_fail_after(0);
    CHECK(done);
    json_decref(it);
}

UNIT_MAIN()
