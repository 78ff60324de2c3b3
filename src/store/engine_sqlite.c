/* SPDX-License-Identifier: MIT
 * SQLite (WAL) backend of the store, with pipelined group commit. The loop
 * appends mutations to a pending list under a mutex and never touches the
 * database. Two threads own the disk:
 *   - the writer takes the whole pending list, applies it in one transaction
 *     and commits with synchronous=NORMAL (in WAL mode: frames written to the
 *     OS, not synced; checkpoints still sync WAL and database);
 *   - the syncer fdatasync()s the WAL file and then marks every commit that
 *     finished before that sync began as durable.
 * So the next batch is applied while the previous one syncs, and the disk
 * never waits for SQLite's CPU work. The loop is woken through a uv_async and
 * fires the barriers waiting on durable mutations. With --fsync off the
 * syncer is not started and a commit is "durable" once written. This engine
 * sits behind the store's ops table (store_int.h). */
#include "store/store_int.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/err.h"
#include "core/log.h"
#include "core/map.h"
#include "core/mem.h"

enum { OP_QPUT, OP_QDEL, OP_MPUT, OP_MSTATE, OP_MDEL, OP_MPURGE, OP_KVPUT, OP_KVDEL, OP_KVRANGE, OP_RESET };

typedef struct op {
    struct op *next;
    int kind;
    int rc;
    uint64_t sseq; /* store mutation sequence */
    int64_t qid, seq, sent, visible, first;
    char *s1, *s2, *s3; /* point into the same allocation */
    size_t len2;
} op_t;

typedef struct barrier {
    struct barrier *next;
    uint64_t seq;
    void (*fn)(void *, int);
    void *arg;
} barrier_t;

typedef struct sq {
    rn_store_t base; /* first: the store's ops */
    uv_loop_t *loop;
    sqlite3 *db;
    int sync;               /* fdatasync the WAL before acknowledging */
    int inner;              /* under the log engine (rn_store_open_sqlite_inner):
                               no messages table; mutations carry the log's
                               LSNs, are applied only once the log made them
                               durable (gate) and record meta(applied_lsn) */
    uint64_t gate;          /* guarded by mu: the writer applies mutations up
                               to this LSN (UINT64_MAX when not inner) */
    uint64_t applied_lsn;   /* at open: meta(applied_lsn) */
    sqlite3_stmt *applied_st;
    int wal_fd;             /* syncer only: our own descriptor on runnel.db-wal */
    char wal_path[4200];
    pthread_t thread, syncer;
    pthread_mutex_t mu;
    pthread_cond_t cv;      /* writer: pending work or stop */
    pthread_cond_t sync_cv; /* syncer: written_seq advanced or stop */
    uint64_t written_seq;   /* guarded by mu: committed to the OS */
    op_t *head, *tail;      /* pending, guarded by mu */
    op_t *dhead, *dtail;    /* committed, guarded by mu: the loop frees them, as
                               it allocated them, so they go back to its
                               allocator cache instead of crossing threads */
    uint64_t queued_seq;    /* last seq handed to the thread; loop only */
    uint64_t durable_seq;   /* guarded by mu */
    int failed_err;         /* guarded by mu: error of the last failed batch */
    uint64_t failed_upto;
    int stop;
    uv_async_t async;
    uv_prepare_t flush;       /* hands the loop's list to the writer once per loop turn */
    op_t *lhead, *ltail;      /* loop only: mutations of this loop turn */
    uint64_t durable_seen;    /* loop only: durable_seq as of the last wake-up */
    int open_handles;         /* loop only: counts down the close callbacks */
    barrier_t *bhead, *btail; /* loop only */
    uint64_t committed, batches, syncs;
    sqlite3_stmt *st[OP_RESET + 1];
    sqlite3_stmt *rst[3]; /* put, delete, range delete in rkv (read-path-only namespaces) */
    /* The read path (loop only): a read-only connection of its own, and the
     * keyed mutations queued but not yet committed, which reads see first. */
    sqlite3 *rdb;
    sqlite3_stmt *get_st[2], *scan_st[2], *scan_open_st[2], *rscan_st[2]; /* [0]: kv, [1]: rkv */
    rn_smap_t pending;      /* "ns\x1fkey" -> pend_t */
    uint64_t reset_seq;     /* a reset queued and not yet committed: the
                               database reads as empty until then */
    int read_open;          /* a read transaction is open on rdb: the reads of
                               one loop turn share it (one lock, one snapshot);
                               it ends before committed mutations settle */
} sq_t;

typedef struct pend {
    char *value; /* owned; NULL: deleted */
    uint64_t sseq;
} pend_t;

static const char *messages_schema =
    "CREATE TABLE IF NOT EXISTS messages(seq INTEGER PRIMARY KEY, qid INTEGER NOT NULL, id TEXT NOT NULL,"
    " body BLOB NOT NULL, meta TEXT NOT NULL, sent INTEGER NOT NULL, visible INTEGER NOT NULL,"
    " rc INTEGER NOT NULL, first INTEGER NOT NULL);";

