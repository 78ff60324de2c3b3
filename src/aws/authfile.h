/* SPDX-License-Identifier: MIT
 * The access-key file: which SigV4 access keys this server accepts and the
 * secret for each. One `ACCESS_KEY SECRET`, `ACCESS_KEY:SECRET` or
 * `ACCESS_KEY=SECRET` per line; `#` comments and blank lines are ignored.
 * Loaded once at startup; lookups are read-only afterwards. */
#ifndef RN_AWS_AUTHFILE_H
#define RN_AWS_AUTHFILE_H
#include <stddef.h>

typedef struct aws_authfile aws_authfile_t;

/* Reads the key file at path. On success *out is set; caller owns the result;
 * free with aws_authfile_free(). Returns 0, RN_ERR_NOT_FOUND when the file does
 * not exist, RN_ERR_INTERNAL when it cannot be read, RN_ERR_INVALID_PARAMETER
 * for a malformed or duplicate line (msg names "path:line"), or RN_ERR_NOMEM.
 * msg may be NULL. */
int aws_authfile_load(const char *path, aws_authfile_t **out, char *msg, size_t msglen);

/* Looks up the secret for access_key; NULL when the key is unknown (the caller
 * answers InvalidClientTokenId, "The security token included in the request is
 * invalid."). Borrowed; valid until aws_authfile_free(a). */
const char *aws_authfile_secret(const aws_authfile_t *a, const char *access_key);

/* Number of keys loaded. */
size_t aws_authfile_count(const aws_authfile_t *a);

/* Frees the table and wipes the secrets; NULL is fine. */
void aws_authfile_free(aws_authfile_t *a);
#endif
