/* SPDX-License-Identifier: MIT
 * The SAM transform (cfn_sam_transform): SAM templates in, the plain
 * CloudFormation resources SAM generates out, checked against what AWS SAM's
 * own translator produces for the same input (logical ids, properties,
 * hashes) and its error texts. Templates are written as JSON with single
 * quotes for readability. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cloudformation/cfn_int.h"
#include "unit.h"

UNIT_MAIN()

static char msg[8192];

/* Parses `text` with ' standing for ". */
static json_t *parse(const char *text)
{
    char *t = strdup(text);
    for (char *p = t; *p; p++)
        if (*p == '\'')
            *p = '"';
    json_error_t e;
    json_t *v = json_loads(t, JSON_DECODE_ANY, &e);
    if (!v)
        fprintf(stderr, "  bad test JSON: %s (line %d col %d)\n", e.text, e.line, e.column);
    free(t);
    return v;
}

/* Transforms `text`; NULL (and msg set) when the transform fails. */
static json_t *run(const char *text, const char *base)
{
    json_t *in = parse(text), *out = NULL;
    msg[0] = 0;
    if (in && cfn_sam_transform(in, base, &out, msg, sizeof msg))
        out = NULL;
    json_decref(in);
    return out;
}

/* The value at a '/'-separated path; a segment of digits indexes an array. */
static json_t *at(json_t *v, const char *path)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *seg = strtok(buf, "/"); seg && v; seg = strtok(NULL, "/")) {
        if (json_is_array(v))
            v = json_array_get(v, (size_t)atoi(seg));
        else
            v = json_object_get(v, seg);
    }
    return v;
}

static const char *str(json_t *v, const char *path)
{
    return json_string_value(at(v, path));
}

/* 1 when the JSON at path equals `expect` (single-quoted JSON). */
static int same(json_t *v, const char *path, const char *expect)
{
    json_t *e = parse(expect);
    int eq = json_equal(at(v, path), e);
    if (!eq) {
        char *got = json_dumps(at(v, path), JSON_COMPACT | JSON_SORT_KEYS);
        fprintf(stderr, "  %s = %s\n", path, got ? got : "(absent)");
        free(got);
    }
    json_decref(e);
    return eq;
}

#define HEAD "{'Transform':'AWS::Serverless-2016-10-31',"

/* The seed's system as SAM: a bus and queues in plain CloudFormation, a
 * processor function fed by the queue and by a rule on the bus, a table. */
static const char *seed =
    HEAD "'Globals':{'Function':{'Runtime':'python3.12','Timeout':30,'MemorySize':256,"
    "  'Environment':{'Variables':{'TABLE':{'Ref':'Orders'},'STAGE':'dev'}},'Tags':{'app':'shop'}}},"
    "'Resources':{"
    " 'EcommerceEventBus':{'Type':'AWS::Events::EventBus','Properties':{'Name':'ecommerce-events'}},"
    " 'OrderQueue':{'Type':'AWS::SQS::Queue','Properties':{'QueueName':'order-processing.fifo','FifoQueue':true,"
    "   'ContentBasedDeduplication':true,'VisibilityTimeout':300}},"
    " 'Orders':{'Type':'AWS::Serverless::SimpleTable','Properties':{'PrimaryKey':{'Name':'orderId','Type':'String'}}},"
    " 'OrderProcessor':{'Type':'AWS::Serverless::Function','Properties':{'CodeUri':'src/processor',"
    "   'Handler':'app.handler','Timeout':60,'Environment':{'Variables':{'STAGE':'prod'}},"
    "   'Policies':[{'DynamoDBCrudPolicy':{'TableName':{'Ref':'Orders'}}},'AWSLambdaBasicExecutionRole',"
    "     {'SQSPollerPolicy':{'QueueName':{'Fn::GetAtt':['OrderQueue','QueueName']}}}],"
    "   'Events':{"
    "     'FromQueue':{'Type':'SQS','Properties':{'Queue':{'Fn::GetAtt':['OrderQueue','Arn']},'BatchSize':5,"
    "        'FunctionResponseTypes':['ReportBatchItemFailures']}},"
    "     'OrderCreated':{'Type':'EventBridgeRule','Properties':{'EventBusName':{'Ref':'EcommerceEventBus'},"
    "        'Pattern':{'source':['ecommerce.orders'],'detail-type':['Order Created']}}}}}}}}";

TEST(test_template_without_transform_is_returned_as_is)
{
    json_t *in = parse("{'Resources':{'Q':{'Type':'AWS::SQS::Queue'}}}"), *out = NULL;
    CHECK_INT(cfn_sam_transform(in, NULL, &out, msg, sizeof msg), 0);
    CHECK(out == in);
    json_decref(out);
    json_decref(in);
}

TEST(test_seed_system_function_gets_globals_and_code_directory)
{
    json_t *o = run(seed, "/srv/app");
    CHECK(o != NULL);
    if (!o) {
        fprintf(stderr, "  %s\n", msg);
        return;
    }
    CHECK(json_object_get(o, "Transform") == NULL);
    CHECK(json_object_get(o, "Globals") == NULL);
    CHECK_STR(str(o, "Resources/OrderProcessor/Type"), "AWS::Lambda::Function");
    CHECK_STR(str(o, "Resources/OrderProcessor/Properties/Runtime"), "python3.12");
    CHECK_INT(json_integer_value(at(o, "Resources/OrderProcessor/Properties/Timeout")), 60);
    CHECK_INT(json_integer_value(at(o, "Resources/OrderProcessor/Properties/MemorySize")), 256);
    CHECK(same(o, "Resources/OrderProcessor/Properties/Environment",
               "{'Variables':{'TABLE':{'Ref':'Orders'},'STAGE':'prod'}}"));
    CHECK_STR(str(o, "Resources/OrderProcessor/Properties/Code/RunnelCodeDirectory"), "/srv/app/src/processor");
    CHECK(same(o, "Resources/OrderProcessor/Properties/Role", "{'Fn::GetAtt':['OrderProcessorRole','Arn']}"));
    CHECK(same(o, "Resources/OrderProcessor/Properties/Tags",
               "[{'Key':'lambda:createdBy','Value':'SAM'},{'Key':'app','Value':'shop'}]"));
    /* plain resources pass through untouched */
    CHECK(same(o, "Resources/EcommerceEventBus", "{'Type':'AWS::Events::EventBus','Properties':{'Name':'ecommerce-events'}}"));
    CHECK_STR(str(o, "Resources/OrderQueue/Properties/QueueName"), "order-processing.fifo");
    json_decref(o);
}

