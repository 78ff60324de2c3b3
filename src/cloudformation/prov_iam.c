/* SPDX-License-Identifier: MIT
 * CloudFormation's IAM resources. Runnel has no IAM service and checks no
 * permissions, so AWS::IAM::Role, Policy, ManagedPolicy, InstanceProfile,
 * User and Group are accepted and stored by the stack only: each gets the
 * physical id and attributes AWS gives it (a role's ARN, which Lambda's
 * CreateFunction takes, is arn:aws:iam::ACCOUNT:role/PATH/NAME, with no
 * region), and nothing else is created or deleted. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cloudformation/cfn_int.h"
#include "cloudformation/prov_int.h"
#include "core/ids.h"

/* An IAM unique id: its 4-letter prefix (AROA for roles, ANPA for managed
 * policies, AIPA for instance profiles, AIDA for users, AGPA for groups)
 * and 17 upper-case letters and digits. */
static void unique_id(const char *prefix, char *out, size_t len)
{
    static const char alnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    char rnd[18];
    for (int i = 0; i < 17; i++)
        rnd[i] = alnum[rn_rand64() % 36];
    rnd[17] = 0;
    snprintf(out, len, "%s%s", prefix, rnd);
}

/* What each named IAM type needs: its name property, the longest name,
 * the word in its ARN, its id prefix and the attribute holding the id. */
typedef struct iam_kind {
    const char *type, *name_prop;
    size_t max;
    const char *arn_word, *id_prefix, *id_attr;
    int ref_is_arn; /* ManagedPolicy: Ref gives the ARN */
} iam_kind_t;

static const iam_kind_t kinds[] = {
    {"AWS::IAM::Role", "RoleName", 64, "role", "AROA", "RoleId", 0},
    {"AWS::IAM::ManagedPolicy", "ManagedPolicyName", 128, "policy", "ANPA", "PolicyId", 1},
    {"AWS::IAM::InstanceProfile", "InstanceProfileName", 128, "instance-profile", "AIPA", NULL, 0},
    {"AWS::IAM::User", "UserName", 64, "user", "AIDA", NULL, 0},
    {"AWS::IAM::Group", "GroupName", 128, "group", "AGPA", NULL, 0},
};

static const iam_kind_t *kind_of(const char *type)
{
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (!strcmp(kinds[i].type, type))
            return &kinds[i];
    return NULL;
}

static int named_create(cfn_op_t *op)
{
    const iam_kind_t *k = kind_of(op->type);
    if (!k) {
        snprintf(op->msg, sizeof op->msg, "Runnel does not support resource type %s", op->type);
        return -1;
    }
    char name[200];
    cfn_given_name(op, k->name_prop, k->max, NULL, name, sizeof name);
    const char *path = json_string_value(json_object_get(op->props, "Path"));
    if (!path || !*path)
        path = "/";
    char arn[600], id[32];
    snprintf(arn, sizeof arn, "arn:aws:iam::%s:%s%s%s", op->account, k->arn_word, path, name);
    unique_id(k->id_prefix, id, sizeof id);
    snprintf(op->physical, sizeof op->physical, "%s", k->ref_is_arn ? arn : name);
    json_decref(op->attrs);
    if (k->ref_is_arn) {
        size_t attached = json_array_size(json_object_get(op->props, "Roles")) +
                          json_array_size(json_object_get(op->props, "Users")) +
                          json_array_size(json_object_get(op->props, "Groups"));
        op->attrs = json_pack("{s:s,s:s,s:s,s:I,s:b}", "PolicyArn", arn, "PolicyId", id, "DefaultVersionId", "v1",
                              "AttachmentCount", (json_int_t)attached, "IsAttachable", 1);
    } else {
        op->attrs = json_pack("{s:s}", "Arn", arn);
        if (k->id_attr)
            json_object_set_new(op->attrs, k->id_attr, json_string(id));
    }
    return 0;
}

/* An update in place changes nothing outside the stack: the physical id and
 * attributes stay (a managed policy's new document is its next version). */
