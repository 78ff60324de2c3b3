/* SPDX-License-Identifier: MIT
 * SES's private interface: the state of one (account, region), the store
 * namespaces it is kept in, and the helpers the operation files share. A
 * call from the v2 face reaches the state with its operation named
 * "v2.<Op>" (ses/service.c), so one table serves both faces and SendEmail,
 * which both have, stays two operations. */
#ifndef RN_SES_INT_H
#define RN_SES_INT_H
#include <jansson.h>
#include <stdint.h>

#include "ses/ses.h"

#define SES_NS_ID "ses.id"     /* identity -> {"type", "token", "created", "tags"} */
#define SES_NS_TPL "ses.tpl"   /* template name -> {"subject", "text", "html", "created", "tags"} */
#define SES_NS_MAIL "ses.mail" /* MessageId -> a captured mail (ses/capture.c) */

#define SES_MAX_RECIPIENTS 50
#define SES_MAX_MESSAGE 10485760 /* bytes of MIME */
#define SES_QUOTA_24H 200.0      /* the sandbox's quota, reported, not enforced */
#define SES_QUOTA_RATE 1.0
#define SES_MAX_CAPTURED 10000   /* the newest mails kept */

typedef struct ses {
    rn_store_t *store;
    const rn_config_t *cfg;
    json_t *ids;   /* identity -> record (as stored) */
    json_t *tpls;  /* template name -> record (as stored) */
    json_t *mails; /* captured mails, oldest first */
    int64_t seq;   /* the next mail's sequence number */
} ses_t;

/* The instance's life (ses/ses.c), for the service table's hooks. */
int ses_new(const rn_service_env_t *env, ses_t **out);
void ses_free(ses_t *s);
void ses_reset(ses_t *s);
int ses_load_kv(ses_t *s, const char *ns, const char *key, const char *value);
json_t *ses_stats(ses_t *s);
/* Runs a v1 operation, or a v2 one named "v2.<Op>". */
int ses_call(ses_t *s, rn_call_t *c);

/* 1 when the call came through the v2 face. */
static inline int ses_is_v2(const rn_call_t *c)
{
    return c->op[0] == 'v' && c->op[1] == '2' && c->op[2] == '.';
}

/* Validation of a call's input, worded as AWS words it: "N validation
 * error(s) detected: ...; ...", as ValidationError (v1) or
 * BadRequestException (v2). */
typedef struct ses_violations {
    int n;
    char text[900];
} ses_violations_t;

/* Notes a member that must be present (at is AWS's lower-camel path,
 * "message.subject"). */
void ses_require(ses_violations_t *v, const char *at, const json_t *val);
/* The member k of o when it is a string, else NULL (a v2 body may give any
 * JSON type; such a member counts as absent). */
static inline const json_t *ses_str(const json_t *o, const char *k)
{
    const json_t *v = json_object_get(o, k);
    return json_is_string(v) ? v : NULL;
}
/* Fails the call with the violations noted; 0 when there are none. */
int ses_violations_fail(rn_call_t *c, const ses_violations_t *v);

/* Checks one address ("a@b.c" or "Name <a@b.c>") as SES does; 0, or fails
 * the call with InvalidParameterValue (v1) / BadRequestException (v2). */
int ses_check_address(rn_call_t *c, const char *addr);
/* The bare address of "Name <a@b.c>" or "a@b.c" into out. */
void ses_bare_address(const char *addr, char *out, size_t n);
/* 1 when addr (in either form) may send: the address, or its domain, is a
 * verified identity. */
int ses_may_send(const ses_t *s, const char *addr);
/* Fails the call with AWS's MessageRejected for an unverified address. */
int ses_reject_unverified(ses_t *s, rn_call_t *c, const char *addr);

/* Writes a record of ns as JSON (rec borrowed). */
void ses_store_put(ses_t *s, const char *ns, const char *key, const json_t *rec);
/* Out of memory, as every operation answers it. */
int ses_nomem(rn_call_t *c);
/* The keys of o in strcmp order (borrowed from o), for paged listings;
 * caller frees the array with rn_free(). NULL with *n 0 when empty or out
 * of memory. */
