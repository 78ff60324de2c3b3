/* SPDX-License-Identifier: MIT
 * rpc-v2-cbor bodies through libcbor: a decoded item tree is walked into
 * jansson values (and back). Base64 for blobs uses OpenSSL's EVP block
 * coder. */
#include "aws/cbor.h"

#include <cbor.h>
#include <math.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/mem.h"

#define MAX_DEPTH 64

int aws_cbor_path(const char *path, char *svc, size_t svc_len, char *op, size_t op_len)
{
    static const char a[] = "/service/", b[] = "/operation/";
    if (!path || strncmp(path, a, sizeof a - 1) != 0)
        return 0;
    const char *s = path + sizeof a - 1, *slash = strchr(s, '/');
    if (!slash || slash == s || strncmp(slash, b, sizeof b - 1) != 0)
        return 0;
    const char *o = slash + sizeof b - 1;
    size_t sl = (size_t)(slash - s), ol = strcspn(o, "/?");
    if (!ol || o[ol] == '/' || sl >= svc_len || ol >= op_len)
        return 0;
    memcpy(svc, s, sl);
    svc[sl] = '\0';
    memcpy(op, o, ol);
    op[ol] = '\0';
    return 1;
}

/* ---- decoding ---- */

typedef struct dec {
    char *msg;
    size_t msglen;
    int err;
} dec_t;

static json_t *fail(dec_t *d, int err, const char *text)
{
    if (!d->err) {
        d->err = err;
        snprintf(d->msg, d->msglen, "%s", text);
    }
    return NULL;
}

/* The bytes of a (possibly chunked) text or byte string, NUL-terminated;
 * caller frees. */
static unsigned char *string_bytes(cbor_item_t *it, size_t *n)
{
    int text = cbor_isa_string(it);
    if (text ? cbor_string_is_definite(it) : cbor_bytestring_is_definite(it)) {
        size_t len = text ? cbor_string_length(it) : cbor_bytestring_length(it);
        unsigned char *p = rn_malloc(len + 1);
        if (!p)
            return NULL;
        if (len)
            memcpy(p, text ? cbor_string_handle(it) : cbor_bytestring_handle(it), len);
        p[len] = '\0';
        *n = len;
        return p;
    }
    size_t count = text ? cbor_string_chunk_count(it) : cbor_bytestring_chunk_count(it), total = 0;
    cbor_item_t **chunks = text ? cbor_string_chunks_handle(it) : cbor_bytestring_chunks_handle(it);
    for (size_t i = 0; i < count; i++)
        total += text ? cbor_string_length(chunks[i]) : cbor_bytestring_length(chunks[i]);
    unsigned char *p = rn_malloc(total + 1);
    if (!p)
        return NULL;
    size_t at = 0;
    for (size_t i = 0; i < count; i++) {
        size_t l = text ? cbor_string_length(chunks[i]) : cbor_bytestring_length(chunks[i]);
        if (l)
            memcpy(p + at, text ? cbor_string_handle(chunks[i]) : cbor_bytestring_handle(chunks[i]), l);
        at += l;
    }
    p[at] = '\0';
    *n = at;
    return p;
}

