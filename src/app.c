/* SPDX-License-Identifier: MIT
 * Server lifecycle over the service table: the store, the sinks and the
 * instances (core/instances.h), in that order, and back. */
#include "app.h"

#include <stdio.h>
#include <string.h>

#include "aws/runtime_api.h"

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
    aws_runtime_host(app->loop, &app->runtime);
    size_t n = 0;
    while (services[n])
        n++;
    app->nservices = n;
    return rn_instances_open(app->loop, cfg, app->store, app->sinks, &app->runtime, services, &app->instances, msg, msglen);
}

void rn_app_drain(rn_app_t *app)
{
    rn_instances_drain(app->instances);
}

void rn_app_reset(rn_app_t *app)
{
    rn_instances_reset(app->instances);
}

void rn_app_close(rn_app_t *app)
{
    if (app->store)
        rn_store_close(app->store);
    app->store = NULL;
    rn_instances_close(app->instances);
    app->instances = NULL;
    rn_sinks_free(app->sinks);
    app->sinks = NULL;
}
