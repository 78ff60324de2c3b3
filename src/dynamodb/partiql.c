/* SPDX-License-Identifier: MIT
 * PartiQL for DynamoDB (ExecuteStatement, BatchExecuteStatement,
 * ExecuteTransaction). A statement is translated into the request of the
 * item operation it stands for (SELECT: GetItem, Query or Scan; INSERT:
 * PutItem; UPDATE: UpdateItem; DELETE: DeleteItem) with its WHERE written as
 * a condition expression over #names and :values, and run by that
 * operation's own code, so both languages share one evaluator. Literals:
 * 'strings', numbers, TRUE/FALSE, NULL, [lists], {'maps': ...}, <<sets>>, and
 * ? parameters. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/base64.h"
#include "core/buf.h"
#include "core/json_alloc.h"
#include "core/mem.h"
#include "dynamodb/ddb_int.h"
#include "dynamodb/partiql.h"

enum { P_EOF, P_WORD, P_QID, P_STR, P_NUM, P_QMARK, P_PUNCT };

typedef struct ptok {
    int t;
    const char *p;
    size_t n;
} ptok_t;

typedef struct pq {
    ptok_t *tk;
    int ntk, at;
    json_t *names, *values; /* "#nN" -> name, ":vN" -> AttributeValue */
    json_t *params;         /* the statement's Parameters */
    size_t pused;
    char *msg;
    size_t len;
    int err;
} pq_t;

#define MALFORMED "Statement wasn't well formed, can't be processed: "

