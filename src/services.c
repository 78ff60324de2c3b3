/* SPDX-License-Identifier: MIT
 * The service table, the one place that names every service. Adding a
 * service: its folder under src/, its rn_service_t, and one line here. */
#include "services.h"

#include <stddef.h>

#include "cloudformation/cfn.h"
#include "cloudwatch/cw.h"
#include "dynamodb/ddb.h"
#include "events/events.h"
#include "lambda/lambda.h"
#include "logs/logs.h"
#include "schemas/schemas.h"
#include "ses/ses.h"
#include "sns/sns.h"
#include "sqs/sqs.h"
#include "sts/sts.h"

const rn_service_t *const rn_services[] = {
    &sqs_service,
    &ev_service,
    &schemas_service,
    &sts_service,
    &lambda_service,
    &logs_service,
    &ddb_service,
    &sns_service,
    &ses_service, /* before sesv2: query requests signed "ses" reach v1 */
    &sesv2_service,
    &cw_service,
    &cfn_service,
    NULL,
};
