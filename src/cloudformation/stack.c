/* SPDX-License-Identifier: MIT
 * The stack engine: creating, updating and deleting a stack's resources in
 * dependency order through their providers, with AWS's statuses and events,
 * rollback on failure, outputs and exports. A whole operation runs in the
 * call that starts it (one loop turn), so it is done or not begun. */
#include <stdio.h>
#include <string.h>

#include "cloudformation/cfn_state.h"
#include "core/json_alloc.h"

#define REASON_MAX 1100

static const char *str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* The evaluation context over the stack's live resources `res`. */
static void eval_init(cfn_t *c, const json_t *st, const json_t *tpl, const json_t *params, const json_t *res,
                      const json_t *exports, cfn_eval_t *ev)
{
    memset(ev, 0, sizeof *ev);
    ev->tpl = tpl;
    ev->params = params;
    ev->resources = res;
    ev->exports = exports;
    ev->account = c->cfg->account_id;
    ev->region = c->cfg->region;
    ev->stack_name = str(st, "StackName");
    ev->stack_id = str(st, "StackId");
}

static void op_init(cfn_t *c, const json_t *st, const char *logical, const char *type, cfn_op_t *op)
{
    memset(op, 0, sizeof *op);
    op->sinks = c->sinks;
    op->account = c->cfg->account_id;
    op->region = c->cfg->region;
    op->stack_name = str(st, "StackName");
    op->stack_id = str(st, "StackId");
    op->logical_id = logical;
    op->type = type;
    op->endpoint = c->endpoint;
}

static int in_list(const char *const *list, const char *name)
{
    for (; list && *list; list++)
        if (strcmp(*list, name) == 0)
            return 1;
    return 0;
}

/* The provider's checks of resolved properties, with AWS's texts. */
static int check_props(const cfn_provider_t *p, const char *logical, const json_t *props, char *msg, size_t msglen)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)props, k, v) {
        if (!in_list(p->props, k)) {
            snprintf(msg, msglen,
                     "Properties validation failed for resource %s with message: #: extraneous key [%s] is not "
                     "permitted",
                     logical, k);
            return -1;
        }
    }
    for (const char *const *r = p->required; r && *r; r++) {
        if (!json_object_get(props, *r)) {
            snprintf(msg, msglen, "Properties validation failed for resource %s with message: #: required key [%s] not found",
                     logical, *r);
            return -1;
        }
    }
    return 0;
}

/* The resolved properties of resource `logical` of tpl, or NULL with msg. */
static json_t *resolve_props(const cfn_eval_t *ev, const json_t *def, char *msg, size_t msglen)
{
    const json_t *p = json_object_get(def, "Properties");
    if (!p)
        return json_object();
    json_t *r = cfn_resolve(ev, p, msg, msglen);
    if (r && !json_is_object(r)) {
        json_decref(r);
        snprintf(msg, msglen, "Template format error: Properties must be an object");
        return NULL;
    }
    return r;
}

/* A live resource entry after a provider made or changed it. */
static json_t *live_entry(const char *type, const cfn_op_t *op, const json_t *props, const json_t *def,
                          const char *status)
{
    json_t *e = json_pack("{s:s,s:s,s:O,s:s,s:f}", "Type", type, "Ref", op->physical, "Props", props, "Status", status,
                          "Time", cfn_now());
    json_object_set_new(e, "Attrs", op->attrs ? json_incref(op->attrs) : json_object());
    const char *dp = json_string_value(json_object_get(def, "DeletionPolicy"));
    if (dp && strcmp(dp, "Retain") == 0)
        json_object_set_new(e, "Retain", json_true());
    if (json_object_get(def, "Metadata"))
        json_object_set(e, "Metadata", json_object_get(def, "Metadata"));
    return e;
}

/* Makes resource `logical` (definition def) with props. Returns the live
 * entry, or NULL with the reason (events written either way). */