TEST(test_seed_system_role_has_managed_and_template_policies)
{
    json_t *o = run(seed, "/srv/app");
    if (!o) {
        CHECK(o != NULL);
        return;
    }
    json_t *r = at(o, "Resources/OrderProcessorRole");
    CHECK_STR(str(r, "Type"), "AWS::IAM::Role");
    CHECK(same(r, "Properties/AssumeRolePolicyDocument",
               "{'Version':'2012-10-17','Statement':[{'Action':['sts:AssumeRole'],'Effect':'Allow',"
               "'Principal':{'Service':['lambda.amazonaws.com']}}]}"));
    /* basic execution once (named again in Policies), then the SQS event's */
    CHECK(same(r, "Properties/ManagedPolicyArns",
               "['arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',"
               "'arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole']"));
    CHECK_STR(str(r, "Properties/Policies/0/PolicyName"), "OrderProcessorRolePolicy0");
    CHECK_STR(str(r, "Properties/Policies/0/PolicyDocument/Statement/0/Action/0"), "dynamodb:GetItem");
    CHECK(same(r, "Properties/Policies/0/PolicyDocument/Statement/0/Resource/0",
               "{'Fn::Sub':['arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${tableName}',"
               "{'tableName':{'Ref':'Orders'}}]}"));
    /* index 1 was the managed policy, so the poller template is Policy2 */
    CHECK_STR(str(r, "Properties/Policies/1/PolicyName"), "OrderProcessorRolePolicy2");
    CHECK(same(r, "Properties/Policies/1/PolicyDocument/Statement/0/Resource",
               "{'Fn::Sub':['arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:${queueName}',"
               "{'queueName':{'Fn::GetAtt':['OrderQueue','QueueName']}}]}"));
    json_decref(o);
}

TEST(test_seed_system_events_become_mapping_rule_and_permission)
{
    json_t *o = run(seed, "/srv/app");
    if (!o) {
        CHECK(o != NULL);
        return;
    }
    CHECK(same(o, "Resources/OrderProcessorFromQueue",
               "{'Type':'AWS::Lambda::EventSourceMapping','Properties':{'FunctionName':{'Ref':'OrderProcessor'},"
               "'EventSourceArn':{'Fn::GetAtt':['OrderQueue','Arn']},'BatchSize':5,"
               "'FunctionResponseTypes':['ReportBatchItemFailures']}}"));
    CHECK(same(o, "Resources/OrderProcessorOrderCreated",
               "{'Type':'AWS::Events::Rule','Properties':{'EventBusName':{'Ref':'EcommerceEventBus'},"
               "'EventPattern':{'source':['ecommerce.orders'],'detail-type':['Order Created']},"
               "'Targets':[{'Arn':{'Fn::GetAtt':['OrderProcessor','Arn']},'Id':'OrderProcessorOrderCreatedLambdaTarget'}]}}"));
    CHECK(same(o, "Resources/OrderProcessorOrderCreatedPermission",
               "{'Type':'AWS::Lambda::Permission','Properties':{'Action':'lambda:InvokeFunction',"
               "'FunctionName':{'Ref':'OrderProcessor'},'Principal':'events.amazonaws.com',"
               "'SourceArn':{'Fn::GetAtt':['OrderProcessorOrderCreated','Arn']}}}"));
    CHECK(same(o, "Resources/Orders",
               "{'Type':'AWS::DynamoDB::Table','Properties':{'AttributeDefinitions':[{'AttributeName':'orderId',"
               "'AttributeType':'S'}],'KeySchema':[{'AttributeName':'orderId','KeyType':'HASH'}],"
               "'BillingMode':'PAY_PER_REQUEST'}}"));
    CHECK_INT(json_object_size(at(o, "Resources")), 8);
    json_decref(o);
}

TEST(test_transform_list_keeps_other_transforms)
{
    json_t *o = run("{'Transform':['AWS::Serverless-2016-10-31','AWS::LanguageExtensions'],"
                    "'Resources':{'T':{'Type':'AWS::Serverless::SimpleTable'}}}", NULL);
    CHECK(o != NULL);
    CHECK(same(o, "Transform", "['AWS::LanguageExtensions']"));
    CHECK(same(o, "Resources/T/Properties/AttributeDefinitions", "[{'AttributeName':'id','AttributeType':'S'}]"));
    json_decref(o);
    o = run("{'Transform':['AWS::Serverless-2016-10-31'],'Resources':{'T':{'Type':'AWS::Serverless::SimpleTable'}}}",
            NULL);
    CHECK(o && !json_object_get(o, "Transform"));
    json_decref(o);
}

TEST(test_globals_unsupported_property_refused_with_sam_text)
{
    json_t *o = run(HEAD "'Globals':{'Function':{'SomeKey':1}},'Resources':{}}", NULL);
    CHECK(o == NULL);
    CHECK(strncmp(msg,
                  "Transform AWS::Serverless-2016-10-31 failed with: Invalid Serverless Application Specification "
                  "document. Number of errors found: 1. 'Globals' section is invalid. 'SomeKey' is not a supported "
                  "property of 'Function'. Must be one of the following values - ['Handler', 'Runtime', 'CodeUri', ",
                  260) == 0);
    CHECK(strstr(msg, "'PublishToLatestPublished', 'VersionDeletionPolicy']") != NULL);
}

