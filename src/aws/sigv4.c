/* SPDX-License-Identifier: MIT
 * AWS Signature Version 4, server side. Parsing turns the Authorization header
 * (or presigned X-Amz-* query parameters) into an aws_sigv4_cred_t; verifying
 * rebuilds the canonical request, string to sign and derived key exactly as the
 * AWS SDKs do for non-S3 services and compares signatures in constant time.
 * Error texts follow what AWS itself answers, because SDKs and users match on
 * them (botocore's clock-skew retry looks for "Signature expired"). */
#include "aws/sigv4.h"
#include "core/hex.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/mem.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define ALGORITHM "AWS4-HMAC-SHA256"
#define TERMINATOR "aws4_request"
#define UNSIGNED_PAYLOAD "UNSIGNED-PAYLOAD"

static const char MSG_MISMATCH[] =
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";
static const char MSG_BAD_TOKEN[] = "The security token included in the request is invalid.";

/* ---- messages ---------------------------------------------------------- */

/* A bounded appender over the caller's msg buffer; silently truncates. */
typedef struct msgbuf {
    char *p;
    size_t cap;
    size_t len;
} msgbuf_t;

static msgbuf_t mb_init(char *msg, size_t msglen)
{
    msgbuf_t m = {msg, msg ? msglen : 0, 0};
    if (m.cap)
        m.p[0] = '\0';
    return m;
}

__attribute__((format(printf, 2, 3))) static void mb_add(msgbuf_t *m, const char *fmt, ...)
{
    if (!m->cap || m->len >= m->cap - 1)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(m->p + m->len, m->cap - m->len, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    m->len += (size_t)n;
    if (m->len > m->cap - 1)
        m->len = m->cap - 1;
}

/* printf's %.*s wants an int. */
static int plen(size_t n)
{
    return n > INT_MAX ? INT_MAX : (int)n;
}

static int fail(int err, char *msg, size_t msglen, const char *text)
{
    msgbuf_t m = mb_init(msg, msglen);
    mb_add(&m, "%s", text);
    return err;
}

/* ---- small string helpers --------------------------------------------- */

static int is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void trim(const char **p, size_t *n)
{
    while (*n && is_ws(**p)) {
        (*p)++;
        (*n)--;
    }
    while (*n && is_ws((*p)[*n - 1]))
        (*n)--;
}

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* Case-insensitive compare of a counted string with a NUL-terminated one. */
static int ieq(const char *a, size_t alen, const char *b)
{
    size_t blen = strlen(b);
    if (alen != blen)
        return 0;
    for (size_t i = 0; i < alen; i++)
        if (lower(a[i]) != lower(b[i]))
            return 0;
    return 1;
}

static int eq(const char *a, size_t alen, const char *b)
{
    return alen == strlen(b) && memcmp(a, b, alen) == 0;
}

/* First header named lname (any case), trimmed; 0 when absent. */
static int hdr_get(const aws_sigv4_req_t *req, const char *lname, const char **v, size_t *vn)
{
    for (size_t i = 0; i < req->nheaders; i++) {
        const aws_hdr_t *h = &req->headers[i];
        if (h->name && ieq(h->name, h->name_len, lname)) {
            *v = h->value ? h->value : "";
            *vn = h->value ? h->value_len : 0;
            trim(v, vn);
            return 1;
        }
    }
    return 0;
}

/* Copies a counted string into a fixed field; -1 when it does not fit. */
static int copy_field(char *dst, size_t cap, const char *s, size_t n)
{
    if (n >= cap)
        return -1;
    memcpy(dst, s, n);
    dst[n] = '\0';
    return 0;
}

/* ---- percent-encoding -------------------------------------------------- */

/* Rejects query strings with a broken %-escape the way AWS does
 * (MalformedQueryString) before anything is decoded. */
static int query_validate(const char *q, size_t n, char *msg, size_t msglen)
{
    for (size_t i = 0; i < n; i++) {
        if (q[i] != '%')
            continue;
        msgbuf_t m = mb_init(msg, msglen);
        if (n - i < 3) {
            mb_add(&m, "Incomplete trailing escape %% sequence");
            return RN_ERR_MALFORMED_QUERY;
        }
        if (rn_hex_val(q[i + 1]) < 0 || rn_hex_val(q[i + 2]) < 0) {
            mb_add(&m, "Illegal hex character in escape %% pattern: %%%c%c", q[i + 1], q[i + 2]);
            return RN_ERR_MALFORMED_QUERY;
        }
        i += 2;
    }
    return 0;
}

/* Decodes a validated query component ('+' is a space, as form decoding
 * and botocore treat it) into dst, which holds at least n + 1 bytes. */
static size_t pct_decode(const char *s, size_t n, char *dst)
{
    return (size_t)rn_pct_decode(s, n, RN_PCT_PLUS, dst, NULL);
}

/* Decoded copy of a query component. Caller owns the result; free with rn_free(). */
static char *pct_dup(const char *s, size_t n, size_t *outlen)
{
    char *d = rn_malloc(n + 1);
    if (!d)
        return NULL;
    size_t len = pct_decode(s, n, d);
    if (outlen)
        *outlen = len;
    return d;
}

static int unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.' || c == '~';
}

