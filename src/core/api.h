/* SPDX-License-Identifier: MIT
 * A service's API described once, in protocol-neutral terms: each operation's
 * input and output members with their types, lists, maps and the names the
 * wire uses for them. It is API knowledge (it comes from the service's model),
 * so it lives with the service; every protocol codec in aws/ reads the same
 * description. Inputs and outputs reach the service as JSON objects keyed by
 * each member's `name`. All of it is static data. */
#ifndef RN_API_H
#define RN_API_H
#include <stddef.h>

enum {
    RN_T_STR,    /* string */
    RN_T_INT,    /* 32-bit integer */
    RN_T_LONG,   /* 64-bit integer */
    RN_T_BOOL,
    RN_T_BLOB,   /* base64 text on every protocol that carries it as text */
    RN_T_TIME,   /* timestamp, carried as its wire text */
    RN_T_STRUCT,
    RN_T_LIST,
    RN_T_MAP,
};

typedef struct rn_shape rn_shape_t;

/* Where a REST member travels (the model's "location"). */
enum {
    RN_LOC_BODY,    /* a member of the JSON body, under its wire name */
    RN_LOC_URI,     /* a {label} of the URI template; {label+} takes the rest of the path */
    RN_LOC_QUERY,   /* a query-string parameter (a list: the parameter repeated) */
    RN_LOC_HEADER,  /* a header */
    RN_LOC_PAYLOAD, /* the whole body, as text */
    RN_LOC_STATUS,  /* output only: the HTTP status */
};

typedef struct rn_member {
    const char *name; /* member name (the JSON protocols' key) */
    const char *wire; /* query parameter / XML element name / URI label / header / REST body key
                       * (the model's locationName) */
    const rn_shape_t *shape;
    int loc;          /* RN_LOC_*: REST only; the other protocols ignore it */
} rn_member_t;

struct rn_shape {
    int type;                    /* RN_T_* */
    const rn_member_t *members;  /* RN_T_STRUCT: ends with a NULL name */
    const rn_shape_t *elem;      /* RN_T_LIST element, RN_T_MAP value */
    const char *key, *value;     /* RN_T_MAP entry names; NULL: "key", "value" */
    int flat;                    /* list or map flattened on the query wire
                                  * (Name.N, repeated <Name>) rather than
                                  * wrapped (Name.member.N, <Name><member>) */
};

typedef struct rn_op {
    const char *name;
    const rn_member_t *in;
    const rn_member_t *out; /* NULL: the response carries no result (REST:
                             * the result object is the body as it is) */
    /* REST: the method, the URI template ("/v1/registries/name/{registryName}",
     * literal segments and {labels}) and the status of success. */
    const char *method;
    const char *uri;
    int status;
} rn_op_t;

typedef struct rn_api {
    const rn_op_t *ops;         /* ends with a NULL name */
    const char *xml_ns;         /* the query protocol's XML namespace */
    /* When set, a query request posted to a resource URL path
     * ("/ACCOUNT/NAME") without this member gets it from the URL (SQS's
     * QueueUrl, as older SDKs send it). */
    const char *path_member;
    /* How the service words an unknown action, the action's name standing
     * for "{}"; NULL: "The action {} is not valid for this endpoint." */
    const char *unknown_action;
} rn_api_t;

/* The operation called `name`, or NULL. */
const rn_op_t *rn_api_op(const rn_api_t *api, const char *name);

/* Shorthands for description tables. */
#define RN_MEMBER(name, shape) {name, name, &shape, RN_LOC_BODY}
#define RN_RENAMED(name, wire, shape) {name, wire, &shape, RN_LOC_BODY}
#define RN_AT(loc, name, wire, shape) {name, wire, &shape, RN_LOC_##loc}
#define RN_END {NULL, NULL, NULL, 0}
#endif
