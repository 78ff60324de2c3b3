/* SPDX-License-Identifier: MIT
 * SNS subscription filter policies on top of the event-pattern engine. AWS
 * evaluates filter policies with its event rule engine (the one behind
 * EventBridge patterns: the validation messages are word for word the same),
 * so a policy is checked as JSON first (SNS's "failed to parse JSON."), then
 * compiled by the pattern engine (its messages, with Jackson's location), then
 * held to SNS's own rules: the operators SNS offers, no nesting in the
 * MessageAttributes scope, at most 5 keys and 150 combinations.
 *
 * Matching: a MessageBody policy is an event pattern run over the body text.
 * A MessageAttributes policy is split into one small pattern per attribute
 * name, because attributes are typed (a Number attribute compares as a
 * number, a String one as a string, Binary ones are ignored) and a
 * String.Array attribute is not quite an event array: a value condition holds
 * if any element satisfies it, but an anything-but holds only if no element is
 * excluded, and "exists" asks about the attribute, not its elements. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/mem.h"
#include "pattern/pattern.h"
#include "sns/filter.h"

#define PREFIX "Invalid parameter: "
#define FP PREFIX "FilterPolicy: "
#define EV_PREFIX "Event pattern is not valid. Reason: "
/* AWS's parser no longer quotes the document in its locations (Jackson 2.16
 * and later; recorded by AWS for SNS in 2026). */
#define REDACTED "[Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled)"
#define SUBSCRIBE_PART "Attributes Reason: "
#define MSG_BUF 8192 /* room for a Jackson message quoting 500 characters twice */

/* ---- walking a policy already validated as JSON ---- */

typedef struct span {
    const char *p;
    size_t n;
} span_t;

static size_t skip_ws(const char *s, size_t n, size_t i)
{
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
        i++;
    return i;
}

/* Next member of the object o (o.p[0] == '{'); *i starts at 1. The key is
 * the raw text between its quotes. */
static int obj_next(span_t o, size_t *i, span_t *key, span_t *val)
{
    size_t j = skip_ws(o.p, o.n, *i);
    if (j >= o.n || o.p[j] == '}')
        return 0;
    if (o.p[j] == ',')
        j = skip_ws(o.p, o.n, j + 1);
    size_t kl = ev_json_value_len(o.p + j, o.n - j);
    *key = (span_t){o.p + j + 1, kl >= 2 ? kl - 2 : 0};
    j = skip_ws(o.p, o.n, j + kl);
    j = skip_ws(o.p, o.n, j + 1); /* past ':' */
    *val = (span_t){o.p + j, ev_json_value_len(o.p + j, o.n - j)};
    *i = j + val->n;
    return 1;
}

/* Next element of the array a (a.p[0] == '['); *i starts at 1. */
static int arr_next(span_t a, size_t *i, span_t *val)
{
    size_t j = skip_ws(a.p, a.n, *i);
    if (j >= a.n || a.p[j] == ']')
        return 0;
    if (a.p[j] == ',')
        j = skip_ws(a.p, a.n, j + 1);
    *val = (span_t){a.p + j, ev_json_value_len(a.p + j, a.n - j)};
    *i = j + val->n;
    return 1;
}

/* Unescaped key text (keys are compared after unescaping, as the engine does). */
static void key_text(rn_buf_t *b, span_t k)
{
    b->len = 0;
    ev_json_unescape(b, k.p, k.n);
    rn_buf_add(b, "", 0);
}

/* ---- messages ---- */

/* Appends m with every quotation of the policy in Jackson's locations
 * replaced by the REDACTED form AWS now prints. */
static void add_redacted(rn_buf_t *out, const char *m, const char *policy, size_t len)
{
    rn_buf_t src = {0};
    ev_json_source(&src, policy, len);
    const char *at;
    while (src.len && (at = memmem(m, strlen(m), src.data, src.len)) != NULL) {
        rn_buf_add(out, m, (size_t)(at - m));
        rn_buf_puts(out, REDACTED);
        m = at + src.len;
    }
    rn_buf_puts(out, m);
    if (src.oom)
        out->oom = 1;
    rn_buf_free(&src);
}

