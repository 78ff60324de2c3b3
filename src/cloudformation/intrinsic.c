/* SPDX-License-Identifier: MIT
 * Evaluating a template value: the walk that copies objects and arrays and
 * finds the intrinsic functions (an object with one member named Ref,
 * Condition or Fn::*), the pseudo parameters, Ref, Fn::GetAtt and Fn::Sub.
 * The value functions live in fn_value.c, the deciding ones in condition.c.
 * Ref AWS::NoValue travels up the walk as CFN_NOVALUE until an object or
 * array drops it, which is how Fn::If with AWS::NoValue removes a property. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cloudformation/eval_int.h"

char cfn_novalue_tag;

json_t *cfn_eval_fail(cfn_rctx_t *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->msg, c->msglen, fmt, ap);
    va_end(ap);
    return NULL;
}

static int is_list_type(const char *type)
{
    return type && (strcmp(type, "CommaDelimitedList") == 0 || strncmp(type, "List<", 5) == 0 ||
                    strstr(type, "<List<") != NULL);
}

/* A parameter's value as Ref gives it: list types as an array. */
static json_t *param_value(const cfn_rctx_t *c, const char *name, const json_t *v)
{
    const char *type =
        json_string_value(json_object_get(json_object_get(json_object_get(c->ev->tpl, "Parameters"), name), "Type"));
    if (!is_list_type(type) || !json_is_string(v))
        return json_incref((json_t *)v);
    json_t *a = json_array();
    const char *s = json_string_value(v);
    if (!*s)
        return a;
    for (;;) {
        const char *comma = strchr(s, ',');
        size_t n = comma ? (size_t)(comma - s) : strlen(s);
        json_array_append_new(a, json_stringn(s, n));
        if (!comma)
            break;
        s = comma + 1;
    }
    return a;
}

static json_t *pseudo(cfn_rctx_t *c, const char *name)
{
    const cfn_eval_t *ev = c->ev;
    if (strcmp(name, "AWS::NoValue") == 0)
        return CFN_NOVALUE;
    if (strcmp(name, "AWS::AccountId") == 0)
        return json_string(ev->account ? ev->account : "");
    if (strcmp(name, "AWS::Region") == 0)
        return json_string(ev->region ? ev->region : "");
    if (strcmp(name, "AWS::StackName") == 0)
        return json_string(ev->stack_name ? ev->stack_name : "");
    if (strcmp(name, "AWS::StackId") == 0)
        return json_string(ev->stack_id ? ev->stack_id : "");
    if (strcmp(name, "AWS::Partition") == 0)
        return json_string("aws");
    if (strcmp(name, "AWS::URLSuffix") == 0)
        return json_string("amazonaws.com");
    json_t *a = json_array(); /* AWS::NotificationARNs */
    for (int i = 0; ev->notification_arns && ev->notification_arns[i]; i++)
        json_array_append_new(a, json_string(ev->notification_arns[i]));
    return a;
}

static json_t *unresolved(cfn_rctx_t *c, const char *name)
{
    if (c->conds)
        return cfn_eval_fail(c,
                             "Template format error: Unresolved dependencies [%s]. Cannot reference resources in "
                             "the Conditions block of the template",
                             name);
    return cfn_eval_fail(
        c, "Template format error: Unresolved resource dependencies [%s] in the Resources block of the template", name);
}

/* Ref of a name: a pseudo parameter, a parameter or a resource made so far. */
static json_t *ref_name(cfn_rctx_t *c, const char *name)
{
    if (cfn_is_pseudo(name))
        return pseudo(c, name);
    json_t *p = json_object_get(c->ev->params, name);
    if (p)
        return param_value(c, name, p);
    json_t *r = c->conds ? NULL : json_object_get(json_object_get(c->ev->resources, name), "Ref");
    if (r)
        return json_incref(r);
    return unresolved(c, name);
}

static json_t *fn_ref(cfn_rctx_t *c, const json_t *arg)
{
    if (!json_is_string(arg))
        return cfn_eval_fail(c, "Template error: All References must be of type string");
    return ref_name(c, json_string_value(arg));
}

