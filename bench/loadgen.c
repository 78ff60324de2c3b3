// SPDX-License-Identifier: MIT
/* Load generator for `make bench`: a tiny HTTP/1.1 client over keep-alive
 * connections driven by one epoll loop, speaking SQS's AWS JSON 1.0 protocol to
 * a Runnel server on loopback. Each mode is one benchmark scenario (send, cycle,
 * wake, idle, fill) or a helper the bench script needs (freeport, wait, ready,
 * fsync: the disk's own write + fdatasync cost, which bounds a durable server);
 * every mode prints one line of `key=value` pairs that scripts/bench.sh parses.
 * Closed loop: a connection sends its next request only after the reply. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

typedef struct lg_conn lg_conn_t;
typedef void (*lg_reply_fn)(lg_conn_t *c, int status, const char *body, size_t len);

struct lg_conn {
    int fd;
    int id;
    int connected;
    int connecting;
    char *wbuf;
    size_t wlen, woff;
    char *rbuf;
    size_t rlen, rcap;
    int busy;          /* a request is outstanding */
    uint64_t t_sent;   /* ns, when the request was queued */
    lg_reply_fn on_reply;
    int state;         /* mode-specific */
    int nreplies;
};

static int g_port = 4566;
static const char *g_queue = "bench";
static char g_qurl[256];
static int g_ep = -1;
static double g_duration = 5;
static int g_conns = 16;
static int g_verbose = 0;
static long g_body_size = 0; /* --body-size: bytes per message body (send, cycle, fill) or per write (fsync) */

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "loadgen: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    exit(2);
}

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n);
    if (!q)
        die("out of memory");
    return q;
}

/* A message body: --body-size bytes of printable text when given, else dflt.
 * Owned by the caller (free). */
static char *message_body(const char *dflt)
{
    if (g_body_size <= 0)
        return strdup(dflt);
    char *b = xrealloc(NULL, (size_t)g_body_size + 1);
    for (long i = 0; i < g_body_size; i++)
        b[i] = "abcdefghijklmnopqrstuvwxyz0123456789"[i % 36];
    b[g_body_size] = 0;
    return b;
}

/* ---- latency samples ---- */

typedef struct {
    uint32_t *v; /* microseconds x 10 (0.1 us resolution) */
    size_t n, cap;
} lg_samples_t;

static void samples_add(lg_samples_t *s, uint64_t ns)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 65536;
        s->v = xrealloc(s->v, s->cap * sizeof(*s->v));
    }
    uint64_t t = ns / 100;
    s->v[s->n++] = t > UINT32_MAX ? UINT32_MAX : (uint32_t)t;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* Percentile in microseconds; sorts the samples in place. */
static double samples_pct(lg_samples_t *s, double p)
{
    if (!s->n)
        return -1;
    qsort(s->v, s->n, sizeof(*s->v), cmp_u32);
    size_t i = (size_t)(p / 100.0 * (double)(s->n - 1) + 0.5);
    return s->v[i] / 10.0;
}

/* ---- connections ---- */

static struct sockaddr_in server_addr(void)
{
    struct sockaddr_in a;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)g_port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

/* Starts a non-blocking connect; returns 0, or -1 with errno set. */
static int conn_open(lg_conn_t *c)
{
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->fd < 0)
        return -1;
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    struct sockaddr_in a = server_addr();
    c->connected = 0;
    c->connecting = 1;
    int rc = connect(c->fd, (struct sockaddr *)&a, sizeof(a));
    if (rc < 0 && errno != EINPROGRESS) {
        int e = errno;
        close(c->fd);
        c->fd = -1;
        c->connecting = 0;
        errno = e;
        return -1;
    }
    if (rc == 0) {
        c->connected = 1;
        c->connecting = 0;
    }
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLET, .data.ptr = c};
    if (epoll_ctl(g_ep, EPOLL_CTL_ADD, c->fd, &ev) < 0)
        die("epoll_ctl: %s", strerror(errno));
    return 0;
}

static int conn_flush(lg_conn_t *c)
{
    while (c->woff < c->wlen) {
        ssize_t n = send(c->fd, c->wbuf + c->woff, c->wlen - c->woff, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return 0;
            if (errno == EINTR)
                continue;
            return -1;
        }
        c->woff += (size_t)n;
    }
    return 0;
}

/* Queues one POST of body to path with the given extra header lines; writes what it can. */
static void conn_post(lg_conn_t *c, const char *path, const char *extra, const char *body, lg_reply_fn cb)
{
    size_t blen = strlen(body);
    size_t need = blen + strlen(path) + strlen(extra) + 256;
    c->wbuf = xrealloc(c->wbuf, need);
    int h = snprintf(c->wbuf, need, "POST %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n%sContent-Length: %zu\r\n\r\n", path,
                     g_port, extra, blen);
    memcpy(c->wbuf + h, body, blen);
    c->wlen = (size_t)h + blen;
    c->woff = 0;
    c->busy = 1;
    c->on_reply = cb;
    c->t_sent = now_ns();
    if (c->connected && conn_flush(c) < 0)
        die("conn %d: send: %s", c->id, strerror(errno));
}

/* Queues one POST / with an X-Amz-Target of AmazonSQS.<op> (or a full
 * AWSEvents.<op> target, EventBridge's JSON 1.1). */
static void conn_request(lg_conn_t *c, const char *op, const char *body, lg_reply_fn cb)
{
    int events = strncmp(op, "AWSEvents.", 10) == 0, full = strchr(op, '.') != NULL;
    char extra[160];
    snprintf(extra, sizeof extra, "X-Amz-Target: %s%s\r\nContent-Type: application/x-amz-json-1.%d\r\n",
             full ? "" : "AmazonSQS.", op, events);
    conn_post(c, "/", extra, body, cb);
}

/* Parses one complete response at the front of rbuf; returns bytes used or 0. */
static size_t parse_response(lg_conn_t *c, int *status, const char **body, size_t *blen)
{
    char *end = memmem(c->rbuf, c->rlen, "\r\n\r\n", 4);
    if (!end)
        return 0;
    size_t hlen = (size_t)(end - c->rbuf) + 4;
    if (c->rlen < 12 || memcmp(c->rbuf, "HTTP/1.", 7) != 0)
        die("conn %d: bad response: %.*s", c->id, (int)(c->rlen > 80 ? 80 : c->rlen), c->rbuf);
    *status = atoi(c->rbuf + 9);
    size_t cl = 0;
    for (char *p = c->rbuf; p < end;) {
        char *nl = memmem(p, (size_t)(end - p), "\r\n", 2);
        if (!nl)
            nl = end;
        if ((size_t)(nl - p) > 15 && strncasecmp(p, "Content-Length:", 15) == 0)
            cl = strtoul(p + 15, NULL, 10);
        p = nl + 2;
    }
    if (c->rlen < hlen + cl)
        return 0;
    *body = c->rbuf + hlen;
    *blen = cl;
    return hlen + cl;
}