static const char *schema =
    "CREATE TABLE IF NOT EXISTS queues(qid INTEGER PRIMARY KEY, name TEXT NOT NULL, state TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS meta(k TEXT PRIMARY KEY, v INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS kv(ns TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,"
    " PRIMARY KEY(ns, key)) WITHOUT ROWID;"
    /* read-path-only namespaces (rn_store_ns_lazy): never replayed at start */
    "CREATE TABLE IF NOT EXISTS rkv(ns TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,"
    " PRIMARY KEY(ns, key)) WITHOUT ROWID;";

static const char *rsql[3] = {
    "INSERT OR REPLACE INTO rkv(ns, key, value) VALUES(?1, ?2, ?3)",
    "DELETE FROM rkv WHERE ns = ?1 AND key = ?2",
    "DELETE FROM rkv WHERE ns = ?1 AND key >= ?2 AND key < ?3",
};

static const char *sql[OP_RESET + 1] = {
    [OP_QPUT] = "INSERT OR REPLACE INTO queues(qid, name, state) VALUES(?1, ?2, ?3)",
    [OP_QDEL] = "DELETE FROM queues WHERE qid = ?1",
    [OP_MPUT] = "INSERT OR REPLACE INTO messages(seq, qid, id, body, meta, sent, visible, rc, first)"
                " VALUES(?2, ?1, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    [OP_MSTATE] = "UPDATE messages SET visible = ?3, rc = ?4, first = ?5 WHERE seq = ?2",
    [OP_MDEL] = "DELETE FROM messages WHERE seq = ?2",
    [OP_MPURGE] = "DELETE FROM messages WHERE qid = ?1",
    [OP_KVPUT] = "INSERT OR REPLACE INTO kv(ns, key, value) VALUES(?1, ?2, ?3)",
    [OP_KVDEL] = "DELETE FROM kv WHERE ns = ?1 AND key = ?2",
    [OP_KVRANGE] = "DELETE FROM kv WHERE ns = ?1 AND key >= ?2 AND key < ?3",
    [OP_RESET] = "DELETE FROM messages",
};

static int apply(sq_t *s, op_t *o)
{
    if (o->kind == OP_RESET) {
        return sqlite3_exec(s->db,
                            s->inner ? "DELETE FROM queues; DELETE FROM kv; DELETE FROM rkv;"
                                     : "DELETE FROM messages; DELETE FROM queues; DELETE FROM kv; DELETE FROM rkv;",
                            NULL, NULL, NULL);
    }
    if (o->kind == OP_QDEL && !s->inner) {
        /* a deleted queue takes its messages with it */
        sqlite3_stmt *p = s->st[OP_MPURGE];
        sqlite3_bind_int64(p, 1, o->qid);
        int rc = sqlite3_step(p);
        sqlite3_reset(p);
        if (rc != SQLITE_DONE)
            return rc;
    }
    sqlite3_stmt *p = s->st[o->kind];
    if (o->kind >= OP_KVPUT && o->kind <= OP_KVRANGE && rn_store_ns_lazy(o->s1))
        p = s->rst[o->kind - OP_KVPUT];
    switch (o->kind) {
    case OP_KVPUT:
    case OP_KVDEL:
    case OP_KVRANGE:
        sqlite3_bind_text(p, 1, o->s1, -1, SQLITE_STATIC);
        sqlite3_bind_text(p, 2, o->s2, -1, SQLITE_STATIC);
        if (o->kind != OP_KVDEL)
            sqlite3_bind_text(p, 3, o->s3, -1, SQLITE_STATIC);
        break;
    case OP_QPUT:
        sqlite3_bind_int64(p, 1, o->qid);
        sqlite3_bind_text(p, 2, o->s1, -1, SQLITE_STATIC);
        sqlite3_bind_text(p, 3, o->s3, -1, SQLITE_STATIC);
        break;
    case OP_MPUT:
        sqlite3_bind_int64(p, 1, o->qid);
        sqlite3_bind_int64(p, 2, o->seq);
        sqlite3_bind_text(p, 3, o->s1, -1, SQLITE_STATIC);
        sqlite3_bind_blob(p, 4, o->s2, (int)o->len2, SQLITE_STATIC);
        sqlite3_bind_text(p, 5, o->s3, -1, SQLITE_STATIC);
        sqlite3_bind_int64(p, 6, o->sent);
        sqlite3_bind_int64(p, 7, o->visible);
        sqlite3_bind_int(p, 8, o->rc);
        sqlite3_bind_int64(p, 9, o->first);
        break;
    case OP_MSTATE:
        sqlite3_bind_int64(p, 2, o->seq);
        sqlite3_bind_int64(p, 3, o->visible);
        sqlite3_bind_int(p, 4, o->rc);
        sqlite3_bind_int64(p, 5, o->first);
        break;
    case OP_MDEL:
        sqlite3_bind_int64(p, 2, o->seq);
        break;
    default:
        sqlite3_bind_int64(p, 1, o->qid);
        break;
    }
    int rc = sqlite3_step(p);
    sqlite3_reset(p);
    sqlite3_clear_bindings(p);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Applies a batch in one transaction (with meta(applied_lsn) when inner). */
static int apply_batch(sq_t *s, op_t *list)
{
    uint64_t last = 0;
    int rc = sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL);
    for (op_t *o = list; o && rc == SQLITE_OK; o = o->next) {
        rc = apply(s, o);
        last = o->sseq;
    }
    if (rc == SQLITE_OK && s->inner) { /* what recovery need not re-apply */
        sqlite3_bind_int64(s->applied_st, 1, (sqlite3_int64)last);
        rc = sqlite3_step(s->applied_st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
        sqlite3_reset(s->applied_st);
    }
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        RN_ERROR("store: commit failed: %s", sqlite3_errmsg(s->db));
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    }
    return rc;
}

