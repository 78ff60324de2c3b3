/* SPDX-License-Identifier: MIT
 * The CloudFormation resource providers of SQS, SNS, Logs, CloudWatch, IAM
 * and DynamoDB against the real services (every instance of the service
 * table, in memory, no HTTP): each provider's create, update and delete are
 * called as the stack engine calls them, and what they did is read back
 * through the services' own operations. Also the loose property typing the
 * providers share (prov_value.c). */
#include <uv.h>

#include "app.h"
#include "cloudformation/cfn_int.h"
#include "cloudformation/prov_int.h"
#include "core/config.h"
#include "services.h"
#include "unit.h"

static rn_app_t app;
static rn_config_t cfg;

static rn_sinks_t *sinks(void)
{
    if (!app.loop) {
        rn_config_defaults(&cfg);
        cfg.in_memory = 1;
        app.loop = uv_default_loop();
        app.cfg = &cfg;
        char msg[256];
        if (rn_app_open(&app, rn_services, msg, sizeof msg) < 0) {
            fprintf(stderr, "app: %s\n", msg);
            exit(1);
        }
    }
    return app.sinks;
}

/* An op for one resource of stack "st"; props parsed from JSON text. */
static cfn_op_t *op_new(const char *type, const char *logical, const char *props)
{
    cfn_op_t *op = calloc(1, sizeof *op);
    op->sinks = sinks();
    op->account = cfg.account_id;
    op->region = cfg.region;
    op->stack_name = "st";
    op->stack_id = "arn:aws:cloudformation:us-east-1:000000000000:stack/st/x";
    op->logical_id = logical;
    op->type = type;
    op->props = json_loads(props, 0, NULL);
    return op;
}

/* The op's next step: an update (or delete) of what it made, with new props. */
static void op_next(cfn_op_t *op, const char *props)
{
    static char old_physical[8][1024];
    static int k;
    char *keep = old_physical[k++ % 8];
    snprintf(keep, 1024, "%s", op->physical);
    json_decref((json_t *)op->old_props);
    json_decref((json_t *)op->old_attrs);
    op->old_props = op->props;
    op->old_attrs = op->attrs;
    op->old_physical = keep;
    op->attrs = NULL;
    op->props = props ? json_loads(props, 0, NULL) : json_object();
    op->msg[0] = 0;
}

static void op_free(cfn_op_t *op)
{
    json_decref((json_t *)op->props);
    json_decref((json_t *)op->old_props);
    json_decref((json_t *)op->old_attrs);
    json_decref(op->attrs);
    free(op);
}

/* Runs a service operation (input as JSON text); NULL when it fails. */
static json_t *call(const char *service, const char *opname, const char *in)
{
    cfn_op_t *op = op_new("x", "x", "{}");
    json_t *out = NULL;
    if (cfn_call(op, service, opname, json_loads(in, 0, NULL), &out) < 0)
        out = NULL;
    op_free(op);
    return out;
}

static const char *attr(const cfn_op_t *op, const char *name)
{
    return json_string_value(json_object_get(op->attrs, name));
}

static const char *path_str(const json_t *v, const char *a, const char *b)
{
    return json_string_value(json_object_get(json_object_get(v, a), b));
}

