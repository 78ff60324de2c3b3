/* SPDX-License-Identifier: MIT
 * The deploy command's client of a running server's CloudFormation API: one
 * blocking HTTP/1.1 connection, kept alive between calls and reopened once
 * when the server has closed it, each call a POST of an AWS JSON 1.0 body
 * (X-Amz-Target: CloudFormation.<Operation>), signed with SigV4 when the
 * environment holds credentials. The server's loop is not involved: this
 * runs in a separate process, so plain sockets and http_parser suffice. */
#include <errno.h>
#include <http_parser.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "aws/sigv4.h"
#include "core/buf.h"
#include "core/json_alloc.h"
#include "core/mem.h"
#include "deploy/deploy_int.h"

#define IO_TIMEOUT_SEC     60
#define MAX_RESPONSE_BYTES (64 * 1024 * 1024)

struct deploy_client {
    char host[256];     /* as getaddrinfo takes it (no brackets) */
    char host_hdr[300]; /* as the Host header carries it */
    char port[8];
    char path[1024];
    char region[65];
    char access_key[129];
    char *secret; /* owned; NULL: unsigned requests */
    char *token;  /* owned; AWS_SESSION_TOKEN or NULL */
    int fd;       /* -1 when not connected */
};

/* Splits the endpoint URL. */
int deploy_url_parse(const char *url, char *host, size_t hostlen, int *port, char *path, size_t pathlen, char *msg,
                     size_t msglen)
{
    if (!strncmp(url, "https://", 8)) {
        snprintf(msg, msglen, "https endpoints are not supported (Runnel serves http): %s", url);
        return -1;
    }
    if (strncmp(url, "http://", 7) != 0) {
        snprintf(msg, msglen, "the endpoint must be an http:// URL: %s", url);
        return -1;
    }
    const char *h = url + 7, *end;
    size_t hn;
    if (*h == '[') { /* [v6]:port */
        end = strchr(h, ']');
        if (!end)
            goto bad;
        h++;
        hn = (size_t)(end - h);
        end++;
    } else {
        end = h + strcspn(h, ":/?#");
        hn = (size_t)(end - h);
    }
    if (hn == 0 || hn >= hostlen)
        goto bad;
    memcpy(host, h, hn);
    host[hn] = '\0';
    *port = 80;
    if (*end == ':') {
        char *stop;
        long p = strtol(end + 1, &stop, 10);
        if (stop == end + 1 || p <= 0 || p > 65535 || (*stop && *stop != '/'))
            goto bad;
        *port = (int)p;
        end = stop;
    }
    if (*end && *end != '/')
        goto bad;
    if (snprintf(path, pathlen, "%s", *end ? end : "/") >= (int)pathlen)
        goto bad;
    return 0;
bad:
    snprintf(msg, msglen, "not a valid endpoint URL: %s", url);
    return -1;
}

/* Creates the client; reads credentials from the environment. */
deploy_client_t *deploy_client_new(const char *endpoint, const char *region, int region_given, char *msg, size_t msglen)
{
    deploy_client_t *c = rn_calloc(1, sizeof *c);
    if (!c) {
        snprintf(msg, msglen, "out of memory");
        return NULL;
    }
    c->fd = -1;
    int port;
    if (deploy_url_parse(endpoint, c->host, sizeof c->host, &port, c->path, sizeof c->path, msg, msglen) < 0) {
        rn_free(c);
        return NULL;
    }
    snprintf(c->port, sizeof c->port, "%d", port);
    int v6 = strchr(c->host, ':') != NULL;
    if (port == 80)
        snprintf(c->host_hdr, sizeof c->host_hdr, "%s%s%s", v6 ? "[" : "", c->host, v6 ? "]" : "");
    else
        snprintf(c->host_hdr, sizeof c->host_hdr, "%s%s%s:%d", v6 ? "[" : "", c->host, v6 ? "]" : "", port);
    snprintf(c->region, sizeof c->region, "%s", region);
    const char *ak = getenv("AWS_ACCESS_KEY_ID"), *sk = getenv("AWS_SECRET_ACCESS_KEY");
    const char *tok = getenv("AWS_SESSION_TOKEN");
    if (!(ak && *ak && sk && *sk) && region_given) {
        ak = sk = "test";
        tok = NULL;
    }
    if (ak && *ak && sk && *sk && strlen(ak) < sizeof c->access_key) {
        snprintf(c->access_key, sizeof c->access_key, "%s", ak);
        c->secret = rn_strdup(sk);
        c->token = tok && *tok ? rn_strdup(tok) : NULL;
        if (!c->secret || (tok && *tok && !c->token)) {
            deploy_client_free(c);
            snprintf(msg, msglen, "out of memory");
            return NULL;
        }
    }
    return c;
}

