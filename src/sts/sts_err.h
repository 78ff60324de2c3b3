/* SPDX-License-Identifier: MIT
 * AWS STS's own errors (codes -5000...). */
#ifndef RN_STS_ERR_H
#define RN_STS_ERR_H
#include "core/err.h"

/*     name                     query/SDK code                JSON shape                          status sender */
#define STS_ERR_TABLE(X) \
    X(VALIDATION,               "ValidationError",            "ValidationError",                  400, 1) \
    X(MALFORMED_POLICY,         "MalformedPolicyDocument",    "MalformedPolicyDocumentException", 400, 1)

enum {
#define STS_ERR_ENUM(name, code, shape, status, sender) STS_ERR_##name,
    STS_ERR_FIRST_ = -5000,
    STS_ERR_TABLE(STS_ERR_ENUM)
    STS_ERR_LAST_
#undef STS_ERR_ENUM
};

/* The rows, for rn_err_register() and the service table. */
extern const rn_err_table_t sts_errors;
#endif
