/* SPDX-License-Identifier: MIT
 * DynamoDB numbers: parsing, canonical text, order, exact addition and the
 * order-preserving key encoding (number.h). */
#include "dynamodb/number.h"

#include <stdio.h>
#include <string.h>

#define EXP_MAX 126  /* 0.d x 10^126 is 1E+125 .. under 1E+126 */
#define EXP_MIN -129 /* 0.1 x 10^-129 is 1E-130 */

/* Sets *out from a digit string (no sign, no dot) whose first digit stands
 * for 10^(exp-1), trimming zeros at both ends and checking the limits. */
static int settle(int sign, const char *dig, int nd, int exp, ddb_num_t *out)
{
    while (nd > 0 && *dig == '0')
        dig++, nd--, exp--;
    while (nd > 0 && dig[nd - 1] == '0')
        nd--;
    memset(out, 0, sizeof *out);
    if (nd == 0)
        return DDB_NUM_OK; /* zero, of any sign or exponent */
    if (nd > DDB_NUM_DIGITS)
        return DDB_NUM_PRECISION;
    if (exp > EXP_MAX)
        return DDB_NUM_OVERFLOW;
    if (exp < EXP_MIN)
        return DDB_NUM_UNDERFLOW;
    out->sign = sign;
    out->exp = exp;
    out->n = nd;
    memcpy(out->d, dig, (size_t)nd);
    return DDB_NUM_OK;
}

int ddb_num_parse(const char *t, size_t len, ddb_num_t *out)
{
    size_t i = 0;
    int sign = 1;
    if (i < len && (t[i] == '-' || t[i] == '+'))
        sign = t[i++] == '-' ? -1 : 1;
    /* the digits, with leading zeros dropped as they come so a long run of
     * zeros cannot overflow the buffer */
    char dig[DDB_NUM_DIGITS + 2];
    int nd = 0, exp = 0, seen = 0, dot = 0, lost = 0;
    for (; i < len; i++) {
        char ch = t[i];
        if (ch == '.' && !dot) {
            dot = 1;
            continue;
        }
        if (ch < '0' || ch > '9')
            break;
        seen = 1;
        if (nd == 0 && ch == '0') { /* a leading zero */
            if (dot)
                exp--;
            continue;
        }
        if (nd < DDB_NUM_DIGITS + 1)
            dig[nd++] = ch;
        else if (ch != '0')
            lost = 1; /* a 40th significant digit or later */
        else
            lost = lost ? lost : 2; /* zeros past the 39th: significant only if more digits follow */
        if (!dot)
            exp++;
    }
    if (!seen)
        return DDB_NUM_SYNTAX;
    if (i < len && (t[i] == 'e' || t[i] == 'E')) {
        i++;
        int esign = 1;
        long e = 0;
        if (i < len && (t[i] == '-' || t[i] == '+'))
            esign = t[i++] == '-' ? -1 : 1;
        if (i == len)
            return DDB_NUM_SYNTAX;
        for (; i < len; i++) {
            if (t[i] < '0' || t[i] > '9')
                return DDB_NUM_SYNTAX;
            if (e < 100000)
                e = e * 10 + (t[i] - '0');
        }
        exp += (int)(esign * e);
    }
    if (i != len)
        return DDB_NUM_SYNTAX;
    if (lost == 1)
        return DDB_NUM_PRECISION;
    if (exp > 100000 || exp < -100000)
        return nd ? (exp > 0 ? DDB_NUM_OVERFLOW : DDB_NUM_UNDERFLOW) : settle(sign, dig, 0, 0, out);
    return settle(sign, dig, nd, exp, out);
}

