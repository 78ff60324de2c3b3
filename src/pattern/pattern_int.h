/* SPDX-License-Identifier: MIT
 * Private interface of the event-pattern engine, shared by its files:
 * lex.c (a JSON tokenizer that fails the way Jackson does, since AWS's
 * messages quote Jackson), compile.c (patterns into sub-rules of field
 * conditions), value.c (one value test per match type: numbers, IP
 * addresses, wildcards, case folding), flatten.c (the event scanner) and
 * match_one.c / match_many.c (one pattern, many patterns). */
#ifndef RN_PATTERN_INT_H
#define RN_PATTERN_INT_H
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/buf.h"
#include "pattern/pattern.h"

#define EV_MAX_DEPTH 1000        /* JSON nesting accepted in patterns and events */
#define EV_MAX_SUBRULES 1024     /* $or expansion cap (AWS's own limit is not published) */
#define EV_MAX_COMPLEXITY 10     /* wildcard complexity AWS accepts per rule */

/* ---- arena: everything a compiled pattern owns, freed at once ---- */
typedef struct ev_arena_chunk ev_arena_chunk_t;
typedef struct ev_arena {
    ev_arena_chunk_t *head;
} ev_arena_t;
/* 16-byte aligned storage valid until ev_arena_free(); NULL when out of memory. */
void *ev_arena_alloc(ev_arena_t *a, size_t n);
/* Copies n bytes (plus a NUL) into the arena. */
char *ev_arena_dup(ev_arena_t *a, const void *s, size_t n);
void ev_arena_free(ev_arena_t *a);

/* ---- value matchers: one entry of a field's list ---- */
typedef enum ev_vkind {
    EV_VK_EXACT_STR,
    EV_VK_EXACT_NUM,
    EV_VK_TRUE,
    EV_VK_FALSE,
    EV_VK_NULL,
    EV_VK_PREFIX,
    EV_VK_PREFIX_IC,
    EV_VK_SUFFIX,
    EV_VK_SUFFIX_IC,
    EV_VK_EQ_IC,
    EV_VK_WILDCARD,
    EV_VK_RANGE,
    EV_VK_IP,
    EV_VK_EXISTS,
    EV_VK_ABSENT,
    EV_VK_ABUT_STR,
    EV_VK_ABUT_NUM,
    EV_VK_ABUT_IC,
    EV_VK_ABUT_PREFIX,
    EV_VK_ABUT_SUFFIX,
    EV_VK_ABUT_WILDCARD,
} ev_vkind_t;

typedef struct ev_str {
    const char *p;
    size_t n;
} ev_str_t;

/* A compiled wildcard: literal segments between the stars. */
typedef struct ev_wc {
    ev_str_t *seg; /* nseg = stars + 1; empty segments kept */
    size_t nseg;
    ev_str_t src;  /* the pattern text, backslash escapes included */
} ev_wc_t;

typedef struct ev_val {
    ev_vkind_t kind;
    ev_str_t s;           /* strings: unescaped text without quotes */
    uint64_t key;         /* EXACT_NUM: comparable key (if num_cmp) */
    int num_cmp;          /* EXACT_NUM: the number is comparable by value */
    uint64_t lo, hi;      /* RANGE: comparable keys */
    uint8_t has_lo, has_hi, open_lo, open_hi;
    uint8_t iplo[16], iphi[16]; /* IP: inclusive range */
    uint8_t v6;
    ev_str_t *set;        /* ABUT_STR / ABUT_IC / ABUT_PREFIX / ABUT_SUFFIX */
    size_t nset;
    uint64_t *keys;       /* ABUT_NUM, sorted */
    size_t nkeys;
    ev_wc_t *wc;          /* WILDCARD (1) / ABUT_WILDCARD (nwc) */
    size_t nwc;
    ev_str_t canon;       /* canonical bytes: equal iff the matchers are equal */
} ev_val_t;

/* One field of a sub-rule: the values are OR'ed. */
typedef struct ev_cond {
    ev_str_t name;     /* dotted path */
    ev_val_t *vals;    /* borrowed from the pattern's arena */
    size_t nvals;
    int has_absent;    /* the list holds {"exists": false} */
    uint32_t field;    /* id in the field dictionary it was resolved against */
} ev_cond_t;

/* One $or branch: every condition must hold; sorted by field name. */
typedef struct ev_subrule {
    ev_cond_t *conds;
    size_t n;
} ev_subrule_t;

typedef struct ev_fields ev_fields_t;

struct ev_pattern {
    ev_arena_t arena;
    ev_subrule_t *subs;
    size_t nsubs;
    ev_fields_t *fields; /* the paths this pattern reads */
};

