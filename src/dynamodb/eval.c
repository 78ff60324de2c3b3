/* SPDX-License-Identifier: MIT
 * Evaluating parsed expressions (expr.h) against items: document paths,
 * conditions with DynamoDB's semantics (a missing attribute compares false,
 * values of different types are never equal), update actions computed from
 * the item as it was, and projections. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base64.h"
#include "core/mem.h"
#include "dynamodb/ddb_int.h"
#include "dynamodb/expr.h"

json_t *ddb_path_get(const json_t *item, const ddb_path_t *p)
{
    if (!item || p->n == 0 || !p->el[0].name)
        return NULL;
    json_t *v = json_object_get(item, p->el[0].name);
    for (int i = 1; v && i < p->n; i++) {
        const char *t = ddb_type(v);
        if (p->el[i].name)
            v = t && !strcmp(t, "M") ? json_object_get(ddb_inner(v), p->el[i].name) : NULL;
        else
            v = t && !strcmp(t, "L") ? json_array_get(ddb_inner(v), (size_t)p->el[i].index) : NULL;
    }
    return v;
}

static int type_fail(char *msg, size_t len, const char *what, const char *fn, const char *type)
{
    snprintf(msg, len,
             "Invalid %s: Incorrect operand type for operator or function; operator or function: %s, operand type: %s",
             what, fn, type);
    return DDB_ERR_VALIDATION;
}

/* The value of an operand (borrowed or owned through *own), NULL when absent. */
static json_t *operand(const ddb_node_t *x, const json_t *item, json_t **own, const char *what, int *err, char *msg,
                       size_t len)
{
    *own = NULL;
    if (x->kind == DN_VALUE)
        return (json_t *)x->value;
    if (x->kind == DN_PATH)
        return ddb_path_get(item, &x->path);
    if (x->kind == DN_FUNC && !strcmp(x->fn, "size")) {
        json_t *v = ddb_path_get(item, &x->kid[0]->path);
        if (!v)
            return NULL;
        const char *t = ddb_type(v);
        json_t *in = ddb_inner(v);
        size_t n;
        if (!strcmp(t, "S"))
            n = json_string_length(in);
        else if (!strcmp(t, "B")) {
            unsigned char *raw = NULL;
            rn_b64_decode(json_string_value(in), json_string_length(in), &raw, &n);
            rn_free(raw);
        } else if (!strcmp(t, "M"))
            n = json_object_size(in);
        else if (t[0] == 'L' || t[1] == 'S')
            n = json_array_size(in);
        else {
            *err = type_fail(msg, len, what, "size", t);
            return NULL;
        }
        char buf[32];
        snprintf(buf, sizeof buf, "%zu", n);
        *own = json_pack("{s:s}", "N", buf);
        return *own;
    }
    return NULL;
}

static int compare(int op, const json_t *a, const json_t *b)
{
    if (op == CMP_NE) /* a missing attribute differs from any value */
        return !a || !b || !ddb_value_eq(a, b);
    if (!a || !b)
        return 0;
    if (op == CMP_EQ)
        return ddb_value_eq(a, b);
    int c = ddb_value_cmp(a, b);
    if (c == 2)
        return 0;
    switch (op) {
    case CMP_LT: return c < 0;
    case CMP_LE: return c <= 0;
    case CMP_GT: return c > 0;
    default: return c >= 0;
    }
}

static int bytes_prefix(const json_t *a, const json_t *b, int binary)
{
    if (!binary) {
        size_t na = json_string_length(a), nb = json_string_length(b);
        return nb <= na && memcmp(json_string_value(a), json_string_value(b), nb) == 0;
    }
    unsigned char *x = NULL, *y = NULL;
    size_t nx = 0, ny = 0;
    rn_b64_decode(json_string_value(a), json_string_length(a), &x, &nx);
    rn_b64_decode(json_string_value(b), json_string_length(b), &y, &ny);
    int r = ny <= nx && (!ny || memcmp(x, y, ny) == 0);
    rn_free(x);
    rn_free(y);
    return r;
}

