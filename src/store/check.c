/* SPDX-License-Identifier: MIT
 * `runnel check` (check.h): verifies a data dir offline and says whether it
 * is sound. It reads the log through the scanner recovery uses
 * (logscan.h: frame CRCs, record structure, LSN order) but rebuilds the
 * message index with its own small table, so a bug in the engine's index
 * cannot hide itself here. A bad frame in the last segment followed by no
 * good frame is a torn tail (an unacknowledged write the server cuts at
 * start: sound); followed by good frames it is damage (not sound). Owns
 * everything it allocates until it returns. */
#include "store/check.h"

#include "core/mem.h"
#include "store/format.h"
#include "store/io.h"
#include "store/log_int.h"
#include "store/logscan.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>

static const char *usage = "Usage: runnel check --data-dir DIR\n"
                           "\n"
                           "Checks a data dir offline (stop the server first, or check a copy): the format\n"
                           "file, every log segment's frame checksums and records, the message index rebuilt\n"
                           "from them, and the SQLite file's integrity. Changes nothing.\n"
                           "Exit status: 0 sound (a torn tail, which the server cuts at start, is sound),\n"
                           "1 not sound, 2 usage.\n";

/* A live message as the log says: enough to count it and its bytes. */
typedef struct live {
    int64_t seq; /* INT64_MIN: empty slot */
    int64_t qid;
    uint32_t put_len, state_len;
} live_t;

typedef struct queue {
    int64_t qid;
    char *name;     /* from the log's QUEUE_PUT or SQLite's queues table; NULL unknown */
    int in_log_del; /* a QUEUE_DEL came after everything else we saw */
    uint64_t count, bytes;
} queue_t;

typedef struct checker {
    live_t *slots;
    size_t cap, len;
    queue_t *queues;
    size_t nqueues, qcap;
    uint64_t applied_lsn;
    int have_applied;
    uint64_t record_bytes, control_live; /* all records; queue/keyed ones SQLite has not applied */
    int nomem;
} checker_t;

static size_t slot_of(const checker_t *c, int64_t seq)
{
    uint64_t h = (uint64_t)seq * 0x9E3779B97F4A7C15ull;
    return (size_t)(h >> 16) & (c->cap - 1);
}

static live_t *live_find(checker_t *c, int64_t seq)
{
    if (!c->cap)
        return NULL;
    for (size_t i = slot_of(c, seq);; i = (i + 1) & (c->cap - 1)) {
        if (c->slots[i].seq == seq)
            return &c->slots[i];
        if (c->slots[i].seq == INT64_MIN)
            return NULL;
    }
}

static int live_grow(checker_t *c)
{
    size_t cap = c->cap ? c->cap * 2 : 1024;
    live_t *s = rn_malloc(cap * sizeof *s);
    if (!s)
        return -1;
    for (size_t i = 0; i < cap; i++)
        s[i].seq = INT64_MIN;
    live_t *old = c->slots;
    size_t oldcap = c->cap;
    c->slots = s;
    c->cap = cap;
    for (size_t i = 0; i < oldcap; i++) {
        if (old[i].seq == INT64_MIN)
            continue;
        size_t j = slot_of(c, old[i].seq);
        while (s[j].seq != INT64_MIN)
            j = (j + 1) & (cap - 1);
        s[j] = old[i];
    }
    rn_free(old);
    return 0;
}

/* Removes slot i by backward shift (no tombstones). */
static void live_remove_at(checker_t *c, size_t i)
{
    size_t mask = c->cap - 1;
    for (size_t j = (i + 1) & mask;; j = (j + 1) & mask) {
        if (c->slots[j].seq == INT64_MIN)
            break;
        size_t home = slot_of(c, c->slots[j].seq);
        /* j's entry may move to i when its home is not cyclically in (i, j] */
        if (((j - home) & mask) >= ((j - i) & mask)) {
            c->slots[i] = c->slots[j];
            i = j;
        }
    }
    c->slots[i].seq = INT64_MIN;
    c->len--;
}

static void live_del(checker_t *c, int64_t seq)
{
    live_t *e = live_find(c, seq);
    if (e)
        live_remove_at(c, (size_t)(e - c->slots));
}

