/* SPDX-License-Identifier: MIT
 * Target input transformation: compile a target's Input / InputPath /
 * InputTransformer once at PutTargets, render it per delivery over the raw
 * event text (so numbers and strings come back byte for byte).
 *
 * The rules, from AWS's user guide ("Amazon EventBridge input
 * transformation"), the API reference, the botocore model, and responses
 * recorded against AWS (LocalStack's validated snapshots) where the guide is
 * silent:
 * - A template whose first non-blank character is '{' is a JSON template;
 *   anything else ('"quoted text"', '[...]', plain text) is a text template.
 * - A placeholder is <name> with name in [A-Za-z0-9_.-]+; other '<' are text.
 *   Every placeholder must be an InputPathsMap key or one of aws.events.*.
 * - Text template: a string value goes in without quotes or escapes, other
 *   scalars as written, objects/arrays minified with their strings' quotes
 *   dropped ({acc_id:0a78,sf_id:baz}), a missing path as nothing.
 * - JSON template, placeholder outside quotes: the value's JSON (strings
 *   keep their quotes), a missing path as "". Inside quotes: a string's
 *   escaped body, other values' raw JSON, a missing path as nothing; if the
 *   result is not valid JSON (an object inside quotes) nothing is delivered.
 * - aws.events.event is the envelope without detail, detail-type renamed
 *   detailType; aws.events.event.json is the whole envelope. Both are JSON
 *   only: a text template using them is refused at PutTargets. */
#include "pattern/pattern.h"

#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "core/mem.h"

enum { T_INPUT, T_PATH, T_TEMPLATE };
enum { VAR_PATH, VAR_RULE_ARN, VAR_RULE_NAME, VAR_INGESTION, VAR_EVENT, VAR_EVENT_JSON };

#define INPUT_MAX 8192
#define PATH_MAX_LEN 256
#define TEMPLATE_MAX 8192
#define PATHS_MAP_MAX 100
#define KEY_MAX 256
#define JACKSON_SOURCE_MAX 500

typedef struct var {
    int kind;
    char *name;
    ev_jsonpath_t *path; /* VAR_PATH */
} var_t;

typedef struct seg {
    size_t off, len; /* literal text of the template */
    int var;         /* index into vars, or -1 for literal text */
    int in_string;   /* JSON template: the placeholder sits inside quotes */
} seg_t;

struct ev_transform {
    int kind;
    char *text; /* Input, or the template */
    size_t text_len;
    ev_jsonpath_t *path; /* InputPath */
    int json_mode;
    var_t *vars;
    size_t nvars;
    seg_t *segs;
    size_t nsegs;
};

static const struct {
    const char *name;
    int kind;
} predefined[] = {
    {"aws.events.rule-arn", VAR_RULE_ARN},
    {"aws.events.rule-name", VAR_RULE_NAME},
    {"aws.events.event.ingestion-time", VAR_INGESTION},
    {"aws.events.event", VAR_EVENT},
    {"aws.events.event.json", VAR_EVENT_JSON},
};
#define NPREDEFINED (sizeof predefined / sizeof predefined[0])

void ev_transform_free(ev_transform_t *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->nvars; i++) {
        rn_free(t->vars[i].name);
        ev_jsonpath_free(t->vars[i].path);
    }
    rn_free(t->vars);
    rn_free(t->segs);
    ev_jsonpath_free(t->path);
    rn_free(t->text);
    rn_free(t);
}

/* ---- request-model constraints -------------------------------------------- */

/* Length as Java counts it (UTF-16 code units), which is what the model's
 * min/max constrain. */
static size_t utf16_len(const char *s)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p & 0xC0) == 0x80)
            continue;
        n += *p >= 0xF0 ? 2 : 1;
    }
    return n;
}

