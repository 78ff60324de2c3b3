/* SPDX-License-Identifier: MIT
 * AWS::Serverless::Function as SAM expands it: the AWS::Lambda::Function
 * under the same logical id, an execution role <Fn>Role unless Role is
 * given (sam_role.c), a version and alias when AutoPublishAlias is set, and
 * the resources of its Events (sam_events.c). Properties Runnel cannot honour
 * (function URLs, event invoke configs, capacity providers) fail the
 * transform with the reason; DeploymentPreference is accepted and ignored,
 * because Runnel has no CodeDeploy: the alias moves to the new version at
 * once, which is where a successful traffic shift would end. */
#include <stdio.h>
#include <string.h>

#include "cloudformation/sam_int.h"

static const char *const known[] = {
    "FunctionName", "Handler", "Runtime", "CodeUri", "ImageUri", "PackageType", "InlineCode", "DeadLetterQueue",
    "Description", "MemorySize", "Timeout", "VpcConfig", "Role", "AssumeRolePolicyDocument", "Policies", "RolePath",
    "PermissionsBoundary", "Environment", "Events", "Tags", "PropagateTags", "Tracing", "KmsKeyArn",
    "DeploymentPreference", "ReservedConcurrentExecutions", "Layers", "EventInvokeConfig", "EphemeralStorage",
    "AutoPublishAlias", "AutoPublishCodeSha256", "AutoPublishAliasAllProperties", "VersionDescription",
    "ProvisionedConcurrencyConfig", "FileSystemConfigs", "ImageConfig", "CodeSigningConfigArn", "Architectures",
    "SnapStart", "FunctionUrlConfig", "RuntimeManagementConfig", "LoggingConfig", "RecursiveLoop", "SourceKMSKeyArn",
    "CapacityProviderConfig", "FunctionScalingConfig", "VersionDeletionPolicy", "PublishToLatestPublished",
    "TenancyConfig", "DurableConfig", NULL};

/* SAM properties whose resources Runnel does not have, with the reason. */
static const struct {
    const char *prop, *why;
} refused[] = {
    {"EventInvokeConfig", "Runnel has no AWS::Lambda::EventInvokeConfig (asynchronous invocation destinations)"},
    {"FunctionUrlConfig", "Runnel has no Lambda function URLs"},
    {"CapacityProviderConfig", "Runnel has no Lambda capacity providers"},
    {"FunctionScalingConfig", "Runnel has no Lambda capacity providers"},
    {"PublishToLatestPublished", "Runnel has no Lambda capacity providers"},
    {"TenancyConfig", "Runnel has no Lambda tenant isolation"},
    {"DurableConfig", "Runnel has no durable Lambda functions"},
};

/* Properties that go to AWS::Lambda::Function under the same name. */
static const char *const same[] = {
    "FunctionName", "Handler", "Runtime", "Description", "MemorySize", "Timeout", "VpcConfig", "Role", "Environment",
    "KmsKeyArn", "ReservedConcurrentExecutions", "Layers", "FileSystemConfigs", "ImageConfig", "PackageType",
    "Architectures", "SnapStart", "EphemeralStorage", "CodeSigningConfigArn", "RuntimeManagementConfig",
    "LoggingConfig", "RecursiveLoop", NULL};

/* The Code object from InlineCode / CodeUri / ImageUri, as SAM picks. */
static json_t *code(sam_ctx_t *c, const char *id, const json_t *props, int image)
{
    if (image) {
        const json_t *uri = json_object_get(props, "ImageUri");
        if (!uri) {
            sam_error(c, id, "'ImageUri' must be set.");
            return NULL;
        }
        return json_pack("{s:O}", "ImageUri", uri);
    }
    const json_t *inline_code = json_object_get(props, "InlineCode"), *uri = json_object_get(props, "CodeUri");
    if (inline_code && uri) {
        sam_error(c, id, "Only one of 'InlineCode' or 'CodeUri' can be set.");
        return NULL;
    }
    if (!inline_code && !uri) {
        /* SAM's text for a function with neither */
        sam_error(c, id, "Only one of 'InlineCode' or 'CodeUri' can be set.");
        return NULL;
    }
    json_t *o = inline_code ? json_pack("{s:O}", "ZipFile", inline_code) : sam_code_location(c, id, "CodeUri", uri);
    if (o)
        sam_copy(c, o, "SourceKMSKeyArn", props, "SourceKMSKeyArn");
    return o;
}

/* Checks DeadLetterQueue the way SAM does. */
static int check_dlq(sam_ctx_t *c, const char *id, const json_t *dlq)
{
    const json_t *type = json_object_get(dlq, "Type");
    if (!json_is_object(dlq) || !type || !json_object_get(dlq, "TargetArn")) {
        sam_error(c, id, "'DeadLetterQueue' requires Type and TargetArn properties to be specified.");
        return -1;
    }
    if (!json_is_string(type)) {
        sam_error(c, id, "Property 'DeadLetterQueue.Type' should be a string.");
        return -1;
    }
    if (strcmp(json_string_value(type), "SQS") != 0 && strcmp(json_string_value(type), "SNS") != 0) {
        sam_error(c, id, "'DeadLetterQueue' requires Type of ['SQS', 'SNS']");
        return -1;
    }
    return 0;
}

