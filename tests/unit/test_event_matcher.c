/* SPDX-License-Identifier: MIT
 * The many-rules matcher must return exactly the rules that matching each
 * pattern on its own returns. Checked over every rule x event pair of the
 * AWS-recorded conformance suite and of event-ruler's data (correctness
 * cases, array, $or and big-event rules), read from the shared conformance
 * directory; then removal, replacement and malformed events. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/err.h"
#include "core/mem.h"
#include "pattern/pattern.h"
#include "pattern/pattern_int.h"
#include "conformance_files.h"
#include "unit.h"

typedef struct corpus {
    char **pat, **ev;
    size_t *patn, *evn;
    size_t npat, nev, cap_p, cap_e;
} corpus_t;

static void add(char ***a, size_t **n, size_t *cnt, size_t *cap, const char *s, size_t len)
{
    if (*cnt == *cap) {
        *cap = *cap ? *cap * 2 : 64;
        *a = realloc(*a, *cap * sizeof **a);
        *n = realloc(*n, *cap * sizeof **n);
    }
    (*a)[*cnt] = strndup(s, len);
    (*n)[*cnt] = len;
    (*cnt)++;
}

static void add_pat(corpus_t *c, const char *s, size_t n)
{
    add(&c->pat, &c->patn, &c->npat, &c->cap_p, s, n);
}

static void add_ev(corpus_t *c, const char *s, size_t n)
{
    add(&c->ev, &c->evn, &c->nev, &c->cap_e, s, n);
}

static void add_json(corpus_t *c, json_t *j, int is_event)
{
    char *s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
    if (!s)
        return;
    if (is_event)
        add_ev(c, s, strlen(s));
    else
        add_pat(c, s, strlen(s));
    free(s);
}

static void load(corpus_t *c, const char *dir)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/event-patterns/MANIFEST.json", dir);
    json_t *man = json_load_file(path, 0, NULL);
    size_t i;
    json_t *e;
    json_array_foreach(man, i, e)
    {
        const char *file = json_string_value(json_object_get(e, "file"));
        size_t n;
        snprintf(path, sizeof path, "%s/event-patterns/%s", dir, file);
        char *t = slurp(path, &n);
        if (!t)
            continue;
        if (strstr(file, ".json5")) {
            n = json5_to_json(t, n);
            const char *v;
            size_t vn;
            if (ev_event_member(t, n, "Event", &v, &vn))
                add_ev(c, v, vn);
            if (ev_event_member(t, n, "EventPattern", &v, &vn))
                add_pat(c, v, vn);
        } else if (strstr(file, "_pattern")) {
            add_pat(c, t, n);
        } else {
            add_ev(c, t, n);
        }
        free(t);
    }
    json_decref(man);
    snprintf(path, sizeof path, "%s/event-ruler-data/correctness-cases.json", dir);
    json_t *cases = json_load_file(path, 0, NULL);
    json_array_foreach(cases, i, e)
    {
        add_json(c, json_object_get(e, "rule"), 0);
        add_json(c, json_object_get(e, "event"), 1);
    }
    json_decref(cases);
    static const char *const rules[] = {"arrayRule1.json", "arrayRule2.json", "arrayRule3.json", "arrayRule4.json",
                                        "bigEventRule.json"};
    static const char *const events[] = {"arrayEvent1.json", "arrayEvent2.json", "arrayEvent3.json",
                                         "arrayEvent4.json", "bigEvent.json"};
    for (size_t k = 0; k < 5; k++) {
        size_t n;
        snprintf(path, sizeof path, "%s/event-ruler-data/%s", dir, rules[k]);
        char *t = slurp(path, &n);
        if (t)
            add_pat(c, t, n);
        free(t);
        snprintf(path, sizeof path, "%s/event-ruler-data/%s", dir, events[k]);
        t = slurp(path, &n);
        if (t)
            add_ev(c, t, n);
        free(t);
    }
    static const char *const lists[] = {"orRelationshipRules.json", "normalRulesWithOrWording.json",
                                        "wrongOrRelationshipRules.json"};
    for (size_t k = 0; k < 3; k++) {
        snprintf(path, sizeof path, "%s/event-ruler-data/%s", dir, lists[k]);
        json_t *arr = json_load_file(path, 0, NULL);
        json_array_foreach(arr, i, e) add_json(c, e, 0);
        json_decref(arr);
    }
}

static void corpus_free(corpus_t *c)
{
    for (size_t i = 0; i < c->npat; i++)
        free(c->pat[i]);
    for (size_t i = 0; i < c->nev; i++)
        free(c->ev[i]);
    free(c->pat);
    free(c->ev);
    free(c->patn);
    free(c->evn);
}

typedef struct hits {
    unsigned char *seen;
    int dup;
} hits_t;

static void on_match(void *ud, uint64_t id)
{
    hits_t *h = ud;
    if (h->seen[id])
        h->dup = 1;
    h->seen[id] = 1;
}

/* Compares the matcher with per-pattern matching for every event; returns
 * the number of disagreeing (rule, event) pairs. */
