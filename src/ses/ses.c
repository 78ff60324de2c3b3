/* SPDX-License-Identifier: MIT
 * SES's state for one account and region, its records, the operation table
 * of both faces, and the checks every operation shares (required members,
 * addresses, verified senders). State is three JSON values on the loop:
 * identities and templates by name, and the captured mails; each change is
 * written through the store as a keyed record (namespaces in ses_int.h). */
#include "ses/ses_int.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/json_alloc.h"
#include "core/mem.h"

static const rn_err_info_t ses_rows[] = {SES_ERR_TABLE(RN_ERR_ROW)};
const rn_err_table_t ses_errors = {SES_ERR_FIRST_ + 1, sizeof ses_rows / sizeof ses_rows[0], ses_rows};

int ses_new(const rn_service_env_t *env, ses_t **out)
{
    ses_t *s = rn_calloc(1, sizeof *s);
    if (!s)
        return RN_ERR_NOMEM;
    s->store = env->store;
    s->cfg = env->cfg;
    s->ids = json_object();
    s->tpls = json_object();
    s->mails = json_array();
    if (!s->ids || !s->tpls || !s->mails) {
        ses_free(s);
        return RN_ERR_NOMEM;
    }
    *out = s;
    return 0;
}

void ses_free(ses_t *s)
{
    if (!s)
        return;
    json_decref(s->ids);
    json_decref(s->tpls);
    json_decref(s->mails);
    rn_free(s);
}

void ses_reset(ses_t *s)
{
    json_object_clear(s->ids);
    json_object_clear(s->tpls);
    json_array_clear(s->mails);
    s->seq = 0;
}

int ses_load_kv(ses_t *s, const char *ns, const char *key, const char *value)
{
    if (strcmp(ns, SES_NS_MAIL) == 0)
        return ses_capture_load(s, key, value);
    json_t *into = strcmp(ns, SES_NS_ID) == 0 ? s->ids : strcmp(ns, SES_NS_TPL) == 0 ? s->tpls : NULL;
    if (!into)
        return 0;
    json_t *v = json_loads(value, 0, NULL);
    if (!json_is_object(v)) {
        json_decref(v);
        return 0; /* unreadable: skipped */
    }
    return json_object_set_new(into, key, v) < 0 ? RN_ERR_NOMEM : 0;
}

json_t *ses_stats(ses_t *s)
{
    return json_pack("{s:I,s:I,s:I}", "identities", (json_int_t)json_object_size(s->ids), "templates",
                     (json_int_t)json_object_size(s->tpls), "captured", (json_int_t)json_array_size(s->mails));
}

int ses_call(ses_t *s, rn_call_t *c)
{
    static const struct {
        const char *name;
        int (*fn)(ses_t *, rn_call_t *);
    } ops[] = {
        {"VerifyEmailIdentity", ses_op_verify_email},
        {"VerifyEmailAddress", ses_op_verify_email},
        {"VerifyDomainIdentity", ses_op_verify_domain},
        {"DeleteIdentity", ses_op_delete_identity},
        {"ListIdentities", ses_op_list_identities},
        {"GetIdentityVerificationAttributes", ses_op_verification_attributes},
        {"SendEmail", ses_op_send_email},
        {"SendRawEmail", ses_op_send_raw},
        {"SendTemplatedEmail", ses_op_send_templated},
        {"CreateTemplate", ses_op_create_template},
        {"GetTemplate", ses_op_get_template},
        {"UpdateTemplate", ses_op_update_template},
        {"DeleteTemplate", ses_op_delete_template},
        {"ListTemplates", ses_op_list_templates},
        {"GetSendQuota", ses_op_send_quota},
        {"GetSendStatistics", ses_op_send_statistics},
        {"v2.CreateEmailIdentity", ses_op_v2_create_identity},
        {"v2.GetEmailIdentity", ses_op_v2_get_identity},
        {"v2.ListEmailIdentities", ses_op_v2_list_identities},
        {"v2.DeleteEmailIdentity", ses_op_v2_delete_identity},
        {"v2.SendEmail", ses_op_v2_send},
        {"v2.CreateEmailTemplate", ses_op_create_template},
        {"v2.GetEmailTemplate", ses_op_get_template},
        {"v2.UpdateEmailTemplate", ses_op_update_template},
        {"v2.DeleteEmailTemplate", ses_op_delete_template},
        {"v2.ListEmailTemplates", ses_op_list_templates},
        {"v2.GetAccount", ses_op_v2_get_account},
    };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (strcmp(ops[i].name, c->op) == 0)
            return ops[i].fn(s, c) < 0 ? c->err : 0;
    return rn_call_fail(c, RN_ERR_INVALID_ACTION, "The action %s is not valid for this endpoint.", c->op);
}

