#!/usr/bin/env bash
# Installs every Debian package Tandem's build, tests and benchmarks need. Idempotent:
# packages already present are skipped, so a second run costs one dpkg query.
set -euo pipefail

PACKAGES=(
  # system libraries linked by the Swift package (see Package.swift)
  libsrtp2-dev libopus-dev libspandsp-dev libssl-dev libpcap-dev libspeexdsp-dev
  # reference implementation and its ng client, for differential and interop tests
  rtpengine-daemon rtpengine-utils
  # SIP load generator and reference proxy (proxy issue)
  sip-tester
  # real SIP proxy for the end-to-end test (its rtpengine module ships in the main package)
  kamailio
  # fuzzing runtime for `swiftc -sanitize=fuzzer` lives in the Swift toolchain; tools for tests
  python3 procps iproute2
  # real speech and resampling for the codec quality tests (CodecsTests)
  espeak-ng sox
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  # Never let a package's maintainer script start a system service (rtpengine-daemon ships one).
  if [ ! -f /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
    $SUDO chmod +x /usr/sbin/policy-rc.d
  fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "setup: all packages present" >&2

# WebRTC interop tests (issue 5, tools/tests/webrtc-interop.sh): python3-venv, chromium and a
# venv with aiortc from PyPI. Not fatal: the rest of the project does not need them.
"$(dirname "$0")/interop/webrtc/setup.sh" >/dev/null || echo "setup: WebRTC interop tools (aiortc venv, chromium) NOT installed" >&2
