/* SPDX-License-Identifier: MIT
 * Shape inference, merging and OpenAPI/JSONSchema rendering for schema
 * discovery. The scanner reads event text itself rather than through jansson
 * so that integers of any size keep their "integer" type (jansson rejects
 * ones past int64) and values are never copied, only their types recorded.
 * A shape is {"t":TYPE} with TYPE one of s b i32 i64 int num null emp any,
 * {"t":"o","p":{key:shape},"r":{key:true}} for objects and {"t":"a","i":shape}
 * for arrays; the renderers follow what AWS's discovered schemas look like
 * (sorted properties, "required" in java.util.HashSet order, a component per
 * nested object named after its key). */
#include "schemas/infer.h"
#include "schemas/sc_err.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hex.h"
#include "core/json_alloc.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/mem.h"

/* ---- scanner ---------------------------------------------------------- */

typedef struct scan {
    const char *p, *end;
    int depth;
    int oom;
} scan_t;

static json_t *shape_leaf(const char *t)
{
    return json_pack("{s:s}", "t", t);
}

static void skip_ws(scan_t *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
        s->p++;
}

static int hex4(const char *p, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        int d = rn_hex_val((unsigned char)p[i]);
        if (d < 0)
            return -1;
        v = v << 4 | (unsigned)d;
    }
    *out = v;
    return 0;
}

