/* SPDX-License-Identifier: MIT
 * Loads the access-key file into a sorted table so each SigV4 request can find
 * its secret with a binary search. The format is deliberately small (key,
 * separator, secret) and strict: a typo in a credentials file should stop the
 * server at startup with the line number, not surface later as a signature
 * mismatch. Secrets are wiped from memory when the table is freed. */
#include "aws/authfile.h"
#include "core/err.h"
#include "core/mem.h"

#include <openssl/crypto.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AUTHFILE_MAX_KEY 128
#define AUTHFILE_MAX_LINE 4096

typedef struct authfile_entry {
    char *key;
    char *secret;
    int line;
} authfile_entry_t;

struct aws_authfile {
    authfile_entry_t *e;
    size_t n;
    size_t cap;
};

__attribute__((format(printf, 4, 5))) static int authfile_fail(int err, char *msg, size_t msglen, const char *fmt,
                                                               ...)
{
    if (msg && msglen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, msglen, fmt, ap);
        va_end(ap);
    }
    return err;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int entry_cmp(const void *a, const void *b)
{
    const authfile_entry_t *x = a, *y = b;
    return strcmp(x->key, y->key);
}

/* Splits one non-comment line into key and secret (pointers into line,
 * NUL-terminated in place). Returns 0, or -1 when the line is malformed. */
static int line_split(char *line, char **key, char **secret)
{
    char *p = line;
    while (is_space(*p))
        p++;
    char *k = p;
    while (*p && !is_space(*p) && *p != ':' && *p != '=')
        p++;
    char *kend = p;
    while (is_space(*p))
        p++;
    if (*p == ':' || *p == '=') {
        p++;
        while (is_space(*p))
            p++;
    } else if (p == kend) {
        return -1; /* no separator at all */
    }
    char *s = p;
    while (*p && !is_space(*p))
        p++;
    char *send = p;
    while (is_space(*p))
        p++;
    if (*p || kend == k || send == s)
        return -1;
    *kend = '\0';
    *send = '\0';
    *key = k;
    *secret = s;
    return 0;
}

static int table_add(aws_authfile_t *a, const char *key, const char *secret, int line)
{
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 8;
        authfile_entry_t *e = rn_realloc(a->e, cap * sizeof *e);
        if (!e)
            return RN_ERR_NOMEM;
        a->e = e;
        a->cap = cap;
    }
    char *k = rn_strdup(key), *s = rn_strdup(secret);
    if (!k || !s) {
        rn_free(k);
        rn_free(s);
        return RN_ERR_NOMEM;
    }
    a->e[a->n++] = (authfile_entry_t){k, s, line};
    return 0;
}

/* Reads and validates the whole file before returning anything, so a bad
 * line leaves no half-loaded table. Caller owns *out; free with
 * aws_authfile_free(). */
int aws_authfile_load(const char *path, aws_authfile_t **out, char *msg, size_t msglen)
{
    *out = NULL;
    if (msg && msglen)
        msg[0] = '\0';
    FILE *f = fopen(path, "r");
    if (!f)
        return authfile_fail(errno == ENOENT ? RN_ERR_NOT_FOUND : RN_ERR_INTERNAL, msg, msglen, "%s: %s", path,
                             strerror(errno));
    int rc = 0;
    aws_authfile_t *a = rn_calloc(1, sizeof *a);
    char *line = rn_malloc(AUTHFILE_MAX_LINE);
    if (!a || !line) {
        rc = authfile_fail(RN_ERR_NOMEM, msg, msglen, "out of memory");
        goto out;
    }
    int lineno = 0;
    while (fgets(line, AUTHFILE_MAX_LINE, f)) {
        lineno++;
        size_t len = strlen(line);
        if (len == AUTHFILE_MAX_LINE - 1 && line[len - 1] != '\n' && !feof(f)) {
            rc = authfile_fail(RN_ERR_INVALID_PARAMETER, msg, msglen, "%s:%d: line too long", path, lineno);
            goto out;
        }
        char *p = line;
        while (is_space(*p))
            p++;
        if (*p == '\0' || *p == '#')
            continue;
        char *key, *secret;
        if (line_split(p, &key, &secret) < 0) {
            rc = authfile_fail(RN_ERR_INVALID_PARAMETER, msg, msglen,
                               "%s:%d: expected ACCESS_KEY SECRET, ACCESS_KEY:SECRET or ACCESS_KEY=SECRET", path,
                               lineno);
            goto out;
        }
        if (strlen(key) > AUTHFILE_MAX_KEY) {
            rc = authfile_fail(RN_ERR_INVALID_PARAMETER, msg, msglen,
                               "%s:%d: access key longer than %d characters", path, lineno, AUTHFILE_MAX_KEY);
            goto out;
        }
        if ((rc = table_add(a, key, secret, lineno)) != 0) {
            authfile_fail(rc, msg, msglen, "out of memory");
            goto out;
        }
    }
    if (ferror(f)) {
        rc = authfile_fail(RN_ERR_INTERNAL, msg, msglen, "%s: read error", path);
        goto out;
    }
    if (a->n)
        qsort(a->e, a->n, sizeof *a->e, entry_cmp);
    for (size_t i = 1; i < a->n; i++) {
        if (strcmp(a->e[i - 1].key, a->e[i].key) == 0) {
            int l1 = a->e[i - 1].line, l2 = a->e[i].line;
            rc = authfile_fail(RN_ERR_INVALID_PARAMETER, msg, msglen,
                               "%s:%d: duplicate access key '%s' (also on line %d)", path, l1 > l2 ? l1 : l2,
                               a->e[i].key, l1 > l2 ? l2 : l1);
            goto out;
        }
    }
out:
    fclose(f);
    if (line) {
        OPENSSL_cleanse(line, AUTHFILE_MAX_LINE);
        rn_free(line);
    }
    if (rc) {
        aws_authfile_free(a);
        return rc;
    }
    *out = a;
    return 0;
}

/* Binary search by access key. Borrowed; valid until aws_authfile_free(a). */
const char *aws_authfile_secret(const aws_authfile_t *a, const char *access_key)
{
    if (!a || !access_key || !a->n)
        return NULL;
    authfile_entry_t probe = {(char *)access_key, NULL, 0};
    const authfile_entry_t *e = bsearch(&probe, a->e, a->n, sizeof *a->e, entry_cmp);
    return e ? e->secret : NULL;
}

/* Returns how many keys were loaded; 0 for NULL. */
size_t aws_authfile_count(const aws_authfile_t *a)
{
    return a ? a->n : 0;
}

/* Wipes every secret before releasing it, so freed heap holds no keys. */
void aws_authfile_free(aws_authfile_t *a)
{
    if (!a)
        return;
    for (size_t i = 0; i < a->n; i++) {
        OPENSSL_cleanse(a->e[i].secret, strlen(a->e[i].secret));
        rn_free(a->e[i].secret);
        rn_free(a->e[i].key);
    }
    rn_free(a->e);
    rn_free(a);
}
