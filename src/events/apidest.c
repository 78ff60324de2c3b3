/* SPDX-License-Identifier: MIT
 * HTTP delivery to API destinations: builds the request from the
 * destination (endpoint, method), its connection (Basic, API key or OAuth
 * client-credentials auth plus invocation header, query and body
 * parameters) and the target's HttpParameters, enforces the destination's
 * InvocationRateLimitPerSecond with a token bucket, fetches and caches OAuth
 * tokens, and classifies the outcome the way EventBridge does (401, 407,
 * 409, 429, 5xx and network failures are retried; other statuses are not). */
#include "events/ev_int.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_alloc.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "core/mem.h"
#include "http/client.h"

#define TIMEOUT_MS 5000

typedef struct {
    double tokens;
    int64_t last_ms;
} bucket_t;

typedef struct send_ctx send_ctx_t;

/* One connection's OAuth token, and the sends waiting while it is fetched
 * (one token request per connection at a time). */
typedef struct fetch fetch_t;

typedef struct {
    char *token;
    int64_t expires_ms;
    int fetching;
    send_ctx_t *waiting;
    fetch_t *fetch;      /* the token request in flight, freed by close if abandoned */
} token_t;

/* Every send_ctx is on exactly one list: the in-flight list (e->http_sends)
 * while its request runs, or its token's waiting list. */
struct send_ctx {
    send_ctx_t *next_waiting;
    send_ctx_t *prev, *next; /* in-flight list */
    ev_t *e;
    char *conn_name;
    char *method, *url;
    char *body;
    size_t len;
    rn_buf_t headers;    /* invocation headers, without auth */
    ev_http_done_fn done;
    void *ud;
};

static void inflight_add(send_ctx_t *s)
{
    send_ctx_t **head = (send_ctx_t **)&s->e->http_sends;
    s->prev = NULL;
    s->next = *head;
    if (*head)
        (*head)->prev = s;
    *head = s;
}

static void inflight_del(send_ctx_t *s)
{
    send_ctx_t **head = (send_ctx_t **)&s->e->http_sends;
    if (s->prev)
        s->prev->next = s->next;
    else if (*head == s)
        *head = s->next;
    if (s->next)
        s->next->prev = s->prev;
    s->prev = s->next = NULL;
}

static void ctx_free(send_ctx_t *s)
{
    rn_free(s->conn_name);
    rn_free(s->method);
    rn_free(s->url);
    rn_free(s->body);
    rn_buf_free(&s->headers);
    rn_free(s);
}

static void add_urlenc(rn_buf_t *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || strchr("-_.~", ch)) {
            rn_buf_add(b, s, 1);
        } else {
            char e[3] = {'%', hex[ch >> 4], hex[ch & 15]};
            rn_buf_add(b, e, 3);
        }
    }
}

/* A header line, refusing CR/LF so a value can't smuggle another header. */
static void add_header(rn_buf_t *b, const char *k, const char *v)
{
    if (!k || !v || strpbrk(k, "\r\n:") || strpbrk(v, "\r\n"))
        return;
    rn_buf_printf(b, "%s: %s\r\n", k, v);
}

static void add_query(rn_buf_t *url, int *first, const char *k, const char *v)
{
    if (!k || !v)
        return;
    rn_buf_puts(url, *first ? (strchr(url->data, '?') ? "&" : "?") : "&");
    *first = 0;
    add_urlenc(url, k);
    rn_buf_puts(url, "=");
    add_urlenc(url, v);
}

/* Applies a connection's {HeaderParameters, QueryStringParameters} lists. */
static void apply_http_params(const json_t *p, rn_buf_t *headers, rn_buf_t *url, int *first)
{
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(p, "HeaderParameters"), i, it)
        add_header(headers, rn_param_str(it, "Key"), rn_param_str(it, "Value"));
    json_array_foreach(json_object_get(p, "QueryStringParameters"), i, it)
        add_query(url, first, rn_param_str(it, "Key"), rn_param_str(it, "Value"));
}

