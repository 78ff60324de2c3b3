/* SPDX-License-Identifier: MIT
 * The jansson node cache: values built, dumped and freed through it stay
 * correct, small nodes are reused instead of going back to malloc, large
 * blocks pass through, and draining returns the cache. Under ASan the cache
 * is off by design and only the correctness checks run. */
#include <string.h>

#include <jansson.h>

#include "core/json_alloc.h"
#include "unit.h"

__attribute__((constructor(200))) static void install(void)
{
    rn_json_alloc_install(); /* before any JSON value exists */
}

TEST(test_json_alloc_values_round_trip)
{
    const char *src = "{\"a\":[1,2.5,\"x\",true,null],\"b\":{\"c\":\"d\"}}";
    for (int i = 0; i < 100; i++) {
        json_t *v = json_loads(src, 0, NULL);
        CHECK(v != NULL);
        char *txt = json_dumps(v, JSON_COMPACT);
        CHECK_STR(txt, src);
        rn_json_free(txt);
        json_decref(v);
    }
}

TEST(test_json_alloc_reuses_small_nodes)
{
    if (!rn_json_alloc_active()) {
        SKIP("cache off in this (sanitizer) build");
    }
    json_t *a = json_integer(1);
    json_decref(a);
    json_t *b = json_integer(2); /* same size class: the node just freed */
    CHECK(a == b);
    CHECK_INT((int)json_integer_value(b), 2);
    json_decref(b);
}

TEST(test_json_alloc_large_blocks_pass_through)
{
    char big[5000];
    memset(big, 'q', sizeof big - 1);
    big[sizeof big - 1] = 0;
    json_t *s = json_string(big);
    CHECK(s != NULL);
    CHECK_INT((int)json_string_length(s), (int)sizeof big - 1);
    char *txt = json_dumps(s, JSON_ENCODE_ANY);
    CHECK(txt && strlen(txt) == sizeof big + 1);
    rn_json_free(txt);
    json_decref(s);
}

TEST(test_json_alloc_survives_many_frees_and_drain)
{
    enum { N = 5000 }; /* more than a class keeps */
    static json_t *v[N];
    for (int i = 0; i < N; i++)
        v[i] = json_integer(i);
    for (int i = 0; i < N; i++)
        json_decref(v[i]);
    rn_json_alloc_drain();
    json_t *x = json_pack("{s:i}", "k", 7);
    CHECK_INT((int)json_integer_value(json_object_get(x, "k")), 7);
    json_decref(x);
    rn_json_alloc_drain();
}

UNIT_MAIN()
