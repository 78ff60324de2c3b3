/* SPDX-License-Identifier: MIT
 * The log's records (logfmt.h): CRC32C, encoding into a growing buffer and
 * decoding. Owns nothing beyond the buffers its callers pass. */
#include "store/log_int.h"

#include <stdlib.h>

#include "core/mem.h"

/* ---- CRC32C: the SSE4.2 instruction when the CPU has it, else a table ---- */

static uint32_t table[8][256];
static int have_hw = -1;

static void table_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = c & 1 ? (c >> 1) ^ 0x82F63B78u : c >> 1;
        table[0][i] = c;
    }
    for (int t = 1; t < 8; t++)
        for (int i = 0; i < 256; i++)
            table[t][i] = (table[t - 1][i] >> 8) ^ table[0][table[t - 1][i] & 0xff];
}

static uint32_t crc_sw(uint32_t c, const unsigned char *p, size_t n)
{
    while (n >= 8) {
        uint64_t w = rn_le64(p) ^ c;
        c = table[7][w & 0xff] ^ table[6][(w >> 8) & 0xff] ^ table[5][(w >> 16) & 0xff] ^
            table[4][(w >> 24) & 0xff] ^ table[3][(w >> 32) & 0xff] ^ table[2][(w >> 40) & 0xff] ^
            table[1][(w >> 48) & 0xff] ^ table[0][w >> 56];
        p += 8;
        n -= 8;
    }
    while (n--)
        c = table[0][(c ^ *p++) & 0xff] ^ (c >> 8);
    return c;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) static uint32_t crc_hw(uint32_t c, const unsigned char *p, size_t n)
{
    uint64_t c64 = c;
    while (n >= 8) {
        c64 = __builtin_ia32_crc32di(c64, rn_le64(p));
        p += 8;
        n -= 8;
    }
    c = (uint32_t)c64;
    while (n--)
        c = __builtin_ia32_crc32qi(c, *p++);
    return c;
}
#endif

uint32_t rn_crc32c(uint32_t crc, const void *buf, size_t n)
{
    if (have_hw < 0) { /* racing threads compute the same answer */
        table_init();
#if defined(__x86_64__)
        __builtin_cpu_init();
        have_hw = __builtin_cpu_supports("sse4.2");
#else
        have_hw = 0;
#endif
    }
    uint32_t c = ~crc;
#if defined(__x86_64__)
    if (have_hw)
        return ~crc_hw(c, buf, n);
#endif
    return ~crc_sw(c, buf, n);
}

uint32_t rn_frame_crc(const unsigned char *hdr, const unsigned char *payload, size_t len)
{
    return rn_crc32c(rn_crc32c(0, hdr + 12, RN_FRAME_HDR - 12), payload, len);
}

void rn_frame_seal(unsigned char *hdr, uint32_t plen, uint32_t count, uint64_t first_lsn)
{
    rn_put32(hdr, RN_FRAME_MAGIC);
    rn_put32(hdr + 4, plen);
    rn_put32(hdr + 12, count);
    rn_put64(hdr + 16, first_lsn);
    rn_put32(hdr + 8, rn_frame_crc(hdr, hdr + RN_FRAME_HDR, plen));
}

/* ---- encoding ---- */

int rn_logbuf_reserve(rn_logbuf_t *b, size_t more)
{
    if (b->len + more <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + more)
        cap *= 2;
    unsigned char *p = rn_realloc(b->p, cap);
    if (!p)
        return -1;
    b->p = p;
    b->cap = cap;
    return 0;
}

void rn_logbuf_free(rn_logbuf_t *b)
{
    rn_free(b->p);
    *b = (rn_logbuf_t){0};
}

static unsigned char *rec_begin(rn_logbuf_t *b, int type, unsigned flags, uint64_t lsn, size_t len)
{
    if (len > UINT32_MAX || rn_logbuf_reserve(b, len) < 0)
        return NULL;
    unsigned char *p = b->p + b->len;
    rn_put32(p, (uint32_t)len);
    p[4] = (unsigned char)type;
    p[5] = (unsigned char)flags;
    p[6] = p[7] = 0;
    rn_put64(p + 8, lsn);
    b->len += len;
    return p + RN_REC_HDR;
}

static unsigned char *put_str(unsigned char *p, const char *s, size_t n)
{
    if (n)
        memcpy(p, s, n);
    return p + n;
}

