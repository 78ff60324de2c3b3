/* SPDX-License-Identifier: MIT
 * A SAM function's Events, each turned into the resources SAM makes under
 * the ids SAM gives them (<Fn><Event>, <Fn><Event>Permission, ...): SQS
 * (an event source mapping; the role gets AWSLambdaSQSQueueExecutionRole),
 * EventBridgeRule / CloudWatchEvent and Schedule (a rule targeting the
 * function and the permission letting EventBridge invoke it, optionally a
 * dead-letter queue with its policy), ScheduleV2 (on AWS an EventBridge
 * Scheduler schedule; Runnel has no Scheduler, so it becomes a scheduled
 * rule when its settings allow), and SNS (a subscription and permission, or
 * with SqsSubscription a queue between topic and function). Event types
 * whose service Runnel lacks fail the transform, naming it. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cloudformation/sam_int.h"

/* The event types whose source Runnel does not have, with what is missing. */
static const struct {
    const char *type, *why;
} missing[] = {
    {"Api", "Runnel has no API Gateway"},
    {"HttpApi", "Runnel has no API Gateway"},
    {"S3", "Runnel has no S3"},
    {"Kinesis", "Runnel has no Kinesis"},
    {"DynamoDB", "Runnel's DynamoDB has no streams"},
    {"MSK", "Runnel has no Kafka"},
    {"SelfManagedKafka", "Runnel has no Kafka"},
    {"MQ", "Runnel has no Amazon MQ"},
    {"DocumentDB", "Runnel has no DocumentDB"},
    {"IoTRule", "Runnel has no IoT"},
    {"AlexaSkill", "Runnel has no Alexa skills"},
    {"Cognito", "Runnel has no Cognito"},
    {"CloudWatchLogs", "Runnel's CloudWatch Logs has no subscription filters"},
};

/* The parts every event handler reads. */
typedef struct ev {
    sam_ctx_t *c;
    const char *fn;       /* the function's logical id */
    const char *name;     /* the event's name (SAM's relative id) */
    char id[512];         /* <Fn><Event> */
    const json_t *res;    /* the SAM function resource (passthrough attributes) */
    const json_t *props;  /* the event's Properties */
    const sam_target_t *t;
    json_t *role;         /* the generated role's Properties, or NULL */
} ev_t;

/* SAM's error for an event, reported against the function. */
#define EV_ERROR_PREFIX "Event with id [%s] is invalid. "

static json_t *add(ev_t *e, const char *suffix, const char *type, json_t *props)
{
    char id[600];
    snprintf(id, sizeof id, "%s%s", e->id, suffix);
    return sam_add(e->c, e->fn, id, type, props, e->res);
}

/* AWS::Lambda::Permission <id>Permission for `principal` from `source`. */
static void permission(ev_t *e, const char *principal, json_t *source)
{
    json_t *p = json_pack("{s:s, s:O, s:s, s:o}", "Action", "lambda:InvokeFunction", "FunctionName", e->t->name,
                          "Principal", principal, "SourceArn", source);
    add(e, "Permission", "AWS::Lambda::Permission", p);
}

/* The target Id: given, else <id>LambdaTarget cut to EventBridge's 64. */
static json_t *target_id(ev_t *e)
{
    const json_t *target = json_object_get(e->props, "Target");
    if (json_object_get(target, "Id"))
        return json_deep_copy(json_object_get(target, "Id"));
    char id[600];
    size_t n = strlen(e->id);
    if (n + 12 > 64)
        n = 64 - 12;
    snprintf(id, sizeof id, "%.*sLambdaTarget", (int)n, e->id);
    return json_string(id);
}

/* The dead-letter queue ARN of a rule's DeadLetterConfig: its Arn, or a
 * queue SAM generates (<id>Queue or QueueLogicalId) with the policy that
 * lets the rule send to it. Returns a new value or NULL (error recorded). */
