/* SPDX-License-Identifier: MIT
 * DynamoDB's expression language: condition and filter expressions, key
 * conditions, update expressions and projections, parsed into trees and
 * evaluated against items (AttributeValue objects, DynamoDB JSON). Every
 * error is a ValidationException with AWS's message. A parse uses one arena
 * (ddb_expr_t) freed at once; values are borrowed from the request's
 * ExpressionAttributeValues. Names (#n) and values (:v) used are recorded in
 * the shared ddb_expr_names_t, so a request can check that none is unused. */
#ifndef RN_DDB_EXPR_H
#define RN_DDB_EXPR_H
#include <jansson.h>
#include <stddef.h>

/* One request's substitutions and what its expressions used of them. */
typedef struct ddb_subst {
    json_t *names;  /* ExpressionAttributeNames, borrowed, may be NULL */
    json_t *values; /* ExpressionAttributeValues, borrowed, may be NULL */
    json_t *used_names, *used_values; /* owned objects used as sets */
} ddb_subst_t;

#define DDB_EXPR_MAX_PATH 32

typedef struct ddb_path_el {
    const char *name; /* NULL: a list index */
    long index;
} ddb_path_el_t;

typedef struct ddb_path {
    ddb_path_el_t *el;
    int n;
} ddb_path_t;

enum {
    DN_PATH, DN_VALUE, DN_FUNC, DN_CMP, DN_BETWEEN, DN_IN, DN_AND, DN_OR, DN_NOT, DN_PLUS, DN_MINUS,
};
enum { CMP_EQ, CMP_NE, CMP_LT, CMP_LE, CMP_GT, CMP_GE };

typedef struct ddb_node ddb_node_t;
struct ddb_node {
    int kind;
    int op;               /* DN_CMP: CMP_* */
    const char *fn;       /* DN_FUNC: lower-case name */
    ddb_node_t **kid;
    int nkid;
    ddb_path_t path;      /* DN_PATH */
    const json_t *value;  /* DN_VALUE, borrowed */
    int paren;            /* written in parentheses (for the redundancy check) */
};

enum { UP_SET, UP_REMOVE, UP_ADD, UP_DELETE };
typedef struct ddb_action {
    int kind;
    ddb_path_t path;
    ddb_node_t *value; /* SET: the value expression; ADD/DELETE: the value */
} ddb_action_t;

typedef struct ddb_expr ddb_expr_t; /* an arena and what was parsed into it */

ddb_expr_t *ddb_expr_new(void);
void ddb_expr_free(ddb_expr_t *e);

/* Parsers. what: the parameter's name as messages say it ("ConditionExpression").
 * 0 with the result, or DDB_ERR_VALIDATION with AWS's message in msg. */
int ddb_parse_condition(ddb_expr_t *e, const char *text, const char *what, ddb_subst_t *s, ddb_node_t **out,
                        char *msg, size_t len);
int ddb_parse_update(ddb_expr_t *e, const char *text, ddb_subst_t *s, ddb_action_t **out, int *n, char *msg,
                     size_t len);
int ddb_parse_projection(ddb_expr_t *e, const char *text, ddb_subst_t *s, ddb_path_t **out, int *n, char *msg,
                         size_t len);

/* Building trees by hand (the legacy parameters): a node with nkid
 * children, a one-name path, a copy of a string, raw memory; all in e. NULL
 * when out of memory. */
ddb_node_t *ddb_expr_node(ddb_expr_t *e, int kind, int nkid);
ddb_node_t *ddb_expr_path_node(ddb_expr_t *e, const char *name);
const char *ddb_expr_str(ddb_expr_t *e, const char *s);
void *ddb_expr_alloc(ddb_expr_t *e, size_t n);

/* The unused-substitution check after every expression of a request is
 * parsed: 0 or DDB_ERR_VALIDATION. */
int ddb_subst_check_unused(const ddb_subst_t *s, char *msg, size_t len);
void ddb_subst_free(ddb_subst_t *s);

/* Evaluation. The value at path in item (borrowed), or NULL. */
json_t *ddb_path_get(const json_t *item, const ddb_path_t *p);
/* 1 when item (NULL: no item) satisfies cond, 0 when not; or
 * DDB_ERR_VALIDATION (a function applied to a wrong type, as AWS reports). */
int ddb_eval(const ddb_node_t *cond, const json_t *item, const char *what, char *msg, size_t len);
/* Applies actions to a copy of item (NULL: a new item with only key) and
 * returns it in *out (new reference). Every value is read from the item as it
 * was. 0 or DDB_ERR_VALIDATION. */
int ddb_apply_update(const ddb_action_t *a, int n, const json_t *item, json_t **out, char *msg, size_t len);
/* A new item holding only the paths listed (NULL item: NULL). */
json_t *ddb_project(const json_t *item, const ddb_path_t *p, int n);
/* AWS's overlap and conflict check of the paths of one expression: 0 or
 * DDB_ERR_VALIDATION. */
int ddb_paths_check_overlap(const ddb_path_t *paths, int n, char *msg, size_t len, const char *what);
/* The path's text as AWS prints paths in messages ("a.b[1]"). */
void ddb_path_text(const ddb_path_t *p, char *buf, size_t len);
#endif