/* Every live message of qid (all of them when all is set) removed. */
static void live_drop_queue(checker_t *c, int64_t qid, int all)
{
    for (size_t i = 0; i < c->cap;) {
        if (c->slots[i].seq != INT64_MIN && (all || c->slots[i].qid == qid))
            live_remove_at(c, i); /* an entry may have moved into i: look again */
        else
            i++;
    }
}

static queue_t *queue_get(checker_t *c, int64_t qid)
{
    for (size_t i = 0; i < c->nqueues; i++)
        if (c->queues[i].qid == qid)
            return &c->queues[i];
    if (c->nqueues == c->qcap) {
        size_t cap = c->qcap ? c->qcap * 2 : 16;
        queue_t *q = rn_realloc(c->queues, cap * sizeof *q);
        if (!q)
            return NULL;
        c->queues = q;
        c->qcap = cap;
    }
    queue_t *q = &c->queues[c->nqueues++];
    memset(q, 0, sizeof *q);
    q->qid = qid;
    return q;
}

static void queue_name(queue_t *q, const char *name, size_t len)
{
    rn_free(q->name);
    q->name = rn_strndup(name, len);
}

/* One record of the log, in order: the index as recovery would build it. */
static int on_record(void *ud, const rn_log_rec_t *r)
{
    checker_t *c = ud;
    c->record_bytes += r->len;
    int control = 0;
    switch (r->type) {
    case RN_REC_MSG_PUT: {
        live_t *e = live_find(c, r->seq);
        if (!e) {
            if ((c->len + 1) * 4 > c->cap * 3 && live_grow(c) < 0) {
                c->nomem = 1;
                return -1;
            }
            size_t i = slot_of(c, r->seq);
            while (c->slots[i].seq != INT64_MIN)
                i = (i + 1) & (c->cap - 1);
            e = &c->slots[i];
            c->len++;
        }
        *e = (live_t){.seq = r->seq, .qid = r->qid, .put_len = r->len, .state_len = 0};
        break;
    }
    case RN_REC_MSG_STATE: {
        live_t *e = live_find(c, r->seq);
        if (e)
            e->state_len = r->len;
        break;
    }
    case RN_REC_MSG_DEL:
        live_del(c, r->seq);
        break;
    case RN_REC_MSG_PURGE:
        live_drop_queue(c, r->qid, 0);
        break;
    case RN_REC_QUEUE_DEL: {
        live_drop_queue(c, r->qid, 0);
        queue_t *q = queue_get(c, r->qid);
        if (q)
            q->in_log_del = 1;
        control = 1;
        break;
    }
    case RN_REC_QUEUE_PUT: {
        queue_t *q = queue_get(c, r->qid);
        if (!q) {
            c->nomem = 1;
            return -1;
        }
        queue_name(q, r->name, r->name_len);
        q->in_log_del = 0;
        control = 1;
        break;
    }
    case RN_REC_RESET:
        live_drop_queue(c, 0, 1);
        for (size_t i = 0; i < c->nqueues; i++)
            c->queues[i].in_log_del = 1;
        control = 1;
        break;
    default: /* keyed records */
        control = 1;
        break;
    }
    if (control && (!c->have_applied || r->lsn > c->applied_lsn))
        c->control_live += r->len;
    return 0;
}

typedef struct sql_state {
    int ok, opened;
    uint64_t applied;
    int have_applied;
    int64_t queues;
} sql_state_t;

/* The SQLite file: integrity, applied LSN, queue names. Problems printed;
 * returns the number of them. */
