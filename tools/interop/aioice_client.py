"""aioice (aiortc's ICE) as a full, controlling agent against Tandem's ICE-lite responder.

    aioice_client.py HOST PORT RELAY_UFRAG RELAY_PWD LOCAL_UFRAG

Gathers host candidates, pairs them with the relay's one host candidate, runs the checks,
nominates, then sends three datagrams and expects them echoed (the relay latched onto the
nominated address). Exit 0 on success."""
import asyncio
import sys

import aioice


async def main() -> int:
    host, port, ufrag, pwd, local_ufrag = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
    conn = aioice.Connection(ice_controlling=True, components=1, use_ipv6=False,
                             local_username=local_ufrag, local_password="browserpasswordbrowserpass")
    conn.remote_is_lite = True
    await conn.gather_candidates()
    conn.remote_username = ufrag
    conn.remote_password = pwd
    await conn.add_remote_candidate(aioice.Candidate(
        foundation="tandem", component=1, transport="udp", priority=2130706431,
        host=host, port=port, type="host"))
    await conn.add_remote_candidate(None)
    await asyncio.wait_for(conn.connect(), 10)
    print("connected", [str(c) for c in conn.local_candidates])
    for i in range(3):
        payload = bytes([0x80, 0x00, 0x00, i]) + b"media"
        await conn.send(payload)
        data = await asyncio.wait_for(conn.recv(), 5)
        assert data == payload, (data, payload)
    print("echoed 3 datagrams through the latched pair")
    await asyncio.sleep(6)  # past aioice's consent interval: its consent checks must succeed too
    await conn.close()
    return 0


sys.exit(asyncio.run(main()))