TEST(test_globals_unsupported_section_refused_with_sam_text)
{
    json_t *o = run(HEAD "'Globals':{'NewType':{}},'Resources':{}}", NULL);
    CHECK(o == NULL);
    CHECK_STR(msg, "Transform AWS::Serverless-2016-10-31 failed with: Invalid Serverless Application Specification "
                   "document. Number of errors found: 1. 'Globals' section is invalid. 'NewType' is not supported. "
                   "Must be one of the following values - ['Api', 'CapacityProvider', 'Function', 'HttpApi', "
                   "'LayerVersion', 'SimpleTable', 'StateMachine', 'WebSocketApi']");
}

TEST(test_globals_merge_lists_appended_maps_merged_ignore_globals)
{
    json_t *o;
    o = run(HEAD "'Globals':{'Function':{'Layers':['arn:g'],'Handler':'g.h','Runtime':'nodejs20.x',"
            "'Environment':{'Variables':{'A':'1'}},'Description':{'Fn::Sub':'d-${AWS::Region}'}}},"
            "'Resources':{'F':{'Type':'AWS::Serverless::Function','Properties':{'InlineCode':'x',"
            "  'Layers':['arn:l'],'Handler':'l.h','Environment':{'Variables':{'B':'2'}}}},"
            " 'G':{'Type':'AWS::Serverless::Function','IgnoreGlobals':['Layers'],'Properties':{'InlineCode':'y',"
            "  'Description':'mine'}}}}", NULL);
    CHECK(o != NULL);
    if (!o) {
        fprintf(stderr, "  %s\n", msg);
        return;
    }
    CHECK(same(o, "Resources/F/Properties/Layers", "['arn:g','arn:l']"));
    CHECK_STR(str(o, "Resources/F/Properties/Handler"), "l.h");
    CHECK(same(o, "Resources/F/Properties/Environment/Variables", "{'A':'1','B':'2'}"));
    CHECK(same(o, "Resources/F/Properties/Description", "{'Fn::Sub':'d-${AWS::Region}'}"));
    CHECK(same(o, "Resources/F/Properties/Code", "{'ZipFile':'x'}"));
    CHECK(at(o, "Resources/G/Properties/Layers") == NULL);
    CHECK_STR(str(o, "Resources/G/Properties/Description"), "mine");
    CHECK_STR(str(o, "Resources/G/Properties/Runtime"), "nodejs20.x");
    json_decref(o);
}

TEST(test_code_uri_forms)
{
    char cwd[4096], want[4200];
    if (!getcwd(cwd, sizeof cwd))
        SKIP("no working directory");
    json_t *o = run(HEAD "'Globals':{'Function':{'Handler':'h','Runtime':'python3.12'}},'Resources':{"
                    "'Zip':{'Type':'AWS::Serverless::Function','Properties':{'CodeUri':'../build/./fn.ZIP'}},"
                    "'Rel':{'Type':'AWS::Serverless::Function','Properties':{'CodeUri':'./src/'}},"
                    "'Abs':{'Type':'AWS::Serverless::Function','Properties':{'CodeUri':'/opt/code'}},"
                    "'S3':{'Type':'AWS::Serverless::Function','Properties':{'CodeUri':'s3://bkt/k/f.zip?versionId=7'}},"
                    "'Obj':{'Type':'AWS::Serverless::Function','Properties':{'CodeUri':{'Bucket':'b','Key':'k'}}}}}",
                    NULL);
    CHECK(o != NULL);
    if (!o)
        return;
    snprintf(want, sizeof want, "%s/src", cwd);
    CHECK_STR(str(o, "Resources/Rel/Properties/Code/RunnelCodeDirectory"), want);
    char *slash = strrchr(cwd, '/');
    if (slash)
        *slash = 0;
    snprintf(want, sizeof want, "%s/build/fn.ZIP", cwd);
    CHECK_STR(str(o, "Resources/Zip/Properties/Code/RunnelZipPath"), want);
    CHECK(same(o, "Resources/Abs/Properties/Code", "{'RunnelCodeDirectory':'/opt/code'}"));
    CHECK(same(o, "Resources/S3/Properties/Code", "{'S3Bucket':'bkt','S3Key':'k/f.zip','S3ObjectVersion':'7'}"));
    CHECK(same(o, "Resources/Obj/Properties/Code", "{'S3Bucket':'b','S3Key':'k'}"));
    json_decref(o);
}

TEST(test_function_without_code_or_handler_fails_with_sam_text)
{
    json_t *o = run(HEAD "'Resources':{'Function':{'Type':'AWS::Serverless::Function','Properties':{'Handler':'h',"
                    "'Runtime':'python3.12'}}}}", NULL);
    CHECK(o == NULL);
    CHECK_STR(msg, "Transform AWS::Serverless-2016-10-31 failed with: Invalid Serverless Application Specification "
                   "document. Number of errors found: 1. Resource with id [Function] is invalid. Only one of "
                   "'InlineCode' or 'CodeUri' can be set.");
    o = run(HEAD "'Resources':{'Function':{'Type':'AWS::Serverless::Function','Properties':{'CodeUri':'.',"
            "'Runtime':'python3.12'}}}}", NULL);
    CHECK(o == NULL);
    CHECK(strstr(msg, "Resource with id [Function] is invalid. Runtime and Handler needs to be present when "
                      "PackageType is of type `Zip`") != NULL);
}

TEST(test_given_role_is_used_and_no_role_generated)
{
    json_t *o = run(HEAD "'Resources':{'F':{'Type':'AWS::Serverless::Function','Properties':{'InlineCode':'x',"
                    "'Handler':'h','Runtime':'python3.12','Role':{'Fn::GetAtt':['R','Arn']},"
                    "'Events':{'Q':{'Type':'SQS','Properties':{'Queue':'arn:aws:sqs:us-east-1:1:q'}}}}}}}", NULL);
    CHECK(o != NULL);
    CHECK(same(o, "Resources/F/Properties/Role", "{'Fn::GetAtt':['R','Arn']}"));
    CHECK(at(o, "Resources/FRole") == NULL);
    CHECK_STR(str(o, "Resources/FQ/Type"), "AWS::Lambda::EventSourceMapping");
    json_decref(o);
}

