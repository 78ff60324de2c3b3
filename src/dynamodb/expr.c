/* SPDX-License-Identifier: MIT
 * Parsing DynamoDB expressions (expr.h): a lexer, recursive descent with
 * AWS's precedence (comparisons and functions, then NOT, AND, OR), names and
 * values substituted as they are met, and the checks AWS makes after the
 * syntax (function arity and context, overlapping update paths). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/mem.h"
#include "dynamodb/ddb_int.h"
#include "dynamodb/expr.h"
#include "dynamodb/reserved.h"

/* ---- the arena ---- */

typedef struct chunk {
    struct chunk *next;
    size_t used, cap;
    _Alignas(16) char data[];
} chunk_t;

struct ddb_expr {
    chunk_t *head;
};

ddb_expr_t *ddb_expr_new(void)
{
    return rn_calloc(1, sizeof(ddb_expr_t));
}

void ddb_expr_free(ddb_expr_t *e)
{
    if (!e)
        return;
    for (chunk_t *c = e->head, *n; c; c = n) {
        n = c->next;
        rn_free(c);
    }
    rn_free(e);
}

static void *arena(ddb_expr_t *e, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    if (!e->head || e->head->cap - e->head->used < n) {
        size_t cap = n > 4096 ? n : 4096;
        chunk_t *c = rn_malloc(sizeof *c + cap);
        if (!c)
            return NULL;
        c->next = e->head;
        c->used = 0;
        c->cap = cap;
        e->head = c;
    }
    void *p = e->head->data + e->head->used;
    e->head->used += n;
    memset(p, 0, n);
    return p;
}

static char *arena_str(ddb_expr_t *e, const char *s, size_t n)
{
    char *p = arena(e, n + 1);
    if (p)
        memcpy(p, s, n);
    return p;
}

/* ---- the lexer ---- */

enum {
    T_EOF, T_NAME, T_HNAME, T_VALUE, T_NUM, T_LP, T_RP, T_LB, T_RB, T_COMMA, T_DOT,
    T_EQ, T_NE, T_LT, T_LE, T_GT, T_GE, T_PLUS, T_MINUS, T_BAD,
};

typedef struct tok {
    int t;
    const char *p; /* in the source */
    size_t n;
} tok_t;

typedef struct parser {
    ddb_expr_t *e;
    const char *src;
    const char *what;
    ddb_subst_t *s;
    tok_t *tk;
    int ntk, at;
    char *msg;
    size_t len;
    int err;
    int update; /* parsing an update expression: if_not_exists, list_append, + and - allowed */
} parser_t;

static int is_name_start(int c)
{
    return isalpha(c);
}

static int is_name_char(int c)
{
    return isalnum(c) || c == '_';
}

static int lex(parser_t *P)
{
    size_t cap = 16;
    P->tk = rn_malloc(cap * sizeof *P->tk);
    if (!P->tk)
        return -1;
    const char *p = P->src;
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
            p++;
        if ((size_t)P->ntk + 1 >= cap) {
            cap *= 2;
            tok_t *t = rn_realloc(P->tk, cap * sizeof *t);
            if (!t)
                return -1;
            P->tk = t;
        }
        tok_t *t = &P->tk[P->ntk++];
        t->p = p;
        t->n = 1;
        if (!*p) {
            t->t = T_EOF;
            t->n = 0;
            return 0;
        }
        char c = *p;
        if (is_name_start((unsigned char)c) || ((c == '#' || c == ':') && p[1] && is_name_char((unsigned char)p[1]))) {
            const char *q = p + 1;
            while (*q && is_name_char((unsigned char)*q))
                q++;
            t->t = c == '#' ? T_HNAME : c == ':' ? T_VALUE : T_NAME;
            t->n = (size_t)(q - p);
            p = q;
            continue;
        }
        if (isdigit((unsigned char)c)) {
            const char *q = p;
            while (isdigit((unsigned char)*q))
                q++;
            t->t = T_NUM;
            t->n = (size_t)(q - p);
            p = q;
            continue;
        }
        p++;
        switch (c) {
        case '(': t->t = T_LP; break;
        case ')': t->t = T_RP; break;
        case '[': t->t = T_LB; break;
        case ']': t->t = T_RB; break;
        case ',': t->t = T_COMMA; break;
        case '.': t->t = T_DOT; break;
        case '+': t->t = T_PLUS; break;
        case '-': t->t = T_MINUS; break;
        case '=': t->t = T_EQ; break;
        case '<':
            t->t = T_LT;
            if (*p == '=' || *p == '>') {
                t->t = *p == '=' ? T_LE : T_NE;
                t->n = 2;
                p++;
            }
            break;
        case '>':
            t->t = T_GT;
            if (*p == '=') {
                t->t = T_GE;
                t->n = 2;
                p++;
            }
            break;
        default:
            t->t = T_BAD;
            /* a whole UTF-8 character as the token */
            while ((*p & 0xc0) == 0x80)
                p++, t->n++;
            break;
        }
    }
}

