/* SPDX-License-Identifier: MIT
 * The store's file I/O, all of it through this one layer, so a test can make
 * opens, writes, syncs and reads fail (EIO, ENOSPC) at chosen points, as
 * SQLite's own tests do. Without a fault set, each call is the system call
 * (the write loops over short writes). Thread-safe: the store's writer and
 * the loop both call it.
 *
 * Faults come from the environment variable RUNNEL_FAULT (read once, at the
 * first call) or from rn_io_fault_set() at run time (the server's
 * POST /_runnel/fault). A spec is one or more faults separated by ',':
 *   OP:ERRNO[:after=N][:count=M][:path=SUBSTR][:partial]
 * OP is open, write, pread, fdatasync, fsync, ftruncate, rename or unlink;
 * ERRNO is EIO, ENOSPC, EDQUOT, EROFS, EACCES, EPERM, ENOENT, EMFILE, EFBIG
 * or EINTR. The fault lets N matching calls pass, then fails the next M (all
 * of them when count is absent), then lets calls pass again. path= limits it
 * to files whose path contains SUBSTR (for calls on a descriptor: the path it
 * was opened with through rn_io_open). partial (write only) writes the first
 * half of the buffer before failing, as a disk that fills mid-write does. */
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
/* Closes a descriptor from rn_io_open and forgets its path (close(2) never
 * fails by injection: a failed close leaves nothing to retry). */
int rn_io_close(int fd);
/* fsyncs the directory dir (after a create, rename or unlink in it, so the
 * entry itself is durable); goes through the open and fsync faults. */
int rn_io_fsync_dir(const char *dir);

/* Replaces the faults in force with spec ("" or NULL clears them all), each
 * with its call counts from zero. Returns 0, or -1 when spec does not parse
 * (then the faults in force are kept). */
int rn_io_fault_set(const char *spec);
/* Parses spec without applying it: 0, or -1 with the reason in err (errlen
 * bytes). */
int rn_io_fault_check(const char *spec, char *err, size_t errlen);
/* How many calls have failed by injection since the process started. */
unsigned long rn_io_fault_hits(void);
/* Parses RUNNEL_FAULT now (otherwise done at the first I/O call); -1 with a
 * reason in err when it does not parse, so a server can refuse to start. */
int rn_io_fault_init(char *err, size_t errlen);
#endif