static json_t *make(cfn_t *c, json_t *st, const char *logical, const json_t *def, const json_t *props, char *reason)
{
    const char *type = str(def, "Type");
    cfn_event(c, st, logical, "", type, "CREATE_IN_PROGRESS", NULL, props);
    const cfn_provider_t *p = cfn_provider(type);
    if (!p) {
        snprintf(reason, REASON_MAX, "Runnel does not support resource type %s", type);
    } else if (check_props(p, logical, props, reason, REASON_MAX) == 0) {
        cfn_op_t op;
        op_init(c, st, logical, type, &op);
        op.props = props;
        if (p->create(&op) == 0) {
            cfn_event(c, st, logical, op.physical, type, "CREATE_IN_PROGRESS", "Resource creation Initiated", props);
            cfn_event(c, st, logical, op.physical, type, "CREATE_COMPLETE", NULL, props);
            json_t *e = live_entry(type, &op, props, def, "CREATE_COMPLETE");
            json_decref(op.attrs);
            return e;
        }
        snprintf(reason, REASON_MAX, "%s", op.msg);
        json_decref(op.attrs);
    }
    cfn_event(c, st, logical, "", type, "CREATE_FAILED", reason, props);
    return NULL;
}

/* Deletes the live resource e (its Ref) with events; Retain skips it.
 * Returns 0, or -1 with the reason. */
static int unmake(cfn_t *c, json_t *st, const char *logical, const json_t *e, int honour_retain, char *reason)
{
    const char *type = str(e, "Type"), *ref = str(e, "Ref");
    if (!ref || !*ref)
        return 0;
    if (honour_retain && json_is_true(json_object_get(e, "Retain"))) {
        cfn_event(c, st, logical, ref, type, "DELETE_SKIPPED", NULL, NULL);
        return 0;
    }
    cfn_event(c, st, logical, ref, type, "DELETE_IN_PROGRESS", NULL, NULL);
    const cfn_provider_t *p = cfn_provider(type);
    if (p) {
        cfn_op_t op;
        op_init(c, st, logical, type, &op);
        op.props = json_object_get(e, "Props");
        op.old_props = op.props;
        op.old_physical = ref;
        op.old_attrs = json_object_get(e, "Attrs");
        int rc = p->delete(&op);
        json_decref(op.attrs);
        if (rc != 0) {
            snprintf(reason, REASON_MAX, "%s", op.msg);
            cfn_event(c, st, logical, ref, type, "DELETE_FAILED", reason, NULL);
            return -1;
        }
    }
    cfn_event(c, st, logical, ref, type, "DELETE_COMPLETE", NULL, NULL);
    return 0;
}

/* Updates live resource old in place to props. Returns the new live entry or
 * NULL with the reason. */
static json_t *change(cfn_t *c, json_t *st, const char *logical, const json_t *def, const json_t *old,
                      const json_t *props, char *reason)
{
    const char *type = str(def, "Type");
    const cfn_provider_t *p = cfn_provider(type);
    cfn_event(c, st, logical, str(old, "Ref"), type, "UPDATE_IN_PROGRESS", NULL, props);
    if (check_props(p, logical, props, reason, REASON_MAX) == 0) {
        cfn_op_t op;
        op_init(c, st, logical, type, &op);
        op.props = props;
        op.old_props = json_object_get(old, "Props");
        op.old_physical = str(old, "Ref");
        op.old_attrs = json_object_get(old, "Attrs");
        snprintf(op.physical, sizeof op.physical, "%s", op.old_physical);
        if (p->update(&op) == 0) {
            if (!op.attrs)
                op.attrs = json_incref(json_object_get(old, "Attrs"));
            cfn_event(c, st, logical, op.physical, type, "UPDATE_COMPLETE", NULL, props);
            json_t *e = live_entry(type, &op, props, def, "UPDATE_COMPLETE");
            json_decref(op.attrs);
            return e;
        }
        snprintf(reason, REASON_MAX, "%s", op.msg);
        json_decref(op.attrs);
    }
    cfn_event(c, st, logical, str(old, "Ref"), type, "UPDATE_FAILED", reason, props);
    return NULL;
}

/* 1 when going from old to new properties replaces the resource. */
static int needs_replacement(const cfn_provider_t *p, const json_t *oldp, const json_t *newp)
{
    if (!p->update)
        return 1;
    for (const char *const *r = p->replace; r && *r; r++) {
        const json_t *a = json_object_get(oldp, *r), *b = json_object_get(newp, *r);
        if ((a || b) && !(a && b && json_equal(a, b)))
            return 1;
    }
    return 0;
}

