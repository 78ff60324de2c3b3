/* SPDX-License-Identifier: MIT
 * EventBridge's private data model, shared by the files of src/events/: the
 * service owns buses; a bus owns its rules and its matcher; a rule owns its
 * targets. Everything lives on the loop; every change is persisted as one
 * keyed JSON record per bus and per rule (targets ride inside the rule). */
#ifndef RN_EV_INT_H
#define RN_EV_INT_H
#include <jansson.h>
#include <stdint.h>
#include <uv.h>

#include "core/call.h"
#include "core/config.h"
#include "core/map.h"
#include "core/params.h"
#include "http/client.h"
#include "events/events.h"
#include "events/ev_err.h"
#include "pattern/pattern.h"
#include "store/store.h"

#define EV_MAX_TARGETS 5
#define EV_MAX_RULES 300
#define EV_NS_BUS "events.bus"
#define EV_NS_RULE "events.rule"
#define EV_NS_ARCHIVE "events.archive"
#define EV_NS_ARCHIVED "events.archived"
#define EV_NS_REPLAY "events.replay"
#define EV_NS_DELIVERY "events.delivery"
#define EV_NS_CONNECTION "events.connection"
#define EV_NS_APIDEST "events.apidest"

typedef struct ev_bus ev_bus_t;
typedef struct ev_rule ev_rule_t;

/* Running totals since the instance started, the counters of the AWS/Events
 * metrics (events/metrics.c), kept by a rule, a bus and the service: plain
 * increments where events are routed and deliveries end. */
typedef struct ev_tally {
    uint64_t triggered;   /* TriggeredRules: rule runs (a matched event or a schedule) */
    uint64_t matched;     /* MatchedEvents: events matched (a rule: by it; a bus: by any of its rules) */
    uint64_t invocations; /* Invocations: target invocations that ended, succeeded or failed for good */
    uint64_t failed;      /* FailedInvocations: those that failed for good */
    uint64_t to_dlq;      /* InvocationsSentToDlq */
    uint64_t dlq_failed;  /* InvocationsFailedToBeSentToDlq */
} ev_tally_t;

/* PutEvents requests and entries since the instance started (AWS/Events,
 * no dimension). */
typedef struct ev_put_tally {
    uint64_t calls, ok, failed; /* requests: received, answered, refused */
    uint64_t entries, failed_entries;
} ev_put_tally_t;

typedef struct ev_target {
    char *id, *arn;
    json_t *spec;          /* owned: the Target object as listed back */
    ev_transform_t *xf;    /* owned: Input/InputPath/InputTransformer; NULL = the event */
    const char *group_id;  /* borrowed from spec: SqsParameters.MessageGroupId */
    int max_attempts;      /* RetryPolicy.MaximumRetryAttempts (default 185) */
    int max_age_s;         /* RetryPolicy.MaximumEventAgeInSeconds (default 86400) */
    const char *dlq_arn;   /* borrowed from spec: DeadLetterConfig.Arn */
} ev_target_t;

struct ev_rule {
    ev_bus_t *bus;
    uint64_t id;           /* matcher id, unique in the service */
    char *name, *arn;
    char *pattern;         /* EventPattern text as given, or NULL */
    char *schedule;        /* ScheduleExpression, or NULL */
    ev_schedule_t *sched;  /* compiled schedule */
    int64_t created_ms;    /* rate() anchor */
    int64_t next_fire_ms;  /* next schedule run, -1 none */
    int64_t last_fire_ms;  /* last run delivered (persisted) */
    char *description, *role_arn, *managed_by;
    int enabled;
    ev_target_t *targets[EV_MAX_TARGETS];
    int ntargets;
    json_t *tags;          /* owned: {key: value} */
    ev_tally_t tally;
};

struct ev_bus {
    char *name, *arn;
    char *description;
    char *policy;          /* resource policy JSON text, or NULL */
    json_t *extra;         /* owned: DeadLetterConfig, KmsKeyIdentifier, LogConfig as given */
    int64_t created_ms, modified_ms;
    rn_smap_t rules;       /* name -> ev_rule_t* (owned) */
    ev_matcher_t *matcher; /* every enabled rule with an EventPattern */
    json_t *tags;          /* owned */
    ev_tally_t tally;      /* matched and triggered only */
};

typedef struct ev_delivery ev_delivery_t;

