/* SPDX-License-Identifier: MIT
 * EventBridge Schemas' API (2019-12-02, REST-JSON), the operations Runnel
 * serves, as one protocol-neutral description: each operation's method, URI
 * template and status of success, and where each input member travels. The
 * replies are the operations' JSON results as they are (no output
 * descriptions). Operations not listed (code bindings, resource policies)
 * match no route. */
#include "schemas/schemas.h"

#include <stddef.h>

static const rn_shape_t S_STR = {RN_T_STR}, S_INT = {RN_T_INT}, S_BOOL = {RN_T_BOOL};
static const rn_shape_t L_STR = {RN_T_LIST, .elem = &S_STR};
static const rn_shape_t M_STR = {RN_T_MAP, .elem = &S_STR};
static const rn_shape_t L_ANY = {RN_T_LIST, .elem = &S_STR};

#define REGISTRY RN_AT(URI, "RegistryName", "registryName", S_STR)
#define SCHEMA RN_AT(URI, "SchemaName", "schemaName", S_STR)
#define DISCOVERER RN_AT(URI, "DiscovererId", "discovererId", S_STR)
#define LIMIT RN_AT(QUERY, "Limit", "limit", S_INT)
#define NEXT RN_AT(QUERY, "NextToken", "nextToken", S_STR)
#define VERSION_Q RN_AT(QUERY, "SchemaVersion", "schemaVersion", S_STR)
#define TAGS RN_RENAMED("Tags", "tags", M_STR)
#define DESCRIPTION RN_MEMBER("Description", S_STR)

static const rn_member_t create_discoverer_in[] = {
    DESCRIPTION, RN_MEMBER("SourceArn", S_STR), RN_MEMBER("CrossAccount", S_BOOL), TAGS, RN_END};
static const rn_member_t registry_only[] = {REGISTRY, RN_END};
static const rn_member_t create_registry_in[] = {DESCRIPTION, REGISTRY, TAGS, RN_END};
static const rn_member_t update_registry_in[] = {DESCRIPTION, REGISTRY, RN_END};
static const rn_member_t create_schema_in[] = {
    RN_MEMBER("Content", S_STR), DESCRIPTION, REGISTRY, SCHEMA, TAGS, RN_MEMBER("Type", S_STR), RN_END};
static const rn_member_t update_schema_in[] = {RN_MEMBER("ClientTokenId", S_STR), RN_MEMBER("Content", S_STR),
                                               DESCRIPTION, REGISTRY, SCHEMA, RN_MEMBER("Type", S_STR), RN_END};
static const rn_member_t schema_only[] = {REGISTRY, SCHEMA, RN_END};
static const rn_member_t describe_schema_in[] = {REGISTRY, SCHEMA, VERSION_Q, RN_END};
static const rn_member_t delete_version_in[] = {
    REGISTRY, SCHEMA, RN_AT(URI, "SchemaVersion", "schemaVersion", S_STR), RN_END};
static const rn_member_t export_in[] = {REGISTRY, SCHEMA, VERSION_Q, RN_AT(QUERY, "Type", "type", S_STR), RN_END};
static const rn_member_t discoverer_only[] = {DISCOVERER, RN_END};
static const rn_member_t update_discoverer_in[] = {DESCRIPTION, DISCOVERER, RN_MEMBER("CrossAccount", S_BOOL),
                                                   RN_END};
static const rn_member_t discovered_in[] = {RN_MEMBER("Events", L_ANY), RN_MEMBER("Type", S_STR), RN_END};
static const rn_member_t list_discoverers_in[] = {
    RN_AT(QUERY, "DiscovererIdPrefix", "discovererIdPrefix", S_STR), LIMIT, NEXT,
    RN_AT(QUERY, "SourceArnPrefix", "sourceArnPrefix", S_STR), RN_END};
