/* SPDX-License-Identifier: MIT
 * XML error responses for the query protocol. SQS answers a failed query
 * request with an <ErrorResponse> in its 2012-11-05 namespace: an <Error> with
 * Type (Sender/Receiver), Code, Message and an empty Detail, then the
 * RequestId, which is what botocore and the other SDKs parse. */
#include "aws/xml.h"

#include <string.h>

static void put_text(rn_buf_t *b, const char *s)
{
    if (s)
        rn_buf_xml_escape(b, s, strlen(s));
}

void aws_xml_error(rn_buf_t *b, int sender, const char *code, const char *message, const char *request_id)
{
    rn_buf_puts(b, "<?xml version=\"1.0\"?><ErrorResponse xmlns=\"" AWS_XML_SQS_NS "\"><Error><Type>");
    rn_buf_puts(b, sender ? "Sender" : "Receiver");
    rn_buf_puts(b, "</Type><Code>");
    put_text(b, code);
    rn_buf_puts(b, "</Code><Message>");
    put_text(b, message);
    rn_buf_puts(b, "</Message><Detail/></Error><RequestId>");
    put_text(b, request_id);
    rn_buf_puts(b, "</RequestId></ErrorResponse>");
}
