/* SPDX-License-Identifier: MIT
 * What makes a Lambda function run on others' behalf:
 * AWS::Lambda::EventSourceMapping (Create/Update/DeleteEventSourceMapping;
 * Ref is the mapping's UUID), AWS::Lambda::Permission (AddPermission with a
 * statement id made like a resource name, STACK-LOGICAL-RANDOM, which Ref
 * and Fn::GetAtt Id return, as stacks on AWS show it)
 * and AWS::Lambda::EventInvokeConfig (PutFunctionEventInvokeConfig; Ref is
 * "FUNCTION|QUALIFIER"). */
#include <stdio.h>
#include <string.h>

#include "cloudformation/prov_lambda.h"
#include "cloudformation/prov_props.h"

/* ---- AWS::Lambda::EventSourceMapping ---- */

static const cfn_prop_map_t esm_map[] = {
    {"FunctionName", NULL, CFN_P_STR},
    {"BatchSize", NULL, CFN_P_INT},
    {"Enabled", NULL, CFN_P_BOOL},
    {"MaximumBatchingWindowInSeconds", NULL, CFN_P_INT},
    {"FilterCriteria", NULL, CFN_P_ANY},
    {"FunctionResponseTypes", NULL, CFN_P_STR_LIST},
    {"ScalingConfig", NULL, CFN_P_ANY},
    {"DestinationConfig", NULL, CFN_P_ANY},
    {"MaximumRetryAttempts", NULL, CFN_P_INT},
    {"MaximumRecordAgeInSeconds", NULL, CFN_P_INT},
    {"BisectBatchOnFunctionError", NULL, CFN_P_BOOL},
    {"ParallelizationFactor", NULL, CFN_P_INT},
    {"TumblingWindowInSeconds", NULL, CFN_P_INT},
    {"SourceAccessConfigurations", NULL, CFN_P_ANY},
    {"KmsKeyArn", "KMSKeyArn", CFN_P_STR},
    {"MetricsConfig", NULL, CFN_P_ANY},
    {NULL, NULL, 0},
};

/* Members only CreateEventSourceMapping takes. */
static const cfn_prop_map_t esm_create_map[] = {
    {"EventSourceArn", NULL, CFN_P_STR},
    {"StartingPosition", NULL, CFN_P_STR},
    {"Tags", NULL, CFN_P_TAG_MAP},
    {NULL, NULL, 0},
};

static const char *const esm_ints[] = {"MaximumConcurrency", NULL};

static int esm_input(cfn_op_t *op, json_t *in)
{
    if (cfn_props_map(op, op->props, esm_map, in) < 0)
        return -1;
    json_t *sc = json_object_get(in, "ScalingConfig");
    if (sc) {
        json_t *copy = json_deep_copy(sc);
        json_object_set_new(in, "ScalingConfig", copy);
        if (cfn_props_fix(op, copy, esm_ints, NULL) < 0)
            return -1;
    }
    json_t *fc = json_object_get(in, "FilterCriteria");
    if (fc) { /* a pattern may be written as an object; Lambda takes its text */
        json_t *copy = json_deep_copy(fc), *f;
        size_t i;
        json_object_set_new(in, "FilterCriteria", copy);
        json_array_foreach(json_object_get(copy, "Filters"), i, f) {
            json_t *p = json_object_get(f, "Pattern");
            json_t *text = p ? cfn_prop_as(op, p, CFN_P_JSON_TEXT, "FilterCriteria/Filters/Pattern") : NULL;
            if (p && !text)
                return -1;
            if (text)
                json_object_set_new(f, "Pattern", text);
        }
    }
    return 0;
}

static int esm_create(cfn_op_t *op)
{
    json_t *in = json_object(), *out = NULL;
    if (esm_input(op, in) < 0 || cfn_props_map(op, op->props, esm_create_map, in) < 0) {
        json_decref(in);
        return -1;
    }
    if (cfn_call(op, "lambda", "CreateEventSourceMapping", in, &out) < 0)
        return -1;
    cfn_physical_from(op, out, "UUID", "Id");
    json_object_set(op->attrs, "EventSourceMappingArn", json_object_get(out, "EventSourceMappingArn"));
    json_decref(out);
    return 0;
}

static int esm_update(cfn_op_t *op)
{
    cfn_keep_physical(op);
    /* a mapping no longer said to be disabled is enabled again */
    json_t *in = json_pack("{s:s,s:b}", "UUID", op->physical, "Enabled", 1);
    if (esm_input(op, in) < 0) {
        json_decref(in);
        return -1;
    }
    return cfn_call(op, "lambda", "UpdateEventSourceMapping", in, NULL);
}

static int esm_delete(cfn_op_t *op)
{
    const char *uuid = op->old_physical ? op->old_physical : "";
    if (cfn_call(op, "lambda", "GetEventSourceMapping", json_pack("{s:s}", "UUID", uuid), NULL) < 0) {
        op->msg[0] = 0; /* already gone */
        return 0;
    }
    return cfn_call(op, "lambda", "DeleteEventSourceMapping", json_pack("{s:s}", "UUID", uuid), NULL);
}

