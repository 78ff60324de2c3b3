/* SPDX-License-Identifier: MIT
 * AWS Signature Version 4 for the server side: the HTTP layer fills an
 * aws_sigv4_req_t view of the request, aws_sigv4_parse() pulls the credential
 * out of the Authorization header or a presigned query string, and
 * aws_sigv4_verify() rebuilds the canonical request the way the AWS SDKs do for
 * non-S3 services and compares signatures. Errors carry AWS's own wording so
 * clients and their retry logic (clock-skew correction) see what AWS sends. */
#ifndef RN_AWS_SIGV4_H
#define RN_AWS_SIGV4_H
#include <stddef.h>
#include <stdint.h>

/* One request header, names as received (any case). Borrowed from the HTTP layer. */
typedef struct aws_hdr {
    const char *name;
    size_t name_len;
    const char *value;
    size_t value_len;
} aws_hdr_t;

/* A read-only view of one request; every pointer is borrowed and must stay
 * valid for the duration of the aws_sigv4_* call that receives it. */
typedef struct aws_sigv4_req {
    const char *method;                  /* "POST", NUL-terminated */
    const char *path; size_t path_len;   /* raw path as on the wire, no query */
    const char *query; size_t query_len; /* raw query string without '?', may be empty */
    const aws_hdr_t *headers; size_t nheaders;
    const char *body; size_t body_len;
} aws_sigv4_req_t;

/* What aws_sigv4_parse() found; all strings NUL-terminated. */
typedef struct aws_sigv4_cred {
    char access_key[129];
    char date[9];           /* credential scope date, YYYYMMDD */
    char region[65];
    char service[65];
    char amz_date[17];      /* YYYYMMDDTHHMMSSZ from X-Amz-Date header or query, or parsed from Date header */
    char signed_headers[1024];
    char signature[65];
    int presigned;          /* credentials came from the query string (X-Amz-Algorithm=AWS4-HMAC-SHA256 ...) */
    long expires;           /* X-Amz-Expires for presigned, else 0 */
    int present;            /* 0 when the request carries no SigV4 at all */
} aws_sigv4_cred_t;

/* How far the request time may be from the server clock, as AWS allows. */
#define AWS_SIGV4_MAX_SKEW_SEC (15 * 60)
/* Longest X-Amz-Expires a presigned URL may ask for (seven days). */
#define AWS_SIGV4_MAX_EXPIRES_SEC 604800L

/* Parses the SigV4 credential of a request into *out (zeroed first).
 * Returns 0 with out->present = 0 when the request carries no SigV4 at all (the
 * caller answers MissingAuthenticationToken), 0 with every field filled when it
 * is well formed, or an error with AWS's message in msg:
 *   RN_ERR_INCOMPLETE_SIGNATURE  missing/garbled components, unsupported
 *                                algorithm, credential without 5 parts, bad date;
 *   RN_ERR_SIGNATURE_MISMATCH    terminator is not aws4_request, or the scope date
 *                                is not the request's date (AWS reports these as
 *                                SignatureDoesNotMatch);
 *   RN_ERR_INVALID_CLIENT_TOKEN  access key longer than any key can be;
 *   RN_ERR_MALFORMED_QUERY       a bad %-escape in a presigned query string.
 * The Authorization header wins over presigned query parameters.
 * req is borrowed for the call; msg may be NULL. */
int aws_sigv4_parse(const aws_sigv4_req_t *req, aws_sigv4_cred_t *out, char *msg, size_t msglen);

/* Checks the credential scope: its region must be a region name (the
 * request's region is the one it was signed for) and its service the
 * signing name of the service addressed (NULL skips that). Returns 0, or
 * RN_ERR_SIGNATURE_MISMATCH with AWS's message, each sentence ending in ". "
 * as AWS sends it: "Credential should be scoped to a valid region, not
 * 'x'. " and/or "Credential should be scoped to correct service: 'sqs'. ".
 * Call it after aws_sigv4_parse() and before looking up the secret, which is
 * the order AWS reports problems in. cred is borrowed. */
int aws_sigv4_check_scope(const aws_sigv4_cred_t *cred, const char *service, char *msg, size_t msglen);

/* The checks of aws_sigv4_verify() that need no body, so a request can be
 * refused as soon as its headers are in: host signed, request time (or
 * presigned expiry), query escapes, and a known key (secret non-NULL).
 * Returns 0 or the error verify would give; arguments borrowed for the call. */
int aws_sigv4_precheck(const aws_sigv4_req_t *req, const aws_sigv4_cred_t *cred, const char *secret,
                       int64_t now_ms, char *msg, size_t msglen);

/* Verifies a parsed credential against the request with the caller's secret
 * for cred->access_key (NULL, an unknown key, gives RN_ERR_INVALID_CLIENT_TOKEN
 * "The security token included in the request is invalid.", so the result of
 * aws_authfile_secret() can be passed straight in). now_ms is the server clock
 * in epoch milliseconds. Returns 0 when the signature matches, or:
 *   RN_ERR_SIGNATURE_MISMATCH  signature differs, host not signed, or the
 *                              declared x-amz-content-sha256 is not the body's;
 *   RN_ERR_REQUEST_EXPIRED     request time more than 15 minutes from now, or a
 *                              presigned URL past its X-Amz-Expires;
 *   RN_ERR_MALFORMED_QUERY     a bad %-escape in the query string;
 *   RN_ERR_MISSING_AUTH        cred->present is 0;
 *   RN_ERR_NOMEM.
 * All arguments are borrowed for the call; msg may be NULL. */
int aws_sigv4_verify(const aws_sigv4_req_t *req, const aws_sigv4_cred_t *cred, const char *secret,
                     int64_t now_ms, char *msg, size_t msglen);

/* Builds the SigV4 canonical request for req as signed with cred (method, URI
 * normalized and encoded for non-S3 services, sorted query, signed headers,
 * payload hash). Mostly for tests and diagnostics. On success *out is
 * NUL-terminated; caller owns the result; free with rn_free(). Returns 0,
 * RN_ERR_MALFORMED_QUERY or RN_ERR_NOMEM. */
int aws_sigv4_canonical_request(const aws_sigv4_req_t *req, const aws_sigv4_cred_t *cred, char **out);

/* Computes the signature the request should carry for cred's scope, date and
 * signed headers, as lowercase hex into out (65 bytes including the NUL). Used
 * by verify and by tests or tools that need to sign a request. Returns 0,
 * RN_ERR_MALFORMED_QUERY or RN_ERR_NOMEM. All arguments are borrowed. */
int aws_sigv4_sign(const aws_sigv4_req_t *req, const aws_sigv4_cred_t *cred, const char *secret,
                   char out[65]);
#endif
