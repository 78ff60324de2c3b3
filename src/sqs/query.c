/* SPDX-License-Identifier: MIT
 * Query-protocol conversion for SQS, driven by one table of the 2012-11-05
 * API's shapes. Each member carries its JSON-protocol name and its wire name
 * (the query model's locationName: `Attribute` for Attributes, `QueueUrl` for
 * a QueueUrls element, ...), so decoding and encoding read the same table.
 * The table follows botocore's last query-protocol SQS model (2023-11) plus
 * ReceiveMessage's MessageSystemAttributeNames from the JSON model.
 *
 * Decoding walks each flat name segment by segment through the shapes into a
 * raw tree in which lists and maps are keyed by their .N index, then builds
 * the JSON input in member order with lists and maps sorted by index.
 * Encoding walks the output shape and emits flattened lists and maps the way
 * SQS does (<Attribute><Name/><Value/></Attribute>, repeated <QueueUrl>). */
#include "sqs/query.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/xml.h"
#include "core/err.h"
#include "core/mem.h"

/* ---- the shape table ---- */

enum { Q_STR, Q_INT, Q_LONG, Q_BOOL, Q_BLOB, Q_STRUCT, Q_LIST, Q_MAP };

typedef struct qshape qshape_t;

typedef struct qmember {
    const char *json; /* JSON protocol member name */
    const char *wire; /* query parameter / XML element name */
    const qshape_t *shape;
} qmember_t;

struct qshape {
    int type;
    const qmember_t *members; /* Q_STRUCT: terminated by a NULL json name */
    const qshape_t *elem;     /* Q_LIST element, Q_MAP value */
    const char *key, *value;  /* Q_MAP entry element names */
};

#define MEMBER(name, shape) {name, name, &shape}
#define RENAMED(json, wire, shape) {json, wire, &shape}
#define END {NULL, NULL, NULL}

static const qshape_t S_STR = {Q_STR}, S_INT = {Q_INT}, S_LONG = {Q_LONG}, S_BOOL = {Q_BOOL}, S_BLOB = {Q_BLOB};
static const qshape_t L_STR = {Q_LIST, .elem = &S_STR}, L_BLOB = {Q_LIST, .elem = &S_BLOB};
/* QueueAttributeMap and MessageSystemAttributeMap */
static const qshape_t M_ATTR = {Q_MAP, .elem = &S_STR, .key = "Name", .value = "Value"};
static const qshape_t M_TAG = {Q_MAP, .elem = &S_STR, .key = "Key", .value = "Value"};

/* MessageAttributeValue; MessageSystemAttributeValue has the same members */
static const qmember_t attr_value_m[] = {
    MEMBER("StringValue", S_STR),
    MEMBER("BinaryValue", S_BLOB),
    RENAMED("StringListValues", "StringListValue", L_STR),
    RENAMED("BinaryListValues", "BinaryListValue", L_BLOB),
    MEMBER("DataType", S_STR),
    END,
};
static const qshape_t T_ATTR_VALUE = {Q_STRUCT, attr_value_m};
static const qshape_t M_MSGATTR = {Q_MAP, .elem = &T_ATTR_VALUE, .key = "Name", .value = "Value"};

