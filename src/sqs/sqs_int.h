/* SPDX-License-Identifier: MIT
 * Private SQS data model shared by the files of src/sqs/. The loop owns all
 * of it. A message sits on its queue's `all` list (send order, for retention)
 * and, by state, on the ready list (standard), in its group's list (FIFO, in
 * order, including in-flight ones) and/or in the service-wide timer heap
 * (delayed or in flight). */
#ifndef RN_SQS_INT_H
#define RN_SQS_INT_H
#include <jansson.h>
#include <limits.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/call.h"
#include "core/config.h"
#include "core/map.h"
#include "core/params.h"
#include "sqs/sqs.h"
#include "sqs/sqs_err.h"
#include "store/store.h"

#define SQS_MAX_MESSAGE_SIZE 1048576
#define SQS_DEDUP_WINDOW_MS (5 * 60 * 1000)
#define SQS_PURGE_WINDOW_MS (60 * 1000)
#define SQS_DELETED_RECENTLY_MS (60 * 1000)

enum { MSG_READY, MSG_INFLIGHT, MSG_DELAYED };

typedef struct sqs_queue sqs_queue_t;
typedef struct sqs_group sqs_group_t;

/* A message's index: all SQS keeps of it in RAM (about 120 bytes whatever
 * its size). Its body and cold part (digest, sender, attributes, trace
 * header, group and deduplication ids, dead-letter source: sqs/msgrec.h)
 * live in the store, read back with rn_store_msg_read when it is received,
 * redriven or moved. */
typedef struct sqs_msg {
    struct sqs_msg *prev, *next;         /* ready list or group list */
    struct sqs_msg *all_prev, *all_next; /* queue's send-order list */
    sqs_queue_t *q;
    sqs_group_t *group;    /* FIFO only: its group (whose id it is) */
    int64_t seq;           /* service-wide, also the store key */
    int64_t sent_ms, visible_ms, first_receive_ms;
    unsigned char id[16];  /* MessageId's bytes (sqs_id_format) */
    uint32_t receive_count : 31;
    uint32_t from_dlq : 1; /* its cold part names a DeadLetterQueueSourceArn; a
                              redriven one may have an arrival (sqs_arrival_t) */
    uint32_t heap_idx : 30; /* SQS_NOT_IN_HEAP when not in the heap */
    uint32_t state : 2;
} sqs_msg_t;
#define SQS_NOT_IN_HEAP ((1u << 30) - 1)

/* A dead-letter move's arrival: its time and the receive count it brought,
 * so the dead-letter queue's age and poison-pill figures count from there
 * (sqs/metrics.c). Kept beside the index (sqs_t.arrivals), for redriven
 * messages only, and not across a restart. */
typedef struct sqs_arrival {
    int64_t ms;
    int receives;
} sqs_arrival_t;

struct sqs_group {
    char *id;
    sqs_msg_t *head, *tail;
    int inflight;
    int ready;                       /* on the queue's ready-group list */
    sqs_group_t *rprev, *rnext;
};

typedef struct sqs_waiter {
    struct sqs_waiter *prev, *next;
    sqs_queue_t *q;
    rn_call_t *call;
    uv_timer_t timer;
    int max;
    int vt;                /* visibility timeout for this receive */
    int closed;
} sqs_waiter_t;

typedef struct sqs_dedup {
    struct sqs_dedup *next; /* expiry order */
    char *key;
    char msg_id[37];
    int64_t seq;
    int64_t expires_ms;
} sqs_dedup_t;

/* A queue's running totals since the instance started, the counters of
 * its CloudWatch metrics: plain increments on the send, receive and delete
 * paths, read by sqs_metrics(). */
typedef struct sqs_tally {
    uint64_t sent;           /* NumberOfMessagesSent: messages added by a send (not duplicates, not DLQ moves) */
    uint64_t sent_bytes;     /* SentMessageSize: their sizes (body and attributes) */
    uint64_t received;       /* NumberOfMessagesReceived: messages handed out by ReceiveMessage */
    uint64_t deleted;        /* NumberOfMessagesDeleted: successful deletes by receipt handle */
    uint64_t empty_receives; /* NumberOfEmptyReceives: ReceiveMessage calls answered with none */
} sqs_tally_t;