static int compare(ev_matcher_t *m, ev_pattern_t **pats, const unsigned char *in, corpus_t *c, int *pairs)
{
    int bad = 0;
    hits_t h = {calloc(c->npat + 1, 1), 0};
    for (size_t e = 0; e < c->nev; e++) {
        memset(h.seen, 0, c->npat + 1);
        h.dup = 0;
        int n = ev_matcher_match(m, c->ev[e], c->evn[e], on_match, &h);
        int expect_n = 0;
        for (size_t p = 0; p < c->npat; p++) {
            int want = pats[p] && in[p] && ev_pattern_match(pats[p], c->ev[e], c->evn[e]);
            expect_n += want;
            (*pairs)++;
            if (want != h.seen[p]) {
                if (bad < 10)
                    fprintf(stderr, "  rule %zu event %zu: matcher %d, pattern %d\n  %s\n  %.300s\n", p, e,
                            h.seen[p], want, c->pat[p], c->ev[e]);
                bad++;
            }
        }
        if (n >= 0 && n != expect_n)
            bad++;
        if (h.dup)
            bad++;
    }
    free(h.seen);
    return bad;
}

TEST(test_matcher_equals_per_pattern_matching)
{
    const char *dir = conformance_dir();
    if (!dir) {
        SKIP("no ../shared/conformance beside this clone: AWS's recorded cases are kept there, "
             "not in the repo, and a fresh clone has none (RUNNEL_CONFORMANCE names another folder)");
    }
    corpus_t c = {0};
    load(&c, dir);
    CHECK(c.npat > 200 && c.nev > 200);
    ev_matcher_t *m = ev_matcher_new();
    ev_pattern_t **pats = calloc(c.npat, sizeof *pats);
    unsigned char *in = calloc(c.npat, 1);
    char msg[1024];
    for (size_t p = 0; p < c.npat; p++) {
        if (ev_pattern_compile(c.pat[p], c.patn[p], &pats[p], msg, sizeof msg) != 0)
            continue;
        CHECK_INT(ev_matcher_add(m, p, c.pat[p], c.patn[p], msg, sizeof msg), 0);
        in[p] = 1;
    }
    int pairs = 0;
    CHECK_INT(compare(m, pats, in, &c, &pairs), 0);
    /* remove every third rule, replace every fifth with the next one's pattern */
    for (size_t p = 0; p < c.npat; p += 3) {
        ev_matcher_remove(m, p);
        in[p] = 0;
    }
    for (size_t p = 1; p + 1 < c.npat; p += 5) {
        if (!pats[p + 1])
            continue;
        CHECK_INT(ev_matcher_add(m, p, c.pat[p + 1], c.patn[p + 1], msg, sizeof msg), 0);
        ev_pattern_free(pats[p]);
        ev_pattern_compile(c.pat[p + 1], c.patn[p + 1], &pats[p], msg, sizeof msg);
        in[p] = 1;
    }
    CHECK_INT(compare(m, pats, in, &c, &pairs), 0);
    printf("matcher vs per-pattern: %zu rules x %zu events, %d pairs compared\n", c.npat, c.nev, pairs);
    for (size_t p = 0; p < c.npat; p++)
        ev_pattern_free(pats[p]);
    free(pats);
    free(in);
    ev_matcher_free(m);
    corpus_free(&c);
}

static void count_cb(void *ud, uint64_t id)
{
    (void)id;
    (*(int *)ud)++;
}

TEST(test_matcher_rejects_malformed_events)
{
    ev_matcher_t *m = ev_matcher_new();
    char msg[256];
    CHECK_INT(ev_matcher_add(m, 1, "{\"a\":[1]}", 9, msg, sizeof msg), 0);
    int n = 0;
    CHECK(ev_matcher_match(m, "{\"a\":1", 6, count_cb, &n) < 0);
    CHECK(ev_matcher_match(m, "[1]", 3, count_cb, &n) < 0);
    CHECK_INT(ev_matcher_match(m, "{\"a\":1}", 7, count_cb, &n), 1);
    ev_matcher_free(m);
}

