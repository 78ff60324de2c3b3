/* SPDX-License-Identifier: MIT
 * AttributeValues: validation as DynamoDB does it (one type, canonical
 * numbers, non-empty duplicate-free sets, nesting depth), sizes as DynamoDB
 * counts them, equality, order, and the order-preserving key encoding the
 * store's keys use. */
#include <stdio.h>
#include <string.h>

#include "core/base64.h"
#include "core/mem.h"
#include "dynamodb/ddb_int.h"

static int scalar_cmp(char kind, const json_t *a, const json_t *b);

static const char *const types[] = {"S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS", NULL};

const char *ddb_type(const json_t *v)
{
    if (!json_is_object(v) || json_object_size(v) != 1)
        return NULL;
    const char *k = json_object_iter_key(json_object_iter((json_t *)v));
    for (int i = 0; types[i]; i++)
        if (strcmp(k, types[i]) == 0)
            return types[i];
    return NULL;
}

json_t *ddb_inner(const json_t *v)
{
    return json_object_iter_value(json_object_iter((json_t *)v));
}

static int fail(char *msg, size_t len, const char *text)
{
    snprintf(msg, len, "%s", text);
    return DDB_ERR_VALIDATION;
}

/* A number's text checked and rewritten canonically in *s (a json string). */
static int check_num(json_t *s, char *msg, size_t len)
{
    if (!json_is_string(s))
        return fail(msg, len, "The parameter cannot be converted to a numeric value");
    ddb_num_t n;
    int rc = ddb_num_parse(json_string_value(s), json_string_length(s), &n);
    switch (rc) {
    case DDB_NUM_SYNTAX:
        if (json_string_length(s) == 0)
            return fail(msg, len, "The parameter cannot be converted to a numeric value");
        snprintf(msg, len, "The parameter cannot be converted to a numeric value: %s", json_string_value(s));
        return DDB_ERR_VALIDATION;
    case DDB_NUM_PRECISION:
        return fail(msg, len, "Attempting to store more than 38 significant digits in a Number");
    case DDB_NUM_OVERFLOW:
        return fail(msg, len, "Number overflow. Attempting to store a number with magnitude larger than supported range");
    case DDB_NUM_UNDERFLOW:
        return fail(msg, len,
                    "Number underflow. Attempting to store a number with magnitude smaller than supported range");
    }
    char buf[320];
    ddb_num_format(&n, buf, sizeof buf);
    if (strcmp(buf, json_string_value(s)) != 0)
        json_string_set(s, buf);
    return 0;
}

static int check_b64(const json_t *s, char *msg, size_t len)
{
    unsigned char *raw = NULL;
    size_t n = 0;
    if (!json_is_string(s) || rn_b64_decode(json_string_value(s), json_string_length(s), &raw, &n) != 0)
        return fail(msg, len, "One or more parameter values were invalid: Invalid binary value: not base64");
    rn_free(raw);
    return 0;
}

/* "[a, b]" of a set's members, as AWS lists them in the duplicates message. */
static void set_text(const json_t *arr, char *out, size_t len)
{
    size_t w = (size_t)snprintf(out, len, "[");
    for (size_t i = 0; i < json_array_size(arr) && w < len; i++)
        w += (size_t)snprintf(out + w, len - w, "%s%s", i ? ", " : "", json_string_value(json_array_get(arr, i)));
    if (w < len)
        snprintf(out + w, len - w, "]");
}

