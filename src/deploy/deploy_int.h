/* SPDX-License-Identifier: MIT
 * The parts of `runnel deploy`, as they see each other: the command line
 * (args.c), the template's local paths (paths.c), a blocking client of a
 * running server's CloudFormation API in its AWS JSON 1.0 form (client.c),
 * the live progress line and the tables (progress.c), and the flow that ties
 * them together the way `aws cloudformation deploy` does (deploy.c). The
 * deploy command is a client: it knows nothing of the engine but its API. */
#ifndef RN_DEPLOY_INT_H
#define RN_DEPLOY_INT_H
#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

/* Exit statuses. */
#define DEPLOY_EXIT_OK     0
#define DEPLOY_EXIT_FAILED 1
#define DEPLOY_EXIT_USAGE  2

/* ---- the command line (args.c) ---- */

typedef struct deploy_args {
    const char *template_path; /* borrowed from argv */
    char stack_name[129];
    char endpoint[512];
    char region[65];
    const char **params; /* "KEY=VALUE" strings borrowed from argv; owned array, free with
                          * deploy_args_free() */
    size_t nparams;
    int region_given; /* --region or the environment chose the region */
    int no_execute;   /* create the change set and show it, but do not run it */
    int help;
} deploy_args_t;

/* Parses the arguments after `deploy`, filling the defaults the flags leave
 * open: endpoint from $AWS_ENDPOINT_URL else http://127.0.0.1:4566, region
 * from $AWS_REGION, $AWS_DEFAULT_REGION else us-east-1, stack name from the
 * template's file name. Returns 0 (with a->help set for --help), or -1 with
 * the usage error in msg. argv is borrowed for as long as a is used. */
int deploy_args_parse(int argc, char **argv, deploy_args_t *a, char *msg, size_t msglen);

/* Releases what deploy_args_parse() allocated. */
void deploy_args_free(deploy_args_t *a);

/* The default stack name for a template path: its base name without the
 * extension, every character outside [A-Za-z0-9-] made '-', prefixed with
 * "stack-" when it does not start with a letter, cut to 128 characters. */
void deploy_stack_name(const char *path, char *out, size_t outlen);

/* ---- local paths in the template (paths.c) ---- */

/* Joins a relative path to an absolute directory, dropping "." segments and
 * folding ".." lexically; an absolute rel is only normalised. Returns 0, or
 * -1 when the result does not fit in outlen. */
int deploy_path_join(const char *dir, const char *rel, char *out, size_t outlen);

/* Makes the template's relative local code paths absolute against dir (an
 * absolute directory): AWS::Serverless::Function CodeUri (and Globals'),
 * AWS::Serverless::LayerVersion ContentUri, AWS::Lambda::Function
 * Code.RunnelCodeDirectory/RunnelZipPath and AWS::Lambda::LayerVersion
 * Content.RunnelCodeDirectory/RunnelZipPath, when they are plain strings
 * that are not URLs (s3://...). Changes tpl in place; returns how many
 * paths it rewrote, or -1 when one does not fit. */
int deploy_paths_absolute(json_t *tpl, const char *dir);

/* ---- the CloudFormation client (client.c) ---- */

typedef struct deploy_client deploy_client_t;

/* What deploy_client_call() returns besides 0. */
#define DEPLOY_ERR_API       -1 /* the service answered an error: code and msg */
#define DEPLOY_ERR_TRANSPORT -2 /* no answer (connect, read, not JSON): msg */

/* Splits an http:// endpoint into host, port (default 80) and path (default
 * "/"). Returns 0, or -1 with the reason in msg (https is not supported). */
int deploy_url_parse(const char *url, char *host, size_t hostlen, int *port, char *path, size_t pathlen, char *msg,
                     size_t msglen);

/* A client of the CloudFormation API at endpoint for region. Requests are
 * signed with SigV4 when AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and
 * AWS_SESSION_TOKEN) are set; else, when region_given, with the placeholder
 * key "test" (an unsigned request acts in the server's --region, so only a
 * signature carries the region; "test" maps to the server's default account
 * as no signature does); else they go unsigned. Returns NULL with msg on a
 * bad endpoint. Caller owns the result; free with deploy_client_free(). */
deploy_client_t *deploy_client_new(const char *endpoint, const char *region, int region_given, char *msg,
                                   size_t msglen);

/* Calls operation op with input in (borrowed) and waits for the answer.
 * Returns 0 with *out (a new object; caller owns it, json_decref), or
 * DEPLOY_ERR_API with the error's code ("ValidationError") and message, or
 * DEPLOY_ERR_TRANSPORT with msg. */
int deploy_client_call(deploy_client_t *c, const char *op, const json_t *in, json_t **out, char *code, size_t codelen,
                       char *msg, size_t msglen);

/* Closes the connection and frees the client; NULL is fine. */
void deploy_client_free(deploy_client_t *c);

/* ---- progress and tables (progress.c) ---- */

typedef struct deploy_progress {
    FILE *out;         /* borrowed */
    int tty;           /* rewrite one line with "\r" instead of a line per event */
    int width;         /* the terminal's columns (tty); 0: no limit */
    const char *stack; /* borrowed: the stack's name, whose own events are not resources */
    size_t total;      /* resources the change set touches; 0: unknown */
    json_t *finished;  /* {logicalId: status} of resources past their IN_PROGRESS */
    int line_open;     /* a live line is on screen */
} deploy_progress_t;

/* Starts the progress display. out is borrowed. */
void deploy_progress_init(deploy_progress_t *p, FILE *out, int tty, int width, const char *stack, size_t total);

/* Shows one stack event (a StackEvent object, borrowed). */
void deploy_progress_event(deploy_progress_t *p, const json_t *ev);

/* Ends the live line and frees the progress's state. */
void deploy_progress_end(deploy_progress_t *p);

/* Prints rows (an array of arrays of strings; a null or missing cell prints
 * as "-") under the headers as columns two spaces apart, each line starting
 * with indent. Everything borrowed. */
void deploy_table_print(FILE *out, const char *indent, const char *const *headers, size_t ncols, const json_t *rows);

/* Prints the stack's resources (DescribeStackResources' StackResources) and
 * Outputs (from the Stack object), and for a failed deploy the failed events'
 * reasons (failures: StackEvent objects) and the stack's status reason.
 * Everything borrowed. */
void deploy_summary_print(FILE *out, const json_t *stack, const json_t *resources, const json_t *failures);
#endif
