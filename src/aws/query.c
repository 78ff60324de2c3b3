/* SPDX-License-Identifier: MIT
 * The query protocol, generic over a service's API description (core/api.h).
 * Each member carries its JSON name and its wire name, so decoding and
 * encoding read the same description.
 *
 * Decoding walks each flat name segment by segment through the shapes into a
 * raw tree in which lists and maps are keyed by their .N index, then builds
 * the input object in member order with lists and maps sorted by index.
 * Encoding walks the output shape and emits lists and maps flattened
 * (<Attribute><Name/><Value/></Attribute>, repeated <QueueUrl>) or wrapped
 * (<Arns><member/></Arns>, <Tags><entry><key/><value/></entry></Tags>) as the
 * shape says. */
#include "aws/query.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/err.h"
#include "core/mem.h"

/* ---- decoding ---- */

/* Returns the member whose wire name is seg[0..n), or NULL. */
static const rn_member_t *member_by_wire(const rn_member_t *m, const char *seg, size_t n)
{
    for (; m->name; m++)
        if (strlen(m->wire) == n && memcmp(m->wire, seg, n) == 0)
            return m;
    return NULL;
}

/* Gets or creates the object child `key` of raw. NULL on out of memory. */
static json_t *raw_child(json_t *raw, const char *key)
{
    json_t *c = json_object_get(raw, key);
    if (json_is_object(c))
        return c;
    c = json_object();
    if (!c || json_object_set_new(raw, key, c) < 0)
        return NULL;
    return c;
}

/* Reads the .N index at *p (up to 9 digits, no sign) into idx (normalised decimal
 * text) and advances *p past it and a following '.'. Returns 1 if more
 * segments follow, 0 if the index ended the name, -1 if it is no index. */
static int take_index(const char **p, char idx[16])
{
    const char *s = *p;
    size_t n = strspn(s, "0123456789");
    if (n == 0 || n > 9 || (s[n] != '\0' && s[n] != '.'))
        return -1;
    snprintf(idx, 16, "%ld", strtol(s, NULL, 10));
    *p = s[n] ? s + n + 1 : s + n;
    return s[n] == '.';
}

/* Advances *p past the segment `seg` and its '.'; 0 when *p does not start so. */
static int skip_seg(const char **p, const char *seg)
{
    size_t n = strlen(seg);
    if (strncmp(*p, seg, n) != 0 || (*p)[n] != '.')
        return 0;
    *p += n + 1;
    return 1;
}

static const char *map_key(const rn_shape_t *sh)
{
    return sh->key ? sh->key : "key";
}

static const char *map_value(const rn_shape_t *sh)
{
    return sh->value ? sh->value : "value";
}

/* Files one flat parameter (name rest, string value val) under the raw tree of
 * structure members m. Names that fit no member are ignored, as AWS does. */
static int raw_put(const rn_member_t *m, json_t *raw, const char *rest, json_t *val)
{
    const char *dot = strchr(rest, '.');
    size_t seglen = dot ? (size_t)(dot - rest) : strlen(rest);
    const rn_member_t *mem = member_by_wire(m, rest, seglen);
    if (!mem)
        return 0;
    const rn_shape_t *sh = mem->shape;
    const char *p = dot ? dot + 1 : rest + seglen;
    char idx[16];
    json_t *node, *slot;
    int more;
    if (!dot) {
        /* only a scalar member ends the name */
        if (sh->type == RN_T_STRUCT || sh->type == RN_T_LIST || sh->type == RN_T_MAP)
            return 0;
        return json_object_set(raw, mem->name, val) < 0 ? RN_ERR_NOMEM : 0;
    }
    switch (sh->type) {
    case RN_T_STRUCT:
        if (!(node = raw_child(raw, mem->name)))
            return RN_ERR_NOMEM;
        return raw_put(sh->members, node, p, val);
    case RN_T_LIST:
        if (!sh->flat && !skip_seg(&p, "member"))
            return 0;
        if ((more = take_index(&p, idx)) < 0 || more != (sh->elem->type == RN_T_STRUCT))
            return 0;
        if (!(node = raw_child(raw, mem->name)))
            return RN_ERR_NOMEM;
        if (!more)
            return json_object_set(node, idx, val) < 0 ? RN_ERR_NOMEM : 0;
        if (!(slot = raw_child(node, idx)))
            return RN_ERR_NOMEM;
        return raw_put(sh->elem->members, slot, p, val);
    case RN_T_MAP: {
        if ((!sh->flat && !skip_seg(&p, "entry")) || take_index(&p, idx) <= 0)
            return 0;
        const char *kn = map_key(sh), *vn = map_value(sh);
        size_t vl = strlen(vn);
        int is_key = strcmp(p, kn) == 0;
        int is_value = strcmp(p, vn) == 0 && sh->elem->type != RN_T_STRUCT;
        int is_sub = strncmp(p, vn, vl) == 0 && p[vl] == '.' && sh->elem->type == RN_T_STRUCT;
        if (!is_key && !is_value && !is_sub)
            return 0;
        if (!(node = raw_child(raw, mem->name)) || !(slot = raw_child(node, idx)))
            return RN_ERR_NOMEM;
        if (!is_sub)
            return json_object_set(slot, is_key ? "k" : "v", val) < 0 ? RN_ERR_NOMEM : 0;
        if (!(node = raw_child(slot, "v")))
            return RN_ERR_NOMEM;
        return raw_put(sh->elem->members, node, p + vl + 1, val);
    }
    default: /* a scalar followed by more segments names nothing */
        return 0;
    }
}

