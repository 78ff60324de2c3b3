/* SPDX-License-Identifier: MIT
 * CloudFormation's template language (cloudformation/yaml.c, template.c,
 * check.c, params.c, intrinsic.c, fn_value.c, condition.c, sub.c, cidr.c,
 * order.c): YAML and JSON reading with the short-form tags, the checks and
 * their AWS texts, parameters, every intrinsic function, conditions and the
 * resource order. */
#include <jansson.h>
#include <string.h>

#include "cloudformation/cfn_int.h"
#include "unit.h"

static char msg[1024];

static json_t *parse(const char *text)
{
    json_t *t = NULL;
    msg[0] = 0;
    if (cfn_template_parse(text, strlen(text), &t, msg, sizeof msg))
        return NULL;
    return t;
}

/* The check's message for a YAML/JSON template ("" when it passes). */
static const char *check_text(const char *text)
{
    json_t *t = parse(text);
    if (!t)
        return msg;
    int rc = cfn_template_check(t, msg, sizeof msg);
    json_decref(t);
    return rc ? msg : "";
}

static int same_json(const json_t *v, const char *want)
{
    json_t *w = json_loads(want, JSON_DECODE_ANY, NULL);
    int eq = w && json_equal(v, w);
    if (!eq) {
        char *got = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        fprintf(stderr, "  got %s\n  want %s\n", got ? got : "(null)", want);
        free(got);
    }
    json_decref(w);
    return eq;
}

/* A stack with two resources made: Queue (Ref a URL, Arn) and Topic. */
static json_t *made(void)
{
    return json_pack("{s:{s:s,s:{s:s,s:s}},s:{s:s,s:{s:s}}}", "Queue", "Ref", "http://localhost/000000000000/q",
                     "Attrs", "Arn", "arn:aws:sqs:us-east-1:000000000000:q", "QueueName", "q", "Topic", "Ref",
                     "arn:aws:sns:us-east-1:000000000000:t", "Attrs", "TopicName", "t");
}

static const char *const arns[] = {"arn:aws:sns:us-east-1:000000000000:n", NULL};

/* Evaluates `expr` (YAML) against template `tpl_text` with parameters
 * given as JSON; returns the result or NULL with msg. */
static json_t *eval_in(const char *tpl_text, const char *params_json, const char *expr)
{
    json_t *tpl = parse(tpl_text), *e = parse(expr);
    json_t *given = params_json ? json_loads(params_json, 0, NULL) : NULL, *values = NULL, *conds = NULL;
    json_t *res = made(), *exports = json_pack("{s:s}", "shared-bus", "arn:aws:events:us-east-1:000000000000:bus");
    json_t *out = NULL;
    if (!tpl || !e || cfn_params_resolve(tpl, given, NULL, &values, msg, sizeof msg))
        goto done;
    cfn_eval_t ev = {tpl,         values,  NULL,
                     res,         exports, "000000000000",
                     "us-east-1", "st",    "arn:aws:cloudformation:us-east-1:000000000000:stack/st/1",
                     arns};
    if (cfn_conditions_eval(&ev, &conds, msg, sizeof msg))
        goto done;
    ev.conditions = conds;
    out = cfn_resolve(&ev, json_object_get(e, "V"), msg, sizeof msg);
done:
    json_decref(tpl);
    json_decref(e);
    json_decref(given);
    json_decref(values);
    json_decref(conds);
    json_decref(res);
    json_decref(exports);
    return out;
}

static const char base_tpl[] = "Parameters:\n"
                               "  Env: {Type: String, Default: prod, AllowedValues: [dev, prod]}\n"
                               "  Names: {Type: CommaDelimitedList, Default: 'a,b,c'}\n"
                               "  Size: {Type: Number, Default: 5}\n"
                               "Mappings:\n"
                               "  Region: {us-east-1: {Ami: ami-1, Zones: [x, y]}}\n"
                               "Conditions:\n"
                               "  IsProd: !Equals [!Ref Env, prod]\n"
                               "  IsDev: !Not [!Condition IsProd]\n"
                               "  Both: !And [!Condition IsProd, !Equals [!Ref Size, 5]]\n"
                               "Resources:\n"
                               "  Queue: {Type: AWS::SQS::Queue}\n"
                               "  Topic: {Type: AWS::SNS::Topic}\n";

static int eval_is(const char *expr, const char *want)
{
    json_t *v = eval_in(base_tpl, NULL, expr);
    int ok = v && same_json(v, want);
    if (!v)
        fprintf(stderr, "  error: %s\n", msg);
    json_decref(v);
    return ok;
}