static const rn_member_t list_registries_in[] = {
    LIMIT, NEXT, RN_AT(QUERY, "RegistryNamePrefix", "registryNamePrefix", S_STR),
    RN_AT(QUERY, "Scope", "scope", S_STR), RN_END};
static const rn_member_t list_versions_in[] = {LIMIT, NEXT, REGISTRY, SCHEMA, RN_END};
static const rn_member_t list_schemas_in[] = {
    LIMIT, NEXT, REGISTRY, RN_AT(QUERY, "SchemaNamePrefix", "schemaNamePrefix", S_STR), RN_END};
static const rn_member_t search_in[] = {RN_AT(QUERY, "Keywords", "keywords", S_STR), LIMIT, NEXT, REGISTRY, RN_END};
static const rn_member_t arn_only[] = {RN_AT(URI, "ResourceArn", "resource-arn", S_STR), RN_END};
static const rn_member_t tag_in[] = {RN_AT(URI, "ResourceArn", "resource-arn", S_STR), TAGS, RN_END};
static const rn_member_t untag_in[] = {RN_AT(URI, "ResourceArn", "resource-arn", S_STR),
                                       RN_AT(QUERY, "TagKeys", "tagKeys", L_STR), RN_END};

#define REG "/v1/registries/name/{registryName}"
#define SCH REG "/schemas/name/{schemaName}"
#define DISC "/v1/discoverers/id/{discovererId}"

static const rn_op_t ops[] = {
    {"CreateDiscoverer", create_discoverer_in, NULL, "POST", "/v1/discoverers", 201},
    {"CreateRegistry", create_registry_in, NULL, "POST", REG, 201},
    {"CreateSchema", create_schema_in, NULL, "POST", SCH, 201},
    {"DeleteDiscoverer", discoverer_only, NULL, "DELETE", DISC, 204},
    {"DeleteRegistry", registry_only, NULL, "DELETE", REG, 204},
    {"DeleteSchema", schema_only, NULL, "DELETE", SCH, 204},
    {"DeleteSchemaVersion", delete_version_in, NULL, "DELETE", SCH "/version/{schemaVersion}", 204},
    {"DescribeDiscoverer", discoverer_only, NULL, "GET", DISC, 200},
    {"DescribeRegistry", registry_only, NULL, "GET", REG, 200},
    {"DescribeSchema", describe_schema_in, NULL, "GET", SCH, 200},
    {"ExportSchema", export_in, NULL, "GET", SCH "/export", 200},
    {"GetDiscoveredSchema", discovered_in, NULL, "POST", "/v1/discover", 200},
    {"ListDiscoverers", list_discoverers_in, NULL, "GET", "/v1/discoverers", 200},
    {"ListRegistries", list_registries_in, NULL, "GET", "/v1/registries", 200},
    {"ListSchemaVersions", list_versions_in, NULL, "GET", SCH "/versions", 200},
    {"ListSchemas", list_schemas_in, NULL, "GET", REG "/schemas", 200},
    {"ListTagsForResource", arn_only, NULL, "GET", "/tags/{resource-arn}", 200},
    {"SearchSchemas", search_in, NULL, "GET", REG "/schemas/search", 200},
    {"StartDiscoverer", discoverer_only, NULL, "POST", DISC "/start", 200},
    {"StopDiscoverer", discoverer_only, NULL, "POST", DISC "/stop", 200},
    {"TagResource", tag_in, NULL, "POST", "/tags/{resource-arn}", 204},
    {"UntagResource", untag_in, NULL, "DELETE", "/tags/{resource-arn}", 204},
    {"UpdateDiscoverer", update_discoverer_in, NULL, "PUT", DISC, 200},
    {"UpdateRegistry", update_registry_in, NULL, "PUT", REG, 200},
    {"UpdateSchema", update_schema_in, NULL, "PUT", SCH, 200},
    {NULL, NULL, NULL, NULL, NULL, 0},
};

const rn_api_t schemas_api = {ops, NULL, NULL, NULL};
