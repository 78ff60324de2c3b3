/* SPDX-License-Identifier: MIT
 * A stack's parameter values: what the call gives (or UsePreviousValue
 * takes from the stack), else the template's Default, checked against the
 * declaration's type and constraints with AWS's messages. Values are kept
 * as text ({key: string}; list types as their comma-separated text);
 * NoEcho changes nothing here, the engine masks such values when it
 * describes the stack. AllowedPattern is a Java regular expression matched
 * against the whole value; the common escapes (\d, \w, \s) are turned into
 * POSIX classes for regcomp. */
#include <errno.h>
#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cloudformation/tmpl_int.h"
#include "core/buf.h"
#include "core/mem.h"

static const char *const simple_types[] = {"String", "Number", "List<Number>", "CommaDelimitedList", NULL};

/* 1 when Runnel accepts this parameter Type: the four plain ones, the
 * AWS-specific ones (AWS::EC2::KeyPair::KeyName, List<AWS::EC2::VPC::Id>)
 * and the SSM ones, all taken as text. */
static int type_known(const char *t)
{
    for (int i = 0; simple_types[i]; i++)
        if (strcmp(t, simple_types[i]) == 0)
            return 1;
    return strncmp(t, "AWS::", 5) == 0 || strncmp(t, "List<AWS::", 10) == 0;
}

static int is_list(const char *t)
{
    return strcmp(t, "CommaDelimitedList") == 0 || strncmp(t, "List<", 5) == 0 || strstr(t, "<List<") != NULL;
}

static int is_number(const char *s)
{
    char *end;
    if (!*s)
        return 0;
    errno = 0;
    double d = strtod(s, &end);
    return *end == 0 && errno == 0 && isfinite(d);
}

/* The Java class escapes regcomp lacks, as POSIX classes. */
static char *posix_pattern(const char *java)
{
    rn_buf_t b = {0};
    int in_bracket = 0;
    rn_buf_puts(&b, "^(");
    for (const char *p = java; *p; p++) {
        const char *cls = NULL;
        if (*p == '\\' && p[1]) {
            switch (p[1]) {
            case 'd': cls = "0-9"; break;
            case 'w': cls = "A-Za-z0-9_"; break;
            case 's': cls = "[:space:]"; break;
            case 'D': cls = in_bracket ? NULL : "^0-9"; break;
            case 'W': cls = in_bracket ? NULL : "^A-Za-z0-9_"; break;
            case 'S': cls = in_bracket ? NULL : "^[:space:]"; break;
            }
            if (cls) {
                rn_buf_printf(&b, in_bracket ? "%s" : "[%s]", cls);
                p++;
                continue;
            }
            if (!in_bracket) { /* \. \- \/ ... stay escaped outside brackets */
                rn_buf_add(&b, p, 2);
                p++;
                continue;
            }
            p++; /* inside brackets the escaped character is itself */
            rn_buf_add(&b, p, 1);
            continue;
        }
        if (*p == '[' && !in_bracket)
            in_bracket = 1;
        else if (*p == ']' && in_bracket && p[-1] != '[')
            in_bracket = 0;
        rn_buf_add(&b, p, 1);
    }
    rn_buf_puts(&b, ")$");
    if (b.oom) {
        rn_buf_free(&b);
        return NULL;
    }
    return rn_buf_take(&b, NULL);
}

static int pattern_matches(const char *pattern, const char *value)
{
    char *re = posix_pattern(pattern);
    regex_t rx;
    int ok = 1; /* a pattern regcomp cannot read is not held against the value */
    if (re && regcomp(&rx, re, REG_EXTENDED | REG_NOSUB) == 0) {
        ok = regexec(&rx, value, 0, NULL, 0) == 0;
        regfree(&rx);
    }
    rn_free(re);
    return ok;
}

/* A whole-number attribute (MinLength: 3 or "3"): 1 with *out, else 0. */
static int num_attr(const json_t *decl, const char *name, long long *out)
{
    const json_t *v = json_object_get(decl, name);
    if (json_is_integer(v))
        *out = json_integer_value(v);
    else if (json_is_string(v) && is_number(json_string_value(v)))
        *out = strtoll(json_string_value(v), NULL, 10);
    else
        return 0;
    return 1;
}

/* The checks of one item (a whole String, or one element of a list). */
static int check_item(const char *key, const json_t *decl, const char *type, const char *v, char *msg, size_t msglen)
{
    const json_t *allowed = json_object_get(decl, "AllowedValues");
    const char *pattern = json_string_value(json_object_get(decl, "AllowedPattern"));
    int numeric = strcmp(type, "Number") == 0 || strcmp(type, "List<Number>") == 0;
    if (numeric && !is_number(v)) {
        snprintf(msg, msglen, "Parameter '%s' must be a number.", key);
        return -1;
    }
    if (json_is_array(allowed)) {
        size_t i;
        json_t *a;
        int found = 0;
        json_array_foreach(allowed, i, a) {
            json_t *s = cfn_scalar_string(a);
            found = found || (s && strcmp(json_string_value(s), v) == 0);
            json_decref(s);
        }
        if (!found) {
            snprintf(msg, msglen, "Parameter '%s' must be one of AllowedValues", key);
            return -1;
        }
    }
    if (pattern && !pattern_matches(pattern, v)) {
        snprintf(msg, msglen, "Parameter '%s' must match pattern %s", key, pattern);
        return -1;
    }
    long long lim;
    long long len = (long long)strlen(v);
    if (num_attr(decl, "MinLength", &lim) && len < lim) {
        snprintf(msg, msglen, "Parameter '%s' must contain at least %lld characters", key, lim);
        return -1;
    }
    if (num_attr(decl, "MaxLength", &lim) && len > lim) {
        snprintf(msg, msglen, "Parameter '%s' must contain at most %lld characters", key, lim);
        return -1;
    }
    if (numeric) {
        double d = strtod(v, NULL);
        json_t *min = cfn_scalar_string(json_object_get(decl, "MinValue"));
        json_t *max = cfn_scalar_string(json_object_get(decl, "MaxValue"));
        int bad = 0;
        if (min && d < strtod(json_string_value(min), NULL))
            bad =
                snprintf(msg, msglen, "Parameter '%s' must be a number not less than %s", key, json_string_value(min));
        else if (max && d > strtod(json_string_value(max), NULL))
            bad = snprintf(msg, msglen, "Parameter '%s' must be a number not greater than %s", key,
                           json_string_value(max));
        json_decref(min);
        json_decref(max);
        if (bad)
            return -1;
    }
    return 0;
}

