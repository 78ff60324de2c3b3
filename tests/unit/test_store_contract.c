/* SPDX-License-Identifier: MIT
 * The store contract, which every engine passes: the log engine (the
 * durable default), the sqlite engine alone, the memory engine, and a
 * partition view over each. Keyed records read back at
 * once (before their commit) and after it, by key and by range in key order;
 * a durability barrier fires; a durable engine reloads everything (records,
 * queues, messages) after a close, and after a crash (a child process that
 * writes, waits for its barrier and dies without closing) keeps every record
 * whose barrier had fired; a reset leaves nothing. A message's body and cold
 * part read back (rn_store_msg_read) before and after their commit, after a
 * state change and a restart, and not after a delete, purge, queue deletion
 * or reset. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uv.h>

#include "core/mem.h"
#include "store/store_int.h"
#include "unit.h"

enum { LOG, SQLITE, MEMORY, VIEW_LOG, VIEW_SQLITE, VIEW_MEMORY };
static const char *names[] = {"log", "sqlite", "memory", "view over log", "view over sqlite", "view over memory"};

static int is_durable(int engine)
{
    return engine != MEMORY && engine != VIEW_MEMORY;
}

typedef struct fixture {
    uv_loop_t loop;
    char dir[64];
    rn_store_t *base, *s; /* s is base, or a view over it */
} fixture_t;

static int open_engine(fixture_t *f, int engine, int fresh)
{
    char msg[256];
    if (fresh) {
        uv_loop_init(&f->loop);
        snprintf(f->dir, sizeof f->dir, "/tmp/runnel-store-XXXXXX");
        if (!mkdtemp(f->dir))
            return -1;
    }
    int rc = engine == SQLITE || engine == VIEW_SQLITE
                 ? rn_store_open_sqlite(&f->loop, f->dir, RN_FSYNC_ALWAYS, &f->base, msg, sizeof msg)
                 : rn_store_open(&f->loop, is_durable(engine) ? f->dir : NULL, RN_FSYNC_ALWAYS, &f->base, msg,
                                 sizeof msg);
    if (rc < 0) {
        fprintf(stderr, "  open: %s\n", msg);
        return -1;
    }
    f->s = f->base;
    if (engine >= VIEW_LOG && rn_store_view(f->base, "@111111111111/eu-west-1/", 3 * RN_STORE_ID_SPAN, &f->s) < 0)
        return -1;
    return 0;
}

/* A fresh store of that engine in f, named on stderr. */
static int open_fresh(fixture_t *f, int engine)
{
    memset(f, 0, sizeof *f);
    if (open_engine(f, engine, 1) < 0)
        return -1;
    fprintf(stderr, "  engine: %s\n", names[engine]);
    return 0;
}

static void close_engine(fixture_t *f)
{
    if (f->s != f->base)
        rn_store_close(f->s);
    rn_store_close(f->base);
    uv_run(&f->loop, UV_RUN_NOWAIT); /* the sqlite engine frees itself in close callbacks */
}

static void finish(fixture_t *f)
{
    uv_loop_close(&f->loop);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", f->dir);
}

static void on_barrier(void *arg, int err)
{
    *(int *)arg = err == 0 ? 1 : -1;
}

static void on_tick(uv_timer_t *t)
{
    (void)t;
}

/* Waits until everything queued so far is durable: 1, or -1 on a failed
 * commit. A ticking timer keeps the loop alive (the store's own handles do
 * not), so it turns and hands the mutations to the writer. */
static int wait_durable(fixture_t *f)
{
    int done = 0;
    if (rn_store_barrier(f->s, rn_store_last_seq(f->s), on_barrier, &done))
        return 1;
    uv_timer_t tick;
    uv_timer_init(&f->loop, &tick);
    uv_timer_start(&tick, on_tick, 1, 1);
    for (int i = 0; i < 10000 && !done; i++)
        uv_run(&f->loop, UV_RUN_ONCE);
    uv_close((uv_handle_t *)&tick, NULL);
    uv_run(&f->loop, UV_RUN_NOWAIT);
    return done;
}