static const qmember_t add_permission_in[] = {
    MEMBER("QueueUrl", S_STR),
    MEMBER("Label", S_STR),
    RENAMED("AWSAccountIds", "AWSAccountId", L_STR),
    RENAMED("Actions", "ActionName", L_STR),
    END,
};
static const qmember_t cancel_move_in[] = {MEMBER("TaskHandle", S_STR), END};
static const qmember_t cancel_move_out[] = {MEMBER("ApproximateNumberOfMessagesMoved", S_LONG), END};
static const qmember_t change_vis_in[] = {
    MEMBER("QueueUrl", S_STR),
    MEMBER("ReceiptHandle", S_STR),
    MEMBER("VisibilityTimeout", S_INT),
    END,
};
static const qmember_t change_vis_entry_m[] = {
    MEMBER("Id", S_STR),
    MEMBER("ReceiptHandle", S_STR),
    MEMBER("VisibilityTimeout", S_INT),
    END,
};
static const qshape_t T_CHANGE_VIS_ENTRY = {Q_STRUCT, change_vis_entry_m};
static const qshape_t L_CHANGE_VIS_ENTRY = {Q_LIST, .elem = &T_CHANGE_VIS_ENTRY};
static const qmember_t change_vis_batch_in[] = {
    MEMBER("QueueUrl", S_STR),
    RENAMED("Entries", "ChangeMessageVisibilityBatchRequestEntry", L_CHANGE_VIS_ENTRY),
    END,
};
/* ChangeMessageVisibilityBatchResultEntry and DeleteMessageBatchResultEntry */
static const qmember_t id_only_m[] = {MEMBER("Id", S_STR), END};
static const qshape_t T_ID_ONLY = {Q_STRUCT, id_only_m};
static const qshape_t L_ID_ONLY = {Q_LIST, .elem = &T_ID_ONLY};
static const qmember_t batch_error_m[] = {
    MEMBER("Id", S_STR),
    MEMBER("SenderFault", S_BOOL),
    MEMBER("Code", S_STR),
    MEMBER("Message", S_STR),
    END,
};
static const qshape_t T_BATCH_ERROR = {Q_STRUCT, batch_error_m};
static const qshape_t L_BATCH_ERROR = {Q_LIST, .elem = &T_BATCH_ERROR};
static const qmember_t change_vis_batch_out[] = {
    RENAMED("Successful", "ChangeMessageVisibilityBatchResultEntry", L_ID_ONLY),
    RENAMED("Failed", "BatchResultErrorEntry", L_BATCH_ERROR),
    END,
};
static const qmember_t create_queue_in[] = {
    MEMBER("QueueName", S_STR),
    RENAMED("Attributes", "Attribute", M_ATTR),
    RENAMED("tags", "Tag", M_TAG),
    END,
};
static const qmember_t queue_url_only[] = {MEMBER("QueueUrl", S_STR), END};
static const qmember_t delete_message_in[] = {MEMBER("QueueUrl", S_STR), MEMBER("ReceiptHandle", S_STR), END};
static const qmember_t delete_entry_m[] = {MEMBER("Id", S_STR), MEMBER("ReceiptHandle", S_STR), END};
static const qshape_t T_DELETE_ENTRY = {Q_STRUCT, delete_entry_m};
static const qshape_t L_DELETE_ENTRY = {Q_LIST, .elem = &T_DELETE_ENTRY};
static const qmember_t delete_batch_in[] = {
    MEMBER("QueueUrl", S_STR),
    RENAMED("Entries", "DeleteMessageBatchRequestEntry", L_DELETE_ENTRY),
    END,
};
static const qmember_t delete_batch_out[] = {
    RENAMED("Successful", "DeleteMessageBatchResultEntry", L_ID_ONLY),
    RENAMED("Failed", "BatchResultErrorEntry", L_BATCH_ERROR),
    END,
};
static const qmember_t get_attrs_in[] = {
    MEMBER("QueueUrl", S_STR),
    RENAMED("AttributeNames", "AttributeName", L_STR),
    END,
};
static const qmember_t attrs_out[] = {RENAMED("Attributes", "Attribute", M_ATTR), END};
static const qmember_t get_url_in[] = {MEMBER("QueueName", S_STR), MEMBER("QueueOwnerAWSAccountId", S_STR), END};
static const qmember_t list_dlq_in[] = {
    MEMBER("QueueUrl", S_STR),
    MEMBER("NextToken", S_STR),
    MEMBER("MaxResults", S_INT),
    END,
};
static const qmember_t list_dlq_out[] = {
    RENAMED("queueUrls", "QueueUrl", L_STR),
    MEMBER("NextToken", S_STR),
    END,
};
static const qmember_t list_moves_in[] = {MEMBER("SourceArn", S_STR), MEMBER("MaxResults", S_INT), END};
static const qmember_t move_task_m[] = {
    MEMBER("TaskHandle", S_STR),
    MEMBER("Status", S_STR),
    MEMBER("SourceArn", S_STR),
    MEMBER("DestinationArn", S_STR),
    MEMBER("MaxNumberOfMessagesPerSecond", S_INT),
    MEMBER("ApproximateNumberOfMessagesMoved", S_LONG),
    MEMBER("ApproximateNumberOfMessagesToMove", S_LONG),
    MEMBER("FailureReason", S_STR),
    MEMBER("StartedTimestamp", S_LONG),
    END,
};
static const qshape_t T_MOVE_TASK = {Q_STRUCT, move_task_m};
static const qshape_t L_MOVE_TASK = {Q_LIST, .elem = &T_MOVE_TASK};
static const qmember_t list_moves_out[] = {RENAMED("Results", "ListMessageMoveTasksResultEntry", L_MOVE_TASK), END};
static const qmember_t tags_out[] = {RENAMED("Tags", "Tag", M_TAG), END};
static const qmember_t list_queues_in[] = {
    MEMBER("QueueNamePrefix", S_STR),
    MEMBER("NextToken", S_STR),
    MEMBER("MaxResults", S_INT),
    END,
};
static const qmember_t list_queues_out[] = {
    RENAMED("QueueUrls", "QueueUrl", L_STR),
    MEMBER("NextToken", S_STR),
    END,
};
static const qmember_t receive_in[] = {
    MEMBER("QueueUrl", S_STR),
    RENAMED("AttributeNames", "AttributeName", L_STR),
    RENAMED("MessageSystemAttributeNames", "MessageSystemAttributeName", L_STR),
    RENAMED("MessageAttributeNames", "MessageAttributeName", L_STR),
    MEMBER("MaxNumberOfMessages", S_INT),
    MEMBER("VisibilityTimeout", S_INT),
    MEMBER("WaitTimeSeconds", S_INT),
    MEMBER("ReceiveRequestAttemptId", S_STR),
    END,
};
static const qmember_t message_m[] = {
    MEMBER("MessageId", S_STR),
    MEMBER("ReceiptHandle", S_STR),
    MEMBER("MD5OfBody", S_STR),
    MEMBER("Body", S_STR),
    RENAMED("Attributes", "Attribute", M_ATTR),
    MEMBER("MD5OfMessageAttributes", S_STR),
    RENAMED("MessageAttributes", "MessageAttribute", M_MSGATTR),
    END,
};
static const qshape_t T_MESSAGE = {Q_STRUCT, message_m};
static const qshape_t L_MESSAGE = {Q_LIST, .elem = &T_MESSAGE};
static const qmember_t receive_out[] = {RENAMED("Messages", "Message", L_MESSAGE), END};
static const qmember_t label_in[] = {MEMBER("QueueUrl", S_STR), MEMBER("Label", S_STR), END};
static const qmember_t send_in[] = {
    MEMBER("QueueUrl", S_STR),
    MEMBER("MessageBody", S_STR),
    MEMBER("DelaySeconds", S_INT),
    RENAMED("MessageAttributes", "MessageAttribute", M_MSGATTR),
    RENAMED("MessageSystemAttributes", "MessageSystemAttribute", M_MSGATTR),
    MEMBER("MessageDeduplicationId", S_STR),
    MEMBER("MessageGroupId", S_STR),
    END,
};
static const qmember_t send_out[] = {
    MEMBER("MD5OfMessageBody", S_STR),
    MEMBER("MD5OfMessageAttributes", S_STR),
    MEMBER("MD5OfMessageSystemAttributes", S_STR),
    MEMBER("MessageId", S_STR),
    MEMBER("SequenceNumber", S_STR),
    END,
};
static const qmember_t send_entry_m[] = {
    MEMBER("Id", S_STR),
    MEMBER("MessageBody", S_STR),
    MEMBER("DelaySeconds", S_INT),
    RENAMED("MessageAttributes", "MessageAttribute", M_MSGATTR),
    RENAMED("MessageSystemAttributes", "MessageSystemAttribute", M_MSGATTR),
    MEMBER("MessageDeduplicationId", S_STR),
    MEMBER("MessageGroupId", S_STR),
    END,
};
static const qshape_t T_SEND_ENTRY = {Q_STRUCT, send_entry_m};
static const qshape_t L_SEND_ENTRY = {Q_LIST, .elem = &T_SEND_ENTRY};
static const qmember_t send_batch_in[] = {
    MEMBER("QueueUrl", S_STR),
    RENAMED("Entries", "SendMessageBatchRequestEntry", L_SEND_ENTRY),
    END,
};
static const qmember_t send_result_entry_m[] = {
    MEMBER("Id", S_STR),
    MEMBER("MessageId", S_STR),
    MEMBER("MD5OfMessageBody", S_STR),
    MEMBER("MD5OfMessageAttributes", S_STR),
    MEMBER("MD5OfMessageSystemAttributes", S_STR),
    MEMBER("SequenceNumber", S_STR),
    END,
};
static const qshape_t T_SEND_RESULT_ENTRY = {Q_STRUCT, send_result_entry_m};
static const qshape_t L_SEND_RESULT_ENTRY = {Q_LIST, .elem = &T_SEND_RESULT_ENTRY};
static const qmember_t send_batch_out[] = {
    RENAMED("Successful", "SendMessageBatchResultEntry", L_SEND_RESULT_ENTRY),
    RENAMED("Failed", "BatchResultErrorEntry", L_BATCH_ERROR),
    END,
};
static const qmember_t set_attrs_in[] = {MEMBER("QueueUrl", S_STR), RENAMED("Attributes", "Attribute", M_ATTR), END};
static const qmember_t start_move_in[] = {
    MEMBER("SourceArn", S_STR),
    MEMBER("DestinationArn", S_STR),
    MEMBER("MaxNumberOfMessagesPerSecond", S_INT),
    END,
};
static const qmember_t task_handle_only[] = {MEMBER("TaskHandle", S_STR), END};
static const qmember_t tag_in[] = {MEMBER("QueueUrl", S_STR), RENAMED("Tags", "Tag", M_TAG), END};
static const qmember_t untag_in[] = {MEMBER("QueueUrl", S_STR), RENAMED("TagKeys", "TagKey", L_STR), END};

