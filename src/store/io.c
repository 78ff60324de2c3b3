/* SPDX-License-Identifier: MIT
 * The store's file I/O layer (io.h) and its fault injection. Each call asks
 * fault_hit() whether an armed fault fails it; with none armed that is one
 * atomic load, so the layer costs nothing in production. Faults and their
 * call counts live under one mutex (the writer thread and the loop both do
 * I/O); a small table remembers the path each descriptor was opened with, so
 * a fault limited by path reaches writes and syncs too. */
#include "store/io.h"

#include "core/log.h"
#include "core/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef enum {
    IO_OPEN,
    IO_WRITE,
    IO_PREAD,
    IO_FDATASYNC,
    IO_FSYNC,
    IO_FTRUNCATE,
    IO_RENAME,
    IO_UNLINK,
    IO_NOPS
} io_op_t;

static const char *const op_names[IO_NOPS] = {"open",  "write",     "pread",  "fdatasync",
                                              "fsync", "ftruncate", "rename", "unlink"};

static const struct {
    const char *name;
    int err;
} errnos[] = {{"EIO", EIO},     {"ENOSPC", ENOSPC}, {"EDQUOT", EDQUOT}, {"EROFS", EROFS}, {"EACCES", EACCES},
              {"EPERM", EPERM}, {"ENOENT", ENOENT}, {"EMFILE", EMFILE}, {"EFBIG", EFBIG}, {"EINTR", EINTR}};

#define IO_MAX_FAULTS 8

typedef struct io_fault {
    io_op_t op;
    int err;
    uint64_t after; /* matching calls that pass before the first failure */
    uint64_t count; /* failures before calls pass again; 0: no end */
    int partial;    /* write: half the buffer reaches the file first */
    char path[128]; /* "" matches every file */
    uint64_t seen;  /* matching calls so far */
} io_fault_t;

static pthread_mutex_t fault_mu = PTHREAD_MUTEX_INITIALIZER;
static io_fault_t faults[IO_MAX_FAULTS];
static int nfaults;
static atomic_int armed;
static atomic_ulong hits;
static pthread_once_t env_once = PTHREAD_ONCE_INIT;

/* Descriptor -> the path it was opened with (owned copies), for path=. */
static pthread_mutex_t fd_mu = PTHREAD_MUTEX_INITIALIZER;
static char **fd_paths;
static int fd_cap;

static int parse_u64(const char *s, size_t n, uint64_t *out)
{
    if (n == 0 || n > 18)
        return -1;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    *out = v;
    return 0;
}

/* One fault "OP:ERRNO[:opt]..." of n bytes at s into f. */
static int parse_one(const char *s, size_t n, io_fault_t *f, char *err, size_t errlen)
{
    memset(f, 0, sizeof *f);
    size_t field = 0;
    const char *p = s, *end = s + n;
    while (p <= end) {
        const char *c = memchr(p, ':', (size_t)(end - p));
        if (!c)
            c = end;
        size_t len = (size_t)(c - p);
        if (field == 0) {
            int k = 0;
            while (k < IO_NOPS && !(strlen(op_names[k]) == len && memcmp(op_names[k], p, len) == 0))
                k++;
            if (k == IO_NOPS) {
                snprintf(err, errlen, "unknown operation '%.*s' (open, write, pread, fdatasync, fsync, ftruncate, "
                         "rename, unlink)", (int)len, p);
                return -1;
            }
            f->op = (io_op_t)k;
        } else if (field == 1) {
            size_t k = 0;
            while (k < sizeof errnos / sizeof errnos[0] &&
                   !(strlen(errnos[k].name) == len && memcmp(errnos[k].name, p, len) == 0))
                k++;
            if (k == sizeof errnos / sizeof errnos[0]) {
                snprintf(err, errlen, "unknown error '%.*s' (EIO, ENOSPC, EDQUOT, EROFS, EACCES, EPERM, ENOENT, "
                         "EMFILE, EFBIG, EINTR)", (int)len, p);
                return -1;
            }
            f->err = errnos[k].err;
        } else if (len > 6 && memcmp(p, "after=", 6) == 0 && parse_u64(p + 6, len - 6, &f->after) == 0) {
        } else if (len > 6 && memcmp(p, "count=", 6) == 0 && parse_u64(p + 6, len - 6, &f->count) == 0 &&
                   f->count > 0) {
        } else if (len > 5 && memcmp(p, "path=", 5) == 0 && len - 5 < sizeof f->path) {
            memcpy(f->path, p + 5, len - 5);
            f->path[len - 5] = '\0';
        } else if (len == 7 && memcmp(p, "partial", 7) == 0 && f->op == IO_WRITE) {
            f->partial = 1;
        } else {
            snprintf(err, errlen, "bad option '%.*s' (after=N, count=M with M > 0, path=SUBSTR, partial for write)",
                     (int)len, p);
            return -1;
        }
        field++;
        p = c + 1;
    }
    if (field < 2) {
        snprintf(err, errlen, "'%.*s' names no error: write OP:ERRNO, e.g. write:ENOSPC", (int)n, s);
        return -1;
    }
    return 0;
}

