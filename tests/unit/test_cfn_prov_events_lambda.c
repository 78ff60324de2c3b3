/* SPDX-License-Identifier: MIT
 * The EventBridge and Lambda CloudFormation providers against the real
 * services (the whole service table, in memory, no HTTP): each resource is
 * created, read back through the owning service's own operations, updated
 * and deleted, the way the stack engine drives them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uv.h>

#include "app.h"
#include "cloudformation/cfn_int.h"
#include "core/config.h"
#include "services.h"
#include "unit.h"

static uv_loop_t loop;
static rn_config_t cfg;
static rn_app_t app;

static void open_app(void)
{
    static int opened;
    if (opened)
        return;
    opened = 1;
    uv_loop_init(&loop);
    rn_config_defaults(&cfg);
    app.loop = &loop;
    app.cfg = &cfg;
    char msg[256];
    if (rn_app_open(&app, rn_services, msg, sizeof msg) < 0) {
        fprintf(stderr, "app: %s\n", msg);
        abort();
    }
}

/* An op for `type` with properties `props` (a JSON text). */
static cfn_op_t *op_new(const char *type, const char *logical, const char *props)
{
    open_app();
    cfn_op_t *op = calloc(1, sizeof *op);
    op->sinks = app.sinks;
    op->account = cfg.account_id;
    op->region = cfg.region;
    op->stack_name = "unitstack";
    op->stack_id = "arn:aws:cloudformation:us-east-1:000000000000:stack/unitstack/x";
    op->logical_id = logical;
    op->type = type;
    op->props = json_loads(props, 0, NULL);
    if (!op->props)
        abort();
    return op;
}

/* Turns a created op into the one the engine would hand an update with
 * new properties (or a delete, with props NULL). */
static void op_next(cfn_op_t *op, const char *props)
{
    json_decref((json_t *)op->old_props);
    json_decref((json_t *)op->old_attrs);
    free((char *)op->old_physical);
    op->old_props = op->props;
    op->old_attrs = op->attrs;
    op->old_physical = strdup(op->physical);
    op->attrs = NULL;
    op->physical[0] = op->msg[0] = 0;
    op->props = props ? json_loads(props, 0, NULL) : json_object();
}

static void op_free(cfn_op_t *op)
{
    json_decref((json_t *)op->props);
    json_decref((json_t *)op->old_props);
    json_decref((json_t *)op->old_attrs);
    json_decref(op->attrs);
    free((char *)op->old_physical);
    free(op);
}

static int run(const char *kind, cfn_op_t *op)
{
    const cfn_provider_t *p = cfn_provider(op->type);
    if (!p)
        return -2;
    int rc = !strcmp(kind, "create") ? p->create(op) : !strcmp(kind, "update") ? p->update(op) : p->delete (op);
    if (rc < 0)
        fprintf(stderr, "  %s %s: %s\n", kind, op->type, op->msg);
    return rc;
}

/* Calls a service operation; returns its output (new) or NULL. */
static json_t *call(const char *service, const char *opname, const char *fmt, ...)
{
    open_app();
    va_list ap;
    va_start(ap, fmt);
    json_t *in = json_vpack_ex(NULL, 0, fmt, ap);
    va_end(ap);
    cfn_op_t op = {.sinks = app.sinks, .account = cfg.account_id, .region = cfg.region};
    json_t *out = NULL;
    return cfn_call(&op, service, opname, in, &out) == 0 ? out : NULL;
}

static const char *attr(const cfn_op_t *op, const char *name)
{
    return json_string_value(json_object_get(op->attrs, name));
}

