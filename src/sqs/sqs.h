/* SPDX-License-Identifier: MIT
 * Amazon SQS on the event loop: queues, messages, visibility timers, long
 * polls, FIFO groups, dead-letter redrive and move tasks. The service takes
 * calls in the JSON protocol's shape (see core/call.h) and writes every change
 * through the store; it knows nothing of HTTP. */
#ifndef RN_SQS_H
#define RN_SQS_H
#include <uv.h>

#include "core/call.h"
#include "core/api.h"
#include "core/config.h"
#include "core/service.h"
#include "sqs/sqs_err.h"
#include "store/store.h"

typedef struct sqs sqs_t;

/* The API description (sqs/api.c) the protocol codecs read. */
extern const rn_api_t sqs_api;

/* Creates the service. Borrowed: loop, store and cfg must outlive it.
 * Caller owns the result; free with sqs_free(). */
int sqs_new(uv_loop_t *loop, rn_store_t *store, const rn_config_t *cfg, sqs_t **out);
/* Loader callbacks for rn_store_load(): restores queues, messages, timers. */
const rn_store_loader_t *sqs_loader(sqs_t *s);
/* Runs one call. Returns 0 when finished (c->out or c->err set), RN_PENDING
 * when the call was parked (long poll) and c->done will be called. */
int sqs_call(sqs_t *s, rn_call_t *c);
/* Sends a message on behalf of another service (EventBridge targets and
 * dead-letter queues): the SendMessage path with `body`, an optional FIFO
 * group id and dedup id (used only on FIFO queues; the dedup id only when the
 * queue lacks content-based dedup) and optional message attributes in
 * SendMessage's JSON shape. Returns 0, SQS_ERR_QUEUE_NOT_FOUND when no queue
 * has that ARN, or the send's error with its message in msg. */
int sqs_send_to_arn(sqs_t *s, const char *arn, const char *body, size_t len, const char *group_id,
                    const char *dedup_id, const json_t *attrs, char *msg, size_t msglen);
/* Answers every parked long poll now (graceful shutdown). */
void sqs_drain_waiters(sqs_t *s);
/* Drops all queues and messages (the reset endpoint). */
void sqs_reset(sqs_t *s);
/* Number of queues, for health output. */
size_t sqs_queue_count(const sqs_t *s);
/* Frees everything; parked calls must have been drained. */
void sqs_free(sqs_t *s);
/* The service table's entry (sqs/service.c). */
extern const rn_service_t sqs_service;
#endif
