/* SPDX-License-Identifier: MIT
 * SNS subscription filter policies: compiling a FilterPolicy attribute (with
 * AWS's validation messages and limits) and deciding whether one published
 * message passes it, for either FilterPolicyScope. It knows no protocol: the
 * service hands it the policy text, the message's attributes as a jansson
 * object and the body text. The rules and where each comes from are in
 * /work/notes/sns_filter.md (for docs/sns.md) and at the top of filter.c. */
#ifndef RN_SNS_FILTER_H
#define RN_SNS_FILTER_H
#include <jansson.h>
#include <stddef.h>

typedef struct sns_filter sns_filter_t;

/* FilterPolicyScope: MessageAttributes (the default) or MessageBody. */
enum { SNS_SCOPE_ATTRIBUTES, SNS_SCOPE_BODY };

/* AWS's limits on a policy. */
#define SNS_FILTER_MAX_BYTES (256 * 1024) /* "The maximum size of a filter policy is 256 KB" */
#define SNS_FILTER_MAX_KEYS 5             /* distinct keys holding values */
#define SNS_FILTER_MAX_COMBINATIONS 150

/* Compiles policy[0..len) (the FilterPolicy attribute's JSON text) for scope.
 * Returns 0 with *out set; or RN_ERR_INVALID_PARAMETER with AWS's message in
 * msg, in the form SetSubscriptionAttributes answers ("Invalid parameter:
 * FilterPolicy: ..."; see sns_filter_subscribe_message() for Subscribe's
 * form); or RN_ERR_INTERNAL with an empty msg for an empty anything-but list
 * (AWS's rule engine fails on it with a 500); or RN_ERR_NOMEM. msg should hold
 * at least 1200 bytes (a message may quote 500 characters of the policy).
 * An empty policy text is not a policy: the caller treats "" as "remove the
 * filter policy" before calling this. Caller owns *out; free with
 * sns_filter_free(). */
int sns_filter_compile(const char *policy, size_t len, int scope, sns_filter_t **out, char *msg, size_t msglen);

/* Rewrites a message from sns_filter_compile() in place into the form
 * Subscribe answers when the policy comes in its Attributes map ("Invalid
 * parameter: Attributes Reason: FilterPolicy: ..."). */
void sns_filter_subscribe_message(char *msg, size_t msglen);

/* Does one message pass the filter? `attributes` is the message's
 * MessageAttributes as the service holds them (may be NULL): a JSON object
 * name -> {"DataType": "String" | "String.Array" | "Number" | "Binary" (or a
 * custom "String.x"/"Number.x"/"Binary.x"), "StringValue": ..., "BinaryValue":
 * ...}. `body` is the message text (scope BODY only: it passes only when it is
 * a JSON object that satisfies the policy). Returns 1 on a match, 0 otherwise
 * (also when memory runs out). Borrowed arguments; nothing is kept. */
int sns_filter_match(const sns_filter_t *f, const json_t *attributes, const char *body, size_t body_len);

/* The scope the filter was compiled for. */
int sns_filter_scope(const sns_filter_t *f);

/* Frees a filter; NULL is fine. */
void sns_filter_free(sns_filter_t *f);
#endif
