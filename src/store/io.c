/* SPDX-License-Identifier: MIT
 * The store's file I/O layer (io.h). Faults: to come (the injection layer). */
#include "store/io.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

int rn_io_open(const char *path, int flags, int mode)
{
    return open(path, flags, mode);
}

ssize_t rn_io_write(int fd, const void *buf, size_t n)
{
    const char *p = buf;
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

ssize_t rn_io_pread(int fd, void *buf, size_t n, off_t off)
{
    ssize_t r;
    do
        r = pread(fd, buf, n, off);
    while (r < 0 && errno == EINTR);
    return r;
}

int rn_io_fdatasync(int fd)
{
    return fdatasync(fd);
}

int rn_io_fsync(int fd)
{
    return fsync(fd);
}

int rn_io_ftruncate(int fd, off_t len)
{
    return ftruncate(fd, len);
}

int rn_io_rename(const char *from, const char *to)
{
    return rename(from, to);
}

int rn_io_unlink(const char *path)
{
    return unlink(path);
}
