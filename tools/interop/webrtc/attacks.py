"""Attacks on a call through the media daemon (issue 5); each must be dropped, the call must
stay up and good packets must still be relayed.

  1. DTLS with a wrong fingerprint: aiortc offers (call A of webrtc_calls.py) but the SDP the
     daemon gets carries a tampered a=fingerprint -> no media either way; `query` still finds
     the call.
  2. SRTP: an SDES caller built on libsrtp2 (pylibsrtp, an independent implementation) sends
     good SRTP, then packets with a corrupted auth tag, then replays of earlier packets, then
     good SRTP again -> the plain callee gets exactly the good packets, intact, once each; the
     drops are counted (stream `errors` in `query`, or a `statistics` counter) where visible.
     The other way the caller must unprotect what the daemon encrypted.
  3. STUN: on an ICE leg, a binding request whose MESSAGE-INTEGRITY uses a wrong key gets no
     success response; the same request with the right key does (control); media still flows.

  attacks.py [--daemon rtpengine|tandemd] [--ng 127.0.0.1:PORT] [--ports MIN-MAX] [--external]
             [--only dtls,srtp,stun]"""
from __future__ import annotations

import argparse
import asyncio
import base64
import os
import socket
import sys
import time

from aioice import stun
from pylibsrtp import Policy, Session

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from interop import (LOOPBACK, Check, PlainRTPEndpoint, add_daemon_args, daemon_from_args, ng,  # noqa: E402
                     rtp_packet, rtp_parse, sdp_attr, sdp_media_address)
import webrtc_calls  # noqa: E402


# ---------------------------------------------------------------- counters

def flatten(obj, prefix: str = "") -> dict[str, int]:
    out: dict[str, int] = {}
    if isinstance(obj, dict):
        for k, v in obj.items():
            out.update(flatten(v, f"{prefix}.{k}" if prefix else str(k)))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            out.update(flatten(v, f"{prefix}[{i}]"))
    elif isinstance(obj, int) and not isinstance(obj, bool):
        out[prefix] = obj
    return out


def counters(daemon) -> dict[str, int]:
    try:
        return flatten(ng(daemon, {"command": "statistics"}, "statistics").get("statistics", {}))
    except Exception:
        return {}


ERROR_WORDS = ("error", "drop", "fail", "auth", "stun", "replay", "srtp", "integrity")


def error_counter_changes(before: dict, after: dict) -> dict[str, int]:
    """Counters with an error-like name that went up."""
    return {k: after[k] - before.get(k, 0) for k in after
            if after[k] > before.get(k, 0) and any(w in k.lower() for w in ERROR_WORDS)}


def stream_errors(query: dict, tag: str) -> int | None:
    """Sum of `errors` over the streams of `tag` in an rtpengine-style query reply."""
    t = query.get("tags", {}).get(tag)
    if not isinstance(t, dict):
        return None
    total, seen = 0, False
    for media in t.get("medias", []):
        for stream in media.get("streams", []):
            stats = stream.get("stats", {})
            if "errors" in stats:
                total += stats["errors"]
                seen = True
    return total if seen else None


# ---------------------------------------------------------------- 1. DTLS fingerprint

def attack_dtls(daemon, check: Check, args) -> None:
    """Both directions of call set-up: the fingerprint the daemon learns from aiortc's offer
    (call A) or answer (call B) is not the one of aiortc's certificate."""
    lo, hi = (int(x) for x in args.ice_ports.split("-"))
    for which in ("offer", "answer"):
        label = f"DTLS wrong fingerprint in aiortc's {which}"
        plain = PlainRTPEndpoint(args.plain_port, tone_hz=1000)
        try:
            if which == "offer":
                call = webrtc_calls.call_a(daemon, plain, range(lo, hi + 1), 440, 1.0, tamper=True, log=lambda *_: None)
            else:
                call = webrtc_calls.call_b(daemon, plain, range(lo, hi + 1), 440, 1.0, tamper=True, log=lambda *_: None)
            r = asyncio.run(asyncio.wait_for(call, 30))
        except Exception as e:
            plain.stop()
            check(f"{label}: call set up", False, f"{type(e).__name__}: {e}")
            continue
        check(f"{label}: no media from the WebRTC side reaches the plain side",
              r["plain_received_any"] == 0, f"{r['plain_received_any']} packets at the plain side")
        check(f"{label}: no media from the plain side reaches the WebRTC side",
              r["webrtc_frames"] == 0, f"{r['webrtc_frames']} frames decoded by aiortc, ICE {r['ice_state']}, "
                                       f"connection {r['pc_state']}")
        q = r.get("query", {})
        check(f"{label}: the call stays up (query finds it)", q.get("result") == "ok",
              f"query: {q.get('result')} {q.get('error-reason', '')}")
        try:
            ng(daemon, {"command": "delete", "call-id": r["call_id"]}, "delete")
        except Exception:
            pass