/* ---- shared checks ---- */

void ses_require(ses_violations_t *v, const char *at, const json_t *val)
{
    if (val && !json_is_null(val))
        return;
    size_t len = strlen(v->text);
    if (v->n++ && len + 2 < sizeof v->text) {
        memcpy(v->text + len, "; ", 3);
        len += 2;
    }
    snprintf(v->text + len, sizeof v->text - len,
             "Value null at '%s' failed to satisfy constraint: Member must not be null", at);
}

int ses_violations_fail(rn_call_t *c, const ses_violations_t *v)
{
    if (!v->n)
        return 0;
    return rn_call_fail(c, ses_is_v2(c) ? SES_ERR_V2_BAD_REQUEST : SES_ERR_VALIDATION,
                        "%d validation error%s detected: %s", v->n, v->n == 1 ? "" : "s", v->text);
}

void ses_bare_address(const char *addr, char *out, size_t n)
{
    const char *lt = strrchr(addr, '<');
    const char *gt = lt ? strchr(lt, '>') : NULL;
    if (lt && gt)
        snprintf(out, n, "%.*s", (int)(gt - lt - 1), lt + 1);
    else
        snprintf(out, n, "%s", addr);
}

static int bad_address(rn_call_t *c, const char *why)
{
    return rn_call_fail(c, ses_is_v2(c) ? SES_ERR_V2_BAD_REQUEST : RN_ERR_INVALID_PARAMETER, "%s", why);
}

int ses_check_address(rn_call_t *c, const char *addr)
{
    const char *lt = strrchr(addr, '<');
    if (lt && !strchr(lt, '>'))
        return bad_address(c, "Missing '>'");
    char a[512];
    ses_bare_address(addr, a, sizeof a);
    const char *at = strrchr(a, '@');
    if (!at)
        return bad_address(c, "Missing final '@domain'");
    if (at == a)
        return bad_address(c, "Missing local name");
    if (!at[1])
        return bad_address(c, "Missing domain");
    for (const char *p = a; p < at; p++)
        if ((unsigned char)*p <= ' ' || *p == 0x7f)
            return bad_address(c, "Local address contains control or whitespace");
    for (const char *p = at + 1; *p; p++) {
        if ((unsigned char)*p <= ' ' || *p == 0x7f)
            return bad_address(c, "Domain contains control or whitespace");
        if (!isalnum((unsigned char)*p) && !strchr(".-[]_:", *p) && (unsigned char)*p < 0x80)
            return bad_address(c, "Domain contains illegal character");
    }
    return 0;
}

int ses_may_send(const ses_t *s, const char *addr)
{
    char a[512];
    ses_bare_address(addr, a, sizeof a);
    if (json_object_get(s->ids, a))
        return 1;
    const char *at = strrchr(a, '@');
    if (!at)
        return 0;
    const char *k;
    json_t *v;
    json_object_foreach(s->ids, k, v)
    {
        if (strcasecmp(k, at + 1) == 0)
            return 1;
    }
    return 0;
}

int ses_reject_unverified(ses_t *s, rn_call_t *c, const char *addr)
{
    char region[64], a[512];
    size_t i = 0;
    for (; s->cfg->region[i] && i + 1 < sizeof region; i++)
        region[i] = (char)toupper((unsigned char)s->cfg->region[i]);
    region[i] = '\0';
    ses_bare_address(addr, a, sizeof a);
    return rn_call_fail(c, SES_ERR_MESSAGE_REJECTED,
                        "Email address is not verified. The following identities failed the check in region %s: %s",
                        region, a);
}

void ses_store_put(ses_t *s, const char *ns, const char *key, const json_t *rec)
{
    char *txt = json_dumps(rec, JSON_COMPACT);
    if (txt)
        rn_store_kv_put(s->store, ns, key, txt);
    rn_json_free(txt);
}

int ses_nomem(rn_call_t *c)
{
    return rn_call_fail(c, RN_ERR_NOMEM, "Out of memory");
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

const char **ses_sorted_keys(const json_t *o, size_t *n)
{
    *n = 0;
    size_t k = json_object_size(o);
    const char **keys = k ? rn_malloc(k * sizeof *keys) : NULL;
    if (!keys)
        return NULL;
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)o, key, v) keys[(*n)++] = key;
    qsort(keys, *n, sizeof *keys, cmp_str);
    return keys;
}
