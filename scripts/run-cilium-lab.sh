#!/usr/bin/env bash
# The main job: set this machine up, deploy the Cilium article's lab and verify it.
#   sudo bash scripts/run-cilium-lab.sh [TOPOLOGY]
# Leaves the lab running; remove it with `npx lab destroy -t <topology> --cleanup`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
topo="${1:-labs/cilium-bgp/topo.yaml}"
[ -f "$topo" ] || topo=labs/cilium-bgp/routers.yaml
node bin/lab.js deploy -t "$topo"
node bin/lab.js inspect -t "$topo"
if node bin/lab.js verify --help >/dev/null 2>&1; then
  exec node bin/lab.js verify -t "$topo" --wait 120s
fi
# Until `lab verify` exists: wait for router0's BGP sessions and print the summary.
name=$(awk '/^name:/{print $2; exit}' "$topo")
for _ in $(seq 1 60); do
  n=$(docker exec "clab-$name-router0" vtysh -c 'show bgp summary json' 2>/dev/null | grep -c '"state":"Established"' || true)
  [ "${n:-0}" -ge 2 ] && break; sleep 1
done
docker exec "clab-$name-router0" vtysh -c 'show bgp ipv4 summary wide'
docker exec "clab-$name-router0" vtysh -c 'show bgp ipv4 wide'
[ "${n:-0}" -ge 2 ] || { echo "router0 has $n Established sessions, expected 2" >&2; exit 1; }
