/* SPDX-License-Identifier: MIT
 * The log engine's index of live messages (log_int.h): an open-addressing
 * hash from a message's seq to where its records sit in the log, 40 bytes an
 * entry at a load of at most 3/4. Queue ids are kept once each, in a small
 * table of their own. Loop only; owns its arrays. */
#include "store/log_int.h"

#include <sys/mman.h>

#include "core/mem.h"

/* A message's home slot. Seqs are handed out one after another, so a run of
 * 16 consecutive seqs takes 16 consecutive slots (an index filled in seq
 * order, a backlog or recovery, touches memory a block at a time instead of
 * once per message), while the blocks themselves land at random. Fully
 * consecutive slots would make one run of occupied slots as long as the
 * backlog, and a delete (backward shift) or a lookup of an absent seq walks
 * the run to its end: measured, 17x slower cycles on a 1M backlog. */
static inline size_t hash64(uint64_t x)
{
    uint64_t b = x >> 4;
    b ^= b >> 33;
    b *= 0xff51afd7ed558ccdULL;
    b ^= b >> 33;
    b *= 0xc4ceb9fe1a85ec53ULL;
    b ^= b >> 33;
    return (size_t)((b << 4) | (x & 15));
}

/* Tables come straight from the kernel, zeroed, with huge pages asked for
 * (a 1M-message index is 64 MB: with 4 KB pages every probe missed the
 * TLB). */
static rn_msgent_t *table_new(size_t cap)
{
    void *p = mmap(NULL, cap * sizeof(rn_msgent_t), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    madvise(p, cap * sizeof(rn_msgent_t), MADV_HUGEPAGE);
    return p;
}

static void table_free(rn_msgent_t *t, size_t cap)
{
    if (t)
        munmap(t, cap * sizeof *t);
}

static int grow(rn_msgindex_t *ix)
{
    size_t cap = ix->cap ? ix->cap * 2 : 1024;
    rn_msgent_t *ents = table_new(cap);
    if (!ents)
        return -1;
    for (size_t i = 0; i < ix->cap; i++) {
        if (!ix->ents[i].seg)
            continue;
        size_t j = hash64((uint64_t)ix->ents[i].seq) & (cap - 1);
        while (ents[j].seg)
            j = (j + 1) & (cap - 1);
        ents[j] = ix->ents[i];
    }
    table_free(ix->ents, ix->cap);
    ix->ents = ents;
    ix->cap = cap;
    return 0;
}

static size_t slot_of(const rn_msgindex_t *ix, int64_t seq)
{
    size_t j = hash64((uint64_t)seq) & (ix->cap - 1);
    while (ix->ents[j].seg && ix->ents[j].seq != seq)
        j = (j + 1) & (ix->cap - 1);
    return j;
}

rn_msgent_t *rn_msgindex_get(const rn_msgindex_t *ix, int64_t seq)
{
    if (!ix->cap)
        return NULL;
    size_t j = slot_of(ix, seq);
    return ix->ents[j].seg ? &ix->ents[j] : NULL;
}

int rn_msgindex_put(rn_msgindex_t *ix, const rn_msgent_t *e, rn_msgent_t *old)
{
    if ((ix->len + 1) * 4 > ix->cap * 3 && grow(ix) < 0)
        return -1;
    size_t j = slot_of(ix, e->seq);
    int had = ix->ents[j].seg != 0;
    if (had && old)
        *old = ix->ents[j];
    if (!had)
        ix->len++;
    ix->ents[j] = *e;
    return had;
}

/* Removes the entry at slot i, shifting later members of its cluster back. */
static void remove_at(rn_msgindex_t *ix, size_t i)
{
    size_t mask = ix->cap - 1, j = i;
    for (;;) {
        j = (j + 1) & mask;
        if (!ix->ents[j].seg)
            break;
        size_t home = hash64((uint64_t)ix->ents[j].seq) & mask;
        /* may the entry at j move to the hole at i? only if its home is not
         * cyclically within (i, j] */
        int stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
        if (stays)
            continue;
        ix->ents[i] = ix->ents[j];
        i = j;
    }
    ix->ents[i].seg = 0;
    ix->len--;
}

int rn_msgindex_del(rn_msgindex_t *ix, int64_t seq, rn_msgent_t *old)
{
    if (!ix->cap)
        return 0;
    size_t j = slot_of(ix, seq);
    if (!ix->ents[j].seg)
        return 0;
    if (old)
        *old = ix->ents[j];
    remove_at(ix, j);
    return 1;
}

void rn_msgindex_sweep(rn_msgindex_t *ix, int (*fn)(void *ud, const rn_msgent_t *e), void *ud)
{
    for (size_t i = 0; i < ix->cap;) {
        if (ix->ents[i].seg && fn(ud, &ix->ents[i])) {
            remove_at(ix, i); /* slot i now holds an entry not yet visited, or nothing */
            continue;
        }
        i++;
    }
}

long rn_msgindex_qidx(rn_msgindex_t *ix, int64_t qid)
{
    if (ix->qslot_cap) {
        size_t j = hash64((uint64_t)qid) & (ix->qslot_cap - 1);
        while (ix->qslots[j]) {
            if (ix->qids[ix->qslots[j] - 1] == qid)
                return (long)ix->qslots[j] - 1;
            j = (j + 1) & (ix->qslot_cap - 1);
        }
    }
    if (ix->nqids == ix->qcap) {
        uint32_t cap = ix->qcap ? ix->qcap * 2 : 16;
        int64_t *q = rn_realloc(ix->qids, cap * sizeof *q);
        if (!q)
            return -1;
        ix->qids = q;
        ix->qcap = cap;
    }
    if ((ix->nqids + 1) * 2 > ix->qslot_cap) {
        uint32_t cap = ix->qslot_cap ? ix->qslot_cap * 2 : 32;
        uint32_t *slots = rn_calloc(cap, sizeof *slots);
        if (!slots)
            return -1;
        for (uint32_t k = 0; k < ix->nqids; k++) {
            size_t j = hash64((uint64_t)ix->qids[k]) & (cap - 1);
            while (slots[j])
                j = (j + 1) & (cap - 1);
            slots[j] = k + 1;
        }
        rn_free(ix->qslots);
        ix->qslots = slots;
        ix->qslot_cap = cap;
    }
    ix->qids[ix->nqids] = qid;
    size_t j = hash64((uint64_t)qid) & (ix->qslot_cap - 1);
    while (ix->qslots[j])
        j = (j + 1) & (ix->qslot_cap - 1);
    ix->qslots[j] = ++ix->nqids;
    return (long)ix->nqids - 1;
}

int64_t rn_msgindex_qid(const rn_msgindex_t *ix, uint32_t qidx)
{
    return qidx < ix->nqids ? ix->qids[qidx] : 0;
}

void rn_msgindex_clear(rn_msgindex_t *ix)
{
    table_free(ix->ents, ix->cap);
    ix->ents = NULL;
    ix->cap = ix->len = 0;
}

void rn_msgindex_free(rn_msgindex_t *ix)
{
    rn_msgindex_clear(ix);
    rn_free(ix->qids);
    rn_free(ix->qslots);
    *ix = (rn_msgindex_t){0};
}
