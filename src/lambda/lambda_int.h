/* SPDX-License-Identifier: MIT
 * Lambda's internals: the function registry (function.c), code packages
 * (code.c), instances and invocations (sandbox.c, invoke.c). Everything here
 * lives on the loop and belongs to the lambda_t that holds it. */
#ifndef RN_LAMBDA_INT_H
#define RN_LAMBDA_INT_H
#include <jansson.h>
#include <limits.h>
#include <stdint.h>
#include <uv.h>

#include "core/buf.h"
#include "core/map.h"
#include "core/service.h"
#include "lambda/lambda.h"
#include "lambda/lambda_err.h"

/* A Runnel extension of UpdateFunctionCode and CreateFunction's Code: a
 * local directory run in place (hot reload), instead of a zip. */
#define LAMBDA_LOCAL_DIR "RunnelCodeDirectory"

#define LAMBDA_MAX_SYNC_PAYLOAD 6291456    /* 6 MB, request and response */
#define LAMBDA_MAX_ASYNC_PAYLOAD 1048576   /* 1 MB */
#define LAMBDA_MAX_ZIPPED 52428800         /* 50 MB */
#define LAMBDA_MAX_UNZIPPED 262144000      /* 250 MB */
#define LAMBDA_ACCOUNT_CONCURRENCY 1000
#define LAMBDA_LOG_TAIL 4096

typedef struct lambda lambda_t;
typedef struct lambda_fn lambda_fn_t;
typedef struct lambda_inst lambda_inst_t;
typedef struct lambda_inv lambda_inv_t;

/* One invocation, from Invoke to its result. */
struct lambda_inv {
    char id[37];
    lambda_fn_t *fn;
    char *payload;         /* owned */
    size_t len;
    char *client_context;  /* owned JSON text (decoded from base64), or NULL */
    rn_call_t *call;       /* a RequestResponse caller still waiting, or NULL */
    /* An invocation Runnel made itself (an event source mapping's batch):
     * called with the result instead of a caller. */
    void (*on_done)(void *ud, const char *payload, size_t len, const char *function_error);
    void *ud;
    int tail;              /* LogType Tail */
    int async;             /* an Event invoke, kept as lambda.async/<id> until done */
    char arn[320];         /* the ARN it was invoked by (with its qualifier) */
    int attempts;          /* Event: runs so far */
    int detached;          /* its service was reset: no logs, retries or destinations */
    int64_t first_ms;      /* Event: when it was accepted (its age) */
    int64_t due_ms;        /* Event: when its retry runs */
    lambda_inst_t *inst;   /* while running */
    int64_t start_us;
    lambda_inv_t *next;    /* the function's queue */
};

enum { INST_STARTING, INST_IDLE, INST_BUSY, INST_DEAD };

/* One running child process and its Runtime API endpoint. */
struct lambda_inst {
    lambda_fn_t *fn;
    uv_process_t proc;
    uv_pipe_t out;
    uv_timer_t timer;         /* the invocation's timeout, or init's */
    int handles;              /* libuv handles still open */
    int exited;
    int64_t exit_status;
    int term_signal;
    rn_runtime_ep_t *ep;
    char addr[64];
    int state;                /* INST_* */
    rn_runtime_req_t *waiting; /* its parked "next" */
    lambda_inv_t *inv;        /* the invocation it runs */
    int64_t spawned_us, init_us, idle_since_ms;
    int timed_out;
    int inv_count;            /* invocations finished (the first REPORT has Init Duration) */
    int stale;                /* code or configuration changed: stop after its invocation */
    rn_buf_t log;             /* output since the current invocation began */
    char stream[128];         /* log stream name */
    char tmp[PATH_MAX];       /* its own TMPDIR */
    lambda_inst_t *next;      /* the function's instances */
    lambda_inst_t *all_prev, *all_next; /* every live instance of the service */
};

/* A function's running totals since the instance started, the counters of
 * its AWS/Lambda metrics (lambda/metrics.c). Kept on $LATEST for the
 * function's versions and aliases too, as AWS's FunctionName dimension
 * aggregates them. */
