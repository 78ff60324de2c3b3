/* SPDX-License-Identifier: MIT
 * Amazon CloudWatch metrics (GraniteServiceVersion20100801): PutMetricData,
 * GetMetricStatistics, GetMetricData with basic metric math, ListMetrics and
 * threshold alarms evaluated on the movable clock, over the query protocol,
 * AWS JSON 1.0 (query-compatible) and smithy-rpc-v2-cbor. See
 * docs/cloudwatch.md. */
#ifndef RN_CW_H
#define RN_CW_H
#include "core/service.h"

/* The service table's entry (cloudwatch/service.c). */
extern const rn_service_t cw_service;
#endif
