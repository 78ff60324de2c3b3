/* SPDX-License-Identifier: MIT
 * xoshiro256** generator seeded from getrandom(). */
#include "ids.h"
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

static uint64_t s[4];
static int seeded;

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static void seed(void)
{
    if (getrandom(s, sizeof s, 0) != (ssize_t)sizeof s) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        s[0] = (uint64_t)ts.tv_nsec ^ 0x9E3779B97F4A7C15ull;
        s[1] = (uint64_t)ts.tv_sec * 0xBF58476D1CE4E5B9ull;
        s[2] = 0x94D049BB133111EBull;
        s[3] = (uint64_t)(uintptr_t)&ts;
    }
    seeded = 1;
}

uint64_t rn_rand64(void)
{
    if (!seeded)
        seed();
    uint64_t r = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return r;
}

void rn_rand_bytes(void *out, size_t n)
{
    unsigned char *p = out;
    while (n) {
        uint64_t r = rn_rand64();
        size_t k = n < 8 ? n : 8;
        memcpy(p, &r, k);
        p += k;
        n -= k;
    }
}

void rn_uuid_format(const unsigned char b[16], char out[37])
{
    static const char hex[] = "0123456789abcdef";
    int j = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[j++] = '-';
        out[j++] = hex[b[i] >> 4];
        out[j++] = hex[b[i] & 15];
    }
    out[j] = '\0';
}

void rn_uuid(char out[37])
{
    unsigned char b[16];
    rn_rand_bytes(b, sizeof b);
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    rn_uuid_format(b, out);
}
