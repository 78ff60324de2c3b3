/* SPDX-License-Identifier: MIT
 * Amazon CloudWatch Logs (Logs_20140328, AWS JSON 1.1): log groups, streams
 * and events, kept durably; retention honoured; FilterLogEvents with AWS's
 * filter-pattern syntax (filter.c). Other services write through the sink
 * registry (arn:aws:logs:…:log-group:NAME): Lambda's function output,
 * EventBridge's log-group targets. See docs/logs.md. */
#ifndef RN_LOGS_H
#define RN_LOGS_H
#include "core/service.h"

/* The service table's entry (logs/service.c). */
extern const rn_service_t logs_service;

typedef struct logs_filter logs_filter_t;
/* Compiles a filter pattern; NULL with AWS's message in msg when it is not one. */
logs_filter_t *logs_filter_compile(const char *pattern, char *msg, size_t msglen);
/* 1 when the event's message matches. */
int logs_filter_match(const logs_filter_t *f, const char *message, size_t len);
void logs_filter_free(logs_filter_t *f);
#endif