TEST(test_policies_managed_names_statements_templates)
{
    json_t *o = run(HEAD "'Resources':{'F':{'Type':'AWS::Serverless::Function','Properties':{'InlineCode':'x',"
                    "'Handler':'h','Runtime':'python3.12','Tracing':'Active','Policies':["
                    "{'Statement':[{'Action':['dynamodb:*'],'Effect':'Allow','Resource':'*'}]},"
                    "'AmazonDynamoDBFullAccess','AmazonDynamoDBFullAccess','AWSLambdaRole',{'Ref':'PolicyArn'},"
                    "'arn:aws:iam::123456789012:policy/Mine',{'CloudWatchPutMetricPolicy':{}},"
                    "{'SESCrudPolicy':{'IdentityName':'shop.example'}},{'NotCarriedPolicy':{'X':'y'}}]}}}}", NULL);
    CHECK(o != NULL);
    if (!o) {
        fprintf(stderr, "  %s\n", msg);
        return;
    }
    CHECK(same(o, "Resources/FRole/Properties/ManagedPolicyArns",
               "['arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',"
               "'arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess','arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess',"
               "'arn:aws:iam::aws:policy/service-role/AWSLambdaRole',{'Ref':'PolicyArn'},"
               "'arn:aws:iam::123456789012:policy/Mine']"));
    CHECK(same(o, "Resources/FRole/Properties/Policies/0",
               "{'PolicyName':'FRolePolicy0','PolicyDocument':{'Statement':[{'Action':['dynamodb:*'],"
               "'Effect':'Allow','Resource':'*'}]}}"));
    CHECK(same(o, "Resources/FRole/Properties/Policies/1",
               "{'PolicyName':'FRolePolicy6','PolicyDocument':{'Statement':[{'Action':['cloudwatch:PutMetricData'],"
               "'Effect':'Allow','Resource':'*'}]}}"));
    CHECK_STR(str(o, "Resources/FRole/Properties/Policies/2/PolicyDocument/Statement/0/Action/1"), "ses:SendEmail");
    CHECK_STR(str(o, "Resources/FRole/Properties/Policies/3/PolicyName"), "FRolePolicy8");
    CHECK_STR(str(o, "Resources/FRole/Properties/Policies/3/PolicyDocument/RunnelPolicyTemplate/Name"),
              "NotCarriedPolicy");
    CHECK(same(o, "Resources/F/Properties/TracingConfig", "{'Mode':'Active'}"));
    json_decref(o);
}

TEST(test_policy_template_missing_parameter_fails)
{
    json_t *o = run(HEAD "'Resources':{'F':{'Type':'AWS::Serverless::Function','Properties':{'InlineCode':'x',"
                    "'Handler':'h','Runtime':'python3.12','Policies':{'SQSPollerPolicy':{'Queue':'q'}}}}}}", NULL);
    CHECK(o == NULL);
    CHECK(strstr(msg, "Resource with id [F] is invalid. Following required parameters of template "
                      "'SQSPollerPolicy' don't have values: ['QueueName']") != NULL);
}

TEST(test_auto_publish_alias_version_id_matches_sam)
{
    /* SAM's translator test function_with_alias gives MinimalFunctionVersion640128d35d */
    json_t *o = run(HEAD "'Resources':{'MinimalFunction':{'Type':'AWS::Serverless::Function','Properties':{"
                    "'CodeUri':'s3://sam-demo-bucket/hello.zip','Handler':'hello.handler','Runtime':'python2.7',"
                    "'AutoPublishAlias':'live','VersionDescription':'sam-testing',"
                    "'Events':{'Tick':{'Type':'Schedule','Properties':{'Schedule':'rate(1 minute)'}}}}}}}", NULL);
    CHECK(o != NULL);
    if (!o)
        return;
    CHECK(same(o, "Resources/MinimalFunctionVersion640128d35d",
               "{'Type':'AWS::Lambda::Version','DeletionPolicy':'Retain','Properties':{'FunctionName':"
               "{'Ref':'MinimalFunction'},'Description':'sam-testing'}}"));
    CHECK(same(o, "Resources/MinimalFunctionAliaslive",
               "{'Type':'AWS::Lambda::Alias','Properties':{'Name':'live','FunctionName':{'Ref':'MinimalFunction'},"
               "'FunctionVersion':{'Fn::GetAtt':['MinimalFunctionVersion640128d35d','Version']}}}"));
    /* events go to the alias */
    CHECK(same(o, "Resources/MinimalFunctionTick/Properties/Targets/0/Arn", "{'Ref':'MinimalFunctionAliaslive'}"));
    CHECK(same(o, "Resources/MinimalFunctionTickPermission/Properties/FunctionName",
               "{'Ref':'MinimalFunctionAliaslive'}"));
    json_decref(o);
}

TEST(test_alias_name_with_dash_and_bad_name)
{
    json_t *o = run(HEAD "'Resources':{'F':{'Type':'AWS::Serverless::Function','Properties':{'InlineCode':'x',"
                    "'Handler':'h','Runtime':'python3.12','AutoPublishAlias':'my-live_1'}}}}", NULL);
    CHECK(o && at(o, "Resources/FAliasmyDliveU1"));
    json_decref(o);
    o = run(HEAD "'Resources':{'F':{'Type':'AWS::Serverless::Function','Properties':{'InlineCode':'x',"
            "'Handler':'h','Runtime':'python3.12','AutoPublishAlias':'123'}}}}", NULL);
    CHECK(o == NULL);
    CHECK(strstr(msg, "AutoPublishAlias name ('123') must contain only alphanumeric characters") != NULL);
}

