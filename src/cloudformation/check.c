/* SPDX-License-Identifier: MIT
 * The checks CreateStack, UpdateStack, CreateChangeSet and ValidateTemplate
 * run on a parsed (and transformed) template before anything is made:
 * sections and their shapes, names, resource types, DependsOn targets,
 * the intrinsic functions' shapes and targets, conditions, outputs and
 * exports, and circular dependencies, each failing with AWS's text. A
 * well-formed AWS:: type Runnel has no provider for passes here: the engine
 * fails that resource, as AWS fails a resource it cannot make. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cloudformation/eval_int.h"
#include "core/buf.h"

#define CFN_MAX_RESOURCES 500 /* AWS's quota per template; ordering is quadratic in it */

typedef struct chk {
    const json_t *tpl, *resources, *params, *conditions, *mappings;
    json_t *unresolved; /* names Ref/DependsOn/Sub point at that do not exist (a set in order) */
    char *msg;
    size_t msglen;
} chk_t;

static const char *const sections[] = {"AWSTemplateFormatVersion",
                                       "Description",
                                       "Metadata",
                                       "Parameters",
                                       "Rules",
                                       "Mappings",
                                       "Conditions",
                                       "Transform",
                                       "Resources",
                                       "Outputs",
                                       "Hooks",
                                       NULL};
static const char *const resource_keys[] = {"Type",           "Properties",     "DependsOn",           "Metadata",
                                            "Condition",      "DeletionPolicy", "UpdateReplacePolicy", "UpdatePolicy",
                                            "CreationPolicy", "Version",        "Description",         NULL};
static const char *const deletion_policies[] = {"Delete", "Retain", "Snapshot", "RetainExceptOnCreate", NULL};

static int listed(const char *const *list, const char *s)
{
    for (int i = 0; list[i]; i++)
        if (strcmp(list[i], s) == 0)
            return 1;
    return 0;
}

static int fail(chk_t *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(chk_t *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->msg, c->msglen, fmt, ap);
    va_end(ap);
    return -1;
}

static int alnum(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')))
            return 0;
    return 1;
}

/* "A, B" from the keys of a set. */
static void names_of(const json_t *set, char *out, size_t outlen)
{
    rn_buf_t b = {0};
    const char *k;
    json_t *v;
    rn_buf_puts(&b, "");
    json_object_foreach((json_t *)set, k, v)
        rn_buf_printf(&b, "%s%s", b.len ? ", " : "", k);
    snprintf(out, outlen, "%s", b.oom ? "" : b.data);
    rn_buf_free(&b);
}

/* A null anywhere is refused, with its path, as AWS does. */
static int no_nulls(chk_t *c, const json_t *v, char *path, size_t used, size_t cap, int depth)
{
    if (json_is_null(v))
        return fail(c, "[%s] 'null' values are not allowed in templates", used ? path : "/");
    if (depth > 2 * CFN_MAX_DEPTH)
        return fail(c, "Template format error: the template nests deeper than %d levels", 2 * CFN_MAX_DEPTH);
    const char *k;
    json_t *m;
    size_t i;
    if (json_is_object(v)) {
        json_object_foreach((json_t *)v, k, m) {
            if (json_is_null(m) && strcmp(k, "Fn::GetAZs") == 0)
                continue; /* AWS's own templates write {"Fn::GetAZs": null}: the stack's region */
            int n = snprintf(path + used, cap - used, "/%s", k);
            size_t u = n > 0 && (size_t)n < cap - used ? used + (size_t)n : used;
            if (no_nulls(c, m, path, u, cap, depth + 1))
                return -1;
            path[used] = 0;
        }
    } else if (json_is_array(v)) {
        json_array_foreach(v, i, m) {
            int n = snprintf(path + used, cap - used, "/%zu", i);
            size_t u = n > 0 && (size_t)n < cap - used ? used + (size_t)n : used;
            if (no_nulls(c, m, path, u, cap, depth + 1))
                return -1;
            path[used] = 0;
        }
    }
    return 0;
}

