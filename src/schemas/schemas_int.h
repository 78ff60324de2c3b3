/* SPDX-License-Identifier: MIT
 * Private types of the Schemas service shared by its files: the service
 * object, registries, schemas and their versions, discoverers, one decoded
 * request, and the helpers for failing, persisting and formatting that every
 * operation uses. */
#ifndef RN_SCHEMAS_INT_H
#define RN_SCHEMAS_INT_H
#include <jansson.h>
#include <stdint.h>

#include "core/config.h"
#include "core/map.h"
#include "schemas/schemas.h"
#include "schemas/sc_err.h"
#include "store/store.h"

#define SC_REG_DISCOVERED "discovered-schemas"
#define SC_REG_AWS "aws.events"
#define SC_TYPE_OPENAPI "OpenApi3"
#define SC_TYPE_DRAFT4 "JSONSchemaDraft4"
#define SC_NS_REGISTRY "schemas.registry"
#define SC_NS_SCHEMA "schemas.schema"
#define SC_NS_VERSION "schemas.version"
#define SC_NS_DISCOVERER "schemas.discoverer"

typedef struct sc_version {
    long number;        /* "1", "2"... as AWS numbers them */
    char *content;      /* the document as stored/returned */
    json_t *shape;      /* merged event shape for discovered schemas; NULL otherwise */
    char type[24];
    int64_t created_ms;
} sc_version_t;

typedef struct sc_schema {
    char *registry;
    char *name;
    char *description;      /* NULL when none */
    json_t *tags;           /* object of strings */
    char *source;           /* discovered: the events' source and detail-type */
    char *detail_type;
    sc_version_t **versions; /* ascending by number */
    size_t nversions, cap;
    long last_number;       /* highest number ever used; deleted numbers are not reused */
    int64_t last_modified_ms;
} sc_schema_t;

typedef struct sc_registry {
    char *name;
    char *description;
    json_t *tags;
    int managed;            /* aws.events, discovered-schemas: never persisted or deleted */
    rn_smap_t schemas;      /* name -> sc_schema_t */
} sc_registry_t;

typedef struct sc_discoverer {
    char *id;
    char *source_arn;
    char *description;
    json_t *tags;
    int started;
    int cross_account;
} sc_discoverer_t;

struct schemas {
    uv_loop_t *loop;
    rn_store_t *store;
    const rn_config_t *cfg;
    rn_smap_t registries;   /* name -> sc_registry_t */
    rn_smap_t discoverers;  /* id -> sc_discoverer_t */
    size_t nstarted;
};

/* One call, as the REST-JSON codec decoded it (schemas/api.c). */
typedef struct sc_req {
    const char *op;   /* operation name */
    const json_t *in; /* path labels, query parameters and body members, by member name */
    json_t *out;
    char *msg;
    size_t msglen;
} sc_req_t;

/* A string input member (a path label, a query parameter), NULL when absent. */
const char *sc_arg(const sc_req_t *r, const char *name);