typedef struct lambda_tally {
    uint64_t invocations;    /* Invocations: runs of the code that ended, function errors included */
    uint64_t errors;         /* Errors: those that ended in a function error */
    uint64_t throttles;      /* Throttles: invoke requests refused with TooManyRequestsException */
    uint64_t timed;          /* Duration's samples: the invocations an instance ran */
    double duration_ms;      /* Duration: their time in the code */
    uint64_t async_received; /* AsyncEventsReceived: Event invokes accepted into the queue */
    uint64_t async_dropped;  /* AsyncEventsDropped: Event invokes given up after failing */
} lambda_tally_t;

/* One function: its $LATEST, or one of its published versions (which
 * has its own configuration, code directory and instances). */
struct lambda_fn {
    lambda_t *L;
    char name[65];
    char version[16];     /* "$LATEST" or "1", "2", ... */
    lambda_fn_t *latest;  /* a version's $LATEST; NULL for $LATEST itself */
    rn_smap_t versions;   /* $LATEST: "N" -> lambda_fn_t */
    rn_smap_t aliases;    /* $LATEST: alias name -> json_t (AliasConfiguration) */
    int last_version;     /* $LATEST: the highest version published */
    json_t *cfg;          /* FunctionConfiguration as GetFunction returns it */
    json_t *tags;         /* {key: value} */
    char code_dir[PATH_MAX]; /* the unpacked package, or the local directory */
    int local;            /* code_dir is the user's own directory */
    char hot_stamp[64];   /* local: the newest mtime seen, to restart on change */
    int64_t hot_checked_ms;
    lambda_inst_t *insts;
    int ninst, nstarting;
    int alive;            /* instances not yet freed (their handles still closing) */
    lambda_inv_t *qhead, *qtail;
    int qlen;
    int reserved;         /* reserved concurrency, -1: none */
    int deleted;          /* removed; freed when its last instance is gone */
    json_t *creds;        /* STS credentials for its role, shared by its instances */
    json_t *eic;          /* $LATEST: its event invoke config (retries, age, destinations), or NULL */
    json_t *veic;         /* $LATEST: its versions' configs, {"N": config} */
    json_t *policy;       /* $LATEST: resource policy statements (stored, not enforced) */
    int64_t creds_until_ms;
    lambda_tally_t tally; /* $LATEST: the function's, its versions' included */
};

typedef struct lambda_esm lambda_esm_t;

struct lambda {
    rn_service_env_t env;
    rn_smap_t fns;            /* name -> lambda_fn_t */
    rn_smap_t esms;           /* UUID -> lambda_esm_t */
    json_t *layers;           /* {name: {"N": LayerVersion (+ "_dir")}} */
    json_t *layer_counts;     /* {name: the highest version ever published} */
    char root[PATH_MAX];     /* code packages and instance dirs */
    int root_is_tmp;         /* --in-memory: removed at exit */
    char runtimes[PATH_MAX]; /* our bootstraps (runtimes/ in the source tree) */
    int running;             /* instances alive, all functions */
    lambda_inst_t *insts;    /* every instance not yet removed */
    int closing;             /* being freed: nothing more is finished or sent */
    int resetting;           /* dropping everything: finished invocations are detached */
    uint64_t invocations;
    rn_call_t *calling;      /* the Invoke being handled now: finished in the call, not through done */
    uv_timer_t reaper;       /* stops instances idle too long */
    lambda_inv_t *delayed;   /* Event invokes waiting for a retry, by due time */
    uv_timer_t retry_timer;
    int reaper_on;
};

extern const rn_api_t lambda_api;
int lambda_owns_path(const char *path);
/* The request body limit of a Lambda route (rn_service_t.body_limit). */
size_t lambda_body_limit(const char *method, const char *path);

/* lambda.c */
int lambda_new(const rn_service_env_t *env, lambda_t **out);
void lambda_free(lambda_t *L);
int lambda_call(lambda_t *L, rn_call_t *c);
int lambda_load_kv(lambda_t *L, const char *ns, const char *key, const char *value);
void lambda_start(lambda_t *L);
void lambda_reset(lambda_t *L);
void lambda_drain(lambda_t *L);
json_t *lambda_stats(lambda_t *L);
/* One page of a Marker/MaxItems listing over m's names in order: each name
 * keep (NULL: all) accepts goes to take, which adds to list; c->out becomes
 * {key: list, "NextMarker"} (list is taken). */
int lambda_page(rn_call_t *c, const rn_smap_t *m, size_t max, const char *key, json_t *list,
                int (*keep)(void *ud, const char *name), void (*take)(void *ud, const char *name), void *ud);