static void conn_on_event(lg_conn_t *c, uint32_t events)
{
    if (c->connecting) {
        int err = 0;
        socklen_t el = sizeof(err);
        getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &el);
        if (err)
            die("conn %d: connect: %s", c->id, strerror(err));
        if (!(events & (EPOLLOUT | EPOLLIN)))
            return;
        c->connecting = 0;
        c->connected = 1;
    }
    if ((events & EPOLLOUT) && c->woff < c->wlen && conn_flush(c) < 0)
        die("conn %d: send: %s", c->id, strerror(errno));
    if (!(events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
        return;
    for (;;) {
        if (c->rcap - c->rlen < 16384) {
            c->rcap = c->rcap ? c->rcap * 2 : 32768;
            c->rbuf = xrealloc(c->rbuf, c->rcap);
        }
        ssize_t n = recv(c->fd, c->rbuf + c->rlen, c->rcap - c->rlen - 1, 0);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                break;
            if (errno == EINTR)
                continue;
            die("conn %d: recv: %s", c->id, strerror(errno));
        }
        if (n == 0)
            die("conn %d: server closed the connection (busy=%d, replies=%d)", c->id, c->busy, c->nreplies);
        c->rlen += (size_t)n;
        int status;
        const char *body;
        size_t blen;
        size_t used;
        while ((used = parse_response(c, &status, &body, &blen)) > 0) {
            /* the callback may queue the next request; copy the body first */
            char *copy = malloc(blen + 1);
            if (!copy)
                die("out of memory");
            memcpy(copy, body, blen);
            copy[blen] = 0;
            memmove(c->rbuf, c->rbuf + used, c->rlen - used);
            c->rlen -= used;
            c->busy = 0;
            c->nreplies++;
            lg_reply_fn cb = c->on_reply;
            c->on_reply = NULL;
            if (cb)
                cb(c, status, copy, blen);
            free(copy);
        }
    }
}

/* Runs the loop until `*stop` or the deadline (ns, 0 = none); timeout_ms per wait. */
static void loop_run(volatile int *stop, uint64_t deadline, int timeout_ms)
{
    struct epoll_event evs[256];
    while (!*stop && (!deadline || now_ns() < deadline)) {
        int n = epoll_wait(g_ep, evs, 256, timeout_ms);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            die("epoll_wait: %s", strerror(errno));
        }
        for (int i = 0; i < n; i++)
            conn_on_event(evs[i].data.ptr, evs[i].events);
    }
}

/* ---- blocking helpers for setup ---- */

/* One request on a fresh blocking connection; caller frees *out. */
static int http_once(const char *method, const char *path, const char *target, const char *body, char **out,
                     int timeout_ms)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = server_addr();
    struct timeval tv = {.tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
        close(fd);
        return -1;
    }
    char req[4096];
    size_t blen = body ? strlen(body) : 0;
    int n;
    int events = target && strncmp(target, "AWSEvents.", 10) == 0, full = target && strchr(target, '.');
    if (target)
        n = snprintf(req, sizeof(req),
                     "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: %s%s\r\n"
                     "Content-Type: application/x-amz-json-1.%d\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n%s",
                     method, path, full ? "" : "AmazonSQS.", target, events, blen, body ? body : "");
    else
        n = snprintf(req, sizeof(req), "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", method,
                     path);
    if (send(fd, req, (size_t)n, MSG_NOSIGNAL) != n) {
        close(fd);
        return -1;
    }
    size_t len = 0, cap = 8192;
    char *buf = xrealloc(NULL, cap);
    for (;;) {
        if (cap - len < 4096)
            buf = xrealloc(buf, cap *= 2);
        ssize_t r = recv(fd, buf + len, cap - len - 1, 0);
        if (r <= 0)
            break;
        len += (size_t)r;
    }
    close(fd);
    buf[len] = 0;
    int status = len > 12 ? atoi(buf + 9) : -1;
    if (out)
        *out = buf;
    else
        free(buf);
    return status;
}

static void create_queue(void)
{
    char body[512], *resp = NULL;
    snprintf(body, sizeof(body), "{\"QueueName\":\"%s\"}", g_queue);
    int st = http_once("POST", "/", "CreateQueue", body, &resp, 5000);
    if (st != 200)
        die("CreateQueue %s: status %d: %s", g_queue, st, resp ? resp : "");
    free(resp);
    snprintf(g_qurl, sizeof(g_qurl), "http://127.0.0.1:%d/000000000000/%s", g_port, g_queue);
}

/* ---- shared state for the modes ---- */

static lg_conn_t *g_c;
static lg_samples_t g_lat;
static uint64_t g_reqs, g_errors, g_msgs_sent, g_msgs_recv, g_msgs_deleted, g_empty_recv;
static int g_running = 1;
static int g_stop = 0;
static char g_last_error[512];

static void note_error(int status, const char *body)
{
    g_errors++;
    snprintf(g_last_error, sizeof(g_last_error), "%d %s", status, body);
    if (g_verbose)
        fprintf(stderr, "error: %s\n", g_last_error);
}

static void conns_open_all(int n)
{
    g_c = calloc((size_t)n, sizeof(*g_c));
    for (int i = 0; i < n; i++) {
        g_c[i].id = i;
        g_c[i].fd = -1;
        if (conn_open(&g_c[i]) < 0)
            die("connect: %s", strerror(errno));
    }
}

static void print_errors(void)
{
    if (g_errors)
        fprintf(stderr, "loadgen: %llu errors; last: %s\n", (unsigned long long)g_errors, g_last_error);
}

/* The closed loop the modes share, once their connections have their first
 * requests out: 0.3 s of warm-up left out of the figures (g_reqs and the
 * latencies start again), then g_duration seconds measured. Returns the
 * seconds measured. */
static double warm_then_measure(void)
{
    loop_run(&g_stop, now_ns() + 300000000ull, 100);
    g_reqs = 0;
    g_lat.n = 0;
    uint64_t t0 = now_ns();
    loop_run(&g_stop, t0 + (uint64_t)(g_duration * 1e9), 100);
    return (double)(now_ns() - t0) / 1e9;
}

/* ---- mode send: SendMessage closed loop ---- */

static char *g_send_body; /* owned here, built once by mode_send */

static void send_reply(lg_conn_t *c, int status, const char *body, size_t len)
{
    (void)len;
    g_reqs++;
    samples_add(&g_lat, now_ns() - c->t_sent);
    if (status != 200)
        note_error(status, body);
    if (g_running)
        conn_request(c, "SendMessage", g_send_body, send_reply);
}

static int mode_send(void)
{
    create_queue();
    char *msg = message_body("x");
    size_t cap = strlen(msg) + strlen(g_qurl) + 64;
    g_send_body = xrealloc(NULL, cap);
    snprintf(g_send_body, cap, "{\"QueueUrl\":\"%s\",\"MessageBody\":\"%s\"}", g_qurl, msg);
    free(msg);
    conns_open_all(g_conns);
    /* warm-up of 0.3 s is excluded from the figures */
    for (int i = 0; i < g_conns; i++)
        conn_request(&g_c[i], "SendMessage", g_send_body, send_reply);
    double secs = warm_then_measure();
    uint64_t reqs = g_reqs;
    double p50 = samples_pct(&g_lat, 50), p99 = samples_pct(&g_lat, 99), p999 = samples_pct(&g_lat, 99.9);
    printf("mode=send conns=%d secs=%.2f reqs=%llu rps=%.0f p50_us=%.1f p99_us=%.1f p999_us=%.1f max_us=%.1f "
           "errors=%llu\n",
           g_conns, secs, (unsigned long long)reqs, (double)reqs / secs, p50, p99, p999,
           g_lat.n ? g_lat.v[g_lat.n - 1] / 10.0 : -1, (unsigned long long)g_errors);
    print_errors();
    return 0;
}

