/* SPDX-License-Identifier: MIT
 * CloudFormation's sqs resources (none yet). */
#include "cloudformation/cfn_int.h"

const cfn_provider_t *const cfn_prov_sqs[] = {NULL};