static json_t *rule_dlq(ev_t *e)
{
    const json_t *d = json_object_get(e->props, "DeadLetterConfig");
    int has_arn = json_object_get(d, "Arn") != NULL, has_type = json_object_get(d, "Type") != NULL;
    if (!json_is_object(d)) {
        sam_error(e->c, e->id, "Property 'DeadLetterConfig' should be a map.");
        return NULL;
    }
    if (has_arn && has_type) {
        sam_error(e->c, e->fn, EV_ERROR_PREFIX "You can either define 'Arn' or 'Type' property of DeadLetterConfig.",
                  e->id);
        return NULL;
    }
    const json_t *type = json_object_get(d, "Type");
    if (has_type && !(json_is_string(type) && strcmp(json_string_value(type), "SQS") == 0)) {
        sam_error(e->c, e->fn, EV_ERROR_PREFIX "The only valid value for 'Type' property of DeadLetterConfig is 'SQS'.",
                  e->id);
        return NULL;
    }
    if (!has_arn && !has_type) {
        sam_error(e->c, e->fn, EV_ERROR_PREFIX "No 'Arn' or 'Type' property provided for DeadLetterConfig.", e->id);
        return NULL;
    }
    if (has_arn)
        return json_deep_copy(json_object_get(d, "Arn"));
    const json_t *qid = json_object_get(d, "QueueLogicalId");
    if (qid && !json_is_string(qid)) {
        sam_error(e->c, e->fn, EV_ERROR_PREFIX "QueueLogicalId must be a string", e->id);
        return NULL;
    }
    char queue[600];
    snprintf(queue, sizeof queue, "%s%s", qid ? json_string_value(qid) : e->id, qid ? "" : "Queue");
    if (!sam_add(e->c, e->fn, queue, "AWS::SQS::Queue", NULL, e->res))
        return NULL;
    json_t *pol = json_pack("{s:{s:s, s:[{s:s, s:s, s:{s:s}, s:{s:[s,s]}, s:{s:{s:{s:[s,s]}}}}]}, s:[{s:s}]}",
                            "PolicyDocument", "Version", "2012-10-17", "Statement", "Action", "sqs:SendMessage",
                            "Effect", "Allow", "Principal", "Service", "events.amazonaws.com", "Resource",
                            "Fn::GetAtt", queue, "Arn", "Condition", "ArnEquals", "aws:SourceArn", "Fn::GetAtt", e->id,
                            "Arn", "Queues", "Ref", queue);
    if (!add(e, "QueuePolicy", "AWS::SQS::QueuePolicy", pol))
        return NULL;
    return json_pack("{s:[s,s]}", "Fn::GetAtt", queue, "Arn");
}

/* State from State or Enabled, which SAM refuses together. */
static int rule_state(ev_t *e, json_t *rule)
{
    const json_t *state = json_object_get(e->props, "State"), *enabled = json_object_get(e->props, "Enabled");
    if (state && enabled) {
        sam_error(e->c, e->fn, EV_ERROR_PREFIX "State and Enabled Properties cannot both be specified.", e->name);
        return -1;
    }
    if (state)
        sam_set(e->c, rule, "State", json_deep_copy(state));
    if (enabled) {
        int on = json_is_true(enabled) ||
                 (json_is_string(enabled) && strcasecmp(json_string_value(enabled), "true") == 0);
        sam_set(e->c, rule, "State", json_string(on ? "ENABLED" : "DISABLED"));
    }
    return 0;
}

/* The rule of EventBridgeRule/CloudWatchEvent, Schedule and ScheduleV2:
 * `rule` holds what is particular to the kind; this adds the target, the
 * dead-letter queue and the permission. `extra` names target properties
 * copied from the event. */
static void rule_and_permission(ev_t *e, json_t *rule, const char *const *extra)
{
    json_t *tid = target_id(e);
    json_t *target = json_pack("{s:O, s:o}", "Arn", e->t->arn, "Id", tid);
    for (size_t i = 0; extra[i]; i++)
        sam_copy(e->c, target, extra[i], e->props, extra[i]);
    if (json_object_get(e->props, "DeadLetterConfig")) {
        json_t *dlq = rule_dlq(e);
        if (!dlq) {
            json_decref(target);
            json_decref(rule);
            return;
        }
        sam_set(e->c, target, "DeadLetterConfig", json_pack("{s:o}", "Arn", dlq));
    }
    sam_copy(e->c, target, "RetryPolicy", e->props, "RetryPolicy");
    if (rule_state(e, rule)) {
        json_decref(target);
        json_decref(rule);
        return;
    }
    sam_set(e->c, rule, "Targets", json_pack("[o]", target));
    if (!add(e, "", "AWS::Events::Rule", rule))
        return;
    permission(e, "events.amazonaws.com", json_pack("{s:[s,s]}", "Fn::GetAtt", e->id, "Arn"));
}

/* What a rule-making event takes and where its properties go. */
typedef struct rule_kind {
    const char *const *known, *const *required;
    const char *const *copied; /* pairs: rule property, event property; NULL-terminated */
    const char *const *extra;  /* target properties copied from the event */
} rule_kind_t;

