/* SPDX-License-Identifier: MIT
 * libFuzzer target for the event-pattern compiler. The input is compiled as
 * a pattern (short and raw messages); a pattern that compiles is matched
 * against fixed events both on its own and through the many-rules matcher,
 * and the two must agree. None of it may crash, leak or trip the sanitizers. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pattern/pattern.h"

static const char *const events[] = {
    "{\"version\":\"0\",\"id\":\"1\",\"detail-type\":\"Order Created\",\"source\":\"com.shop\",\"account\":\"1\","
    "\"time\":\"2022-07-13T13:48:01Z\",\"region\":\"us-east-1\",\"resources\":[\"arn:aws:ec2:r:1:i/x\"],"
    "\"detail\":{\"state\":\"running\",\"n\":3.0,\"ip\":\"10.0.0.7\",\"tags\":[\"a\",\"b\"],\"x\":null,"
    "\"ok\":true,\"items\":[{\"sku\":\"A\",\"q\":1},{\"sku\":\"B\",\"q\":2}],\"s.t\":\"dot\",\"e\":\"\\u00e9t\\u00c9\"}}",
    "{\"id\":\"2\",\"source\":\"aws.ec2\",\"detail\":{\"state\":[],\"n\":\"3\",\"c-count\":5,\"d\":[[1,2],[3]]}}",
};

static void count(void *ud, uint64_t id)
{
    (void)id;
    (*(int *)ud)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    char msg[1024];
    ev_pattern_t *p = NULL, *raw = NULL;
    int r = ev_pattern_compile(text, size, &p, msg, sizeof msg);
    int r2 = ev_pattern_compile_raw(text, size, &raw, msg, sizeof msg);
    if ((r == 0) != (r2 == 0))
        abort();
    ev_pattern_free(raw);
    if (r == 0) {
        ev_matcher_t *m = ev_matcher_new();
        if (m && ev_matcher_add(m, 1, text, size, msg, sizeof msg) == 0) {
            for (size_t i = 0; i < sizeof events / sizeof *events; i++) {
                size_t n = strlen(events[i]);
                int one = ev_pattern_match(p, events[i], n), hits = 0;
                int many = ev_matcher_match(m, events[i], n, count, &hits);
                if (many >= 0 && one != hits)
                    abort(); /* the automaton disagrees with the reference */
                int result;
                ev_pattern_test(text, size, events[i], n, &result, msg, sizeof msg);
            }
        }
        ev_matcher_free(m);
    }
    ev_pattern_free(p);
    return 0;
}
