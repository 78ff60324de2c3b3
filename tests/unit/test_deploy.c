/* SPDX-License-Identifier: MIT
 * The pieces of `runnel deploy` that need no server: the command line and
 * its defaults, the default stack name, endpoint URLs, making a template's
 * code paths absolute, and what the progress display and the tables print.
 * The flow itself runs against the real server in
 * tests/integration/test_deploy.py. */
#include <stdarg.h>
#include <stdlib.h>

#include "deploy/deploy_int.h"
#include "unit.h"

UNIT_MAIN()

static void env_clear(void)
{
    unsetenv("AWS_ENDPOINT_URL");
    unsetenv("AWS_REGION");
    unsetenv("AWS_DEFAULT_REGION");
}

static int parse(deploy_args_t *a, char *msg, int argc, ...)
{
    static char *argv[16];
    va_list ap;
    va_start(ap, argc);
    for (int i = 0; i < argc; i++)
        argv[i] = va_arg(ap, char *);
    va_end(ap);
    return deploy_args_parse(argc, argv, a, msg, 256);
}

TEST(test_args_defaults_without_environment)
{
    env_clear();
    deploy_args_t a;
    char msg[256];
    CHECK_INT(parse(&a, msg, 1, "stacks/orders.yaml"), 0);
    CHECK_STR(a.template_path, "stacks/orders.yaml");
    CHECK_STR(a.stack_name, "orders");
    CHECK_STR(a.endpoint, "http://127.0.0.1:4566");
    CHECK_STR(a.region, "us-east-1");
    CHECK_INT(a.region_given, 0);
    CHECK_INT(a.nparams, 0);
    CHECK_INT(a.no_execute, 0);
    deploy_args_free(&a);
}

TEST(test_args_environment_gives_endpoint_and_region)
{
    env_clear();
    setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9999", 1);
    setenv("AWS_DEFAULT_REGION", "eu-west-1", 1);
    deploy_args_t a;
    char msg[256];
    CHECK_INT(parse(&a, msg, 1, "t.json"), 0);
    CHECK_STR(a.endpoint, "http://127.0.0.1:9999");
    CHECK_STR(a.region, "eu-west-1");
    CHECK_INT(a.region_given, 1);
    deploy_args_free(&a);
    setenv("AWS_REGION", "ap-south-1", 1); /* AWS_REGION wins over AWS_DEFAULT_REGION */
    CHECK_INT(parse(&a, msg, 1, "t.json"), 0);
    CHECK_STR(a.region, "ap-south-1");
    deploy_args_free(&a);
    /* flags win over the environment */
    CHECK_INT(parse(&a, msg, 4, "--region=us-west-2", "t.json", "--endpoint-url", "http://h:1"), 0);
    CHECK_STR(a.region, "us-west-2");
    CHECK_STR(a.endpoint, "http://h:1");
    deploy_args_free(&a);
    env_clear();
}

TEST(test_args_params_stack_name_and_no_execute)
{
    env_clear();
    deploy_args_t a;
    char msg[256];
    CHECK_INT(parse(&a, msg, 8, "--param", "Env=prod", "t.yaml", "--param=Size=3=x", "--stack-name", "My-Stack-2",
                    "--no-execute", "--param=Empty="),
              0);
    CHECK_INT(a.nparams, 3);
    CHECK_STR(a.params[0], "Env=prod");
    CHECK_STR(a.params[1], "Size=3=x");
    CHECK_STR(a.params[2], "Empty=");
    CHECK_STR(a.stack_name, "My-Stack-2");
    CHECK_INT(a.no_execute, 1);
    deploy_args_free(&a);
}

TEST(test_args_help_wins)
{
    deploy_args_t a;
    char msg[256];
    CHECK_INT(parse(&a, msg, 2, "--bogus", "--help"), 0);
    CHECK_INT(a.help, 1);
    deploy_args_free(&a);
    CHECK_INT(parse(&a, msg, 2, "t.yaml", "-h"), 0);
    CHECK_INT(a.help, 1);
    deploy_args_free(&a);
}

