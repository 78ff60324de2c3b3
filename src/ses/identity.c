/* SPDX-License-Identifier: MIT
 * Sending identities, an email address or a domain, for both faces: v1's
 * Verify*, DeleteIdentity, ListIdentities and
 * GetIdentityVerificationAttributes; v2's Create/Get/List/DeleteEmailIdentity.
 * Runnel sends no verification mail and looks up no DNS: an identity is
 * verified the moment it is created (VerificationStatus Success), and a
 * verified domain lets every address at it send. A record is {"type":
 * "EmailAddress"|"Domain", "token" (domains' TXT token), "dkim" (domains'
 * three DKIM tokens), "created" (ms), "tags" (v2)}. */
#include <stdio.h>
#include <string.h>

#include "core/base64.h"
#include "core/clock.h"
#include "core/ids.h"
#include "core/mem.h"
#include "core/params.h"
#include "ses/ses_int.h"

#define LIST_MAX 1000

static int is_domain(const json_t *rec)
{
    return strcmp(json_string_value(json_object_get(rec, "type")) ? json_string_value(json_object_get(rec, "type"))
                                                                  : "",
                  "Domain") == 0;
}

/* The record of a new identity: an address, or a domain with its tokens. */
static json_t *identity_new(int domain, const json_t *tags)
{
    json_t *rec = json_pack("{s:s,s:I}", "type", domain ? "Domain" : "EmailAddress", "created",
                            (json_int_t)rn_now_ms());
    if (rec && domain) {
        unsigned char raw[32];
        rn_rand_bytes(raw, sizeof raw);
        char *token = rn_b64_encode(raw, sizeof raw);
        json_t *dkim = json_array();
        for (int i = 0; i < 3 && dkim; i++) {
            char t[33];
            for (int j = 0; j < 32; j++)
                t[j] = "abcdefghijklmnopqrstuvwxyz234567"[rn_rand64() % 32];
            t[32] = '\0';
            json_array_append_new(dkim, json_string(t));
        }
        if (!token || !dkim || json_object_set_new(rec, "token", json_string(token)) < 0 ||
            json_object_set_new(rec, "dkim", dkim) < 0) {
            json_decref(rec);
            rec = NULL;
        }
        rn_free(token);
    }
    if (rec && json_is_array(tags))
        json_object_set(rec, "tags", (json_t *)tags);
    return rec;
}

/* Adds identity name (when new) and returns its record (borrowed), or NULL
 * when out of memory. */
static json_t *identity_put(ses_t *s, const char *name, int domain, const json_t *tags)
{
    json_t *rec = json_object_get(s->ids, name);
    if (rec)
        return rec;
    if (!(rec = identity_new(domain, tags)) || json_object_set_new(s->ids, name, rec) < 0)
        return NULL;
    ses_store_put(s, SES_NS_ID, name, rec);
    return rec;
}

int ses_op_verify_email(ses_t *s, rn_call_t *c)
{
    const json_t *addr = json_object_get(c->in, "EmailAddress");
    ses_violations_t v = {0};
    ses_require(&v, "emailAddress", json_is_string(addr) ? addr : NULL);
    if (ses_violations_fail(c, &v) < 0 || ses_check_address(c, json_string_value(addr)) < 0)
        return c->err;
    char a[512];
    ses_bare_address(json_string_value(addr), a, sizeof a);
    if (!identity_put(s, a, 0, NULL))
        return ses_nomem(c);
    c->out = json_object();
    return 0;
}

int ses_op_verify_domain(ses_t *s, rn_call_t *c)
{
    const char *domain = rn_param_str(c->in, "Domain");
    ses_violations_t v = {0};
    ses_require(&v, "domain", ses_str(c->in, "Domain"));
    if (ses_violations_fail(c, &v) < 0)
        return c->err;
    if (!*domain || strchr(domain, '@') || strpbrk(domain, " \t\r\n"))
        return rn_call_fail(c, RN_ERR_INVALID_PARAMETER, "Invalid domain name %s.", domain);
    json_t *rec = identity_put(s, domain, 1, NULL);
    if (!rec)
        return ses_nomem(c);
    c->out = json_pack("{s:O}", "VerificationToken", json_object_get(rec, "token"));
    return c->out ? 0 : ses_nomem(c);
}