static char *base64(const char *s)
{
    size_t n = strlen(s);
    char *out = rn_malloc(4 * ((n + 2) / 3) + 1);
    if (out)
        EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)s, (int)n);
    return out;
}

/* Rate limit: returns 0 when a request may go now, else the wait in ms. */
static int64_t bucket_take(ev_t *e, const char *dest, int rate)
{
    bucket_t *b = rn_smap_get(&e->buckets, dest);
    int64_t now = rn_now_ms();
    if (!b) {
        b = rn_calloc(1, sizeof *b);
        if (!b || rn_smap_put(&e->buckets, dest, b) < 0) {
            rn_free(b);
            return 0;
        }
        b->tokens = rate;
        b->last_ms = now;
    }
    b->tokens += (double)(now - b->last_ms) * rate / 1000.0;
    if (b->tokens > rate)
        b->tokens = rate;
    b->last_ms = now;
    if (b->tokens >= 1.0) {
        b->tokens -= 1.0;
        return 0;
    }
    return (int64_t)((1.0 - b->tokens) * 1000.0 / rate) + 1;
}

static void classify(int status, const char *err, int *retry, const char **code)
{
    if (status < 0) {
        *retry = 1;
        *code = err && strcmp(err, "timeout") == 0 ? "TIMEOUT" : "CONNECTION_FAILURE";
        return;
    }
    *retry = status == 401 || status == 407 || status == 409 || status == 429 || status >= 500;
    *code = status == 429 ? "THROTTLING" : "ERROR_FROM_TARGET";
}

static void on_response(void *ud, int status, const char *body, size_t len, const char *err)
{
    (void)body;
    (void)len;
    send_ctx_t *s = ud;
    inflight_del(s);
    if (status >= 200 && status < 300) {
        s->done(s->e, s->ud, 1, 0, NULL, NULL);
    } else {
        int retry;
        const char *code;
        char msg[256];
        classify(status, err, &retry, &code);
        if (status < 0)
            snprintf(msg, sizeof msg, "Request to %s failed: %s", s->url, err ? err : "error");
        else
            snprintf(msg, sizeof msg, "Target %s responded with HTTP %d", s->url, status);
        s->done(s->e, s->ud, 0, retry, code, msg);
    }
    ctx_free(s);
}

static void send_main(send_ctx_t *s, const char *auth_header)
{
    rn_buf_t h = {0};
    if (auth_header)
        rn_buf_puts(&h, auth_header);
    if (s->headers.len)
        rn_buf_add(&h, s->headers.data, s->headers.len);
    rn_buf_add(&h, "", 1);
    inflight_add(s); /* before the request: a failure may call back at once */
    int rc = h.oom ? RN_ERR_NOMEM
                   : rn_hclient_request(s->e->http, s->method, s->url, h.data, s->body, s->len, TIMEOUT_MS,
                                        on_response, s);
    rn_buf_free(&h);
    if (rc < 0) {
        inflight_del(s);
        s->done(s->e, s->ud, 0, 0, "SDK_CLIENT_ERROR", "The request could not be built.");
        ctx_free(s);
    }
}

/* The token request's context: the connection whose waiters it serves. */
struct fetch {
    ev_t *e;
    char *conn_name;
};

