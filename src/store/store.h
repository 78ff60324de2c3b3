/* SPDX-License-Identifier: MIT
 * The durable store, in terms of queues, messages and small keyed records,
 * never SQL. Mutations are queued from the loop without waiting; a store
 * thread commits them in batches (group commit) and the loop learns which
 * mutations are durable through barriers. A replicated backend implements
 * the same functions. Only store/ knows which engine sits behind it: engines
 * implement an ops table (store_int.h). */
#ifndef RN_STORE_H
#define RN_STORE_H
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

typedef struct rn_store rn_store_t;

typedef struct rn_store_queue_rec {
    int64_t qid;            /* stable internal id */
    const char *name;
    const char *state_json; /* attributes, tags, policy... as the service encodes them */
} rn_store_queue_rec_t;

typedef struct rn_store_msg_rec {
    int64_t qid;
    int64_t seq;            /* per-queue order, unique within the queue */
    const char *id;         /* MessageId */
    const char *body;
    size_t body_len;
    const char *meta_json;  /* what the service's index needs at start (group,
                               dedup id, ...): replayed by rn_store_load; keep
                               it small */
    const char *cold;       /* what is needed only when the message is read
                               (attributes, digests, ...): never replayed, read
                               back with the body; NULL when none */
    size_t cold_len;
    int64_t sent_ms;
    int64_t visible_ms;     /* when it may next be received */
    int receive_count;
    int64_t first_receive_ms;
} rn_store_msg_rec_t;

/* Visitor for rn_store_load(); returning non-zero stops loading with that
 * error. A message is replayed without its body and cold part (body NULL,
 * cold NULL; body_len and cold_len still set): read them back with
 * rn_store_msg_read when the message is received. */
typedef struct rn_store_loader {
    int (*queue)(void *ud, const rn_store_queue_rec_t *q);
    int (*msg)(void *ud, const rn_store_msg_rec_t *m);
    int (*kv)(void *ud, const char *ns, const char *key, const char *value);
    void *ud;
} rn_store_loader_t;

typedef enum { RN_FSYNC_ALWAYS, RN_FSYNC_OFF } rn_fsync_t;

/* Opens the store in `dir` (created if missing), or a store that keeps
 * nothing when dir is NULL. Caller owns *out; free with rn_store_close(). */
int rn_store_open(uv_loop_t *loop, const char *dir, rn_fsync_t fsync_mode, rn_store_t **out, char *msg,
                  size_t msglen);
/* Replays everything durable into the loader, in queue then message
 * (qid, seq) order then keyed records. Call once, before serving. */
int rn_store_load(rn_store_t *s, const rn_store_loader_t *l);
/* Flushes every queued mutation, stops the thread and frees the store. */
void rn_store_close(rn_store_t *s);
/* Drops all state (the reset endpoint). */
void rn_store_reset(rn_store_t *s);

/* Mutations: each copies what it needs and returns at once. */
void rn_store_queue_put(rn_store_t *s, const rn_store_queue_rec_t *q);
void rn_store_queue_delete(rn_store_t *s, int64_t qid);
void rn_store_msg_put(rn_store_t *s, const rn_store_msg_rec_t *m);
void rn_store_msg_state(rn_store_t *s, int64_t qid, int64_t seq, int64_t visible_ms, int receive_count,
                        int64_t first_receive_ms);
void rn_store_msg_delete(rn_store_t *s, int64_t qid, int64_t seq);
void rn_store_msg_purge(rn_store_t *s, int64_t qid);
/* Reads back a live message's body and cold part as rn_store_msg_put got
 * them (with --in-memory too). Loop only; synchronous; sees every mutation
 * queued so far. 0 with *body (body_len bytes, then a NUL) and *cold
 * (cold_len bytes, then a NUL; NULL when the put had none) in one
 * allocation the caller frees with rn_free(*body); 1 when there is no such
 * message; RN_ERR_NOMEM, or RN_ERR_INTERNAL when the disk fails. */
int rn_store_msg_read(rn_store_t *s, int64_t qid, int64_t seq, char **body, size_t *body_len, char **cold,
                      size_t *cold_len);
void rn_store_kv_put(rn_store_t *s, const char *ns, const char *key, const char *value);
void rn_store_kv_delete(rn_store_t *s, const char *ns, const char *key);
/* Deletes the records of ns whose keys are in [from, to). Reads may still see
 * them until the deletion commits: use it for ranges nobody reads any more (a
 * deleted table's items). */
void rn_store_kv_delete_range(rn_store_t *s, const char *ns, const char *from, const char *to);

/* Mutations queued from the loop in one turn of it commit together: all of
 * them or none survive a crash (a transaction's writes, made in one call, are
 * never half there). */
