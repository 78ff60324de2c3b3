/* SPDX-License-Identifier: MIT
 * The SQS API surface: one handler per operation, reading the JSON-protocol
 * input shape, checking AWS's parameter rules and building the output shape.
 * Batch operations check the whole request first (count, ids, total size),
 * then run each entry and report per-entry failures as AWS does. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_alloc.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/mem.h"
#include "sqs/sqs_int.h"

/* Reads an optional integer parameter and checks its range with AWS's
 * "Value X for parameter Y is invalid" message. */
int sqs_get_int(rn_call_t *c, const json_t *in, const char *name, int lo, int hi, int *out, int *present)
{
    json_t *v = json_object_get(in, name);
    *present = 0;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_integer(v))
        return rn_call_fail(c, RN_ERR_INVALID_PARAMETER, "Value for parameter %s is invalid. Reason: Must be an integer.",
                            name);
    json_int_t x = json_integer_value(v);
    if (x < lo || x > hi) {
        if (strcmp(name, "MaxNumberOfMessages") == 0)
            return rn_call_fail(c, RN_ERR_INVALID_PARAMETER,
                                "Value %lld for parameter %s is invalid. Reason: Must be between %d and %d, if "
                                "provided.",
                                (long long)x, name, lo, hi);
        if (strcmp(name, "MaxResults") == 0)
            return rn_call_fail(c, RN_ERR_INVALID_PARAMETER,
                                "Value for parameter MaxResults is invalid. Reason: MaxResults must be an integer "
                                "between %d and %d.",
                                lo, hi);
        return rn_call_fail(c, RN_ERR_INVALID_PARAMETER,
                            "Value %lld for parameter %s is invalid. Reason: Must be >= %d and <= %d, if provided.",
                            (long long)x, name, lo, hi);
    }
    *out = (int)x;
    *present = 1;
    return 0;
}

static int op_create_queue(sqs_t *s, rn_call_t *c)
{
    const char *name = rn_param_str(c->in, "QueueName");
    if (!name || !*name)
        return rn_call_fail(c, RN_ERR_INVALID_PARAMETER,
                            "Value for parameter QueueName is invalid. Reason: Must specify a queue name.");
    sqs_queue_t *q;
    if (sqs_queue_create(s, c, name, json_object_get(c->in, "Attributes"), json_object_get(c->in, "tags"), &q) < 0)
        return c->err;
    char url[512];
    sqs_queue_url(q, c, url, sizeof url);
    c->out = json_pack("{s:s}", "QueueUrl", url);
    return 0;
}

static int op_get_queue_url(sqs_t *s, rn_call_t *c)
{
    const char *name = rn_param_str(c->in, "QueueName");
    if (!name || !*name)
        return rn_call_fail(c, RN_ERR_INVALID_PARAMETER,
                            "Value for parameter QueueName is invalid. Reason: Must specify a queue name.");
    sqs_queue_t *q = sqs_queue_find(s, name);
    if (!q)
        return rn_call_fail(c, SQS_ERR_QUEUE_NOT_FOUND_BY_NAME, "The specified queue does not exist.");
    char url[512];
    sqs_queue_url(q, c, url, sizeof url);
    c->out = json_pack("{s:s}", "QueueUrl", url);
    return 0;
}

static int op_delete_queue(sqs_t *s, rn_call_t *c)
{
    sqs_queue_t *q;
    if (sqs_queue_from_url(s, c, c->in, &q) < 0)
        return c->err;
    sqs_queue_delete(s, q);
    c->out = json_object();
    return 0;
}

/* Collects queue URLs for a page, remembering the last name taken (SQS's
 * next token). */
typedef struct url_page {
    sqs_t *s;
    rn_call_t *c;
    json_t *urls;
    const char *last;
    const char *dlq_arn; /* ListDeadLetterSourceQueues: only queues redriving here */
} url_page_t;

static int url_keep(void *ud, const char *name)
{
    url_page_t *p = ud;
    if (!p->dlq_arn)
        return 1;
    const sqs_queue_t *q = sqs_queue_find(p->s, name);
    return q && q->dlq_arn && strcmp(q->dlq_arn, p->dlq_arn) == 0;
}

static void url_take(void *ud, const char *name)
{
    url_page_t *p = ud;
    char url[512];
    sqs_queue_url(sqs_queue_find(p->s, name), p->c, url, sizeof url);
    json_array_append_new(p->urls, json_string(url));
    p->last = name;
}

