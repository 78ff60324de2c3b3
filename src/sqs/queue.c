/* SPDX-License-Identifier: MIT
 * SQS queues: names, URLs and ARNs, creation with AWS's idempotency rules,
 * deletion, and the queue attributes (validation, parsed copies for the hot
 * path, the computed Approximate* counters) with their persistence. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_alloc.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "core/mem.h"
#include "sqs/sqs_int.h"

typedef struct attr_spec {
    const char *name;
    int kind;       /* 0 int range, 1 bool, 2 json, 3 enum, 4 free string */
    long lo, hi;
    const char *def; /* default as AWS reports it; NULL when absent by default */
    int fifo_only;
} attr_spec_t;

enum { A_INT, A_BOOL, A_JSON, A_ENUM, A_STR };

static const attr_spec_t specs[] = {
    {"DelaySeconds", A_INT, 0, 900, "0", 0},
    {"MaximumMessageSize", A_INT, 1024, SQS_MAX_MESSAGE_SIZE, "1048576", 0},
    {"MessageRetentionPeriod", A_INT, 60, 1209600, "345600", 0},
    {"ReceiveMessageWaitTimeSeconds", A_INT, 0, 20, "0", 0},
    {"VisibilityTimeout", A_INT, 0, 43200, "30", 0},
    {"Policy", A_JSON, 0, 0, NULL, 0},
    {"RedrivePolicy", A_JSON, 0, 0, NULL, 0},
    {"RedriveAllowPolicy", A_JSON, 0, 0, NULL, 0},
    {"KmsMasterKeyId", A_STR, 0, 0, NULL, 0},
    {"KmsDataKeyReusePeriodSeconds", A_INT, 60, 86400, NULL, 0},
    {"SqsManagedSseEnabled", A_BOOL, 0, 0, "true", 0},
    {"FifoQueue", A_BOOL, 0, 0, NULL, 1},
    {"ContentBasedDeduplication", A_BOOL, 0, 0, "false", 1},
    {"DeduplicationScope", A_ENUM, 0, 0, "queue", 1},
    {"FifoThroughputLimit", A_ENUM, 0, 0, "perQueue", 1},
    {NULL, 0, 0, 0, NULL, 0},
};

static const char *computed[] = {"All", "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
                                 "ApproximateNumberOfMessagesDelayed", "CreatedTimestamp",
                                 "LastModifiedTimestamp", "QueueArn", NULL};

static const attr_spec_t *spec_find(const char *name)
{
    for (const attr_spec_t *a = specs; a->name; a++)
        if (strcmp(a->name, name) == 0)
            return a;
    return NULL;
}

static int is_computed(const char *name)
{
    for (int i = 0; computed[i]; i++)
        if (strcmp(computed[i], name) == 0)
            return 1;
    return 0;
}

sqs_queue_t *sqs_queue_find(sqs_t *s, const char *name)
{
    return rn_smap_get(&s->queues, name);
}

sqs_queue_t *sqs_queue_by_arn(sqs_t *s, const char *arn)
{
    /* "arn:aws:sqs:" REGION ":" ACCOUNT ":" NAME, compared in place */
    size_t rl = strlen(s->cfg->region), al = strlen(s->cfg->account_id);
    if (!arn || strncmp(arn, "arn:aws:sqs:", 12) != 0 || strncmp(arn + 12, s->cfg->region, rl) != 0 ||
        arn[12 + rl] != ':' || strncmp(arn + 13 + rl, s->cfg->account_id, al) != 0 || arn[13 + rl + al] != ':')
        return NULL;
    return sqs_queue_find(s, arn + 14 + rl + al);
}

void sqs_queue_url(const sqs_queue_t *q, const rn_call_t *c, char *out, size_t n)
{
    if (c && c->endpoint[0])
        snprintf(out, n, "%s/%s/%s", c->endpoint, q->svc->cfg->account_id, q->name);
    else
        snprintf(out, n, "http://%s:%d/%s/%s", q->svc->cfg->host, q->svc->cfg->port, q->svc->cfg->account_id,
                 q->name);
}