/* Resolves the template's Outputs. Returns the list, or NULL with reason. */
static json_t *outputs(const cfn_eval_t *ev, char *reason)
{
    json_t *out = json_array();
    const char *k;
    json_t *o;
    json_object_foreach(json_object_get(ev->tpl, "Outputs"), k, o) {
        const char *cond = str(o, "Condition");
        if (cond && !json_is_true(json_object_get(ev->conditions, cond)))
            continue;
        json_t *v = cfn_resolve(ev, json_object_get(o, "Value"), reason, REASON_MAX);
        if (!v) {
            json_decref(out);
            return NULL;
        }
        if (!json_is_string(v)) {
            /* Output values are strings; a list reads back comma-joined. */
            json_t *text = json_string("");
            if (json_is_array(v)) {
                size_t i;
                json_t *x;
                json_array_foreach(v, i, x) {
                    const char *t = json_string_value(text), *xs = json_string_value(x);
                    json_t *joined = json_sprintf("%s%s%s", t, i ? "," : "", xs ? xs : "");
                    json_decref(text);
                    text = joined;
                }
            } else {
                char *t = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
                json_string_set(text, t ? t : "");
                rn_json_free(t);
            }
            json_decref(v);
            v = text;
        }
        json_t *e = json_pack("{s:s,s:o}", "OutputKey", k, "OutputValue", v);
        if (str(o, "Description"))
            json_object_set(e, "Description", json_object_get(o, "Description"));
        const json_t *ex = json_object_get(json_object_get(o, "Export"), "Name");
        if (ex) {
            json_t *name = cfn_resolve(ev, ex, reason, REASON_MAX);
            if (!name) {
                json_decref(e);
                json_decref(out);
                return NULL;
            }
            json_object_set_new(e, "ExportName", name);
        }
        json_array_append_new(out, e);
    }
    return out;
}

/* The export names `v` imports (Fn::ImportValue), resolved, added to names. */
static void imports(const cfn_eval_t *ev, const json_t *v, json_t *names)
{
    if (json_is_object(v)) {
        const json_t *iv = json_object_get(v, "Fn::ImportValue");
        if (iv && json_object_size(v) == 1) {
            char msg[256];
            json_t *n = cfn_resolve(ev, iv, msg, sizeof msg);
            if (json_is_string(n))
                json_array_append(names, n);
            json_decref(n);
            return;
        }
        const char *k;
        json_t *m;
        json_object_foreach((json_t *)v, k, m) imports(ev, m, names);
    } else if (json_is_array(v)) {
        size_t i;
        json_t *m;
        json_array_foreach(v, i, m) imports(ev, m, names);
    }
}

/* Outputs, exports (unique across stacks) and imports of a stack whose
 * resources are `res`. Returns 0 (set on st), or -1 with reason. */
static int finish(cfn_t *c, json_t *st, const cfn_eval_t *ev, char *reason)
{
    json_t *outs = outputs(ev, reason);
    if (!outs)
        return -1;
    json_t *others = cfn_exports(c, str(st, "StackId"));
    size_t i;
    json_t *o;
    json_array_foreach(outs, i, o) {
        const char *name = str(o, "ExportName");
        json_t *taken = name ? json_object_get(others, name) : NULL;
        if (taken) {
            json_t *owner = json_object_get(c->stacks, str(taken, "StackId"));
            snprintf(reason, REASON_MAX, "Export with name %s is already exported by stack %s", name,
                     str(owner, "StackName"));
            json_decref(others);
            json_decref(outs);
            return -1;
        }
    }
    json_decref(others);
    json_object_set_new(st, "Outputs", outs);
    json_t *names = json_array();
    imports(ev, json_object_get(ev->tpl, "Resources"), names);
    imports(ev, json_object_get(ev->tpl, "Outputs"), names);
    json_object_set_new(st, "Imports", names);
    return 0;
}

/* The resources, in order, that failed (for the stack's reason). */
static void failed_list(const json_t *failed, char *out, size_t outlen)
{
    size_t i, n = 0;
    json_t *f;
    out[0] = 0;
    json_array_foreach(failed, i, f) n += (size_t)snprintf(out + n, n < outlen ? outlen - n : 0, "%s%s", i ? ", " : "",
                                                          json_string_value(f));
}

