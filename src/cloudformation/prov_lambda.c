/* SPDX-License-Identifier: MIT
 * AWS::Lambda::Function: CreateFunction with the code package
 * (prov_lambda_code.c) and the configuration, PutFunctionConcurrency for
 * ReservedConcurrentExecutions; an update runs UpdateFunctionConfiguration
 * (what the template no longer sets goes back to Lambda's defaults),
 * UpdateFunctionCode when the code changed, and brings tags and reserved
 * concurrency along. Ref is the function's name, Fn::GetAtt Arn its ARN.
 * This file also lists every Lambda provider in cfn_prov_lambda. */
#include <stdio.h>
#include <string.h>

#include "cloudformation/prov_lambda.h"
#include "cloudformation/prov_props.h"

/* The configuration members CreateFunction and UpdateFunctionConfiguration share. */
static const cfn_prop_map_t config_map[] = {
    {"Handler", NULL, CFN_P_STR},
    {"Runtime", NULL, CFN_P_STR},
    {"Role", NULL, CFN_P_STR},
    {"Description", NULL, CFN_P_STR},
    {"Timeout", NULL, CFN_P_INT},
    {"MemorySize", NULL, CFN_P_INT},
    {"Layers", NULL, CFN_P_STR_LIST},
    {"DeadLetterConfig", NULL, CFN_P_ANY},
    {"TracingConfig", NULL, CFN_P_ANY},
    {"LoggingConfig", NULL, CFN_P_ANY},
    {"EphemeralStorage", NULL, CFN_P_ANY},
    {"VpcConfig", NULL, CFN_P_ANY},
    {"KmsKeyArn", "KMSKeyArn", CFN_P_STR},
    {"ImageConfig", NULL, CFN_P_ANY},
    {"FileSystemConfigs", NULL, CFN_P_ANY},
    {"SnapStart", NULL, CFN_P_ANY},
    {NULL, NULL, 0},
};

/* Members CreateFunction alone takes. */
static const cfn_prop_map_t create_map[] = {
    {"PackageType", NULL, CFN_P_STR},
    {"Architectures", NULL, CFN_P_STR_LIST},
    {"CodeSigningConfigArn", NULL, CFN_P_STR},
    {"Tags", NULL, CFN_P_TAG_MAP},
    {NULL, NULL, 0},
};

static const char *const config_ints[] = {"Size", NULL};

/* The configuration members of the template in `in`: Environment's values
 * as text, as Lambda takes them. */
static int config_input(cfn_op_t *op, json_t *in)
{
    if (cfn_props_map(op, op->props, config_map, in) < 0)
        return -1;
    json_t *es = json_object_get(in, "EphemeralStorage");
    if (es) {
        json_t *copy = json_deep_copy(es);
        json_object_set_new(in, "EphemeralStorage", copy);
        if (cfn_props_fix(op, copy, config_ints, NULL) < 0)
            return -1;
    }
    json_t *env = json_object_get(op->props, "Environment");
    if (env) {
        json_t *vars = json_object(), *v;
        const char *k;
        json_object_foreach(json_object_get(env, "Variables"), k, v) {
            char path[300];
            snprintf(path, sizeof path, "Environment/Variables/%s", k);
            json_t *s = cfn_prop_as(op, v, CFN_P_STR, path);
            if (!s) {
                json_decref(vars);
                return -1;
            }
            json_object_set_new(vars, k, s);
        }
        json_object_set_new(in, "Environment", json_pack("{s:o}", "Variables", vars));
    }
    return 0;
}

static void set_attrs(cfn_op_t *op, const json_t *out)
{
    json_t *snap = json_object_get(out, "SnapStart");
    json_decref(op->attrs);
    op->attrs =
        json_pack("{s:O?,s:s,s:s}", "Arn", json_object_get(out, "FunctionArn"), "SnapStartResponse.ApplyOn",
                  json_string_value(json_object_get(snap, "ApplyOn")) ?: "None", "SnapStartResponse.OptimizationStatus",
                  json_string_value(json_object_get(snap, "OptimizationStatus")) ?: "Off");
}

/* PutFunctionConcurrency, or DeleteFunctionConcurrency when the property is gone. */
static int concurrency(cfn_op_t *op)
{
    json_t *v = json_object_get(op->props, "ReservedConcurrentExecutions");
    if (!v)
        return cfn_call(op, "lambda", "DeleteFunctionConcurrency", json_pack("{s:s}", "FunctionName", op->physical),
                        NULL);
    json_t *n = cfn_prop_as(op, v, CFN_P_INT, "ReservedConcurrentExecutions");
    if (!n)
        return -1;
    return cfn_call(op, "lambda", "PutFunctionConcurrency",
                    json_pack("{s:s,s:o}", "FunctionName", op->physical, "ReservedConcurrentExecutions", n), NULL);
}

