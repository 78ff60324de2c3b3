/* SPDX-License-Identifier: MIT
 * Allocation wrapper with a failure-injection counter for tests. */
#include "mem.h"
#include <stdlib.h>
#include <string.h>

static long fail_countdown;

static int should_fail(void)
{
    if (fail_countdown > 0 && --fail_countdown == 0)
        return 1;
    return 0;
}

void *rn_malloc(size_t n)
{
    return should_fail() ? NULL : malloc(n ? n : 1);
}

void *rn_calloc(size_t n, size_t sz)
{
    return should_fail() ? NULL : calloc(n ? n : 1, sz ? sz : 1);
}

void *rn_realloc(void *p, size_t n)
{
    return should_fail() ? NULL : realloc(p, n ? n : 1);
}

char *rn_strndup(const char *s, size_t n)
{
    char *d = rn_malloc(n + 1);
    if (!d)
        return NULL;
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *rn_strdup(const char *s)
{
    return rn_strndup(s, strlen(s));
}

void rn_free(void *p)
{
    free(p);
}

void rn_mem_fail_after(long n)
{
    fail_countdown = n;
}
