/* SPDX-License-Identifier: MIT
 * REST-JSON: routing by URI template, member bindings in and out. Paths are
 * split on '/', empty segments skipped, each segment percent-decoded ('+'
 * stays a plus); query strings are '&'-separated pairs with '+' a space, a
 * repeated name making a list. */
#include "aws/rest.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aws/form.h"
#include "core/call.h"
#include "core/err.h"
#include "core/hex.h"
#include "core/json_out.h"
#include "core/mem.h"

#define MAX_SEGS 16

/* Percent-decodes n bytes (plus: '+' is a space); NULL on out of memory or
 * when the text would hold a NUL (*bad set). */
static char *decode(const char *p, size_t n, int plus, int *bad)
{
    char *o = rn_malloc(n + 1);
    if (!o)
        return NULL;
    size_t j = (size_t)rn_pct_decode(p, n, plus ? RN_PCT_PLUS : 0, o, NULL);
    if (strlen(o) != j) {
        *bad = 1;
        rn_free(o);
        return NULL;
    }
    return o;
}

typedef struct segs {
    const char *at[MAX_SEGS]; /* raw start of each segment */
    size_t len[MAX_SEGS];
    int n;
} segs_t;

/* Splits p[0..n) on '/', skipping empty segments; -1 when there are too many. */
static int split(const char *p, size_t n, segs_t *s)
{
    s->n = 0;
    size_t i = 0;
    while (i < n) {
        while (i < n && p[i] == '/')
            i++;
        if (i >= n)
            break;
        size_t st = i;
        while (i < n && p[i] != '/')
            i++;
        if (s->n == MAX_SEGS)
            return -1;
        s->at[s->n] = p + st;
        s->len[s->n++] = i - st;
    }
    return 0;
}

/* Matches the decoded path against one template; fills labels on success. */
static int match(const char *tmpl, const segs_t *path, char *const *dec, json_t *labels)
{
    segs_t t;
    if (split(tmpl, strlen(tmpl), &t) < 0)
        return 0;
    int i = 0;
    for (; i < t.n; i++) {
        const char *ts = t.at[i];
        size_t tl = t.len[i];
        if (ts[0] == '{' && ts[tl - 1] == '}') {
            int greedy = tl > 3 && ts[tl - 2] == '+';
            char name[64];
            snprintf(name, sizeof name, "%.*s", (int)(tl - 2 - greedy), ts + 1);
            if (i >= path->n)
                return 0;
            if (greedy) { /* the rest of the path, decoded segment by segment */
                rn_buf_t b = {0};
                for (int k = i; k < path->n; k++) {
                    if (k > i)
                        rn_buf_puts(&b, "/");
                    rn_buf_puts(&b, dec[k]);
                }
                json_t *v = json_stringn(b.data ? b.data : "", b.len);
                rn_buf_free(&b);
                if (!v)
                    return 0;
                json_object_set_new(labels, name, v);
                return 1;
            }
            json_t *v = json_string(dec[i]);
            if (!v)
                return 0;
            json_object_set_new(labels, name, v);
        } else if (i >= path->n || strlen(dec[i]) != tl || memcmp(dec[i], ts, tl) != 0) {
            return 0;
        }
    }
    return i == path->n;
}

const rn_op_t *aws_rest_route(const rn_api_t *api, const char *method, const char *raw_path, size_t path_len,
                              json_t **labels, int *bad)
{
    segs_t path;
    char *dec[MAX_SEGS] = {0};
    const rn_op_t *found = NULL;
    *labels = NULL;
    *bad = 0;
    if (split(raw_path, path_len, &path) < 0)
        return NULL;
    for (int i = 0; i < path.n; i++)
        if (!(dec[i] = decode(path.at[i], path.len[i], 0, bad)))
            goto out;
    for (const rn_op_t *o = api->ops; o->name && !found; o++) {
        if (!o->uri || !o->method || strcmp(o->method, method) != 0)
            continue;
        json_t *l = json_object();
        if (l && match(o->uri, &path, dec, l)) {
            found = o;
            *labels = l;
        } else {
            json_decref(l);
        }
    }
out:
    for (int i = 0; i < path.n; i++)
        rn_free(dec[i]);
    return found;
}

/* ---- decoding ---- */

/* The value of a text-bound member (label, query, header) in its shape's type;
 * text that does not parse stays text, for the service to refuse. */