static char got[1024];
static int collect(void *ud, const char *key, const char *value)
{
    (void)ud;
    size_t n = strlen(got);
    snprintf(got + n, sizeof got - n, "%s%s=%s", n ? "," : "", key, value);
    return 0;
}

static const char *scan(rn_store_t *s, const char *ns, const char *from, const char *to)
{
    got[0] = '\0';
    if (rn_store_kv_scan(s, ns, from, to, collect, NULL) != 0)
        return "(error)";
    return got;
}

static const char *rscan(rn_store_t *s, const char *ns, const char *from, const char *to)
{
    got[0] = '\0';
    if (rn_store_kv_rscan(s, ns, from, to, collect, NULL) != 0)
        return "(error)";
    return got;
}

static const char *get(rn_store_t *s, const char *ns, const char *key)
{
    static char buf[256];
    char *v = NULL;
    int rc = rn_store_kv_get(s, ns, key, &v);
    snprintf(buf, sizeof buf, "%s", rc == 0 ? v : rc == 1 ? "(absent)" : "(error)");
    rn_free(v);
    return buf;
}

static void write_set(rn_store_t *s)
{
    rn_store_kv_put(s, "t", "b", "2");
    rn_store_kv_put(s, "t", "a", "1");
    rn_store_kv_put(s, "t", "c", "3");
    rn_store_kv_put(s, "t", "x", "gone");
    rn_store_kv_delete(s, "t", "x");
    rn_store_kv_put(s, "t", "b", "2b"); /* replaced */
    rn_store_kv_put(s, "other", "a", "not t");
}

#define CHECK_READS(s)                                                                                                \
    do {                                                                                                              \
        CHECK_STR(get(s, "t", "a"), "1");                                                                             \
        CHECK_STR(get(s, "t", "b"), "2b");                                                                            \
        CHECK_STR(get(s, "t", "x"), "(absent)");                                                                      \
        CHECK_STR(get(s, "nope", "a"), "(absent)");                                                                   \
        CHECK_STR(scan(s, "t", NULL, NULL), "a=1,b=2b,c=3");                                                          \
        CHECK_STR(scan(s, "t", "b", NULL), "b=2b,c=3");                                                               \
        CHECK_STR(scan(s, "t", "a", "c"), "a=1,b=2b");                                                                \
        CHECK_STR(scan(s, "t", "d", NULL), "");                                                                       \
    } while (0)

