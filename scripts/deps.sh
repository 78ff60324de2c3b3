#!/bin/sh
# SPDX-License-Identifier: MIT
# Installs the Debian packages Runnel needs to build, run and test. Idempotent:
# it only calls apt-get when a package is missing. Needs root or sudo.
set -e
PKGS="build-essential pkg-config libuv1-dev libhttp-parser-dev libjansson-dev libsqlite3-dev libssl-dev libcbor-dev libzip-dev zlib1g-dev libyaml-dev
python3 python3-boto3 python3-prometheus-client awscli nodejs npm clang libclang-rt-14-dev wrk hyperfine curl"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
# awscli/nodejs/npm may come from elsewhere on a developer machine: accept them on PATH.
case "$missing" in *awscli*) command -v aws >/dev/null 2>&1 && missing=$(echo "$missing" | sed 's/ awscli//');; esac
case "$missing" in *nodejs*) command -v node >/dev/null 2>&1 && missing=$(echo "$missing" | sed 's/ nodejs//');; esac
case "$missing" in *npm*) command -v npm >/dev/null 2>&1 && missing=$(echo "$missing" | sed 's/ npm//');; esac
[ -z "$missing" ] && exit 0
echo "deps: installing$missing"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing
