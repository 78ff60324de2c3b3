/* SPDX-License-Identifier: MIT
 * The store's file I/O, all of it through this one layer, so a test can make
 * opens, writes, syncs and reads fail (EIO, ENOSPC) at chosen points, as
 * SQLite's own tests do. Without a fault set, each call is the system call
 * (the write loops over short writes). Thread-safe: the store's writer and
 * the loop both call it. */
#ifndef RN_STORE_IO_H
#define RN_STORE_IO_H
#include <stddef.h>
#include <sys/types.h>

/* Each returns what the system call returns (-1 with errno set on failure). */
int rn_io_open(const char *path, int flags, int mode);
/* Writes all n bytes (looping over short writes) or fails. */
ssize_t rn_io_write(int fd, const void *buf, size_t n);
ssize_t rn_io_pread(int fd, void *buf, size_t n, off_t off);
int rn_io_fdatasync(int fd);
int rn_io_fsync(int fd);
int rn_io_ftruncate(int fd, off_t len);
int rn_io_rename(const char *from, const char *to);
int rn_io_unlink(const char *path);
#endif