static int key_pattern_ok(const char *k)
{
    if (!*k)
        return 0;
    for (; *k; k++) {
        char c = *k;
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

static void violation(rn_buf_t *errs, int *count, const char *value, int quoted, int index, const char *member,
                      const char *constraint)
{
    if ((*count)++)
        rn_buf_puts(errs, "; ");
    rn_buf_puts(errs, "Value ");
    if (quoted)
        rn_buf_printf(errs, "'%s'", value);
    else
        rn_buf_puts(errs, value);
    rn_buf_printf(errs, " at 'targets.%d.member.%s' failed to satisfy constraint: %s", index, member, constraint);
}

/* Java's Map.toString(), which is how the model layer prints a map value. */
static void map_string(rn_buf_t *b, const json_t *map)
{
    const char *k;
    json_t *v;
    int first = 1;
    rn_buf_puts(b, "{");
    json_object_foreach((json_t *)map, k, v)
    {
        rn_buf_printf(b, "%s%s=%s", first ? "" : ", ", k, json_string_value(v));
        first = 0;
    }
    rn_buf_puts(b, "}");
}

static int transformer_members(const json_t *it, const json_t **paths, const json_t **tmpl)
{
    *paths = *tmpl = NULL;
    if (!json_is_object(it))
        return RN_ERR_SERIALIZATION;
    const json_t *m = json_object_get(it, "InputPathsMap");
    if (m && !json_is_null(m)) {
        if (!json_is_object(m))
            return RN_ERR_SERIALIZATION;
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)m, k, v)
        {
            if (!json_is_string(v))
                return RN_ERR_SERIALIZATION;
        }
        *paths = m;
    }
    const json_t *t = json_object_get(it, "InputTemplate");
    if (t && !json_is_null(t)) {
        if (!json_is_string(t))
            return RN_ERR_SERIALIZATION;
        *tmpl = t;
    }
    return 0;
}

int ev_transform_constraints(int index, const char *input, const char *input_path, const json_t *input_transformer,
                             rn_buf_t *errs)
{
    int count = 0;
    char c[128];
    snprintf(c, sizeof c, "Member must have length less than or equal to %d", INPUT_MAX);
    if (input && utf16_len(input) > INPUT_MAX)
        violation(errs, &count, input, 1, index, "input", c);
    if (input_path && utf16_len(input_path) > PATH_MAX_LEN) {
        snprintf(c, sizeof c, "Member must have length less than or equal to %d", PATH_MAX_LEN);
        violation(errs, &count, input_path, 1, index, "inputPath", c);
    }
    if (!input_transformer || json_is_null(input_transformer))
        return count;
    const json_t *paths, *tmpl;
    int rc = transformer_members(input_transformer, &paths, &tmpl);
    if (rc < 0)
        return rc;
    if (paths) {
        rn_buf_t shown = {0};
        map_string(&shown, paths);
        const char *sv = shown.data ? shown.data : "{}";
        if (json_object_size(paths) > PATHS_MAP_MAX) {
            snprintf(c, sizeof c, "Member must have length less than or equal to %d", PATHS_MAP_MAX);
            violation(errs, &count, sv, 1, index, "inputTransformer.inputPathsMap", c);
        }
        int key_long = 0, key_empty = 0, key_pattern = 0, val_long = 0;
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)paths, k, v)
        {
            key_long |= utf16_len(k) > KEY_MAX;
            key_empty |= !*k;
            key_pattern |= !key_pattern_ok(k);
            val_long |= utf16_len(json_string_value(v)) > PATH_MAX_LEN;
        }
        if (key_long || key_empty || key_pattern) {
            rn_buf_t cs = {0};
            rn_buf_puts(&cs, "Map keys must satisfy constraint: [");
            const char *sep = "";
            if (key_long) {
                rn_buf_printf(&cs, "%sMember must have length less than or equal to %d", sep, KEY_MAX);
                sep = ", ";
            }
            if (key_empty) {
                rn_buf_printf(&cs, "%sMember must have length greater than or equal to 1", sep);
                sep = ", ";
            }
            if (key_pattern)
                rn_buf_printf(&cs, "%sMember must satisfy regular expression pattern: [A-Za-z0-9\\_\\-]+", sep);
            rn_buf_puts(&cs, "]");
            violation(errs, &count, sv, 1, index, "inputTransformer.inputPathsMap", cs.data ? cs.data : "");
            rn_buf_free(&cs);
        }
        if (val_long) {
            snprintf(c, sizeof c, "Map value must satisfy constraint: [Member must have length less than or equal to %d]",
                     PATH_MAX_LEN);
            violation(errs, &count, sv, 1, index, "inputTransformer.inputPathsMap", c);
        }
        rn_buf_free(&shown);
    }
    if (!tmpl) {
        violation(errs, &count, "null", 0, index, "inputTransformer.inputTemplate", "Member must not be null");
    } else {
        size_t l = utf16_len(json_string_value(tmpl));
        if (l > TEMPLATE_MAX) {
            snprintf(c, sizeof c, "Member must have length less than or equal to %d", TEMPLATE_MAX);
            violation(errs, &count, json_string_value(tmpl), 1, index, "inputTransformer.inputTemplate", c);
        } else if (l < 1) {
            violation(errs, &count, "", 1, index, "inputTransformer.inputTemplate",
                      "Member must have length greater than or equal to 1");
        }
    }
    return errs->oom ? RN_ERR_NOMEM : count;
}