long rn_rec_queue_put(rn_logbuf_t *b, uint64_t lsn, int64_t qid, const char *name, const char *state)
{
    size_t nl = strlen(name), sl = strlen(state), off = b->len;
    unsigned char *p = rec_begin(b, RN_REC_QUEUE_PUT, 0, lsn, RN_REC_HDR + 16 + nl + sl);
    if (!p)
        return -1;
    rn_put64(p, (uint64_t)qid);
    rn_put32(p + 8, (uint32_t)nl);
    rn_put32(p + 12, (uint32_t)sl);
    put_str(put_str(p + 16, name, nl), state, sl);
    return (long)off;
}

/* QUEUE_DEL, MSG_PURGE (one qid) and MSG_DEL (qid, seq). */
long rn_rec_ids(rn_logbuf_t *b, int type, uint64_t lsn, int64_t qid, int64_t seq)
{
    size_t off = b->len;
    int two = type == RN_REC_MSG_DEL;
    unsigned char *p = rec_begin(b, type, 0, lsn, RN_REC_HDR + (two ? 16 : 8));
    if (!p)
        return -1;
    rn_put64(p, (uint64_t)qid);
    if (two)
        rn_put64(p + 8, (uint64_t)seq);
    return (long)off;
}

long rn_rec_reset(rn_logbuf_t *b, uint64_t lsn)
{
    size_t off = b->len;
    return rec_begin(b, RN_REC_RESET, 0, lsn, RN_REC_HDR) ? (long)off : -1;
}

long rn_rec_msg_put(rn_logbuf_t *b, uint64_t lsn, const rn_store_msg_rec_t *m)
{
    size_t il = strlen(m->id), ml = m->meta_json ? strlen(m->meta_json) : 0, off = b->len;
    size_t cl = m->cold ? m->cold_len : 0;
    if (il > UINT32_MAX || ml > UINT32_MAX || m->body_len > UINT32_MAX || cl > UINT32_MAX)
        return -1;
    unsigned char *p = rec_begin(b, RN_REC_MSG_PUT, m->cold ? RN_RECF_COLD : 0, lsn,
                                 RN_REC_HDR + RN_MSG_PUT_FIXED + il + ml + m->body_len + cl);
    if (!p)
        return -1;
    rn_put64(p, (uint64_t)m->qid);
    rn_put64(p + 8, (uint64_t)m->seq);
    rn_put64(p + 16, (uint64_t)m->sent_ms);
    rn_put64(p + 24, (uint64_t)m->visible_ms);
    rn_put64(p + 32, (uint64_t)m->first_receive_ms);
    rn_put32(p + 40, (uint32_t)m->receive_count);
    rn_put32(p + 44, (uint32_t)il);
    rn_put32(p + 48, (uint32_t)ml);
    rn_put32(p + 52, (uint32_t)m->body_len);
    rn_put32(p + 56, (uint32_t)cl);
    rn_put32(p + 60, 0);
    p = put_str(p + RN_MSG_PUT_FIXED, m->id, il);
    p = put_str(p, m->meta_json, ml);
    p = put_str(p, m->body, m->body_len);
    put_str(p, m->cold, cl);
    return (long)off;
}

long rn_rec_msg_state(rn_logbuf_t *b, uint64_t lsn, int64_t qid, int64_t seq, int64_t visible_ms, int receive_count,
                      int64_t first_receive_ms)
{
    size_t off = b->len;
    unsigned char *p = rec_begin(b, RN_REC_MSG_STATE, 0, lsn, RN_REC_HDR + RN_MSG_STATE_FIXED);
    if (!p)
        return -1;
    rn_put64(p, (uint64_t)qid);
    rn_put64(p + 8, (uint64_t)seq);
    rn_put64(p + 16, (uint64_t)visible_ms);
    rn_put64(p + 24, (uint64_t)first_receive_ms);
    rn_put32(p + 32, (uint32_t)receive_count);
    rn_put32(p + 36, 0);
    return (long)off;
}

/* KV_PUT (a, b, c = ns, key, value), KV_DEL (ns, key; c NULL) and KV_RANGE
 * (ns, from, to). */
long rn_rec_kv(rn_logbuf_t *b, int type, uint64_t lsn, const char *a, const char *bk, const char *c)
{
    size_t al = strlen(a), bl = strlen(bk), cl = c ? strlen(c) : 0, off = b->len;
    int three = type != RN_REC_KV_DEL;
    unsigned char *p = rec_begin(b, type, 0, lsn, RN_REC_HDR + (three ? 12 : 8) + al + bl + cl);
    if (!p)
        return -1;
    rn_put32(p, (uint32_t)al);
    rn_put32(p + 4, (uint32_t)bl);
    if (three)
        rn_put32(p + 8, (uint32_t)cl);
    p = put_str(p + (three ? 12 : 8), a, al);
    p = put_str(p, bk, bl);
    put_str(p, c, cl);
    return (long)off;
}

/* ---- decoding ---- */

