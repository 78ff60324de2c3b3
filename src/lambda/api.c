/* SPDX-License-Identifier: MIT
 * AWS Lambda's API (2015-03-31, REST-JSON), the operations Runnel serves, as
 * one protocol-neutral description: each operation's method, dated URI
 * template and status of success, and where each input member travels. Body
 * members pass to the service as the client sent them (nested structures
 * whole; the service checks them). Replies are the operations' results as
 * they are, except Invoke's, whose status, headers and payload are described. */
#include "lambda/lambda_int.h"

#include <string.h>

static const rn_shape_t S_STR = {RN_T_STR}, S_INT = {RN_T_INT}, S_BOOL = {RN_T_BOOL}, S_OBJ = {RN_T_STRUCT};
static const rn_shape_t L_STR = {RN_T_LIST, .elem = &S_STR};
static const rn_shape_t M_STR = {RN_T_MAP, .elem = &S_STR};

#define FN RN_AT(URI, "FunctionName", "FunctionName", S_STR)
#define QUALIFIER RN_AT(QUERY, "Qualifier", "Qualifier", S_STR)
#define MARKER RN_AT(QUERY, "Marker", "Marker", S_STR)
#define MAX_ITEMS RN_AT(QUERY, "MaxItems", "MaxItems", S_INT)

/* The configuration members CreateFunction and UpdateFunctionConfiguration share. */
#define CONFIG_MEMBERS                                                                                             \
    RN_MEMBER("Runtime", S_STR), RN_MEMBER("Role", S_STR), RN_MEMBER("Handler", S_STR),                            \
        RN_MEMBER("Description", S_STR), RN_MEMBER("Timeout", S_INT), RN_MEMBER("MemorySize", S_INT),              \
        RN_MEMBER("VpcConfig", S_OBJ), RN_MEMBER("DeadLetterConfig", S_OBJ), RN_MEMBER("Environment", S_OBJ),     \
        RN_MEMBER("KMSKeyArn", S_STR), RN_MEMBER("TracingConfig", S_OBJ), RN_MEMBER("Layers", L_STR),              \
        RN_MEMBER("FileSystemConfigs", S_OBJ), RN_MEMBER("ImageConfig", S_OBJ),                                    \
        RN_MEMBER("EphemeralStorage", S_OBJ), RN_MEMBER("SnapStart", S_OBJ), RN_MEMBER("LoggingConfig", S_OBJ)

static const rn_member_t create_in[] = {
    RN_MEMBER("FunctionName", S_STR), RN_MEMBER("Code", S_OBJ), RN_MEMBER("Publish", S_BOOL),
    RN_MEMBER("PackageType", S_STR), RN_MEMBER("Tags", M_STR), RN_MEMBER("CodeSigningConfigArn", S_STR),
    RN_MEMBER("Architectures", L_STR), CONFIG_MEMBERS, RN_END};
static const rn_member_t update_config_in[] = {FN, RN_MEMBER("RevisionId", S_STR), CONFIG_MEMBERS, RN_END};
static const rn_member_t update_code_in[] = {
    FN, RN_MEMBER("ZipFile", S_STR), RN_MEMBER("S3Bucket", S_STR), RN_MEMBER("S3Key", S_STR),
    RN_MEMBER("S3ObjectVersion", S_STR), RN_MEMBER("ImageUri", S_STR), RN_MEMBER("Publish", S_BOOL),
    RN_MEMBER("DryRun", S_BOOL), RN_MEMBER("RevisionId", S_STR), RN_MEMBER("Architectures", L_STR),
    RN_MEMBER(LAMBDA_LOCAL_DIR, S_STR), RN_END};
static const rn_member_t fn_qualified[] = {FN, QUALIFIER, RN_END};
static const rn_member_t list_in[] = {RN_AT(QUERY, "MasterRegion", "MasterRegion", S_STR),
                                      RN_AT(QUERY, "FunctionVersion", "FunctionVersion", S_STR), MARKER,
                                      MAX_ITEMS, RN_END};
static const rn_member_t invoke_in[] = {
    FN,
    RN_AT(HEADER, "InvocationType", "X-Amz-Invocation-Type", S_STR),
    RN_AT(HEADER, "LogType", "X-Amz-Log-Type", S_STR),
    RN_AT(HEADER, "ClientContext", "X-Amz-Client-Context", S_STR),
    QUALIFIER,
    RN_AT(PAYLOAD, "Payload", "Payload", S_STR),
    RN_END};
