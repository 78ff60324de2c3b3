/* SPDX-License-Identifier: MIT
 * Benchmark of the many-rules event-pattern matcher on one core: events/s
 * for ~1 KB events against 10, 1,000 and 10,000 rules mixing exact, prefix
 * and numeric conditions, then wildcard and anything-but tables. Events go
 * through ev_matcher_match_trusted, the entry point the bus uses for the
 * envelopes it builds; one line shows the validating entry point. Build by
 * hand: cc -O2 -Isrc bench/matcher.c build/librunnel.a $(pkg-config --libs
 * libuv jansson sqlite3 libcrypto) -lhttp_parser -lpthread -lm */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pattern/pattern.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sink(void *ud, uint64_t id)
{
    *(uint64_t *)ud += id + 1;
}

/* A ~1 KB event in the shape of an order event. */
static size_t make_event(char *buf, size_t cap, int i)
{
    return (size_t)snprintf(
        buf, cap,
        "{\"version\":\"0\",\"id\":\"6a7e8feb-b491-4cf7-a9f1-bf3703467718\",\"detail-type\":\"Order Type %d\","
        "\"source\":\"com.shop.app%d\",\"account\":\"111122223333\",\"time\":\"2017-12-22T18:43:48Z\","
        "\"region\":\"us-west-1\",\"resources\":[\"arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0\"],"
        "\"detail\":{\"orderId\":\"ord-%08d\",\"customer\":\"cust-%d-premium\",\"amount\":%d.5,\"currency\":\"USD\","
        "\"status\":\"CREATED\",\"channel\":\"web\",\"items\":[{\"sku\":\"SKU-1\",\"qty\":2,\"price\":19.99},"
        "{\"sku\":\"SKU-2\",\"qty\":1,\"price\":5.25}],\"shipping\":{\"method\":\"express\",\"address\":{\"street\":"
        "\"1 Main Street\",\"city\":\"Seattle\",\"zip\":\"98101\",\"country\":\"US\"}},\"path\":\"/home/user%d/docs/"
        "report.txt\",\"notes\":\"Leave the parcel at the front door if nobody answers the bell, thank you very "
        "much\",\"tags\":[\"new\",\"promo\",\"gift\"],\"ip\":\"10.0.%d.%d\",\"flags\":{\"fraudCheck\":true,"
        "\"giftWrap\":false,\"priority\":null}}}",
        i % 50, i % 1000, i, i % 1000, (i * 37) % 5000, i % 997, (i / 256) % 256, i % 256);
}

static ev_matcher_t *mixed_rules(int n)
{
    ev_matcher_t *m = ev_matcher_new();
    char p[512], msg[512];
    for (int i = 0; i < n; i++) {
        switch (i % 3) {
        case 0:
            snprintf(p, sizeof p, "{\"source\":[\"com.shop.app%d\"],\"detail-type\":[\"Order Type %d\"]}", i % 1000,
                     i % 50);
            break;
        case 1:
            snprintf(p, sizeof p, "{\"source\":[{\"prefix\":\"com.shop\"}],\"detail\":{\"customer\":[{\"prefix\":"
                                  "\"cust-%d-\"}]}}",
                     i);
            break;
        default:
            snprintf(p, sizeof p,
                     "{\"detail-type\":[{\"prefix\":\"Order\"}],\"detail\":{\"amount\":[{\"numeric\":[\">\",%d,"
                     "\"<=\",%d]}],\"status\":[\"CREATED\"]}}",
                     i, i + 10);
            break;
        }
        if (ev_matcher_add(m, (uint64_t)i, p, strlen(p), msg, sizeof msg) != 0) {
            fprintf(stderr, "add: %s\n", msg);
            exit(1);
        }
    }
    return m;
}

static ev_matcher_t *table(int n, int kind)
{
    ev_matcher_t *m = ev_matcher_new();
    char p[512], msg[512];
    for (int i = 0; i < n; i++) {
        if (kind == 0)
            snprintf(p, sizeof p, "{\"detail\":{\"path\":[{\"wildcard\":\"/home/user%d/*.txt\"}]}}", i);
        else
            snprintf(p, sizeof p, "{\"detail\":{\"status\":[{\"anything-but\":[\"S%d\",\"T%d\"]}]}}", i, i);
        if (ev_matcher_add(m, (uint64_t)i, p, strlen(p), msg, sizeof msg) != 0) {
            fprintf(stderr, "add: %s\n", msg);
            exit(1);
        }
    }
    return m;
}

static double run(const char *name, ev_matcher_t *m, double seconds, int trusted)
{
    enum { NEV = 4096 };
    static char ev[NEV][1400];
    static size_t len[NEV];
    size_t total = 0;
    for (int i = 0; i < NEV; i++) {
        len[i] = make_event(ev[i], sizeof ev[i], i * 7919);
        total += len[i];
    }
    uint64_t acc = 0;
    long matches = 0, n = 0;
    double t0 = now(), t;
    do {
        for (int i = 0; i < 1024; i++, n++) {
            int r = trusted ? ev_matcher_match_trusted(m, ev[n % NEV], len[n % NEV], sink, &acc)
                            : ev_matcher_match(m, ev[n % NEV], len[n % NEV], sink, &acc);
            if (r < 0) {
                fprintf(stderr, "match failed\n");
                exit(1);
            }
            matches += r;
        }
        t = now() - t0;
    } while (t < seconds);
    double rate = (double)n / t;
    printf("%-44s %10.0f events/s  (%.2f us/event, avg event %zu B, %.2f matches/event)\n", name, rate,
           1e6 / rate, total / NEV, (double)matches / (double)n);
    return rate;
}

int main(int argc, char **argv)
{
    double secs = argc > 1 ? atof(argv[1]) : 2.0;
    ev_matcher_t *m10 = mixed_rules(10), *m1k = mixed_rules(1000), *m10k = mixed_rules(10000);
    double r10 = run("10 rules (exact/prefix/numeric)", m10, secs, 1);
    double r1k = run("1,000 rules (exact/prefix/numeric)", m1k, secs, 1);
    double r10k = run("10,000 rules (exact/prefix/numeric)", m10k, secs, 1);
    run("1,000 rules, event validated while matched", m1k, secs, 0);
    printf("goal 1,000 rules >= 2,000,000 events/s: %s; 10 -> 10,000 rules costs %.2fx (goal < 2x)\n",
           r1k >= 2e6 ? "met" : "NOT met", r10 / r10k);
    ev_matcher_free(m10);
    ev_matcher_free(m1k);
    ev_matcher_free(m10k);
    ev_matcher_t *w = table(1000, 0), *a = table(1000, 1);
    run("1,000 wildcard rules on one field", w, secs, 1);
    run("1,000 anything-but rules on one field", a, secs, 1);
    ev_matcher_free(w);
    ev_matcher_free(a);
    return 0;
}