static int eval_fails(const char *expr, const char *want_msg)
{
    json_t *v = eval_in(base_tpl, NULL, expr);
    json_decref(v);
    if (v || strcmp(msg, want_msg) != 0) {
        fprintf(stderr, "  message: %s\n  want:    %s\n", v ? "(none: it passed)" : msg, want_msg);
        return 0;
    }
    return 1;
}

/* ---- reading ---- */

TEST(test_yaml_short_tags_become_long_forms)
{
    json_t *t = parse("Resources:\n"
                      "  A:\n"
                      "    Type: AWS::SQS::Queue\n"
                      "    Properties:\n"
                      "      R: !Ref X\n"
                      "      G: !GetAtt Res.Attr.Sub\n"
                      "      G2: !GetAtt [Res, Arn]\n"
                      "      S: !Sub '${AWS::Region}-x'\n"
                      "      S2: !Sub ['${A}', {A: !Ref X}]\n"
                      "      J: !Join [',', [a, b]]\n"
                      "      C: !Condition IsProd\n"
                      "      Z: !GetAZs ''\n"
                      "      B: !Base64 text\n");
    CHECK(t != NULL);
    json_t *p = json_object_get(json_object_get(json_object_get(t, "Resources"), "A"), "Properties");
    CHECK(same_json(json_object_get(p, "R"), "{\"Ref\":\"X\"}"));
    CHECK(same_json(json_object_get(p, "G"), "{\"Fn::GetAtt\":[\"Res\",\"Attr.Sub\"]}"));
    CHECK(same_json(json_object_get(p, "G2"), "{\"Fn::GetAtt\":[\"Res\",\"Arn\"]}"));
    CHECK(same_json(json_object_get(p, "S"), "{\"Fn::Sub\":\"${AWS::Region}-x\"}"));
    CHECK(same_json(json_object_get(p, "S2"), "{\"Fn::Sub\":[\"${A}\",{\"A\":{\"Ref\":\"X\"}}]}"));
    CHECK(same_json(json_object_get(p, "J"), "{\"Fn::Join\":[\",\",[\"a\",\"b\"]]}"));
    CHECK(same_json(json_object_get(p, "C"), "{\"Condition\":\"IsProd\"}"));
    CHECK(same_json(json_object_get(p, "Z"), "{\"Fn::GetAZs\":\"\"}"));
    CHECK(same_json(json_object_get(p, "B"), "{\"Fn::Base64\":\"text\"}"));
    json_decref(t);
}

TEST(test_yaml_scalars_typed_as_cloudformation_reads_them)
{
    json_t *t = parse("a: true\nb: False\nc: 42\nd: -7\ne: '42'\nf: 0123\ng: 1.10\n"
                      "h: 123456789012345678901234\ni: ~\nj: yes\nk: 2010-09-09\nl: \"true\"\nm: 012345678901\n"
                      "n: OFF\no: 'no'\np: y\n");
    CHECK(t != NULL);
    CHECK(same_json(t, "{\"a\":true,\"b\":false,\"c\":42,\"d\":-7,\"e\":\"42\",\"f\":\"0123\",\"g\":\"1.10\","
                       "\"h\":\"123456789012345678901234\",\"i\":null,\"j\":true,\"k\":\"2010-09-09\","
                       "\"l\":\"true\",\"m\":\"012345678901\",\"n\":false,\"o\":\"no\",\"p\":\"y\"}"));
    json_decref(t);
}

TEST(test_yaml_block_scalars_and_anchors)
{
    json_t *t = parse("lit: |\n  line1\n  line2\nfold: >\n  one\n  two\nbase: &b {x: 1}\ncopy: *b\n");
    CHECK(t != NULL);
    CHECK(same_json(t, "{\"lit\":\"line1\\nline2\\n\",\"fold\":\"one two\\n\",\"base\":{\"x\":1},"
                       "\"copy\":{\"x\":1}}"));
    json_decref(t);
}

TEST(test_yaml_error_has_line_and_column)
{
    CHECK(parse("Resources:\n  A: [1, 2\n  B: x\n") == NULL);
    CHECK(strncmp(msg, "Template format error: YAML not well-formed. (line ", 51) == 0);
    CHECK(parse("a: *nowhere\n") == NULL);
    CHECK_STR(msg, "Template format error: YAML not well-formed. (line 1, column 4)");
}

TEST(test_yaml_alias_bomb_refused)
{
    const char *bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
                       "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                       "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
                       "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
                       "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
                       "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n";
    CHECK(parse(bomb) == NULL);
    CHECK(strstr(msg, "YAML aliases expand to more than") != NULL);
}