TEST(test_dead_letter_queue_tags_and_passthrough_properties)
{
    json_t *o = run(HEAD "'Resources':{'F':{'Type':'AWS::Serverless::Function','Condition':'On','DependsOn':'X',"
                    "'Properties':{'InlineCode':'x','Handler':'h','Runtime':'python3.12','FunctionName':'fn',"
                    "'DeadLetterQueue':{'Type':'SQS','TargetArn':{'Fn::GetAtt':['DLQ','Arn']}},"
                    "'Tags':{'team':'a','env':'b'},'EphemeralStorage':{'Size':1024},'Architectures':['arm64'],"
                    "'LoggingConfig':{'LogFormat':'JSON'},'ReservedConcurrentExecutions':3,'PackageType':'Zip',"
                    "'DeploymentPreference':{'Type':'AllAtOnce'}}}}}", NULL);
    CHECK(o != NULL);
    if (!o) {
        fprintf(stderr, "  %s\n", msg);
        return;
    }
    json_t *f = at(o, "Resources/F");
    CHECK(same(f, "Properties/DeadLetterConfig", "{'TargetArn':{'Fn::GetAtt':['DLQ','Arn']}}"));
    CHECK(same(f, "Properties/Tags", "[{'Key':'lambda:createdBy','Value':'SAM'},{'Key':'team','Value':'a'},"
                                     "{'Key':'env','Value':'b'}]"));
    CHECK_STR(str(f, "Properties/FunctionName"), "fn");
    CHECK(same(f, "Properties/EphemeralStorage", "{'Size':1024}"));
    CHECK(same(f, "Properties/Architectures", "['arm64']"));
    CHECK(same(f, "Properties/LoggingConfig", "{'LogFormat':'JSON'}"));
    CHECK_STR(str(f, "Properties/PackageType"), "Zip");
    CHECK(at(f, "Properties/DeploymentPreference") == NULL);
    CHECK_STR(str(f, "Condition"), "On");
    CHECK_STR(str(f, "DependsOn"), "X");
    CHECK_STR(str(o, "Resources/FRole/Condition"), "On");
    CHECK(at(o, "Resources/FRole/DependsOn") == NULL);
    CHECK(same(o, "Resources/FRole/Properties/Policies/0",
               "{'PolicyName':'DeadLetterQueuePolicy','PolicyDocument':{'Version':'2012-10-17','Statement':"
               "[{'Action':'sqs:SendMessage','Resource':{'Fn::GetAtt':['DLQ','Arn']},'Effect':'Allow'}]}}"));
    json_decref(o);
}

TEST(test_schedule_event_state_and_conflict)
{
    json_t *o = run(HEAD "'Resources':{'F':{'Type':'AWS::Serverless::Function','Properties':{'InlineCode':'x',"
                    "'Handler':'h','Runtime':'python3.12','Events':{'Nightly':{'Type':'Schedule','Properties':{"
                    "'Schedule':'cron(0 3 * * ? *)','Enabled':false,'Name':'nightly','Description':'d',"
                    "'Input':'{\\'a\\':1}'}}}}}}}", NULL);
    CHECK(o != NULL);
    if (!o) {
        fprintf(stderr, "  %s\n", msg);
        return;
    }
    CHECK(same(o, "Resources/FNightly/Properties",
               "{'ScheduleExpression':'cron(0 3 * * ? *)','Name':'nightly','Description':'d','State':'DISABLED',"
               "'Targets':[{'Arn':{'Fn::GetAtt':['F','Arn']},'Id':'FNightlyLambdaTarget','Input':'{\\'a\\':1}'}]}"));
    CHECK_STR(str(o, "Resources/FNightlyPermission/Properties/Principal"), "events.amazonaws.com");
    json_decref(o);
    o = run(HEAD "'Resources':{'ScheduledFunction':{'Type':'AWS::Serverless::Function','Properties':{"
            "'InlineCode':'x','Handler':'h','Runtime':'python3.12','Events':{'Schedule1':{'Type':'Schedule',"
            "'Properties':{'Schedule':'rate(1 minute)','Enabled':true,'State':'ENABLED'}}}}}}}", NULL);
    CHECK(o == NULL);
    CHECK_STR(msg, "Transform AWS::Serverless-2016-10-31 failed with: Invalid Serverless Application Specification "
                   "document. Number of errors found: 1. Resource with id [ScheduledFunction] is invalid. Event with "
                   "id [Schedule1] is invalid. State and Enabled Properties cannot both be specified.");
}

TEST(test_schedule_v2_becomes_rule_or_fails_with_reason)
{
    json_t *o = run(HEAD "'Resources':{'F':{'Type':'AWS::Serverless::Function','Properties':{'InlineCode':'x',"
                    "'Handler':'h','Runtime':'python3.12','Events':{'V2':{'Type':'ScheduleV2','Properties':{"
                    "'ScheduleExpression':'rate(5 minutes)','State':'ENABLED','FlexibleTimeWindow':{'Mode':'OFF'}}}}}}}}",
                    NULL);
    CHECK(o != NULL);
    CHECK_STR(str(o, "Resources/FV2/Type"), "AWS::Events::Rule");
    CHECK_STR(str(o, "Resources/FV2/Properties/ScheduleExpression"), "rate(5 minutes)");
    CHECK_STR(str(o, "Resources/FV2/Properties/State"), "ENABLED");
    CHECK_STR(str(o, "Resources/FV2Permission/Type"), "AWS::Lambda::Permission");
    json_decref(o);
    o = run(HEAD "'Resources':{'F':{'Type':'AWS::Serverless::Function','Properties':{'InlineCode':'x',"
            "'Handler':'h','Runtime':'python3.12','Events':{'V2':{'Type':'ScheduleV2','Properties':{"
            "'ScheduleExpression':'cron(0 9 * * ? *)','ScheduleExpressionTimezone':'Europe/Paris'}}}}}}}", NULL);
    CHECK(o == NULL);
    CHECK(strstr(msg, "Event with id [V2] is invalid. Runnel has no EventBridge Scheduler") != NULL);
}