static void put_utf8(rn_buf_t *b, unsigned cp)
{
    char u[4];
    size_t n;
    if (cp < 0x80) {
        u[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        u[0] = (char)(0xF0 | (cp >> 18));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    rn_buf_add(b, u, n);
}

/* Reads a string at the opening quote. With out != NULL its decoded UTF-8
 * is appended there (lone surrogates become U+FFFD, as a JSON decoder that
 * must produce valid text does); otherwise the string is only checked. */
static int scan_string(scan_t *s, rn_buf_t *out)
{
    if (s->p >= s->end || *s->p != '"')
        return -1;
    s->p++;
    const char *run = s->p;
    while (s->p < s->end) {
        unsigned char c = (unsigned char)*s->p;
        if (c == '"') {
            if (out)
                rn_buf_add(out, run, (size_t)(s->p - run));
            s->p++;
            return 0;
        }
        if (c < 0x20)
            return -1;
        if (c != '\\') {
            s->p++;
            continue;
        }
        if (out)
            rn_buf_add(out, run, (size_t)(s->p - run));
        if (s->end - s->p < 2)
            return -1;
        char e = s->p[1];
        s->p += 2;
        const char *simple = strchr("\"\\/bfnrt", e);
        if (e && simple) {
            static const char map[] = "\"\\/\b\f\n\r\t";
            if (out)
                rn_buf_add(out, &map[simple - "\"\\/bfnrt"], 1);
        } else if (e == 'u') {
            unsigned cp;
            if (s->end - s->p < 4 || hex4(s->p, &cp) < 0)
                return -1;
            s->p += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                unsigned lo;
                if (s->end - s->p >= 6 && s->p[0] == '\\' && s->p[1] == 'u' && hex4(s->p + 2, &lo) == 0 &&
                    lo >= 0xDC00 && lo <= 0xDFFF) {
                    s->p += 6;
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                } else {
                    cp = 0xFFFD;
                }
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                cp = 0xFFFD;
            }
            if (out)
                put_utf8(out, cp);
        } else {
            return -1;
        }
        run = s->p;
    }
    return -1;
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* JSON number grammar; integers are typed by the range they fit. */
static json_t *scan_number(scan_t *s)
{
    const char *start = s->p;
    int neg = 0, real = 0;
    if (s->p < s->end && *s->p == '-') {
        neg = 1;
        s->p++;
    }
    if (s->p >= s->end || !is_digit(*s->p))
        return NULL;
    if (*s->p == '0')
        s->p++;
    else
        while (s->p < s->end && is_digit(*s->p))
            s->p++;
    const char *int_end = s->p;
    if (s->p < s->end && *s->p == '.') {
        s->p++;
        if (s->p >= s->end || !is_digit(*s->p))
            return NULL;
        while (s->p < s->end && is_digit(*s->p))
            s->p++;
        real = 1;
    }
    if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
        s->p++;
        if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
            s->p++;
        if (s->p >= s->end || !is_digit(*s->p))
            return NULL;
        while (s->p < s->end && is_digit(*s->p))
            s->p++;
        real = 1;
    }
    if (real)
        return shape_leaf("num");
    /* magnitude against int32/int64 limits, without overflowing */
    const char *d = start + neg;
    size_t nd = (size_t)(int_end - d);
    uint64_t v = 0;
    int big = nd > 19;
    for (size_t i = 0; !big && i < nd; i++) {
        uint64_t digit = (uint64_t)(d[i] - '0');
        if (v > (UINT64_MAX - digit) / 10)
            big = 1;
        else
            v = v * 10 + digit;
    }
    uint64_t lim64 = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    uint64_t lim32 = neg ? (uint64_t)INT32_MAX + 1 : (uint64_t)INT32_MAX;
    if (big || v > lim64)
        return shape_leaf("int");
    return shape_leaf(v > lim32 ? "i64" : "i32");
}

static int scan_lit(scan_t *s, const char *lit)
{
    size_t n = strlen(lit);
    if ((size_t)(s->end - s->p) < n || memcmp(s->p, lit, n) != 0)
        return -1;
    s->p += n;
    return 0;
}

static json_t *scan_value(scan_t *s, schemas_envelope_t *env);

/* After a member or element: 1 when a ',' follows, 0 at the closing
 * bracket, -1 for anything else. */
static int scan_next(scan_t *s, char close)
{
    skip_ws(s);
    if (s->p < s->end && (*s->p == ',' || *s->p == close))
        return *s->p++ == ',';
    return -1;
}

/* Captures a top-level string member into *slot (first occurrence wins). */
static int capture(scan_t *s, char **slot)
{
    rn_buf_t b = {0};
    if (scan_string(s, &b) < 0) {
        rn_buf_free(&b);
        return -1;
    }
    if (b.oom) {
        s->oom = 1;
        return -1;
    }
    /* text that is not UTF-8 or holds a NUL names nothing: not captured */
    json_t *valid = b.data && strlen(b.data) == b.len ? json_stringn(b.data, b.len) : NULL;
    int ok = valid != NULL || b.len == 0;
    json_decref(valid);
    if (!*slot && ok) {
        *slot = b.data ? rn_buf_take(&b, NULL) : rn_strdup("");
        if (!*slot) {
            s->oom = 1;
            return -1;
        }
    }
    rn_buf_free(&b);
    return 0;
}

static json_t *scan_object(scan_t *s, schemas_envelope_t *env)
{
    json_t *shape = json_pack("{s:s,s:{},s:{}}", "t", "o", "p", "r");
    if (!shape) {
        s->oom = 1;
        return NULL;
    }
    json_t *props = json_object_get(shape, "p"), *req = json_object_get(shape, "r");
    rn_buf_t key = {0};
    s->p++; /* '{' */
    skip_ws(s);
    if (s->p < s->end && *s->p == '}') {
        s->p++;
        return shape;
    }
    for (;;) {
        skip_ws(s);
        key.len = 0;
        if (key.data)
            key.data[0] = '\0';
        if (scan_string(s, &key) < 0 || key.oom)
            goto fail;
        const char *k = key.data ? key.data : "";
        if (strlen(k) != key.len)
            goto fail; /* an escaped NUL cannot name a property */
        skip_ws(s);
        if (s->p >= s->end || *s->p != ':')
            goto fail;
        s->p++;
        skip_ws(s);
        json_t *v;
        char **slot = NULL;
        if (env && s->depth == 1 && s->p < s->end && *s->p == '"') {
            if (strcmp(k, "source") == 0)
                slot = &env->source;
            else if (strcmp(k, "detail-type") == 0)
                slot = &env->detail_type;
            else if (strcmp(k, "account") == 0)
                slot = &env->account;
        }
        if (slot) {
            if (capture(s, slot) < 0)
                goto fail;
            v = shape_leaf("s");
        } else {
            v = scan_value(s, env);
        }
        if (!v)
            goto fail;
        if (env && s->depth == 1 && strcmp(k, "detail") == 0)
            env->detail_is_object = strcmp(json_string_value(json_object_get(v, "t")), "o") == 0;
        /* a repeated key: the last value wins, as in the JSON decoders AWS uses */
        if (json_object_set_new(props, k, v) < 0 || json_object_set_new(req, k, json_true()) < 0)
            goto fail; /* not UTF-8 (or out of memory) */
        int more = scan_next(s, '}');
        if (more < 0)
            goto fail;
        if (!more)
            break;
    }
    rn_buf_free(&key);
    return shape;
fail:
    if (key.oom)
        s->oom = 1;
    rn_buf_free(&key);
    json_decref(shape);
    return NULL;
}

static json_t *scan_array(scan_t *s, schemas_envelope_t *env)
{
    json_t *items = NULL;
    s->p++; /* '[' */
    skip_ws(s);
    if (s->p < s->end && *s->p == ']') {
        s->p++;
        goto done;
    }
    for (;;) {
        skip_ws(s);
        json_t *v = scan_value(s, env);
        if (!v)
            goto fail;
        json_t *m = schemas_shape_merge(items, v);
        json_decref(v);
        json_decref(items);
        items = m;
        if (!items) {
            s->oom = 1;
            return NULL;
        }
        int more = scan_next(s, ']');
        if (more < 0)
            goto fail;
        if (!more)
            break;
    }
done:
    if (!items)
        items = shape_leaf("emp");
    json_t *shape = json_pack("{s:s,s:o}", "t", "a", "i", items);
    if (!shape)
        s->oom = 1;
    return shape;
fail:
    json_decref(items);
    return NULL;
}

static json_t *scan_value(scan_t *s, schemas_envelope_t *env)
{
    skip_ws(s);
    if (s->p >= s->end)
        return NULL;
    json_t *v = NULL;
    switch (*s->p) {
    case '{':
    case '[':
        if (s->depth >= SCHEMAS_INFER_MAX_DEPTH)
            return NULL;
        s->depth++;
        v = *s->p == '{' ? scan_object(s, env) : scan_array(s, env);
        s->depth--;
        return v;
    case '"':
        return scan_string(s, NULL) < 0 ? NULL : shape_leaf("s");
    case 't':
        return scan_lit(s, "true") < 0 ? NULL : shape_leaf("b");
    case 'f':
        return scan_lit(s, "false") < 0 ? NULL : shape_leaf("b");
    case 'n':
        return scan_lit(s, "null") < 0 ? NULL : shape_leaf("null");
    default:
        return scan_number(s);
    }
}

int schemas_infer_shape(const char *text, size_t len, schemas_envelope_t *env, json_t **out)
{
    scan_t s = {text, text + len, 0, 0};
    *out = NULL;
    if (env)
        memset(env, 0, sizeof *env);
    json_t *v = text ? scan_value(&s, env) : NULL;
    skip_ws(&s);
    if (v && s.p != s.end) {
        json_decref(v);
        v = NULL;
    }
    if (!v) {
        if (env)
            schemas_envelope_clear(env);
        return s.oom ? RN_ERR_NOMEM : SC_ERR_BAD_REQUEST;
    }
    *out = v;
    return 0;
}

void schemas_envelope_clear(schemas_envelope_t *env)
{
    rn_free(env->source);
    rn_free(env->detail_type);
    rn_free(env->account);
    memset(env, 0, sizeof *env);
}

/* ---- merge -------------------------------------------------------------- */

static const char *shape_type(const json_t *s)
{
    const char *t = json_string_value(json_object_get(s, "t"));
    return t ? t : "any";
}

static int num_rank(const char *t)
{
    if (strcmp(t, "i32") == 0)
        return 1;
    if (strcmp(t, "i64") == 0)
        return 2;
    if (strcmp(t, "int") == 0)
        return 3;
    if (strcmp(t, "num") == 0)
        return 4;
    return 0;
}

static int is_weak(const char *t)
{
    return strcmp(t, "null") == 0 || strcmp(t, "emp") == 0;
}

static json_t *merge_objects(const json_t *a, const json_t *b)
{
    json_t *out = json_pack("{s:s,s:{},s:{}}", "t", "o", "p", "r");
    if (!out)
        return NULL;
    json_t *op = json_object_get(out, "p"), *orq = json_object_get(out, "r");
    const json_t *ap = json_object_get(a, "p"), *bp = json_object_get(b, "p");
    const json_t *ar = json_object_get(a, "r"), *br = json_object_get(b, "r");
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)ap, k, v)
    {
        json_t *m = schemas_shape_merge(v, json_object_get(bp, k));
        if (!m || json_object_set_new(op, k, m) < 0)
            goto oom;
        if (json_object_get(ar, k) && json_object_get(br, k) && json_object_set_new(orq, k, json_true()) < 0)
            goto oom;
    }
    json_object_foreach((json_t *)bp, k, v)
    {
        if (json_object_get(ap, k))
            continue;
        json_t *m = schemas_shape_merge(NULL, v);
        if (!m || json_object_set_new(op, k, m) < 0)
            goto oom;
    }
    return out;
