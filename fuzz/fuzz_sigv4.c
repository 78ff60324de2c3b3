/* SPDX-License-Identifier: MIT
 * Fuzz target for the SigV4 parser and verifier. The input is split on
 * newlines into path, query, Authorization, X-Amz-Date, Date,
 * x-amz-content-sha256 and body, so the fuzzer can reach every parsing branch
 * (header and presigned forms) and the canonicalization of whatever parses. */
#include "aws/sigv4.h"
#include "core/mem.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Takes the next newline-terminated field from [*p, end). */
static void next_field(const char **p, const char *end, const char **f, size_t *n)
{
    const char *s = *p;
    const char *e = s;
    while (e < end && *e != '\n')
        e++;
    *f = s;
    *n = (size_t)(e - s);
    *p = e < end ? e + 1 : end;
}

/* libFuzzer entry point: never fails, only crashes or trips a sanitizer. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data, *end = p + size;
    const char *path, *query, *auth, *xdate, *date, *sha;
    size_t pathn, queryn, authn, xdaten, daten, shan;
    next_field(&p, end, &path, &pathn);
    next_field(&p, end, &query, &queryn);
    next_field(&p, end, &auth, &authn);
    next_field(&p, end, &xdate, &xdaten);
    next_field(&p, end, &date, &daten);
    next_field(&p, end, &sha, &shan);

    aws_hdr_t h[6];
    size_t nh = 0;
    h[nh++] = (aws_hdr_t){"Host", 4, "example.amazonaws.com", 21};
    if (authn)
        h[nh++] = (aws_hdr_t){"Authorization", 13, auth, authn};
    if (xdaten)
        h[nh++] = (aws_hdr_t){"X-Amz-Date", 10, xdate, xdaten};
    if (daten)
        h[nh++] = (aws_hdr_t){"Date", 4, date, daten};
    if (shan)
        h[nh++] = (aws_hdr_t){"X-Amz-Content-Sha256", 20, sha, shan};
    aws_sigv4_req_t req = {"POST", path, pathn, query, queryn, h, nh, p, (size_t)(end - p)};

    aws_sigv4_cred_t cred;
    char msg[512];
    if (aws_sigv4_parse(&req, &cred, msg, sizeof msg) != 0 || !cred.present)
        return 0;
    aws_sigv4_check_scope(&cred, "sqs", msg, sizeof msg);
    char *canon = NULL;
    if (aws_sigv4_canonical_request(&req, &cred, &canon) == 0)
        rn_free(canon);
    /* 20150830T123600Z, so dates near the test vectors get past the clock check. */
    aws_sigv4_verify(&req, &cred, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", 1440938160000LL, msg, sizeof msg);
    aws_sigv4_verify(&req, &cred, NULL, 1440938160000LL, msg, sizeof msg);
    return 0;
}
