/* SPDX-License-Identifier: MIT
 * The one allocation wrapper. Every allocation in Runnel goes through these
 * functions so tests can inject failures; they return NULL on failure and never
 * abort, and callers turn NULL into RN_ERR_NOMEM (HTTP 500 InternalFailure). */
#ifndef RN_MEM_H
#define RN_MEM_H
#include <stddef.h>

/* Allocates n bytes. Caller owns the result; free with rn_free(). */
void *rn_malloc(size_t n);
/* Allocates n zeroed elements of size sz. Caller owns the result; free with rn_free(). */
void *rn_calloc(size_t n, size_t sz);
/* Resizes p. On failure p is untouched and NULL is returned. */
void *rn_realloc(void *p, size_t n);
/* Copies a NUL-terminated string. Caller owns the result; free with rn_free(). */
char *rn_strdup(const char *s);
/* Copies n bytes of s and terminates them. Caller owns the result; free with rn_free(). */
char *rn_strndup(const char *s, size_t n);
/* Frees memory from the functions above; NULL is fine. */
void rn_free(void *p);
/* Test hook: make the n-th allocation from now fail (0 disables). */
void rn_mem_fail_after(long n);
#endif
