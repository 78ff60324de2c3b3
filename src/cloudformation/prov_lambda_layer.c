/* SPDX-License-Identifier: MIT
 * AWS::Lambda::LayerVersion: PublishLayerVersion with the package
 * (Content.RunnelZipPath, or Content.RunnelCodeDirectory zipped by
 * prov_lambda_code.c). A layer version never changes, so every property
 * replaces it; Ref and Fn::GetAtt LayerVersionArn are its ARN
 * (arn:aws:lambda:R:A:layer:NAME:N); a delete runs DeleteLayerVersion. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cloudformation/prov_lambda.h"
#include "cloudformation/prov_props.h"

static int layer_create(cfn_op_t *op)
{
    static const cfn_prop_map_t map[] = {
        {"Description", NULL, CFN_P_STR},
        {"CompatibleRuntimes", NULL, CFN_P_STR_LIST},
        {"CompatibleArchitectures", NULL, CFN_P_STR_LIST},
        {"LicenseInfo", NULL, CFN_P_STR},
        {NULL, NULL, 0},
    };
    char name[141], buf[141];
    const char *given = cfn_prop_text(op->props, "LayerName", buf, sizeof buf);
    if (given)
        snprintf(name, sizeof name, "%s", given);
    else
        cfn_name(op, 140, NULL, name, sizeof name);
    json_t *content = NULL, *out = NULL;
    if (cfn_lambda_layer_content(op, json_object_get(op->props, "Content"), &content) < 0)
        return -1;
    json_t *in = json_pack("{s:s,s:o}", "LayerName", name, "Content", content);
    if (cfn_props_call(op, "lambda", "PublishLayerVersion", map, in, &out) < 0)
        return -1;
    cfn_physical_from(op, out, "LayerVersionArn", "LayerVersionArn");
    json_decref(out);
    return 0;
}

static int layer_delete(cfn_op_t *op)
{
    /* arn:aws:lambda:REGION:ACCOUNT:layer:NAME:VERSION */
    const char *arn = op->old_physical ? op->old_physical : "", *l = strstr(arn, ":layer:"), *v = strrchr(arn, ':');
    if (!l || v <= l + 6)
        return 0; /* nothing was made */
    char name[141];
    snprintf(name, sizeof name, "%.*s", (int)(v - (l + 7)), l + 7);
    /* DeleteLayerVersion answers success for a version that is not there */
    return cfn_call(op, "lambda", "DeleteLayerVersion",
                    json_pack("{s:s,s:I}", "LayerName", name, "VersionNumber", (json_int_t)strtoll(v + 1, NULL, 10)),
                    NULL);
}

static const char *const layer_props[] = {
    "Content", "LayerName", "Description", "CompatibleRuntimes", "CompatibleArchitectures", "LicenseInfo", NULL};
static const char *const layer_required[] = {"Content", NULL};
static const char *const layer_attrs[] = {"LayerVersionArn", NULL};

/* Every property replaces a layer version, so it has no update. */
const cfn_provider_t cfn_lambda_layer = {
    "AWS::Lambda::LayerVersion",
    layer_props,
    layer_required,
    layer_props,
    layer_attrs,
    layer_create,
    NULL,
    layer_delete,
};
