/* SPDX-License-Identifier: MIT
 * The provider registry and what every provider shares: running another
 * service's operation in the stack's partition (cfn_call), the names
 * CloudFormation makes up for unnamed resources, ARNs. */
#include <stdio.h>
#include <string.h>

#include "cloudformation/cfn_int.h"
#include "core/call.h"
#include "core/err.h"
#include "core/ids.h"

static const cfn_provider_t *const *const tables[] = {
    cfn_prov_sqs, cfn_prov_sns, cfn_prov_logs, cfn_prov_cloudwatch,
    cfn_prov_iam, cfn_prov_dynamodb, cfn_prov_events, cfn_prov_lambda,
};

const cfn_provider_t *cfn_provider(const char *type)
{
    if (!type)
        return NULL;
    for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++)
        for (const cfn_provider_t *const *p = tables[t]; *p; p++)
            if (strcmp((*p)->type, type) == 0)
                return *p;
    return NULL;
}

int cfn_call(cfn_op_t *op, const char *service, const char *opname, json_t *in, json_t **out)
{
    rn_call_t c = {0};
    c.service = service;
    snprintf(c.op, sizeof c.op, "%s", opname);
    snprintf(c.account, sizeof c.account, "%s", op->account);
    snprintf(c.region, sizeof c.region, "%s", op->region);
    snprintf(c.endpoint, sizeof c.endpoint, "%s", op->endpoint ? op->endpoint : "");
    c.in = in ? in : json_object();
    int rc = rn_sinks_call(op->sinks, &c);
    int failed = 0;
    if (rc == RN_PENDING) {
        /* No operation a provider runs parks; one that did cannot be
         * waited for inside a stack operation: it is called off. */
        if (c.cancel)
            c.cancel(&c);
        snprintf(op->msg, sizeof op->msg, "Resource handler returned message: \"%s %s did not finish at once\"",
                 service, opname);
        failed = 1;
    } else if (c.err) {
        snprintf(op->msg, sizeof op->msg, "Resource handler returned message: \"%.960s\"", rn_call_msg(&c));
        failed = 1;
    } else if (rc != 0) {
        snprintf(op->msg, sizeof op->msg, "Resource handler returned message: \"No service %s\"", service);
        failed = 1;
    }
    if (!failed && out)
        *out = c.out ? json_incref(c.out) : json_object();
    json_decref(c.in);
    json_decref(c.out);
    rn_call_clear_msg(&c);
    return failed ? -1 : 0;
}

void cfn_name(const cfn_op_t *op, size_t max, const char *suffix, char *out, size_t outlen)
{
    static const char alnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    char rnd[14];
    for (int i = 0; i < 13; i++)
        rnd[i] = alnum[rn_rand64() % 36];
    rnd[13] = 0;
    size_t sfx = suffix ? strlen(suffix) : 0;
    size_t sl = strlen(op->stack_name), ll = strlen(op->logical_id);
    /* STACK-LOGICAL-RANDOM: 2 dashes and 13 characters are always kept;
     * the stack name and the logical id share what is left, half each,
     * one giving the other what it does not use. */
    size_t room = max > 15 + sfx ? max - 15 - sfx : 0;
    if (sl + ll > room) {
        size_t half = room / 2;
        if (sl < half)
            ll = room - sl;
        else if (ll < half)
            sl = room - ll;
        else {
            sl = half;
            ll = room - half;
        }
    }
    snprintf(out, outlen, "%.*s-%.*s-%s%s", (int)sl, op->stack_name, (int)ll, op->logical_id, rnd,
             suffix ? suffix : "");
}

void cfn_arn(const cfn_op_t *op, const char *service, const char *rest, char *out, size_t outlen)
{
    snprintf(out, outlen, "arn:aws:%s:%s:%s:%s", service, op->region, op->account, rest);
}