/* ms (epoch) as "2024-01-01T00:00:00.000" followed by zone ("+0000", "Z"). */
void lambda_time_text(int64_t ms, const char *zone, char *buf, size_t len);
/* "arn:aws:lambda:REGION:ACCOUNT:function:NAME" into buf. */
void lambda_fn_arn(const lambda_t *L, const char *name, char *buf, size_t len);

/* function.c: the control plane */
int lambda_create_function(lambda_t *L, rn_call_t *c);
int lambda_get_function(lambda_t *L, rn_call_t *c, int config_only);
int lambda_list_functions(lambda_t *L, rn_call_t *c);
int lambda_delete_function(lambda_t *L, rn_call_t *c);
int lambda_update_config(lambda_t *L, rn_call_t *c);
int lambda_update_code(lambda_t *L, rn_call_t *c);
int lambda_account_settings(lambda_t *L, rn_call_t *c);
/* The function a FunctionName (name, partial or full ARN, maybe with a
 * qualifier) and Qualifier name, or NULL with the call's error set.
 * lambda_find: $LATEST only (a qualifier naming anything else is not
 * found); lambda_resolve with versions set: the version a number or an alias
 * names, and in invoked (when given) the ARN as the caller named it. */
lambda_fn_t *lambda_find(lambda_t *L, rn_call_t *c, const char *fname, const char *qualifier);
/* As lambda_find, but a qualifier may name any version or alias that
 * exists; the function's $LATEST is returned (permissions and event source
 * mappings on an alias act on the function). */
lambda_fn_t *lambda_find_qualified(lambda_t *L, rn_call_t *c, const char *fname, const char *qualifier);
lambda_fn_t *lambda_resolve(lambda_t *L, rn_call_t *c, const char *fname, const char *qualifier, int versions,
                            char *invoked, size_t invoked_len);
void lambda_fn_release(lambda_fn_t *fn);

/* code.c: packages */
/* Decodes and unpacks a base64 zip into <root>/code/<hex sha256>/; fills
 * dir, CodeSha256 (base64) and CodeSize. 0, or an error on the call. */
int lambda_code_from_zip(lambda_t *L, rn_call_t *c, const char *b64, char *dir, size_t dirlen, char *sha_b64,
                         size_t shalen, int64_t *size);
/* Removes a directory tree (not following links). */
void lambda_rm_tree(const char *path);
/* A local directory's content stamp (the newest mtime under it). */
void lambda_code_stamp(const char *dir, char *stamp, size_t len);

/* sandbox.c: instances */
int lambda_inst_spawn(lambda_fn_t *fn, char *msg, size_t msglen);
void lambda_inst_kill(lambda_inst_t *in);
/* Kills and closes every instance at once, finishing nothing (the service
 * is being freed; Event invokes in flight stay in the store). */
void lambda_insts_close_all(lambda_t *L);
void lambda_inst_give(lambda_inst_t *in, lambda_inv_t *inv);
/* Stops every instance of fn: idle ones now, busy ones after their
 * invocation (code or configuration changed, deleted), or all now. */
void lambda_fn_stop_all(lambda_fn_t *fn, int now);
void lambda_reap_idle(lambda_t *L, int64_t idle_ms);

/* invoke.c */
int lambda_invoke(lambda_t *L, rn_call_t *c);
/* Hands queued invocations to idle instances, starting new ones up to the
 * function's concurrency. */
void lambda_dispatch(lambda_fn_t *fn);
/* An invocation finished: payload (owned, moved) with function_error NULL
 * (success) or "Unhandled". */
void lambda_inv_finish(lambda_inv_t *inv, char *payload, size_t len, const char *function_error);
void lambda_inv_free(lambda_inv_t *inv);
/* The Runtime API's messages for one instance. */
void lambda_runtime_msg(void *ud, rn_runtime_req_t *r, const rn_runtime_msg_t *m);
void lambda_runtime_gone(void *ud, rn_runtime_req_t *r);
/* Runs payload (owned, moved) on fn as Runnel's own synchronous invocation;
 * on_done gets the result. */
void lambda_invoke_internal(lambda_fn_t *fn, char *payload, size_t len,
                            void (*on_done)(void *ud, const char *payload, size_t len, const char *function_error),
                            void *ud);