TEST(test_yaml_depth_limited)
{
    char deep[2000];
    size_t n = 0;
    n += (size_t)snprintf(deep, sizeof deep, "a: ");
    for (int i = 0; i < 300; i++)
        deep[n++] = '[';
    deep[n] = 0;
    CHECK(parse(deep) == NULL);
    CHECK(strncmp(msg, "Template format error: YAML not well-formed.", 44) == 0);
}

TEST(test_json_template_and_its_errors)
{
    json_t *t = parse("  {\"Resources\": {\"A\": {\"Type\": \"AWS::SQS::Queue\"}}}");
    CHECK(t != NULL);
    json_decref(t);
    CHECK(parse("{\"Resources\": {\"A\": }") == NULL);
    CHECK_STR(msg, "Template format error: JSON not well-formed. (line 1, column 21)");
}

TEST(test_non_mapping_body_is_unsupported_structure)
{
    CHECK(parse("template.yaml") == NULL);
    CHECK_STR(msg, "Template format error: unsupported structure.");
}

/* ---- checks ---- */

TEST(test_check_accepts_a_good_template)
{
    CHECK_STR(check_text(base_tpl), "");
}

TEST(test_check_sections_are_objects)
{
    CHECK_STR(check_text("Conditions: [a]\nResources: {A: {Type: AWS::SQS::Queue}}\n"),
              "Template format error: The Conditions section must be an object.");
}

TEST(test_check_at_most_500_resources)
{
    static char big[40000];
    size_t n = (size_t)snprintf(big, sizeof big, "Resources:\n");
    for (int i = 0; i < 501; i++)
        n += (size_t)snprintf(big + n, sizeof big - n, "  Q%d: {Type: AWS::SQS::Queue}\n", i);
    CHECK_STR(check_text(big), "Template format error: Number of resources, 501, is greater than maximum allowed, 500");
    n = (size_t)snprintf(big, sizeof big, "Resources:\n");
    for (int i = 0; i < 500; i++)
        n += (size_t)snprintf(big + n, sizeof big - n, "  Q%d: {Type: AWS::SQS::Queue, DependsOn: Q%d}\n", i,
                              i ? i - 1 : 499);
    const char *m = check_text(big); /* a 500-resource ring: the text fills the message, cut cleanly */
    CHECK(strncmp(m, "Circular dependency between resources: [Q0, Q1, Q2, ", 51) == 0);
    CHECK_INT(strlen(m), sizeof msg - 1);
}

TEST(test_check_resources_required)
{
    CHECK_STR(check_text("Description: x\n"), "Template format error: At least one Resources member must be defined.");
}

TEST(test_check_unknown_section)
{
    CHECK_STR(check_text("Foo: 1\nResources: {A: {Type: AWS::SQS::Queue}}\n"),
              "Template format error: Invalid template property or properties [Foo]");
}

TEST(test_check_malformed_type_but_not_missing_provider)
{
    CHECK_STR(check_text("Resources: {A: {Type: AWS::TypoHere}, B: {Type: Foo}}\n"),
              "Template format error: Unrecognized resource types: [AWS::TypoHere, Foo]");
    CHECK_STR(check_text("Resources: {A: {Type: AWS::S3::Bucket}, B: {Type: Custom::Thing}}\n"), "");
}

TEST(test_check_type_member_and_resource_keys)
{
    CHECK_STR(check_text("Resources: {A: {Properties: {}}}\n"),
              "Template format error: [/Resources/A] Every Resources object must contain a Type member.");
    CHECK_STR(check_text("Resources: {A: {Type: AWS::SQS::Queue, Invalid: 1}}\n"),
              "Invalid template resource property 'Invalid'");
    CHECK_STR(check_text("Resources: {my-bad-id: {Type: AWS::SQS::Queue}}\n"),
              "Template format error: Resource name my-bad-id is non alphanumeric.");
}

TEST(test_check_unresolved_refs_and_depends_on)
{
    CHECK_STR(check_text("Resources:\n  A: {Type: AWS::SQS::Queue, DependsOn: Nope}\n"),
              "Template format error: Unresolved resource dependencies [Nope] in the Resources block of the template");
    CHECK_STR(check_text("Resources:\n  A: {Type: AWS::SQS::Queue, Properties: {X: !Ref Y, Z: !Sub '${W.Arn}'}}\n"),
              "Template format error: Unresolved resource dependencies [Y, W] in the Resources block of the template");
    CHECK_STR(check_text("Resources:\n  A: {Type: AWS::SQS::Queue, Properties: {X: !GetAtt B.Arn}}\n"),
              "Template error: instance of Fn::GetAtt references undefined resource B");
    CHECK_STR(check_text("Resources:\n  A: {Type: AWS::SQS::Queue}\nOutputs:\n  O: {Value: !Ref MyTopic}\n"),
              "Template format error: Unresolved resource dependencies [MyTopic] in the Outputs block of the template");
}