static void contract(int engine, int *unit_failed_)
{
    fixture_t f;
    if (open_fresh(&f, engine) < 0) {
        CHECK(!"open");
        return;
    }
    int durable = is_durable(engine);
    CHECK_INT(rn_store_durable(f.s), durable);
    /* read-your-writes before the commit */
    write_set(f.s);
    CHECK_READS(f.s);
    /* the barrier fires; the same reads after the commit */
    CHECK_INT(wait_durable(&f), 1);
    CHECK_READS(f.s);
    /* committed rows and pending mutations merge in key order */
    rn_store_kv_put(f.s, "t", "aa", "pending");
    rn_store_kv_delete(f.s, "t", "c");
    CHECK_STR(scan(f.s, "t", NULL, NULL), "a=1,aa=pending,b=2b");
    CHECK_STR(rscan(f.s, "t", "", "zz"), "b=2b,aa=pending,a=1");
    CHECK_STR(rscan(f.s, "t", "aa", "b"), "aa=pending");
    CHECK_INT(wait_durable(&f), 1);
    CHECK_STR(scan(f.s, "t", NULL, NULL), "a=1,aa=pending,b=2b");
    CHECK_STR(rscan(f.s, "t", "", "zz"), "b=2b,aa=pending,a=1");
    /* a read-path-only namespace reads the same; a range delete leaves the rest */
    rn_store_kv_put(f.s, "items#", "k1", "v1");
    rn_store_kv_put(f.s, "items#", "k2", "v2");
    rn_store_kv_put(f.s, "items#", "k3", "v3");
    rn_store_kv_put(f.s, "items#", "z9", "v9");
    CHECK_STR(get(f.s, "items#", "k2"), "v2");
    CHECK_INT(wait_durable(&f), 1);
    CHECK_STR(scan(f.s, "items#", "k", "l"), "k1=v1,k2=v2,k3=v3");
    rn_store_kv_delete_range(f.s, "items#", "k2", "k9");
    CHECK_INT(wait_durable(&f), 1);
    CHECK_STR(scan(f.s, "items#", NULL, NULL), "k1=v1,z9=v9");
    /* queue and message records */
    rn_store_queue_rec_t q = {7, "orders", "{}"};
    rn_store_queue_put(f.s, &q);
    rn_store_msg_rec_t m = {7, 42, "id-42", "hello", 5, "{}", NULL, 0, 1000, 2000, 1, 1500};
    rn_store_msg_put(f.s, &m);
    CHECK_INT(wait_durable(&f), 1);
    if (durable) { /* reload after a clean close */
        close_engine(&f);
        CHECK_INT(open_engine(&f, engine, 0), 0);
        CHECK_STR(scan(f.s, "t", NULL, NULL), "a=1,aa=pending,b=2b");
        CHECK_STR(get(f.s, "other", "a"), "not t");
        CHECK_STR(scan(f.s, "items#", NULL, NULL), "k1=v1,z9=v9");
    }
    /* a reset leaves nothing, before and after its commit */
    rn_store_reset(f.base);
    CHECK_STR(get(f.s, "t", "a"), "(absent)");
    CHECK_STR(scan(f.s, "t", NULL, NULL), "");
    CHECK_INT(wait_durable(&f), 1);
    CHECK_STR(scan(f.s, "t", NULL, NULL), "");
    close_engine(&f);
    finish(&f);
}

TEST(test_contract_log)
{
    contract(LOG, unit_failed_);
}

TEST(test_contract_view_over_log)
{
    contract(VIEW_LOG, unit_failed_);
}

TEST(test_contract_sqlite)
{
    contract(SQLITE, unit_failed_);
}

TEST(test_contract_memory)
{
    contract(MEMORY, unit_failed_);
}

TEST(test_contract_view_over_sqlite)
{
    contract(VIEW_SQLITE, unit_failed_);
}

TEST(test_contract_view_over_memory)
{
    contract(VIEW_MEMORY, unit_failed_);
}

/* ---- messages: read back (before and after their commit, after a reload) ---- */

static const char *read_msg(rn_store_t *s, int64_t qid, int64_t seq)
{
    static char buf[512];
    char *body = NULL, *cold = NULL;
    size_t bl = 0, cl = 0;
    int rc = rn_store_msg_read(s, qid, seq, &body, &bl, &cold, &cl);
    if (rc == 0)
        snprintf(buf, sizeof buf, "%.*s|%s|%zu", (int)bl, body, cold ? cold : "(none)", cl);
    else
        snprintf(buf, sizeof buf, rc == 1 ? "(absent)" : "(error)");
    rn_free(body);
    return buf;
}

static char loaded[2048];
static int load_msg(void *ud, const rn_store_msg_rec_t *m)
{
    (void)ud;
    size_t n = strlen(loaded);
    snprintf(loaded + n, sizeof loaded - n, "%s%lld:%s:%s:v%lld:r%d:f%lld:b%zu:c%zu", n ? "," : "", (long long)m->seq,
             m->id, m->meta_json, (long long)m->visible_ms, m->receive_count, (long long)m->first_receive_ms,
             m->body_len, m->cold_len);
    return m->body == NULL && m->cold == NULL ? 0 : 1;
}

static int load_none_q(void *ud, const rn_store_queue_rec_t *q)
{
    (void)ud;
    (void)q;
    return 0;
}

static int load_none_kv(void *ud, const char *ns, const char *key, const char *value)
{
    (void)ud;
    (void)ns;
    (void)key;
    (void)value;
    return 0;
}

