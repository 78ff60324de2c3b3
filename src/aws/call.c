/* SPDX-License-Identifier: MIT
 * Helpers shared by every service handler. */
#include "aws/call.h"
#include <stdarg.h>
#include <stdio.h>

int rn_call_fail(rn_call_t *c, int err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->msg, sizeof c->msg, fmt, ap);
    va_end(ap);
    c->err = err;
    return err;
}
