/* SPDX-License-Identifier: MIT
 * Runnel's own metrics: the figures each service reports about its
 * resources, named as AWS publishes them to CloudWatch (AWS/SQS
 * NumberOfMessagesSent for a queue, AWS/Lambda Duration for a function).
 * A service reports them when asked (rn_service_t.metrics); whoever wants
 * them (CloudWatch, once a minute; GET /metrics, in Prometheus' text form)
 * asks through the sink registry (rn_sinks_metrics), so no service names
 * another. Everything is borrowed for the call only. */
#ifndef RN_METRICS_H
#define RN_METRICS_H

enum {
    RN_METRIC_COUNTER, /* a running total since the instance started: per period, its increase */
    RN_METRIC_GAUGE,   /* a value now */
};

typedef struct rn_metric {
    const char *ns;        /* "AWS/SQS" */
    const char *name;      /* "NumberOfMessagesSent" */
    const char *dim;       /* the dimension's name ("QueueName"), or NULL for none */
    const char *dim_value;
    const char *unit;      /* CloudWatch's unit: "Count", "Seconds", "Milliseconds", "Bytes"; a counter
                            * in another unit than Count is an amount (Prometheus: a summary) */
    int kind;              /* RN_METRIC_* */
    double value;
    /* Counters of amounts (Duration, a size): the running count of the
     * observations value totals, so a period's average can be had; 0 for
     * counters of events, where value is the count. */
    double samples;
    const char *help;      /* one line saying what it is (Prometheus' HELP); static */
    const char *dim2;      /* a second dimension (a custom bus's RuleName beside its EventBusName), or NULL */
    const char *dim2_value;
} rn_metric_t;

/* Takes one figure of one service instance. */
typedef void (*rn_metric_fn)(void *ud, const rn_metric_t *m);
/* Takes one figure with the partition it belongs to. */
typedef void (*rn_metric_part_fn)(void *ud, const char *account, const char *region, const rn_metric_t *m);
#endif