static int call_func(const ddb_node_t *x, const json_t *item, const char *what, char *msg, size_t len)
{
    const char *f = x->fn;
    if (!strcmp(f, "attribute_exists") || !strcmp(f, "attribute_not_exists")) {
        int has = ddb_path_get(item, &x->kid[0]->path) != NULL;
        return f[10] == 'e' ? has : !has;
    }
    int err = 0, r = 0;
    json_t *o1, *o2;
    json_t *a = operand(x->kid[0], item, &o1, what, &err, msg, len);
    json_t *b = err ? NULL : operand(x->kid[1], item, &o2, what, &err, msg, len);
    if (err) {
        json_decref(o1);
        return err;
    }
    if (!strcmp(f, "attribute_type")) {
        const char *want = ddb_type(b) && !strcmp(ddb_type(b), "S") ? json_string_value(ddb_inner(b)) : NULL;
        static const char *const ok[] = {"S", "SS", "N", "NS", "B", "BS", "BOOL", "NULL", "L", "M", NULL};
        int valid = 0;
        for (int i = 0; want && ok[i]; i++)
            valid |= !strcmp(want, ok[i]);
        if (!valid) {
            if (b && ddb_type(b) && strcmp(ddb_type(b), "S"))
                err = type_fail(msg, len, what, "attribute_type", ddb_type(b));
            else {
                snprintf(msg, len,
                         "Invalid %s: Invalid attribute type name found; type: %s, valid types: "
                         "{B,NULL,SS,BOOL,L,BS,N,NS,S,M}",
                         what, want ? want : "");
                err = DDB_ERR_VALIDATION;
            }
        } else {
            r = a && !strcmp(ddb_type(a), want);
        }
    } else if (!strcmp(f, "begins_with")) {
        const char *ta = a ? ddb_type(a) : NULL, *tb = b ? ddb_type(b) : NULL;
        if (tb && strcmp(tb, "S") && strcmp(tb, "B") && x->kid[1]->kind == DN_VALUE)
            err = type_fail(msg, len, what, "begins_with", tb);
        else if (ta && tb && !strcmp(ta, tb) && (!strcmp(ta, "S") || !strcmp(ta, "B")))
            r = bytes_prefix(ddb_inner(a), ddb_inner(b), ta[0] == 'B');
    } else if (!strcmp(f, "contains")) {
        const char *ta = a ? ddb_type(a) : NULL, *tb = b ? ddb_type(b) : NULL;
        if (ta && tb) {
            json_t *in = ddb_inner(a);
            if (!strcmp(ta, "S") && !strcmp(tb, "S"))
                r = strstr(json_string_value(in), json_string_value(ddb_inner(b))) != NULL;
            else if (!strcmp(ta, "B") && !strcmp(tb, "B")) {
                unsigned char *x1 = NULL, *y1 = NULL;
                size_t nx = 0, ny = 0;
                rn_b64_decode(json_string_value(in), json_string_length(in), &x1, &nx);
                rn_b64_decode(json_string_value(ddb_inner(b)), json_string_length(ddb_inner(b)), &y1, &ny);
                for (size_t i = 0; !r && ny <= nx && i + ny <= nx; i++)
                    r = memcmp(x1 + i, y1, ny) == 0;
                rn_free(x1);
                rn_free(y1);
            } else if (ta[1] == 'S' && !tb[1] && ta[0] == tb[0]) {
                for (size_t i = 0; !r && i < json_array_size(in); i++)
                    r = ddb_scalar_eq(ta[0], json_array_get(in, i), ddb_inner(b));
            } else if (!strcmp(ta, "L")) {
                for (size_t i = 0; !r && i < json_array_size(in); i++)
                    r = ddb_value_eq(json_array_get(in, i), b);
            }
        }
    }
    json_decref(o1);
    json_decref(o2);
    return err ? err : r;
}

