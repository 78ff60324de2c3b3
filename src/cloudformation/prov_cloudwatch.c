/* SPDX-License-Identifier: MIT
 * CloudFormation's cloudwatch resources (none yet). */
#include "cloudformation/cfn_int.h"

const cfn_provider_t *const cfn_prov_cloudwatch[] = {NULL};
