/* SPDX-License-Identifier: MIT
 * Reading a template body: JSON when it starts with '{', else YAML
 * (yaml.c), both into one JSON tree; plus the small facts about template
 * values the other template files share (which names are pseudo
 * parameters, the text of a scalar). The checks CreateStack runs on the tree
 * live in check.c. */
#include <stdio.h>
#include <string.h>

#include "cloudformation/tmpl_int.h"
#include "core/json_alloc.h"

static const char *const pseudo_params[] = {"AWS::AccountId", "AWS::NotificationARNs", "AWS::NoValue",
                                            "AWS::Partition", "AWS::Region",           "AWS::StackId",
                                            "AWS::StackName", "AWS::URLSuffix",        NULL};

int cfn_is_pseudo(const char *name)
{
    for (int i = 0; name && pseudo_params[i]; i++)
        if (strcmp(name, pseudo_params[i]) == 0)
            return 1;
    return 0;
}

json_t *cfn_scalar_string(const json_t *v)
{
    char buf[64];
    if (json_is_string(v))
        return json_incref((json_t *)v);
    if (json_is_integer(v))
        snprintf(buf, sizeof buf, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    else if (json_is_real(v)) {
        /* as the JSON text prints it, so 1.5 stays "1.5" */
        char *t = json_dumps(v, JSON_ENCODE_ANY);
        if (!t)
            return NULL;
        json_t *s = json_string(t);
        rn_json_free(t);
        return s;
    } else if (json_is_boolean(v))
        snprintf(buf, sizeof buf, "%s", json_is_true(v) ? "true" : "false");
    else
        return NULL;
    return json_string(buf);
}

/* Depth of a JSON text's nesting, counted without trusting the parser, so a
 * body of a million '[' is refused before jansson recurses through it. */
static int json_too_deep(const char *text, size_t len)
{
    int depth = 0, in_str = 0;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (in_str) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_str = 0;
        } else if (c == '"')
            in_str = 1;
        else if (c == '{' || c == '[') {
            if (++depth > CFN_MAX_DEPTH)
                return 1;
        } else if (c == '}' || c == ']')
            depth--;
    }
    return 0;
}

int cfn_template_parse(const char *text, size_t len, json_t **out, char *msg, size_t msglen)
{
    size_t i = 0;
    *out = NULL;
    while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n'))
        i++;
    if (i == len || text[i] != '{')
        return cfn_yaml_parse(text, len, out, msg, msglen);
    if (json_too_deep(text, len)) {
        snprintf(msg, msglen, "Template format error: JSON not well-formed. (nesting deeper than %d)", CFN_MAX_DEPTH);
        return -1;
    }
    json_error_t e;
    json_t *t = json_loadb(text, len, JSON_ALLOW_NUL, &e);
    if (!t) {
        snprintf(msg, msglen, "Template format error: JSON not well-formed. (line %d, column %d)", e.line, e.column);
        return -1;
    }
    *out = t;
    return 0;
}