/* Jackson's line and column (UTF-16 units, 1-based) of offset `at`. */
static void location(rn_buf_t *out, const char *s, size_t at)
{
    size_t line = 1, start = 0;
    for (size_t i = 0; i < at; i++) {
        if (s[i] == '\n' || (s[i] == '\r' && !(i + 1 < at && s[i + 1] == '\n'))) {
            line++;
            start = i + 1;
        }
    }
    size_t col = 1;
    for (size_t i = start; i < at; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c & 0xC0) != 0x80 && c != '\n')
            col += c >= 0xF0 ? 2 : 1;
    }
    rn_buf_printf(out, "\n at " REDACTED "; line: %zu, column: %zu]", line, col);
}

/* Where the engine stands when it refuses a match expression's value: past
 * the value's first token, or just past the opening quote of a string (the
 * parser reads strings lazily). */
static size_t after_first_token(const char *policy, span_t v)
{
    size_t at = (size_t)(v.p - policy);
    if (v.p[0] == '"' || v.p[0] == '{' || v.p[0] == '[')
        return at + 1;
    return at + v.n;
}

static int put_msg(char *msg, size_t msglen, rn_buf_t *b)
{
    if (b->oom) {
        rn_buf_free(b);
        if (msglen)
            snprintf(msg, msglen, "out of memory");
        return RN_ERR_NOMEM;
    }
    if (msglen)
        snprintf(msg, msglen, "%s", b->data ? b->data : "");
    rn_buf_free(b);
    return RN_ERR_INVALID_PARAMETER;
}

static int fail(char *msg, size_t msglen, const char *text)
{
    if (msglen)
        snprintf(msg, msglen, "%s", text);
    return RN_ERR_INVALID_PARAMETER;
}

void sns_filter_subscribe_message(char *msg, size_t msglen)
{
    size_t pl = strlen(PREFIX), sl = strlen(SUBSCRIBE_PART), n = strlen(msg);
    if (n < pl || memcmp(msg, PREFIX, pl) != 0 || msglen == 0)
        return;
    if (n + sl + 1 > msglen)
        n = msglen - sl - 1 > pl ? msglen - sl - 1 : pl;
    memmove(msg + pl + sl, msg + pl, n - pl);
    memcpy(msg + pl, SUBSCRIBE_PART, sl);
    msg[n + sl] = 0;
}

/* ---- the operators SNS lacks ---- */

/* Match types and anything-but forms SNS does not offer: its rule engine is
 * older than EventBridge's (AWS answers "Unsupported anything-but pattern:
 * suffix" for SNS). Found in text order over any well-formed JSON, so the
 * first one can be weighed against the engine's first error. */
typedef struct dialect {
    const char *policy;
    rn_buf_t reason; /* empty until one is found */
    size_t at;       /* where the parser stands when it refuses */
    rn_buf_t key;
} dialect_t;

static void dialect_expression(dialect_t *d, span_t obj)
{
    size_t i = 1;
    span_t k, v;
    if (!obj_next(obj, &i, &k, &v))
        return;
    key_text(&d->key, k);
    const char *name = d->key.data ? d->key.data : "";
    if (!strcmp(name, "wildcard") || !strcmp(name, "exactly")) {
        rn_buf_printf(&d->reason, "Unrecognized match type %s", name);
    } else if ((!strcmp(name, "prefix") || !strcmp(name, "suffix")) && v.p[0] == '{') {
        rn_buf_printf(&d->reason, "%s match pattern must be a string", name);
    } else if (!strcmp(name, "anything-but") && v.p[0] == '{') {
        size_t j = 1;
        span_t k2, v2;
        if (!obj_next(v, &j, &k2, &v2))
            return;
        key_text(&d->key, k2);
        if (strcmp(d->key.data ? d->key.data : "", "prefix") != 0)
            rn_buf_printf(&d->reason, "Unsupported anything-but pattern: %s", d->key.data ? d->key.data : "");
        else if (v2.p[0] != '"')
            rn_buf_puts(&d->reason, "prefix match pattern must be a string");
        v = v2;
    }
    if (d->reason.len || d->reason.oom)
        d->at = after_first_token(d->policy, v);
}

