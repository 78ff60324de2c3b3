/* SPDX-License-Identifier: MIT
 * Properties to operation inputs, with the loose typing templates have: a
 * number or boolean may arrive as JSON or as text, and each is converted to
 * the type the operation's member has; a JSON document the API carries as
 * text (an event pattern) may arrive as an object. Also the tag lists
 * CloudFormation writes as [{Key, Value}] and the tag diff of an update. */
#include "cloudformation/prov_props.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_alloc.h"

static void bad_type(cfn_op_t *op, const char *path, const char *want, const json_t *v)
{
    const char *found = json_is_string(v)    ? "String"
                        : json_is_object(v)  ? "JSONObject"
                        : json_is_array(v)   ? "JSONArray"
                        : json_is_boolean(v) ? "Boolean"
                        : json_is_null(v)    ? "null"
                                             : "Number";
    snprintf(op->msg, sizeof op->msg,
             "Properties validation failed for resource %s with message: #/%s: expected type: %s, found: %s",
             op->logical_id, path, want, found);
}

static json_t *as_int(cfn_op_t *op, const json_t *v, const char *path)
{
    if (json_is_integer(v))
        return json_integer(json_integer_value(v));
    if (json_is_real(v) && json_real_value(v) == (double)(json_int_t)json_real_value(v))
        return json_integer((json_int_t)json_real_value(v));
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        char *end;
        errno = 0;
        long long n = strtoll(s, &end, 10);
        if (*s && !*end && !errno)
            return json_integer(n);
    }
    bad_type(op, path, "Integer", v);
    return NULL;
}

static json_t *as_bool(cfn_op_t *op, const json_t *v, const char *path)
{
    if (json_is_boolean(v))
        return json_boolean(json_is_true(v));
    const char *s = json_string_value(v);
    if (s && (!strcasecmp(s, "true") || !strcasecmp(s, "false")))
        return json_boolean(!strcasecmp(s, "true"));
    bad_type(op, path, "Boolean", v);
    return NULL;
}

static json_t *as_str(cfn_op_t *op, const json_t *v, const char *path)
{
    char buf[64];
    if (json_is_string(v))
        return json_incref((json_t *)v);
    if (json_is_integer(v))
        snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v))
        snprintf(buf, sizeof buf, "%.17g", json_real_value(v));
    else if (json_is_boolean(v))
        snprintf(buf, sizeof buf, "%s", json_is_true(v) ? "true" : "false");
    else {
        bad_type(op, path, "String", v);
        return NULL;
    }
    return json_string(buf);
}

json_t *cfn_prop_as(cfn_op_t *op, const json_t *v, int type, const char *path)
{
    switch (type) {
    case CFN_P_STR: return as_str(op, v, path);
    case CFN_P_INT: return as_int(op, v, path);
    case CFN_P_BOOL: return as_bool(op, v, path);
    case CFN_P_JSON_TEXT:
        if (json_is_object(v) || json_is_array(v)) {
            char *s = json_dumps(v, JSON_COMPACT);
            json_t *t = s ? json_string(s) : NULL;
            rn_json_free(s);
            return t;
        }
        return as_str(op, v, path);
    case CFN_P_STR_LIST: {
        if (!json_is_array(v)) {
            bad_type(op, path, "JSONArray", v);
            return NULL;
        }
        json_t *list = json_array(), *e;
        size_t i;
        json_array_foreach(v, i, e) {
            json_t *s = as_str(op, e, path);
            if (!s) {
                json_decref(list);
                return NULL;
            }
            json_array_append_new(list, s);
        }
        return list;
    }
    case CFN_P_TAG_MAP:
        if (!json_is_array(v) && !json_is_object(v)) {
            bad_type(op, path, "JSONArray", v);
            return NULL;
        }
        return cfn_tags_map(v);
    default: return json_incref((json_t *)v);
    }
}

int cfn_props_map(cfn_op_t *op, const json_t *props, const cfn_prop_map_t *map, json_t *in)
{
    for (const cfn_prop_map_t *m = map; m->prop; m++) {
        json_t *v = json_object_get(props, m->prop);
        if (!v || json_is_null(v))
            continue;
        json_t *c = cfn_prop_as(op, v, m->type, m->prop);
        if (!c)
            return -1;
        json_object_set_new(in, m->member ? m->member : m->prop, c);
    }
    return 0;
}

int cfn_props_call(cfn_op_t *op, const char *service, const char *opname, const cfn_prop_map_t *map, json_t *in,
                   json_t **out)
{
    if (cfn_props_map(op, op->props, map, in) < 0) {
        json_decref(in);
        return -1;
    }
    return cfn_call(op, service, opname, in, out);
}