/* Resolves the queue a call addresses: the QueueUrl parameter (any host; the
 * last path segment is the name). */
int sqs_queue_from_url(sqs_t *s, rn_call_t *c, const json_t *in, sqs_queue_t **out)
{
    const char *url = rn_param_str(in, "QueueUrl");
    const char *name = NULL;
    char buf[512];
    if (url && *url) {
        snprintf(buf, sizeof buf, "%s", url);
        char *qm = strchr(buf, '?');
        if (qm)
            *qm = '\0';
        size_t l = strlen(buf);
        while (l && buf[l - 1] == '/')
            buf[--l] = '\0';
        char *slash = strrchr(buf, '/');
        name = slash ? slash + 1 : buf;
    } else {
        return rn_call_fail(c, RN_ERR_MISSING_PARAMETER, "The request must contain the parameter QueueUrl.");
    }
    sqs_queue_t *q = *name ? sqs_queue_find(s, name) : NULL;
    if (!q)
        return rn_call_fail(c, SQS_ERR_QUEUE_NOT_FOUND, "The specified queue does not exist.");
    *out = q;
    return 0;
}

static int name_valid(const char *name, int fifo)
{
    size_t n = strlen(name);
    if (n < 1 || n > 80)
        return 0;
    size_t body = n;
    if (fifo) {
        if (n < 5 || strcmp(name + n - 5, ".fifo") != 0)
            return 0;
        body = n - 5;
        if (body == 0)
            return 0;
    }
    for (size_t i = 0; i < body; i++)
        if (!isalnum((unsigned char)name[i]) && name[i] != '-' && name[i] != '_')
            return 0;
    return 1;
}

static int parse_long(const char *v, long *out)
{
    if (!v || !*v)
        return -1;
    char *end;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (*end || errno)
        return -1;
    *out = x;
    return 0;
}

/* Checks a map of attribute names to string values as CreateQueue and
 * SetQueueAttributes do; nothing is changed here. */