int sqs_list_urls(sqs_t *s, rn_call_t *c, const char *prefix, const char *dlq_arn, const char *list_key,
                  int keep_empty)
{
    int max = 1000, has_max = 0;
    if (sqs_get_int(c, c->in, "MaxResults", 1, 1000, &max, &has_max) < 0)
        return c->err;
    size_t n;
    const char **names = rn_sorted_keys(&s->queues, &n);
    if (!names)
        return rn_call_fail(c, RN_ERR_NOMEM, "Out of memory");
    url_page_t p = {s, c, json_array(), NULL, dlq_arn};
    /* the token is the last name of the previous page */
    rn_page_t page = {rn_param_str(c->in, "NextToken"), 0, (size_t)max, prefix};
    size_t next = rn_page_walk(&page, names, n, url_keep, url_take, &p);
    c->out = json_object();
    if (next < n && has_max && p.last)
        json_object_set_new(c->out, "NextToken", json_string(p.last));
    rn_free(names);
    if (keep_empty || json_array_size(p.urls))
        json_object_set_new(c->out, list_key, p.urls);
    else
        json_decref(p.urls);
    return 0;
}

static int op_list_queues(sqs_t *s, rn_call_t *c)
{
    return sqs_list_urls(s, c, rn_param_str(c->in, "QueueNamePrefix"), NULL, "QueueUrls", 0);
}

static int op_get_attrs(sqs_t *s, rn_call_t *c)
{
    sqs_queue_t *q;
    if (sqs_queue_from_url(s, c, c->in, &q) < 0)
        return c->err;
    json_t *names = json_object_get(c->in, "AttributeNames");
    json_t *attrs;
    if (!names || json_array_size(names) == 0) {
        c->out = json_object();
        return 0;
    }
    if (sqs_queue_get_attrs(q, c, names, &attrs) < 0)
        return c->err;
    c->out = json_object();
    if (json_object_size(attrs))
        json_object_set_new(c->out, "Attributes", attrs);
    else
        json_decref(attrs);
    return 0;
}

static int op_set_attrs(sqs_t *s, rn_call_t *c)
{
    sqs_queue_t *q;
    if (sqs_queue_from_url(s, c, c->in, &q) < 0)
        return c->err;
    json_t *attrs = json_object_get(c->in, "Attributes");
    if (!attrs || json_object_size(attrs) == 0)
        return rn_call_fail(c, RN_ERR_MISSING_PARAMETER, "The request must contain the parameter Attribute.Name.");
    const char *fq = rn_param_str(attrs, "FifoQueue");
    if (fq && q->fifo) {
        if (strcasecmp(fq, "false") == 0)
            return rn_call_fail(c, SQS_ERR_INVALID_ATTRIBUTE_VALUE,
                                "Invalid value for the parameter FifoQueue. Reason: Modifying queue type is not "
                                "supported.");
        json_t *copy = json_deep_copy(attrs);
        json_object_del(copy, "FifoQueue");
        int rc = json_object_size(copy) ? sqs_queue_set_attrs(q, c, copy) : 0;
        json_decref(copy);
        if (rc < 0)
            return rc;
    } else if (sqs_queue_set_attrs(q, c, attrs) < 0) {
        return c->err;
    }
    c->out = json_object();
    return 0;
}

static int op_send(sqs_t *s, rn_call_t *c)
{
    sqs_queue_t *q;
    if (sqs_queue_from_url(s, c, c->in, &q) < 0)
        return c->err;
    json_t *r;
    if (sqs_msg_send(q, c, c->in, 0, &r) < 0)
        return c->err;
    c->out = r;
    return 0;
}

int sqs_send_to_arn(sqs_t *s, const char *arn, const char *body, size_t len, const char *group_id,
                    const char *dedup_id, const json_t *attrs, char *msg, size_t msglen)
{
    sqs_queue_t *q = sqs_queue_by_arn(s, arn);
    if (!q) {
        snprintf(msg, msglen, "The specified queue does not exist.");
        return SQS_ERR_QUEUE_NOT_FOUND;
    }
    /* no dedup id where content-based deduplication stands in for it */
    sqs_send_t in = {body, len, attrs, NULL, SQS_DELAY_QUEUE, q->fifo ? group_id : NULL,
                     q->fifo && !q->content_dedup ? dedup_id : NULL, NULL};
    sqs_sent_t out;
    int rc = sqs_queue_send(q, &in, &out, msg, msglen);
    return rc;
}

