#!/usr/bin/env bash
# Runs the test suite with node's test runner. `unit` runs only the tests beside the code
# (no Docker, no root); the default runs everything: unit, interop (real BGP daemons in
# network namespaces) and e2e (real Docker labs).
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-all}"
npm run --silent build
files=()
case "$what" in
  unit) mapfile -t files < <(find src -name '*.test.ts' | sort) ;;
  interop) mapfile -t files < <(find test/interop -name '*.test.ts' | sort) ;;
  e2e) mapfile -t files < <(find test/e2e -name '*.test.ts' | sort) ;;
  all) mapfile -t files < <( (find src -name '*.test.ts'; find test -name '*.test.ts') | sort) ;;
  *) files=("$@") ;;  # explicit test files
esac
# e2e tests share one Docker engine and the host's links: run files one at a time.
exec node --import tsx --test --test-concurrency=1 --test-reporter=spec "${files[@]}"