static void dialect_walk(dialect_t *d, span_t obj)
{
    size_t i = 1;
    span_t k, v;
    while (!d->reason.len && !d->reason.oom && obj_next(obj, &i, &k, &v)) {
        key_text(&d->key, k);
        int is_or = d->key.len == 3 && !strcmp(d->key.data, "$or");
        if (v.p[0] == '{') {
            dialect_walk(d, v);
        } else if (v.p[0] == '[') {
            size_t j = 1;
            span_t e;
            while (!d->reason.len && arr_next(v, &j, &e))
                if (e.p[0] == '{') {
                    if (is_or)
                        dialect_walk(d, e);
                    else
                        dialect_expression(d, e);
                }
        }
    }
}

/* ---- where the engine stood, and where SNS's engine stands ---- */

/* Offset of Jackson's (line, column) in s. */
static size_t offset_of(const char *s, size_t n, size_t line, size_t col)
{
    size_t i = 0;
    for (size_t l = 1; l < line && i < n; i++)
        if (s[i] == '\n' || (s[i] == '\r' && !(i + 1 < n && s[i + 1] == '\n')))
            l++;
    for (size_t c = 1; c < col && i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if ((ch & 0xC0) != 0x80)
            c += ch >= 0xF0 ? 2 : 1;
    }
    while (i < n && ((unsigned char)s[i] & 0xC0) == 0x80)
        i++;
    return i;
}

/* SNS's engine reads differently from EventBridge's in two places (AWS's
 * recorded columns): after a field name it has already read the value's
 * first token, and a string value whose text the message does not quote was
 * not read past its opening quote. */
static size_t sns_position(const char *s, size_t n, size_t o, const char *reason)
{
    size_t b = o;
    while (b > 0 && (s[b - 1] == ' ' || s[b - 1] == '\t' || s[b - 1] == '\n' || s[b - 1] == '\r'))
        b--;
    if (b > 0 && s[b - 1] == ':') {
        size_t j = skip_ws(s, n, b);
        if (j < n)
            return after_first_token(s, (span_t){s + j, ev_json_value_len(s + j, n - j)});
        return o;
    }
    if (b != o || b == 0 || s[b - 1] != '"')
        return o;
    for (size_t i = 0; i < b; i++) { /* find the string token that ends at b - 1 */
        if (s[i] != '"')
            continue;
        size_t st = i++;
        while (i < n && s[i] != '"')
            i += s[i] == '\\' ? 2 : 1;
        if (i != b - 1)
            continue;
        if (skip_ws(s, n, b) < n && s[skip_ws(s, n, b)] == ':')
            return o; /* a field name */
        rn_buf_t text = {0};
        ev_json_unescape(&text, s + st + 1, b - 1 - st - 1);
        int quoted = text.len && text.data && strstr(reason, text.data) != NULL;
        rn_buf_free(&text);
        return quoted ? o : st + 1;
    }
    return o;
}

/* ---- SNS's own rules, checked once the engine has accepted the policy ---- */

typedef struct check {
    int scope;
    rn_buf_t msg;
    int failed;
    rn_buf_t key;   /* scratch: one unescaped key */
    rn_buf_t path;  /* dotted path of the object being walked */
    rn_buf_t leafs; /* NUL-separated distinct leaf paths */
    size_t nleafs;
} check_t;

/* Adds a leaf path to the distinct set. */
static void add_leaf(check_t *c)
{
    const char *p = c->leafs.data;
    for (size_t i = 0; i < c->nleafs; i++) {
        size_t n = strlen(p);
        if (n == c->path.len && memcmp(p, c->path.data, n) == 0)
            return;
        p += n + 1;
    }
    rn_buf_add(&c->leafs, c->path.data ? c->path.data : "", c->path.len);
    rn_buf_add(&c->leafs, "", 1);
    c->nleafs++;
}

