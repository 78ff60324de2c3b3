/* SPDX-License-Identifier: MIT
 * SQS's query protocol at the edge: flat `Attribute.1.Name=...` parameters
 * become the JSON protocol's input shape, and the JSON output shape becomes
 * AWS's XML response (flattened lists and maps as the 2012-11-05 API has them). */
#ifndef RN_SQS_QUERY_H
#define RN_SQS_QUERY_H
#include <jansson.h>

#include "core/buf.h"

/* Builds the JSON-shaped input for `action` from flat params. Caller owns *in. */
int sqs_query_decode(const char *action, const json_t *flat, json_t **in, char *msg, size_t msglen);
/* Appends the XML response for `action`. */
int sqs_xml_encode(const char *action, const json_t *out, const char *request_id, rn_buf_t *b);
#endif
