/* SPDX-License-Identifier: MIT
 * libFuzzer target for the event flattener and both matchers. The input is
 * an event matched against a fixed set of patterns covering every match
 * type, arrays and $or; the many-rules matcher must return exactly the rules
 * that matching each pattern alone returns, and bad JSON must be refused by
 * both. The trusted entry point, which skips unread parts unvalidated, must
 * agree with the validating one on every event ev_json_validate accepts and
 * stay memory-safe on the rest. None of it may crash, leak or trip the
 * sanitizers. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pattern/pattern.h"

static const char *const patterns[] = {
    "{\"source\":[\"com.shop\",\"aws.ec2\"]}",
    "{\"detail\":{\"state\":[{\"prefix\":\"run\"},{\"suffix\":\"ing\"}]}}",
    "{\"detail\":{\"state\":[{\"equals-ignore-case\":\"RUNNING\"}],\"n\":[{\"numeric\":[\">\",0,\"<=\",5]}]}}",
    "{\"detail\":{\"n\":[3,\"3\",null,true]}}",
    "{\"detail\":{\"ip\":[{\"cidr\":\"10.0.0.0/24\"},{\"cidr\":\"2001:db8::/32\"}]}}",
    "{\"detail\":{\"x\":[{\"exists\":false}],\"tags\":[{\"exists\":true}]}}",
    "{\"detail\":{\"items\":{\"sku\":[\"A\"],\"q\":[{\"anything-but\":[2,3]}]}}}",
    "{\"detail\":{\"state\":[{\"wildcard\":\"r*n*g\"},{\"anything-but\":{\"wildcard\":\"*x*\"}}]}}",
    "{\"$or\":[{\"detail\":{\"s.t\":[\"dot\"]}},{\"detail-type\":[{\"prefix\":{\"equals-ignore-case\":\"order\"}}]}]}",
    "{\"detail\":{\"e\":[{\"anything-but\":{\"equals-ignore-case\":[\"a\",\"b\"]}}],\"d\":[1,3]}}",
    "{\"detail\":{\"state\":[{\"anything-but\":{\"prefix\":\"r\"}},{\"anything-but\":{\"suffix\":[\"g\"]}}]}}",
    "{\"detail\":{}}",
};
#define NPAT (sizeof patterns / sizeof *patterns)

static ev_matcher_t *matcher;
static ev_pattern_t *compiled[NPAT];

static void setup(void)
{
    char msg[512];
    matcher = ev_matcher_new();
    for (size_t i = 0; i < NPAT; i++) {
        if (ev_pattern_compile(patterns[i], strlen(patterns[i]), &compiled[i], msg, sizeof msg) != 0 ||
            ev_matcher_add(matcher, i, patterns[i], strlen(patterns[i]), msg, sizeof msg) != 0)
            abort();
    }
}

static void mark(void *ud, uint64_t id)
{
    ((unsigned char *)ud)[id]++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!matcher)
        setup();
    const char *ev = (const char *)data;
    unsigned char seen[NPAT] = {0};
    int n = ev_matcher_match(matcher, ev, size, mark, seen);
    int expect = 0;
    for (size_t i = 0; i < NPAT; i++) {
        int one = ev_pattern_match(compiled[i], ev, size);
        expect += one;
        if (n >= 0 && (seen[i] > 1 || seen[i] != one))
            abort();
        if (n < 0 && one)
            abort(); /* a malformed event matches nothing */
    }
    if (n >= 0 && n != expect)
        abort();
    unsigned char tseen[NPAT] = {0};
    int tn = ev_matcher_match_trusted(matcher, ev, size, mark, tseen);
    if (ev_json_validate(ev, size, NULL) == 0 && (tn != n || memcmp(seen, tseen, sizeof seen) != 0))
        abort();
    int result;
    char msg[256];
    ev_pattern_test(patterns[0], strlen(patterns[0]), ev, size, &result, msg, sizeof msg);
    return 0;
}
