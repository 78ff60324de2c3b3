/* SPDX-License-Identifier: MIT
 * Email templates for both faces (v1 Create/Get/Update/Delete/ListTemplates,
 * v2 *EmailTemplate) and their rendering. A record is {"subject", "text",
 * "html", "created" (ms), "tags"}. Rendering replaces Handlebars' simple
 * expressions, {{name}} and {{a.b}} (HTML-escaped in the HTML part, as
 * Handlebars does) and {{{name}}} (never escaped), with the values of the
 * TemplateData object; block helpers ({{#if}}, {{#each}}) stay as written.
 * An attribute the data lacks is a rendering failure, as on AWS. */
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/mem.h"
#include "core/params.h"
#include "ses/ses_int.h"

#define LIST_DEFAULT 10
#define LIST_MAX 100
#define NAME_MAX_LEN 64

/* ---- rendering ---- */

static void put_escaped(rn_buf_t *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': rn_buf_puts(b, "&amp;"); break;
        case '<': rn_buf_puts(b, "&lt;"); break;
        case '>': rn_buf_puts(b, "&gt;"); break;
        case '"': rn_buf_puts(b, "&quot;"); break;
        case '\'': rn_buf_puts(b, "&#x27;"); break;
        case '`': rn_buf_puts(b, "&#x60;"); break;
        case '=': rn_buf_puts(b, "&#x3D;"); break;
        default: rn_buf_add(b, s, 1);
        }
    }
}

/* The value at dotted path name[0..n) of data, or NULL. */
static const json_t *lookup(const json_t *data, const char *name, size_t n)
{
    const json_t *v = data;
    while (n && v) {
        const char *dot = memchr(name, '.', n);
        size_t k = dot ? (size_t)(dot - name) : n;
        char key[256];
        if (k >= sizeof key)
            return NULL;
        memcpy(key, name, k);
        key[k] = '\0';
        v = json_is_object(v) ? json_object_get(v, key) : NULL;
        name += dot ? k + 1 : k;
        n -= dot ? k + 1 : k;
    }
    return v;
}

char *ses_render(const char *text, const json_t *data, int html, char *missing, size_t mn)
{
    rn_buf_t b = {0};
    missing[0] = '\0';
    const char *p = text;
    while (*p) {
        const char *open = strstr(p, "{{");
        if (!open) {
            rn_buf_puts(&b, p);
            break;
        }
        int triple = open[2] == '{';
        const char *inner = open + (triple ? 3 : 2);
        const char *close = strstr(inner, triple ? "}}}" : "}}");
        while (*inner == ' ')
            inner++;
        if (!close || strchr("#/>!^", *inner) || strncmp(inner, "else", 4) == 0) {
            /* not a simple expression: kept as written */
            size_t k = close ? (size_t)(close - p) + (triple ? 3 : 2) : strlen(p);
            rn_buf_add(&b, p, k);
            p += k;
            continue;
        }
        rn_buf_add(&b, p, (size_t)(open - p));
        size_t n = (size_t)(close - inner);
        while (n && inner[n - 1] == ' ')
            n--;
        const json_t *v = lookup(data, inner, n);
        char num[64];
        const char *val = NULL;
        if (json_is_string(v))
            val = json_string_value(v);
        else if (json_is_integer(v))
            snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v)), val = num;
        else if (json_is_real(v))
            snprintf(num, sizeof num, "%.17g", json_real_value(v)), val = num;
        else if (json_is_boolean(v))
            val = json_is_true(v) ? "true" : "false";
        if (!val) {
            snprintf(missing, mn, "%.*s", (int)n, inner);
            rn_buf_free(&b);
            return NULL;
        }
        if (html && !triple)
            put_escaped(&b, val);
        else
            rn_buf_puts(&b, val);
        p = close + (triple ? 3 : 2);
    }
    if (b.oom) {
        rn_buf_free(&b);
        return NULL;
    }
    char *out = rn_buf_take(&b, NULL);
    return out ? out : rn_strdup("");
}

