/* SPDX-License-Identifier: MIT
 * Private to archive.c and replay.c: an archive's events in memory (their
 * durable copies are keyed records) and a replay's state. */
#ifndef RN_EV_ARCHIVE_INT_H
#define RN_EV_ARCHIVE_INT_H
#include "events/ev_int.h"

typedef struct {
    int64_t t;    /* ingestion time, ms */
    uint64_t seq;
    char *env;    /* owned envelope text */
    size_t len;
} arch_event_t;

typedef struct ev_archive {
    char *name, *arn, *bus_name, *description, *pattern;
    char uuid[37];         /* this incarnation, in the rule target's archive-arn */
    int has_rule;          /* its rule was made (a store from before rules lacks it) */
    int retention_days;
    int64_t created_ms;
    arch_event_t *events;  /* in archive order */
    size_t n, cap;
    uint64_t next_seq, size_bytes;
} ev_archive_t;

typedef struct ev_replay {
    char *name, *arn, *description, *archive_name, *archive_arn, *dest_arn;
    json_t *filter;        /* owned: FilterArns or NULL */
    int64_t from_ms, to_ms, started_ms, ended_ms, last_replayed_ms;
    int64_t cancel_ms;     /* when CancelReplay was called */
    char state[16];
    size_t cursor;         /* next archived event to look at */
} ev_replay_t;

/* 1 when an event archived at t is past the archive's retention at now. */
int ev_archive_expired(const ev_archive_t *a, int64_t t, int64_t now);
/* Checks an ArchiveName/ReplayName as the model does; 0 or the call's error. */
int ev_archive_name_check(rn_call_t *c, const char *field, const char *name, int max);
/* A copy of s, or NULL for NULL. Caller owns the result; free with rn_free(). */
char *ev_dup_or_null(const char *s);
/* Restores one replay record (from ev_archive_load). */
int ev_replay_load(ev_t *e, const json_t *rec);
/* Frees every replay and stops the replay timer. */
void ev_replay_close(ev_t *e);
#endif
