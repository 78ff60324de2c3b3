/* SPDX-License-Identifier: MIT
 * AWS::Lambda::Version and AWS::Lambda::Alias. A version is published once
 * (PublishVersion) and never changed: every property that matters replaces
 * it; Ref is its ARN (FUNCTION_ARN:N), Fn::GetAtt Version the number and
 * FunctionArn the same ARN. An alias (CreateAlias/UpdateAlias) is known by
 * its ARN; CloudFormation's RoutingConfig list of {FunctionVersion,
 * FunctionWeight} becomes the API's {version: weight} map. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cloudformation/prov_lambda.h"
#include "cloudformation/prov_props.h"

/* Splits a qualified ARN (...:function:NAME:QUALIFIER) at its last colon. */
static void split_qualified(const char *arn, char *fn, size_t flen, char *q, size_t qlen)
{
    const char *colon = strrchr(arn, ':');
    if (!colon) {
        snprintf(fn, flen, "%s", arn);
        snprintf(q, qlen, "%s", "");
        return;
    }
    snprintf(fn, flen, "%.*s", (int)(colon - arn), arn);
    snprintf(q, qlen, "%s", colon + 1);
}

/* ---- AWS::Lambda::Version ---- */

static int version_create(cfn_op_t *op)
{
    static const cfn_prop_map_t map[] = {
        {"FunctionName", NULL, CFN_P_STR},
        {"CodeSha256", NULL, CFN_P_STR},
        {"Description", NULL, CFN_P_STR},
        {NULL, NULL, 0},
    };
    json_t *in = json_object(), *out = NULL;
    if (cfn_props_call(op, "lambda", "PublishVersion", map, in, &out) < 0)
        return -1;
    cfn_physical_from(op, out, "FunctionArn", "FunctionArn");
    json_object_set(op->attrs, "Version", json_object_get(out, "Version"));
    json_decref(out);
    return 0;
}

/* ProvisionedConcurrencyConfig and RuntimePolicy are taken and kept; a
 * version itself cannot change. */
static int version_update(cfn_op_t *op)
{
    cfn_keep_physical(op);
    return 0;
}

static int version_delete(cfn_op_t *op)
{
    char fn[1024], q[128];
    split_qualified(op->old_physical ? op->old_physical : "", fn, sizeof fn, q, sizeof q);
    if (!*q || cfn_call(op, "lambda", "GetFunctionConfiguration",
                        json_pack("{s:s,s:s}", "FunctionName", fn, "Qualifier", q), NULL) < 0) {
        op->msg[0] = 0; /* already gone (or its function is) */
        return 0;
    }
    return cfn_call(op, "lambda", "DeleteFunction", json_pack("{s:s,s:s}", "FunctionName", fn, "Qualifier", q), NULL);
}

static const char *const version_props[] = {
    "FunctionName", "CodeSha256", "Description", "ProvisionedConcurrencyConfig", "RuntimePolicy", NULL};
static const char *const version_required[] = {"FunctionName", NULL};
static const char *const version_replace[] = {"FunctionName", "CodeSha256", "Description", NULL};
static const char *const version_attrs[] = {"Version", "FunctionArn", NULL};

const cfn_provider_t cfn_lambda_version = {
    "AWS::Lambda::Version", version_props,  version_required, version_replace,
    version_attrs,          version_create, version_update,   version_delete,
};

/* ---- AWS::Lambda::Alias ---- */

/* RoutingConfig as the API takes it: a new object, or NULL with op->msg. */
static json_t *routing(cfn_op_t *op, const json_t *rc)
{
    json_t *list = json_object_get(rc, "AdditionalVersionWeights"), *w, *map = json_object();
    size_t i;
    if (json_is_object(list)) { /* already the API's shape */
        json_object_update(map, list);
        return json_pack("{s:o}", "AdditionalVersionWeights", map);
    }
    json_array_foreach(list, i, w) {
        char vb[32];
        const char *v = cfn_prop_text(w, "FunctionVersion", vb, sizeof vb);
        json_t *weight = json_object_get(w, "FunctionWeight");
        double d = json_is_number(weight)   ? json_number_value(weight)
                   : json_is_string(weight) ? strtod(json_string_value(weight), NULL)
                                            : -1;
        if (!v || d < 0 || d > 1) {
            snprintf(op->msg, sizeof op->msg,
                     "Properties validation failed for resource %s with message: #/RoutingConfig/"
                     "AdditionalVersionWeights/%zu: FunctionVersion and a FunctionWeight from 0.0 to 1.0 are "
                     "required",
                     op->logical_id, i);
            json_decref(map);
            return NULL;
        }
        json_object_set_new(map, v, json_real(d));
    }
    return json_pack("{s:o}", "AdditionalVersionWeights", map);
}

static int alias_call(cfn_op_t *op, const char *opname, json_t *in)
{
    static const cfn_prop_map_t map[] = {
        {"FunctionName", NULL, CFN_P_STR}, {"Name", NULL, CFN_P_STR}, {"FunctionVersion", NULL, CFN_P_STR},
        {"Description", NULL, CFN_P_STR},  {NULL, NULL, 0},
    };
    json_t *out = NULL, *rc = json_object_get(op->props, "RoutingConfig");
    if (rc) {
        json_t *r = routing(op, rc);
        if (!r) {
            json_decref(in);
            return -1;
        }
        json_object_set_new(in, "RoutingConfig", r);
    }
    if (cfn_props_call(op, "lambda", opname, map, in, &out) < 0)
        return -1;
    cfn_physical_from(op, out, "AliasArn", "AliasArn");
    json_decref(out);
    return 0;
}

static int alias_create(cfn_op_t *op)
{
    return alias_call(op, "CreateAlias", json_object());
}

static int alias_update(cfn_op_t *op)
{
    /* a description or weights no longer given are cleared */
    return alias_call(op, "UpdateAlias",
                      json_pack("{s:s,s:{s:{}}}", "Description", "", "RoutingConfig", "AdditionalVersionWeights"));
}

static int alias_delete(cfn_op_t *op)
{
    char fn[1024], name[128];
    split_qualified(op->old_physical ? op->old_physical : "", fn, sizeof fn, name, sizeof name);
    json_t *key = json_pack("{s:s,s:s}", "FunctionName", fn, "Name", name);
    if (!*name || cfn_call(op, "lambda", "GetAlias", json_incref(key), NULL) < 0) {
        json_decref(key);
        op->msg[0] = 0; /* already gone */
        return 0;
    }
    return cfn_call(op, "lambda", "DeleteAlias", key, NULL);
}

static const char *const alias_props[] = {
    "FunctionName", "FunctionVersion", "Name", "Description", "RoutingConfig", "ProvisionedConcurrencyConfig", NULL};
static const char *const alias_required[] = {"FunctionName", "FunctionVersion", "Name", NULL};
static const char *const alias_replace[] = {"FunctionName", "Name", NULL};
static const char *const alias_attrs[] = {"AliasArn", NULL};

const cfn_provider_t cfn_lambda_alias = {
    "AWS::Lambda::Alias", alias_props,  alias_required, alias_replace,
    alias_attrs,          alias_create, alias_update,   alias_delete,
};
