/* SPDX-License-Identifier: MIT
 * The SAM transform (Transform: AWS::Serverless-2016-10-31): a template in,
 * plain CloudFormation out. This file finds the transform, checks Globals,
 * hands each AWS::Serverless::* resource to the file for its type, gives
 * layers their hashed ids, and turns the errors collected on the way into
 * SAM's one message ("Invalid Serverless Application Specification document.
 * Number of errors found: N. ..."). It also holds the small helpers every
 * part uses (errors, adding a resource, tags, property checks, hashes). */
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cloudformation/cfn_int.h"
#include "cloudformation/sam_int.h"
#include "core/json_alloc.h"
#include "core/mem.h"

#define SAM_TRANSFORM "AWS::Serverless-2016-10-31"
#define SAM_PREFIX    "Transform " SAM_TRANSFORM " failed with: "
#define SAM_DOC       "Invalid Serverless Application Specification document. Number of errors found: "

/* Adds `text` to the run's errors, reported against `id`. */
static void add_error(sam_ctx_t *c, const char *id, const char *text)
{
    json_t *e = json_pack("{s:s, s:s}", "id", id, "text", text);
    if (!e || json_array_append_new(c->errors, e))
        c->oom = 1;
}

void sam_error(sam_ctx_t *c, const char *id, const char *fmt, ...)
{
    char text[2048];
    int n = snprintf(text, sizeof text, "Resource with id [%s] is invalid. ", id);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text + n, sizeof text - (size_t)n, fmt, ap);
    va_end(ap);
    add_error(c, id, text);
}

void sam_set(sam_ctx_t *c, json_t *obj, const char *key, json_t *v)
{
    if (!v || json_object_set_new(obj, key, v))
        c->oom = 1;
}

void sam_copy(sam_ctx_t *c, json_t *obj, const char *key, const json_t *src, const char *src_key)
{
    json_t *v = json_object_get(src, src_key);
    if (v)
        sam_set(c, obj, key, json_deep_copy(v));
}

int sam_is_intrinsic(const json_t *v)
{
    if (!json_is_object(v) || json_object_size(v) != 1)
        return 0;
    const char *k = json_object_iter_key(json_object_iter((json_t *)v));
    return strcmp(k, "Ref") == 0 || strncmp(k, "Fn::", 4) == 0;
}

/* The passthrough attributes SAM copies from a SAM resource to what it
 * generates. */
static const char *const passthrough[] = {"Condition", "DeletionPolicy", "UpdateReplacePolicy", NULL};

json_t *sam_add(sam_ctx_t *c, const char *owner, const char *id, const char *type, json_t *props, const json_t *src)
{
    const json_t *in = json_object_get(c->tpl, "Resources");
    const json_t *clash = json_object_get(in, id);
    if ((clash && strcmp(id, owner) != 0) || json_object_get(c->resources, id)) {
        char text[2048];
        snprintf(text, sizeof text,
                 "Transforming resource with id [%s] attempts to create a new resource with id [%s] and type \"%s\". "
                 "A resource with that id already exists within this template. Please use a different id for that "
                 "resource.",
                 owner, id, type);
        add_error(c, owner, text);
        json_decref(props);
        return NULL;
    }
    json_t *r = json_pack("{s:s}", "Type", type);
    if (!r) {
        c->oom = 1;
        json_decref(props);
        return NULL;
    }
    if (props)
        sam_set(c, r, "Properties", props);
    for (size_t i = 0; src && passthrough[i]; i++)
        sam_copy(c, r, passthrough[i], src, passthrough[i]);
    if (json_object_set_new(c->resources, id, r)) {
        c->oom = 1;
        return NULL;
    }
    return r;
}

int sam_check_props(sam_ctx_t *c, const char *id, const json_t *props, const char *type, const char *const *known,
                    const char *const *required)
{
    int bad = 0;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)props, k, v) {
        size_t i = 0;
        while (known[i] && strcmp(known[i], k) != 0)
            i++;
        if (!known[i]) {
            sam_error(c, id, "property %s not defined for resource of type %s", k, type);
            return -1; /* SAM stops at the first unknown property */
        }
    }
    for (size_t i = 0; required && required[i]; i++)
        if (!json_object_get(props, required[i])) {
            sam_error(c, id, "Missing required property '%s'.", required[i]);
            bad = -1;
        }
    return bad;
}

