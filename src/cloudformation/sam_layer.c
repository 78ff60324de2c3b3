/* SPDX-License-Identifier: MIT
 * AWS::Serverless::LayerVersion as SAM expands it: an
 * AWS::Lambda::LayerVersion whose logical id is the SAM id plus a hash of
 * the SAM resource, so a changed layer is a new resource and the old version
 * stays (DeletionPolicy Retain unless RetentionPolicy says Delete). The
 * layer keeps its name (LayerName, else the SAM id), and sam.c points every
 * reference to the old id at the new one. ContentUri is read like CodeUri. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cloudformation/sam_int.h"

/* The DeletionPolicy from RetentionPolicy (NULL: not given); -1 on error. */
static int retention(sam_ctx_t *c, const char *id, const json_t *rp, const char **out)
{
    *out = NULL;
    if (!rp)
        return 0;
    if (sam_is_intrinsic(rp)) {
        sam_error(c, id, "'RetentionPolicy' does not accept intrinsic functions, please use one of the following "
                  "options: ['Retain', 'Delete']");
        return -1;
    }
    if (!json_is_string(rp)) {
        sam_error(c, id, "Invalid 'RetentionPolicy' type, please use one of the following options: ['Retain', "
                  "'Delete']");
        return -1;
    }
    if (strcasecmp(json_string_value(rp), "Retain") == 0)
        *out = "Retain";
    else if (strcasecmp(json_string_value(rp), "Delete") == 0)
        *out = "Delete";
    else {
        sam_error(c, id, "'RetentionPolicy' must be one of the following options: ['Retain', 'Delete'].");
        return -1;
    }
    return 0;
}

void sam_layer(sam_ctx_t *c, const char *id, const json_t *res, const json_t *props)
{
    static const char *const known[] = {"LayerName", "Description", "PublishLambdaVersion", "ContentUri",
                                        "CompatibleArchitectures", "CompatibleRuntimes", "LicenseInfo",
                                        "RetentionPolicy", NULL};
    static const char *const required[] = {"ContentUri", NULL};
    if (sam_check_props(c, id, props, "AWS::Serverless::LayerVersion", known, required))
        return;
    const char *policy;
    if (retention(c, id, json_object_get(props, "RetentionPolicy"), &policy))
        return;
    /* The id hashes the SAM resource without its deletion attributes (and,
     * for local content, the content's fingerprint, so changed layer code is
     * a new layer version as it is after `sam deploy`). */
    json_t *content = sam_code_location(c, id, "ContentUri", json_object_get(props, "ContentUri"));
    if (!content)
        return;
    json_t *basis = json_pack("{s:{s:s, s:O}}", id, "Type", "AWS::Serverless::LayerVersion", "Properties", props);
    sam_copy(c, json_object_get(basis, id), "Condition", res, "Condition");
    sam_copy(c, json_object_get(basis, id), "DependsOn", res, "DependsOn");
    json_t *digest = sam_code_digest(content);
    if (digest)
        sam_set(c, json_object_get(json_object_get(basis, id), "Properties"), "RunnelContentDigest", digest);
    char hash[11], new_id[600];
    sam_hash10(basis, hash);
    json_decref(basis);
    snprintf(new_id, sizeof new_id, "%s%s", id, hash);

    const json_t *arch = json_object_get(props, "CompatibleArchitectures");
    if (arch && !sam_is_intrinsic(arch)) {
        size_t i;
        json_t *a;
        json_array_foreach(arch, i, a) {
            const char *s = json_string_value(a);
            if (!sam_is_intrinsic(a) && (!s || (strcmp(s, "x86_64") != 0 && strcmp(s, "arm64") != 0))) {
                sam_error(c, new_id, "CompatibleArchitectures needs to be a list of 'x86_64' or 'arm64'");
                json_decref(content);
                return;
            }
        }
    }
    json_t *l = json_object();
    if (json_object_get(props, "LayerName"))
        sam_copy(c, l, "LayerName", props, "LayerName");
    else
        sam_set(c, l, "LayerName", json_string(id));
    sam_copy(c, l, "Description", props, "Description");
    sam_set(c, l, "Content", content);
    sam_copy(c, l, "CompatibleArchitectures", props, "CompatibleArchitectures");
    sam_copy(c, l, "CompatibleRuntimes", props, "CompatibleRuntimes");
    sam_copy(c, l, "LicenseInfo", props, "LicenseInfo");
    json_t *r = sam_add(c, id, new_id, "AWS::Lambda::LayerVersion", l, res);
    if (!r)
        return;
    sam_copy(c, r, "DependsOn", res, "DependsOn");
    sam_copy(c, r, "Metadata", res, "Metadata");
    if (policy)
        sam_set(c, r, "DeletionPolicy", json_string(policy));
    else if (!json_object_get(r, "DeletionPolicy"))
        sam_set(c, r, "DeletionPolicy", json_string("Retain"));
    sam_set(c, c->renamed, id, json_string(new_id));
}
