/* SPDX-License-Identifier: MIT
 * Server lifecycle over the service table. Store records go to the service
 * that owns them: keyed records by namespace prefix (each entry's store_ns),
 * queue and message records to the entry that keeps them. */
#include "app.h"

#include <stdio.h>
#include <string.h>

static int load_queue(void *ud, const rn_store_queue_rec_t *q)
{
    rn_app_t *app = ud;
    for (size_t i = 0; i < app->nservices; i++)
        if (app->services[i]->owns_queue_records)
            return app->services[i]->load_queue(app->inst[i], q);
    return 0;
}

static int load_msg(void *ud, const rn_store_msg_rec_t *m)
{
    rn_app_t *app = ud;
    for (size_t i = 0; i < app->nservices; i++)
        if (app->services[i]->owns_queue_records)
            return app->services[i]->load_msg(app->inst[i], m);
    return 0;
}

static int load_kv(void *ud, const char *ns, const char *key, const char *value)
{
    rn_app_t *app = ud;
    for (size_t i = 0; i < app->nservices; i++) {
        const rn_service_t *s = app->services[i];
        for (const char *const *p = s->store_ns; p && *p; p++)
            if (strncmp(ns, *p, strlen(*p)) == 0)
                return s->load_kv ? s->load_kv(app->inst[i], ns, key, value) : 0;
    }
    return 0; /* a record no service keeps any more */
}

int rn_app_open(rn_app_t *app, const rn_service_t *const *services, char *msg, size_t msglen)
{
    const rn_config_t *cfg = app->cfg;
    app->services = services;
    if (rn_store_open(app->loop, cfg->in_memory ? NULL : cfg->data_dir, cfg->fsync ? RN_FSYNC_ALWAYS : RN_FSYNC_OFF,
                      &app->store, msg, msglen) < 0)
        return -1;
    if (!(app->sinks = rn_sinks_new())) {
        snprintf(msg, msglen, "out of memory");
        return -1;
    }
    rn_service_env_t env = {app->loop, app->store, cfg, app->sinks};
    for (size_t i = 0; services[i]; i++) {
        const rn_service_t *s = services[i];
        if (i == RN_MAX_SERVICES || (s->errors && rn_err_register(s->errors) < 0)) {
            snprintf(msg, msglen, "too many services");
            return -1;
        }
        if (s->create(&env, &app->inst[i]) < 0) {
            snprintf(msg, msglen, "out of memory starting %s", s->name);
            return -1;
        }
        app->nservices = i + 1;
    }
    rn_store_loader_t all = {load_queue, load_msg, load_kv, app};
    if (rn_store_load(app->store, &all) < 0) {
        snprintf(msg, msglen, "could not restore state from %s", cfg->data_dir);
        return -1;
    }
    for (size_t i = 0; i < app->nservices; i++)
        if (services[i]->start)
            services[i]->start(app->inst[i]);
    return 0;
}

void rn_app_drain(rn_app_t *app)
{
    for (size_t i = 0; i < app->nservices; i++)
        if (app->services[i]->drain)
            app->services[i]->drain(app->inst[i]);
}

void rn_app_reset(rn_app_t *app)
{
    for (size_t i = 0; i < app->nservices; i++)
        app->services[i]->reset(app->inst[i]);
    rn_store_reset(app->store);
}

void rn_app_close(rn_app_t *app)
{
    if (app->store)
        rn_store_close(app->store);
    app->store = NULL;
    /* a service that delivers to another is freed before it */
    for (size_t i = app->nservices; i-- > 0;)
        app->services[i]->destroy(app->inst[i]);
    app->nservices = 0;
    rn_sinks_free(app->sinks);
    app->sinks = NULL;
}