/* version.c: versions and aliases */
/* The version a qualifier names on $LATEST fn: a number, or an alias (its
 * weighted routing picks between two versions); NULL when none. */
lambda_fn_t *lambda_version_of(lambda_fn_t *fn, const char *qualifier);
int lambda_version_call(lambda_t *L, rn_call_t *c);
/* Publishes $LATEST as a new version (or returns the last one when nothing
 * changed); NULL with the call's error set. */
lambda_fn_t *lambda_publish(lambda_fn_t *fn, rn_call_t *c, const char *description);
/* DeleteFunction with a Qualifier: that version. */
int lambda_version_delete_call(lambda_t *L, rn_call_t *c, const char *qualifier);
/* Reads the versions and aliases back (at start, after the functions). */
void lambda_versions_resume(lambda_t *L);
/* Drops fn's versions and aliases (the function is being deleted). */
void lambda_versions_drop(lambda_fn_t *fn, int forget);
/* A new lambda_fn_t (function.c). */
lambda_fn_t *lambda_fn_new(lambda_t *L, const char *name);

/* layer.c: layers */
int lambda_layer_call(lambda_t *L, rn_call_t *c);
/* The unpacked directory of a layer version ARN, or NULL when there is none. */
const char *lambda_layer_dir(lambda_t *L, const char *arn);
int64_t lambda_layer_size(lambda_t *L, const char *arn);
/* fn's layers merged in order into one directory (its /opt): 0 with out,
 * 1 when fn has no layers, -1 on failure. */
int lambda_layers_dir(lambda_fn_t *fn, char *out, size_t outlen);
void lambda_layers_resume(lambda_t *L);

/* policy.c: AddPermission, RemovePermission, GetPolicy */
int lambda_policy_call(lambda_t *L, rn_call_t *c);

/* concurrency.c */
int lambda_concurrency_call(lambda_t *L, rn_call_t *c);
/* 0 when a synchronous invoke of fn may run now, else the 429 on the call. */
int lambda_throttled(lambda_t *L, lambda_fn_t *fn, rn_call_t *c);
/* function.c: keeps fn's record (after a change). */
void lambda_fn_persist(lambda_fn_t *fn);
int lambda_tags_call(lambda_t *L, rn_call_t *c);

/* metrics.c */
/* The totals fn's invocations count into: its $LATEST's. */
lambda_tally_t *lambda_tally_of(lambda_fn_t *fn);
/* Hands every function's figures (FunctionName) and the account's to emit, now. */
void lambda_metrics(lambda_t *L, rn_metric_fn emit, void *ud);

/* esm.c: SQS event source mappings */
int lambda_esm_call(lambda_t *L, rn_call_t *c);
int lambda_esm_load(lambda_t *L, const char *key, const char *value);
void lambda_esm_start_all(lambda_t *L);
void lambda_esm_drop_all(lambda_t *L);
size_t lambda_esm_count(const lambda_t *L);
void lambda_enqueue(lambda_fn_t *fn, lambda_inv_t *inv);

/* Writes lines (text, len) to fn's log group, stream `stream` (CloudWatch
 * Logs through the sink registry). */
void lambda_log_lines(lambda_fn_t *fn, const char *stream, const char *text, size_t len);

/* async.c: Event invokes */
/* Keeps inv (an Event invoke) as lambda.async/<id> and queues it. Takes
 * inv; -1 when out of memory (inv freed). */
int lambda_async_keep(lambda_t *L, lambda_fn_t *fn, lambda_inv_t *inv);
/* An Event invoke finished: 1 when it is kept for a retry (do not free it),
 * 0 when it is done (its record deleted, destinations sent). */
int lambda_async_done(lambda_inv_t *inv, const char *payload, size_t len, const char *function_error);
int64_t lambda_async_next_due(lambda_t *L);
void lambda_async_run_due(lambda_t *L);
int lambda_eic_call(lambda_t *L, rn_call_t *c);
void lambda_async_drop(lambda_t *L);
/* Drops the retries waiting for fn (or its versions): it is being deleted. */
void lambda_async_forget(lambda_fn_t *fn);
/* The sink for lambda ARNs (EventBridge targets): an Event invoke. */
int lambda_deliver(lambda_t *L, const char *arn, const rn_message_t *m, char *msg, size_t msglen);
/* Queues the Event invokes the store kept (at start). */
void lambda_resume_async(lambda_t *L);
#endif