TEST(test_event_bus_create_update_delete)
{
    cfn_op_t *op = op_new("AWS::Events::EventBus", "Bus",
                          "{\"Name\":\"u-bus\",\"Description\":\"one\","
                          "\"Tags\":[{\"Key\":\"k\",\"Value\":\"v\"}]}");
    CHECK_INT(run("create", op), 0);
    CHECK_STR(op->physical, "u-bus");
    CHECK_STR(attr(op, "Arn"), "arn:aws:events:us-east-1:000000000000:event-bus/u-bus");
    json_t *d = call("events", "DescribeEventBus", "{s:s}", "Name", "u-bus");
    CHECK_STR(json_string_value(json_object_get(d, "Description")), "one");
    json_decref(d);
    op_next(op, "{\"Name\":\"u-bus\",\"Description\":\"two\",\"Tags\":[{\"Key\":\"n\",\"Value\":\"w\"}]}");
    CHECK_INT(run("update", op), 0);
    CHECK_STR(op->physical, "u-bus");
    d = call("events", "DescribeEventBus", "{s:s}", "Name", "u-bus");
    CHECK_STR(json_string_value(json_object_get(d, "Description")), "two");
    json_decref(d);
    json_t *t = call("events", "ListTagsForResource", "{s:s}", "ResourceARN", attr(op, "Arn"));
    json_t *tags = json_object_get(t, "Tags");
    CHECK_INT(json_array_size(tags), 1);
    CHECK_STR(json_string_value(json_object_get(json_array_get(tags, 0), "Key")), "n");
    json_decref(t);
    op_next(op, NULL);
    CHECK_INT(run("delete", op), 0);
    CHECK(!call("events", "DescribeEventBus", "{s:s}", "Name", "u-bus"));
    CHECK_INT(run("delete", op), 0); /* already gone */
    op_free(op);
}

TEST(test_rule_on_custom_bus_targets_and_update)
{
    cfn_op_t *bus = op_new("AWS::Events::EventBus", "Bus", "{\"Name\":\"r-bus\"}");
    CHECK_INT(run("create", bus), 0);
    json_t *q = call("sqs", "CreateQueue", "{s:s}", "QueueName", "r-target");
    json_t *qa = call("sqs", "GetQueueAttributes", "{s:O,s:[s]}", "QueueUrl", json_object_get(q, "QueueUrl"),
                      "AttributeNames", "QueueArn");
    const char *qarn = json_string_value(json_object_get(json_object_get(qa, "Attributes"), "QueueArn"));
    CHECK(qarn != NULL);
    char props[2048];
    snprintf(props, sizeof props,
             "{\"EventBusName\":\"%s\",\"EventPattern\":{\"source\":[\"shop\"]},\"State\":\"ENABLED\","
             "\"Targets\":[{\"Id\":\"a\",\"Arn\":\"%s\",\"RetryPolicy\":{\"MaximumRetryAttempts\":\"4\","
             "\"MaximumEventAgeInSeconds\":\"400\"}},{\"Id\":\"b\",\"Arn\":\"%s\",\"Input\":{\"x\":1}}]}",
             attr(bus, "Arn"), qarn, qarn);
    cfn_op_t *op = op_new("AWS::Events::Rule", "OrderRule", props);
    CHECK_INT(run("create", op), 0);
    CHECK(!strncmp(op->physical, "r-bus|unitstack-OrderRule-", 26));
    const char *name = strchr(op->physical, '|') + 1;
    CHECK(strlen(name) <= 64);
    char arn[300];
    snprintf(arn, sizeof arn, "arn:aws:events:us-east-1:000000000000:rule/r-bus/%s", name);
    CHECK_STR(attr(op, "Arn"), arn);
    json_t *d = call("events", "DescribeRule", "{s:s,s:s}", "Name", name, "EventBusName", "r-bus");
    CHECK_STR(json_string_value(json_object_get(d, "EventPattern")), "{\"source\":[\"shop\"]}");
    json_decref(d);
    json_t *ts = call("events", "ListTargetsByRule", "{s:s,s:s}", "Rule", name, "EventBusName", "r-bus");
    CHECK_INT(json_array_size(json_object_get(ts, "Targets")), 2);
    json_t *rp = json_object_get(json_array_get(json_object_get(ts, "Targets"), 0), "RetryPolicy");
    CHECK_INT(json_integer_value(json_object_get(rp, "MaximumRetryAttempts")), 4);
    CHECK_STR(json_string_value(json_object_get(json_array_get(json_object_get(ts, "Targets"), 1), "Input")),
              "{\"x\":1}");
    json_decref(ts);
    char physical[1024];
    snprintf(physical, sizeof physical, "%s", op->physical);
    /* update: target b dropped, the rule disabled */
    snprintf(props, sizeof props,
             "{\"EventBusName\":\"r-bus\",\"EventPattern\":\"{\\\"source\\\":[\\\"shop2\\\"]}\","
             "\"State\":\"DISABLED\",\"Targets\":[{\"Id\":\"a\",\"Arn\":\"%s\"}]}",
             qarn);
    op_next(op, props);
    CHECK_INT(run("update", op), 0);
    CHECK_STR(op->physical, physical);
    d = call("events", "DescribeRule", "{s:s,s:s}", "Name", name, "EventBusName", "r-bus");
    CHECK_STR(json_string_value(json_object_get(d, "State")), "DISABLED");
    CHECK_STR(json_string_value(json_object_get(d, "EventPattern")), "{\"source\":[\"shop2\"]}");
    json_decref(d);
    ts = call("events", "ListTargetsByRule", "{s:s,s:s}", "Rule", name, "EventBusName", "r-bus");
    CHECK_INT(json_array_size(json_object_get(ts, "Targets")), 1);
    json_decref(ts);
    op_next(op, NULL);
    CHECK_INT(run("delete", op), 0);
    CHECK(!call("events", "DescribeRule", "{s:s,s:s}", "Name", name, "EventBusName", "r-bus"));
    CHECK_INT(run("delete", op), 0);
    op_next(bus, NULL);
    CHECK_INT(run("delete", bus), 0);
    json_decref(q);
    json_decref(qa);
    op_free(op);
    op_free(bus);
}

