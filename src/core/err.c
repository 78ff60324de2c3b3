/* SPDX-License-Identifier: MIT
 * Error rows: the shared table and a registry of the services' tables. The
 * loop registers tables at start and reads them per error; nothing frees
 * them (they are static). */
#include "core/err.h"

static const rn_err_info_t shared_rows[] = {RN_ERR_TABLE(RN_ERR_ROW)};
static const rn_err_table_t shared = {RN_ERR_FIRST_ + 1, sizeof shared_rows / sizeof shared_rows[0], shared_rows};

#define MAX_TABLES 32
static const rn_err_table_t *tables[MAX_TABLES] = {&shared};
static int ntables = 1;

int rn_err_register(const rn_err_table_t *t)
{
    for (int i = 0; i < ntables; i++)
        if (tables[i] == t)
            return 0;
    if (ntables == MAX_TABLES)
        return -1;
    for (int i = 0; i < ntables; i++) /* two services in one range would answer each other's errors */
        if (t->first < tables[i]->first + (int)tables[i]->n && tables[i]->first < t->first + (int)t->n)
            return -1;
    tables[ntables++] = t;
    return 0;
}

int rn_err_auth(const rn_auth_rows_t *rows, int err)
{
    int r = 0;
    if (rows) {
        switch (err) {
        case RN_ERR_SIGNATURE_MISMATCH:
            r = rows->mismatch;
            break;
        case RN_ERR_REQUEST_EXPIRED:
            r = rows->expired;
            break;
        case RN_ERR_INVALID_CLIENT_TOKEN:
            r = rows->unknown_key;
            break;
        case RN_ERR_INCOMPLETE_SIGNATURE:
            r = rows->incomplete;
            break;
        case RN_ERR_MISSING_AUTH:
            r = rows->missing;
            break;
        }
    }
    return r ? r : err;
}

const rn_err_info_t *rn_err_info(int err)
{
    for (int i = 0; i < ntables; i++) {
        const rn_err_table_t *t = tables[i];
        if (err >= t->first && err < t->first + (int)t->n)
            return &t->rows[err - t->first];
    }
    return &shared_rows[RN_ERR_INTERNAL - RN_ERR_FIRST_ - 1];
}