void cfn_stack_create(cfn_t *c, json_t *st, const char *on_failure)
{
    char reason[REASON_MAX] = "";
    const json_t *tpl = json_object_get(st, "Template");
    json_t *params = json_object_get(st, "Parameters");
    json_t *res = json_object();
    json_object_set_new(st, "Resources", res);
    json_t *exports = cfn_exports(c, str(st, "StackId"));
    cfn_eval_t ev;
    eval_init(c, st, tpl, params, res, exports, &ev);
    cfn_stack_status(c, st, "CREATE_IN_PROGRESS", "User Initiated");

    json_t *conds = NULL, *order = NULL, *failed = json_array();
    int ok = cfn_conditions_eval(&ev, &conds, reason, sizeof reason) == 0;
    ev.conditions = conds;
    if (ok)
        ok = cfn_order(tpl, conds, &order, reason, sizeof reason) == 0;
    json_object_set(st, "Order", order ? order : json_array());
    size_t i;
    json_t *l;
    json_array_foreach(ok ? order : NULL, i, l) {
        const char *logical = json_string_value(l);
        const json_t *def = json_object_get(json_object_get(tpl, "Resources"), logical);
        json_t *props = resolve_props(&ev, def, reason, sizeof reason);
        json_t *e = NULL;
        if (props)
            e = make(c, st, logical, def, props, reason);
        else
            cfn_event(c, st, logical, "", str(def, "Type"), "CREATE_FAILED", reason, NULL);
        json_decref(props);
        if (!e) {
            json_array_append(failed, l);
            ok = 0;
            break;
        }
        json_object_set_new(res, logical, e);
    }
    if (ok && finish(c, st, &ev, reason) != 0)
        ok = 0;
    if (ok) {
        json_object_set_new(st, "Conditions", conds);
        cfn_stack_status(c, st, "CREATE_COMPLETE", NULL);
    } else {
        json_decref(conds);
        char why[REASON_MAX + 200];
        if (json_array_size(failed)) {
            char list[512];
            failed_list(failed, list, sizeof list);
            snprintf(why, sizeof why, "The following resource(s) failed to create: [%s]. %s", list,
                     on_failure && strcmp(on_failure, "DO_NOTHING") == 0 ? "" : "Rollback requested by user.");
        } else {
            snprintf(why, sizeof why, "%s", reason);
        }
        if (on_failure && strcmp(on_failure, "DO_NOTHING") == 0) {
            cfn_stack_status(c, st, "CREATE_FAILED", why);
        } else {
            cfn_stack_status(c, st, strcmp(on_failure ? on_failure : "", "DELETE") == 0 ? "DELETE_IN_PROGRESS"
                                                                                         : "ROLLBACK_IN_PROGRESS",
                             why);
            json_t *ord = json_object_get(st, "Order");
            for (size_t k = json_array_size(ord); k-- > 0;) {
                const char *logical = json_string_value(json_array_get(ord, k));
                json_t *e = json_object_get(res, logical);
                if (e)
                    unmake(c, st, logical, e, 0, reason);
            }
            json_object_clear(res);
            if (on_failure && strcmp(on_failure, "DELETE") == 0) {
                json_object_set_new(st, "Deleted", json_real(cfn_now()));
                cfn_stack_status(c, st, "DELETE_COMPLETE", NULL);
            } else {
                cfn_stack_status(c, st, "ROLLBACK_COMPLETE", NULL);
            }
        }
    }
    json_decref(order);
    json_decref(failed);
    json_decref(exports);
    cfn_save_stack(c, st);
}

/* One step of an update, for rollback: what was there before. */
enum { UNDO_CREATED, UNDO_REPLACED, UNDO_UPDATED };