/* Compiles into p (zeroed by the caller); on error p may hold partial state
 * that ev_pattern_release() frees. */
int ev_pattern_build(ev_pattern_t *p, const char *json, size_t len, char *msg, size_t msglen);
void ev_pattern_release(ev_pattern_t *p);

/* ---- Jackson-compatible tokenizer (lex.c) ---- */
typedef enum ev_tok {
    EV_TOK_EOF,
    EV_TOK_START_OBJECT,
    EV_TOK_END_OBJECT,
    EV_TOK_START_ARRAY,
    EV_TOK_END_ARRAY,
    EV_TOK_FIELD_NAME,
    EV_TOK_STRING,
    EV_TOK_INT,
    EV_TOK_FLOAT,
    EV_TOK_TRUE,
    EV_TOK_FALSE,
    EV_TOK_NULL,
    EV_TOK_ERROR,
} ev_tok_t;

typedef struct ev_lex_ctx {
    uint8_t in_object;
    uint8_t state; /* 0: expecting first entry, 1: expecting value, 2: after value */
    size_t line, col;
} ev_lex_ctx_t;

typedef struct ev_lex {
    const char *s;
    size_t n, pos;
    size_t tok_start;        /* offset of the current value token's first byte */
    size_t line, line_start; /* 1-based line; byte offset where it starts */
    ev_lex_ctx_t *ctx;
    size_t depth, cap;
    int root_done;
    rn_buf_t text;  /* field name / string (unescaped) / number text of the current token */
    rn_buf_t err;   /* the Jackson message with its location, on EV_TOK_ERROR */
    int oom;
    ev_tok_t cur;
} ev_lex_t;

void ev_lex_init(ev_lex_t *lx, const char *s, size_t n);
void ev_lex_free(ev_lex_t *lx);
ev_tok_t ev_lex_next(ev_lex_t *lx);
/* Appends Jackson's "\n at [Source: (String)\"...\"; line: L, column: C]". */
void ev_lex_location(const ev_lex_t *lx, size_t at, rn_buf_t *b);

/* ---- values (value.c) ---- */
/* Writes the UTF-8 form of a code point (values >= 0x110000 stand for the
 * raw byte cp - 0x110000) into out; returns its length (1-4). */
size_t ev_utf8_put(char out[4], unsigned cp);
/* Parses a JSON number's text. Returns 1 with *key set when the number is
 * comparable (finite, and its double is exactly the decimal written), else 0. */
int ev_num_key(const char *s, size_t n, uint64_t *key);
/* Parses an IP address literal the way the pattern compiler accepts one:
 * 0 with out[16] (IPv4 in the first 4 bytes, *v6 = 0), -1 when it does not
 * look like an IP address ("Nonstandard"), -2 when it looks like one but is
 * not valid ("Invalid"). */
int ev_ip_parse(const char *s, size_t n, uint8_t out[16], int *v6);
/* Compiles wildcard text (unescaped JSON string). On a syntax error returns
 * -1 with AWS's reason in msg. */
int ev_wc_compile(ev_arena_t *a, const char *s, size_t n, ev_wc_t *out, char *msg, size_t msglen);
int ev_wc_match(const ev_wc_t *w, const char *s, size_t n);
/* Case-insensitive comparisons as EventBridge's equals-ignore-case does them. */
int ev_ic_equal(const char *p, size_t pn, const char *s, size_t n);
int ev_ic_prefix(const char *p, size_t pn, const char *s, size_t n);
int ev_ic_suffix(const char *p, size_t pn, const char *s, size_t n);
/* Appends a case-folded copy (for hashing; a match still needs ev_ic_*). */
void ev_ic_fold(rn_buf_t *b, const char *s, size_t n);
/* Worst number of wildcard prefixes one value could match at once, over the
 * given wildcards (capped just above `cap`). */
int ev_wc_complexity(const ev_wc_t *const *w, size_t n, int cap);

/* ---- flattened events (flatten.c) ---- */
enum { EV_T_STR = 1, EV_T_NUM, EV_T_TRUE, EV_T_FALSE, EV_T_NULL };

typedef struct ev_leaf {
    uint8_t type;
    uint8_t num_state; /* 0 not parsed, 1 comparable, 2 not comparable */
    uint8_t ip_state;  /* 0 not parsed, 1 IPv4, 2 IPv6, 3 not an address */
    uint32_t field;
    int32_t next;      /* next leaf of the same field, -1 at the end */
    uint32_t mem_off, mem_len; /* array membership: (array, index) pairs */
    const char *p;     /* string (unescaped) or number text */
    size_t n;
    uint64_t key;
    uint8_t ip[16];
} ev_leaf_t;