static int entry_id_ok(const char *id)
{
    size_t n = id ? strlen(id) : 0;
    if (n == 0 || n > 80)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char ch = id[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' ||
              ch == '_'))
            return 0;
    }
    return 1;
}

/* Whole-request batch checks shared by the three batch operations. */
static int batch_check(rn_call_t *c, const char *entry_name, json_t *entries)
{
    size_t n = json_array_size(entries);
    if (n == 0)
        return rn_call_fail(c, SQS_ERR_EMPTY_BATCH, "There should be at least one %s in the request.", entry_name);
    if (n > 10)
        return rn_call_fail(c, SQS_ERR_TOO_MANY_ENTRIES,
                            "Maximum number of entries per request are 10. You have sent %zu.", n);
    for (size_t i = 0; i < n; i++) {
        const char *id = rn_param_str(json_array_get(entries, i), "Id");
        if (!entry_id_ok(id))
            return rn_call_fail(c, SQS_ERR_INVALID_BATCH_ID,
                                "A batch entry id can only contain alphanumeric characters, hyphens and underscores. "
                                "It can be at most 80 letters long.");
        for (size_t j = 0; j < i; j++)
            if (strcmp(id, rn_param_str(json_array_get(entries, j), "Id")) == 0)
                return rn_call_fail(c, SQS_ERR_BATCH_IDS_NOT_DISTINCT, "Id %s repeated.", id);
    }
    return 0;
}

static void add_failed(json_t *failed, const char *id, rn_call_t *sub)
{
    const rn_err_info_t *e = rn_err_info(sub->err);
    json_array_append_new(failed, json_pack("{s:s,s:b,s:s,s:s}", "Id", id, "SenderFault", e->sender, "Code",
                                            e->code, "Message", rn_call_msg(sub)));
}

static json_t *id_entry(const char *id)
{
    json_t *o = json_object();
    json_object_set_new_nocheck(o, "Id", json_string_nocheck(id));
    return o;
}

static size_t attrs_size(const json_t *attrs)
{
    size_t n = 0;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)attrs, k, v)
    {
        n += strlen(k) + strlen(rn_param_str(v, "DataType") ? rn_param_str(v, "DataType") : "");
        const char *sv = rn_param_str(v, "StringValue");
        const char *bv = rn_param_str(v, "BinaryValue");
        if (sv)
            n += strlen(sv);
        if (bv)
            n += strlen(bv) * 3 / 4;
    }
    return n;
}

static int op_send_batch(sqs_t *s, rn_call_t *c)
{
    sqs_queue_t *q;
    if (sqs_queue_from_url(s, c, c->in, &q) < 0)
        return c->err;
    json_t *entries = json_object_get(c->in, "Entries");
    if (batch_check(c, "SendMessageBatchRequestEntry", entries) < 0)
        return c->err;
    size_t total = 0, i;
    json_t *e;
    json_array_foreach(entries, i, e)
    {
        total += json_string_length(json_object_get(e, "MessageBody"));
        total += attrs_size(json_object_get(e, "MessageAttributes"));
        if (q->fifo) {
            if (!rn_param_str(e, "MessageGroupId"))
                return rn_call_fail(c, RN_ERR_INVALID_PARAMETER, "The request must contain the parameter MessageGroupId.");
            if (!rn_param_str(e, "MessageDeduplicationId") && !q->content_dedup)
                return rn_call_fail(c, RN_ERR_INVALID_PARAMETER,
                                    "The queue should either have ContentBasedDeduplication enabled or "
                                    "MessageDeduplicationId provided explicitly");
        }
    }
    if (total > SQS_MAX_MESSAGE_SIZE)
        return rn_call_fail(c, SQS_ERR_BATCH_TOO_LONG,
                            "Batch requests cannot be longer than %d bytes. You have sent %zu bytes.",
                            SQS_MAX_MESSAGE_SIZE, total);
    json_t *ok = json_array(), *failed = json_array();
    json_array_foreach(entries, i, e)
    {
        rn_call_t sub = *c;
        sub.msg_long = NULL; /* c owns it */
        sub.err = 0;
        sub.msg[0] = '\0';
        json_t *r = NULL;
        const char *id = rn_param_str(e, "Id");
        if (sqs_msg_send(q, &sub, e, 1, &r) < 0) {
            if (strncmp(sub.msg, "One or more parameters are invalid.", 35) == 0)
                memcpy(sub.msg, "One or more parameters cannot be validated.", 43),
                    memmove(sub.msg + 43, sub.msg + 35, strlen(sub.msg + 35) + 1);
            add_failed(failed, id, &sub);
            rn_call_clear_msg(&sub);
        } else {
            json_object_set_new(r, "Id", json_string(id));
            json_array_append_new(ok, r);
        }
    }
    c->out = json_pack("{s:o,s:o}", "Successful", ok, "Failed", failed);
    return 0;
}

