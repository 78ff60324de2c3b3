/* SPDX-License-Identifier: MIT
 * Server configuration from the command line (and --config FILE, one
 * `key = value` per line using the long flag names). */
#ifndef RN_CONFIG_H
#define RN_CONFIG_H
#include <stddef.h>
typedef struct rn_config {
    char host[256];
    int port;
    char data_dir[1024];
    int in_memory;
    char region[64];
    char account_id[16];
    char auth_file[1024];
    int allow_anonymous;
    int enable_reset;
    int log_level;
    int fsync;          /* 1 = fsync every commit (default) */
    long max_connections;  /* open HTTP connections; 0 = the default (10000, lowered to fit the fd limit) */
} rn_config_t;

/* Connections served at once unless --max-connections says otherwise. */
#define RN_DEFAULT_MAX_CONNECTIONS 10000

/* Fills the defaults DESIGN.md lists. */
void rn_config_defaults(rn_config_t *c);
/* Applies one option by long name ("port", "in-memory"...); value NULL for
 * flags. Returns 0, or -1 with a message. */
int rn_config_set(rn_config_t *c, const char *name, const char *value, char *msg, size_t msglen);
/* Reads `key = value` lines from path. */
int rn_config_load_file(rn_config_t *c, const char *path, char *msg, size_t msglen);
/* 1 when the option takes a value. -1 when unknown. */
int rn_config_takes_value(const char *name);
#endif
