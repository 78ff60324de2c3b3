/* SPDX-License-Identifier: MIT
 * Publish and PublishBatch: AWS's checks of a message (its size, subject,
 * structure, attributes, FIFO group and deduplication), then the fan-out to
 * the topic's subscriptions (deliver.c). Everything a publish changes is
 * queued to the store in the call's loop turn, so the reply is sent once the
 * deliveries it made are durable. Also the sink: messages other services
 * deliver to a topic ARN. */
#include <ctype.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <string.h>

#include "core/base64.h"
#include "core/clock.h"
#include "core/hex.h"
#include "core/ids.h"
#include "core/mem.h"
#include "core/params.h"
#include "sns/sns_int.h"

#define MAX_BATCH 10
#define MAX_SUBJECT 100

typedef struct dedup {
    int64_t expires;
    uint64_t seq;
    char id[37];
} dedup_t;

/* ---- checks ---- */

static int valid_subject(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n >= MAX_SUBJECT)
        return 0;
    if (!isalnum((unsigned char)s[0]) && !ispunct((unsigned char)s[0]))
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
            return 0;
    return 1;
}

/* AWS's answer to a bad attribute name, or NULL when it is good. */
static int check_attr_name(rn_call_t *c, const char *n)
{
    size_t len = strlen(n);
    if (len >= 256)
        return rn_call_fail(c, SNS_ERR_PARAMETER_VALUE_INVALID,
                            "Length of message attribute name must be less than 256 bytes.");
    for (size_t i = 0; i < len; i++)
        if (!isalnum((unsigned char)n[i]) && n[i] != '_' && n[i] != '-' && n[i] != '.')
            return rn_call_fail(c, SNS_ERR_PARAMETER_VALUE_INVALID,
                                "Invalid non-alphanumeric character '#x%X' was found in the message attribute name. "
                                "Can only include alphanumeric characters, hyphens, underscores, or dots.",
                                (unsigned char)n[i]);
    if (n[0] == '.')
        return rn_call_fail(c, SNS_ERR_PARAMETER_VALUE_INVALID,
                            "Invalid message attribute name starting with character '.' was found.");
    if (len && n[len - 1] == '.')
        return rn_call_fail(c, SNS_ERR_PARAMETER_VALUE_INVALID,
                            "Invalid message attribute name ending with character '.' was found.");
    if (strstr(n, ".."))
        return rn_call_fail(c, SNS_ERR_PARAMETER_VALUE_INVALID,
                            "Message attribute name can not have successive '.' character.");
    return 0;
}

/* Checks the MessageAttributes; adds their size to *size. 0, or the call
 * failed with AWS's answer. */
/* Checks the MessageAttributes (path: where the validation error points,
 * "messageAttributes" or "publishBatchRequestEntries.N.member.messageAttributes");
 * adds their size to *size. 0, or the call failed with AWS's answer. */
static int check_attrs(rn_call_t *c, const json_t *attrs, const char *path, size_t *size)
{
    const char *name;
    json_t *v;
    json_object_foreach((json_t *)attrs, name, v) {
        const char *type = rn_param_str(v, "DataType");
        const char *sv = rn_param_str(v, "StringValue"), *bv = rn_param_str(v, "BinaryValue");
        if (check_attr_name(c, name) < 0)
            return c->err;
        if (!type)
            return rn_call_fail(c, SNS_ERR_VALIDATION_ERROR,
                                "1 validation error detected: Value null at '%s.%s.member.dataType' failed to satisfy "
                                "constraint: Member must not be null",
                                path, name);
        int str = !strncmp(type, "String", 6), num = !strncmp(type, "Number", 6), bin = !strncmp(type, "Binary", 6);
        if ((!str && !num && !bin) || (type[6] && (type[6] != '.' || !type[7])))
            return rn_call_fail(c, SNS_ERR_PARAMETER_VALUE_INVALID,
                                "The message attribute '%s' has an invalid message attribute type, the set of "
                                "supported type prefixes is Binary, Number, and String.",
                                name);
        const char *kind = bin ? "Binary" : str ? "String" : "Number";
        if (bin ? sv != NULL && bv == NULL : bv != NULL && sv == NULL)
            return rn_call_fail(c, SNS_ERR_PARAMETER_VALUE_INVALID,
                                "The message attribute '%s' with type '%s' must use field '%s'.", name, kind,
                                bin ? "Binary" : "String");
        const char *value = bin ? bv : sv;
        if (!value || !value[0])
            return rn_call_fail(c, SNS_ERR_PARAMETER_VALUE_INVALID,
                                "The message attribute '%s' must contain non-empty message attribute value for "
                                "message attribute type '%s'.",
                                name, kind);
        *size += strlen(name) + strlen(type) + strlen(value);
    }
    return 0;
}