TEST(values_are_read_loosely)
{
    cfn_op_t *op = op_new("AWS::SQS::Queue", "Q", "{}");
    json_t *v = json_loads("[\"TRUE\", true, \"x\", 1]", 0, NULL);
    CHECK(cfn_is_true(json_array_get(v, 0)) && cfn_is_true(json_array_get(v, 1)));
    CHECK(!cfn_is_true(json_array_get(v, 2)) && !cfn_is_true(json_array_get(v, 3)) && !cfn_is_true(NULL));
    json_t *doc = json_loads("{\"a\":{\"Period\":\"60\",\"ReturnData\":\"false\",\"Id\":\"7\"}}", 0, NULL);
    static const char *const ints[] = {"Period", NULL}, *const bools[] = {"ReturnData", NULL};
    json_t *t = cfn_typed(op, doc, ints, bools);
    CHECK(json_integer_value(json_object_get(json_object_get(t, "a"), "Period")) == 60);
    CHECK(json_is_false(json_object_get(json_object_get(t, "a"), "ReturnData")));
    CHECK_STR(path_str(t, "a", "Id"), "7");
    CHECK_STR(path_str(doc, "a", "Period"), "60"); /* the original is left alone */
    json_t *bad = json_loads("{\"Period\": \"soon\"}", 0, NULL);
    CHECK(cfn_typed(op, bad, ints, bools) == NULL);
    CHECK(strstr(op->msg, "#/Period: expected type: Integer") != NULL);
    json_t *in = json_object();
    CHECK(cfn_set_text(op, in, "Doc", json_object_get(doc, "a")) == 0);
    CHECK(cfn_set_text(op, in, "N", json_array_get(v, 3)) == 0);
    CHECK(cfn_set_text(op, in, "Absent", NULL) == 0);
    CHECK_STR(json_string_value(json_object_get(in, "Doc")), "{\"Period\":\"60\",\"ReturnData\":\"false\",\"Id\":\"7\"}");
    CHECK_STR(json_string_value(json_object_get(in, "N")), "1");
    CHECK(json_object_size(in) == 2);
    json_t *tags = json_loads("[{\"Key\":\"a\",\"Value\":1}]", 0, NULL), *list = cfn_tags_list(tags);
    CHECK_STR(json_string_value(json_object_get(json_array_get(list, 0), "Value")), "1");
    json_t *x = json_loads("[\"a\",\"b\",\"c\"]", 0, NULL), *y = json_loads("[\"b\"]", 0, NULL);
    json_t *minus = cfn_list_minus(x, y);
    CHECK(json_array_size(minus) == 2 && !strcmp(json_string_value(json_array_get(minus, 1)), "c"));
    json_decref(v), json_decref(doc), json_decref(t), json_decref(bad), json_decref(in), json_decref(tags),
        json_decref(list), json_decref(x), json_decref(y), json_decref(minus);
    op_free(op);
}

TEST(names_are_made_as_cloudformation_makes_them)
{
    cfn_op_t *op = op_new("AWS::SQS::Queue", "AVeryLongLogicalIdForAQueueThatGoesOnAndOnAndOnAndOnAndOnAndOn", "{}");
    char name[300];
    cfn_given_name(op, "QueueName", 80, ".fifo", name, sizeof name);
    CHECK(strlen(name) <= 80);
    CHECK(!strncmp(name, "st-AVeryLong", 12));
    CHECK(!strcmp(name + strlen(name) - 5, ".fifo"));
    op_free(op);
}

