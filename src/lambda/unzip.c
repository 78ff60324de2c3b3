/* SPDX-License-Identifier: MIT
 * Unpacks a deployment package (a zip held in memory) into a directory, with
 * Debian's libzip. What it refuses, before writing anything: a file that is
 * not a zip, an entry whose name is absolute or climbs out with "..", a
 * symbolic link whose target leaves the directory (and nothing is ever
 * written through a link), more entries than a
 * package may hold, and declared sizes over the limit. While writing, it
 * counts the bytes actually inflated, so a zip whose headers lie about sizes
 * (a zip bomb) stops at the limit too. Unix modes are kept (a `bootstrap`
 * stays executable); every file is at least readable by its owner. */
#include "lambda/unzip.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#define MAX_ENTRIES 100000
#define MAX_NAME 4096

/* Records why (what, and the entry's name when there is one). */
static int fail(int rc, char *msg, size_t msglen, const char *what, const char *name)
{
    snprintf(msg, msglen, "%s%s%s", what, name ? ": " : "", name ? name : "");
    return rc;
}

/* A relative path with no empty, "." or ".." component (a trailing '/' marks
 * a directory and is allowed). */
int lambda_unzip_name_ok(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n >= MAX_NAME || name[0] == '/')
        return 0;
    const char *p = name;
    while (*p) {
        const char *e = strchr(p, '/');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len == 0 && e) /* "a//b" or a leading "/" */
            return 0;
        if ((len == 1 && p[0] == '.') || (len == 2 && p[0] == '.' && p[1] == '.'))
            return 0;
        if (!e)
            break;
        p = e + 1;
    }
    return 1;
}

/* Whether a link at `name` pointing to `target` stays inside the root: a
 * relative target without ".." only ever descends from the link's own
 * directory, whatever links it passes through (which obey the same rule),
 * so it cannot leave the package. Targets that climb are refused. */
int lambda_unzip_link_ok(const char *name, const char *target)
{
    (void)name;
    if (!target[0] || target[0] == '/')
        return 0;
    for (const char *p = target; *p;) {
        size_t len = strcspn(p, "/");
        if (len == 2 && p[0] == '.' && p[1] == '.')
            return 0;
        p += len;
        while (*p == '/')
            p++;
    }
    return 1;
}

/* Opens (making them as needed) the directories of rel up to its last '/',
 * one component at a time and never through a symbolic link, so no entry is
 * written through a link an earlier entry made. Returns the directory's fd
 * (the caller closes it) and its last component in *base, or -1. */
static int open_parent(int root, const char *rel, char *comp, size_t cap, const char **base)
{
    int dir = dup(root);
    const char *p = rel;
    for (const char *e; dir >= 0 && (e = strchr(p, '/')) != NULL && e[1]; p = e + 1) {
        size_t len = (size_t)(e - p);
        if (len >= cap)
            goto bad;
        memcpy(comp, p, len);
        comp[len] = 0;
        if (mkdirat(dir, comp, 0755) < 0 && errno != EEXIST)
            goto bad;
        int next = openat(dir, comp, O_DIRECTORY | O_NOFOLLOW | O_RDONLY | O_CLOEXEC);
        close(dir);
        dir = next;
    }
    if (dir < 0)
        return -1;
    size_t len = strcspn(p, "/");
    if (len == 0 || len >= cap)
        goto bad;
    memcpy(comp, p, len);
    comp[len] = 0;
    *base = comp;
    return dir;
bad:
    close(dir);
    return -1;
}

static int write_entry(zip_t *z, zip_uint64_t i, int root, const char *name, mode_t mode, uint64_t *total,
                       uint64_t max, int *too_big)
{
    zip_file_t *f = zip_fopen_index(z, i, 0);
    if (!f)
        return -1;
    int fd = openat(root, name, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode);
    if (fd < 0) {
        zip_fclose(f);
        return -1;
    }
    char buf[65536];
    int rc = 0;
    for (;;) {
        zip_int64_t n = zip_fread(f, buf, sizeof buf);
        if (n < 0) {
            rc = -1;
            break;
        }
        if (n == 0)
            break;
        *total += (uint64_t)n;
        if (*total > max) {
            *too_big = 1;
            rc = -1;
            break;
        }
        for (zip_int64_t off = 0; off < n;) {
            ssize_t w = write(fd, buf + off, (size_t)(n - off));
            if (w < 0) {
                if (errno == EINTR)
                    continue;
                rc = -1;
                break;
            }
            off += w;
        }
        if (rc < 0)
            break;
    }
    if (zip_fclose(f) != 0) /* a CRC mismatch shows here */
        rc = -1;
    if (close(fd) < 0)
        rc = -1;
    return rc;
}