/* Walks one object of the policy: match expressions, nesting and keys. */
static void check_object(check_t *c, span_t obj, int depth)
{
    size_t i = 1, base = c->path.len;
    span_t k, v;
    while (!c->failed && obj_next(obj, &i, &k, &v)) {
        key_text(&c->key, k);
        if (c->key.len == 3 && !strcmp(c->key.data, "$or") && v.p[0] == '[') {
            size_t j = 1;
            span_t alt;
            while (!c->failed && arr_next(v, &j, &alt))
                check_object(c, alt, depth);
            continue;
        }
        c->path.len = base;
        if (base)
            rn_buf_add(&c->path, ".", 1);
        rn_buf_add(&c->path, c->key.data, c->key.len);
        rn_buf_add(&c->path, "", 0);
        if (v.p[0] == '{') {
            if (c->scope == SNS_SCOPE_ATTRIBUTES) {
                rn_buf_puts(&c->msg, PREFIX "Filter policy scope MessageAttributes does not support nested filter policy");
                c->failed = 1;
                return;
            }
            check_object(c, v, depth + 1);
        } else {
            add_leaf(c);
        }
        c->path.len = base;
    }
}

/* The combinations AWS counts: each value array counts its length times the
 * depth of its key, arrays of one $or branch multiply, $or branches add.
 * Saturates well above the limit. */
static uint64_t combinations(span_t obj, int depth, rn_buf_t *key)
{
    const uint64_t cap = 1000000;
    uint64_t prod = 1;
    size_t i = 1;
    span_t k, v;
    while (obj_next(obj, &i, &k, &v)) {
        uint64_t f;
        key_text(key, k);
        if (key->len == 3 && !strcmp(key->data, "$or") && v.p[0] == '[') {
            size_t j = 1;
            span_t alt;
            f = 0;
            while (arr_next(v, &j, &alt))
                f += combinations(alt, depth, key);
        } else if (v.p[0] == '{') {
            f = combinations(v, depth + 1, key);
        } else {
            size_t j = 1, n = 0;
            span_t e;
            while (arr_next(v, &j, &e))
                n++;
            f = (uint64_t)depth * n;
        }
        prod = prod * (f > cap ? cap : f);
        if (prod > cap)
            prod = cap;
    }
    return prod;
}

static int check_policy(span_t root, int scope, char *msg, size_t msglen)
{
    check_t c = {.scope = scope};
    check_object(&c, root, 1);
    int r = 0;
    if (c.failed || c.msg.oom) {
        r = put_msg(msg, msglen, &c.msg);
    } else if (c.path.oom || c.leafs.oom || c.key.oom) {
        r = RN_ERR_NOMEM;
    } else if (c.nleafs > SNS_FILTER_MAX_KEYS) {
        r = fail(msg, msglen, FP "Filter policy can not have more than 5 keys");
    } else {
        uint64_t n = combinations(root, 1, &c.key);
        if (c.key.oom)
            r = RN_ERR_NOMEM;
        else if (n > SNS_FILTER_MAX_COMBINATIONS)
            r = fail(msg, msglen, FP "Filter policy is too complex");
    }
    rn_buf_free(&c.msg);
    rn_buf_free(&c.key);
    rn_buf_free(&c.path);
    rn_buf_free(&c.leafs);
    return r;
}

/* ---- the compiled filter ---- */

/* The conditions on one attribute name, from one value array. */
typedef struct sf_key {
    char *name; /* unescaped; may hold NULs */
    size_t nlen;
    int exists_true, exists_false;
    ev_pattern_t *values;  /* {"v": [every other condition]}, or NULL */
    ev_pattern_t **abut;   /* {"v": [one anything-but]} each */
    size_t nabut;
} sf_key_t;

/* One $or branch: every key must hold. */
typedef struct sf_branch {
    uint32_t *keys;
    size_t n;
} sf_branch_t;

struct sns_filter {
    int scope;
    ev_pattern_t *body; /* SNS_SCOPE_BODY */
    sf_key_t *keys;     /* SNS_SCOPE_ATTRIBUTES */
    size_t nkeys;
    sf_branch_t *branches;
    size_t nbranches;
};

int sns_filter_scope(const sns_filter_t *f)
{
    return f->scope;
}