int ddb_eval(const ddb_node_t *x, const json_t *item, const char *what, char *msg, size_t len)
{
    int a, b;
    switch (x->kind) {
    case DN_AND:
        a = ddb_eval(x->kid[0], item, what, msg, len);
        if (a <= 0)
            return a;
        return ddb_eval(x->kid[1], item, what, msg, len);
    case DN_OR:
        a = ddb_eval(x->kid[0], item, what, msg, len);
        if (a != 0)
            return a;
        return ddb_eval(x->kid[1], item, what, msg, len);
    case DN_NOT:
        a = ddb_eval(x->kid[0], item, what, msg, len);
        return a < 0 ? a : !a;
    case DN_FUNC:
        return call_func(x, item, what, msg, len);
    case DN_CMP:
    case DN_BETWEEN:
    case DN_IN: {
        int err = 0, r = 0;
        json_t *own[101] = {0}, *v[101];
        for (int i = 0; i < x->nkid && !err; i++)
            v[i] = operand(x->kid[i], item, &own[i], what, &err, msg, len);
        if (!err) {
            if (x->kind == DN_CMP)
                r = compare(x->op, v[0], v[1]);
            else if (x->kind == DN_BETWEEN) {
                if (v[1] && v[2] && ddb_value_cmp(v[1], v[2]) != 2 && ddb_value_cmp(v[1], v[2]) > 0) {
                    snprintf(msg, len,
                             "Invalid %s: The BETWEEN operator requires upper bound to be greater than or equal to "
                             "lower bound; lower bound operand: AttributeValue: {%s:%s}, upper bound operand: "
                             "AttributeValue: {%s:%s}",
                             what, ddb_type(v[1]), json_string_value(ddb_inner(v[1])), ddb_type(v[2]),
                             json_string_value(ddb_inner(v[2])));
                    err = DDB_ERR_VALIDATION;
                } else {
                    r = compare(CMP_GE, v[0], v[1]) && compare(CMP_LE, v[0], v[2]);
                }
            } else {
                for (int i = 1; i < x->nkid && !r; i++)
                    r = compare(CMP_EQ, v[0], v[i]);
            }
        }
        for (int i = 0; i < x->nkid; i++)
            json_decref(own[i]);
        return err ? err : r;
    }
    }
    (void)b;
    return 0;
}

/* ---- projections ---- */

/* Copies the value at p[from..] of src into dst (an object, or an array
 * placeholder), creating the containers on the way. */
static void project_into(json_t *dst_obj, const json_t *src_val, const ddb_path_t *p, int i)
{
    /* dst_obj is the inner object of an M (or the item) holding element i's name */
    const char *name = p->el[i].name;
    json_t *v = json_object_get(src_val, name);
    if (!v)
        return;
    if (i + 1 == p->n) {
        json_object_set(dst_obj, name, v);
        return;
    }
    const char *t = ddb_type(v);
    json_t *have = json_object_get(dst_obj, name);
    if (p->el[i + 1].name) {
        if (strcmp(t, "M"))
            return;
        if (!json_object_get(ddb_inner(v), p->el[i + 1].name))
            return;
        if (!have) {
            have = json_pack("{s:{}}", "M");
            json_object_set_new(dst_obj, name, have);
        }
        project_into(ddb_inner(have), ddb_inner(v), p, i + 1);
        return;
    }
    /* list indexes: the projected list keeps the chosen elements in order;
     * here one index at a time, appended (AWS compacts the list) */
    if (strcmp(t, "L"))
        return;
    json_t *cur = v, *out_parent = dst_obj;
    const char *out_name = name;
    int k = i + 1;
    json_t *holder = have;
    while (k < p->n && !p->el[k].name) {
        json_t *el = json_array_get(ddb_inner(cur), (size_t)p->el[k].index);
        if (!el)
            return;
        if (!holder) {
            holder = json_pack("{s:[]}", "L");
            json_object_set_new(out_parent, out_name, holder);
        }
        if (k + 1 == p->n) {
            json_array_append(ddb_inner(holder), el);
            return;
        }
        cur = el;
        const char *ct = ddb_type(cur);
        if (p->el[k + 1].name) {
            if (strcmp(ct, "M") || !json_object_get(ddb_inner(cur), p->el[k + 1].name))
                return;
            json_t *m = json_pack("{s:{}}", "M");
            json_array_append_new(ddb_inner(holder), m);
            project_into(ddb_inner(m), ddb_inner(cur), p, k + 1);
            return;
        }
        if (strcmp(ct, "L"))
            return;
        json_t *l = json_pack("{s:[]}", "L");
        json_array_append_new(ddb_inner(holder), l);
        holder = l;
        k++;
    }
}

