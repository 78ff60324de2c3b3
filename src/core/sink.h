/* SPDX-License-Identifier: MIT
 * Delivery between services, by ARN. A service that can receive (SQS queues,
 * event buses, Lambda functions, log groups; SNS topics later)
 * registers one sink for the service part of its ARNs ("sqs" in
 * arn:aws:sqs:REGION:ACCOUNT:NAME); a service that sends (an EventBridge
 * target, a dead-letter queue, later an SNS subscription) delivers through
 * the registry and never includes the receiver. Taps are the other direction:
 * a service publishes what happens on a named topic ("events.put") and
 * whoever cares (schema discovery) listens. One registry per server, owned by
 * the app; used only from the loop. */
#ifndef RN_SINK_H
#define RN_SINK_H
#include <jansson.h>
#include <stddef.h>

#include "core/call.h"
#include "core/metrics.h"

typedef struct rn_sinks rn_sinks_t;

/* One message handed from one service to another. All borrowed. */
typedef struct rn_message {
    const char *body;
    size_t len;
    const char *group_id; /* FIFO message group, or NULL */
    const char *dedup_id; /* FIFO deduplication id, or NULL */
    const json_t *attrs;  /* message attributes ({"name": {"DataType": ...,
                           * "StringValue"|"BinaryValue": ...}}), or NULL */
    const char *id;       /* the sender's id for it (an event's id), or NULL */
    int hops;             /* deliveries it has already been through (bus to
                           * bus), so a cycle across partitions ends */
    const char *stream;   /* a log group's stream to write to, or NULL */
    int lines;            /* log groups: each line of body is one event */
    const char *subject;  /* an SNS topic: the message's Subject, or NULL */
} rn_message_t;

/* Delivers m to the resource `arn`. Returns 0, RN_ERR_NOT_FOUND when no
 * such resource exists, or the receiver's error with AWS's message in msg. */
typedef int (*rn_sink_fn)(void *ud, const char *arn, const rn_message_t *m, char *msg, size_t msglen);
/* Sees one published item: source is the ARN it happened on (a bus), body
 * the item (an event envelope). Borrowed, for the call only. */
typedef void (*rn_tap_fn)(void *ud, const char *source, const char *body, size_t len);

/* Creates an empty registry; NULL when out of memory. */
rn_sinks_t *rn_sinks_new(void);
void rn_sinks_free(rn_sinks_t *s);
/* Registers the sink for ARNs of `service` ("sqs"); ud is borrowed and must
 * outlive the registry. Returns 0, or RN_ERR_NOMEM. */
int rn_sinks_add(rn_sinks_t *s, const char *service, rn_sink_fn fn, void *ud);
/* Delivers through the sink of the ARN's service; RN_ERR_NOT_FOUND (with a
 * message) when the ARN is malformed or no sink serves it. */
int rn_sinks_deliver(rn_sinks_t *s, const char *arn, const rn_message_t *m, char *msg, size_t msglen);
/* Adds a listener to `topic`. Returns 0, or RN_ERR_NOMEM. */
int rn_sinks_tap(rn_sinks_t *s, const char *topic, rn_tap_fn fn, void *ud);
/* Calls every listener of `topic`, in the order they were added. */
void rn_sinks_publish(rn_sinks_t *s, const char *topic, const char *source, const char *body, size_t len);
/* 1 when `topic` has a listener (so a publisher can skip building the item). */
int rn_sinks_tapped(const rn_sinks_t *s, const char *topic);

/* Calls between services: one service runs an operation of another, in a
 * partition, as a client would (Lambda's event source mappings receive from
 * and delete on SQS queues this way). The call names the service
 * (c->service, "sqs"), the operation and its input in the API description's
 * member names, and the partition (c->account, c->region); c->done is the
 * caller's. Returns 0 when finished (c->out or c->err set, done not called),
 * RN_PENDING when c->done is called later (c->cancel may then stop it), or
 * RN_ERR_NOT_FOUND when no service has that name. The router is set once by
 * whoever owns the instances. */
typedef int (*rn_call_router_fn)(void *ud, rn_call_t *c);
void rn_sinks_set_router(rn_sinks_t *s, rn_call_router_fn fn, void *ud);
int rn_sinks_call(rn_sinks_t *s, rn_call_t *c);

/* Runnel's own metrics (core/metrics.h): every instance's figures, each with
 * its partition, handed to fn now. The collector is set once by whoever owns
 * the instances; without one nothing is reported. */
typedef void (*rn_metrics_collector_fn)(void *ud, rn_metric_part_fn fn, void *fn_ud);
void rn_sinks_set_metrics(rn_sinks_t *s, rn_metrics_collector_fn fn, void *ud);
void rn_sinks_metrics(rn_sinks_t *s, rn_metric_part_fn fn, void *ud);
#endif
