/* SPDX-License-Identifier: MIT
 * Unicode character classes beyond ASCII. The classes come from the C.UTF-8
 * locale, opened once and never through setlocale, so nothing else in the
 * process changes behaviour. Services use it where AWS accepts "letters" in
 * any script. */
#ifndef RN_UNICODE_H
#define RN_UNICODE_H
#include <locale.h>

/* Returns the C.UTF-8 locale for the *_l classification functions, or
 * (locale_t)0 when the system has none. Borrowed; valid for the life of the
 * process. */
locale_t rn_unicode_locale(void);
#endif
