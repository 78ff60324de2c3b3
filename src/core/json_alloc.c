/* SPDX-License-Identifier: MIT
 * Per-thread size-class cache in front of malloc for jansson. Each block
 * carries a 16-byte header with its class (0 = not cached: larger than
 * JA_MAX). Chunks freed on a thread go to that thread's lists; every list
 * is bounded, and the rest goes back to free(). Failure injection of
 * rn_malloc does not apply here: jansson reports its own allocation
 * failures as NULL values, which the callers already handle. */
#include "core/json_alloc.h"

#include <jansson.h>
#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>

/* Under AddressSanitizer the cache stays off: reused nodes would hide a
 * use-after-free of a JSON value from it. */
#if defined(__SANITIZE_ADDRESS__)
#define JA_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define JA_SANITIZED 1
#endif
#endif
#ifndef JA_SANITIZED
#define JA_SANITIZED 0
#endif

#define JA_STEP 16
#define JA_MAX 512
#define JA_NCLASS (JA_MAX / JA_STEP)
#define JA_KEEP 1024 /* chunks kept per class and thread */

typedef struct jhdr {
    alignas(16) size_t cls;
} jhdr_t;

typedef struct jcache {
    void *head[JA_NCLASS + 1];
    uint32_t n[JA_NCLASS + 1];
} jcache_t;

static _Thread_local jcache_t cache;
static int installed;

static void *ja_malloc(size_t n)
{
    if (n > SIZE_MAX - 2 * sizeof(jhdr_t))
        return NULL; /* as malloc would refuse it */
    size_t c = n ? (n + JA_STEP - 1) / JA_STEP : 1;
    if (c <= JA_NCLASS) {
        void *p = cache.head[c];
        if (p) {
            cache.head[c] = *(void **)p;
            cache.n[c]--;
            return p;
        }
        jhdr_t *h = malloc(sizeof *h + c * JA_STEP);
        if (!h)
            return NULL;
        h->cls = c;
        return h + 1;
    }
    jhdr_t *h = malloc(sizeof *h + n);
    if (!h)
        return NULL;
    h->cls = 0;
    return h + 1;
}

static void ja_free(void *p)
{
    if (!p)
        return;
    jhdr_t *h = (jhdr_t *)p - 1;
    size_t c = h->cls;
    if (c && cache.n[c] < JA_KEEP) {
        *(void **)p = cache.head[c];
        cache.head[c] = p;
        cache.n[c]++;
        return;
    }
    free(h);
}

void rn_json_alloc_install(void)
{
    if (JA_SANITIZED || installed)
        return;
    json_set_alloc_funcs(ja_malloc, ja_free);
    installed = 1;
}

int rn_json_alloc_active(void)
{
    return installed;
}

void rn_json_free(void *p)
{
    if (installed)
        ja_free(p);
    else
        free(p);
}

void rn_json_alloc_drain(void)
{
    for (size_t c = 1; c <= JA_NCLASS; c++) {
        while (cache.head[c]) {
            void *p = cache.head[c];
            cache.head[c] = *(void **)p;
            free((jhdr_t *)p - 1);
        }
        cache.n[c] = 0;
    }
}
