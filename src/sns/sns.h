/* SPDX-License-Identifier: MIT
 * Amazon SNS: topics, subscriptions and the fan-out of what is published to
 * SQS queues, Lambda functions, HTTP(S) endpoints and captured email. The
 * service table's entry is sns_service; the rest of the program knows nothing
 * else of it. */
#ifndef RN_SNS_H
#define RN_SNS_H
#include "core/service.h"

extern const rn_service_t sns_service;
extern const rn_api_t sns_api;
#endif
