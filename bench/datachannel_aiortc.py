"""The anchor of bench/datachannel: two aiortc peer connections in one process (one thread, as
ours), over loopback, with a DataChannel carrying 64 KiB messages; prints MB/s by wall clock
and per CPU second, and the time from offer to the first message, p50 and p99."""
import asyncio
import time

from aiortc import RTCPeerConnection

TOTAL = 32 * 1024 * 1024  # aiortc is some ten times slower than ours: less, for the same time
SIZE = 65536


async def pair():
    a, b = RTCPeerConnection(), RTCPeerConnection()
    inbox = asyncio.Queue()

    @b.on("datachannel")
    def on_channel(channel):
        channel.on("message", lambda m: inbox.put_nowait(len(m)))

    channel = a.createDataChannel("bench")
    opened = asyncio.Event()
    channel.on("open", opened.set)
    began = time.monotonic()
    await a.setLocalDescription(await a.createOffer())
    await b.setRemoteDescription(a.localDescription)
    await b.setLocalDescription(await b.createAnswer())
    await a.setRemoteDescription(b.localDescription)
    await asyncio.wait_for(opened.wait(), 20)
    return a, b, channel, inbox, began


async def main():
    a, b, channel, inbox, _ = await pair()
    payload = b"\x5a" * SIZE
    wall0, cpu0 = time.monotonic(), time.process_time()
    sent = got = 0
    while got < TOTAL:
        while sent < TOTAL and channel.bufferedAmount < 4 * 1024 * 1024:
            channel.send(payload)
            sent += SIZE
        got += await asyncio.wait_for(inbox.get(), 60)
    wall, cpu = time.monotonic() - wall0, time.process_time() - cpu0
    print(f"  anchor: aiortc <-> aiortc {TOTAL / wall / 1e6:.1f} MB/s (wall), "
          f"{TOTAL / cpu / 1e6:.1f} MB/s per CPU second", flush=True)
    await a.close()
    await b.close()
    times = []
    for _ in range(20):
        a, b, channel, inbox, began = await pair()
        channel.send(b"\x01" * 16)
        await asyncio.wait_for(inbox.get(), 20)
        times.append((time.monotonic() - began) * 1000)
        await a.close()
        await b.close()
    times.sort()
    print(f"  anchor: aiortc, offer to first message, {len(times)} set-ups: "
          f"p50 {times[len(times) // 2]:.2f} ms, p99 {times[-1]:.2f} ms", flush=True)


asyncio.run(main())
