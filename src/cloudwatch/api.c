/* SPDX-License-Identifier: MIT
 * CloudWatch's API (2010-08-01), the operations Runnel serves, as one
 * protocol-neutral description for the query and CBOR codecs (JSON 1.0
 * bodies reach the service as they are). Lists are wrapped on the query wire
 * (MetricData.member.1.Dimensions.member.1.Name). Doubles are described as
 * strings: the query protocol hands them over as text and the service reads
 * either form (cloudwatch/input.c). */
#include <stddef.h>

#include "cloudwatch/cw_int.h"
#include "core/api.h"

static const rn_shape_t S_STR = {RN_T_STR}, S_INT = {RN_T_INT}, S_BOOL = {RN_T_BOOL}, S_TIME = {RN_T_TIME};
static const rn_shape_t S_DBL = {RN_T_STR};
static const rn_shape_t L_STR = {RN_T_LIST, .elem = &S_STR};
static const rn_shape_t L_DBL = {RN_T_LIST, .elem = &S_DBL};
static const rn_shape_t L_TIME = {RN_T_LIST, .elem = &S_TIME};

static const rn_member_t dim_m[] = {RN_MEMBER("Name", S_STR), RN_MEMBER("Value", S_STR), RN_END};
static const rn_shape_t T_DIM = {RN_T_STRUCT, dim_m};
static const rn_shape_t L_DIM = {RN_T_LIST, .elem = &T_DIM};
static const rn_member_t statset_m[] = {
    RN_MEMBER("SampleCount", S_DBL), RN_MEMBER("Sum", S_DBL), RN_MEMBER("Minimum", S_DBL),
    RN_MEMBER("Maximum", S_DBL),     RN_END,
};
static const rn_shape_t T_STATSET = {RN_T_STRUCT, statset_m};
static const rn_member_t datum_m[] = {
    RN_MEMBER("MetricName", S_STR),
    RN_MEMBER("Dimensions", L_DIM),
    RN_MEMBER("Timestamp", S_TIME),
    RN_MEMBER("Value", S_DBL),
    RN_MEMBER("StatisticValues", T_STATSET),
    RN_MEMBER("Values", L_DBL),
    RN_MEMBER("Counts", L_DBL),
    RN_MEMBER("Unit", S_STR),
    RN_MEMBER("StorageResolution", S_INT),
    RN_END,
};
static const rn_shape_t T_DATUM = {RN_T_STRUCT, datum_m};
static const rn_shape_t L_DATUM = {RN_T_LIST, .elem = &T_DATUM};

static const rn_member_t put_data_in[] = {
    RN_MEMBER("Namespace", S_STR),
    RN_MEMBER("MetricData", L_DATUM),
    RN_MEMBER("StrictEntityValidation", S_BOOL),
    RN_END,
};


static const rn_member_t stats_in[] = {
    RN_MEMBER("Namespace", S_STR),     RN_MEMBER("MetricName", S_STR),         RN_MEMBER("Dimensions", L_DIM),
    RN_MEMBER("StartTime", S_TIME),    RN_MEMBER("EndTime", S_TIME),           RN_MEMBER("Period", S_INT),
    RN_MEMBER("Statistics", L_STR),    RN_MEMBER("ExtendedStatistics", L_STR), RN_MEMBER("Unit", S_STR),
    RN_END,
};
static const rn_shape_t M_DBL = {RN_T_MAP, .elem = &S_DBL};
static const rn_member_t datapoint_m[] = {
    RN_MEMBER("Timestamp", S_TIME), RN_MEMBER("SampleCount", S_DBL), RN_MEMBER("Average", S_DBL),
    RN_MEMBER("Sum", S_DBL),        RN_MEMBER("Minimum", S_DBL),     RN_MEMBER("Maximum", S_DBL),
    RN_MEMBER("Unit", S_STR),       RN_MEMBER("ExtendedStatistics", M_DBL), RN_END,
};
static const rn_shape_t T_DATAPOINT = {RN_T_STRUCT, datapoint_m};
static const rn_shape_t L_DATAPOINT = {RN_T_LIST, .elem = &T_DATAPOINT};
static const rn_member_t stats_out[] = {RN_MEMBER("Label", S_STR), RN_MEMBER("Datapoints", L_DATAPOINT), RN_END};

