#!/usr/bin/env bash
# Installs what the WebRTC interop tests need, idempotently, on a clean Debian 12 machine:
#  - Debian packages: python3 + venv (for aiortc), rtpengine-daemon (the reference), chromium
#    (the headless browser test);
#  - a Python venv with aiortc from PyPI (binary wheels: av/PyAV bundles its FFmpeg, pylibsrtp
#    bundles libsrtp2, cryptography/pyOpenSSL bundle OpenSSL, so no build dependencies).
# Prints the venv's python path on stdout as its last line.
#
#   tools/interop/webrtc/setup.sh [--no-chromium]
# Environment: WEBRTC_VENV (default ${XDG_CACHE_HOME:-$HOME/.cache}/tandem/webrtc-venv)
set -euo pipefail
venv=${WEBRTC_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/tandem/webrtc-venv}
packages=(python3 python3-venv rtpengine-daemon)
[ "${1:-}" = "--no-chromium" ] || packages+=(chromium)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "webrtc setup: installing ${missing[*]}" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  # never let a maintainer script start a system service (rtpengine-daemon ships one)
  if [ ! -f /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
    $SUDO chmod +x /usr/sbin/policy-rc.d
  fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! "$venv/bin/python" -c 'import aiortc, pylibsrtp, aioice, av' 2>/dev/null; then
  echo "webrtc setup: creating $venv with aiortc" >&2
  mkdir -p "$(dirname "$venv")"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check 'aiortc>=1.9,<2'
fi
echo "webrtc setup: aiortc $("$venv/bin/python" -c 'import aiortc; print(aiortc.__version__)') in $venv" >&2
echo "$venv/bin/python"