/* The AWS::Lambda::Function Properties, or NULL with the error recorded. */
static json_t *function_props(sam_ctx_t *c, const char *id, const json_t *props)
{
    const json_t *pt = json_object_get(props, "PackageType");
    if (pt && !sam_is_intrinsic(pt) &&
        (!json_is_string(pt) ||
         (strcmp(json_string_value(pt), "Zip") != 0 && strcmp(json_string_value(pt), "Image") != 0))) {
        sam_error(c, id, "PackageType needs to be `Zip` or `Image`");
        return NULL;
    }
    int image = json_is_string(pt) && strcmp(json_string_value(pt), "Image") == 0;
    json_t *fn = json_object();
    for (size_t i = 0; same[i]; i++)
        sam_copy(c, fn, same[i], props, same[i]);
    json_t *cd = code(c, id, props, image);
    if (!cd) {
        json_decref(fn);
        return NULL;
    }
    sam_set(c, fn, "Code", cd);
    const json_t *tracing = json_object_get(props, "Tracing");
    if (tracing && !(json_is_string(tracing) && strcmp(json_string_value(tracing), "Disabled") == 0))
        sam_set(c, fn, "TracingConfig", json_pack("{s:O}", "Mode", tracing));
    const json_t *dlq = json_object_get(props, "DeadLetterQueue");
    if (dlq)
        sam_set(c, fn, "DeadLetterConfig", json_pack("{s:O}", "TargetArn", json_object_get(dlq, "TargetArn")));
    const json_t *tags = json_object_get(props, "Tags");
    if (tags && !json_is_object(tags)) {
        sam_error(c, id, "Property 'Tags' should be a map.");
        json_decref(fn);
        return NULL;
    }
    sam_set(c, fn, "Tags", sam_tag_list(c, tags, 1));
    if (!image && (!json_object_get(props, "Runtime") || !json_object_get(props, "Handler"))) {
        sam_error(c, id, "Runtime and Handler needs to be present when PackageType is of type `Zip`");
        json_decref(fn);
        return NULL;
    }
    if (image && (json_object_get(props, "Runtime") || json_object_get(props, "Handler") ||
                  json_object_get(props, "Layers"))) {
        sam_error(c, id, "Runtime, Handler, Layers cannot be present when PackageType is of type `Image`");
        json_decref(fn);
        return NULL;
    }
    return fn;
}

/* The version and alias of AutoPublishAlias; sets *alias_id (the alias's
 * logical id). Returns 0, or -1 with the error recorded. */
