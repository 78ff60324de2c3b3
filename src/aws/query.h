/* SPDX-License-Identifier: MIT
 * The query protocol (form-encoded parameters in, XML out) for any service
 * that describes its API (core/api.h). Services only ever see their
 * description's JSON shapes; this module turns flat query parameters
 * (`Attribute.1.Name=...`, `Tags.member.1.Key=...`) into the input object for
 * an action and the output object into AWS's XML response. */
#ifndef RN_AWS_QUERY_H
#define RN_AWS_QUERY_H
#include <jansson.h>
#include <stddef.h>

#include "core/api.h"
#include "core/buf.h"

/* Builds the input for `action` of `api` from `flat` (name → string, as
 * aws_form_parse gives it). Lists and maps are ordered by their .N index (gaps
 * allowed); integer members become JSON integers, booleans JSON booleans;
 * unknown names (Action, Version, X-Amz-*, ...) are ignored. `flat` is
 * borrowed. On success caller owns *in; free with json_decref(). Errors:
 * RN_ERR_INVALID_ACTION for an unknown action, RN_ERR_INVALID_PARAMETER for a
 * non-integer integer member or a non-boolean boolean, RN_ERR_NOMEM; each with
 * a message in msg. */
int aws_query_decode(const rn_api_t *api, const char *action, const json_t *flat, json_t **in, char *msg,
                     size_t msglen);

/* Appends the XML response document for `action` to b: <ActionResponse> in
 * the api's namespace with an <ActionResult> (omitted for actions without
 * output) holding `out` in the wire's element names, then <ResponseMetadata>.
 * Members of `out` that the action's output shape does not have are left out.
 * All arguments are borrowed. Returns 0, RN_ERR_INVALID_ACTION or
 * RN_ERR_NOMEM. */
int aws_query_encode(const rn_api_t *api, const char *action, const json_t *out, const char *request_id,
                     rn_buf_t *b);

/* Appends <ErrorResponse xmlns=ns><Error><Type>Sender|Receiver</Type><Code/>
 * <Message/><Detail/></Error><RequestId/></ErrorResponse> to b, text
 * XML-escaped, which is what botocore's QueryParser and the other SDKs read.
 * All strings are borrowed; message and request_id may be NULL (empty). Out
 * of memory is reported through b->oom. */
void aws_query_error(rn_buf_t *b, const char *ns, int sender, const char *code, const char *message,
                     const char *request_id);
#endif
