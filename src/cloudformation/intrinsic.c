/* SPDX-License-Identifier: MIT
 * Intrinsic functions. (Placeholder: Ref and Fn::GetAtt only.) */
#include <stdio.h>
#include <string.h>

#include "cloudformation/cfn_int.h"

int cfn_conditions_eval(const cfn_eval_t *ev, json_t **out, char *msg, size_t msglen)
{
    (void)ev;
    (void)msg;
    (void)msglen;
    *out = json_object();
    return 0;
}

static json_t *ref(const cfn_eval_t *ev, const char *name, char *msg, size_t msglen)
{
    if (strcmp(name, "AWS::Region") == 0)
        return json_string(ev->region);
    if (strcmp(name, "AWS::AccountId") == 0)
        return json_string(ev->account);
    if (strcmp(name, "AWS::StackName") == 0)
        return json_string(ev->stack_name);
    if (strcmp(name, "AWS::StackId") == 0)
        return json_string(ev->stack_id);
    json_t *p = json_object_get(ev->params, name);
    if (p)
        return json_incref(p);
    json_t *r = json_object_get(json_object_get(ev->resources, name), "Ref");
    if (r)
        return json_incref(r);
    snprintf(msg, msglen, "Template format error: Unresolved resource dependencies [%s] in the Resources block of the template", name);
    return NULL;
}

json_t *cfn_resolve(const cfn_eval_t *ev, const json_t *v, char *msg, size_t msglen)
{
    if (json_is_object(v)) {
        if (json_object_size(v) == 1 && json_is_string(json_object_get(v, "Ref")))
            return ref(ev, json_string_value(json_object_get(v, "Ref")), msg, msglen);
        const json_t *ga = json_object_get(v, "Fn::GetAtt");
        if (json_object_size(v) == 1 && json_is_array(ga)) {
            const char *r = json_string_value(json_array_get(ga, 0)), *a = json_string_value(json_array_get(ga, 1));
            json_t *x = json_object_get(json_object_get(json_object_get(ev->resources, r ? r : ""), "Attrs"), a ? a : "");
            if (!x) {
                snprintf(msg, msglen, "Template error: resource %s does not support attribute type %s in Fn::GetAtt", r ? r : "", a ? a : "");
                return NULL;
            }
            return json_incref(x);
        }
        json_t *o = json_object();
        const char *k;
        json_t *m;
        json_object_foreach((json_t *)v, k, m) {
            json_t *r = cfn_resolve(ev, m, msg, msglen);
            if (!r) {
                json_decref(o);
                return NULL;
            }
            json_object_set_new(o, k, r);
        }
        return o;
    }
    if (json_is_array(v)) {
        json_t *a = json_array();
        size_t i;
        json_t *m;
        json_array_foreach(v, i, m) {
            json_t *r = cfn_resolve(ev, m, msg, msglen);
            if (!r) {
                json_decref(a);
                return NULL;
            }
            json_array_append_new(a, r);
        }
        return a;
    }
    return json_deep_copy(v);
}