TEST(test_eventbridge_rule_dlq_target_id_and_transformer)
{
    json_t *o = run(HEAD "'Resources':{'F':{'Type':'AWS::Serverless::Function','Properties':{'InlineCode':'x',"
                    "'Handler':'h','Runtime':'python3.12','Events':{'E':{'Type':'CloudWatchEvent','Properties':{"
                    "'Pattern':{'source':['a']},'Target':{'Id':'Mine'},'DeadLetterConfig':{'Type':'SQS'},"
                    "'RetryPolicy':{'MaximumRetryAttempts':2},'RuleName':'r1','State':'DISABLED',"
                    "'InputTransformer':{'InputPathsMap':{'s':'$.source'},'InputTemplate':'<s>'}}}}}}}}", NULL);
    CHECK(o != NULL);
    if (!o) {
        fprintf(stderr, "  %s\n", msg);
        return;
    }
    CHECK(same(o, "Resources/FE/Properties",
               "{'EventPattern':{'source':['a']},'Name':'r1','State':'DISABLED','Targets':[{'Arn':"
               "{'Fn::GetAtt':['F','Arn']},'Id':'Mine','InputTransformer':{'InputPathsMap':{'s':'$.source'},"
               "'InputTemplate':'<s>'},'DeadLetterConfig':{'Arn':{'Fn::GetAtt':['FEQueue','Arn']}},"
               "'RetryPolicy':{'MaximumRetryAttempts':2}}]}"));
    CHECK(same(o, "Resources/FEQueue", "{'Type':'AWS::SQS::Queue'}"));
    CHECK(same(o, "Resources/FEQueuePolicy/Properties/Queues", "[{'Ref':'FEQueue'}]"));
    CHECK(same(o, "Resources/FEQueuePolicy/Properties/PolicyDocument/Statement/0/Condition",
               "{'ArnEquals':{'aws:SourceArn':{'Fn::GetAtt':['FE','Arn']}}}"));
    json_decref(o);
}

TEST(test_long_target_id_is_cut_to_64)
{
    char t[2048];
    snprintf(t, sizeof t, HEAD "'Resources':{'%s':{'Type':'AWS::Serverless::Function','Properties':{"
             "'InlineCode':'x','Handler':'h','Runtime':'python3.12','Events':{'%s':{'Type':'EventBridgeRule',"
             "'Properties':{'Pattern':{'source':['a']}}}}}}}}",
             "FunctionWithAVeryLongLogicalIdIndeedYes", "AndAnEventWithALongNameToo");
    json_t *o = run(t, NULL);
    const char *id = str(o, "Resources/FunctionWithAVeryLongLogicalIdIndeedYesAndAnEventWithALongNameToo/Properties/"
                            "Targets/0/Id");
    CHECK_STR(id, "FunctionWithAVeryLongLogicalIdIndeedYesAndAnEventWitLambdaTarget");
    CHECK_INT(id ? strlen(id) : 0, 64);
    json_decref(o);
}

TEST(test_sns_event_plain_and_with_sqs_subscription)
{
    json_t *o = run(HEAD "'Resources':{'T':{'Type':'AWS::SNS::Topic','Properties':{'FifoTopic':false}},"
                    "'F':{'Type':'AWS::Serverless::Function','Properties':{'InlineCode':'x',"
                    "'Handler':'h','Runtime':'python3.12','Events':{"
                    "'N':{'Type':'SNS','Properties':{'Topic':{'Ref':'T'},'FilterPolicy':{'k':['v']},"
                    "  'FilterPolicyScope':'MessageBody','Region':'us-east-1'}},"
                    "'Q':{'Type':'SNS','Properties':{'Topic':{'Ref':'T'},'SqsSubscription':true}}}}}}}", NULL);
    CHECK(o != NULL);
    if (!o) {
        fprintf(stderr, "  %s\n", msg);
        return;
    }
    CHECK(same(o, "Resources/FN", "{'Type':'AWS::SNS::Subscription','Properties':{'Protocol':'lambda',"
                                  "'Endpoint':{'Fn::GetAtt':['F','Arn']},'TopicArn':{'Ref':'T'},'Region':'us-east-1',"
                                  "'FilterPolicy':{'k':['v']},'FilterPolicyScope':'MessageBody'}}"));
    CHECK(same(o, "Resources/FNPermission/Properties", "{'Action':'lambda:InvokeFunction','FunctionName':{'Ref':'F'},"
                                                       "'Principal':'sns.amazonaws.com','SourceArn':{'Ref':'T'}}"));
    CHECK(same(o, "Resources/FQQueue", "{'Type':'AWS::SQS::Queue'}"));
    CHECK(same(o, "Resources/FQ/Properties", "{'Protocol':'sqs','Endpoint':{'Fn::GetAtt':['FQQueue','Arn']},"
                                             "'TopicArn':{'Ref':'T'}}"));
    CHECK(same(o, "Resources/FQEventSourceMapping/Properties",
               "{'FunctionName':{'Ref':'F'},'EventSourceArn':{'Fn::GetAtt':['FQQueue','Arn']},'BatchSize':10,"
               "'Enabled':true}"));
    CHECK(same(o, "Resources/FQQueuePolicy/Properties/PolicyDocument/Statement/0",
               "{'Action':'sqs:SendMessage','Effect':'Allow','Principal':'*','Resource':{'Fn::GetAtt':"
               "['FQQueue','Arn']},'Condition':{'ArnEquals':{'aws:SourceArn':{'Ref':'T'}}}}"));
    CHECK(same(o, "Resources/FRole/Properties/ManagedPolicyArns/1",
               "'arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole'"));
    json_decref(o);
}

TEST(test_unsupported_event_and_resource_types_name_what_runnel_lacks)
{
    json_t *o = run(HEAD "'Resources':{'Api':{'Type':'AWS::Serverless::Api','Properties':{'StageName':'p'}},"
                    "'F':{'Type':'AWS::Serverless::Function','Properties':{'InlineCode':'x',"
                    "'Handler':'h','Runtime':'python3.12','Events':{'Get':{'Type':'Api','Properties':{"
                    "'Path':'/','Method':'get'}}}}}}}", NULL);
    CHECK(o == NULL);
    CHECK_STR(msg, "Transform AWS::Serverless-2016-10-31 failed with: Invalid Serverless Application Specification "
                   "document. Number of errors found: 2. Resource with id [Api] is invalid. Resource type "
                   "AWS::Serverless::Api is not supported by Runnel (Runnel has no API Gateway). Resource with id [F] "
                   "is invalid. Event with id [Get] is invalid. Event type Api is not supported by Runnel: Runnel has "
                   "no API Gateway.");
    o = run(HEAD "'Resources':{'F':{'Type':'AWS::Serverless::Function','Properties':{'InlineCode':'x',"
            "'Handler':'h','Runtime':'python3.12','Events':{'ApiEvent':{'Type':'API'}}}}}}", NULL);
    CHECK(o == NULL);
    CHECK(strstr(msg, "Resource with id [F] is invalid. Event with id [ApiEvent] is invalid. Resource dict has "
                      "missing or invalid value for key Type. Event Type is: API.") != NULL);
}

