/* SPDX-License-Identifier: MIT
 * Reading template property values loosely typed, as CloudFormation's
 * resource handlers do: "300" and 300, "true" and true are the same value;
 * a policy is an object or its JSON text. The providers (prov_*.c) turn
 * properties into other services' inputs with these. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cloudformation/cfn_int.h"
#include "cloudformation/prov_int.h"
#include "core/json_alloc.h"

const char *cfn_str(const json_t *v, char *buf, size_t len)
{
    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_integer(v)) {
        snprintf(buf, len, "%lld", (long long)json_integer_value(v));
        return buf;
    }
    if (json_is_real(v)) {
        double x = json_real_value(v);
        if (x == floor(x) && fabs(x) < 9e15)
            snprintf(buf, len, "%lld", (long long)x);
        else
            snprintf(buf, len, "%.17g", x);
        return buf;
    }
    if (json_is_boolean(v)) {
        snprintf(buf, len, "%s", json_is_true(v) ? "true" : "false");
        return buf;
    }
    return NULL;
}

int cfn_int(const json_t *v, long long *out)
{
    if (json_is_integer(v)) {
        *out = json_integer_value(v);
        return 0;
    }
    double x;
    if (json_is_real(v)) {
        x = json_real_value(v);
    } else if (json_is_string(v)) {
        const char *s = json_string_value(v);
        char *end;
        if (!*s || isspace((unsigned char)*s))
            return -1;
        x = strtod(s, &end);
        if (*end)
            return -1;
    } else {
        return -1;
    }
    if (!isfinite(x) || x != floor(x) || fabs(x) > 9e15)
        return -1;
    *out = (long long)x;
    return 0;
}

int cfn_bool(const json_t *v, int *out)
{
    if (json_is_boolean(v)) {
        *out = json_is_true(v);
        return 0;
    }
    const char *s = json_string_value(v);
    if (s && (!strcasecmp(s, "true") || !strcasecmp(s, "false"))) {
        *out = !strcasecmp(s, "true");
        return 0;
    }
    return -1;
}

int cfn_is_true(const json_t *v)
{
    int b = 0;
    return cfn_bool(v, &b) == 0 && b;
}

json_t *cfn_text(const json_t *v)
{
    char buf[64];
    const char *s = cfn_str(v, buf, sizeof buf);
    if (s)
        return json_string(s);
    if (!json_is_object(v) && !json_is_array(v))
        return NULL;
    char *text = json_dumps(v, JSON_COMPACT);
    json_t *out = text ? json_string(text) : NULL;
    rn_json_free(text);
    return out;
}

int cfn_set_text(json_t *obj, const char *name, const json_t *v)
{
    if (!v || json_is_null(v))
        return 0;
    json_t *t = cfn_text(v);
    return t ? json_object_set_new(obj, name, t) : -1;
}

int cfn_listed(const char *const *names, const char *name)
{
    for (; names && *names; names++)
        if (!strcmp(*names, name))
            return 1;
    return 0;
}

json_t *cfn_typed(const json_t *v, const char *const *ints, const char *const *bools)
{
    if (!v)
        return NULL;
    if (json_is_array(v)) {
        json_t *out = json_array();
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e)
            json_array_append_new(out, cfn_typed(e, ints, bools));
        return out;
    }
    if (!json_is_object(v))
        return json_deep_copy(v);
    json_t *out = json_object();
    const char *k;
    json_t *e;
    json_object_foreach((json_t *)v, k, e) {
        long long n;
        int b;
        if (cfn_listed(ints, k) && cfn_int(e, &n) == 0)
            json_object_set_new(out, k, json_integer(n));
        else if (cfn_listed(bools, k) && cfn_bool(e, &b) == 0)
            json_object_set_new(out, k, json_boolean(b));
        else
            json_object_set_new(out, k, cfn_typed(e, ints, bools));
    }
    return out;
}

json_t *cfn_tags_map(const json_t *tags)
{
    json_t *out = json_object();
    size_t i;
    json_t *t;
    json_array_foreach(tags, i, t) {
        const char *k = json_string_value(json_object_get(t, "Key"));
        json_t *val = cfn_text(json_object_get(t, "Value"));
        if (k)
            json_object_set_new(out, k, val ? val : json_string(""));
        else
            json_decref(val);
    }
    return out;
}

json_t *cfn_tags_list(const json_t *tags)
{
    json_t *out = json_array();
    json_t *m = cfn_tags_map(tags);
    const char *k;
    json_t *v;
    json_object_foreach(m, k, v)
        json_array_append_new(out, json_pack("{s:s,s:O}", "Key", k, "Value", v));
    json_decref(m);
    return out;
}

json_t *cfn_tags_removed(const json_t *old, const json_t *now)
{
    json_t *out = json_array();
    json_t *keep = cfn_tags_map(now), *had = cfn_tags_map(old);
    const char *k;
    json_t *v;
    json_object_foreach(had, k, v)
        if (!json_object_get(keep, k))
            json_array_append_new(out, json_string(k));
    json_decref(keep);
    json_decref(had);
    return out;
}

int cfn_changed(const json_t *old_props, const json_t *props, const char *name)
{
    const json_t *a = json_object_get(old_props, name), *b = json_object_get(props, name);
    if (!a || !b)
        return !a != !b;
    return !json_equal((json_t *)a, (json_t *)b);
}

int cfn_retag(cfn_op_t *op, const char *service, const json_t *target, const char *untag_op, const char *untag_key,
              const char *tag_op, const char *tag_key, int as_map)
{
    const json_t *old = json_object_get(op->old_props, "Tags"), *now = json_object_get(op->props, "Tags");
    if (json_equal((json_t *)old, (json_t *)now) || (!old && !now))
        return 0;
    json_t *gone = cfn_tags_removed(old, now);
    if (json_array_size(gone)) {
        json_t *in = json_deep_copy(target);
        json_object_set_new(in, untag_key, gone);
        if (cfn_call(op, service, untag_op, in, NULL) < 0)
            return -1;
    } else {
        json_decref(gone);
    }
    if (json_array_size(now)) {
        json_t *in = json_deep_copy(target);
        json_object_set_new(in, tag_key, as_map ? cfn_tags_map(now) : cfn_tags_list(now));
        if (cfn_call(op, service, tag_op, in, NULL) < 0)
            return -1;
    }
    return 0;
}

int cfn_probe(cfn_op_t *op, const char *service, const char *opname, json_t *in)
{
    char keep[sizeof op->msg];
    snprintf(keep, sizeof keep, "%s", op->msg);
    int there = cfn_call(op, service, opname, in, NULL) == 0;
    snprintf(op->msg, sizeof op->msg, "%s", keep);
    return there;
}

json_t *cfn_list_minus(const json_t *a, const json_t *b)
{
    json_t *out = json_array();
    size_t i, j;
    json_t *x, *y;
    json_array_foreach(a, i, x) {
        int found = 0;
        json_array_foreach(b, j, y)
            found |= json_equal(x, y);
        if (!found)
            json_array_append(out, x);
    }
    return out;
}

void cfn_given_name(const cfn_op_t *op, const char *prop, size_t max, const char *suffix, char *out, size_t outlen)
{
    const char *given = json_string_value(json_object_get(op->props, prop));
    if (given)
        snprintf(out, outlen, "%s", given);
    else
        cfn_name(op, max, suffix, out, outlen);
}

void cfn_named(cfn_op_t *op, const char *name, const char *service, const char *before, const char *after)
{
    char rest[1100], arn[1200];
    snprintf(rest, sizeof rest, "%s%s%s", before, name, after);
    cfn_arn(op, service, rest, arn, sizeof arn);
    snprintf(op->physical, sizeof op->physical, "%s", name);
    json_decref(op->attrs);
    op->attrs = json_pack("{s:s}", "Arn", arn);
}
