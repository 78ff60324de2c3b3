/* SPDX-License-Identifier: MIT
 * The one clock every service timer reads: wall-clock epoch milliseconds
 * (so state restored after a restart stays valid) plus an offset that only
 * moves forward, so tests can make time pass (POST /_runnel/clock). What
 * falls due when it moves is run by the services' run_due hooks, in order
 * (core/instances.c). Process-level limits (long-poll waits, HTTP timeouts,
 * move-task pacing, a function's run time) stay on real time. Loop only. */
#ifndef RN_CLOCK_H
#define RN_CLOCK_H
#include <stdint.h>
/* Milliseconds since the Unix epoch, plus the offset. */
int64_t rn_now_ms(void);
/* Real time: microseconds since the Unix epoch, never moved (what a
 * function's deadline and durations are measured in). */
int64_t rn_real_us(void);
/* Moves the clock forward by delta milliseconds (0 or more). */
void rn_clock_shift(int64_t delta_ms);
/* How far the clock has been moved, in milliseconds. */
int64_t rn_clock_offset_ms(void);
#endif
