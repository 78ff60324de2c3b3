/* SPDX-License-Identifier: MIT
 * libFuzzer target for SNS subscription filter policies (sns/filter.c). The
 * input is compiled as a policy in both scopes; a policy that compiles is
 * matched against fixed message attributes (every data type, a bad
 * String.Array, a Binary) and fixed bodies (an object, nested arrays, a
 * non-object, text that is not JSON). Every refusal must be an
 * InvalidParameter with SNS's message prefix (or the engine's 500 for an
 * empty anything-but list), and nothing may crash, leak or trip the
 * sanitizers. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "sns/filter.h"

static const char attrs_json[] =
    "{\"key\":{\"DataType\":\"String\",\"StringValue\":\"value\"},"
    "\"n\":{\"DataType\":\"Number\",\"StringValue\":\"3.5\"},"
    "\"a\":{\"DataType\":\"String.Array\",\"StringValue\":\"[\\\"x\\\", 5, true, null, [1], {\\\"k\\\": 1}]\"},"
    "\"bad\":{\"DataType\":\"String.Array\",\"StringValue\":\"[1,\"},"
    "\"ip\":{\"DataType\":\"String.ip\",\"StringValue\":\"10.0.0.7\"},"
    "\"b\":{\"DataType\":\"Binary\",\"BinaryValue\":\"AQID\"},"
    "\"a.b\":{\"DataType\":\"Number.x\",\"StringValue\":\"not a number\"}}";

static const char *const bodies[] = {
    "{\"key\":\"value\",\"n\":3.5,\"object\":{\"key\":\"auto-x\",\"nested\":[{\"k\":1},{\"k\":[2,3]}]},\"ip\":\"10.0.0.7\"}",
    "{\"a\":[],\"b\":null,\"c\":true,\"d\":{\"e\":{\"f\":\"g\"}}}",
    "[1,2,3]",
    "not json at all",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static json_t *attrs;
    if (!attrs)
        attrs = json_loads(attrs_json, 0, NULL);
    const char *text = (const char *)data;
    for (int scope = SNS_SCOPE_ATTRIBUTES; scope <= SNS_SCOPE_BODY; scope++) {
        char msg[8192];
        sns_filter_t *f = NULL;
        int r = sns_filter_compile(text, size, scope, &f, msg, sizeof msg);
        if (r == RN_ERR_INVALID_PARAMETER) {
            if (strncmp(msg, "Invalid parameter: ", 19) != 0)
                abort();
            sns_filter_subscribe_message(msg, sizeof msg);
            if (strncmp(msg, "Invalid parameter: Attributes Reason: ", 38) != 0)
                abort();
        } else if (r == 0) {
            if (!f || sns_filter_scope(f) != scope)
                abort();
            sns_filter_match(f, attrs, NULL, 0);
            sns_filter_match(f, NULL, NULL, 0);
            for (size_t i = 0; i < sizeof bodies / sizeof *bodies; i++)
                sns_filter_match(f, attrs, bodies[i], strlen(bodies[i]));
        } else if (r != RN_ERR_INTERNAL && r != RN_ERR_NOMEM) {
            abort();
        }
        sns_filter_free(f);
    }
    return 0;
}