TEST(sqs_queue_create_update_replace_delete)
{
    const cfn_provider_t *p = cfn_provider("AWS::SQS::Queue");
    cfn_op_t *dlq = op_new("AWS::SQS::Queue", "Dlq", "{\"FifoQueue\": \"true\"}");
    CHECK(p->create(dlq) == 0);
    CHECK(strstr(attr(dlq, "QueueName"), "st-Dlq-") == attr(dlq, "QueueName"));
    char props[1024];
    snprintf(props, sizeof props,
             "{\"FifoQueue\": true, \"VisibilityTimeout\": \"45\", \"DelaySeconds\": 5, \"ContentBasedDeduplication\": "
             "\"true\", \"RedrivePolicy\": {\"deadLetterTargetArn\": \"%s\", \"maxReceiveCount\": \"3\"}, \"Tags\": "
             "[{\"Key\": \"a\", \"Value\": 1}]}",
             attr(dlq, "Arn"));
    cfn_op_t *q = op_new("AWS::SQS::Queue", "Q", props);
    CHECK(p->create(q) == 0);
    if (q->msg[0])
        fprintf(stderr, "  %s\n", q->msg);
    CHECK_STR(q->physical, attr(q, "QueueUrl"));
    char in[1200];
    snprintf(in, sizeof in, "{\"QueueUrl\": \"%s\", \"AttributeNames\": [\"All\"]}", q->physical);
    json_t *a = call("sqs", "GetQueueAttributes", in);
    CHECK_STR(path_str(a, "Attributes", "VisibilityTimeout"), "45");
    CHECK_STR(path_str(a, "Attributes", "DelaySeconds"), "5");
    CHECK_STR(path_str(a, "Attributes", "ContentBasedDeduplication"), "true");
    CHECK_STR(path_str(a, "Attributes", "QueueArn"), attr(q, "Arn"));
    CHECK(strstr(path_str(a, "Attributes", "RedrivePolicy") ?: "", attr(dlq, "Arn")) != NULL);
    json_decref(a);
    snprintf(in, sizeof in, "{\"QueueUrl\": \"%s\"}", q->physical);
    a = call("sqs", "ListQueueTags", in);
    CHECK_STR(path_str(a, "Tags", "a"), "1");
    json_decref(a);

    char url[1024];
    snprintf(url, sizeof url, "%s", q->physical);
    op_next(q, "{\"FifoQueue\": true, \"VisibilityTimeout\": 60, \"Tags\": [{\"Key\": \"b\", \"Value\": \"2\"}]}");
    CHECK(p->update(q) == 0);
    if (q->msg[0])
        fprintf(stderr, "  %s\n", q->msg);
    CHECK_STR(q->physical, url);
    snprintf(in, sizeof in, "{\"QueueUrl\": \"%s\", \"AttributeNames\": [\"All\"]}", url);
    a = call("sqs", "GetQueueAttributes", in);
    CHECK_STR(path_str(a, "Attributes", "VisibilityTimeout"), "60");
    CHECK_STR(path_str(a, "Attributes", "DelaySeconds"), "0");
    CHECK(path_str(a, "Attributes", "RedrivePolicy") == NULL || !*path_str(a, "Attributes", "RedrivePolicy"));
    json_decref(a);
    snprintf(in, sizeof in, "{\"QueueUrl\": \"%s\"}", url);
    a = call("sqs", "ListQueueTags", in);
    CHECK(json_object_get(json_object_get(a, "Tags"), "a") == NULL);
    CHECK_STR(path_str(a, "Tags", "b"), "2");
    json_decref(a);

    op_next(q, NULL);
    CHECK(p->delete(q) == 0);
    snprintf(in, sizeof in, "{\"QueueName\": \"%s\"}", strrchr(url, '/') + 1);
    CHECK(call("sqs", "GetQueueUrl", in) == NULL);
    CHECK(p->delete(q) == 0); /* already gone */
    op_next(dlq, NULL);
    CHECK(p->delete(dlq) == 0);
    op_free(q);
    op_free(dlq);
}

TEST(sqs_queue_policy_set_and_removed)
{
    cfn_op_t *q = op_new("AWS::SQS::Queue", "Q", "{\"QueueName\": \"pol\"}");
    CHECK(cfn_provider("AWS::SQS::Queue")->create(q) == 0);
    char props[1500];
    snprintf(props, sizeof props, "{\"Queues\": [\"%s\"], \"PolicyDocument\": {\"Statement\": [{\"Sid\": \"s1\"}]}}",
             q->physical);
    const cfn_provider_t *p = cfn_provider("AWS::SQS::QueuePolicy");
    cfn_op_t *pol = op_new("AWS::SQS::QueuePolicy", "P", props);
    CHECK(p->create(pol) == 0);
    CHECK(!strncmp(pol->physical, "st-P-", 5));
    char in[1200];
    snprintf(in, sizeof in, "{\"QueueUrl\": \"%s\", \"AttributeNames\": [\"Policy\"]}", q->physical);
    json_t *a = call("sqs", "GetQueueAttributes", in);
    CHECK(strstr(path_str(a, "Attributes", "Policy") ?: "", "\"s1\"") != NULL);
    json_decref(a);
    op_next(pol, NULL);
    CHECK(p->delete(pol) == 0);
    a = call("sqs", "GetQueueAttributes", in);
    CHECK(!path_str(a, "Attributes", "Policy") || !*path_str(a, "Attributes", "Policy"));
    json_decref(a);
    op_next(q, NULL);
    CHECK(cfn_provider("AWS::SQS::Queue")->delete(q) == 0);
    CHECK(p->delete(pol) == 0); /* the queue is gone: nothing to take off */
    op_free(pol);
    op_free(q);
}

