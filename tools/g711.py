"""G.711 mu-law and A-law for the test tools (Sun's g711.c routines, 16-bit linear samples).

Used by tools/interop/webrtc (plain RTP endpoints) and tools/sipp/gen-tone.py (SIPp's tone).
"""


def ulaw_encode(s: int) -> int:
    """ITU-T G.711 mu-law encoding of a 16-bit linear sample."""
    BIAS, CLIP = 0x84, 32635
    sign = 0x80 if s < 0 else 0
    s = min(abs(s), CLIP) + BIAS
    exp = 7
    mask = 0x4000
    while exp > 0 and not (s & mask):
        exp -= 1
        mask >>= 1
    mant = (s >> (exp + 3)) & 0x0F
    return ~(sign | (exp << 4) | mant) & 0xFF


def ulaw_decode(u: int) -> int:
    u = ~u & 0xFF
    t = ((u & 0x0F) << 3) + 0x84
    t <<= (u & 0x70) >> 4
    return (0x84 - t) if (u & 0x80) else (t - 0x84)


def alaw_encode(s: int) -> int:
    # Sun's g711.c, 16-bit input
    v = s >> 3
    if v >= 0:
        mask = 0xD5
    else:
        mask, v = 0x55, -v - 1
    seg = 0
    for end in (0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF):
        if v <= end:
            break
        seg += 1
    if seg >= 8:
        return 0x7F ^ mask
    aval = (seg << 4) | ((v >> 1) & 0x0F if seg < 2 else (v >> seg) & 0x0F)
    return aval ^ mask


def alaw_decode(a: int) -> int:
    a ^= 0x55
    t = (a & 0x0F) << 4
    seg = (a & 0x70) >> 4
    if seg == 0:
        t += 8
    elif seg == 1:
        t += 0x108
    else:
        t = (t + 0x108) << (seg - 1)
    return t if (a & 0x80) else -t


ULAW_DEC = [ulaw_decode(i) for i in range(256)]
ALAW_DEC = [alaw_decode(i) for i in range(256)]


def g711_encode(samples: list[int], pt: int) -> bytes:
    enc = ulaw_encode if pt == 0 else alaw_encode
    return bytes(enc(s) for s in samples)


def g711_decode(payload: bytes, pt: int) -> list[int]:
    table = ULAW_DEC if pt == 0 else ALAW_DEC
    return [table[b] for b in payload]