/* ---- mode invoke: Lambda RequestResponse invokes of one function, closed loop ---- */

static char g_invoke_path[256];
static const char *g_function = "echo";

static void invoke_reply(lg_conn_t *c, int status, const char *body, size_t len)
{
    (void)len;
    g_reqs++;
    samples_add(&g_lat, now_ns() - c->t_sent);
    if (status != 200 || (len && strstr(body, "errorType")))
        note_error(status, body);
    if (g_running)
        conn_post(c, g_invoke_path, "", "{\"n\":1}", invoke_reply);
}

static int mode_invoke(void)
{
    snprintf(g_invoke_path, sizeof g_invoke_path, "/2015-03-31/functions/%s/invocations", g_function);
    conns_open_all(g_conns);
    /* warm-up of 1 s (instances start) is excluded from the figures */
    for (int i = 0; i < g_conns; i++)
        conn_post(&g_c[i], g_invoke_path, "", "{\"n\":1}", invoke_reply);
    loop_run(&g_stop, now_ns() + 1000000000ull, 100);
    g_reqs = 0;
    g_errors = 0;
    g_lat.n = 0;
    uint64_t t0 = now_ns();
    loop_run(&g_stop, t0 + (uint64_t)(g_duration * 1e9), 100);
    double secs = (double)(now_ns() - t0) / 1e9;
    printf("mode=invoke conns=%d secs=%.2f reqs=%llu rps=%.0f p50_us=%.1f p99_us=%.1f errors=%llu\n", g_conns, secs,
           (unsigned long long)g_reqs, (double)g_reqs / secs, samples_pct(&g_lat, 50), samples_pct(&g_lat, 99),
           (unsigned long long)g_errors);
    print_errors();
    return 0;
}

/* ---- mode ddb: one DynamoDB operation, closed loop ----
 * --op get: GetItem of a random key k0..k(N-1) of table "bget" (--n keys);
 * put: PutItem of a new 100-byte item into "bput"; query: Query of one of the
 * ten 100-item partitions q0..q9 of "bquery"; txn: TransactWriteItems of 4
 * new items into "bput"; create: CreateTable of new tables, one at a time. */

static const char *g_ddb_op = "get";
static long g_ddb_keys = 10000;
static uint64_t g_seq;
static char g_pad[101];
static int g_pid; /* in every new key: runs of the load generator never collide */

static void ddb_body(lg_conn_t *c, char *buf, size_t len, const char **target)
{
    unsigned r = (unsigned)rand();
    if (!strcmp(g_ddb_op, "get")) {
        *target = "DynamoDB_20120810.GetItem";
        snprintf(buf, len, "{\"TableName\":\"bget\",\"Key\":{\"pk\":{\"S\":\"k%ld\"}}}", (long)(r % (unsigned)g_ddb_keys));
    } else if (!strcmp(g_ddb_op, "put")) {
        *target = "DynamoDB_20120810.PutItem";
        snprintf(buf, len, "{\"TableName\":\"bput\",\"Item\":{\"pk\":{\"S\":\"p%d-%d-%llu\"},\"v\":{\"S\":\"%s\"}}}",
                 g_pid, c->id, (unsigned long long)++g_seq, g_pad);
    } else if (!strcmp(g_ddb_op, "query")) {
        *target = "DynamoDB_20120810.Query";
        snprintf(buf, len,
                 "{\"TableName\":\"bquery\",\"KeyConditionExpression\":\"pk = :p\",\"ExpressionAttributeValues\":"
                 "{\":p\":{\"S\":\"q%u\"}}}",
                 r % 10);
    } else if (!strcmp(g_ddb_op, "txn")) {
        *target = "DynamoDB_20120810.TransactWriteItems";
        unsigned long long n = ++g_seq;
        size_t w = (size_t)snprintf(buf, len, "{\"TransactItems\":[");
        for (int i = 0; i < 4; i++)
            w += (size_t)snprintf(buf + w, len - w,
                                  "%s{\"Put\":{\"TableName\":\"bput\",\"Item\":{\"pk\":{\"S\":\"t%d-%d-%llu-%d\"},"
                                  "\"v\":{\"S\":\"%s\"}},\"ConditionExpression\":\"attribute_not_exists(pk)\"}}",
                                  i ? "," : "", g_pid, c->id, n, i, g_pad);
        snprintf(buf + w, len - w, "]}");
    } else if (!strcmp(g_ddb_op, "fill")) {
        *target = "DynamoDB_20120810.BatchWriteItem";
        unsigned long long n = ++g_seq;
        size_t w = (size_t)snprintf(buf, len, "{\"RequestItems\":{\"bfill\":[");
        for (int i = 0; i < 25; i++)
            w += (size_t)snprintf(buf + w, len - w, "%s{\"PutRequest\":{\"Item\":{\"pk\":{\"S\":\"f%d-%d-%llu-%d\"},"
                                  "\"v\":{\"N\":\"%d\"}}}}", i ? "," : "", g_pid, c->id, n, i, i);
        snprintf(buf + w, len - w, "]}}");
    } else {
        *target = "DynamoDB_20120810.CreateTable";
        snprintf(buf, len,
                 "{\"TableName\":\"ct-%d-%d-%llu\",\"BillingMode\":\"PAY_PER_REQUEST\",\"KeySchema\":[{\"AttributeName\":"
                 "\"pk\",\"KeyType\":\"HASH\"}],\"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"}]}",
                 g_pid, c->id, (unsigned long long)++g_seq);
    }
}

static void ddb_send(lg_conn_t *c);

static void ddb_reply(lg_conn_t *c, int status, const char *body, size_t len)
{
    (void)len;
    g_reqs++;
    samples_add(&g_lat, now_ns() - c->t_sent);
    if (status != 200)
        note_error(status, body);
    if (g_running)
        ddb_send(c);
}

static void ddb_send(lg_conn_t *c)
{
    char body[4096];
    const char *target;
    ddb_body(c, body, sizeof body, &target);
    conn_request(c, target, body, ddb_reply);
}

/* fill: BatchWriteItem of 25 small items until --n items are written. */
static uint64_t g_fill_target;

static void fill_reply(lg_conn_t *c, int status, const char *body, size_t len)
{
    (void)len;
    g_reqs++;
    if (status != 200 || strstr(body, "\"UnprocessedItems\":{\""))
        note_error(status, body);
    if (g_reqs * 25 >= g_fill_target) {
        g_stop = 1;
    } else if (g_running) {
        char next[4096];
        const char *target;
        ddb_body(c, next, sizeof next, &target);
        conn_request(c, target, next, fill_reply);
    }
}

static int mode_ddbfill(uint64_t n, double max_secs)
{
    g_pid = (int)getpid();
    g_ddb_op = "fill";
    g_fill_target = n;
    conns_open_all(g_conns);
    uint64_t t0 = now_ns();
    for (int i = 0; i < g_conns; i++) {
        char body[4096];
        const char *target;
        ddb_body(&g_c[i], body, sizeof body, &target);
        conn_request(&g_c[i], target, body, fill_reply);
    }
    loop_run(&g_stop, t0 + (uint64_t)(max_secs * 1e9), 100);
    double secs = (double)(now_ns() - t0) / 1e9;
    printf("mode=ddbfill items=%llu secs=%.2f items_per_s=%.0f errors=%llu\n", (unsigned long long)(g_reqs * 25), secs,
           (double)(g_reqs * 25) / secs, (unsigned long long)g_errors);
    print_errors();
    return 0;
}