/* ---- service checks and compilation -------------------------------------- */

/* The location part of a Jackson parse error, which AWS quotes verbatim:
 * [Source: (String)"<input, first 500 chars>"; line: L, column: C]. */
static void jackson_location(char *msg, size_t msglen, const char *id, const char *s, size_t err_at)
{
    size_t line = 1, col = 1, chars = 0, cut = 0, total = 0;
    for (size_t i = 0; s[i]; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c & 0xC0) == 0x80)
            continue;
        size_t w = c >= 0xF0 ? 2 : 1;
        if (i < err_at) {
            if (c == '\n' || (c == '\r' && s[i + 1] != '\n')) {
                line++;
                col = 1;
            } else if (c != '\r') {
                col += w;
            }
        }
        if (chars + w <= JACKSON_SOURCE_MAX) {
            chars += w;
            cut = i + 1;
            while (((unsigned char)s[cut] & 0xC0) == 0x80)
                cut++;
        }
        total += w;
    }
    char trunc[48] = "";
    if (total > chars)
        snprintf(trunc, sizeof trunc, "[truncated %zu chars]", total - chars);
    snprintf(msg, msglen, "JSON syntax error in input for target %s: [Source: (String)\"%.*s\"%s; line: %zu, column: %zu]",
             id, (int)cut, s, trunc, line, col);
}

static int predefined_kind(const char *name, size_t n)
{
    for (size_t i = 0; i < NPREDEFINED; i++)
        if (strlen(predefined[i].name) == n && memcmp(predefined[i].name, name, n) == 0)
            return predefined[i].kind;
    return -1;
}

static int is_placeholder_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
           c == '-';
}

static int add_seg(ev_transform_t *t, size_t *cap, seg_t s)
{
    if (s.var < 0 && s.len == 0)
        return 0;
    if (t->nsegs == *cap) {
        size_t nc = *cap ? *cap * 2 : 8;
        seg_t *ns = rn_realloc(t->segs, nc * sizeof *ns);
        if (!ns)
            return RN_ERR_NOMEM;
        t->segs = ns;
        *cap = nc;
    }
    t->segs[t->nsegs++] = s;
    return 0;
}

/* Finds or adds the variable for placeholder name[0..n). */
static int var_for(ev_transform_t *t, const json_t *paths, const char *name, size_t n, int *idx, const char *id,
                   char *msg, size_t msglen)
{
    for (size_t i = 0; i < t->nvars; i++) {
        if (strlen(t->vars[i].name) == n && memcmp(t->vars[i].name, name, n) == 0) {
            *idx = (int)i;
            return 0;
        }
    }
    char *nm = rn_strndup(name, n);
    if (!nm)
        return RN_ERR_NOMEM;
    int kind = predefined_kind(name, n);
    const json_t *pv = paths ? json_object_get(paths, nm) : NULL;
    if (kind < 0 && !pv) {
        snprintf(msg, msglen, "InputTemplate for target %s contains invalid placeholder %s.", id, nm);
        rn_free(nm);
        return RN_ERR_VALIDATION;
    }
    if ((kind == VAR_EVENT || kind == VAR_EVENT_JSON) && !t->json_mode) {
        snprintf(msg, msglen, "InputTemplate for target %s contains placeholder %s valid only for JSON template.", id,
                 nm);
        rn_free(nm);
        return RN_ERR_VALIDATION;
    }
    var_t v = {kind < 0 ? VAR_PATH : kind, nm, NULL};
    if (v.kind == VAR_PATH) {
        int rc = ev_jsonpath_compile(json_string_value(pv), &v.path);
        if (rc < 0) { /* every path was checked before; only NOMEM is left */
            rn_free(nm);
            return rc;
        }
    }
    var_t *nv = rn_realloc(t->vars, (t->nvars + 1) * sizeof *nv);
    if (!nv) {
        ev_jsonpath_free(v.path);
        rn_free(nm);
        return RN_ERR_NOMEM;
    }
    t->vars = nv;
    t->vars[t->nvars] = v;
    *idx = (int)t->nvars++;
    return 0;
}

