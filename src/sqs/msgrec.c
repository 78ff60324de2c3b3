/* SPDX-License-Identifier: MIT
 * SQS's message record layouts (see msgrec.h). Encoding runs once per send
 * and decoding once per received message, so neither builds JSON objects
 * (only sqs_cold_attrs does, for a receive that asks for attributes).
 *
 * The cold part, integers little-endian, each string as a u32 length, its
 * bytes and a NUL (so a decoded string is used in place):
 *   u8  version (1)
 *   u8  flags: 1 trace, 2 group, 4 dedup, 8 dead-letter source, 16 attributes
 *   32  bytes: hex MD5 of the body
 *   u32 attribute size (counted against the queue's maximum message size)
 *   str SenderId
 *   str AWSTraceHeader, MessageGroupId, MessageDeduplicationId,
 *       DeadLetterQueueSourceArn: each only when its flag is set, in that order
 *   when flag 16: u32 count, then per attribute, in the order sent:
 *       str name, str DataType, u8 kind (0 StringValue, 1 BinaryValue as its
 *       base64 text), str value
 *
 * The meta text: {"v":2} with ,"g":"<FIFO group id>" and ,"dl":1 when so.
 * Version 1 (before the cold part existed) was {"s":sender,...} with the
 * trace "t", group "g", dedup "d", source "src" and attributes "a". */
#include "sqs/msgrec.h"

#include <string.h>

#include "core/ids.h"
#include "core/mem.h"

enum { F_TRACE = 1, F_GROUP = 2, F_DEDUP = 4, F_SRC = 8, F_ATTRS = 16 };
#define COLD_VERSION 1

static void put_u32(rn_buf_t *b, uint32_t v)
{
    unsigned char le[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
                           (unsigned char)(v >> 24)};
    rn_buf_add(b, le, 4);
}

static void put_str(rn_buf_t *b, const char *s, size_t n)
{
    put_u32(b, (uint32_t)n);
    rn_buf_add(b, s, n);
    rn_buf_add(b, "", 1);
}

static void put_cstr(rn_buf_t *b, const char *s)
{
    put_str(b, s, strlen(s));
}

void sqs_cold_encode(rn_buf_t *b, const sqs_cold_t *c)
{
    int has_attrs = c->attrs ? json_object_size(c->attrs) > 0 : c->attr_count > 0;
    unsigned char head[2] = {COLD_VERSION, (unsigned char)((c->trace ? F_TRACE : 0) | (c->group ? F_GROUP : 0) |
                                                           (c->dedup ? F_DEDUP : 0) | (c->dlq_source ? F_SRC : 0) |
                                                           (has_attrs ? F_ATTRS : 0))};
    rn_buf_add(b, head, 2);
    rn_buf_add(b, c->md5_body, 32);
    put_u32(b, c->attr_size);
    put_cstr(b, c->sender ? c->sender : "");
    const char *opt[4] = {c->trace, c->group, c->dedup, c->dlq_source};
    for (int i = 0; i < 4; i++)
        if (opt[i])
            put_cstr(b, opt[i]);
    if (!has_attrs)
        return;
    if (!c->attrs) {
        put_u32(b, c->attr_count);
        rn_buf_add(b, c->attr_block, c->attr_block_len);
        return;
    }
    put_u32(b, (uint32_t)json_object_size(c->attrs));
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)c->attrs, k, v)
    {
        json_t *sv = json_object_get(v, "StringValue"), *bv = json_object_get(v, "BinaryValue");
        const char *type = json_string_value(json_object_get(v, "DataType"));
        json_t *val = json_is_string(sv) ? sv : bv;
        put_cstr(b, k);
        put_cstr(b, type ? type : "");
        rn_buf_add(b, val == sv ? "\0" : "\1", 1);
        put_str(b, json_is_string(val) ? json_string_value(val) : "", json_is_string(val) ? json_string_length(val) : 0);
    }
}

/* A reader over the encoded bytes; any overrun marks it bad. */
typedef struct rd {
    const unsigned char *p, *end;
    int bad;
} rd_t;

static uint32_t get_u32(rd_t *r)
{
    if (r->end - r->p < 4) {
        r->bad = 1;
        return 0;
    }
    uint32_t v = (uint32_t)r->p[0] | (uint32_t)r->p[1] << 8 | (uint32_t)r->p[2] << 16 | (uint32_t)r->p[3] << 24;
    r->p += 4;
    return v;
}

static const char *get_str(rd_t *r, size_t *len)
{
    uint32_t n = get_u32(r);
    if (r->bad || (size_t)(r->end - r->p) < (size_t)n + 1 || r->p[n] != '\0') {
        r->bad = 1;
        return NULL;
    }
    const char *s = (const char *)r->p;
    r->p += n + 1;
    if (len)
        *len = n;
    return s;
}

static int get_u8(rd_t *r)
{
    if (r->p >= r->end) {
        r->bad = 1;
        return 0;
    }
    return *r->p++;
}