oom:
    json_decref(out);
    return NULL;
}

json_t *schemas_shape_merge(const json_t *a, const json_t *b)
{
    if (!a && !b)
        return NULL;
    if (!a)
        return json_deep_copy(b);
    if (!b)
        return json_deep_copy(a);
    const char *ta = shape_type(a), *tb = shape_type(b);
    if (strcmp(ta, tb) == 0) {
        if (strcmp(ta, "o") == 0)
            return merge_objects(a, b);
        if (strcmp(ta, "a") == 0) {
            json_t *items = schemas_shape_merge(json_object_get(a, "i"), json_object_get(b, "i"));
            return items ? json_pack("{s:s,s:o}", "t", "a", "i", items) : NULL;
        }
        return json_deep_copy(a);
    }
    /* an empty array's element says nothing, null says "some value": each
     * gives way to a real type, and null outranks the empty element, so the
     * merge stays commutative */
    if (strcmp(ta, "emp") == 0 || (is_weak(ta) && !is_weak(tb)))
        return json_deep_copy(b);
    if (is_weak(tb))
        return json_deep_copy(a);
    int ra = num_rank(ta), rb = num_rank(tb);
    if (ra && rb)
        return json_deep_copy(ra > rb ? a : b);
    return shape_leaf("any");
}