int cfn_stack_update(cfn_t *c, json_t *st, const char *body, json_t *tpl, json_t *params)
{
    char reason[REASON_MAX] = "";
    json_t *old_res = json_object_get(st, "Resources");
    json_t *work = json_deep_copy(old_res);
    json_t *exports = cfn_exports(c, str(st, "StackId"));
    cfn_eval_t ev;
    eval_init(c, st, tpl, params, work, exports, &ev);
    json_t *conds = NULL, *order = NULL;
    int ok = cfn_conditions_eval(&ev, &conds, reason, sizeof reason) == 0;
    ev.conditions = conds;
    if (ok)
        ok = cfn_order(tpl, conds, &order, reason, sizeof reason) == 0;

    /* Nothing to do when templates, parameters and tags are all the same. */
    if (ok && json_equal(tpl, json_object_get(st, "Template")) && json_equal(params, json_object_get(st, "Parameters"))) {
        json_decref(work);
        json_decref(exports);
        json_decref(conds);
        json_decref(order);
        json_decref(tpl);
        json_decref(params);
        return -1;
    }
    cfn_stack_status(c, st, "UPDATE_IN_PROGRESS", "User Initiated");
    json_t *undo = json_array(), *failed = json_array();
    const char *verb = "update";
    size_t i;
    json_t *l;
    json_array_foreach(ok ? order : NULL, i, l) {
        const char *logical = json_string_value(l);
        const json_t *def = json_object_get(json_object_get(tpl, "Resources"), logical);
        const char *type = str(def, "Type");
        json_t *old = json_object_get(old_res, logical);
        json_t *props = resolve_props(&ev, def, reason, sizeof reason);
        if (!props) {
            cfn_event(c, st, logical, old ? str(old, "Ref") : "", type, old ? "UPDATE_FAILED" : "CREATE_FAILED", reason,
                      NULL);
            json_array_append(failed, l);
            verb = old ? "update" : "create";
            ok = 0;
            break;
        }
        const cfn_provider_t *p = cfn_provider(type);
        json_t *e = NULL;
        int kind = -1;
        if (!old || !str(old, "Ref")) {
            e = make(c, st, logical, def, props, reason);
            kind = UNDO_CREATED;
        } else if (strcmp(str(old, "Type"), type) == 0 && json_equal(json_object_get(old, "Props"), props)) {
            /* unchanged; a new DeletionPolicy or Metadata still counts */
            json_t *keep = json_deep_copy(old);
            const char *dp = json_string_value(json_object_get(def, "DeletionPolicy"));
            json_object_set_new(keep, "Retain", json_boolean(dp && strcmp(dp, "Retain") == 0));
            json_object_set_new(work, logical, keep);
        } else if (!p || strcmp(str(old, "Type"), type) != 0 ||
                   needs_replacement(p, json_object_get(old, "Props"), props)) {
            cfn_event(c, st, logical, str(old, "Ref"), type, "UPDATE_IN_PROGRESS",
                      "Requested update requires the creation of a new physical resource; hence creating one.", props);
            e = make(c, st, logical, def, props, reason);
            kind = UNDO_REPLACED;
        } else {
            e = change(c, st, logical, def, old, props, reason);
            kind = UNDO_UPDATED;
        }
        json_decref(props);
        if (kind < 0)
            continue;
        if (!e) {
            json_array_append(failed, l);
            verb = kind == UNDO_CREATED ? "create" : "update";
            ok = 0;
            break;
        }
        json_array_append_new(undo, json_pack("{s:s,s:i}", "Logical", logical, "Kind", kind));
        json_object_set_new(work, logical, e);
    }
    /* Outputs are resolved over the new resources (removed ones still in
     * work, as on AWS until cleanup). */
    if (ok && finish(c, st, &ev, reason) != 0)
        ok = 0;

    if (ok) {
        cfn_stack_status(c, st, "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", NULL);
        /* replaced ones: the old physical resource goes */
        json_array_foreach(undo, i, l) {
            if (json_integer_value(json_object_get(l, "Kind")) != UNDO_REPLACED)
                continue;
            const char *logical = str(l, "Logical");
            unmake(c, st, logical, json_object_get(old_res, logical), 0, reason);
        }
        /* removed ones, newest first */
        json_t *old_order = json_object_get(st, "Order");
        for (size_t k = json_array_size(old_order); k-- > 0;) {
            const char *logical = json_string_value(json_array_get(old_order, k));
            int still = 0;
            size_t j;
            json_t *n;
            json_array_foreach(order, j, n) still |= strcmp(json_string_value(n), logical) == 0;
            if (still)
                continue;
            json_t *e = json_object_get(work, logical);
            if (e)
                unmake(c, st, logical, e, 1, reason);
            json_object_del(work, logical);
        }
        json_object_set_new(st, "Template", tpl);
        json_object_set_new(st, "Body", json_string(body));
        json_object_set_new(st, "Parameters", params);
        json_object_set_new(st, "Resources", work);
        json_object_set_new(st, "Order", order);
        json_object_set_new(st, "Conditions", conds);
        json_object_set_new(st, "Updated", json_real(cfn_now()));
        cfn_stack_status(c, st, "UPDATE_COMPLETE", NULL);
    } else {
        char why[REASON_MAX + 200], list[512];
        failed_list(failed, list, sizeof list);
        if (json_array_size(failed))
            snprintf(why, sizeof why, "The following resource(s) failed to %s: [%s]. ", verb, list);
        else
            snprintf(why, sizeof why, "%s", reason);
        cfn_stack_status(c, st, "UPDATE_ROLLBACK_IN_PROGRESS", why);
        int rollback_failed = 0;
        for (size_t k = json_array_size(undo); k-- > 0;) {
            json_t *u = json_array_get(undo, k);
            const char *logical = str(u, "Logical");
            json_t *now = json_object_get(work, logical), *old = json_object_get(old_res, logical);
            int kind = (int)json_integer_value(json_object_get(u, "Kind"));
            if (kind == UNDO_UPDATED) {
                const json_t *def = json_object_get(json_object_get(json_object_get(st, "Template"), "Resources"),
                                                    logical);
                json_t *back = change(c, st, logical, def, now, json_object_get(old, "Props"), reason);
                rollback_failed |= back == NULL;
                json_decref(back);
            }
        }
        cfn_stack_status(c, st, "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS", NULL);
        for (size_t k = json_array_size(undo); k-- > 0;) {
            json_t *u = json_array_get(undo, k);
            const char *logical = str(u, "Logical");
            int kind = (int)json_integer_value(json_object_get(u, "Kind"));
            if (kind == UNDO_CREATED || kind == UNDO_REPLACED)
                rollback_failed |= unmake(c, st, logical, json_object_get(work, logical), 0, reason) != 0;
        }
        cfn_stack_status(c, st, rollback_failed ? "UPDATE_ROLLBACK_FAILED" : "UPDATE_ROLLBACK_COMPLETE", NULL);
        json_decref(work);
        json_decref(tpl);
        json_decref(params);
        json_decref(conds);
        json_decref(order);
    }
    json_decref(undo);
    json_decref(failed);
    json_decref(exports);
    cfn_save_stack(c, st);
    return 0;
}

