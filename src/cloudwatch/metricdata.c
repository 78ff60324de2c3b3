/* SPDX-License-Identifier: MIT
 * GetMetricData (stub while the expression engine is written). */
#include "cloudwatch/cw_int.h"
#include "core/call.h"

int cw_get_metric_data(cw_t *cw, rn_call_t *c)
{
    (void)cw;
    return rn_call_fail(c, CW_ERR_INVALID_PARAMETER, "Not yet.");
}