static int receive_params(sqs_queue_t *q, rn_call_t *c, int *max, int *vt, int *wait)
{
    int present;
    *max = 1;
    *vt = q->visibility_s;
    *wait = q->wait_s;
    if (sqs_get_int(c, c->in, "MaxNumberOfMessages", 1, 10, max, &present) < 0 ||
        sqs_get_int(c, c->in, "VisibilityTimeout", 0, 43200, vt, &present) < 0 ||
        sqs_get_int(c, c->in, "WaitTimeSeconds", 0, 20, wait, &present) < 0)
        return c->err;
    return 0;
}

static int op_receive(sqs_t *s, rn_call_t *c)
{
    sqs_queue_t *q;
    if (sqs_queue_from_url(s, c, c->in, &q) < 0)
        return c->err;
    int max, vt, wait;
    if (receive_params(q, c, &max, &vt, &wait) < 0)
        return c->err;
    const char *attempt = q->fifo ? rn_param_str(c->in, "ReceiveRequestAttemptId") : NULL;
    if (attempt) {
        json_t *prev = json_object_get(q->attempts, attempt);
        if (prev && json_integer_value(json_object_get(prev, "exp")) > rn_now_ms()) {
            c->out = json_deep_copy(json_object_get(prev, "out"));
            return 0;
        }
    }
    c->out = json_pack("{s:[]}", "Messages");
    json_t *msgs = json_object_get(c->out, "Messages");
    int got = sqs_msg_receive(q, c, max, vt, c->in, msgs);
    if (got < 0) {
        json_decref(c->out);
        c->out = NULL;
        return rn_call_fail(c, got, "The store could not read a message back.");
    }
    if (got == 0 && wait > 0)
        return sqs_waiter_park(q, c, max, vt, wait);
    if (got == 0)
        q->tally.empty_receives++;
    if (attempt && got)
        json_object_set_new(q->attempts, attempt,
                            json_pack("{s:I,s:O}", "exp", (json_int_t)(rn_now_ms() + 5 * 60 * 1000), "out", c->out));
    sqs_receive_tidy(c->out);
    return 0;
}

static int op_delete(sqs_t *s, rn_call_t *c)
{
    sqs_queue_t *q;
    if (sqs_queue_from_url(s, c, c->in, &q) < 0)
        return c->err;
    const char *h = rn_param_str(c->in, "ReceiptHandle");
    if (!h)
        return rn_call_fail(c, RN_ERR_MISSING_PARAMETER, "The request must contain the parameter ReceiptHandle.");
    if (sqs_msg_delete_handle(q, c, h) < 0)
        return c->err;
    c->out = json_object();
    return 0;
}

typedef int (*handle_op_fn)(sqs_queue_t *q, rn_call_t *c, const char *handle, const json_t *entry);

/* Runs a receipt-handle operation over a batch: whole-request checks first,
 * then each entry, with per-entry failures reported as AWS does. */
static int handle_batch(sqs_t *s, rn_call_t *c, const char *entry_name, handle_op_fn fn)
{
    sqs_queue_t *q;
    if (sqs_queue_from_url(s, c, c->in, &q) < 0)
        return c->err;
    json_t *entries = json_object_get(c->in, "Entries");
    if (batch_check(c, entry_name, entries) < 0)
        return c->err;
    json_t *ok = json_array(), *failed = json_array();
    size_t i;
    json_t *e;
    json_array_foreach(entries, i, e)
    {
        rn_call_t sub = *c;
        sub.msg_long = NULL; /* c owns it */
        sub.err = 0;
        const char *id = rn_param_str(e, "Id");
        const char *h = rn_param_str(e, "ReceiptHandle");
        if (!h)
            rn_call_fail(&sub, RN_ERR_MISSING_PARAMETER, "The request must contain the parameter ReceiptHandle.");
        if (sub.err || fn(q, &sub, h, e) < 0)
            add_failed(failed, id, &sub);
        else
            json_array_append_new(ok, id_entry(id));
        rn_call_clear_msg(&sub);
    }
    c->out = json_pack("{s:o,s:o}", "Successful", ok, "Failed", failed);
    return 0;
}

