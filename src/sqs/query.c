/* SPDX-License-Identifier: MIT
 * Query-protocol conversion for SQS, driven by a table of the flattened
 * members the 2012-11-05 API uses. Decoding groups `Prefix.N.rest` keys by
 * index (ordered numerically, gaps allowed) and recurses into batch entries;
 * encoding walks the JSON output and names elements as the XML API does. */
#include "sqs/query.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/mem.h"

enum { K_LIST, K_MAP, K_ENTRIES };

typedef struct qrule {
    const char *prefix;   /* query name */
    const char *json;     /* JSON member */
    int kind;
    const char *kname, *vname; /* map key/value element names */
} qrule_t;

static const qrule_t rules[] = {
    {"Attribute", "Attributes", K_MAP, "Name", "Value"},
    {"AttributeName", "AttributeNames", K_LIST, NULL, NULL},
    {"MessageSystemAttributeName", "MessageSystemAttributeNames", K_LIST, NULL, NULL},
    {"MessageAttributeName", "MessageAttributeNames", K_LIST, NULL, NULL},
    {"MessageAttribute", "MessageAttributes", K_MAP, "Name", "Value"},
    {"MessageSystemAttribute", "MessageSystemAttributes", K_MAP, "Name", "Value"},
    {"Tag", "Tags", K_MAP, "Key", "Value"},
    {"TagKey", "TagKeys", K_LIST, NULL, NULL},
    {"AWSAccountId", "AWSAccountIds", K_LIST, NULL, NULL},
    {"ActionName", "Actions", K_LIST, NULL, NULL},
    {"SendMessageBatchRequestEntry", "Entries", K_ENTRIES, NULL, NULL},
    {"DeleteMessageBatchRequestEntry", "Entries", K_ENTRIES, NULL, NULL},
    {"ChangeMessageVisibilityBatchRequestEntry", "Entries", K_ENTRIES, NULL, NULL},
    {NULL, NULL, 0, NULL, NULL},
};

static const char *int_params[] = {"MaxNumberOfMessages", "VisibilityTimeout", "WaitTimeSeconds", "DelaySeconds",
                                   "MaxResults", "MaxNumberOfMessagesPerSecond", NULL};

static const qrule_t *rule_for(const char *seg, size_t n)
{
    for (const qrule_t *r = rules; r->prefix; r++)
        if (strlen(r->prefix) == n && memcmp(r->prefix, seg, n) == 0)
            return r;
    return NULL;
}

static int is_int_param(const char *k)
{
    for (int i = 0; int_params[i]; i++)
        if (strcmp(k, int_params[i]) == 0)
            return 1;
    return 0;
}

/* temp containers live under "\x01<prefix>" as {index: ...} */
static json_t *temp_slot(json_t *dst, const qrule_t *r, const char *idx, size_t idxlen)
{
    char tkey[96];
    snprintf(tkey, sizeof tkey, "\x01%s", r->prefix);
    json_t *t = json_object_get(dst, tkey);
    if (!t) {
        t = json_object();
        json_object_set_new(dst, tkey, t);
    }
    char ik[24];
    snprintf(ik, sizeof ik, "%.*s", (int)(idxlen < 20 ? idxlen : 20), idx);
    json_t *slot = json_object_get(t, ik);
    if (!slot) {
        slot = json_object();
        json_object_set_new(t, ik, slot);
    }
    return slot;
}