TEST(test_check_attributes_against_the_provider)
{
    CHECK_STR(check_text("Resources:\n  Q: {Type: AWS::SQS::Queue}\n"
                         "  A: {Type: AWS::SQS::Queue, Properties: {X: !GetAtt Q.Nope}}\n"),
              "Template error: resource Q does not support attribute type Nope in Fn::GetAtt");
    CHECK_STR(check_text("Resources:\n  Q: {Type: AWS::SQS::Queue}\n"
                         "  A: {Type: AWS::SQS::Queue, Properties: {X: !Sub '${Q.Nope}'}}\n"),
              "Template error: resource Q does not support attribute type Nope in Fn::GetAtt");
    CHECK_STR(check_text("Resources:\n  Q: {Type: AWS::SQS::Queue}\n  C: {Type: Custom::X}\n"
                         "  A: {Type: AWS::SQS::Queue, Properties: {X: !GetAtt Q.Arn, Y: !GetAtt C.Anything,"
                         " Z: !Sub '${Q.QueueName}'}}\n"),
              "");
}

TEST(test_check_function_shapes)
{
    CHECK_STR(check_text("Resources:\n  A: {Type: AWS::SQS::Queue, Properties: {X: !Join [a]}}\n"),
              "Template error: every Fn::Join object requires two parameters, (1) a string delimiter and (2) a list "
              "of strings to be joined or a function that returns a list of strings (such as Fn::GetAZs) to be "
              "joined.");
    CHECK_STR(check_text("Resources:\n  A: {Type: AWS::SQS::Queue, Properties: {X: {Fn::GetAtt: [A]}}}\n"),
              "Template error: every Fn::GetAtt object requires two non-empty parameters, the resource name and the "
              "resource attribute");
    CHECK_STR(check_text("Resources:\n  A: {Type: AWS::SQS::Queue, Properties: {X: !If [Nope, a, b]}}\n"),
              "Template error: unresolved condition dependency Nope in Fn::If");
    CHECK(strncmp(check_text("Resources:\n  A: {Type: AWS::SQS::Queue, Properties: {X: {Fn::Sub1: a}}}\n"),
                  "Template format error: Encountered unsupported function: Fn::Sub1 Supported functions are: [",
                  90) == 0);
    CHECK_STR(check_text("Resources:\n  A: {Type: AWS::SQS::Queue, Properties: {X: !Sub [a, b, c]}}\n"),
              "Template error: One or more Fn::Sub intrinsic functions don't specify expected arguments. Specify a "
              "string as first argument, and an optional second argument to specify a mapping of values to replace "
              "in the string");
}

TEST(test_check_conditions_cannot_reference_resources)
{
    CHECK_STR(check_text("Conditions:\n  C: !Equals [!Ref A, x]\nResources:\n  A: {Type: AWS::SQS::Queue}\n"),
              "Template format error: Unresolved dependencies [A]. Cannot reference resources in the Conditions "
              "block of the template");
}

TEST(test_check_outputs)
{
    CHECK_STR(check_text("Resources: {A: {Type: AWS::SQS::Queue}}\nOutputs: {O: {Description: x}}\n"),
              "Template format error: Every Outputs member must contain a Value object");
    CHECK_STR(check_text("Resources: {A: {Type: AWS::SQS::Queue}}\nOutputs: {O: {Value: x, Export: {Name: 'a b'}}}\n"),
              "Template format error: Output O is malformed. The Name field of every Export member must be specified "
              "and consist only of alphanumeric characters, colons, or hyphens.");
    CHECK_STR(check_text("Resources: {A: {Type: AWS::SQS::Queue}}\nOutputs: {MyOutput: {Value: }}\n"),
              "[/Outputs/MyOutput/Value] 'null' values are not allowed in templates");
}

TEST(test_check_parameters_and_mappings)
{
    CHECK_STR(check_text("Parameters: {P: {Type: Strin}}\nResources: {A: {Type: AWS::SQS::Queue}}\n"),
              "Template format error: Unrecognized parameter type: Strin");
    CHECK_STR(check_text("Parameters: {P: {Default: x}}\nResources: {A: {Type: AWS::SQS::Queue}}\n"),
              "Template format error: Every Parameters object must contain a Type member.");
    CHECK_STR(check_text("Mappings: {A: [1]}\nResources: {A: {Type: AWS::SQS::Queue}}\n"),
              "Template format error: Every Mappings member A must be a map");
    CHECK_STR(check_text("Mappings: {M: {K: {V: {x: 1}}}}\nResources: {A: {Type: AWS::SQS::Queue}}\n"),
              "Template format error: Every Mappings attribute must be a String or a List.");
}

