#!/usr/bin/env bash
# Builds the kindlab base root filesystem from Debian packages and writes it as a tarball.
#   scripts/build-rootfs.sh PACKAGES_FILE OUT_TARBALL
# Uses debootstrap (installed when missing). The mirror is taken from KINDLAB_DEBIAN_MIRROR or
# from this machine's own apt sources, so the image comes from the same place as the host's packages.
set -euo pipefail
pkgfile="$1"; out="$2"
suite="${KINDLAB_DEBIAN_SUITE:-bookworm}"
sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"

if ! command -v debootstrap >/dev/null 2>&1; then
  $sudo apt-get update -q && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap
fi

mirror="${KINDLAB_DEBIAN_MIRROR:-}"
if [ -z "$mirror" ]; then
  # First Debian main archive URI of the host's apt configuration (deb822 or one-line format).
  mirror=$( (grep -h '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}';
             grep -h '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | awk '{print $2}') \
           | grep -v -e security -e nodesource -e google | grep debian | head -n1 || true)
fi
[ -n "$mirror" ] || { echo "no Debian mirror found in /etc/apt: set KINDLAB_DEBIAN_MIRROR" >&2; exit 2; }

pkgs=$(grep -v '^\s*#' "$pkgfile" | grep -v '^\s*$' | paste -sd, -)
work=$(mktemp -d /var/tmp/kindlab-rootfs.XXXXXX)
cleanup() { $sudo rm -rf "$work"; }
trap cleanup EXIT
cache=/var/cache/kindlab/debootstrap
$sudo mkdir -p "$cache"

echo "debootstrap $suite from $mirror ($(echo "$pkgs" | tr ',' '\n' | wc -l) packages)" >&2
$sudo debootstrap --variant=minbase --cache-dir="$cache" --include="$pkgs" "$suite" "$work/root" "$mirror" >&2

# Slim down: no package lists, docs or man pages; policy-rc.d so package scripts never start services.
$sudo sh -c "rm -rf '$work/root/var/lib/apt/lists/'* '$work/root/var/cache/apt/'*.bin '$work/root/usr/share/doc' \
  '$work/root/usr/share/man' '$work/root/usr/share/info' '$work/root/var/log/'*.log"
printf '#!/bin/sh\nexit 101\n' | $sudo tee "$work/root/usr/sbin/policy-rc.d" >/dev/null
$sudo chmod +x "$work/root/usr/sbin/policy-rc.d"
# nginx must not daemonize when run as a pod workload; the node daemon starts it explicitly.
$sudo tar -C "$work/root" --numeric-owner -cf "$out.tmp" .
$sudo mv "$out.tmp" "$out"
echo "$out" >&2