static const char *load_msgs(rn_store_t *base)
{
    loaded[0] = '\0';
    rn_store_loader_t l = {load_none_q, load_msg, load_none_kv, NULL};
    return rn_store_load(base, &l) == 0 ? loaded : "(error)";
}

static void messages(int engine, int *unit_failed_)
{
    fixture_t f;
    memset(&f, 0, sizeof f);
    CHECK_INT(open_engine(&f, engine, 1), 0);
    rn_store_queue_rec_t q = {3, "q", "{}"};
    rn_store_queue_put(f.s, &q);
    rn_store_msg_rec_t m1 = {3, 10, "id-10", "body ten", 8, "{\"g\":\"a\"}", "attrs", 5, 100, 200, 0, 0};
    rn_store_msg_rec_t m2 = {3, 11, "id-11", "", 0, "{}", NULL, 0, 101, 201, 0, 0};
    rn_store_msg_rec_t m3 = {3, 12, "id-12", "gone", 4, "{}", NULL, 0, 102, 202, 0, 0};
    rn_store_msg_put(f.s, &m1);
    rn_store_msg_put(f.s, &m2);
    rn_store_msg_put(f.s, &m3);
    /* before the commit: from the frame in RAM */
    CHECK_STR(read_msg(f.s, 3, 10), "body ten|attrs|5");
    CHECK_STR(read_msg(f.s, 3, 11), "|(none)|0");
    CHECK_STR(read_msg(f.s, 4, 10), "(absent)"); /* another queue's */
    CHECK_INT(wait_durable(&f), 1);
    /* after it: from the segment file */
    CHECK_STR(read_msg(f.s, 3, 10), "body ten|attrs|5");
    rn_store_msg_state(f.s, 3, 10, 9000, 2, 150);
    rn_store_msg_delete(f.s, 3, 12);
    CHECK_STR(read_msg(f.s, 3, 12), "(absent)");
    CHECK_INT(wait_durable(&f), 1);
    close_engine(&f);
    CHECK_INT(open_engine(&f, engine, 0), 0);
    /* what was there at the start is durable: a barrier on it holds at once */
    CHECK_INT(rn_store_barrier(f.s, rn_store_last_seq(f.s), on_barrier, NULL), 1);
    char want[512];
    long long off = f.s == f.base ? 0 : 3 * RN_STORE_ID_SPAN;
    snprintf(want, sizeof want,
             "%lld:id-10:{\"g\":\"a\"}:v9000:r2:f150:b8:c5,%lld:id-11:{}:v201:r0:f0:b0:c0", off + 10, off + 11);
    CHECK_STR(load_msgs(f.base), want);
    CHECK_STR(read_msg(f.s, 3, 10), "body ten|attrs|5");
    CHECK_STR(read_msg(f.s, 3, 12), "(absent)");
    /* a purge, then a queue delete, leave nothing of the queue */
    rn_store_msg_purge(f.s, 3);
    CHECK_STR(read_msg(f.s, 3, 10), "(absent)");
    rn_store_msg_put(f.s, &m3);
    rn_store_queue_delete(f.s, 3);
    CHECK_STR(read_msg(f.s, 3, 12), "(absent)");
    CHECK_INT(wait_durable(&f), 1);
    close_engine(&f);
    CHECK_INT(open_engine(&f, engine, 0), 0);
    CHECK_STR(load_msgs(f.base), "");
    close_engine(&f);
    finish(&f);
}

TEST(test_log_messages_read_back_and_reload)
{
    messages(LOG, unit_failed_);
}

TEST(test_view_over_log_messages_read_back_and_reload)
{
    messages(VIEW_LOG, unit_failed_);
}

/* ---- messages' bodies and cold parts: every message operation's effect on rn_store_msg_read ---- */

/* "body|cold" as read back (cold may hold NULs: shown as '~'; "-" when the
 * put had none), "(absent)" for 1, "(error)" for an error. */
