#!/usr/bin/env bash
# Prints the directory whose `node` the project runs on, installing Node 24 LTS from the npm registry's
# `node` package into a cache directory when the system Node is older than 22 (Node 20 is end-of-life;
# the schema-registry client and testcontainers need 22+). Idempotent; a second run needs no network.
set -euo pipefail
min_major=22
want=24
cache="${STEWARD_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/steward}"
prefix="$cache/node$want"

major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ -x "$prefix/bin/node" ] && [ "$(major "$prefix/bin/node")" -ge "$min_major" ]; then
  echo "$prefix/bin"
  exit 0
fi
if command -v node >/dev/null 2>&1 && [ "$(major node)" -ge "$min_major" ]; then
  dirname "$(command -v node)"
  exit 0
fi
command -v npm >/dev/null 2>&1 || { echo "npm is needed to install Node $want: install Node.js and npm" >&2; exit 1; }
echo "installing Node $want into $prefix" >&2
mkdir -p "$prefix"
npm install --global --prefix "$prefix" --no-audit --no-fund --loglevel=error "node@$want" >&2
if [ "$(major "$prefix/bin/node")" -lt "$min_major" ]; then
  echo "Node $want did not install into $prefix" >&2
  exit 1
fi
echo "$prefix/bin"
