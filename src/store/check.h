/* SPDX-License-Identifier: MIT
 * `runnel check --data-dir D`: an offline check of a durable data dir (the
 * format file, every segment's frames and records, the message index rebuilt
 * from them, the SQLite file's integrity and its applied LSN). Reads only:
 * it changes nothing in the dir, so it may run on a copy or after a crash
 * before the server starts again. */
#ifndef RN_STORE_CHECK_H
#define RN_STORE_CHECK_H

/* Runs the command with its arguments (after "check"); prints a summary on
 * stdout and problems on stdout too (one "problem:" line each). Returns the
 * exit status: 0 sound, 1 not sound (or unreadable), 2 usage. */
int rn_store_check_main(int argc, char **argv);
#endif
