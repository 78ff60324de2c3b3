/* SPDX-License-Identifier: MIT
 * Stack parameters. (Placeholder: given values over defaults.) */
#include <stdio.h>

#include "cloudformation/cfn_int.h"

int cfn_params_resolve(const json_t *tpl, const json_t *given, const json_t *previous, json_t **values, char *msg,
                       size_t msglen)
{
    (void)previous;
    json_t *v = json_object();
    const char *k;
    json_t *p;
    json_object_foreach(json_object_get(tpl, "Parameters"), k, p) {
        json_t *d = json_object_get(p, "Default");
        if (d)
            json_object_set(v, k, d);
    }
    size_t i;
    json_t *g;
    json_array_foreach(given, i, g) {
        const char *key = json_string_value(json_object_get(g, "ParameterKey"));
        json_t *val = json_object_get(g, "ParameterValue");
        if (key && val)
            json_object_set(v, key, val);
    }
    json_object_foreach(json_object_get(tpl, "Parameters"), k, p) {
        if (!json_object_get(v, k)) {
            snprintf(msg, msglen, "Parameters: [%s] must have values", k);
            json_decref(v);
            return -1;
        }
    }
    *values = v;
    return 0;
}