/* Closes the connection and frees the client. */
void deploy_client_free(deploy_client_t *c)
{
    if (!c)
        return;
    if (c->fd >= 0)
        close(c->fd);
    if (c->secret)
        memset(c->secret, 0, strlen(c->secret));
    rn_free(c->secret);
    rn_free(c->token);
    rn_free(c);
}

static int connect_to(deploy_client_t *c, char *msg, size_t msglen)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res = NULL;
    int rc = getaddrinfo(c->host, c->port, &hints, &res);
    if (rc != 0) {
        snprintf(msg, msglen, "cannot resolve %s: %s", c->host, gai_strerror(rc));
        return -1;
    }
    int err = 0;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) {
            err = errno;
            continue;
        }
        struct timeval tv = {.tv_sec = IO_TIMEOUT_SEC};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
            c->fd = fd;
            freeaddrinfo(res);
            return 0;
        }
        err = errno;
        close(fd);
    }
    freeaddrinfo(res);
    snprintf(msg, msglen, "cannot connect to %s: %s%s", c->host_hdr, strerror(err),
             err == ECONNREFUSED ? " (is `runnel serve` running there?)" : "");
    return -1;
}

static void disconnect(deploy_client_t *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
}

/* The request time as SigV4 wants it: 20261204T220000Z and 20261204. */
static void amz_now(char amz_date[17], char date[9])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(amz_date, 17, "%Y%m%dT%H%M%SZ", &tm);
    memcpy(date, amz_date, 8);
    date[8] = '\0';
}

/* The Authorization header's value for this request, into out. */
static int sign(const deploy_client_t *c, const char *target, const char *amz_date, const char *date, const char *body,
                size_t len, char *out, size_t outlen)
{
    aws_sigv4_cred_t cred = {0};
    snprintf(cred.access_key, sizeof cred.access_key, "%s", c->access_key);
    snprintf(cred.date, sizeof cred.date, "%s", date);
    snprintf(cred.region, sizeof cred.region, "%s", c->region);
    snprintf(cred.service, sizeof cred.service, "cloudformation");
    snprintf(cred.amz_date, sizeof cred.amz_date, "%s", amz_date);
    snprintf(cred.signed_headers, sizeof cred.signed_headers, "content-type;host;x-amz-date;%sx-amz-target",
             c->token ? "x-amz-security-token;" : "");
    cred.present = 1;
    const char *ctype = "application/x-amz-json-1.0";
    aws_hdr_t hdrs[5] = {
        {"content-type", 12, ctype, strlen(ctype)},
        {"host", 4, c->host_hdr, strlen(c->host_hdr)},
        {"x-amz-date", 10, amz_date, strlen(amz_date)},
        {"x-amz-target", 12, target, strlen(target)},
        {"x-amz-security-token", 20, c->token ? c->token : "", c->token ? strlen(c->token) : 0},
    };
    aws_sigv4_req_t req = {.method = "POST",
                           .path = c->path,
                           .path_len = strcspn(c->path, "?"),
                           .query = "",
                           .query_len = 0,
                           .headers = hdrs,
                           .nheaders = c->token ? 5 : 4,
                           .body = body,
                           .body_len = len};
    char sig[65];
    if (aws_sigv4_sign(&req, &cred, c->secret, sig) != 0)
        return -1;
    int n = snprintf(out, outlen,
                     "AWS4-HMAC-SHA256 Credential=%s/%s/%s/cloudformation/aws4_request, "
                     "SignedHeaders=%s, Signature=%s",
                     c->access_key, date, c->region, cred.signed_headers, sig);
    return n > 0 && (size_t)n < outlen ? 0 : -1;
}

/* The bytes of one request. */
static int build_request(const deploy_client_t *c, const char *op, const char *body, size_t len, rn_buf_t *out)
{
    char target[128], amz_date[17], date[9];
    snprintf(target, sizeof target, "CloudFormation.%s", op);
    amz_now(amz_date, date);
    rn_buf_printf(out,
                  "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-amz-json-1.0\r\n"
                  "X-Amz-Target: %s\r\nX-Amz-Date: %s\r\nUser-Agent: runnel-deploy\r\nContent-Length: %zu\r\n",
                  c->path, c->host_hdr, target, amz_date, len);
    if (c->secret) {
        char auth[1024];
        if (sign(c, target, amz_date, date, body, len, auth, sizeof auth) < 0)
            return -1;
        if (c->token)
            rn_buf_printf(out, "X-Amz-Security-Token: %s\r\n", c->token);
        rn_buf_printf(out, "Authorization: %s\r\n", auth);
    }
    rn_buf_add(out, "\r\n", 2);
    rn_buf_add(out, body, len);
    return out->oom ? -1 : 0;
}

/* ---- the response ---- */

typedef struct response {
    rn_buf_t body;
    int complete;
    int too_big;
} response_t;

static int on_body(http_parser *p, const char *at, size_t n)
{
    response_t *r = p->data;
    if (r->body.len + n > MAX_RESPONSE_BYTES) {
        r->too_big = 1;
        return -1;
    }
    rn_buf_add(&r->body, at, n);
    return 0;
}