TEST(test_check_circular_dependency)
{
    CHECK_STR(check_text("Resources:\n"
                         "  A: {Type: AWS::SQS::Queue, Properties: {X: !GetAtt B.Arn}}\n"
                         "  B: {Type: AWS::SQS::Queue, DependsOn: A}\n"
                         "  C: {Type: AWS::SQS::Queue, DependsOn: B}\n"),
              "Circular dependency between resources: [A, B]");
}

/* ---- parameters ---- */

static const char param_tpl[] =
    "Parameters:\n"
    "  Env: {Type: String, AllowedValues: [dev, prod]}\n"
    "  Name: {Type: String, AllowedPattern: '[a-z][a-z0-9-]*', MinLength: 2, MaxLength: 8}\n"
    "  Count: {Type: Number, Default: 3, MinValue: 1, MaxValue: 10}\n"
    "  Ids: {Type: List<Number>, Default: '1,2'}\n"
    "  Pw: {Type: String, NoEcho: true, Default: secret,\n"
    "       AllowedPattern: '\\w+', ConstraintDescription: letters only}\n"
    "Resources: {A: {Type: AWS::SQS::Queue}}\n";

static const char *params_text(const char *given, const char *previous)
{
    json_t *tpl = parse(param_tpl), *g = given ? json_loads(given, 0, NULL) : NULL;
    json_t *p = previous ? json_loads(previous, 0, NULL) : NULL, *v = NULL;
    static char out[1024];
    if (cfn_params_resolve(tpl, g, p, &v, msg, sizeof msg) == 0) {
        char *s = json_dumps(v, JSON_COMPACT);
        snprintf(out, sizeof out, "%s", s);
        free(s);
    } else
        snprintf(out, sizeof out, "%s", msg);
    json_decref(tpl);
    json_decref(g);
    json_decref(p);
    json_decref(v);
    return out;
}

TEST(test_params_defaults_values_and_noecho_unchanged)
{
    CHECK_STR(params_text("[{\"ParameterKey\":\"Env\",\"ParameterValue\":\"dev\"},"
                          "{\"ParameterKey\":\"Name\",\"ParameterValue\":\"ab-1\"}]",
                          NULL),
              "{\"Env\":\"dev\",\"Name\":\"ab-1\",\"Count\":\"3\",\"Ids\":\"1,2\",\"Pw\":\"secret\"}");
}

TEST(test_params_missing_and_unknown)
{
    CHECK_STR(params_text(NULL, NULL), "Parameters: [Env, Name] must have values");
    CHECK_STR(params_text("[{\"ParameterKey\":\"Nope\",\"ParameterValue\":\"x\"}]", NULL),
              "Parameters: [Nope] do not exist in the template");
}

TEST(test_params_constraints)
{
#define G(env, name, extra)                                                                                            \
    "[{\"ParameterKey\":\"Env\",\"ParameterValue\":\"" env "\"},{\"ParameterKey\":\"Name\",\"ParameterValue\":\"" name \
    "\"}" extra "]"
    CHECK_STR(params_text(G("qa", "ab", ""), NULL), "Parameter 'Env' must be one of AllowedValues");
    CHECK_STR(params_text(G("dev", "Ab", ""), NULL), "Parameter 'Name' must match pattern [a-z][a-z0-9-]*");
    CHECK_STR(params_text(G("dev", "a", ""), NULL), "Parameter 'Name' must contain at least 2 characters");
    CHECK_STR(params_text(G("dev", "abcdefghi", ""), NULL), "Parameter 'Name' must contain at most 8 characters");
    CHECK_STR(params_text(G("dev", "ab", ",{\"ParameterKey\":\"Count\",\"ParameterValue\":\"x\"}"), NULL),
              "Parameter 'Count' must be a number.");
    CHECK_STR(params_text(G("dev", "ab", ",{\"ParameterKey\":\"Count\",\"ParameterValue\":\"11\"}"), NULL),
              "Parameter 'Count' must be a number not greater than 10");
    CHECK_STR(params_text(G("dev", "ab", ",{\"ParameterKey\":\"Count\",\"ParameterValue\":\"0\"}"), NULL),
              "Parameter 'Count' must be a number not less than 1");
    CHECK_STR(params_text(G("dev", "ab", ",{\"ParameterKey\":\"Ids\",\"ParameterValue\":\"1,x\"}"), NULL),
              "Parameter 'Ids' must be a number.");
    CHECK_STR(params_text(G("dev", "ab", ",{\"ParameterKey\":\"Pw\",\"ParameterValue\":\"a b\"}"), NULL),
              "Parameter Pw failed to satisfy constraint: letters only");
}

