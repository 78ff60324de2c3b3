/* SPDX-License-Identifier: MIT
 * Targets of a rule: PutTargets (add or replace by Id, at most 5 per rule),
 * RemoveTargets and ListTargetsByRule. Each target keeps the object the user
 * sent (listed back as is) plus what delivery needs: the compiled input
 * transformation, retry policy, dead-letter queue and FIFO group id. */
#include "events/ev_int.h"

#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "core/mem.h"

#define TARGET_ID_PATTERN "[\\.\\-_A-Za-z0-9]+"

static int id_ok(const char *id)
{
    size_t n = strlen(id);
    if (n < 1 || n > 64)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!ev_rule_char((unsigned char)id[i]))
            return 0;
    return 1;
}

int ev_target_from_spec(ev_t *e, const json_t *spec, int index, ev_target_t **out, const char **code, char *msg,
                        size_t msglen)
{
    (void)e;
    const char *id = rn_param_str(spec, "Id"), *arn = rn_param_str(spec, "Arn");
    *code = "ValidationException";
    if (!id || !arn) {
        snprintf(msg, msglen, "Parameter(s) %s must be specified for target.", !id ? "Id" : "Arn");
        return RN_ERR_VALIDATION;
    }
    if (strncmp(arn, "arn:", 4) != 0 || strlen(arn) > 1600) {
        snprintf(msg, msglen, "Parameter %s is not valid. Reason: Provided Arn is not in correct format.", arn);
        return RN_ERR_VALIDATION;
    }
    json_t *rp = json_object_get(spec, "RetryPolicy");
    int attempts = 185, age = 86400;
    if (rp) {
        json_t *a = json_object_get(rp, "MaximumRetryAttempts"), *g = json_object_get(rp, "MaximumEventAgeInSeconds");
        if (a) {
            if (!json_is_integer(a) || json_integer_value(a) < 0 || json_integer_value(a) > 185) {
                snprintf(msg, msglen,
                         "1 validation error detected: Value '%lld' at 'targets.1.member.retryPolicy."
                         "maximumRetryAttempts' failed to satisfy constraint: Member must have value %s",
                         (long long)json_integer_value(a),
                         json_integer_value(a) < 0 ? "greater than or equal to 0" : "less than or equal to 185");
                return RN_ERR_VALIDATION;
            }
            attempts = (int)json_integer_value(a);
        }
        if (g) {
            if (!json_is_integer(g) || json_integer_value(g) < 60 || json_integer_value(g) > 86400) {
                snprintf(msg, msglen,
                         "1 validation error detected: Value '%lld' at 'targets.1.member.retryPolicy."
                         "maximumEventAgeInSeconds' failed to satisfy constraint: Member must have value %s",
                         (long long)json_integer_value(g),
                         json_integer_value(g) < 60 ? "greater than or equal to 60" : "less than or equal to 86400");
                return RN_ERR_VALIDATION;
            }
            age = (int)json_integer_value(g);
        }
    }
    const char *dlq = rn_param_str(json_object_get(spec, "DeadLetterConfig"), "Arn");
    if (dlq && strncmp(dlq, "arn:aws:sqs:", 12) != 0) {
        snprintf(msg, msglen, "Parameter DeadLetterConfig.Arn is not valid. Reason: Only SQS queue ARNs are "
                              "supported as dead-letter queues.");
        return RN_ERR_VALIDATION;
    }
    size_t dn = dlq ? strlen(dlq) : 0;
    if (dn > 5 && strcmp(dlq + dn - 5, ".fifo") == 0) { /* AWS's answer as CloudTrail recorded it */
        snprintf(msg, msglen, "SQS FIFO is not supported by Dead Letter Queues.");
        return RN_ERR_VALIDATION;
    }
    const char *input = rn_param_str(spec, "Input"), *input_path = rn_param_str(spec, "InputPath");
    json_t *xfspec = json_object_get(spec, "InputTransformer");
    ev_transform_t *xf = NULL;
    int rc = ev_transform_compile_target(id, index, input, input_path, xfspec, &xf, msg, msglen);
    if (rc < 0)
        return rc;
    ev_target_t *t = rn_calloc(1, sizeof *t);
    if (!t) {
        ev_transform_free(xf);
        snprintf(msg, msglen, "Out of memory");
        *code = "InternalException";
        return RN_ERR_NOMEM;
    }
    t->id = rn_strdup(id);
    t->arn = rn_strdup(arn);
    t->spec = json_deep_copy(spec);
    t->xf = xf;
    t->max_attempts = attempts;
    t->max_age_s = age;
    t->group_id = rn_param_str(json_object_get(t->spec, "SqsParameters"), "MessageGroupId");
    t->dlq_arn = rn_param_str(json_object_get(t->spec, "DeadLetterConfig"), "Arn");
    if (!t->id || !t->arn || !t->spec) {
        ev_target_free(t);
        *code = "InternalException";
        snprintf(msg, msglen, "Out of memory");
        return RN_ERR_NOMEM;
    }
    *out = t;
    return 0;
}

