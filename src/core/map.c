/* SPDX-License-Identifier: MIT
 * Linear-probing hash maps with tombstones; tables double at 70% load. */
#include "core/map.h"

#include <string.h>

#include "core/err.h"
#include "core/mem.h"

static char tomb_key[1];
#define TOMB ((char *)tomb_key)
#define ITOMB ((void *)tomb_key)

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    while (*s)
        h = (h ^ (unsigned char)*s++) * 1099511628211ull;
    return h ^ (h >> 29);
}

static uint64_t hash_int(int64_t k)
{
    uint64_t x = (uint64_t)k;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    return x;
}

static int smap_grow(rn_smap_t *m)
{
    size_t cap = m->cap ? m->cap * 2 : 16;
    if (m->len * 2 < m->cap)
        cap = m->cap; /* mostly tombstones: rehash in place size */
    rn_smap_ent_t *e = rn_calloc(cap, sizeof *e);
    if (!e)
        return RN_ERR_NOMEM;
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->ents[i].key || m->ents[i].key == TOMB)
            continue;
        size_t j = hash_str(m->ents[i].key) & (cap - 1);
        while (e[j].key)
            j = (j + 1) & (cap - 1);
        e[j] = m->ents[i];
    }
    rn_free(m->ents);
    m->ents = e;
    m->cap = cap;
    m->tomb = 0;
    return 0;
}

void *rn_smap_get(const rn_smap_t *m, const char *key)
{
    if (!m->cap)
        return NULL;
    size_t j = hash_str(key) & (m->cap - 1);
    while (m->ents[j].key) {
        if (m->ents[j].key != TOMB && strcmp(m->ents[j].key, key) == 0)
            return m->ents[j].val;
        j = (j + 1) & (m->cap - 1);
    }
    return NULL;
}

int rn_smap_put(rn_smap_t *m, const char *key, void *val)
{
    if ((m->len + m->tomb + 1) * 10 >= m->cap * 7 && smap_grow(m) < 0)
        return RN_ERR_NOMEM;
    size_t j = hash_str(key) & (m->cap - 1), slot = (size_t)-1;
    while (m->ents[j].key) {
        if (m->ents[j].key == TOMB) {
            if (slot == (size_t)-1)
                slot = j;
        } else if (strcmp(m->ents[j].key, key) == 0) {
            m->ents[j].val = val;
            return 0;
        }
        j = (j + 1) & (m->cap - 1);
    }
    char *k = rn_strdup(key);
    if (!k)
        return RN_ERR_NOMEM;
    if (slot != (size_t)-1) {
        j = slot;
        m->tomb--;
    }
    m->ents[j].key = k;
    m->ents[j].val = val;
    m->len++;
    return 0;
}

void *rn_smap_del(rn_smap_t *m, const char *key)
{
    if (!m->cap)
        return NULL;
    size_t j = hash_str(key) & (m->cap - 1);
    while (m->ents[j].key) {
        if (m->ents[j].key != TOMB && strcmp(m->ents[j].key, key) == 0) {
            void *v = m->ents[j].val;
            rn_free(m->ents[j].key);
            m->ents[j].key = TOMB;
            m->ents[j].val = NULL;
            m->len--;
            m->tomb++;
            return v;
        }
        j = (j + 1) & (m->cap - 1);
    }
    return NULL;
}

void rn_smap_free(rn_smap_t *m)
{
    for (size_t i = 0; i < m->cap; i++)
        if (m->ents[i].key && m->ents[i].key != TOMB)
            rn_free(m->ents[i].key);
    rn_free(m->ents);
    memset(m, 0, sizeof *m);
}

int rn_smap_next(const rn_smap_t *m, size_t *i, const char **key, void **val)
{
    while (*i < m->cap) {
        rn_smap_ent_t *e = &m->ents[(*i)++];
        if (e->key && e->key != TOMB) {
            *key = e->key;
            *val = e->val;
            return 1;
        }
    }
    return 0;
}

/* Integer map: val NULL marks empty, ITOMB marks deleted. */
static int imap_grow(rn_imap_t *m)
{
    size_t cap = m->cap ? m->cap * 2 : 64;
    if (m->len * 2 < m->cap)
        cap = m->cap;
    rn_imap_ent_t *e = rn_calloc(cap, sizeof *e);
    if (!e)
        return RN_ERR_NOMEM;
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->ents[i].val || m->ents[i].val == ITOMB)
            continue;
        size_t j = hash_int(m->ents[i].key) & (cap - 1);
        while (e[j].val)
            j = (j + 1) & (cap - 1);
        e[j] = m->ents[i];
    }
    rn_free(m->ents);
    m->ents = e;
    m->cap = cap;
    m->tomb = 0;
    return 0;
}

void *rn_imap_get(const rn_imap_t *m, int64_t key)
{
    if (!m->cap)
        return NULL;
    size_t j = hash_int(key) & (m->cap - 1);
    while (m->ents[j].val) {
        if (m->ents[j].val != ITOMB && m->ents[j].key == key)
            return m->ents[j].val;
        j = (j + 1) & (m->cap - 1);
    }
    return NULL;
}

int rn_imap_put(rn_imap_t *m, int64_t key, void *val)
{
    if ((m->len + m->tomb + 1) * 10 >= m->cap * 7 && imap_grow(m) < 0)
        return RN_ERR_NOMEM;
    size_t j = hash_int(key) & (m->cap - 1), slot = (size_t)-1;
    while (m->ents[j].val) {
        if (m->ents[j].val == ITOMB) {
            if (slot == (size_t)-1)
                slot = j;
        } else if (m->ents[j].key == key) {
            m->ents[j].val = val;
            return 0;
        }
        j = (j + 1) & (m->cap - 1);
    }
    if (slot != (size_t)-1) {
        j = slot;
        m->tomb--;
    }
    m->ents[j].key = key;
    m->ents[j].val = val;
    m->len++;
    return 0;
}

void *rn_imap_del(rn_imap_t *m, int64_t key)
{
    if (!m->cap)
        return NULL;
    size_t j = hash_int(key) & (m->cap - 1);
    while (m->ents[j].val) {
        if (m->ents[j].val != ITOMB && m->ents[j].key == key) {
            void *v = m->ents[j].val;
            m->ents[j].val = ITOMB;
            m->len--;
            m->tomb++;
            return v;
        }
        j = (j + 1) & (m->cap - 1);
    }
    return NULL;
}

void rn_imap_free(rn_imap_t *m)
{
    rn_free(m->ents);
    memset(m, 0, sizeof *m);
}

int rn_imap_next(const rn_imap_t *m, size_t *i, int64_t *key, void **val)
{
    while (*i < m->cap) {
        rn_imap_ent_t *e = &m->ents[(*i)++];
        if (e->val && e->val != ITOMB) {
            *key = e->key;
            *val = e->val;
            return 1;
        }
    }
    return 0;
}