TEST(test_args_usage_errors_say_what)
{
    deploy_args_t a;
    char msg[256];
    CHECK_INT(parse(&a, msg, 0), -1);
    CHECK_STR(msg, "missing TEMPLATE");
    deploy_args_free(&a);
    CHECK_INT(parse(&a, msg, 2, "a.yaml", "b.yaml"), -1);
    CHECK_STR(msg, "unexpected argument b.yaml");
    deploy_args_free(&a);
    CHECK_INT(parse(&a, msg, 2, "a.yaml", "--color"), -1);
    CHECK_STR(msg, "unknown option --color");
    deploy_args_free(&a);
    CHECK_INT(parse(&a, msg, 2, "a.yaml", "--stack-name"), -1);
    CHECK_STR(msg, "missing value for --stack-name");
    deploy_args_free(&a);
    CHECK_INT(parse(&a, msg, 3, "a.yaml", "--param", "NoEquals"), -1);
    CHECK_STR(msg, "--param wants KEY=VALUE, not NoEquals");
    deploy_args_free(&a);
    CHECK_INT(parse(&a, msg, 3, "a.yaml", "--param", "=v"), -1);
    deploy_args_free(&a);
    CHECK_INT(parse(&a, msg, 3, "a.yaml", "--stack-name", "9lives"), -1);
    CHECK_STR(msg, "--stack-name must start with a letter: 9lives");
    deploy_args_free(&a);
    CHECK_INT(parse(&a, msg, 3, "a.yaml", "--stack-name", "my_stack"), -1);
    deploy_args_free(&a);
    CHECK_INT(parse(&a, msg, 2, "a.yaml", "--no-execute=yes"), -1);
    deploy_args_free(&a);
}

TEST(test_stack_name_from_template_file_name)
{
    static const char *const cases[][2] = {
        {"/x/y/orders.yaml", "orders"}, {"my_app.v2.template.json", "my-app-v2-template"},
        {"01-app.yml", "stack-01-app"}, {"dir.d/template", "template"},
        {".hidden", "stack--hidden"},
    };
    char out[129];
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        deploy_stack_name(cases[i][0], out, sizeof out);
        CHECK_STR(out, cases[i][1]);
    }
    char longname[300];
    memset(longname, 'a', 250);
    strcpy(longname + 250, ".yaml");
    deploy_stack_name(longname, out, sizeof out);
    CHECK_INT(strlen(out), 128);
    char small[8];
    deploy_stack_name("abcdefghij.yaml", small, sizeof small);
    CHECK_STR(small, "abcdefg");
}

