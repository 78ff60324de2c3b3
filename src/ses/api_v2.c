/* SPDX-License-Identifier: MIT
 * Amazon SES v2's API (2019-09-27, REST-JSON under /v2/email/), the
 * operations Runnel serves: each one's method, URI template and where its
 * input members travel. Bodies are taken and given as JSON objects keyed by
 * the model's member names (no output descriptions). Other /v2/email/ paths
 * match no route. */
#include <stddef.h>
#include <string.h>

#include "ses/ses.h"

static const rn_shape_t S_STR = {RN_T_STR}, S_INT = {RN_T_INT}, S_ANY = {RN_T_STRUCT};
static const rn_shape_t L_ANY = {RN_T_LIST, .elem = &S_ANY};
static const rn_shape_t L_STR = {RN_T_LIST, .elem = &S_STR};

#define PAGING RN_AT(QUERY, "NextToken", "NextToken", S_STR), RN_AT(QUERY, "PageSize", "PageSize", S_INT)
#define IDENTITY_LABEL RN_AT(URI, "EmailIdentity", "EmailIdentity", S_STR)
#define TEMPLATE_LABEL RN_AT(URI, "TemplateName", "TemplateName", S_STR)

static const rn_member_t create_identity_in[] = {RN_MEMBER("EmailIdentity", S_STR), RN_MEMBER("Tags", L_ANY),
                                                 RN_MEMBER("DkimSigningAttributes", S_ANY),
                                                 RN_MEMBER("ConfigurationSetName", S_STR), RN_END};
static const rn_member_t identity_in[] = {IDENTITY_LABEL, RN_END};
static const rn_member_t paging_in[] = {PAGING, RN_END};
static const rn_member_t send_in[] = {
    RN_MEMBER("FromEmailAddress", S_STR), RN_MEMBER("FromEmailAddressIdentityArn", S_STR),
    RN_MEMBER("Destination", S_ANY), RN_MEMBER("ReplyToAddresses", L_STR),
    RN_MEMBER("FeedbackForwardingEmailAddress", S_STR), RN_MEMBER("FeedbackForwardingEmailAddressIdentityArn", S_STR),
    RN_MEMBER("Content", S_ANY), RN_MEMBER("EmailTags", L_ANY), RN_MEMBER("ConfigurationSetName", S_STR),
    RN_MEMBER("EndpointId", S_STR), RN_MEMBER("TenantName", S_STR), RN_MEMBER("ListManagementOptions", S_ANY),
    RN_END};
static const rn_member_t create_template_in[] = {RN_MEMBER("TemplateName", S_STR), RN_MEMBER("TemplateContent", S_ANY),
                                                 RN_MEMBER("Tags", L_ANY), RN_END};
static const rn_member_t template_in[] = {TEMPLATE_LABEL, RN_END};
static const rn_member_t update_template_in[] = {TEMPLATE_LABEL, RN_MEMBER("TemplateContent", S_ANY), RN_END};
static const rn_member_t none[] = {RN_END};

static const rn_op_t ops[] = {
    {"CreateEmailIdentity", create_identity_in, NULL, "POST", "/v2/email/identities", 200},
    {"GetEmailIdentity", identity_in, NULL, "GET", "/v2/email/identities/{EmailIdentity}", 200},
    {"ListEmailIdentities", paging_in, NULL, "GET", "/v2/email/identities", 200},
    {"DeleteEmailIdentity", identity_in, NULL, "DELETE", "/v2/email/identities/{EmailIdentity}", 200},
    {"SendEmail", send_in, NULL, "POST", "/v2/email/outbound-emails", 200},
    {"CreateEmailTemplate", create_template_in, NULL, "POST", "/v2/email/templates", 200},
    {"GetEmailTemplate", template_in, NULL, "GET", "/v2/email/templates/{TemplateName}", 200},
    {"UpdateEmailTemplate", update_template_in, NULL, "PUT", "/v2/email/templates/{TemplateName}", 200},
    {"DeleteEmailTemplate", template_in, NULL, "DELETE", "/v2/email/templates/{TemplateName}", 200},
    {"ListEmailTemplates", paging_in, NULL, "GET", "/v2/email/templates", 200},
    {"GetAccount", none, NULL, "GET", "/v2/email/account", 200},
    {NULL, NULL, NULL, NULL, NULL, 0},
};

const rn_api_t sesv2_api = {ops, "", NULL, NULL};

/* 1 for SES v2's paths (/v2/email and below). */
int sesv2_owns_path(const char *path)
{
    return strncmp(path, "/v2/email", 9) == 0 && (path[9] == '\0' || path[9] == '/');
}
