/* SPDX-License-Identifier: MIT
 * Fuzz target for SES's MIME reader and writer (ses/mime_parse.c,
 * ses/mime_build.c). The input is a raw message, as SendRawEmail takes it.
 * What the reader returns must be valid UTF-8 (jansson refuses anything
 * else), and a subject the writer has to encode (not plain ASCII) must read
 * back unchanged from the message the writer builds around it. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "ses/mime.h"

static void must_be_utf8(const char *s)
{
    if (!s)
        return;
    json_t *j = json_string(s);
    if (!j)
        abort();
    json_decref(j);
}

static int plain_ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80 || *s == '\r' || *s == '\n')
            return 0;
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ses_mime_t m;
    if (ses_mime_parse((const char *)data, size, &m) < 0)
        return 0;
    must_be_utf8(m.from);
    must_be_utf8(m.subject);
    must_be_utf8(m.text);
    must_be_utf8(m.html);
    for (size_t i = 0; i < m.nrcpt; i++)
        must_be_utf8(m.rcpt[i]);
    if (m.subject && !plain_ascii(m.subject)) {
        const char *to[] = {"a@example.com", NULL};
        ses_mime_out_t out = {"b@example.com", to, NULL, NULL, m.subject, m.text, m.html, NULL, "id", 0};
        size_t len;
        char *raw = ses_mime_build(&out, &len);
        ses_mime_t back;
        if (raw && ses_mime_parse(raw, len, &back) == 0) {
            if (!back.subject || strcmp(back.subject, m.subject) != 0 || back.nrcpt != 1)
                abort();
            ses_mime_free(&back);
        }
        rn_free(raw);
    }
    ses_mime_free(&m);
    return 0;
}