static int rule_for_targets(ev_t *e, rn_call_t *c, ev_rule_t **out)
{
    const char *name = rn_param_str(c->in, "Rule");
    ev_bus_t *b;
    if (!name)
        return rn_call_fail(c, RN_ERR_VALIDATION,
                            "1 validation error detected: Value null at 'rule' failed to satisfy constraint: Member "
                            "must not be null");
    if (ev_check_name(c, "rule", name, 64, "[\\.\\-_A-Za-z0-9]+", ev_rule_char) < 0 ||
        ev_bus_resolve(e, c, rn_param_str(c->in, "EventBusName"), &b) < 0)
        return c->err;
    ev_rule_t *r = rn_smap_get(&b->rules, name);
    if (!r)
        return rn_call_fail(c, EV_ERR_NOT_FOUND, "Rule %s does not exist on EventBus %s.", name, b->name);
    *out = r;
    return 0;
}

static int target_index(const ev_rule_t *r, const char *id)
{
    for (int i = 0; i < r->ntargets; i++)
        if (strcmp(r->targets[i]->id, id) == 0)
            return i;
    return -1;
}

/* A FIFO queue target needs a message group id (AWS checks it up front). */
static int fifo_needs_group(const json_t *spec)
{
    const char *arn = rn_param_str(spec, "Arn");
    size_t n = arn ? strlen(arn) : 0;
    return n > 5 && strncmp(arn, "arn:aws:sqs:", 12) == 0 && strcmp(arn + n - 5, ".fifo") == 0 &&
           !rn_param_str(json_object_get(spec, "SqsParameters"), "MessageGroupId");
}

int ev_op_put_targets(ev_t *e, rn_call_t *c)
{
    ev_rule_t *r;
    json_t *targets = json_object_get(c->in, "Targets");
    if (!json_is_array(targets))
        return rn_call_fail(c, RN_ERR_VALIDATION,
                            "1 validation error detected: Value null at 'targets' failed to satisfy constraint: "
                            "Member must not be null");
    size_t n = json_array_size(targets);
    if (n < 1 || n > 10)
        return rn_call_fail(c, RN_ERR_VALIDATION,
                            "1 validation error detected: Value '%s' at 'targets' failed to satisfy constraint: "
                            "Member must have length %s",
                            "[...]", n < 1 ? "greater than or equal to 1" : "less than or equal to 10");
    /* the request model's constraints, all targets' violations in one message */
    rn_buf_t errs = {0};
    int nerr = 0;
    size_t i;
    json_t *spec;
    json_array_foreach(targets, i, spec) {
        const char *id = rn_param_str(spec, "Id");
        if (!id || !rn_param_str(spec, "Arn")) {
            rn_buf_free(&errs);
            return rn_call_fail(c, RN_ERR_VALIDATION,
                                "1 validation error detected: Value null at 'targets.%zu.member.%s' failed to satisfy "
                                "constraint: Member must not be null",
                                i + 1, !id ? "id" : "arn");
        }
        if (!id_ok(id)) {
            rn_buf_printf(&errs, "%sValue '%s' at 'targets.%zu.member.id' failed to satisfy constraint: Member must "
                                 "satisfy regular expression pattern: " TARGET_ID_PATTERN,
                          nerr ? "; " : "", id, i + 1);
            nerr++;
            if (strlen(id) > 64)
                rn_buf_printf(&errs, "; Value '%s' at 'targets.%zu.member.id' failed to satisfy constraint: Member "
                                     "must have length less than or equal to 64",
                              id, i + 1), nerr++;
        }
        rn_buf_t one = {0};
        int k = ev_transform_constraints((int)i + 1, rn_param_str(spec, "Input"), rn_param_str(spec, "InputPath"),
                                         json_object_get(spec, "InputTransformer"), &one);
        if (k < 0) {
            rn_buf_free(&one);
            rn_buf_free(&errs);
            return rn_call_fail(c, k, "Unexpected type for a target's input settings.");
        }
        if (k > 0) {
            rn_buf_printf(&errs, "%s%.*s", nerr ? "; " : "", (int)one.len, one.data);
            nerr += k;
        }
        rn_buf_free(&one);
    }
    if (nerr) {
        rn_call_fail(c, RN_ERR_VALIDATION, "%d validation error%s detected: %.*s", nerr, nerr > 1 ? "s" : "",
                     (int)errs.len, errs.data ? errs.data : "");
        rn_buf_free(&errs);
        return c->err;
    }
    rn_buf_free(&errs);
    if (rule_for_targets(e, c, &r) < 0)
        return c->err;
    if (r->managed_by)
        return rn_call_fail(c, EV_ERR_MANAGED_RULE, "Cannot modify rule %s because it is managed by %s.", r->name,
                            r->managed_by);
    json_array_foreach(targets, i, spec) if (fifo_needs_group(spec)) return rn_call_fail(
        c, RN_ERR_VALIDATION, "Parameter(s) SqsParameters must be specified for target: %s.", rn_param_str(spec, "Id"));
    /* the limit counts the targets the rule would have afterwards */
    int after = r->ntargets;
    json_array_foreach(targets, i, spec) {
        int dup = target_index(r, rn_param_str(spec, "Id")) >= 0;
        for (size_t j = 0; j < i && !dup; j++)
            dup = strcmp(rn_param_str(json_array_get(targets, j), "Id"), rn_param_str(spec, "Id")) == 0;
        after += !dup;
    }
    if (after > EV_MAX_TARGETS)
        return rn_call_fail(c, EV_ERR_LIMIT_EXCEEDED, "The requested resource exceeds the maximum number allowed.");
    /* compile every target first: a bad one fails the request and changes nothing */
    ev_target_t *made[10] = {0};
    json_array_foreach(targets, i, spec) {
        const char *code;
        int rc = ev_target_from_spec(e, spec, (int)i + 1, &made[i], &code, c->msg, sizeof c->msg);
        if (rc < 0) {
            for (size_t j = 0; j < i; j++)
                ev_target_free(made[j]);
            return c->err = rc;
        }
    }
    for (i = 0; i < n; i++) { /* the same Id twice: the last one wins */
        int at = target_index(r, made[i]->id);
        if (at >= 0) {
            ev_target_free(r->targets[at]);
            r->targets[at] = made[i];
        } else {
            r->targets[r->ntargets++] = made[i];
        }
    }
    ev_rule_persist(e, r);
    c->out = json_pack("{s:i,s:[]}", "FailedEntryCount", 0, "FailedEntries");
    return 0;
}

