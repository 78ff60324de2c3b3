/* SPDX-License-Identifier: MIT
 * CloudFormation's AWS::CloudWatch::Alarm: PutMetricAlarm with the
 * properties (a single metric or Metrics for metric math); an update puts
 * the whole alarm again, which keeps its state, as on AWS; a new AlarmName
 * replaces it. Its Ref is the alarm's name. */
#include <stdio.h>
#include <string.h>

#include "cloudformation/cfn_int.h"
#include "cloudformation/prov_int.h"

/* Every property; all but these few go to PutMetricAlarm as they are
 * (after typing). */
static const char *const alarm_props[] = {"ActionsEnabled",
                                          "AlarmActions",
                                          "AlarmDescription",
                                          "AlarmName",
                                          "ComparisonOperator",
                                          "DatapointsToAlarm",
                                          "Dimensions",
                                          "EvaluateLowSampleCountPercentile",
                                          "EvaluationCriteria",
                                          "EvaluationInterval",
                                          "EvaluationPeriods",
                                          "ExtendedStatistic",
                                          "InsufficientDataActions",
                                          "MetricName",
                                          "Metrics",
                                          "Namespace",
                                          "OKActions",
                                          "Period",
                                          "Statistic",
                                          "Tags",
                                          "Threshold",
                                          "ThresholdMetricId",
                                          "TreatMissingData",
                                          "Unit",
                                          NULL};
static const char *const not_put[] = {"AlarmName", "EvaluationCriteria", "EvaluationInterval", "Tags", NULL};
static const char *const ints[] = {"DatapointsToAlarm", "EvaluationPeriods", "Period", NULL};
static const char *const bools[] = {"ActionsEnabled", "ReturnData", NULL};

static int put_alarm(cfn_op_t *op, const char *name)
{
    json_t *typed = cfn_typed(op, op->props, ints, bools);
    if (!typed)
        return -1;
    json_t *in = json_pack("{s:s}", "AlarmName", name);
    for (const char *const *m = alarm_props; *m; m++)
        if (json_object_get(typed, *m) && !cfn_listed(not_put, *m))
            json_object_set(in, *m, json_object_get(typed, *m));
    /* (CloudWatch reads a Threshold given as text itself); Dimensions' values are text */
    size_t i;
    json_t *d;
    json_array_foreach(json_object_get(in, "Dimensions"), i, d)
        cfn_set_text(op, d, "Value", json_object_get(d, "Value"));
    if (json_object_get(op->props, "Tags"))
        json_object_set_new(in, "Tags", cfn_tags_list(json_object_get(op->props, "Tags")));
    json_decref(typed);
    return cfn_call(op, "cloudwatch", "PutMetricAlarm", in, NULL);
}

/* 1 when an alarm of that name exists. */
static int alarm_exists(cfn_op_t *op, const char *name)
{
    json_t *out = NULL;
    char keep[sizeof op->msg];
    memcpy(keep, op->msg, sizeof keep);
    int ok = cfn_call(op, "cloudwatch", "DescribeAlarms", json_pack("{s:[s]}", "AlarmNames", name), &out) == 0;
    memcpy(op->msg, keep, sizeof keep);
    int there = ok && json_array_size(json_object_get(out, "MetricAlarms")) > 0;
    json_decref(out);
    return there;
}

static int alarm_create(cfn_op_t *op)
{
    char name[300];
    cfn_given_name(op, "AlarmName", 255, NULL, name, sizeof name);
    /* PutMetricAlarm overwrites; a stack must not take over someone's alarm */
    if (cfn_refuse_taken(op, name, alarm_exists(op, name)) < 0)
        return -1;
    if (put_alarm(op, name) < 0)
        return -1;
    cfn_named(op, name, "cloudwatch", "alarm:", "");
    return 0;
}

static int alarm_update(cfn_op_t *op)
{
    if (put_alarm(op, op->old_physical) < 0)
        return -1;
    cfn_named(op, op->old_physical, "cloudwatch", "alarm:", "");
    return 0;
}

static int alarm_delete(cfn_op_t *op)
{
    if (cfn_call(op, "cloudwatch", "DeleteAlarms", json_pack("{s:[s]}", "AlarmNames", op->old_physical), NULL) == 0)
        return 0;
    return alarm_exists(op, op->old_physical) ? -1 : 0;
}

static const char *const alarm_replace[] = {"AlarmName", NULL};
static const char *const alarm_attrs[] = {"Arn", NULL};
static const cfn_provider_t alarm = {
    "AWS::CloudWatch::Alarm", alarm_props, NULL, alarm_replace, alarm_attrs, alarm_create, alarm_update, alarm_delete,
};

const cfn_provider_t *const cfn_prov_cloudwatch[] = {&alarm, NULL};