static int fn_create(cfn_op_t *op)
{
    char buf[128];
    const char *name = cfn_prop_text(op->props, "FunctionName", buf, sizeof buf);
    if (name)
        snprintf(op->physical, sizeof op->physical, "%s", name);
    else
        cfn_name(op, 64, NULL, op->physical, sizeof op->physical);
    json_t *code = NULL, *out = NULL;
    if (cfn_lambda_code(op, json_object_get(op->props, "Code"),
                        json_string_value(json_object_get(op->props, "Runtime")), &code) < 0)
        return -1;
    json_t *in = json_pack("{s:s,s:o}", "FunctionName", op->physical, "Code", code);
    if (config_input(op, in) < 0 || cfn_props_map(op, op->props, create_map, in) < 0) {
        json_decref(in);
        return -1;
    }
    if (cfn_call(op, "lambda", "CreateFunction", in, &out) < 0)
        return -1;
    set_attrs(op, out);
    json_decref(out);
    if (json_object_get(op->props, "ReservedConcurrentExecutions") && concurrency(op) < 0) {
        char why[sizeof op->msg]; /* the function is not left half made */
        snprintf(why, sizeof why, "%s", op->msg);
        cfn_call(op, "lambda", "DeleteFunction", json_pack("{s:s}", "FunctionName", op->physical), NULL);
        snprintf(op->msg, sizeof op->msg, "%s", why);
        return -1;
    }
    return 0;
}

/* 1 when the package must be sent again: its source changed, a zip file
 * may hold new bytes under the same path, or inline source moves to
 * another file name with the runtime. */
static int code_changed(const cfn_op_t *op)
{
    const json_t *code = json_object_get(op->props, "Code");
    return cfn_prop_changed(op, "Code") || cfn_prop_changed(op, "Architectures") ||
           json_object_get(code, "RunnelZipPath") ||
           (json_object_get(code, "ZipFile") && cfn_prop_changed(op, "Runtime"));
}

static int fn_update(cfn_op_t *op)
{
    cfn_keep_physical(op);
    /* what the template no longer sets goes back to Lambda's defaults */
    json_t *in = json_pack("{s:s,s:s,s:i,s:i,s:{s:{}},s:[],s:{s:s},s:{s:s}}", "FunctionName", op->physical,
                           "Description", "", "Timeout", 3, "MemorySize", 128, "Environment", "Variables", "Layers",
                           "DeadLetterConfig", "TargetArn", "", "TracingConfig", "Mode", "PassThrough"),
           *out = NULL;
    if (config_input(op, in) < 0) {
        json_decref(in);
        return -1;
    }
    if (cfn_call(op, "lambda", "UpdateFunctionConfiguration", in, &out) < 0)
        return -1;
    set_attrs(op, out);
    json_decref(out);
    if (code_changed(op)) {
        json_t *code = NULL;
        if (cfn_lambda_code(op, json_object_get(op->props, "Code"),
                            json_string_value(json_object_get(op->props, "Runtime")), &code) < 0)
            return -1;
        json_object_set_new(code, "FunctionName", json_string(op->physical));
        json_t *arch = json_object_get(op->props, "Architectures");
        json_t *list = arch ? cfn_prop_as(op, arch, CFN_P_STR_LIST, "Architectures") : NULL;
        if (arch && !list) {
            json_decref(code);
            return -1;
        }
        if (list)
            json_object_set_new(code, "Architectures", list);
        if (cfn_call(op, "lambda", "UpdateFunctionCode", code, NULL) < 0)
            return -1;
    }
    const char *arn = json_string_value(json_object_get(op->attrs, "Arn"));
    json_t *old = cfn_tags_map(json_object_get(op->old_props, "Tags")),
           *new = cfn_tags_map(json_object_get(op->props, "Tags"));
    int rc = cfn_tags_sync(op, "lambda", "Resource", arn ? arn : op->physical, old, new, "TagResource", "Tags",
                           "UntagResource", "TagKeys", 0);
    json_decref(old);
    json_decref(new);
    if (rc == 0 && cfn_prop_changed(op, "ReservedConcurrentExecutions"))
        rc = concurrency(op);
    return rc;
}

static int fn_delete(cfn_op_t *op)
{
    json_t *key = json_pack("{s:s}", "FunctionName", op->old_physical);
    if (cfn_call(op, "lambda", "GetFunctionConfiguration", json_incref(key), NULL) < 0) {
        json_decref(key);
        op->msg[0] = 0; /* already gone */
        return 0;
    }
    return cfn_call(op, "lambda", "DeleteFunction", key, NULL);
}

static const char *const fn_props[] = {
    "Code", "Role", "FunctionName", "Handler", "Runtime", "Environment", "Timeout", "MemorySize", "Layers",
    "Description", "Architectures", "DeadLetterConfig", "ReservedConcurrentExecutions", "TracingConfig", "Tags",
    "LoggingConfig", "EphemeralStorage", "VpcConfig", "KmsKeyArn", "PackageType", "ImageConfig", "FileSystemConfigs",
    "SnapStart", "CodeSigningConfigArn",
    /* taken and not applied: Runnel runs one runtime version and has no loop detection */
    "RuntimeManagementConfig", "RecursiveLoop", NULL};
static const char *const fn_required[] = {"Code", "Role", NULL};
static const char *const fn_replace[] = {"FunctionName", "PackageType", NULL};
static const char *const fn_attrs[] = {"Arn", "SnapStartResponse.ApplyOn", "SnapStartResponse.OptimizationStatus",
                                       NULL};

static const cfn_provider_t function = {
    "AWS::Lambda::Function", fn_props, fn_required, fn_replace, fn_attrs, fn_create, fn_update, fn_delete,
};

const cfn_provider_t *const cfn_prov_lambda[] = {
    &function,
    &cfn_lambda_version,
    &cfn_lambda_alias,
    &cfn_lambda_esm,
    &cfn_lambda_permission,
    &cfn_lambda_eic,
    &cfn_lambda_layer,
    NULL,
};