static const rn_member_t metric_m[] = {
    RN_MEMBER("Namespace", S_STR), RN_MEMBER("MetricName", S_STR), RN_MEMBER("Dimensions", L_DIM), RN_END,
};
static const rn_shape_t T_METRIC = {RN_T_STRUCT, metric_m};
static const rn_shape_t L_METRIC = {RN_T_LIST, .elem = &T_METRIC};
static const rn_member_t metric_stat_m[] = {
    RN_MEMBER("Metric", T_METRIC), RN_MEMBER("Period", S_INT), RN_MEMBER("Stat", S_STR), RN_MEMBER("Unit", S_STR),
    RN_END,
};
static const rn_shape_t T_METRIC_STAT = {RN_T_STRUCT, metric_stat_m};
static const rn_member_t query_m[] = {
    RN_MEMBER("Id", S_STR),         RN_MEMBER("MetricStat", T_METRIC_STAT), RN_MEMBER("Expression", S_STR),
    RN_MEMBER("Label", S_STR),      RN_MEMBER("ReturnData", S_BOOL),        RN_MEMBER("Period", S_INT),
    RN_MEMBER("AccountId", S_STR),  RN_END,
};
static const rn_shape_t T_QUERY = {RN_T_STRUCT, query_m};
static const rn_shape_t L_QUERY = {RN_T_LIST, .elem = &T_QUERY};
static const rn_member_t label_opts_m[] = {RN_MEMBER("Timezone", S_STR), RN_END};
static const rn_shape_t T_LABEL_OPTS = {RN_T_STRUCT, label_opts_m};
static const rn_member_t data_in[] = {
    RN_MEMBER("MetricDataQueries", L_QUERY), RN_MEMBER("StartTime", S_TIME),   RN_MEMBER("EndTime", S_TIME),
    RN_MEMBER("NextToken", S_STR),           RN_MEMBER("ScanBy", S_STR),       RN_MEMBER("MaxDatapoints", S_INT),
    RN_MEMBER("LabelOptions", T_LABEL_OPTS), RN_END,
};
static const rn_member_t message_m[] = {RN_MEMBER("Code", S_STR), RN_MEMBER("Value", S_STR), RN_END};
static const rn_shape_t T_MESSAGE = {RN_T_STRUCT, message_m};
static const rn_shape_t L_MESSAGE = {RN_T_LIST, .elem = &T_MESSAGE};
static const rn_member_t result_m[] = {
    RN_MEMBER("Id", S_STR),         RN_MEMBER("Label", S_STR),         RN_MEMBER("Timestamps", L_TIME),
    RN_MEMBER("Values", L_DBL),     RN_MEMBER("StatusCode", S_STR),    RN_MEMBER("Messages", L_MESSAGE),
    RN_END,
};
static const rn_shape_t T_RESULT = {RN_T_STRUCT, result_m};
static const rn_shape_t L_RESULT = {RN_T_LIST, .elem = &T_RESULT};
static const rn_member_t data_out[] = {
    RN_MEMBER("MetricDataResults", L_RESULT), RN_MEMBER("NextToken", S_STR), RN_MEMBER("Messages", L_MESSAGE),
    RN_END,
};

static const rn_member_t list_in[] = {
    RN_MEMBER("Namespace", S_STR),      RN_MEMBER("MetricName", S_STR),
    RN_MEMBER("Dimensions", L_DIM),     RN_MEMBER("NextToken", S_STR),
    RN_MEMBER("RecentlyActive", S_STR), RN_MEMBER("IncludeLinkedAccounts", S_BOOL),
    RN_MEMBER("OwningAccount", S_STR),  RN_END,
};
static const rn_member_t list_out[] = {
    RN_MEMBER("Metrics", L_METRIC), RN_MEMBER("NextToken", S_STR), RN_MEMBER("OwningAccounts", L_STR), RN_END,
};

static const rn_member_t tag_m[] = {RN_MEMBER("Key", S_STR), RN_MEMBER("Value", S_STR), RN_END};
static const rn_shape_t T_TAG = {RN_T_STRUCT, tag_m};
static const rn_shape_t L_TAG = {RN_T_LIST, .elem = &T_TAG};
#define ALARM_METRIC_MEMBERS                                                                                          \
    RN_MEMBER("MetricName", S_STR), RN_MEMBER("Namespace", S_STR), RN_MEMBER("Statistic", S_STR),                    \
        RN_MEMBER("ExtendedStatistic", S_STR), RN_MEMBER("Dimensions", L_DIM), RN_MEMBER("Period", S_INT),           \
        RN_MEMBER("Unit", S_STR), RN_MEMBER("EvaluationPeriods", S_INT), RN_MEMBER("DatapointsToAlarm", S_INT),      \
        RN_MEMBER("Threshold", S_DBL), RN_MEMBER("ComparisonOperator", S_STR), RN_MEMBER("TreatMissingData", S_STR), \
        RN_MEMBER("EvaluateLowSampleCountPercentile", S_STR), RN_MEMBER("Metrics", L_QUERY),                         \
        RN_MEMBER("ThresholdMetricId", S_STR)
