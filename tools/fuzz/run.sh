#!/usr/bin/env bash
# Builds and runs a libFuzzer harness for a bounded time.
#
#   tools/fuzz/run.sh TARGET [SECONDS] [extra libFuzzer args...]
#
# TARGET selects the sources compiled together with tools/fuzz/fuzz_TARGET.swift into one
# module (add a case below for a new target). The working corpus is tools/fuzz/corpus-TARGET/
# (git-ignored), seeded from tools/fuzz/seeds/TARGET/; binaries and crash artifacts go to
# tools/fuzz/out/TARGET/. Exit status is libFuzzer's: non-zero when it found a crash.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
target=${1:-}
seconds=${2:-30}
shift $(( $# >= 2 ? 2 : $# ))
extra_flags=()

case "$target" in
    bencode)
        sources=("$root"/Sources/Bencode/*.swift)
        max_len=4096
        ;;
    ng)
        sources=("$root"/Sources/TandemBase/*.swift "$root"/Sources/Bencode/*.swift "$root"/Sources/NGProtocol/*.swift)
        strip_imports="Bencode|TandemBase"
        max_len=8192
        ;;
    sdp)
        mapfile -t sources < <(find "$root/Sources/SDP" -name '*.swift' | sort)
        max_len=4096
        ;;
    sip)
        mapfile -t sources < <(find "$root/Sources/SIP" -name '*.swift' | sort)
        sources=("$root"/Sources/TandemBase/*.swift "${sources[@]}")
        strip_imports="TandemBase"
        max_len=8192
        ;;
    stun)
        sources=("$root"/Sources/TandemBase/*.swift "$root"/Sources/STUN/*.swift)
        strip_imports="TandemBase"
        # `import COpenSSL` stays: its module map (links libssl/libcrypto) is found via -I.
        extra_flags=(-I "$root/Sources/COpenSSL")
        max_len=2048
        ;;
    rtp)
        sources=("$root"/Sources/RTP/*.swift)
        max_len=1500
        ;;
    codecs)
        sources=("$root"/Sources/Codecs/*.swift)
        # The C libraries stay imported: their module maps (link lines: opus, spandsp, speexdsp)
        # are found via -I.
        extra_flags=(-I "$root/Sources/COpus" -I "$root/Sources/CSpanDSP" -I "$root/Sources/CSpeexDSP")
        max_len=4096
        ;;
    sdes)
        # SDP's attribute parsers and Base64, the call model's SDES line (SDESCrypto, with the
        # SRTPParameters it produces, and the SRTPSuite table its suite lengths come from) and
        # the DTLS a=fingerprint / a=setup values it reads.
        mapfile -t sources < <(find "$root/Sources/SDP" -name '*.swift' | sort)
        sources+=("$root/Sources/CallModel/Security/SDESCrypto.swift" "$root/Sources/CallModel/SRTPParameters.swift"
                  "$root/Sources/Crypto/SRTP/SRTPSuite.swift"
                  "$root/Sources/Crypto/DTLS/DTLSFingerprint.swift" "$root/Sources/Crypto/DTLS/DTLSSetup.swift")
        strip_imports="Crypto|SDP"
        extra_flags=(-I "$root/Sources/COpenSSL")
        max_len=2048
        ;;
    *)
        echo "usage: $0 TARGET [SECONDS]   (targets: bencode, sdp, ng, sip, stun, rtp, codecs, sdes)" >&2
        exit 2
        ;;
esac

out="$here/out/$target"
corpus="$here/corpus-$target"
mkdir -p "$out" "$corpus"
if [ -d "$here/seeds/$target" ]; then
    cp -n "$here/seeds/$target"/* "$corpus"/ 2>/dev/null || true
fi

# Several library modules compiled as one: drop their imports of each other.
if [ -n "${strip_imports:-}" ]; then
    staged="$out/src"
    rm -rf "$staged" && mkdir -p "$staged"
    for file in "${sources[@]}"; do
        name="$(basename "$(dirname "$file")")_$(basename "$file")"
        grep -Ev "^import ($strip_imports)\$" "$file" > "$staged/$name"
    done
    sources=("$staged"/*.swift)
fi

binary="$out/fuzz_$target"
echo "building $binary" >&2
swiftc -O -g -sanitize=fuzzer,address -parse-as-library \
    -module-name "Fuzz_$target" "${extra_flags[@]}" \
    "${sources[@]}" "$here/fuzz_$target.swift" \
    -o "$binary"

dict_args=()
if [ -f "$here/dicts/$target.dict" ]; then
    dict_args=(-dict="$here/dicts/$target.dict")
fi

# The Swift runtime's backtracer is slow and can stall on a crash; libFuzzer reports enough.
export SWIFT_BACKTRACE=enable=no
echo "fuzzing $target for ${seconds}s" >&2
exec "$binary" "$corpus" \
    -max_total_time="$seconds" \
    -max_len="$max_len" \
    -artifact_prefix="$out/" \
    -print_final_stats=1 \
    "${dict_args[@]}" "$@"