TEST(test_matcher_validates_subtrees_no_pattern_reads)
{
    ev_matcher_t *m = ev_matcher_new();
    char msg[256];
    CHECK_INT(ev_matcher_add(m, 1, "{\"a\":[1]}", 9, msg, sizeof msg), 0);
    static const char *const bad[] = {
        "{\"a\":1,\"z\":{\"q\":[1,]}}", "{\"a\":1,\"z\":\"\x01\"}", "{\"a\":1,\"z\":\"\\x\"}",
        "{\"a\":1,\"z\":[tru]}",       "{\"a\":1,\"z\":{\"k\" 1}}",  "{\"a\":1,\"z\":{\"k\":01}}",
        "{\"a\":1,\"z\":[1}",          "{\"a\":1,\"z\":{1:2}}",      "{\"a\":1,\"z\":[\"\\u12g4\"]}",
        "{\"a\":1,\"zz\":-}",          "{\"a\":1,\"z\":{\"k\":1,}}", "{\"a\":1,\"z\":[[[{}]]}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        int n = 0;
        CHECK(ev_matcher_match(m, bad[i], strlen(bad[i]), count_cb, &n) < 0);
    }
    const char *good = "{\"a\":1,\"z\":{\"q\":[1,{},[],{\"k\":[true,false,null,-1.5e3]}],\"s\":\"\\u00e9\\n\"}}";
    int n = 0;
    CHECK_INT(ev_matcher_match(m, good, strlen(good), count_cb, &n), 1);
    /* nesting past the limit is refused inside skipped subtrees too */
    char deep[2100];
    size_t k = 0;
    k += (size_t)snprintf(deep, sizeof deep, "{\"a\":1,\"z\":");
    for (int i = 0; i < EV_MAX_DEPTH; i++)
        deep[k++] = '[';
    for (int i = 0; i < EV_MAX_DEPTH; i++)
        deep[k++] = ']';
    deep[k++] = '}';
    CHECK(ev_matcher_match(m, deep, k, count_cb, &n) < 0);
    ev_matcher_free(m);
}

TEST(test_matcher_wildcards_agree_with_per_pattern_matching)
{
    static const char *const pats[] = {
        "{\"p\":[{\"wildcard\":\"/home/user1*/*.txt\"}]}", "{\"p\":[{\"wildcard\":\"/home/user12/*\"}]}",
        "{\"p\":[{\"wildcard\":\"*.txt\"}]}",              "{\"p\":[{\"wildcard\":\"/home/user12/a.txt\"}]}",
        "{\"p\":[{\"wildcard\":\"a\\\\*b*\"}]}",           "{\"p\":[{\"wildcard\":\"a*\"}, \"zz\"]}",
        "{\"p\":[{\"wildcard\":\"*\"}]}",                  "{\"p\":[{\"anything-but\":{\"wildcard\":\"/home*\"}}]}",
        "{\"p\":[{\"wildcard\":\"/home/user1*/*.txt\"}],\"q\":[{\"wildcard\":\"x*y\"}]}",
    };
    static const char *const evs[] = {
        "{\"p\":\"/home/user12/a.txt\",\"q\":\"xy\"}", "{\"p\":\"/home/user1/b.txt\"}", "{\"p\":\"/home/user2/b.txt\"}",
        "{\"p\":\"a*bc\"}",  "{\"p\":\"abc\"}",  "{\"p\":\"a\"}", "{\"p\":\"\"}", "{\"p\":[\"zz\",\"/home/user12/x\"]}",
        "{\"p\":17}",        "{\"p\":\"/home/user1\"}", "{\"p\":\"/home/user12/a.txt\",\"q\":\"xzy\"}",
    };
    size_t np = sizeof pats / sizeof *pats;
    ev_matcher_t *m = ev_matcher_new();
    ev_pattern_t *one[16];
    char msg[256];
    for (size_t i = 0; i < np; i++) {
        CHECK_INT(ev_pattern_compile(pats[i], strlen(pats[i]), &one[i], msg, sizeof msg), 0);
        CHECK_INT(ev_matcher_add(m, i, pats[i], strlen(pats[i]), msg, sizeof msg), 0);
    }
    for (size_t e = 0; e < sizeof evs / sizeof *evs; e++) {
        unsigned char seen[16] = {0};
        hits_t h = {seen, 0};
        int n = ev_matcher_match(m, evs[e], strlen(evs[e]), on_match, &h);
        int want = 0;
        for (size_t i = 0; i < np; i++) {
            int w = ev_pattern_match(one[i], evs[e], strlen(evs[e]));
            want += w;
            CHECK_INT(seen[i], w);
        }
        CHECK_INT(n, want);
        CHECK_INT(h.dup, 0);
    }
    for (size_t i = 0; i < np; i++)
        ev_pattern_free(one[i]);
    ev_matcher_free(m);
}

