/* SPDX-License-Identifier: MIT
 * libFuzzer target for target input transformation. The input is split on
 * NUL bytes: a mode byte (Input, InputPath, InputTransformer), the Input,
 * InputPath or InputTemplate text, the InputPathsMap as "name=path" lines,
 * and an event. Whatever compiles is applied to a fixed event and to the
 * fuzzed one, and the scanner and path engine are also run on their own.
 * None of it may crash, leak or trip the sanitizers. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/mem.h"
#include "pattern/pattern.h"

static const char fixed_event[] =
    "{\"version\":\"0\",\"id\":\"7bf73129-1428-4cd3-a780-95db273d1602\",\"detail-type\":\"Order Created\","
    "\"source\":\"com.shop\",\"account\":\"123456789012\",\"time\":\"2015-11-11T21:29:54Z\",\"region\":"
    "\"us-east-1\",\"resources\":[\"arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111\"],\"detail\":{"
    "\"id\":\"o-1\",\"total\":19.99,\"big\":1e400,\"items\":[{\"sku\":\"a\\\"b\",\"qty\":2},{\"sku\":\"\\u00e9\","
    "\"qty\":1}],\"ok\":true,\"none\":null,\"nested\":{\"deep\":{\"x\":[1,[2,3]]}}}}";

static void apply_one(const ev_transform_t *t, const char *ev, size_t n)
{
    static const ev_transform_ctx_t ctx = {"arn:aws:events:us-east-1:123456789012:rule/r", "r",
                                           "2015-11-11T21:29:55Z"};
    char *out = NULL;
    size_t outlen = 0;
    if (ev_transform_apply(t, ev, n, &ctx, &out, &outlen) == 0) {
        if (strlen(out) > outlen)
            abort();
        rn_free(out);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int mode = data[0] % 3;
    /* fields after the mode byte, split on NUL */
    char *copy = malloc(size);
    if (!copy)
        return 0;
    memcpy(copy, data + 1, size - 1);
    copy[size - 1] = '\0';
    const char *field[3] = {"", "", ""};
    size_t flen[3] = {0, 0, 0};
    size_t f = 0, start = 0;
    for (size_t i = 0; i < size && f < 3; i++) {
        if (i == size - 1 || copy[i] == '\0') {
            field[f] = copy + start;
            flen[f] = i - start;
            f++;
            start = i + 1;
        }
    }

    json_t *it = NULL;
    if (mode == 2) {
        json_t *paths = json_object();
        const char *p = field[1];
        while (*p) {
            const char *nl = strchr(p, '\n');
            size_t l = nl ? (size_t)(nl - p) : strlen(p);
            const char *eq = memchr(p, '=', l);
            if (eq) {
                char *k = strndup(p, (size_t)(eq - p));
                char *v = strndup(eq + 1, l - (size_t)(eq - p) - 1);
                if (k && v)
                    json_object_set_new(paths, k, json_string(v)); /* NULL for bad UTF-8: skipped */
                free(k);
                free(v);
            }
            p += l + (nl ? 1 : 0);
        }
        it = json_object();
        json_object_set_new(it, "InputPathsMap", paths);
        json_t *tmpl = json_string(field[0]);
        if (tmpl)
            json_object_set_new(it, "InputTemplate", tmpl);
    }

    ev_transform_t *t = NULL;
    char msg[1024];
    int rc = ev_transform_compile_target("t1", 1, mode == 0 ? field[0] : NULL, mode == 1 ? field[0] : NULL, it,
                                         &t, msg, sizeof msg);
    if (rc == 0 && t) {
        apply_one(t, fixed_event, sizeof fixed_event - 1);
        apply_one(t, field[2], flen[2]);
    }
    ev_transform_free(t);
    json_decref(it);

    /* the scanner and path engine on their own */
    size_t err_at;
    if (ev_json_validate(field[2], flen[2], &err_at) == 0) {
        ev_jsonpath_t *p = NULL;
        if (ev_jsonpath_compile(field[0], &p) == 0) {
            ev_json_value_t v;
            if (ev_jsonpath_eval(p, field[2], flen[2], &v) == 0)
                ev_json_value_release(&v);
        }
        ev_jsonpath_free(p);
    } else if (err_at > flen[2]) {
        abort();
    }
    free(copy);
    return 0;
}
