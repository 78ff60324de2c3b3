/* SPDX-License-Identifier: MIT
 * Identifiers: random UUIDs for message and request ids, random tokens for
 * receipt handles. Randomness comes from a fast per-process generator seeded
 * from getrandom(); ids need to be unique, not secret. */
#ifndef RN_IDS_H
#define RN_IDS_H
#include <stddef.h>
#include <stdint.h>
/* Writes a lowercase RFC 4122 v4 UUID (36 chars + NUL) into out[37]. */
void rn_uuid(char out[37]);
/* A UUID's 16 bytes as its text (lowercase, with dashes). */
void rn_uuid_format(const unsigned char b[16], char out[37]);
/* Returns 64 random bits. */
uint64_t rn_rand64(void);
/* Writes n random bytes. */
void rn_rand_bytes(void *out, size_t n);
#endif
