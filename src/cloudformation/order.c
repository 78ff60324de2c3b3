/* SPDX-License-Identifier: MIT
 * Resource order. (Placeholder: references and DependsOn, depth first.) */
#include <stdio.h>
#include <string.h>

#include "cloudformation/cfn_int.h"

void cfn_refs(const json_t *tpl, const json_t *v, json_t *deps)
{
    const json_t *res = json_object_get(tpl, "Resources");
    if (json_is_object(v)) {
        const char *r = json_string_value(json_object_get(v, "Ref"));
        if (r && json_object_get(res, r))
            json_object_set_new(deps, r, json_true());
        const char *g = json_string_value(json_array_get(json_object_get(v, "Fn::GetAtt"), 0));
        if (g && json_object_get(res, g))
            json_object_set_new(deps, g, json_true());
        const char *k;
        json_t *m;
        json_object_foreach((json_t *)v, k, m)
            cfn_refs(tpl, m, deps);
    } else if (json_is_array(v)) {
        size_t i;
        json_t *m;
        json_array_foreach(v, i, m)
            cfn_refs(tpl, m, deps);
    }
}

static int visit(const json_t *tpl, const char *id, json_t *state, json_t *order, char *msg, size_t msglen)
{
    json_t *st = json_object_get(state, id);
    if (st && json_integer_value(st) == 2)
        return 0;
    if (st) {
        snprintf(msg, msglen, "Circular dependency between resources: [%s]", id);
        return -1;
    }
    json_object_set_new(state, id, json_integer(1));
    const json_t *r = json_object_get(json_object_get(tpl, "Resources"), id);
    json_t *deps = json_object();
    cfn_refs(tpl, r, deps);
    const json_t *d = json_object_get(r, "DependsOn");
    if (json_is_string(d))
        json_object_set_new(deps, json_string_value(d), json_true());
    size_t i;
    json_t *m;
    json_array_foreach(d, i, m)
        if (json_is_string(m))
            json_object_set_new(deps, json_string_value(m), json_true());
    const char *k;
    json_t *x;
    int rc = 0;
    json_object_foreach(deps, k, x)
        if (strcmp(k, id) != 0 && (rc = visit(tpl, k, state, order, msg, msglen)) != 0)
            break;
    json_decref(deps);
    if (rc == 0) {
        json_object_set_new(state, id, json_integer(2));
        json_array_append_new(order, json_string(id));
    }
    return rc;
}

int cfn_order(const json_t *tpl, const json_t *conditions, json_t **order, char *msg, size_t msglen)
{
    (void)conditions;
    json_t *o = json_array(), *state = json_object();
    const char *k;
    json_t *r;
    int rc = 0;
    json_object_foreach(json_object_get(tpl, "Resources"), k, r)
        if ((rc = visit(tpl, k, state, o, msg, msglen)) != 0)
            break;
    json_decref(state);
    if (rc) {
        json_decref(o);
        return -1;
    }
    *order = o;
    return 0;
}
