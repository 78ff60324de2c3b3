/* SPDX-License-Identifier: MIT
 * AWS STS's API (2011-06-15), the operations Runnel serves, as one
 * protocol-neutral description. Lists are wrapped on the query wire
 * (PolicyArns.member.1.arn). */
#include "sts/sts.h"

#include <stddef.h>

static const rn_shape_t S_STR = {RN_T_STR}, S_INT = {RN_T_INT}, S_TIME = {RN_T_TIME};
static const rn_member_t policy_m[] = {RN_MEMBER("arn", S_STR), RN_END};
static const rn_shape_t T_POLICY = {RN_T_STRUCT, policy_m};
static const rn_shape_t L_POLICY = {RN_T_LIST, .elem = &T_POLICY};
static const rn_member_t tag_m[] = {RN_MEMBER("Key", S_STR), RN_MEMBER("Value", S_STR), RN_END};
static const rn_shape_t T_TAG = {RN_T_STRUCT, tag_m};
static const rn_shape_t L_TAG = {RN_T_LIST, .elem = &T_TAG};
static const rn_shape_t L_STR = {RN_T_LIST, .elem = &S_STR};
static const rn_member_t context_m[] = {RN_MEMBER("ProviderArn", S_STR), RN_MEMBER("ContextAssertion", S_STR), RN_END};
static const rn_shape_t T_CONTEXT = {RN_T_STRUCT, context_m};
static const rn_shape_t L_CONTEXT = {RN_T_LIST, .elem = &T_CONTEXT};

static const rn_member_t credentials_m[] = {
    RN_MEMBER("AccessKeyId", S_STR),
    RN_MEMBER("SecretAccessKey", S_STR),
    RN_MEMBER("SessionToken", S_STR),
    RN_MEMBER("Expiration", S_TIME),
    RN_END,
};
static const rn_shape_t T_CREDENTIALS = {RN_T_STRUCT, credentials_m};
static const rn_member_t role_user_m[] = {RN_MEMBER("AssumedRoleId", S_STR), RN_MEMBER("Arn", S_STR), RN_END};
static const rn_shape_t T_ROLE_USER = {RN_T_STRUCT, role_user_m};

static const rn_member_t caller_out[] = {
    RN_MEMBER("UserId", S_STR),
    RN_MEMBER("Account", S_STR),
    RN_MEMBER("Arn", S_STR),
    RN_END,
};
static const rn_member_t assume_in[] = {
    RN_MEMBER("RoleArn", S_STR),
    RN_MEMBER("RoleSessionName", S_STR),
    RN_MEMBER("PolicyArns", L_POLICY),
    RN_MEMBER("Policy", S_STR),
    RN_MEMBER("DurationSeconds", S_INT),
    RN_MEMBER("Tags", L_TAG),
    RN_MEMBER("TransitiveTagKeys", L_STR),
    RN_MEMBER("ExternalId", S_STR),
    RN_MEMBER("SerialNumber", S_STR),
    RN_MEMBER("TokenCode", S_STR),
    RN_MEMBER("SourceIdentity", S_STR),
    RN_MEMBER("ProvidedContexts", L_CONTEXT),
    RN_END,
};
static const rn_member_t assume_out[] = {
    RN_MEMBER("Credentials", T_CREDENTIALS),
    RN_MEMBER("AssumedRoleUser", T_ROLE_USER),
    RN_MEMBER("PackedPolicySize", S_INT),
    RN_MEMBER("SourceIdentity", S_STR),
    RN_END,
};
static const rn_member_t session_in[] = {
    RN_MEMBER("DurationSeconds", S_INT),
    RN_MEMBER("SerialNumber", S_STR),
    RN_MEMBER("TokenCode", S_STR),
    RN_END,
};
static const rn_member_t session_out[] = {RN_MEMBER("Credentials", T_CREDENTIALS), RN_END};
static const rn_member_t none[] = {RN_END};

static const rn_op_t ops[] = {
    {"AssumeRole", assume_in, assume_out},
    {"GetCallerIdentity", none, caller_out},
    {"GetSessionToken", session_in, session_out},
    {NULL, NULL, NULL},
};

const rn_api_t sts_api = {ops, "https://sts.amazonaws.com/doc/2011-06-15/", NULL,
                          "Could not find operation {} for version 2011-06-15"};