/* ---- names and java.util.HashSet order --------------------------------- */

void schemas_name_pascal(const char *in, char *out, size_t n)
{
    size_t o = 0;
    int start = 1;
    if (!n)
        return;
    for (const char *p = in ? in : ""; *p && o + 1 < n; p++) {
        char c = *p;
        int alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (!alnum) {
            start = 1;
            continue;
        }
        if (start && c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        out[o++] = c;
        start = 0;
    }
    out[o] = '\0';
    if (!o)
        snprintf(out, n, "Event");
}

int32_t schemas_java_hash(const char *utf8)
{
    uint32_t h = 0;
    const unsigned char *p = (const unsigned char *)utf8;
    while (*p) {
        uint32_t cp;
        int extra;
        if (*p < 0x80) {
            cp = *p;
            extra = 0;
        } else if ((*p & 0xE0) == 0xC0) {
            cp = *p & 0x1F;
            extra = 1;
        } else if ((*p & 0xF0) == 0xE0) {
            cp = *p & 0x0F;
            extra = 2;
        } else {
            cp = *p & 0x07;
            extra = 3;
        }
        p++;
        for (int i = 0; i < extra && (*p & 0xC0) == 0x80; i++, p++)
            cp = (cp << 6) | (*p & 0x3F);
        if (cp >= 0x10000) {
            cp -= 0x10000;
            h = 31 * h + (0xD800 + (cp >> 10));
            h = 31 * h + (0xDC00 + (cp & 0x3FF));
        } else {
            h = 31 * h + cp;
        }
    }
    return (int32_t)h;
}

typedef struct java_slot {
    const char *key;
    uint32_t bucket;
    size_t pos;
} java_slot_t;

static int java_slot_cmp(const void *a, const void *b)
{
    const java_slot_t *x = a, *y = b;
    if (x->bucket != y->bucket)
        return x->bucket < y->bucket ? -1 : 1;
    return x->pos < y->pos ? -1 : x->pos > y->pos;
}

int schemas_java_set_order(const char **keys, size_t n)
{
    /* a HashMap table starts at 16 and doubles once size exceeds 3/4 of it;
     * a resize keeps each bucket's insertion order, so the final order is
     * (bucket in the final table, insertion position). */
    size_t cap = 16;
    while (n > cap / 4 * 3)
        cap *= 2;
    java_slot_t *v = rn_calloc(n ? n : 1, sizeof *v);
    if (!v)
        return RN_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        uint32_t h = (uint32_t)schemas_java_hash(keys[i]);
        h ^= h >> 16;
        v[i] = (java_slot_t){keys[i], (uint32_t)(h & (cap - 1)), i};
    }
    qsort(v, n, sizeof *v, java_slot_cmp);
    for (size_t i = 0; i < n; i++)
        keys[i] = v[i].key;
    rn_free(v);
    return 0;
}

