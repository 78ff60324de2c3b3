/* SPDX-License-Identifier: MIT
 * The allocator jansson uses in the server. A request builds and frees a
 * JSON tree of dozens of nodes of a few sizes; glibc keeps only 7 freed
 * chunks per size in its per-thread cache and sends the rest through its
 * slower bins. This keeps freed small nodes on per-thread lists by size
 * class instead. Memory from jansson (json_dumps' text included) must be
 * freed with rn_json_free once installed. Only the loop thread uses
 * jansson; another thread's cache would not be drained when it exits. */
#ifndef RN_JSON_ALLOC_H
#define RN_JSON_ALLOC_H
#include <stddef.h>

/* Makes jansson allocate through this cache. Call once, before any JSON
 * value exists. A no-op under AddressSanitizer. */
void rn_json_alloc_install(void);
/* 1 once installed. */
int rn_json_alloc_active(void);
/* Frees what jansson allocated (json_dumps' text, ...): free() when the
 * cache is not installed. NULL is fine. */
void rn_json_free(void *p);
/* Returns the calling thread's cached nodes to malloc (at shutdown). */
void rn_json_alloc_drain(void);
#endif
