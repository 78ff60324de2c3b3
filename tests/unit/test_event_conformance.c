/* SPDX-License-Identifier: MIT
 * The event-pattern conformance suite: 156 cases (Event + EventPattern)
 * whose outcome was recorded against AWS's TestEventPattern, read straight
 * from the shared conformance directory (never copied into the repo). Each is
 * run through ev_pattern_test and must give AWS's result or AWS's exact error
 * message. Prints N/156; skips with a reason when the directory is absent. */
#include <dirent.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "core/err.h"
#include "core/mem.h"
#include "pattern/pattern.h"
#include "pattern/pattern_int.h"
#include "conformance_files.h"
#include "unit.h"

typedef struct outcome {
    int rc, result;
    char msg[1024];
} outcome_t;

static int check_case(const char *name, const char *expected, const char *aws_error, const char *pat, size_t plen,
                      const char *ev, size_t elen)
{
    outcome_t o = {0};
    o.rc = ev_pattern_test(pat, plen, ev, elen, &o.result, o.msg, sizeof o.msg);
    int ok;
    if (!strncmp(expected, "ERROR", 5))
        ok = o.rc == RN_ERR_INVALID_PATTERN && aws_error && !strcmp(o.msg, aws_error);
    else if (!strncmp(expected, "NO_MATCH", 8))
        ok = o.rc == 0 && o.result == 0;
    else
        ok = o.rc == 0 && o.result == 1;
    /* the compile + match entry points must agree with TestEventPattern */
    if (ok && o.rc == 0) {
        ev_pattern_t *p = NULL;
        char m[512];
        if (ev_pattern_compile(pat, plen, &p, m, sizeof m) != 0 || ev_pattern_match(p, ev, elen) != o.result)
            ok = 0;
        ev_pattern_free(p);
    }
    if (!ok)
        fprintf(stderr, "  FAIL %s: expected %s%s%s, got rc=%d result=%d msg=%s\n", name, expected,
                aws_error ? " " : "", aws_error ? aws_error : "", o.rc, o.result, o.msg);
    return ok;
}

TEST(test_event_patterns_conform_to_aws)
{
    const char *dir = conformance_dir();
    if (!dir) {
        SKIP("no ../shared/conformance beside this clone: AWS's recorded cases are kept there, "
             "not in the repo, and a fresh clone has none (RUNNEL_CONFORMANCE names another folder)");
    }
    char path[1024];
    snprintf(path, sizeof path, "%s/event-patterns/MANIFEST.json", dir);
    json_error_t je;
    json_t *man = json_load_file(path, 0, &je);
    CHECK(man && json_is_array(man));
    if (!man)
        return;
    int total = 0, passed = 0, pair_done = 0;
    size_t i;
    json_t *e;
    json_array_foreach(man, i, e)
    {
        const char *file = json_string_value(json_object_get(e, "file"));
        const char *expected = json_string_value(json_object_get(e, "expected"));
        const char *aws_error = json_string_value(json_object_get(e, "aws_error"));
        if (!file || !expected)
            continue;
        size_t flen = strlen(file);
        if (flen > 6 && !strcmp(file + flen - 6, ".json5")) {
            size_t n;
            snprintf(path, sizeof path, "%s/event-patterns/%s", dir, file);
            char *text = slurp(path, &n);
            CHECK(text != NULL);
            if (!text)
                continue;
            n = json5_to_json(text, n);
            const char *ev = NULL, *pat = NULL;
            size_t evn = 0, patn = 0;
            total++;
            if (ev_event_member(text, n, "Event", &ev, &evn) && ev_event_member(text, n, "EventPattern", &pat, &patn))
                passed += check_case(file, expected, aws_error, pat, patn, ev, evn);
            else
                fprintf(stderr, "  FAIL %s: cannot read Event/EventPattern\n", file);
            free(text);
        } else if (!pair_done && strstr(file, "complex_multi_key_event")) {
            /* one case in two files: the pattern repeats a key */
            size_t en, pn;
            char ep[1024], pp[1024];
            snprintf(ep, sizeof ep, "%s/event-patterns/complex_multi_key_event.json", dir);
            snprintf(pp, sizeof pp, "%s/event-patterns/complex_multi_key_event_pattern.json", dir);
            char *ev = slurp(ep, &en), *pat = slurp(pp, &pn);
            pair_done = 1;
            total++;
            if (ev && pat)
                passed += check_case("complex_multi_key_event*.json", "MATCH", NULL, pat, pn, ev, en);
            free(ev);
            free(pat);
        }
    }
    json_decref(man);
    printf("event-pattern conformance: %d/%d\n", passed, total);
    CHECK_INT(total, 156);
    CHECK_INT(passed, total);
}

UNIT_MAIN()