/* The whole spec into out[] (*nout faults). */
static int parse_spec(const char *spec, io_fault_t *out, int *nout, char *err, size_t errlen)
{
    *nout = 0;
    if (!spec || !*spec)
        return 0;
    const char *p = spec;
    for (;;) {
        const char *c = strchr(p, ',');
        size_t len = c ? (size_t)(c - p) : strlen(p);
        if (*nout == IO_MAX_FAULTS) {
            snprintf(err, errlen, "more than %d faults", IO_MAX_FAULTS);
            return -1;
        }
        if (parse_one(p, len, &out[*nout], err, errlen) < 0)
            return -1;
        (*nout)++;
        if (!c)
            return 0;
        p = c + 1;
    }
}

static void apply(const io_fault_t *f, int n)
{
    pthread_mutex_lock(&fault_mu);
    memcpy(faults, f, (size_t)n * sizeof *f);
    nfaults = n;
    atomic_store(&armed, n > 0);
    pthread_mutex_unlock(&fault_mu);
}

static int env_rc;
static char env_err[256];

static void read_env(void)
{
    const char *spec = getenv("RUNNEL_FAULT");
    io_fault_t f[IO_MAX_FAULTS];
    int n;
    if (parse_spec(spec, f, &n, env_err, sizeof env_err) < 0) {
        env_rc = -1;
        RN_ERROR("RUNNEL_FAULT ignored: %s", env_err);
        return;
    }
    if (n > 0) {
        RN_WARN("RUNNEL_FAULT=%s: store I/O will fail on purpose", spec);
        apply(f, n);
    }
}

/* Parses RUNNEL_FAULT now; see io.h. */
int rn_io_fault_init(char *err, size_t errlen)
{
    pthread_once(&env_once, read_env);
    if (env_rc < 0 && err)
        snprintf(err, errlen, "RUNNEL_FAULT: %s", env_err);
    return env_rc;
}

/* Replaces the faults in force; see io.h. */
int rn_io_fault_set(const char *spec)
{
    pthread_once(&env_once, read_env);
    io_fault_t f[IO_MAX_FAULTS];
    int n;
    char err[256];
    if (parse_spec(spec, f, &n, err, sizeof err) < 0)
        return -1;
    apply(f, n);
    return 0;
}

/* Parses spec without applying it; see io.h. */
int rn_io_fault_check(const char *spec, char *err, size_t errlen)
{
    io_fault_t f[IO_MAX_FAULTS];
    int n;
    char tmp[256];
    int rc = parse_spec(spec, f, &n, tmp, sizeof tmp);
    if (rc < 0 && err)
        snprintf(err, errlen, "%s", tmp);
    return rc;
}

/* How many calls failed by injection; see io.h. */
unsigned long rn_io_fault_hits(void)
{
    return atomic_load(&hits);
}

/* The path fd was opened with, copied into out ("" when unknown). */
static void fd_path(int fd, char *out, size_t outlen)
{
    out[0] = '\0';
    pthread_mutex_lock(&fd_mu);
    if (fd >= 0 && fd < fd_cap && fd_paths[fd])
        snprintf(out, outlen, "%s", fd_paths[fd]);
    pthread_mutex_unlock(&fd_mu);
}

static void fd_remember(int fd, const char *path)
{
    char *copy = rn_strdup(path);
    pthread_mutex_lock(&fd_mu);
    if (fd >= fd_cap) {
        int cap = fd_cap ? fd_cap : 64;
        while (cap <= fd)
            cap *= 2;
        char **grown = rn_realloc(fd_paths, (size_t)cap * sizeof *grown);
        if (grown) {
            memset(grown + fd_cap, 0, (size_t)(cap - fd_cap) * sizeof *grown);
            fd_paths = grown;
            fd_cap = cap;
        }
    }
    if (fd < fd_cap) {
        rn_free(fd_paths[fd]);
        fd_paths[fd] = copy; /* NULL when out of memory: the path is unknown */
        copy = NULL;
    }
    pthread_mutex_unlock(&fd_mu);
    rn_free(copy);
}

