"""SDES-SRTP across two media daemons (issue 5):

    caller --RTP--> HOP1 --SRTP (SDES)--> [tap] --> HOP2 --RTP--> callee   (and back)

HOP1 gets the caller's RTP/AVP offer with transport-protocol=RTP/SAVP and so makes the SDES
offer (a=crypto); HOP2 gets that offer with transport-protocol=RTP/AVP and so answers SDES and
decrypts. Each hop may be rtpengine or tandemd; the mirror of "rtpengine -> tandemd" is
"tandemd -> rtpengine". A tap (two sockets of ours) sits on the SRTP leg between the hops: it
forwards every packet unchanged and keeps a copy, so the test sees that the middle leg really
carries SRTP of the negotiated suite (auth tag length, encrypted payload) while the phones at
both ends get their RTP payloads back byte for byte, in order, both directions.

  sdes_chain.py --first-daemon rtpengine --second-daemon tandemd
                [--first-ng 127.0.0.1:22261 --second-ng 127.0.0.1:22262] [--suites a,b,...]

Needs only python3 (no venv)."""
from __future__ import annotations

import argparse
import os
import re
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from interop import (LOOPBACK, Check, DEFAULT_PORTS, Daemon, ng, parse_hostport,  # noqa: E402
                     rtcp_sender_report, rtp_packet, rtp_parse, sdp_attr, sdp_media_address,
                     sdp_rtcp_address, summarize_sdp)

TAG_LEN = {"AES_CM_128_HMAC_SHA1_80": 10, "AES_CM_128_HMAC_SHA1_32": 4,
           "AES_192_CM_HMAC_SHA1_80": 10, "AES_192_CM_HMAC_SHA1_32": 4,
           "AES_256_CM_HMAC_SHA1_80": 10, "AES_256_CM_HMAC_SHA1_32": 4,
           "AEAD_AES_128_GCM": 16, "AEAD_AES_256_GCM": 16,
           "NULL_HMAC_SHA1_80": 10, "NULL_HMAC_SHA1_32": 4}


ALL_SUITES = list(TAG_LEN) + ["F8_128_HMAC_SHA1_80", "F8_128_HMAC_SHA1_32"]


