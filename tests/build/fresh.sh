#!/bin/bash
# SPDX-License-Identifier: MIT
# Checks the first build of a clean copy of the repository, as on a fresh
# machine: with the library flags forced empty, make must stop with configure's
# message naming the missing libraries (never a link failure), and with the
# flags found, `make -j2` from nothing (no build/config.mk) must build a runnel
# that starts. The copy holds the repository's files (tracked, and new files
# not ignored); deps are not installed here (make test has done that).
# Ends with "N passed, N failed".
set -u
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PASS=0; FAIL=0
ok() { PASS=$((PASS + 1)); echo "ok   $1"; }
bad() { FAIL=$((FAIL + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && tail -20 "$2" | sed 's/^/     /'; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
copy() { # dir: a clean copy of the repository's files
    mkdir -p "$1"
    if git -C "$ROOT" rev-parse --git-dir >/dev/null 2>&1; then
        (cd "$ROOT" && git ls-files -z --cached --others --exclude-standard |
            tar --null -T - -cf - 2>/dev/null) | tar -C "$1" -xf - 2>/dev/null
    else
        (cd "$ROOT" && tar --exclude=./build --exclude=node_modules -cf - .) | tar -C "$1" -xf -
    fi
    # files deleted in the work tree but still tracked are simply absent
    [ -f "$1/Makefile" ] && [ ! -e "$1/build" ]
}

export RUNNEL_SKIP_DEPS=1

# the libraries the Makefile asks pkg-config for
PKGS=$(sed -n 's/^PKGS := //p' "$ROOT/Makefile")

# 1. pkg-config finds no library: configure names them and make stops before compiling.
copy "$tmp/a" || { bad "copy the repository"; echo "$PASS passed, $FAIL failed"; exit 1; }
PKG_CONFIG_LIBDIR=/nonexistent PKG_CONFIG_PATH= make -C "$tmp/a" -j2 run >"$tmp/a.log" 2>&1
rc=$?
if [ $rc -ne 0 ] && grep -q "configure: pkg-config cannot find: $PKGS" "$tmp/a.log" &&
    ! grep -q "undefined reference" "$tmp/a.log" && [ ! -e "$tmp/a/build/config.mk" ] &&
    [ -z "$(find "$tmp/a/build" -name '*.o' 2>/dev/null)" ]; then
    ok "no library flags: make -j2 run stops with configure's message, compiles nothing"
else
    bad "no library flags: expected configure's error and no compile (exit $rc)" "$tmp/a.log"
fi

# 2. make -j2 from nothing, no goal named: configure runs first, then the
#    default goal builds a runnel that starts.
copy "$tmp/b"
make -C "$tmp/b" -j2 >"$tmp/b.log" 2>&1
rc=$?
if [ $rc -eq 0 ] && grep -q "^PKG_LIBS := .*-luv" "$tmp/b/build/config.mk" &&
    "$tmp/b/build/runnel" --help 2>&1 | grep -q "serve"; then
    ok "make -j2 (default goal) from a clean copy configures first and builds runnel"
else
    bad "make -j2 from a clean copy (exit $rc)" "$tmp/b.log"
fi

# 3. Flags emptied after configure (e.g. on the command line): a clear stop, not a link failure.
make -C "$tmp/b" PKG_LIBS= build/runnel >"$tmp/c.log" 2>&1
rc=$?
if [ $rc -ne 0 ] && grep -q "PKG_LIBS is empty" "$tmp/c.log" && ! grep -q "undefined reference" "$tmp/c.log"; then
    ok "empty PKG_LIBS stops make with a message"
else
    bad "empty PKG_LIBS (exit $rc)" "$tmp/c.log"
fi

# 4. pkg-config's flags that cannot link (a library it names is not installed): configure says so.
copy "$tmp/d"
mkdir -p "$tmp/pc"
for p in $PKGS; do
    printf 'Name: %s\nDescription: fake\nVersion: 99\nLibs: -lrunnel_no_such_lib_%s\nCflags:\n' "$p" "$p" \
        >"$tmp/pc/$p.pc"
done
PKG_CONFIG_LIBDIR="$tmp/pc" PKG_CONFIG_PATH= make -C "$tmp/d" build/runnel >"$tmp/d.log" 2>&1
rc=$?
if [ $rc -ne 0 ] && grep -q "configure: the flags from pkg-config" "$tmp/d.log" &&
    [ -z "$(find "$tmp/d/build" -name '*.o' 2>/dev/null)" ]; then
    ok "flags that do not link stop configure before compiling"
else
    bad "flags that do not link (exit $rc)" "$tmp/d.log"
fi

echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