static json_t *typed(const rn_shape_t *sh, const char *text)
{
    if (sh && (sh->type == RN_T_INT || sh->type == RN_T_LONG)) {
        char *e;
        errno = 0;
        long long x = strtoll(text, &e, 10);
        if (*text && !*e && !errno)
            return json_integer(x);
    } else if (sh && sh->type == RN_T_BOOL) {
        if (strcmp(text, "true") == 0 || strcmp(text, "false") == 0)
            return json_boolean(text[0] == 't');
    }
    return json_string(text);
}

static const rn_member_t *member_at(const rn_member_t *m, int loc, const char *wire, size_t n)
{
    for (; m && m->name; m++)
        if (m->loc == loc && strlen(m->wire) == n && strncasecmp(m->wire, wire, n) == 0 &&
            (loc == RN_LOC_HEADER || memcmp(m->wire, wire, n) == 0))
            return m;
    return NULL;
}

static int fail(char *msg, size_t msglen, int err, const char *text)
{
    snprintf(msg, msglen, "%s", text);
    return err;
}

static int put_query(const rn_member_t *members, json_t *in, const char *k, const char *v)
{
    const rn_member_t *m = member_at(members, RN_LOC_QUERY, k, strlen(k));
    if (!m)
        return 0; /* a parameter the operation does not have */
    json_t *have = json_object_get(in, m->name);
    if (m->shape && m->shape->type == RN_T_LIST) {
        if (!have && json_object_set_new(in, m->name, have = json_array()) < 0)
            return RN_ERR_NOMEM;
        return json_array_append_new(have, typed(m->shape->elem, v)) < 0 ? RN_ERR_NOMEM : 0;
    }
    if (have) /* repeated, for a single value: the first one counts */
        return 0;
    return json_object_set_new(in, m->name, typed(m->shape, v)) < 0 ? RN_ERR_NOMEM : 0;
}

int aws_rest_decode(const rn_op_t *op, const json_t *labels, const char *query, size_t qlen, const aws_hdr_t *hs,
                    size_t nh, const char *body, size_t len, int bad_request, json_t **in, char *msg,
                    size_t msglen)
{
    json_t *o = json_object();
    if (!o)
        return fail(msg, msglen, RN_ERR_NOMEM, "Out of memory.");
    int rc = 0;
    const char *k;
    json_t *v;
    /* path labels */
    json_object_foreach((json_t *)labels, k, v)
    {
        const rn_member_t *m = member_at(op->in, RN_LOC_URI, k, strlen(k));
        if (m && json_object_set_new(o, m->name, typed(m->shape, json_string_value(v))) < 0)
            rc = RN_ERR_NOMEM;
    }
    /* query string */
    const char *p = query ? query : "", *end = p + (query ? qlen : 0);
    while (rc == 0 && p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        size_t n = amp ? (size_t)(amp - p) : (size_t)(end - p);
        const char *eq = memchr(p, '=', n);
        size_t kn = eq ? (size_t)(eq - p) : n;
        int bad = 0;
        char *key = decode(p, kn, 1, &bad);
        char *val = eq ? decode(eq + 1, n - kn - 1, 1, &bad) : rn_strdup("");
        if (bad || (key && val && (!aws_form_utf8_valid(key, strlen(key)) || !aws_form_utf8_valid(val, strlen(val)))))
            rc = fail(msg, msglen, bad_request, "Invalid query string.");
        else if (!key || !val)
            rc = RN_ERR_NOMEM;
        else if (*key)
            rc = put_query(op->in, o, key, val);
        rn_free(key);
        rn_free(val);
        p += n + (amp ? 1 : 0);
    }
    /* headers */
    for (size_t i = 0; rc == 0 && i < nh; i++) {
        const rn_member_t *m = member_at(op->in, RN_LOC_HEADER, hs[i].name, hs[i].name_len);
        if (!m)
            continue;
        char *val = rn_strndup(hs[i].value, hs[i].value_len);
        if (!val)
            rc = RN_ERR_NOMEM;
        else if (json_object_set_new(o, m->name, typed(m->shape, val)) < 0)
            rc = fail(msg, msglen, bad_request, "Invalid header value.");
        rn_free(val);
    }
    /* body: the payload member takes it whole; else a JSON object of members */
    const rn_member_t *payload = NULL;
    for (const rn_member_t *m = op->in; m && m->name; m++)
        if (m->loc == RN_LOC_PAYLOAD)
            payload = m;
    size_t i = 0;
    while (body && i < len && (body[i] == ' ' || body[i] == '\t' || body[i] == '\r' || body[i] == '\n'))
        i++;
    if (rc == 0 && payload && len) {
        json_t *pv = json_stringn(body, len);
        if (!pv)
            rc = fail(msg, msglen, bad_request, "Could not parse request body into json: the payload is not UTF-8.");
        else if (json_object_set_new(o, payload->name, pv) < 0)
            rc = RN_ERR_NOMEM;
    } else if (rc == 0 && !payload && body && i < len) {
        json_t *b = json_loadb(body, len, 0, NULL);
        if (!json_is_object(b)) {
            rc = fail(msg, msglen, bad_request, "Invalid request body: it must be a JSON object.");
        } else if (!op->in) {
            json_object_update(o, b);
        } else {
            json_object_foreach(b, k, v)
            {
                const rn_member_t *m = member_at(op->in, RN_LOC_BODY, k, strlen(k));
                if (m && json_object_set(o, m->name, v) < 0)
                    rc = RN_ERR_NOMEM;
            }
        }
        json_decref(b);
    }
    if (rc < 0) {
        if (rc == RN_ERR_NOMEM)
            fail(msg, msglen, rc, "Out of memory.");
        json_decref(o);
        return rc;
    }
    *in = o;
    return 0;
}

