#!/usr/bin/env bash
# Installs what tern needs to build, test, benchmark and demo, from Debian
# packages only. Idempotent: does nothing when everything is present.
set -euo pipefail

pkgs=(
  # build
  build-essential meson ninja-build pkg-config
  # scripts/fuzz.sh: libFuzzer and the sanitizers come with clang; llvm for llvm-cov/-profdata
  clang llvm
  dpdk libdpdk-dev libnuma-dev libjemalloc-dev libcmocka-dev libpcap-dev
  # real peers and tools used by tests, demo and benchmarks
  iproute2 iputils-ping arping curl netcat-openbsd apache2-utils wrk
  hping3 python3-scapy nftables tcpdump ethtool iperf3 procps
  gnuplot-nox jq
  # the proxy's backends and its comparison: real servers, run only inside
  # the tests' namespaces (their packages' own services are not started)
  nginx haproxy socat xxd
  # the control plane's checks
  prometheus tshark
  # dpdk-telemetry.py (DPDK's own telemetry client, checked against tern)
  dpdk-dev
)

missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "deps.sh: missing packages (${missing[*]}); run as root to install them" >&2
  exit 1
fi

echo "deps.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# Servers are installed for tests that start them in namespaces of their
# own: their packages must not start system-wide services on this machine.
policy=/usr/sbin/policy-rc.d
made_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && made_policy=1
fi
trap '[ "$made_policy" = 1 ] && rm -f "$policy"' EXIT
# iperf3 asks whether to start a daemon; answer no.
echo 'iperf3 iperf3/start_daemon boolean false' | debconf-set-selections 2>/dev/null || true
apt-get update -qq >/dev/null || { echo "deps.sh: apt-get update failed" >&2; exit 1; }
if ! apt-get install -y -qq --no-install-recommends "${missing[@]}" >/tmp/tern-deps.log 2>&1; then
  echo "deps.sh: apt-get install failed; see /tmp/tern-deps.log" >&2
  for p in "${missing[@]}"; do
    apt-cache policy "$p" 2>/dev/null | grep -q 'Candidate: (none)' && echo "deps.sh: package not available: $p" >&2
  done
  tail -20 /tmp/tern-deps.log >&2
  exit 1
fi
for p in "${missing[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' \
    || { echo "deps.sh: package failed to install: $p" >&2; exit 1; }
done