static int mode_ddb(void)
{
    g_pid = (int)getpid();
    memset(g_pad, 'x', 100);
    conns_open_all(g_conns);
    for (int i = 0; i < g_conns; i++) /* a warm-up of 0.3 s is excluded */
        ddb_send(&g_c[i]);
    loop_run(&g_stop, now_ns() + 300000000ull, 100);
    g_reqs = 0;
    g_errors = 0;
    g_lat.n = 0;
    uint64_t t0 = now_ns();
    loop_run(&g_stop, t0 + (uint64_t)(g_duration * 1e9), 100);
    double secs = (double)(now_ns() - t0) / 1e9;
    printf("mode=ddb op=%s conns=%d secs=%.2f reqs=%llu rps=%.0f p50_us=%.1f p99_us=%.1f errors=%llu\n", g_ddb_op,
           g_conns, secs, (unsigned long long)g_reqs, (double)g_reqs / secs, samples_pct(&g_lat, 50),
           samples_pct(&g_lat, 99), (unsigned long long)g_errors);
    print_errors();
    return 0;
}

/* ---- mode ddbscan: a full Scan of table "bscan", page after page ---- */

static int mode_ddbscan(int runs)
{
    double *ms = calloc((size_t)runs, sizeof *ms);
    long items = 0;
    for (int r = 0; r < runs; r++) {
        char body[8192] = "{\"TableName\":\"bscan\"}";
        uint64_t t0 = now_ns();
        items = 0;
        for (;;) {
            char *out = NULL;
            if (http_once("POST", "/", "DynamoDB_20120810.Scan", body, &out, 30000) < 0 || !out)
                die("scan failed");
            const char *cnt = strstr(out, "\"Count\":");
            items += cnt ? atol(cnt + 8) : 0;
            const char *lek = strstr(out, "\"LastEvaluatedKey\":");
            if (!lek) {
                free(out);
                break;
            }
            lek += 19; /* the key object: braces balanced (keys hold no braces in this table) */
            const char *e = lek;
            int depth = 0;
            do {
                depth += *e == '{' ? 1 : *e == '}' ? -1 : 0;
                e++;
            } while (depth > 0 && *e);
            snprintf(body, sizeof body, "{\"TableName\":\"bscan\",\"ExclusiveStartKey\":%.*s}", (int)(e - lek), lek);
            free(out);
        }
        ms[r] = (double)(now_ns() - t0) / 1e6;
    }
    for (int i = 0; i < runs; i++)
        for (int j = i + 1; j < runs; j++)
            if (ms[j] < ms[i]) {
                double t = ms[i];
                ms[i] = ms[j];
                ms[j] = t;
            }
    printf("mode=ddbscan runs=%d items=%ld median_ms=%.2f min_ms=%.2f\n", runs, items, ms[runs / 2], ms[0]);
    free(ms);
    return 0;
}

/* ---- mode events: PutEvents -> rule -> SQS target, closed loop ---- */

static char g_put_body[4096];
static int g_entries = 1; /* entries per PutEvents request (1-10); values per PutMetricData item (1-150) */

/* A rule on the default bus sending source "bench" events to the queue. */
static void events_setup(void)
{
    char body[1024], *resp = NULL;
    create_queue();
    int st = http_once("POST", "/", "AWSEvents.PutRule",
                       "{\"Name\":\"bench-rule\",\"EventPattern\":\"{\\\"source\\\":[\\\"bench\\\"]}\"}", &resp, 5000);
    if (st != 200)
        die("PutRule: status %d: %s", st, resp ? resp : "");
    free(resp);
    snprintf(body, sizeof(body),
             "{\"Rule\":\"bench-rule\",\"Targets\":[{\"Id\":\"q\",\"Arn\":\"arn:aws:sqs:us-east-1:000000000000:%s\"}]}",
             g_queue);
    st = http_once("POST", "/", "AWSEvents.PutTargets", body, &resp, 5000);
    if (st != 200)
        die("PutTargets: status %d: %s", st, resp ? resp : "");
    free(resp);
    size_t off = (size_t)snprintf(g_put_body, sizeof(g_put_body), "{\"Entries\":[");
    for (int i = 0; i < g_entries; i++)
        off += (size_t)snprintf(g_put_body + off, sizeof(g_put_body) - off,
                                "%s{\"Source\":\"bench\",\"DetailType\":\"Order Created\","
                                "\"Detail\":\"{\\\"orderId\\\":\\\"o-%d\\\",\\\"amount\\\":19.99}\"}",
                                i ? "," : "", i + 1);
    snprintf(g_put_body + off, sizeof(g_put_body) - off, "]}");
}

static void put_reply(lg_conn_t *c, int status, const char *body, size_t len)
{
    (void)len;
    g_reqs++;
    samples_add(&g_lat, now_ns() - c->t_sent);
    if (status != 200 || strstr(body, "\"FailedEntryCount\":0") == NULL)
        note_error(status, body);
    if (g_running)
        conn_request(c, "AWSEvents.PutEvents", g_put_body, put_reply);
}

static int mode_events(void)
{
    events_setup();
    conns_open_all(g_conns);
    for (int i = 0; i < g_conns; i++)
        conn_request(&g_c[i], "AWSEvents.PutEvents", g_put_body, put_reply);
    double secs = warm_then_measure();
    uint64_t reqs = g_reqs, events = reqs * (uint64_t)g_entries;
    double p50 = samples_pct(&g_lat, 50), p99 = samples_pct(&g_lat, 99);
    printf("mode=events conns=%d entries=%d secs=%.2f requests=%llu events=%llu events_per_s=%.0f p50_us=%.1f "
           "p99_us=%.1f errors=%llu\n",
           g_conns, g_entries, secs, (unsigned long long)reqs, (unsigned long long)events, (double)events / secs, p50,
           p99, (unsigned long long)g_errors);
    print_errors();
    return 0;
}

/* ---- mode sns: Publish to one topic (set up by sns_setup.py), closed loop ----
 * The query protocol, as every SDK speaks SNS: a form body, and a SigV4
 * Authorization header naming the sns scope (a server without an access-key
 * file routes by the scope and does not check the signature). */

static char g_pub_body[1024];
static const char *g_topic = "bench-topic";
static const char *g_attr; /* a "customer" message attribute's value, or NULL */

static const char SNS_HEADERS[] =
    "Content-Type: application/x-www-form-urlencoded; charset=utf-8\r\n"
    "X-Amz-Date: 20260101T000000Z\r\n"
    "Authorization: AWS4-HMAC-SHA256 Credential=bench/20260101/us-east-1/sns/aws4_request, "
    "SignedHeaders=content-type;host;x-amz-date, "
    "Signature=0000000000000000000000000000000000000000000000000000000000000000\r\n";

static void pub_reply(lg_conn_t *c, int status, const char *body, size_t len)
{
    (void)len;
    g_reqs++;
    samples_add(&g_lat, now_ns() - c->t_sent);
    if (status != 200 || strstr(body, "<MessageId>") == NULL)
        note_error(status, body);
    if (g_running)
        conn_post(c, "/", SNS_HEADERS, g_pub_body, pub_reply);
}