json_t *sam_tag_list(sam_ctx_t *c, const json_t *tags, int sam_tag)
{
    json_t *list = json_array();
    if (!list) {
        c->oom = 1;
        return NULL;
    }
    if (sam_tag && json_array_append_new(list, json_pack("{s:s, s:s}", "Key", "lambda:createdBy", "Value", "SAM")))
        c->oom = 1;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)tags, k, v) {
        /* SAM writes a null tag value as "" */
        json_t *t = json_pack("{s:s, s:o}", "Key", k, "Value", json_is_null(v) ? json_string("") : json_deep_copy(v));
        if (!t || json_array_append_new(list, t))
            c->oom = 1;
    }
    return list;
}

void sam_hash10(const json_t *v, char out[11])
{
    char *text = json_is_string(v) ? NULL : json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
    const char *s = json_is_string(v) ? json_string_value(v) : text ? text : "";
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    static const char hex[] = "0123456789abcdef";
    if (!EVP_Digest(s, strlen(s), md, &mdlen, EVP_sha1(), NULL))
        mdlen = 0;
    for (unsigned i = 0; i < 5; i++) {
        out[2 * i] = hex[i < mdlen ? md[i] >> 4 : 0];
        out[2 * i + 1] = hex[i < mdlen ? md[i] & 15 : 0];
    }
    out[10] = 0;
    rn_json_free(text);
}

/* 1 when the template asks for SAM: Transform is the name, or a list
 * holding it. */
static int wants_sam(const json_t *tpl)
{
    const json_t *t = json_object_get(tpl, "Transform");
    if (json_is_string(t))
        return strcmp(json_string_value(t), SAM_TRANSFORM) == 0;
    size_t i;
    json_t *e;
    json_array_foreach(t, i, e) {
        if (json_is_string(e) && strcmp(json_string_value(e), SAM_TRANSFORM) == 0)
            return 1;
    }
    return 0;
}

/* The SAM resource types Runnel has no counterpart for, with what is
 * missing. */