/* ---- one message ---- */

typedef struct {
    const char *message, *subject, *structure, *group, *dedup;
    const json_t *attrs;
    const char *path; /* where a validation error points (see check_attrs) */
} entry_t;

static entry_t entry_of(const json_t *in, const char *path)
{
    return (entry_t){rn_param_str(in, "Message"),
                     rn_param_str(in, "Subject"),
                     rn_param_str(in, "MessageStructure"),
                     rn_param_str(in, "MessageGroupId"),
                     rn_param_str(in, "MessageDeduplicationId"),
                     json_object_get(in, "MessageAttributes"),
                     path};
}

/* Checks e against topic t as AWS does. 0 with, for MessageStructure json,
 * the parsed structure in *structure (the caller's) and a FIFO message's
 * deduplication id in *dedup (e's own, or its body's SHA-256 in hash); or
 * the call failed. */
static int check_entry(rn_call_t *c, const sns_topic_t *t, const entry_t *e, json_t **structure, const char **dedup,
                       char hash[65])
{
    *structure = NULL;
    *dedup = e->dedup;
    if (!e->message)
        return rn_call_fail(c, SNS_ERR_INVALID_PARAMETER,
                            "Invalid parameter: Message Reason: no value for required parameter");
    if (!e->message[0])
        return rn_call_fail(c, SNS_ERR_INVALID_PARAMETER, "Invalid parameter: Empty message");
    if (e->subject && !valid_subject(e->subject))
        return rn_call_fail(c, SNS_ERR_INVALID_PARAMETER, "Invalid parameter: Subject");
    size_t size = strlen(e->message);
    if (e->attrs && check_attrs(c, e->attrs, e->path, &size) < 0)
        return c->err;
    if (size > SNS_MAX_MESSAGE)
        return rn_call_fail(c, SNS_ERR_INVALID_PARAMETER, "Invalid parameter: Message too long");
    if (t->fifo && !e->group)
        return rn_call_fail(c, SNS_ERR_INVALID_PARAMETER,
                            "Invalid parameter: The MessageGroupId parameter is required for FIFO topics");
    if (t->fifo && !e->dedup && !t->content_dedup)
        return rn_call_fail(c, SNS_ERR_INVALID_PARAMETER,
                            "Invalid parameter: The topic should either have ContentBasedDeduplication enabled or "
                            "MessageDeduplicationId provided explicitly");
    if (!t->fifo && e->dedup)
        return rn_call_fail(c, SNS_ERR_INVALID_PARAMETER,
                            "Invalid parameter: MessageDeduplicationId Reason: The request includes "
                            "MessageDeduplicationId parameter that is not valid for this topic type");
    if (e->structure) {
        if (strcmp(e->structure, "json"))
            return rn_call_fail(c, SNS_ERR_INVALID_PARAMETER, "Invalid parameter: MessageStructure");
        json_t *j = json_loads(e->message, 0, NULL);
        if (!json_is_object(j)) {
            json_decref(j);
            return rn_call_fail(c, SNS_ERR_INVALID_PARAMETER,
                                "Invalid parameter: Message Structure - JSON message body failed to parse");
        }
        if (!json_string_value(json_object_get(j, "default"))) {
            json_decref(j);
            return rn_call_fail(c, SNS_ERR_INVALID_PARAMETER,
                                "Invalid parameter: Message Structure - No default entry in JSON message body");
        }
        *structure = j;
    }
    if (t->fifo && !e->dedup) {
        unsigned char h[SHA256_DIGEST_LENGTH];
        SHA256((const unsigned char *)e->message, strlen(e->message), h);
        rn_hex_encode(h, sizeof h, hash);
        *dedup = hash;
    }
    return 0;
}

/* Checks e against topic t and publishes it: 0 with the MessageId (and a
 * FIFO topic's sequence number) in id and *seq, or the call failed. */
