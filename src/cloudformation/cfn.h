/* SPDX-License-Identifier: MIT
 * CloudFormation: stacks, change sets and exports, one instance per
 * partition (cfn.c); templates and providers behind it (cfn_int.h). */
#ifndef RN_CFN_H
#define RN_CFN_H
#include "core/service.h"

typedef struct cfn cfn_t;

int cfn_new(const rn_service_env_t *env, cfn_t **out);
void cfn_free(cfn_t *c);
int cfn_load_kv(cfn_t *c, const char *ns, const char *key, const char *value);
int cfn_handle(cfn_t *c, rn_call_t *call);
void cfn_reset(cfn_t *c);
json_t *cfn_stats(cfn_t *c);

extern const rn_api_t cfn_api;
extern const rn_err_table_t cfn_errors;
extern const rn_service_t cfn_service;
#endif