typedef struct qop {
    const char *name;
    const qmember_t *in;
    const qmember_t *out; /* NULL: the response has no Result element */
} qop_t;

static const qop_t ops[] = {
    {"AddPermission", add_permission_in, NULL},
    {"CancelMessageMoveTask", cancel_move_in, cancel_move_out},
    {"ChangeMessageVisibility", change_vis_in, NULL},
    {"ChangeMessageVisibilityBatch", change_vis_batch_in, change_vis_batch_out},
    {"CreateQueue", create_queue_in, queue_url_only},
    {"DeleteMessage", delete_message_in, NULL},
    {"DeleteMessageBatch", delete_batch_in, delete_batch_out},
    {"DeleteQueue", queue_url_only, NULL},
    {"GetQueueAttributes", get_attrs_in, attrs_out},
    {"GetQueueUrl", get_url_in, queue_url_only},
    {"ListDeadLetterSourceQueues", list_dlq_in, list_dlq_out},
    {"ListMessageMoveTasks", list_moves_in, list_moves_out},
    {"ListQueueTags", queue_url_only, tags_out},
    {"ListQueues", list_queues_in, list_queues_out},
    {"PurgeQueue", queue_url_only, NULL},
    {"ReceiveMessage", receive_in, receive_out},
    {"RemovePermission", label_in, NULL},
    {"SendMessage", send_in, send_out},
    {"SendMessageBatch", send_batch_in, send_batch_out},
    {"SetQueueAttributes", set_attrs_in, NULL},
    {"StartMessageMoveTask", start_move_in, task_handle_only},
    {"TagQueue", tag_in, NULL},
    {"UntagQueue", untag_in, NULL},
    {NULL, NULL, NULL},
};

