/* SPDX-License-Identifier: MIT
 * The log engine's writer thread: pipelined group commit. It takes every
 * frame the loop has handed over, writes them at their places in their
 * segment files (one write per segment), fdatasyncs (not with --fsync off),
 * publishes the durable LSN, opens the inner SQLite engine's gate to it and
 * wakes the loop, which fires the barriers. While it syncs, the loop gathers
 * the next batch. A failed write or sync truncates the segment back to where
 * the batch began, fails the batch's barriers and keeps the batch to retry
 * (after ~50 ms, then with each new batch), so RAM and disk converge when
 * space returns. It also deletes the segments compaction gave up. Owns the
 * write descriptor (wfd) and its scratch buffer. */
#include "store/engine_log.h"

#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "core/mem.h"
#include "store/io.h"

/* Makes wfd the descriptor of frame f's segment, positioned at f's offset. */
static int seek_frame(lg_t *g, const lframe_t *f)
{
    if (g->wfd >= 0 && g->wseg != f->seg) {
        if (g->sync && rn_io_fdatasync(g->wfd) < 0) { /* the segment it leaves must be durable first */
            RN_ERROR("store: fdatasync of log segment %u: %s", g->wseg, strerror(errno));
            return -1;
        }
        rn_io_close(g->wfd);
        g->wfd = -1;
    }
    if (g->wfd < 0) {
        if (f->new_seg && f->off == RN_SEG_HDR) {
            g->wfd = rn_seg_create(g->logdir, f->seg, f->first_lsn, g->sync);
            g->written_bytes += RN_SEG_HDR;
        } else {
            g->wfd = rn_seg_open_append(g->logdir, f->seg, f->off);
        }
        if (g->wfd < 0) {
            RN_ERROR("store: cannot open log segment %u: %s", f->seg, strerror(errno));
            return -1;
        }
        g->wseg = f->seg;
        g->wpos = (int64_t)f->off;
    }
    if (g->wpos != (int64_t)f->off) { /* a retry: cut what the failed attempt left */
        if (rn_io_ftruncate(g->wfd, (off_t)f->off) < 0 || lseek(g->wfd, (off_t)f->off, SEEK_SET) < 0) {
            RN_ERROR("store: cannot truncate log segment %u: %s", f->seg, strerror(errno));
            return -1;
        }
        g->wpos = (int64_t)f->off;
    }
    return 0;
}

/* Writes frames first..last and syncs them: 0, or -1 (logged). */
static int write_batch(lg_t *g, lframe_t *first, lframe_t *last)
{
    lframe_t *f = first;
    for (;;) {
        if (seek_frame(g, f) < 0)
            return -1;
        /* frames that follow each other in this segment go in one write */
        lframe_t *end = f;
        size_t n = f->buf.len;
        while (end != last && end->next->seg == f->seg && !end->next->new_seg) {
            end = end->next;
            n += end->buf.len;
        }
        const void *p = f->buf.p;
        if (end != f) {
            g->scratch.len = 0;
            if (rn_logbuf_reserve(&g->scratch, n) < 0) {
                RN_ERROR("store: out of memory writing the log");
                return -1;
            }
            for (lframe_t *k = f;; k = k->next) {
                memcpy(g->scratch.p + g->scratch.len, k->buf.p, k->buf.len);
                g->scratch.len += k->buf.len;
                if (k == end)
                    break;
            }
            p = g->scratch.p;
        }
        if (rn_io_write(g->wfd, p, n) < 0) {
            RN_ERROR("store: write to log segment %u: %s", f->seg, strerror(errno));
            /* cut the partial write at once; the retry truncates again */
            if (rn_io_ftruncate(g->wfd, (off_t)f->off) < 0)
                RN_ERROR("store: cannot truncate log segment %u: %s", f->seg, strerror(errno));
            g->wpos = -1;
            return -1;
        }
        g->wpos += (int64_t)n;
        pthread_mutex_lock(&g->mu);
        g->written_bytes += n;
        pthread_mutex_unlock(&g->mu);
        if (end == last)
            break;
        f = end->next;
    }
    if (g->sync) {
        if (rn_io_fdatasync(g->wfd) < 0) {
            RN_ERROR("store: fdatasync of log segment %u: %s", g->wseg, strerror(errno));
            g->wpos = -1; /* what the kernel holds may never reach the disk: write it again */
            return -1;
        }
        pthread_mutex_lock(&g->mu);
        g->syncs++;
        pthread_mutex_unlock(&g->mu);
    }
    return 0;
}

