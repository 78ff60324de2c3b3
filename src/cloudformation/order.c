/* SPDX-License-Identifier: MIT
 * The order resources are made in: a resource comes after everything it
 * refers to (Ref, Fn::GetAtt, Fn::Sub's ${X} and ${X.Attr}) and everything
 * its DependsOn names; among resources that are free to go, template order
 * decides, so the same template always deploys the same way. Resources
 * whose Condition is false are left out. What cannot be ordered is a cycle,
 * reported with AWS's text naming the resources on it. */
#include <stdio.h>
#include <string.h>

#include "cloudformation/tmpl_int.h"
#include "core/mem.h"

typedef struct sub_refs {
    const json_t *resources;
    const json_t *map; /* Fn::Sub's own variables, which are not references */
    json_t *deps;
} sub_refs_t;

static void add_if_resource(const json_t *resources, const char *name, size_t n, json_t *deps)
{
    char id[256];
    if (n >= sizeof id)
        return;
    memcpy(id, name, n);
    id[n] = 0;
    if (json_object_get(resources, id))
        json_object_set_new(deps, id, json_true());
}

static int sub_var(void *ctx, const char *name)
{
    sub_refs_t *s = ctx;
    if (json_object_get(s->map, name))
        return 0;
    const char *dot = strchr(name, '.');
    add_if_resource(s->resources, name, dot ? (size_t)(dot - name) : strlen(name), s->deps);
    return 0;
}

/* `conds` (may be NULL): the evaluated conditions; a branch of Fn::If that
 * is not taken refers to nothing. */
static void refs(const json_t *resources, const json_t *conds, const json_t *v, json_t *deps, int depth)
{
    if (depth > 2 * CFN_MAX_DEPTH)
        return;
    const json_t *fn_if = json_object_size(v) == 1 ? json_object_get(v, "Fn::If") : NULL;
    const json_t *taken = json_object_get(conds, json_string_value(json_array_get(fn_if, 0)));
    if (json_array_size(fn_if) == 3 && json_is_boolean(taken)) {
        refs(resources, conds, json_array_get(fn_if, json_is_true(taken) ? 1 : 2), deps, depth + 1);
        return;
    }
    if (json_is_object(v) && json_object_size(v) == 1) {
        const json_t *r = json_object_get(v, "Ref"), *g = json_object_get(v, "Fn::GetAtt"),
                     *s = json_object_get(v, "Fn::Sub");
        if (json_is_string(r))
            add_if_resource(resources, json_string_value(r), json_string_length(r), deps);
        const char *gs = json_string_value(json_is_array(g) ? json_array_get(g, 0) : g);
        if (gs) {
            const char *dot = json_is_string(g) ? strchr(gs, '.') : NULL;
            add_if_resource(resources, gs, dot ? (size_t)(dot - gs) : strlen(gs), deps);
        }
        const char *text = json_string_value(json_is_array(s) ? json_array_get(s, 0) : s);
        if (text) {
            sub_refs_t ctx = {resources, json_is_array(s) ? json_array_get(s, 1) : NULL, deps};
            cfn_sub_scan(text, sub_var, &ctx);
        }
    }
    const char *k;
    json_t *m;
    size_t i;
    if (json_is_object(v))
        json_object_foreach((json_t *)v, k, m)
            refs(resources, conds, m, deps, depth + 1);
    else if (json_is_array(v))
        json_array_foreach(v, i, m)
            refs(resources, conds, m, deps, depth + 1);
}

void cfn_refs(const json_t *tpl, const json_t *v, json_t *deps)
{
    refs(json_object_get(tpl, "Resources"), NULL, v, deps, 0);
}

/* Everything resource `r` must wait for: its references (in the branches
 * the conditions take) and DependsOn. */
static json_t *needs(const json_t *tpl, const json_t *conds, const json_t *r)
{
    json_t *deps = json_object();
    const json_t *resources = json_object_get(tpl, "Resources");
    const json_t *d = json_object_get(r, "DependsOn");
    const char *k;
    json_t *m;
    json_object_foreach((json_t *)r, k, m)
        if (strcmp(k, "DependsOn") != 0)
            refs(resources, conds, m, deps, 0);
    if (json_is_string(d))
        add_if_resource(resources, json_string_value(d), json_string_length(d), deps);
    size_t i;
    json_array_foreach(d, i, m)
        if (json_is_string(m))
            add_if_resource(resources, json_string_value(m), json_string_length(m), deps);
    return deps;
}

static int included(const json_t *r, const json_t *conditions)
{
    const char *c = json_string_value(json_object_get(r, "Condition"));
    return !c || !conditions || json_is_true(json_object_get(conditions, c));
}

/* The resources left once ordering stalls, less those nothing left waits
 * for (they only wait on a cycle, they are not on one). */