TEST(test_params_use_previous_value)
{
    CHECK_STR(
        params_text(G("dev", "ab", ",{\"ParameterKey\":\"Count\",\"UsePreviousValue\":true}"), "{\"Count\":\"7\"}"),
        "{\"Env\":\"dev\",\"Name\":\"ab\",\"Count\":\"7\",\"Ids\":\"1,2\",\"Pw\":\"secret\"}");
    CHECK_STR(params_text(G("dev", "ab", ",{\"ParameterKey\":\"Count\",\"UsePreviousValue\":true}"), NULL),
              "Invalid input for parameter key Count. Cannot specify usePreviousValue as true for a parameter key not "
              "in the previous template");
    CHECK_STR(
        params_text(G("dev", "ab", ",{\"ParameterKey\":\"Count\",\"UsePreviousValue\":true,\"ParameterValue\":\"4\"}"),
                    "{\"Count\":\"7\"}"),
        "Invalid input for parameter key Count. Cannot specify usePreviousValue as true and non empty value "
        "for a parameter");
#undef G
}

/* ---- evaluation ---- */

TEST(test_ref_params_pseudo_and_resources)
{
    CHECK(eval_is("V: !Ref Env", "\"prod\""));
    CHECK(eval_is("V: !Ref Names", "[\"a\",\"b\",\"c\"]"));
    CHECK(eval_is("V: !Ref Queue", "\"http://localhost/000000000000/q\""));
    CHECK(eval_is("V: [!Ref AWS::AccountId, !Ref AWS::Region, !Ref AWS::StackName, !Ref AWS::Partition, "
                  "!Ref AWS::URLSuffix]",
                  "[\"000000000000\",\"us-east-1\",\"st\",\"aws\",\"amazonaws.com\"]"));
    CHECK(eval_is("V: !Ref AWS::StackId", "\"arn:aws:cloudformation:us-east-1:000000000000:stack/st/1\""));
    CHECK(eval_is("V: !Ref AWS::NotificationARNs", "[\"arn:aws:sns:us-east-1:000000000000:n\"]"));
    CHECK(eval_fails("V: !Ref Nope",
                     "Template format error: Unresolved resource dependencies [Nope] in the Resources block of the "
                     "template"));
}

TEST(test_get_att)
{
    CHECK(eval_is("V: !GetAtt Queue.Arn", "\"arn:aws:sqs:us-east-1:000000000000:q\""));
    CHECK(eval_is("V: {Fn::GetAtt: [Topic, TopicName]}", "\"t\""));
    CHECK(eval_fails("V: !GetAtt Queue.Nope",
                     "Template error: resource Queue does not support attribute type Nope in Fn::GetAtt"));
    CHECK(eval_fails("V: !GetAtt Ghost.Arn",
                     "Template error: instance of Fn::GetAtt references undefined resource Ghost"));
}

TEST(test_sub_forms)
{
    CHECK(eval_is("V: !Sub '${AWS::Region}:${Env}:${Queue}:${Queue.QueueName}:${!Literal}:${Size}'",
                  "\"us-east-1:prod:http://localhost/000000000000/q:q:${Literal}:5\""));
    CHECK(eval_is("V: !Sub ['${A}-${Env}', {A: !GetAtt Topic.TopicName}]", "\"t-prod\""));
    CHECK(eval_is("V: !Sub 'no vars ${ unclosed'", "\"no vars ${ unclosed\""));
    CHECK(eval_fails("V: !Sub '${Names}'",
                     "Template error: variable Names in Fn::Sub expression does not resolve to a string"));
    CHECK(eval_fails("V: !Sub 'x${AWS::NoValue}'",
                     "Template error: variable AWS::NoValue in Fn::Sub expression does not resolve to a string"));
    CHECK(eval_fails("V: !Sub '${a b}'", "Template error: variable names in Fn::Sub syntax must contain only "
                                         "alphanumeric characters, underscores, periods, and colons"));
}

