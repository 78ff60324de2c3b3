/* SPDX-License-Identifier: MIT
 * Error table lookup. */
#include "err.h"

static const rn_err_info_t table[] = {
#define RN_ERR_ROW(name, code, shape, status, sender) {code, shape, status, sender},
    RN_ERR_TABLE(RN_ERR_ROW)
#undef RN_ERR_ROW
};

const rn_err_info_t *rn_err_info(int err)
{
    int i = err - RN_ERR_FIRST_ - 1;
    if (i < 0 || i >= (int)(sizeof table / sizeof table[0]))
        return &table[0];
    return &table[i];
}
