/* SPDX-License-Identifier: MIT
 * Sorted keys and the page walk. */
#include "core/params.h"

#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

static int cmp_key(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

const char **rn_sorted_keys(const rn_smap_t *m, size_t *n)
{
    const char **names = rn_calloc(m->len + 1, sizeof *names);
    const char *k;
    void *v;
    size_t i = 0;
    *n = 0;
    if (!names)
        return NULL;
    while (rn_smap_next(m, &i, &k, &v))
        names[(*n)++] = k;
    qsort(names, *n, sizeof *names, cmp_key);
    return names;
}

size_t rn_page_walk(const rn_page_t *p, const char *const *names, size_t n, int (*keep)(void *ud, const char *name),
                    void (*take)(void *ud, const char *name), void *ud)
{
    size_t count = 0, plen = p->prefix ? strlen(p->prefix) : 0;
    for (size_t j = 0; j < n; j++) {
        if (p->token) {
            int c = strcmp(names[j], p->token);
            if (c < 0 || (c == 0 && !p->token_is_next))
                continue;
        }
        if ((plen && strncmp(names[j], p->prefix, plen) != 0) || (keep && !keep(ud, names[j])))
            continue;
        if (count == p->limit)
            return j;
        take(ud, names[j]);
        count++;
    }
    return n;
}
