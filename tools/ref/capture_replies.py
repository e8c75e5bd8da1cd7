#!/usr/bin/env python3
"""Capture example replies of the reference daemon (ping, offer-only query, query with RTP
traffic, list, delete, statistics, errors) as JSON into Tests/CallModelTests/Golden/replies/.

  tools/ref/capture_replies.py [--ng 127.0.0.1:22222] [--out DIR]

Types are preserved: bencode integers become JSON numbers, bencode strings JSON strings.
Uses loopback UDP ports 31000-31003 for the fake endpoints.
"""
import argparse, json, os, re, socket, struct, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from ng import NGClient, bencode, parse_hostport  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("--ng", default="127.0.0.1:22222")
ap.add_argument("--out", default=os.path.join(HERE, "..", "..", "Tests", "CallModelTests", "Golden", "replies"))
a = ap.parse_args()
host, port = parse_hostport(a.ng)
c = NGClient(host, port)
os.makedirs(a.out, exist_ok=True)


def save(name, obj):
    with open(os.path.join(a.out, name + ".json"), "w") as f:
        json.dump(obj, f, indent=1)
        f.write("\n")


cid = "capture-%d" % os.getpid()
A = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); A.bind(("127.0.0.1", 31000))
B = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); B.bind(("127.0.0.1", 31002)); B.settimeout(0.5)
sdpA = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 31000 RTP/AVP 0 8\r\n"
sdpB = "v=0\r\no=- 2 2 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 31002 RTP/AVP 0\r\n"

save("ping", c.request({"command": "ping"}))
o = c.request({"command": "offer", "call-id": cid, "from-tag": "A1", "sdp": sdpA, "label": "caller",
               "flags": ["trust-address"]})
save("offer", o)
save("query-after-offer", c.request({"command": "query", "call-id": cid}))
ans = c.request({"command": "answer", "call-id": cid, "from-tag": "A1", "to-tag": "B1", "sdp": sdpB,
                 "flags": ["trust-address"]})
save("answer", ans)
pa = int(re.search(r"m=audio (\d+)", ans["sdp"]).group(1))
for i in range(5):  # 5 RTP packets, PCMU, 160 bytes payload, SSRC 0x11223344, A -> rtpengine -> B
    A.sendto(struct.pack("!BBHII", 0x80, 0, 100 + i, 160 * i, 0x11223344) + b"\xff" * 160, ("127.0.0.1", pa))
    time.sleep(0.02)
got = 0
try:
    for _ in range(10):
        B.recv(2000); got += 1
except socket.timeout:
    pass
print(f"relayed {got}/5 packets")
save("query-with-rtp", c.request({"command": "query", "call-id": cid}))
save("list", c.request({"command": "list"}))
save("delete", c.request({"command": "delete", "call-id": cid, "from-tag": "A1"}))
save("query-after-delete", c.request({"command": "query", "call-id": cid}))
save("delete-unknown", c.request({"command": "delete", "call-id": cid}))
save("statistics", c.request({"command": "statistics"}))

# error replies, raw
errs = {}
def raw(label, dgram):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(1.0)
    s.sendto(dgram, (host, port))
    try:
        errs[label] = s.recv(65535).decode("latin-1")
    except socket.timeout:
        errs[label] = None
for label, msg in [
    ("unknown command", {"command": "frobnicate"}),
    ("command is case-sensitive", {"command": "PING"}),
    ("no command", {"call-id": "x"}),
    ("offer without call-id", {"command": "offer", "from-tag": "A", "sdp": sdpA}),
    ("offer without from-tag", {"command": "offer", "call-id": cid + "e", "sdp": sdpA}),
    ("offer without sdp", {"command": "offer", "call-id": cid + "e", "from-tag": "A"}),
    ("offer with bad sdp", {"command": "offer", "call-id": cid + "e", "from-tag": "A", "sdp": "garbage"}),
    ("answer without to-tag", {"command": "answer", "call-id": cid + "e", "from-tag": "A", "sdp": sdpB}),
    ("answer unknown call-id", {"command": "answer", "call-id": cid + "e2", "from-tag": "A", "to-tag": "B", "sdp": sdpB}),
    ("query unknown call-id", {"command": "query", "call-id": cid + "e2"}),
    ("delete unknown call-id fatal", {"command": "delete", "call-id": cid + "e2", "flags": ["fatal"]}),
]:
    raw(label, b"c%d " % len(errs) + bencode(msg))
raw("malformed bencode body", b"m1 garbage")
raw("bencode list instead of dict", b"m2 l4:pinge")
raw("unterminated dict (accepted!)", b"m3 d7:command4:ping")
raw("JSON body", b'm4 {"command":"ping"}')
raw("broken JSON body", b'm5 {"command":"ping"')
raw("cookie without body", b"m6")
raw("no space", b"m7nospace")
c.request({"command": "delete", "call-id": cid + "e"})
save("raw-replies", errs)
print("saved to", os.path.normpath(a.out))
