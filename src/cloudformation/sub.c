/* SPDX-License-Identifier: MIT
 * Fn::Sub's string syntax: "${Name}" stands for a variable (a key of the
 * function's own map, a parameter, a pseudo parameter, a resource's Ref or
 * "Resource.Attribute"), "${!Text}" is the literal "${Text}", and a "${"
 * with no closing brace is text. The scanner serves the checks and the
 * dependency walk (order.c); the expander serves evaluation (intrinsic.c),
 * which supplies the lookup. */
#include <stdio.h>
#include <string.h>

#include "cloudformation/tmpl_int.h"
#include "core/buf.h"
#include "core/mem.h"

static int name_char_ok(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
           c == ':';
}

/* The variable at s ("${" already seen at s-2) trimmed of blanks into name;
 * *end is set past the "}". Returns 1 for a variable, 0 for literal text
 * ("${!..." or no closing brace), -1 for a name with other characters. */
static int take_var(const char *s, char *name, size_t namelen, const char **end)
{
    const char *close = strchr(s, '}');
    if (!close || *s == '!')
        return 0;
    const char *a = s, *b = close;
    while (a < b && (*a == ' ' || *a == '\t'))
        a++;
    while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
        b--;
    if (a == b || (size_t)(b - a) >= namelen)
        return -1;
    for (const char *p = a; p < b; p++)
        if (!name_char_ok(*p))
            return -1;
    memcpy(name, a, (size_t)(b - a));
    name[b - a] = 0;
    *end = close + 1;
    return 1;
}

static void bad_name(char *msg, size_t msglen)
{
    snprintf(msg, msglen, "%s", cfn_msg_sub_name);
}

/* Returns -2 for a variable name Fn::Sub does not allow. */
int cfn_sub_scan(const char *s, cfn_sub_var_fn fn, void *ctx)
{
    char name[512];
    const char *p = s;
    while ((p = strstr(p, "${")) != NULL) {
        const char *end;
        int r = take_var(p + 2, name, sizeof name, &end);
        if (r < 0)
            return -2;
        if (r == 0) {
            p += 2;
            continue;
        }
        int rc = fn(ctx, name);
        if (rc)
            return rc;
        p = end;
    }
    return 0;
}

json_t *cfn_sub_expand(const char *s, const json_t *vars, cfn_sub_lookup_fn lookup, void *ctx, char *msg, size_t msglen)
{
    rn_buf_t b = {0};
    char name[512];
    const char *p = s, *at;
    rn_buf_puts(&b, "");
    while ((at = strstr(p, "${")) != NULL) {
        rn_buf_add(&b, p, (size_t)(at - p));
        const char *end;
        int r = take_var(at + 2, name, sizeof name, &end);
        if (r < 0) {
            bad_name(msg, msglen);
            goto fail;
        }
        if (r == 0) { /* "${!X}" is "${X}"; an unclosed "${" is itself */
            rn_buf_puts(&b, "${");
            p = at + 2 + (at[2] == '!' && strchr(at + 2, '}'));
            continue;
        }
        json_t *v = json_object_get(vars, name);
        v = v ? json_incref(v) : lookup(ctx, name, msg, msglen);
        if (!v)
            goto fail;
        json_t *t = cfn_scalar_string(v);
        json_decref(v);
        if (!t) {
            snprintf(msg, msglen, "Template error: variable %s in Fn::Sub expression does not resolve to a string",
                     name);
            goto fail;
        }
        rn_buf_add(&b, json_string_value(t), json_string_length(t));
        json_decref(t);
        p = end;
    }
    rn_buf_puts(&b, p);
    if (b.oom) {
        snprintf(msg, msglen, "Template error: out of memory in Fn::Sub");
        goto fail;
    }
    json_t *out = json_stringn(b.data, b.len);
    rn_buf_free(&b);
    return out;
fail:
    rn_buf_free(&b);
    return NULL;
}