/* Parses a query integer as the service's Java-style parser would: optional
 * sign, decimal digits, within [lo, hi]. */
static int parse_int(const char *s, long long lo, long long hi, long long *out)
{
    const char *d = (*s == '+' || *s == '-') ? s + 1 : s;
    if (!*d || strspn(d, "0123456789") != strlen(d))
        return -1;
    errno = 0;
    long long x = strtoll(s, NULL, 10);
    if (errno == ERANGE || x < lo || x > hi)
        return -1;
    *out = x;
    return 0;
}

typedef struct idx_entry {
    long n;
    json_t *v;
} idx_entry_t;

static int idx_cmp(const void *a, const void *b)
{
    long x = ((const idx_entry_t *)a)->n, y = ((const idx_entry_t *)b)->n;
    return (x > y) - (x < y);
}

/* Returns the children of an index-keyed raw node sorted by index. Caller
 * frees the array with rn_free(). NULL (with *count 0) for an empty node. */
static idx_entry_t *idx_sorted(json_t *node, size_t *count, int *err)
{
    size_t n = json_object_size(node), i = 0;
    *count = 0;
    if (n == 0)
        return NULL;
    idx_entry_t *e = rn_calloc(n, sizeof *e);
    if (!e) {
        *err = RN_ERR_NOMEM;
        return NULL;
    }
    const char *k;
    json_t *v;
    json_object_foreach(node, k, v) e[i++] = (idx_entry_t){strtol(k, NULL, 10), v};
    qsort(e, n, sizeof *e, idx_cmp);
    *count = n;
    return e;
}

static int build_struct(const rn_member_t *m, json_t *raw, json_t **out, char *msg, size_t msglen);

/* Converts the raw value of member mem into its JSON-protocol value. */
static int build_value(const rn_member_t *mem, const rn_shape_t *sh, json_t *raw, json_t **out, char *msg,
                       size_t msglen)
{
    int rc = 0;
    size_t n = 0;
    idx_entry_t *e = NULL;
    json_t *res = NULL;
    *out = NULL;
    switch (sh->type) {
    case RN_T_STRUCT:
        return json_is_object(raw) ? build_struct(sh->members, raw, out, msg, msglen) : 0;
    case RN_T_LIST:
    case RN_T_MAP:
        if (!json_is_object(raw))
            return 0;
        e = idx_sorted(raw, &n, &rc);
        res = sh->type == RN_T_LIST ? json_array() : json_object();
        if (rc < 0 || !res) {
            rc = RN_ERR_NOMEM;
            break;
        }
        for (size_t i = 0; i < n && rc == 0; i++) {
            json_t *item = NULL;
            const char *key = NULL;
            json_t *src = e[i].v;
            if (sh->type == RN_T_MAP) {
                /* an entry needs both its key and its value to mean anything */
                key = json_string_value(json_object_get(src, "k"));
                src = json_object_get(src, "v");
                if (!key || !src)
                    continue;
            }
            rc = build_value(mem, sh->elem, src, &item, msg, msglen);
            if (rc < 0 || !item)
                continue;
            if ((key ? json_object_set_new(res, key, item) : json_array_append_new(res, item)) < 0)
                rc = RN_ERR_NOMEM;
        }
        break;
    case RN_T_INT:
    case RN_T_LONG: {
        const char *s = json_string_value(raw);
        long long x;
        if (!s)
            return 0;
        if (parse_int(s, sh->type == RN_T_INT ? INT32_MIN : INT64_MIN, sh->type == RN_T_INT ? INT32_MAX : INT64_MAX,
                      &x) < 0) {
            snprintf(msg, msglen, "Value %s for parameter %s is invalid. Reason: Must be an integer.", s, mem->wire);
            return RN_ERR_INVALID_PARAMETER;
        }
        if (!(res = json_integer(x)))
            rc = RN_ERR_NOMEM;
        break;
    }
    case RN_T_BOOL: {
        const char *s = json_string_value(raw);
        if (!s)
            return 0;
        if (strcmp(s, "true") != 0 && strcmp(s, "false") != 0) {
            snprintf(msg, msglen, "Value %s for parameter %s is invalid. Reason: Must be true or false.", s,
                     mem->wire);
            return RN_ERR_INVALID_PARAMETER;
        }
        res = json_boolean(s[0] == 't');
        break;
    }
    default: /* strings, and blobs, which both protocols carry as base64 text */
        if (!json_is_string(raw))
            return 0;
        res = json_incref(raw);
        break;
    }
    rn_free(e);
    if (rc < 0) {
        json_decref(res);
        if (rc == RN_ERR_NOMEM)
            snprintf(msg, msglen, "Out of memory while decoding the request.");
        return rc;
    }
    *out = res;
    return 0;
}

