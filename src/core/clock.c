/* SPDX-License-Identifier: MIT
 * Wall clock with a test offset. */
#include "clock.h"
#include <time.h>

static int64_t offset_ms;

int64_t rn_real_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t rn_now_ms(void)
{
    return rn_real_us() / 1000 + offset_ms;
}

void rn_clock_shift(int64_t delta_ms)
{
    if (delta_ms > 0)
        offset_ms += delta_ms;
}

int64_t rn_clock_offset_ms(void)
{
    return offset_ms;
}