static const char *const ebr_known[] = {"EventBusName", "RuleName", "Pattern", "DeadLetterConfig", "RetryPolicy",
                                        "Input", "InputPath", "Target", "Enabled", "State", "InputTransformer", NULL};
static const char *const ebr_copied[] = {"EventBusName", "EventBusName", "EventPattern", "Pattern", "Name",
                                         "RuleName", NULL};
static const char *const ebr_extra[] = {"Input", "InputPath", "InputTransformer", NULL};
static const rule_kind_t ebr_kind = {ebr_known, NULL, ebr_copied, ebr_extra};

static const char *const sched_known[] = {"Schedule", "RuleName", "Input", "Enabled", "State", "Name", "Description",
                                          "DeadLetterConfig", "RetryPolicy", NULL};
static const char *const sched_required[] = {"Schedule", NULL};
static const char *const sched_copied[] = {"ScheduleExpression", "Schedule", "Name", "Name", "Description",
                                           "Description", NULL};
static const char *const input_only[] = {"Input", NULL};
static const rule_kind_t sched_kind = {sched_known, sched_required, sched_copied, input_only};

static const char *const v2_known[] = {"ScheduleExpression", "FlexibleTimeWindow", "Name", "State", "Description",
                                       "StartDate", "EndDate", "ScheduleExpressionTimezone", "GroupName",
                                       "KmsKeyArn", "Input", "RoleArn", "DeadLetterConfig", "RetryPolicy",
                                       "OmitName", "PermissionsBoundary", NULL};
static const char *const v2_required[] = {"ScheduleExpression", NULL};
static const char *const v2_copied[] = {"ScheduleExpression", "ScheduleExpression", "Name", "Name", "Description",
                                        "Description", NULL};
static const rule_kind_t v2_kind = {v2_known, v2_required, v2_copied, input_only};

/* The rule of an event of kind k named `type`. */
static void rule_event(ev_t *e, const char *type, const rule_kind_t *k)
{
    if (sam_check_props(e->c, e->id, e->props, type, k->known, k->required))
        return;
    json_t *rule = json_object();
    for (size_t i = 0; k->copied[i]; i += 2)
        sam_copy(e->c, rule, k->copied[i], e->props, k->copied[i + 1]);
    rule_and_permission(e, rule, k->extra);
}

/* ScheduleV2 as an EventBridge rule: what a rule cannot express fails. */
static void schedule_v2(ev_t *e)
{
    static const char *const refused[] = {"StartDate", "EndDate", NULL};
    if (sam_check_props(e->c, e->id, e->props, "ScheduleV2", v2_known, v2_required))
        return;
    for (size_t i = 0; refused[i]; i++)
        if (json_object_get(e->props, refused[i])) {
            sam_error(e->c, e->fn, EV_ERROR_PREFIX "'%s' is not supported by Runnel: Runnel has no EventBridge "
                      "Scheduler and runs ScheduleV2 as a scheduled EventBridge rule.", e->name, refused[i]);
            return;
        }
    const json_t *tz = json_object_get(e->props, "ScheduleExpressionTimezone");
    const json_t *mode = json_object_get(json_object_get(e->props, "FlexibleTimeWindow"), "Mode");
    const json_t *expr = json_object_get(e->props, "ScheduleExpression");
    if ((tz && !(json_is_string(tz) && (strcmp(json_string_value(tz), "UTC") == 0 ||
                                        strcmp(json_string_value(tz), "Etc/UTC") == 0))) ||
        (mode && !(json_is_string(mode) && strcmp(json_string_value(mode), "OFF") == 0)) ||
        (json_is_string(expr) && strncmp(json_string_value(expr), "at(", 3) == 0)) {
        sam_error(e->c, e->fn, EV_ERROR_PREFIX "Runnel has no EventBridge Scheduler and runs ScheduleV2 as a "
                  "scheduled EventBridge rule, which has no time zones, flexible windows or one-time at() "
                  "schedules.", e->name);
        return;
    }
    rule_event(e, "ScheduleV2", &v2_kind);
}