static const qop_t *op_find(const char *action)
{
    for (const qop_t *o = ops; action && o->name; o++)
        if (strcmp(o->name, action) == 0)
            return o;
    return NULL;
}

/* ---- decoding ---- */

/* Returns the member whose wire name is seg[0..n), or NULL. */
static const qmember_t *member_by_wire(const qmember_t *m, const char *seg, size_t n)
{
    for (; m->json; m++)
        if (strlen(m->wire) == n && memcmp(m->wire, seg, n) == 0)
            return m;
    return NULL;
}

/* Gets or creates the object child `key` of raw. NULL on out of memory. */
static json_t *raw_child(json_t *raw, const char *key)
{
    json_t *c = json_object_get(raw, key);
    if (json_is_object(c))
        return c;
    c = json_object();
    if (!c || json_object_set_new(raw, key, c) < 0)
        return NULL;
    return c;
}

/* Reads the .N index at *p (up to 9 digits, no sign) into idx (normalised decimal
 * text) and advances *p past it and a following '.'. Returns 1 if more
 * segments follow, 0 if the index ended the name, -1 if it is no index. */
static int take_index(const char **p, char idx[16])
{
    const char *s = *p;
    size_t n = strspn(s, "0123456789");
    if (n == 0 || n > 9 || (s[n] != '\0' && s[n] != '.'))
        return -1;
    snprintf(idx, 16, "%ld", strtol(s, NULL, 10));
    *p = s[n] ? s + n + 1 : s + n;
    return s[n] == '.';
}