/* ---- encoding ---- */

int aws_rest_encode(const rn_op_t *op, const json_t *out, int *status, rn_buf_t *head, rn_buf_t *body)
{
    *status = op->status ? op->status : 200;
    if (!op->out) { /* the result is the body */
        if (out && json_object_size(out))
            rn_json_dump(body, out);
        else if (*status != 204 && out)
            rn_buf_puts(body, "{}");
        return body->oom || head->oom ? RN_ERR_NOMEM : 0;
    }
    json_t *b = json_object();
    if (!b)
        return RN_ERR_NOMEM;
    int has_body = 0;
    for (const rn_member_t *m = op->out; m->name; m++) {
        json_t *v = json_object_get(out, m->name);
        if (!v || json_is_null(v))
            continue;
        switch (m->loc) {
        case RN_LOC_STATUS:
            *status = (int)json_integer_value(v);
            break;
        case RN_LOC_HEADER:
            if (json_is_string(v))
                rn_buf_printf(head, "%s: %s\r\n", m->wire, json_string_value(v));
            else if (json_is_integer(v))
                rn_buf_printf(head, "%s: %lld\r\n", m->wire, (long long)json_integer_value(v));
            else if (json_is_boolean(v))
                rn_buf_printf(head, "%s: %s\r\n", m->wire, json_is_true(v) ? "true" : "false");
            break;
        case RN_LOC_PAYLOAD:
            if (json_is_string(v))
                rn_buf_add(body, json_string_value(v), json_string_length(v));
            else
                rn_json_dump(body, v);
            has_body = -1; /* the payload is the body */
            break;
        default:
            json_object_set(b, m->wire, v);
            if (has_body >= 0)
                has_body = 1;
            break;
        }
    }
    if (has_body > 0 || (has_body == 0 && *status != 204))
        rn_json_dump(body, b);
    json_decref(b);
    return body->oom || head->oom ? RN_ERR_NOMEM : 0;
}

/* ---- replies ---- */

void rn_rest_reply_free(rn_rest_reply_t *r)
{
    rn_free(r->head);
    r->head = NULL;
    rn_free(r->body);
    r->body = NULL;
    r->body_len = 0;
}