/* SigV4 URI encoding: everything but unreserved characters (and '/' in
 * paths) becomes %XX with uppercase hex. */
static void uri_encode(rn_buf_t *b, const char *s, size_t n, int keep_slash)
{
    static const char digits[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (unreserved(c) || (keep_slash && c == '/')) {
            rn_buf_add(b, &s[i], 1);
        } else {
            char e[3] = {'%', digits[c >> 4], digits[c & 15]};
            rn_buf_add(b, e, 3);
        }
    }
}

/* Finds the first query parameter whose decoded name is `name`; the value is
 * returned raw (still encoded). */
static int query_find(const char *q, size_t qn, const char *name, const char **v, size_t *vn)
{
    size_t want = strlen(name);
    char tmp[64];
    size_t i = 0;
    while (i < qn) {
        size_t j = i;
        while (j < qn && q[j] != '&')
            j++;
        size_t eqpos = i;
        while (eqpos < j && q[eqpos] != '=')
            eqpos++;
        size_t klen = eqpos - i;
        /* Encoded names are at most 3x their decoded length. */
        if (klen < sizeof tmp && klen >= want && klen <= 3 * want) {
            size_t dl = pct_decode(q + i, klen, tmp);
            if (dl == want && memcmp(tmp, name, want) == 0) {
                *v = eqpos < j ? q + eqpos + 1 : q + j;
                *vn = eqpos < j ? j - eqpos - 1 : 0;
                return 1;
            }
        }
        i = j + 1;
    }
    return 0;
}

/* ---- time -------------------------------------------------------------- */

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static int days_in_month(int y, int m)
{
    static const int dim[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dim[m - 1];
}

static int64_t epoch_of(int y, int mo, int d, int h, int mi, int s)
{
    return days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + s;
}

static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

/* Parses YYYYMMDDTHHMMSSZ into epoch seconds. */
static int amz_date_parse(const char *s, size_t n, int64_t *t)
{
    int y, mo, d, h, mi, sec;
    if (n != 16 || s[8] != 'T' || s[15] != 'Z')
        return -1;
    if (digits(s, 4, &y) || digits(s + 4, 2, &mo) || digits(s + 6, 2, &d) || digits(s + 9, 2, &h) ||
        digits(s + 11, 2, &mi) || digits(s + 13, 2, &sec))
        return -1;
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || sec > 60)
        return -1;
    *t = epoch_of(y, mo, d, h, mi, sec);
    return 0;
}

static void amz_date_format(int64_t t, char out[17])
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm) || strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm) != 16)
        snprintf(out, 17, "%s", "00000000T000000Z");
}

/* Parses an HTTP Date header (IMF-fixdate, "Sun, 30 Aug 2015 12:36:00 GMT",
 * weekday optional; botocore writes the zone as "-0000") into the compact
 * SigV4 form. */
static int http_date_parse(const char *s, size_t n, char out[17])
{
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    char buf[64], mon[4], zone[6];
    int d, y, h, mi, sec, used = 0;
    if (n >= sizeof buf)
        return -1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    const char *p = buf;
    const char *comma = strchr(buf, ',');
    if (comma)
        p = comma + 1;
    if (sscanf(p, " %2d %3s %4d %2d:%2d:%2d %5s%n", &d, mon, &y, &h, &mi, &sec, zone, &used) != 7 ||
        p[used] != '\0')
        return -1;
    if (strcmp(zone, "GMT") != 0 && strcmp(zone, "UTC") != 0 && strcmp(zone, "+0000") != 0 &&
        strcmp(zone, "-0000") != 0)
        return -1;
    const char *mp = strlen(mon) == 3 ? strstr(months, mon) : NULL;
    if (!mp || (mp - months) % 3 != 0)
        return -1;
    int mo = (int)(mp - months) / 3 + 1;
    if (y < 1970 || y > 9999 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || sec > 60)
        return -1;
    amz_date_format(epoch_of(y, mo, d, h, mi, sec), out);
    return 0;
}

static int bad_date(const char *s, size_t n, char *msg, size_t msglen)
{
    msgbuf_t m = mb_init(msg, msglen);
    mb_add(&m, "Date must be in ISO-8601 'basic format'. Got '%.*s'. See http://en.wikipedia.org/wiki/ISO_8601",
           plen(n), s);
    return RN_ERR_INCOMPLETE_SIGNATURE;
}

/* ---- credential -------------------------------------------------------- */

/* Splits "AK/YYYYMMDD/region/service/aws4_request" into out, then checks the
 * terminator and that the scope date is the request's date (out->amz_date
 * must already be set). */
