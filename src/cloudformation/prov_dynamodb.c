/* SPDX-License-Identifier: MIT
 * CloudFormation's dynamodb resources (none yet). */
#include "cloudformation/cfn_int.h"

const cfn_provider_t *const cfn_prov_dynamodb[] = {NULL};