/* AWS::Lambda::EventSourceMapping <id><suffix> from an SQS queue. */
static void sqs_mapping(ev_t *e, const char *suffix, json_t *queue_arn, const json_t *from)
{
    static const char *const copied[] = {"BatchSize", "Enabled", "MaximumBatchingWindowInSeconds",
                                         "FunctionResponseTypes", "FilterCriteria", "ScalingConfig", "KmsKeyArn",
                                         "MetricsConfig", "ProvisionedPollerConfig", NULL};
    json_t *m = json_pack("{s:O, s:o}", "FunctionName", e->t->name, "EventSourceArn", queue_arn);
    for (size_t i = 0; from && copied[i]; i++)
        sam_copy(e->c, m, copied[i], from, copied[i]);
    if (!from) {
        sam_set(e->c, m, "BatchSize", json_integer(10));
        sam_set(e->c, m, "Enabled", json_true());
    }
    if (add(e, suffix, "AWS::Lambda::EventSourceMapping", m) && e->role)
        sam_role_add_managed(e->c, e->role, "arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole");
}

static void sqs(ev_t *e)
{
    static const char *const known[] = {"Queue", "BatchSize", "Enabled", "MaximumBatchingWindowInSeconds",
                                        "FunctionResponseTypes", "FilterCriteria", "ScalingConfig", "KmsKeyArn",
                                        "MetricsConfig", "ProvisionedPollerConfig", NULL};
    static const char *const required[] = {"Queue", NULL};
    if (sam_check_props(e->c, e->id, e->props, "SQS", known, required))
        return;
    const json_t *fc = json_object_get(e->props, "FilterCriteria");
    if (fc && !sam_is_intrinsic(fc) &&
        !(json_is_object(fc) &&
          (json_object_size(fc) == 0 || (json_object_size(fc) == 1 && json_object_get(fc, "Filters"))))) {
        sam_error(e->c, e->fn, EV_ERROR_PREFIX "FilterCriteria field has a wrong format", e->name);
        return;
    }
    sqs_mapping(e, "", json_deep_copy(json_object_get(e->props, "Queue")), e->props);
}

/* 1 when Topic is a Ref to an AWS::SNS::Topic of the template with
 * FifoTopic true. */
static int fifo_topic(ev_t *e, const json_t *topic)
{
    const json_t *ref = json_object_get(topic, "Ref");
    if (!json_is_string(ref))
        return 0;
    const json_t *r = json_object_get(json_object_get(e->c->tpl, "Resources"), json_string_value(ref));
    const json_t *f = json_object_get(json_object_get(r, "Properties"), "FifoTopic");
    return json_is_true(f) || (json_is_string(f) && strcasecmp(json_string_value(f), "true") == 0);
}

static void sns_subscription(ev_t *e, const char *protocol, json_t *endpoint)
{
    const json_t *topic = json_object_get(e->props, "Topic");
    json_t *s = json_pack("{s:s, s:o, s:O}", "Protocol", protocol, "Endpoint", endpoint, "TopicArn", topic);
    sam_copy(e->c, s, "Region", e->props, "Region");
    sam_copy(e->c, s, "FilterPolicy", e->props, "FilterPolicy");
    sam_copy(e->c, s, "FilterPolicyScope", e->props, "FilterPolicyScope");
    sam_copy(e->c, s, "RedrivePolicy", e->props, "RedrivePolicy");
    add(e, "", "AWS::SNS::Subscription", s);
}

/* The queue policy letting the topic send to the queue. */
static void sns_queue_policy(ev_t *e, const char *id, const json_t *queue_arn, const json_t *queue_url)
{
    json_t *p = json_pack("{s:{s:s, s:[{s:s, s:s, s:s, s:O, s:{s:{s:O}}}]}, s:[O]}", "PolicyDocument", "Version",
                          "2012-10-17", "Statement", "Action", "sqs:SendMessage", "Effect", "Allow", "Principal", "*",
                          "Resource", queue_arn, "Condition", "ArnEquals", "aws:SourceArn",
                          json_object_get(e->props, "Topic"), "Queues", queue_url);
    sam_add(e->c, e->fn, id, "AWS::SQS::QueuePolicy", p, e->res);
}