static int credential_parse(const char *s, size_t n, aws_sigv4_cred_t *out, char *msg, size_t msglen)
{
    const char *part[5];
    size_t plens[5];
    int np = 0;
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || s[i] == '/') {
            if (np < 5) {
                part[np] = s + start;
                plens[np] = i - start;
            }
            np++;
            start = i + 1;
        }
    }
    if (np != 5) {
        msgbuf_t m = mb_init(msg, msglen);
        mb_add(&m,
               "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, "
               "got '%.*s'",
               plen(n), s);
        return RN_ERR_INCOMPLETE_SIGNATURE;
    }
    if (plens[0] == 0 || copy_field(out->access_key, sizeof out->access_key, part[0], plens[0]) < 0)
        return fail(RN_ERR_INVALID_CLIENT_TOKEN, msg, msglen, MSG_BAD_TOKEN);

    msgbuf_t m = mb_init(msg, msglen);
    int bad = 0;
    if (!eq(part[4], plens[4], TERMINATOR)) {
        mb_add(&m, "Credential should be scoped with a valid terminator: 'aws4_request', not '%.*s'.", plen(plens[4]),
               part[4]);
        bad = 1;
    }
    if (plens[1] != 8 || memcmp(part[1], out->amz_date, 8) != 0) {
        mb_add(&m,
               "%sDate in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
               "'%.*s' != '%.8s', from '%s'.",
               bad ? " " : "", plen(plens[1]), part[1], out->amz_date, out->amz_date);
        bad = 1;
    }
    if (bad)
        return RN_ERR_SIGNATURE_MISMATCH;
    memcpy(out->date, part[1], 8);
    out->date[8] = '\0';
    if (copy_field(out->region, sizeof out->region, part[2], plens[2]) < 0) {
        mb_add(&m, "Credential should be scoped to a valid region, not '%.*s'. ", plen(plens[2]), part[2]);
        return RN_ERR_SIGNATURE_MISMATCH;
    }
    if (copy_field(out->service, sizeof out->service, part[3], plens[3]) < 0)
        return fail(RN_ERR_SIGNATURE_MISMATCH, msg, msglen, MSG_MISMATCH);
    return 0;
}

/* Stores the signature; one that cannot be 64 hex digits is replaced by a
 * value no computed signature equals, so verify fails rather than truncating. */
static void signature_store(aws_sigv4_cred_t *out, const char *s, size_t n)
{
    if (copy_field(out->signature, sizeof out->signature, s, n) < 0)
        snprintf(out->signature, sizeof out->signature, "%s", "-");
}

static int is_sep(char c)
{
    return is_ws(c) || c == ',';
}

static int parse_header(const aws_sigv4_req_t *req, const char *hv, size_t hn, aws_sigv4_cred_t *out, char *msg,
                        size_t msglen)
{
    const char *end = hv + hn, *p = hv;
    while (p < end && !is_sep(*p))
        p++;
    if (!eq(hv, (size_t)(p - hv), ALGORITHM)) {
        msgbuf_t m = mb_init(msg, msglen);
        mb_add(&m, "Unsupported AWS 'algorithm': '%.*s'.", plen((size_t)(p - hv)), hv);
        return RN_ERR_INCOMPLETE_SIGNATURE;
    }

    const char *cred = NULL, *sh = NULL, *sig = NULL;
    size_t credn = 0, shn = 0, sign = 0;
    for (;;) {
        while (p < end && is_sep(*p))
            p++;
        if (p == end)
            break;
        const char *ks = p;
        while (p < end && *p != '=' && !is_sep(*p))
            p++;
        size_t kn = (size_t)(p - ks);
        const char *r = p;
        while (r < end && (*r == ' ' || *r == '\t'))
            r++;
        if (r == end || *r != '=') {
            msgbuf_t m = mb_init(msg, msglen);
            mb_add(&m, "'%.*s' not a valid key=value pair (missing equal-sign) in Authorization header: '%.*s'",
                   plen(kn), ks, plen(hn), hv);
            return RN_ERR_INCOMPLETE_SIGNATURE;
        }
        p = r + 1;
        while (p < end && (*p == ' ' || *p == '\t'))
            p++;
        const char *vs = p;
        while (p < end && !is_sep(*p))
            p++;
        size_t vn = (size_t)(p - vs);
        if (eq(ks, kn, "Credential")) {
            cred = vs;
            credn = vn;
        } else if (eq(ks, kn, "SignedHeaders")) {
            sh = vs;
            shn = vn;
        } else if (eq(ks, kn, "Signature")) {
            sig = vs;
            sign = vn;
        }
    }

    const char *xd = NULL, *dd = NULL;
    size_t xdn = 0, ddn = 0;
    int has_x = hdr_get(req, "x-amz-date", &xd, &xdn);
    int has_d = hdr_get(req, "date", &dd, &ddn);
    if (!credn || !sign || !shn || (!has_x && !has_d)) {
        msgbuf_t m = mb_init(msg, msglen);
        if (!credn)
            mb_add(&m, "Authorization header requires 'Credential' parameter. ");
        if (!sign)
            mb_add(&m, "Authorization header requires 'Signature' parameter. ");
        if (!shn)
            mb_add(&m, "Authorization header requires 'SignedHeaders' parameter. ");
        if (!has_x && !has_d)
            mb_add(&m, "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ");
        mb_add(&m, "Authorization=%.*s", plen(hn), hv);
        return RN_ERR_INCOMPLETE_SIGNATURE;
    }

    if (has_x) {
        int64_t t;
        if (amz_date_parse(xd, xdn, &t) < 0)
            return bad_date(xd, xdn, msg, msglen);
        memcpy(out->amz_date, xd, 16);
        out->amz_date[16] = '\0';
    } else if (http_date_parse(dd, ddn, out->amz_date) < 0) {
        int64_t t;
        if (amz_date_parse(dd, ddn, &t) < 0)
            return bad_date(dd, ddn, msg, msglen);
        memcpy(out->amz_date, dd, 16);
        out->amz_date[16] = '\0';
    }

    int rc = credential_parse(cred, credn, out, msg, msglen);
    if (rc)
        return rc;
    if (copy_field(out->signed_headers, sizeof out->signed_headers, sh, shn) < 0)
        return fail(RN_ERR_SIGNATURE_MISMATCH, msg, msglen, MSG_MISMATCH);
    signature_store(out, sig, sign);
    return 0;
}