static int stored_update(cfn_op_t *op)
{
    cfn_keep_physical(op);
    const char *ver = json_string_value(json_object_get(op->attrs, "DefaultVersionId"));
    if (ver && ver[0] == 'v' && cfn_prop_changed(op, "PolicyDocument")) {
        char next[32];
        snprintf(next, sizeof next, "v%d", (int)strtol(ver + 1, NULL, 10) + 1);
        json_object_set_new(op->attrs, "DefaultVersionId", json_string(next));
    }
    if (op->attrs && json_object_get(op->attrs, "AttachmentCount"))
        json_object_set_new(op->attrs, "AttachmentCount",
                            json_integer((json_int_t)(json_array_size(json_object_get(op->props, "Roles")) +
                                                      json_array_size(json_object_get(op->props, "Users")) +
                                                      json_array_size(json_object_get(op->props, "Groups")))));
    return 0;
}

/* AWS::IAM::Policy: an inline policy of roles, users and groups; its Ref is
 * an id CloudFormation makes up (STACK-LOGIC-RANDOM, short). */
static int policy_create(cfn_op_t *op)
{
    cfn_name(op, 25, NULL, op->physical, sizeof op->physical);
    json_decref(op->attrs);
    op->attrs = json_pack("{s:s}", "Id", op->physical);
    return 0;
}

static int stored_delete(cfn_op_t *op)
{
    (void)op;
    return 0;
}

static const char *const role_props[] = {"AssumeRolePolicyDocument",
                                         "Description",
                                         "ManagedPolicyArns",
                                         "MaxSessionDuration",
                                         "Path",
                                         "PermissionsBoundary",
                                         "Policies",
                                         "RoleName",
                                         "Tags",
                                         NULL};
static const char *const role_required[] = {"AssumeRolePolicyDocument", NULL};
static const char *const role_replace[] = {"Path", "RoleName", NULL};
static const char *const role_attrs[] = {"Arn", "RoleId", NULL};
static const cfn_provider_t role = {
    "AWS::IAM::Role", role_props, role_required, role_replace, role_attrs, named_create, stored_update, stored_delete,
};

static const char *const policy_props[] = {"Groups", "PolicyDocument", "PolicyName", "Roles", "Users", NULL};
static const char *const policy_required[] = {"PolicyDocument", "PolicyName", NULL};
static const char *const policy_attrs[] = {"Id", NULL};
static const cfn_provider_t policy = {
    "AWS::IAM::Policy", policy_props, policy_required, NULL, policy_attrs, policy_create, stored_update, stored_delete,
};

static const char *const managed_props[] = {
    "Description", "Groups", "ManagedPolicyName", "Path", "PolicyDocument", "Roles", "Users", NULL};
static const char *const managed_required[] = {"PolicyDocument", NULL};
static const char *const managed_replace[] = {"Description", "ManagedPolicyName", "Path", NULL};
static const char *const managed_attrs[] = {"AttachmentCount", "DefaultVersionId", "IsAttachable",
                                            "PolicyArn",       "PolicyId",         NULL};
static const cfn_provider_t managed_policy = {
    "AWS::IAM::ManagedPolicy",
    managed_props,
    managed_required,
    managed_replace,
    managed_attrs,
    named_create,
    stored_update,
    stored_delete,
};

static const char *const profile_props[] = {"InstanceProfileName", "Path", "Roles", NULL};
static const char *const profile_required[] = {"Roles", NULL};
static const char *const profile_replace[] = {"InstanceProfileName", "Path", NULL};
static const char *const arn_only[] = {"Arn", NULL};
static const cfn_provider_t instance_profile = {
    "AWS::IAM::InstanceProfile",
    profile_props,
    profile_required,
    profile_replace,
    arn_only,
    named_create,
    stored_update,
    stored_delete,
};

static const char *const user_props[] = {"Groups",   "LoginProfile", "ManagedPolicyArns", "Path", "PermissionsBoundary",
                                         "Policies", "Tags",         "UserName",          NULL};
static const char *const user_replace[] = {"UserName", NULL};
static const cfn_provider_t user = {
    "AWS::IAM::User", user_props, NULL, user_replace, arn_only, named_create, stored_update, stored_delete,
};

static const char *const group_props[] = {"GroupName", "ManagedPolicyArns", "Path", "Policies", NULL};
static const char *const group_replace[] = {"GroupName", NULL};
static const cfn_provider_t group = {
    "AWS::IAM::Group", group_props, NULL, group_replace, arn_only, named_create, stored_update, stored_delete,
};

const cfn_provider_t *const cfn_prov_iam[] = {&role, &policy, &managed_policy, &instance_profile, &user, &group, NULL};
