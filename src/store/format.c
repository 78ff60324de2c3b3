/* SPDX-License-Identifier: MIT
 * The data dir's format version file (format.h): read, written atomically
 * through the I/O layer (so faults reach it), and the start-up decision
 * (new dir, migrate a version 1 dir, go on, or refuse a newer one). Owns no
 * state. */
#include "store/format.h"

#include "core/log.h"
#include "store/io.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static const char prefix[] = "runnel-store ";

/* Reads the FORMAT file at path: its version, or -1 with the reason. */
static int parse_file(const char *path, int *version, char *err, size_t errlen)
{
    int fd = rn_io_open(path, O_RDONLY, 0);
    if (fd < 0) {
        snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    char buf[64];
    ssize_t n = rn_io_pread(fd, buf, sizeof buf - 1, 0);
    int saved = errno;
    rn_io_close(fd);
    if (n < 0) {
        snprintf(err, errlen, "cannot read %s: %s", path, strerror(saved));
        return -1;
    }
    buf[n] = '\0';
    size_t plen = sizeof prefix - 1;
    const char *d = buf + plen;
    size_t digits = strspn(d, "0123456789");
    if ((size_t)n < plen || memcmp(buf, prefix, plen) != 0 || digits == 0 || digits > 6 || strcmp(d + digits, "\n") != 0) {
        snprintf(err, errlen, "%s is not a runnel format file (expected one line \"runnel-store N\")", path);
        return -1;
    }
    *version = atoi(d);
    return 0;
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* The format of data_dir; see format.h. */
int rn_format_read(const char *data_dir, int *version, char *err, size_t errlen)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", data_dir, RN_FORMAT_FILE);
    if (exists(path))
        return parse_file(path, version, err, errlen);
    snprintf(path, sizeof path, "%s/runnel.db", data_dir);
    *version = exists(path) ? RN_FORMAT_V1 : RN_FORMAT_EMPTY;
    return 0;
}

/* Writes FORMAT atomically; see format.h. */
int rn_format_write(const char *data_dir, int version, char *err, size_t errlen)
{
    char tmp[4096], path[4096], line[32];
    snprintf(tmp, sizeof tmp, "%s/%s.tmp", data_dir, RN_FORMAT_FILE);
    snprintf(path, sizeof path, "%s/%s", data_dir, RN_FORMAT_FILE);
    int len = snprintf(line, sizeof line, "%s%d\n", prefix, version);
    const char *step = "create";
    int rc = -1, fd = rn_io_open(tmp, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    if (fd < 0)
        goto out;
    step = "write";
    if (rn_io_write(fd, line, (size_t)len) < 0)
        goto out;
    step = "fsync";
    if (rn_io_fsync(fd) < 0)
        goto out;
    step = "rename";
    if (rn_io_rename(tmp, path) < 0)
        goto out;
    step = "directory fsync";
    if (rn_io_fsync_dir(data_dir) < 0)
        goto out;
    rc = 0;
out:
    if (rc < 0)
        snprintf(err, errlen, "cannot write %s (%s): %s", path, step, strerror(errno));
    if (fd >= 0)
        rn_io_close(fd);
    if (rc < 0 && strcmp(step, "directory fsync") != 0)
        rn_io_unlink(tmp); /* best effort: a stale temporary file is harmless, the next write truncates it */
    return rc;
}

/* Readies data_dir for this runnel; see format.h. */
int rn_format_prepare(const char *data_dir, rn_format_migrate_fn migrate, void *arg, char *err, size_t errlen)
{
    int version;
    if (rn_format_read(data_dir, &version, err, errlen) < 0)
        return -1;
    if (version == RN_FORMAT_VERSION)
        return 0;
    if (version > RN_FORMAT_VERSION) {
        snprintf(err, errlen,
                 "data dir %s holds store format %d, written by a newer runnel; this runnel reads format %d. "
                 "Start a runnel that knows format %d, or give an empty --data-dir",
                 data_dir, version, RN_FORMAT_VERSION, version);
        return -1;
    }
    if (version == RN_FORMAT_V1) {
        if (!migrate) {
            snprintf(err, errlen,
                     "data dir %s holds the SQLite-only store (format 1); this runnel reads format %d. "
                     "Start runnel serve with this --data-dir to migrate it, or give an empty --data-dir",
                     data_dir, RN_FORMAT_VERSION);
            return -1;
        }
        RN_INFO("data dir %s: migrating store format 1 to %d", data_dir, RN_FORMAT_VERSION);
        if (migrate(arg, data_dir, err, errlen) < 0)
            return -1;
    } else if (version != RN_FORMAT_EMPTY) {
        snprintf(err, errlen, "data dir %s holds store format %d, which no runnel wrote", data_dir, version);
        return -1;
    }
    return rn_format_write(data_dir, RN_FORMAT_VERSION, err, errlen);
}

int rn_datadir_lock(const char *data_dir, char *err, size_t errlen)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/LOCK", data_dir);
    int fd = rn_io_open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
        int e = errno;
        char pid[32] = "";
        ssize_t n = rn_io_pread(fd, pid, sizeof pid - 1, 0);
        pid[n > 0 ? n : 0] = '\0';
        pid[strcspn(pid, "\n")] = '\0';
        if (e == EWOULDBLOCK)
            snprintf(err, errlen, "data dir %s is in use by another runnel (pid %s): stop it, or give another --data-dir",
                     data_dir, pid[0] ? pid : "?");
        else
            snprintf(err, errlen, "cannot lock %s: %s", path, strerror(e));
        rn_io_close(fd);
        return -1;
    }
    char pid[32];
    int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    if (rn_io_ftruncate(fd, 0) < 0 || rn_io_write(fd, pid, (size_t)n) < 0)
        RN_WARN("store: cannot write the pid into %s: %s", path, strerror(errno));
    return fd;
}