const char **ses_sorted_keys(const json_t *o, size_t *n);

/* ---- operations (each returns 0 or the call's error) ---- */
int ses_op_verify_email(ses_t *s, rn_call_t *c);
int ses_op_verify_domain(ses_t *s, rn_call_t *c);
int ses_op_delete_identity(ses_t *s, rn_call_t *c);
int ses_op_list_identities(ses_t *s, rn_call_t *c);
int ses_op_verification_attributes(ses_t *s, rn_call_t *c);
int ses_op_v2_create_identity(ses_t *s, rn_call_t *c);
int ses_op_v2_get_identity(ses_t *s, rn_call_t *c);
int ses_op_v2_list_identities(ses_t *s, rn_call_t *c);
int ses_op_v2_delete_identity(ses_t *s, rn_call_t *c);

int ses_op_create_template(ses_t *s, rn_call_t *c);
int ses_op_update_template(ses_t *s, rn_call_t *c);
int ses_op_get_template(ses_t *s, rn_call_t *c);
int ses_op_delete_template(ses_t *s, rn_call_t *c);
int ses_op_list_templates(ses_t *s, rn_call_t *c);

int ses_op_send_email(ses_t *s, rn_call_t *c);
int ses_op_send_raw(ses_t *s, rn_call_t *c);
int ses_op_send_templated(ses_t *s, rn_call_t *c);
int ses_op_v2_send(ses_t *s, rn_call_t *c);
int ses_op_send_quota(ses_t *s, rn_call_t *c);
int ses_op_send_statistics(ses_t *s, rn_call_t *c);
int ses_op_v2_get_account(ses_t *s, rn_call_t *c);

/* ---- templates (ses/template.c) ---- */
/* Renders text with TemplateData `data` ({{name}}, {{a.b}}; {{{x}}} and,
 * when html is 0, {{x}} unescaped). Returns the text (caller frees with
 * rn_free), or NULL with the missing attribute's name in missing (or ""
 * when out of memory). */
char *ses_render(const char *text, const json_t *data, int html, char *missing, size_t n);

/* ---- captured mail (ses/capture.c) ---- */
/* A mail as sent, before capture. All borrowed. */
typedef struct ses_mail {
    const char *op;          /* "SendEmail", ... */
    const char *source;
    const json_t *destinations; /* array of addresses */
    const char *subject, *text, *html; /* NULL when absent */
    const char *raw;         /* the MIME message */
    size_t raw_len;
    const char *failure;     /* a rendering failure: not delivered; NULL */
} ses_mail_t;

/* A new MessageId in AWS's form (0100 + 12 hex digits of the time in ms,
 * a UUID, -000000) into id. */
void ses_message_id(char id[64]);
/* Captures m as message id at now_ms, durably. Returns 0 or RN_ERR_NOMEM. */
int ses_capture(ses_t *s, const char *id, int64_t now_ms, const ses_mail_t *m);
/* Restores one captured mail at start. */
int ses_capture_load(ses_t *s, const char *key, const char *value);
/* Puts the mails restored in sending order (after loading). */
void ses_capture_sort(ses_t *s);
/* Recipients captured since since_ms. */
int64_t ses_sent_since(const ses_t *s, int64_t since_ms);
/* Captures a mail another service sends (the sink for
 * arn:aws:ses:REGION:ACCOUNT:identity/FROM): m's body is the whole MIME
 * message, m->id names what sent it ("SNS"). Not checked against the
 * account's identities: it is AWS's own mail. 0 or RN_ERR_*. */
int ses_deliver(ses_t *s, const char *arn, const rn_message_t *m, char *msg, size_t msglen);
/* The person-readable page (rn_service_t.page). */
int ses_page(ses_t *s, const char *rest, const char *query, char **body, size_t *len, const char **ctype,
             char *msg, size_t msglen);
#endif
