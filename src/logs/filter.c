/* SPDX-License-Identifier: MIT
 * CloudWatch Logs filter patterns, the two forms FilterLogEvents and
 * `aws logs tail --filter-pattern` use most:
 *  - terms: `ERROR` (the message contains it, case-sensitive), several terms
 *    all required (`ERROR timeout`), `"a phrase"`, `-term` excluded,
 *    `?a ?b` any of them;
 *  - JSON: `{ $.level = "ERROR" }`, `{ $.latency > 100 }` with = != < <= > >=,
 *    string values with a trailing `*`, `EXISTS`/`NOT EXISTS`, `IS NULL`,
 *    and `&&` / `||` (left to right), on messages that are JSON objects.
 * The space-delimited form (`[ip, user, ...]`) is not supported: it is
 * refused with AWS's "Invalid filter pattern" error. */
#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "logs/logs.h"

#define MAX_TERMS 32

typedef struct {
    char *text;
    int exclude; /* -term */
    int any;     /* ?term */
} term_t;

typedef struct {
    char path[256]; /* $.a.b[0] */
    char op[4];     /* = != < <= > >= EX NE NU */
    char *str;      /* string value (may end with *), or NULL */
    double num;
    int is_num;
    int or_before;  /* joined to the previous comparison with || */
} cmp_t;

struct logs_filter {
    int json;
    term_t terms[MAX_TERMS];
    int nterms;
    cmp_t cmps[MAX_TERMS];
    int ncmps;
};

void logs_filter_free(logs_filter_t *f)
{
    if (!f)
        return;
    for (int i = 0; i < f->nterms; i++)
        rn_free(f->terms[i].text);
    for (int i = 0; i < f->ncmps; i++)
        rn_free(f->cmps[i].str);
    rn_free(f);
}

static logs_filter_t *invalid(logs_filter_t *f, char *msg, size_t msglen)
{
    logs_filter_free(f);
    snprintf(msg, msglen, "Invalid filter pattern");
    return NULL;
}

