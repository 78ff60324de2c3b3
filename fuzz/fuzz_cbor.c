/* SPDX-License-Identifier: MIT
 * libFuzzer target for the rpc-v2-cbor codec: the input is decoded as a
 * request body; what decodes is encoded back, once untyped and once typed by
 * a description with a blob, a timestamp, a list and a map, and decoded again.
 * The first bytes are also tried as a /service/.../operation/... path. None
 * of it may crash, leak or trip the sanitizers. */
#include <stdint.h>
#include <string.h>

#include <jansson.h>

#include "aws/cbor.h"
#include "core/buf.h"
#include "core/mem.h"

static const rn_shape_t S_STR = {RN_T_STR}, S_BLOB = {RN_T_BLOB}, S_TIME = {RN_T_TIME};
static const rn_shape_t L_BLOB = {RN_T_LIST, .elem = &S_BLOB}, M_TIME = {RN_T_MAP, .elem = &S_TIME};
static const rn_member_t inner_m[] = {RN_MEMBER("Data", S_BLOB), RN_MEMBER("When", S_TIME), RN_END};
static const rn_shape_t T_INNER = {RN_T_STRUCT, inner_m};
static const rn_member_t out_m[] = {RN_MEMBER("Data", S_BLOB), RN_MEMBER("At", S_TIME), RN_MEMBER("Name", S_STR),
                                    RN_MEMBER("Blobs", L_BLOB), RN_MEMBER("Times", M_TIME),
                                    RN_MEMBER("Inner", T_INNER), RN_END};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *in = NULL;
    char msg[256];
    if (aws_cbor_decode((const char *)data, size, &in, msg, sizeof msg) == 0) {
        for (int typed = 0; typed < 2; typed++) {
            rn_buf_t b = {0};
            if (aws_cbor_encode(typed ? out_m : NULL, in, &b) == 0) {
                json_t *again = NULL;
                if (aws_cbor_decode(b.data, b.len, &again, msg, sizeof msg) == 0)
                    json_decref(again);
            }
            rn_buf_free(&b);
        }
        json_decref(in);
    }
    char svc[64], op[64], *path = rn_strndup((const char *)data, size < 200 ? size : 200);
    if (path) {
        aws_cbor_path(path, svc, sizeof svc, op, sizeof op);
        rn_free(path);
    }
    return 0;
}