struct sqs_queue {
    sqs_t *svc;
    int64_t qid;
    char *name;
    char arn[256];
    int fifo;
    json_t *attrs;         /* owned: settable attributes as AWS strings */
    json_t *tags;          /* owned: tag map */
    json_t *perms;         /* owned: AddPermission labels → statement */
    int64_t created_ms, modified_ms, purged_ms;
    /* parsed attributes */
    int delay_s, max_size, retention_s, wait_s, visibility_s;
    int content_dedup, dedup_per_group;
    char *dlq_arn;         /* from RedrivePolicy, owned */
    int max_receive;
    /* messages */
    sqs_msg_t *all_head, *all_tail;
    sqs_msg_t *ready_head, *ready_tail; /* standard queues */
    rn_smap_t groups;                   /* FIFO: id → sqs_group_t */
    sqs_group_t *rg_head, *rg_tail;     /* FIFO: groups with a receivable head */
    long n_ready, n_inflight, n_delayed;
    rn_smap_t dedup;                    /* key → sqs_dedup_t */
    sqs_dedup_t *dd_head, *dd_tail;
    json_t *attempts;                   /* ReceiveRequestAttemptId → {exp, out} */
    sqs_waiter_t *w_head, *w_tail;
    sqs_tally_t tally;                  /* Runnel's own metrics (sqs/metrics.c) */
};

typedef struct sqs_move_task sqs_move_task_t;

struct sqs {
    uv_loop_t *loop;
    rn_buf_t scratch;        /* reused to encode a message's record */
    rn_store_t *store;
    const rn_config_t *cfg;
    rn_smap_t queues;        /* name → queue */
    json_t *deleted;         /* name → deletion time ms */
    rn_imap_t msgs;          /* seq → message */
    rn_imap_t arrivals;      /* seq → sqs_arrival_t (owned), redriven messages only */
    int64_t next_seq;
    int64_t next_qid;
    sqs_msg_t **heap;        /* min-heap by visible_ms */
    size_t heap_len, heap_cap;
    uv_timer_t timer;
    int64_t timer_due;
    uv_timer_t sweep;        /* retention and dedup expiry, once a second */
    sqs_move_task_t *tasks;
    rn_store_loader_t loader;
};

/* queue.c */
sqs_queue_t *sqs_queue_find(sqs_t *s, const char *name);
int sqs_queue_from_url(sqs_t *s, rn_call_t *c, const json_t *in, sqs_queue_t **out);
sqs_queue_t *sqs_queue_by_arn(sqs_t *s, const char *arn);
void sqs_queue_url(const sqs_queue_t *q, const rn_call_t *c, char *out, size_t n);
int sqs_queue_create(sqs_t *s, rn_call_t *c, const char *name, const json_t *attrs, const json_t *tags,
                     sqs_queue_t **out);
void sqs_queue_delete(sqs_t *s, sqs_queue_t *q);
int sqs_queue_set_attrs(sqs_queue_t *q, rn_call_t *c, const json_t *attrs);
int sqs_queue_get_attrs(sqs_queue_t *q, rn_call_t *c, const json_t *names, json_t **out);
void sqs_queue_persist(sqs_queue_t *q);
sqs_queue_t *sqs_queue_restore(sqs_t *s, int64_t qid, const char *name, const char *state);
void sqs_queue_free(sqs_queue_t *q);
int sqs_attr_validate(sqs_t *s, rn_call_t *c, const char *qname, int fifo, const json_t *attrs, int creating);

/* message.c, send.c, receive.c, timers.c */
/* One message to send, whoever sends it (an API call, a batch entry,
 * another service). All borrowed. */
typedef struct sqs_send {
    const char *body;
    size_t len;
    const json_t *attrs; /* MessageAttributes, or NULL */
    const json_t *sys;   /* MessageSystemAttributes, or NULL */
    long long delay;     /* DelaySeconds as sent (checked: 0..900), or one of: */
#define SQS_DELAY_QUEUE LLONG_MIN          /* none sent: the queue's */
#define SQS_DELAY_NOT_INT (LLONG_MIN + 1)  /* sent, but not an integer */
    const char *group;   /* MessageGroupId, or NULL */
    const char *dedup;   /* MessageDeduplicationId, or NULL */
    const char *sender;  /* SenderId (an access key), or NULL: the account */
} sqs_send_t;

/* What a send gives back (a duplicate within the FIFO window gives the
 * first message's id). */
typedef struct sqs_sent {
    char id[37];
    char md5_body[33], md5_attrs[33], md5_sys[33];
    char seqnum[24]; /* FIFO only, else "" */
    int duplicate;
} sqs_sent_t;

/* The domain-level send under SendMessage, its batch and other services'
 * deliveries: validates, deduplicates, stores and places one message.
 * Returns 0 with *out, or an error with AWS's message in msg. */
int sqs_queue_send(sqs_queue_t *q, const sqs_send_t *in, sqs_sent_t *out, char *msg, size_t msglen);
/* SendMessage's (and a batch entry's) JSON entry through sqs_queue_send. */
int sqs_msg_send(sqs_queue_t *q, rn_call_t *c, const json_t *entry, int batch, json_t **result);
/* One page of queue URLs (ListQueues, ListDeadLetterSourceQueues): names
 * with prefix (NULL: any) whose redrive target is dlq_arn (NULL: any), from
 * the call's NextToken and MaxResults, into c->out[list_key] (left out when
 * empty unless keep_empty). */