static int delete_entry(sqs_queue_t *q, rn_call_t *c, const char *handle, const json_t *entry)
{
    (void)entry;
    return sqs_msg_delete_handle(q, c, handle);
}

static int change_vis_entry(sqs_queue_t *q, rn_call_t *c, const char *handle, const json_t *entry)
{
    /* VisibilityTimeout is optional in a batch entry; absent means 0 */
    json_t *vt = json_object_get(entry, "VisibilityTimeout");
    if (vt)
        return sqs_msg_change_visibility(q, c, handle, vt);
    json_t *zero = json_integer(0);
    int rc = sqs_msg_change_visibility(q, c, handle, zero);
    json_decref(zero);
    return rc;
}

static int op_delete_batch(sqs_t *s, rn_call_t *c)
{
    return handle_batch(s, c, "DeleteMessageBatchRequestEntry", delete_entry);
}

static int op_change_vis(sqs_t *s, rn_call_t *c)
{
    sqs_queue_t *q;
    if (sqs_queue_from_url(s, c, c->in, &q) < 0)
        return c->err;
    const char *h = rn_param_str(c->in, "ReceiptHandle");
    if (!h)
        return rn_call_fail(c, RN_ERR_MISSING_PARAMETER, "The request must contain the parameter ReceiptHandle.");
    if (sqs_msg_change_visibility(q, c, h, json_object_get(c->in, "VisibilityTimeout")) < 0)
        return c->err;
    c->out = json_object();
    return 0;
}

static int op_change_vis_batch(sqs_t *s, rn_call_t *c)
{
    return handle_batch(s, c, "ChangeMessageVisibilityBatchRequestEntry", change_vis_entry);
}

static int op_purge(sqs_t *s, rn_call_t *c)
{
    sqs_queue_t *q;
    if (sqs_queue_from_url(s, c, c->in, &q) < 0)
        return c->err;
    int64_t now = rn_now_ms();
    if (q->purged_ms && now - q->purged_ms < SQS_PURGE_WINDOW_MS)
        return rn_call_fail(c, SQS_ERR_PURGE_IN_PROGRESS, "Only one PurgeQueue operation on %s is allowed every 60 seconds.",
                            q->name);
    sqs_msg_purge(q);
    q->purged_ms = now;
    sqs_queue_persist(q);
    c->out = json_object();
    return 0;
}

static int check_tag(rn_call_t *c, const char *k, const char *v)
{
    size_t kl = strlen(k);
    if (kl < 1 || kl > 128)
        return rn_call_fail(c, RN_ERR_INVALID_PARAMETER, "Tag keys must be between 1 and 128 characters in length.");
    if (v && strlen(v) > 256)
        return rn_call_fail(c, RN_ERR_INVALID_PARAMETER, "Tag values must be between 0 and 256 characters in length.");
    return 0;
}

static int op_tag(sqs_t *s, rn_call_t *c)
{
    sqs_queue_t *q;
    if (sqs_queue_from_url(s, c, c->in, &q) < 0)
        return c->err;
    json_t *tags = json_object_get(c->in, "Tags");
    if (!tags || json_object_size(tags) == 0)
        return rn_call_fail(c, RN_ERR_MISSING_PARAMETER, "The request must contain the parameter Tags.");
    const char *k;
    json_t *v;
    size_t added = 0;
    json_object_foreach(tags, k, v)
    {
        if (!json_is_string(v) || check_tag(c, k, json_string_value(v)) < 0)
            return c->err ? c->err : rn_call_fail(c, RN_ERR_INVALID_PARAMETER, "Tag values must be strings.");
        if (!json_object_get(q->tags, k))
            added++;
    }
    if (json_object_size(q->tags) + added > 50)
        return rn_call_fail(c, RN_ERR_INVALID_PARAMETER, "Too many tags added for queue %s.", q->name);
    json_object_update(q->tags, tags);
    sqs_queue_persist(q);
    c->out = json_object();
    return 0;
}