static void *store_thread(void *arg)
{
    sq_t *s = arg;
    for (;;) {
        pthread_mutex_lock(&s->mu);
        while (!(s->head && s->head->sseq <= s->gate) && !s->stop)
            pthread_cond_wait(&s->cv, &s->mu);
        int stop = s->stop, skip = 0;
        op_t *list = s->head;
        if (list && list->sseq > s->gate) { /* stopping: what the log never made durable is dropped */
            skip = 1;
            s->head = s->tail = NULL;
        } else if (list) { /* take what the gate lets through */
            op_t *cut = list;
            while (cut->next && cut->next->sseq <= s->gate)
                cut = cut->next;
            s->head = cut->next;
            if (!s->head)
                s->tail = NULL;
            cut->next = NULL;
        }
        pthread_mutex_unlock(&s->mu);
        if (!list) {
            if (stop)
                break;
            continue;
        }
        uint64_t last = 0, n = 0;
        int rc = skip ? SQLITE_OK : apply_batch(s, list);
        op_t *end = list;
        for (op_t *o = list; o; o = o->next) {
            last = o->sseq;
            n++;
            end = o;
        }
        pthread_mutex_lock(&s->mu);
        if (s->dtail)
            s->dtail->next = list;
        else
            s->dhead = list;
        s->dtail = end;
        s->committed += n;
        s->batches++;
        if (rc != SQLITE_OK) {
            s->failed_err = -1;
            s->failed_upto = last;
        }
        s->written_seq = last;
        if (s->sync)
            pthread_cond_signal(&s->sync_cv);
        else
            s->durable_seq = last;
        pthread_mutex_unlock(&s->mu);
        if (!s->sync)
            uv_async_send(&s->async);
    }
    pthread_mutex_lock(&s->mu);
    s->stop = 2; /* the writer is done: the syncer makes the last sync and ends */
    pthread_cond_signal(&s->sync_cv);
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

/* fdatasync on any descriptor of a file flushes that file's data, so the
 * syncer keeps its own descriptor on the WAL, opened once SQLite created it. */
static int sync_wal(sq_t *s)
{
    if (s->wal_fd < 0) {
        s->wal_fd = open(s->wal_path, O_RDONLY | O_CLOEXEC);
        if (s->wal_fd < 0) {
            RN_ERROR("store: cannot open %s: %s", s->wal_path, strerror(errno));
            return -1;
        }
        /* the WAL's directory entry must be durable too */
        char dir[sizeof s->wal_path];
        snprintf(dir, sizeof dir, "%s", s->wal_path);
        char *slash = strrchr(dir, '/');
        if (slash)
            *slash = '\0';
        int dfd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) {
            fsync(dfd);
            close(dfd);
        }
    }
    if (fdatasync(s->wal_fd) < 0) {
        RN_ERROR("store: fdatasync %s: %s", s->wal_path, strerror(errno));
        return -1;
    }
    return 0;
}