/* Files one flat parameter (name rest, string value val) under the raw tree of
 * structure members m. Names that fit no member are ignored, as AWS does. */
static int raw_put(const qmember_t *m, json_t *raw, const char *rest, json_t *val)
{
    const char *dot = strchr(rest, '.');
    size_t seglen = dot ? (size_t)(dot - rest) : strlen(rest);
    const qmember_t *mem = member_by_wire(m, rest, seglen);
    if (!mem)
        return 0;
    const qshape_t *sh = mem->shape;
    const char *p = dot ? dot + 1 : rest + seglen;
    char idx[16];
    json_t *node, *slot;
    int more;
    if (!dot) {
        /* only a scalar member ends the name */
        if (sh->type == Q_STRUCT || sh->type == Q_LIST || sh->type == Q_MAP)
            return 0;
        return json_object_set(raw, mem->json, val) < 0 ? RN_ERR_NOMEM : 0;
    }
    switch (sh->type) {
    case Q_STRUCT:
        if (!(node = raw_child(raw, mem->json)))
            return RN_ERR_NOMEM;
        return raw_put(sh->members, node, p, val);
    case Q_LIST:
        if ((more = take_index(&p, idx)) < 0 || more != (sh->elem->type == Q_STRUCT))
            return 0;
        if (!(node = raw_child(raw, mem->json)))
            return RN_ERR_NOMEM;
        if (!more)
            return json_object_set(node, idx, val) < 0 ? RN_ERR_NOMEM : 0;
        if (!(slot = raw_child(node, idx)))
            return RN_ERR_NOMEM;
        return raw_put(sh->elem->members, slot, p, val);
    case Q_MAP: {
        if (take_index(&p, idx) <= 0)
            return 0;
        size_t vl = strlen(sh->value);
        int is_key = strcmp(p, sh->key) == 0;
        int is_value = strcmp(p, sh->value) == 0 && sh->elem->type != Q_STRUCT;
        int is_sub = strncmp(p, sh->value, vl) == 0 && p[vl] == '.' && sh->elem->type == Q_STRUCT;
        if (!is_key && !is_value && !is_sub)
            return 0;
        if (!(node = raw_child(raw, mem->json)) || !(slot = raw_child(node, idx)))
            return RN_ERR_NOMEM;
        if (!is_sub)
            return json_object_set(slot, is_key ? "k" : "v", val) < 0 ? RN_ERR_NOMEM : 0;
        if (!(node = raw_child(slot, "v")))
            return RN_ERR_NOMEM;
        return raw_put(sh->elem->members, node, p + vl + 1, val);
    }
    default: /* a scalar followed by more segments names nothing */
        return 0;
    }
}

/* Parses a query integer as the service's Java-style parser would: optional
 * sign, decimal digits, within [lo, hi]. */
static int parse_int(const char *s, long long lo, long long hi, long long *out)
{
    const char *d = (*s == '+' || *s == '-') ? s + 1 : s;
    if (!*d || strspn(d, "0123456789") != strlen(d))
        return -1;
    errno = 0;
    long long x = strtoll(s, NULL, 10);
    if (errno == ERANGE || x < lo || x > hi)
        return -1;
    *out = x;
    return 0;
}

typedef struct idx_entry {
    long n;
    json_t *v;
} idx_entry_t;

static int idx_cmp(const void *a, const void *b)
{
    long x = ((const idx_entry_t *)a)->n, y = ((const idx_entry_t *)b)->n;
    return (x > y) - (x < y);
}

/* Returns the children of an index-keyed raw node sorted by index. Caller
 * frees the array with rn_free(). NULL (with *count 0) for an empty node. */
