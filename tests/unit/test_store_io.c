/* SPDX-License-Identifier: MIT
 * The store's I/O layer (store/io.c) and its fault injection: each call is
 * the system call until a fault is set; a fault fails the chosen operation
 * with the chosen errno, after N calls, for M calls, only on matching paths;
 * a bad spec is refused and leaves the faults in force. Files live in a
 * temporary directory. */
#include "store/io.h"
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];

static const char *tmpdir(void)
{
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/tmp/rn-io-XXXXXX");
        if (!mkdtemp(dir))
            dir[0] = '\0';
    }
    return dir;
}

static void path_of(char *out, size_t n, const char *name)
{
    snprintf(out, n, "%s/%s", tmpdir(), name);
}

/* A new empty file `name` in the temporary directory, its path into p (128
 * bytes): the descriptor. */
static int fresh(const char *name, char *p)
{
    path_of(p, 128, name);
    return rn_io_open(p, O_CREAT | O_RDWR | O_TRUNC, 0644);
}

/* Clears the faults, closes fd and removes p. */
static void done(int fd, const char *p)
{
    rn_io_fault_set("");
    rn_io_close(fd);
    rn_io_unlink(p);
}

static off_t size_of(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? st.st_size : -1;
}

TEST(test_io_without_faults_is_the_system_call)
{
    rn_io_fault_set("");
    char p[128], q[128];
    path_of(p, sizeof p, "plain");
    path_of(q, sizeof q, "plain2");
    int fd = rn_io_open(p, O_CREAT | O_RDWR | O_TRUNC, 0644);
    CHECK(fd >= 0);
    CHECK_INT(rn_io_write(fd, "hello world", 11), 11);
    CHECK_INT(rn_io_fdatasync(fd), 0);
    CHECK_INT(rn_io_fsync(fd), 0);
    char buf[16] = {0};
    CHECK_INT(rn_io_pread(fd, buf, 5, 6), 5);
    CHECK_STR(buf, "world");
    CHECK_INT(rn_io_ftruncate(fd, 5), 0);
    CHECK_INT(rn_io_close(fd), 0);
    CHECK_INT(size_of(p), 5);
    CHECK_INT(rn_io_rename(p, q), 0);
    CHECK_INT(rn_io_fsync_dir(tmpdir()), 0);
    CHECK_INT(size_of(q), 5);
    CHECK_INT(rn_io_unlink(q), 0);
    CHECK_INT(size_of(q), -1);
}

TEST(test_io_write_enospc_fails_every_write_until_cleared)
{
    char p[128];
    int fd = fresh("full", p);
    CHECK(fd >= 0);
    unsigned long before = rn_io_fault_hits();
    CHECK_INT(rn_io_fault_set("write:ENOSPC"), 0);
    errno = 0;
    CHECK_INT(rn_io_write(fd, "abc", 3), -1);
    CHECK_INT(errno, ENOSPC);
    CHECK_INT(rn_io_write(fd, "abc", 3), -1);
    CHECK_INT(rn_io_fault_hits() - before, 2);
    CHECK_INT(size_of(p), 0); /* nothing reached the file */
    CHECK_INT(rn_io_fdatasync(fd), 0); /* other operations pass */
    CHECK_INT(rn_io_fault_set(NULL), 0);
    CHECK_INT(rn_io_write(fd, "abc", 3), 3);
    CHECK_INT(size_of(p), 3);
    done(fd, p);
}

TEST(test_io_after_and_count_choose_which_calls_fail)
{
    char p[128];
    int fd = fresh("counted", p);
    CHECK(fd >= 0);
    CHECK_INT(rn_io_fault_set("fdatasync:EIO:after=2:count=3"), 0);
    int got[7];
    for (int i = 0; i < 7; i++) {
        errno = 0;
        got[i] = rn_io_fdatasync(fd) < 0 ? errno : 0;
    }
    CHECK_INT(got[0], 0);
    CHECK_INT(got[1], 0);
    CHECK_INT(got[2], EIO);
    CHECK_INT(got[3], EIO);
    CHECK_INT(got[4], EIO);
    CHECK_INT(got[5], 0);
    CHECK_INT(got[6], 0);
    done(fd, p);
}