/* X::Y::Z (or X::Y::Z::MODULE), or Custom::Name. */
static int type_well_formed(const char *t)
{
    if (strncmp(t, "Custom::", 8) == 0)
        return t[8] != 0;
    int parts = 0;
    const char *p = t;
    for (;;) {
        const char *sep = strstr(p, "::");
        size_t n = sep ? (size_t)(sep - p) : strlen(p);
        if (n == 0)
            return 0;
        for (size_t i = 0; i < n; i++)
            if (!((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A' && p[i] <= 'Z') || (p[i] >= '0' && p[i] <= '9')))
                return 0;
        parts++;
        if (!sep)
            break;
        p = sep + 2;
    }
    return parts == 3 || (parts == 4 && strcmp(p, "MODULE") == 0);
}

static void unresolved(chk_t *c, const char *name)
{
    json_object_set_new(c->unresolved, name, json_true());
}

/* A name Ref may point at from where the walk is (`in_conditions`: the
 * Conditions section, where resources are out of reach). */
static int ref_target(chk_t *c, const char *name, int in_conditions)
{
    if (cfn_is_pseudo(name) || json_object_get(c->params, name))
        return 0;
    if (in_conditions)
        return fail(c,
                    "Template format error: Unresolved dependencies [%s]. Cannot reference resources in the "
                    "Conditions block of the template",
                    name);
    if (!json_object_get(c->resources, name))
        unresolved(c, name);
    return 0;
}

/* An attribute the resource's provider does not give is an error now, as
 * AWS reports it before creating anything. A type without a provider, or a
 * provider that lists no attributes, is not judged here. */
static int attribute_known(chk_t *c, const char *res, const char *attr)
{
    const char *type = json_string_value(json_object_get(json_object_get(c->resources, res), "Type"));
    const cfn_provider_t *p = type ? cfn_provider(type) : NULL;
    if (!p || !p->attrs)
        return 0;
    for (const char *const *a = p->attrs; *a; a++)
        if (strcmp(*a, attr) == 0)
            return 0;
    return fail(c, "Template error: resource %s does not support attribute type %s in Fn::GetAtt", res, attr);
}

typedef struct sub_chk {
    chk_t *c;
    const json_t *map;
    int in_conditions;
} sub_chk_t;

static int sub_var(void *ctx, const char *name)
{
    sub_chk_t *s = ctx;
    if (json_object_get(s->map, name))
        return 0;
    const char *dot = strchr(name, '.');
    if (!dot || cfn_is_pseudo(name))
        return ref_target(s->c, name, s->in_conditions);
    char res[256];
    snprintf(res, sizeof res, "%.*s", (int)(dot - name), name);
    if (s->in_conditions)
        return ref_target(s->c, res, 1);
    if (!json_object_get(s->c->resources, res)) {
        unresolved(s->c, res);
        return 0;
    }
    return attribute_known(s->c, res, dot + 1);
}

static int condition_known(chk_t *c, const json_t *name, const char *fn)
{
    if (!json_is_string(name) || !json_object_get(c->conditions, json_string_value(name)))
        return fail(c, "Template error: unresolved condition dependency %s in %s",
                    json_is_string(name) ? json_string_value(name) : "", fn);
    return 0;
}

static int arity(chk_t *c, const json_t *arg, size_t lo, size_t hi, const char *text)
{
    size_t n = json_array_size(arg);
    if (!json_is_array(arg) || n < lo || n > hi)
        return fail(c, "%s", text);
    return 0;
}

static int walk(chk_t *c, const json_t *v, int in_conditions, int depth);

/* One function's shape and targets; its arguments are walked after. */
static int check_function(chk_t *c, const char *fn, const json_t *arg, int in_conditions)
{
    if (strcmp(fn, "Ref") == 0) {
        if (!json_is_string(arg))
            return fail(c, "Template error: All References must be of type string");
        return ref_target(c, json_string_value(arg), in_conditions);
    }
    if (strcmp(fn, "Fn::GetAtt") == 0) {
        const char *res = json_string_value(json_is_array(arg) ? json_array_get(arg, 0) : arg);
        char buf[256];
        if (json_is_string(arg)) {
            const char *dot = strchr(res, '.');
            snprintf(buf, sizeof buf, "%.*s", dot ? (int)(dot - res) : 0, res);
            res = dot && dot[1] ? buf : NULL;
        } else if (json_array_size(arg) != 2 || !json_array_get(arg, 1) ||
                   (json_is_string(json_array_get(arg, 1)) && !json_string_length(json_array_get(arg, 1))))
            res = NULL;
        if (!res || !*res)
            return fail(c, "%s", cfn_msg_getatt_shape);
        if (in_conditions)
            return ref_target(c, res, 1);
        if (!json_object_get(c->resources, res))
            return fail(c, "Template error: instance of Fn::GetAtt references undefined resource %s", res);
        const char *attr =
            json_is_string(arg) ? strchr(json_string_value(arg), '.') + 1 : json_string_value(json_array_get(arg, 1));
        return attr ? attribute_known(c, res, attr) : 0; /* an attribute given by a function: known later */
    }
    if (strcmp(fn, "Fn::Sub") == 0) {
        const json_t *text = json_is_array(arg) ? json_array_get(arg, 0) : arg;
        const json_t *map = json_is_array(arg) ? json_array_get(arg, 1) : NULL;
        if (!json_is_string(text) || (json_is_array(arg) && (json_array_size(arg) != 2 || !json_is_object(map))))
            return fail(c, "%s", cfn_msg_sub_shape);
        sub_chk_t s = {c, map, in_conditions};
        int rc = cfn_sub_scan(json_string_value(text), sub_var, &s);
        if (rc == -2)
            return fail(c, "%s", cfn_msg_sub_name);
        return rc;
    }
    if (strcmp(fn, "Fn::Join") == 0)
        return arity(c, arg, 2, 2, cfn_msg_join_shape);
    if (strcmp(fn, "Fn::Select") == 0)
        return arity(c, arg, 2, 2, cfn_msg_select_shape);
    if (strcmp(fn, "Fn::Split") == 0)
        return arity(c, arg, 2, 2, cfn_msg_split_shape);
    if (strcmp(fn, "Fn::Equals") == 0)
        return arity(c, arg, 2, 2, cfn_msg_equals_shape);
    if (strcmp(fn, "Fn::And") == 0 || strcmp(fn, "Fn::Or") == 0) {
        char text[160];
        snprintf(text, sizeof text,
                 "Template error: every %s object requires a list of at least 2 and at most 10 boolean parameters.",
                 fn);
        return arity(c, arg, 2, 10, text);
    }
    if (strcmp(fn, "Fn::Not") == 0)
        return arity(c, arg, 1, 1, cfn_msg_not_shape);
    if (strcmp(fn, "Fn::If") == 0) {
        if (!json_is_string(json_array_get(arg, 0)))
            return fail(c, "%s", cfn_msg_if_first);
        if (json_array_size(arg) != 3)
            return fail(c, "%s", cfn_msg_if_three);
        return condition_known(c, json_array_get(arg, 0), "Fn::If");
    }
    if (strcmp(fn, "Fn::FindInMap") == 0) {
        if (arity(c, arg, 3, 4, cfn_msg_map_shape))
            return -1;
        const char *map = json_string_value(json_array_get(arg, 0));
        if (map && !json_object_get(c->mappings, map))
            return fail(c, "Template error: Mapping named '%s' is not present in the 'Mappings' section of template",
                        map);
        return 0;
    }
    if (strcmp(fn, "Fn::Cidr") == 0)
        return arity(c, arg, 3, 3, cfn_msg_cidr_shape);
    if (strcmp(fn, "Fn::Transform") == 0)
        return fail(c, "%s", cfn_msg_transform);
    if (strcmp(fn, "Fn::GetAZs") == 0 || strcmp(fn, "Fn::Base64") == 0 || strcmp(fn, "Fn::ImportValue") == 0 ||
        strcmp(fn, "Fn::Length") == 0 || strcmp(fn, "Fn::ToJsonString") == 0)
        return 0;
    return fail(c, "Template format error: Encountered unsupported function: %s Supported functions are: %s", fn,
                cfn_supported_functions);
}

static int walk(chk_t *c, const json_t *v, int in_conditions, int depth)
{
    const char *k;
    json_t *m;
    size_t i;
    if (depth > 2 * CFN_MAX_DEPTH)
        return fail(c, "Template format error: the template nests deeper than %d levels", 2 * CFN_MAX_DEPTH);
    if (json_is_object(v) && json_object_size(v) == 1) {
        k = json_object_iter_key(json_object_iter((json_t *)v));
        m = json_object_iter_value(json_object_iter((json_t *)v));
        if ((strcmp(k, "Ref") == 0 || strncmp(k, "Fn::", 4) == 0) && check_function(c, k, m, in_conditions))
            return -1;
        if (strcmp(k, "Condition") == 0 && in_conditions && condition_known(c, m, "Condition"))
            return -1;
    }
    if (json_is_object(v)) {
        json_object_foreach((json_t *)v, k, m)
            if (walk(c, m, in_conditions, depth + 1))
                return -1;
    } else if (json_is_array(v)) {
        json_array_foreach(v, i, m)
            if (walk(c, m, in_conditions, depth + 1))
                return -1;
    }
    return 0;
}

/* Reports what the walk of one block left unresolved. */
static int report_unresolved(chk_t *c, const char *block)
{
    if (!json_object_size(c->unresolved))
        return 0;
    char names[800];
    names_of(c->unresolved, names, sizeof names);
    return fail(c, "Template format error: Unresolved resource dependencies [%s] in the %s block of the template",
                names, block);
}

static int check_sections(chk_t *c)
{
    json_t *bad = json_object(), *m;
    const char *k;
    json_object_foreach((json_t *)c->tpl, k, m)
        if (!listed(sections, k))
            json_object_set_new(bad, k, json_true());
    char names[800];
    names_of(bad, names, sizeof names);
    size_t nbad = json_object_size(bad);
    json_decref(bad);
    if (nbad)
        return fail(c, "Template format error: Invalid template property or properties [%s]", names);
    const json_t *ver = json_object_get(c->tpl, "AWSTemplateFormatVersion");
    if (ver && (!json_is_string(ver) || strcmp(json_string_value(ver), "2010-09-09") != 0))
        return fail(c, "Template format error: Unsupported AWSTemplateFormatVersion value %s",
                    json_is_string(ver) ? json_string_value(ver) : "(not a string)");
    static const char *const maps[] = {"Parameters", "Mappings", "Conditions", "Resources", "Outputs", NULL};
    for (int i = 0; maps[i]; i++) {
        const json_t *s = json_object_get(c->tpl, maps[i]);
        if (s && !json_is_object(s))
            return fail(c, "Template format error: The %s section must be an object.", maps[i]);
    }
    if (json_object_get(c->tpl, "Description") && !json_is_string(json_object_get(c->tpl, "Description")))
        return fail(c, "Template format error: Every Description member must be a string.");
    return 0;
}

static int check_parameters(chk_t *c)
{
    const char *k;
    json_t *p;
    json_object_foreach((json_t *)c->params, k, p) {
        if (!alnum(k))
            return fail(c, "Template format error: Parameter name %s is non alphanumeric.", k);
        const char *type = json_string_value(json_object_get(p, "Type"));
        if (!json_is_object(p) || !type)
            return fail(c, "Template format error: Every Parameters object must contain a Type member.");
        if (!(strcmp(type, "String") == 0 || strcmp(type, "Number") == 0 || strcmp(type, "List<Number>") == 0 ||
              strcmp(type, "CommaDelimitedList") == 0 || strncmp(type, "AWS::", 5) == 0 ||
              strncmp(type, "List<AWS::", 10) == 0))
            return fail(c, "Template format error: Unrecognized parameter type: %s", type);
    }
    return 0;
}

static int check_mappings(chk_t *c)
{
    const char *k, *k2, *k3;
    json_t *m, *m2, *m3;
    json_object_foreach((json_t *)c->mappings, k, m) {
        if (!json_is_object(m))
            return fail(c, "Template format error: Every Mappings member %s must be a map", k);
        json_object_foreach(m, k2, m2) {
            if (!json_is_object(m2))
                return fail(c, "Template format error: Every Mappings member %s must be a map", k2);
            json_object_foreach(m2, k3, m3)
                if (json_is_object(m3))
                    return fail(c, "Template format error: Every Mappings attribute must be a String or a List.");
        }
    }
    return 0;
}

/* A resource's or output's Condition must name a condition. */
static int block_condition(chk_t *c, const json_t *member, const char *block)
{
    const json_t *cond = json_object_get(member, "Condition");
    if (cond && (!json_is_string(cond) || !json_object_get(c->conditions, json_string_value(cond))))
        return fail(c, "Template format error: Unresolved condition dependency %s in the %s block of the template",
                    json_is_string(cond) ? json_string_value(cond) : "(not a string)", block);
    return 0;
}

static int check_resource(chk_t *c, const char *id, const json_t *r, json_t *bad_types)
{
    const char *k;
    json_t *m;
    if (!alnum(id))
        return fail(c, "Template format error: Resource name %s is non alphanumeric.", id);
    if (!json_is_object(r))
        return fail(c, "Template format error: Any Resources member must be an object.");
    const json_t *type = json_object_get(r, "Type");
    if (!type)
        return fail(c, "Template format error: [/Resources/%s] Every Resources object must contain a Type member.", id);
    json_object_foreach((json_t *)r, k, m)
        if (!listed(resource_keys, k))
            return fail(c, "Invalid template resource property '%s'", k);
    if (!json_is_string(type) || !type_well_formed(json_string_value(type)))
        json_object_set_new(bad_types, json_is_string(type) ? json_string_value(type) : "(not a string)", json_true());
    const json_t *props = json_object_get(r, "Properties");
    if (props && !json_is_object(props))
        return fail(c, "Template format error: [/Resources/%s/Properties] Every Properties member must be an object.",
                    id);
    if (block_condition(c, r, "Resources"))
        return -1;
    const json_t *pol = json_object_get(r, "DeletionPolicy");
    if (pol && !(json_is_string(pol) && listed(deletion_policies, json_string_value(pol))))
        return fail(c, "Template format error: Unrecognized DeletionPolicy %s for resource %s",
                    json_is_string(pol) ? json_string_value(pol) : "(not a string)", id);
    const json_t *dep = json_object_get(r, "DependsOn");
    size_t i;
    if (dep && !json_is_string(dep) && !json_is_array(dep))
        return fail(c, "Template format error: DependsOn must be a string or list of strings.");
    if (json_is_string(dep) && !json_object_get(c->resources, json_string_value(dep)))
        unresolved(c, json_string_value(dep));
    json_array_foreach(dep, i, m) {
        if (!json_is_string(m))
            return fail(c, "Template format error: DependsOn must be a string or list of strings.");
        if (!json_object_get(c->resources, json_string_value(m)))
            unresolved(c, json_string_value(m));
    }
    json_object_foreach((json_t *)r, k, m)
        if (strcmp(k, "DependsOn") != 0 && strcmp(k, "Type") != 0 && strcmp(k, "Condition") != 0 && walk(c, m, 0, 0))
            return -1;
    return 0;
}

static int check_resources(chk_t *c)
{
    if (!json_is_object(c->resources) || !json_object_size(c->resources))
        return fail(c, "Template format error: At least one Resources member must be defined.");
    if (json_object_size(c->resources) > CFN_MAX_RESOURCES)
        return fail(c, "Template format error: Number of resources, %zu, is greater than maximum allowed, %d",
                    json_object_size(c->resources), CFN_MAX_RESOURCES);
    json_t *bad_types = json_object();
    const char *k;
    json_t *r;
    int rc = 0;
    json_object_foreach((json_t *)c->resources, k, r)
        if ((rc = check_resource(c, k, r, bad_types)) != 0)
            break;
    if (rc == 0 && json_object_size(bad_types)) {
        char names[800];
        names_of(bad_types, names, sizeof names);
        rc = fail(c, "Template format error: Unrecognized resource types: [%s]", names);
    }
    json_decref(bad_types);
    return rc ? rc : report_unresolved(c, "Resources");
}

static int export_name_ok(const json_t *name)
{
    if (!name)
        return 0;
    if (!json_is_string(name))
        return 1; /* a function: its value is checked when it is known */
    const char *s = json_string_value(name);
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == ':' ||
              *s == '-'))
            return 0;
    return 1;
}

static int check_outputs(chk_t *c)
{
    const char *k;
    json_t *o;
    json_object_clear(c->unresolved);
    json_object_foreach(json_object_get(c->tpl, "Outputs"), k, o) {
        if (!json_is_object(o) || !json_object_get(o, "Value"))
            return fail(c, "Template format error: Every Outputs member must contain a Value object");
        const json_t *exp = json_object_get(o, "Export");
        if (exp && !export_name_ok(json_object_get(exp, "Name")))
            return fail(c,
                        "Template format error: Output %s is malformed. The Name field of every Export member "
                        "must be specified and consist only of alphanumeric characters, colons, or hyphens.",
                        k);
        if (block_condition(c, o, "Outputs"))
            return -1;
        if (walk(c, json_object_get(o, "Value"), 0, 0) || (exp && walk(c, exp, 0, 0)))
            return -1;
    }
    return report_unresolved(c, "Outputs");
}

int cfn_template_check(const json_t *tpl, char *msg, size_t msglen)
{
    char path[512] = "";
    chk_t c = {tpl,
               json_object_get(tpl, "Resources"),
               json_object_get(tpl, "Parameters"),
               json_object_get(tpl, "Conditions"),
               json_object_get(tpl, "Mappings"),
               json_object(),
               msg,
               msglen};
    int rc = -1;
    if (!json_is_object(tpl)) {
        fail(&c, "Template format error: unsupported structure.");
        goto out;
    }
    if (no_nulls(&c, tpl, path, 0, sizeof path, 0) || check_sections(&c) || check_parameters(&c) || check_mappings(&c))
        goto out;
    const char *k;
    json_t *def;
    json_object_foreach((json_t *)c.conditions, k, def)
        if (walk(&c, def, 1, 0))
            goto out;
    if (check_resources(&c) || check_outputs(&c))
        goto out;
    json_t *order = NULL;
    if (cfn_order(tpl, NULL, &order, msg, msglen))
        goto out;
    json_decref(order);
    rc = 0;
out:
    json_decref(c.unresolved);
    return rc;
}