static idx_entry_t *idx_sorted(json_t *node, size_t *count, int *err)
{
    size_t n = json_object_size(node), i = 0;
    *count = 0;
    if (n == 0)
        return NULL;
    idx_entry_t *e = rn_calloc(n, sizeof *e);
    if (!e) {
        *err = RN_ERR_NOMEM;
        return NULL;
    }
    const char *k;
    json_t *v;
    json_object_foreach(node, k, v) e[i++] = (idx_entry_t){strtol(k, NULL, 10), v};
    qsort(e, n, sizeof *e, idx_cmp);
    *count = n;
    return e;
}

static int build_struct(const qmember_t *m, json_t *raw, json_t **out, char *msg, size_t msglen);

/* Converts the raw value of member mem into its JSON-protocol value. */
static int build_value(const qmember_t *mem, const qshape_t *sh, json_t *raw, json_t **out, char *msg,
                       size_t msglen)
{
    int rc = 0;
    size_t n = 0;
    idx_entry_t *e = NULL;
    json_t *res = NULL;
    *out = NULL;
    switch (sh->type) {
    case Q_STRUCT:
        return json_is_object(raw) ? build_struct(sh->members, raw, out, msg, msglen) : 0;
    case Q_LIST:
    case Q_MAP:
        if (!json_is_object(raw))
            return 0;
        e = idx_sorted(raw, &n, &rc);
        res = sh->type == Q_LIST ? json_array() : json_object();
        if (rc < 0 || !res) {
            rc = RN_ERR_NOMEM;
            break;
        }
        for (size_t i = 0; i < n && rc == 0; i++) {
            json_t *item = NULL;
            const char *key = NULL;
            json_t *src = e[i].v;
            if (sh->type == Q_MAP) {
                /* an entry needs both its key and its value to mean anything */
                key = json_string_value(json_object_get(src, "k"));
                src = json_object_get(src, "v");
                if (!key || !src)
                    continue;
            }
            rc = build_value(mem, sh->elem, src, &item, msg, msglen);
            if (rc < 0 || !item)
                continue;
            if ((key ? json_object_set_new(res, key, item) : json_array_append_new(res, item)) < 0)
                rc = RN_ERR_NOMEM;
        }
        break;
    case Q_INT:
    case Q_LONG: {
        const char *s = json_string_value(raw);
        long long x;
        if (!s)
            return 0;
        if (parse_int(s, sh->type == Q_INT ? INT32_MIN : INT64_MIN, sh->type == Q_INT ? INT32_MAX : INT64_MAX,
                      &x) < 0) {
            snprintf(msg, msglen, "Value %s for parameter %s is invalid. Reason: Must be an integer.", s, mem->wire);
            return RN_ERR_INVALID_PARAMETER;
        }
        if (!(res = json_integer(x)))
            rc = RN_ERR_NOMEM;
        break;
    }
    case Q_BOOL: {
        const char *s = json_string_value(raw);
        if (!s)
            return 0;
        if (strcmp(s, "true") != 0 && strcmp(s, "false") != 0) {
            snprintf(msg, msglen, "Value %s for parameter %s is invalid. Reason: Must be true or false.", s,
                     mem->wire);
            return RN_ERR_INVALID_PARAMETER;
        }
        res = json_boolean(s[0] == 't');
        break;
    }
    default: /* strings, and blobs, which both protocols carry as base64 text */
        if (!json_is_string(raw))
            return 0;
        res = json_incref(raw);
        break;
    }
    rn_free(e);
    if (rc < 0) {
        json_decref(res);
        if (rc == RN_ERR_NOMEM)
            snprintf(msg, msglen, "Out of memory while decoding the request.");
        return rc;
    }
    *out = res;
    return 0;
}

/* Builds a JSON object with the members of m found in raw, in table order. */
static int build_struct(const qmember_t *m, json_t *raw, json_t **out, char *msg, size_t msglen)
{
    json_t *o = json_object();
    if (!o) {
        snprintf(msg, msglen, "Out of memory while decoding the request.");
        return RN_ERR_NOMEM;
    }
    for (; m->json; m++) {
        json_t *r = json_object_get(raw, m->json), *v = NULL;
        if (!r)
            continue;
        int rc = build_value(m, m->shape, r, &v, msg, msglen);
        if (rc == 0 && v && json_object_set_new(o, m->json, v) < 0) {
            snprintf(msg, msglen, "Out of memory while decoding the request.");
            rc = RN_ERR_NOMEM;
        }
        if (rc < 0) {
            json_decref(o);
            return rc;
        }
    }
    *out = o;
    return 0;
}