static int check_set(json_t *arr, char t, char *msg, size_t len)
{
    if (!json_is_array(arr))
        return fail(msg, len, "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
    if (json_array_size(arr) == 0)
        return fail(msg, len,
                    t == 'S'   ? "One or more parameter values were invalid: An string set  may not be empty"
                    : t == 'N' ? "One or more parameter values were invalid: An number set  may not be empty"
                               : "One or more parameter values were invalid: Binary sets should not be empty");
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_t *e = json_array_get(arr, i);
        int rc = t == 'N' ? check_num(e, msg, len) : t == 'B' ? check_b64(e, msg, len) : 0;
        if (rc)
            return rc;
        if (!json_is_string(e))
            return fail(msg, len, "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
    }
    for (size_t i = 0; i < json_array_size(arr); i++)
        for (size_t j = i + 1; j < json_array_size(arr); j++)
            if (scalar_cmp(t, json_array_get(arr, i), json_array_get(arr, j)) == 0) {
                if (t == 'N')
                    return fail(msg, len, "Input collection contains duplicates");
                char list[700];
                set_text(arr, list, sizeof list);
                snprintf(msg, len, "One or more parameter values were invalid: Input collection %s%s contains duplicates.",
                         list, t == 'B' ? "of type BS" : "");
                return DDB_ERR_VALIDATION;
            }
    return 0;
}

int ddb_value_check(json_t *v, int depth, char *msg, size_t len)
{
    if (depth > DDB_MAX_DEPTH)
        return fail(msg, len,
                    "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond "
                    "supported limit");
    if (!json_is_object(v) || json_object_size(v) == 0)
        return fail(msg, len, "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
    if (json_object_size(v) > 1)
        return fail(msg, len,
                    "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported "
                    "datatypes");
    const char *t = ddb_type(v);
    json_t *in = ddb_inner(v);
    if (!t)
        return fail(msg, len, "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
    switch (t[0]) {
    case 'S':
        if (t[1])
            return check_set(in, 'S', msg, len);
        return json_is_string(in) ? 0 : fail(msg, len, "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
    case 'N':
        if (t[1] == 'S')
            return check_set(in, 'N', msg, len);
        if (t[1] == 'U') {
            if (!json_is_true(in))
                return fail(msg, len,
                            "One or more parameter values were invalid: Null attribute value types must have the "
                            "value of true");
            return 0;
        }
        return check_num(in, msg, len);
    case 'B':
        if (t[1] == 'S')
            return check_set(in, 'B', msg, len);
        if (t[1] == 'O')
            return json_is_boolean(in) ? 0 : fail(msg, len, "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
        return check_b64(in, msg, len);
    case 'L': {
        if (!json_is_array(in))
            return fail(msg, len, "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
        for (size_t i = 0; i < json_array_size(in); i++) {
            int rc = ddb_value_check(json_array_get(in, i), depth + 1, msg, len);
            if (rc)
                return rc;
        }
        return 0;
    }
    case 'M': {
        if (!json_is_object(in))
            return fail(msg, len, "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
        const char *k;
        json_t *e;
        json_object_foreach(in, k, e) {
            int rc = ddb_value_check(e, depth + 1, msg, len);
            if (rc)
                return rc;
        }
        return 0;
    }
    }
    return fail(msg, len, "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
}

int ddb_item_check(json_t *item, char *msg, size_t len)
{
    const char *k;
    json_t *v;
    json_object_foreach(item, k, v) {
        int rc = ddb_value_check(v, 1, msg, len);
        if (rc)
            return rc;
    }
    return 0;
}

/* A number's stored size: its digits in base-100 pairs, an exponent byte,
 * and a byte for the sign of a negative (as AWS measures it). */
static size_t num_size(const char *text)
{
    ddb_num_t n;
    if (ddb_num_parse(text, strlen(text), &n) != 0 || n.sign == 0)
        return 1;
    int e = n.exp - 1; /* the exponent of the first digit */
    size_t bytes = 1 + (size_t)(n.n + 1) / 2 + ((n.n % 2 || e % 2) ? 0 : 1);
    return n.sign < 0 ? bytes + 1 : bytes;
}

static size_t b64_size(const char *s)
{
    size_t n = strlen(s), pad = 0;
    if (n && s[n - 1] == '=')
        pad++;
    if (n > 1 && s[n - 2] == '=')
        pad++;
    return n / 4 * 3 - pad;
}

size_t ddb_value_size(const json_t *v)
{
    const char *t = ddb_type(v);
    json_t *in = ddb_inner(v);
    if (!t)
        return 0;
    size_t n = 0;
    switch (t[0]) {
    case 'S':
        if (!t[1])
            return json_string_length(in);
        for (size_t i = 0; i < json_array_size(in); i++)
            n += json_string_length(json_array_get(in, i));
        return n;
    case 'N':
        if (t[1] == 'U')
            return 1;
        if (!t[1])
            return num_size(json_string_value(in));
        for (size_t i = 0; i < json_array_size(in); i++)
            n += num_size(json_string_value(json_array_get(in, i)));
        return n;
    case 'B':
        if (t[1] == 'O')
            return 1;
        if (!t[1])
            return b64_size(json_string_value(in));
        for (size_t i = 0; i < json_array_size(in); i++)
            n += b64_size(json_string_value(json_array_get(in, i)));
        return n;
    case 'L':
        n = 3;
        for (size_t i = 0; i < json_array_size(in); i++)
            n += 1 + ddb_value_size(json_array_get(in, i));
        return n;
    case 'M': {
        n = 3;
        const char *k;
        json_t *e;
        json_object_foreach(in, k, e) n += 1 + strlen(k) + ddb_value_size(e);
        return n;
    }
    }
    return 0;
}

size_t ddb_item_size(const json_t *item)
{
    size_t n = 0;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)item, k, v) n += strlen(k) + ddb_value_size(v);
    return n;
}

int ddb_value_num(const json_t *v, ddb_num_t *out)
{
    const json_t *s = json_is_string(v) ? v : ddb_inner(v);
    return ddb_num_parse(json_string_value(s), json_string_length(s), out);
}

static int bin_cmp(const char *a, const char *b)
{
    unsigned char *x = NULL, *y = NULL;
    size_t nx = 0, ny = 0;
    rn_b64_decode(a, strlen(a), &x, &nx);
    rn_b64_decode(b, strlen(b), &y, &ny);
    size_t n = nx < ny ? nx : ny;
    int c = n ? memcmp(x, y, n) : 0;
    if (!c)
        c = nx == ny ? 0 : nx < ny ? -1 : 1;
    rn_free(x);
    rn_free(y);
    return c < 0 ? -1 : c > 0;
}

/* Compares two strings of one scalar kind ('S', 'N', 'B'). */
static int scalar_cmp(char kind, const json_t *a, const json_t *b)
{
    if (kind == 'N') {
        ddb_num_t x, y;
        ddb_num_parse(json_string_value(a), json_string_length(a), &x);
        ddb_num_parse(json_string_value(b), json_string_length(b), &y);
        return ddb_num_cmp(&x, &y);
    }
    if (kind == 'B')
        return bin_cmp(json_string_value(a), json_string_value(b));
    size_t na = json_string_length(a), nb = json_string_length(b), n = na < nb ? na : nb;
    int c = memcmp(json_string_value(a), json_string_value(b), n);
    if (!c)
        c = na == nb ? 0 : na < nb ? -1 : 1;
    return c < 0 ? -1 : c > 0;
}

int ddb_value_cmp(const json_t *a, const json_t *b)
{
    const char *ta = ddb_type(a), *tb = ddb_type(b);
    if (!ta || !tb || strcmp(ta, tb) != 0 || ta[1])
        return 2;
    if (ta[0] != 'S' && ta[0] != 'N' && ta[0] != 'B')
        return 2;
    return scalar_cmp(ta[0], ddb_inner(a), ddb_inner(b));
}

int ddb_scalar_eq(char kind, const json_t *a, const json_t *b)
{
    return scalar_cmp(kind, a, b) == 0;
}

static int set_has(char kind, const json_t *arr, const json_t *s)
{
    for (size_t i = 0; i < json_array_size(arr); i++)
        if (scalar_cmp(kind, json_array_get(arr, i), s) == 0)
            return 1;
    return 0;
}

int ddb_value_eq(const json_t *a, const json_t *b)
{
    const char *ta = ddb_type(a), *tb = ddb_type(b);
    if (!ta || !tb || strcmp(ta, tb) != 0)
        return 0;
    json_t *x = ddb_inner(a), *y = ddb_inner(b);
    if (!strcmp(ta, "S") || !strcmp(ta, "N") || !strcmp(ta, "B"))
        return scalar_cmp(ta[0], x, y) == 0;
    if (!strcmp(ta, "BOOL") || !strcmp(ta, "NULL"))
        return json_is_true(x) == json_is_true(y);
    if (ta[1] == 'S') { /* sets: same members, any order */
        if (json_array_size(x) != json_array_size(y))
            return 0;
        for (size_t i = 0; i < json_array_size(x); i++)
            if (!set_has(ta[0], y, json_array_get(x, i)))
                return 0;
        return 1;
    }
    if (ta[0] == 'L') {
        if (json_array_size(x) != json_array_size(y))
            return 0;
        for (size_t i = 0; i < json_array_size(x); i++)
            if (!ddb_value_eq(json_array_get(x, i), json_array_get(y, i)))
                return 0;
        return 1;
    }
    if (json_object_size(x) != json_object_size(y))
        return 0;
    const char *k;
    json_t *e;
    json_object_foreach(x, k, e) {
        json_t *f = json_object_get(y, k);
        if (!f || !ddb_value_eq(e, f))
            return 0;
    }
    return 1;
}

/* Bytes escaped so that no NUL appears and a terminator sorts first:
 * 0x00 -> 01 02, 0x01 -> 01 03, end -> 01 01. */
static void enc_bytes(rn_buf_t *b, const unsigned char *p, size_t n)
{
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] > 1)
            continue;
        rn_buf_add(b, p + run, i - run);
        rn_buf_add(b, p[i] ? "\x01\x03" : "\x01\x02", 2);
        run = i + 1;
    }
    rn_buf_add(b, p + run, n - run);
    rn_buf_add(b, "\x01\x01", 2);
}

void ddb_key_encode(rn_buf_t *b, const json_t *v)
{
    const char *t = ddb_type(v);
    json_t *in = ddb_inner(v);
    if (t && !strcmp(t, "N")) {
        ddb_num_t n;
        char k[64];
        ddb_num_parse(json_string_value(in), json_string_length(in), &n);
        rn_buf_add(b, k, ddb_num_key(&n, k));
    } else if (t && !strcmp(t, "B")) {
        unsigned char *raw = NULL;
        size_t n = 0;
        rn_b64_decode(json_string_value(in), json_string_length(in), &raw, &n);
        enc_bytes(b, raw ? raw : (const unsigned char *)"", n);
        rn_free(raw);
    } else {
        enc_bytes(b, (const unsigned char *)json_string_value(in), json_string_length(in));
    }
}