static json_t *get_att(cfn_rctx_t *c, const char *res, const char *attr)
{
    if (c->conds)
        return unresolved(c, res);
    json_t *r = json_object_get(c->ev->resources, res);
    if (!r) {
        if (json_object_get(json_object_get(c->ev->tpl, "Resources"), res))
            return unresolved(c, res); /* its Condition is false, or it is not made yet */
        return cfn_eval_fail(c, "Template error: instance of Fn::GetAtt references undefined resource %s", res);
    }
    json_t *v = json_object_get(json_object_get(r, "Attrs"), attr);
    if (!v)
        return cfn_eval_fail(c, "Template error: resource %s does not support attribute type %s in Fn::GetAtt", res,
                             attr);
    return json_incref(v);
}

static json_t *fn_get_att(cfn_rctx_t *c, const json_t *arg)
{
    if (json_is_string(arg)) { /* "Res.Attr", as some JSON templates write it */
        const char *s = json_string_value(arg), *dot = strchr(s, '.');
        if (!dot || dot == s || !dot[1])
            return cfn_eval_fail(c, "%s", cfn_msg_getatt_shape);
        char res[256];
        snprintf(res, sizeof res, "%.*s", (int)(dot - s), s);
        return get_att(c, res, dot + 1);
    }
    const char *res = json_string_value(json_array_get(arg, 0));
    if (!json_is_array(arg) || json_array_size(arg) != 2 || !res || !*res)
        return cfn_eval_fail(c, "%s", cfn_msg_getatt_shape);
    json_t *attr = cfn_eval_string(c, json_array_get(arg, 1), cfn_msg_getatt_shape);
    if (!attr)
        return NULL;
    json_t *v = json_string_length(attr) ? get_att(c, res, json_string_value(attr))
                                         : cfn_eval_fail(c, "%s", cfn_msg_getatt_shape);
    json_decref(attr);
    return v;
}

/* A ${Name} of Fn::Sub that its own map does not give. */
static json_t *sub_lookup(void *ctx, const char *name, char *msg, size_t msglen)
{
    cfn_rctx_t *c = ctx;
    (void)msg;
    (void)msglen;
    const char *dot = strchr(name, '.');
    if (!dot || cfn_is_pseudo(name)) {
        json_t *v = ref_name(c, name);
        if (v == CFN_NOVALUE) /* text has no place for "no value" */
            return cfn_eval_fail(c, "Template error: variable %s in Fn::Sub expression does not resolve to a string",
                                 name);
        return v;
    }
    char res[256];
    snprintf(res, sizeof res, "%.*s", (int)(dot - name), name);
    return get_att(c, res, dot + 1);
}

static json_t *fn_sub(cfn_rctx_t *c, const json_t *arg)
{
    const json_t *text = arg, *map = NULL;
    if (json_is_array(arg)) {
        text = json_array_get(arg, 0);
        map = json_array_get(arg, 1);
        if (json_array_size(arg) != 2 || !json_is_object(map))
            text = NULL;
    }
    if (!json_is_string(text))
        return cfn_eval_fail(c, "%s", cfn_msg_sub_shape);
    json_t *vars = map ? cfn_eval_value(c, map) : NULL;
    if (map && !vars)
        return NULL;
    json_t *out =
        cfn_sub_expand(json_string_value(text), vars == CFN_NOVALUE ? NULL : vars, sub_lookup, c, c->msg, c->msglen);
    if (vars != CFN_NOVALUE)
        json_decref(vars);
    return out;
}

static json_t *fn_transform(cfn_rctx_t *c, const json_t *arg)
{
    (void)arg;
    return cfn_eval_fail(c, "%s", cfn_msg_transform);
}