/* Reads the X-Amz-Expires value: 0..604800 seconds. */
static int expires_parse(const char *s, size_t n, long *out, char *msg, size_t msglen)
{
    trim(&s, &n);
    if (n && s[0] == '-')
        return fail(RN_ERR_INCOMPLETE_SIGNATURE, msg, msglen, "X-Amz-Expires must be non-negative");
    long v = 0;
    if (n == 0)
        return fail(RN_ERR_INCOMPLETE_SIGNATURE, msg, msglen, "X-Amz-Expires should be a number");
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return fail(RN_ERR_INCOMPLETE_SIGNATURE, msg, msglen, "X-Amz-Expires should be a number");
        if (v <= AWS_SIGV4_MAX_EXPIRES_SEC)
            v = v * 10 + (s[i] - '0');
    }
    if (v > AWS_SIGV4_MAX_EXPIRES_SEC)
        return fail(RN_ERR_INCOMPLETE_SIGNATURE, msg, msglen,
                    "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must "
                    "be less than 604800 seconds");
    *out = v;
    return 0;
}

static int parse_query(const aws_sigv4_req_t *req, aws_sigv4_cred_t *out, char *msg, size_t msglen)
{
    const char *q = req->query ? req->query : "";
    size_t qn = req->query ? req->query_len : 0;
    const char *alg, *cr, *sh, *sig, *dt, *ex;
    size_t algn, crn, shn, sign, dtn, exn;
    if (!query_find(q, qn, "X-Amz-Algorithm", &alg, &algn))
        return 0;
    out->present = 1;
    out->presigned = 1;

    int rc = 0;
    char *dalg = NULL, *dcr = NULL, *dsh = NULL, *dsig = NULL, *ddt = NULL, *dex = NULL;
    size_t dalgn = 0, dcrn = 0, dshn = 0, dsign = 0, ddtn = 0, dexn = 0;
    int has_cr = query_find(q, qn, "X-Amz-Credential", &cr, &crn);
    int has_sh = query_find(q, qn, "X-Amz-SignedHeaders", &sh, &shn);
    int has_sig = query_find(q, qn, "X-Amz-Signature", &sig, &sign);
    int has_dt = query_find(q, qn, "X-Amz-Date", &dt, &dtn);
    int has_ex = query_find(q, qn, "X-Amz-Expires", &ex, &exn);

    if (!(dalg = pct_dup(alg, algn, &dalgn)) || (has_cr && !(dcr = pct_dup(cr, crn, &dcrn))) ||
        (has_sh && !(dsh = pct_dup(sh, shn, &dshn))) || (has_sig && !(dsig = pct_dup(sig, sign, &dsign))) ||
        (has_dt && !(ddt = pct_dup(dt, dtn, &ddtn))) || (has_ex && !(dex = pct_dup(ex, exn, &dexn)))) {
        rc = fail(RN_ERR_NOMEM, msg, msglen, "out of memory");
        goto out;
    }
    if (!eq(dalg, dalgn, ALGORITHM)) {
        msgbuf_t m = mb_init(msg, msglen);
        mb_add(&m, "Unsupported AWS 'algorithm': '%.*s'.", plen(dalgn), dalg);
        rc = RN_ERR_INCOMPLETE_SIGNATURE;
        goto out;
    }
    if (!dcrn || !dsign || !dshn || !ddtn) {
        msgbuf_t m = mb_init(msg, msglen);
        if (!dcrn)
            mb_add(&m, "AWS query-string parameters must include 'X-Amz-Credential'. ");
        if (!dsign)
            mb_add(&m, "AWS query-string parameters must include 'X-Amz-Signature'. ");
        if (!dshn)
            mb_add(&m, "AWS query-string parameters must include 'X-Amz-SignedHeaders'. ");
        if (!ddtn)
            mb_add(&m, "AWS query-string parameters must include 'X-Amz-Date'. ");
        mb_add(&m, "Re-examine the query-string parameters.");
        rc = RN_ERR_INCOMPLETE_SIGNATURE;
        goto out;
    }
    int64_t t;
    if (amz_date_parse(ddt, ddtn, &t) < 0) {
        rc = bad_date(ddt, ddtn, msg, msglen);
        goto out;
    }
    memcpy(out->amz_date, ddt, 16);
    out->amz_date[16] = '\0';
    if (has_ex && (rc = expires_parse(dex, dexn, &out->expires, msg, msglen)) != 0)
        goto out;
    if ((rc = credential_parse(dcr, dcrn, out, msg, msglen)) != 0)
        goto out;
    if (copy_field(out->signed_headers, sizeof out->signed_headers, dsh, dshn) < 0) {
        rc = fail(RN_ERR_SIGNATURE_MISMATCH, msg, msglen, MSG_MISMATCH);
        goto out;
    }
    signature_store(out, dsig, dsign);
out:
    rn_free(dalg);
    rn_free(dcr);
    rn_free(dsh);
    rn_free(dsig);
    rn_free(ddt);
    rn_free(dex);
    return rc;
}

