/* SPDX-License-Identifier: MIT
 * YAML templates: libyaml's event parser builds the same JSON tree a JSON
 * template gives. CloudFormation's short-form tags become their long forms
 * (`!Ref X` is {"Ref": "X"}, `!GetAtt A.B` is {"Fn::GetAtt": ["A", "B"]},
 * `!Sub` on a scalar or a sequence is {"Fn::Sub": ...}); plain scalars take
 * the types CloudFormation reads: YAML 1.1's booleans (true, yes, on, false,
 * no, off in their three cases), null, and integers only when the number
 * prints back as the same text, so "0123", "1.10" and numbers too big for
 * 64 bits stay strings, exactly as written. Anchors and aliases are
 * shared JSON values; an alias counts its whole subtree against a budget,
 * so an alias bomb is refused instead of exploding later copies. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "cloudformation/tmpl_int.h"
#include "core/mem.h"

/* Nodes that aliases may add in all (the body itself is under 1 MB). */
#define YAML_ALIAS_BUDGET 100000
#define YAML_MAX_ANCHORS  1000 /* each alias searches them all */

typedef struct frame {
    json_t *node;     /* the mapping or sequence being built */
    char *key;        /* a mapping's pending key (rn_malloc), or NULL */
    char *tag;        /* the node's tag (rn_malloc), or NULL */
    char *anchor;     /* the node's anchor (rn_malloc), or NULL */
    size_t weight_at; /* nodes counted when it began */
} frame_t;

typedef struct anchor {
    char *name;
    json_t *node;
    size_t weight;
} anchor_t;

typedef struct builder {
    frame_t stack[CFN_MAX_DEPTH + 1];
    int depth;
    anchor_t *anchors;
    size_t nanchors;
    size_t weight;       /* nodes made, aliases counted with their subtrees */
    size_t alias_weight; /* the part aliases added */
    json_t *root;
} builder_t;

static char *dup_or_null(const yaml_char_t *s)
{
    return s ? rn_strdup((const char *)s) : NULL;
}

/* The long form of a short-form tag ("!Ref" -> "Ref", "!Sub" -> "Fn::Sub"),
 * written into buf; NULL when the tag is not a local one. */
static const char *function_name(const char *tag, char *buf, size_t buflen)
{
    if (!tag || tag[0] != '!' || !tag[1] || tag[1] == '!')
        return NULL;
    if (strcmp(tag, "!Ref") == 0 || strcmp(tag, "!Condition") == 0)
        snprintf(buf, buflen, "%s", tag + 1);
    else
        snprintf(buf, buflen, "Fn::%s", tag + 1);
    return buf;
}

/* Wraps a finished node in its function when its tag is a short form.
 * Takes ownership of v; returns a new value or NULL when out of memory. */