static const struct {
    const char *name;
    cfn_fn_t fn;
} functions[] = {
    {"Ref", fn_ref},
    {"Fn::GetAtt", fn_get_att},
    {"Fn::Sub", fn_sub},
    {"Fn::Join", cfn_fn_join},
    {"Fn::Select", cfn_fn_select},
    {"Fn::Split", cfn_fn_split},
    {"Fn::FindInMap", cfn_fn_find_in_map},
    {"Fn::GetAZs", cfn_fn_get_azs},
    {"Fn::Base64", cfn_fn_base64},
    {"Fn::ImportValue", cfn_fn_import_value},
    {"Fn::Cidr", cfn_fn_cidr},
    {"Fn::Length", cfn_fn_length},
    {"Fn::ToJsonString", cfn_fn_to_json_string},
    {"Fn::If", cfn_fn_if},
    {"Fn::Equals", cfn_fn_equals},
    {"Fn::And", cfn_fn_and},
    {"Fn::Or", cfn_fn_or},
    {"Fn::Not", cfn_fn_not},
    {"Fn::Transform", fn_transform},
};

static json_t *call(cfn_rctx_t *c, const char *name, const json_t *arg)
{
    for (size_t i = 0; i < sizeof functions / sizeof functions[0]; i++)
        if (strcmp(functions[i].name, name) == 0)
            return functions[i].fn(c, arg);
    return cfn_eval_fail(c, "Template format error: Encountered unsupported function: %s Supported functions are: %s",
                         name, cfn_supported_functions);
}

static json_t *walk_object(cfn_rctx_t *c, const json_t *v)
{
    json_t *o = json_object();
    const char *k;
    json_t *m;
    json_object_foreach((json_t *)v, k, m) {
        json_t *r = cfn_eval_value(c, m);
        if (!r) {
            json_decref(o);
            return NULL;
        }
        if (r != CFN_NOVALUE)
            json_object_set_new(o, k, r);
    }
    return o;
}

static json_t *walk_array(cfn_rctx_t *c, const json_t *v)
{
    json_t *a = json_array();
    size_t i;
    json_t *m;
    json_array_foreach(v, i, m) {
        json_t *r = cfn_eval_value(c, m);
        if (!r) {
            json_decref(a);
            return NULL;
        }
        if (r != CFN_NOVALUE)
            json_array_append_new(a, r);
    }
    return a;
}

json_t *cfn_eval_value(cfn_rctx_t *c, const json_t *v)
{
    if (c->depth >= 2 * CFN_MAX_DEPTH)
        return cfn_eval_fail(c, "Template error: the template nests deeper than %d levels", 2 * CFN_MAX_DEPTH);
    c->depth++;
    json_t *r;
    const char *k =
        json_is_object(v) && json_object_size(v) == 1 ? json_object_iter_key(json_object_iter((json_t *)v)) : NULL;
    if (k && (strcmp(k, "Ref") == 0 || strncmp(k, "Fn::", 4) == 0))
        r = call(c, k, json_object_iter_value(json_object_iter((json_t *)v)));
    else if (k && strcmp(k, "Condition") == 0 && json_is_string(json_object_get(v, k)))
        r = cfn_fn_condition(c, json_object_get(v, k));
    else if (json_is_object(v))
        r = walk_object(c, v);
    else if (json_is_array(v))
        r = walk_array(c, v);
    else
        r = json_incref((json_t *)v);
    c->depth--;
    return r;
}

json_t *cfn_eval_string(cfn_rctx_t *c, const json_t *v, const char *what)
{
    json_t *r = cfn_eval_value(c, v);
    if (!r)
        return NULL;
    json_t *s = r == CFN_NOVALUE ? NULL : cfn_scalar_string(r);
    if (r != CFN_NOVALUE)
        json_decref(r);
    if (!s)
        return cfn_eval_fail(c, "%s", what);
    return s;
}

/* An absent value (a resource without Properties) and a whole value that
 * is AWS::NoValue (Properties: !If [C, {...}, !Ref AWS::NoValue]) resolve to
 * {}, what providers expect for "no properties". */
json_t *cfn_resolve(const cfn_eval_t *ev, const json_t *v, char *msg, size_t msglen)
{
    if (!v)
        return json_object();
    cfn_rctx_t c = {ev, NULL, NULL, msg, msglen, 0};
    json_t *r = cfn_eval_value(&c, v);
    return r == CFN_NOVALUE ? json_object() : r;
}
