/* SPDX-License-Identifier: MIT
 * Configuration defaults, option parsing and the --config file reader. */
#include "core/config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"

void rn_config_defaults(rn_config_t *c)
{
    memset(c, 0, sizeof *c);
    snprintf(c->host, sizeof c->host, "127.0.0.1");
    c->port = 4566;
    snprintf(c->data_dir, sizeof c->data_dir, "./runnel-data");
    snprintf(c->region, sizeof c->region, "us-east-1");
    snprintf(c->account_id, sizeof c->account_id, "000000000000");
    c->log_level = RN_LOG_INFO;
    c->fsync = 1;
}

static const char *flags[] = {"in-memory", "allow-anonymous", "enable-reset", NULL};
static const char *valued[] = {"host", "port", "data-dir", "region", "account-id", "auth-file",
                               "log-level", "config", "fsync", "max-connections", NULL};

int rn_config_takes_value(const char *name)
{
    for (int i = 0; flags[i]; i++)
        if (strcmp(name, flags[i]) == 0)
            return 0;
    for (int i = 0; valued[i]; i++)
        if (strcmp(name, valued[i]) == 0)
            return 1;
    return -1;
}

static int copy(char *dst, size_t n, const char *v, const char *name, char *msg, size_t msglen)
{
    if (strlen(v) >= n) {
        snprintf(msg, msglen, "--%s: value too long", name);
        return -1;
    }
    snprintf(dst, n, "%s", v);
    return 0;
}

/* A whole decimal number in [lo, hi]. */
static int number(const char *v, long lo, long hi, long *out)
{
    char *end;
    long n = strtol(v, &end, 10);
    if (*v == '\0' || *end || n < lo || n > hi)
        return -1;
    *out = n;
    return 0;
}

int rn_config_set(rn_config_t *c, const char *name, const char *v, char *msg, size_t msglen)
{
    if (strcmp(name, "in-memory") == 0)
        return c->in_memory = 1, 0;
    if (strcmp(name, "allow-anonymous") == 0)
        return c->allow_anonymous = 1, 0;
    if (strcmp(name, "enable-reset") == 0)
        return c->enable_reset = 1, 0;
    if (!v) {
        snprintf(msg, msglen, "--%s needs a value", name);
        return -1;
    }
    if (strcmp(name, "host") == 0)
        return copy(c->host, sizeof c->host, v, name, msg, msglen);
    if (strcmp(name, "port") == 0) {
        long p;
        if (number(v, 0, 65535, &p) < 0) {
            snprintf(msg, msglen, "--port: '%s' is not a port number (0-65535)", v);
            return -1;
        }
        c->port = (int)p;
        return 0;
    }
    if (strcmp(name, "data-dir") == 0)
        return copy(c->data_dir, sizeof c->data_dir, v, name, msg, msglen);
    if (strcmp(name, "region") == 0)
        return copy(c->region, sizeof c->region, v, name, msg, msglen);
    if (strcmp(name, "account-id") == 0) {
        if (strlen(v) != 12 || strspn(v, "0123456789") != 12) {
            snprintf(msg, msglen, "--account-id: '%s' is not a 12-digit AWS account id", v);
            return -1;
        }
        return copy(c->account_id, sizeof c->account_id, v, name, msg, msglen);
    }
    if (strcmp(name, "auth-file") == 0)
        return copy(c->auth_file, sizeof c->auth_file, v, name, msg, msglen);
    if (strcmp(name, "log-level") == 0) {
        int l = rn_log_parse_level(v);
        if (l < 0) {
            snprintf(msg, msglen, "--log-level: '%s' is not debug, info, warn or error", v);
            return -1;
        }
        c->log_level = l;
        return 0;
    }
    if (strcmp(name, "fsync") == 0) {
        if (strcmp(v, "on") == 0 || strcmp(v, "always") == 0)
            c->fsync = 1;
        else if (strcmp(v, "off") == 0)
            c->fsync = 0;
        else {
            snprintf(msg, msglen, "--fsync: '%s' is not on or off", v);
            return -1;
        }
        return 0;
    }
    if (strcmp(name, "max-connections") == 0) {
        if (number(v, 1, 1000000, &c->max_connections) < 0) {
            snprintf(msg, msglen, "--max-connections: '%s' is not a number from 1 to 1000000", v);
            return -1;
        }
        return 0;
    }
    if (strcmp(name, "config") == 0)
        return rn_config_load_file(c, v, msg, msglen);
    snprintf(msg, msglen, "unknown option --%s", name);
    return -1;
}

int rn_config_load_file(rn_config_t *c, const char *path, char *msg, size_t msglen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(msg, msglen, "cannot read config %s", path);
        return -1;
    }
    char line[2048];
    int lineno = 0, rc = 0;
    while (rc == 0 && fgets(line, sizeof line, f)) {
        lineno++;
        char *s = line + strspn(line, " \t");
        s[strcspn(s, "\r\n")] = '\0';
        if (*s == '#' || *s == '\0')
            continue;
        char *eq = strchr(s, '=');
        char *val = NULL;
        if (eq) {
            *eq = '\0';
            val = eq + 1 + strspn(eq + 1, " \t");
            size_t vl = strlen(val);
            while (vl && (val[vl - 1] == ' ' || val[vl - 1] == '\t'))
                val[--vl] = '\0';
        }
        size_t kl = strlen(s);
        while (kl && (s[kl - 1] == ' ' || s[kl - 1] == '\t'))
            s[--kl] = '\0';
        if (strcmp(s, "config") == 0 || rn_config_takes_value(s) < 0) {
            snprintf(msg, msglen, "%s:%d: unknown setting '%s'", path, lineno, s);
            rc = -1;
            break;
        }
        if (rn_config_takes_value(s) == 0 && val && strcmp(val, "true") != 0) {
            if (strcmp(val, "false") == 0)
                continue;
        }
        char sub[512];
        if (rn_config_set(c, s, rn_config_takes_value(s) ? val : NULL, sub, sizeof sub) < 0) {
            snprintf(msg, msglen, "%s:%d: %s", path, lineno, sub);
            rc = -1;
        }
    }
    fclose(f);
    return rc;
}