/* Parses the request's SigV4 credential into *out; see sigv4.h for the
 * errors. req is borrowed for the call. */
int aws_sigv4_parse(const aws_sigv4_req_t *req, aws_sigv4_cred_t *out, char *msg, size_t msglen)
{
    memset(out, 0, sizeof *out);
    mb_init(msg, msglen);
    if (req->query && req->query_len) {
        int rc = query_validate(req->query, req->query_len, msg, msglen);
        if (rc)
            return rc;
    }
    const char *hv;
    size_t hn;
    if (hdr_get(req, "authorization", &hv, &hn) && hn) {
        out->present = 1;
        return parse_header(req, hv, hn, out, msg, msglen);
    }
    return parse_query(req, out, msg, msglen);
}

/* A region name as AWS partitions spell them: "us-east-1",
 * "us-gov-west-1", "cn-north-1", "eu-isoe-west-1". */
static int region_valid(const char *r)
{
    size_t i = 0;
    while (r[i] >= 'a' && r[i] <= 'z')
        i++;
    if (i < 2)
        return 0;
    int words = 0;
    while (r[i] == '-' && r[i + 1] >= 'a' && r[i + 1] <= 'z') {
        i++;
        while (r[i] >= 'a' && r[i] <= 'z')
            i++;
        words++;
    }
    if (!words || r[i] != '-' || r[i + 1] < '0' || r[i + 1] > '9')
        return 0;
    i++;
    size_t d = 0;
    while (r[i] >= '0' && r[i] <= '9')
        i++, d++;
    return d <= 2 && r[i] == '\0';
}

/* Checks the credential scope's region and service. cred is borrowed. */
int aws_sigv4_check_scope(const aws_sigv4_cred_t *cred, const char *service, char *msg, size_t msglen)
{
    msgbuf_t m = mb_init(msg, msglen);
    int bad = 0;
    if (!region_valid(cred->region)) {
        mb_add(&m, "Credential should be scoped to a valid region, not '%s'. ", cred->region);
        bad = 1;
    }
    if (service && strcmp(cred->service, service) != 0) {
        mb_add(&m, "Credential should be scoped to correct service: '%s'. ", service);
        bad = 1;
    }
    return bad ? RN_ERR_SIGNATURE_MISMATCH : 0;
}

/* ---- canonical request -------------------------------------------------- */

/* The path, dot segments resolved and empty segments dropped (as the SDKs
 * normalize before signing), then URI-encoded once more. The wire path is
 * already encoded, so this is the double encoding non-S3 services expect. */
static int canon_uri(rn_buf_t *b, const char *path, size_t n)
{
    char *out = rn_malloc(n + 2);
    if (!out)
        return RN_ERR_NOMEM;
    size_t o = 0, i = 0;
    while (i < n) {
        while (i < n && path[i] == '/')
            i++;
        size_t s = i;
        while (i < n && path[i] != '/')
            i++;
        size_t len = i - s;
        if (len == 0 || (len == 1 && path[s] == '.'))
            continue;
        if (len == 2 && path[s] == '.' && path[s + 1] == '.') {
            while (o > 0 && out[o - 1] != '/')
                o--;
            if (o > 0)
                o--;
            continue;
        }
        out[o++] = '/';
        memcpy(out + o, path + s, len);
        o += len;
    }
    if (o == 0)
        out[o++] = '/';
    else if (n && path[n - 1] == '/')
        out[o++] = '/';
    uri_encode(b, out, o, 1);
    rn_free(out);
    return 0;
}

typedef struct qparam {
    const char *name;
    size_t nlen;
    const char *val;
    size_t vlen;
    size_t noff, voff; /* offsets into the store while it may still move */
} qparam_t;

static int qparam_cmp(const void *a, const void *b)
{
    const qparam_t *x = a, *y = b;
    size_t n = x->nlen < y->nlen ? x->nlen : y->nlen;
    int c = memcmp(x->name, y->name, n);
    if (c)
        return c;
    if (x->nlen != y->nlen)
        return x->nlen < y->nlen ? -1 : 1;
    n = x->vlen < y->vlen ? x->vlen : y->vlen;
    c = memcmp(x->val, y->val, n);
    if (c)
        return c;
    return x->vlen == y->vlen ? 0 : (x->vlen < y->vlen ? -1 : 1);
}