static tok_t *cur(parser_t *P)
{
    return &P->tk[P->at];
}

static int kw(const tok_t *t, const char *word)
{
    return t->t == T_NAME && strlen(word) == t->n && strncasecmp(t->p, word, t->n) == 0;
}

static int fail(parser_t *P, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(parser_t *P, const char *fmt, ...)
{
    if (P->err)
        return P->err;
    int n = snprintf(P->msg, P->len, "Invalid %s: ", P->what);
    va_list ap;
    va_start(ap, fmt);
    if (n > 0 && (size_t)n < P->len)
        vsnprintf(P->msg + n, P->len - (size_t)n, fmt, ap);
    va_end(ap);
    return P->err = DDB_ERR_VALIDATION;
}

/* AWS's syntax error: the offending token, and the text from the token
 * before it to the one after it. */
static int syntax(parser_t *P)
{
    tok_t *t = cur(P);
    char token[256], near[512];
    if (t->t == T_EOF)
        snprintf(token, sizeof token, "<EOF>");
    else
        snprintf(token, sizeof token, "%.*s", (int)t->n, t->p);
    const char *from = P->at > 0 ? P->tk[P->at - 1].p : P->src;
    const tok_t *b = t->t == T_EOF ? t : &P->tk[P->at + 1];
    const char *end = b->t == T_EOF ? b->p + strlen(b->p) : b->p + b->n;
    snprintf(near, sizeof near, "%.*s", (int)(end - from), from);
    return fail(P, "Syntax error; token: \"%s\", near: \"%s\"", token, near);
}

static int expect(parser_t *P, int t)
{
    if (cur(P)->t != t)
        return syntax(P);
    P->at++;
    return 0;
}

static void mark_used(json_t *set, const char *k)
{
    json_object_set_new(set, k, json_true());
}

/* ---- paths ---- */

/* A name element: a plain name (not a reserved word) or a #substitution. */
static const char *path_name(parser_t *P, tok_t *t)
{
    char buf[300];
    snprintf(buf, sizeof buf, "%.*s", (int)(t->n < 299 ? t->n : 299), t->p);
    if (t->t == T_HNAME) {
        json_t *v = json_object_get(P->s->names, buf);
        if (!json_is_string(v)) {
            fail(P, "An expression attribute name used in the document path is not defined; attribute name: %s", buf);
            return NULL;
        }
        mark_used(P->s->used_names, buf);
        return arena_str(P->e, json_string_value(v), json_string_length(v));
    }
    if (ddb_reserved(buf)) {
        fail(P, "Attribute name is a reserved keyword; reserved keyword: %s", buf);
        return NULL;
    }
    return arena_str(P->e, t->p, t->n);
}

static int parse_path(parser_t *P, ddb_path_t *out)
{
    ddb_path_el_t el[DDB_EXPR_MAX_PATH];
    int n = 0;
    tok_t *t = cur(P);
    if (t->t != T_NAME && t->t != T_HNAME)
        return syntax(P);
    P->at++;
    if (!(el[n++].name = path_name(P, t)))
        return P->err;
    for (;;) {
        t = cur(P);
        if (t->t == T_DOT) {
            P->at++;
            tok_t *nm = cur(P);
            if (nm->t != T_NAME && nm->t != T_HNAME)
                return syntax(P);
            P->at++;
            if (n == DDB_EXPR_MAX_PATH)
                return fail(P, "The document path has too many nesting levels; nesting levels: %d", n + 1);
            if (!(el[n].name = path_name(P, nm)))
                return P->err;
            el[n++].index = 0;
        } else if (t->t == T_LB) {
            P->at++;
            tok_t *num = cur(P);
            if (num->t != T_NUM)
                return syntax(P);
            P->at++;
            if (expect(P, T_RB))
                return P->err;
            if (n == DDB_EXPR_MAX_PATH)
                return fail(P, "The document path has too many nesting levels; nesting levels: %d", n + 1);
            el[n].name = NULL;
            el[n++].index = num->n > 9 ? 999999999L : strtol(num->p, NULL, 10);
        } else {
            break;
        }
    }
    out->el = arena(P->e, (size_t)n * sizeof *out->el);
    if (!out->el)
        return fail(P, "out of memory");
    memcpy(out->el, el, (size_t)n * sizeof *el);
    out->n = n;
    return 0;
}

/* ---- operands and conditions ---- */

static ddb_node_t *node(parser_t *P, int kind, int nkid)
{
    ddb_node_t *x = arena(P->e, sizeof *x);
    if (x && nkid) {
        x->kid = arena(P->e, (size_t)nkid * sizeof *x->kid);
        if (!x->kid)
            x = NULL;
    }
    if (!x) {
        fail(P, "out of memory");
        return NULL;
    }
    x->kind = kind;
    x->nkid = nkid;
    return x;
}

static const char *const cond_funcs[] = {"attribute_exists", "attribute_not_exists", "attribute_type",
                                         "begins_with", "contains", NULL};

static int is_cond_func(const char *f)
{
    for (int i = 0; cond_funcs[i]; i++)
        if (!strcmp(f, cond_funcs[i]))
            return 1;
    return 0;
}

static int known_func(const char *f)
{
    return is_cond_func(f) || !strcmp(f, "size") || !strcmp(f, "if_not_exists") || !strcmp(f, "list_append");
}

static ddb_node_t *parse_operand(parser_t *P);
static void path_list(const ddb_path_t *p, char *buf, size_t len);

static int same_path(const ddb_node_t *a, const ddb_node_t *b)
{
    if (a->kind != DN_PATH || b->kind != DN_PATH || a->path.n != b->path.n)
        return 0;
    for (int i = 0; i < a->path.n; i++) {
        const ddb_path_el_t *x = &a->path.el[i], *y = &b->path.el[i];
        if (!x->name != !y->name || (x->name ? strcmp(x->name, y->name) != 0 : x->index != y->index))
            return 0;
    }
    return 1;
}

static int distinct_fail(parser_t *P, const char *op, const ddb_node_t *first)
{
    char pl[600];
    path_list(&first->path, pl, sizeof pl);
    return fail(P,
                "The first operand must be distinct from the remaining operands for this operator or function; "
                "operator: %s, first operand: %s",
                op, pl);
}

/* name(args...): the name token is current and '(' follows. */
static ddb_node_t *parse_call(parser_t *P)
{
    tok_t *t = cur(P);
    char f[64];
    snprintf(f, sizeof f, "%.*s", (int)(t->n < 63 ? t->n : 63), t->p);
    if (!known_func(f)) {
        fail(P, "Invalid function name; function: %s", f);
        return NULL;
    }
    P->at += 2;
    ddb_node_t *args[8];
    int n = 0;
    if (cur(P)->t != T_RP) {
        for (;;) {
            ddb_node_t *a = parse_operand(P);
            if (!a)
                return NULL;
            if (n < 8)
                args[n++] = a;
            if (cur(P)->t != T_COMMA)
                break;
            P->at++;
        }
    }
    if (expect(P, T_RP))
        return NULL;
    ddb_node_t *x = node(P, DN_FUNC, n);
    if (!x)
        return NULL;
    x->fn = arena_str(P->e, f, strlen(f));
    if (n)
        memcpy(x->kid, args, (size_t)n * sizeof *args);
    if (n == 2 && (!strcmp(f, "contains") || !strcmp(f, "begins_with") || !strcmp(f, "attribute_type")) &&
        same_path(args[0], args[1]) && distinct_fail(P, f, args[0]))
        return NULL;
    return x;
}

static ddb_node_t *parse_operand(parser_t *P)
{
    tok_t *t = cur(P);
    if (t->t == T_VALUE) {
        char buf[300];
        snprintf(buf, sizeof buf, "%.*s", (int)(t->n < 299 ? t->n : 299), t->p);
        json_t *v = json_object_get(P->s->values, buf);
        if (!v) {
            fail(P, "An expression attribute value used in expression is not defined; attribute value: %s", buf);
            return NULL;
        }
        mark_used(P->s->used_values, buf);
        P->at++;
        ddb_node_t *x = node(P, DN_VALUE, 0);
        if (x)
            x->value = v;
        return x;
    }
    if (t->t == T_NAME && P->tk[P->at + 1].t == T_LP)
        return parse_call(P);
    if (t->t == T_NAME || t->t == T_HNAME) {
        ddb_node_t *x = node(P, DN_PATH, 0);
        if (x && parse_path(P, &x->path))
            return NULL;
        return x;
    }
    syntax(P);
    return NULL;
}

static int cmp_op(int t)
{
    switch (t) {
    case T_EQ: return CMP_EQ;
    case T_NE: return CMP_NE;
    case T_LT: return CMP_LT;
    case T_LE: return CMP_LE;
    case T_GT: return CMP_GT;
    case T_GE: return CMP_GE;
    }
    return -1;
}

static ddb_node_t *parse_or(parser_t *P);

static ddb_node_t *parse_primary(parser_t *P)
{
    tok_t *t = cur(P);
    if (t->t == T_LP) {
        P->at++;
        ddb_node_t *x = parse_or(P);
        if (!x || expect(P, T_RP))
            return NULL;
        if (x->paren) {
            fail(P, "The expression has redundant parentheses;");
            return NULL;
        }
        x->paren = 1;
        return x;
    }
    ddb_node_t *a = parse_operand(P);
    if (!a)
        return NULL;
    if (a->kind == DN_FUNC && is_cond_func(a->fn))
        return a;
    tok_t *o = cur(P);
    int op = cmp_op(o->t);
    if (op >= 0) {
        P->at++;
        ddb_node_t *b = parse_operand(P);
        ddb_node_t *x = b ? node(P, DN_CMP, 2) : NULL;
        if (!x)
            return NULL;
        x->op = op;
        x->kid[0] = a;
        x->kid[1] = b;
        static const char *const ops[] = {"=", "<>", "<", "<=", ">", ">="};
        if (same_path(a, b) && distinct_fail(P, ops[op], a))
            return NULL;
        return x;
    }
    if (kw(o, "BETWEEN")) {
        P->at++;
        ddb_node_t *lo = parse_operand(P);
        if (!lo)
            return NULL;
        if (!kw(cur(P), "AND")) {
            syntax(P);
            return NULL;
        }
        P->at++;
        ddb_node_t *hi = parse_operand(P);
        ddb_node_t *x = hi ? node(P, DN_BETWEEN, 3) : NULL;
        if (!x)
            return NULL;
        x->kid[0] = a;
        x->kid[1] = lo;
        x->kid[2] = hi;
        return x;
    }
    if (kw(o, "IN")) {
        P->at++;
        if (expect(P, T_LP))
            return NULL;
        ddb_node_t *items[101];
        int n = 0;
        for (;;) {
            ddb_node_t *v = parse_operand(P);
            if (!v)
                return NULL;
            if (n == 100) {
                fail(P, "The IN operator is provided with too many operands; number of operands: %d", n + 1);
                return NULL;
            }
            items[n++] = v;
            if (cur(P)->t != T_COMMA)
                break;
            P->at++;
        }
        if (expect(P, T_RP))
            return NULL;
        ddb_node_t *x = node(P, DN_IN, n + 1);
        if (!x)
            return NULL;
        x->kid[0] = a;
        memcpy(x->kid + 1, items, (size_t)n * sizeof *items);
        return x;
    }
    if (a->kind == DN_FUNC) { /* size(...) or an update function standing as a condition */
        fail(P, "The function is not allowed to be used this way in an expression; function: %s", a->fn);
        return NULL;
    }
    syntax(P);
    return NULL;
}

static ddb_node_t *parse_not(parser_t *P)
{
    if (kw(cur(P), "NOT")) {
        P->at++;
        ddb_node_t *a = parse_not(P);
        ddb_node_t *x = a ? node(P, DN_NOT, 1) : NULL;
        if (x)
            x->kid[0] = a;
        return x;
    }
    return parse_primary(P);
}

/* A left-associative chain `next (WORD next)*` of kind nodes. */
static ddb_node_t *parse_chain(parser_t *P, const char *word, int kind, ddb_node_t *(*next)(parser_t *))
{
    ddb_node_t *a = next(P);
    while (a && kw(cur(P), word)) {
        P->at++;
        ddb_node_t *b = next(P);
        ddb_node_t *x = b ? node(P, kind, 2) : NULL;
        if (!x)
            return NULL;
        x->kid[0] = a;
        x->kid[1] = b;
        a = x;
    }
    return a;
}

static ddb_node_t *parse_and(parser_t *P)
{
    return parse_chain(P, "AND", DN_AND, parse_not);
}

static ddb_node_t *parse_or(parser_t *P)
{
    return parse_chain(P, "OR", DN_OR, parse_and);
}

/* ---- the checks after the syntax ---- */

static int arity(const char *f)
{
    if (!strcmp(f, "attribute_exists") || !strcmp(f, "attribute_not_exists") || !strcmp(f, "size"))
        return 1;
    return 2;
}

/* Checks a function's operands and where it stands: cond is 1 when the node
 * stands where a condition is expected. */
static int check_tree(parser_t *P, const ddb_node_t *x, int cond)
{
    if (!x)
        return 0;
    if (x->kind == DN_FUNC) {
        if (!strcmp(x->fn, "if_not_exists") || !strcmp(x->fn, "list_append")) {
            if (!P->update)
                return fail(P, "The function is not allowed in a condition expression; function: %s", x->fn);
        } else if (P->update && cond < 0) {
            return fail(P, "The function is not allowed in an update expression; function: %s", x->fn);
        }
        if (x->nkid != arity(x->fn))
            return fail(P,
                        "Incorrect number of operands for operator or function; operator or function: %s, number of "
                        "operands: %d",
                        x->fn, x->nkid);
        if (cond == 1 && !is_cond_func(x->fn))
            return fail(P, "The function is not allowed to be used this way in an expression; function: %s", x->fn);
        if (cond == 0 && is_cond_func(x->fn))
            return fail(P, "The function is not allowed to be used this way in an expression; function: %s", x->fn);
        if (strcmp(x->fn, "if_not_exists") && strcmp(x->fn, "list_append") && x->kid[0]->kind != DN_PATH &&
            strcmp(x->fn, "begins_with") && strcmp(x->fn, "contains"))
            return fail(P, "Operator or function requires a document path; operator or function: %s", x->fn);
        if (!strcmp(x->fn, "if_not_exists") && x->kid[0]->kind != DN_PATH)
            return fail(P, "Operator or function requires a document path; operator or function: %s", x->fn);
        for (int i = 0; i < x->nkid; i++)
            if (check_tree(P, x->kid[i], P->update ? -1 : 0))
                return P->err;
        return 0;
    }
    int kids_cond = x->kind == DN_AND || x->kind == DN_OR || x->kind == DN_NOT;
    for (int i = 0; i < x->nkid; i++)
        if (check_tree(P, x->kid[i], kids_cond ? 1 : (P->update ? -1 : 0)))
            return P->err;
    return 0;
}

static int begin(parser_t *P, ddb_expr_t *e, const char *text, const char *what, ddb_subst_t *s, char *msg,
                 size_t len)
{
    memset(P, 0, sizeof *P);
    P->e = e;
    P->src = text;
    P->what = what;
    P->s = s;
    P->msg = msg;
    P->len = len;
    if (!s->used_names)
        s->used_names = json_object();
    if (!s->used_values)
        s->used_values = json_object();
    const char *q = text;
    while (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r')
        q++;
    if (!*q) {
        snprintf(msg, len, "Invalid %s: The expression can not be empty;", what);
        return DDB_ERR_VALIDATION;
    }
    if (lex(P) < 0) {
        snprintf(msg, len, "out of memory");
        return DDB_ERR_VALIDATION;
    }
    return 0;
}

static void end(parser_t *P)
{
    rn_free(P->tk);
}

int ddb_parse_condition(ddb_expr_t *e, const char *text, const char *what, ddb_subst_t *s, ddb_node_t **out,
                        char *msg, size_t len)
{
    parser_t P;
    int rc = begin(&P, e, text, what, s, msg, len);
    if (rc)
        return end(&P), rc;
    ddb_node_t *x = parse_or(&P);
    if (x && cur(&P)->t != T_EOF)
        syntax(&P);
    if (x && !P.err)
        check_tree(&P, x, 1);
    end(&P);
    *out = x;
    return P.err;
}

int ddb_parse_projection(ddb_expr_t *e, const char *text, ddb_subst_t *s, ddb_path_t **out, int *n, char *msg,
                         size_t len)
{
    parser_t P;
    int rc = begin(&P, e, text, "ProjectionExpression", s, msg, len);
    if (rc)
        return end(&P), rc;
    int cap = 8, k = 0;
    ddb_path_t *paths = arena(e, (size_t)cap * sizeof *paths);
    for (;;) {
        if (k == cap) {
            ddb_path_t *more = arena(e, (size_t)cap * 2 * sizeof *more);
            if (!more)
                break;
            memcpy(more, paths, (size_t)k * sizeof *paths);
            paths = more;
            cap *= 2;
        }
        if (parse_path(&P, &paths[k]))
            break;
        k++;
        if (cur(&P)->t == T_COMMA) {
            P.at++;
            continue;
        }
        if (cur(&P)->t != T_EOF)
            syntax(&P);
        break;
    }
    if (!P.err)
        P.err = ddb_paths_check_overlap(paths, k, P.msg, P.len, "ProjectionExpression");
    end(&P);
    *out = paths;
    *n = k;
    return P.err;
}

/* SET's value: operand, or operand + operand, or operand - operand. */
static ddb_node_t *parse_set_value(parser_t *P)
{
    ddb_node_t *a = parse_operand(P);
    if (!a)
        return NULL;
    int t = cur(P)->t;
    if (t != T_PLUS && t != T_MINUS)
        return a;
    P->at++;
    ddb_node_t *b = parse_operand(P);
    ddb_node_t *x = b ? node(P, t == T_PLUS ? DN_PLUS : DN_MINUS, 2) : NULL;
    if (!x)
        return NULL;
    x->kid[0] = a;
    x->kid[1] = b;
    return x;
}

/* The type names ADD and DELETE's errors use. */
static const char *long_type(const char *t)
{
    static const char *const map[][2] = {{"S", "STRING"}, {"N", "NUMBER"}, {"B", "BINARY"}, {"NULL", "NULL"},
                                         {"BOOL", "BOOLEAN"}, {"L", "LIST"}, {"M", "MAP"}};
    for (size_t i = 0; t && i < sizeof map / sizeof map[0]; i++)
        if (!strcmp(t, map[i][0]))
            return map[i][1];
    return t ? t : "";
}

int ddb_parse_update(ddb_expr_t *e, const char *text, ddb_subst_t *s, ddb_action_t **out, int *n, char *msg,
                     size_t len)
{
    parser_t P;
    int rc = begin(&P, e, text, "UpdateExpression", s, msg, len);
    if (rc)
        return end(&P), rc;
    P.update = 1;
    int cap = 16, k = 0, seen[4] = {0};
    ddb_action_t *acts = arena(e, (size_t)cap * sizeof *acts);
    static const char *const sections[] = {"SET", "REMOVE", "ADD", "DELETE"};
    while (!P.err && cur(&P)->t != T_EOF) {
        int kind = -1;
        for (int i = 0; i < 4; i++)
            if (kw(cur(&P), sections[i]))
                kind = i;
        if (kind < 0) {
            syntax(&P);
            break;
        }
        if (seen[kind]++) {
            fail(&P, "The \"%s\" section can only be used once in an update expression;", sections[kind]);
            break;
        }
        P.at++;
        for (;;) {
            if (k == cap) {
                ddb_action_t *more = arena(e, (size_t)cap * 2 * sizeof *more);
                if (!more)
                    break;
                memcpy(more, acts, (size_t)k * sizeof *acts);
                acts = more;
                cap *= 2;
            }
            ddb_action_t *a = &acts[k];
            a->kind = kind;
            if (parse_path(&P, &a->path))
                break;
            if (kind == UP_SET) {
                if (expect(&P, T_EQ) || !(a->value = parse_set_value(&P)) || check_tree(&P, a->value, -1))
                    break;
            } else if (kind != UP_REMOVE) {
                if (cur(&P)->t != T_VALUE) {
                    syntax(&P);
                    break;
                }
                if (!(a->value = parse_operand(&P)))
                    break;
                const char *t = ddb_type(a->value->value);
                int ok = t && (!strcmp(t, "SS") || !strcmp(t, "NS") || !strcmp(t, "BS") ||
                               (kind == UP_ADD && !strcmp(t, "N")));
                if (!ok) {
                    fail(&P, "Incorrect operand type for operator or function; operator: %s, operand type: %s",
                         sections[kind], long_type(t));
                    break;
                }
            }
            k++;
            if (cur(&P)->t != T_COMMA)
                break;
            P.at++;
        }
    }
    if (!P.err) {
        ddb_path_t *paths = arena(e, (size_t)(k ? k : 1) * sizeof *paths);
        for (int i = 0; paths && i < k; i++)
            paths[i] = acts[i].path;
        if (paths)
            P.err = ddb_paths_check_overlap(paths, k, P.msg, P.len, "UpdateExpression");
    }
    end(&P);
    *out = acts;
    *n = k;
    return P.err;
}

/* ---- paths overlapping ---- */

void ddb_path_text(const ddb_path_t *p, char *buf, size_t len)
{
    size_t w = 0;
    buf[0] = '\0';
    for (int i = 0; i < p->n && w < len; i++) {
        if (p->el[i].name)
            w += (size_t)snprintf(buf + w, len - w, "%s%s", i ? "." : "", p->el[i].name);
        else
            w += (size_t)snprintf(buf + w, len - w, "[%ld]", p->el[i].index);
    }
}

/* "[a, b, [1]]": a path as AWS lists its elements in overlap messages. */
static void path_list(const ddb_path_t *p, char *buf, size_t len)
{
    size_t w = (size_t)snprintf(buf, len, "[");
    for (int i = 0; i < p->n && w < len; i++) {
        if (p->el[i].name)
            w += (size_t)snprintf(buf + w, len - w, "%s%s", i ? ", " : "", p->el[i].name);
        else
            w += (size_t)snprintf(buf + w, len - w, "%s[%ld]", i ? ", " : "", p->el[i].index);
    }
    if (w < len)
        snprintf(buf + w, len - w, "]");
}

int ddb_paths_check_overlap(const ddb_path_t *paths, int n, char *msg, size_t len, const char *what)
{
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++) {
            const ddb_path_t *a = &paths[i], *b = &paths[j];
            int m = a->n < b->n ? a->n : b->n, k = 0, conflict = 0;
            for (; k < m; k++) {
                const ddb_path_el_t *x = &a->el[k], *y = &b->el[k];
                if (!x->name != !y->name) {
                    conflict = 1;
                    break;
                }
                if (x->name ? strcmp(x->name, y->name) != 0 : x->index != y->index)
                    break;
            }
            if (k < m && !conflict)
                continue;
            char pa[600], pb[600];
            path_list(a, pa, sizeof pa);
            path_list(b, pb, sizeof pb);
            snprintf(msg, len,
                     conflict ? "Invalid %s: Two document paths conflict with each other; must remove or rewrite one "
                                "of these paths; path one: %s, path two: %s"
                              : "Invalid %s: Two document paths overlap with each other; must remove or rewrite one "
                                "of these paths; path one: %s, path two: %s",
                     what, pa, pb);
            return DDB_ERR_VALIDATION;
        }
    return 0;
}

/* ---- substitutions ---- */

static int unused(const json_t *given, const json_t *used, const char *what, char *msg, size_t len)
{
    char list[1024];
    size_t w = 0;
    int any = 0;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)given, k, v) {
        if (json_object_get(used, k))
            continue;
        w += (size_t)snprintf(list + w, w < sizeof list ? sizeof list - w : 0, "%s%s", any ? ", " : "", k);
        any = 1;
        if (w >= sizeof list)
            break;
    }
    if (!any)
        return 0;
    snprintf(msg, len, "Value provided in %s unused in expressions: keys: {%s}", what, list);
    return DDB_ERR_VALIDATION;
}

