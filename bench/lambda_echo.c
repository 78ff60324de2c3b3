// SPDX-License-Identifier: MIT
/* A `provided` runtime for `make bench`: the smallest Lambda Runtime API
 * client, echoing each event back. One keep-alive connection to
 * AWS_LAMBDA_RUNTIME_API, blocking I/O, no library but libc, so a benchmark
 * of warm invokes and cold starts measures Runnel rather than a runtime. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

static int fd = -1;
static char host[64];
static int port;
static char buf[1 << 20];
static size_t have;

static void connect_api(void)
{
    fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, host, &a.sin_addr);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0)
        exit(1);
}

static void send_all(const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w <= 0)
            exit(0); /* the endpoint is gone: the instance is being stopped */
        p += w;
        n -= (size_t)w;
    }
}

/* Reads one response; returns its body (in buf) and length, and the request
 * id header when asked. */
static char *read_response(size_t *blen, char *rid, size_t ridlen, int *status)
{
    for (;;) {
        char *end = have ? memmem(buf, have, "\r\n\r\n", 4) : NULL;
        if (end) {
            size_t head = (size_t)(end - buf) + 4;
            size_t clen = 0;
            *status = atoi(buf + 9);
            for (char *l = strstr(buf, "\r\n"); l && l < end; l = strstr(l + 2, "\r\n")) {
                if (!strncasecmp(l + 2, "Content-Length:", 15))
                    clen = strtoul(l + 17, NULL, 10); /* strtoul skips the space */
                else if (rid && !strncasecmp(l + 2, "Lambda-Runtime-Aws-Request-Id:", 30)) {
                    const char *v = l + 32;
                    v += strspn(v, " ");
                    size_t n = strcspn(v, "\r");
                    snprintf(rid, ridlen, "%.*s", (int)n, v);
                }
            }
            if (have >= head + clen) {
                static char body[(1 << 20) + 1];
                memcpy(body, buf + head, clen);
                memmove(buf, buf + head + clen, have - head - clen);
                have -= head + clen;
                *blen = clen;
                return body;
            }
        }
        if (have == sizeof buf)
            exit(1);
        ssize_t r = read(fd, buf + have, sizeof buf - have);
        if (r <= 0)
            exit(0);
        have += (size_t)r;
    }
}

int main(void)
{
    const char *api = getenv("AWS_LAMBDA_RUNTIME_API");
    if (!api || sscanf(api, "%63[^:]:%d", host, &port) != 2)
        return 1;
    connect_api();
    char req[512], rid[128];
    for (;;) {
        int n = snprintf(req, sizeof req, "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: %s\r\n\r\n", api);
        send_all(req, (size_t)n);
        size_t len;
        int status;
        char *event = read_response(&len, rid, sizeof rid, &status);
        if (status != 200)
            return 0;
        event[len] = 0;
        const char *hold = strstr(event, "\"hold_ms\":"); /* the fan-out benchmark holds each instance */
        if (hold)
            usleep((useconds_t)atoi(hold + 10) * 1000);
        n = snprintf(req, sizeof req,
                     "POST /2018-06-01/runtime/invocation/%s/response HTTP/1.1\r\nHost: %s\r\n"
                     "Content-Length: %zu\r\n\r\n",
                     rid, api, len);
        send_all(req, (size_t)n);
        send_all(event, len);
        read_response(&len, NULL, 0, &status);
    }
}