static int publish_one(sns_t *s, rn_call_t *c, sns_topic_t *t, const entry_t *e, char id[37], uint64_t *seq)
{
    json_t *structure;
    const char *dedup;
    char hash[65];
    if (check_entry(c, t, e, &structure, &dedup, hash) < 0)
        return c->err;
    int64_t now = rn_now_ms();
    if (t->fifo) {
        dedup_t *d = rn_smap_get(&t->dedup, dedup);
        if (d && d->expires > now) { /* a duplicate: accepted, not delivered again */
            memcpy(id, d->id, 37);
            *seq = d->seq;
            json_decref(structure);
            return 0;
        }
        if (!d && !(d = rn_calloc(1, sizeof *d))) {
            json_decref(structure);
            return RN_ERR_NOMEM;
        }
        rn_uuid(id);
        *seq = ++t->seq;
        d->expires = now + SNS_DEDUP_MS;
        d->seq = *seq;
        memcpy(d->id, id, 37);
        if (rn_smap_put(&t->dedup, dedup, d) < 0) {
            rn_free(d);
            json_decref(structure);
            return RN_ERR_NOMEM;
        }
    } else {
        rn_uuid(id);
        *seq = 0;
    }
    sns_msg_t m = {id, e->message, strlen(e->message), structure, e->subject, e->attrs, e->group, dedup, *seq, now};
    sns_fanout(s, t, &m);
    s->published++;
    t->n_published++;
    t->publish_bytes += strlen(e->message);
    json_decref(structure);
    return 0;
}

/* A FIFO sequence number as AWS writes it: 20 digits. */
static void seq_text(uint64_t seq, char out[24])
{
    snprintf(out, 24, "1%019llu", (unsigned long long)seq);
}

/* Drops the deduplication ids whose window has passed. */
static void sweep_dedup(sns_topic_t *t, int64_t now)
{
    if (t->dedup.len < 1024)
        return;
    size_t i = 0;
    const char *k;
    void *v;
    while (rn_smap_next(&t->dedup, &i, &k, &v))
        if (((dedup_t *)v)->expires <= now) {
            rn_free(rn_smap_del(&t->dedup, k)); /* leaves a tombstone: the walk goes on */
        }
}

void sns_topic_dedup_free(sns_topic_t *t)
{
    size_t i = 0;
    const char *k;
    void *v;
    while (rn_smap_next(&t->dedup, &i, &k, &v))
        rn_free(v);
}

/* ---- operations ---- */

int sns_publish(sns_t *s, rn_call_t *c)
{
    const char *topic = rn_param_str(c->in, "TopicArn"), *target = rn_param_str(c->in, "TargetArn");
    const char *phone = rn_param_str(c->in, "PhoneNumber");
    if (!topic && !target && !phone)
        return rn_call_fail(c, SNS_ERR_INVALID_PARAMETER,
                            "Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter");
    if (topic && target)
        return rn_call_fail(c, SNS_ERR_INVALID_PARAMETER,
                            "Invalid parameter: TopicArn Reason: Only one of TopicArn or TargetArn may be "
                            "specified");
    entry_t e = entry_of(c->in, "messageAttributes");
    if (phone && !topic && !target) { /* SMS: accepted, not sent (Runnel sends no SMS) */
        if (!e.message || !e.message[0])
            return rn_call_fail(c, SNS_ERR_INVALID_PARAMETER, "Invalid parameter: Empty message");
        char id[37];
        rn_uuid(id);
        c->out = json_pack("{s:s}", "MessageId", id);
        return 0;
    }
    sns_topic_t *t = sns_topic_param(s, c, topic ? "TopicArn" : "TargetArn");
    if (!t)
        return c->err;
    char id[37];
    uint64_t seq;
    if (publish_one(s, c, t, &e, id, &seq) < 0)
        return c->err;
    c->out = json_pack("{s:s}", "MessageId", id);
    if (t->fifo) {
        char st[24];
        seq_text(seq, st);
        json_object_set_new(c->out, "SequenceNumber", json_string(st));
        sweep_dedup(t, rn_now_ms());
    }
    return 0;
}

/* AWS's answer to a bad batch entry id: 0, or the call failed. */
static int check_batch_id(rn_call_t *c, const char *id)
{
    size_t n = strlen(id);
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)id[i]) && id[i] != '-' && id[i] != '_')
            return rn_call_fail(c, SNS_ERR_INVALID_BATCH_ID,
                                "The Id of a batch entry in the batch request contains an impermissible character: %s",
                                id);
    if (n > 80)
        return rn_call_fail(c, SNS_ERR_INVALID_BATCH_ID,
                            "The Id of a batch entry in the batch request is too long: %s", id);
    if (n == 0)
        return rn_call_fail(c, SNS_ERR_INVALID_BATCH_ID,
                            "The Id of a batch entry in the batch request contains an impermissible character: ");
    return 0;
}

