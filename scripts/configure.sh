#!/bin/sh
# SPDX-License-Identifier: MIT
# Writes build/config.mk, the compiler and linker flags of the libraries Runnel
# builds with. The Makefile includes that file and remakes it with this script
# before it builds anything, so the flags are read after scripts/deps.sh has
# installed the packages (on a fresh machine, pkg-config and the -dev packages
# do not exist when make starts). A library pkg-config cannot find, or flags
# that do not link a program calling each library, stop the build here with a
# message naming the library, instead of a link failure later.
# Usage: scripts/configure.sh OUT PKG...   (RUNNEL_SKIP_DEPS=1: do not install)
set -e
out=$1; shift
pkgs="$*"
cd "$(dirname "$0")/.."

fail() {
    echo "configure: $*" >&2
    echo "configure: install the packages with scripts/deps.sh (needs root or sudo), then run make again" >&2
    exit 1
}

[ "${RUNNEL_SKIP_DEPS:-0}" = 1 ] || scripts/deps.sh

command -v pkg-config >/dev/null 2>&1 || fail "pkg-config is not installed (Debian package pkg-config)"
missing=""
for p in $pkgs; do
    pkg-config --exists "$p" 2>/dev/null || missing="$missing $p"
done
[ -z "$missing" ] || fail "pkg-config cannot find:$missing (PKG_CONFIG_PATH=${PKG_CONFIG_PATH:-}, PKG_CONFIG_LIBDIR=${PKG_CONFIG_LIBDIR:-default})"
cflags=$(pkg-config --cflags $pkgs)
libs="$(pkg-config --libs $pkgs) -lhttp_parser -lpthread -lm"

# Prove the flags link a program that calls into every library.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/probe.c" <<'EOF'
#include <cbor.h>
#include <http_parser.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <sqlite3.h>
#include <uv.h>
#include <zip.h>
int main(void) {
    http_parser p;
    http_parser_init(&p, HTTP_REQUEST);
    cbor_item_t *c = cbor_new_null();
    cbor_decref(&c);
    json_decref(json_object());
    zip_error_t ze;
    zip_error_init(&ze);
    zip_error_fini(&ze);
    EVP_MD_CTX_free(EVP_MD_CTX_new());
    return sqlite3_libversion_number() > 0 && uv_version() > 0 ? 0 : 1;
}
EOF
${CC:-cc} $cflags -o "$tmp/probe" "$tmp/probe.c" $libs >"$tmp/probe.log" 2>&1 ||
    { cat "$tmp/probe.log" >&2; fail "the flags from pkg-config ($cflags $libs) do not build a program using libuv, http_parser, jansson, sqlite3, libcrypto, libcbor and libzip"; }

mkdir -p "$(dirname "$out")"
{
    echo "# Written by scripts/configure.sh; make remakes it when the packages change."
    echo "PKG_CFLAGS := $cflags"
    echo "PKG_LIBS := $libs"
} >"$out.tmp"
mv "$out.tmp" "$out"
echo "configure: $out written"