/* Parameters decoded, re-encoded strictly, sorted by name then value;
 * X-Amz-Signature left out of presigned requests. */
static int canon_query(rn_buf_t *b, const char *q, size_t qn, int presigned)
{
    if (qn == 0)
        return 0;
    size_t cap = 1;
    for (size_t i = 0; i < qn; i++)
        cap += q[i] == '&';
    qparam_t *ps = rn_calloc(cap, sizeof *ps);
    char *tmp = rn_malloc(qn + 1);
    rn_buf_t store = {0};
    int rc = 0;
    size_t np = 0;
    if (!ps || !tmp) {
        rc = RN_ERR_NOMEM;
        goto out;
    }
    size_t i = 0;
    while (i < qn) {
        size_t j = i;
        while (j < qn && q[j] != '&')
            j++;
        if (j > i) {
            size_t e = i;
            while (e < j && q[e] != '=')
                e++;
            size_t dl = pct_decode(q + i, e - i, tmp);
            if (!(presigned && dl == 15 && memcmp(tmp, "X-Amz-Signature", 15) == 0)) {
                qparam_t *p = &ps[np++];
                p->noff = store.len;
                uri_encode(&store, tmp, dl, 0);
                p->nlen = store.len - p->noff;
                dl = e < j ? pct_decode(q + e + 1, j - e - 1, tmp) : 0;
                p->voff = store.len;
                uri_encode(&store, tmp, dl, 0);
                p->vlen = store.len - p->voff;
            }
        }
        i = j + 1;
    }
    if (store.oom) {
        rc = RN_ERR_NOMEM;
        goto out;
    }
    for (size_t k = 0; k < np; k++) {
        ps[k].name = store.data ? store.data + ps[k].noff : "";
        ps[k].val = store.data ? store.data + ps[k].voff : "";
    }
    qsort(ps, np, sizeof *ps, qparam_cmp);
    for (size_t k = 0; k < np; k++) {
        if (k)
            rn_buf_add(b, "&", 1);
        rn_buf_add(b, ps[k].name, ps[k].nlen);
        rn_buf_add(b, "=", 1);
        rn_buf_add(b, ps[k].val, ps[k].vlen);
    }
out:
    rn_free(ps);
    rn_free(tmp);
    rn_buf_free(&store);
    return rc;
}

/* Appends a header value trimmed, with runs of whitespace (including folded
 * line breaks) collapsed to one space. */
static void canon_value(rn_buf_t *b, const char *v, size_t n)
{
    trim(&v, &n);
    int in_ws = 0;
    for (size_t i = 0; i < n; i++) {
        if (is_ws(v[i])) {
            in_ws = 1;
            continue;
        }
        if (in_ws)
            rn_buf_add(b, " ", 1);
        in_ws = 0;
        rn_buf_add(b, &v[i], 1);
    }
}

/* One "name:v1,v2\n" line per signed header, values of repeated headers
 * joined in arrival order. */
static void canon_headers(rn_buf_t *b, const aws_sigv4_req_t *req, const char *signed_headers)
{
    const char *p = signed_headers;
    while (*p) {
        const char *s = p;
        while (*p && *p != ';')
            p++;
        size_t n = (size_t)(p - s);
        if (*p == ';')
            p++;
        if (n == 0)
            continue;
        for (size_t i = 0; i < n; i++) {
            char c = lower(s[i]);
            rn_buf_add(b, &c, 1);
        }
        rn_buf_add(b, ":", 1);
        int first = 1;
        for (size_t i = 0; i < req->nheaders; i++) {
            const aws_hdr_t *h = &req->headers[i];
            if (!h->name || h->name_len != n)
                continue;
            size_t k = 0;
            while (k < n && lower(h->name[k]) == lower(s[k]))
                k++;
            if (k != n)
                continue;
            if (!first)
                rn_buf_add(b, ",", 1);
            first = 0;
            canon_value(b, h->value ? h->value : "", h->value ? h->value_len : 0);
        }
        rn_buf_add(b, "\n", 1);
    }
}

static void sha256_hex(const void *data, size_t n, char out[65])
{
    unsigned char md[SHA256_DIGEST_LENGTH];
    SHA256(data, n, md);
    rn_hex_encode(md, sizeof md, out);
}

/* The payload hash the client declared (x-amz-content-sha256 header, or the
 * X-Amz-Content-Sha256 query parameter of a presigned URL); 0 when none. */
static int payload_declared(const aws_sigv4_req_t *req, const aws_sigv4_cred_t *cred, char *out, size_t cap)
{
    const char *v;
    size_t vn;
    if (hdr_get(req, "x-amz-content-sha256", &v, &vn)) {
        if (copy_field(out, cap, v, vn) < 0)
            snprintf(out, cap, "%s", "-");
        return 1;
    }
    if (cred->presigned && req->query &&
        query_find(req->query, req->query_len, "X-Amz-Content-Sha256", &v, &vn)) {
        if (vn >= cap)
            snprintf(out, cap, "%s", "-");
        else
            pct_decode(v, vn, out);
        return 1;
    }
    return 0;
}

