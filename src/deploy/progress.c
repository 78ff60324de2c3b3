/* SPDX-License-Identifier: MIT
 * What `runnel deploy` shows while and after a stack operation runs: on a
 * terminal one live line rewritten with "\r" (resources done of total, the
 * last resource and its status), elsewhere (a pipe, a CI log) one line per
 * stack event; then the resources and outputs as aligned tables, and the
 * reasons of whatever failed. */
#include <string.h>

#include "deploy/deploy_int.h"

static const char *str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcmp(s + n - m, suffix);
}

/* Starts the display. */
void deploy_progress_init(deploy_progress_t *p, FILE *out, int tty, int width, const char *stack, size_t total)
{
    *p = (deploy_progress_t){
        .out = out, .tty = tty, .width = width, .stack = stack, .total = total, .finished = json_object()};
}

/* Rewrites the live line, cut to the terminal's width so it never wraps
 * (a wrapped line cannot be rewritten with "\r"). */
static void live_line(deploy_progress_t *p, const char *id, const char *status)
{
    char line[512];
    size_t done = json_object_size(p->finished);
    if (p->total)
        snprintf(line, sizeof line, "[%zu/%zu] %s %s", done < p->total ? done : p->total, p->total, id, status);
    else
        snprintf(line, sizeof line, "[%zu] %s %s", done, id, status);
    if (p->width > 1 && strlen(line) >= (size_t)p->width)
        line[p->width - 1] = '\0';
    fprintf(p->out, "\r\033[K%s", line);
    fflush(p->out);
    p->line_open = 1;
}

/* Shows one event. */
void deploy_progress_event(deploy_progress_t *p, const json_t *ev)
{
    const char *id = str(ev, "LogicalResourceId"), *type = str(ev, "ResourceType");
    const char *status = str(ev, "ResourceStatus"), *reason = str(ev, "ResourceStatusReason");
    int is_stack = !strcmp(type, "AWS::CloudFormation::Stack") && p->stack && !strcmp(id, p->stack);
    if (!is_stack && *status && !ends_with(status, "_IN_PROGRESS") && p->finished)
        json_object_set_new(p->finished, id, json_string(status));
    if (p->tty) {
        live_line(p, id, status);
        return;
    }
    fprintf(p->out, "%-36s %-32s %s%s%s\n", status, type, id, *reason ? ": " : "", reason);
    fflush(p->out);
}

/* Ends the live line. */
void deploy_progress_end(deploy_progress_t *p)
{
    if (p->line_open)
        fputc('\n', p->out);
    p->line_open = 0;
    json_decref(p->finished);
    p->finished = NULL;
}

static const char *cell(const json_t *row, size_t i)
{
    const char *s = json_string_value(json_array_get(row, i));
    return s && *s ? s : "-";
}

#define TABLE_MAX_COLS 8

/* Prints one table line: cells padded to their column's width, the last
 * one not (no trailing blanks). */
static void table_line(FILE *out, const char *indent, const char *const *cells, const size_t *width, size_t ncols)
{
    fputs(indent, out);
    for (size_t c = 0; c < ncols; c++) {
        if (c + 1 < ncols)
            fprintf(out, "%-*s  ", (int)width[c], cells[c]);
        else
            fputs(cells[c], out);
    }
    fputc('\n', out);
}

/* Prints an aligned table. */
void deploy_table_print(FILE *out, const char *indent, const char *const *headers, size_t ncols, const json_t *rows)
{
    size_t width[TABLE_MAX_COLS] = {0};
    const char *cells[TABLE_MAX_COLS];
    if (ncols > TABLE_MAX_COLS)
        ncols = TABLE_MAX_COLS;
    for (size_t c = 0; c < ncols; c++)
        width[c] = strlen(headers[c]);
    size_t r;
    const json_t *row;
    json_array_foreach(rows, r, row) {
        for (size_t c = 0; c < ncols; c++)
            if (strlen(cell(row, c)) > width[c])
                width[c] = strlen(cell(row, c));
    }
    table_line(out, indent, headers, width, ncols);
    json_array_foreach(rows, r, row) {
        for (size_t c = 0; c < ncols; c++)
            cells[c] = cell(row, c);
        table_line(out, indent, cells, width, ncols);
    }
}

/* A row of the object's string members named by keys. */
static json_t *row_of(const json_t *o, const char *const *keys, size_t n)
{
    json_t *row = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(row, json_string(str(o, keys[i])));
    return row;
}

/* Prints the table of the objects in list, one row each, columns from keys. */
static void objects_table(FILE *out, const char *title, const json_t *list, const char *const *headers,
                          const char *const *keys, size_t n)
{
    json_t *rows = json_array();
    size_t i;
    const json_t *o;
    json_array_foreach(list, i, o)
        json_array_append_new(rows, row_of(o, keys, n));
    fprintf(out, "\n%s\n", title);
    deploy_table_print(out, "  ", headers, n, rows);
    json_decref(rows);
}

/* Prints resources, outputs and failures. */
void deploy_summary_print(FILE *out, const json_t *stack, const json_t *resources, const json_t *failures)
{
    static const char *const rh[] = {"Logical ID", "Type", "Status", "Physical ID"};
    static const char *const rk[] = {"LogicalResourceId", "ResourceType", "ResourceStatus", "PhysicalResourceId"};
    static const char *const oh[] = {"Key", "Value", "Export name"};
    static const char *const ok[] = {"OutputKey", "OutputValue", "ExportName"};
    if (json_array_size(resources))
        objects_table(out, "Resources", resources, rh, rk, 4);
    const json_t *outputs = json_object_get(stack, "Outputs");
    if (json_array_size(outputs))
        objects_table(out, "Outputs", outputs, oh, ok, 3);
    if (json_array_size(failures)) {
        fprintf(out, "\nFailed resources\n");
        size_t i;
        const json_t *ev;
        json_array_foreach(failures, i, ev)
            fprintf(out, "  %s (%s) %s: %s\n", str(ev, "LogicalResourceId"), str(ev, "ResourceType"),
                    str(ev, "ResourceStatus"),
                    *str(ev, "ResourceStatusReason") ? str(ev, "ResourceStatusReason") : "-");
    }
    const char *reason = str(stack, "StackStatusReason");
    if (*reason)
        fprintf(out, "\nStack status reason: %s\n", reason);
    fflush(out);
}