void sns_filter_free(sns_filter_t *f)
{
    if (!f)
        return;
    ev_pattern_free(f->body);
    for (size_t i = 0; i < f->nkeys; i++) {
        rn_free(f->keys[i].name);
        ev_pattern_free(f->keys[i].values);
        for (size_t j = 0; j < f->keys[i].nabut; j++)
            ev_pattern_free(f->keys[i].abut[j]);
        rn_free(f->keys[i].abut);
    }
    rn_free(f->keys);
    for (size_t i = 0; i < f->nbranches; i++)
        rn_free(f->branches[i].keys);
    rn_free(f->branches);
    rn_free(f);
}

/* Compiles {"v": [elements]} with the engine; the parts of an accepted
 * policy compile, so any failure but memory is an internal error. */
static int compile_values(const char *elems, size_t n, ev_pattern_t **out)
{
    rn_buf_t b = {0};
    rn_buf_puts(&b, "{\"v\":[");
    rn_buf_add(&b, elems, n);
    rn_buf_puts(&b, "]}");
    if (b.oom)
        return RN_ERR_NOMEM;
    char m[256];
    int r = ev_pattern_compile(b.data, b.len, out, m, sizeof m);
    rn_buf_free(&b);
    if (r && r != RN_ERR_NOMEM)
        r = RN_ERR_INTERNAL;
    return r;
}

/* Adds the key for member (k, v) of an attribute policy; returns its index
 * or a negative error. */
static int add_key(sns_filter_t *f, size_t *cap, span_t k, span_t v)
{
    if (f->nkeys == *cap) {
        size_t nc = *cap ? *cap * 2 : 8;
        sf_key_t *nk = rn_realloc(f->keys, nc * sizeof *nk);
        if (!nk)
            return RN_ERR_NOMEM;
        f->keys = nk;
        *cap = nc;
    }
    sf_key_t *key = &f->keys[f->nkeys++];
    memset(key, 0, sizeof *key);
    rn_buf_t name = {0}, values = {0}, kb = {0};
    int r = 0;
    ev_json_unescape(&name, k.p, k.n);
    rn_buf_add(&name, "", 0);
    size_t i = 1;
    span_t e;
    while (r == 0 && arr_next(v, &i, &e)) {
        if (e.p[0] == '{') {
            size_t j = 1;
            span_t ek, ev;
            obj_next(e, &j, &ek, &ev);
            key_text(&kb, ek);
            if (kb.data && !strcmp(kb.data, "exists")) {
                if (ev.p[0] == 't')
                    key->exists_true = 1;
                else
                    key->exists_false = 1;
                continue;
            }
            if (kb.data && !strcmp(kb.data, "anything-but")) {
                ev_pattern_t **na = rn_realloc(key->abut, (key->nabut + 1) * sizeof *na);
                if (!na) {
                    r = RN_ERR_NOMEM;
                    break;
                }
                key->abut = na;
                r = compile_values(e.p, e.n, &key->abut[key->nabut]);
                if (r == 0)
                    key->nabut++;
                continue;
            }
        }
        if (values.len)
            rn_buf_add(&values, ",", 1);
        rn_buf_add(&values, e.p, e.n);
    }
    if (r == 0 && (name.oom || values.oom || kb.oom))
        r = RN_ERR_NOMEM;
    if (r == 0 && values.len)
        r = compile_values(values.data, values.len, &key->values);
    if (r == 0) {
        key->nlen = name.len;
        key->name = rn_buf_take(&name, NULL);
    }
    rn_buf_free(&name);
    rn_buf_free(&values);
    rn_buf_free(&kb);
    return r ? r : (int)(f->nkeys - 1);
}

typedef struct brlist {
    sf_branch_t *b;
    size_t n;
} brlist_t;

static void brlist_free(brlist_t *l)
{
    for (size_t i = 0; i < l->n; i++)
        rn_free(l->b[i].keys);
    rn_free(l->b);
    l->b = NULL;
    l->n = 0;
}

static int brlist_push(brlist_t *l, const uint32_t *keys, size_t n)
{
    sf_branch_t *nb = rn_realloc(l->b, (l->n + 1) * sizeof *nb);
    if (!nb)
        return RN_ERR_NOMEM;
    l->b = nb;
    uint32_t *k = rn_malloc((n + 1) * sizeof *k);
    if (!k)
        return RN_ERR_NOMEM;
    if (n)
        memcpy(k, keys, n * sizeof *k);
    l->b[l->n++] = (sf_branch_t){k, n};
    return 0;
}

