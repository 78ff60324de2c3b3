/* SPDX-License-Identifier: MIT
 * The data dir's format version (store/format.c): a new dir gets FORMAT, a
 * version 1 dir (runnel.db, no FORMAT) is migrated or refused, a newer or
 * garbled FORMAT is refused with a message, and a write that fails half way
 * (injected faults) leaves the old FORMAT whole. */
#include "store/format.h"
#include "store/io.h"
#include "unit.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static void mkdata(char *dir, size_t n)
{
    snprintf(dir, n, "/tmp/rn-format-XXXXXX");
    if (!mkdtemp(dir))
        dir[0] = '\0';
}

static void put_file(const char *dir, const char *name, const char *text)
{
    char p[256];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static void slurp(const char *dir, const char *name, char *out, size_t n)
{
    char p[256];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    out[0] = '\0';
    FILE *f = fopen(p, "r");
    if (f) {
        size_t k = fread(out, 1, n - 1, f);
        out[k] = '\0';
        fclose(f);
    }
}

static void rmdata(const char *dir)
{
    const char *names[] = {"FORMAT", "FORMAT.tmp", "runnel.db"};
    char p[256];
    for (size_t i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, names[i]);
        unlink(p);
    }
    rmdir(dir);
}

static int migrations;

static int migrate_ok(void *arg, const char *dir, char *err, size_t errlen)
{
    (void)arg, (void)dir, (void)err, (void)errlen;
    migrations++;
    return 0;
}

static int migrate_fails(void *arg, const char *dir, char *err, size_t errlen)
{
    (void)arg, (void)dir;
    snprintf(err, errlen, "migration failed on purpose");
    return -1;
}

TEST(test_format_new_dir_gets_the_current_version)
{
    char dir[64], err[512], text[64];
    mkdata(dir, sizeof dir);
    int v = -1;
    CHECK_INT(rn_format_read(dir, &v, err, sizeof err), 0);
    CHECK_INT(v, RN_FORMAT_EMPTY);
    migrations = 0;
    CHECK_INT(rn_format_prepare(dir, migrate_ok, NULL, err, sizeof err), 0);
    CHECK_INT(migrations, 0);
    slurp(dir, "FORMAT", text, sizeof text);
    CHECK_STR(text, "runnel-store 2\n");
    CHECK_INT(rn_format_read(dir, &v, err, sizeof err), 0);
    CHECK_INT(v, RN_FORMAT_VERSION);
    /* a second start changes nothing */
    CHECK_INT(rn_format_prepare(dir, migrate_ok, NULL, err, sizeof err), 0);
    CHECK_INT(migrations, 0);
    struct stat st;
    CHECK(stat(dir, &st) == 0);
    char tmp[256];
    snprintf(tmp, sizeof tmp, "%s/FORMAT.tmp", dir);
    CHECK(stat(tmp, &st) != 0); /* no temporary file left */
    rmdata(dir);
}

TEST(test_format_v1_dir_is_migrated_once)
{
    char dir[64], err[512], text[64];
    mkdata(dir, sizeof dir);
    put_file(dir, "runnel.db", "SQLite format 3");
    int v = -1;
    CHECK_INT(rn_format_read(dir, &v, err, sizeof err), 0);
    CHECK_INT(v, RN_FORMAT_V1);
    migrations = 0;
    CHECK_INT(rn_format_prepare(dir, migrate_ok, NULL, err, sizeof err), 0);
    CHECK_INT(migrations, 1);
    slurp(dir, "FORMAT", text, sizeof text);
    CHECK_STR(text, "runnel-store 2\n");
    CHECK_INT(rn_format_prepare(dir, migrate_ok, NULL, err, sizeof err), 0);
    CHECK_INT(migrations, 1);
    rmdata(dir);
}

TEST(test_format_v1_dir_without_a_migration_is_refused)
{
    char dir[64], err[512] = "", text[64];
    mkdata(dir, sizeof dir);
    put_file(dir, "runnel.db", "SQLite format 3");
    CHECK_INT(rn_format_prepare(dir, NULL, NULL, err, sizeof err), -1);
    CHECK(strstr(err, "format 1") != NULL);
    CHECK(strstr(err, dir) != NULL);
    CHECK_INT(rn_format_prepare(dir, migrate_fails, NULL, err, sizeof err), -1);
    CHECK_STR(err, "migration failed on purpose");
    slurp(dir, "FORMAT", text, sizeof text);
    CHECK_STR(text, ""); /* a failed migration is not marked done */
    rmdata(dir);
}

TEST(test_format_newer_version_is_refused_naming_both)
{
    char dir[64], err[512] = "";
    mkdata(dir, sizeof dir);
    put_file(dir, "FORMAT", "runnel-store 3\n");
    int v = -1;
    CHECK_INT(rn_format_read(dir, &v, err, sizeof err), 0);
    CHECK_INT(v, 3);
    CHECK_INT(rn_format_prepare(dir, migrate_ok, NULL, err, sizeof err), -1);
    CHECK(strstr(err, "format 3") != NULL);
    CHECK(strstr(err, "format 2") != NULL);
    CHECK(strstr(err, "newer runnel") != NULL);
    rmdata(dir);
}

TEST(test_format_garbled_file_is_refused)
{
    const char *bad[] = {"", "runnel-store\n", "runnel-store 2", "runnel-store 2\nmore\n", "runnel-store x\n",
                         "sqlite 2\n"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char dir[64], err[512] = "";
        mkdata(dir, sizeof dir);
        put_file(dir, "FORMAT", bad[i]);
        int v = -1;
        CHECK_INT(rn_format_read(dir, &v, err, sizeof err), -1);
        CHECK(strstr(err, "not a runnel format file") != NULL);
        CHECK_INT(rn_format_prepare(dir, migrate_ok, NULL, err, sizeof err), -1);
        rmdata(dir);
    }
}

TEST(test_format_write_that_fails_keeps_the_old_file)
{
    const char *faults[] = {"write:ENOSPC", "fsync:EIO", "rename:EIO", "open:EIO:path=FORMAT"};
    for (size_t i = 0; i < sizeof faults / sizeof faults[0]; i++) {
        char dir[64], err[512] = "", text[64];
        mkdata(dir, sizeof dir);
        put_file(dir, "FORMAT", "runnel-store 2\n");
        CHECK_INT(rn_io_fault_set(faults[i]), 0);
        CHECK_INT(rn_format_write(dir, 9, err, sizeof err), -1);
        rn_io_fault_set("");
        CHECK(strstr(err, "cannot write") != NULL);
        slurp(dir, "FORMAT", text, sizeof text);
        CHECK_STR(text, "runnel-store 2\n");
        slurp(dir, "FORMAT.tmp", text, sizeof text);
        CHECK_STR(text, "");
        rmdata(dir);
    }
    /* the directory sync fails after the rename: the new file is in place
     * but the call reports the failure */
    char dir[64], err[512] = "", text[64];
    mkdata(dir, sizeof dir);
    CHECK_INT(rn_io_fault_set("fsync:EIO:after=1"), 0);
    CHECK_INT(rn_format_write(dir, 2, err, sizeof err), -1);
    rn_io_fault_set("");
    CHECK(strstr(err, "directory fsync") != NULL);
    slurp(dir, "FORMAT", text, sizeof text);
    CHECK_STR(text, "runnel-store 2\n");
    rmdata(dir);
}

UNIT_MAIN()
