/* SPDX-License-Identifier: MIT
 * The service contract. Each AWS service is one rn_service_t: what the
 * protocol layer needs to route to it and to speak its protocols (its SigV4
 * signing name, JSON target prefixes, API description for the query
 * protocol, error rows), and the hooks the server drives it through. The
 * server's table of them (src/services.c) is the only place that names every
 * service; the dispatcher, health, reset, store loading and shutdown loop
 * over it. Adding a service is one folder plus one line in that table.
 *
 * A service instance lives on the loop and owns its state; the hooks are
 * called from the loop only. */
#ifndef RN_SERVICE_H
#define RN_SERVICE_H
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "core/api.h"
#include "core/call.h"
#include "core/config.h"
#include "core/err.h"
#include "core/runtime.h"
#include "core/sink.h"
#include "store/store.h"

/* What every instance is given. Borrowed: all of it outlives the instances. */
typedef struct rn_service_env {
    uv_loop_t *loop;
    rn_store_t *store;
    const rn_config_t *cfg;
    rn_sinks_t *sinks;
    const rn_runtime_host_t *runtime; /* the Lambda Runtime API's endpoints */
} rn_service_env_t;

/* Temporary credentials a service issued (STS), as the protocol layer needs
 * them to check a request signed with them. All borrowed. */
typedef struct rn_credential {
    const char *secret;
    const char *token;   /* the session token the request must carry */
    const char *account; /* the account the key acts in */
    int64_t expires_ms;
} rn_credential_t;

/* How a REST-JSON endpoint words an error body (each with x-amzn-ErrorType). */
enum {
    RN_REST_ERRORS_MESSAGE,      /* {"message": ...} */
    RN_REST_ERRORS_CODE_MESSAGE, /* {"Code": Shape, "Message": ...} (Schemas) */
    RN_REST_ERRORS_TYPE_MESSAGE, /* {"Type": "User"|"Service", "message": ...} (Lambda) */
};

typedef struct rn_service {
    const char *name;           /* "sqs": the call's service, health, logs */
    const char *signing_name;   /* the SigV4 credential scope's service */
    /* AWS JSON: X-Amz-Target prefixes ("AmazonSQS."), NULL-terminated; NULL
     * when the service has no JSON protocol. */
    const char *const *targets;
    int json_version;           /* 10 (application/x-amz-json-1.0) or 11 */
    /* JSON errors of a query-compatible service carry x-amzn-query-error and
     * a `__type` of json_error_ns#Shape (or the row's own "ns#Shape");
     * others send the bare shape name. */
    int query_compatible;
    const char *json_error_ns;
    /* The query protocol: the API description (with its XML namespace); NULL
     * when the service has none. */
    const rn_api_t *api;
    /* smithy-rpc-v2-cbor: the service's shape name in the path
     * (/service/<name>/operation/<Op>, e.g. GraniteServiceVersion20100801);
     * the operations come from `api`. NULL: the service does not speak it. */
    const char *cbor_service;
    /* REST-JSON: 1 when a request path is this service's (NULL: no REST API);
     * the routes and bindings are in `api` (each op's method, uri, status);
     * the error-body style (RN_REST_ERRORS_*) and the row for a request the
     * codec cannot decode. */
    int (*owns_path)(const char *path);
    /* The largest request body a request to it may have (method and path of a
     * REST request; NULL for the other protocols), 0 for the server's; NULL:
     * the server's for all. */
    size_t (*body_limit)(const char *method, const char *path);
    /* 1 when a bare GET / is this service's health answer ("healthy:
     * <signing name>.<region>.amazonaws.com ", as DynamoDB's endpoint gives). */
    int root_health;
    int rest_errors;
    int rest_bad_request;
    const rn_err_table_t *errors;  /* its own rows; NULL when none */
    /* How its endpoint words a failed signature check; NULL: the shared rows. */
    const rn_auth_rows_t *auth_rows;
    /* One instance for all accounts and regions (STS), not one per partition. */
    int global;
    /* Delivery by ARN: the service part of the ARNs it receives at ("sqs"),
     * and the hook that takes one message for the resource at arn (in the
     * instance of the partition the ARN names). NULL: it receives nothing. */
    const char *sink_service;
    int (*deliver)(void *svc, const char *arn, const rn_message_t *m, char *msg, size_t msglen);
    /* A tap topic it listens to ("events.put") and the hook each of its
     * instances is called with. NULL: none. */
    const char *tap_topic;
    void (*tap)(void *svc, const char *source, const char *body, size_t len);
    /* Store namespaces ("events.") whose keyed records are this service's,
     * NULL-terminated; and whether queue and message records are. */
    const char *const *store_ns;
    int owns_queue_records;

    /* ---- hooks ---- */
    /* Creates an instance. Returns 0 with *out, or RN_ERR_NOMEM. */
    int (*create)(const rn_service_env_t *env, void **out);
    /* Restores one record (see rn_store_load); NULL for a record kind the
     * service does not keep. */
    int (*load_queue)(void *svc, const rn_store_queue_rec_t *q);
    int (*load_msg)(void *svc, const rn_store_msg_rec_t *m);
    int (*load_kv)(void *svc, const char *ns, const char *key, const char *value);
    /* After loading: arm timers, resume deliveries. NULL: nothing to do. */
    void (*start)(void *svc);
    /* Runs one call: 0 when finished (c->out or c->err set), RN_PENDING when
     * parked (c->done is called later; c->cancel is set meanwhile). */
    int (*call)(void *svc, rn_call_t *c);
    /* Drops all state (the reset endpoint; the store is reset by the app).
     * NULL: the entry keeps no state of its own. */
    void (*reset)(void *svc);
    /* Answers every parked call now (shutdown). NULL: nothing parked. */
    void (*drain)(void *svc);
    /* Credentials this service issued: 0 with *out filled for access key
     * akid (expired ones included, so the caller can say so), -1 when it
     * issued none such. NULL: the service issues none. */
    int (*credential)(void *svc, const char *akid, rn_credential_t *out);
    /* The moving clock (core/clock.h): the earliest time (epoch ms) at which
     * timer work is due (INT64_MAX: none), and a hook that runs everything
     * due at rn_now_ms() and re-arms the timers. NULL: no timers. */
    int64_t (*next_due)(void *svc);
    void (*run_due)(void *svc);
    /* A page for people at GET /_runnel/<name>[/...] (captured mail, say):
     * rest is the path after "/_runnel/<name>" ("" or "/..."), query the
     * raw query string (may be ""). Returns 0 with *body (rn_malloc'd;
     * the caller frees it), *len and *ctype (static), or RN_ERR_NOT_FOUND
     * with a message in msg. Reads only. NULL: the service has no page. */
    int (*page)(void *svc, const char *rest, const char *query, char **body, size_t *len, const char **ctype,
                char *msg, size_t msglen);
    /* Its metrics as AWS publishes them (core/metrics.h): each figure of
     * each resource handed to emit, now. NULL: none. */
    void (*metrics)(void *svc, rn_metric_fn emit, void *ud);
    /* Counts for the health endpoint (a new object), or NULL. */
    json_t *(*stats)(void *svc);
    void (*destroy)(void *svc);
} rn_service_t;

#endif
