/* SPDX-License-Identifier: MIT
 * Event buses: create, describe, list, update, delete, their resource policy
 * (PutPermission/RemovePermission, stored and returned, not enforced) and
 * tags on buses and rules. The `default` bus exists always and can't be
 * deleted; deleting a custom bus takes its rules with it. */
#include "events/ev_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_alloc.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/mem.h"

#define BUS_PATTERN "[/\\.\\-_A-Za-z0-9]+"
#define MAX_BUSES 100

int ev_bus_create(ev_t *e, const char *name, ev_bus_t **out)
{
    ev_bus_t *b = rn_calloc(1, sizeof *b);
    char arn[512];
    if (!b)
        return RN_ERR_NOMEM;
    b->name = rn_strdup(name);
    ev_arn(e, arn, sizeof arn, "event-bus/%s", name);
    b->arn = rn_strdup(arn);
    b->matcher = ev_matcher_new();
    b->tags = json_object();
    b->created_ms = b->modified_ms = rn_now_ms();
    if (!b->name || !b->arn || !b->matcher || !b->tags || rn_smap_put(&e->buses, name, b) < 0) {
        ev_bus_free(b);
        return RN_ERR_NOMEM;
    }
    *out = b;
    return 0;
}

void ev_bus_free(ev_bus_t *b)
{
    if (!b)
        return;
    const char *k;
    void *v;
    size_t i = 0;
    while (rn_smap_next(&b->rules, &i, &k, &v))
        ev_rule_free(v);
    rn_smap_free(&b->rules);
    ev_matcher_free(b->matcher);
    rn_free(b->name);
    rn_free(b->arn);
    rn_free(b->description);
    rn_free(b->policy);
    json_decref(b->extra);
    json_decref(b->tags);
    rn_free(b);
}

/* Optional members kept as given and echoed back. */
static const char *extra_names[] = {"KmsKeyIdentifier", "DeadLetterConfig", "LogConfig"};

static void extra_update(ev_bus_t *b, const json_t *in)
{
    for (size_t i = 0; i < sizeof extra_names / sizeof extra_names[0]; i++) {
        json_t *v = json_object_get(in, extra_names[i]);
        if (!v)
            continue;
        if (!b->extra)
            b->extra = json_object();
        json_object_set(b->extra, extra_names[i], v);
    }
}

static int check_tags(rn_call_t *c, const json_t *tags)
{
    if (!tags)
        return 0;
    if (!json_is_array(tags))
        return rn_call_fail(c, RN_ERR_SERIALIZATION, "Unexpected value for Tags.");
    size_t i;
    json_t *t;
    json_array_foreach(tags, i, t) {
        const char *k = rn_param_str(t, "Key"), *v = rn_param_str(t, "Value");
        if (!k || !v)
            return rn_call_fail(c, RN_ERR_VALIDATION, "Tag keys and values are required.");
        if (strlen(k) < 1 || strlen(k) > 128)
            return rn_call_fail(c, RN_ERR_VALIDATION,
                                "1 validation error detected: Value '%s' at 'tags.%zu.member.key' failed to satisfy "
                                "constraint: Member must have length less than or equal to 128",
                                k, i + 1);
        if (strlen(v) > 256)
            return rn_call_fail(c, RN_ERR_VALIDATION,
                                "1 validation error detected: Value '%s' at 'tags.%zu.member.value' failed to satisfy "
                                "constraint: Member must have length less than or equal to 256",
                                v, i + 1);
    }
    return 0;
}

static void apply_tags(json_t *dst, const json_t *tags)
{
    size_t i;
    json_t *t;
    json_array_foreach(tags, i, t) json_object_set_new(dst, rn_param_str(t, "Key"), json_string(rn_param_str(t, "Value")));
}