/* Builds a JSON object with the members of m found in raw, in table order. */
static int build_struct(const rn_member_t *m, json_t *raw, json_t **out, char *msg, size_t msglen)
{
    json_t *o = json_object();
    if (!o) {
        snprintf(msg, msglen, "Out of memory while decoding the request.");
        return RN_ERR_NOMEM;
    }
    for (; m->name; m++) {
        json_t *r = json_object_get(raw, m->name), *v = NULL;
        if (!r)
            continue;
        int rc = build_value(m, m->shape, r, &v, msg, msglen);
        if (rc == 0 && v && json_object_set_new(o, m->name, v) < 0) {
            snprintf(msg, msglen, "Out of memory while decoding the request.");
            rc = RN_ERR_NOMEM;
        }
        if (rc < 0) {
            json_decref(o);
            return rc;
        }
    }
    *out = o;
    return 0;
}

int aws_query_decode(const rn_api_t *api, const char *action, const json_t *flat, json_t **in, char *msg,
                     size_t msglen)
{
    const rn_op_t *op = rn_api_op(api, action);
    if (!op) {
        const char *t = api->unknown_action ? api->unknown_action : "The action {} is not valid for this endpoint.";
        const char *at = strstr(t, "{}");
        if (at)
            snprintf(msg, msglen, "%.*s%s%s", (int)(at - t), t, action ? action : "", at + 2);
        else
            snprintf(msg, msglen, "%s", t);
        return RN_ERR_INVALID_ACTION;
    }
    json_t *raw = json_object();
    int rc = raw ? 0 : RN_ERR_NOMEM;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)flat, k, v)
    {
        if (rc < 0)
            break;
        if (json_is_string(v))
            rc = raw_put(op->in, raw, k, v);
    }
    if (rc == 0)
        rc = build_struct(op->in, raw, in, msg, msglen);
    else
        snprintf(msg, msglen, "Out of memory while decoding the request.");
    json_decref(raw);
    return rc;
}

/* ---- encoding ---- */

