#!/usr/bin/env bash
# Builds tern: build/ (release, jemalloc) and, with --sanitize, build-san/
# (AddressSanitizer + UndefinedBehaviorSanitizer, system allocator).
# Warnings are errors in both.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh

setup() { # dir, meson options...
  local dir=$1; shift
  if [ ! -f "$dir/build.ninja" ]; then
    meson setup "$dir" --werror "$@" >/dev/null
  fi
  ninja -C "$dir" >/dev/null || { ninja -C "$dir"; exit 1; }
}

setup build --buildtype=release
if [ "${1:-}" = "--sanitize" ]; then
  setup build-san --buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false \
    -Djemalloc=false
fi