/* Removes identity name (present or not). */
static void identity_delete(ses_t *s, const char *name)
{
    if (json_object_get(s->ids, name)) {
        json_object_del(s->ids, name);
        rn_store_kv_delete(s->store, SES_NS_ID, name);
    }
}

int ses_op_delete_identity(ses_t *s, rn_call_t *c)
{
    ses_violations_t v = {0};
    ses_require(&v, "identity", ses_str(c->in, "Identity"));
    if (ses_violations_fail(c, &v) < 0)
        return c->err;
    identity_delete(s, rn_param_str(c->in, "Identity"));
    c->out = json_object();
    return 0;
}

/* Answers one page of the identities of the given type (NULL: all) from
 * the call's NextToken (the first name of the page, base64; none: the
 * start): each listed name goes to add, the list to the output's member,
 * with a NextToken when more remain. */
static int list_page(ses_t *s, rn_call_t *c, const char *type, long limit, void (*add)(json_t *, const char *,
                                                                                         const json_t *),
                     const char *member)
{
    const char *token = rn_param_str(c->in, "NextToken");
    unsigned char *from = NULL;
    size_t fl = 0;
    char *next = NULL;
    if (token && rn_b64_decode(token, strlen(token), &from, &fl) < 0)
        return rn_call_fail(c, ses_is_v2(c) ? SES_ERR_V2_BAD_REQUEST : RN_ERR_INVALID_PARAMETER,
                            "Invalid NextToken.");
    json_t *items = json_array();
    size_t n;
    const char **keys = ses_sorted_keys(s->ids, &n);
    long taken = 0;
    for (size_t i = 0; i < n && items; i++) {
        const json_t *rec = json_object_get(s->ids, keys[i]);
        if ((from && strcmp(keys[i], (const char *)from) < 0) ||
            (type && strcmp(json_string_value(json_object_get(rec, "type")), type) != 0))
            continue;
        if (taken == limit) {
            next = rn_b64_encode(keys[i], strlen(keys[i]));
            break;
        }
        add(items, keys[i], rec);
        taken++;
    }
    rn_free(keys);
    rn_free(from);
    c->out = items ? json_pack("{s:o}", member, items) : NULL;
    if (c->out && next)
        json_object_set_new(c->out, "NextToken", json_string(next));
    rn_free(next);
    return c->out ? 0 : ses_nomem(c);
}

static void add_name(json_t *items, const char *name, const json_t *rec)
{
    (void)rec;
    json_array_append_new(items, json_string(name));
}

int ses_op_list_identities(ses_t *s, rn_call_t *c)
{
    const char *type = rn_param_str(c->in, "IdentityType");
    const json_t *max = json_object_get(c->in, "MaxItems");
    if (type && strcmp(type, "EmailAddress") != 0 && strcmp(type, "Domain") != 0)
        return rn_call_fail(c, SES_ERR_VALIDATION,
                            "1 validation error detected: Value '%s' at 'identityType' failed to satisfy constraint: "
                            "Member must satisfy enum value set: [EmailAddress, Domain]",
                            type);
    long limit = max ? (long)json_integer_value(max) : LIST_MAX;
    if (limit < 1 || limit > LIST_MAX)
        limit = LIST_MAX;
    return list_page(s, c, type, limit, add_name, "Identities");
}

int ses_op_verification_attributes(ses_t *s, rn_call_t *c)
{
    const json_t *list = json_object_get(c->in, "Identities");
    ses_violations_t v = {0};
    ses_require(&v, "identities", list);
    if (ses_violations_fail(c, &v) < 0)
        return c->err;
    json_t *attrs = json_object();
    size_t i;
    json_t *id;
    json_array_foreach(list, i, id)
    {
        const json_t *rec = json_object_get(s->ids, json_string_value(id) ? json_string_value(id) : "");
        if (!rec)
            continue; /* AWS leaves out what it does not know */
        json_t *a = json_pack("{s:s}", "VerificationStatus", "Success");
        if (a && is_domain(rec))
            json_object_set(a, "VerificationToken", json_object_get(rec, "token"));
        json_object_set_new(attrs, json_string_value(id), a);
    }
    c->out = json_pack("{s:o}", "VerificationAttributes", attrs);
    return c->out ? 0 : ses_nomem(c);
}

/* ---- v2 ---- */