static int mode_sns(void)
{
    int n = snprintf(g_pub_body, sizeof g_pub_body,
                     "Action=Publish&Version=2010-03-31&TopicArn=arn%%3Aaws%%3Asns%%3Aus-east-1%%3A000000000000%%3A%s"
                     "&Message=%%7B%%22orderId%%22%%3A%%22o-1%%22%%2C%%22amount%%22%%3A19.99%%7D",
                     g_topic);
    if (g_attr)
        snprintf(g_pub_body + n, sizeof g_pub_body - (size_t)n,
                 "&MessageAttributes.entry.1.Name=customer&MessageAttributes.entry.1.Value.DataType=String"
                 "&MessageAttributes.entry.1.Value.StringValue=%s",
                 g_attr);
    conns_open_all(g_conns);
    for (int i = 0; i < g_conns; i++)
        conn_post(&g_c[i], "/", SNS_HEADERS, g_pub_body, pub_reply);
    double secs = warm_then_measure();
    double p50 = samples_pct(&g_lat, 50), p99 = samples_pct(&g_lat, 99);
    printf("mode=sns conns=%d secs=%.2f publishes=%llu rps=%.0f p50_us=%.1f p99_us=%.1f errors=%llu\n", g_conns,
           secs, (unsigned long long)g_reqs, (double)g_reqs / secs, p50, p99, (unsigned long long)g_errors);
    print_errors();
    return 0;
}

/* ---- mode cwput: PutMetricData of g_entries x 20 datapoints, closed loop ----
 * ---- mode cwget: GetMetricStatistics over the day cw_setup.py filled, 1 client ----
 * AWS JSON 1.0 (query-compatible), as boto3 1.43 and the JS SDK speak it. */

static char g_cw_body[16384];
static unsigned g_cw_points; /* datapoints per request */

static void cwput_reply(lg_conn_t *c, int status, const char *body, size_t len)
{
    (void)len;
    g_reqs++;
    samples_add(&g_lat, now_ns() - c->t_sent);
    if (status != 200)
        note_error(status, body);
    if (g_running)
        conn_request(c, "GraniteServiceVersion20100801.PutMetricData", g_cw_body, cwput_reply);
}

static int mode_cwput(void)
{
    /* 20 items, each one metric of one of 4 services with g_entries values (as an SDK batches them) */
    size_t off = (size_t)snprintf(g_cw_body, sizeof g_cw_body, "{\"Namespace\":\"Bench\",\"MetricData\":[");
    for (int i = 0; i < 20; i++) {
        off += (size_t)snprintf(g_cw_body + off, sizeof g_cw_body - off,
                                "%s{\"MetricName\":\"Latency\",\"Unit\":\"Milliseconds\",\"Dimensions\":[{\"Name\":"
                                "\"Service\",\"Value\":\"svc%d\"}],\"Values\":[",
                                i ? "," : "", i % 4);
        for (int v = 0; v < g_entries; v++)
            off += (size_t)snprintf(g_cw_body + off, sizeof g_cw_body - off, "%s%d", v ? "," : "", 10 + (v * 7) % 90);
        off += (size_t)snprintf(g_cw_body + off, sizeof g_cw_body - off, "]}");
    }
    snprintf(g_cw_body + off, sizeof g_cw_body - off, "]}");
    g_cw_points = 20u * (unsigned)g_entries;
    conns_open_all(g_conns);
    for (int i = 0; i < g_conns; i++)
        conn_request(&g_c[i], "GraniteServiceVersion20100801.PutMetricData", g_cw_body, cwput_reply);
    double secs = warm_then_measure();
    printf("mode=cwput conns=%d secs=%.2f requests=%llu points_per_request=%u points_per_s=%.0f p50_us=%.1f "
           "p99_us=%.1f errors=%llu\n",
           g_conns, secs, (unsigned long long)g_reqs, g_cw_points, (double)g_reqs * g_cw_points / secs,
           samples_pct(&g_lat, 50), samples_pct(&g_lat, 99), (unsigned long long)g_errors);
    print_errors();
    return 0;
}

static void cwget_reply(lg_conn_t *c, int status, const char *body, size_t len)
{
    (void)len;
    g_reqs++;
    samples_add(&g_lat, now_ns() - c->t_sent);
    if (status != 200 || !strstr(body, "\"Datapoints\":[{"))
        note_error(status, body);
    if (g_running)
        conn_request(c, "GraniteServiceVersion20100801.GetMetricStatistics", g_cw_body, cwget_reply);
}

/* --n: the day's end (epoch seconds) cw_setup.py printed */
static int mode_cwget(long end_s)
{
    snprintf(g_cw_body, sizeof g_cw_body,
             "{\"Namespace\":\"BenchDay\",\"MetricName\":\"PerSecond\",\"Dimensions\":[{\"Name\":\"Host\",\"Value\":"
             "\"h1\"}],\"StartTime\":%ld,\"EndTime\":%ld,\"Period\":60,\"Statistics\":[\"Average\",\"Maximum\","
             "\"SampleCount\"],\"ExtendedStatistics\":[\"p99\"]}",
             end_s - 86400, end_s);
    conns_open_all(1);
    conn_request(&g_c[0], "GraniteServiceVersion20100801.GetMetricStatistics", g_cw_body, cwget_reply);
    warm_then_measure();
    printf("mode=cwget requests=%llu p50_us=%.1f p99_us=%.1f errors=%llu\n", (unsigned long long)g_reqs,
           samples_pct(&g_lat, 50), samples_pct(&g_lat, 99), (unsigned long long)g_errors);
    print_errors();
    return 0;
}

/* ---- mode cycle: SendMessageBatch(10) -> ReceiveMessage(10) -> DeleteMessageBatch ---- */

static char *g_batch_body; /* owned here, built once by build_batch_body */
static char g_recv_body[512];

static void cycle_send(lg_conn_t *c);

static void cycle_deleted(lg_conn_t *c, int status, const char *body, size_t len)
{
    json_error_t je;
    json_t *j = json_loadb(body, len, 0, &je);
    if (status != 200 || !j) {
        note_error(status, body);
    } else {
        size_t ok = json_array_size(json_object_get(j, "Successful"));
        size_t bad = json_array_size(json_object_get(j, "Failed"));
        g_msgs_deleted += ok;
        if (bad)
            note_error(status, body);
    }
    json_decref(j);
    if (g_running)
        cycle_send(c);
}

static void cycle_received(lg_conn_t *c, int status, const char *body, size_t len)
{
    json_error_t je;
    json_t *j = json_loadb(body, len, 0, &je);
    if (status != 200 || !j) {
        note_error(status, body);
        json_decref(j);
        if (g_running)
            cycle_send(c);
        return;
    }
    json_t *msgs = json_object_get(j, "Messages");
    size_t n = json_array_size(msgs);
    g_msgs_recv += n;
    if (n == 0) {
        g_empty_recv++;
        json_decref(j);
        if (g_running)
            cycle_send(c);
        return;
    }
    json_t *req = json_object();
    json_t *entries = json_array();
    json_object_set_new(req, "QueueUrl", json_string(g_qurl));
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_object();
        char id[32];
        snprintf(id, sizeof(id), "d%zu", i);
        json_object_set_new(e, "Id", json_string(id));
        json_object_set(e, "ReceiptHandle", json_object_get(json_array_get(msgs, i), "ReceiptHandle"));
        json_array_append_new(entries, e);
    }
    json_object_set_new(req, "Entries", entries);
    char *s = json_dumps(req, JSON_COMPACT);
    conn_request(c, "DeleteMessageBatch", s, cycle_deleted);
    free(s);
    json_decref(req);
    json_decref(j);
}