static char msgbuf[256];
static const char *read_parts(rn_store_t *s, int64_t qid, int64_t seq)
{
    char *body = NULL, *cold = NULL;
    size_t bl = 0, cl = 0;
    int rc = rn_store_msg_read(s, qid, seq, &body, &bl, &cold, &cl);
    if (rc == 1)
        return "(absent)";
    if (rc != 0 || !body || body[bl] != '\0' || (cold && cold[cl] != '\0'))
        return rn_free(body), "(error)";
    size_t n = (size_t)snprintf(msgbuf, sizeof msgbuf, "%.*s|", (int)(bl > 100 ? 100 : bl), body);
    if (!cold)
        snprintf(msgbuf + n, sizeof msgbuf - n, "-");
    for (size_t i = 0; cold && i < cl && n + 1 < sizeof msgbuf; i++, n++)
        msgbuf[n] = cold[i] ? cold[i] : '~', msgbuf[n + 1] = '\0';
    rn_free(body);
    return msgbuf;
}

static int big_ok(rn_store_t *s, int64_t qid, int64_t seq, const char *want, size_t n)
{
    char *body = NULL, *cold = NULL;
    size_t bl = 0, cl = 0;
    int ok = rn_store_msg_read(s, qid, seq, &body, &bl, &cold, &cl) == 0 && bl == n && !memcmp(body, want, n);
    rn_free(body);
    return ok;
}

static int see_cold_len(void *ud, const rn_store_msg_rec_t *m)
{
    if (m->seq % RN_STORE_ID_SPAN == 44) /* a view's base replays its seqs offset */
        *(long long *)ud = (long long)m->cold_len;
    return 0;
}