static void put_scalar(rn_buf_t *b, const char *name, const json_t *v)
{
    rn_buf_printf(b, "<%s>", name);
    if (json_is_string(v))
        rn_buf_xml_escape(b, json_string_value(v), json_string_length(v));
    else if (json_is_integer(v))
        rn_buf_printf(b, "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v))
        rn_buf_printf(b, "%.17g", json_real_value(v));
    else if (json_is_boolean(v))
        rn_buf_puts(b, json_is_true(v) ? "true" : "false");
    rn_buf_printf(b, "</%s>", name);
}

static void encode_members(rn_buf_t *b, const rn_member_t *m, const json_t *o);

/* Emits value v of shape sh under element name `name`; lists and maps are
 * flattened, so each element or entry repeats `name`. */
static void encode_value(rn_buf_t *b, const char *name, const rn_shape_t *sh, const json_t *v)
{
    size_t i;
    const char *k;
    json_t *x;
    switch (sh->type) {
    case RN_T_STRUCT:
        if (!json_is_object(v))
            return;
        rn_buf_printf(b, "<%s>", name);
        encode_members(b, sh->members, v);
        rn_buf_printf(b, "</%s>", name);
        return;
    case RN_T_LIST:
        if (!json_is_array(v))
            return;
        if (!sh->flat)
            rn_buf_printf(b, "<%s>", name);
        json_array_foreach(v, i, x) encode_value(b, sh->flat ? name : "member", sh->elem, x);
        if (!sh->flat)
            rn_buf_printf(b, "</%s>", name);
        return;
    case RN_T_MAP:
        if (!json_is_object(v))
            return;
        if (!sh->flat)
            rn_buf_printf(b, "<%s>", name);
        json_object_foreach((json_t *)v, k, x)
        {
            if (json_is_null(x))
                continue;
            rn_buf_printf(b, "<%s><%s>", sh->flat ? name : "entry", map_key(sh));
            rn_buf_xml_escape(b, k, strlen(k));
            rn_buf_printf(b, "</%s>", map_key(sh));
            encode_value(b, map_value(sh), sh->elem, x);
            rn_buf_printf(b, "</%s>", sh->flat ? name : "entry");
        }
        if (!sh->flat)
            rn_buf_printf(b, "</%s>", name);
        return;
    case RN_T_TIME:
        if (json_is_number(v)) { /* seconds since the epoch, as ISO 8601 */
            time_t t = (time_t)json_number_value(v);
            struct tm tm;
            char iso[32];
            gmtime_r(&t, &tm);
            strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%SZ", &tm);
            rn_buf_printf(b, "<%s>%s</%s>", name, iso, name);
        } else if (json_is_string(v)) {
            put_scalar(b, name, v);
        }
        return;
    default:
        if (json_is_string(v) || json_is_number(v) || json_is_boolean(v))
            put_scalar(b, name, v);
        return;
    }
}

static void encode_members(rn_buf_t *b, const rn_member_t *m, const json_t *o)
{
    for (; m->name; m++) {
        const json_t *v = json_object_get(o, m->name);
        if (v && !json_is_null(v))
            encode_value(b, m->wire, m->shape, v);
    }
}

int aws_query_encode(const rn_api_t *api, const char *action, const json_t *out, const char *request_id,
                     rn_buf_t *b)
{
    const rn_op_t *op = rn_api_op(api, action);
    if (!op)
        return RN_ERR_INVALID_ACTION;
    rn_buf_printf(b, "<?xml version=\"1.0\"?><%sResponse xmlns=\"", op->name);
    rn_buf_xml_escape(b, api->xml_ns, strlen(api->xml_ns));
    rn_buf_puts(b, "\">");
    if (op->out) {
        size_t start = b->len;
        rn_buf_printf(b, "<%sResult>", op->name);
        size_t mark = b->len;
        if (json_is_object(out))
            encode_members(b, op->out, out);
        if (b->len == mark && !b->oom) {
            /* nothing to say: <XResult/>, as SQS answers an empty receive */
            b->len = start;
            rn_buf_printf(b, "<%sResult/>", op->name);
        } else {
            rn_buf_printf(b, "</%sResult>", op->name);
        }
    }
    rn_buf_puts(b, "<ResponseMetadata><RequestId>");
    if (request_id)
        rn_buf_xml_escape(b, request_id, strlen(request_id));
    rn_buf_printf(b, "</RequestId></ResponseMetadata></%sResponse>", op->name);
    return b->oom ? RN_ERR_NOMEM : 0;
}

/* ---- errors ---- */

static void put_text(rn_buf_t *b, const char *s)
{
    if (s)
        rn_buf_xml_escape(b, s, strlen(s));
}

void aws_query_error(rn_buf_t *b, const char *ns, int sender, const char *code, const char *message,
                     const char *request_id)
{
    rn_buf_puts(b, "<?xml version=\"1.0\"?><ErrorResponse xmlns=\"");
    put_text(b, ns);
    rn_buf_puts(b, "\"><Error><Type>");
    rn_buf_puts(b, sender ? "Sender" : "Receiver");
    rn_buf_puts(b, "</Type><Code>");
    put_text(b, code);
    rn_buf_puts(b, "</Code><Message>");
    put_text(b, message);
    rn_buf_puts(b, "</Message><Detail/></Error><RequestId>");
    put_text(b, request_id);
    rn_buf_puts(b, "</RequestId></ErrorResponse>");
}