int sqs_attr_validate(sqs_t *s, rn_call_t *c, const char *qname, int fifo, const json_t *attrs, int creating)
{
    const char *k;
    json_t *v;
    if (attrs && !json_is_object(attrs))
        return rn_call_fail(c, RN_ERR_INVALID_PARAMETER, "Attributes must be a map of strings.");
    json_object_foreach((json_t *)attrs, k, v)
    {
        const attr_spec_t *a = spec_find(k);
        if (a && a->fifo_only && !fifo &&
            (strcmp(k, "DeduplicationScope") == 0 || strcmp(k, "FifoThroughputLimit") == 0))
            return rn_call_fail(c, SQS_ERR_INVALID_ATTRIBUTE_NAME,
                                "You can specify the %s only when FifoQueue is set to true.", k);
        if (!a || (a->fifo_only && !fifo && strcmp(k, "FifoQueue") != 0))
            return rn_call_fail(c, SQS_ERR_INVALID_ATTRIBUTE_NAME, "Unknown Attribute %s.", k);
        if (!json_is_string(v))
            return rn_call_fail(c, SQS_ERR_INVALID_ATTRIBUTE_VALUE, "Invalid value for the parameter %s.", k);
        const char *sv = json_string_value(v);
        long x;
        switch (a->kind) {
        case A_INT:
            if (parse_long(sv, &x) < 0 || x < a->lo || x > a->hi)
                return rn_call_fail(c, SQS_ERR_INVALID_ATTRIBUTE_VALUE, "Invalid value for the parameter %s.", k);
            break;
        case A_BOOL:
            if (strcasecmp(sv, "true") != 0 && strcasecmp(sv, "false") != 0)
                return rn_call_fail(c, SQS_ERR_INVALID_ATTRIBUTE_VALUE, "Invalid value for the parameter %s.", k);
            break;
        case A_ENUM:
            if (strcmp(k, "DeduplicationScope") == 0 && strcmp(sv, "queue") && strcmp(sv, "messageGroup"))
                return rn_call_fail(c, SQS_ERR_INVALID_ATTRIBUTE_VALUE, "Invalid value for the parameter %s.", k);
            if (strcmp(k, "FifoThroughputLimit") == 0 && strcmp(sv, "perQueue") && strcmp(sv, "perMessageGroupId"))
                return rn_call_fail(c, SQS_ERR_INVALID_ATTRIBUTE_VALUE, "Invalid value for the parameter %s.", k);
            break;
        case A_JSON:
            if (*sv) {
                json_t *j = json_loads(sv, 0, NULL);
                int ok = json_is_object(j);
                json_decref(j);
                if (!ok)
                    return rn_call_fail(c, SQS_ERR_INVALID_ATTRIBUTE_VALUE, "Invalid value for the parameter %s.",
                                        k);
            }
            break;
        default:
            break;
        }
        if (strcmp(k, "FifoQueue") == 0) {
            if (!creating || !fifo)
                return rn_call_fail(c, SQS_ERR_INVALID_ATTRIBUTE_NAME, "Unknown Attribute %s.", k);
            if (strcasecmp(sv, "false") == 0 && fifo)
                return rn_call_fail(c, SQS_ERR_INVALID_ATTRIBUTE_VALUE, "Invalid value for the parameter %s.", k);
        }
        if (strcmp(k, "RedrivePolicy") == 0 && *sv) {
            char *arn = NULL;
            int mr;
            if (sqs_redrive_validate(s, c, qname, fifo, sv, &arn, &mr) < 0)
                return c->err;
            rn_free(arn);
        }
        if (strcmp(k, "RedriveAllowPolicy") == 0 && *sv && sqs_redrive_allow_validate(c, sv) < 0)
            return c->err;
    }
    const char *ftl = rn_param_str(attrs, "FifoThroughputLimit");
    const char *scope = rn_param_str(attrs, "DeduplicationScope");
    if (ftl && strcmp(ftl, "perMessageGroupId") == 0 && scope && strcmp(scope, "queue") == 0)
        return rn_call_fail(c, SQS_ERR_INVALID_ATTRIBUTE_VALUE, "Invalid value for the parameter FifoThroughputLimit.");
    return 0;
}

static int attr_int(const sqs_queue_t *q, const char *name)
{
    const char *v = json_string_value(json_object_get(q->attrs, name));
    return v ? atoi(v) : 0;
}

/* Renders a validated RedrivePolicy the way GetQueueAttributes returns it on
 * AWS: compact, with maxReceiveCount a JSON number whether it was set as 3 or
 * "3". Caller owns the result; free with `rn_json_free()`. NULL when the
 * policy is not one. */
static char *redrive_canonical(const char *policy)
{
    json_t *j = json_loads(policy, 0, NULL);
    const char *arn = json_string_value(json_object_get(j, "deadLetterTargetArn"));
    json_t *mr = json_object_get(j, "maxReceiveCount");
    json_int_t n = json_is_integer(mr)  ? json_integer_value(mr)
                   : json_is_string(mr) ? atoi(json_string_value(mr))
                                        : 0;
    json_t *out = arn ? json_pack("{s:s,s:I}", "deadLetterTargetArn", arn, "maxReceiveCount", n) : NULL;
    char *txt = out ? json_dumps(out, JSON_COMPACT) : NULL;
    json_decref(out);
    json_decref(j);
    return txt;
}

