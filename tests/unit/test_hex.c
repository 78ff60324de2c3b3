/* SPDX-License-Identifier: MIT
 * Hex digits and percent-decoding (core/hex.c): the lenient form SigV4 and
 * REST paths use, the strict form of form bodies, and '+' handling. */
#include "core/hex.h"
#include "unit.h"

TEST(test_hex_val_and_encode)
{
    CHECK_INT(rn_hex_val('0'), 0);
    CHECK_INT(rn_hex_val('9'), 9);
    CHECK_INT(rn_hex_val('a'), 10);
    CHECK_INT(rn_hex_val('F'), 15);
    CHECK_INT(rn_hex_val('g'), -1);
    CHECK_INT(rn_hex_val(0xC3), -1);
    CHECK_INT(rn_hex_val(-61), -1); /* a high byte read through a signed char */
    char out[9];
    rn_hex_encode("\x00\x7f\xab\xff", 4, out);
    CHECK_STR(out, "007fabff");
}

TEST(test_pct_decode_lenient_keeps_broken_escapes)
{
    char out[32];
    size_t bad = 99;
    CHECK_INT(rn_pct_decode("a%2Fb%2", 7, 0, out, &bad), 5);
    CHECK_STR(out, "a/b%2");
    CHECK_INT(bad, 99);
    CHECK_INT(rn_pct_decode("%zz+%41", 7, 0, out, NULL), 5);
    CHECK_STR(out, "%zz+A");
    CHECK_INT(rn_pct_decode("a+b%20c", 7, RN_PCT_PLUS, out, NULL), 5);
    CHECK_STR(out, "a b c");
    CHECK_INT(rn_pct_decode("", 0, RN_PCT_PLUS, out, NULL), 0);
    CHECK_STR(out, "");
}

TEST(test_pct_decode_strict_reports_the_offset)
{
    char out[32];
    size_t bad = 0;
    CHECK_INT(rn_pct_decode("ok%41", 5, RN_PCT_STRICT, out, &bad), 3);
    CHECK_STR(out, "okA");
    CHECK_INT(rn_pct_decode("ab%4", 4, RN_PCT_STRICT, out, &bad), -1);
    CHECK_INT(bad, 2);
    CHECK_INT(rn_pct_decode("x%g1", 4, RN_PCT_STRICT | RN_PCT_PLUS, out, &bad), -1);
    CHECK_INT(bad, 1);
    /* the decoded text may hold a NUL; the length says where it ends */
    CHECK_INT(rn_pct_decode("a%00b", 5, RN_PCT_STRICT, out, &bad), 3);
    CHECK_INT(out[1], 0);
    CHECK_INT(out[2], 'b');
}

UNIT_MAIN()
