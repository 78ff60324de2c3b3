/* SPDX-License-Identifier: MIT
 * Amazon SES's own errors (codes -9000...): SES v1's query-protocol codes,
 * and SES v2's REST-JSON exception shapes (sent as x-amzn-ErrorType). */
#ifndef RN_SES_ERR_H
#define RN_SES_ERR_H
#include "core/err.h"

/*     name                  query/SDK code           JSON shape                       status sender */
#define SES_ERR_TABLE(X) \
    X(MESSAGE_REJECTED,      "MessageRejected",       "MessageRejected",               400, 1) \
    X(TEMPLATE_MISSING,      "TemplateDoesNotExist",  "TemplateDoesNotExistException", 400, 1) \
    X(ALREADY_EXISTS,        "AlreadyExists",         "AlreadyExistsException",        400, 1) \
    X(INVALID_TEMPLATE,      "InvalidTemplate",       "InvalidTemplateException",      400, 1) \
    X(VALIDATION,            "ValidationError",       "ValidationError",               400, 1) \
    X(V2_BAD_REQUEST,        "BadRequestException",   "BadRequestException",           400, 1) \
    X(V2_NOT_FOUND,          "NotFoundException",     "NotFoundException",             404, 1) \
    X(V2_ALREADY_EXISTS,     "AlreadyExistsException", "AlreadyExistsException",       400, 1)

enum {
#define SES_ERR_ENUM(name, code, shape, status, sender) SES_ERR_##name,
    SES_ERR_FIRST_ = -9000,
    SES_ERR_TABLE(SES_ERR_ENUM)
    SES_ERR_LAST_
#undef SES_ERR_ENUM
};

/* The rows, for rn_err_register() and the service table. */
extern const rn_err_table_t ses_errors;
#endif
