/* SPDX-License-Identifier: MIT
 * Log compaction (to come). */
#include "store/engine_log.h"

void lg_compact_step(lg_t *g)
{
    (void)g;
}

void lg_compact_free(lg_t *g)
{
    (void)g;
}
