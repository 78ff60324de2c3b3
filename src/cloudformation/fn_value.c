/* SPDX-License-Identifier: MIT
 * The intrinsic functions that compute a value from their arguments:
 * Fn::Join, Fn::Select, Fn::Split, Fn::FindInMap, Fn::GetAZs, Fn::Base64,
 * Fn::ImportValue, Fn::Cidr, Fn::Length and Fn::ToJsonString, each with
 * AWS's argument rules and messages. Arguments are evaluated first (any of
 * them may itself be a function), through intrinsic.c's walk. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cloudformation/eval_int.h"
#include "core/base64.h"
#include "core/json_alloc.h"
#include "core/mem.h"

/* Evaluates v and insists on an array. */
static json_t *eval_list(cfn_rctx_t *c, const json_t *v, const char *what)
{
    json_t *r = cfn_eval_value(c, v);
    if (!r)
        return NULL;
    if (r == CFN_NOVALUE || !json_is_array(r)) {
        if (r != CFN_NOVALUE)
            json_decref(r);
        return cfn_eval_fail(c, "%s", what);
    }
    return r;
}

/* The [delimiter, string-or-list] pair of Fn::Join and Fn::Split, each
 * evaluated: 0 with both set, or -1 with c->msg and both NULL. */
static int two_args(cfn_rctx_t *c, const json_t *arg, const char *shape, int second_is_list, json_t **delim,
                    json_t **second)
{
    *delim = *second = NULL;
    if (!json_is_array(arg) || json_array_size(arg) != 2) {
        cfn_eval_fail(c, "%s", shape);
        return -1;
    }
    *delim = cfn_eval_string(c, json_array_get(arg, 0), shape);
    if (*delim)
        *second = second_is_list ? eval_list(c, json_array_get(arg, 1), shape)
                                 : cfn_eval_string(c, json_array_get(arg, 1), shape);
    if (*second)
        return 0;
    json_decref(*delim);
    *delim = NULL;
    return -1;
}

json_t *cfn_fn_join(cfn_rctx_t *c, const json_t *arg)
{
    json_t *delim, *list, *out = NULL;
    if (two_args(c, arg, cfn_msg_join_shape, 1, &delim, &list))
        goto out;
    size_t total = 0, i;
    json_t *m;
    json_t *parts = json_array();
    json_array_foreach(list, i, m) {
        json_t *s = cfn_scalar_string(m);
        if (!s) {
            cfn_eval_fail(c, "%s", cfn_msg_join_shape);
            json_decref(parts);
            goto out;
        }
        total += json_string_length(s) + json_string_length(delim);
        json_array_append_new(parts, s);
    }
    char *buf = rn_malloc(total + 1), *p = buf;
    if (buf) {
        json_array_foreach(parts, i, m) {
            if (i) {
                memcpy(p, json_string_value(delim), json_string_length(delim));
                p += json_string_length(delim);
            }
            memcpy(p, json_string_value(m), json_string_length(m));
            p += json_string_length(m);
        }
        out = json_stringn(buf, (size_t)(p - buf));
        rn_free(buf);
    }
    json_decref(parts);
    if (!out)
        cfn_eval_fail(c, "Template error: out of memory in Fn::Join");
out:
    json_decref(delim);
    json_decref(list);
    return out;
}

/* An index or count: an integer, or a string of digits. -1 when neither. */
static long long as_count(const json_t *v)
{
    if (json_is_integer(v))
        return json_integer_value(v) >= 0 ? json_integer_value(v) : -1;
    const char *s = json_string_value(v);
    if (!s || !*s || strlen(s) > 18)
        return -1;
    for (const char *p = s; *p; p++)
        if (*p < '0' || *p > '9')
            return -1;
    return strtoll(s, NULL, 10);
}

json_t *cfn_fn_select(cfn_rctx_t *c, const json_t *arg)
{
    if (!json_is_array(arg) || json_array_size(arg) != 2)
        return cfn_eval_fail(c, "%s", cfn_msg_select_shape);
    json_t *idx = cfn_eval_value(c, json_array_get(arg, 0));
    if (!idx)
        return NULL;
    long long i = idx == CFN_NOVALUE ? -1 : as_count(idx);
    if (idx != CFN_NOVALUE)
        json_decref(idx);
    if (i < 0)
        return cfn_eval_fail(c, "Template error: Fn::Select requires a list argument with a valid index value as "
                                "its first element");
    json_t *list = eval_list(c, json_array_get(arg, 1), cfn_msg_select_shape);
    if (!list)
        return NULL;
    json_t *v = (size_t)i < json_array_size(list) ? json_incref(json_array_get(list, (size_t)i)) : NULL;
    json_decref(list);
    if (!v)
        return cfn_eval_fail(c, "Template error: Fn::Select cannot select nonexistent value at index %lld", i);
    return v;
}

json_t *cfn_fn_split(cfn_rctx_t *c, const json_t *arg)
{
    json_t *delim, *text, *out = NULL;
    if (two_args(c, arg, cfn_msg_split_shape, 0, &delim, &text))
        goto out;
    if (!json_string_length(delim)) {
        cfn_eval_fail(c, "%s", cfn_msg_split_shape);
        goto out;
    }
    out = json_array();
    const char *s = json_string_value(text), *d = json_string_value(delim), *end = s + json_string_length(text);
    size_t dl = json_string_length(delim);
    for (;;) {
        const char *hit = memmem(s, (size_t)(end - s), d, dl);
        json_array_append_new(out, json_stringn(s, hit ? (size_t)(hit - s) : (size_t)(end - s)));
        if (!hit)
            break;
        s = hit + dl;
    }
out:
    json_decref(delim);
    json_decref(text);
    return out;
}

