/* SPDX-License-Identifier: MIT
 * The data dir's format version: the file DATA/FORMAT, one line
 * "runnel-store N". Version 2 is the log engine (DATA/log/ + runnel.db); a
 * dir holding runnel.db and no FORMAT file is version 1, the SQLite-only
 * store, which the log engine migrates on first start. store.c asks
 * rn_format_prepare() before it opens anything in the dir; `runnel check`
 * reads it with rn_format_read(). */
#ifndef RN_STORE_FORMAT_H
#define RN_STORE_FORMAT_H
#include <stddef.h>

#define RN_FORMAT_VERSION 2
#define RN_FORMAT_FILE "FORMAT"

/* What rn_format_read() found: the version number, or one of these. */
#define RN_FORMAT_EMPTY 0 /* no FORMAT and no runnel.db: a new data dir */
#define RN_FORMAT_V1 1    /* runnel.db without FORMAT: the SQLite-only store */

/* The format of data_dir into *version (RN_FORMAT_EMPTY, RN_FORMAT_V1 or
 * the number FORMAT holds, which may be newer than RN_FORMAT_VERSION).
 * Returns 0, or -1 with the reason in err when FORMAT cannot be read or is
 * not a format line. */
int rn_format_read(const char *data_dir, int *version, char *err, size_t errlen);

/* Writes DATA/FORMAT holding version, atomically and durably (a temporary
 * file, fsynced, renamed over FORMAT, the directory fsynced): 0, or -1 with
 * the reason in err. */
int rn_format_write(const char *data_dir, int version, char *err, size_t errlen);

/* Moves a version 1 dir's data into the log engine (the engine's code:
 * messages copied into the log, synced, the messages table dropped). 0, or
 * -1 with the reason in err. */
typedef int (*rn_format_migrate_fn)(void *arg, const char *data_dir, char *err, size_t errlen);

/* Makes data_dir ready for this runnel: a new dir gets FORMAT; a version 1
 * dir is migrated by migrate (refused with a message naming the way out when
 * migrate is NULL) and then gets FORMAT; the current version is fine; a
 * newer version is refused, naming both versions. The dir must exist.
 * Returns 0, or -1 with the message in err. */
int rn_format_prepare(const char *data_dir, rn_format_migrate_fn migrate, void *arg, char *err, size_t errlen);
/* Takes the data dir for this process: an exclusive lock on DATA/LOCK (which
 * then holds our pid), kept until the descriptor returned is closed or the
 * process ends, kill -9 included. -1 with err set when another process holds
 * it: two servers writing one log would interleave their frames. */
int rn_datadir_lock(const char *data_dir, char *err, size_t errlen);
#endif
