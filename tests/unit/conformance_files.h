/* SPDX-License-Identifier: MIT
 * Reading the shared event-pattern conformance files from the C unit tests:
 * where they are (RUNNEL_CONFORMANCE, else ../shared next to the checkout,
 * as the Python conformance test looks), whole-file reads, and the JSON5
 * the files are written in turned into JSON. Header-only: each unit test is
 * one program. */
#ifndef RN_TEST_CONFORMANCE_FILES_H
#define RN_TEST_CONFORMANCE_FILES_H
#include <stdio.h>
#include <stdlib.h>

/* The conformance directory (event-patterns/ and event-ruler-data/ inside),
 * or NULL when it is absent. RUNNEL_CONFORMANCE names event-patterns/. */
static const char *conformance_dir(void)
{
    static char found[600];
    const char *env = getenv("RUNNEL_CONFORMANCE");
    if (env && *env)
        snprintf(found, sizeof found, "%s/..", env);
    else
        snprintf(found, sizeof found, "../shared/conformance");
    char p[700];
    snprintf(p, sizeof p, "%s/event-patterns/MANIFEST.json", found);
    FILE *f = fopen(p, "rb");
    if (!f)
        return NULL;
    fclose(f);
    return found;
}

/* A whole file, NUL-terminated, or NULL. Caller frees. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
        free(b);
        b = NULL;
    }
    fclose(f);
    if (b) {
        b[n] = 0;
        *len = (size_t)n;
    }
    return b;
}

/* JSON5 as these files use it (// and block comments, trailing commas)
 * rewritten in place as JSON; returns the new length. */
static size_t json5_to_json(char *s, size_t n)
{
    size_t o = 0;
    int in_str = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (in_str) {
            s[o++] = c;
            if (c == '\\' && i + 1 < n)
                s[o++] = s[++i];
            else if (c == '"')
                in_str = 0;
            continue;
        }
        if (c == '"') {
            in_str = 1;
            s[o++] = c;
        } else if (c == '/' && i + 1 < n && s[i + 1] == '/') {
            while (i < n && s[i] != '\n')
                i++;
            if (i < n)
                s[o++] = '\n';
        } else if (c == '/' && i + 1 < n && s[i + 1] == '*') {
            i += 2;
            while (i + 1 < n && !(s[i] == '*' && s[i + 1] == '/'))
                i++;
            i++;
        } else if (c == '}' || c == ']') {
            size_t k = o;
            while (k > 0 && (s[k - 1] == ' ' || s[k - 1] == '\n' || s[k - 1] == '\r' || s[k - 1] == '\t'))
                k--;
            if (k > 0 && s[k - 1] == ',')
                s[k - 1] = ' ';
            s[o++] = c;
        } else {
            s[o++] = c;
        }
    }
    s[o] = 0;
    return o;
}
#endif