/* Extends every branch in cur by the members of obj; an $or member forks
 * them, one copy per alternative. The policy has passed the limits, so there
 * are at most 150 branches. */
static int expand(sns_filter_t *f, size_t *cap, span_t obj, brlist_t *cur)
{
    size_t i = 1;
    span_t k, v;
    rn_buf_t kb = {0};
    int r = 0;
    while (r == 0 && obj_next(obj, &i, &k, &v)) {
        key_text(&kb, k);
        if (kb.len == 3 && !strcmp(kb.data, "$or") && v.p[0] == '[') {
            brlist_t acc = {0};
            size_t j = 1;
            span_t alt;
            while (r == 0 && arr_next(v, &j, &alt)) {
                brlist_t copy = {0};
                for (size_t b = 0; r == 0 && b < cur->n; b++)
                    r = brlist_push(&copy, cur->b[b].keys, cur->b[b].n);
                if (r == 0)
                    r = expand(f, cap, alt, &copy);
                for (size_t b = 0; r == 0 && b < copy.n; b++)
                    r = brlist_push(&acc, copy.b[b].keys, copy.b[b].n);
                brlist_free(&copy);
            }
            brlist_free(cur);
            *cur = acc;
            continue;
        }
        int idx = add_key(f, cap, k, v);
        if (idx < 0) {
            r = idx;
            break;
        }
        for (size_t b = 0; b < cur->n; b++) {
            uint32_t *nk = rn_realloc(cur->b[b].keys, (cur->b[b].n + 1) * sizeof *nk);
            if (!nk) {
                r = RN_ERR_NOMEM;
                break;
            }
            nk[cur->b[b].n++] = (uint32_t)idx;
            cur->b[b].keys = nk;
        }
    }
    if (r == 0 && kb.oom)
        r = RN_ERR_NOMEM;
    rn_buf_free(&kb);
    return r;
}

/* The message for an SNS-only refusal. */
static int dialect_error(const char *policy, const dialect_t *d, char *msg, size_t msglen)
{
    rn_buf_t b = {0};
    rn_buf_puts(&b, FP);
    rn_buf_add(&b, d->reason.data, d->reason.len);
    location(&b, policy, d->at);
    if (d->reason.oom)
        b.oom = 1;
    return put_msg(msg, msglen, &b);
}

/* The message for a policy the engine refuses: its short reason, and its
 * location as SNS's engine would give it; or the SNS-only refusal when that
 * comes first in the text. */
static int engine_error(const char *policy, size_t len, int r, const char *reason_msg, const dialect_t *d, char *msg,
                        size_t msglen)
{
    if (r == RN_ERR_NOMEM)
        return RN_ERR_NOMEM;
    if (r != RN_ERR_INVALID_PATTERN) {
        if (d->reason.len)
            return dialect_error(policy, d, msg, msglen);
        if (msglen)
            msg[0] = 0;
        return r; /* RN_ERR_INTERNAL: an empty anything-but list */
    }
    size_t pl = strlen(EV_PREFIX);
    const char *reason = strncmp(reason_msg, EV_PREFIX, pl) == 0 ? reason_msg + pl : reason_msg;
    size_t rl = strlen(reason);
    char *raw = rn_malloc(MSG_BUF);
    rn_buf_t src = {0}, b = {0};
    if (!raw)
        return RN_ERR_NOMEM;
    ev_pattern_t *p = NULL;
    int r2 = ev_pattern_compile_raw(policy, len, &p, raw, MSG_BUF);
    ev_pattern_free(p);
    rn_buf_puts(&src, "\n at ");
    ev_json_source(&src, policy, len);
    int copies = 0;
    size_t line = 0, col = 0;
    if (r2 == RN_ERR_INVALID_PATTERN && !src.oom && strncmp(raw, EV_PREFIX, pl) == 0 &&
        strncmp(raw + pl, reason, rl) == 0) {
        const char *suffix = raw + pl + rl, *at = suffix, *last;
        while ((at = strstr(at, src.data)) != NULL) {
            copies++;
            at += src.len;
        }
        if (copies && ((last = strrchr(suffix, ';')) == NULL ||
                       sscanf(last, "; line: %zu, column: %zu]", &line, &col) != 2))
            copies = 0;
    }
    size_t o = copies ? sns_position(policy, len, offset_of(policy, len, line, col), reason) : 0;
    if (d->reason.len && (!copies || d->at <= o)) {
        r = dialect_error(policy, d, msg, msglen);
    } else {
        rn_buf_puts(&b, FP);
        rn_buf_puts(&b, reason);
        for (int i = 0; i < copies; i++)
            location(&b, policy, o);
        r = put_msg(msg, msglen, &b);
    }
    if (r2 == RN_ERR_NOMEM || src.oom)
        r = RN_ERR_NOMEM;
    rn_free(raw);
    rn_buf_free(&src);
    rn_buf_free(&b);
    return r;
}