static int op_untag(sqs_t *s, rn_call_t *c)
{
    sqs_queue_t *q;
    if (sqs_queue_from_url(s, c, c->in, &q) < 0)
        return c->err;
    json_t *keys = json_object_get(c->in, "TagKeys");
    if (json_array_size(keys) == 0)
        return rn_call_fail(c, RN_ERR_INVALID_PARAMETER, "Tag keys must be between 1 and 128 characters in length.");
    size_t i;
    json_t *v;
    json_array_foreach(keys, i, v)
    {
        if (!json_is_string(v) || check_tag(c, json_string_value(v), NULL) < 0)
            return c->err ? c->err : rn_call_fail(c, RN_ERR_INVALID_PARAMETER, "Tag keys must be strings.");
    }
    json_array_foreach(keys, i, v) json_object_del(q->tags, json_string_value(v));
    sqs_queue_persist(q);
    c->out = json_object();
    return 0;
}

static int op_list_tags(sqs_t *s, rn_call_t *c)
{
    sqs_queue_t *q;
    if (sqs_queue_from_url(s, c, c->in, &q) < 0)
        return c->err;
    c->out = json_object();
    if (json_object_size(q->tags))
        json_object_set(c->out, "Tags", q->tags);
    return 0;
}

static const char *valid_actions[] = {"*", "SendMessage", "ReceiveMessage", "DeleteMessage",
                                      "ChangeMessageVisibility", "GetQueueAttributes", "GetQueueUrl",
                                      "ListDeadLetterSourceQueues", "PurgeQueue", "ListQueueTags",
                                      "ListMessageMoveTasks", "StartMessageMoveTask", "CancelMessageMoveTask",
                                      "SendMessageBatch", "DeleteMessageBatch", "ChangeMessageVisibilityBatch", NULL};

/* AWS writes a single principal or action as a plain string and several as a
 * list. Takes ownership of `arr`. */
static json_t *one_or_list(json_t *arr)
{
    if (json_array_size(arr) != 1)
        return arr;
    json_t *one = json_incref(json_array_get(arr, 0));
    json_decref(arr);
    return one;
}

/* Rebuilds the Policy attribute from the permissions in the shape AWS gives
 * it (localstack test_sqs.snapshot.json, test_sqs_permission_lifecycle):
 * Version 2008-10-17, Id "<queue arn>/SQSDefaultPolicy", one statement per
 * label. With no permissions left the attribute is removed. */
static void perms_to_policy(sqs_queue_t *q)
{
    if (json_object_size(q->perms) == 0) {
        json_object_del(q->attrs, "Policy");
        return;
    }
    size_t i;
    json_t *v;
    json_t *stmts = json_array();
    const char *lk;
    json_t *lv;
    json_object_foreach(q->perms, lk, lv)
    {
        json_t *principals = json_array(), *acts = json_array();
        json_array_foreach(json_object_get(lv, "accounts"), i, v)
        {
            char arn[64];
            snprintf(arn, sizeof arn, "arn:aws:iam::%s:root", json_string_value(v));
            json_array_append_new(principals, json_string(arn));
        }
        json_array_foreach(json_object_get(lv, "actions"), i, v)
        {
            char a[80];
            snprintf(a, sizeof a, "SQS:%s", json_string_value(v));
            json_array_append_new(acts, json_string(a));
        }
        json_array_append_new(stmts, json_pack("{s:s,s:s,s:{s:o},s:o,s:s}", "Sid", lk, "Effect", "Allow",
                                               "Principal", "AWS", one_or_list(principals), "Action",
                                               one_or_list(acts), "Resource", q->arn));
    }
    char pid[300];
    snprintf(pid, sizeof pid, "%s/SQSDefaultPolicy", q->arn);
    json_t *pol = json_pack("{s:s,s:s,s:o}", "Version", "2008-10-17", "Id", pid, "Statement", stmts);
    char *txt = json_dumps(pol, JSON_COMPACT);
    json_decref(pol);
    json_object_set_new(q->attrs, "Policy", json_string(txt));
    rn_json_free(txt);
}