TEST(sns_topic_and_subscription)
{
    cfn_op_t *q = op_new("AWS::SQS::Queue", "Q", "{\"QueueName\": \"inbox\"}");
    CHECK(cfn_provider("AWS::SQS::Queue")->create(q) == 0);
    const cfn_provider_t *tp = cfn_provider("AWS::SNS::Topic"), *sp = cfn_provider("AWS::SNS::Subscription");
    cfn_op_t *t = op_new("AWS::SNS::Topic", "T", "{\"DisplayName\": \"one\", \"Tags\": [{\"Key\": \"k\", \"Value\": \"v\"}]}");
    CHECK(tp->create(t) == 0);
    if (t->msg[0])
        fprintf(stderr, "  %s\n", t->msg);
    CHECK(!strncmp(t->physical, "arn:aws:sns:us-east-1:", 22));
    CHECK_STR(attr(t, "TopicArn"), t->physical);
    char props[2048];
    snprintf(props, sizeof props,
             "{\"TopicArn\": \"%s\", \"Protocol\": \"sqs\", \"Endpoint\": \"%s\", \"RawMessageDelivery\": true, "
             "\"FilterPolicy\": {\"kind\": [\"big\"]}}",
             t->physical, attr(q, "Arn"));
    cfn_op_t *s = op_new("AWS::SNS::Subscription", "S", props);
    CHECK(sp->create(s) == 0);
    if (s->msg[0])
        fprintf(stderr, "  %s\n", s->msg);
    CHECK(!strncmp(s->physical, t->physical, strlen(t->physical)));
    char in[2048];
    snprintf(in, sizeof in, "{\"SubscriptionArn\": \"%s\"}", s->physical);
    json_t *a = call("sns", "GetSubscriptionAttributes", in);
    CHECK_STR(path_str(a, "Attributes", "RawMessageDelivery"), "true");
    CHECK_STR(path_str(a, "Attributes", "FilterPolicy"), "{\"kind\":[\"big\"]}");
    json_decref(a);
    /* update in place: raw delivery taken out, another filter */
    snprintf(props, sizeof props,
             "{\"TopicArn\": \"%s\", \"Protocol\": \"sqs\", \"Endpoint\": \"%s\", \"FilterPolicy\": \"{\\\"kind\\\": "
             "[\\\"small\\\"]}\"}",
             t->physical, attr(q, "Arn"));
    op_next(s, props);
    CHECK(sp->update(s) == 0);
    if (s->msg[0])
        fprintf(stderr, "  %s\n", s->msg);
    a = call("sns", "GetSubscriptionAttributes", in);
    CHECK_STR(path_str(a, "Attributes", "RawMessageDelivery"), "false");
    CHECK(strstr(path_str(a, "Attributes", "FilterPolicy") ?: "", "small") != NULL);
    json_decref(a);
    op_next(t, "{\"DisplayName\": \"two\", \"Subscription\": [{\"Protocol\": \"sqs\", \"Endpoint\": "
               "\"arn:aws:sqs:us-east-1:000000000000:inbox\"}]}");
    CHECK(tp->update(t) == 0);
    if (t->msg[0])
        fprintf(stderr, "  %s\n", t->msg);
    snprintf(in, sizeof in, "{\"TopicArn\": \"%s\"}", t->physical);
    a = call("sns", "GetTopicAttributes", in);
    CHECK_STR(path_str(a, "Attributes", "DisplayName"), "two");
    json_decref(a);
    snprintf(in, sizeof in, "{\"ResourceArn\": \"%s\"}", t->physical);
    a = call("sns", "ListTagsForResource", in);
    CHECK(json_array_size(json_object_get(a, "Tags")) == 0);
    json_decref(a);
    op_next(s, NULL);
    CHECK(sp->delete(s) == 0);
    op_next(t, NULL);
    CHECK(tp->delete(t) == 0);
    snprintf(in, sizeof in, "{\"TopicArn\": \"%s\"}", t->old_physical);
    CHECK(call("sns", "GetTopicAttributes", in) == NULL);
    CHECK(tp->delete(t) == 0);
    op_next(q, NULL);
    CHECK(cfn_provider("AWS::SQS::Queue")->delete(q) == 0);
    op_free(s);
    op_free(t);
    op_free(q);
}

