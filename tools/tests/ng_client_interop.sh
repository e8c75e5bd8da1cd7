#!/usr/bin/env bash
# Interop check with Debian's Perl ng client (rtpengine-ng-client, package rtpengine-utils):
# drives one call through ping, offer, answer, query, delete, query (-> Unknown call-id), in
# bencode mode and again in JSON mode (--json), and checks the replies.
#
#   tools/tests/ng_client_interop.sh NGPORT [HOST]
#
# Exit status 0 when every check passed. Works against rtpengine and tandemd alike.
set -uo pipefail

NGPORT=${1:?usage: $0 NGPORT [HOST]}
HOST=${2:-127.0.0.1}
CLIENT=${NG_CLIENT:-rtpengine-ng-client}
command -v "$CLIENT" >/dev/null || { echo "interop: $CLIENT not installed (apt-get install rtpengine-utils)" >&2; exit 2; }

OUT=$(mktemp -d /tmp/ng-interop.XXXXXX)
trap 'rm -rf "$OUT"' EXIT
fails=0; checks=0

ngc() {  # ngc NAME args...   -> $OUT/NAME.out, $OUT/NAME.err, returns client status
  local name=$1; shift
  timeout 10 "$CLIENT" --proxy-address="$HOST" --proxy-port="$NGPORT" "$@" >"$OUT/$name.out" 2>"$OUT/$name.err"
}
ok()   { checks=$((checks+1)); echo "ok   $*"; }
fail() { checks=$((checks+1)); fails=$((fails+1)); echo "FAIL $*"; }
expect_rc0() { local name=$1 rc=$2; if [ "$rc" -eq 0 ]; then ok "$name: client exit 0"; else fail "$name: client exit $rc: $(head -c 300 "$OUT/$name.err")"; fi; }
expect_in()  { local name=$1 pat=$2 what=$3; if grep -qE -- "$pat" "$OUT/$name.out"; then ok "$name: $what"; else fail "$name: $what (no /$pat/ in reply)"; sed 's/^/    | /' "$OUT/$name.out" | head -40; fi; }
new_sdp()    { sed -n '/^New SDP:/,/^----->8/p' "$OUT/$1.out"; }
expect_sdp() {
  local name=$1 sdp; sdp=$(new_sdp "$name")
  if grep -q '^m=audio [1-9][0-9]* RTP/AVP 0' <<<"$sdp" && grep -q '^c=IN IP[46] ' <<<"$sdp" \
     && ! grep -q '^c=IN IP4 198.51.100.9$' <<<"$sdp" && ! grep -q '^m=audio 3456 ' <<<"$sdp"; then
    ok "$name: rewritten SDP present (c= and m= port replaced)"
  else fail "$name: no rewritten SDP"; sed 's/^/    | /' "$OUT/$name.out" | head -40; fi
}

OFFER=$'v=0\no=moo 1 2 IN IP4 198.51.100.9\ns=-\nc=IN IP4 198.51.100.9\nt=0 0\nm=audio 3456 RTP/AVP 0 101\na=rtpmap:101 telephone-event/8000\n'
ANSWER=$'v=0\no=cow 3 4 IN IP4 192.0.2.9\ns=-\nc=IN IP4 192.0.2.9\nt=0 0\nm=audio 4567 RTP/AVP 0 101\na=rtpmap:101 telephone-event/8000\n'

run_round() {  # run_round LABEL [--json]
  local L=$1; shift
  local CID="interop-$L-$$-$RANDOM" FT="ft-$L" TT="tt-$L" rc
  echo "--- round $L ($CID)"
  ngc "$L-ping" "$@" ping; rc=$?
  expect_rc0 "$L-ping" $rc; expect_in "$L-ping" "result => 'pong'" "pong"

  ngc "$L-offer" "$@" offer --call-id="$CID" --from-tag="$FT" --trust-address --replace-origin --sdp="$OFFER"; rc=$?
  expect_rc0 "$L-offer" $rc; expect_sdp "$L-offer"

  ngc "$L-answer" "$@" answer --call-id="$CID" --from-tag="$FT" --to-tag="$TT" --trust-address --replace-origin --sdp="$ANSWER"; rc=$?
  expect_rc0 "$L-answer" $rc; expect_sdp "$L-answer"

  ngc "$L-query" "$@" query --call-id="$CID"; rc=$?
  expect_rc0 "$L-query" $rc
  expect_in "$L-query" "^  tags => \{" "query has tags"
  expect_in "$L-query" "'?$FT'? => \{" "query shows from-tag $FT"
  expect_in "$L-query" "'?$TT'? => \{" "query shows to-tag $TT"
  expect_in "$L-query" "^  totals => \{" "query has totals"
  expect_in "$L-query" "'local port' => '?[1-9][0-9]*'?," "query shows local ports"

  ngc "$L-delete" "$@" delete --call-id="$CID" --from-tag="$FT"; rc=$?
  expect_rc0 "$L-delete" $rc
  if grep -qE "^  (warning|error-reason) =>|result => 'error'|Error reason" "$OUT/$L-delete.out" "$OUT/$L-delete.err"; then
    fail "$L-delete: error/warning in reply: $(cat "$OUT/$L-delete.out" "$OUT/$L-delete.err" | head -c 300)"
  else ok "$L-delete: result ok"; fi

  ngc "$L-query2" "$@" query --call-id="$CID"; rc=$?
  # NGCP::Rtpengine dies with 'Error reason: "..."' when result is error
  if [ $rc -ne 0 ] && grep -q 'Error reason: "Unknown call-id"' "$OUT/$L-query2.err"; then
    ok "$L-query-after-delete: Unknown call-id"
  else fail "$L-query-after-delete: expected Unknown call-id error, exit $rc: $(cat "$OUT/$L-query2.out" "$OUT/$L-query2.err" | head -c 300)"; fi
}

run_round bencode
run_round json --json

echo "$((checks-fails))/$checks checks passed against $HOST:$NGPORT"
[ $fails -eq 0 ]
