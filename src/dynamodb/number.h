/* SPDX-License-Identifier: MIT
 * DynamoDB's Number: a decimal of up to 38 significant digits, magnitude
 * from 1E-130 to under 1E+126, or zero. Parsed from the wire's text, kept
 * normalised (0.d1d2...dn x 10^exp, d1 != 0, no trailing zero), written back
 * in AWS's canonical form (plain notation, no exponent, no needless zeros),
 * compared numerically, added exactly, and encoded so that byte order is
 * numeric order (for keys in the store). Pure values; no allocation. */
#ifndef RN_DDB_NUMBER_H
#define RN_DDB_NUMBER_H
#include <stddef.h>

#define DDB_NUM_DIGITS 38

typedef struct ddb_num {
    int sign;                      /* -1, 0 (zero), 1 */
    int exp;                       /* value = 0.digits x 10^exp */
    int n;                         /* digits used */
    char d[DDB_NUM_DIGITS + 1];    /* '0'..'9', d[0] != '0' unless zero */
} ddb_num_t;

enum {
    DDB_NUM_OK = 0,
    DDB_NUM_SYNTAX = -1,    /* not a number */
    DDB_NUM_PRECISION = -2, /* more than 38 significant digits */
    DDB_NUM_OVERFLOW = -3,  /* magnitude 1E+126 or more */
    DDB_NUM_UNDERFLOW = -4, /* magnitude under 1E-130 */
};

/* Parses text (len bytes) into *out: DDB_NUM_OK or one of the errors. */
int ddb_num_parse(const char *text, size_t len, ddb_num_t *out);
/* The canonical text ("-0.5", "100", "0"); buf holds at least 200 bytes. */
void ddb_num_format(const ddb_num_t *n, char *buf, size_t len);
/* <0, 0, >0 as a is below, equal to or above b. */
int ddb_num_cmp(const ddb_num_t *a, const ddb_num_t *b);
/* *out = a + b (or a - b when negate_b): DDB_NUM_OK or an error (the result
 * needs more than 38 digits, or is out of range). */
int ddb_num_add(const ddb_num_t *a, const ddb_num_t *b, int negate_b, ddb_num_t *out);
/* An order-preserving encoding of n with no NUL byte, for store keys:
 * writes at most 48 bytes and a terminating NUL; returns the length. */
size_t ddb_num_key(const ddb_num_t *n, char *buf);
#endif