/* Refreshes the parsed copies of the attributes. */
static void parse_attrs(sqs_queue_t *q)
{
    q->delay_s = attr_int(q, "DelaySeconds");
    q->max_size = attr_int(q, "MaximumMessageSize");
    q->retention_s = attr_int(q, "MessageRetentionPeriod");
    q->wait_s = attr_int(q, "ReceiveMessageWaitTimeSeconds");
    q->visibility_s = attr_int(q, "VisibilityTimeout");
    const char *cbd = json_string_value(json_object_get(q->attrs, "ContentBasedDeduplication"));
    q->content_dedup = cbd && strcasecmp(cbd, "true") == 0;
    const char *scope = json_string_value(json_object_get(q->attrs, "DeduplicationScope"));
    q->dedup_per_group = scope && strcmp(scope, "messageGroup") == 0;
    rn_free(q->dlq_arn);
    q->dlq_arn = NULL;
    q->max_receive = 0;
    const char *rp = json_string_value(json_object_get(q->attrs, "RedrivePolicy"));
    char *canon = rp && *rp ? redrive_canonical(rp) : NULL;
    if (canon) {
        json_t *j = json_loads(canon, 0, NULL);
        q->dlq_arn = rn_strdup(json_string_value(json_object_get(j, "deadLetterTargetArn")));
        q->max_receive = (int)json_integer_value(json_object_get(j, "maxReceiveCount"));
        json_decref(j);
        json_object_set_new(q->attrs, "RedrivePolicy", json_string(canon));
        rn_json_free(canon);
    }
}

static void apply_attrs(sqs_queue_t *q, const json_t *attrs)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)attrs, k, v)
    {
        const char *sv = json_string_value(v);
        const attr_spec_t *a = spec_find(k);
        if (a && a->kind == A_BOOL) {
            json_object_set_new(q->attrs, k, json_string(strcasecmp(sv, "true") == 0 ? "true" : "false"));
        } else if (a && a->kind == A_INT) {
            char num[32];
            snprintf(num, sizeof num, "%ld", strtol(sv, NULL, 10));
            json_object_set_new(q->attrs, k, json_string(num));
        } else if (a && a->kind == A_JSON && !*sv) {
            json_object_del(q->attrs, k);
        } else {
            json_object_set(q->attrs, k, v);
        }
    }
    parse_attrs(q);
}

void sqs_queue_persist(sqs_queue_t *q)
{
    json_t *st = json_pack("{s:O,s:O,s:O,s:I,s:I,s:I}", "attrs", q->attrs, "tags", q->tags, "perms", q->perms,
                           "created", (json_int_t)q->created_ms, "modified", (json_int_t)q->modified_ms, "purged",
                           (json_int_t)q->purged_ms);
    char *txt = st ? json_dumps(st, JSON_COMPACT) : NULL;
    json_decref(st);
    if (!txt) {
        RN_ERROR("sqs: out of memory persisting queue %s", q->name);
        return;
    }
    rn_store_queue_rec_t rec = {q->qid, q->name, txt};
    rn_store_queue_put(q->svc->store, &rec);
    rn_json_free(txt);
}

static sqs_queue_t *queue_alloc(sqs_t *s, int64_t qid, const char *name)
{
    sqs_queue_t *q = rn_calloc(1, sizeof *q);
    if (!q)
        return NULL;
    q->svc = s;
    q->qid = qid;
    q->name = rn_strdup(name);
    q->attrs = json_object();
    q->tags = json_object();
    q->perms = json_object();
    q->attempts = json_object();
    if (!q->name || !q->attrs || !q->tags || !q->perms || !q->attempts || rn_smap_put(&s->queues, name, q) < 0) {
        sqs_queue_free(q);
        return NULL;
    }
    size_t n = strlen(name);
    q->fifo = n > 5 && strcmp(name + n - 5, ".fifo") == 0;
    snprintf(q->arn, sizeof q->arn, "arn:aws:sqs:%s:%s:%s", s->cfg->region, s->cfg->account_id, name);
    if (qid >= s->next_qid)
        s->next_qid = qid + 1;
    return q;
}

/* Returns the name of the first attribute in attrs whose value differs from
 * the queue's, or NULL when they all match. */
