#!/usr/bin/env python3
"""Minimal, dependency-free client for the rtpengine "ng" control protocol.

Wire format: one UDP datagram per request/reply, ``COOKIE SP BODY`` where BODY is a
bencoded dictionary (or, in JSON mode, a JSON object).  The reply echoes the cookie.

Library use::

    from ng import NGClient
    c = NGClient("127.0.0.1", 22222)
    r = c.request({"command": "ping"})          # -> {"result": "pong"}

Decoded bencode strings are returned as ``str`` when they are valid UTF-8, else ``bytes``
(pass ``raw=True`` to ``bdecode``/``request`` to always get ``bytes``).

CLI::

    ng.py [-s HOST:PORT] [--json] [--timeout S] [--retries N] COMMAND [key=value ...]
    ng.py ping
    ng.py offer call-id=c1 from-tag=A flags=trust-address,asymmetric sdp=@offer.sdp
    ng.py --dict '{"command":"query","call-id":"c1"}'

``key=value``: value ``@FILE`` reads a file (``\\n`` is converted to ``\\r\\n`` for ``sdp``),
``key=[a,b]`` or any of the list-valued keys (flags, replace, rtcp-mux, direction,
received-from, SDES, supports, T.38, OSRTP, from-tags) split on commas, a value that is a
JSON literal (``{..}``, ``[..]``, number) is parsed as JSON.
"""
from __future__ import annotations

import json
import os
import socket
import sys
import time
from typing import Any

__all__ = ["bencode", "bdecode", "NGClient", "NGError", "NGTimeout", "parse_hostport"]


# ---------------------------------------------------------------- bencode

def bencode(obj: Any) -> bytes:
    out: list[bytes] = []
    _benc(obj, out)
    return b"".join(out)


def _benc(obj: Any, out: list[bytes]) -> None:
    if isinstance(obj, bool):
        obj = int(obj)
    if isinstance(obj, int):
        out.append(b"i%de" % obj)
    elif isinstance(obj, (bytes, bytearray, memoryview)):
        b = bytes(obj)
        out.append(b"%d:" % len(b))
        out.append(b)
    elif isinstance(obj, str):
        b = obj.encode("utf-8")
        out.append(b"%d:" % len(b))
        out.append(b)
    elif isinstance(obj, (list, tuple)):
        out.append(b"l")
        for x in obj:
            _benc(x, out)
        out.append(b"e")
    elif isinstance(obj, dict):
        out.append(b"d")
        # bencode wants sorted keys; rtpengine does not require it, but be canonical.
        items = []
        for k, v in obj.items():
            kb = k.encode("utf-8") if isinstance(k, str) else bytes(k)
            items.append((kb, v))
        for kb, v in sorted(items, key=lambda kv: kv[0]):
            out.append(b"%d:" % len(kb))
            out.append(kb)
            _benc(v, out)
        out.append(b"e")
    elif isinstance(obj, float):
        # not bencode; rtpengine never sends floats. Encode as string.
        _benc(repr(obj), out)
    elif obj is None:
        raise TypeError("bencode cannot encode None")
    else:
        raise TypeError(f"bencode cannot encode {type(obj).__name__}")


class BencodeError(ValueError):
    pass


def bdecode(data: bytes, raw: bool = False, allow_trailing: bool = False) -> Any:
    val, pos = _bdec(data, 0, raw)
    if pos != len(data) and not allow_trailing:
        raise BencodeError(f"trailing data at offset {pos}")
    return val


def _str(b: bytes, raw: bool):
    if raw:
        return b
    try:
        return b.decode("utf-8")
    except UnicodeDecodeError:
        return b


def _bdec(d: bytes, i: int, raw: bool):
    if i >= len(d):
        raise BencodeError("unexpected end of data")
    c = d[i:i + 1]
    if c == b"i":
        j = d.index(b"e", i)
        return int(d[i + 1:j]), j + 1
    if c == b"l":
        i += 1
        lst = []
        while True:
            if i >= len(d):
                raise BencodeError("unterminated list")
            if d[i:i + 1] == b"e":
                return lst, i + 1
            v, i = _bdec(d, i, raw)
            lst.append(v)
    if c == b"d":
        i += 1
        dct = {}
        while True:
            if i >= len(d):
                raise BencodeError("unterminated dict")
            if d[i:i + 1] == b"e":
                return dct, i + 1
            k, i = _bdec(d, i, True)
            if not isinstance(k, bytes):
                raise BencodeError("dict key is not a string")
            v, i = _bdec(d, i, raw)
            dct[_str(k, raw) if not raw else k] = v
    if c.isdigit():
        j = d.index(b":", i)
        n = int(d[i:j])
        s = d[j + 1:j + 1 + n]
        if len(s) != n:
            raise BencodeError("string runs past end of data")
        return _str(s, raw), j + 1 + n
    raise BencodeError(f"bad bencode type byte {c!r} at offset {i}")


# ---------------------------------------------------------------- client

class NGError(Exception):
    pass


class NGTimeout(NGError):
    pass


def parse_hostport(s: str, default_port: int = 22222) -> tuple[str, int]:
    s = s.strip()
    if s.startswith("["):
        host, _, rest = s[1:].partition("]")
        port = int(rest[1:]) if rest.startswith(":") else default_port
        return host, port
    if s.count(":") == 1:
        host, port = s.split(":")
        return host or "127.0.0.1", int(port)
    if s.isdigit():
        return "127.0.0.1", int(s)
    return s, default_port