static void cycle_sent(lg_conn_t *c, int status, const char *body, size_t len)
{
    (void)len;
    if (status != 200)
        note_error(status, body);
    else
        g_msgs_sent += 10;
    conn_request(c, "ReceiveMessage", g_recv_body, cycle_received);
}

static void cycle_send(lg_conn_t *c)
{
    conn_request(c, "SendMessageBatch", g_batch_body, cycle_sent);
}

/* Ten entries of --body-size bytes each, or of dflt. */
static void build_batch_body(const char *dflt)
{
    char *msg = message_body(dflt);
    size_t cap = strlen(g_qurl) + 10 * (strlen(msg) + 48) + 64;
    g_batch_body = xrealloc(NULL, cap);
    int off = snprintf(g_batch_body, cap, "{\"QueueUrl\":\"%s\",\"Entries\":[", g_qurl);
    for (int i = 0; i < 10; i++)
        off += snprintf(g_batch_body + off, cap - (size_t)off, "%s{\"Id\":\"m%d\",\"MessageBody\":\"%s\"}",
                        i ? "," : "", i, msg);
    snprintf(g_batch_body + off, cap - (size_t)off, "]}");
    free(msg);
}

static int mode_cycle(void)
{
    create_queue();
    build_batch_body("hello from loadgen");
    snprintf(g_recv_body, sizeof(g_recv_body), "{\"QueueUrl\":\"%s\",\"MaxNumberOfMessages\":10}", g_qurl);
    conns_open_all(g_conns);
    for (int i = 0; i < g_conns; i++)
        cycle_send(&g_c[i]);
    loop_run(&g_stop, now_ns() + 300000000ull, 100);
    g_msgs_sent = g_msgs_recv = g_msgs_deleted = g_empty_recv = 0;
    uint64_t t0 = now_ns();
    loop_run(&g_stop, t0 + (uint64_t)(g_duration * 1e9), 100);
    double secs = (double)(now_ns() - t0) / 1e9;
    printf("mode=cycle conns=%d secs=%.2f sent=%llu received=%llu deleted=%llu empty_receives=%llu msgs_per_s=%.0f "
           "send_per_s=%.0f errors=%llu\n",
           g_conns, secs, (unsigned long long)g_msgs_sent, (unsigned long long)g_msgs_recv,
           (unsigned long long)g_msgs_deleted, (unsigned long long)g_empty_recv, (double)g_msgs_deleted / secs,
           (double)g_msgs_sent / secs, (unsigned long long)g_errors);
    print_errors();
    return 0;
}

/* ---- mode fill: SendMessageBatch until N messages ---- */

static uint64_t g_fill_target, g_fill_issued;

static void fill_sent(lg_conn_t *c, int status, const char *body, size_t len)
{
    (void)len;
    if (status != 200)
        note_error(status, body);
    else
        g_msgs_sent += 10;
    if (g_running && g_fill_issued < g_fill_target) {
        g_fill_issued += 10;
        conn_request(c, "SendMessageBatch", g_batch_body, fill_sent);
    } else {
        c->state = 1;
        int idle = 1;
        for (int i = 0; i < g_conns; i++)
            idle &= g_c[i].state;
        if (idle)
            g_stop = 1;
    }
}

static int mode_fill(uint64_t n, double max_secs)
{
    create_queue();
    build_batch_body("backlog message padding to about one hundred bytes of body for a realistic row size....");
    g_fill_target = n;
    conns_open_all(g_conns);
    uint64_t t0 = now_ns();
    for (int i = 0; i < g_conns && g_fill_issued < n; i++) {
        g_fill_issued += 10;
        conn_request(&g_c[i], "SendMessageBatch", g_batch_body, fill_sent);
    }
    for (int i = 0; i < g_conns; i++)
        if (!g_c[i].busy)
            g_c[i].state = 1;
    uint64_t deadline = t0 + (uint64_t)(max_secs * 1e9);
    while (!g_stop) {
        loop_run(&g_stop, deadline, 100);
        if (now_ns() >= deadline && g_running) {
            g_running = 0; /* let outstanding replies finish */
            deadline = now_ns() + 5000000000ull;
        } else if (now_ns() >= deadline) {
            break;
        }
    }
    double secs = (double)(now_ns() - t0) / 1e9;
    printf("mode=fill target=%llu sent=%llu secs=%.2f msgs_per_s=%.0f errors=%llu\n", (unsigned long long)n,
           (unsigned long long)g_msgs_sent, secs, (double)g_msgs_sent / secs, (unsigned long long)g_errors);
    print_errors();
    return 0;
}

/* ---- mode wake: long-poll wake-up latency ---- */

static int g_wake_iters, g_wake_done, g_wake_phase;

static uint64_t g_wake_t0, g_wake_t_recv, g_wake_t_sent;
static lg_samples_t g_wake, g_wake_after; /* after: from the send's reply to the receive's */
static int g_wake_events;                 /* 1: the message arrives through PutEvents and a rule */
static char g_wake_rh[2048];
static int g_wake_got_msg, g_wake_send_done;

static void wake_deleted(lg_conn_t *c, int status, const char *body, size_t len)
{
    (void)c;
    (void)len;
    if (status != 200)
        note_error(status, body);
    g_wake_done++;
    g_stop = 1;
}

static void wake_maybe_delete(void)
{
    if (!g_wake_got_msg || !g_wake_send_done)
        return;
    samples_add(&g_wake_after, g_wake_t_recv > g_wake_t_sent ? g_wake_t_recv - g_wake_t_sent : 0);
    char body[2600];
    snprintf(body, sizeof(body), "{\"QueueUrl\":\"%s\",\"ReceiptHandle\":\"%s\"}", g_qurl, g_wake_rh);
    conn_request(&g_c[1], "DeleteMessage", body, wake_deleted);
}

static void wake_received(lg_conn_t *c, int status, const char *body, size_t len)
{
    (void)c;
    uint64_t t1 = now_ns();
    json_error_t je;
    json_t *j = json_loadb(body, len, 0, &je);
    json_t *m = json_array_get(json_object_get(j, "Messages"), 0);
    const char *rh = json_string_value(json_object_get(m, "ReceiptHandle"));
    if (status != 200 || !rh) {
        note_error(status, body);
        die("wake: receive returned no message (phase %d): %d %s", g_wake_phase, status, body);
    }
    if (g_wake_phase != 1)
        die("wake: receive returned before the send was issued: %s", body);
    samples_add(&g_wake, t1 - g_wake_t0);
    g_wake_t_recv = t1;
    snprintf(g_wake_rh, sizeof(g_wake_rh), "%s", rh);
    json_decref(j);
    g_wake_got_msg = 1;
    wake_maybe_delete();
}

static void wake_sent(lg_conn_t *c, int status, const char *body, size_t len)
{
    (void)c;
    (void)len;
    if (status != 200)
        die("wake: SendMessage: %d %s", status, body);
    g_wake_t_sent = now_ns();
    g_wake_send_done = 1;
    wake_maybe_delete();
}

