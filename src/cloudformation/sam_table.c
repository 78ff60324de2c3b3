/* SPDX-License-Identifier: MIT
 * AWS::Serverless::SimpleTable as SAM expands it: an AWS::DynamoDB::Table
 * under the same id with one hash key (PrimaryKey, by default id of type
 * String), on-demand billing unless ProvisionedThroughput is given, and the
 * name, tags and encryption settings passed through. */
#include <string.h>

#include "cloudformation/sam_int.h"

void sam_simple_table(sam_ctx_t *c, const char *id, const json_t *res, const json_t *props)
{
    static const char *const known[] = {"PrimaryKey", "ProvisionedThroughput", "TableName", "Tags",
                                        "SSESpecification", "PointInTimeRecoverySpecification", NULL};
    if (sam_check_props(c, id, props, "AWS::Serverless::SimpleTable", known, NULL))
        return;
    const json_t *pk = json_object_get(props, "PrimaryKey");
    const json_t *name = json_object_get(pk, "Name"), *type = json_object_get(pk, "Type");
    const char *attr_type = "S";
    if (pk) {
        if (!json_is_object(pk)) {
            sam_error(c, id, "Property 'PrimaryKey' should be a map.");
            return;
        }
        if (!name || json_is_null(name)) {
            sam_error(c, id, "Property 'PrimaryKey.Name' is required.");
            return;
        }
        if (!type || json_is_null(type)) {
            sam_error(c, id, "Property 'PrimaryKey.Type' is required.");
            return;
        }
        const char *t = json_string_value(type);
        attr_type = !t ? NULL : strcmp(t, "String") == 0 ? "S" : strcmp(t, "Number") == 0 ? "N"
                              : strcmp(t, "Binary") == 0 ? "B" : NULL;
        if (!attr_type) {
            sam_error(c, id, "Invalid 'Type' \"%s\".", t ? t : "?");
            return;
        }
    }
    json_t *key_name = name ? json_deep_copy(name) : json_string("id");
    json_t *t = json_pack("{s:[{s:O, s:s}], s:[{s:O, s:s}]}", "AttributeDefinitions", "AttributeName", key_name,
                          "AttributeType", attr_type, "KeySchema", "AttributeName", key_name, "KeyType", "HASH");
    json_decref(key_name);
    if (!t) {
        c->oom = 1;
        return;
    }
    sam_copy(c, t, "PointInTimeRecoverySpecification", props, "PointInTimeRecoverySpecification");
    if (json_object_get(props, "ProvisionedThroughput"))
        sam_copy(c, t, "ProvisionedThroughput", props, "ProvisionedThroughput");
    else
        sam_set(c, t, "BillingMode", json_string("PAY_PER_REQUEST"));
    sam_copy(c, t, "SSESpecification", props, "SSESpecification");
    sam_copy(c, t, "TableName", props, "TableName");
    const json_t *tags = json_object_get(props, "Tags");
    if (json_is_object(tags) && json_object_size(tags))
        sam_set(c, t, "Tags", sam_tag_list(c, tags, 0));
    json_t *r = sam_add(c, id, id, "AWS::DynamoDB::Table", t, res);
    if (r) {
        sam_copy(c, r, "DependsOn", res, "DependsOn");
        sam_copy(c, r, "Metadata", res, "Metadata");
    }
}