static const rn_member_t put_alarm_in[] = {
    RN_MEMBER("AlarmName", S_STR),
    RN_MEMBER("AlarmDescription", S_STR),
    RN_MEMBER("ActionsEnabled", S_BOOL),
    RN_MEMBER("OKActions", L_STR),
    RN_MEMBER("AlarmActions", L_STR),
    RN_MEMBER("InsufficientDataActions", L_STR),
    ALARM_METRIC_MEMBERS,
    RN_MEMBER("Tags", L_TAG),
    RN_END,
};
static const rn_member_t alarm_m[] = {
    RN_MEMBER("AlarmName", S_STR),
    RN_MEMBER("AlarmArn", S_STR),
    RN_MEMBER("AlarmDescription", S_STR),
    RN_MEMBER("AlarmConfigurationUpdatedTimestamp", S_TIME),
    RN_MEMBER("ActionsEnabled", S_BOOL),
    RN_MEMBER("OKActions", L_STR),
    RN_MEMBER("AlarmActions", L_STR),
    RN_MEMBER("InsufficientDataActions", L_STR),
    RN_MEMBER("StateValue", S_STR),
    RN_MEMBER("StateReason", S_STR),
    RN_MEMBER("StateReasonData", S_STR),
    RN_MEMBER("StateUpdatedTimestamp", S_TIME),
    ALARM_METRIC_MEMBERS,
    RN_MEMBER("EvaluationState", S_STR),
    RN_MEMBER("StateTransitionedTimestamp", S_TIME),
    RN_END,
};
static const rn_shape_t T_ALARM = {RN_T_STRUCT, alarm_m};
static const rn_shape_t L_ALARM = {RN_T_LIST, .elem = &T_ALARM};
static const rn_shape_t L_ANY = {RN_T_LIST, .elem = &S_STR};
static const rn_member_t describe_in[] = {
    RN_MEMBER("AlarmNames", L_STR),       RN_MEMBER("AlarmNamePrefix", S_STR),  RN_MEMBER("AlarmTypes", L_STR),
    RN_MEMBER("ChildrenOfAlarmName", S_STR), RN_MEMBER("ParentsOfAlarmName", S_STR), RN_MEMBER("StateValue", S_STR),
    RN_MEMBER("ActionPrefix", S_STR),     RN_MEMBER("MaxRecords", S_INT),       RN_MEMBER("NextToken", S_STR),
    RN_END,
};
static const rn_member_t describe_out[] = {
    RN_MEMBER("CompositeAlarms", L_ANY), RN_MEMBER("MetricAlarms", L_ALARM), RN_MEMBER("NextToken", S_STR), RN_END,
};
static const rn_member_t for_metric_in[] = {
    RN_MEMBER("MetricName", S_STR), RN_MEMBER("Namespace", S_STR), RN_MEMBER("Statistic", S_STR),
    RN_MEMBER("ExtendedStatistic", S_STR), RN_MEMBER("Dimensions", L_DIM), RN_MEMBER("Period", S_INT),
    RN_MEMBER("Unit", S_STR), RN_END,
};
static const rn_member_t for_metric_out[] = {RN_MEMBER("MetricAlarms", L_ALARM), RN_END};
static const rn_member_t names_in[] = {RN_MEMBER("AlarmNames", L_STR), RN_END};
static const rn_member_t set_state_in[] = {
    RN_MEMBER("AlarmName", S_STR), RN_MEMBER("StateValue", S_STR), RN_MEMBER("StateReason", S_STR),
    RN_MEMBER("StateReasonData", S_STR), RN_END,
};

static const rn_op_t ops[] = {
    {"PutMetricData", put_data_in, NULL},
    {"GetMetricStatistics", stats_in, stats_out},
    {"GetMetricData", data_in, data_out},
    {"ListMetrics", list_in, list_out},
    {"PutMetricAlarm", put_alarm_in, NULL},
    {"DescribeAlarms", describe_in, describe_out},
    {"DescribeAlarmsForMetric", for_metric_in, for_metric_out},
    {"DeleteAlarms", names_in, NULL},
    {"SetAlarmState", set_state_in, NULL},
    {"EnableAlarmActions", names_in, NULL},
    {"DisableAlarmActions", names_in, NULL},
    {NULL, NULL, NULL},
};

const rn_api_t cw_api = {ops, "http://monitoring.amazonaws.com/doc/2010-08-01/", NULL, NULL};
