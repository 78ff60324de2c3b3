/* SPDX-License-Identifier: MIT
 * `runnel deploy`'s command line: the template, the flags, and the defaults
 * the AWS CLI's environment supplies (endpoint, region), so the same shell
 * that drives `aws --endpoint-url` drives this. Only parsing lives here; the
 * flow is in deploy.c. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "deploy/deploy_int.h"

#define DEFAULT_ENDPOINT "http://127.0.0.1:4566"
#define DEFAULT_REGION   "us-east-1"
#define MAX_STACK_NAME   128

/* Builds the default stack name from the template's file name. */
void deploy_stack_name(const char *path, char *out, size_t outlen)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = strlen(base);
    const char *dot = strrchr(base, '.');
    if (dot && dot != base)
        n = (size_t)(dot - base);
    size_t cap = outlen - 1 < MAX_STACK_NAME ? outlen - 1 : MAX_STACK_NAME;
    size_t o = 0;
    if (n == 0 || !isalpha((unsigned char)base[0])) {
        const char *prefix = n ? "stack-" : "stack";
        for (const char *p = prefix; *p && o < cap; p++)
            out[o++] = *p;
    }
    for (size_t i = 0; i < n && o < cap; i++) {
        unsigned char c = (unsigned char)base[i];
        out[o++] = isalnum(c) || c == '-' ? (char)c : '-';
    }
    out[o] = '\0';
}

/* The first non-empty environment variable of names, or NULL. */
static const char *env_first(const char *a, const char *b)
{
    const char *v = getenv(a);
    if ((!v || !*v) && b)
        v = getenv(b);
    return v && *v ? v : NULL;
}

static int fail(char *msg, size_t msglen, const char *what, const char *arg)
{
    snprintf(msg, msglen, "%s%s%s", what, arg ? " " : "", arg ? arg : "");
    return -1;
}

/* The flag's value: after '=' in the same word, or the next word. */
static const char *flag_value(int argc, char **argv, int *i, const char *eq)
{
    if (eq)
        return eq + 1;
    if (*i + 1 < argc)
        return argv[++*i];
    return NULL;
}

/* Stores a flag's value in a fixed field; -1 when it does not fit. */
static int set_field(char *dst, size_t cap, const char *v)
{
    if (strlen(v) >= cap)
        return -1;
    memcpy(dst, v, strlen(v) + 1);
    return 0;
}

/* Parses the arguments and fills the defaults. */
int deploy_args_parse(int argc, char **argv, deploy_args_t *a, char *msg, size_t msglen)
{
    memset(a, 0, sizeof *a);
    if (argc > 0 && !(a->params = rn_calloc((size_t)argc, sizeof *a->params)))
        return fail(msg, msglen, "out of memory", NULL);
    for (int i = 0; i < argc; i++) /* --help anywhere wins over any mistake */
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            a->help = 1;
            return 0;
        }
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        if (strncmp(arg, "--", 2) != 0 || !strcmp(arg, "-")) {
            if (a->template_path)
                return fail(msg, msglen, "unexpected argument", arg);
            a->template_path = arg;
            continue;
        }
        char name[32];
        const char *eq = strchr(arg, '=');
        size_t nlen = eq ? (size_t)(eq - arg) : strlen(arg);
        if (nlen >= sizeof name)
            return fail(msg, msglen, "unknown option", arg);
        memcpy(name, arg, nlen);
        name[nlen] = '\0';
        if (!strcmp(name, "--no-execute") || !strcmp(name, "--no-execute-changeset")) {
            if (eq)
                return fail(msg, msglen, "option takes no value:", name);
            a->no_execute = 1;
            continue;
        }
        char *field = NULL;
        size_t cap = 0;
        if (!strcmp(name, "--stack-name"))
            field = a->stack_name, cap = sizeof a->stack_name;
        else if (!strcmp(name, "--endpoint-url"))
            field = a->endpoint, cap = sizeof a->endpoint;
        else if (!strcmp(name, "--region"))
            field = a->region, cap = sizeof a->region;
        else if (strcmp(name, "--param") != 0)
            return fail(msg, msglen, "unknown option", name);
        const char *v = flag_value(argc, argv, &i, eq);
        if (!v)
            return fail(msg, msglen, "missing value for", name);
        if (!field) { /* --param KEY=VALUE */
            const char *sep = strchr(v, '=');
            if (!sep || sep == v)
                return fail(msg, msglen, "--param wants KEY=VALUE, not", v);
            a->params[a->nparams++] = v;
            continue;
        }
        if (!*v || set_field(field, cap, v) < 0)
            return fail(msg, msglen, !*v ? "empty value for" : "value too long for", name);
    }
    if (!a->template_path)
        return fail(msg, msglen, "missing TEMPLATE", NULL);
    if (a->stack_name[0]) {
        for (const char *p = a->stack_name; *p; p++)
            if (!isalnum((unsigned char)*p) && *p != '-')
                return fail(msg, msglen, "--stack-name must match [a-zA-Z][-a-zA-Z0-9]*:", a->stack_name);
        if (!isalpha((unsigned char)a->stack_name[0]))
            return fail(msg, msglen, "--stack-name must start with a letter:", a->stack_name);
    } else {
        deploy_stack_name(a->template_path, a->stack_name, sizeof a->stack_name);
    }
    if (!a->endpoint[0]) {
        const char *e = env_first("AWS_ENDPOINT_URL", NULL);
        if (set_field(a->endpoint, sizeof a->endpoint, e ? e : DEFAULT_ENDPOINT) < 0)
            return fail(msg, msglen, "AWS_ENDPOINT_URL is too long", NULL);
    }
    a->region_given = a->region[0] || env_first("AWS_REGION", "AWS_DEFAULT_REGION");
    if (!a->region[0]) {
        const char *r = env_first("AWS_REGION", "AWS_DEFAULT_REGION");
        if (set_field(a->region, sizeof a->region, r ? r : DEFAULT_REGION) < 0)
            return fail(msg, msglen, "AWS_REGION is too long", NULL);
    }
    return 0;
}

/* Frees the parameter array. */
void deploy_args_free(deploy_args_t *a)
{
    rn_free(a->params);
    a->params = NULL;
    a->nparams = 0;
}
