/* SPDX-License-Identifier: MIT
 * SQLite's files through the store's faults (io.h): a VFS registered as the
 * default that forwards every call to the platform's VFS, asking io.c first
 * whether a fault fails it (open, write, read as pread, sync as fdatasync or
 * fsync by SQLite's flag, truncate as ftruncate, delete as unlink). ENOSPC
 * and EDQUOT become SQLITE_FULL, anything else the I/O error of the call.
 * With no fault armed each call costs one atomic load. Owns the wrapper
 * state in front of each file SQLite opens through it. */
#include "store/io.h"
#include "store/io_int.h"

#include <errno.h>
#include <sqlite3.h>
#include <string.h>

typedef struct fault_file {
    sqlite3_file base;  /* pMethods: our forwarding table */
    const char *path;   /* SQLite keeps zName valid while the file is open; NULL for temp files */
    sqlite3_file *real; /* the platform VFS's file, allocated right after this struct */
} fault_file_t;

static sqlite3_vfs fault_vfs;
static sqlite3_vfs *real_vfs;

static sqlite3_file *real_of(sqlite3_file *f)
{
    return ((fault_file_t *)f)->real;
}

/* The fault's SQLite code for op on f, else SQLITE_OK. */
static int fault_rc(sqlite3_file *f, io_op_t op, int ioerr)
{
    int err = rn_io_fault_errno(op, ((fault_file_t *)f)->path, NULL);
    if (!err)
        return SQLITE_OK;
    return err == ENOSPC || err == EDQUOT ? SQLITE_FULL : ioerr;
}

static int x_close(sqlite3_file *f)
{
    sqlite3_file *r = real_of(f);
    int rc = r->pMethods ? r->pMethods->xClose(r) : SQLITE_OK;
    f->pMethods = NULL;
    return rc;
}

static int x_read(sqlite3_file *f, void *buf, int n, sqlite3_int64 off)
{
    int rc = fault_rc(f, IO_PREAD, SQLITE_IOERR_READ);
    return rc ? rc : real_of(f)->pMethods->xRead(real_of(f), buf, n, off);
}

static int x_write(sqlite3_file *f, const void *buf, int n, sqlite3_int64 off)
{
    int rc = fault_rc(f, IO_WRITE, SQLITE_IOERR_WRITE);
    return rc ? rc : real_of(f)->pMethods->xWrite(real_of(f), buf, n, off);
}

static int x_truncate(sqlite3_file *f, sqlite3_int64 size)
{
    int rc = fault_rc(f, IO_FTRUNCATE, SQLITE_IOERR_TRUNCATE);
    return rc ? rc : real_of(f)->pMethods->xTruncate(real_of(f), size);
}

static int x_sync(sqlite3_file *f, int flags)
{
    int rc = fault_rc(f, (flags & SQLITE_SYNC_DATAONLY) ? IO_FDATASYNC : IO_FSYNC, SQLITE_IOERR_FSYNC);
    return rc ? rc : real_of(f)->pMethods->xSync(real_of(f), flags);
}

static int x_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
    return real_of(f)->pMethods->xFileSize(real_of(f), size);
}

static int x_lock(sqlite3_file *f, int level)
{
    return real_of(f)->pMethods->xLock(real_of(f), level);
}

static int x_unlock(sqlite3_file *f, int level)
{
    return real_of(f)->pMethods->xUnlock(real_of(f), level);
}

static int x_check_reserved(sqlite3_file *f, int *out)
{
    return real_of(f)->pMethods->xCheckReservedLock(real_of(f), out);
}

static int x_file_control(sqlite3_file *f, int op, void *arg)
{
    return real_of(f)->pMethods->xFileControl(real_of(f), op, arg);
}

static int x_sector_size(sqlite3_file *f)
{
    return real_of(f)->pMethods->xSectorSize(real_of(f));
}

static int x_device_characteristics(sqlite3_file *f)
{
    return real_of(f)->pMethods->xDeviceCharacteristics(real_of(f));
}

static int x_shm_map(sqlite3_file *f, int region, int size, int extend, void volatile **out)
{
    return real_of(f)->pMethods->xShmMap(real_of(f), region, size, extend, out);
}

static int x_shm_lock(sqlite3_file *f, int offset, int n, int flags)
{
    return real_of(f)->pMethods->xShmLock(real_of(f), offset, n, flags);
}

static void x_shm_barrier(sqlite3_file *f)
{
    real_of(f)->pMethods->xShmBarrier(real_of(f));
}

static int x_shm_unmap(sqlite3_file *f, int del)
{
    return real_of(f)->pMethods->xShmUnmap(real_of(f), del);
}

static int x_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **out)
{
    return real_of(f)->pMethods->xFetch(real_of(f), off, n, out);
}

static int x_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
    return real_of(f)->pMethods->xUnfetch(real_of(f), off, p);
}

