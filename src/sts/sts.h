/* SPDX-License-Identifier: MIT
 * AWS STS: who is calling (GetCallerIdentity) and temporary credentials
 * (AssumeRole, GetSessionToken). Runnel has no IAM: any role may be assumed,
 * by anyone. Credentials it issues (ASIA... key, secret, session token,
 * expiry) are kept durably (store namespace "sts.") until they expire, and
 * the server accepts them, and verifies requests signed with them when an
 * access-key file is in use. An ASIA key acts in the account of the role it
 * was issued for. */
#ifndef RN_STS_H
#define RN_STS_H
#include "core/service.h"
#include "sts/sts_err.h"

typedef struct sts sts_t;

/* The API description (sts/api.c) the protocol codecs read. */
extern const rn_api_t sts_api;
/* The service table's entry (sts/service.c). */
extern const rn_service_t sts_service;

int sts_new(const rn_service_env_t *env, sts_t **out);
void sts_free(sts_t *s);
int sts_call(sts_t *s, rn_call_t *c);
int sts_load_kv(sts_t *s, const char *ns, const char *key, const char *value);
void sts_reset(sts_t *s);
/* Credentials issued and not yet expired. */
size_t sts_credential_count(const sts_t *s);
/* The issued credential with access key akid (borrowed until the next call
 * into the service), or -1 when there is none. */
int sts_credential(sts_t *s, const char *akid, rn_credential_t *out);
#endif