/* Splits the template into literal runs and placeholders, noting for a JSON
 * template whether each placeholder sits inside a string. */
static int compile_template(ev_transform_t *t, const json_t *paths, const char *id, char *msg, size_t msglen)
{
    const char *s = t->text;
    size_t n = t->text_len, cap = 0, lit = 0, i = 0;
    size_t first = 0;
    while (first < n && (s[first] == ' ' || s[first] == '\t' || s[first] == '\n' || s[first] == '\r'))
        first++;
    t->json_mode = first < n && s[first] == '{';
    int in_string = 0;
    while (i < n) {
        char c = s[i];
        if (t->json_mode && in_string && c == '\\') {
            i += 2;
            continue;
        }
        if (t->json_mode && c == '"') {
            in_string = !in_string;
            i++;
            continue;
        }
        if (c != '<') {
            i++;
            continue;
        }
        size_t j = i + 1;
        while (j < n && is_placeholder_char(s[j]))
            j++;
        if (j == i + 1 || j >= n || s[j] != '>') {
            i++;
            continue;
        }
        int idx, rc;
        if ((rc = add_seg(t, &cap, (seg_t){lit, i - lit, -1, 0})) < 0)
            return rc;
        if ((rc = var_for(t, paths, s + i + 1, j - i - 1, &idx, id, msg, msglen)) < 0)
            return rc;
        if ((rc = add_seg(t, &cap, (seg_t){0, 0, idx, in_string})) < 0)
            return rc;
        i = lit = j + 1;
    }
    return add_seg(t, &cap, (seg_t){lit, (i > n ? n : i) - lit, -1, 0});
}

int ev_transform_compile_target(const char *target_id, int index, const char *input, const char *input_path,
                                const json_t *input_transformer, ev_transform_t **out, char *msg, size_t msglen)
{
    const char *id = target_id ? target_id : "";
    *out = NULL;
    if (msglen)
        msg[0] = '\0';
    if (json_is_null(input_transformer))
        input_transformer = NULL;

    rn_buf_t errs = {0};
    int rc = ev_transform_constraints(index, input, input_path, input_transformer, &errs);
    if (rc > 0)
        snprintf(msg, msglen, "%d validation error%s detected: %s", rc, rc == 1 ? "" : "s",
                 errs.data ? errs.data : "");
    else if (rc == RN_ERR_SERIALIZATION)
        snprintf(msg, msglen, "InputTransformer for target %s is not a structure of InputPathsMap (a map of "
                              "strings) and InputTemplate (a string).", id);
    rn_buf_free(&errs);
    if (rc > 0)
        return RN_ERR_VALIDATION;
    if (rc < 0)
        return rc;

    if ((input != NULL) + (input_path != NULL) + (input_transformer != NULL) > 1) {
        snprintf(msg, msglen, "Only one of Input, InputPath, or InputTransformer must be provided for target %s.", id);
        return RN_ERR_VALIDATION;
    }
    if (!input && !input_path && !input_transformer)
        return 0;

    ev_transform_t *t = rn_calloc(1, sizeof *t);
    if (!t)
        return RN_ERR_NOMEM;
    if (input) {
        size_t err_at;
        if (ev_json_validate(input, strlen(input), &err_at) < 0) {
            jackson_location(msg, msglen, id, input, err_at);
            rc = RN_ERR_VALIDATION;
            goto out;
        }
        t->kind = T_INPUT;
        t->text = rn_strdup(input);
        t->text_len = strlen(input);
        rc = t->text ? 0 : RN_ERR_NOMEM;
        goto out;
    }
    if (input_path) {
        t->kind = T_PATH;
        rc = ev_jsonpath_compile(input_path, &t->path);
        if (rc == RN_ERR_VALIDATION)
            snprintf(msg, msglen, "InputPath for target %s is invalid.", id);
        goto out;
    }
    const json_t *paths, *tmpl;
    transformer_members(input_transformer, &paths, &tmpl); /* types checked above */
    if (paths) {
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)paths, k, v)
        {
            ev_jsonpath_t *p;
            rc = ev_jsonpath_compile(json_string_value(v), &p);
            ev_jsonpath_free(p);
            if (rc == RN_ERR_VALIDATION)
                snprintf(msg, msglen, "InputPath for target %s is invalid.", id);
            if (rc < 0)
                goto out;
        }
    }
    t->kind = T_TEMPLATE;
    t->text = rn_strdup(json_string_value(tmpl));
    if (!t->text) {
        rc = RN_ERR_NOMEM;
        goto out;
    }
    t->text_len = strlen(t->text);
    rc = compile_template(t, paths, id, msg, msglen);
