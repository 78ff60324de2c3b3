/* SPDX-License-Identifier: MIT
 * Request bodies sent with Content-Encoding: gzip (AWS's request
 * compression: boto3 1.31+ and the JS SDK v3 gzip CloudWatch's
 * PutMetricData bodies of 10 KB and more). Inflated through zlib, with a
 * limit on the inflated size. */
#ifndef RN_AWS_GZIP_H
#define RN_AWS_GZIP_H
#include <stddef.h>

/* Inflates in[0..n) (a gzip stream). 0 with *out (NUL-terminated; caller
 * frees with rn_free) and *outlen; RN_ERR_SERIALIZATION when it is not gzip
 * or inflates past max bytes; RN_ERR_NOMEM. */
int aws_gunzip(const char *in, size_t n, size_t max, char **out, size_t *outlen);
#endif