static void *syncer_thread(void *arg)
{
    sq_t *s = arg;
    pthread_mutex_lock(&s->mu);
    for (;;) {
        while (s->written_seq == s->durable_seq && s->stop != 2)
            pthread_cond_wait(&s->sync_cv, &s->mu);
        if (s->written_seq == s->durable_seq)
            break;
        uint64_t target = s->written_seq;
        pthread_mutex_unlock(&s->mu);
        int rc = sync_wal(s);
        pthread_mutex_lock(&s->mu);
        if (rc < 0) {
            s->failed_err = -1;
            s->failed_upto = target;
        }
        s->durable_seq = target;
        s->syncs++;
        pthread_mutex_unlock(&s->mu);
        uv_async_send(&s->async);
        pthread_mutex_lock(&s->mu);
    }
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

/* ---- the read path's view of uncommitted mutations ---- */

static void read_begin(sq_t *s)
{
    if (!s->read_open && sqlite3_exec(s->rdb, "BEGIN", NULL, NULL, NULL) == SQLITE_OK)
        s->read_open = 1;
}

static void read_end(sq_t *s)
{
    if (s->read_open) {
        sqlite3_exec(s->rdb, "COMMIT", NULL, NULL, NULL);
        s->read_open = 0;
    }
}

static void pend_free(pend_t *p)
{
    if (p)
        rn_free(p->value);
    rn_free(p);
}

static void pending_clear(sq_t *s)
{
    size_t i = 0;
    const char *k;
    void *v;
    while (rn_smap_next(&s->pending, &i, &k, &v))
        pend_free(v);
    rn_smap_free(&s->pending);
    memset(&s->pending, 0, sizeof s->pending);
}

/* Records a keyed mutation queued as sseq (value NULL: a delete). Out of
 * memory leaves a read of that key to the database until the commit. */
static void pending_set(sq_t *s, const char *ns, const char *key, const char *value, uint64_t sseq)
{
    char *k = rn_store_full_key(ns, key);
    pend_t *p = rn_calloc(1, sizeof *p);
    if (!k || !p || (value && !(p->value = rn_strdup(value)))) {
        if (k) /* an older pending value would now be wrong: the database answers until the commit */
            pend_free(rn_smap_del(&s->pending, k));
        rn_free(k);
        pend_free(p);
        return;
    }
    p->sseq = sseq;
    pend_t *old = rn_smap_get(&s->pending, k);
    if (rn_smap_put(&s->pending, k, p) < 0)
        pend_free(p);
    else
        pend_free(old);
    rn_free(k);
}

/* A committed mutation: the database now answers for its key, unless a later
 * mutation of the key is still pending. (A batch whose commit failed settles
 * too: reads then show what the database holds, which is what survived.) */
static void pending_settle(sq_t *s, const op_t *o)
{
    if (o->kind == OP_RESET && o->sseq == s->reset_seq)
        s->reset_seq = 0;
    if ((o->kind != OP_KVPUT && o->kind != OP_KVDEL) || !s->pending.len)
        return;
    char *k = rn_store_full_key(o->s1, o->s2);
    pend_t *p = k ? rn_smap_get(&s->pending, k) : NULL;
    if (p && p->sseq == o->sseq)
        pend_free(rn_smap_del(&s->pending, k));
    rn_free(k);
}

static void on_async(uv_async_t *a)
{
    sq_t *s = a->data;
    read_end(s); /* reads after this see what just committed */
    pthread_mutex_lock(&s->mu);
    uint64_t durable = s->durable_seq;
    uint64_t failed_upto = s->failed_upto;
    op_t *done = s->dhead;
    s->dhead = s->dtail = NULL;
    pthread_mutex_unlock(&s->mu);
    while (done) {
        op_t *next = done->next;
        pending_settle(s, done);
        rn_free(done);
        done = next;
    }
    s->durable_seen = durable;
    while (s->bhead && s->bhead->seq <= durable) {
        barrier_t *b = s->bhead;
        s->bhead = b->next;
        if (!s->bhead)
            s->btail = NULL;
        b->fn(b->arg, b->seq <= failed_upto ? -1 : 0);
        rn_free(b);
    }
}

static op_t *op_new(int kind, const char *s1, const char *s2, size_t len2, const char *s3)
{
    size_t l1 = s1 ? strlen(s1) + 1 : 0, l3 = s3 ? strlen(s3) + 1 : 0;
    size_t l2 = s2 ? len2 + 1 : 0;
    op_t *o = rn_malloc(sizeof *o + l1 + l2 + l3);
    if (!o)
        return NULL;
    memset(o, 0, sizeof *o);
    o->kind = kind;
    char *p = (char *)(o + 1);
    if (s1) {
        o->s1 = memcpy(p, s1, l1);
        p += l1;
    }
    if (s2) {
        o->s2 = memcpy(p, s2, len2);
        p[len2] = '\0';
        o->len2 = len2;
        p += l2;
    }
    if (s3)
        o->s3 = memcpy(p, s3, l3);
    return o;
}

static void submit(sq_t *s, op_t *o)
{
    if (!o) {
        RN_ERROR("store: out of memory queueing a mutation");
        return;
    }
    o->sseq = ++s->queued_seq;
    if (s->ltail)
        s->ltail->next = o;
    else
        s->lhead = o;
    s->ltail = o;
}

/* Runs just before the loop blocks: one lock and at most one wake-up per loop
 * turn however many mutations the turn made. */
static void flush_to_writer(sq_t *s)
{
    if (!s->lhead)
        return;
    pthread_mutex_lock(&s->mu);
    int was_empty = s->head == NULL;
    if (s->tail)
        s->tail->next = s->lhead;
    else
        s->head = s->lhead;
    s->tail = s->ltail;
    if (was_empty)
        pthread_cond_signal(&s->cv);
    pthread_mutex_unlock(&s->mu);
    s->lhead = s->ltail = NULL;
}

static void on_flush(uv_prepare_t *h)
{
    flush_to_writer(h->data);
    read_end(h->data); /* no snapshot held while the loop waits */
}

static const rn_store_ops_t ops;

/* Message statements exist only outside the log engine. */
static int message_kind(int k)
{
    return k == OP_MPUT || k == OP_MSTATE || k == OP_MDEL || k == OP_MPURGE || k == OP_RESET;
}

static int open_sqlite(uv_loop_t *loop, const char *dir, rn_fsync_t fsync_mode, int inner, rn_store_t **out,
                       char *msg, size_t msglen)
{
    sq_t *s = rn_calloc(1, sizeof *s);
    if (!s)
        return snprintf(msg, msglen, "out of memory"), -1;
    s->base.ops = &ops;
    s->loop = loop;
    s->inner = inner;
    s->gate = inner ? 0 : UINT64_MAX;
    if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
        snprintf(msg, msglen, "cannot create data dir %s: %s", dir, strerror(errno));
        rn_free(s);
        return -1;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/runnel.db", dir);
    if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK) {
        snprintf(msg, msglen, "cannot open %s: %s", path, s->db ? sqlite3_errmsg(s->db) : "out of memory");
        sqlite3_close(s->db);
        rn_free(s);
        return -1;
    }
    char pragmas[256];
    snprintf(pragmas, sizeof pragmas,
             "PRAGMA journal_mode=WAL; PRAGMA synchronous=%s; PRAGMA cache_size=-65536;"
             " PRAGMA wal_autocheckpoint=4096;",
             fsync_mode == RN_FSYNC_ALWAYS ? "NORMAL" : "OFF");
    char *err = NULL;
    if (sqlite3_exec(s->db, pragmas, NULL, NULL, &err) != SQLITE_OK ||
        sqlite3_exec(s->db, schema, NULL, NULL, &err) != SQLITE_OK ||
        (!inner && sqlite3_exec(s->db, messages_schema, NULL, NULL, &err) != SQLITE_OK)) {
        snprintf(msg, msglen, "cannot initialise %s: %s", path, err ? err : "?");
        sqlite3_free(err);
        sqlite3_close(s->db);
        rn_free(s);
        return -1;
    }
    /* the read path's transactions last one loop turn at most: a commit that
     * meets one of their locks waits for it rather than failing */
    sqlite3_busy_timeout(s->db, 10000);
    for (int k = 0; k <= OP_RESET + 4; k++) {
        if (k <= OP_RESET && inner && message_kind(k))
            continue;
        if (k == OP_RESET + 4 && !inner)
            continue;
        sqlite3_stmt **st = k <= OP_RESET ? &s->st[k] : k == OP_RESET + 4 ? &s->applied_st : &s->rst[k - OP_RESET - 1];
        const char *q = k <= OP_RESET          ? sql[k]
                        : k == OP_RESET + 4 ? "INSERT OR REPLACE INTO meta(k, v) VALUES('applied_lsn', ?1)"
                                            : rsql[k - OP_RESET - 1];
        if (sqlite3_prepare_v2(s->db, q, -1, st, NULL) != SQLITE_OK) {
            snprintf(msg, msglen, "cannot prepare: %s", sqlite3_errmsg(s->db));
            sqlite3_close(s->db);
            rn_free(s);
            return -1;
        }
    }
    if (inner) {
        sqlite3_stmt *p = NULL;
        if (sqlite3_prepare_v2(s->db, "SELECT v FROM meta WHERE k = 'applied_lsn'", -1, &p, NULL) == SQLITE_OK &&
            sqlite3_step(p) == SQLITE_ROW)
            s->applied_lsn = (uint64_t)sqlite3_column_int64(p, 0);
        sqlite3_finalize(p);
    }
    int ok = sqlite3_open_v2(path, &s->rdb, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) == SQLITE_OK;
    /* the read path's own cache: a range read finds its pages here (a
     * mapped file would cost every write a remap check, measured slower) */
    if (ok)
        sqlite3_exec(s->rdb, "PRAGMA cache_size=-65536;", NULL, NULL, NULL);
    for (int t = 0; t < 2 && ok; t++) {
        const char *tab = t ? "rkv" : "kv";
        char q[4][128];
        snprintf(q[0], sizeof q[0], "SELECT value FROM %s WHERE ns = ?1 AND key = ?2", tab);
        snprintf(q[1], sizeof q[1], "SELECT key, value FROM %s WHERE ns = ?1 AND key >= ?2 AND key < ?3 ORDER BY key",
                 tab);
        snprintf(q[2], sizeof q[2], "SELECT key, value FROM %s WHERE ns = ?1 AND key >= ?2 ORDER BY key", tab);
        snprintf(q[3], sizeof q[3],
                 "SELECT key, value FROM %s WHERE ns = ?1 AND key >= ?2 AND key < ?3 ORDER BY key DESC", tab);
        ok = sqlite3_prepare_v2(s->rdb, q[0], -1, &s->get_st[t], NULL) == SQLITE_OK &&
             sqlite3_prepare_v2(s->rdb, q[1], -1, &s->scan_st[t], NULL) == SQLITE_OK &&
             sqlite3_prepare_v2(s->rdb, q[2], -1, &s->scan_open_st[t], NULL) == SQLITE_OK &&
             sqlite3_prepare_v2(s->rdb, q[3], -1, &s->rscan_st[t], NULL) == SQLITE_OK;
    }
    if (!ok) {
        snprintf(msg, msglen, "cannot open %s for reading: %s", path, s->rdb ? sqlite3_errmsg(s->rdb) : "?");
        sqlite3_close(s->rdb);
        sqlite3_close(s->db);
        rn_free(s);
        return -1;
    }
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    pthread_cond_init(&s->sync_cv, NULL);
    uv_async_init(loop, &s->async, on_async);
    s->async.data = s;
    uv_unref((uv_handle_t *)&s->async);
    uv_prepare_init(loop, &s->flush);
    s->flush.data = s;
    uv_prepare_start(&s->flush, on_flush);
    uv_unref((uv_handle_t *)&s->flush);
    s->sync = fsync_mode == RN_FSYNC_ALWAYS;
    s->wal_fd = -1;
    snprintf(s->wal_path, sizeof s->wal_path, "%s-wal", path);
    pthread_create(&s->thread, NULL, store_thread, s);
    if (s->sync)
        pthread_create(&s->syncer, NULL, syncer_thread, s);
    *out = &s->base;
    return 0;
}

