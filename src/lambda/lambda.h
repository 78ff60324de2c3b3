/* SPDX-License-Identifier: MIT
 * AWS Lambda without Docker: functions stored durably with their code, run
 * as local child processes that speak the Lambda Runtime API (core/runtime.h),
 * invoked through the REST-JSON API. See docs/lambda.md. */
#ifndef RN_LAMBDA_H
#define RN_LAMBDA_H
#include "core/service.h"

/* The service table's entry (lambda/service.c). */
extern const rn_service_t lambda_service;
#endif