static json_t *to_json(dec_t *d, cbor_item_t *it, int depth)
{
    if (depth > MAX_DEPTH)
        return fail(d, RN_ERR_SERIALIZATION, "The CBOR body nests too deeply.");
    switch (cbor_typeof(it)) {
    case CBOR_TYPE_UINT: {
        uint64_t v = cbor_get_int(it);
        return v > INT64_MAX ? json_real((double)v) : json_integer((json_int_t)v);
    }
    case CBOR_TYPE_NEGINT: {
        uint64_t v = cbor_get_int(it);
        return v > INT64_MAX ? json_real(-1.0 - (double)v) : json_integer(-1 - (json_int_t)v);
    }
    case CBOR_TYPE_STRING:
    case CBOR_TYPE_BYTESTRING: {
        size_t n;
        unsigned char *p = string_bytes(it, &n);
        if (!p)
            return fail(d, RN_ERR_NOMEM, "Out of memory.");
        json_t *v;
        if (cbor_isa_string(it)) {
            v = json_stringn((const char *)p, n);
            if (!v) {
                rn_free(p);
                return fail(d, RN_ERR_SERIALIZATION, "A CBOR text string is not UTF-8.");
            }
        } else { /* a blob: base64 text, as every protocol hands it to a service */
            char *b64 = rn_malloc(4 * ((n + 2) / 3) + 1);
            if (!b64) {
                rn_free(p);
                return fail(d, RN_ERR_NOMEM, "Out of memory.");
            }
            int l = EVP_EncodeBlock((unsigned char *)b64, p, (int)n);
            v = json_stringn(b64, (size_t)l);
            rn_free(b64);
        }
        rn_free(p);
        return v;
    }
    case CBOR_TYPE_ARRAY: {
        json_t *a = json_array();
        size_t n = cbor_array_size(it);
        cbor_item_t **items = cbor_array_handle(it);
        for (size_t i = 0; a && i < n; i++) {
            json_t *v = to_json(d, items[i], depth + 1);
            if (!v || json_array_append_new(a, v) < 0) {
                json_decref(a);
                return fail(d, RN_ERR_NOMEM, "Out of memory.");
            }
        }
        return a ? a : fail(d, RN_ERR_NOMEM, "Out of memory.");
    }
    case CBOR_TYPE_MAP: {
        json_t *o = json_object();
        size_t n = cbor_map_size(it);
        struct cbor_pair *pairs = cbor_map_handle(it);
        for (size_t i = 0; o && i < n; i++) {
            if (!cbor_isa_string(pairs[i].key)) {
                json_decref(o);
                return fail(d, RN_ERR_SERIALIZATION, "A CBOR map key is not a text string.");
            }
            size_t kl;
            unsigned char *k = string_bytes(pairs[i].key, &kl);
            json_t *v = k ? to_json(d, pairs[i].value, depth + 1) : NULL;
            int bad = !k || !v || strlen((const char *)k) != kl ||
                      json_object_set_new(o, (const char *)k, v) < 0;
            if (bad && v && (!k || strlen((const char *)k) != kl))
                json_decref(v);
            rn_free(k);
            if (bad) {
                json_decref(o);
                return fail(d, k && v ? RN_ERR_SERIALIZATION : RN_ERR_NOMEM, "A CBOR map key is not valid.");
            }
        }
        return o ? o : fail(d, RN_ERR_NOMEM, "Out of memory.");
    }
    case CBOR_TYPE_TAG: {
        cbor_item_t *inner = cbor_tag_item(it);
        json_t *v = to_json(d, inner, depth + 1);
        cbor_decref(&inner);
        if (v && cbor_tag_value(it) == 1 && !json_is_number(v)) {
            json_decref(v);
            return fail(d, RN_ERR_SERIALIZATION, "A CBOR timestamp (tag 1) is not a number.");
        }
        return v;
    }
    case CBOR_TYPE_FLOAT_CTRL:
        if (cbor_float_ctrl_is_ctrl(it)) {
            if (cbor_is_bool(it))
                return json_boolean(cbor_get_bool(it));
            return json_null(); /* null and undefined */
        }
        if (!isfinite(cbor_float_get_float(it))) /* JSON has no NaN or infinity */
            return fail(d, RN_ERR_SERIALIZATION, "A CBOR float is not a finite number.");
        return json_real(cbor_float_get_float(it));
    default:
        return fail(d, RN_ERR_SERIALIZATION, "The CBOR body holds a type this protocol does not use.");
    }
}

/* One pass over the item headers before libcbor sees the body: libcbor
 * allocates an array or map of the size its header declares before reading
 * the items, so 9 bytes could ask for gigabytes. Every item takes at least one
 * byte of its own, so the items all arrays and maps declare (a map entry is
 * two), added up over the whole body, must fit in it; so must each string.
 * Reserved additional-information values are refused. */
static int headers_fit(const unsigned char *p, size_t n)
{
    size_t i = 0;
    uint64_t declared = 0;
    while (i < n) {
        unsigned mt = p[i] >> 5, ai = p[i] & 31;
        i++;
        uint64_t arg = ai;
        if (ai >= 24 && ai <= 27) {
            size_t k = (size_t)1 << (ai - 24);
            if (n - i < k)
                return 0;
            arg = 0;
            for (size_t j = 0; j < k; j++)
                arg = arg << 8 | p[i++];
        } else if (ai >= 28 && ai <= 30) {
            return 0;
        } else if (ai == 31) { /* indefinite length, or the break that ends one */
            if (mt == 0 || mt == 1 || mt == 6)
                return 0;
            continue;
        }
        size_t left = n - i;
        if ((mt == 2 || mt == 3) && arg > left)
            return 0;
        if (mt == 2 || mt == 3)
            i += (size_t)arg;
        else if ((mt == 4 && arg > left) || (mt == 5 && arg > left / 2))
            return 0;
        else if (mt == 4 || mt == 5) {
            declared += mt == 5 ? 2 * arg : arg;
            if (declared > n)
                return 0;
        }
    }
    return 1;
}

int aws_cbor_decode(const char *body, size_t len, json_t **in, char *msg, size_t msglen)
{
    if (body && len && !headers_fit((const unsigned char *)body, len)) {
        snprintf(msg, msglen, "The request body is not one well-formed CBOR item.");
        return RN_ERR_SERIALIZATION;
    }
    if (!body || len == 0) {
        *in = json_object();
        return *in ? 0 : (snprintf(msg, msglen, "Out of memory."), RN_ERR_NOMEM);
    }
    struct cbor_load_result res;
    cbor_item_t *it = cbor_load((cbor_data)body, len, &res);
    if (!it || res.error.code != CBOR_ERR_NONE || res.read != len) {
        if (it)
            cbor_decref(&it);
        snprintf(msg, msglen, "The request body is not one well-formed CBOR item.");
        /* libcbor also says MEMERROR for nesting past its own stack */
        return RN_ERR_SERIALIZATION;
    }
    dec_t d = {msg, msglen, 0};
    json_t *v = cbor_isa_map(it) ? to_json(&d, it, 0) : fail(&d, RN_ERR_SERIALIZATION, "The CBOR body is not a map.");
    cbor_decref(&it);
    if (!v)
        return d.err ? d.err : RN_ERR_NOMEM;
    *in = v;
    return 0;
}