int ddb_subst_check_unused(const ddb_subst_t *s, char *msg, size_t len)
{
    if (s->names && unused(s->names, s->used_names, "ExpressionAttributeNames", msg, len))
        return DDB_ERR_VALIDATION;
    if (s->values && unused(s->values, s->used_values, "ExpressionAttributeValues", msg, len))
        return DDB_ERR_VALIDATION;
    return 0;
}

void ddb_subst_free(ddb_subst_t *s)
{
    json_decref(s->used_names);
    json_decref(s->used_values);
    s->used_names = s->used_values = NULL;
}

/* ---- trees built from the legacy parameters ---- */

ddb_node_t *ddb_expr_node(ddb_expr_t *e, int kind, int nkid)
{
    ddb_node_t *x = arena(e, sizeof *x);
    if (x && nkid && !(x->kid = arena(e, (size_t)nkid * sizeof *x->kid)))
        return NULL;
    if (x) {
        x->kind = kind;
        x->nkid = nkid;
    }
    return x;
}

ddb_node_t *ddb_expr_path_node(ddb_expr_t *e, const char *name)
{
    ddb_node_t *x = ddb_expr_node(e, DN_PATH, 0);
    ddb_path_el_t *el = x ? arena(e, sizeof *el) : NULL;
    if (!el || !(el->name = arena_str(e, name, strlen(name))))
        return NULL;
    x->path.el = el;
    x->path.n = 1;
    return x;
}

const char *ddb_expr_str(ddb_expr_t *e, const char *s)
{
    return arena_str(e, s, strlen(s));
}

void *ddb_expr_alloc(ddb_expr_t *e, size_t n)
{
    return arena(e, n);
}
