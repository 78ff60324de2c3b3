/* SPDX-License-Identifier: MIT
 * Helpers shared by every service handler. */
#include "core/call.h"
#include <stdarg.h>
#include <stdio.h>

#include "core/mem.h"

int rn_call_fail(rn_call_t *c, int err, const char *fmt, ...)
{
    va_list ap;
    rn_call_clear_msg(c);
    va_start(ap, fmt);
    vsnprintf(c->msg, sizeof c->msg, fmt, ap);
    va_end(ap);
    c->err = err;
    return err;
}

int rn_call_fail_long(rn_call_t *c, int err, char *text)
{
    snprintf(c->msg, sizeof c->msg, "%s", text ? text : "");
    if (text != c->msg_long)
        rn_free(c->msg_long);
    c->msg_long = text;
    c->err = err;
    return err;
}

void rn_call_clear_msg(rn_call_t *c)
{
    rn_free(c->msg_long);
    c->msg_long = NULL;
    json_decref(c->err_fields);
    c->err_fields = NULL;
}