static int pfail(pq_t *q, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int pfail(pq_t *q, const char *fmt, ...)
{
    if (q->err)
        return q->err;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(q->msg, q->len, fmt, ap);
    va_end(ap);
    return q->err = DDB_ERR_VALIDATION;
}

static int lex(pq_t *q, const char *s)
{
    size_t cap = 32;
    q->tk = rn_malloc(cap * sizeof *q->tk);
    if (!q->tk)
        return -1;
    const char *p = s;
    for (;;) {
        while (*p && isspace((unsigned char)*p))
            p++;
        if ((size_t)q->ntk + 1 >= cap) {
            ptok_t *t = rn_realloc(q->tk, (cap *= 2) * sizeof *t);
            if (!t)
                return -1;
            q->tk = t;
        }
        ptok_t *t = &q->tk[q->ntk++];
        t->p = p;
        if (!*p) {
            t->t = P_EOF;
            t->n = 0;
            return 0;
        }
        if (isalpha((unsigned char)*p) || *p == '_') {
            const char *e = p;
            while (isalnum((unsigned char)*e) || *e == '_')
                e++;
            t->t = P_WORD;
            t->n = (size_t)(e - p);
            p = e;
        } else if (*p == '"' || *p == '\'') {
            char quote = *p;
            const char *e = p + 1;
            while (*e && !(*e == quote && e[1] != quote))
                e += *e == quote ? 2 : 1;
            if (!*e)
                return pfail(q, MALFORMED "Unexpected end of statement: unterminated %s",
                             quote == '"' ? "identifier" : "string"), -2;
            t->t = quote == '"' ? P_QID : P_STR;
            t->p = p + 1;
            t->n = (size_t)(e - p - 1);
            p = e + 1;
        } else if (isdigit((unsigned char)*p) || (*p == '.' && isdigit((unsigned char)p[1]))) {
            const char *e = p;
            while (isdigit((unsigned char)*e) || *e == '.')
                e++;
            if ((*e == 'e' || *e == 'E') && (isdigit((unsigned char)e[1]) || ((e[1] == '-' || e[1] == '+') &&
                                                                               isdigit((unsigned char)e[2])))) {
                e += 2;
                while (isdigit((unsigned char)*e))
                    e++;
            }
            t->t = P_NUM;
            t->n = (size_t)(e - p);
            p = e;
        } else if (*p == '?') {
            t->t = P_QMARK;
            t->n = 1;
            p++;
        } else {
            static const char *const two[] = {"<>", "!=", "<=", ">=", "<<", ">>", NULL};
            t->t = P_PUNCT;
            t->n = 1;
            for (int i = 0; two[i]; i++)
                if (!strncmp(p, two[i], 2))
                    t->n = 2;
            p += t->n;
        }
    }
}

static ptok_t *cur(pq_t *q)
{
    return &q->tk[q->at];
}

static int is_kw(const ptok_t *t, const char *w)
{
    return t->t == P_WORD && strlen(w) == t->n && !strncasecmp(t->p, w, t->n);
}

static int is_p(const ptok_t *t, const char *s)
{
    return t->t == P_PUNCT && strlen(s) == t->n && !strncmp(t->p, s, t->n);
}

static const char *const keywords[] = {"SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "BETWEEN", "IN", "IS",
                                        "INSERT", "INTO", "VALUE", "UPDATE", "SET", "REMOVE", "DELETE",
                                        "RETURNING", "ORDER", "BY", "ASC", "DESC", "EXISTS", "MISSING", NULL};

/* The parser met something it cannot take here: PartiQL's words for it. */
static int unexpected(pq_t *q)
{
    ptok_t *t = cur(q);
    if (t->t == P_EOF)
        return pfail(q, MALFORMED "Unexpected term");
    for (int i = 0; t->t == P_WORD && keywords[i]; i++)
        if (is_kw(t, keywords[i]))
            return pfail(q, MALFORMED "Unexpected keyword");
    if (t->t == P_PUNCT && strchr("=<>!+-*", t->p[0]))
        return pfail(q, MALFORMED "Unexpected operator");
    return pfail(q, MALFORMED "Unexpected term");
}

/* Tokens after a whole statement. */
static int trailing(pq_t *q)
{
    if (cur(q)->t == P_EOF || (is_p(cur(q), ";") && q->tk[q->at + 1].t == P_EOF))
        return 0;
    return pfail(q, MALFORMED "Unexpected token after expression");
}

static int want_kw(pq_t *q, const char *w)
{
    if (!is_kw(cur(q), w))
        return pfail(q, MALFORMED "Expected %s", w), unexpected(q);
    q->at++;
    return 0;
}

static int want_p(pq_t *q, const char *s)
{
    if (!is_p(cur(q), s))
        return unexpected(q);
    q->at++;
    return 0;
}

/* A string token's text with '' (or "") unescaped. Caller frees. */
static char *unquote(const ptok_t *t)
{
    char *s = rn_malloc(t->n + 1);
    size_t w = 0;
    for (size_t i = 0; s && i < t->n; i++) {
        s[w++] = t->p[i];
        if ((t->p[i] == '\'' || t->p[i] == '"') && i + 1 < t->n && t->p[i + 1] == t->p[i])
            i++;
    }
    if (s)
        s[w] = '\0';
    return s;
}

/* ---- values ---- */

static json_t *value(pq_t *q);

static json_t *set_of(pq_t *q)
{
    json_t *items = json_array();
    const char *type = NULL;
    while (!q->err && !is_p(cur(q), ">>")) {
        json_t *v = value(q);
        const char *t = v ? ddb_type(v) : NULL;
        if (!t || (strcmp(t, "S") && strcmp(t, "N") && strcmp(t, "B")) || (type && strcmp(type, t))) {
            json_decref(v);
            pfail(q, "Unsupported type passed for a set: sets hold strings, numbers or binaries of one type");
            break;
        }
        type = t;
        json_array_append(items, ddb_inner(v));
        json_decref(v);
        if (is_p(cur(q), ","))
            q->at++;
        else if (!is_p(cur(q), ">>"))
            unexpected(q);
    }
    if (q->err || want_p(q, ">>")) {
        json_decref(items);
        return NULL;
    }
    char st[3] = {type ? type[0] : 'S', 'S', 0};
    return json_pack("{s:o}", st, items);
}

static json_t *value(pq_t *q)
{
    ptok_t *t = cur(q);
    if (t->t == P_STR) {
        q->at++;
        char *s = unquote(t);
        json_t *v = s ? json_pack("{s:s}", "S", s) : NULL;
        rn_free(s);
        return v;
    }
    if (t->t == P_NUM || (is_p(t, "-") && q->tk[q->at + 1].t == P_NUM)) {
        int neg = t->t == P_PUNCT;
        if (neg)
            t = &q->tk[++q->at];
        q->at++;
        char buf[80];
        snprintf(buf, sizeof buf, "%s%.*s", neg ? "-" : "", (int)(t->n < 70 ? t->n : 70), t->p);
        return json_pack("{s:s}", "N", buf);
    }
    if (t->t == P_QMARK) {
        q->at++;
        json_t *v = json_array_get(q->params, q->pused++);
        if (!v) {
            pfail(q, "Number of parameters in request and statement don't match.");
            return NULL;
        }
        return json_deep_copy(v);
    }
    if (is_kw(t, "TRUE") || is_kw(t, "FALSE")) {
        q->at++;
        return json_pack("{s:b}", "BOOL", is_kw(t, "TRUE"));
    }
    if (is_kw(t, "NULL")) {
        q->at++;
        return json_pack("{s:b}", "NULL", 1);
    }
    if (is_p(t, "[")) {
        q->at++;
        json_t *l = json_array();
        while (!q->err && !is_p(cur(q), "]")) {
            json_t *v = value(q);
            if (!v)
                break;
            json_array_append_new(l, v);
            if (is_p(cur(q), ","))
                q->at++;
            else if (!is_p(cur(q), "]"))
                unexpected(q);
        }
        if (q->err || want_p(q, "]")) {
            json_decref(l);
            return NULL;
        }
        return json_pack("{s:o}", "L", l);
    }
    if (is_p(t, "{")) {
        q->at++;
        json_t *m = json_object();
        while (!q->err && !is_p(cur(q), "}")) {
            ptok_t *k = cur(q);
            if (k->t != P_STR) {
                unexpected(q);
                break;
            }
            q->at++;
            if (want_p(q, ":"))
                break;
            json_t *v = value(q);
            char *key = unquote(k);
            if (v && key)
                json_object_set_new(m, key, v);
            else
                json_decref(v);
            rn_free(key);
            if (is_p(cur(q), ","))
                q->at++;
            else if (!is_p(cur(q), "}"))
                unexpected(q);
        }
        if (q->err || want_p(q, "}")) {
            json_decref(m);
            return NULL;
        }
        return json_pack("{s:o}", "M", m);
    }
    if (is_p(t, "<<")) {
        q->at++;
        return set_of(q);
    }
    unexpected(q);
    return NULL;
}

/* A value as a new :vN placeholder, appended to out. */
static int value_ph(pq_t *q, rn_buf_t *out)
{
    json_t *v = value(q);
    if (!v)
        return q->err ? q->err : pfail(q, MALFORMED "Expected a value");
    char ph[16];
    snprintf(ph, sizeof ph, ":v%zu", json_object_size(q->values));
    json_object_set_new(q->values, ph, v);
    rn_buf_puts(out, ph);
    return 0;
}

/* ---- paths ---- */

static void name_ph(pq_t *q, const char *name, size_t n, rn_buf_t *out)
{
    /* one placeholder per distinct name */
    char key[16], buf[1024];
    snprintf(buf, sizeof buf, "%.*s", (int)(n < 1023 ? n : 1023), name);
    const char *k;
    json_t *v;
    json_object_foreach(q->names, k, v) if (!strcmp(json_string_value(v), buf))
    {
        rn_buf_puts(out, k);
        return;
    }
    snprintf(key, sizeof key, "#n%zu", json_object_size(q->names));
    json_object_set_new(q->names, key, json_string(buf));
    rn_buf_puts(out, key);
}

static int is_path_start(const ptok_t *t)
{
    return t->t == P_QID || (t->t == P_WORD && !is_kw(t, "NULL") && !is_kw(t, "TRUE") && !is_kw(t, "FALSE") &&
                             !is_kw(t, "MISSING"));
}

/* path := name ( . name | [ number ] | [ 'name' ] )*; first: the first name's text. */
static int path(pq_t *q, rn_buf_t *out, char *first, size_t flen)
{
    ptok_t *t = cur(q);
    if (!is_path_start(t))
        return unexpected(q);
    q->at++;
    char *s = t->t == P_QID ? unquote(t) : rn_strndup(t->p, t->n);
    if (!s)
        return pfail(q, "out of memory");
    if (first)
        snprintf(first, flen, "%s", s);
    name_ph(q, s, strlen(s), out);
    rn_free(s);
    for (;;) {
        if (is_p(cur(q), ".")) {
            q->at++;
            ptok_t *n = cur(q);
            if (n->t != P_WORD && n->t != P_QID)
                return unexpected(q);
            q->at++;
            char *ns = n->t == P_QID ? unquote(n) : rn_strndup(n->p, n->n);
            rn_buf_puts(out, ".");
            name_ph(q, ns ? ns : "", ns ? strlen(ns) : 0, out);
            rn_free(ns);
        } else if (is_p(cur(q), "[")) {
            q->at++;
            ptok_t *ix = cur(q);
            if (ix->t == P_NUM) {
                rn_buf_printf(out, "[%.*s]", (int)ix->n, ix->p);
            } else if (ix->t == P_STR) {
                char *ns = unquote(ix);
                rn_buf_puts(out, ".");
                name_ph(q, ns ? ns : "", ns ? strlen(ns) : 0, out);
                rn_free(ns);
            } else {
                return unexpected(q);
            }
            q->at++;
            if (want_p(q, "]"))
                return q->err;
            first = NULL;
        } else {
            break;
        }
    }
    return 0;
}

/* ---- conditions ---- */

/* Each condition written with the precedence of what it is: 0 an OR, 1 an
 * AND, 2 anything tighter. A top-level AND's terms are kept for key lookups. */
typedef struct term {
    char key[256];  /* a plain attribute compared with = to a value: its name */
    char ph[16];    /* the value's placeholder */
    size_t from, to; /* the term's text in the output */
} term_t;

static int cond_or(pq_t *q, rn_buf_t *out, int *prec);

static int operand(pq_t *q, rn_buf_t *out, char *first, size_t flen)
{
    ptok_t *t = cur(q);
    if (first)
        first[0] = '\0';
    if (t->t == P_WORD && is_kw(t, "size") && is_p(&q->tk[q->at + 1], "(")) {
        q->at += 2;
        rn_buf_puts(out, "size(");
        if (path(q, out, NULL, 0) || want_p(q, ")"))
            return q->err;
        rn_buf_puts(out, ")");
        return 0;
    }
    if (is_path_start(t))
        return path(q, out, first, flen);
    return value_ph(q, out);
}

static int predicate(pq_t *q, rn_buf_t *out, int *prec)
{
    ptok_t *t = cur(q);
    *prec = 2;
    if (is_p(t, "(")) {
        q->at++;
        size_t mark = out->len;
        rn_buf_puts(out, "(");
        int inner;
        if (cond_or(q, out, &inner) || want_p(q, ")"))
            return q->err;
        (void)mark;
        rn_buf_puts(out, ")");
        return 0;
    }
    static const char *const funcs[] = {"begins_with", "contains", "attribute_type", NULL};
    for (int i = 0; funcs[i]; i++)
        if (is_kw(t, funcs[i]) && is_p(&q->tk[q->at + 1], "(")) {
            q->at += 2;
            rn_buf_printf(out, "%s(", funcs[i]);
            if (path(q, out, NULL, 0) || want_p(q, ","))
                return q->err;
            rn_buf_puts(out, ", ");
            if (operand(q, out, NULL, 0) || want_p(q, ")"))
                return q->err;
            rn_buf_puts(out, ")");
            return 0;
        }
    if (is_kw(t, "EXISTS"))
        return pfail(q, MALFORMED "EXISTS is only allowed in ExecuteTransaction");
    size_t start = out->len;
    char first[256];
    if (operand(q, out, first, sizeof first))
        return q->err;
    ptok_t *o = cur(q);
    if (is_kw(o, "IS")) {
        q->at++;
        int neg = 0;
        if (is_kw(cur(q), "NOT")) {
            neg = 1;
            q->at++;
        }
        char lhs[600];
        snprintf(lhs, sizeof lhs, "%s", out->data + start);
        out->len = start;
        out->data[start] = '\0';
        if (is_kw(cur(q), "MISSING")) {
            q->at++;
            rn_buf_printf(out, "%s(%s)", neg ? "attribute_exists" : "attribute_not_exists", lhs);
        } else if (is_kw(cur(q), "NULL")) {
            q->at++;
            char ph[16];
            snprintf(ph, sizeof ph, ":v%zu", json_object_size(q->values));
            json_object_set_new(q->values, ph, json_pack("{s:s}", "S", "NULL"));
            rn_buf_printf(out, "%sattribute_type(%s, %s)", neg ? "NOT " : "", lhs, ph);
        } else {
            return unexpected(q);
        }
        return 0;
    }
    if (is_kw(o, "BETWEEN")) {
        q->at++;
        rn_buf_puts(out, " BETWEEN ");
        if (operand(q, out, NULL, 0) || want_kw(q, "AND"))
            return q->err;
        rn_buf_puts(out, " AND ");
        return operand(q, out, NULL, 0);
    }
    if (is_kw(o, "IN")) {
        q->at++;
        const char *close = is_p(cur(q), "[") ? "]" : ")";
        if (!is_p(cur(q), "[") && !is_p(cur(q), "("))
            return unexpected(q);
        q->at++;
        rn_buf_puts(out, " IN (");
        for (int n = 0; !q->err; n++) {
            if (n)
                rn_buf_puts(out, ", ");
            if (value_ph(q, out))
                return q->err;
            if (is_p(cur(q), ","))
                q->at++;
            else
                break;
        }
        if (want_p(q, close))
            return q->err;
        rn_buf_puts(out, ")");
        return 0;
    }
    static const char *const ops[] = {"=", "<>", "!=", "<", "<=", ">", ">=", NULL};
    for (int i = 0; ops[i]; i++)
        if (is_p(o, ops[i])) {
            q->at++;
            rn_buf_printf(out, " %s ", !strcmp(ops[i], "!=") ? "<>" : ops[i]);
            return operand(q, out, NULL, 0);
        }
    return unexpected(q);
}

static int cond_not(pq_t *q, rn_buf_t *out, int *prec)
{
    if (is_kw(cur(q), "NOT")) {
        q->at++;
        size_t start = out->len;
        rn_buf_puts(out, "NOT ");
        int inner;
        size_t body = out->len;
        if (cond_not(q, out, &inner))
            return q->err;
        if (inner < 2) { /* NOT binds tighter than AND and OR: wrap them */
            char *text = rn_strdup(out->data + body);
            out->len = body;
            rn_buf_printf(out, "(%s)", text ? text : "");
            rn_free(text);
        }
        (void)start;
        *prec = 2;
        return 0;
    }
    return predicate(q, out, prec);
}

static int cond_and(pq_t *q, rn_buf_t *out, int *prec, term_t *terms, int *nterms, int maxterms)
{
    int p;
    size_t start = out->len;
    if (cond_not(q, out, &p))
        return q->err;
    int n = 0;
    *prec = 2;
    while (1) {
        if (terms && n < maxterms) {
            terms[n].from = start;
            terms[n].to = out->len;
        }
        n++;
        if (!is_kw(cur(q), "AND"))
            break;
        q->at++;
        rn_buf_puts(out, " AND ");
        start = out->len;
        if (cond_not(q, out, &p))
            return q->err;
        *prec = 1;
    }
    if (nterms)
        *nterms = n < maxterms ? n : maxterms;
    return 0;
}

static int cond_or(pq_t *q, rn_buf_t *out, int *prec)
{
    if (cond_and(q, out, prec, NULL, NULL, 0))
        return q->err;
    while (is_kw(cur(q), "OR")) {
        q->at++;
        rn_buf_puts(out, " OR ");
        int p;
        if (cond_and(q, out, &p, NULL, NULL, 0))
            return q->err;
        *prec = 0;
    }
    return 0;
}

/* The WHERE clause: its text, and (when it is an AND of terms) which terms
 * compare a plain attribute with = to a value. */
typedef struct where {
    rn_buf_t text;
    term_t terms[32];
    int nterms; /* 0 when the clause is not a plain AND of terms */
} where_t;

static int where_clause(pq_t *q, where_t *w)
{
    memset(w, 0, sizeof *w);
    int prec;
    if (cond_and(q, &w->text, &prec, w->terms, &w->nterms, 32))
        return q->err;
    if (is_kw(cur(q), "OR")) { /* not a plain AND: no key terms */
        w->nterms = 0;
        while (is_kw(cur(q), "OR")) {
            q->at++;
            rn_buf_puts(&w->text, " OR ");
            if (cond_and(q, &w->text, &prec, NULL, NULL, 0))
                return q->err;
        }
    }
    for (int i = 0; i < w->nterms; i++) {
        term_t *t = &w->terms[i];
        char text[1024];
        snprintf(text, sizeof text, "%.*s", (int)(t->to - t->from), w->text.data + t->from);
        char nph[16], vph[16];
        t->key[0] = '\0';
        if (sscanf(text, "%15s = %15s", nph, vph) == 2 && nph[0] == '#' && vph[0] == ':' &&
            strlen(nph) + strlen(vph) + 3 == strlen(text)) {
            snprintf(t->key, sizeof t->key, "%s", json_string_value(json_object_get(q->names, nph)) ?: "");
            snprintf(t->ph, sizeof t->ph, "%s", vph);
        }
    }
    return 0;
}

/* The term comparing attribute name with =, or NULL. */
static term_t *key_term(where_t *w, const char *name)
{
    for (int i = 0; name && i < w->nterms; i++)
        if (!strcmp(w->terms[i].key, name))
            return &w->terms[i];
    return NULL;
}

/* The clause without the key terms (NULL when nothing is left). Caller frees. */
static char *rest_of(where_t *w, const term_t *a, const term_t *b)
{
    rn_buf_t r = {0};
    for (int i = 0; i < w->nterms; i++) {
        const term_t *t = &w->terms[i];
        if (t == a || t == b)
            continue;
        if (r.len)
            rn_buf_puts(&r, " AND ");
        rn_buf_add(&r, w->text.data + t->from, t->to - t->from);
    }
    return r.len ? rn_buf_take(&r, NULL) : (rn_buf_free(&r), NULL);
}

/* ---- statements ---- */

static int table_name(pq_t *q, char *table, size_t tlen, char *index, size_t ilen)
{
    ptok_t *t = cur(q);
    if (t->t != P_QID && t->t != P_WORD)
        return unexpected(q);
    q->at++;
    char *s = t->t == P_QID ? unquote(t) : rn_strndup(t->p, t->n);
    snprintf(table, tlen, "%s", s ? s : "");
    rn_free(s);
    index[0] = '\0';
    if (ilen && is_p(cur(q), ".")) {
        q->at++;
        ptok_t *x = cur(q);
        if (x->t != P_QID && x->t != P_WORD)
            return unexpected(q);
        q->at++;
        char *xs = x->t == P_QID ? unquote(x) : rn_strndup(x->p, x->n);
        snprintf(index, ilen, "%s", xs ? xs : "");
        rn_free(xs);
    }
    return 0;
}

static void add_maps(pq_t *q, json_t *in)
{
    if (json_object_size(q->names))
        json_object_set(in, "ExpressionAttributeNames", q->names);
    if (json_object_size(q->values))
        json_object_set(in, "ExpressionAttributeValues", q->values);
}

static int select_stmt(pq_t *q, ddb_t *d, ddb_pq_plan_t *plan)
{
    rn_buf_t proj = {0};
    int star = 0;
    if (is_p(cur(q), "*")) {
        star = 1;
        q->at++;
    } else {
        for (;;) {
            if (path(q, &proj, NULL, 0))
                break;
            if (!is_p(cur(q), ","))
                break;
            q->at++;
            rn_buf_puts(&proj, ", ");
        }
    }
    char table[300], index[300];
    if (!q->err && !want_kw(q, "FROM"))
        table_name(q, table, sizeof table, index, sizeof index);
    where_t w = {0};
    int has_where = 0;
    if (!q->err && is_kw(cur(q), "WHERE")) {
        q->at++;
        has_where = 1;
        where_clause(q, &w);
    }
    if (!q->err && is_kw(cur(q), "ORDER"))
        pfail(q, MALFORMED "ORDER BY is supported only with a WHERE clause on the partition key");
    if (!q->err)
        trailing(q);
    if (q->err) {
        rn_buf_free(&proj);
        rn_buf_free(&w.text);
        return q->err;
    }
    ddb_table_t *t = ddb_table_get(d, table);
    json_t *in = json_pack("{s:s}", "TableName", table);
    if (index[0])
        json_object_set_new(in, "IndexName", json_string(index));
    const ddb_keys_t *keys = t ? (index[0] && ddb_index_get(t, index) ? &ddb_index_get(t, index)->keys : &t->keys) : NULL;
    term_t *h = has_where && keys ? key_term(&w, keys->hash) : NULL;
    if (h) { /* the partition key is given: a Query (the whole clause filters too) */
        plan->op = "Query";
        rn_buf_t kce = {0};
        char hn[16] = "#h";
        json_object_set_new(q->names, hn, json_string(keys->hash));
        rn_buf_printf(&kce, "%s = %s", hn, h->ph);
        json_object_set_new(in, "KeyConditionExpression", json_string(kce.data));
        rn_buf_free(&kce);
    } else {
        plan->op = "Scan";
    }
    if (h && t && !index[0]) {
        term_t *r = t->keys.range ? key_term(&w, t->keys.range) : NULL;
        if (!t->keys.range || r) {
            plan->key = json_pack("{s:O}", t->keys.hash, json_object_get(q->values, h->ph));
            if (r)
                json_object_set(plan->key, t->keys.range, json_object_get(q->values, r->ph));
            plan->extra = w.nterms != (r ? 2 : 1);
        }
    }
    if (has_where)
        json_object_set_new(in, "FilterExpression", json_string(w.text.data));
    if (!star)
        json_object_set_new(in, "ProjectionExpression", json_string(proj.data ? proj.data : ""));
    add_maps(q, in);
    plan->in = in;
    plan->kind = DDB_PQ_SELECT;
    rn_buf_free(&proj);
    rn_buf_free(&w.text);
    return 0;
}

static int insert_stmt(pq_t *q, ddb_t *d, ddb_pq_plan_t *plan)
{
    char table[300], index[8];
    if (want_kw(q, "INTO") || table_name(q, table, sizeof table, index, 0) || want_kw(q, "VALUE"))
        return q->err;
    json_t *item = value(q);
    if (!q->err)
        trailing(q);
    if (q->err || !item) {
        json_decref(item);
        return q->err ? q->err : pfail(q, MALFORMED "Expected an item");
    }
    if (strcmp(ddb_type(item) ?: "", "M")) {
        json_decref(item);
        return pfail(q, "Unsupported type passed for the value of INSERT: a map {...} is required");
    }
    ddb_table_t *t = ddb_table_get(d, table);
    plan->op = "PutItem";
    plan->kind = DDB_PQ_INSERT;
    plan->in = json_pack("{s:s,s:O}", "TableName", table, "Item", ddb_inner(item));
    if (t) { /* an existing item is a DuplicateItemException */
        json_object_set_new(plan->in, "ConditionExpression", json_string("attribute_not_exists(#pk)"));
        json_object_set_new(plan->in, "ExpressionAttributeNames", json_pack("{s:s}", "#pk", t->keys.hash));
    }
    json_decref(item);
    return 0;
}

/* The WHERE of an UPDATE or DELETE: the key, and the rest as a condition. */
static int keyed_where(pq_t *q, ddb_t *d, const char *table, json_t *in, int must_exist)
{
    if (want_kw(q, "WHERE"))
        return q->err;
    where_t w;
    if (where_clause(q, &w)) {
        rn_buf_free(&w.text);
        return q->err;
    }
    ddb_table_t *t = ddb_table_get(d, table);
    if (!t) {
        rn_buf_free(&w.text);
        return 0; /* the operation reports the missing table */
    }
    term_t *h = key_term(&w, t->keys.hash), *r = t->keys.range ? key_term(&w, t->keys.range) : NULL;
    if (!h || (t->keys.range && !r)) {
        rn_buf_free(&w.text);
        return pfail(q, "Where clause does not contain a mandatory equality on all key attributes");
    }
    json_t *key = json_object();
    json_object_set(key, t->keys.hash, json_object_get(q->values, h->ph));
    if (r)
        json_object_set(key, t->keys.range, json_object_get(q->values, r->ph));
    json_object_set_new(in, "Key", key);
    json_object_del(q->values, h->ph);
    if (r)
        json_object_del(q->values, r->ph);
    char *rest = rest_of(&w, h, r);
    /* the names only the key terms used are unused now */
    rn_buf_t cond = {0};
    json_object_set_new(q->names, "#pk", json_string(t->keys.hash));
    if (must_exist) /* UPDATE acts on an item that exists */
        rn_buf_printf(&cond, rest ? "attribute_exists(#pk) AND (%s)" : "attribute_exists(#pk)", rest ? rest : "");
    else if (rest) /* DELETE of no item is nothing; of an item, only when the rest holds */
        rn_buf_printf(&cond, "attribute_not_exists(#pk) OR (%s)", rest);
    if (cond.len)
        json_object_set_new(in, "ConditionExpression", json_string(cond.data));
    rn_buf_free(&cond);
    rn_free(rest);
    rn_buf_free(&w.text);
    return 0;
}

/* Drops the #names no expression of in uses (the key terms' names). */
static void prune_names(json_t *in, json_t *names)
{
    const char *k;
    json_t *v;
    void *tmp;
    json_object_foreach_safe(names, tmp, k, v)
    {
        int used = 0;
        static const char *const exprs[] = {"UpdateExpression", "ConditionExpression", NULL};
        for (int i = 0; exprs[i]; i++) {
            const char *e = json_string_value(json_object_get(in, exprs[i]));
            size_t kl = strlen(k);
            for (const char *p = e ? strstr(e, k) : NULL; p && !used; p = strstr(p + 1, k))
                used = !isalnum((unsigned char)p[kl]);
        }
        if (!used)
            json_object_del(names, k);
    }
}

static int returning(pq_t *q, json_t *in, int is_delete)
{
    if (!is_kw(cur(q), "RETURNING"))
        return 0;
    q->at++;
    const char *which = is_kw(cur(q), "ALL") ? "ALL" : is_kw(cur(q), "MODIFIED") ? "UPDATED" : NULL;
    if (!which)
        return unexpected(q);
    q->at++;
    const char *when = is_kw(cur(q), "OLD") ? "OLD" : is_kw(cur(q), "NEW") ? "NEW" : NULL;
    if (!when)
        return unexpected(q);
    q->at++;
    if (want_p(q, "*"))
        return q->err;
    if (is_delete && (strcmp(which, "ALL") || strcmp(when, "OLD")))
        return pfail(q, "Invalid returning clause: RETURNING %s %s *. Only RETURNING ALL OLD * is allowed in DELETE "
                        "statements.",
                     strcmp(which, "ALL") ? "MODIFIED" : "ALL", when);
    char rv[16];
    snprintf(rv, sizeof rv, "%s_%s", which, when);
    json_object_set_new(in, "ReturnValues", json_string(rv));
    return 0;
}

static int update_stmt(pq_t *q, ddb_t *d, ddb_pq_plan_t *plan)
{
    char table[300], index[8];
    if (table_name(q, table, sizeof table, index, 0))
        return q->err;
    rn_buf_t set = {0}, rem = {0}, add = {0}, del = {0};
    while (!q->err && (is_kw(cur(q), "SET") || is_kw(cur(q), "REMOVE"))) {
        int is_set = is_kw(cur(q), "SET");
        q->at++;
        if (!is_set) {
            if (rem.len)
                rn_buf_puts(&rem, ", ");
            path(q, &rem, NULL, 0);
            continue;
        }
        rn_buf_t lhs = {0};
        if (path(q, &lhs, NULL, 0) || want_p(q, "=")) {
            rn_buf_free(&lhs);
            break;
        }
        ptok_t *v = cur(q);
        if ((is_kw(v, "set_add") || is_kw(v, "set_delete")) && is_p(&q->tk[q->at + 1], "(")) {
            /* SET a = set_add(a, <<...>>): ADD / DELETE */
            rn_buf_t *to = is_kw(v, "set_add") ? &add : &del;
            q->at += 2;
            rn_buf_t same = {0};
            path(q, &same, NULL, 0);
            if (!q->err && strcmp(same.data ? same.data : "", lhs.data ? lhs.data : ""))
                pfail(q, "set_add and set_delete must name the attribute being set");
            rn_buf_free(&same);
            if (!q->err && !want_p(q, ",")) {
                if (to->len)
                    rn_buf_puts(to, ", ");
                rn_buf_printf(to, "%s ", lhs.data);
                if (!value_ph(q, to))
                    want_p(q, ")");
            }
        } else {
            if (set.len)
                rn_buf_puts(&set, ", ");
            rn_buf_printf(&set, "%s = ", lhs.data);
            if (is_kw(v, "list_append") && is_p(&q->tk[q->at + 1], "(")) {
                q->at += 2;
                rn_buf_puts(&set, "list_append(");
                if (!operand(q, &set, NULL, 0) && !want_p(q, ",")) {
                    rn_buf_puts(&set, ", ");
                    if (!operand(q, &set, NULL, 0) && !want_p(q, ")"))
                        rn_buf_puts(&set, ")");
                }
            } else if (!operand(q, &set, NULL, 0) && (is_p(cur(q), "+") || is_p(cur(q), "-"))) {
                rn_buf_printf(&set, " %.1s ", cur(q)->p);
                q->at++;
                operand(q, &set, NULL, 0);
            }
        }
        rn_buf_free(&lhs);
        while (!q->err && is_p(cur(q), ",")) { /* more assignments after one SET */
            q->at++;
            rn_buf_t l2 = {0};
            if (path(q, &l2, NULL, 0) || want_p(q, "=")) {
                rn_buf_free(&l2);
                break;
            }
            rn_buf_printf(&set, "%s%s = ", set.len ? ", " : "", l2.data);
            rn_buf_free(&l2);
            if (!operand(q, &set, NULL, 0) && (is_p(cur(q), "+") || is_p(cur(q), "-"))) {
                rn_buf_printf(&set, " %.1s ", cur(q)->p);
                q->at++;
                operand(q, &set, NULL, 0);
            }
        }
    }
    json_t *in = json_pack("{s:s}", "TableName", table);
    if (!q->err && !set.len && !rem.len && !add.len && !del.len)
        pfail(q, MALFORMED "Expected SET or REMOVE");
    if (!q->err)
        keyed_where(q, d, table, in, 1);
    if (!q->err)
        returning(q, in, 0);
    if (!q->err)
        trailing(q);
    if (!q->err) {
        rn_buf_t u = {0};
        if (set.len)
            rn_buf_printf(&u, "SET %s", set.data);
        if (rem.len)
            rn_buf_printf(&u, "%sREMOVE %s", u.len ? " " : "", rem.data);
        if (add.len)
            rn_buf_printf(&u, "%sADD %s", u.len ? " " : "", add.data);
        if (del.len)
            rn_buf_printf(&u, "%sDELETE %s", u.len ? " " : "", del.data);
        json_object_set_new(in, "UpdateExpression", json_string(u.data));
        rn_buf_free(&u);
        prune_names(in, q->names);
        add_maps(q, in);
        plan->op = "UpdateItem";
        plan->kind = DDB_PQ_UPDATE;
        plan->in = in;
        in = NULL;
    }
    json_decref(in);
    rn_buf_free(&set);
    rn_buf_free(&rem);
    rn_buf_free(&add);
    rn_buf_free(&del);
    return q->err;
}

static int delete_stmt(pq_t *q, ddb_t *d, ddb_pq_plan_t *plan)
{
    char table[300], index[8];
    if (want_kw(q, "FROM") || table_name(q, table, sizeof table, index, 0))
        return q->err;
    json_t *in = json_pack("{s:s}", "TableName", table);
    if (!keyed_where(q, d, table, in, 0) && !returning(q, in, 1))
        trailing(q);
    if (q->err) {
        json_decref(in);
        return q->err;
    }
    prune_names(in, q->names);
    add_maps(q, in);
    plan->op = "DeleteItem";
    plan->kind = DDB_PQ_DELETE;
    plan->in = in;
    return 0;
}

int ddb_pq_plan(ddb_t *d, const char *stmt, json_t *params, ddb_pq_plan_t *plan, char *msg, size_t len)
{
    memset(plan, 0, sizeof *plan);
    pq_t q = {0};
    q.msg = msg;
    q.len = len;
    q.params = params;
    q.names = json_object();
    q.values = json_object();
    int rc = stmt ? lex(&q, stmt) : -1;
    if (rc == -1 && !q.err)
        pfail(&q, MALFORMED "Unexpected end of statement");
    if (!q.err) {
        ptok_t *t = cur(&q);
        q.at++;
        if (is_kw(t, "SELECT"))
            select_stmt(&q, d, plan);
        else if (is_kw(t, "INSERT"))
            insert_stmt(&q, d, plan);
        else if (is_kw(t, "UPDATE"))
            update_stmt(&q, d, plan);
        else if (is_kw(t, "DELETE"))
            delete_stmt(&q, d, plan);
        else
            q.at--, unexpected(&q);
    }
    if (!q.err && q.pused != json_array_size(params))
        pfail(&q, "Number of parameters in request and statement don't match.");
    rn_free(q.tk);
    json_decref(q.names);
    json_decref(q.values);
    if (q.err) {
        json_decref(plan->in);
        json_decref(plan->key);
        plan->in = plan->key = NULL;
    }
    return q.err;
}
