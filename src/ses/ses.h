/* SPDX-License-Identifier: MIT
 * Amazon SES: sending identities (verified at once), templates, and sending
 * mail, which Runnel never delivers but captures durably with its full MIME
 * for people and tests to read (GET /_runnel/ses). One service with two
 * faces, as on AWS: SES v1 (the query protocol) and SES v2 (REST-JSON under
 * /v2/email/), both signed as "ses" and sharing one state per account and
 * region. The v2 entry holds no state: it hands each call to the v1 entry's
 * instance of its partition (rn_sinks_call), which serves both. */
#ifndef RN_SES_H
#define RN_SES_H
#include "core/service.h"
#include "ses/ses_err.h"

/* The API descriptions the protocol codecs read (ses/api.c, ses/api_v2.c). */
extern const rn_api_t ses_api;
extern const rn_api_t sesv2_api;
/* The service table's entries (ses/service.c): "ses" must come before
 * "sesv2", so a query request signed for "ses" reaches the v1 entry. */
extern const rn_service_t ses_service;
extern const rn_service_t sesv2_service;
#endif
