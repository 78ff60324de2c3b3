/* SPDX-License-Identifier: MIT
 * GET /metrics: Runnel's own metrics (core/metrics.h, from every service
 * instance through the sink registry) and the process's and store's figures,
 * in Prometheus' text exposition format (version 0.0.4). */
#ifndef RN_AWS_PROMETHEUS_H
#define RN_AWS_PROMETHEUS_H
#include <stddef.h>

#include "aws/dispatch.h"

/* The page. Caller frees with rn_free; NULL when out of memory. */
char *aws_prometheus(const rn_app_t *app, size_t *len);
#endif