int sqs_cold_decode(const void *data, size_t len, sqs_cold_t *out)
{
    memset(out, 0, sizeof *out);
    rd_t r = {data, (const unsigned char *)data + len, 0};
    if (len < 2 + 32 || r.p[0] != COLD_VERSION)
        return -1;
    int flags = r.p[1];
    memcpy(out->md5_body, r.p + 2, 32);
    out->md5_body[32] = '\0';
    r.p += 2 + 32;
    out->attr_size = get_u32(&r);
    out->sender = get_str(&r, NULL);
    const char **opt[4] = {&out->trace, &out->group, &out->dedup, &out->dlq_source};
    for (int i = 0; i < 4; i++)
        if (flags & (1 << i))
            *opt[i] = get_str(&r, NULL);
    if (flags & F_ATTRS) {
        out->attr_count = get_u32(&r);
        out->attr_block = r.p;
        for (uint32_t i = 0; i < out->attr_count && !r.bad; i++) {
            get_str(&r, NULL);
            get_str(&r, NULL);
            get_u8(&r);
            get_str(&r, NULL);
        }
        out->attr_block_len = (size_t)(r.p - out->attr_block);
    }
    return r.bad || r.p != r.end ? -1 : 0;
}

json_t *sqs_cold_attrs(const sqs_cold_t *c)
{
    if (!c->attr_count)
        return NULL;
    json_t *o = json_object();
    rd_t r = {c->attr_block, c->attr_block + c->attr_block_len, 0};
    for (uint32_t i = 0; o && i < c->attr_count; i++) {
        size_t vlen;
        const char *name = get_str(&r, NULL), *type = get_str(&r, NULL);
        int kind = get_u8(&r);
        const char *val = get_str(&r, &vlen);
        if (r.bad)
            break;
        json_t *a = json_object();
        json_object_set_new_nocheck(a, "DataType", json_string(type));
        json_object_set_new_nocheck(a, kind ? "BinaryValue" : "StringValue", json_stringn(val, vlen));
        json_object_set_new(o, name, a);
    }
    return o;
}

/* ---- meta text ---- */

/* Appends s as a JSON string (UTF-8 passed through, controls escaped). */
static void json_str(rn_buf_t *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    rn_buf_add(b, "\"", 1);
    size_t start = 0, i = 0;
    for (; s[i]; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch >= 0x20 && ch != '"' && ch != '\\')
            continue;
        rn_buf_add(b, s + start, i - start);
        char esc[6] = {'\\', 'u', '0', '0', hex[ch >> 4], hex[ch & 15]};
        if (ch == '"' || ch == '\\') {
            esc[1] = (char)ch;
            rn_buf_add(b, esc, 2);
        } else {
            rn_buf_add(b, esc, 6);
        }
        start = i + 1;
    }
    rn_buf_add(b, s + start, i - start);
    rn_buf_add(b, "\"", 1);
}

void sqs_meta_encode(rn_buf_t *b, const char *fifo_group, int from_dlq)
{
    rn_buf_add(b, "{\"v\":2", 6);
    if (fifo_group) {
        rn_buf_add(b, ",\"g\":", 5);
        json_str(b, fifo_group);
    }
    if (from_dlq)
        rn_buf_add(b, ",\"dl\":1", 7);
    rn_buf_add(b, "}", 1);
}

int sqs_meta_decode(const char *txt, char **group, int *from_dlq)
{
    *group = NULL;
    *from_dlq = 0;
    if (strncmp(txt, "{\"v\":2", 6) != 0)
        return 0;
    const char *g = strstr(txt, ",\"g\":\"");
    *from_dlq = strstr(txt, ",\"dl\":1") != NULL;
    if (!g)
        return 1;
    g += 6;
    const char *e = strchr(g, '"');
    if (e && !memchr(g, '\\', (size_t)(e - g))) { /* the common case: nothing escaped */
        *group = rn_strndup(g, (size_t)(e - g));
        return *group ? 1 : -1;
    }
    json_t *j = json_loads(txt, 0, NULL);
    const char *v = json_string_value(json_object_get(j, "g"));
    *group = v ? rn_strdup(v) : NULL;
    json_decref(j);
    return v && !*group ? -1 : 1;
}

/* ---- ids ---- */

static int hexval(int c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

int sqs_id_parse(const char *text, unsigned char out[16])
{
    int j = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) {
            if (text[j++] != '-')
                return -1;
        }
        int hi = hexval(text[j]), lo = hi < 0 ? -1 : hexval(text[j + 1]);
        if (lo < 0)
            return -1;
        out[i] = (unsigned char)(hi << 4 | lo);
        j += 2;
    }
    return text[j] == '\0' ? 0 : -1;
}

void sqs_id_format(const unsigned char id[16], char out[37])
{
    rn_uuid_format(id, out);
}