json_t *ddb_project(const json_t *item, const ddb_path_t *p, int n)
{
    if (!item)
        return NULL;
    json_t *out = json_object();
    for (int i = 0; i < n; i++)
        project_into(out, item, &p[i], 0);
    return out;
}

/* ---- updates ---- */

static int upd_fail(char *msg, size_t len, const char *text)
{
    snprintf(msg, len, "%s", text);
    return DDB_ERR_VALIDATION;
}

#define MISSING "The provided expression refers to an attribute that does not exist in the item"
#define BAD_TYPE "An operand in the update expression has an incorrect data type"
#define BAD_PATH "The document path provided in the update expression is invalid for update"

/* 1 when both operands are values of the request (their types are known
 * without the item: AWS then names the function in its error). */
static int consts(const ddb_node_t *x)
{
    return x->kid[0]->kind == DN_VALUE && x->kid[1]->kind == DN_VALUE;
}

/* A SET value computed from the old item: a new reference in *out. */
static int set_value(const ddb_node_t *x, const json_t *item, json_t **out, char *msg, size_t len)
{
    *out = NULL;
    if (x->kind == DN_VALUE) {
        *out = json_deep_copy(x->value);
        return 0;
    }
    if (x->kind == DN_PATH) {
        json_t *v = ddb_path_get(item, &x->path);
        if (!v)
            return upd_fail(msg, len, MISSING);
        *out = json_deep_copy(v);
        return 0;
    }
    if (x->kind == DN_FUNC && !strcmp(x->fn, "if_not_exists")) {
        json_t *v = ddb_path_get(item, &x->kid[0]->path);
        if (v) {
            *out = json_deep_copy(v);
            return 0;
        }
        return set_value(x->kid[1], item, out, msg, len);
    }
    json_t *a = NULL, *b = NULL;
    int rc = set_value(x->kid[0], item, &a, msg, len);
    if (!rc)
        rc = set_value(x->kid[1], item, &b, msg, len);
    if (rc) {
        json_decref(a);
        json_decref(b);
        return rc;
    }
    if (x->kind == DN_FUNC) { /* list_append */
        const char *ta = ddb_type(a), *tb = ddb_type(b);
        if ((strcmp(ta, "L") || strcmp(tb, "L")) && !consts(x)) {
            rc = upd_fail(msg, len, BAD_TYPE);
        } else if (strcmp(ta, "L") || strcmp(tb, "L")) {
            snprintf(msg, len,
                     "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: "
                     "list_append, operand type: %s",
                     strcmp(ta, "L") ? ta : tb);
            rc = DDB_ERR_VALIDATION;
        } else {
            json_array_extend(ddb_inner(a), ddb_inner(b));
            *out = json_incref(a);
        }
    } else { /* + or - */
        const char *ta = ddb_type(a), *tb = ddb_type(b);
        if ((strcmp(ta, "N") || strcmp(tb, "N")) && !consts(x)) {
            rc = upd_fail(msg, len, BAD_TYPE);
        } else if (strcmp(ta, "N") || strcmp(tb, "N")) {
            snprintf(msg, len,
                     "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: "
                     "%s, operand type: %s",
                     x->kind == DN_PLUS ? "+" : "-", strcmp(ta, "N") ? ta : tb);
            rc = DDB_ERR_VALIDATION;
        } else {
            ddb_num_t na, nb, r;
            ddb_value_num(a, &na);
            ddb_value_num(b, &nb);
            int e = ddb_num_add(&na, &nb, x->kind == DN_MINUS, &r);
            if (e) {
                rc = upd_fail(msg, len,
                              e == DDB_NUM_PRECISION ? "Number overflow. Attempting to store a number with magnitude "
                                                       "larger than supported range"
                                                     : "Number overflow. Attempting to store a number with magnitude "
                                                       "larger than supported range");
            } else {
                char buf[320];
                ddb_num_format(&r, buf, sizeof buf);
                *out = json_pack("{s:s}", "N", buf);
            }
        }
    }
    json_decref(a);
    json_decref(b);
    return rc;
}