int sqs_query_decode(const char *action, const json_t *flat, json_t **in, char *msg, size_t msglen)
{
    const qop_t *op = op_find(action);
    if (!op) {
        snprintf(msg, msglen, "The action %s is not valid for this endpoint.", action ? action : "");
        return RN_ERR_INVALID_ACTION;
    }
    json_t *raw = json_object();
    int rc = raw ? 0 : RN_ERR_NOMEM;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)flat, k, v)
    {
        if (rc < 0)
            break;
        if (json_is_string(v))
            rc = raw_put(op->in, raw, k, v);
    }
    if (rc == 0)
        rc = build_struct(op->in, raw, in, msg, msglen);
    else
        snprintf(msg, msglen, "Out of memory while decoding the request.");
    json_decref(raw);
    return rc;
}

/* ---- encoding ---- */

static void put_scalar(rn_buf_t *b, const char *name, const json_t *v)
{
    rn_buf_printf(b, "<%s>", name);
    if (json_is_string(v))
        rn_buf_xml_escape(b, json_string_value(v), json_string_length(v));
    else if (json_is_integer(v))
        rn_buf_printf(b, "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v))
        rn_buf_printf(b, "%.17g", json_real_value(v));
    else if (json_is_boolean(v))
        rn_buf_puts(b, json_is_true(v) ? "true" : "false");
    rn_buf_printf(b, "</%s>", name);
}

static void encode_members(rn_buf_t *b, const qmember_t *m, const json_t *o);

/* Emits value v of shape sh under element name `name`; lists and maps are
 * flattened, so each element or entry repeats `name`. */
static void encode_value(rn_buf_t *b, const char *name, const qshape_t *sh, const json_t *v)
{
    size_t i;
    const char *k;
    json_t *x;
    switch (sh->type) {
    case Q_STRUCT:
        if (!json_is_object(v))
            return;
        rn_buf_printf(b, "<%s>", name);
        encode_members(b, sh->members, v);
        rn_buf_printf(b, "</%s>", name);
        return;
    case Q_LIST:
        if (json_is_array(v))
            json_array_foreach(v, i, x) encode_value(b, name, sh->elem, x);
        return;
    case Q_MAP:
        if (!json_is_object(v))
            return;
        json_object_foreach((json_t *)v, k, x)
        {
            if (json_is_null(x))
                continue;
            rn_buf_printf(b, "<%s><%s>", name, sh->key);
            rn_buf_xml_escape(b, k, strlen(k));
            rn_buf_printf(b, "</%s>", sh->key);
            encode_value(b, sh->value, sh->elem, x);
            rn_buf_printf(b, "</%s>", name);
        }
        return;
    default:
        if (json_is_string(v) || json_is_number(v) || json_is_boolean(v))
            put_scalar(b, name, v);
        return;
    }
}

static void encode_members(rn_buf_t *b, const qmember_t *m, const json_t *o)
{
    for (; m->json; m++) {
        const json_t *v = json_object_get(o, m->json);
        if (v && !json_is_null(v))
            encode_value(b, m->wire, m->shape, v);
    }
}

int sqs_xml_encode(const char *action, const json_t *out, const char *request_id, rn_buf_t *b)
{
    const qop_t *op = op_find(action);
    if (!op)
        return RN_ERR_INVALID_ACTION;
    rn_buf_printf(b, "<?xml version=\"1.0\"?><%sResponse xmlns=\"" AWS_XML_SQS_NS "\">", op->name);
    if (op->out) {
        size_t start = b->len;
        rn_buf_printf(b, "<%sResult>", op->name);
        size_t mark = b->len;
        if (json_is_object(out))
            encode_members(b, op->out, out);
        if (b->len == mark && !b->oom) {
            /* nothing to say: <ReceiveMessageResult/>, as SQS answers an empty receive */
            b->len = start;
            rn_buf_printf(b, "<%sResult/>", op->name);
        } else {
            rn_buf_printf(b, "</%sResult>", op->name);
        }
    }
    rn_buf_puts(b, "<ResponseMetadata><RequestId>");
    if (request_id)
        rn_buf_xml_escape(b, request_id, strlen(request_id));
    rn_buf_printf(b, "</RequestId></ResponseMetadata></%sResponse>", op->name);
    return b->oom ? RN_ERR_NOMEM : 0;
}