/* ---- encoding ---- */

static cbor_item_t *from_json(const json_t *v, const rn_shape_t *sh, int depth);

static cbor_item_t *from_object(const json_t *o, const rn_member_t *members, const rn_shape_t *elem, int depth)
{
    cbor_item_t *m = cbor_new_definite_map(json_object_size(o));
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)o, k, v)
    {
        const rn_shape_t *sh = elem;
        for (const rn_member_t *mm = members; mm && mm->name; mm++)
            if (strcmp(mm->name, k) == 0)
                sh = mm->shape;
        cbor_item_t *key = cbor_build_string(k), *val = from_json(v, sh, depth + 1);
        if (!m || !key || !val || !cbor_map_add(m, (struct cbor_pair){.key = key, .value = val})) {
            if (key)
                cbor_decref(&key);
            if (val)
                cbor_decref(&val);
            if (m)
                cbor_decref(&m);
            return NULL;
        }
        cbor_decref(&key);
        cbor_decref(&val);
    }
    return m;
}

static cbor_item_t *from_json(const json_t *v, const rn_shape_t *sh, int depth)
{
    if (depth > MAX_DEPTH)
        return NULL;
    int type = sh ? sh->type : -1;
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return from_object(v, type == RN_T_STRUCT ? sh->members : NULL, type == RN_T_MAP ? sh->elem : NULL, depth);
    case JSON_ARRAY: {
        cbor_item_t *a = cbor_new_definite_array(json_array_size(v));
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e)
        {
            cbor_item_t *x = a ? from_json(e, type == RN_T_LIST ? sh->elem : NULL, depth + 1) : NULL;
            if (!x || !cbor_array_push(a, x)) {
                if (x)
                    cbor_decref(&x);
                if (a)
                    cbor_decref(&a);
                return NULL;
            }
            cbor_decref(&x);
        }
        return a;
    }
    case JSON_STRING:
        if (type == RN_T_BLOB) { /* base64 text -> bytes */
            size_t n = json_string_length(v);
            unsigned char *p = rn_malloc(n / 4 * 3 + 3);
            int l = p ? EVP_DecodeBlock(p, (const unsigned char *)json_string_value(v), (int)n) : -1;
            if (l >= 0) { /* EVP_DecodeBlock counts the '=' padding as zero bytes */
                for (size_t k = n; k > 0 && json_string_value(v)[k - 1] == '='; k--)
                    l--;
            }
            cbor_item_t *b = l >= 0 ? cbor_build_bytestring(p, (size_t)l) : NULL;
            rn_free(p);
            return b;
        }
        return cbor_build_stringn(json_string_value(v), json_string_length(v));
    case JSON_INTEGER: {
        json_int_t x = json_integer_value(v);
        cbor_item_t *n = x >= 0 ? cbor_build_uint64((uint64_t)x) : cbor_build_negint64((uint64_t)(-1 - x));
        if (n && type == RN_T_TIME) {
            cbor_item_t *t = cbor_build_tag(1, n);
            cbor_decref(&n);
            return t;
        }
        return n;
    }
    case JSON_REAL: {
        cbor_item_t *f = cbor_build_float8(json_real_value(v));
        if (f && type == RN_T_TIME) {
            cbor_item_t *t = cbor_build_tag(1, f);
            cbor_decref(&f);
            return t;
        }
        return f;
    }
    case JSON_TRUE:
    case JSON_FALSE:
        return cbor_build_bool(json_is_true(v));
    default:
        return cbor_new_null();
    }
}

static int serialize(cbor_item_t *it, rn_buf_t *b)
{
    if (!it)
        return RN_ERR_NOMEM;
    unsigned char *buf = NULL;
    size_t cap = 0, n = cbor_serialize_alloc(it, &buf, &cap);
    cbor_decref(&it);
    if (!n) {
        free(buf);
        return RN_ERR_NOMEM;
    }
    rn_buf_add(b, buf, n);
    free(buf);
    return b->oom ? RN_ERR_NOMEM : 0;
}

int aws_cbor_encode(const rn_member_t *members, const json_t *out, rn_buf_t *b)
{
    json_t *empty = NULL;
    if (!json_is_object(out))
        out = empty = json_object();
    int rc = serialize(out ? from_object(out, members, NULL, 0) : NULL, b);
    json_decref(empty);
    return rc;
}

int aws_cbor_error(const char *type, const char *message, rn_buf_t *b)
{
    json_t *o = json_pack("{s:s,s:s}", "__type", type ? type : "", "message", message ? message : "");
    int rc = o ? aws_cbor_encode(NULL, o, b) : RN_ERR_NOMEM;
    json_decref(o);
    return rc;
}
