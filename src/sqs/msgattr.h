/* SPDX-License-Identifier: MIT
 * Validation of SQS message bodies and message (system) attributes with
 * AWS's error codes and messages. */
#ifndef RN_SQS_MSGATTR_H
#define RN_SQS_MSGATTR_H
#include <jansson.h>
#include <stddef.h>

/* Checks a MessageAttributes (system = 0) or MessageSystemAttributes map.
 * *size_out gets the bytes counted toward MaximumMessageSize. */
int sqs_msgattrs_validate(const json_t *attrs, int system, size_t *size_out, char *msg, size_t msglen);
/* Checks that a body is UTF-8 made only of the characters SQS allows. */
int sqs_body_validate(const char *body, size_t n, char *msg, size_t msglen);
#endif