static json_t *dkim_of(const json_t *rec)
{
    if (!is_domain(rec))
        return json_pack("{s:b,s:s,s:s}", "SigningEnabled", 0, "Status", "NOT_STARTED", "SigningAttributesOrigin",
                         "AWS_SES");
    return json_pack("{s:b,s:s,s:O,s:s,s:s,s:s}", "SigningEnabled", 1, "Status", "SUCCESS", "Tokens",
                     json_object_get(rec, "dkim"), "SigningAttributesOrigin", "AWS_SES", "CurrentSigningKeyLength",
                     "RSA_2048_BIT", "NextSigningKeyLength", "RSA_2048_BIT");
}

static const char *v2_type(const json_t *rec)
{
    return is_domain(rec) ? "DOMAIN" : "EMAIL_ADDRESS";
}

int ses_op_v2_create_identity(ses_t *s, rn_call_t *c)
{
    const char *name = rn_param_str(c->in, "EmailIdentity");
    ses_violations_t v = {0};
    ses_require(&v, "emailIdentity", ses_str(c->in, "EmailIdentity"));
    if (ses_violations_fail(c, &v) < 0)
        return c->err;
    int domain = strchr(name, '@') == NULL;
    if (!*name || (!domain && ses_check_address(c, name) < 0))
        return c->err ? c->err : rn_call_fail(c, SES_ERR_V2_BAD_REQUEST, "Invalid email identity.");
    if (json_object_get(s->ids, name))
        return rn_call_fail(c, SES_ERR_V2_ALREADY_EXISTS, "Email identity %s already exist.", name);
    json_t *rec = identity_put(s, name, domain, json_object_get(c->in, "Tags"));
    if (!rec)
        return ses_nomem(c);
    c->out = json_pack("{s:s,s:b,s:o}", "IdentityType", v2_type(rec), "VerifiedForSendingStatus", 1,
                       "DkimAttributes", dkim_of(rec));
    return c->out ? 0 : ses_nomem(c);
}

static int v2_missing(rn_call_t *c, const char *name)
{
    return rn_call_fail(c, SES_ERR_V2_NOT_FOUND, "Email identity %s does not exist.", name);
}

int ses_op_v2_get_identity(ses_t *s, rn_call_t *c)
{
    const char *name = rn_param_str(c->in, "EmailIdentity");
    const json_t *rec = name ? json_object_get(s->ids, name) : NULL;
    if (!rec)
        return v2_missing(c, name ? name : "");
    const json_t *tags = json_object_get(rec, "tags");
    c->out = json_pack("{s:s,s:b,s:b,s:o,s:{},s:o,s:s,s:{s:I,s:I}}", "IdentityType", v2_type(rec),
                       "FeedbackForwardingStatus", 1, "VerifiedForSendingStatus", 1, "DkimAttributes", dkim_of(rec),
                       "Policies", "Tags", tags ? json_incref((json_t *)tags) : json_array(), "VerificationStatus",
                       "SUCCESS", "VerificationInfo", "LastCheckedTimestamp",
                       (json_int_t)(json_integer_value(json_object_get(rec, "created")) / 1000),
                       "LastSuccessTimestamp",
                       (json_int_t)(json_integer_value(json_object_get(rec, "created")) / 1000));
    return c->out ? 0 : ses_nomem(c);
}

static void add_info(json_t *items, const char *name, const json_t *rec)
{
    json_array_append_new(items, json_pack("{s:s,s:s,s:b,s:s}", "IdentityType", v2_type(rec), "IdentityName", name,
                                           "SendingEnabled", 1, "VerificationStatus", "SUCCESS"));
}

int ses_op_v2_list_identities(ses_t *s, rn_call_t *c)
{
    const json_t *size = json_object_get(c->in, "PageSize");
    long limit = size ? (long)json_integer_value(size) : LIST_MAX;
    if (size && (!json_is_integer(size) || limit < 1 || limit > LIST_MAX))
        return rn_call_fail(c, SES_ERR_V2_BAD_REQUEST, "PageSize must be between 1 and %d.", LIST_MAX);
    return list_page(s, c, NULL, limit, add_info, "EmailIdentities");
}

int ses_op_v2_delete_identity(ses_t *s, rn_call_t *c)
{
    const char *name = rn_param_str(c->in, "EmailIdentity");
    if (!name || !json_object_get(s->ids, name))
        return v2_missing(c, name ? name : "");
    identity_delete(s, name);
    c->out = json_object();
    return 0;
}