static void fd_forget(int fd)
{
    pthread_mutex_lock(&fd_mu);
    if (fd >= 0 && fd < fd_cap) {
        rn_free(fd_paths[fd]);
        fd_paths[fd] = NULL;
    }
    pthread_mutex_unlock(&fd_mu);
}

/* Whether an armed fault fails this call of op on path (or on fd's path when
 * path is NULL): its errno, else 0. *partial says a write fault wants half
 * the buffer written first. */
static int fault_hit(io_op_t op, const char *path, int fd, int *partial)
{
    pthread_once(&env_once, read_env);
    if (!atomic_load_explicit(&armed, memory_order_relaxed))
        return 0;
    char known[512];
    if (!path) {
        fd_path(fd, known, sizeof known);
        path = known;
    }
    int err = 0;
    pthread_mutex_lock(&fault_mu);
    for (int i = 0; i < nfaults && !err; i++) {
        io_fault_t *f = &faults[i];
        if (f->op != op || (f->path[0] && !strstr(path, f->path)))
            continue;
        uint64_t k = f->seen++;
        if (k >= f->after && (f->count == 0 || k - f->after < f->count)) {
            err = f->err;
            if (partial)
                *partial = f->partial;
        }
    }
    pthread_mutex_unlock(&fault_mu);
    if (err)
        atomic_fetch_add(&hits, 1);
    return err;
}

static int fail(int err)
{
    errno = err;
    return -1;
}

int rn_io_open(const char *path, int flags, int mode)
{
    int err = fault_hit(IO_OPEN, path, -1, NULL);
    if (err)
        return fail(err);
    int fd;
    do
        fd = open(path, flags, mode);
    while (fd < 0 && errno == EINTR);
    if (fd >= 0)
        fd_remember(fd, path);
    return fd;
}

static ssize_t write_all(int fd, const char *p, size_t n)
{
    size_t done = 0;
    while (done < n) {
        ssize_t w = write(fd, p + done, n - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -1;
        done += (size_t)w;
    }
    return (ssize_t)done;
}

ssize_t rn_io_write(int fd, const void *buf, size_t n)
{
    int partial = 0;
    int err = fault_hit(IO_WRITE, NULL, fd, &partial);
    if (err) {
        if (partial && n > 1 && write_all(fd, buf, n / 2) < 0)
            return -1;
        return fail(err);
    }
    return write_all(fd, buf, n);
}

ssize_t rn_io_pread(int fd, void *buf, size_t n, off_t off)
{
    int err = fault_hit(IO_PREAD, NULL, fd, NULL);
    if (err)
        return fail(err);
    ssize_t r;
    do
        r = pread(fd, buf, n, off);
    while (r < 0 && errno == EINTR);
    return r;
}

int rn_io_fdatasync(int fd)
{
    int err = fault_hit(IO_FDATASYNC, NULL, fd, NULL);
    return err ? fail(err) : fdatasync(fd);
}

int rn_io_fsync(int fd)
{
    int err = fault_hit(IO_FSYNC, NULL, fd, NULL);
    return err ? fail(err) : fsync(fd);
}

int rn_io_ftruncate(int fd, off_t len)
{
    int err = fault_hit(IO_FTRUNCATE, NULL, fd, NULL);
    return err ? fail(err) : ftruncate(fd, len);
}

int rn_io_rename(const char *from, const char *to)
{
    int err = fault_hit(IO_RENAME, from, -1, NULL);
    return err ? fail(err) : rename(from, to);
}

int rn_io_unlink(const char *path)
{
    int err = fault_hit(IO_UNLINK, path, -1, NULL);
    return err ? fail(err) : unlink(path);
}

/* Closes fd and forgets its path; see io.h. */
int rn_io_close(int fd)
{
    fd_forget(fd);
    return close(fd);
}

/* fsyncs a directory; see io.h. */
int rn_io_fsync_dir(const char *dir)
{
    int fd = rn_io_open(dir, O_RDONLY | O_DIRECTORY, 0);
    if (fd < 0)
        return -1;
    int rc = rn_io_fsync(fd);
    int saved = errno;
    rn_io_close(fd);
    errno = saved;
    return rc;
}