int sns_filter_compile(const char *policy, size_t len, int scope, sns_filter_t **out, char *msg, size_t msglen)
{
    *out = NULL;
    if (msglen)
        msg[0] = 0;
    if (scope != SNS_SCOPE_ATTRIBUTES && scope != SNS_SCOPE_BODY)
        return fail(msg, msglen, PREFIX "FilterPolicyScope");
    if (len > SNS_FILTER_MAX_BYTES)
        return fail(msg, msglen, FP "Filter policy is too large");
    char *m = rn_malloc(MSG_BUF);
    if (!m)
        return RN_ERR_NOMEM;
    ev_pattern_t *p = NULL;
    sns_filter_t *f = NULL;
    brlist_t brs = {0};
    int r = ev_json_check(policy, len, m, MSG_BUF);
    if (r) {
        if (r != RN_ERR_NOMEM) {
            rn_buf_t b = {0};
            rn_buf_puts(&b, FP "failed to parse JSON. ");
            add_redacted(&b, m, policy, len);
            r = put_msg(msg, msglen, &b);
        }
        goto out;
    }
    size_t at = skip_ws(policy, len, 0);
    span_t root = {policy + at, ev_json_value_len(policy + at, len - at)};
    dialect_t d = {.policy = policy};
    if (root.p[0] == '{')
        dialect_walk(&d, root);
    r = d.reason.oom || d.key.oom ? RN_ERR_NOMEM : ev_pattern_compile(policy, len, &p, m, MSG_BUF);
    if (r == 0 && d.reason.len)
        r = dialect_error(policy, &d, msg, msglen);
    else if (r && !d.reason.oom && !d.key.oom)
        r = engine_error(policy, len, r, m, &d, msg, msglen);
    rn_buf_free(&d.reason);
    rn_buf_free(&d.key);
    if (r || (r = check_policy(root, scope, msg, msglen)) != 0)
        goto out;
    if (!(f = rn_calloc(1, sizeof *f))) {
        r = RN_ERR_NOMEM;
        goto out;
    }
    f->scope = scope;
    if (scope == SNS_SCOPE_BODY) {
        f->body = p;
        p = NULL;
        goto out;
    }
    size_t cap = 0;
    if ((r = brlist_push(&brs, NULL, 0)) != 0 || (r = expand(f, &cap, root, &brs)) != 0)
        goto out;
    f->branches = brs.b;
    f->nbranches = brs.n;
    brs = (brlist_t){0};
out:
    if (r) {
        sns_filter_free(f);
        f = NULL;
        if (r == RN_ERR_NOMEM && msglen)
            snprintf(msg, msglen, "out of memory");
    }
    brlist_free(&brs);
    ev_pattern_free(p);
    rn_free(m);
    *out = f;
    return r;
}

/* ---- matching ---- */

enum { ATTR_ABSENT, ATTR_STRING, ATTR_NUMBER, ATTR_ARRAY };

/* The attribute's kind and StringValue; Binary and unknown types count as
 * absent (SNS ignores Binary attributes when filtering). */
