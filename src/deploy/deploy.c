/* SPDX-License-Identifier: MIT
 * The flow of `runnel deploy`, as `aws cloudformation deploy` runs it: read
 * and parse the template (JSON or YAML), make its local code paths absolute,
 * ask whether the stack exists, create a change set of the matching type,
 * wait for it, execute it, follow the stack's new events until it settles,
 * then show the resources, the outputs and what failed. Runnel finishes a
 * stack in milliseconds, so polls are 100 ms apart. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "cloudformation/cfn_int.h"
#include "core/json_alloc.h"
#include "core/mem.h"
#include "deploy/deploy.h"
#include "deploy/deploy_int.h"

#define POLL_MS            100
#define CHANGE_SET_WAIT_MS (10 * 60 * 1000)
#define STACK_WAIT_MS      (60 * 60 * 1000)
#define MAX_TEMPLATE_BYTES (16 * 1024 * 1024)

const char deploy_usage[] =
    "Usage: runnel deploy TEMPLATE [options]\n"
    "\n"
    "Deploys a CloudFormation or SAM template (JSON or YAML) to a running Runnel server, as\n"
    "`aws cloudformation deploy` does: a change set is created (CREATE for a new stack, UPDATE\n"
    "for an existing one) and executed, each resource's progress is shown, then the stack's\n"
    "resources and outputs. Relative CodeUri/ContentUri paths are read from the template's\n"
    "directory.\n"
    "\n"
    "  --stack-name NAME    the stack (default: the template's file name without extension)\n"
    "  --param KEY=VALUE    a template parameter; repeat for more. On an update, parameters\n"
    "                       not given keep their previous values\n"
    "  --endpoint-url URL   the server (default $AWS_ENDPOINT_URL, else http://127.0.0.1:4566)\n"
    "  --region REGION      default $AWS_REGION, $AWS_DEFAULT_REGION, else us-east-1\n"
    "  --no-execute         create the change set and show its changes, but do not execute it\n"
    "  --help               this help\n"
    "\n"
    "Requests are signed with SigV4 when AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are set\n"
    "(needed by a server started with --auth-file). Without them requests go unsigned, or, when\n"
    "a region is chosen, signed with the placeholder key `test`, since only a signature tells\n"
    "the server the region (an unsigned request acts in the server's --region).\n"
    "Exit status: 0 deployed or nothing to change, 1 failed, 2 usage error.\n";

/* One deploy's state. */
typedef struct run {
    const deploy_args_t *a;
    deploy_client_t *cl;
    char code[128];
    char msg[2048];
} run_t;

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

static const char *str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

/* Runs op with in (stolen); on failure r->msg says why. */
static int call(run_t *r, const char *op, json_t *in, json_t **out)
{
    json_t *dummy = NULL;
    int rc = deploy_client_call(r->cl, op, in, out ? out : &dummy, r->code, sizeof r->code, r->msg, sizeof r->msg);
    json_decref(dummy);
    json_decref(in);
    return rc;
}

/* Prints the error of the last failed call and returns the failure status. */
static int report(run_t *r, const char *what)
{
    if (r->code[0])
        fprintf(stderr, "runnel deploy: %s: %s: %s\n", what, r->code, r->msg);
    else
        fprintf(stderr, "runnel deploy: %s: %s\n", what, r->msg);
    return DEPLOY_EXIT_FAILED;
}

/* ---- the template ---- */