TEST(test_sqs_event_without_queue_fails_with_sam_text)
{
    json_t *o = run(HEAD "'Resources':{'SQSFunction':{'Type':'AWS::Serverless::Function','Properties':{"
                    "'InlineCode':'x','Handler':'h','Runtime':'python3.12','Events':{'MySqsQueue':{'Type':'SQS',"
                    "'Properties':{'BatchSize':10}}}}}}}", NULL);
    CHECK(o == NULL);
    CHECK_STR(msg, "Transform AWS::Serverless-2016-10-31 failed with: Invalid Serverless Application Specification "
                   "document. Number of errors found: 1. Resource with id [SQSFunctionMySqsQueue] is invalid. Missing "
                   "required property 'Queue'.");
}

TEST(test_unknown_property_refused)
{
    json_t *o = run(HEAD "'Resources':{'F':{'Type':'AWS::Serverless::Function','Properties':{'InlineCode':'x',"
                    "'Handler':'h','Runtime':'python3.12','Bogus':1}}}}", NULL);
    CHECK(o == NULL);
    CHECK(strstr(msg, "Resource with id [F] is invalid. property Bogus not defined for resource of type "
                      "AWS::Serverless::Function") != NULL);
}

TEST(test_simple_table_number_key_throughput_and_bad_type)
{
    json_t *o = run(HEAD "'Resources':{'CompleteTable':{'Type':'AWS::Serverless::SimpleTable','Properties':{"
                    "'PrimaryKey':{'Name':'member-number','Type':'Number'},'TableName':'members',"
                    "'ProvisionedThroughput':{'ReadCapacityUnits':20,'WriteCapacityUnits':10},'Tags':{'a':'b'},"
                    "'SSESpecification':{'SSEEnabled':true}}}}}", NULL);
    CHECK(o != NULL);
    CHECK(same(o, "Resources/CompleteTable/Properties",
               "{'AttributeDefinitions':[{'AttributeName':'member-number','AttributeType':'N'}],"
               "'KeySchema':[{'AttributeName':'member-number','KeyType':'HASH'}],"
               "'ProvisionedThroughput':{'ReadCapacityUnits':20,'WriteCapacityUnits':10},"
               "'SSESpecification':{'SSEEnabled':true},'TableName':'members','Tags':[{'Key':'a','Value':'b'}]}"));
    json_decref(o);
    o = run(HEAD "'Resources':{'T':{'Type':'AWS::Serverless::SimpleTable','Properties':{"
            "'PrimaryKey':{'Name':'k','Type':'Text'}}}}}", NULL);
    CHECK(o == NULL);
    CHECK(strstr(msg, "Resource with id [T] is invalid. Invalid 'Type' \"Text\".") != NULL);
}

TEST(test_layer_gets_sam_hashed_id_and_references_follow)
{
    /* SAM's translator test layers_with_intrinsics: LayerWithLicenseIntrinsic965c8d0c9b (its
     * LicenseInfo parameter resolved to "MIT-0 License") */
    json_t *o = run(HEAD "'Resources':{'LayerWithLicenseIntrinsic':{'Type':'AWS::Serverless::LayerVersion',"
                    "'Properties':{'ContentUri':'s3://sam-demo-bucket/layer.zip','LicenseInfo':'MIT-0 License'}},"
                    "'Deps':{'Type':'AWS::Serverless::LayerVersion','Properties':{'ContentUri':'layers/deps',"
                    "  'LayerName':'deps','RetentionPolicy':'delete','CompatibleRuntimes':['python3.12']}},"
                    "'F':{'Type':'AWS::Serverless::Function','Properties':{'InlineCode':'x','Handler':'h',"
                    "'Runtime':'python3.12','Layers':[{'Ref':'Deps'}],"
                    "'Environment':{'Variables':{'L':{'Fn::Sub':'${DepsX}/${Deps}/${Deps.Arn}'}}}}},"
                    "'Q':{'Type':'AWS::SQS::Queue','DependsOn':['Other','Deps']}},"
                    "'Outputs':{'L':{'Value':{'Ref':'Deps'}}}}", "/base");
    CHECK(o != NULL);
    if (!o) {
        fprintf(stderr, "  %s\n", msg);
        return;
    }
    CHECK(same(o, "Resources/LayerWithLicenseIntrinsic965c8d0c9b",
               "{'Type':'AWS::Lambda::LayerVersion','DeletionPolicy':'Retain','Properties':{'LayerName':"
               "'LayerWithLicenseIntrinsic','Content':{'S3Bucket':'sam-demo-bucket','S3Key':'layer.zip'},"
               "'LicenseInfo':'MIT-0 License'}}"));
    const char *id = NULL, *k;
    json_t *v;
    json_object_foreach(at(o, "Resources"), k, v) {
        if (strncmp(k, "Deps", 4) == 0)
            id = k;
    }
    CHECK(id && strlen(id) == 14);
    if (!id)
        return;
    json_t *deps = at(o, "Resources");
    deps = json_object_get(deps, id);
    CHECK_STR(str(deps, "DeletionPolicy"), "Delete");
    CHECK(same(deps, "Properties/Content", "{'RunnelCodeDirectory':'/base/layers/deps'}"));
    CHECK_STR(str(o, "Resources/F/Properties/Layers/0/Ref"), id);
    char sub[128];
    snprintf(sub, sizeof sub, "${DepsX}/${%s}/${%s.Arn}", id, id);
    CHECK_STR(str(o, "Resources/F/Properties/Environment/Variables/L/Fn::Sub"), sub);
    CHECK_STR(str(o, "Outputs/L/Value/Ref"), id);
    CHECK_STR(str(o, "Resources/Q/DependsOn/0"), "Other");
    CHECK_STR(str(o, "Resources/Q/DependsOn/1"), id);
    json_decref(o);
}