static int op_add_permission(sqs_t *s, rn_call_t *c)
{
    sqs_queue_t *q;
    if (sqs_queue_from_url(s, c, c->in, &q) < 0)
        return c->err;
    const char *label = rn_param_str(c->in, "Label");
    json_t *accounts = json_object_get(c->in, "AWSAccountIds");
    json_t *actions = json_object_get(c->in, "Actions");
    if (!label)
        return rn_call_fail(c, RN_ERR_MISSING_PARAMETER, "The request must contain the parameter Label.");
    if (json_array_size(accounts) == 0)
        return rn_call_fail(c, RN_ERR_MISSING_PARAMETER, "The request must contain the parameter AWSAccountIds.");
    if (json_array_size(actions) == 0)
        return rn_call_fail(c, RN_ERR_MISSING_PARAMETER, "The request must contain the parameter Actions.");
    size_t i;
    json_t *v;
    json_array_foreach(actions, i, v)
    {
        const char *a = json_string_value(v);
        int ok = 0;
        for (int k = 0; a && valid_actions[k]; k++)
            ok |= strcmp(a, valid_actions[k]) == 0;
        if (!ok)
            return rn_call_fail(c, RN_ERR_INVALID_PARAMETER,
                                "Value SQS:%s for parameter ActionName is invalid. Reason: Please refer to the "
                                "appropriate WSDL for a list of valid actions. ",
                                a ? a : "");
    }
    if (json_object_get(q->perms, label))
        return rn_call_fail(c, RN_ERR_INVALID_PARAMETER,
                            "Value %s for parameter Label is invalid. Reason: Already exists.", label);
    json_object_set_new(q->perms, label, json_pack("{s:O,s:O}", "accounts", accounts, "actions", actions));
    perms_to_policy(q);
    sqs_queue_persist(q);
    c->out = json_object();
    return 0;
}

static int op_remove_permission(sqs_t *s, rn_call_t *c)
{
    sqs_queue_t *q;
    if (sqs_queue_from_url(s, c, c->in, &q) < 0)
        return c->err;
    const char *label = rn_param_str(c->in, "Label");
    if (!label)
        return rn_call_fail(c, RN_ERR_MISSING_PARAMETER, "The request must contain the parameter Label.");
    if (!json_object_get(q->perms, label))
        return rn_call_fail(c, RN_ERR_INVALID_PARAMETER,
                            "Value %s for parameter Label is invalid. Reason: can't find label.", label);
    json_object_del(q->perms, label);
    perms_to_policy(q);
    sqs_queue_persist(q);
    c->out = json_object();
    return 0;
}

typedef struct op_entry {
    const char *name;
    int (*fn)(sqs_t *, rn_call_t *);
} op_entry_t;

static const op_entry_t ops[] = {
    {"CreateQueue", op_create_queue},
    {"GetQueueUrl", op_get_queue_url},
    {"DeleteQueue", op_delete_queue},
    {"ListQueues", op_list_queues},
    {"GetQueueAttributes", op_get_attrs},
    {"SetQueueAttributes", op_set_attrs},
    {"SendMessage", op_send},
    {"SendMessageBatch", op_send_batch},
    {"ReceiveMessage", op_receive},
    {"DeleteMessage", op_delete},
    {"DeleteMessageBatch", op_delete_batch},
    {"ChangeMessageVisibility", op_change_vis},
    {"ChangeMessageVisibilityBatch", op_change_vis_batch},
    {"PurgeQueue", op_purge},
    {"TagQueue", op_tag},
    {"UntagQueue", op_untag},
    {"ListQueueTags", op_list_tags},
    {"ListDeadLetterSourceQueues", sqs_op_list_dlq_sources},
    {"StartMessageMoveTask", sqs_op_start_move},
    {"CancelMessageMoveTask", sqs_op_cancel_move},
    {"ListMessageMoveTasks", sqs_op_list_moves},
    {"AddPermission", op_add_permission},
    {"RemovePermission", op_remove_permission},
    {NULL, NULL},
};

int sqs_call(sqs_t *s, rn_call_t *c)
{
    for (const op_entry_t *o = ops; o->name; o++) {
        if (strcmp(o->name, c->op) == 0) {
            if (!json_is_object(c->in))
                return rn_call_fail(c, RN_ERR_SERIALIZATION, "Start of structure or map found where not expected.");
            int rc = o->fn(s, c);
            if (rc < 0 && !c->err)
                c->err = rc;
            return rc < 0 ? c->err : rc;
        }
    }
    return rn_call_fail(c, RN_ERR_INVALID_ACTION, "The action %s is not valid for this endpoint.", c->op);
}