int ev_op_create_event_bus(ev_t *e, rn_call_t *c)
{
    const char *name = rn_param_str(c->in, "Name");
    if (!name)
        return rn_call_fail(c, RN_ERR_VALIDATION,
                            "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member "
                            "must not be null");
    if (ev_check_name(c, "name", name, 256, BUS_PATTERN, ev_bus_char) < 0)
        return c->err;
    const char *src = rn_param_str(c->in, "EventSourceName");
    /* the aws. names belong to partner event buses, which need their source
     * (recorded AWS answer: hashicorp/terraform-provider-aws#35065) */
    if (strncmp(name, "aws.", 4) == 0 && !src)
        return rn_call_fail(c, RN_ERR_VALIDATION, "EventBus name starting with 'aws.' is not valid.");
    if (strchr(name, '/') && !(src && strcmp(src, name) == 0))
        return rn_call_fail(c, RN_ERR_VALIDATION, "Event bus name must not contain '/'.");
    if (src) /* no partner event sources exist here (moto answers the same for an unknown one) */
        return rn_call_fail(c, EV_ERR_NOT_FOUND, "Event source %s does not exist.", src);
    const char *desc = rn_param_str(c->in, "Description");
    if (desc && strlen(desc) > 512)
        return rn_call_fail(c, RN_ERR_VALIDATION,
                            "1 validation error detected: Value '%s' at 'description' failed to satisfy constraint: "
                            "Member must have length less than or equal to 512",
                            desc);
    json_t *tags = json_object_get(c->in, "Tags");
    if (check_tags(c, tags) < 0)
        return c->err;
    if (rn_smap_get(&e->buses, name))
        return rn_call_fail(c, EV_ERR_EXISTS, "Event bus %s already exists.", name);
    if (e->buses.len >= MAX_BUSES)
        return rn_call_fail(c, EV_ERR_LIMIT_EXCEEDED, "The requested resource exceeds the maximum number allowed.");
    ev_bus_t *b;
    if (ev_bus_create(e, name, &b) < 0)
        return rn_call_fail(c, RN_ERR_NOMEM, "Out of memory");
    b->description = desc ? rn_strdup(desc) : NULL;
    extra_update(b, c->in);
    if (tags)
        apply_tags(b->tags, tags);
    ev_bus_persist(e, b);
    c->out = json_object();
    json_object_set_new(c->out, "EventBusArn", json_string(b->arn));
    if (b->description)
        json_object_set_new(c->out, "Description", json_string(b->description));
    if (b->extra)
        json_object_update(c->out, b->extra);
    return 0;
}

int ev_op_delete_event_bus(ev_t *e, rn_call_t *c)
{
    const char *name = rn_param_str(c->in, "Name");
    if (!name)
        return rn_call_fail(c, RN_ERR_VALIDATION,
                            "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member "
                            "must not be null");
    if (ev_check_name(c, "name", name, 256, BUS_PATTERN, ev_bus_char) < 0)
        return c->err;
    if (strcmp(name, "default") == 0)
        return rn_call_fail(c, RN_ERR_VALIDATION, "Cannot delete event bus default.");
    ev_bus_t *b = rn_smap_del(&e->buses, name);
    c->out = json_object();
    if (!b)
        return 0; /* AWS answers success for a bus that does not exist */
    const char *k;
    void *v;
    size_t i = 0;
    while (rn_smap_next(&b->rules, &i, &k, &v)) {
        ev_rule_t *r = v;
        rn_imap_del(&e->rules, (int64_t)r->id);
        ev_rule_unpersist(e, r);
    }
    rn_store_kv_delete(e->store, EV_NS_BUS, b->name);
    ev_bus_free(b);
    ev_sched_update(e);
    return 0;
}

static json_t *bus_json(const ev_bus_t *b, int full)
{
    json_t *o = json_object();
    json_object_set_new(o, "Name", json_string(b->name));
    json_object_set_new(o, "Arn", json_string(b->arn));
    if (b->description)
        json_object_set_new(o, "Description", json_string(b->description));
    if (full && b->extra)
        json_object_update(o, b->extra);
    if (b->policy)
        json_object_set_new(o, "Policy", json_string(b->policy));
    json_object_set_new(o, "CreationTime", ev_time_json(b->created_ms));
    json_object_set_new(o, "LastModifiedTime", ev_time_json(b->modified_ms));
    return o;
}