struct ev {
    uv_loop_t *loop;
    rn_store_t *store;
    const rn_config_t *cfg;
    rn_sinks_t *sinks;     /* borrowed: delivery to other services, taps */
    rn_smap_t buses;       /* name -> ev_bus_t* (owned) */
    rn_imap_t rules;       /* id -> ev_rule_t* (borrowed from its bus) */
    uint64_t next_rule_id;
    uv_timer_t sched_timer;
    uv_timer_t retry_timer;
    ev_delivery_t *retries; /* pending retries, sorted by due time (owned) */
    uint64_t next_delivery_id;
    rn_smap_t archives;    /* name -> ev_archive_t* (owned, archive.c) */
    rn_smap_t replays;     /* name -> ev_replay_t* (owned, archive.c) */
    uv_timer_t replay_timer;
    rn_smap_t connections; /* name -> connection (owned, connection.c) */
    rn_smap_t apidests;    /* name -> api destination (owned, connection.c) */
    rn_hclient_t *http;    /* owned: outbound requests to API destinations */
    rn_smap_t buckets;     /* destination name -> rate-limit bucket (owned, apidest.c) */
    rn_smap_t tokens;      /* connection name -> cached OAuth token (owned, apidest.c) */
    ev_delivery_t *sending; /* HTTP deliveries in flight (owned, deliver.c) */
    int bus_hops;          /* depth of bus-to-bus delivery in progress (deliver.c) */
    void *http_sends;      /* requests in flight (owned, apidest.c) */
    int closing;           /* close callbacks still to come in ev_free() */
    ev_tally_t tally;      /* every rule's, deleted ones included */
    ev_put_tally_t put;
};

/* Fails the call with AWS's "1 validation error detected" message when the
 * value breaks the model's constraint; returns 0 or the error. */
int ev_check_name(rn_call_t *c, const char *field, const char *value, int maxlen, const char *pattern_desc,
                  int (*ok_char)(int ch));
/* Fails the call with AWS's enum message unless value is one of the set
 * listed as AWS prints it ("[A, B]", in AWS's order); returns 0 or the error. */
int ev_check_enum(rn_call_t *c, const char *field, const char *value, const char *listed);
int ev_bus_char(int ch);
int ev_rule_char(int ch);
typedef int (*ev_page_keep_fn)(void *ud, const char *name, void *val);
typedef json_t *(*ev_page_item_fn)(void *ud, const char *name, void *val);
/* Answers a List* call from map m in name order: Limit/NextToken paging,
 * NamePrefix when given, keep (NULL = all) filtering, item building each
 * entry of the list under list_key. Returns 0 with c->out set, or the error. */
int ev_list_page(rn_call_t *c, const rn_smap_t *m, const char *list_key, ev_page_keep_fn keep, ev_page_item_fn item,
                 void *ud);