static const char *skip(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

static int parse_json(logs_filter_t *f, const char *p)
{
    p = skip(p + 1); /* past '{' */
    for (;;) {
        if (f->ncmps == MAX_TERMS || *p != '$')
            return -1;
        cmp_t *c = &f->cmps[f->ncmps];
        size_t n = strcspn(p, " \t=!<>}");
        if (n < 2 || n >= sizeof c->path)
            return -1;
        memcpy(c->path, p, n);
        c->path[n] = 0;
        p = skip(p + n);
        if (!strncmp(p, "NOT EXISTS", 10)) {
            strcpy(c->op, "NE");
            p += 10;
        } else if (!strncmp(p, "EXISTS", 6)) {
            strcpy(c->op, "EX");
            p += 6;
        } else if (!strncmp(p, "IS NULL", 7)) {
            strcpy(c->op, "NU");
            p += 7;
        } else {
            size_t on = strspn(p, "=!<>");
            if (on < 1 || on > 2)
                return -1;
            memcpy(c->op, p, on);
            c->op[on] = 0;
            if (strcmp(c->op, "=") && strcmp(c->op, "!=") && strcmp(c->op, "<") && strcmp(c->op, "<=") &&
                strcmp(c->op, ">") && strcmp(c->op, ">="))
                return -1;
            p = skip(p + on);
            if (*p == '"') {
                const char *e = strchr(p + 1, '"');
                if (!e)
                    return -1;
                c->str = rn_strndup(p + 1, (size_t)(e - p - 1));
                p = e + 1;
            } else {
                char *end;
                c->num = strtod(p, &end);
                if (end != p && (*end == ' ' || *end == '}' || *end == '&' || *end == '|' || !*end)) {
                    c->is_num = 1;
                    p = end;
                } else {
                    size_t vn = strcspn(p, " \t}&|");
                    if (!vn)
                        return -1;
                    c->str = rn_strndup(p, vn);
                    p += vn;
                }
            }
        }
        f->ncmps++;
        p = skip(p);
        if (*p == '}')
            return *skip(p + 1) ? -1 : 0;
        if (!strncmp(p, "&&", 2) || !strncmp(p, "||", 2)) {
            if (f->ncmps == MAX_TERMS)
                return -1;
            f->cmps[f->ncmps].or_before = p[0] == '|';
            p = skip(p + 2);
            continue;
        }
        return -1;
    }
}

logs_filter_t *logs_filter_compile(const char *pattern, char *msg, size_t msglen)
{
    logs_filter_t *f = rn_calloc(1, sizeof *f);
    if (!f) {
        snprintf(msg, msglen, "Out of memory");
        return NULL;
    }
    const char *p = skip(pattern ? pattern : "");
    if (*p == '{') {
        f->json = 1;
        return parse_json(f, p) < 0 ? invalid(f, msg, msglen) : f;
    }
    if (*p == '[')
        return invalid(f, msg, msglen);
    while (*(p = skip(p))) {
        if (f->nterms == MAX_TERMS)
            return invalid(f, msg, msglen);
        term_t *t = &f->terms[f->nterms];
        if (*p == '-' || *p == '?') {
            t->exclude = *p == '-';
            t->any = *p == '?';
            p++;
        }
        if (*p == '"') {
            const char *e = strchr(p + 1, '"');
            if (!e)
                return invalid(f, msg, msglen);
            t->text = rn_strndup(p + 1, (size_t)(e - p - 1));
            p = e + 1;
        } else {
            size_t n = strcspn(p, " \t");
            t->text = rn_strndup(p, n);
            p += n;
        }
        if (!t->text || !*t->text)
            return invalid(f, msg, msglen);
        f->nterms++;
    }
    return f;
}

static int contains(const char *m, size_t len, const char *t)
{
    size_t tl = strlen(t);
    if (tl > len)
        return 0;
    return memmem(m, len, t, tl) != NULL;
}

/* $.a.b[2] in doc, or NULL. */
static json_t *lookup(json_t *doc, const char *path)
{
    const char *p = path + 1; /* past '$' */
    json_t *v = doc;
    while (*p && v) {
        if (*p == '.') {
            p++;
            size_t n = strcspn(p, ".[");
            char key[256];
            snprintf(key, sizeof key, "%.*s", (int)n, p);
            v = json_object_get(v, key);
            p += n;
        } else if (*p == '[') {
            v = json_array_get(v, (size_t)atol(p + 1));
            p = strchr(p, ']');
            if (!p)
                return NULL;
            p++;
        } else {
            return NULL;
        }
    }
    return v;
}

static int glob_eq(const char *s, const char *pat)
{
    size_t pl = strlen(pat);
    if (pl && pat[pl - 1] == '*')
        return !strncmp(s, pat, pl - 1);
    return !strcmp(s, pat);
}

static int cmp_one(const cmp_t *c, json_t *doc)
{
    json_t *v = lookup(doc, c->path);
    if (!strcmp(c->op, "EX"))
        return v != NULL;
    if (!strcmp(c->op, "NE"))
        return v == NULL;
    if (!strcmp(c->op, "NU"))
        return json_is_null(v);
    if (!v)
        return 0;
    int eq = !strcmp(c->op, "=") || !strcmp(c->op, "!=");
    int r;
    if (c->is_num) {
        if (!json_is_number(v))
            return !strcmp(c->op, "!=");
        double x = json_number_value(v);
        r = !strcmp(c->op, "=")    ? x == c->num
            : !strcmp(c->op, "!=") ? x != c->num
            : !strcmp(c->op, "<")  ? x < c->num
            : !strcmp(c->op, "<=") ? x <= c->num
            : !strcmp(c->op, ">")  ? x > c->num
                                   : x >= c->num;
        return r;
    }
    if (!eq)
        return 0;
    char buf[64];
    const char *s = json_string_value(v);
    if (!s && json_is_boolean(v))
        s = json_is_true(v) ? "true" : "false";
    if (!s && json_is_number(v)) {
        snprintf(buf, sizeof buf, "%g", json_number_value(v));
        s = buf;
    }
    r = s && c->str && glob_eq(s, c->str);
    return !strcmp(c->op, "=") ? r : !r;
}

int logs_filter_match(const logs_filter_t *f, const char *m, size_t len)
{
    if (!f)
        return 1;
    if (f->json) {
        json_t *doc = json_loadb(m, len, 0, NULL);
        if (!json_is_object(doc)) {
            json_decref(doc);
            return 0;
        }
        int r = cmp_one(&f->cmps[0], doc);
        for (int i = 1; i < f->ncmps; i++)
            r = f->cmps[i].or_before ? (r || cmp_one(&f->cmps[i], doc)) : (r && cmp_one(&f->cmps[i], doc));
        json_decref(doc);
        return r;
    }
    int any_seen = 0, any_hit = 0;
    for (int i = 0; i < f->nterms; i++) {
        const term_t *t = &f->terms[i];
        int hit = contains(m, len, t->text);
        if (t->any) {
            any_seen = 1;
            any_hit |= hit;
        } else if (t->exclude ? hit : !hit) {
            return 0;
        }
    }
    return !any_seen || any_hit;
}
