/* SPDX-License-Identifier: MIT
 * The log engine's pieces: records encode and decode back; CRC32C gives the
 * published check value; segments written frame by frame scan back with
 * every record in order; a torn tail (a frame cut short, a bad checksum in
 * the last segment) is found and cut; a bad frame before the last segment is
 * corruption naming the file and offset; the message index keeps, replaces
 * and removes entries. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/mem.h"
#include <sys/wait.h>
#include <uv.h>

#include "store/engine_log.h"
#include "store/io.h"
#include "store/logscan.h"
#include "unit.h"

static void tmpdir(char *dir, size_t n)
{
    snprintf(dir, n, "/tmp/runnel-log-XXXXXX");
    if (!mkdtemp(dir))
        dir[0] = '\0';
}

static void rmdir_all(const char *dir)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

TEST(test_crc32c_check_value)
{
    CHECK_INT(rn_crc32c(0, "123456789", 9), 0xE3069283u);
    /* in two pieces, and through the table path's tail bytes */
    CHECK_INT(rn_crc32c(rn_crc32c(0, "1234", 4), "56789", 5), 0xE3069283u);
    CHECK_INT(rn_crc32c(0, "", 0), 0);
}

TEST(test_records_round_trip)
{
    rn_logbuf_t b = {0};
    rn_store_msg_rec_t m = {7, 42, "id-42", "hello", 5, "{\"g\":1}", "cold!", 5, 1000, 2000, 3, 1500};
    CHECK_INT(rn_rec_msg_put(&b, 10, &m), 0);
    long o2 = rn_rec_kv(&b, RN_REC_KV_PUT, 11, "ns", "key", "value");
    long o3 = rn_rec_msg_state(&b, 12, 7, 42, 9000, 4, 1600);
    long o4 = rn_rec_queue_put(&b, 13, 7, "orders", "{}");
    long o5 = rn_rec_kv(&b, RN_REC_KV_DEL, 14, "ns", "key", NULL);
    CHECK(o2 > 0 && o3 > o2 && o4 > o3 && o5 > o4);
    rn_log_rec_t r;
    CHECK_INT(rn_log_rec_decode(b.p, b.len, &r), 0);
    CHECK_INT(r.type, RN_REC_MSG_PUT);
    CHECK_INT(r.lsn, 10);
    CHECK_INT(r.qid, 7);
    CHECK_INT(r.seq, 42);
    CHECK_INT(r.visible_ms, 2000);
    CHECK_INT(r.receive_count, 3);
    CHECK(r.body_len == 5 && memcmp(r.body, "hello", 5) == 0);
    CHECK(r.cold_len == 5 && memcmp(r.cold, "cold!", 5) == 0);
    CHECK(r.meta_len == 7 && memcmp(r.meta, "{\"g\":1}", 7) == 0);
    CHECK_INT(r.body - (const char *)b.p, rn_msg_put_body_off(r.id_len, r.meta_len));
    CHECK_INT(rn_log_rec_decode(b.p + o2, b.len - (size_t)o2, &r), 0);
    CHECK(r.type == RN_REC_KV_PUT && r.value_len == 5 && memcmp(r.value, "value", 5) == 0);
    CHECK_INT(rn_log_rec_decode(b.p + o3, b.len - (size_t)o3, &r), 0);
    CHECK(r.type == RN_REC_MSG_STATE && r.visible_ms == 9000 && r.receive_count == 4 && r.first_receive_ms == 1600);
    CHECK_INT(rn_log_rec_decode(b.p + o5, b.len - (size_t)o5, &r), 0);
    CHECK(r.type == RN_REC_KV_DEL && r.value == NULL && r.key_len == 3);
    /* a put without a cold part decodes with cold NULL */
    rn_logbuf_t c = {0};
    m.cold = NULL;
    CHECK_INT(rn_rec_msg_put(&c, 1, &m), 0);
    CHECK_INT(rn_log_rec_decode(c.p, c.len, &r), 0);
    CHECK(r.cold == NULL && r.cold_len == 0);
    /* cut short, it does not decode */
    CHECK_INT(rn_log_rec_decode(c.p, c.len - 1, &r), -1);
    rn_logbuf_free(&b);
    rn_logbuf_free(&c);
}

