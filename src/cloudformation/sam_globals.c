/* SPDX-License-Identifier: MIT
 * SAM's Globals section: which sections and properties it may hold (SAM's
 * own lists, so the refusal texts name what SAM names), and the merge of a
 * section into each resource of its type. The merge follows SAM: where the
 * resource and Globals both give a map the two merge key by key; both give
 * a list, Globals' items come first; otherwise (scalars, intrinsics,
 * different kinds) the resource's value wins. */
#include <stdio.h>
#include <string.h>

#include "cloudformation/sam_int.h"

static const char *const fn_props[] = {
    "Handler", "Runtime", "CodeUri", "DeadLetterQueue", "Description", "MemorySize", "Timeout", "VpcConfig",
    "Environment", "Tags", "PropagateTags", "Tracing", "KmsKeyArn", "AutoPublishAlias",
    "AutoPublishAliasAllProperties", "Layers", "DeploymentPreference", "RolePath", "PermissionsBoundary",
    "ReservedConcurrentExecutions", "ProvisionedConcurrencyConfig", "AssumeRolePolicyDocument", "EventInvokeConfig",
    "FileSystemConfigs", "CodeSigningConfigArn", "Architectures", "SnapStart", "EphemeralStorage",
    "FunctionUrlConfig", "RuntimeManagementConfig", "LoggingConfig", "RecursiveLoop", "SourceKMSKeyArn",
    "TenancyConfig", "DurableConfig", "CapacityProviderConfig", "FunctionScalingConfig", "PublishToLatestPublished",
    "VersionDeletionPolicy", NULL};
static const char *const api_props[] = {
    "Auth", "Name", "DefinitionUri", "CacheClusterEnabled", "CacheClusterSize", "MergeDefinitions", "Variables",
    "EndpointConfiguration", "MethodSettings", "BinaryMediaTypes", "MinimumCompressionSize", "Cors",
    "GatewayResponses", "AccessLogSetting", "CanarySetting", "TracingEnabled", "OpenApiVersion", "Domain",
    "AlwaysDeploy", "PropagateTags", "SecurityPolicy", "EndpointAccessMode", NULL};
static const char *const httpapi_props[] = {
    "Auth", "AccessLogSettings", "StageVariables", "Tags", "CorsConfiguration", "DefaultRouteSettings", "Domain",
    "RouteSettings", "FailOnWarnings", "PropagateTags", NULL};
static const char *const table_props[] = {"SSESpecification", NULL};
static const char *const sm_props[] = {"PropagateTags", NULL};
static const char *const layer_props[] = {"PublishLambdaVersion", NULL};
static const char *const cp_props[] = {
    "VpcConfig", "OperatorRole", "Tags", "InstanceRequirements", "ScalingConfig", "KmsKeyArn", "PropagateTags", NULL};
static const char *const ws_props[] = {
    "AccessLogSettings", "ApiKeySelectionExpression", "DefaultRouteSettings", "DisableExecuteApiEndpoint",
    "DisableSchemaValidation", "Domain", "FailOnWarnings", "IpAddressType", "PropagateTags",
    "RouteSelectionExpression", "RouteSettings", "StageVariables", "Tags", NULL};

/* The sections, in the sorted order SAM lists them in its messages. */
static const struct {
    const char *name;
    const char *const *props;
} sections[] = {
    {"Api", api_props},
    {"CapacityProvider", cp_props},
    {"Function", fn_props},
    {"HttpApi", httpapi_props},
    {"LayerVersion", layer_props},
    {"SimpleTable", table_props},
    {"StateMachine", sm_props},
    {"WebSocketApi", ws_props},
};
#define NSECTIONS (sizeof sections / sizeof sections[0])

/* Appends Python's rendering of a list of names (['A', 'B']) to buf. */
static void py_list(char *buf, size_t len, size_t n, const char *(*name)(size_t i, const void *arg), const void *arg)
{
    size_t off = strlen(buf);
    off += (size_t)snprintf(buf + off, off < len ? len - off : 0, "[");
    for (size_t i = 0; i < n; i++)
        off += (size_t)snprintf(buf + off, off < len ? len - off : 0, "%s'%s'", i ? ", " : "", name(i, arg));
    snprintf(buf + off, off < len ? len - off : 0, "]");
}

static const char *section_name(size_t i, const void *arg)
{
    (void)arg;
    return sections[i].name;
}

static const char *prop_name(size_t i, const void *arg)
{
    return ((const char *const *)arg)[i];
}

