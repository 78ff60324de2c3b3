/* SPDX-License-Identifier: MIT
 * Inside the store: the operations every engine implements. An engine's
 * state struct starts with a struct rn_store whose ops point at its table;
 * store.c forwards the public functions through it. Engines: log (the
 * durable default: engine_log.c, with sqlite inside it for queue and keyed
 * records), sqlite (alone: the SQLite-only store of format 1), memory (--in-memory: keeps keyed records for the read
 * path, nothing across a restart), view (a partition of another store: its
 * records carry the partition's prefix). Every engine passes
 * tests/unit/test_store_contract.c. */
#ifndef RN_STORE_INT_H
#define RN_STORE_INT_H
#include "store/store.h"

typedef struct rn_store_ops {
    const char *kind;
    int (*load)(rn_store_t *s, const rn_store_loader_t *l);
    void (*close)(rn_store_t *s);
    void (*reset)(rn_store_t *s);
    void (*queue_put)(rn_store_t *s, const rn_store_queue_rec_t *q);
    void (*queue_delete)(rn_store_t *s, int64_t qid);
    void (*msg_put)(rn_store_t *s, const rn_store_msg_rec_t *m);
    void (*msg_state)(rn_store_t *s, int64_t qid, int64_t seq, int64_t visible_ms, int receive_count,
                      int64_t first_receive_ms);
    void (*msg_delete)(rn_store_t *s, int64_t qid, int64_t seq);
    void (*msg_purge)(rn_store_t *s, int64_t qid);
    int (*msg_read)(rn_store_t *s, int64_t qid, int64_t seq, char **body, size_t *body_len, char **cold,
                    size_t *cold_len);
    void (*kv_put)(rn_store_t *s, const char *ns, const char *key, const char *value);
    void (*kv_delete)(rn_store_t *s, const char *ns, const char *key);
    void (*kv_delete_range)(rn_store_t *s, const char *ns, const char *from, const char *to);
    int (*kv_get)(rn_store_t *s, const char *ns, const char *key, char **value);
    int (*kv_scan)(rn_store_t *s, const char *ns, const char *from, const char *to, rn_store_kv_fn fn, void *ud);
    int (*kv_rscan)(rn_store_t *s, const char *ns, const char *from, const char *to, rn_store_kv_fn fn, void *ud);
    uint64_t (*last_seq)(const rn_store_t *s);
    int (*barrier)(rn_store_t *s, uint64_t seq, void (*fn)(void *arg, int err), void *arg);
    void (*stats)(const rn_store_t *s, uint64_t *committed, uint64_t *batches);
    void (*flush)(rn_store_t *s); /* NULL: nothing to hand over early */
    int (*disk_stats)(const rn_store_t *s, rn_store_disk_stats_t *d); /* NULL: no log */
    int durable; /* 1 when mutations are kept */
} rn_store_ops_t;

struct rn_store {
    const rn_store_ops_t *ops;
};

/* "ns\x1fkey" (rn_malloc), the one key engines keep keyed records under in
 * RAM; NULL on out of memory. */
char *rn_store_full_key(const char *ns, const char *key);

/* The engines' constructors (rn_store_open picks one). */
int rn_store_open_sqlite(uv_loop_t *loop, const char *dir, rn_fsync_t fsync_mode, rn_store_t **out, char *msg,
                         size_t msglen);
int rn_store_open_memory(rn_store_t **out);
int rn_store_open_log(uv_loop_t *loop, const char *dir, rn_fsync_t fsync_mode, rn_store_t **out, char *msg,
                      size_t msglen);

/* The sqlite engine under the log engine (engine_log.c): no messages table;
 * each mutation carries the log's LSN (rn_sqlite_next_lsn before queueing
 * it) and is applied only once the log made it durable (rn_sqlite_gate, any
 * thread); each transaction records meta(applied_lsn). */
int rn_store_open_sqlite_inner(uv_loop_t *loop, const char *dir, rn_fsync_t fsync_mode, rn_store_t **out,
                               char *msg, size_t msglen);
/* meta(applied_lsn) as the database held it at open. */
uint64_t rn_sqlite_applied_lsn(const rn_store_t *s);
/* The next mutation queued gets LSN lsn. Loop only. */
void rn_sqlite_next_lsn(rn_store_t *s, uint64_t lsn);
void rn_sqlite_gate(rn_store_t *s, uint64_t durable_lsn);
/* The format 1 messages table: its SELECT (columns in the order
 * rn_sqlite_msg_row reads them) and one row as a record (borrowed strings,
 * valid until the next step). */
struct sqlite3_stmt;
extern const char *rn_sqlite_msg_select;
void rn_sqlite_msg_row(struct sqlite3_stmt *p, rn_store_msg_rec_t *m);
/* Hands what is queued to the writer and waits until it is applied (start
 * only: the loop does not turn meanwhile). */
void rn_sqlite_apply_now(rn_store_t *s);
/* The LSN up to which mutations are applied and synced (any thread). */
uint64_t rn_sqlite_durable_lsn(rn_store_t *s);
#endif
