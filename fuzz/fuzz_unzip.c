/* SPDX-License-Identifier: MIT
 * Fuzz target for the deployment-package unpacker (lambda/unzip.c): the
 * input is a zip, unpacked (with a 1 MB limit) into a directory that sits
 * alone inside another; anything written next to it is an escape and
 * aborts. The directories are made once and emptied after each input. */
#include <dirent.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lambda/unzip.h"

static char outer[256], pkg[300];

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!outer[0]) {
        const char *tmp = getenv("TMPDIR");
        snprintf(outer, sizeof outer, "%s/runnel-fuzz-unzip-XXXXXX", tmp && *tmp ? tmp : "/tmp");
        if (!mkdtemp(outer))
            abort();
        snprintf(pkg, sizeof pkg, "%s/pkg", outer);
    }
    mkdir(pkg, 0755);
    uint64_t unzipped;
    char msg[256];
    lambda_unzip(data, size, pkg, 1 << 20, &unzipped, msg, sizeof msg);
    nftw(pkg, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    DIR *d = opendir(outer);
    if (!d)
        abort();
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            abort(); /* something was written outside the package */
    closedir(d);
    /* name checks: whatever the input, "..", absolute and empty names never pass */
    char name[64];
    size_t n = size < sizeof name - 1 ? size : sizeof name - 1;
    memcpy(name, data, n);
    name[n] = 0;
    if (lambda_unzip_name_ok(name)) {
        if (name[0] == '/')
            abort();
        for (char *p = name, *e; p; p = e ? e + 1 : NULL) {
            e = strchr(p, '/');
            size_t l = e ? (size_t)(e - p) : strlen(p);
            if ((l == 2 && !memcmp(p, "..", 2)) || (l == 1 && *p == '.'))
                abort();
        }
    }
    return 0;
}