static void msg_contract(int engine, int *unit_failed_)
{
    fixture_t f;
    if (open_fresh(&f, engine) < 0) {
        CHECK(!"open");
        return;
    }
    int durable = is_durable(engine); /* log and memory engines: the sqlite engine alone keeps no bodies to read */
    rn_store_queue_rec_t q7 = {7, "seven", "{}"}, q8 = {8, "eight", "{}"};
    rn_store_queue_put(f.s, &q7);
    rn_store_queue_put(f.s, &q8);
    /* read-your-writes: a put reads back before its commit, cold NULs and all */
    rn_store_msg_rec_t m = {7, 42, "id-42", "hello", 5, "{}", "c\0ld", 4, 1000, 2000, 0, 0};
    rn_store_msg_put(f.s, &m);
    rn_store_msg_rec_t m2 = {7, 43, "id-43", "no cold", 7, "{}", NULL, 0, 1000, 2000, 0, 0};
    rn_store_msg_put(f.s, &m2);
    rn_store_msg_rec_t m3 = {8, 50, "id-50", "other queue", 11, "{}", "x", 1, 1000, 2000, 0, 0};
    rn_store_msg_put(f.s, &m3);
    CHECK_STR(read_parts(f.s, 7, 42), "hello|c~ld");
    CHECK_STR(read_parts(f.s, 7, 43), "no cold|-");
    CHECK_INT(wait_durable(&f), 1);
    CHECK_STR(read_parts(f.s, 7, 42), "hello|c~ld");
    CHECK_STR(read_parts(f.s, 7, 43), "no cold|-");
    /* only the queue it was put in, only a seq put */
    CHECK_STR(read_parts(f.s, 8, 42), "(absent)");
    CHECK_STR(read_parts(f.s, 7, 99), "(absent)");
    /* a state change keeps the body */
    rn_store_msg_state(f.s, 7, 42, 5000, 1, 4000);
    CHECK_STR(read_parts(f.s, 7, 42), "hello|c~ld");
    CHECK_INT(wait_durable(&f), 1);
    CHECK_STR(read_parts(f.s, 7, 42), "hello|c~ld");
    /* a delete: gone before and after its commit */
    rn_store_msg_delete(f.s, 7, 43);
    CHECK_STR(read_parts(f.s, 7, 43), "(absent)");
    CHECK_INT(wait_durable(&f), 1);
    CHECK_STR(read_parts(f.s, 7, 43), "(absent)");
    /* a purge takes its queue's messages only; a put after it reads back */
    rn_store_msg_purge(f.s, 7);
    rn_store_msg_rec_t m4 = {7, 44, "id-44", "after purge", 11, "{}", "cold44", 6, 1000, 2000, 0, 0};
    rn_store_msg_put(f.s, &m4);
    CHECK_STR(read_parts(f.s, 7, 42), "(absent)");
    CHECK_STR(read_parts(f.s, 7, 44), "after purge|cold44");
    CHECK_STR(read_parts(f.s, 8, 50), "other queue|x");
    CHECK_INT(wait_durable(&f), 1);
    CHECK_STR(read_parts(f.s, 7, 42), "(absent)");
    CHECK_STR(read_parts(f.s, 7, 44), "after purge|cold44");
    CHECK_STR(read_parts(f.s, 8, 50), "other queue|x");
    /* a deleted queue takes its messages */
    rn_store_queue_delete(f.s, 8);
    CHECK_STR(read_parts(f.s, 8, 50), "(absent)");
    CHECK_INT(wait_durable(&f), 1);
    CHECK_STR(read_parts(f.s, 8, 50), "(absent)");
    /* a large body reads back whole */
    size_t bign = 300 * 1024;
    char *big = rn_malloc(bign);
    for (size_t i = 0; big && i < bign; i++)
        big[i] = (char)('a' + i % 26);
    rn_store_msg_rec_t m5 = {7, 45, "id-45", big, bign, "{}", "c", 1, 1000, 2000, 0, 0};
    rn_store_msg_put(f.s, &m5);
    CHECK(big_ok(f.s, 7, 45, big, bign));
    CHECK_INT(wait_durable(&f), 1);
    CHECK(big_ok(f.s, 7, 45, big, bign));
    if (durable) { /* after a restart: still there; loading gives its cold part's length, not the part */
        close_engine(&f);
        CHECK_INT(open_engine(&f, engine, 0), 0);
        long long cl = -1;
        rn_store_loader_t l = {load_none_q, see_cold_len, load_none_kv, &cl};
        CHECK_INT(rn_store_load(f.base, &l), 0);
        CHECK_INT(cl, 6);
        CHECK_STR(read_parts(f.s, 7, 44), "after purge|cold44");
        CHECK(big_ok(f.s, 7, 45, big, bign));
    }
    rn_free(big);
    /* a reset leaves nothing */
    rn_store_reset(f.base);
    CHECK_STR(read_parts(f.s, 7, 44), "(absent)");
    CHECK_INT(wait_durable(&f), 1);
    CHECK_STR(read_parts(f.s, 7, 44), "(absent)");
    close_engine(&f);
    finish(&f);
}

TEST(test_msg_read_log)
{
    msg_contract(LOG, unit_failed_);
}

TEST(test_msg_read_memory)
{
    msg_contract(MEMORY, unit_failed_);
}

TEST(test_msg_read_view_over_log)
{
    msg_contract(VIEW_LOG, unit_failed_);
}

TEST(test_msg_read_view_over_memory)
{
    msg_contract(VIEW_MEMORY, unit_failed_);
}

/* ---- reload: what the loader sees ---- */

typedef struct seen {
    char text[1024];
} seen_t;

/* Appends "kind:text/number;" (number left out when negative). */
static void add(seen_t *s, const char *kind, const char *text, long long number)
{
    size_t n = strlen(s->text);
    if (number >= 0)
        snprintf(s->text + n, sizeof s->text - n, "%s:%s/%lld;", kind, text, number);
    else
        snprintf(s->text + n, sizeof s->text - n, "%s:%s;", kind, text);
}

static int see_queue(void *ud, const rn_store_queue_rec_t *q)
{
    add(ud, "q", q->name, (long long)q->qid);
    return 0;
}

static int see_msg(void *ud, const rn_store_msg_rec_t *m)
{
    add(ud, "m", m->id, (long long)m->seq);
    return 0;
}

