/* SPDX-License-Identifier: MIT
 * `runnel check` (store/check.c) on data dirs built here with the log's own
 * encoders: a sound dir counts its live messages per queue (deletes, purges,
 * queue deletes and resets applied); a torn tail is sound; a bad frame
 * followed by good ones, or in an earlier segment, is not, naming the file
 * and offset; SQLite's integrity and applied LSN are checked; usage errors
 * exit 2. */
#include <fcntl.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/check.h"
#include "store/log_int.h"
#include "unit.h"

static char out[16384];

/* Runs `runnel check` with args, its stdout into out; the exit status. */
static int run_check(int argc, const char **argv)
{
    char path[] = "/tmp/rn-check-out-XXXXXX";
    int fd = mkstemp(path);
    fflush(stdout);
    int saved = dup(1);
    dup2(fd, 1);
    int rc = rn_store_check_main(argc, (char **)argv);
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    ssize_t n = pread(fd, out, sizeof out - 1, 0);
    out[n > 0 ? n : 0] = '\0';
    close(fd);
    unlink(path);
    return rc;
}

static int check_dir(const char *dir)
{
    const char *argv[] = {"--data-dir", dir};
    return run_check(2, argv);
}

typedef struct logw {
    char dir[64], logdir[96];
    int fd;
    uint32_t seg;
    uint64_t lsn;
    rn_logbuf_t b; /* the frame being built: header room, then records */
    uint32_t count;
    uint64_t first;
} logw_t;

static void logw_open(logw_t *w)
{
    memset(w, 0, sizeof *w);
    snprintf(w->dir, sizeof w->dir, "/tmp/rn-check-XXXXXX");
    if (!mkdtemp(w->dir))
        w->dir[0] = '\0';
    snprintf(w->logdir, sizeof w->logdir, "%s/log", w->dir);
    mkdir(w->logdir, 0755);
    char format[128];
    snprintf(format, sizeof format, "%s/FORMAT", w->dir);
    FILE *f = fopen(format, "w");
    if (f) {
        fputs("runnel-store 2\n", f);
        fclose(f);
    }
    w->seg = 1;
    w->lsn = 1;
    w->fd = rn_seg_create(w->logdir, w->seg, 1, 0);
}

static void frame_begin(logw_t *w)
{
    w->b.len = 0;
    rn_logbuf_reserve(&w->b, RN_FRAME_HDR);
    w->b.len = RN_FRAME_HDR;
    w->count = 0;
    w->first = w->lsn;
}

/* Seals the frame and appends it: its offset in the segment. */
static off_t frame_end(logw_t *w)
{
    rn_frame_seal(w->b.p, (uint32_t)(w->b.len - RN_FRAME_HDR), w->count, w->first);
    off_t at = lseek(w->fd, 0, SEEK_END);
    if (write(w->fd, w->b.p, w->b.len) != (ssize_t)w->b.len)
        return -1;
    return at;
}

static void put_queue(logw_t *w, int64_t qid, const char *name)
{
    rn_rec_queue_put(&w->b, w->lsn++, qid, name, "{}");
    w->count++;
}

static void put_msg(logw_t *w, int64_t qid, int64_t seq, const char *body)
{
    char id[32];
    snprintf(id, sizeof id, "id-%lld", (long long)seq);
    rn_store_msg_rec_t m = {qid, seq, id, body, strlen(body), "{}", NULL, 0, 1000, 1000, 0, 0};
    rn_rec_msg_put(&w->b, w->lsn++, &m);
    w->count++;
}

static void put_ids(logw_t *w, int type, int64_t qid, int64_t seq)
{
    rn_rec_ids(&w->b, type, w->lsn++, qid, seq);
    w->count++;
}

static void next_segment(logw_t *w)
{
    close(w->fd);
    w->seg++;
    w->fd = rn_seg_create(w->logdir, w->seg, w->lsn, 0);
}

static void logw_close(logw_t *w)
{
    close(w->fd);
    rn_logbuf_free(&w->b);
}

static void flip_byte(const char *logdir, uint32_t seg, off_t at)
{
    char path[160];
    rn_seg_path(path, sizeof path, logdir, seg);
    int fd = open(path, O_RDWR);
    unsigned char c;
    if (pread(fd, &c, 1, at) == 1) {
        c ^= 0x40;
        if (pwrite(fd, &c, 1, at) != 1)
            fprintf(stderr, "pwrite failed\n");
    }
    close(fd);
}