typedef struct ev_flat {
    ev_leaf_t *leaves;
    size_t nleaves, cap;
    uint32_t *mem; /* pairs */
    size_t nmem, memcap;
    int32_t *head, *tail; /* per field id */
    size_t nheads;
    rn_buf_t scratch; /* unescaped strings */
    rn_buf_t path;    /* the dotted path being scanned */
    uint32_t *arrays; /* open arrays during the scan: (id, index) pairs */
    size_t narrays, arrcap;
    uint32_t next_array;
} ev_flat_t;

ev_fields_t *ev_fields_new(void);
void ev_fields_free(ev_fields_t *f);
/* Interns a dotted path. Returns its id (>= 0) or RN_ERR_NOMEM. */
int ev_fields_intern(ev_fields_t *f, const char *name, size_t n);
size_t ev_fields_count(const ev_fields_t *f);

void ev_flat_init(ev_flat_t *fl);
void ev_flat_free(ev_flat_t *fl);
/* Scans a JSON object, recording the scalar leaves whose dotted path is in
 * dict (array elements included, with their array membership) and skipping
 * every other subtree. Returns 0, RN_ERR_VALIDATION when the text is not
 * one well-formed JSON object, or RN_ERR_NOMEM. */
int ev_flat_scan(ev_flat_t *fl, const ev_fields_t *dict, const char *json, size_t len);
/* Same for text known to be well-formed (ev_json_validate accepted it, or
 * Runnel wrote it): the subtrees no pattern reads are skipped without being
 * validated. Other text gives some result, never a read outside json. */
int ev_flat_scan_trusted(ev_flat_t *fl, const ev_fields_t *dict, const char *json, size_t len);
/* Finds a top-level member of a JSON object (first occurrence); 1 with its
 * raw value text, else 0. The text need not be validated. */
int ev_event_member(const char *json, size_t len, const char *key, const char **val, size_t *vlen);
/* The last 1..7 bytes of a key as one word for hashing, read with at most
 * two loads and no byte-by-byte copy (a copy through memory stalls the load
 * that follows it). A function of the bytes and n only; callers mix n in. */
static inline uint64_t ev_tail_word(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    if (n >= 4) {
        uint32_t a, b;
        memcpy(&a, u, 4);
        memcpy(&b, u + n - 4, 4);
        return (uint64_t)a | (uint64_t)b << 32;
    }
    return (uint64_t)u[0] | (uint64_t)u[n / 2] << 8 | (uint64_t)u[n - 1] << 16;
}

/* Word-at-a-time hash of s[0..n) from a seed into which the caller has mixed
 * n (and any tag); keys are short, so this beats a byte-at-a-time chain of
 * multiplies. Never 0 (0 marks an empty slot). Used for field paths
 * (flatten.c) and for tagged value keys (match_many.c). */
static inline uint64_t ev_hash_words(uint64_t h, const char *s, size_t n)
{
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = (h ^ w) * 0xFF51AFD7ED558CCDULL;
        h ^= h >> 29;
        s += 8;
        n -= 8;
    }
    if (n)
        h = (h ^ ev_tail_word(s, n)) * 0xC4CEB9FE1A85EC53ULL;
    h ^= h >> 32;
    return h ? h : 1;
}

/* First leaf index of a field, or -1. */
static inline int32_t ev_flat_first(const ev_flat_t *fl, uint32_t field)
{
    return field < fl->nheads ? fl->head[field] : -1;
}

/* Does one leaf satisfy one value matcher (EXISTS: always; ABSENT: never)? */
int ev_val_test(const ev_val_t *v, ev_leaf_t *leaf);
/* Number / IP views of a leaf, computed on first use. */
int ev_leaf_num(ev_leaf_t *leaf);
int ev_leaf_ip(ev_leaf_t *leaf);

/* Array consistency (event-ruler's rule): two leaves combine only if, in every
 * array they share, they sit in the same element. `cur` is the membership so
 * far (pairs, sorted by array id); on success the merged membership is
 * written to out (capacity curn + leaf's pairs) and its length returned;
 * -1 when inconsistent. */
int ev_member_merge(const uint32_t *cur, size_t curn, const uint32_t *add, size_t addn, uint32_t *out);

/* Matches one compiled pattern against an already flattened event whose field
 * ids are the pattern's own. */
int ev_pattern_match_flat(const ev_pattern_t *p, ev_flat_t *fl);
#endif