TEST(test_stack_name_is_always_a_valid_name)
{
    const char *paths[] = {"a b.yaml", "ünï.json", "x/.y", "_.yaml", "-", "a.b.c", "é"};
    for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
        char out[129];
        deploy_stack_name(paths[i], out, sizeof out);
        CHECK(out[0] >= 'a' && out[0] <= 'z');
        for (const char *p = out; *p; p++)
            CHECK((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-');
    }
}

TEST(test_url_parse_host_port_path)
{
    char host[64], path[64], msg[256];
    int port = 0;
    CHECK_INT(deploy_url_parse("http://127.0.0.1:4566", host, sizeof host, &port, path, sizeof path, msg, 256), 0);
    CHECK_STR(host, "127.0.0.1");
    CHECK_INT(port, 4566);
    CHECK_STR(path, "/");
    CHECK_INT(deploy_url_parse("http://localhost/x/", host, sizeof host, &port, path, sizeof path, msg, 256), 0);
    CHECK_STR(host, "localhost");
    CHECK_INT(port, 80);
    CHECK_STR(path, "/x/");
    CHECK_INT(deploy_url_parse("http://[::1]:9/", host, sizeof host, &port, path, sizeof path, msg, 256), 0);
    CHECK_STR(host, "::1");
    CHECK_INT(port, 9);
}

TEST(test_url_parse_refuses_what_it_cannot_reach)
{
    char host[64], path[64], msg[256];
    int port;
    CHECK_INT(deploy_url_parse("https://x", host, sizeof host, &port, path, sizeof path, msg, 256), -1);
    CHECK(strstr(msg, "https endpoints are not supported") != NULL);
    CHECK_INT(deploy_url_parse("127.0.0.1:4566", host, sizeof host, &port, path, sizeof path, msg, 256), -1);
    CHECK_INT(deploy_url_parse("http://", host, sizeof host, &port, path, sizeof path, msg, 256), -1);
    CHECK_INT(deploy_url_parse("http://h:0", host, sizeof host, &port, path, sizeof path, msg, 256), -1);
    CHECK_INT(deploy_url_parse("http://h:70000", host, sizeof host, &port, path, sizeof path, msg, 256), -1);
    CHECK_INT(deploy_url_parse("http://h:12x", host, sizeof host, &port, path, sizeof path, msg, 256), -1);
    CHECK_INT(deploy_url_parse("http://[::1", host, sizeof host, &port, path, sizeof path, msg, 256), -1);
    CHECK_STR(msg, "not a valid endpoint URL: http://[::1");
}

TEST(test_path_join_folds_dot_segments)
{
    static const char *const cases[][3] = {
        {"/a/b", "src", "/a/b/src"},  {"/a/b", "./src/", "/a/b/src"}, {"/a/b", "../c//d.zip", "/a/c/d.zip"},
        {"/a/b", "../../../x", "/x"}, {"/a/b", ".", "/a/b"},          {"/", "..", "/"},
        {"/a", "/abs/./p", "/abs/p"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char out[64];
        CHECK_INT(deploy_path_join(cases[i][0], cases[i][1], out, sizeof out), 0);
        CHECK_STR(out, cases[i][2]);
    }
    char small[64];
    CHECK_INT(
        deploy_path_join("/a/b", "0123456789012345678901234567890123456789012345678901234567890", small, sizeof small),
        -1);
}

static json_t *load(const char *text)
{
    json_error_t e;
    json_t *j = json_loads(text, 0, &e);
    if (!j)
        fprintf(stderr, "  bad test JSON: %s\n", e.text);
    return j;
}

static const char *at(const json_t *tpl, const char *id, const char *k1, const char *k2)
{
    const json_t *v = json_object_get(json_object_get(json_object_get(tpl, "Resources"), id), "Properties");
    v = json_object_get(v, k1);
    if (k2)
        v = json_object_get(v, k2);
    return json_string_value(v);
}

TEST(test_paths_made_absolute_for_code_properties)
{
    json_t *tpl = load("{\"Globals\": {\"Function\": {\"CodeUri\": \"shared\"}},"
                       "\"Resources\": {"
                       " \"Fn\": {\"Type\": \"AWS::Serverless::Function\", \"Properties\": {\"CodeUri\": \"src/fn\"}},"
                       " \"Layer\": {\"Type\": \"AWS::Serverless::LayerVersion\","
                       "           \"Properties\": {\"ContentUri\": \"../layers/common.zip\"}},"
                       " \"Raw\": {\"Type\": \"AWS::Lambda::Function\", \"Properties\": {\"Code\": "
                       "          {\"RunnelCodeDirectory\": \"./handlers\", \"RunnelZipPath\": \"h.zip\"}}},"
                       " \"RawLayer\": {\"Type\": \"AWS::Lambda::LayerVersion\", \"Properties\": {\"Content\": "
                       "          {\"RunnelZipPath\": \"l.zip\"}}}}}");
    CHECK_INT(deploy_paths_absolute(tpl, "/proj/app"), 6);
    CHECK_STR(
        json_string_value(json_object_get(json_object_get(json_object_get(tpl, "Globals"), "Function"), "CodeUri")),
        "/proj/app/shared");
    CHECK_STR(at(tpl, "Fn", "CodeUri", NULL), "/proj/app/src/fn");
    CHECK_STR(at(tpl, "Layer", "ContentUri", NULL), "/proj/layers/common.zip");
    CHECK_STR(at(tpl, "Raw", "Code", "RunnelCodeDirectory"), "/proj/app/handlers");
    CHECK_STR(at(tpl, "Raw", "Code", "RunnelZipPath"), "/proj/app/h.zip");
    CHECK_STR(at(tpl, "RawLayer", "Content", "RunnelZipPath"), "/proj/app/l.zip");
    json_decref(tpl);
}

TEST(test_paths_left_alone_when_not_relative_local_strings)
{
    json_t *tpl = load("{\"Resources\": {"
                       " \"Abs\": {\"Type\": \"AWS::Serverless::Function\", \"Properties\": {\"CodeUri\": \"/opt/x\"}},"
                       " \"S3\": {\"Type\": \"AWS::Serverless::Function\", \"Properties\": {\"CodeUri\": "
                       "        \"s3://bucket/key.zip\"}},"
                       " \"Obj\": {\"Type\": \"AWS::Serverless::Function\", \"Properties\": {\"CodeUri\": "
                       "        {\"Bucket\": \"b\", \"Key\": \"k\"}}},"
                       " \"Ref\": {\"Type\": \"AWS::Serverless::Function\", \"Properties\": {\"CodeUri\": "
                       "        {\"Ref\": \"CodePath\"}}},"
                       " \"Inline\": {\"Type\": \"AWS::Lambda::Function\", \"Properties\": {\"Code\": "
                       "        {\"ZipFile\": \"def h(e, c): pass\"}}},"
                       " \"Other\": {\"Type\": \"AWS::SQS::Queue\", \"Properties\": {\"CodeUri\": \"src\"}},"
                       " \"NoProps\": {\"Type\": \"AWS::Serverless::Function\"}}}");
    json_t *before = json_deep_copy(tpl);
    CHECK_INT(deploy_paths_absolute(tpl, "/proj"), 0);
    CHECK(json_equal(tpl, before));
    json_decref(before);
    json_decref(tpl);
}

/* Runs fn's output into a string. Caller frees it. */
static char *capture(void (*fn)(FILE *, void *), void *arg)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    fn(f, arg);
    fclose(f);
    return text;
}

static void print_table(FILE *f, void *arg)
{
    static const char *const h[] = {"Key", "Value", "Export name"};
    deploy_table_print(f, "  ", h, 3, arg);
}

TEST(test_table_columns_aligned_missing_cells_dashed)
{
    json_t *rows = load("[[\"QueueUrl\", \"http://127.0.0.1:4566/000000000000/q\", \"orders-QueueUrl\"],"
                        " [\"Arn\", \"arn:aws:sqs:us-east-1:000000000000:q\", null],"
                        " [\"Empty\", \"\"]]");
    char *text = capture(print_table, rows);
    CHECK_STR(text, "  Key       Value                                 Export name\n"
                    "  QueueUrl  http://127.0.0.1:4566/000000000000/q  orders-QueueUrl\n"
                    "  Arn       arn:aws:sqs:us-east-1:000000000000:q  -\n"
                    "  Empty     -                                     -\n");
    free(text);
    json_decref(rows);
}

static void print_summary(FILE *f, void *arg)
{
    json_t *in = arg;
    deploy_summary_print(f, json_object_get(in, "stack"), json_object_get(in, "resources"),
                         json_object_get(in, "failures"));
}

TEST(test_summary_shows_resources_outputs_and_failures)
{
    json_t *in = load(
        "{\"stack\": {\"StackStatus\": \"ROLLBACK_COMPLETE\", \"StackStatusReason\": \"The following resource(s) "
        "failed to create: [Bad].\", \"Outputs\": [{\"OutputKey\": \"K\", \"OutputValue\": \"V\", \"ExportName\": "
        "\"E\"}]},"
        "\"resources\": [{\"LogicalResourceId\": \"Q\", \"ResourceType\": \"AWS::SQS::Queue\", \"ResourceStatus\": "
        "\"DELETE_COMPLETE\", \"PhysicalResourceId\": \"http://q\"}],"
        "\"failures\": [{\"LogicalResourceId\": \"Bad\", \"ResourceType\": \"AWS::Foo::Bar\", \"ResourceStatus\": "
        "\"CREATE_FAILED\", \"ResourceStatusReason\": \"Runnel does not support resource type AWS::Foo::Bar\"}]}");
    char *text = capture(print_summary, in);
    CHECK_STR(text, "\nResources\n"
                    "  Logical ID  Type             Status           Physical ID\n"
                    "  Q           AWS::SQS::Queue  DELETE_COMPLETE  http://q\n"
                    "\nOutputs\n"
                    "  Key  Value  Export name\n"
                    "  K    V      E\n"
                    "\nFailed resources\n"
                    "  Bad (AWS::Foo::Bar) CREATE_FAILED: Runnel does not support resource type AWS::Foo::Bar\n"
                    "\nStack status reason: The following resource(s) failed to create: [Bad].\n");
    free(text);
    json_decref(in);
}

typedef struct progress_case {
    int tty, width;
    size_t total;
    json_t *events;
} progress_case_t;

static void run_progress(FILE *f, void *arg)
{
    progress_case_t *pc = arg;
    deploy_progress_t p;
    deploy_progress_init(&p, f, pc->tty, pc->width, "s", pc->total);
    size_t i;
    json_t *ev;
    json_array_foreach(pc->events, i, ev)
        deploy_progress_event(&p, ev);
    deploy_progress_end(&p);
}

static json_t *events(void)
{
    return load("["
                "{\"LogicalResourceId\": \"s\", \"ResourceType\": \"AWS::CloudFormation::Stack\", "
                " \"ResourceStatus\": \"CREATE_IN_PROGRESS\"},"
                "{\"LogicalResourceId\": \"Queue\", \"ResourceType\": \"AWS::SQS::Queue\", "
                " \"ResourceStatus\": \"CREATE_IN_PROGRESS\"},"
                "{\"LogicalResourceId\": \"Queue\", \"ResourceType\": \"AWS::SQS::Queue\", "
                " \"ResourceStatus\": \"CREATE_COMPLETE\"},"
                "{\"LogicalResourceId\": \"Topic\", \"ResourceType\": \"AWS::SNS::Topic\", "
                " \"ResourceStatus\": \"CREATE_FAILED\", \"ResourceStatusReason\": \"boom\"},"
                "{\"LogicalResourceId\": \"s\", \"ResourceType\": \"AWS::CloudFormation::Stack\", "
                " \"ResourceStatus\": \"ROLLBACK_COMPLETE\"}]");
}

TEST(test_progress_one_line_per_event_without_tty)
{
    progress_case_t pc = {0, 0, 2, events()};
    char *text = capture(run_progress, &pc);
    CHECK_STR(text, "CREATE_IN_PROGRESS                   AWS::CloudFormation::Stack       s\n"
                    "CREATE_IN_PROGRESS                   AWS::SQS::Queue                  Queue\n"
                    "CREATE_COMPLETE                      AWS::SQS::Queue                  Queue\n"
                    "CREATE_FAILED                        AWS::SNS::Topic                  Topic: boom\n"
                    "ROLLBACK_COMPLETE                    AWS::CloudFormation::Stack       s\n");
    CHECK(strchr(text, '\r') == NULL);
    free(text);
    json_decref(pc.events);
}

TEST(test_progress_live_line_counts_resources_not_the_stack)
{
    progress_case_t pc = {1, 0, 2, events()};
    char *text = capture(run_progress, &pc);
    CHECK_STR(text, "\r\033[K[0/2] s CREATE_IN_PROGRESS"
                    "\r\033[K[0/2] Queue CREATE_IN_PROGRESS"
                    "\r\033[K[1/2] Queue CREATE_COMPLETE"
                    "\r\033[K[2/2] Topic CREATE_FAILED"
                    "\r\033[K[2/2] s ROLLBACK_COMPLETE\n");
    CHECK(strchr(text, '\n') == text + strlen(text) - 1);
    free(text);
    json_decref(pc.events);
}

TEST(test_progress_live_line_fits_the_terminal)
{
    progress_case_t pc = {1, 12, 0,
                          load("[{\"LogicalResourceId\": \"AVeryLongLogicalId\", \"ResourceType\": "
                               "\"AWS::SQS::Queue\", \"ResourceStatus\": \"CREATE_COMPLETE\"}]")};
    char *text = capture(run_progress, &pc);
    CHECK_STR(text, "\r\033[K[1] AVeryLo\n"); /* 11 columns: the cursor never wraps */
    free(text);
    json_decref(pc.events);
}
