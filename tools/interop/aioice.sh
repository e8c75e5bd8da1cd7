#!/usr/bin/env bash
# Live interop: aioice (PyPI, aiortc's ICE) as the full controlling agent against our ICE-lite
# responder over UDP on this host's first non-loopback IPv4 address.
#
#   tools/interop/aioice.sh            (makes a venv with aioice under ${TMPDIR:-/tmp} if needed)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out="${TMPDIR:-/tmp}/tandem-interop"
venv="$out/venv"
mkdir -p "$out"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import aioice' 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q aioice
fi

staged="$out/src"
rm -rf "$staged" && mkdir -p "$staged"
for file in "$root"/Sources/TandemBase/*.swift "$root"/Sources/STUN/*.swift; do
    grep -Ev '^import TandemBase$' "$file" > "$staged/$(basename "$(dirname "$file")")_$(basename "$file")"
done
swiftc -O -parse-as-library -module-name Responder -I "$root/Sources/COpenSSL" \
    "$staged"/*.swift "$here/stun_responder.swift" -o "$out/stun_responder"

host=$(ip -4 -o addr show scope global | awk '{split($4, a, "/"); print a[1]; exit}')
port=$(( 40000 + RANDOM % 10000 ))
"$out/stun_responder" "$port" RlYuFrAg relaypasswordrelaypassword brws 20 > "$out/responder.log" 2>&1 &
responder=$!
sleep 0.5
status=0
"$venv/bin/python" "$here/aioice_client.py" "$host" "$port" RlYuFrAg relaypasswordrelaypassword brws || status=$?
wait "$responder" || true
cat "$out/responder.log"
grep -q "event nominated" "$out/responder.log" || { echo "no nomination seen" >&2; status=1; }
exit "$status"