int ev_op_describe_event_bus(ev_t *e, rn_call_t *c)
{
    ev_bus_t *b;
    if (ev_bus_resolve(e, c, rn_param_str(c->in, "Name"), &b) < 0)
        return c->err;
    c->out = bus_json(b, 1);
    return 0;
}

/* Reads Limit (1..100) and NextToken (the first name of the next page). */
int ev_page_params(rn_call_t *c, int *limit, const char **after)
{
    *limit = 100;
    json_t *l = json_object_get(c->in, "Limit");
    if (l) {
        if (!json_is_integer(l) || json_integer_value(l) < 1 || json_integer_value(l) > 100)
            return rn_call_fail(c, RN_ERR_VALIDATION,
                                "1 validation error detected: Value '%lld' at 'limit' failed to satisfy constraint: "
                                "Member must have value %s",
                                (long long)json_integer_value(l),
                                json_integer_value(l) < 1 ? "greater than or equal to 1" : "less than or equal to 100");
        *limit = (int)json_integer_value(l);
    }
    *after = rn_param_str(c->in, "NextToken");
    return 0;
}

static json_t *bus_item(void *ud, const char *name, void *val)
{
    (void)ud;
    (void)name;
    return bus_json(val, 0);
}

int ev_op_list_event_buses(ev_t *e, rn_call_t *c)
{
    return ev_list_page(c, &e->buses, "EventBuses", NULL, bus_item, NULL);
}

int ev_op_update_event_bus(ev_t *e, rn_call_t *c)
{
    ev_bus_t *b;
    if (ev_bus_resolve(e, c, rn_param_str(c->in, "Name"), &b) < 0)
        return c->err;
    const char *desc = rn_param_str(c->in, "Description");
    if (desc && strlen(desc) > 512)
        return rn_call_fail(c, RN_ERR_VALIDATION,
                            "1 validation error detected: Value '%s' at 'description' failed to satisfy constraint: "
                            "Member must have length less than or equal to 512",
                            desc);
    if (desc) {
        rn_free(b->description);
        b->description = rn_strdup(desc);
    }
    extra_update(b, c->in);
    b->modified_ms = rn_now_ms();
    ev_bus_persist(e, b);
    c->out = json_object();
    json_object_set_new(c->out, "Arn", json_string(b->arn));
    json_object_set_new(c->out, "Name", json_string(b->name));
    if (b->description)
        json_object_set_new(c->out, "Description", json_string(b->description));
    if (b->extra)
        json_object_update(c->out, b->extra);
    return 0;
}

/* ---- resource policy ---- */

static json_t *policy_doc(const ev_bus_t *b)
{
    json_error_t jerr;
    json_t *doc = b->policy ? json_loads(b->policy, 0, &jerr) : NULL;
    if (!json_is_object(doc)) {
        json_decref(doc);
        doc = json_pack("{s:s,s:[]}", "Version", "2012-10-17", "Statement");
    }
    if (!json_is_array(json_object_get(doc, "Statement")))
        json_object_set_new(doc, "Statement", json_array());
    return doc;
}

static void policy_set(ev_bus_t *b, json_t *doc)
{
    rn_free(b->policy);
    b->policy = NULL;
    if (doc && json_array_size(json_object_get(doc, "Statement")) > 0) {
        char *txt = json_dumps(doc, JSON_COMPACT);
        b->policy = txt ? rn_strdup(txt) : NULL;
        rn_json_free(txt);
    }
}

