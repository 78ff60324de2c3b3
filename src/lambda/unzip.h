/* SPDX-License-Identifier: MIT
 * Unpacking a deployment package (lambda/unzip.c). */
#ifndef RN_LAMBDA_UNZIP_H
#define RN_LAMBDA_UNZIP_H
#include <stddef.h>
#include <stdint.h>

enum {
    LAMBDA_UNZIP_BAD = -1,     /* not a zip, corrupt, or an entry it refuses */
    LAMBDA_UNZIP_TOO_BIG = -2, /* more than max_unzipped bytes, declared or inflated */
    LAMBDA_UNZIP_IO = -3,      /* the directory cannot be written */
};

/* Unpacks the zip (borrowed, len bytes) into dir, which exists and is
 * empty. Returns 0 with *unzipped the bytes written, or LAMBDA_UNZIP_* with
 * the reason in msg; on failure dir may hold part of the package. */
int lambda_unzip(const void *data, size_t len, const char *dir, uint64_t max_unzipped, uint64_t *unzipped,
                 char *msg, size_t msglen);

/* The name checks, exposed for tests: a relative entry name without "." or
 * ".." components; a link target that stays inside the package. */
int lambda_unzip_name_ok(const char *name);
int lambda_unzip_link_ok(const char *name, const char *target);
#endif
