/* SPDX-License-Identifier: MIT
 * MIME, both ways, as SES needs it. The parser reads a raw message (RFC
 * 5322 headers, MIME multiparts, base64 and quoted-printable bodies, RFC
 * 2047 encoded words) far enough to show a person what was sent: From,
 * Subject, the first text and HTML bodies, and the recipients named in To,
 * Cc and Bcc. It never fails on malformed input (it reads what it can) and
 * everything it returns is valid UTF-8. The builder writes the message SES
 * would send for a simple or templated mail. Neither knows JSON. */
#ifndef RN_SES_MIME_H
#define RN_SES_MIME_H
#include <stddef.h>
#include <stdint.h>

typedef struct ses_mime {
    char *from;     /* the From header, decoded; NULL when absent */
    char *subject;  /* the Subject header, decoded; NULL when absent */
    char *text;     /* the first text/plain body that is no attachment; NULL */
    char *html;     /* the first text/html body that is no attachment; NULL */
    char **rcpt;    /* the bare addresses in To, Cc and Bcc, in that order */
    size_t nrcpt;
    int has_date, has_message_id; /* the headers are present */
} ses_mime_t;

/* Parses raw[0..len) into *m (zeroed first). Returns 0, or RN_ERR_NOMEM
 * (m then holds nothing). Caller frees m's contents with ses_mime_free(). */
int ses_mime_parse(const char *raw, size_t len, ses_mime_t *m);
void ses_mime_free(ses_mime_t *m);

/* s[0..n) as a C string of valid UTF-8: each byte that is not becomes
 * U+FFFD, NUL bytes go. Caller frees with rn_free; NULL when out of memory. */
char *ses_mime_utf8(const char *s, size_t n);

/* What a built message says. All borrowed; NULL members are left out. */
typedef struct ses_mime_out {
    const char *from;
    const char *const *to;       /* NULL-terminated lists of addresses */
    const char *const *cc;
    const char *const *reply_to;
    const char *subject;
    const char *text, *html;     /* UTF-8 */
    const char *const *extra;    /* more headers, as "Name: value", NULL-terminated */
    const char *message_id;      /* the MessageId: <id@email.amazonses.com> */
    int64_t date_ms;
} ses_mime_out_t;

/* Builds an RFC 5322 / MIME message: the headers (non-ASCII ones as RFC 2047
 * encoded words), then one quoted-printable text or HTML part, or both as
 * multipart/alternative. Returns the message (caller frees with rn_free)
 * and its length in *len, or NULL when out of memory. */
char *ses_mime_build(const ses_mime_out_t *m, size_t *len);
#endif