TEST(test_errors_are_counted_and_sorted_by_logical_id)
{
    json_t *o = run(HEAD "'Resources':{'Zed':{'Type':'AWS::Serverless::StateMachine'},"
                    "'Alpha':{'Type':'AWS::Serverless::HttpApi'},'Mid':{'Type':'AWS::Serverless::LayerVersion',"
                    "'Properties':{'RetentionPolicy':'Keep','ContentUri':'x'}}}}", NULL);
    CHECK(o == NULL);
    CHECK(strstr(msg, "Number of errors found: 3. Resource with id [Alpha] is invalid.") != NULL);
    const char *a = strstr(msg, "[Alpha]"), *m = strstr(msg, "[Mid]"), *z = strstr(msg, "[Zed]");
    CHECK(a && m && z && a < m && m < z);
    CHECK(strstr(msg, "'RetentionPolicy' must be one of the following options: ['Retain', 'Delete'].") != NULL);
    CHECK(strstr(msg, "AWS::Serverless::StateMachine is not supported by Runnel (Runnel has no Step Functions)"));
}

TEST(test_generated_id_clashing_with_template_resource_fails)
{
    json_t *o = run(HEAD "'Resources':{'FRole':{'Type':'AWS::IAM::Role','Properties':{}},"
                    "'F':{'Type':'AWS::Serverless::Function','Properties':{'InlineCode':'x','Handler':'h',"
                    "'Runtime':'python3.12'}}}}", NULL);
    CHECK(o == NULL);
    CHECK(strstr(msg, "Number of errors found: 1. Transforming resource with id [F] attempts to create a new "
                      "resource with id [FRole] and type \"AWS::IAM::Role\". A resource with that id already exists "
                      "within this template. Please use a different id for that resource.") != NULL);
}

TEST(test_refused_function_property_names_the_reason)
{
    json_t *o = run(HEAD "'Resources':{'F':{'Type':'AWS::Serverless::Function','Properties':{'InlineCode':'x',"
                    "'Handler':'h','Runtime':'python3.12','FunctionUrlConfig':{'AuthType':'NONE'}}}}}", NULL);
    CHECK(o == NULL);
    CHECK(strstr(msg, "Resource with id [F] is invalid. 'FunctionUrlConfig' is not supported by Runnel: Runnel has "
                      "no Lambda function URLs.") != NULL);
}

TEST(test_policy_under_fn_if_statement_or_managed)
{
    json_t *o = run(HEAD "'Resources':{'F':{'Type':'AWS::Serverless::Function','Properties':{'InlineCode':'x',"
                    "'Handler':'h','Runtime':'python3.12','Policies':["
                    "{'Fn::If':['IsProd',{'Statement':[{'Effect':'Allow','Action':'s3:*','Resource':'*'}]},"
                    "  {'Ref':'AWS::NoValue'}]},"
                    "{'Fn::If':['IsProd',{'Statement':[]},{'Ref':'ManagedArn'}]}]}}}}", NULL);
    CHECK(o != NULL);
    if (!o)
        return;
    CHECK(same(o, "Resources/FRole/Properties/Policies/0",
               "{'Fn::If':['IsProd',{'PolicyName':'FRolePolicy0','PolicyDocument':{'Statement':[{'Effect':'Allow',"
               "'Action':'s3:*','Resource':'*'}]}},{'Ref':'AWS::NoValue'}]}"));
    /* a branch that is no statement makes the whole Fn::If a managed policy */
    CHECK(same(o, "Resources/FRole/Properties/ManagedPolicyArns/1",
               "{'Fn::If':['IsProd',{'Statement':[]},{'Ref':'ManagedArn'}]}"));
    json_decref(o);
}

/* The logical id of the first output resource whose id starts with prefix. */
static char *id_with_prefix(json_t *o, const char *prefix)
{
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(o, "Resources"), k, v) {
        if (strncmp(k, prefix, strlen(prefix)) == 0)
            return strdup(k);
    }
    return NULL;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

TEST(test_changed_local_code_changes_layer_and_version_ids)
{
    char dir[] = "/tmp/runnel-sam-XXXXXX", file[600], t[2048];
    if (!mkdtemp(dir))
        SKIP("no temporary directory");
    snprintf(file, sizeof file, "%s/lib.py", dir);
    write_file(file, "x = 1\n");
    snprintf(t, sizeof t, HEAD "'Resources':{'Lib':{'Type':'AWS::Serverless::LayerVersion','Properties':{"
             "'ContentUri':'%s'}},'F':{'Type':'AWS::Serverless::Function','Properties':{'CodeUri':'%s',"
             "'Handler':'lib.h','Runtime':'python3.12','AutoPublishAlias':'live'}}}}", dir, dir);
    json_t *a = run(t, NULL), *b = run(t, NULL);
    write_file(file, "x = 22\n");
    json_t *c = run(t, NULL);
    CHECK(a && b && c);
    char *la = id_with_prefix(a, "Lib"), *lb = id_with_prefix(b, "Lib"), *lc = id_with_prefix(c, "Lib");
    char *va = id_with_prefix(a, "FVersion"), *vb = id_with_prefix(b, "FVersion"), *vc = id_with_prefix(c, "FVersion");
    CHECK(la && lb && lc && va && vb && vc);
    if (la && lb && lc && va && vb && vc) {
        CHECK_STR(la, lb); /* the same files: the same ids */
        CHECK_STR(va, vb);
        CHECK(strcmp(la, lc) != 0); /* changed files: new ones */
        CHECK(strcmp(va, vc) != 0);
    }
    free(la), free(lb), free(lc), free(va), free(vb), free(vc);
    json_decref(a), json_decref(b), json_decref(c);
    unlink(file);
    rmdir(dir);
}
