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
#include "store/log_int.h"
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

UNIT_MAIN()