TEST(test_rule_on_default_bus_is_known_by_its_name)
{
    cfn_op_t *op = op_new("AWS::Events::Rule", "Tick", "{\"Name\":\"tick\",\"ScheduleExpression\":\"rate(1 hour)\"}");
    CHECK_INT(run("create", op), 0);
    CHECK_STR(op->physical, "tick");
    CHECK_STR(attr(op, "Arn"), "arn:aws:events:us-east-1:000000000000:rule/tick");
    op_next(op, NULL);
    CHECK_INT(run("delete", op), 0);
    op_free(op);
}

TEST(test_archive_connection_api_destination)
{
    cfn_op_t *ar = op_new("AWS::Events::Archive", "Arch",
                          "{\"SourceArn\":\"arn:aws:events:us-east-1:000000000000:event-bus/default\","
                          "\"RetentionDays\":\"7\",\"EventPattern\":{\"source\":[\"a\"]}}");
    CHECK_INT(run("create", ar), 0);
    CHECK(strlen(ar->physical) <= 48);
    json_t *d = call("events", "DescribeArchive", "{s:s}", "ArchiveName", ar->physical);
    CHECK_INT(json_integer_value(json_object_get(d, "RetentionDays")), 7);
    CHECK_STR(json_string_value(json_object_get(d, "ArchiveArn")), attr(ar, "Arn"));
    json_decref(d);
    op_next(ar, "{\"SourceArn\":\"arn:aws:events:us-east-1:000000000000:event-bus/default\",\"RetentionDays\":3}");
    CHECK_INT(run("update", ar), 0);
    d = call("events", "DescribeArchive", "{s:s}", "ArchiveName", ar->physical);
    CHECK_INT(json_integer_value(json_object_get(d, "RetentionDays")), 3);
    json_decref(d);
    op_next(ar, NULL);
    CHECK_INT(run("delete", ar), 0);
    CHECK_INT(run("delete", ar), 0);

    cfn_op_t *cn = op_new("AWS::Events::Connection", "Conn",
                          "{\"AuthorizationType\":\"API_KEY\",\"AuthParameters\":{\"ApiKeyAuthParameters\":"
                          "{\"ApiKeyName\":\"x-key\",\"ApiKeyValue\":\"s3cret\"}}}");
    CHECK_INT(run("create", cn), 0);
    CHECK(attr(cn, "Arn") && strstr(attr(cn, "Arn"), ":connection/"));
    CHECK(attr(cn, "SecretArn") && strstr(attr(cn, "SecretArn"), "secretsmanager"));
    char props[1024];
    snprintf(props, sizeof props,
             "{\"ConnectionArn\":\"%s\",\"InvocationEndpoint\":\"http://127.0.0.1:9/x\",\"HttpMethod\":\"POST\","
             "\"InvocationRateLimitPerSecond\":\"5\"}",
             attr(cn, "Arn"));
    cfn_op_t *ad = op_new("AWS::Events::ApiDestination", "Dest", props);
    CHECK_INT(run("create", ad), 0);
    d = call("events", "DescribeApiDestination", "{s:s}", "Name", ad->physical);
    CHECK_INT(json_integer_value(json_object_get(d, "InvocationRateLimitPerSecond")), 5);
    CHECK_STR(json_string_value(json_object_get(d, "ApiDestinationArn")), attr(ad, "Arn"));
    json_decref(d);
    op_next(ad, NULL);
    CHECK_INT(run("delete", ad), 0);
    op_next(cn, NULL);
    CHECK_INT(run("delete", cn), 0);
    CHECK(!call("events", "DescribeConnection", "{s:s}", "Name", cn->old_physical));
    op_free(ar);
    op_free(cn);
    op_free(ad);
}