TEST(logs_group_retention_and_stream)
{
    const cfn_provider_t *gp = cfn_provider("AWS::Logs::LogGroup"), *sp = cfn_provider("AWS::Logs::LogStream");
    cfn_op_t *g = op_new("AWS::Logs::LogGroup", "G", "{\"LogGroupName\": \"/a/b\", \"RetentionInDays\": \"7\"}");
    CHECK(gp->create(g) == 0);
    if (g->msg[0])
        fprintf(stderr, "  %s\n", g->msg);
    CHECK_STR(g->physical, "/a/b");
    CHECK_STR(attr(g, "Arn"), "arn:aws:logs:us-east-1:000000000000:log-group:/a/b:*");
    json_t *a = call("logs", "DescribeLogGroups", "{\"logGroupNamePrefix\": \"/a/b\"}");
    CHECK(json_integer_value(json_object_get(json_array_get(json_object_get(a, "logGroups"), 0), "retentionInDays")) ==
          7);
    json_decref(a);
    cfn_op_t *s = op_new("AWS::Logs::LogStream", "S", "{\"LogGroupName\": \"/a/b\"}");
    CHECK(sp->create(s) == 0);
    CHECK(!strncmp(s->physical, "st-S-", 5));
    op_next(g, "{\"LogGroupName\": \"/a/b\"}");
    CHECK(gp->update(g) == 0);
    a = call("logs", "DescribeLogGroups", "{\"logGroupNamePrefix\": \"/a/b\"}");
    CHECK(json_object_get(json_array_get(json_object_get(a, "logGroups"), 0), "retentionInDays") == NULL);
    json_decref(a);
    op_next(s, NULL);
    CHECK(sp->delete(s) == 0);
    CHECK(sp->delete(s) == 0);
    op_next(g, NULL);
    CHECK(gp->delete(g) == 0);
    CHECK(gp->delete(g) == 0);
    op_free(s);
    op_free(g);
}

