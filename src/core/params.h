/* SPDX-License-Identifier: MIT
 * Reading a call's input and paging a listing, the same way in every
 * service. Inputs are the JSON objects the protocol codecs build from a
 * service's API description; listings page over names in sorted order. */
#ifndef RN_PARAMS_H
#define RN_PARAMS_H
#include <jansson.h>
#include <stddef.h>

#include "core/map.h"

/* The string member `name` of in, or NULL when absent or not a string.
 * Borrowed from in. */
static inline const char *rn_param_str(const json_t *in, const char *name)
{
    return json_string_value(json_object_get(in, name));
}

/* The keys of m in strcmp order: an array the caller frees with rn_free()
 * whose strings are borrowed from m. NULL (with *n 0) when out of memory. */
const char **rn_sorted_keys(const rn_smap_t *m, size_t *n);

/* One page of a sorted listing. A page token names a listed name: AWS APIs
 * differ in which one, so `token_is_next` says whether it is the first name
 * of the next page (EventBridge) or the last name of the previous one
 * (SQS). */
typedef struct rn_page {
    const char *token; /* NULL: from the start */
    int token_is_next;
    size_t limit;      /* names per page */
    const char *prefix; /* only names with this prefix; NULL: all */
} rn_page_t;

/* Walks names[0..n) (sorted) from the page's token: each name past the
 * token with the prefix that keep (NULL: all) accepts is handed to take,
 * up to limit. Returns the index in names of the first accepted name left
 * for the next page, or n when the listing ended. */
size_t rn_page_walk(const rn_page_t *p, const char *const *names, size_t n, int (*keep)(void *ud, const char *name),
                    void (*take)(void *ud, const char *name), void *ud);
#endif
