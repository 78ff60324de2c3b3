/* SPDX-License-Identifier: MIT
 * Compact JSON writer over rn_buf. */
#include "core/json_out.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

static void dump_string(rn_buf_t *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    rn_buf_add(b, "\"", 1);
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch >= 0x20 && ch != '"' && ch != '\\')
            continue;
        rn_buf_add(b, s + start, i - start);
        switch (ch) {
        case '"': rn_buf_add(b, "\\\"", 2); break;
        case '\\': rn_buf_add(b, "\\\\", 2); break;
        case '\n': rn_buf_add(b, "\\n", 2); break;
        case '\r': rn_buf_add(b, "\\r", 2); break;
        case '\t': rn_buf_add(b, "\\t", 2); break;
        default: {
            char esc[6] = {'\\', 'u', '0', '0', hex[ch >> 4], hex[ch & 15]};
            rn_buf_add(b, esc, 6);
        }
        }
        start = i + 1;
    }
    rn_buf_add(b, s + start, n - start);
    rn_buf_add(b, "\"", 1);
}

void rn_json_dump_string(rn_buf_t *b, const char *s, size_t n)
{
    dump_string(b, s, n);
}

void rn_json_dump(rn_buf_t *b, const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        rn_buf_add(b, "{", 1);
        const char *k;
        json_t *x;
        int first = 1;
        json_object_foreach((json_t *)v, k, x)
        {
            if (!first)
                rn_buf_add(b, ",", 1);
            first = 0;
            dump_string(b, k, strlen(k));
            rn_buf_add(b, ":", 1);
            rn_json_dump(b, x);
        }
        rn_buf_add(b, "}", 1);
        break;
    }
    case JSON_ARRAY: {
        rn_buf_add(b, "[", 1);
        size_t i;
        json_t *x;
        json_array_foreach((json_t *)v, i, x)
        {
            if (i)
                rn_buf_add(b, ",", 1);
            rn_json_dump(b, x);
        }
        rn_buf_add(b, "]", 1);
        break;
    }
    case JSON_STRING: {
        const char *s = json_string_value(v);
        size_t n = json_string_length(v);
        if (n && (unsigned char)s[0] == RN_JSON_RAW_MARK)
            rn_buf_add(b, s + 1, n - 1); /* JSON text already */
        else
            dump_string(b, s, n);
        break;
    }
    case JSON_INTEGER:
        rn_buf_printf(b, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        break;
    case JSON_REAL: {
        /* the shortest text that reads back as the same double, with ".0"
         * when it looks whole (AWS's doubles: 100.0, 0.1) */
        double d = json_real_value(v);
        char num[40];
        for (int prec = 15; prec <= 17; prec++) {
            snprintf(num, sizeof num, "%.*g", prec, d);
            if (strtod(num, NULL) == d)
                break;
        }
        rn_buf_puts(b, num);
        if (!strpbrk(num, ".eEn"))
            rn_buf_add(b, ".0", 2);
        break;
    }
    case JSON_TRUE:
        rn_buf_add(b, "true", 4);
        break;
    case JSON_FALSE:
        rn_buf_add(b, "false", 5);
        break;
    default:
        rn_buf_add(b, "null", 4);
        break;
    }
}

json_t *rn_json_raw(const char *text, size_t n)
{
    char stack[512];
    char *t = n + 1 <= sizeof stack ? stack : rn_malloc(n + 1);
    if (!t)
        return NULL;
    t[0] = (char)RN_JSON_RAW_MARK;
    memcpy(t + 1, text, n);
    json_t *v = json_stringn_nocheck(t, n + 1);
    if (t != stack)
        rn_free(t);
    return v;
}