static int attr_kind(const json_t *a, const char **sv, size_t *svn)
{
    if (!json_is_object(a))
        return ATTR_ABSENT;
    const char *dt = json_string_value(json_object_get(a, "DataType"));
    const json_t *v = json_object_get(a, "StringValue");
    if (!dt || !json_is_string(v))
        return ATTR_ABSENT;
    *sv = json_string_value(v);
    *svn = json_string_length(v);
    if (!strcmp(dt, "String.Array"))
        return ATTR_ARRAY;
    if (!strncmp(dt, "String", 6) && (dt[6] == 0 || dt[6] == '.'))
        return ATTR_STRING;
    if (!strncmp(dt, "Number", 6) && (dt[6] == 0 || dt[6] == '.'))
        return ATTR_NUMBER;
    return ATTR_ABSENT;
}

static int is_json_number(const char *s, size_t n)
{
    size_t i = skip_ws(s, n, 0);
    return i < n && (s[i] == '-' || (s[i] >= '0' && s[i] <= '9')) && ev_json_validate(s, n, NULL) == 0;
}

/* Runs p over {"v": value}; 1, 0, or -1 when memory runs out. */
static int test_value(const ev_pattern_t *p, const char *v, size_t n, rn_buf_t *ev)
{
    ev->len = 0;
    rn_buf_puts(ev, "{\"v\":");
    rn_buf_add(ev, v, n);
    rn_buf_puts(ev, "}");
    if (ev->oom)
        return -1;
    return ev_pattern_match(p, ev->data, ev->len);
}

/* anything-but over a String.Array: holds when no element is excluded. */
static int test_all(const ev_pattern_t *p, span_t arr, rn_buf_t *ev)
{
    size_t i = 1, n = 0;
    span_t e;
    while (arr_next(arr, &i, &e)) {
        int r = test_value(p, e.p, e.n, ev);
        if (r <= 0)
            return r;
        n++;
    }
    return n > 0;
}

static int key_match(const sf_key_t *k, const json_t *attributes)
{
    const json_t *a = attributes ? json_object_getn(attributes, k->name, k->nlen) : NULL;
    const char *sv = NULL;
    size_t svn = 0;
    int kind = attr_kind(a, &sv, &svn);
    if (kind == ATTR_ABSENT)
        return k->exists_false;
    if (k->exists_true)
        return 1;
    rn_buf_t val = {0}, ev = {0};
    span_t arr = {NULL, 0};
    if (kind == ATTR_ARRAY) {
        size_t at = skip_ws(sv, svn, 0);
        if (at < svn && sv[at] == '[' && ev_json_validate(sv, svn, NULL) == 0)
            arr = (span_t){sv + at, ev_json_value_len(sv + at, svn - at)};
        else
            return 0; /* not an array: no values to match */
        rn_buf_add(&val, arr.p, arr.n);
    } else if (kind == ATTR_NUMBER && is_json_number(sv, svn)) {
        rn_buf_add(&val, sv, svn);
    } else {
        ev_json_quote(&val, sv, svn);
    }
    int r = val.oom ? -1 : 0;
    if (r == 0 && k->values)
        r = test_value(k->values, val.data, val.len, &ev);
    for (size_t i = 0; r == 0 && i < k->nabut; i++)
        r = kind == ATTR_ARRAY ? test_all(k->abut[i], arr, &ev) : test_value(k->abut[i], val.data, val.len, &ev);
    rn_buf_free(&val);
    rn_buf_free(&ev);
    return r > 0;
}

int sns_filter_match(const sns_filter_t *f, const json_t *attributes, const char *body, size_t body_len)
{
    if (f->scope == SNS_SCOPE_BODY)
        return body && ev_pattern_match(f->body, body, body_len) == 1;
    signed char local[64], *memo = local;
    if (f->nkeys > sizeof local && !(memo = rn_malloc(f->nkeys)))
        return 0;
    memset(memo, -1, f->nkeys);
    int hit = 0;
    for (size_t b = 0; !hit && b < f->nbranches; b++) {
        const sf_branch_t *br = &f->branches[b];
        int ok = 1;
        for (size_t i = 0; ok && i < br->n; i++) {
            uint32_t k = br->keys[i];
            if (memo[k] < 0)
                memo[k] = (signed char)key_match(&f->keys[k], attributes);
            ok = memo[k];
        }
        hit = ok;
    }
    if (memo != local)
        rn_free(memo);
    return hit;
}
