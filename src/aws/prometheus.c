/* SPDX-License-Identifier: MIT
 * Prometheus' text format for Runnel's metrics. A figure AWS publishes as
 * AWS/SQS NumberOfMessagesSent for queue q becomes the sample
 *   runnel_aws_sqs_number_of_messages_sent_total{account="…",region="…",queue_name="q"} 3
 * counters of counts with `_total`, counters of amounts (sizes, durations) as summaries
 * (`_sum`, `_count`), gauges as they are. Samples of one family are written
 * together, under one HELP and TYPE line, as the format requires. */
#include "aws/prometheus.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/map.h"
#include "core/mem.h"
#include "core/sink.h"
#include "store/store.h"

typedef struct family {
    char *name;
    const char *help;
    const char *type;
    rn_buf_t samples;
} family_t;

typedef struct {
    rn_smap_t by_name; /* name -> family_t */
    family_t **order;  /* in first-seen order */
    size_t n, cap;
    int oom;
} page_t;

/* "AWS/SQS" + "NumberOfMessagesSent" -> "aws_sqs_number_of_messages_sent":
 * an underscore where a word starts (a capital after a small letter or
 * digit, or a capital followed by a small letter after a capital), and for
 * any character that is not a letter or digit. */
static void snake(rn_buf_t *b, const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i], prev = i ? (unsigned char)s[i - 1] : 0,
                      next = i + 1 < n ? (unsigned char)s[i + 1] : 0;
        if (!isalnum(c)) {
            if (b->len && b->data[b->len - 1] != '_')
                rn_buf_add(b, "_", 1);
            continue;
        }
        if (isupper(c) && i && b->len && b->data[b->len - 1] != '_' &&
            (islower(prev) || isdigit(prev) || (isupper(prev) && islower(next))))
            rn_buf_add(b, "_", 1);
        char l = (char)tolower(c);
        rn_buf_add(b, &l, 1);
    }
}

static family_t *family(page_t *pg, const char *name, const char *type, const char *help)
{
    family_t *f = rn_smap_get(&pg->by_name, name);
    if (f)
        return f;
    if (pg->n == pg->cap) {
        size_t cap = pg->cap ? pg->cap * 2 : 32;
        family_t **v = rn_realloc(pg->order, cap * sizeof *v);
        if (!v)
            return NULL;
        pg->order = v;
        pg->cap = cap;
    }
    f = rn_calloc(1, sizeof *f);
    if (!f || !(f->name = rn_strdup(name)) || rn_smap_put(&pg->by_name, name, f) < 0) {
        if (f)
            rn_free(f->name);
        rn_free(f);
        return NULL;
    }
    f->type = type;
    f->help = help;
    pg->order[pg->n++] = f;
    return f;
}

/* A label value with \\, " and newlines escaped. */
static void label_value(rn_buf_t *b, const char *v)
{
    for (; *v; v++) {
        if (*v == '\\' || *v == '"')
            rn_buf_printf(b, "\\%c", *v);
        else if (*v == '\n')
            rn_buf_puts(b, "\\n");
        else
            rn_buf_add(b, v, 1);
    }
}

static void sample(page_t *pg, const char *fname, const char *type, const char *help, const char *suffix,
                   const char *labels, double v)
{
    family_t *f = family(pg, fname, type, help);
    if (!f) {
        pg->oom = 1;
        return;
    }
    rn_buf_printf(&f->samples, "%s%s%s %.15g\n", fname, suffix, labels, v);
}