static json_t *apply_tag(const char *tag, json_t *v)
{
    char fn[128];
    if (!function_name(tag, fn, sizeof fn))
        return v;
    if (strcmp(fn, "Fn::GetAtt") == 0 && json_is_string(v)) {
        const char *s = json_string_value(v), *dot = strchr(s, '.');
        if (dot) {
            json_t *pair = json_pack("[s#s]", s, (int)(dot - s), dot + 1);
            json_decref(v);
            v = pair;
            if (!v)
                return NULL;
        }
    }
    json_t *o = json_object();
    if (!o || json_object_set_new(o, fn, v)) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static int all_digits(const char *s, size_t n)
{
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

/* A plain scalar as CloudFormation types it; the text is kept as a string
 * whenever the typed value would not print back as the same text. */
static json_t *plain_scalar(const char *s, size_t n)
{
    if (n == 0 || (n == 1 && s[0] == '~') || strcmp(s, "null") == 0 || strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0)
        return json_null();
    /* YAML 1.1's booleans, as CloudFormation reads them: an unquoted YES
     * tag value arrives as "true" */
    static const char *const yes[] = {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON", NULL};
    static const char *const no[] = {"false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF", NULL};
    for (int i = 0; yes[i]; i++) {
        if (strcmp(s, yes[i]) == 0)
            return json_true();
        if (strcmp(s, no[i]) == 0)
            return json_false();
    }
    const char *d = s[0] == '-' ? s + 1 : s;
    if (all_digits(d, n - (size_t)(d - s)) && n < 21) {
        errno = 0;
        long long v = strtoll(s, NULL, 10);
        char back[32];
        snprintf(back, sizeof back, "%lld", v);
        if (errno == 0 && strcmp(back, s) == 0)
            return json_integer(v);
    }
    return json_stringn(s, n);
}

static json_t *scalar_value(const yaml_event_t *e)
{
    const char *s = (const char *)e->data.scalar.value, *tag = (const char *)e->data.scalar.tag;
    size_t n = e->data.scalar.length;
    int plain = e->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
    if (tag && strncmp(tag, "tag:yaml.org,2002:", 18) == 0 && strcmp(tag + 18, "str") != 0)
        plain = 1; /* !!int, !!bool, !!null ...: typed as a plain scalar would be */
    else if (tag)
        plain = 0; /* !!str, "!" and the function tags: the text itself */
    return plain ? plain_scalar(s, n) : json_stringn(s, n);
}

static int fail_at(const yaml_mark_t *m, char *msg, size_t msglen)
{
    snprintf(msg, msglen, "Template format error: YAML not well-formed. (line %zu, column %zu)", m->line + 1,
             m->column + 1);
    return -1;
}

static int remember_anchor(builder_t *b, const char *name, json_t *node, size_t weight)
{
    if (!name)
        return 0;
    if (b->nanchors >= YAML_MAX_ANCHORS)
        return -1;
    anchor_t *a = rn_realloc(b->anchors, (b->nanchors + 1) * sizeof *a);
    if (!a)
        return -1;
    b->anchors = a;
    a[b->nanchors].name = rn_strdup(name);
    if (!a[b->nanchors].name)
        return -1;
    a[b->nanchors].node = json_incref(node);
    a[b->nanchors].weight = weight;
    b->nanchors++;
    return 0;
}

static const anchor_t *find_anchor(const builder_t *b, const char *name)
{
    for (size_t i = b->nanchors; i-- > 0;) /* the latest definition wins */
        if (strcmp(b->anchors[i].name, name) == 0)
            return &b->anchors[i];
    return NULL;
}

/* Puts a finished value (stolen) where it belongs: the root, the next
 * element of a sequence, a mapping's key or its value. */
static int place(builder_t *b, json_t *v, const yaml_mark_t *m, char *msg, size_t msglen)
{
    if (b->depth == 0) {
        if (b->root) {
            json_decref(v);
            return fail_at(m, msg, msglen);
        }
        b->root = v;
        return 0;
    }
    frame_t *f = &b->stack[b->depth - 1];
    if (json_is_array(f->node))
        return json_array_append_new(f->node, v) ? -1 : 0;
    if (!f->key) {
        char num[64];
        const char *k = json_string_value(v);
        if (!k && (json_is_integer(v) || json_is_boolean(v) || json_is_null(v))) {
            /* a plain key such as 404 or true is still its text */
            if (json_is_integer(v))
                snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
            else
                snprintf(num, sizeof num, "%s", json_is_null(v) ? "" : json_is_true(v) ? "true" : "false");
            k = num;
        }
        if (!k) {
            json_decref(v);
            return fail_at(m, msg, msglen); /* a mapping or sequence as a key */
        }
        f->key = rn_strdup(k);
        json_decref(v);
        return f->key ? 0 : -1;
    }
    int rc = json_object_set_new(f->node, f->key, v);
    rn_free(f->key);
    f->key = NULL;
    return rc ? -1 : 0;
}

static void frame_free(frame_t *f)
{
    json_decref(f->node);
    rn_free(f->key);
    rn_free(f->tag);
    rn_free(f->anchor);
    memset(f, 0, sizeof *f);
}

/* Scalars keep the key text exact: a mapping key is never typed. */
static int on_scalar(builder_t *b, const yaml_event_t *e, char *msg, size_t msglen)
{
    frame_t *f = b->depth ? &b->stack[b->depth - 1] : NULL;
    int is_key = f && json_is_object(f->node) && !f->key;
    json_t *v = is_key ? json_stringn((const char *)e->data.scalar.value, e->data.scalar.length) : scalar_value(e);
    if (!v)
        return -1;
    b->weight++;
    if (!is_key)
        v = apply_tag((const char *)e->data.scalar.tag, v);
    if (!v)
        return -1;
    if (remember_anchor(b, (const char *)e->data.scalar.anchor, v, 1)) {
        json_decref(v);
        return -1;
    }
    return place(b, v, &e->start_mark, msg, msglen);
}

static int on_start(builder_t *b, const yaml_event_t *e, int mapping, char *msg, size_t msglen)
{
    if (b->depth >= CFN_MAX_DEPTH)
        return fail_at(&e->start_mark, msg, msglen);
    frame_t *f = &b->stack[b->depth];
    memset(f, 0, sizeof *f);
    f->node = mapping ? json_object() : json_array();
    f->tag = dup_or_null(mapping ? e->data.mapping_start.tag : e->data.sequence_start.tag);
    f->anchor = dup_or_null(mapping ? e->data.mapping_start.anchor : e->data.sequence_start.anchor);
    f->weight_at = b->weight++;
    b->depth++;
    return f->node ? 0 : -1;
}

static int on_end(builder_t *b, const yaml_event_t *e, char *msg, size_t msglen)
{
    frame_t *f = &b->stack[--b->depth];
    json_t *v = apply_tag(f->tag, f->node);
    f->node = NULL;
    int rc = v ? 0 : -1;
    if (rc == 0 && remember_anchor(b, f->anchor, v, b->weight - f->weight_at))
        rc = -1;
    frame_free(f);
    if (rc) {
        json_decref(v);
        return -1;
    }
    return place(b, v, &e->start_mark, msg, msglen);
}

static int on_alias(builder_t *b, const yaml_event_t *e, char *msg, size_t msglen)
{
    const anchor_t *a = find_anchor(b, (const char *)e->data.alias.anchor);
    if (!a)
        return fail_at(&e->start_mark, msg, msglen);
    b->weight += a->weight;
    b->alias_weight += a->weight;
    if (b->alias_weight > YAML_ALIAS_BUDGET) {
        snprintf(msg, msglen,
                 "Template format error: YAML aliases expand to more than %d nodes. (line %zu, column %zu)",
                 YAML_ALIAS_BUDGET, e->start_mark.line + 1, e->start_mark.column + 1);
        return -1;
    }
    return place(b, json_incref(a->node), &e->start_mark, msg, msglen);
}

int cfn_yaml_parse(const char *text, size_t len, json_t **out, char *msg, size_t msglen)
{
    yaml_parser_t p;
    builder_t *b = rn_calloc(1, sizeof *b);
    int rc = -1, done = 0, docs = 0;
    *out = NULL;
    msg[0] = 0;
    if (!b || !yaml_parser_initialize(&p)) {
        rn_free(b);
        snprintf(msg, msglen, "Template format error: out of memory reading the template");
        return -1;
    }
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    while (!done) {
        yaml_event_t e;
        if (!yaml_parser_parse(&p, &e)) {
            fail_at(&p.problem_mark, msg, msglen);
            goto out;
        }
        int erc = 0;
        switch (e.type) {
        case YAML_DOCUMENT_START_EVENT:
            if (++docs > 1)
                erc = fail_at(&e.start_mark, msg, msglen);
            break;
        case YAML_SCALAR_EVENT: erc = on_scalar(b, &e, msg, msglen); break;
        case YAML_SEQUENCE_START_EVENT: erc = on_start(b, &e, 0, msg, msglen); break;
        case YAML_MAPPING_START_EVENT: erc = on_start(b, &e, 1, msg, msglen); break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT: erc = on_end(b, &e, msg, msglen); break;
        case YAML_ALIAS_EVENT: erc = on_alias(b, &e, msg, msglen); break;
        case YAML_STREAM_END_EVENT: done = 1; break;
        default: break;
        }
        yaml_event_delete(&e);
        if (erc) {
            if (!msg[0])
                snprintf(msg, msglen, "Template format error: out of memory reading the template");
            goto out;
        }
    }
    if (!json_is_object(b->root)) {
        snprintf(msg, msglen, "Template format error: unsupported structure.");
        goto out;
    }
    *out = b->root;
    b->root = NULL;
    rc = 0;
out:
    while (b->depth > 0)
        frame_free(&b->stack[--b->depth]);
    for (size_t i = 0; i < b->nanchors; i++) {
        rn_free(b->anchors[i].name);
        json_decref(b->anchors[i].node);
    }
    rn_free(b->anchors);
    json_decref(b->root);
    rn_free(b);
    yaml_parser_delete(&p);
    return rc;
}