static void rm_rf(const char *dir)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", dir);
}

/* Two queues, five messages over two segments: seq 2 deleted, seq 3's state
 * changed; queue 9 purged after one put. */
static void build_sound(logw_t *w, off_t *mid_frame)
{
    logw_open(w);
    frame_begin(w);
    put_queue(w, 1, "orders");
    put_queue(w, 9, "spam");
    put_msg(w, 1, 1, "one");
    put_msg(w, 1, 2, "two");
    frame_end(w);
    frame_begin(w);
    put_msg(w, 1, 3, "three");
    put_msg(w, 9, 4, "junk");
    put_ids(w, RN_REC_MSG_DEL, 1, 2);
    frame_end(w);
    next_segment(w);
    frame_begin(w);
    rn_rec_msg_state(&w->b, w->lsn++, 1, 3, 5000, 1, 1000);
    w->count++;
    put_ids(w, RN_REC_MSG_PURGE, 9, 0);
    off_t f1 = frame_end(w);
    frame_begin(w);
    put_msg(w, 1, 5, "five");
    off_t f2 = frame_end(w);
    frame_begin(w);
    put_msg(w, 1, 6, "six");
    frame_end(w);
    (void)f1;
    if (mid_frame)
        *mid_frame = f2;
}

TEST(test_check_sound_dir_counts_live_messages)
{
    logw_t w;
    build_sound(&w, NULL);
    logw_close(&w);
    CHECK_INT(check_dir(w.dir), 0);
    CHECK(strstr(out, "result: sound") != NULL);
    CHECK(strstr(out, "tail: clean") != NULL);
    CHECK(strstr(out, "log: 2 segments (1..2), 5 frames, 11 records, ") != NULL);
    CHECK(strstr(out, "messages: 4 live") != NULL); /* 1, 3, 5, 6 */
    CHECK(strstr(out, "queue 1 orders: 4 messages") != NULL);
    CHECK(strstr(out, "spam") == NULL); /* purged: no live message */
    CHECK(strstr(out, "format: 2") != NULL);
    if (strstr(out, "result: sound") == NULL)
        fputs(out, stderr);
    rm_rf(w.dir);
}

TEST(test_check_torn_tail_is_sound_and_reported)
{
    logw_t w;
    build_sound(&w, NULL);
    off_t end = lseek(w.fd, 0, SEEK_END);
    CHECK_INT(ftruncate(w.fd, end - 3), 0); /* the last frame cut short */
    logw_close(&w);
    CHECK_INT(check_dir(w.dir), 0);
    CHECK(strstr(out, "tail: torn") != NULL);
    CHECK(strstr(out, "0000000002.seg") != NULL);
    CHECK(strstr(out, "messages: 3 live") != NULL); /* six is gone with the tail */
    CHECK(strstr(out, "result: sound") != NULL);
    rm_rf(w.dir);
}

TEST(test_check_flipped_byte_before_good_frames_is_damage)
{
    logw_t w;
    off_t mid;
    build_sound(&w, &mid);
    logw_close(&w);
    flip_byte(w.logdir, 2, mid + RN_FRAME_HDR + 20);
    CHECK_INT(check_dir(w.dir), 1);
    char want[128];
    snprintf(want, sizeof want, "0000000002.seg: bad frame (checksum, magic or length) at offset %lld",
             (long long)mid);
    CHECK(strstr(out, want) != NULL);
    CHECK(strstr(out, "not a torn tail") != NULL);
    CHECK(strstr(out, "result: NOT SOUND") != NULL);
    rm_rf(w.dir);
}

TEST(test_check_bad_frame_in_an_earlier_segment_is_damage)
{
    logw_t w;
    build_sound(&w, NULL);
    logw_close(&w);
    flip_byte(w.logdir, 1, RN_SEG_HDR + RN_FRAME_HDR + 3);
    CHECK_INT(check_dir(w.dir), 1);
    CHECK(strstr(out, "0000000001.seg") != NULL);
    char want[64];
    snprintf(want, sizeof want, "at offset %d", RN_SEG_HDR);
    CHECK(strstr(out, want) != NULL);
    CHECK(strstr(out, "result: NOT SOUND") != NULL);
    rm_rf(w.dir);
}