static int read_link(zip_t *z, zip_uint64_t i, char *target, size_t cap)
{
    zip_file_t *f = zip_fopen_index(z, i, 0);
    if (!f)
        return -1;
    zip_int64_t n = zip_fread(f, target, cap - 1);
    int closed = zip_fclose(f);
    if (n < 0 || (size_t)n >= cap - 1 || closed != 0)
        return -1;
    target[n] = 0;
    return memchr(target, 0, (size_t)n) ? -1 : 0;
}

/* The entry's unix mode from its external attributes, or 0 when it has none. */
static mode_t unix_mode(zip_t *z, zip_uint64_t i)
{
    zip_uint8_t os;
    zip_uint32_t attr;
    if (zip_file_get_external_attributes(z, i, 0, &os, &attr) < 0 || os != ZIP_OPSYS_UNIX)
        return 0;
    return (mode_t)(attr >> 16);
}

int lambda_unzip(const void *data, size_t len, const char *dir, uint64_t max_unzipped, uint64_t *unzipped,
                 char *msg, size_t msglen)
{
    *unzipped = 0;
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(data, len, 0, &ze);
    if (!src) {
        zip_error_fini(&ze);
        return fail(LAMBDA_UNZIP_BAD, msg, msglen, "not a zip", NULL);
    }
    zip_t *z = zip_open_from_source(src, ZIP_RDONLY, &ze);
    zip_error_fini(&ze);
    if (!z) {
        zip_source_free(src);
        return fail(LAMBDA_UNZIP_BAD, msg, msglen, "not a zip", NULL);
    }
    int rc = 0;
    zip_int64_t n = zip_get_num_entries(z, 0);
    if (n < 0 || n > MAX_ENTRIES) {
        rc = fail(LAMBDA_UNZIP_BAD, msg, msglen, "too many entries", NULL);
        goto out;
    }
    /* Pass 1: names and declared sizes, before anything is written. */
    uint64_t declared = 0;
    for (zip_int64_t i = 0; i < n; i++) {
        zip_stat_t st;
        if (zip_stat_index(z, (zip_uint64_t)i, 0, &st) < 0 || !(st.valid & ZIP_STAT_NAME) ||
            !(st.valid & ZIP_STAT_SIZE)) {
            rc = fail(LAMBDA_UNZIP_BAD, msg, msglen, "unreadable entry", NULL);
            goto out;
        }
        if (!lambda_unzip_name_ok(st.name)) {
            rc = fail(LAMBDA_UNZIP_BAD, msg, msglen, "entry name not allowed", st.name);
            goto out;
        }
        declared += st.size;
        if (declared > max_unzipped || st.size > max_unzipped) {
            rc = fail(LAMBDA_UNZIP_TOO_BIG, msg, msglen, "declared sizes exceed the limit", NULL);
            goto out;
        }
    }
    int root = open(dir, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
    if (root < 0) {
        rc = fail(LAMBDA_UNZIP_IO, msg, msglen, "cannot open", dir);
        goto out;
    }
    /* Pass 2: write. */
    for (zip_int64_t i = 0; i < n && rc == 0; i++) {
        const char *name = zip_get_name(z, (zip_uint64_t)i, 0);
        size_t nl = strlen(name);
        mode_t mode = unix_mode(z, (zip_uint64_t)i);
        char comp[256];
        const char *base;
        int dir = open_parent(root, name, comp, sizeof comp, &base);
        if (dir < 0) {
            rc = fail(LAMBDA_UNZIP_BAD, msg, msglen, "cannot make the directories of", name);
            break;
        }
        if (name[nl - 1] == '/' || S_ISDIR(mode)) {
            if (mkdirat(dir, base, 0755) < 0 && errno != EEXIST)
                rc = fail(LAMBDA_UNZIP_BAD, msg, msglen, "cannot make directory", name);
        } else if (S_ISLNK(mode)) {
            char target[MAX_NAME];
            if (read_link(z, (zip_uint64_t)i, target, sizeof target) < 0 || !lambda_unzip_link_ok(name, target))
                rc = fail(LAMBDA_UNZIP_BAD, msg, msglen, "symbolic link leaves the package", name);
            else if (symlinkat(target, dir, base) < 0)
                rc = fail(LAMBDA_UNZIP_BAD, msg, msglen, "cannot link", name);
        } else {
            mode_t perm = mode ? (mode & 0755) | 0400 : 0644;
            int too_big = 0;
            if (write_entry(z, (zip_uint64_t)i, dir, base, perm, unzipped, max_unzipped, &too_big) < 0)
                rc = too_big ? fail(LAMBDA_UNZIP_TOO_BIG, msg, msglen, "unzipped size exceeds the limit", NULL)
                             : fail(LAMBDA_UNZIP_BAD, msg, msglen, "cannot unpack", name);
        }
        close(dir);
    }
    close(root);
out:
    zip_discard(z); /* frees src too */
    return rc;
}