static char *read_file(const char *path, size_t *len, char *msg, size_t msglen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(msg, msglen, "cannot read %s: %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = 65536, n = 0;
    char *buf = rn_malloc(cap);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0)
            break;
        if (n + 1 == cap) {
            char *nb = cap < MAX_TEMPLATE_BYTES ? rn_realloc(buf, cap * 2) : NULL;
            if (!nb) {
                rn_free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    int err = ferror(f);
    fclose(f);
    if (!buf || err) {
        snprintf(msg, msglen, "cannot read %s: %s", path, buf ? "read error" : "too large");
        rn_free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* Reads and parses the template and rewrites its paths. Returns the exit
 * status to give up with, or 0 with *tpl (caller owns it). */
static int load_template(const char *path, json_t **tpl)
{
    char msg[2048], dir[PATH_MAX];
    size_t len;
    char *text = read_file(path, &len, msg, sizeof msg);
    if (!text) {
        fprintf(stderr, "runnel deploy: %s\n", msg);
        return DEPLOY_EXIT_USAGE;
    }
    int rc = cfn_template_parse(text, len, tpl, msg, sizeof msg);
    rn_free(text);
    if (rc < 0) {
        fprintf(stderr, "runnel deploy: %s: %s\n", path, msg);
        return DEPLOY_EXIT_FAILED;
    }
    if (!realpath(path, dir)) {
        fprintf(stderr, "runnel deploy: %s: %s\n", path, strerror(errno));
        json_decref(*tpl);
        return DEPLOY_EXIT_USAGE;
    }
    char *slash = strrchr(dir, '/');
    if (slash)
        slash[slash == dir ? 1 : 0] = '\0';
    if (deploy_paths_absolute(*tpl, dir) < 0) {
        fprintf(stderr, "runnel deploy: %s: a code path is too long once made absolute\n", path);
        json_decref(*tpl);
        return DEPLOY_EXIT_FAILED;
    }
    return 0;
}

/* ---- the stack and its change set ---- */

/* DescribeStacks: 0 with *stack when it exists (REVIEW_IN_PROGRESS, a stack
 * made by a change set never executed, counts as absent, as the AWS CLI
 * counts it), 1 when it does not, -1 on an error. */
static int stack_get(run_t *r, const char *name, json_t **stack)
{
    json_t *out;
    *stack = NULL;
    int rc = call(r, "DescribeStacks", json_pack("{ss}", "StackName", name), &out);
    if (rc == DEPLOY_ERR_API && !strcmp(r->code, "ValidationError") && strstr(r->msg, "does not exist"))
        return 1;
    if (rc)
        return -1;
    json_t *s = json_array_get(json_object_get(out, "Stacks"), 0);
    if (!s || !strcmp(str(s, "StackStatus"), "REVIEW_IN_PROGRESS")) {
        json_decref(out);
        return 1;
    }
    *stack = json_incref(s);
    json_decref(out);
    return 0;
}

/* The Parameters of the change set: the given ones, and on an update every
 * other parameter the template declares and the stack had, with
 * UsePreviousValue. */
static json_t *params_build(const deploy_args_t *a, const json_t *tpl, const json_t *stack)
{
    json_t *given = json_object(), *list = json_array();
    for (size_t i = 0; i < a->nparams; i++) {
        const char *eq = strchr(a->params[i], '=');
        char key[256];
        snprintf(key, sizeof key, "%.*s", (int)(eq - a->params[i]), a->params[i]);
        json_object_set_new(given, key, json_string(eq + 1));
    }
    const char *key;
    json_t *v;
    json_object_foreach(given, key, v)
        json_array_append_new(list, json_pack("{sssO}", "ParameterKey", key, "ParameterValue", v));
    json_t *had = json_object();
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(stack, "Parameters"), i, p)
        json_object_set_new(had, str(p, "ParameterKey"), json_true());
    json_object_foreach(json_object_get(tpl, "Parameters"), key, v)
        if (stack && !json_object_get(given, key) && json_object_get(had, key))
            json_array_append_new(list, json_pack("{sssb}", "ParameterKey", key, "UsePreviousValue", 1));
    json_decref(had);
    json_decref(given);
    return list;
}

/* Waits for the change set to be made. Returns 0 with *cs (its last
 * description), or -1 after printing why not. */
static int change_set_wait(run_t *r, const char *id, json_t **cs)
{
    int64_t t0 = now_ms();
    for (;;) {
        if (call(r, "DescribeChangeSet", json_pack("{ss}", "ChangeSetName", id), cs)) {
            report(r, "DescribeChangeSet");
            return -1;
        }
        const char *status = str(*cs, "Status");
        if (!strcmp(status, "CREATE_COMPLETE") || !strcmp(status, "FAILED"))
            return 0;
        json_decref(*cs);
        *cs = NULL;
        if (now_ms() - t0 > CHANGE_SET_WAIT_MS) {
            fprintf(stderr, "runnel deploy: the change set is still %s after %d minutes\n", status,
                    CHANGE_SET_WAIT_MS / 60000);
            return -1;
        }
        sleep_ms(POLL_MS);
    }
}

/* Every change of the change set, following NextToken. Returns a new array. */
static json_t *changes_all(run_t *r, const char *id, json_t *first)
{
    json_t *all = json_array();
    json_array_extend(all, json_object_get(first, "Changes"));
    const char *token = str(first, "NextToken");
    json_t *page = NULL;
    for (int n = 0; *token && n < 1000; n++) {
        json_t *next;
        if (call(r, "DescribeChangeSet", json_pack("{ssss}", "ChangeSetName", id, "NextToken", token), &next))
            break;
        json_array_extend(all, json_object_get(next, "Changes"));
        json_decref(page);
        page = next;
        token = str(page, "NextToken");
    }
    json_decref(page);
    return all;
}

static void changes_print(const json_t *changes)
{
    static const char *const h[] = {"Action", "Logical ID", "Type", "Replacement"};
    json_t *rows = json_array();
    size_t i;
    json_t *c;
    json_array_foreach(changes, i, c) {
        json_t *rc = json_object_get(c, "ResourceChange");
        json_array_append_new(rows, json_pack("[ssss]", str(rc, "Action"), str(rc, "LogicalResourceId"),
                                              str(rc, "ResourceType"), str(rc, "Replacement")));
    }
    deploy_table_print(stdout, "  ", h, 4, rows);
    json_decref(rows);
}

/* ---- following the stack ---- */

/* The stack's events not in seen (a set of EventIds), oldest first; they
 * join seen. DescribeStackEvents lists newest first, so paging stops at the
 * first page that holds a seen event. Returns a new array, or NULL (r->msg). */
static json_t *events_new(run_t *r, const char *stack_id, json_t *seen)
{
    json_t *fresh = json_array(), *page = NULL;
    const char *token = "";
    for (int n = 0; n < 1000; n++) {
        json_t *in = json_pack("{ss}", "StackName", stack_id);
        if (*token)
            json_object_set_new(in, "NextToken", json_string(token));
        json_decref(page);
        if (call(r, "DescribeStackEvents", in, &page)) {
            json_decref(fresh);
            return NULL;
        }
        int old = 0;
        size_t i;
        json_t *ev;
        json_array_foreach(json_object_get(page, "StackEvents"), i, ev) {
            const char *eid = str(ev, "EventId");
            if (json_object_get(seen, eid)) {
                old = 1;
                continue;
            }
            json_object_set_new(seen, eid, json_true());
            json_array_insert(fresh, 0, ev);
        }
        token = str(page, "NextToken");
        if (old || !*token)
            break;
    }
    json_decref(page);
    return fresh;
}

static int is_success(const char *status)
{
    return !strcmp(status, "CREATE_COMPLETE") || !strcmp(status, "UPDATE_COMPLETE") ||
           !strcmp(status, "IMPORT_COMPLETE");
}

static int is_settled(const char *status)
{
    size_t n = strlen(status);
    return n && !(n > 12 && !strcmp(status + n - 12, "_IN_PROGRESS"));
}

/* Shows new events and collects the failed ones. Returns 0 or -1 (r->msg). */
static int events_show(run_t *r, const char *stack_id, json_t *seen, deploy_progress_t *p, json_t *failures)
{
    json_t *fresh = events_new(r, stack_id, seen);
    if (!fresh)
        return -1;
    size_t i;
    json_t *ev;
    json_array_foreach(fresh, i, ev) {
        deploy_progress_event(p, ev);
        const char *status = str(ev, "ResourceStatus");
        size_t n = strlen(status);
        if (n > 7 && !strcmp(status + n - 7, "_FAILED") && *str(ev, "ResourceStatusReason") &&
            strcmp(str(ev, "ResourceType"), "AWS::CloudFormation::Stack") != 0)
            json_array_append(failures, ev);
    }
    json_decref(fresh);
    return 0;
}

/* Follows the stack until it settles. Returns 0 with *stack (its last
 * description), or -1 after printing why it could not be followed. */
static int stack_follow(run_t *r, const char *stack_id, json_t *seen, deploy_progress_t *p, json_t *failures,
                        json_t **stack)
{
    int64_t t0 = now_ms();
    for (;;) {
        json_t *out;
        if (events_show(r, stack_id, seen, p, failures) < 0) {
            report(r, "DescribeStackEvents");
            return -1;
        }
        if (call(r, "DescribeStacks", json_pack("{ss}", "StackName", stack_id), &out)) {
            report(r, "DescribeStacks");
            return -1;
        }
        json_t *s = json_array_get(json_object_get(out, "Stacks"), 0);
        if (s && is_settled(str(s, "StackStatus"))) {
            *stack = json_incref(s);
            json_decref(out);
            /* events written between the two calls */
            if (events_show(r, stack_id, seen, p, failures) < 0) {
                report(r, "DescribeStackEvents");
                return -1;
            }
            return 0;
        }
        json_decref(out);
        if (now_ms() - t0 > STACK_WAIT_MS) {
            fprintf(stderr, "runnel deploy: the stack has not settled after %d minutes\n", STACK_WAIT_MS / 60000);
            return -1;
        }
        sleep_ms(POLL_MS);
    }
}

static int terminal_width(void)
{
    struct winsize ws;
    return ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col ? ws.ws_col : 80;
}

/* Executes the change set and shows the stack's progress and outcome. */
static int execute(run_t *r, const char *cs_id, const char *stack_id, size_t total)
{
    json_t *seen = json_object(), *failures = json_array(), *stack = NULL;
    int rc = DEPLOY_EXIT_FAILED;
    json_t *before = events_new(r, stack_id, seen); /* what happened before this deploy is not shown */
    if (!before) {
        report(r, "DescribeStackEvents");
        goto out;
    }
    json_decref(before);
    int64_t t0 = now_ms();
    if (call(r, "ExecuteChangeSet", json_pack("{ss}", "ChangeSetName", cs_id), NULL)) {
        report(r, "ExecuteChangeSet");
        goto out;
    }
    deploy_progress_t p;
    int tty = isatty(STDOUT_FILENO);
    deploy_progress_init(&p, stdout, tty, tty ? terminal_width() : 0, r->a->stack_name, total);
    int followed = stack_follow(r, stack_id, seen, &p, failures, &stack);
    deploy_progress_end(&p);
    if (followed < 0)
        goto out;
    const char *status = str(stack, "StackStatus");
    printf("\nStack %s: %s in %.2f s\n", r->a->stack_name, status, (double)(now_ms() - t0) / 1000.0);
    json_t *res = NULL;
    if (call(r, "DescribeStackResources", json_pack("{ss}", "StackName", stack_id), &res) != 0)
        report(r, "DescribeStackResources"); /* the outputs are still worth showing */
    deploy_summary_print(stdout, stack, json_object_get(res, "StackResources"), is_success(status) ? NULL : failures);
    json_decref(res);
    rc = is_success(status) ? DEPLOY_EXIT_OK : DEPLOY_EXIT_FAILED;
out:
    json_decref(stack);
    json_decref(failures);
    json_decref(seen);
    return rc;
}

static int no_changes(const char *reason)
{
    return strstr(reason, "didn't contain changes") || strstr(reason, "No updates are to be performed");
}

/* The deploy proper, once the template is loaded. */
static int deploy(run_t *r, json_t *tpl)
{
    const deploy_args_t *a = r->a;
    json_t *stack = NULL, *created = NULL, *cs = NULL, *changes = NULL;
    int rc = DEPLOY_EXIT_FAILED;
    int absent = stack_get(r, a->stack_name, &stack);
    if (absent < 0) {
        report(r, "DescribeStacks");
        goto out;
    }
    const char *type = absent ? "CREATE" : "UPDATE";
    printf("Deploying stack %s (%s) to %s\n", a->stack_name, absent ? "create" : "update", a->endpoint);
    fflush(stdout);
    char *body = json_dumps(tpl, JSON_COMPACT);
    char cs_name[64];
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts); /* unique per stack: milliseconds and the process */
    snprintf(cs_name, sizeof cs_name, "runnel-deploy-%lld%03ld-%d", (long long)ts.tv_sec, ts.tv_nsec / 1000000,
             (int)getpid());
    json_t *in = json_pack("{ss ss ss ss ss s[sss] so}", "StackName", a->stack_name, "TemplateBody", body ? body : "",
                           "ChangeSetName", cs_name, "ChangeSetType", type, "Description", "Created by runnel deploy",
                           "Capabilities", "CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND",
                           "Parameters", params_build(a, tpl, stack));
    rn_json_free(body); /* json_dumps' text */
    if (call(r, "CreateChangeSet", in, &created)) {
        report(r, "CreateChangeSet");
        if (!strcmp(str(stack, "StackStatus"), "ROLLBACK_COMPLETE"))
            fprintf(stderr,
                    "The stack's creation failed and was rolled back; such a stack can only be deleted:\n"
                    "  aws cloudformation delete-stack --stack-name %s\nthen deploy again.\n",
                    a->stack_name);
        goto out;
    }
    const char *cs_id = str(created, "Id"), *stack_id = str(created, "StackId");
    if (change_set_wait(r, cs_id, &cs) < 0)
        goto out;
    if (!strcmp(str(cs, "Status"), "FAILED")) {
        if (no_changes(str(cs, "StatusReason"))) {
            printf("No changes to deploy. Stack %s is up to date\n", a->stack_name);
            call(r, "DeleteChangeSet", json_pack("{ss}", "ChangeSetName", cs_id), NULL); /* tidy; failure is harmless */
            rc = DEPLOY_EXIT_OK;
            goto out;
        }
        fprintf(stderr, "runnel deploy: the change set failed: %s\n", str(cs, "StatusReason"));
        goto out;
    }
    changes = changes_all(r, cs_id, cs);
    if (a->no_execute) {
        printf("Change set %s: %zu change%s, not executed (--no-execute)\n", cs_id, json_array_size(changes),
               json_array_size(changes) == 1 ? "" : "s");
        changes_print(changes);
        rc = DEPLOY_EXIT_OK;
        goto out;
    }
    rc = execute(r, cs_id, stack_id, json_array_size(changes));
out:
    json_decref(changes);
    json_decref(cs);
    json_decref(created);
    json_decref(stack);
    return rc;
}

/* `runnel deploy`. */
int deploy_main(int argc, char **argv)
{
    deploy_args_t a;
    run_t r = {.a = &a};
    json_t *tpl = NULL;
    int rc;
    if (deploy_args_parse(argc, argv, &a, r.msg, sizeof r.msg) < 0) {
        fprintf(stderr, "runnel deploy: %s\nRun `runnel deploy --help` for the options.\n", r.msg);
        rc = DEPLOY_EXIT_USAGE;
        goto out;
    }
    if (a.help) {
        fputs(deploy_usage, stdout);
        rc = DEPLOY_EXIT_OK;
        goto out;
    }
    if (!(r.cl = deploy_client_new(a.endpoint, a.region, a.region_given, r.msg, sizeof r.msg))) {
        fprintf(stderr, "runnel deploy: %s\n", r.msg);
        rc = DEPLOY_EXIT_USAGE;
        goto out;
    }
    if ((rc = load_template(a.template_path, &tpl)) != 0)
        goto out;
    rc = deploy(&r, tpl);
out:
    json_decref(tpl);
    deploy_client_free(r.cl);
    deploy_args_free(&a);
    return rc;
}