static const char *unsupported_reason(const char *type)
{
    static const struct {
        const char *type, *why;
    } rows[] = {
        {"AWS::Serverless::Api", "Runnel has no API Gateway"},
        {"AWS::Serverless::HttpApi", "Runnel has no API Gateway"},
        {"AWS::Serverless::WebSocketApi", "Runnel has no API Gateway"},
        {"AWS::Serverless::StateMachine", "Runnel has no Step Functions"},
        {"AWS::Serverless::Application", "Runnel has no nested stacks or Serverless Application Repository"},
        {"AWS::Serverless::Connector", "Runnel has no IAM policy evaluation for connectors to grant"},
        {"AWS::Serverless::GraphQLApi", "Runnel has no AppSync"},
        {"AWS::Serverless::CapacityProvider", "Runnel has no Lambda capacity providers"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        if (strcmp(rows[i].type, type) == 0)
            return rows[i].why;
    return "it is not a SAM resource type Runnel knows";
}

/* Expands one AWS::Serverless::* resource. */
static void expand(sam_ctx_t *c, const json_t *globals, const char *id, const json_t *res, const char *type)
{
    int fn = strcmp(type, "AWS::Serverless::Function") == 0;
    int table = strcmp(type, "AWS::Serverless::SimpleTable") == 0;
    int layer = strcmp(type, "AWS::Serverless::LayerVersion") == 0;
    if (!fn && !table && !layer) {
        sam_error(c, id, "Resource type %s is not supported by Runnel (%s).", type, unsupported_reason(type));
        return;
    }
    const json_t *p = json_object_get(res, "Properties");
    if (p && !json_is_object(p)) {
        sam_error(c, id, "Properties of a resource must be an object.");
        return;
    }
    json_t *props = sam_globals_merge(c, id, globals, type, res);
    if (!props)
        return;
    if (fn)
        sam_function(c, id, res, props);
    else if (table)
        sam_simple_table(c, id, res, props);
    else
        sam_layer(c, id, res, props);
    json_decref(props);
}

/* The new id of a renamed (layer) id, or NULL. */
static const json_t *renamed(sam_ctx_t *c, const json_t *id)
{
    return json_is_string(id) ? json_object_get(c->renamed, json_string_value(id)) : NULL;
}

/* Rewrites ${Old} and ${Old.Attr} in an Fn::Sub text (a string value). */
static void rename_in_sub(sam_ctx_t *c, json_t *text)
{
    const char *old;
    json_t *nw;
    json_object_foreach(c->renamed, old, nw) {
        char pat[600], rep[600];
        snprintf(pat, sizeof pat, "${%s", old);
        snprintf(rep, sizeof rep, "${%s", json_string_value(nw));
        size_t from = 0;
        for (;;) {
            const char *s = json_string_value(text), *hit = strstr(s + from, pat);
            if (!hit)
                break;
            char after = hit[strlen(pat)];
            from = (size_t)(hit - s) + 1;
            if (after != '}' && after != '.')
                continue; /* ${OldX}: another name */
            size_t len = strlen(s) + strlen(rep) - strlen(pat);
            char *buf = rn_malloc(len + 1);
            if (!buf) {
                c->oom = 1;
                return;
            }
            snprintf(buf, len + 1, "%.*s%s%s", (int)(hit - s), s, rep, hit + strlen(pat));
            json_string_set(text, buf);
            rn_free(buf);
            from += strlen(rep) - 1;
        }
    }
}

/* Points every Ref, Fn::GetAtt, ${X} of Fn::Sub and DependsOn naming an
 * old layer id at its new one. */
static void rename_refs(sam_ctx_t *c, json_t *v)
{
    size_t i;
    json_t *e;
    if (json_is_array(v)) {
        json_array_foreach(v, i, e) {
            rename_refs(c, e);
        }
        return;
    }
    if (!json_is_object(v))
        return;
    const json_t *to = renamed(c, json_object_get(v, "Ref"));
    if (to && json_object_size(v) == 1) {
        sam_set(c, v, "Ref", json_deep_copy(to));
        return;
    }
    json_t *ga = json_object_get(v, "Fn::GetAtt");
    if ((to = renamed(c, json_array_get(ga, 0))))
        json_array_set(ga, 0, (json_t *)to);
    json_t *sub = json_object_get(v, "Fn::Sub");
    json_t *text = json_is_array(sub) ? json_array_get(sub, 0) : sub;
    if (json_is_string(text))
        rename_in_sub(c, text);
    json_t *dep = json_object_get(v, "DependsOn");
    if ((to = renamed(c, dep)))
        json_string_set(dep, json_string_value(to));
    json_array_foreach(dep, i, e) {
        if ((to = renamed(c, e)))
            json_string_set(e, json_string_value(to));
    }
    const char *k;
    json_object_foreach(v, k, e) {
        if (strcmp(k, "DependsOn") != 0)
            rename_refs(c, e);
    }
}

static int cmp_error(const void *a, const void *b)
{
    const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    return strcmp(json_string_value(json_object_get(x, "id")), json_string_value(json_object_get(y, "id")));
}

/* SAM's message for the collected errors (sorted by logical id, each once). */
static void error_message(sam_ctx_t *c, char *msg, size_t msglen)
{
    size_t n = json_array_size(c->errors);
    json_t **rows = rn_calloc(n ? n : 1, sizeof *rows);
    if (!rows) {
        snprintf(msg, msglen, SAM_PREFIX "out of memory");
        return;
    }
    for (size_t i = 0; i < n; i++)
        rows[i] = json_array_get(c->errors, i);
    qsort(rows, n, sizeof *rows, cmp_error);
    size_t uniq = 0;
    for (size_t i = 0; i < n; i++) {
        const char *t = json_string_value(json_object_get(rows[i], "text"));
        size_t j = 0;
        while (j < uniq && strcmp(json_string_value(json_object_get(rows[j], "text")), t) != 0)
            j++;
        if (j == uniq)
            rows[uniq++] = rows[i];
    }
    size_t off = (size_t)snprintf(msg, msglen, SAM_PREFIX SAM_DOC "%zu.", uniq);
    for (size_t i = 0; i < uniq && off < msglen; i++)
        off += (size_t)snprintf(msg + off, msglen - off, " %s", json_string_value(json_object_get(rows[i], "text")));
    rn_free(rows);
}

/* The template that comes out: the input without the SAM transform and
 * Globals, with the new Resources. */
static json_t *assemble(const json_t *tpl, json_t *resources)
{
    json_t *out = json_object();
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)tpl, k, v) {
        if (strcmp(k, "Globals") == 0)
            continue;
        if (strcmp(k, "Resources") == 0) {
            if (json_object_set(out, k, resources))
                goto oom;
            continue;
        }
        if (strcmp(k, "Transform") == 0 && json_is_array(v)) {
            json_t *rest = json_array();
            size_t i;
            json_t *e;
            json_array_foreach(v, i, e) {
                if (!(json_is_string(e) && strcmp(json_string_value(e), SAM_TRANSFORM) == 0))
                    json_array_append(rest, e);
            }
            if (json_array_size(rest) && json_object_set_new(out, k, rest))
                goto oom;
            if (!json_array_size(rest))
                json_decref(rest);
            continue;
        }
        if (strcmp(k, "Transform") == 0)
            continue;
        if (json_object_set_new(out, k, json_deep_copy(v)))
            goto oom;
    }
    return out;
oom:
    json_decref(out);
    return NULL;
}