static void on_token(void *ud, int status, const char *body, size_t len, const char *err)
{
    fetch_t *f = ud;
    json_error_t jerr;
    json_t *j = status >= 200 && status < 300 ? json_loadb(body, len, 0, &jerr) : NULL;
    const char *tok = rn_param_str(j, "access_token");
    token_t *t = rn_smap_get(&f->e->tokens, f->conn_name);
    send_ctx_t *waiting = t ? t->waiting : NULL;
    if (t) {
        t->waiting = NULL;
        t->fetching = 0;
        t->fetch = NULL;
    }
    char hdr[4096] = "";
    if (tok && t && !strpbrk(tok, "\r\n")) {
        rn_free(t->token);
        t->token = rn_strdup(tok);
        json_t *exp = json_object_get(j, "expires_in");
        t->expires_ms = rn_now_ms() + (json_is_integer(exp) ? json_integer_value(exp) * 1000 - 10000 : 3600 * 1000);
        snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n", tok);
    }
    int retry = 1;
    const char *code;
    if (!hdr[0])
        classify(status, err, &retry, &code);
    while (waiting) {
        send_ctx_t *s = waiting;
        waiting = s->next_waiting;
        if (hdr[0]) {
            send_main(s, hdr);
        } else {
            s->done(s->e, s->ud, 0, retry, "FAILED_TO_ASSUME_ROLE",
                    "Could not get an OAuth token from the connection's authorization endpoint.");
            ctx_free(s);
        }
    }
    json_decref(j);
    rn_free(f->conn_name);
    rn_free(f);
}

/* OAuth client credentials: POST grant_type=client_credentials to the
 * authorization endpoint with the client id and secret as Basic auth. */
static int fetch_token(ev_t *e, const char *conn_name, const json_t *oauth)
{
    const json_t *cp = json_object_get(oauth, "ClientParameters");
    const char *id = rn_param_str(cp, "ClientID"), *secret = rn_param_str(cp, "ClientSecret");
    const char *endpoint = rn_param_str(oauth, "AuthorizationEndpoint");
    const char *method = rn_param_str(oauth, "HttpMethod");
    const json_t *hp = json_object_get(oauth, "OAuthHttpParameters");
    rn_buf_t url = {0}, h = {0}, body = {0};
    int first = 1;
    char cred[1024];
    snprintf(cred, sizeof cred, "%s:%s", id ? id : "", secret ? secret : "");
    char *b64 = base64(cred);
    rn_buf_puts(&url, endpoint ? endpoint : "");
    rn_buf_printf(&h, "Authorization: Basic %s\r\nContent-Type: application/x-www-form-urlencoded\r\n",
                  b64 ? b64 : "");
    rn_free(b64);
    apply_http_params(hp, &h, &url, &first);
    rn_buf_puts(&body, "grant_type=client_credentials");
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(hp, "BodyParameters"), i, it) {
        if (!rn_param_str(it, "Key") || !rn_param_str(it, "Value"))
            continue;
        rn_buf_puts(&body, "&");
        add_urlenc(&body, rn_param_str(it, "Key"));
        rn_buf_puts(&body, "=");
        add_urlenc(&body, rn_param_str(it, "Value"));
    }
    rn_buf_add(&url, "", 1);
    rn_buf_add(&h, "", 1);
    fetch_t *f = rn_calloc(1, sizeof *f);
    if (f) {
        f->e = e;
        f->conn_name = rn_strdup(conn_name);
    }
    token_t *t = rn_smap_get(&e->tokens, conn_name);
    if (t)
        t->fetch = f;
    int rc = !f || !f->conn_name || url.oom || h.oom || body.oom
                 ? RN_ERR_NOMEM
                 : rn_hclient_request(e->http, method ? method : "POST", url.data, h.data, body.data, body.len,
                                      TIMEOUT_MS, on_token, f);
    if (rc < 0 && f) {
        if (t)
            t->fetch = NULL;
        rn_free(f->conn_name);
        rn_free(f);
    }
    rn_buf_free(&url);
    rn_buf_free(&h);
    rn_buf_free(&body);
    return rc;
}

/* The payload with the connection's BodyParameters merged in, when the
 * payload is a JSON object; otherwise the payload as is. */
