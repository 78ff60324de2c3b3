/* SPDX-License-Identifier: MIT
 * Matching one compiled pattern, and TestEventPattern. A sub-rule matches
 * when each of its field conditions, taken in sorted field order, can be
 * given a leaf of the flattened event that satisfies it, all chosen leaves
 * array-consistent (from the same element of any array they share), and an
 * {"exists": false} condition holds when no consistent leaf has that field.
 * This is the plain reference the many-rules automaton is tested against. */
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "core/mem.h"
#include "pattern/pattern_int.h"

static int cond_value(const ev_cond_t *c, ev_leaf_t *l)
{
    for (size_t i = 0; i < c->nvals; i++)
        if (ev_val_test(&c->vals[i], l))
            return 1;
    return 0;
}

static int sub_match(const ev_subrule_t *s, size_t k, ev_flat_t *fl, const uint32_t *cur, size_t curn)
{
    if (k == s->n)
        return 1;
    const ev_cond_t *c = &s->conds[k];
    int any_consistent = 0, tried_same = 0, r = 0;
    uint32_t local[128];
    for (int32_t li = ev_flat_first(fl, c->field); li >= 0 && !r; li = fl->leaves[li].next) {
        ev_leaf_t *l = &fl->leaves[li];
        size_t need = (curn + l->mem_len) * 2;
        uint32_t *out = need <= 128 ? local : rn_malloc(need * sizeof *out);
        if (!out)
            return 0;
        int m = ev_member_merge(cur, curn, fl->mem + 2 * l->mem_off, l->mem_len, out);
        if (m >= 0) {
            any_consistent = 1;
            /* a leaf that adds no array leaves the search where any other such leaf would */
            int same = (size_t)m == curn;
            if (!(same && tried_same) && cond_value(c, l)) {
                if (same)
                    tried_same = 1;
                r = sub_match(s, k + 1, fl, out, (size_t)m);
            }
        }
        if (out != local)
            rn_free(out);
    }
    if (!r && c->has_absent && !any_consistent)
        r = sub_match(s, k + 1, fl, cur, curn);
    return r;
}

int ev_pattern_match_flat(const ev_pattern_t *p, ev_flat_t *fl)
{
    if (p->nsubs == 0)
        return 1; /* a pattern without conditions, e.g. {"detail": {}}, matches every event */
    for (size_t i = 0; i < p->nsubs; i++)
        if (sub_match(&p->subs[i], 0, fl, NULL, 0))
            return 1;
    return 0;
}

int ev_pattern_match(const ev_pattern_t *p, const char *event, size_t len)
{
    ev_flat_t fl;
    ev_flat_init(&fl);
    int r = ev_flat_scan(&fl, p->fields, event, len) == 0 ? ev_pattern_match_flat(p, &fl) : 0;
    ev_flat_free(&fl);
    return r;
}

static int digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

/* An RFC 3339 timestamp in a JSON string: 2022-07-13T13:48:01Z,
 * fractions and offsets allowed. */
static int rfc3339(const char *v, size_t n)
{
    if (n < 2 || v[0] != '"' || v[n - 1] != '"')
        return 0;
    const char *s = v + 1;
    n -= 2;
    if (n < 20 || !digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-' || !digits(s + 8, 2) ||
        (s[10] != 'T' && s[10] != 't') || !digits(s + 11, 2) || s[13] != ':' || !digits(s + 14, 2) ||
        s[16] != ':' || !digits(s + 17, 2))
        return 0;
    int mon = (s[5] - '0') * 10 + (s[6] - '0'), day = (s[8] - '0') * 10 + (s[9] - '0');
    int hh = (s[11] - '0') * 10 + (s[12] - '0'), mm = (s[14] - '0') * 10 + (s[15] - '0');
    int ss = (s[17] - '0') * 10 + (s[18] - '0');
    if (mon < 1 || mon > 12 || day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 60)
        return 0;
    size_t i = 19;
    if (i < n && s[i] == '.') {
        size_t st = ++i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == st)
            return 0;
    }
    if (i < n && (s[i] == 'Z' || s[i] == 'z'))
        return i + 1 == n;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        return n - i == 6 && digits(s + i + 1, 2) && s[i + 3] == ':' && digits(s + i + 4, 2);
    return 0;
}

int ev_pattern_test(const char *pattern, size_t plen, const char *event, size_t elen, int *result, char *msg,
                    size_t msglen)
{
    static const char *const required[] = {"id", "account", "source", "time", "region", "detail-type"};
    ev_pattern_t *p = NULL;
    *result = 0;
    int r = ev_pattern_compile(pattern, plen, &p, msg, msglen);
    if (r)
        return r;
    ev_flat_t fl;
    ev_flat_init(&fl);
    r = ev_flat_scan(&fl, p->fields, event, elen);
    if (r == RN_ERR_NOMEM) {
        snprintf(msg, msglen, "out of memory");
        goto out;
    }
    if (r) {
        r = RN_ERR_VALIDATION;
        snprintf(msg, msglen, "Parameter Event is not valid.");
        goto out;
    }
    const char *v = NULL;
    size_t vn = 0;
    for (size_t i = 0; i < sizeof required / sizeof *required; i++) {
        if (!ev_event_member(event, elen, required[i], &v, &vn)) {
            r = RN_ERR_VALIDATION;
            snprintf(msg, msglen, "Parameter Event is not valid.");
            goto out;
        }
    }
    ev_event_member(event, elen, "time", &v, &vn);
    if (!rfc3339(v, vn)) {
        r = RN_ERR_VALIDATION;
        snprintf(msg, msglen, "Parameter Event is not valid. Reason: Invalid time.");
        goto out;
    }
    *result = ev_pattern_match_flat(p, &fl);
    if (msglen)
        msg[0] = 0;
out:
    ev_flat_free(&fl);
    ev_pattern_free(p);
    return r;
}