# ---------------------------------------------------------------- 2. SRTP auth tag and replay

# suite -> (libsrtp2 profile, master key + salt length)
SUITES = {"AES_CM_128_HMAC_SHA1_80": (Policy.SRTP_PROFILE_AES128_CM_SHA1_80, 30),
          "AEAD_AES_128_GCM": (Policy.SRTP_PROFILE_AEAD_AES_128_GCM, 28)}


def srtp_session(suite: str, key_salt: bytes, inbound: bool) -> Session:
    return Session(Policy(key=key_salt, ssrc_type=Policy.SSRC_ANY_INBOUND if inbound else Policy.SSRC_ANY_OUTBOUND,
                          srtp_profile=SUITES[suite][0]))


def recv_all(sock: socket.socket, quiet: float = 0.3, limit: float = 3.0) -> list[bytes]:
    out, deadline = [], time.monotonic() + limit
    sock.settimeout(quiet)
    while time.monotonic() < deadline:
        try:
            out.append(sock.recv(4096))
        except socket.timeout:
            break
    return out


def attack_srtp(daemon, check: Check, args) -> None:
    for suite in SUITES:
        attack_srtp_suite(daemon, check, args, suite)


def attack_srtp_suite(daemon, check: Check, args, suite: str) -> None:
    call = f"attack-srtp-{os.getpid()}-{time.monotonic_ns()}"
    cport, pport = args.plain_port + 10, args.plain_port + 12
    caller = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    caller.bind((LOOPBACK, cport))
    callee = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    callee.bind((LOOPBACK, pport))
    extra = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(2)]
    extra[0].bind((LOOPBACK, cport + 1))
    extra[1].bind((LOOPBACK, pport + 1))
    try:
        key = os.urandom(SUITES[suite][1])
        offer = ("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=srtp\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                 f"m=audio {cport} RTP/SAVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
                 f"a=crypto:1 {suite} inline:{base64.b64encode(key).decode()}\r\na=sendrecv\r\n")
        to_callee = ng(daemon, {"command": "offer", "call-id": call, "from-tag": "srtp", "sdp": offer,
                                "flags": ["trust-address"], "transport-protocol": "RTP/AVP"}, "offer")["sdp"]
        answer = ("v=0\r\no=- 2 1 IN IP4 127.0.0.1\r\ns=plain\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                  f"m=audio {pport} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n")
        to_caller = ng(daemon, {"command": "answer", "call-id": call, "from-tag": "srtp", "to-tag": "plain",
                                "sdp": answer, "flags": ["trust-address"]}, "answer")["sdp"]
        cryptos = [c.split() for c in sdp_attr(to_caller, "crypto")]
        ok = (" RTP/SAVP " in to_caller and len(cryptos) == 1 and cryptos[0][1] == suite
              and " RTP/AVP " in to_callee and "a=crypto" not in to_callee)
        check(f"SRTP {suite}: SDES offer answered with {suite}, plain RTP to the callee", ok,
              f"answer crypto {[c[1] for c in cryptos]}")
        if not ok:
            return
        inline = cryptos[0][2].split("inline:")[1].split("|")[0]
        their_key = base64.b64decode(inline + "=" * (-len(inline) % 4))  # rtpengine omits the padding
        tx, rx = srtp_session(suite, key, inbound=False), srtp_session(suite, their_key, inbound=True)
        daemon_for_caller, daemon_for_callee = sdp_media_address(to_caller), sdp_media_address(to_callee)
        # the callee speaks first so that its side is latched; its packets reach the caller as SRTP
        ssrc, seq0, ts0 = 0x5EC0DE01, 1000, 50000
        plain_sent = []
        for i in range(20):
            pkt = rtp_packet(0, 7000 + i, 9000 + 160 * i, 0xCA11EE01, os.urandom(160))
            plain_sent.append(pkt)
            callee.sendto(pkt, daemon_for_callee)
            time.sleep(0.005)
        good = [rtp_packet(0, seq0 + i, ts0 + 160 * i, ssrc, os.urandom(160)) for i in range(50)]
        protected = [tx.protect(p) for p in good]
        before = counters(daemon)

        def send(pkts):
            for p in pkts:
                caller.sendto(p, daemon_for_caller)
                time.sleep(0.005)
        send(protected[:20])                                                   # good
        bad_tag = [p[:-1] + bytes([p[-1] ^ 0x01]) for p in protected[20:30]]   # corrupted auth tag
        send(bad_tag)
        send(protected[:10])                                                   # replays
        send(protected[30:50])                                                 # good again
        got = recv_all(callee)
        to_caller_pkts = recv_all(caller, limit=1.0)
        after = counters(daemon)
        parsed = [p for p in (rtp_parse(p) for p in got) if p]
        seqs = [p[1] for p in parsed]
        by_seq = {seq0 + i: good[i] for i in range(50)}
        good_seqs = list(range(seq0, seq0 + 20)) + list(range(seq0 + 30, seq0 + 50))
        intact = all(p[1] in by_seq and p[4] == rtp_parse(by_seq[p[1]])[4] for p in parsed)
        relayed_bad = sum(1 for s in seqs if seq0 + 20 <= s < seq0 + 30)
        relayed_replays = len(seqs) - len(set(seqs))
        check(f"SRTP {suite}: packets with a corrupted auth tag are dropped", relayed_bad == 0,
              f"{relayed_bad}/10 relayed")
        replay_ok = relayed_replays == 0
        detail = f"{relayed_replays}/10 replays relayed"
        if daemon.kind == "rtpengine":
            check.known(f"SRTP {suite}: replayed packets are dropped", replay_ok, detail,
                        "rtpengine 10.5 keeps no SRTP replay window and relays replays")
        else:
            check(f"SRTP {suite}: replayed packets are dropped", replay_ok, detail)
        check(f"SRTP {suite}: the 40 good packets all arrive, payloads intact (incl. the 20 after the attack)",
              sorted(set(seqs)) == good_seqs and intact, f"{len(set(seqs) & set(good_seqs))}/40 good, "
              f"{'intact' if intact else 'payload mismatch'}")
        decrypted = []
        for p in to_caller_pkts:
            try:
                decrypted.append(rx.unprotect(p))
            except Exception:
                pass
        check(f"SRTP {suite}: the caller (libsrtp2) unprotects the daemon's SRTP: callee payloads intact",
              [rtp_parse(p)[4] for p in decrypted] == [rtp_parse(p)[4] for p in plain_sent],
              f"{len(to_caller_pkts)} received, {len(decrypted)} authenticated and decrypted")
        q = ng(daemon, {"command": "query", "call-id": call}, "query")
        errors = stream_errors(q, "srtp")
        changed = error_counter_changes(before, after)
        dropped = (10 - relayed_bad) + (10 - relayed_replays)
        visible = (errors is not None and errors >= dropped) or any(v >= dropped for v in changed.values())
        check(f"SRTP {suite}: the {dropped} dropped packets are counted (query stream errors or statistics)", visible,
              f"query errors on the SRTP leg: {errors}; statistics changes: {changed or 'none'}")
        check(f"SRTP {suite}: the call stays up (query ok)", q.get("result") == "ok")
    except Exception as e:
        check("SRTP attack", False, f"{type(e).__name__}: {e}")
    finally:
        try:
            ng(daemon, {"command": "delete", "call-id": call}, "delete")
        except Exception:
            pass
        for s in (caller, callee, *extra):
            s.close()


# ---------------------------------------------------------------- 3. STUN MESSAGE-INTEGRITY

def binding_request(username: str, key: bytes, controlling: bool) -> stun.Message:
    m = stun.Message(message_method=stun.Method.BINDING, message_class=stun.Class.REQUEST)
    m.attributes["USERNAME"] = username
    m.attributes["PRIORITY"] = 1853824767
    if controlling:
        m.attributes["ICE-CONTROLLING"] = int.from_bytes(os.urandom(8), "big")
        m.attributes["USE-CANDIDATE"] = None
    else:
        m.attributes["ICE-CONTROLLED"] = int.from_bytes(os.urandom(8), "big")
    m.add_message_integrity(key)
    return m


def responses_to(sock: socket.socket, txid: bytes, wait: float) -> list[stun.Message]:
    """STUN responses for our transaction (the daemon's own checks to us are skipped)."""
    out, deadline = [], time.monotonic() + wait
    while time.monotonic() < deadline:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            data = sock.recv(4096)
        except socket.timeout:
            break
        try:
            m = stun.parse_message(data)
        except Exception:
            continue
        if m.transaction_id == txid:
            out.append(m)
    return out


def attack_stun(daemon, check: Check, args) -> None:
    call = f"attack-stun-{os.getpid()}-{time.monotonic_ns()}"
    cport, pport = args.plain_port + 20, args.plain_port + 22
    caller = PlainRTPEndpoint(cport, tone_hz=1000)
    peer = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    peer.bind((LOOPBACK, pport))
    rtcp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    rtcp.bind((LOOPBACK, pport + 1))
    try:
        to_ice = ng(daemon, {"command": "offer", "call-id": call, "from-tag": "plain", "sdp": caller.sdp(),
                             "flags": ["trust-address"], "ICE": "force"}, "offer")["sdp"]
        ufrag, pwd = sdp_attr(to_ice, "ice-ufrag"), sdp_attr(to_ice, "ice-pwd")
        if not (ufrag and pwd):
            check("STUN: ICE=force offer carries ice-ufrag/ice-pwd", False, "no ICE credentials in the offer")
            return
        lite = "a=ice-lite" in to_ice
        my_ufrag, my_pwd = "atkr", "attackerpasswordattacker"
        answer = ("v=0\r\no=- 2 1 IN IP4 127.0.0.1\r\ns=ice\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                  f"m=audio {pport} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n"
                  f"a=ice-ufrag:{my_ufrag}\r\na=ice-pwd:{my_pwd}\r\n"
                  f"a=candidate:1 1 UDP 2130706431 127.0.0.1 {pport} typ host\r\n"
                  f"a=candidate:1 2 UDP 2130706430 127.0.0.1 {pport + 1} typ host\r\n")
        to_caller = ng(daemon, {"command": "answer", "call-id": call, "from-tag": "plain", "to-tag": "ice",
                                "sdp": answer, "flags": ["trust-address"]}, "answer")["sdp"]
        target = sdp_media_address(to_ice)
        username = f"{ufrag[0]}:{my_ufrag}"
        before = counters(daemon)
        results = {}
        for name, key in (("bad", b"not-the-password-at-all"), ("good", pwd[0].encode()), ("bad again", b"x" * 22)):
            req = binding_request(username, key, controlling=lite)
            peer.sendto(bytes(req), target)
            results[name] = responses_to(peer, req.transaction_id, 1.0)
            if any(m.attributes.get("ERROR-CODE", (0,))[0] == 487 for m in results[name]):
                # role conflict (RFC 8445 7.3.1.1): a full agent switches role and retries, so do we
                req = binding_request(username, key, controlling=not lite)
                peer.sendto(bytes(req), target)
                results[name] += responses_to(peer, req.transaction_id, 1.0)
        after = counters(daemon)

        def describe(ms):
            return ", ".join(f"{m.message_class.name} {m.attributes.get('ERROR-CODE', '')}" for m in ms) or "none"
        for name in ("bad", "bad again"):
            success = [m for m in results[name] if m.message_class == stun.Class.RESPONSE]
            check(f"STUN: binding request with a bad MESSAGE-INTEGRITY ({name}) gets no success response",
                  not success, f"responses: {describe(results[name])}")
        good = [m for m in results["good"] if m.message_class == stun.Class.RESPONSE]
        mapped = good[0].attributes.get("XOR-MAPPED-ADDRESS") if good else None
        check("STUN: the same request with the right key is answered (control)",
              bool(good) and good[0].check_message_integrity(pwd[0].encode()) and mapped == (LOOPBACK, pport),
              f"responses: {describe(results['good'])}, XOR-MAPPED-ADDRESS {mapped}")
        changed = error_counter_changes(before, after)
        print(f"INFO: attacks[{daemon.kind}]: STUN: error-like statistics counters that rose: "
              f"{changed or 'none visible'}", flush=True)
        if daemon.kind == "tandemd":
            rejected = next((v for k, v in changed.items() if k.endswith("stunrejected")), 0)
            check("STUN: tandemd counts the two rejected checks (statistics tandem.stunrejected)",
                  rejected >= 2, f"stunrejected rose by {rejected}")
        # media still flows: the plain caller's RTP reaches the ICE side's candidate
        caller.start(sdp_media_address(to_caller))
        got = [p for p in recv_all(peer, quiet=0.5, limit=2.0) if rtp_parse(p)]
        caller.stop()
        check("STUN: the call stays up: plain RTP still reaches the ICE side", len(got) >= 10,
              f"{len(got)} RTP packets at the ICE side")
    except Exception as e:
        check("STUN attack", False, f"{type(e).__name__}: {e}")
        caller.stop()
    finally:
        try:
            ng(daemon, {"command": "delete", "call-id": call}, "delete")
        except Exception:
            pass
        peer.close()
        rtcp.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_daemon_args(ap)
    ap.add_argument("--only", default="dtls,srtp,stun")
    ap.add_argument("--plain-port", type=int, default=22340, help="uses this and the next 23 ports")
    ap.add_argument("--ice-ports", default="22370-22379")
    args = ap.parse_args()
    daemon = daemon_from_args(args)
    check = Check(f"attacks[{daemon.kind}]")
    with daemon:
        for name in args.only.split(","):
            {"dtls": attack_dtls, "srtp": attack_srtp, "stun": attack_stun}[name](daemon, check, args)
        if check.failed and not daemon.external:
            print(f"--- {daemon.kind} log tail ---\n{daemon.log_tail(15)}", flush=True)
    return check.exit_code()


if __name__ == "__main__":
    sys.exit(main())