void cfn_stack_delete(cfn_t *c, json_t *st, const json_t *retain)
{
    char reason[REASON_MAX] = "";
    cfn_stack_status(c, st, "DELETE_IN_PROGRESS", "User Initiated");
    json_t *res = json_object_get(st, "Resources"), *order = json_object_get(st, "Order");
    json_t *failed = json_array();
    for (size_t k = json_array_size(order); k-- > 0;) {
        const char *logical = json_string_value(json_array_get(order, k));
        json_t *e = json_object_get(res, logical);
        if (!e)
            continue;
        if (cfn_list_has(retain, logical)) {
            cfn_event(c, st, logical, str(e, "Ref"), str(e, "Type"), "DELETE_SKIPPED", NULL, NULL);
            json_object_del(res, logical);
            continue;
        }
        if (unmake(c, st, logical, e, 1, reason) != 0) {
            json_object_set_new(e, "Status", json_string("DELETE_FAILED"));
            json_object_set_new(e, "Reason", json_string(reason));
            json_array_append_new(failed, json_string(logical));
            continue;
        }
        json_object_del(res, logical);
    }
    if (json_array_size(failed)) {
        char list[512], why[700];
        failed_list(failed, list, sizeof list);
        snprintf(why, sizeof why, "The following resource(s) failed to delete: [%s]. ", list);
        cfn_stack_status(c, st, "DELETE_FAILED", why);
    } else {
        json_object_set_new(st, "Deleted", json_real(cfn_now()));
        cfn_stack_status(c, st, "DELETE_COMPLETE", NULL);
    }
    json_decref(failed);
    cfn_save_stack(c, st);
}
