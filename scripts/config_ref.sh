#!/usr/bin/env bash
# Regenerates README.md's configuration reference from the key tables
# (tern --config-reference); tests/docs/config_ref.py fails while it is stale.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f build/build.ninja ] || scripts/build.sh
ninja -C build app/tern >/dev/null
python3 tests/docs/config_ref.py build/app/tern README.md --update