static void three_free(json_t *k[3])
{
    for (int i = 0; i < 3; i++)
        json_decref(k[i]);
}

/* The first three arguments of Fn::FindInMap or Fn::Cidr, evaluated to
 * strings: 0 with k[] set, or -1 with c->msg and nothing held. */
static int three_strings(cfn_rctx_t *c, const json_t *arg, const char *shape, json_t *k[3])
{
    k[0] = k[1] = k[2] = NULL;
    for (int i = 0; i < 3; i++)
        if (!(k[i] = cfn_eval_string(c, json_array_get(arg, (size_t)i), shape))) {
            three_free(k);
            return -1;
        }
    return 0;
}

json_t *cfn_fn_find_in_map(cfn_rctx_t *c, const json_t *arg)
{
    size_t n = json_array_size(arg);
    if (!json_is_array(arg) || (n != 3 && n != 4))
        return cfn_eval_fail(c, "%s", cfn_msg_map_shape);
    json_t *k[3], *v = NULL;
    if (three_strings(c, arg, cfn_msg_map_shape, k))
        return NULL;
    const char *map = json_string_value(k[0]), *key = json_string_value(k[1]), *attr = json_string_value(k[2]);
    const json_t *m = json_object_get(json_object_get(c->ev->tpl, "Mappings"), map);
    v = json_object_get(json_object_get(m, key), attr);
    if (v)
        v = json_incref(v);
    else if (n == 4 && json_object_get(json_array_get(arg, 3), "DefaultValue")) /* AWS::LanguageExtensions */
        v = cfn_eval_value(c, json_object_get(json_array_get(arg, 3), "DefaultValue"));
    else if (!m)
        cfn_eval_fail(c, "Template error: Mapping named '%s' is not present in the 'Mappings' section of template",
                      map);
    else
        cfn_eval_fail(c, "Template error: Unable to get mapping for %s::%s::%s", map, key, attr);
    three_free(k);
    return v;
}

json_t *cfn_fn_get_azs(cfn_rctx_t *c, const json_t *arg)
{
    json_t *r = json_is_null(arg) ? json_string("") /* as "" */
                                  : cfn_eval_string(c, arg,
                                                    "Template error: every Fn::GetAZs object must have a "
                                                    "String-typed value.");
    if (!r)
        return NULL;
    const char *region = json_string_length(r) ? json_string_value(r) : c->ev->region ? c->ev->region : "";
    char az[128];
    json_t *out = json_array();
    for (char z = 'a'; z <= 'c'; z++) {
        snprintf(az, sizeof az, "%s%c", region, z);
        json_array_append_new(out, json_string(az));
    }
    json_decref(r);
    return out;
}

json_t *cfn_fn_base64(cfn_rctx_t *c, const json_t *arg)
{
    json_t *r = cfn_eval_string(c, arg, "Template error: every Fn::Base64 object must have a String-typed value.");
    if (!r)
        return NULL;
    char *b = rn_b64_encode(json_string_value(r), json_string_length(r));
    json_decref(r);
    json_t *out = b ? json_string(b) : cfn_eval_fail(c, "Template error: out of memory in Fn::Base64");
    rn_free(b);
    return out;
}

json_t *cfn_fn_import_value(cfn_rctx_t *c, const json_t *arg)
{
    json_t *r = cfn_eval_string(c, arg, "Template error: every Fn::ImportValue object must have a String-typed value.");
    if (!r)
        return NULL;
    json_t *v = json_object_get(c->ev->exports, json_string_value(r));
    json_t *out = v ? json_incref(v) : cfn_eval_fail(c, "No export named %s found.", json_string_value(r));
    json_decref(r);
    return out;
}

json_t *cfn_fn_cidr(cfn_rctx_t *c, const json_t *arg)
{
    if (!json_is_array(arg) || json_array_size(arg) != 3)
        return cfn_eval_fail(c, "%s", cfn_msg_cidr_shape);
    json_t *k[3], *out = NULL;
    if (three_strings(c, arg, cfn_msg_cidr_shape, k))
        return NULL;
    long long count = as_count(k[1]), bits = as_count(k[2]);
    if (count < 0 || bits < 0)
        cfn_eval_fail(c, "%s", cfn_msg_cidr_shape);
    else
        out = cfn_cidr(json_string_value(k[0]), count, bits, c->msg, c->msglen);
    three_free(k);
    return out;
}

json_t *cfn_fn_length(cfn_rctx_t *c, const json_t *arg)
{
    json_t *list = eval_list(c, arg, "Template error: Fn::Length requires a list argument");
    if (!list)
        return NULL;
    json_t *n = json_integer((json_int_t)json_array_size(list));
    json_decref(list);
    return n;
}

json_t *cfn_fn_to_json_string(cfn_rctx_t *c, const json_t *arg)
{
    json_t *r = cfn_eval_value(c, arg);
    if (!r)
        return NULL;
    if (r == CFN_NOVALUE || !(json_is_object(r) || json_is_array(r))) {
        if (r != CFN_NOVALUE)
            json_decref(r);
        return cfn_eval_fail(c, "Template error: Fn::ToJsonString requires an object or a list argument");
    }
    char *text = json_dumps(r, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(r);
    json_t *out = text ? json_string(text) : cfn_eval_fail(c, "Template error: out of memory in Fn::ToJsonString");
    rn_json_free(text);
    return out;
}