/* Records an AWS error message on the request and returns err. */
int schemas_fail(sc_req_t *r, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A string body member, NULL when absent; BadRequest when not a string. */
int schemas_body_str(sc_req_t *r, const char *name, const char **out);
/* Validates an optional "tags" body member (map of strings). */
int schemas_body_tags(sc_req_t *r, json_t **out);

/* Reads Limit/NextToken for a list of total items: sets *start, *end. */
int schemas_page(sc_req_t *r, size_t total, size_t *start, size_t *end);
/* Sets NextToken on r->out when end < total. */
void schemas_page_token(sc_req_t *r, size_t end, size_t total);
/* Renders one list item; ctx is what the caller passed along. */
typedef json_t *(*sc_item_fn)(schemas_t *s, const void *item, const void *ctx);
/* Answers a list operation: the page of items[0..n) that Limit/NextToken
 * select, each rendered by fn, as r->out.<member>, plus NextToken. */
int schemas_list_reply(schemas_t *s, sc_req_t *r, const char *member, void *const *items, size_t n, sc_item_fn fn,
                       const void *ctx);
/* Formats epoch ms as AWS's ISO 8601 timestamp ("2019-11-22T01:38:02Z"). */
void schemas_time_iso(int64_t ms, char out[32]);
/* ARNs: arn:aws:schemas:<region>:<account>:registry/<name> and friends. */
void schemas_arn(const schemas_t *s, const char *kind, const char *a, const char *b, char *out, size_t n);

/* registry.c */
sc_registry_t *schemas_registry_find(schemas_t *s, const char *name);
sc_registry_t *schemas_registry_ensure(schemas_t *s, const char *name, int managed);
void schemas_registry_free(sc_registry_t *g);
void schemas_registry_persist(schemas_t *s, const sc_registry_t *g);
int schemas_registry_restore(schemas_t *s, const char *name, const char *value);
int schemas_op_create_registry(schemas_t *s, sc_req_t *r);
int schemas_op_describe_registry(schemas_t *s, sc_req_t *r);
int schemas_op_update_registry(schemas_t *s, sc_req_t *r);
int schemas_op_delete_registry(schemas_t *s, sc_req_t *r);
int schemas_op_list_registries(schemas_t *s, sc_req_t *r);
int schemas_op_tags(schemas_t *s, sc_req_t *r);

/* schema.c */
sc_schema_t *schemas_schema_find(sc_registry_t *g, const char *name);
sc_schema_t *schemas_schema_ensure(schemas_t *s, sc_registry_t *g, const char *name);
void schemas_schema_free(sc_schema_t *sc);
void schemas_schema_drop(schemas_t *s, sc_registry_t *g, sc_schema_t *sc);
/* Appends a version (takes ownership of content and shape) and persists it. */
sc_version_t *schemas_version_add(schemas_t *s, sc_schema_t *sc, char *content, json_t *shape, const char *type);
void schemas_schema_persist(schemas_t *s, const sc_schema_t *sc);
int schemas_schema_restore(schemas_t *s, const char *key, const char *value);
int schemas_version_restore(schemas_t *s, const char *key, const char *value);
int schemas_op_create_schema(schemas_t *s, sc_req_t *r);
int schemas_op_update_schema(schemas_t *s, sc_req_t *r);
int schemas_op_describe_schema(schemas_t *s, sc_req_t *r);
int schemas_op_delete_schema(schemas_t *s, sc_req_t *r);
int schemas_op_delete_schema_version(schemas_t *s, sc_req_t *r);
int schemas_op_list_schemas(schemas_t *s, sc_req_t *r);
int schemas_op_search_schemas(schemas_t *s, sc_req_t *r);
int schemas_op_list_schema_versions(schemas_t *s, sc_req_t *r);
int schemas_op_export_schema(schemas_t *s, sc_req_t *r);
int schemas_op_get_discovered_schema(schemas_t *s, sc_req_t *r);

/* discoverer.c */
sc_discoverer_t *schemas_discoverer_find(schemas_t *s, const char *id);
void schemas_discoverer_free(sc_discoverer_t *d);
void schemas_discoverer_persist(schemas_t *s, const sc_discoverer_t *d);
int schemas_discoverer_restore(schemas_t *s, const char *id, const char *value);
int schemas_op_create_discoverer(schemas_t *s, sc_req_t *r);
int schemas_op_describe_discoverer(schemas_t *s, sc_req_t *r);
int schemas_op_update_discoverer(schemas_t *s, sc_req_t *r);
int schemas_op_delete_discoverer(schemas_t *s, sc_req_t *r);
int schemas_op_list_discoverers(schemas_t *s, sc_req_t *r);
int schemas_op_start_discoverer(schemas_t *s, sc_req_t *r);
int schemas_op_stop_discoverer(schemas_t *s, sc_req_t *r);
/* Folds one event into its discovered schema; 1 when a version was added. */
int schemas_discover_event(schemas_t *s, const char *envelope, size_t len, int cross_account);
#endif