/* Appends one frame of n KV_PUT records (LSNs from *lsn) to fd. */
static void write_frame(int fd, uint64_t *lsn, int n)
{
    rn_logbuf_t b = {0};
    rn_logbuf_reserve(&b, RN_FRAME_HDR);
    b.len = RN_FRAME_HDR;
    uint64_t first = *lsn;
    for (int i = 0; i < n; i++) {
        char k[32];
        snprintf(k, sizeof k, "k%llu", (unsigned long long)*lsn);
        rn_rec_kv(&b, RN_REC_KV_PUT, (*lsn)++, "t", k, "v");
    }
    rn_frame_seal(b.p, (uint32_t)(b.len - RN_FRAME_HDR), (uint32_t)n, first);
    if (write(fd, b.p, b.len) != (ssize_t)b.len)
        fprintf(stderr, "short write\n");
    rn_logbuf_free(&b);
}

typedef struct seen {
    uint64_t n, last_lsn;
    int in_order;
} seen_t;

static int see(void *ud, const rn_log_rec_t *r)
{
    seen_t *s = ud;
    s->in_order &= r->lsn == s->last_lsn + 1;
    s->last_lsn = r->lsn;
    s->n++;
    return 0;
}

static off_t file_size(const char *logdir, uint32_t segno)
{
    char p[4096];
    struct stat st;
    rn_seg_path(p, sizeof p, logdir, segno);
    return stat(p, &st) == 0 ? st.st_size : -1;
}

TEST(test_segments_scan_and_torn_tail_cut)
{
    char dir[64];
    tmpdir(dir, sizeof dir);
    uint64_t lsn = 1;
    int fd = rn_seg_create(dir, 1, lsn, 1);
    CHECK(fd >= 0);
    write_frame(fd, &lsn, 3);
    write_frame(fd, &lsn, 2);
    close(fd);
    fd = rn_seg_create(dir, 3, lsn, 1); /* gaps between segment numbers are normal */
    write_frame(fd, &lsn, 4);
    off_t good = lseek(fd, 0, SEEK_CUR);
    write_frame(fd, &lsn, 2);
    close(fd);
    rn_log_scan_stats_t st;
    seen_t s = {0, 0, 1};
    CHECK_INT(rn_log_scan(dir, 0, see, &s, &st), 0);
    CHECK_INT(s.n, 11);
    CHECK(s.in_order);
    CHECK_INT(st.segments, 2);
    CHECK_INT(st.frames, 4);
    CHECK_INT(st.last_segment, 3);
    CHECK_INT(st.torn_bytes, 0);
    CHECK_INT(st.tail_offset, file_size(dir, 3));
    /* tear the last frame: cut it short by 5 bytes */
    char p[4096];
    rn_seg_path(p, sizeof p, dir, 3);
    CHECK_INT(truncate(p, file_size(dir, 3) - 5), 0);
    s = (seen_t){0, 0, 1};
    CHECK_INT(rn_log_scan(dir, 0, see, &s, &st), 0);
    CHECK_INT(s.n, 9);
    CHECK_INT(st.torn_offset, good);
    CHECK(st.torn_bytes > 0);
    CHECK_INT(file_size(dir, 3), good + (off_t)st.torn_bytes); /* reporting only: nothing cut */
    CHECK_INT(rn_log_scan(dir, 1, NULL, NULL, &st), 0);
    CHECK_INT(file_size(dir, 3), good);
    CHECK_INT(rn_log_scan(dir, 0, NULL, NULL, &st), 0);
    CHECK_INT(st.torn_bytes, 0);
    /* a flipped byte inside a frame of the last segment: a torn tail too */
    fd = open(p, O_RDWR);
    CHECK_INT(pwrite(fd, "X", 1, good - 3), 1);
    close(fd);
    CHECK_INT(rn_log_scan(dir, 0, NULL, NULL, &st), 0);
    CHECK_INT(st.torn_offset, RN_SEG_HDR);
    /* the same in the first segment, before the tail: corruption, named */
    rn_seg_path(p, sizeof p, dir, 1);
    fd = open(p, O_RDWR);
    CHECK_INT(pwrite(fd, "X", 1, RN_SEG_HDR + RN_FRAME_HDR + 2), 1);
    close(fd);
    CHECK_INT(rn_log_scan(dir, 0, NULL, NULL, &st), RN_LOG_CORRUPT);
    CHECK(strstr(st.error, "0000000001.seg") != NULL);
    CHECK(strstr(st.error, "offset 32") != NULL);
    rmdir_all(dir);
}