static void own_metric(void *ud, const char *account, const char *region, const rn_metric_t *m)
{
    page_t *pg = ud;
    rn_buf_t name = {0}, labels = {0};
    rn_buf_puts(&name, "runnel_");
    snake(&name, m->ns);
    rn_buf_add(&name, "_", 1);
    snake(&name, m->name);
    rn_buf_puts(&labels, "{account=\"");
    label_value(&labels, account);
    rn_buf_puts(&labels, "\",region=\"");
    label_value(&labels, region);
    rn_buf_puts(&labels, "\"");
    if (m->dim) {
        rn_buf_add(&labels, ",", 1);
        snake(&labels, m->dim);
        rn_buf_puts(&labels, "=\"");
        label_value(&labels, m->dim_value ? m->dim_value : "");
        rn_buf_puts(&labels, "\"");
    }
    if (m->dim2) {
        rn_buf_add(&labels, ",", 1);
        snake(&labels, m->dim2);
        rn_buf_puts(&labels, "=\"");
        label_value(&labels, m->dim2_value ? m->dim2_value : "");
        rn_buf_puts(&labels, "\"");
    }
    rn_buf_puts(&labels, "}");
    if (name.oom || labels.oom) {
        pg->oom = 1;
    } else if (m->kind == RN_METRIC_GAUGE) {
        sample(pg, name.data, "gauge", m->help, "", labels.data, m->value);
    } else if (m->unit && strcmp(m->unit, "Count") != 0) { /* an amount (a size, a duration): a summary */
        sample(pg, name.data, "summary", m->help, "_sum", labels.data, m->value);
        sample(pg, name.data, "summary", m->help, "_count", labels.data, m->samples);
    } else {
        rn_buf_puts(&name, "_total");
        sample(pg, name.data, "counter", m->help, "", labels.data, m->value);
    }
    rn_buf_free(&name);
    rn_buf_free(&labels);
}

/* The process's own figures, as Prometheus' clients name them. */
static void process(page_t *pg, const rn_app_t *app)
{
    long rss_pages = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f) {
        long size;
        if (fscanf(f, "%ld %ld", &size, &rss_pages) != 2)
            rss_pages = 0;
        fclose(f);
    }
    sample(pg, "runnel_process_resident_memory_bytes", "gauge", "Resident memory size in bytes.", "", "",
           (double)rss_pages * (double)sysconf(_SC_PAGESIZE));
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    sample(pg, "runnel_process_cpu_seconds_total", "counter", "User and system CPU time spent in seconds.", "", "",
           (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
               (double)ru.ru_stime.tv_usec / 1e6);
    int fds = 0;
    DIR *d = opendir("/proc/self/fd");
    if (d) {
        for (struct dirent *e = readdir(d); e; e = readdir(d))
            fds += e->d_name[0] != '.';
        closedir(d);
    }
    sample(pg, "runnel_process_open_fds", "gauge", "Number of open file descriptors.", "", "", fds);
    sample(pg, "runnel_process_start_time_seconds", "gauge", "Start time of the process since the epoch in seconds.",
           "", "", (double)app->started_ms / 1000.0);
    sample(pg, "runnel_http_requests_total", "counter", "HTTP requests served.", "", "", (double)app->requests);
    uint64_t committed = 0, batches = 0;
    rn_store_stats(app->store, &committed, &batches);
    sample(pg, "runnel_store_mutations_committed_total", "counter", "Store mutations made durable.", "", "",
           (double)committed);
    sample(pg, "runnel_store_commit_batches_total", "counter", "Group commits (one fsync each) of the store.", "", "",
           (double)batches);
}

char *aws_prometheus(const rn_app_t *app, size_t *len)
{
    page_t pg = {0};
    process(&pg, app);
    rn_sinks_metrics(app->sinks, own_metric, &pg);
    rn_buf_t out = {0};
    for (size_t i = 0; i < pg.n; i++) {
        family_t *f = pg.order[i];
        rn_buf_printf(&out, "# HELP %s %s\n# TYPE %s %s\n", f->name, f->help ? f->help : f->name, f->name, f->type);
        if (f->samples.data)
            rn_buf_add(&out, f->samples.data, f->samples.len);
        rn_buf_free(&f->samples);
        rn_free(f->name);
        rn_free(f);
    }
    rn_free(pg.order);
    rn_smap_free(&pg.by_name);
    if (pg.oom || out.oom) {
        rn_buf_free(&out);
        return NULL;
    }
    return rn_buf_take(&out, len);
}