static const rn_member_t invoke_out[] = {
    RN_AT(STATUS, "StatusCode", "StatusCode", S_INT),
    RN_AT(HEADER, "FunctionError", "X-Amz-Function-Error", S_STR),
    RN_AT(HEADER, "LogResult", "X-Amz-Log-Result", S_STR),
    RN_AT(HEADER, "ExecutedVersion", "X-Amz-Executed-Version", S_STR),
    RN_AT(PAYLOAD, "Payload", "Payload", S_STR),
    RN_END};
static const rn_member_t none_in[] = {RN_END};
static const rn_member_t fn_only[] = {FN, RN_END};
static const rn_member_t publish_in[] = {FN, RN_MEMBER("CodeSha256", S_STR), RN_MEMBER("Description", S_STR),
                                         RN_MEMBER("RevisionId", S_STR), RN_END};
static const rn_member_t list_versions_in[] = {FN, MARKER, MAX_ITEMS, RN_END};
#define ALIAS RN_AT(URI, "Name", "Name", S_STR)
#define ALIAS_BODY                                                                                                 \
    RN_MEMBER("FunctionVersion", S_STR), RN_MEMBER("Description", S_STR), RN_MEMBER("RoutingConfig", S_OBJ)
static const rn_member_t create_alias_in[] = {FN, RN_MEMBER("Name", S_STR), ALIAS_BODY, RN_END};
static const rn_member_t alias_only[] = {FN, ALIAS, RN_END};
static const rn_member_t update_alias_in[] = {FN, ALIAS, ALIAS_BODY, RN_MEMBER("RevisionId", S_STR), RN_END};
static const rn_member_t list_aliases_in[] = {FN, RN_AT(QUERY, "FunctionVersion", "FunctionVersion", S_STR), MARKER,
                                              MAX_ITEMS, RN_END};
static const rn_member_t put_concurrency_in[] = {FN, RN_MEMBER("ReservedConcurrentExecutions", S_INT), RN_END};
static const rn_member_t eic_in[] = {FN, QUALIFIER, RN_MEMBER("MaximumRetryAttempts", S_INT),
                                     RN_MEMBER("MaximumEventAgeInSeconds", S_INT),
                                     RN_MEMBER("DestinationConfig", S_OBJ), RN_END};
static const rn_member_t eic_list_in[] = {FN, MARKER, MAX_ITEMS, RN_END};
#define EIC "/2019-09-25/functions/{FunctionName}/event-invoke-config"
static const rn_member_t add_permission_in[] = {
    FN, QUALIFIER, RN_MEMBER("StatementId", S_STR), RN_MEMBER("Action", S_STR), RN_MEMBER("Principal", S_STR),
    RN_MEMBER("SourceArn", S_STR), RN_MEMBER("SourceAccount", S_STR), RN_MEMBER("EventSourceToken", S_STR),
    RN_MEMBER("RevisionId", S_STR), RN_MEMBER("PrincipalOrgID", S_STR), RN_MEMBER("FunctionUrlAuthType", S_STR),
    RN_END};
static const rn_member_t remove_permission_in[] = {FN, RN_AT(URI, "StatementId", "StatementId", S_STR), QUALIFIER,
                                                   RN_AT(QUERY, "RevisionId", "RevisionId", S_STR), RN_END};
#define LAYER RN_AT(URI, "LayerName", "LayerName", S_STR)
#define LAYER_VERSION RN_AT(URI, "VersionNumber", "VersionNumber", S_LONG)
static const rn_shape_t S_LONG = {RN_T_LONG};
static const rn_member_t publish_layer_in[] = {LAYER, RN_MEMBER("Description", S_STR), RN_MEMBER("Content", S_OBJ),
                                               RN_MEMBER("CompatibleRuntimes", L_STR),
                                               RN_MEMBER("LicenseInfo", S_STR),
                                               RN_MEMBER("CompatibleArchitectures", L_STR), RN_END};
static const rn_member_t layer_version[] = {LAYER, LAYER_VERSION, RN_END};
static const rn_member_t list_layer_versions_in[] = {
    LAYER, RN_AT(QUERY, "CompatibleRuntime", "CompatibleRuntime", S_STR), MARKER, MAX_ITEMS,
    RN_AT(QUERY, "CompatibleArchitecture", "CompatibleArchitecture", S_STR), RN_END};