int rn_store_open_sqlite(uv_loop_t *loop, const char *dir, rn_fsync_t fsync_mode, rn_store_t **out, char *msg,
                         size_t msglen)
{
    return open_sqlite(loop, dir, fsync_mode, 0, out, msg, msglen);
}

int rn_store_open_sqlite_inner(uv_loop_t *loop, const char *dir, rn_fsync_t fsync_mode, rn_store_t **out,
                               char *msg, size_t msglen)
{
    return open_sqlite(loop, dir, fsync_mode, 1, out, msg, msglen);
}

uint64_t rn_sqlite_applied_lsn(const rn_store_t *st)
{
    return ((const sq_t *)st)->applied_lsn;
}

void rn_sqlite_next_lsn(rn_store_t *st, uint64_t lsn)
{
    ((sq_t *)st)->queued_seq = lsn - 1;
}

void rn_sqlite_gate(rn_store_t *st, uint64_t durable_lsn)
{
    sq_t *s = (sq_t *)st;
    pthread_mutex_lock(&s->mu);
    if (durable_lsn > s->gate) {
        s->gate = durable_lsn;
        pthread_cond_signal(&s->cv);
    }
    pthread_mutex_unlock(&s->mu);
}

void rn_sqlite_apply_now(rn_store_t *st)
{
    sq_t *s = (sq_t *)st;
    uint64_t target = s->queued_seq;
    flush_to_writer(s);
    pthread_mutex_lock(&s->mu);
    while (s->written_seq < target && s->gate >= target) {
        pthread_mutex_unlock(&s->mu);
        struct timespec ts = {0, 1000 * 1000};
        nanosleep(&ts, NULL);
        pthread_mutex_lock(&s->mu);
    }
    pthread_mutex_unlock(&s->mu);
}