TEST(cloudwatch_alarm_put_and_put_again)
{
    const cfn_provider_t *p = cfn_provider("AWS::CloudWatch::Alarm");
    cfn_op_t *al = op_new("AWS::CloudWatch::Alarm", "A",
                          "{\"Namespace\": \"N\", \"MetricName\": \"M\", \"Statistic\": \"Sum\", \"Period\": \"60\", "
                          "\"EvaluationPeriods\": \"1\", \"Threshold\": \"5\", \"ComparisonOperator\": "
                          "\"GreaterThanThreshold\", \"ActionsEnabled\": \"false\", \"Dimensions\": [{\"Name\": "
                          "\"d\", \"Value\": 3}]}");
    CHECK(p->create(al) == 0);
    if (al->msg[0])
        fprintf(stderr, "  %s\n", al->msg);
    char in[1100];
    snprintf(in, sizeof in, "{\"AlarmNames\": [\"%s\"]}", al->physical);
    json_t *a = call("cloudwatch", "DescribeAlarms", in);
    json_t *m = json_array_get(json_object_get(a, "MetricAlarms"), 0);
    CHECK(json_number_value(json_object_get(m, "Threshold")) == 5.0);
    CHECK(json_is_false(json_object_get(m, "ActionsEnabled")));
    json_decref(a);
    cfn_op_t *again = op_new("AWS::CloudWatch::Alarm", "B", "{}");
    json_decref((json_t *)again->props);
    again->props = json_pack("{s:s,s:s,s:s,s:s,s:i,s:i,s:i,s:s}", "AlarmName", al->physical, "Namespace", "N",
                             "MetricName", "M", "Statistic", "Sum", "Period", 60, "EvaluationPeriods", 1, "Threshold",
                             1, "ComparisonOperator", "GreaterThanThreshold");
    CHECK(p->create(again) < 0); /* someone's alarm of that name */
    CHECK(strstr(again->msg, "already exists") != NULL);
    op_next(al, "{\"Namespace\": \"N\", \"MetricName\": \"M\", \"Statistic\": \"Sum\", \"Period\": 60, "
                "\"EvaluationPeriods\": 1, \"Threshold\": 9, \"ComparisonOperator\": \"GreaterThanThreshold\"}");
    CHECK(p->update(al) == 0);
    a = call("cloudwatch", "DescribeAlarms", in);
    m = json_array_get(json_object_get(a, "MetricAlarms"), 0);
    CHECK(json_number_value(json_object_get(m, "Threshold")) == 9.0);
    json_decref(a);
    op_next(al, NULL);
    CHECK(p->delete(al) == 0);
    a = call("cloudwatch", "DescribeAlarms", in);
    CHECK(json_array_size(json_object_get(a, "MetricAlarms")) == 0);
    json_decref(a);
    op_free(again);
    op_free(al);
}

TEST(iam_ids_and_arns)
{
    cfn_op_t *r = op_new("AWS::IAM::Role", "R", "{\"Path\": \"/svc/\", \"AssumeRolePolicyDocument\": {}}");
    CHECK(cfn_provider("AWS::IAM::Role")->create(r) == 0);
    char want[1200];
    snprintf(want, sizeof want, "arn:aws:iam::000000000000:role/svc/%s", r->physical);
    CHECK_STR(attr(r, "Arn"), want);
    CHECK(strlen(attr(r, "RoleId")) == 21 && !strncmp(attr(r, "RoleId"), "AROA", 4));
    char id[32];
    snprintf(id, sizeof id, "%s", attr(r, "RoleId"));
    op_next(r, "{\"Path\": \"/svc/\", \"AssumeRolePolicyDocument\": {}, \"Description\": \"x\"}");
    CHECK(cfn_provider("AWS::IAM::Role")->update(r) == 0);
    CHECK_STR(attr(r, "RoleId"), id);
    cfn_op_t *mp = op_new("AWS::IAM::ManagedPolicy", "M", "{\"PolicyDocument\": {}, \"Roles\": [\"a\"]}");
    CHECK(cfn_provider("AWS::IAM::ManagedPolicy")->create(mp) == 0);
    CHECK_STR(mp->physical, attr(mp, "PolicyArn"));
    CHECK(!strncmp(mp->physical, "arn:aws:iam::000000000000:policy/st-M-", 38));
    op_next(mp, "{\"PolicyDocument\": {\"Version\": \"2012-10-17\"}}");
    CHECK(cfn_provider("AWS::IAM::ManagedPolicy")->update(mp) == 0);
    CHECK_STR(attr(mp, "DefaultVersionId"), "v2");
    CHECK(json_integer_value(json_object_get(mp->attrs, "AttachmentCount")) == 0);
    op_free(mp);
    op_free(r);
}