static char *merged_body(const char *payload, size_t len, const json_t *body_params, size_t *outlen)
{
    json_error_t jerr;
    json_t *obj = json_array_size(body_params) ? json_loadb(payload, len, 0, &jerr) : NULL;
    if (!json_is_object(obj)) {
        json_decref(obj);
        *outlen = len;
        return rn_strndup(payload, len);
    }
    size_t i;
    json_t *it;
    json_array_foreach(body_params, i, it) if (rn_param_str(it, "Key") && rn_param_str(it, "Value"))
        json_object_set_new(obj, rn_param_str(it, "Key"), json_string(rn_param_str(it, "Value")));
    char *txt = json_dumps(obj, JSON_COMPACT);
    json_decref(obj);
    char *out = txt ? rn_strdup(txt) : NULL;
    rn_json_free(txt);
    *outlen = out ? strlen(out) : 0;
    return out;
}

int ev_apidest_send(ev_t *e, const ev_target_t *t, const char *payload, size_t len, int64_t *wait_ms,
                    ev_http_done_fn done, void *ud, char *code, size_t codelen, char *msg, size_t msglen)
{
    json_t *dest = ev_apidest_by_arn(e, t->arn);
    json_t *conn = dest ? ev_connection_by_arn(e, rn_param_str(dest, "ConnectionArn")) : NULL;
    *wait_ms = 0;
    if (!dest || !conn) {
        snprintf(code, codelen, "NO_RESOURCE");
        snprintf(msg, msglen, "%s %s does not exist.", dest ? "Connection of" : "API destination", t->arn);
        return -1;
    }
    if (strcmp(rn_param_str(conn, "ConnectionState"), "DEAUTHORIZED") == 0) {
        snprintf(code, codelen, "NO_PERMISSIONS");
        snprintf(msg, msglen, "Connection %s is deauthorized.", rn_param_str(conn, "Name"));
        return -1;
    }
    const char *endpoint = rn_param_str(dest, "InvocationEndpoint");
    if (strncmp(endpoint, "http://", 7) != 0) {
        snprintf(code, codelen, "SDK_CLIENT_ERROR");
        snprintf(msg, msglen, "Runnel delivers to http:// endpoints only; %s is not reachable.", endpoint);
        return -1;
    }
    int64_t w = bucket_take(e, rn_param_str(dest, "Name"),
                            (int)json_integer_value(json_object_get(dest, "InvocationRateLimitPerSecond")));
    if (w > 0) {
        *wait_ms = w;
        return 1;
    }
    send_ctx_t *s = rn_calloc(1, sizeof *s);
    if (!s) {
        snprintf(code, codelen, "INTERNAL_ERROR");
        snprintf(msg, msglen, "Out of memory");
        return -1;
    }
    s->e = e;
    s->done = done;
    s->ud = ud;
    s->conn_name = rn_strdup(rn_param_str(conn, "Name"));
    s->method = rn_strdup(rn_param_str(dest, "HttpMethod"));
    const json_t *auth = json_object_get(conn, "AuthParameters");
    const json_t *inv = json_object_get(auth, "InvocationHttpParameters");
    const json_t *hp = json_object_get(t->spec, "HttpParameters");
    /* the endpoint's '*' are replaced by PathParameterValues, in order */
    rn_buf_t url = {0};
    size_t pi = 0;
    for (const char *p = endpoint; *p; p++) {
        if (*p == '*' && pi < json_array_size(json_object_get(hp, "PathParameterValues")))
            rn_buf_puts(&url, json_string_value(json_array_get(json_object_get(hp, "PathParameterValues"), pi++)));
        else
            rn_buf_add(&url, p, 1);
    }
    rn_buf_add(&url, "", 1);
    url.len--;
    int first = 1;
    rn_buf_puts(&s->headers, "Content-Type: application/json; charset=utf-8\r\nUser-Agent: "
                             "Amazon/EventBridge/ApiDestinations\r\n");
    apply_http_params(inv, &s->headers, &url, &first);
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(hp, "HeaderParameters"), k, v) add_header(&s->headers, k, json_string_value(v));
    json_object_foreach(json_object_get(hp, "QueryStringParameters"), k, v)
        add_query(&url, &first, k, json_string_value(v));
    rn_buf_add(&url, "", 1);
    s->url = rn_buf_take(&url, NULL);
    s->body = merged_body(payload, len, json_object_get(inv, "BodyParameters"), &s->len);
    if (!s->conn_name || !s->method || !s->url || !s->body || s->headers.oom) {
        ctx_free(s);
        snprintf(code, codelen, "INTERNAL_ERROR");
        snprintf(msg, msglen, "Out of memory");
        return -1;
    }
    const char *type = rn_param_str(conn, "AuthorizationType");
    char hdr[2048] = "";
    if (strcmp(type, "BASIC") == 0) {
        const json_t *b = json_object_get(auth, "BasicAuthParameters");
        char cred[1024];
        snprintf(cred, sizeof cred, "%s:%s", rn_param_str(b, "Username"), rn_param_str(b, "Password"));
        char *b64 = base64(cred);
        snprintf(hdr, sizeof hdr, "Authorization: Basic %s\r\n", b64 ? b64 : "");
        rn_free(b64);
    } else if (strcmp(type, "API_KEY") == 0) {
        const json_t *a = json_object_get(auth, "ApiKeyAuthParameters");
        rn_buf_t tmp = {0};
        add_header(&tmp, rn_param_str(a, "ApiKeyName"), rn_param_str(a, "ApiKeyValue"));
        snprintf(hdr, sizeof hdr, "%.*s", (int)tmp.len, tmp.data ? tmp.data : "");
        rn_buf_free(&tmp);
    } else {
        token_t *tok = rn_smap_get(&e->tokens, s->conn_name);
        if (!tok && (tok = rn_calloc(1, sizeof *tok)) && rn_smap_put(&e->tokens, s->conn_name, tok) < 0) {
            rn_free(tok);
            tok = NULL;
        }
        if (!tok) {
            ctx_free(s);
            snprintf(code, codelen, "INTERNAL_ERROR");
            snprintf(msg, msglen, "Out of memory");
            return -1;
        }
        if (tok->token && tok->expires_ms > rn_now_ms()) {
            snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n", tok->token);
        } else {
            /* wait for the token; the first waiter starts the request */
            s->next_waiting = tok->waiting;
            tok->waiting = s;
            if (!tok->fetching) {
                tok->fetching = 1;
                if (fetch_token(e, s->conn_name, json_object_get(auth, "OAuthParameters")) < 0) {
                    tok->fetching = 0;
                    tok->waiting = s->next_waiting;
                    ctx_free(s);
                    snprintf(code, codelen, "FAILED_TO_ASSUME_ROLE");
                    snprintf(msg, msglen, "The connection's authorization endpoint is not a valid http:// URL.");
                    return -1;
                }
            }
            return 0;
        }
    }
    send_main(s, hdr[0] ? hdr : NULL);
    return 0;
}

void ev_apidest_init(ev_t *e)
{
    e->http = rn_hclient_new(e->loop);
}

void ev_apidest_close(ev_t *e)
{
    rn_hclient_free(e->http);
    e->http = NULL;
    const char *k;
    void *v;
    size_t i = 0;
    while (rn_smap_next(&e->buckets, &i, &k, &v))
        rn_free(v);
    rn_smap_free(&e->buckets);
    memset(&e->buckets, 0, sizeof e->buckets);
    i = 0;
    while (rn_smap_next(&e->tokens, &i, &k, &v)) {
        token_t *t = v;
        while (t->waiting) { /* their deliveries are freed by the caller */
            send_ctx_t *s = t->waiting;
            t->waiting = s->next_waiting;
            ctx_free(s);
        }
        if (t->fetch) {
            rn_free(t->fetch->conn_name);
            rn_free(t->fetch);
        }
        rn_free(t->token);
        rn_free(t);
    }
    while (e->http_sends) { /* abandoned with the client */
        send_ctx_t *s = e->http_sends;
        inflight_del(s);
        ctx_free(s);
    }
    rn_smap_free(&e->tokens);
    memset(&e->tokens, 0, sizeof e->tokens);
}
