/* SPDX-License-Identifier: MIT
 * Amazon SES v1's API (2010-12-01, the query protocol), the operations
 * Runnel serves, as one protocol-neutral description. Lists and maps are
 * wrapped on the query wire (Destination.ToAddresses.member.1,
 * <VerificationAttributes><entry><key/><value/></entry>). */
#include <stddef.h>

#include "ses/ses.h"

static const rn_shape_t S_STR = {RN_T_STR}, S_INT = {RN_T_INT}, S_LONG = {RN_T_LONG}, S_BLOB = {RN_T_BLOB},
                        S_TIME = {RN_T_TIME};
/* a double: the codec writes the number the result holds */
static const rn_shape_t S_DOUBLE = {RN_T_STR};
static const rn_shape_t L_STR = {RN_T_LIST, .elem = &S_STR};

static const rn_member_t destination_m[] = {RN_MEMBER("ToAddresses", L_STR), RN_MEMBER("CcAddresses", L_STR),
                                            RN_MEMBER("BccAddresses", L_STR), RN_END};
static const rn_shape_t T_DESTINATION = {RN_T_STRUCT, destination_m};
static const rn_member_t content_m[] = {RN_MEMBER("Data", S_STR), RN_MEMBER("Charset", S_STR), RN_END};
static const rn_shape_t T_CONTENT = {RN_T_STRUCT, content_m};
static const rn_member_t body_m[] = {RN_MEMBER("Text", T_CONTENT), RN_MEMBER("Html", T_CONTENT), RN_END};
static const rn_shape_t T_BODY = {RN_T_STRUCT, body_m};
static const rn_member_t message_m[] = {RN_MEMBER("Subject", T_CONTENT), RN_MEMBER("Body", T_BODY), RN_END};
static const rn_shape_t T_MESSAGE = {RN_T_STRUCT, message_m};
static const rn_member_t tag_m[] = {RN_MEMBER("Name", S_STR), RN_MEMBER("Value", S_STR), RN_END};
static const rn_shape_t T_TAG = {RN_T_STRUCT, tag_m};
static const rn_shape_t L_TAG = {RN_T_LIST, .elem = &T_TAG};
static const rn_member_t raw_m[] = {RN_MEMBER("Data", S_BLOB), RN_END};
static const rn_shape_t T_RAW = {RN_T_STRUCT, raw_m};
static const rn_member_t template_m[] = {RN_MEMBER("TemplateName", S_STR), RN_MEMBER("SubjectPart", S_STR),
                                         RN_MEMBER("TextPart", S_STR), RN_MEMBER("HtmlPart", S_STR), RN_END};
static const rn_shape_t T_TEMPLATE = {RN_T_STRUCT, template_m};
static const rn_member_t attrs_m[] = {RN_MEMBER("VerificationStatus", S_STR), RN_MEMBER("VerificationToken", S_STR),
                                      RN_END};
static const rn_shape_t T_ATTRS = {RN_T_STRUCT, attrs_m};
static const rn_shape_t M_ATTRS = {RN_T_MAP, .elem = &T_ATTRS};
static const rn_member_t tpl_meta_m[] = {RN_MEMBER("Name", S_STR), RN_MEMBER("CreatedTimestamp", S_TIME), RN_END};
static const rn_shape_t T_TPL_META = {RN_T_STRUCT, tpl_meta_m};
static const rn_shape_t L_TPL_META = {RN_T_LIST, .elem = &T_TPL_META};
static const rn_member_t point_m[] = {RN_MEMBER("Timestamp", S_TIME), RN_MEMBER("DeliveryAttempts", S_LONG),
                                      RN_MEMBER("Bounces", S_LONG), RN_MEMBER("Complaints", S_LONG),
                                      RN_MEMBER("Rejects", S_LONG), RN_END};
static const rn_shape_t T_POINT = {RN_T_STRUCT, point_m};
static const rn_shape_t L_POINT = {RN_T_LIST, .elem = &T_POINT};

#define SENDING_COMMON                                                                                                \
    RN_MEMBER("ReplyToAddresses", L_STR), RN_MEMBER("ReturnPath", S_STR), RN_MEMBER("SourceArn", S_STR),              \
        RN_MEMBER("ReturnPathArn", S_STR), RN_MEMBER("Tags", L_TAG), RN_MEMBER("ConfigurationSetName", S_STR)