static int put(json_t *dst, const char *key, const json_t *val, char *msg, size_t msglen)
{
    const char *dot = strchr(key, '.');
    size_t seglen = dot ? (size_t)(dot - key) : strlen(key);
    const qrule_t *r = rule_for(key, seglen);
    if (!r || !dot) {
        if (dot || (r && !dot))
            return 0; /* unknown nested or bare prefix: ignored like AWS */
        if (is_int_param(key)) {
            const char *s = json_string_value(val);
            char *end;
            long long x = strtoll(s, &end, 10);
            if (!*s || *end) {
                snprintf(msg, msglen, "Value %s for parameter %s is invalid. Reason: Must be an integer.", s, key);
                return RN_ERR_INVALID_PARAMETER;
            }
            json_object_set_new(dst, key, json_integer(x));
        } else {
            json_object_set(dst, key, (json_t *)val);
        }
        return 0;
    }
    const char *idx = dot + 1;
    const char *dot2 = strchr(idx, '.');
    size_t idxlen = dot2 ? (size_t)(dot2 - idx) : strlen(idx);
    if (idxlen == 0 || idxlen > 9 || strspn(idx, "0123456789") < idxlen)
        return 0;
    json_t *slot = temp_slot(dst, r, idx, idxlen);
    if (r->kind == K_LIST) {
        if (!dot2)
            json_object_set(slot, "v", (json_t *)val);
        return 0;
    }
    if (!dot2)
        return 0;
    const char *rest = dot2 + 1;
    if (r->kind == K_ENTRIES)
        return put(slot, rest, val, msg, msglen);
    /* map: rest is kname, vname or vname.Sub */
    if (strcmp(rest, r->kname) == 0) {
        json_object_set(slot, "k", (json_t *)val);
    } else if (strcmp(rest, r->vname) == 0) {
        json_object_set(slot, "v", (json_t *)val);
    } else if (strncmp(rest, r->vname, strlen(r->vname)) == 0 && rest[strlen(r->vname)] == '.') {
        json_t *v = json_object_get(slot, "v");
        if (!json_is_object(v)) {
            v = json_object();
            json_object_set_new(slot, "v", v);
        }
        json_object_set(v, rest + strlen(r->vname) + 1, (json_t *)val);
    }
    return 0;
}

static int cmp_idx(const void *a, const void *b)
{
    long x = atol(*(const char *const *)a), y = atol(*(const char *const *)b);
    return (x > y) - (x < y);
}

static void finalize(json_t *obj, const char *action)
{
    const char *k;
    json_t *v, *tmp;
    json_object_foreach_safe(obj, tmp, k, v)
    {
        if (k[0] != '\x01')
            continue;
        const qrule_t *r = rule_for(k + 1, strlen(k + 1));
        size_t n = json_object_size(v), i = 0;
        const char **keys = rn_calloc(n ? n : 1, sizeof *keys);
        const char *ik;
        json_t *iv;
        json_object_foreach(v, ik, iv) keys[i++] = ik;
        qsort(keys, n, sizeof *keys, cmp_idx);
        json_t *res = r->kind == K_MAP ? json_object() : json_array();
        for (i = 0; i < n; i++) {
            json_t *slot = json_object_get(v, keys[i]);
            if (r->kind == K_LIST) {
                if (json_object_get(slot, "v"))
                    json_array_append(res, json_object_get(slot, "v"));
            } else if (r->kind == K_MAP) {
                const char *mk = json_string_value(json_object_get(slot, "k"));
                json_t *mv = json_object_get(slot, "v");
                if (mk && mv)
                    json_object_set(res, mk, mv);
            } else {
                finalize(slot, action);
                json_array_append(res, slot);
            }
        }
        rn_free(keys);
        const char *jname = r->json;
        if (strcmp(r->prefix, "Tag") == 0 && strcmp(action, "CreateQueue") == 0)
            jname = "tags";
        json_object_set_new(obj, jname, res);
        json_object_del(obj, k);
    }
}

int sqs_query_decode(const char *action, const json_t *flat, json_t **in, char *msg, size_t msglen)
{
    json_t *o = json_object();
    if (!o)
        return RN_ERR_NOMEM;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)flat, k, v)
    {
        if (strcmp(k, "Action") == 0 || strcmp(k, "Version") == 0 || strncmp(k, "X-Amz-", 6) == 0 ||
            strcmp(k, "AUTHPARAMS") == 0)
            continue;
        int rc = put(o, k, v, msg, msglen);
        if (rc < 0) {
            json_decref(o);
            return rc;
        }
    }
    finalize(o, action);
    *in = o;
    return 0;
}

/* ---- XML ---- */

static void elem_text(rn_buf_t *b, const char *name, const json_t *v)
{
    rn_buf_printf(b, "<%s>", name);
    if (json_is_string(v))
        rn_buf_xml_escape(b, json_string_value(v), json_string_length(v));
    else if (json_is_integer(v))
        rn_buf_printf(b, "%lld", (long long)json_integer_value(v));
    else if (json_is_boolean(v))
        rn_buf_puts(b, json_is_true(v) ? "true" : "false");
    rn_buf_printf(b, "</%s>", name);
}