def _json_default(o):
    if isinstance(o, (bytes, bytearray)):
        return o.decode("latin-1")
    raise TypeError(type(o).__name__)


class NGClient:
    """Blocking ng client. ``request`` retransmits the *same* datagram (same cookie) on timeout."""

    def __init__(self, host: str = "127.0.0.1", port: int = 22222, timeout: float = 1.0,
                 retries: int = 3, json_mode: bool = False):
        self.addr = (host, port)
        self.timeout = timeout
        self.retries = retries
        self.json_mode = json_mode
        fam = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.sock = socket.socket(fam, socket.SOCK_DGRAM)
        self.sock.connect(self.addr)

    def close(self) -> None:
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.close()

    @staticmethod
    def new_cookie() -> bytes:
        return os.urandom(6).hex().encode()

    def encode(self, msg: dict) -> bytes:
        if self.json_mode:
            return json.dumps(msg, default=_json_default).encode()
        return bencode(msg)

    def decode(self, body: bytes, raw: bool = False) -> Any:
        body = body.lstrip(b" ")
        if body[:1] == b"{":
            return json.loads(body.decode("utf-8", "replace"))
        return bdecode(body, raw=raw)

    def send_raw(self, datagram: bytes, cookie: bytes | None = None) -> bytes:
        """Send a raw datagram; return the raw reply body (without cookie) for ``cookie``.
        Retransmits the identical datagram ``retries`` times; raises NGTimeout."""
        if cookie is None:
            cookie = datagram.split(b" ", 1)[0]
        for _attempt in range(self.retries + 1):
            self.sock.send(datagram)
            deadline = time.monotonic() + self.timeout
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self.sock.settimeout(left)
                try:
                    data = self.sock.recv(65535)
                except socket.timeout:
                    break
                except ConnectionRefusedError:
                    time.sleep(min(left, 0.05))
                    continue
                ck, _, body = data.partition(b" ")
                if ck == cookie:
                    return body
                # stale reply to an earlier (retransmitted) request: ignore
        raise NGTimeout(f"no reply from {self.addr[0]}:{self.addr[1]} "
                        f"after {self.retries + 1} attempts")

    def request(self, msg: dict, raw: bool = False, cookie: bytes | None = None) -> Any:
        if cookie is None:
            cookie = self.new_cookie()
        datagram = cookie + b" " + self.encode(msg)
        return self.decode(self.send_raw(datagram, cookie), raw=raw)

    # convenience wrappers
    def ping(self):
        return self.request({"command": "ping"})

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        cmd = name.replace("_", " ")

        def call(**kw):
            msg = {"command": cmd}
            msg.update({k.replace("_", "-"): v for k, v in kw.items()})
            return self.request(msg)
        return call


# ---------------------------------------------------------------- CLI

LIST_KEYS = {"flags", "replace", "rtcp-mux", "direction", "received-from", "SDES", "supports",
             "T.38", "OSRTP", "from-tags", "codec-strip", "codec-offer", "codec-mask"}


def _parse_value(key: str, val: str):
    if val.startswith("@"):
        with open(val[1:], "rb") as f:
            data = f.read().decode("utf-8")
        if key == "sdp":
            data = data.replace("\r\n", "\n").replace("\n", "\r\n")
        return data
    if val[:1] in "[{" or (val.lstrip("-").isdigit() and key not in ("call-id", "from-tag", "to-tag")):
        try:
            return json.loads(val)
        except ValueError:
            pass
    if key in LIST_KEYS:
        return [x for x in val.split(",") if x]
    return val


def main(argv=None) -> int:
    import argparse
    ap = argparse.ArgumentParser(description="rtpengine ng protocol client")
    ap.add_argument("-s", "--ng", default=os.environ.get("NG", "127.0.0.1:22222"),
                    help="daemon HOST:PORT (default $NG or 127.0.0.1:22222)")
    ap.add_argument("--json", action="store_true", help="send the request as JSON instead of bencode")
    ap.add_argument("--timeout", type=float, default=1.0, help="seconds per attempt")
    ap.add_argument("--retries", type=int, default=2, help="retransmissions of the same cookie")
    ap.add_argument("--dict", help="whole request as a JSON object")
    ap.add_argument("--sdp-only", action="store_true", help="print only the reply's sdp")
    ap.add_argument("--cookie", help="use this cookie (default random)")
    ap.add_argument("command", nargs="?")
    ap.add_argument("params", nargs="*", help="key=value")
    a = ap.parse_args(argv)

    msg: dict = json.loads(a.dict) if a.dict else {}
    if a.command:
        msg["command"] = a.command
    for p in a.params:
        k, sep, v = p.partition("=")
        if not sep:
            ap.error(f"parameter {p!r} is not key=value")
        msg[k] = _parse_value(k, v)
    if "command" not in msg:
        ap.error("no command")
    host, port = parse_hostport(a.ng)
    with NGClient(host, port, timeout=a.timeout, retries=a.retries, json_mode=a.json) as c:
        try:
            r = c.request(msg, cookie=a.cookie.encode() if a.cookie else None)
        except NGTimeout as e:
            print(f"ng.py: {e}", file=sys.stderr)
            return 2
    if a.sdp_only and isinstance(r, dict) and "sdp" in r:
        sys.stdout.write(r["sdp"].replace("\r\n", "\n"))
    else:
        print(json.dumps(r, indent=2, default=_json_default))
    return 0 if isinstance(r, dict) and r.get("result") != "error" else 1


if __name__ == "__main__":
    sys.exit(main())