static int canon_build(const aws_sigv4_req_t *req, const aws_sigv4_cred_t *cred, const char *payload, rn_buf_t *b)
{
    const char *q = req->query ? req->query : "";
    size_t qn = req->query ? req->query_len : 0;
    int rc = query_validate(q, qn, NULL, 0);
    if (rc)
        return rc;
    rn_buf_puts(b, req->method ? req->method : "");
    rn_buf_add(b, "\n", 1);
    if ((rc = canon_uri(b, req->path ? req->path : "", req->path ? req->path_len : 0)) != 0)
        return rc;
    rn_buf_add(b, "\n", 1);
    if ((rc = canon_query(b, q, qn, cred->presigned)) != 0)
        return rc;
    rn_buf_add(b, "\n", 1);
    canon_headers(b, req, cred->signed_headers);
    rn_buf_add(b, "\n", 1);
    rn_buf_puts(b, cred->signed_headers);
    rn_buf_add(b, "\n", 1);
    rn_buf_puts(b, payload);
    return b->oom ? RN_ERR_NOMEM : 0;
}

/* The payload hash the canonical request uses when nothing overrides it. */
static void payload_default(const aws_sigv4_req_t *req, const aws_sigv4_cred_t *cred, char out[80])
{
    if (!payload_declared(req, cred, out, 80))
        sha256_hex(req->body ? req->body : "", req->body ? req->body_len : 0, out);
}

/* Builds the canonical request text. Caller owns *out; free with rn_free(). */
int aws_sigv4_canonical_request(const aws_sigv4_req_t *req, const aws_sigv4_cred_t *cred, char **out)
{
    char payload[80];
    rn_buf_t b = {0};
    payload_default(req, cred, payload);
    int rc = canon_build(req, cred, payload, &b);
    if (rc) {
        rn_buf_free(&b);
        return rc;
    }
    *out = rn_buf_take(&b, NULL);
    return *out ? 0 : RN_ERR_NOMEM;
}

static int hmac(const void *key, size_t keylen, const void *data, size_t n, unsigned char out[32])
{
    unsigned int len = 32;
    if (keylen > INT_MAX)
        return -1;
    return HMAC(EVP_sha256(), key, (int)keylen, data, n, out, &len) && len == 32 ? 0 : -1;
}

static int sign_payload(const aws_sigv4_req_t *req, const aws_sigv4_cred_t *cred, const char *secret,
                        const char *payload, char out[65])
{
    rn_buf_t b = {0};
    int rc = canon_build(req, cred, payload, &b);
    if (rc) {
        rn_buf_free(&b);
        return rc;
    }
    char creq_hash[65];
    sha256_hex(b.data, b.len, creq_hash);
    rn_buf_free(&b);

    char sts[320];
    int sn = snprintf(sts, sizeof sts, "%s\n%s\n%s/%s/%s/%s\n%s", ALGORITHM, cred->amz_date, cred->date, cred->region,
                      cred->service, TERMINATOR, creq_hash);
    if (sn < 0 || (size_t)sn >= sizeof sts)
        return RN_ERR_INTERNAL;

    size_t slen = strlen(secret);
    unsigned char *k0 = rn_malloc(slen + 4);
    if (!k0)
        return RN_ERR_NOMEM;
    memcpy(k0, "AWS4", 4);
    memcpy(k0 + 4, secret, slen);
    unsigned char k[32], sig[32];
    rc = 0;
    if (hmac(k0, slen + 4, cred->date, strlen(cred->date), k) || hmac(k, 32, cred->region, strlen(cred->region), k) ||
        hmac(k, 32, cred->service, strlen(cred->service), k) || hmac(k, 32, TERMINATOR, strlen(TERMINATOR), k) ||
        hmac(k, 32, sts, (size_t)sn, sig))
        rc = RN_ERR_INTERNAL;
    OPENSSL_cleanse(k0, slen + 4);
    OPENSSL_cleanse(k, sizeof k);
    rn_free(k0);
    if (!rc)
        rn_hex_encode(sig, sizeof sig, out);
    return rc;
}

/* Computes the expected signature into out. All arguments are borrowed. */
int aws_sigv4_sign(const aws_sigv4_req_t *req, const aws_sigv4_cred_t *cred, const char *secret, char out[65])
{
    char payload[80];
    payload_default(req, cred, payload);
    return sign_payload(req, cred, secret, payload, out);
}

/* ---- verification ------------------------------------------------------- */

static int host_signed(const char *sh)
{
    const char *p = sh;
    while (*p) {
        const char *s = p;
        while (*p && *p != ';')
            p++;
        if (ieq(s, (size_t)(p - s), "host"))
            return 1;
        if (*p)
            p++;
    }
    return 0;
}