int ev_op_put_permission(ev_t *e, rn_call_t *c)
{
    ev_bus_t *b;
    if (ev_bus_resolve(e, c, rn_param_str(c->in, "EventBusName"), &b) < 0)
        return c->err;
    const char *policy = rn_param_str(c->in, "Policy");
    if (policy) {
        json_error_t jerr;
        json_t *doc = json_loads(policy, 0, &jerr);
        if (!json_is_object(doc)) {
            json_decref(doc);
            return rn_call_fail(c, RN_ERR_VALIDATION, "This policy contains invalid Json");
        }
        policy_set(b, doc);
        json_decref(doc);
    } else {
        const char *action = rn_param_str(c->in, "Action"), *principal = rn_param_str(c->in, "Principal"),
                   *sid = rn_param_str(c->in, "StatementId");
        if (!principal)
            return rn_call_fail(c, RN_ERR_VALIDATION, "Parameter Principal must be specified.");
        if (!action || !sid)
            return rn_call_fail(c, RN_ERR_VALIDATION, "Parameter %s must be specified.",
                                !action ? "Action" : "StatementId");
        if (strcmp(action, "events:PutEvents") != 0)
            return rn_call_fail(c, RN_ERR_VALIDATION,
                                "Provided value in parameter 'action' is not supported.");
        json_t *doc = policy_doc(b), *st = json_object_get(doc, "Statement"), *s;
        size_t i;
        json_t *cond = json_object_get(c->in, "Condition");
        if (cond && strcmp(principal, "*") != 0) {
            json_decref(doc);
            return rn_call_fail(c, RN_ERR_VALIDATION,
                                "Value of the parameter 'principal' must be '*' when the parameter 'condition' is set.");
        }
        for (i = json_array_size(st); i-- > 0;) { /* the same StatementId replaces its statement */
            s = json_array_get(st, i);
            if (strcmp(rn_param_str(s, "Sid") ? rn_param_str(s, "Sid") : "", sid) == 0)
                json_array_remove(st, i);
        }
        char res[512];
        snprintf(res, sizeof res, "%s", b->arn);
        json_t *p = strcmp(principal, "*") == 0
                        ? json_string("*")
                        : json_pack("{s:s++}", "AWS", "arn:aws:iam::", principal, ":root");
        json_t *stmt = json_pack("{s:s,s:s,s:o,s:s,s:s}", "Sid", sid, "Effect", "Allow", "Principal", p, "Action",
                                 action, "Resource", res);
        if (cond) {
            const char *ck = rn_param_str(cond, "Key"), *ct = rn_param_str(cond, "Type"), *cv = rn_param_str(cond, "Value");
            if (ck && ct && cv)
                json_object_set_new(stmt, "Condition", json_pack("{s:{s:s}}", ct, ck, cv));
        }
        json_array_append_new(st, stmt);
        policy_set(b, doc);
        json_decref(doc);
    }
    b->modified_ms = rn_now_ms();
    ev_bus_persist(e, b);
    c->out = json_object();
    return 0;
}

int ev_op_remove_permission(ev_t *e, rn_call_t *c)
{
    ev_bus_t *b;
    if (ev_bus_resolve(e, c, rn_param_str(c->in, "EventBusName"), &b) < 0)
        return c->err;
    const char *sid = rn_param_str(c->in, "StatementId");
    int all = json_is_true(json_object_get(c->in, "RemoveAllPermissions"));
    if (all) {
        policy_set(b, NULL);
    } else {
        if (!sid)
            return rn_call_fail(c, RN_ERR_VALIDATION, "Parameter StatementId must be specified.");
        json_t *doc = policy_doc(b), *st = json_object_get(doc, "Statement"), *s;
        size_t i;
        int found = -1;
        json_array_foreach(st, i, s) if (strcmp(rn_param_str(s, "Sid") ? rn_param_str(s, "Sid") : "", sid) == 0) found =
            (int)i;
        if (found < 0) {
            json_decref(doc);
            return rn_call_fail(c, EV_ERR_NOT_FOUND, "Statement with the provided id does not exist.");
        }
        json_array_remove(st, (size_t)found);
        policy_set(b, doc);
        json_decref(doc);
    }
    b->modified_ms = rn_now_ms();
    ev_bus_persist(e, b);
    c->out = json_object();
    return 0;
}

/* ---- tags on buses and rules ---- */