static int listed(const char *const *names, const char *name)
{
    for (; names && *names; names++)
        if (!strcmp(*names, name))
            return 1;
    return 0;
}

int cfn_props_fix(cfn_op_t *op, json_t *v, const char *const *ints, const char *const *bools)
{
    const char *k;
    json_t *m;
    size_t i;
    if (json_is_array(v)) {
        json_array_foreach(v, i, m)
            if (cfn_props_fix(op, m, ints, bools) < 0)
                return -1;
        return 0;
    }
    if (!json_is_object(v))
        return 0;
    json_object_foreach(v, k, m) {
        int want = listed(ints, k) ? CFN_P_INT : listed(bools, k) ? CFN_P_BOOL : -1;
        if (want >= 0 && json_is_string(m)) {
            json_t *c = cfn_prop_as(op, m, want, k);
            if (!c)
                return -1;
            json_object_set_new(v, k, c);
        } else if (cfn_props_fix(op, m, ints, bools) < 0) {
            return -1;
        }
    }
    return 0;
}

const char *cfn_prop_text(const json_t *props, const char *name, char *buf, size_t len)
{
    json_t *v = json_object_get(props, name);
    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_integer(v))
        snprintf(buf, len, "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v))
        snprintf(buf, len, "%.17g", json_real_value(v));
    else if (json_is_boolean(v))
        snprintf(buf, len, "%s", json_is_true(v) ? "true" : "false");
    else
        return NULL;
    return buf;
}

int cfn_prop_changed(const cfn_op_t *op, const char *name)
{
    json_t *a = json_object_get(op->old_props, name), *b = json_object_get(op->props, name);
    if (!a || !b)
        return a != b;
    return !json_equal(a, b);
}

json_t *cfn_tags_map(const json_t *tags)
{
    json_t *map = json_object(), *t;
    size_t i;
    char kb[64], vb[64];
    if (json_is_object(tags)) {
        const char *k;
        json_object_foreach((json_t *)tags, k, t) {
            json_t *one = json_pack("{s:O}", "v", t);
            const char *s = cfn_prop_text(one, "v", vb, sizeof vb);
            json_object_set_new(map, k, json_string(s ? s : ""));
            json_decref(one);
        }
        return map;
    }
    json_array_foreach(tags, i, t) {
        const char *k = cfn_prop_text(t, "Key", kb, sizeof kb), *v = cfn_prop_text(t, "Value", vb, sizeof vb);
        if (k)
            json_object_set_new(map, k, json_string(v ? v : ""));
    }
    return map;
}

int cfn_tags_sync(cfn_op_t *op, const char *service, const char *res_member, const char *res, const json_t *old,
                  const json_t *new, const char *tag_op, const char *tags_member, const char *untag_op,
                  const char *keys_member, int tags_as_list)
{
    json_t *gone = json_array(), *set = tags_as_list ? json_array() : json_object(), *v;
    const char *k;
    json_object_foreach((json_t *)old, k, v)
        if (!json_object_get(new, k))
            json_array_append_new(gone, json_string(k));
    json_object_foreach((json_t *)new, k, v) {
        if (json_equal(json_object_get(old, k), v))
            continue;
        if (tags_as_list)
            json_array_append_new(set, json_pack("{s:s,s:O}", "Key", k, "Value", v));
        else
            json_object_set(set, k, v);
    }
    int rc = 0;
    if (json_array_size(gone))
        rc = cfn_call(op, service, untag_op, json_pack("{s:s,s:O}", res_member, res, keys_member, gone), NULL);
    if (rc == 0 && (tags_as_list ? json_array_size(set) : json_object_size(set)))
        rc = cfn_call(op, service, tag_op, json_pack("{s:s,s:O}", res_member, res, tags_member, set), NULL);
    json_decref(gone);
    json_decref(set);
    return rc;
}

void cfn_physical_from(cfn_op_t *op, const json_t *out, const char *member, const char *attr)
{
    const char *id = json_string_value(json_object_get(out, member));
    snprintf(op->physical, sizeof op->physical, "%s", id ? id : "");
    json_decref(op->attrs);
    op->attrs = attr ? json_pack("{s:s}", attr, op->physical) : NULL;
}

void cfn_keep_physical(cfn_op_t *op)
{
    snprintf(op->physical, sizeof op->physical, "%s", op->old_physical ? op->old_physical : "");
    json_decref(op->attrs);
    op->attrs = op->old_attrs ? json_deep_copy(op->old_attrs) : NULL;
}