int ev_op_remove_targets(ev_t *e, rn_call_t *c)
{
    ev_rule_t *r;
    json_t *ids = json_object_get(c->in, "Ids");
    if (!json_is_array(ids))
        return rn_call_fail(c, RN_ERR_VALIDATION,
                            "1 validation error detected: Value null at 'ids' failed to satisfy constraint: Member "
                            "must not be null");
    size_t n = json_array_size(ids);
    if (n < 1 || n > 100)
        return rn_call_fail(c, RN_ERR_VALIDATION,
                            "1 validation error detected: Value '[...]' at 'ids' failed to satisfy constraint: Member "
                            "must have length %s",
                            n < 1 ? "greater than or equal to 1" : "less than or equal to 100");
    if (rule_for_targets(e, c, &r) < 0)
        return c->err;
    if (r->managed_by && !json_is_true(json_object_get(c->in, "Force")))
        return rn_call_fail(c, EV_ERR_MANAGED_RULE, "Cannot modify rule %s because it is managed by %s.", r->name,
                            r->managed_by);
    json_t *failed = json_array();
    size_t i;
    json_t *jid;
    json_array_foreach(ids, i, jid) {
        const char *id = json_string_value(jid);
        int at = id ? target_index(r, id) : -1;
        if (at < 0)
            continue; /* AWS reports nothing for an id the rule does not have */
        ev_target_free(r->targets[at]);
        memmove(&r->targets[at], &r->targets[at + 1], (size_t)(r->ntargets - at - 1) * sizeof r->targets[0]);
        r->ntargets--;
    }
    ev_rule_persist(e, r);
    c->out = json_pack("{s:I,s:o}", "FailedEntryCount", (json_int_t)json_array_size(failed), "FailedEntries", failed);
    return 0;
}

int ev_op_list_targets_by_rule(ev_t *e, rn_call_t *c)
{
    ev_rule_t *r;
    int limit;
    const char *from;
    if (rule_for_targets(e, c, &r) < 0 || ev_page_params(c, &limit, &from) < 0)
        return c->err;
    json_t *arr = json_array();
    c->out = json_object();
    int count = 0, started = from == NULL;
    for (int i = 0; i < r->ntargets; i++) {
        if (!started && strcmp(r->targets[i]->id, from) == 0)
            started = 1;
        if (!started)
            continue;
        if (count == limit) {
            json_object_set_new(c->out, "NextToken", json_string(r->targets[i]->id));
            break;
        }
        json_array_append(arr, r->targets[i]->spec);
        count++;
    }
    json_object_set_new(c->out, "Targets", arr);
    return 0;
}