/* The statements of bus `name`'s policy, as their Sids joined by ",". */
static void policy_sids(const char *bus, char *out, size_t len)
{
    json_t *d = call("events", "DescribeEventBus", "{s:s}", "Name", bus);
    json_t *doc = json_loads(json_string_value(json_object_get(d, "Policy")) ?: "{}", 0, NULL), *st;
    size_t i, n = 0;
    out[0] = 0;
    json_array_foreach(json_object_get(doc, "Statement"), i, st)
        n += snprintf(out + n, len - n, "%s%s", n ? "," : "", json_string_value(json_object_get(st, "Sid")));
    json_decref(doc);
    json_decref(d);
}

TEST(test_event_bus_policy_statements)
{
    cfn_op_t *bus = op_new("AWS::Events::EventBus", "Bus", "{\"Name\":\"p-bus\"}");
    CHECK_INT(run("create", bus), 0);
    cfn_op_t *a = op_new("AWS::Events::EventBusPolicy", "A",
                         "{\"EventBusName\":\"p-bus\",\"StatementId\":\"a\",\"Action\":\"events:PutEvents\","
                         "\"Principal\":111122223333}");
    CHECK_INT(run("create", a), 0);
    CHECK_STR(a->physical, "a");
    cfn_op_t *b = op_new("AWS::Events::EventBusPolicy", "B",
                         "{\"EventBusName\":\"p-bus\",\"StatementId\":\"b\",\"Statement\":{\"Effect\":\"Allow\","
                         "\"Principal\":{\"AWS\":\"arn:aws:iam::111122223333:root\"},\"Action\":\"events:PutEvents\","
                         "\"Resource\":\"arn:aws:events:us-east-1:000000000000:event-bus/p-bus\"}}");
    CHECK_INT(run("create", b), 0);
    char sids[256];
    policy_sids("p-bus", sids, sizeof sids);
    CHECK_STR(sids, "a,b");
    op_next(b, "{\"EventBusName\":\"p-bus\",\"StatementId\":\"b\",\"Action\":\"events:PutEvents\","
               "\"Principal\":\"444455556666\"}");
    CHECK_INT(run("update", b), 0);
    policy_sids("p-bus", sids, sizeof sids);
    CHECK_STR(sids, "a,b");
    op_next(a, NULL);
    CHECK_INT(run("delete", a), 0);
    policy_sids("p-bus", sids, sizeof sids);
    CHECK_STR(sids, "b");
    CHECK_INT(run("delete", a), 0);
    op_next(b, NULL);
    CHECK_INT(run("delete", b), 0);
    op_next(bus, NULL);
    CHECK_INT(run("delete", bus), 0);
    op_free(a);
    op_free(b);
    op_free(bus);
}

