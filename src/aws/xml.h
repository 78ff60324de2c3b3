/* SPDX-License-Identifier: MIT
 * The query protocol's XML error document. */
#ifndef RN_XML_H
#define RN_XML_H
#include "core/buf.h"
/* Appends <ErrorResponse> with Type (Sender/Receiver), Code, Message, RequestId. */
void aws_xml_error(rn_buf_t *b, int sender, const char *code, const char *message, const char *request_id);
#endif