static void cycle_text(json_t *left, char *msg, size_t msglen)
{
    int pruned = 1;
    while (pruned) {
        pruned = 0;
        const char *k;
        json_t *deps;
        void *tmp;
        json_object_foreach_safe(left, tmp, k, deps)
        {
            const char *k2;
            json_t *d2;
            int needed = 0;
            json_object_foreach(left, k2, d2)
                needed = needed || json_object_get(d2, k);
            if (!needed) {
                json_object_del(left, k);
                pruned = 1;
            }
        }
    }
    size_t used = (size_t)snprintf(msg, msglen, "Circular dependency between resources: [");
    const char *k;
    json_t *deps;
    int first = 1;
    json_object_foreach(left, k, deps) {
        if (used < msglen)
            used += (size_t)snprintf(msg + used, msglen - used, "%s%s", first ? "" : ", ", k);
        first = 0;
    }
    if (used < msglen)
        snprintf(msg + used, msglen - used, "]");
}

/* "A, B" of the resources `deps` names that are not made (not in `made`),
 * or "" when every one is. */
static void missing(const json_t *deps, const json_t *made, char *out, size_t outlen)
{
    size_t used = 0;
    const char *k;
    json_t *x;
    out[0] = 0;
    json_object_foreach((json_t *)deps, k, x) {
        if (json_object_get(made, k))
            continue;
        int n = snprintf(out + used, outlen - used, "%s%s", used ? ", " : "", k);
        if (n < 0 || (size_t)n >= outlen - used)
            break;
        used += (size_t)n;
    }
}

/* A resource or output that is kept, yet refers (outside the branches of
 * Fn::If its conditions skip) to a resource whose Condition is false: AWS
 * refuses the stack before making anything. */
static int refs_left_out(const json_t *tpl, const json_t *conds, const json_t *left, char *msg, size_t msglen)
{
    char names[600];
    const char *k;
    json_t *r;
    if (!conds)
        return 0;
    json_object_foreach((json_t *)left, k, r) {
        const json_t *def = json_object_get(json_object_get(tpl, "Resources"), k);
        json_t *deps = json_object();
        const char *m;
        json_t *v;
        json_object_foreach((json_t *)def, m, v)
            if (strcmp(m, "DependsOn") != 0)
                refs(json_object_get(tpl, "Resources"), conds, v, deps, 0);
        missing(deps, left, names, sizeof names);
        json_decref(deps);
        if (names[0]) {
            snprintf(msg, msglen,
                     "Template format error: Unresolved resource dependencies [%s] in the Resources "
                     "block of the template",
                     names);
            return -1;
        }
    }
    json_object_foreach(json_object_get(tpl, "Outputs"), k, r) {
        if (!included(r, conds))
            continue;
        json_t *deps = json_object();
        refs(json_object_get(tpl, "Resources"), conds, r, deps, 0);
        missing(deps, left, names, sizeof names);
        json_decref(deps);
        if (names[0]) {
            snprintf(msg, msglen, "Unresolved resource dependencies [%s] in the Outputs block of the template", names);
            return -1;
        }
    }
    return 0;
}

int cfn_order(const json_t *tpl, const json_t *conditions, json_t **order, char *msg, size_t msglen)
{
    json_t *left = json_object(), *done = json_object(), *out = json_array();
    const char *k;
    json_t *r;
    *order = NULL;
    json_object_foreach(json_object_get(tpl, "Resources"), k, r)
        if (included(r, conditions))
            json_object_set_new(left, k, needs(tpl, conditions, r));
    if (refs_left_out(tpl, conditions, left, msg, msglen)) {
        json_decref(left);
        json_decref(done);
        json_decref(out);
        return -1;
    }
    /* a DependsOn naming a resource that is left out holds nobody back */
    json_object_foreach(left, k, r) {
        const char *d;
        json_t *x;
        void *tmp;
        json_object_foreach_safe(r, tmp, d, x) if (!json_object_get(left, d)) json_object_del(r, d);
    }
    while (json_object_size(left)) {
        const char *ready = NULL;
        json_object_foreach(left, k, r) {
            const char *d;
            json_t *x;
            int waiting = 0;
            json_object_foreach(r, d, x)
                waiting = waiting || !json_object_get(done, d);
            if (!waiting) {
                ready = k;
                break;
            }
        }
        if (!ready) {
            cycle_text(left, msg, msglen);
            json_decref(left);
            json_decref(done);
            json_decref(out);
            return -1;
        }
        json_array_append_new(out, json_string(ready));
        json_object_set_new(done, ready, json_true());
        json_object_del(left, ready);
    }
    json_decref(left);
    json_decref(done);
    *order = out;
    return 0;
}
