/* SPDX-License-Identifier: MIT
 * Wall-clock helpers. SQS timestamps are epoch milliseconds; timers compare
 * against the same clock so that state restored after a restart stays valid. */
#ifndef RN_CLOCK_H
#define RN_CLOCK_H
#include <stdint.h>
/* Milliseconds since the Unix epoch (CLOCK_REALTIME). Tests may offset it. */
int64_t rn_now_ms(void);
/* Test hook: shift rn_now_ms() by delta milliseconds. */
void rn_clock_shift(int64_t delta_ms);
#endif
