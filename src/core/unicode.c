/* SPDX-License-Identifier: MIT
 * Opens the C.UTF-8 locale once, on first use, for Unicode character classes
 * (see unicode.h). */
#include "core/unicode.h"

#include <pthread.h>

static pthread_once_t unicode_once = PTHREAD_ONCE_INIT;
static locale_t unicode_loc;

static void unicode_open(void)
{
    unicode_loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
}

locale_t rn_unicode_locale(void)
{
    pthread_once(&unicode_once, unicode_open);
    return unicode_loc;
}