class Phone:
    """A plain RTP endpoint sending numbered random payloads (and an RTCP sender report every
    10th packet from port+1) and keeping what it receives on both ports."""

    def __init__(self, port: int):
        self.port = port
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((LOOPBACK, port))
        self.rtcp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.rtcp.bind((LOOPBACK, port + 1))
        self.received: list[bytes] = []
        self.rtcp_received: list[bytes] = []
        self.sent: list[bytes] = []
        self.rtcp_sent: list[bytes] = []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._recv, args=(self.sock, self.received), daemon=True),
                         threading.Thread(target=self._recv, args=(self.rtcp, self.rtcp_received), daemon=True)]
        for t in self._threads:
            t.start()

    def sdp(self) -> str:
        return ("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=phone\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                f"m=audio {self.port} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n")

    def _recv(self, sock: socket.socket, into: list) -> None:
        sock.settimeout(0.05)
        while not self._stop.is_set():
            try:
                into.append(sock.recvfrom(4096)[0])
            except socket.timeout:
                continue
            except OSError:
                return

    def send(self, peer: tuple[str, int], rtcp_peer: tuple[str, int], count: int, interval: float) -> None:
        ssrc = int.from_bytes(os.urandom(4), "big")
        seq, ts = int.from_bytes(os.urandom(2), "big"), int.from_bytes(os.urandom(4), "big")
        for i in range(count):
            pkt = rtp_packet(0, seq + i, ts + 160 * i, ssrc, os.urandom(160))
            self.sent.append(pkt)
            self.sock.sendto(pkt, peer)
            if i % 10 == 9:
                sr = rtcp_sender_report(ssrc, ts + 160 * i, i + 1, 160 * (i + 1))
                self.rtcp_sent.append(sr)
                self.rtcp.sendto(sr, rtcp_peer)
            time.sleep(interval)

    def close(self) -> None:
        self._stop.set()
        for t in self._threads:
            t.join(2)
        self.sock.close()
        self.rtcp.close()


class Tap:
    """Two socket pairs on the SRTP leg: `a` (and a+1 for RTCP) faces HOP1, which sends to it;
    `b` (b+1) faces HOP2. A packet arriving on one side leaves from the other side's socket of
    the same kind towards the hop behind it; a copy is kept per direction and kind."""

    def __init__(self, port_a: int, port_b: int):
        def bound(port):
            sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            sock.bind((LOOPBACK, port))
            return sock
        self.socks = {"a": bound(port_a), "b": bound(port_b), "a_rtcp": bound(port_a + 1), "b_rtcp": bound(port_b + 1)}
        # where the hops receive the SRTP leg: set once their SDPs are known
        self.peers: dict[str, tuple[str, int] | None] = {"hop1": None, "hop2": None, "hop1_rtcp": None, "hop2_rtcp": None}
        self.seen: dict[str, list[bytes]] = {"1->2": [], "2->1": [], "1->2 rtcp": [], "2->1 rtcp": []}
        self._stop = threading.Event()
        routes = [("a", "b", "1->2", "hop2"), ("b", "a", "2->1", "hop1"),
                  ("a_rtcp", "b_rtcp", "1->2 rtcp", "hop2_rtcp"), ("b_rtcp", "a_rtcp", "2->1 rtcp", "hop1_rtcp")]
        self._threads = [threading.Thread(target=self._pump, args=r, daemon=True) for r in routes]
        for t in self._threads:
            t.start()

    def _pump(self, src, dst, key, target) -> None:
        src, dst = self.socks[src], self.socks[dst]
        src.settimeout(0.05)
        while not self._stop.is_set():
            try:
                data = src.recv(4096)
            except socket.timeout:
                continue
            except OSError:
                return
            self.seen[key].append(data)
            peer = self.peers[target]
            if peer:
                dst.sendto(data, peer)

    def close(self) -> None:
        self._stop.set()
        for t in self._threads:
            t.join(2)
        for sock in self.socks.values():
            sock.close()


def with_port(sdp: str, port: int) -> str:
    """The SDP with its audio m= port (and c=) pointing at 127.0.0.1:port, a=rtcp dropped."""
    sdp = re.sub(r"^(m=audio )\d+", lambda m: f"{m.group(1)}{port}", sdp, flags=re.M)
    sdp = re.sub(r"^c=IN IP4 \S+", "c=IN IP4 127.0.0.1", sdp, flags=re.M)
    return re.sub(r"^a=rtcp:\d+.*\r?\n", "", sdp, flags=re.M)


def chain_call(hop1: Daemon, hop2: Daemon, suite: str | None, ports: dict, count: int, check: Check,
               label: str) -> None:
    call = f"sdes-{os.getpid()}-{time.monotonic_ns()}"
    caller, callee = Phone(ports["caller"]), Phone(ports["callee"])
    tap = Tap(ports["tap_a"], ports["tap_b"])
    try:
        offer1 = {"command": "offer", "call-id": call, "from-tag": "caller", "sdp": caller.sdp(),
                  "flags": ["trust-address"], "replace": ["origin"], "transport-protocol": "RTP/SAVP",
                  "DTLS": "off"}  # SDES only: with DTLS offered too, the answerer would pick DTLS
        if suite:  # `no-SUITE` for every other suite (rtpengine 10.5 has no `only-`)
            offer1["SDES"] = [f"no-{s}" for s in ALL_SUITES if s != suite]
        sdp1 = ng(hop1, offer1, f"{hop1.kind} offer")["sdp"]          # HOP1's SDES offer
        offered = [c.split()[1] for c in sdp_attr(sdp1, "crypto")]
        check(f"{label}: {hop1.kind} makes an SDES offer (RTP/SAVP with a=crypto)",
              " RTP/SAVP " in sdp1 and bool(offered) and (suite is None or offered == [suite]),
              f"suites {offered}")
        tap.peers["hop1"], tap.peers["hop1_rtcp"] = sdp_media_address(sdp1), sdp_rtcp_address(sdp1)
        sdp2 = ng(hop2, {"command": "offer", "call-id": call, "from-tag": "hop1",
                         "sdp": with_port(sdp1, ports["tap_b"]), "flags": ["trust-address"],
                         "replace": ["origin"], "transport-protocol": "RTP/AVP"},
                  f"{hop2.kind} offer")["sdp"]
        check(f"{label}: {hop2.kind} offers plain RTP/AVP to the callee",
              re.search(r"^m=audio \d+ RTP/AVP ", sdp2, re.M) is not None and "a=crypto" not in sdp2,
              summarize_sdp(sdp2))
        sdp3 = ng(hop2, {"command": "answer", "call-id": call, "from-tag": "hop1", "to-tag": "callee",
                         "sdp": callee.sdp(), "flags": ["trust-address"], "replace": ["origin"]},
                  f"{hop2.kind} answer")["sdp"]                        # HOP2's SDES answer
        answered = [c.split()[1] for c in sdp_attr(sdp3, "crypto")]
        check(f"{label}: {hop2.kind} answers SDES with one offered suite",
              " RTP/SAVP " in sdp3 and len(answered) == 1 and answered[0] in offered, f"suite {answered}")
        tap.peers["hop2"], tap.peers["hop2_rtcp"] = sdp_media_address(sdp3), sdp_rtcp_address(sdp3)
        sdp4 = ng(hop1, {"command": "answer", "call-id": call, "from-tag": "caller", "to-tag": "hop2",
                         "sdp": with_port(sdp3, ports["tap_a"]), "flags": ["trust-address"],
                         "replace": ["origin"]}, f"{hop1.kind} answer")["sdp"]
        check(f"{label}: {hop1.kind} answers plain RTP/AVP to the caller",
              re.search(r"^m=audio \d+ RTP/AVP ", sdp4, re.M) is not None and "a=crypto" not in sdp4,
              summarize_sdp(sdp4))
        used = answered[0] if answered else ""
        # media both ways, interleaved so that both latches are learnt at once
        t1 = threading.Thread(target=caller.send, args=(sdp_media_address(sdp4), sdp_rtcp_address(sdp4), count, 0.004))
        t2 = threading.Thread(target=callee.send, args=(sdp_media_address(sdp2), sdp_rtcp_address(sdp2), count, 0.004))
        t1.start(), t2.start()
        t1.join(), t2.join()
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline and (len(callee.received) < count or len(caller.received) < count
                                               or len(callee.rtcp_received) < len(caller.rtcp_sent)
                                               or len(caller.rtcp_received) < len(callee.rtcp_sent)):
            time.sleep(0.05)
        for who, sender, receiver, leg in (("caller -> callee", caller, callee, "1->2"),
                                           ("callee -> caller", callee, caller, "2->1")):
            got = [rtp_parse(p) for p in receiver.received]
            want = [rtp_parse(p) for p in sender.sent]
            # UDP through two daemons and a tap may reorder (each daemon runs 2 packet threads):
            # compare per sequence number; every packet must arrive exactly once, byte-identical
            sent_by_seq = {w[1]: w for w in want}
            got_seqs = [g[1] for g in got if g]
            raw_by_seq = {rtp_parse(p)[1]: p for p in sender.sent}
            same = sum(1 for raw in receiver.received if (g := rtp_parse(raw)) and raw_by_seq.get(g[1]) == raw)
            reordered = sum(1 for x, y in zip(got_seqs, got_seqs[1:]) if (y - x) & 0xFFFF > 0x8000)
            intact = sorted(got_seqs) == sorted(sent_by_seq) and same == count and len(got) == count
            check(f"{label}: {who}: {count} RTP packets arrive once each, byte-identical",
                  intact, f"{len(got)}/{count} received, {same} byte-identical to the packet sent with that "
                          f"sequence number (whole datagram), {reordered} reordered")
            # the middle leg: SRTP of the answered suite, i.e. RTP + tag, payload not in clear
            mid = tap.seen[leg]
            plain = {w[4] for w in want}
            tag = TAG_LEN.get(used)
            rtp_mid = [p for p in mid if len(p) >= 12 and not 192 <= (p[1] & 0x7F) <= 223]
            sized = tag is not None and all(len(p) == 172 + tag for p in rtp_mid)
            clear = sum(1 for p in rtp_mid if p[12:172] in plain)
            encrypted = clear == 0 if not used.startswith("NULL") else True
            check(f"{label}: {who}: middle leg carries SRTP {used} (tag {tag} bytes, payload encrypted)",
                  len(rtp_mid) >= count and sized and encrypted,
                  f"{len(rtp_mid)} packets on the tap, sizes {sorted({len(p) for p in rtp_mid})}, "
                  f"{clear} with a clear payload")
            # RTCP: the sender reports arrive as sent; in the middle they are SRTCP
            # (E flag + 31-bit index, then the tag: 80 bits for every HMAC-SHA1 suite, RFC 4568;
            # AEAD: the 16-byte tag first, E + index last, RFC 7714 section 9.1)
            got_rtcp, sent_rtcp = receiver.rtcp_received, sender.rtcp_sent
            check(f"{label}: {who}: {len(sent_rtcp)} RTCP sender reports arrive once each, intact",
                  sorted(got_rtcp) == sorted(sent_rtcp), f"{len(got_rtcp)} received, "
                  f"{sum(1 for g in got_rtcp if g in sent_rtcp)} byte-identical to one sent")
            mid_rtcp = tap.seen[leg + " rtcp"]
            rtcp_tag = 16 if used.startswith("AEAD") else 10
            e_flag_at = -4 if used.startswith("AEAD") else -rtcp_tag - 4
            sized = all(len(p) == 28 + 4 + rtcp_tag and p[e_flag_at] & 0x80 for p in mid_rtcp)
            clear = sum(1 for p in mid_rtcp if p[8:28] in {r[8:28] for r in sent_rtcp})
            check(f"{label}: {who}: middle leg carries SRTCP (E flag, index, {rtcp_tag}-byte tag, encrypted)",
                  len(mid_rtcp) >= len(sent_rtcp) > 0 and sized and (clear == 0 or used.startswith("NULL")),
                  f"{len(mid_rtcp)} on the tap, sizes {sorted({len(p) for p in mid_rtcp})}, {clear} in clear")
    except Exception as e:
        check(f"{label}: signalling", False, f"{type(e).__name__}: {e}")
    finally:
        for d in (hop1, hop2):
            try:
                ng(d, {"command": "delete", "call-id": call}, "delete")
            except Exception:
                pass
        caller.close(), callee.close(), tap.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--first-daemon", default="rtpengine", choices=["rtpengine", "tandemd"])
    ap.add_argument("--second-daemon", default="tandemd", choices=["rtpengine", "tandemd"])
    ap.add_argument("--first-ng", help="default: rtpengine 22261, tandemd 22262")
    ap.add_argument("--second-ng", help="default: rtpengine 22263 (22261 if first is tandemd), tandemd 22262")
    ap.add_argument("--first-ports", help="media ports MIN-MAX (default 30000-30499)")
    ap.add_argument("--second-ports", help="media ports MIN-MAX (default 30500-30999)")
    ap.add_argument("--external", action="store_true", help="both daemons already run at --first-ng/--second-ng")
    ap.add_argument("--suites", default="default,AES_CM_128_HMAC_SHA1_80,AES_CM_128_HMAC_SHA1_32,AEAD_AES_128_GCM",
                    help="comma-separated; 'default' = no SDES option (the offerer's full list)")
    ap.add_argument("--count", type=int, default=100, help="RTP packets each way per call")
    ap.add_argument("--base-port", type=int, default=22320, help="phones and tap use 8 ports from here")
    args = ap.parse_args()

    def make(kind, ngaddr, ports, slot):
        # ports per brief: first hop 30000-30499, second hop 30500-30999; an rtpengine in second
        # place gets ng 22263, in first place 22261; tandemd always 22262
        ngp = parse_hostport(ngaddr)[1] if ngaddr else {"rtpengine": 22261 if slot == 1 else 22263,
                                                          "tandemd": DEFAULT_PORTS["tandemd"][0]}[kind]
        lo, hi = (int(x) for x in ports.split("-")) if ports else ((30000, 30499) if slot == 1 else (30500, 30999))
        return Daemon(kind, ngp, lo, hi, external=args.external)

    hop1 = make(args.first_daemon, args.first_ng, args.first_ports, 1)
    hop2 = make(args.second_daemon, args.second_ng, args.second_ports, 2)
    check = Check(f"sdes-chain[{hop1.kind}->{hop2.kind}]")
    b = args.base_port
    ports = {"caller": b, "callee": b + 2, "tap_a": b + 4, "tap_b": b + 6}
    try:
        hop1.start()
        hop2.start()
        for suite in args.suites.split(","):
            s = None if suite == "default" else suite
            label = f"{hop1.kind}(RTP->SRTP) -> {hop2.kind}(SRTP->RTP) {suite}"
            chain_call(hop1, hop2, s, ports, args.count, check, label)
    except Exception as e:
        check("daemons start", False, str(e))
    finally:
        hop1.stop()
        hop2.stop()
    if check.failed:
        for d in (hop1, hop2):
            if not d.external and d.logfile:
                print(f"--- {d.kind} (ng {d.ng_port}) log tail ---\n{d.log_tail(15)}")
    return check.exit_code()


if __name__ == "__main__":
    sys.exit(main())
