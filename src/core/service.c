/* SPDX-License-Identifier: MIT
 * Helpers of the service contract. */
#include "core/service.h"

#include "core/mem.h"

void rn_rest_reply_free(rn_rest_reply_t *r)
{
    rn_free(r->body);
    r->body = NULL;
    r->body_len = 0;
}