out:
    if (rc < 0) {
        ev_transform_free(t);
        return rc;
    }
    *out = t;
    return 0;
}

int ev_transform_compile(const char *input, const char *input_path, const json_t *input_transformer,
                         ev_transform_t **out, char *msg, size_t msglen)
{
    return ev_transform_compile_target(NULL, 1, input, input_path, input_transformer, out, msg, msglen);
}

/* ---- rendering ------------------------------------------------------------- */

/* Appends s's JSON-escaped body, i.e. what goes between the quotes. */
static void quoted_body(rn_buf_t *b, const char *s)
{
    rn_buf_t q = {0};
    ev_json_quote(&q, s, strlen(s));
    if (q.oom)
        b->oom = 1;
    else
        rn_buf_add(b, q.data + 1, q.len - 2);
    rn_buf_free(&q);
}

static void render_string(rn_buf_t *b, const char *s, int json_mode, int in_string)
{
    s = s ? s : "";
    if (!json_mode)
        rn_buf_puts(b, s);
    else if (in_string)
        quoted_body(b, s);
    else
        ev_json_quote(b, s, strlen(s));
}

/* aws.events.event: the envelope without detail, with detail-type renamed
 * detailType, members in the order AWS was recorded emitting them. */
static void render_event(rn_buf_t *b, const char *ev, size_t n)
{
    static const char *const order[] = {"id", "account", "detail-type", "time", "source", "region", "resources",
                                        "version"};
    size_t i = 0;
    while (i < n && (ev[i] == ' ' || ev[i] == '\t' || ev[i] == '\n' || ev[i] == '\r'))
        i++;
    const char *obj = ev + i;
    size_t on = ev_json_value_len(obj, n - i);
    int first = 1;
    rn_buf_add(b, "{", 1);
    for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
        const char *vp;
        size_t vn;
        if (!ev_json_member(obj, on, order[k], strlen(order[k]), &vp, &vn))
            continue;
        rn_buf_printf(b, "%s\"%s\":", first ? "" : ",", k == 2 ? "detailType" : order[k]);
        ev_json_minify(b, vp, vn);
        first = 0;
    }
    /* other top-level members (e.g. replay-name), in their own order */
    if (on > 1 && obj[0] == '{') {
        size_t j = 1;
        for (;;) {
            while (j < on && (obj[j] == ' ' || obj[j] == '\t' || obj[j] == '\n' || obj[j] == '\r' || obj[j] == ','))
                j++;
            if (j >= on || obj[j] != '"')
                break;
            size_t kl = ev_json_value_len(obj + j, on - j);
            const char *key = obj + j;
            j += kl;
            while (j < on && obj[j] != ':')
                j++;
            j++;
            while (j < on && (obj[j] == ' ' || obj[j] == '\t' || obj[j] == '\n' || obj[j] == '\r'))
                j++;
            size_t vl = ev_json_value_len(obj + j, on - j);
            rn_buf_t kb = {0};
            ev_json_unescape(&kb, key + 1, kl >= 2 ? kl - 2 : 0);
            int known = !kb.data || strcmp(kb.data, "detail") == 0;
            for (size_t k = 0; k < sizeof order / sizeof order[0] && !known; k++)
                known = strcmp(kb.data, order[k]) == 0;
            rn_buf_free(&kb);
            if (!known) {
                if (!first)
                    rn_buf_add(b, ",", 1);
                rn_buf_add(b, key, kl);
                rn_buf_add(b, ":", 1);
                ev_json_minify(b, obj + j, vl);
                first = 0;
            }
            j += vl;
        }
    }
    rn_buf_add(b, "}", 1);
}

