/* SPDX-License-Identifier: MIT
 * Fuzz target for CloudFormation's template language (cloudformation/
 * yaml.c, template.c, check.c, params.c, intrinsic.c, fn_value.c,
 * condition.c, sub.c, cidr.c, order.c). The input is a template body, YAML
 * or JSON. A body that parses is checked; one that passes has its
 * parameters resolved from their defaults, its conditions evaluated, its
 * resources ordered, and each resource's Properties and each output
 * resolved as the engine would, every resource standing as made with a Ref
 * and an Arn. */
#include <jansson.h>
#include <stdint.h>
#include <string.h>

#include "cloudformation/cfn_int.h"

static void evaluate(const json_t *tpl)
{
    char msg[1024];
    json_t *values = NULL, *conds = NULL, *order = NULL, *made = json_object(), *exports = json_object();
    if (cfn_params_resolve(tpl, NULL, NULL, &values, msg, sizeof msg))
        goto out;
    cfn_eval_t ev = {tpl,         values,  NULL,
                     made,        exports, "000000000000",
                     "us-east-1", "fuzz",  "arn:aws:cloudformation:us-east-1:000000000000:stack/fuzz/1",
                     NULL};
    if (cfn_conditions_eval(&ev, &conds, msg, sizeof msg))
        goto out;
    ev.conditions = conds;
    if (cfn_order(tpl, conds, &order, msg, sizeof msg))
        goto out;
    size_t i;
    json_t *id;
    json_array_foreach(order, i, id) {
        const char *name = json_string_value(id);
        const json_t *r = json_object_get(json_object_get(tpl, "Resources"), name);
        json_t *deps = json_object();
        cfn_refs(tpl, r, deps);
        json_decref(deps);
        json_t *props = cfn_resolve(&ev, json_object_get(r, "Properties"), msg, sizeof msg);
        json_decref(props);
        json_object_set_new(made, name, json_pack("{s:s,s:{s:s}}", "Ref", name, "Attrs", "Arn", name));
    }
    const char *k;
    json_t *o;
    json_object_foreach(json_object_get(tpl, "Outputs"), k, o)
        json_decref(cfn_resolve(&ev, o, msg, sizeof msg));
out:
    json_decref(values);
    json_decref(conds);
    json_decref(order);
    json_decref(made);
    json_decref(exports);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char msg[1024];
    json_t *tpl = NULL;
    if (cfn_template_parse((const char *)data, size, &tpl, msg, sizeof msg) == 0) {
        if (cfn_template_check(tpl, msg, sizeof msg) == 0)
            evaluate(tpl);
        json_decref(tpl);
    }
    return 0;
}