static const rn_member_t list_layers_in[] = {RN_AT(QUERY, "CompatibleRuntime", "CompatibleRuntime", S_STR), MARKER,
                                             MAX_ITEMS, RN_END};
#define LAYERS "/2018-10-31/layers"
#define RESOURCE RN_AT(URI, "Resource", "Resource", S_STR)
static const rn_member_t resource_only[] = {RESOURCE, RN_END};
static const rn_member_t tag_in[] = {RESOURCE, RN_MEMBER("Tags", M_STR), RN_END};
static const rn_member_t untag_in[] = {RESOURCE, RN_AT(QUERY, "TagKeys", "tagKeys", L_STR), RN_END};
static const rn_shape_t L_ANY = {RN_T_LIST, .elem = &S_OBJ};
#define ESM_MEMBERS                                                                                                \
    RN_MEMBER("FunctionName", S_STR), RN_MEMBER("Enabled", S_BOOL), RN_MEMBER("BatchSize", S_INT),                 \
        RN_MEMBER("FilterCriteria", S_OBJ), RN_MEMBER("MaximumBatchingWindowInSeconds", S_INT),                    \
        RN_MEMBER("FunctionResponseTypes", L_STR), RN_MEMBER("ScalingConfig", S_OBJ),                              \
        RN_MEMBER("DestinationConfig", S_OBJ), RN_MEMBER("MaximumRetryAttempts", S_INT),                           \
        RN_MEMBER("MaximumRecordAgeInSeconds", S_INT), RN_MEMBER("BisectBatchOnFunctionError", S_BOOL),            \
        RN_MEMBER("ParallelizationFactor", S_INT), RN_MEMBER("SourceAccessConfigurations", L_ANY),                 \
        RN_MEMBER("TumblingWindowInSeconds", S_INT), RN_MEMBER("KMSKeyArn", S_STR),                                \
        RN_MEMBER("MetricsConfig", S_OBJ)
static const rn_member_t esm_create_in[] = {RN_MEMBER("EventSourceArn", S_STR), RN_MEMBER("StartingPosition", S_STR),
                                            RN_MEMBER("Tags", M_STR), ESM_MEMBERS, RN_END};
static const rn_member_t esm_update_in[] = {RN_AT(URI, "UUID", "UUID", S_STR), ESM_MEMBERS, RN_END};
static const rn_member_t esm_uuid[] = {RN_AT(URI, "UUID", "UUID", S_STR), RN_END};
static const rn_member_t esm_list_in[] = {RN_AT(QUERY, "EventSourceArn", "EventSourceArn", S_STR),
                                          RN_AT(QUERY, "FunctionName", "FunctionName", S_STR), MARKER, MAX_ITEMS,
                                          RN_END};

#define FNS "/2015-03-31/functions"
#define ESMS "/2015-03-31/event-source-mappings"