TEST(test_join_select_split)
{
    CHECK(eval_is("V: !Join [':', [a, !Ref Env, 3]]", "\"a:prod:3\""));
    CHECK(eval_is("V: !Join ['', !Ref Names]", "\"abc\""));
    CHECK(eval_is("V: !Select [1, !Ref Names]", "\"b\""));
    CHECK(eval_is("V: !Select ['2', [x, y, z]]", "\"z\""));
    CHECK(eval_fails("V: !Select [5, [x]]", "Template error: Fn::Select cannot select nonexistent value at index 5"));
    CHECK(eval_is("V: !Split [',', 'a,,b']", "[\"a\",\"\",\"b\"]"));
    CHECK(eval_is("V: !Select [2, !Split ['::', 'x::y::z']]", "\"z\""));
}

TEST(test_find_in_map)
{
    CHECK(eval_is("V: !FindInMap [Region, !Ref AWS::Region, Ami]", "\"ami-1\""));
    CHECK(eval_is("V: !FindInMap [Region, us-east-1, Zones]", "[\"x\",\"y\"]"));
    CHECK(eval_fails("V: !FindInMap [Region, eu-west-1, Ami]",
                     "Template error: Unable to get mapping for Region::eu-west-1::Ami"));
    CHECK(eval_is("V: !FindInMap [Region, eu-west-1, Ami, {DefaultValue: ami-0}]", "\"ami-0\""));
}

TEST(test_get_azs_base64_import_length_json)
{
    CHECK(eval_is("V: !GetAZs ''", "[\"us-east-1a\",\"us-east-1b\",\"us-east-1c\"]"));
    CHECK(eval_is("V: {Fn::GetAZs: null}", "[\"us-east-1a\",\"us-east-1b\",\"us-east-1c\"]"));
    CHECK_STR(check_text("Resources: {A: {Type: AWS::SQS::Queue, Properties: {Z: {Fn::GetAZs: null}}}}\n"), "");
    CHECK(eval_is("V: !GetAZs eu-west-2", "[\"eu-west-2a\",\"eu-west-2b\",\"eu-west-2c\"]"));
    CHECK(eval_is("V: !Base64 'hello'", "\"aGVsbG8=\""));
    CHECK(eval_is("V: !ImportValue shared-bus", "\"arn:aws:events:us-east-1:000000000000:bus\""));
    CHECK(eval_fails("V: !ImportValue nope", "No export named nope found."));
    CHECK(eval_is("V: !Length [a, b, c]", "3"));
    CHECK(eval_is("V: !ToJsonString {a: !Ref Env, b: [1, true]}", "\"{\\\"a\\\":\\\"prod\\\",\\\"b\\\":[1,true]}\""));
}

TEST(test_cidr_as_aws_computes_it)
{
    CHECK(eval_is("V: !Cidr ['192.168.0.0/24', 6, 5]",
                  "[\"192.168.0.0/27\",\"192.168.0.32/27\",\"192.168.0.64/27\",\"192.168.0.96/27\","
                  "\"192.168.0.128/27\",\"192.168.0.160/27\"]"));
    CHECK(eval_is("V: !Cidr ['10.0.5.7/16', '2', '8']", "[\"10.0.0.0/24\",\"10.0.1.0/24\"]"));
    CHECK(eval_is("V: !Cidr ['2001:db8::/56', 2, 64]", "[\"2001:db8::/64\",\"2001:db8:0:1::/64\"]"));
    json_t *v = eval_in(base_tpl, NULL, "V: !Cidr ['10.0.0.0/24', 3, 7]");
    CHECK(v == NULL);
    CHECK(strstr(msg, "Fn::Cidr") != NULL);
}

TEST(test_conditions_and_if_with_novalue)
{
    CHECK(eval_is("V: [!If [IsProd, p, d], !If [IsDev, p, d], !If [Both, 'yes', 'no']]", "[\"p\",\"d\",\"yes\"]"));
    CHECK(eval_is("V: {A: !If [IsDev, x, !Ref AWS::NoValue], B: 1, C: [!If [IsProd, !Ref AWS::NoValue, z], k]}",
                  "{\"B\":1,\"C\":[\"k\"]}"));
    CHECK(eval_is("V: [!Equals [!Ref Size, '5'], !Or [!Condition IsDev, !Equals [a, a]], !Not [!Condition IsProd]]",
                  "[true,true,false]"));
    CHECK(eval_fails("V: !And [!Ref AWS::NoValue, !Condition IsProd]",
                     "Template error: every Fn::And object requires a list of at least 2 and at most 10 boolean "
                     "parameters."));
    CHECK(eval_fails("V: !If [Nope, a, b]", "Template error: unresolved condition dependency Nope in Fn::If"));
}

TEST(test_conditions_eval_dev)
{
    json_t *v = eval_in(base_tpl, "[{\"ParameterKey\":\"Env\",\"ParameterValue\":\"dev\"}]",
                        "V: [!If [IsProd, p, d], !If [Both, 'yes', 'no']]");
    CHECK(v && same_json(v, "[\"d\",\"no\"]"));
    json_decref(v);
}