int sam_globals_parse(const json_t *tpl, json_t **globals, char *msg, size_t msglen)
{
    *globals = NULL;
    const json_t *g = json_object_get(tpl, "Globals");
    if (!g) {
        *globals = json_object();
        return 0;
    }
    if (!json_is_object(g)) {
        snprintf(msg, msglen, "'Globals' section is invalid. It must be a non-empty dictionary");
        return -1;
    }
    json_t *out = json_object();
    const char *sec;
    json_t *props;
    json_object_foreach((json_t *)g, sec, props) {
        size_t s = 0;
        while (s < NSECTIONS && strcmp(sections[s].name, sec) != 0)
            s++;
        if (s == NSECTIONS) {
            snprintf(msg, msglen, "'Globals' section is invalid. '%s' is not supported. Must be one of the following "
                     "values - ", sec);
            py_list(msg, msglen, NSECTIONS, section_name, NULL);
            goto fail;
        }
        if (!json_is_object(props)) {
            /* SAM's text really says ${section}. */
            snprintf(msg, msglen, "'Globals' section is invalid. Value of ${section} must be a dictionary");
            goto fail;
        }
        const char *k;
        json_t *v;
        json_object_foreach(props, k, v) {
            size_t i = 0, n = 0;
            while (sections[s].props[n])
                n++;
            while (i < n && strcmp(sections[s].props[i], k) != 0)
                i++;
            if (i == n) {
                snprintf(msg, msglen,
                         "'Globals' section is invalid. '%s' is not a supported property of '%s'. Must be one of the "
                         "following values - ",
                         k, sec);
                py_list(msg, msglen, n, prop_name, sections[s].props);
                goto fail;
            }
        }
        char type[64];
        snprintf(type, sizeof type, "AWS::Serverless::%s", sec);
        if (json_object_set(out, type, props))
            goto fail;
    }
    *globals = out;
    return 0;
fail:
    json_decref(out);
    return -1;
}

/* SAM's merge of one Globals value with the resource's. Returns a new value. */
static json_t *merge(const json_t *g, const json_t *l)
{
    int gmap = json_is_object(g) && !sam_is_intrinsic(g), lmap = json_is_object(l) && !sam_is_intrinsic(l);
    if (gmap && lmap) {
        json_t *out = json_deep_copy(g);
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)l, k, v) {
            const json_t *gv = json_object_get(g, k);
            if (!out || json_object_set_new(out, k, gv ? merge(gv, v) : json_deep_copy(v))) {
                json_decref(out);
                return NULL;
            }
        }
        return out;
    }
    if (json_is_array(g) && json_is_array(l)) {
        json_t *out = json_deep_copy(g);
        json_t *tail = json_deep_copy(l);
        if (!out || !tail || json_array_extend(out, tail)) {
            json_decref(out);
            out = NULL;
        }
        json_decref(tail);
        return out;
    }
    return json_deep_copy(l);
}

json_t *sam_globals_merge(sam_ctx_t *c, const char *id, const json_t *globals, const char *type, const json_t *res)
{
    const json_t *local = json_object_get(res, "Properties");
    json_t *empty = json_object();
    if (!empty) {
        c->oom = 1;
        return NULL;
    }
    if (!local)
        local = empty;
    const json_t *g = json_object_get(globals, type);
    const json_t *ignore = json_object_get(res, "IgnoreGlobals");
    json_t *own = NULL; /* Globals with the ignored keys taken out */
    if (g && ignore) {
        if (json_is_string(ignore) && strcmp(json_string_value(ignore), "*") == 0) {
            g = NULL;
        } else if (json_is_array(ignore)) {
            own = json_deep_copy(g);
            size_t i;
            json_t *k;
            json_array_foreach(ignore, i, k) {
                if (!json_is_string(k) || json_object_del(own, json_string_value(k))) {
                    sam_error(c, id, "Resource %s has invalid resource attribute 'IgnoreGlobals' on item '%s'.", id,
                              json_is_string(k) ? json_string_value(k) : "?");
                    json_decref(own);
                    json_decref(empty);
                    return NULL;
                }
            }
            g = own;
        } else {
            sam_error(c, id, "Resource %s has invalid resource attribute 'IgnoreGlobals'.", id);
            json_decref(empty);
            return NULL;
        }
    }
    json_t *out = g ? merge(g, local) : json_deep_copy(local);
    json_decref(own);
    json_decref(empty);
    if (!out)
        c->oom = 1;
    return out;
}
