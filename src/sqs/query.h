/* SPDX-License-Identifier: MIT
 * SQS's query protocol at the edge. Service handlers only ever see the JSON
 * protocol's shapes; this module turns flat query parameters
 * (`Attribute.1.Name=...`) into the JSON input object for an action and turns
 * the JSON output object into AWS's XML response, both driven by one table of
 * the 2012-11-05 API's shapes. */
#ifndef RN_SQS_QUERY_H
#define RN_SQS_QUERY_H
#include <jansson.h>
#include <stddef.h>

#include "core/buf.h"

/* Builds the JSON-protocol input for `action` from `flat` (name → string, as
 * aws_form_parse gives it). Lists and maps are ordered by their .N index (gaps
 * allowed); integer members become JSON integers; unknown names (Action,
 * Version, X-Amz-*, ...) are ignored. `flat` is borrowed. On success caller owns
 * *in; free with json_decref(). Errors: RN_ERR_INVALID_ACTION for an unknown
 * action, RN_ERR_INVALID_PARAMETER for a non-integer integer member,
 * RN_ERR_NOMEM; each with a message in msg. */
int sqs_query_decode(const char *action, const json_t *flat, json_t **in, char *msg, size_t msglen);

/* Appends the XML response document for `action` to b: <ActionResponse> with
 * an <ActionResult> (omitted for actions without output) holding `out` in the
 * query protocol's element names, then <ResponseMetadata>. Members of `out`
 * that the action's output shape does not have are left out. All arguments
 * are borrowed. Returns 0, RN_ERR_INVALID_ACTION or RN_ERR_NOMEM. */
int sqs_xml_encode(const char *action, const json_t *out, const char *request_id, rn_buf_t *b);
#endif