/* Ends the unit early: what was queued so far commits together and goes to
 * the writer now rather than at the end of the loop turn. Call it only where
 * no operation is half done (the protocol layer, once a request's call has
 * returned). */
void rn_store_flush(rn_store_t *s);

/* A namespace whose name ends in '#' is read-path only: its records are kept
 * like any others, but rn_store_load does not replay them. A service reads
 * them back with rn_store_kv_get/scan, so their number is not bounded by RAM
 * or start-up time (DynamoDB's items). */
static inline int rn_store_ns_lazy(const char *ns)
{
    size_t n = 0;
    while (ns[n])
        n++;
    return n && ns[n - 1] == '#';
}

/* The read path, for a service whose data need not all live in RAM: keyed
 * records read back through the store. Loop only; synchronous. A read sees
 * every mutation queued so far, committed or not (read-your-writes).
 * rn_store_kv_get: 0 with *value (caller frees with rn_free), 1 when there is
 * no such record, or RN_ERR_NOMEM / RN_ERR_INTERNAL. */
int rn_store_kv_get(rn_store_t *s, const char *ns, const char *key, char **value);
/* Visits the records of ns whose keys are in [from, to) (NULL: unbounded) in
 * ascending key order (bytewise, as strcmp). fn returning non-zero stops the
 * scan with that value; otherwise returns 0 or an error. Borrowed strings, for
 * the call only; fn must not write to the store. The memory engine sorts on
 * every scan. */
typedef int (*rn_store_kv_fn)(void *ud, const char *key, const char *value);
int rn_store_kv_scan(rn_store_t *s, const char *ns, const char *from, const char *to, rn_store_kv_fn fn, void *ud);
/* The same in descending key order; both bounds are required. */
int rn_store_kv_rscan(rn_store_t *s, const char *ns, const char *from, const char *to, rn_store_kv_fn fn, void *ud);

/* Sequence number of the last queued mutation (0 when none ever). */
uint64_t rn_store_last_seq(const rn_store_t *s);
/* Asks for fn(arg, err) once every mutation up to `seq` is durable (err is 0)
 * or failed to commit (err < 0). Returns 1 without calling fn when that is
 * already so, 0 when fn will be called later from the loop. */
int rn_store_barrier(rn_store_t *s, uint64_t seq, void (*fn)(void *arg, int err), void *arg);
/* Mutations committed so far and batches used, for stats and benches. */
void rn_store_stats(const rn_store_t *s, uint64_t *committed, uint64_t *batches);
/* The log engine's disk figures (rn_store_disk_stats). Write
 * amplification = written_bytes / client_bytes. */
typedef struct rn_store_disk_stats {
    uint64_t segments;        /* segment files */
    uint64_t record_bytes;    /* bytes of records in them */
    uint64_t live_bytes;      /* of which live message records */
    uint64_t messages;        /* live messages */
    uint64_t client_bytes;    /* record bytes the store's callers appended */
    uint64_t compacted_bytes; /* record bytes compaction copied forward */
    uint64_t written_bytes;   /* bytes written to segment files */
    uint64_t syncs;           /* fdatasyncs */
    uint64_t write_errors;    /* failed batches (each retried) */
} rn_store_disk_stats_t;
/* 0 with *d filled, or 1 when the engine keeps no log. */
int rn_store_disk_stats(const rn_store_t *s, rn_store_disk_stats_t *d);
/* 1 when mutations survive a restart (so a service that holds its state in
 * RAM can skip encoding them when 0). The memory engine answers 0 though it
 * keeps keyed records for the read path while the process lives. */
int rn_store_durable(const rn_store_t *s);
/* "log", "sqlite", "memory" or "view". Borrowed static string. */
const char *rn_store_kind(const rn_store_t *s);

/* A partition of `base` (one account and region's records): what is written
 * through the view lands in base with `prefix` before every keyed record's
 * namespace and every queue's name, and with `id_base` added to every queue
 * id and message sequence number (so partitions never collide; give each a
 * distinct multiple of RN_STORE_ID_SPAN). Loading, reset and closing belong
 * to base's owner, who routes the prefixed records back (rn_store_view_split)
 * and subtracts id_base; closing a view frees only the view. Borrowed: base
 * and prefix (copied) must outlive it. */
#define RN_STORE_ID_SPAN ((int64_t)1 << 40)
int rn_store_view(rn_store_t *base, const char *prefix, int64_t id_base, rn_store_t **out);
/* Splits a partition prefix "@ACCOUNT/REGION/" off the start of s: 1 with
 * account, region and *rest set, 0 when s has no such prefix. */
int rn_store_view_split(const char *s, char account[16], char region[64], const char **rest);
#endif