static void do_unlinks(lg_t *g, uint32_t *segs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char path[4300];
        rn_seg_path(path, sizeof path, g->logdir, segs[i]);
        if (rn_io_unlink(path) < 0 && errno != ENOENT)
            RN_ERROR("store: cannot delete %s: %s", path, strerror(errno));
        rn_sidecar_path(path, sizeof path, g->logdir, segs[i]);
        if (rn_io_unlink(path) < 0 && errno != ENOENT)
            RN_ERROR("store: cannot delete %s: %s", path, strerror(errno));
    }
    if (n && rn_io_fsync_dir(g->logdir) < 0)
        RN_ERROR("store: cannot sync %s: %s", g->logdir, strerror(errno));
}

void lg_request_unlink(lg_t *g, uint32_t segno)
{
    pthread_mutex_lock(&g->mu);
    if (g->nunlinks == g->unlink_cap) {
        size_t cap = g->unlink_cap ? g->unlink_cap * 2 : 8;
        uint32_t *p = rn_realloc(g->unlinks, cap * sizeof *p);
        if (!p) {
            pthread_mutex_unlock(&g->mu);
            RN_ERROR("store: out of memory deleting log segment %u (kept)", segno);
            return;
        }
        g->unlinks = p;
        g->unlink_cap = cap;
    }
    g->unlinks[g->nunlinks++] = segno;
    pthread_cond_signal(&g->cv);
    pthread_mutex_unlock(&g->mu);
}

void *lg_writer_main(void *arg)
{
    lg_t *g = arg;
    int failing = 0;
    pthread_mutex_lock(&g->mu);
    for (;;) {
        while (!g->wnext && !g->nunlinks && !g->stop)
            pthread_cond_wait(&g->cv, &g->mu);
        if (!g->wnext && !g->nunlinks)
            break; /* stopping, nothing left */
        lframe_t *first = g->wnext, *last = g->wlast;
        size_t nul = g->nunlinks;
        uint32_t ul[64];
        if (nul > 64)
            nul = 64;
        if (nul) {
            memcpy(ul, g->unlinks, nul * sizeof *ul);
            memmove(g->unlinks, g->unlinks + nul, (g->nunlinks - nul) * sizeof *ul);
            g->nunlinks -= nul;
        }
        int stop = g->stop;
        pthread_mutex_unlock(&g->mu);

        int rc = first ? write_batch(g, first, last) : 0;
        for (lframe_t *f = first; rc == 0 && f; f = f->next) { /* before the loop may free them */
            rn_sidecar_add(&g->sc, g->logdir, g->seg_roll, f->seg, f->off, f->buf.p, f->buf.len);
            if (f == last)
                break;
        }
        do_unlinks(g, ul, nul);
        uint64_t n = 0;
        for (lframe_t *f = first; f; f = f->next) {
            n += f->count;
            if (f == last)
                break;
        }
        pthread_mutex_lock(&g->mu);
        if (first && rc == 0) {
            g->durable_lsn = last->last_lsn;
            g->wnext = last->next;
            g->committed += n;
            g->batches++;
            if (failing)
                RN_INFO("store: the log is written again");
            failing = 0;
        } else if (first) {
            g->failed_upto = last->last_lsn;
            g->write_errors++;
            if (stop) { /* closing and the disk still fails: what is pending is lost, as its barriers said */
                g->wnext = NULL;
                RN_ERROR("store: closing with %llu log records never written",
                         (unsigned long long)(last->last_lsn - first->first_lsn + 1));
            }
        }
        uint64_t durable = g->durable_lsn;
        pthread_mutex_unlock(&g->mu);
        if (first && rc == 0)
            rn_sqlite_gate(g->inner, durable);
        uv_async_send(&g->async);
        if (first && rc != 0 && !stop) {
            failing = 1;
            struct timespec ts = {0, 50 * 1000 * 1000}; /* back off, then retry with whatever came meanwhile */
            nanosleep(&ts, NULL);
        }
        pthread_mutex_lock(&g->mu);
    }
    pthread_mutex_unlock(&g->mu);
    return NULL;
}
