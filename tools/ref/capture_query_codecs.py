#!/usr/bin/env python3
"""Capture a `query` reply after RTP with several payload types flowed both ways: what rtpengine
reports as each media's `codec` (the payload type received most often).

  tools/ref/capture_query_codecs.py HOST:PORT CALLER_PTS CALLEE_PTS [OUT.json]

CALLER_PTS / CALLEE_PTS: comma-separated payload types of the RTP packets each side sends (one
packet each, 20 ms apart), e.g. `0,0,0,8 96,96`. Offer 0 8 96(opus) 101(te/8000), answer 8 0 96
101. Uses loopback UDP ports 22300 and 22302 for the two endpoints.
"""
import json, os, re, socket, struct, sys, time
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from ng import NGClient, parse_hostport
h, p = parse_hostport(sys.argv[1]); c = NGClient(h, p)
seqA = sys.argv[2]  # e.g. "8,8,8" payload types caller sends
seqB = sys.argv[3]
out = sys.argv[4] if len(sys.argv) > 4 else None
cid = "qcap-%d" % os.getpid()
A = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); A.bind(("127.0.0.1", 22300))
B = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); B.bind(("127.0.0.1", 22302)); B.settimeout(0.3); A.settimeout(0.3)
sdpA = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 22300 RTP/AVP 0 8 96 101\r\na=rtpmap:96 opus/48000/2\r\na=rtpmap:101 telephone-event/8000\r\n"
sdpB = "v=0\r\no=- 2 2 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 22302 RTP/AVP 8 0 96 101\r\na=rtpmap:96 opus/48000/2\r\na=rtpmap:101 telephone-event/8000\r\n"
o = c.request({"command": "offer", "call-id": cid, "from-tag": "A1", "sdp": sdpA, "label": "caller"})
pb = int(re.search(r"m=audio (\d+)", o["sdp"]).group(1))
ans = c.request({"command": "answer", "call-id": cid, "from-tag": "A1", "to-tag": "B1", "sdp": sdpB})
pa = int(re.search(r"m=audio (\d+)", ans["sdp"]).group(1))
def send(sock, dst, pts, ssrc):
    for i, pt in enumerate(pts):
        sock.sendto(struct.pack("!BBHII", 0x80, pt, 100 + i, 160 * i, ssrc) + b"\xd5" * 160, ("127.0.0.1", dst)); time.sleep(0.02)
pts = lambda s: [int(x) for x in s.split(",") if x]
send(A, pa, pts(seqA), 0x11223344)
send(B, pb, pts(seqB), 0x55667788)
time.sleep(0.1)
q = c.request({"command": "query", "call-id": cid})
for t, v in q["tags"].items():
    for m in v["medias"]:
        print(t, "codec", m.get("codec"), "keys", sorted(m.keys()), [ (s.get("SSRC"), s["stats"]["packets"], sorted(s.keys())) for s in m["streams"]])
print("top SSRC", q.get("SSRC"))
if out:
    json.dump(q, open(out, "w"), indent=1); open(out, "a").write("\n")
c.request({"command": "delete", "call-id": cid, "from-tag": "A1"})
