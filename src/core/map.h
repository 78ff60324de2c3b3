/* SPDX-License-Identifier: MIT
 * Open-addressing hash maps used by the services: string keys (queue names,
 * dedup ids, group ids) and 64-bit integer keys (message sequence numbers).
 * Values are borrowed pointers; the maps own their copies of string keys. */
#ifndef RN_MAP_H
#define RN_MAP_H
#include <stddef.h>
#include <stdint.h>

typedef struct rn_smap_ent { char *key; void *val; } rn_smap_ent_t;
typedef struct rn_smap { rn_smap_ent_t *ents; size_t cap, len, tomb; } rn_smap_t;

/* Finds key; returns the value or NULL. */
void *rn_smap_get(const rn_smap_t *m, const char *key);
/* Inserts or replaces. Copies key. Returns 0 or RN_ERR_NOMEM. */
int rn_smap_put(rn_smap_t *m, const char *key, void *val);
/* Removes key; returns the old value or NULL. */
void *rn_smap_del(rn_smap_t *m, const char *key);
/* Frees the table and key copies (not the values). */
void rn_smap_free(rn_smap_t *m);
/* Iterates: start with *i = 0; returns 0 at the end. */
int rn_smap_next(const rn_smap_t *m, size_t *i, const char **key, void **val);

typedef struct rn_imap_ent { int64_t key; void *val; } rn_imap_ent_t;
typedef struct rn_imap { rn_imap_ent_t *ents; size_t cap, len, tomb; } rn_imap_t;

void *rn_imap_get(const rn_imap_t *m, int64_t key);
int rn_imap_put(rn_imap_t *m, int64_t key, void *val);
void *rn_imap_del(rn_imap_t *m, int64_t key);
void rn_imap_free(rn_imap_t *m);
/* Iterates: start with *i = 0; returns 0 at the end. Deleting the entry just
 * visited is allowed. */
int rn_imap_next(const rn_imap_t *m, size_t *i, int64_t *key, void **val);
#endif