/* The trusted entry point skips unread subtrees 64 bytes at a time; skipped
 * values that hide brackets, quotes and backslashes in strings, and that
 * straddle block boundaries, must leave it agreeing with the validating one. */
TEST(test_matcher_trusted_agrees_on_well_formed_events)
{
    static const char *const pats[] = {
        "{\"source\":[\"a\"]}",
        "{\"detail\":{\"k\":[\"v\"]}}",
        "{\"detail\":{\"n\":[{\"numeric\":[\">\",1]}],\"k\":[{\"prefix\":\"v\"}]}}",
    };
    size_t np = sizeof pats / sizeof *pats;
    ev_matcher_t *m = ev_matcher_new();
    char msg[256];
    for (size_t i = 0; i < np; i++)
        CHECK_INT(ev_matcher_add(m, i, pats[i], strlen(pats[i]), msg, sizeof msg), 0);
    /* skipped values placed before the read fields, padded so the tricky
     * bytes move across every position of a 64-byte block */
    static const char *const skipped[] = {
        "{\"x\":\"}]\\\"{[\",\"y\":[1,{\"z\":\"]]]\"}]}",
        "[\"\\\\\",\"\\\\\\\"]\",[[],{}],\"}\"]",
        "{\"a\":{\"b\":{\"c\":[true,false,null,-1.5e3]}},\"d\":\"\\u005d\"}",
        "[\"\\\\\\\\\\\\\"]",
        "{}",
        "-0.25e-2",
    };
    char ev[512];
    for (size_t k = 0; k < sizeof skipped / sizeof *skipped; k++) {
        for (int pad = 0; pad < 70; pad++) {
            int len = snprintf(ev, sizeof ev, "{\"p\":\"%*s\",\"u\":%s,\"source\":\"a\",\"detail\":{\"w\":%s,"
                               "\"n\":2,\"k\":\"v\",\"t\":%s}}",
                               pad, "", skipped[k], skipped[k], skipped[k]);
            unsigned char seen[4] = {0}, tseen[4] = {0};
            hits_t h = {seen, 0}, th = {tseen, 0};
            int n = ev_matcher_match(m, ev, (size_t)len, on_match, &h);
            int tn = ev_matcher_match_trusted(m, ev, (size_t)len, on_match, &th);
            CHECK_INT(n, 3);
            CHECK_INT(tn, n);
            CHECK(memcmp(seen, tseen, sizeof seen) == 0);
        }
    }
    /* a skipped container that never closes is refused, not read past */
    const char *open_end = "{\"u\":[1,{\"a\":\"]\"}";
    CHECK(ev_matcher_match_trusted(m, open_end, strlen(open_end), count_cb, &(int){0}) < 0);
    ev_matcher_free(m);
}

/* An unread subtree nested past the depth limit is refused by both entry
 * points alike, so a deep detail matches the same rules either way. */
TEST(test_matcher_trusted_keeps_the_depth_limit)
{
    ev_matcher_t *m = ev_matcher_new();
    char msg[256];
    const char *pat = "{\"source\":[\"x\"]}";
    CHECK_INT(ev_matcher_add(m, 1, pat, strlen(pat), msg, sizeof msg), 0);
    static char ev[8192];
    for (int d = 995; d <= 1003; d++) {
        int k = snprintf(ev, sizeof ev, "{\"source\":\"x\",\"detail\":");
        for (int i = 0; i < d; i++)
            ev[k++] = '[';
        for (int i = 0; i < d; i++)
            ev[k++] = ']';
        ev[k++] = '}';
        int a = 0, b = 0;
        int n = ev_matcher_match(m, ev, (size_t)k, count_cb, &a);
        int tn = ev_matcher_match_trusted(m, ev, (size_t)k, count_cb, &b);
        CHECK_INT(tn < 0, n < 0);
        CHECK_INT(a, b);
    }
    ev_matcher_free(m);
}

