/* SPDX-License-Identifier: MIT
 * Operation lookup in an API description. */
#include "core/api.h"

#include <string.h>

const rn_op_t *rn_api_op(const rn_api_t *api, const char *name)
{
    for (const rn_op_t *o = api->ops; name && o->name; o++)
        if (strcmp(o->name, name) == 0)
            return o;
    return NULL;
}