TEST(dynamodb_table_update_and_protection)
{
    const cfn_provider_t *p = cfn_provider("AWS::DynamoDB::Table");
    static const char *const base =
        "\"AttributeDefinitions\": [{\"AttributeName\": \"pk\", \"AttributeType\": \"S\"}, {\"AttributeName\": \"g\", "
        "\"AttributeType\": \"S\"}], \"KeySchema\": [{\"AttributeName\": \"pk\", \"KeyType\": \"HASH\"}]";
    char props[2048];
    snprintf(props, sizeof props,
             "{%s, \"BillingMode\": \"PAY_PER_REQUEST\", \"StreamSpecification\": {\"StreamViewType\": \"NEW_IMAGE\"}, "
             "\"TimeToLiveSpecification\": {\"AttributeName\": \"ttl\", \"Enabled\": \"true\"}, \"Tags\": [{\"Key\": "
             "\"a\", \"Value\": \"1\"}], \"DeletionProtectionEnabled\": \"true\", \"GlobalSecondaryIndexes\": "
             "[{\"IndexName\": \"gi\", \"KeySchema\": [{\"AttributeName\": \"g\", \"KeyType\": \"HASH\"}], "
             "\"Projection\": {\"ProjectionType\": \"ALL\"}, \"ContributorInsightsSpecification\": {\"Enabled\": "
             "true}}]}",
             base);
    cfn_op_t *t = op_new("AWS::DynamoDB::Table", "T", props);
    CHECK(p->create(t) == 0);
    if (t->msg[0])
        fprintf(stderr, "  %s\n", t->msg);
    CHECK(attr(t, "StreamArn") != NULL);
    char in[1100];
    snprintf(in, sizeof in, "{\"TableName\": \"%s\"}", t->physical);
    json_t *ttl = call("dynamodb", "DescribeTimeToLive", in);
    CHECK_STR(path_str(ttl, "TimeToLiveDescription", "TimeToLiveStatus"), "ENABLED");
    json_decref(ttl);
    /* protected: the delete fails with DynamoDB's reason */
    op_next(t, props);
    CHECK(p->update(t) == 0);
    char name[1024];
    snprintf(name, sizeof name, "%s", t->physical);
    cfn_op_t *d = op_new("AWS::DynamoDB::Table", "T", "{}");
    d->old_physical = name;
    d->old_props = json_incref((json_t *)t->props);
    CHECK(p->delete(d) < 0);
    CHECK(strstr(d->msg, "protected against deletion") != NULL);
    /* in place: provisioned, no stream, another index, TTL off, protection off */
    snprintf(props, sizeof props,
             "{%s, \"ProvisionedThroughput\": {\"ReadCapacityUnits\": \"4\", \"WriteCapacityUnits\": 2}, "
             "\"GlobalSecondaryIndexes\": [{\"IndexName\": \"g2\", \"KeySchema\": [{\"AttributeName\": \"g\", "
             "\"KeyType\": \"HASH\"}], \"Projection\": {\"ProjectionType\": \"KEYS_ONLY\"}, \"ProvisionedThroughput\": "
             "{\"ReadCapacityUnits\": 1, \"WriteCapacityUnits\": 1}}]}",
             base);
    op_next(t, props);
    CHECK(p->update(t) == 0);
    if (t->msg[0])
        fprintf(stderr, "  %s\n", t->msg);
    CHECK_STR(t->physical, name);
    CHECK(attr(t, "StreamArn") == NULL);
    json_t *desc = call("dynamodb", "DescribeTable", in);
    json_t *tb = json_object_get(desc, "Table");
    CHECK(json_integer_value(json_object_get(json_object_get(tb, "ProvisionedThroughput"), "ReadCapacityUnits")) == 4);
    CHECK_STR(json_string_value(
                  json_object_get(json_array_get(json_object_get(tb, "GlobalSecondaryIndexes"), 0), "IndexName")),
              "g2");
    CHECK(json_array_size(json_object_get(tb, "GlobalSecondaryIndexes")) == 1);
    json_decref(desc);
    ttl = call("dynamodb", "DescribeTimeToLive", in);
    CHECK_STR(path_str(ttl, "TimeToLiveDescription", "TimeToLiveStatus"), "DISABLED");
    json_decref(ttl);
    CHECK(p->delete(d) == 0);
    CHECK(call("dynamodb", "DescribeTable", in) == NULL);
    CHECK(p->delete(d) == 0);
    op_free(d);
    op_free(t);
}

UNIT_MAIN()
