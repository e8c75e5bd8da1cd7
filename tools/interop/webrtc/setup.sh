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

source "$(dirname "$0")/../../lib/debian.sh"
ensure_debian_packages "webrtc setup" "${packages[@]}"

if ! "$venv/bin/python" -c 'import aiortc, pylibsrtp, aioice, av' 2>/dev/null; then
  echo "webrtc setup: creating $venv with aiortc" >&2
  mkdir -p "$(dirname "$venv")"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check 'aiortc>=1.9,<2'
fi
echo "webrtc setup: aiortc $("$venv/bin/python" -c 'import aiortc; print(aiortc.__version__)') in $venv" >&2
echo "$venv/bin/python"