static const rn_member_t email_in[] = {RN_MEMBER("EmailAddress", S_STR), RN_END};
static const rn_member_t domain_in[] = {RN_MEMBER("Domain", S_STR), RN_END};
static const rn_member_t domain_out[] = {RN_MEMBER("VerificationToken", S_STR), RN_END};
static const rn_member_t identity_in[] = {RN_MEMBER("Identity", S_STR), RN_END};
static const rn_member_t list_ids_in[] = {RN_MEMBER("IdentityType", S_STR), RN_MEMBER("NextToken", S_STR),
                                          RN_MEMBER("MaxItems", S_INT), RN_END};
static const rn_member_t list_ids_out[] = {RN_MEMBER("Identities", L_STR), RN_MEMBER("NextToken", S_STR), RN_END};
static const rn_member_t attrs_in[] = {RN_MEMBER("Identities", L_STR), RN_END};
static const rn_member_t attrs_out[] = {RN_MEMBER("VerificationAttributes", M_ATTRS), RN_END};
static const rn_member_t send_in[] = {RN_MEMBER("Source", S_STR), RN_MEMBER("Destination", T_DESTINATION),
                                      RN_MEMBER("Message", T_MESSAGE), SENDING_COMMON, RN_END};
static const rn_member_t send_out[] = {RN_MEMBER("MessageId", S_STR), RN_END};
static const rn_member_t raw_in[] = {RN_MEMBER("Source", S_STR), RN_MEMBER("Destinations", L_STR),
                                     RN_MEMBER("RawMessage", T_RAW), RN_MEMBER("FromArn", S_STR),
                                     RN_MEMBER("SourceArn", S_STR), RN_MEMBER("ReturnPathArn", S_STR),
                                     RN_MEMBER("Tags", L_TAG), RN_MEMBER("ConfigurationSetName", S_STR), RN_END};
static const rn_member_t templated_in[] = {RN_MEMBER("Source", S_STR), RN_MEMBER("Destination", T_DESTINATION),
                                           SENDING_COMMON, RN_MEMBER("Template", S_STR),
                                           RN_MEMBER("TemplateArn", S_STR), RN_MEMBER("TemplateData", S_STR), RN_END};
static const rn_member_t template_in[] = {RN_MEMBER("Template", T_TEMPLATE), RN_END};
static const rn_member_t template_name_in[] = {RN_MEMBER("TemplateName", S_STR), RN_END};
static const rn_member_t get_template_out[] = {RN_MEMBER("Template", T_TEMPLATE), RN_END};
static const rn_member_t list_tpl_in[] = {RN_MEMBER("NextToken", S_STR), RN_MEMBER("MaxItems", S_INT), RN_END};
static const rn_member_t list_tpl_out[] = {RN_MEMBER("TemplatesMetadata", L_TPL_META), RN_MEMBER("NextToken", S_STR),
                                           RN_END};
static const rn_member_t quota_out[] = {RN_MEMBER("Max24HourSend", S_DOUBLE), RN_MEMBER("MaxSendRate", S_DOUBLE),
                                        RN_MEMBER("SentLast24Hours", S_DOUBLE), RN_END};
static const rn_member_t stats_out[] = {RN_MEMBER("SendDataPoints", L_POINT), RN_END};
static const rn_member_t none[] = {RN_END};

static const rn_op_t ops[] = {
    {"VerifyEmailIdentity", email_in, none},
    {"VerifyEmailAddress", email_in, NULL},
    {"VerifyDomainIdentity", domain_in, domain_out},
    {"DeleteIdentity", identity_in, none},
    {"ListIdentities", list_ids_in, list_ids_out},
    {"GetIdentityVerificationAttributes", attrs_in, attrs_out},
    {"SendEmail", send_in, send_out},
    {"SendRawEmail", raw_in, send_out},
    {"SendTemplatedEmail", templated_in, send_out},
    {"CreateTemplate", template_in, none},
    {"GetTemplate", template_name_in, get_template_out},
    {"UpdateTemplate", template_in, none},
    {"DeleteTemplate", template_name_in, none},
    {"ListTemplates", list_tpl_in, list_tpl_out},
    {"GetSendQuota", none, quota_out},
    {"GetSendStatistics", none, stats_out},
    {NULL, NULL, NULL},
};

const rn_api_t ses_api = {ops, "http://ses.amazonaws.com/doc/2010-12-01/", NULL, NULL};
