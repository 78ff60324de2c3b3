/* SPDX-License-Identifier: MIT
 * The server's lifecycle over the service table: open the store, create
 * every service, restore each one's records, start them; and the reverse. */
#ifndef RN_APP_H
#define RN_APP_H
#include "aws/dispatch.h"

/* Fills app (zeroed by the caller, with loop and cfg set) from the table:
 * store (cfg's data dir, or memory), sinks, one instance per service, state
 * restored and started. Returns 0, or -1 with the reason in msg. */
int rn_app_open(rn_app_t *app, const rn_service_t *const *services, char *msg, size_t msglen);
/* Answers every parked call (shutdown). */
void rn_app_drain(rn_app_t *app);
/* Drops every service's state and the store's (the reset endpoint). */
void rn_app_reset(rn_app_t *app);
/* Flushes and closes the store, frees the services and the sinks. */
void rn_app_close(rn_app_t *app);
#endif