static void encode_members(rn_buf_t *b, const char *action, const json_t *o);

static const char *list_elem(const char *action, const char *key)
{
    if (strcmp(key, "QueueUrls") == 0 || strcmp(key, "queueUrls") == 0)
        return "QueueUrl";
    if (strcmp(key, "Messages") == 0)
        return "Message";
    if (strcmp(key, "Failed") == 0)
        return "BatchResultErrorEntry";
    if (strcmp(key, "Results") == 0)
        return "ListMessageMoveTasksResultEntry";
    if (strcmp(key, "Successful") == 0) {
        if (strcmp(action, "SendMessageBatch") == 0)
            return "SendMessageBatchResultEntry";
        if (strcmp(action, "DeleteMessageBatch") == 0)
            return "DeleteMessageBatchResultEntry";
        return "ChangeMessageVisibilityBatchResultEntry";
    }
    return "member";
}

static void encode_members(rn_buf_t *b, const char *action, const json_t *o)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)o, k, v)
    {
        if (strcmp(k, "Attributes") == 0 || strcmp(k, "Tags") == 0) {
            int tags = strcmp(k, "Tags") == 0;
            const char *mk;
            json_t *mv;
            json_object_foreach(v, mk, mv)
            {
                rn_buf_puts(b, tags ? "<Tag><Key>" : "<Attribute><Name>");
                rn_buf_xml_escape(b, mk, strlen(mk));
                rn_buf_puts(b, tags ? "</Key>" : "</Name>");
                elem_text(b, "Value", mv);
                rn_buf_puts(b, tags ? "</Tag>" : "</Attribute>");
            }
        } else if (strcmp(k, "MessageAttributes") == 0) {
            const char *mk;
            json_t *mv;
            json_object_foreach(v, mk, mv)
            {
                rn_buf_puts(b, "<MessageAttribute><Name>");
                rn_buf_xml_escape(b, mk, strlen(mk));
                rn_buf_puts(b, "</Name><Value>");
                static const char *fields[] = {"StringValue", "BinaryValue", "DataType", NULL};
                for (int i = 0; fields[i]; i++)
                    if (json_object_get(mv, fields[i]))
                        elem_text(b, fields[i], json_object_get(mv, fields[i]));
                rn_buf_puts(b, "</Value></MessageAttribute>");
            }
        } else if (json_is_array(v)) {
            const char *name = list_elem(action, k);
            size_t i;
            json_t *x;
            json_array_foreach(v, i, x)
            {
                if (json_is_object(x)) {
                    rn_buf_printf(b, "<%s>", name);
                    encode_members(b, action, x);
                    rn_buf_printf(b, "</%s>", name);
                } else {
                    elem_text(b, name, x);
                }
            }
        } else if (json_is_object(v)) {
            rn_buf_printf(b, "<%s>", k);
            encode_members(b, action, v);
            rn_buf_printf(b, "</%s>", k);
        } else {
            elem_text(b, k, v);
        }
    }
}

int sqs_xml_encode(const char *action, const json_t *out, const char *request_id, rn_buf_t *b)
{
    static const char *no_result[] = {"DeleteQueue", "SetQueueAttributes", "DeleteMessage", "ChangeMessageVisibility",
                                      "PurgeQueue", "TagQueue", "UntagQueue", "AddPermission", "RemovePermission",
                                      NULL};
    int has_result = 1;
    for (int i = 0; no_result[i]; i++)
        if (strcmp(action, no_result[i]) == 0)
            has_result = 0;
    rn_buf_printf(b, "<?xml version=\"1.0\"?><%sResponse xmlns=\"http://queue.amazonaws.com/doc/2012-11-05/\">",
                  action);
    if (has_result) {
        rn_buf_printf(b, "<%sResult>", action);
        encode_members(b, action, out);
        rn_buf_printf(b, "</%sResult>", action);
    }
    rn_buf_printf(b, "<ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata></%sResponse>", request_id,
                  action);
    return b->oom ? RN_ERR_NOMEM : 0;
}
