/* SPDX-License-Identifier: MIT
 * Minimal unit-test harness: each tests/unit/test_*.c file is one executable.
 * TEST(name) registers a function via a constructor; UNIT_MAIN() runs them all,
 * each behaviour one test, and prints "N passed, N failed, N skipped" for the
 * CI reader. SKIP("why") ends a test that cannot run here, saying why. */
#ifndef RN_UNIT_H
#define RN_UNIT_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef void (*unit_fn_t)(int *failed);
struct unit_case { const char *name; unit_fn_t fn; };
extern struct unit_case unit_cases[512];
extern int unit_ncases;

#define TEST(name)                                                          \
    static void name(int *unit_failed_);                                    \
    __attribute__((constructor)) static void reg_##name(void)               \
    { unit_cases[unit_ncases++] = (struct unit_case){#name, name}; }        \
    static void name(int *unit_failed_)

#define CHECK(cond) do { if (!(cond)) {                                     \
    fprintf(stderr, "  %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
    *unit_failed_ = 1; } } while (0)
#define CHECK_STR(a, b) do { const char *a_ = (a), *b_ = (b);               \
    if (!a_ || !b_ || strcmp(a_, b_) != 0) {                                \
    fprintf(stderr, "  %s:%d: \"%s\" != \"%s\"\n", __FILE__, __LINE__,      \
            a_ ? a_ : "(null)", b_ ? b_ : "(null)"); *unit_failed_ = 1; } } while (0)
#define CHECK_INT(a, b) do { long long a_ = (long long)(a), b_ = (long long)(b); \
    if (a_ != b_) { fprintf(stderr, "  %s:%d: %s = %lld, expected %lld\n", \
    __FILE__, __LINE__, #a, a_, b_); *unit_failed_ = 1; } } while (0)

#define SKIP(...) do { printf("SKIP %s: ", __func__); printf(__VA_ARGS__); \
    printf("\n"); if (!*unit_failed_) *unit_failed_ = -1; return; } while (0)

#define UNIT_MAIN()                                                         \
    struct unit_case unit_cases[512]; int unit_ncases;                      \
    int main(void) {                                                        \
        int passed = 0, failed = 0, skipped = 0;                            \
        for (int i = 0; i < unit_ncases; i++) {                             \
            int f = 0; unit_cases[i].fn(&f); /* 1 failed, -1 skipped */    \
            printf("%s %s\n", f > 0 ? "FAIL" : f ? "skip" : "ok  ",        \
                   unit_cases[i].name);                                     \
            if (f > 0) failed++; else if (f) skipped++; else passed++;      \
        }                                                                   \
        printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped); \
        return failed ? 1 : 0;                                              \
    }
#endif