static void wake_next(void)
{
    char body[512];
    snprintf(body, sizeof(body), "{\"QueueUrl\":\"%s\",\"WaitTimeSeconds\":20,\"MaxNumberOfMessages\":1}", g_qurl);
    g_wake_phase = 0;
    g_wake_got_msg = g_wake_send_done = 0;
    conn_request(&g_c[0], "ReceiveMessage", body, wake_received);
    /* give the server time to read the request and park the waiter */
    int never = 0;
    loop_run(&never, now_ns() + 3000000ull, 1);
    snprintf(body, sizeof(body), "{\"QueueUrl\":\"%s\",\"MessageBody\":\"wake\"}", g_qurl);
    g_wake_phase = 1;
    g_wake_t0 = now_ns();
    if (g_wake_events)
        conn_request(&g_c[1], "AWSEvents.PutEvents", g_put_body, wake_sent);
    else
        conn_request(&g_c[1], "SendMessage", body, wake_sent);
}

static int mode_wake(int iters)
{
    if (g_wake_events)
        events_setup();
    else
        create_queue();
    g_conns = 2;
    conns_open_all(2);
    int never = 0;
    loop_run(&never, now_ns() + 20000000ull, 1); /* connect both */
    g_wake_iters = iters;
    uint64_t deadline = now_ns() + 60000000000ull;
    for (int i = 0; i < iters && now_ns() < deadline; i++) {
        g_stop = 0;
        wake_next();
        loop_run(&g_stop, deadline, 100);
    }
    size_t n = g_wake.n;
    double p50 = samples_pct(&g_wake, 50), p90 = samples_pct(&g_wake, 90), p99 = samples_pct(&g_wake, 99);
    double after = samples_pct(&g_wake_after, 50);
    printf("mode=%s iters=%zu median_us=%.1f p90_us=%.1f p99_us=%.1f max_us=%.1f after_reply_median_us=%.1f "
           "errors=%llu\n",
           g_wake_events ? "evwake" : "wake", n, p50, p90, p99, n ? g_wake.v[n - 1] / 10.0 : -1, after,
           (unsigned long long)g_errors);
    print_errors();
    return 0;
}

/* ---- mode idle: many parked long polls ---- */

static int g_idle_early;

static void idle_reply(lg_conn_t *c, int status, const char *body, size_t len)
{
    (void)c;
    (void)len;
    if (!g_running)
        return;
    g_idle_early++;
    if (g_idle_early <= 3)
        fprintf(stderr, "loadgen: idle long poll answered early: %d %s\n", status, body);
}

static int mode_idle(int n, double hold)
{
    create_queue();
    char body[512];
    snprintf(body, sizeof(body), "{\"QueueUrl\":\"%s\",\"WaitTimeSeconds\":20}", g_qurl);
    g_c = calloc((size_t)n, sizeof(*g_c));
    uint64_t t0 = now_ns();
    int opened = 0, inflight_limit = 256;
    struct epoll_event evs[256];
    /* open in waves so the listen backlog never overflows, request as each connects */
    int sent = 0;
    while (sent < n) {
        while (opened < n && opened - sent < inflight_limit) {
            lg_conn_t *c = &g_c[opened];
            c->id = opened;
            if (conn_open(c) < 0)
                die("idle: connect #%d: %s (raise ulimit -n?)", opened, strerror(errno));
            opened++;
        }
        int k = epoll_wait(g_ep, evs, 256, 100);
        for (int i = 0; i < k; i++) {
            lg_conn_t *c = evs[i].data.ptr;
            int was = c->connected;
            conn_on_event(c, evs[i].events);
            if (!was && c->connected) {
                conn_request(c, "ReceiveMessage", body, idle_reply);
                sent++;
            }
        }
        if (now_ns() - t0 > 30000000000ull)
            die("idle: only %d of %d connections up after 30 s", sent, n);
    }
    /* make sure every request has left our buffers */
    for (;;) {
        int pending = 0;
        for (int i = 0; i < n; i++)
            pending += g_c[i].woff < g_c[i].wlen;
        if (!pending)
            break;
        int k = epoll_wait(g_ep, evs, 256, 10);
        for (int i = 0; i < k; i++)
            conn_on_event(evs[i].data.ptr, evs[i].events);
    }
    double setup = (double)(now_ns() - t0) / 1e9;
    printf("READY conns=%d setup_s=%.2f\n", n, setup);
    fflush(stdout);
    loop_run(&g_stop, now_ns() + (uint64_t)(hold * 1e9), 100);
    g_running = 0;
    printf("mode=idle conns=%d setup_s=%.2f early_replies=%d\n", n, setup, g_idle_early);
    return g_idle_early ? 1 : 0;
}

/* ---- mode fsync: what one durable write costs the disk ----
 * Appends --body-size bytes (default 512) to a file in --dir and fdatasync()s
 * it, --n times (default 2,000; stops after 30 s); the file is removed after.
 * An appending log pays the same: data plus the file's new size. */

static int mode_fsync(const char *dir, long n)
{
    if (!dir)
        die("fsync: --dir is required");
    long size = g_body_size > 0 ? g_body_size : 512;
    char path[4096];
    snprintf(path, sizeof path, "%s/fsync-probe", dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0)
        die("fsync: open %s: %s", path, strerror(errno));
    char *buf = xrealloc(NULL, (size_t)size);
    memset(buf, 'x', (size_t)size);
    uint64_t t0 = now_ns(), deadline = t0 + 30000000000ull;
    long done = 0;
    for (long i = -10; i < n && now_ns() < deadline; i++) { /* 10 unmeasured first rounds */
        uint64_t t = now_ns();
        if (write(fd, buf, (size_t)size) != (ssize_t)size)
            die("fsync: write %s: %s", path, strerror(errno));
        if (fdatasync(fd) < 0)
            die("fsync: fdatasync %s: %s", path, strerror(errno));
        if (i >= 0) {
            samples_add(&g_lat, now_ns() - t);
            done++;
        }
    }
    close(fd);
    unlink(path);
    free(buf);
    double sum = 0;
    for (size_t i = 0; i < g_lat.n; i++)
        sum += g_lat.v[i] / 10.0;
    double mean = done ? sum / (double)done : -1;
    double p50 = samples_pct(&g_lat, 50), p99 = samples_pct(&g_lat, 99);
    printf("mode=fsync n=%ld bytes=%ld median_us=%.1f p99_us=%.1f mean_us=%.1f sync_writes_per_s=%.0f\n", done, size,
           p50, p99, mean, p50 > 0 ? 1e6 / p50 : 0);
    return done ? 0 : 1;
}

/* ---- helpers: freeport, wait, ready ---- */

static int mode_freeport(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = server_addr();
    a.sin_port = 0;
    if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
        die("bind: %s", strerror(errno));
    socklen_t l = sizeof(a);
    getsockname(fd, (struct sockaddr *)&a, &l);
    printf("%d\n", ntohs(a.sin_port));
    close(fd);
    return 0;
}

/* Polls GET /_runnel/health until 200; returns ns waited or 0 on timeout. */
static uint64_t wait_health(double timeout_s, pid_t child)
{
    uint64_t t0 = now_ns(), deadline = t0 + (uint64_t)(timeout_s * 1e9);
    while (now_ns() < deadline) {
        if (http_once("GET", "/_runnel/health", NULL, NULL, NULL, 1000) == 200)
            return now_ns() - t0;
        if (child > 0 && waitpid(child, NULL, WNOHANG) == child)
            return 0;
        struct timespec ts = {0, 200000};
        nanosleep(&ts, NULL);
    }
    return 0;
}