static int publish_alias(sam_ctx_t *c, const char *id, const json_t *res, const json_t *props, json_t *fn,
                         char *alias_id, size_t alias_len)
{
    const json_t *name = json_object_get(props, "AutoPublishAlias");
    if (!json_is_string(name)) {
        sam_error(c, id, "'AutoPublishAlias' must be a string: Runnel's transform does not resolve parameters in it.");
        return -1;
    }
    const char *n = json_string_value(name);
    if (!*n) {
        sam_error(c, id, "Alias name is required to create an alias");
        return -1;
    }
    int digits = 1;
    for (const char *p = n; *p; p++) {
        int ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-' ||
                 *p == '_';
        digits &= *p >= '0' && *p <= '9';
        if (!ok || (digits && !p[1])) {
            sam_error(c, id,
                      "AutoPublishAlias name ('%s') must contain only alphanumeric characters, hyphens, or "
                      "underscores matching (?!^[0-9]+$)([a-zA-Z0-9-_]+) pattern.",
                      n);
            return -1;
        }
    }
    /* The version's id changes with what should publish a new version: the
     * code location, environment and memory (or every property). */
    const json_t *sha = json_object_get(props, "AutoPublishCodeSha256");
    char hash[11];
    if (json_is_string(sha)) {
        snprintf(hash, sizeof hash, "%s", json_string_value(sha));
        const json_t *d = json_object_get(fn, "Description");
        if (!d) {
            sam_set(c, fn, "Description", json_deep_copy(sha));
        } else if (json_is_string(d)) {
            char text[2048];
            snprintf(text, sizeof text, "%s %s", json_string_value(d), json_string_value(sha));
            sam_set(c, fn, "Description", json_string(text));
        } else {
            sam_set(c, fn, "Description", json_pack("{s:[s,[O,O]]}", "Fn::Join", " ", d, sha));
        }
    } else {
        json_t *basis;
        if (json_is_true(json_object_get(props, "AutoPublishAliasAllProperties"))) {
            basis = json_deep_copy(fn);
        } else {
            basis = json_deep_copy(json_object_get(fn, "Code"));
            const json_t *env = json_object_get(fn, "Environment");
            if (json_is_object(env))
                json_object_update(basis, (json_t *)env);
            sam_copy(c, basis, "MemorySize", fn, "MemorySize");
        }
        /* changed local code publishes a new version, as after `sam deploy` */
        json_t *digest = sam_code_digest(json_object_get(fn, "Code"));
        if (digest)
            sam_set(c, basis, "RunnelContentDigest", digest);
        sam_hash10(basis, hash);
        json_decref(basis);
    }
    char ver_id[512];
    snprintf(ver_id, sizeof ver_id, "%sVersion%s", id, hash);
    json_t *vp = json_pack("{s:{s:s}}", "FunctionName", "Ref", id);
    sam_copy(c, vp, "Description", props, "VersionDescription");
    json_t *ver = sam_add(c, id, ver_id, "AWS::Lambda::Version", vp, res);
    if (!ver)
        return -1;
    if (!json_object_get(ver, "DeletionPolicy")) {
        const json_t *vdp = json_object_get(props, "VersionDeletionPolicy");
        sam_set(c, ver, "DeletionPolicy", vdp ? json_deep_copy(vdp) : json_string("Retain"));
    }
    size_t off = (size_t)snprintf(alias_id, alias_len, "%sAlias", id);
    for (const char *p = n; *p && off + 1 < alias_len; p++)
        alias_id[off++] = *p == '-' ? 'D' : *p == '_' ? 'U' : *p;
    alias_id[off] = 0;
    json_t *ap = json_pack("{s:O, s:{s:s}, s:{s:[s,s]}}", "Name", name, "FunctionName", "Ref", id,
                           "FunctionVersion", "Fn::GetAtt", ver_id, "Version");
    sam_copy(c, ap, "ProvisionedConcurrencyConfig", props, "ProvisionedConcurrencyConfig");
    return sam_add(c, id, alias_id, "AWS::Lambda::Alias", ap, res) ? 0 : -1;
}

void sam_function(sam_ctx_t *c, const char *id, const json_t *res, const json_t *props)
{
    if (sam_check_props(c, id, props, "AWS::Serverless::Function", known, NULL))
        return;
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        if (json_object_get(props, refused[i].prop)) {
            sam_error(c, id, "'%s' is not supported by Runnel: %s.", refused[i].prop, refused[i].why);
            return;
        }
    const json_t *dlq = json_object_get(props, "DeadLetterQueue");
    if (dlq && check_dlq(c, id, dlq))
        return;
    const json_t *events = json_object_get(props, "Events");
    if (events && !json_is_object(events)) {
        sam_error(c, id, "Property 'Events' should be a map.");
        return;
    }
    if (json_object_get(props, "ProvisionedConcurrencyConfig") && !json_object_get(props, "AutoPublishAlias")) {
        sam_error(c, id, "To set ProvisionedConcurrencyConfig AutoPublishALias must be defined on the function");
        return;
    }
    json_t *fp = function_props(c, id, props);
    if (!fp)
        return;
    char role_id[512];
    snprintf(role_id, sizeof role_id, "%sRole", id);
    int own_role = !json_object_get(props, "Role");
    if (own_role)
        sam_set(c, fp, "Role", json_pack("{s:[s,s]}", "Fn::GetAtt", role_id, "Arn"));
    json_t *fn = sam_add(c, id, id, "AWS::Lambda::Function", fp, res);
    if (!fn)
        return;
    sam_copy(c, fn, "DependsOn", res, "DependsOn");
    sam_copy(c, fn, "Metadata", res, "Metadata");

    char alias_id[600] = "";
    if (json_object_get(props, "AutoPublishAlias") &&
        publish_alias(c, id, res, props, json_object_get(fn, "Properties"), alias_id, sizeof alias_id))
        return;

    json_t *role = NULL;
    if (own_role) {
        json_t *rp = sam_role_props(c, id, props);
        if (!rp)
            return;
        json_t *r = sam_add(c, id, role_id, "AWS::IAM::Role", rp, res);
        if (!r)
            return;
        role = json_object_get(r, "Properties");
    }
    if (!events || !json_object_size(events))
        return;
    /* With an alias, events call the alias, not $LATEST. */
    json_t *name = json_pack("{s:s}", "Ref", *alias_id ? alias_id : id);
    json_t *arn = *alias_id ? json_pack("{s:s}", "Ref", alias_id) : json_pack("{s:[s,s]}", "Fn::GetAtt", id, "Arn");
    sam_target_t t = {name, arn};
    if (name && arn)
        sam_events(c, id, res, events, &t, role);
    else
        c->oom = 1;
    json_decref(name);
    json_decref(arn);
}