static int render_var(rn_buf_t *b, const ev_transform_t *t, const var_t *v, int in_string, const char *ev, size_t n,
                      const ev_transform_ctx_t *ctx)
{
    switch (v->kind) {
    case VAR_RULE_ARN:
        render_string(b, ctx ? ctx->rule_arn : NULL, t->json_mode, in_string);
        return 0;
    case VAR_RULE_NAME:
        render_string(b, ctx ? ctx->rule_name : NULL, t->json_mode, in_string);
        return 0;
    case VAR_INGESTION:
        render_string(b, ctx ? ctx->ingestion_time : NULL, t->json_mode, in_string);
        return 0;
    case VAR_EVENT:
        render_event(b, ev, n);
        return 0;
    case VAR_EVENT_JSON:
        ev_json_minify(b, ev, n);
        return 0;
    default:
        break;
    }
    ev_json_value_t val;
    int rc = ev_jsonpath_eval(v->path, ev, n, &val);
    if (rc < 0)
        return rc;
    if (!val.found) {
        if (t->json_mode && !in_string)
            rn_buf_add(b, "\"\"", 2);
    } else if (!t->json_mode) {
        ev_json_text(b, val.p, val.n);
    } else if (in_string && val.p[0] == '"') {
        rn_buf_add(b, val.p + 1, val.n - 2); /* already escaped as sent */
    } else {
        ev_json_minify(b, val.p, val.n);
    }
    ev_json_value_release(&val);
    return 0;
}

int ev_transform_apply(const ev_transform_t *t, const char *event, size_t len, const ev_transform_ctx_t *ctx,
                       char **out, size_t *outlen)
{
    *out = NULL;
    if (outlen)
        *outlen = 0;
    if (ev_json_validate(event, len, NULL) < 0)
        return RN_ERR_SERIALIZATION;
    rn_buf_t b = {0};
    int rc = 0;
    if (t->kind == T_INPUT) {
        rn_buf_add(&b, t->text, t->text_len);
    } else if (t->kind == T_PATH) {
        ev_json_value_t v;
        rc = ev_jsonpath_eval(t->path, event, len, &v);
        if (rc == 0 && !v.found)
            rc = RN_ERR_NOT_FOUND;
        if (rc == 0)
            ev_json_minify(&b, v.p, v.n);
        ev_json_value_release(&v);
    } else {
        for (size_t i = 0; i < t->nsegs && rc == 0; i++) {
            const seg_t *s = &t->segs[i];
            if (s->var < 0)
                rn_buf_add(&b, t->text + s->off, s->len);
            else
                rc = render_var(&b, t, &t->vars[s->var], s->in_string, event, len, ctx);
        }
        if (rc == 0 && !b.oom && t->json_mode && ev_json_validate(b.data ? b.data : "", b.len, NULL) < 0)
            rc = RN_ERR_VALIDATION;
    }
    if (rc == 0 && b.oom)
        rc = RN_ERR_NOMEM;
    if (rc == 0 && !b.data)
        rn_buf_add(&b, "", 0);
    if (rc == 0 && b.oom)
        rc = RN_ERR_NOMEM;
    if (rc < 0) {
        rn_buf_free(&b);
        return rc;
    }
    *out = rn_buf_take(&b, outlen);
    return 0;
}