int cfn_sam_transform(const json_t *tpl, const char *base_dir, json_t **out, char *msg, size_t msglen)
{
    *out = NULL;
    if (!json_is_object(tpl) || !wants_sam(tpl)) {
        *out = json_incref((json_t *)tpl);
        return 0;
    }
    const json_t *in = json_object_get(tpl, "Resources");
    if (!json_is_object(in)) {
        snprintf(msg, msglen,
                 SAM_PREFIX SAM_DOC "1. Structure of the SAM template is invalid. 'Resources' section is required");
        return -1;
    }
    json_t *globals = NULL;
    char gmsg[2048];
    if (sam_globals_parse(tpl, &globals, gmsg, sizeof gmsg)) {
        snprintf(msg, msglen, SAM_PREFIX SAM_DOC "1. %s", gmsg);
        return -1;
    }
    sam_ctx_t c = {.tpl = tpl, .resources = json_object(), .errors = json_array(), .renamed = json_object()};
    if (base_dir && *base_dir)
        snprintf(c.base, sizeof c.base, "%s", base_dir);
    else if (!getcwd(c.base, sizeof c.base))
        snprintf(c.base, sizeof c.base, ".");
    if (!c.resources || !c.errors || !c.renamed)
        c.oom = 1;

    const char *id;
    json_t *res;
    json_object_foreach((json_t *)in, id, res) {
        if (c.oom)
            break;
        const char *type = json_string_value(json_object_get(res, "Type"));
        if (type && strncmp(type, "AWS::Serverless::", 17) == 0)
            expand(&c, globals, id, res, type);
        else if (!json_object_get(c.resources, id))
            sam_set(&c, c.resources, id, json_deep_copy(res));
        else
            sam_error(&c, id, "A resource with this id was already generated by the transform.");
    }
    if (json_object_size(c.renamed)) {
        rename_refs(&c, c.resources);
    }
    int rc = -1;
    if (c.oom) {
        snprintf(msg, msglen, SAM_PREFIX "out of memory");
    } else if (json_array_size(c.errors)) {
        error_message(&c, msg, msglen);
    } else {
        *out = assemble(tpl, c.resources);
        if (*out && json_object_size(c.renamed))
            rename_refs(&c, json_object_get(*out, "Outputs"));
        if (*out)
            rc = 0;
        else
            snprintf(msg, msglen, SAM_PREFIX "out of memory");
    }
    json_decref(globals);
    json_decref(c.resources);
    json_decref(c.errors);
    json_decref(c.renamed);
    return rc;
}