TEST(test_function_inline_code_update_and_delete)
{
    cfn_op_t *op = op_new("AWS::Lambda::Function", "Fn",
                          "{\"Runtime\":\"python3.12\",\"Handler\":\"index.handler\","
                          "\"Role\":\"arn:aws:iam::000000000000:role/x\",\"Timeout\":\"10\","
                          "\"Environment\":{\"Variables\":{\"N\":5,\"B\":true}},"
                          "\"ReservedConcurrentExecutions\":\"2\",\"Tags\":[{\"Key\":\"t\",\"Value\":\"1\"}],"
                          "\"Code\":{\"ZipFile\":\"def handler(e, c):\\n    return 1\\n\"}}");
    CHECK_INT(run("create", op), 0);
    CHECK(!strncmp(op->physical, "unitstack-Fn-", 13));
    CHECK(strlen(op->physical) <= 64);
    json_t *g = call("lambda", "GetFunction", "{s:s}", "FunctionName", op->physical);
    json_t *c = json_object_get(g, "Configuration");
    CHECK_INT(json_integer_value(json_object_get(c, "Timeout")), 10);
    CHECK_STR(json_string_value(json_object_get(json_object_get(json_object_get(c, "Environment"), "Variables"), "N")),
              "5");
    CHECK_STR(json_string_value(json_object_get(json_object_get(json_object_get(c, "Environment"), "Variables"), "B")),
              "true");
    CHECK_INT(json_integer_value(json_object_get(json_object_get(g, "Concurrency"), "ReservedConcurrentExecutions")),
              2);
    CHECK_STR(json_string_value(json_object_get(c, "FunctionArn")), attr(op, "Arn"));
    CHECK(json_integer_value(json_object_get(c, "CodeSize")) > 0);
    json_decref(g);
    op_next(op, "{\"Runtime\":\"python3.12\",\"Handler\":\"index.handler\","
                "\"Role\":\"arn:aws:iam::000000000000:role/x\",\"MemorySize\":256,"
                "\"Code\":{\"ZipFile\":\"def handler(e, c):\\n    return 2\\n\"}}");
    CHECK_INT(run("update", op), 0);
    CHECK_STR(op->physical, op->old_physical);
    g = call("lambda", "GetFunction", "{s:s}", "FunctionName", op->physical);
    c = json_object_get(g, "Configuration");
    CHECK_INT(json_integer_value(json_object_get(c, "Timeout")), 3); /* back to the default */
    CHECK_INT(json_integer_value(json_object_get(c, "MemorySize")), 256);
    CHECK(!json_object_get(c, "Environment"));
    CHECK(!json_object_get(g, "Concurrency"));
    CHECK(!json_object_get(g, "Tags"));
    json_decref(g);
    op_next(op, NULL);
    CHECK_INT(run("delete", op), 0);
    CHECK(!call("lambda", "GetFunction", "{s:s}", "FunctionName", op->old_physical));
    CHECK_INT(run("delete", op), 0);
    op_free(op);
}

TEST(test_function_s3_code_is_refused_with_a_reason)
{
    cfn_op_t *op = op_new("AWS::Lambda::Function", "S3Fn",
                          "{\"Runtime\":\"python3.12\",\"Handler\":\"index.handler\","
                          "\"Role\":\"arn:aws:iam::000000000000:role/x\","
                          "\"Code\":{\"S3Bucket\":\"b\",\"S3Key\":\"k.zip\"}}");
    CHECK_INT(run("create", op), -1);
    CHECK(strstr(op->msg, "S3Bucket/S3Key") && strstr(op->msg, "CodeUri"));
    op_free(op);
}