static int on_complete(http_parser *p)
{
    ((response_t *)p->data)->complete = 1;
    http_parser_pause(p, 1); /* anything after the message is not ours */
    return 0;
}

static int send_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Sends the request and reads one response on the open connection.
 * Returns the HTTP status, -1 on an error (msg), or -2 when the connection
 * turned out closed before any byte of the response came (a stale
 * keep-alive connection, worth one retry). */
static int exchange(deploy_client_t *c, const rn_buf_t *req, response_t *r, int *keep, char *msg, size_t msglen)
{
    if (send_all(c->fd, req->data, req->len) < 0) {
        if (errno == EPIPE || errno == ECONNRESET)
            return -2;
        snprintf(msg, msglen, "sending the request: %s", strerror(errno));
        return -1;
    }
    http_parser parser;
    http_parser_init(&parser, HTTP_RESPONSE);
    parser.data = r;
    http_parser_settings s;
    http_parser_settings_init(&s);
    s.on_body = on_body;
    s.on_message_complete = on_complete;
    char buf[65536];
    size_t got = 0;
    while (!r->complete) {
        ssize_t n = recv(c->fd, buf, sizeof buf, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            if (got == 0 && errno == ECONNRESET)
                return -2;
            snprintf(msg, msglen, "reading the response: %s",
                     errno == EAGAIN || errno == EWOULDBLOCK ? "timed out" : strerror(errno));
            return -1;
        }
        if (n == 0 && got == 0)
            return -2;
        got += (size_t)n;
        http_parser_execute(&parser, &s, buf, (size_t)n); /* n == 0 tells it the stream ended */
        if (r->too_big) {
            snprintf(msg, msglen, "the response is larger than %d bytes", MAX_RESPONSE_BYTES);
            return -1;
        }
        if (!r->complete && (HTTP_PARSER_ERRNO(&parser) != HPE_OK || n == 0)) {
            snprintf(msg, msglen, "bad HTTP response: %s",
                     n == 0 ? "connection closed early" : http_errno_description(HTTP_PARSER_ERRNO(&parser)));
            return -1;
        }
    }
    *keep = http_should_keep_alive(&parser);
    return parser.status_code;
}

/* Splits an error body into its code (the __type after any "ns#") and message. */
static void api_error(const json_t *body, int status, char *code, size_t codelen, char *msg, size_t msglen)
{
    const char *type = json_string_value(json_object_get(body, "__type"));
    const char *m = json_string_value(json_object_get(body, "message"));
    if (!m)
        m = json_string_value(json_object_get(body, "Message"));
    if (type && strchr(type, '#'))
        type = strchr(type, '#') + 1;
    snprintf(code, codelen, "%s", type ? type : "HTTP");
    if (m)
        snprintf(msg, msglen, "%s", m);
    else
        snprintf(msg, msglen, "HTTP status %d", status);
}

/* Sends one call and decodes its answer. */
int deploy_client_call(deploy_client_t *c, const char *op, const json_t *in, json_t **out, char *code, size_t codelen,
                       char *msg, size_t msglen)
{
    *out = NULL;
    code[0] = '\0';
    int rc = DEPLOY_ERR_TRANSPORT, status = -1, keep = 0;
    char *body = json_dumps(in, JSON_COMPACT);
    rn_buf_t req = {0};
    response_t r = {0};
    if (!body || build_request(c, op, body, strlen(body), &req) < 0) {
        snprintf(msg, msglen, "out of memory");
        goto out;
    }
    for (int attempt = 0; attempt < 2; attempt++) {
        int reused = c->fd >= 0;
        if (!reused && connect_to(c, msg, msglen) < 0)
            goto out;
        rn_buf_free(&r.body);
        r = (response_t){0};
        status = exchange(c, &req, &r, &keep, msg, msglen);
        if (status != -2) {
            if (status < 0 || !keep)
                disconnect(c);
            break;
        }
        disconnect(c); /* closed under us: a fresh connection gets one more try */
        if (!reused) {
            snprintf(msg, msglen, "the server closed the connection without answering");
            break;
        }
    }
    if (status < 0)
        goto out;
    json_error_t e;
    json_t *j = r.body.len ? json_loadb(r.body.data, r.body.len, 0, &e) : json_object();
    if (!json_is_object(j)) {
        json_decref(j);
        snprintf(msg, msglen, "HTTP status %d with a body that is not a JSON object (is %s a Runnel server?)", status,
                 c->host_hdr);
        goto out;
    }
    if (status / 100 == 2) {
        *out = j;
        rc = 0;
    } else {
        api_error(j, status, code, codelen, msg, msglen);
        json_decref(j);
        rc = DEPLOY_ERR_API;
    }
out:
    rn_buf_free(&r.body);
    rn_buf_free(&req);
    rn_json_free(body); /* json_dumps' text */
    return rc;
}