TEST(test_check_reset_and_queue_delete_drop_messages)
{
    logw_t w;
    logw_open(&w);
    frame_begin(&w);
    put_queue(&w, 1, "a");
    put_queue(&w, 2, "b");
    put_msg(&w, 1, 1, "x");
    put_msg(&w, 2, 2, "y");
    frame_end(&w);
    frame_begin(&w);
    rn_rec_reset(&w.b, w.lsn++);
    w.count++;
    put_queue(&w, 3, "c");
    put_msg(&w, 3, 3, "z");
    put_queue(&w, 4, "d");
    put_msg(&w, 4, 4, "w");
    put_ids(&w, RN_REC_QUEUE_DEL, 4, 0);
    frame_end(&w);
    logw_close(&w);
    CHECK_INT(check_dir(w.dir), 0);
    CHECK(strstr(out, "messages: 1 live") != NULL);
    CHECK(strstr(out, "queue 3 c: 1 messages") != NULL);
    rm_rf(w.dir);
}

static void sql(const char *dir, const char *stmts)
{
    char path[128];
    snprintf(path, sizeof path, "%s/runnel.db", dir);
    sqlite3 *db;
    sqlite3_open(path, &db);
    sqlite3_exec(db, stmts, NULL, NULL, NULL);
    sqlite3_close(db);
}

TEST(test_check_sqlite_applied_lsn_beyond_the_log)
{
    logw_t w;
    build_sound(&w, NULL);
    logw_close(&w);
    sql(w.dir, "CREATE TABLE meta(k TEXT PRIMARY KEY, v INTEGER NOT NULL);"
               "INSERT INTO meta VALUES('applied_lsn', 11);"
               "CREATE TABLE queues(qid INTEGER PRIMARY KEY, name TEXT NOT NULL, state TEXT NOT NULL);");
    CHECK_INT(check_dir(w.dir), 0);
    CHECK(strstr(out, "integrity ok") != NULL);
    CHECK(strstr(out, "applied LSN 11") != NULL);
    sql(w.dir, "UPDATE meta SET v = 12 WHERE k = 'applied_lsn'");
    CHECK_INT(check_dir(w.dir), 1);
    CHECK(strstr(out, "beyond the log's last LSN 11") != NULL);
    rm_rf(w.dir);
}

TEST(test_check_damaged_sqlite_file)
{
    logw_t w;
    build_sound(&w, NULL);
    logw_close(&w);
    char path[128];
    sql(w.dir, "CREATE TABLE t(a, b); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)"
               " INSERT INTO t SELECT i, randomblob(100) FROM n; CREATE INDEX t_a ON t(a);");
    snprintf(path, sizeof path, "%s/runnel.db", w.dir);
    /* scribble over a page in the middle of the file */
    int fd = open(path, O_RDWR);
    char junk[512];
    memset(junk, 0x5A, sizeof junk);
    CHECK_INT(pwrite(fd, junk, sizeof junk, 4096 * 20 + 100), (ssize_t)sizeof junk);
    close(fd);
    CHECK_INT(check_dir(w.dir), 1);
    CHECK(strstr(out, "problem:") != NULL);
    CHECK(strstr(out, "runnel.db") != NULL);
    rm_rf(w.dir);
}

TEST(test_check_usage_and_formats)
{
    const char *none[] = {"--bogus"};
    CHECK_INT(run_check(1, none), 2);
    CHECK_INT(run_check(0, none), 2);
    const char *missing[] = {"--data-dir", "/nonexistent/rn"};
    CHECK_INT(run_check(2, missing), 2);
    logw_t w;
    logw_open(&w);
    logw_close(&w);
    char path[128];
    snprintf(path, sizeof path, "%s/FORMAT", w.dir);
    FILE *f = fopen(path, "w");
    fputs("runnel-store 7\n", f);
    fclose(f);
    CHECK_INT(check_dir(w.dir), 1);
    CHECK(strstr(out, "store format 7 is newer") != NULL);
    rm_rf(w.dir);
    /* an empty dir is a new one: sound */
    char empty[] = "/tmp/rn-check-empty-XXXXXX";
    CHECK(mkdtemp(empty) != NULL);
    CHECK_INT(check_dir(empty), 0);
    CHECK(strstr(out, "format: none") != NULL);
    CHECK(strstr(out, "log: 0 segments") != NULL);
    rmdir(empty);
}

UNIT_MAIN()
