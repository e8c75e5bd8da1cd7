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

source "$(dirname "$0")/lib/debian.sh"
ensure_debian_packages setup "${PACKAGES[@]}"
echo "setup: all packages present" >&2

# WebRTC interop tests (issue 5, tools/tests/webrtc-interop.sh): python3-venv, chromium and a
# venv with aiortc from PyPI. Not fatal: the rest of the project does not need them.
"$(dirname "$0")/interop/webrtc/setup.sh" >/dev/null || echo "setup: WebRTC interop tools (aiortc venv, chromium) NOT installed" >&2