uint64_t rn_sqlite_durable_lsn(rn_store_t *st)
{
    sq_t *s = (sq_t *)st;
    pthread_mutex_lock(&s->mu);
    uint64_t d = s->failed_upto >= s->durable_seq ? 0 : s->durable_seq;
    pthread_mutex_unlock(&s->mu);
    return d;
}

const char *rn_sqlite_msg_select =
    "SELECT seq, qid, id, body, meta, sent, visible, rc, first FROM messages ORDER BY seq";

void rn_sqlite_msg_row(struct sqlite3_stmt *p, rn_store_msg_rec_t *m)
{
    const void *body = sqlite3_column_blob(p, 3);
    const char *id = (const char *)sqlite3_column_text(p, 2);
    *m = (rn_store_msg_rec_t){
        .seq = sqlite3_column_int64(p, 0),
        .qid = sqlite3_column_int64(p, 1),
        .id = id ? id : "",
        .body = body ? body : "",
        .body_len = (size_t)sqlite3_column_bytes(p, 3),
        .meta_json = (const char *)sqlite3_column_text(p, 4),
        .sent_ms = sqlite3_column_int64(p, 5),
        .visible_ms = sqlite3_column_int64(p, 6),
        .receive_count = sqlite3_column_int(p, 7),
        .first_receive_ms = sqlite3_column_int64(p, 8),
    };
}

static int sq_load(rn_store_t *st, const rn_store_loader_t *l)
{
    sq_t *s = (sq_t *)st;
    sqlite3_stmt *p;
    int rc = 0;
    sqlite3_prepare_v2(s->db, "SELECT qid, name, state FROM queues ORDER BY qid", -1, &p, NULL);
    while (rc == 0 && sqlite3_step(p) == SQLITE_ROW) {
        rn_store_queue_rec_t q = {sqlite3_column_int64(p, 0), (const char *)sqlite3_column_text(p, 1),
                                  (const char *)sqlite3_column_text(p, 2)};
        rc = l->queue(l->ud, &q);
    }
    sqlite3_finalize(p);
    p = NULL;
    if (!s->inner)
        sqlite3_prepare_v2(s->db, rn_sqlite_msg_select, -1, &p, NULL);
    while (rc == 0 && p && sqlite3_step(p) == SQLITE_ROW) {
        rn_store_msg_rec_t m;
        rn_sqlite_msg_row(p, &m);
        rc = l->msg(l->ud, &m);
    }
    sqlite3_finalize(p);
    sqlite3_prepare_v2(s->db, "SELECT ns, key, value FROM kv ORDER BY ns, key", -1, &p, NULL);
    while (rc == 0 && sqlite3_step(p) == SQLITE_ROW)
        rc = l->kv(l->ud, (const char *)sqlite3_column_text(p, 0), (const char *)sqlite3_column_text(p, 1),
                   (const char *)sqlite3_column_text(p, 2));
    sqlite3_finalize(p);
    return rc;
}

static void on_handle_closed(uv_handle_t *h)
{
    sq_t *s = h->data;
    if (--s->open_handles == 0)
        rn_free(s);
}