int sns_publish_batch(sns_t *s, rn_call_t *c)
{
    sns_topic_t *t = sns_topic_param(s, c, "TopicArn");
    if (!t)
        return c->err;
    json_t *entries = json_object_get(c->in, "PublishBatchRequestEntries");
    size_t n = json_array_size(entries), i, total = 0;
    json_t *en;
    if (n == 0)
        return rn_call_fail(c, SNS_ERR_EMPTY_BATCH, "The batch request doesn't contain any entries.");
    if (n > MAX_BATCH)
        return rn_call_fail(c, SNS_ERR_TOO_MANY_ENTRIES, "The batch request contains more entries than permissible.");
    json_array_foreach(entries, i, en) /* duplicates are found before bad ids */
        for (size_t j = 0; j < i; j++) {
            const char *a = rn_param_str(en, "Id"), *b = rn_param_str(json_array_get(entries, j), "Id");
            if (a && b && !strcmp(a, b))
                return rn_call_fail(c, SNS_ERR_BATCH_IDS_NOT_DISTINCT,
                                    "Two or more batch entries in the request have the same Id.");
        }
    json_array_foreach(entries, i, en) {
        const char *id = rn_param_str(en, "Id");
        if (check_batch_id(c, id ? id : "") < 0)
            return c->err;
        const char *m = rn_param_str(en, "Message");
        total += m ? strlen(m) : 0;
        const char *name;
        json_t *a;
        json_object_foreach(json_object_get(en, "MessageAttributes"), name, a) {
            const char *v = rn_param_str(a, "StringValue") ? rn_param_str(a, "StringValue")
                                                           : rn_param_str(a, "BinaryValue");
            total += strlen(name) + (rn_param_str(a, "DataType") ? strlen(rn_param_str(a, "DataType")) : 0) +
                     (v ? strlen(v) : 0);
        }
    }
    if (total > SNS_MAX_MESSAGE)
        return rn_call_fail(c, SNS_ERR_BATCH_TOO_LONG,
                            "The length of all the messages put together is more than the limit.");
    json_array_foreach(entries, i, en) { /* a bad entry fails the whole request, before any is published */
        char path[96], hash[65];
        snprintf(path, sizeof path, "publishBatchRequestEntries.%zu.member.messageAttributes", i + 1);
        entry_t e = entry_of(en, path);
        json_t *structure;
        const char *dedup;
        int rc = check_entry(c, t, &e, &structure, &dedup, hash);
        json_decref(structure);
        if (rc < 0)
            return c->err;
    }
    json_t *ok = json_array(), *failed = json_array();
    json_array_foreach(entries, i, en) {
        entry_t e = entry_of(en, "messageAttributes");
        char id[37];
        uint64_t seq;
        if (publish_one(s, c, t, &e, id, &seq) < 0) {
            json_decref(ok);
            json_decref(failed);
            return c->err;
        }
        json_t *r = json_pack("{s:s,s:s}", "Id", rn_param_str(en, "Id"), "MessageId", id);
        if (t->fifo) {
            char st[24];
            seq_text(seq, st);
            json_object_set_new(r, "SequenceNumber", json_string(st));
        }
        json_array_append_new(ok, r);
    }
    if (t->fifo)
        sweep_dedup(t, rn_now_ms());
    c->out = json_pack("{s:o,s:o}", "Successful", ok, "Failed", failed);
    return 0;
}

/* ---- from other services ---- */

int sns_deliver_in(sns_t *s, const char *arn, const rn_message_t *m, char *msg, size_t msglen)
{
    sns_topic_t *t = sns_topic_by_arn(s, arn);
    if (!t) {
        snprintf(msg, msglen, "Topic does not exist");
        return RN_ERR_NOT_FOUND;
    }
    char *body = rn_strndup(m->body, m->len);
    if (!body)
        return RN_ERR_NOMEM;
    rn_call_t one = {0};
    entry_t e = {body, m->subject, NULL, m->group_id, m->dedup_id, m->attrs, "messageAttributes"};
    if (t->fifo && !e.group)
        e.group = "default";
    char id[37];
    uint64_t seq;
    int rc = publish_one(s, &one, t, &e, id, &seq);
    if (rc < 0)
        snprintf(msg, msglen, "%s", rn_call_msg(&one));
    rn_call_clear_msg(&one);
    rn_free(body);
    return rc < 0 ? one.err : 0;
}
