/* SPDX-License-Identifier: MIT
 * The EventBridge providers' shared part: prov_events.c lists them all in
 * cfn_prov_events; the rule, the biggest, lives in prov_events_rule.c. */
#ifndef RN_CFN_PROV_EVENTS_H
#define RN_CFN_PROV_EVENTS_H
#include "cloudformation/cfn_int.h"

/* AWS::Events::Rule (prov_events_rule.c). */
extern const cfn_provider_t cfn_events_rule;
#endif