/* Checks a value against its declaration; ConstraintDescription, when
 * given, replaces the constraint's own words as AWS does. */
static int check_value(const char *key, const json_t *decl, const char *v, char *msg, size_t msglen)
{
    const char *type = json_string_value(json_object_get(decl, "Type"));
    if (!type)
        type = "String";
    if (!type_known(type)) {
        snprintf(msg, msglen, "Template format error: Unrecognized parameter type: %s", type);
        return -1;
    }
    int rc = 0;
    if (is_list(type)) {
        char *copy = rn_strdup(v), *save = NULL;
        for (char *item = copy ? strtok_r(copy, ",", &save) : NULL; item && rc == 0; item = strtok_r(NULL, ",", &save))
            rc = check_item(key, decl, type, item, msg, msglen);
        rn_free(copy);
    } else
        rc = check_item(key, decl, type, v, msg, msglen);
    const char *why = json_string_value(json_object_get(decl, "ConstraintDescription"));
    if (rc && why && strstr(msg, "must be a number.") == NULL)
        snprintf(msg, msglen, "Parameter %s failed to satisfy constraint: %s", key, why);
    return rc;
}

/* A Default as text: scalars as written, a list as its comma-separated text. */
static json_t *default_text(const json_t *d)
{
    if (!json_is_array(d))
        return cfn_scalar_string(d);
    rn_buf_t b = {0};
    size_t i;
    json_t *m;
    rn_buf_puts(&b, "");
    json_array_foreach(d, i, m) {
        json_t *s = cfn_scalar_string(m);
        if (s)
            rn_buf_printf(&b, "%s%s", i ? "," : "", json_string_value(s));
        json_decref(s);
    }
    json_t *out = b.oom ? NULL : json_string(b.data);
    rn_buf_free(&b);
    return out;
}

static int is_true(const json_t *v)
{
    return json_is_true(v) || (json_is_string(v) && strcasecmp(json_string_value(v), "true") == 0);
}

/* "[A, B]" from the keys of a set. */
static void key_list(const json_t *set, char *out, size_t outlen)
{
    size_t used = 0;
    const char *k;
    json_t *v;
    out[0] = 0;
    json_object_foreach((json_t *)set, k, v) {
        int n = snprintf(out + used, outlen - used, "%s%s", used ? ", " : "", k);
        if (n < 0 || (size_t)n >= outlen - used)
            break;
        used += (size_t)n;
    }
}

int cfn_params_resolve(const json_t *tpl, const json_t *given, const json_t *previous, json_t **values, char *msg,
                       size_t msglen)
{
    const json_t *decls = json_object_get(tpl, "Parameters");
    json_t *out = json_object(), *bad = json_object(), *by_key = json_object();
    char names[800];
    size_t i;
    json_t *g;
    *values = NULL;
    json_array_foreach(given, i, g) {
        const char *key = json_string_value(json_object_get(g, "ParameterKey"));
        if (!key)
            continue;
        if (!json_object_get(decls, key))
            json_object_set_new(bad, key, json_true());
        json_object_set(by_key, key, g);
    }
    if (json_object_size(bad)) {
        key_list(bad, names, sizeof names);
        snprintf(msg, msglen, "Parameters: [%s] do not exist in the template", names);
        goto fail;
    }
    const char *key;
    json_t *decl;
    json_object_foreach((json_t *)decls, key, decl) {
        json_t *entry = json_object_get(by_key, key), *v = NULL;
        json_t *given_value = json_object_get(entry, "ParameterValue");
        if (entry && is_true(json_object_get(entry, "UsePreviousValue"))) {
            if (given_value && json_string_length(given_value)) {
                snprintf(msg, msglen,
                         "Invalid input for parameter key %s. Cannot specify usePreviousValue as true "
                         "and non empty value for a parameter",
                         key);
                goto fail;
            }
            if (!json_object_get(previous, key)) {
                snprintf(msg, msglen,
                         "Invalid input for parameter key %s. Cannot specify usePreviousValue as true "
                         "for a parameter key not in the previous template",
                         key);
                goto fail;
            }
            v = cfn_scalar_string(json_object_get(previous, key));
        } else if (given_value)
            v = cfn_scalar_string(given_value);
        else if (json_object_get(decl, "Default"))
            v = default_text(json_object_get(decl, "Default"));
        if (!v) {
            json_object_set_new(bad, key, json_true());
            continue;
        }
        if (check_value(key, decl, json_string_value(v), msg, msglen)) {
            json_decref(v);
            goto fail;
        }
        json_object_set_new(out, key, v);
    }
    if (json_object_size(bad)) {
        key_list(bad, names, sizeof names);
        snprintf(msg, msglen, "Parameters: [%s] must have values", names);
        goto fail;
    }
    json_decref(bad);
    json_decref(by_key);
    *values = out;
    return 0;
fail:
    json_decref(bad);
    json_decref(by_key);
    json_decref(out);
    return -1;
}
