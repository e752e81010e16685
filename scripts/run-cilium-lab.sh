#!/usr/bin/env bash
# The main job: set this machine up, deploy the Cilium article's lab and prove it works.
#   bash scripts/run-cilium-lab.sh [TOPOLOGY] [-- extra lab verify args, e.g. --format junit -o verify.xml]
# `lab deploy` starts lab-agent (Cilium dialect) on the four nodes; `lab verify --wait 120s` then
# checks the article's evidence (labs/cilium-bgp/topo.yaml verify:) and exits non-zero if any fails.
# Leaves the lab running; remove it with `npx lab destroy -t <topology> --cleanup`.
set -euo pipefail
cd "$(dirname "$0")/.."
topo=labs/cilium-bgp/topo.yaml
if [ $# -gt 0 ] && [ "$1" != "--" ]; then topo="$1"; shift; fi
[ "${1:-}" = "--" ] && shift
bash scripts/setup.sh
node bin/lab.js deploy -t "$topo"
node bin/lab.js inspect -t "$topo"
exec node bin/lab.js verify -t "$topo" --wait 120s "$@"