/* ---- OpenAPI rendering -------------------------------------------------- */

typedef struct render {
    json_t *schemas; /* components.schemas being filled, in insertion order */
    json_t *owners;  /* component name -> the shape it was made from (borrowed) */
    int oom;
} render_t;

static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static json_t *render_prop(render_t *r, const json_t *shape, const char *key);

/* Collects an object's keys sorted by code point (AWS's properties are a sorted map). */
static const char **sorted_keys(const json_t *obj, size_t *n)
{
    *n = json_object_size(obj);
    const char **keys = rn_calloc(*n ? *n : 1, sizeof *keys);
    if (!keys)
        return NULL;
    size_t i = 0;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)obj, k, v) keys[i++] = k;
    qsort(keys, *n, sizeof *keys, str_cmp);
    return keys;
}

static void fill_object(render_t *r, json_t *comp, const json_t *shape)
{
    const json_t *props = json_object_get(shape, "p"), *req = json_object_get(shape, "r");
    size_t n;
    const char **keys = sorted_keys(props, &n);
    if (!keys) {
        r->oom = 1;
        return;
    }
    json_t *required = json_array(), *properties = json_object();
    const char **rk = rn_calloc(n ? n : 1, sizeof *rk);
    size_t nr = 0;
    if (!required || !properties || !rk) {
        r->oom = 1;
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        if (json_object_get(req, keys[i]))
            rk[nr++] = keys[i];
    if (schemas_java_set_order(rk, nr) < 0) {
        r->oom = 1;
        goto out;
    }
    for (size_t i = 0; i < nr; i++)
        json_array_append_new(required, json_string(rk[i]));
    for (size_t i = 0; i < n; i++) {
        json_t *p = render_prop(r, json_object_get(props, keys[i]), keys[i]);
        if (!p || json_object_set_new(properties, keys[i], p) < 0)
            r->oom = 1;
    }
    json_object_set_new(comp, "type", json_string("object"));
    if (nr)
        json_object_set(comp, "required", required);
    if (n)
        json_object_set(comp, "properties", properties);
out:
    json_decref(required);
    json_decref(properties);
    rn_free(keys);
    rn_free(rk);
}

/* Adds (or reuses) the component for an object shape; returns its name,
 * borrowed from r->schemas. Same-named objects of another shape get "_1",
 * "_2"... so no component is overwritten. */
static const char *render_object(render_t *r, const json_t *shape, const char *base)
{
    char name[256];
    for (int i = 0; i < 10000; i++) {
        if (i == 0)
            snprintf(name, sizeof name, "%s", base);
        else
            snprintf(name, sizeof name, "%.240s_%d", base, i);
        json_t *have = json_object_get(r->owners, name);
        if (have && json_equal(have, (json_t *)shape))
            break;
        if (have || json_object_get(r->schemas, name))
            continue;
        json_t *comp = json_object();
        /* claim the name before the children so the order is parent first */
        if (!comp || json_object_set_new(r->schemas, name, comp) < 0 ||
            json_object_set_new(r->owners, name, json_incref((json_t *)shape)) < 0) {
            r->oom = 1;
            return NULL;
        }
        fill_object(r, comp, shape);
        break;
    }
    const char *k;
    json_t *v;
    json_object_foreach(r->schemas, k, v) if (strcmp(k, name) == 0) return k;
    r->oom = 1;
    return NULL;
}

static json_t *ref_to(const char *name)
{
    rn_buf_t b = {0};
    rn_buf_printf(&b, "#/components/schemas/%s", name);
    json_t *ref = b.oom ? NULL : json_pack("{s:s}", "$ref", b.data);
    rn_buf_free(&b);
    return ref;
}

static json_t *render_prop(render_t *r, const json_t *shape, const char *key)
{
    const char *t = shape_type(shape);
    if (strcmp(t, "s") == 0)
        return json_pack("{s:s}", "type", "string");
    if (strcmp(t, "b") == 0)
        return json_pack("{s:s}", "type", "boolean");
    if (strcmp(t, "i32") == 0)
        return json_pack("{s:s,s:s}", "type", "integer", "format", "int32");
    if (strcmp(t, "i64") == 0)
        return json_pack("{s:s,s:s}", "type", "integer", "format", "int64");
    if (strcmp(t, "int") == 0)
        return json_pack("{s:s}", "type", "integer");
    if (strcmp(t, "num") == 0)
        return json_pack("{s:s,s:s}", "type", "number", "format", "double");
    if (strcmp(t, "emp") == 0)
        return json_pack("{s:s}", "type", "object");
    if (strcmp(t, "a") == 0) {
        json_t *items = render_prop(r, json_object_get(shape, "i"), key);
        return items ? json_pack("{s:s,s:o}", "type", "array", "items", items) : NULL;
    }
    if (strcmp(t, "o") == 0) {
        char base[256];
        schemas_name_pascal(key, base, sizeof base);
        const char *name = render_object(r, shape, base);
        return name ? ref_to(name) : NULL;
    }
    return json_object(); /* null or clashing types: any value */
}

static char *dump_doc(json_t *doc)
{
    char *txt = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    if (!txt)
        return NULL;
    char *out = rn_strdup(txt);
    rn_json_free(txt);
    return out;
}

static json_t *doc_new(const char *title, json_t **schemas)
{
    json_t *doc = json_pack("{s:s,s:{s:s,s:s},s:{},s:{s:{}}}", "openapi", "3.0.0", "info", "version", "1.0.0",
                            "title", title, "paths", "components", "schemas");
    *schemas = doc ? json_object_get(json_object_get(doc, "components"), "schemas") : NULL;
    return doc;
}

char *schemas_openapi_event(const json_t *shape, const char *source, const char *detail_type)
{
    const json_t *props = json_object_get(shape, "p");
    const json_t *detail = json_object_get(props, "detail");
    if (strcmp(shape_type(detail), "o") != 0 || !source || !detail_type)
        return NULL;
    char title[256];
    schemas_name_pascal(detail_type, title, sizeof title);
    render_t r = {0};
    json_t *doc = doc_new(title, &r.schemas);
    r.owners = json_object();
    if (!doc || !r.owners || !r.schemas)
        goto fail;
    /* the envelope is AWS's fixed template; only the resources' items and
     * the detail come from the events */
    json_t *env = json_object();
    if (!env || json_object_set_new(r.schemas, "AWSEvent", env) < 0 ||
        json_object_set_new(r.owners, "AWSEvent", json_object()) < 0)
        goto fail;
    static const char *env_keys[] = {"detail-type", "resources", "detail", "id", "source",
                                     "time",        "region",    "version", "account"};
    const char *req[9];
    memcpy(req, env_keys, sizeof req);
    if (schemas_java_set_order(req, 9) < 0)
        goto fail;
    json_t *required = json_array();
    for (int i = 0; i < 9; i++)
        json_array_append_new(required, json_string(req[i]));
    json_object_set_new(env, "type", json_string("object"));
    json_object_set_new(env, "required", required);
    json_object_set_new(env, "x-amazon-events-detail-type", json_string(detail_type));
    json_object_set_new(env, "x-amazon-events-source", json_string(source));
    json_t *ep = json_object();
    json_object_set_new(env, "properties", ep);
    const char *detail_name = render_object(&r, detail, title);
    if (!detail_name)
        goto fail;
    json_object_set_new(ep, "detail", ref_to(detail_name));
    json_object_set_new(ep, "account", json_pack("{s:s}", "type", "string"));
    json_object_set_new(ep, "detail-type", json_pack("{s:s}", "type", "string"));
    json_object_set_new(ep, "id", json_pack("{s:s}", "type", "string"));
    json_object_set_new(ep, "region", json_pack("{s:s}", "type", "string"));
    const json_t *res = json_object_get(props, "resources");
    json_t *items = strcmp(shape_type(res), "a") == 0 ? render_prop(&r, json_object_get(res, "i"), "resources")
                                                       : json_pack("{s:s}", "type", "string");
    json_object_set_new(ep, "resources", json_pack("{s:s,s:o}", "type", "array", "items", items));
    json_object_set_new(ep, "source", json_pack("{s:s}", "type", "string"));
    json_object_set_new(ep, "time", json_pack("{s:s,s:s}", "type", "string", "format", "date-time"));
    json_object_set_new(ep, "version", json_pack("{s:s}", "type", "string"));
    if (r.oom || json_object_size(ep) != 9 || !json_object_get(env, "x-amazon-events-source") ||
        !json_object_get(env, "x-amazon-events-detail-type"))
        goto fail;
    json_decref(r.owners);
    return dump_doc(doc);
fail:
    json_decref(r.owners);
    json_decref(doc);
    return NULL;
}

char *schemas_openapi_plain(const json_t *shape, const char *title)
{
    render_t r = {0};
    json_t *doc = doc_new(title, &r.schemas);
    r.owners = json_object();
    if (!doc || !r.owners || !r.schemas)
        goto fail;
    if (strcmp(shape_type(shape), "o") == 0) {
        if (!render_object(&r, shape, title))
            goto fail;
    } else {
        json_t *p = render_prop(&r, shape, title);
        if (!p || json_object_set_new(r.schemas, title, p) < 0)
            goto fail;
    }
    if (r.oom)
        goto fail;
    json_decref(r.owners);
    return dump_doc(doc);
fail:
    json_decref(r.owners);
    json_decref(doc);
    return NULL;
}

/* ---- JSONSchema Draft 4 export ------------------------------------------ */

static int rewrite_refs(json_t *v, int depth)
{
    if (depth > 256)
        return -1;
    if (json_is_array(v)) {
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e) if (rewrite_refs(e, depth + 1) < 0) return -1;
        return 0;
    }
    if (!json_is_object(v))
        return 0;
    const char *k;
    json_t *e;
    json_object_foreach(v, k, e)
    {
        static const char pfx[] = "#/components/schemas/";
        const char *s = json_string_value(e);
        if (strcmp(k, "$ref") == 0 && s && strncmp(s, pfx, sizeof pfx - 1) == 0) {
            rn_buf_t b = {0};
            rn_buf_printf(&b, "#/definitions/%s", s + sizeof pfx - 1);
            int rc = b.oom ? -1 : json_object_set_new(v, k, json_string(b.data));
            rn_buf_free(&b);
            if (rc < 0)
                return -1;
        } else if (rewrite_refs(e, depth + 1) < 0) {
            return -1;
        }
    }
    return 0;
}