/* The container holding the path's last element, in item (modifiable). NULL
 * when a parent is missing or of the wrong type. */
static json_t *parent_of(json_t *item, const ddb_path_t *p)
{
    json_t *cur = item; /* an object of attributes at the top */
    for (int i = 0; i < p->n - 1; i++) {
        json_t *v = p->el[i].name ? json_object_get(cur, p->el[i].name)
                                  : json_array_get(cur, (size_t)p->el[i].index);
        if (!v)
            return NULL;
        const char *t = ddb_type(v);
        const ddb_path_el_t *next = &p->el[i + 1];
        if (next->name ? strcmp(t, "M") != 0 : strcmp(t, "L") != 0)
            return NULL;
        cur = ddb_inner(v);
        if (!p->el[i].name && !json_is_array(cur) && !json_is_object(cur))
            return NULL;
    }
    return cur;
}

static int do_set(json_t *item, const ddb_path_t *p, json_t *value, char *msg, size_t len)
{
    json_t *par = parent_of(item, p);
    const ddb_path_el_t *last = &p->el[p->n - 1];
    if (!par)
        return upd_fail(msg, len, BAD_PATH);
    if (last->name) {
        json_object_set(par, last->name, value);
        return 0;
    }
    if ((size_t)last->index < json_array_size(par))
        json_array_set(par, (size_t)last->index, value);
    else
        json_array_append(par, value);
    return 0;
}

static int set_has(char kind, const json_t *arr, const json_t *x)
{
    for (size_t i = 0; i < json_array_size(arr); i++)
        if (ddb_scalar_eq(kind, json_array_get(arr, i), x))
            return 1;
    return 0;
}

/* REMOVEs run last, list elements highest index first, so every index still
 * names an element of the list as it was. */
static int remove_order(const void *a, const void *b)
{
    const ddb_action_t *x = *(const ddb_action_t *const *)a, *y = *(const ddb_action_t *const *)b;
    long ix = x->path.el[x->path.n - 1].name ? -1 : x->path.el[x->path.n - 1].index;
    long iy = y->path.el[y->path.n - 1].name ? -1 : y->path.el[y->path.n - 1].index;
    return ix < iy ? 1 : ix > iy ? -1 : 0;
}

