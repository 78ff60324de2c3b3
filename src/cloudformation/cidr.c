/* SPDX-License-Identifier: MIT
 * Fn::Cidr's arithmetic: `count` address blocks of 2^cidrBits addresses
 * each, one after another from the network address of the given IPv4 or
 * IPv6 block, written as AWS returns them ("10.0.0.0/24", "2001:db8::/64").
 * Addresses are held as 128-bit integers so one path serves both families. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cloudformation/tmpl_int.h"

typedef unsigned __int128 u128;

static u128 from_bytes(const unsigned char *b, int n)
{
    u128 v = 0;
    for (int i = 0; i < n; i++)
        v = (v << 8) | b[i];
    return v;
}

static void to_bytes(u128 v, unsigned char *b, int n)
{
    for (int i = n - 1; i >= 0; i--) {
        b[i] = (unsigned char)(v & 0xff);
        v >>= 8;
    }
}

json_t *cfn_cidr(const char *block, long long count, long long bits, char *msg, size_t msglen)
{
    char addr[INET6_ADDRSTRLEN + 8];
    const char *slash = strchr(block, '/');
    unsigned char raw[16];
    if (!slash || (size_t)(slash - block) >= sizeof addr)
        goto bad_block;
    memcpy(addr, block, (size_t)(slash - block));
    addr[slash - block] = 0;
    int v6 = strchr(addr, ':') != NULL, width = v6 ? 128 : 32, nbytes = v6 ? 16 : 4;
    if (inet_pton(v6 ? AF_INET6 : AF_INET, addr, raw) != 1)
        goto bad_block;
    char *end;
    long prefix = strtol(slash + 1, &end, 10);
    if (!slash[1] || *end || prefix < 0 || prefix > width)
        goto bad_block;
    if (count < 1 || count > 256) {
        snprintf(msg, msglen, "Template error: Fn::Cidr count must be between 1 and 256, got %lld", count);
        return NULL;
    }
    if (bits < 1 || bits > width - prefix) {
        snprintf(msg, msglen, "Template error: Fn::Cidr cidrBits %lld does not fit in %s", bits, block);
        return NULL;
    }
    /* room for count subnets: count <= 2^(width - prefix - bits) */
    long long spare = width - prefix - bits;
    if (spare < 9 && count > (1LL << spare)) {
        snprintf(msg, msglen, "Template error: Fn::Cidr cannot carve %lld blocks of %lld bits out of %s", count, bits,
                 block);
        return NULL;
    }
    u128 base = from_bytes(raw, nbytes);
    if (prefix < width) {
        u128 hostmask = (((u128)1 << (width - prefix - 1)) << 1) - 1;
        base &= ~hostmask;
    }
    json_t *out = json_array();
    for (long long i = 0; out && i < count; i++) {
        u128 a = i ? base + ((u128)i << bits) : base; /* i > 0 implies bits < width */
        unsigned char b[16];
        char text[INET6_ADDRSTRLEN], item[INET6_ADDRSTRLEN + 8];
        to_bytes(a, b, nbytes);
        inet_ntop(v6 ? AF_INET6 : AF_INET, b, text, sizeof text);
        snprintf(item, sizeof item, "%s/%lld", text, width - bits);
        if (json_array_append_new(out, json_string(item))) {
            json_decref(out);
            out = NULL;
        }
    }
    if (!out)
        snprintf(msg, msglen, "Template error: out of memory in Fn::Cidr");
    return out;
bad_block:
    snprintf(msg, msglen, "Template error: Fn::Cidr requires a valid CIDR block as its first element, got %s", block);
    return NULL;
}