static int check_sqlite(const char *dir, checker_t *c, sql_state_t *s)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/runnel.db", dir);
    struct stat st;
    memset(s, 0, sizeof *s);
    if (stat(path, &st) != 0) {
        printf("sqlite: no runnel.db\n");
        return 0;
    }
    sqlite3 *db = NULL;
    int problems = 0;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        printf("problem: cannot open %s: %s\n", path, db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return 1;
    }
    s->opened = 1;
    sqlite3_busy_timeout(db, 2000);
    sqlite3_stmt *p = NULL;
    if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &p, NULL) == SQLITE_OK) {
        int rows = 0;
        while (sqlite3_step(p) == SQLITE_ROW) {
            const char *t = (const char *)sqlite3_column_text(p, 0);
            if (rows == 0 && t && strcmp(t, "ok") == 0)
                s->ok = 1;
            else if (rows < 10)
                printf("problem: %s: integrity_check: %s\n", path, t ? t : "(null)");
            rows++;
        }
        if (!s->ok)
            problems++;
    } else {
        printf("problem: %s: integrity_check cannot run: %s\n", path, sqlite3_errmsg(db));
        problems++;
    }
    sqlite3_finalize(p);
    p = NULL;
    /* the log engine's meta table: key applied_lsn (absent in a format 1 file) */
    if (sqlite3_prepare_v2(db, "SELECT v FROM meta WHERE k = 'applied_lsn'", -1, &p, NULL) == SQLITE_OK &&
        sqlite3_step(p) == SQLITE_ROW) {
        s->applied = (uint64_t)sqlite3_column_int64(p, 0);
        s->have_applied = 1;
        c->applied_lsn = s->applied;
        c->have_applied = 1;
    }
    sqlite3_finalize(p);
    p = NULL;
    if (sqlite3_prepare_v2(db, "SELECT qid, name FROM queues", -1, &p, NULL) == SQLITE_OK) {
        while (sqlite3_step(p) == SQLITE_ROW) {
            queue_t *q = queue_get(c, sqlite3_column_int64(p, 0));
            const char *name = (const char *)sqlite3_column_text(p, 1);
            if (q && name)
                queue_name(q, name, strlen(name));
            s->queues++;
        }
    }
    sqlite3_finalize(p);
    sqlite3_close(db);
    printf("sqlite: runnel.db %s, %" PRId64 " queues, applied LSN %s", s->ok ? "integrity ok" : "DAMAGED",
           s->queues, s->have_applied ? "" : "unknown (no meta table)");
    if (s->have_applied)
        printf("%" PRIu64, s->applied);
    printf("\n");
    return problems;
}

/* The torn region's verdict: 0 a torn tail, 1 damage (printed). */
static int judge_tail(const char *logdir, const rn_log_scan_stats_t *st)
{
    char path[4096];
    rn_seg_path(path, sizeof path, logdir, st->torn_segment);
    unsigned char *buf;
    size_t len, at;
    if (rn_file_read(path, &buf, &len) < 0) {
        printf("problem: cannot read %s: %s\n", path, strerror(errno));
        return 1;
    }
    int damaged = st->torn_offset > 0 && rn_log_good_frame_after(buf, len, (size_t)st->torn_offset + 1, st->last_lsn, &at);
    rn_free(buf);
    if (damaged) {
        printf("problem: %s: bad frame (checksum, magic or length) at offset %" PRIu64
               ", followed by a good frame at offset %zu: damage inside the log, not a torn tail\n",
               path, st->torn_offset, at);
        return 1;
    }
    printf("tail: torn, %" PRIu64 " bytes at %s offset %" PRIu64
           " (a write never acknowledged; the server cuts it at start)\n",
           st->torn_bytes, path, st->torn_offset);
    return 0;
}