TEST(test_segment_with_torn_header_is_removed)
{
    char dir[64];
    tmpdir(dir, sizeof dir);
    uint64_t lsn = 1;
    int fd = rn_seg_create(dir, 1, lsn, 1);
    write_frame(fd, &lsn, 2);
    close(fd);
    char p[4096];
    rn_seg_path(p, sizeof p, dir, 2);
    fd = open(p, O_CREAT | O_WRONLY, 0644);
    CHECK_INT(write(fd, "RNLOG", 5), 5);
    close(fd);
    rn_log_scan_stats_t st;
    CHECK_INT(rn_log_scan(dir, 1, NULL, NULL, &st), 0);
    CHECK_INT(st.last_segment, 1);
    CHECK_INT(st.records, 2);
    CHECK_INT(file_size(dir, 2), -1);
    rmdir_all(dir);
}

TEST(test_msgindex_put_get_delete_sweep)
{
    rn_msgindex_t ix = {0};
    for (int64_t s = 1; s <= 5000; s++) {
        rn_msgent_t e = {.seq = s * 7919, .seg = 1, .off = (uint32_t)s, .qidx = (uint32_t)rn_msgindex_qidx(&ix, s % 3)};
        CHECK_INT(rn_msgindex_put(&ix, &e, NULL), 0);
    }
    CHECK_INT(ix.len, 5000);
    CHECK_INT(ix.nqids, 3);
    CHECK_INT(rn_msgindex_get(&ix, 77 * 7919)->off, 77);
    rn_msgent_t e = {.seq = 77 * 7919, .seg = 2, .off = 1}, old;
    CHECK_INT(rn_msgindex_put(&ix, &e, &old), 1);
    CHECK_INT(old.off, 77);
    CHECK_INT(rn_msgindex_del(&ix, 78 * 7919, &old), 1);
    CHECK_INT(rn_msgindex_del(&ix, 78 * 7919, &old), 0);
    CHECK(rn_msgindex_get(&ix, 78 * 7919) == NULL);
    for (int64_t s = 1; s <= 5000; s++) /* every other entry still there after the deletes' shifts */
        if (s != 78 && !rn_msgindex_get(&ix, s * 7919)) {
            CHECK(!"entry lost");
            break;
        }
    CHECK(sizeof(rn_msgent_t) <= 40);
    rn_msgindex_free(&ix);
}

static int drop_qidx1(void *ud, const rn_msgent_t *e)
{
    (void)ud;
    return e->qidx == 1;
}

TEST(test_msgindex_sweep_removes_one_queue)
{
    rn_msgindex_t ix = {0};
    for (int64_t s = 1; s <= 3000; s++) {
        rn_msgent_t e = {.seq = s, .seg = 1, .qidx = (uint32_t)(s % 2)};
        rn_msgindex_put(&ix, &e, NULL);
    }
    rn_msgindex_sweep(&ix, drop_qidx1, NULL);
    CHECK_INT(ix.len, 1500);
    int ok = 1;
    for (int64_t s = 1; s <= 3000; s++)
        ok &= (rn_msgindex_get(&ix, s) != NULL) == (s % 2 == 0);
    CHECK(ok);
    rn_msgindex_free(&ix);
}

/* ---- the engine: compaction, and a kill while it runs ---- */

static void on_barrier(void *arg, int err)
{
    *(int *)arg = err == 0 ? 1 : -1;
}

static void on_tick(uv_timer_t *t)
{
    (void)t;
}

static int wait_durable(uv_loop_t *loop, rn_store_t *s)
{
    int done = 0;
    if (rn_store_barrier(s, rn_store_last_seq(s), on_barrier, &done))
        return 1;
    uv_timer_t tick;
    uv_timer_init(loop, &tick);
    uv_timer_start(&tick, on_tick, 1, 1);
    for (int i = 0; i < 10000 && !done; i++)
        uv_run(loop, UV_RUN_ONCE);
    uv_close((uv_handle_t *)&tick, NULL);
    uv_run(loop, UV_RUN_NOWAIT);
    return done;
}

static rn_store_t *open_log(uv_loop_t *loop, const char *dir)
{
    char msg[512];
    rn_store_t *s = NULL;
    if (rn_store_open(loop, dir, RN_FSYNC_ALWAYS, &s, msg, sizeof msg) < 0)
        fprintf(stderr, "  open: %s\n", msg);
    return s;
}

static void close_log(uv_loop_t *loop, rn_store_t *s)
{
    rn_store_close(s);
    uv_run(loop, UV_RUN_NOWAIT);
}

/* 200 messages of 200 bytes over small segments; all but every tenth
 * deleted, the survivors received once (a state record). */