static const char *attrs_diff(sqs_queue_t *q, const json_t *attrs)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)attrs, k, v)
    {
        const attr_spec_t *a = spec_find(k);
        json_t *cur = json_object_get(q->attrs, k);
        const char *want = json_string_value(v);
        const char *have = cur ? json_string_value(cur) : (a && a->def ? a->def : "");
        if (a && a->kind == A_BOOL) {
            if (strcasecmp(want, have) != 0)
                return k;
        } else if (a && a->kind == A_INT) {
            if (strtol(want, NULL, 10) != strtol(have, NULL, 10))
                return k;
        } else if (strcmp(k, "RedrivePolicy") == 0 && *want) {
            char *canon = redrive_canonical(want);
            int same = canon && strcmp(canon, have) == 0;
            rn_json_free(canon);
            if (!same)
                return k;
        } else if (strcmp(want, have) != 0) {
            return k;
        }
    }
    return NULL;
}

int sqs_queue_create(sqs_t *s, rn_call_t *c, const char *name, const json_t *attrs, const json_t *tags,
                     sqs_queue_t **out)
{
    const char *fifo_attr = rn_param_str(attrs, "FifoQueue");
    int fifo = fifo_attr && strcasecmp(fifo_attr, "true") == 0;
    size_t n = strlen(name);
    int fifo_name = n > 5 && strcmp(name + n - 5, ".fifo") == 0;
    if (fifo && !name_valid(name, 1))
        return rn_call_fail(c, RN_ERR_INVALID_PARAMETER,
                            "The name of a FIFO queue can only include alphanumeric characters, hyphens, or "
                            "underscores, must end with .fifo suffix and be 1 to 80 in length.");
    if (!fifo && (fifo_name || !name_valid(name, 0)))
        return rn_call_fail(c, RN_ERR_INVALID_PARAMETER,
                            "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length");
    if (sqs_attr_validate(s, c, name, fifo, attrs, 1) < 0)
        return c->err;
    if (tags && json_object_size(tags) > 50)
        return rn_call_fail(c, RN_ERR_INVALID_PARAMETER, "Too many tags added for queue %s.", name);
    sqs_queue_t *q = sqs_queue_find(s, name);
    if (q) {
        const char *diff = attrs ? attrs_diff(q, attrs) : NULL;
        if (diff)
            return rn_call_fail(c, SQS_ERR_QUEUE_EXISTS,
                                "A queue already exists with the same name and a different value for attribute %s",
                                diff);
        *out = q;
        return 0;
    }
    json_t *del = json_object_get(s->deleted, name);
    if (del && rn_now_ms() - json_integer_value(del) < SQS_DELETED_RECENTLY_MS)
        return rn_call_fail(c, SQS_ERR_QUEUE_DELETED_RECENTLY,
                            "You must wait 60 seconds after deleting a queue before you can create another with the "
                            "same name.");
    q = queue_alloc(s, s->next_qid, name);
    if (!q)
        return rn_call_fail(c, RN_ERR_NOMEM, "Out of memory");
    for (const attr_spec_t *a = specs; a->name; a++)
        if (a->def && (!a->fifo_only || q->fifo))
            json_object_set_new(q->attrs, a->name, json_string(a->def));
    if (q->fifo)
        json_object_set_new(q->attrs, "FifoQueue", json_string("true"));
    if (attrs)
        apply_attrs(q, attrs);
    else
        parse_attrs(q);
    json_object_del(q->attrs, "FifoQueue");
    if (q->fifo)
        json_object_set_new(q->attrs, "FifoQueue", json_string("true"));
    if (tags)
        json_object_update(q->tags, (json_t *)tags);
    q->created_ms = q->modified_ms = rn_now_ms();
    sqs_queue_persist(q);
    *out = q;
    return 0;
}

