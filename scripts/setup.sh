#!/usr/bin/env bash
# Sets up a fresh Debian/Ubuntu machine (Node 20; as root, or through sudo when not root) for kindlab:
#   - host packages: docker.io (when Docker is absent), iproute2, iptables, debootstrap, tcpdump, and the
#     real BGP daemons the interop tests peer with (frr, bird2, gobgpd), chromium for graphs
#   - starts dockerd when it is not running (no systemd needed)
#   - npm dependencies, the TypeScript build, and the lab images (cached by content hash)
# Safe to run again: every step checks first.
set -euo pipefail
cd "$(dirname "$0")/.."
sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
say() { printf '==> %s\n' "$*" >&2; }

need=()
command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v iptables >/dev/null 2>&1 || need+=(iptables)
command -v debootstrap >/dev/null 2>&1 || need+=(debootstrap)
# lab capture runs the host's tcpdump inside a node's netns (node images need none)
command -v tcpdump >/dev/null 2>&1 || need+=(tcpdump)
if [ "${KINDLAB_SETUP_TEST_DEPS:-0}" = 1 ]; then
  [ -x /usr/lib/frr/bgpd ] || need+=(frr)
  command -v bird >/dev/null 2>&1 || need+=(bird2)
  command -v gobgpd >/dev/null 2>&1 || need+=(gobgpd)
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  # the image pull test runs a local registry and builds a tiny image from busybox-static
  [ -x /usr/bin/docker-registry ] || need+=(docker-registry)
  [ -x /bin/busybox ] || need+=(busybox-static)
  # the multi-engine test reaches an engine over ssh:// (sshd in the engine's namespace; ssh runs dial-stdio there)
  command -v ssh >/dev/null 2>&1 || need+=(openssh-client)
  [ -x /usr/sbin/sshd ] || need+=(openssh-server)
fi
if [ ${#need[@]} -gt 0 ]; then
  say "installing ${need[*]}"
  $sudo apt-get update -q
  # Package scripts must not try to start services on a machine without an init system.
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}" >&2
fi

if ! $sudo docker info >/dev/null 2>&1; then
  say "starting dockerd"
  $sudo mkdir -p /var/log
  # shellcheck disable=SC2024
  $sudo sh -c 'nohup dockerd >/var/log/kindlab-dockerd.log 2>&1 &'
  for _ in $(seq 1 60); do $sudo docker info >/dev/null 2>&1 && break; sleep 0.5; done
  $sudo docker info >/dev/null 2>&1 || { echo "dockerd did not start; see /var/log/kindlab-dockerd.log" >&2; tail -20 /var/log/kindlab-dockerd.log >&2; exit 1; }
fi
# kubectl is not a Debian bookworm package: the labs' `stages:` and the kubectl tests use the one on PATH.
command -v kubectl >/dev/null 2>&1 || say "note: kubectl not found; lab stages that run kubectl lines and the kubectl tests need it"
# Lab links are veth pairs and bridges; make sure the kernel modules are there when loadable.
for m in veth bridge; do $sudo modprobe "$m" 2>/dev/null || true; done

# mermaid-cli renders with Debian's chromium; puppeteer must not try to download a browser.
export PUPPETEER_SKIP_DOWNLOAD=1 PUPPETEER_EXECUTABLE_PATH="${PUPPETEER_EXECUTABLE_PATH:-/usr/bin/chromium}"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm packages"
  npm ci --no-audit --no-fund >&2
fi
say "building"
npm run --silent build >&2
say "lab images"
node bin/lab.js images build >&2
