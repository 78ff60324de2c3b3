/* SPDX-License-Identifier: MIT
 * The running services: one instance of each table entry per (account,
 * region) partition, as AWS keeps every resource in one account and region.
 * Each instance is written as if it were alone: it sees a config whose
 * region and account are its partition's, and a store view that keeps its
 * records apart (store/store.h, rn_store_view). The base partition (the
 * --account-id and --region of the run that first wrote the store, kept as
 * the record runnel/base) writes to the store itself, so data from before
 * partitions reads back unchanged and a restart with another --region or
 * --account-id still finds every partition where it was. Other partitions appear on
 * first use and on restart from their records. A global service (STS) has
 * one instance. Delivery by ARN goes to the partition the ARN names; a tap
 * reaches every instance that listens. Loop only. */
#ifndef RN_INSTANCES_H
#define RN_INSTANCES_H
#include <jansson.h>

#include "core/service.h"

typedef struct rn_instances rn_instances_t;

/* Creates the default partition's instances of every entry in `table`
 * (NULL-terminated; borrowed, as are loop, cfg, store, sinks and the
 * runtime host), restores
 * every partition from the store and starts them. Returns 0, or -1 with the
 * reason in msg. */
int rn_instances_open(uv_loop_t *loop, const rn_config_t *cfg, rn_store_t *store, rn_sinks_t *sinks,
                      const rn_runtime_host_t *runtime, const rn_service_t *const *table, rn_instances_t **out, char *msg, size_t msglen);
/* The instance of entry idx for (account, region), created and started when
 * there is none yet; NULL when out of memory or over the partition cap. */
void *rn_instances_get(rn_instances_t *x, size_t idx, const char *account, const char *region);
/* Temporary credentials issued by any instance: 0 with *out, or -1. */
int rn_instances_credential(rn_instances_t *x, const char *akid, rn_credential_t *out);
/* {name: {counts summed over partitions..., "regions": {region: {account:
 * {counts}}}}} for the health endpoint's "services". Caller owns it. */
json_t *rn_instances_stats(rn_instances_t *x);
/* Moves the clock forward by ms, stopping at each time something falls due
 * on the way so that it runs in order, as if the time had passed. */
void rn_instances_advance(rn_instances_t *x, int64_t ms);
/* Drops every instance's state and the store's (the reset endpoint). */
void rn_instances_reset(rn_instances_t *x);
/* Answers every parked call (shutdown). */
void rn_instances_drain(rn_instances_t *x);
/* Frees every instance and partition (after the store is closed). */
void rn_instances_close(rn_instances_t *x);
#endif