void ddb_num_format(const ddb_num_t *n, char *buf, size_t len)
{
    if (n->sign == 0) {
        snprintf(buf, len, "0");
        return;
    }
    char tmp[320];
    size_t w = 0;
    if (n->sign < 0)
        tmp[w++] = '-';
    if (n->exp <= 0) {
        tmp[w++] = '0';
        tmp[w++] = '.';
        for (int z = 0; z < -n->exp; z++)
            tmp[w++] = '0';
        memcpy(tmp + w, n->d, (size_t)n->n);
        w += (size_t)n->n;
    } else if (n->exp < n->n) {
        memcpy(tmp + w, n->d, (size_t)n->exp);
        w += (size_t)n->exp;
        tmp[w++] = '.';
        memcpy(tmp + w, n->d + n->exp, (size_t)(n->n - n->exp));
        w += (size_t)(n->n - n->exp);
    } else {
        memcpy(tmp + w, n->d, (size_t)n->n);
        w += (size_t)n->n;
        for (int z = n->n; z < n->exp; z++)
            tmp[w++] = '0';
    }
    tmp[w] = '\0';
    snprintf(buf, len, "%s", tmp);
}

/* Compares magnitudes. */
static int mag_cmp(const ddb_num_t *a, const ddb_num_t *b)
{
    if (a->exp != b->exp)
        return a->exp < b->exp ? -1 : 1;
    int n = a->n < b->n ? a->n : b->n;
    int c = memcmp(a->d, b->d, (size_t)n);
    if (c)
        return c < 0 ? -1 : 1;
    return a->n == b->n ? 0 : a->n < b->n ? -1 : 1;
}

int ddb_num_cmp(const ddb_num_t *a, const ddb_num_t *b)
{
    if (a->sign != b->sign)
        return a->sign < b->sign ? -1 : 1;
    if (a->sign == 0)
        return 0;
    return a->sign * mag_cmp(a, b);
}

/* Digit i (0 = 10^(top-1)) of x placed on a grid whose top digit stands
 * for 10^(top-1). */
static int digit_at(const ddb_num_t *x, int top, int i)
{
    int k = i - (top - x->exp);
    return k >= 0 && k < x->n ? x->d[k] - '0' : 0;
}

int ddb_num_add(const ddb_num_t *a, const ddb_num_t *b0, int negate_b, ddb_num_t *out)
{
    ddb_num_t b = *b0;
    if (negate_b)
        b.sign = -b.sign;
    if (a->sign == 0)
        return *out = b, DDB_NUM_OK;
    if (b.sign == 0)
        return *out = *a, DDB_NUM_OK;
    /* a grid from one digit above the larger exponent down to the smaller
     * number's last digit: at most 1 + 255 + 38 digits */
    int top = (a->exp > b.exp ? a->exp : b.exp) + 1;
    int lo_a = a->exp - a->n, lo_b = b.exp - b.n;
    int bottom = lo_a < lo_b ? lo_a : lo_b;
    int w = top - bottom;
    char r[400];
    if (w > (int)sizeof r)
        return DDB_NUM_PRECISION;
    const ddb_num_t *big = a, *small = &b;
    int sign = a->sign;
    if (a->sign != b.sign && mag_cmp(a, &b) < 0) {
        big = &b;
        small = a;
        sign = b.sign;
    }
    int carry = 0, sub = a->sign != b.sign;
    for (int i = w - 1; i >= 0; i--) {
        int x = digit_at(big, top, i), y = digit_at(small, top, i);
        int v = sub ? x - y - carry : x + y + carry;
        carry = sub ? v < 0 : v >= 10;
        if (sub && v < 0)
            v += 10;
        else if (!sub && v >= 10)
            v -= 10;
        r[i] = (char)('0' + v);
    }
    return settle(sign, r, w, top, out);
}

size_t ddb_num_key(const ddb_num_t *n, char *buf)
{
    if (n->sign == 0) {
        buf[0] = '2';
        buf[1] = '\0';
        return 1;
    }
    int e = n->exp - EXP_MIN; /* 0 .. 255 */
    size_t w = 0;
    buf[w++] = n->sign > 0 ? '3' : '1';
    if (n->sign < 0)
        e = 999 - e;
    buf[w++] = (char)('0' + e / 100);
    buf[w++] = (char)('0' + e / 10 % 10);
    buf[w++] = (char)('0' + e % 10);
    for (int i = 0; i < n->n; i++)
        buf[w++] = n->sign > 0 ? n->d[i] : (char)('0' + '9' - n->d[i]);
    buf[w++] = n->sign > 0 ? '!' : '~'; /* sorts below (above) every digit */
    buf[w] = '\0';
    return w;
}