int ddb_apply_update(const ddb_action_t *acts, int n, const json_t *item, json_t **out, char *msg, size_t len)
{
    json_t *res = json_deep_copy(item);
    json_t **vals = rn_calloc((size_t)(n ? n : 1), sizeof *vals);
    int rc = res && vals ? 0 : DDB_ERR_VALIDATION;
    /* every value from the item as it was */
    for (int i = 0; i < n && !rc; i++)
        if (acts[i].kind == UP_SET)
            rc = set_value(acts[i].value, item, &vals[i], msg, len);
    for (int i = 0; i < n && !rc; i++)
        if (acts[i].kind == UP_SET)
            rc = do_set(res, &acts[i].path, vals[i], msg, len);
    const ddb_action_t **rm = rn_calloc((size_t)(n ? n : 1), sizeof *rm);
    int nrm = 0;
    for (int i = 0; rm && i < n; i++)
        if (acts[i].kind == UP_REMOVE)
            rm[nrm++] = &acts[i];
    if (rm && nrm > 1)
        qsort(rm, (size_t)nrm, sizeof *rm, remove_order);
    for (int i = 0; rm && i < nrm && !rc; i++) {
        const ddb_action_t *a = rm[i];
        const ddb_path_el_t *last = &a->path.el[a->path.n - 1];
        {
            json_t *par = parent_of(res, &a->path);
            if (!par) {
                if (a->path.n > 1 && !ddb_path_get(item, &a->path)) {
                    /* a missing parent: AWS refuses the path */
                    ddb_path_t pp = {a->path.el, a->path.n - 1};
                    if (!ddb_path_get(item, &pp))
                        rc = upd_fail(msg, len, BAD_PATH);
                }
                continue;
            }
            if (last->name)
                json_object_del(par, last->name);
            else if ((size_t)last->index < json_array_size(par))
                json_array_remove(par, (size_t)last->index);
        }
    }
    rn_free(rm);
    for (int i = 0; i < n && !rc; i++) {
        const ddb_action_t *a = &acts[i];
        const ddb_path_el_t *last = &a->path.el[a->path.n - 1];
        switch (a->kind) {
        case UP_SET:
        case UP_REMOVE:
            break;
        case UP_ADD:
        case UP_DELETE: {
            json_t *cur = ddb_path_get(res, &a->path);
            const json_t *v = a->value->value;
            const char *tv = ddb_type(v), *tc = cur ? ddb_type(cur) : NULL;
            if (a->kind == UP_ADD) {
                if (!cur) {
                    json_t *copy = json_deep_copy(v);
                    rc = do_set(res, &a->path, copy, msg, len);
                    json_decref(copy);
                    break;
                }
                if (strcmp(tc, tv)) {
                    rc = upd_fail(msg, len, BAD_TYPE);
                    break;
                }
                if (!strcmp(tv, "N")) {
                    ddb_num_t x, y, r;
                    ddb_value_num(cur, &x);
                    ddb_value_num(v, &y);
                    if (ddb_num_add(&x, &y, 0, &r)) {
                        rc = upd_fail(msg, len,
                                      "Number overflow. Attempting to store a number with magnitude larger than "
                                      "supported range");
                        break;
                    }
                    char buf[320];
                    ddb_num_format(&r, buf, sizeof buf);
                    json_t *nv = json_pack("{s:s}", "N", buf);
                    rc = do_set(res, &a->path, nv, msg, len);
                    json_decref(nv);
                } else {
                    json_t *arr = json_deep_copy(ddb_inner(cur));
                    json_t *add = ddb_inner(v);
                    for (size_t k = 0; k < json_array_size(add); k++)
                        if (!set_has(tv[0], arr, json_array_get(add, k)))
                            json_array_append(arr, json_array_get(add, k));
                    json_t *nv = json_pack("{s:o}", tv, arr);
                    rc = do_set(res, &a->path, nv, msg, len);
                    json_decref(nv);
                }
            } else {
                if (!cur)
                    break;
                if (strcmp(tc, tv)) {
                    rc = upd_fail(msg, len, "An operand in the update expression has an incorrect data type");
                    break;
                }
                json_t *arr = json_array(), *del = ddb_inner(v);
                json_t *have = ddb_inner(cur);
                for (size_t k = 0; k < json_array_size(have); k++)
                    if (!set_has(tv[0], del, json_array_get(have, k)))
                        json_array_append(arr, json_array_get(have, k));
                if (json_array_size(arr) == 0) {
                    json_decref(arr);
                    json_t *par = parent_of(res, &a->path);
                    if (par && last->name)
                        json_object_del(par, last->name);
                    else if (par)
                        json_array_remove(par, (size_t)last->index);
                } else {
                    json_t *nv = json_pack("{s:o}", tv, arr);
                    rc = do_set(res, &a->path, nv, msg, len);
                    json_decref(nv);
                }
            }
            break;
        }
        }
    }
    for (int i = 0; i < n; i++)
        json_decref(vals[i]);
    rn_free(vals);
    if (rc) {
        json_decref(res);
        return rc;
    }
    *out = res;
    return 0;
}
