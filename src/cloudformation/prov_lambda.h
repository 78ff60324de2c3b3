/* SPDX-License-Identifier: MIT
 * The Lambda providers' shared part: prov_lambda.c (functions) lists them
 * all in cfn_prov_lambda; code packages are built in prov_lambda_code.c;
 * versions and aliases, triggers (event source mappings, permissions,
 * event invoke configs) and layers have their own files. */
#ifndef RN_CFN_PROV_LAMBDA_H
#define RN_CFN_PROV_LAMBDA_H
#include <jansson.h>

#include "cloudformation/cfn_int.h"

extern const cfn_provider_t cfn_lambda_version, cfn_lambda_alias;                  /* prov_lambda_version.c */
extern const cfn_provider_t cfn_lambda_esm, cfn_lambda_permission, cfn_lambda_eic; /* prov_lambda_triggers.c */
extern const cfn_provider_t cfn_lambda_layer;                                      /* prov_lambda_layer.c */

/* The function's Code property as CreateFunction's Code (and
 * UpdateFunctionCode's members): {"ZipFile": base64} for inline source
 * (index.py / index.js by runtime) and Code.RunnelZipPath, or
 * {"RunnelCodeDirectory": dir}. Returns 0 with *out (new), or -1 with
 * op->msg (S3 and image sources are refused with the reason). */
int cfn_lambda_code(cfn_op_t *op, const json_t *code, const char *runtime, json_t **out);

/* A layer's Content (RunnelZipPath, or RunnelCodeDirectory zipped here) as
 * PublishLayerVersion's Content: 0 with *out ({"ZipFile": base64}), or -1
 * with op->msg. */
int cfn_lambda_layer_content(cfn_op_t *op, const json_t *content, json_t **out);
#endif