void sqs_queue_free(sqs_queue_t *q)
{
    if (!q)
        return;
    while (q->all_head) {
        sqs_msg_t *m = q->all_head;
        q->all_head = m->all_next;
        sqs_heap_remove(q->svc, m);
        rn_imap_del(&q->svc->msgs, m->seq);
        sqs_msg_free(m);
    }
    size_t i = 0;
    const char *k;
    void *v;
    while (rn_smap_next(&q->groups, &i, &k, &v)) {
        sqs_group_t *g = v;
        rn_free(g->id);
        rn_free(g);
    }
    rn_smap_free(&q->groups);
    while (q->dd_head) {
        sqs_dedup_t *d = q->dd_head;
        q->dd_head = d->next;
        rn_free(d->key);
        rn_free(d);
    }
    rn_smap_free(&q->dedup);
    json_decref(q->attrs);
    json_decref(q->tags);
    json_decref(q->perms);
    json_decref(q->attempts);
    rn_free(q->dlq_arn);
    rn_free(q->name);
    rn_free(q);
}

void sqs_queue_delete(sqs_t *s, sqs_queue_t *q)
{
    sqs_waiters_flush(q);
    rn_smap_del(&s->queues, q->name);
    json_object_set_new(s->deleted, q->name, json_integer(rn_now_ms()));
    rn_store_queue_delete(s->store, q->qid);
    sqs_queue_free(q);
}

int sqs_queue_set_attrs(sqs_queue_t *q, rn_call_t *c, const json_t *attrs)
{
    if (sqs_attr_validate(q->svc, c, q->name, q->fifo, attrs, 0) < 0)
        return c->err;
    apply_attrs(q, attrs);
    q->modified_ms = rn_now_ms();
    sqs_queue_persist(q);
    return 0;
}

static void put_num(json_t *o, const char *k, long long v)
{
    char num[32];
    snprintf(num, sizeof num, "%lld", v);
    json_object_set_new(o, k, json_string(num));
}

int sqs_queue_get_attrs(sqs_queue_t *q, rn_call_t *c, const json_t *names, json_t **out)
{
    int all = 0;
    size_t i;
    json_t *v;
    json_array_foreach((json_t *)names, i, v)
    {
        const char *n = json_string_value(v);
        if (!n || (!is_computed(n) && !spec_find(n)))
            return rn_call_fail(c, SQS_ERR_INVALID_ATTRIBUTE_NAME, "Unknown Attribute %s.", n ? n : "");
        if (strcmp(n, "All") == 0)
            all = 1;
    }
    json_t *full = json_deep_copy(q->attrs);
    if (!full)
        return rn_call_fail(c, RN_ERR_NOMEM, "Out of memory");
    json_object_set_new(full, "QueueArn", json_string(q->arn));
    put_num(full, "ApproximateNumberOfMessages", q->n_ready);
    put_num(full, "ApproximateNumberOfMessagesNotVisible", q->n_inflight);
    put_num(full, "ApproximateNumberOfMessagesDelayed", q->n_delayed);
    put_num(full, "CreatedTimestamp", q->created_ms / 1000);
    put_num(full, "LastModifiedTimestamp", q->modified_ms / 1000);
    if (all) {
        *out = full;
        return 0;
    }
    json_t *res = json_object();
    json_array_foreach((json_t *)names, i, v)
    {
        json_t *x = json_object_get(full, json_string_value(v));
        if (x)
            json_object_set(res, json_string_value(v), x);
    }
    json_decref(full);
    *out = res;
    return 0;
}

sqs_queue_t *sqs_queue_restore(sqs_t *s, int64_t qid, const char *name, const char *state)
{
    json_t *st = json_loads(state, 0, NULL);
    if (!st)
        return NULL;
    sqs_queue_t *q = queue_alloc(s, qid, name);
    if (!q) {
        json_decref(st);
        return NULL;
    }
    json_object_update(q->attrs, json_object_get(st, "attrs"));
    json_object_update(q->tags, json_object_get(st, "tags"));
    json_object_update(q->perms, json_object_get(st, "perms"));
    q->created_ms = json_integer_value(json_object_get(st, "created"));
    q->modified_ms = json_integer_value(json_object_get(st, "modified"));
    q->purged_ms = json_integer_value(json_object_get(st, "purged"));
    json_decref(st);
    parse_attrs(q);
    return q;
}