int sqs_list_urls(sqs_t *s, rn_call_t *c, const char *prefix, const char *dlq_arn, const char *list_key,
                  int keep_empty);

/* Shared by the message files (message.c, send.c, receive.c, timers.c). */
sqs_msg_t *sqs_msg_new(sqs_queue_t *q);
void sqs_seqnum(int64_t seq, char out[24]);
void sqs_count(sqs_queue_t *q, int state, int delta);
void sqs_ready_append(sqs_queue_t *q, sqs_msg_t *m);
void sqs_ready_unlink(sqs_queue_t *q, sqs_msg_t *m);
void sqs_msg_persist_state(const sqs_msg_t *m);
void sqs_msg_make_ready(sqs_msg_t *m);

/* An empty receive answers without a Messages member, as SQS does. */
static inline void sqs_receive_tidy(json_t *out)
{
    if (json_array_size(json_object_get(out, "Messages")) == 0)
        json_object_del(out, "Messages");
}
/* Makes every message whose delay or visibility timeout has passed
 * receivable, wakes long polls, re-arms the timer (the timer's callback). */
void sqs_timer_run(sqs_t *s);
/* The earliest time a message becomes visible, a message's retention ends
 * or a deduplication id expires; INT64_MAX when none. */
int64_t sqs_next_due(const sqs_t *s);
/* Hands out up to max messages into `messages`: their number, or an error
 * when none could be and the store failed to read one back. */
int sqs_msg_receive(sqs_queue_t *q, rn_call_t *c, int max, int vt, const json_t *in, json_t *messages);
int sqs_msg_delete_handle(sqs_queue_t *q, rn_call_t *c, const char *handle);
int sqs_msg_change_visibility(sqs_queue_t *q, rn_call_t *c, const char *handle, const json_t *vt);
void sqs_msg_remove(sqs_msg_t *m, int persist);
void sqs_msg_free(sqs_msg_t *m);
/* group_id: a FIFO message's group (NULL for standard queues). */
void sqs_msg_place(sqs_msg_t *m, const char *group_id);
void sqs_msg_purge(sqs_queue_t *q);
/* Copies a message into another queue, reading its body and cold part back:
 * a dead-letter redrive (SQS_COPY_REDRIVE: same id, receive count and first
 * receive, the source queue as DeadLetterQueueSourceArn) or a move task's
 * send (SQS_COPY_MOVE: a new id, never received, sent now). Places and
 * records the copy; *size gets its size against limits. NULL on failure. */
enum { SQS_COPY_REDRIVE, SQS_COPY_MOVE };
sqs_msg_t *sqs_msg_enqueue_copy(sqs_queue_t *dst, const sqs_msg_t *src, int how, size_t *size);
void sqs_heap_push(sqs_t *s, sqs_msg_t *m);
void sqs_heap_remove(sqs_t *s, sqs_msg_t *m);
void sqs_timer_arm(sqs_t *s);
/* Records a new message (its index fields) with its body and cold part. */
void sqs_msg_persist(const sqs_msg_t *m, const char *body, size_t body_len, const char *cold, size_t cold_len);
void sqs_sweep(sqs_t *s);
void sqs_group_update(sqs_queue_t *q, sqs_group_t *g);


/* metrics.c: each queue's figures as AWS/SQS publishes them. */
void sqs_metrics(sqs_t *s, rn_metric_fn emit, void *ud);

/* waiters.c */
int sqs_waiter_park(sqs_queue_t *q, rn_call_t *c, int max, int vt, int wait_s);
void sqs_waiters_wake(sqs_queue_t *q);
void sqs_waiters_flush(sqs_queue_t *q);

/* redrive.c */
int sqs_redrive_validate(sqs_t *s, rn_call_t *c, const char *qname, int fifo, const char *policy,
                         char **dlq_arn, int *max_receive);
int sqs_redrive_allow_validate(rn_call_t *c, const char *policy);
int sqs_redrive_allowed(sqs_queue_t *dlq, sqs_queue_t *src);
void sqs_redrive_to_dlq(sqs_msg_t *m);
int sqs_op_list_dlq_sources(sqs_t *s, rn_call_t *c);
int sqs_op_start_move(sqs_t *s, rn_call_t *c);
int sqs_op_cancel_move(sqs_t *s, rn_call_t *c);
int sqs_op_list_moves(sqs_t *s, rn_call_t *c);
void sqs_moves_restore(sqs_t *s, const char *key, const char *value);
void sqs_moves_free(sqs_t *s);

/* helpers in ops.c */
int sqs_get_int(rn_call_t *c, const json_t *in, const char *name, int lo, int hi, int *out, int *present);
#endif
