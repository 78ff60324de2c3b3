/* SPDX-License-Identifier: MIT
 * XML error responses for the query protocol, in SQS's 2012-11-05 namespace. */
#include "aws/xml.h"

#include <string.h>

void aws_xml_error(rn_buf_t *b, int sender, const char *code, const char *message, const char *request_id)
{
    rn_buf_puts(b, "<?xml version=\"1.0\"?><ErrorResponse xmlns=\"http://queue.amazonaws.com/doc/2012-11-05/\">"
                   "<Error><Type>");
    rn_buf_puts(b, sender ? "Sender" : "Receiver");
    rn_buf_puts(b, "</Type><Code>");
    rn_buf_xml_escape(b, code, strlen(code));
    rn_buf_puts(b, "</Code><Message>");
    rn_buf_xml_escape(b, message, strlen(message));
    rn_buf_puts(b, "</Message><Detail/></Error><RequestId>");
    rn_buf_puts(b, request_id);
    rn_buf_puts(b, "</RequestId></ErrorResponse>");
}