void aws_rest_error(const rn_service_t *svc, int err, const char *msg, const json_t *fields, const char *request_id,
                    rn_rest_reply_t *r)
{
    const rn_err_info_t *e = rn_err_info(err);
    const char *hash = strchr(e->shape, '#');
    const char *shape = hash ? hash + 1 : e->shape;
    memset(r, 0, sizeof *r);
    r->status = e->status;
    r->content_type = "application/json";
    rn_buf_t h = {0};
    rn_buf_printf(&h, "x-amzn-RequestId: %s\r\nx-amzn-ErrorType: %s\r\n", request_id ? request_id : "", shape);
    r->head = rn_buf_take(&h, NULL);
    json_t *body;
    switch (svc->rest_errors) {
    case RN_REST_ERRORS_CODE_MESSAGE:
        body = json_pack("{s:s,s:s}", "Code", shape, "Message", msg ? msg : "");
        break;
    case RN_REST_ERRORS_TYPE_MESSAGE:
        body = json_pack("{s:s,s:s}", "Type", e->sender ? "User" : "Service", "message", msg ? msg : "");
        break;
    default:
        body = json_pack("{s:s}", "message", msg ? msg : "");
        break;
    }
    if (body && fields)
        json_object_update((json_t *)body, (json_t *)fields);
    rn_buf_t b = {0};
    if (body)
        rn_json_dump(&b, body);
    json_decref(body);
    if (!body || b.oom) {
        rn_buf_free(&b);
        static const char fallback[] = "{\"message\":\"Out of memory.\"}";
        r->status = 500;
        r->body = rn_strdup(fallback);
        r->body_len = r->body ? sizeof fallback - 1 : 0;
        return;
    }
    r->body = rn_buf_take(&b, &r->body_len);
}

void aws_rest_reply(const rn_service_t *svc, const rn_op_t *op, const json_t *out, const char *request_id,
                    rn_rest_reply_t *r)
{
    rn_buf_t head = {0}, body = {0};
    int status;
    memset(r, 0, sizeof *r);
    if (aws_rest_encode(op, out, &status, &head, &body) < 0) {
        rn_buf_free(&head);
        rn_buf_free(&body);
        aws_rest_error(svc, RN_ERR_NOMEM, "Out of memory.", NULL, request_id, r);
        return;
    }
    r->status = status;
    rn_buf_t h = {0};
    rn_buf_printf(&h, "x-amzn-RequestId: %s\r\n", request_id ? request_id : "");
    if (head.len)
        rn_buf_add(&h, head.data, head.len);
    r->head = rn_buf_take(&h, NULL);
    rn_buf_free(&head);
    if (body.len) {
        r->content_type = "application/json";
        r->body = rn_buf_take(&body, &r->body_len);
    }
    rn_buf_free(&body);
}

int aws_rest_run(const rn_service_t *svc, void *inst, const char *method, const char *path, const char *query,
                 const char *body, size_t len, rn_call_t *c, const rn_op_t **opp)
{
    json_t *labels = NULL;
    int bad = 0;
    const char *p = path ? path : "";
    const char *qm = strchr(p, '?');
    const rn_op_t *op = aws_rest_route(svc->api, method, p, qm ? (size_t)(qm - p) : strlen(p), &labels, &bad);
    *opp = op;
    c->service = svc->name;
    if (!op) {
        if (bad)
            return rn_call_fail(c, svc->rest_bad_request, "Invalid path parameter.");
        return rn_call_fail(c, RN_ERR_UNKNOWN_OPERATION, "No operation matches %s %s.", method, p);
    }
    snprintf(c->op, sizeof c->op, "%s", op->name);
    int rc = aws_rest_decode(op, labels, query, query ? strlen(query) : 0, NULL, 0, body, len, svc->rest_bad_request,
                             &c->in, c->msg, sizeof c->msg);
    json_decref(labels);
    if (rc < 0)
        return c->err = rc;
    rc = svc->call(inst, c);
    if (rc == RN_PENDING && c->cancel)
        c->cancel(c);
    return c->err;
}

void aws_rest_handle(const rn_service_t *svc, void *inst, const char *method, const char *path, const char *query,
                     const char *body, size_t len, const char *request_id, rn_rest_reply_t *r)
{
    rn_call_t *c = rn_calloc(1, sizeof *c);
    if (!c) {
        aws_rest_error(svc, RN_ERR_NOMEM, "Out of memory.", NULL, request_id, r);
        return;
    }
    const rn_op_t *op;
    if (aws_rest_run(svc, inst, method, path, query, body, len, c, &op) < 0)
        aws_rest_error(svc, c->err, rn_call_msg(c), c->err_fields, request_id, r);
    else
        aws_rest_reply(svc, op, c->out, request_id, r);
    json_decref(c->in);
    json_decref(c->out);
    rn_call_clear_msg(c);
    rn_free(c);
}