static const char *const esm_props[] = {"EventSourceArn",
                                        "FunctionName",
                                        "BatchSize",
                                        "Enabled",
                                        "MaximumBatchingWindowInSeconds",
                                        "FilterCriteria",
                                        "FunctionResponseTypes",
                                        "ScalingConfig",
                                        "StartingPosition",
                                        "DestinationConfig",
                                        "MaximumRetryAttempts",
                                        "MaximumRecordAgeInSeconds",
                                        "BisectBatchOnFunctionError",
                                        "ParallelizationFactor",
                                        "TumblingWindowInSeconds",
                                        "SourceAccessConfigurations",
                                        "KmsKeyArn",
                                        "MetricsConfig",
                                        "Tags",
                                        NULL};
static const char *const esm_required[] = {"FunctionName", NULL};
static const char *const esm_replace[] = {"EventSourceArn", "StartingPosition", NULL};
static const char *const esm_attrs[] = {"Id", "EventSourceMappingArn", NULL};

const cfn_provider_t cfn_lambda_esm = {
    "AWS::Lambda::EventSourceMapping",
    esm_props,
    esm_required,
    esm_replace,
    esm_attrs,
    esm_create,
    esm_update,
    esm_delete,
};

/* ---- AWS::Lambda::Permission ---- */

static int permission_create(cfn_op_t *op)
{
    static const cfn_prop_map_t map[] = {
        {"FunctionName", NULL, CFN_P_STR},
        {"Action", NULL, CFN_P_STR},
        {"Principal", NULL, CFN_P_STR},
        {"SourceArn", NULL, CFN_P_STR},
        {"SourceAccount", NULL, CFN_P_STR},
        {"EventSourceToken", NULL, CFN_P_STR},
        {"PrincipalOrgID", NULL, CFN_P_STR},
        {"FunctionUrlAuthType", NULL, CFN_P_STR},
        {NULL, NULL, 0},
    };
    char sid[101];
    cfn_name(op, 100, NULL, sid, sizeof sid);
    json_t *in = json_pack("{s:s}", "StatementId", sid);
    if (cfn_props_call(op, "lambda", "AddPermission", map, in, NULL) < 0)
        return -1;
    snprintf(op->physical, sizeof op->physical, "%s", sid);
    json_decref(op->attrs);
    op->attrs = json_pack("{s:s}", "Id", sid);
    return 0;
}

static int permission_delete(cfn_op_t *op)
{
    char fb[64];
    const char *fn = cfn_prop_text(op->old_props, "FunctionName", fb, sizeof fb);
    /* a function or statement already gone leaves nothing to remove */
    if (fn && op->old_physical &&
        cfn_call(op, "lambda", "RemovePermission",
                 json_pack("{s:s,s:s}", "FunctionName", fn, "StatementId", op->old_physical), NULL) < 0)
        op->msg[0] = 0;
    return 0;
}

static const char *const permission_props[] = {"Action",           "FunctionName",        "Principal",
                                               "EventSourceToken", "FunctionUrlAuthType", "PrincipalOrgID",
                                               "SourceAccount",    "SourceArn",           NULL};
static const char *const permission_required[] = {"Action", "FunctionName", "Principal", NULL};
static const char *const permission_attrs[] = {"Id", NULL};

/* Every property replaces a permission, so it has no update. */
const cfn_provider_t cfn_lambda_permission = {
    "AWS::Lambda::Permission",
    permission_props,
    permission_required,
    permission_props,
    permission_attrs,
    permission_create,
    NULL,
    permission_delete,
};

/* ---- AWS::Lambda::EventInvokeConfig ---- */

static int eic_put(cfn_op_t *op)
{
    static const cfn_prop_map_t map[] = {
        {"FunctionName", NULL, CFN_P_STR},         {"Qualifier", NULL, CFN_P_STR},
        {"MaximumRetryAttempts", NULL, CFN_P_INT}, {"MaximumEventAgeInSeconds", NULL, CFN_P_INT},
        {"DestinationConfig", NULL, CFN_P_ANY},    {NULL, NULL, 0},
    };
    char fb[64], qb[64];
    const char *fn = cfn_prop_text(op->props, "FunctionName", fb, sizeof fb),
               *q = cfn_prop_text(op->props, "Qualifier", qb, sizeof qb);
    snprintf(op->physical, sizeof op->physical, "%s|%s", fn ? fn : "", q ? q : "");
    return cfn_props_call(op, "lambda", "PutFunctionEventInvokeConfig", map, json_object(), NULL);
}

static int eic_delete(cfn_op_t *op)
{
    const char *phys = op->old_physical ? op->old_physical : "", *bar = strrchr(phys, '|');
    char fn[1024];
    snprintf(fn, sizeof fn, "%.*s", bar ? (int)(bar - phys) : 0, phys);
    if (bar && cfn_call(op, "lambda", "DeleteFunctionEventInvokeConfig",
                        json_pack("{s:s,s:s}", "FunctionName", fn, "Qualifier", bar + 1), NULL) < 0)
        op->msg[0] = 0; /* already gone */
    return 0;
}

static const char *const eic_props[] = {
    "FunctionName", "Qualifier", "MaximumRetryAttempts", "MaximumEventAgeInSeconds", "DestinationConfig", NULL};
static const char *const eic_required[] = {"FunctionName", "Qualifier", NULL};
static const char *const eic_replace[] = {"FunctionName", "Qualifier", NULL};

const cfn_provider_t cfn_lambda_eic = {
    "AWS::Lambda::EventInvokeConfig", eic_props, eic_required, eic_replace, NULL, eic_put, eic_put, eic_delete,
};