static void fill(uv_loop_t *loop, rn_store_t *s)
{
    char body[201], id[32];
    memset(body, 'b', 200);
    body[200] = '\0';
    rn_store_queue_rec_t q = {1, "q", "{}"};
    rn_store_queue_put(s, &q);
    for (int i = 1; i <= 200; i++) {
        snprintf(id, sizeof id, "m%d", i);
        body[0] = (char)('A' + i % 26);
        rn_store_msg_rec_t m = {1, i, id, body, 200, "{}", i % 2 ? "c" : NULL, 1, i, i, 0, 0};
        rn_store_msg_put(s, &m);
        if (i % 20 == 0)
            wait_durable(loop, s); /* a frame per 20: segments roll */
    }
    for (int i = 1; i <= 200; i++) {
        if (i % 10)
            rn_store_msg_delete(s, 1, i);
        else
            rn_store_msg_state(s, 1, i, 5000 + i, 1, 77);
    }
    wait_durable(loop, s);
}

static char loaded[4096];
static int see_msg(void *ud, const rn_store_msg_rec_t *m)
{
    (void)ud;
    size_t n = strlen(loaded);
    snprintf(loaded + n, sizeof loaded - n, "%lld/%lld/%d;", (long long)m->seq, (long long)m->visible_ms,
             m->receive_count);
    return 0;
}

static int see_q(void *ud, const rn_store_queue_rec_t *q)
{
    (void)ud;
    (void)q;
    return 0;
}

static int see_kv(void *ud, const char *ns, const char *k, const char *v)
{
    (void)ud;
    (void)ns;
    (void)k;
    (void)v;
    return 0;
}

static const char *load_all(rn_store_t *s)
{
    loaded[0] = '\0';
    rn_store_loader_t l = {see_q, see_msg, see_kv, NULL};
    return rn_store_load(s, &l) == 0 ? loaded : "(error)";
}

static const char *expected(void)
{
    static char want[4096];
    want[0] = '\0';
    for (int i = 10; i <= 200; i += 10) {
        size_t n = strlen(want);
        snprintf(want + n, sizeof want - n, "%d/%d/1;", i, 5000 + i);
    }
    return want;
}

static int bodies_ok(rn_store_t *s)
{
    for (int i = 10; i <= 200; i += 10) {
        char *b = NULL, *c = NULL;
        size_t bl, cl;
        if (rn_store_msg_read(s, 1, i, &b, &bl, &c, &cl) != 0)
            return 0;
        int ok = bl == 200 && b[0] == 'A' + i % 26 && b[199] == 'b' && (i % 2 ? c && cl == 1 : c == NULL);
        rn_free(b);
        if (!ok)
            return 0;
    }
    return 1;
}

static void compact_until_quiet(uv_loop_t *loop, rn_store_t *s)
{
    for (int i = 0; i < 20; i++) {
        lg_compact_step((lg_t *)s);
        wait_durable(loop, s);
        rn_store_kv_put(s, "tick", "k", "v"); /* a turn for the writer's deletions to follow */
        wait_durable(loop, s);
    }
}

TEST(test_compaction_deletes_dead_and_copies_sparse_segments)
{
    char dir[64];
    tmpdir(dir, sizeof dir);
    setenv("RUNNEL_LOG_SEGMENT_BYTES", "8192", 1);
    uv_loop_t loop;
    uv_loop_init(&loop);
    rn_store_t *s = open_log(&loop, dir);
    CHECK(s != NULL);
    fill(&loop, s);
    rn_store_disk_stats_t before, after;
    CHECK_INT(rn_store_disk_stats(s, &before), 0);
    CHECK(before.segments >= 4);
    CHECK_INT(before.messages, 20);
    compact_until_quiet(&loop, s);
    CHECK_INT(rn_store_disk_stats(s, &after), 0);
    CHECK(after.segments < before.segments);
    CHECK(after.compacted_bytes > 0);
    CHECK(after.record_bytes < before.record_bytes);
    CHECK(after.written_bytes > after.client_bytes); /* write amplification above 1 */
    CHECK(bodies_ok(s));
    close_log(&loop, s);
    s = open_log(&loop, dir);
    CHECK(s != NULL);
    CHECK_STR(load_all(s), expected());
    CHECK(bodies_ok(s));
    close_log(&loop, s);
    uv_loop_close(&loop);
    unsetenv("RUNNEL_LOG_SEGMENT_BYTES");
    rmdir_all(dir);
}

/* A child compacts and dies: after the copies are queued but before they
 * are durable (kill_at 0), or once they are durable but before the old
 * segments are deleted (kill_at 1). Either way every message is there
 * once, with its latest state. */
