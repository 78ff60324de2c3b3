/* SPDX-License-Identifier: MIT
 * What the SQS, SNS, Logs, CloudWatch, IAM and DynamoDB providers share on
 * top of prov_props.c's loose typing: a policy or any JSON-valued property
 * set as text, nested members typed on a copy, tags as a list, the tag diff
 * of an update taken from the old and new properties, the names
 * CloudFormation gives unnamed resources, the Ref-is-the-name resources'
 * ARNs, and the existence probe that lets a delete of something already
 * gone succeed. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cloudformation/prov_int.h"

int cfn_is_true(const json_t *v)
{
    const char *s = json_string_value(v);
    return json_is_true(v) || (s && !strcasecmp(s, "true"));
}

int cfn_set_text(cfn_op_t *op, json_t *obj, const char *name, const json_t *v)
{
    if (!v || json_is_null(v))
        return 0;
    json_t *t = cfn_prop_as(op, v, CFN_P_JSON_TEXT, name);
    return t ? json_object_set_new(obj, name, t) : -1;
}

json_t *cfn_typed(cfn_op_t *op, const json_t *v, const char *const *ints, const char *const *bools)
{
    json_t *copy = json_deep_copy(v);
    if (copy && cfn_props_fix(op, copy, ints, bools) < 0) {
        json_decref(copy);
        return NULL;
    }
    return copy;
}

int cfn_listed(const char *const *names, const char *name)
{
    for (; names && *names; names++)
        if (!strcmp(*names, name))
            return 1;
    return 0;
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

int cfn_retag(cfn_op_t *op, const char *service, const char *res_member, const char *res, const char *tag_op,
              const char *tags_member, const char *untag_op, const char *keys_member, int tags_as_list)
{
    json_t *old = cfn_tags_map(json_object_get(op->old_props, "Tags"));
    json_t *now = cfn_tags_map(json_object_get(op->props, "Tags"));
    int rc = cfn_tags_sync(op, service, res_member, res ? res : "", old, now, tag_op, tags_member, untag_op,
                           keys_member, tags_as_list);
    json_decref(old);
    json_decref(now);
    return rc;
}

int cfn_probe(cfn_op_t *op, const char *service, const char *opname, json_t *in)
{
    char keep[sizeof op->msg];
    memcpy(keep, op->msg, sizeof keep);
    int there = cfn_call(op, service, opname, in, NULL) == 0;
    memcpy(op->msg, keep, sizeof keep);
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

int cfn_refuse_taken(cfn_op_t *op, const char *name, int taken)
{
    if (!taken)
        return 0;
    snprintf(op->msg, sizeof op->msg, "Resource of type '%s' with identifier '%s' already exists.", op->type, name);
    return -1;
}
