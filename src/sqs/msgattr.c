/* SPDX-License-Identifier: MIT
 * Message body and attribute validation. Allowed characters are #x9 | #xA |
 * #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF. */
#include "sqs/msgattr.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wctype.h>

#include "core/base64.h"
#include "core/err.h"
#include "core/mem.h"
#include "core/unicode.h"
#include "sqs/digest.h"
#include "sqs/sqs_err.h"

/* Decodes the code point at s[*i] and moves *i past it; -1 when the bytes
 * there are not shortest-form UTF-8. */
static long utf8_decode(const unsigned char *s, size_t n, size_t *i)
{
    unsigned c = s[*i];
    unsigned long cp;
    size_t len;
    if (c < 0x80) {
        (*i)++;
        return (long)c;
    } else if ((c & 0xE0) == 0xC0) {
        cp = c & 0x1F;
        len = 2;
    } else if ((c & 0xF0) == 0xE0) {
        cp = c & 0x0F;
        len = 3;
    } else if ((c & 0xF8) == 0xF0) {
        cp = c & 0x07;
        len = 4;
    } else {
        return -1;
    }
    if (*i + len > n)
        return -1;
    for (size_t k = 1; k < len; k++) {
        if ((s[*i + k] & 0xC0) != 0x80)
            return -1;
        cp = (cp << 6) | (s[*i + k] & 0x3F);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000))
        return -1;
    *i += len;
    return (long)cp;
}

/* Returns the first disallowed code point, or -1 when all are fine, -2 on bad UTF-8. */
static long bad_char(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        long cp = utf8_decode(s, n, &i);
        if (cp < 0)
            return -2;
        int ok = cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
                 (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
        if (!ok)
            return cp;
    }
    return -1;
}

/* Whether a code point may appear in a message attribute name. AWS takes
 * letters and digits beyond ASCII (it stores "attr.1\u00f8\u00df\u00e4"; it
 * rejects "\u00a7"), so the Unicode classes come from the C.UTF-8 locale;
 * without it only ASCII letters and digits pass. */
static int name_char_ok(long cp)
{
    if (cp < 0x80)
        return isalnum((int)cp) || cp == '_' || cp == '-' || cp == '.';
    locale_t loc = rn_unicode_locale();
    return loc && iswalnum_l((wint_t)cp, loc);
}

/* Checks a message attribute name against the rules of the SQS API reference
 * (MessageAttributeValue / SendMessage): at most 256 bytes; letters, digits,
 * '_', '-' and '.'; no leading or trailing '.', no ".."; for user attributes
 * no "AWS." or "Amazon." prefix in any casing. */
static int name_ok(const char *name, int system)
{
    size_t n = strlen(name);
    if (n == 0 || n > 256 || name[0] == '.' || name[n - 1] == '.' || strstr(name, "..") != NULL)
        return 0;
    if (!system && (strncasecmp(name, "AWS.", 4) == 0 || strncasecmp(name, "Amazon.", 7) == 0))
        return 0;
    size_t i = 0;
    while (i < n) {
        long cp = utf8_decode((const unsigned char *)name, n, &i);
        if (cp < 0 || !name_char_ok(cp))
            return 0;
    }
    return 1;
}

int sqs_body_validate(const char *body, size_t n, char *msg, size_t msglen)
{
    if (n == 0) {
        snprintf(msg, msglen, "The request must contain the parameter MessageBody.");
        return RN_ERR_MISSING_PARAMETER;
    }
    long b = bad_char((const unsigned char *)body, n);
    if (b != -1) {
        snprintf(msg, msglen,
                 "Invalid binary character '#x%lX' was found in the message body, the set of allowed characters is "
                 "#x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].",
                 b < 0 ? 0xFFFDL : b);
        return SQS_ERR_INVALID_MESSAGE_CONTENTS;
    }
    return 0;
}

static int number_ok(const char *s)
{
    char *end;
    if (!*s || isspace((unsigned char)*s))
        return 0;
    strtod(s, &end);
    if (*end)
        return 0;
    int digits = 0;
    for (const char *p = s; *p && *p != 'e' && *p != 'E'; p++)
        digits += isdigit((unsigned char)*p) != 0;
    return digits > 0 && digits <= 38;
}

