/* SPDX-License-Identifier: MIT
 * Fuzz target for the SAM transform (cloudformation/sam*.c): the input is
 * a template as JSON; one without a Transform gets the SAM one, so every
 * input runs the expansion. A transformed template must be a JSON object
 * without the SAM transform; a failure must say it is the transform's. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cloudformation/cfn_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *tpl = json_loadb((const char *)data, size, 0, NULL);
    if (!json_is_object(tpl)) {
        json_decref(tpl);
        return 0;
    }
    if (!json_object_get(tpl, "Transform"))
        json_object_set_new(tpl, "Transform", json_string("AWS::Serverless-2016-10-31"));
    json_t *out = NULL;
    char msg[4096];
    if (cfn_sam_transform(tpl, "/base", &out, msg, sizeof msg) == 0) {
        if (!json_is_object(out) || (out != tpl && json_object_get(out, "Globals")))
            abort();
    } else if (strncmp(msg, "Transform AWS::Serverless-2016-10-31 failed with: ", 50) != 0) {
        abort();
    }
    json_decref(out);
    json_decref(tpl);
    return 0;
}