static long vmrss_kb(pid_t pid)
{
    char path[64], line[256];
    snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    long kb = -1;
    if (!f)
        return -1;
    while (fgets(line, sizeof(line), f))
        if (strncmp(line, "VmRSS:", 6) == 0)
            kb = atol(line + 6);
    fclose(f);
    return kb;
}

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Spawns argv `runs` times, timing spawn -> health 200 (waiting at most
 * timeout_s), then SIGTERM + reap each. */
static int mode_ready(int runs, char **argv, double timeout_s)
{
    double ms[64], rss[64];
    if (runs > 64)
        runs = 64;
    for (int r = 0; r < runs; r++) {
        uint64_t t0 = now_ns();
        pid_t pid = fork();
        if (pid == 0) {
            int devnull = open("/dev/null", O_WRONLY);
            dup2(devnull, 1);
            dup2(devnull, 2);
            execv(argv[0], argv);
            _exit(127);
        }
        uint64_t waited = wait_health(timeout_s, pid);
        if (!waited) {
            kill(pid, SIGKILL);
            waitpid(pid, NULL, 0);
            die("ready: server did not answer health within %.0f s (run %d)", timeout_s, r);
        }
        ms[r] = (double)(now_ns() - t0) / 1e6;
        struct timespec ts = {0, 100000000}; /* settle 100 ms, then idle RSS */
        nanosleep(&ts, NULL);
        rss[r] = (double)vmrss_kb(pid) / 1024.0;
        kill(pid, SIGTERM);
        uint64_t dl = now_ns() + 10000000000ull;
        int st;
        while (waitpid(pid, &st, WNOHANG) == 0) {
            if (now_ns() > dl) {
                fprintf(stderr, "loadgen: server pid %d ignored SIGTERM for 10 s; SIGKILL\n", (int)pid);
                kill(pid, SIGKILL);
                waitpid(pid, &st, 0);
                break;
            }
            struct timespec t2 = {0, 1000000};
            nanosleep(&t2, NULL);
        }
        if (WIFEXITED(st) && WEXITSTATUS(st) != 0)
            fprintf(stderr, "loadgen: server exited %d after SIGTERM\n", WEXITSTATUS(st));
    }
    double sorted[64];
    memcpy(sorted, ms, sizeof(double) * (size_t)runs);
    qsort(sorted, (size_t)runs, sizeof(double), cmp_dbl);
    qsort(rss, (size_t)runs, sizeof(double), cmp_dbl);
    printf("mode=ready runs=%d median_ms=%.2f min_ms=%.2f max_ms=%.2f idle_rss_mb=%.2f\n", runs, sorted[runs / 2],
           sorted[0], sorted[runs - 1], rss[runs / 2]);
    return 0;
}

static void usage(void)
{
    fprintf(stderr,
            "usage: loadgen MODE [--port N] [--queue NAME] [--function NAME] [--conns N] [--duration S] [--n N] [--hold S] [--entries N] [--topic NAME] [--attr V] [--body-size BYTES] [--dir D] [-v]\n"
            "modes: send | cycle | invoke | ddb | ddbscan | ddbfill | wake | events | sns | cwput | cwget | evwake | idle | fill | fsync | freeport | wait | ready -- SERVER ARGS...\n");
    exit(2);
}

int main(int argc, char **argv)
{
    if (argc < 2)
        usage();
    const char *mode = argv[1];
    long n = -1;
    double hold = 8, max_secs = -1; /* --max-secs: fill's time bound (600 s), ready's wait for health (10 s) */
    int runs = 10;
    char **rest = NULL;
    const char *dir = NULL;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--") == 0) {
            rest = argv + i + 1;
            break;
        } else if (strcmp(a, "-v") == 0) {
            g_verbose = 1;
            continue;
        }
        if (!v)
            usage();
        if (strcmp(a, "--port") == 0)
            g_port = atoi(v);
        else if (strcmp(a, "--queue") == 0)
            g_queue = v;
        else if (strcmp(a, "--function") == 0)
            g_function = v;
        else if (strcmp(a, "--op") == 0)
            g_ddb_op = v;
        else if (strcmp(a, "--conns") == 0)
            g_conns = atoi(v);
        else if (strcmp(a, "--duration") == 0)
            g_duration = atof(v);
        else if (strcmp(a, "--n") == 0)
            n = atol(v);
        else if (strcmp(a, "--hold") == 0)
            hold = atof(v);
        else if (strcmp(a, "--max-secs") == 0)
            max_secs = atof(v);
        else if (strcmp(a, "--runs") == 0)
            runs = atoi(v);
        else if (strcmp(a, "--topic") == 0)
            g_topic = v;
        else if (strcmp(a, "--attr") == 0)
            g_attr = v;
        else if (strcmp(a, "--body-size") == 0)
            g_body_size = atol(v) > 1048576 ? 1048576 : atol(v); /* (SQS takes at most 1 MiB) */
        else if (strcmp(a, "--dir") == 0)
            dir = v;
        else if (strcmp(a, "--entries") == 0)
            g_entries = atoi(v) < 1 ? 1 : atoi(v) > 150 ? 150 : atoi(v); /* (PutEvents takes at most 10) */
        else
            usage();
        i++;
    }
    signal(SIGPIPE, SIG_IGN);
    g_ep = epoll_create1(EPOLL_CLOEXEC);
    if (strcmp(mode, "send") == 0)
        return mode_send();
    if (strcmp(mode, "invoke") == 0)
        return mode_invoke();
    if (strcmp(mode, "ddb") == 0) {
        if (n > 0)
            g_ddb_keys = n;
        return mode_ddb();
    }
    if (strcmp(mode, "ddbscan") == 0)
        return mode_ddbscan(runs);
    if (strcmp(mode, "ddbfill") == 0)
        return mode_ddbfill(n > 0 ? (uint64_t)n : 1000000, max_secs > 0 ? max_secs : 600);
    if (strcmp(mode, "cycle") == 0)
        return mode_cycle();
    if (strcmp(mode, "events") == 0)
        return mode_events();
    if (strcmp(mode, "sns") == 0)
        return mode_sns();
    if (strcmp(mode, "cwput") == 0)
        return mode_cwput();
    if (strcmp(mode, "cwget") == 0)
        return mode_cwget(n);
    if (strcmp(mode, "evwake") == 0) {
        g_wake_events = 1;
        mode = "wake";
    }
    if (strcmp(mode, "wake") == 0)
        return mode_wake(n > 0 ? (int)n : 200);
    if (strcmp(mode, "idle") == 0)
        return mode_idle(n > 0 ? (int)n : 10000, hold);
    if (strcmp(mode, "fill") == 0)
        return mode_fill(n > 0 ? (uint64_t)n : 1000000, max_secs > 0 ? max_secs : 600);
    if (strcmp(mode, "fsync") == 0)
        return mode_fsync(dir, n > 0 ? n : 2000);
    if (strcmp(mode, "freeport") == 0)
        return mode_freeport();
    if (strcmp(mode, "wait") == 0)
        return wait_health(n > 0 ? (double)n : 10, -1) ? 0 : 1;
    if (strcmp(mode, "ready") == 0) {
        if (!rest || !rest[0])
            usage();
        for (char **r = rest; *r && r[1]; r++) /* health is polled on the server's --port */
            if (strcmp(*r, "--port") == 0)
                g_port = atoi(r[1]);
        return mode_ready(runs, rest, max_secs > 0 ? max_secs : 10);
    }
    usage();
    return 2;
}
