/* SPDX-License-Identifier: MIT
 * The query protocol's XML error document, shared by every query-protocol
 * service. Success bodies are service-specific (see sqs/query.h); errors all
 * share the <ErrorResponse> shape that botocore's QueryParser reads. */
#ifndef RN_XML_H
#define RN_XML_H
#include "core/buf.h"

/* The namespace SQS's 2012-11-05 API puts on every response document. */
#define AWS_XML_SQS_NS "http://queue.amazonaws.com/doc/2012-11-05/"

/* Appends <ErrorResponse><Error><Type>Sender|Receiver</Type><Code/><Message/>
 * <Detail/></Error><RequestId/></ErrorResponse> to b, text XML-escaped.
 * All strings are borrowed; message and request_id may be NULL (empty).
 * Out of memory is reported through b->oom. */
void aws_xml_error(rn_buf_t *b, int sender, const char *code, const char *message, const char *request_id);
#endif