/* One table per io_methods version (filled at install), so SQLite never
 * calls a method the real file lacks. */
static sqlite3_io_methods methods_by_version[4];

static int v_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags, int *out_flags)
{
    (void)vfs;
    fault_file_t *ff = (fault_file_t *)f;
    memset(ff, 0, sizeof *ff);
    ff->path = name;
    ff->real = (sqlite3_file *)(ff + 1);
    int err = rn_io_fault_errno(IO_OPEN, name, NULL);
    if (err)
        return SQLITE_CANTOPEN;
    int rc = real_vfs->xOpen(real_vfs, name, ff->real, flags, out_flags);
    if (rc != SQLITE_OK || !ff->real->pMethods)
        return rc;
    int v = ff->real->pMethods->iVersion;
    f->pMethods = &methods_by_version[v < 0 ? 0 : v > 3 ? 3 : v];
    return rc;
}

static int v_delete(sqlite3_vfs *vfs, const char *name, int sync_dir)
{
    (void)vfs;
    if (rn_io_fault_errno(IO_UNLINK, name, NULL))
        return SQLITE_IOERR_DELETE;
    return real_vfs->xDelete(real_vfs, name, sync_dir);
}

static int v_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
    (void)vfs;
    return real_vfs->xAccess(real_vfs, name, flags, out);
}

static int v_full_pathname(sqlite3_vfs *vfs, const char *name, int n, char *out)
{
    (void)vfs;
    return real_vfs->xFullPathname(real_vfs, name, n, out);
}

static void *v_dlopen(sqlite3_vfs *vfs, const char *name)
{
    (void)vfs;
    return real_vfs->xDlOpen(real_vfs, name);
}

static void v_dlerror(sqlite3_vfs *vfs, int n, char *out)
{
    (void)vfs;
    real_vfs->xDlError(real_vfs, n, out);
}

static void (*v_dlsym(sqlite3_vfs *vfs, void *h, const char *sym))(void)
{
    (void)vfs;
    return real_vfs->xDlSym(real_vfs, h, sym);
}

static void v_dlclose(sqlite3_vfs *vfs, void *h)
{
    (void)vfs;
    real_vfs->xDlClose(real_vfs, h);
}

static int v_randomness(sqlite3_vfs *vfs, int n, char *out)
{
    (void)vfs;
    return real_vfs->xRandomness(real_vfs, n, out);
}

static int v_sleep(sqlite3_vfs *vfs, int us)
{
    (void)vfs;
    return real_vfs->xSleep(real_vfs, us);
}

static int v_current_time(sqlite3_vfs *vfs, double *out)
{
    (void)vfs;
    return real_vfs->xCurrentTime(real_vfs, out);
}

static int v_last_error(sqlite3_vfs *vfs, int n, char *out)
{
    (void)vfs;
    return real_vfs->xGetLastError ? real_vfs->xGetLastError(real_vfs, n, out) : 0;
}

static int v_current_time64(sqlite3_vfs *vfs, sqlite3_int64 *out)
{
    (void)vfs;
    return real_vfs->xCurrentTimeInt64(real_vfs, out);
}

/* Makes SQLite's default VFS the fault-checking one; see io.h. */
int rn_io_sqlite_install(void)
{
    if (real_vfs)
        return 0;
    sqlite3_vfs *r = sqlite3_vfs_find(NULL);
    if (!r || r->iVersion < 2)
        return -1;
    fault_vfs = (sqlite3_vfs){
        .iVersion = 2,
        .szOsFile = (int)sizeof(fault_file_t) + r->szOsFile,
        .mxPathname = r->mxPathname,
        .zName = "runnel-faults",
        .xOpen = v_open,
        .xDelete = v_delete,
        .xAccess = v_access,
        .xFullPathname = v_full_pathname,
        .xDlOpen = v_dlopen,
        .xDlError = v_dlerror,
        .xDlSym = v_dlsym,
        .xDlClose = v_dlclose,
        .xRandomness = v_randomness,
        .xSleep = v_sleep,
        .xCurrentTime = v_current_time,
        .xGetLastError = v_last_error,
        .xCurrentTimeInt64 = v_current_time64,
    };
    const sqlite3_io_methods all = {3,          x_close,      x_read,           x_write,      x_truncate,
                                    x_sync,     x_file_size,  x_lock,           x_unlock,     x_check_reserved,
                                    x_file_control, x_sector_size, x_device_characteristics, x_shm_map,
                                    x_shm_lock, x_shm_barrier, x_shm_unmap,     x_fetch,      x_unfetch};
    for (int v = 0; v < 4; v++) {
        methods_by_version[v] = all;
        methods_by_version[v].iVersion = v;
    }
    real_vfs = r;
    return sqlite3_vfs_register(&fault_vfs, 1) == SQLITE_OK ? 0 : -1;
}