int schemas_draft4_export(const char *openapi, char **out)
{
    *out = NULL;
    json_t *doc = json_loads(openapi, 0, NULL);
    json_t *schemas = json_object_get(json_object_get(doc, "components"), "schemas");
    if (!json_is_object(schemas)) {
        json_decref(doc);
        return SC_ERR_BAD_REQUEST;
    }
    const char *title = json_string_value(json_object_get(json_object_get(doc, "info"), "title"));
    json_t *root = json_object(), *defs = json_object();
    int rc = RN_ERR_NOMEM;
    if (!root || !defs)
        goto out;
    const char *k;
    json_t *v;
    json_object_foreach(schemas, k, v)
    {
        if (strcmp(k, "AWSEvent") == 0 && json_is_object(v))
            json_object_update(root, v);
        else
            json_object_set(defs, k, v);
    }
    if (json_object_size(defs))
        json_object_set(root, "definitions", defs);
    if (rewrite_refs(root, 0) < 0)
        goto out;
    /* "$schema" and "title" lead; every other key is sorted, as AWS's
     * exporter writes them */
    char *rest = json_dumps(root, JSON_COMPACT | JSON_SORT_KEYS);
    if (!rest)
        goto out;
    json_t *head = json_pack("{s:s,s:s}", "$schema", "http://json-schema.org/draft-04/schema#", "title",
                             title ? title : "Event");
    char *h = head ? json_dumps(head, JSON_COMPACT) : NULL;
    json_decref(head);
    if (h) {
        rn_buf_t b = {0};
        rn_buf_add(&b, h, strlen(h) - 1); /* drop '}' */
        if (strcmp(rest, "{}") != 0) {
            rn_buf_puts(&b, ",");
            rn_buf_puts(&b, rest + 1);
        } else {
            rn_buf_puts(&b, "}");
        }
        if (!b.oom) {
            *out = rn_buf_take(&b, NULL);
            rc = *out ? 0 : RN_ERR_NOMEM;
        }
        rn_buf_free(&b);
    }
    rn_json_free(h);
    rn_json_free(rest);
out:
    json_decref(root);
    json_decref(defs);
    json_decref(doc);
    return rc;
}
