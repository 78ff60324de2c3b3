/* SPDX-License-Identifier: MIT
 * Template parsing and checks. (Placeholder: JSON only, no checks.) */
#include <stdio.h>
#include <string.h>

#include "cloudformation/cfn_int.h"

int cfn_template_parse(const char *text, size_t len, json_t **out, char *msg, size_t msglen)
{
    json_error_t e;
    *out = json_loadb(text, len, 0, &e);
    if (!*out || !json_is_object(*out)) {
        json_decref(*out);
        *out = NULL;
        snprintf(msg, msglen, "Template format error: JSON not well-formed. (line %d, column %d)", e.line, e.column);
        return -1;
    }
    return 0;
}

int cfn_template_check(const json_t *tpl, char *msg, size_t msglen)
{
    if (!json_is_object(json_object_get(tpl, "Resources")) || !json_object_size(json_object_get(tpl, "Resources"))) {
        snprintf(msg, msglen, "Template format error: At least one Resources member must be defined.");
        return -1;
    }
    return 0;
}