TEST(test_matcher_survives_each_allocation_failing)
{
    static const char *const pats[] = {
        "{\"source\":[\"a\",\"b\"],\"detail-type\":[{\"prefix\":\"Or\"}]}",
        "{\"source\":[\"a\"],\"detail\":{\"n\":[{\"numeric\":[\">\",1,\"<=\",9]}]}}",
        "{\"source\":[\"a\"],\"detail\":{\"n\":[{\"numeric\":[\">\",2]}],\"s\":[\"x\"]}}",
        "{\"detail\":{\"p\":[{\"wildcard\":\"/home/*.txt\"},{\"wildcard\":\"/home/u*\"}]}}",
        "{\"detail\":{\"s\":[{\"anything-but\":[\"y\"]},{\"equals-ignore-case\":\"X\"}]}}",
        "{\"$or\":[{\"source\":[\"b\"]},{\"detail\":{\"k\":[{\"exists\":false}]}}]}",
        "{\"source\":[\"a\"],\"detail-type\":[\"Order\",\"a-very-long-exact-value-past-the-inline-key\"]}",
    };
    static const char *const evs[] = {
        "{\"source\":\"a\",\"detail-type\":\"Order\",\"detail\":{\"n\":5,\"s\":\"x\",\"p\":\"/home/u/a.txt\"}}",
        "{\"source\":\"b\",\"detail-type\":\"a-very-long-exact-value-past-the-inline-key\",\"detail\":{\"k\":1}}",
    };
    size_t np = sizeof pats / sizeof *pats, ne = sizeof evs / sizeof *evs;
    ev_pattern_t *one[8];
    char msg[256];
    for (size_t i = 0; i < np; i++)
        CHECK_INT(ev_pattern_compile(pats[i], strlen(pats[i]), &one[i], msg, sizeof msg), 0);
    for (long k = 1; k < 400; k++) {
        ev_matcher_t *m = ev_matcher_new();
        if (!m)
            continue;
        unsigned char in[8] = {0};
        for (size_t i = 0; i < np; i++) {
            rn_mem_fail_after(k - (long)i * 40 > 0 ? k - (long)i * 40 : 0);
            int r = ev_matcher_add(m, i, pats[i], strlen(pats[i]), msg, sizeof msg);
            rn_mem_fail_after(0);
            CHECK(r == 0 || r == RN_ERR_NOMEM);
            in[i] = r == 0;
        }
        for (size_t e = 0; e < ne; e++) {
            unsigned char seen[8] = {0};
            hits_t h = {seen, 0};
            int n = ev_matcher_match(m, evs[e], strlen(evs[e]), on_match, &h);
            if (n < 0) { /* a broken matcher rebuilds on the next call */
                memset(seen, 0, sizeof seen);
                n = ev_matcher_match(m, evs[e], strlen(evs[e]), on_match, &h);
            }
            CHECK(n >= 0);
            for (size_t i = 0; i < np; i++)
                CHECK_INT(seen[i], in[i] && ev_pattern_match(one[i], evs[e], strlen(evs[e])));
        }
        ev_matcher_free(m);
    }
    for (size_t i = 0; i < np; i++)
        ev_pattern_free(one[i]);
}

TEST(test_matcher_add_error_leaves_matcher_unchanged)
{
    ev_matcher_t *m = ev_matcher_new();
    char msg[256];
    CHECK_INT(ev_matcher_add(m, 7, "{\"a\":[1]}", 9, msg, sizeof msg), 0);
    CHECK_INT(ev_matcher_add(m, 7, "{\"a\":1}", 7, msg, sizeof msg), RN_ERR_INVALID_PATTERN);
    CHECK_STR(msg, "Event pattern is not valid. Reason: \"a\" must be an object or an array");
    CHECK_INT(ev_matcher_count(m), 1);
    int n = 0;
    CHECK_INT(ev_matcher_match(m, "{\"a\":1}", 7, count_cb, &n), 1);
    ev_matcher_free(m);
}

TEST(test_matcher_reports_each_rule_once)
{
    ev_matcher_t *m = ev_matcher_new();
    char msg[256];
    const char *p = "{\"$or\":[{\"a\":[1]},{\"b\":[2]}],\"tags\":[\"x\",\"y\"]}";
    CHECK_INT(ev_matcher_add(m, 42, p, strlen(p), msg, sizeof msg), 0);
    int n = 0;
    const char *e = "{\"a\":1,\"b\":2,\"tags\":[\"x\",\"y\",\"x\"]}";
    CHECK_INT(ev_matcher_match(m, e, strlen(e), count_cb, &n), 1);
    CHECK_INT(n, 1);
    ev_matcher_free(m);
}

UNIT_MAIN()