static void sns(ev_t *e)
{
    static const char *const known[] = {"Topic", "Region", "FilterPolicy", "FilterPolicyScope", "SqsSubscription",
                                        "RedrivePolicy", NULL};
    static const char *const required[] = {"Topic", NULL};
    if (sam_check_props(e->c, e->id, e->props, "SNS", known, required))
        return;
    const json_t *topic = json_object_get(e->props, "Topic");
    const json_t *sub = json_object_get(e->props, "SqsSubscription");
    int want_queue = json_is_object(sub) || json_is_true(sub) ||
                     (json_is_string(sub) && strcasecmp(json_string_value(sub), "true") == 0);
    if (!want_queue) {
        permission(e, "sns.amazonaws.com", json_deep_copy(topic));
        sns_subscription(e, "lambda", json_deep_copy(e->t->arn));
        return;
    }
    char policy_id[600];
    if (!json_is_object(sub)) {
        char queue[600];
        snprintf(queue, sizeof queue, "%sQueue", e->id);
        snprintf(policy_id, sizeof policy_id, "%sQueuePolicy", e->id);
        json_t *arn = json_pack("{s:[s,s]}", "Fn::GetAtt", queue, "Arn");
        json_t *url = json_pack("{s:s}", "Ref", queue);
        sqs_mapping(e, "EventSourceMapping", json_deep_copy(arn), NULL);
        sam_add(e->c, e->fn, queue, "AWS::SQS::Queue",
                fifo_topic(e, topic) ? json_pack("{s:b}", "FifoQueue", 1) : NULL, e->res);
        sns_queue_policy(e, policy_id, arn, url);
        sns_subscription(e, "sqs", arn);
        json_decref(url);
        return;
    }
    const json_t *arn = json_object_get(sub, "QueueArn"), *url = json_object_get(sub, "QueueUrl");
    if (!arn || !url) {
        sam_error(e->c, e->fn, EV_ERROR_PREFIX "No QueueARN or QueueURL provided.", e->name);
        return;
    }
    const json_t *pid = json_object_get(sub, "QueuePolicyLogicalId");
    snprintf(policy_id, sizeof policy_id, "%s", json_is_string(pid) ? json_string_value(pid) : "");
    if (!*policy_id)
        snprintf(policy_id, sizeof policy_id, "%sQueuePolicy", e->id);
    json_t *m = json_object();
    sam_set(e->c, m, "BatchSize",
            json_object_get(sub, "BatchSize") ? json_deep_copy(json_object_get(sub, "BatchSize")) : json_integer(10));
    sam_set(e->c, m, "Enabled", json_true()); /* SAM always enables it */
    sqs_mapping(e, "EventSourceMapping", json_deep_copy(arn), m);
    json_decref(m);
    sns_queue_policy(e, policy_id, arn, url);
    sns_subscription(e, "sqs", json_deep_copy(arn));
}

void sam_events(sam_ctx_t *c, const char *fn, const json_t *res, const json_t *events, const sam_target_t *t,
                json_t *role)
{
    const char *name;
    json_t *d;
    json_object_foreach((json_t *)events, name, d) {
        ev_t e = {.c = c, .fn = fn, .name = name, .res = res, .t = t, .role = role};
        snprintf(e.id, sizeof e.id, "%s%s", fn, name);
        const json_t *type = json_object_get(d, "Type");
        const char *ty = json_string_value(type);
        e.props = json_object_get(d, "Properties");
        json_t *empty = NULL;
        if (!e.props)
            e.props = empty = json_object();
        if (!json_is_object(d) || !ty) {
            sam_error(c, fn, EV_ERROR_PREFIX "Resource dict has missing or invalid value for key Type. Event Type is: "
                      "None.", name);
        } else if (!json_is_object(e.props)) {
            sam_error(c, e.id, "Properties of a resource must be an object.");
        } else if (strcmp(ty, "SQS") == 0) {
            sqs(&e);
        } else if (strcmp(ty, "EventBridgeRule") == 0 || strcmp(ty, "CloudWatchEvent") == 0) {
            rule_event(&e, ty, &ebr_kind);
        } else if (strcmp(ty, "Schedule") == 0) {
            rule_event(&e, ty, &sched_kind);
        } else if (strcmp(ty, "ScheduleV2") == 0) {
            schedule_v2(&e);
        } else if (strcmp(ty, "SNS") == 0) {
            sns(&e);
        } else {
            size_t i = 0;
            while (i < sizeof missing / sizeof missing[0] && strcmp(missing[i].type, ty) != 0)
                i++;
            if (i < sizeof missing / sizeof missing[0])
                sam_error(c, fn, EV_ERROR_PREFIX "Event type %s is not supported by Runnel: %s.", name, ty,
                          missing[i].why);
            else
                sam_error(c, fn, EV_ERROR_PREFIX "Resource dict has missing or invalid value for key Type. Event "
                          "Type is: %s.", name, ty);
        }
        json_decref(empty);
    }
}