int sqs_msgattrs_validate(const json_t *attrs, int system, size_t *size_out, char *msg, size_t msglen)
{
    const char *kind = system ? "system" : "user";
    *size_out = 0;
    if (!json_is_object(attrs))
    {
        snprintf(msg, msglen, "Message attributes must be a map.");
        return RN_ERR_INVALID_PARAMETER;
    }
    if (json_object_size(attrs) > 10) {
        snprintf(msg, msglen, "Number of message attributes [%zu] exceeds the allowed maximum [10].",
                 json_object_size(attrs));
        return RN_ERR_INVALID_PARAMETER;
    }
    const char *name;
    json_t *a;
    json_object_foreach((json_t *)attrs, name, a)
    {
        size_t nl = strlen(name);
        if (system && strcmp(name, "AWSTraceHeader") != 0) {
            snprintf(msg, msglen, "Message system attribute name '%s' is invalid.", name);
            return RN_ERR_INVALID_PARAMETER;
        }
        if (!name_ok(name, system)) {
            snprintf(msg, msglen,
                     "Message (%s) attribute name '%s' is invalid. Attribute name can contain A-Z, a-z, 0-9, "
                     "underscore (_), hyphen (-), and period (.) characters.",
                     kind, name);
            return RN_ERR_INVALID_PARAMETER;
        }
        if (json_object_get(a, "StringListValues") || json_object_get(a, "BinaryListValues")) {
            snprintf(msg, msglen, "Message attribute list values in SendMessage operation are not supported.");
            return SQS_ERR_UNSUPPORTED_OPERATION;
        }
        const char *type = json_string_value(json_object_get(a, "DataType"));
        if (!type || !*type) {
            snprintf(msg, msglen, "The message (%s) attribute '%s' must contain a non-empty message attribute type.",
                     kind, name);
            return RN_ERR_INVALID_PARAMETER;
        }
        size_t tl = strlen(type);
        const char *base = NULL;
        if (strncmp(type, "String", 6) == 0 && (type[6] == '\0' || type[6] == '.'))
            base = "String";
        else if (strncmp(type, "Number", 6) == 0 && (type[6] == '\0' || type[6] == '.'))
            base = "Number";
        else if (strncmp(type, "Binary", 6) == 0 && (type[6] == '\0' || type[6] == '.'))
            base = "Binary";
        if (!base || tl > 256 || (type[6] == '.' && type[7] == '\0') || (system && strcmp(type, "String") != 0)) {
            snprintf(msg, msglen,
                     "The type of message (%s) attribute '%s' is invalid. You must use only the following supported "
                     "type prefixes: Binary, Number, String.",
                     kind, name);
            return RN_ERR_INVALID_PARAMETER;
        }
        json_t *sv = json_object_get(a, "StringValue");
        json_t *bv = json_object_get(a, "BinaryValue");
        size_t vlen = 0;
        if (strcmp(base, "Binary") == 0) {
            unsigned char *bin = NULL;
            size_t bl = 0;
            if (!json_is_string(bv) || json_string_length(bv) == 0 || sv) {
                snprintf(msg, msglen, "Message (%s) attribute '%s' must contain a non-empty value of type '%s'.",
                         kind, name, "Binary");
                return RN_ERR_INVALID_PARAMETER;
            }
            if (rn_b64_decode(json_string_value(bv), json_string_length(bv), &bin, &bl) < 0) {
                snprintf(msg, msglen, "Message (%s) attribute '%s' has an invalid binary value.", kind, name);
                return RN_ERR_INVALID_PARAMETER;
            }
            rn_free(bin);
            vlen = bl;
        } else {
            if (!json_is_string(sv) || json_string_length(sv) == 0 || bv) {
                snprintf(msg, msglen, "Message (%s) attribute '%s' must contain a non-empty value of type '%s'.",
                         kind, name, base);
                return RN_ERR_INVALID_PARAMETER;
            }
            const char *s = json_string_value(sv);
            vlen = json_string_length(sv);
            if (bad_char((const unsigned char *)s, vlen) != -1) {
                snprintf(msg, msglen, "Message (%s) attribute '%s' contains invalid characters.", kind, name);
                return RN_ERR_INVALID_PARAMETER;
            }
            if (strcmp(base, "Number") == 0 && !number_ok(s)) {
                snprintf(msg, msglen, "Can't cast the value of message (%s) attribute '%s' to a number.", kind, name);
                return RN_ERR_INVALID_PARAMETER;
            }
        }
        *size_out += nl + tl + vlen;
    }
    return 0;
}