TEST(test_conditions_cycle_is_an_error)
{
    json_t *tpl =
        parse("Conditions:\n  A: !Condition B\n  B: !Not [!Condition A]\nResources: {Q: {Type: AWS::SQS::Queue}}\n");
    cfn_eval_t ev = {.tpl = tpl, .params = NULL};
    json_t *out = NULL;
    CHECK(cfn_conditions_eval(&ev, &out, msg, sizeof msg) == -1);
    CHECK(strstr(msg, "Circular dependency between conditions") != NULL);
    json_decref(tpl);
}

TEST(test_resolve_absent_or_novalue_properties_is_empty_object)
{
    cfn_eval_t ev = {0};
    json_t *v = cfn_resolve(&ev, NULL, msg, sizeof msg);
    CHECK(v && same_json(v, "{}"));
    json_decref(v);
    CHECK(eval_is("V: !If [IsDev, {A: 1}, !Ref AWS::NoValue]", "{}"));
}

/* ---- order ---- */

static const char *order_text(const char *tpl_text, const char *conds_json)
{
    static char out[1024];
    json_t *tpl = parse(tpl_text), *conds = conds_json ? json_loads(conds_json, 0, NULL) : NULL, *o = NULL;
    if (cfn_order(tpl, conds, &o, msg, sizeof msg) == 0) {
        char *s = json_dumps(o, JSON_COMPACT);
        snprintf(out, sizeof out, "%s", s);
        free(s);
    } else
        snprintf(out, sizeof out, "%s", msg);
    json_decref(tpl);
    json_decref(conds);
    json_decref(o);
    return out;
}

TEST(test_order_refs_depends_on_and_template_order)
{
    CHECK_STR(order_text("Resources:\n"
                         "  Rule: {Type: AWS::Events::Rule, Properties: {T: !GetAtt Q.Arn, S: !Sub '${Bus}'}}\n"
                         "  Z: {Type: AWS::SQS::Queue}\n"
                         "  Q: {Type: AWS::SQS::Queue, DependsOn: [Z]}\n"
                         "  Bus: {Type: AWS::Events::EventBus}\n",
                         NULL),
              "[\"Z\",\"Q\",\"Bus\",\"Rule\"]");
}

TEST(test_order_leaves_out_false_conditions)
{
    CHECK_STR(order_text("Resources:\n"
                         "  A: {Type: AWS::SQS::Queue, Condition: Skip}\n"
                         "  B: {Type: AWS::SQS::Queue, Properties: {X: !If [Skip, !Ref A, x]}}\n",
                         "{\"Skip\": false}"),
              "[\"B\"]");
}

TEST(test_order_refuses_references_to_left_out_resources)
{
    static const char t[] = "Resources:\n"
                            "  A: {Type: AWS::SQS::Queue, Condition: Skip}\n"
                            "  B: {Type: AWS::SQS::Queue, Properties: {X: !GetAtt A.Arn}}\n";
    CHECK_STR(order_text(t, "{\"Skip\": false}"),
              "Template format error: Unresolved resource dependencies [A] in the Resources block of the template");
    CHECK_STR(order_text(t, "{\"Skip\": true}"), "[\"A\",\"B\"]");
    static const char o[] = "Resources:\n"
                            "  A: {Type: AWS::SQS::Queue, Condition: Skip}\n"
                            "  B: {Type: AWS::SQS::Queue}\n"
                            "Outputs:\n"
                            "  Skipped: {Condition: Skip, Value: !Ref A}\n"
                            "  Kept: {Value: !Ref A}\n";
    CHECK_STR(order_text(o, "{\"Skip\": false}"),
              "Unresolved resource dependencies [A] in the Outputs block of the template");
}

TEST(test_order_self_reference_is_a_cycle)
{
    CHECK_STR(order_text("Resources:\n  A: {Type: AWS::SQS::Queue, Properties: {X: !Ref A}}\n", NULL),
              "Circular dependency between resources: [A]");
}

TEST(test_refs_collects_resources_only)
{
    json_t *tpl = parse(base_tpl), *deps = json_object();
    json_t *v = parse("X: [!Ref Env, !Ref Queue, !Sub ['${Topic.TopicName}${Q}', {Q: x}], !Ref AWS::Region]");
    cfn_refs(tpl, v, deps);
    CHECK(same_json(deps, "{\"Queue\":true,\"Topic\":true}"));
    json_decref(tpl);
    json_decref(deps);
    json_decref(v);
}

UNIT_MAIN()