/* Reads Limit (1..100, default 100) and NextToken for List* calls. */
int ev_page_params(rn_call_t *c, int *limit, const char **after);
/* Resolves EventBusName (name or ARN; NULL = default). Borrowed. */
int ev_bus_resolve(ev_t *e, rn_call_t *c, const char *name_or_arn, ev_bus_t **out);
/* The same lookup without an error: the bus, or NULL. Borrowed. */
ev_bus_t *ev_bus_find(ev_t *e, const char *name_or_arn);
void ev_bus_persist(ev_t *e, ev_bus_t *b);
void ev_rule_persist(ev_t *e, ev_rule_t *r);
void ev_rule_unpersist(ev_t *e, ev_rule_t *r);
void ev_rule_free(ev_rule_t *r);
void ev_target_free(ev_target_t *t);
json_t *ev_time_json(int64_t ms);
/* Builds "arn:aws:events:REGION:ACCOUNT:<rest>" into out. */
void ev_arn(const ev_t *e, char *out, size_t n, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* bus.c */
int ev_bus_create(ev_t *e, const char *name, ev_bus_t **out);
void ev_bus_free(ev_bus_t *b);
int ev_op_create_event_bus(ev_t *e, rn_call_t *c);
int ev_op_delete_event_bus(ev_t *e, rn_call_t *c);
int ev_op_describe_event_bus(ev_t *e, rn_call_t *c);
int ev_op_list_event_buses(ev_t *e, rn_call_t *c);
int ev_op_update_event_bus(ev_t *e, rn_call_t *c);
int ev_op_put_permission(ev_t *e, rn_call_t *c);
int ev_op_remove_permission(ev_t *e, rn_call_t *c);

/* rule.c */
int ev_rule_from_record(ev_t *e, ev_bus_t *b, const json_t *rec);
/* Creates or replaces a rule another part of the service manages (ManagedBy
 * set), enabled, with pattern and the one target given. 0, or an error with
 * msg. The rule is owned by its bus. */
int ev_rule_put_managed(ev_t *e, ev_bus_t *b, const char *name, const char *pattern, const char *managed_by,
                        const json_t *target, char *msg, size_t msglen);
/* Deletes a rule with its targets, from the matcher, the store and memory. */
void ev_rule_remove(ev_t *e, ev_rule_t *r);
int ev_op_put_rule(ev_t *e, rn_call_t *c);
int ev_op_delete_rule(ev_t *e, rn_call_t *c);
int ev_op_describe_rule(ev_t *e, rn_call_t *c);
int ev_op_list_rules(ev_t *e, rn_call_t *c);
int ev_op_enable_rule(ev_t *e, rn_call_t *c);
int ev_op_disable_rule(ev_t *e, rn_call_t *c);
int ev_op_list_rule_names_by_target(ev_t *e, rn_call_t *c);
int ev_op_test_event_pattern(ev_t *e, rn_call_t *c);
int ev_op_tag_resource(ev_t *e, rn_call_t *c);
int ev_op_untag_resource(ev_t *e, rn_call_t *c);
int ev_op_list_tags_for_resource(ev_t *e, rn_call_t *c);

/* target.c */
/* Builds a target from its PutTargets object (index: 1-based position in
 * the request, for messages). Caller owns *out; free with ev_target_free(). */
int ev_target_from_spec(ev_t *e, const json_t *spec, int index, ev_target_t **out, const char **code, char *msg,
                        size_t msglen);
int ev_op_put_targets(ev_t *e, rn_call_t *c);
int ev_op_remove_targets(ev_t *e, rn_call_t *c);
int ev_op_list_targets_by_rule(ev_t *e, rn_call_t *c);

/* put.c */
int ev_op_put_events(ev_t *e, rn_call_t *c);
/* Routes one envelope (JSON text) on a bus to every matching enabled rule;
 * replay_filter != NULL limits to a replay's FilterArns; live = 0 for a
 * replayed event (not shown to the event hook). */
void ev_route(ev_t *e, ev_bus_t *b, const char *envelope, size_t len, const char *id, int64_t ingest_ms,
              const json_t *replay_filter, int live);
/* Builds the event envelope AWS delivers (replay_name NULL unless replayed).
 * Caller owns *out; free with rn_free(). */
int ev_envelope_build(const ev_t *e, const char *id, const char *source, const char *detail_type, const char *detail,
                      size_t detail_len, const json_t *resources, int64_t time_ms, const char *replay_name,
                      char **out, size_t *outlen);
/* Delivers one event (id: its event id) to every target of one rule (a
 * run of the rule: counted as triggered). */
void ev_rule_deliver(ev_t *e, ev_rule_t *r, const char *envelope, size_t len, const char *id, int64_t ingest_ms);

/* deliver.c */
void ev_deliver_init(ev_t *e);
void ev_deliver_close(ev_t *e);
void ev_deliver_reset(ev_t *e);
/* Resumes retries restored from the store (from ev_start). */
void ev_deliver_start(ev_t *e);
/* The moving clock (core/clock.h): when the next scheduled run and the next
 * retry fall due (INT64_MAX: none), and running what is due now (the timers'
 * callbacks; each re-arms its timer). */
int64_t ev_sched_next_due(ev_t *e);
void ev_sched_run(ev_t *e);
int64_t ev_retry_next_due(const ev_t *e);
void ev_retry_run(ev_t *e);
/* 1 when arn (arn:aws:events:REGION:ACCOUNT:...) is in this instance's
 * region and account. */
int ev_arn_here(const ev_t *e, const char *arn);
/* Routes an event that another partition's rule sent to bus `arn` here
 * (the service's sink). Returns 0, RN_ERR_NOT_FOUND, or
 * EV_ERR_LIMIT_EXCEEDED when it has been through too many buses. */
int ev_deliver_to_bus(ev_t *e, const char *arn, const rn_message_t *m, char *msg, size_t msglen);
/* Delivers one payload to a target now; on failure schedules the retry
 * policy and finally the dead-letter queue. */
void ev_deliver(ev_t *e, ev_rule_t *r, const ev_target_t *t, const char *payload, size_t len,
                const char *event_id, int64_t ingest_ms);
int ev_delivery_load(ev_t *e, const char *key, const char *value);

/* metrics.c */
/* Counts a rule's run for an event the bus matched (matched = 1) or for its
 * schedule. */
void ev_tally_triggered(ev_t *e, ev_rule_t *r, int matched);
/* Counts the end of one invocation of r's target: ok, or failed for good
 * with dlq 1 (sent to the dead-letter queue), -1 (that failed too) or 0
 * (none). */
void ev_tally_outcome(ev_t *e, ev_rule_t *r, int ok, int dlq);
/* Hands every figure (per rule of the default bus, per bus, for the
 * service) to emit, now. */
void ev_metrics(ev_t *e, rn_metric_fn emit, void *ud);

/* scheduler.c */
void ev_sched_init(ev_t *e);
void ev_sched_close(ev_t *e);
/* Re-arms the schedule timer after a rule's schedule or state changed. */
void ev_sched_update(ev_t *e);

/* connection.c */
int ev_op_create_connection(ev_t *e, rn_call_t *c);
int ev_op_describe_connection(ev_t *e, rn_call_t *c);
int ev_op_list_connections(ev_t *e, rn_call_t *c);
int ev_op_update_connection(ev_t *e, rn_call_t *c);
int ev_op_delete_connection(ev_t *e, rn_call_t *c);
int ev_op_deauthorize_connection(ev_t *e, rn_call_t *c);
int ev_op_create_api_destination(ev_t *e, rn_call_t *c);
int ev_op_describe_api_destination(ev_t *e, rn_call_t *c);
int ev_op_list_api_destinations(ev_t *e, rn_call_t *c);
int ev_op_update_api_destination(ev_t *e, rn_call_t *c);
int ev_op_delete_api_destination(ev_t *e, rn_call_t *c);
/* Borrowed records (JSON objects), or NULL. */
json_t *ev_connection_by_arn(ev_t *e, const char *arn);
json_t *ev_apidest_by_arn(ev_t *e, const char *arn);
int ev_connection_load(ev_t *e, const char *ns, const char *key, const char *value);
void ev_connection_close(ev_t *e);

/* apidest.c */
/* Outcome of an HTTP delivery: ok, or whether AWS would retry, with the
 * dead-letter ERROR_CODE and message. */
typedef void (*ev_http_done_fn)(ev_t *e, void *ud, int ok, int retry, const char *code, const char *msg);
/* Starts delivering payload to the API destination target t. Returns 0 when
 * started (done is called later, possibly before this returns), 1 when the
 * destination's rate limit says wait *wait_ms first, -1 with code and msg
 * when it can't be delivered (not retried). */
int ev_apidest_send(ev_t *e, const ev_target_t *t, const char *payload, size_t len, int64_t *wait_ms,
                    ev_http_done_fn done, void *ud, char *code, size_t codelen, char *msg, size_t msglen);
void ev_apidest_init(ev_t *e);
void ev_apidest_close(ev_t *e);

/* archive.c */
int ev_op_create_archive(ev_t *e, rn_call_t *c);
int ev_op_describe_archive(ev_t *e, rn_call_t *c);
int ev_op_list_archives(ev_t *e, rn_call_t *c);
int ev_op_update_archive(ev_t *e, rn_call_t *c);
int ev_op_delete_archive(ev_t *e, rn_call_t *c);
int ev_op_start_replay(ev_t *e, rn_call_t *c);
int ev_op_describe_replay(ev_t *e, rn_call_t *c);
int ev_op_list_replays(ev_t *e, rn_call_t *c);
int ev_op_cancel_replay(ev_t *e, rn_call_t *c);
/* The ManagedBy of an archive's rule, as AWS names it. */
#define EV_ARCHIVE_MANAGER "prod.vhs.events.aws.internal"
/* Archives an event that archive rule r (ManagedBy EV_ARCHIVE_MANAGER) matched. */
void ev_archive_capture(ev_t *e, const ev_rule_t *r, const char *envelope, size_t len, int64_t ingest_ms);
/* Gives archives from a store written before archives had rules their rule. */
void ev_archive_start(ev_t *e);
int ev_archive_load(ev_t *e, const char *ns, const char *key, const char *value);
void ev_archive_close(ev_t *e);
#endif