/* ---- operations ---- */

/* The template's parts as the call gives them, by face. */
typedef struct parts {
    const char *name;
    const json_t *subject, *text, *html;
} parts_t;

static int read_parts(rn_call_t *c, parts_t *t, int need_content)
{
    ses_violations_t v = {0};
    if (ses_is_v2(c)) {
        const json_t *content = json_object_get(c->in, "TemplateContent");
        t->name = rn_param_str(c->in, "TemplateName");
        t->subject = json_object_get(content, "Subject");
        t->text = json_object_get(content, "Text");
        t->html = json_object_get(content, "Html");
        ses_require(&v, "templateName", ses_str(c->in, "TemplateName"));
        if (need_content)
            ses_require(&v, "templateContent", content);
    } else {
        const json_t *tpl = json_object_get(c->in, "Template");
        t->name = rn_param_str(tpl, "TemplateName");
        t->subject = json_object_get(tpl, "SubjectPart");
        t->text = json_object_get(tpl, "TextPart");
        t->html = json_object_get(tpl, "HtmlPart");
        ses_require(&v, "template", tpl);
        if (tpl)
            ses_require(&v, "template.templateName", ses_str(tpl, "TemplateName"));
    }
    if (ses_violations_fail(c, &v) < 0)
        return c->err;
    size_t n = strlen(t->name);
    if (n == 0 || n > NAME_MAX_LEN || strspn(t->name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") != n)
        return rn_call_fail(c, ses_is_v2(c) ? SES_ERR_V2_BAD_REQUEST : RN_ERR_INVALID_PARAMETER,
                            "Template name %s is invalid: it must be 1 to %d letters, digits, '_' or '-'.", t->name,
                            NAME_MAX_LEN);
    if (!ses_is_v2(c) && !json_string_value(t->subject))
        return rn_call_fail(c, RN_ERR_INVALID_PARAMETER, "The subject must be specified.");
    return 0;
}

static int missing_template(rn_call_t *c, const char *name)
{
    return rn_call_fail(c, ses_is_v2(c) ? SES_ERR_V2_NOT_FOUND : SES_ERR_TEMPLATE_MISSING,
                        "Template %s does not exist.", name);
}

/* Writes the template's parts into rec and the store. */
static int save(ses_t *s, rn_call_t *c, json_t *rec, const parts_t *t)
{
    json_object_del(rec, "subject");
    json_object_del(rec, "text");
    json_object_del(rec, "html");
    if ((t->subject && json_object_set(rec, "subject", (json_t *)t->subject) < 0) ||
        (t->text && json_object_set(rec, "text", (json_t *)t->text) < 0) ||
        (t->html && json_object_set(rec, "html", (json_t *)t->html) < 0))
        return ses_nomem(c);
    ses_store_put(s, SES_NS_TPL, t->name, rec);
    c->out = json_object();
    return 0;
}

int ses_op_create_template(ses_t *s, rn_call_t *c)
{
    parts_t t;
    if (read_parts(c, &t, 1) < 0)
        return c->err;
    if (json_object_get(s->tpls, t.name))
        return rn_call_fail(c, ses_is_v2(c) ? SES_ERR_V2_ALREADY_EXISTS : SES_ERR_ALREADY_EXISTS,
                            "Template %s already exists.", t.name);
    json_t *rec = json_pack("{s:I}", "created", (json_int_t)rn_now_ms());
    const json_t *tags = json_object_get(c->in, "Tags");
    if (rec && json_is_array(tags))
        json_object_set(rec, "tags", (json_t *)tags);
    if (!rec || json_object_set_new(s->tpls, t.name, rec) < 0)
        return ses_nomem(c);
    return save(s, c, rec, &t);
}

int ses_op_update_template(ses_t *s, rn_call_t *c)
{
    parts_t t;
    if (read_parts(c, &t, 1) < 0)
        return c->err;
    json_t *rec = json_object_get(s->tpls, t.name);
    if (!rec)
        return missing_template(c, t.name);
    return save(s, c, rec, &t);
}

/* The template a Get/Delete names, or NULL with the call failed. */
static json_t *named(ses_t *s, rn_call_t *c, const char **name)
{
    ses_violations_t v = {0};
    ses_require(&v, "templateName", ses_str(c->in, "TemplateName"));
    if (ses_violations_fail(c, &v) < 0)
        return NULL;
    *name = rn_param_str(c->in, "TemplateName");
    return json_object_get(s->tpls, *name);
}

int ses_op_get_template(ses_t *s, rn_call_t *c)
{
    const char *name = NULL;
    json_t *rec = named(s, c, &name);
    if (!rec)
        return c->err ? c->err : missing_template(c, name);
    if (ses_is_v2(c)) {
        json_t *tags = json_object_get(rec, "tags");
        tags = tags ? json_incref(tags) : json_array();
        c->out = json_pack("{s:s,s:{s:O*,s:O*,s:O*},s:o}", "TemplateName", name, "TemplateContent", "Subject",
                           json_object_get(rec, "subject"), "Text", json_object_get(rec, "text"), "Html",
                           json_object_get(rec, "html"), "Tags", tags);
    } else {
        c->out = json_pack("{s:{s:s,s:O*,s:O*,s:O*}}", "Template", "TemplateName", name, "SubjectPart",
                           json_object_get(rec, "subject"), "TextPart", json_object_get(rec, "text"), "HtmlPart",
                           json_object_get(rec, "html"));
    }
    return c->out ? 0 : ses_nomem(c);
}

int ses_op_delete_template(ses_t *s, rn_call_t *c)
{
    const char *name = NULL;
    json_t *rec = named(s, c, &name);
    if (c->err)
        return c->err;
    if (!rec && ses_is_v2(c))
        return missing_template(c, name);
    if (rec) { /* v1 deletes what is not there without a word */
        json_object_del(s->tpls, name);
        rn_store_kv_delete(s->store, SES_NS_TPL, name);
    }
    c->out = json_object();
    return 0;
}

int ses_op_list_templates(ses_t *s, rn_call_t *c)
{
    int v2 = ses_is_v2(c);
    const json_t *max = json_object_get(c->in, v2 ? "PageSize" : "MaxItems");
    long limit = max ? (long)json_integer_value(max) : LIST_DEFAULT;
    if (max && (!json_is_integer(max) || limit < 1))
        return rn_call_fail(c, v2 ? SES_ERR_V2_BAD_REQUEST : RN_ERR_INVALID_PARAMETER,
                            "%s must be between 1 and %d.", v2 ? "PageSize" : "MaxItems", LIST_MAX);
    if (limit > LIST_MAX)
        limit = LIST_MAX;
    const char *token = rn_param_str(c->in, "NextToken");
    size_t n;
    const char **keys = ses_sorted_keys(s->tpls, &n);
    json_t *items = json_array();
    c->out = json_object();
    long taken = 0;
    for (size_t i = 0; i < n && items && c->out; i++) {
        if (token && strcmp(keys[i], token) < 0)
            continue;
        if (taken == limit) {
            json_object_set_new(c->out, "NextToken", json_string(keys[i]));
            break;
        }
        json_int_t ms = json_integer_value(json_object_get(json_object_get(s->tpls, keys[i]), "created"));
        json_array_append_new(items, v2 ? json_pack("{s:s,s:f}", "TemplateName", keys[i], "CreatedTimestamp",
                                                    (double)ms / 1000.0)
                                        : json_pack("{s:s,s:I}", "Name", keys[i], "CreatedTimestamp", ms / 1000));
        taken++;
    }
    rn_free(keys);
    if (!items || !c->out || json_object_set_new(c->out, "TemplatesMetadata", items) < 0)
        return ses_nomem(c);
    return 0;
}