/* AWS allows 15 minutes either way; a presigned URL instead lives for its
 * X-Amz-Expires from the moment it was signed. */
static int check_time(const aws_sigv4_cred_t *cred, int64_t now_ms, char *msg, size_t msglen)
{
    int64_t t;
    if (amz_date_parse(cred->amz_date, strlen(cred->amz_date), &t) < 0)
        return bad_date(cred->amz_date, strlen(cred->amz_date), msg, msglen);
    int64_t now = now_ms >= 0 ? now_ms / 1000 : -((-now_ms + 999) / 1000);
    char a[17], b[17], c[17];
    msgbuf_t m = mb_init(msg, msglen);
    if (t > now + AWS_SIGV4_MAX_SKEW_SEC) {
        amz_date_format(t, a);
        amz_date_format(now + AWS_SIGV4_MAX_SKEW_SEC, b);
        amz_date_format(now, c);
        mb_add(&m, "Signature not yet current: %s is still later than %s (%s + 15 min.)", a, b, c);
        return RN_ERR_REQUEST_EXPIRED;
    }
    if (cred->presigned && cred->expires > 0) {
        if (now > t + cred->expires) {
            mb_add(&m, "Request has expired.");
            return RN_ERR_REQUEST_EXPIRED;
        }
        return 0;
    }
    if (t < now - AWS_SIGV4_MAX_SKEW_SEC) {
        amz_date_format(t, a);
        amz_date_format(now - AWS_SIGV4_MAX_SKEW_SEC, b);
        amz_date_format(now, c);
        mb_add(&m, "Signature expired: %s is now earlier than %s (%s - 15 min.)", a, b, c);
        return RN_ERR_REQUEST_EXPIRED;
    }
    return 0;
}

static int is_hex64(const char *s)
{
    if (strlen(s) != 64)
        return 0;
    for (int i = 0; i < 64; i++)
        if (rn_hex_val(s[i]) < 0)
            return 0;
    return 1;
}

/* Checks what needs no body: signed host, time, query, known key. All
 * arguments are borrowed for the call. */
int aws_sigv4_precheck(const aws_sigv4_req_t *req, const aws_sigv4_cred_t *cred, const char *secret, int64_t now_ms,
                       char *msg, size_t msglen)
{
    mb_init(msg, msglen);
    if (!cred->present)
        return fail(RN_ERR_MISSING_AUTH, msg, msglen, "Request is missing Authentication Token");
    if (!host_signed(cred->signed_headers))
        return fail(RN_ERR_SIGNATURE_MISMATCH, msg, msglen,
                    "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
    int rc = check_time(cred, now_ms, msg, msglen);
    if (rc)
        return rc;
    if (req->query && (rc = query_validate(req->query, req->query_len, msg, msglen)) != 0)
        return rc;
    if (!secret)
        return fail(RN_ERR_INVALID_CLIENT_TOKEN, msg, msglen, MSG_BAD_TOKEN);
    return 0;
}

/* Checks time, payload hash and signature, in the order AWS reports them.
 * All arguments are borrowed for the call. */
int aws_sigv4_verify(const aws_sigv4_req_t *req, const aws_sigv4_cred_t *cred, const char *secret, int64_t now_ms,
                     char *msg, size_t msglen)
{
    int rc = aws_sigv4_precheck(req, cred, secret, now_ms, msg, msglen);
    if (rc)
        return rc;

    /* A declared hash is signed, but the body is not: it must really be the
     * body's hash or the body could be swapped under a valid signature.
     * UNSIGNED-PAYLOAD is the client explicitly opting out, as S3 allows. */
    char declared[80], body_hash[65];
    int has_decl = payload_declared(req, cred, declared, sizeof declared);
    sha256_hex(req->body ? req->body : "", req->body ? req->body_len : 0, body_hash);
    if (has_decl && strcmp(declared, UNSIGNED_PAYLOAD) != 0 &&
        (!is_hex64(declared) || strcasecmp(declared, body_hash) != 0))
        return fail(RN_ERR_SIGNATURE_MISMATCH, msg, msglen, MSG_MISMATCH);

    char want[65];
    rc = sign_payload(req, cred, secret, has_decl ? declared : body_hash, want);
    if (rc)
        return fail(rc, msg, msglen, "internal failure");
    int ok = strlen(cred->signature) == 64 && CRYPTO_memcmp(want, cred->signature, 64) == 0;

    /* Some presigners sign GETs with UNSIGNED-PAYLOAD without saying so in the
     * URL; with no body there is nothing that could have been swapped. */
    if (!ok && cred->presigned && !has_decl && (!req->body || req->body_len == 0)) {
        rc = sign_payload(req, cred, secret, UNSIGNED_PAYLOAD, want);
        if (rc)
            return fail(rc, msg, msglen, "internal failure");
        ok = strlen(cred->signature) == 64 && CRYPTO_memcmp(want, cred->signature, 64) == 0;
    }
    OPENSSL_cleanse(want, sizeof want);
    return ok ? 0 : fail(RN_ERR_SIGNATURE_MISMATCH, msg, msglen, MSG_MISMATCH);
}