TEST(test_io_path_filter_reaches_writes_through_the_descriptor)
{
    char a[128], b[128];
    path_of(a, sizeof a, "0000000001.seg");
    path_of(b, sizeof b, "runnel.db-wal");
    int fa = rn_io_open(a, O_CREAT | O_RDWR | O_TRUNC, 0644);
    int fb = rn_io_open(b, O_CREAT | O_RDWR | O_TRUNC, 0644);
    CHECK(fa >= 0 && fb >= 0);
    CHECK_INT(rn_io_fault_set("write:EIO:path=.seg,fsync:EIO:path=.seg"), 0);
    errno = 0;
    CHECK_INT(rn_io_write(fa, "x", 1), -1);
    CHECK_INT(errno, EIO);
    CHECK_INT(rn_io_fsync(fa), -1);
    CHECK_INT(rn_io_write(fb, "x", 1), 1);
    CHECK_INT(rn_io_fsync(fb), 0);
    rn_io_fault_set("");
    rn_io_close(fa);
    rn_io_close(fb);
    /* a descriptor reused for another path takes that path's filter */
    int fc = rn_io_open(b, O_RDWR, 0);
    CHECK(fc >= 0);
    rn_io_fault_set("write:EIO:path=.seg");
    CHECK_INT(rn_io_write(fc, "y", 1), 1);
    rn_io_fault_set("");
    rn_io_close(fc);
    rn_io_unlink(a);
    rn_io_unlink(b);
}

TEST(test_io_open_and_pread_faults)
{
    char p[128];
    int fd = fresh("reads", p);
    CHECK(fd >= 0);
    CHECK_INT(rn_io_write(fd, "0123456789", 10), 10);
    CHECK_INT(rn_io_fault_set("open:EIO:path=nope,pread:EIO:count=1"), 0);
    char buf[4];
    errno = 0;
    CHECK_INT(rn_io_pread(fd, buf, 4, 0), -1);
    CHECK_INT(errno, EIO);
    CHECK_INT(rn_io_pread(fd, buf, 4, 0), 4); /* count=1: the next passes */
    char q[128];
    path_of(q, sizeof q, "nope");
    errno = 0;
    CHECK_INT(rn_io_open(q, O_CREAT | O_RDWR, 0644), -1);
    CHECK_INT(errno, EIO);
    CHECK_INT(size_of(q), -1); /* the failed open created nothing */
    int fd2 = rn_io_open(p, O_RDONLY, 0);
    CHECK(fd2 >= 0);
    rn_io_fault_set("");
    rn_io_close(fd2);
    done(fd, p);
}

TEST(test_io_partial_write_leaves_half_the_buffer)
{
    char p[128];
    int fd = fresh("torn", p);
    CHECK(fd >= 0);
    CHECK_INT(rn_io_fault_set("write:ENOSPC:partial"), 0);
    errno = 0;
    CHECK_INT(rn_io_write(fd, "abcdefgh", 8), -1);
    CHECK_INT(errno, ENOSPC);
    CHECK_INT(size_of(p), 4);
    done(fd, p);
}

TEST(test_io_bad_spec_is_refused_and_keeps_the_faults)
{
    char err[256] = "";
    CHECK_INT(rn_io_fault_check("write:ENOSPC:after=3:count=2:path=x,open:EIO", err, sizeof err), 0);
    CHECK_INT(rn_io_fault_check("write", err, sizeof err), -1);
    CHECK(strstr(err, "names no error") != NULL);
    CHECK_INT(rn_io_fault_check("scribble:EIO", err, sizeof err), -1);
    CHECK(strstr(err, "scribble") != NULL);
    CHECK_INT(rn_io_fault_check("write:EWHAT", err, sizeof err), -1);
    CHECK(strstr(err, "EWHAT") != NULL);
    CHECK_INT(rn_io_fault_check("write:EIO:after=x", err, sizeof err), -1);
    CHECK_INT(rn_io_fault_check("write:EIO:count=0", err, sizeof err), -1);
    CHECK_INT(rn_io_fault_check("pread:EIO:partial", err, sizeof err), -1);
    CHECK_INT(rn_io_fault_check("write:EIO,", err, sizeof err), -1);

    char p[128];
    int fd = fresh("kept", p);
    CHECK(fd >= 0);
    CHECK_INT(rn_io_fault_set("fsync:EROFS"), 0);
    CHECK_INT(rn_io_fault_set("fsync:NOPE"), -1);
    errno = 0;
    CHECK_INT(rn_io_fsync(fd), -1);
    CHECK_INT(errno, EROFS);
    done(fd, p);
}

static int shared_fd;

static void *hammer(void *arg)
{
    (void)arg;
    long failed = 0;
    for (int i = 0; i < 2000; i++)
        if (rn_io_fdatasync(shared_fd) < 0)
            failed++;
    return (void *)failed;
}

TEST(test_io_faults_count_exactly_across_threads)
{
    char p[128];
    path_of(p, sizeof p, "threads");
    shared_fd = rn_io_open(p, O_CREAT | O_RDWR | O_TRUNC, 0644);
    CHECK(shared_fd >= 0);
    CHECK_INT(rn_io_fault_set("fdatasync:EIO:after=1000:count=777"), 0);
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, hammer, NULL);
    long total = 0;
    for (int i = 0; i < 4; i++) {
        void *r;
        pthread_join(t[i], &r);
        total += (long)r;
    }
    CHECK_INT(total, 777);
    rn_io_fault_set("");
    rn_io_close(shared_fd);
    rn_io_unlink(p);
    rmdir(tmpdir());
}

UNIT_MAIN()