/* Finds the tag object of the bus or rule an ARN names and how to persist it. */
static int tagged(ev_t *e, rn_call_t *c, const char *arn, json_t **tags, ev_bus_t **bus, ev_rule_t **rule)
{
    *bus = NULL;
    *rule = NULL;
    if (!arn)
        return rn_call_fail(c, RN_ERR_VALIDATION,
                            "1 validation error detected: Value null at 'resourceARN' failed to satisfy constraint: "
                            "Member must not be null");
    char prefix[160];
    ev_arn(e, prefix, sizeof prefix, "%s", "");
    size_t pl = strlen(prefix);
    const char *rest = strncmp(arn, prefix, pl) == 0 ? arn + pl : NULL;
    if (rest && strncmp(rest, "event-bus/", 10) == 0) {
        ev_bus_t *b = rn_smap_get(&e->buses, rest + 10);
        if (b) {
            *bus = b;
            *tags = b->tags;
            return 0;
        }
        return rn_call_fail(c, EV_ERR_NOT_FOUND, "Event bus %s does not exist.", rest + 10);
    }
    if (rest && strncmp(rest, "rule/", 5) == 0) {
        const char *p = rest + 5, *slash = strrchr(p, '/');
        char busname[300] = "default";
        const char *rname = p;
        if (slash) {
            snprintf(busname, sizeof busname, "%.*s", (int)(slash - p), p);
            rname = slash + 1;
        }
        ev_bus_t *b = rn_smap_get(&e->buses, busname);
        ev_rule_t *r = b ? rn_smap_get(&b->rules, rname) : NULL;
        if (r) {
            *rule = r;
            *tags = r->tags;
            return 0;
        }
        return rn_call_fail(c, EV_ERR_NOT_FOUND, "Rule %s does not exist on EventBus %s.", rname, busname);
    }
    return rn_call_fail(c, EV_ERR_NOT_FOUND, "Resource %s does not exist.", arn);
}

static void tagged_persist(ev_t *e, ev_bus_t *b, ev_rule_t *r)
{
    if (b)
        ev_bus_persist(e, b);
    else
        ev_rule_persist(e, r);
}

int ev_op_tag_resource(ev_t *e, rn_call_t *c)
{
    json_t *tags;
    ev_bus_t *b;
    ev_rule_t *r;
    json_t *in = json_object_get(c->in, "Tags");
    if (!in)
        return rn_call_fail(c, RN_ERR_VALIDATION,
                            "1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member "
                            "must not be null");
    if (check_tags(c, in) < 0 || tagged(e, c, rn_param_str(c->in, "ResourceARN"), &tags, &b, &r) < 0)
        return c->err;
    apply_tags(tags, in);
    tagged_persist(e, b, r);
    c->out = json_object();
    return 0;
}

int ev_op_untag_resource(ev_t *e, rn_call_t *c)
{
    json_t *tags;
    ev_bus_t *b;
    ev_rule_t *r;
    json_t *keys = json_object_get(c->in, "TagKeys");
    if (!json_is_array(keys))
        return rn_call_fail(c, RN_ERR_VALIDATION,
                            "1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: "
                            "Member must not be null");
    if (tagged(e, c, rn_param_str(c->in, "ResourceARN"), &tags, &b, &r) < 0)
        return c->err;
    size_t i;
    json_t *k;
    json_array_foreach(keys, i, k) if (json_is_string(k)) json_object_del(tags, json_string_value(k));
    tagged_persist(e, b, r);
    c->out = json_object();
    return 0;
}

int ev_op_list_tags_for_resource(ev_t *e, rn_call_t *c)
{
    json_t *tags;
    ev_bus_t *b;
    ev_rule_t *r;
    if (tagged(e, c, rn_param_str(c->in, "ResourceARN"), &tags, &b, &r) < 0)
        return c->err;
    json_t *arr = json_array();
    const char *k;
    json_t *v;
    json_object_foreach(tags, k, v) json_array_append_new(arr, json_pack("{s:s,s:O}", "Key", k, "Value", v));
    c->out = json_pack("{s:o}", "Tags", arr);
    return 0;
}