static void sq_close(rn_store_t *st)
{
    sq_t *s = (sq_t *)st;
    flush_to_writer(s);
    pthread_mutex_lock(&s->mu);
    s->stop = 1;
    pthread_cond_signal(&s->cv);
    pthread_mutex_unlock(&s->mu);
    pthread_join(s->thread, NULL);
    if (s->sync)
        pthread_join(s->syncer, NULL);
    if (s->wal_fd >= 0)
        close(s->wal_fd);
    on_async(&s->async);
    for (int k = 0; k <= OP_RESET; k++)
        sqlite3_finalize(s->st[k]);
    sqlite3_finalize(s->applied_st);
    read_end(s);
    for (int k = 0; k < 3; k++)
        sqlite3_finalize(s->rst[k]);
    for (int t = 0; t < 2; t++) {
        sqlite3_finalize(s->get_st[t]);
        sqlite3_finalize(s->scan_st[t]);
        sqlite3_finalize(s->scan_open_st[t]);
        sqlite3_finalize(s->rscan_st[t]);
    }
    sqlite3_close(s->rdb);
    pending_clear(s);
    sqlite3_exec(s->db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
    sqlite3_close(s->db);
    s->open_handles = 2;
    uv_close((uv_handle_t *)&s->flush, on_handle_closed);
    uv_close((uv_handle_t *)&s->async, on_handle_closed);
    /* freed by the close callback */
}

static void sq_reset(rn_store_t *st)
{
    sq_t *s = (sq_t *)st;
    op_t *o = op_new(OP_RESET, NULL, NULL, 0, NULL);
    submit(s, o);
    pending_clear(s);
    if (o)
        s->reset_seq = o->sseq;
}

static void sq_queue_put(rn_store_t *st, const rn_store_queue_rec_t *q)
{
    sq_t *s = (sq_t *)st;
    op_t *o = op_new(OP_QPUT, q->name, NULL, 0, q->state_json);
    if (o)
        o->qid = q->qid;
    submit(s, o);
}

static void sq_queue_delete(rn_store_t *st, int64_t qid)
{
    sq_t *s = (sq_t *)st;
    op_t *o = op_new(OP_QDEL, NULL, NULL, 0, NULL);
    if (o)
        o->qid = qid;
    submit(s, o);
}

static void sq_msg_put(rn_store_t *st, const rn_store_msg_rec_t *m)
{
    sq_t *s = (sq_t *)st;
    op_t *o = op_new(OP_MPUT, m->id, m->body, m->body_len, m->meta_json);
    if (o) {
        o->qid = m->qid;
        o->seq = m->seq;
        o->sent = m->sent_ms;
        o->visible = m->visible_ms;
        o->rc = m->receive_count;
        o->first = m->first_receive_ms;
    }
    submit(s, o);
}

static void sq_msg_state(rn_store_t *st, int64_t qid, int64_t seq, int64_t visible_ms, int receive_count,
                        int64_t first_receive_ms)
{
    sq_t *s = (sq_t *)st;
    op_t *o = op_new(OP_MSTATE, NULL, NULL, 0, NULL);
    if (o) {
        o->qid = qid;
        o->seq = seq;
        o->visible = visible_ms;
        o->rc = receive_count;
        o->first = first_receive_ms;
    }
    submit(s, o);
}

static void sq_msg_delete(rn_store_t *st, int64_t qid, int64_t seq)
{
    sq_t *s = (sq_t *)st;
    op_t *o = op_new(OP_MDEL, NULL, NULL, 0, NULL);
    if (o) {
        o->qid = qid;
        o->seq = seq;
    }
    submit(s, o);
}

static void sq_msg_purge(rn_store_t *st, int64_t qid)
{
    sq_t *s = (sq_t *)st;
    op_t *o = op_new(OP_MPURGE, NULL, NULL, 0, NULL);
    if (o)
        o->qid = qid;
    submit(s, o);
}

static void sq_kv_put(rn_store_t *st, const char *ns, const char *key, const char *value)
{
    sq_t *s = (sq_t *)st;
    op_t *o = op_new(OP_KVPUT, ns, key, strlen(key), value);
    submit(s, o);
    if (o)
        pending_set(s, ns, key, value, o->sseq);
}

static void sq_kv_delete(rn_store_t *st, const char *ns, const char *key)
{
    sq_t *s = (sq_t *)st;
    op_t *o = op_new(OP_KVDEL, ns, key, strlen(key), NULL);
    submit(s, o);
    if (o)
        pending_set(s, ns, key, NULL, o->sseq);
}

static void sq_kv_delete_range(rn_store_t *st, const char *ns, const char *from, const char *to)
{
    submit((sq_t *)st, op_new(OP_KVRANGE, ns, from, strlen(from), to));
}

static int sq_kv_get(rn_store_t *st, const char *ns, const char *key, char **value)
{
    sq_t *s = (sq_t *)st;
    if (s->pending.len) {
        char *k = rn_store_full_key(ns, key);
        if (!k)
            return RN_ERR_NOMEM;
        pend_t *p = rn_smap_get(&s->pending, k);
        rn_free(k);
        if (p && !p->value)
            return 1;
        if (p)
            return (*value = rn_strdup(p->value)) ? 0 : RN_ERR_NOMEM;
    }
    if (s->reset_seq)
        return 1;
    read_begin(s);
    sqlite3_stmt *q = s->get_st[rn_store_ns_lazy(ns)];
    sqlite3_bind_text(q, 1, ns, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, key, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q), out = 1;
    if (rc == SQLITE_ROW)
        out = (*value = rn_strdup((const char *)sqlite3_column_text(q, 0))) ? 0 : RN_ERR_NOMEM;
    else if (rc != SQLITE_DONE)
        out = RN_ERR_INTERNAL;
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    return out;
}

typedef struct pend_ent {
    const char *key;
    const pend_t *p;
} pend_ent_t;

static int pend_cmp(const void *a, const void *b)
{
    return strcmp(((const pend_ent_t *)a)->key, ((const pend_ent_t *)b)->key);
}

static int pend_rcmp(const void *a, const void *b)
{
    return -pend_cmp(a, b);
}

/* Merges the database's rows of ns in [from, to) with the pending mutations in
 * that range, in key order (descending when desc); a pending mutation wins
 * over its row. */
static int scan_dir(sq_t *s, const char *ns, const char *from, const char *to, rn_store_kv_fn fn, void *ud, int desc)
{
    size_t np = 0, nl = strlen(ns), i = 0;
    pend_ent_t *pe = s->pending.len ? rn_malloc(s->pending.len * sizeof *pe) : NULL;
    if (s->pending.len && !pe)
        return RN_ERR_NOMEM;
    const char *k;
    void *v;
    while (rn_smap_next(&s->pending, &i, &k, &v)) {
        if (strncmp(k, ns, nl) != 0 || k[nl] != '\x1f')
            continue;
        const char *key = k + nl + 1;
        if ((from && strcmp(key, from) < 0) || (to && strcmp(key, to) >= 0))
            continue;
        pe[np++] = (pend_ent_t){key, v};
    }
    if (np)
        qsort(pe, np, sizeof *pe, desc ? pend_rcmp : pend_cmp);
    int lazy = rn_store_ns_lazy(ns);
    read_begin(s);
    sqlite3_stmt *q = desc ? s->rscan_st[lazy] : to ? s->scan_st[lazy] : s->scan_open_st[lazy];
    sqlite3_bind_text(q, 1, ns, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, from ? from : "", -1, SQLITE_STATIC);
    if (to)
        sqlite3_bind_text(q, 3, to, -1, SQLITE_STATIC);
    int rc = 0, step = s->reset_seq ? SQLITE_DONE : sqlite3_step(q);
    size_t j = 0;
    while (rc == 0 && (step == SQLITE_ROW || j < np)) {
        const char *rk = step == SQLITE_ROW ? (const char *)sqlite3_column_text(q, 0) : NULL;
        int c = !rk ? 1 : j == np ? -1 : strcmp(rk, pe[j].key) * (desc ? -1 : 1);
        if (c < 0) { /* a committed row nothing pending touches */
            rc = fn(ud, rk, (const char *)sqlite3_column_text(q, 1));
            step = sqlite3_step(q);
            continue;
        }
        if (pe[j].p->value)
            rc = fn(ud, pe[j].key, pe[j].p->value);
        j++;
        if (c == 0)
            step = sqlite3_step(q);
    }
    if (rc == 0 && step != SQLITE_ROW && step != SQLITE_DONE)
        rc = RN_ERR_INTERNAL;
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    rn_free(pe);
    return rc;
}

static int sq_kv_scan(rn_store_t *st, const char *ns, const char *from, const char *to, rn_store_kv_fn fn, void *ud)
{
    return scan_dir((sq_t *)st, ns, from, to, fn, ud, 0);
}

static int sq_kv_rscan(rn_store_t *st, const char *ns, const char *from, const char *to, rn_store_kv_fn fn, void *ud)
{
    return scan_dir((sq_t *)st, ns, from, to, fn, ud, 1);
}

static uint64_t sq_last_seq(const rn_store_t *st)
{
    const sq_t *s = (const sq_t *)st;
    return s->queued_seq;
}

static int sq_barrier(rn_store_t *st, uint64_t seq, void (*fn)(void *arg, int err), void *arg)
{
    sq_t *s = (sq_t *)st;
    if (seq == 0 || seq <= s->durable_seen)
        return 1;
    barrier_t *b = rn_malloc(sizeof *b);
    if (!b) {
        RN_ERROR("store: out of memory for a barrier");
        return 1;
    }
    *b = (barrier_t){NULL, seq, fn, arg};
    if (s->btail)
        s->btail->next = b;
    else
        s->bhead = b;
    s->btail = b;
    return 0;
}

static void sq_stats(const rn_store_t *st, uint64_t *committed, uint64_t *batches)
{
    const sq_t *s = (const sq_t *)st;
    *committed = s->committed;
    *batches = s->batches;
}

static const rn_store_ops_t ops = {
    .kind = "sqlite",
    .load = sq_load,
    .close = sq_close,
    .reset = sq_reset,
    .queue_put = sq_queue_put,
    .queue_delete = sq_queue_delete,
    .msg_put = sq_msg_put,
    .msg_state = sq_msg_state,
    .msg_delete = sq_msg_delete,
    .msg_purge = sq_msg_purge,
    .kv_put = sq_kv_put,
    .kv_delete = sq_kv_delete,
    .kv_delete_range = sq_kv_delete_range,
    .kv_get = sq_kv_get,
    .kv_scan = sq_kv_scan,
    .kv_rscan = sq_kv_rscan,
    .last_seq = sq_last_seq,
    .barrier = sq_barrier,
    .stats = sq_stats,
    .durable = 1,
};