TEST(test_layer_from_directory_version_alias_permission_esm)
{
    char dir[] = "/tmp/rn_cfn_layer_XXXXXX", path[300];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(path, sizeof path, "%s/python", dir);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/python/helper.py", dir);
    FILE *f = fopen(path, "w");
    fputs("X = 1\n", f);
    fclose(f);
    char props[1024];
    snprintf(props, sizeof props,
             "{\"Content\":{\"RunnelCodeDirectory\":\"%s\"},\"CompatibleRuntimes\":[\"python3.12\"]}", dir);
    cfn_op_t *ly = op_new("AWS::Lambda::LayerVersion", "Layer", props);
    CHECK_INT(run("create", ly), 0);
    CHECK(strstr(ly->physical, ":layer:unitstack-Layer-") && !strcmp(ly->physical + strlen(ly->physical) - 2, ":1"));
    CHECK_STR(attr(ly, "LayerVersionArn"), ly->physical);
    char lname[200];
    snprintf(lname, sizeof lname, "%s", strstr(ly->physical, ":layer:") + 7);
    *strrchr(lname, ':') = 0;
    json_t *lv = call("lambda", "GetLayerVersion", "{s:s,s:i}", "LayerName", lname, "VersionNumber", 1);
    CHECK(lv && json_integer_value(json_object_get(json_object_get(lv, "Content"), "CodeSize")) > 0);
    json_decref(lv);

    snprintf(props, sizeof props,
             "{\"FunctionName\":\"u-fn\",\"Runtime\":\"nodejs20.x\",\"Handler\":\"index.handler\","
             "\"Role\":\"arn:aws:iam::000000000000:role/x\",\"Layers\":[\"%s\"],"
             "\"Code\":{\"ZipFile\":\"exports.handler = async () => 1;\"}}",
             ly->physical);
    cfn_op_t *fn = op_new("AWS::Lambda::Function", "Fn", props);
    CHECK_INT(run("create", fn), 0);
    CHECK_STR(fn->physical, "u-fn");

    cfn_op_t *ver = op_new("AWS::Lambda::Version", "Ver", "{\"FunctionName\":\"u-fn\",\"Description\":\"v1\"}");
    CHECK_INT(run("create", ver), 0);
    CHECK_STR(ver->physical, "arn:aws:lambda:us-east-1:000000000000:function:u-fn:1");
    CHECK_STR(attr(ver, "Version"), "1");
    cfn_op_t *al =
        op_new("AWS::Lambda::Alias", "Live", "{\"FunctionName\":\"u-fn\",\"Name\":\"live\",\"FunctionVersion\":\"1\"}");
    CHECK_INT(run("create", al), 0);
    CHECK_STR(al->physical, "arn:aws:lambda:us-east-1:000000000000:function:u-fn:live");

    cfn_op_t *pm = op_new("AWS::Lambda::Permission", "Perm",
                          "{\"FunctionName\":\"u-fn\",\"Action\":\"lambda:InvokeFunction\","
                          "\"Principal\":\"events.amazonaws.com\"}");
    CHECK_INT(run("create", pm), 0);
    CHECK(!strncmp(pm->physical, "unitstack-Perm-", 15));
    CHECK_STR(attr(pm, "Id"), pm->physical);
    json_t *pol = call("lambda", "GetPolicy", "{s:s}", "FunctionName", "u-fn");
    CHECK(pol && strstr(json_string_value(json_object_get(pol, "Policy")), attr(pm, "Id")));
    json_decref(pol);

    json_t *q = call("sqs", "CreateQueue", "{s:s}", "QueueName", "esm-src");
    json_t *qa = call("sqs", "GetQueueAttributes", "{s:O,s:[s]}", "QueueUrl", json_object_get(q, "QueueUrl"),
                      "AttributeNames", "QueueArn");
    snprintf(props, sizeof props,
             "{\"FunctionName\":\"u-fn\",\"EventSourceArn\":\"%s\",\"BatchSize\":\"5\",\"Enabled\":\"false\"}",
             json_string_value(json_object_get(json_object_get(qa, "Attributes"), "QueueArn")));
    cfn_op_t *esm = op_new("AWS::Lambda::EventSourceMapping", "Map", props);
    CHECK_INT(run("create", esm), 0);
    CHECK_INT(strlen(esm->physical), 36);
    json_t *m = call("lambda", "GetEventSourceMapping", "{s:s}", "UUID", esm->physical);
    CHECK_INT(json_integer_value(json_object_get(m, "BatchSize")), 5);
    CHECK_STR(json_string_value(json_object_get(m, "State")), "Disabled");
    json_decref(m);
    op_next(esm, props);
    json_object_set_new((json_t *)esm->props, "BatchSize", json_integer(7));
    json_object_del((json_t *)esm->props, "Enabled");
    CHECK_INT(run("update", esm), 0);
    m = call("lambda", "GetEventSourceMapping", "{s:s}", "UUID", esm->physical);
    CHECK_INT(json_integer_value(json_object_get(m, "BatchSize")), 7);
    CHECK(strcmp(json_string_value(json_object_get(m, "State")), "Disabled"));
    json_decref(m);

    cfn_op_t *order[] = {esm, pm, al, ver, fn, ly};
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        op_next(order[i], NULL);
        CHECK_INT(run("delete", order[i]), 0);
        CHECK_INT(run("delete", order[i]), 0); /* already gone */
        if (order[i] == pm) {                  /* the statement is gone from the function's policy */
            json_t *left = call("lambda", "GetPolicy", "{s:s}", "FunctionName", "u-fn");
            CHECK(!left || !strstr(json_string_value(json_object_get(left, "Policy")) ?: "", pm->old_physical));
            json_decref(left);
        }
        op_free(order[i]);
    }
    CHECK(!call("lambda", "GetFunction", "{s:s}", "FunctionName", "u-fn"));
    json_decref(q);
    json_decref(qa);
    unlink(path);
    snprintf(path, sizeof path, "%s/python", dir);
    rmdir(path);
    rmdir(dir);
}

UNIT_MAIN()