static int see_kv(void *ud, const char *ns, const char *key, const char *value)
{
    char nk[512];
    snprintf(nk, sizeof nk, "%s|%s=%s", ns, key, value);
    add(ud, "kv", nk, -1);
    return 0;
}

TEST(test_view_records_reload_prefixed_and_offset)
{
    fixture_t f;
    memset(&f, 0, sizeof f);
    CHECK_INT(open_engine(&f, VIEW_LOG, 1), 0);
    rn_store_queue_rec_t q = {1, "orders", "{}"};
    rn_store_queue_put(f.s, &q);
    rn_store_msg_rec_t m = {1, 5, "id-5", "x", 1, "{}", NULL, 0, 0, 0, 0, 0};
    rn_store_msg_put(f.s, &m);
    rn_store_kv_put(f.s, "events.bus", "b", "{}");
    rn_store_kv_put(f.base, "events.bus", "default", "{}");
    rn_store_kv_put(f.s, "ddb.item#", "k", "{}"); /* read-path only: never replayed */
    CHECK_INT(wait_durable(&f), 1);
    close_engine(&f);
    CHECK_INT(open_engine(&f, LOG, 0), 0);
    seen_t s = {""};
    rn_store_loader_t l = {see_queue, see_msg, see_kv, &s};
    CHECK_INT(rn_store_load(f.base, &l), 0);
    char want[512];
    long long off = 3 * RN_STORE_ID_SPAN;
    snprintf(want, sizeof want,
             "q:@111111111111/eu-west-1/orders/%lld;m:id-5/%lld;kv:@111111111111/eu-west-1/events.bus|b={};"
             "kv:events.bus|default={};",
             off + 1, off + 5);
    CHECK_STR(s.text, want);
    char acct[16], region[64];
    const char *rest;
    CHECK(rn_store_view_split("@111111111111/eu-west-1/events.bus", acct, region, &rest));
    CHECK_STR(acct, "111111111111");
    CHECK_STR(region, "eu-west-1");
    CHECK_STR(rest, "events.bus");
    CHECK(!rn_store_view_split("events.bus", acct, region, &rest));
    close_engine(&f);
    finish(&f);
}

/* ---- crash: what a barrier acknowledged survives a process that dies ---- */

static int count_v(void *ud, const char *key, const char *value)
{
    (void)key;
    *(int *)ud += strcmp(value, "v") == 0;
    return 0;
}

TEST(test_crash_keeps_what_the_barrier_acknowledged)
{
    fixture_t f;
    memset(&f, 0, sizeof f);
    uv_loop_init(&f.loop);
    snprintf(f.dir, sizeof f.dir, "/tmp/runnel-store-XXXXXX");
    CHECK(mkdtemp(f.dir) != NULL);
    pid_t pid = fork();
    if (pid == 0) { /* the child: write, wait for the barrier, die without closing */
        fixture_t c;
        memset(&c, 0, sizeof c);
        uv_loop_init(&c.loop);
        memcpy(c.dir, f.dir, sizeof c.dir);
        if (open_engine(&c, LOG, 0) < 0)
            _exit(2);
        char k[16];
        for (int i = 0; i < 200; i++) {
            snprintf(k, sizeof k, "k%03d", i);
            rn_store_kv_put(c.s, "crash", k, "v");
        }
        rn_store_queue_rec_t q = {9, "kept", "{}"};
        rn_store_queue_put(c.s, &q);
        _exit(wait_durable(&c) == 1 ? 0 : 3);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK_INT(open_engine(&f, LOG, 0), 0);
    int n = 0;
    CHECK_INT(rn_store_kv_scan(f.s, "crash", NULL, NULL, count_v, &n), 0);
    CHECK_INT(n, 200);
    CHECK_STR(get(f.s, "crash", "k199"), "v");
    seen_t s = {""};
    rn_store_loader_t l = {see_queue, see_msg, see_kv, &s};
    CHECK_INT(rn_store_load(f.base, &l), 0);
    CHECK(strstr(s.text, "q:kept/9;") != NULL);
    close_engine(&f);
    finish(&f);
}

UNIT_MAIN()