static int check_dir(const char *dir)
{
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "runnel check: %s is not a directory\n", dir);
        return 2;
    }
    int problems = 0, version;
    char err[512];
    printf("runnel check: data dir %s\n", dir);
    /* a server holds DATA/LOCK while it runs (rn_datadir_lock); a shared
     * lock tells without changing anything, and keeps one from starting */
    char lpath[4200];
    snprintf(lpath, sizeof lpath, "%s/LOCK", dir);
    int lfd = open(lpath, O_RDONLY | O_CLOEXEC);
    if (lfd >= 0 && flock(lfd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK) {
        char pid[32] = "";
        ssize_t n = pread(lfd, pid, sizeof pid - 1, 0);
        pid[n > 0 ? n : 0] = '\0';
        pid[strcspn(pid, "\n")] = '\0';
        printf("warning: a running runnel (pid %s) has this data dir open: what it writes meanwhile can look torn;"
               " stop it, or check a copy\n", pid[0] ? pid : "?");
    }
    if (rn_format_read(dir, &version, err, sizeof err) < 0) {
        printf("problem: %s\n", err);
        problems++;
        version = RN_FORMAT_VERSION; /* check the rest as the current format */
    } else if (version > RN_FORMAT_VERSION) {
        printf("problem: store format %d is newer than this runnel's (%d): cannot check it\n", version,
               RN_FORMAT_VERSION);
        printf("result: NOT SOUND (1 problem)\n");
        if (lfd >= 0)
            close(lfd);
        return 1;
    } else {
        printf("format: %s\n", version == RN_FORMAT_EMPTY ? "none (an empty or new data dir)"
                               : version == RN_FORMAT_V1  ? "1 (the SQLite-only store: migrated at the next start)"
                                                          : "2 (log engine)");
    }
    checker_t c = {0};
    sql_state_t sql;
    problems += check_sqlite(dir, &c, &sql);

    char logdir[4096];
    snprintf(logdir, sizeof logdir, "%s/log", dir);
    rn_log_scan_stats_t ls;
    int rc = rn_log_scan(logdir, 0, on_record, &c, &ls);
    if (c.nomem) {
        printf("problem: out of memory rebuilding the index\n");
        problems++;
    } else if (rc != 0) {
        printf("problem: %s\n", ls.error[0] ? ls.error : "the log cannot be read");
        problems++;
    }
    printf("log: %u segments", ls.segments);
    if (ls.segments)
        printf(" (%u..%u)", ls.first_segment, ls.last_segment);
    printf(", %" PRIu64 " frames, %" PRIu64 " records, %" PRIu64 " bytes, last LSN %" PRIu64 "\n", ls.frames,
           ls.records, ls.bytes, ls.last_lsn);
    if (version == RN_FORMAT_EMPTY && ls.segments)
        printf("warning: a log but no FORMAT file (the server writes it at start)\n");
    if (rc == 0) {
        if (ls.torn_bytes)
            problems += judge_tail(logdir, &ls);
        else
            printf("tail: clean\n");
    }
    uint64_t live_bytes = 0;
    for (size_t i = 0; i < c.cap; i++) {
        const live_t *e = &c.slots[i];
        if (e->seq == INT64_MIN)
            continue;
        live_bytes += e->put_len + e->state_len;
        queue_t *q = queue_get(&c, e->qid);
        if (q) {
            q->count++;
            q->bytes += e->put_len + e->state_len;
        }
    }
    uint64_t live = live_bytes + c.control_live;
    printf("messages: %zu live, %" PRIu64 " bytes; log records: %" PRIu64 " live bytes, %" PRIu64 " dead bytes",
           c.len, live_bytes, live, c.record_bytes - live);
    if (c.record_bytes)
        printf(" (%.1f%% live)", 100.0 * (double)live / (double)c.record_bytes);
    printf("\n");
    uint64_t orphans = 0;
    for (size_t i = 0; i < c.nqueues; i++) {
        const queue_t *q = &c.queues[i];
        if (!q->count)
            continue;
        printf("  queue %" PRId64 " %s: %" PRIu64 " messages, %" PRIu64 " bytes\n", q->qid,
               q->name ? q->name : "(no queue record)", q->count, q->bytes);
        if (!q->name || q->in_log_del)
            orphans += q->count;
    }
    if (orphans)
        printf("warning: %" PRIu64 " live messages belong to no known queue\n", orphans);
    if (sql.have_applied && sql.applied > ls.last_lsn && rc == 0) {
        printf("problem: SQLite has applied LSN %" PRIu64 ", beyond the log's last LSN %" PRIu64
               " (log records lost)\n",
               sql.applied, ls.last_lsn);
        problems++;
    }
    for (size_t i = 0; i < c.nqueues; i++)
        rn_free(c.queues[i].name);
    rn_free(c.queues);
    rn_free(c.slots);
    if (problems)
        printf("result: NOT SOUND (%d problem%s)\n", problems, problems == 1 ? "" : "s");
    else
        printf("result: sound\n");
    if (lfd >= 0)
        close(lfd); /* the shared lock with it */
    return problems ? 1 : 0;
}

/* Runs `runnel check`; see check.h. */
int rn_store_check_main(int argc, char **argv)
{
    const char *dir = NULL;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(usage, stdout);
            return 0;
        }
        if (strcmp(argv[i], "--data-dir") == 0 && i + 1 < argc)
            dir = argv[++i];
        else if (strncmp(argv[i], "--data-dir=", 11) == 0)
            dir = argv[i] + 11;
        else {
            fprintf(stderr, "runnel check: unexpected argument '%s'\n%s", argv[i], usage);
            return 2;
        }
    }
    if (!dir || !*dir) {
        fprintf(stderr, "runnel check: --data-dir is required\n%s", usage);
        return 2;
    }
    return check_dir(dir);
}