/* Reads `n` strings whose u32 lengths sit at lens[]: they follow at *pos,
 * within end. */
static int take(const unsigned char **pos, const unsigned char *end, uint32_t n, const char **out)
{
    if ((size_t)(end - *pos) < n)
        return -1;
    *out = (const char *)*pos;
    *pos += n;
    return 0;
}

void rn_msg_put_fixed(const unsigned char *q, rn_log_rec_t *r)
{
    r->qid = (int64_t)rn_le64(q);
    r->seq = (int64_t)rn_le64(q + 8);
    r->sent_ms = (int64_t)rn_le64(q + 16);
    r->visible_ms = (int64_t)rn_le64(q + 24);
    r->first_receive_ms = (int64_t)rn_le64(q + 32);
    r->receive_count = (int)rn_le32(q + 40);
    r->id_len = rn_le32(q + 44);
    r->meta_len = rn_le32(q + 48);
    r->body_len = rn_le32(q + 52);
    r->cold_len = rn_le32(q + 56);
}

int rn_log_rec_decode(const unsigned char *p, size_t avail, rn_log_rec_t *r)
{
    memset(r, 0, sizeof *r);
    if (avail < RN_REC_HDR)
        return -1;
    r->len = rn_le32(p);
    if (r->len < RN_REC_HDR || r->len > avail)
        return -1;
    r->type = p[4];
    r->flags = p[5];
    r->lsn = rn_le64(p + 8);
    const unsigned char *q = p + RN_REC_HDR, *end = p + r->len;
    size_t n = r->len - RN_REC_HDR;
    switch (r->type) {
    case RN_REC_QUEUE_PUT:
        if (n < 16)
            return -1;
        r->qid = (int64_t)rn_le64(q);
        r->name_len = rn_le32(q + 8);
        r->state_len = rn_le32(q + 12);
        q += 16;
        if (take(&q, end, r->name_len, &r->name) || take(&q, end, r->state_len, &r->state))
            return -1;
        break;
    case RN_REC_QUEUE_DEL:
    case RN_REC_MSG_PURGE:
        if (n < 8)
            return -1;
        r->qid = (int64_t)rn_le64(q);
        q += 8;
        break;
    case RN_REC_MSG_DEL:
        if (n < 16)
            return -1;
        r->qid = (int64_t)rn_le64(q);
        r->seq = (int64_t)rn_le64(q + 8);
        q += 16;
        break;
    case RN_REC_MSG_PUT:
        if (n < RN_MSG_PUT_FIXED)
            return -1;
        rn_msg_put_fixed(q, r);
        q += RN_MSG_PUT_FIXED;
        if (take(&q, end, r->id_len, &r->id) || take(&q, end, r->meta_len, &r->meta) ||
            take(&q, end, r->body_len, &r->body) || take(&q, end, r->cold_len, &r->cold))
            return -1;
        if (!(r->flags & RN_RECF_COLD)) {
            if (r->cold_len)
                return -1;
            r->cold = NULL;
        }
        break;
    case RN_REC_MSG_STATE:
        if (n < RN_MSG_STATE_FIXED)
            return -1;
        r->qid = (int64_t)rn_le64(q);
        r->seq = (int64_t)rn_le64(q + 8);
        r->visible_ms = (int64_t)rn_le64(q + 16);
        r->first_receive_ms = (int64_t)rn_le64(q + 24);
        r->receive_count = (int)rn_le32(q + 32);
        q += RN_MSG_STATE_FIXED;
        break;
    case RN_REC_KV_PUT:
    case RN_REC_KV_RANGE:
        if (n < 12)
            return -1;
        r->ns_len = rn_le32(q);
        {
            uint32_t bl = rn_le32(q + 4), cl = rn_le32(q + 8);
            q += 12;
            if (take(&q, end, r->ns_len, &r->ns))
                return -1;
            if (r->type == RN_REC_KV_PUT) {
                r->key_len = bl;
                r->value_len = cl;
                if (take(&q, end, bl, &r->key) || take(&q, end, cl, &r->value))
                    return -1;
            } else {
                r->from_len = bl;
                r->to_len = cl;
                if (take(&q, end, bl, &r->from) || take(&q, end, cl, &r->to))
                    return -1;
            }
        }
        break;
    case RN_REC_KV_DEL:
        if (n < 8)
            return -1;
        r->ns_len = rn_le32(q);
        r->key_len = rn_le32(q + 4);
        q += 8;
        if (take(&q, end, r->ns_len, &r->ns) || take(&q, end, r->key_len, &r->key))
            return -1;
        break;
    case RN_REC_RESET:
        break;
    default:
        return -1;
    }
    return q == end ? 0 : -1;
}