static void kill_during_compaction(int kill_at, int *unit_failed_)
{
    char dir[64];
    tmpdir(dir, sizeof dir);
    setenv("RUNNEL_LOG_SEGMENT_BYTES", "8192", 1);
    pid_t pid = fork();
    if (pid == 0) {
        uv_loop_t loop;
        uv_loop_init(&loop);
        rn_store_t *s = open_log(&loop, dir);
        if (!s)
            _exit(2);
        fill(&loop, s);
        for (int i = 0; i < 10; i++)
            lg_compact_step((lg_t *)s); /* copies queued, nothing handed to the writer yet */
        if (kill_at == 1 && wait_durable(&loop, s) != 1)
            _exit(3);
        _exit(((lg_t *)s)->compact_bytes > 0 ? 0 : 4);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    uv_loop_t loop;
    uv_loop_init(&loop);
    rn_store_t *s = open_log(&loop, dir);
    CHECK(s != NULL);
    if (s) {
        CHECK_STR(load_all(s), expected());
        CHECK(bodies_ok(s));
        compact_until_quiet(&loop, s); /* and it finishes the job after the restart */
        close_log(&loop, s);
        s = open_log(&loop, dir);
        CHECK_STR(load_all(s), expected());
        close_log(&loop, s);
    }
    uv_loop_close(&loop);
    unsetenv("RUNNEL_LOG_SEGMENT_BYTES");
    rmdir_all(dir);
}

TEST(test_kill_before_compaction_copies_are_durable)
{
    kill_during_compaction(0, unit_failed_);
}

TEST(test_kill_after_copies_before_old_segments_go)
{
    kill_during_compaction(1, unit_failed_);
}

/* ---- a full disk: the batch fails, is kept, and lands once space returns ---- */

/* Queues a message and waits for its barrier: 1 durable, -1 failed. */
static int put_and_wait(uv_loop_t *loop, rn_store_t *s, int64_t seq, const char *fault)
{
    char id[32];
    snprintf(id, sizeof id, "m%lld", (long long)seq);
    rn_store_msg_rec_t m = {1, seq, id, "body", 4, "{}", NULL, 0, 1, 1, 0, 0};
    rn_store_msg_put(s, &m);
    rn_store_kv_put(s, "k", id, "v");
    if (fault)
        rn_io_fault_set(fault);
    return wait_durable(loop, s);
}

static void full_disk(const char *fault, int *unit_failed_)
{
    char dir[64];
    tmpdir(dir, sizeof dir);
    uv_loop_t loop;
    uv_loop_init(&loop);
    rn_store_t *s = open_log(&loop, dir);
    CHECK(s != NULL);
    rn_store_queue_rec_t q = {1, "q", "{}"};
    rn_store_queue_put(s, &q);
    CHECK_INT(put_and_wait(&loop, s, 1, NULL), 1);
    CHECK_INT(put_and_wait(&loop, s, 2, fault), -1); /* the client gets a 500 */
    /* still readable from RAM while the disk refuses it */
    char *b = NULL, *c = NULL;
    size_t bl, cl;
    CHECK_INT(rn_store_msg_read(s, 1, 2, &b, &bl, &c, &cl), 0);
    rn_free(b);
    rn_io_fault_set(""); /* space returns: the kept batch lands with the next */
    CHECK_INT(put_and_wait(&loop, s, 3, NULL), 1);
    rn_store_disk_stats_t d;
    rn_store_disk_stats(s, &d);
    CHECK(d.write_errors >= 1);
    close_log(&loop, s);
    char logdir[128];
    snprintf(logdir, sizeof logdir, "%s/log", dir);
    rn_log_scan_stats_t st;
    CHECK_INT(rn_log_scan(logdir, 0, NULL, NULL, &st), 0); /* nothing corrupt, nothing torn */
    CHECK_INT(st.torn_bytes, 0);
    s = open_log(&loop, dir);
    CHECK_STR(load_all(s), "1/1/0;2/1/0;3/1/0;");
    char *v = NULL;
    CHECK_INT(rn_store_kv_get(s, "k", "m2", &v), 0);
    rn_free(v);
    close_log(&loop, s);
    uv_loop_close(&loop);
    rmdir_all(dir);
}

TEST(test_enospc_on_write_fails_the_batch_then_it_lands)
{
    full_disk("write:ENOSPC:path=.seg:partial", unit_failed_);
}

TEST(test_eio_on_fdatasync_fails_the_batch_then_it_lands)
{
    full_disk("fdatasync:EIO:path=.seg", unit_failed_);
}

UNIT_MAIN()
