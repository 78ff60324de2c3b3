/* SPDX-License-Identifier: MIT
 * Inside the I/O layer: the operations a fault names and the question
 * io.c answers for the other file layers that go through the same faults
 * (io_sqlite.c, SQLite's files). Not for use outside src/store/. */
#ifndef RN_STORE_IO_INT_H
#define RN_STORE_IO_INT_H

typedef enum {
    IO_OPEN,
    IO_WRITE,
    IO_PREAD,
    IO_FDATASYNC,
    IO_FSYNC,
    IO_FTRUNCATE,
    IO_RENAME,
    IO_UNLINK,
    IO_NOPS
} io_op_t;

/* The errno an armed fault fails this call of op on path with (counting
 * the call), else 0. *partial (may be NULL) says a write fault wants half
 * the buffer written first. */
int rn_io_fault_errno(io_op_t op, const char *path, int *partial);
#endif