static const rn_op_t ops[] = {
    {"DeleteLayerVersion", layer_version, NULL, "DELETE", LAYERS "/{LayerName}/versions/{VersionNumber}", 204},
    {"GetLayerVersion", layer_version, NULL, "GET", LAYERS "/{LayerName}/versions/{VersionNumber}", 200},
    {"ListLayerVersions", list_layer_versions_in, NULL, "GET", LAYERS "/{LayerName}/versions", 200},
    {"ListLayers", list_layers_in, NULL, "GET", LAYERS, 200},
    {"PublishLayerVersion", publish_layer_in, NULL, "POST", LAYERS "/{LayerName}/versions", 201},
    {"AddPermission", add_permission_in, NULL, "POST", FNS "/{FunctionName}/policy", 201},
    {"CreateAlias", create_alias_in, NULL, "POST", FNS "/{FunctionName}/aliases", 201},
    {"GetPolicy", fn_qualified, NULL, "GET", FNS "/{FunctionName}/policy", 200},
    {"RemovePermission", remove_permission_in, NULL, "DELETE", FNS "/{FunctionName}/policy/{StatementId}", 204},
    {"CreateEventSourceMapping", esm_create_in, NULL, "POST", ESMS, 202},
    {"DeleteAlias", alias_only, NULL, "DELETE", FNS "/{FunctionName}/aliases/{Name}", 204},
    {"GetAlias", alias_only, NULL, "GET", FNS "/{FunctionName}/aliases/{Name}", 200},
    {"ListAliases", list_aliases_in, NULL, "GET", FNS "/{FunctionName}/aliases", 200},
    {"ListVersionsByFunction", list_versions_in, NULL, "GET", FNS "/{FunctionName}/versions", 200},
    {"PublishVersion", publish_in, NULL, "POST", FNS "/{FunctionName}/versions", 201},
    {"UpdateAlias", update_alias_in, NULL, "PUT", FNS "/{FunctionName}/aliases/{Name}", 200},
    {"CreateFunction", create_in, NULL, "POST", FNS, 201},
    {"DeleteEventSourceMapping", esm_uuid, NULL, "DELETE", ESMS "/{UUID}", 202},
    {"DeleteFunctionEventInvokeConfig", fn_qualified, NULL, "DELETE", EIC, 204},
    {"GetFunctionEventInvokeConfig", fn_qualified, NULL, "GET", EIC, 200},
    {"ListFunctionEventInvokeConfigs", eic_list_in, NULL, "GET", EIC "/list", 200},
    {"PutFunctionEventInvokeConfig", eic_in, NULL, "PUT", EIC, 200},
    {"UpdateFunctionEventInvokeConfig", eic_in, NULL, "POST", EIC, 200},
    {"DeleteFunctionConcurrency", fn_only, NULL, "DELETE", "/2017-10-31/functions/{FunctionName}/concurrency", 204},
    {"GetFunctionConcurrency", fn_only, NULL, "GET", "/2019-09-30/functions/{FunctionName}/concurrency", 200},
    {"ListTags", resource_only, NULL, "GET", "/2017-03-31/tags/{Resource}", 200},
    {"PutFunctionConcurrency", put_concurrency_in, NULL, "PUT", "/2017-10-31/functions/{FunctionName}/concurrency",
     200},
    {"TagResource", tag_in, NULL, "POST", "/2017-03-31/tags/{Resource}", 204},
    {"UntagResource", untag_in, NULL, "DELETE", "/2017-03-31/tags/{Resource}", 204},
    {"GetEventSourceMapping", esm_uuid, NULL, "GET", ESMS "/{UUID}", 200},
    {"ListEventSourceMappings", esm_list_in, NULL, "GET", ESMS, 200},
    {"UpdateEventSourceMapping", esm_update_in, NULL, "PUT", ESMS "/{UUID}", 202},
    {"DeleteFunction", fn_qualified, NULL, "DELETE", FNS "/{FunctionName}", 204},
    {"GetAccountSettings", none_in, NULL, "GET", "/2016-08-19/account-settings", 200},
    {"GetFunction", fn_qualified, NULL, "GET", FNS "/{FunctionName}", 200},
    {"GetFunctionConfiguration", fn_qualified, NULL, "GET", FNS "/{FunctionName}/configuration", 200},
    {"Invoke", invoke_in, invoke_out, "POST", FNS "/{FunctionName}/invocations", 200},
    {"ListFunctions", list_in, NULL, "GET", FNS, 200},
    {"UpdateFunctionCode", update_code_in, NULL, "PUT", FNS "/{FunctionName}/code", 200},
    {"UpdateFunctionConfiguration", update_config_in, NULL, "PUT", FNS "/{FunctionName}/configuration", 200},
    {NULL, NULL, NULL, NULL, NULL, 0},
};

const rn_api_t lambda_api = {.ops = ops};

/* Lambda's dated paths (and the function URL of no other service). */
size_t lambda_body_limit(const char *method, const char *path)
{
    /* code uploads: AWS's own request limit for CreateFunction,
     * UpdateFunctionCode and PublishLayerVersion (a 50 MB zip, base64) */
    if (!method || !path)
        return 0;
    if ((!strcmp(method, "POST") && !strcmp(path, "/2015-03-31/functions")) ||
        (!strcmp(method, "PUT") && !strncmp(path, "/2015-03-31/functions/", 22) && strstr(path, "/code")) ||
        (!strcmp(method, "POST") && !strncmp(path, "/2018-10-31/layers/", 19)))
        return 70167211 + 4096;
    return 0;
}

int lambda_owns_path(const char *path)
{
    static const char *const prefixes[] = {"/2015-03-31/", "/2016-08-19/", "/2017-03-31/", "/2017-10-31/",
                                           "/2018-10-31/", "/2019-09-25/", "/2019-09-30/", "/2020-04-22/",
                                           "/2020-06-30/", "/2021-10-31/", "/2014-11-13/", NULL};
    for (int i = 0; prefixes[i]; i++)
        if (!strncmp(path, prefixes[i], strlen(prefixes[i])))
            return 1;
    return 0;
}
